//! The FTS3/FTS4 query parser: a port of SQLite's `fts3_expr.c` (3.51), standard and
//! enhanced (`SQLITE_ENABLE_FTS3_PARENTHESIS`) syntax.
//!
//! Takes the query text, the table's column names and the syntax; gives a [`Node`] or a
//! [`ParseError`] where SQLite says "malformed MATCH expression". It keeps SQLite's quirks,
//! since the application's results came from them: a word is whatever the tokenizer finds
//! next (`a.b` is `a b`), `col:` applies to one word only and ends the query when a quoted
//! phrase follows it (`title:"a b" c` searches nothing), an unknown `xyz:` is just words,
//! and in standard syntax OR binds tighter than AND and `-word` excludes a word.

use super::tokenize::tokens;
use super::{NearRule, Node, ParseError, Phrase, Term};

/// The default NEAR distance.
const DEFAULT_NEAR: u32 = 10;

#[derive(Debug, Clone)]
enum Kind {
    Near(u32),
    Not,
    And,
    Or,
    Phrase(Phrase),
}

#[derive(Debug, Clone)]
struct ExprNode {
    kind: Kind,
    left: Option<usize>,
    right: Option<usize>,
    parent: Option<usize>,
}

/// One step of the scanner.
enum Step {
    /// End of this (parenthesised) level.
    Done,
    /// A node, or nothing (input consumed without a token).
    Node(Option<usize>),
}

struct Parser<'a> {
    q: &'a str,
    columns: &'a [String],
    enhanced: bool,
    i: usize,
    nest: i32,
    is_not: bool,
    arena: Vec<ExprNode>,
}

/// Parse an FTS3/4 query against a table with `columns`.
pub(crate) fn parse(query: &str, columns: &[String], enhanced: bool) -> Result<Node, ParseError> {
    let mut p = Parser { q: query, columns, enhanced, i: 0, nest: 0, is_not: false, arena: Vec::new() };
    let root = p.expr()?;
    if p.nest != 0 {
        return Err(ParseError::syntax(query.len(), "unbalanced parentheses"));
    }
    match root {
        None => Ok(Node::Nothing),
        Some(r) => p.convert(r),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl Parser<'_> {
    fn byte(&self, i: usize) -> Option<u8> {
        self.q.as_bytes().get(i).copied()
    }

    fn add(&mut self, kind: Kind) -> usize {
        self.arena.push(ExprNode { kind, left: None, right: None, parent: None });
        self.arena.len() - 1
    }

    fn is_phrase_kind(&self, n: usize) -> bool {
        matches!(self.arena[n].kind, Kind::Phrase(_))
    }

    fn precedence(&self, n: usize) -> u8 {
        match (&self.arena[n].kind, self.enhanced) {
            (Kind::Near(_), _) => 1,
            (Kind::Not, true) => 2,
            (Kind::And, true) => 3,
            (Kind::Or, true) => 4,
            (Kind::Or, false) => 2,
            _ => 3,
        }
    }

    /// `fts3ExprParse`: one level, up to the end or an unmatched `)`.
    fn expr(&mut self) -> Result<Option<usize>, ParseError> {
        let mut ret: Option<usize> = None;
        let mut prev: Option<usize> = None;
        let mut not_branch: Option<usize> = None;
        let mut require_phrase = true;
        loop {
            let at = self.i;
            let p = match self.next_node()? {
                Step::Done => break,
                Step::Node(None) => continue,
                Step::Node(Some(p)) => p,
            };
            if !self.enhanced && self.is_phrase_kind(p) && self.is_not {
                let not = self.add(Kind::Not);
                self.arena[not].right = Some(p);
                self.arena[p].parent = Some(not);
                if let Some(nb) = not_branch {
                    self.arena[not].left = Some(nb);
                    self.arena[nb].parent = Some(not);
                }
                not_branch = Some(not);
                continue;
            }
            let is_phrase = self.is_phrase_kind(p) || self.arena[p].left.is_some();
            if !is_phrase && require_phrase {
                return Err(ParseError::syntax(at, "an operator lacks its left operand"));
            }
            if is_phrase && !require_phrase {
                let (Some(r), Some(pv)) = (ret, prev) else {
                    return Err(ParseError::syntax(at, "internal: implicit AND without a left operand"));
                };
                let and = self.add(Kind::And);
                ret = Some(self.insert_binary(r, pv, and));
                prev = Some(and);
            }
            if let Some(pv) = prev {
                let p_near = matches!(self.arena[p].kind, Kind::Near(_));
                let pv_near = matches!(self.arena[pv].kind, Kind::Near(_));
                if (p_near && !is_phrase && !self.is_phrase_kind(pv)) || (!self.is_phrase_kind(p) && is_phrase && pv_near) {
                    return Err(ParseError::syntax(at, "NEAR joins phrases only, not parenthesised expressions"));
                }
            }
            if is_phrase {
                match (ret, prev) {
                    (Some(_), Some(pv)) => {
                        self.arena[pv].right = Some(p);
                        self.arena[p].parent = Some(pv);
                    }
                    _ => ret = Some(p),
                }
            } else {
                let (Some(r), Some(pv)) = (ret, prev) else {
                    return Err(ParseError::syntax(at, "an operator lacks its left operand"));
                };
                ret = Some(self.insert_binary(r, pv, p));
            }
            require_phrase = !is_phrase;
            prev = Some(p);
        }
        if ret.is_some() && require_phrase {
            return Err(ParseError::syntax(self.i, "an operator lacks its right operand"));
        }
        if let Some(nb) = not_branch {
            let Some(r) = ret else {
                return Err(ParseError::syntax(self.i, "a query of excluded words only (`-word`) has nothing to exclude them from"));
            };
            let mut it = nb;
            while let Some(l) = self.arena[it].left {
                it = l;
            }
            self.arena[it].left = Some(r);
            self.arena[r].parent = Some(it);
            ret = Some(nb);
        }
        Ok(ret)
    }

    /// `insertBinaryOperator`: returns the new head.
    fn insert_binary(&mut self, head: usize, prev: usize, new: usize) -> usize {
        let mut split = prev;
        while let Some(parent) = self.arena[split].parent
            && self.precedence(parent) <= self.precedence(new)
        {
            split = parent;
        }
        let mut head = head;
        if let Some(parent) = self.arena[split].parent {
            self.arena[parent].right = Some(new);
            self.arena[new].parent = Some(parent);
        } else {
            head = new;
        }
        self.arena[new].left = Some(split);
        self.arena[split].parent = Some(new);
        head
    }

    /// `getNextNode`.
    fn next_node(&mut self) -> Result<Step, ParseError> {
        self.is_not = false;
        let start = self.i;
        let mut z = start;
        while self.byte(z).is_some_and(is_space) {
            z += 1;
        }
        if z >= self.q.len() {
            self.i = z;
            return Ok(Step::Done);
        }
        let rest = &self.q.as_bytes()[z..];
        let keywords: [(&str, bool, Kind); 4] =
            [("OR", false, Kind::Or), ("AND", true, Kind::And), ("NOT", true, Kind::Not), ("NEAR", false, Kind::Near(DEFAULT_NEAR))];
        for (kw, paren_only, kind) in keywords {
            if paren_only && !self.enhanced {
                continue;
            }
            if !rest.starts_with(kw.as_bytes()) {
                continue;
            }
            let mut n_key = kw.len();
            let mut kind = kind;
            if matches!(kind, Kind::Near(_)) && rest.get(4) == Some(&b'/') && rest.get(5).is_some_and(u8::is_ascii_digit) {
                let digits = rest[5..].iter().take_while(|b| b.is_ascii_digit()).count();
                let text = &self.q[z + 5..z + 5 + digits];
                kind = Kind::Near(text.parse::<u32>().unwrap_or(u32::MAX));
                n_key += 1 + digits;
            }
            let next = rest.get(n_key).copied();
            if next.is_none_or(|c| is_space(c) || matches!(c, b'"' | b'(' | b')')) {
                self.i = z + n_key;
                return Ok(Step::Node(Some(self.add(kind))));
            }
        }
        if rest[0] == b'"' {
            let Some(len) = rest[1..].iter().position(|&b| b == b'"') else {
                return Err(ParseError::syntax(z, "unterminated string"));
            };
            self.i = z + len + 2;
            let phrase = self.phrase(&self.q[z + 1..z + 1 + len]);
            return Ok(Step::Node(Some(self.add(Kind::Phrase(phrase)))));
        }
        if self.enhanced {
            if rest[0] == b'(' {
                self.nest += 1;
                self.i = z + 1;
                let inner = self.expr()?;
                return Ok(Step::Node(inner));
            }
            if rest[0] == b')' {
                self.nest -= 1;
                self.i = z + 1;
                return Ok(Step::Done);
            }
        }
        let mut col = None;
        let mut col_len = 0;
        for (ii, name) in self.columns.iter().enumerate() {
            let n = name.len();
            if rest.len() > n && rest[n] == b':' && rest[..n].eq_ignore_ascii_case(name.as_bytes()) {
                col = Some(ii);
                col_len = (z - start) + n + 1;
                break;
            }
        }
        self.next_token(col, start + col_len, self.q.len())
    }

    /// `getNextToken`: the first word the tokenizer finds in `q[from..to]`.
    fn next_token(&mut self, col: Option<usize>, from: usize, to: usize) -> Result<Step, ParseError> {
        let sub = &self.q[from..to];
        let barred = |s: &str| s.bytes().position(|b| b == b'"' || (self.enhanced && (b == b'(' || b == b')')));
        let toks = tokens(sub);
        let Some(first) = toks.first() else {
            if sub.is_empty() {
                self.i = from;
                return Ok(Step::Done);
            }
            self.i = from + barred(sub).unwrap_or(sub.len());
            return Ok(Step::Node(None));
        };
        if let Some(b) = barred(&sub[..first.end]) {
            return self.next_token(col, from, from + b);
        }
        let bytes = sub.as_bytes();
        let mut end = first.end;
        let prefix = bytes.get(end) == Some(&b'*');
        if prefix {
            end += 1;
        }
        let mut start = first.start;
        let mut first_token = false;
        loop {
            if !self.enhanced && start > 0 && bytes[start - 1] == b'-' {
                self.is_not = true;
                start -= 1;
            } else if start > 0 && bytes[start - 1] == b'^' {
                first_token = true;
                start -= 1;
            } else {
                break;
            }
        }
        let term = Term { text: first.text.clone(), prefix, first: first_token };
        self.i = from + end;
        let cols = col.map(|c| std::iter::once(c).collect());
        Ok(Step::Node(Some(self.add(Kind::Phrase(Phrase { terms: vec![term], cols })))))
    }

    /// `getNextString`: a quoted phrase; `*` after a word and `^` before it apply inside.
    fn phrase(&self, text: &str) -> Phrase {
        let bytes = text.as_bytes();
        let terms = tokens(text)
            .into_iter()
            .map(|t| Term {
                prefix: bytes.get(t.end) == Some(&b'*'),
                first: t.start > 0 && bytes[t.start - 1] == b'^',
                text: t.text,
            })
            .collect();
        Phrase { terms, cols: None }
    }

    /// The arena tree as a [`Node`].
    fn convert(&self, n: usize) -> Result<Node, ParseError> {
        let node = &self.arena[n];
        let child = |c: Option<usize>| -> Result<Node, ParseError> {
            match c {
                Some(c) => self.convert(c),
                None => Err(ParseError::syntax(self.q.len(), "internal: an operator without its operand")),
            }
        };
        Ok(match &node.kind {
            Kind::Phrase(p) => Node::Phrase(p.clone()),
            Kind::And => Node::And(vec![child(node.left)?, child(node.right)?]),
            Kind::Or => Node::Or(vec![child(node.left)?, child(node.right)?]),
            Kind::Not => Node::Not(Box::new(child(node.left)?), Box::new(child(node.right)?)),
            Kind::Near(_) => {
                // A chain `p0 NEAR/a p1 NEAR/b p2`: left-deep, phrases on the right.
                let mut phrases = Vec::new();
                let mut distances = Vec::new();
                let mut it = n;
                loop {
                    let e = &self.arena[it];
                    match &e.kind {
                        Kind::Near(d) => {
                            let Some(Kind::Phrase(r)) = e.right.map(|r| &self.arena[r].kind) else {
                                return Err(ParseError::syntax(self.q.len(), "NEAR joins phrases only"));
                            };
                            phrases.push(r.clone());
                            distances.push(*d);
                            it = e.left.ok_or_else(|| ParseError::syntax(self.q.len(), "NEAR lacks its left operand"))?;
                        }
                        Kind::Phrase(l) => {
                            phrases.push(l.clone());
                            break;
                        }
                        _ => return Err(ParseError::syntax(self.q.len(), "NEAR joins phrases only")),
                    }
                }
                phrases.reverse();
                distances.reverse();
                let links = distances.iter().enumerate().map(|(i, d)| (i, i + 1, *d)).collect();
                Node::Near { phrases, links, rule: NearRule::Fts3 }
            }
        })
    }
}

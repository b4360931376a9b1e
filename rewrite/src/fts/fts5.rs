//! The FTS5 query parser: a recursive-descent twin of SQLite's `fts5parse.y` (3.51).
//!
//! Takes the query text and the table's column names; gives a [`Node`] or a
//! [`ParseError`] where SQLite reports one. Precedence, loosest first: OR, AND, NOT
//! (binary, left-associative), then implicit AND, which only joins phrases, NEAR groups and
//! `col: phrase` (so `a (b)` and `(a) b` are syntax errors, as in SQLite).

use std::collections::BTreeSet;

use super::tokenize::tokens;
use super::{NearRule, Node, ParseError, Phrase, Term, column_index, restrict};

/// A lexical token of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lp,
    Rp,
    Lcp,
    Rcp,
    Colon,
    Comma,
    Plus,
    Star,
    Minus,
    Caret,
    And,
    Or,
    Not,
    /// A bareword or a quoted string: its raw text and its value (quotes removed).
    Str { raw: String, value: String },
    Eof,
}

/// A token and its byte offset.
#[derive(Debug, Clone)]
struct Lexed {
    tok: Tok,
    at: usize,
}

/// FTS5's bareword characters: ASCII letters, digits, `_`, 0x1A, and every non-ASCII one.
fn is_bareword(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '\u{1a}' || !c.is_ascii()
}

fn lex(q: &str) -> Result<Vec<Lexed>, ParseError> {
    let mut out = Vec::new();
    let mut it = q.char_indices().peekable();
    while let Some(&(at, c)) = it.peek() {
        if matches!(c, ' ' | '\t' | '\n' | '\r') {
            it.next();
            continue;
        }
        let simple = match c {
            '(' => Some(Tok::Lp),
            ')' => Some(Tok::Rp),
            '{' => Some(Tok::Lcp),
            '}' => Some(Tok::Rcp),
            ':' => Some(Tok::Colon),
            ',' => Some(Tok::Comma),
            '+' => Some(Tok::Plus),
            '*' => Some(Tok::Star),
            '-' => Some(Tok::Minus),
            '^' => Some(Tok::Caret),
            _ => None,
        };
        if let Some(tok) = simple {
            it.next();
            out.push(Lexed { tok, at });
            continue;
        }
        if c == '"' {
            it.next();
            let mut value = String::new();
            let mut end = None;
            while let Some((i, c)) = it.next() {
                if c == '"' {
                    if let Some(&(_, '"')) = it.peek() {
                        it.next();
                        value.push('"');
                        continue;
                    }
                    end = Some(i + 1);
                    break;
                }
                value.push(c);
            }
            let Some(end) = end else {
                return Err(ParseError::syntax(at, "unterminated string"));
            };
            out.push(Lexed { tok: Tok::Str { raw: q[at..end].to_string(), value }, at });
            continue;
        }
        if !is_bareword(c) {
            return Err(ParseError::syntax(at, format!("syntax error near \"{c}\"")));
        }
        let mut end = q.len();
        while let Some(&(i, c)) = it.peek() {
            if !is_bareword(c) {
                end = i;
                break;
            }
            it.next();
        }
        let word = &q[at..end];
        let tok = match word {
            "OR" => Tok::Or,
            "AND" => Tok::And,
            "NOT" => Tok::Not,
            _ => Tok::Str { raw: word.to_string(), value: word.to_string() },
        };
        out.push(Lexed { tok, at });
    }
    out.push(Lexed { tok: Tok::Eof, at: q.len() });
    Ok(out)
}

/// Parse an FTS5 query against a table with `columns`.
pub(crate) fn parse(query: &str, columns: &[String]) -> Result<Node, ParseError> {
    if query.starts_with('*') {
        return Err(ParseError::Unsupported {
            construct: "a query starting with `*`".into(),
            reason: "FTS5 reads it as a special query (`*reads`, `*id`...), not a search".into(),
        });
    }
    let mut p = Parser { toks: lex(query)?, pos: 0, columns };
    let node = p.or()?;
    match p.peek() {
        Tok::Eof => Ok(node),
        _ => Err(p.error_here()),
    }
}

struct Parser<'a> {
    toks: Vec<Lexed>,
    pos: usize,
    columns: &'a [String],
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i].tok
    }

    fn at(&self) -> usize {
        self.toks[self.pos.min(self.toks.len() - 1)].at
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error_here(&self) -> ParseError {
        let at = self.at();
        match self.peek() {
            Tok::Eof => ParseError::syntax(at, "unexpected end of query (an operator or parenthesis lacks its operand)"),
            t => ParseError::syntax(at, format!("syntax error near \"{}\"", describe(t))),
        }
    }

    fn expect(&mut self, want: &Tok) -> Result<(), ParseError> {
        if self.peek() == want {
            self.bump();
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn or(&mut self) -> Result<Node, ParseError> {
        let mut items = vec![self.and()?];
        while self.peek() == &Tok::Or {
            self.bump();
            items.push(self.and()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Node::Or(items) })
    }

    fn and(&mut self) -> Result<Node, ParseError> {
        let mut items = vec![self.not()?];
        while self.peek() == &Tok::And {
            self.bump();
            items.push(self.not()?);
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Node::And(items) })
    }

    fn not(&mut self) -> Result<Node, ParseError> {
        let mut left = self.primary()?;
        while self.peek() == &Tok::Not {
            self.bump();
            let right = self.primary()?;
            left = Node::Not(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    /// Whether a colset starts here: `-`, `{`, or a string followed by `:`.
    fn colset_ahead(&self) -> bool {
        match self.peek() {
            Tok::Minus | Tok::Lcp => true,
            Tok::Str { .. } => self.peek_at(1) == &Tok::Colon,
            _ => false,
        }
    }

    fn primary(&mut self) -> Result<Node, ParseError> {
        match self.peek() {
            Tok::Lp => {
                self.bump();
                let inner = self.or()?;
                self.expect(&Tok::Rp)?;
                Ok(inner)
            }
            _ if self.colset_ahead() => {
                let cols = self.colset()?;
                self.expect(&Tok::Colon)?;
                if self.peek() == &Tok::Lp {
                    self.bump();
                    let mut inner = self.or()?;
                    self.expect(&Tok::Rp)?;
                    restrict(&mut inner, &cols);
                    return Ok(inner);
                }
                let mut first = self.nearset()?;
                restrict(&mut first, &cols);
                self.exprlist(first)
            }
            Tok::Str { .. } | Tok::Caret => {
                let first = self.nearset()?;
                self.exprlist(first)
            }
            _ => Err(self.error_here()),
        }
    }

    /// The rest of an implicit AND whose first member is `first`.
    fn exprlist(&mut self, first: Node) -> Result<Node, ParseError> {
        let mut items = vec![first];
        loop {
            let next = match self.peek() {
                Tok::Minus | Tok::Lcp | Tok::Str { .. } | Tok::Caret if self.colset_ahead() => {
                    let cols = self.colset()?;
                    self.expect(&Tok::Colon)?;
                    let mut n = self.nearset()?;
                    restrict(&mut n, &cols);
                    n
                }
                Tok::Str { .. } | Tok::Caret => self.nearset()?,
                _ => break,
            };
            items.push(next);
        }
        // SQLite drops empty phrases from an implicit AND (unless all are empty).
        if items.len() > 1 {
            let kept: Vec<Node> = items.iter().filter(|n| !has_empty_phrase(n)).cloned().collect();
            items = if kept.is_empty() { vec![Node::Nothing] } else { kept };
        }
        Ok(if items.len() == 1 { items.remove(0) } else { Node::And(items) })
    }

    fn colset(&mut self) -> Result<BTreeSet<usize>, ParseError> {
        let negate = if self.peek() == &Tok::Minus {
            self.bump();
            true
        } else {
            false
        };
        let mut names = Vec::new();
        if self.peek() == &Tok::Lcp {
            self.bump();
            while let Tok::Str { value, .. } = self.peek().clone() {
                self.bump();
                names.push(value);
            }
            if names.is_empty() {
                return Err(self.error_here());
            }
            self.expect(&Tok::Rcp)?;
        } else if let Tok::Str { value, .. } = self.peek().clone() {
            self.bump();
            names.push(value);
        } else {
            return Err(self.error_here());
        }
        let mut set = BTreeSet::new();
        for n in &names {
            set.insert(column_index(n, self.columns)?);
        }
        if negate {
            set = (0..self.columns.len()).filter(|i| !set.contains(i)).collect();
        }
        Ok(set)
    }

    /// `phrase`, `^phrase` or `NEAR(phrase phrase ..., N)`.
    fn nearset(&mut self) -> Result<Node, ParseError> {
        if self.peek() == &Tok::Caret {
            self.bump();
            let mut p = self.phrase()?;
            if let Some(t) = p.terms.first_mut() {
                t.first = true;
            }
            return Ok(Node::Phrase(p));
        }
        if let (Tok::Str { raw, .. }, Tok::Lp) = (self.peek().clone(), self.peek_at(1)) {
            let at = self.at();
            if raw != "NEAR" {
                return Err(ParseError::syntax(at, format!("syntax error near \"{raw}\" (only NEAR may be followed by `(`)")));
            }
            self.bump();
            self.bump();
            let mut phrases = vec![self.phrase()?];
            while matches!(self.peek(), Tok::Str { .. }) {
                phrases.push(self.phrase()?);
            }
            let mut distance = 10;
            if self.peek() == &Tok::Comma {
                self.bump();
                let at = self.at();
                match self.bump() {
                    Tok::Str { raw, .. } if raw.bytes().all(|b| b.is_ascii_digit()) => {
                        distance = raw.parse::<u32>().map_err(|_| ParseError::syntax(at, format!("NEAR distance {raw} is too large")))?;
                    }
                    Tok::Str { raw, .. } => return Err(ParseError::syntax(at, format!("expected integer, got \"{raw}\""))),
                    _ => return Err(ParseError::syntax(at, "expected integer NEAR distance")),
                }
            }
            self.expect(&Tok::Rp)?;
            if phrases.len() == 1 {
                return Ok(Node::Phrase(phrases.remove(0)));
            }
            let n = phrases.len();
            let links = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j, distance))).collect();
            return Ok(Node::Near { phrases, links, rule: NearRule::Fts5 });
        }
        Ok(Node::Phrase(self.phrase()?))
    }

    /// `string [*] (+ string [*])*`.
    fn phrase(&mut self) -> Result<Phrase, ParseError> {
        let mut terms = Vec::new();
        loop {
            let Tok::Str { value, .. } = self.peek().clone() else {
                return Err(self.error_here());
            };
            self.bump();
            let start = terms.len();
            terms.extend(tokens(&value).into_iter().map(|t| Term { text: t.text, prefix: false, first: false }));
            if self.peek() == &Tok::Star {
                self.bump();
                if terms.len() > start
                    && let Some(last) = terms.last_mut()
                {
                    last.prefix = true;
                }
            }
            if self.peek() != &Tok::Plus {
                break;
            }
            self.bump();
        }
        Ok(Phrase { terms, cols: None })
    }
}

/// Whether SQLite turns this node into its "matches nothing" EOF node.
fn has_empty_phrase(n: &Node) -> bool {
    match n {
        Node::Phrase(p) => p.terms.is_empty(),
        Node::Near { phrases, .. } => phrases.iter().any(|p| p.terms.is_empty()),
        Node::Nothing => true,
        _ => false,
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Lp => "(".into(),
        Tok::Rp => ")".into(),
        Tok::Lcp => "{".into(),
        Tok::Rcp => "}".into(),
        Tok::Colon => ":".into(),
        Tok::Comma => ",".into(),
        Tok::Plus => "+".into(),
        Tok::Star => "*".into(),
        Tok::Minus => "-".into(),
        Tok::Caret => "^".into(),
        Tok::And => "AND".into(),
        Tok::Or => "OR".into(),
        Tok::Not => "NOT".into(),
        Tok::Str { raw, .. } => raw.clone(),
        Tok::Eof => String::new(),
    }
}

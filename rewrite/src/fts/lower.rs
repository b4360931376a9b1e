//! From the parsed query ([`Node`]) to tsquery text: weights for column filters, phrases
//! repeated per weight, NEAR written out as every placement SQLite accepts.
//!
//! Takes a node and the spec; gives the tsquery text, the approximation flag and notes
//! (the caller adds the SQL form). Must not normalise words beyond what the parsers did.

use std::collections::BTreeSet;

use super::{FtsQuerySpec, MAX_NEAR, NearRule, Node, Phrase, Term, Translated};

/// A tsquery operand: a lexeme with its prefix flag and weights.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lexeme {
    text: String,
    prefix: bool,
    weights: String,
}

/// A tsquery.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Q {
    Lex(Lexeme),
    /// Lexemes at increasing positions: each with its distance from the one before.
    Chain(Vec<(u32, Lexeme)>),
    And(Vec<Q>),
    Or(Vec<Q>),
    Not(Box<Q>),
}

struct Lowerer<'a> {
    spec: &'a FtsQuerySpec,
    approximate: bool,
    notes: Vec<String>,
}

/// Lower `node` for `spec`. `sql` is left empty.
pub(crate) fn lower(node: &Node, spec: &FtsQuerySpec) -> Translated {
    let mut l = Lowerer { spec, approximate: false, notes: Vec::new() };
    let q = l.node(node);
    let tsquery = q.map(|q| render(&q, 0)).unwrap_or_default();
    Translated { tsquery, sql: String::new(), approximate: l.approximate, notes: l.notes }
}

/// The setweight letter of column `i`.
fn letter(i: usize) -> char {
    ['A', 'B', 'C', 'D'][i.min(3)]
}

/// How a phrase's positions must be pinned to columns.
enum Weights {
    /// No weight needed: every column, and no phrase can cross a column boundary.
    None,
    /// These letters on every lexeme (one alternative).
    One(String),
    /// One alternative per letter.
    Each(Vec<char>),
}

impl Lowerer<'_> {
    fn note(&mut self, approximate: bool, text: String) {
        self.approximate |= approximate;
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    fn node(&mut self, node: &Node) -> Option<Q> {
        match node {
            Node::Nothing => None,
            Node::Phrase(p) => self.phrase(p),
            Node::Near { phrases, links, rule } => self.near(phrases, links, *rule),
            Node::And(items) => {
                let mut out = Vec::new();
                for n in items {
                    match self.node(n)? {
                        Q::And(v) => out.extend(v),
                        q => out.push(q),
                    }
                }
                Some(Q::And(out))
            }
            Node::Or(items) => {
                let mut out = Vec::new();
                for q in items.iter().filter_map(|n| self.node(n)) {
                    match q {
                        Q::Or(v) => out.extend(v),
                        q => out.push(q),
                    }
                }
                one_or(out, Q::Or)
            }
            Node::Not(a, b) => {
                let a = self.node(a)?;
                match self.node(b) {
                    None => Some(a),
                    Some(b) => Some(match a {
                        Q::And(mut v) => {
                            v.push(Q::Not(Box::new(b)));
                            Q::And(v)
                        }
                        a => Q::And(vec![a, Q::Not(Box::new(b))]),
                    }),
                }
            }
        }
    }

    /// Notes for the words of a phrase.
    fn check_terms(&mut self, terms: &[Term]) {
        for t in terms {
            if t.first {
                self.note(true, format!("`^{}` (first word of a column) has no tsquery equivalent: searched anywhere in the column", t.text));
            }
            if !t.text.is_ascii() {
                self.note(
                    true,
                    format!(
                        "`{}` has non-ASCII letters: SQLite's tokenizer (unicode61 removes diacritics, `simple` keeps non-ASCII as is) and PostgreSQL's parser may split or fold it differently",
                        t.text
                    ),
                );
            }
        }
    }

    /// The weights for phrases restricted to `cols` (`None`: all); `None` when no column is left.
    fn weights(&mut self, cols: Option<&BTreeSet<usize>>, positional: bool) -> Option<Weights> {
        let n = self.spec.columns.len();
        let all: BTreeSet<usize> = (0..n).collect();
        let cols = cols.unwrap_or(&all);
        if n > 0 && cols.is_empty() {
            return None;
        }
        let letters: BTreeSet<char> = cols.iter().map(|&i| letter(i)).collect();
        let every = cols.len() == n;
        if !every {
            let leaked: Vec<&str> = (0..n).filter(|i| !cols.contains(i) && letters.contains(&letter(*i))).map(|i| self.spec.columns[i].as_str()).collect();
            if !leaked.is_empty() {
                self.note(
                    true,
                    format!("columns beyond the fourth share weight D, so a filter on {} also matches in {}", names(self.spec, cols), leaked.join(", ")),
                );
            }
        }
        if positional && cols.iter().filter(|&&i| letter(i) == 'D').count() > 1 {
            self.note(true, "columns beyond the fourth share weight D, so a phrase or NEAR may match across their boundary".to_string());
        }
        Some(match (every, positional, letters.len()) {
            (true, false, _) | (true, true, 0 | 1) => Weights::None,
            (_, true, 2..) => Weights::Each(letters.into_iter().collect()),
            _ => Weights::One(letters.into_iter().collect()),
        })
    }

    fn phrase(&mut self, p: &Phrase) -> Option<Q> {
        if p.terms.is_empty() {
            return None;
        }
        self.check_terms(&p.terms);
        let placed: Vec<(i64, &Term)> = p.terms.iter().enumerate().map(|(i, t)| (i as i64, t)).collect();
        let weights = self.weights(p.cols.as_ref(), p.terms.len() > 1)?;
        Some(per_weight(&weights, |w| chain(&placed, w)))
    }

    fn near(&mut self, phrases: &[Phrase], links: &[(usize, usize, u32)], rule: NearRule) -> Option<Q> {
        if phrases.iter().any(|p| p.terms.is_empty()) {
            return None;
        }
        for p in phrases {
            self.check_terms(&p.terms);
        }
        // SQLite: every phrase of a NEAR group in the same column.
        let mut cols: Option<BTreeSet<usize>> = None;
        for p in phrases {
            if let Some(c) = &p.cols {
                cols = Some(match cols {
                    None => c.clone(),
                    Some(have) => have.intersection(c).copied().collect(),
                });
            }
        }
        let weights = self.weights(cols.as_ref(), true)?;
        if let Some(&(_, _, d)) = links.iter().find(|l| l.2 > MAX_NEAR) {
            self.note(true, format!("NEAR distance {d} is above {MAX_NEAR}: translated as all phrases anywhere in the same column"));
            return Some(per_weight(&weights, |w| {
                let parts: Vec<Q> = phrases.iter().map(|p| chain(&p.terms.iter().enumerate().map(|(i, t)| (i as i64, t)).collect::<Vec<_>>(), w)).collect();
                one_or(parts, Q::And).unwrap_or(Q::And(Vec::new()))
            }));
        }
        if phrases.len() > 2 {
            self.note(true, "a NEAR of three or more phrases is translated as each linked pair being near, not necessarily through the same occurrences".to_string());
        }
        let parts: Vec<Q> = links
            .iter()
            .map(|&(i, j, d)| {
                let (a, b) = (&phrases[i].terms, &phrases[j].terms);
                per_weight(&weights, |w| {
                    let mut alts: Vec<Q> = Vec::new();
                    for shift in placements(a.len(), b.len(), d, rule) {
                        let mut placed: Vec<(i64, &Term)> = a.iter().enumerate().map(|(k, t)| (k as i64, t)).collect();
                        placed.extend(b.iter().enumerate().map(|(k, t)| (k as i64 + shift, t)));
                        let q = chain(&placed, w);
                        if !alts.contains(&q) {
                            alts.push(q);
                        }
                    }
                    one_or(alts, Q::Or).unwrap_or(Q::Or(Vec::new()))
                })
            })
            .collect();
        one_or(parts, Q::And)
    }
}

/// Where phrase b (length `lb`) may start relative to phrase a (length `la`) in SQLite.
///
/// FTS5 (`fts5ExprNearIsMatch`): the later-starting phrase starts at most `la + d`
/// (resp. `lb + d`) after the other. FTS3 (`fts3PoslistNearMerge`): the same range, but the
/// two may not end at the same position.
fn placements(la: usize, lb: usize, d: u32, rule: NearRule) -> Vec<i64> {
    let (la, lb, d) = (la as i64, lb as i64, i64::from(d));
    (-(lb + d)..=(la + d)).filter(|&s| rule == NearRule::Fts5 || s + lb != la).collect()
}

/// One alternative per weight letter (or one with the given weights).
fn per_weight(w: &Weights, mut make: impl FnMut(&str) -> Q) -> Q {
    match w {
        Weights::None => make(""),
        Weights::One(s) => make(s),
        Weights::Each(letters) => {
            let alts: Vec<Q> = letters.iter().map(|c| make(&c.to_string())).collect();
            one_or(alts, Q::Or).unwrap_or(Q::Or(Vec::new()))
        }
    }
}

/// Terms at relative positions as a lexeme or a chain of `<k>`.
fn chain(placed: &[(i64, &Term)], weights: &str) -> Q {
    let mut sorted: Vec<(i64, &Term)> = placed.to_vec();
    sorted.sort_by_key(|(pos, _)| *pos);
    let lex = |t: &Term| Lexeme { text: t.text.clone(), prefix: t.prefix, weights: weights.to_string() };
    if let [(_, t)] = sorted.as_slice() {
        return Q::Lex(lex(t));
    }
    let mut out = Vec::new();
    let mut prev = sorted.first().map(|(p, _)| *p).unwrap_or(0);
    for (pos, t) in sorted {
        out.push(((pos - prev) as u32, lex(t)));
        prev = pos;
    }
    Q::Chain(out)
}

/// `wrap(items)`, or the single item itself; `None` for none.
fn one_or(mut items: Vec<Q>, wrap: fn(Vec<Q>) -> Q) -> Option<Q> {
    match items.len() {
        0 => None,
        1 => items.pop(),
        _ => Some(wrap(items)),
    }
}

fn names(spec: &FtsQuerySpec, cols: &BTreeSet<usize>) -> String {
    cols.iter().map(|&i| spec.columns[i].as_str()).collect::<Vec<_>>().join(", ")
}

/// A lexeme in tsquery syntax: quoted, with `\` and `'` escaped, then `:*` and weights.
fn lexeme(l: &Lexeme) -> String {
    let mut s = String::from("'");
    for c in l.text.chars() {
        if c == '\'' || c == '\\' {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('\'');
    if l.prefix || !l.weights.is_empty() {
        s.push(':');
        if l.prefix {
            s.push('*');
        }
        s.push_str(&l.weights);
    }
    s
}

/// Binding strength: `|` 1, `&` 2, `<->` 3, `!` and lexemes 4.
fn level(q: &Q) -> u8 {
    match q {
        Q::Or(_) => 1,
        Q::And(_) => 2,
        Q::Chain(_) => 3,
        Q::Not(_) | Q::Lex(_) => 4,
    }
}

/// `q` as tsquery text, parenthesised when it binds looser than `min` requires.
fn render(q: &Q, min: u8) -> String {
    let text = match q {
        Q::Lex(l) => lexeme(l),
        Q::Chain(items) => items
            .iter()
            .enumerate()
            .map(|(i, (gap, l))| match (i, gap) {
                (0, _) => lexeme(l),
                (_, 1) => format!(" <-> {}", lexeme(l)),
                (_, g) => format!(" <{g}> {}", lexeme(l)),
            })
            .collect(),
        Q::And(items) => items.iter().map(|i| render(i, 2)).collect::<Vec<_>>().join(" & "),
        Q::Or(items) => items.iter().map(|i| render(i, 1)).collect::<Vec<_>>().join(" | "),
        Q::Not(inner) => format!("!{}", render(inner, 4)),
    };
    if level(q) < min { format!("({text})") } else { text }
}

//! A token-level scan of stored `CREATE TABLE` / `CREATE INDEX` / `CREATE VIRTUAL TABLE` text for
//! what the PRAGMAs do not report.
//!
//! sqlparser's tokenizer (SQLite dialect) does the lexing; the structure walk is ours, because
//! real schemas use declared types, module arguments and option orders that sqlparser's
//! parser rejects (`BLOB SUB_TYPE TEXT`, `"double precision"`, `STRICT, WITHOUT ROWID`,
//! `USING fts5(a UNINDEXED, content='t')`). The scan never fails on such text: what it
//! cannot read it leaves out, and the caller reports that.

use sqlparser::dialect::SQLiteDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::schema::{Generated, SourceCheck};

/// Tokens of `sql`, with string literals left exactly as written.
pub(crate) fn tokenize(sql: &str) -> Option<Vec<Token>> {
    Tokenizer::new(&SQLiteDialect {}, sql).with_unescape(false).tokenize().ok()
}

/// The SQL text of `tokens`, trimmed of surrounding white space; white space and comments
/// between tokens become one space, literals stay exactly as written.
pub fn tokens_to_sql(tokens: &[Token]) -> String {
    let mut out = String::new();
    let mut pending_space = false;
    for t in tokens {
        if is_trivia(t) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push_str(&t.to_string());
    }
    out
}

/// Tokens of `sql` without white space and comments.
pub fn tokenize_significant(sql: &str) -> Option<Vec<Token>> {
    Some(tokenize(sql)?.into_iter().filter(|t| !is_trivia(t)).collect())
}

fn is_trivia(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}




/// Whether `t` is the bare (unquoted) word `kw`.
pub(crate) fn is_kw(t: &Token, kw: &str) -> bool {
    matches!(t, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
}

/// The name a token spells: a word (quoted or not) or a string literal used as a name.
pub(crate) fn name_of(t: &Token) -> Option<String> {
    match t {
        Token::Word(w) => Some(w.value.clone()),
        Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Some(s.replace("''", "'")),
        _ => None,
    }
}


/// Significant tokens of a statement, each remembering where it sits among all tokens, so the
/// text between two of them can be cut out with its original spacing.
pub(crate) struct Toks {
    all: Vec<Token>,
    sig: Vec<usize>,
}

impl Toks {
    pub(crate) fn new(sql: &str) -> Option<Toks> {
        let all = tokenize(sql)?;
        let sig = all.iter().enumerate().filter(|(_, t)| !is_trivia(t)).map(|(i, _)| i).collect();
        Some(Toks { all, sig })
    }
    pub(crate) fn len(&self) -> usize {
        self.sig.len()
    }
    pub(crate) fn get(&self, i: usize) -> Option<&Token> {
        self.sig.get(i).map(|&j| &self.all[j])
    }
    /// The original SQL text of significant tokens `from..to`.
    pub(crate) fn text(&self, from: usize, to: usize) -> String {
        if from >= to || from >= self.len() {
            return String::new();
        }
        let a = self.sig[from];
        let b = self.sig[(to - 1).min(self.len() - 1)];
        tokens_to_sql(&self.all[a..=b])
    }
    fn is_kw(&self, i: usize, kw: &str) -> bool {
        self.get(i).is_some_and(|t| is_kw(t, kw))
    }
    fn is_lparen(&self, i: usize) -> bool {
        matches!(self.get(i), Some(Token::LParen))
    }
    /// Index of the `)` closing the `(` at `open`.
    pub(crate) fn close_of(&self, open: usize) -> Option<usize> {
        let mut depth = 0i32;
        for i in open..self.len() {
            match self.get(i) {
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }
    /// The first `(` at or after `from`, with its `)`.
    pub(crate) fn group_from(&self, from: usize) -> Option<(usize, usize)> {
        let open = (from..self.len()).find(|&i| self.is_lparen(i))?;
        Some((open, self.close_of(open)?))
    }
    /// Ranges `from..to` split at commas outside parentheses.
    pub(crate) fn split(&self, from: usize, to: usize) -> Vec<(usize, usize)> {
        let mut parts = Vec::new();
        let mut depth = 0i32;
        let mut start = from;
        for i in from..to {
            match self.get(i) {
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) => depth -= 1,
                Some(Token::Comma) if depth == 0 => {
                    parts.push((start, i));
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push((start, to));
        parts
    }
    fn skip_group(&self, open: usize) -> usize {
        if self.is_lparen(open) { self.close_of(open).map_or(self.len(), |c| c + 1) } else { open + 1 }
    }
    fn group_text(&self, open: usize) -> Option<String> {
        if !self.is_lparen(open) {
            return None;
        }
        let close = self.close_of(open)?;
        Some(self.text(open + 1, close))
    }
    /// `Some(initially_deferred)` when tokens `from..to` say DEFERRABLE (not NOT DEFERRABLE).
    fn deferrable(&self, from: usize, to: usize) -> Option<bool> {
        let pos = (from..to).find(|&i| self.is_kw(i, "DEFERRABLE"))?;
        if pos > 0 && self.is_kw(pos - 1, "NOT") {
            return None;
        }
        Some(self.is_kw(pos + 1, "INITIALLY") && self.is_kw(pos + 2, "DEFERRED"))
    }
}

/// What the scan of a `CREATE TABLE` found.
#[derive(Debug, Default)]
pub(crate) struct TableScan {
    pub columns: Vec<ColumnScan>,
    pub checks: Vec<SourceCheck>,
    /// FKs that are DEFERRABLE: (referencing columns, initially deferred).
    pub deferrable_fks: Vec<(Vec<String>, bool)>,
    pub autoincrement: bool,
    /// Table-level `CONSTRAINT name UNIQUE (...)`: (name, columns).
    pub named_uniques: Vec<(String, Vec<String>)>,
}

/// What the scan found on one column definition.
#[derive(Debug, Default)]
pub(crate) struct ColumnScan {
    pub name: String,
    pub collation: Option<String>,
    pub generated: Option<Generated>,
}

/// Scan a stored `CREATE TABLE` statement.
pub(crate) fn scan_create_table(sql: &str) -> Option<TableScan> {
    let toks = Toks::new(sql)?;
    let (open, close) = toks.group_from(0)?;
    let mut scan = TableScan::default();
    for (from, to) in toks.split(open + 1, close) {
        if from >= to {
            continue;
        }
        let is_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"].iter().any(|k| toks.is_kw(from, k));
        if is_constraint {
            scan_table_constraint(&toks, from, to, &mut scan);
        } else {
            scan_column(&toks, from, to, &mut scan);
        }
    }
    Some(scan)
}

fn scan_table_constraint(toks: &Toks, from: usize, to: usize, scan: &mut TableScan) {
    let mut name = None;
    let mut i = from;
    if toks.is_kw(i, "CONSTRAINT") {
        name = toks.get(i + 1).and_then(name_of);
        i += 2;
    }
    if toks.is_kw(i, "CHECK") {
        if let Some(expr) = toks.group_text(i + 1) {
            scan.checks.push(SourceCheck { name, column: None, expr });
        }
    } else if toks.is_kw(i, "FOREIGN") {
        let Some((open, close)) = toks.group_from(i) else { return };
        let columns: Vec<String> = toks
            .split(open + 1, close)
            .into_iter()
            .filter_map(|(a, _)| toks.get(a).and_then(name_of))
            .collect();
        if let Some(initially_deferred) = toks.deferrable(close, to) {
            scan.deferrable_fks.push((columns, initially_deferred));
        }
    } else if toks.is_kw(i, "UNIQUE") {
        let (Some(name), Some((open, close))) = (name, toks.group_from(i)) else { return };
        let columns: Vec<String> = toks.split(open + 1, close).into_iter().filter_map(|(a, b)| (b == a + 1).then(|| toks.get(a).and_then(name_of)).flatten()).collect();
        if columns.len() == toks.split(open + 1, close).len() {
            scan.named_uniques.push((name, columns));
        }
    } else if toks.is_kw(i, "PRIMARY") && (i..to).any(|j| toks.is_kw(j, "AUTOINCREMENT")) {
        scan.autoincrement = true;
    }
}

fn scan_column(toks: &Toks, from: usize, to: usize, scan: &mut TableScan) {
    let Some(name) = toks.get(from).and_then(name_of) else { return };
    let mut column = ColumnScan { name: name.clone(), ..Default::default() };
    let mut i = from + 1;
    while i < to {
        if toks.is_kw(i, "COLLATE") {
            column.collation = toks.get(i + 1).and_then(name_of).map(|c| c.to_ascii_uppercase());
            i += 2;
            continue;
        }
        if toks.is_kw(i, "CHECK") {
            if let Some(expr) = toks.group_text(i + 1) {
                let constraint_name = if i >= from + 2 && toks.is_kw(i - 2, "CONSTRAINT") { toks.get(i - 1).and_then(name_of) } else { None };
                scan.checks.push(SourceCheck { name: constraint_name, column: Some(name.clone()), expr });
            }
            i = toks.skip_group(i + 1);
            continue;
        }
        if toks.is_kw(i, "AS") && toks.is_lparen(i + 1) {
            if let Some(expr) = toks.group_text(i + 1) {
                let after = toks.skip_group(i + 1);
                let stored = after < to && toks.is_kw(after, "STORED");
                column.generated = Some(Generated { expr, stored });
            }
            i = toks.skip_group(i + 1);
            continue;
        }
        if toks.is_kw(i, "AUTOINCREMENT") {
            scan.autoincrement = true;
        }
        if toks.is_kw(i, "REFERENCES")
            && let Some(initially_deferred) = toks.deferrable(i, to) {
                scan.deferrable_fks.push((vec![name.clone()], initially_deferred));
            }
        if toks.is_lparen(i) {
            i = toks.skip_group(i);
            continue;
        }
        i += 1;
    }
    scan.columns.push(column);
}

/// What the scan of a `CREATE INDEX` found: the text of each key part and the WHERE predicate.
#[derive(Debug, Default)]
pub(crate) struct IndexScan {
    pub parts: Vec<String>,
    pub predicate: Option<String>,
}

/// Scan a stored `CREATE [UNIQUE] INDEX name ON table (parts) [WHERE expr]`.
pub(crate) fn scan_create_index(sql: &str) -> Option<IndexScan> {
    let toks = Toks::new(sql)?;
    let (open, close) = toks.group_from(0)?;
    let parts = toks
        .split(open + 1, close)
        .into_iter()
        .map(|(a, b)| {
            // Trailing ASC/DESC and COLLATE come from index_xinfo; keep only the expression.
            let mut end = b;
            if end > a && (toks.is_kw(end - 1, "ASC") || toks.is_kw(end - 1, "DESC")) {
                end -= 1;
            }
            if end >= a + 2 && toks.is_kw(end - 2, "COLLATE") {
                end -= 2;
            }
            toks.text(a, end)
        })
        .collect();
    let predicate = (close + 1..toks.len()).find(|&i| toks.is_kw(i, "WHERE")).map(|w| toks.text(w + 1, toks.len()));
    Some(IndexScan { parts, predicate })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_checks_collations_generated_and_deferrable() {
        let scan = scan_create_table(
            "CREATE TABLE t (\n id INTEGER PRIMARY KEY AUTOINCREMENT,\n name TEXT COLLATE nocase CHECK (length(name) > 0),\n \
             total REAL AS (price * qty) STORED, price REAL, qty INT,\n parent INT REFERENCES t(id) DEFERRABLE INITIALLY DEFERRED,\n \
             CONSTRAINT positive CHECK (qty >= 0 AND note <> 'it''s'),\n FOREIGN KEY (qty) REFERENCES q(id) DEFERRABLE\n)",
        )
        .expect("scan");
        assert!(scan.autoincrement);
        assert_eq!(scan.columns[1].collation.as_deref(), Some("NOCASE"));
        let generated = scan.columns[2].generated.as_ref().expect("generated");
        assert_eq!(generated.expr, "price * qty");
        assert!(generated.stored);
        assert_eq!(scan.checks.len(), 2);
        assert_eq!(scan.checks[0].column.as_deref(), Some("name"));
        assert_eq!(scan.checks[0].expr, "length(name) > 0");
        assert_eq!(scan.checks[1].name.as_deref(), Some("positive"));
        assert_eq!(scan.checks[1].expr, "qty >= 0 AND note <> 'it''s'");
        let named = scan_create_table("CREATE TABLE t (a INT, b TEXT, CONSTRAINT \"t_a_b_uniq\" UNIQUE (\"a\", b), UNIQUE (b), CONSTRAINT x UNIQUE (a COLLATE NOCASE))").expect("scan");
        assert_eq!(named.named_uniques, vec![("t_a_b_uniq".to_string(), vec!["a".to_string(), "b".to_string()])], "named, plain columns only");
        assert_eq!(scan.deferrable_fks, vec![(vec!["parent".to_string()], true), (vec!["qty".to_string()], false)]);
    }

    #[test]
    fn plain_table_has_nothing_extra() {
        let scan = scan_create_table("CREATE TABLE [Order Details] ([OrderID] INTEGER NOT NULL, x \"double precision\")").expect("scan");
        assert!(!scan.autoincrement);
        assert!(scan.checks.is_empty());
        assert!(scan.deferrable_fks.is_empty());
        assert_eq!(scan.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["OrderID", "x"]);
    }

    #[test]
    fn index_parts_and_predicate() {
        let scan = scan_create_index("CREATE INDEX i ON t (lower(name) COLLATE NOCASE DESC, id) WHERE deleted = 0 AND x IS NOT NULL").expect("scan");
        assert_eq!(scan.parts, ["lower(name)", "id"]);
        assert_eq!(scan.predicate.as_deref(), Some("deleted = 0 AND x IS NOT NULL"));
        let plain = scan_create_index("CREATE UNIQUE INDEX u ON t(a)").expect("scan");
        assert_eq!(plain.predicate, None);
    }
}

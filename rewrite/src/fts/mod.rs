//! Translate SQLite full-text `MATCH` queries (FTS5, FTS3/4) into PostgreSQL `tsquery`.
//!
//! Takes a query string as an application passes it to `... WHERE t MATCH ?` and an
//! [`FtsQuerySpec`] saying how the FTS table was converted (its columns, each given the
//! `setweight` letter A, B, C, D in declaration order, columns beyond the fourth sharing D,
//! and the text search configuration of its `tsvector`). Gives a [`Translated`]: the text
//! for `to_tsquery(config, $1)`, a complete SQL expression, and whether the translation is
//! exact. It must not stem or otherwise normalise words beyond lower-casing and splitting
//! them the way SQLite's tokenizer does: PostgreSQL's configuration stems them.
//!
//! The parsers follow SQLite's own (3.51) closely, including its quirks: FTS5's implicit AND
//! binds tighter than NOT, and only joins phrases (`a (b)` is a syntax error there); FTS3's
//! standard syntax gives OR a higher precedence than AND and makes `-term` a NOT.
//!
//! Mapping:
//! - terms `a b` -> `'a' & 'b'`; `OR` -> `|`; `a NOT b` -> `'a' & !'b'`;
//! - a phrase (`"a b"`, `a + b`, and any word the tokenizer splits, `a_b`) -> `'a' <-> 'b'`;
//! - prefix `abc*` -> `'abc':*`;
//! - column filters -> weights (`title: a` -> `'a':A`, `{title body}: a` -> `'a':AB`).
//!   A filter naming every column carries no weight;
//! - because `tsvector` concatenation numbers positions on from one column into the next,
//!   a phrase or NEAR on a table of several columns is repeated per weight
//!   (`('a':A <-> 'b':A | 'a':B <-> 'b':B)`), so it cannot match across a column boundary,
//!   as in SQLite;
//! - `NEAR(p q, N)` (FTS5) and `p NEAR/N q` (FTS3/4) on two phrases -> every relative
//!   placement SQLite accepts, written out with `<k>` (overlaps with `<0>`): exact.
//!
//! Approximate (the result matches a superset; [`Translated::approximate`] is set and a
//! note says why): `^` (initial token: tsquery has no absolute positions, the `^` is
//! dropped); NEAR groups of three or more phrases (each pair must be near, but not
//! necessarily through the same occurrences) and NEAR distances above [`MAX_NEAR`]
//! (plain AND); column filters and phrases on columns that share weight D with columns
//! outside the filter; words with non-ASCII characters (unicode61 removes diacritics and
//! FTS3's `simple` tokenizer neither folds nor splits non-ASCII text, PostgreSQL's parser
//! may do otherwise). With a configuration other than `simple`, PostgreSQL's stemmer and
//! stop words apply in place of SQLite's porter stemmer: a note says so.
//!
//! Refused (an [`FtsQueryError`] saying why): what SQLite itself rejects (unbalanced
//! quotes or parentheses, a missing operand, a column filter naming no column of the
//! table, `NEAR` distances that are no integer), and FTS5's special queries (`*reads`...).
//! The MATCH is taken as `table MATCH ?` (all columns), never `column MATCH ?`.
//!
//! ```
//! use sqlite2pg_rewrite::fts::{FtsDialect, FtsQuerySpec, translate_match};
//! let spec = FtsQuerySpec::new(["title", "body"], "simple", FtsDialect::Fts5);
//! let t = translate_match("title: rust* OR body: (sqlite NOT mysql)", &spec).unwrap();
//! assert_eq!(t.tsquery, "'rust':*A | 'sqlite':B & !'mysql':B");
//! assert_eq!(t.sql, "to_tsquery('simple', '''rust'':*A | ''sqlite'':B & !''mysql'':B')");
//! assert!(!t.approximate);
//! ```

mod fts3;
mod fts5;
mod lower;
mod tokenize;

use std::collections::BTreeSet;

/// NEAR distances above this are translated as a plain AND (approximate): the exact form
/// lists every placement and would grow with the distance.
pub const MAX_NEAR: u32 = 50;

/// Which SQLite full-text module (and so which query syntax) the table used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FtsDialect {
    /// FTS5 (<https://www.sqlite.org/fts5.html>, section 3).
    #[default]
    Fts5,
    /// FTS3/FTS4, standard query syntax: implicit AND, `OR`, `-term`, `"phrases"`, `*`,
    /// `col:term`, `NEAR/N`; OR binds tighter than AND; no parentheses.
    Fts34,
    /// FTS3/FTS4, enhanced query syntax (SQLite built with
    /// `SQLITE_ENABLE_FTS3_PARENTHESIS`, as rusqlite's bundled SQLite and Debian's are):
    /// `AND`, `OR`, `NOT` (binary) and parentheses; `-` is no operator.
    Fts34Enhanced,
}

/// How the FTS table was converted: what the translation needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FtsQuerySpec {
    /// Column names of the FTS table in declaration order; column i got setweight letter
    /// A, B, C, D for i = 0..3 (columns beyond the 4th share D). Empty: columns unknown,
    /// every column filter is refused.
    pub columns: Vec<String>,
    /// The PostgreSQL text search configuration used for the tsvector (`simple` for
    /// unicode61, `english` for porter).
    pub config: String,
    /// The query syntax.
    pub dialect: FtsDialect,
}

impl FtsQuerySpec {
    /// A spec from column names, configuration and dialect.
    pub fn new<I, S>(columns: I, config: &str, dialect: FtsDialect) -> FtsQuerySpec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        FtsQuerySpec { columns: columns.into_iter().map(Into::into).collect(), config: config.to_string(), dialect }
    }
}

/// A translated query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// Text for `to_tsquery(config, $1)`; empty when the query matches no row in SQLite.
    pub tsquery: String,
    /// A complete PostgreSQL expression of type tsquery: `to_tsquery('simple', '...')`.
    pub sql: String,
    /// True when the PostgreSQL query may match rows SQLite's would not (see the notes).
    pub approximate: bool,
    /// Human-readable notes on what is approximate or differs, in first-seen order.
    pub notes: Vec<String>,
}

/// Why a MATCH query cannot be translated.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FtsQueryError {
    /// SQLite itself rejects the query.
    #[error("syntax error in full-text query `{query}` at byte {offset}: {message}")]
    Syntax {
        /// The query as given.
        query: String,
        /// Byte offset of the problem in the query.
        offset: usize,
        /// What is wrong.
        message: String,
    },
    /// A column filter names a column the table does not have.
    #[error("full-text query `{query}`: no such column `{column}` (the table has: {})", .columns.join(", "))]
    NoSuchColumn {
        /// The query as given.
        query: String,
        /// The name in the filter.
        column: String,
        /// The table's columns.
        columns: Vec<String>,
    },
    /// A construct with no PostgreSQL equivalent.
    #[error("full-text query `{query}`: {construct}: {reason}")]
    Unsupported {
        /// The query as given.
        query: String,
        /// The construct.
        construct: String,
        /// Why it cannot be translated.
        reason: String,
    },
}

/// Translate one MATCH query (`table MATCH query`) for a table converted as `spec` says.
pub fn translate_match(query: &str, spec: &FtsQuerySpec) -> Result<Translated, FtsQueryError> {
    let node = match spec.dialect {
        FtsDialect::Fts5 => fts5::parse(query, &spec.columns),
        FtsDialect::Fts34 => fts3::parse(query, &spec.columns, false),
        FtsDialect::Fts34Enhanced => fts3::parse(query, &spec.columns, true),
    }
    .map_err(|e| e.with_query(query))?;
    let mut out = lower::lower(&node, spec);
    if spec.config != "simple" && !out.tsquery.is_empty() {
        out.notes.push(format!(
            "words are stemmed and stop words dropped by PostgreSQL's `{}` configuration, which may differ from SQLite's tokenizer (e.g. porter)",
            spec.config
        ));
    }
    out.sql = if out.tsquery.is_empty() {
        out.notes.push("the query matches no row in SQLite (it has no words); the empty tsquery matches none either".to_string());
        "''::tsquery".to_string()
    } else {
        format!("to_tsquery({}, {})", sql_literal(&spec.config), sql_literal(&out.tsquery))
    };
    Ok(out)
}

/// A SQL string literal, safe whatever `standard_conforming_strings` says.
fn sql_literal(s: &str) -> String {
    let doubled = s.replace('\'', "''");
    if s.contains('\\') { format!("E'{}'", doubled.replace('\\', "\\\\")) } else { format!("'{doubled}'") }
}

/// An error from a parser, before the query text is attached.
#[derive(Debug)]
pub(crate) enum ParseError {
    Syntax { offset: usize, message: String },
    NoSuchColumn { column: String, columns: Vec<String> },
    Unsupported { construct: String, reason: String },
}

impl ParseError {
    pub(crate) fn syntax(offset: usize, message: impl Into<String>) -> ParseError {
        ParseError::Syntax { offset, message: message.into() }
    }

    fn with_query(self, query: &str) -> FtsQueryError {
        let query = query.to_string();
        match self {
            ParseError::Syntax { offset, message } => FtsQueryError::Syntax { query, offset, message },
            ParseError::NoSuchColumn { column, columns } => FtsQueryError::NoSuchColumn { query, column, columns },
            ParseError::Unsupported { construct, reason } => FtsQueryError::Unsupported { query, construct, reason },
        }
    }
}

/// One token of a phrase, as the tokenizer gives it (lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Term {
    pub text: String,
    /// `abc*`.
    pub prefix: bool,
    /// `^abc`: must be the first token of its column.
    pub first: bool,
}

/// A phrase: tokens at consecutive positions, in a set of columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phrase {
    pub terms: Vec<Term>,
    /// The columns it may match in; `None`: all.
    pub cols: Option<BTreeSet<usize>>,
}

/// The parsed query, common to both syntaxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// Matches no row (an empty phrase, an empty column set).
    Nothing,
    Phrase(Phrase),
    /// Phrases near each other: `links` are (i, j, distance) pairs that must each hold.
    Near { phrases: Vec<Phrase>, links: Vec<(usize, usize, u32)>, rule: NearRule },
    And(Vec<Node>),
    Or(Vec<Node>),
    /// Left and not right.
    Not(Box<Node>, Box<Node>),
}

/// How SQLite measures NEAR between two phrases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NearRule {
    /// FTS5: at most N tokens between the first phrase's end and the last one's start.
    Fts5,
    /// FTS3/4: the same, and the two phrases may not end at the same position.
    Fts3,
}

/// Apply a column filter to every phrase under `node` (filters nest by intersection).
pub(crate) fn restrict(node: &mut Node, cols: &BTreeSet<usize>) {
    let narrow = |p: &mut Phrase| {
        p.cols = Some(match &p.cols {
            None => cols.clone(),
            Some(have) => have.intersection(cols).copied().collect(),
        });
    };
    match node {
        Node::Nothing => {}
        Node::Phrase(p) => narrow(p),
        Node::Near { phrases, .. } => phrases.iter_mut().for_each(narrow),
        Node::And(v) | Node::Or(v) => v.iter_mut().for_each(|n| restrict(n, cols)),
        Node::Not(a, b) => {
            restrict(a, cols);
            restrict(b, cols);
        }
    }
}

/// The index of `name` among `columns` (case-insensitive, as SQLite compares them).
pub(crate) fn column_index(name: &str, columns: &[String]) -> Result<usize, ParseError> {
    columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name))
        .ok_or_else(|| ParseError::NoSuchColumn { column: name.to_string(), columns: columns.to_vec() })
}

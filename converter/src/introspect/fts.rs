//! FTS3/FTS4/FTS5 virtual tables: their module arguments, parsed.
//!
//! sqlparser cannot parse these (`content='t'`, `UNINDEXED`, `tokenize=...` are not SQL), so
//! this is a small parser of its own over sqlparser's tokens. It also names each table's shadow
//! tables, which hold the index's internals and are never user tables.

use serde::Serialize;
use sqlparser::tokenizer::Token;

use super::ddl_scan::{Toks, is_kw, name_of};

/// The FTS module version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FtsVersion {
    /// `fts3`
    Fts3,
    /// `fts4`
    Fts4,
    /// `fts5`
    Fts5,
}

impl FtsVersion {
    /// From a module name (`fts5`, `FTS4`, ...).
    pub fn from_module(module: &str) -> Option<FtsVersion> {
        match module.to_ascii_lowercase().as_str() {
            "fts3" => Some(FtsVersion::Fts3),
            "fts4" => Some(FtsVersion::Fts4),
            "fts5" => Some(FtsVersion::Fts5),
            _ => None,
        }
    }

    /// Suffixes of the shadow tables this module creates.
    pub fn shadow_suffixes(self) -> &'static [&'static str] {
        match self {
            FtsVersion::Fts5 => &["_data", "_idx", "_content", "_docsize", "_config"],
            FtsVersion::Fts3 | FtsVersion::Fts4 => &["_content", "_segments", "_segdir", "_docsize", "_stat"],
        }
    }
}

/// Where an FTS table's text lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FtsContent {
    /// The FTS table stores its own copy of the text.
    Internal,
    /// External content: the text lives in another table (`content='t'`).
    External {
        /// The content table.
        table: String,
        /// The content table's key column (`content_rowid`, default `rowid`).
        rowid_column: String,
    },
    /// `content=''`: only the index is stored; the text cannot be recovered.
    Contentless,
}

/// One column of an FTS table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FtsColumn {
    /// Column name.
    pub name: String,
    /// Whether the column is indexed (false for `UNINDEXED` / `notindexed=`).
    pub indexed: bool,
}

/// An FTS virtual table.
#[derive(Debug, Clone, Serialize)]
pub struct FtsTable {
    /// Table name.
    pub name: String,
    /// Module version.
    pub version: FtsVersion,
    /// Columns in declaration order.
    pub columns: Vec<FtsColumn>,
    /// Where the text lives.
    pub content: FtsContent,
    /// The `tokenize` argument, unquoted (`porter unicode61 remove_diacritics 1`).
    pub tokenize: Option<String>,
    /// The `prefix` argument.
    pub prefix: Option<String>,
    /// Every other `key=value` option, in order.
    pub options: Vec<(String, String)>,
    /// Shadow tables present in the database.
    pub shadow_tables: Vec<String>,
    /// The `CREATE VIRTUAL TABLE` statement.
    pub sql: String,
}

/// `(module name, raw argument texts)` of a `CREATE VIRTUAL TABLE ... USING module(args)`.
pub fn module_and_args(sql: &str) -> Option<(String, Vec<String>)> {
    let toks = Toks::new(sql)?;
    let using = (0..toks.len()).find(|&i| toks.get(i).is_some_and(|t| is_kw(t, "USING")))?;
    let module = toks.get(using + 1).and_then(name_of)?;
    let args = match toks.get(using + 2) {
        Some(Token::LParen) => {
            let close = toks.close_of(using + 2)?;
            toks.split(using + 3, close).into_iter().map(|(a, b)| toks.text(a, b)).filter(|a| !a.is_empty()).collect()
        }
        _ => Vec::new(),
    };
    Some((module, args))
}

/// Parse an FTS table's `CREATE VIRTUAL TABLE` statement. `None` when it is not FTS3/4/5.
pub fn parse(name: &str, sql: &str) -> Option<FtsTable> {
    let (module, args) = module_and_args(sql)?;
    let version = FtsVersion::from_module(&module)?;
    let mut table = FtsTable {
        name: name.to_string(),
        version,
        columns: Vec::new(),
        content: FtsContent::Internal,
        tokenize: None,
        prefix: None,
        options: Vec::new(),
        shadow_tables: Vec::new(),
        sql: sql.to_string(),
    };
    let mut content_table = None;
    let mut content_rowid = None;
    let mut not_indexed = Vec::new();
    for arg in &args {
        let Some(toks) = Toks::new(arg) else { continue };
        let is_option = matches!(toks.get(1), Some(Token::Eq));
        if is_option {
            let key = toks.get(0).and_then(name_of).unwrap_or_default().to_ascii_lowercase();
            let value = option_value(&toks);
            match key.as_str() {
                "content" => content_table = Some(value),
                "content_rowid" => content_rowid = Some(value),
                "tokenize" => table.tokenize = Some(value),
                "prefix" => table.prefix = Some(value),
                "notindexed" => not_indexed.push(value),
                _ => table.options.push((key, value)),
            }
        } else if let Some(column) = toks.get(0).and_then(name_of) {
            // FTS3/4 tokenize may also be written without `=`: `tokenize porter`.
            if version != FtsVersion::Fts5 && column.eq_ignore_ascii_case("tokenize") {
                table.tokenize = Some(toks.text(1, toks.len()));
                continue;
            }
            let unindexed = (1..toks.len()).any(|i| toks.get(i).is_some_and(|t| is_kw(t, "UNINDEXED")));
            table.columns.push(FtsColumn { name: column, indexed: !unindexed });
        }
    }
    for column in &mut table.columns {
        if not_indexed.iter().any(|n| n.eq_ignore_ascii_case(&column.name)) {
            column.indexed = false;
        }
    }
    table.content = match content_table {
        Some(t) if t.is_empty() => FtsContent::Contentless,
        Some(t) => FtsContent::External { table: t, rowid_column: content_rowid.unwrap_or_else(|| "rowid".to_string()) },
        None => FtsContent::Internal,
    };
    Some(table)
}

/// The value of `key = value`: a string, identifier or bare words, unquoted.
fn option_value(toks: &Toks) -> String {
    if toks.len() == 3
        && let Some(t) = toks.get(2) {
            match t {
                Token::SingleQuotedString(s) => return s.replace("''", "'"),
                Token::Word(w) => return w.value.clone(),
                Token::Number(n, _) => return n.clone(),
                _ => {}
            }
        }
    toks.text(2, toks.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_external_content() {
        let t = parse(
            "messages_fts",
            "CREATE VIRTUAL TABLE messages_fts USING fts5(body, subject UNINDEXED, content='messages', content_rowid='id', tokenize = 'porter unicode61 remove_diacritics 1', prefix='2 3')",
        )
        .expect("fts");
        assert_eq!(t.version, FtsVersion::Fts5);
        assert_eq!(t.columns, vec![FtsColumn { name: "body".into(), indexed: true }, FtsColumn { name: "subject".into(), indexed: false }]);
        assert_eq!(t.content, FtsContent::External { table: "messages".into(), rowid_column: "id".into() });
        assert_eq!(t.tokenize.as_deref(), Some("porter unicode61 remove_diacritics 1"));
        assert_eq!(t.prefix.as_deref(), Some("2 3"));
    }

    #[test]
    fn datasette_style_and_contentless() {
        let t = parse("searchable_fts", "CREATE VIRTUAL TABLE \"searchable_fts\" USING FTS5 (\"text1\", \"text2\", [name with . and spaces], content=\"searchable\")").expect("fts");
        assert_eq!(t.columns.len(), 3);
        assert_eq!(t.columns[2].name, "name with . and spaces");
        assert_eq!(t.content, FtsContent::External { table: "searchable".into(), rowid_column: "rowid".into() });
        let c = parse("c", "CREATE VIRTUAL TABLE c USING fts5(a, content='')").expect("fts");
        assert_eq!(c.content, FtsContent::Contentless);
    }

    #[test]
    fn fts4_options() {
        let t = parse("f", "CREATE VIRTUAL TABLE f USING fts4(title, body, notindexed=body, tokenize=unicode61 \"remove_diacritics=2\", matchinfo=fts3, compress=zip, uncompress=unzip)").expect("fts");
        assert_eq!(t.version, FtsVersion::Fts4);
        assert!(!t.columns[1].indexed);
        assert_eq!(t.tokenize.as_deref(), Some("unicode61 \"remove_diacritics=2\""));
        assert_eq!(t.options, vec![("matchinfo".into(), "fts3".into()), ("compress".into(), "zip".into()), ("uncompress".into(), "unzip".into())]);
        assert!(parse("r", "CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx)").is_none());
    }
}

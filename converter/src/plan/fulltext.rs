//! FTS3/4/5 tables become PostgreSQL full-text search: a stored generated tsvector column,
//! weighted by FTS column order (A, B, C, then D), and a GIN index on it.
//!
//! External-content tables (`content='t'`) put the column on `t`; tables holding their own
//! text become a real table with that text plus the column; contentless tables cannot be
//! recovered and are reported. The tokenizer picks the text search configuration: unicode61
//! -> `simple` (with unaccent when diacritics were removed and the extension is available),
//! porter -> `english`, trigram -> a pg_trgm GIN index.

use super::{Finding, FullTextPlan, Grade, IndexPlan, TablePlan};
use crate::ident::{fit, literal, quote};
use crate::introspect::fts::{FtsContent, FtsTable, FtsVersion};
use crate::introspect::{SourceColumn, SourceTable};
use crate::mapping::{ColumnDecision, PgType, Rule};
use crate::plan::ColumnPlan;

/// What the tokenizer asks of PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenizerChoice {
    /// Text search configuration name.
    pub config: String,
    /// The statement creating it, when it is one of ours.
    pub setup: Option<String>,
    /// Index trigrams instead.
    pub trigram: bool,
    /// Something a human should know.
    pub warning: Option<String>,
}

/// Read the `tokenize` argument.
pub(crate) fn tokenizer(fts: &FtsTable) -> TokenizerChoice {
    let spec = fts.tokenize.clone().unwrap_or_default();
    let words: Vec<String> = spec.split(|c: char| c.is_whitespace() || c == '=').map(|w| w.trim_matches(['"', '\'']).to_ascii_lowercase()).filter(|w| !w.is_empty()).collect();
    let default_base = if fts.version == FtsVersion::Fts5 { "unicode61" } else { "simple" };
    let mut rest = words.as_slice();
    let stem = rest.first().is_some_and(|w| w == "porter");
    if stem {
        rest = &rest[1..];
    }
    let base = rest.first().map(String::as_str).unwrap_or(if stem && fts.version != FtsVersion::Fts5 { "simple" } else { default_base });
    let remove_diacritics = base == "unicode61" && !words.windows(2).any(|w| w[0] == "remove_diacritics" && w[1] == "0");
    let mut warning = None;
    match base {
        "trigram" => return TokenizerChoice { config: "simple".into(), setup: Some(crate::ddl::create_extension_sql("pg_trgm")), trigram: true, warning: None },
        "unicode61" | "ascii" | "simple" | "porter" => {}
        other => warning = Some(format!("tokenizer {other} has no PostgreSQL counterpart: the simple configuration is used")),
    }
    let (config, copy_of, stemmer) = match (stem, remove_diacritics) {
        (true, true) => ("sqlite_porter", "english", "english_stem"),
        (true, false) => return TokenizerChoice { config: "english".into(), setup: None, trigram: false, warning },
        (false, true) => ("sqlite_unicode61", "simple", "simple"),
        (false, false) => return TokenizerChoice { config: "simple".into(), setup: None, trigram: false, warning },
    };
    TokenizerChoice { config: config.into(), setup: Some(config_sql(config, copy_of, stemmer)), trigram: false, warning }
}

/// A configuration like `copy_of` that also strips diacritics when unaccent can be had.
fn config_sql(name: &str, copy_of: &str, stemmer: &str) -> String {
    format!(
        "DO $$
DECLARE dict text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}' AND cfgnamespace = current_schema()::regnamespace) THEN
        CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{copy_of});
        IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent') THEN
            IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'unaccent') THEN
                CREATE EXTENSION unaccent;
                COMMENT ON EXTENSION unaccent IS '{mark}';
            END IF;
            SELECT quote_ident(n.nspname) || '.unaccent' INTO dict FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace WHERE d.dictname = 'unaccent';
            EXECUTE format('ALTER TEXT SEARCH CONFIGURATION {name} ALTER MAPPING FOR hword, hword_part, word WITH %s, {stemmer}', dict);
        ELSE
            RAISE NOTICE 'sqlite2pg: the unaccent extension is not available; {name} keeps diacritics';
        END IF;
    END IF;
END $$;",
        mark = crate::ddl::EXTENSION_MARK
    )
}

/// FTS4 `compress=`/`uncompress=`: the text is stored through application functions that are
/// not in this process, so it cannot be read.
pub(crate) fn compressed(fts: &FtsTable) -> bool {
    fts.options.iter().any(|(k, _)| k == "compress" || k == "uncompress")
}

/// The real table an FTS table holding its own text becomes: its rowid and its columns, text.
pub(crate) fn own_content_table(fts: &FtsTable) -> SourceTable {
    let mut columns = vec![SourceColumn { name: "rowid".into(), declared_type: "INTEGER".into(), not_null: true, default_sql: None, pk_position: 1, generated: None, collation: None }];
    columns.extend(fts.columns.iter().map(|c| SourceColumn { name: c.name.clone(), declared_type: "TEXT".into(), not_null: false, default_sql: None, pk_position: 0, generated: None, collation: None }));
    SourceTable {
        name: fts.name.clone(),
        sql: fts.sql.clone(),
        columns,
        primary_key: vec!["rowid".into()],
        rowid_alias: Some("rowid".into()),
        autoincrement: false,
        without_rowid: false,
        strict: false,
        foreign_keys: Vec::new(),
        indexes: Vec::new(),
        checks: Vec::new(),
    }
}

/// FTS columns are text whatever they hold: the index reads them as text.
pub(crate) fn force_text(table: &mut TablePlan) {
    for c in table.columns.iter_mut().filter(|c| !c.identity) {
        c.pg_type = PgType::Text;
        c.decision = ColumnDecision::new(PgType::Text, Rule::Text, "FTS column: text");
        c.nullable = true;
    }
}

fn finding(grade: Grade, object: String, message: String) -> Finding {
    Finding { grade, object, message }
}

/// Add the tsvector columns and GIN indexes for every FTS table.
pub(crate) fn plan_full_text(
    fts_tables: &[FtsTable],
    tables: &mut [TablePlan],
    indexes: &mut Vec<IndexPlan>,
    setup: &mut Vec<String>,
    out: &mut Vec<FullTextPlan>,
    findings: &mut Vec<Finding>,
) {
    for fts in fts_tables {
        let object = format!("FTS table \"{}\"", fts.name);
        let module = format!("{:?}", fts.version).to_ascii_lowercase();
        if compressed(fts) && fts.content == FtsContent::Internal {
            findings.push(finding(Grade::NeedsAttention, object, format!("{module} table with compress/uncompress: its text is stored through the application's own functions, which this tool cannot call; left out")));
            continue;
        }
        if let Some((_, value)) = fts.options.iter().find(|(k, _)| k == "matchinfo") {
            findings.push(finding(Grade::Info, object.clone(), format!("matchinfo={value} concerns SQLite's ranking helpers only; PostgreSQL ranks with ts_rank")));
        }
        let content_name = match &fts.content {
            FtsContent::Contentless => {
                findings.push(finding(Grade::NeedsAttention, object, format!("contentless {module} table: only an index is stored, the text cannot be recovered; left out")));
                continue;
            }
            FtsContent::External { table, .. } => table.clone(),
            FtsContent::Internal => fts.name.clone(),
        };
        let Some(table) = tables.iter_mut().find(|t| t.source_name.eq_ignore_ascii_case(&content_name)) else {
            findings.push(finding(Grade::NeedsAttention, object, format!("its content table \"{content_name}\" does not exist; left out")));
            continue;
        };
        let choice = tokenizer(fts);
        if let Some(w) = &choice.warning {
            findings.push(finding(Grade::Warning, object.clone(), w.clone()));
        }
        let mut weighted = Vec::new();
        let mut missing = Vec::new();
        for (i, c) in fts.columns.iter().enumerate() {
            if !c.indexed {
                continue;
            }
            match table.columns.iter().find(|x| x.source_name.eq_ignore_ascii_case(&c.name)) {
                Some(col) => weighted.push((col.name.clone(), ['A', 'B', 'C', 'D'][i.min(3)])),
                None => missing.push(c.name.clone()),
            }
        }
        if !missing.is_empty() || weighted.is_empty() {
            findings.push(finding(Grade::NeedsAttention, object, format!("indexed columns {missing:?} are not in \"{content_name}\"; left out")));
            continue;
        }
        if let Some(sql) = &choice.setup
            && !setup.contains(sql) {
                setup.push(sql.clone());
            }
        let table_name = table.name.clone();
        if choice.trigram {
            for (col, _) in &weighted {
                indexes.push(IndexPlan {
                    name: fit(&format!("{table_name}_{col}_trgm")),
                    source_name: fts.name.clone(),
                    table: table_name.clone(),
                    unique: false,
                    parts: vec![format!("{} gin_trgm_ops", quote(col))],
                    predicate: None,
                    method: Some("gin".into()),
                });
            }
            findings.push(finding(Grade::Info, object, format!("trigram {module} index -> pg_trgm GIN indexes on \"{table_name}\" ({}); LIKE/ILIKE and similarity queries use them", weighted.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>().join(", "))));
            out.push(FullTextPlan { source_name: fts.name.clone(), table: table_name, column: None, config: choice.config, weighted_columns: weighted, trigram: true, module: fts.version });
            continue;
        }
        let mut column = fit(&fts.name);
        if table.columns.iter().any(|c| c.name == column) && content_name != fts.name {
            column = fit(&format!("{}_tsv", fts.name));
        }
        let expr = weighted
            .iter()
            .map(|(col, w)| format!("setweight(to_tsvector({}, coalesce({}::text, '')), '{w}')", literal(&choice.config), quote(col)))
            .collect::<Vec<_>>()
            .join(" || ");
        let reason = format!("{module} table \"{}\" (tokenizer {}) -> tsvector, config {}", fts.name, fts.tokenize.as_deref().unwrap_or("default"), choice.config);
        table.columns.push(ColumnPlan {
            source_name: fts.name.clone(),
            name: column.clone(),
            declared_type: String::new(),
            pg_type: PgType::TsVector,
            nullable: true,
            identity: false,
            key_style: Default::default(),
            default: None,
            generated: Some(expr),
            collation: None,
            decision: ColumnDecision::new(PgType::TsVector, Rule::FullText, reason),
            violations: None,
        });
        indexes.push(IndexPlan {
            name: fit(&format!("{table_name}_{column}_idx")),
            source_name: fts.name.clone(),
            table: table_name.clone(),
            unique: false,
            parts: vec![quote(&column)],
            predicate: None,
            method: Some("gin".into()),
        });
        let what = match &fts.content {
            FtsContent::External { .. } => format!("index over \"{content_name}\" -> tsvector column \"{table_name}\".\"{column}\""),
            _ => format!("table holding its own text -> table \"{table_name}\" with its text and tsvector column \"{column}\""),
        };
        let mut message = format!("{module} {what} (config {}, weights {}) + GIN index; the FTS table, its shadow tables and sync triggers are not created", choice.config, weighted.iter().map(|(c, w)| format!("{c}={w}")).collect::<Vec<_>>().join(" "));
        if let Some(prefix) = &fts.prefix {
            message.push_str(&format!("; prefix='{prefix}' needs no counterpart: tsquery prefixes (word:*) use the GIN index"));
        }
        findings.push(finding(Grade::Info, object, message));
        out.push(FullTextPlan { source_name: fts.name.clone(), table: table_name, column: Some(column), config: choice.config, weighted_columns: weighted, trigram: false, module: fts.version });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::introspect::fts::parse;

    fn config(sql: &str) -> (String, bool) {
        let t = tokenizer(&parse("f", sql).expect("fts"));
        (t.config, t.trigram)
    }

    #[test]
    fn tokenizers_pick_configurations() {
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts5(a)"), ("sqlite_unicode61".into(), false));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='porter unicode61')"), ("sqlite_porter".into(), false));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='unicode61 remove_diacritics 0')"), ("simple".into(), false));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='porter unicode61 remove_diacritics 0')"), ("english".into(), false));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='trigram')"), ("simple".into(), true));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts4(a)"), ("simple".into(), false));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts4(a, tokenize=porter)"), ("english".into(), false));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts4(a, tokenize=unicode61 \"remove_diacritics=0\")"), ("simple".into(), false));
        assert_eq!(config("CREATE VIRTUAL TABLE f USING fts4(a, tokenize=unicode61)"), ("sqlite_unicode61".into(), false));
        let icu = tokenizer(&parse("f", "CREATE VIRTUAL TABLE f USING fts4(a, tokenize=icu en_US)").expect("fts"));
        assert!(icu.warning.is_some_and(|w| w.contains("icu")));
    }
}

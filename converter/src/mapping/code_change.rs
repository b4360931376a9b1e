//! What the application's code must change for a column whose PostgreSQL type returns another
//! kind of value than SQLite did: what the drivers return now (psycopg, node-postgres, sqlx /
//! SeaORM), and which SQL stops working, with what to write instead. `inspect` lists them;
//! `--keep-value-kinds` plans so that there are none.

use serde::Serialize;

use super::{PgType, Rule};
use crate::plan::ColumnPlan;

/// One column's change, for the people who own the application's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeChange {
    /// What the drivers return now, against what SQLite's did.
    pub returns: String,
    /// SQL that stops working on the column, and what to write instead.
    pub sql: String,
}

/// The change a column's type makes for the application's code; `None` when its values read
/// back as the same kind (text, integers, reals, bytes).
pub fn code_change(c: &ColumnPlan) -> Option<CodeChange> {
    let col = c.name.as_str();
    let epoch = c.epoch().is_some();
    let change = |returns: String, sql: String| Some(CodeChange { returns, sql });
    match c.pg_type {
        PgType::Boolean => change(
            "bool (Python True/False, JavaScript true/false, Rust bool) where SQLite returned 0 and 1".into(),
            format!("`{col} = 1` and `{col} = 0` fail (boolean = integer): write `{col}` and `NOT {col}`; `sum({col})` fails: `count(*) FILTER (WHERE {col})`; inserting 0/1 from code needs false/true"),
        ),
        PgType::Json | PgType::Jsonb => {
            let reorders = if c.pg_type == PgType::Jsonb { "; jsonb keeps no key order, spacing or duplicate keys, so the text read back is not the text stored" } else { "" };
            change(
                format!("parsed JSON (a dict or list in psycopg, an object in node-postgres, serde_json::Value in sqlx) where SQLite returned text: code that parses it again breaks{reorders}"),
                format!("`json_extract({col}, '$.a')` becomes `{col} ->> 'a'` (`{col} #>> '{{a,b}}'` for a path); `=`, LIKE and `length()` on it need `{col}::text`"),
            )
        }
        PgType::Date | PgType::Time | PgType::Timestamp | PgType::TimestampTz => {
            let was = if epoch { "epoch numbers" } else { "ISO-8601 text" };
            let kind = match c.pg_type {
                PgType::Date => "date",
                PgType::Time => "time",
                PgType::TimestampTz => "timezone-aware datetime",
                _ => "naive datetime",
            };
            change(
                format!("a {kind} (Python's datetime types in psycopg, Date in node-postgres, chrono in sqlx) where SQLite returned {was}"),
                if epoch {
                    format!("arithmetic in seconds (`{col} + 3600`) becomes interval arithmetic (`{col} + interval '1 hour'`); the number is `extract(epoch FROM {col})`")
                } else {
                    format!("`date({col})`, `datetime({col})` and `strftime(...)` become `{col}::date` and `to_char(...)`; `datetime('now')` becomes `now()`; `{col} LIKE '2024-%'` fails: compare with a range")
                },
            )
        }
        PgType::Uuid => change(
            "uuid.UUID in psycopg, Uuid in sqlx (a string in node-postgres) where SQLite returned text or 16 bytes".into(),
            format!("LIKE and `substr()` on it fail: `{col}::text`; a literal that is no UUID is an error, not a miss"),
        ),
        PgType::Numeric(_) => change(
            "Decimal in psycopg and sqlx, a string in node-postgres, where SQLite returned floats and integers".into(),
            "none: arithmetic and comparisons work; values keep their decimal places".into(),
        ),
        PgType::Citext => change(
            "the same text".into(),
            format!("comparisons ignore case, as COLLATE NOCASE did, when the other side is citext or an untyped literal; a parameter bound as text (sqlx, JDBC) compares case-sensitively: write `{col} = $1::citext`"),
        ),
        PgType::Interval => change(
            "timedelta in psycopg, an interval object in node-postgres, PgInterval in sqlx, where SQLite returned an integer count".into(),
            format!("arithmetic on the count becomes interval arithmetic; the count in microseconds is `extract(epoch FROM {col}) * 1000000`"),
        ),
        PgType::Inet => change(
            "ipaddress objects in plain psycopg (Django reads text), a string in node-postgres, where SQLite returned text".into(),
            format!("LIKE on it fails: `host({col})` or `{col}::text`"),
        ),
        PgType::Text | PgType::Varchar(_) if c.decision.rule == Rule::Widened => change(
            "text for every value, where SQLite returned numbers for those it held as numbers".into(),
            format!("arithmetic and numeric comparisons on it need a cast (`{col}::numeric`), which fails on the values that are not numbers"),
        ),
        PgType::Bytea if c.decision.rule == Rule::Widened => change(
            "bytes for every value, where SQLite returned text and numbers for some".into(),
            format!("text functions on it need `convert_from({col}, 'UTF8')`"),
        ),
        PgType::SmallInt | PgType::Integer | PgType::BigInt | PgType::Double | PgType::Text | PgType::Varchar(_) | PgType::Bytea | PgType::TsVector => None,
    }
}

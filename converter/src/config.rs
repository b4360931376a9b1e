//! `sqlite2pg.toml`: the user's overrides of the converter's decisions.
//!
//! ```toml
//! # Every file's tables, by SQLite table name, then column name.
//! [tables.users.columns.is_admin]
//! type = "boolean"
//!
//! [tables."Order Details".columns.UnitPrice]
//! type = "numeric(10,4)"
//! ```
//!
//! Copying into a schema the application made, `target` names a renamed table or column and
//! `skip = true` leaves one out:
//!
//! ```toml
//! [tables.users]
//! target = "accounts"
//!
//! [tables.users.columns.legacy_flags]
//! skip = true
//!
//! [tables.tasks.columns.timeout]
//! duration_unit = "seconds"
//! ```
//!
//! A name in the file that matches no table or column is an error, so a typo never passes
//! silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::mapping::PgType;

/// Parsed configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where it was read from (for error messages).
    pub path: Option<PathBuf>,
    /// Overrides by table name, then column name (names as in SQLite).
    pub tables: BTreeMap<String, TableConfig>,
    /// The zone the databases' date-times without a zone are in (`time_zone = "Europe/Berlin"`):
    /// they become `timestamptz` in it. UTC when absent, as SQLite's own date functions write.
    pub time_zone: Option<String>,
}

/// Overrides for one table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    /// Copying into an existing schema: the target table's name, when the application renamed it.
    pub target: Option<String>,
    /// Copying into an existing schema: leave this table out (its rows are not copied).
    #[serde(default)]
    pub skip: bool,
    /// By column name.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnConfig>,
}

/// Overrides for one column.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnConfig {
    /// The PostgreSQL type to use, as PostgreSQL spells it.
    #[serde(rename = "type")]
    pub pg_type: Option<String>,
    /// Copying into an existing schema: the target column's name, when the application renamed it.
    pub target: Option<String>,
    /// Copying into an existing schema: leave this column out (the target's default fills it).
    #[serde(default)]
    pub skip: bool,
    /// What integers in this column count when the target column is an `interval`
    /// (`microseconds`, the default and Django's, `milliseconds` or `seconds`).
    pub duration_unit: Option<sqlite2pg_value::DurationUnit>,
    /// The zone this column's date-times without a zone are in (overrides the file's).
    pub time_zone: Option<String>,
    /// The unit of the epoch numbers a date/time `type` is read from (`seconds`,
    /// `milliseconds`, `microseconds`): what `sqlite2pg pin` writes for an epoch decision.
    pub epoch: Option<sqlite2pg_value::EpochUnit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    tables: BTreeMap<String, TableConfig>,
    time_zone: Option<String>,
}

impl Config {
    /// Read and check a configuration file.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.into(), source })?;
        Config::parse(&text, Some(path))
    }

    /// Parse configuration text.
    pub fn parse(text: &str, path: Option<&Path>) -> Result<Config> {
        let err = |message: String| Error::Config { path: path.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("sqlite2pg.toml")), message };
        let raw: RawConfig = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let bad_zone = |zone: &str| sqlite2pg_value::NaiveZone::parse(zone).is_none();
        if let Some(zone) = raw.time_zone.as_deref().filter(|z| bad_zone(z)) {
            return Err(err(format!("time_zone: unknown zone \"{zone}\" (use UTC, an offset such as +02:00, or an IANA name such as Europe/Berlin)")));
        }
        for (table, t) in &raw.tables {
            for (column, c) in &t.columns {
                if let Some(zone) = c.time_zone.as_deref().filter(|z| bad_zone(z)) {
                    return Err(err(format!("table \"{table}\" column \"{column}\": unknown time_zone \"{zone}\" (use UTC, an offset such as +02:00, or an IANA name such as Europe/Berlin)")));
                }
                if let Some(ty) = &c.pg_type
                    && PgType::parse(ty).is_none() {
                        return Err(err(format!(
                            "table \"{table}\" column \"{column}\": unsupported type \"{ty}\" (use boolean, smallint, integer, bigint, double precision, numeric[(p,s)], text, citext, varchar(n), bytea, json, jsonb, date, time, timestamp, timestamptz, interval, inet or uuid)"
                        )));
                    }
            }
        }
        Ok(Config { path: path.map(Path::to_path_buf), tables: raw.tables, time_zone: raw.time_zone })
    }

    /// The type override for a column, matched as SQLite matches names (ASCII case-insensitively).
    pub fn column_type(&self, table: &str, column: &str) -> Option<PgType> {
        let t = self.tables.iter().find(|(name, _)| name.eq_ignore_ascii_case(table))?.1;
        let c = t.columns.iter().find(|(name, _)| name.eq_ignore_ascii_case(column))?.1;
        c.pg_type.as_deref().and_then(PgType::parse)
    }

    /// The epoch unit set for a column (see [`ColumnConfig::epoch`]).
    pub fn column_epoch(&self, table: &str, column: &str) -> Option<sqlite2pg_value::EpochUnit> {
        self.column(table, column).and_then(|c| c.epoch)
    }

    /// A table's settings, matched as SQLite matches names (ASCII case-insensitively).
    pub fn table(&self, table: &str) -> Option<&TableConfig> {
        self.tables.iter().find(|(name, _)| name.eq_ignore_ascii_case(table)).map(|(_, t)| t)
    }

    /// A column's settings, matched as SQLite matches names.
    pub fn column(&self, table: &str, column: &str) -> Option<&ColumnConfig> {
        self.table(table)?.columns.iter().find(|(name, _)| name.eq_ignore_ascii_case(column)).map(|(_, c)| c)
    }

    /// The zone a column's date-times without a zone are in: the column's own, else the file's,
    /// else UTC.
    pub fn naive_zone(&self, table: &str, column: &str) -> sqlite2pg_value::NaiveZone {
        self.column(table, column)
            .and_then(|c| c.time_zone.as_deref())
            .or(self.time_zone.as_deref())
            .and_then(sqlite2pg_value::NaiveZone::parse)
            .unwrap_or_default()
    }

    /// Every (table, column) the configuration names, to check against the schemas read.
    pub fn named_columns(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tables.iter().flat_map(|(t, tc)| tc.columns.keys().map(move |c| (t.as_str(), c.as_str())))
    }

    /// The error for a configuration entry that names nothing in the databases.
    pub fn unknown_name(&self, message: String) -> Error {
        Error::Config { path: self.path.clone().unwrap_or_else(|| PathBuf::from("sqlite2pg.toml")), message }
    }
}

/// `sqlite2pg pin`: the configuration text `existing` (empty for none) with every column's
/// current decision written in as its `type` (and `epoch`), so a team freezes the plan in review.
/// The rowid key and FTS columns are not pinned (no type decides them). Everything else in the
/// file, comments included, stays as it was; a column's type already set is overwritten.
pub fn pin(existing: &str, plan: &crate::plan::Plan) -> std::result::Result<String, String> {
    use toml_edit::{DocumentMut, Item, Table, value};
    let mut doc: DocumentMut = existing.parse().map_err(|e: toml_edit::TomlError| e.to_string())?;
    let tables = doc.entry("tables").or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    let tables = tables.as_table_mut().ok_or("`tables` is not a table")?;
    for t in plan.schemas.iter().flat_map(|s| &s.tables) {
        for c in t.columns.iter().filter(|c| !c.identity && c.generated.is_none() && c.pg_type != PgType::TsVector) {
            let table = tables.entry(&t.source_name).or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            });
            let columns = table.as_table_mut().ok_or_else(|| format!("tables.{} is not a table", t.source_name))?.entry("columns").or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            });
            let column = columns.as_table_mut().ok_or_else(|| format!("tables.{}.columns is not a table", t.source_name))?.entry(&c.source_name).or_insert_with(|| Item::Table(Table::new()));
            let column = column.as_table_mut().ok_or_else(|| format!("tables.{}.columns.{} is not a table", t.source_name, c.source_name))?;
            // A type already there keeps its comment.
            let mut ty = value(c.pg_type.to_string());
            if let (Some(new), Some(old)) = (ty.as_value_mut(), column.get("type").and_then(Item::as_value)) {
                *new.decor_mut() = old.decor().clone();
            }
            column["type"] = ty;
            match c.epoch() {
                Some(unit) => column["epoch"] = value(serde_json::to_value(unit).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()),
                None => {
                    column.remove("epoch");
                }
            }
        }
    }
    let mut text = doc.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_overrides_and_rejects_bad_types() {
        let c = Config::parse("[tables.\"Order Details\".columns.UnitPrice]\ntype = \"numeric(10,4)\"\n", None).expect("parse");
        assert_eq!(c.column_type("order details", "unitprice"), Some(PgType::Numeric(Some((10, 4)))));
        assert_eq!(c.column_type("Orders", "UnitPrice"), None);
        let e = Config::parse("[tables.t.columns.c]\ntype = \"money\"\n", None).expect_err("bad type");
        assert!(e.to_string().contains("table \"t\" column \"c\"") && e.to_string().contains("money"), "{e}");
        assert!(Config::parse("[tables.t.columns.c]\ntyp = \"text\"\n", None).is_err());
    }
}

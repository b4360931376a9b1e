//! What the rewriter knows of the target schema.
//!
//! Takes the SQLite names of tables and columns with their final PostgreSQL names and
//! types; gives case-insensitive look-ups. It must not guess: a name that was never
//! registered resolves to nothing, and the rewriter decides what to do with that.

use std::collections::BTreeMap;

/// What a column became in PostgreSQL, as far as rewriting cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnKind {
    /// `boolean`: SQLite's 0/1 integers must become `false`/`true`.
    Boolean,
    /// `json` / `jsonb`.
    Json,
    /// `timestamp` (without time zone).
    Timestamp,
    /// `timestamptz`.
    TimestampTz,
    /// `date`.
    Date,
    /// `time`.
    Time,
    /// Any integer type.
    Integer,
    /// `real` / `double precision`.
    Real,
    /// `numeric`.
    Numeric,
    /// `text` / `varchar`.
    Text,
    /// `bytea`.
    Bytes,
    /// `uuid`.
    Uuid,
    /// Anything else.
    Other,
}

#[derive(Debug, Clone)]
pub(crate) struct ColumnInfo {
    pub(crate) pg_name: String,
    pub(crate) kind: ColumnKind,
}

#[derive(Debug, Clone)]
pub(crate) struct TableInfo {
    pub(crate) pg_name: String,
    /// In registration order, which callers use for the table's column order: an
    /// `INSERT` without a column list relies on it.
    pub(crate) columns: Vec<(String, ColumnInfo)>,
    /// Lower-cased SQLite names of the primary-key columns; `None` when unknown or none.
    pub(crate) primary_key: Option<Vec<String>>,
}

impl TableInfo {
    pub(crate) fn column(&self, sqlite_name: &str) -> Option<&ColumnInfo> {
        let key = sqlite_name.to_lowercase();
        self.columns.iter().find(|(k, _)| *k == key).map(|(_, c)| c)
    }
}

/// What the rewriter knows of the target schema: tables (and views) by lowercased
/// SQLite name, each with its columns.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    tables: BTreeMap<String, TableInfo>,
}

impl Scope {
    /// An empty scope: every name is unknown and is kept as written (double-quoted).
    pub fn new() -> Self {
        Self::default()
    }

    /// Register a table (or view) with its final PostgreSQL name.
    pub fn add_table(&mut self, sqlite_name: &str, pg_name: &str) {
        let key = sqlite_name.to_lowercase();
        match self.tables.get_mut(&key) {
            Some(t) => t.pg_name = pg_name.to_string(),
            None => {
                self.tables.insert(key, TableInfo { pg_name: pg_name.to_string(), columns: Vec::new(), primary_key: None });
            }
        }
    }

    /// Register a column of a registered table: final PG name and what its type became.
    /// Columns must be added in table order. A column of a table never registered
    /// registers that table under its SQLite name.
    pub fn add_column(&mut self, sqlite_table: &str, sqlite_column: &str, pg_name: &str, kind: ColumnKind) {
        let key = sqlite_table.to_lowercase();
        let table = self
            .tables
            .entry(key)
            .or_insert_with(|| TableInfo { pg_name: sqlite_table.to_string(), columns: Vec::new(), primary_key: None });
        let col_key = sqlite_column.to_lowercase();
        let info = ColumnInfo { pg_name: pg_name.to_string(), kind };
        match table.columns.iter_mut().find(|(k, _)| *k == col_key) {
            Some((_, c)) => *c = info,
            None => table.columns.push((col_key, info)),
        }
    }

    /// Register the primary key of a table: its columns' SQLite names, in key order.
    /// The rewriter uses it as PostgreSQL does for GROUP BY: when every key column is
    /// grouped, the table's other columns may appear bare in the select list. An empty
    /// list means the table has no primary key (the default: a table whose key was never
    /// set has none as far as the rewriter knows). A table never registered is
    /// registered under its SQLite name.
    pub fn set_primary_key(&mut self, sqlite_table: &str, sqlite_columns: &[&str]) {
        let key = sqlite_table.to_lowercase();
        let table = self
            .tables
            .entry(key)
            .or_insert_with(|| TableInfo { pg_name: sqlite_table.to_string(), columns: Vec::new(), primary_key: None });
        table.primary_key =
            if sqlite_columns.is_empty() { None } else { Some(sqlite_columns.iter().map(|c| c.to_lowercase()).collect()) };
    }

    /// A registered table by its PostgreSQL name (exact spelling).
    pub(crate) fn table_by_pg_name(&self, pg_name: &str) -> Option<&TableInfo> {
        self.tables.values().find(|t| t.pg_name == pg_name)
    }

    pub(crate) fn table(&self, sqlite_name: &str) -> Option<&TableInfo> {
        self.tables.get(&sqlite_name.to_lowercase())
    }
}

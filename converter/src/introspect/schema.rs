//! The model of a SQLite database's schema, as introspection found it.

use serde::Serialize;

use super::fts::FtsTable;

/// Everything introspection learnt about one SQLite file.
#[derive(Debug, Clone, Serialize)]
pub struct SourceSchema {
    /// Ordinary tables (not `sqlite_*`, not FTS shadow tables), in `sqlite_master` order.
    pub tables: Vec<SourceTable>,
    /// Views, in `sqlite_master` order.
    pub views: Vec<SourceView>,
    /// Triggers, in `sqlite_master` order.
    pub triggers: Vec<SourceTrigger>,
    /// FTS3/4/5 virtual tables with their parsed module arguments.
    pub fts_tables: Vec<FtsTable>,
    /// Virtual tables of any other module (rtree, spatialite, ...), which cannot be carried over.
    pub other_virtual_tables: Vec<VirtualTable>,
    /// `sqlite_sequence`: AUTOINCREMENT high-water marks by table name.
    pub sequences: Vec<(String, i64)>,
    /// `PRAGMA journal_mode` as found (`wal`, `delete`, ...).
    pub journal_mode: String,
    /// `PRAGMA user_version`.
    pub user_version: i64,
    /// `PRAGMA encoding`.
    pub encoding: String,
}

/// A table of the SQLite database.
#[derive(Debug, Clone, Serialize)]
pub struct SourceTable {
    /// Exact name as stored.
    pub name: String,
    /// The `CREATE TABLE` statement as stored in `sqlite_master`.
    pub sql: String,
    /// Columns in declaration order (hidden columns of virtual tables excluded).
    pub columns: Vec<SourceColumn>,
    /// Primary-key column names in key order (empty: no declared key).
    pub primary_key: Vec<String>,
    /// The column that aliases the rowid (`INTEGER PRIMARY KEY` on a rowid table), if any.
    pub rowid_alias: Option<String>,
    /// Declared with AUTOINCREMENT.
    pub autoincrement: bool,
    /// `WITHOUT ROWID` table.
    pub without_rowid: bool,
    /// `STRICT` table.
    pub strict: bool,
    /// Foreign keys, one per constraint (composite keys are one entry).
    pub foreign_keys: Vec<SourceForeignKey>,
    /// Indexes, including the automatic ones behind UNIQUE and PRIMARY KEY constraints.
    pub indexes: Vec<SourceIndex>,
    /// CHECK constraints, column and table level, as SQL text.
    pub checks: Vec<SourceCheck>,
}

/// A column of a SQLite table.
#[derive(Debug, Clone, Serialize)]
pub struct SourceColumn {
    /// Exact name as stored.
    pub name: String,
    /// Declared type as written (`""` when none).
    pub declared_type: String,
    /// Declared NOT NULL.
    pub not_null: bool,
    /// The DEFAULT clause's text exactly as written in the DDL (quotes and parentheses kept).
    pub default_sql: Option<String>,
    /// 1-based position in the primary key, 0 when not part of it.
    pub pk_position: u32,
    /// Generated column: its expression and whether it is stored.
    pub generated: Option<Generated>,
    /// `COLLATE` name, when declared on the column (upper-cased: `NOCASE`, `RTRIM`, `BINARY`, ...).
    pub collation: Option<String>,
}

/// A generated column's definition.
#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    /// The expression, SQLite SQL text.
    pub expr: String,
    /// `STORED` (true) or `VIRTUAL` (false).
    pub stored: bool,
}

/// A foreign key of a table.
#[derive(Debug, Clone, Serialize)]
pub struct SourceForeignKey {
    /// Referencing columns, in order.
    pub columns: Vec<String>,
    /// The referenced table, as written.
    pub parent_table: String,
    /// Referenced columns; empty when the DDL names none (the parent's primary key is meant).
    pub parent_columns: Vec<String>,
    /// `ON UPDATE` action as SQLite reports it (`NO ACTION`, `CASCADE`, ...).
    pub on_update: String,
    /// `ON DELETE` action.
    pub on_delete: String,
    /// `DEFERRABLE INITIALLY DEFERRED` (or `DEFERRABLE` with IMMEDIATE: `deferrable` only).
    pub deferrable: bool,
    /// `INITIALLY DEFERRED`.
    pub initially_deferred: bool,
}

/// How an index came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexOrigin {
    /// `CREATE INDEX`.
    CreateIndex,
    /// A UNIQUE constraint.
    UniqueConstraint,
    /// The PRIMARY KEY constraint.
    PrimaryKey,
}

/// An index of a table.
#[derive(Debug, Clone, Serialize)]
pub struct SourceIndex {
    /// Name (`sqlite_autoindex_*` for constraint indexes).
    pub name: String,
    /// UNIQUE.
    pub unique: bool,
    /// Where it came from.
    pub origin: IndexOrigin,
    /// The key parts, in order.
    pub parts: Vec<IndexPart>,
    /// The WHERE predicate of a partial index, SQLite SQL text.
    pub predicate: Option<String>,
    /// The `CREATE INDEX` text (None for constraint indexes).
    pub sql: Option<String>,
    /// A UNIQUE constraint's own name (`CONSTRAINT name UNIQUE (...)`): frameworks drop it by
    /// that name later (Django's `RemoveConstraint`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_name: Option<String>,
}

/// One key part of an index.
#[derive(Debug, Clone, Serialize)]
pub struct IndexPart {
    /// A column, or an expression.
    pub target: IndexTarget,
    /// Descending.
    pub desc: bool,
    /// Collation when not BINARY.
    pub collation: Option<String>,
}

/// What an index part indexes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexTarget {
    /// A column by name.
    Column(String),
    /// An expression, SQLite SQL text.
    Expr(String),
}

/// A CHECK constraint.
#[derive(Debug, Clone, Serialize)]
pub struct SourceCheck {
    /// Constraint name, if given.
    pub name: Option<String>,
    /// The column it was declared on, for column-level checks.
    pub column: Option<String>,
    /// The expression, SQLite SQL text (without the outer parentheses).
    pub expr: String,
}

/// A view.
#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    /// Exact name.
    pub name: String,
    /// The full `CREATE VIEW` statement.
    pub sql: String,
    /// The body after `AS`.
    pub body: String,
}

/// A trigger.
#[derive(Debug, Clone, Serialize)]
pub struct SourceTrigger {
    /// Exact name.
    pub name: String,
    /// The table (or view) it fires on.
    pub table: String,
    /// The full `CREATE TRIGGER` statement.
    pub sql: String,
}

/// A virtual table that is not FTS.
#[derive(Debug, Clone, Serialize)]
pub struct VirtualTable {
    /// Exact name.
    pub name: String,
    /// Module name (`rtree`, `spatialite`'s `VirtualSpatialIndex`, ...).
    pub module: String,
    /// Whether the module is known to this SQLite build.
    pub module_available: bool,
    /// The `CREATE VIRTUAL TABLE` statement.
    pub sql: String,
}

impl SourceSchema {
    /// The table of that name, matched as SQLite does (ASCII case-insensitively).
    pub fn table(&self, name: &str) -> Option<&SourceTable> {
        self.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }
}

impl SourceTable {
    /// The column of that name, matched ASCII case-insensitively.
    pub fn column(&self, name: &str) -> Option<&SourceColumn> {
        self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

//! The plan: the PostgreSQL schema a SQLite database becomes, and every finding on the way.
//!
//! Takes SQLite files (and an optional [`Config`]), gives a [`Plan`]: one [`SchemaPlan`] per file,
//! its tables in an order that creates every foreign key's parent first, the foreign keys that
//! close cycles, indexes, views in dependency order and triggers, each column with its
//! [`ColumnDecision`]. Whatever cannot be carried over exactly is left out of the schema and
//! described by a [`Finding`]; nothing is emitted broken.
//!
//! The plan is the one input of everything downstream: the DDL ([`crate::ddl`]), the `inspect`
//! report, code generation, the copy and verification.

mod build;
mod fulltext;
mod order;
mod sql;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use build::{Deployed, DeployedColumn, FrameworkChoice, KnownProfiles, PendingProfile, PlanOptions, ProvisionalPlan, ProvisionalSample, plan_files, plan_files_provisionally, plan_files_with_profiles};

use crate::mapping::{ColumnDecision, PgType};
use crate::profile::EpochUnit;

/// The name of the case-insensitive collation created for `COLLATE NOCASE` columns.
pub const NOCASE_COLLATION: &str = "sqlite_nocase";

/// A plan for one or more SQLite files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// One schema per input file, in the order given.
    pub schemas: Vec<SchemaPlan>,
}

/// How sure a finding is that a human must look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// For information: a decision worth knowing, nothing to do.
    Info,
    /// Something changed or was approximated; worth a look.
    Warning,
    /// Something was left out or values will not go across: a human must decide.
    NeedsAttention,
}

impl std::fmt::Display for Grade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Grade::Info => "info",
            Grade::Warning => "warning",
            Grade::NeedsAttention => "needs attention",
        })
    }
}

/// Something the user should know about the conversion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Finding {
    /// How serious.
    pub grade: Grade,
    /// The object, named as in SQLite: `table "t"`, `table "t" column "c"`, `view "v"`, ...
    pub object: String,
    /// What happened and why, naming values where there are any.
    pub message: String,
}

/// The PostgreSQL schema for one SQLite file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SchemaPlan {
    /// The SQLite file.
    pub source: PathBuf,
    /// The PostgreSQL schema name (`public`, or one per file).
    pub schema: String,
    /// The framework whose migration tool made the database, when its bookkeeping tells.
    #[serde(default)]
    pub framework: Option<crate::framework::Framework>,
    /// SQLite's `journal_mode` when read.
    pub journal_mode: String,
    /// Whether profiles were sampled rather than exact.
    pub sampled: bool,
    /// Whether the case-insensitive collation is needed.
    pub needs_nocase_collation: bool,
    /// Extensions the schema's types need (`citext`), created before the tables if missing
    /// and never dropped (another schema may use them).
    #[serde(default)]
    pub extensions: Vec<String>,
    /// Tables, in creation order (each foreign key's parent before its child, cycles aside).
    pub tables: Vec<TablePlan>,
    /// Foreign keys added after all tables exist, because they close a cycle.
    pub deferred_foreign_keys: Vec<DeferredForeignKey>,
    /// Indexes from `CREATE INDEX`.
    pub indexes: Vec<IndexPlan>,
    /// Views, each after the views it reads.
    pub views: Vec<ViewPlan>,
    /// Triggers as PL/pgSQL functions.
    pub triggers: Vec<TriggerPlan>,
    /// Statements that prepare the schema, run before the tables: full-text search's
    /// (extensions, text search configurations) and the IMMUTABLE helper functions that index
    /// expressions use (`sqlite2pg_to_char`).
    pub text_search_setup: Vec<String>,
    /// FTS tables, and what replaced each.
    pub full_text: Vec<FullTextPlan>,
    /// Everything worth telling, in schema order.
    pub findings: Vec<Finding>,
}

/// A table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TablePlan {
    /// SQLite name.
    pub source_name: String,
    /// PostgreSQL name (the same spelling, shortened only past 63 bytes).
    pub name: String,
    /// Rows in the SQLite table.
    pub rows: u64,
    /// Columns in order.
    pub columns: Vec<ColumnPlan>,
    /// Primary-key columns (PostgreSQL names), in key order.
    pub primary_key: Vec<String>,
    /// UNIQUE constraints (PostgreSQL column names).
    pub uniques: Vec<Vec<String>>,
    /// The names of those `uniques` that SQLite's DDL named (`CONSTRAINT name UNIQUE (...)`),
    /// or that a framework's PostgreSQL schema names (Django's `unique_together`, a unique index
    /// on SQLite, is a constraint of the index's name on PostgreSQL): (name, columns). Frameworks
    /// drop them by these names later.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub named_uniques: Vec<(String, Vec<String>)>,
    /// Foreign keys created with the table.
    pub foreign_keys: Vec<ForeignKeyPlan>,
    /// CHECK constraints, rewritten for PostgreSQL.
    pub checks: Vec<CheckPlan>,
    /// AUTOINCREMENT high-water mark from `sqlite_sequence`, for the identity to continue past.
    pub sqlite_sequence: Option<i64>,
    /// Declared AUTOINCREMENT.
    pub autoincrement: bool,
    /// A `WITHOUT ROWID` table (no rowid to read in order or resume from).
    pub without_rowid: bool,
}

/// A column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnPlan {
    /// SQLite name.
    pub source_name: String,
    /// PostgreSQL name.
    pub name: String,
    /// The declared SQLite type, as written.
    pub declared_type: String,
    /// The PostgreSQL type.
    pub pg_type: PgType,
    /// NULL allowed.
    pub nullable: bool,
    /// The rowid key: generated by PostgreSQL, as `key_style` says.
    pub identity: bool,
    /// How an `identity` column is generated: `GENERATED BY DEFAULT AS IDENTITY`, or a
    /// `serial` (the framework's convention).
    #[serde(default)]
    pub key_style: crate::mapping::KeyStyle,
    /// DEFAULT expression (PostgreSQL SQL).
    pub default: Option<String>,
    /// `GENERATED ALWAYS AS (expr) STORED` expression (PostgreSQL SQL).
    pub generated: Option<String>,
    /// Collation to declare (PostgreSQL name), when not the default.
    pub collation: Option<String>,
    /// Why this type.
    pub decision: ColumnDecision,
    /// Stored values that do not fit the type.
    pub violations: Option<Violations>,
}

impl TablePlan {
    /// The name of the UNIQUE constraint over `columns`, when it has one.
    pub fn unique_name(&self, columns: &[String]) -> Option<&str> {
        self.named_uniques.iter().find(|(_, c)| c.as_slice() == columns).map(|(n, _)| n.as_str())
    }

    /// How this plan builds and loads the table: its shape ([`TableShape::definition`]: every
    /// column's type, the epoch unit stored values are read in, keys and constraints). Two plans
    /// with the same definition of a table load the same rows into it.
    pub fn load_definition(&self) -> String {
        crate::shape::TableShape::of_table(self).definition()
    }
}

impl ColumnPlan {
    /// Epoch unit of the source values when they become a timestamp.
    pub fn epoch(&self) -> Option<EpochUnit> {
        self.decision.epoch
    }

    /// How the column's stored values become values of its planned type.
    pub fn conversion(&self) -> sqlite2pg_value::Conversion {
        sqlite2pg_value::Conversion::new(self.pg_type.target(), self.epoch())
    }
}

/// Values of a column that break its PostgreSQL type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Violations {
    /// How many.
    pub count: u64,
    /// The first few, with their row keys.
    pub examples: Vec<ViolationExample>,
}

/// One value that breaks its column's type.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViolationExample {
    /// The row's key: primary-key values, or the rowid (`rowid=12`).
    pub key: String,
    /// The value, shortened for display.
    pub value: String,
    /// Why it does not fit.
    pub reason: String,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKeyPlan {
    /// Referencing columns (PostgreSQL names).
    pub columns: Vec<String>,
    /// Referenced table (PostgreSQL name).
    pub parent_table: String,
    /// Referenced columns (PostgreSQL names).
    pub parent_columns: Vec<String>,
    /// ON DELETE action, SQL words; None for NO ACTION.
    pub on_delete: Option<String>,
    /// ON UPDATE action.
    pub on_update: Option<String>,
    /// DEFERRABLE.
    pub deferrable: bool,
    /// INITIALLY DEFERRED.
    pub initially_deferred: bool,
}

/// A foreign key added by ALTER TABLE after every table exists.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeferredForeignKey {
    /// The referencing table (PostgreSQL name).
    pub table: String,
    /// The key.
    pub foreign_key: ForeignKeyPlan,
}

/// A CHECK constraint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckPlan {
    /// Constraint name, when SQLite had one.
    pub name: Option<String>,
    /// PostgreSQL expression.
    pub expr: String,
    /// The SQLite expression it came from.
    pub source_expr: String,
}

/// An index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexPlan {
    /// PostgreSQL name.
    pub name: String,
    /// SQLite name.
    pub source_name: String,
    /// Table (PostgreSQL name).
    pub table: String,
    /// UNIQUE.
    pub unique: bool,
    /// Key parts as PostgreSQL SQL (`"name" DESC`, `(lower(email))`).
    pub parts: Vec<String>,
    /// Partial-index predicate, PostgreSQL SQL.
    pub predicate: Option<String>,
    /// Index method when not btree (`gin`).
    pub method: Option<String>,
}

/// What became of one FTS virtual table.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FullTextPlan {
    /// The FTS table's SQLite name.
    pub source_name: String,
    /// The PostgreSQL table holding the text and the tsvector column.
    pub table: String,
    /// The tsvector column (None for a trigram index, which indexes the text columns).
    pub column: Option<String>,
    /// The text search configuration.
    pub config: String,
    /// Indexed columns (PostgreSQL names) with their weight letter, in FTS column order.
    pub weighted_columns: Vec<(String, char)>,
    /// A trigram (pg_trgm) index instead of a tsvector.
    pub trigram: bool,
    /// The FTS module it replaces (its MATCH syntax is what application queries are written in).
    pub module: crate::introspect::fts::FtsVersion,
}

/// A view.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ViewPlan {
    /// SQLite name.
    pub source_name: String,
    /// PostgreSQL name.
    pub name: String,
    /// The PostgreSQL query.
    pub query: String,
}

/// A trigger, as a function and the trigger that calls it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TriggerPlan {
    /// SQLite name.
    pub source_name: String,
    /// PostgreSQL table it fires on.
    pub table: String,
    /// `CREATE FUNCTION ... LANGUAGE plpgsql`.
    pub function_sql: String,
    /// `CREATE TRIGGER ...`.
    pub trigger_sql: String,
}

impl Plan {
    /// Read back a plan saved with `sqlite2pg plan --format json`, so that `copy`, `verify` and
    /// `generate` use exactly the decisions a human reviewed, without profiling again.
    pub fn from_json_file(path: &Path) -> crate::Result<Plan> {
        let text = std::fs::read_to_string(path).map_err(|source| crate::Error::Io { path: path.into(), source })?;
        serde_json::from_str(&text).map_err(|e| crate::Error::PlanFile { path: path.into(), message: e.to_string() })
    }

    /// Whether `other` builds the same PostgreSQL schema and converts every stored value the
    /// same way: the same [`SchemaShape`](crate::shape::SchemaShape)s (a column's shape holds its
    /// type and the epoch unit its values are read in). Reasons, evidence and findings may
    /// differ: a provisional plan's come from a sample. A copy made with one plan is then
    /// exactly the copy the other would make.
    pub fn builds_same(&self, other: &Plan) -> bool {
        let shapes = |plan: &Plan| plan.schemas.iter().map(crate::shape::SchemaShape::of).collect::<Vec<_>>();
        shapes(self) == shapes(other)
    }

    /// Every finding of every schema, with the schema's source file.
    pub fn findings(&self) -> impl Iterator<Item = (&Path, &Finding)> {
        self.schemas.iter().flat_map(|s| s.findings.iter().map(move |f| (s.source.as_path(), f)))
    }
}

impl SchemaPlan {
    /// The table planned for a SQLite table name.
    pub fn table(&self, source_name: &str) -> Option<&TablePlan> {
        self.tables.iter().find(|t| t.source_name.eq_ignore_ascii_case(source_name))
    }
}

//! How a plan's tables bind to the target's: which live table and column each source table and
//! column goes into, and the [`Conversion`] of each, chosen from the live column's type.
//!
//! The plan says what the source holds (its columns, keys, epoch units); the target says what
//! the values must become. When sqlite2pg made the schema the two agree; when the application's
//! own migrations made it (Django's `integer`, SQLAlchemy's `uuid`, a Sequelize `json`), the
//! live type decides, and the copy, its pre-flight and verification all convert alike.
//!
//! Matching: a table or column by its exact name, then ASCII case-insensitively when that finds
//! exactly one; `sqlite2pg.toml` renames (`target = "..."`) and leaves out (`skip = true`).
//! Migration-bookkeeping tables that the application's migrations already filled on PostgreSQL
//! (`django_migrations`, `alembic_version`, ...) are kept as the target has them.

use std::collections::BTreeMap;

use sqlite2pg_converter::config::Config;
use sqlite2pg_converter::plan::{Plan, SchemaPlan, TablePlan};
use sqlite2pg_value::Conversion;
use sqlx::PgPool;

use crate::catalog::{LiveColumn, live_tables};
use crate::error::PgError;

/// One source column into one target column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnBinding {
    /// The SQLite column.
    pub source_name: String,
    /// The target column.
    pub name: String,
    /// How its values convert.
    pub conversion: Conversion,
    /// The target column takes NULL.
    pub nullable: bool,
    /// The target column's type as the catalog prints it.
    pub type_name: String,
    /// The conversion is the plan's own (type and epoch unit), with no stricter NOT NULL: the
    /// plan's profile has already checked every stored value against it.
    pub as_planned: bool,
}

/// One source table into one target table.
#[derive(Debug, Clone)]
pub struct TableBinding {
    /// The target schema.
    pub schema: String,
    /// The table's name in the plan (the key callers look it up by).
    pub plan_table: String,
    /// The SQLite table.
    pub source_table: String,
    /// The target table.
    pub table: String,
    /// The columns copied, in the plan's order.
    pub columns: Vec<ColumnBinding>,
    /// Indexes into `columns` of the source's primary key (empty when a key column is not
    /// copied): rows are named, ordered and compared by it.
    pub key: Vec<usize>,
    /// Target columns fed by a sequence (an identity, `serial`, or a default `nextval` of a
    /// sequence the application named), with the sequence: each continues past the copied keys.
    pub sequences: Vec<(String, String)>,
}

/// Why a table or column cannot be bound; the pre-flight reports each by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingProblem {
    /// A source table with no table of that name in the target.
    NoTargetTable {
        /// Target schema.
        schema: String,
        /// SQLite table.
        source_table: String,
    },
    /// A source column with no column of that name in the target table.
    NoTargetColumn {
        /// Target schema.
        schema: String,
        /// Target table.
        table: String,
        /// SQLite column.
        source_column: String,
    },
    /// A target column that is NOT NULL, has no default and gets no source column: no row
    /// could be inserted.
    RequiredWithoutSource {
        /// Target schema.
        schema: String,
        /// Target table.
        table: String,
        /// Target column.
        column: String,
    },
}

impl std::fmt::Display for BindingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BindingProblem::NoTargetTable { schema, source_table } => write!(
                f,
                "table \"{source_table}\" has no table of that name in schema \"{schema}\" (name it with [tables.\"{source_table}\"] target = \"...\", or skip = true to leave its rows out)"
            ),
            BindingProblem::NoTargetColumn { schema, table, source_column } => write!(
                f,
                "{schema}.{table}: column \"{source_column}\" has no column of that name in the target (name it with target = \"...\", or skip = true to leave its values out)"
            ),
            BindingProblem::RequiredWithoutSource { schema, table, column } => {
                write!(f, "{schema}.{table}: column \"{column}\" is NOT NULL without a default, and no SQLite column goes into it")
            }
        }
    }
}

/// Every table of a plan bound to the target.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    /// Tables to copy, by (schema, target table name).
    pub tables: BTreeMap<(String, String), TableBinding>,
    /// What cannot be bound.
    pub problems: Vec<BindingProblem>,
    /// Bookkeeping tables kept as the target has them (`schema.table`).
    pub kept: Vec<(String, String)>,
    /// Tables and columns the configuration leaves out (`schema.table` or `schema.table.column`).
    pub skipped: Vec<String>,
}

impl Bindings {
    /// The binding of a table, by its name in the target (its name in [`Bindings::bound_plan`]).
    pub fn table(&self, schema: &str, table: &str) -> Option<&TableBinding> {
        self.tables.get(&(schema.to_string(), table.to_string()))
    }

    /// `plan` as the target has it: only the tables and columns copied, named as the target
    /// names them, each table's identity flags on the target's sequence-owning columns. Every
    /// step downstream (setting keys aside, loading, continuing sequences, verifying) works on
    /// this plan and finds each table's conversions with [`Bindings::table`] by its name.
    pub fn bound_plan(&self, plan: &Plan) -> Plan {
        let mut bound = plan.clone();
        for schema in &mut bound.schemas {
            let name = schema.schema.clone();
            let by_plan_name: BTreeMap<&str, &TableBinding> = self.tables.values().filter(|b| b.schema == name).map(|b| (b.plan_table.as_str(), b)).collect();
            schema.tables.retain(|t| by_plan_name.contains_key(t.name.as_str()));
            for table in &mut schema.tables {
                let Some(binding) = by_plan_name.get(table.name.as_str()).copied() else { continue };
                let renamed: BTreeMap<String, String> = table
                    .columns
                    .iter()
                    .filter_map(|c| binding.columns.iter().find(|b| b.source_name == c.source_name).map(|b| (c.name.clone(), b.name.clone())))
                    .collect();
                table.columns.retain(|c| renamed.contains_key(&c.name));
                for column in &mut table.columns {
                    if let Some(new) = renamed.get(&column.name) {
                        column.name = new.clone();
                    }
                    column.identity = binding.sequences.iter().any(|(c, _)| c == &column.name);
                    column.nullable = binding.columns.iter().find(|b| b.name == column.name).is_none_or(|b| b.nullable);
                }
                table.primary_key = if binding.key.is_empty() { Vec::new() } else { binding.key.iter().map(|&i| binding.columns[i].name.clone()).collect() };
                table.uniques.retain(|u| u.iter().all(|c| renamed.contains_key(c)));
                for unique in &mut table.uniques {
                    for c in unique.iter_mut() {
                        if let Some(new) = renamed.get(c) {
                            *c = new.clone();
                        }
                    }
                }
                table.name = binding.table.clone();
            }
        }
        bound
    }
}

/// Bind every table of `plan` to the target's live tables. `keep_bookkeeping`: a migration
/// tool's bookkeeping table that the target already has is kept as it is (the application's
/// migrations filled it), not copied.
pub async fn bind(pool: &PgPool, plan: &Plan, config: &Config, keep_bookkeeping: bool) -> Result<Bindings, PgError> {
    let mut bindings = Bindings::default();
    for schema in &plan.schemas {
        let live = live_tables(pool, &schema.schema).await?;
        bind_schema(schema, &live, config, keep_bookkeeping, &mut bindings);
    }
    Ok(bindings)
}

/// Bind one schema's tables to `live`, the target schema's tables.
pub fn bind_schema(schema: &SchemaPlan, live: &BTreeMap<String, Vec<LiveColumn>>, config: &Config, keep_bookkeeping: bool, out: &mut Bindings) {
    for table in &schema.tables {
        let table_config = config.table(&table.source_name);
        if table_config.is_some_and(|t| t.skip) {
            out.skipped.push(format!("{}.{}", schema.schema, table.name));
            continue;
        }
        let wanted = table_config.and_then(|t| t.target.clone()).unwrap_or_else(|| table.name.clone());
        let Some((live_name, live_columns)) = find(live, &wanted) else {
            out.problems.push(BindingProblem::NoTargetTable { schema: schema.schema.clone(), source_table: table.source_name.clone() });
            continue;
        };
        if keep_bookkeeping && sqlite2pg_converter::framework::bookkeeping(&table.source_name).is_some() {
            out.kept.push((schema.schema.clone(), live_name.clone()));
            continue;
        }
        let binding = bind_table(schema, table, live_name, live_columns, config, out);
        // Keyed by the target's name: the bound plan (`bound_plan`) names its tables so.
        out.tables.insert((schema.schema.clone(), live_name.clone()), binding);
    }
}

fn bind_table(schema: &SchemaPlan, table: &TablePlan, live_name: &str, live_columns: &[LiveColumn], config: &Config, out: &mut Bindings) -> TableBinding {
    let mut columns = Vec::new();
    let mut used = vec![false; live_columns.len()];
    for column in table.columns.iter().filter(|c| c.generated.is_none()) {
        let column_config = config.column(&table.source_name, &column.source_name);
        if column_config.is_some_and(|c| c.skip) {
            out.skipped.push(format!("{}.{}.{}", schema.schema, live_name, column.name));
            continue;
        }
        let wanted = column_config.and_then(|c| c.target.clone()).unwrap_or_else(|| column.name.clone());
        let Some(at) = position(live_columns, &wanted) else {
            out.problems.push(BindingProblem::NoTargetColumn { schema: schema.schema.clone(), table: live_name.to_string(), source_column: column.source_name.clone() });
            continue;
        };
        used[at] = true;
        let live = &live_columns[at];
        if live.generated {
            // PostgreSQL computes it (a tsvector, say): the source's value is not copied.
            continue;
        }
        let mut conversion = Conversion::new(live.target.clone(), column.epoch());
        if let Some(unit) = column_config.and_then(|c| c.duration_unit) {
            conversion.duration_unit = unit;
        }
        conversion.naive_zone = config.naive_zone(&table.source_name, &column.source_name);
        let as_planned = conversion == column.conversion() && !(live.not_null && column.nullable);
        columns.push(ColumnBinding { source_name: column.source_name.clone(), name: live.name.clone(), conversion, nullable: !live.not_null, type_name: live.type_name.clone(), as_planned });
    }
    for (live, used) in live_columns.iter().zip(used) {
        if !used && live.not_null && !live.has_default && !live.generated {
            out.problems.push(BindingProblem::RequiredWithoutSource { schema: schema.schema.clone(), table: live_name.to_string(), column: live.name.clone() });
        }
    }
    let key: Vec<usize> = table
        .primary_key
        .iter()
        .map(|k| table.columns.iter().find(|c| &c.name == k).and_then(|c| columns.iter().position(|b: &ColumnBinding| b.source_name == c.source_name)))
        .collect::<Option<Vec<usize>>>()
        .unwrap_or_default();
    let sequences = live_columns
        .iter()
        .filter_map(|c| c.sequence.as_ref().filter(|_| columns.iter().any(|b| b.name == c.name && b.conversion.target.is_integer())).map(|s| (c.name.clone(), s.clone())))
        .collect();
    TableBinding { schema: schema.schema.clone(), plan_table: table.name.clone(), source_table: table.source_name.clone(), table: live_name.to_string(), columns, key, sequences }
}

/// A live table by exact name, else the one whose name matches ignoring ASCII case.
fn find<'a>(live: &'a BTreeMap<String, Vec<LiveColumn>>, name: &str) -> Option<(&'a String, &'a Vec<LiveColumn>)> {
    live.get_key_value(name).or_else(|| {
        let mut matches = live.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
        match (matches.next(), matches.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    })
}

/// A live column's index by exact name, else the one matching ignoring ASCII case.
fn position(live: &[LiveColumn], name: &str) -> Option<usize> {
    live.iter().position(|c| c.name == name).or_else(|| {
        let matching: Vec<usize> = live.iter().enumerate().filter(|(_, c)| c.name.eq_ignore_ascii_case(name)).map(|(i, _)| i).collect();
        match matching.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    })
}

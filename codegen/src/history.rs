//! The migrator's history: the schema its migrations build, and the steps from there to a new
//! plan.
//!
//! A migration that a database has run must never change or be renamed: sea-orm-migration
//! refuses to run when an applied migration's file is gone, and an applied migration whose code
//! changed is silently not run again, so the deployed schema and a fresh one would part ways.
//! So `generate` writes beside the migrator's `Cargo.toml` a history file ([`HISTORY_FILE`]):
//! the migrations written so far, in order, and the [`SchemaShape`] of every schema they build.
//! Regenerating keeps every listed migration file byte for byte and, when the new plan's shape
//! differs, adds one *revision* migration per changed schema whose `up()` takes the recorded
//! shape to the new one ([`steps`]) and whose `down()` takes it back (the steps the other way).
//!
//! A shape holds what the migrations build and nothing else (no row counts, no evidence), so a
//! new profile of the same schema changes nothing. Stamps of revisions: revision `r` is dated
//! 2000-01-01 plus `r` days (`m20000102_000000_...` for the first), after every earlier stamp.

use serde::{Deserialize, Serialize};
use sqlite2pg_converter::mapping::{KeyStyle, PgType};
use sqlite2pg_converter::plan::{ForeignKeyPlan, IndexPlan, SchemaPlan, TablePlan, TriggerPlan};
use sqlite2pg_converter::profile::EpochUnit;

/// The history file's name, in the migrator crate's folder.
pub const HISTORY_FILE: &str = "sqlite2pg-history.json";

/// The history file's format version.
pub const HISTORY_FORMAT: u32 = 1;

/// The decisions the migrator's schemas deploy, for the planner to keep
/// ([`PlanOptions::deployed`](sqlite2pg_converter::plan::PlanOptions)): a thinner sample never
/// reverses them.
pub fn deployed(history: &History) -> sqlite2pg_converter::plan::Deployed {
    history
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(move |t| (s, t)))
        .flat_map(|(s, t)| {
            t.columns.iter().filter(|c| !c.identity && c.generated.is_none()).map(move |c| {
                ((s.schema.clone(), t.name.clone(), c.name.clone()), sqlite2pg_converter::plan::DeployedColumn { pg_type: c.pg_type, epoch: c.epoch, declared: c.declared.clone() })
            })
        })
        .collect()
}

/// What the migrations of a migrator crate build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// [`HISTORY_FORMAT`] when written.
    pub format: u32,
    /// A line for whoever opens the file.
    pub about: String,
    /// Revisions written so far (0: only the first generation).
    pub revisions: u32,
    /// Migration modules in the order the migrator runs them.
    pub migrations: Vec<String>,
    /// The schemas those migrations build, in plan order.
    pub schemas: Vec<SchemaShape>,
}

/// What the history file says of itself.
pub const HISTORY_ABOUT: &str = "Written by sqlite2pg generate: the migrations of this crate and the schema they build. Regenerating keeps these migrations and adds a revision for what changed. Do not edit by hand.";

impl History {
    /// The shape of a schema by name.
    pub fn schema(&self, name: &str) -> Option<&SchemaShape> {
        self.schemas.iter().find(|s| s.schema == name)
    }

    /// The file's text: pretty JSON with a final newline (stable: vectors keep plan order).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// What the migrations build for one schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaShape {
    /// The PostgreSQL schema.
    pub schema: String,
    /// Whether the `sqlite_nocase` collation exists.
    pub nocase_collation: bool,
    /// Extension and text search configuration statements run before the tables.
    pub text_search_setup: Vec<String>,
    /// Tables in creation order.
    pub tables: Vec<TableShape>,
    /// Indexes from `CREATE INDEX` (and GIN indexes for full-text search).
    pub indexes: Vec<IndexPlan>,
    /// Views in dependency order.
    pub views: Vec<ViewShape>,
    /// Triggers and their functions.
    pub triggers: Vec<TriggerShape>,
}

/// A table as created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableShape {
    /// PostgreSQL name.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<ColumnShape>,
    /// Primary-key columns.
    pub primary_key: Vec<String>,
    /// UNIQUE constraints.
    pub uniques: Vec<Vec<String>>,
    /// The names of the `uniques` that have one (see `TablePlan::named_uniques`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub named_uniques: Vec<(String, Vec<String>)>,
    /// Foreign keys created with the table.
    pub foreign_keys: Vec<ForeignKeyPlan>,
    /// Foreign keys of this table added once every table exists (they close a cycle).
    pub closing_foreign_keys: Vec<ForeignKeyPlan>,
    /// CHECK constraints.
    pub checks: Vec<CheckShape>,
}

impl TableShape {
    /// The name of the UNIQUE constraint over `columns`, when it has one.
    pub fn unique_name(&self, columns: &[String]) -> Option<&str> {
        self.named_uniques.iter().find(|(_, c)| c.as_slice() == columns).map(|(n, _)| n.as_str())
    }
}

/// A column as created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnShape {
    /// PostgreSQL name.
    pub name: String,
    /// Type.
    pub pg_type: PgType,
    /// NULL allowed.
    pub nullable: bool,
    /// Identity.
    pub identity: bool,
    /// How the identity is generated (`GENERATED BY DEFAULT AS IDENTITY` or a `serial`).
    /// Left out of the history when an identity, as histories written before it say.
    #[serde(default, skip_serializing_if = "KeyStyle::is_identity")]
    pub key_style: KeyStyle,
    /// DEFAULT (PostgreSQL SQL).
    pub default: Option<String>,
    /// Stored generated expression.
    pub generated: Option<String>,
    /// Collation when not the default.
    pub collation: Option<String>,
    /// The unit of epoch numbers the column's time values came from (casts in revisions).
    pub epoch: Option<EpochUnit>,
    /// The SQLite declared type the decision was made from: while it stays the same, the
    /// deployed type stands (see [`deployed`]). Empty in histories written before it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub declared: String,
}

/// A CHECK constraint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckShape {
    /// Its name, when SQLite gave one.
    pub name: Option<String>,
    /// PostgreSQL expression.
    pub expr: String,
}

/// A view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewShape {
    /// PostgreSQL name.
    pub name: String,
    /// Its query.
    pub query: String,
}

/// A trigger and the function it calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerShape {
    /// SQLite name (for messages).
    pub source_name: String,
    /// The table it fires on.
    pub table: String,
    /// `CREATE FUNCTION ...`.
    pub function_sql: String,
    /// `CREATE TRIGGER ...`.
    pub trigger_sql: String,
}

impl SchemaShape {
    /// What the migrations of a schema plan build.
    pub fn of(schema: &SchemaPlan) -> SchemaShape {
        SchemaShape {
            schema: schema.schema.clone(),
            nocase_collation: schema.needs_nocase_collation,
            text_search_setup: schema.text_search_setup.clone(),
            tables: schema.tables.iter().map(|t| TableShape::of(schema, t)).collect(),
            indexes: schema.indexes.clone(),
            views: schema.views.iter().map(|v| ViewShape { name: v.name.clone(), query: v.query.clone() }).collect(),
            triggers: schema.triggers.iter().map(TriggerShape::of).collect(),
        }
    }

    fn table(&self, name: &str) -> Option<&TableShape> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The shape without migration tools' bookkeeping tables (and their indexes and triggers),
    /// which `generate` no longer creates ([`crate::model::app_plan`]): a history recorded by an
    /// earlier sqlite2pg that created one gives no revision dropping it; the table stays as the
    /// database has it.
    pub fn without_bookkeeping(&self) -> SchemaShape {
        let left = |t: &str| sqlite2pg_converter::framework::bookkeeping(t).is_some();
        let mut shape = self.clone();
        shape.tables.retain(|t| !left(&t.name));
        shape.indexes.retain(|i| !left(&i.table));
        shape.triggers.retain(|t| !left(&t.table));
        shape
    }
}

impl TriggerShape {
    /// What the migrations of a trigger plan build.
    pub fn of(t: &TriggerPlan) -> TriggerShape {
        TriggerShape { source_name: t.source_name.clone(), table: t.table.clone(), function_sql: t.function_sql.clone(), trigger_sql: t.trigger_sql.clone() }
    }
}

/// Whether a column changes in a way PostgreSQL cannot make in place, so that a revision drops
/// it and adds it again (PostgreSQL 15 cannot change a generation expression).
fn is_rebuilt(old: &ColumnShape, new: &ColumnShape) -> bool {
    old.generated != new.generated || (old.generated.is_some() && old != new)
}

impl TableShape {
    /// What the migrations of a table plan build (`schema` gives its cycle-closing keys).
    pub fn of(schema: &SchemaPlan, t: &TablePlan) -> TableShape {
        TableShape {
            name: t.name.clone(),
            columns: t
                .columns
                .iter()
                .map(|c| ColumnShape {
                    name: c.name.clone(),
                    pg_type: c.pg_type,
                    nullable: c.nullable,
                    identity: c.identity,
                    key_style: c.key_style,
                    default: c.default.clone(),
                    generated: c.generated.clone(),
                    collation: c.collation.clone(),
                    epoch: c.epoch(),
                    declared: c.declared_type.clone(),
                })
                .collect(),
            primary_key: t.primary_key.clone(),
            uniques: t.uniques.clone(),
            named_uniques: t.named_uniques.clone(),
            foreign_keys: t.foreign_keys.clone(),
            closing_foreign_keys: schema.deferred_foreign_keys.iter().filter(|d| d.table == t.name).map(|d| d.foreign_key.clone()).collect(),
            checks: t.checks.iter().map(|c| CheckShape { name: c.name.clone(), expr: c.expr.clone() }).collect(),
        }
    }

    /// Every foreign key of the table, created with it or after.
    fn all_foreign_keys(&self) -> impl Iterator<Item = &ForeignKeyPlan> {
        self.foreign_keys.iter().chain(&self.closing_foreign_keys)
    }

    /// Whether a column is NOT NULL in the database (declared, identity or primary key).
    pub fn not_null(&self, column: &ColumnShape) -> bool {
        !column.nullable || column.identity || self.primary_key.contains(&column.name)
    }
}

/// One step of a revision, in the order [`steps`] gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// `CREATE SCHEMA` (a schema new to the migrator).
    CreateSchema,
    /// The `sqlite_nocase` collation, newly needed.
    CreateCollation,
    /// An extension or text search configuration statement not run before.
    Setup(String),
    /// Drop a trigger and its function (gone or changed).
    DropTrigger(TriggerShape),
    /// Drop a view (gone or changed, or reading a column that changes).
    DropView(ViewShape),
    /// Drop a foreign key (gone or changed).
    DropForeignKey {
        /// Its table.
        table: String,
        /// The key.
        key: ForeignKeyPlan,
    },
    /// Drop an index (gone or changed).
    DropIndex(IndexPlan),
    /// Drop a table and its rows.
    DropTable(TableShape),
    /// Create a table with its keys and checks (its indexes are steps of their own).
    CreateTable(TableShape),
    /// Drop a UNIQUE constraint.
    DropUnique {
        /// Its table.
        table: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// Drop a column and its values.
    DropColumn {
        /// Its table.
        table: String,
        /// The column.
        column: ColumnShape,
    },
    /// Add a column (at the end: PostgreSQL has no other place for it).
    AddColumn {
        /// Its table.
        table: String,
        /// The column.
        column: ColumnShape,
        /// NOT NULL in the database.
        not_null: bool,
    },
    /// Change a column's type, collation, default, nullability or identity in place.
    AlterColumn {
        /// Its table.
        table: String,
        /// The column as it is.
        from: ColumnShape,
        /// The column as it becomes.
        to: ColumnShape,
        /// NOT NULL before.
        from_not_null: bool,
        /// NOT NULL after.
        to_not_null: bool,
    },
    /// Drop a table's primary key (before its columns change: one leaving the key may become
    /// nullable).
    DropPrimaryKey {
        /// Its table.
        table: String,
    },
    /// Add a table's primary key (after its columns changed).
    AddPrimaryKey {
        /// Its table.
        table: String,
        /// The key's columns.
        columns: Vec<String>,
    },
    /// Add a UNIQUE constraint.
    AddUnique {
        /// Its table.
        table: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// Replace every CHECK constraint of a table.
    ReplaceChecks {
        /// Its table.
        table: String,
        /// The checks it gets.
        checks: Vec<CheckShape>,
    },
    /// Create an index.
    CreateIndex(IndexPlan),
    /// Add a foreign key to an existing table.
    AddForeignKey {
        /// Its table.
        table: String,
        /// The key.
        key: ForeignKeyPlan,
    },
    /// Create a view.
    CreateView(ViewShape),
    /// Create a trigger function and its trigger.
    CreateTrigger(TriggerShape),
    /// `DROP SCHEMA` (not CASCADE), after everything in it is gone.
    DropSchema,
}

impl Step {
    /// The table a step is about, if one.
    pub fn table(&self) -> Option<&str> {
        match self {
            Step::DropTable(t) | Step::CreateTable(t) => Some(&t.name),
            Step::DropForeignKey { table, .. }
            | Step::DropUnique { table, .. }
            | Step::DropColumn { table, .. }
            | Step::AddColumn { table, .. }
            | Step::AlterColumn { table, .. }
            | Step::DropPrimaryKey { table }
            | Step::AddPrimaryKey { table, .. }
            | Step::AddUnique { table, .. }
            | Step::ReplaceChecks { table, .. }
            | Step::AddForeignKey { table, .. } => Some(table),
            Step::DropIndex(i) | Step::CreateIndex(i) => Some(&i.table),
            Step::DropTrigger(t) | Step::CreateTrigger(t) => Some(&t.table),
            _ => None,
        }
    }

    /// What the step loses: stored values that no `down()` brings back.
    pub fn loses_data(&self) -> Option<String> {
        match self {
            Step::DropTable(t) => Some(format!("drops table `{}` with its rows", t.name)),
            Step::DropColumn { table, column } if column.generated.is_none() => Some(format!("drops column `{table}.{}` with its values", column.name)),
            _ => None,
        }
    }
}

/// The steps that take a schema from `old` to `new` (`None`: the schema does not exist), in an
/// order PostgreSQL accepts: what depends on a changing object is dropped first and created
/// again last. Empty when the two are equal.
pub fn steps(old: Option<&SchemaShape>, new: Option<&SchemaShape>) -> Vec<Step> {
    let empty = SchemaShape { schema: String::new(), nocase_collation: false, text_search_setup: Vec::new(), tables: Vec::new(), indexes: Vec::new(), views: Vec::new(), triggers: Vec::new() };
    let (o, n) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
    let mut out = Vec::new();
    if old.is_none() && new.is_some() {
        out.push(Step::CreateSchema);
    }
    if n.nocase_collation && !o.nocase_collation {
        out.push(Step::CreateCollation);
    }
    out.extend(n.text_search_setup.iter().filter(|s| !o.text_search_setup.contains(s)).map(|s| Step::Setup(s.clone())));

    let dropped: Vec<&TableShape> = o.tables.iter().filter(|t| n.table(&t.name).is_none()).collect();
    let created: Vec<&TableShape> = n.tables.iter().filter(|t| o.table(&t.name).is_none()).collect();
    let is_dropped = |name: &str| dropped.iter().any(|t| t.name == name);

    // Column steps of the tables both sides have; columns whose generation changes are dropped
    // and added again (PostgreSQL 15 cannot change a generation expression in place).
    let mut table_steps = Vec::new();
    let mut rebuilt: Vec<(String, String)> = Vec::new();
    let mut columns_change = !dropped.is_empty();
    for nt in &n.tables {
        let Some(ot) = o.table(&nt.name) else { continue };
        let table = nt.name.clone();
        for u in ot.uniques.iter().filter(|u| !nt.uniques.contains(u)) {
            table_steps.push(Step::DropUnique { table: table.clone(), columns: u.clone() });
        }
        let new_key = ot.primary_key != nt.primary_key;
        if new_key && !ot.primary_key.is_empty() {
            table_steps.push(Step::DropPrimaryKey { table: table.clone() });
        }
        for oc in ot.columns.iter().filter(|oc| !nt.columns.iter().any(|c| c.name == oc.name)) {
            columns_change = true;
            table_steps.push(Step::DropColumn { table: table.clone(), column: oc.clone() });
        }
        let mut alters = Vec::new();
        for nc in &nt.columns {
            match ot.columns.iter().find(|c| c.name == nc.name) {
                None => table_steps.push(Step::AddColumn { table: table.clone(), column: nc.clone(), not_null: nt.not_null(nc) }),
                Some(oc) if is_rebuilt(oc, nc) => {
                    columns_change = true;
                    rebuilt.push((table.clone(), nc.name.clone()));
                    table_steps.push(Step::DropColumn { table: table.clone(), column: oc.clone() });
                    table_steps.push(Step::AddColumn { table: table.clone(), column: nc.clone(), not_null: nt.not_null(nc) });
                }
                Some(oc) if oc != nc || ot.not_null(oc) != nt.not_null(nc) => {
                    columns_change = true;
                    alters.push(Step::AlterColumn { table: table.clone(), from: oc.clone(), to: nc.clone(), from_not_null: ot.not_null(oc), to_not_null: nt.not_null(nc) });
                }
                Some(_) => {}
            }
        }
        table_steps.extend(alters);
        if new_key && !nt.primary_key.is_empty() {
            table_steps.push(Step::AddPrimaryKey { table: table.clone(), columns: nt.primary_key.clone() });
        }
        for u in nt.uniques.iter().filter(|u| !ot.uniques.contains(u)) {
            table_steps.push(Step::AddUnique { table: table.clone(), columns: u.clone() });
        }
        if ot.checks != nt.checks {
            table_steps.push(Step::ReplaceChecks { table: table.clone(), checks: nt.checks.clone() });
        }
    }

    // Triggers are compared whole; views are dropped and created again together when any of
    // them changes or a column they might read changes type or goes.
    out.extend(o.triggers.iter().filter(|t| !n.triggers.contains(t)).map(|t| Step::DropTrigger(t.clone())));
    let views_again = o.views != n.views || (columns_change && !o.views.is_empty());
    if views_again {
        out.extend(o.views.iter().rev().map(|v| Step::DropView(v.clone())));
    }

    // Foreign keys: those of dropped tables go first too, so cycles among them come apart.
    for ot in &o.tables {
        let nt = n.table(&ot.name);
        for key in ot.all_foreign_keys() {
            if nt.is_none_or(|nt| !nt.all_foreign_keys().any(|k| k == key)) {
                out.push(Step::DropForeignKey { table: ot.name.clone(), key: key.clone() });
            }
        }
    }
    let on_rebuilt = |i: &IndexPlan| rebuilt.iter().any(|(t, c)| *t == i.table && i.parts.iter().any(|p| p.contains(c.as_str())));
    for oi in o.indexes.iter().filter(|oi| !is_dropped(&oi.table)) {
        if !n.indexes.contains(oi) || on_rebuilt(oi) {
            out.push(Step::DropIndex(oi.clone()));
        }
    }
    out.extend(dropped.iter().rev().map(|t| Step::DropTable((*t).clone())));
    out.extend(created.iter().map(|t| Step::CreateTable((*t).clone())));
    out.extend(table_steps);
    for ni in &n.indexes {
        if !o.indexes.contains(ni) || on_rebuilt(ni) {
            out.push(Step::CreateIndex(ni.clone()));
        }
    }
    for nt in &n.tables {
        let ot = o.table(&nt.name);
        let keys: Vec<&ForeignKeyPlan> = match ot {
            // A new table's own keys are in its CREATE; only the cycle-closing ones come after.
            None => nt.closing_foreign_keys.iter().collect(),
            Some(ot) => nt.all_foreign_keys().filter(|k| !ot.all_foreign_keys().any(|ok| ok == *k)).collect(),
        };
        out.extend(keys.into_iter().map(|k| Step::AddForeignKey { table: nt.name.clone(), key: k.clone() }));
    }
    if views_again {
        out.extend(n.views.iter().map(|v| Step::CreateView(v.clone())));
    }
    out.extend(n.triggers.iter().filter(|t| !o.triggers.contains(t)).map(|t| Step::CreateTrigger(t.clone())));
    if old.is_some() && new.is_none() {
        out.push(Step::DropSchema);
    }
    out
}

/// Tables whose columns, after `steps`, stand in another order than `new` lists them (PostgreSQL
/// adds columns at the end): `(table, order in new, order after the revision)`.
pub fn column_order_differences(old: &SchemaShape, new: &SchemaShape) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut out = Vec::new();
    for nt in &new.tables {
        let Some(ot) = old.table(&nt.name) else { continue };
        // Columns that stay in place keep their order; added and rebuilt ones come last.
        let mut after: Vec<String> = ot.columns.iter().filter(|oc| nt.columns.iter().any(|c| c.name == oc.name && !is_rebuilt(oc, c))).map(|c| c.name.clone()).collect();
        let added: Vec<String> = nt.columns.iter().filter(|c| !after.contains(&c.name)).map(|c| c.name.clone()).collect();
        after.extend(added);
        let wanted: Vec<String> = nt.columns.iter().map(|c| c.name.clone()).collect();
        if after != wanted {
            out.push((nt.name.clone(), wanted, after));
        }
    }
    out
}

/// The date part of revision `r`'s stamp: 2000-01-01 plus `r` days, as `YYYYMMDD`.
pub fn revision_date(r: u32) -> String {
    let (mut year, mut month, mut day) = (2000u32, 1u32, 1u32);
    let leap = |y: u32| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    for _ in 0..r {
        let days = match month {
            2 if leap(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        day += 1;
        if day > days {
            day = 1;
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
    }
    format!("{year:04}{month:02}{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, pg_type: PgType) -> ColumnShape {
        ColumnShape { name: name.into(), pg_type, nullable: true, identity: false, key_style: KeyStyle::Identity, default: None, generated: None, collation: None, epoch: None, declared: String::new() }
    }

    fn table(name: &str, columns: Vec<ColumnShape>) -> TableShape {
        TableShape { name: name.into(), columns, primary_key: Vec::new(), uniques: Vec::new(), named_uniques: Vec::new(), foreign_keys: Vec::new(), closing_foreign_keys: Vec::new(), checks: Vec::new() }
    }

    fn schema(tables: Vec<TableShape>) -> SchemaShape {
        SchemaShape { schema: "public".into(), nocase_collation: false, text_search_setup: Vec::new(), tables, indexes: Vec::new(), views: Vec::new(), triggers: Vec::new() }
    }

    #[test]
    fn equal_shapes_need_no_step() {
        let s = schema(vec![table("t", vec![column("a", PgType::BigInt)])]);
        assert!(steps(Some(&s), Some(&s)).is_empty());
    }

    #[test]
    fn steps_go_both_ways() {
        let old = schema(vec![table("t", vec![column("a", PgType::BigInt), column("gone", PgType::Text)])]);
        let mut new = schema(vec![table("t", vec![column("a", PgType::Boolean), column("b", PgType::Text)]), table("u", vec![column("x", PgType::Text)])]);
        new.views.push(ViewShape { name: "v".into(), query: "SELECT 1".into() });
        let up = steps(Some(&old), Some(&new));
        assert!(matches!(&up[0], Step::CreateTable(t) if t.name == "u"), "{up:?}");
        assert!(up.iter().any(|s| matches!(s, Step::DropColumn { column, .. } if column.name == "gone")));
        assert!(up.iter().any(|s| matches!(s, Step::AlterColumn { from, to, .. } if from.pg_type == PgType::BigInt && to.pg_type == PgType::Boolean)));
        assert!(matches!(up.last(), Some(Step::CreateView(v)) if v.name == "v"));
        let down = steps(Some(&new), Some(&old));
        assert!(matches!(&down[0], Step::DropView(v) if v.name == "v"), "{down:?}");
        assert!(down.iter().any(|s| matches!(s, Step::DropTable(t) if t.name == "u")));
        assert!(down.iter().any(|s| matches!(s, Step::AddColumn { column, .. } if column.name == "gone")));
        assert_eq!(up.iter().filter_map(Step::loses_data).count(), 1);
    }

    #[test]
    fn a_primary_key_goes_before_its_columns_change_and_comes_after() {
        let mut old = table("t", vec![column("a", PgType::BigInt), column("b", PgType::BigInt)]);
        old.primary_key = vec!["a".into()];
        let mut new = old.clone();
        new.primary_key = vec!["b".into()];
        let up = steps(Some(&schema(vec![old])), Some(&schema(vec![new])));
        let kinds: Vec<&str> = up
            .iter()
            .map(|s| match s {
                Step::DropPrimaryKey { .. } => "drop key",
                Step::AlterColumn { to_not_null: true, .. } => "set not null",
                Step::AlterColumn { .. } => "drop not null",
                Step::AddPrimaryKey { .. } => "add key",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["drop key", "drop not null", "set not null", "add key"]);
    }

    #[test]
    fn added_columns_stand_last() {
        let old = schema(vec![table("t", vec![column("a", PgType::Text), column("c", PgType::Text)])]);
        let new = schema(vec![table("t", vec![column("a", PgType::Text), column("b", PgType::Text), column("c", PgType::Text)])]);
        let order = column_order_differences(&old, &new);
        assert_eq!(order, vec![("t".to_string(), vec!["a".into(), "b".into(), "c".into()], vec!["a".into(), "c".into(), "b".into()])]);
        let appended = schema(vec![table("t", vec![column("a", PgType::Text), column("c", PgType::Text), column("b", PgType::Text)])]);
        assert!(column_order_differences(&old, &appended).is_empty());
    }

    #[test]
    fn revision_dates_count_days() {
        assert_eq!(revision_date(0), "20000101");
        assert_eq!(revision_date(1), "20000102");
        assert_eq!(revision_date(31), "20000201");
        assert_eq!(revision_date(59), "20000229");
        assert_eq!(revision_date(366), "20010101");
    }
}

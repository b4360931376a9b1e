//! The transformer: a plan becomes the model of what to emit, with every decision made.
//!
//! Takes a [`Plan`] of one schema; gives a [`Model`]: Rust names for tables and columns, the key
//! each entity uses, the migrations in order with their stamps, and the [`Finding`]s about what
//! the generated code leaves out or renames. Writers render the model and decide nothing.
//!
//! Tables without a primary key: SeaORM needs a key to identify a row. When the table has a
//! UNIQUE constraint over non-null columns, its entity uses that as the primary key (the
//! database keeps its UNIQUE; the finding says so). Otherwise the table gets no entity (its
//! migration still creates it) and a warning names it. Generated code always compiles.
//!
//! Migration stamps are positions, never the clock: `m20000101_000000_create_collation`,
//! `m20000101_{position:06}_create_<table>` in creation order from 1, then
//! `m20000101_800000_close_foreign_key_cycles` and `m20000101_900000_create_views_and_triggers`.
//! A table added at the end of the creation order adds one file and changes no other name.

use std::collections::BTreeSet;

use sqlite2pg_converter::plan::{DeferredForeignKey, Finding, Grade, Plan, SchemaPlan, TablePlan};

use crate::error::{Error, Result};
use crate::names::{Kind, RustName, module_word, name_all};

/// The fixed date part of every migration stamp.
pub const STAMP_DATE: &str = "20000101";

/// Everything to emit for one schema.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// The schema plan.
    pub schema: &'a SchemaPlan,
    /// The SQLite file's name (no folders: output must not depend on where the file is).
    pub source: String,
    /// Tables in creation order.
    pub tables: Vec<TableModel<'a>>,
    /// Migrations in the order they run.
    pub migrations: Vec<MigrationModel>,
    /// What the user should know about the generated code.
    pub findings: Vec<Finding>,
}

/// A table and its Rust names.
#[derive(Debug, Clone)]
pub struct TableModel<'a> {
    /// The planned table.
    pub plan: &'a TablePlan,
    /// The table's Rust name (entity module).
    pub name: RustName,
    /// Its columns' Rust names, in column order.
    pub columns: Vec<RustName>,
    /// The key its entity uses; `None`: no entity.
    pub entity_key: Option<EntityKey>,
}

/// The key an entity identifies rows by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityKey {
    /// The table's primary key.
    PrimaryKey,
    /// A UNIQUE constraint over non-null columns (PostgreSQL names), standing in for a missing
    /// primary key.
    Unique(Vec<String>),
}

impl TableModel<'_> {
    /// The Rust name of a column, by PostgreSQL name.
    pub fn column(&self, pg_name: &str) -> Option<&RustName> {
        self.columns.iter().find(|c| c.sql == pg_name)
    }

    /// The columns the entity treats as its primary key.
    pub fn entity_key_columns(&self) -> &[String] {
        match &self.entity_key {
            Some(EntityKey::Unique(cols)) => cols,
            _ => &self.plan.primary_key,
        }
    }
}

/// One migration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationModel {
    /// Module and file stem: `m20000101_000001_create_users`.
    pub module: String,
    /// What it does.
    pub kind: MigrationKind,
}

/// What a migration does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationKind {
    /// `CREATE COLLATION` for `COLLATE NOCASE` columns.
    Collation,
    /// Create one table (index into [`Model::tables`]) with its keys, checks and indexes.
    Table(usize),
    /// Add the foreign keys that close cycles.
    CloseCycles,
    /// Create views, trigger functions and triggers.
    ViewsAndTriggers,
}

/// Build the model of a plan with exactly one schema.
pub fn build(plan: &Plan) -> Result<Model<'_>> {
    let schema = match plan.schemas.as_slice() {
        [one] => one,
        [] => return Err(Error::NoSchema),
        many => {
            return Err(Error::SeveralSchemas { count: many.len(), names: many.iter().map(|s| s.schema.as_str()).collect::<Vec<_>>().join(", ") });
        }
    };
    let source = schema.source.file_name().map_or_else(|| schema.source.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut findings = Vec::new();

    let table_sql: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    let table_names = name_all(&table_sql, Kind::Table).ok_or_else(|| Error::Naming { object: format!("schema {}", schema.schema), name: table_sql.join(", ") })?;
    let mut tables = Vec::with_capacity(schema.tables.len());
    for (plan_table, name) in schema.tables.iter().zip(table_names) {
        let object = format!("table \"{}\"", plan_table.source_name);
        let col_sql: Vec<&str> = plan_table.columns.iter().map(|c| c.name.as_str()).collect();
        let columns = name_all(&col_sql, Kind::Column).ok_or_else(|| Error::Naming { object: object.clone(), name: col_sql.join(", ") })?;
        if name.renamed() {
            findings.push(Finding { grade: Grade::Info, object: object.clone(), message: format!("entity module `{}`: the name is not a Rust identifier as it is", name.snake) });
        }
        for c in columns.iter().filter(|c| c.renamed()) {
            findings.push(Finding { grade: Grade::Info, object: format!("{object} column \"{}\"", c.sql), message: format!("entity field `{}`, with `column_name = {:?}`", c.snake, c.sql) });
        }
        let entity_key = entity_key(plan_table);
        match &entity_key {
            Some(EntityKey::Unique(cols)) => findings.push(Finding {
                grade: Grade::Warning,
                object: object.clone(),
                message: format!("no primary key: its entity uses the non-null UNIQUE ({}) as its primary key; the database keeps the table as it is", cols.join(", ")),
            }),
            None => findings.push(Finding {
                grade: Grade::Warning,
                object: object.clone(),
                message: "no primary key and no UNIQUE over non-null columns: no entity is generated (SeaORM needs a key); the migration still creates the table. Add a primary key to get an entity".to_string(),
            }),
            Some(EntityKey::PrimaryKey) => {}
        }
        tables.push(TableModel { plan: plan_table, name, columns, entity_key });
    }

    let mut migrations = Vec::new();
    if schema.needs_nocase_collation || !schema.text_search_setup.is_empty() {
        let what = if schema.text_search_setup.is_empty() { "create_collation" } else { "prepare_schema" };
        migrations.push(MigrationModel { module: format!("m{STAMP_DATE}_000000_{what}"), kind: MigrationKind::Collation });
    }
    let mut words = BTreeSet::new();
    for (i, t) in tables.iter().enumerate() {
        let base = module_word(&t.plan.name);
        let mut word = base.clone();
        let mut n = 2;
        while !words.insert(word.clone()) {
            word = format!("{base}_{n}");
            n += 1;
        }
        migrations.push(MigrationModel { module: format!("m{STAMP_DATE}_{:06}_create_{word}", i + 1), kind: MigrationKind::Table(i) });
    }
    if !schema.deferred_foreign_keys.is_empty() {
        migrations.push(MigrationModel { module: format!("m{STAMP_DATE}_800000_close_foreign_key_cycles"), kind: MigrationKind::CloseCycles });
    }
    if !schema.views.is_empty() || !schema.triggers.is_empty() {
        migrations.push(MigrationModel { module: format!("m{STAMP_DATE}_900000_create_views_and_triggers"), kind: MigrationKind::ViewsAndTriggers });
    }
    Ok(Model { schema, source, tables, migrations, findings })
}

/// The key an entity can use: the primary key, else the first UNIQUE over non-null columns.
fn entity_key(table: &TablePlan) -> Option<EntityKey> {
    if !table.primary_key.is_empty() {
        return Some(EntityKey::PrimaryKey);
    }
    let not_null = |name: &String| table.columns.iter().any(|c| &c.name == name && (!c.nullable || c.identity));
    table.uniques.iter().find(|u| !u.is_empty() && u.iter().all(not_null)).map(|u| EntityKey::Unique(u.clone()))
}

impl Model<'_> {
    /// The deferred foreign keys of one table (PostgreSQL name).
    pub fn deferred_of<'s>(&'s self, table: &'s str) -> impl Iterator<Item = &'s DeferredForeignKey> + 's {
        self.schema.deferred_foreign_keys.iter().filter(move |d| d.table == table)
    }

    /// A table by PostgreSQL name.
    pub fn table(&self, pg_name: &str) -> Option<&TableModel<'_>> {
        self.tables.iter().find(|t| t.plan.name == pg_name)
    }
}

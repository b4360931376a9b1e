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
//! Migration stamps are positions, never the clock. One schema: `m20000101_000000_create_collation`
//! (or `_prepare_schema` when it also creates the schema or text search configurations),
//! `m20000101_{position:06}_create_<table>` in creation order from 1, then
//! `m20000101_800000_close_foreign_key_cycles` and `m20000101_900000_create_views_and_triggers`.
//! These are the stamps of a first generation (or `--fresh-migrations`); once a migrator has a
//! history, regenerating keeps its migrations and adds revisions ([`crate::history`]).
//!
//! Several schemas (several SQLite files, one schema each) share one migrator: schema number
//! `k` (from 1, in plan order) owns the stamps `m20000101_kk0000` to `m20000101_kk9999`:
//! `kk0000_create_schema_<schema>`, `kk{position:04}_<schema>_create_<table>`,
//! `kk8000_<schema>_close_foreign_key_cycles`, `kk9000_<schema>_create_views_and_triggers`.
//! Adding a table to one schema renames nothing in the others.

use std::collections::BTreeSet;

use sqlite2pg_converter::plan::{Finding, Grade, Plan, SchemaPlan, TablePlan};

use crate::error::{Error, Result};
use crate::names::{Kind, RustName, module_word, name_all};
use crate::options::Options;

/// The fixed date part of every migration stamp.
pub const STAMP_DATE: &str = "20000101";

/// Everything to emit for one schema.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    /// The schema plan.
    pub schema: &'a SchemaPlan,
    /// Where the schema sits when several share the generated code; `None` for a single schema.
    pub slot: Option<SchemaSlot>,
    /// Tables in creation order.
    pub tables: Vec<TableModel<'a>>,
    /// Migrations in the order they run.
    pub migrations: Vec<MigrationModel>,
    /// What the user should know about the generated code.
    pub findings: Vec<Finding>,
}

/// A schema's place among several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSlot {
    /// Its number, from 1 in plan order: the first two digits of its migration stamps.
    pub number: usize,
    /// Its Rust module name (the entity folder, the word in its migration names).
    pub module: RustName,
}

/// The most schemas one migrator numbers (two stamp digits).
pub const MAX_SCHEMAS: usize = 99;
/// The most tables one schema of several numbers (positions below the cycles' stamp 8000).
pub const MAX_TABLES_IN_SET: usize = 7999;

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
    /// Prepares the schema: creates it (when not `public`), the collation for `COLLATE NOCASE`
    /// columns and the text search configurations.
    Prepare,
    /// Create one table (index into [`Model::tables`]) with its keys, checks and indexes.
    Table(usize),
    /// Add the foreign keys that close cycles.
    CloseCycles,
    /// Create views, trigger functions and triggers.
    ViewsAndTriggers,
}

/// Build the model of every schema of a plan, in plan order. The plan is the application's
/// ([`app_plan`]: no bookkeeping tables). `options.include_hidden_tables` says whether a table
/// whose name starts with `_` gets an entity (sea-orm-cli's `--include-hidden-tables`).
pub fn build<'a>(plan: &'a Plan, options: &Options) -> Result<Vec<Model<'a>>> {
    match plan.schemas.as_slice() {
        [] => Err(Error::NoSchema),
        [one] => Ok(vec![build_schema(one, None, options)?]),
        many => {
            if many.len() > MAX_SCHEMAS {
                return Err(Error::TooMany { what: "schemas in one migrator".into(), count: many.len(), max: MAX_SCHEMAS });
            }
            let names: Vec<&str> = many.iter().map(|s| s.schema.as_str()).collect();
            let modules = name_all(&names, Kind::Table).ok_or_else(|| Error::Naming { object: "the plan's schemas".into(), name: names.join(", ") })?;
            many.iter().zip(modules).enumerate().map(|(i, (schema, module))| build_schema(schema, Some(SchemaSlot { number: i + 1, module }), options)).collect()
        }
    }
}

/// The model of one schema, alone (`slot` `None`) or one of several.
fn build_schema<'a>(schema: &'a SchemaPlan, slot: Option<SchemaSlot>, options: &Options) -> Result<Model<'a>> {
    let mut findings = Vec::new();
    let table_sql: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    let table_names = name_all(&table_sql, Kind::Table).ok_or_else(|| Error::Naming { object: format!("schema {}", schema.schema), name: table_sql.join(", ") })?;
    let mut tables = Vec::with_capacity(schema.tables.len());
    for (plan_table, name) in schema.tables.iter().zip(table_names) {
        let object = match &slot {
            Some(_) => format!("table \"{}\".\"{}\"", schema.schema, plan_table.source_name),
            None => format!("table \"{}\"", plan_table.source_name),
        };
        let col_sql: Vec<&str> = plan_table.columns.iter().map(|c| c.name.as_str()).collect();
        let columns = name_all(&col_sql, Kind::Column).ok_or_else(|| Error::Naming { object: object.clone(), name: col_sql.join(", ") })?;
        if name.renamed() {
            findings.push(Finding { grade: Grade::Info, object: object.clone(), message: format!("entity module `{}`: the name is not a Rust identifier as it is", name.snake) });
        }
        for c in columns.iter().filter(|c| c.renamed()) {
            findings.push(Finding { grade: Grade::Info, object: format!("{object} column \"{}\"", c.sql), message: format!("entity field `{}`, with `column_name = {:?}`", c.snake, c.sql) });
        }
        let hidden = plan_table.name.starts_with('_') && !options.include_hidden_tables;
        let entity_key = if hidden { None } else { entity_key(plan_table) };
        match &entity_key {
            None if hidden => findings.push(Finding {
                grade: Grade::Info,
                object: object.clone(),
                message: "its name starts with `_`: no entity, as sea-orm-cli skips hidden tables (`generate --include-hidden-tables` writes one); the migration still creates the table".to_string(),
            }),
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

    let migrations = migrations(schema, slot.as_ref(), &tables)?;
    Ok(Model { schema, slot, tables, migrations, findings })
}

/// The migrations of a schema, in the order they run, with their stamps (see the module doc).
fn migrations(schema: &SchemaPlan, slot: Option<&SchemaSlot>, tables: &[TableModel<'_>]) -> Result<Vec<MigrationModel>> {
    if slot.is_some() && tables.len() > MAX_TABLES_IN_SET {
        return Err(Error::TooMany { what: format!("tables in schema {} (one migrator of several schemas)", schema.schema), count: tables.len(), max: MAX_TABLES_IN_SET });
    }
    // Stamp and name of the n-th migration kind of this schema.
    let module = |position: usize, what: &str| match slot {
        None => format!("m{STAMP_DATE}_{position:06}_{what}"),
        Some(s) => format!("m{STAMP_DATE}_{:02}{position:04}_{}_{what}", s.number, s.module.snake),
    };
    let mut migrations = Vec::new();
    let needs_prepare = schema.schema != "public" || schema.needs_nocase_collation || !schema.extensions.is_empty() || !schema.text_search_setup.is_empty();
    if needs_prepare {
        let name = match slot {
            Some(s) => format!("m{STAMP_DATE}_{:02}0000_create_schema_{}", s.number, s.module.snake),
            None if schema.schema == "public" && schema.text_search_setup.is_empty() => module(0, "create_collation"),
            None => module(0, "prepare_schema"),
        };
        migrations.push(MigrationModel { module: name, kind: MigrationKind::Prepare });
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
        migrations.push(MigrationModel { module: module(i + 1, &format!("create_{word}")), kind: MigrationKind::Table(i) });
    }
    let (cycles, views) = if slot.is_some() { (8000, 9000) } else { (800_000, 900_000) };
    if !schema.deferred_foreign_keys.is_empty() {
        migrations.push(MigrationModel { module: module(cycles, "close_foreign_key_cycles"), kind: MigrationKind::CloseCycles });
    }
    if !schema.views.is_empty() || !schema.triggers.is_empty() {
        migrations.push(MigrationModel { module: module(views, "create_views_and_triggers"), kind: MigrationKind::ViewsAndTriggers });
    }
    Ok(migrations)
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
    /// A table by PostgreSQL name.
    pub fn table(&self, pg_name: &str) -> Option<&TableModel<'_>> {
        self.tables.iter().find(|t| t.plan.name == pg_name)
    }
}

/// The application's part of a plan: the plan without the bookkeeping tables of migration tools
/// (`seaql_migrations`, `django_migrations`, `alembic_version`, `SequelizeMeta`, ...; the list
/// is [`sqlite2pg_converter::framework::bookkeeping`]'s). They get no entity and no migration:
/// sea-orm-migration creates `seaql_migrations` itself (a migration creating it would fail with
/// `relation "seaql_migrations" already exists`), and another framework's table belongs to that
/// framework's migrations. The plan itself keeps them, so `copy` carries their rows where the
/// target has the table. Their indexes, triggers and full-text columns go with them, and so does
/// a foreign key referencing one (a finding names it). One info finding per table left out.
pub fn app_plan(plan: &Plan) -> (Plan, Vec<Finding>) {
    use sqlite2pg_converter::framework::migration_table_of;
    let bookkeeping = |t: &sqlite2pg_converter::plan::TablePlan| migration_table_of(&t.source_name, t.columns.iter().map(|c| c.source_name.as_str()));
    let mut app = plan.clone();
    let mut findings = Vec::new();
    let several = plan.schemas.len() > 1;
    for schema in &mut app.schemas {
        let object = |table: &str| if several { format!("table \"{}\".\"{table}\"", schema.schema) } else { format!("table \"{table}\"") };
        let left: BTreeSet<String> = schema.tables.iter().filter(|t| bookkeeping(t).is_some()).map(|t| t.name.clone()).collect();
        if left.is_empty() {
            continue;
        }
        for t in schema.tables.iter().filter(|t| left.contains(&t.name)) {
            let framework = bookkeeping(t).map_or("a migration tool", |f| f.name());
            findings.push(Finding {
                grade: Grade::Info,
                object: object(&t.source_name),
                message: format!("bookkeeping table of {framework}: no entity and no migration (its migration tool creates it); `copy` carries its rows where the target has it"),
            });
        }
        schema.tables.retain(|t| !left.contains(&t.name));
        for t in &mut schema.tables {
            let name = t.source_name.clone();
            t.foreign_keys.retain(|fk| {
                let keep = !left.contains(&fk.parent_table);
                if !keep {
                    findings.push(Finding {
                        grade: Grade::Warning,
                        object: format!("{} foreign key ({})", object(&name), fk.columns.join(", ")),
                        message: format!("references the bookkeeping table \"{}\", which the generated migrations do not create: left out", fk.parent_table),
                    });
                }
                keep
            });
        }
        schema.deferred_foreign_keys.retain(|d| !left.contains(&d.table) && !left.contains(&d.foreign_key.parent_table));
        schema.indexes.retain(|i| !left.contains(&i.table));
        schema.triggers.retain(|t| !left.contains(&t.table));
        schema.full_text.retain(|f| !left.contains(&f.table));
    }
    (app, findings)
}

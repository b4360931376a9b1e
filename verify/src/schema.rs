//! Schema drift: does a live PostgreSQL schema still match the plan? (`sqlite2pg check`)
//!
//! Takes a [`Plan`] and a target; gives a [`SchemaReport`] listing every [`Drift`].
//!
//! How: the plan's DDL ([`ddl::render`] without comments) is built into a **scratch database**
//! created on the target's server (`sqlite2pg_check_<pid>_<nanos>`, `TEMPLATE template0`, the
//! target's encoding and locale) and dropped at the end, also when the comparison fails. The
//! role therefore needs `CREATEDB`; without it the check stops with
//! [`VerifyError::Scratch`](crate::VerifyError::Scratch). A process killed mid-run can leave a
//! `sqlite2pg_check_*` database behind; nothing else ever uses that prefix. Then the catalogs of
//! the two databases are read, schema by schema (`plan.schemas[i].schema`), with
//! `search_path = pg_catalog` on both sides so every name PostgreSQL prints is qualified the same
//! way, and compared object by object:
//!
//! - tables; per table its columns (`format_type`, NOT NULL, default, identity, generated
//!   expression, collation when not the type's) and their order;
//! - constraints (primary key, UNIQUE, foreign key with its actions and deferral, CHECK,
//!   exclusion) by `pg_get_constraintdef` (so a `NOT VALID` key differs too);
//! - indexes that back no constraint (partial, expression, GIN, ...) by `pg_get_indexdef` with
//!   the index's own name taken out, plus `[invalid]` for an index a failed build left;
//! - views and materialized views by `pg_get_viewdef`; triggers by `pg_get_triggerdef` (plus
//!   `[disabled]`); functions by `pg_get_functiondef` (extension members left out); collations,
//!   text search configurations, extensions and free-standing sequences of the schema.
//!
//! A drift with `found: None` is missing from the target, with `expected: None` is extra there,
//! with both is different. Objects of a table or view that exists on one side only are not
//! listed again one by one.
//!
//! **Names.** Constraints and indexes are matched by definition, then by name. When a
//! definition matches but the name differs, that is a drift of its own kind
//! ([`ObjectKind::ConstraintName`], [`ObjectKind::IndexName`]) rather than a missing and an
//! extra object: the migrator is built to give the DDL's names, and later migrations
//! (`DROP CONSTRAINT x`) rely on them, so it still counts (exit 9). Same name, other definition
//! is one "different" drift of the object's kind.
//!
//! Left out: the tool's own schema `sqlite2pg`, sea-orm-migration's `seaql_migrations` table
//! (and its key), schemas the plan does not name, ownership, grants, comments, statistics.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;
use sqlite2pg_converter::ddl;
use sqlite2pg_converter::plan::Plan;
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, PgConnection};

use crate::compare::VerifyError;

/// The table sea-orm-migration keeps its history in; never part of the plan.
const MIGRATIONS_TABLE: &str = "seaql_migrations";
/// The tool's own schema (copy progress); never compared.
const TOOL_SCHEMA: &str = "sqlite2pg";
/// Prefix of scratch database names.
const SCRATCH_PREFIX: &str = "sqlite2pg_check_";

/// What kind of object drifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ObjectKind {
    /// The schema itself.
    Schema,
    /// A table.
    Table,
    /// A column (missing or extra).
    Column,
    /// A table's column order (same columns, other order).
    ColumnOrder,
    /// A column's type.
    Type,
    /// A column's NOT NULL.
    Nullability,
    /// A column's DEFAULT.
    Default,
    /// A column's identity (`a` always, `d` by default).
    Identity,
    /// A column's generation expression.
    Generated,
    /// A column's collation.
    ColumnCollation,
    /// A primary key.
    PrimaryKey,
    /// A UNIQUE constraint.
    Unique,
    /// A foreign key.
    ForeignKey,
    /// A CHECK constraint.
    Check,
    /// An exclusion constraint.
    Exclusion,
    /// A constraint whose definition matches under another name.
    ConstraintName,
    /// An index.
    Index,
    /// An index whose definition matches under another name.
    IndexName,
    /// A view.
    View,
    /// A materialized view.
    MaterializedView,
    /// A trigger.
    Trigger,
    /// A function (trigger functions among them).
    Function,
    /// A collation.
    Collation,
    /// A text search configuration.
    TextSearchConfiguration,
    /// An extension installed in the schema.
    Extension,
    /// A sequence not owned by an identity column.
    Sequence,
}

impl ObjectKind {
    /// The name used in every output format (as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Schema => "schema",
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::ColumnOrder => "column_order",
            ObjectKind::Type => "type",
            ObjectKind::Nullability => "nullability",
            ObjectKind::Default => "default",
            ObjectKind::Identity => "identity",
            ObjectKind::Generated => "generated",
            ObjectKind::ColumnCollation => "column_collation",
            ObjectKind::PrimaryKey => "primary_key",
            ObjectKind::Unique => "unique",
            ObjectKind::ForeignKey => "foreign_key",
            ObjectKind::Check => "check",
            ObjectKind::Exclusion => "exclusion",
            ObjectKind::ConstraintName => "constraint_name",
            ObjectKind::Index => "index",
            ObjectKind::IndexName => "index_name",
            ObjectKind::View => "view",
            ObjectKind::MaterializedView => "materialized_view",
            ObjectKind::Trigger => "trigger",
            ObjectKind::Function => "function",
            ObjectKind::Collation => "collation",
            ObjectKind::TextSearchConfiguration => "text_search_configuration",
            ObjectKind::Extension => "extension",
            ObjectKind::Sequence => "sequence",
        }
    }

    fn of_constraint(contype: &str) -> ObjectKind {
        match contype {
            "p" => ObjectKind::PrimaryKey,
            "u" => ObjectKind::Unique,
            "f" => ObjectKind::ForeignKey,
            "x" => ObjectKind::Exclusion,
            _ => ObjectKind::Check,
        }
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One difference between the plan and the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The PostgreSQL schema.
    pub schema: String,
    /// What kind of object.
    pub object_kind: ObjectKind,
    /// The object: `table`, `table.column`, `table.constraint`, `table.index`,
    /// `table.trigger`, `view`, `function(args)`, ...
    pub object: String,
    /// What the plan makes (None: the target has something the plan does not).
    pub expected: Option<String>,
    /// What the target has (None: missing from the target).
    pub found: Option<String>,
}

impl Drift {
    /// `missing`, `extra` or `different`.
    pub fn change(&self) -> &'static str {
        match (&self.expected, &self.found) {
            (Some(_), None) => "missing",
            (None, Some(_)) => "extra",
            _ => "different",
        }
    }
}

/// The result of `check`.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaReport {
    /// Every difference, sorted by schema, kind and object.
    pub drifts: Vec<Drift>,
    /// No drift at all.
    pub ok: bool,
}

/// Compare the schema of the PostgreSQL database `target` with what `plan` builds.
///
/// Builds the plan's DDL into a scratch database on the same server (dropped at the end,
/// whatever happens in between), then compares the two catalogs; see the module doc.
pub async fn check_schema(plan: &Plan, target: &PgConnectOptions) -> Result<SchemaReport, VerifyError> {
    let pool = sqlite2pg_pg::connect(target, 1).await?;
    let mut admin = pool.acquire().await.map_err(pg("connecting to the target"))?;
    let scratch = create_scratch(&mut admin, target).await?;
    let result = build_and_compare(plan, target, &mut admin, &scratch).await;
    let dropped = sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&scratch))))
        .execute(&mut *admin)
        .await
        .map_err(pg(format!("dropping the scratch database {scratch}")));
    drop(admin);
    pool.close().await;
    let report = result?;
    dropped?;
    Ok(report)
}

fn pg(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> VerifyError {
    let context = context.into();
    move |source| VerifyError::Postgres { context, source: sqlite2pg_pg::ServerError(source) }
}

/// `"name"` with inner quotes doubled.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Create an empty database beside the target, with its encoding and locale.
async fn create_scratch(admin: &mut PgConnection, target: &PgConnectOptions) -> Result<String, VerifyError> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let name = format!("{SCRATCH_PREFIX}{}_{nanos}", std::process::id());
    let (encoding, collate, ctype): (String, String, String) =
        sqlx::query_as("SELECT pg_encoding_to_char(encoding)::text, datcollate::text, datctype::text FROM pg_database WHERE datname = current_database()")
            .fetch_one(&mut *admin)
            .await
            .map_err(pg("reading the target database's encoding"))?;
    let sql = format!(
        "CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}",
        quote_ident(&name),
        quote_literal(&encoding),
        quote_literal(&collate),
        quote_literal(&ctype)
    );
    sqlx::raw_sql(AssertSqlSafe(sql))
        .execute(&mut *admin)
        .await
        .map_err(|source| VerifyError::Scratch { database: name.clone(), target: sqlite2pg_pg::describe(target), source: source.into() })?;
    Ok(name)
}

async fn build_and_compare(plan: &Plan, target: &PgConnectOptions, admin: &mut PgConnection, scratch: &str) -> Result<SchemaReport, VerifyError> {
    let scratch_pool = sqlite2pg_pg::connect(&target.clone().database(scratch), 1).await?;
    let result = async {
        let mut conn = scratch_pool.acquire().await.map_err(pg("connecting to the scratch database"))?;
        let script = ddl::render(plan, ddl::DdlOptions { comments: false });
        sqlx::raw_sql(AssertSqlSafe(script)).execute(&mut *conn).await.map_err(pg(format!("building the plan's schema in the scratch database {scratch}")))?;
        set_catalog_path(&mut conn).await?;
        set_catalog_path(admin).await?;
        let mut drifts = Vec::new();
        for schema in plan.schemas.iter().map(|s| s.schema.as_str()).filter(|s| *s != TOOL_SCHEMA).collect::<BTreeSet<_>>() {
            let expected = read_schema(&mut conn, schema).await?;
            let found = read_schema(admin, schema).await?;
            drifts.extend(diff_schema(schema, &expected, &found));
        }
        drifts.sort_by(|a, b| (&a.schema, a.object_kind, &a.object).cmp(&(&b.schema, b.object_kind, &b.object)));
        let ok = drifts.is_empty();
        Ok(SchemaReport { drifts, ok })
    }
    .await;
    scratch_pool.close().await;
    // The admin connection goes back to its pool (closed right after); leave it as found.
    let _ = sqlx::raw_sql("RESET search_path").execute(&mut *admin).await;
    result
}

async fn set_catalog_path(conn: &mut PgConnection) -> Result<(), VerifyError> {
    sqlx::raw_sql("SET search_path TO pg_catalog").execute(&mut *conn).await.map_err(pg("setting search_path"))?;
    Ok(())
}

/// A column as the catalog describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Column {
    name: String,
    data_type: String,
    not_null: bool,
    default: Option<String>,
    identity: Option<String>,
    generated: Option<String>,
    collation: Option<String>,
}

/// An object with a name and a definition, inside a scope (its table, or the schema: "").
#[derive(Debug, Clone, PartialEq, Eq)]
struct Named {
    scope: String,
    name: String,
    kind: ObjectKind,
    def: String,
}

/// One schema's catalog.
#[derive(Debug, Default)]
struct SchemaCatalog {
    exists: bool,
    /// Tables (regular, partitioned, foreign) and their columns in order.
    tables: BTreeMap<String, Vec<Column>>,
    constraints: Vec<Named>,
    indexes: Vec<Named>,
    /// Views and materialized views; triggers, functions, collations, text search
    /// configurations, extensions, sequences: compared by name, then definition.
    others: Vec<Named>,
}

impl SchemaCatalog {
    fn relations(&self) -> BTreeSet<&str> {
        self.tables.keys().map(String::as_str).chain(self.others.iter().filter(|o| matches!(o.kind, ObjectKind::View | ObjectKind::MaterializedView)).map(|o| o.name.as_str())).collect()
    }
}

const COLUMNS: &str = "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), \
     a.attidentity::text, a.attgenerated::text, \
     CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END \
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid \
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
     LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace \
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f') AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> $2 \
     ORDER BY c.relname, a.attnum";

const TABLES: &str = "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f') AND c.relname <> $2";

const CONSTRAINTS: &str = "SELECT c.relname::text, con.conname::text, con.contype::text, pg_get_constraintdef(con.oid) \
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
     WHERE n.nspname = $1 AND con.contype IN ('p', 'u', 'f', 'c', 'x') AND c.relname <> $2";

const INDEXES: &str = "SELECT t.relname::text, i.relname::text, \
     replace(pg_get_indexdef(x.indexrelid), 'INDEX ' || quote_ident(i.relname) || ' ON ', 'INDEX ON ') \
     || CASE WHEN x.indisvalid THEN '' ELSE ' [invalid]' END \
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
     WHERE n.nspname = $1 AND t.relname <> $2 \
     AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))";

/// (kind, scope, name, definition) of everything compared by name.
const OTHERS: &str = "\
     SELECT CASE c.relkind WHEN 'v' THEN 'view' ELSE 'materialized_view' END, '', c.relname::text, pg_get_viewdef(c.oid) \
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('v', 'm') \
     UNION ALL \
     SELECT 'trigger', c.relname::text, t.tgname::text, pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'D' THEN ' [disabled]' ELSE '' END \
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
       WHERE n.nspname = $1 AND NOT t.tgisinternal AND c.relname <> $2 \
     UNION ALL \
     SELECT 'function', '', p.proname::text || '(' || pg_get_function_identity_arguments(p.oid) || ')', pg_get_functiondef(p.oid) \
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
       WHERE n.nspname = $1 AND p.prokind IN ('f', 'p') \
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') \
     UNION ALL \
     SELECT 'collation', '', co.collname::text, (to_jsonb(co) - 'oid' - 'collname' - 'collnamespace' - 'collowner' - 'collversion')::text \
       FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace WHERE n.nspname = $1 \
     UNION ALL \
     SELECT 'text_search_configuration', '', cfg.cfgname::text, \
       'parser ' || (SELECT prsname::text FROM pg_ts_parser WHERE oid = cfg.cfgparser) || '; ' || coalesce((SELECT string_agg(m.maptokentype || ':' || d.dictname::text, ', ' ORDER BY m.maptokentype, m.mapseqno) \
         FROM pg_ts_config_map m JOIN pg_ts_dict d ON d.oid = m.mapdict WHERE m.mapcfg = cfg.oid), '') \
       FROM pg_ts_config cfg JOIN pg_namespace n ON n.oid = cfg.cfgnamespace WHERE n.nspname = $1 \
     UNION ALL \
     SELECT 'extension', '', e.extname::text, 'version ' || e.extversion \
       FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = $1 \
     UNION ALL \
     SELECT 'sequence', '', c.relname::text, format_type(s.seqtypid, NULL) \
       FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
       WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('i', 'e'))";

async fn read_schema(conn: &mut PgConnection, schema: &str) -> Result<SchemaCatalog, VerifyError> {
    let what = |w: &str| format!("reading the catalog of schema {schema}: {w}");
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)").bind(schema).fetch_one(&mut *conn).await.map_err(pg(what("schema")))?;
    let mut catalog = SchemaCatalog { exists, ..Default::default() };
    if !exists {
        return Ok(catalog);
    }
    let tables: Vec<(String,)> = sqlx::query_as(TABLES).bind(schema).bind(MIGRATIONS_TABLE).fetch_all(&mut *conn).await.map_err(pg(what("tables")))?;
    for (t,) in tables {
        catalog.tables.insert(t, Vec::new());
    }
    type ColumnRow = (String, String, String, bool, Option<String>, String, String, Option<String>);
    let columns: Vec<ColumnRow> = sqlx::query_as(COLUMNS).bind(schema).bind(MIGRATIONS_TABLE).fetch_all(&mut *conn).await.map_err(pg(what("columns")))?;
    for (table, name, data_type, not_null, expr, identity, generated, collation) in columns {
        let is_generated = !generated.is_empty();
        let column = Column {
            name,
            data_type,
            not_null,
            default: expr.clone().filter(|_| !is_generated),
            identity: Some(identity).filter(|i| !i.is_empty()),
            generated: if is_generated { Some(format!("{} ({generated})", expr.unwrap_or_default())) } else { None },
            collation,
        };
        catalog.tables.entry(table).or_default().push(column);
    }
    let constraints: Vec<(String, String, String, String)> =
        sqlx::query_as(CONSTRAINTS).bind(schema).bind(MIGRATIONS_TABLE).fetch_all(&mut *conn).await.map_err(pg(what("constraints")))?;
    catalog.constraints = constraints.into_iter().map(|(scope, name, contype, def)| Named { scope, name, kind: ObjectKind::of_constraint(&contype), def }).collect();
    let indexes: Vec<(String, String, String)> = sqlx::query_as(INDEXES).bind(schema).bind(MIGRATIONS_TABLE).fetch_all(&mut *conn).await.map_err(pg(what("indexes")))?;
    catalog.indexes = indexes.into_iter().map(|(scope, name, def)| Named { scope, name, kind: ObjectKind::Index, def }).collect();
    let others: Vec<(String, String, String, String)> = sqlx::query_as(OTHERS).bind(schema).bind(MIGRATIONS_TABLE).fetch_all(&mut *conn).await.map_err(pg(what("views, triggers, functions")))?;
    catalog.others = others
        .into_iter()
        .map(|(kind, scope, name, def)| {
            let kind = match kind.as_str() {
                "view" => ObjectKind::View,
                "materialized_view" => ObjectKind::MaterializedView,
                "trigger" => ObjectKind::Trigger,
                "function" => ObjectKind::Function,
                "collation" => ObjectKind::Collation,
                "text_search_configuration" => ObjectKind::TextSearchConfiguration,
                "extension" => ObjectKind::Extension,
                _ => ObjectKind::Sequence,
            };
            Named { scope, name, kind, def }
        })
        .collect();
    Ok(catalog)
}

/// Every drift of one schema: `expected` is what the plan builds, `found` the target's.
fn diff_schema(schema: &str, expected: &SchemaCatalog, found: &SchemaCatalog) -> Vec<Drift> {
    let mut out = Vec::new();
    let mut push = |object_kind: ObjectKind, object: String, expected: Option<String>, found: Option<String>| {
        out.push(Drift { schema: schema.to_string(), object_kind, object, expected, found });
    };
    if !found.exists {
        push(ObjectKind::Schema, schema.to_string(), Some(format!("schema {schema}")), None);
        return out;
    }
    for (table, columns) in &expected.tables {
        match found.tables.get(table) {
            None => push(ObjectKind::Table, table.clone(), Some(columns_summary(columns)), None),
            Some(found_columns) => diff_columns(table, columns, found_columns, &mut push),
        }
    }
    for (table, columns) in found.tables.iter().filter(|(t, _)| !expected.tables.contains_key(*t)) {
        push(ObjectKind::Table, table.clone(), None, Some(columns_summary(columns)));
    }
    // Objects of a relation present on one side only are covered by that relation's drift.
    let (expected_rels, found_rels) = (expected.relations(), found.relations());
    let shared = |n: &&Named| n.scope.is_empty() || (expected_rels.contains(n.scope.as_str()) && found_rels.contains(n.scope.as_str()));
    let keep = |v: &[Named]| v.iter().filter(shared).cloned().collect::<Vec<_>>();
    for d in diff_named(keep(&expected.constraints), keep(&found.constraints), Some(ObjectKind::ConstraintName)) {
        push(d.0, d.1, d.2, d.3);
    }
    for d in diff_named(keep(&expected.indexes), keep(&found.indexes), Some(ObjectKind::IndexName)) {
        push(d.0, d.1, d.2, d.3);
    }
    for d in diff_named(keep(&expected.others), keep(&found.others), None) {
        push(d.0, d.1, d.2, d.3);
    }
    out
}

fn columns_summary(columns: &[Column]) -> String {
    columns.iter().map(|c| format!("{} {}", c.name, c.data_type)).collect::<Vec<_>>().join(", ")
}

fn column_summary(c: &Column) -> String {
    let mut s = format!("{} {}", c.name, c.data_type);
    if let Some(coll) = &c.collation {
        let _ = write!(s, " COLLATE {coll}");
    }
    if c.not_null {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        let _ = write!(s, " DEFAULT {d}");
    }
    if let Some(i) = &c.identity {
        s.push_str(if i == "a" { " GENERATED ALWAYS AS IDENTITY" } else { " GENERATED BY DEFAULT AS IDENTITY" });
    }
    if let Some(g) = &c.generated {
        let _ = write!(s, " GENERATED ALWAYS AS {g}");
    }
    s
}

fn diff_columns(table: &str, expected: &[Column], found: &[Column], push: &mut impl FnMut(ObjectKind, String, Option<String>, Option<String>)) {
    let by_name: BTreeMap<&str, &Column> = found.iter().map(|c| (c.name.as_str(), c)).collect();
    let expected_names: BTreeSet<&str> = expected.iter().map(|c| c.name.as_str()).collect();
    for e in expected {
        let object = format!("{table}.{}", e.name);
        let Some(f) = by_name.get(e.name.as_str()) else {
            push(ObjectKind::Column, object, Some(column_summary(e)), None);
            continue;
        };
        let null_word = |n: bool| Some(if n { "NOT NULL" } else { "NULL" }.to_string());
        let identity_word = |i: &Option<String>| i.as_ref().map(|i| if i == "a" { "ALWAYS".to_string() } else { "BY DEFAULT".to_string() });
        let facts = [
            (ObjectKind::Type, Some(e.data_type.clone()), Some(f.data_type.clone())),
            (ObjectKind::Nullability, null_word(e.not_null), null_word(f.not_null)),
            (ObjectKind::Default, e.default.clone(), f.default.clone()),
            (ObjectKind::Identity, identity_word(&e.identity), identity_word(&f.identity)),
            (ObjectKind::Generated, e.generated.clone(), f.generated.clone()),
            (ObjectKind::ColumnCollation, e.collation.clone(), f.collation.clone()),
        ];
        for (kind, a, b) in facts {
            if a != b {
                push(kind, object.clone(), a, b);
            }
        }
    }
    for f in found.iter().filter(|f| !expected_names.contains(f.name.as_str())) {
        push(ObjectKind::Column, format!("{table}.{}", f.name), None, Some(column_summary(f)));
    }
    // Order matters to `SELECT *`, `INSERT` without a column list and `COPY`.
    fn order<'a>(cols: &'a [Column], other: &BTreeSet<&str>) -> Vec<&'a str> {
        cols.iter().map(|c| c.name.as_str()).filter(|n| other.contains(n)).collect()
    }
    let found_names: BTreeSet<&str> = found.iter().map(|c| c.name.as_str()).collect();
    let (a, b) = (order(expected, &found_names), order(found, &expected_names));
    if a != b {
        push(ObjectKind::ColumnOrder, table.to_string(), Some(a.join(", ")), Some(b.join(", ")));
    }
}

/// Match named definitions: same scope, name and definition agree; then (when `rename` is
/// given) same definition under another name is a rename drift; then same name with another
/// definition is a "different" drift; the rest are missing or extra.
fn diff_named(mut expected: Vec<Named>, mut found: Vec<Named>, rename: Option<ObjectKind>) -> Vec<(ObjectKind, String, Option<String>, Option<String>)> {
    let object = |n: &Named| if n.scope.is_empty() { n.name.clone() } else { format!("{}.{}", n.scope, n.name) };
    let mut out = Vec::new();
    expected.retain(|e| match found.iter().position(|f| f.scope == e.scope && f.name == e.name && f.def == e.def && f.kind == e.kind) {
        Some(i) => {
            found.remove(i);
            false
        }
        None => true,
    });
    if let Some(kind) = rename {
        expected.retain(|e| match found.iter().position(|f| f.scope == e.scope && f.def == e.def && f.kind == e.kind) {
            Some(i) => {
                let f = found.remove(i);
                out.push((kind, object(e), Some(e.name.clone()), Some(f.name)));
                false
            }
            None => true,
        });
    }
    expected.retain(|e| match found.iter().position(|f| f.scope == e.scope && f.name == e.name && (f.kind == e.kind || rename.is_some())) {
        Some(i) => {
            let f = found.remove(i);
            out.push((e.kind, object(e), Some(e.def.clone()), Some(f.def)));
            false
        }
        None => true,
    });
    out.extend(expected.into_iter().map(|e| (e.kind, object(&e), Some(e.def), None)));
    out.extend(found.into_iter().map(|f| (f.kind, object(&f), None, Some(f.def))));
    out
}

/// Terminal table of the drifts and a closing line.
pub fn render_schema_text(r: &SchemaReport) -> String {
    if r.ok {
        return "check: the schema matches the plan\n".to_string();
    }
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_header(vec!["schema", "kind", "object", "change", "expected (plan)", "found (target)"]);
    for d in &r.drifts {
        t.add_row(vec![
            d.schema.clone(),
            d.object_kind.to_string(),
            d.object.clone(),
            d.change().to_string(),
            d.expected.clone().unwrap_or_else(|| "-".into()),
            d.found.clone().unwrap_or_else(|| "-".into()),
        ]);
    }
    format!("{t}\ncheck: {} DRIFT{} FOUND\n", r.drifts.len(), if r.drifts.len() == 1 { "" } else { "S" })
}

/// Markdown: one table row per drift.
pub fn render_schema_markdown(r: &SchemaReport) -> String {
    let mut out = String::from("# sqlite2pg schema check\n\n");
    if r.ok {
        out.push_str("**The schema matches the plan.**\n");
        return out;
    }
    let cell = |s: &Option<String>| match s {
        None => "-".to_string(),
        Some(s) => format!("`{}`", s.replace('|', "\\|").replace('`', "'").replace('\n', " ")),
    };
    out.push_str("| schema | kind | object | change | expected (plan) | found (target) |\n|---|---|---|---|---|---|\n");
    for d in &r.drifts {
        let _ = writeln!(out, "| {} | {} | {} | {} | {} | {} |", d.schema, d.object_kind, d.object.replace('|', "\\|"), d.change(), cell(&d.expected), cell(&d.found));
    }
    let _ = writeln!(out, "\n**{} drift{} found.**", r.drifts.len(), if r.drifts.len() == 1 { "" } else { "s" });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(scope: &str, name: &str, kind: ObjectKind, def: &str) -> Named {
        Named { scope: scope.into(), name: name.into(), kind, def: def.into() }
    }

    #[test]
    fn named_objects_match_by_definition_then_name() {
        let expected = vec![
            named("t", "t_pkey", ObjectKind::PrimaryKey, "PRIMARY KEY (id)"),
            named("t", "t_a_check", ObjectKind::Check, "CHECK ((a > 0))"),
            named("t", "t_b_key", ObjectKind::Unique, "UNIQUE (b)"),
            named("t", "t_c_fkey", ObjectKind::ForeignKey, "FOREIGN KEY (c) REFERENCES u(id)"),
        ];
        let found = vec![
            named("t", "t_pkey", ObjectKind::PrimaryKey, "PRIMARY KEY (id)"),
            named("t", "t_a_check", ObjectKind::Check, "CHECK ((a > 1))"),
            named("t", "b_unique", ObjectKind::Unique, "UNIQUE (b)"),
            named("t", "t_d_check", ObjectKind::Check, "CHECK ((d <> ''))"),
        ];
        let got = diff_named(expected, found, Some(ObjectKind::ConstraintName));
        assert_eq!(
            got,
            vec![
                (ObjectKind::ConstraintName, "t.t_b_key".into(), Some("t_b_key".into()), Some("b_unique".into())),
                (ObjectKind::Check, "t.t_a_check".into(), Some("CHECK ((a > 0))".into()), Some("CHECK ((a > 1))".into())),
                (ObjectKind::ForeignKey, "t.t_c_fkey".into(), Some("FOREIGN KEY (c) REFERENCES u(id)".into()), None),
                (ObjectKind::Check, "t.t_d_check".into(), None, Some("CHECK ((d <> ''))".into())),
            ]
        );
    }

    #[test]
    fn columns_differ_fact_by_fact_and_in_order() {
        let col = |name: &str, ty: &str, not_null: bool| Column { name: name.into(), data_type: ty.into(), not_null, ..Default::default() };
        let expected = vec![col("id", "bigint", true), col("a", "text", true), col("b", "text", false), col("gone", "text", false)];
        let found = vec![col("id", "bigint", true), col("b", "varchar(5)", false), col("a", "text", false), col("new", "int", false)];
        let mut got = Vec::new();
        diff_columns("t", &expected, &found, &mut |k, o, e, f| got.push((k, o, e, f)));
        let kinds: Vec<(ObjectKind, String)> = got.iter().map(|d| (d.0, d.1.clone())).collect();
        assert_eq!(
            kinds,
            vec![
                (ObjectKind::Nullability, "t.a".into()),
                (ObjectKind::Type, "t.b".into()),
                (ObjectKind::Column, "t.gone".into()),
                (ObjectKind::Column, "t.new".into()),
                (ObjectKind::ColumnOrder, "t".into()),
            ]
        );
    }

    #[test]
    fn missing_schema_is_one_drift() {
        let expected = SchemaCatalog { exists: true, ..Default::default() };
        let found = SchemaCatalog::default();
        let d = diff_schema("app", &expected, &found);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].object_kind, d[0].change()), (ObjectKind::Schema, "missing"));
    }
}

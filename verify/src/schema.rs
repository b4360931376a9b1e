//! Schema drift: does a live PostgreSQL schema still match the plan? (`sqlite2pg check`)
//!
//! Takes a [`Plan`] and a target; gives a [`SchemaReport`] listing every [`Drift`].
//!
//! How: each plan schema's DDL ([`ddl::render_schema`] without comments, the schema renamed) is
//! built into a **scratch schema of the target database** (`sqlite2pg_check_<n>_<pid>_<nanos>`),
//! inside **one transaction that is always rolled back**: nothing is ever committed, so nothing
//! is left behind, whether the comparison succeeds, fails, or the process is killed (the server
//! rolls back the transaction of a session that ends). The role needs `CREATE` on the target
//! database (what `CREATE SCHEMA` and trusted extensions need), not `CREATEDB`. The target's
//! catalog is read first, outside that transaction, so an extension the build creates (rolled
//! back) never shows on the target's side; the scratch catalog is read inside it, and the
//! scratch schema's name, which is unique, is replaced in every definition by the plan's schema
//! name as PostgreSQL prints it.
//!
//! Why not `pg_temp`, which needs only the default `TEMP` privilege: PostgreSQL never looks
//! up functions, operators, collations or text search configurations in the temporary schema,
//! and the plan's DDL names its own (trigger functions, `sqlite_nocase`, `sqlite_porter`,
//! `sqlite2pg_to_char`) unqualified, as the application's migrations do; building there would
//! mean rewriting the converter's SQL, and a reference the rewrite missed would bind to (or
//! `ALTER`) the live object of the same name. A real schema resolves every name as the target does.
//!
//! A role without `CREATE` on the database but with `CREATEDB` (what `check` needed before)
//! still works the former way: the whole DDL built into a scratch database on the same server
//! (`TEMPLATE template0`, the target's encoding and locale), dropped at the end, also when the
//! comparison fails (a process killed then can leave a `sqlite2pg_check_*` database). A role
//! with neither stops with [`VerifyError::NoScratch`](crate::VerifyError::NoScratch), which
//! names the `GRANT` to run.
//!
//! Both catalogs are read schema by schema with `search_path = pg_catalog`, so every name
//! PostgreSQL prints is qualified the same way, and compared object by object:
//!
//! - tables; per table its columns (`format_type`, NOT NULL, default, identity, generated
//!   expression, collation when not the type's) and their order;
//! - constraints (primary key, UNIQUE, foreign key with its actions and deferral, CHECK,
//!   exclusion) by `pg_get_constraintdef` (so a `NOT VALID` key differs too);
//! - indexes that back no constraint (partial, expression, GIN, ...) by `pg_get_indexdef` with
//!   the index's own name taken out, plus `[invalid]` for an index a failed build left;
//! - views and materialized views by `pg_get_viewdef`; triggers by `pg_get_triggerdef` (plus
//!   `[disabled]`); functions by `pg_get_functiondef` (extension members left out); collations,
//!   text search configurations and free-standing sequences of the schema;
//! - extensions: each one the plan creates must be installed in the database, in `public`
//!   where the DDL puts it (extensions belong to the database: others are not listed).
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
use sqlite2pg_converter::plan::{Plan, SchemaPlan};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, PgConnection};

use crate::compare::VerifyError;

/// The table sea-orm-migration keeps its history in; never part of the plan.
const MIGRATIONS_TABLE: &str = "seaql_migrations";
/// The tool's own schema (copy progress); never compared.
const TOOL_SCHEMA: &str = "sqlite2pg";
/// Prefix of scratch schema and database names.
const SCRATCH_PREFIX: &str = "sqlite2pg_check_";
/// Where the plan's DDL creates extensions (`ddl::create_extension_sql`).
const EXTENSION_SCHEMA: &str = "public";

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
/// Builds the plan's DDL into scratch schemas of the target database inside one transaction
/// that is always rolled back (a role with `CREATE` on the database), or, for a role without
/// that privilege but with `CREATEDB`, into a scratch database dropped at the end; then
/// compares the catalogs. See the module doc.
pub async fn check_schema(plan: &Plan, target: &PgConnectOptions) -> Result<SchemaReport, VerifyError> {
    let pool = sqlite2pg_pg::connect(target, 1).await?;
    let mut admin = pool.acquire().await.map_err(pg("connecting to the target"))?;
    let result = check_on(plan, target, &mut admin).await;
    // The connection goes back to its pool (closed right after); leave it as found.
    let _ = sqlx::raw_sql("RESET search_path").execute(&mut *admin).await;
    drop(admin);
    pool.close().await;
    let mut drifts = result?;
    drifts.sort_by(|a, b| (&a.schema, a.object_kind, &a.object).cmp(&(&b.schema, b.object_kind, &b.object)));
    let ok = drifts.is_empty();
    Ok(SchemaReport { drifts, ok })
}

async fn check_on(plan: &Plan, target: &PgConnectOptions, admin: &mut PgConnection) -> Result<Vec<Drift>, VerifyError> {
    let (may_create_schema, may_create_database, role, database): (bool, bool, String, String) = sqlx::query_as(
        "SELECT has_database_privilege(current_database(), 'CREATE'), \
         coalesce((SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user), false), quote_ident(current_user), quote_ident(current_database())",
    )
    .fetch_one(&mut *admin)
    .await
    .map_err(pg("reading the role's privileges"))?;
    set_catalog_path(admin).await?;
    // The target's catalog first, before the build transaction (which may create a missing
    // extension, rolled back with the rest) could show it anything that is not there.
    let mut found = BTreeMap::new();
    for schema in plan_schemas(plan) {
        found.insert(schema, read_schema(admin, schema).await?);
    }
    let found_extensions = read_extensions(admin).await?;
    let mut drifts = diff_extensions(plan, &found_extensions);
    let built = if may_create_schema {
        build_in_scratch_schemas(plan, target, admin).await?
    } else if may_create_database {
        build_in_scratch_database(plan, target, admin).await?
    } else {
        return Err(VerifyError::NoScratch { target: sqlite2pg_pg::describe(target), role, database });
    };
    for (schema, expected) in &built {
        if let Some(found) = found.get(schema.as_str()) {
            drifts.extend(diff_schema(schema, expected, found));
        }
    }
    Ok(drifts)
}

/// The plan's schemas that are compared (the tool's own schema never is).
fn plan_schemas(plan: &Plan) -> BTreeSet<&str> {
    plan.schemas.iter().map(|s| s.schema.as_str()).filter(|s| *s != TOOL_SCHEMA).collect()
}

/// A name no other object has: the prefix, a counter, the process and the clock.
fn scratch_name(i: usize) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{SCRATCH_PREFIX}{i}_{}_{nanos}", std::process::id())
}

/// Each plan schema's DDL built into a scratch schema of the target database, its catalog read
/// (and renamed back to the plan's schema names), all inside one transaction that is rolled
/// back whatever happens: nothing is ever committed, so nothing can be left behind, not even by
/// a killed process (the server rolls back a transaction whose session ends).
async fn build_in_scratch_schemas(plan: &Plan, target: &PgConnectOptions, conn: &mut PgConnection) -> Result<Vec<(String, SchemaCatalog)>, VerifyError> {
    sqlx::raw_sql("BEGIN").execute(&mut *conn).await.map_err(pg("starting the build transaction"))?;
    let result = async {
        let schemas: Vec<&SchemaPlan> = plan.schemas.iter().filter(|s| s.schema != TOOL_SCHEMA).collect();
        let mut renames: Vec<(String, String)> = Vec::new();
        for (i, s) in schemas.iter().enumerate() {
            // The name as the catalog functions print it (quoted only where needed).
            let printed: String = sqlx::query_scalar("SELECT quote_ident($1)").bind(&s.schema).fetch_one(&mut *conn).await.map_err(pg("quoting a schema name"))?;
            renames.push((scratch_name(i), printed));
        }
        for ((scratch, _), schema) in renames.iter().zip(&schemas) {
            // The scratch schema exists before the script runs (a `public` plan's script creates
            // no schema), and the script's `CREATE SCHEMA IF NOT EXISTS` then does nothing.
            sqlx::raw_sql(AssertSqlSafe(format!("CREATE SCHEMA {}", quote_ident(scratch))))
                .execute(&mut *conn)
                .await
                .map_err(|source| VerifyError::Scratch { what: format!("schema {scratch}"), target: sqlite2pg_pg::describe(target), source: source.into() })?;
            let mut renamed = (*schema).clone();
            renamed.schema = scratch.clone();
            let mut script = String::new();
            ddl::render_schema(&mut script, &renamed, ddl::DdlOptions { comments: false });
            sqlx::raw_sql(AssertSqlSafe(script))
                .execute(&mut *conn)
                .await
                .map_err(pg(format!("building the plan's schema {} in the scratch schema {scratch}", schema.schema)))?;
        }
        set_catalog_path(conn).await?;
        let mut built = Vec::new();
        for ((scratch, _), schema) in renames.iter().zip(&schemas) {
            let mut catalog = read_schema(conn, scratch).await?;
            catalog.rename_schemas(&renames);
            built.push((schema.schema.clone(), catalog));
        }
        Ok::<_, VerifyError>(built)
    }
    .await;
    let rolled_back = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await.map_err(pg("rolling back the build transaction"));
    let built = result?;
    rolled_back?;
    Ok(built)
}

/// The former way, for a role with `CREATEDB` but without `CREATE` on the target database:
/// the plan's DDL built into a scratch database on the same server, dropped at the end.
async fn build_in_scratch_database(plan: &Plan, target: &PgConnectOptions, admin: &mut PgConnection) -> Result<Vec<(String, SchemaCatalog)>, VerifyError> {
    let scratch = create_scratch(admin, target).await?;
    let result: Result<Vec<(String, SchemaCatalog)>, VerifyError> = async {
        let scratch_pool = sqlite2pg_pg::connect(&target.clone().database(&scratch), 1).await?;
        let result = async {
            let mut conn = scratch_pool.acquire().await.map_err(pg("connecting to the scratch database"))?;
            let script = ddl::render(plan, ddl::DdlOptions { comments: false });
            sqlx::raw_sql(AssertSqlSafe(script)).execute(&mut *conn).await.map_err(pg(format!("building the plan's schema in the scratch database {scratch}")))?;
            set_catalog_path(&mut conn).await?;
            let mut built = Vec::new();
            for schema in plan_schemas(plan) {
                built.push((schema.to_string(), read_schema(&mut conn, schema).await?));
            }
            Ok::<_, VerifyError>(built)
        }
        .await;
        scratch_pool.close().await;
        result
    }
    .await;
    let dropped = sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&scratch))))
        .execute(&mut *admin)
        .await
        .map_err(pg(format!("dropping the scratch database {scratch}")));
    let built = result?;
    dropped?;
    Ok(built)
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
    let name = scratch_name(0);
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
        .map_err(|source| VerifyError::Scratch { what: format!("database {name}"), target: sqlite2pg_pg::describe(target), source: source.into() })?;
    Ok(name)
}

async fn set_catalog_path(conn: &mut PgConnection) -> Result<(), VerifyError> {
    sqlx::raw_sql("SET search_path TO pg_catalog").execute(&mut *conn).await.map_err(pg("setting search_path"))?;
    Ok(())
}

/// Installed extensions: name -> schema.
async fn read_extensions(conn: &mut PgConnection) -> Result<BTreeMap<String, String>, VerifyError> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT e.extname::text, n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace")
        .fetch_all(&mut *conn)
        .await
        .map_err(pg("reading the installed extensions"))?;
    Ok(rows.into_iter().collect())
}

/// Every extension a plan schema creates (`CREATE EXTENSION ... WITH SCHEMA public`) must be
/// installed in the target database, in `public`. Extensions are the database's, not a
/// schema's: others the target has are not the plan's business and are not listed.
fn diff_extensions(plan: &Plan, found: &BTreeMap<String, String>) -> Vec<Drift> {
    let mut out = Vec::new();
    for schema in plan.schemas.iter().filter(|s| s.schema != TOOL_SCHEMA) {
        for extension in schema.extensions.iter().collect::<BTreeSet<_>>() {
            let expected = format!("in schema {EXTENSION_SCHEMA}");
            let found = found.get(extension).map(|nsp| format!("in schema {nsp}"));
            if found.as_ref() != Some(&expected) {
                out.push(Drift { schema: schema.schema.clone(), object_kind: ObjectKind::Extension, object: extension.clone(), expected: Some(expected), found });
            }
        }
    }
    out
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
    /// Every scratch schema name in the catalog's texts replaced by the plan's schema name as
    /// PostgreSQL prints it (`renames`: scratch, printed name). The scratch names are unique
    /// (`sqlite2pg_check_<n>_<pid>_<nanos>`, printed bare), so no other text is touched. A
    /// `public` plan that creates extensions is built with `search_path` `scratch, public`
    /// (the script puts `public` after any schema but `public` itself), which its trigger
    /// functions record (`SET search_path FROM CURRENT`); the target's say `public` once.
    fn rename_schemas(&mut self, renames: &[(String, String)]) {
        let rename = |text: &mut String| {
            for (scratch, printed) in renames {
                // A function's `SET search_path TO '<schema>'` prints each schema as its bare
                // name in a literal (`'MyVideos107'`), not as an identifier.
                let bare = printed.strip_prefix('"').and_then(|p| p.strip_suffix('"')).map_or_else(|| printed.clone(), |p| p.replace("\"\"", "\""));
                let in_literal = format!("'{scratch}'");
                if text.contains(&in_literal) {
                    *text = text.replace(&in_literal, &format!("'{}'", bare.replace('\'', "''")));
                }
                if text.contains(scratch.as_str()) {
                    *text = text.replace(scratch.as_str(), printed);
                }
            }
            if text.contains("'public', 'public'") {
                *text = text.replace("'public', 'public'", "'public'");
            }
        };
        for column in self.tables.values_mut().flatten() {
            rename(&mut column.data_type);
            for text in [&mut column.default, &mut column.generated, &mut column.collation].into_iter().flatten() {
                rename(text);
            }
        }
        for named in self.constraints.iter_mut().chain(&mut self.indexes).chain(&mut self.others) {
            rename(&mut named.name);
            rename(&mut named.def);
        }
    }

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
    fn scratch_names_are_replaced_by_the_plans_schema() {
        let mut catalog = SchemaCatalog::default();
        catalog.tables.insert("t".into(), vec![Column { name: "a".into(), data_type: "sqlite2pg_check_0_1_2.citext".into(), collation: Some("sqlite2pg_check_0_1_2.sqlite_nocase".into()), ..Default::default() }]);
        catalog.others.push(named("", "f()", ObjectKind::Function, "CREATE FUNCTION sqlite2pg_check_0_1_2.f()\n SET search_path TO 'sqlite2pg_check_0_1_2', 'public'"));
        catalog.constraints.push(named("t", "t_b_fkey", ObjectKind::ForeignKey, "FOREIGN KEY (b) REFERENCES sqlite2pg_check_10_1_2.u(id)"));
        catalog.rename_schemas(&[("sqlite2pg_check_0_1_2".into(), "public".into()), ("sqlite2pg_check_10_1_2".into(), "\"My App\"".into())]);
        assert_eq!(catalog.tables["t"][0].data_type, "public.citext");
        assert_eq!(catalog.tables["t"][0].collation.as_deref(), Some("public.sqlite_nocase"));
        assert_eq!(catalog.others[0].def, "CREATE FUNCTION public.f()\n SET search_path TO 'public'");
        assert_eq!(catalog.constraints[0].def, "FOREIGN KEY (b) REFERENCES \"My App\".u(id)");
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

//! Copy state kept in PostgreSQL (schema `sqlite2pg`), committed with the data it describes, so
//! that a killed process or a lost connection leaves a state `--resume` can finish from.

use sqlx::{AssertSqlSafe, PgConnection, PgPool, Row};

use crate::error::CopyError;

/// The state tables. Their own schema keeps them out of the application's (and out of
/// sea-orm-migration's `fresh`, which drops every table of the application schema).
const SETUP: &str = "
CREATE SCHEMA IF NOT EXISTS sqlite2pg;
CREATE TABLE IF NOT EXISTS sqlite2pg.copy_progress (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    part integer NOT NULL DEFAULT 0,
    rowid_from bigint,
    rowid_to bigint,
    last_rowid bigint,
    rows_copied bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0,
    done boolean NOT NULL DEFAULT false,
    PRIMARY KEY (schema_name, table_name, part)
);
-- A state table from before tables were split into parts: the same table, one part each.
ALTER TABLE sqlite2pg.copy_progress ADD COLUMN IF NOT EXISTS part integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS rowid_from bigint, ADD COLUMN IF NOT EXISTS rowid_to bigint;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'sqlite2pg.copy_progress'::regclass AND contype = 'p' AND array_length(conkey, 1) = 3) THEN
        ALTER TABLE sqlite2pg.copy_progress DROP CONSTRAINT IF EXISTS copy_progress_pkey, ADD PRIMARY KEY (schema_name, table_name, part);
    END IF;
END $$;
CREATE TABLE IF NOT EXISTS sqlite2pg.copy_saved (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    definition text NOT NULL,
    PRIMARY KEY (schema_name, table_name, kind, name)
);
-- A foreign key of a table outside the copied schemas that references one of their tables:
-- the referenced table's schema, so that the copy of that schema restores it.
ALTER TABLE sqlite2pg.copy_saved ADD COLUMN IF NOT EXISTS referenced_schema text;
-- Tables being loaded with a plan made from a sample, until the exact plan, read during the
-- copy, confirms it: how that plan builds and converts each of them.
-- What each copied file looked like when its copy started, so --resume can tell a file that
-- changed since (rows added or changed after the interrupted copy read its snapshot).
CREATE TABLE IF NOT EXISTS sqlite2pg.copy_sources (
    schema_name text PRIMARY KEY,
    fingerprint text NOT NULL
);
CREATE TABLE IF NOT EXISTS sqlite2pg.copy_provisional (
    schema_name text NOT NULL,
    table_name text NOT NULL,
    definition text NOT NULL,
    PRIMARY KEY (schema_name, table_name)
);";

/// One table's recorded progress, over all its parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    pub rows_copied: i64,
    pub rows_rejected: i64,
}

/// One part of a table: a rowid range (the whole table when `rowids` is `None`) loaded by a
/// writer of its own, in rowid order, resumable after `last_rowid`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Part {
    pub part: i32,
    pub rowids: Option<(i64, i64)>,
    pub last_rowid: Option<i64>,
    pub rows_copied: i64,
    pub rows_rejected: i64,
    pub done: bool,
}

pub(crate) async fn ensure(pool: &PgPool) -> Result<(), CopyError> {
    sqlx::raw_sql(SETUP).execute(pool).await.map(|_| ()).map_err(CopyError::pg("creating the sqlite2pg.copy_progress table"))
}

/// The table's progress summed over its parts; `None` when nothing is recorded.
pub(crate) async fn load(pool: &PgPool, schema: &str, table: &str) -> Result<Option<Progress>, CopyError> {
    let parts = parts(pool, schema, table).await?;
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(Progress {
        rows_copied: parts.iter().map(|p| p.rows_copied).sum(),
        rows_rejected: parts.iter().map(|p| p.rows_rejected).sum(),
    }))
}

/// The recorded parts of a table, in order.
pub(crate) async fn parts(pool: &PgPool, schema: &str, table: &str) -> Result<Vec<Part>, CopyError> {
    let rows = sqlx::query(
        "SELECT part, rowid_from, rowid_to, last_rowid, rows_copied, rows_rejected, done FROM sqlite2pg.copy_progress WHERE schema_name = $1 AND table_name = $2 ORDER BY part",
    )
    .bind(schema)
    .bind(table)
    .fetch_all(pool)
    .await
    .map_err(CopyError::pg(format!("reading the progress of {schema}.{table}")))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (from, to): (Option<i64>, Option<i64>) = (r.get(1), r.get(2));
            Part { part: r.get(0), rowids: from.zip(to), last_rowid: r.get(3), rows_copied: r.get(4), rows_rejected: r.get(5), done: r.get(6) }
        })
        .collect())
}

/// Record how a table is split, before any of its rows are loaded, so that `--resume` reads
/// the same ranges.
pub(crate) async fn record_parts(pool: &PgPool, schema: &str, table: &str, parts: &[Part]) -> Result<(), CopyError> {
    let mut tx = pool.begin().await.map_err(CopyError::pg("recording how a table is split"))?;
    for p in parts {
        sqlx::query("INSERT INTO sqlite2pg.copy_progress (schema_name, table_name, part, rowid_from, rowid_to) VALUES ($1, $2, $3, $4, $5)")
            .bind(schema)
            .bind(table)
            .bind(p.part)
            .bind(p.rowids.map(|r| r.0))
            .bind(p.rowids.map(|r| r.1))
            .execute(&mut *tx)
            .await
            .map_err(CopyError::pg(format!("recording the parts of {schema}.{table}")))?;
    }
    tx.commit().await.map_err(CopyError::pg("recording how a table is split"))
}

/// Forget a table's progress (and that a provisional plan loaded it).
pub(crate) async fn reset(pool: &PgPool, schema: &str, table: &str) -> Result<(), CopyError> {
    sqlx::query("DELETE FROM sqlite2pg.copy_progress WHERE schema_name = $1 AND table_name = $2")
        .bind(schema)
        .bind(table)
        .execute(pool)
        .await
        .map_err(CopyError::pg(format!("resetting the progress of {schema}.{table}")))?;
    reset_provisional(pool, schema, table).await
}

/// Forget every state kept for these tables of `schema` (they were dropped).
pub(crate) async fn forget_tables(conn: &mut PgConnection, schema: &str, tables: &[String]) -> Result<(), CopyError> {
    for state in ["copy_progress", "copy_provisional", "copy_saved"] {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM sqlite2pg.{state} WHERE schema_name = $1 AND table_name = ANY($2)")))
            .bind(schema)
            .bind(tables)
            .execute(&mut *conn)
            .await
            .map_err(CopyError::pg(format!("forgetting the copy state of {schema}.{tables:?}")))?;
    }
    Ok(())
}

/// Record that these tables (schema, table, definition) load with a provisional plan.
pub(crate) async fn mark_provisional(pool: &PgPool, tables: &[(String, String, String)]) -> Result<(), CopyError> {
    let (schemas, rest): (Vec<&str>, Vec<(&str, &str)>) = tables.iter().map(|(s, t, d)| (s.as_str(), (t.as_str(), d.as_str()))).unzip();
    let (names, definitions): (Vec<&str>, Vec<&str>) = rest.into_iter().unzip();
    sqlx::query(
        "INSERT INTO sqlite2pg.copy_provisional (schema_name, table_name, definition) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
         ON CONFLICT (schema_name, table_name) DO UPDATE SET definition = EXCLUDED.definition",
    )
    .bind(schemas)
    .bind(names)
    .bind(definitions)
    .execute(pool)
    .await
    .map(|_| ())
    .map_err(CopyError::pg("recording the tables loaded with a provisional plan"))
}

/// The tables of `schemas` a provisional plan loaded and no exact plan confirmed yet:
/// (schema, table, how that plan built and converted it).
pub(crate) async fn provisional_records(pool: &PgPool, schemas: &[String]) -> Result<Vec<(String, String, String)>, CopyError> {
    sqlx::query_as("SELECT schema_name, table_name, definition FROM sqlite2pg.copy_provisional WHERE schema_name = ANY($1) ORDER BY 1, 2")
        .bind(schemas)
        .fetch_all(pool)
        .await
        .map_err(CopyError::pg("reading the tables loaded with a provisional plan"))
}

/// Forget that a provisional plan loaded a table.
pub(crate) async fn reset_provisional(pool: &PgPool, schema: &str, table: &str) -> Result<(), CopyError> {
    sqlx::query("DELETE FROM sqlite2pg.copy_provisional WHERE schema_name = $1 AND table_name = $2")
        .bind(schema)
        .bind(table)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(CopyError::pg(format!("forgetting how {schema}.{table} was planned")))
}

/// The provisional loads of these schemas' tables are confirmed (or undone).
pub(crate) async fn forget_provisional(pool: &PgPool, schemas: &[String]) -> Result<(), CopyError> {
    sqlx::query("DELETE FROM sqlite2pg.copy_provisional WHERE schema_name = ANY($1)")
        .bind(schemas)
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(CopyError::pg("confirming the provisional plan"))
}

/// Add a committed chunk to its part's progress, inside the chunk's transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn advance(conn: &mut PgConnection, schema: &str, table: &str, part: i32, last_rowid: Option<i64>, copied: i64, rejected: i64, done: bool) -> Result<(), CopyError> {
    sqlx::query(
        "INSERT INTO sqlite2pg.copy_progress AS p (schema_name, table_name, part, last_rowid, rows_copied, rows_rejected, done) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (schema_name, table_name, part) DO UPDATE SET last_rowid = coalesce(EXCLUDED.last_rowid, p.last_rowid),
             rows_copied = p.rows_copied + EXCLUDED.rows_copied, rows_rejected = p.rows_rejected + EXCLUDED.rows_rejected, done = EXCLUDED.done",
    )
    .bind(schema)
    .bind(table)
    .bind(part)
    .bind(last_rowid)
    .bind(copied)
    .bind(rejected)
    .bind(done)
    .execute(conn)
    .await
    .map(|_| ())
    .map_err(CopyError::pg(format!("recording the progress of {schema}.{table}")))
}

/// A foreign key or trigger state saved before the load.
#[derive(Debug, Clone)]
pub(crate) struct Saved {
    pub schema: String,
    pub table: String,
    pub kind: String,
    pub name: String,
    pub definition: String,
}

/// What is saved for the tables of `schemas` (and the foreign keys referencing them from other
/// schemas), or for one `table` of them only.
pub(crate) async fn saved(pool: &PgPool, schemas: &[String], table: Option<&str>) -> Result<Vec<Saved>, CopyError> {
    let rows = sqlx::query(
        "SELECT schema_name, table_name, kind, name, definition FROM sqlite2pg.copy_saved
         WHERE (schema_name = ANY($1) AND ($2::text IS NULL OR table_name = $2)) OR ($2::text IS NULL AND referenced_schema = ANY($1))
         ORDER BY CASE kind WHEN 'index' THEN 0 WHEN 'key' THEN 1 WHEN 'foreign_key' THEN 2 ELSE 3 END, schema_name, table_name, name",
    )
    .bind(schemas)
    .bind(table)
        .fetch_all(pool)
        .await
        .map_err(CopyError::pg("reading saved constraints"))?;
    Ok(rows.into_iter().map(|r| Saved { schema: r.get(0), table: r.get(1), kind: r.get(2), name: r.get(3), definition: r.get(4) }).collect())
}

pub(crate) async fn save(conn: &mut PgConnection, s: &Saved) -> Result<(), CopyError> {
    save_referencing(conn, s, None).await
}

/// Save a foreign key, with the schema of the table it references when its own table is not
/// copied (so that the copy of the referenced schema finds it).
pub(crate) async fn save_referencing(conn: &mut PgConnection, s: &Saved, referenced_schema: Option<&str>) -> Result<(), CopyError> {
    sqlx::query("INSERT INTO sqlite2pg.copy_saved (schema_name, table_name, kind, name, definition, referenced_schema) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING")
        .bind(&s.schema)
        .bind(&s.table)
        .bind(&s.kind)
        .bind(&s.name)
        .bind(&s.definition)
        .bind(referenced_schema)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(CopyError::pg(format!("saving {} {} of {}.{}", s.kind, s.name, s.schema, s.table)))
}

pub(crate) async fn forget(conn: &mut PgConnection, s: &Saved) -> Result<(), CopyError> {
    sqlx::query("DELETE FROM sqlite2pg.copy_saved WHERE schema_name = $1 AND table_name = $2 AND kind = $3 AND name = $4")
        .bind(&s.schema)
        .bind(&s.table)
        .bind(&s.kind)
        .bind(&s.name)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(CopyError::pg("forgetting a restored constraint"))
}

/// A foreign key the copy itself left NOT VALID (the rows it had loaded broke it when it was
/// restored: a failed copy, or parents missing in SQLite) is recorded as kind `validate`, so the
/// next copy that sets it aside brings it back validated rather than as its owner's NOT VALID.
pub(crate) async fn record_unvalidated(pool: &PgPool, s: &Saved) -> Result<(), CopyError> {
    let mut conn = pool.acquire().await.map_err(CopyError::pg("recording a foreign key left NOT VALID"))?;
    save(&mut conn, &Saved { kind: "validate".into(), definition: String::new(), ..s.clone() }).await
}

/// Whether `s` (a foreign key about to be set aside) was left NOT VALID by a copy; the record
/// is removed.
pub(crate) async fn take_unvalidated(conn: &mut PgConnection, s: &Saved) -> Result<bool, CopyError> {
    let taken = sqlx::query("DELETE FROM sqlite2pg.copy_saved WHERE schema_name = $1 AND table_name = $2 AND kind = 'validate' AND name = $3")
        .bind(&s.schema)
        .bind(&s.table)
        .bind(&s.name)
        .execute(conn)
        .await
        .map_err(CopyError::pg("reading which foreign keys a copy left NOT VALID"))?;
    Ok(taken.rows_affected() > 0)
}

/// A SQLite file's state, from its header (the file change counter SQLite bumps on every
/// commit in rollback-journal mode, the schema cookie, the page count) and, in WAL mode, its
/// write-ahead log (the header's salts, which change when the log restarts, and its length,
/// which grows with every commit).
pub(crate) fn source_fingerprint(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut header = [0u8; 100];
    std::fs::File::open(path)?.read_exact(&mut header)?;
    let be = |at: usize| u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    let mut fingerprint = format!("changes {} schema {} pages {}", be(24), be(40), be(28));
    if let Ok(mut wal) = std::fs::File::open(sqlite2pg_converter::introspect::wal_path(path)) {
        let length = wal.metadata()?.len();
        let mut wal_header = [0u8; 32];
        if length >= 32 && wal.read_exact(&mut wal_header).is_ok() {
            let salts: String = wal_header[16..24].iter().map(|b| format!("{b:02x}")).collect();
            fingerprint.push_str(&format!(" wal {salts} {length}"));
        }
    }
    Ok(fingerprint)
}

/// Record the fingerprint of the file copied into `schema` (a fresh copy), or, resuming, check
/// that it is unchanged: `Err` with the recorded one when it changed.
pub(crate) async fn check_source(pool: &PgPool, schema: &str, fingerprint: &str, resume: bool) -> Result<Result<(), String>, CopyError> {
    if resume {
        let recorded: Option<String> = sqlx::query_scalar("SELECT fingerprint FROM sqlite2pg.copy_sources WHERE schema_name = $1")
            .bind(schema)
            .fetch_optional(pool)
            .await
            .map_err(CopyError::pg("reading what the interrupted copy's source looked like"))?;
        if let Some(recorded) = recorded.filter(|r| r != fingerprint) {
            return Ok(Err(recorded));
        }
    }
    sqlx::query("INSERT INTO sqlite2pg.copy_sources (schema_name, fingerprint) VALUES ($1, $2) ON CONFLICT (schema_name) DO UPDATE SET fingerprint = excluded.fingerprint")
        .bind(schema)
        .bind(fingerprint)
        .execute(pool)
        .await
        .map_err(CopyError::pg("recording what the copy's source looks like"))?;
    Ok(Ok(()))
}

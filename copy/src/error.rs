//! Why a copy cannot go on.

use std::path::PathBuf;

/// Errors of the copy. None of them print a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// Reading the SQLite source failed.
    #[error(transparent)]
    Source(#[from] sqlite2pg_converter::Error),
    /// No PostgreSQL target was named.
    #[error("no PostgreSQL target: pass --to postgres://USER@HOST:PORT/DATABASE, or set DATABASE_URL (or the PG* variables PGHOST, PGDATABASE, ...)")]
    NoTarget,
    /// The target URL does not parse.
    #[error("the PostgreSQL URL is not valid: {0}")]
    BadUrl(String),
    /// Connecting failed (unreachable server, wrong password, missing database).
    #[error("cannot connect to PostgreSQL at {target}: {source}")]
    Connect {
        /// host:port/database as user (never the password).
        target: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A statement failed.
    #[error("PostgreSQL: {context}: {source}{}", detail_of(.source))]
    Postgres {
        /// What we were doing, naming the table.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Tables of the plan do not exist in the target.
    #[error("schema \"{schema}\" lacks tables {tables:?}: create the schema first (run the generated migrator, or pass --create-schema)")]
    MissingTables {
        /// The schema.
        schema: String,
        /// The missing tables.
        tables: Vec<String>,
    },
    /// Target tables already hold rows.
    #[error("tables already hold rows: {tables:?}; pass --resume to finish an interrupted copy, or --truncate to empty them first")]
    NotEmpty {
        /// schema.table names.
        tables: Vec<String>,
    },
    /// Writing the rejects file failed.
    #[error("{path}: {source}")]
    Rejects {
        /// The rejects file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A table loaded by an interrupted copy whose plan came from a sample, which the exact
    /// plan converts differently: resuming would mix two conversions.
    #[error("{table} was loaded by an interrupted copy that planned from a sample, and the exact plan differs for it ({difference}); drop the copied tables and copy again with --create-schema")]
    ProvisionalLoad {
        /// schema.table
        table: String,
        /// What differs.
        difference: String,
    },
    /// The reader thread stopped unexpectedly.
    #[error("reading {0} stopped unexpectedly")]
    Reader(String),
}

impl CopyError {
    /// The command line's exit code for this error (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            CopyError::Source(e) => e.exit_code(),
            CopyError::NoTarget | CopyError::BadUrl(_) => 2,
            CopyError::Connect { .. } => 6,
            CopyError::MissingTables { .. } | CopyError::NotEmpty { .. } | CopyError::ProvisionalLoad { .. } => 7,
            CopyError::Postgres { .. } | CopyError::Rejects { .. } | CopyError::Reader(_) => 1,
        }
    }

    pub(crate) fn pg(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> CopyError {
        let context = context.into();
        move |source| CopyError::Postgres { context, source }
    }
}

/// The server's DETAIL line of a statement's error, which names the other objects involved
/// (the referencing table of a refused TRUNCATE, the duplicate key of a unique violation).
fn detail_of(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .and_then(|e| e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>())
        .and_then(|e| e.detail())
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

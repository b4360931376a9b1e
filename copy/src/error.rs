//! Why a copy cannot go on.

use std::path::PathBuf;

/// Errors of the copy. None of them print a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// Reading the SQLite source failed.
    #[error(transparent)]
    Source(#[from] sqlite2pg_converter::Error),
    /// Resolving, connecting to or querying the target failed.
    #[error(transparent)]
    Pg(#[from] sqlite2pg_pg::PgError),
    /// A statement failed.
    #[error("PostgreSQL: {context}: {source}{}", sqlite2pg_pg::detail_of(&source.0))]
    Postgres {
        /// What we were doing, naming the table.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlite2pg_pg::ServerError,
    },
    /// Tables of the plan do not exist in the target.
    #[error("schema \"{schema}\" lacks {}: create the schema first (run the generated migrator, or pass --create-schema)", name_list("table", "tables", tables))]
    MissingTables {
        /// The schema.
        schema: String,
        /// The missing tables.
        tables: Vec<String>,
    },
    /// Target tables already hold rows.
    #[error("{} already {}: pass --resume to finish an interrupted copy, or --truncate to empty them first", name_list("table", "tables", tables), if tables.len() == 1 { "holds rows" } else { "hold rows" })]
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
    /// `--resume` over a source file that changed since the interrupted copy read it.
    #[error("{file} changed since the interrupted copy read it (then: {was}; now: {now}): resuming would mix two versions of its rows; copy again with --truncate")]
    SourceChanged {
        /// The SQLite file.
        file: PathBuf,
        /// Its fingerprint then.
        was: String,
        /// Its fingerprint now.
        now: String,
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
    /// The pre-flight found tables, columns or values that would not go into the target.
    #[error("the target cannot take the data as it is; nothing was changed:\n{}", .0.render_text())]
    Preflight(Box<crate::preflight::PreflightReport>),
    /// Ctrl-C or SIGTERM stopped the copy (what it set aside is restored, as after any failure).
    #[error("stopped by {0}; copy again with --truncate, or --resume to finish")]
    Interrupted(&'static str),
    /// The reader thread stopped unexpectedly.
    #[error("reading {0} stopped unexpectedly")]
    Reader(String),
}

impl CopyError {
    /// The command line's exit code for this error (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            CopyError::Source(e) => e.exit_code(),
            CopyError::Pg(e) => e.exit_code(),
            CopyError::MissingTables { .. } | CopyError::NotEmpty { .. } | CopyError::ProvisionalLoad { .. } | CopyError::SourceChanged { .. } => 7,
            CopyError::Preflight(_) => 12,
            CopyError::Interrupted(_) => 130,
            CopyError::Postgres { .. } | CopyError::Rejects { .. } | CopyError::Reader(_) => 1,
        }
    }

    pub(crate) fn pg(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> CopyError {
        let context = context.into();
        move |source| CopyError::Postgres { context, source: sqlite2pg_pg::ServerError(source) }
    }
}

/// `table "a"` or `tables "a", "b" and "c"`.
fn name_list(one: &str, many: &str, names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    match quoted.as_slice() {
        [only] => format!("{one} {only}"),
        [rest @ .., last] => format!("{many} {} and {last}", rest.join(", ")),
        [] => format!("no {many}"),
    }
}

//! Errors of code generation: each names the object or file it is about.

use std::path::PathBuf;

/// A result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why code generation cannot continue. A table that cannot have an entity is not an error but a
/// [`Finding`](sqlite2pg_converter::plan::Finding).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// More objects than migration stamps can number.
    #[error("{count} {what}: migration stamps number at most {max}")]
    TooMany {
        /// What there are too many of.
        what: String,
        /// How many there are.
        count: usize,
        /// The most there may be.
        max: usize,
    },
    /// Writing failed half-way and some previous files could not be put back.
    #[error("{cause}; some previous files could not be put back: their copies are in {kept}")]
    UndoFailed {
        /// Why writing failed.
        cause: Box<Error>,
        /// The staging folders kept, holding the previous files.
        kept: String,
    },
    /// The plan has no schema.
    #[error("the plan has no schema to generate code for")]
    NoSchema,
    /// sea-orm-codegen refused the tables.
    #[error("sea-orm-codegen: {message}")]
    SeaOrmCodegen {
        /// Its message.
        message: String,
    },
    /// Generated code did not parse as Rust (a bug in sqlite2pg or sea-orm-codegen).
    #[error("generated {file} is not valid Rust: {source}")]
    Syntax {
        /// The generated file.
        file: String,
        /// The parser's error.
        #[source]
        source: syn::Error,
    },
    /// No usable Rust name could be made for an identifier.
    #[error("{object}: no Rust name could be made for {name:?}")]
    Naming {
        /// The table or column.
        object: String,
        /// The SQL name.
        name: String,
    },
    /// A piece of the plan's SQL was not in the expected shape.
    #[error("{object}: cannot read {what} from {sql:?}")]
    UnexpectedSql {
        /// The view, trigger or index.
        object: String,
        /// What was looked for.
        what: &'static str,
        /// The SQL.
        sql: String,
    },
    /// A schema the migrator's history records is not in the plan.
    #[error("schema {schema} is in the migrator's history ({file}) but not in the plan: a revision does not drop a whole schema; generate with its file again, or with --fresh-migrations for a migrator no database has run yet", file = crate::history::HISTORY_FILE)]
    SchemaLeft {
        /// The schema.
        schema: String,
    },
    /// A migration the history lists has no file.
    #[error("migration {module} is in the migrator's history ({file}) but src/{module}.rs is missing: a database that ran it could not run the migrator; restore the file, or generate with --fresh-migrations", file = crate::history::HISTORY_FILE)]
    MigrationMissing {
        /// Its module name.
        module: String,
    },
    /// The migrator's `lib.rs` lists a migration of the user's whose file is gone.
    #[error("src/lib.rs lists migration {module}, which sqlite2pg did not write, but src/{module}.rs is missing: restore it, or take it out of lib.rs yourself")]
    HandWrittenMissing {
        /// Its module name.
        module: String,
    },
    /// A revision's name is taken already.
    #[error("the revision migration {module} exists already in the migrator's history")]
    MigrationClash {
        /// Its module name.
        module: String,
    },
    /// A migrator generated before holds no history to build on.
    #[error("{}: a generated migrator without {file}; its migrations may have run somewhere and must not change: generate with --fresh-migrations to write them anew", dir.display(), file = crate::history::HISTORY_FILE)]
    NoHistory {
        /// The migrator folder.
        dir: PathBuf,
    },
    /// The history file cannot be read.
    #[error("{}: not a sqlite2pg migrator history: {message}", path.display())]
    HistoryFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing files failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// Exit code of `generate` when the migrator folder's history cannot be built on.
pub const EXIT_HISTORY: u8 = 11;

impl Error {
    /// The process exit code for this error (README, "Exit codes").
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::SchemaLeft { .. } | Error::MigrationMissing { .. } | Error::HandWrittenMissing { .. } | Error::MigrationClash { .. } | Error::NoHistory { .. } | Error::HistoryFile { .. } => EXIT_HISTORY,
            _ => 1,
        }
    }

    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

//! Errors that stop the converter, each naming the file and object it concerns.
//!
//! Findings that do not stop the work (a CHECK that cannot be rewritten, a value that breaks its
//! declared type) are not errors: they are [`crate::plan::Finding`]s carried in the plan.

use std::path::PathBuf;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the converter cannot continue.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file does not exist.
    #[error("{path}: no such file")]
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but is not a SQLite database (wrong header).
    #[error("{path}: not a SQLite database (the file does not start with the SQLite header)")]
    NotSqlite {
        /// The path given.
        path: PathBuf,
    },
    /// The file is a SQLite database that SQLite itself reports as damaged.
    #[error("{path}: the database is corrupt or truncated ({detail})")]
    Corrupt {
        /// The path given.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// Another process holds a lock that keeps us from reading a consistent snapshot.
    #[error("{path}: the database is locked by another process (waited {waited_ms} ms); retry when the writer is done, or raise --lock-timeout")]
    Locked {
        /// The path given.
        path: PathBuf,
        /// How long we waited for the lock.
        waited_ms: u64,
    },
    /// Any other SQLite failure, with what we were doing.
    #[error("{path}: {context}: {source}")]
    Sqlite {
        /// The path given.
        path: PathBuf,
        /// What we were reading when it failed (names the table or object).
        context: String,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The configuration file is unreadable or says something we cannot apply.
    #[error("{path}: {message}")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong, naming the table, column and value.
        message: String,
    },
    /// A saved plan (`plan --format json`) cannot be read back.
    #[error("{path}: not a plan written by `sqlite2pg plan --format json`: {message}")]
    PlanFile {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code the command line uses for this error (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Missing { .. } | Error::NotSqlite { .. } | Error::Corrupt { .. } => 3,
            Error::Locked { .. } => 4,
            Error::Config { .. } | Error::PlanFile { .. } => 5,
            Error::Sqlite { .. } | Error::Io { .. } => 1,
        }
    }
}

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

impl Error {
    /// An I/O error about `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, source }
    }
}

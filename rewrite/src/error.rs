//! Errors of the rewriter.
//!
//! Takes nothing; gives [`RewriteError`], the one error type every entry point returns.
//! It must not carry anything but owned text: callers log or report it, never match on
//! parser internals.

/// Why a piece of SQLite SQL could not be rewritten for PostgreSQL.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    /// The input is not SQL that the SQLite grammar accepts.
    #[error("cannot parse SQLite SQL `{sql}`: {message}")]
    Parse {
        /// The SQL as given.
        sql: String,
        /// The parser's explanation.
        message: String,
    },
    /// The input uses a construct with no faithful PostgreSQL translation.
    #[error("{construct}: {reason}")]
    Unsupported {
        /// The construct, as the user would recognise it (e.g. `typeof(x)`).
        construct: String,
        /// Why it cannot be translated.
        reason: String,
    },
    /// The rewritten SQL does not parse as PostgreSQL: a bug in this crate, reported
    /// rather than handing invalid SQL to the caller.
    #[error("internal error: the rewritten SQL `{sql}` is not valid PostgreSQL: {message}")]
    InvalidOutput {
        /// The SQL produced.
        sql: String,
        /// The PostgreSQL parser's explanation.
        message: String,
    },
}

impl RewriteError {
    pub(crate) fn unsupported(construct: impl Into<String>, reason: impl Into<String>) -> Self {
        RewriteError::Unsupported { construct: construct.into(), reason: reason.into() }
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, RewriteError>;

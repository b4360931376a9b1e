//! Errors of the PostgreSQL side. None of them print a password.

/// What went wrong talking to PostgreSQL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// No PostgreSQL target was named.
    #[error("no PostgreSQL target: pass --to postgres://USER@HOST:PORT/DATABASE, or set DATABASE_URL (or the PG* variables PGHOST, PGDATABASE, ...)")]
    NoTarget,
    /// The target URL does not parse, or is not PostgreSQL's.
    #[error("the PostgreSQL URL is not valid: {0}")]
    BadUrl(String),
    /// Connecting failed (unreachable server, wrong password, missing database).
    #[error("cannot connect to PostgreSQL at {target}: {source}")]
    Connect {
        /// host:port/database as user (never the password).
        target: String,
        /// The driver's error.
        #[source]
        source: ServerError,
    },
    /// The server took the connection but did not answer in time.
    #[error("PostgreSQL at {target} did not answer within {seconds} s (connect_timeout in the URL, or PGCONNECT_TIMEOUT, sets the limit)")]
    ConnectTimeout {
        /// host:port/database as user (never the password).
        target: String,
        /// The limit.
        seconds: f64,
    },
    /// A statement failed.
    #[error("PostgreSQL: {context}: {source}{}", detail_of(&source.0))]
    Query {
        /// What we were doing, naming the table.
        context: String,
        /// The driver's error.
        #[source]
        source: ServerError,
    },
}

/// A driver error as a user reads it: the server's message without the line of PostgreSQL's
/// own C source it came from (which the driver's `Display` appends), or the driver's own text.
#[derive(Debug)]
pub struct ServerError(pub sqlx::Error);

impl From<sqlx::Error> for ServerError {
    fn from(e: sqlx::Error) -> Self {
        ServerError(e)
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.as_database_error().and_then(|e| e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()) {
            Some(e) => write!(f, "{}", e.message()),
            None => write!(f, "{}", self.0),
        }
    }
}

// No `source()`: the driver's error would print the server's source line after all.
impl std::error::Error for ServerError {}

/// A failed statement's kind, by its SQLSTATE class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The connection went away (class 08, or an I/O error): nothing the data did.
    ConnectionLost,
    /// A value the server refused (class 22: data exception).
    InvalidValue,
    /// A constraint refused a row (class 23).
    ConstraintViolation,
    /// The role may not do this (42501).
    InsufficientPrivilege,
    /// A lock or statement timeout, or a cancel (55P03, 57014).
    Cancelled,
    /// Anything else.
    Other,
}

impl PgError {
    /// The command line's exit code for this error (documented in the README).
    pub fn exit_code(&self) -> u8 {
        match self {
            PgError::NoTarget | PgError::BadUrl(_) => 2,
            PgError::Connect { .. } | PgError::ConnectTimeout { .. } => 6,
            PgError::Query { .. } => 1,
        }
    }

    /// A closure that wraps a driver error with `context`.
    pub fn query(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> PgError {
        let context = context.into();
        move |source| PgError::Query { context, source: ServerError(source) }
    }

    /// The failure's kind.
    pub fn class(&self) -> ErrorClass {
        match self {
            PgError::NoTarget | PgError::BadUrl(_) => ErrorClass::Other,
            PgError::Connect { .. } | PgError::ConnectTimeout { .. } => ErrorClass::ConnectionLost,
            PgError::Query { source, .. } => classify(&source.0),
        }
    }
}

/// The kind of a driver error, by SQLSTATE.
pub fn classify(error: &sqlx::Error) -> ErrorClass {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolClosed | sqlx::Error::PoolTimedOut | sqlx::Error::Protocol(_) => ErrorClass::ConnectionLost,
        sqlx::Error::Database(e) => match e.code().as_deref() {
            Some(code) if code.starts_with("08") => ErrorClass::ConnectionLost,
            Some(code) if code.starts_with("22") => ErrorClass::InvalidValue,
            Some(code) if code.starts_with("23") => ErrorClass::ConstraintViolation,
            Some("42501") => ErrorClass::InsufficientPrivilege,
            Some("55P03" | "57014") => ErrorClass::Cancelled,
            // Administrator shutdown and friends: the server went away.
            Some(code) if code.starts_with("57P") => ErrorClass::ConnectionLost,
            _ => ErrorClass::Other,
        },
        _ => ErrorClass::Other,
    }
}

/// The server's DETAIL line of a statement's error, which names the other objects involved
/// (the referencing table of a refused TRUNCATE, the duplicate key of a unique violation).
pub fn detail_of(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .and_then(|e| e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>())
        .and_then(|e| e.detail())
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

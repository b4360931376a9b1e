//! The PostgreSQL side of every command that talks to a server.
//!
//! - [`target`]: which server (`--to`, `DATABASE_URL`, the `PG*` variables), described without
//!   secrets, connected with sessions in UTC and ISO output, whatever the role or database sets.
//! - [`PgError`]: what went wrong, with context, classified by SQLSTATE ([`ErrorClass`]).
//! - [`catalog`]: the live tables and columns of a schema, their types read into the value
//!   layer's [`TargetType`](sqlite2pg_value::TargetType).
//! - [`binding`]: how each table of a plan binds to the target's columns, and the
//!   [`Conversion`](sqlite2pg_value::Conversion) of each: the live column's type decides, so a
//!   copy into a schema the application's own migrations made converts to what it made.

pub mod binding;
pub mod catalog;
mod error;
pub mod target;

pub use error::{ErrorClass, PgError, ServerError, classify, detail_of};
/// The target's connection options, as [`resolve_target`] gives them.
pub use sqlx::postgres::PgConnectOptions;
pub use target::{connect, describe, libpq_env, redact, resolve_target, target_url};

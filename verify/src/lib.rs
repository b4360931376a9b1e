//! Verification: proves a copy lost nothing.
//!
//! Per table: row counts, then every row compared across the two engines with values
//! normalised by `sqlite2pg_value::canonical` (both sides read into typed values first) — by key, streaming both sides in key order (memory does not grow
//! with the table), or as multisets of row hashes for tables without a usable key. Rows in the
//! copy's rejects file are expected differences. Then identities (the next value is past every
//! key and past `sqlite_sequence`) and foreign keys (all present and validated).
//!
//! [`check_schema`] (`sqlite2pg check`) compares the schema itself: the live PostgreSQL catalog
//! against the plan's DDL built into a scratch database, reporting every [`Drift`].

mod compare;
mod report;
mod schema;

pub use compare::{IdentityCheck, TableCheck, VerifyError, VerifyOptions, VerifyReport, verify};
pub use report::{render_markdown, render_text};
pub use schema::{Drift, ObjectKind, SchemaReport, check_schema, render_schema_markdown, render_schema_text};

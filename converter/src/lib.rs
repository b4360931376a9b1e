//! The converter: reads a SQLite database, schema *and* stored values, and decides the
//! PostgreSQL schema it should become, every decision with its reason.
//!
//! The data path, one module each:
//! [`introspect`] (SQLite file -> [`introspect::SourceSchema`]) ->
//! [`profile`] (stored values -> per-column statistics) ->
//! [`mapping`] (declared type + statistics -> PostgreSQL type, with evidence) ->
//! [`plan`] (the PostgreSQL schema: tables, constraints, indexes, views, triggers, findings) ->
//! [`ddl`] (the plan as SQL). [`report`] grades a plan for `sqlite2pg inspect`.
//!
//! This crate knows nothing of the command line, SeaORM or PostgreSQL connections: it reads
//! SQLite files and returns data.
#![deny(missing_docs)]

pub mod config;
pub mod ddl;
pub mod error;
pub mod framework;
pub mod ident;
pub mod introspect;
/// JSON as `jsonb` takes it (the value layer's check).
pub use sqlite2pg_value::json;
pub mod mapping;
pub mod plan;
pub mod profile;
pub mod report;
pub mod shape;
pub mod values;

pub use error::{Error, Result};

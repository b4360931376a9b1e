//! The one typed value layer: how a value stored in SQLite becomes a PostgreSQL value.
//!
//! ```text
//! SQLite ValueRef ──Conversion::convert──> PgValue ──binary::push_field──> COPY binary
//!   (per source column × TargetType)         │     ──text::push_copy_text──> COPY text
//!                                            │     ──canonical──────────────> verify's form
//! PostgreSQL output ──output::read_output────┘
//! ```
//!
//! A [`Conversion`] is chosen per (source column, [`TargetType`]): the target is the live
//! catalog type of the target column when the application made the schema, or the plan's type.
//! It turns a stored value into a typed [`PgValue`] or a [`Refusal`] saying why not. Renderers
//! write that value for COPY (binary or text) and as verification's canonical text; the server's
//! output is read back into the same values. Adding a type is one conversion plus one arm per
//! renderer, and every `match` here is exhaustive so the compiler finds them.

pub mod binary;
pub mod canonical;
mod convert;
pub mod json;
pub mod output;
pub mod scalars;
pub mod text;
pub mod time;
mod types;
mod value;

pub use convert::{Conversion, DurationUnit, Refusal, clean_text, parse_uuid};
pub use time::{EpochUnit, NaiveZone};
pub use types::TargetType;
pub use value::{PgValue, float_text, uuid_text};

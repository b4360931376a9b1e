//! Verification: proves a copy lost nothing.
//!
//! Per table: row counts, then every row compared across the two engines with values
//! normalised by [`canonical`] — by key, streaming both sides in key order (memory does not grow
//! with the table), or as multisets of row hashes for tables without a usable key. Rows in the
//! copy's rejects file are expected differences. Then identities (the next value is past every
//! key and past `sqlite_sequence`) and foreign keys (all present and validated).

pub mod canonical;
mod compare;
mod report;

pub use compare::{IdentityCheck, TableCheck, VerifyError, VerifyOptions, VerifyReport, verify};
pub use report::{render_markdown, render_text};

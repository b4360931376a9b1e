//! The copy: streams every table of a [`Plan`](sqlite2pg_converter::plan::Plan) from its SQLite
//! file into PostgreSQL with `COPY`, converting each value as the plan says.
//!
//! - A table starting afresh with up to `single_transaction_rows` rows (and any table without
//!   rowid) is one part, loaded in one transaction that truncates it and copies with `FREEZE`:
//!   its rows arrive frozen and all-visible, so keys and indexes build without first rewriting
//!   every page for hint bits. A larger rowid table is split into `jobs` parts (rowid ranges,
//!   recorded before loading), so PostgreSQL parses it on several cores.
//! - One reader thread per SQLite file holds one read transaction, so the whole copy sees one
//!   snapshot of the source, and the file is never written. It interleaves up to `jobs` parts,
//!   converting values and encoding them as `COPY` binary (text with `binary: false`) in chunks
//!   of at most 4 MB (1 MB for a table streamed into one COPY), and ends each part with an
//!   explicit end marker.
//! - One writer task per part sends chunks over a pooled connection. In a split table each chunk
//!   commits together with its part's progress row in `sqlite2pg.copy_progress`, so an
//!   interrupted copy resumes (`resume`) after the last committed chunk; a single-transaction
//!   table streams every chunk into one `COPY` and commits once, with its progress, and an
//!   interrupted one is loaded again whole. Either
//!   way no duplicates and no loss; a part is done only after its end marker.
//! - Foreign keys are dropped before the load and restored after it (`NOT VALID` first, then
//!   validated), and user triggers are disabled meanwhile, so any schema shape loads in any
//!   order. Both are recorded in PostgreSQL so an interrupted run restores them on resume.
//!   Only the plan's tables are touched, and the foreign keys that reference them from tables
//!   outside the plan; other tables of the target keep their keys and indexes.
//! - A value that cannot go across never aborts a table: its row goes to the rejects file (or
//!   the value is coerced, as the policy says) and is counted; per table, source rows = copied
//!   + rejected.
//! - Identities continue past the highest key (and past `sqlite_sequence` for AUTOINCREMENT).
//! - [`plan_and_copy`] plans and copies: when it creates the schema, large tables are planned
//!   from a sample and the reader profiles them exactly as it copies them; the exact plan
//!   confirms the copy, or the copy is made again with it.

mod encode;
mod error;
mod load;
mod preflight;
mod progress;
mod provisional;
mod reader;

pub use error::CopyError;
pub use preflight::{ColumnFailures, FailureExample, KeptTable, PreflightReport};
pub use load::{BadValuePolicy, CopyOptions, CopySummary, SampledPlan, TableSummary, copy};
pub use provisional::plan_and_copy;
/// The target's connection options, as `sqlite2pg_pg::resolve_target` gives them.
pub use sqlx::postgres::PgConnectOptions;

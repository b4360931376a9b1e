//! Introspection: what a SQLite database contains, read the way a live application sees it.
//!
//! Takes a path, gives a [`SourceSchema`]. The file is opened read-only and never written to; a
//! database in WAL mode is read together with its `-wal` file and never checkpointed. The schema
//! comes from `sqlite_master` and the PRAGMAs (`table_xinfo`, `index_list`, `index_xinfo`,
//! `foreign_key_list`); what those do not say (CHECK constraints, collations, generated-column
//! expressions, DEFERRABLE, AUTOINCREMENT, FTS module arguments) is scanned from the stored DDL.
//! sea-schema's SQLite discovery is not used: it mangles quoted defaults, drops CHECKs, partial
//! predicates and expression columns, and reports FTS shadow tables as user tables.

mod ddl_scan;
pub mod fts;
mod open;
mod read;
mod schema;

pub use ddl_scan::{tokenize_significant, tokens_to_sql};
pub use open::{OpenOptions, OrphanScan, SourceDb, wal_path};
pub use schema::*;

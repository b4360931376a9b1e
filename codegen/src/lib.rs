//! Turns a converter [`Plan`](../sqlite2pg_converter/plan/struct.Plan.html) into SeaORM entity
//! files and a sea-orm-migration migrator crate.
//!
//! Not written yet: this crate is filled by the code-generation issue (`sqlite2pg generate`).
//! It will take a plan and return files in memory; it does no I/O of its own.

//! The migrator's history: the schema its migrations build, and the steps from there to a new
//! plan.
//!
//! A migration that a database has run must never change or be renamed: sea-orm-migration
//! refuses to run when an applied migration's file is gone, and an applied migration whose code
//! changed is silently not run again, so the deployed schema and a fresh one would part ways.
//! So `generate` writes beside the migrator's `Cargo.toml` a history file ([`HISTORY_FILE`]):
//! the migrations written so far, in order, and the [`SchemaShape`] of every schema they build.
//! Regenerating keeps every listed migration file byte for byte and, when the new plan's shape
//! differs, adds one *revision* migration per changed schema whose `up()` takes the recorded
//! shape to the new one ([`steps`]) and whose `down()` takes it back (the steps the other way).
//!
//! A shape holds what the migrations build and nothing else (no row counts, no evidence), so a
//! new profile of the same schema changes nothing. Stamps of revisions: revision `r` is dated
//! 2000-01-01 plus `r` days (`m20000102_000000_...` for the first), after every earlier stamp.

use serde::{Deserialize, Serialize};
// The shapes and the steps between them are the converter's (`sqlite2pg_converter::shape`).
pub use sqlite2pg_converter::shape::*;

/// The history file's name, in the migrator crate's folder.
pub const HISTORY_FILE: &str = "sqlite2pg-history.json";

/// The history file's format version.
pub const HISTORY_FORMAT: u32 = 1;

/// The decisions the migrator's schemas deploy, for the planner to keep
/// ([`PlanOptions::deployed`](sqlite2pg_converter::plan::PlanOptions)): a thinner sample never
/// reverses them.
pub fn deployed(history: &History) -> sqlite2pg_converter::plan::Deployed {
    history
        .schemas
        .iter()
        .flat_map(|s| s.tables.iter().map(move |t| (s, t)))
        .flat_map(|(s, t)| {
            t.columns.iter().filter(|c| !c.identity && c.generated.is_none()).map(move |c| {
                ((s.schema.clone(), t.name.clone(), c.name.clone()), sqlite2pg_converter::plan::DeployedColumn { pg_type: c.pg_type, epoch: c.epoch, declared: c.declared.clone() })
            })
        })
        .collect()
}

/// What the migrations of a migrator crate build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// [`HISTORY_FORMAT`] when written.
    pub format: u32,
    /// A line for whoever opens the file.
    pub about: String,
    /// Revisions written so far (0: only the first generation).
    pub revisions: u32,
    /// Migration modules in the order the migrator runs them.
    pub migrations: Vec<String>,
    /// The schemas those migrations build, in plan order.
    pub schemas: Vec<SchemaShape>,
}

/// What the history file says of itself.
pub const HISTORY_ABOUT: &str = "Written by sqlite2pg generate: the migrations of this crate and the schema they build. Regenerating keeps these migrations and adds a revision for what changed. Do not edit by hand.";

impl History {
    /// The shape of a schema by name.
    pub fn schema(&self, name: &str) -> Option<&SchemaShape> {
        self.schemas.iter().find(|s| s.schema == name)
    }

    /// The file's text: pretty JSON with a final newline (stable: vectors keep plan order).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The date part of revision `r`'s stamp: 2000-01-01 plus `r` days, as `YYYYMMDD`.
pub fn revision_date(r: u32) -> String {
    let (mut year, mut month, mut day) = (2000u32, 1u32, 1u32);
    let leap = |y: u32| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    for _ in 0..r {
        let days = match month {
            2 if leap(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        day += 1;
        if day > days {
            day = 1;
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
    }
    format!("{year:04}{month:02}{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_dates_count_days() {
        assert_eq!(revision_date(0), "20000101");
        assert_eq!(revision_date(1), "20000102");
        assert_eq!(revision_date(31), "20000201");
        assert_eq!(revision_date(59), "20000229");
        assert_eq!(revision_date(366), "20010101");
    }
}

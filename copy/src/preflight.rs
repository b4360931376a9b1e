//! The pre-flight: before anything in the target changes, every source value that a copy into
//! an existing schema converts differently from the plan is converted now, with the same
//! [`Conversion`](sqlite2pg_value::Conversion) the copy will use, and every failure is reported
//! by table, column, count, example keys and values.
//!
//! Columns whose conversion is the plan's own (same type and epoch unit, no stricter NOT NULL)
//! are not read again: the plan's profile already checked each of their values, and its
//! findings name the ones that break the type. So a copy into a schema sqlite2pg made itself
//! (or one whose types agree with the plan's) costs no extra pass.

use std::collections::BTreeMap;
use std::fmt::Write;

use rusqlite::types::ValueRef;
use serde::Serialize;
use sqlite2pg_converter::ident::quoted;
use sqlite2pg_converter::introspect::{OpenOptions, SourceDb};
use sqlite2pg_converter::plan::Plan;
use sqlite2pg_converter::values::json_value;
use sqlite2pg_pg::binding::{BindingProblem, Bindings};
use sqlite2pg_value::Refusal;

/// Values of one column that would not convert.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnFailures {
    /// Target schema.
    pub schema: String,
    /// Target table.
    pub table: String,
    /// SQLite column.
    pub column: String,
    /// The target column's type, as the catalog prints it.
    pub target_type: String,
    /// How many values fail.
    pub count: u64,
    /// The first few: the row's key, the value, why.
    pub examples: Vec<FailureExample>,
}

/// One value that would not convert.
#[derive(Debug, Clone, Serialize)]
pub struct FailureExample {
    /// The row's key as the rejects file names rows (`{"id":5}`, `{"rowid":5}`).
    pub key: String,
    /// The stored value.
    pub value: String,
    /// Why it does not convert.
    pub reason: String,
}

/// What the pre-flight found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PreflightReport {
    /// Tables and columns that cannot be bound to the target.
    pub problems: Vec<String>,
    /// Columns with values that would not convert.
    pub failures: Vec<ColumnFailures>,
    /// Columns whose values were converted now (their conversion differs from the plan's).
    pub columns_checked: usize,
    /// Columns left to the plan's own check.
    pub columns_as_planned: usize,
    /// Rows read.
    pub rows_read: u64,
    /// Bookkeeping tables kept as the target has them (`schema.table`).
    pub kept: Vec<String>,
    /// Tables and columns the configuration leaves out.
    pub skipped: Vec<String>,
    /// The kept bookkeeping tables, compared with SQLite's.
    pub kept_tables: Vec<KeptTable>,
}

impl PreflightReport {
    /// Nothing stands in the way.
    pub fn ok(&self) -> bool {
        self.problems.is_empty() && self.failures.is_empty()
    }

    /// The report as text lines, one per problem and per failing column with its examples.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        for problem in &self.problems {
            let _ = writeln!(out, "- {problem}");
        }
        for f in &self.failures {
            let values = if f.count == 1 { "value does" } else { "values do" };
            let _ = writeln!(out, "- {}.{} column \"{}\": {} {values} not convert to {}", f.schema, f.table, f.column, f.count, f.target_type);
            for e in &f.examples {
                let _ = writeln!(out, "    {} {}: {}", e.key, e.value, e.reason);
            }
        }
        for k in &self.kept_tables {
            let _ = writeln!(out, "{}", k.describe());
        }
        let _ = writeln!(
            out,
            "pre-flight: {} columns converted over {} rows, {} left to the plan's own check{}{}",
            self.columns_checked,
            self.rows_read,
            self.columns_as_planned,
            if self.kept.is_empty() { String::new() } else { format!("; kept as the target has them: {}", self.kept.join(", ")) },
            if self.skipped.is_empty() { String::new() } else { format!("; left out by the configuration: {}", self.skipped.join(", ")) },
        );
        out
    }
}

/// Examples kept per failing column.
const EXAMPLES: usize = 5;

/// Check every value whose conversion differs from the plan's; `plan` is the plan before
/// binding (its SQLite names), `bindings` how it binds to the target.
pub fn preflight(plan: &Plan, bindings: &Bindings, open: &OpenOptions) -> Result<PreflightReport, sqlite2pg_converter::Error> {
    let mut report = PreflightReport {
        problems: bindings.problems.iter().map(BindingProblem::to_string).collect(),
        kept: bindings.kept.iter().map(|(s, t)| format!("{s}.{t}")).collect(),
        skipped: bindings.skipped.clone(),
        ..PreflightReport::default()
    };
    let by_schema: BTreeMap<&str, Vec<&sqlite2pg_pg::binding::TableBinding>> = bindings.tables.values().fold(BTreeMap::new(), |mut m, t| {
        m.entry(t.schema.as_str()).or_default().push(t);
        m
    });
    for schema in &plan.schemas {
        let Some(tables) = by_schema.get(schema.schema.as_str()) else { continue };
        let mut db: Option<SourceDb> = None;
        for binding in tables {
            report.columns_as_planned += binding.columns.iter().filter(|c| c.as_planned).count();
            let checked: Vec<usize> = (0..binding.columns.len()).filter(|&i| !binding.columns[i].as_planned).collect();
            if checked.is_empty() {
                continue;
            }
            report.columns_checked += checked.len();
            let db = match &mut db {
                Some(db) => db,
                None => db.insert(SourceDb::open(&schema.source, open)?),
            };
            let Some(table) = schema.tables.iter().find(|t| t.source_name == binding.source_table) else { continue };
            let key_names: Vec<String> = if binding.key.is_empty() && !table.without_rowid {
                vec!["rowid".to_string()]
            } else {
                binding.key.iter().map(|&i| binding.columns[i].source_name.clone()).collect()
            };
            let mut select: Vec<String> = key_names.iter().map(|k| if k == "rowid" { k.clone() } else { quoted(k) }).collect();
            select.extend(checked.iter().map(|&i| quoted(&binding.columns[i].source_name)));
            let sql = format!("SELECT {} FROM {}", select.join(", "), quoted(&binding.source_table));
            let context = format!("checking the values of table \"{}\" against the target", binding.source_table);
            let mut stmt = db.conn().prepare(&sql).map_err(|e| db.error(&context, e))?;
            let mut rows = stmt.query([]).map_err(|e| db.error(&context, e))?;
            let mut failures: Vec<Option<ColumnFailures>> = vec![None; checked.len()];
            while let Some(row) = rows.next().map_err(|e| db.error(&context, e))? {
                report.rows_read += 1;
                for (n, &i) in checked.iter().enumerate() {
                    let column = &binding.columns[i];
                    let value = row.get_ref(key_names.len() + n).map_err(|e| db.error(&context, e))?;
                    let refusal = match value {
                        ValueRef::Null if !column.nullable => Some(Refusal::NullInNotNull),
                        _ => column.conversion.convert(value).err(),
                    };
                    let Some(refusal) = refusal else { continue };
                    let entry = failures[n].get_or_insert_with(|| ColumnFailures {
                        schema: binding.schema.clone(),
                        table: binding.table.clone(),
                        column: column.source_name.clone(),
                        target_type: column.type_name.clone(),
                        count: 0,
                        examples: Vec::new(),
                    });
                    entry.count += 1;
                    if entry.examples.len() < EXAMPLES {
                        let key: serde_json::Map<String, serde_json::Value> = key_names.iter().enumerate().map(|(k, name)| (name.clone(), row.get_ref(k).map(json_value).unwrap_or_default())).collect();
                        let value = match json_value(value) {
                            serde_json::Value::String(s) => format!("{s:?}"),
                            other => other.to_string(),
                        };
                        entry.examples.push(FailureExample { key: serde_json::Value::Object(key).to_string(), value, reason: refusal.to_string() });
                    }
                }
            }
            report.failures.extend(failures.into_iter().flatten());
        }
    }
    Ok(report)
}

/// A bookkeeping table the copy kept as the target has it, compared with SQLite's.
#[derive(Debug, Clone, Serialize)]
pub struct KeptTable {
    /// Target schema.
    pub schema: String,
    /// Target table.
    pub table: String,
    /// Migrations recorded in SQLite (by the table's key columns, `/`-joined).
    pub sqlite: usize,
    /// Migrations recorded in PostgreSQL.
    pub target: usize,
    /// Recorded only in SQLite: migrations applied there and not by the PostgreSQL migrations.
    pub only_in_sqlite: Vec<String>,
    /// Recorded only in PostgreSQL.
    pub only_in_target: Vec<String>,
    /// Why the two could not be compared (a table of another shape), if they could not.
    pub not_compared: Option<String>,
}

impl KeptTable {
    /// The line the copy's summary prints.
    pub fn describe(&self) -> String {
        let name = format!("{}.{}", self.schema, self.table);
        if let Some(why) = &self.not_compared {
            return format!("kept {name} as the application's migrations filled it (not compared with SQLite's: {why})");
        }
        if self.only_in_sqlite.is_empty() && self.only_in_target.is_empty() {
            return format!("kept {name} as the application's migrations filled it: it agrees with SQLite's ({} entries)", self.target);
        }
        let list = |v: &[String]| if v.len() > 5 { format!("{}, ... ({} in all)", v[..5].join(", "), v.len()) } else { v.join(", ") };
        let mut text = format!("kept {name} as the application's migrations filled it; it differs from SQLite's:");
        if !self.only_in_sqlite.is_empty() {
            text.push_str(&format!(" only in SQLite: {};", list(&self.only_in_sqlite)));
        }
        if !self.only_in_target.is_empty() {
            text.push_str(&format!(" only in PostgreSQL: {};", list(&self.only_in_target)));
        }
        text.pop();
        text
    }
}

/// The identifying column values of a SQLite bookkeeping table, `/`-joined per row.
pub(crate) fn sqlite_bookkeeping(plan: &Plan, schema: &str, table: &str, open: &OpenOptions) -> Result<Result<Vec<String>, String>, sqlite2pg_converter::Error> {
    let Some(bookkeeping) = sqlite2pg_converter::framework::bookkeeping(table) else { return Ok(Err("not a known migration table".into())) };
    let Some(schema_plan) = plan.schemas.iter().find(|s| s.schema == schema) else { return Ok(Err("no such schema".into())) };
    let Some(source) = schema_plan.tables.iter().find(|t| t.source_name.eq_ignore_ascii_case(table) || t.name == table) else { return Ok(Err("no such table".into())) };
    let db = SourceDb::open(&schema_plan.source, open)?;
    let select: Vec<String> = bookkeeping.key.iter().map(|k| quoted(k)).collect();
    let sql = format!("SELECT {} FROM {}", select.join(", "), quoted(&source.source_name));
    let mut stmt = match db.conn().prepare(&sql) {
        Ok(stmt) => stmt,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let width = bookkeeping.key.len();
    let rows = stmt.query_map([], |row| {
        (0..width).map(|i| row.get_ref(i).map(|v| match json_value(v) {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })).collect::<rusqlite::Result<Vec<String>>>().map(|parts| parts.join("/"))
    });
    match rows.and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>()) {
        Ok(mut values) => {
            values.sort();
            Ok(Ok(values))
        }
        Err(e) => Ok(Err(e.to_string())),
    }
}

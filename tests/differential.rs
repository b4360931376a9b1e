//! The behaviour differential of CHECK constraints, triggers and defaults: after a migration,
//! the same writes run against SQLite and against PostgreSQL must be accepted or refused alike
//! and must leave the same rows behind, trigger side effects and defaults included.
//!
//! Two sources of writes, one harness:
//! - the fixtures in ../shared/fixtures that have a CHECK, a trigger or a DEFAULT (a file whose
//!   schema equals one already exercised is exercised once): statements derived generically
//!   per table (an existing row inserted again under a fresh key, a row inserted with every
//!   defaulted column left out, updates to the columns triggers mention, CHECK probes that set
//!   a column to values read from the CHECK's own literals and to values of the column's type
//!   class, a delete);
//! - a database written here (books, audit rows, orders...), whose CHECKs and triggers cover
//!   length/substr over columns whose type changed (text -> date, integer -> boolean, text ->
//!   jsonb), IN lists, BETWEEN, LIKE, GLOB, json_valid, AFTER INSERT/UPDATE audit triggers,
//!   timestamps written by CURRENT_TIMESTAMP and datetime('now'), RAISE(ABORT) guards, WHEN
//!   clauses and UPDATE OF lists, triggers that write their own table or each other's (not
//!   fired again while they run, fired by other triggers and foreign key actions), and
//!   defaults (CURRENT_TIMESTAMP, strftime, constants), with hand-written statements whose
//!   SQLite outcome is asserted, so the test cannot pass vacuously.
//!
//! Each statement runs in a transaction of its own on each side, rolled back afterwards (the
//! PostgreSQL sequences set back too), so every statement sees the migrated rows. Values are
//! written to PostgreSQL as the copy converts them (the value layer, to the live column type)
//! and rows are compared as verify compares them (canonical values), as multisets of rows
//! added and removed per table. A timestamp within a minute of now, in UTC (or an epoch number
//! of now), compares as `<now>`: both engines wrote "now", a few milliseconds apart.
//! Objects the plan left out (findings) are not exercised: a left-out trigger is dropped from
//! the SQLite working copy, a table with a left-out CHECK gets no statements, a left-out
//! default is written explicitly; each is counted.
//!
//! PostgreSQL runs the writes with `TimeZone = 'America/New_York'`, as an application session
//! may: a trigger or default that writes "now" must still write UTC where SQLite does.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rusqlite::types::Value;
use sqlite2pg_converter::plan::{Plan, PlanOptions, SchemaPlan, TablePlan};
use sqlite2pg_value::{Conversion, TargetType};
use sqlx::{AssertSqlSafe, Connection, PgConnection, Row};

use crate::support::pg::TestDb;
use crate::support::{Workdir, fixtures_dir};

// ---------------------------------------------------------------------------------------------
// Statements

/// One write, given as table, columns and SQLite values: rendered for SQLite with the values
/// bound as they are, for PostgreSQL with each value converted to its column's live type.
#[derive(Debug, Clone)]
enum Op {
    Insert { table: String, values: Vec<(String, Value)> },
    Update { table: String, set: Vec<(String, Value)>, key: Vec<(String, Value)> },
    Delete { table: String, key: Vec<(String, Value)> },
}

impl Op {
    fn table(&self) -> &str {
        match self {
            Op::Insert { table, .. } | Op::Update { table, .. } | Op::Delete { table, .. } => table,
        }
    }
}

fn show_value(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => format!("{r:?}"),
        Value::Text(t) => {
            let t: String = t.chars().take(40).collect();
            format!("'{}'", t.replace('\'', "''"))
        }
        Value::Blob(b) => format!("X'{}'", b.iter().take(16).map(|b| format!("{b:02X}")).collect::<String>()),
    }
}

fn q(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The statement as SQLite SQL with its values inlined, for reports.
fn describe(op: &Op) -> String {
    let pairs = |v: &[(String, Value)], sep: &str, eq: &str| v.iter().map(|(c, x)| format!("{}{eq}{}", q(c), show_value(x))).collect::<Vec<_>>().join(sep);
    match op {
        Op::Insert { table, values } => format!(
            "INSERT INTO {} ({}) VALUES ({})",
            q(table),
            values.iter().map(|(c, _)| q(c)).collect::<Vec<_>>().join(", "),
            values.iter().map(|(_, v)| show_value(v)).collect::<Vec<_>>().join(", ")
        ),
        Op::Update { table, set, key } => format!("UPDATE {} SET {} WHERE {}", q(table), pairs(set, ", ", " = "), pairs(key, " AND ", " IS ")),
        Op::Delete { table, key } => format!("DELETE FROM {} WHERE {}", q(table), pairs(key, " AND ", " IS ")),
    }
}

/// What one engine did with a statement.
#[derive(Debug, Clone)]
enum Outcome {
    Accepted,
    Refused(String),
    /// PostgreSQL's column type cannot hold the value (the value layer refuses it): the type
    /// the plan chose is narrower than what SQLite stores, not a constraint's doing.
    TypeRefused(String),
}

impl Outcome {
    fn accepted(&self) -> bool {
        matches!(self, Outcome::Accepted)
    }
    fn show(&self) -> String {
        match self {
            Outcome::Accepted => "accepted".into(),
            Outcome::Refused(m) => format!("refused ({m})"),
            Outcome::TypeRefused(m) => format!("refused by the column type ({m})"),
        }
    }
}

/// A statement to run, with where it came from and, for hand-written ones, the SQLite outcome
/// its author expects.
struct Statement {
    op: Op,
    origin: String,
    expect_sqlite: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Rows as verify compares them

const NOW_WINDOW_SECS: i64 = 60;

fn now_micros() -> i64 {
    let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970");
    i64::try_from(d.as_micros()).expect("micros fit")
}

/// A canonical value with "now" made comparable: a date-time within a minute of now in UTC
/// becomes `<now>` (for text, with the shape of its text, so a different format still
/// differs), an integer or real epoch of now in seconds or milliseconds `<now epoch>`.
fn normalise(canonical: String, t: &TargetType) -> String {
    let now = now_micros();
    let near = |micros: i64| (micros - now).abs() <= NOW_WINDOW_SECS * 1_000_000;
    if canonical.len() >= 16
        && let Some(dt) = sqlite2pg_value::time::parse_datetime(&canonical)
        && dt.has_time
        && let Some(utc) = dt.utc_micros()
        && near(utc)
    {
        if t.is_text() {
            let shape: String = canonical.chars().map(|c| if c.is_ascii_digit() { '9' } else { c }).collect();
            return format!("<now {shape}>");
        }
        return "<now>".into();
    }
    if matches!(t, TargetType::Int2 | TargetType::Int4 | TargetType::Int8 | TargetType::Float4 | TargetType::Float8 | TargetType::Numeric(_) | TargetType::Text)
        && let Ok(n) = canonical.parse::<f64>()
        && n.is_finite()
        && (near((n * 1e6) as i64) || near((n * 1e3) as i64))
    {
        return "<now epoch>".into();
    }
    canonical
}

/// One table's columns as both engines read them.
#[derive(Clone)]
struct TableShape {
    /// SQLite name and PostgreSQL name of the table.
    source: String,
    pg: String,
    /// (SQLite name, PostgreSQL name, live type as formatted, value-layer type, epoch-aware
    /// conversion) of each column both engines have.
    columns: Vec<(String, String, String, TargetType, Conversion)>,
}

impl TableShape {
    fn column(&self, source: &str) -> Option<&(String, String, String, TargetType, Conversion)> {
        self.columns.iter().find(|c| c.0.eq_ignore_ascii_case(source))
    }
}

fn sqlite_rows(conn: &rusqlite::Connection, shape: &TableShape) -> Vec<String> {
    let cols: Vec<String> = shape.columns.iter().map(|c| q(&c.0)).collect();
    let mut stmt = conn.prepare(&format!("SELECT {} FROM {}", cols.join(", "), q(&shape.source))).expect("SQLite select");
    let mut rows = stmt.query([]).expect("rows");
    let mut out = Vec::new();
    while let Some(row) = rows.next().expect("row") {
        let values: Vec<String> = shape
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, _, _, t, conv))| match conv.convert(row.get_ref(i).expect("value")) {
                Ok(v) => sqlite2pg_value::canonical::canonical(&v, t).map(|c| normalise(c, t)).unwrap_or_else(|| "NULL".into()),
                Err(e) => format!("<{e}>"),
            })
            .collect();
        out.push(values.join("|"));
    }
    out.sort();
    out
}

async fn pg_rows(conn: &mut PgConnection, schema: &str, shape: &TableShape) -> Vec<String> {
    let selects: Vec<String> = shape.columns.iter().map(|(_, n, _, t, _)| sqlite2pg_value::output::select_expr(&q(n), t)).collect();
    let sql = format!("SELECT {} FROM {}.{}", selects.join(", "), q(schema), q(&shape.pg));
    let raw = sqlx::query(AssertSqlSafe(sql.clone())).fetch_all(&mut *conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut out: Vec<String> = raw
        .iter()
        .map(|r| {
            shape
                .columns
                .iter()
                .enumerate()
                .map(|(i, (_, _, _, t, _))| match r.get::<Option<String>, _>(i) {
                    None => "NULL".to_string(),
                    Some(text) => sqlite2pg_value::output::read_output(&text, t)
                        .map(|v| sqlite2pg_value::canonical::canonical(&v, t).map(|c| normalise(c, t)).unwrap_or_else(|| "NULL".into()))
                        .unwrap_or_else(|e| format!("<{e}>")),
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    out.sort();
    out
}

/// Rows added (`+`) and removed (`-`) between two sorted multisets.
fn delta(before: &[String], after: &[String]) -> Vec<String> {
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for r in after {
        *counts.entry(r).or_default() += 1;
    }
    for r in before {
        *counts.entry(r).or_default() -= 1;
    }
    let mut out = Vec::new();
    for (row, n) in counts {
        let sign = if n > 0 { '+' } else { '-' };
        for _ in 0..n.abs() {
            out.push(format!("{sign} {row}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// One migrated file: a writable SQLite copy and its PostgreSQL schema

struct Target<'p> {
    plan: &'p SchemaPlan,
    sqlite: rusqlite::Connection,
    shapes: HashMap<String, TableShape>,
    /// Tables (SQLite names, lower case) a write to the key table can change: itself, the
    /// tables its triggers name, children with ON DELETE/UPDATE actions, transitively.
    reach: HashMap<String, BTreeSet<String>>,
    baseline: HashMap<String, (Vec<String>, Vec<String>)>,
    /// `SELECT setval(...)` for every sequence of the schema, as migrated.
    reset_sequences: Option<String>,
    /// Tables (lower case) with a CHECK the plan left out: not written to.
    left_out_checks: BTreeSet<String>,
}

#[derive(Default)]
struct Tally {
    statements: usize,
    accepted_both: usize,
    refused_both: usize,
    type_refused: Vec<String>,
    skipped: Vec<String>,
    differences: Vec<String>,
    sqlite_expectation_failures: Vec<String>,
    objects: BTreeSet<String>,
    /// CHECK probes not run: the column's PostgreSQL type cannot hold the value.
    probes_not_held: usize,
}

/// Identifier-like words of SQL text, lower case, quotes removed.
fn words(sql: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let mut w = String::new();
                for d in chars.by_ref() {
                    if d == close {
                        break;
                    }
                    w.push(d);
                }
                out.insert(w.to_lowercase());
            }
            '\'' => {
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                }
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut w = c.to_string();
                while let Some(&d) = chars.peek() {
                    if d.is_alphanumeric() || d == '_' || d == '$' {
                        w.push(d);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.insert(w.to_lowercase());
            }
            _ => {}
        }
    }
    out
}

/// String and number literals of SQL text (CHECK probes start from them).
fn literals(sql: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let b: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '\'' {
            let mut s = String::new();
            i += 1;
            while i < b.len() {
                if b[i] == '\'' {
                    if b.get(i + 1) == Some(&'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                s.push(b[i]);
                i += 1;
            }
            out.push(Value::Text(s));
        } else if c == '"' || c == '[' || c == '`' {
            let close = if c == '[' { ']' } else { c };
            i += 1;
            while i < b.len() && b[i] != close {
                i += 1;
            }
        } else if c.is_ascii_digit() && (i == 0 || !(b[i - 1].is_alphanumeric() || b[i - 1] == '_')) {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == '.') {
                i += 1;
            }
            let text: String = b[start..i].iter().collect();
            let negative = start > 0 && b[..start].iter().rev().find(|c| !c.is_whitespace()) == Some(&'-');
            let sign = if negative { -1 } else { 1 };
            if let Ok(n) = text.parse::<i64>() {
                out.push(Value::Integer(sign * n));
            } else if let Ok(r) = text.parse::<f64>() {
                out.push(Value::Real(sign as f64 * r));
            }
            continue;
        } else if c.is_alphabetic() || c == '_' {
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out
}

fn value_key(v: &Value) -> String {
    format!("{v:?}")
}

/// Values to try in a column named by a CHECK: the CHECK's literals and their neighbours,
/// values of every type class, and the column's existing values.
fn probes(check_sql: &str, existing: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = vec![Value::Null];
    for lit in literals(check_sql) {
        match lit {
            Value::Integer(n) => out.extend([Value::Integer(n), Value::Integer(n - 1), Value::Integer(n + 1), Value::Real(n as f64 + 0.5), Value::Text(n.to_string())]),
            Value::Real(r) => out.extend([Value::Real(r), Value::Real(r - 0.01), Value::Real(r + 0.01)]),
            Value::Text(s) => {
                out.push(Value::Text(s.clone()));
                out.push(Value::Text(s.to_uppercase()));
                out.push(Value::Text(s.to_lowercase()));
                out.push(Value::Text(format!("{s}x")));
                out.push(Value::Text(format!(" {s}")));
                if s.len() > 1 {
                    out.push(Value::Text(s[..s.len() - 1].to_string()));
                }
            }
            _ => {}
        }
    }
    out.extend(
        [
            Value::Integer(0),
            Value::Integer(1),
            Value::Integer(-1),
            Value::Integer(2),
            Value::Integer(1_000_000),
            Value::Real(-0.5),
            Value::Real(2.5),
            Value::Text(String::new()),
            Value::Text(" ".into()),
            Value::Text("a".into()),
            Value::Text("Abc".into()),
            Value::Text("x".repeat(300)),
            Value::Text("2020-02-29".into()),
            Value::Text("1899-12-31".into()),
            Value::Text("2999-12-31 23:59:59".into()),
            Value::Text("2020-01-01T12:30:00".into()),
            Value::Text("{}".into()),
            Value::Text("[1,2]".into()),
            Value::Text("{\"a\": 1}".into()),
            Value::Text("not json".into()),
        ]
        .into_iter(),
    );
    out.extend(existing.iter().cloned());
    let mut seen = BTreeSet::new();
    out.retain(|v| seen.insert(value_key(v)));
    out
}

impl<'p> Target<'p> {
    async fn new(plan: &'p SchemaPlan, pg: &mut PgConnection, tally: &mut Tally) -> Target<'p> {
        let sqlite = rusqlite::Connection::open(&plan.source).expect("open the SQLite working copy");
        // recursive_triggers is off by default; PostgreSQL's translation follows that rule.
        sqlite.execute_batch("PRAGMA foreign_keys = ON; PRAGMA recursive_triggers = OFF").expect("foreign keys on");
        // Triggers the plan left out are not exercised: SQLite would run them, PostgreSQL has
        // none (an application function SQLite cannot run here either, often).
        let triggers: Vec<(String, String, String)> = {
            let mut stmt = sqlite.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").expect("triggers");
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("triggers").collect::<Result<_, _>>().expect("triggers")
        };
        let mut kept = Vec::new();
        for (name, table, sql) in triggers {
            if plan.triggers.iter().any(|t| t.source_name == name) {
                kept.push((table, sql));
                tally.objects.insert(format!("{} trigger {name}", plan.schema));
            } else {
                let why = plan.findings.iter().find(|f| f.object == format!("trigger \"{name}\"")).map(|f| f.message.chars().take(120).collect::<String>()).unwrap_or_else(|| "no finding".into());
                tally.skipped.push(format!("{}: trigger {name} left out by the plan: {why}", plan.schema));
                sqlite.execute_batch(&format!("DROP TRIGGER {}", q(&name))).expect("drop a left-out trigger from the working copy");
            }
        }

        let mut shapes = HashMap::new();
        for t in &plan.tables {
            let live: Vec<(String, String)> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                format!("{}.{}", q(&plan.schema), q(&t.name)).replace('\'', "''")
            )))
            .fetch_all(&mut *pg)
            .await
            .expect("live columns");
            let in_sqlite: BTreeSet<String> = {
                let stmt = sqlite.prepare(&format!("SELECT * FROM {} LIMIT 0", q(&t.source_name)));
                match stmt {
                    Ok(s) => s.column_names().iter().map(|c| c.to_lowercase()).collect(),
                    Err(_) => continue,
                }
            };
            let columns = t
                .columns
                .iter()
                .filter(|c| in_sqlite.contains(&c.source_name.to_lowercase()))
                .filter_map(|c| {
                    let (_, formatted) = live.iter().find(|(n, _)| *n == c.name)?;
                    let target = TargetType::from_catalog(formatted).unwrap_or_else(|| TargetType::Unsupported(formatted.clone()));
                    Some((c.source_name.clone(), c.name.clone(), formatted.clone(), target.clone(), Conversion::new(target, c.epoch())))
                })
                .collect();
            shapes.insert(t.source_name.to_lowercase(), TableShape { source: t.source_name.clone(), pg: t.name.clone(), columns });
        }

        // What a write to each table can reach.
        let by_pg: HashMap<String, String> = plan.tables.iter().map(|t| (t.name.clone(), t.source_name.to_lowercase())).collect();
        let mut edges: HashMap<String, BTreeSet<String>> = HashMap::new();
        for (table, sql) in &kept {
            let w = words(sql);
            let named: BTreeSet<String> = plan.tables.iter().map(|t| t.source_name.to_lowercase()).filter(|n| w.contains(n)).collect();
            edges.entry(table.to_lowercase()).or_default().extend(named);
        }
        for t in &plan.tables {
            let fks = t.foreign_keys.iter().chain(plan.deferred_foreign_keys.iter().filter(|d| d.table == t.name).map(|d| &d.foreign_key));
            for fk in fks {
                let acts = [&fk.on_delete, &fk.on_update].into_iter().any(|a| a.as_deref().is_some_and(|a| !a.eq_ignore_ascii_case("RESTRICT") && !a.eq_ignore_ascii_case("NO ACTION")));
                if acts && let Some(parent) = by_pg.get(&fk.parent_table) {
                    edges.entry(parent.clone()).or_default().insert(t.source_name.to_lowercase());
                }
            }
        }
        let mut reach = HashMap::new();
        for t in &plan.tables {
            let start = t.source_name.to_lowercase();
            let mut seen = BTreeSet::from([start.clone()]);
            let mut todo = vec![start.clone()];
            while let Some(x) = todo.pop() {
                for y in edges.get(&x).into_iter().flatten() {
                    if seen.insert(y.clone()) {
                        todo.push(y.clone());
                    }
                }
            }
            seen.retain(|n| shapes.contains_key(n));
            reach.insert(start, seen);
        }

        let seqs: Vec<(String, String, Option<i64>, i64)> = sqlx::query_as("SELECT schemaname::text, sequencename::text, last_value, start_value FROM pg_sequences WHERE schemaname = $1")
            .bind(&plan.schema)
            .fetch_all(&mut *pg)
            .await
            .expect("sequences");
        let reset_sequences = (!seqs.is_empty()).then(|| {
            let parts: Vec<String> = seqs
                .iter()
                .map(|(s, n, last, start)| {
                    let name = format!("{}.{}", q(s), q(n)).replace('\'', "''");
                    match last {
                        Some(v) => format!("setval('{name}', {v}, true)"),
                        None => format!("setval('{name}', {start}, false)"),
                    }
                })
                .collect();
            format!("SELECT {}", parts.join(", "))
        });
        let left_out_checks: BTreeSet<String> = plan
            .findings
            .iter()
            .filter(|f| f.message.starts_with("CHECK (") && f.message.contains("left out"))
            .filter_map(|f| f.object.strip_prefix("table \"").and_then(|o| o.split('"').next()).map(str::to_lowercase))
            .collect();
        Target { plan, sqlite, shapes, reach, baseline: HashMap::new(), reset_sequences, left_out_checks }
    }

    async fn baseline(&mut self, pg: &mut PgConnection, table: &str) -> (Vec<String>, Vec<String>) {
        if let Some(b) = self.baseline.get(table) {
            return b.clone();
        }
        let shape = &self.shapes[table];
        let b = (sqlite_rows(&self.sqlite, shape), pg_rows(pg, &self.plan.schema, shape).await);
        self.baseline.insert(table.to_string(), b.clone());
        b
    }

    /// The PostgreSQL parameter for `value` in `column` of `table`: its input text and the
    /// cast, or the value layer's refusal.
    fn pg_param(&self, table: &str, column: &str, value: &Value) -> Result<(Option<String>, String, String), String> {
        let shape = &self.shapes[&table.to_lowercase()];
        let (_, pg_name, formatted, _, conv) = shape.column(column).unwrap_or_else(|| panic!("no column {table}.{column}"));
        let v = conv.convert(rusqlite::types::ValueRef::from(value)).map_err(|e| format!("{column}: {e}"))?;
        Ok((sqlite2pg_value::text::input_text(&v), pg_name.clone(), formatted.clone()))
    }

    fn run_sqlite(&self, op: &Op) -> Outcome {
        let (sql, params): (String, Vec<Value>) = match op {
            Op::Insert { table, values } => (
                format!("INSERT INTO {} ({}) VALUES ({})", q(table), values.iter().map(|(c, _)| q(c)).collect::<Vec<_>>().join(", "), vec!["?"; values.len()].join(", ")),
                values.iter().map(|(_, v)| v.clone()).collect(),
            ),
            Op::Update { table, set, key } => (
                format!(
                    "UPDATE {} SET {} WHERE {}",
                    q(table),
                    set.iter().map(|(c, _)| format!("{} = ?", q(c))).collect::<Vec<_>>().join(", "),
                    key.iter().map(|(c, _)| format!("{} IS ?", q(c))).collect::<Vec<_>>().join(" AND ")
                ),
                set.iter().chain(key).map(|(_, v)| v.clone()).collect(),
            ),
            Op::Delete { table, key } => (
                format!("DELETE FROM {} WHERE {}", q(table), key.iter().map(|(c, _)| format!("{} IS ?", q(c))).collect::<Vec<_>>().join(" AND ")),
                key.iter().map(|(_, v)| v.clone()).collect(),
            ),
        };
        match self.sqlite.execute(&sql, rusqlite::params_from_iter(params)) {
            Ok(_) => Outcome::Accepted,
            Err(e) => Outcome::Refused(e.to_string()),
        }
    }

    async fn run_pg(&self, pg: &mut PgConnection, op: &Op) -> Outcome {
        let relation = |t: &str| format!("{}.{}", q(&self.plan.schema), q(&self.shapes[&t.to_lowercase()].pg));
        let mut params: Vec<Option<String>> = Vec::new();
        let mut param = |p: (Option<String>, String, String)| {
            params.push(p.0);
            (p.1, format!("${}::{}", params.len(), p.2))
        };
        let sql = match (|| -> Result<String, String> {
            Ok(match op {
                Op::Insert { table, values } => {
                    let mut cols = Vec::new();
                    let mut vals = Vec::new();
                    for (c, v) in values {
                        let (name, p) = param(self.pg_param(table, c, v)?);
                        cols.push(q(&name));
                        vals.push(p);
                    }
                    format!("INSERT INTO {} ({}) VALUES ({})", relation(table), cols.join(", "), vals.join(", "))
                }
                Op::Update { table, set, key } => {
                    let mut sets = Vec::new();
                    for (c, v) in set {
                        let (name, p) = param(self.pg_param(table, c, v)?);
                        sets.push(format!("{} = {p}", q(&name)));
                    }
                    let mut wheres = Vec::new();
                    for (c, v) in key {
                        let (name, p) = param(self.pg_param(table, c, v)?);
                        wheres.push(format!("{} IS NOT DISTINCT FROM {p}", q(&name)));
                    }
                    format!("UPDATE {} SET {} WHERE {}", relation(table), sets.join(", "), wheres.join(" AND "))
                }
                Op::Delete { table, key } => {
                    let mut wheres = Vec::new();
                    for (c, v) in key {
                        let (name, p) = param(self.pg_param(table, c, v)?);
                        wheres.push(format!("{} IS NOT DISTINCT FROM {p}", q(&name)));
                    }
                    format!("DELETE FROM {} WHERE {}", relation(table), wheres.join(" AND "))
                }
            })
        })() {
            Ok(sql) => sql,
            Err(e) => return Outcome::TypeRefused(e),
        };
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for p in params {
            query = query.bind(p);
        }
        match query.execute(&mut *pg).await {
            Ok(_) => Outcome::Accepted,
            Err(sqlx::Error::Database(e)) => {
                let code = e.code().map(|c| c.to_string()).unwrap_or_default();
                // Invalid input for a type (22xxx): the value, not a constraint.
                if code.starts_with("22") { Outcome::TypeRefused(format!("{code} {}", e.message())) } else { Outcome::Refused(format!("{code} {}", e.message())) }
            }
            Err(e) => panic!("PostgreSQL connection failed: {e}"),
        }
    }

    /// Run `s` on both sides, compare, roll both back.
    async fn check(&mut self, pg: &mut PgConnection, s: &Statement, tally: &mut Tally) {
        let table = s.op.table().to_lowercase();
        let reach: Vec<String> = self.reach.get(&table).map(|r| r.iter().cloned().collect()).unwrap_or_else(|| vec![table.clone()]);
        if let Some(t) = reach.iter().find(|t| self.left_out_checks.contains(*t)) {
            tally.skipped.push(format!("{} {}: table {t} has a CHECK the plan left out", self.plan.schema, describe(&s.op)));
            return;
        }
        let mut before = Vec::new();
        for t in &reach {
            before.push(self.baseline(pg, t).await);
        }
        tally.statements += 1;
        let label = format!("{} {} [{}]", self.plan.schema, describe(&s.op), s.origin);

        self.sqlite.execute_batch("BEGIN").expect("SQLite BEGIN");
        let lite = self.run_sqlite(&s.op);
        let lite_rows: Vec<Vec<String>> = if lite.accepted() { reach.iter().map(|t| sqlite_rows(&self.sqlite, &self.shapes[t])).collect() } else { Vec::new() };
        self.sqlite.execute_batch("ROLLBACK").expect("SQLite ROLLBACK");

        sqlx::raw_sql("BEGIN").execute(&mut *pg).await.expect("BEGIN");
        let post = self.run_pg(pg, &s.op).await;
        let mut pg_after = Vec::new();
        if post.accepted() {
            sqlx::raw_sql("SET LOCAL TimeZone = 'UTC'").execute(&mut *pg).await.expect("zone");
            for t in &reach {
                pg_after.push(pg_rows(pg, &self.plan.schema, &self.shapes[t]).await);
            }
        }
        sqlx::raw_sql("ROLLBACK").execute(&mut *pg).await.expect("ROLLBACK");
        if let Some(reset) = &self.reset_sequences {
            sqlx::raw_sql(AssertSqlSafe(reset.clone())).execute(&mut *pg).await.expect("sequences set back");
        }

        if let Some(expected) = s.expect_sqlite
            && expected != lite.accepted()
        {
            tally.sqlite_expectation_failures.push(format!("{label}: SQLite {}, the case expects it {}", lite.show(), if expected { "accepted" } else { "refused" }));
        }
        if lite.to_string_kind() == "skip" {
            tally.skipped.push(format!("{label}: SQLite cannot run it: {}", lite.show()));
            return;
        }
        match (&lite, &post) {
            (Outcome::Accepted, Outcome::Accepted) => {
                tally.accepted_both += 1;
                for (i, t) in reach.iter().enumerate() {
                    let d_lite = delta(&before[i].0, &lite_rows[i]);
                    let d_pg = delta(&before[i].1, &pg_after[i]);
                    if d_lite != d_pg {
                        tally.differences.push(format!(
                            "{label}: both accepted, table {t} changed differently\n    SQLite:     {}\n    PostgreSQL: {}",
                            d_lite.join("\n                "),
                            d_pg.join("\n                ")
                        ));
                    }
                }
            }
            (Outcome::Refused(_), Outcome::Refused(_) | Outcome::TypeRefused(_)) => tally.refused_both += 1,
            (Outcome::Accepted, Outcome::TypeRefused(m)) => tally.type_refused.push(format!("{label}: SQLite accepted, PostgreSQL's column type refused: {m}")),
            _ => tally.differences.push(format!("{label}: SQLite {}, PostgreSQL {}", lite.show(), post.show())),
        }
    }
}

impl Outcome {
    /// SQLite errors that say the schema itself cannot be written here (not an outcome).
    fn to_string_kind(&self) -> &'static str {
        match self {
            Outcome::Refused(m) if m.contains("foreign key mismatch") || m.contains("no such function") || m.contains("no such table") => "skip",
            _ => "",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Statements derived from a migrated file

fn read_rows(conn: &rusqlite::Connection, t: &TablePlan, columns: &[String], limit: usize) -> Vec<Vec<Value>> {
    let order = if t.without_rowid { String::new() } else { " ORDER BY rowid".to_string() };
    let cols: Vec<String> = columns.iter().map(|c| q(c)).collect();
    let sql = format!("SELECT {} FROM {}{order} LIMIT {limit}", cols.join(", "), q(&t.source_name));
    let mut stmt = conn.prepare(&sql).expect("rows");
    let n = columns.len();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect::<Result<Vec<_>, _>>()).expect("rows").collect::<Result<_, _>>().expect("rows")
}

/// Generic statements for one table: what its CHECKs, triggers and defaults should do alike.
fn derive(target: &Target<'_>, t: &TablePlan, triggers_sql: &[String], tally: &mut Tally) -> Vec<Statement> {
    let shape = &target.shapes[&t.source_name.to_lowercase()];
    // Columns written: those SQLite has and PostgreSQL does not generate.
    let writable: Vec<String> = t
        .columns
        .iter()
        .filter(|c| c.generated.is_none() && shape.column(&c.source_name).is_some())
        .map(|c| c.source_name.clone())
        .collect();
    let rows = read_rows(&target.sqlite, t, &writable, 2);
    let Some(first) = rows.first() else {
        tally.skipped.push(format!("{} table {}: no rows to derive statements from", target.plan.schema, t.source_name));
        return Vec::new();
    };
    let second = rows.get(1).unwrap_or(first);
    let src_of = |pg: &str| t.columns.iter().find(|c| c.name == pg).map(|c| c.source_name.clone());
    let key_cols: Vec<String> = if t.primary_key.is_empty() { writable.clone() } else { t.primary_key.iter().filter_map(|k| src_of(k)).collect() };
    let idx = |c: &str| writable.iter().position(|w| w.eq_ignore_ascii_case(c));
    let key: Vec<(String, Value)> = key_cols.iter().filter_map(|c| Some((c.clone(), first[idx(c)?].clone()))).collect();
    if key.len() != key_cols.len() {
        tally.skipped.push(format!("{} table {}: key not writable", target.plan.schema, t.source_name));
        return Vec::new();
    }
    let mut out = Vec::new();
    let origin = |what: &str| format!("{} {what}", t.source_name);

    // A fresh key: one column of the key and of each UNIQUE (constraint or index) moved past
    // every stored value.
    let mut groups: Vec<Vec<String>> = Vec::new();
    if !t.primary_key.is_empty() {
        groups.push(t.primary_key.clone());
    }
    groups.extend(t.uniques.iter().cloned());
    for ix in target.plan.indexes.iter().filter(|i| i.unique && i.table == t.name) {
        let cols: Vec<String> = ix.parts.iter().map(|p| p.split_whitespace().next().unwrap_or("").trim_matches('"').to_string()).filter(|p| t.columns.iter().any(|c| c.name == *p)).collect();
        if !cols.is_empty() {
            groups.push(cols);
        }
    }
    let fk_cols: BTreeSet<&String> = t.foreign_keys.iter().flat_map(|f| f.columns.iter()).collect();
    let fresh = |v: &Value, c: &str| -> Option<Value> {
        match v {
            Value::Integer(_) | Value::Null => {
                let max: Option<i64> = target.sqlite.query_row(&format!("SELECT max(CAST({} AS INTEGER)) FROM {}", q(c), q(&t.source_name)), [], |r| r.get(0)).ok().flatten();
                Some(Value::Integer(max.unwrap_or(0) + 1000))
            }
            Value::Real(r) => Some(Value::Real(r + 1000.5)),
            Value::Text(s) => Some(Value::Text(format!("{s}~d"))),
            Value::Blob(_) => None,
        }
    };
    let mut copy = first.clone();
    let mut fresh_ok = true;
    let mut moved = BTreeSet::new();
    for g in &groups {
        if g.iter().any(|c| moved.contains(c)) {
            continue;
        }
        let pick = g.iter().find(|c| !fk_cols.contains(c)).or(g.first()).cloned().unwrap_or_default();
        let Some(src) = src_of(&pick) else { continue };
        let Some(i) = idx(&src) else { continue };
        match fresh(&copy[i], &src) {
            Some(v) => {
                copy[i] = v;
                moved.insert(pick);
            }
            None => fresh_ok = false,
        }
    }
    if fresh_ok {
        out.push(Statement { op: Op::Insert { table: t.source_name.clone(), values: writable.iter().cloned().zip(copy.iter().cloned()).collect() }, origin: origin("existing row again under a fresh key"), expect_sqlite: None });
    }

    // Defaults: the same row with every column that has a default left out (a default the
    // plan left out is written explicitly, and counted).
    let with_default: Vec<&String> = writable
        .iter()
        .filter(|c| {
            let col = t.columns.iter().find(|x| &x.source_name == *c).expect("column");
            let dflt: Option<String> = target.sqlite.query_row(&format!("SELECT dflt_value FROM pragma_table_info({}) WHERE name = ?", sql_str(&t.source_name)), [c], |r| r.get(0)).ok().flatten();
            match (dflt.filter(|d| !d.eq_ignore_ascii_case("NULL")), &col.default, col.identity) {
                (Some(_), Some(_), false) => true,
                (Some(d), None, false) => {
                    tally.skipped.push(format!("{} table {} column {c}: DEFAULT {d} left out by the plan", target.plan.schema, t.source_name));
                    false
                }
                _ => false,
            }
        })
        .collect();
    if fresh_ok && !with_default.is_empty() {
        let values: Vec<(String, Value)> = writable.iter().cloned().zip(copy.iter().cloned()).filter(|(c, _)| !with_default.contains(&c)).collect();
        for c in &with_default {
            tally.objects.insert(format!("{} default {}.{c}", target.plan.schema, t.source_name));
        }
        out.push(Statement { op: Op::Insert { table: t.source_name.clone(), values }, origin: origin("defaults filled"), expect_sqlite: None });
    }

    // Triggers: every column a trigger on the table names, set to the second row's value;
    // all columns at once; a delete.
    if !triggers_sql.is_empty() {
        let named: BTreeSet<String> = triggers_sql.iter().flat_map(|s| words(s)).collect();
        for (i, c) in writable.iter().enumerate() {
            if named.contains(&c.to_lowercase()) && !key_cols.contains(c) {
                let v = if second[i] != first[i] { second[i].clone() } else { fresh(&first[i], c).unwrap_or(Value::Null) };
                out.push(Statement { op: Op::Update { table: t.source_name.clone(), set: vec![(c.clone(), v)], key: key.clone() }, origin: origin("update of a column a trigger names"), expect_sqlite: None });
            }
        }
        let set: Vec<(String, Value)> = writable.iter().cloned().zip(second.iter().cloned()).filter(|(c, _)| !key_cols.contains(c)).collect();
        if !set.is_empty() {
            out.push(Statement { op: Op::Update { table: t.source_name.clone(), set, key: key.clone() }, origin: origin("update of every column"), expect_sqlite: None });
        }
        out.push(Statement { op: Op::Delete { table: t.source_name.clone(), key: key.clone() }, origin: origin("delete"), expect_sqlite: None });
    }

    // CHECK probes.
    for check in &t.checks {
        tally.objects.insert(format!("{} check {}: {}", target.plan.schema, t.source_name, check.source_expr));
        let w = words(&check.source_expr);
        for (i, c) in writable.iter().enumerate() {
            if !w.contains(&c.to_lowercase()) {
                continue;
            }
            let existing = [first[i].clone(), second[i].clone()];
            let text_column = shape.column(c).is_some_and(|x| x.3.is_text());
            for v in probes(&check.source_expr, &existing) {
                // A value the column's PostgreSQL type cannot hold, or whose spelling it does
                // not keep (a date read past its spaces), tests the type, not the CHECK.
                let spaced = matches!(&v, Value::Text(t) if t.trim() != t);
                if target.pg_param(&t.source_name, c, &v).is_err() || (spaced && !text_column) {
                    tally.probes_not_held += 1;
                    continue;
                }
                out.push(Statement {
                    op: Op::Update { table: t.source_name.clone(), set: vec![(c.clone(), v)], key: key.clone() },
                    origin: origin(&format!("CHECK ({}) probe", check.source_expr.chars().take(60).collect::<String>())),
                    expect_sqlite: None,
                });
            }
        }
    }
    out
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Every table of a migrated file that has a CHECK, a trigger or a DEFAULT, with its statements.
fn derive_all(target: &Target<'_>, tally: &mut Tally) -> Vec<Statement> {
    let mut triggers: HashMap<String, Vec<String>> = HashMap::new();
    {
        let mut stmt = target.sqlite.prepare("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").expect("triggers");
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))).expect("triggers");
        for r in rows {
            let (t, sql) = r.expect("trigger");
            triggers.entry(t.to_lowercase()).or_default().push(sql);
        }
    }
    let left_out_checks = &target.left_out_checks;
    let mut out = Vec::new();
    for t in &target.plan.tables {
        let key = t.source_name.to_lowercase();
        let trig = triggers.get(&key).cloned().unwrap_or_default();
        let has_default = t.columns.iter().any(|c| c.default.is_some() && !c.identity);
        if t.checks.is_empty() && trig.is_empty() && !has_default && !left_out_checks.contains(&key) {
            continue;
        }
        if left_out_checks.contains(&key) {
            let why: Vec<&str> = target.plan.findings.iter().filter(|f| f.object.starts_with(&format!("table \"{}\"", t.source_name)) && f.message.starts_with("CHECK (")).map(|f| f.message.as_str()).collect();
            tally.skipped.push(format!("{} table {}: a CHECK was left out by the plan, the table gets no statements: {}", target.plan.schema, t.source_name, why.join("; ")));
            continue;
        }
        if target.shapes.get(&key).is_none_or(|s| s.columns.is_empty()) {
            continue;
        }
        out.extend(derive(target, t, &trig, tally));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The database written here

const CASES_SQL: &str = r#"
CREATE TABLE authors (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL CHECK (trim(name) <> '' AND length(name) <= 40),
  email TEXT UNIQUE CHECK (email LIKE '%_@_%.__%'),
  born TEXT CHECK (born IS NULL OR (length(born) = 10 AND born BETWEEN '1000-01-01' AND '2100-12-31')),
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  book_count INTEGER NOT NULL DEFAULT 0 CHECK (book_count >= 0),
  updated_at TEXT
);
INSERT INTO authors (id, name, email, born, active, book_count, updated_at) VALUES
  (1, 'Ursula', 'ursula@example.org', '1929-10-21', 1, 2, '2024-01-01 10:00:00'),
  (2, 'Italo', 'italo@example.org', '1923-10-15', 0, 1, '2024-01-02 11:00:00'),
  (3, 'Octavia', NULL, NULL, 1, 0, '2024-01-03 12:00:00');

CREATE TABLE books (
  id INTEGER PRIMARY KEY,
  author_id INTEGER NOT NULL REFERENCES authors(id) ON DELETE CASCADE,
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 60),
  isbn TEXT CHECK (isbn IS NULL OR (length(isbn) = 13 AND isbn GLOB '97[89][0-9]*')),
  published TEXT CHECK (published IS NULL OR (length(published) = 10 AND substr(published, 1, 2) IN ('19', '20') AND date(published) IS NOT NULL)),
  in_print INTEGER NOT NULL DEFAULT 1 CHECK (in_print IN (0, 1)),
  genre TEXT NOT NULL DEFAULT 'fiction' CHECK (genre IN ('fiction', 'poetry', 'essay')),
  price NUMERIC(10,2) CHECK (price BETWEEN 0 AND 500),
  meta TEXT CHECK (json_valid(meta) AND json_type(meta) = 'object'),
  code TEXT CHECK (code LIKE 'b-%' AND code NOT GLOB '*[^-a-zA-Z0-9]*'),
  stock INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT DEFAULT (datetime('now')),
  stamp TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (in_print = 1 OR genre <> 'essay'),
  CHECK (published IS NULL OR published >= '1900-01-01')
);
INSERT INTO books (id, author_id, title, isbn, published, in_print, genre, price, meta, code, stock, created_at, updated_at, stamp) VALUES
  (1, 1, 'The Dispossessed', '9780061054884', '1974-05-01', 1, 'fiction', 9.99, '{"pages": 387, "tags": ["utopia"]}', 'B-1', 4, '2024-01-01 09:00:00', '2024-01-01 09:00:00', '2024-01-01T09:00:00.000Z'),
  (2, 2, 'Invisible Cities', '9780156453806', '1972-11-01', 0, 'fiction', 12.50, '{"pages": 165}', 'b-2', 0, '2024-01-02 09:00:00', '2024-01-02 09:00:00', '2024-01-02T09:00:00.000Z'),
  (3, 1, 'Always Coming Home', NULL, '1985-09-01', 1, 'poetry', 25.00, '{"pages": 562}', 'b-3x', 1, '2024-01-03 09:00:00', NULL, '2024-01-03T09:00:00.500Z'),
  (4, 3, 'Kindred', '9780807083697', '1979-06-01', 1, 'essay', 8.00, '{}', 'b-4', 7, '2024-01-04 09:00:00', '2024-01-04 09:00:00', '2024-01-04T09:00:00.000Z');

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  book_id INTEGER,
  action TEXT NOT NULL CHECK (action IN ('insert', 'retitle', 'delete', 'reprice', 'restock')),
  old_value TEXT,
  new_value TEXT,
  at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO audit (book_id, action, old_value, new_value, at) VALUES (1, 'insert', NULL, 'The Dispossessed', '2024-01-01 09:00:00');

CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  book_id INTEGER NOT NULL REFERENCES books(id),
  qty INTEGER NOT NULL CHECK (qty > 0 AND qty <= 10),
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped')),
  placed_on TEXT NOT NULL DEFAULT CURRENT_DATE,
  placed_epoch INTEGER DEFAULT (strftime('%s', 'now'))
);
INSERT INTO orders (id, book_id, qty, status, placed_on, placed_epoch) VALUES (1, 1, 1, 'paid', '2024-02-01', 1706745600);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL DEFAULT 'note',
  payload TEXT CHECK (payload IS NULL OR json_valid(payload)),
  weight REAL DEFAULT 1.5 CHECK (weight > 0.0),
  flags INTEGER DEFAULT -1,
  day TEXT DEFAULT (date('now')),
  note TEXT DEFAULT 'it''s'
);
INSERT INTO events (id, kind, payload, weight, flags, day, note) VALUES (1, 'note', NULL, 2.0, 3, NULL, 'x');

-- Triggers: audit rows, timestamps, guards, WHEN clauses, UPDATE OF lists.
CREATE TRIGGER books_ai AFTER INSERT ON books
BEGIN
  INSERT INTO audit (book_id, action, new_value) VALUES (new.id, 'insert', new.title);
  UPDATE authors SET book_count = book_count + 1 WHERE id = new.author_id;
END;
CREATE TRIGGER books_retitle AFTER UPDATE OF title ON books WHEN old.title IS NOT new.title
BEGIN
  INSERT INTO audit (book_id, action, old_value, new_value, at) VALUES (new.id, 'retitle', old.title, new.title, datetime('now'));
END;
CREATE TRIGGER books_reprice AFTER UPDATE OF price ON books WHEN new.price <> old.price
BEGIN
  INSERT INTO audit (book_id, action, old_value, new_value) VALUES (new.id, 'reprice', old.price, new.price);
END;
CREATE TRIGGER books_touch AFTER UPDATE ON books
BEGIN
  UPDATE books SET updated_at = CURRENT_TIMESTAMP WHERE id = new.id;
END;
CREATE TRIGGER books_price_guard BEFORE UPDATE OF price ON books WHEN new.price > old.price * 2
BEGIN
  SELECT RAISE(ABORT, 'price more than doubled');
END;
CREATE TRIGGER books_in_print_delete BEFORE DELETE ON books WHEN old.in_print = 1
BEGIN
  SELECT RAISE(ABORT, 'cannot delete a book in print');
END;
CREATE TRIGGER books_ad AFTER DELETE ON books
BEGIN
  INSERT INTO audit (book_id, action, old_value) VALUES (old.id, 'delete', old.title);
  UPDATE authors SET book_count = book_count - 1 WHERE id = old.author_id;
END;
CREATE TRIGGER books_poetry_price BEFORE INSERT ON books WHEN new.genre = 'poetry' AND new.price IS NULL
BEGIN
  SELECT RAISE(ABORT, 'poetry needs a price');
END;
CREATE TRIGGER orders_stock BEFORE INSERT ON orders
BEGIN
  SELECT CASE WHEN (SELECT stock FROM books WHERE id = new.book_id) < new.qty THEN RAISE(ABORT, 'not enough stock') END;
END;
CREATE TRIGGER orders_ai AFTER INSERT ON orders
BEGIN
  UPDATE books SET stock = stock - new.qty WHERE id = new.book_id;
  INSERT INTO audit (book_id, action, old_value, new_value) VALUES (new.book_id, 'restock', NULL, -new.qty);
END;
CREATE TRIGGER orders_status AFTER UPDATE OF status ON orders WHEN new.status = 'shipped' AND old.status <> 'shipped'
BEGIN
  UPDATE books SET updated_at = datetime('now') WHERE id = new.book_id;
END;
CREATE TRIGGER authors_touch AFTER UPDATE OF name, email ON authors
BEGIN
  UPDATE authors SET updated_at = datetime('now') WHERE id = old.id;
END;
CREATE TRIGGER authors_inactive BEFORE UPDATE OF active ON authors WHEN new.active = 0 AND (SELECT count(*) FROM books WHERE author_id = new.id AND in_print = 1) > 0
BEGIN
  SELECT RAISE(ABORT, 'author has books in print');
END;

-- Recursion (recursive_triggers off): a trigger is not fired again while it runs, whatever
-- the way back to it, and is fired by other triggers' and foreign key actions' writes.
CREATE TABLE shelves (id INTEGER PRIMARY KEY, label TEXT NOT NULL, hits INTEGER NOT NULL DEFAULT 0);
INSERT INTO shelves (id, label, hits) VALUES (1, 'a', 3), (2, 'b', 0);
CREATE TABLE shelf_mirror (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
INSERT INTO shelf_mirror (id, label) VALUES (1, 'a'), (2, 'b');
CREATE TABLE shelf_items (
  id INTEGER PRIMARY KEY,
  shelf_id INTEGER REFERENCES shelves(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  touched INTEGER NOT NULL DEFAULT 0
);
INSERT INTO shelf_items (id, shelf_id, name, touched) VALUES (1, 1, 'x', 0), (2, 1, 'y', 2), (3, 2, 'z', 7);
CREATE TABLE shelf_log (id INTEGER PRIMARY KEY, note TEXT NOT NULL);
INSERT INTO shelf_log (id, note) VALUES (1, 'start');

CREATE TRIGGER shelves_sync AFTER UPDATE OF label ON shelves
BEGIN
  UPDATE shelf_mirror SET label = new.label || '>' WHERE id = new.id;
END;
CREATE TRIGGER mirror_sync AFTER UPDATE OF label ON shelf_mirror
BEGIN
  UPDATE shelves SET label = new.label || '<', hits = hits + 1 WHERE id = new.id;
END;
CREATE TRIGGER shelf_items_touch AFTER UPDATE ON shelf_items
BEGIN
  UPDATE shelf_items SET touched = touched + 1 WHERE id = new.id;
END;
CREATE TRIGGER shelf_items_seen AFTER UPDATE OF touched ON shelf_items
BEGIN
  UPDATE shelves SET hits = hits + 1 WHERE id = new.shelf_id;
END;
CREATE TRIGGER shelf_items_filter BEFORE INSERT ON shelf_items WHEN new.name LIKE 'tmp%'
BEGIN
  INSERT INTO shelf_log (note) VALUES ('skipped ' || new.name);
  SELECT RAISE(IGNORE);
END;
-- Explicit keys: PostgreSQL draws an identity value even for a row the BEFORE trigger skips.
CREATE TRIGGER shelves_ai AFTER INSERT ON shelves
BEGIN
  INSERT INTO shelf_items (id, shelf_id, name) VALUES (new.id * 10 + 1, new.id, 'tmp-' || new.label);
  INSERT INTO shelf_items (id, shelf_id, name) VALUES (new.id * 10 + 2, new.id, 'tmp2-' || new.label);
  INSERT INTO shelf_items (id, shelf_id, name) VALUES (new.id * 10 + 3, new.id, 'real-' || new.label);
END;
"#;

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}
fn int(i: i64) -> Value {
    Value::Integer(i)
}
fn ins(table: &str, values: &[(&str, Value)]) -> Op {
    Op::Insert { table: table.into(), values: values.iter().map(|(c, v)| (c.to_string(), v.clone())).collect() }
}
fn upd(table: &str, set: &[(&str, Value)], id: i64) -> Op {
    Op::Update { table: table.into(), set: set.iter().map(|(c, v)| (c.to_string(), v.clone())).collect(), key: vec![("id".into(), int(id))] }
}
fn del(table: &str, id: i64) -> Op {
    Op::Delete { table: table.into(), key: vec![("id".into(), int(id))] }
}

/// Hand-written statements on the cases database, each with the outcome SQLite must give.
fn case_statements() -> Vec<Statement> {
    let book = |id: i64, extra: &[(&str, Value)]| {
        let mut v: Vec<(&str, Value)> = vec![("id", int(id)), ("author_id", int(3)), ("title", text("Parable of the Sower")), ("published", text("1993-10-01")), ("price", Value::Real(15.0))];
        for (c, x) in extra {
            v.retain(|(k, _)| k != c);
            v.push((c, x.clone()));
        }
        ins("books", &v)
    };
    let s = |op: Op, ok: bool, why: &str| Statement { op, origin: format!("case: {why}"), expect_sqlite: Some(ok) };
    vec![
        s(book(10, &[]), true, "insert with defaults: in_print, genre, stock, created_at, updated_at, stamp; audit row; author count"),
        s(book(11, &[("published", text("1993-1-01"))]), false, "length(published) = 10 on a date column"),
        s(book(12, &[("published", text("1850-01-01"))]), false, "substr(published, 1, 2) IN ('19','20') on a date column"),
        s(book(13, &[("published", Value::Null)]), true, "NULL published passes every CHECK (NULL is not false)"),
        s(book(14, &[("in_print", int(2))]), false, "in_print IN (0, 1) on a boolean column"),
        s(book(15, &[("in_print", int(0)), ("genre", text("essay"))]), false, "in_print = 1 OR genre <> 'essay'"),
        s(book(16, &[("in_print", int(0)), ("genre", text("poetry"))]), true, "an out-of-print poem"),
        s(book(17, &[("genre", text("Fiction"))]), false, "IN list is case-sensitive"),
        s(book(18, &[("price", Value::Real(500.0))]), true, "BETWEEN is inclusive"),
        s(book(19, &[("price", Value::Real(500.01))]), false, "BETWEEN upper bound"),
        s(book(20, &[("price", Value::Real(-0.01))]), false, "BETWEEN lower bound"),
        s(book(21, &[("meta", text("{\"pages\": 10}"))]), true, "json_valid and json_type on a jsonb column"),
        s(book(22, &[("meta", text("[1, 2]"))]), false, "json_type(meta) = 'object' refuses an array"),
        s(book(23, &[("meta", text("{pages: 10}"))]), false, "json_valid refuses invalid JSON"),
        s(book(24, &[("code", text("B-24"))]), true, "LIKE is case-insensitive in SQLite"),
        s(book(25, &[("code", text("c-25"))]), false, "LIKE prefix"),
        s(book(26, &[("code", text("b-2 6"))]), false, "NOT GLOB '*[^-a-zA-Z0-9]*' refuses a space"),
        s(book(27, &[("isbn", text("9791234567890"))]), true, "GLOB '97[89][0-9]*'"),
        s(book(28, &[("isbn", text("9771234567890"))]), false, "GLOB character class"),
        s(book(29, &[("isbn", text("978123456789"))]), false, "length(isbn) = 13"),
        s(book(30, &[("title", text(""))]), false, "length(title) BETWEEN 1 AND 60"),
        s(book(31, &[("genre", text("poetry")), ("price", Value::Null)]), false, "RAISE(ABORT) in a BEFORE INSERT trigger with WHEN"),
        s(book(32, &[("author_id", int(99))]), false, "foreign key"),
        s(book(33, &[("stock", int(-1))]), false, "stock >= 0"),
        s(book(34, &[("title", text("Fledgling")), ("published", text("2005-02-29"))]), true, "SQLite's date() reads 29 February 2005 as 1 March; PostgreSQL's date refuses the value"),
        s(upd("books", &[("title", text("The Dispossessed: An Ambiguous Utopia"))], 1), true, "UPDATE OF title: audit row with datetime('now'), updated_at touched"),
        s(upd("books", &[("title", text("The Dispossessed"))], 1), true, "UPDATE OF title with the same title: WHEN old.title IS NOT new.title is false"),
        s(upd("books", &[("price", Value::Real(19.98))], 1), true, "price doubled exactly: the guard's WHEN is false; reprice audit"),
        s(upd("books", &[("price", Value::Real(19.99))], 1), false, "price more than doubled: RAISE(ABORT)"),
        s(upd("books", &[("stock", int(9))], 1), true, "an update no UPDATE OF trigger names: only books_touch"),
        s(upd("books", &[("in_print", int(0))], 4), false, "CHECK across columns on UPDATE (an essay must stay in print)"),
        s(upd("books", &[("published", text("1974-5-01"))], 1), false, "length over a date column on UPDATE"),
        s(upd("books", &[("meta", text("\"text\""))], 1), false, "a JSON string is valid JSON but not an object"),
        s(del("books", 1), false, "BEFORE DELETE guard on a book in print"),
        s(del("books", 2), true, "AFTER DELETE audit row and author count"),
        s(ins("orders", &[("id", int(2)), ("book_id", int(1)), ("qty", int(3))]), true, "defaults: status, placed_on (CURRENT_DATE), placed_epoch (strftime('%s')); stock trigger; books_touch fired by another trigger"),
        s(ins("orders", &[("id", int(3)), ("book_id", int(1)), ("qty", int(5))]), false, "not enough stock: RAISE(ABORT) in a CASE"),
        s(ins("orders", &[("id", int(4)), ("book_id", int(1)), ("qty", int(0))]), false, "qty > 0"),
        s(ins("orders", &[("id", int(5)), ("book_id", int(1)), ("qty", int(1)), ("status", text("lost"))]), false, "status IN list"),
        s(upd("orders", &[("status", text("shipped"))], 1), true, "WHEN new.status = 'shipped': books.updated_at written by datetime('now')"),
        s(upd("orders", &[("qty", int(2))], 1), true, "UPDATE of a column no trigger names"),
        s(ins("authors", &[("id", int(4)), ("name", text("Samuel")), ("email", text("sam@example.com"))]), true, "defaults active (boolean) and book_count"),
        s(ins("authors", &[("id", int(5)), ("name", text("   ")), ("email", text("x@example.com"))]), false, "trim(name) <> ''"),
        s(ins("authors", &[("id", int(6)), ("name", text("Jo")), ("email", text("jo@example"))]), false, "email LIKE '%_@_%.__%'"),
        s(ins("authors", &[("id", int(7)), ("name", text("Jo")), ("email", text("JO@EXAMPLE.ORG"))]), true, "LIKE pattern letters in another case"),
        s(ins("authors", &[("id", int(8)), ("name", text("Jo")), ("born", text("0999-12-31"))]), false, "born BETWEEN text bounds on a date column"),
        s(upd("authors", &[("name", text("Ursula K. Le Guin"))], 1), true, "UPDATE OF name: self-update of updated_at"),
        s(upd("authors", &[("active", int(0))], 1), false, "guard with a subquery in WHEN"),
        s(upd("authors", &[("active", int(0))], 3), false, "guard with a subquery in WHEN (Octavia's Kindred is in print)"),
        s(upd("authors", &[("active", int(1))], 2), true, "guard's WHEN false"),
        s(upd("authors", &[("book_count", int(-1))], 2), false, "book_count >= 0"),
        s(del("authors", 2), true, "ON DELETE CASCADE fires books' delete triggers"),
        s(ins("events", &[("id", int(2))]), true, "constant defaults: text, real, negative integer, date('now'), an escaped quote"),
        s(ins("events", &[("id", int(3)), ("payload", text("{\"a\": [1, 2]}"))]), true, "json_valid on a text column"),
        s(ins("events", &[("id", int(4)), ("payload", text("{oops"))]), false, "json_valid on a text column refuses"),
        s(ins("events", &[("id", int(5)), ("weight", Value::Real(0.0))]), false, "weight > 0.0"),
        s(ins("audit", &[("book_id", int(1)), ("action", text("insert"))]), true, "identity after AUTOINCREMENT; at = CURRENT_TIMESTAMP"),
        s(upd("shelves", &[("label", text("q"))], 1), true, "two triggers writing each other's table: shelves_sync is not fired again through mirror_sync"),
        s(upd("shelf_mirror", &[("label", text("m"))], 2), true, "the same loop entered from the other table"),
        s(del("shelves", 1), true, "ON DELETE SET NULL (a foreign key action) fires shelf_items_touch, whose own write does not fire it again"),
        s(upd("shelf_items", &[("name", text("w"))], 3), true, "shelf_items_touch's write to its own table fires shelf_items_seen"),
        s(ins("shelves", &[("id", int(3)), ("label", text("c"))]), true, "RAISE(IGNORE) in a BEFORE trigger that writes, twice in one statement: fired both times"),
    ]
}

// ---------------------------------------------------------------------------------------------
// The test

fn has_something(path: &Path) -> bool {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open fixture");
    let n: i64 = conn
        .query_row(
            "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'trigger' OR (type = 'table' AND upper(sql) LIKE '%CHECK%')) + \
             (SELECT count(*) FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND p.dflt_value IS NOT NULL)",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    n > 0
}

fn schema_text(path: &Path) -> String {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open fixture");
    conn.query_row("SELECT group_concat(coalesce(sql, ''), ';') FROM (SELECT sql FROM sqlite_master ORDER BY type, name)", [], |r| r.get(0)).expect("schema")
}

#[tokio::test]
async fn checks_triggers_and_defaults_behave_alike() {
    let started = std::time::Instant::now();
    let work = Workdir::new();
    let mut tally = Tally::default();

    // The fixtures with something to exercise, copied (the working copies are written to).
    let dir = fixtures_dir().expect("../shared/fixtures is missing: the differential needs the shared fixtures beside the repository");
    let listed = std::fs::read_to_string(dir.join("expected_counts.tsv")).expect("expected_counts.tsv");
    let files: BTreeSet<&str> = listed.lines().filter_map(|l| l.split('\t').next()).filter(|f| !f.is_empty()).collect();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut schemas_seen: HashMap<String, String> = HashMap::new();
    for f in &files {
        let src = dir.join(f);
        if !has_something(&src) {
            continue;
        }
        if let Some(other) = schemas_seen.get(&schema_text(&src)) {
            tally.skipped.push(format!("{f}: the same schema as {other}, exercised there"));
            continue;
        }
        schemas_seen.insert(schema_text(&src), f.to_string());
        let dst = work.path().join("fixtures").join(f);
        std::fs::create_dir_all(dst.parent().expect("folder")).expect("mkdir");
        std::fs::copy(&src, &dst).expect("copy fixture");
        paths.push(dst);
    }
    assert!(paths.len() >= 8, "fixtures with CHECKs, triggers or defaults: {paths:?}");
    let cases = work.sqlite("differential_cases.db", CASES_SQL);
    paths.push(cases.clone());

    let db = TestDb::new("differential").await;
    let plan_options = PlanOptions { skip_orphan_counts: true, ..Default::default() };
    let options = sqlite2pg_copy::CopyOptions { create_schema: true, rejects: work.path().join("rejects.jsonl"), jobs: 2, ..Default::default() };
    let (plan, summary): (Plan, _) = sqlite2pg_copy::plan_and_copy(&paths, &plan_options, &db.options, &options).await.expect("migrate");
    assert!(summary.balanced());
    let migrated = started.elapsed();

    let mut pg = PgConnection::connect_with(&db.options).await.expect("connect");
    sqlx::raw_sql("SET DateStyle = 'ISO'").execute(&mut pg).await.expect("session");
    // SQLite's `localtime` is this process's zone: the fixtures' writes run in a session of
    // that zone, so `localtime` means the same on both sides. The cases use no `localtime`
    // and run in New York's zone, where writing local time for "now" would show.
    let local_minutes: i64 = rusqlite::Connection::open_in_memory()
        .expect("SQLite")
        .query_row("SELECT CAST(round((julianday('now', 'localtime') - julianday('now')) * 1440) AS INTEGER)", [], |r| r.get(0))
        .expect("local offset");
    let local_zone = format!("INTERVAL '{}{:02}:{:02}' HOUR TO MINUTE", if local_minutes < 0 { '-' } else { '+' }, local_minutes.abs() / 60, local_minutes.abs() % 60);

    let mut case_tally = Tally::default();
    for schema in &plan.schemas {
        let is_cases = schema.source == cases;
        let t = if is_cases { &mut case_tally } else { &mut tally };
        let zone = if is_cases { "'America/New_York'".to_string() } else { local_zone.clone() };
        sqlx::raw_sql(AssertSqlSafe(format!("SET TIME ZONE {zone}"))).execute(&mut pg).await.expect("zone");
        let mut target = Target::new(schema, &mut pg, t).await;
        let mut statements = derive_all(&target, t);
        if is_cases {
            statements.extend(case_statements());
        }
        for s in &statements {
            target.check(&mut pg, s, t).await;
        }
    }

    let report = |name: &str, t: &Tally| {
        eprintln!(
            "{name}: {} objects exercised (CHECKs, triggers, defaults), {} statements: {} accepted by both, {} refused by both, {} refused only by PostgreSQL's column type, {} differences; {} skipped; {} CHECK probes not run (the column type cannot hold the value)",
            t.objects.len(),
            t.statements,
            t.accepted_both,
            t.refused_both,
            t.type_refused.len(),
            t.differences.len(),
            t.skipped.len(),
            t.probes_not_held
        );
        for s in &t.skipped {
            eprintln!("  skipped: {s}");
        }
        for s in &t.type_refused {
            eprintln!("  type: {s}");
        }
        for s in &t.sqlite_expectation_failures {
            eprintln!("  case expectation: {s}");
        }
        for d in &t.differences {
            eprintln!("  DIFFERENCE: {d}");
        }
    };
    report("fixtures", &tally);
    report("cases", &case_tally);
    eprintln!("migrated in {:.1} s, whole test {:.1} s", migrated.as_secs_f64(), started.elapsed().as_secs_f64());

    assert!(case_tally.sqlite_expectation_failures.is_empty(), "the cases' SQLite outcomes are not what they say:\n{}", case_tally.sqlite_expectation_failures.join("\n"));
    assert!(case_tally.statements >= 50 && tally.statements >= 100, "too few statements: cases {}, fixtures {}", case_tally.statements, tally.statements);
    let differences: Vec<&String> = case_tally.differences.iter().chain(&tally.differences).collect();
    assert!(differences.is_empty(), "{} statements behave differently in PostgreSQL:\n{}", differences.len(), differences.iter().map(|d| d.as_str()).collect::<Vec<_>>().join("\n"));
}

//! The comparison itself.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use futures_util::TryStreamExt;
use serde::Serialize;
use sqlite2pg_converter::introspect::{OpenOptions, SourceDb};
use sqlite2pg_converter::plan::{Plan, SchemaPlan, TablePlan};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, PgPool, Row};
use tokio::sync::mpsc;

use sqlite2pg_value::canonical::canonical;
use sqlite2pg_value::output::{read_output, select_expr};
use sqlite2pg_value::{Conversion, TargetType};
use sqlite2pg_pg::binding::{ColumnBinding, TableBinding};

/// Why verification could not run (a mismatch is not an error: it is in the report).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// Connecting or the copy's target handling failed.
    #[error(transparent)]
    Target(#[from] sqlite2pg_pg::PgError),
    /// Reading SQLite failed.
    #[error(transparent)]
    Source(#[from] sqlite2pg_converter::Error),
    /// A query failed.
    #[error("PostgreSQL: {context}: {source}")]
    Postgres {
        /// What we were doing.
        context: String,
        /// The driver's error.
        #[source]
        source: sqlite2pg_pg::ServerError,
    },
    /// `check` could not create its scratch schema (or scratch database) on the target.
    #[error("cannot create the scratch {what} on {target} (`check` builds the plan's schema there, in a transaction it rolls back, to compare catalogs)")]
    Scratch {
        /// `schema NAME` or `database NAME`.
        what: String,
        /// host:port/database as user (never the password).
        target: String,
        /// The driver's error.
        #[source]
        source: sqlite2pg_pg::ServerError,
    },
    /// `check`: the role may neither create a schema in the target database nor a database.
    #[error(
        "`check` cannot build the plan's schema for comparison on {target}: role {role} has neither CREATE on database {database} \
         (grant it: `GRANT CREATE ON DATABASE {database} TO {role}`; the plan is then built in a scratch schema inside a transaction that is rolled back) nor CREATEDB"
    )]
    NoScratch {
        /// host:port/database as user (never the password).
        target: String,
        /// The role logged in.
        role: String,
        /// The target database.
        database: String,
    },
    /// The rejects file could not be read.
    #[error("{path}: {message}")]
    Rejects {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl VerifyError {
    /// The command line's exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            VerifyError::Target(e) => e.exit_code(),
            VerifyError::Source(e) => e.exit_code(),
            VerifyError::Postgres { .. } | VerifyError::Scratch { .. } | VerifyError::NoScratch { .. } | VerifyError::Rejects { .. } => 1,
        }
    }
}

fn pg(context: impl Into<String>) -> impl FnOnce(sqlx::Error) -> VerifyError {
    let context = context.into();
    move |source| VerifyError::Postgres { context, source: sqlite2pg_pg::ServerError(source) }
}

/// Options.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The copy's rejects file: its rows are expected differences.
    pub rejects: Option<PathBuf>,
    /// How to open SQLite.
    pub open: OpenOptions,
    /// Mismatching keys shown per table.
    pub max_examples: usize,
    /// Renames and omissions of a copy into a schema the application made (`sqlite2pg.toml`).
    pub config: sqlite2pg_converter::config::Config,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { rejects: None, open: OpenOptions::default(), max_examples: 5, config: sqlite2pg_converter::config::Config::default() }
    }
}

/// One table's comparison.
#[derive(Debug, Clone, Serialize)]
pub struct TableCheck {
    /// Schema.
    pub schema: String,
    /// Table.
    pub table: String,
    /// `key` (merge by primary key) or `multiset` (row hashes).
    pub compared_by: &'static str,
    /// Rows in SQLite.
    pub source_rows: u64,
    /// Rows in PostgreSQL.
    pub target_rows: u64,
    /// Source rows the rejects file explains.
    pub expected_rejects: u64,
    /// Source rows absent from PostgreSQL.
    pub missing: u64,
    /// PostgreSQL rows absent from the source.
    pub extra: u64,
    /// Rows present on both sides with different values.
    pub different: u64,
    /// The first mismatches, by key.
    pub examples: Vec<String>,
    /// Everything matched.
    pub ok: bool,
}

/// An identity column's position.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityCheck {
    /// Schema.
    pub schema: String,
    /// Table.
    pub table: String,
    /// Column.
    pub column: String,
    /// The value the next insert gets.
    pub next_value: i64,
    /// The highest key in the table.
    pub max_key: Option<i64>,
    /// SQLite's AUTOINCREMENT high-water mark.
    pub sqlite_sequence: Option<i64>,
    /// next_value is past both.
    pub ok: bool,
}

/// The whole verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// Per table.
    pub tables: Vec<TableCheck>,
    /// Per identity.
    pub identities: Vec<IdentityCheck>,
    /// Foreign keys not validated, or planned but missing (`schema.table: name`).
    pub foreign_key_problems: Vec<String>,
    /// Everything matched.
    pub ok: bool,
}

/// Expected differences from the rejects file: rejected row keys and coerced (key, column).
#[derive(Default)]
struct Expected {
    rejected: HashSet<String>,
    coerced: HashMap<String, Vec<String>>,
}

fn load_rejects(path: Option<&PathBuf>) -> Result<HashMap<(String, String), Expected>, VerifyError> {
    let mut out: HashMap<(String, String), Expected> = HashMap::new();
    let Some(path) = path else { return Ok(out) };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(VerifyError::Rejects { path: path.clone(), message: e.to_string() }),
    };
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).map_err(|e| VerifyError::Rejects { path: path.clone(), message: format!("line {}: {e}", n + 1) })?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
        let key = v.get("key").map(|k| k.to_string()).unwrap_or_default();
        let e = out.entry((s("schema"), s("table"))).or_default();
        if s("action") == "rejected" {
            e.rejected.insert(key);
        } else {
            e.coerced.entry(key).or_default().push(s("column"));
        }
    }
    Ok(out)
}

/// Verify every table of `plan` against the PostgreSQL database `target`.
pub async fn verify(plan: &Plan, target: &PgConnectOptions, options: &VerifyOptions) -> Result<VerifyReport, VerifyError> {
    let pool = sqlite2pg_pg::connect(target, 4).await?;
    let rejects = load_rejects(options.rejects.as_ref())?;
    let empty = Expected::default();
    let mut tables = Vec::new();
    let mut identities = Vec::new();
    // Each value is compared as the target column's type reads it: the schema may be the
    // application's own, not the plan's. Its migration bookkeeping is its own too.
    let bindings = sqlite2pg_pg::binding::bind(&pool, plan, &options.config, true).await?;
    let bound = bindings.bound_plan(plan);
    let plan = &bound;
    for schema in &plan.schemas {
        for table in &schema.tables {
            let Some(binding) = bindings.table(&schema.schema, &table.name) else { continue };
            let expected = rejects.get(&(schema.schema.clone(), table.name.clone())).unwrap_or(&empty);
            tables.push(compare_table(&pool, schema, table, binding, expected, options).await?);
            identities.extend(check_identities(&pool, schema, table).await?);
        }
    }
    let foreign_key_problems = check_foreign_keys(&pool, plan).await?;
    let ok = tables.iter().all(|t| t.ok) && identities.iter().all(|i| i.ok) && foreign_key_problems.is_empty();
    Ok(VerifyReport { tables, identities, foreign_key_problems, ok })
}

/// One side's row: key parts (for ordering) and canonical values (None: NULL; Some("*"): skip).
struct CanonRow {
    key: Vec<KeyPart>,
    /// The source row's key as stored (a source row only), for messages.
    label: Option<SourceKey>,
    values: Vec<Option<String>>,
}

impl CanonRow {
    fn label(&self) -> String {
        self.label.as_ref().map(ToString::to_string).unwrap_or_default()
    }
}

/// A source row's key as the rejects file writes it: `{"id":5}` (`{"rowid":5}` without a key).
struct SourceKey {
    names: std::sync::Arc<[String]>,
    values: Vec<serde_json::Value>,
}

impl std::fmt::Display for SourceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let map: serde_json::Map<String, serde_json::Value> = self.names.iter().cloned().zip(self.values.iter().cloned()).collect();
        write!(f, "{}", serde_json::Value::Object(map))
    }
}

/// Source rows per channel message.
const BATCH_ROWS: usize = 512;

/// The source rows as the SQLite side sends them, one at a time.
struct SourceRows {
    rx: mpsc::Receiver<Vec<CanonRow>>,
    batch: std::vec::IntoIter<CanonRow>,
    /// Compared rows, returned to the SQLite side in batches to be freed there.
    spent: Vec<CanonRow>,
    spent_tx: std::sync::mpsc::Sender<Vec<CanonRow>>,
}

impl SourceRows {
    /// Replace the current row with the next one, handing the current one back.
    async fn advance(&mut self, current: &mut Option<CanonRow>) {
        if let Some(row) = current.take() {
            self.done(row);
        }
        *current = self.next().await;
    }

    /// A row compared: freed on the SQLite thread, in batches. glibc's malloc serialises a free
    /// from another thread on the allocating thread's arena lock; freeing the rows here cost
    /// verify of the 1.2M-row benchmark a quarter of its time in lock waits (7.5 s -> 3.9 s).
    fn done(&mut self, row: CanonRow) {
        self.spent.push(row);
        if self.spent.len() == BATCH_ROWS {
            // The SQLite side has ended: the rows are freed here after all.
            let _ = self.spent_tx.send(std::mem::replace(&mut self.spent, Vec::with_capacity(BATCH_ROWS)));
        }
    }

    async fn next(&mut self) -> Option<CanonRow> {
        loop {
            if let Some(row) = self.batch.next() {
                return Some(row);
            }
            self.batch = self.rx.recv().await?.into_iter();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Null,
    Int(i64),
    Text(String),
}

/// A value marker that matches anything: the copy coerced it, as the rejects file says.
const ANY: &str = "\u{0}any";


/// Rows are merged by key when every key column is an integer or text on both sides (both
/// engines order those alike: integers by value, text by its bytes).
fn key_usable(binding: &TableBinding) -> bool {
    !binding.key.is_empty() && binding.key.iter().all(|&i| binding.columns[i].conversion.target.is_integer() || binding.columns[i].conversion.target.is_text())
}

async fn compare_table(pool: &PgPool, schema: &SchemaPlan, table: &TablePlan, binding: &TableBinding, expected: &Expected, options: &VerifyOptions) -> Result<TableCheck, VerifyError> {
    let columns: Vec<ColumnBinding> = binding.columns.clone();
    let keyed = key_usable(binding);
    let key_idx: Vec<usize> = if keyed { binding.key.clone() } else { Vec::new() };
    let qualified = format!("{}.{}", sqlite2pg_converter::ident::quoted(&schema.schema), sqlite2pg_converter::ident::quoted(&table.name));

    // SQLite side, on a blocking thread, in key order, in batches: a channel message (and a
    // wake-up of the comparing task) per row cost more than the comparison.
    let (tx, rx) = mpsc::channel::<Vec<CanonRow>>(8);
    // Compared rows go back to the SQLite thread to be freed where they were made (see
    // `SourceRows::done`).
    let (spent_tx, spent_rx) = std::sync::mpsc::channel::<Vec<CanonRow>>();
    let mut source = SourceRows { rx, batch: Vec::new().into_iter(), spent: Vec::with_capacity(BATCH_ROWS), spent_tx };
    let path = schema.source.clone();
    let open = options.open.clone();
    let source_table = table.source_name.clone();
    let cols = columns.clone();
    let conversions: Vec<Conversion> = columns.iter().map(|c| c.conversion.clone()).collect();
    let targets: Vec<sqlite2pg_value::TargetType> = conversions.iter().map(|c| c.target.clone()).collect();
    let rejected = expected.rejected.clone();
    let coerced = expected.coerced.clone();
    let has_rowid = !table.without_rowid;
    let kidx = key_idx.clone();
    let key_names: std::sync::Arc<[String]> = if key_idx.is_empty() && has_rowid { vec!["rowid".to_string()] } else { key_idx.iter().map(|&i| columns[i].source_name.clone()).collect() }.into();
    let reader = tokio::task::spawn_blocking(move || -> Result<(u64, u64), sqlite2pg_converter::Error> {
        let db = SourceDb::open(&path, &open)?;
        let mut select: Vec<String> = Vec::new();
        if has_rowid {
            select.push("rowid".into());
        }
        select.extend(cols.iter().map(|c| sqlite2pg_converter::ident::quoted(&c.source_name)));
        let mut sql = format!("SELECT {} FROM {}", select.join(", "), sqlite2pg_converter::ident::quoted(&source_table));
        if keyed {
            let order: Vec<String> = kidx.iter().map(|&i| format!("{} COLLATE BINARY", sqlite2pg_converter::ident::quoted(&cols[i].source_name))).collect();
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        let context = format!("verifying table \"{source_table}\"");
        let mut stmt = db.conn().prepare(&sql).map_err(|e| db.error(&context, e))?;
        let mut rows = stmt.query([]).map_err(|e| db.error(&context, e))?;
        let offset = usize::from(has_rowid);
        let (mut total, mut skipped) = (0u64, 0u64);
        // The rejects file names rows by their key as JSON text: built per row only when it
        // names any row of this table.
        let rejects_listed = !rejected.is_empty() || !coerced.is_empty();
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        while let Some(row) = rows.next().map_err(|e| db.error(&context, e))? {
            total += 1;
            let mut key_values = Vec::with_capacity(kidx.len().max(1));
            if kidx.is_empty() && has_rowid {
                key_values.push(serde_json::Value::from(row.get::<_, i64>(0).map_err(|e| db.error(&context, e))?));
            }
            for &i in &kidx {
                key_values.push(sqlite2pg_converter::values::json_value(row.get_ref(i + offset).map_err(|e| db.error(&context, e))?));
            }
            let label = SourceKey { names: key_names.clone(), values: key_values };
            let key_text = if rejects_listed { Some(label.to_string()) } else { None };
            if key_text.as_ref().is_some_and(|k| rejected.contains(k)) {
                skipped += 1;
                continue;
            }
            let coerced_cols = key_text.as_ref().and_then(|k| coerced.get(k));
            let mut values = Vec::with_capacity(cols.len());
            for (i, c) in cols.iter().enumerate() {
                if coerced_cols.is_some_and(|list| list.contains(&c.source_name)) {
                    values.push(Some(ANY.to_string()));
                    continue;
                }
                let v = row.get_ref(i + offset).map_err(|e| db.error(&context, e))?;
                let conversion = &conversions[i];
                values.push(match conversion.convert(v) {
                    Ok(value) => canonical(&value, &conversion.target),
                    Err(reason) => Some(format!("<not convertible: {reason}>")),
                });
            }
            let key = kidx.iter().map(|&i| key_part(values[i].as_deref(), &cols[i].conversion.target)).collect();
            batch.push(CanonRow { key, label: Some(label), values });
            if batch.len() == BATCH_ROWS {
                // Rows the comparing task is done with are freed here, where they were made.
                spent_rx.try_iter().for_each(drop);
                if tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH_ROWS))).is_err() {
                    return Ok((total, skipped));
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        Ok((total, skipped))
    });

    // PostgreSQL side, streamed in the same order.
    // Aliased, so that ORDER BY names the table's columns, not these text forms.
    let exprs: Vec<String> = columns.iter().zip(&targets).enumerate().map(|(i, (c, t))| format!("{} AS c{i}", select_expr(&sqlite2pg_converter::ident::quoted(&c.name), t))).collect();
    let mut sql = format!("SELECT {} FROM {qualified}", exprs.join(", "));
    if keyed {
        let order: Vec<String> = key_idx
            .iter()
            .map(|&i| if columns[i].conversion.target.is_text() { format!("{} COLLATE \"C\"", sqlite2pg_converter::ident::quoted(&columns[i].name)) } else { sqlite2pg_converter::ident::quoted(&columns[i].name) })
            .collect();
        sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
    }
    let mut check = TableCheck {
        schema: schema.schema.clone(),
        table: table.name.clone(),
        compared_by: if keyed { "key" } else { "multiset" },
        source_rows: 0,
        target_rows: 0,
        expected_rejects: 0,
        missing: 0,
        extra: 0,
        different: 0,
        examples: Vec::new(),
        ok: false,
    };
    let mut source_hashes = Vec::new();
    let mut target_hashes = Vec::new();
    {
        let mut stream = sqlx::query(AssertSqlSafe(sql)).fetch(pool);
        let mut pending_source = source.next().await;
        loop {
            let target = stream.try_next().await.map_err(pg(format!("reading {qualified}")))?;
            let target = target.map(|r| {
                let values: Vec<Option<String>> = (0..columns.len())
                    .map(|i| {
                        r.get::<Option<String>, _>(i).and_then(|text| match read_output(&text, &targets[i]) {
                            Ok(value) => canonical(&value, &targets[i]),
                            Err(unreadable) => Some(format!("<{unreadable}>")),
                        })
                    })
                    .collect();
                let key = key_idx.iter().map(|&i| key_part(values[i].as_deref(), &columns[i].conversion.target)).collect();
                CanonRow { key, label: None, values }
            });
            let Some(mut t) = target else { break };
            check.target_rows += 1;
            if !keyed {
                target_hashes.push(row_hash(&t.values));
                continue;
            }
            // Source rows before this key are missing from PostgreSQL.
            loop {
                let Some(s) = pending_source.as_ref() else {
                    check.extra += 1;
                    note(&mut check.examples, options.max_examples, format!("extra in PostgreSQL: key {:?}", t.key));
                    break;
                };
                match s.key.cmp(&t.key) {
                    Ordering::Less => {
                        check.missing += 1;
                        note(&mut check.examples, options.max_examples, format!("missing in PostgreSQL: {}", s.label()));
                        source.advance(&mut pending_source).await;
                    }
                    Ordering::Equal => {
                        if let Some(diff) = first_difference(&columns, &s.values, &mut t.values) {
                            check.different += 1;
                            note(&mut check.examples, options.max_examples, format!("{}: {diff}", s.label()));
                        }
                        source.advance(&mut pending_source).await;
                        break;
                    }
                    Ordering::Greater => {
                        check.extra += 1;
                        note(&mut check.examples, options.max_examples, format!("extra in PostgreSQL: key {:?}", t.key));
                        break;
                    }
                }
            }
        }
        if keyed {
            while let Some(s) = &pending_source {
                check.missing += 1;
                note(&mut check.examples, options.max_examples, format!("missing in PostgreSQL: {}", s.label()));
                source.advance(&mut pending_source).await;
            }
        } else {
            while let Some(s) = &pending_source {
                source_hashes.push(row_hash(&s.values));
                source.advance(&mut pending_source).await;
            }
        }
    }
    let (total, skipped) = reader.await.map_err(|e| VerifyError::Rejects { path: PathBuf::from("(reader)"), message: e.to_string() })??;
    check.source_rows = total;
    check.expected_rejects = skipped;
    if !keyed {
        source_hashes.sort_unstable();
        target_hashes.sort_unstable();
        let (missing, extra) = multiset_difference(&source_hashes, &target_hashes);
        check.missing = missing;
        check.extra = extra;
        if missing + extra > 0 {
            note(&mut check.examples, options.max_examples, format!("{missing} source rows have no identical row in PostgreSQL; {extra} PostgreSQL rows have none in the source"));
        }
    }
    check.ok = check.missing == 0 && check.extra == 0 && check.different == 0 && check.source_rows == check.target_rows + check.expected_rejects;
    Ok(check)
}

fn note(examples: &mut Vec<String>, max: usize, text: String) {
    if examples.len() < max {
        examples.push(text);
    }
}

fn key_part(value: Option<&str>, t: &TargetType) -> KeyPart {
    match value {
        None => KeyPart::Null,
        Some(v) if t.is_integer() => v.parse().map(KeyPart::Int).unwrap_or_else(|_| KeyPart::Text(v.to_string())),
        Some(v) => KeyPart::Text(v.to_string()),
    }
}

fn first_difference(columns: &[ColumnBinding], source: &[Option<String>], target: &mut [Option<String>]) -> Option<String> {
    for (i, c) in columns.iter().enumerate() {
        if source[i].as_deref() == Some(ANY) {
            continue;
        }
        if source[i] != target[i] {
            return Some(format!("column {}: SQLite {:?}, PostgreSQL {:?}", c.name, source[i], target[i]));
        }
    }
    None
}

fn row_hash(values: &[Option<String>]) -> u64 {
    let mut h = DefaultHasher::new();
    values.hash(&mut h);
    h.finish()
}

/// Counts of elements only in `a`, and only in `b` (both sorted).
fn multiset_difference(a: &[u64], b: &[u64]) -> (u64, u64) {
    let (mut i, mut j, mut only_a, mut only_b) = (0, 0, 0u64, 0u64);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => {
                only_a += 1;
                i += 1;
            }
            Ordering::Greater => {
                only_b += 1;
                j += 1;
            }
            Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    (only_a + (a.len() - i) as u64, only_b + (b.len() - j) as u64)
}


async fn check_identities(pool: &PgPool, schema: &SchemaPlan, table: &TablePlan) -> Result<Vec<IdentityCheck>, VerifyError> {
    let mut out = Vec::new();
    let qualified = format!("{}.{}", sqlite2pg_converter::ident::quoted(&schema.schema), sqlite2pg_converter::ident::quoted(&table.name));
    for c in table.columns.iter().filter(|c| c.identity) {
        let seq: Option<String> = sqlx::query("SELECT pg_get_serial_sequence($1, $2)")
            .bind(&qualified)
            .bind(&c.name)
            .fetch_one(pool)
            .await
            .map_err(pg(format!("finding the identity sequence of {qualified}")))?
            .get(0);
        let Some(seq) = seq else { continue };
        let row = sqlx::query(AssertSqlSafe(format!("SELECT last_value, is_called FROM {seq}"))).fetch_one(pool).await.map_err(pg(format!("reading {seq}")))?;
        let (last, called): (i64, bool) = (row.get(0), row.get(1));
        let next_value = if called { last + 1 } else { last };
        let max_key: Option<i64> = sqlx::query(AssertSqlSafe(format!("SELECT max({})::bigint FROM {qualified}", sqlite2pg_converter::ident::quoted(&c.name))))
            .fetch_one(pool)
            .await
            .map_err(pg(format!("reading the highest key of {qualified}")))?
            .get(0);
        let ok = next_value > max_key.unwrap_or(0) && next_value > table.sqlite_sequence.unwrap_or(0);
        out.push(IdentityCheck { schema: schema.schema.clone(), table: table.name.clone(), column: c.name.clone(), next_value, max_key, sqlite_sequence: table.sqlite_sequence, ok });
    }
    Ok(out)
}

/// Whether the SQLite table already had rows whose parent is missing (foreign keys were off):
/// then a NOT VALID key in PostgreSQL is the faithful state, not a loss.
fn source_has_orphans(plan: &Plan, schema: &str, table: &str) -> Result<bool, VerifyError> {
    let Some(s) = plan.schemas.iter().find(|s| s.schema == schema) else { return Ok(false) };
    let Some(t) = s.tables.iter().find(|t| t.name == table) else { return Ok(false) };
    let db = SourceDb::open(&s.source, &OpenOptions::default())?;
    match db.foreign_key_orphans(&t.source_name) {
        Ok(n) => Ok(n > 0),
        // A key SQLite cannot check (a "foreign key mismatch") explains nothing; any other
        // failure to read the source is an error.
        Err(e) if e.to_string().contains("foreign key mismatch") => Ok(false),
        Err(e) => Err(e.into()),
    }
}

async fn check_foreign_keys(pool: &PgPool, plan: &Plan) -> Result<Vec<String>, VerifyError> {
    let schemas: Vec<String> = plan.schemas.iter().map(|s| s.schema.clone()).collect();
    let rows = sqlx::query(
        "SELECT n.nspname::text, t.relname::text, c.conname::text, c.convalidated FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = ANY($1)",
    )
    .bind(&schemas)
    .fetch_all(pool)
    .await
    .map_err(pg("listing foreign keys"))?;
    let mut problems = Vec::new();
    let mut per_table: HashMap<(String, String), usize> = HashMap::new();
    for r in &rows {
        let (s, t, name, valid): (String, String, String, bool) = (r.get(0), r.get(1), r.get(2), r.get(3));
        if !valid && !source_has_orphans(plan, &s, &t)? {
            problems.push(format!("{s}.{t}: foreign key {name} is NOT VALID, but the SQLite rows had no missing parents"));
        }
        *per_table.entry((s, t)).or_default() += 1;
    }
    for schema in &plan.schemas {
        for table in &schema.tables {
            let planned = table.foreign_keys.len() + schema.deferred_foreign_keys.iter().filter(|d| d.table == table.name).count();
            let present = per_table.get(&(schema.schema.clone(), table.name.clone())).copied().unwrap_or(0);
            if present < planned {
                problems.push(format!("{}.{}: {planned} foreign keys planned, {present} present", schema.schema, table.name));
            }
        }
    }
    problems.sort();
    Ok(problems)
}

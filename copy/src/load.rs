//! The load: checks the target, sets foreign keys and triggers aside, runs readers and writers,
//! then restores keys, continues identities and analyzes.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use sqlite2pg_converter::ddl;
use sqlite2pg_converter::introspect::{OpenOptions, SourceDb};
use sqlite2pg_converter::plan::{KnownProfiles, PendingProfile, Plan, SchemaPlan, TablePlan};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, Row};
use tokio::sync::mpsc;

use sqlite2pg_converter::ident::quoted;

use crate::encode::{BINARY_HEADER, BINARY_TRAILER, Format, stream_slice};
use crate::error::CopyError;
use crate::progress::{self, Part, Saved};
use crate::preflight::{KeptTable, PreflightReport};
use crate::reader::{Buffers, Chunk, ChunkLimits, ColumnSpec, Reject, TableSpec, read_file};
use sqlite2pg_pg::binding::TableBinding;
use sqlite2pg_pg::connect;

/// What happens to a value that cannot go across unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadValuePolicy {
    /// Its row is not copied and goes to the rejects file (the default).
    #[default]
    Reject,
    /// The value becomes NULL (when the column allows it) and is recorded.
    Null,
    /// Invalid UTF-8 is decoded lossily and NUL bytes dropped, and recorded; other bad values
    /// reject their row.
    Lossy,
}

/// Options of a copy.
#[derive(Debug, Clone)]
pub struct CopyOptions {
    /// Tables copied at once.
    pub jobs: usize,
    /// The JSON-lines file for rejected and coerced values.
    pub rejects: PathBuf,
    /// What happens to bad values.
    pub policy: BadValuePolicy,
    /// Finish an interrupted copy.
    pub resume: bool,
    /// Empty the target tables first.
    pub truncate: bool,
    /// Create the schema from the plan when its tables do not exist.
    pub create_schema: bool,
    /// Show progress bars (on a terminal).
    pub progress: bool,
    /// How to open the SQLite files.
    pub open: OpenOptions,
    /// Rows per COPY chunk at most (in a split table each chunk commits with its progress).
    pub chunk_rows: usize,
    /// Use COPY's binary format for tables whose every column type has a binary encoder
    /// (`false`: text format for every table).
    pub binary: bool,
    /// A table starting afresh with at most this many rows (and any table without rowid) loads
    /// in one transaction that truncates it first and copies with `FREEZE`: its rows arrive
    /// frozen and all-visible, so building the keys and indexes, validating foreign keys and
    /// later reads do not first rewrite every page to set hint bits (on the 1M-row benchmark,
    /// keys, indexes and foreign keys 1.45 s -> 1.08 s), and no anti-wraparound vacuum comes
    /// for them later. An interruption loses that table's progress, not its correctness: the
    /// transaction rolls back and `--resume` loads it again. Larger tables load in rowid parts
    /// whose chunks commit one by one, resumable mid-table. `0`: every table in parts.
    pub single_transaction_rows: u64,
    /// When [`plan_and_copy`](crate::plan_and_copy) creates the schema, the rows a large table's
    /// provisional profile samples (the copy reads the exact one on the way and confirms the
    /// plan). `0`: profile every table before copying.
    pub provisional_sample: u64,
    /// Renames and omissions for copying into a schema the application made (`sqlite2pg.toml`).
    pub config: sqlite2pg_converter::config::Config,
    /// Run the pre-flight only: report what would not convert, change nothing.
    pub check_only: bool,
    /// On Ctrl-C or SIGTERM, stop, restore what was set aside and return
    /// [`CopyError::Interrupted`] (the command line sets it; a library caller may have its own
    /// handling of signals).
    pub stop_on_signals: bool,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
            rejects: PathBuf::from("sqlite2pg-rejects.jsonl"),
            policy: BadValuePolicy::Reject,
            resume: false,
            truncate: false,
            create_schema: false,
            progress: false,
            open: OpenOptions::default(),
            chunk_rows: 200_000,
            binary: true,
            single_transaction_rows: 5_000_000,
            provisional_sample: 65_536,
            config: sqlite2pg_converter::config::Config::default(),
            check_only: false,
            stop_on_signals: false,
        }
    }
}

/// One table's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TableSummary {
    /// PostgreSQL schema.
    pub schema: String,
    /// PostgreSQL table.
    pub table: String,
    /// Rows in the SQLite table.
    pub source_rows: u64,
    /// Rows in PostgreSQL.
    pub copied: u64,
    /// Rows not copied (in the rejects file).
    pub rejected: u64,
    /// COPY bytes sent in this run.
    pub bytes: u64,
    /// Seconds spent in this run.
    pub seconds: f64,
    /// Whether its rows went in COPY's binary format (else text).
    pub binary: bool,
}

/// The outcome of a copy.
#[derive(Debug, Clone, Serialize)]
pub struct CopySummary {
    /// Per table, in plan order.
    pub tables: Vec<TableSummary>,
    /// Foreign keys left NOT VALID because existing rows break them (`schema.table: constraint: why`).
    pub invalid_foreign_keys: Vec<String>,
    /// Values written to the rejects file.
    pub rejects_written: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Tables planned from a sample and profiled exactly by the copy itself (see
    /// [`plan_and_copy`](crate::plan_and_copy)); `None` when planning read every row first.
    pub sampled_plan: Option<SampledPlan>,
    /// The pre-flight of a copy into tables that already existed (`None` when the copy made them).
    pub preflight: Option<PreflightReport>,
}

/// The tables a copy planned from a sample, and what their exact profiles said.
#[derive(Debug, Clone, Serialize)]
pub struct SampledPlan {
    /// `schema.table` of each table planned from a sample.
    pub tables: Vec<String>,
    /// The exact plan builds and converts as the sample's did, so the copy stands; `false`:
    /// the copy was dropped and made again with the exact plan.
    pub confirmed: bool,
}

impl CopySummary {
    /// Whether, for every table, source rows = copied + rejected.
    pub fn balanced(&self) -> bool {
        self.tables.iter().all(|t| t.source_rows == t.copied + t.rejected)
    }
}

/// The rejects file, created with the first reject: a copy that rejects nothing leaves none.
struct Rejects {
    path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    /// `--resume`: add to the file an interrupted run wrote.
    append: bool,
    written: u64,
}

impl Rejects {
    /// The open file, created on first use.
    fn file(&mut self) -> std::io::Result<&mut std::io::BufWriter<std::fs::File>> {
        if self.file.is_none() {
            let file = std::fs::OpenOptions::new().create(true).append(self.append).write(true).truncate(!self.append).open(&self.path)?;
            self.file = Some(std::io::BufWriter::new(file));
        }
        Ok(self.file.as_mut().expect("opened above"))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().map_or(Ok(()), std::io::Write::flush)
    }
}

/// Copy every table of `plan` into the PostgreSQL database `target`.
pub async fn copy(plan: &Plan, target: &PgConnectOptions, options: &CopyOptions) -> Result<CopySummary, CopyError> {
    Ok(copy_profiling(plan, target, options, &[]).await?.0)
}

/// Copy as [`copy`] does, reading the exact profile of each `pending` table on the way (when
/// it loads whole, in one part, from its first row), and recording the plan's tables as
/// loaded provisionally until [`crate::provisional`] confirms the plan.
pub(crate) async fn copy_profiling(plan: &Plan, target: &PgConnectOptions, options: &CopyOptions, pending: &[PendingProfile]) -> Result<(CopySummary, KnownProfiles), CopyError> {
    let started = Instant::now();
    let jobs = options.jobs.max(1);
    // Writers (`jobs` per file), tables finishing while others load (`jobs`), and two spare.
    // Our sessions are named, so an interrupted copy can end its own statements (and release
    // their locks) before it restores what it set aside.
    let application_name = format!("sqlite2pg copy {}", std::process::id());
    let target = &target.clone().application_name(&application_name);
    let pool = connect(target, (jobs * plan.schemas.len().max(1) + jobs + 2) as u32).await?;
    progress::ensure(&pool).await?;
    if !options.check_only {
        for schema in &plan.schemas {
            let now = progress::source_fingerprint(&schema.source).map_err(|e| CopyError::Source(sqlite2pg_converter::Error::Io { path: schema.source.clone(), source: e }))?;
            if let Err(was) = progress::check_source(&pool, &schema.schema, &now, options.resume).await? {
                return Err(CopyError::SourceChanged { file: schema.source.clone(), was, now });
            }
        }
    }
    if !options.resume {
        let schemas: Vec<String> = plan.schemas.iter().map(|s| s.schema.clone()).collect();
        restore_leftovers(&pool, &schemas, jobs).await?;
    }
    crate::provisional::check_earlier_loads(&pool, plan).await?;
    // Recorded before any table is created: a table made from a provisional plan is never
    // left unrecorded, whatever fails next (a record of a table never made is dropped later).
    if !pending.is_empty() {
        crate::provisional::mark(&pool, plan).await?;
    }

    let BoundTarget { plan: bound, bindings, preflight } = match prepare_target(&pool, plan, options, started).await? {
        Ok(bound) => bound,
        Err(report) => {
            let summary = CopySummary { tables: Vec::new(), invalid_foreign_keys: Vec::new(), rejects_written: 0, seconds: started.elapsed().as_secs_f64(), sampled_plan: None, preflight: Some(report) };
            return Ok((summary, KnownProfiles::new()));
        }
    };
    let plan = &bound;
    let schemas: Vec<String> = plan.schemas.iter().map(|s| s.schema.clone()).collect();
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "target checked");
    // From here on the target is changed: whatever fails (an error, a lost connection, Ctrl-C or
    // SIGTERM) restores what was set aside before the error is returned; after a kill -9 the
    // next run restores it first (`restore_leftovers`).
    let load = load(&pool, plan, &bindings, options, pending, started);
    let outcome = if options.stop_on_signals {
        tokio::select! {
            outcome = load => outcome,
            signal = stop_signal() => Err(CopyError::Interrupted(signal)),
        }
    } else {
        load.await
    };
    match outcome {
        Ok((summary, profiles)) => Ok((CopySummary { preflight, ..summary }, profiles)),
        Err(error) => {
            // Writers of a stopped load may still hold connections (their tasks outlive the
            // dropped future): the restore ends their sessions first, then the pool can close.
            restore_after_failure(target, &schemas, jobs, &application_name).await;
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), pool.close()).await;
            Err(error)
        }
    }
}

/// The target the load goes into: the plan's schema created and bound as planned, or the
/// application's live tables bound by name and type, the pre-flight run and the bookkeeping
/// tables compared, all before anything in the target changes. `None` when `check_only` ends the
/// run with its report.
async fn prepare_target(pool: &PgPool, plan: &Plan, options: &CopyOptions, started: Instant) -> Result<Result<BoundTarget, PreflightReport>, CopyError> {
    // Tables sqlite2pg creates are bound as planned; tables that exist are the application's:
    // their live types decide each conversion, checked by the pre-flight before anything in
    // the target changes.
    let creating = options.create_schema && plan_tables_missing(pool, plan).await?;
    Ok(if creating {
        for schema in &plan.schemas {
            prepare_schema(pool, schema, options).await?;
        }
        let bindings = sqlite2pg_pg::binding::bind(pool, plan, &options.config, false).await?;
        Ok(BoundTarget { plan: bindings.bound_plan(plan), bindings, preflight: None })
    } else {
        let bindings = sqlite2pg_pg::binding::bind(pool, plan, &options.config, true).await?;
        if bindings.tables.is_empty() && !bindings.problems.is_empty() && bindings.kept.is_empty() {
            // Not one table there: the schema was never made.
            let schema = plan.schemas.first().map(|s| s.schema.clone()).unwrap_or_default();
            let tables = plan.schemas.iter().flat_map(|s| s.tables.iter().map(|t| t.name.clone())).collect();
            return Err(CopyError::MissingTables { schema, tables });
        }
        let report = {
            let (plan, bindings, open) = (plan.clone(), bindings.clone(), options.open.clone());
            tokio::task::spawn_blocking(move || crate::preflight::preflight(&plan, &bindings, &open))
                .await
                .map_err(|e| CopyError::Reader(format!("the pre-flight: {e}")))??
        };
        tracing::info!(seconds = started.elapsed().as_secs_f64(), checked = report.columns_checked, "pre-flight");
        if !report.ok() {
            return Err(CopyError::Preflight(Box::new(report)));
        }
        let kept = compare_kept(pool, plan, &bindings, &options.open).await?;
        for k in &kept {
            tracing::info!("{}", k.describe());
        }
        let mut report = report;
        report.kept_tables = kept;
        if options.check_only {
            return Ok(Err(report));
        }
        let bound = bindings.bound_plan(plan);
        for schema in &bound.schemas {
            prepare_schema(pool, schema, options).await?;
        }
        Ok(BoundTarget { plan: bound, bindings, preflight: Some(report) })
    })
}

/// A plan bound to its target: the plan named as the target names its tables and columns,
/// each table's binding, and the pre-flight when the tables were the application's.
struct BoundTarget {
    plan: Plan,
    bindings: sqlite2pg_pg::binding::Bindings,
    preflight: Option<PreflightReport>,
}

/// The load itself, into a bound target: keys and triggers set aside, every table read and
/// written, each finished as its rows are in, then foreign keys and triggers restored.
async fn load(pool: &PgPool, plan: &Plan, bindings: &sqlite2pg_pg::binding::Bindings, options: &CopyOptions, pending: &[PendingProfile], started: Instant) -> Result<(CopySummary, KnownProfiles), CopyError> {
    let jobs = options.jobs.max(1);
    let schemas: Vec<String> = plan.schemas.iter().map(|s| s.schema.clone()).collect();
    set_aside(pool, plan).await?;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "keys, indexes, foreign keys and triggers set aside");

    // A fresh copy's rejects file starts empty: an earlier run's would tell verify that rows
    // this run copied were expected to differ. It is created again with a first reject.
    if !options.resume {
        match std::fs::remove_file(&options.rejects) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(CopyError::Rejects { path: options.rejects.clone(), source: e }),
            _ => {}
        }
    }
    let rejects = Arc::new(Mutex::new(Rejects { path: options.rejects.clone(), file: None, append: options.resume, written: 0 }));

    let bars = MultiProgress::with_draw_target(if options.progress && std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() });
    let plain_log = !(options.progress && std::io::stderr().is_terminal());

    let mut readers = Vec::new();
    // Per table being loaded: (schema index, table index, its parts' writers).
    let mut loading = Vec::new();
    let mut summaries: Vec<(usize, usize, u64)> = Vec::new();
    // Per file: the SQLite name of the table each spec profiles.
    let mut profiled: Vec<Vec<Option<String>>> = Vec::new();
    for (si, schema) in plan.schemas.iter().enumerate() {
        let mut specs = Vec::new();
        let mut senders = Vec::new();
        let mut profiles_of = Vec::new();
        let limits = ChunkLimits { rows: options.chunk_rows.max(1), bytes: chunk_bytes(jobs, plan.schemas.len()) };
        let buffers = Arc::new(Buffers::new(limits));
        for (ti, table) in schema.tables.iter().enumerate() {
            summaries.push((si, ti, table.rows));
            let mut parts = progress::parts(pool, &schema.schema, &table.name).await?;
            // Nothing recorded: the table starts afresh (and is empty, `prepare_schema` saw to it).
            let single_transaction = parts.is_empty() && (table.without_rowid || table.rows <= options.single_transaction_rows);
            if parts.is_empty() {
                parts = if single_transaction { vec![Part::default()] } else { split(schema, table, options, jobs).await? };
                if parts.len() > 1 {
                    progress::record_parts(pool, &schema.schema, &table.name, &parts).await?;
                }
            }
            if parts.iter().all(|p| p.done) {
                continue;
            }
            // Every table of a bound plan has its binding (`Bindings::bound_plan`).
            let Some(binding) = bindings.table(&schema.schema, &table.name) else { continue };
            let bar = bars.add(ProgressBar::new(table.rows));
            bar.set_style(rows_bar_style());
            bar.set_prefix(table.name.clone());
            bar.set_position(parts.iter().map(|p| (p.rows_copied + p.rows_rejected) as u64).sum());
            let unfinished = Arc::new(std::sync::atomic::AtomicUsize::new(parts.iter().filter(|p| !p.done).count()));
            let mut writers = Vec::new();
            for part in parts.iter().filter(|p| !p.done) {
                // A table without rowid cannot resume mid-way: it loads in one transaction too.
                let mode = if single_transaction || table.without_rowid { WriteMode::SingleTransaction } else { WriteMode::ChunkCommits };
                let chunk_bytes = match mode {
                    WriteMode::SingleTransaction => STREAM_CHUNK_BYTES.min(limits.bytes),
                    WriteMode::ChunkCommits => limits.bytes,
                };
                // Only a table read whole here, from its first row, gets its exact profile.
                let profile = pending.iter().find(|p| p.schema == si && p.table == table.source_name).filter(|_| single_transaction && part.rowids.is_none());
                let spec = table_spec(schema, table, binding, part, options.binary, chunk_bytes, profile.map(|p| p.columns.clone()));
                profiles_of.push(profile.map(|p| p.table.clone()));
                // One chunk queued while the writer sends another: memory stays at about three
                // chunks per part being read, whatever the table's size.
                let (tx, rx) = mpsc::channel::<Chunk>(1);
                senders.push(tx);
                let target = WriteTarget {
                    schema: schema.schema.clone(),
                    table: table.name.clone(),
                    part: part.part,
                    // A single transaction truncates the table first, so it may COPY with FREEZE.
                    copy_sql: copy_statement(schema, binding, spec.format, mode == WriteMode::SingleTransaction),
                    format: spec.format,
                    buffers: buffers.clone(),
                    unfinished: unfinished.clone(),
                };
                writers.push(tokio::spawn(write_table(pool.clone(), target, rx, mode, rejects.clone(), bar.clone(), plain_log)));
                specs.push(spec);
            }
            loading.push((si, ti, writers));
        }
        let path = schema.source.clone();
        let open = options.open.clone();
        let policy = options.policy;
        let count_tables: Vec<String> = schema.tables.iter().map(|t| t.source_name.clone()).collect();
        readers.push((si, path.display().to_string(), tokio::task::spawn_blocking(move || read_file(path, open, count_tables, specs, senders, policy, jobs, limits, buffers))));
        profiled.push(profiles_of);
    }

    // Each table is finished (indexes, keys, identities, ANALYZE) as soon as its last part is
    // in, while the others still load: the last table's copy no longer leaves cores idle, and
    // only its own indexes remain when it ends (on the 2-core benchmark, users' keys build
    // while messages loads). At most `jobs` finishing statements run at once.
    let finishing_slots = tokio::sync::Semaphore::new(jobs);
    let finishing = loading.into_iter().map(|(si, ti, writers)| {
        let (pool, slots) = (pool, &finishing_slots);
        let (schema, table) = (&plan.schemas[si], &plan.schemas[si].tables[ti]);
        let sequences = sequences_of(&bindings, schema, table);
        async move {
            let mut outcomes = Vec::new();
            for writer in writers {
                outcomes.push(writer.await.unwrap_or_else(|e| Err(CopyError::Reader(format!("a writer task: {e}")))));
            }
            // A table with a failed part stays set aside, for `--resume`.
            let finished = if outcomes.iter().all(Result::is_ok) { Some(finish_table(pool, schema, table, sequences, jobs, slots).await) } else { None };
            ((si, ti), outcomes, finished)
        }
    });
    let finishing = futures_util::future::join_all(finishing).await;
    // A reader's error is the cause when both fail: its writers then stop for want of data.
    let mut writer_error: Option<CopyError> = None;
    let mut finish_error: Option<CopyError> = None;
    let mut finished_tables = std::collections::BTreeSet::new();
    let mut run_stats: BTreeMap<(String, String), (u64, f64)> = BTreeMap::new();
    for (table, outcomes, finished) in finishing {
        for outcome in outcomes {
            match outcome {
                Ok((schema, table, bytes, seconds)) => {
                    // A table's parts load side by side: bytes add up, the time is the longest part's.
                    let stats = run_stats.entry((schema, table)).or_insert((0, 0.0));
                    stats.0 += bytes;
                    stats.1 = stats.1.max(seconds);
                }
                Err(e) => {
                    writer_error.get_or_insert(e);
                }
            }
        }
        match finished {
            Some(Ok(())) => {
                finished_tables.insert(table);
            }
            Some(Err(e)) => {
                finish_error.get_or_insert(e);
            }
            None => {}
        }
    }
    let mut first_error: Option<CopyError> = None;
    let mut snapshot_rows: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut exact_profiles = KnownProfiles::new();
    for (si, name, reader) in readers {
        match reader.await {
            Ok(Ok(outcome)) => {
                for (ti, n) in outcome.counts.into_iter().enumerate() {
                    snapshot_rows.insert((si, ti), n);
                }
                for (table, profile) in profiled[si].iter().zip(outcome.profiles) {
                    if let (Some(table), Some(profile)) = (table, profile) {
                        exact_profiles.insert((si, table.clone()), profile);
                    }
                }
            }
            Ok(Err(e)) => {
                first_error.get_or_insert(CopyError::Source(e));
            }
            Err(_) => {
                first_error.get_or_insert(CopyError::Reader(name));
            }
        }
    }
    if let Some(e) = first_error.or(writer_error).or(finish_error) {
        // Keys and triggers stay set aside: `--resume` restores them when it finishes.
        return Err(e);
    }
    {
        let mut r = rejects.lock().map_err(|_| CopyError::Reader("the rejects file".into()))?;
        let path = r.path.clone();
        r.flush().map_err(|source| CopyError::Rejects { path, source })?;
    }

    tracing::info!(seconds = started.elapsed().as_secs_f64(), "rows loaded, tables finished");
    // What this run did not finish: tables loaded by an earlier, interrupted run.
    restore(pool, RestoreScope::Schemas(&schemas), jobs, &["index", "key"], &finishing_slots).await?;
    {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        let unfinished = plan.schemas.iter().enumerate().flat_map(|(si, schema)| schema.tables.iter().enumerate().map(move |(ti, table)| ((si, ti), schema, table)));
        let pool = &pool;
        let finish = unfinished.filter(|(key, _, _)| !finished_tables.contains(key)).map(|(_, schema, table)| continue_and_analyze(pool, schema, table, sequences_of(&bindings, schema, table)));
        stream::iter(finish).buffer_unordered(jobs).try_collect::<Vec<()>>().await?;
    }
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "keys, indexes and identities of earlier runs restored");
    let invalid_foreign_keys = restore(pool, RestoreScope::Schemas(&schemas), jobs, &["foreign_key", "triggers"], &finishing_slots).await?;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "foreign keys validated, triggers enabled");
    let mut tables = Vec::new();
    for (si, ti, planned_rows) in summaries {
        // Rows in the snapshot the reader copied from (the plan's count may be older).
        let source_rows = snapshot_rows.get(&(si, ti)).copied().unwrap_or(planned_rows);
        let schema = &plan.schemas[si];
        let table = &schema.tables[ti];
        let state = progress::load(pool, &schema.schema, &table.name).await?.unwrap_or_default();
        let (bytes, seconds) = run_stats.get(&(schema.schema.clone(), table.name.clone())).copied().unwrap_or((0, 0.0));
        tables.push(TableSummary {
            schema: schema.schema.clone(),
            table: table.name.clone(),
            source_rows,
            copied: state.rows_copied as u64,
            rejected: state.rows_rejected as u64,
            bytes,
            seconds,
            binary: bindings.table(&schema.schema, &table.name).is_some_and(|b| table_format(b, options.binary) == Format::Binary),
        });
    }
    let rejects_written = rejects.lock().map(|r| r.written).unwrap_or(0);
    Ok((CopySummary { tables, invalid_foreign_keys, rejects_written, seconds: started.elapsed().as_secs_f64(), sampled_plan: None, preflight: None }, exact_profiles))
}


/// A table's bar: `messages ███░░ 1,493,075/3,000,000 rows 483,804 rows/s eta 3s` (indicatif's
/// own `{per_sec}` prints four decimals of a row).
fn rows_bar_style() -> ProgressStyle {
    let rate = |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{}", indicatif::HumanCount(state.per_sec().max(0.0) as u64));
    };
    ProgressStyle::with_template("{prefix:>24} {bar:30} {human_pos}/{human_len} rows {rate} rows/s eta {eta}")
        .map(|style| style.with_key("rate", rate))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
}

/// The bookkeeping tables kept as the target has them, each compared with SQLite's.
async fn compare_kept(pool: &PgPool, plan: &Plan, bindings: &sqlite2pg_pg::binding::Bindings, open: &OpenOptions) -> Result<Vec<KeptTable>, CopyError> {
    let mut out = Vec::new();
    for (schema, table) in &bindings.kept {
        let Some(bookkeeping) = sqlite2pg_converter::framework::bookkeeping(table) else { continue };
        let sqlite = {
            let (plan, schema, table, open) = (plan.clone(), schema.clone(), table.clone(), open.clone());
            tokio::task::spawn_blocking(move || crate::preflight::sqlite_bookkeeping(&plan, &schema, &table, &open))
                .await
                .map_err(|e| CopyError::Reader(format!("reading a migration table: {e}")))??
        };
        let columns: Vec<String> = bookkeeping.key.iter().map(|k| format!("{}::text", quoted(k))).collect();
        let sql = format!("SELECT concat_ws('/', {}) FROM {}", columns.join(", "), qualified(schema, table));
        let target: Result<Vec<String>, String> = sqlx::query_scalar(AssertSqlSafe(sql)).fetch_all(pool).await.map_err(|e| e.to_string());
        let mut kept = KeptTable { schema: schema.clone(), table: table.clone(), sqlite: 0, target: 0, only_in_sqlite: Vec::new(), only_in_target: Vec::new(), not_compared: None };
        match (sqlite, target) {
            (Ok(sqlite), Ok(mut target)) => {
                target.sort();
                kept.sqlite = sqlite.len();
                kept.target = target.len();
                kept.only_in_sqlite = sqlite.iter().filter(|v| target.binary_search(v).is_err()).cloned().collect();
                kept.only_in_target = target.iter().filter(|v| sqlite.binary_search(v).is_err()).cloned().collect();
            }
            (Err(why), _) | (_, Err(why)) => kept.not_compared = Some(why),
        }
        out.push(kept);
    }
    Ok(out)
}

/// Every kind of object a copy sets aside, in the order they are restored.
const SET_ASIDE_KINDS: &[&str] = &["index", "key", "foreign_key", "triggers"];

/// Restore what an earlier copy set aside and never restored (it was killed, or its server went
/// away mid-restore), before this run touches anything: the target is whole again first.
async fn restore_leftovers(pool: &PgPool, schemas: &[String], jobs: usize) -> Result<(), CopyError> {
    let leftovers = progress::saved(pool, schemas, None).await?;
    let count = leftovers.iter().filter(|s| SET_ASIDE_KINDS.contains(&s.kind.as_str())).count();
    if count == 0 {
        return Ok(());
    }
    let slots = tokio::sync::Semaphore::new(jobs.max(1));
    let invalid = restore(pool, RestoreScope::Schemas(schemas), jobs, SET_ASIDE_KINDS, &slots).await?;
    tracing::warn!(
        objects = count,
        "an interrupted copy had set aside {count} keys, indexes, foreign keys or trigger settings; restored them first{}",
        if invalid.is_empty() { String::new() } else { format!(" ({} foreign keys left NOT VALID until a copy completes)", invalid.len()) }
    );
    Ok(())
}

/// After a failure: end this run's own sessions (a writer's open transaction holds its table's
/// lock), then restore what was set aside, on fresh connections. A foreign key the partly
/// loaded rows break comes back NOT VALID, recorded so the next copy validates it. When even
/// that fails (the server is gone), the next run restores them first.
async fn restore_after_failure(target: &PgConnectOptions, schemas: &[String], jobs: usize, application_name: &str) {
    let restored = async {
        let pool = connect(target, (jobs + 1) as u32).await?;
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()")
            .bind(application_name)
            .execute(&pool)
            .await
            .map_err(CopyError::pg("ending this copy's own sessions"))?;
        let slots = tokio::sync::Semaphore::new(jobs.max(1));
        let invalid = restore(&pool, RestoreScope::Schemas(schemas), jobs, SET_ASIDE_KINDS, &slots).await?;
        pool.close().await;
        Ok::<_, CopyError>(invalid)
    };
    match restored.await {
        Ok(invalid) if invalid.is_empty() => tracing::warn!("the copy failed; every key, index, foreign key and trigger it had set aside is restored"),
        Ok(invalid) => tracing::warn!("the copy failed; what it had set aside is restored, {} foreign keys NOT VALID over the partly loaded rows until a copy completes", invalid.len()),
        Err(e) => tracing::error!("the copy failed, and restoring what it set aside failed too ({e}); the next run restores it first"),
    }
}

/// The first of Ctrl-C (SIGINT) and SIGTERM.
async fn stop_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => tokio::select! {
                _ = tokio::signal::ctrl_c() => "SIGINT",
                _ = terminate.recv() => "SIGTERM",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}

/// Whether the target lacks every table of the plan (so `create_schema` makes them).
async fn plan_tables_missing(pool: &PgPool, plan: &Plan) -> Result<bool, CopyError> {
    for schema in &plan.schemas {
        let existing = existing_tables(pool, &schema.schema).await?;
        if schema.tables.iter().any(|t| existing.contains(&t.name)) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The tables (and views) of a PostgreSQL schema.
pub(crate) async fn existing_tables(pool: &PgPool, schema: &str) -> Result<std::collections::BTreeSet<String>, CopyError> {
    Ok(sqlx::query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1")
        .bind(schema)
        .fetch_all(pool)
        .await
        .map_err(CopyError::pg(format!("listing the tables of schema {schema}")))?
        .into_iter()
        .map(|r| r.get(0))
        .collect())
}

/// Check that the tables exist (or create them), and that they are empty (or may be emptied).
async fn prepare_schema(pool: &PgPool, schema: &SchemaPlan, options: &CopyOptions) -> Result<(), CopyError> {
    let existing = existing_tables(pool, &schema.schema).await?;
    let missing: Vec<String> = schema.tables.iter().filter(|t| !existing.contains(&t.name)).map(|t| t.name.clone()).collect();
    if !missing.is_empty() {
        if options.create_schema && missing.len() == schema.tables.len() {
            let mut sql = String::new();
            ddl::render_schema(&mut sql, schema, ddl::DdlOptions { comments: false });
            // The DDL sets search_path: run it on a connection of its own, closed afterwards, so
            // no pooled session keeps that path.
            let mut conn = pool.acquire().await.map_err(CopyError::pg("connecting for the schema creation"))?.detach();
            let mut tx = conn.begin().await.map_err(CopyError::pg("starting the schema creation"))?;
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(CopyError::pg(format!("creating schema {} from the plan", schema.schema)))?;
            tx.commit().await.map_err(CopyError::pg("committing the schema creation"))?;
            let _ = conn.close().await;
        } else {
            return Err(CopyError::MissingTables { schema: schema.schema.clone(), tables: missing });
        }
    }
    if options.truncate && !schema.tables.is_empty() {
        // All of the schema's tables in one statement, so keys among them do not stand in the
        // way, and without CASCADE: a table outside the copied schemas that references one of
        // them is never emptied; PostgreSQL refuses, naming it, and nothing is emptied.
        let tables: Vec<String> = schema.tables.iter().map(|t| qualified(&schema.schema, &t.name)).collect();
        sqlx::raw_sql(AssertSqlSafe(format!("TRUNCATE {}", tables.join(", "))))
            .execute(pool)
            .await
            .map_err(CopyError::pg(format!("truncating the tables of schema {}", schema.schema)))?;
    }
    let mut non_empty = Vec::new();
    for table in &schema.tables {
        let q = qualified(&schema.schema, &table.name);
        let has_rows: bool = sqlx::query(AssertSqlSafe(format!("SELECT EXISTS (SELECT 1 FROM {q})")))
            .fetch_one(pool)
            .await
            .map_err(CopyError::pg(format!("checking whether {q} is empty")))?
            .get(0);
        let state = progress::load(pool, &schema.schema, &table.name).await?;
        if options.truncate {
            progress::reset(pool, &schema.schema, &table.name).await?;
        } else if options.resume {
            // A table with rows but no progress was not written by us: refuse rather than mix.
            if has_rows && state.is_none() {
                non_empty.push(q);
            }
        } else if has_rows {
            non_empty.push(q);
        } else if state.is_some() {
            progress::reset(pool, &schema.schema, &table.name).await?;
        }
    }
    if !non_empty.is_empty() {
        return Err(CopyError::NotEmpty { tables: non_empty });
    }
    Ok(())
}

/// Drop the foreign keys, keys and indexes of the plan's tables and disable their user
/// triggers, saving each first (in the same transaction) so that an interrupted copy can
/// restore them. Tables outside the plan keep theirs, except foreign keys that reference a
/// plan table: neither the load's `TRUNCATE` (for `FREEZE`) nor dropping the plan table's key
/// is allowed while such a key exists, so they are set aside too, saved under their own
/// table's schema and the referenced one's. (Between an interrupted copy and `--resume`, those
/// tables go without them.)
async fn set_aside(pool: &PgPool, plan: &Plan) -> Result<(), CopyError> {
    let (schemas, tables): (Vec<String>, Vec<String>) = plan.schemas.iter().flat_map(|s| s.tables.iter().map(|t| (s.schema.clone(), t.name.clone()))).unzip();
    let mut tx = pool.begin().await.map_err(CopyError::pg("starting to set keys, indexes and foreign keys aside"))?;
    // With only pg_catalog on the path, pg_get_constraintdef qualifies every table it names, so
    // the saved definitions restore correctly from any session.
    sqlx::raw_sql("SET LOCAL search_path TO pg_catalog").execute(&mut *tx).await.map_err(CopyError::pg("setting the search path"))?;
    let planned: Vec<sqlx::postgres::types::Oid> = sqlx::query_scalar(
        "SELECT c.oid FROM unnest($1::text[], $2::text[]) AS p(schema_name, table_name)
         JOIN pg_namespace n ON n.nspname = p.schema_name JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = p.table_name AND c.relkind IN ('r', 'p')",
    )
    .bind(&schemas)
    .bind(&tables)
    .fetch_all(&mut *tx)
    .await
    .map_err(CopyError::pg("finding the plan's tables"))?;
    let fks = sqlx::query(
        "SELECT n.nspname::text, t.relname::text, c.conname::text, pg_get_constraintdef(c.oid),
                CASE WHEN c.conrelid = ANY($1) THEN NULL ELSE pn.nspname::text END
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_class p ON p.oid = c.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace
         WHERE c.contype = 'f' AND (c.conrelid = ANY($1) OR c.confrelid = ANY($1)) AND c.conparentid = 0 ORDER BY 1, 2, 3",
    )
    .bind(&planned)
    .fetch_all(&mut *tx)
    .await
    .map_err(CopyError::pg("listing foreign keys"))?;
    for row in fks {
        let mut saved = Saved { schema: row.get(0), table: row.get(1), kind: "foreign_key".into(), name: row.get(2), definition: row.get(3) };
        // NOT VALID because an earlier copy left it so, not its owner: it comes back validated.
        if saved.definition.ends_with(" NOT VALID") && progress::take_unvalidated(&mut tx, &saved).await? {
            saved.definition = saved.definition.trim_end_matches(" NOT VALID").to_string();
        }
        // The referenced schema, for a key of a table outside the plan only: the copy of that
        // schema restores it (a plan table's key is restored with its own table's schema).
        progress::save_referencing(&mut tx, &saved, row.get::<Option<String>, _>(4).as_deref()).await?;
        let sql = format!("ALTER TABLE {} DROP CONSTRAINT {}", qualified(&saved.schema, &saved.table), quoted(&saved.name));
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(CopyError::pg(format!("dropping foreign key {} for the load", saved.name)))?;
    }
    // Keys and indexes are built once after the load instead of row by row during it: several
    // times faster, and the same result (SQLite enforced the keys; the reader sends each row once).
    // A key is saved as its index and the constraint that adopts it (`USING INDEX`): the index
    // builds beside the table's other indexes (CREATE INDEX locks share), where ADD PRIMARY
    // KEY would lock the table and build alone. Keys whose index INCLUDEs columns or has
    // expressions or a predicate (not made by a plan) are saved whole.
    let keys = sqlx::query(
        "SELECT n.nspname::text, t.relname::text, c.conname::text, pg_get_constraintdef(c.oid), i.relname::text, pg_get_indexdef(c.conindid),
                x.indnkeyatts = x.indnatts AND x.indexprs IS NULL AND x.indpred IS NULL, c.contype = 'p', c.condeferrable, c.condeferred
         FROM pg_constraint c
         JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         JOIN pg_index x ON x.indexrelid = c.conindid JOIN pg_class i ON i.oid = c.conindid
         WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY($1) AND c.conparentid = 0
           -- A view that groups by a table's primary key depends on the key (PostgreSQL lets it
           -- select the table's other columns): such a key cannot be dropped, so it stays, and
           -- the rows load with it in place.
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refobjid = c.oid AND d.classid = 'pg_rewrite'::regclass)
         ORDER BY 1, 2, 3",
    )
    .bind(&planned)
    .fetch_all(&mut *tx)
    .await
    .map_err(CopyError::pg("listing keys"))?;
    let indexes = sqlx::query(
        "SELECT n.nspname::text, t.relname::text, i.relname::text, pg_get_indexdef(i.oid) FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE x.indrelid = ANY($1) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype IN ('p', 'u', 'x'))
         ORDER BY 1, 2, 3",
    )
    .bind(&planned)
    .fetch_all(&mut *tx)
    .await
    .map_err(CopyError::pg("listing indexes"))?;
    for row in indexes {
        let saved = Saved { schema: row.get(0), table: row.get(1), kind: "index".into(), name: row.get(2), definition: row.get(3) };
        progress::save(&mut tx, &saved).await?;
        let sql = format!("DROP INDEX {}", qualified(&saved.schema, &saved.name));
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(CopyError::pg(format!("dropping index {} for the load", saved.name)))?;
    }
    for row in keys {
        let (schema, table, name): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let definition = if row.get::<bool, _>(6) {
            let index = Saved { schema: schema.clone(), table: table.clone(), kind: "index".into(), name: row.get(4), definition: row.get(5) };
            progress::save(&mut tx, &index).await?;
            let kind = if row.get::<bool, _>(7) { "PRIMARY KEY" } else { "UNIQUE" };
            let deferrable = match (row.get::<bool, _>(8), row.get::<bool, _>(9)) {
                (true, true) => " DEFERRABLE INITIALLY DEFERRED",
                (true, false) => " DEFERRABLE",
                (false, _) => "",
            };
            format!("{kind} USING INDEX {}{deferrable}", quoted(&index.name))
        } else {
            row.get(3)
        };
        let saved = Saved { schema, table, kind: "key".into(), name, definition };
        progress::save(&mut tx, &saved).await?;
        let sql = format!("ALTER TABLE {} DROP CONSTRAINT {}", qualified(&saved.schema, &saved.table), quoted(&saved.name));
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(CopyError::pg(format!("dropping key {} for the load", saved.name)))?;
    }
    for schema in &plan.schemas {
        for table in &schema.tables {
            let saved = Saved { schema: schema.schema.clone(), table: table.name.clone(), kind: "triggers".into(), name: "user".into(), definition: "ENABLE TRIGGER USER".into() };
            progress::save(&mut tx, &saved).await?;
            let sql = format!("ALTER TABLE {} DISABLE TRIGGER USER", qualified(&schema.schema, &table.name));
            sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(CopyError::pg(format!("disabling triggers of {} for the load", table.name)))?;
        }
    }
    tx.commit().await.map_err(CopyError::pg("committing the keys, indexes and foreign keys set aside"))
}

/// Which saved objects a restore takes.
#[derive(Debug, Clone, Copy)]
enum RestoreScope<'a> {
    /// Those of every table of these PostgreSQL schemas.
    Schemas(&'a [String]),
    /// Those of one table: PostgreSQL schema and table.
    Table(&'a str, &'a str),
}

/// Finish one table whose rows are all in: its indexes (its keys' among them) side by side, the
/// keys on those indexes, its identities, ANALYZE. Its foreign keys wait for every table.
async fn finish_table(pool: &PgPool, schema: &SchemaPlan, table: &TablePlan, sequences: &[(String, String)], jobs: usize, slots: &tokio::sync::Semaphore) -> Result<(), CopyError> {
    restore(pool, RestoreScope::Table(&schema.schema, &table.name), jobs, &["index", "key"], slots).await?;
    let _slot = slots.acquire().await.map_err(|_| CopyError::Reader("the finishing slots".into()))?;
    continue_and_analyze(pool, schema, table, sequences).await?;
    tracing::info!(schema = %schema.schema, table = %table.name, "keys, indexes and identities restored, table analyzed");
    Ok(())
}

/// Continue a table's identities, then ANALYZE it. Before its foreign keys are validated: with
/// statistics (and the all-visible pages of a FREEZE load) the validation's anti-join reads the
/// child's index instead of its heap (on the benchmark 0.33 s -> 0.11 s).
async fn continue_and_analyze(pool: &PgPool, schema: &SchemaPlan, table: &TablePlan, sequences: &[(String, String)]) -> Result<(), CopyError> {
    continue_sequences(pool, schema, table, sequences).await?;
    let sql = format!("ANALYZE {}", qualified(&schema.schema, &table.name));
    sqlx::raw_sql(AssertSqlSafe(sql)).execute(pool).await.map(|_| ()).map_err(CopyError::pg(format!("analyzing {}", table.name)))
}

/// Restore what [`set_aside`] saved in `scope`, of the `kinds` given, in their order: indexes,
/// keys (adopting their indexes), foreign keys (`NOT VALID`, then validated; left NOT VALID and
/// reported when existing rows break them), triggers. Indexes are built up to `jobs` at once,
/// keys and triggers one table at a time (ALTER TABLE locks its table), foreign keys one by one
/// (each also locks its parent); every statement holds one of `slots`. Returns the foreign keys
/// left NOT VALID.
async fn restore(pool: &PgPool, scope: RestoreScope<'_>, jobs: usize, kinds: &[&str], slots: &tokio::sync::Semaphore) -> Result<Vec<String>, CopyError> {
    use futures_util::stream::{self, StreamExt, TryStreamExt};
    let saved = match scope {
        RestoreScope::Schemas(schemas) => progress::saved(pool, schemas, None).await?,
        RestoreScope::Table(schema, table) => progress::saved(pool, &[schema.to_string()], Some(table)).await?,
    };
    let mut invalid = Vec::new();
    for &kind in kinds {
        // Group by table for the kinds that lock their table; one group per object otherwise.
        let mut groups: Vec<Vec<Saved>> = Vec::new();
        for s in saved.iter().filter(|s| s.kind == kind) {
            match groups.last_mut() {
                Some(g) if kind != "index" && g[0].schema == s.schema && g[0].table == s.table => g.push(s.clone()),
                _ => groups.push(vec![s.clone()]),
            }
        }
        // Foreign keys one at a time: adding one locks its table and the parent, so two added
        // at once across a cycle (A -> B, B -> A) can deadlock.
        let at_once = if kind == "foreign_key" { 1 } else { jobs.max(1) };
        let results: Vec<Vec<String>> = stream::iter(groups.into_iter().map(|group| restore_group(pool, group, slots)))
            .buffer_unordered(at_once)
            .try_collect()
            .await?;
        invalid.extend(results.into_iter().flatten());
    }
    invalid.sort();
    Ok(invalid)
}

/// Restore one group of saved objects of one kind, in order; returns foreign keys left NOT VALID.
async fn restore_group(pool: &PgPool, group: Vec<Saved>, slots: &tokio::sync::Semaphore) -> Result<Vec<String>, CopyError> {
    let mut invalid = Vec::new();
    for saved in group {
        let _slot = slots.acquire().await.map_err(|_| CopyError::Reader("the finishing slots".into()))?;
        let table = qualified(&saved.schema, &saved.table);
        let mut tx = pool.begin().await.map_err(CopyError::pg("starting a restore"))?;
        // A key its owner had left NOT VALID (pg_get_constraintdef says so) comes back so. A
        // partitioned table (outside the plan) takes no NOT VALID key: it is added validated.
        let left_unvalidated = saved.kind == "foreign_key" && saved.definition.ends_with(" NOT VALID");
        let validated_at_once = saved.kind == "foreign_key" && is_partitioned(&mut tx, &table).await?;
        let (sql, what) = match saved.kind.as_str() {
            "foreign_key" if validated_at_once => (format!("ALTER TABLE {table} ADD CONSTRAINT {} {}", quoted(&saved.name), saved.definition), "restoring foreign key"),
            "foreign_key" => {
                let definition = saved.definition.strip_suffix(" NOT VALID").unwrap_or(&saved.definition);
                (format!("ALTER TABLE {table} ADD CONSTRAINT {} {definition} NOT VALID", quoted(&saved.name)), "restoring foreign key")
            }
            "key" => (format!("ALTER TABLE {table} ADD CONSTRAINT {} {}", quoted(&saved.name), saved.definition), "building key"),
            "index" => (saved.definition.clone(), "building index"),
            _ => (format!("ALTER TABLE {table} {}", saved.definition), "enabling triggers"),
        };
        sqlx::raw_sql(AssertSqlSafe(sql)).execute(&mut *tx).await.map_err(CopyError::pg(format!("{what} {} of {table}", saved.name)))?;
        progress::forget(&mut tx, &saved).await?;
        tx.commit().await.map_err(CopyError::pg("committing a restore"))?;
        if saved.kind == "foreign_key" && !left_unvalidated && !validated_at_once {
            let validate = format!("ALTER TABLE {table} VALIDATE CONSTRAINT {}", quoted(&saved.name));
            if let Err(e) = sqlx::raw_sql(AssertSqlSafe(validate)).execute(pool).await {
                invalid.push(format!("{table}: {}: {}", saved.name, e));
                progress::record_unvalidated(pool, &saved).await?;
            }
        }
    }
    Ok(invalid)
}

/// Whether the table (`schema.table`, quoted) is partitioned.
async fn is_partitioned(conn: &mut PgConnection, table: &str) -> Result<bool, CopyError> {
    sqlx::query_scalar("SELECT relkind = 'p' FROM pg_class WHERE oid = $1::regclass")
        .bind(table)
        .fetch_one(conn)
        .await
        .map_err(CopyError::pg(format!("reading what kind of table {table} is")))
}

/// The sequences feeding a table's columns (see `TableBinding::sequences`).
fn sequences_of<'a>(bindings: &'a sqlite2pg_pg::binding::Bindings, schema: &SchemaPlan, table: &TablePlan) -> &'a [(String, String)] {
    bindings.table(&schema.schema, &table.name).map_or(&[], |b| b.sequences.as_slice())
}

/// Set each sequence feeding a column (an identity, a `serial`, a `nextval` default) to continue
/// past the column's highest value and past `sqlite_sequence`, so the application's next insert
/// gets a new key.
async fn continue_sequences(pool: &PgPool, schema: &SchemaPlan, table: &TablePlan, sequences: &[(String, String)]) -> Result<(), CopyError> {
    let q = qualified(&schema.schema, &table.name);
    for (column, sequence) in sequences {
        let sql = format!(
            "SELECT setval($1::regclass, GREATEST(coalesce((SELECT max({col}) FROM {q}), 0), $2, 1), coalesce((SELECT max({col}) FROM {q}), 0) > 0 OR $2 > 0)",
            col = quoted(column)
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(sequence)
            .bind(table.sqlite_sequence.unwrap_or(0))
            .execute(pool)
            .await
            .map_err(CopyError::pg(format!("continuing the sequence {sequence} of {q}")))?;
    }
    Ok(())
}

/// Encoded rows in flight, at most: each stream (`jobs` per file) holds up to three chunks (one
/// being read, one queued, one being sent).
const CHUNK_BUDGET: usize = 96 << 20;

/// The byte limit of one chunk. In a split table each chunk is one COPY and one commit with its
/// progress row, so chunks must not be tiny (a single-transaction table streams every chunk
/// into one COPY, where the size only bounds memory). Measured on the 1M-row benchmark (2
/// cores, rows loaded, best of 3; whole copy's peak RSS): 1 MB 1.72 s (29 MB), 2 MB 1.55 s (43 MB), 4 MB 1.46 s (72 MB),
/// 8 MB 1.44 s (104 MB). (Before sockets had TCP_NODELAY each COPY also ended with a 40 ms
/// delayed-ACK wait: 1 MB chunks then cost 0.7 s more than 4 MB ones.)
fn chunk_bytes(jobs: usize, files: usize) -> usize {
    (CHUNK_BUDGET / (3 * jobs.max(1) * files.max(1))).clamp(1 << 20, 4 << 20)
}

/// The byte limit of a chunk streamed into a table's one COPY, where no statement or commit
/// ends with it and its size only bounds memory: on the 1M-row benchmark 1 MB and 4 MB load
/// equally fast (`--plan` 2.70-2.79 s and 2.75-2.80 s, interleaved), peak RSS 29 MB and 53 MB.
const STREAM_CHUNK_BYTES: usize = 1 << 20;

/// A table is split when each part would get at least this many rows (or two chunks' worth,
/// when chunks are smaller): below that, a second stream costs more than it saves.
const MIN_ROWS_PER_PART: usize = 50_000;

/// The parts a table loads in. A large rowid table is split into `jobs` rowid ranges, each
/// streamed by a writer of its own: PostgreSQL parses a COPY on one core, so one stream per
/// table leaves the others idle while the largest table loads (1M rows: 2.45 s in one stream,
/// 1.5 s in two, on 2 cores). The first and last ranges are open-ended, so every row of the
/// reader's snapshot falls in exactly one part whatever bounds this earlier look saw.
async fn split(schema: &SchemaPlan, table: &TablePlan, options: &CopyOptions, jobs: usize) -> Result<Vec<Part>, CopyError> {
    let whole = vec![Part::default()];
    let big_enough = table.rows >= (jobs * MIN_ROWS_PER_PART.min(2 * options.chunk_rows.max(1))) as u64;
    // A column named like the rowid hides it: the reader could not order by it.
    let hidden = table.columns.iter().any(|c| ["rowid", "_rowid_", "oid"].iter().any(|r| c.source_name.eq_ignore_ascii_case(r)) && !c.identity);
    if table.without_rowid || jobs < 2 || !big_enough || hidden {
        return Ok(whole);
    }
    let (path, open, name) = (schema.source.clone(), options.open.clone(), table.source_name.clone());
    let bounds = tokio::task::spawn_blocking(move || SourceDb::open(&path, &open).and_then(|db| db.rowid_bounds(&name)))
        .await
        .map_err(|e| CopyError::Reader(format!("finding the rowids of {}: {e}", table.name)))?
        .map_err(CopyError::Source)?;
    let Some((lo, hi)) = bounds else { return Ok(whole) };
    Ok(rowid_parts(lo, hi, jobs))
}

/// Up to `jobs` parts over rowids `lo..=hi`, the first and last open-ended (see [`split`]).
/// Inner boundaries are at equal steps, each within `lo..=hi`: a narrow span gets fewer parts.
fn rowid_parts(lo: i64, hi: i64, jobs: usize) -> Vec<Part> {
    let (lo, hi, n) = (i128::from(lo), i128::from(hi), jobs.max(1) as i128);
    let step = ((hi - lo + 1) + n - 1) / n;
    let starts: Vec<i64> = (1..n).map(|k| lo + k * step).filter(|&b| b > lo && b <= hi).filter_map(|b| i64::try_from(b).ok()).collect();
    let mut parts = Vec::with_capacity(starts.len() + 1);
    let mut from = i64::MIN;
    for (k, &start) in starts.iter().enumerate() {
        parts.push(Part { part: k as i32, rowids: Some((from, start - 1)), ..Part::default() });
        from = start;
    }
    if parts.is_empty() {
        return vec![Part::default()];
    }
    parts.push(Part { part: starts.len() as i32, rowids: Some((from, i64::MAX)), ..Part::default() });
    parts
}

fn table_spec(schema: &SchemaPlan, table: &TablePlan, binding: &TableBinding, part: &Part, binary: bool, chunk_bytes: usize, profile: Option<Vec<String>>) -> TableSpec {
    let columns: Vec<ColumnSpec> = binding.columns.iter().map(|c| ColumnSpec { source_name: c.source_name.clone(), conversion: c.conversion.clone(), nullable: c.nullable }).collect();
    let key = binding.key.clone();
    TableSpec {
        schema: schema.schema.clone(),
        table: table.name.clone(),
        source_table: table.source_name.clone(),
        rowid: !table.without_rowid,
        after_rowid: if table.without_rowid { None } else { part.last_rowid },
        rowids: if table.without_rowid { None } else { part.rowids },
        format: table_format(binding, binary),
        columns,
        key,
        chunk_bytes,
        profile,
    }
}

/// Binary when asked for and every copied column's type has a binary form.
fn table_format(binding: &TableBinding, binary: bool) -> Format {
    let capable = binding.columns.iter().all(|c| c.conversion.target.binary_capable());
    if binary && capable { Format::Binary } else { Format::Text }
}

fn copy_statement(schema: &SchemaPlan, binding: &TableBinding, format: Format, freeze: bool) -> String {
    let cols: Vec<String> = binding.columns.iter().map(|c| quoted(&c.name)).collect();
    let with = match (format, freeze) {
        (Format::Binary, false) => " WITH (FORMAT binary)",
        (Format::Binary, true) => " WITH (FORMAT binary, FREEZE)",
        (Format::Text, false) => "",
        (Format::Text, true) => " WITH (FREEZE)",
    };
    format!("COPY {} ({}) FROM STDIN{with}", qualified(&schema.schema, &binding.table), cols.join(", "))
}

/// How a writer commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriteMode {
    /// Every chunk commits with its progress: resumable after the last committed chunk.
    ChunkCommits,
    /// One transaction for the whole table: truncated first, then copied with `FREEZE` (see
    /// [`CopyOptions::single_transaction_rows`]).
    SingleTransaction,
}

/// Where a writer's chunks go.
struct WriteTarget {
    schema: String,
    table: String,
    part: i32,
    copy_sql: String,
    /// How the reader encodes the chunks.
    format: Format,
    /// Where sent chunks' buffers go back to the reader.
    buffers: Arc<Buffers>,
    /// Parts of the table still loading: the last one to finish finishes the shared bar.
    unfinished: Arc<std::sync::atomic::AtomicUsize>,
}

async fn write_table(
    pool: PgPool,
    target: WriteTarget,
    rx: mpsc::Receiver<Chunk>,
    mode: WriteMode,
    rejects: Arc<Mutex<Rejects>>,
    bar: ProgressBar,
    plain_log: bool,
) -> Result<(String, String, u64, f64), CopyError> {
    let started = Instant::now();
    let Sent { bytes, rows, rejected } = match mode {
        WriteMode::SingleTransaction => write_in_one_transaction(&pool, &target, rx, &rejects, &bar).await?,
        WriteMode::ChunkCommits => write_committing_chunks(&pool, &target, rx, &rejects, &bar).await?,
    };
    let WriteTarget { schema, table, part, unfinished, .. } = target;
    if unfinished.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1 {
        bar.finish();
    }
    let seconds = started.elapsed().as_secs_f64();
    if plain_log {
        tracing::info!(schema = %schema, table = %table, part, rows, rejected, bytes, seconds, "copied");
    }
    Ok((schema, table, bytes, seconds))
}

/// The error of a part whose reader stopped before its end (it failed, and says why).
fn reader_stopped(target: &WriteTarget) -> CopyError {
    CopyError::Reader(format!("{}.{}: the reader stopped before the end of the table", target.schema, target.table))
}

/// What a writer sent in this run: COPY bytes, rows copied, rows rejected.
#[derive(Debug, Default)]
struct Sent {
    bytes: u64,
    rows: u64,
    rejected: u64,
}

/// A single-transaction part: the table truncated, then every chunk into one `COPY` stream (the
/// server never waits between chunks for a new statement), its progress and commit once.
/// A reader that stops early rolls the whole table back. A value
/// the server refuses (a CHECK, say) fails the stream only when it ends: the table is read to
/// its end first, and rolled back whole.
async fn write_in_one_transaction(pool: &PgPool, target: &WriteTarget, mut rx: mpsc::Receiver<Chunk>, rejects: &Mutex<Rejects>, bar: &ProgressBar) -> Result<Sent, CopyError> {
    let WriteTarget { schema, table, part, copy_sql, format, buffers, .. } = target;
    let context = format!("copying into {schema}.{table}");
    let (mut rows, mut rejected, mut bytes, mut last_rowid) = (0i64, 0i64, 0u64, None);
    let mut pending_rejects = PendingRejects::default();
    // Opened at the first chunk, not before: a writer waiting for its reader holds no connection.
    let Some(mut chunk) = rx.recv().await else { return Err(reader_stopped(target)) };
    if chunk.end {
        // An empty table: nothing to truncate or stream.
        buffers.give_back(chunk.data);
        let mut conn = pool.acquire().await.map_err(CopyError::pg(&context))?;
        progress::advance(&mut conn, schema, table, *part, None, 0, 0, true).await?;
        return Ok(Sent::default());
    }
    let mut tx = begin_truncated(pool, schema, table, &context).await?;
    {
        let mut copy = tx.copy_in_raw(copy_sql).await.map_err(CopyError::pg(&context))?;
        // Every chunk until the reader's end marker; an error half-way aborts the stream (and
        // the transaction rolls back when dropped), so its connection goes back to the pool
        // clean, not with a COPY left open.
        let streamed: Result<(), CopyError> = async {
            let framing = *format == Format::Binary;
            if framing {
                copy.send(BINARY_HEADER).await.map_err(CopyError::pg(&context))?;
                bytes += BINARY_HEADER.len() as u64;
            }
            while !chunk.end {
                let rows_of_chunk = stream_slice(&chunk.data, *format);
                if !rows_of_chunk.is_empty() {
                    copy.send(rows_of_chunk).await.map_err(CopyError::pg(&context))?;
                    bytes += rows_of_chunk.len() as u64;
                }
                buffers.give_back(std::mem::take(&mut chunk.data));
                rows += chunk.rows as i64;
                rejected += chunk.rejected_rows as i64;
                last_rowid = chunk.last_rowid.or(last_rowid);
                pending_rejects.add(std::mem::take(&mut chunk.rejects), rejects)?;
                bar.inc(chunk.rows + chunk.rejected_rows);
                chunk = rx.recv().await.ok_or_else(|| reader_stopped(target))?;
            }
            buffers.give_back(std::mem::take(&mut chunk.data));
            if framing {
                copy.send(BINARY_TRAILER).await.map_err(CopyError::pg(&context))?;
                bytes += BINARY_TRAILER.len() as u64;
            }
            Ok(())
        }
        .await;
        match streamed {
            Ok(()) => {
                copy.finish().await.map_err(CopyError::pg(&context))?;
            }
            Err(e) => {
                let _ = copy.abort("sqlite2pg stopped this table's load").await;
                return Err(e);
            }
        }
    }
    progress::advance(&mut tx, schema, table, *part, last_rowid, rows, rejected, true).await?;
    tx.commit().await.map_err(CopyError::pg(&context))?;
    write_rejects(rejects, &mut pending_rejects)?;
    Ok(Sent { bytes, rows: rows as u64, rejected: rejected as u64 })
}

/// A part of a split table: each chunk is a `COPY` committed with the part's progress, so an
/// interrupted copy resumes after the last committed chunk.
async fn write_committing_chunks(pool: &PgPool, target: &WriteTarget, mut rx: mpsc::Receiver<Chunk>, rejects: &Mutex<Rejects>, bar: &ProgressBar) -> Result<Sent, CopyError> {
    let WriteTarget { schema, table, part, copy_sql, .. } = target;
    let context = format!("copying into {schema}.{table}");
    let mut sent = Sent::default();
    let mut pending_rejects = PendingRejects::default();
    loop {
        let Some(chunk) = rx.recv().await else { return Err(reader_stopped(target)) };
        if chunk.end {
            target.buffers.give_back(chunk.data);
            break;
        }
        let mut tx = pool.begin().await.map_err(CopyError::pg(&context))?;
        if !chunk.data.is_empty() {
            let mut copy = tx.copy_in_raw(copy_sql).await.map_err(CopyError::pg(&context))?;
            copy.send(chunk.data.as_slice()).await.map_err(CopyError::pg(&context))?;
            copy.finish().await.map_err(CopyError::pg(&context))?;
        }
        sent.bytes += chunk.data.len() as u64;
        sent.rows += chunk.rows;
        sent.rejected += chunk.rejected_rows;
        target.buffers.give_back(chunk.data);
        progress::advance(&mut tx, schema, table, *part, chunk.last_rowid, chunk.rows as i64, chunk.rejected_rows as i64, false).await?;
        pending_rejects.add(chunk.rejects, rejects)?;
        tx.commit().await.map_err(CopyError::pg(&context))?;
        write_rejects(rejects, &mut pending_rejects)?;
        bar.inc(chunk.rows + chunk.rejected_rows);
    }
    let mut tx = pool.begin().await.map_err(CopyError::pg(&context))?;
    progress::advance(&mut tx, schema, table, *part, None, 0, 0, true).await?;
    tx.commit().await.map_err(CopyError::pg(&context))?;
    Ok(sent)
}

/// A transaction that has truncated `schema.table` (empty already), as `COPY ... FREEZE`
/// requires.
async fn begin_truncated(pool: &PgPool, schema: &str, table: &str, context: &str) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, CopyError> {
    let mut tx = pool.begin().await.map_err(CopyError::pg(context))?;
    let truncate = format!("TRUNCATE {}", qualified(schema, table));
    sqlx::raw_sql(AssertSqlSafe(truncate)).execute(&mut *tx).await.map_err(CopyError::pg(format!("{context}: truncating it in the load's transaction, for COPY FREEZE")))?;
    Ok(tx)
}

/// Rejects of rows not committed yet. A single-transaction table holds them until its one
/// commit: past [`PENDING_IN_MEMORY`] they go to an unnamed temporary file beside the rejects
/// file (the system removes it if the process dies), so memory does not grow with them.
#[derive(Default)]
struct PendingRejects {
    held: Vec<Reject>,
    spill: Option<std::io::BufWriter<std::fs::File>>,
    spilled: u64,
}

/// Rejects a writer keeps in memory before spilling them to a temporary file.
const PENDING_IN_MEMORY: usize = 10_000;

impl PendingRejects {
    fn add(&mut self, more: Vec<Reject>, rejects: &Mutex<Rejects>) -> Result<(), CopyError> {
        self.held.extend(more);
        if self.held.len() <= PENDING_IN_MEMORY {
            return Ok(());
        }
        let path = rejects.lock().map_err(|_| CopyError::Reader("the rejects file".into()))?.path.clone();
        let spill = match &mut self.spill {
            Some(spill) => spill,
            None => {
                let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
                let file = tempfile::tempfile_in(dir).map_err(|source| CopyError::Rejects { path: path.clone(), source })?;
                self.spill.insert(std::io::BufWriter::new(file))
            }
        };
        for reject in self.held.drain(..) {
            serde_json::to_writer(&mut *spill, &reject).map_err(|e| CopyError::Rejects { path: path.clone(), source: e.into() })?;
            spill.write_all(b"\n").map_err(|source| CopyError::Rejects { path: path.clone(), source })?;
            self.spilled += 1;
        }
        Ok(())
    }
}

/// Append rejects once the rows around them are committed, so a resumed copy never writes a
/// reject twice.
fn write_rejects(rejects: &Mutex<Rejects>, pending: &mut PendingRejects) -> Result<(), CopyError> {
    if pending.held.is_empty() && pending.spill.is_none() {
        return Ok(());
    }
    let mut r = rejects.lock().map_err(|_| CopyError::Reader("the rejects file".into()))?;
    let path = r.path.clone();
    let io = |source| CopyError::Rejects { path: path.clone(), source };
    if let Some(spill) = pending.spill.take() {
        use std::io::Seek;
        let mut file = spill.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(std::io::SeekFrom::Start(0)).map_err(io)?;
        std::io::copy(&mut file, r.file().map_err(io)?).map_err(io)?;
        r.written += std::mem::take(&mut pending.spilled);
    }
    for reject in pending.held.drain(..) {
        let line = serde_json::to_string(&reject).unwrap_or_default();
        writeln!(r.file().map_err(io)?, "{line}").map_err(io)?;
        r.written += 1;
    }
    r.flush().map_err(io)
}

pub(crate) fn qualified(schema: &str, table: &str) -> String {
    format!("{}.{}", quoted(schema), quoted(table))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(lo: i64, hi: i64, jobs: usize) -> Vec<Option<(i64, i64)>> {
        rowid_parts(lo, hi, jobs).into_iter().map(|p| p.rowids).collect()
    }

    #[test]
    fn parts_cover_every_rowid_once() {
        assert_eq!(ranges(1, 1_000_000, 2), [Some((i64::MIN, 500_000)), Some((500_001, i64::MAX))]);
        assert_eq!(ranges(-10, 9, 4), [Some((i64::MIN, -6)), Some((-5, -1)), Some((0, 4)), Some((5, i64::MAX))]);
        // Near the top of the range: no part twice, none empty.
        assert_eq!(ranges(i64::MAX - 20, i64::MAX, 10), [
            Some((i64::MIN, i64::MAX - 18)), Some((i64::MAX - 17, i64::MAX - 15)), Some((i64::MAX - 14, i64::MAX - 12)), Some((i64::MAX - 11, i64::MAX - 9)),
            Some((i64::MAX - 8, i64::MAX - 6)), Some((i64::MAX - 5, i64::MAX - 3)), Some((i64::MAX - 2, i64::MAX)),
        ]);
        assert_eq!(ranges(i64::MIN, i64::MAX, 2), [Some((i64::MIN, -1)), Some((0, i64::MAX))]);
        assert_eq!(ranges(5, 5, 4), [None], "one rowid: the whole table");
        assert_eq!(ranges(1, 3, 1), [None]);
    }
}

//! Profiling: one streaming pass over each table's stored values.
//!
//! Takes an open [`SourceDb`] and a table, gives a [`TableProfile`]: per column, how many values
//! of each storage class, their ranges, and which shapes the text takes (JSON, ISO dates, UUIDs,
//! numbers, booleans). Memory is bounded by the number of columns, never by the number of rows.
//! Exact by default; with a sample size it reads an evenly spread, deterministic subset and says
//! so, so the same database always gives the same plan.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use rusqlite::types::ValueRef;
use serde::Serialize;

use crate::error::Result;
use crate::introspect::{SourceDb, SourceTable};
pub use sqlite2pg_value::EpochUnit;
pub use sqlite2pg_value::scalars::{is_decimal, is_uuid, parse_bool_text};

/// Longest example value kept, in characters.
const EXAMPLE_CHARS: usize = 60;

/// What one pass over a table found.
#[derive(Debug, Clone, Serialize)]
pub struct TableProfile {
    /// The table's name.
    pub table: String,
    /// Rows in the table (always exact).
    pub rows: u64,
    /// Rows actually read when sampling (None: every row was read).
    pub sampled_rows: Option<u64>,
    /// One profile per column, in column order.
    pub columns: Vec<ColumnProfile>,
}

/// Counts of ISO-8601 text shapes.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DateShapes {
    /// `YYYY-MM-DD`
    pub date: u64,
    /// `YYYY-MM-DD HH:MM[:SS[.f]]` (or `T`), no zone.
    pub datetime: u64,
    /// As `datetime`, with `Z` or a numeric offset.
    pub datetime_zone: u64,
    /// `HH:MM[:SS[.f]]`
    pub time: u64,
    /// More than 6 fractional digits (PostgreSQL keeps microseconds).
    pub sub_microsecond: u64,
}

impl DateShapes {
    fn total(&self) -> u64 {
        self.date + self.datetime + self.datetime_zone + self.time
    }
}

/// Integers by the epoch unit their magnitude suggests.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct EpochMagnitudes {
    /// 1e8 <= |v| < 1e11: seconds (1973 to 5138).
    pub seconds: u64,
    /// 1e11 <= |v| < 1e14: milliseconds.
    pub millis: u64,
    /// 1e14 <= |v| < 1e17: microseconds.
    pub micros: u64,
}

/// Statistics of one column's stored values.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ColumnProfile {
    /// Column name.
    pub name: String,
    /// NULLs.
    pub nulls: u64,
    /// INTEGER storage class values.
    pub integers: u64,
    /// REAL storage class values.
    pub reals: u64,
    /// TEXT storage class values.
    pub texts: u64,
    /// BLOB storage class values.
    pub blobs: u64,
    /// Smallest integer.
    pub int_min: Option<i64>,
    /// Largest integer.
    pub int_max: Option<i64>,
    /// Integers other than 0 and 1.
    pub ints_not_01: u64,
    /// Integers whose magnitude exceeds 2^53 (not exact in a double or in JavaScript).
    pub ints_beyond_2_53: u64,
    /// Integers by epoch magnitude.
    pub epoch: EpochMagnitudes,
    /// Smallest finite real.
    pub real_min: Option<f64>,
    /// Largest finite real.
    pub real_max: Option<f64>,
    /// +Inf / -Inf reals (SQLite stores NaN as NULL).
    pub reals_infinite: u64,
    /// Reals with a fractional part.
    pub reals_fractional: u64,
    /// Most digits left of the decimal point over integer, real and numeric-text values.
    pub max_int_digits: u32,
    /// Most digits right of the decimal point (shortest exact form of reals).
    pub max_frac_digits: u32,
    /// Longest text, in characters.
    pub text_max_chars: u64,
    /// Longest text, in bytes.
    pub text_max_bytes: u64,
    /// Texts that are not valid UTF-8.
    pub text_invalid_utf8: u64,
    /// Texts containing a NUL byte (PostgreSQL text cannot hold one).
    pub text_nul: u64,
    /// Texts that are a JSON object or array.
    pub text_json: u64,
    /// Texts that are any JSON value (object, array, string, number, true, false, null).
    pub text_json_any: u64,
    /// Texts that spell a boolean: `0`, `1`, `true`, `false`, `t`, `f`, `yes`, `no` (any case).
    pub text_bool: u64,
    /// Texts that are a UUID.
    pub text_uuid: u64,
    /// Texts of exactly 32 hex digits: a UUID as Django's UUIDField and SQLAlchemy's Uuid store
    /// it on SQLite (`char(32)`), or as readily an MD5 digest; only a framework's DDL tells.
    pub text_uuid_hex: u64,
    /// Texts that are an IPv4 or IPv6 address (no prefix).
    pub text_ip: u64,
    /// Texts that are a decimal number.
    pub text_numeric: u64,
    /// Texts that are an integer.
    pub text_integer: u64,
    /// ISO-8601 shapes among the texts.
    pub dates: DateShapes,
    /// Largest blob, in bytes.
    pub blob_max_bytes: u64,
    /// The first value seen of each storage class, shortened for display.
    pub examples: Examples,
}

/// First value seen per storage class.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Examples {
    /// An integer.
    pub integer: Option<String>,
    /// A real.
    pub real: Option<String>,
    /// A text.
    pub text: Option<String>,
    /// A blob (as hex, shortened).
    pub blob: Option<String>,
}

impl ColumnProfile {
    /// Non-null values.
    pub fn non_null(&self) -> u64 {
        self.integers + self.reals + self.texts + self.blobs
    }
    /// Every non-null value is an integer 0 or 1 (and there is at least one).
    pub fn all_01_integers(&self) -> bool {
        self.integers > 0 && self.ints_not_01 == 0 && self.non_null() == self.integers
    }
    /// Every non-null value is a JSON object/array text (and there is at least one).
    pub fn all_json(&self) -> bool {
        self.texts > 0 && self.non_null() == self.texts && self.text_json == self.texts
    }
    /// Every non-null value is a UUID text, dashed or 32 hex digits (and there is at least one).
    pub fn all_uuid_any_form(&self) -> bool {
        self.texts > 0 && self.non_null() == self.texts && self.text_uuid + self.text_uuid_hex == self.texts
    }
    /// Every non-null value is a UUID text (and there is at least one).
    pub fn all_uuid(&self) -> bool {
        self.texts > 0 && self.non_null() == self.texts && self.text_uuid == self.texts
    }
    /// Every non-null value is an ISO-8601 text (and there is at least one).
    pub fn all_iso_text(&self) -> bool {
        self.texts > 0 && self.non_null() == self.texts && self.dates.total() == self.texts
    }
    /// Integers all fall in one epoch unit: which.
    pub fn epoch_unit(&self) -> Option<EpochUnit> {
        let n = self.integers;
        if n == 0 {
            return None;
        }
        if self.epoch.seconds == n {
            Some(EpochUnit::Seconds)
        } else if self.epoch.millis == n {
            Some(EpochUnit::Milliseconds)
        } else if self.epoch.micros == n {
            Some(EpochUnit::Microseconds)
        } else {
            None
        }
    }
}

/// Runs of consecutive rowids a provisional profile reads (see
/// [`SourceDb::provisional_profile`]).
pub const SAMPLE_BLOCKS: u64 = 64;

/// Tables spanning fewer rowids than this are profiled in one piece.
const SPLIT_ROWIDS: i64 = 1 << 16;

/// Whether a column named like the rowid hides it from `rowid` in SQL.
fn hides_rowid(table: &SourceTable) -> bool {
    table.columns.iter().any(|c| ["rowid", "_rowid_", "oid"].iter().any(|r| c.name.eq_ignore_ascii_case(r)))
}

/// A table to profile, and whether its rows may be read in rowid ranges by several
/// connections (an ordinary rowid table, not a virtual one).
#[derive(Debug, Clone, Copy)]
pub struct ProfileJob<'a> {
    /// The table.
    pub table: &'a SourceTable,
    /// Whether rowid ranges may be read apart.
    pub splittable: bool,
}

impl SourceDb {
    /// Profile every table, in order, with up to `workers` connections (0: one per core).
    ///
    /// Exact profiles are split into tasks, whole small tables and rowid ranges of large ones,
    /// that worker threads take in turn, each on a read-only connection of its own; the
    /// pieces of a table are merged in rowid order, so the profile equals one pass's, examples
    /// included. Sampling, and a single worker, read through this connection only.
    ///
    /// Each connection reads its own snapshot. While this connection's read transaction lasts,
    /// a rollback-journal database cannot change, so they all agree; in WAL mode a writer can
    /// commit between them, and a table may then be profiled in a later state than
    /// `sqlite_master` was read in. Profiles only inform decisions: `copy` and `verify` each
    /// read every row from one snapshot of their own, and values a decision does not fit are
    /// rejected and reported, never lost.
    pub fn profile_all(&self, jobs: &[ProfileJob<'_>], sample: Option<u64>, workers: usize) -> Result<Vec<TableProfile>> {
        let workers = if workers == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { workers };
        if workers <= 1 || sample.is_some_and(|n| n > 0) {
            return jobs.iter().map(|j| self.profile(j.table, sample)).collect();
        }
        // Tasks in table order, then rowid order: the order pieces are merged in.
        let mut tasks: Vec<(usize, Option<(i64, i64)>)> = Vec::new();
        for (i, job) in jobs.iter().enumerate() {
            let ranges = if job.splittable { self.rowid_ranges(job.table, workers)? } else { Vec::new() };
            if ranges.is_empty() {
                tasks.push((i, None));
            } else {
                tasks.extend(ranges.into_iter().map(|r| (i, Some(r))));
            }
        }
        let (path, open_options) = (self.path(), self.open_options());
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Result<TableProfile>>>> = Mutex::new((0..tasks.len()).map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..workers.min(tasks.len()) {
                scope.spawn(|| {
                    // A worker that cannot open a connection takes no task; whatever no worker
                    // read is read below through this connection.
                    let Ok(db) = SourceDb::open(path, &open_options) else { return };
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(i, range)) = tasks.get(n) else { break };
                        let piece = db.profile_piece(jobs[i].table, range);
                        if let Ok(mut r) = results.lock() {
                            r[n] = Some(piece);
                        }
                    }
                });
            }
        });
        let results = results.into_inner().unwrap_or_else(PoisonError::into_inner);
        let mut profiles: Vec<Option<TableProfile>> = (0..jobs.len()).map(|_| None).collect();
        for (&(i, range), piece) in tasks.iter().zip(results) {
            let piece = match piece {
                Some(p) => p?,
                None => self.profile_piece(jobs[i].table, range)?,
            };
            match &mut profiles[i] {
                Some(done) => done.absorb(piece),
                slot => *slot = Some(piece),
            }
        }
        profiles.into_iter().zip(jobs).map(|(p, j)| p.map_or_else(|| self.profile(j.table, None), Ok)).collect()
    }

    /// Up to `2 * workers` rowid ranges covering the table, or none when it is small, has no
    /// rowid, or a column named like the rowid hides it.
    fn rowid_ranges(&self, table: &SourceTable, workers: usize) -> Result<Vec<(i64, i64)>> {
        if table.without_rowid || hides_rowid(table) || table.columns.is_empty() {
            return Ok(Vec::new());
        }
        let Some((lo, hi)) = self.rowid_bounds(&table.name)? else { return Ok(Vec::new()) };
        let span = i128::from(hi) - i128::from(lo) + 1;
        let pieces = (span / i128::from(SPLIT_ROWIDS)).clamp(1, 2 * workers as i128);
        if pieces < 2 {
            return Ok(Vec::new());
        }
        let step = (span + pieces - 1) / pieces;
        let mut ranges = Vec::new();
        let mut start = i128::from(lo);
        while start <= i128::from(hi) {
            let end = (start + step - 1).min(i128::from(hi));
            // Both ends lie within [lo, hi], so they fit in an i64.
            ranges.push((start as i64, end as i64));
            start = end + 1;
        }
        Ok(ranges)
    }

    /// The smallest and largest rowid of a rowid table; `None` when it is empty.
    pub fn rowid_bounds(&self, table: &str) -> Result<Option<(i64, i64)>> {
        // Two queries: SQLite answers a lone min() or max() of the rowid from one end of the
        // b-tree, but scans the whole table for both in one query.
        let context = format!("reading the rowids of table \"{table}\"");
        let end = |f: &str| -> Result<Option<i64>> {
            let sql = format!("SELECT {f}(rowid) FROM {}", crate::ident::quoted(table));
            self.conn().query_row(&sql, [], |r| r.get(0)).map_err(|e| self.error(&context, e))
        };
        Ok(end("min")?.zip(end("max")?))
    }

    /// A provisional profile of a large ordinary rowid table: about `rows` rows, read as
    /// [`SAMPLE_BLOCKS`] runs of consecutive rowids spread evenly over the table, each a seek
    /// into the rowid b-tree (a `rowid % k` sample decodes every row of the table: 0.28 s on
    /// the 3.6M-row benchmark; here only the row count walks a whole b-tree, SQLite's
    /// smallest, and the sample decodes 65,536 rows). `None` when the table is not one a copy
    /// reads whole in one pass in rowid order (see [`hides_rowid`]), or has no more than
    /// `rows` rows (then an exact pass costs as much), or more than `largest`.
    pub fn provisional_profile(&self, table: &SourceTable, rows: u64, largest: u64) -> Result<Option<TableProfile>> {
        if table.without_rowid || hides_rowid(table) || table.columns.is_empty() || rows == 0 {
            return Ok(None);
        }
        let Some((lo, hi)) = self.rowid_bounds(&table.name)? else { return Ok(None) };
        let span = i128::from(hi) - i128::from(lo) + 1;
        // A span this short holds no more rows than an exact pass would read anyway.
        if span <= i128::from(rows) {
            return Ok(None);
        }
        let quoted = crate::ident::quoted(&table.name);
        let context = format!("profiling table \"{}\"", table.name);
        let count: u64 = self
            .conn()
            .query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error(&context, e))?;
        if count <= rows || count > largest {
            return Ok(None);
        }
        let columns: Vec<String> = table.columns.iter().map(|c| crate::ident::quoted(&c.name)).collect();
        let mut profile = TableProfile::empty(&table.name, table.columns.iter().map(|c| c.name.as_str()));
        let sql = format!("SELECT {} FROM {quoted} WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid LIMIT ?3", columns.join(", "));
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.error(&context, e))?;
        let blocks = SAMPLE_BLOCKS as i128;
        let per_block = rows.div_ceil(SAMPLE_BLOCKS) as i64;
        let mut read = 0u64;
        for b in 0..blocks {
            // Block b covers rowids [lo + span*b/blocks, lo + span*(b+1)/blocks): disjoint, so
            // no row is read twice, each start within [lo, hi] (an i64).
            let from = (i128::from(lo) + span * b / blocks) as i64;
            let to = (i128::from(lo) + span * (b + 1) / blocks - 1) as i64;
            let mut cursor = stmt.query(rusqlite::params![from, to, per_block]).map_err(|e| self.error(&context, e))?;
            while let Some(row) = cursor.next().map_err(|e| self.error(&context, e))? {
                read += 1;
                for (i, column) in profile.columns.iter_mut().enumerate() {
                    column.observe(row.get_ref(i).map_err(|e| self.error(&context, e))?);
                }
            }
        }
        profile.rows = count;
        profile.sampled_rows = Some(read);
        Ok(Some(profile))
    }

    /// Profile `table`: every row, or about `sample` rows spread evenly over the table.
    pub fn profile(&self, table: &SourceTable, sample: Option<u64>) -> Result<TableProfile> {
        self.read_profile(table, sample, None)
    }

    /// Profile the rows of `table` whose rowid lies in `range` (every row when `None`).
    fn profile_piece(&self, table: &SourceTable, range: Option<(i64, i64)>) -> Result<TableProfile> {
        self.read_profile(table, None, range)
    }

    fn read_profile(&self, table: &SourceTable, sample: Option<u64>, range: Option<(i64, i64)>) -> Result<TableProfile> {
        let quoted = crate::ident::quoted(&table.name);
        let context = format!("profiling table \"{}\"", table.name);
        // An exact pass counts the rows as it reads them; only sampling needs the count first.
        let count = || -> Result<u64> {
            self.conn()
                .query_row(&format!("SELECT count(*) FROM {quoted}"), [], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
                .map_err(|e| self.error(&context, e))
        };
        let columns: Vec<String> = table.columns.iter().map(|c| crate::ident::quoted(&c.name)).collect();
        let mut profiles: Vec<ColumnProfile> = table.columns.iter().map(|c| ColumnProfile { name: c.name.clone(), ..Default::default() }).collect();
        if columns.is_empty() {
            return Ok(TableProfile { table: table.name.clone(), rows: count()?, sampled_rows: None, columns: profiles });
        }
        let select = format!("SELECT {} FROM {quoted}", columns.join(", "));
        let total = match sample {
            Some(n) if n > 0 => Some(count()?).filter(|&rows| rows > n),
            _ => None,
        };
        let sql = match (total, sample) {
            (Some(rows), Some(n)) if !table.without_rowid => {
                // Every k-th rowid: deterministic, and spread over the whole table.
                format!("{select} WHERE rowid % {} = 0", rows.div_ceil(n))
            }
            (Some(_), Some(n)) => format!("{select} LIMIT {n}"),
            _ => match range {
                Some((lo, hi)) => format!("{select} WHERE rowid BETWEEN {lo} AND {hi}"),
                // In rowid order, as the pieces of a parallel pass are merged: SQLite could
                // otherwise walk a covering index, and the first example would depend on it.
                None if !table.without_rowid && !hides_rowid(table) => format!("{select} ORDER BY rowid"),
                None => select,
            },
        };
        let mut stmt = self.conn().prepare(&sql).map_err(|e| self.error(&context, e))?;
        let mut cursor = stmt.query([]).map_err(|e| self.error(&context, e))?;
        let mut read = 0u64;
        while let Some(row) = cursor.next().map_err(|e| self.error(&context, e))? {
            read += 1;
            for (i, profile) in profiles.iter_mut().enumerate() {
                let value = row.get_ref(i).map_err(|e| self.error(&context, e))?;
                profile.observe(value);
            }
        }
        let (rows, sampled_rows) = match total {
            Some(rows) => (rows, Some(read)),
            None => (read, None),
        };
        Ok(TableProfile { table: table.name.clone(), rows, sampled_rows, columns: profiles })
    }
}

impl TableProfile {
    /// The profile of no rows yet: a column profile per name, in order. Values are added
    /// with [`ColumnProfile::observe`], in rowid order, as an exact pass reads them.
    pub fn empty<'a>(table: &str, columns: impl IntoIterator<Item = &'a str>) -> TableProfile {
        TableProfile {
            table: table.to_string(),
            rows: 0,
            sampled_rows: None,
            columns: columns.into_iter().map(|name| ColumnProfile { name: name.to_string(), ..Default::default() }).collect(),
        }
    }

    /// Add the profile of the rows that follow (a later rowid range of the same exact pass).
    fn absorb(&mut self, later: TableProfile) {
        self.rows += later.rows;
        for (mine, theirs) in self.columns.iter_mut().zip(later.columns) {
            mine.absorb(theirs);
        }
    }
}

/// The smaller (or larger) of two optional values.
fn pick<T: PartialOrd + Copy>(a: Option<T>, b: Option<T>, smaller: bool) -> Option<T> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if (y < x) == smaller { y } else { x }),
        (x, None) => x,
        (None, y) => y,
    }
}

impl ColumnProfile {
    /// Add the statistics of the values that follow. Every field is named, so a field added to
    /// the profile cannot be forgotten here.
    fn absorb(&mut self, later: ColumnProfile) {
        let ColumnProfile {
            name: _,
            nulls,
            integers,
            reals,
            texts,
            blobs,
            int_min,
            int_max,
            ints_not_01,
            ints_beyond_2_53,
            epoch: EpochMagnitudes { seconds, millis, micros },
            real_min,
            real_max,
            reals_infinite,
            reals_fractional,
            max_int_digits,
            max_frac_digits,
            text_max_chars,
            text_max_bytes,
            text_invalid_utf8,
            text_nul,
            text_json,
            text_json_any,
            text_bool,
            text_uuid,
            text_uuid_hex,
            text_ip,
            text_numeric,
            text_integer,
            dates: DateShapes { date, datetime, datetime_zone, time, sub_microsecond },
            blob_max_bytes,
            examples: Examples { integer, real, text, blob },
        } = later;
        self.nulls += nulls;
        self.integers += integers;
        self.reals += reals;
        self.texts += texts;
        self.blobs += blobs;
        self.int_min = pick(self.int_min, int_min, true);
        self.int_max = pick(self.int_max, int_max, false);
        self.ints_not_01 += ints_not_01;
        self.ints_beyond_2_53 += ints_beyond_2_53;
        self.epoch.seconds += seconds;
        self.epoch.millis += millis;
        self.epoch.micros += micros;
        self.real_min = pick(self.real_min, real_min, true);
        self.real_max = pick(self.real_max, real_max, false);
        self.reals_infinite += reals_infinite;
        self.reals_fractional += reals_fractional;
        self.max_int_digits = self.max_int_digits.max(max_int_digits);
        self.max_frac_digits = self.max_frac_digits.max(max_frac_digits);
        self.text_max_chars = self.text_max_chars.max(text_max_chars);
        self.text_max_bytes = self.text_max_bytes.max(text_max_bytes);
        self.text_invalid_utf8 += text_invalid_utf8;
        self.text_nul += text_nul;
        self.text_json += text_json;
        self.text_json_any += text_json_any;
        self.text_bool += text_bool;
        self.text_uuid += text_uuid;
        self.text_uuid_hex += text_uuid_hex;
        self.text_ip += text_ip;
        self.text_numeric += text_numeric;
        self.text_integer += text_integer;
        self.dates.date += date;
        self.dates.datetime += datetime;
        self.dates.datetime_zone += datetime_zone;
        self.dates.time += time;
        self.dates.sub_microsecond += sub_microsecond;
        self.blob_max_bytes = self.blob_max_bytes.max(blob_max_bytes);
        // The first example seen in rowid order: this piece's, else the later one's.
        self.examples.integer = self.examples.integer.take().or(integer);
        self.examples.real = self.examples.real.take().or(real);
        self.examples.text = self.examples.text.take().or(text);
        self.examples.blob = self.examples.blob.take().or(blob);
    }

    /// Account for one stored value.
    pub fn observe(&mut self, value: ValueRef<'_>) {
        match value {
            ValueRef::Null => self.nulls += 1,
            ValueRef::Integer(v) => self.observe_integer(v),
            ValueRef::Real(v) => self.observe_real(v),
            ValueRef::Text(bytes) => self.observe_text(bytes),
            ValueRef::Blob(bytes) => {
                self.blobs += 1;
                self.blob_max_bytes = self.blob_max_bytes.max(bytes.len() as u64);
                if self.examples.blob.is_none() {
                    let hex: String = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
                    self.examples.blob = Some(format!("x'{hex}{}'", if bytes.len() > 16 { "…" } else { "" }));
                }
            }
        }
    }

    fn observe_integer(&mut self, v: i64) {
        self.integers += 1;
        self.int_min = Some(self.int_min.map_or(v, |m| m.min(v)));
        self.int_max = Some(self.int_max.map_or(v, |m| m.max(v)));
        if v != 0 && v != 1 {
            self.ints_not_01 += 1;
        }
        let magnitude = v.unsigned_abs();
        if magnitude > (1u64 << 53) {
            self.ints_beyond_2_53 += 1;
        }
        match magnitude {
            100_000_000..=99_999_999_999 => self.epoch.seconds += 1,
            100_000_000_000..=99_999_999_999_999 => self.epoch.millis += 1,
            100_000_000_000_000..=99_999_999_999_999_999 => self.epoch.micros += 1,
            _ => {}
        }
        self.max_int_digits = self.max_int_digits.max(digits(magnitude));
        if self.examples.integer.is_none() {
            self.examples.integer = Some(v.to_string());
        }
    }

    fn observe_real(&mut self, v: f64) {
        self.reals += 1;
        if v.is_infinite() {
            self.reals_infinite += 1;
        } else if v.is_finite() {
            self.real_min = Some(self.real_min.map_or(v, |m| m.min(v)));
            self.real_max = Some(self.real_max.map_or(v, |m| m.max(v)));
            if v.fract() != 0.0 {
                self.reals_fractional += 1;
            }
            // The shortest text that reads back to the same double holds exactly the digits a
            // numeric column must hold. zmij writes it (on the stack, in scientific notation
            // for large and small magnitudes) several times faster than `Display`: one per
            // stored real.
            self.note_decimal_digits(zmij::Buffer::new().format_finite(v.abs()));
        }
        if self.examples.real.is_none() {
            self.examples.real = Some(format!("{v:?}"));
        }
    }

    fn observe_text(&mut self, bytes: &[u8]) {
        self.texts += 1;
        self.text_max_bytes = self.text_max_bytes.max(bytes.len() as u64);
        // SIMD search: this runs over every byte of every text profiled.
        if memchr::memchr(0, bytes).is_some() {
            self.text_nul += 1;
        }
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.text_invalid_utf8 += 1;
            self.text_max_chars = self.text_max_chars.max(String::from_utf8_lossy(bytes).chars().count() as u64);
            if self.examples.text.is_none() {
                self.examples.text = Some(shorten(&String::from_utf8_lossy(bytes)));
            }
            return;
        };
        // A text has at most as many characters as bytes: only one longer than the longest so
        // far in bytes can be longer in characters.
        if bytes.len() as u64 > self.text_max_chars {
            self.text_max_chars = self.text_max_chars.max(text.chars().count() as u64);
        }
        if self.examples.text.is_none() {
            self.examples.text = Some(shorten(text));
        }
        // Most texts neither start nor end with whitespace, and `trim` walks characters.
        let trimmed = match (bytes.first(), bytes.last()) {
            (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
            _ => text.trim(),
        };
        // The copy's check, on the text as stored: what counts here as JSON loads as jsonb.
        match crate::json::jsonb_shape(text) {
            Ok(crate::json::JsonShape::Container) => {
                self.text_json_any += 1;
                self.text_json += 1;
            }
            Ok(crate::json::JsonShape::Scalar) => self.text_json_any += 1,
            Err(_) => {}
        }
        if is_bool_text(trimmed) {
            self.text_bool += 1;
        }
        if is_uuid(text) {
            self.text_uuid += 1;
        } else if bytes.len() == 32 && bytes.iter().all(u8::is_ascii_hexdigit) {
            self.text_uuid_hex += 1;
        }
        // Only texts made of an address's characters are parsed.
        if (2..=45).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':')) && text.parse::<std::net::IpAddr>().is_ok() {
            self.text_ip += 1;
        }
        if let Some(shape) = iso_shape(text) {
            match shape {
                IsoShape::Date => self.dates.date += 1,
                IsoShape::DateTime { zone: false, .. } => self.dates.datetime += 1,
                IsoShape::DateTime { zone: true, .. } => self.dates.datetime_zone += 1,
                IsoShape::Time { .. } => self.dates.time += 1,
            }
            if matches!(shape, IsoShape::DateTime { frac_digits, .. } | IsoShape::Time { frac_digits } if frac_digits > 6) {
                self.dates.sub_microsecond += 1;
            }
        }
        if is_decimal(text) {
            self.text_numeric += 1;
            let digits = text.trim_start_matches(['+', '-']);
            if !digits.contains('.') {
                self.text_integer += 1;
            }
            self.note_decimal_digits(digits);
        }
    }

    /// Widen the digit ranges to hold a non-negative number written out (see
    /// [`shortest_decimal_digits`]).
    fn note_decimal_digits(&mut self, unsigned: &str) {
        let (int_digits, frac_digits) = shortest_decimal_digits(unsigned);
        self.max_int_digits = self.max_int_digits.max(int_digits);
        self.max_frac_digits = self.max_frac_digits.max(frac_digits);
    }
}

/// Digits left and right of the decimal point, leading and trailing zeros not counted, of a
/// non-negative number written as digits with an optional `.` and an optional exponent
/// (`e` followed by a signed integer), as zmij writes doubles: `0.25`, `1e16`, `1.5e-7`.
fn shortest_decimal_digits(text: &str) -> (u32, u32) {
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    // The digits in a row, and the point after the first `point` of them.
    let all = || int_part.bytes().chain(frac_part.bytes());
    let total = int_part.len() + frac_part.len();
    let leading = all().take_while(|&c| c == b'0').count();
    if leading == total {
        return (0, 0);
    }
    let trailing = all().rev().take_while(|&c| c == b'0').count();
    let significant = (total - leading - trailing) as i64;
    let point = int_part.len() as i64 + exponent - leading as i64;
    let clamp = |n: i64| n.clamp(0, i64::from(u32::MAX)) as u32;
    (clamp(point), clamp(significant - point))
}

fn digits(mut v: u64) -> u32 {
    let mut n = 0;
    while v > 0 {
        n += 1;
        v /= 10;
    }
    n
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= EXAMPLE_CHARS {
        text.to_string()
    } else {
        let cut: String = text.chars().take(EXAMPLE_CHARS).collect();
        format!("{cut}…")
    }
}

/// `0`, `1`, `true`, `false`, `t`, `f`, `yes`, `no`, `y`, `n`, any case.
pub fn is_bool_text(text: &str) -> bool {
    parse_bool_text(text).is_some()
}

/// The ISO-8601 shape of a text value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsoShape {
    /// `YYYY-MM-DD`
    Date,
    /// Date and time, `T` or space separated.
    DateTime {
        /// Carries `Z` or an offset.
        zone: bool,
        /// Digits after the seconds' decimal point.
        frac_digits: usize,
    },
    /// Time of day.
    Time {
        /// Digits after the seconds' decimal point.
        frac_digits: usize,
    },
}

/// Classify `text` as an ISO-8601 date, date-time or time, checking that the fields are a real
/// calendar date and clock time (PostgreSQL rejects `2021-02-30`).
pub fn iso_shape(text: &str) -> Option<IsoShape> {
    let b = text.as_bytes();
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let year = num(&b[0..4])?;
        let month = num(&b[5..7])?;
        let day = num(&b[8..10])?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if b.len() == 10 {
            return Some(IsoShape::Date);
        }
        if b[10] != b' ' && b[10] != b'T' {
            return None;
        }
        let (frac_digits, zone) = parse_time(&b[11..], true)?;
        return Some(IsoShape::DateTime { zone, frac_digits });
    }
    let (frac_digits, zone) = parse_time(b, false)?;
    (!zone).then_some(IsoShape::Time { frac_digits })
}

/// `HH:MM[:SS[.f+]][zone]`: (fraction digits, has zone).
fn parse_time(b: &[u8], allow_zone: bool) -> Option<(usize, bool)> {
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let hour = num(&b[0..2])?;
    let minute = num(&b[3..5])?;
    if hour > 23 || minute > 59 {
        return None;
    }
    let mut i = 5;
    let mut frac = 0;
    if b.len() >= 8 && b[5] == b':' {
        let second = num(&b[6..8])?;
        if second > 60 {
            return None;
        }
        i = 8;
        if b.len() > 8 && b[8] == b'.' {
            let digits = b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            frac = digits;
            i = 9 + digits;
        }
    }
    let rest = &b[i..];
    if rest.is_empty() {
        return Some((frac, false));
    }
    if !allow_zone {
        return None;
    }
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let zone_ok = match rest {
        b"Z" | b"z" => true,
        [sign, h1, h2] if (*sign == b'+' || *sign == b'-') => h1.is_ascii_digit() && h2.is_ascii_digit(),
        [sign, h1, h2, b':', m1, m2] | [sign, h1, h2, m1, m2] if (*sign == b'+' || *sign == b'-') => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    };
    zone_ok.then_some((frac, true))
}

/// A field of ASCII digits (at most 9: no overflow) as a number; `None` when empty or not all
/// digits. Folded by hand: it runs for every field of every date-like text profiled.
fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    b.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_shapes() {
        assert_eq!(iso_shape("2021-01-03"), Some(IsoShape::Date));
        assert_eq!(iso_shape("2021-01-03 10:11:12"), Some(IsoShape::DateTime { zone: false, frac_digits: 0 }));
        assert_eq!(iso_shape("2021-01-03T10:11:12.123Z"), Some(IsoShape::DateTime { zone: true, frac_digits: 3 }));
        assert_eq!(iso_shape("2021-01-03 10:11+02:00"), Some(IsoShape::DateTime { zone: true, frac_digits: 0 }));
        assert_eq!(iso_shape("10:11:12"), Some(IsoShape::Time { frac_digits: 0 }));
        for bad in ["2021-02-30", "2021-13-01", "2021-01-03 25:00:00", "hello", "2021-01-03x", "10:61", "2021/01/03"] {
            assert_eq!(iso_shape(bad), None, "{bad}");
        }
        assert_eq!(iso_shape("2024-02-29"), Some(IsoShape::Date));
        assert_eq!(iso_shape("2023-02-29"), None);
    }

    #[test]
    fn small_classifiers() {
        assert!(is_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567-e89b-12d3-a456-42661417400"));
        assert!(is_decimal("-12.50") && is_decimal("7") && is_decimal(".5"));
        assert!(!is_decimal("1e5") && !is_decimal("") && !is_decimal("-") && !is_decimal("1.2.3") && !is_decimal("."));
        assert_eq!(parse_bool_text("TRUE"), Some(true));
        assert_eq!(parse_bool_text("2"), None);
    }

    #[test]
    fn decimal_digits_of_reals_use_the_shortest_exact_form() {
        let mut p = ColumnProfile::default();
        p.observe(ValueRef::Real(0.99));
        p.observe(ValueRef::Real(1234.5));
        p.observe(ValueRef::Integer(-42));
        assert_eq!((p.max_int_digits, p.max_frac_digits), (4, 2));
        // The longest Display forms of a double.
        let mut extremes = ColumnProfile::default();
        extremes.observe(ValueRef::Real(-f64::MAX));
        extremes.observe(ValueRef::Real(5e-324));
        assert_eq!((extremes.max_int_digits, extremes.max_frac_digits), (309, 324));
        // The digits of zmij's shortest form are those of `Display`'s, whatever the magnitude.
        let display_digits = |v: f64| {
            let text = format!("{}", v.abs());
            let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
            (int_part.trim_start_matches('0').len() as u32, frac_part.trim_end_matches('0').len() as u32)
        };
        let mut bits = 0x9e37_79b9_7f4a_7c15u64;
        let mut checked = 0;
        while checked < 20_000 {
            // xorshift64: doubles of every exponent, spread over the bit patterns.
            bits ^= bits << 13;
            bits ^= bits >> 7;
            bits ^= bits << 17;
            let v = f64::from_bits(bits);
            if v.is_finite() {
                assert_eq!(shortest_decimal_digits(zmij::Buffer::new().format_finite(v.abs())), display_digits(v), "{v:e}");
                checked += 1;
            }
        }
        for v in [0.0, 1.0, 100.0, 0.25, 1e16, 1.5e-7, 123456789.125, 1e-5, 9.999e15, f64::MIN_POSITIVE] {
            assert_eq!(shortest_decimal_digits(zmij::Buffer::new().format_finite(v)), display_digits(v), "{v:e}");
        }
        // Character counts: a longer text in bytes may hold fewer characters.
        let mut texts = ColumnProfile::default();
        texts.observe(ValueRef::Text("\u{e9}\u{e9}\u{e9}".as_bytes()));
        texts.observe(ValueRef::Text(b"abcd"));
        texts.observe(ValueRef::Text(b"ab"));
        assert_eq!((texts.text_max_chars, texts.text_max_bytes), (4, 6));
    }
}

//! The reader: one thread per SQLite file, one read transaction (one snapshot) for every table
//! of the file, up to `jobs` tables interleaved, values converted and encoded as COPY text.

use std::path::PathBuf;

use rusqlite::types::ValueRef;
use serde::Serialize;
use sqlite2pg_converter::introspect::{OpenOptions, SourceDb};
use sqlite2pg_converter::profile::TableProfile;
use sqlite2pg_value::{Conversion, PgValue, Refusal, TargetType};
use tokio::sync::mpsc::{self, error::TrySendError};

use crate::encode::{BINARY_HEADER, BINARY_TRAILER, Format, push_tuple_start};
use crate::load::BadValuePolicy;

/// How to read one column: its SQLite name, and how its values become the target column's.
#[derive(Debug, Clone)]
pub(crate) struct ColumnSpec {
    pub source_name: String,
    pub conversion: Conversion,
    pub nullable: bool,
}

/// How to read one table.
#[derive(Debug, Clone)]
pub(crate) struct TableSpec {
    pub schema: String,
    pub table: String,
    pub source_table: String,
    /// Read in rowid order and resumable from a rowid.
    pub rowid: bool,
    /// Resume after this rowid.
    pub after_rowid: Option<i64>,
    /// Read only this rowid range (one part of a split table), inclusive.
    pub rowids: Option<(i64, i64)>,
    pub columns: Vec<ColumnSpec>,
    /// Indexes into `columns` of the primary key (for naming rejected rows).
    pub key: Vec<usize>,
    /// How the chunks are encoded.
    pub format: Format,
    /// The byte limit of this part's chunks (at most the file's `ChunkLimits::bytes`, which
    /// sizes the reused buffers).
    pub chunk_bytes: usize,
    /// Profile these SQLite columns of every row read, in this order (a whole table read in
    /// one part, whose plan came from a sample: see `plan_and_copy`).
    pub profile: Option<Vec<String>>,
}

/// A table's exact profile, built as its rows are read: the profile's column `i` is the
/// statement's column `at[i]`.
struct Profiling {
    profile: TableProfile,
    at: Vec<usize>,
}

impl Profiling {
    fn observe(&mut self, row: &rusqlite::Row<'_>) -> rusqlite::Result<()> {
        self.profile.rows += 1;
        for (column, &i) in self.profile.columns.iter_mut().zip(&self.at) {
            column.observe(row.get_ref(i)?);
        }
        Ok(())
    }
}

/// What a file's reader read: per table of `count_tables`, its rows in the snapshot; per
/// table spec, the exact profile it was asked for.
pub(crate) struct ReadOutcome {
    pub counts: Vec<u64>,
    pub profiles: Vec<Option<TableProfile>>,
}

/// A value that could not go across as it was.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Reject {
    pub schema: String,
    pub table: String,
    pub key: serde_json::Map<String, serde_json::Value>,
    pub column: String,
    pub value: String,
    /// The stored text's exact bytes, as hex, when they are not UTF-8 (`value` then shows them
    /// with U+FFFD, which loses them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_bytes: Option<String>,
    pub reason: String,
    /// `rejected` (the row was not copied), `coerced to NULL`, or `lossy UTF-8`.
    pub action: &'static str,
}

/// Encoded rows of one table, ready for one COPY.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub data: Vec<u8>,
    pub rows: u64,
    pub rejected_rows: u64,
    pub rejects: Vec<Reject>,
    pub last_rowid: Option<i64>,
    /// The part is read to its end: the writer may mark it done. A channel closed without this
    /// means the reader stopped early.
    pub end: bool,
}

/// Chunk buffers the writers hand back once sent, for the reader to fill again: a buffer is
/// allocated once per chunk in flight instead of once per chunk (up to 4 MB, each page faulted in and
/// zeroed anew), and memory stays at the chunks in flight whichever allocator runs. The free
/// list never holds more buffers than were in flight at once.
#[derive(Debug)]
pub(crate) struct Buffers {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
    /// Buffers grown past this (by one huge row) are freed rather than kept.
    largest_kept: usize,
}

impl Buffers {
    /// A free list for chunks of up to `limits.bytes`.
    pub(crate) fn new(limits: ChunkLimits) -> Self {
        Buffers { free: std::sync::Mutex::new(Vec::new()), largest_kept: 2 * limits.bytes + (64 << 10) }
    }

    /// An empty buffer of at least `capacity` bytes.
    fn take(&self, capacity: usize) -> Vec<u8> {
        let reused = self.free.lock().ok().and_then(|mut free| free.pop());
        match reused {
            Some(mut buffer) => {
                buffer.reserve(capacity);
                buffer
            }
            None => Vec::with_capacity(capacity),
        }
    }

    /// A sent chunk's buffer, for the next chunk.
    pub(crate) fn give_back(&self, mut buffer: Vec<u8>) {
        if buffer.capacity() > self.largest_kept {
            return;
        }
        buffer.clear();
        if let Ok(mut free) = self.free.lock() {
            free.push(buffer);
        }
    }
}

/// Chunk limits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkLimits {
    pub rows: usize,
    pub bytes: usize,
}

/// Read every table of one file into its channel. Returns the row count, in the snapshot read,
/// of each table named in `count_tables` (all the file's tables, copied now or earlier).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_file(
    path: PathBuf,
    open: OpenOptions,
    count_tables: Vec<String>,
    tables: Vec<TableSpec>,
    senders: Vec<mpsc::Sender<Chunk>>,
    policy: BadValuePolicy,
    jobs: usize,
    limits: ChunkLimits,
    buffers: std::sync::Arc<Buffers>,
) -> Result<ReadOutcome, sqlite2pg_converter::Error> {
    let db = SourceDb::open(&path, &open)?;
    let mut statements = Vec::with_capacity(tables.len());
    let mut profiling: Vec<Option<Profiling>> = Vec::with_capacity(tables.len());
    for t in &tables {
        let mut select: Vec<String> = Vec::new();
        if t.rowid {
            select.push("rowid".into());
        }
        select.extend(t.columns.iter().map(|c| sqlite2pg_converter::ident::quoted(&c.source_name)));
        // Profiled columns are read where the copy reads them already, else added at the end.
        profiling.push(t.profile.as_ref().map(|names| {
            let offset = usize::from(t.rowid);
            let at = names
                .iter()
                .map(|name| match t.columns.iter().position(|c| &c.source_name == name) {
                    Some(i) => i + offset,
                    None => {
                        select.push(sqlite2pg_converter::ident::quoted(name));
                        select.len() - 1
                    }
                })
                .collect();
            Profiling { profile: TableProfile::empty(&t.source_table, names.iter().map(String::as_str)), at }
        }));
        let mut sql = format!("SELECT {} FROM {}", select.join(", "), sqlite2pg_converter::ident::quoted(&t.source_table));
        if t.rowid {
            let mut conditions = Vec::new();
            if let Some(after) = t.after_rowid {
                conditions.push(format!("rowid > {after}"));
            }
            if let Some((from, to)) = t.rowids {
                conditions.push(format!("rowid BETWEEN {from} AND {to}"));
            }
            if !conditions.is_empty() {
                sql.push_str(&format!(" WHERE {}", conditions.join(" AND ")));
            }
            sql.push_str(" ORDER BY rowid");
        }
        statements.push(db.conn().prepare(&sql).map_err(|e| db.error(format!("reading table \"{}\"", t.source_table), e))?);
    }
    let mut slots: Vec<Option<&mut rusqlite::Statement<'_>>> = statements.iter_mut().map(Some).collect();
    let mut senders: Vec<Option<mpsc::Sender<Chunk>>> = senders.into_iter().map(Some).collect();
    let mut next_table = 0;
    // (table index, cursor, a chunk waiting for room in its channel)
    let mut active: Vec<(usize, rusqlite::Rows<'_>, Option<Chunk>)> = Vec::new();
    loop {
        while active.len() < jobs.max(1) && next_table < tables.len() {
            let i = next_table;
            next_table += 1;
            let Some(stmt) = slots[i].take() else { continue };
            let rows = stmt.query([]).map_err(|e| db.error(format!("reading table \"{}\"", tables[i].source_table), e))?;
            active.push((i, rows, None));
        }
        if active.is_empty() {
            break;
        }
        let mut progressed = false;
        let mut finished = Vec::new();
        for (slot, (i, rows, pending)) in active.iter_mut().enumerate() {
            let Some(sender) = senders[*i].as_ref() else {
                finished.push(slot);
                continue;
            };
            if pending.is_none() {
                let mut chunk = read_chunk(&db, &tables[*i], rows, policy, limits, &buffers, profiling[*i].as_mut())?;
                // Nothing more to read: an explicit end, so that a channel closed by a failing
                // reader is never taken for a complete table.
                chunk.end = chunk.rows == 0 && chunk.rejected_rows == 0;
                *pending = Some(chunk);
            }
            if let Some(chunk) = pending.take() {
                let end = chunk.end;
                match sender.try_send(chunk) {
                    Ok(()) => {
                        progressed = true;
                        if end {
                            senders[*i] = None;
                            finished.push(slot);
                        }
                    }
                    Err(TrySendError::Full(chunk)) => *pending = Some(chunk),
                    // The writer stopped (it failed and reports why): stop reading this table.
                    Err(TrySendError::Closed(_)) => {
                        senders[*i] = None;
                        finished.push(slot);
                    }
                }
            }
        }
        for slot in finished.into_iter().rev() {
            drop(active.remove(slot));
        }
        if !progressed {
            // Every active writer is busy: wait for the first one to take its chunk.
            if let Some((i, _, pending)) = active.iter_mut().find(|(_, _, p)| p.is_some())
                && let (Some(chunk), Some(sender)) = (pending.take(), senders[*i].as_ref())
            {
                let end = chunk.end;
                // Sent the end (the slot is dropped on the next pass), or the writer stopped.
                if sender.blocking_send(chunk).is_err() || end {
                    senders[*i] = None;
                }
            }
        }
    }
    // Counted after reading, in the same read transaction (the same snapshot), so that a
    // failure comes where the reading meets it.
    let mut counts = Vec::with_capacity(count_tables.len());
    for t in &count_tables {
        let n: i64 = db
            .conn()
            .query_row(&format!("SELECT count(*) FROM {}", sqlite2pg_converter::ident::quoted(t)), [], |r| r.get(0))
            .map_err(|e| db.error(format!("counting table \"{t}\""), e))?;
        counts.push(n as u64);
    }
    Ok(ReadOutcome { counts, profiles: profiling.into_iter().map(|p| p.map(|p| p.profile)).collect() })
}

fn read_chunk(
    db: &SourceDb,
    t: &TableSpec,
    rows: &mut rusqlite::Rows<'_>,
    policy: BadValuePolicy,
    limits: ChunkLimits,
    buffers: &Buffers,
    mut profiling: Option<&mut Profiling>,
) -> Result<Chunk, sqlite2pg_converter::Error> {
    let context = || format!("reading table \"{}\"", t.source_table);
    // Room for a full chunk and the row that crosses the limit, so the buffer is not regrown
    // (and copied) while it fills.
    let bytes = t.chunk_bytes;
    let mut chunk = Chunk { data: buffers.take(bytes + (64 << 10)), ..Default::default() };
    if t.format == Format::Binary {
        chunk.data.extend_from_slice(BINARY_HEADER);
    }
    let offset = usize::from(t.rowid);
    while chunk.rows + chunk.rejected_rows < limits.rows as u64 && chunk.data.len() < bytes {
        let Some(row) = rows.next().map_err(|e| db.error(context(), e))? else { break };
        if t.rowid {
            chunk.last_rowid = Some(row.get::<_, i64>(0).map_err(|e| db.error(context(), e))?);
        }
        if let Some(p) = profiling.as_deref_mut() {
            p.observe(row).map_err(|e| db.error(context(), e))?;
        }
        // Rows are encoded in place; a rejected row is cut off again.
        let row_start = chunk.data.len();
        let line = &mut chunk.data;
        if t.format == Format::Binary {
            push_tuple_start(line, t.columns.len());
        }
        let mut row_rejected = false;
        let mut notes: Vec<Reject> = Vec::new();
        for (c, spec) in t.columns.iter().enumerate() {
            if c > 0 && t.format == Format::Text {
                line.push(b'\t');
            }
            let value = row.get_ref(c + offset).map_err(|e| db.error(context(), e))?;
            match encode_value(value, spec, policy, t.format, line) {
                Ok(None) => {}
                Ok(Some((reason, action))) => notes.push(reject(t, row, offset, spec, value, &reason.to_string(), action)),
                Err(reason) => {
                    row_rejected = true;
                    notes.push(reject(t, row, offset, spec, value, &reason.to_string(), "rejected"));
                }
            }
        }
        chunk.rejects.extend(notes);
        if row_rejected {
            chunk.data.truncate(row_start);
            chunk.rejected_rows += 1;
        } else {
            if t.format == Format::Text {
                chunk.data.push(b'\n');
            }
            chunk.rows += 1;
        }
    }
    if t.format == Format::Binary {
        if chunk.rows > 0 {
            chunk.data.extend_from_slice(BINARY_TRAILER);
        } else {
            // No row: nothing to COPY (the writer skips empty data).
            chunk.data.clear();
        }
    }
    Ok(chunk)
}

/// Encode one value. `Ok(Some)` when it was coerced (and how), `Err` when its row is rejected.
fn encode_value(value: ValueRef<'_>, spec: &ColumnSpec, policy: BadValuePolicy, format: Format, out: &mut Vec<u8>) -> Result<Option<(Refusal, &'static str)>, Refusal> {
    if matches!(value, ValueRef::Null) && !spec.nullable {
        return Err(Refusal::NullInNotNull);
    }
    let (converted, note) = match spec.conversion.convert(value) {
        Ok(converted) => (converted, None),
        Err(reason) => match (policy, value) {
            (BadValuePolicy::Lossy, ValueRef::Text(bytes)) if spec.conversion.target.is_text() || matches!(spec.conversion.target, TargetType::Jsonb | TargetType::Json) => {
                let lossy = String::from_utf8_lossy(bytes).replace('\0', "");
                match spec.conversion.convert(ValueRef::Text(lossy.as_bytes())) {
                    Ok(converted) => (converted.into_owned(), Some((reason, "lossy UTF-8"))),
                    Err(_) => return Err(reason),
                }
            }
            (BadValuePolicy::Null, _) if spec.nullable => (PgValue::Null, Some((reason, "coerced to NULL"))),
            _ => return Err(reason),
        },
    };
    match format {
        Format::Text => sqlite2pg_value::text::push_copy_text(out, &converted),
        // Tables with a column the binary format cannot carry load in text (`table_format`).
        Format::Binary => sqlite2pg_value::binary::push_field(out, &converted).ok_or_else(|| Refusal::Unsupported(format!("{} in COPY's binary format", spec.conversion.target)))?,
    }
    Ok(note)
}

fn reject(t: &TableSpec, row: &rusqlite::Row<'_>, offset: usize, spec: &ColumnSpec, value: ValueRef<'_>, reason: &str, action: &'static str) -> Reject {
    let mut key = serde_json::Map::new();
    if t.key.is_empty() && t.rowid
        && let Ok(rowid) = row.get::<_, i64>(0) {
            key.insert("rowid".into(), rowid.into());
        }
    for &k in &t.key {
        let v = row.get_ref(k + offset).map(sqlite2pg_converter::values::json_value).unwrap_or(serde_json::Value::Null);
        key.insert(t.columns[k].source_name.clone(), v);
    }
    Reject {
        schema: t.schema.clone(),
        table: t.table.clone(),
        key,
        column: spec.source_name.clone(),
        value: match sqlite2pg_converter::values::json_value(value) {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        },
        value_bytes: match value {
            ValueRef::Text(b) if std::str::from_utf8(b).is_err() => Some(b.iter().map(|x| format!("{x:02x}")).collect()),
            _ => None,
        },
        reason: reason.to_string(),
        action,
    }
}



//! Opening a SQLite file read-only, holding one consistent snapshot for as long as we read.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags};

use crate::error::{Error, Result};

/// The 16 bytes every SQLite database file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How to open a source database.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How long to wait for another process's write lock before giving up.
    pub lock_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { lock_timeout: Duration::from_secs(5) }
    }
}

/// An open, read-only SQLite database inside a read transaction: every read through it sees
/// the same snapshot, however other processes write meanwhile.
pub struct SourceDb {
    conn: Connection,
    path: PathBuf,
    lock_timeout: Duration,
    /// A copy of the file and its WAL, read instead of the file when the file's folder cannot
    /// take the WAL's shared-memory file (kept until the connection closes).
    _scratch: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for SourceDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceDb").field("path", &self.path).finish_non_exhaustive()
    }
}

impl SourceDb {
    /// Open `path` read-only and start the snapshot.
    ///
    /// Never writes: the connection is `SQLITE_OPEN_READ_ONLY`, so SQLite can neither
    /// checkpoint a WAL nor roll back a hot journal on our behalf.
    pub fn open(path: &Path, options: &OpenOptions) -> Result<SourceDb> {
        check_header(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let db = match Self::open_with(path, flags, false, options) {
            Ok(db) => db,
            // A WAL database in a folder we cannot write to has no `-shm` to map. With no
            // `-wal` content there is nothing the shared memory would tell us, so reading the
            // file as immutable is exact.
            Err(Error::Sqlite { source, .. })
                if error_code(&source) == Some(ErrorCode::CannotOpen) && !has_wal_content(path) =>
            {
                Self::open_with(path, flags, true, options)?
            }
            // With WAL content, the shared memory is needed to read it: the file and its WAL
            // are copied into a scratch folder and the copy is read (one snapshot of both, as
            // the copy was taken; the original is never touched).
            Err(Error::Sqlite { source, .. }) if error_code(&source) == Some(ErrorCode::CannotOpen) => {
                let scratch = tempfile::Builder::new().prefix("sqlite2pg-wal-").tempdir().map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
                let name = path.file_name().map_or_else(|| std::ffi::OsString::from("source.db"), std::ffi::OsStr::to_os_string);
                let copy = scratch.path().join(&name);
                std::fs::copy(path, &copy).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
                std::fs::copy(wal_path(path), wal_path(&copy)).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
                tracing::warn!(
                    "{}: a WAL database whose folder cannot hold its shared-memory file (read-only); read from a copy of it and its WAL in {}",
                    path.display(),
                    scratch.path().display()
                );
                let mut db = Self::open_with(&copy, flags, false, options)?;
                db.path = path.to_path_buf();
                db._scratch = Some(scratch);
                db
            }
            Err(e) => return Err(e),
        };
        Ok(db)
    }

    fn open_with(path: &Path, flags: OpenFlags, immutable: bool, options: &OpenOptions) -> Result<SourceDb> {
        let uri = file_uri(path, immutable);
        let conn = Connection::open_with_flags(&uri, flags).map_err(|e| classify(path, "opening the database", e, options.lock_timeout))?;
        let db = SourceDb { conn, path: path.to_path_buf(), lock_timeout: options.lock_timeout, _scratch: None };
        db.conn
            .busy_timeout(options.lock_timeout)
            .map_err(|e| db.error("setting the lock timeout", e))?;
        // Unknown collations (an application's own) must not make reads fail: compare them as
        // BINARY. Which columns use them is reported from the schema.
        db.conn
            .collation_needed(|conn, name| conn.create_collation(name, |a: &str, b: &str| a.cmp(b)))
            .map_err(|e| db.error("registering a fallback collation", e))?;
        db.conn.execute_batch("BEGIN").map_err(|e| db.error("starting a read transaction", e))?;
        // The first read takes the snapshot (and the shared lock) that lasts until we close.
        db.conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))
            .map_err(|e| db.error("reading sqlite_master", e))?;
        Ok(db)
    }

    /// The underlying connection, for readers in this crate and the copy engine.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Rows of `table` whose parent row is missing (SQLite had foreign keys off), over all its
    /// foreign keys, by `pragma_foreign_key_check`.
    pub fn foreign_key_orphans(&self, table: &str) -> Result<u64> {
        let context = format!("checking the foreign keys of table \"{table}\"");
        self.conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check(?1)", [table], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| self.error(&context, e))
    }

    /// Rows of `child` whose `columns` are all non-NULL (SQLite checks no other rows) and match
    /// no row of `parent` on `parent_columns`: what `pragma_foreign_key_check` counts for one
    /// key, compared as SQLite compares a key (the parent column's affinity and collation
    /// decide).
    ///
    /// The pragma walks the child table in rowid order and looks every row's parent up: on a
    /// large child, parent pages are read again and again through the kernel. As a `NOT EXISTS`
    /// query SQLite can walk an index of the child's key columns instead, so the lookups come in
    /// key order and hit the pages the last one read (a third of `inspect`'s time on a 1M-row
    /// child table, before). `scan` says whether each distinct key may be looked up once.
    pub fn orphans(&self, child: &str, columns: &[&str], parent: &str, parent_columns: &[&str], scan: OrphanScan) -> Result<u64> {
        use crate::ident::quoted;
        let present: Vec<String> = columns.iter().map(|c| format!("c.{} IS NOT NULL", quoted(c))).collect();
        // `+x` has no affinity, so the comparison applies the parent column's affinity to the
        // child value, as SQLite's foreign key check does (`p.x = c.x` would apply a numeric
        // child's affinity to the parent instead).
        let sql = match scan {
            OrphanScan::EveryRow => {
                let matched: Vec<String> = columns.iter().zip(parent_columns).map(|(c, p)| format!("p.{} = +c.{}", quoted(p), quoted(c))).collect();
                format!(
                    "SELECT count(*) FROM {} AS c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
                    quoted(child),
                    present.join(" AND "),
                    quoted(parent),
                    matched.join(" AND ")
                )
            }
            OrphanScan::DistinctKeys => {
                let keys: Vec<String> = columns.iter().enumerate().map(|(i, c)| format!("c.{} AS k{i}", quoted(c))).collect();
                let grouped: Vec<String> = columns.iter().map(|c| format!("c.{}", quoted(c))).collect();
                let matched: Vec<String> = parent_columns.iter().enumerate().map(|(i, p)| format!("p.{} = +g.k{i}", quoted(p))).collect();
                format!(
                    "SELECT coalesce(sum(g.n), 0) FROM (SELECT {}, count(*) AS n FROM {} AS c WHERE {} GROUP BY {}) AS g \
                     WHERE NOT EXISTS (SELECT 1 FROM {} AS p WHERE {})",
                    keys.join(", "),
                    quoted(child),
                    present.join(" AND "),
                    grouped.join(", "),
                    quoted(parent),
                    matched.join(" AND ")
                )
            }
        };
        let context = format!("counting rows of table \"{child}\" without a parent in \"{parent}\"");
        self.conn.query_row(&sql, [], |r| r.get::<_, i64>(0)).map(|n| n as u64).map_err(|e| self.error(&context, e))
    }

    /// The options this database was opened with (to open another connection to it).
    pub fn open_options(&self) -> OpenOptions {
        OpenOptions { lock_timeout: self.lock_timeout }
    }

    /// The path this database was opened from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Wrap a SQLite error with this file and what we were doing, classified as corrupt,
    /// locked or other.
    pub fn error(&self, context: impl Into<String>, e: rusqlite::Error) -> Error {
        classify(&self.path, context, e, self.lock_timeout)
    }
}

/// How [`SourceDb::orphans`] walks the child's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OrphanScan {
    /// Look every child row's parent up: right for any key.
    EveryRow,
    /// Group the child's rows by key and look each distinct key up once. Right only when the
    /// rows of a group all have a parent or all have none: the child columns compare as BINARY
    /// (then only an integer and a real of equal value share a group) and no parent column has
    /// TEXT affinity (which tells `1` from `1.0`). Faster when an index of the child's key
    /// columns hands the groups over in order: a 1M-row child of 200k parents is 200k lookups.
    DistinctKeys,
}

fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::Missing { path: path.into() }),
        Err(source) => return Err(Error::Io { path: path.into(), source }),
    };
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Error::NotSqlite { path: path.into() });
    }
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(source) => return Err(Error::Io { path: path.into(), source }),
        }
    }
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(Error::NotSqlite { path: path.into() });
    }
    Ok(())
}

/// The write-ahead log beside a database file: its name with `-wal` added.
pub fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

fn has_wal_content(path: &Path) -> bool {
    std::fs::metadata(wal_path(path)).map(|m| m.len() > 0).unwrap_or(false)
}

fn file_uri(path: &Path, immutable: bool) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    for byte in absolute.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => uri.push(byte as char),
            other => uri.push_str(&format!("%{other:02X}")),
        }
    }
    uri.push_str("?mode=ro");
    if immutable {
        uri.push_str("&immutable=1");
    }
    uri
}

fn error_code(e: &rusqlite::Error) -> Option<ErrorCode> {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    }
}

/// Turn a SQLite error into the [`Error`] a user can act on.
pub(crate) fn classify(path: &Path, context: impl Into<String>, e: rusqlite::Error, waited: Duration) -> Error {
    match error_code(&e) {
        Some(ErrorCode::DatabaseCorrupt) | Some(ErrorCode::NotADatabase) => {
            Error::Corrupt { path: path.into(), detail: format!("{}: {e}", context.into()) }
        }
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            Error::Locked { path: path.into(), waited_ms: waited.as_millis() as u64 }
        }
        _ => Error::Sqlite { path: path.into(), context: context.into(), source: e },
    }
}

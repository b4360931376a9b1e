//! Bad input: a clear message naming the file and object, a documented exit code, never a panic.

use crate::support::{Workdir, findings_about, plan_one, run_cli, stderr};
use sqlite2pg_converter::plan::Grade;

fn plan_exit(work: &Workdir, args: &[&str]) -> (i32, String) {
    let out = run_cli(args, work.path());
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "no panic: {err}");
    (out.status.code().unwrap_or(-1), err)
}

#[test]
fn missing_file() {
    let work = Workdir::new();
    let (code, err) = plan_exit(&work, &["plan", "nope.db"]);
    assert_eq!(code, 3);
    assert!(err.contains("nope.db") && err.contains("no such file"), "{err}");
}

#[test]
fn not_a_sqlite_file() {
    let work = Workdir::new();
    work.file("notes.txt", b"just some text, long enough to have a header");
    work.file("empty.db", b"");
    for name in ["notes.txt", "empty.db"] {
        let (code, err) = plan_exit(&work, &["plan", name]);
        assert_eq!(code, 3, "{name}");
        assert!(err.contains(name) && err.contains("not a SQLite database"), "{err}");
    }
    let (code, err) = plan_exit(&work, &["plan", "."]);
    assert_eq!(code, 3, "a folder: {err}");
}

#[test]
fn truncated_database() {
    let work = Workdir::new();
    let mut sql = String::from("CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT); BEGIN;");
    for i in 0..2000 {
        sql.push_str(&format!("INSERT INTO t(body) VALUES ('row {i} {}');", "x".repeat(200)));
    }
    sql.push_str("COMMIT;");
    let path = work.sqlite("big.db", &sql);
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() / 3]).expect("truncate");
    let (code, err) = plan_exit(&work, &["plan", "big.db"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("big.db") && err.contains("corrupt"), "{err}");
}

#[test]
fn corrupt_page() {
    let work = Workdir::new();
    let mut sql = String::from("CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT); BEGIN;");
    for i in 0..500 {
        sql.push_str(&format!("INSERT INTO t(body) VALUES ('row {i} {}');", "y".repeat(300)));
    }
    sql.push_str("COMMIT;");
    let path = work.sqlite("bad.db", &sql);
    let mut bytes = std::fs::read(&path).expect("read");
    // Overwrite the table's pages after the schema page with garbage.
    let page = 4096;
    for b in bytes[page * 2..page * 6].iter_mut() {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("write");
    let (code, err) = plan_exit(&work, &["plan", "bad.db"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("bad.db") && err.contains("corrupt") && err.contains("\"t\""), "names file and table: {err}");
}

#[test]
fn locked_database() {
    let work = Workdir::new();
    let path = work.sqlite("locked.db", "PRAGMA journal_mode=DELETE; CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    let writer = rusqlite::Connection::open(&path).expect("open writer");
    writer.execute_batch("BEGIN EXCLUSIVE; INSERT INTO t VALUES (2);").expect("take the lock");
    let (code, err) = plan_exit(&work, &["plan", "--lock-timeout", "0.2", "locked.db"]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("locked.db") && err.contains("locked"), "{err}");
    writer.execute_batch("ROLLBACK").expect("release");
    let (code, err) = plan_exit(&work, &["plan", "locked.db"]);
    assert_eq!(code, 0, "readable once the writer is done: {err}");
}

#[test]
fn unknown_virtual_table_module() {
    let work = Workdir::new();
    let path = work.sqlite(
        "geo.db",
        "CREATE TABLE places(id INTEGER PRIMARY KEY, name TEXT);
         PRAGMA writable_schema = ON;
         INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) VALUES ('table', 'SpatialIndex', 'SpatialIndex', 0, 'CREATE VIRTUAL TABLE SpatialIndex USING VirtualSpatialIndex()');
         PRAGMA writable_schema = OFF;",
    );
    let schema = plan_one(&path);
    assert_eq!(schema.tables.len(), 1, "the ordinary table is still planned");
    let f = findings_about(&schema, "SpatialIndex");
    assert!(f.iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("VirtualSpatialIndex") && f.message.contains("does not have")), "{f:?}");
    let (code, err) = plan_exit(&work, &["plan", "geo.db"]);
    assert_eq!(code, 0);
    assert!(err.contains("SpatialIndex"), "the finding is printed: {err}");
}

#[test]
fn custom_collation_unknown_to_sqlite() {
    let work = Workdir::new();
    let path = work.path().join("coll.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.create_collation("APPCASE", |a: &str, b: &str| a.to_lowercase().cmp(&b.to_lowercase())).expect("collation");
        conn.execute_batch("CREATE TABLE t(name TEXT COLLATE APPCASE); CREATE INDEX t_name ON t(name); INSERT INTO t VALUES ('b'), ('A');").expect("setup");
    }
    let schema = plan_one(&path);
    assert_eq!(schema.tables[0].rows, 2, "rows readable without the application's collation");
    let f = findings_about(&schema, "column \"name\"");
    assert!(f.iter().any(|f| f.grade == Grade::Warning && f.message.contains("APPCASE")), "{f:?}");
}

#[test]
fn bad_config_exits_5_naming_the_column() {
    let work = Workdir::new();
    work.sqlite("a.db", "CREATE TABLE t(x INTEGER);");
    work.file("sqlite2pg.toml", b"[tables.t.columns.x]\ntype = \"int4range\"\n");
    let (code, err) = plan_exit(&work, &["plan", "a.db"]);
    assert_eq!(code, 5, "{err}");
    assert!(err.contains("sqlite2pg.toml") && err.contains("column \"x\"") && err.contains("int4range"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    let work = Workdir::new();
    let (code, _) = plan_exit(&work, &["plan"]);
    assert_eq!(code, 2);
    let (code, _) = plan_exit(&work, &["frobnicate"]);
    assert_eq!(code, 2);
}

/// A WAL database with content in its WAL, in a folder that cannot take the shared-memory file
/// (a read-only file system): read from a copy of the file and its WAL, and the output says so.
/// The test mounts a tmpfs and remounts it read-only (the suite runs as root, as CI does).
#[test]
fn a_wal_database_in_a_read_only_folder_is_read() {
    let work = Workdir::new();
    let source = work.path().join("live.db");
    // A writer that never checkpoints: the rows stay in the WAL while it is open.
    let writer = rusqlite::Connection::open(&source).expect("open");
    writer.execute_batch("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT);").expect("schema");
    writer.execute_batch("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) INSERT INTO t SELECT i, 'v' || i FROM n;").expect("rows");
    let wal = work.path().join("live.db-wal");
    assert!(std::fs::metadata(&wal).map(|m| m.len() > 0).unwrap_or(false), "the rows are in the WAL");
    let mount_point = work.path().join("ro");
    std::fs::create_dir(&mount_point).expect("mount point");
    let mount = |args: &[&str]| std::process::Command::new("mount").args(args).status().map(|s| s.success()).unwrap_or(false);
    let target = mount_point.to_string_lossy().into_owned();
    assert!(mount(&["-t", "tmpfs", "-o", "size=8m", "tmpfs", &target]), "mounting a tmpfs (the suite runs as root)");
    std::fs::copy(&source, mount_point.join("app.db")).expect("copy");
    std::fs::copy(&wal, mount_point.join("app.db-wal")).expect("copy wal");
    drop(writer);
    let remounted = mount(&["-o", "remount,ro", &target]);
    let out = run_cli(&["inspect", "--format", "json", "ro/app.db"], work.path());
    let listing: Vec<String> = std::fs::read_dir(&mount_point).map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    let _ = std::process::Command::new("umount").arg(&target).status();
    assert!(remounted, "remounting read-only");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["files"][0]["rows"], 250, "the rows in the WAL are read: {v}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("read from a copy of it and its WAL"), "the output says how: {}", String::from_utf8_lossy(&out.stderr));
    let mut listing = listing;
    listing.sort();
    assert_eq!(listing, ["app.db", "app.db-wal"], "nothing is left beside the input");
}

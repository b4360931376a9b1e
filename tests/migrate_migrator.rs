//! `sqlite2pg migrate --migrator PATH`: the schema comes from the generated migrator (its
//! compiled binary or its crate folder), is checked against the plan, then the data is copied
//! and verified. A migrator that builds another schema stops the run before any row is copied
//! (exit 9); one that fails exits 10, naming it, with the password never shown.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::codegen::migrator_bin;
use crate::support::pg::TestDb;
use crate::support::{Workdir, plan_one, run_cli, stderr, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn chat_db() -> PathBuf {
    root().join("examples/chat/chat.db")
}

/// The repository migrator's migrations: its files `m<digits>...rs`.
fn migration_files() -> i64 {
    let names = std::fs::read_dir(root().join("migrator/src")).expect("migrator/src").flatten().map(|e| e.file_name().to_string_lossy().into_owned());
    let count = names.filter(|n| n.ends_with(".rs") && n.strip_prefix('m').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))).count();
    i64::try_from(count).expect("a few files")
}

/// Rows in every table of the database's user schemas, whatever the tables are, but the
/// migrator's own `seaql_migrations`.
async fn rows_everywhere(db: &TestDb) -> i64 {
    db.int(
        "SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::bigint), 0)::bigint \
         FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'seaql_migrations'",
    )
    .await
}

/// `migrate` of the example database with `--migrator`, the rejects file kept out of the repository.
fn migrate_chat(db: &TestDb, migrator: &str, work: &Workdir, cwd: &Path) -> std::process::Output {
    let rejects = work.path().join("rejects.jsonl");
    let chat = chat_db();
    run_cli(&["migrate", &chat.to_string_lossy(), "--to", &db.url(), "--migrator", migrator, "--rejects", &rejects.to_string_lossy()], cwd)
}

/// What a successful `migrate --migrator` leaves: every migration recorded, the SQLite row
/// counts in PostgreSQL, and the verification passed.
async fn assert_migrated(db: &TestDb, o: &std::process::Output) {
    assert_eq!(o.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(o), stderr(o));
    assert!(stdout(o).contains("verify: everything matches"), "{}", stdout(o));
    assert!(stderr(o).contains("built the plan's schema"), "{}", stderr(o));
    assert_eq!(db.int("SELECT count(*) FROM seaql_migrations").await, migration_files(), "every migration ran");
    let sqlite = rusqlite::Connection::open_with_flags(chat_db(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open chat.db");
    let plan = plan_one(&chat_db());
    assert!(plan.tables.len() >= 4, "{:?}", plan.tables.iter().map(|t| &t.name).collect::<Vec<_>>());
    for t in &plan.tables {
        let in_sqlite: i64 = sqlite.query_row(&format!("SELECT count(*) FROM \"{}\"", t.source_name), [], |r| r.get(0)).expect("count in SQLite");
        assert_eq!(db.int(&format!("SELECT count(*) FROM public.\"{}\"", t.name)).await, in_sqlite, "rows of {}", t.name);
    }
}

#[tokio::test]
async fn migrate_with_the_migrator_binary_creates_the_schema_then_copies_and_verifies() {
    let work = Workdir::new();
    let db = TestDb::new("migrate_migrator_binary").await;
    let o = migrate_chat(&db, &migrator_bin().to_string_lossy(), &work, work.path());
    assert_migrated(&db, &o).await;
}

#[tokio::test]
async fn migrate_with_the_migrator_crate_folder_runs_it_with_cargo() {
    migrator_bin(); // built once for the suite: cargo run then only checks it is fresh
    let work = Workdir::new();
    let db = TestDb::new("migrate_migrator_crate").await;
    let o = migrate_chat(&db, "migrator", &work, root());
    assert_migrated(&db, &o).await;
}

#[tokio::test]
async fn migrate_stops_before_copying_when_the_migrator_builds_another_schema() {
    let work = Workdir::new();
    // Not the database the migrator was generated from: its users table has other columns, and
    // the migrator's other tables are not in this plan.
    work.sqlite(
        "other.db",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT);
         INSERT INTO users VALUES (1, 'ada@example.org', 'ada'), (2, 'bob@example.org', NULL);",
    );
    let db = TestDb::new("migrate_migrator_drift").await;
    let o = run_cli(&["migrate", "other.db", "--to", &db.url(), "--migrator", &migrator_bin().to_string_lossy()], work.path());
    assert_eq!(o.status.code(), Some(9), "stdout:\n{}\nstderr:\n{}", stdout(&o), stderr(&o));
    let report = stdout(&o);
    for needle in ["nickname", "conversations", "DRIFTS FOUND"] {
        assert!(report.contains(needle), "the drift report names {needle}:\n{report}");
    }
    assert!(stderr(&o).contains("nothing was copied"), "{}", stderr(&o));
    assert_eq!(db.int("SELECT count(*) FROM seaql_migrations").await, migration_files(), "the migrator did run");
    assert_eq!(rows_everywhere(&db).await, 0, "no row copied");
    assert_eq!(db.int("SELECT count(*) FROM pg_namespace WHERE nspname = 'sqlite2pg'").await, 0, "the copy never started");
}

#[tokio::test]
async fn a_failing_migrator_is_named_copies_nothing_and_never_shows_the_password() {
    let work = Workdir::new();
    let db = TestDb::new("migrate_migrator_fails").await;
    // The role the suite's server checks passwords for (scripts/with-postgres.sh), so the URL
    // holds a real one; two tests may create it at once, hence the second look.
    let create = "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 's2p_secret') THEN CREATE ROLE s2p_secret LOGIN PASSWORD 'right-password'; END IF; END $$";
    if let Err(e) = db.apply(create).await {
        assert_eq!(db.int("SELECT count(*) FROM pg_roles WHERE rolname = 's2p_secret'").await, 1, "creating s2p_secret: {e}");
    }
    let url = format!("postgres://s2p_secret:right-password@127.0.0.1:{}/{}", db.options.get_port(), db.name);
    // A migrator that records what it was given, prints its URL as a careless one might, and fails.
    let script = work.file(
        "failing-migrator",
        b"#!/bin/sh\nd=$(dirname \"$0\")\nprintf '%s' \"$*\" > \"$d/args\"\nprintf '%s' \"$DATABASE_URL\" > \"$d/url\"\nprintf '%s' \"$DATABASE_SCHEMA\" > \"$d/schema\"\necho \"cannot migrate $DATABASE_URL\" >&2\nexit 1\n",
    );
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod 755");
    let chat = chat_db();
    // A DATABASE_SCHEMA in our environment must not reach the migrator: its migrations name
    // their schemas, and one set would move `seaql_migrations` there.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_sqlite2pg"))
        .args(["migrate", &chat.to_string_lossy(), "--to", &url, "--migrator", &script.to_string_lossy()])
        .current_dir(work.path())
        .env("DATABASE_SCHEMA", "elsewhere")
        .output()
        .expect("run sqlite2pg");
    let (out, err) = (stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(10), "stdout:\n{out}\nstderr:\n{err}");
    assert!(err.contains(&format!("the migrator {} failed (exit status: 1)", script.display())), "{err}");
    assert!(err.contains("nothing was copied"), "{err}");
    assert!(err.contains("cannot migrate postgres://s2p_secret:***@127.0.0.1"), "the migrator's own output is forwarded, redacted: {err}");
    assert!(!out.contains("right-password") && !err.contains("right-password"), "the password never appears:\n{out}\n{err}");
    let read = |name: &str| std::fs::read_to_string(work.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(read("args"), "up", "the URL is never on the command line");
    assert_eq!(read("url"), url, "the URL goes through DATABASE_URL, as given");
    assert_eq!(read("schema"), "", "DATABASE_SCHEMA is removed from the migrator's environment");
    assert_eq!(db.int("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").await, 0, "nothing created, nothing copied");

    // A path that names nothing is a usage error, found before any work.
    let missing = work.path().join("no-such-migrator");
    let o = run_cli(&["migrate", &chat.to_string_lossy(), "--to", &url, "--migrator", &missing.to_string_lossy()], work.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("--migrator {}: no such file or folder", missing.display())), "{}", stderr(&o));
    // A folder that is no crate, too.
    let o = run_cli(&["migrate", &chat.to_string_lossy(), "--to", &url, "--migrator", &work.path().to_string_lossy()], work.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("has no Cargo.toml"), "{}", stderr(&o));
    assert_eq!(db.int("SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").await, 0);
}

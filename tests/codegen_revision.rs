//! Regenerating after a schema change: the migrations a database has run stay byte for byte,
//! and one revision migration takes that database to the new plan. A database migrated with
//! the first migrator, then `up` with the regenerated one, a fresh database migrated from
//! scratch, and the first database after `down` each match their plan (`sqlite2pg check`), and
//! the rows already there survive, converted where a type changed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::codegen::{contents_under, migrator_bin, url_of};
use crate::corpus_codegen::build_sections_of_repo;
use crate::support::pg::TestDb;
use crate::support::{Workdir, run_cli, stderr, stdout};

/// The application's schema as first shipped.
const V1: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, active INTEGER NOT NULL DEFAULT 1, legacy TEXT, created_at TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) > 0), body TEXT);
CREATE INDEX posts_by_user ON posts(user_id);
CREATE INDEX users_by_legacy ON users(legacy);
CREATE VIEW post_titles AS SELECT u.email, p.title FROM users u JOIN posts p ON p.user_id = u.id;
CREATE TABLE settings (name TEXT NOT NULL PRIMARY KEY, scope TEXT NOT NULL, value TEXT);
INSERT INTO users VALUES (1, 'a@example.org', 2, 'x', '2024-01-02 03:04:05');
INSERT INTO posts VALUES (1, 1, 'Hello', 'Body');
";

/// The same application after a release: a column gone, one added, a flag now declared BOOLEAN
/// (a declared type that changed, so the deployed decision gives way: values 0/1, boolean), a new table referenced by a new column, an index changed, one gone, one new,
/// a CHECK and the view changed, a primary key moved to another column (the old one nullable).
const V2: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, active BOOLEAN NOT NULL DEFAULT 1, created_at TEXT, bio TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(title) > 1), body TEXT, tag_id INTEGER REFERENCES tags(id));
CREATE INDEX posts_by_user ON posts(user_id, id);
CREATE INDEX posts_by_tag ON posts(tag_id);
CREATE VIEW post_titles AS SELECT u.email, p.title, p.tag_id FROM users u JOIN posts p ON p.user_id = u.id;
CREATE TABLE settings (name TEXT, scope TEXT NOT NULL PRIMARY KEY, value TEXT);
INSERT INTO users VALUES (1, 'a@example.org', 1, '2024-01-02 03:04:05', NULL), (2, 'b@example.org', 0, '2024-02-03 04:05:06', 'hi');
INSERT INTO tags VALUES (1, 'news');
INSERT INTO posts VALUES (1, 1, 'Hello', 'Body', 1);
";

const REVISION: &str = "src/m20000102_000000_update_schema.rs";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `sqlite2pg generate DB` into `work/entities` and `work/migrator`, then what it printed.
fn generate(work: &Workdir, db: &Path, extra: &[&str]) -> std::process::Output {
    let (entities, migrator) = (work.path().join("entities"), work.path().join("migrator"));
    let mut args = vec!["generate".to_string(), db.to_string_lossy().into_owned(), "--entities".into(), entities.to_string_lossy().into_owned(), "--migrator".into(), migrator.to_string_lossy().into_owned()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_cli(&args, work.path())
}

/// Builds the migrator crate in `work/migrator` (a copy named for this test, so its binary does
/// not clash) with the repository's lock file, profiles and target folder; gives the binary.
fn build_migrator(work: &Workdir, round: &str) -> PathBuf {
    migrator_bin(); // the shared dependencies, built once for the suite
    let package = format!("migration_revision_{round}");
    let crate_dir = work.path().join(format!("build_{round}"));
    for (rel, mut contents) in contents_under(&work.path().join("migrator")) {
        if rel == Path::new("Cargo.toml") {
            contents = contents.replace("name = \"migration\"", &format!("name = \"{package}\"")) + &format!("\n[workspace]\n\n{}", build_sections_of_repo());
        } else if rel == Path::new("src/main.rs") {
            contents = contents.replace("migration::Migrator", &format!("{package}::Migrator"));
        }
        let path = crate_dir.join(&rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folder");
        std::fs::write(&path, contents).expect("write crate file");
    }
    std::fs::copy(root().join("Cargo.lock"), crate_dir.join("Cargo.lock")).expect("copy Cargo.lock");
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let o = Command::new(cargo).args(["build", "--quiet"]).current_dir(&crate_dir).env("CARGO_TARGET_DIR", &target).env("CARGO_INCREMENTAL", "0").output().expect("run cargo build");
    assert!(o.status.success(), "cargo build of the {round} migrator: {}", String::from_utf8_lossy(&o.stderr));
    target.join("debug").join(format!("{package}{}", std::env::consts::EXE_SUFFIX))
}

fn run_migrator(bin: &Path, db: &TestDb, args: &[&str]) {
    let o = Command::new(bin).args(args).env("DATABASE_URL", url_of(db)).env_remove("DATABASE_SCHEMA").output().expect("run migrator");
    assert!(o.status.success(), "migrator {args:?} failed: {}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
}

/// `sqlite2pg check DB` against the test database must find no drift.
fn assert_matches(db: &TestDb, sqlite: &Path, when: &str) {
    let o = run_cli(&["check", &sqlite.to_string_lossy(), "--to", &db.url()], root());
    assert_eq!(o.status.code(), Some(0), "{when}: the schema differs from the plan of {}:\n{}\n{}", sqlite.display(), stdout(&o), stderr(&o));
}

/// `sqlite2pg check DB --format json`: the drifts found, as (kind, object).
fn drifts(db: &TestDb, sqlite: &Path) -> Vec<(String, String)> {
    let o = run_cli(&["check", &sqlite.to_string_lossy(), "--to", &db.url(), "--format", "json"], root());
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("check printed no JSON ({e}): {}", stderr(&o)));
    let list = report["drifts"].as_array().cloned().unwrap_or_default();
    list.iter().map(|d| (d["object_kind"].as_str().unwrap_or_default().to_string(), d["object"].as_str().unwrap_or_default().to_string())).collect()
}

#[tokio::test]
async fn regenerating_after_a_schema_change_keeps_every_migration_and_adds_a_revision() {
    let work = Workdir::new();
    std::fs::create_dir_all(work.path().join("v1")).expect("v1");
    std::fs::create_dir_all(work.path().join("v2")).expect("v2");
    let v1 = work.sqlite("v1/app.db", V1);
    let v2 = work.sqlite("v2/app.db", V2);
    let migrator = work.path().join("migrator");

    // The first release: generated, deployed, and used (rows written in PostgreSQL).
    let o = generate(&work, &v1, &[]);
    assert!(o.status.success(), "generate v1: {}", stderr(&o));
    let first = contents_under(&migrator);
    assert!(first.contains_key(Path::new("sqlite2pg-history.json")), "{:?}", first.keys());
    let deployed = TestDb::new("revision_deployed").await;
    let bin1 = build_migrator(&work, "v1");
    run_migrator(&bin1, &deployed, &["up"]);
    assert_matches(&deployed, &v1, "after the first up");
    deployed.must_apply("INSERT INTO users (id, email, active, legacy) VALUES (10, 'p@example.org', 1, 'old'), (11, 'q@example.org', 0, NULL); INSERT INTO posts (id, user_id, title) VALUES (10, 10, 'Kept'); INSERT INTO settings VALUES ('theme', 'app', 'dark')").await;

    // The second release: regenerated over the first migrator.
    let o = generate(&work, &v2, &[]);
    assert!(o.status.success(), "generate v2: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("new migration m20000102_000000_update_schema"), "{err}");
    assert!(err.contains("drops column `users.legacy` with its values"), "the data loss is a finding: {err}");
    let second = contents_under(&migrator);
    for (name, text) in &first {
        if name != Path::new("src/lib.rs") && name != Path::new("sqlite2pg-history.json") {
            assert_eq!(second.get(name), Some(text), "{} changed: a migration that ran must never change", name.display());
        }
    }
    let added: Vec<&PathBuf> = second.keys().filter(|n| !first.contains_key(*n)).collect();
    assert_eq!(added, vec![&PathBuf::from(REVISION)], "exactly one new file");
    let revision = &second[Path::new(REVISION)];
    for needle in ["Revision 1 of schema `public`", "DROPS COLUMN `users.legacy`", "- creates table `tags`", "USING active <> 0", "posts_by_tag", "DROP VIEW IF EXISTS post_titles", "add_column"] {
        assert!(revision.contains(needle), "{needle:?} missing from the revision:\n{revision}");
    }
    let lib = &second[Path::new("src/lib.rs")];
    assert!(lib.contains("mod m20000101_000002_create_posts;") && lib.contains("mod m20000102_000000_update_schema;"), "{lib}");

    // The deployed database takes the revision; its rows stay, the flag converted.
    let bin2 = build_migrator(&work, "v2");
    run_migrator(&bin2, &deployed, &["up"]);
    assert_matches(&deployed, &v2, "the deployed database after the revision");
    assert_eq!(deployed.text("SELECT string_agg(id || ':' || active, ',' ORDER BY id) FROM users").await.as_deref(), Some("10:true,11:false"));
    assert_eq!(deployed.int("SELECT count(*) FROM posts WHERE title = 'Kept'").await, 1);
    assert_eq!(deployed.text("SELECT string_agg(a.attname, ',') FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'settings'::regclass AND i.indisprimary").await.as_deref(), Some("scope"));

    // A new database runs every migration from the first and gets the same schema.
    let fresh = TestDb::new("revision_fresh").await;
    run_migrator(&bin2, &fresh, &["up"]);
    assert_matches(&fresh, &v2, "a fresh database");

    // `down` takes the deployed database back to the first release; the column it adds back
    // stands at the end (PostgreSQL has no other place for it), which `check` names and the
    // finding of generate foretold.
    assert!(err.contains("`down` adds back `users.legacy` at the end"), "{err}");
    run_migrator(&bin2, &deployed, &["down"]);
    assert_eq!(drifts(&deployed, &v1), vec![("column_order".to_string(), "users".to_string())], "after down");
    assert_eq!(deployed.text("SELECT string_agg(id || ':' || active, ',' ORDER BY id) FROM users").await.as_deref(), Some("10:1,11:0"));

    // The same plan again: nothing new, every byte the same.
    let o = generate(&work, &v2, &[]);
    assert!(o.status.success() && stderr(&o).contains("no new migration"), "{}", stderr(&o));
    assert_eq!(contents_under(&migrator), second, "regenerating the same plan changed files");

    // A migration the history lists is gone: refused, nothing written.
    std::fs::remove_file(migrator.join("src/m20000101_000001_create_users.rs")).expect("remove a migration");
    let o = generate(&work, &v2, &[]);
    assert_eq!(o.status.code(), Some(11), "{}", stderr(&o));
    assert!(stderr(&o).contains("m20000101_000001_create_users") && stderr(&o).contains("--fresh-migrations"), "{}", stderr(&o));
    assert!(!migrator.join("src/m20000101_000001_create_users.rs").exists());

    // `--fresh-migrations` writes the migrations anew from the plan, without a revision.
    let o = generate(&work, &v2, &["--fresh-migrations"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let anew = contents_under(&migrator);
    assert!(!anew.contains_key(Path::new(REVISION)) && anew.contains_key(Path::new("src/m20000101_000002_create_tags.rs")), "{:?}", anew.keys());
}

#[test]
fn a_generated_migrator_without_history_is_not_overwritten() {
    let work = Workdir::new();
    let v1 = work.sqlite("app.db", V1);
    assert!(generate(&work, &v1, &[]).status.success());
    let migrator = work.path().join("migrator");
    std::fs::remove_file(migrator.join("sqlite2pg-history.json")).expect("remove the history");
    let before = contents_under(&migrator);
    let o = generate(&work, &v1, &[]);
    assert_eq!(o.status.code(), Some(11), "{}", stderr(&o));
    assert!(stderr(&o).contains("sqlite2pg-history.json") && stderr(&o).contains("--fresh-migrations"), "{}", stderr(&o));
    assert_eq!(contents_under(&migrator), before, "nothing written");
}

/// The user's own data migration, as a developer adds it to the generated migrator.
const BACKFILL: &str = r#"use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("INSERT INTO users (id, email, active) VALUES (500, 'backfill@example.org', 1)").await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DELETE FROM users WHERE id = 500").await?;
        Ok(())
    }
}
"#;

/// A hand-written migration survives three regenerations (nothing new, a revision, written
/// afresh), in its place in `lib.rs`, byte for byte; a database that ran it takes the revision
/// with `up` and goes back with `down`; a listed hand-written migration whose file is gone is
/// refused (exit 11), nothing written.
#[tokio::test]
async fn a_hand_written_migration_survives_regeneration_and_up_down_still_work() {
    let work = Workdir::new();
    std::fs::create_dir_all(work.path().join("v1")).expect("v1");
    std::fs::create_dir_all(work.path().join("v3")).expect("v3");
    let v1 = work.sqlite("v1/app.db", V1);
    // The next release: one column more.
    let v3 = work.sqlite("v3/app.db", &V1.replace("created_at TEXT);", "created_at TEXT, locale TEXT);").replace("'2024-01-02 03:04:05');", "'2024-01-02 03:04:05', 'de');"));
    let migrator = work.path().join("migrator");
    assert!(generate(&work, &v1, &[]).status.success());

    // The developer's data migration, right after the users table is created.
    let module = "m20240101_000000_backfill_users";
    std::fs::write(migrator.join(format!("src/{module}.rs")), BACKFILL).expect("write the migration");
    let lib_path = migrator.join("src/lib.rs");
    let lib = std::fs::read_to_string(&lib_path).expect("lib.rs");
    let lib = lib
        .replace("mod m20000101_000001_create_users;", &format!("mod m20000101_000001_create_users;\nmod {module};"))
        .replace("Box::new(m20000101_000001_create_users::Migration),", &format!("Box::new(m20000101_000001_create_users::Migration),\n            Box::new({module}::Migration),"));
    assert!(lib.contains(&format!("Box::new({module}::Migration)")), "the test's edit of lib.rs took:\n{lib}");
    std::fs::write(&lib_path, &lib).expect("write lib.rs");
    let deployed = TestDb::new("hand_written_deployed").await;
    let bin = build_migrator(&work, "hand1");
    run_migrator(&bin, &deployed, &["up"]);
    assert_eq!(deployed.int("SELECT count(*) FROM users WHERE id = 500").await, 1, "the hand-written migration ran");

    let order = |lib: &str| sqlite2pg_codegen::migration::listed_migrations(lib);
    let expected_after = |lib: &str| {
        let list = order(lib);
        let at = list.iter().position(|m| m == module).unwrap_or_else(|| panic!("{module} dropped from lib.rs:\n{lib}"));
        assert_eq!(list[at - 1], "m20000101_000001_create_users", "{module} keeps its place: {list:?}");
    };
    // Two regenerations: nothing new, then a revision (the third, written afresh, is below).
    for (round, db) in [(1, &v1), (2, &v3)] {
        let o = generate(&work, db, &[]);
        assert!(o.status.success(), "regeneration {round}: {}", stderr(&o));
        assert!(stderr(&o).contains(module), "generate says it kept {module}: {}", stderr(&o));
        let lib = std::fs::read_to_string(&lib_path).expect("lib.rs");
        expected_after(&lib);
        assert_eq!(std::fs::read_to_string(migrator.join(format!("src/{module}.rs"))).expect("the migration"), BACKFILL, "round {round}: the file is the user's");
    }
    let lib = std::fs::read_to_string(&lib_path).expect("lib.rs");
    let list = order(&lib);
    assert!(list.last().is_some_and(|m| m.ends_with("_add_users_locale")), "the revision comes last: {list:?}");

    // The deployed database takes the revision, and goes back.
    let bin = build_migrator(&work, "hand2");
    run_migrator(&bin, &deployed, &["up"]);
    assert_eq!(deployed.int("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'locale'").await, 1);
    assert_eq!(deployed.int("SELECT count(*) FROM users WHERE id = 500").await, 1, "the hand-written migration did not run twice");
    run_migrator(&bin, &deployed, &["down"]);
    assert_eq!(deployed.int("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'locale'").await, 0);
    run_migrator(&bin, &deployed, &["up"]);

    // A third regeneration, written afresh: the user's migration stays, after create_users.
    let o = generate(&work, &v3, &["--fresh-migrations"]);
    assert!(o.status.success(), "{}", stderr(&o));
    expected_after(&std::fs::read_to_string(&lib_path).expect("lib.rs"));
    assert_eq!(std::fs::read_to_string(migrator.join(format!("src/{module}.rs"))).expect("the migration"), BACKFILL);

    // Its file gone while lib.rs lists it: refused, lib.rs untouched.
    std::fs::remove_file(migrator.join(format!("src/{module}.rs"))).expect("remove");
    let before = std::fs::read_to_string(&lib_path).expect("lib.rs");
    let o = generate(&work, &v3, &[]);
    assert_eq!(o.status.code(), Some(11), "{}", stderr(&o));
    assert!(stderr(&o).contains(module), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&lib_path).expect("lib.rs"), before);
}

//! `sqlite2pg check`: the live PostgreSQL schema against the plan. A schema built by the plan's
//! DDL or by the generated migrator agrees (exit 0); each kind of hand-made drift is found and
//! named (exit 9); an unreachable target exits 6.

use std::path::Path;

use sqlite2pg_converter::ddl;
use sqlite2pg_converter::plan::Plan;

use crate::support::pg::TestDb;
use crate::support::{Workdir, plan_many, run_cli, stderr, stdout};

const APP: &str = "
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL, nick TEXT,
    age INTEGER CHECK (age >= 0), status TEXT NOT NULL DEFAULT 'active', updated_at TEXT);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE ON UPDATE RESTRICT,
    title TEXT NOT NULL, body TEXT, is_draft INTEGER NOT NULL DEFAULT 0);
CREATE INDEX posts_by_user ON posts(user_id);
CREATE INDEX users_by_name ON users(name);
CREATE INDEX posts_live ON posts(user_id) WHERE is_draft = 0;
CREATE INDEX users_lower_email ON users(lower(email));
CREATE VIEW user_posts AS SELECT u.name, p.title FROM users u JOIN posts p ON p.user_id = u.id;
CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE users SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;
INSERT INTO users VALUES (1, 'a@x.org', 'Ada', NULL, 36, 'active', '2024-01-02 03:04:05');
INSERT INTO posts VALUES (1, 1, 'Hello', 'Body', 0);
";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn ddl_of(plan: &Plan) -> String {
    ddl::render(plan, ddl::DdlOptions { comments: false })
}

/// `check` with JSON output: (exit code, report).
fn check_json(dbs: &[&str], url: &str, cwd: &Path) -> (Option<i32>, serde_json::Value) {
    let mut args = vec!["check"];
    args.extend_from_slice(dbs);
    args.extend_from_slice(&["--to", url, "--format", "json"]);
    let o = run_cli(&args, cwd);
    let report = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("check printed no JSON ({e}); status {:?}\nstdout: {}\nstderr: {}", o.status.code(), stdout(&o), stderr(&o)));
    (o.status.code(), report)
}

#[tokio::test]
async fn check_passes_on_the_plans_own_ddl_in_every_format() {
    let work = Workdir::new();
    let a = work.sqlite("app.db", APP);
    let b = work.sqlite("other.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, tags TEXT CHECK (json_valid(tags)));");
    let db = TestDb::new("check_clean").await;
    db.must_apply(&ddl_of(&plan_many(std::slice::from_ref(&a)))).await;
    let (code, report) = check_json(&["app.db"], &db.url(), work.path());
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["drifts"].as_array().map(Vec::len), Some(0), "{report:#}");
    for (format, needle) in [("text", "matches the plan"), ("markdown", "matches the plan")] {
        let o = run_cli(&["check", "app.db", "--to", &db.url(), "--format", format], work.path());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(stdout(&o).contains(needle), "{}", stdout(&o));
    }
    // Two files: a schema each, named after the file.
    let multi = TestDb::new("check_clean_two_schemas").await;
    multi.must_apply(&ddl_of(&plan_many(&[a, b]))).await;
    let (code, report) = check_json(&["app.db", "other.db"], &multi.url(), work.path());
    assert_eq!(code, Some(0), "{report:#}");
}

#[tokio::test]
async fn check_passes_after_the_generated_migrator_runs_up() {
    let db = TestDb::new("check_by_migrator").await;
    crate::codegen::migrate(&db, &["up"]);
    let (code, report) = check_json(&["examples/chat/chat.db"], &crate::codegen::url_of(&db), root());
    assert_eq!(code, Some(0), "the migrator's schema drifts from the plan: {report:#}");
}

#[tokio::test]
async fn check_finds_and_names_each_drift() {
    let work = Workdir::new();
    work.sqlite("app.db", APP);
    let db = TestDb::new("check_drifts").await;
    db.must_apply(&ddl_of(&plan_many(&[work.path().join("app.db")]))).await;
    db.must_apply(
        "ALTER TABLE users DROP COLUMN nick;
         ALTER TABLE posts ALTER COLUMN body TYPE varchar(500);
         ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
         ALTER TABLE users ALTER COLUMN status SET DEFAULT 'new';
         DROP INDEX posts_by_user;
         ALTER INDEX users_by_name RENAME TO users_name_idx;
         CREATE TABLE audit (id int);
         CREATE OR REPLACE VIEW user_posts AS SELECT u.name, p.title FROM users u JOIN posts p ON p.user_id = u.id WHERE p.body IS NOT NULL;
         DROP TRIGGER users_touch ON users;
         DO $$ BEGIN
           EXECUTE (SELECT format('ALTER TABLE posts DROP CONSTRAINT %I', conname) FROM pg_constraint WHERE conrelid = 'posts'::regclass AND contype = 'f');
           EXECUTE (SELECT format('ALTER TABLE users DROP CONSTRAINT %I, ADD CONSTRAINT %I CHECK (age > 0)', conname, conname) FROM pg_constraint WHERE conrelid = 'users'::regclass AND contype = 'c');
         END $$;",
    )
    .await;
    let (code, report) = check_json(&["app.db"], &db.url(), work.path());
    assert_eq!(code, Some(9), "{report:#}");
    assert_eq!(report["ok"], false);
    let drifts: Vec<(String, String, &str)> = report["drifts"]
        .as_array()
        .unwrap_or_else(|| panic!("no drifts array: {report:#}"))
        .iter()
        .map(|d| {
            let change = match (d["expected"].is_null(), d["found"].is_null()) {
                (false, true) => "missing",
                (true, false) => "extra",
                _ => "different",
            };
            (d["object_kind"].as_str().unwrap_or_default().to_string(), d["object"].as_str().unwrap_or_default().to_string(), change)
        })
        .collect();
    let expected = [
        ("column", "users.nick", "missing"),
        ("type", "posts.body", "different"),
        ("nullability", "users.name", "different"),
        ("default", "users.status", "different"),
        ("index", "posts.posts_by_user", "missing"),
        ("index_name", "users.users_by_name", "different"),
        ("table", "audit", "extra"),
        ("view", "user_posts", "different"),
        ("trigger", "users.users_touch", "missing"),
        ("foreign_key", "posts.posts_user_id_fkey", "missing"),
        ("check", "users.users_age_check", "different"),
    ];
    for (kind, object, change) in expected {
        assert!(drifts.iter().any(|d| d.0 == kind && d.1 == object && d.2 == change), "no {change} {kind} {object} in {drifts:#?}");
    }
    assert_eq!(drifts.len(), expected.len(), "unexpected drifts: {drifts:#?}");
    let check = report["drifts"].as_array().and_then(|d| d.iter().find(|d| d["object_kind"] == "check")).cloned().unwrap_or_default();
    assert_eq!((check["expected"].as_str(), check["found"].as_str()), (Some("CHECK ((age >= 0))"), Some("CHECK ((age > 0))")));

    for (format, needles) in [("text", ["users.nick", "DRIFTS FOUND"]), ("markdown", ["| users.nick |", "drifts found"])] {
        let o = run_cli(&["check", "app.db", "--to", &db.url(), "--format", format], work.path());
        assert_eq!(o.status.code(), Some(9), "{}", stderr(&o));
        for needle in needles {
            assert!(stdout(&o).contains(needle), "{needle} not in {format}:\n{}", stdout(&o));
        }
    }
}

#[tokio::test]
async fn check_reports_a_missing_schema_and_an_unreachable_target() {
    let work = Workdir::new();
    work.sqlite("app.db", APP);
    let db = TestDb::new("check_targets").await;
    let (code, report) = check_json(&["app.db", "--schema", "app"], &db.url(), work.path());
    assert_eq!(code, Some(9), "{report:#}");
    assert_eq!(report["drifts"][0]["object_kind"], "schema", "{report:#}");

    let o = run_cli(&["check", "app.db", "--to", "postgres://sqlite2pg@127.0.0.1:1/nothing"], work.path());
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    let o = &db.options;
    let missing_db = format!("postgres://{}@{}:{}/s2p_check_no_such_database", o.get_username(), o.get_host(), o.get_port());
    let o = run_cli(&["check", "app.db", "--to", &missing_db], work.path());
    assert_eq!(o.status.code(), Some(6), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot connect"), "{}", stderr(&o));
}

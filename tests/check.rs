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

/// A least-privilege deploy role on `db`: LOGIN, neither superuser nor CREATEDB; CONNECT and
/// (when `create_on_database`) CREATE on the database, USAGE and CREATE on schema public, so
/// it owns the tables it makes, as a migrator run by that role does. Returns its name and URL.
async fn deploy_role(db: &TestDb, create_on_database: bool) -> (String, String) {
    let role = format!("{}_deployer", db.name);
    let database_create = if create_on_database { format!("GRANT CREATE ON DATABASE \"{}\" TO \"{role}\";", db.name) } else { String::new() };
    // Roles are the cluster's: one left by an earlier run of this test is replaced.
    db.must_apply(&format!(
        "DO $$ BEGIN
           IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
             EXECUTE 'DROP OWNED BY \"{role}\"'; EXECUTE 'DROP ROLE \"{role}\"';
           END IF;
         END $$;
         CREATE ROLE \"{role}\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
         REVOKE ALL ON DATABASE \"{db}\" FROM PUBLIC;
         GRANT CONNECT, TEMPORARY ON DATABASE \"{db}\" TO \"{role}\";
         {database_create}
         GRANT USAGE, CREATE ON SCHEMA public TO \"{role}\";",
        db = db.name
    ))
    .await;
    let o = &db.options;
    (role.clone(), format!("postgres://{role}@{}:{}/{}", o.get_host(), o.get_port(), db.name))
}

/// Run a script as the role (the URL's), so its objects are owned as a migrator run by that
/// role would own them.
async fn apply_as(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap_or_else(|e| panic!("connect as {url}: {e}"));
    if let Err(e) = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut conn).await {
        panic!("PostgreSQL rejected the script as {url}: {e}\n--- script ---\n{sql}");
    }
    let _ = conn.close().await;
}

/// What a `check` could leave behind in the database: scratch schemas, relations in them or in
/// temporary schemas; and the list of every schema and relation of the database. (Scratch
/// databases are the server's, seen by every test running beside: the one test of that path
/// counts them itself.)
async fn leftovers(db: &TestDb) -> (i64, String) {
    let scratch = db
        .int(
            "SELECT (SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'sqlite2pg\\_check\\_%') \
             + (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'pg\\_temp\\_%' OR n.nspname LIKE 'sqlite2pg\\_check\\_%')",
        )
        .await;
    let everything = db
        .text(
            "SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ' ' ORDER BY 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')",
        )
        .await
        .unwrap_or_default();
    (scratch, everything)
}

#[tokio::test]
async fn check_works_for_a_deploy_role_without_createdb() {
    let work = Workdir::new();
    work.sqlite("app.db", APP);
    let db = TestDb::new("check_deploy_role").await;
    let (role, url) = deploy_role(&db, true).await;
    let rolcreatedb = db.text(&format!("SELECT (rolcreatedb OR rolsuper)::text FROM pg_roles WHERE rolname = '{role}'")).await;
    assert_eq!(rolcreatedb.as_deref(), Some("false"));
    apply_as(&url, &ddl_of(&plan_many(&[work.path().join("app.db")]))).await;
    let before = leftovers(&db).await;
    assert_eq!(before.0, 0, "{before:?}");

    let started = std::time::Instant::now();
    let (code, report) = check_json(&["app.db"], &url, work.path());
    eprintln!("check as {role}, agreeing schema: {:?}", started.elapsed());
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["drifts"].as_array().map(Vec::len), Some(0), "{report:#}");
    assert_eq!(leftovers(&db).await, before, "check left something behind");

    apply_as(
        &url,
        "ALTER TABLE users DROP COLUMN nick;
         ALTER TABLE posts ALTER COLUMN title DROP NOT NULL;
         DROP INDEX posts_live;
         DROP TRIGGER users_touch ON users;",
    )
    .await;
    let before = leftovers(&db).await;
    let started = std::time::Instant::now();
    let (code, report) = check_json(&["app.db"], &url, work.path());
    eprintln!("check as {role}, drifted schema: {:?}", started.elapsed());
    assert_eq!(code, Some(9), "{report:#}");
    let named: Vec<(String, String)> =
        report["drifts"].as_array().into_iter().flatten().map(|d| (d["object_kind"].as_str().unwrap_or_default().to_string(), d["object"].as_str().unwrap_or_default().to_string())).collect();
    for (kind, object) in [("column", "users.nick"), ("nullability", "posts.title"), ("index", "posts.posts_live"), ("trigger", "users.users_touch")] {
        assert!(named.iter().any(|d| d.0 == kind && d.1 == object), "no {kind} {object} in {report:#}");
    }
    assert_eq!(named.len(), 4, "{report:#}");
    let o = run_cli(&["check", "app.db", "--to", &url], work.path());
    assert_eq!(o.status.code(), Some(9), "{}", stderr(&o));
    assert!(stdout(&o).contains("users.nick"), "{}", stdout(&o));
    assert_eq!(leftovers(&db).await, before, "check left something behind");
}

/// The example application (citext, the NOCASE collation's stand-in, full-text search with its
/// text search configuration, a trigger and its function, a view) as a deploy role made it.
#[tokio::test]
async fn check_passes_for_a_deploy_role_on_the_example_app() {
    let db = TestDb::new("check_deploy_role_chat").await;
    // citext and unaccent are trusted extensions, but the role would create them as their
    // owner; a DBA installs them beforehand, as in most managed databases.
    db.must_apply("CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public; CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;").await;
    let (_, url) = deploy_role(&db, true).await;
    apply_as(&url, &ddl_of(&plan_many(&[root().join("examples/chat/chat.db")]))).await;
    let before = leftovers(&db).await;
    let started = std::time::Instant::now();
    let (code, report) = check_json(&["examples/chat/chat.db"], &url, root());
    eprintln!("check of the example app as a deploy role: {:?}", started.elapsed());
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(leftovers(&db).await, before, "check left something behind");

    // An extension the plan needs, gone: named, and the build (which creates it inside the
    // transaction it rolls back) does not bring it back.
    db.must_apply("DROP EXTENSION citext CASCADE;").await;
    let (code, report) = check_json(&["examples/chat/chat.db"], &url, root());
    assert_eq!(code, Some(9), "{report:#}");
    let drifts = report["drifts"].as_array().cloned().unwrap_or_default();
    assert!(drifts.iter().any(|d| d["object_kind"] == "extension" && d["object"] == "citext" && d["found"].is_null()), "{report:#}");
    assert!(drifts.iter().any(|d| d["object_kind"] == "column" && d["object"] == "users.email"), "{report:#}");
    assert_eq!(db.int("SELECT count(*) FROM pg_extension WHERE extname = 'citext'").await, 0);
    assert_eq!(leftovers(&db).await.0, 0);
}

#[tokio::test]
async fn check_names_the_grant_a_role_without_any_create_privilege_needs() {
    let work = Workdir::new();
    work.sqlite("app.db", APP);
    let db = TestDb::new("check_no_privilege").await;
    // Without CREATE on the database the role cannot create the (trusted) extension itself.
    db.must_apply("CREATE EXTENSION citext WITH SCHEMA public;").await;
    let (role, url) = deploy_role(&db, false).await;
    apply_as(&url, &ddl_of(&plan_many(&[work.path().join("app.db")]))).await;
    let before = leftovers(&db).await;
    let o = run_cli(&["check", "app.db", "--to", &url], work.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("GRANT CREATE ON DATABASE {} TO {role}", db.name)), "{}", stderr(&o));
    assert_eq!(leftovers(&db).await, before);
}

/// A role set up as `check` once required (CREATEDB, no CREATE on the database) still works,
/// through a scratch database that is dropped afterwards.
#[tokio::test]
async fn check_still_works_for_a_createdb_role_through_a_scratch_database() {
    let work = Workdir::new();
    work.sqlite("app.db", APP);
    let db = TestDb::new("check_createdb_role").await;
    db.must_apply("CREATE EXTENSION citext WITH SCHEMA public;").await;
    let (role, url) = deploy_role(&db, false).await;
    db.must_apply(&format!("ALTER ROLE \"{role}\" CREATEDB;")).await;
    apply_as(&url, &ddl_of(&plan_many(&[work.path().join("app.db")]))).await;
    let before = leftovers(&db).await;
    let (code, report) = check_json(&["app.db"], &url, work.path());
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(leftovers(&db).await, before);
    // Only this test makes scratch databases (a role with CREATEDB and no CREATE on its database).
    assert_eq!(db.int("SELECT count(*) FROM pg_database WHERE datname LIKE 'sqlite2pg\\_check\\_%'").await, 0, "the scratch database is dropped");
}

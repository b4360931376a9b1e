//! The command line as a user runs it: formats, output files, exit codes, determinism.

use crate::support::{Workdir, run_cli, stderr, stdout};

fn app_db(work: &Workdir) {
    work.sqlite(
        "app.db",
        "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, is_admin INTEGER NOT NULL DEFAULT 0, profile TEXT, created_at DATETIME DEFAULT CURRENT_TIMESTAMP, n INTEGER);
         CREATE TABLE posts(id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, body TEXT);
         INSERT INTO users VALUES (1, 'a@x', 1, '{\"theme\":\"dark\"}', '2024-01-01 10:00:00', 1), (2, 'b@x', 0, '{}', '2024-01-02 11:00:00', 'two');
         INSERT INTO posts VALUES (1, 1, 'hello');",
    );
}

#[test]
fn inspect_text_json_markdown() {
    let work = Workdir::new();
    app_db(&work);
    let text = run_cli(&["inspect", "app.db"], work.path());
    assert!(text.status.success(), "{}", stderr(&text));
    let out = stdout(&text);
    for needle in ["app.db", "2 tables", "not fit bigint", "is_admin", "boolean", "jsonb"] {
        assert!(out.contains(needle), "text report lacks {needle}:\n{out}");
    }

    let json = run_cli(&["inspect", "--format", "json", "app.db"], work.path());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("valid JSON");
    assert_eq!(v["files"][0]["tables"], 2);
    assert_eq!(v["totals"]["needs_attention"], 0, "the text in users.n widens the column: {v:#}");
    assert!(v["files"][0]["columns"].as_array().expect("columns").iter().any(|c| c["column"] == "n" && c["pg_type"] == "text"), "{v:#}");
    let strict = run_cli(&["inspect", "--format", "json", "--strict-types", "app.db"], work.path());
    let v: serde_json::Value = serde_json::from_slice(&strict.stdout).expect("valid JSON");
    assert_eq!(v["totals"]["needs_attention"], 1, "strictly, the text in users.n breaks bigint: {v:#}");
    let cols = v["files"][0]["columns"].as_array().expect("columns");
    assert!(cols.iter().any(|c| c["column"] == "profile" && c["pg_type"] == "jsonb" && c["changed"] == true));

    let md = run_cli(&["inspect", "--format", "markdown", "app.db"], work.path());
    let out = stdout(&md);
    assert!(out.contains("```mermaid\nerDiagram") && out.contains("users ||--o{ posts"), "{out}");
}

#[test]
fn fail_on_sets_exit_8() {
    let work = Workdir::new();
    app_db(&work);
    let o = run_cli(&["inspect", "--fail-on", "needs-attention", "--strict-types", "app.db"], work.path());
    assert_eq!(o.status.code(), Some(8));
    let o = run_cli(&["inspect", "--fail-on", "warning", "app.db"], work.path());
    assert_eq!(o.status.code(), Some(8), "the widened column is a warning");
    work.sqlite("clean.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');");
    let o = run_cli(&["inspect", "--fail-on", "warning", "clean.db"], work.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn plan_sql_json_output_file_and_determinism() {
    let work = Workdir::new();
    app_db(&work);
    let a = run_cli(&["plan", "app.db"], work.path());
    assert!(a.status.success());
    let sql = stdout(&a);
    assert!(sql.contains("\"is_admin\"") || sql.contains("is_admin boolean NOT NULL DEFAULT false"), "{sql}");
    assert!(sql.contains("-- INTEGER, values {0,1} only, and the name reads as a flag"), "decision comments: {sql}");
    let b = run_cli(&["plan", "app.db"], work.path());
    assert_eq!(a.stdout, b.stdout, "byte-identical across runs");
    let bare = run_cli(&["plan", "--no-comments", "app.db"], work.path());
    assert!(!stdout(&bare).contains("-- INTEGER"));

    let o = run_cli(&["plan", "app.db", "-o", "out.sql"], work.path());
    assert!(o.status.success());
    assert_eq!(std::fs::read(work.path().join("out.sql")).expect("written"), a.stdout);

    let json = run_cli(&["plan", "--format", "json", "app.db"], work.path());
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let users = &v["schemas"][0]["tables"].as_array().expect("tables").iter().find(|t| t["name"] == "users").cloned().expect("users");
    let admin = users["columns"].as_array().expect("cols").iter().find(|c| c["name"] == "is_admin").cloned().expect("is_admin");
    assert_eq!(admin["pg_type"], "boolean");
    assert_eq!(admin["decision"]["rule"], "flag_boolean");
}

//! The example application database under examples/chat: it is what chat.sql builds, and its
//! plan makes every decision the quickstart shows.

use std::path::Path;

use sqlite2pg_converter::ddl;
use sqlite2pg_converter::plan::Plan;

use crate::support::pg::TestDb;
use crate::support::{Workdir, column, plan_one};

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.db")
}

/// Every table's rows, in rowid/key order, as text.
fn dump(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let mut out = Vec::new();
    let mut tables = conn.prepare("SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'view', 'index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY name").expect("prepare");
    let rows: Vec<(String, Option<String>)> = tables.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).expect("query").map(|r| r.expect("row")).collect();
    for (name, sql) in rows {
        out.push(format!("{name}: {}", sql.unwrap_or_default()));
        if conn.prepare(&format!("SELECT * FROM \"{name}\" LIMIT 0")).is_err() {
            continue;
        }
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{name}\"")).expect("select");
        let n = stmt.column_count();
        let mut q = stmt.query([]).expect("rows");
        while let Some(row) = q.next().expect("row") {
            let values: Vec<String> = (0..n).map(|i| format!("{:?}", row.get_ref(i).expect("value"))).collect();
            out.push(values.join("|"));
        }
    }
    out
}

#[test]
fn chat_db_is_built_from_chat_sql() {
    let work = Workdir::new();
    let sql = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.sql")).expect("chat.sql");
    let fresh = work.sqlite("chat.db", &sql);
    assert!(dump(&example()) == dump(&fresh), "examples/chat/chat.db is stale: rebuild it from chat.sql (see examples/chat/README.md)");
}

#[tokio::test]
async fn chat_plan_decisions_and_postgres() {
    let schema = plan_one(&example());
    let ty = |t: &str, c: &str| column(&schema, t, c).pg_type.to_string();
    assert_eq!(ty("users", "is_admin"), "boolean");
    assert_eq!(ty("users", "settings"), "jsonb");
    assert_eq!(ty("users", "birthday"), "date");
    assert_eq!(ty("users", "updated_at"), "timestamp");
    assert_eq!(ty("messages", "metadata"), "jsonb");
    assert_eq!(ty("messages", "client_id"), "uuid");
    assert_eq!(ty("messages", "tip"), "numeric(10,2)");
    assert_eq!(ty("messages", "score"), "double precision");
    assert_eq!(ty("messages", "sent_at"), "bigint", "epoch integers in plain integer columns stay numbers");
    assert_eq!(column(&schema, "messages", "sent_at").default.as_deref(), Some("(EXTRACT(EPOCH FROM now()))::bigint"));
    assert!(column(&schema, "messages", "id").identity);
    assert_eq!(schema.table("messages").and_then(|t| t.sqlite_sequence), Some(3000), "AUTOINCREMENT high-water mark survives deletes");
    assert_eq!(schema.triggers.len(), 1, "FTS sync triggers are dropped; the updated_at trigger stays");
    assert!(schema.findings.iter().any(|f| f.object == "trigger \"messages_fts_insert\"" && f.message.contains("FTS")));

    let db = TestDb::new("chat_plan_decisions_and_postgres").await;
    db.must_apply(&ddl::render(&Plan { schemas: vec![schema] }, ddl::DdlOptions::default())).await;
    db.must_apply("INSERT INTO users(email, display_name) VALUES ('X@example.org', 'X')").await;
    assert!(db.apply("INSERT INTO users(email, display_name) VALUES ('x@EXAMPLE.org', 'Y')").await.is_err(), "email stays unique ignoring case");
    assert!(db.apply("INSERT INTO conversations(kind) VALUES ('broadcast')").await.is_err(), "CHECK kept");
    assert_eq!(db.text("SELECT settings::text FROM users").await.as_deref(), Some("{}"));
}

//! Parity of translated full-text queries: the same rows in SQLite (FTS5 unicode61, FTS5
//! porter, FTS4 with the enhanced syntax rusqlite's SQLite is built with) and in PostgreSQL
//! (a weighted tsvector, `simple` or `english`), query by query. Exact translations must
//! return the same row ids; approximate ones (NEAR of three phrases, `^`) a superset.
//!
//! The vocabulary is ASCII lower-case words that SQLite's porter and PostgreSQL's english
//! stemmer reduce alike and that are no english stop words; known differences (stop words,
//! porter vs snowball stems) are out of this test by design and noted by the translator.

use std::collections::BTreeSet;

use sqlite2pg_rewrite::fts::{FtsDialect, FtsQuerySpec, translate_match};

use crate::support::Workdir;
use crate::support::pg::TestDb;

const WORDS: &[&str] = &["alpha", "bravo", "delta", "echo", "golf", "hotel", "kilo", "lima", "oscar", "tango", "jumping", "jumps", "walked", "walks"];

/// 200 documents (id, title, body) from a fixed linear congruential sequence.
fn documents() -> Vec<(i64, String, String)> {
    let mut state: u64 = 42;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % n
    };
    (1..=200)
        .map(|id| {
            let mut words = |count: usize| (0..count).map(|_| WORDS[next(WORDS.len())]).collect::<Vec<_>>().join(" ");
            let t = 1 + id % 3;
            let b = 4 + id % 9;
            (id as i64, words(t), words(b))
        })
        .collect()
}

const FTS5_QUERIES: &[&str] = &[
    "alpha",
    "Alpha",
    "alpha bravo",
    "alpha AND bravo",
    "alpha OR bravo",
    "alpha NOT bravo",
    "alpha NOT bravo delta",
    "alpha bravo OR delta echo",
    "(alpha OR bravo) AND NOT_A_WORD OR golf",
    "(alpha OR bravo) AND delta",
    "(alpha OR bravo) NOT (delta OR echo)",
    "\"alpha bravo\"",
    "alpha + bravo",
    "\"alpha bravo delta\"",
    "\"alpha, bravo!\"",
    "al*",
    "\"alpha br\"*",
    "hot* OR ki*",
    "title: alpha",
    "body: alpha",
    "title: alpha body: bravo",
    "title: \"alpha bravo\"",
    "title: (alpha OR bravo) NOT body: golf",
    "{title body}: tango",
    "-title: tango",
    "- body : (lima NOT oscar)",
    "title: al* bravo",
    "NEAR(alpha bravo)",
    "NEAR(alpha bravo, 0)",
    "NEAR(alpha bravo, 2)",
    "NEAR(\"alpha bravo\" delta, 1)",
    "NEAR(alpha alpha, 1)",
    "title: NEAR(alpha bravo, 1)",
    "NEAR(alpha bravo delta, 1)",
    "^alpha",
    "title: ^bravo",
    "\"\" alpha",
    "alpha OR \"\"",
];

/// Queries for the porter / english pair: stems (`jump` finds `jumping`, `jumps`).
const PORTER_QUERIES: &[&str] = &["jump", "jumping", "walks", "walk OR jump", "\"jumping alpha\"", "title: walked", "jump* NOT walk", "NEAR(walk jump, 1)"];

const FTS4_QUERIES: &[&str] = &[
    "alpha",
    "alpha bravo",
    "alpha OR bravo",
    "alpha AND bravo",
    "alpha NOT bravo",
    "alpha bravo OR delta",
    "(alpha OR bravo) delta",
    "\"alpha bravo\"",
    "al*",
    "title:alpha",
    "title:alpha bravo",
    "body:al* OR title:golf",
    "alpha NEAR bravo",
    "alpha NEAR/0 bravo",
    "alpha NEAR/2 \"bravo delta\"",
    "alpha.bravo",
    "nocol:alpha",
    "golf title:\"alpha bravo\" delta",
    "alpha -bravo",
];

fn sqlite_ids(conn: &rusqlite::Connection, table: &str, query: &str) -> BTreeSet<i64> {
    let mut stmt = conn.prepare(&format!("SELECT rowid FROM {table} WHERE {table} MATCH ?1")).expect("prepare");
    let rows = stmt.query_map([query], |r| r.get::<_, i64>(0)).unwrap_or_else(|e| panic!("{table} MATCH {query}: {e}"));
    rows.collect::<Result<_, _>>().unwrap_or_else(|e| panic!("{table} MATCH {query}: {e}"))
}

async fn pg_ids(db: &TestDb, table: &str, sql: &str) -> BTreeSet<i64> {
    use sqlx::Row;
    let q = format!("SELECT id FROM {table} WHERE fts @@ {sql}");
    sqlx::query(sqlx::AssertSqlSafe(q.clone()))
        .fetch_all(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .iter()
        .map(|r| r.get::<i64, _>(0))
        .collect()
}

/// Every query: SQLite's rows = PostgreSQL's (exact) or a subset of them (approximate).
async fn compare(conn: &rusqlite::Connection, db: &TestDb, table: &str, spec: &FtsQuerySpec, queries: &[&str]) -> usize {
    let mut failures = Vec::new();
    let mut nonempty = 0;
    for q in queries {
        let t = translate_match(q, spec).unwrap_or_else(|e| panic!("{q}: {e}"));
        let lite = sqlite_ids(conn, table, q);
        let pg = pg_ids(db, table, &t.sql).await;
        nonempty += usize::from(!lite.is_empty());
        let ok = if t.approximate { lite.is_subset(&pg) } else { lite == pg };
        if !ok {
            failures.push(format!(
                "{table}: `{q}` -> {} (approximate: {}): sqlite {} rows, postgres {} rows; only sqlite: {:?}; only postgres: {:?}",
                t.sql,
                t.approximate,
                lite.len(),
                pg.len(),
                lite.difference(&pg).collect::<Vec<_>>(),
                pg.difference(&lite).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} queries differ:\n{}", failures.len(), queries.len(), failures.join("\n"));
    nonempty
}

#[tokio::test]
async fn translated_queries_find_the_same_rows() {
    let docs = documents();
    let values = docs.iter().map(|(id, t, b)| format!("({id}, '{t}', '{b}')")).collect::<Vec<_>>().join(",\n");
    let work = Workdir::new();
    let path = work.sqlite(
        "fts.db",
        &format!(
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'unicode61');
             CREATE VIRTUAL TABLE docs_porter USING fts5(title, body, tokenize = 'porter unicode61');
             CREATE VIRTUAL TABLE docs4 USING fts4(title, body);
             INSERT INTO docs(rowid, title, body) VALUES {values};
             INSERT INTO docs_porter(rowid, title, body) SELECT rowid, title, body FROM docs;
             INSERT INTO docs4(docid, title, body) SELECT rowid, title, body FROM docs;"
        ),
    );
    let conn = rusqlite::Connection::open(&path).expect("open");

    let db = TestDb::new("fts_query_parity").await;
    let table = |name: &str, config: &str| {
        format!(
            "CREATE TABLE {name} (id bigint PRIMARY KEY, title text, body text, fts tsvector GENERATED ALWAYS AS \
             (setweight(to_tsvector('{config}', coalesce(title, '')), 'A') || setweight(to_tsvector('{config}', coalesce(body, '')), 'B')) STORED);
             INSERT INTO {name} (id, title, body) VALUES {values};\n"
        )
    };
    db.must_apply(&(table("docs", "simple") + &table("docs_porter", "english") + &table("docs4", "simple"))).await;

    let columns = ["title", "body"];
    let n5 = compare(&conn, &db, "docs", &FtsQuerySpec::new(columns, "simple", FtsDialect::Fts5), FTS5_QUERIES).await;
    let np = compare(&conn, &db, "docs_porter", &FtsQuerySpec::new(columns, "english", FtsDialect::Fts5), FTS5_QUERIES).await;
    let np2 = compare(&conn, &db, "docs_porter", &FtsQuerySpec::new(columns, "english", FtsDialect::Fts5), PORTER_QUERIES).await;
    let n4 = compare(&conn, &db, "docs4", &FtsQuerySpec::new(columns, "simple", FtsDialect::Fts34Enhanced), FTS4_QUERIES).await;
    // The data must exercise the queries: most of them find rows.
    assert!(n5 * 10 >= FTS5_QUERIES.len() * 7, "only {n5} of {} FTS5 queries found rows", FTS5_QUERIES.len());
    assert!(np >= n5 && np2 == PORTER_QUERIES.len(), "porter: {np}, {np2}");
    assert!(n4 * 10 >= FTS4_QUERIES.len() * 6, "only {n4} of {} FTS4 queries found rows", FTS4_QUERIES.len());
}

#[test]
fn cli_translates_and_refuses() {
    let work = Workdir::new();
    let ok = crate::support::run_cli(&["fts", "translate", "title: rust* OR \"big data\"", "--columns", "title,body"], work.path());
    assert!(ok.status.success(), "{}", crate::support::stderr(&ok));
    assert_eq!(
        crate::support::stdout(&ok),
        "to_tsquery('simple', '''rust'':*A | ''big'':A <-> ''data'':A | ''big'':B <-> ''data'':B')\n"
    );
    let approx = crate::support::run_cli(&["fts", "translate", "^alpha", "--config", "english"], work.path());
    assert!(approx.status.success());
    assert!(crate::support::stderr(&approx).contains("approximate"), "{}", crate::support::stderr(&approx));
    let bad = crate::support::run_cli(&["fts", "translate", "nocol: x", "--columns", "title,body"], work.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(crate::support::stderr(&bad).contains("no such column `nocol`"), "{}", crate::support::stderr(&bad));
    let fts4 = crate::support::run_cli(&["fts", "translate", "alpha -beta", "--fts34"], work.path());
    assert_eq!(crate::support::stdout(&fts4), "to_tsquery('simple', '''alpha'' & !''beta''')\n");
}

//! `copy`, `verify` and `migrate` on databases built here: every conversion, every rejects path,
//! resume after a kill, a live WAL writer, identities after deletes, cyclic keys, bad targets.

use std::path::Path;

use sqlite2pg_converter::mapping::PgType;
use sqlite2pg_converter::plan::{Plan, PlanOptions, plan_files};
use sqlite2pg_copy::{BadValuePolicy, CopyOptions, copy};
use sqlite2pg_verify::{VerifyOptions, verify};
use sqlx::Row;

use crate::support::pg::TestDb;
use crate::support::{Workdir, run_cli, stderr};

fn plan(path: &Path) -> Plan {
    plan_files(&[path.to_path_buf()], &PlanOptions::default()).expect("plan")
}

/// A plan that keeps each column's first choice of type (`--strict-types`): the rejects paths.
fn strict_plan(path: &Path) -> Plan {
    plan_files(&[path.to_path_buf()], &PlanOptions { strict_types: true, ..PlanOptions::default() }).expect("plan")
}

fn options(work: &Workdir) -> CopyOptions {
    CopyOptions { create_schema: true, rejects: work.path().join("rejects.jsonl"), jobs: 2, ..Default::default() }
}

fn rejects(work: &Workdir) -> Vec<serde_json::Value> {
    std::fs::read_to_string(work.path().join("rejects.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("rejects line is JSON"))
        .collect()
}

async fn verify_ok(plan: &Plan, db: &TestDb, work: &Workdir) -> sqlite2pg_verify::VerifyReport {
    let report = verify(plan, &db.options, &VerifyOptions { rejects: Some(work.path().join("rejects.jsonl")), ..Default::default() }).await.expect("verify runs");
    assert!(report.ok, "verify: {}", sqlite2pg_verify::render_text(&report));
    report
}

/// `INSERT INTO table` of rows `i, <rest>` for `i` in `1..=rows`, by a recursive CTE: one
/// statement however many rows (a script of one INSERT per row costs rusqlite's `execute_batch`
/// time quadratic in its length).
fn numbered_rows(table: &str, rows: i64, rest: &str) -> String {
    format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows}) INSERT INTO {table} SELECT i, {rest} FROM n")
}

#[tokio::test]
async fn every_conversion_arrives_exactly() {
    let work = Workdir::new();
    let path = work.sqlite(
        "conv.db",
        "CREATE TABLE t(
            id INTEGER PRIMARY KEY,
            is_on INTEGER NOT NULL, b BOOLEAN, j TEXT, d DATETIME, dz TEXT, day DATE, ep DATETIME,
            price NUMERIC(10,2), big INTEGER, r REAL, bin BLOB, u TEXT, note TEXT
         );
         INSERT INTO t VALUES
           (1, 1, 'true', '{\"a\":[1,2],\"b\":{\"c\":null}}', '2021-01-03 10:11:12', '2021-01-03T10:11:12.5+02:00', '2024-02-29', 1600000000, 0.99, 9007199254740993, 0.1, x'00ff10', '123e4567-e89b-12d3-a456-426614174000', 'tab\there\nnewline \\ backslash é'),
           (2, 0, '0', '[]', '2021-01-04', '2021-01-03T23:59:59Z', '1999-12-31', 1700000000, 12345678.5, -9223372036854775808, 9e999, x'', '00000000-0000-0000-0000-000000000000', ''),
           (3, 1, NULL, NULL, NULL, '2000-01-01T00:00:00Z', NULL, NULL, NULL, NULL, -9e999, NULL, '99999999-9999-9999-9999-999999999999', NULL);",
    );
    let plan = plan(&path);
    let db = TestDb::new("every_conversion_arrives_exactly").await;
    let summary = copy(&plan, &db.options, &options(&work)).await.expect("copy");
    assert!(summary.balanced());
    assert_eq!(summary.tables[0].copied, 3);
    let row = sqlx::query(
        "SELECT is_on, b, j::text, d::text, (dz AT TIME ZONE 'UTC')::text, day::text, (ep AT TIME ZONE 'UTC')::text, price::text, big, r, encode(bin, 'hex'), u::text, note FROM t WHERE id = 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("row 1");
    assert!(row.get::<bool, _>(0));
    assert_eq!(row.get::<Option<bool>, _>(1), Some(true));
    assert_eq!(row.get::<String, _>(2), r#"{"a": [1, 2], "b": {"c": null}}"#);
    assert_eq!(row.get::<String, _>(3), "2021-01-03 10:11:12");
    assert_eq!(row.get::<String, _>(4), "2021-01-03 08:11:12.5");
    assert_eq!(row.get::<String, _>(5), "2024-02-29");
    assert_eq!(row.get::<String, _>(6), "2020-09-13 12:26:40");
    assert_eq!(row.get::<String, _>(7), "0.99");
    assert_eq!(row.get::<i64, _>(8), 9_007_199_254_740_993, "integers beyond 2^53 stay exact");
    assert_eq!(row.get::<f64, _>(9).to_bits(), 0.1f64.to_bits(), "doubles keep every bit");
    assert_eq!(row.get::<String, _>(10), "00ff10");
    assert_eq!(row.get::<String, _>(11), "123e4567-e89b-12d3-a456-426614174000");
    assert_eq!(row.get::<String, _>(12), "tab\there\nnewline \\ backslash é");
    let inf: Vec<f64> = sqlx::query("SELECT r FROM t WHERE id IN (2, 3) ORDER BY id").fetch_all(&db.pool).await.expect("rows").iter().map(|r| r.get(0)).collect();
    assert_eq!(inf, [f64::INFINITY, f64::NEG_INFINITY]);
    assert_eq!(db.text("SELECT big::text FROM t WHERE id = 2").await.as_deref(), Some("-9223372036854775808"));
    assert_eq!(db.text("SELECT d::text FROM t WHERE id = 2").await.as_deref(), Some("2021-01-04 00:00:00"));
    assert_eq!(db.text("SELECT b::text FROM t WHERE id = 2").await.as_deref(), Some("false"));
    verify_ok(&plan, &db, &work).await;
}

/// Binary COPY stores exactly what text COPY stores: the same SQLite values, copied once in
/// each format, give equal rows (compared as PostgreSQL prints them) for every type with a
/// binary encoder, over awkward values: fractions and their rounding, zones, a leap second,
/// calendar ends, epoch seconds, milliseconds and microseconds (integer and real), uuid
/// spellings, JSON escapes, bytea, doubles at their limits.
#[tokio::test]
async fn binary_copy_stores_what_text_copy_stores() {
    let work = Workdir::new();
    let path = work.sqlite(
        "formats.db",
        r#"CREATE TABLE t(
            id INTEGER PRIMARY KEY, flag INTEGER, b BOOLEAN, small SMALLINT, i INT, big INTEGER, r REAL, s TEXT, v VARCHAR(20),
            j JSON, u TEXT, d DATE, tm TIME, ts DATETIME, tz TEXT, es DATETIME, ems DATETIME, eus DATETIME, ereal REAL, bin BLOB,
            price NUMERIC(10,2), amount NUMERIC
         );
         INSERT INTO t VALUES
           (1, 1, 'yes', -32768, 2147483647, 9223372036854775807, 5e-324, 'tab	here', 'é', '{"k":"\u00e9\n"}', '123E4567-E89B-12D3-A456-426614174000',
            '0001-01-01', '00:00', '2000-01-01 00:00:00.0000005', '2021-01-03T10:11:12.5+02:00', 100000000, 100000000000, 100000000000000, 1600000000.25, x'00', 0.99, '12345678901234567890.000123'),
           (2, 0, 'false', 32767, -2147483648, -9223372036854775808, 1.7976931348623157e308, '', '', '[1, 2.50, "x"]', '{00112233-4455-6677-8899-aabbccddeeff}',
            '9999-12-31', '23:59:60', '2000-01-01 00:00:00.0000015', '2021-01-03 23:59:59-0530', 1700000000, 1700000000123, 1700000000123456, 1700000000.000001, x'00ff10', -12345678.5, -0.5),
           (3, 1, 't', 0, 0, 0, -0.0, 'x\y', 'v', 'null', '00000000-0000-0000-0000-000000000000',
            '2024-02-29', '12:34:56.789', '1999-12-31T23:59:60', '2000-01-01T00:00:00Z', 99999999999, 99999999999999, 99999999999999999, 1234567890.5, x'', '0.10', '0.000'),
           (4, 0, 'F', NULL, NULL, NULL, 9e999, NULL, NULL, '"just a string"', NULL, '1970-01-01', '23:59:59.9999995', '2024-02-29 12:00', '2024-02-29', -100000000, -100000000000, 100000000000000, NULL, NULL, 7, 100000000),
           (5, 1, '1', 1, 1, 1, -9e999, 'x', 'x', '{}', NULL, NULL, NULL, '2000-01-01 00:00:00.1234564', '2000-01-01 00:00:00.9999995+14', NULL, NULL, NULL, NULL, x'41', NULL, 1e-7);"#,
    );
    let plan = plan(&path);
    let (text_db, binary_db) = (TestDb::new("copy_formats_text").await, TestDb::new("copy_formats_binary").await);
    let text = copy(&plan, &text_db.options, &CopyOptions { binary: false, ..options(&work) }).await.expect("text copy");
    let binary = copy(&plan, &binary_db.options, &options(&work)).await.expect("binary copy");
    assert!(!text.tables[0].binary && binary.tables[0].binary, "one copy in each format");
    assert!(text.balanced() && binary.balanced());
    assert_eq!((text.tables[0].copied, binary.tables[0].copied), (5, 5), "no value rejected");
    let rows = |db: &TestDb| {
        let pool = db.pool.clone();
        async move {
            sqlx::query("SET TIME ZONE 'UTC'").execute(&pool).await.expect("utc");
            let rows: Vec<(String,)> = sqlx::query_as("SELECT row_to_json(t)::text FROM t ORDER BY id").fetch_all(&pool).await.expect("rows");
            rows.into_iter().map(|r| r.0).collect::<Vec<_>>()
        }
    };
    let (by_text, by_binary) = (rows(&text_db).await, rows(&binary_db).await);
    assert_eq!(by_binary.len(), 5);
    for (t, b) in by_text.iter().zip(&by_binary) {
        assert_eq!(b, t, "binary and text COPY store different rows");
    }
    // A few values checked outright, so that equal wrong answers cannot pass.
    assert_eq!(binary_db.text("SELECT string_agg(coalesce(price::text, '-') || '/' || coalesce(amount::text, '-'), ' ' ORDER BY id) FROM t").await.as_deref(),
        // (SQLite's NUMERIC affinity stored the long text and '0.000' as REALs.)
        Some("0.99/12345678901234567000 -12345678.50/-0.5 0.10/0 7.00/100000000 -/0.0000001"));
    assert_eq!(binary_db.text("SELECT tz::text FROM t WHERE id = 1").await.as_deref(), Some("2021-01-03 08:11:12.5+00"));
    assert_eq!(binary_db.text("SELECT ts::text FROM t WHERE id = 2").await.as_deref(), Some("2000-01-01 00:00:00.000002"));
    assert_eq!(binary_db.text("SELECT tm::text FROM t WHERE id = 2").await.as_deref(), Some("24:00:00"));
    assert_eq!(binary_db.text("SELECT u::text FROM t WHERE id = 2").await.as_deref(), Some("00112233-4455-6677-8899-aabbccddeeff"));
    assert_eq!(binary_db.text("SELECT (ems AT TIME ZONE 'UTC')::text FROM t WHERE id = 2").await.as_deref(), Some("2023-11-14 22:13:20.123"));
    verify_ok(&plan, &binary_db, &work).await;
}

#[tokio::test]
async fn bad_values_go_to_the_rejects_file_and_nothing_disappears() {
    let work = Workdir::new();
    let path = work.sqlite(
        "bad.db",
        "CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER, j JSON, s TEXT, d DATETIME);
         INSERT INTO t VALUES (1, 10, '{}', 'ok', '2020-01-01'), (2, 'ten', '{}', 'ok', '2020-01-01'), (3, 30, '{bad', 'ok', '2020-01-01'),
                              (4, 40, '[]', 'nul' || char(0) || 'byte', '2020-01-01'), (5, 50, '[]', CAST(x'ff41' AS TEXT), '2020-01-01'),
                              (6, 60, '1', 'ok', 'not a date'), (7, 70, NULL, NULL, NULL);",
    );
    let plan = strict_plan(&path);
    let db = TestDb::new("bad_values_go_to_the_rejects_file").await;
    let summary = copy(&plan, &db.options, &options(&work)).await.expect("copy never aborts on bad values");
    let t = &summary.tables[0];
    assert_eq!((t.source_rows, t.copied, t.rejected), (7, 2, 5), "source rows = copied + rejected");
    let lines = rejects(&work);
    let reasons: Vec<(i64, String, String)> = lines.iter().map(|l| (l["key"]["id"].as_i64().unwrap_or(-1), l["column"].as_str().unwrap_or("").to_string(), l["reason"].as_str().unwrap_or("").to_string())).collect();
    for (id, col, needle) in [(2, "n", "not an integer"), (3, "j", "not valid JSON"), (4, "s", "NUL"), (5, "s", "UTF-8"), (6, "d", "ISO-8601")] {
        assert!(reasons.iter().any(|(i, c, r)| *i == id && c == col && r.contains(needle)), "row {id} {col}: {reasons:?}");
    }
    assert!(lines.iter().all(|l| l["table"] == "t" && l["action"] == "rejected" && l["value"].is_string() || l["value"].is_number()));
    let invalid = lines.iter().find(|l| l["key"]["id"] == 5).expect("row 5's reject");
    assert_eq!(invalid["value_bytes"], "ff41", "invalid UTF-8 kept byte for byte: {invalid}");
    assert!(lines.iter().filter(|l| l["key"]["id"] != 5).all(|l| l.get("value_bytes").is_none()), "only where the text is not UTF-8");
    assert_eq!(db.int("SELECT count(*) FROM t").await, 2);
    verify_ok(&plan, &db, &work).await;

    // Policies: NULL and lossy UTF-8 keep the rows and record what changed.
    let db2 = TestDb::new("bad_values_policy_null").await;
    let work2 = Workdir::new();
    let summary = copy(&plan, &db2.options, &CopyOptions { policy: BadValuePolicy::Null, ..options(&work2) }).await.expect("copy");
    assert_eq!((summary.tables[0].copied, summary.tables[0].rejected), (7, 0));
    assert!(rejects(&work2).iter().all(|l| l["action"] == "coerced to NULL"));
    assert_eq!(db2.int("SELECT count(*) FROM t WHERE n IS NULL").await, 1);
    verify_ok(&plan, &db2, &work2).await;

    let db3 = TestDb::new("bad_values_policy_lossy").await;
    let work3 = Workdir::new();
    let summary = copy(&plan, &db3.options, &CopyOptions { policy: BadValuePolicy::Lossy, ..options(&work3) }).await.expect("copy");
    assert_eq!(summary.tables[0].rejected, 3, "lossy only rescues text: n, j and d still reject");
    assert_eq!(db3.text("SELECT s FROM t WHERE id = 5").await.as_deref(), Some("\u{fffd}A"));
    assert_eq!(db3.text("SELECT s FROM t WHERE id = 4").await.as_deref(), Some("nulbyte"));
    verify_ok(&plan, &db3, &work3).await;
}

#[tokio::test]
async fn identities_continue_past_deletes_and_keys_of_any_shape_load() {
    let work = Workdir::new();
    let path = work.sqlite(
        "keys.db",
        "PRAGMA foreign_keys = OFF;
         CREATE TABLE seq(id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
         INSERT INTO seq(v) VALUES ('a'), ('b'), ('c'), ('d'), ('e'); DELETE FROM seq WHERE id > 3;
         CREATE TABLE plain(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO plain VALUES (10, 'x');
         CREATE TABLE tree(id INTEGER PRIMARY KEY, parent INTEGER REFERENCES tree(id));
         INSERT INTO tree VALUES (1, 3), (2, 1), (3, NULL);
         CREATE TABLE a(id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));
         CREATE TABLE b(id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
         INSERT INTO a VALUES (1, 1); INSERT INTO b VALUES (1, 1);",
    );
    let plan = plan(&path);
    let db = TestDb::new("identities_continue_past_deletes").await;
    copy(&plan, &db.options, &options(&work)).await.expect("copy");
    let report = verify_ok(&plan, &db, &work).await;
    assert!(report.identities.iter().all(|i| i.ok));
    db.must_apply("INSERT INTO seq(v) VALUES ('f'); INSERT INTO plain(v) VALUES ('y')").await;
    assert_eq!(db.int("SELECT max(id) FROM seq").await, 6, "AUTOINCREMENT continues past sqlite_sequence (5), not max(id) (3)");
    assert_eq!(db.int("SELECT max(id) FROM plain").await, 11);
    assert_eq!(db.int("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated").await, 3, "self-reference and cycle restored and validated");
    assert!(db.apply("INSERT INTO tree VALUES (9, 99)").await.is_err(), "the restored key is enforced");
}

/// Keys and indexes that a target schema carries, of any shape (a deferred unique key, NULLS NOT
/// DISTINCT, INCLUDE columns, a partial expression index), are set aside for the load and come
/// back exactly as they were: keys adopt an index built beside the others, or are rebuilt whole.
#[tokio::test]
async fn keys_and_indexes_of_any_shape_come_back_as_they_were() {
    let work = Workdir::new();
    let path = work.sqlite(
        "shapes.db",
        "CREATE TABLE k(id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c TEXT); INSERT INTO k VALUES (1, 'x', 1, 'p'), (2, 'y', NULL, 'q'), (3, NULL, 3, 'r');",
    );
    let plan = plan(&path);
    let db = TestDb::new("keys_and_indexes_of_any_shape").await;
    db.must_apply(
        "CREATE TABLE k (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, a text, b bigint, c text,
             CONSTRAINT k_a UNIQUE (a) DEFERRABLE INITIALLY DEFERRED, CONSTRAINT k_b UNIQUE NULLS NOT DISTINCT (b),
             CONSTRAINT k_c UNIQUE (c) INCLUDE (b));
         CREATE INDEX k_lower ON k (lower(c)) WHERE b > 0;",
    )
    .await;
    let shape = "SELECT string_agg(d, E'\\n' ORDER BY d) FROM (
                     SELECT conname || ': ' || pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conrelid = 'k'::regclass
                     UNION ALL SELECT pg_get_indexdef(indexrelid) || ' immediate ' || indimmediate FROM pg_index WHERE indrelid = 'k'::regclass) s";
    let before = db.text(shape).await.expect("shape");
    assert!(before.contains("DEFERRABLE INITIALLY DEFERRED") && before.contains("INCLUDE (b)"), "{before}");
    let summary = copy(&plan, &db.options, &CopyOptions { create_schema: false, ..options(&work) }).await.expect("copy");
    assert!(summary.balanced());
    assert_eq!(db.text(shape).await.expect("shape"), before);
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_saved").await, 0, "nothing left set aside");
    assert!(db.apply("INSERT INTO k (b) VALUES (NULL)").await.is_err(), "NULLS NOT DISTINCT is enforced again");
    verify_ok(&plan, &db, &work).await;
}

/// The JSON check that decides jsonb columns and rejects agrees with PostgreSQL's own parse on
/// every text tried: each grammar edge, `\u0000`, surrogates, numbers at numeric's limits,
/// whitespace other than JSON's, and a few thousand texts cut from valid documents.
#[tokio::test]
async fn the_json_check_agrees_with_postgresql() {
    let db = TestDb::new("the_json_check_agrees").await;
    let mut texts: Vec<String> = [
        "{}", "[]", " [1, 2.5, -0, 1e5, 1E+5, true, false, null] ", "\"\\/\"", "01", "1.", ".5", "-", "1e", "+1", "tru", "1 2", "[1,]",
        "{\"a\"}", "{1:2}", "\"\\u0000\"", "\"\\u0001\"", "\"\\udc00\"", "\"\\ud800x\"", "\"\\ud83d\\ude00\"", "\"\\ud800\\u0041\"", "\"a\tb\"",
        "\u{c}1", "1\u{b}", "\u{a0}1", "1e131071", "1e131072", "0.1e131072", "10e131071", "0.00001e131076", "0.00001e131077",
        "1e-16383", "1e-16384", "0e-16384", "1.5e-16383", "1.000e-16380", "1.000e-16381", "0e999999", "0e1073741822", "0e1073741823",
        "NaN", "{\"a\":1,\"a\":2}", "\"\\x\"", "\"\\u12\"",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    texts.push(format!("{}{}", "[".repeat(2048), "]".repeat(2048)));
    // Every prefix and every one-byte deletion of documents with each kind of token.
    let seeds = [
        "{\"k\": [1, -2.5e-3, \"s\\n\\u00e9\", true, null, {\"x\": false}]}",
        "[0, 10, \"\\ud83d\\ude00\", [], {}, 1E+2]",
        " {\"a\": {\"b\": [-0.0, 12e-1, \"\\\"q\\\"\\t\\/\"]}, \"c\": \"\\uD834\\uDD1E\"} ",
    ];
    for seed in seeds {
        for cut in 0..seed.len() {
            if seed.is_char_boundary(cut) {
                texts.push(seed[..cut].to_string());
                let mut deleted = seed.to_string();
                if deleted.is_char_boundary(cut + 1) {
                    deleted.remove(cut);
                    texts.push(deleted);
                }
            }
        }
    }
    let mut disagreements = Vec::new();
    for text in &texts {
        let ours = sqlite2pg_converter::json::is_jsonb(text);
        let theirs = sqlx::query("SELECT $1::text::jsonb").bind(text).execute(&db.pool).await.is_ok();
        if ours != theirs {
            disagreements.push(format!("{text:?}: ours {ours}, PostgreSQL {theirs}"));
        }
    }
    assert!(texts.len() > 300, "{} texts", texts.len());
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

/// JSON that jsonb cannot take goes to the rejects file with its reason; the table loads.
#[tokio::test]
async fn json_that_jsonb_refuses_is_rejected_not_fatal() {
    let work = Workdir::new();
    let path = work.sqlite(
        "j.db",
        r#"CREATE TABLE j(id INTEGER PRIMARY KEY, doc TEXT);
           INSERT INTO j VALUES (1, '{"a": 1}'), (2, '{"a": "\u0000"}'), (3, '["\ud800"]'), (4, '[1e131072]'), (5, ' {"ok": "\ud83d\ude00"} '),
                                (6, char(12) || '{}'), (7, '[2]');"#,
    );
    let mut plan = plan(&path);
    let doc = &mut plan.schemas[0].tables[0].columns[1];
    assert_eq!(doc.pg_type, PgType::Text, "values jsonb refuses keep the column text in a plan made from scratch");
    // A reviewed plan that says jsonb anyway.
    doc.pg_type = PgType::Jsonb;
    let db = TestDb::new("json_that_jsonb_refuses").await;
    let summary = copy(&plan, &db.options, &options(&work)).await.expect("copy");
    assert!(summary.balanced());
    let rejected: Vec<(i64, String)> = rejects(&work).iter().map(|r| (r["key"]["id"].as_i64().unwrap_or(0), r["reason"].as_str().unwrap_or("").to_string())).collect();
    assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3, 4, 6], "{rejected:?}");
    assert!(rejected[0].1.contains("\\u0000"), "{rejected:?}");
    assert_eq!(db.int("SELECT count(*) FROM j").await, 3);
    assert_eq!(db.text("SELECT doc->>'ok' FROM j WHERE id = 5").await.as_deref(), Some("\u{1f600}"));
    verify_ok(&plan, &db, &work).await;
}

#[tokio::test]
async fn verify_finds_differences() {
    let work = Workdir::new();
    let path = work.sqlite(
        "v.db",
        "CREATE TABLE k(id INTEGER PRIMARY KEY, v TEXT, flag INTEGER); INSERT INTO k VALUES (1, 'a', 0), (2, 'b', 1), (3, 'c', 0);
         CREATE TABLE nokey(a TEXT, b INTEGER); INSERT INTO nokey VALUES ('x', 1), ('x', 1), ('y', 2);
         CREATE TABLE big(id INTEGER PRIMARY KEY, v TEXT);",
    );
    // Rows travel between the two sides in batches: differences on both sides of a batch's
    // edge, and past several, are each found and named.
    rusqlite::Connection::open(&path).expect("open").execute_batch(&numbered_rows("big", 3_000, "'v' || i")).expect("rows");
    let plan = plan(&path);
    let db = TestDb::new("verify_finds_differences").await;
    copy(&plan, &db.options, &options(&work)).await.expect("copy");
    verify_ok(&plan, &db, &work).await;
    db.must_apply("UPDATE k SET v = 'B' WHERE id = 2; DELETE FROM k WHERE id = 3; INSERT INTO k VALUES (4, 'd', false); DELETE FROM nokey WHERE ctid IN (SELECT ctid FROM nokey WHERE a = 'x' LIMIT 1)").await;
    let report = verify(&plan, &db.options, &VerifyOptions::default()).await.expect("verify");
    assert!(!report.ok);
    let k = report.tables.iter().find(|t| t.table == "k").expect("k");
    assert_eq!((k.different, k.missing, k.extra), (1, 1, 1));
    assert!(k.examples.iter().any(|e| e.contains("\"id\":2") && e.contains("column v")), "{:?}", k.examples);
    let nokey = report.tables.iter().find(|t| t.table == "nokey").expect("nokey");
    assert_eq!((nokey.compared_by, nokey.missing, nokey.extra), ("multiset", 1, 0), "a duplicate row lost is found");
    db.must_apply("UPDATE big SET v = 'changed' WHERE id IN (512, 513, 2999); DELETE FROM big WHERE id IN (1024, 1025); INSERT INTO big VALUES (3001, 'new')").await;
    let report = verify(&plan, &db.options, &VerifyOptions { max_examples: 10, ..Default::default() }).await.expect("verify");
    let big = report.tables.iter().find(|t| t.table == "big").expect("big");
    assert_eq!((big.source_rows, big.target_rows, big.different, big.missing, big.extra), (3_000, 2_999, 3, 2, 1));
    for key in ["\"id\":512}: column v", "\"id\":513}: column v", "\"id\":2999}: column v", "missing in PostgreSQL: {\"id\":1024}", "missing in PostgreSQL: {\"id\":1025}", "extra in PostgreSQL"] {
        assert!(big.examples.iter().any(|e| e.contains(key)), "{key} in {:?}", big.examples);
    }
}

#[tokio::test]
async fn a_live_wal_writer_does_not_disturb_the_snapshot() {
    let work = Workdir::new();
    let path = work.path().join("live.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        let sql = format!(
            "PRAGMA journal_mode=WAL; CREATE TABLE parent(id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE child(id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id)); {}; {};",
            numbered_rows("parent", 20_000, "'p' || i"),
            numbered_rows("child", 20_000, "i"),
        );
        conn.execute_batch(&sql).expect("setup");
    }
    let plan = plan(&path);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(&path).expect("writer");
            conn.busy_timeout(std::time::Duration::from_secs(5)).expect("timeout");
            let mut next = 20_001;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && next < 200_000 {
                conn.execute_batch(&format!("BEGIN; INSERT INTO parent VALUES ({next}, 'late'); INSERT INTO child VALUES ({next}, {next}); COMMIT;")).expect("write");
                next += 1;
            }
            next - 20_001
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(50));
    let db = TestDb::new("a_live_wal_writer").await;
    let summary = copy(&plan, &db.options, &CopyOptions { chunk_rows: 2_000, ..options(&work) }).await.expect("copy");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().expect("writer thread");
    assert!(written > 0, "the writer wrote during the copy");
    assert!(summary.balanced());
    let parents = db.int("SELECT count(*) FROM parent").await;
    let children = db.int("SELECT count(*) FROM child").await;
    assert_eq!(parents, children, "one snapshot for both tables");
    assert_eq!(db.int("SELECT max(id) FROM parent").await, parents, "a gapless prefix: exactly one snapshot");
    assert_eq!(summary.tables.iter().find(|t| t.table == "parent").map(|t| t.source_rows), Some(parents as u64));
    assert_eq!(db.int("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated").await, 1);
}

/// Rows of the kill tests' table `big`: big enough that a debug build on a busy machine is still
/// mid-copy when the kill lands.
const BIG_ROWS: i64 = 120_000;
/// Rows of `big` with text in its integer column (every 9,999th), rejected.
const BIG_BAD: i64 = BIG_ROWS / 9_999;

/// The kill tests' table `big`, filled.
fn big_table() -> String {
    format!(
        "CREATE TABLE big(id INTEGER PRIMARY KEY, body TEXT, n INTEGER); {};",
        numbered_rows("big", BIG_ROWS, &format!("'row ' || i || ' {}', CASE WHEN i % 9999 = 0 THEN 'bad' ELSE i END", "x".repeat(40)))
    )
}

#[test]
fn resume_after_a_kill_gives_exact_equality() {
    let work = Workdir::new();
    const ROWS: i64 = BIG_ROWS;
    const BAD: i64 = BIG_BAD;
    work.sqlite("big.db", &format!(
        "{} CREATE TABLE pairs(a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID; {};",
        big_table(),
        numbered_rows("pairs", 3_000, "i * 2"),
    ));
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::new("resume_after_a_kill"));
    let url = db.url();
    // Chunk by chunk (every table in parts): the single-transaction load has its own test.
    let args = ["copy", "big.db", "--to", url.as_str(), "--create-schema", "--strict-types", "--chunk-rows", "2000", "--jobs", "2", "--single-transaction-rows", "0"];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sqlite2pg")).args(args).current_dir(work.path()).stderr(std::process::Stdio::null()).spawn().expect("spawn");
    // Kill at a point that depends on the clock: some chunks committed, the copy not done.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let copied = rt.block_on(async { sqlx::query("SELECT coalesce(sum(rows_copied), 0)::bigint FROM sqlite2pg.copy_progress").fetch_one(&db.pool).await.map(|r| r.get::<i64, _>(0)).unwrap_or(0) });
        if copied > 2_000 + (std::process::id() as i64 % 7) * 1_000 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    let partial = rt.block_on(db.int("SELECT count(*) FROM big"));
    assert!(partial < ROWS, "killed mid-copy ({partial} rows in)");

    let refused = run_cli(&["copy", "big.db", "--to", url.as_str(), "--strict-types"], work.path());
    assert_eq!(refused.status.code(), Some(7), "a non-empty target is refused without --resume: {}", stderr(&refused));

    let resumed = run_cli(&["copy", "big.db", "--to", url.as_str(), "--resume", "--strict-types"], work.path());
    assert_eq!(resumed.status.code(), Some(13), "rows rejected (a type narrowed on purpose): {}", stderr(&resumed));
    assert!(stderr(&resumed).contains(&format!("{BAD} rows not copied")), "the last line counts them: {}", stderr(&resumed));
    assert!(stderr(&resumed).contains("source rows = copied + rejected"));
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM big")), ROWS - BAD, "every row once; the bad ones rejected");
    assert_eq!(rt.block_on(db.int("SELECT count(DISTINCT id) FROM big")), ROWS - BAD);
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM pairs")), 3_000);
    // The large table went in two rowid ranges, each resumed on its own.
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM sqlite2pg.copy_progress WHERE table_name = 'big' AND done AND rowid_from IS NOT NULL")), 2, "big was split into two parts");
    let rejected_lines = std::fs::read_to_string(work.path().join("sqlite2pg-rejects.jsonl")).expect("rejects").lines().count();
    assert_eq!(rejected_lines as i64, BAD, "each reject written once across both runs");
    let verified = run_cli(&["verify", "big.db", "--to", url.as_str(), "--strict-types"], work.path());
    assert!(verified.status.success(), "{}", crate::support::stdout(&verified));
}

/// A table within `--single-transaction-rows` (the default for all but huge tables) loads in one
/// transaction with FREEZE: killed mid-load it holds no row and no reject is written, `--resume`
/// loads it again whole, and its pages arrive all-visible (what lets keys and indexes build
/// without rewriting every page).
#[test]
fn a_single_transaction_table_reloads_whole_after_a_kill_and_arrives_frozen() {
    let work = Workdir::new();
    const ROWS: i64 = BIG_ROWS;
    const BAD: i64 = BIG_BAD;
    work.sqlite("big.db", &big_table());
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::new("single_transaction_kill"));
    let url = db.url();
    let args = ["copy", "big.db", "--to", url.as_str(), "--create-schema", "--strict-types", "--jobs", "2"];
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sqlite2pg")).args(args).current_dir(work.path()).stderr(std::process::Stdio::null()).spawn().expect("spawn");
    // Kill once the server has taken some rows of the open transaction (at a point that
    // depends on the clock). The progress view counts rows per COPY, and a chunk here is one
    // 4 MB COPY of about 50,000 rows.
    let threshold = 2_000 + (std::process::id() as i64 % 7) * 1_000;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut seen = 0;
    while seen <= threshold && std::time::Instant::now() < deadline {
        seen = rt.block_on(async {
            sqlx::query("SELECT coalesce(max(p.tuples_processed), 0)::bigint FROM pg_stat_progress_copy p JOIN pg_class c ON c.oid = p.relid WHERE c.relname = 'big'")
                .fetch_one(&db.pool)
                .await
                .map(|r| r.get::<i64, _>(0))
                .unwrap_or(0)
        });
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().expect("kill");
    let _ = child.wait();
    assert!(seen > threshold, "the kill landed mid-load ({seen} rows sent)");
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM big")), 0, "nothing of the rolled-back load is visible");
    let rejects_path = work.path().join("sqlite2pg-rejects.jsonl");
    assert_eq!(std::fs::read_to_string(&rejects_path).unwrap_or_default().lines().count(), 0, "no reject is written before its rows commit");
    // `big` (120,000 rows) was planned from a sample and recorded as such: `--resume` plans it
    // exactly, finds the same definition, and takes the load on.
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM sqlite2pg.copy_provisional WHERE table_name = 'big'")), 1, "the killed copy planned big from a sample");

    let resumed = run_cli(&["copy", "big.db", "--to", url.as_str(), "--resume", "--strict-types"], work.path());
    assert_eq!(resumed.status.code(), Some(13), "rows rejected (a type narrowed on purpose): {}", stderr(&resumed));
    assert!(stderr(&resumed).contains(&format!("{BAD} rows not copied")), "the last line counts them: {}", stderr(&resumed));
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM big")), ROWS - BAD);
    assert_eq!(rt.block_on(db.int("SELECT count(DISTINCT id) FROM big")), ROWS - BAD);
    assert_eq!(std::fs::read_to_string(&rejects_path).expect("rejects").lines().count() as i64, BAD, "each reject written once");
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM sqlite2pg.copy_provisional")), 0, "the exact plan agreed: nothing provisional is left");
    // Loaded with FREEZE: every page all-visible (ANALYZE, at the end of the copy, counts them).
    let pages = rt.block_on(db.int("SELECT relpages::bigint FROM pg_class WHERE relname = 'big'"));
    let visible = rt.block_on(db.int("SELECT relallvisible::bigint FROM pg_class WHERE relname = 'big'"));
    assert!(pages > 0 && visible == pages, "{visible} of {pages} pages all-visible");
    let verified = run_cli(&["verify", "big.db", "--to", url.as_str(), "--strict-types"], work.path());
    assert!(verified.status.success(), "{}", crate::support::stdout(&verified));
}

/// A reader that fails half-way (a corrupt page near the end of the table) stops the copy,
/// and no part it did not finish is taken as done: once the file is whole again, `--resume`
/// copies exactly the missing rows.
#[test]
fn a_reader_failing_half_way_leaves_its_parts_to_resume() {
    let work = Workdir::new();
    const ROWS: i64 = 30_000;
    let path = work.sqlite("big.db", &format!("CREATE TABLE big(id INTEGER PRIMARY KEY, body TEXT); {};", numbered_rows("big", ROWS, &format!("'row ' || i || ' {}'", "z".repeat(100)))));
    let healthy = std::fs::read(&path).expect("read");
    // The reviewed plan, made while the file is whole (planning reads every row).
    let planned = run_cli(&["plan", "big.db", "--format", "json", "-o", "plan.json"], work.path());
    assert!(planned.status.success(), "{}", stderr(&planned));
    let mut bytes = healthy.clone();
    let page = 4096;
    // A leaf page (type 0x0D) in the middle of the table: the first and last rowids (read to
    // split the table) stay readable, the reader meets the page half-way through.
    let pages = bytes.len() / page;
    let victim = (pages * 2 / 5..pages).find(|&p| bytes[p * page] == 0x0D).expect("a table leaf page");
    for b in bytes[victim * page..(victim + 1) * page].iter_mut() {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).expect("corrupt a page");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::new("reader_failing_half_way"));
    let url = db.url();
    let failed = run_cli(&["copy", "--plan", "plan.json", "--to", url.as_str(), "--create-schema", "--chunk-rows", "1000", "--jobs", "2", "--single-transaction-rows", "0"], work.path());
    assert!(!failed.status.success(), "a corrupt page stops the copy");
    assert!(stderr(&failed).contains("corrupt"), "{}", stderr(&failed));
    let undone = rt.block_on(db.int("SELECT count(*) FROM sqlite2pg.copy_progress WHERE table_name = 'big' AND NOT done"));
    assert!(undone >= 1, "the part the reader did not finish is not done: {}", stderr(&failed));
    let partial = rt.block_on(db.int("SELECT count(*) FROM big"));
    assert!(partial < ROWS, "{partial} rows in after the failure");

    std::fs::write(&path, &healthy).expect("the file whole again");
    let resumed = run_cli(&["copy", "--plan", "plan.json", "--to", url.as_str(), "--resume", "--jobs", "3"], work.path());
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM big")), ROWS);
    assert_eq!(rt.block_on(db.int("SELECT count(DISTINCT id) FROM big")), ROWS);
    let verified = run_cli(&["verify", "--plan", "plan.json", "--to", url.as_str()], work.path());
    assert!(verified.status.success(), "{}", crate::support::stdout(&verified));
}

/// A database that an earlier sqlite2pg copied into keeps its copy state table of the earlier
/// shape (one row per table, no parts): it is upgraded in place, and its rows stay readable.
#[tokio::test]
async fn copy_state_of_an_earlier_version_is_upgraded() {
    let work = Workdir::new();
    let path = work.sqlite("small.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');");
    let plan = plan(&path);
    let db = TestDb::new("copy_state_upgraded").await;
    db.must_apply(
        "CREATE SCHEMA sqlite2pg;
         CREATE TABLE sqlite2pg.copy_progress (schema_name text NOT NULL, table_name text NOT NULL, last_rowid bigint,
             rows_copied bigint NOT NULL DEFAULT 0, rows_rejected bigint NOT NULL DEFAULT 0, done boolean NOT NULL DEFAULT false,
             PRIMARY KEY (schema_name, table_name));
         INSERT INTO sqlite2pg.copy_progress VALUES ('elsewhere', 'old', 10, 10, 0, true);",
    )
    .await;
    let summary = copy(&plan, &db.options, &options(&work)).await.expect("copy over an earlier state table");
    assert!(summary.balanced() && summary.tables[0].copied == 2);
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_progress WHERE table_name = 'old' AND part = 0 AND done").await, 1);
    assert_eq!(db.text("SELECT string_agg(a.attname, ',' ORDER BY a.attnum) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'sqlite2pg.copy_progress'::regclass AND i.indisprimary").await.as_deref(), Some("schema_name,table_name,part"));
}

/// A single-transaction table with more rejects than a writer keeps in memory (they wait for
/// the commit in a temporary file): every reject is written once, after the rows commit.
#[tokio::test]
async fn many_rejects_of_one_transaction_all_reach_the_rejects_file() {
    let work = Workdir::new();
    let path = work.sqlite("app.db", &format!("CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER); {};", numbered_rows("t", 30_000, "i")));
    // The plan is made while n holds integers; 25,000 of them become text afterwards.
    let plan = plan(&path);
    rusqlite::Connection::open(&path).expect("open").execute_batch("UPDATE t SET n = 'not a number ' || id WHERE id > 5000").expect("update");
    let db = TestDb::new("many_rejects").await;
    let summary = copy(&plan, &db.options, &options(&work)).await.expect("copy");
    assert!(summary.balanced());
    let t = summary.tables.iter().find(|t| t.table == "t").expect("t");
    assert_eq!((t.copied, t.rejected), (5_000, 25_000));
    assert_eq!(summary.rejects_written, 25_000);
    let lines = rejects(&work);
    assert_eq!(lines.len(), 25_000);
    let keys: std::collections::BTreeSet<i64> = lines.iter().filter_map(|l| l["key"]["id"].as_i64()).collect();
    assert_eq!((keys.len(), keys.first().copied(), keys.last().copied()), (25_000, Some(5_001), Some(30_000)), "each rejected row once");
    assert_eq!(db.int("SELECT count(*) FROM t").await, 5_000);
}

/// `--truncate` never empties a table outside the copied schemas: one that references a copied
/// table makes the copy refuse, naming it, with every row on both sides kept.
#[tokio::test]
async fn truncate_never_reaches_tables_outside_the_copied_schemas() {
    let work = Workdir::new();
    let path = work.sqlite("app.db", &format!("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); {};", numbered_rows("t", 5_000, "'v' || i")));
    let plan = plan(&path);
    let db = TestDb::new("truncate_outside").await;
    copy(&plan, &db.options, &options(&work)).await.expect("first copy");
    db.must_apply("CREATE SCHEMA other; CREATE TABLE other.r(t_id bigint REFERENCES public.t(id)); INSERT INTO other.r VALUES (1);").await;
    let err = copy(&plan, &db.options, &CopyOptions { truncate: true, ..options(&work) }).await.expect_err("refused");
    let message = err.to_string();
    assert!(message.contains("truncating the tables of schema public") && message.contains("Table \"r\" references \"t\""), "{message}");
    assert_eq!(db.int("SELECT count(*) FROM t").await, 5_000, "nothing emptied");
    assert_eq!(db.int("SELECT count(*) FROM other.r").await, 1, "the outside table kept its row");
}

/// A target schema also holding an application's own tables: the copy leaves their keys and
/// indexes alone (never dropped and rebuilt), and foreign keys that reference a copied table,
/// from the same schema or another, are set aside for the load (the load's TRUNCATE would be
/// refused while they exist) and come back validated.
#[tokio::test]
async fn tables_outside_the_plan_keep_their_indexes_and_may_reference_it() {
    let work = Workdir::new();
    let path = work.sqlite(
        "app.db",
        &format!("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT); {};", numbered_rows("users", 2_000, "'u' || i")),
    );
    let plan = plan(&path);
    let db = TestDb::new("tables_outside_the_plan").await;
    db.must_apply(&sqlite2pg_converter::ddl::render(&plan, sqlite2pg_converter::ddl::DdlOptions { comments: false })).await;
    db.must_apply(
        "CREATE TABLE public.audit (id bigint PRIMARY KEY, user_id bigint REFERENCES public.users (id), note text);
         CREATE INDEX audit_note ON public.audit (note);
         INSERT INTO public.audit VALUES (1, NULL, 'kept');
         CREATE SCHEMA other; CREATE TABLE other.likes (user_id bigint CONSTRAINT likes_user REFERENCES public.users (id));
         CREATE TABLE other.events (user_id bigint CONSTRAINT events_user REFERENCES public.users (id), at int) PARTITION BY RANGE (at);
         CREATE TABLE other.events_early PARTITION OF other.events FOR VALUES FROM (0) TO (100);
         CREATE TABLE other.notes (user_id bigint);
         ALTER TABLE other.notes ADD CONSTRAINT notes_user FOREIGN KEY (user_id) REFERENCES public.users (id) NOT VALID;",
    )
    .await;
    let outside_indexes = "SELECT string_agg(i, ',' ORDER BY i) FROM (SELECT indexrelid::regclass || '=' || indexrelid::oid AS i FROM pg_index WHERE indrelid = 'public.audit'::regclass) s";
    let before = db.text(outside_indexes).await.expect("indexes");
    let summary = copy(&plan, &db.options, &CopyOptions { create_schema: false, ..options(&work) }).await.expect("copy");
    assert!(summary.balanced() && summary.invalid_foreign_keys.is_empty(), "{summary:?}");
    assert_eq!(db.text(outside_indexes).await.expect("indexes"), before, "the outside table's indexes were never dropped");
    // A partitioned table's key comes back on the table and its partition (it takes no NOT
    // VALID key); a key its owner left NOT VALID stays so, and is not reported.
    let fks = "SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT conrelid::regclass || '.' || conname || ' ' || convalidated AS k FROM pg_constraint WHERE contype = 'f') s";
    assert_eq!(
        db.text(fks).await.expect("fks").as_str(),
        "audit.audit_user_id_fkey true,other.events.events_user true,other.events_early.events_user true,other.likes.likes_user true,other.notes.notes_user false"
    );
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_saved").await, 0, "nothing left set aside");
    assert!(db.apply("INSERT INTO other.likes VALUES (99999)").await.is_err(), "the outside key is enforced again");
    assert!(db.apply("INSERT INTO other.events VALUES (99999, 5)").await.is_err(), "and the partitioned one");
    db.must_apply("INSERT INTO other.likes VALUES (2000)").await;
    assert_eq!(db.int("SELECT count(*) FROM audit").await, 1);
    verify_ok(&plan, &db, &work).await;
}

/// Timeouts a managed server sets per role or database do not cancel the load's long
/// statements (a table's one COPY, index builds, validation) nor verify's reads.
#[tokio::test]
async fn server_timeouts_do_not_cancel_the_load() {
    let work = Workdir::new();
    let path = work.sqlite(
        "long.db",
        &format!("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, w TEXT); {}; CREATE INDEX t_v ON t(v);", numbered_rows("t", 200_000, "'value ' || i, hex(randomblob(16))")),
    );
    let plan = plan(&path);
    let db = TestDb::new("server_timeouts").await;
    db.must_apply("DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET statement_timeout = %L', current_database(), '10ms'); END $$").await;
    let summary = copy(&plan, &db.options, &options(&work)).await.expect("the copy is not cancelled");
    assert!(summary.balanced());
    assert_eq!(db.int("SELECT count(*) FROM t").await, 200_000);
    verify_ok(&plan, &db, &work).await;
}

#[tokio::test]
async fn bad_targets_fail_clearly() {
    let work = Workdir::new();
    work.sqlite("a.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a');");
    let unreachable = run_cli(&["copy", "a.db", "--to", "postgres://postgres@127.0.0.1:1/nowhere"], work.path());
    assert_eq!(unreachable.status.code(), Some(6), "{}", stderr(&unreachable));
    assert!(stderr(&unreachable).contains("127.0.0.1:1/nowhere"));

    // A server that accepts the connection and never answers: the connect timeout ends the
    // wait (the URL's connect_timeout, or PGCONNECT_TIMEOUT), exit 6, not a hang.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = silent.local_addr().expect("address").port();
    let held = std::thread::spawn(move || {
        if let Ok((stream, _)) = silent.accept() {
            std::thread::sleep(std::time::Duration::from_secs(8));
            drop(stream);
        }
    });
    let started = std::time::Instant::now();
    let hung = run_cli(&["copy", "a.db", "--to", &format!("postgres://postgres@127.0.0.1:{port}/db?connect_timeout=2")], work.path());
    assert_eq!(hung.status.code(), Some(6), "{}", stderr(&hung));
    assert!(stderr(&hung).contains("did not answer within 2 s"), "{}", stderr(&hung));
    assert!(started.elapsed() < std::time::Duration::from_secs(7), "the timeout, not the server, ended it");
    drop(held); // the thread ends by itself when its sleep does
    let with_env = std::process::Command::new(env!("CARGO_BIN_EXE_sqlite2pg"))
        .args(["copy", "a.db", "--to", "postgres://postgres@127.0.0.1:1/db?connect_timeout=soon"])
        .current_dir(work.path())
        .output()
        .expect("run");
    assert_eq!(with_env.status.code(), Some(2), "a connect_timeout that is no number is a usage error: {}", stderr(&with_env));
    let wrong_scheme = run_cli(&["copy", "a.db", "--to", "mysql://root@127.0.0.1/db"], work.path());
    assert_eq!(wrong_scheme.status.code(), Some(2), "{}", stderr(&wrong_scheme));
    assert!(stderr(&wrong_scheme).contains("not postgres://"), "{}", stderr(&wrong_scheme));

    let db = TestDb::new("bad_targets_fail_clearly").await;
    let missing = run_cli(&["copy", "a.db", "--to", &db.url()], work.path());
    assert_eq!(missing.status.code(), Some(7), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("lacks table \"t\"") && stderr(&missing).contains("--create-schema"), "{}", stderr(&missing));
    assert_eq!(db.int("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").await, 0, "nothing half-written");

    db.must_apply("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 's2p_secret') THEN CREATE ROLE s2p_secret LOGIN PASSWORD 'right-password'; END IF; END $$").await;
    let mut wrong = db.options.clone().username("s2p_secret").password("wrong-password-xyz");
    wrong = wrong.host("127.0.0.1");
    let wrong_url = format!("postgres://s2p_secret:wrong-password-xyz@127.0.0.1:{}/{}", wrong.get_port(), db.name);
    let denied = run_cli(&["copy", "a.db", "--to", &wrong_url, "--create-schema"], work.path());
    assert_eq!(denied.status.code(), Some(6), "the server must enforce passwords for s2p_secret (scripts/test.sh configures it): {}", stderr(&denied));
    assert!(stderr(&denied).contains("password authentication failed"), "{}", stderr(&denied));
    assert!(!stderr(&denied).contains("wrong-password-xyz"), "the password never appears");
    assert!(!stderr(&denied).contains(" at line "), "no line of PostgreSQL's own source in messages: {}", stderr(&denied));

    let no_target = std::process::Command::new(env!("CARGO_BIN_EXE_sqlite2pg"))
        .args(["migrate", "a.db"])
        .current_dir(work.path())
        .env_remove("DATABASE_URL")
        .env_remove("PGHOST")
        .env_remove("PGDATABASE")
        .env_remove("PGSERVICE")
        .output()
        .expect("run");
    assert_eq!(no_target.status.code(), Some(2));
    assert!(stderr(&no_target).contains("--to") && stderr(&no_target).contains("DATABASE_URL"), "{}", stderr(&no_target));
}

#[test]
fn migrate_then_verify_in_one_command() {
    let work = Workdir::new();
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::new("migrate_then_verify_in_one_command"));
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sqlite2pg"))
        .args(["migrate", example.to_str().unwrap_or_default(), "--to", &db.url(), "--format", "json"])
        .current_dir(work.path())
        .env_remove("SQLITE2PG_LOG")
        .output()
        .expect("run sqlite2pg");
    assert!(out.status.success(), "{}", stderr(&out));
    // Not on a terminal: plain log lines instead of bars, without colour codes.
    let log = stderr(&out);
    for line in ["copied schema=public table=messages part=0 rows=2998 rejected=0", "table analyzed schema=public table=users", "foreign keys validated"] {
        assert!(log.contains(line), "{line} in {log}");
    }
    assert!(!log.contains('\u{1b}'), "{log}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(report["ok"], true);
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM messages")), 2998);
    db.must_apply_blocking(&rt, "UPDATE messages SET body = 'changed' WHERE id = 7");
    let again = run_cli(&["verify", example.to_str().unwrap_or_default(), "--to", &db.url()], work.path());
    assert_eq!(again.status.code(), Some(9));
    assert!(crate::support::stdout(&again).contains("\"id\":7"));
}

#[test]
fn a_saved_plan_is_copied_exactly_as_reviewed() {
    let work = Workdir::new();
    work.sqlite("app.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, level INTEGER, doc TEXT); INSERT INTO t VALUES (1, 0, '{\"a\":1}'), (2, 1, '[]');");
    work.file("sqlite2pg.toml", b"[tables.t.columns.level]\ntype = \"boolean\"\n");
    let saved = run_cli(&["plan", "app.db", "--format", "json", "-o", "plan.json"], work.path());
    assert!(saved.status.success(), "{}", stderr(&saved));
    std::fs::remove_file(work.path().join("sqlite2pg.toml")).expect("config gone: the plan carries the decisions");
    let loaded = Plan::from_json_file(&work.path().join("plan.json")).expect("read back");
    let again = serde_json::to_string_pretty(&loaded).expect("json") + "\n";
    assert_eq!(again, std::fs::read_to_string(work.path().join("plan.json")).expect("plan.json"), "a saved plan reads back unchanged");

    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::new("a_saved_plan_is_copied_exactly"));
    let url = db.url();
    let copied = run_cli(&["copy", "--plan", "plan.json", "--to", &url, "--create-schema"], work.path());
    assert!(copied.status.success(), "{}", stderr(&copied));
    assert_eq!(rt.block_on(db.text("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 'level'")).as_deref(), Some("boolean"));
    let verified = run_cli(&["verify", "--plan", "plan.json", "--to", &url], work.path());
    assert!(verified.status.success(), "{}", crate::support::stdout(&verified));

    work.file("broken.json", b"{\"schemas\": 3}");
    let bad = run_cli(&["copy", "--plan", "broken.json", "--to", &url], work.path());
    assert_eq!(bad.status.code(), Some(5));
    assert!(stderr(&bad).contains("broken.json") && stderr(&bad).contains("not a plan"), "{}", stderr(&bad));
    let both = run_cli(&["copy", "app.db", "--plan", "plan.json", "--to", &url], work.path());
    assert_eq!(both.status.code(), Some(2), "DB files and --plan exclude each other");
}

#[tokio::test]
async fn tls_sslmode_require_and_verify_full() {
    let ca = std::env::var("SQLITE2PG_TEST_TLS_CA").expect("SQLITE2PG_TEST_TLS_CA is not set: run the suite with scripts/test.sh, which starts PostgreSQL with TLS");
    let work = Workdir::new();
    work.sqlite("a.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');");
    let db = TestDb::new("tls_sslmode_require_and_verify_full").await;
    let port = db.options.get_port();
    let require = format!("postgres://postgres@127.0.0.1:{port}/{}?sslmode=require", db.name);
    let out = run_cli(&["copy", "a.db", "--to", &require, "--create-schema"], work.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let verify_full = format!("postgres://postgres@localhost:{port}/{}?sslmode=verify-full&sslrootcert={ca}", db.name);
    let out = run_cli(&["verify", "a.db", "--to", &verify_full], work.path());
    assert!(out.status.success(), "verify-full against the trusted certificate: {}", stderr(&out));
    let untrusted = format!("postgres://postgres@localhost:{port}/{}?sslmode=verify-full", db.name);
    let out = run_cli(&["verify", "a.db", "--to", &untrusted], work.path());
    assert_eq!(out.status.code(), Some(6), "an untrusted certificate is refused: {}", stderr(&out));
    // And the session really is encrypted.
    let pool = sqlx::PgPool::connect(&require).await.expect("tls connection");
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(&pool).await.expect("pg_stat_ssl");
    assert!(ssl);
}

/// Whether the TCP sockets of this process bound to the local `ports` have TCP_NODELAY set, by
/// port. (Other tests' sockets are left out: one may be caught between its connect and its
/// setsockopt.)
#[allow(unsafe_code)]
fn nodelay_of_local_ports(ports: &[u16]) -> Vec<(u16, bool)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd").flatten() {
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<libc::c_int>() else { continue };
        if !std::fs::read_link(entry.path()).is_ok_and(|l| l.to_string_lossy().starts_with("socket:")) {
            continue;
        }
        // SAFETY: getsockname and getsockopt only write into the buffers passed with their true
        // sizes; a descriptor closed (or reused) by another test meanwhile gives an error or
        // another socket's answer, never undefined behaviour.
        unsafe {
            let mut addr: libc::sockaddr_storage = std::mem::zeroed();
            let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            if libc::getsockname(fd, (&raw mut addr).cast(), &mut len) != 0 {
                continue;
            }
            let local_port = match libc::c_int::from(addr.ss_family) {
                libc::AF_INET => u16::from_be((*(&raw const addr).cast::<libc::sockaddr_in>()).sin_port),
                libc::AF_INET6 => u16::from_be((*(&raw const addr).cast::<libc::sockaddr_in6>()).sin6_port),
                _ => continue,
            };
            if !ports.contains(&local_port) {
                continue;
            }
            let mut on: libc::c_int = 0;
            let mut size = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
            if libc::getsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, (&raw mut on).cast(), &mut size) == 0 {
                found.push((local_port, on != 0));
            }
        }
    }
    found
}

/// Every connection to PostgreSQL sends small messages at once (TCP_NODELAY). sqlx 0.9.0 left
/// Nagle's algorithm on, so each TLS handshake and the end of every COPY chunk waited 40 ms for
/// a delayed ACK; `vendor/sqlx-core` carries the upstream fix until it is released.
#[tokio::test]
async fn connections_do_not_wait_for_delayed_acks() {
    let db = TestDb::new("connections_do_not_wait_for_delayed_acks").await;
    let port = db.options.get_port();
    for sslmode in ["disable", "require"] {
        let url = format!("postgres://postgres@127.0.0.1:{port}/{}?sslmode={sslmode}", db.name);
        let target = sqlite2pg_pg::resolve_target(Some(&url)).expect("url");
        let pool = sqlite2pg_pg::connect(&target, 3).await.expect("connect");
        // Held at once, so the pool opens three connections; the server says which local port
        // each one comes from.
        let mut held = Vec::new();
        let mut ports = Vec::new();
        for _ in 0..3 {
            let mut conn = pool.acquire().await.expect("a pooled connection");
            let client_port: i32 = sqlx::query_scalar("SELECT client_port FROM pg_stat_activity WHERE pid = pg_backend_pid()").fetch_one(&mut *conn).await.expect("client_port");
            ports.push(u16::try_from(client_port).expect("a TCP port"));
            held.push(conn);
        }
        let sockets = nodelay_of_local_ports(&ports);
        assert_eq!(sockets.len(), 3, "sslmode={sslmode}: the pool's sockets {ports:?} are found: {sockets:?}");
        assert!(sockets.iter().all(|&(_, on)| on), "sslmode={sslmode}: every socket to the server has TCP_NODELAY: {sockets:?}");
        drop(held);
        pool.close().await;
    }
}

/// A table planned from a sample (`provisional_sample`), with a view and triggers on both and a
/// table referencing it; `miss` puts one value the sample does not read (row 4,999; 64 runs of
/// 4 rows are read) that is not JSON into the column the sample takes for JSON.
fn sampled_events(work: &Workdir, miss: bool) -> std::path::PathBuf {
    let path = work.sqlite(
        "events.db",
        "CREATE TABLE events(id INTEGER PRIMARY KEY, is_done INTEGER NOT NULL, payload TEXT, at DATETIME, note TEXT);
         CREATE TABLE log(id INTEGER PRIMARY KEY, event_id INTEGER REFERENCES events(id), what TEXT);
         CREATE VIEW done_events AS SELECT id, payload FROM events WHERE is_done = 1;
         CREATE TRIGGER events_log AFTER INSERT ON events BEGIN INSERT INTO log(event_id, what) VALUES (new.id, 'inserted'); END;
         CREATE TRIGGER done_events_add INSTEAD OF INSERT ON done_events BEGIN INSERT INTO events(is_done, payload) VALUES (1, new.payload); END;",
    );
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(&numbered_rows("events", 5_000, "i % 2, json_object('n', i), 1700000000 + i * 60, 'note ' || i")).expect("events");
    conn.execute_batch("INSERT INTO log(event_id, what) SELECT id, 'made' FROM events WHERE id % 10 = 0").expect("log");
    if miss {
        conn.execute_batch("UPDATE events SET payload = 'not json' WHERE id = 4999").expect("miss");
    }
    path
}

fn sampling(work: &Workdir) -> CopyOptions {
    CopyOptions { provisional_sample: 256, ..options(work) }
}

fn load_plan_options() -> PlanOptions {
    PlanOptions { skip_orphan_counts: true, ..Default::default() }
}

/// The plan a copy confirms is the exact plan, byte for byte, and what it loaded stands.
#[tokio::test]
async fn a_plan_from_a_sample_is_confirmed_by_the_copy() {
    let work = Workdir::new();
    let path = sampled_events(&work, false);
    let db = TestDb::new("plan_from_a_sample_confirmed").await;
    let (plan, summary) = sqlite2pg_copy::plan_and_copy(std::slice::from_ref(&path), &load_plan_options(), &db.options, &sampling(&work)).await.expect("copy");
    let sampled = summary.sampled_plan.as_ref().expect("planned from a sample");
    assert_eq!((sampled.tables.clone(), sampled.confirmed), (vec!["public.events".to_string(), "public.log".to_string()], true));
    let exact = plan_files(&[path], &load_plan_options()).expect("exact plan");
    assert!(!exact.schemas[0].sampled);
    assert_eq!(serde_json::to_string(&plan).expect("json"), serde_json::to_string(&exact).expect("json"));
    assert_eq!(db.column_type("public", "events", "payload").await, "jsonb");
    assert_eq!(db.column_type("public", "events", "is_done").await, "boolean");
    assert_eq!(db.column_type("public", "events", "at").await, "timestamp with time zone");
    assert_eq!(db.int("SELECT count(*) FROM events").await, 5_000);
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_provisional").await, 0);
    assert!(summary.balanced() && rejects(&work).is_empty());
    verify_ok(&plan, &db, &work).await;
}

/// A sample that misses a value its decision does not hold: the copy finds it in the exact
/// profile, drops what it created (view, trigger function and all) and copies again with the
/// exact plan, so the value arrives as it is instead of being rejected.
#[tokio::test]
async fn a_sample_that_misses_a_value_is_copied_again_with_the_exact_plan() {
    let work = Workdir::new();
    let path = sampled_events(&work, true);
    let db = TestDb::new("plan_from_a_sample_missed").await;
    let (plan, summary) = sqlite2pg_copy::plan_and_copy(std::slice::from_ref(&path), &load_plan_options(), &db.options, &sampling(&work)).await.expect("copy");
    let sampled = summary.sampled_plan.as_ref().expect("planned from a sample");
    assert_eq!((sampled.tables.clone(), sampled.confirmed), (vec!["public.events".to_string(), "public.log".to_string()], false));
    let exact = plan_files(&[path], &load_plan_options()).expect("exact plan");
    assert_eq!(serde_json::to_string(&plan).expect("json"), serde_json::to_string(&exact).expect("json"));
    assert_eq!(db.column_type("public", "events", "payload").await, "text");
    assert_eq!(db.text("SELECT payload FROM events WHERE id = 4999").await.as_deref(), Some("not json"));
    assert_eq!(db.int("SELECT count(*) FROM events").await, 5_000);
    // 5,000 rows the SQLite trigger wrote and 500 more: none written again by the PostgreSQL one.
    assert_eq!(db.int("SELECT count(*) FROM log").await, 5_500);
    assert!(rejects(&work).is_empty(), "nothing rejected: {:?}", rejects(&work));
    assert_eq!(db.int("SELECT count(*) FROM pg_views WHERE schemaname = 'public' AND viewname = 'done_events'").await, 1);
    assert_eq!(db.int("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.prorettype = 'trigger'::regtype").await, 2, "two trigger functions, each made once");
    assert_eq!(db.int("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relname IN ('events', 'done_events') AND NOT t.tgisinternal AND t.tgenabled = 'O'").await, 2, "their triggers, enabled");
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_provisional").await, 0);
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_progress WHERE table_name = 'events'").await, 1, "the first load's progress is gone");
    assert!(summary.balanced());
    verify_ok(&plan, &db, &work).await;
}

/// A table an interrupted copy loaded with a plan from a sample is loaded on only by a plan
/// that builds and converts it the same way: another one is refused, naming the table, and
/// nothing is touched.
#[tokio::test]
async fn a_provisional_load_the_plan_contradicts_is_not_resumed() {
    let work = Workdir::new();
    let path = sampled_events(&work, false);
    let plan = plan(&path);
    let db = TestDb::new("provisional_load_contradicted").await;
    copy(&plan, &db.options, &options(&work)).await.expect("copy");
    db.must_apply("INSERT INTO sqlite2pg.copy_provisional VALUES ('public', 'events', 'CREATE TABLE \"events\" (\n    \"payload\" text\n);\n')").await;
    let err = copy(&plan, &db.options, &CopyOptions { resume: true, ..options(&work) }).await.expect_err("refused");
    let message = err.to_string();
    assert!(message.contains("public.events") && message.contains("drop the copied tables"), "{message}");
    assert_eq!(err.exit_code(), 7);
    assert_eq!(db.int("SELECT count(*) FROM events").await, 5_000, "nothing touched");
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_provisional").await, 1, "the record stays until the tables are dropped");
    // Once the table is gone, the record is stale: a new copy creates and loads it afresh.
    db.must_apply("DROP VIEW done_events; DROP TABLE log, events; DROP FUNCTION events_log_fn, done_events_add_fn").await;
    copy(&plan, &db.options, &options(&work)).await.expect("copy afresh");
    assert_eq!(db.int("SELECT count(*) FROM sqlite2pg.copy_provisional").await, 0);
    verify_ok(&plan, &db, &work).await;
}

/// `--resume` refuses a source that changed since the interrupted copy read it; a copy that
/// rejects nothing leaves no rejects file.
#[test]
fn resume_refuses_a_source_that_changed() {
    let work = Workdir::new();
    let path = work.sqlite("s.db", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::new("resume_refuses_a_changed_source"));
    let url = db.url();
    let first = run_cli(&["copy", "s.db", "--to", &url, "--create-schema"], work.path());
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(!work.path().join("sqlite2pg-rejects.jsonl").exists(), "no reject, no rejects file");
    let same = run_cli(&["copy", "s.db", "--to", &url, "--resume"], work.path());
    assert!(same.status.success(), "an unchanged source resumes: {}", stderr(&same));
    rusqlite::Connection::open(&path).expect("open").execute_batch("INSERT INTO t VALUES (3, 'c');").expect("write");
    let changed = run_cli(&["copy", "s.db", "--to", &url, "--resume"], work.path());
    assert_eq!(changed.status.code(), Some(7), "{}", stderr(&changed));
    assert!(stderr(&changed).contains("changed since the interrupted copy read it"), "{}", stderr(&changed));
    let again = run_cli(&["copy", "s.db", "--to", &url, "--truncate"], work.path());
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM t")), 3);
}

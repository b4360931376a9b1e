//! Nothing lost, nothing refused: with the defaults, every row SQLite holds arrives in
//! PostgreSQL. Where stored values break a column's declared type (SQLite never enforced it),
//! the plan widens the type to one that holds all of them and says so; `--strict-types` (or a
//! type in sqlite2pg.toml) narrows on purpose, and then the rejects policy applies.

use std::path::Path;

use sqlite2pg_converter::plan::{Plan, PlanOptions, plan_files};
use sqlite2pg_copy::{CopyOptions, copy};
use sqlite2pg_verify::{VerifyOptions, verify};

use crate::support::pg::TestDb;
use crate::support::{Workdir, column};

fn plan_of(path: &Path, strict_types: bool) -> Plan {
    plan_files(&[path.to_path_buf()], &PlanOptions { skip_orphan_counts: true, strict_types, ..PlanOptions::default() }).expect("plan")
}

fn findings(plan: &Plan) -> String {
    plan.schemas[0].findings.iter().map(|f| format!("{} {}: {}", f.grade, f.object, f.message)).collect::<Vec<_>>().join("\n")
}

/// Plan with the defaults, create, copy, verify: every row arrives, none is rejected.
async fn every_row_arrives(path: &Path, work: &Workdir, test: &str) -> Plan {
    let plan = plan_of(path, false);
    let db = TestDb::new(test).await;
    let options = CopyOptions { create_schema: true, rejects: work.path().join("rejects.jsonl"), jobs: 2, ..Default::default() };
    let summary = copy(&plan, &db.options, &options).await.expect("copy");
    for t in &summary.tables {
        assert_eq!((t.copied, t.rejected), (t.source_rows, 0), "{}: every row arrives\n{}", t.table, findings(&plan));
    }
    assert!(!work.path().join("rejects.jsonl").exists() || std::fs::read_to_string(work.path().join("rejects.jsonl")).unwrap_or_default().is_empty(), "nothing rejected");
    let report = verify(&plan, &db.options, &VerifyOptions { rejects: Some(work.path().join("rejects.jsonl")), ..Default::default() }).await.expect("verify");
    assert!(report.ok, "{}", sqlite2pg_verify::render_text(&report));
    plan
}

#[tokio::test]
async fn mixed_integer_and_text_widens_to_text_and_the_foreign_keys_follow() {
    let work = Workdir::new();
    let path = work.sqlite(
        "contacts.db",
        "CREATE TABLE contacts (id INTEGER NOT NULL PRIMARY KEY, chat_id INTEGER, name TEXT) WITHOUT ROWID;
         INSERT INTO contacts VALUES (1, 100, 'a'), (2, '@bob', 'b'), (3, 300, 'c');
         CREATE TABLE accounts (code INTEGER PRIMARY KEY NOT NULL, label TEXT) WITHOUT ROWID;
         INSERT INTO accounts VALUES (10, 'ten'), ('x-11', 'eleven');
         CREATE TABLE entries (id INTEGER PRIMARY KEY, account INTEGER REFERENCES accounts(code), amount INTEGER);
         INSERT INTO entries VALUES (1, 10, 5), (2, 10, 7), (3, 10, 12.5);",
    );
    let plan = every_row_arrives(&path, &work, "mixed_integer_and_text").await;
    let schema = &plan.schemas[0];
    assert_eq!(column(schema, "contacts", "chat_id").pg_type.to_string(), "text");
    assert_eq!(column(schema, "accounts", "code").pg_type.to_string(), "text", "a key column widens too");
    assert_eq!(column(schema, "entries", "account").pg_type.to_string(), "text", "the foreign key follows its parent");
    assert_eq!(column(schema, "entries", "amount").pg_type.to_string(), "numeric", "integers and a real: exact numeric");
    assert_eq!(schema.table("entries").map(|t| t.foreign_keys.len()), Some(1), "the foreign key is kept: {}", findings(&plan));
    let text = findings(&plan);
    assert!(text.contains("table \"contacts\" column \"chat_id\": 1 stored value does not fit bigint, so the column is text"), "{text}");
    assert!(text.contains("it references \"accounts\".\"code\""), "{text}");
}

#[tokio::test]
async fn numbers_in_a_date_column_that_are_no_epoch_stay_numbers_and_are_named() {
    let work = Workdir::new();
    // Apple Core Data: seconds since 2001-01-01 in TIMESTAMP columns, as reals; small counters.
    let path = work.sqlite(
        "coredata.db",
        "CREATE TABLE ZEVENT (Z_PK INTEGER PRIMARY KEY, ZDATE TIMESTAMP, ZSTAMP TIMESTAMP);
         INSERT INTO ZEVENT VALUES (1, 0, 700000000.25), (2, 2024, 720000001.5), (3, NULL, 710000000.0);",
    );
    let plan = every_row_arrives(&path, &work, "numbers_in_a_date_column").await;
    let schema = &plan.schemas[0];
    assert_eq!(column(schema, "ZEVENT", "ZDATE").pg_type.to_string(), "bigint");
    assert_eq!(column(schema, "ZEVENT", "ZSTAMP").pg_type.to_string(), "double precision");
    let text = findings(&plan);
    assert!(text.contains("column \"ZDATE\": candidate: timestamptz if the numbers count time from an epoch: Unix seconds (1970-01-01 to 1970-01-01)"), "the epochs it could be, with their dates: {text}");
    assert!(text.contains("column \"ZSTAMP\": 3 stored values do not fit timestamp, so the column is double precision"), "{text}");
}

#[tokio::test]
async fn blobs_among_text_integers_or_untyped_values_widen_to_bytea() {
    let work = Workdir::new();
    let path = work.sqlite(
        "blobs.db",
        "CREATE TABLE gpkg (id INTEGER PRIMARY KEY, geom POINT, note TEXT, any_value, flags BLOB);
         INSERT INTO gpkg VALUES (1, x'47500001', 'plain', 'text', 0), (2, x'4750000200', x'00ff', x'0102', 1), (3, NULL, 'more', 42, x'ff');",
    );
    let plan = every_row_arrives(&path, &work, "blobs_widen_to_bytea").await;
    let schema = &plan.schemas[0];
    for c in ["geom", "note", "any_value", "flags"] {
        assert_eq!(column(schema, "gpkg", c).pg_type.to_string(), "bytea", "{c}");
    }
    let text = findings(&plan);
    assert!(text.contains("table \"gpkg\" column \"flags\": 2 numbers in a bytea column: stored as the bytes of the decimal text"), "{text}");
}

#[tokio::test]
async fn nul_bytes_and_invalid_utf8_widen_text_to_bytea() {
    let work = Workdir::new();
    let path = work.sqlite(
        "bytes.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT, name TEXT);
         INSERT INTO t VALUES (1, 'nul' || char(0) || 'inside', 'ok'), (2, CAST(x'ff41' AS TEXT), 'ok'), (3, 'plain', 'ok');",
    );
    let plan = every_row_arrives(&path, &work, "nul_and_invalid_utf8").await;
    assert_eq!(column(&plan.schemas[0], "t", "body").pg_type.to_string(), "bytea");
    assert_eq!(column(&plan.schemas[0], "t", "name").pg_type.to_string(), "text", "only the column that needs it");
}

#[tokio::test]
async fn null_in_a_primary_key_becomes_a_unique_constraint() {
    let work = Workdir::new();
    let path = work.sqlite(
        "nullkey.db",
        "CREATE TABLE autoinc (id BIGINT, name TEXT, PRIMARY KEY (id));
         INSERT INTO autoinc VALUES (NULL, 'a'), (NULL, 'b'), (3, 'c');",
    );
    let plan = every_row_arrives(&path, &work, "null_in_a_primary_key").await;
    let t = plan.schemas[0].table("autoinc").expect("table");
    assert!(t.primary_key.is_empty(), "no primary key: {:?}", t.primary_key);
    assert_eq!(t.uniques, vec![vec!["id".to_string()]], "a UNIQUE constraint instead");
    assert!(findings(&plan).contains("the key becomes a UNIQUE constraint"), "{}", findings(&plan));
}

#[tokio::test]
async fn declared_types_that_values_break_widen() {
    let work = Workdir::new();
    let path = work.sqlite(
        "declared.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, flag BOOLEAN, doc JSON, u UUID, price DECIMAL(5,2), day DATE);
         INSERT INTO t VALUES (1, 1, '{\"a\": 1}', '123e4567-e89b-12d3-a456-426614174000', 1.5, '2024-01-01'),
                              (2, 2, 'not json', 'n/a', 'free', 'someday'),
                              (3, 0, '[]', NULL, 2, NULL);",
    );
    let plan = every_row_arrives(&path, &work, "declared_types_widen").await;
    let schema = &plan.schemas[0];
    for (c, t) in [("flag", "bigint"), ("doc", "text"), ("u", "text"), ("price", "text"), ("day", "text")] {
        assert_eq!(column(schema, "t", c).pg_type.to_string(), t, "{c}");
    }
}

/// `--strict-types` keeps the first choice, and the rejects policy applies, as before.
#[tokio::test]
async fn strict_types_narrows_on_purpose() {
    let work = Workdir::new();
    let path = work.sqlite(
        "strict.db",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);
         INSERT INTO t VALUES (1, 10), (2, 'ten'), (3, 30);",
    );
    let plan = plan_of(&path, true);
    assert_eq!(column(&plan.schemas[0], "t", "n").pg_type.to_string(), "bigint");
    let db = TestDb::new("strict_types_narrow").await;
    let options = CopyOptions { create_schema: true, rejects: work.path().join("rejects.jsonl"), jobs: 2, ..Default::default() };
    let summary = copy(&plan, &db.options, &options).await.expect("copy");
    assert_eq!((summary.tables[0].copied, summary.tables[0].rejected), (2, 1));

    let cli = crate::support::run_cli(&["plan", &path.to_string_lossy(), "--strict-types", "--format", "json"], work.path());
    assert!(cli.status.success(), "{}", crate::support::stderr(&cli));
    let json: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("json");
    assert_eq!(json["schemas"][0]["tables"][0]["columns"][1]["pg_type"], "bigint", "the CLI flag reaches the plan");
}

/// Views PostgreSQL needs rewritten apply, the copy completes even where a view depends on a
/// table's primary key (it groups by it), and every view returns the same rows in both
/// engines after the copy.
#[tokio::test]
async fn views_apply_and_return_the_same_rows_in_both_engines() {
    let work = Workdir::new();
    let path = work.sqlite(
        "views.db",
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT);
         CREATE TABLE post_tags (post_id INTEGER REFERENCES posts(id), tag_id INTEGER REFERENCES tags(id));
         INSERT INTO tags VALUES (1, 'rust'), (2, 'sql'), (3, 'unused');
         INSERT INTO posts VALUES (1, 'first'), (2, 'second');
         INSERT INTO post_tags VALUES (1, 1), (1, 2), (2, 2);
         CREATE VIEW tag_counts AS SELECT tags.id, tags.name, count(post_tags.post_id) AS uses FROM tags LEFT JOIN post_tags ON post_tags.tag_id = tags.id GROUP BY tags.id;
         CREATE VIEW every_pair AS SELECT posts.id AS post, tags.id AS tag FROM posts JOIN tags;
         CREATE VIEW tag_total AS SELECT n FROM (SELECT count(*) AS n FROM tags);",
    );
    let plan = plan_of(&path, false);
    assert_eq!(plan.schemas[0].views.len(), 3, "every view is carried over: {}", findings(&plan));
    let db = TestDb::new("views_apply_and_match").await;
    let options = CopyOptions { create_schema: true, rejects: work.path().join("rejects.jsonl"), jobs: 2, ..Default::default() };
    copy(&plan, &db.options, &options).await.expect("the copy completes although tag_counts depends on tags' key");
    let sqlite = rusqlite::Connection::open(&path).expect("open");
    for view in ["tag_counts", "every_pair", "tag_total"] {
        let mut stmt = sqlite.prepare(&format!("SELECT * FROM {view} ORDER BY 1, 2")).or_else(|_| sqlite.prepare(&format!("SELECT * FROM {view} ORDER BY 1"))).expect("query");
        let width = stmt.column_count();
        let expected: Vec<String> = stmt
            .query_map([], |r| (0..width).map(|i| r.get_ref(i).map(|v| match v {
                rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                other => format!("{other:?}"),
            })).collect::<rusqlite::Result<Vec<String>>>().map(|v| v.join("|")))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        let order = if width > 1 { "1, 2" } else { "1" };
        let columns: Vec<String> = (1..=width).map(|i| format!("c{i}::text")).collect();
        let alias: Vec<String> = (1..=width).map(|i| format!("c{i}")).collect();
        let sql = format!("SELECT concat_ws('|', {}) FROM (SELECT * FROM {view} ORDER BY {order}) AS v({})", columns.join(", "), alias.join(", "));
        let actual: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await.expect("view query");
        assert_eq!(actual, expected, "view {view}");
    }
}

/// SeaORM (and Loco) apps on SQLite declare sea-query's own type names: each is read as the type
/// it stands for, with the values SeaORM writes (UUIDs as 16-byte blobs, timestamps mixing
/// SQLite's default text and RFC 3339 with nanoseconds), and every row arrives.
#[tokio::test]
async fn seaorm_sqlite_type_names_are_read_as_the_types_they_stand_for() {
    let work = Workdir::new();
    let path = work.sqlite(
        "loco.db",
        "CREATE TABLE users (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, pid uuid_text NOT NULL, created_at timestamp_with_timezone_text NOT NULL DEFAULT CURRENT_TIMESTAMP,
                             price real_decimal, amount real(10, 2), settings json_text, born date_text, kind enum_text, email_verified boolean);
         INSERT INTO users VALUES
           (1, x'0f3c9a10445566778899aabbccddeeff', '2026-12-06 00:04:44', 12.5, 3.25, '{\"theme\": \"dark\"}', '1990-05-01', 'admin', 1),
           (2, x'00112233445566778899aabbccddeeff', '2026-12-06T00:04:44.987150350+00:00', 0.1, 7, '\"plain\"', NULL, 'user', 0);",
    );
    let plan = every_row_arrives(&path, &work, "seaorm_type_names").await;
    let schema = &plan.schemas[0];
    for (c, t) in [("pid", "uuid"), ("created_at", "timestamptz"), ("price", "numeric"), ("amount", "numeric(10,2)"), ("settings", "jsonb"), ("born", "date"), ("kind", "text"), ("email_verified", "boolean")] {
        assert_eq!(column(schema, "users", c).pg_type.to_string(), t, "{c}");
    }
}

/// Index expressions PostgreSQL requires to be IMMUTABLE: `strftime()` over a timestamp (to_char
/// is STABLE) gets an IMMUTABLE stand-in, `date()` of a timestamptz is read at UTC; an index
/// over the current time is left out and reported. The planned DDL applies.
#[tokio::test]
async fn index_expressions_are_immutable_or_reported() {
    let work = Workdir::new();
    let path = work.sqlite(
        "idx.db",
        "CREATE TABLE ev (id INTEGER PRIMARY KEY, created DATETIME, at TEXT, note TEXT,
                          day TEXT CHECK (length(day) = 10),
                          doc TEXT CHECK (json_valid(doc)),
                          stamped TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', CURRENT_TIMESTAMP)));
         INSERT INTO ev VALUES (1, '2024-01-01 10:00:00', '2024-01-01T10:00:00Z', 'a', '2024-01-01', '\"x\"', '2024-01-01T10:00:00.000Z'),
                               (2, '2024-01-02 11:00:00', '2024-01-02T23:30:00+02:00', 'b', '2024-01-02', '[1]', '2024-01-02T11:00:00.123Z');
         CREATE INDEX ev_day ON ev (strftime('%Y-%m-%d', created));
         CREATE INDEX ev_at_day ON ev (date(at));
         CREATE INDEX ev_at_month ON ev (strftime('%Y-%m', at));
         CREATE INDEX ev_note ON ev (lower(note)) WHERE created > '2020-01-01';
         CREATE INDEX ev_note_time ON ev (datetime(note));",
    );
    let plan = every_row_arrives(&path, &work, "index_expressions_immutable").await;
    assert!(
        findings(&plan).contains("index \"ev_note_time\" on table \"ev\": left out: it uses a cast of text to a timestamp"),
        "a cast of text to a timestamp follows the session's DateStyle: reported, not emitted broken\n{}",
        findings(&plan)
    );
    let schema = &plan.schemas[0];
    let names: Vec<&str> = schema.indexes.iter().map(|i| i.name.as_str()).collect();
    for name in ["ev_day", "ev_at_day", "ev_at_month", "ev_note"] {
        assert!(names.contains(&name), "{name} is planned: {names:?}\n{}", findings(&plan));
    }
    assert!(schema.text_search_setup.iter().any(|s| s.contains("sqlite2pg_to_char") && s.contains("IMMUTABLE")), "the stand-in is created");
    let mut ddl = String::new();
    sqlite2pg_converter::ddl::render_schema(&mut ddl, schema, sqlite2pg_converter::ddl::DdlOptions::default());
    let db = TestDb::new("index_expressions_apply").await;
    db.apply(&ddl).await.unwrap_or_else(|e| panic!("the planned DDL applies: {e}\n{ddl}"));
    assert_eq!(db.int("SELECT count(*) FROM pg_indexes WHERE indexname IN ('ev_day', 'ev_at_day', 'ev_at_month', 'ev_note')").await, 4);
    // The CHECK over a column now `date`, the JSON check and the strftime default all apply and work.
    for (c, t) in [("day", "date"), ("stamped", "timestamptz")] {
        assert_eq!(column(schema, "ev", c).pg_type.to_string(), t, "{c}");
    }
    db.must_apply("INSERT INTO ev (id, day, doc) VALUES (3, '2024-02-03', '{\"a\": 1}')").await;
    assert!(db.apply("INSERT INTO ev (id, doc) VALUES (4, '{not json')").await.is_err(), "the JSON check refuses invalid JSON");
    assert_eq!(db.int("SELECT count(*) FROM ev WHERE id = 3 AND stamped > now() - interval '1 minute'").await, 1, "the default is the current time");
}

/// Every row arrives, but SQLite held rows without a parent: the foreign key stays NOT VALID,
/// and `copy` says so in its last line and exits 14 (not 0).
#[test]
fn foreign_keys_sqlite_rows_break_exit_14() {
    let work = Workdir::new();
    work.sqlite(
        "orphans.db",
        "PRAGMA foreign_keys = OFF; CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
         INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1), (2, 99);",
    );
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let db = rt.block_on(TestDb::new("foreign_keys_exit_14"));
    let out = crate::support::run_cli(&["copy", "orphans.db", "--to", &db.url(), "--create-schema"], work.path());
    let err = crate::support::stderr(&out);
    assert_eq!(out.status.code(), Some(14), "{err}");
    assert!(err.lines().last().is_some_and(|l| l.contains("every row copied; 1 foreign key left NOT VALID")), "{err}");
    assert_eq!(rt.block_on(db.int("SELECT count(*) FROM child")), 2, "every row arrived");
}

/// UTC stays UTC: a translated trigger writing SQLite's CURRENT_TIMESTAMP (naive UTC text) into a
/// column now `timestamp` stores the UTC time, whatever the session's time zone.
#[tokio::test]
async fn triggers_store_utc_whatever_the_session_zone() {
    let work = Workdir::new();
    let path = work.sqlite(
        "utc.db",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, updated_at DATETIME);
         INSERT INTO notes VALUES (1, 'a', '2024-01-01 00:00:00');
         CREATE TRIGGER notes_touch AFTER UPDATE OF body ON notes BEGIN UPDATE notes SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END;",
    );
    let plan = every_row_arrives(&path, &work, "triggers_store_utc").await;
    assert_eq!(column(&plan.schemas[0], "notes", "updated_at").pg_type.to_string(), "timestamp");
    let db = TestDb::new("triggers_store_utc_apply").await;
    let options = CopyOptions { create_schema: true, rejects: work.path().join("rejects.jsonl"), jobs: 2, ..Default::default() };
    copy(&plan, &db.options, &options).await.expect("copy");
    let mut conn = db.pool.acquire().await.expect("connection");
    sqlx::raw_sql("SET TimeZone = 'America/New_York'; UPDATE notes SET body = 'b' WHERE id = 1").execute(&mut *conn).await.expect("update");
    let drift: f64 = sqlx::query_scalar("SELECT abs(extract(epoch FROM updated_at - (now() AT TIME ZONE 'UTC')))::float8 FROM notes WHERE id = 1").fetch_one(&mut *conn).await.expect("read");
    assert!(drift < 60.0, "the trigger stored UTC, not New York time ({drift} s off)");
}

/// SQLite's 'now' is UTC in view bodies too: a view comparing a timestamp column (naive UTC)
/// with `datetime('now', ...)`, `CURRENT_TIMESTAMP` or `date('now')` returns the rows SQLite's
/// returns whatever the session's zone.
#[tokio::test]
async fn views_compare_with_now_at_utc_whatever_the_session_zone() {
    let work = Workdir::new();
    // The rows' times are SQLite's own UTC now, less 30 minutes, 90 minutes and 30 hours.
    let path = work.sqlite(
        "utc_views.db",
        "CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME NOT NULL, day DATE NOT NULL);
         INSERT INTO ev VALUES (1, datetime('now', '-30 minutes'), date('now', '-30 minutes')),
             (2, datetime('now', '-90 minutes'), date('now', '-90 minutes')), (3, datetime('now', '-30 hours'), date('now', '-30 hours'));
         CREATE VIEW last_hour AS SELECT id FROM ev WHERE at > datetime('now', '-1 hour') AND at < CURRENT_TIMESTAMP;
         CREATE VIEW today AS SELECT id FROM ev WHERE day = date('now');",
    );
    let sqlite_rows = |view: &str| -> Vec<i64> {
        let conn = rusqlite::Connection::open(&path).expect("open");
        let mut stmt = conn.prepare(&format!("SELECT id FROM {view} ORDER BY id")).expect("prepare");
        stmt.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("rows")
    };
    let plan = every_row_arrives(&path, &work, "views_now_utc").await;
    let db = TestDb::new("views_now_utc_apply").await;
    let options = CopyOptions { create_schema: true, rejects: work.path().join("rejects.jsonl"), jobs: 2, ..Default::default() };
    copy(&plan, &db.options, &options).await.expect("copy");
    // UTC-12 and UTC+14: at any time of day, one of them is on another date than UTC.
    for zone in ["Etc/GMT+12", "Pacific/Kiritimati", "America/New_York", "UTC"] {
        let mut conn = db.pool.acquire().await.expect("connection");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET TimeZone = '{zone}'"))).execute(&mut *conn).await.expect("set zone");
        for view in ["last_hour", "today"] {
            let pg: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT id FROM {view} ORDER BY id"))).fetch_all(&mut *conn).await.expect("read view");
            assert_eq!(pg, sqlite_rows(view), "view {view} under TimeZone {zone}");
        }
    }
}

//! `--keep-value-kinds` (issue 16): for an application whose code will not change, no column
//! changes the kind of value its driver returns. JSON kept in TEXT (parsed by the application
//! itself) reads back as the same text, byte for byte (key order, spacing, duplicate keys);
//! 0/1 flags stay integers (`is_active = 1` still works); ISO dates and UUIDs stay text; REAL
//! becomes double precision, the one lossless change. Without the flag, the same database
//! plans jsonb, boolean, timestamp and uuid, so the flag is what keeps them.

use crate::support::pg::TestDb;
use crate::support::{Workdir, run_cli, stderr, stdout};

const APP: &str = "
    CREATE TABLE settings (
        id INTEGER PRIMARY KEY,
        doc TEXT NOT NULL,
        is_active INTEGER NOT NULL DEFAULT 1,
        updated_at TEXT,
        token TEXT,
        ratio REAL,
        amount NUMERIC
    );
    INSERT INTO settings VALUES
        (1, '{\"b\": 1,  \"a\": [1, 2.50], \"b\": 2}', 1, '2024-03-31 01:30:00', '123e4567-e89b-12d3-a456-426614174000', 0.1, 12.5),
        (2, '[ \"x\" , {\"z\":null} ]', 0, '2024-10-27 02:30:00.123456', '00000000-0000-0000-0000-000000000000', -2.25, 7),
        (3, '{}', 1, NULL, NULL, NULL, NULL);
";

/// (column, the type it plans by default, the type it keeps with --keep-value-kinds)
const EXPECTED: &[(&str, &str, &str)] = &[
    ("doc", "jsonb", "text"),
    ("is_active", "boolean", "bigint"),
    ("updated_at", "timestamp without time zone", "text"),
    ("token", "uuid", "text"),
    ("ratio", "double precision", "double precision"),
];

#[tokio::test]
async fn keep_value_kinds_reads_back_what_the_application_read_on_sqlite() {
    let work = Workdir::new();
    let db_path = work.sqlite("app.db", APP);
    let file = db_path.to_string_lossy().into_owned();

    for (keep, test) in [(false, "value_kinds_default"), (true, "value_kinds_kept")] {
        let db = TestDb::new(test).await;
        let mut args = vec!["migrate", file.as_str(), "--to"];
        let url = db.url();
        args.push(&url);
        if keep {
            args.push("--keep-value-kinds");
        }
        let o = run_cli(&args, work.path());
        assert_eq!(o.status.code(), Some(0), "migrate {args:?}\n{}\n{}", stdout(&o), stderr(&o));
        for (column, default, kept) in EXPECTED {
            let found = db.column_type("public", "settings", column).await;
            assert_eq!(&found, if keep { kept } else { default }, "settings.{column} with keep_value_kinds = {keep}");
        }
        if !keep {
            continue;
        }
        // Every value reads back as the text SQLite held: JSON exactly as written.
        let conn = rusqlite::Connection::open(&db_path).expect("open SQLite");
        let mut stmt = conn.prepare("SELECT id, doc, is_active, updated_at, token FROM settings ORDER BY id").expect("prepare");
        let sqlite_rows: Vec<(i64, String, i64, Option<String>, Option<String>)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).expect("query").collect::<Result<_, _>>().expect("rows");
        let pg_rows: Vec<(i64, String, i64, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT id, doc, is_active, updated_at, token FROM settings ORDER BY id").fetch_all(&db.pool).await.expect("read PostgreSQL");
        assert_eq!(pg_rows, sqlite_rows, "the application reads the same values, of the same kinds");
        // The application's own SQL, unchanged, still works.
        assert_eq!(db.int("SELECT count(*) FROM settings WHERE is_active = 1").await, 2, "flag = 1 on an integer column");
        assert_eq!(db.int("SELECT count(*) FROM settings WHERE updated_at LIKE '2024-03-%'").await, 1, "LIKE on a date kept as text");
    }
}

/// `inspect` names, per column, what the application's code must change (what the drivers
/// return now, which SQL stops working); with `--keep-value-kinds` there is nothing to name.
#[test]
fn inspect_says_what_the_application_code_must_change() {
    let work = Workdir::new();
    let db_path = work.sqlite("app.db", APP);
    let file = db_path.to_string_lossy().into_owned();
    let o = run_cli(&["inspect", &file], work.path());
    let text = stdout(&o);
    assert!(text.contains("What the application's code must change"), "{text}");
    for needle in ["`is_active = 1` and `is_active = 0` fail", "`json_extract(doc, '$.a')` becomes `doc ->> 'a'`", "uuid.UUID in psycopg", "`updated_at LIKE '2024-%'` fails"] {
        assert!(text.contains(needle) || text.replace(char::is_whitespace, "").contains(&needle.replace(char::is_whitespace, "")), "inspect names {needle:?}:\n{text}");
    }
    let plan = run_cli(&["plan", &file], work.path());
    assert!(stdout(&plan).contains("-- settings.is_active (boolean): returns bool"), "plan's DDL closes with the changes:\n{}", stdout(&plan));
    let kept = run_cli(&["inspect", &file, "--keep-value-kinds"], work.path());
    assert!(!stdout(&kept).contains("What the application's code must change"), "{}", stdout(&kept));
}

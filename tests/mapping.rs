//! Every mapping rule, positive and negative, on SQLite files built from SQL here; each case's
//! DDL is then applied to PostgreSQL and the column type read back from the catalog.

use sqlite2pg_converter::mapping::Rule;
use sqlite2pg_converter::plan::{Grade, PlanOptions};
use sqlite2pg_converter::{ddl, plan::Plan};

use crate::support::pg::TestDb;
use crate::support::{Workdir, column, findings_about, plan_with};

struct Case {
    name: &'static str,
    setup: &'static str,
    column: &'static str,
    pg_type: &'static str,
    rule: Rule,
}

const fn case(name: &'static str, setup: &'static str, column: &'static str, pg_type: &'static str, rule: Rule) -> Case {
    Case { name, setup, column, pg_type, rule }
}

/// Each setup creates table `t`; `column` is the column under test.
const CASES: &[Case] = &[
    // Identity.
    case("rowid_alias", "CREATE TABLE t(id INTEGER PRIMARY KEY, x TEXT); INSERT INTO t(x) VALUES ('a');", "id", "bigint", Rule::Identity),
    case("autoincrement", "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT); INSERT INTO t(x) VALUES ('a');", "id", "bigint", Rule::Identity),
    case("int_pk_is_not_rowid_alias", "CREATE TABLE t(id INT PRIMARY KEY, x TEXT); INSERT INTO t VALUES (5, 'a');", "id", "bigint", Rule::Integer),
    case("without_rowid_pk", "CREATE TABLE t(id INTEGER PRIMARY KEY, x TEXT) WITHOUT ROWID; INSERT INTO t VALUES (5, 'a');", "id", "bigint", Rule::Integer),
    // Booleans.
    case("declared_boolean", "CREATE TABLE t(b BOOLEAN); INSERT INTO t VALUES (0), (1), (NULL);", "b", "boolean", Rule::DeclaredBoolean),
    case("declared_boolean_words", "CREATE TABLE t(b BOOL); INSERT INTO t VALUES ('true'), ('false'), ('1');", "b", "boolean", Rule::DeclaredBoolean),
    case("tinyint1", "CREATE TABLE t(b TINYINT(1)); INSERT INTO t VALUES (1);", "b", "boolean", Rule::DeclaredBoolean),
    case("flag_name_01", "CREATE TABLE t(is_active INTEGER NOT NULL); INSERT INTO t VALUES (0), (1), (1);", "is_active", "boolean", Rule::FlagBoolean),
    case("flag_name_camel", "CREATE TABLE t(isDeleted INTEGER); INSERT INTO t VALUES (0), (NULL);", "isDeleted", "boolean", Rule::FlagBoolean),
    case("01_without_flag_name", "CREATE TABLE t(level INTEGER); INSERT INTO t VALUES (0), (1);", "level", "bigint", Rule::Integer),
    // Booleans by evidence: the DDL (a 0/1 DEFAULT or CHECK) or a predicate name; counters stay numbers.
    case("flag_by_default", "CREATE TABLE t(flag_2 INTEGER DEFAULT 0); INSERT INTO t VALUES (0), (1);", "flag_2", "boolean", Rule::FlagBoolean),
    case("flag_by_default_unnamed", "CREATE TABLE t(opt_in INTEGER NOT NULL DEFAULT 1); INSERT INTO t VALUES (0), (1);", "opt_in", "boolean", Rule::FlagBoolean),
    case("flag_by_check", "CREATE TABLE t(x INTEGER CHECK (x IN (0, 1))); INSERT INTO t VALUES (0), (1);", "x", "boolean", Rule::FlagBoolean),
    case("flag_edited", "CREATE TABLE t(edited INTEGER); INSERT INTO t VALUES (0), (1);", "edited", "boolean", Rule::FlagBoolean),
    case("flag_ai_generated", "CREATE TABLE t(ai_generated INTEGER); INSERT INTO t VALUES (0), (1);", "ai_generated", "boolean", Rule::FlagBoolean),
    case("flag_success", "CREATE TABLE t(success INTEGER); INSERT INTO t VALUES (1), (1), (0);", "success", "boolean", Rule::FlagBoolean),
    case("counter_with_default_stays", "CREATE TABLE t(retry_count INTEGER DEFAULT 0); INSERT INTO t VALUES (0), (1);", "retry_count", "bigint", Rule::Integer),
    case("priority_stays", "CREATE TABLE t(priority INTEGER); INSERT INTO t VALUES (0), (1);", "priority", "bigint", Rule::Integer),
    case("foreign_id_stays", "CREATE TABLE t(user_id INTEGER DEFAULT 1); INSERT INTO t VALUES (0), (1);", "user_id", "bigint", Rule::Integer),
    case("flag_name_not_01", "CREATE TABLE t(is_active INTEGER); INSERT INTO t VALUES (0), (1), (2);", "is_active", "bigint", Rule::Integer),
    case("flag_name_empty", "CREATE TABLE t(is_active INTEGER);", "is_active", "bigint", Rule::Integer),
    // JSON.
    case("declared_json", "CREATE TABLE t(j JSON); INSERT INTO t VALUES ('{\"a\":1}'), ('\"s\"'), (NULL);", "j", "jsonb", Rule::DeclaredJson),
    case("detected_json", "CREATE TABLE t(j TEXT); INSERT INTO t VALUES ('{\"a\":[1,2]}'), ('[1,\"x\"]'), (NULL);", "j", "jsonb", Rule::DetectedJson),
    case("almost_json", "CREATE TABLE t(j TEXT); INSERT INTO t VALUES ('{\"a\":1}'), ('{not json}');", "j", "text", Rule::Text),
    case("json_scalars_stay_text", "CREATE TABLE t(j TEXT); INSERT INTO t VALUES ('\"a\"'), ('12');", "j", "text", Rule::Text),
    // Dates and times.
    case("declared_datetime_iso", "CREATE TABLE t(d DATETIME); INSERT INTO t VALUES ('2021-01-03 10:11:12'), ('2021-02-01 00:00:00');", "d", "timestamp", Rule::DeclaredTemporal),
    case("declared_datetime_dates_only", "CREATE TABLE t(d DATETIME); INSERT INTO t VALUES ('2021-01-03');", "d", "timestamp", Rule::DeclaredTemporal),
    case("declared_date", "CREATE TABLE t(d DATE); INSERT INTO t VALUES ('2021-01-03');", "d", "date", Rule::DeclaredTemporal),
    case("declared_date_with_times", "CREATE TABLE t(d DATE); INSERT INTO t VALUES ('2021-01-03'), ('2021-01-04 10:00:00');", "d", "timestamp", Rule::DeclaredTemporal),
    case("declared_timestamp_zone", "CREATE TABLE t(d TIMESTAMP); INSERT INTO t VALUES ('2021-01-03T10:11:12Z');", "d", "timestamptz", Rule::DeclaredTemporal),
    case("declared_time", "CREATE TABLE t(d TIME); INSERT INTO t VALUES ('10:11:12');", "d", "time", Rule::DeclaredTemporal),
    case("declared_datetime_epoch_s", "CREATE TABLE t(d DATETIME); INSERT INTO t VALUES (1600000000), (1700000000);", "d", "timestamptz", Rule::EpochTemporal),
    case("declared_datetime_epoch_ms", "CREATE TABLE t(d DATETIME); INSERT INTO t VALUES (1600000000000);", "d", "timestamptz", Rule::EpochTemporal),
    case("declared_datetime_empty", "CREATE TABLE t(d DATETIME);", "d", "timestamp", Rule::DeclaredTemporal),
    // Stored values that break the first choice widen it (nothing refused by default).
    case("declared_datetime_garbage", "CREATE TABLE t(d DATETIME); INSERT INTO t VALUES ('2021-01-03 10:11:12'), ('yesterday');", "d", "text", Rule::Widened),
    case("detected_iso_dates", "CREATE TABLE t(d TEXT); INSERT INTO t VALUES ('2021-01-03'), ('2021-12-31');", "d", "date", Rule::DetectedTemporal),
    case("detected_iso_mixed_date_datetime", "CREATE TABLE t(d TEXT); INSERT INTO t VALUES ('2021-01-03'), ('2021-12-31 12:00:00');", "d", "timestamp", Rule::DetectedTemporal),
    case("detected_iso_zone", "CREATE TABLE t(d TEXT); INSERT INTO t VALUES ('2021-01-03T10:00:00+02:00'), ('2021-01-03T10:00:00.123Z');", "d", "timestamptz", Rule::DetectedTemporal),
    case("text_dates_and_words", "CREATE TABLE t(d TEXT); INSERT INTO t VALUES ('2021-01-03'), ('soon');", "d", "text", Rule::Text),
    case("text_dates_and_times", "CREATE TABLE t(d TEXT); INSERT INTO t VALUES ('2021-01-03'), ('10:00');", "d", "text", Rule::Text),
    case("epoch_in_plain_integer", "CREATE TABLE t(created INTEGER); INSERT INTO t VALUES (1600000000), (1700000000);", "created", "bigint", Rule::Integer),
    // Numbers.
    case("real", "CREATE TABLE t(r REAL); INSERT INTO t VALUES (1.5), (1e308), (9e999), (-9e999);", "r", "double precision", Rule::Real),
    case("float_is_never_real4", "CREATE TABLE t(r FLOAT); INSERT INTO t VALUES (0.1);", "r", "double precision", Rule::Real),
    case("decimal_fits", "CREATE TABLE t(p NUMERIC(10,2)); INSERT INTO t VALUES (0.99), (12345678.5), (3);", "p", "numeric(10,2)", Rule::Decimal),
    case("decimal_too_precise", "CREATE TABLE t(p DECIMAL(5,2)); INSERT INTO t VALUES (1.005);", "p", "numeric", Rule::Decimal),
    case("decimal_too_large", "CREATE TABLE t(p DECIMAL(5,2)); INSERT INTO t VALUES (12345);", "p", "numeric", Rule::Decimal),
    case("smallint_fits", "CREATE TABLE t(s SMALLINT); INSERT INTO t VALUES (300);", "s", "smallint", Rule::Integer),
    case("smallint_too_big", "CREATE TABLE t(s SMALLINT); INSERT INTO t VALUES (3000000000);", "s", "bigint", Rule::Integer),
    // Bounded text.
    case("varchar_fits", "CREATE TABLE t(v VARCHAR(5)); INSERT INTO t VALUES ('abcde'), ('é€ab');", "v", "varchar(5)", Rule::BoundedText),
    case("varchar_too_long", "CREATE TABLE t(v NVARCHAR(3)); INSERT INTO t VALUES ('abcd');", "v", "text", Rule::BoundedText),
    // UUID.
    case("declared_uuid", "CREATE TABLE t(u UUID); INSERT INTO t VALUES ('123e4567-e89b-12d3-a456-426614174000');", "u", "uuid", Rule::Uuid),
    case("detected_uuid", "CREATE TABLE t(u TEXT); INSERT INTO t VALUES ('123e4567-e89b-12d3-a456-426614174000'), ('00000000-0000-0000-0000-000000000000');", "u", "uuid", Rule::Uuid),
    case("almost_uuid", "CREATE TABLE t(u TEXT); INSERT INTO t VALUES ('123e4567-e89b-12d3-a456-426614174000'), ('nope');", "u", "text", Rule::Text),
    // Blobs, untyped columns.
    case("blob", "CREATE TABLE t(b BLOB); INSERT INTO t VALUES (x'00ff');", "b", "bytea", Rule::Blob),
    case("untyped_integers", "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);", "x", "bigint", Rule::FromValues),
    case("untyped_numbers", "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2.5);", "x", "double precision", Rule::FromValues),
    case("untyped_mixed", "CREATE TABLE t(x); INSERT INTO t VALUES (1), ('one');", "x", "text", Rule::FromValues),
    case("untyped_empty", "CREATE TABLE t(x);", "x", "text", Rule::FromValues),
    case("untyped_blobs", "CREATE TABLE t(x); INSERT INTO t VALUES (x'01');", "x", "bytea", Rule::FromValues),
    case("unknown_type_name", "CREATE TABLE t(x STRING); INSERT INTO t VALUES ('a');", "x", "text", Rule::FromValues),
    // Text affinity.
    case("plain_text", "CREATE TABLE t(x TEXT); INSERT INTO t VALUES ('a');", "x", "text", Rule::Text),
    case("integer_with_text", "CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), ('abc');", "x", "text", Rule::Widened),
];

/// PostgreSQL's `format_type` spelling of our type names.
fn catalog_spelling(t: &str) -> String {
    match t {
        "timestamp" => "timestamp without time zone".into(),
        "timestamptz" => "timestamp with time zone".into(),
        "time" => "time without time zone".into(),
        v if v.starts_with("varchar(") => v.replace("varchar", "character varying"),
        other => other.into(),
    }
}

#[tokio::test]
async fn every_rule_decides_and_applies() {
    let work = Workdir::new();
    let db = TestDb::new("every_rule_decides_and_applies").await;
    let mut failures = Vec::new();
    for c in CASES {
        let path = work.sqlite(&format!("{}.db", c.name), c.setup);
        let options = PlanOptions { schema: Some(c.name.to_string()), ..Default::default() };
        let schema = plan_with(&path, &options);
        let col = column(&schema, "t", c.column);
        if col.pg_type.to_string() != c.pg_type || col.decision.rule != c.rule {
            failures.push(format!("{}: expected {} by {:?}, got {} by {:?} ({})", c.name, c.pg_type, c.rule, col.pg_type, col.decision.rule, col.decision.reason));
            continue;
        }
        let sql = ddl::render(&Plan { schemas: vec![schema.clone()] }, ddl::DdlOptions::default());
        db.must_apply(&sql).await;
        let got = db.column_type(c.name, "t", c.column).await;
        if got != catalog_spelling(c.pg_type) {
            failures.push(format!("{}: PostgreSQL reports {got}", c.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn identity_autoincrement_records_the_sequence() {
    let work = Workdir::new();
    let path = work.sqlite("a.db", "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, x TEXT); INSERT INTO t(x) VALUES ('a'),('b'),('c'); DELETE FROM t WHERE id = 3;");
    let schema = crate::support::plan_one(&path);
    let t = crate::support::table(&schema, "t");
    assert!(t.autoincrement);
    assert_eq!(t.sqlite_sequence, Some(3), "sqlite_sequence keeps the high-water mark past deletes");
    assert!(t.columns[0].identity);
    let plain = work.sqlite("b.db", "CREATE TABLE t(id INT PRIMARY KEY, x TEXT);");
    assert!(!crate::support::plan_one(&plain).tables[0].columns[0].identity);
}

#[test]
fn candidates_and_warnings_are_reported() {
    let work = Workdir::new();
    let path = work.sqlite(
        "a.db",
        "CREATE TABLE t(level INTEGER, created INTEGER, v NVARCHAR(3), p DECIMAL(5,2), x);
         INSERT INTO t VALUES (0, 1600000000, 'abcd', 1.005, 1), (1, 1600000001, 'a', 1, 'one');",
    );
    let schema = crate::support::plan_one(&path);
    let grades = |col: &str| findings_about(&schema, &format!("column \"{col}\"")).iter().map(|f| (f.grade, f.message.clone())).collect::<Vec<_>>();
    assert!(grades("level").iter().any(|(g, m)| *g == Grade::Info && m.contains("boolean")), "{:?}", grades("level"));
    assert!(grades("created").iter().any(|(g, m)| *g == Grade::Info && m.contains("epoch seconds")), "{:?}", grades("created"));
    assert!(grades("v").iter().any(|(g, m)| *g == Grade::Warning && m.contains("declared length 3")), "{:?}", grades("v"));
    assert!(grades("p").iter().any(|(g, m)| *g == Grade::Warning && m.contains("numeric(5,2)")), "{:?}", grades("p"));
    assert!(grades("x").iter().any(|(g, m)| *g == Grade::Warning && m.contains("mixed storage classes")), "{:?}", grades("x"));
}

#[test]
fn values_that_break_the_type_are_reported_with_keys() {
    let work = Workdir::new();
    let path = work.sqlite(
        "a.db",
        "CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER, b BOOLEAN, j JSON, d DATETIME);
         INSERT INTO t VALUES (1, 10, 1, '{}', '2020-01-01 00:00:00'), (2, 'ten', 2, '{bad', 0), (3, 30, 0, '[]', '2020-01-02');",
    );
    // Types narrowed on purpose: the breaking values are reported (by default the plan widens).
    let schema = plan_with(&path, &PlanOptions { strict_types: true, ..Default::default() });
    for (col, value) in [("n", "'ten'"), ("b", "2"), ("j", "'{bad'"), ("d", "0")] {
        let c = column(&schema, "t", col);
        assert_eq!(c.pg_type, c.decision.pg_type, "the type is kept");
        let v = c.violations.as_ref().unwrap_or_else(|| panic!("{col}: violations expected"));
        assert_eq!(v.count, 1, "{col}");
        assert_eq!(v.examples[0].key, "id=2", "{col}");
        assert_eq!(v.examples[0].value, value, "{col}");
        let f = findings_about(&schema, &format!("column \"{col}\""));
        assert!(f.iter().any(|f| f.grade == Grade::NeedsAttention && f.message.contains("id=2")), "{col}: {f:?}");
    }
    // A clean column has none.
    assert!(column(&schema, "t", "id").violations.is_none());
}

#[test]
fn config_overrides_win_and_bad_config_names_the_column() {
    let work = Workdir::new();
    let path = work.sqlite("a.db", "CREATE TABLE t(level INTEGER); INSERT INTO t VALUES (0), (1);");
    let config = sqlite2pg_converter::config::Config::parse("[tables.t.columns.level]\ntype = \"boolean\"\n", None).expect("config");
    let schema = plan_with(&path, &PlanOptions { config, ..Default::default() });
    let c = column(&schema, "t", "level");
    assert_eq!((c.pg_type.to_string().as_str(), c.decision.rule), ("boolean", Rule::Config));

    let config = sqlite2pg_converter::config::Config::parse("[tables.t.columns.levle]\ntype = \"boolean\"\n", None).expect("config");
    let err = sqlite2pg_converter::plan::plan_files(&[path], &PlanOptions { config, ..Default::default() }).expect_err("unknown column");
    assert!(err.to_string().contains("table \"t\" column \"levle\""), "{err}");
    assert_eq!(err.exit_code(), 5);
}

//! A real Sequelize 6 application, no mocks (issue 16): the app of tests/apps/sequelize_app
//! builds its schema on SQLite itself (`sequelize.sync()`, with sequelize-cli's `SequelizeMeta`)
//! and writes its data through its models; `sqlite2pg migrate app.db --to URL` plans the
//! PostgreSQL schema, creates it, copies and verifies. Then the same app on PostgreSQL must not
//! be able to tell:
//!
//! 1. it reads every row of every model equal to what it read on SQLite: the same JavaScript
//!    type and value, attribute by attribute (so a `bigint` key read as a string, `jsonb`
//!    reordering an object's keys or a `timestamp` read in the local zone are differences), and
//!    the same associations;
//! 2. `queryInterface.describeTable` of every table equals what Sequelize's own
//!    `sequelize.sync()` builds in a fresh PostgreSQL database (type, allowNull, defaultValue,
//!    primaryKey, autoIncrement, with the full PostgreSQL type and identity beside them), and so
//!    do the tables, foreign keys and indexes (primary, unique, plain; by columns, not names);
//! 3. it reads exactly what it reads from that sync-built database filled with the same data;
//! 4. it writes a new row in every table, past the old ids, and reads it back as written
//!    (write_check.js).
//!
//! The deliberate exceptions, each named here and nowhere else:
//! - ENUM columns ([`ENUM_COLUMNS`]): Sequelize stores them on SQLite as TEXT, with nothing that
//!   names the labels, so their PostgreSQL type (and describeTable's `special`, the labels) is
//!   not compared; their nullability and default are.
//! - DECIMAL attributes in the SQLite-to-PostgreSQL dump comparison (1.): Sequelize reads
//!   DECIMAL as a JavaScript number on SQLite and as a string on PostgreSQL, whatever the schema;
//!   there they must be the same number, and the string must have the column's scale. The
//!   comparison with the sync-built database (3.) takes no exception.
//!
//! The Node modules come from scripts/node-env.sh (target/node-env): the folder in
//! `SQLITE2PG_NODE_MODULES` (scripts/test.sh runs the script once and sets it), else the script
//! is run here, once per test binary. Every script runs with `TZ=America/New_York`, so a value
//! read in the process's zone instead of UTC shows.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Instant;

use serde_json::Value;

use crate::frameworks::{Difference, describe, read_dump, show, step};
use crate::support::pg::TestDb;
use crate::support::{Workdir, run_cli, stderr, stdout};

/// The ENUM columns of the app, as `(table, column)`: SQLite holds them as TEXT, so their type
/// is not compared (see the module doc). The test checks this list against the app's models.
const ENUM_COLUMNS: &[(&str, &str)] = &[("Posts", "status")];

/// describeTable keys not compared for an ENUM column: the type, the labels, the catalog type.
const ENUM_TYPE_KEYS: &[&str] = &["type", "special", "pgType"];

/// The models every dump must hold rows of (else the harness, not the migration, is broken).
const MODELS: &[&str] = &["Author", "Post", "Tag", "PostTag", "Comment", "SequelizeMeta"];

/// The zone the scripts run in: not UTC, so a time read in the local zone shows.
const TZ: &str = "America/New_York";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn app_dir() -> PathBuf {
    root().join("tests/apps/sequelize_app")
}

/// The node_modules folder with Sequelize, pg, pg-hstore and sqlite3.
fn node_modules() -> &'static Path {
    static MODULES: OnceLock<PathBuf> = OnceLock::new();
    MODULES.get_or_init(|| {
        if let Some(path) = std::env::var_os("SQLITE2PG_NODE_MODULES").filter(|p| !p.is_empty()) {
            return PathBuf::from(path);
        }
        let script = root().join("scripts/node-env.sh");
        let started = Instant::now();
        let o = Command::new("bash").arg(&script).current_dir(root()).output().expect("run scripts/node-env.sh");
        eprintln!("sequelize: scripts/node-env.sh: {:.2} s", started.elapsed().as_secs_f64());
        assert!(o.status.success(), "scripts/node-env.sh failed ({}):\n{}", o.status, stderr(&o));
        let out = stdout(&o);
        let last = out.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_else(|| panic!("scripts/node-env.sh printed no node_modules path:\n{}", stderr(&o)));
        PathBuf::from(last.trim())
    })
}

/// One of the app's scripts with the database in `APP_DB`, run in the app's folder.
fn node(app_db: &str, args: &[&str]) -> Command {
    let mut c = Command::new("node");
    c.args(args).current_dir(app_dir()).env("APP_DB", app_db).env("NODE_PATH", node_modules()).env("TZ", TZ).env_remove("NODE_OPTIONS");
    c
}

/// How two dumps are compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DumpComparison {
    /// The SQLite dump against a PostgreSQL one: DECIMAL attributes are the same number, a
    /// JavaScript number on SQLite and a string with the column's scale on PostgreSQL.
    SqliteToPostgres,
    /// Two PostgreSQL dumps: exactly equal.
    Exact,
}

/// A DECIMAL value read on SQLite (a number) and on PostgreSQL (a string with `scale` places):
/// the same number.
fn same_decimal(sqlite: &Value, pg: &Value, scale: u64) -> bool {
    let (Some([ta, a]), Some([tb, b])) = (sqlite.as_array().map(Vec::as_slice), pg.as_array().map(Vec::as_slice)) else { return false };
    if ta == "null" || tb == "null" {
        return ta == tb && a == b;
    }
    let (Some(a), Some(b)) = (a.as_str(), b.as_str()) else { return false };
    let places = b.split_once('.').map_or(0, |(_, f)| f.len());
    let digits = b.strip_prefix('-').unwrap_or(b).chars().all(|c| c.is_ascii_digit() || c == '.');
    ta == "number" && tb == "string" && digits && places as u64 == scale && matches!((a.parse::<f64>(), b.parse::<f64>()), (Ok(x), Ok(y)) if x == y)
}

/// Every difference between two dumps' models: a model, its row count, a row (by key) or an
/// attribute, with both values. Empty when the app read the same rows.
fn dump_differences(a: &Value, b: &Value, (name_a, name_b): (&str, &str), how: DumpComparison) -> Vec<Difference> {
    let empty = serde_json::Map::new();
    let models = |d: &Value| d["models"].as_object().cloned().unwrap_or_default();
    let (ma, mb) = (models(a), models(b));
    let mut out = Vec::new();
    let mut note = |place: String, line: String| out.push(Difference { place, line });
    for label in ma.keys().chain(mb.keys().filter(|k| !ma.contains_key(*k))) {
        let (Some(da), Some(db)) = (ma.get(label), mb.get(label)) else {
            note(label.clone(), format!("{label}: model only in the {} dump", if ma.contains_key(label) { name_a } else { name_b }));
            continue;
        };
        if da["count"] != db["count"] {
            note(format!("{label} rows"), format!("{label}: {name_a} counts {} rows, {name_b} {}", da["count"], db["count"]));
        }
        let decimals = da["decimals"].as_object().unwrap_or(&empty);
        let rows_a = da["rows"].as_object().unwrap_or(&empty);
        let rows_b = db["rows"].as_object().unwrap_or(&empty);
        for (key, ra) in rows_a {
            let Some(rb) = rows_b.get(key) else {
                note(format!("{label} rows"), format!("{label} {key}: row missing on {name_b}"));
                continue;
            };
            let (fa, fb) = (ra.as_object().unwrap_or(&empty), rb.as_object().unwrap_or(&empty));
            for attr in fa.keys().chain(fb.keys().filter(|k| !fa.contains_key(*k))) {
                let (va, vb) = (fa.get(attr), fb.get(attr));
                if va == vb {
                    continue;
                }
                if let (DumpComparison::SqliteToPostgres, Some(scale), Some(va), Some(vb)) = (how, decimals.get(attr).and_then(Value::as_u64), va, vb)
                    && same_decimal(va, vb, scale)
                {
                    continue;
                }
                note(format!("{label}.{attr}"), format!("{label} {key} attribute {attr}: {name_a} {} / {name_b} {}", show(va), show(vb)));
            }
        }
        for key in rows_b.keys().filter(|k| !rows_a.contains_key(*k)) {
            note(format!("{label} rows"), format!("{label} {key}: row only on {name_b}"));
        }
    }
    out
}

/// Every difference between two describe.js outputs: tables, and per table every column's
/// describeTable keys (ENUM columns without their type keys), foreign keys and indexes.
fn describe_differences(a: &Value, b: &Value, (name_a, name_b): (&str, &str)) -> Vec<Difference> {
    let empty = serde_json::Map::new();
    let mut out = Vec::new();
    let mut note = |place: String, line: String| out.push(Difference { place, line });
    let tables = |d: &Value| d["describe"].as_object().cloned().unwrap_or_default();
    let (ta, tb) = (tables(a), tables(b));
    for table in ta.keys().chain(tb.keys().filter(|k| !ta.contains_key(*k))) {
        let (Some(da), Some(db)) = (ta.get(table), tb.get(table)) else {
            note(table.clone(), format!("table {table} only in the {} database", if ta.contains_key(table) { name_a } else { name_b }));
            continue;
        };
        let (ca, cb) = (da["columns"].as_object().unwrap_or(&empty), db["columns"].as_object().unwrap_or(&empty));
        for column in ca.keys().chain(cb.keys().filter(|k| !ca.contains_key(*k))) {
            let (Some(xa), Some(xb)) = (ca.get(column).and_then(Value::as_object), cb.get(column).and_then(Value::as_object)) else {
                note(format!("{table}.{column}"), format!("column {table}.{column} only in the {} database", if ca.contains_key(column) { name_a } else { name_b }));
                continue;
            };
            let is_enum = ENUM_COLUMNS.contains(&(table.as_str(), column.as_str()));
            for key in xa.keys().chain(xb.keys().filter(|k| !xa.contains_key(*k))) {
                if is_enum && ENUM_TYPE_KEYS.contains(&key.as_str()) {
                    continue;
                }
                if xa.get(key) != xb.get(key) {
                    note(format!("{table}.{column}"), format!("describeTable {table}.{column} {key}: {name_a} {} / {name_b} {}", show(xa.get(key)), show(xb.get(key))));
                }
            }
        }
        for (what, field) in [("foreign key", "foreignKeys"), ("index", "indexes")] {
            let set = |d: &Value| d[field].as_array().map(|v| v.iter().map(Value::to_string).collect::<BTreeSet<_>>()).unwrap_or_default();
            let (sa, sb) = (set(da), set(db));
            for x in sa.difference(&sb) {
                note(format!("{table} {what}s"), format!("{table}: {what} {x} only in the {name_a} database"));
            }
            for x in sb.difference(&sa) {
                note(format!("{table} {what}s"), format!("{table}: {what} {x} only in the {name_b} database"));
            }
        }
    }
    out
}

/// The work folder's files copied where they outlive the test, for a failure message; the
/// PostgreSQL databases are kept anyway.
fn keep(work: &Workdir) -> String {
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sequelize");
    std::fs::remove_dir_all(&kept).ok();
    std::fs::create_dir_all(&kept).ok();
    for entry in std::fs::read_dir(work.path()).into_iter().flatten().flatten() {
        std::fs::copy(entry.path(), kept.join(entry.file_name())).ok();
    }
    kept.display().to_string()
}

#[tokio::test]
async fn a_sequelize_app_cannot_tell_its_migrated_database_from_one_it_built() {
    let work = Workdir::new();
    let path = |p: &Path| p.to_string_lossy().into_owned();
    let file = |name: &str| work.path().join(name);
    let sqlite = file("sequelize_app.db");
    let sqlite_url = format!("sqlite://{}", sqlite.display());

    // The app on SQLite: its schema, its data, what it reads (twice: the dump is deterministic).
    step("populate.js on SQLite", &mut node(&sqlite_url, &["populate.js"]));
    step("dump.js on SQLite", &mut node(&sqlite_url, &["dump.js", &path(&file("sqlite.json"))]));
    step("dump.js on SQLite again", &mut node(&sqlite_url, &["dump.js", &path(&file("sqlite-again.json"))]));
    let before = read_dump(&file("sqlite.json"));
    let again = dump_differences(&before, &read_dump(&file("sqlite-again.json")), ("SQLite", "SQLite again"), DumpComparison::Exact);
    assert!(again.is_empty(), "the harness is broken: two dumps of one SQLite file differ: {}", describe(&again));
    for model in MODELS {
        let rows = before["models"][model]["rows"].as_object().map_or(0, serde_json::Map::len);
        assert!(rows > 0, "the SQLite dump has no rows of {model}: the harness is broken, not the migration");
    }
    let enums: BTreeSet<(String, String)> = before["models"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .flat_map(|m| m["enums"].as_array().into_iter().flatten().map(move |a| (m["table"].as_str().unwrap_or("").to_string(), a.as_str().unwrap_or("").to_string())))
        .collect();
    let listed: BTreeSet<(String, String)> = ENUM_COLUMNS.iter().map(|(t, c)| (t.to_string(), c.to_string())).collect();
    assert_eq!(enums, listed, "ENUM_COLUMNS must list exactly the app's ENUM attributes (table, column)");

    // One command: plan, create, copy, verify.
    let migrated = TestDb::new("sequelize_migrated").await;
    let started = Instant::now();
    let migrate = run_cli(&["migrate", &path(&sqlite), "--to", &migrated.url(), "--rejects", &path(&file("rejects.jsonl"))], work.path());
    eprintln!("sequelize: sqlite2pg migrate: {:.2} s", started.elapsed().as_secs_f64());
    assert_eq!(
        migrate.status.code(),
        Some(0),
        "sqlite2pg migrate (files kept in {})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        keep(&work),
        stdout(&migrate),
        stderr(&migrate)
    );
    assert!(stdout(&migrate).contains("verify: everything matches"), "sqlite2pg migrate did not verify:\n{}", stdout(&migrate));
    let rejected = std::fs::read_to_string(file("rejects.jsonl")).unwrap_or_default();
    assert!(rejected.trim().is_empty(), "sqlite2pg migrate rejected rows (files kept in {}):\n{rejected}", keep(&work));

    // What the app reads and sees of its schema on the migrated database.
    step("dump.js on the migrated database", &mut node(&migrated.url(), &["dump.js", &path(&file("migrated.json"))]));
    step("describe.js on the migrated database", &mut node(&migrated.url(), &["describe.js", &path(&file("migrated-describe.json"))]));
    let after = read_dump(&file("migrated.json"));
    for model in MODELS {
        let (want, got) = (&before["models"][model]["count"], &after["models"][model]["count"]);
        assert_eq!(want, got, "{model}: SQLite holds {want} rows, the migrated database {got} (files kept in {})", keep(&work));
    }

    // The reference: Sequelize's own schema (`sequelize.sync()`) in a fresh database, described
    // before and after the same data goes in (it must not change), then read.
    let built = TestDb::new("sequelize_sync_built").await;
    step("populate.js --schema (sequelize.sync()) on PostgreSQL", &mut node(&built.url(), &["populate.js", "--schema"]));
    step("describe.js on the sync-built database", &mut node(&built.url(), &["describe.js", &path(&file("sync-describe.json"))]));
    step("populate.js on the sync-built database", &mut node(&built.url(), &["populate.js"]));
    step("describe.js on the sync-built database again", &mut node(&built.url(), &["describe.js", &path(&file("sync-describe-again.json"))]));
    step("dump.js on the sync-built database", &mut node(&built.url(), &["dump.js", &path(&file("sync.json"))]));
    let sync_describe = read_dump(&file("sync-describe.json"));
    let itself = describe_differences(&sync_describe, &read_dump(&file("sync-describe-again.json")), ("sync-built", "sync-built again"));
    assert!(itself.is_empty(), "the harness is broken: describe.js of one database differs from itself: {}", describe(&itself));
    assert!(sync_describe["describe"]["Posts"]["columns"]["id"]["autoIncrement"] == Value::Bool(true), "the harness is broken: describe.js sees no autoIncrement on the sync-built Posts.id");
    let sync_dump = read_dump(&file("sync.json"));
    let sqlite_vs_sync = dump_differences(&before, &sync_dump, ("SQLite", "sync-built PostgreSQL"), DumpComparison::SqliteToPostgres);
    assert!(sqlite_vs_sync.is_empty(), "the harness is broken: the same data written by the app on SQLite and on its own PostgreSQL schema reads differently beyond the listed exceptions: {}", describe(&sqlite_vs_sync));

    // The comparisons, all reported together.
    let mut report = Vec::new();
    let read = dump_differences(&before, &after, ("SQLite", "migrated PostgreSQL"), DumpComparison::SqliteToPostgres);
    if !read.is_empty() {
        report.push(format!("== 1. the app reads other values on the migrated database than on SQLite: {}", describe(&read)));
    }
    let schema = describe_differences(&sync_describe, &read_dump(&file("migrated-describe.json")), ("sync-built", "migrated"));
    if !schema.is_empty() {
        report.push(format!("== 2. describeTable: the migrated schema is not the one sequelize.sync() builds: {}", describe(&schema)));
    }
    let exact = dump_differences(&sync_dump, &after, ("sync-built PostgreSQL", "migrated PostgreSQL"), DumpComparison::Exact);
    if !exact.is_empty() {
        report.push(format!("== 3. the app reads other values on the migrated database than on its own schema with the same data: {}", describe(&exact)));
    }

    // The app writes on both: on its own schema (the check itself must pass there), then on the
    // migrated database.
    step("write_check.js on the sync-built database", &mut node(&built.url(), &["write_check.js"]));
    let write = node(&migrated.url(), &["write_check.js", &path(&file("sqlite.json"))]).output().expect("run write_check.js");
    if !write.status.success() {
        report.push(format!("== 4. write_check.js on the migrated database ({}):\n{}{}", write.status, stdout(&write), stderr(&write)));
    }
    assert!(report.is_empty(), "the Sequelize app can tell (files kept in {}; databases {} and {} kept):\n{}", keep(&work), migrated.name, built.name, report.join("\n\n"));
}

/// The comparisons themselves: equal inputs have no differences, each kind of difference is
/// named with its model or table, key, attribute and both values, DECIMAL is compared by number
/// and scale only from SQLite to PostgreSQL, and an ENUM column's type is the one exception.
#[test]
fn sequelize_comparisons_name_table_attribute_and_both_values() {
    let dump = |rows: Value, count: u64| serde_json::json!({ "models": { "Post": { "table": "Posts", "count": count, "decimals": { "price": 2 }, "enums": ["status"], "rows": rows } } });
    let a = dump(serde_json::json!({ "id=1": { "id": ["number", "1"], "price": ["number", "12.5"] }, "id=2": { "id": ["number", "2"], "price": ["null", "null"] } }), 2);
    assert!(dump_differences(&a, &a, ("A", "B"), DumpComparison::Exact).is_empty());
    let b = dump(serde_json::json!({ "id=1": { "id": ["string", "1"], "price": ["string", "12.50"] }, "id=3": { "id": ["number", "3"], "price": ["null", "null"] } }), 3);
    let lines: Vec<String> = dump_differences(&a, &b, ("SQLite", "PG"), DumpComparison::SqliteToPostgres).into_iter().map(|d| d.line).collect();
    assert_eq!(
        lines,
        [
            "Post: SQLite counts 2 rows, PG 3",
            r#"Post id=1 attribute id: SQLite ["number","1"] / PG ["string","1"]"#,
            "Post id=2: row missing on PG",
            "Post id=3: row only on PG",
        ]
    );
    let exact: Vec<String> = dump_differences(&a, &b, ("A", "B"), DumpComparison::Exact).into_iter().map(|d| d.line).collect();
    assert!(exact.contains(&r#"Post id=1 attribute price: A ["number","12.5"] / B ["string","12.50"]"#.to_string()), "{exact:?}");
    for (pg, same) in [("12.50", true), ("12.5", false), ("12.51", false), ("12.500", false)] {
        assert_eq!(same_decimal(&serde_json::json!(["number", "12.5"]), &serde_json::json!(["string", pg]), 2), same, "{pg}");
    }
    assert!(!same_decimal(&serde_json::json!(["number", "12.5"]), &serde_json::json!(["number", "12.5"]), 2));

    let described = |id: Value, status: Value, fks: Value| serde_json::json!({ "describe": { "Posts": { "columns": { "id": id, "status": status }, "foreignKeys": fks, "indexes": ["primary (id)"] } } });
    let sync = described(
        serde_json::json!({ "type": "INTEGER", "autoIncrement": true, "defaultValue": "nextval(\"Posts_id_seq\"::regclass)" }),
        serde_json::json!({ "type": "USER-DEFINED", "special": ["draft"], "pgType": "\"enum_Posts_status\"", "defaultValue": "draft" }),
        serde_json::json!(["authorId -> Authors.id"]),
    );
    assert!(describe_differences(&sync, &sync, ("a", "b")).is_empty());
    let migrated = described(
        serde_json::json!({ "type": "BIGINT", "autoIncrement": false, "defaultValue": null }),
        serde_json::json!({ "type": "TEXT", "special": [], "pgType": "text", "defaultValue": "draft" }),
        serde_json::json!([]),
    );
    let found = describe_differences(&sync, &migrated, ("sync-built", "migrated"));
    let lines: Vec<&str> = found.iter().map(|d| d.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "describeTable Posts.id autoIncrement: sync-built true / migrated false",
            r#"describeTable Posts.id defaultValue: sync-built "nextval(\"Posts_id_seq\"::regclass)" / migrated null"#,
            r#"describeTable Posts.id type: sync-built "INTEGER" / migrated "BIGINT""#,
            r#"Posts: foreign key "authorId -> Authors.id" only in the sync-built database"#,
        ]
    );
    assert!(describe(&found).starts_with("4 differences, by place:\n  Posts foreign keys: 1\n  Posts.id: 3\n"), "{}", describe(&found));
    let no_table = serde_json::json!({ "describe": {} });
    let lines: Vec<String> = describe_differences(&sync, &no_table, ("sync-built", "migrated")).into_iter().map(|d| d.line).collect();
    assert_eq!(lines, ["table Posts only in the sync-built database"]);
}

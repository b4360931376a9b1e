//! Real applications on real ORMs from PyPI, no mocks (issue 14): a Django 5.2 project and a
//! SQLAlchemy 2 + alembic app (tests/apps/) write their data on SQLite through their ORM; their
//! own migrations build the PostgreSQL schema; `sqlite2pg copy --truncate` fills it and leaves
//! that schema as it was (columns, constraints, indexes, enums, triggers); then the same
//! application on PostgreSQL reads every object equal to what it read on SQLite (same Python
//! types, field by field), `sqlite2pg verify` passes, the application passes its own checks
//! (`migrate --check`, `makemigrations --check`, `alembic check`) and writes new rows in every
//! table, past the old ids. The Python environment comes from scripts/python-env.sh: the python
//! in `SQLITE2PG_PYTHON` (scripts/test.sh runs the script once and sets it), else the script is
//! run here, once per test binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Instant;

use serde_json::Value;

use crate::support::pg::TestDb;
use crate::support::{Workdir, run_cli, stderr, stdout};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The virtualenv's python, with Django, SQLAlchemy, alembic and psycopg.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(path) = std::env::var_os("SQLITE2PG_PYTHON").filter(|p| !p.is_empty()) {
            return PathBuf::from(path);
        }
        let script = root().join("scripts/python-env.sh");
        let o = Command::new("bash").arg(&script).current_dir(root()).output().expect("run scripts/python-env.sh");
        assert!(o.status.success(), "scripts/python-env.sh failed ({}):\n{}", o.status, stderr(&o));
        let out = stdout(&o);
        let last = out.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_else(|| panic!("scripts/python-env.sh printed no python path:\n{}", stderr(&o)));
        PathBuf::from(last.trim())
    })
}

/// One of the applications under tests/apps/.
struct App {
    /// Its folder under tests/apps/, also the name of its files in the work folder.
    name: &'static str,
    /// The models every dump must hold rows of (else the harness, not the copy, is broken).
    models: &'static [&'static str],
    /// Its own migrations, building the PostgreSQL schema.
    migrate: &'static [&'static str],
    /// Its own checks on the migrated, copied database.
    checks: &'static [&'static [&'static str]],
    /// Its script answering the application's queries (lookups, aggregates, admin pages) into
    /// a JSON file: the answers on PostgreSQL must be SQLite's.
    lookups: Option<&'static str>,
    /// Its sqlite2pg.toml (in its folder) for `migrate` alone: the columns SQLite's DDL cannot
    /// tell apart, named as the plan's findings ask.
    config: Option<&'static str>,
}

const DJANGO: App = App {
    name: "django_app",
    models: &[
        "shop.Category",
        "shop.Tag",
        "shop.Customer",
        "shop.Product",
        "shop.Product_tags",
        "shop.Order",
        "shop.OrderLine",
        "auth.User",
        "auth.Group",
        "auth.Permission",
        "auth.User_groups",
        "contenttypes.ContentType",
        "sessions.Session",
        "admin.LogEntry",
        "migrations.Migration",
    ],
    migrate: &["manage.py", "migrate", "--no-input"],
    checks: &[&["manage.py", "migrate", "--check"], &["manage.py", "makemigrations", "--check", "--dry-run"], &["manage.py", "check", "--database", "default"]],
    lookups: Some("lookups.py"),
    config: Some("sqlite2pg.toml"),
};

const SQLALCHEMY: App = App {
    name: "sqlalchemy_app",
    models: &["Author", "Post", "Comment", "alembic_version"],
    migrate: &["-m", "alembic", "upgrade", "head"],
    checks: &[&["-m", "alembic", "check"]],
    lookups: None,
    config: Some("sqlite2pg.toml"),
};

impl App {
    fn dir(&self) -> PathBuf {
        root().join("tests/apps").join(self.name)
    }

    /// The app's python with the database in `APP_DB`, run in its folder, writing no bytecode
    /// into the repository.
    fn python(&self, app_db: &str, args: &[&str]) -> Command {
        let mut c = Command::new(python());
        c.args(args)
            .current_dir(self.dir())
            .env("APP_DB", app_db)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .env_remove("PYTHONPATH")
            .env_remove("DJANGO_SETTINGS_MODULE");
        c
    }
}

/// Run one step; on failure panic with its status, stdout and stderr (shared with
/// tests/sequelize.rs, as the comparisons below are).
pub(crate) fn step(what: &str, command: &mut Command) -> Output {
    let started = Instant::now();
    let o = command.output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    eprintln!("frameworks: {what}: {:.2} s", started.elapsed().as_secs_f64());
    assert!(o.status.success(), "{what} failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}", o.status, stdout(&o), stderr(&o));
    o
}

pub(crate) fn read_dump(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// A value of a dump, `[type, canonical text]`, short enough for a message.
pub(crate) fn show(v: Option<&Value>) -> String {
    let Some(v) = v else { return "(absent)".to_string() };
    let text = v.to_string();
    if text.chars().count() > 160 { format!("{}...", text.chars().take(160).collect::<String>()) } else { text }
}

/// One difference between two dumps: where (a model, and a field when a value differs) and the
/// line naming it with the key and both values.
#[derive(Debug)]
pub(crate) struct Difference {
    pub(crate) place: String,
    pub(crate) line: String,
}

/// Every difference between two dumps' `models`: a model, a row (by key) or a field, with both
/// values. Empty when the application read the same objects.
fn dump_differences(sqlite: &Value, pg: &Value) -> Vec<Difference> {
    let empty = serde_json::Map::new();
    let models = |d: &Value| d["models"].as_object().cloned().unwrap_or_default();
    let (a, b) = (models(sqlite), models(pg));
    let mut out = Vec::new();
    let mut note = |place: String, line: String| out.push(Difference { place, line });
    for label in a.keys().chain(b.keys().filter(|k| !a.contains_key(*k))) {
        let (Some(ma), Some(mb)) = (a.get(label), b.get(label)) else {
            note(label.clone(), format!("{label}: model only in the {} dump", if a.contains_key(label) { "SQLite" } else { "PostgreSQL" }));
            continue;
        };
        let rows_a = ma["rows"].as_object().unwrap_or(&empty);
        let rows_b = mb["rows"].as_object().unwrap_or(&empty);
        for (pk, ra) in rows_a {
            let Some(rb) = rows_b.get(pk) else {
                note(format!("{label} rows"), format!("{label} pk {pk}: row missing on PostgreSQL"));
                continue;
            };
            let (fa, fb) = (ra.as_object().unwrap_or(&empty), rb.as_object().unwrap_or(&empty));
            for field in fa.keys().chain(fb.keys().filter(|k| !fa.contains_key(*k))) {
                if fa.get(field) != fb.get(field) {
                    note(
                        format!("{label}.{field}"),
                        format!("{label} pk {pk} field {field}: SQLite {} / PostgreSQL {}", show(fa.get(field)), show(fb.get(field))),
                    );
                }
            }
        }
        for pk in rows_b.keys().filter(|pk| !rows_a.contains_key(*pk)) {
            note(format!("{label} rows"), format!("{label} pk {pk}: row only on PostgreSQL"));
        }
    }
    out
}

/// The operations `alembic check` prints (`[('modify_type', None, 'posts', 'status', ...), ...]`)
/// whose table and column are not among `ambiguous`: every one, when the output lists none.
fn unexplained_differences(check_output: &str, ambiguous: &[(String, String)]) -> Vec<String> {
    let operations: Vec<&str> = check_output.split("('").skip(1).filter(|op| ["modify_", "add_", "remove_"].iter().any(|p| op.starts_with(p))).collect();
    if operations.is_empty() {
        return vec![check_output.trim().to_string()];
    }
    operations
        .into_iter()
        .filter(|op| {
            let fields: Vec<&str> = op.split(", ").map(|f| f.trim_matches(|c| c == '\'' || c == ' ')).collect();
            !matches!(fields.as_slice(), [_, _, table, column, ..] if ambiguous.iter().any(|(t, c)| t == table && c == column))
        })
        .map(|op| format!("('{}", op.chars().take(200).collect::<String>()))
        .collect()
}

/// The differences for a panic message: how many in each place, then the first 40 in full.
pub(crate) fn describe(differences: &[Difference]) -> String {
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for d in differences {
        *counts.entry(&d.place).or_default() += 1;
    }
    let summary: Vec<String> = counts.iter().map(|(place, n)| format!("  {place}: {n}")).collect();
    let first: Vec<&str> = differences.iter().take(40).map(|d| d.line.as_str()).collect();
    let more = if differences.len() > 40 { format!("\n... and {} more", differences.len() - 40) } else { String::new() };
    format!("{} differences, by place:\n{}\n{}{more}", differences.len(), summary.join("\n"), first.join("\n"))
}

/// The work folder's files (the SQLite file, the dumps, the rejects) copied where they outlive
/// the test, for a failure message; the PostgreSQL database is kept anyway.
fn keep(work: &Workdir, app: &App) -> String {
    let kept = Path::new(env!("CARGO_TARGET_TMPDIR")).join("frameworks").join(app.name);
    std::fs::remove_dir_all(&kept).ok();
    std::fs::create_dir_all(&kept).ok();
    for entry in std::fs::read_dir(work.path()).into_iter().flatten().flatten() {
        std::fs::copy(entry.path(), kept.join(entry.file_name())).ok();
    }
    kept.display().to_string()
}

/// What the application's migrations built in `public`, one line per column, constraint, index,
/// enum type and trigger, as PostgreSQL prints them: the copy must leave all of it as it was.
const SCHEMA_SNAPSHOT: &str = "\
    SELECT 'column ' || c.relname || '.' || a.attname || ': ' || format_type(a.atttypid, a.atttypmod) \
        || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') \
        || CASE a.attidentity WHEN 'd' THEN ' identity by default' WHEN 'a' THEN ' identity always' ELSE '' END \
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped \
    UNION ALL \
    SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid) \
        || CASE WHEN convalidated THEN '' ELSE ' (not validated)' END \
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
    UNION ALL \
    SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
    UNION ALL \
    SELECT 'enum ' || t.typname || ': ' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) \
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname \
    UNION ALL \
    SELECT 'trigger ' || tgrelid::regclass::text || ' ' || tgname || CASE WHEN tgenabled = 'D' THEN ' (disabled)' ELSE '' END \
    FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace) \
    ORDER BY 1";

async fn schema_snapshot(db: &TestDb) -> Vec<String> {
    sqlx::query_scalar(SCHEMA_SNAPSHOT).fetch_all(&db.pool).await.expect("schema snapshot")
}

/// How the schema is made and filled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    /// The application's migrations run by the test, then `sqlite2pg copy --truncate`.
    MigrationsThenCopy,
    /// One command: `sqlite2pg migrate --app-schema '<the migrations>'` (copy and verify included).
    MigrateAppSchema,
    /// `sqlite2pg migrate` alone: the schema is planned from SQLite's, with the framework's
    /// conventions; the application's migrations never run on PostgreSQL.
    MigrateAlone,
}

/// The whole route for one application; see the module doc.
async fn moves_unchanged(app: &App, test_name: &str, route: Route) {
    let work = Workdir::new();
    let db = TestDb::new(test_name).await;
    let pg_url = db.url();
    let sqlite = work.path().join(format!("{}.db", app.name));
    let sqlite_url = format!("sqlite://{}", sqlite.display());
    let (sqlite_dump, pg_dump) = (work.path().join("sqlite.json"), work.path().join("pg.json"));
    let rejects = work.path().join("rejects.jsonl");
    let path = |p: &Path| p.to_string_lossy().into_owned();

    // The application on SQLite: its migrations, its data, what it reads.
    step(&format!("{}: populate.py on SQLite", app.name), &mut app.python(&sqlite_url, &["populate.py"]));
    // The queries first: the admin's login writes a session and last_login, which the dump and
    // the move then carry.
    let lookups_on = |url: &str, out: &Path| -> Option<Value> {
        let script = app.lookups?;
        step(&format!("{}: {script} on {}", app.name, if url.starts_with("sqlite") { "SQLite" } else { "PostgreSQL" }), &mut app.python(url, &[script, &path(out)]));
        Some(read_dump(out))
    };
    let sqlite_answers = lookups_on(&sqlite_url, &work.path().join("sqlite-lookups.json"));
    if let Some(answers) = &sqlite_answers {
        // The harness asks questions with answers: each lookup finds rows on SQLite.
        for (question, answer) in answers.as_object().into_iter().flatten() {
            let empty = answer.as_array().is_some_and(Vec::is_empty) || answer.as_bool() == Some(false);
            assert!(!empty || question.ends_with("_absent"), "{}: lookup {question} finds nothing on SQLite: the harness asks the wrong question", app.name);
        }
    }
    step(&format!("{}: dump.py on SQLite", app.name), &mut app.python(&sqlite_url, &["dump.py", &path(&sqlite_dump)]));
    let before = read_dump(&sqlite_dump);
    for model in app.models {
        let rows = before["models"][model]["rows"].as_object().map_or(0, serde_json::Map::len);
        assert!(rows > 0, "{}: the SQLite dump has no rows of {model}: the harness is broken, not the copy", app.name);
    }
    let same_answers = |pg_url: &str| {
        if let Some(expected) = &sqlite_answers {
            let got = lookups_on(pg_url, &work.path().join("pg-lookups.json")).unwrap_or(Value::Null);
            let differing: Vec<String> = expected
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| got.get(k.as_str()) != Some(v))
                .map(|(k, v)| format!("{k}: SQLite {} / PostgreSQL {}", show(Some(v)), show(got.get(k.as_str()))))
                .collect();
            assert!(differing.is_empty(), "{}: the application's queries answer differently on PostgreSQL:\n{}", app.name, differing.join("\n"));
        }
    };

    if route == Route::MigrateAppSchema || route == Route::MigrateAlone {
        let migrate = if route == Route::MigrateAppSchema {
            // The application's migrations, run by sqlite2pg itself with the target in DATABASE_URL.
            let command = format!("PYTHONDONTWRITEBYTECODE=1 APP_DB=\"$DATABASE_URL\" '{}' {}", python().display(), app.migrate.join(" "));
            run_cli(&["migrate", &path(&sqlite), "--to", &pg_url, "--app-schema", &command, "--rejects", &path(&rejects)], &app.dir())
        } else {
            let mut args = vec!["migrate".to_string(), path(&sqlite), "--to".into(), pg_url.clone(), "--rejects".into(), path(&rejects)];
            if let Some(config) = app.config {
                args.extend(["--config".into(), path(&app.dir().join(config))]);
            }
            run_cli(&args.iter().map(String::as_str).collect::<Vec<_>>(), work.path())
        };
        assert_eq!(migrate.status.code(), Some(0), "{}: sqlite2pg migrate\n--- stdout ---\n{}\n--- stderr ---\n{}", app.name, stdout(&migrate), stderr(&migrate));
        assert!(stdout(&migrate).contains("verify: everything matches"), "{}: {}", app.name, stdout(&migrate));
        step(&format!("{}: dump.py on PostgreSQL", app.name), &mut app.python(&pg_url, &["dump.py", &path(&pg_dump)]));
        let differences = dump_differences(&before, &read_dump(&pg_dump));
        assert!(differences.is_empty(), "{}: the application reads other objects after sqlite2pg migrate: {}", app.name, describe(&differences));
        same_answers(&pg_url);
        // The columns the plan named ambiguous (what SQLite's DDL cannot tell apart): the only
        // differences the application's own schema check may find after `migrate` alone.
        let mut plan_args = vec!["plan".to_string(), path(&sqlite)];
        if let Some(config) = app.config {
            plan_args.extend(["--config".into(), path(&app.dir().join(config))]);
        }
        let planned = run_cli(&plan_args.iter().map(String::as_str).collect::<Vec<_>>(), work.path());
        let ambiguous: Vec<(String, String)> = stderr(&planned)
            .lines()
            .filter(|l| l.contains(": ambiguous: "))
            .filter_map(|l| {
                let (_, rest) = l.split_once("table \"")?;
                let (table, rest) = rest.split_once("\" column \"")?;
                let (column, _) = rest.split_once('"')?;
                Some((table.to_string(), column.to_string()))
            })
            .collect();
        for check in app.checks {
            let o = app.python(&pg_url, check).output().unwrap_or_else(|e| panic!("{}: cannot start: {e}", check.join(" ")));
            if o.status.success() || route != Route::MigrateAlone {
                assert!(o.status.success(), "{}: {} failed:\n{}\n{}", app.name, check.join(" "), stdout(&o), stderr(&o));
                continue;
            }
            let unexplained = unexplained_differences(&stdout(&o), &ambiguous);
            assert!(
                unexplained.is_empty(),
                "{}: {} finds differences the plan did not name ambiguous ({ambiguous:?}):\n{}\n{}",
                app.name,
                check.join(" "),
                unexplained.join("\n"),
                stderr(&o)
            );
        }
        step(&format!("{}: write_check.py on PostgreSQL", app.name), &mut app.python(&pg_url, &["write_check.py", &path(&sqlite_dump)]));
        return;
    }

    // Its own migrations build the PostgreSQL schema; sqlite2pg fills it and leaves it as it was.
    step(&format!("{}: migrations on PostgreSQL", app.name), &mut app.python(&pg_url, app.migrate));
    let schema = schema_snapshot(&db).await;
    let started = Instant::now();
    let copy = run_cli(&["copy", &path(&sqlite), "--to", &pg_url, "--truncate", "--rejects", &path(&rejects)], work.path());
    eprintln!("frameworks: {}: sqlite2pg copy: {:.2} s", app.name, started.elapsed().as_secs_f64());
    assert_eq!(
        copy.status.code(),
        Some(0),
        "{}: sqlite2pg copy --truncate (files kept in {})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        app.name,
        keep(&work, app),
        stdout(&copy),
        stderr(&copy)
    );
    assert!(stderr(&copy).contains("as the application's migrations filled it: it agrees with SQLite's"), "{}: the migration table is kept and compared: {}", app.name, stderr(&copy));
    let rejected = std::fs::read_to_string(&rejects).unwrap_or_default();
    assert!(rejected.trim().is_empty(), "{}: the copy rejected rows (files kept in {}):\n{rejected}", app.name, keep(&work, app));
    let after = schema_snapshot(&db).await;
    let lost: Vec<&String> = schema.iter().filter(|l| !after.contains(l)).collect();
    let added: Vec<&String> = after.iter().filter(|l| !schema.contains(l)).collect();
    assert!(
        lost.is_empty() && added.is_empty(),
        "{}: the copy changed the schema the application's migrations built\n--- before the copy only ---\n{}\n--- after the copy only ---\n{}",
        app.name,
        lost.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n"),
        added.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n")
    );

    // The same application on PostgreSQL reads the same objects, field by field.
    step(&format!("{}: dump.py on PostgreSQL", app.name), &mut app.python(&pg_url, &["dump.py", &path(&pg_dump)]));
    let differences = dump_differences(&before, &read_dump(&pg_dump));
    assert!(
        differences.is_empty(),
        "{}: the application reads other objects on PostgreSQL than on SQLite (dumps kept in {}): {}",
        app.name,
        keep(&work, app),
        describe(&differences)
    );

    // sqlite2pg's own verification agrees, before the application writes anything (its queries
    // below log the admin in: a session and last_login).
    let verify = run_cli(&["verify", &path(&sqlite), "--to", &pg_url, "--rejects", &path(&rejects)], work.path());
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}: sqlite2pg verify (files kept in {})\n--- stdout ---\n{}\n--- stderr ---\n{}",
        app.name,
        keep(&work, app),
        stdout(&verify),
        stderr(&verify)
    );

    same_answers(&pg_url);

    // Its own checks find nothing to do, and it writes new rows past the old ids.
    for check in app.checks {
        step(&format!("{}: {}", app.name, check.join(" ")), &mut app.python(&pg_url, check));
    }
    step(&format!("{}: write_check.py on PostgreSQL", app.name), &mut app.python(&pg_url, &["write_check.py", &path(&sqlite_dump)]));
}

#[tokio::test]
async fn a_django_app_reads_and_writes_the_same_objects_after_the_move() {
    moves_unchanged(&DJANGO, "frameworks_django", Route::MigrationsThenCopy).await;
}

/// The one-command route: `sqlite2pg migrate --app-schema 'python manage.py migrate'` runs the
/// application's migrations against the target, then the pre-flight, the copy and verify.
#[tokio::test]
async fn a_django_app_moves_with_one_migrate_app_schema_command() {
    moves_unchanged(&DJANGO, "frameworks_django_app_schema", Route::MigrateAppSchema).await;
}

/// `sqlite2pg migrate` alone, no application migrations on PostgreSQL: Django's conventions
/// (timestamptz, uuid, jsonb under JSON_VALID, decimal places, int4) make the schema Django
/// expects. The application's `migrate --check` finds nothing to apply (django_migrations came
/// along), and it reads and writes as on SQLite. Its DurationFields and GenericIPAddressFields
/// are what SQLite's DDL cannot tell from a BigIntegerField and a CharField (the plan says so):
/// the app's sqlite2pg.toml names them, as the finding asks.
#[tokio::test]
async fn a_django_app_moves_with_sqlite2pg_migrate_alone() {
    moves_unchanged(&DJANGO, "frameworks_django_alone", Route::MigrateAlone).await;
}

/// `sqlite2pg migrate` alone for the SQLAlchemy app: SQLAlchemy's conventions (integer, serial
/// keys, json, uuid from CHAR(32)); the DATETIME columns that are DateTime(timezone=True) and
/// Interval in the models are named in its sqlite2pg.toml, as the plan's "ambiguous" findings ask.
#[tokio::test]
async fn a_sqlalchemy_alembic_app_moves_with_sqlite2pg_migrate_alone() {
    moves_unchanged(&SQLALCHEMY, "frameworks_sqlalchemy_alone", Route::MigrateAlone).await;
}

#[tokio::test]
async fn a_sqlalchemy_alembic_app_reads_and_writes_the_same_objects_after_the_move() {
    moves_unchanged(&SQLALCHEMY, "frameworks_sqlalchemy", Route::MigrationsThenCopy).await;
}

/// The comparison itself: equal dumps have no differences, and each kind of difference is named
/// with its model, key, field and both values.
#[test]
fn dump_differences_name_model_key_field_and_both_values() {
    let dump = |rows: Value| serde_json::json!({ "models": { "shop.Product": { "table": "shop_product", "rows": rows } } });
    let a = dump(serde_json::json!({ "int:1": { "price": ["Decimal", "1.50 (exponent -2)"] }, "int:2": { "price": ["NoneType", "None"] } }));
    assert!(dump_differences(&a, &a).is_empty());
    let b = dump(serde_json::json!({ "int:1": { "price": ["float", "1.5"] }, "int:3": { "price": ["NoneType", "None"] } }));
    let found = dump_differences(&a, &b);
    let lines: Vec<&str> = found.iter().map(|d| d.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            r#"shop.Product pk int:1 field price: SQLite ["Decimal","1.50 (exponent -2)"] / PostgreSQL ["float","1.5"]"#,
            "shop.Product pk int:2: row missing on PostgreSQL",
            "shop.Product pk int:3: row only on PostgreSQL",
        ]
    );
    assert!(describe(&found).starts_with("3 differences, by place:\n  shop.Product rows: 2\n  shop.Product.price: 1\n"), "{}", describe(&found));
    let none = serde_json::json!({ "models": {} });
    let lines: Vec<String> = dump_differences(&a, &none).into_iter().map(|d| d.line).collect();
    assert_eq!(lines, ["shop.Product: model only in the SQLite dump"]);
}

/// `alembic check`'s output read as operations: one on a column the plan named ambiguous is
/// explained, any other is not, and an output without operations is all unexplained.
#[test]
fn alembic_check_differences_are_explained_only_by_ambiguous_columns() {
    let out = "FAILED: New upgrade operations detected: [[('modify_type', None, 'posts', 'status', {'existing_nullable': False}, VARCHAR(length=12), Enum('draft', 'under_review', name='post_status'))], ('add_column', None, 'posts', Column('x', Integer()))]";
    let ambiguous = vec![("posts".to_string(), "status".to_string())];
    let unexplained = unexplained_differences(out, &ambiguous);
    assert_eq!(unexplained.len(), 1, "{unexplained:?}");
    assert!(unexplained[0].starts_with("('add_column'"), "{unexplained:?}");
    assert_eq!(unexplained_differences(out, &[]).len(), 2);
    assert_eq!(unexplained_differences("Target database is not up to date.", &ambiguous), ["Target database is not up to date."]);
}

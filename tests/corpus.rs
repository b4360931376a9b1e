//! The corpus: every database in ../shared/fixtures (written by other people) is planned, its
//! DDL applied to PostgreSQL, its row counts checked against expected_counts.tsv, and every
//! warning compared with tests/golden/corpus_findings.tsv, where each one was reviewed as
//! intended. `UPDATE_EXPECT=1` rewrites the golden file (review the diff before committing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sqlite2pg_converter::ddl;
use sqlite2pg_converter::plan::{Grade, Plan, PlanOptions, SchemaPlan, plan_files};

use crate::support::pg::TestDb;
use crate::support::{column, fixtures_dir, plan_many};

/// (file, table) -> rows, from expected_counts.tsv.
fn expected_counts(dir: &Path) -> BTreeMap<(String, String), u64> {
    let text = std::fs::read_to_string(dir.join("expected_counts.tsv")).expect("expected_counts.tsv");
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split('\t');
            let (file, table, rows) = (parts.next()?, parts.next()?, parts.next()?);
            Some(((file.to_string(), table.to_string()), rows.trim().parse().ok()?))
        })
        .collect()
}

fn fixture_files(dir: &Path) -> Vec<String> {
    let mut files: Vec<String> = expected_counts(dir).keys().map(|(f, _)| f.clone()).collect();
    files.dedup();
    files
}

/// The fixtures are required: CI always has them, and a corpus test that passes without its
/// corpus would prove nothing.
fn corpus() -> (PathBuf, Vec<String>, Plan) {
    let dir = fixtures_dir().expect("../shared/fixtures is missing: the corpus test needs the shared fixtures beside the repository");
    let files = fixture_files(&dir);
    assert!(files.len() >= 20, "expected the whole corpus, found {files:?}");
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let plan = plan_many(&paths);
    (dir, files, plan)
}

fn schema_of<'a>(plan: &'a Plan, dir: &Path, file: &str) -> &'a SchemaPlan {
    plan.schemas.iter().find(|s| s.source == dir.join(file)).unwrap_or_else(|| panic!("no schema for {file}"))
}

#[tokio::test]
async fn every_fixture_plans_applies_and_counts_match() {
    let (dir, files, plan) = corpus();
    let counts = expected_counts(&dir);
    let db = TestDb::new("corpus_every_fixture").await;
    let mut problems = Vec::new();
    for file in &files {
        let schema = schema_of(&plan, &dir, file);
        let mut sql = String::new();
        ddl::render_schema(&mut sql, schema, ddl::DdlOptions::default());
        if let Err(e) = db.apply(&sql).await {
            problems.push(format!("{file}: PostgreSQL rejected the DDL: {e}"));
        }
        for ((f, table), rows) in counts.iter().filter(|((f, _), _)| f == file) {
            match schema.table(table) {
                Some(t) if t.rows != *rows => problems.push(format!("{f}: table {table}: {} rows read, {rows} expected", t.rows)),
                Some(_) => {}
                // FTS virtual tables are listed in expected_counts but are not plain tables.
                None if schema.findings.iter().any(|x| x.object == format!("FTS table \"{table}\"")) => {}
                None => problems.push(format!("{f}: table {table} missing from the plan")),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let tables = db.int("SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").await;
    let planned: usize = plan.schemas.iter().map(|s| s.tables.len() + s.views.len()).sum();
    assert_eq!(tables as usize, planned, "every planned table and view exists in PostgreSQL");
}

#[test]
fn every_warning_is_intended() {
    let (dir, files, plan) = corpus();
    let mut lines = vec!["# file\tgrade\tobject\tfinding (reviewed: each line is intended)".to_string()];
    for file in &files {
        for f in schema_of(&plan, &dir, file).findings.iter().filter(|f| f.grade >= Grade::Warning) {
            lines.push(format!("{file}\t{}\t{}\t{}", f.grade, f.object, f.message.replace(['\n', '\t'], " ")));
        }
    }
    let actual = lines.join("\n") + "\n";
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/corpus_findings.tsv");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&golden, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if expected != actual {
        let exp: Vec<&str> = expected.lines().collect();
        let act: Vec<&str> = actual.lines().collect();
        let new: Vec<&&str> = act.iter().filter(|l| !exp.contains(l)).collect();
        let gone: Vec<&&str> = exp.iter().filter(|l| !act.contains(l)).collect();
        panic!("findings changed (UPDATE_EXPECT=1 to accept after review)\nnew:\n{new:#?}\ngone:\n{gone:#?}");
    }
}

#[test]
fn decisions_on_known_fixtures() {
    let (dir, _, plan) = corpus();
    let ty = |file: &str, table: &str, col: &str| column(schema_of(&plan, &dir, file), table, col).pg_type.to_string();
    let chinook = "chinook/Chinook_Sqlite.sqlite";
    assert_eq!(ty(chinook, "Track", "UnitPrice"), "numeric(10,2)");
    assert_eq!(ty(chinook, "Invoice", "InvoiceDate"), "timestamp");
    assert_eq!(ty(chinook, "Invoice", "Total"), "numeric(10,2)");
    assert_eq!(ty(chinook, "PlaylistTrack", "PlaylistId"), "bigint");
    assert_eq!(schema_of(&plan, &dir, chinook).table("PlaylistTrack").map(|t| t.primary_key.len()), Some(2));
    let auto = schema_of(&plan, &dir, "chinook/Chinook_Sqlite_AutoIncrementPKs.sqlite");
    assert!(auto.table("Album").is_some_and(|t| t.autoincrement && t.columns[0].identity));

    let mendeleev = "mendeleev/elements.db";
    let m = schema_of(&plan, &dir, mendeleev);
    let booleans: Vec<String> = m.tables.iter().flat_map(|t| t.columns.iter().filter(|c| c.declared_type.eq_ignore_ascii_case("BOOLEAN")).map(move |c| format!("{}.{}={}", t.source_name, c.source_name, c.pg_type))).collect();
    assert!(!booleans.is_empty() && booleans.iter().all(|b| b.ends_with("=boolean")), "{booleans:?}");

    let datasette = "datasette/fixtures.db";
    assert_eq!(ty(datasette, "facetable", "tags"), "jsonb");
    assert_eq!(ty(datasette, "facetable", "complex_array"), "jsonb");
    assert_eq!(ty(datasette, "infinity", "value"), "double precision");
    let d = schema_of(&plan, &dir, datasette);
    for odd in ["123_starts_with_digits", "Table With Space In Name", "table/with/slashes.csv", "select"] {
        assert_eq!(d.table(odd).map(|t| t.name.as_str()), Some(odd), "{odd} keeps its spelling");
    }

    let pg = schema_of(&plan, &dir, "pgloader/sqlite/sqlite.db");
    for odd in ["user", "references", "double", "character", "TableName"] {
        assert_eq!(pg.table(odd).map(|t| t.name.as_str()), Some(odd), "{odd} keeps its spelling");
    }
    let sakila = schema_of(&plan, &dir, "sakila/sakila.db");
    assert!(sakila.table("film").is_some_and(|t| !t.checks.is_empty()), "Sakila's CHECK (rating IN ...) is kept");
    assert!(sakila.views.len() >= 4, "Sakila views: {}", sakila.views.len());
}

/// A view's value as compared across the engines: its canonical text, except that a number a
/// view computes (a sum of prices, a price times a discount) is compared to 12 significant
/// digits: SQLite computes in doubles, PostgreSQL in numeric where the column is numeric, and
/// the last bits of a double differ with the order of operations.
fn computed(canonical: Option<String>, t: &sqlite2pg_value::TargetType) -> String {
    use sqlite2pg_value::TargetType::{Float4, Float8, Numeric};
    match (canonical, t) {
        (None, _) => "NULL".into(),
        (Some(text), Float4 | Float8 | Numeric(_)) => text.parse::<f64>().map(|v| format!("{v:.11e}")).unwrap_or(text),
        (Some(text), _) => text,
    }
}

/// As `sqlite2pg migrate` does: planned with the copy (tables of over 2,000 rows from a sample
/// of 500, their exact profiles read by the copy), copied, verified. The plan it ends with is
/// the exact one, byte for byte.
#[tokio::test]
async fn every_fixture_migrates_and_verifies() {
    let (dir, files, _) = corpus();
    let work = crate::support::Workdir::new();
    let db = TestDb::new("corpus_migrate_and_verify").await;
    let rejects = work.path().join("rejects.jsonl");
    let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f)).collect();
    let plan_options = PlanOptions { skip_orphan_counts: true, ..Default::default() };
    let options = sqlite2pg_copy::CopyOptions { create_schema: true, rejects: rejects.clone(), jobs: 2, provisional_sample: 500, ..Default::default() };
    let (plan, summary) = sqlite2pg_copy::plan_and_copy(&paths, &plan_options, &db.options, &options).await.expect("copy of the corpus");
    let sampled = summary.sampled_plan.as_ref().expect("the corpus has tables of over 500 rows: planned from a sample");
    assert!(sampled.tables.len() >= 5, "{sampled:?}");
    let exact = plan_files(&paths, &plan_options).expect("exact plan");
    assert_eq!(serde_json::to_string(&plan).expect("json"), serde_json::to_string(&exact).expect("json"), "the copy's plan is the exact plan");
    assert!(summary.balanced(), "source rows = copied + rejected for every table");
    // Row counts equal expected_counts.tsv less the reported rejects.
    let counts = expected_counts(&dir);
    let mut problems = Vec::new();
    for file in &files {
        let schema = schema_of(&plan, &dir, file);
        for t in &schema.tables {
            let s = summary.tables.iter().find(|x| x.schema == schema.schema && x.table == t.name).expect("summary row");
            let expected = counts.get(&(file.clone(), t.source_name.clone())).copied().unwrap_or(u64::MAX);
            // Nothing lost, nothing refused: SQLite's every row arrives (types widen to hold them).
            if s.copied != expected || s.rejected != 0 {
                problems.push(format!("{file} {}: copied {}, rejected {}; SQLite holds {expected}", t.source_name, s.copied, s.rejected));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let report = sqlite2pg_verify::verify(&plan, &db.options, &sqlite2pg_verify::VerifyOptions { rejects: Some(rejects), ..Default::default() }).await.expect("verify");
    assert!(report.ok, "{}", sqlite2pg_verify::render_text(&report));

    // Every view carried over returns the same rows in PostgreSQL as in SQLite: each value read
    // as the view's PostgreSQL column type reads it (the value layer, as verify does), compared
    // as multisets of rows.
    let mut views = 0;
    let mut differ = Vec::new();
    for schema in &plan.schemas {
        let sqlite = rusqlite::Connection::open_with_flags(&schema.source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
        for view in &schema.views {
            views += 1;
            let quoted = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
            let relation = format!("{}.{}", quoted(&schema.schema), quoted(&view.name));
            let columns: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{}'::regclass AND attnum > 0 ORDER BY attnum",
                relation.replace('\'', "''")
            )))
            .fetch_all(&db.pool)
            .await
            .expect("view columns");
            // The columns both engines' views have, by name (a `*` in PostgreSQL also sees the
            // tsvector column that replaced an FTS table).
            let sqlite_names: Vec<String> = sqlite.prepare(&format!("SELECT * FROM {} LIMIT 0", quoted(&view.source_name))).expect("SQLite view").column_names().iter().map(|n| n.to_string()).collect();
            let columns: Vec<(String, String)> = sqlite_names.iter().filter_map(|n| columns.iter().find(|(c, _)| c == n).cloned()).collect();
            let types: Vec<sqlite2pg_value::TargetType> = columns.iter().map(|(_, t)| sqlite2pg_value::TargetType::from_catalog(t).unwrap_or(sqlite2pg_value::TargetType::Unsupported(t.clone()))).collect();
            let mut expected: Vec<String> = {
                let selected: Vec<String> = columns.iter().map(|(n, _)| quoted(n)).collect();
                let mut stmt = sqlite.prepare(&format!("SELECT {} FROM {}", selected.join(", "), quoted(&view.source_name))).expect("SQLite view");
                let mut rows = stmt.query([]).expect("rows");
                let mut out = Vec::new();
                while let Some(row) = rows.next().expect("row") {
                    let values: Vec<String> = types
                        .iter()
                        .enumerate()
                        .map(|(i, t)| {
                            let stored = row.get_ref(i).expect("value");
                            match sqlite2pg_value::Conversion::new(t.clone(), None).convert(stored) {
                                Ok(v) => computed(sqlite2pg_value::canonical::canonical(&v, t), t),
                                Err(e) => format!("<{e}>"),
                            }
                        })
                        .collect();
                    out.push(values.join("|"));
                }
                out
            };
            let selects: Vec<String> = columns.iter().zip(&types).map(|((name, _), t)| sqlite2pg_value::output::select_expr(&quoted(name), t)).collect();
            let raw: Vec<sqlx::postgres::PgRow> = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {} FROM {relation}", selects.join(", ")))).fetch_all(&db.pool).await.expect("view rows");
            let mut actual: Vec<String> = raw
                .iter()
                .map(|r| {
                    use sqlx::Row;
                    types
                        .iter()
                        .enumerate()
                        .map(|(i, t)| match r.get::<Option<String>, _>(i) {
                            None => "NULL".to_string(),
                            Some(text) => sqlite2pg_value::output::read_output(&text, t).map(|v| computed(sqlite2pg_value::canonical::canonical(&v, t), t)).unwrap_or_else(|e| format!("<{e}>")),
                        })
                        .collect::<Vec<_>>()
                        .join("|")
                })
                .collect();
            expected.sort();
            actual.sort();
            if expected != actual {
                let first = expected.iter().zip(&actual).find(|(a, b)| a != b).map(|(a, b)| format!("SQLite {a:?}, PostgreSQL {b:?}")).unwrap_or_default();
                differ.push(format!("{} view {}: {} rows in SQLite, {} in PostgreSQL; first difference: {first}", schema.source.display(), view.name, expected.len(), actual.len()));
            }
        }
    }
    assert!(views >= 5, "the corpus has views: {views}");
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

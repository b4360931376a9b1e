//! The corpus through `sqlite2pg generate`: for every database in ../shared/fixtures, the
//! generated migrator crate compiles, `up` creates every planned table and view in PostgreSQL
//! (migration tools' bookkeeping tables aside: `generate` leaves them to their tool), the very
//! schema `sqlite2pg plan`'s DDL builds for those (compared in the catalog), and `down` takes
//! the schema back to empty (only `seaql_migrations` stays).
//!
//! Batched so CI stays fast: the 24 migrators are members of one temporary cargo workspace
//! (under `CARGO_TARGET_TMPDIR`), each under a package name of its own, with the repository's
//! `Cargo.lock` and profiles, built by one `cargo build --workspace` into the repository's
//! target directory, where sea-orm-migration and its dependencies are already compiled (the
//! same command and features as the `migrator` crate's build in tests/codegen.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use sqlite2pg_converter::ddl;
use sqlite2pg_converter::plan::{Plan, PlanOptions, plan_files};

use crate::codegen::{catalog, migrator_bin, url_of};
use crate::support::fixtures_dir;
use crate::support::pg::TestDb;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Column 1 of expected_counts.tsv, each file once, in order.
pub(crate) fn fixture_files(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("expected_counts.tsv")).expect("expected_counts.tsv");
    let files: BTreeSet<String> = text.lines().filter_map(|l| l.split('\t').next()).map(str::trim).filter(|f| !f.is_empty() && !f.starts_with('#') && dir.join(f).is_file()).map(String::from).collect();
    files.into_iter().collect()
}

/// A name for the fixture usable as a package, crate, binary and database name.
pub(crate) fn slug(file: &str) -> String {
    let s: String = file.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    s.split('_').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("_")
}

/// A fixture's plan and generated code, or why there are none.
type Outcome = Result<(Plan, sqlite2pg_codegen::Generated), String>;

/// One fixture on its way through the test.
struct Fixture {
    file: String,
    slug: String,
    tables: usize,
    views: usize,
    /// `sqlite2pg plan`'s DDL for the fixture, which `up` must reproduce.
    ddl: String,
}

impl Fixture {
    fn package(&self) -> String {
        format!("migration_{}", self.slug)
    }
}

/// Writes `contents` unless the file already holds exactly that (kept mtimes let cargo reuse
/// what an earlier run compiled).
pub(crate) fn write_if_changed(path: &Path, contents: &[u8]) {
    if std::fs::read(path).ok().as_deref() == Some(contents) {
        return;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{}: {e}", parent.display()));
    }
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The `[profile...]` and `[patch...]` sections of the repository's manifest (patch paths made
/// absolute), so dependencies resolve and compile (and are reused) exactly as in the
/// repository's own builds.
pub(crate) fn build_sections_of_repo() -> String {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let mut out = String::new();
    let mut inside = None;
    for line in manifest.lines() {
        if line.starts_with('[') {
            inside = ["[profile", "[patch"].into_iter().find(|s| line.starts_with(s));
        }
        match inside {
            Some("[patch") => out.push_str(&line.replace("path = \"", &format!("path = \"{}/", root().display()))),
            Some(_) => out.push_str(line),
            None => continue,
        }
        out.push('\n');
    }
    out
}

/// `name version source` of every registry package in a lock file.
pub(crate) fn locked_packages(lock: &str) -> BTreeSet<String> {
    lock.split("[[package]]")
        .filter_map(|block| {
            let field = |key: &str| block.lines().find_map(|l| l.strip_prefix(key).map(|v| v.trim().trim_matches('"').to_string()));
            Some(format!("{} {} {}", field("name = ")?, field("version = ")?, field("source = ")?))
        })
        .collect()
}

/// The generated crate of one fixture, renamed: package, library and binary all
/// `migration_<slug>`, `main.rs` calling that library.
fn write_member(dir: &Path, fixture: &Fixture, files: &[sqlite2pg_codegen::OutputFile]) -> Result<(), String> {
    let package = fixture.package();
    let member = dir.join(&fixture.slug);
    let mut wanted = BTreeSet::new();
    for f in files {
        let mut contents = f.contents.clone();
        if f.path == Path::new("Cargo.toml") {
            let renamed = contents.replace("name = \"migration\"", &format!("name = \"{package}\""));
            if renamed == contents {
                return Err(format!("Cargo.toml names no package `migration`:\n{contents}"));
            }
            contents = renamed;
        } else if f.path == Path::new("src/main.rs") {
            let renamed = contents.replace("migration::Migrator", &format!("{package}::Migrator"));
            if renamed == contents {
                return Err(format!("src/main.rs does not call `migration::Migrator`:\n{contents}"));
            }
            contents = renamed;
        }
        write_if_changed(&member.join(&f.path), contents.as_bytes());
        wanted.insert(member.join(&f.path));
    }
    // Migrations an earlier run wrote that this one did not.
    if let Ok(entries) = std::fs::read_dir(member.join("src")) {
        for path in entries.flatten().map(|e| e.path()) {
            if !wanted.contains(&path) {
                std::fs::remove_file(&path).ok();
            }
        }
    }
    Ok(())
}

/// `error` and `warning` blocks of cargo's output that point into `member`.
fn diagnostics_about(stderr: &str, member: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    for line in stderr.lines().filter(|l| !l.trim_start().starts_with("Compiling ")) {
        if line.starts_with("error") || line.starts_with("warning") || blocks.is_empty() {
            blocks.push(String::new());
        }
        if let Some(b) = blocks.last_mut() {
            b.push_str(line);
            b.push('\n');
        }
    }
    let needle = format!("{member}/");
    let mut out: Vec<String> = blocks.into_iter().filter(|b| b.contains(&needle) || b.contains(&format!("`migration_{member}`"))).collect();
    out.truncate(12);
    out.join("")
}

/// Objects left in `public` besides `seaql_migrations`: relations, functions, types,
/// collations, text search configurations, extensions.
async fn leftovers(db: &TestDb) -> Vec<String> {
    let queries = [
        "SELECT concat_ws(' ', 'relation', relkind::text, relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname NOT LIKE 'seaql_migrations%'",
        "SELECT concat_ws(' ', 'function', proname) FROM pg_proc WHERE pronamespace = 'public'::regnamespace",
        "SELECT concat_ws(' ', 'type', typname) FROM pg_type t WHERE typnamespace = 'public'::regnamespace AND typrelid = 0 AND NOT EXISTS (SELECT FROM pg_type e WHERE e.oid = t.typelem AND e.typrelid <> 0) AND typname NOT LIKE '_seaql_migrations%'",
        "SELECT concat_ws(' ', 'collation', collname) FROM pg_collation WHERE collnamespace = 'public'::regnamespace",
        "SELECT concat_ws(' ', 'text search configuration', cfgname) FROM pg_ts_config WHERE cfgnamespace = 'public'::regnamespace",
        "SELECT concat_ws(' ', 'extension', extname) FROM pg_extension WHERE extname <> 'plpgsql'",
    ];
    let mut out = Vec::new();
    for q in queries {
        match sqlx::query_as::<_, (String,)>(q).fetch_all(&db.pool).await {
            Ok(rows) => out.extend(rows.into_iter().map(|r| r.0)),
            Err(e) => out.push(format!("{q}: {e}")),
        }
    }
    out.sort();
    out
}

fn run(bin: &Path, db: &TestDb, args: &[&str]) -> Result<(), String> {
    let o = Command::new(bin).args(args).env("DATABASE_URL", url_of(db)).env_remove("DATABASE_SCHEMA").output().map_err(|e| format!("run {}: {e}", bin.display()))?;
    if o.status.success() {
        return Ok(());
    }
    let tail = |b: &[u8]| {
        let s = String::from_utf8_lossy(b);
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    };
    Err(format!("`{}` failed ({}):\n{}\n{}", args.join(" "), o.status, tail(&o.stdout), tail(&o.stderr)))
}

/// `up`, the tables and views are there, `down` all the way, nothing is left.
async fn up_and_down(bin: &Path, fixture: &Fixture) -> Result<(), String> {
    let db = TestDb::new(&format!("cg_{}", fixture.slug)).await;
    run(bin, &db, &["up"])?;
    let count = |kinds: &'static str| {
        let sql = format!("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ({kinds}) AND relname <> 'seaql_migrations'");
        let pool = db.pool.clone();
        async move { sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql)).fetch_one(&pool).await.map(|r| r.0 as usize).map_err(|e| e.to_string()) }
    };
    let (tables, views) = (count("'r', 'p'").await?, count("'v', 'm'").await?);
    if (tables, views) != (fixture.tables, fixture.views) {
        return Err(format!("after `up`: {tables} tables and {views} views in public, the plan has {} and {}", fixture.tables, fixture.views));
    }
    // The same schema `sqlite2pg plan`'s DDL builds, compared in the catalog.
    let by_ddl = TestDb::new(&format!("cgd_{}", fixture.slug)).await;
    by_ddl.apply(&fixture.ddl).await.map_err(|e| format!("PostgreSQL rejected the plan's DDL: {e}"))?;
    let (expected, after_up) = (catalog(&by_ddl).await, catalog(&db).await);
    by_ddl.pool.close().await;
    if after_up != expected {
        let missing: Vec<&String> = expected.iter().filter(|l| !after_up.contains(l)).collect();
        let extra: Vec<&String> = after_up.iter().filter(|l| !expected.contains(l)).collect();
        return Err(format!("after `up`, the schema differs from the plan's DDL\nonly from the DDL: {missing:#?}\nonly from the migrator: {extra:#?}"));
    }
    run(bin, &db, &["down", "-n", "10000"])?;
    let left = leftovers(&db).await;
    if !left.is_empty() {
        return Err(format!("after `down`, left in public: {left:?}"));
    }
    let applied = sqlx::query_as::<_, (i64,)>("SELECT count(*) FROM seaql_migrations").fetch_one(&db.pool).await.map_err(|e| e.to_string())?.0;
    if applied != 0 {
        return Err(format!("after `down`, {applied} migrations still recorded in seaql_migrations"));
    }
    db.pool.close().await;
    Ok(())
}

#[tokio::test]
async fn corpus_codegen_every_fixture_migrator_compiles_and_migrates_up_and_down() {
    let started = Instant::now();
    let dir = fixtures_dir().expect("../shared/fixtures is missing: the corpus test needs the shared fixtures beside the repository");
    let files = fixture_files(&dir);
    assert!(files.len() >= 20, "expected the whole corpus, found {files:?}");
    let mut problems: BTreeMap<String, String> = BTreeMap::new();

    // Plan and generate, two fixtures at a time (CI has two cores).
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("corpus_codegen");
    let members_dir = work.join("members");
    let outcomes: Vec<(String, Outcome)> = std::thread::scope(|s| {
        let chunks: Vec<Vec<String>> = {
            let mut chunks = vec![Vec::new(), Vec::new()];
            for (i, f) in files.iter().enumerate() {
                chunks[i % 2].push(f.clone());
            }
            chunks
        };
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let dir = &dir;
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|file| {
                            let result = plan_files(&[dir.join(&file)], &PlanOptions::default()).map_err(|e| format!("plan: {e}")).and_then(|plan| {
                                let g = sqlite2pg_codegen::generate(&plan, &sqlite2pg_codegen::Options::default()).map_err(|e| format!("generate: {e}"))?;
                                Ok((plan, g))
                            });
                            (file, result)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("planning thread")).collect()
    });
    let planned_at = started.elapsed();

    let mut fixtures = Vec::new();
    for (file, outcome) in outcomes {
        match outcome {
            Err(e) => {
                problems.insert(file, e);
            }
            Ok((plan, generated)) => {
                // What the migrator builds: the application's tables, without migration tools'
                // bookkeeping (mendeleev's `alembic_version`), which `generate` leaves to its tool.
                let (app, _) = sqlite2pg_codegen::model::app_plan(&plan);
                let schema = &app.schemas[0];
                let fixture = Fixture { slug: slug(&file), tables: schema.tables.len(), views: schema.views.len(), ddl: ddl::render(&app, ddl::DdlOptions::default()), file };
                match write_member(&members_dir, &fixture, &generated.migrator) {
                    Ok(()) => fixtures.push(fixture),
                    Err(e) => {
                        problems.insert(fixture.file.clone(), e);
                    }
                }
            }
        }
    }
    fixtures.sort_by(|a, b| a.file.cmp(&b.file));
    let slugs: BTreeSet<&str> = fixtures.iter().map(|f| f.slug.as_str()).collect();
    assert_eq!(slugs.len(), fixtures.len(), "two fixtures share a slug");
    // Members of an earlier run that are gone.
    for entry in std::fs::read_dir(&members_dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !slugs.contains(name.as_str()) && name != SET_MEMBER {
            std::fs::remove_dir_all(entry.path()).ok();
        }
    }

    // Several fixtures in one plan: one migrator and one entity tree for all their schemas.
    let set = several_schemas_member(&dir, &members_dir);

    // One workspace, the repository's lock file and profiles.
    // The migrators themselves without debug info (a binary with it is ~100 MB, 24 of them).
    let mut members: Vec<String> = fixtures.iter().map(|f| format!("\"members/{}\"", f.slug)).collect();
    members.push(format!("\"members/{SET_MEMBER}\""));
    let lean: String = fixtures.iter().map(|f| format!("\n[profile.dev.package.{}]\ndebug = false\nstrip = \"debuginfo\"\n", f.package())).collect();
    let manifest = format!("# Written by tests/corpus_codegen.rs: the generated migrator of every fixture.\n[workspace]\nmembers = [{}]\nresolver = \"3\"\n\n{}{lean}", members.join(", "), build_sections_of_repo());
    write_if_changed(&work.join("Cargo.toml"), manifest.as_bytes());
    let repo_lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    write_if_changed(&work.join("Cargo.lock"), repo_lock.as_bytes());

    // The shared dependencies, built as the suite builds them for tests/codegen.rs (a no-op
    // when that test got there first), then every migrator in one cargo run.
    migrator_bin();
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let bin_of = |f: &Fixture| target.join("debug").join(format!("{}{}", f.package(), std::env::consts::EXE_SUFFIX));
    for f in &fixtures {
        std::fs::remove_file(bin_of(f)).ok();
    }
    let set_bin = target.join("debug").join(format!("migration_{SET_MEMBER}{}", std::env::consts::EXE_SUFFIX));
    std::fs::remove_file(&set_bin).ok();
    let build_started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let o = Command::new(cargo)
        .args(["build", "--workspace", "--keep-going", "--color", "never"])
        .current_dir(&work)
        .env("CARGO_TARGET_DIR", &target)
        // Built once per change: incremental state would only cost time and disk.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .expect("run cargo build");
    let build_time = build_started.elapsed();
    let build_stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let new_lock = std::fs::read_to_string(work.join("Cargo.lock")).unwrap_or_default();
    let resolved: Vec<String> = locked_packages(&new_lock).difference(&locked_packages(&repo_lock)).cloned().collect();
    assert!(resolved.is_empty(), "the migrators' workspace resolved packages the repository's Cargo.lock does not hold: {resolved:?}");
    if !o.status.success() && fixtures.iter().all(|f| bin_of(f).exists()) && set_bin.exists() {
        panic!("cargo build of the migrators failed:\n{build_stderr}");
    }

    // Every fixture's migrator up and down, each in a database of its own.
    let mut passed = Vec::new();
    for f in &fixtures {
        let bin = bin_of(f);
        if !bin.exists() {
            problems.insert(f.file.clone(), format!("the migrator does not compile:\n{}", diagnostics_about(&build_stderr, &f.slug)));
            continue;
        }
        match up_and_down(&bin, f).await {
            Ok(()) => passed.push(f.file.as_str()),
            Err(e) => {
                problems.insert(f.file.clone(), e);
            }
        }
    }
    // The several-schema migrator: up, check, down, fresh, refresh.
    let set_result = match &set {
        Err(e) => Err(e.clone()),
        Ok(_) if !set_bin.exists() => Err(format!("the migrator and entities of several schemas do not compile:\n{}", diagnostics_about(&build_stderr, SET_MEMBER))),
        Ok((plan, migrations)) => several_schemas_up_down_fresh(&set_bin, plan, *migrations).await,
    };
    if let Err(e) = set_result {
        problems.insert(format!("several schemas ({})", SET_FILES.join(", ")), e);
    }
    eprintln!(
        "corpus_codegen: {} of {} fixtures pass; plan+generate {:.1}s, cargo build {:.1}s, total {:.1}s",
        passed.len(),
        files.len(),
        planned_at.as_secs_f64(),
        build_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let report: Vec<String> = problems.iter().map(|(file, e)| format!("=== {file}\n{e}")).collect();
    assert!(problems.is_empty(), "{} of {} fixtures fail:\n{}", problems.len(), files.len(), report.join("\n"));
}

/// The member holding the migrator (and the entities) of several fixtures planned together.
const SET_MEMBER: &str = "several_schemas";

/// Fixtures planned together, one schema each: full-text search and odd names (datasette),
/// triggers, views and CHECKs (sakila), views and triggers (Kodi), and two files with the same
/// table names in two schemas (Chinook).
const SET_FILES: [&str; 5] = ["datasette/fixtures.db", "sakila/sakila.db", "plaso/sqlite/MyVideos107.db", "chinook/Chinook_Sqlite.sqlite", "chinook/Chinook_Sqlite_AutoIncrementPKs.sqlite"];

/// Plans `SET_FILES` together and writes one crate: the generated migrator, with the generated
/// entities as its module `entities` (so `cargo build` proves both compile). `sea-orm` is added
/// without features: the entities use the features sea-orm-migration already enables, so the
/// shared build is reused.
fn several_schemas_member(dir: &Path, members_dir: &Path) -> Result<(Plan, usize), String> {
    let files: Vec<PathBuf> = SET_FILES.iter().map(|f| dir.join(f)).collect();
    let plan = plan_files(&files, &PlanOptions::default()).map_err(|e| format!("plan: {e}"))?;
    if plan.schemas.len() != SET_FILES.len() {
        return Err(format!("{} files planned into {} schemas", SET_FILES.len(), plan.schemas.len()));
    }
    let generated = sqlite2pg_codegen::generate(&plan, &sqlite2pg_codegen::Options::default()).map_err(|e| format!("generate: {e}"))?;
    let member = members_dir.join(SET_MEMBER);
    let package = format!("migration_{SET_MEMBER}");
    let mut wanted = BTreeSet::new();
    for f in &generated.migrator {
        let mut contents = f.contents.clone();
        if f.path == Path::new("Cargo.toml") {
            // The entities need sea-orm and nothing else (their FTS query translator is generated).
            let deps = "[dependencies]\nsea-orm = { version = \"2.0.4\", default-features = false }\n".to_string();
            contents = contents.replace("name = \"migration\"", &format!("name = \"{package}\"")).replacen("[dependencies]\n", &deps, 1);
        } else if f.path == Path::new("src/main.rs") {
            contents = contents.replace("migration::Migrator", &format!("{package}::Migrator"));
        } else if f.path == Path::new("src/lib.rs") {
            contents.push_str("\n/// The generated entities of every schema.\npub mod entities;\n");
        }
        write_if_changed(&member.join(&f.path), contents.as_bytes());
        wanted.insert(member.join(&f.path));
    }
    for f in &generated.entities {
        write_if_changed(&member.join("src/entities").join(&f.path), f.contents.as_bytes());
        wanted.insert(member.join("src/entities").join(&f.path));
    }
    for path in walk(&member.join("src")) {
        if !wanted.contains(&path) {
            std::fs::remove_file(&path).ok();
        }
    }
    // Each schema's entities are its own module and name their schema.
    for schema in &plan.schemas {
        let module = generated.entities.iter().find(|f| f.path.ends_with("mod.rs") && f.path.parent().is_some_and(|p| !p.as_os_str().is_empty()) && f.contents.contains(&format!("for schema `{}` ", schema.schema)));
        if module.is_none() {
            return Err(format!("no entity module for schema {}", schema.schema));
        }
        let qualified = generated.entities.iter().filter(|f| f.contents.contains(&format!("schema_name = \"{}\"", schema.schema))).count();
        if qualified == 0 {
            return Err(format!("no entity names schema {}", schema.schema));
        }
    }
    let migrations = generated.migrator.iter().filter(|f| f.path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("m20000101_"))).count();
    Ok((plan, migrations))
}

/// Every `.rs` file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// `sqlite2pg check`'s comparison of a database with the plan: the drifts, if any.
async fn drifts(plan: &Plan, db: &TestDb) -> Result<(), String> {
    let target = sqlite2pg_pg::resolve_target(Some(&url_of(db))).map_err(|e| e.to_string())?;
    let report = sqlite2pg_verify::check_schema(plan, &target).await.map_err(|e| e.to_string())?;
    if report.ok {
        return Ok(());
    }
    Err(sqlite2pg_verify::render_schema_text(&report))
}

/// The plan's schemas that exist in the database.
async fn schemas_present(plan: &Plan, db: &TestDb) -> Result<Vec<String>, String> {
    let names: Vec<String> = plan.schemas.iter().map(|s| s.schema.clone()).collect();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname = ANY($1) ORDER BY 1").bind(&names).fetch_all(&db.pool).await.map_err(|e| e.to_string())?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The several-schema migrator against one database: `up` builds exactly the plan (every
/// schema), `down` removes every schema, `fresh` and `refresh` build the plan again.
async fn several_schemas_up_down_fresh(bin: &Path, plan: &Plan, migrations: usize) -> Result<(), String> {
    let db = TestDb::new("cg_several_schemas").await;
    run(bin, &db, &["up"])?;
    drifts(plan, &db).await.map_err(|d| format!("after `up`, the schemas differ from the plan:\n{d}"))?;
    run(bin, &db, &["down", "-n", "10000"])?;
    let left = schemas_present(plan, &db).await?;
    if !left.is_empty() {
        return Err(format!("after `down`, schemas left: {left:?}"));
    }
    run(bin, &db, &["up"])?;
    run(bin, &db, &["fresh"])?;
    drifts(plan, &db).await.map_err(|d| format!("after `fresh`, the schemas differ from the plan:\n{d}"))?;
    run(bin, &db, &["refresh"])?;
    drifts(plan, &db).await.map_err(|d| format!("after `refresh`, the schemas differ from the plan:\n{d}"))?;
    let applied = sqlx::query_as::<_, (i64,)>("SELECT count(*) FROM seaql_migrations").fetch_one(&db.pool).await.map_err(|e| e.to_string())?.0;
    if applied as usize != migrations {
        return Err(format!("after `refresh`, {applied} migrations recorded; the migrator has {migrations}"));
    }
    db.pool.close().await;
    Ok(())
}

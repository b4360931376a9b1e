//! Entities generated before the database exists are what `sea-orm-cli generate entity` writes
//! against the migrated database: the example schema, and that of every database in
//! ../shared/fixtures, is built in PostgreSQL from the plan's DDL, discovered with sea-schema
//! exactly as sea-orm-cli 2.0.4 does it (`SchemaDiscovery::new(pool, "public")`, generated
//! columns dropped (sea-orm#3094), partial unique constraints dropped, `TableDef::write()`), fed
//! to sea-orm-codegen with the context our codegen uses, and compared file by file with
//! `sqlite2pg_codegen::generate`. Where `generate` differs on purpose (tables without a primary
//! key, names that are no Rust identifier, tables starting with `_`), the discovered schema is
//! adjusted as narrowly as possible; see [`Deviations`] and [`discovered_entities`].
//!
//! Both sides are normalised through `syn::parse_file` + `prettyplease::unparse` (sea-orm-cli
//! runs rustfmt, we run prettyplease: layout is not the point). Stripped from our side before
//! comparing, because sea-orm-codegen cannot know about them: the leading `//!` banner lines,
//! and the full-text helpers (`FTS_*` constants and the `impl Entity` holding `search*`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use sea_orm_codegen::EntityTransformer;
use sea_query::TableCreateStatement;
use sea_schema::postgres::def::{PrimaryKey, TableDef};
use sea_schema::postgres::discovery::SchemaDiscovery;
use sqlite2pg_converter::ddl;
use sqlite2pg_codegen::model::EntityKey;
use sqlite2pg_converter::plan::{Plan, PlanOptions, plan_files};

use crate::corpus_codegen::{fixture_files, slug};
use crate::support::pg::TestDb;
use crate::support::{fixtures_dir, plan_one};

/// Whether an item is one of our full-text helpers, which sea-orm-codegen cannot write.
fn is_search_helper(item: &syn::Item) -> bool {
    match item {
        syn::Item::Const(c) => c.ident.to_string().starts_with("FTS_"),
        syn::Item::Impl(i) => {
            i.trait_.is_none()
                && matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident("Entity"))
                && i.items.iter().all(|m| matches!(m, syn::ImplItem::Fn(f) if f.sig.ident.to_string().starts_with("search")))
        }
        _ => false,
    }
}

/// A Rust file with layout, inner attributes (the `//!` banner) and, when `strip_helpers`, our
/// full-text helpers removed.
fn normalise(name: &str, code: &str, strip_helpers: bool) -> String {
    let mut file = syn::parse_file(code).unwrap_or_else(|e| panic!("{name} does not parse: {e}\n{code}"));
    file.attrs.clear();
    if strip_helpers {
        file.items.retain(|i| !is_search_helper(i));
    }
    prettyplease::unparse(&file)
}

/// Where `generate` deliberately differs from `sea-orm-cli generate entity`, per table, read off
/// the codegen model of the plan. Each is applied to the discovered schema as narrowly as it can
/// be, so that everything else about the table is still compared.
#[derive(Default)]
struct Deviations {
    /// Tables without a primary key and without a UNIQUE over non-null columns: `generate` writes
    /// no entity (and a finding); sea-orm-cli writes one without a primary key, which does not
    /// compile (`DeriveEntityModel` needs a `PrimaryKey`). Discovery leaves them out, as
    /// `sea-orm-cli generate entity --ignore-tables ...` would; the relations of the other tables
    /// to them go with them on both sides.
    keyless: BTreeSet<String>,
    /// Tables without a primary key whose entity uses a non-null UNIQUE as its key (SQL table ->
    /// that UNIQUE's columns): sea-orm-cli writes the UNIQUE as `unique` and no primary key (code
    /// that does not compile). Discovery turns that one unique index into the primary key, as if
    /// the user had promoted it; its other unique indexes stay.
    unique_keys: BTreeMap<String, Vec<String>>,
    /// Unique indexes with an expression part (SQL table, index name): sea-schema reports only
    /// their plain columns (`UNIQUE (a, lower(b))` becomes a unique `a`, which it is not), so
    /// sea-orm-cli would write `unique`/`unique_key` for them; `generate` leaves them out of the
    /// entity. Discovery drops them. (No fixture has one today.)
    expression_uniques: BTreeSet<(String, String)>,
    /// SQL names whose snake case is no Rust identifier, or collides with another (see
    /// codegen/src/names.rs): sea-orm-cli feeds them to sea-orm-codegen as they are, and panics
    /// (datasette's `123_starts_with_digits`: `"123StartsWithDigits" is not a valid Ident`) or
    /// writes code that does not compile (`super`, two fields `user_id`); `generate` picks a
    /// readable Rust name and keeps the SQL name in `table_name`/`column_name`. Discovery gives
    /// such tables and columns the placeholder `generate` feeds sea-orm-codegen, and each
    /// placeholder literal in the output is turned back into the SQL name, as `generate` does.
    /// SQL table name -> placeholder.
    tables: BTreeMap<String, String>,
    /// (SQL table name, SQL column name) -> placeholder.
    columns: BTreeMap<(String, String), String>,
    /// Entity file -> (placeholder literal, SQL name literal), for that table's names.
    literals: BTreeMap<String, Vec<(String, String)>>,
}

impl Deviations {
    fn of(plan: &Plan) -> Result<Deviations, String> {
        let models = sqlite2pg_codegen::model::build(plan).map_err(|e| format!("model: {e}"))?;
        let mut d = Deviations::default();
        for schema in &plan.schemas {
            let expression = schema.indexes.iter().filter(|i| i.unique && i.parts.iter().any(|p| p.starts_with('(')));
            d.expression_uniques.extend(expression.map(|i| (i.table.clone(), i.name.clone())));
        }
        for t in models.iter().flat_map(|m| &m.tables) {
            let table = &t.name.sql;
            match &t.entity_key {
                None => {
                    d.keyless.insert(table.clone());
                }
                Some(EntityKey::Unique(columns)) => {
                    d.unique_keys.insert(table.clone(), columns.clone());
                }
                Some(EntityKey::PrimaryKey) => {}
            }
            if t.name.is_placeholder() {
                d.tables.insert(table.clone(), t.name.fed.clone());
            }
            for c in t.columns.iter().filter(|c| c.is_placeholder()) {
                d.columns.insert((table.clone(), c.sql.clone()), c.fed.clone());
            }
            let literals: Vec<(String, String)> = std::iter::once(&t.name).chain(&t.columns).filter(|n| n.is_placeholder()).map(|n| (format!("{:?}", n.fed), format!("{:?}", n.sql))).collect();
            if !literals.is_empty() {
                d.literals.insert(format!("{}.rs", t.name.snake), literals);
            }
        }
        Ok(d)
    }

    fn table(&self, name: &mut String) {
        if let Some(fed) = self.tables.get(name.as_str()) {
            *name = fed.clone();
        }
    }

    fn column(&self, table: &str, name: &mut String) {
        if let Some(fed) = self.columns.get(&(table.to_string(), name.clone())) {
            *name = fed.clone();
        }
    }

    /// A discovered table with its unique key promoted and the placeholders in place of the SQL
    /// names.
    fn apply(&self, t: &mut TableDef) -> Result<(), String> {
        let table = t.info.name.clone();
        t.unique_constraints.retain(|u| !self.expression_uniques.contains(&(table.clone(), u.name.clone())));
        if let Some(key) = self.unique_keys.get(&table) {
            let i = t.unique_constraints.iter().position(|u| &u.columns == key).ok_or_else(|| format!("table {table}: no unique index over {key:?}, the key of its entity"))?;
            let u = t.unique_constraints.remove(i);
            t.primary_key_constraints.push(PrimaryKey { name: u.name, columns: u.columns });
        }
        for c in &mut t.columns {
            self.column(&table, &mut c.name);
        }
        for cols in t.primary_key_constraints.iter_mut().map(|k| &mut k.columns).chain(t.unique_constraints.iter_mut().map(|u| &mut u.columns)) {
            cols.iter_mut().for_each(|c| self.column(&table, c));
        }
        for r in &mut t.reference_constraints {
            r.columns.iter_mut().for_each(|c| self.column(&table, c));
            r.foreign_columns.iter_mut().for_each(|c| self.column(&r.table, c));
            self.table(&mut r.table);
        }
        self.table(&mut t.info.name);
        Ok(())
    }

    /// sea-orm-codegen's output with each placeholder literal back to the SQL name, and each
    /// citext column (SQLite's COLLATE NOCASE) kept in the model: sea-orm-cli marks a column of a
    /// custom type `ignore`, so the application could not read its emails; `generate` reads it as
    /// text and casts what it saves and compares to citext (`entity::readable_citext`).
    fn restore(&self, file: &str, code: String) -> String {
        let code = self.literals.get(file).into_iter().flatten().fold(code, |code, (fed, sql)| code.replace(fed.as_str(), sql));
        match code.parse::<proc_macro2::TokenStream>() {
            Ok(tokens) => sqlite2pg_codegen::entity::readable_citext(tokens).to_string(),
            Err(_) => code,
        }
    }
}

/// What `sea-orm-cli generate entity -u <database> --lib --include-hidden-tables` gives for the
/// `public` schema, with `deviations` applied (see [`Deviations`]). `--include-hidden-tables`:
/// a table whose name starts with `_` is an application table in SQLite (Android's
/// `_sync_state`), and `generate` writes its entity like any other.
async fn discovered_entities(db: &TestDb, deviations: &Deviations) -> Result<BTreeMap<String, String>, String> {
    let schema = SchemaDiscovery::new(db.pool.clone(), "public").discover().await.map_err(|e| format!("sea-schema discovery: {e}"))?;
    let statements: Vec<TableCreateStatement> = schema
        .tables
        .into_iter()
        .filter(|t| !deviations.keyless.contains(&t.info.name))
        .map(|mut t| {
            t.columns.retain(|c| c.generated.is_none());
            t.unique_constraints.retain(|u| !u.is_partial);
            deviations.apply(&mut t)?;
            Ok(t.write())
        })
        .collect::<Result<_, String>>()?;
    // Exactly the context `generate` uses, for the default options and `--entities-lib`.
    let context = sqlite2pg_codegen::entity::writer_context("public", &lib_options());
    let output = EntityTransformer::transform(statements).map_err(|e| format!("sea-orm-codegen: {e}"))?.generate(&context);
    Ok(output
        .files
        .into_iter()
        .map(|f| {
            let code = deviations.restore(&f.name, f.content);
            (f.name.clone(), normalise(&f.name, &code, false))
        })
        .collect())
}

/// `generate`'s options for these tests: the defaults and `--entities-lib`.
fn lib_options() -> sqlite2pg_codegen::Options {
    sqlite2pg_codegen::Options { entities_lib: true, ..Default::default() }
}

/// The entity files `generate` writes for a plan, normalised, by file name, and the
/// placeholders it fed sea-orm-codegen.
fn generated_entities(plan: &Plan) -> Result<(BTreeMap<String, String>, Deviations), String> {
    let generated = sqlite2pg_codegen::generate(plan, &lib_options()).map_err(|e| format!("generate: {e}"))?;
    let files = generated
        .entities
        .iter()
        .map(|f| {
            let name = f.path.to_string_lossy().into_owned();
            let code = normalise(&name, &f.contents, true);
            (name, code)
        })
        .collect();
    Ok((files, Deviations::of(plan)?))
}

/// The lines where two versions of a file differ: the first differing line with two lines of
/// context before it, and up to 12 lines of each side from there.
fn first_difference(ours: &str, theirs: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (ours.lines().collect(), theirs.lines().collect());
    let first = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let from = first.saturating_sub(2);
    let side = |lines: &[&str]| lines.iter().enumerate().skip(from).take(first - from + 12).map(|(i, l)| format!("{:>5}{} {l}", i + 1, if i >= first { '|' } else { ' ' })).collect::<Vec<_>>().join("\n");
    format!("--- generate (line {})\n{}\n--- sea-orm-cli against the database\n{}", first + 1, side(&a), side(&b))
}

/// Every difference between the files `generate` wrote and those sea-orm-cli writes.
fn differences(ours: &BTreeMap<String, String>, theirs: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for (name, code) in ours {
        match theirs.get(name) {
            None => out.push(format!("{name}: written by generate, not by sea-orm-cli")),
            Some(t) if t != code => out.push(format!("{name}:\n{}", first_difference(code, t))),
            Some(_) => {}
        }
    }
    for name in theirs.keys().filter(|n| !ours.contains_key(*n)) {
        out.push(format!("{name}: written by sea-orm-cli, not by generate"));
    }
    out
}

#[tokio::test]
async fn entities_equal_what_sea_orm_cli_generates_from_the_migrated_database() {
    let schema = plan_one(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.db"));
    let plan = Plan { schemas: vec![schema] };
    let (ours, deviations) = generated_entities(&plan).unwrap_or_else(|e| panic!("{e}"));

    let db = TestDb::new("entities_equal_what_sea_orm_cli_generates").await;
    db.must_apply(&ddl::render(&plan, ddl::DdlOptions::default())).await;
    let discovered = discovered_entities(&db, &deviations).await.unwrap_or_else(|e| panic!("{e}"));

    let differing = differences(&ours, &discovered);
    assert!(differing.is_empty(), "entity files differ from what sea-orm-cli generates against the migrated database:\n{}", differing.join("\n"));
}

/// One fixture compared: its file, how many entity files, the differences.
type Compared = (String, usize, Vec<String>);

#[tokio::test]
async fn corpus_entities_equal_what_sea_orm_cli_generates_from_each_migrated_fixture() {
    let started = Instant::now();
    let dir = fixtures_dir().expect("../shared/fixtures is missing: the corpus test needs the shared fixtures beside the repository");
    let files = fixture_files(&dir);
    assert!(files.len() >= 20, "expected the whole corpus, found {files:?}");

    // Plan, generate and render the DDL, two fixtures at a time (CI has two cores).
    type Prepared = Result<(String, (BTreeMap<String, String>, Deviations)), String>;
    let prepared: Vec<(String, Prepared)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|k| {
                let (dir, files) = (&dir, &files);
                s.spawn(move || {
                    files
                        .iter()
                        .skip(k)
                        .step_by(2)
                        .map(|file| {
                            let result = plan_files(&[dir.join(file)], &PlanOptions::default()).map_err(|e| format!("plan: {e}")).and_then(|plan| Ok((ddl::render(&plan, ddl::DdlOptions::default()), generated_entities(&plan)?)));
                            (file.clone(), result)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("planning thread")).collect()
    });
    let planned_at = started.elapsed();

    // Each fixture in a database of its own, a few at a time: creating a database is most of
    // the time, and the server does it.
    let mut problems: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut compared = 0;
    let mut running = tokio::task::JoinSet::new();
    // Task -> fixture, to name the fixture whose task panicked.
    let mut task_files = BTreeMap::new();
    let mut record = |(file, files, found): Compared| {
        compared += files;
        if !found.is_empty() {
            problems.entry(file).or_default().extend(found);
        }
    };
    let finished = |done: Result<(tokio::task::Id, Compared), tokio::task::JoinError>, task_files: &BTreeMap<tokio::task::Id, String>| match done {
        Ok((_, r)) => r,
        Err(e) => (task_files.get(&e.id()).cloned().unwrap_or_default(), 0, vec![format!("the comparison panicked: {e}")]),
    };
    for (file, outcome) in prepared {
        let (ddl, (ours, deviations)) = match outcome {
            Ok(p) => p,
            Err(e) => {
                record((file, 0, vec![e]));
                continue;
            }
        };
        if running.len() >= 3
            && let Some(done) = running.join_next_with_id().await
        {
            record(finished(done, &task_files));
        }
        let name = file.clone();
        let task = running.spawn(async move {
            let db = TestDb::new(&format!("ed_{}", slug(&file))).await;
            if let Err(e) = db.apply(&ddl).await {
                return (file, 0, vec![format!("PostgreSQL rejected the plan's DDL: {e}")]);
            }
            let discovered = discovered_entities(&db, &deviations).await;
            db.pool.close().await;
            match discovered {
                Ok(discovered) => {
                    let found = differences(&ours, &discovered);
                    (file, ours.len(), found)
                }
                Err(e) => (file, 0, vec![e]),
            }
        });
        task_files.insert(task.id(), name);
    }
    while let Some(done) = running.join_next_with_id().await {
        record(finished(done, &task_files));
    }
    eprintln!("codegen_discovery: {} fixtures, {compared} entity files compared; plan+generate {:.1}s, total {:.1}s", files.len(), planned_at.as_secs_f64(), started.elapsed().as_secs_f64());
    let report: Vec<String> = problems.iter().map(|(file, p)| format!("=== {file}\n{}", p.join("\n"))).collect();
    assert!(problems.is_empty(), "{} of {} fixtures: entity files differ from what sea-orm-cli generates against the migrated database:\n{}", problems.len(), files.len(), report.join("\n"));
}

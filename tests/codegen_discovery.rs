//! Entities generated before the database exists are what `sea-orm-cli generate entity` writes
//! against the migrated database: the example schema, and that of every database in
//! ../shared/fixtures, is built in PostgreSQL from the plan's DDL, discovered with sea-schema
//! exactly as sea-orm-cli 2.0.4 does it (`SchemaDiscovery::new(pool, "public")`, generated
//! columns dropped (sea-orm#3094), partial unique constraints dropped, `TableDef::write()`), fed
//! to sea-orm-codegen with the context our codegen uses, and compared file by file with
//! `sqlite2pg_codegen::generate`. Where `generate` differs on purpose (tables without a primary
//! key, names that are no Rust identifier, migration tools' bookkeeping tables), the discovered
//! schema is adjusted as narrowly as possible; see [`Deviations`] and [`discovered_entities`].
//! Tables whose name starts with `_` are left out on both sides unless `--include-hidden-tables`.
//!
//! sea-orm-cli runs rustfmt on every file it writes, and rustfmt sorts `mod` and `use`
//! declarations: the files sea-orm-codegen gives are formatted with `rustfmt` as sea-orm-cli
//! does, so that the order of modules in `lib.rs` and `prelude.rs` is compared too. Then both
//! sides are normalised through `syn::parse_file` + `prettyplease::unparse` (layout is not the
//! point, order is). Stripped from our side before comparing, because sea-orm-codegen cannot know
//! about them: the leading `//!` banner lines, the full-text helpers (`FTS_*` constants and the
//! `impl Entity` holding `search*`) and the generated FTS query translator (`fts_query.rs`, and
//! its `pub mod fts_query;`).

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
        syn::Item::Mod(m) => m.ident == "fts_query" && m.content.is_none(),
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
    let tokens: proc_macro2::TokenStream = code.parse().unwrap_or_else(|e| panic!("{name} does not lex: {e}\n{code}"));
    let mut file: syn::File = syn::parse2(without_trailing_commas(tokens)).unwrap_or_else(|e| panic!("{name} does not parse: {e}\n{code}"));
    file.attrs.clear();
    if strip_helpers {
        file.items.retain(|i| !is_search_helper(i));
    }
    prettyplease::unparse(&file)
}

/// Tokens without a comma closing a parenthesised list: rustfmt removes the one sea-orm-codegen
/// leaves in attribute arguments (`on_delete = "Cascade",)`), which prettyplease keeps as
/// written (attribute arguments are tokens to it). Generated entities hold no one-element tuple.
fn without_trailing_commas(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, TokenTree};
    tokens
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(g) => {
                let mut inner: Vec<TokenTree> = without_trailing_commas(g.stream()).into_iter().collect();
                if g.delimiter() == Delimiter::Parenthesis && matches!(inner.last(), Some(TokenTree::Punct(p)) if p.as_char() == ',') {
                    inner.pop();
                }
                let mut new = Group::new(g.delimiter(), inner.into_iter().collect());
                new.set_span(g.span());
                TokenTree::Group(new)
            }
            other => other,
        })
        .collect()
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
    /// Migration tools' bookkeeping tables (`seaql_migrations`, `SequelizeMeta`, ...): `generate`
    /// writes no entity for them (`codegen::model::app_plan`); sea-orm-cli leaves out only
    /// `seaql_migrations` (its `--ignore-tables` default). Discovery leaves them all out.
    bookkeeping: BTreeSet<String>,
    /// (SQL table name, SQL column name) -> placeholder.
    columns: BTreeMap<(String, String), String>,
    /// Entity file -> (placeholder literal, SQL name literal), for that table's names.
    literals: BTreeMap<String, Vec<(String, String)>>,
}

impl Deviations {
    fn of(plan: &Plan, options: &sqlite2pg_codegen::Options) -> Result<Deviations, String> {
        let (app, _) = sqlite2pg_codegen::model::app_plan(plan);
        let models = sqlite2pg_codegen::model::build(&app, options).map_err(|e| format!("model: {e}"))?;
        let mut d = Deviations::default();
        for schema in &plan.schemas {
            d.bookkeeping.extend(schema.tables.iter().filter(|t| !app.schemas.iter().any(|a| a.tables.iter().any(|k| k.name == t.name))).map(|t| t.name.clone()));
            let expression = schema.indexes.iter().filter(|i| i.unique && i.parts.iter().any(|p| p.starts_with('(')));
            d.expression_uniques.extend(expression.map(|i| (i.table.clone(), i.name.clone())));
        }
        for t in models.iter().flat_map(|m| &m.tables) {
            let table = &t.name.sql;
            match &t.entity_key {
                None if t.name.sql.starts_with('_') && !options.include_hidden_tables => {}
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

/// What `sea-orm-cli generate entity -u <database> --lib` (with `--include-hidden-tables` when
/// `options` say so) gives for the `public` schema, with `deviations` applied (see
/// [`Deviations`]), each file formatted by rustfmt as sea-orm-cli formats it.
async fn discovered_entities(db: &TestDb, deviations: &Deviations, options: &sqlite2pg_codegen::Options) -> Result<BTreeMap<String, String>, String> {
    discovered_entities_of(db, "public", deviations, options).await
}

/// [`discovered_entities`] for one schema (`sea-orm-cli generate entity -s <schema>`).
async fn discovered_entities_of(db: &TestDb, schema_name: &str, deviations: &Deviations, options: &sqlite2pg_codegen::Options) -> Result<BTreeMap<String, String>, String> {
    let schema = SchemaDiscovery::new(db.pool.clone(), schema_name).discover().await.map_err(|e| format!("sea-schema discovery: {e}"))?;
    let statements: Vec<TableCreateStatement> = schema
        .tables
        .into_iter()
        // sea-orm-cli's `filter_hidden_tables`, then its `--ignore-tables` default and ours.
        .filter(|t| options.include_hidden_tables || !t.info.name.starts_with('_'))
        .filter(|t| t.info.name != "seaql_migrations" && !deviations.bookkeeping.contains(&t.info.name))
        .filter(|t| !deviations.keyless.contains(&t.info.name))
        .map(|mut t| {
            t.columns.retain(|c| c.generated.is_none());
            t.unique_constraints.retain(|u| !u.is_partial);
            deviations.apply(&mut t)?;
            Ok(t.write())
        })
        .collect::<Result<_, String>>()?;
    // Exactly the context `generate` uses for these options.
    let context = sqlite2pg_codegen::entity::writer_context(schema_name, options);
    let output = EntityTransformer::transform(statements).map_err(|e| format!("sea-orm-codegen: {e}"))?.generate(&context);
    let files = rustfmt_as_sea_orm_cli(output.files.into_iter().map(|f| (f.name, f.content)).collect())?;
    Ok(files
        .into_iter()
        .map(|(name, content)| {
            let code = deviations.restore(&name, content);
            let normalised = normalise(&name, &code, false);
            (name, normalised)
        })
        .collect())
}

/// The files as sea-orm-cli leaves them: written into a folder, then `rustfmt <file>` run on
/// each (its `generate.rs`), with rustfmt's defaults (no rustfmt.toml above a fresh temporary
/// folder). rustfmt sorts `mod` and `use` declarations: the order sea-orm-cli's users see.
fn rustfmt_as_sea_orm_cli(files: Vec<(String, String)>) -> Result<Vec<(String, String)>, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary folder: {e}"))?;
    for (name, content) in &files {
        std::fs::write(dir.path().join(name), content).map_err(|e| format!("{name}: {e}"))?;
    }
    for (name, _) in &files {
        let o = std::process::Command::new("rustfmt").arg(dir.path().join(name)).output().map_err(|e| format!("rustfmt (sea-orm-cli runs it; install it with `rustup component add rustfmt`): {e}"))?;
        if !o.status.success() {
            return Err(format!("rustfmt {name}: {}", String::from_utf8_lossy(&o.stderr)));
        }
    }
    files.into_iter().map(|(name, _)| std::fs::read_to_string(dir.path().join(&name)).map(|c| (name.clone(), c)).map_err(|e| format!("{name}: {e}"))).collect()
}

/// `generate`'s options for these tests: the defaults and `--entities-lib`.
fn lib_options() -> sqlite2pg_codegen::Options {
    sqlite2pg_codegen::Options { entities_lib: true, ..Default::default() }
}

/// The entity files `generate` writes for a plan, normalised, by file name (the generated FTS
/// query translator aside), and the placeholders it fed sea-orm-codegen.
fn generated_entities(plan: &Plan, options: &sqlite2pg_codegen::Options) -> Result<(BTreeMap<String, String>, Deviations), String> {
    let generated = sqlite2pg_codegen::generate(plan, options).map_err(|e| format!("generate: {e}"))?;
    let files = generated
        .entities
        .iter()
        .filter(|f| f.path != Path::new("fts_query.rs"))
        .map(|f| {
            let name = f.path.to_string_lossy().into_owned();
            let code = normalise(&name, &f.contents, true);
            (name, code)
        })
        .collect();
    Ok((files, Deviations::of(plan, options)?))
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
    let (ours, deviations) = generated_entities(&plan, &lib_options()).unwrap_or_else(|e| panic!("{e}"));

    let db = TestDb::new("entities_equal_what_sea_orm_cli_generates").await;
    db.must_apply(&ddl::render(&plan, ddl::DdlOptions::default())).await;
    let discovered = discovered_entities(&db, &deviations, &lib_options()).await.unwrap_or_else(|e| panic!("{e}"));

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
                            let result = plan_files(&[dir.join(file)], &PlanOptions::default()).map_err(|e| format!("plan: {e}")).and_then(|plan| Ok((ddl::render(&plan, ddl::DdlOptions::default()), generated_entities(&plan, &lib_options())?)));
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
            let discovered = discovered_entities(&db, &deviations, &lib_options()).await;
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

/// Tables as Prisma and Sequelize name them on SQLite, beside an application's lower-case ones:
/// capitals (`User`, `Post`, `Users`), a Prisma implicit many-to-many table (`_CategoryToPost`),
/// a keyword (`type`), and both frameworks' bookkeeping (`_prisma_migrations`, `SequelizeMeta`)
/// next to sea-orm-migration's (`seaql_migrations`), and a unique expression index
/// `(user_id, lower(email))`, which sea-schema reports as a unique `user_id`.
const APP_SHAPED: &str = r#"
    CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME, "migration_name" TEXT NOT NULL, "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0);
    CREATE TABLE "User" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "email" TEXT NOT NULL, "name" TEXT);
    CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
    CREATE TABLE "Post" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "title" TEXT NOT NULL, "authorId" INTEGER NOT NULL, CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE);
    CREATE TABLE "Category" ("id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL);
    CREATE TABLE "_CategoryToPost" ("A" INTEGER NOT NULL, "B" INTEGER NOT NULL, CONSTRAINT "_CategoryToPost_A_fkey" FOREIGN KEY ("A") REFERENCES "Category" ("id") ON DELETE CASCADE ON UPDATE CASCADE, CONSTRAINT "_CategoryToPost_B_fkey" FOREIGN KEY ("B") REFERENCES "Post" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
    CREATE UNIQUE INDEX "_CategoryToPost_AB_unique" ON "_CategoryToPost"("A", "B");
    CREATE TABLE `SequelizeMeta` (`name` VARCHAR(255) NOT NULL UNIQUE PRIMARY KEY);
    INSERT INTO `SequelizeMeta` VALUES ('20240101000000-create-users.js');
    CREATE TABLE `Users` (`id` INTEGER PRIMARY KEY AUTOINCREMENT, `firstName` VARCHAR(255), `createdAt` DATETIME NOT NULL, `updatedAt` DATETIME NOT NULL);
    CREATE TABLE "seaql_migrations" ("version" varchar NOT NULL PRIMARY KEY, "applied_at" bigint NOT NULL);
    CREATE TABLE messages (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "User"(id), body TEXT NOT NULL);
    CREATE TABLE user_roles (id INTEGER PRIMARY KEY, role TEXT NOT NULL);
    CREATE TABLE "type" (id INTEGER PRIMARY KEY, label TEXT);
    CREATE TABLE _sync_state (_id INTEGER PRIMARY KEY, account_name TEXT NOT NULL, data BLOB);
    CREATE TABLE accounts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES "User"(id), email TEXT NOT NULL);
    CREATE UNIQUE INDEX accounts_user_email ON accounts (user_id, lower(email));
"#;

/// The `pub mod` and `pub use` lines of a file, in order.
fn module_lines(code: &str) -> Vec<String> {
    code.lines().map(str::trim).filter(|l| l.starts_with("pub mod ") || l.starts_with("pub use ")).map(String::from).collect()
}

#[tokio::test]
async fn app_shaped_entities_equal_sea_orm_cli_in_module_order_and_hidden_tables() {
    let work = crate::support::Workdir::new();
    let file = work.sqlite("app.db", APP_SHAPED);
    let plan = Plan { schemas: vec![plan_one(&file)] };
    let db = TestDb::new("app_shaped_entities_equal_sea_orm_cli").await;
    db.must_apply(&ddl::render(&plan, ddl::DdlOptions::default())).await;

    // sea-orm-cli's defaults: `_` tables skipped. Then `--include-hidden-tables`.
    for include_hidden_tables in [false, true] {
        let options = sqlite2pg_codegen::Options { include_hidden_tables, ..lib_options() };
        let (ours, deviations) = generated_entities(&plan, &options).unwrap_or_else(|e| panic!("{e}"));
        let discovered = discovered_entities(&db, &deviations, &options).await.unwrap_or_else(|e| panic!("{e}"));
        let differing = differences(&ours, &discovered);
        assert!(differing.is_empty(), "include_hidden_tables = {include_hidden_tables}: entity files differ from sea-orm-cli's:\n{}", differing.join("\n"));

        // The order, spelled out: by module name, as rustfmt leaves sea-orm-cli's files, not by
        // table name (which puts `Category`, `Post`, `User`, `Users` before `messages`).
        let hidden = if include_hidden_tables { vec!["sync_state"] } else { vec![] };
        let mut modules = vec!["accounts", "category", "messages", "post", "r#type", "user", "user_roles", "users"];
        modules.extend(hidden);
        modules.sort_by_key(|m| m.trim_start_matches("r#").to_string());
        let lib: Vec<String> = std::iter::once("pub mod prelude;".to_string()).chain(modules.iter().map(|m| format!("pub mod {m};"))).collect();
        assert_eq!(module_lines(&ours["lib.rs"]), lib, "lib.rs");
        let mut uses: Vec<String> = modules.iter().map(|m| format!("super::{m}::Entity")).collect();
        uses.sort();
        let prelude: Vec<String> = module_lines(&ours["prelude.rs"]).iter().map(|l| l.trim_start_matches("pub use ").split(" as ").next().unwrap_or_default().to_string()).collect();
        assert_eq!(prelude, uses, "prelude.rs");
        for gone in ["seaql_migrations.rs", "sequelize_meta.rs", "prisma_migrations.rs"] {
            assert!(!ours.contains_key(gone), "{gone}: a bookkeeping table gets no entity");
        }
        assert_eq!(ours.contains_key("sync_state.rs"), include_hidden_tables, "the `_` table's entity only with --include-hidden-tables");
        assert!(!ours.contains_key("category_to_post.rs"), "a table without a key gets no entity");
        // The deliberate deviation: one user has many accounts (one per email, ignoring case).
        // sea-orm-cli, told by sea-schema that `user_id` alone is unique, writes `unique` on it
        // and `has_one`, so `find_related` would stop at one account.
        assert!(ours["user.rs"].contains("has_many = \"super::accounts::Entity\""), "{}", ours["user.rs"]);
        assert!(!ours["accounts.rs"].contains("unique"), "{}", ours["accounts.rs"]);
    }
}

/// Shaped like a bot's database: a profile table of 116 columns (flags `flag_N INTEGER DEFAULT
/// 0` that become booleans, counters that stay integers, JSON settings, epoch times), its
/// queries and their results.
fn bot_shaped() -> String {
    let mut columns = vec!["user_id INTEGER PRIMARY KEY".to_string(), "username TEXT NOT NULL".into(), "settings TEXT".into(), "joined_at INTEGER NOT NULL".into()];
    columns.extend((1..=100).map(|n| format!("flag_{n} INTEGER DEFAULT 0")));
    columns.extend((1..=12).map(|n| format!("counter_{n}_count INTEGER NOT NULL DEFAULT 0")));
    let values: Vec<String> = std::iter::once("1, 'bot', '{\"lang\": \"de\"}', 1700000000".to_string())
        .chain((1..=100).map(|n| (n % 2).to_string()))
        .chain((1..=12).map(|n| n.to_string()))
        .collect();
    let row2: Vec<String> = std::iter::once("2, 'other', '{}', 1700000100".to_string()).chain((1..=100).map(|_| "0".to_string())).chain((1..=12).map(|_| "0".to_string())).collect();
    format!(
        "CREATE TABLE profiles ({});
         CREATE TABLE queries (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES profiles(user_id), text TEXT NOT NULL, success INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
         CREATE TABLE results (query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE, rank INTEGER NOT NULL, url TEXT NOT NULL, PRIMARY KEY (query_id, rank));
         INSERT INTO profiles VALUES ({}), ({});
         INSERT INTO queries VALUES (1, 1, 'weather', 1, 1700000200), (2, 2, 'news', 0, 1700000300);
         INSERT INTO results VALUES (1, 1, 'https://example.org/a'), (1, 2, 'https://example.org/b');",
        columns.join(", "),
        values.join(", "),
        row2.join(", ")
    )
}

/// Entities equal sea-orm-cli's, banner aside and deliberate deviations excepted, for a bot's
/// database and for a three-database app (one migrator, an entity module per schema, each
/// compared with sea-orm-cli's run on that schema).
#[tokio::test]
async fn bot_and_three_database_app_entities_equal_sea_orm_cli() {
    let work = crate::support::Workdir::new();
    let bot = work.sqlite("bot.db", &bot_shaped());
    let plan = Plan { schemas: vec![plan_one(&bot)] };
    assert_eq!(crate::support::column(&plan.schemas[0], "profiles", "flag_7").pg_type.to_string(), "boolean", "a flag_N INTEGER DEFAULT 0 holding 0/1");
    assert_eq!(crate::support::column(&plan.schemas[0], "profiles", "counter_1_count").pg_type.to_string(), "bigint", "a counter stays an integer");
    let db = TestDb::new("bot_entities_equal_sea_orm_cli").await;
    db.must_apply(&ddl::render(&plan, ddl::DdlOptions::default())).await;
    let (ours, deviations) = generated_entities(&plan, &lib_options()).unwrap_or_else(|e| panic!("{e}"));
    assert!(ours["profiles.rs"].matches("pub flag_").count() == 100, "every flag is in the entity");
    let discovered = discovered_entities(&db, &deviations, &lib_options()).await.unwrap_or_else(|e| panic!("{e}"));
    let differing = differences(&ours, &discovered);
    assert!(differing.is_empty(), "the bot's entities differ from sea-orm-cli's:\n{}", differing.join("\n"));

    // Three databases: accounts, billing, chat (each its own schema, as `generate` plans them).
    let accounts = work.sqlite("accounts.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, is_admin INTEGER NOT NULL DEFAULT 0); INSERT INTO users VALUES (1, 'a@example.org', 1);");
    let billing = work.sqlite("billing.db", "CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, amount NUMERIC(10,2) NOT NULL, paid_at TEXT); INSERT INTO invoices VALUES (1, 1, 12.50, '2024-01-02 03:04:05');");
    let chat = work.sqlite("chat.db", "CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL); CREATE TABLE posts (id INTEGER PRIMARY KEY, room_id INTEGER NOT NULL REFERENCES rooms(id), body TEXT NOT NULL, meta TEXT); INSERT INTO rooms VALUES (1, 'general'); INSERT INTO posts VALUES (1, 1, 'hi', '{\"a\": 1}');");
    let plan = crate::support::plan_many(&[accounts, billing, chat]);
    let schemas: Vec<String> = plan.schemas.iter().map(|s| s.schema.clone()).collect();
    assert_eq!(schemas, ["accounts", "billing", "chat"]);
    let db = TestDb::new("three_database_entities_equal_sea_orm_cli").await;
    db.must_apply(&ddl::render(&plan, ddl::DdlOptions::default())).await;
    let (ours, deviations) = generated_entities(&plan, &lib_options()).unwrap_or_else(|e| panic!("{e}"));
    for schema in &schemas {
        let prefix = format!("{schema}/");
        let ours_here: BTreeMap<String, String> = ours.iter().filter_map(|(name, code)| name.strip_prefix(&prefix).map(|n| (n.to_string(), code.clone()))).filter(|(n, _)| n != "fts_query.rs").collect();
        assert!(!ours_here.is_empty(), "{schema}: entities written under {prefix}: {:?}", ours.keys().collect::<Vec<_>>());
        // Each schema's folder has its own `mod.rs`, as `sea-orm-cli generate entity -s <schema>`
        // without `--lib` writes.
        let discovered = discovered_entities_of(&db, schema, &deviations, &sqlite2pg_codegen::Options::default()).await.unwrap_or_else(|e| panic!("{e}"));
        let differing = differences(&ours_here, &discovered);
        assert!(differing.is_empty(), "schema {schema}: entities differ from sea-orm-cli's:\n{}", differing.join("\n"));
    }
}

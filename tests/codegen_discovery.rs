//! Entities generated before the database exists are what `sea-orm-cli generate entity` writes
//! against the migrated database: the example schema is built in PostgreSQL, discovered with
//! sea-schema exactly as sea-orm-cli 2.0.4 does it (`SchemaDiscovery::new(pool, "public")`, tables
//! starting with `_` skipped, generated columns dropped (sea-orm#3094), partial unique
//! constraints dropped, `TableDef::write()`), fed to sea-orm-codegen with the context our codegen
//! uses, and compared file by file with `sqlite2pg_codegen::generate`.
//!
//! Both sides are normalised through `syn::parse_file` + `prettyplease::unparse` (sea-orm-cli
//! runs rustfmt, we run prettyplease: layout is not the point). Stripped from our side before
//! comparing, because sea-orm-codegen cannot know about them: the leading `//!` banner lines,
//! and the full-text helpers (`FTS_*` constants and the `impl Entity` holding `search*`).

use std::collections::BTreeMap;
use std::path::Path;

use sea_orm_codegen::EntityTransformer;
use sea_query::TableCreateStatement;
use sea_schema::postgres::discovery::SchemaDiscovery;
use sqlite2pg_converter::ddl;
use sqlite2pg_converter::plan::Plan;

use crate::support::pg::TestDb;
use crate::support::plan_one;

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

/// What `sea-orm-cli generate entity -u <database> --lib` gives for the `public` schema.
async fn discovered_entities(db: &TestDb) -> BTreeMap<String, String> {
    let schema = SchemaDiscovery::new(db.pool.clone(), "public").discover().await.expect("sea-schema discovery");
    let statements: Vec<TableCreateStatement> = schema
        .tables
        .into_iter()
        .filter(|t| !t.info.name.starts_with('_'))
        .map(|mut t| {
            t.columns.retain(|c| c.generated.is_none());
            t.unique_constraints.retain(|u| !u.is_partial);
            t.write()
        })
        .collect();
    // Exactly the context `generate` uses, for the default options and `--entities-lib`.
    let context = sqlite2pg_codegen::entity::writer_context("public", &sqlite2pg_codegen::Options { entities_lib: true, ..Default::default() });
    let output = EntityTransformer::transform(statements).expect("transform").generate(&context);
    output.files.into_iter().map(|f| (f.name.clone(), normalise(&f.name, &f.content, false))).collect()
}

#[tokio::test]
async fn entities_equal_what_sea_orm_cli_generates_from_the_migrated_database() {
    let schema = plan_one(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/chat/chat.db"));
    let plan = Plan { schemas: vec![schema] };
    let options = sqlite2pg_codegen::Options { entities_lib: true, ..Default::default() };
    let generated = sqlite2pg_codegen::generate(&plan, &options).expect("generate");
    let ours: BTreeMap<String, String> = generated
        .entities
        .iter()
        .map(|f| {
            let name = f.path.to_string_lossy().into_owned();
            let code = normalise(&name, &f.contents, true);
            (name, code)
        })
        .collect();

    let db = TestDb::new("entities_equal_what_sea_orm_cli_generates").await;
    db.must_apply(&ddl::render(&plan, ddl::DdlOptions::default())).await;
    let discovered = discovered_entities(&db).await;

    assert_eq!(ours.keys().collect::<Vec<_>>(), discovered.keys().collect::<Vec<_>>(), "entity file names");
    let mut differing = Vec::new();
    for (name, code) in &ours {
        if discovered[name] != *code {
            differing.push(format!("=== {name}: generate ===\n{code}\n=== {name}: sea-orm-cli against the database ===\n{}", discovered[name]));
        }
    }
    assert!(differing.is_empty(), "entity files differ from what sea-orm-cli generates against the migrated database:\n{}", differing.join("\n"));
}

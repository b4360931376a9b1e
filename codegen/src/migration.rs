//! Migrator writer: the model as a crate in sea-orm-migration's layout.
//!
//! Gives `Cargo.toml` (written only when absent), `src/lib.rs` (`pub struct Migrator; impl
//! MigratorTrait`), `src/main.rs` (`sea_orm_migration::cli::run_cli(migration::Migrator)`) and
//! one `src/mYYYYMMDD_HHMMSS_name.rs` per migration with `#[derive(DeriveMigrationName)]`.
//!
//! Tables, columns, identities, keys, foreign keys, checks and plain indexes are sea-query
//! builder code; defaults and generated columns are `Expr::cust` with the plan's PostgreSQL SQL.
//! Raw SQL (`execute_unprepared`) is used only where sea-query has no words: the nocase
//! collation, expression indexes, DEFERRABLE foreign keys, views and trigger functions. The SQL
//! is the same [`sqlite2pg_converter::ddl`] writes, so a migrated database equals one built
//! from `sqlite2pg plan`. Every `down()` undoes its `up()`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use sqlite2pg_converter::ddl::{create_extension_sql, drop_extension_sql, nocase_collation_sql};
use sqlite2pg_converter::ident::quote as quote_ident;
use sqlite2pg_converter::mapping::{KeyStyle, PgType, Rule};
use sqlite2pg_converter::plan::{ColumnPlan, Finding, ForeignKeyPlan, IndexPlan, NOCASE_COLLATION};

use crate::error::{Error, Result};
use crate::format::{one_line, rust_file};
use crate::history::{ColumnShape, HISTORY_ABOUT, HISTORY_FILE, HISTORY_FORMAT, History, SchemaShape, Step, TableShape, TriggerShape, cast, revision_date, steps};
use crate::model::{MigrationKind, Model, TableModel};
use crate::names::module_word;
use crate::{OutputFile, Overwrite};

/// The migrator crate's files for the models of every schema, paths relative to the crate
/// folder. Several schemas share one migrator: their migrations run one schema after another.
pub fn write(models: &[Model<'_>], hand_written: &[HandWritten]) -> Result<Vec<OutputFile>> {
    let modules: Vec<String> = models.iter().flat_map(|m| &m.migrations).map(|m| m.module.clone()).collect();
    let mut files = vec![OutputFile { path: "Cargo.toml".into(), contents: CARGO_TOML.to_string(), overwrite: Overwrite::IfAbsent }, lib_rs(models, &with_hand_written(&modules, hand_written))?, main_rs(models)?];
    for model in models {
        for m in &model.migrations {
            let path = format!("src/{}.rs", m.module);
            let (banner, up, down) = match &m.kind {
                MigrationKind::Prepare => prepare(model),
                MigrationKind::Table(i) => table(model, &model.tables[*i])?,
                MigrationKind::CloseCycles => cycles(model),
                MigrationKind::ViewsAndTriggers => views_and_triggers(model)?,
            };
            let creates_schema = matches!(m.kind, MigrationKind::Prepare);
            files.push(OutputFile { path: path.clone().into(), contents: migration_file(&path, model, creates_schema, &banner, up, down)?, overwrite: Overwrite::Always });
        }
    }
    files.push(history_file(models.iter().map(|m| SchemaShape::of(m.schema)).collect(), modules, 0));
    Ok(files)
}

/// The history file recording `migrations` and the `schemas` they build (see [`crate::history`]).
fn history_file(schemas: Vec<SchemaShape>, migrations: Vec<String>, revisions: u32) -> OutputFile {
    let history = History { format: HISTORY_FORMAT, about: HISTORY_ABOUT.to_string(), revisions, migrations, schemas };
    OutputFile { path: HISTORY_FILE.into(), contents: history.to_json(), overwrite: Overwrite::Always }
}

/// What a migrator written before holds: its history and the text of each migration it lists.
#[derive(Debug, Clone)]
pub struct Previous {
    /// The history file.
    pub history: History,
    /// Each listed migration's file, by module name, exactly as on disk.
    pub files: BTreeMap<String, String>,
    /// The migrations the user added to the migrator (in `lib.rs`, with their own files), each
    /// with the generated migration it follows there (`None`: first).
    pub hand_written: Vec<HandWritten>,
}

/// A migration the user wrote into the generated migrator: `generate` keeps it, in its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandWritten {
    /// Its module name.
    pub module: String,
    /// The migration it follows in `lib.rs` (`None`: it comes first).
    pub after: Option<String>,
}

/// The migrations `lib.rs` lists, in order (`Box::new(<module>::Migration)`), from its text.
pub fn listed_migrations(lib_rs: &str) -> Vec<String> {
    lib_rs
        .split("Box::new(")
        .skip(1)
        .filter_map(|rest| {
            let module: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            rest.trim_start()[module.len()..].trim_start().starts_with("::Migration").then_some(module)
        })
        .filter(|m| !m.is_empty())
        .collect()
}

/// The modules in migration order: the generated ones (`generated`, in order), each hand-written
/// one right after the migration it followed (a generated or a hand-written one), and those whose
/// anchor is gone (a migrator written afresh) first, in their order.
fn with_hand_written(generated: &[String], hand_written: &[HandWritten]) -> Vec<String> {
    fn followers(after: &str, hand_written: &[HandWritten], out: &mut Vec<String>) {
        for h in hand_written.iter().filter(|h| h.after.as_deref() == Some(after)) {
            out.push(h.module.clone());
            followers(&h.module, hand_written, out);
        }
    }
    let known = |name: &str| generated.iter().any(|g| g == name) || hand_written.iter().any(|h| h.module == name);
    let mut out = Vec::new();
    for h in hand_written.iter().filter(|h| h.after.as_deref().is_none_or(|a| !known(a))) {
        out.push(h.module.clone());
        followers(&h.module, hand_written, &mut out);
    }
    for module in generated {
        out.push(module.clone());
        followers(module, hand_written, &mut out);
    }
    out
}

/// What regenerating over a previous migrator gives.
#[derive(Debug, Clone)]
pub struct Revised {
    /// The migrator crate's files: every earlier migration as it was, the new revisions,
    /// `lib.rs`, `main.rs`, the history.
    pub files: Vec<OutputFile>,
    /// The revision migrations added (module names), none when nothing changed.
    pub revisions: Vec<String>,
    /// What the reviewer should know: steps that lose data or may fail on rows, column order.
    pub findings: Vec<Finding>,
}

/// The migrator crate for `models` over a migrator written before: its migrations are kept byte
/// for byte, and each schema whose shape changed gets one revision migration (module doc of
/// [`crate::history`]).
pub fn write_over(models: &[Model<'_>], previous: &Previous) -> Result<Revised> {
    let history = &previous.history;
    if let Some(gone) = history.schemas.iter().find(|s| !models.iter().any(|m| m.schema.schema == s.schema)) {
        return Err(Error::SchemaLeft { schema: gone.schema.clone() });
    }
    let mut files = vec![OutputFile { path: "Cargo.toml".into(), contents: CARGO_TOML.to_string(), overwrite: Overwrite::IfAbsent }, main_rs(models)?];
    for module in &history.migrations {
        let contents = previous.files.get(module).ok_or_else(|| Error::MigrationMissing { module: module.clone() })?;
        files.push(OutputFile { path: format!("src/{module}.rs").into(), contents: contents.clone(), overwrite: Overwrite::Always });
    }
    let mut modules = history.migrations.clone();
    let revision = history.revisions + 1;
    let (mut revisions, mut findings) = (Vec::new(), Vec::new());
    let shapes: Vec<SchemaShape> = models.iter().map(|m| SchemaShape::of(m.schema)).collect();
    for (model, new) in models.iter().zip(&shapes) {
        let old = history.schema(&model.schema.schema).map(SchemaShape::without_bookkeeping);
        let old = old.as_ref();
        let up_steps = steps(old, Some(new));
        if up_steps.is_empty() {
            continue;
        }
        let down_steps = steps(Some(new), old);
        let module = revision_module(revision, model, &up_steps);
        if modules.contains(&module) {
            return Err(Error::MigrationClash { module });
        }
        let path = format!("src/{module}.rs");
        let banner = revision_banner(revision, model, old.is_some(), &up_steps);
        let up = steps_tokens(model, &up_steps)?;
        let down = steps_tokens(model, &down_steps)?;
        let creates_schema = up_steps.first() == Some(&Step::CreateSchema) && model.schema.schema != "public";
        files.push(OutputFile { path: path.clone().into(), contents: migration_file(&path, model, creates_schema, &banner, up, down)?, overwrite: Overwrite::Always });
        findings.extend(sqlite2pg_converter::shape::revision_findings(&model.schema.schema, &module, old, new, &up_steps));
        modules.push(module.clone());
        revisions.push(module);
    }
    let count = if revisions.is_empty() { history.revisions } else { revision };
    files.push(lib_rs(models, &with_hand_written(&modules, &previous.hand_written))?);
    files.push(history_file(shapes, modules, count));
    Ok(Revised { files, revisions, findings })
}

/// sea-orm-migration's own manifest, with tokio and PostgreSQL.
const CARGO_TOML: &str = r#"[package]
name = "migration"
version = "0.1.0"
edition = "2024"
publish = false

[lib]
name = "migration"
path = "src/lib.rs"

[dependencies]
tokio = { version = "1", features = ["macros", "rt", "rt-multi-thread"] }

[dependencies.sea-orm-migration]
version = "2.0.4"
features = ["runtime-tokio", "sqlx-postgres"]
"#;

fn generated_line(schemas: &str) -> String {
    one_line(&format!("Generated by sqlite2pg for {schemas}. Do not edit by hand: regenerate with `sqlite2pg generate`."))
}

/// The schemas of the models, for the banners of files they share. Never the SQLite files'
/// names or paths: regenerating from a copy of the database under another name changes nothing.
fn schemas_named(models: &[Model<'_>]) -> String {
    let names: Vec<String> = models.iter().map(|m| format!("`{}`", m.schema.schema)).collect();
    format!("{} {}", if names.len() == 1 { "schema" } else { "schemas" }, names.join(", "))
}

/// The schemas the migrations create (every one but `public`), quoted.
fn own_schemas(models: &[Model<'_>]) -> Vec<String> {
    models.iter().filter(|m| m.schema.schema != "public").map(|m| quote_ident(&m.schema.schema)).collect()
}

fn lib_rs(models: &[Model<'_>], modules: &[String]) -> Result<OutputFile> {
    let modules: Vec<_> = modules.iter().map(|m| format_ident!("{}", m)).collect();
    let schemas: Vec<&str> = models.iter().map(|m| m.schema.schema.as_str()).collect();
    let mut banner = vec![generated_line(&schemas_named(models)), String::new()];
    if let [model] = models {
        banner.push(format!("The migrator of schema `{}`: tables in foreign-key order, then what closes cycles, then views and triggers.", model.schema.schema));
    } else {
        banner.push(format!("The migrator of schemas {}, one after another; in each: the schema, tables in foreign-key order, then what closes cycles, then views and triggers.", schemas.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")));
    }
    banner.push("Stamps are positions, not times: the same input always gives the same files.".to_string());
    let own = own_schemas(models);
    let mut helpers = TokenStream::new();
    let mut fresh = TokenStream::new();
    if !own.is_empty() {
        banner.push("Each migration names its schema (`enter_schema`); run it without `DATABASE_SCHEMA`.".to_string());
        helpers = quote! {
            /// Puts `schema` first on the search path of the running migration, so the unqualified
            /// names in it create and find objects there. `set_config(.., true)` is `SET LOCAL`: it
            /// ends with the migration's transaction (sea-orm-migration runs each PostgreSQL
            /// migration in one), and the rest of the path stays so that `seaql_migrations` is
            /// still found.
            pub(crate) async fn enter_schema(manager: &SchemaManager<'_>, schema: &str) -> Result<(), DbErr> {
                let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
                let sql = "SELECT set_config('search_path', concat_ws(', ', $1, nullif(current_setting('search_path'), '')), true)";
                manager.get_connection().execute_raw(sea_orm::Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, [quoted.into()])).await?;
                Ok(())
            }
        };
        let drop = sql_lit(&format!("DROP SCHEMA IF EXISTS {} CASCADE", own.join(", ")));
        fresh = quote! {
            /// sea-orm-migration's `fresh` drops the tables of the connection's schema only; these
            /// migrations build schemas of their own, so `fresh` drops those schemas and the
            /// migration records, then applies every migration.
            async fn fresh<'c, C>(db: C) -> Result<(), DbErr>
            where
                C: IntoSchemaManagerConnection<'c>,
            {
                let db = db.into_database_executor();
                db.execute_unprepared(#drop).await?;
                db.execute_unprepared("DROP TABLE IF EXISTS seaql_migrations").await?;
                Self::up(db, None).await
            }
        };
    }
    let doc = if models.len() == 1 { " Every migration of the schema, in the order they run." } else { " Every migration of every schema, in the order they run." };
    let tokens = quote! {
        pub use sea_orm_migration::prelude::*;

        #(mod #modules;)*

        #[doc = #doc]
        pub struct Migrator;

        #[async_trait::async_trait]
        impl MigratorTrait for Migrator {
            fn migrations() -> Vec<Box<dyn MigrationTrait>> {
                vec![#(Box::new(#modules::Migration)),*]
            }

            #fresh
        }

        #helpers
    };
    Ok(OutputFile { path: "src/lib.rs".into(), contents: rust_file("src/lib.rs", &banner, tokens)?, overwrite: Overwrite::Always })
}

fn main_rs(models: &[Model<'_>]) -> Result<OutputFile> {
    let banner = vec![
        generated_line(&schemas_named(models)),
        String::new(),
        "The migrator's command line (`up`, `down`, `status`, `fresh`, `refresh`, `reset`), on `DATABASE_URL`.".to_string(),
    ];
    let tokens = quote! {
        #[tokio::main]
        async fn main() {
            sea_orm_migration::cli::run_cli(migration::Migrator).await;
        }
    };
    Ok(OutputFile { path: "src/main.rs".into(), contents: rust_file("src/main.rs", &banner, tokens)?, overwrite: Overwrite::Always })
}

fn migration_file(path: &str, model: &Model<'_>, creates_schema: bool, banner: &[String], up: TokenStream, down: TokenStream) -> Result<String> {
    let mut lines = vec![generated_line(&schemas_named(std::slice::from_ref(model))), String::new()];
    lines.extend(banner.iter().map(|l| one_line(l)));
    let what = banner.first().cloned().unwrap_or_else(|| path.to_string());
    let doc = format!(" {}", one_line(&what));
    let schema = model.schema.schema.as_str();
    let enter = if schema == "public" { TokenStream::new() } else { quote! { crate::enter_schema(manager, #schema).await?; } };
    // The schema must exist before it is entered: the migration that creates it does so first.
    let enter_up = match creates_schema {
        true if schema != "public" => {
            let create = raw(&format!("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(schema)));
            quote! { #create #enter }
        }
        _ => enter.clone(),
    };
    let tokens = quote! {
        use sea_orm_migration::prelude::*;

        #[doc = #doc]
        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                #enter_up
                #up
                Ok(())
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                #enter
                #down
                Ok(())
            }
        }
    };
    rust_file(path, &lines, tokens)
}

/// A Rust string literal for SQL: raw (`r#"..."#`) so the SQL reads as written.
fn sql_lit(sql: &str) -> TokenStream {
    if sql.contains('\r') || !sql.contains(['"', '\\', '\n']) {
        return Literal::string(sql).into_token_stream();
    }
    let mut hashes = 0;
    while sql.contains(&format!("\"{}", "#".repeat(hashes))) && hashes < 16 {
        hashes += 1;
    }
    let h = "#".repeat(hashes);
    format!("r{h}\"{sql}\"{h}").parse().unwrap_or_else(|_| Literal::string(sql).into_token_stream())
}

trait IntoTokens {
    fn into_token_stream(self) -> TokenStream;
}

impl IntoTokens for Literal {
    fn into_token_stream(self) -> TokenStream {
        proc_macro2::TokenTree::Literal(self).into()
    }
}

fn raw(sql: &str) -> TokenStream {
    let lit = sql_lit(sql);
    quote! { manager.get_connection().execute_unprepared(#lit).await?; }
}

/// The schema itself (when not `public`), the nocase collation and the text search setup.
fn prepare(model: &Model<'_>) -> (Vec<String>, TokenStream, TokenStream) {
    let mut banner = Vec::new();
    let schema = model.schema.schema.as_str();
    if schema != "public" {
        banner.push(format!("Creates schema `{schema}` for its tables."));
    }
    let mut up = TokenStream::new();
    let mut down = TokenStream::new();
    for extension in &model.schema.extensions {
        banner.push(format!("Creates the extension `{extension}` when the database lacks it (`down` drops it only then)."));
        up.extend(raw(&create_extension_sql(extension)));
    }
    if model.schema.needs_nocase_collation {
        banner.push(format!("Creates the collation `{NOCASE_COLLATION}`: ICU, case-insensitive, standing in for SQLite's COLLATE NOCASE."));
        up.extend(raw(&nocase_collation_sql()));
        down.extend(raw(&format!("DROP COLLATION IF EXISTS {}", quote_ident(NOCASE_COLLATION))));
    }
    let mut configs: Vec<&str> = model.schema.full_text.iter().map(|f| f.config.as_str()).filter(|c| c.starts_with("sqlite_")).collect();
    configs.sort_unstable();
    configs.dedup();
    for statement in &model.schema.text_search_setup {
        up.extend(raw(statement));
    }
    for config in &configs {
        banner.push(format!("Creates the text search configuration `{config}` for the tsvector columns that replace FTS tables."));
        down.extend(raw(&format!("DROP TEXT SEARCH CONFIGURATION IF EXISTS {}", quote_ident(config))));
    }
    // The extensions `up` created go too (one the database had before stays), unless something
    // else still uses them.
    let trigram = model.schema.full_text.iter().any(|f| f.trigram);
    let extensions = model.schema.extensions.iter().map(String::as_str).chain((!configs.is_empty()).then_some("unaccent")).chain(trigram.then_some("pg_trgm"));
    for extension in extensions {
        down.extend(raw(&drop_extension_sql(extension)));
    }
    // Not CASCADE: what someone else put in the schema stops `down` rather than vanishing.
    if schema != "public" {
        down.extend(raw(&format!("DROP SCHEMA IF EXISTS {}", quote_ident(schema))));
    }
    (banner, up, down)
}

/// Whether a decision changed what the SQLite type would plainly become.
fn changed_type(c: &ColumnPlan) -> bool {
    c.decision.warning.is_some() || !matches!(c.decision.rule, Rule::Integer | Rule::Text | Rule::Real | Rule::Blob | Rule::Decimal | Rule::BoundedText)
}

fn table(model: &Model<'_>, t: &TableModel<'_>) -> Result<(Vec<String>, TokenStream, TokenStream)> {
    let p = t.plan;
    let mut banner = vec![format!("Creates table `{}` from SQLite table `{}`, with its keys, checks and indexes.", p.name, p.source_name)];
    let changed: Vec<&ColumnPlan> = p.columns.iter().filter(|c| changed_type(c)).collect();
    if changed.is_empty() {
        banner.push(String::new());
        banner.push("No type decision: every column has its SQLite type's usual PostgreSQL type.".to_string());
    } else {
        banner.push(String::new());
        banner.push("Type decisions (SQLite -> PostgreSQL: evidence):".to_string());
        for c in changed {
            let declared = if c.declared_type.is_empty() { "(no type)".to_string() } else { c.declared_type.clone() };
            let mut line = format!("- `{} {declared}` -> {}{}: {}", c.source_name, c.pg_type, if c.identity { " identity" } else { "" }, c.decision.reason);
            if let Some(w) = &c.decision.warning {
                let _ = write!(line, " (warning: {w})");
            }
            banner.push(line);
        }
    }

    let mut up = create_table(&TableShape::of(model.schema, p));
    for index in model.schema.indexes.iter().filter(|i| i.table == p.name) {
        up.extend(index_tokens(index));
    }
    let name = p.name.as_str();
    let down = quote! { manager.drop_table(Table::drop().table(#name).to_owned()).await?; };
    Ok((banner, up, down))
}

/// `manager.create_table(...)` for a table with its keys and checks, then its DEFERRABLE
/// foreign keys (raw SQL: sea-query has no words for them).
fn create_table(p: &TableShape) -> TokenStream {
    let single_pk = (p.primary_key.len() == 1).then(|| p.primary_key[0].as_str());
    let name = p.name.as_str();
    let mut create = quote! { Table::create().table(#name) };
    for c in &p.columns {
        let col = column(c, single_pk == Some(c.name.as_str()));
        create.extend(quote! { .col(#col) });
    }
    if p.primary_key.len() > 1 {
        let cols = p.primary_key.iter().map(String::as_str);
        create.extend(quote! { .primary_key(Index::create() #(.col(#cols))*) });
    }
    for u in &p.uniques {
        let cols = u.iter().map(String::as_str);
        match p.unique_name(u) {
            Some(name) => create.extend(quote! { .index(Index::create().unique().name(#name) #(.col(#cols))*) }),
            None => create.extend(quote! { .index(Index::create().unique() #(.col(#cols))*) }),
        }
    }
    let mut after = TokenStream::new();
    for fk in &p.foreign_keys {
        if fk.deferrable {
            after.extend(raw(&format!("ALTER TABLE {} ADD {}", quote_ident(&p.name), sqlite2pg_converter::ddl::foreign_key(fk))));
        } else {
            let key = foreign_key_builder(fk);
            create.extend(quote! { .foreign_key(#key) });
        }
    }
    for check in &p.checks {
        let expr = sql_lit(&check.expr);
        match &check.name {
            Some(n) => create.extend(quote! { .check((#n, Expr::cust(#expr))) }),
            None => create.extend(quote! { .check(Expr::cust(#expr)) }),
        }
    }
    let mut up = quote! { manager.create_table(#create.to_owned()).await?; };
    up.extend(after);
    up
}

fn column(c: &ColumnShape, pk_inline: bool) -> TokenStream {
    let name = c.name.as_str();
    // A serial key (the framework's convention): sea-query's `auto_increment` is an identity.
    let serial = c.identity && c.key_style == KeyStyle::Serial;
    let ty = match (serial, c.pg_type) {
        (true, PgType::SmallInt) => quote! { custom(Alias::new("smallserial")) },
        (true, PgType::Integer) => quote! { custom(Alias::new("serial")) },
        (true, _) => quote! { custom(Alias::new("bigserial")) },
        (false, pg_type) => type_call(pg_type),
    };
    let mut def = quote! { ColumnDef::new(#name).#ty };
    if let Some(coll) = &c.collation {
        let extra = format!("COLLATE {}", quote_ident(coll));
        def.extend(quote! { .extra(#extra) });
    }
    if !c.nullable || c.identity || pk_inline {
        def.extend(quote! { .not_null() });
    }
    if c.identity && !serial {
        def.extend(quote! { .auto_increment() });
    }
    if pk_inline {
        def.extend(quote! { .primary_key() });
    }
    if let Some(g) = &c.generated {
        let g = sql_lit(g);
        def.extend(quote! { .generated(Expr::cust(#g), true) });
    } else if let Some(d) = &c.default {
        let d = sql_lit(d);
        def.extend(quote! { .default(Expr::cust(#d)) });
    }
    def
}

fn type_call(t: PgType) -> TokenStream {
    match t {
        PgType::Boolean => quote! { boolean() },
        PgType::SmallInt => quote! { small_integer() },
        PgType::Integer => quote! { integer() },
        PgType::BigInt => quote! { big_integer() },
        PgType::Double => quote! { double() },
        PgType::Numeric(Some((p, s))) => {
            let (p, s) = (Literal::u32_unsuffixed(p), Literal::u32_unsuffixed(s));
            quote! { decimal_len(#p, #s) }
        }
        PgType::Numeric(None) => quote! { decimal() },
        PgType::Text => quote! { text() },
        PgType::Citext => quote! { custom(Alias::new("citext")) },
        PgType::Varchar(n) => {
            let n = Literal::u32_unsuffixed(n);
            quote! { string_len(#n) }
        }
        PgType::Bytea => quote! { blob() },
        PgType::Json => quote! { json() },
        PgType::Jsonb => quote! { json_binary() },
        PgType::Date => quote! { date() },
        PgType::Time => quote! { time() },
        PgType::Timestamp => quote! { date_time() },
        PgType::TimestampTz => quote! { timestamp_with_time_zone() },
        PgType::Uuid => quote! { uuid() },
        PgType::Interval => quote! { interval(None, None) },
        PgType::Inet => quote! { inet() },
        PgType::TsVector => quote! { custom(Alias::new("tsvector")) },
    }
}

fn action_tokens(words: Option<&str>) -> Option<TokenStream> {
    use sea_query::ForeignKeyAction as A;
    Some(match crate::entity::action(words?)? {
        A::Cascade => quote! { ForeignKeyAction::Cascade },
        A::SetNull => quote! { ForeignKeyAction::SetNull },
        A::SetDefault => quote! { ForeignKeyAction::SetDefault },
        A::Restrict => quote! { ForeignKeyAction::Restrict },
        A::NoAction => quote! { ForeignKeyAction::NoAction },
        _ => return None,
    })
}

/// `ForeignKey::create()...` for a table's CREATE (no name: PostgreSQL names it as in the DDL).
fn foreign_key_builder(fk: &ForeignKeyPlan) -> TokenStream {
    let parent = fk.parent_table.as_str();
    let mut key = if let ([from], [to]) = (fk.columns.as_slice(), fk.parent_columns.as_slice()) {
        let (from, to) = (from.as_str(), to.as_str());
        quote! { ForeignKey::create().from_col(#from).to(#parent, #to) }
    } else {
        let from = fk.columns.iter().map(String::as_str);
        let to = fk.parent_columns.iter().map(String::as_str);
        quote! { ForeignKey::create() #(.from_col(#from))* .to_tbl(#parent) #(.to_col(#to))* }
    };
    if let Some(a) = action_tokens(fk.on_delete.as_deref()) {
        key.extend(quote! { .on_delete(#a) });
    }
    if let Some(a) = action_tokens(fk.on_update.as_deref()) {
        key.extend(quote! { .on_update(#a) });
    }
    key
}


/// A key part that is a plain column, optionally DESC/ASC: (column, descending).
fn plain_part(part: &str) -> Option<(String, Option<bool>)> {
    let part = part.trim();
    let upper = part.to_ascii_uppercase();
    let (name, order) = if upper.ends_with(" DESC") {
        (&part[..part.len() - 5], Some(true))
    } else if upper.ends_with(" ASC") {
        (&part[..part.len() - 4], Some(false))
    } else {
        (part, None)
    };
    let name = name.trim();
    if let Some(inner) = name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        let unescaped = inner.replace("\"\"", "\"");
        return (!inner.replace("\"\"", "").contains('"')).then_some((unescaped, order));
    }
    let bare = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_') && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
    (bare && !sqlite2pg_converter::ident::needs_quotes(name)).then(|| (name.to_string(), order))
}

fn index_tokens(index: &IndexPlan) -> TokenStream {
    let parts: Option<Vec<(String, Option<bool>)>> = if index.method.is_some() { None } else { index.parts.iter().map(|p| plain_part(p)).collect() };
    let Some(parts) = parts else {
        let unique = if index.unique { "UNIQUE " } else { "" };
        let method = index.method.as_ref().map(|m| format!(" USING {m}")).unwrap_or_default();
        let mut sql = format!("CREATE {unique}INDEX {} ON {}{method} ({})", quote_ident(&index.name), quote_ident(&index.table), index.parts.join(", "));
        if let Some(p) = &index.predicate {
            let _ = write!(sql, " WHERE {p}");
        }
        return raw(&sql);
    };
    let (name, table) = (index.name.as_str(), index.table.as_str());
    let mut b = quote! { Index::create().name(#name).table(#table) };
    if index.unique {
        b.extend(quote! { .unique() });
    }
    for (col, order) in &parts {
        let col = col.as_str();
        b.extend(match order {
            Some(true) => quote! { .col((#col, IndexOrder::Desc)) },
            Some(false) => quote! { .col((#col, IndexOrder::Asc)) },
            None => quote! { .col(#col) },
        });
    }
    if let Some(p) = &index.predicate {
        let p = sql_lit(p);
        b.extend(quote! { .and_where(Expr::cust(#p)) });
    }
    quote! { manager.create_index(#b.to_owned()).await?; }
}

/// PostgreSQL's default name for a foreign key (`table_col_fkey`), shortened as PostgreSQL does
/// past 63 bytes (the longer part is cut first, at a character boundary).
fn default_fk_name(table: &str, columns: &[String]) -> String {
    crate::names::pg_object_name(table, Some(&crate::names::pg_name_addition(columns)), "fkey")
}

fn cycles(model: &Model<'_>) -> (Vec<String>, TokenStream, TokenStream) {
    let banner = vec!["Adds the foreign keys that close cycles, once every table exists.".to_string()];
    let (mut up, mut down) = (TokenStream::new(), TokenStream::new());
    for d in &model.schema.deferred_foreign_keys {
        let fk = &d.foreign_key;
        let name = default_fk_name(&d.table, &fk.columns);
        up.extend(raw(&format!("ALTER TABLE {} ADD CONSTRAINT {} {}", quote_ident(&d.table), quote_ident(&name), sqlite2pg_converter::ddl::foreign_key(fk))));
        let (n, t) = (name.as_str(), d.table.as_str());
        down = quote! { manager.drop_foreign_key(ForeignKey::drop().name(#n).table(#t).to_owned()).await?; #down };
    }
    (banner, up, down)
}

/// The name right after `CREATE [OR REPLACE] <kind> `, as SQL (quoted when it was).
fn created_name(sql: &str, kind: &str, object: &str) -> Result<String> {
    let err = || Error::UnexpectedSql { object: object.to_string(), what: "the created name", sql: sql.to_string() };
    let words = sql.trim_start();
    let upper = words.to_ascii_uppercase();
    let rest = [format!("CREATE {kind} "), format!("CREATE OR REPLACE {kind} ")].iter().find(|p| upper.starts_with(p.as_str())).map(|p| words[p.len()..].trim_start()).ok_or_else(err)?;
    if let Some(inner) = rest.strip_prefix('"') {
        let mut end = None;
        let bytes = inner.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                end = Some(i);
                break;
            }
            i += 1;
        }
        let end = end.ok_or_else(err)?;
        return Ok(format!("\"{}\"", &inner[..end]));
    }
    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$').collect();
    if name.is_empty() { Err(err()) } else { Ok(name) }
}

fn views_and_triggers(model: &Model<'_>) -> Result<(Vec<String>, TokenStream, TokenStream)> {
    let s = model.schema;
    let mut banner = vec!["Creates views and triggers, rewritten for PostgreSQL (raw SQL: sea-query has no words for them).".to_string(), String::new()];
    let mut up = TokenStream::new();
    let mut down = TokenStream::new();
    for v in &s.views {
        banner.push(format!("- view `{}` (SQLite view `{}`)", v.name, v.source_name));
        up.extend(raw(&format!("CREATE VIEW {} AS\n{}", quote_ident(&v.name), v.query)));
        let drop = raw(&format!("DROP VIEW IF EXISTS {}", quote_ident(&v.name)));
        down = quote! { #drop #down };
    }
    for t in &s.triggers {
        let (line, create, drop) = trigger(&s.schema, &TriggerShape::of(t))?;
        banner.push(line);
        up.extend(create);
        down = quote! { #drop #down };
    }
    Ok((banner, up, down))
}

/// A trigger's banner line, its `up` (function, then trigger) and its `down`.
fn trigger(schema: &str, t: &TriggerShape) -> Result<(String, TokenStream, TokenStream)> {
    let object = format!("trigger \"{}\"", t.source_name);
    let function = created_name(&t.function_sql, "FUNCTION", &object)?;
    let trigger = created_name(&t.trigger_sql, "TRIGGER", &object)?;
    let line = format!("- trigger {trigger} on `{}` (SQLite trigger `{}`), calling function {function}", t.table, t.source_name);
    // `migrator fresh` drops every table but no function: OR REPLACE lets `up` run again.
    let function_sql = t.function_sql.trim_end();
    let function_sql = match function_sql.strip_prefix("CREATE FUNCTION ") {
        Some(rest) => format!("CREATE OR REPLACE FUNCTION {rest}"),
        None => function_sql.to_string(),
    };
    // The DDL pins each trigger function to its schema with `SET search_path FROM CURRENT`
    // under `SET search_path TO <schema>`; a migration's path has more schemas, so it names
    // the schema (the same setting in the catalog).
    let function_sql = function_sql.replacen(" SET search_path FROM CURRENT ", &format!(" SET search_path TO {} ", quote_ident(schema)), 1);
    let mut up = raw(&function_sql);
    up.extend(raw(t.trigger_sql.trim_end()));
    let mut down = raw(&format!("DROP TRIGGER IF EXISTS {trigger} ON {}", quote_ident(&t.table)));
    down.extend(raw(&format!("DROP FUNCTION IF EXISTS {function}()")));
    Ok((line, up, down))
}

/// A revision's module: `m<date>_000000_<what>` (one schema) or `m<date>_kk0000_<schema>_<what>`,
/// `<what>` naming the one table it changes or `update_schema`.
fn revision_module(revision: u32, model: &Model<'_>, up: &[Step]) -> String {
    let tables: BTreeSet<&str> = up.iter().filter_map(Step::table).collect();
    // The views and triggers dropped and created again around a change are not what it is about.
    let about: Vec<&Step> = up.iter().filter(|s| !matches!(s, Step::DropView(_) | Step::CreateView(_) | Step::DropTrigger(_) | Step::CreateTrigger(_))).collect();
    let only_creates = up.iter().all(|s| matches!(s, Step::CreateTable(_) | Step::CreateIndex(_) | Step::AddForeignKey { .. } | Step::CreateTrigger(_)));
    let columns: BTreeSet<&str> = about
        .iter()
        .filter_map(|s| match s {
            Step::AddColumn { column, .. } | Step::DropColumn { column, .. } => Some(column.name.as_str()),
            Step::AlterColumn { to, .. } => Some(to.name.as_str()),
            _ => None,
        })
        .collect();
    let only = |kind: fn(&Step) -> bool| !about.is_empty() && about.iter().all(|s| kind(s));
    let what = match (tables.iter().next(), columns.iter().next()) {
        (Some(t), Some(c)) if tables.len() == 1 && columns.len() == 1 && only(|s| matches!(s, Step::AddColumn { .. })) => format!("add_{}_{}", module_word(t), module_word(c)),
        (Some(t), Some(c)) if tables.len() == 1 && columns.len() == 1 && only(|s| matches!(s, Step::DropColumn { .. })) => format!("drop_{}_{}", module_word(t), module_word(c)),
        (Some(t), Some(c)) if tables.len() == 1 && columns.len() == 1 && only(|s| matches!(s, Step::AlterColumn { .. } | Step::DropColumn { .. } | Step::AddColumn { .. })) => {
            format!("alter_{}_{}", module_word(t), module_word(c))
        }
        (Some(t), _) if tables.len() == 1 && only_creates => format!("create_{}", module_word(t)),
        (Some(t), _) if tables.len() == 1 => format!("alter_{}", module_word(t)),
        (Some(_), _) if tables.len() <= 3 => format!("update_{}", tables.iter().map(|t| module_word(t)).collect::<Vec<_>>().join("_")),
        _ => "update_schema".to_string(),
    };
    let date = revision_date(revision);
    match &model.slot {
        None => format!("m{date}_000000_{what}"),
        Some(slot) => format!("m{date}_{:02}0000_{}_{what}", slot.number, slot.module.snake),
    }
}

/// The reviewer's comment of a revision: what it changes, with the evidence of every new type.
fn revision_banner(revision: u32, model: &Model<'_>, existed: bool, up: &[Step]) -> Vec<String> {
    let schema = &model.schema.schema;
    let mut banner = vec![if existed {
        format!("Revision {revision} of schema `{schema}`: takes the schema the earlier migrations build to the one now planned; `down` takes it back.")
    } else {
        format!("Revision {revision}: creates schema `{schema}`, new to this migrator, as planned; `down` removes it.")
    }];
    banner.push(String::new());
    let evidence = |table: &str, column: &str| {
        let c = model.schema.tables.iter().find(|t| t.name == table).and_then(|t| t.columns.iter().find(|c| c.name == column));
        c.map(|c| {
            let declared = if c.declared_type.is_empty() { "(no type)".to_string() } else { c.declared_type.clone() };
            format!(" (SQLite `{declared}`: {})", c.decision.reason)
        })
        .unwrap_or_default()
    };
    for step in up {
        let line = match step {
            Step::CreateSchema | Step::DropSchema => continue,
            Step::CreateCollation => format!("- creates the collation `{NOCASE_COLLATION}` for COLLATE NOCASE columns"),
            Step::Setup(sql) => format!("- runs `{}`", one_line(sql)),
            Step::DropTrigger(t) => format!("- drops trigger `{}` on `{}` (to create it anew, or gone)", t.source_name, t.table),
            Step::CreateTrigger(t) => format!("- creates trigger `{}` on `{}`", t.source_name, t.table),
            Step::DropView(v) => format!("- drops view `{}` (created again below when it stays)", v.name),
            Step::CreateView(v) => format!("- creates view `{}`", v.name),
            Step::DropForeignKey { table, key } => format!("- drops the foreign key `{table}` ({}) -> `{}`", key.columns.join(", "), key.parent_table),
            Step::AddForeignKey { table, key } => format!("- adds the foreign key `{table}` ({}) -> `{}`", key.columns.join(", "), key.parent_table),
            Step::DropIndex(i) => format!("- drops index `{}`", i.name),
            Step::CreateIndex(i) => format!("- creates index `{}` on `{}`", i.name, i.table),
            Step::DropTable(t) => format!("- DROPS TABLE `{}` AND ITS ROWS", t.name),
            Step::CreateTable(t) => format!("- creates table `{}` ({})", t.name, t.columns.iter().map(|c| format!("{} {}", c.name, c.pg_type)).collect::<Vec<_>>().join(", ")),
            Step::DropUnique { table, columns, .. } => format!("- drops UNIQUE ({}) of `{table}`", columns.join(", ")),
            Step::AddUnique { table, columns, .. } => format!("- adds UNIQUE ({}) to `{table}`", columns.join(", ")),
            Step::DropColumn { table, column } if column.generated.is_some() => format!("- drops generated column `{table}.{}` (added again below when it stays)", column.name),
            Step::DropColumn { table, column } => format!("- DROPS COLUMN `{table}.{}` AND ITS VALUES", column.name),
            Step::AddColumn { table, column, .. } => format!("- adds column `{table}.{}` {}{}", column.name, column.pg_type, evidence(table, &column.name)),
            Step::AlterColumn { table, from, to, from_not_null, to_not_null } => {
                let mut what = Vec::new();
                if from.pg_type != to.pg_type {
                    what.push(format!("{} -> {}", from.pg_type, to.pg_type));
                }
                if from.collation != to.collation {
                    what.push(format!("collation {} -> {}", from.collation.as_deref().unwrap_or("default"), to.collation.as_deref().unwrap_or("default")));
                }
                if from.default != to.default {
                    what.push(format!("default {} -> {}", from.default.as_deref().unwrap_or("none"), to.default.as_deref().unwrap_or("none")));
                }
                if from_not_null != to_not_null {
                    what.push(if *to_not_null { "NOT NULL".to_string() } else { "NULL allowed".to_string() });
                }
                if from.identity != to.identity {
                    what.push(if to.identity { "identity".to_string() } else { "no identity".to_string() });
                }
                format!("- changes column `{table}.{}`: {}{}", to.name, what.join(", "), if from.pg_type != to.pg_type { evidence(table, &to.name) } else { String::new() })
            }
            Step::DropPrimaryKey { table } => format!("- drops the primary key of `{table}`"),
            Step::AddPrimaryKey { table, columns } => format!("- adds the primary key ({}) to `{table}`", columns.join(", ")),
            Step::ReplaceChecks { table, checks } => format!("- CHECKs of `{table}` become: {}", if checks.is_empty() { "none".to_string() } else { checks.iter().map(|c| c.expr.clone()).collect::<Vec<_>>().join("; ") }),
        };
        banner.push(line);
    }
    banner
}

/// Findings about a revision: steps that lose data, columns that may fail on existing rows,
/// column orders PostgreSQL cannot give.
/// The statements that change a column in place, in an order PostgreSQL accepts.
fn alter_column_sql(table: &str, from: &ColumnShape, to: &ColumnShape, from_not_null: bool, to_not_null: bool) -> Vec<String> {
    let alter = format!("ALTER TABLE {} ALTER COLUMN {}", quote_ident(table), quote_ident(&to.name));
    let mut out = Vec::new();
    if from.identity && !to.identity {
        out.push(format!("{alter} DROP IDENTITY IF EXISTS"));
    }
    let retype = from.pg_type != to.pg_type || from.collation != to.collation;
    // A default of the old type may not cast to the new one: it goes first, and comes back after.
    if from.default.is_some() && (from.default != to.default || retype) {
        out.push(format!("{alter} DROP DEFAULT"));
    }
    if retype {
        let collate = to.collation.as_ref().map(|c| format!(" COLLATE {}", quote_ident(c))).unwrap_or_default();
        let using = if from.pg_type != to.pg_type { format!(" USING {}", cast(&to.name, from, to)) } else { String::new() };
        out.push(format!("{alter} TYPE {}{collate}{using}", to.pg_type));
    }
    if let Some(d) = &to.default
        && (from.default != to.default || retype)
    {
        out.push(format!("{alter} SET DEFAULT {d}"));
    }
    if from_not_null != to_not_null {
        out.push(format!("{alter} {} NOT NULL", if to_not_null { "SET" } else { "DROP" }));
    }
    if to.identity && !from.identity {
        out.push(format!("{alter} ADD GENERATED BY DEFAULT AS IDENTITY"));
        // The identity continues past the rows already there.
        out.push(format!(
            "SELECT setval(pg_get_serial_sequence({}, {}), coalesce(max({}), 0) + 1, false) FROM {}",
            sql_string(&quote_ident(table)),
            sql_string(&to.name),
            quote_ident(&to.name),
            quote_ident(table)
        ));
    }
    out
}

/// A SQL string literal.
fn sql_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The code of a list of revision steps.
fn steps_tokens(model: &Model<'_>, steps: &[Step]) -> Result<TokenStream> {
    let mut out = TokenStream::new();
    for step in steps {
        out.extend(match step {
            // The schema is created (and dropped) around the steps by the migration itself.
            Step::CreateSchema => TokenStream::new(),
            Step::DropSchema => raw(&format!("DROP SCHEMA IF EXISTS {}", quote_ident(&model.schema.schema))),
            Step::CreateCollation => raw(&nocase_collation_sql()),
            Step::Setup(sql) => raw(sql),
            Step::DropTrigger(t) => trigger(&model.schema.schema, t)?.2,
            Step::CreateTrigger(t) => trigger(&model.schema.schema, t)?.1,
            Step::DropView(v) => raw(&format!("DROP VIEW IF EXISTS {}", quote_ident(&v.name))),
            Step::CreateView(v) => raw(&format!("CREATE VIEW {} AS\n{}", quote_ident(&v.name), v.query)),
            Step::DropForeignKey { table, key } => raw(&format!("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", quote_ident(table), quote_ident(&default_fk_name(table, &key.columns)))),
            Step::AddForeignKey { table, key } => raw(&format!("ALTER TABLE {} ADD CONSTRAINT {} {}", quote_ident(table), quote_ident(&default_fk_name(table, &key.columns)), sqlite2pg_converter::ddl::foreign_key(key))),
            Step::DropIndex(i) => {
                let name = i.name.as_str();
                quote! { manager.drop_index(Index::drop().name(#name).if_exists().to_owned()).await?; }
            }
            Step::CreateIndex(i) => index_tokens(i),
            Step::DropTable(t) => {
                let name = t.name.as_str();
                quote! { manager.drop_table(Table::drop().table(#name).to_owned()).await?; }
            }
            Step::CreateTable(t) => create_table(t),
            Step::DropUnique { table, columns, name } => {
                let name = name.clone().unwrap_or_else(|| crate::names::pg_object_name(table, Some(&crate::names::pg_name_addition(columns)), "key"));
                raw(&format!("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", quote_ident(table), quote_ident(&name)))
            }
            Step::AddUnique { table, columns, name } => {
                let constraint = name.as_deref().map(|n| format!("CONSTRAINT {} ", quote_ident(n))).unwrap_or_default();
                raw(&format!("ALTER TABLE {} ADD {constraint}UNIQUE ({})", quote_ident(table), columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")))
            }
            Step::DropColumn { table, column } => {
                let (t, c) = (table.as_str(), column.name.as_str());
                quote! { manager.alter_table(Table::alter().table(#t).drop_column(#c).to_owned()).await?; }
            }
            Step::AddColumn { table, column: c, .. } => {
                let t = table.as_str();
                let col = column(c, false);
                quote! { manager.alter_table(Table::alter().table(#t).add_column(#col).to_owned()).await?; }
            }
            Step::AlterColumn { table, from, to, from_not_null, to_not_null } => alter_column_sql(table, from, to, *from_not_null, *to_not_null).iter().map(|sql| raw(sql)).collect(),
            Step::DropPrimaryKey { table } => raw(&format!("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", quote_ident(table), quote_ident(&crate::names::pg_object_name(table, None, "pkey")))),
            Step::AddPrimaryKey { table, columns } => raw(&format!("ALTER TABLE {} ADD PRIMARY KEY ({})", quote_ident(table), columns.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", "))),
            Step::ReplaceChecks { table, checks } => {
                // Unnamed checks have names PostgreSQL chose: the catalog says which to drop.
                // Added again in their order, they get the names a CREATE TABLE gives them.
                let regclass = sql_string(&quote_ident(table));
                let mut sql = raw(&format!(
                    "DO $$ DECLARE c record; BEGIN FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = {regclass}::regclass AND contype = 'c' ORDER BY conname LOOP EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', {regclass}, c.conname); END LOOP; END $$"
                ));
                for check in checks {
                    let name = check.name.as_ref().map(|n| format!("CONSTRAINT {} ", quote_ident(n))).unwrap_or_default();
                    sql.extend(raw(&format!("ALTER TABLE {} ADD {name}CHECK ({})", quote_ident(table), check.expr)));
                }
                sql
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlite2pg_converter::profile::EpochUnit;

    #[test]
    fn index_parts_that_are_columns() {
        assert_eq!(plain_part("sent_at DESC"), Some(("sent_at".to_string(), Some(true))));
        assert_eq!(plain_part("\"Order Id\""), Some(("Order Id".to_string(), None)));
        assert_eq!(plain_part("(lower(\"display_name\"))"), None);
        assert_eq!(plain_part("email COLLATE \"C\""), None);
    }

    #[test]
    fn created_names() {
        assert_eq!(created_name("CREATE FUNCTION \"a\"\"b_fn\"() RETURNS trigger", "FUNCTION", "t").ok(), Some("\"a\"\"b_fn\"".to_string()));
        assert_eq!(created_name("CREATE TRIGGER t1 AFTER", "TRIGGER", "t").ok(), Some("t1".to_string()));
        assert!(created_name("SELECT 1", "TRIGGER", "t").is_err());
    }

    #[test]
    fn fk_names_as_postgres_makes_them() {
        assert_eq!(default_fk_name("a", &["b".to_string()]), "a_b_fkey");
        assert_eq!(default_fk_name(&"t".repeat(70), &["c".to_string()]).len(), 63);
    }

    fn shape(name: &str, pg_type: PgType) -> ColumnShape {
        ColumnShape { name: name.into(), pg_type, nullable: true, identity: false, key_style: KeyStyle::Identity, default: None, generated: None, collation: None, epoch: None, declared: String::new() }
    }

    #[test]
    fn casts_between_the_types_a_decision_changes() {
        let (int, flag) = (shape("active", PgType::BigInt), shape("active", PgType::Boolean));
        assert_eq!(cast("active", &int, &flag), "active <> 0");
        assert_eq!(cast("active", &flag, &int), "CASE WHEN active THEN 1 ELSE 0 END");
        let at = ColumnShape { epoch: Some(EpochUnit::Milliseconds), ..shape("at", PgType::TimestampTz) };
        assert_eq!(cast("at", &shape("at", PgType::BigInt), &at), "to_timestamp(at / 1000.0)");
        assert_eq!(cast("at", &at, &shape("at", PgType::BigInt)), "(extract(epoch FROM at) * 1000)::bigint");
        assert_eq!(cast("Doc", &shape("Doc", PgType::Text), &shape("Doc", PgType::Jsonb)), "\"Doc\"::jsonb");
    }

    #[test]
    fn a_column_changes_default_type_default_nullability_in_that_order() {
        let from = ColumnShape { default: Some("1".into()), ..shape("active", PgType::BigInt) };
        let to = ColumnShape { default: Some("true".into()), nullable: false, ..shape("active", PgType::Boolean) };
        let sql = alter_column_sql("users", &from, &to, false, true);
        let tail: Vec<&str> = sql.iter().map(|s| s.trim_start_matches("ALTER TABLE users ALTER COLUMN active ")).collect();
        assert_eq!(tail, ["DROP DEFAULT", "TYPE boolean USING active <> 0", "SET DEFAULT true", "SET NOT NULL"]);
        let id = ColumnShape { identity: true, nullable: false, ..shape("id", PgType::BigInt) };
        let sql = alter_column_sql("t", &shape("id", PgType::BigInt), &id, false, true);
        assert!(sql[1].ends_with("ADD GENERATED BY DEFAULT AS IDENTITY") && sql[2].starts_with("SELECT setval(pg_get_serial_sequence('t', 'id')"), "{sql:?}");
    }

    #[test]
    fn raw_sql_literals_survive_quotes() {
        let lit = sql_lit("SELECT \"#x\" FROM \"t\"").to_string();
        assert!(lit.starts_with("r##\""), "{lit}");
    }
}

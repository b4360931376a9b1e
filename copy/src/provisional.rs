//! Planning folded into the copy: when the copy creates the schema itself, a large table's
//! profile comes from a sample, and the copy reads its exact profile as it reads its rows.
//!
//! An exact profiling pass reads every row before the first one is copied (on the 3.6M-row
//! benchmark, 1.7 core-seconds: as much CPU as the copy's own side of the load, and a second of
//! waiting). Here the plan is made from a sample, the copy starts at once, and its reader
//! profiles each sampled table exactly while encoding it (only tables it reads whole, in one
//! part, in rowid order, as a profiling pass does). Then the exact plan is made from those
//! profiles: when it builds the same schema and converts every value the same way
//! ([`Plan::builds_same`]) the copy stands, and the exact plan is the one returned, byte for
//! byte the plan a profiling pass gives. When the sample missed something (a value the
//! decision does not hold), what the copy created is dropped and the copy runs again with the
//! exact plan: slower, never wrong.
//!
//! Until the plan is confirmed the plan's tables are recorded in `sqlite2pg.copy_provisional`
//! with how the provisional plan builds and converts each (see `TablePlan::load_definition`). A copy that
//! finds such a record from an interrupted run goes on only when its own plan agrees with it.

use std::path::PathBuf;

use sqlite2pg_converter::plan::{Plan, PlanOptions, ProvisionalSample, plan_files, plan_files_provisionally, plan_files_with_profiles};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, PgPool};

use crate::error::CopyError;
use crate::load::{CopyOptions, CopySummary, SampledPlan, copy, copy_profiling, existing_tables, qualified};
use crate::progress;
use sqlite2pg_pg::connect;

/// Plan the SQLite files `paths` and copy them into `target`: returns the exact plan (the one
/// [`plan_files`] makes) and the copy's summary.
///
/// When the copy creates the schema (`create_schema`, none of the plan's tables in the target
/// yet, not `resume` or `truncate`), `provisional_sample` is not 0 and `plan_options` asks
/// for no sample of its own, large tables are
/// planned from a sample and profiled exactly by the copy itself (see the module's doc).
/// Otherwise the files are planned exactly first.
pub async fn plan_and_copy(paths: &[PathBuf], plan_options: &PlanOptions, target: &PgConnectOptions, options: &CopyOptions) -> Result<(Plan, CopySummary), CopyError> {
    // `plan_options.sample` asks for decisions from a sample, unconfirmed: planned as asked.
    let may_sample = options.create_schema && !options.resume && !options.truncate && options.provisional_sample > 0 && plan_options.sample.is_none();
    if !may_sample {
        let plan = blocking(paths, plan_options, plan_files).await?;
        let summary = copy(&plan, target, options).await?;
        return Ok((plan, summary));
    }
    let sample = ProvisionalSample { rows: options.provisional_sample, largest_table: options.single_transaction_rows };
    let provisional = blocking(paths, plan_options, move |paths, o| plan_files_provisionally(paths, o, sample)).await?;
    if provisional.pending.is_empty() {
        // Every table was profiled exactly.
        let summary = copy(&provisional.plan, target, options).await?;
        return Ok((provisional.plan, summary));
    }
    let pool = connect(target, 1).await?;
    if any_table_exists(&pool, &provisional.plan).await? {
        // The tables exist with the types they have: the copy must convert for those, which
        // only the exact plan knows. Profile the sampled tables exactly, then copy.
        let known = provisional.profiles;
        let plan = blocking(paths, plan_options, move |paths, o| plan_files_with_profiles(paths, o, &known)).await?;
        let summary = copy(&plan, target, options).await?;
        return Ok((plan, summary));
    }
    let (mut summary, read) = copy_profiling(&provisional.plan, target, options, &provisional.pending).await?;
    let sampled: Vec<String> = provisional
        .pending
        .iter()
        .filter_map(|p| provisional.plan.schemas.get(p.schema).map(|s| format!("{}.{}", s.schema, s.table(&p.table).map_or(p.table.as_str(), |t| t.name.as_str()))))
        .collect();
    let mut known = provisional.profiles;
    known.extend(read);
    // A pending table the copy did not read whole is profiled here.
    let exact = blocking(paths, plan_options, move |paths, o| plan_files_with_profiles(paths, o, &known)).await?;
    let schemas: Vec<String> = exact.schemas.iter().map(|s| s.schema.clone()).collect();
    if exact.builds_same(&provisional.plan) {
        progress::forget_provisional(&pool, &schemas).await?;
        summary.sampled_plan = Some(SampledPlan { tables: sampled, confirmed: true });
        return Ok((exact, summary));
    }
    tracing::warn!(tables = ?sampled, "the exact profiles change the schema or a conversion the sample decided: copying again with the exact plan");
    drop_created(&pool, &provisional.plan).await?;
    let mut summary = copy(&exact, target, options).await?;
    summary.sampled_plan = Some(SampledPlan { tables: sampled, confirmed: false });
    Ok((exact, summary))
}

/// Run a planning function off the async threads.
async fn blocking<T: Send + 'static>(
    paths: &[PathBuf],
    options: &PlanOptions,
    plan: impl FnOnce(&[PathBuf], &PlanOptions) -> sqlite2pg_converter::Result<T> + Send + 'static,
) -> Result<T, CopyError> {
    let (paths, options) = (paths.to_vec(), options.clone());
    tokio::task::spawn_blocking(move || plan(&paths, &options))
        .await
        .map_err(|e| CopyError::Reader(format!("the planning task ({e})")))?
        .map_err(CopyError::Source)
}

/// Record the plan's tables as loading with a provisional plan.
pub(crate) async fn mark(pool: &PgPool, plan: &Plan) -> Result<(), CopyError> {
    let tables: Vec<(String, String, String)> = plan.schemas.iter().flat_map(|s| s.tables.iter().map(|t| (s.schema.clone(), t.name.clone(), t.load_definition()))).collect();
    progress::mark_provisional(pool, &tables).await
}

/// Before a copy: a table an interrupted run loaded with a provisional plan may be loaded on
/// only with a plan that builds and converts it the same way
/// ([`TablePlan::load_definition`](sqlite2pg_converter::plan::TablePlan::load_definition)).
/// The record of one that agrees (or no longer exists) is dropped: this copy's plan is exact
/// or records its own.
pub(crate) async fn check_earlier_loads(pool: &PgPool, plan: &Plan) -> Result<(), CopyError> {
    let schemas: Vec<String> = plan.schemas.iter().map(|s| s.schema.clone()).collect();
    for (schema_name, table_name, earlier) in progress::provisional_records(pool, &schemas).await? {
        let Some(table) = plan.schemas.iter().find(|s| s.schema == schema_name).and_then(|s| s.tables.iter().find(|t| t.name == table_name)) else { continue };
        let now = table.load_definition();
        if earlier != now && existing_tables(pool, &schema_name).await?.contains(&table_name) {
            let difference = earlier.lines().zip(now.lines()).find(|(a, b)| a != b).map(|(a, b)| format!("was `{}`, now `{}`", a.trim(), b.trim())).unwrap_or_else(|| "its columns".into());
            return Err(CopyError::ProvisionalLoad { table: format!("{schema_name}.{table_name}"), difference });
        }
        progress::reset_provisional(pool, &schema_name, &table_name).await?;
    }
    Ok(())
}

async fn any_table_exists(pool: &PgPool, plan: &Plan) -> Result<bool, CopyError> {
    for schema in &plan.schemas {
        let existing = existing_tables(pool, &schema.schema).await?;
        if schema.tables.iter().any(|t| existing.contains(&t.name)) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Drop what creating `plan`'s schema made (its views, tables and trigger functions; the
/// tables did not exist before, see [`plan_and_copy`]) and forget its copy state, in one
/// transaction. Without CASCADE: an object someone else made on them meanwhile is never
/// dropped; PostgreSQL refuses, naming it, and nothing is dropped.
async fn drop_created(pool: &PgPool, plan: &Plan) -> Result<(), CopyError> {
    let mut tx = pool.begin().await.map_err(CopyError::pg("dropping the provisional schema"))?;
    for schema in &plan.schemas {
        let tables: Vec<String> = schema.tables.iter().map(|t| qualified(&schema.schema, &t.name)).collect();
        let views: Vec<String> = schema.views.iter().map(|v| qualified(&schema.schema, &v.name)).collect();
        // The functions of triggers on the tables and of INSTEAD OF triggers on the views:
        // dropping a table or view drops its triggers, never their functions.
        let functions: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT t.tgfoid::regprocedure::text FROM pg_trigger t WHERE t.tgrelid = ANY($1::text[]::regclass[]) AND NOT t.tgisinternal ORDER BY 1",
        )
        .bind(tables.iter().chain(&views).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await
        .map_err(CopyError::pg(format!("listing the trigger functions of schema {}", schema.schema)))?;
        let mut statements = Vec::new();
        if !views.is_empty() {
            statements.push(format!("DROP VIEW IF EXISTS {}", views.join(", ")));
        }
        if !tables.is_empty() {
            statements.push(format!("DROP TABLE IF EXISTS {}", tables.join(", ")));
        }
        if !functions.is_empty() {
            statements.push(format!("DROP FUNCTION IF EXISTS {}", functions.join(", ")));
        }
        for statement in statements {
            sqlx::raw_sql(AssertSqlSafe(statement.clone()))
                .execute(&mut *tx)
                .await
                .map_err(CopyError::pg(format!("dropping what the provisional plan created: {statement}")))?;
        }
        let names: Vec<String> = schema.tables.iter().map(|t| t.name.clone()).collect();
        progress::forget_tables(&mut tx, &schema.schema, &names).await?;
    }
    tx.commit().await.map_err(CopyError::pg("dropping the provisional schema"))
}

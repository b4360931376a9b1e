//! `sqlite2pg`: a thin command-line shell over the converter library.
//!
//! Exit codes (also in the README): 0 done; 1 unexpected failure; 2 usage error; 3 a database
//! is missing, not SQLite, or corrupt; 4 a database is locked; 5 the configuration is wrong;
//! 6 PostgreSQL cannot be reached; 7 the target's tables are missing or hold rows; 8 `inspect
//! --fail-on` found findings of that grade; 9 differences or schema drift; 10 `migrate
//! --migrator`'s migrator failed.

mod cli;
mod migrator;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sqlite2pg_converter::config::Config;
use sqlite2pg_converter::introspect::OpenOptions;
use sqlite2pg_converter::framework::Framework;
use sqlite2pg_converter::mapping::IntWidth;
use sqlite2pg_converter::plan::{FrameworkChoice, Grade, Plan, PlanOptions, plan_files};
use sqlite2pg_converter::{ddl, report};
use sqlite2pg_pg::PgConnectOptions;

use cli::{Command, CopyArgs, FailOn, FrameworkArg, InspectFormat, Input, IntWidthArg, OnBadValue, Opts, PlanFormat, VerifyFormat};

/// Exit code when `--fail-on` is met.
const EXIT_FINDINGS: u8 = 8;
/// Exit code when verification finds differences.
const EXIT_MISMATCH: u8 = 9;
/// `copy`/`migrate`: rows went to the rejects file (a type narrowed on purpose refused them).
const EXIT_REJECTED: u8 = 13;
/// `copy`/`migrate`: every row is in, but foreign keys stay NOT VALID because SQLite holds rows
/// without a parent (as it did).
const EXIT_NOT_VALID: u8 = 14;

fn main() -> ExitCode {
    // `copy` and `migrate` show bars on a terminal (indicatif) and plain log lines elsewhere
    // (a table copied, finished; keys validated), unless SQLITE2PG_LOG says otherwise. Nothing
    // else logs below `error` by default (sqlx warns of every statement over a second), but our
    // own warnings: what a failed copy restored, a database read from a copy.
    let terminal = std::io::stderr().is_terminal();
    let filter = tracing_subscriber::EnvFilter::try_from_env("SQLITE2PG_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(if terminal { "error,sqlite2pg_copy=warn,sqlite2pg_converter=warn" } else { "error,sqlite2pg_copy=info,sqlite2pg_converter=warn" }));
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(terminal).with_env_filter(filter).init();
    let opts = Opts::parse();
    match run(opts) {
        Ok(code) => code,
        Err(e) => {
            let code = e
                .downcast_ref::<sqlite2pg_converter::Error>()
                .map(|e| e.exit_code())
                .or_else(|| e.downcast_ref::<sqlite2pg_copy::CopyError>().map(|e| e.exit_code()))
                .or_else(|| e.downcast_ref::<sqlite2pg_pg::PgError>().map(|e| e.exit_code()))
                .or_else(|| e.downcast_ref::<sqlite2pg_verify::VerifyError>().map(|e| e.exit_code()))
                .or_else(|| e.downcast_ref::<migrator::MigratorError>().map(|e| e.exit_code()))
                .or_else(|| e.downcast_ref::<sqlite2pg_codegen::Error>().map(|e| e.exit_code()))
                .unwrap_or(1);
            // Causes are appended unless the message already quotes them (driver errors often do).
            let mut message = e.to_string();
            for cause in e.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    message.push_str(": ");
                    message.push_str(&cause);
                }
            }
            eprintln!("sqlite2pg: error: {message}");
            ExitCode::from(code)
        }
    }
}

fn run(opts: Opts) -> anyhow::Result<ExitCode> {
    match opts.command {
        Command::Inspect { input, format, fail_on } => {
            let plan = plan(&input, PlanFor::Report)?;
            let report = report::build(&plan);
            let text = match format {
                InspectFormat::Text => report::render_text(&report),
                InspectFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
                InspectFormat::Markdown => report::render_markdown(&report, &plan),
            };
            write_stdout(&text)?;
            let threshold = fail_on.map(|f| match f {
                FailOn::Warning => Grade::Warning,
                FailOn::NeedsAttention => Grade::NeedsAttention,
            });
            if let Some(t) = threshold
                && plan.findings().any(|(_, f)| f.grade >= t) {
                    return Ok(ExitCode::from(EXIT_FINDINGS));
                }
            Ok(ExitCode::SUCCESS)
        }
        Command::Pin { input } => {
            let plan = plan(&input, PlanFor::Report)?;
            let path = input.config.clone().unwrap_or_else(|| std::path::PathBuf::from("sqlite2pg.toml"));
            let existing = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
                Err(e) => anyhow::bail!("{}: {e}", path.display()),
            };
            let pinned = sqlite2pg_converter::config::pin(&existing, &plan).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            std::fs::write(&path, pinned).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let columns: usize = plan.schemas.iter().flat_map(|s| &s.tables).map(|t| t.columns.iter().filter(|c| !c.identity && c.generated.is_none()).count()).sum();
            eprintln!("sqlite2pg: pinned {columns} columns' types in {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan { input, format, no_comments, output } => {
            let plan = plan(&input, PlanFor::Report)?;
            let text = match format {
                PlanFormat::Sql => ddl::render(&plan, ddl::DdlOptions { comments: !no_comments }),
                PlanFormat::Json => {
                    // A saved plan is read back from anywhere (`--plan`): name its sources absolutely.
                    let mut saved = plan.clone();
                    for schema in &mut saved.schemas {
                        schema.source = std::path::absolute(&schema.source).unwrap_or_else(|_| schema.source.clone());
                    }
                    serde_json::to_string_pretty(&saved)? + "\n"
                }
            };
            match output {
                Some(path) => std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
                None => write_stdout(&text)?,
            }
            for (file, f) in plan.findings().filter(|(_, f)| f.grade >= Grade::Warning) {
                eprintln!("{}: {}: {}: {}", file.display(), f.grade, f.object, f.message);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Copy { input, target, copy, create_schema } => {
            let target = sqlite2pg_pg::resolve_target(target.to.as_deref())?;
            let options = copy_options(&input, &copy, create_schema)?;
            let (_, summary) = plan_and_copy(&runtime()?, &input, &target, &options)?;
            if options.check_only {
                return print_preflight(&summary);
            }
            print_copy_summary(&summary, &options)?;
            Ok(copy_outcome(&summary, &options))
        }
        Command::Verify { input, target, rejects, format } => {
            let plan = plan(&input, PlanFor::Load)?;
            let target = sqlite2pg_pg::resolve_target(target.to.as_deref())?;
            let options = sqlite2pg_verify::VerifyOptions { rejects: Some(rejects), open: open_options(&input), config: load_config(&input)?, ..Default::default() };
            let report = runtime()?.block_on(sqlite2pg_verify::verify(&plan, &target, &options))?;
            write_stdout(&render_verify(&report, format)?)?;
            Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_MISMATCH) })
        }
        Command::Check { input, target, format } => {
            let plan = plan(&input, PlanFor::Load)?;
            let target = sqlite2pg_pg::resolve_target(target.to.as_deref())?;
            let report = runtime()?.block_on(sqlite2pg_verify::check_schema(&plan, &target))?;
            write_stdout(&render_schema(&report, format)?)?;
            Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::from(EXIT_MISMATCH) })
        }
        Command::Migrate { input, target, copy, format, migrator, app_schema } => {
            // Checked before planning: a mistyped path should not cost a profiling pass.
            let migrator = migrator.as_deref().map(migrator::Migrator::new).transpose()?;
            let rt = runtime()?;
            // With a migrator the tables exist and were checked: never add the plan's DDL to them.
            let mut options = copy_options(&input, &copy, migrator.is_none() && app_schema.is_none())?;
            let resolved = sqlite2pg_pg::resolve_target(target.to.as_deref())?;
            let (plan, summary) = match (&migrator, &app_schema) {
                (_, Some(command)) => {
                    // The connection first: a wrong password is our error (exit 6, no secret).
                    let probe = rt.block_on(sqlite2pg_pg::connect(&resolved, 1))?;
                    rt.block_on(probe.close());
                    migrator::run_app_schema(command, &sqlite2pg_pg::target_url(target.to.as_deref(), &resolved), &sqlite2pg_pg::libpq_env(target.to.as_deref(), &resolved))?;
                    // Migrations may seed rows (Django's content types and permissions) that the
                    // copy brings anyway: the application's tables are emptied first.
                    options.truncate = !options.resume;
                    let plan = plan(&input, PlanFor::Load)?;
                    let summary = rt.block_on(sqlite2pg_copy::copy(&plan, &resolved, &options))?;
                    if options.check_only {
                        return print_preflight(&summary);
                    }
                    (plan, summary)
                }
                (Some(migrator), None) => {
                    let plan = plan(&input, PlanFor::Load)?;
                    let drift = migrate_schema(&rt, migrator, &plan, target.to.as_deref(), &resolved)?;
                    if !drift.ok {
                        write_stdout(&render_schema(&drift, format)?)?;
                        eprintln!("sqlite2pg: the schema the migrator built differs from the plan ({} drifts); nothing was copied", drift.drifts.len());
                        return Ok(ExitCode::from(EXIT_MISMATCH));
                    }
                    let summary = rt.block_on(sqlite2pg_copy::copy(&plan, &resolved, &options))?;
                    (plan, summary)
                }
                (None, None) => plan_and_copy(&rt, &input, &resolved, &options)?,
            };
            print_copy_summary(&summary, &options)?;
            let verify_options = sqlite2pg_verify::VerifyOptions { rejects: Some(options.rejects.clone()), open: open_options(&input), config: options.config.clone(), ..Default::default() };
            let report = rt.block_on(sqlite2pg_verify::verify(&plan, &resolved, &verify_options))?;
            write_stdout(&render_verify(&report, format)?)?;
            Ok(if report.ok { copy_outcome(&summary, &options) } else { ExitCode::from(EXIT_MISMATCH) })
        }
        Command::Fts { action: cli::FtsAction::Translate { query, columns, config, fts34, fts34_enhanced } } => {
            use sqlite2pg_rewrite::fts::{FtsDialect, FtsQuerySpec, translate_match};
            let dialect = match (fts34, fts34_enhanced) {
                (_, true) => FtsDialect::Fts34Enhanced,
                (true, false) => FtsDialect::Fts34,
                (false, false) => FtsDialect::Fts5,
            };
            match translate_match(&query, &FtsQuerySpec { columns, config, dialect }) {
                Ok(t) => {
                    write_stdout(&format!("{}\n", t.sql))?;
                    for n in &t.notes {
                        eprintln!("note: {n}");
                    }
                    if t.approximate {
                        eprintln!("sqlite2pg: the translation is approximate: PostgreSQL may match more rows than SQLite");
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("sqlite2pg: error: {e}");
                    Ok(ExitCode::from(2))
                }
            }
        }
        Command::Generate(args) => {
            // The migrator's history first: its deployed decisions stand unless the declared
            // type changed or a stored value does not fit (see `PlanOptions::deployed`).
            let previous = if args.fresh_migrations { None } else { sqlite2pg_codegen::write::read_previous(&args.migrator)? };
            let plan = match (&previous, &args.input.plan) {
                (Some(previous), None) => {
                    let mut options = plan_options(&args.input, PlanFor::Report)?;
                    options.deployed = sqlite2pg_codegen::history::deployed(&previous.history);
                    plan_files(&args.input.databases, &options)?
                }
                _ => plan(&args.input, PlanFor::Report)?,
            };
            let generated = match &previous {
                Some(previous) => sqlite2pg_codegen::generate_over(&plan, &codegen_options(&args), Some(previous))?,
                // Written afresh: the user's own migrations in lib.rs stay all the same.
                None => sqlite2pg_codegen::generate_fresh(&plan, &codegen_options(&args), &sqlite2pg_codegen::write::hand_written(&args.migrator, &sqlite2pg_codegen::write::history_migrations(&args.migrator))?)?,
            };
            if let Some(previous) = previous.as_ref().filter(|p| !p.hand_written.is_empty()) {
                eprintln!("sqlite2pg: kept your migrations {} in the migrator, in their places", previous.hand_written.iter().map(|h| h.module.as_str()).collect::<Vec<_>>().join(", "));
            }
            let summary = sqlite2pg_codegen::write::write_file_sets(&[(&args.entities, &generated.entities), (&args.migrator, &generated.migrator)])?;
            for f in &generated.findings {
                eprintln!("{}: {}: {}", f.grade, f.object, f.message);
            }
            // A deployed column whose type the data now changes: said where it cannot be missed.
            for (file, f) in plan.findings().filter(|(_, f)| f.grade == Grade::NeedsAttention && f.message.starts_with("a data-driven change of a deployed column")) {
                eprintln!("{}: needs attention: {}: {}", file.display(), f.object, f.message);
            }
            eprintln!("sqlite2pg: {} files written, {} kept, {} stale removed", summary.written.len(), summary.kept.len(), summary.removed.len());
            match (&previous, generated.revisions.as_slice()) {
                (Some(_), []) => eprintln!("sqlite2pg: the schema is as the migrator's history records: no new migration"),
                (Some(_), revisions) => {
                    for r in revisions {
                        eprintln!("sqlite2pg: new migration {r} (earlier migrations kept as they are)");
                    }
                }
                (None, _) => {}
            }
            eprintln!("sqlite2pg: the crate holding the entities needs, besides a sea-orm driver and runtime feature:");
            for line in &generated.entity_dependencies {
                eprintln!("  {line}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `generate`'s options as the codegen library takes them.
fn codegen_options(args: &cli::GenerateArgs) -> sqlite2pg_codegen::Options {
    use sqlite2pg_codegen::{DateTimeCrate, EntityFormat, Serde};
    sqlite2pg_codegen::Options {
        entity_format: match args.entity_format {
            cli::EntityFormatArg::Compact => EntityFormat::Compact,
            cli::EntityFormatArg::Expanded => EntityFormat::Expanded,
            cli::EntityFormatArg::Dense => EntityFormat::Dense,
        },
        serde: match args.serde {
            cli::SerdeArg::None => Serde::None,
            cli::SerdeArg::Serialize => Serde::Serialize,
            cli::SerdeArg::Deserialize => Serde::Deserialize,
            cli::SerdeArg::Both => Serde::Both,
        },
        date_time: match args.date_time {
            cli::DateTimeArg::Chrono => DateTimeCrate::Chrono,
            cli::DateTimeArg::Time => DateTimeCrate::Time,
        },
        entities_lib: args.entities_lib,
        include_hidden_tables: args.include_hidden_tables,
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn open_options(input: &Input) -> OpenOptions {
    OpenOptions { lock_timeout: Duration::from_secs_f64(input.lock_timeout.max(0.0)) }
}

fn copy_options(input: &Input, copy: &CopyArgs, create_schema: bool) -> anyhow::Result<sqlite2pg_copy::CopyOptions> {
    let defaults = sqlite2pg_copy::CopyOptions::default();
    Ok(sqlite2pg_copy::CopyOptions {
        jobs: copy.jobs.unwrap_or(defaults.jobs),
        rejects: copy.rejects.clone(),
        policy: match copy.on_bad_value {
            OnBadValue::Reject => sqlite2pg_copy::BadValuePolicy::Reject,
            OnBadValue::Null => sqlite2pg_copy::BadValuePolicy::Null,
            OnBadValue::Lossy => sqlite2pg_copy::BadValuePolicy::Lossy,
        },
        resume: copy.resume,
        truncate: copy.truncate,
        create_schema,
        progress: true,
        open: open_options(input),
        chunk_rows: copy.chunk_rows,
        binary: copy.copy_format == cli::CopyFormat::Auto,
        single_transaction_rows: copy.single_transaction_rows.unwrap_or(defaults.single_transaction_rows),
        provisional_sample: defaults.provisional_sample,
        config: load_config(input)?,
        check_only: copy.check_only,
        stop_on_signals: true,
    })
}

/// `--check-only`: the pre-flight's report on stdout (a failing one ended the run with exit 12).
fn print_preflight(summary: &sqlite2pg_copy::CopySummary) -> anyhow::Result<ExitCode> {
    let report = summary
        .preflight
        .as_ref()
        .map(sqlite2pg_copy::PreflightReport::render_text)
        .unwrap_or_else(|| "pre-flight: the copy would create the schema from the plan; nothing to check against\n".into());
    write_stdout(&report)?;
    Ok(ExitCode::SUCCESS)
}

/// `--config`, else `./sqlite2pg.toml` when present.
fn load_config(input: &Input) -> anyhow::Result<Config> {
    Ok(match &input.config {
        Some(path) => Config::load(path)?,
        None if Path::new("sqlite2pg.toml").exists() => Config::load(Path::new("sqlite2pg.toml"))?,
        None => Config::default(),
    })
}

/// Exit 0 only when every row is in PostgreSQL and every constraint valid; else the distinct
/// code, with a last line that names it and the counts.
fn copy_outcome(summary: &sqlite2pg_copy::CopySummary, options: &sqlite2pg_copy::CopyOptions) -> ExitCode {
    let rejected: u64 = summary.tables.iter().map(|t| t.rejected).sum();
    let not_valid = summary.invalid_foreign_keys.len();
    let plural = |n: u64, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    if rejected > 0 {
        eprintln!(
            "sqlite2pg: {} not copied (listed in {}, with why){}: exit {EXIT_REJECTED}",
            plural(rejected, "row", "rows"),
            options.rejects.display(),
            if not_valid > 0 { format!("; {} left NOT VALID", plural(not_valid as u64, "foreign key", "foreign keys")) } else { String::new() }
        );
        ExitCode::from(EXIT_REJECTED)
    } else if not_valid > 0 {
        eprintln!(
            "sqlite2pg: every row copied; {} left NOT VALID, because SQLite holds rows without a parent: exit {EXIT_NOT_VALID}",
            plural(not_valid as u64, "foreign key", "foreign keys")
        );
        ExitCode::from(EXIT_NOT_VALID)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_copy_summary(summary: &sqlite2pg_copy::CopySummary, options: &sqlite2pg_copy::CopyOptions) -> anyhow::Result<()> {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED).set_header(vec!["table", "rows", "copied", "rejected", "bytes", "seconds"]);
    for s in &summary.tables {
        t.add_row(vec![format!("{}.{}", s.schema, s.table), s.source_rows.to_string(), s.copied.to_string(), s.rejected.to_string(), s.bytes.to_string(), format!("{:.2}", s.seconds)]);
    }
    let rows: u64 = summary.tables.iter().map(|s| s.copied).sum();
    let rejected: u64 = summary.tables.iter().map(|s| s.rejected).sum();
    let mut text = format!("{t}
copied {rows} rows in {:.2} s", summary.seconds);
    if rejected > 0 || summary.rejects_written > 0 {
        text.push_str(&format!("; {rejected} rows rejected, {} entries in {}", summary.rejects_written, options.rejects.display()));
    }
    text.push_str(if summary.balanced() { "; every table: source rows = copied + rejected\n" } else { "; WARNING: some table's source rows != copied + rejected\n" });
    for fk in &summary.invalid_foreign_keys {
        text.push_str(&format!("foreign key left NOT VALID: {fk}\n"));
    }
    for kept in summary.preflight.iter().flat_map(|p| &p.kept_tables) {
        text.push_str(&kept.describe());
        text.push('\n');
    }
    if let Some(sampled) = &summary.sampled_plan {
        let tables = sampled.tables.join(", ");
        text.push_str(&if sampled.confirmed {
            format!("planned {tables} from a sample; the copy read their exact profiles, which confirm every decision\n")
        } else {
            format!("planned {tables} from a sample; their exact profiles changed a decision, so the copy was made again with the exact plan\n")
        });
    }
    eprint!("{text}");
    Ok(())
}

/// `migrate --migrator`: the migrator's `up` on the target, then the live schema compared with
/// the plan (as `check`). The connection is tried first, so a wrong password or an unreachable
/// server is our own error (exit 6, no secret in it) rather than whatever the migrator prints.
fn migrate_schema(rt: &tokio::runtime::Runtime, migrator: &migrator::Migrator, plan: &Plan, to: Option<&str>, target: &PgConnectOptions) -> anyhow::Result<sqlite2pg_verify::SchemaReport> {
    let probe = rt.block_on(sqlite2pg_pg::connect(target, 1))?;
    rt.block_on(probe.close());
    migrator.up(&sqlite2pg_pg::target_url(to, target))?;
    let report = rt.block_on(sqlite2pg_verify::check_schema(plan, target))?;
    if report.ok {
        eprintln!("sqlite2pg: the migrator {} built the plan's schema", migrator.path().display());
    }
    Ok(report)
}

fn render_schema(report: &sqlite2pg_verify::SchemaReport, format: VerifyFormat) -> anyhow::Result<String> {
    Ok(match format {
        VerifyFormat::Text => sqlite2pg_verify::render_schema_text(report),
        VerifyFormat::Json => serde_json::to_string_pretty(report)? + "\n",
        VerifyFormat::Markdown => sqlite2pg_verify::render_schema_markdown(report),
    })
}

fn render_verify(report: &sqlite2pg_verify::VerifyReport, format: VerifyFormat) -> anyhow::Result<String> {
    Ok(match format {
        VerifyFormat::Text => sqlite2pg_verify::render_text(report),
        VerifyFormat::Json => serde_json::to_string_pretty(report)? + "\n",
        VerifyFormat::Markdown => sqlite2pg_verify::render_markdown(report),
    })
}

/// What a plan is made for: a report shows every finding; a copy, verify or check only needs the
/// schema (they find broken foreign keys in PostgreSQL themselves).
#[derive(Clone, Copy, PartialEq, Eq)]
enum PlanFor {
    Report,
    Load,
}

fn plan(input: &Input, purpose: PlanFor) -> anyhow::Result<Plan> {
    if let Some(saved) = &input.plan {
        return Ok(Plan::from_json_file(saved)?);
    }
    Ok(plan_files(&input.databases, &plan_options(input, purpose)?)?)
}

/// Plan (or read the saved plan) and copy: without a saved plan, the copy profiles the large
/// tables itself when it creates the schema (`sqlite2pg_copy::plan_and_copy`).
fn plan_and_copy(rt: &tokio::runtime::Runtime, input: &Input, target: &PgConnectOptions, options: &sqlite2pg_copy::CopyOptions) -> anyhow::Result<(Plan, sqlite2pg_copy::CopySummary)> {
    if input.plan.is_some() {
        let plan = plan(input, PlanFor::Load)?;
        let summary = rt.block_on(sqlite2pg_copy::copy(&plan, target, options))?;
        return Ok((plan, summary));
    }
    let plan_options = plan_options(input, PlanFor::Load)?;
    Ok(rt.block_on(sqlite2pg_copy::plan_and_copy(&input.databases, &plan_options, target, options))?)
}

fn plan_options(input: &Input, purpose: PlanFor) -> anyhow::Result<PlanOptions> {
    let config = load_config(input)?;
    if input.schema.is_some() && input.databases.len() > 1 {
        anyhow::bail!("--schema names the schema of a single database; with several, each goes to a schema named after its file");
    }
    if !(input.lock_timeout.is_finite() && input.lock_timeout >= 0.0) {
        anyhow::bail!("--lock-timeout must be a number of seconds, not {}", input.lock_timeout);
    }
    let options = PlanOptions {
        sample: input.sample,
        schema: input.schema.clone(),
        open: OpenOptions { lock_timeout: Duration::from_secs_f64(input.lock_timeout) },
        config,
        jobs: 0,
        skip_orphan_counts: purpose == PlanFor::Load,
        strict_types: input.strict_types,
        framework: match input.framework {
            FrameworkArg::Auto => FrameworkChoice::Detect,
            FrameworkArg::None => FrameworkChoice::None,
            FrameworkArg::Django => FrameworkChoice::Named(Framework::Django),
            FrameworkArg::Alembic => FrameworkChoice::Named(Framework::Alembic),
            FrameworkArg::Sequelize => FrameworkChoice::Named(Framework::Sequelize),
            FrameworkArg::Seaorm => FrameworkChoice::Named(Framework::SeaOrm),
            FrameworkArg::Prisma => FrameworkChoice::Named(Framework::Prisma),
            FrameworkArg::Rails => FrameworkChoice::Named(Framework::Rails),
            FrameworkArg::Knex => FrameworkChoice::Named(Framework::Knex),
            FrameworkArg::Typeorm => FrameworkChoice::Named(Framework::TypeOrm),
            FrameworkArg::Drizzle => FrameworkChoice::Named(Framework::Drizzle),
            FrameworkArg::Flyway => FrameworkChoice::Named(Framework::Flyway),
            FrameworkArg::Laravel => FrameworkChoice::Named(Framework::Laravel),
        },
        int_width: match input.int_width {
            IntWidthArg::Auto => None,
            IntWidthArg::Int4 => Some(IntWidth::Int4),
            IntWidthArg::Int8 => Some(IntWidth::Int8),
        },
        keep_value_kinds: input.keep_value_kinds,
        deployed: Default::default(),
    };
    Ok(options)
}

/// Write to stdout, treating a closed pipe (`| head`) as success.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

//! `sqlite2pg`: a thin command-line shell over the converter library.
//!
//! Exit codes (also in the README): 0 done; 1 unexpected failure; 2 usage error; 3 a database
//! is missing, not SQLite, or corrupt; 4 a database is locked; 5 the configuration is wrong;
//! 8 `inspect --fail-on` found findings of that grade.

mod cli;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use sqlite2pg_converter::config::Config;
use sqlite2pg_converter::introspect::OpenOptions;
use sqlite2pg_converter::plan::{Grade, Plan, PlanOptions, plan_files};
use sqlite2pg_converter::{ddl, report};

use cli::{Command, FailOn, InspectFormat, Input, Opts, PlanFormat};

/// Exit code when `--fail-on` is met.
const EXIT_FINDINGS: u8 = 8;

fn main() -> ExitCode {
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(tracing_subscriber::EnvFilter::from_env("SQLITE2PG_LOG")).init();
    let opts = Opts::parse();
    match run(opts) {
        Ok(code) => code,
        Err(e) => {
            let code = e.downcast_ref::<sqlite2pg_converter::Error>().map_or(1, |e| e.exit_code());
            eprintln!("sqlite2pg: error: {e:#}");
            ExitCode::from(code)
        }
    }
}

fn run(opts: Opts) -> anyhow::Result<ExitCode> {
    match opts.command {
        Command::Inspect { input, format, fail_on } => {
            let plan = plan(&input)?;
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
        Command::Plan { input, format, no_comments, output } => {
            let plan = plan(&input)?;
            let text = match format {
                PlanFormat::Sql => ddl::render(&plan, ddl::DdlOptions { comments: !no_comments }),
                PlanFormat::Json => serde_json::to_string_pretty(&plan)? + "\n",
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
    }
}

fn plan(input: &Input) -> anyhow::Result<Plan> {
    let config = match &input.config {
        Some(path) => Config::load(path)?,
        None if Path::new("sqlite2pg.toml").exists() => Config::load(Path::new("sqlite2pg.toml"))?,
        None => Config::default(),
    };
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
    };
    Ok(plan_files(&input.databases, &options)?)
}

/// Write to stdout, treating a closed pipe (`| head`) as success.
fn write_stdout(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

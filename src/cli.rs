//! The command line: clap definitions only. `main` turns them into library options once.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Move an application from SQLite to PostgreSQL, and show the work.
#[derive(Debug, Parser)]
#[command(name = "sqlite2pg", version, about, long_about = None)]
pub struct Opts {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess SQLite databases: what is there, what will change, what needs a human.
    Inspect {
        /// Input options.
        #[command(flatten)]
        input: Input,
        /// Output format.
        #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
        format: InspectFormat,
        /// Exit with code 8 when a finding of this grade (or worse) exists.
        #[arg(long, value_enum)]
        fail_on: Option<FailOn>,
    },
    /// Print the PostgreSQL DDL the databases become, each decision beside its column.
    Plan {
        /// Input options.
        #[command(flatten)]
        input: Input,
        /// Output format: SQL with comments, or the decisions as JSON.
        #[arg(long, value_enum, default_value_t = PlanFormat::Sql)]
        format: PlanFormat,
        /// Leave the per-column decision comments out of the SQL.
        #[arg(long)]
        no_comments: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Options shared by the commands that read SQLite files.
#[derive(Debug, Args)]
pub struct Input {
    /// SQLite database files. One goes to schema `public` (or --schema); several go to one
    /// schema each, named after the file.
    #[arg(required = true, value_name = "DB")]
    pub databases: Vec<PathBuf>,
    /// Overrides (default: ./sqlite2pg.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// PostgreSQL schema for a single input file.
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// Profile about N rows per table instead of all (decisions are marked as sampled).
    #[arg(long, value_name = "N")]
    pub sample: Option<u64>,
    /// Seconds to wait for another process's write lock on a database.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub lock_timeout: f64,
}

/// `inspect --format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum InspectFormat {
    /// Terminal tables.
    Text,
    /// Machine-readable.
    Json,
    /// Markdown with a mermaid ER diagram.
    Markdown,
}

/// `plan --format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PlanFormat {
    /// PostgreSQL DDL.
    Sql,
    /// The plan as JSON.
    Json,
}

/// `inspect --fail-on`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    /// Any warning or worse.
    Warning,
    /// Anything that needs attention.
    NeedsAttention,
}

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
    /// Write every column's current decision into sqlite2pg.toml (`type`, and `epoch` for epoch
    /// numbers), so a team freezes the plan in review: a later, thinner sample or an emptied copy
    /// then plans the same types. Comments and other settings in the file are kept.
    Pin {
        /// Input options (`--config` names the file written; default ./sqlite2pg.toml).
        #[command(flatten)]
        input: Input,
    },
    /// Stream the data into PostgreSQL with COPY, converting each value as the plan says.
    Copy {
        /// Input options.
        #[command(flatten)]
        input: Input,
        /// Target.
        #[command(flatten)]
        target: Target,
        /// Copy options.
        #[command(flatten)]
        copy: CopyArgs,
        /// Create the schema from the plan when its tables do not exist yet.
        #[arg(long)]
        create_schema: bool,
    },
    /// Prove nothing was lost: counts, every row compared, identities, foreign keys.
    Verify {
        /// Input options.
        #[command(flatten)]
        input: Input,
        /// Target.
        #[command(flatten)]
        target: Target,
        /// The copy's rejects file (its rows are expected differences).
        #[arg(long, value_name = "FILE", default_value = "sqlite2pg-rejects.jsonl")]
        rejects: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
        format: VerifyFormat,
    },
    /// Compare the live PostgreSQL schema with the plan: every missing, extra or different table,
    /// column, constraint, index, view, trigger; exit 0 only when they agree, 9 on drift.
    Check {
        /// Input options.
        #[command(flatten)]
        input: Input,
        /// Target.
        #[command(flatten)]
        target: Target,
        /// Output format.
        #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
        format: VerifyFormat,
    },
    /// Plan, create the schema, copy, verify: one command, exit 0 only when verification passes.
    Migrate {
        /// Input options.
        #[command(flatten)]
        input: Input,
        /// Target.
        #[command(flatten)]
        target: Target,
        /// Copy options.
        #[command(flatten)]
        copy: CopyArgs,
        /// Verification report format (also of the drift report when `--migrator`'s schema
        /// differs from the plan).
        #[arg(long, value_enum, default_value_t = VerifyFormat::Text)]
        format: VerifyFormat,
        /// Create the schema with this migrator instead of the plan's DDL: the crate folder
        /// `generate --migrator` wrote (run with `cargo run -- up`) or its compiled binary (run
        /// with `up`). It gets the target in `DATABASE_URL` (and no `DATABASE_SCHEMA`: generated
        /// migrations name their schemas); then the live schema is checked against the plan,
        /// and on drift nothing is copied (exit 9). A failing migrator exits 10.
        #[arg(long, value_name = "PATH", conflicts_with = "app_schema")]
        migrator: Option<PathBuf>,
        /// The route for an application whose framework owns its schema: run this shell command
        /// (the application's own migrations, e.g. `python manage.py migrate`, `alembic upgrade
        /// head`, `npx prisma migrate deploy`) against the target, with the target in
        /// `DATABASE_URL` and the `PG*` variables and its output forwarded with the password
        /// masked; then the pre-flight, the copy into that schema (its tables emptied first:
        /// migrations may seed rows the copy brings anyway; bookkeeping tables kept) and verify.
        /// A failing command exits 10, nothing copied.
        #[arg(long, value_name = "CMD")]
        app_schema: Option<String>,
    },
    /// Generate SeaORM entities and a sea-orm-migration migrator crate from the plan.
    Generate(GenerateArgs),
    /// Full-text search helpers.
    Fts {
        /// What to do.
        #[command(subcommand)]
        action: FtsAction,
    },
}

/// `generate`: where the files go and how the entities look.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Input options.
    #[command(flatten)]
    pub input: Input,
    /// Folder for the entity files (`mod.rs`, `prelude.rs`, one file per table).
    #[arg(long, value_name = "DIR")]
    pub entities: PathBuf,
    /// Write `lib.rs` instead of `mod.rs`, for an entities folder that is a crate's `src`.
    #[arg(long)]
    pub entities_lib: bool,
    /// Write entities for tables whose name starts with `_` too, as `sea-orm-cli generate entity
    /// --include-hidden-tables` (by default they get none; their migrations are written either way).
    #[arg(long)]
    pub include_hidden_tables: bool,
    /// Folder of the migrator crate (its `Cargo.toml` is written only when absent).
    #[arg(long, value_name = "DIR")]
    pub migrator: PathBuf,
    /// Entity format, as `sea-orm-cli generate entity`.
    #[arg(long, value_enum, default_value_t = EntityFormatArg::Compact)]
    pub entity_format: EntityFormatArg,
    /// Serde derives on the models.
    #[arg(long, value_enum, default_value_t = SerdeArg::None)]
    pub serde: SerdeArg,
    /// Date and time crate of the models.
    #[arg(long, value_enum, default_value_t = DateTimeArg::Chrono)]
    pub date_time: DateTimeArg,
    /// Write every migration anew from the plan, ignoring the migrator's history. Only for a
    /// migrator no database has run yet: without it, regenerating keeps every earlier migration
    /// and adds a revision migration for what changed.
    #[arg(long)]
    pub fresh_migrations: bool,
}

/// `generate --entity-format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EntityFormatArg {
    /// `DeriveEntityModel` on the model.
    Compact,
    /// Entity, columns and relations written out.
    Expanded,
    /// SeaORM 2.0's `#[sea_orm::model]`.
    Dense,
}

/// `generate --serde`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SerdeArg {
    /// No serde derives.
    None,
    /// `Serialize`.
    Serialize,
    /// `Deserialize`.
    Deserialize,
    /// Both.
    Both,
}

/// `generate --date-time`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DateTimeArg {
    /// chrono.
    Chrono,
    /// time.
    Time,
}

/// Options of the commands that write to PostgreSQL.
#[derive(Debug, Args)]
pub struct Target {
    /// The PostgreSQL database (`postgres://user@host:port/db?sslmode=require`); default
    /// `DATABASE_URL`, then the `PG*` variables.
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
}

/// Options of `copy` (and `migrate`).
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Tables copied at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// JSON-lines file for values that cannot go across.
    #[arg(long, value_name = "FILE", default_value = "sqlite2pg-rejects.jsonl")]
    pub rejects: PathBuf,
    /// What happens to a value that cannot go across: its row is rejected (default), the value
    /// becomes NULL, or invalid UTF-8 is decoded lossily.
    #[arg(long, value_enum, default_value_t = OnBadValue::Reject)]
    pub on_bad_value: OnBadValue,
    /// Finish an interrupted copy (progress is recorded in PostgreSQL).
    #[arg(long, conflicts_with = "truncate")]
    pub resume: bool,
    /// Empty the target tables first.
    #[arg(long)]
    pub truncate: bool,
    /// Rows per committed chunk.
    #[arg(long, value_name = "N", default_value_t = 200_000, hide = true)]
    pub chunk_rows: usize,
    /// Tables of up to N rows (default 5,000,000) load in one transaction and are copied with
    /// FREEZE: their rows arrive frozen, so keys and indexes build faster and no vacuum has to
    /// rewrite them later; an interrupted copy loads such a table again, whole, on `--resume`.
    /// Larger tables commit chunk by chunk and resume where they stopped. 0: every table
    /// chunk by chunk.
    #[arg(long, value_name = "N")]
    pub single_transaction_rows: Option<u64>,
    /// COPY's format: binary (`auto`: every table whose column types have a binary encoder,
    /// which today is every table), or text for every table (`text`, to compare or diagnose).
    #[arg(long, value_enum, default_value_t = CopyFormat::Auto)]
    pub copy_format: CopyFormat,
    /// Into tables that already exist: run the pre-flight only (every value converted to the
    /// live column's type, lengths, ranges, NOT NULL, enum labels), print its report and change
    /// nothing. Exit 0 when everything would go across, 12 otherwise.
    #[arg(long)]
    pub check_only: bool,
}

/// `--copy-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CopyFormat {
    /// Binary where every column's type allows it.
    Auto,
    /// Text everywhere.
    Text,
}

/// `--on-bad-value`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OnBadValue {
    /// Reject the row into the rejects file.
    Reject,
    /// Store NULL (where the column allows it) and record it.
    Null,
    /// Decode invalid UTF-8 lossily, drop NUL bytes, and record it.
    Lossy,
}

/// `verify --format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VerifyFormat {
    /// Terminal tables.
    Text,
    /// Machine-readable.
    Json,
    /// Markdown.
    Markdown,
}

/// Options shared by the commands that read SQLite files.
#[derive(Debug, Args)]
pub struct Input {
    /// SQLite database files. One goes to schema `public` (or --schema); several go to one
    /// schema each, named after the file.
    #[arg(required_unless_present = "plan", value_name = "DB")]
    pub databases: Vec<PathBuf>,
    /// Use a plan saved with `plan --format json` instead of planning again (the decisions a
    /// human reviewed, and no profiling pass).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["databases", "config", "schema", "sample", "strict_types", "framework", "int_width", "keep_value_kinds"])]
    pub plan: Option<PathBuf>,
    /// Overrides (default: ./sqlite2pg.toml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// PostgreSQL schema for a single input file.
    #[arg(long, value_name = "NAME")]
    pub schema: Option<String>,
    /// Profile about N rows per table instead of all (decisions are marked as sampled).
    #[arg(long, value_name = "N")]
    pub sample: Option<u64>,
    /// Keep each column's first choice of type even where stored values break it (SQLite never
    /// enforced declared types): those rows then go to the rejects file. By default the plan
    /// widens such a column to a type that holds every stored value, and says so.
    #[arg(long)]
    pub strict_types: bool,
    /// Whose PostgreSQL conventions to plan with: by default the framework whose migration
    /// table the database holds (Django, alembic, Sequelize, SeaORM, ...); `none` plans from
    /// the declared types and the values alone (docs/frameworks.md has the table).
    #[arg(long, value_enum, value_name = "NAME", default_value_t = FrameworkArg::Auto)]
    pub framework: FrameworkArg,
    /// How wide INT/INTEGER columns and INTEGER PRIMARY KEYs are: `int4` where every value
    /// fits, or `int8` always. Default: the framework's convention, else int8.
    #[arg(long, value_enum, value_name = "WIDTH", default_value_t = IntWidthArg::Auto)]
    pub int_width: IntWidthArg,
    /// Plan for an application whose code will not change: no column changes the kind of value
    /// its driver returns (text stays text, integers stay integers: no boolean, JSON, date or
    /// UUID types); only lossless changes such as REAL to double precision.
    #[arg(long)]
    pub keep_value_kinds: bool,
    /// Seconds to wait for another process's write lock on a database.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub lock_timeout: f64,
}

/// `--framework`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FrameworkArg {
    /// The framework whose migration table the database holds, if any.
    Auto,
    /// None: from the declared types and the values.
    None,
    /// Django.
    Django,
    /// SQLAlchemy with alembic.
    Alembic,
    /// Sequelize.
    Sequelize,
    /// SeaORM (sea-orm-migration).
    Seaorm,
    /// Prisma.
    Prisma,
    /// Ruby on Rails.
    Rails,
    /// Knex.
    Knex,
    /// TypeORM.
    Typeorm,
    /// Drizzle.
    Drizzle,
    /// Flyway.
    Flyway,
    /// Laravel.
    Laravel,
}

/// `--int-width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum IntWidthArg {
    /// The framework's convention, else int8.
    Auto,
    /// `integer` where every value fits.
    Int4,
    /// `bigint`.
    Int8,
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

/// `fts` subcommands.
#[derive(Debug, Subcommand)]
pub enum FtsAction {
    /// Translate a SQLite FTS MATCH query into a PostgreSQL tsquery expression (notes on stderr).
    Translate {
        /// The query, as the application passes it to `... WHERE t MATCH ?`.
        query: String,
        /// Columns of the FTS table in declaration order (their weights are A, B, C, D).
        #[arg(long, value_delimiter = ',', value_name = "NAMES")]
        columns: Vec<String>,
        /// The text search configuration of the tsvector column.
        #[arg(long, default_value = "simple", value_name = "NAME")]
        config: String,
        /// The table is FTS3/FTS4 (standard query syntax) instead of FTS5.
        #[arg(long, conflicts_with = "fts34_enhanced")]
        fts34: bool,
        /// The table is FTS3/FTS4 and SQLite used the enhanced query syntax (AND, NOT, parentheses).
        #[arg(long)]
        fts34_enhanced: bool,
    },
}

//! Building a [`Plan`] from SQLite files: profile, decide, then rewrite what needs rewriting.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use rusqlite::types::ValueRef;

use super::fulltext;
use super::order::topological;
use super::sql::SchemaScope;
use super::*;
use crate::config::Config;
use crate::error::Result;
use crate::ident::fit;
use crate::introspect::fts::FtsContent;
use crate::introspect::{IndexOrigin, IndexTarget, OpenOptions, OrphanScan, SourceColumn, SourceDb, SourceIndex, SourceSchema, SourceTable, tokenize_significant};
use crate::framework::Framework;
use crate::mapping::{self, ColumnDecision, Conventions, IntWidth, KeyStyle, PgType, Rule, defaults};
use crate::profile::{ColumnProfile, ProfileJob, TableProfile};
use crate::values::violation;

/// How many values that break a column's type are shown as examples.
const VIOLATION_EXAMPLES: usize = 5;

/// Options for planning.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Profile about this many rows per table instead of all of them.
    pub sample: Option<u64>,
    /// The PostgreSQL schema for a single input file (default `public`).
    pub schema: Option<String>,
    /// How to open the files.
    pub open: OpenOptions,
    /// User overrides.
    pub config: Config,
    /// Connections profiling in parallel (0: one per core).
    pub jobs: usize,
    /// Leave out the counts of rows whose parent is missing. They only feed the findings of
    /// `inspect` and `plan`, and each is a pass over the child table; `copy` finds such rows
    /// itself when PostgreSQL validates the foreign keys (and reports the keys left NOT VALID).
    pub skip_orphan_counts: bool,
    /// Keep each column's first choice of type even when stored values break it (their rows
    /// then go to the copy's rejects policy). By default the plan widens the type to one that
    /// holds every stored value, and says so.
    pub strict_types: bool,
    /// Whose conventions to plan with: the framework the database's bookkeeping tables name
    /// (the default), none, or one the user names.
    pub framework: FrameworkChoice,
    /// How wide `INT`/`INTEGER` columns and rowid keys are, over the framework's convention.
    pub int_width: Option<IntWidth>,
    /// No column changes the kind of value its driver returns (`--keep-value-kinds`).
    pub keep_value_kinds: bool,
    /// Decisions already deployed (the migrator's history): each column keeps its deployed type
    /// unless its SQLite declared type changed or a stored value does not fit it. A thinner
    /// sample (an emptied copy, a development database) never reverses one.
    pub deployed: Deployed,
}

/// A deployed column's decision, as the migrator's history records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedColumn {
    /// Its PostgreSQL type.
    pub pg_type: PgType,
    /// The epoch unit its times were read from.
    pub epoch: Option<crate::profile::EpochUnit>,
    /// The SQLite declared type it was decided from (empty when the history predates it: then
    /// the declared type counts as unchanged).
    pub declared: String,
}

/// Deployed decisions by (schema, table, column), PostgreSQL names.
pub type Deployed = BTreeMap<(String, String, String), DeployedColumn>;

/// Whose conventions a plan follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FrameworkChoice {
    /// The framework the database's bookkeeping tables name, if any.
    #[default]
    Detect,
    /// None: sqlite2pg's own rules, from the declared types and the values.
    None,
    /// This one.
    Named(Framework),
}

/// How [`plan_files_provisionally`] samples: large tables that a copy reads whole, in one pass
/// in rowid order, get a provisional profile of about `rows` rows; the copy profiles them
/// exactly on the way and confirms the plan ([`plan_files_with_profiles`]).
#[derive(Debug, Clone, Copy)]
pub struct ProvisionalSample {
    /// Rows read per sampled table.
    pub rows: u64,
    /// Tables with more rows are profiled exactly (a copy loads them in parts).
    pub largest_table: u64,
}

/// A plan whose large tables were profiled from a sample, with what it takes to confirm it.
#[derive(Debug, Clone)]
pub struct ProvisionalPlan {
    /// The plan. Its decisions for the tables in `pending` are from a sample.
    pub plan: Plan,
    /// The exact profiles planning read, per schema (an index into `plan.schemas`) and SQLite
    /// table name: with the pending tables' exact profiles added, they plan exactly again.
    pub profiles: KnownProfiles,
    /// The tables profiled from a sample: their exact profiles are still to be read.
    pub pending: Vec<PendingProfile>,
}

/// A table whose exact profile is still to be read: every row, in rowid order, these columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingProfile {
    /// Index of the schema (of the input file) in the plan.
    pub schema: usize,
    /// SQLite table name.
    pub table: String,
    /// SQLite column names, in the order of the profile's columns.
    pub columns: Vec<String>,
}

/// Exact table profiles, by schema index and SQLite table name.
pub type KnownProfiles = BTreeMap<(usize, String), TableProfile>;

/// Where `build_schema` takes the profiles from.
#[derive(Clone, Copy)]
enum ProfileSource<'a> {
    /// A profiling pass (sampled when `PlanOptions::sample` says so).
    Read,
    /// Samples of the large tables a copy reads whole, exact passes over the others.
    Provisional(ProvisionalSample),
    /// Profiles read before, a profiling pass for the tables missing from them.
    Known(&'a KnownProfiles),
}

/// Plan the conversion of `paths`: one file goes to `public` (or `options.schema`); several go
/// to one schema each, named after the file, so equal table names never clash.
pub fn plan_files(paths: &[PathBuf], options: &PlanOptions) -> Result<Plan> {
    Ok(plan_files_from(paths, options, ProfileSource::Read)?.plan)
}

/// Plan as [`plan_files`] does, but profile each large table a copy reads whole (an ordinary
/// rowid table of more than `sample.rows` and at most `sample.largest_table` rows) from a
/// sample of `sample.rows` rows: the plan a copy can start from at once, reading the exact
/// profiles as it copies. The tables profiled so are `pending`; `options.sample` is ignored.
pub fn plan_files_provisionally(paths: &[PathBuf], options: &PlanOptions, sample: ProvisionalSample) -> Result<ProvisionalPlan> {
    plan_files_from(paths, options, ProfileSource::Provisional(sample))
}

/// Plan as [`plan_files`] does, taking the profiles in `profiles` instead of reading them
/// again (tables missing from it are profiled). With exact profiles, the plan is the one
/// `plan_files` makes, byte for byte.
pub fn plan_files_with_profiles(paths: &[PathBuf], options: &PlanOptions, profiles: &KnownProfiles) -> Result<Plan> {
    Ok(plan_files_from(paths, options, ProfileSource::Known(profiles))?.plan)
}

fn plan_files_from(paths: &[PathBuf], options: &PlanOptions, profile_source: ProfileSource<'_>) -> Result<ProvisionalPlan> {
    let names = schema_names(paths, options.schema.as_deref());
    let mut schemas = Vec::with_capacity(paths.len());
    let mut profiles = KnownProfiles::new();
    let mut pending = Vec::new();
    for (index, (path, name)) in paths.iter().zip(names).enumerate() {
        let db = SourceDb::open(path, &options.open)?;
        let source = db.introspect()?;
        let read = ReadProfiles { schema: index, source: profile_source, known: &mut profiles, pending: &mut pending };
        schemas.push(build_schema(&db, &source, name, options, read)?);
    }
    for (table, column) in options.config.named_columns() {
        let found = schemas.iter().any(|s| s.table(table).is_some_and(|t| t.columns.iter().any(|c| c.source_name.eq_ignore_ascii_case(column))));
        if !found {
            return Err(options.config.unknown_name(format!("table \"{table}\" column \"{column}\" is not in any of the databases given")));
        }
    }
    Ok(ProvisionalPlan { plan: Plan { schemas }, profiles, pending })
}

/// What `build_schema` profiles from, and where it records what it read.
struct ReadProfiles<'a> {
    schema: usize,
    source: ProfileSource<'a>,
    known: &'a mut KnownProfiles,
    pending: &'a mut Vec<PendingProfile>,
}

impl ReadProfiles<'_> {
    /// The profile of every job's table, in order.
    fn profile(&mut self, db: &SourceDb, jobs: &[ProfileJob<'_>], options: &PlanOptions) -> Result<Vec<TableProfile>> {
        let mut found: Vec<Option<TableProfile>> = Vec::with_capacity(jobs.len());
        for job in jobs {
            found.push(match self.source {
                ProfileSource::Read => None,
                // Only while the table still has the columns it was profiled with (a writer
                // may have changed it since); else it is profiled again.
                ProfileSource::Known(known) => known
                    .get(&(self.schema, job.table.name.clone()))
                    .filter(|p| p.columns.iter().map(|c| c.name.as_str()).eq(job.table.columns.iter().map(|c| c.name.as_str())))
                    .cloned(),
                // Only ordinary tables: an FTS table's own content is not read as a table.
                ProfileSource::Provisional(sample) if job.splittable => db.provisional_profile(job.table, sample.rows, sample.largest_table)?,
                ProfileSource::Provisional(_) => None,
            });
        }
        let missing: Vec<ProfileJob<'_>> = jobs.iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(j, _)| *j).collect();
        let sample = if matches!(self.source, ProfileSource::Read) { options.sample } else { None };
        let mut read = db.profile_all(&missing, sample, options.jobs)?.into_iter();
        let mut profiles = Vec::with_capacity(jobs.len());
        for (job, found) in jobs.iter().zip(found) {
            // `profile_all` gives one profile per job; a table it left out is read alone.
            let profile = match found.or_else(|| read.next()) {
                Some(p) => p,
                None => db.profile(job.table, None)?,
            };
            if profile.sampled_rows.is_some() && matches!(self.source, ProfileSource::Provisional(_)) {
                self.pending.push(PendingProfile { schema: self.schema, table: job.table.name.clone(), columns: job.table.columns.iter().map(|c| c.name.clone()).collect() });
            } else if profile.sampled_rows.is_none() {
                self.known.insert((self.schema, job.table.name.clone()), profile.clone());
            }
            profiles.push(profile);
        }
        Ok(profiles)
    }
}

fn schema_names(paths: &[PathBuf], single: Option<&str>) -> Vec<String> {
    if paths.len() <= 1 {
        return vec![single.unwrap_or("public").to_string(); paths.len()];
    }
    let mut used = BTreeSet::new();
    paths
        .iter()
        .map(|p| {
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "db".into());
            // Schemas that are not a file's to take get a `db_` prefix: `public` (a migrator's
            // `fresh` drops the schemas it creates, and a file's schema must be one it creates),
            // sqlite2pg's copy state, and PostgreSQL's own.
            let lower = stem.to_ascii_lowercase();
            let reserved = lower == "public" || lower == "sqlite2pg" || lower == "information_schema" || lower.starts_with("pg_");
            let base = fit(&if reserved { format!("db_{stem}") } else { stem });
            let mut name = base.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = fit(&format!("{base}_{n}"));
                n += 1;
            }
            name
        })
        .collect()
}

fn object(table: &str, column: Option<&str>) -> String {
    match column {
        Some(c) => format!("table \"{table}\" column \"{c}\""),
        None => format!("table \"{table}\""),
    }
}

fn finding(grade: Grade, object: impl Into<String>, message: impl Into<String>) -> Finding {
    Finding { grade, object: object.into(), message: message.into() }
}

fn build_schema(db: &SourceDb, source: &SourceSchema, schema: String, options: &PlanOptions, mut read: ReadProfiles<'_>) -> Result<SchemaPlan> {
    let mut findings = Vec::new();
    let framework = match options.framework {
        FrameworkChoice::Detect => Framework::detect(source.tables.iter().map(|t| t.name.as_str())).or_else(|| {
            source.tables.iter().find_map(|t| Framework::detect_by_columns(&t.name, &t.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>()))
        }),
        FrameworkChoice::None => None,
        FrameworkChoice::Named(f) => Some(f),
    };
    let framework_conventions = Conventions::of(framework);
    let conventions = framework_conventions.with_choices(options.int_width, options.keep_value_kinds);
    let mut sampled = false;
    let mut needs_citext = false;

    // FTS tables holding their own text become real tables, after the ordinary ones.
    let own_content: Vec<SourceTable> =
        source.fts_tables.iter().filter(|f| f.content == FtsContent::Internal && !fulltext::compressed(f)).map(fulltext::own_content_table).collect();
    let all_tables: Vec<&SourceTable> = source.tables.iter().chain(&own_content).collect();

    // Tables and columns: profile, decide, count values that break the decision.
    let mut tables = Vec::with_capacity(all_tables.len());
    let jobs: Vec<ProfileJob<'_>> = all_tables.iter().map(|t| ProfileJob { table: t, splittable: !own_content.iter().any(|o| o.name == t.name) }).collect();
    // Rows without a parent are counted on a connection of their own while the tables are
    // profiled: each count is a pass over the child table, one core's work (a fifth of
    // planning the 1M-row benchmark when it ran after the profiles).
    let orphan_keys: Vec<(OrphanKey, OrphanScan)> =
        if options.skip_orphan_counts { Vec::new() } else { all_tables.iter().flat_map(|t| orphan_keys(source, t)).collect() };
    let (path, open) = (db.path().to_path_buf(), db.open_options());
    let (profiles, mut orphan_counts) = std::thread::scope(|scope| {
        let counting = scope.spawn(|| count_orphans(&path, &open, &orphan_keys));
        let profiles = read.profile(db, &jobs, options);
        (profiles, counting.join().unwrap_or_default())
    });
    let profiles = profiles?;
    for (t, profile) in all_tables.iter().zip(&profiles) {
        sampled |= profile.sampled_rows.is_some();
        // A provisional plan's findings are not shown (the exact plan replaces it): counting a
        // sampled table's violations would be a pass over all of its rows, before the copy.
        let provisional = matches!(read.source, ProfileSource::Provisional(_)) && profile.sampled_rows.is_some();
        // A migration tool's bookkeeping table is the tool's: planned as the framework makes it
        // on PostgreSQL, whatever the user chose for the application's columns.
        let conventions = if crate::framework::migration_table_of(&t.name, t.columns.iter().map(|c| c.name.as_str())).is_some() { &framework_conventions } else { &conventions };
        let deployed = Deployed::from_iter(options.deployed.range((schema.clone(), fit(&t.name), String::new())..).take_while(|((s, table, _), _)| *s == schema && *table == fit(&t.name)).map(|(k, v)| (k.clone(), v.clone())));
        let mut plan = plan_table((!provisional).then_some(db), source, t, profile, options, conventions, &deployed, &mut findings, &mut needs_citext)?;
        if own_content.iter().any(|o| o.name == t.name) {
            fulltext::force_text(&mut plan);
        }
        tables.push(plan);
    }
    check_name_collisions(&tables, &mut findings);
    if !options.strict_types {
        follow_widened_keys(db, &all_tables, &profiles, &mut tables, &mut findings)?;
    }

    // Foreign keys, then creation order.
    let mut fks: Vec<Vec<(usize, ForeignKeyPlan)>> = Vec::with_capacity(tables.len());
    for t in &all_tables {
        let orphan_counts = if options.skip_orphan_counts { None } else { Some(&mut orphan_counts) };
        fks.push(plan_foreign_keys(db, source, t, &tables, orphan_counts, &mut findings)?);
    }
    let deps: Vec<BTreeSet<usize>> = fks.iter().map(|list| list.iter().map(|(parent, _)| *parent).collect()).collect();
    let (order, broken) = topological(tables.len(), &deps);
    let mut deferred_foreign_keys = Vec::new();
    for (i, list) in fks.into_iter().enumerate() {
        for (parent, fk) in list {
            if broken.contains(&(i, parent)) {
                findings.push(finding(Grade::Info, object(&all_tables[i].name, None), format!("foreign key to \"{}\" closes a cycle: added after all tables exist", all_tables[parent].name)));
                deferred_foreign_keys.push(DeferredForeignKey { table: tables[i].name.clone(), foreign_key: fk });
            } else {
                tables[i].foreign_keys.push(fk);
            }
        }
    }

    // Everything that is SQL text: rewritten against the final names and types.
    let mut scope = SchemaScope::new(&tables);
    for (t, plan) in all_tables.iter().zip(tables.iter_mut()) {
        rewrite_table_sql(&scope, t, plan, &mut findings);
    }
    let mut indexes = Vec::new();
    let mut needs_nocase = false;
    for (t, plan) in all_tables.iter().zip(&tables) {
        plan_indexes(&scope, t, plan, &mut indexes, &mut needs_nocase, &mut findings);
    }
    let uses_immutable_to_char = indexes.iter().any(|i| i.parts.iter().chain(&i.predicate).any(|p| p.contains(IMMUTABLE_TO_CHAR)));
    for v in &source.views {
        scope.add_view(&v.name, &fit(&v.name));
    }
    let views = plan_views(&scope, source, &mut findings);
    let triggers = plan_triggers(&scope, source, &mut findings);
    let mut text_search_setup = Vec::new();
    if uses_immutable_to_char {
        text_search_setup.extend(IMMUTABLE_TO_CHAR_FUNCTIONS.iter().map(|f| f.to_string()));
    }
    let mut full_text = Vec::new();
    fulltext::plan_full_text(&source.fts_tables, &mut tables, &mut indexes, &mut text_search_setup, &mut full_text, &mut findings);
    report_virtual_tables(source, &mut findings);

    let tables: Vec<TablePlan> = {
        let mut slots: Vec<Option<TablePlan>> = tables.into_iter().map(Some).collect();
        order.iter().filter_map(|&i| slots[i].take()).collect()
    };
    if let Some(framework) = framework {
        let file = db.path().file_name().map_or_else(|| db.path().display().to_string(), |f| f.to_string_lossy().into_owned());
        findings.insert(0, finding(Grade::Info, "database", framework.route(&file)));
    }
    Ok(SchemaPlan {
        source: db.path().to_path_buf(),
        framework,
        schema,
        journal_mode: source.journal_mode.clone(),
        sampled,
        needs_nocase_collation: needs_nocase,
        extensions: if needs_citext { vec!["citext".to_string()] } else { Vec::new() },
        tables,
        deferred_foreign_keys,
        indexes,
        views,
        triggers,
        text_search_setup,
        full_text,
        findings,
    })
}

/// `violations_in`: the file whose rows that break a column's type are counted (`None`: not
/// counted).
fn plan_table(
    violations_in: Option<&SourceDb>,
    source: &SourceSchema,
    t: &SourceTable,
    profile: &TableProfile,
    options: &PlanOptions,
    conventions: &Conventions,
    deployed: &Deployed,
    findings: &mut Vec<Finding>,
    needs_citext: &mut bool,
) -> Result<TablePlan> {
    let name = fit(&t.name);
    if name != t.name {
        findings.push(finding(Grade::Warning, object(&t.name, None), format!("name longer than 63 bytes: shortened to \"{name}\"")));
    }
    let sqlite_sequence = source.sequences.iter().find(|(n, _)| n.eq_ignore_ascii_case(&t.name)).map(|(_, v)| *v);
    let mut columns = Vec::with_capacity(t.columns.len());
    for (c, p) in t.columns.iter().zip(&profile.columns) {
        let was = deployed.iter().find(|((_, _, column), _)| *column == fit(&c.name)).map(|(_, d)| d);
        columns.push(plan_column(violations_in, t, c, p, sqlite_sequence, options, conventions, was, findings, needs_citext)?);
    }
    let pg_name = |source_name: &str| columns.iter().find(|c: &&ColumnPlan| c.source_name.eq_ignore_ascii_case(source_name)).map(|c| c.name.clone());
    let mut primary_key: Vec<String> = t.primary_key.iter().filter_map(|c| pg_name(c)).collect();
    let mut uniques = Vec::new();
    // A key column holding NULLs (SQLite allows them outside the rowid): a UNIQUE constraint
    // keeps the key's uniqueness and every row; PostgreSQL's primary key would refuse them.
    let null_keys: Vec<String> = primary_key.iter().filter(|k| columns.iter().any(|c| &c.name == *k && c.nullable && !c.identity)).cloned().collect();
    if !null_keys.is_empty() {
        let nulls: u64 = t.columns.iter().zip(&profile.columns).filter(|(c, _)| null_keys.iter().any(|k| k.eq_ignore_ascii_case(&c.name))).map(|(_, p)| p.nulls).sum();
        findings.push(finding(
            Grade::Warning,
            object(&t.name, None),
            format!("{} in primary-key column{} {} (SQLite allows them): the key becomes a UNIQUE constraint, which allows NULLs, so every row is kept (`--strict-types` keeps the primary key and rejects those rows)", counted(nulls, "NULL", "NULLs"), if null_keys.len() == 1 { "" } else { "s" }, null_keys.join(", ")),
        ));
        uniques.push(std::mem::take(&mut primary_key));
    }
    let mut named_uniques = Vec::new();
    // Django's unique_together is a unique index on SQLite and a named constraint on PostgreSQL.
    let as_constraint = |i: &&SourceIndex| match i.origin {
        IndexOrigin::UniqueConstraint => true,
        IndexOrigin::CreateIndex => conventions.framework == Some(Framework::Django) && i.unique && i.predicate.is_none() && i.parts.iter().all(|p| matches!(p.target, IndexTarget::Column(_)) && !p.desc && p.collation.as_deref().is_none_or(|c| c == "BINARY")),
        IndexOrigin::PrimaryKey => false,
    };
    for index in t.indexes.iter().filter(as_constraint) {
        let cols: Option<Vec<String>> = index.parts.iter().map(|p| match &p.target { IndexTarget::Column(c) => pg_name(c), IndexTarget::Expr(_) => None }).collect();
        let name = match index.origin {
            IndexOrigin::CreateIndex => Some(fit(&index.name)),
            _ => index.constraint_name.as_deref().map(fit),
        };
        match cols {
            Some(cols) if cols != primary_key && !uniques.contains(&cols) => {
                if let Some(name) = name {
                    named_uniques.push((name, cols.clone()));
                }
                uniques.push(cols)
            }
            Some(_) => {}
            None => findings.push(finding(Grade::Warning, object(&t.name, None), format!("UNIQUE constraint {} names a column that is not in the table: left out", index.name))),
        }
    }
    if t.without_rowid {
        findings.push(finding(Grade::Info, object(&t.name, None), "WITHOUT ROWID table: a plain table with its primary key in PostgreSQL"));
    }
    Ok(TablePlan {
        source_name: t.name.clone(),
        name,
        rows: profile.rows,
        columns,
        primary_key,
        uniques,
        named_uniques,
        foreign_keys: Vec::new(),
        checks: Vec::new(),
        sqlite_sequence,
        autoincrement: t.autoincrement,
        without_rowid: t.without_rowid,
    })
}

fn plan_column(
    violations_in: Option<&SourceDb>,
    t: &SourceTable,
    c: &SourceColumn,
    p: &ColumnProfile,
    sqlite_sequence: Option<i64>,
    options: &PlanOptions,
    conventions: &Conventions,
    deployed: Option<&DeployedColumn>,
    findings: &mut Vec<Finding>,
    needs_citext: &mut bool,
) -> Result<ColumnPlan> {
    let obj = object(&t.name, Some(&c.name));
    let identity = t.rowid_alias.as_deref().is_some_and(|a| a.eq_ignore_ascii_case(&c.name));
    let declared = if c.declared_type.is_empty() { "no declared type".to_string() } else { c.declared_type.clone() };
    let decision = if let Some(pg_type) = options.config.column_type(&t.name, &c.name) {
        let mut d = ColumnDecision::new(pg_type, Rule::Config, format!("{declared} -> {pg_type}: set in sqlite2pg.toml"));
        d.epoch = options.config.column_epoch(&t.name, &c.name).filter(|_| pg_type.is_temporal());
        d
    } else if identity {
        let how = if t.autoincrement { "INTEGER PRIMARY KEY AUTOINCREMENT" } else { "INTEGER PRIMARY KEY (rowid alias)" };
        let highest = p.int_max.unwrap_or(0).max(sqlite_sequence.unwrap_or(0));
        let pg_type = if conventions.key_width == IntWidth::Int4 && highest <= i64::from(i32::MAX) { PgType::Integer } else { PgType::BigInt };
        let style = match conventions.key_style {
            KeyStyle::Identity => "identity",
            KeyStyle::Serial if pg_type == PgType::Integer => "serial",
            KeyStyle::Serial => "bigserial",
        };
        let whose = conventions.framework.map(|f| format!(", as {} declares keys on PostgreSQL", f.name())).unwrap_or_default();
        ColumnDecision::new(pg_type, Rule::Identity, format!("{how} -> {pg_type} {style}{whose}"))
    } else {
        let fresh = mapping::decide(c, &t.checks, p, conventions);
        match deployed {
            // The deployed decision stands while the declared type is the one it was made from;
            // the values are checked against it below, and a value it cannot hold widens it.
            Some(d) if d.pg_type != fresh.pg_type && (d.declared.is_empty() || d.declared.trim().eq_ignore_ascii_case(c.declared_type.trim())) => {
                let mut kept = ColumnDecision::new(d.pg_type, Rule::Deployed, format!("{declared} -> {}: as deployed (the migrator's history); these values alone would give {} ({})", d.pg_type, fresh.pg_type, fresh.reason));
                kept.epoch = d.epoch;
                findings.push(finding(Grade::Info, &obj, format!("kept as deployed: {} (the values read now alone would give {}: {})", d.pg_type, fresh.pg_type, fresh.reason)));
                kept
            }
            Some(d) if d.pg_type != fresh.pg_type => {
                findings.push(finding(
                    Grade::Warning,
                    &obj,
                    format!("the declared type changed since it was deployed (from {} to {declared}): decided afresh, {} -> {} ({})", d.declared, d.pg_type, fresh.pg_type, fresh.reason),
                ));
                fresh
            }
            _ => fresh,
        }
    };
    if let Some(ambiguity) = conventions.ambiguity(&c.declared_type, p).filter(|_| decision.rule != Rule::Config && !identity) {
        findings.push(finding(Grade::Warning, &obj, format!("ambiguous: {ambiguity}")));
    }
    if let Some(w) = &decision.warning {
        findings.push(finding(Grade::Warning, &obj, w.clone()));
    }
    if let Some(candidate) = &decision.candidate {
        findings.push(finding(Grade::Info, &obj, format!("candidate: {candidate}")));
    }
    if p.ints_beyond_2_53 > 0 {
        findings.push(finding(Grade::Info, &obj, format!("{} integers beyond 2^53: exact in {}, but not in JavaScript or a double", p.ints_beyond_2_53, decision.pg_type)));
    }
    let pg_type = decision.pg_type;
    let in_pk = c.pk_position > 0;


    let mut violations = match violations_in {
        Some(db) if !is_clean(p, pg_type, decision.epoch.is_some()) => Some(scan_violations(db, t, c, pg_type, decision.epoch)?),
        _ => None,
    };
    // SQLite never enforced declared types: unless the user narrowed the type on purpose (the
    // config, --strict-types), a type that some stored values break is widened to one that
    // holds them all, and the finding says which values forced it.
    let (mut decision, mut pg_type) = (decision, pg_type);
    if let (Some(db), Some(broken)) = (violations_in, violations.as_ref().filter(|v| v.count > 0))
        && decision.rule != Rule::Config
        && !options.strict_types
        && let Some(wider) = widen(db, t, c, p, pg_type)?
    {
        let examples: Vec<String> = broken.examples.iter().take(3).map(|e| format!("{} value {} ({})", e.key, e.value, e.reason)).collect();
        findings.push(finding(
            Grade::Warning,
            &obj,
            format!(
                "{} not fit {pg_type}, so the column is {wider}, which holds every one (`--strict-types` or a type in sqlite2pg.toml keeps {pg_type} and rejects their rows). First: {}",
                counted(broken.count, "stored value does", "stored values do"),
                examples.join("; ")
            ),
        ));
        if decision.rule == Rule::Deployed {
            findings.push(finding(
                Grade::NeedsAttention,
                &obj,
                format!("a data-driven change of a deployed column: {} cannot hold {} stored here, so the plan proposes {wider}; review it before deploying (or keep {} with a type in sqlite2pg.toml, which rejects those rows)", pg_type, counted(broken.count, "value", "values"), pg_type),
            ));
        }
        let mut widened = ColumnDecision::new(wider, Rule::Widened, format!("{}; {} not fit {pg_type}: {wider} holds them all", decision.reason, counted(broken.count, "value does", "values do")));
        widened.candidate = decision.candidate.clone();
        if pg_type.is_temporal() && matches!(wider, PgType::BigInt | PgType::Double) {
            widened.candidate = Some(epoch_candidates(p));
            findings.push(finding(Grade::Info, &obj, format!("candidate: {}", epoch_candidates(p))));
        }
        decision = widened;
        pg_type = wider;
        violations = None;
    }
    if pg_type == PgType::Bytea && p.integers + p.reals > 0 {
        findings.push(finding(Grade::Warning, &obj, format!("{} in a bytea column: stored as the bytes of the decimal text", counted(p.integers + p.reals, "number", "numbers"))));
    }
    // SQLite's COLLATE NOCASE: citext, under which `=`, UNIQUE, ORDER BY, LIKE and ILIKE all
    // ignore case on every PostgreSQL (a nondeterministic collation refuses LIKE before 18).
    match (c.collation.as_deref(), pg_type) {
        (None | Some("BINARY"), _) => {}
        (Some("NOCASE"), PgType::Text | PgType::Varchar(_) | PgType::Citext) => {
            let length = match pg_type {
                PgType::Varchar(n) => format!(" (citext has no length: the declared {n} is no longer enforced)"),
                _ => String::new(),
            };
            findings.push(finding(
                Grade::Info,
                &obj,
                format!("COLLATE NOCASE -> citext (the contrib extension): comparisons, UNIQUE, ORDER BY, LIKE and ILIKE ignore case{length}"),
            ));
            decision.reason = format!("{}; COLLATE NOCASE: citext", decision.reason);
            pg_type = PgType::Citext;
            decision.pg_type = pg_type;
            *needs_citext = true;
        }
        (Some(other), _) => {
            findings.push(finding(Grade::Warning, &obj, format!("COLLATE {other} has no PostgreSQL equivalent for a {pg_type} column: the default collation is used")));
        }
    }
    let collation = None;
    let mut default = None;
    if let (Some(sql), false) = (&c.default_sql, identity) {
        match defaults::translate(sql, pg_type, decision.epoch) {
            Ok(d) => default = d,
            // Expressions get a second chance through the rewriter once every column is known.
            Err(reason) if !sql.contains('(') => findings.push(finding(Grade::Warning, &obj, format!("DEFAULT {sql} left out: {reason}"))),
            Err(_) => {}
        }
    }
    let mut nullable = !(c.not_null || in_pk || identity);
    if let Some(v) = violations.as_ref().filter(|v| v.count > 0) {
        let examples: Vec<String> = v.examples.iter().map(|e| format!("{} value {} ({})", e.key, e.value, e.reason)).collect();
        findings.push(finding(
            Grade::NeedsAttention,
            &obj,
            format!("{} not fit {pg_type}; the copy's rejects policy decides their rows. First: {}", counted(v.count, "value does", "values do"), examples.join("; ")),
        ));
    }
    // NULL in a primary key that is not the rowid: SQLite allows it. By default the key becomes
    // a UNIQUE constraint (which allows NULLs, see `plan_table`); strictly, PostgreSQL's NOT
    // NULL key rejects those rows.
    if in_pk && p.nulls > 0 && !identity && options.strict_types {
        findings.push(finding(Grade::NeedsAttention, &obj, format!("{} NULLs in a primary-key column (SQLite allows them, PostgreSQL does not)", p.nulls)));
    }
    if !c.not_null && in_pk && p.nulls > 0 && !options.strict_types {
        nullable = true;
    } else if !c.not_null && in_pk && p.nulls > 0 {
        nullable = false;
    }
    let name = fit(&c.name);
    if name != c.name {
        findings.push(finding(Grade::Warning, &obj, format!("name longer than 63 bytes: shortened to \"{name}\"")));
    }
    Ok(ColumnPlan {
        source_name: c.name.clone(),
        name,
        declared_type: c.declared_type.clone(),
        pg_type,
        nullable,
        identity,
        key_style: conventions.key_style,
        default,
        generated: None,
        collation,
        decision,
        violations: violations.filter(|v| v.count > 0),
    })
}

/// A foreign key whose referenced column was widened (an INTEGER key holding text became
/// `text`): the referencing column follows it to the same type when its own values fit, so the
/// key still joins.
fn follow_widened_keys(db: &SourceDb, all_tables: &[&SourceTable], profiles: &[TableProfile], tables: &mut [TablePlan], findings: &mut Vec<Finding>) -> Result<()> {
    for (ti, t) in all_tables.iter().enumerate() {
        for fk in &t.foreign_keys {
            let Some(pi) = all_tables.iter().position(|p| p.name.eq_ignore_ascii_case(&fk.parent_table)) else { continue };
            let parent_columns: Vec<String> = if fk.parent_columns.is_empty() { all_tables[pi].primary_key.clone() } else { fk.parent_columns.clone() };
            for (child_name, parent_name) in fk.columns.iter().zip(&parent_columns) {
                let Some(parent) = tables[pi].columns.iter().find(|c| c.source_name.eq_ignore_ascii_case(parent_name)) else { continue };
                let (parent_type, parent_rule) = (parent.pg_type, parent.decision.rule);
                let Some(ci) = tables[ti].columns.iter().position(|c| c.source_name.eq_ignore_ascii_case(child_name)) else { continue };
                let child = &tables[ti].columns[ci];
                if parent_rule != Rule::Widened || child.pg_type.compatible_for_fk(parent_type) || child.decision.rule == Rule::Config {
                    continue;
                }
                let (Some(source_column), Some(profile)) = (t.columns.iter().find(|c| c.name.eq_ignore_ascii_case(child_name)), profiles[ti].columns.get(ci)) else { continue };
                if !is_clean(profile, parent_type, false) && scan_violations(db, t, source_column, parent_type, None)?.count > 0 {
                    continue;
                }
                let from = child.pg_type;
                let child = &mut tables[ti].columns[ci];
                let mut followed = ColumnDecision::new(parent_type, Rule::Widened, format!("{}; follows \"{}\".\"{}\", widened to {parent_type}", child.decision.reason, all_tables[pi].name, parent_name));
                followed.candidate = child.decision.candidate.clone();
                child.decision = followed;
                child.pg_type = parent_type;
                child.violations = None;
                findings.push(finding(
                    Grade::Warning,
                    object(&t.name, Some(child_name)),
                    format!("{from} -> {parent_type}: it references \"{}\".\"{parent_name}\", which stored values made {parent_type}, and the foreign key needs the same kind of type", all_tables[pi].name),
                ));
            }
        }
    }
    Ok(())
}

/// `1 thing` or `n things`: the noun (with its verb) agreeing with the count.
fn counted(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// What the numbers of a date/time-declared column could count, with the dates each reading
/// gives for the smallest and largest value: Unix seconds, milliseconds and microseconds, Apple
/// Core Data's seconds since 2001-01-01, Julian days.
fn epoch_candidates(p: &ColumnProfile) -> String {
    let (Some(min), Some(max)) = (p.int_min, p.int_max) else {
        return "timestamptz if the numbers count time from an epoch (set `type` and the unit in sqlite2pg.toml)".into();
    };
    let date = |micros: i128| -> Option<String> {
        let days = i64::try_from(micros.div_euclid(86_400_000_000)).ok()?;
        let (y, m, d) = crate::values::civil_from_days(days);
        (1..=9999).contains(&y).then(|| format!("{y:04}-{m:02}-{d:02}"))
    };
    let readings: [(&str, i128, i128); 5] = [
        ("Unix seconds", 1_000_000, 0),
        ("Unix milliseconds", 1_000, 0),
        ("Unix microseconds", 1, 0),
        ("Core Data seconds since 2001-01-01", 1_000_000, 978_307_200_000_000),
        ("Julian days", 86_400_000_000, -210_866_760_000_000_000),
    ];
    let plausible: Vec<String> = readings
        .iter()
        .filter_map(|(name, scale, offset)| {
            let (from, to) = (date(i128::from(min) * scale + offset)?, date(i128::from(max) * scale + offset)?);
            (from.as_str() >= "1900" && to.as_str() <= "2200").then(|| format!("{name} ({from} to {to})"))
        })
        .collect();
    if plausible.is_empty() {
        format!("timestamptz if the numbers count time from an epoch; none of Unix seconds, milliseconds, microseconds, Core Data seconds or Julian days gives dates between 1900 and 2200 for {min}..{max}")
    } else {
        format!("timestamptz if the numbers count time from an epoch: {} (kept as numbers: nothing says which)", plausible.join(", "))
    }
}

/// The narrowest type wider than `t` that holds every stored value of the column: checked from
/// the profile where it can tell, else by converting every value. `None` when none does.
fn widen(db: &SourceDb, t: &SourceTable, c: &SourceColumn, p: &ColumnProfile, first: PgType) -> Result<Option<PgType>> {
    use PgType::*;
    let numbers_only = p.texts == 0 && p.blobs == 0;
    let candidates: Vec<PgType> = match first {
        Boolean | SmallInt | Integer => vec![BigInt, Numeric(None), Text, Bytea],
        BigInt => vec![Numeric(None), Text, Bytea],
        Numeric(Some(_)) => vec![Numeric(None), Text, Bytea],
        Double | Numeric(None) | Varchar(_) | Json | Jsonb | Uuid | Interval | Inet => vec![Text, Bytea],
        // Numbers that are no recognised epoch stay numbers (the finding lists the column as a
        // candidate); texts that are no date stay text.
        Date | Time | Timestamp | TimestampTz if numbers_only => vec![BigInt, Double, Text, Bytea],
        Date | Time | Timestamp | TimestampTz => vec![Text, Bytea],
        Text | Citext => vec![Bytea],
        Bytea | TsVector => Vec::new(),
    };
    for candidate in candidates {
        if is_clean(p, candidate, false) || scan_violations(db, t, c, candidate, None)?.count == 0 {
            return Ok(Some(candidate));
        }
    }
    Ok(None)
}

/// Whether the profile alone proves every value converts, so no second pass is needed.
fn is_clean(p: &ColumnProfile, t: PgType, epoch: bool) -> bool {
    let text_ok = p.text_invalid_utf8 == 0 && p.text_nul == 0;
    let n = p.non_null();
    let ints_within = |min: i64, max: i64| p.int_min.is_none_or(|v| v >= min) && p.int_max.is_none_or(|v| v <= max);
    match t {
        // Blobs and texts as their bytes, numbers as the bytes of their decimal text.
        PgType::Bytea => true,
        _ if p.blobs > 0 || !text_ok => false,
        PgType::Text | PgType::Citext => true,
        PgType::Varchar(len) => p.integers + p.reals == 0 && p.text_max_chars <= len as u64,
        PgType::Boolean => p.reals == 0 && p.ints_not_01 == 0 && p.text_bool == p.texts,
        PgType::BigInt => p.reals == 0 && p.texts == 0,
        PgType::Integer => p.reals == 0 && p.texts == 0 && ints_within(i32::MIN as i64, i32::MAX as i64),
        PgType::SmallInt => p.reals == 0 && p.texts == 0 && ints_within(i16::MIN as i64, i16::MAX as i64),
        PgType::Double => p.texts == 0,
        PgType::Numeric(precision) => {
            let fits = precision.is_none_or(|(prec, scale)| p.max_int_digits <= prec - scale && p.max_frac_digits <= scale);
            fits && p.reals_infinite == 0 && p.text_numeric == p.texts
        }
        PgType::Json | PgType::Jsonb => p.reals_infinite == 0 && p.text_json_any == p.texts,
        PgType::Uuid => p.text_uuid == n,
        PgType::TimestampTz if epoch => p.integers + p.reals == n,
        PgType::Date => p.texts == n && p.dates.date == n,
        PgType::Time => p.texts == n && p.dates.time == n,
        PgType::Timestamp | PgType::TimestampTz => p.texts == n && p.dates.date + p.dates.datetime + p.dates.datetime_zone == n,
        PgType::TsVector => true,
        // Counts in a unit, or ISO durations: converted one by one.
        PgType::Interval | PgType::Inet => false,
    }
}

/// Count the values of a column that break `pg_type`, keeping the first few with their keys.
fn scan_violations(db: &SourceDb, t: &SourceTable, c: &SourceColumn, pg_type: PgType, epoch: Option<crate::profile::EpochUnit>) -> Result<Violations> {
    use crate::ident::quoted as sqlite_quote;
    let key_columns: Vec<String> = if !t.primary_key.is_empty() {
        t.primary_key.clone()
    } else if !t.without_rowid {
        vec!["rowid".to_string()]
    } else {
        t.columns.iter().map(|c| c.name.clone()).collect()
    };
    let select: Vec<String> = key_columns.iter().map(|k| if k == "rowid" { "rowid".to_string() } else { sqlite_quote(k) }).collect();
    let sql = format!("SELECT {}, {} FROM {}", select.join(", "), sqlite_quote(&c.name), sqlite_quote(&t.name));
    let context = format!("checking values of table \"{}\" column \"{}\"", t.name, c.name);
    let mut stmt = db.conn().prepare(&sql).map_err(|e| db.error(&context, e))?;
    let mut rows = stmt.query([]).map_err(|e| db.error(&context, e))?;
    let mut v = Violations { count: 0, examples: Vec::new() };
    let value_index = key_columns.len();
    while let Some(row) = rows.next().map_err(|e| db.error(&context, e))? {
        let value = row.get_ref(value_index).map_err(|e| db.error(&context, e))?;
        if let Some(reason) = violation(value, pg_type, epoch) {
            v.count += 1;
            if v.examples.len() < VIOLATION_EXAMPLES {
                let key = key_columns
                    .iter()
                    .enumerate()
                    .map(|(i, k)| format!("{k}={}", row.get_ref(i).map(display_value).unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(", ");
                v.examples.push(ViolationExample { key, value: display_value(value), reason: reason.to_string() });
            }
        }
    }
    Ok(v)
}

/// A stored value as a reader would write it: numbers bare, text quoted, blobs as hex.
pub(crate) fn display_value(v: ValueRef<'_>) -> String {
    const MAX: usize = 40;
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(r) => format!("{r:?}"),
        ValueRef::Text(b) => {
            let s = String::from_utf8_lossy(b);
            let short: String = s.chars().take(MAX).collect();
            let escaped = short.replace('\0', "\\0");
            format!("'{escaped}{}'", if s.chars().count() > MAX { "…" } else { "" })
        }
        ValueRef::Blob(b) => {
            let hex: String = b.iter().take(16).map(|x| format!("{x:02x}")).collect();
            format!("x'{hex}{}' ({} bytes)", if b.len() > 16 { "…" } else { "" }, b.len())
        }
    }
}

fn check_name_collisions(tables: &[TablePlan], findings: &mut Vec<Finding>) {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for t in tables {
        if let Some(other) = seen.insert(&t.name, &t.source_name) {
            findings.push(finding(Grade::NeedsAttention, object(&t.source_name, None), format!("its PostgreSQL name \"{}\" collides with table \"{other}\"", t.name)));
        }
    }
}

/// One foreign key's orphan count, as [`SourceDb::orphans`] takes it: child table and columns,
/// parent table and columns, as the source schema spells them.
type OrphanKey = (String, Vec<String>, String, Vec<String>);

/// The orphan counts the foreign keys of `t` may need: those whose parent table and columns
/// exist (the others are left out before counting), each with the fastest scan that is right.
fn orphan_keys(source: &SourceSchema, t: &SourceTable) -> Vec<(OrphanKey, OrphanScan)> {
    let column = |table: &SourceTable, name: &str| table.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)).cloned();
    t.foreign_keys
        .iter()
        .filter_map(|fk| {
            let parent = source.tables.iter().find(|p| p.name.eq_ignore_ascii_case(&fk.parent_table))?;
            let parent_columns = if fk.parent_columns.is_empty() { &parent.primary_key } else { &fk.parent_columns };
            if parent_columns.len() != fk.columns.len() {
                return None;
            }
            let child_cols: Option<Vec<SourceColumn>> = fk.columns.iter().map(|c| column(t, c)).collect();
            let parent_cols: Option<Vec<SourceColumn>> = parent_columns.iter().map(|c| column(parent, c)).collect();
            let (child_cols, parent_cols) = (child_cols?, parent_cols?);
            let scan = orphan_scan(t, &child_cols, &parent_cols);
            let names = |cols: &[SourceColumn]| cols.iter().map(|c| c.name.clone()).collect();
            Some(((t.name.clone(), names(&child_cols), parent.name.clone(), names(&parent_cols)), scan))
        })
        .collect()
}

/// Whether the orphans of a key may be counted by distinct key (see [`OrphanScan`]): only when
/// that is right, and when an index of the child's key columns gives the groups in order (else
/// grouping is a sort of the whole child, slower than a lookup per row).
fn orphan_scan(child: &SourceTable, child_cols: &[SourceColumn], parent_cols: &[SourceColumn]) -> OrphanScan {
    let binary = |collation: &Option<String>| collation.as_deref().is_none_or(|c| c.eq_ignore_ascii_case("BINARY"));
    let right = child_cols.iter().all(|c| binary(&c.collation))
        && parent_cols.iter().all(|p| mapping::affinity(&p.declared_type.to_ascii_uppercase()) != mapping::Affinity::Text);
    let indexed = child.indexes.iter().any(|index| {
        index.predicate.is_none()
            && index.parts.len() >= child_cols.len()
            && index.parts[..child_cols.len()].iter().all(|part| {
                binary(&part.collation)
                    && matches!(&part.target, IndexTarget::Column(name) if child_cols.iter().any(|c| c.name.eq_ignore_ascii_case(name)))
            })
    });
    if right && indexed { OrphanScan::DistinctKeys } else { OrphanScan::EveryRow }
}

/// Count the orphans of every key on a read-only connection of its own (see
/// `SourceDb::profile_all` on snapshots). A key it could not open a connection for is missing
/// from the answer and counted later on the planning connection.
fn count_orphans(path: &std::path::Path, open: &OpenOptions, keys: &[(OrphanKey, OrphanScan)]) -> BTreeMap<OrphanKey, Result<u64>> {
    let mut counts = BTreeMap::new();
    if keys.is_empty() {
        return counts;
    }
    let Ok(conn) = SourceDb::open(path, open) else { return counts };
    for (key, scan) in keys {
        let (child, columns, parent, parent_columns) = key;
        let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
        let parent_columns: Vec<&str> = parent_columns.iter().map(String::as_str).collect();
        counts.insert(key.clone(), conn.orphans(child, &columns, parent, &parent_columns, *scan));
    }
    counts
}

fn plan_foreign_keys(
    db: &SourceDb,
    source: &SourceSchema,
    t: &SourceTable,
    tables: &[TablePlan],
    // `None`: orphans are not counted.
    mut orphan_counts: Option<&mut BTreeMap<OrphanKey, Result<u64>>>,
    findings: &mut Vec<Finding>,
) -> Result<Vec<(usize, ForeignKeyPlan)>> {
    let mut out = Vec::new();
    let Some(child) = tables.iter().find(|p| p.source_name == t.name) else { return Ok(out) };
    for fk in &t.foreign_keys {
        let what = format!("foreign key ({}) -> \"{}\"", fk.columns.join(", "), fk.parent_table);
        let obj = object(&t.name, None);
        let Some(parent_index) = source.tables.iter().position(|p| p.name.eq_ignore_ascii_case(&fk.parent_table)) else {
            findings.push(finding(Grade::NeedsAttention, obj, format!("{what}: the referenced table does not exist; left out")));
            continue;
        };
        let parent_source = &source.tables[parent_index];
        let parent = &tables[parent_index];
        let parent_columns: Vec<String> = if fk.parent_columns.is_empty() { parent_source.primary_key.clone() } else { fk.parent_columns.clone() };
        if parent_columns.len() != fk.columns.len() {
            findings.push(finding(Grade::NeedsAttention, obj, format!("{what}: the referenced table has no matching key (SQLite would report a foreign key mismatch); left out")));
            continue;
        }
        let child_cols: Option<Vec<&ColumnPlan>> = fk.columns.iter().map(|c| child.columns.iter().find(|x| x.source_name.eq_ignore_ascii_case(c))).collect();
        let parent_cols: Option<Vec<&ColumnPlan>> = parent_columns.iter().map(|c| parent.columns.iter().find(|x| x.source_name.eq_ignore_ascii_case(c))).collect();
        let (Some(child_cols), Some(parent_cols)) = (child_cols, parent_cols) else {
            findings.push(finding(Grade::NeedsAttention, obj, format!("{what}: names a column that does not exist; left out")));
            continue;
        };
        let parent_names: Vec<String> = parent_cols.iter().map(|c| c.name.clone()).collect();
        let same_set = |key: &[String]| key.len() == parent_names.len() && parent_names.iter().all(|n| key.contains(n));
        let unique_index = parent_source.indexes.iter().any(|i| {
            i.unique && i.predicate.is_none() && i.parts.len() == parent_cols.len()
                && i.parts.iter().all(|p| matches!(&p.target, IndexTarget::Column(c) if parent_cols.iter().any(|x| x.source_name.eq_ignore_ascii_case(c))))
        });
        if !(same_set(&parent.primary_key) || parent.uniques.iter().any(|u| same_set(u)) || unique_index) {
            findings.push(finding(Grade::NeedsAttention, obj, format!("{what}: PostgreSQL needs a primary key or UNIQUE constraint on the referenced columns ({}); left out", parent_columns.join(", "))));
            continue;
        }
        if let Some((c, p)) = child_cols.iter().zip(&parent_cols).find(|(c, p)| !c.pg_type.compatible_for_fk(p.pg_type)) {
            findings.push(finding(
                Grade::NeedsAttention,
                obj,
                format!("{what}: column \"{}\" is {} but \"{}\".\"{}\" is {}; left out (override one type in sqlite2pg.toml to keep it)", c.source_name, c.pg_type, parent.source_name, p.source_name, p.pg_type),
            ));
            continue;
        }
        // Rows whose parent is missing would break this key in PostgreSQL.
        let child_source: Vec<&str> = child_cols.iter().map(|c| c.source_name.as_str()).collect();
        let parent_source_cols: Vec<&str> = parent_cols.iter().map(|c| c.source_name.as_str()).collect();
        let key: OrphanKey = (t.name.clone(), child_source.iter().map(|c| c.to_string()).collect(), parent_source.name.clone(), parent_source_cols.iter().map(|c| c.to_string()).collect());
        let counted = orphan_counts
            .as_deref_mut()
            .map(|counts| counts.remove(&key).unwrap_or_else(|| db.orphans(&t.name, &child_source, &parent_source.name, &parent_source_cols, OrphanScan::EveryRow)));
        match counted {
            None | Some(Ok(0)) => {}
            Some(Ok(n)) => {
                let rows = if n == 1 { "1 row references".to_string() } else { format!("{n} rows reference") };
                findings.push(finding(Grade::NeedsAttention, obj, format!("{what}: {rows} a parent row that does not exist (SQLite had foreign keys off)")));
            }
            Some(Err(e)) => findings.push(finding(Grade::Warning, obj, format!("{what}: rows without a parent could not be counted: {e}"))),
        }
        let action = |a: &str| if a.eq_ignore_ascii_case("NO ACTION") { None } else { Some(a.to_ascii_uppercase()) };
        out.push((
            parent_index,
            ForeignKeyPlan {
                columns: child_cols.iter().map(|c| c.name.clone()).collect(),
                parent_table: parent.name.clone(),
                parent_columns: parent_names,
                on_delete: action(&fk.on_delete),
                on_update: action(&fk.on_update),
                deferrable: fk.deferrable,
                initially_deferred: fk.initially_deferred,
            },
        ));
    }
    Ok(out)
}

fn rewrite_table_sql(scope: &SchemaScope, t: &SourceTable, plan: &mut TablePlan, findings: &mut Vec<Finding>) {
    for (c, col) in t.columns.iter().zip(plan.columns.iter_mut()) {
        let obj = object(&t.name, Some(&c.name));
        if let (Some(sql), None, false) = (&c.default_sql, &col.default, col.identity)
            && sql.contains('(') && defaults::translate(sql, col.pg_type, col.epoch()).is_err() {
                match scope.expr(&t.name, sql) {
                    Ok(expr) => col.default = Some(expr),
                    Err(reason) => findings.push(finding(Grade::Warning, &obj, format!("DEFAULT {sql} left out: {reason}"))),
                }
            }
        if let Some(g) = &c.generated {
            match scope.expr(&t.name, &g.expr) {
                Ok(expr) => {
                    if !g.stored {
                        findings.push(finding(Grade::Info, &obj, "VIRTUAL generated column becomes STORED (PostgreSQL before 18 has only stored ones)"));
                    }
                    col.generated = Some(expr);
                }
                Err(reason) => findings.push(finding(Grade::Warning, &obj, format!("generated expression {} left out ({reason}): the column keeps the copied values", g.expr))),
            }
        }
    }
    let mut names = BTreeSet::new();
    for check in &t.checks {
        match scope.expr(&t.name, &check.expr) {
            Ok(expr) => {
                // PostgreSQL wants constraint names unique per table; SQLite does not care.
                let name = check.name.as_ref().map(|n| fit(n)).filter(|n| names.insert(n.clone()));
                plan.checks.push(CheckPlan { name, expr, source_expr: check.expr.clone() });
            }
            Err(reason) => findings.push(finding(Grade::NeedsAttention, object(&t.name, check.column.as_deref()), format!("CHECK ({}) left out: {reason}", check.expr))),
        }
    }
}

/// The IMMUTABLE stand-in for `to_char` in index expressions.
const IMMUTABLE_TO_CHAR: &str = "sqlite2pg_to_char";

/// Its definitions: `to_char` over a timestamp, and over a timestamptz read in UTC (SQLite's
/// times are UTC). Formats sqlite2pg writes have no locale-dependent (TM) pattern, so the
/// results never change: IMMUTABLE is true of them.
const IMMUTABLE_TO_CHAR_FUNCTIONS: &[&str] = &[
    "CREATE OR REPLACE FUNCTION sqlite2pg_to_char(timestamp, text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN to_char($1, $2);",
    "CREATE OR REPLACE FUNCTION sqlite2pg_to_char(timestamptz, text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN to_char($1 AT TIME ZONE 'UTC', $2);",
];

/// What an index expression cannot use, and what it is: values that depend on the session or
/// the clock.
const SESSION_DEPENDENT: &[(&str, &str)] = &[
    ("CURRENT_TIMESTAMP", "the current time"),
    ("CURRENT_DATE", "the current date"),
    ("CURRENT_TIME", "the current time"),
    ("LOCALTIMESTAMP", "the current local time"),
    ("LOCALTIME", "the current local time"),
    ("now()", "the current time"),
    ("random()", "random()"),
    (" AS TIMESTAMP)", "a cast of text to a timestamp (read by the session's DateStyle)"),
    (" AS TIMESTAMP WITH TIME ZONE)", "a cast to timestamptz (read in the session's time zone)"),
];

/// `needs_nocase`: set when an index part keeps SQLite's NOCASE as the ICU collation.
fn plan_indexes(scope: &SchemaScope, t: &SourceTable, plan: &TablePlan, out: &mut Vec<IndexPlan>, needs_nocase: &mut bool, findings: &mut Vec<Finding>) {
    // A unique index the plan made a constraint (Django's unique_together) is that constraint.
    let made_constraint = |i: &&SourceIndex| plan.named_uniques.iter().any(|(name, _)| *name == fit(&i.name));
    for index in t.indexes.iter().filter(|i| i.origin == IndexOrigin::CreateIndex).filter(|i| !made_constraint(i)) {
        let obj = format!("index \"{}\" on table \"{}\"", index.name, t.name);
        let mut parts = Vec::new();
        let mut failed = None;
        for part in &index.parts {
            let mut sql = match &part.target {
                IndexTarget::Column(c) => match plan.columns.iter().find(|x| x.source_name.eq_ignore_ascii_case(c)) {
                    Some(col) => crate::ident::quote(&col.name),
                    None => {
                        failed = Some(format!("column {c} is not in the table"));
                        break;
                    }
                },
                IndexTarget::Expr(e) => match scope.expr(&t.name, e) {
                    Ok(expr) => format!("({expr})"),
                    Err(reason) => {
                        failed = Some(format!("expression {e}: {reason}"));
                        break;
                    }
                },
            };
            let citext = match &part.target {
                IndexTarget::Column(c) => plan.columns.iter().any(|x| x.source_name.eq_ignore_ascii_case(c) && x.pg_type == PgType::Citext),
                IndexTarget::Expr(_) => false,
            };
            match part.collation.as_deref() {
                // A citext column ignores case itself.
                Some("NOCASE") if citext => {}
                Some("NOCASE") => sql.push_str(&format!(" COLLATE {NOCASE_COLLATION}")),
                Some(other) => findings.push(finding(Grade::Warning, &obj, format!("COLLATE {other} dropped from the index"))),
                None => {}
            }
            if part.desc {
                sql.push_str(" DESC");
            }
            parts.push(sql);
        }
        let mut predicate = match (&index.predicate, &failed) {
            (Some(p), None) => match scope.expr(&t.name, p) {
                Ok(sql) => Some(sql),
                Err(reason) => {
                    failed = Some(format!("WHERE {p}: {reason}"));
                    None
                }
            },
            _ => None,
        };
        // PostgreSQL builds an index only over IMMUTABLE functions. SQLite's strftime() becomes
        // to_char, which is STABLE (its TM patterns follow the locale; sqlite2pg emits none):
        // an IMMUTABLE wrapper takes its place. Anything else that depends on the session (the
        // current time, the time zone, DateStyle) cannot be indexed: left out, reported.
        for sql in parts.iter_mut().chain(predicate.iter_mut()) {
            *sql = sql.replace("to_char(", &format!("{IMMUTABLE_TO_CHAR}("));
        }
        if failed.is_none()
            && let Some((_, stable)) = parts.iter().chain(&predicate).find_map(|sql| SESSION_DEPENDENT.iter().find(|(pattern, _)| sql.contains(pattern)))
        {
            failed = Some(format!("it uses {stable}, which depends on the session, and PostgreSQL indexes only IMMUTABLE expressions"));
        }
        match failed {
            Some(reason) => findings.push(finding(Grade::NeedsAttention, obj, format!("left out: {reason}"))),
            None => {
                let name = fit(&index.name);
                if name != index.name {
                    findings.push(finding(Grade::Warning, &obj, format!("name longer than 63 bytes: shortened to \"{name}\"")));
                }
                *needs_nocase |= parts.iter().any(|p| p.contains(&format!(" COLLATE {NOCASE_COLLATION}")));
                out.push(IndexPlan { name, source_name: index.name.clone(), table: plan.name.clone(), unique: index.unique, parts, predicate, method: None });
            }
        }
    }
}

/// Names (lower-cased) that a piece of SQL mentions as identifiers.
fn mentioned_names(sql: &str) -> BTreeSet<String> {
    tokenize_significant(sql)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| match t {
            sqlparser::tokenizer::Token::Word(w) => Some(w.value.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn plan_views(scope: &SchemaScope, source: &SourceSchema, findings: &mut Vec<Finding>) -> Vec<ViewPlan> {
    let names: Vec<String> = source.views.iter().map(|v| v.name.to_ascii_lowercase()).collect();
    let deps: Vec<BTreeSet<usize>> = source
        .views
        .iter()
        .map(|v| {
            let mentioned = mentioned_names(&v.body);
            names.iter().enumerate().filter(|(_, n)| mentioned.contains(*n)).map(|(i, _)| i).collect()
        })
        .collect();
    let (order, _) = topological(source.views.len(), &deps);
    let mut failed = BTreeSet::new();
    let mut out = Vec::new();
    for i in order {
        let v = &source.views[i];
        let obj = format!("view \"{}\"", v.name);
        if let Some(dep) = deps[i].iter().find(|d| failed.contains(*d)) {
            failed.insert(i);
            findings.push(finding(Grade::NeedsAttention, obj, format!("left out: it reads view \"{}\", which was left out", source.views[*dep].name)));
            continue;
        }
        match scope.query(&v.body) {
            Ok(query) => out.push(ViewPlan { source_name: v.name.clone(), name: fit(&v.name), query }),
            Err(reason) => {
                failed.insert(i);
                findings.push(finding(Grade::NeedsAttention, obj, format!("left out: {reason}. Original: {}", v.sql)));
            }
        }
    }
    out
}

fn plan_triggers(scope: &SchemaScope, source: &SourceSchema, findings: &mut Vec<Finding>) -> Vec<TriggerPlan> {
    let fts_names: BTreeSet<String> = source.fts_tables.iter().map(|f| f.name.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    for trigger in &source.triggers {
        let obj = format!("trigger \"{}\"", trigger.name);
        let mentioned = mentioned_names(&trigger.sql);
        if let Some(fts) = fts_names.iter().find(|n| mentioned.contains(*n)) {
            findings.push(finding(Grade::Info, obj, format!("keeps FTS table \"{fts}\" in sync: dropped, since full-text search moves to a tsvector column")));
            continue;
        }
        let function = fit(&format!("{}_fn", trigger.name));
        match scope.trigger(&trigger.sql, &function) {
            Ok(t) => out.push(TriggerPlan { source_name: trigger.name.clone(), table: t.table, function_sql: t.function_sql, trigger_sql: t.trigger_sql }),
            Err(reason) => findings.push(finding(Grade::NeedsAttention, obj, format!("left out: {reason}. Original: {}", trigger.sql))),
        }
    }
    out
}

fn report_virtual_tables(source: &SourceSchema, findings: &mut Vec<Finding>) {
    for fts in source.fts_tables.iter().filter(|f| !f.shadow_tables.is_empty()) {
        findings.push(finding(Grade::Info, format!("FTS table \"{}\"", fts.name), format!("shadow tables {} are the index's internals: never copied", fts.shadow_tables.join(", "))));
    }
    for v in &source.other_virtual_tables {
        let known = if v.module_available { "" } else { ", a module this SQLite does not have (an extension such as SpatiaLite)" };
        findings.push(finding(Grade::NeedsAttention, format!("virtual table \"{}\"", v.name), format!("module {}{known}: cannot be carried over; left out", v.module)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distinct keys only where grouping is right and an index gives the groups.
    #[test]
    fn orphans_are_counted_by_distinct_key_only_where_that_is_right() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("scan.db");
        let conn = rusqlite::Connection::open(&path).expect("create");
        conn.execute_batch(
            "CREATE TABLE owner (id INTEGER PRIMARY KEY, name TEXT UNIQUE, code UNIQUE);
             CREATE TABLE item (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES owner (id), plain_id INTEGER REFERENCES owner (id),
                                nocase_id INTEGER COLLATE NOCASE REFERENCES owner (id), owner_name TEXT REFERENCES owner (name),
                                owner_code REFERENCES owner (code), part_id INTEGER REFERENCES owner (id));
             CREATE INDEX item_owner ON item (owner_id);
             CREATE INDEX item_nocase ON item (nocase_id COLLATE BINARY);
             CREATE INDEX item_name ON item (owner_name);
             CREATE INDEX item_code ON item (owner_code);
             CREATE INDEX item_part ON item (part_id) WHERE part_id > 0;",
        )
        .expect("schema");
        drop(conn);
        let db = SourceDb::open(&path, &OpenOptions::default()).expect("open");
        let source = db.introspect().expect("introspect");
        let item = source.tables.iter().find(|t| t.name == "item").expect("item");
        let scans: BTreeMap<String, OrphanScan> = orphan_keys(&source, item).into_iter().map(|((_, columns, _, _), scan)| (columns.join(","), scan)).collect();
        let expected = [
            ("owner_id", OrphanScan::DistinctKeys),  // indexed, BINARY, INTEGER parent
            ("plain_id", OrphanScan::EveryRow),      // no index to group by
            ("nocase_id", OrphanScan::EveryRow),     // NOCASE groups 'a' with 'A'
            ("owner_name", OrphanScan::EveryRow),    // a TEXT parent tells 1 from 1.0
            ("owner_code", OrphanScan::DistinctKeys), // a parent without affinity compares 1 = 1.0
            ("part_id", OrphanScan::EveryRow),       // a partial index skips rows
        ];
        for (column, scan) in expected {
            assert_eq!(scans.get(column), Some(&scan), "{column}");
        }
    }
}

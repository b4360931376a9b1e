//! The `inspect` report: what is in each database, what will change, and what needs a human,
//! graded ok / warning / needs attention, as terminal tables, JSON or Markdown (with a mermaid
//! ER diagram of the PostgreSQL schema).

use std::fmt::Write;

use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use serde::Serialize;

use crate::ident::quote;
use crate::mapping::Rule;
use crate::plan::{Grade, Plan, SchemaPlan};

/// Counts of findings by grade.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct GradeCounts {
    /// Columns and objects that convert as they are.
    pub ok: u64,
    /// Warnings.
    pub warning: u64,
    /// Items that need a human.
    pub needs_attention: u64,
}

/// The report for all files.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    /// Per file.
    pub files: Vec<FileReport<'a>>,
    /// Sum over files.
    pub totals: GradeCounts,
}

/// The report for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport<'a> {
    /// The plan it summarises.
    #[serde(flatten)]
    pub summary: Summary,
    /// One row per column.
    pub columns: Vec<ColumnRow>,
    /// Findings, most serious first.
    pub findings: Vec<&'a crate::plan::Finding>,
    /// Counts by grade.
    pub counts: GradeCounts,
}

/// What a file holds.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The SQLite file.
    pub file: String,
    /// Target schema.
    pub schema: String,
    /// SQLite journal mode.
    pub journal_mode: String,
    /// Whether values were sampled.
    pub sampled: bool,
    /// Tables planned.
    pub tables: usize,
    /// Rows over all tables.
    pub rows: u64,
    /// Views carried over.
    pub views: usize,
    /// Triggers carried over.
    pub triggers: usize,
    /// Indexes carried over.
    pub indexes: usize,
    /// Foreign keys carried over.
    pub foreign_keys: usize,
    /// The framework whose migrations made the database, when its bookkeeping tells.
    pub framework: Option<crate::framework::Framework>,
    /// The route recommended for it, with the commands filled in.
    pub route: Option<String>,
}

/// One column's decision, for the report.
#[derive(Debug, Clone, Serialize)]
pub struct ColumnRow {
    /// Table (SQLite name).
    pub table: String,
    /// Column (SQLite name).
    pub column: String,
    /// Declared SQLite type.
    pub declared: String,
    /// PostgreSQL type.
    pub pg_type: String,
    /// Whether the type says more than the declared type did (boolean, jsonb, dates, ...).
    pub changed: bool,
    /// Why.
    pub reason: String,
    /// ok / warning / needs attention.
    pub grade: &'static str,
    /// What the application's code must change for it (what drivers return, SQL to rewrite).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_change: Option<crate::mapping::code_change::CodeChange>,
}

/// Build the report of a plan.
pub fn build(plan: &Plan) -> Report<'_> {
    let mut totals = GradeCounts::default();
    let files = plan
        .schemas
        .iter()
        .map(|s| {
            let f = file_report(s);
            totals.ok += f.counts.ok;
            totals.warning += f.counts.warning;
            totals.needs_attention += f.counts.needs_attention;
            f
        })
        .collect();
    Report { files, totals }
}

fn file_report(s: &SchemaPlan) -> FileReport<'_> {
    let mut columns = Vec::new();
    let mut counts = GradeCounts::default();
    for t in &s.tables {
        for c in &t.columns {
            let grade = if c.violations.is_some() {
                "needs attention"
            } else if c.decision.warning.is_some() {
                "warning"
            } else {
                "ok"
            };
            if grade == "ok" {
                counts.ok += 1;
            }
            columns.push(ColumnRow {
                table: t.source_name.clone(),
                column: c.source_name.clone(),
                declared: c.declared_type.clone(),
                pg_type: c.pg_type.to_string(),
                changed: matches!(c.decision.rule, Rule::FlagBoolean | Rule::DetectedJson | Rule::DetectedTemporal | Rule::EpochTemporal | Rule::Identity | Rule::Config | Rule::FullText)
                    || (c.decision.rule == Rule::Uuid && !c.declared_type.to_ascii_uppercase().contains("UUID")),
                reason: c.decision.reason.clone(),
                grade,
                code_change: crate::mapping::code_change::code_change(c),
            });
        }
    }
    let mut findings: Vec<&crate::plan::Finding> = s.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.grade));
    for f in &findings {
        match f.grade {
            Grade::Warning => counts.warning += 1,
            Grade::NeedsAttention => counts.needs_attention += 1,
            Grade::Info => {}
        }
    }
    let summary = Summary {
        file: s.source.display().to_string(),
        schema: s.schema.clone(),
        journal_mode: s.journal_mode.clone(),
        sampled: s.sampled,
        tables: s.tables.len(),
        rows: s.tables.iter().map(|t| t.rows).sum(),
        views: s.views.len(),
        triggers: s.triggers.len(),
        indexes: s.indexes.len(),
        foreign_keys: s.tables.iter().map(|t| t.foreign_keys.len()).sum::<usize>() + s.deferred_foreign_keys.len(),
        framework: s.framework,
        route: s.framework.map(|f| f.route(&s.source.file_name().map_or_else(|| s.source.display().to_string(), |n| n.to_string_lossy().into_owned()))),
    };
    FileReport { summary, columns, findings, counts }
}

/// Terminal tables.
pub fn render_text(report: &Report<'_>) -> String {
    let mut out = String::new();
    for f in &report.files {
        let s = &f.summary;
        let _ = writeln!(out, "{} -> schema {}{}", s.file, s.schema, if s.sampled { " (SAMPLED values)" } else { "" });
        let _ = writeln!(
            out,
            "  {}, {}, {}, {}, {}, {}; journal_mode={}",
            count(s.tables, "table"),
            count(s.rows as usize, "row"),
            count(s.foreign_keys, "foreign key"),
            count(s.indexes, "index"),
            count(s.views, "view"),
            count(s.triggers, "trigger"),
            s.journal_mode
        );
        let _ = writeln!(out, "  ok: {}  warning: {}  needs attention: {}\n", f.counts.ok, f.counts.warning, f.counts.needs_attention);
        if let Some(route) = &s.route {
            let _ = writeln!(out, "Route: {route}\n");
        }
        let mut changes = new_table(&["table", "column", "declared", "postgresql", "why"]);
        let mut any = false;
        for c in f.columns.iter().filter(|c| c.changed || c.grade != "ok") {
            any = true;
            changes.add_row(vec![c.table.as_str(), c.column.as_str(), c.declared.as_str(), c.pg_type.as_str(), c.reason.as_str()]);
        }
        if any {
            let _ = writeln!(out, "Columns whose type changes or needs a look:\n{changes}\n");
        }
        let mut code = new_table(&["table", "column", "postgresql", "the driver returns now", "SQL to rewrite"]);
        let mut any_code = false;
        for c in &f.columns {
            if let Some(change) = &c.code_change {
                any_code = true;
                code.add_row(vec![c.table.as_str(), c.column.as_str(), c.pg_type.as_str(), change.returns.as_str(), change.sql.as_str()]);
            }
        }
        if any_code {
            let _ = writeln!(out, "What the application's code must change (`--keep-value-kinds` plans none of these):\n{code}\n");
        }
        if !f.findings.is_empty() {
            let mut t = new_table(&["grade", "object", "finding"]);
            for finding in &f.findings {
                t.add_row(vec![finding.grade.to_string(), finding.object.clone(), finding.message.clone()]);
            }
            let _ = writeln!(out, "Findings:\n{t}\n");
        }
    }
    let _ = writeln!(out, "Total: ok {}, warning {}, needs attention {}", report.totals.ok, report.totals.warning, report.totals.needs_attention);
    out
}

/// `1 view`, `2 views`, `3 indexes`.
fn count(n: usize, noun: &str) -> String {
    let plural = if noun.ends_with('x') { format!("{noun}es") } else { format!("{noun}s") };
    format!("{n} {}", if n == 1 { noun.to_string() } else { plural })
}

fn new_table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic).set_width(160).set_header(header.to_vec());
    t
}

/// Markdown, with a mermaid ER diagram per schema.
pub fn render_markdown(report: &Report<'_>, plan: &Plan) -> String {
    let mut out = String::from("# sqlite2pg inspection\n\n");
    for (f, s) in report.files.iter().zip(&plan.schemas) {
        let sm = &f.summary;
        let _ = writeln!(out, "## `{}` -> schema `{}`\n", sm.file, sm.schema);
        if sm.sampled {
            out.push_str("> Values were **sampled**: decisions rest on part of the rows.\n\n");
        }
        let _ = writeln!(
            out,
            "{} tables, {} rows, {} foreign keys, {} indexes, {} views, {} triggers (journal_mode `{}`).\n\n**ok** {} · **warning** {} · **needs attention** {}\n",
            sm.tables, sm.rows, sm.foreign_keys, sm.indexes, sm.views, sm.triggers, sm.journal_mode, f.counts.ok, f.counts.warning, f.counts.needs_attention
        );
        if let Some(route) = &sm.route {
            let _ = writeln!(out, "> **Route:** {}\n", md(route));
        }
        if !f.findings.is_empty() {
            out.push_str("### Findings\n\n| grade | object | finding |\n|---|---|---|\n");
            for finding in &f.findings {
                let _ = writeln!(out, "| {} | {} | {} |", finding.grade, md(&finding.object), md(&finding.message));
            }
            out.push('\n');
        }
        out.push_str("### Columns\n\n| table | column | declared | PostgreSQL | why |\n|---|---|---|---|---|\n");
        for c in &f.columns {
            let ty = if c.changed { format!("**{}**", c.pg_type) } else { c.pg_type.clone() };
            let _ = writeln!(out, "| {} | {} | {} | {} | {} |", md(&c.table), md(&c.column), md(&c.declared), ty, md(&c.reason));
        }
        if f.columns.iter().any(|c| c.code_change.is_some()) {
            out.push_str("\n### What the application's code must change\n\n| table | column | PostgreSQL | the driver returns now | SQL to rewrite |\n|---|---|---|---|---|\n");
            for c in &f.columns {
                if let Some(change) = &c.code_change {
                    let _ = writeln!(out, "| {} | {} | {} | {} | {} |", md(&c.table), md(&c.column), c.pg_type, md(&change.returns), md(&change.sql));
                }
            }
        }
        out.push_str("\n### Schema\n\n```mermaid\nerDiagram\n");
        out.push_str(&mermaid(s));
        out.push_str("```\n\n");
    }
    out
}

fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A mermaid `erDiagram` body for a schema.
pub fn mermaid(s: &SchemaPlan) -> String {
    let entity = |name: &str| {
        let cleaned: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
        if cleaned.starts_with(|c: char| c.is_ascii_digit()) { format!("t_{cleaned}") } else { cleaned }
    };
    let mut out = String::new();
    for t in &s.tables {
        let _ = writeln!(out, "    {} {{", entity(&t.name));
        for c in &t.columns {
            let key = if t.primary_key.contains(&c.name) {
                " PK"
            } else if t.foreign_keys.iter().any(|fk| fk.columns.contains(&c.name)) {
                " FK"
            } else {
                ""
            };
            let ty = c.pg_type.to_string().replace([' ', '(', ')', ','], "_");
            let _ = writeln!(out, "        {} {}{key}", ty, entity(&c.name));
        }
        out.push_str("    }\n");
    }
    for t in &s.tables {
        for fk in &t.foreign_keys {
            let _ = writeln!(out, "    {} ||--o{{ {} : \"{}\"", entity(&fk.parent_table), entity(&t.name), fk.columns.iter().map(|c| quote(c)).collect::<Vec<_>>().join(",").replace('"', "'"));
        }
    }
    for d in &s.deferred_foreign_keys {
        let _ = writeln!(out, "    {} ||--o{{ {} : \"{}\"", entity(&d.foreign_key.parent_table), entity(&d.table), d.foreign_key.columns.join(",").replace('"', "'"));
    }
    out
}

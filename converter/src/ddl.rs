//! The plan as PostgreSQL DDL: one script that builds every schema of the plan on an empty
//! database, each column's decision and evidence as a comment beside it.
//!
//! Order inside a schema: collation, tables (parents first), foreign keys that close cycles,
//! indexes, views (dependencies first), trigger functions and triggers. Pure text: the same
//! plan always gives the same bytes.

use std::fmt::Write;

use crate::ident::quote;
use crate::mapping::{KeyStyle, PgType};
use crate::shape::{ColumnShape, TableShape};
use crate::plan::{ColumnPlan, ForeignKeyPlan, NOCASE_COLLATION, Plan, SchemaPlan, TablePlan};

/// Options for rendering.
#[derive(Debug, Clone, Copy)]
pub struct DdlOptions {
    /// Put each column's decision in a comment beside it.
    pub comments: bool,
}

impl Default for DdlOptions {
    fn default() -> Self {
        DdlOptions { comments: true }
    }
}

/// The whole plan as one SQL script.
pub fn render(plan: &Plan, options: DdlOptions) -> String {
    let mut out = String::new();
    for (i, schema) in plan.schemas.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_schema(&mut out, schema, options);
    }
    out
}

/// `CREATE COLLATION` for the case-insensitive collation that stands in for `COLLATE NOCASE`.
pub fn nocase_collation_sql() -> String {
    format!("CREATE COLLATION IF NOT EXISTS {NOCASE_COLLATION} (provider = icu, locale = 'und-u-ks-level2', deterministic = false);")
}

/// The comment an extension gets when sqlite2pg's DDL created it: a migration's `down` drops
/// only an extension that carries it, so one the database had before stays.
pub const EXTENSION_MARK: &str = "sqlite2pg: created by a migration of this schema, whose down drops it";

/// Create `extension` in `public` when the database lacks it (a type such as citext then
/// resolves in every schema whose search path ends in public), marked as created here (see
/// [`EXTENSION_MARK`]); an extension already there is left as it is.
pub fn create_extension_sql(extension: &str) -> String {
    format!(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = {name}) THEN CREATE EXTENSION {ident} WITH SCHEMA public; COMMENT ON EXTENSION {ident} IS {mark}; END IF; END $$;",
        name = crate::ident::literal(extension),
        ident = quote(extension),
        mark = crate::ident::literal(EXTENSION_MARK)
    )
}

/// Drop `extension` if [`create_extension_sql`] created it and nothing else uses it.
pub fn drop_extension_sql(extension: &str) -> String {
    format!(
        "DO $$ BEGIN IF obj_description((SELECT oid FROM pg_extension WHERE extname = {name}), 'pg_extension') = {mark} THEN DROP EXTENSION {ident}; END IF; EXCEPTION WHEN dependent_objects_still_exist THEN NULL; END $$;",
        name = crate::ident::literal(extension),
        ident = quote(extension),
        mark = crate::ident::literal(EXTENSION_MARK)
    )
}

/// One schema's DDL.
pub fn render_schema(out: &mut String, schema: &SchemaPlan, options: DdlOptions) {
    let _ = writeln!(out, "{}", comment_line(&format!("sqlite2pg: {} -> schema {}", schema.source.display(), schema.schema)));
    if schema.sampled {
        let _ = writeln!(out, "-- Decisions from a SAMPLE of the rows: values outside the sample were not checked.");
    }
    if schema.schema != "public" {
        let _ = writeln!(out, "CREATE SCHEMA IF NOT EXISTS {};", quote(&schema.schema));
    }
    // Views, checks and trigger bodies name tables unqualified, as the application did.
    if schema.schema == "public" || schema.extensions.is_empty() {
        let _ = writeln!(out, "SET search_path TO {};", quote(&schema.schema));
    } else {
        let _ = writeln!(out, "SET search_path TO {}, public;", quote(&schema.schema));
    }
    for extension in &schema.extensions {
        let _ = writeln!(out, "\n{}", create_extension_sql(extension));
    }
    if schema.needs_nocase_collation {
        let _ = writeln!(out, "\n{}", nocase_collation_sql());
    }
    for statement in &schema.text_search_setup {
        let _ = writeln!(out, "\n{}", statement.trim_end());
    }
    for table in &schema.tables {
        out.push('\n');
        out.push_str(&create_table(table, options));
    }
    for d in &schema.deferred_foreign_keys {
        let _ = writeln!(out, "\nALTER TABLE {} ADD {};", quote(&d.table), foreign_key(&d.foreign_key));
    }
    if !schema.indexes.is_empty() {
        out.push('\n');
    }
    for index in &schema.indexes {
        let unique = if index.unique { "UNIQUE " } else { "" };
        let method = index.method.as_ref().map(|m| format!(" USING {m}")).unwrap_or_default();
        let _ = write!(out, "CREATE {unique}INDEX {} ON {}{method} ({})", quote(&index.name), quote(&index.table), index.parts.join(", "));
        if let Some(p) = &index.predicate {
            let _ = write!(out, " WHERE {p}");
        }
        out.push_str(";\n");
    }
    for view in &schema.views {
        let _ = writeln!(out, "\nCREATE VIEW {} AS\n{};", quote(&view.name), view.query);
    }
    for trigger in &schema.triggers {
        let _ = writeln!(out, "\n{}", trigger.function_sql.trim_end());
        let _ = writeln!(out, "{}", trigger.trigger_sql.trim_end());
    }
    if options.comments {
        code_changes(out, schema);
    }
}

/// A closing comment: what the application's code must change for the columns whose values
/// read back as another kind (see `mapping::code_change`).
fn code_changes(out: &mut String, schema: &SchemaPlan) {
    let changes: Vec<(String, crate::mapping::code_change::CodeChange)> = schema
        .tables
        .iter()
        .flat_map(|t| t.columns.iter().filter_map(move |c| crate::mapping::code_change::code_change(c).map(|change| (format!("{}.{} ({})", t.name, c.name, c.pg_type), change))))
        .collect();
    if changes.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n-- What the application's code must change (`--keep-value-kinds` plans none of these):");
    for (column, change) in changes {
        let _ = writeln!(out, "{}", comment_line(&format!("{column}: returns {}. SQL: {}", change.returns, change.sql)));
    }
}

/// `CREATE TABLE` for one table.
pub fn create_table(table: &TablePlan, options: DdlOptions) -> String {
    // Rendered from the table's shape (what is built); the plan adds only the comments (the
    // decisions and their evidence, and the row count).
    let shape = TableShape::of_table(table);
    let comments = options.comments.then(|| (table.rows, table.columns.iter().map(column_comment).collect::<Vec<_>>()));
    create_table_of(&shape, comments)
}

/// `CREATE TABLE` for a table's shape, with a comment per column and the row count when given.
pub fn create_table_of(table: &TableShape, comments: Option<(u64, Vec<String>)>) -> String {
    let single_pk = table.primary_key.len() == 1;
    // (definition, comment) per line.
    let mut lines: Vec<(String, Option<String>)> = Vec::new();
    for (i, c) in table.columns.iter().enumerate() {
        let pk_inline = single_pk && table.primary_key[0] == c.name;
        let comment = comments.as_ref().and_then(|(_, per_column)| per_column.get(i).cloned());
        lines.push((column_definition(c, pk_inline), comment));
    }
    if table.primary_key.len() > 1 {
        lines.push((format!("PRIMARY KEY ({})", list(&table.primary_key)), None));
    }
    for u in &table.uniques {
        match table.unique_name(u) {
            Some(name) => lines.push((format!("CONSTRAINT {} UNIQUE ({})", quote(name), list(u)), None)),
            None => lines.push((format!("UNIQUE ({})", list(u)), None)),
        }
    }
    for fk in &table.foreign_keys {
        lines.push((foreign_key(fk), None));
    }
    for check in &table.checks {
        let name = check.name.as_ref().map(|n| format!("CONSTRAINT {} ", quote(n))).unwrap_or_default();
        lines.push((format!("{name}CHECK ({})", check.expr), None));
    }
    let mut out = String::new();
    let rows = comments.as_ref().map(|(rows, _)| format!(" -- {rows} rows")).unwrap_or_default();
    let _ = writeln!(out, "CREATE TABLE {} ({rows}", quote(&table.name));
    let last = lines.len().saturating_sub(1);
    for (i, (def, comment)) in lines.iter().enumerate() {
        let comma = if i < last { "," } else { "" };
        match comment {
            Some(c) => {
                let _ = writeln!(out, "    {def}{comma} -- {c}");
            }
            None => {
                let _ = writeln!(out, "    {def}{comma}");
            }
        }
    }
    out.push_str(");\n");
    out
}

fn column_definition(c: &ColumnShape, pk_inline: bool) -> String {
    let serial = c.identity && c.key_style == KeyStyle::Serial;
    let mut def = match (serial, c.pg_type) {
        (true, PgType::SmallInt) => format!("{} smallserial", quote(&c.name)),
        (true, PgType::Integer) => format!("{} serial", quote(&c.name)),
        (true, _) => format!("{} bigserial", quote(&c.name)),
        (false, pg_type) => format!("{} {pg_type}", quote(&c.name)),
    };
    if let Some(coll) = &c.collation {
        let _ = write!(def, " COLLATE {}", quote(coll));
    }
    if c.identity && !serial {
        def.push_str(" GENERATED BY DEFAULT AS IDENTITY");
    }
    if let Some(g) = &c.generated {
        let _ = write!(def, " GENERATED ALWAYS AS ({g}) STORED");
    }
    if pk_inline {
        def.push_str(" PRIMARY KEY");
    } else if !c.nullable && !c.identity {
        def.push_str(" NOT NULL");
    }
    if let (Some(d), None) = (&c.default, &c.generated) {
        let _ = write!(def, " DEFAULT {d}");
    }
    def
}

fn column_comment(c: &ColumnPlan) -> String {
    // One line: SQL comments end at the newline.
    c.decision.reason.replace(['\n', '\r'], " ")
}

/// `FOREIGN KEY (...) REFERENCES ... [ON DELETE ...] [DEFERRABLE ...]`, as a table constraint.
pub fn foreign_key(fk: &ForeignKeyPlan) -> String {
    let mut s = format!("FOREIGN KEY ({}) REFERENCES {} ({})", list(&fk.columns), quote(&fk.parent_table), list(&fk.parent_columns));
    if let Some(a) = &fk.on_delete {
        let _ = write!(s, " ON DELETE {a}");
    }
    if let Some(a) = &fk.on_update {
        let _ = write!(s, " ON UPDATE {a}");
    }
    if fk.deferrable {
        s.push_str(" DEFERRABLE");
        if fk.initially_deferred {
            s.push_str(" INITIALLY DEFERRED");
        }
    }
    s
}

fn list(names: &[String]) -> String {
    names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")
}

/// A SQL comment line quoting `text` safely (for headers that name files).
pub fn comment_line(text: &str) -> String {
    format!("-- {}", text.replace(['\n', '\r'], " "))
}

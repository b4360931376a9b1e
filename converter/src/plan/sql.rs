//! The bridge to the SQL rewriter: a [`Scope`] built from the planned tables, so CHECKs,
//! index expressions, views and triggers are rewritten against the final names and types.

use sqlite2pg_rewrite::{ColumnKind, PgTrigger, Scope, rewrite_expr, rewrite_query, rewrite_trigger};

use super::TablePlan;
use crate::mapping::PgType;

/// What the rewriter needs to know of one schema.
pub(crate) struct SchemaScope {
    scope: Scope,
}

fn kind(t: PgType) -> ColumnKind {
    match t {
        PgType::Boolean => ColumnKind::Boolean,
        // The rewriter's JSON is jsonb; a `json` column's SQL reads the same (its functions
        // take either once cast).
        PgType::Json | PgType::Jsonb => ColumnKind::Json,
        PgType::Timestamp => ColumnKind::Timestamp,
        PgType::TimestampTz => ColumnKind::TimestampTz,
        PgType::Date => ColumnKind::Date,
        PgType::Time => ColumnKind::Time,
        PgType::SmallInt | PgType::Integer | PgType::BigInt => ColumnKind::Integer,
        PgType::Double => ColumnKind::Real,
        PgType::Numeric(_) => ColumnKind::Numeric,
        PgType::Text | PgType::Citext | PgType::Varchar(_) => ColumnKind::Text,
        PgType::Bytea => ColumnKind::Bytes,
        PgType::Uuid => ColumnKind::Uuid,
        PgType::TsVector | PgType::Interval => ColumnKind::Other,
        // Compared and printed as its text by the SQL that reads it.
        PgType::Inet => ColumnKind::Text,
    }
}

impl SchemaScope {
    pub(crate) fn new(tables: &[TablePlan]) -> Self {
        let mut scope = Scope::new();
        for t in tables {
            scope.add_table(&t.source_name, &t.name);
            for c in &t.columns {
                scope.add_column(&t.source_name, &c.source_name, &c.name, kind(c.pg_type));
            }
            // The key holds PostgreSQL names; the scope wants the SQLite ones.
            let pk: Option<Vec<&str>> = t
                .primary_key
                .iter()
                .map(|k| t.columns.iter().find(|c| c.name == *k).map(|c| c.source_name.as_str()))
                .collect();
            scope.set_primary_key(&t.source_name, &pk.unwrap_or_default());
        }
        SchemaScope { scope }
    }

    /// Register a view (its columns are not typed: they are whatever the query yields).
    pub(crate) fn add_view(&mut self, source_name: &str, pg_name: &str) {
        self.scope.add_table(source_name, pg_name);
    }

    /// A scalar expression over `table`'s columns.
    pub(crate) fn expr(&self, table: &str, sql: &str) -> Result<String, String> {
        rewrite_expr(sql, &self.scope, Some(table)).map(|r| r.sql).map_err(|e| e.to_string())
    }

    /// A view's query.
    pub(crate) fn query(&self, sql: &str) -> Result<String, String> {
        rewrite_query(sql, &self.scope).map(|r| r.sql).map_err(|e| e.to_string())
    }

    /// A trigger, as function plus trigger.
    pub(crate) fn trigger(&self, sql: &str, function_name: &str) -> Result<PgTrigger, String> {
        rewrite_trigger(sql, &self.scope, function_name).map_err(|e| e.to_string())
    }
}

//! The live catalog: a schema's tables and columns as the target has them.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlite2pg_value::TargetType;
use sqlx::{PgPool, Row};

use crate::error::PgError;

/// A column of a live table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveColumn {
    /// Its name.
    pub name: String,
    /// Its type as the catalog prints it (`character varying(20)`, a domain's name, ...).
    pub type_name: String,
    /// What values convert to: a domain's base type, an enum with its labels.
    pub target: TargetType,
    /// `NOT NULL` (the column's own or its domain's).
    pub not_null: bool,
    /// It has a default (a sequence's `nextval`, an expression) or is an identity.
    pub has_default: bool,
    /// An identity column.
    pub identity: bool,
    /// A generated column: computed by PostgreSQL, never copied.
    pub generated: bool,
    /// The sequence feeding it (an identity's, a `serial`'s, or the one its default's `nextval`
    /// names), which must continue past the copied keys.
    pub sequence: Option<String>,
}

/// The ordinary and partitioned tables of `schema`, each with its columns in order.
pub async fn live_tables(pool: &PgPool, schema: &str) -> Result<BTreeMap<String, Vec<LiveColumn>>, PgError> {
    // Domains resolve to their base type (one level, as Django and SQLAlchemy make them);
    // enum labels come in their sort order, for a column of the enum or an array of it.
    let rows = sqlx::query(
        "SELECT cl.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
                format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END,
                            CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END),
                (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e
                  WHERE e.enumtypid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END),
                (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.typelem AND t.typcategory = 'A'),
                a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), a.atthasdef OR a.attidentity <> '', a.attidentity <> '', a.attgenerated <> '',
                coalesce(pg_get_serial_sequence(format('%I.%I', n.nspname, cl.relname), a.attname),
                         substring(pg_get_expr(d.adbin, d.adrelid) from '^nextval[(]''(.+)''::regclass[)]$'))
           FROM pg_attribute a
           JOIN pg_class cl ON cl.oid = a.attrelid
           JOIN pg_namespace n ON n.oid = cl.relnamespace
           JOIN pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE n.nspname = $1 AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY cl.relname, a.attnum",
    )
    .bind(schema)
    .fetch_all(pool)
    .await
    .map_err(PgError::query(format!("reading the columns of schema \"{schema}\"")))?;
    let mut tables: BTreeMap<String, Vec<LiveColumn>> = BTreeMap::new();
    for row in rows {
        let table: String = row.get(0);
        let type_name: String = row.get(2);
        let base: String = row.get(3);
        let labels: Option<Vec<String>> = row.get(4);
        let element_labels: Option<Vec<String>> = row.get(5);
        let target = match (labels, element_labels) {
            (Some(labels), _) => TargetType::Enum { name: base.clone(), labels: Arc::from(labels) },
            (None, Some(labels)) => TargetType::Array(Box::new(TargetType::Enum { name: base.trim_end_matches("[]").to_string(), labels: Arc::from(labels) })),
            (None, None) => read_type(&base),
        };
        tables.entry(table).or_default().push(LiveColumn {
            name: row.get(1),
            type_name,
            target,
            not_null: row.get(6),
            has_default: row.get(7),
            identity: row.get(8),
            generated: row.get(9),
            sequence: row.get(10),
        });
    }
    Ok(tables)
}

/// A formatted base type; an extension's type may be printed schema-qualified
/// (`public.citext` when its schema is not on the search path).
fn read_type(formatted: &str) -> TargetType {
    TargetType::from_catalog(formatted)
        .or_else(|| formatted.rsplit_once('.').and_then(|(_, bare)| TargetType::from_catalog(bare.trim_matches('"'))))
        .unwrap_or_else(|| TargetType::Unsupported(formatted.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_extension_types() {
        assert_eq!(read_type("public.citext"), TargetType::Citext);
        assert_eq!(read_type("point"), TargetType::Unsupported("point".into()));
    }
}

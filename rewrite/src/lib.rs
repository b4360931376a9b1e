//! Rewrite SQL written for SQLite into equivalent PostgreSQL SQL.
//!
//! The input is parsed with sqlparser's `SQLiteDialect`, the AST is transformed, and the
//! result is printed back and re-parsed with `PostgreSqlDialect` as a check. Names are
//! resolved case-insensitively against a [`Scope`] (the tables and columns the schema
//! converter created) and printed double-quoted with their exact PostgreSQL spelling.
//!
//! API in brief:
//! - [`rewrite_expr`]: a scalar expression (CHECK, index predicate/expression, DEFAULT,
//!   generated column); [`rewrite_default`] also coerces a literal to the column's type.
//! - [`rewrite_query`]: a query (a view body).
//! - [`rewrite_trigger`]: a `CREATE TRIGGER` into a PL/pgSQL function plus the trigger.
//! - [`fts::translate_match`]: a full-text `MATCH` query (FTS5, FTS3/4) into a tsquery.
//!
//! Comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`, `IS [NOT]`, `IN (list)`, `BETWEEN`,
//! `CASE x WHEN v`) follow SQLite's conversions before comparison ("affinity"), since
//! PostgreSQL has no implicit casts between text and numbers. Only a column (its kind
//! from the [`Scope`], or from a CTE/subquery column or select-list alias built on one)
//! or a `CAST` has an affinity; literals and other expressions are left as written:
//! - text column against a number literal: the number becomes the string SQLite makes
//!   of it (`"Discontinued" = 0` -> `"Discontinued" = '0'`, `1e3` -> `'1000.0'`);
//! - integer/real/numeric column against a string literal: unchanged when it reads as
//!   that number, a decimal string against an integer column becomes a number literal
//!   (`n = '5.0'` -> `n = 5.0`), and a string that is no number compares as text
//!   (`n = 'abc'` -> `CAST(n AS TEXT) = 'abc'`);
//! - integer/real/numeric column against a text column: compared as text
//!   (`CAST("rating_id" AS TEXT) = "c03"`), with a note;
//! - boolean, temporal and other kinds keep their own rules.
//!
//! Every result carries `notes`: human-readable remarks on what changed in meaning or type.
//! The same input always gives byte-identical output.
//!
//! ```
//! use sqlite2pg_rewrite::{ColumnKind, Scope, rewrite_expr};
//! let mut scope = Scope::new();
//! scope.add_table("products", "Products");
//! scope.add_column("products", "discontinued", "Discontinued", ColumnKind::Boolean);
//! scope.add_column("products", "name", "Name", ColumnKind::Text);
//! let r = rewrite_expr("discontinued = 0 AND ifnull(name, '') <> ''", &scope, Some("products")).unwrap();
//! assert_eq!(r.sql, r#"NOT "Discontinued" AND coalesce("Name", '') <> ''"#);
//! ```
//!
//! Deliberately unsupported (an [`RewriteError::Unsupported`] naming the construct):
//! `typeof`, `last_insert_rowid`, `changes`, `total_changes`, `sqlite_version`,
//! `zeroblob`, `randomblob`, `likelihood`, `quote`, `json_each`/`json_tree`, `MATCH`,
//! any function neither translated nor on the same-meaning allow-list, `RAISE` outside
//! trigger bodies (and inside other expressions), `COLLATE NOCASE/RTRIM`, casts to
//! type names with surprising SQLite affinity (`DATE`, `BOOLEAN`...), negative literal
//! `substr` bounds, `printf` specifiers other than `%s %d %%`, `strftime` specifiers
//! other than `%Y %m %d %H %M %S %j %f %w %s %%`, date modifiers other than
//! `localtime`, `unixepoch`, `start of day|month|year` and `±N unit`, `:name`/`@name`
//! parameters, attached-database names, `INSERT OR REPLACE` (no conflict target to
//! name), `UPDATE OR ...`, `RAISE(IGNORE)` in AFTER triggers, trigger statements
//! other than INSERT, UPDATE, DELETE and SELECT, and two application bugs SQLite
//! tolerates but PostgreSQL rejects:
//! - arithmetic (`+ - * / %`, bitwise operators, unary `-` and `~`) on an operand known
//!   to be text: a text column, a string literal, a `CAST(... AS TEXT)`, a `||` or a
//!   text function's result (`Employees.FirstName + ' '`: SQLite converts the text to
//!   a number, usually 0; string concatenation is `||`);
//! - in a SELECT with GROUP BY, a "bare" column outside any aggregate in the select
//!   list (`*` and `t.*` included), HAVING or ORDER BY that is neither part of an
//!   expression equal to a GROUP BY item nor a column of a table whose whole primary
//!   key is grouped (see [`Scope::set_primary_key`]); columns of views, CTEs, derived
//!   tables and tables with no registered key are accepted only when grouped. SQLite
//!   takes such a column from an arbitrary row of the group. (Aggregates without
//!   GROUP BY are not checked.)

#![deny(missing_docs)]

mod affinity;
mod build;
mod datetime;
mod error;
pub mod fts;
mod functions;
mod group;
mod lex;
mod rewriter;
mod scope;
mod trigger;

pub use error::RewriteError;
pub use scope::{ColumnKind, Scope};
pub use trigger::{PgTrigger, guard_setting, rewrite_trigger};

use lex::PgCheck;
use rewriter::Rewriter;

/// Rewritten SQL and notes on what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// The PostgreSQL SQL.
    pub sql: String,
    /// Human-readable notes on what changed, e.g. "ifnull -> coalesce", in first-seen order.
    pub notes: Vec<String>,
}

fn expr_rewriter<'a>(scope: &'a Scope, table: Option<&str>) -> Rewriter<'a> {
    let mut rw = Rewriter::new(scope);
    if let Some(t) = table {
        let rel = rw.table_relation(t, None);
        rw.push_relation(rel);
    }
    rw
}

/// Rewrite one scalar expression (a CHECK body, an index predicate, a default, a
/// generated-column expression). `table` is the SQLite name of the table whose columns
/// unqualified names refer to.
pub fn rewrite_expr(sql: &str, scope: &Scope, table: Option<&str>) -> Result<Rewritten, RewriteError> {
    let expr = lex::parse_expr(sql)?;
    let mut rw = expr_rewriter(scope, table);
    let out = rw.expr(expr)?.expr.to_string();
    lex::check_pg(&out, PgCheck::Expr)?;
    Ok(Rewritten { sql: out, notes: rw.into_notes() })
}

/// Rewrite a column's DEFAULT expression: as [`rewrite_expr`], and a literal stored into
/// a boolean column becomes `true`/`false`.
pub fn rewrite_default(sql: &str, scope: &Scope, table: &str, column: &str) -> Result<Rewritten, RewriteError> {
    let expr = lex::parse_expr(sql)?;
    let mut rw = expr_rewriter(scope, Some(table));
    let (_, kind) = rw.target_column(table, column);
    let t = rw.expr(expr)?;
    let out = rw.store_into(kind, t).to_string();
    lex::check_pg(&out, PgCheck::Expr)?;
    Ok(Rewritten { sql: out, notes: rw.into_notes() })
}

/// Rewrite a query (a view body: the SELECT after `CREATE VIEW x AS`).
pub fn rewrite_query(sql: &str, scope: &Scope) -> Result<Rewritten, RewriteError> {
    let query = lex::parse_query(sql)?;
    let mut rw = Rewriter::new(scope);
    let (q, _) = rw.query(query)?;
    let out = q.to_string();
    lex::check_pg(&out, PgCheck::Statements)?;
    Ok(Rewritten { sql: out, notes: rw.into_notes() })
}

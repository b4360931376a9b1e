//! Constructors for the PostgreSQL AST nodes the rewriter emits.
//!
//! Takes plain Rust values (names, literals, sub-expressions); gives sqlparser AST nodes
//! that print as PostgreSQL. It must not look at the schema or at SQLite semantics: it
//! only spares the rest of the crate sqlparser's verbose struct literals. [`template`]
//! builds from a PostgreSQL snippet with `$0`, `$1`... holes, parenthesising what it
//! plugs in so operator precedence can never change.

use std::ops::ControlFlow;

use sqlparser::ast::{
    CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    Ident, ObjectName, Value, visit_expressions_mut,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use crate::error::{Result, RewriteError};

/// An identifier printed in double quotes, so PostgreSQL keeps its spelling.
pub(crate) fn qident(name: &str) -> Ident {
    Ident::with_quote('"', name)
}

pub(crate) fn number(n: &str) -> Expr {
    Expr::value(Value::Number(n.to_string(), false))
}

pub(crate) fn string(s: &str) -> Expr {
    Expr::value(Value::SingleQuotedString(s.to_string()))
}

pub(crate) fn boolean(b: bool) -> Expr {
    Expr::value(Value::Boolean(b))
}

/// A call of a PostgreSQL built-in, name printed bare (built-ins are lower case).
pub(crate) fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(call_fn(name, args))
}

pub(crate) fn call_fn(name: &str, args: Vec<Expr>) -> Function {
    Function {
        name: ObjectName::from(vec![Ident::new(name)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args.into_iter().map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e))).collect(),
            clauses: Vec::new(),
        }),
        within_group: Vec::new(),
        filter: None,
        null_treatment: None,
        over: None,
    }
}

pub(crate) fn cast(e: Expr, data_type: DataType) -> Expr {
    Expr::Cast { kind: CastKind::Cast, expr: Box::new(e), data_type, format: None }
}

/// Whether printing `e` inside a larger expression can never regroup it.
pub(crate) fn is_atomic(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::Value(_)
            | Expr::Function(_)
            | Expr::Nested(_)
            | Expr::Cast { kind: CastKind::Cast, .. }
            | Expr::Case { .. }
            | Expr::Subquery(_)
            | Expr::Exists { .. }
            | Expr::Tuple(_)
            | Expr::Substring { .. }
            | Expr::Trim { .. }
            | Expr::Ceil { .. }
            | Expr::Floor { .. }
            | Expr::Extract { .. }
    )
}

pub(crate) fn paren(e: Expr) -> Expr {
    if is_atomic(&e) { e } else { Expr::Nested(Box::new(e)) }
}

const HOLE: &str = "__sqlite2pg_hole_";

/// Build an expression from a PostgreSQL snippet whose `$N` holes take `args[N]`.
pub(crate) fn template(pg: &str, args: Vec<Expr>) -> Result<Expr> {
    let mut text = pg.to_string();
    for i in (0..args.len()).rev() {
        text = text.replace(&format!("${i}"), &format!("{HOLE}{i}"));
    }
    let bad = |message: String| RewriteError::InvalidOutput { sql: pg.to_string(), message };
    let mut expr = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| bad(e.to_string()))?;
    let mut slots: Vec<Option<Expr>> = args.into_iter().map(|a| Some(paren(a))).collect();
    let _ = visit_expressions_mut(&mut expr, |e| {
        if let Expr::Identifier(id) = e
            && let Some(n) = id.value.strip_prefix(HOLE)
            && let Ok(i) = n.parse::<usize>()
            && let Some(slot) = slots.get_mut(i)
            && let Some(arg) = slot.take()
        {
            *e = arg;
        }
        ControlFlow::<()>::Continue(())
    });
    if slots.iter().any(Option::is_some) {
        return Err(bad("a template argument was not used".to_string()));
    }
    Ok(expr)
}

pub(crate) fn number_one() -> Expr {
    number("1")
}

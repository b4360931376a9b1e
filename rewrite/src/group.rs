//! PostgreSQL's GROUP BY rule, checked on a rewritten SELECT.
//!
//! Takes a rewritten `SELECT ... GROUP BY` (with its ORDER BY) and the frames it was
//! rewritten in; gives an [`RewriteError::Unsupported`] naming the first column that
//! PostgreSQL would reject. SQLite lets a query with GROUP BY use "bare" columns, taking
//! them from an arbitrary row of each group; PostgreSQL only accepts, outside aggregate
//! calls, an expression equal to a GROUP BY item or a column of a table whose whole
//! primary key is grouped (functional dependency). Columns of views, CTEs and derived
//! tables have no key: they are accepted only when grouped themselves. It must not
//! rewrite anything, and must err on the side of refusing: a name it cannot place in
//! the query's own FROM is only accepted when it is certainly an outer reference.

use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArgumentClause, FunctionArguments, GroupByExpr, Ident, ObjectNamePart,
    OrderBy, OrderByKind, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, TableFactor, Value, Visit, Visitor,
    WindowType, visit_expressions,
};

use crate::error::{Result, RewriteError};
use crate::rewriter::{Frame, Relation};
use crate::scope::Scope;

/// PostgreSQL aggregate functions the rewriter can emit (an `OVER` makes them window
/// functions, whose arguments are evaluated after grouping).
const AGGREGATES: &[&str] = &[
    "count", "sum", "avg", "min", "max", "string_agg", "array_agg", "json_agg", "jsonb_agg", "json_object_agg",
    "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or", "stddev", "stddev_pop", "stddev_samp",
    "variance", "var_pop", "var_samp",
];

const REASON: &str =
    "SQLite takes a bare column from an arbitrary row of each group; PostgreSQL requires it in GROUP BY or an aggregate";

/// Check a rewritten SELECT against PostgreSQL's GROUP BY rule. `frames` ends with the
/// SELECT's own frame (its FROM relations and select-list aliases).
pub(crate) fn check(scope: &Scope, frames: &[Frame], s: &Select, order_by: Option<&OrderBy>) -> Result<()> {
    let GroupByExpr::Expressions(items, _) = &s.group_by else { return Ok(()) };
    if items.is_empty() {
        return Ok(());
    }
    let Some((frame, outer)) = frames.split_last() else { return Ok(()) };
    let g = Grouping::new(scope, frame, outer, items, &s.projection);
    for item in &s.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => g.expr(e)?,
            SelectItem::Wildcard(_) => {
                for (i, _) in g.relations() {
                    g.all_columns(i, "*")?;
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                let q = match name.0.last() {
                    Some(ObjectNamePart::Identifier(q)) => q,
                    _ => return Err(RewriteError::unsupported(format!("{name}.*"), REASON)),
                };
                match g.relation_by_qualifier(q) {
                    Some(i) => g.all_columns(i, &format!("{name}.*"))?,
                    None => return Err(RewriteError::unsupported(format!("{name}.*"), REASON)),
                }
            }
            _ => {}
        }
    }
    if let Some(h) = &s.having {
        g.expr(h)?;
    }
    if let Some(OrderByKind::Expressions(list)) = order_by.map(|o| &o.kind) {
        for o in list {
            // A select-list alias or position names an output column, checked above.
            let output = match strip(&o.expr) {
                Expr::Identifier(id) => g.alias(id).is_some() && !matches!(g.resolve(&o.expr), Some(Target::Column(..))),
                e => position(e).is_some(),
            };
            if !output {
                g.expr(&o.expr)?;
            }
        }
    }
    Ok(())
}

/// What a column reference in the rewritten SELECT refers to.
enum Target {
    /// A column of the SELECT's own relation number `.0`, by PostgreSQL name.
    Column(usize, String),
    /// A bare name that may belong to a relation whose columns are unknown.
    Unplaced,
}

struct Grouping<'a> {
    scope: &'a Scope,
    frame: &'a Frame,
    outer: &'a [Frame],
    /// GROUP BY items, aliases and positions replaced by what they name.
    items: Vec<&'a Expr>,
    /// Grouped columns: relation number and PostgreSQL column name.
    grouped: Vec<(usize, String)>,
}

impl<'a> Grouping<'a> {
    fn new(scope: &'a Scope, frame: &'a Frame, outer: &'a [Frame], group_by: &'a [Expr], projection: &'a [SelectItem]) -> Self {
        let mut g = Grouping { scope, frame, outer, items: Vec::new(), grouped: Vec::new() };
        for item in group_by {
            let e = strip(item);
            let named = match e {
                Expr::Identifier(id) if !matches!(g.resolve(e), Some(Target::Column(..))) => g.alias(id),
                _ => position(e).and_then(|n| match projection.get(n.checked_sub(1)?) {
                    Some(SelectItem::UnnamedExpr(x) | SelectItem::ExprWithAlias { expr: x, .. }) => Some(x),
                    _ => None,
                }),
            };
            let e = named.map(strip).unwrap_or(e);
            if let Some(Target::Column(i, c)) = g.resolve(e) {
                g.grouped.push((i, c));
            }
            g.items.push(e);
        }
        g
    }

    fn relations(&self) -> impl Iterator<Item = (usize, &'a Relation)> {
        self.frame.relations.iter().enumerate().filter(|(_, r)| !r.qualifier_only)
    }

    fn relation_by_qualifier(&self, q: &Ident) -> Option<usize> {
        self.frame.relations.iter().rposition(|r| r.qualifier == *q)
    }

    /// The expression of the select-list alias printed as `id`.
    fn alias(&self, id: &Ident) -> Option<&'a Expr> {
        self.frame.aliases.iter().find(|(_, printed, _, _)| printed == id).map(|(_, _, e, _)| e)
    }

    /// Where a column reference points; `None` for anything else and for outer
    /// references (constant within a group).
    fn resolve(&self, e: &Expr) -> Option<Target> {
        match e {
            Expr::Identifier(id) => {
                if let Some((i, c)) = self.relations().find_map(|(i, r)| {
                    r.columns.as_ref()?.iter().find(|c| c.pg == id.value).map(|c| (i, c.pg.clone()))
                }) {
                    return Some(Target::Column(i, c));
                }
                let outer_known = self.outer.iter().any(|f| {
                    f.relations.iter().any(|r| r.columns.as_ref().is_some_and(|cs| cs.iter().any(|c| c.pg == id.value)))
                });
                let unknown_here = self.relations().any(|(_, r)| r.columns.is_none());
                (unknown_here && !outer_known).then_some(Target::Unplaced)
            }
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] => self.relation_by_qualifier(q).map(|i| Target::Column(i, c.value.clone())),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether column `c` of relation `i` may appear outside an aggregate.
    fn column_ok(&self, i: usize, c: &str) -> bool {
        let grouped = |c: &str| self.grouped.iter().any(|(gi, gc)| *gi == i && gc == c);
        grouped(c) || self.frame.relations[i].primary_key.as_ref().is_some_and(|pk| pk.iter().all(|k| grouped(k)))
    }

    /// `t.*` (or part of `*`): every column of relation `i` must be allowed.
    fn all_columns(&self, i: usize, construct: &str) -> Result<()> {
        let r = &self.frame.relations[i];
        let pk_grouped = r.primary_key.as_ref().is_some_and(|pk| pk.iter().all(|k| self.column_ok(i, k)));
        if pk_grouped {
            return Ok(());
        }
        match &r.columns {
            Some(cols) => match cols.iter().find(|c| !self.column_ok(i, &c.pg)) {
                Some(c) => Err(RewriteError::unsupported(format!("{}.{} (in {construct})", r.qualifier, crate::build::qident(&c.pg)), REASON)),
                None => Ok(()),
            },
            None => Err(RewriteError::unsupported(construct, REASON)),
        }
    }

    fn column_ref(&self, e: &Expr) -> Result<()> {
        match self.resolve(e) {
            Some(Target::Column(i, c)) if !self.column_ok(i, &c) => Err(RewriteError::unsupported(e.to_string(), REASON)),
            Some(Target::Unplaced) => Err(RewriteError::unsupported(e.to_string(), REASON)),
            _ => Ok(()),
        }
    }

    /// An expression evaluated once per group.
    fn expr(&self, e: &Expr) -> Result<()> {
        let e = strip(e);
        if self.items.contains(&e) {
            return Ok(());
        }
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.column_ref(e),
            Expr::Value(_) => Ok(()),
            Expr::Function(f) => {
                let name = match f.name.0.last() {
                    Some(ObjectNamePart::Identifier(i)) => i.value.to_lowercase(),
                    _ => String::new(),
                };
                if f.over.is_none() && AGGREGATES.contains(&name.as_str()) {
                    return Ok(());
                }
                if let FunctionArguments::List(list) = &f.args {
                    for a in &list.args {
                        match a {
                            FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) | FunctionArg::Named { arg: FunctionArgExpr::Expr(x), .. } => {
                                self.expr(x)?
                            }
                            FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => {}
                            _ => return self.fallback(e),
                        }
                    }
                    for c in &list.clauses {
                        match c {
                            FunctionArgumentClause::OrderBy(obs) => {
                                for o in obs {
                                    self.expr(&o.expr)?;
                                }
                            }
                            _ => return self.fallback(e),
                        }
                    }
                } else if !matches!(f.args, FunctionArguments::None) {
                    return self.fallback(e);
                }
                if let Some(filter) = &f.filter {
                    self.expr(filter)?;
                }
                if let Some(WindowType::WindowSpec(spec)) = &f.over {
                    for p in &spec.partition_by {
                        self.expr(p)?;
                    }
                    for o in &spec.order_by {
                        self.expr(&o.expr)?;
                    }
                }
                Ok(())
            }
            Expr::BinaryOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
                self.expr(a)?;
                self.expr(b)
            }
            Expr::UnaryOp { expr: x, .. }
            | Expr::Cast { expr: x, format: None, .. }
            | Expr::IsNull(x)
            | Expr::IsNotNull(x)
            | Expr::IsTrue(x)
            | Expr::IsNotTrue(x)
            | Expr::IsFalse(x)
            | Expr::IsNotFalse(x)
            | Expr::Ceil { expr: x, .. }
            | Expr::Floor { expr: x, .. } => self.expr(x),
            Expr::InList { expr, list, .. } => {
                self.expr(expr)?;
                list.iter().try_for_each(|x| self.expr(x))
            }
            Expr::Tuple(list) => list.iter().try_for_each(|x| self.expr(x)),
            Expr::Between { expr, low, high, .. } => {
                self.expr(expr)?;
                self.expr(low)?;
                self.expr(high)
            }
            Expr::Like { expr, pattern, escape_char, .. }
            | Expr::ILike { expr, pattern, escape_char, .. }
            | Expr::SimilarTo { expr, pattern, escape_char, .. } => {
                self.expr(expr)?;
                self.expr(pattern)?;
                escape_char.as_deref().map_or(Ok(()), |x| self.expr(x))
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                if let Some(o) = operand {
                    self.expr(o)?;
                }
                for c in conditions {
                    self.expr(&c.condition)?;
                    self.expr(&c.result)?;
                }
                else_result.as_deref().map_or(Ok(()), |x| self.expr(x))
            }
            Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => self.subquery(q),
            Expr::InSubquery { expr, subquery, .. } => {
                self.expr(expr)?;
                self.subquery(subquery)
            }
            _ => self.fallback(e),
        }
    }

    /// An expression this walk does not take apart: every column reference in it must
    /// be allowed on its own.
    fn fallback(&self, e: &Expr) -> Result<()> {
        let r = visit_expressions(e, |x| match x {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => match self.column_ref(x) {
                Ok(()) => ControlFlow::Continue(()),
                Err(err) => ControlFlow::Break(err),
            },
            _ => ControlFlow::Continue(()),
        });
        match r {
            ControlFlow::Break(err) => Err(err),
            ControlFlow::Continue(()) => Ok(()),
        }
    }

    /// A subquery is evaluated per group too: its references to this SELECT's
    /// relations must be allowed. A qualified name is one unless its qualifier is
    /// defined in the subquery; a bare name is one when no table of the subquery has
    /// such a column and every table of the subquery has known columns.
    fn subquery(&self, q: &Query) -> Result<()> {
        struct Names<'s> {
            scope: &'s Scope,
            qualifiers: Vec<Ident>,
            columns: Vec<String>,
            opaque: bool,
        }
        impl Visitor for Names<'_> {
            type Break = ();
            fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
                match tf {
                    TableFactor::Table { name, alias, .. } => {
                        let last = match name.0.last() {
                            Some(ObjectNamePart::Identifier(i)) => Some(i),
                            _ => None,
                        };
                        match alias {
                            Some(a) => self.qualifiers.push(a.name.clone()),
                            None => self.qualifiers.extend(last.cloned()),
                        }
                        match last.and_then(|i| self.scope.table_by_pg_name(&i.value)).filter(|t| !t.columns.is_empty()) {
                            Some(t) => self.columns.extend(t.columns.iter().map(|(_, c)| c.pg_name.clone())),
                            None => self.opaque = true,
                        }
                    }
                    TableFactor::Derived { alias, .. } => {
                        self.qualifiers.extend(alias.as_ref().map(|a| a.name.clone()));
                        self.opaque = true;
                    }
                    _ => self.opaque = true,
                }
                ControlFlow::Continue(())
            }
        }
        let mut names = Names { scope: self.scope, qualifiers: Vec::new(), columns: Vec::new(), opaque: false };
        let _ = q.visit(&mut names);
        let outer = |x: &Expr| match x {
            Expr::CompoundIdentifier(parts) => parts.len() == 2 && !names.qualifiers.contains(&parts[0]),
            Expr::Identifier(id) => !names.opaque && !names.columns.contains(&id.value),
            _ => false,
        };
        let r = visit_expressions(q, |x| {
            if outer(x)
                && let Err(err) = self.column_ref(x)
            {
                return ControlFlow::Break(err);
            }
            ControlFlow::Continue(())
        });
        match r {
            ControlFlow::Break(err) => Err(err),
            ControlFlow::Continue(()) => Ok(()),
        }
    }
}

fn strip(mut e: &Expr) -> &Expr {
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// `GROUP BY 2` / `ORDER BY 2`: a select-list position.
fn position(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

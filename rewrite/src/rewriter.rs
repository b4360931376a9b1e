//! The AST walk: name resolution, expressions and queries.
//!
//! Takes a parsed SQLite [`Expr`] or [`Query`] and the [`Scope`]; gives the PostgreSQL
//! AST plus notes on what changed. Every node kind is handled explicitly: a node this
//! walk does not know is an [`RewriteError::Unsupported`] error, never passed through,
//! so nothing SQLite-specific can slip into the output unnoticed. It must not print SQL
//! nor look at SQL text: parsing and printing belong to the entry points.

use sqlparser::ast::{
    BinaryOperator, CaseWhen, Cte, DataType, Distinct, ExactNumberInfo, Expr, GroupByExpr, Ident, Join,
    JoinConstraint, JoinOperator, LimitClause, NamedWindowDefinition, NamedWindowExpr, ObjectName,
    ObjectNamePart, Offset, OffsetRows, OrderBy, OrderByExpr, OrderByKind, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, TableAlias, TableFactor, TableWithJoins, UnaryOperator, Value,
    Values, WindowFrameBound, WindowSpec, WindowType,
};

use crate::affinity::{classify, has_affinity};
use crate::build::{boolean, call, cast, paren, qident, string};
use crate::error::{Result, RewriteError};
use crate::scope::{ColumnKind, Scope};

/// An expression with what is known of its PostgreSQL type.
#[derive(Debug, Clone)]
pub(crate) struct Typed {
    pub(crate) expr: Expr,
    pub(crate) kind: Option<ColumnKind>,
}

impl Typed {
    pub(crate) fn new(expr: Expr, kind: Option<ColumnKind>) -> Self {
        Typed { expr, kind }
    }
    pub(crate) fn untyped(expr: Expr) -> Self {
        Typed { expr, kind: None }
    }
}

/// A column visible through a relation.
#[derive(Debug, Clone)]
pub(crate) struct Col {
    /// Lower-cased SQLite name.
    pub(crate) key: String,
    /// Name as PostgreSQL knows it.
    pub(crate) pg: String,
    pub(crate) kind: Option<ColumnKind>,
}

/// Something a name can be qualified with: a table, an alias, a CTE, `NEW`/`OLD`.
#[derive(Debug, Clone)]
pub(crate) struct Relation {
    pub(crate) key: String,
    pub(crate) qualifier: Ident,
    /// `None` when the columns are not known (an unregistered table, a `*` over one).
    pub(crate) columns: Option<Vec<Col>>,
    /// `NEW`/`OLD` in a trigger only answer qualified names.
    pub(crate) qualifier_only: bool,
    /// PostgreSQL names of the primary-key columns of a registered table; `None` for
    /// views, CTEs, derived tables and tables whose key is unknown.
    pub(crate) primary_key: Option<Vec<String>>,
}

impl Relation {
    fn column(&self, key: &str) -> Option<&Col> {
        self.columns.as_ref().and_then(|cols| cols.iter().find(|c| c.key == key))
    }
}

#[derive(Debug, Default)]
pub(crate) struct Frame {
    pub(crate) relations: Vec<Relation>,
    ctes: Vec<Relation>,
    /// Select-list aliases: lower-cased alias, printed alias, rewritten expression, and
    /// its kind when the SQLite expression has an affinity (a column or a CAST).
    pub(crate) aliases: Vec<(String, Ident, Expr, Option<ColumnKind>)>,
}

/// Whether a bare name may be a select-list alias, and how to print it if so.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AliasUse {
    /// Not visible (select list, FROM).
    None,
    /// Visible inside expressions: inlined, since PostgreSQL does not see aliases there.
    Inline,
}

/// State of one rewrite.
pub(crate) struct Rewriter<'a> {
    pub(crate) scope: &'a Scope,
    frames: Vec<Frame>,
    notes: Vec<String>,
    alias_use: AliasUse,
    /// Set while rewriting a trigger body, where `RAISE()` is meaningful.
    pub(crate) in_trigger: bool,
    placeholders: usize,
    /// Subqueries in FROM given an alias (PostgreSQL before 16 requires one; SQLite does not).
    derived_aliases: usize,
}

impl<'a> Rewriter<'a> {
    pub(crate) fn new(scope: &'a Scope) -> Self {
        Rewriter {
            scope,
            frames: vec![Frame::default()],
            notes: Vec::new(),
            alias_use: AliasUse::None,
            derived_aliases: 0,
            in_trigger: false,
            placeholders: 0,
        }
    }

    pub(crate) fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    pub(crate) fn into_notes(self) -> Vec<String> {
        self.notes
    }

    /// The relation for a registered (or unknown) table, printed under `alias` if any.
    pub(crate) fn table_relation(&self, sqlite_name: &str, alias: Option<&Ident>) -> Relation {
        let primary_key = self.scope.table(sqlite_name).and_then(|t| {
            let pk = t.primary_key.as_ref()?;
            pk.iter().map(|k| t.column(k).map(|c| c.pg_name.clone())).collect::<Option<Vec<_>>>()
        });
        let (pg, columns) = match self.scope.table(sqlite_name) {
            Some(t) => (
                t.pg_name.clone(),
                if t.columns.is_empty() {
                    None
                } else {
                    Some(
                        t.columns
                            .iter()
                            .map(|(k, c)| Col { key: k.clone(), pg: c.pg_name.clone(), kind: Some(c.kind) })
                            .collect(),
                    )
                },
            ),
            None => (sqlite_name.to_string(), None),
        };
        match alias {
            Some(a) => Relation { key: a.value.to_lowercase(), qualifier: qident(&a.value), columns, qualifier_only: false, primary_key },
            None => Relation { key: sqlite_name.to_lowercase(), qualifier: qident(&pg), columns, qualifier_only: false, primary_key },
        }
    }

    pub(crate) fn push_relation(&mut self, rel: Relation) {
        if let Some(f) = self.frames.last_mut() {
            f.relations.push(rel);
        }
    }

    pub(crate) fn push_frame(&mut self) {
        self.frames.push(Frame::default());
    }

    pub(crate) fn pop_frame(&mut self) {
        self.frames.pop();
    }

    /// The PostgreSQL name of a table, quoted; unknown tables keep their spelling.
    pub(crate) fn table_name(&mut self, name: &ObjectName) -> Result<(String, ObjectName)> {
        let sqlite = single_name(name)?;
        let pg = match self.scope.table(&sqlite) {
            Some(t) => t.pg_name.clone(),
            None => {
                self.note(format!("table {sqlite} is not in scope; kept as written"));
                sqlite.clone()
            }
        };
        Ok((sqlite, ObjectName::from(vec![qident(&pg)])))
    }

    /// A column of a known table, for INSERT column lists and UPDATE targets.
    pub(crate) fn target_column(&self, sqlite_table: &str, column: &str) -> (Ident, Option<ColumnKind>) {
        match self.scope.table(sqlite_table).and_then(|t| t.column(column)) {
            Some(c) => (qident(&c.pg_name), Some(c.kind)),
            None => (qident(column), None),
        }
    }

    // ---------------------------------------------------------------- names

    fn all_columns_known(&self) -> bool {
        self.frames.iter().all(|f| f.relations.iter().all(|r| r.columns.is_some()))
    }

    fn resolve_bare(&mut self, ident: &Ident) -> Result<Typed> {
        let key = ident.value.to_lowercase();
        for frame in self.frames.iter().rev() {
            for rel in frame.relations.iter().filter(|r| !r.qualifier_only) {
                if let Some(c) = rel.column(&key) {
                    return Ok(Typed::new(Expr::Identifier(qident(&c.pg)), c.kind));
                }
            }
        }
        if self.alias_use == AliasUse::Inline
            && let Some(frame) = self.frames.last()
            && let Some((_, _, e, kind)) = frame.aliases.iter().find(|(k, _, _, _)| *k == key)
        {
            let (e, kind) = (e.clone(), *kind);
            self.note(format!("alias {} inlined: PostgreSQL does not see select-list aliases there", ident.value));
            return Ok(Typed::new(paren(e), kind));
        }
        if is_rowid_name(&key) {
            // The innermost relation that answers bare names (SQLite resolves `rowid` there).
            let rel = self.frames.iter().rev().find_map(|f| f.relations.iter().rev().find(|r| !r.qualifier_only)).cloned();
            if let Some(rel) = rel {
                return self.rowid_of(&rel, &ident.value, None);
            }
        }
        if ident.quote_style == Some('"') && self.all_columns_known() {
            // SQLite's misfeature: a double-quoted word that names no column is a string.
            self.note(format!("\"{0}\" -> '{0}': SQLite read a double-quoted word naming no column as a string", ident.value));
            return Ok(Typed::new(string(&ident.value), Some(ColumnKind::Text)));
        }
        Ok(Typed::untyped(Expr::Identifier(qident(&ident.value))))
    }

    fn resolve_qualified(&mut self, qualifier: &Ident, column: &Ident) -> Result<Typed> {
        let key = qualifier.value.to_lowercase();
        let col_key = column.value.to_lowercase();
        for frame in self.frames.iter().rev() {
            if let Some(rel) = frame.relations.iter().rev().find(|r| r.key == key) {
                let (name, kind) = match rel.column(&col_key) {
                    Some(c) => (qident(&c.pg), c.kind),
                    None if is_rowid_name(&col_key) => {
                        let rel = rel.clone();
                        return self.rowid_of(&rel, &column.value, Some(&qualifier.value));
                    }
                    None => (qident(&column.value), None),
                };
                return Ok(Typed::new(Expr::CompoundIdentifier(vec![rel.qualifier.clone(), name]), kind));
            }
        }
        Ok(Typed::untyped(Expr::CompoundIdentifier(vec![qident(&qualifier.value), qident(&column.value)])))
    }

    /// SQLite's `rowid` (`oid`, `_rowid_`) of a relation that has no column of that name:
    /// PostgreSQL has no rowid, so it becomes the table's single-column primary key, which
    /// identifies the same row (and holds the same values when the key is the rowid's alias,
    /// `INTEGER PRIMARY KEY`). Without such a key it has no equivalent: an error, never a
    /// reference to a column that does not exist.
    fn rowid_of(&mut self, rel: &Relation, written: &str, qualifier: Option<&str>) -> Result<Typed> {
        let shown = qualifier.map(|q| format!("{q}.{written}")).unwrap_or_else(|| written.to_string());
        let key = match rel.primary_key.as_deref() {
            Some([key]) => key.clone(),
            _ => {
                return Err(RewriteError::unsupported(shown, "PostgreSQL has no rowid, and the table has no single-column primary key to stand for it"));
            }
        };
        let kind = rel.columns.as_ref().and_then(|cols| cols.iter().find(|c| c.pg == key)).and_then(|c| c.kind);
        self.note(format!("{shown} -> the primary key \"{key}\": PostgreSQL has no rowid"));
        let name = qident(&key);
        Ok(Typed::new(if qualifier.is_some() { Expr::CompoundIdentifier(vec![rel.qualifier.clone(), name]) } else { Expr::Identifier(name) }, kind))
    }

    fn find_relation(&self, key: &str) -> Option<&Relation> {
        self.frames.iter().rev().find_map(|f| f.relations.iter().rev().find(|r| r.key == key))
    }

    fn find_cte(&self, key: &str) -> Option<&Relation> {
        self.frames.iter().rev().find_map(|f| f.ctes.iter().find(|r| r.key == key))
    }

    // ---------------------------------------------------------------- expressions

    pub(crate) fn expr(&mut self, e: Expr) -> Result<Typed> {
        Ok(match e {
            Expr::Identifier(id) => self.resolve_bare(&id)?,
            Expr::CompoundIdentifier(parts) => match parts.as_slice() {
                [q, c] => self.resolve_qualified(q, c)?,
                [s, q, c] if is_main_schema(s) => self.resolve_qualified(q, c)?,
                _ => {
                    return Err(RewriteError::unsupported(
                        display_parts(&parts),
                        "only column and table.column names are supported (attached databases have no PostgreSQL equivalent)",
                    ));
                }
            },
            Expr::Value(v) => self.value(v.value)?,
            Expr::Nested(inner) => {
                let t = self.expr(*inner)?;
                Typed::new(Expr::Nested(Box::new(t.expr)), t.kind)
            }
            Expr::BinaryOp { left, op, right } => self.binary(*left, op, *right)?,
            Expr::UnaryOp { op, expr } => {
                let t = self.expr(*expr)?;
                match op {
                    UnaryOperator::Not => Typed::untyped(Expr::UnaryOp { op, expr: Box::new(t.expr) }),
                    UnaryOperator::Minus | UnaryOperator::Plus | UnaryOperator::BitwiseNot => {
                        // SQLite's unary plus is a no-op (it only drops affinity): kept.
                        if op != UnaryOperator::Plus && is_text(&t) {
                            return Err(arithmetic_on_text(format!("{op}{}", t.expr)));
                        }
                        let inner = self.numeric_operand(t);
                        Typed::untyped(Expr::UnaryOp { op, expr: Box::new(inner) })
                    }
                    other => return Err(RewriteError::unsupported(format!("unary operator {other}"), "not SQLite syntax")),
                }
            }
            Expr::IsNull(e) => Typed::untyped(Expr::IsNull(Box::new(self.expr(*e)?.expr))),
            Expr::IsNotNull(e) => Typed::untyped(Expr::IsNotNull(Box::new(self.expr(*e)?.expr))),
            Expr::IsTrue(e) => Typed::untyped(Expr::IsTrue(Box::new(self.truthy(*e)?))),
            Expr::IsNotTrue(e) => Typed::untyped(Expr::IsNotTrue(Box::new(self.truthy(*e)?))),
            Expr::IsFalse(e) => Typed::untyped(Expr::IsFalse(Box::new(self.truthy(*e)?))),
            Expr::IsNotFalse(e) => Typed::untyped(Expr::IsNotFalse(Box::new(self.truthy(*e)?))),
            Expr::IsNotDistinctFrom(a, b) => self.is_distinct(*a, *b, false)?,
            Expr::IsDistinctFrom(a, b) => self.is_distinct(*a, *b, true)?,
            Expr::InList { expr, list, negated } => {
                let ta = has_affinity(&expr);
                let t = self.expr(*expr)?;
                let mut out = Vec::with_capacity(list.len());
                let boolean_col = t.kind == Some(ColumnKind::Boolean);
                let mut all_bool_literals = boolean_col;
                let mut items = Vec::with_capacity(list.len());
                for item in list {
                    let ia = has_affinity(&item);
                    let it = self.expr(item)?;
                    if boolean_col {
                        match literal_truth(&it.expr) {
                            Some(b) => out.push(boolean(b)),
                            None => {
                                all_bool_literals = false;
                                out.push(it.expr)
                            }
                        }
                    } else {
                        let o = classify(ia, &it);
                        items.push((it, o));
                    }
                }
                let left = if boolean_col && !all_bool_literals {
                    return Err(RewriteError::unsupported(
                        format!("{} IN (...)", t.expr),
                        "a boolean column compared with values other than 0/1",
                    ));
                } else if boolean_col {
                    t.expr
                } else {
                    // SQLite compares `x IN (a, b)` as `x = +a OR x = +b`: x's affinity leads.
                    let o = classify(ta, &t);
                    let (left, items) = self.affinity((t, o), items);
                    out = items.into_iter().map(|i| i.expr).collect();
                    left.expr
                };
                Typed::untyped(Expr::InList { expr: Box::new(left), list: out, negated })
            }
            Expr::InSubquery { expr, subquery, negated } => {
                let t = self.expr(*expr)?;
                let q = self.subquery(*subquery)?;
                Typed::untyped(Expr::InSubquery { expr: Box::new(t.expr), subquery: Box::new(q), negated })
            }
            Expr::Between { expr, negated, low, high } => {
                let (ta, lowa, higha) = (has_affinity(&expr), has_affinity(&low), has_affinity(&high));
                let t = self.expr(*expr)?;
                let low = self.expr(*low)?;
                let high = self.expr(*high)?;
                // `x BETWEEN a AND b` compares as `x >= a AND x <= b`: x's affinity leads.
                let (o, lowo, higho) = (classify(ta, &t), classify(lowa, &low), classify(higha, &high));
                let (t, bounds) = self.affinity((t, o), vec![(low, lowo), (high, higho)]);
                let mut bounds = bounds.into_iter().map(|b| b.expr);
                let null = || Expr::value(Value::Null);
                let (low, high) = (bounds.next().unwrap_or_else(null), bounds.next().unwrap_or_else(null));
                let t = self.numeric_operand(t);
                Typed::untyped(Expr::Between { expr: Box::new(t), negated, low: Box::new(low), high: Box::new(high) })
            }
            Expr::Like { negated, any: false, expr, pattern, escape_char } => {
                self.note("LIKE -> ILIKE: SQLite's LIKE ignores ASCII case");
                let expr = self.expr(*expr)?.expr;
                let pattern = self.expr(*pattern)?.expr;
                let escape_char = match escape_char {
                    Some(e) => Some(Box::new(self.expr(*e)?.expr)),
                    None => None,
                };
                Typed::untyped(Expr::ILike { negated, any: false, expr: Box::new(expr), pattern: Box::new(pattern), escape_char })
            }
            // `GLOB` arrives as `SIMILAR TO` (see `lex`).
            Expr::SimilarTo { negated, expr, pattern, escape_char: None } => {
                let expr = self.expr(*expr)?.expr;
                let pattern = self.expr(*pattern)?.expr;
                crate::functions::glob(self, expr, pattern, negated)?
            }
            Expr::RLike { negated, expr, pattern, regexp: true } => {
                self.note("REGEXP -> ~: PostgreSQL's POSIX regular expressions may differ from the REGEXP function the application registered");
                let expr = self.expr(*expr)?.expr;
                let pattern = self.expr(*pattern)?.expr;
                let op = if negated { BinaryOperator::PGRegexNotMatch } else { BinaryOperator::PGRegexMatch };
                Typed::untyped(Expr::BinaryOp { left: Box::new(paren(expr)), op, right: Box::new(paren(pattern)) })
            }
            Expr::Collate { expr, collation } => {
                let t = self.expr(*expr)?;
                let name = collation.to_string().trim_matches(['"', '`', '[', ']', '\'']).to_lowercase();
                if name == "binary" {
                    self.note("COLLATE BINARY dropped: PostgreSQL compares with the column's collation");
                    t
                } else {
                    return Err(RewriteError::unsupported(
                        format!("COLLATE {collation}"),
                        "no built-in PostgreSQL collation matches SQLite's NOCASE/RTRIM (consider citext or lower())",
                    ));
                }
            }
            Expr::Cast { kind, expr, data_type, format: None } => {
                let t = self.expr(*expr)?;
                let (ty, kind_out) = cast_type(&data_type)?;
                let _ = kind;
                let inner = if t.kind == Some(ColumnKind::Boolean) && kind_out != Some(ColumnKind::Boolean) {
                    cast(t.expr, DataType::Integer(None))
                } else {
                    t.expr
                };
                Typed::new(cast(inner, ty), kind_out)
            }
            Expr::Case { case_token, end_token, operand, conditions, else_result } => {
                let operand = match operand {
                    Some(o) => {
                        let a = has_affinity(&o);
                        let t = self.expr(*o)?;
                        let c = classify(a, &t);
                        Some((t, c))
                    }
                    None => None,
                };
                let boolean_operand = operand.as_ref().is_some_and(|(o, _)| o.kind == Some(ColumnKind::Boolean));
                let mut whens = Vec::with_capacity(conditions.len());
                let mut results = Vec::with_capacity(conditions.len());
                for CaseWhen { condition, result } in conditions {
                    let a = has_affinity(&condition);
                    let c = self.expr(condition)?;
                    let c = if boolean_operand {
                        match literal_truth(&c.expr) {
                            Some(b) => Typed::untyped(boolean(b)),
                            None => c,
                        }
                    } else {
                        c
                    };
                    let o = classify(a, &c);
                    whens.push((c, o));
                    results.push(self.expr(result)?.expr);
                }
                // `CASE x WHEN v` compares as `x = v`.
                let (operand, whens) = match operand {
                    Some(o) if !boolean_operand => {
                        let (o, whens) = self.affinity(o, whens);
                        (Some(o), whens)
                    }
                    o => (o.map(|(t, _)| t), whens.into_iter().map(|(t, _)| t).collect()),
                };
                let out: Vec<CaseWhen> =
                    whens.into_iter().zip(results).map(|(c, result)| CaseWhen { condition: c.expr, result }).collect();
                let else_result = match else_result {
                    Some(e) => Some(Box::new(self.expr(*e)?.expr)),
                    None => None,
                };
                Typed::untyped(Expr::Case {
                    case_token,
                    end_token,
                    operand: operand.map(|o: Typed| Box::new(o.expr)),
                    conditions: out,
                    else_result,
                })
            }
            Expr::Exists { subquery, negated } => {
                Typed::untyped(Expr::Exists { subquery: Box::new(self.subquery(*subquery)?), negated })
            }
            Expr::Subquery(q) => Typed::untyped(Expr::Subquery(Box::new(self.subquery(*q)?))),
            Expr::Tuple(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.expr(i)?.expr);
                }
                Typed::untyped(Expr::Tuple(out))
            }
            Expr::Function(f) => crate::functions::function(self, f)?,
            Expr::Substring { expr, substring_from, substring_for, special, shorthand } => {
                crate::functions::substring(self, *expr, substring_from, substring_for, special, shorthand)?
            }
            Expr::Trim { trim_where: None, trim_what: None, expr, trim_characters } => {
                let x = self.expr(*expr)?.expr;
                match trim_characters {
                    None => Typed::new(call("trim", vec![x]), Some(ColumnKind::Text)),
                    Some(chars) if chars.len() == 1 => {
                        let mut chars = chars;
                        let c = match chars.pop() {
                            Some(c) => self.expr(c)?.expr,
                            None => return Err(RewriteError::unsupported("trim()", "wrong number of arguments")),
                        };
                        self.note("trim(x, y) -> btrim(x, y)");
                        Typed::new(call("btrim", vec![x, c]), Some(ColumnKind::Text))
                    }
                    Some(_) => return Err(RewriteError::unsupported("trim()", "wrong number of arguments")),
                }
            }
            Expr::Ceil { expr, field } => Typed::untyped(Expr::Ceil { expr: Box::new(self.expr(*expr)?.expr), field }),
            Expr::Floor { expr, field } => Typed::untyped(Expr::Floor { expr: Box::new(self.expr(*expr)?.expr), field }),
            other => {
                return Err(RewriteError::unsupported(
                    format!("expression `{other}`"),
                    "not an SQLite construct this rewriter translates",
                ));
            }
        })
    }

    /// A boolean column used as a number: cast, since PostgreSQL has no boolean arithmetic
    /// and the cast keeps SQLite's 0/1 meaning.
    pub(crate) fn numeric_operand(&mut self, t: Typed) -> Expr {
        if t.kind == Some(ColumnKind::Boolean) {
            self.note(format!("boolean {} used as a number -> CAST(... AS INTEGER)", t.expr));
            cast(t.expr, DataType::Integer(None))
        } else {
            t.expr
        }
    }

    fn truthy(&mut self, e: Expr) -> Result<Expr> {
        Ok(self.expr(e)?.expr)
    }

    fn is_distinct(&mut self, a: Expr, b: Expr, distinct: bool) -> Result<Typed> {
        let (aa, ba) = (has_affinity(&a), has_affinity(&b));
        let a = self.expr(a)?;
        let b = self.expr(b)?;
        for (col, lit) in [(&a, &b), (&b, &a)] {
            if col.kind == Some(ColumnKind::Boolean)
                && let Some(truth) = literal_truth(&lit.expr)
            {
                let inner = Box::new(col.expr.clone());
                return Ok(Typed::untyped(match (truth, distinct) {
                    (true, false) => Expr::IsTrue(inner),
                    (false, false) => Expr::IsFalse(inner),
                    (true, true) => Expr::IsNotTrue(inner),
                    (false, true) => Expr::IsNotFalse(inner),
                }));
            }
        }
        self.note(if distinct { "IS NOT -> IS DISTINCT FROM" } else { "IS -> IS NOT DISTINCT FROM" });
        let (a, b) = self.compared(a, aa, b, ba);
        let (a, b) = self.comparable(a, b);
        Ok(Typed::untyped(if distinct {
            Expr::IsDistinctFrom(Box::new(a), Box::new(b))
        } else {
            Expr::IsNotDistinctFrom(Box::new(a), Box::new(b))
        }))
    }

    /// Operands of a binary comparison with SQLite's affinity conversions made explicit;
    /// `la`/`ra` say whether the SQLite source of each had an affinity.
    fn compared(&mut self, l: Typed, la: bool, r: Typed, ra: bool) -> (Typed, Typed) {
        let (lo, ro) = (classify(la, &l), classify(ra, &r));
        self.affinity_pair((l, lo), (r, ro))
    }

    /// Operands of a comparison: a boolean column against anything but another boolean
    /// becomes an integer, which is exactly what SQLite compared.
    fn comparable(&mut self, a: Typed, b: Typed) -> (Expr, Expr) {
        // A `timestamp` column holds SQLite's naive UTC text; an instant (CURRENT_TIMESTAMP,
        // datetime('now', ...)) compared with it is read at UTC, not in the session's zone.
        let (a, b) = match (a.kind, b.kind) {
            (Some(ColumnKind::Timestamp), Some(ColumnKind::TimestampTz)) => (a, self.at_utc(b)),
            (Some(ColumnKind::TimestampTz), Some(ColumnKind::Timestamp)) => (self.at_utc(a), b),
            _ => (a, b),
        };
        let a_bool = a.kind == Some(ColumnKind::Boolean);
        let b_bool = b.kind == Some(ColumnKind::Boolean);
        if a_bool == b_bool || is_boolean_literal(&a.expr) || is_boolean_literal(&b.expr) {
            return (a.expr, b.expr);
        }
        (self.numeric_operand(a), self.numeric_operand(b))
    }

    fn binary(&mut self, left: Expr, op: BinaryOperator, right: Expr) -> Result<Typed> {
        use BinaryOperator as B;
        let (la, ra) = (has_affinity(&left), has_affinity(&right));
        let l = self.expr(left)?;
        let r = self.expr(right)?;
        match op {
            B::Eq | B::NotEq => {
                for (col, lit) in [(&l, &r), (&r, &l)] {
                    if col.kind == Some(ColumnKind::Boolean)
                        && let Some(truth) = literal_truth(&lit.expr)
                    {
                        let positive = truth == (op == B::Eq);
                        let c = col.expr.clone();
                        return Ok(Typed::untyped(if positive {
                            c
                        } else {
                            Expr::UnaryOp { op: UnaryOperator::Not, expr: Box::new(c) }
                        }));
                    }
                }
                let (l, r) = self.compared(l, la, r, ra);
                let (a, b) = self.comparable(l, r);
                Ok(Typed::untyped(Expr::BinaryOp { left: Box::new(a), op, right: Box::new(b) }))
            }
            B::Lt | B::LtEq | B::Gt | B::GtEq => {
                let (l, r) = self.compared(l, la, r, ra);
                let (a, b) = self.comparable(l, r);
                Ok(Typed::untyped(Expr::BinaryOp { left: Box::new(a), op, right: Box::new(b) }))
            }
            B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo | B::BitwiseAnd | B::BitwiseOr
            | B::PGBitwiseShiftLeft | B::PGBitwiseShiftRight => {
                if is_text(&l) || is_text(&r) {
                    return Err(arithmetic_on_text(format!("{} {op} {}", l.expr, r.expr)));
                }
                let a = self.numeric_operand(l);
                let b = self.numeric_operand(r);
                Ok(Typed::untyped(Expr::BinaryOp { left: Box::new(a), op, right: Box::new(b) }))
            }
            B::StringConcat => {
                let a = self.numeric_operand(l);
                let b = self.numeric_operand(r);
                Ok(Typed::new(Expr::BinaryOp { left: Box::new(a), op, right: Box::new(b) }, Some(ColumnKind::Text)))
            }
            B::And | B::Or => Ok(Typed::untyped(Expr::BinaryOp { left: Box::new(l.expr), op, right: Box::new(r.expr) })),
            B::Arrow | B::LongArrow => crate::functions::json_operator(self, l, op == B::LongArrow, r),
            B::Regexp => {
                self.note("REGEXP -> ~: PostgreSQL's POSIX regular expressions may differ from the REGEXP function the application registered");
                Ok(Typed::untyped(Expr::BinaryOp { left: Box::new(paren(l.expr)), op: B::PGRegexMatch, right: Box::new(paren(r.expr)) }))
            }
            B::Match => Err(RewriteError::unsupported("MATCH", "full-text search (FTS) has no direct PostgreSQL translation")),
            other => Err(RewriteError::unsupported(format!("operator {other}"), "not an SQLite operator this rewriter translates")),
        }
    }

    fn value(&mut self, v: Value) -> Result<Typed> {
        Ok(match v {
            Value::Number(n, long) => Typed::untyped(Expr::value(Value::Number(n, long))),
            Value::SingleQuotedString(s) => Typed::new(string(&s), Some(ColumnKind::Text)),
            Value::Boolean(b) => Typed::untyped(boolean(b)),
            Value::Null => Typed::untyped(Expr::value(Value::Null)),
            Value::HexStringLiteral(h) => {
                Typed::new(cast(string(&format!("\\x{h}")), DataType::Bytea), Some(ColumnKind::Bytes))
            }
            Value::Placeholder(p) => {
                if p == "?" {
                    self.placeholders += 1;
                    Typed::untyped(Expr::value(Value::Placeholder(format!("${}", self.placeholders))))
                } else if let Some(n) = p.strip_prefix('?').filter(|n| n.chars().all(|c| c.is_ascii_digit())) {
                    Typed::untyped(Expr::value(Value::Placeholder(format!("${n}"))))
                } else {
                    return Err(RewriteError::unsupported(
                        format!("parameter {p}"),
                        "PostgreSQL has only positional $N parameters",
                    ));
                }
            }
            other => return Err(RewriteError::unsupported(format!("literal {other}"), "not an SQLite literal")),
        })
    }

    /// An instant as its UTC wall time (`timestamp`), as SQLite's date functions give it.
    fn at_utc(&mut self, t: Typed) -> Typed {
        self.note("an instant compared with a timestamp column -> its UTC time (AT TIME ZONE 'UTC'): SQLite's times are UTC");
        Typed::new(paren(Expr::AtTimeZone { timestamp: Box::new(t.expr), time_zone: Box::new(string("UTC")) }), Some(ColumnKind::Timestamp))
    }

    /// Coerce a value stored into a column of `kind` (INSERT values, UPDATE SET).
    pub(crate) fn store_into(&mut self, kind: Option<ColumnKind>, t: Typed) -> Expr {
        // An instant stored into a `timestamp` column (SQLite's CURRENT_TIMESTAMP and
        // datetime('now') wrote naive UTC): its UTC wall time, whatever the session's zone.
        if kind == Some(ColumnKind::Timestamp) && t.kind == Some(ColumnKind::TimestampTz) {
            self.note("a timestamptz stored into a timestamp column -> its UTC time (AT TIME ZONE 'UTC'): SQLite stored UTC");
            return paren(Expr::AtTimeZone { timestamp: Box::new(t.expr), time_zone: Box::new(string("UTC")) });
        }
        // `strftime(fmt, 'now')` (a text in SQLite) stored into a column that is now a date or
        // a timestamp: the instant itself, not to_char's text (SQLite's now is UTC).
        if t.kind == Some(ColumnKind::Text) && t.expr.to_string().trim_start_matches('(').starts_with("to_char(CURRENT_TIMESTAMP, ") {
            let now = match kind {
                Some(ColumnKind::TimestampTz) => Some("CURRENT_TIMESTAMP"),
                Some(ColumnKind::Timestamp) => Some("timezone('UTC', now())"),
                Some(ColumnKind::Date) => Some("CAST(timezone('UTC', now()) AS DATE)"),
                _ => None,
            };
            if let Some(now) = now.and_then(|n| crate::build::template(n, vec![]).ok()) {
                self.note("strftime(format, 'now') stored into a date/time column -> the current time itself");
                return now;
            }
        }
        // A numeric (numeric(10,2) keeps its scale: 12.50) stored into a text column: the text
        // SQLite stored, whose NUMERIC affinity had made it 12.5 (or the integer 12).
        if kind == Some(ColumnKind::Text) && t.kind == Some(ColumnKind::Numeric) {
            self.note("a numeric stored into a text column -> CAST(trim_scale(...) AS TEXT): SQLite wrote the number without trailing zeros");
            return cast(crate::build::call("trim_scale", vec![t.expr]), DataType::Text);
        }
        if kind == Some(ColumnKind::Boolean) && t.kind != Some(ColumnKind::Boolean) {
            if let Some(b) = literal_truth(&t.expr) {
                return boolean(b);
            }
            if !matches!(&t.expr, Expr::Value(v) if v.value == Value::Null) && !is_boolean_literal(&t.expr) {
                self.note(format!("{} stored into a boolean column -> CAST(... AS BOOLEAN)", t.expr));
                return cast(paren(t.expr), DataType::Boolean);
            }
        }
        t.expr
    }

    // ---------------------------------------------------------------- queries

    /// A query nested in an expression or FROM: its own frame, outer names visible.
    pub(crate) fn subquery(&mut self, q: Query) -> Result<Query> {
        let saved = self.alias_use;
        self.alias_use = AliasUse::None;
        let out = self.query(q).map(|(q, _)| q);
        self.alias_use = saved;
        out
    }

    pub(crate) fn query(&mut self, q: Query) -> Result<(Query, Option<Vec<Col>>)> {
        let Query { with, body, order_by, limit_clause, fetch, locks, for_clause, settings, format_clause, pipe_operators } = q;
        if fetch.is_some() || !locks.is_empty() || for_clause.is_some() || settings.is_some() || format_clause.is_some() || !pipe_operators.is_empty() {
            return Err(RewriteError::unsupported("query clause", "not SQLite syntax"));
        }
        self.push_frame();
        let result = self.query_inner(with, *body, order_by, limit_clause);
        self.pop_frame();
        let (with, body, order_by, limit_clause, cols) = result?;
        Ok((
            Query {
                with,
                body: Box::new(body),
                order_by,
                limit_clause,
                fetch: None,
                locks: Vec::new(),
                for_clause: None,
                settings: None,
                format_clause: None,
                pipe_operators: Vec::new(),
            },
            cols,
        ))
    }

    #[allow(clippy::type_complexity)]
    fn query_inner(
        &mut self,
        with: Option<sqlparser::ast::With>,
        body: SetExpr,
        order_by: Option<OrderBy>,
        limit_clause: Option<LimitClause>,
    ) -> Result<(Option<sqlparser::ast::With>, SetExpr, Option<OrderBy>, Option<LimitClause>, Option<Vec<Col>>)> {
        let with = match with {
            Some(mut w) => {
                let mut ctes = Vec::with_capacity(w.cte_tables.len());
                for cte in w.cte_tables {
                    ctes.push(self.cte(cte, w.recursive)?);
                }
                w.cte_tables = ctes;
                Some(w)
            }
            None => None,
        };
        let (body, order_by, cols) = match body {
            SetExpr::Select(s) => {
                let (s, order_by, cols) = self.select(*s, order_by)?;
                (SetExpr::Select(Box::new(s)), order_by, cols)
            }
            other => {
                let (body, cols) = self.set_expr(other)?;
                // ORDER BY of a compound select names its output columns.
                let rel = Relation { key: String::new(), qualifier: Ident::new(""), columns: cols.clone(), qualifier_only: false, primary_key: None };
                self.push_frame();
                self.push_relation(rel);
                let order_by = self.order_by(order_by);
                self.pop_frame();
                (body, order_by?, cols)
            }
        };
        let limit_clause = match limit_clause {
            None => None,
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
                self.note("LIMIT a, b -> LIMIT b OFFSET a");
                self.limit(Some(limit), Some(Offset { value: offset, rows: OffsetRows::None }))?
            }
            Some(LimitClause::LimitOffset { limit, offset, limit_by }) if limit_by.is_empty() => self.limit(limit, offset)?,
            Some(_) => return Err(RewriteError::unsupported("LIMIT BY", "not SQLite syntax")),
        };
        Ok((with, body, order_by, limit_clause, cols))
    }

    fn limit(&mut self, limit: Option<Expr>, offset: Option<Offset>) -> Result<Option<LimitClause>> {
        let limit = match limit {
            Some(l) if literal_int(&l).is_some_and(|n| n < 0) => {
                self.note("negative LIMIT (no limit) dropped");
                None
            }
            Some(l) => Some(self.expr(l)?.expr),
            None => None,
        };
        let offset = match offset {
            Some(o) => Some(Offset { value: self.expr(o.value)?.expr, rows: OffsetRows::None }),
            None => None,
        };
        Ok(if limit.is_none() && offset.is_none() {
            None
        } else {
            Some(LimitClause::LimitOffset { limit, offset, limit_by: Vec::new() })
        })
    }

    fn cte(&mut self, cte: Cte, recursive: bool) -> Result<Cte> {
        let Cte { mut alias, query, from, materialized, closing_paren_token } = cte;
        let key = alias.name.value.to_lowercase();
        let declared: Option<Vec<Col>> = if alias.columns.is_empty() {
            None
        } else {
            Some(alias.columns.iter().map(|c| Col { key: c.name.value.to_lowercase(), pg: c.name.value.clone(), kind: None }).collect())
        };
        let qualifier = qident(&alias.name.value);
        if recursive {
            // A recursive CTE sees itself; its columns are those declared, if any.
            let rel = Relation { key: key.clone(), qualifier: qualifier.clone(), columns: declared.clone(), qualifier_only: false, primary_key: None };
            if let Some(f) = self.frames.last_mut() {
                f.ctes.push(rel);
            }
        }
        let (query, cols) = self.query(*query)?;
        let columns = with_kinds(declared, cols);
        if let Some(f) = self.frames.last_mut() {
            f.ctes.retain(|r| r.key != key);
            f.ctes.push(Relation { key, qualifier: qualifier.clone(), columns, qualifier_only: false, primary_key: None });
        }
        alias.name = qualifier;
        for c in &mut alias.columns {
            c.name = qident(&c.name.value);
        }
        Ok(Cte { alias, query: Box::new(query), from, materialized, closing_paren_token })
    }

    fn set_expr(&mut self, s: SetExpr) -> Result<(SetExpr, Option<Vec<Col>>)> {
        match s {
            SetExpr::Select(sel) => {
                self.push_frame();
                let r = self.select(*sel, None);
                self.pop_frame();
                let (sel, _, cols) = r?;
                Ok((SetExpr::Select(Box::new(sel)), cols))
            }
            SetExpr::Query(q) => {
                let (q, cols) = self.query(*q)?;
                Ok((SetExpr::Query(Box::new(q)), cols))
            }
            SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let (left, cols) = self.set_expr(*left)?;
                let (right, _) = self.set_expr(*right)?;
                Ok((SetExpr::SetOperation { left: Box::new(left), op, set_quantifier, right: Box::new(right) }, cols))
            }
            SetExpr::Values(v) => Ok((SetExpr::Values(self.values(v, &[])?), None)),
            _ => Err(RewriteError::unsupported("statement used as a query", "not SQLite syntax")),
        }
    }

    pub(crate) fn values(&mut self, mut v: Values, targets: &[Option<ColumnKind>]) -> Result<Values> {
        for row in &mut v.rows {
            let items = std::mem::take(&mut row.content);
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let t = self.expr(item)?;
                out.push(self.store_into(targets.get(i).copied().flatten(), t));
            }
            row.content = out;
        }
        Ok(v)
    }

    /// Rewrite a SELECT in the current (fresh) frame; ORDER BY is rewritten here because
    /// it sees the FROM tables and select-list aliases.
    pub(crate) fn select(&mut self, s: Select, order_by: Option<OrderBy>) -> Result<(Select, Option<OrderBy>, Option<Vec<Col>>)> {
        let mut s = s;
        if s.top.is_some() || s.into.is_some() || s.prewhere.is_some() || s.qualify.is_some() || !s.lateral_views.is_empty()
            || !s.connect_by.is_empty() || !s.cluster_by.is_empty() || !s.distribute_by.is_empty() || !s.sort_by.is_empty()
        {
            return Err(RewriteError::unsupported("SELECT clause", "not SQLite syntax"));
        }
        let from = std::mem::take(&mut s.from);
        let mut new_from = Vec::with_capacity(from.len());
        for twj in from {
            new_from.push(self.table_with_joins(twj)?);
        }
        s.from = new_from;

        if let Some(Distinct::On(_)) = s.distinct {
            return Err(RewriteError::unsupported("DISTINCT ON", "not SQLite syntax"));
        }

        let projection = std::mem::take(&mut s.projection);
        let mut out = Vec::with_capacity(projection.len());
        let mut cols: Option<Vec<Col>> = Some(Vec::new());
        for item in projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let name = output_name(&e);
                    let t = self.expr(e)?;
                    if let (Some(cs), Some(name)) = (cols.as_mut(), name) {
                        let pg = match &t.expr {
                            Expr::Identifier(i) => i.value.clone(),
                            Expr::CompoundIdentifier(p) => p.last().map(|i| i.value.clone()).unwrap_or(name.clone()),
                            _ => name.clone(),
                        };
                        cs.push(Col { key: name.to_lowercase(), pg, kind: t.kind });
                    }
                    out.push(SelectItem::UnnamedExpr(t.expr));
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let affinity = has_affinity(&expr);
                    let t = self.expr(expr)?;
                    let printed = qident(&alias.value);
                    if let Some(cs) = cols.as_mut() {
                        cs.push(Col { key: alias.value.to_lowercase(), pg: alias.value.clone(), kind: t.kind });
                    }
                    if let Some(f) = self.frames.last_mut() {
                        let kind = if affinity { t.kind } else { None };
                        f.aliases.push((alias.value.to_lowercase(), printed.clone(), t.expr.clone(), kind));
                    }
                    out.push(SelectItem::ExprWithAlias { expr: t.expr, alias: printed });
                }
                SelectItem::Wildcard(opts) => {
                    let rels: Vec<Relation> = self.frames.last().map(|f| f.relations.clone()).unwrap_or_default();
                    for r in rels.iter().filter(|r| !r.qualifier_only) {
                        extend_cols(&mut cols, r.columns.as_ref());
                    }
                    out.push(SelectItem::Wildcard(opts));
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), opts) => {
                    let q = single_name(&name)?;
                    let (qualifier, rel_cols) = match self.find_relation(&q.to_lowercase()) {
                        Some(r) => (r.qualifier.clone(), r.columns.clone()),
                        None => (qident(&q), None),
                    };
                    extend_cols(&mut cols, rel_cols.as_ref());
                    out.push(SelectItem::QualifiedWildcard(
                        SelectItemQualifiedWildcardKind::ObjectName(ObjectName::from(vec![qualifier])),
                        opts,
                    ));
                }
                _ => return Err(RewriteError::unsupported("select item", "not SQLite syntax")),
            }
        }
        s.projection = out;

        self.alias_use = AliasUse::Inline;
        let result = self.select_clauses(s, order_by);
        self.alias_use = AliasUse::None;
        let (s, order_by) = result?;
        crate::group::check(self.scope, &self.frames, &s, order_by.as_ref())?;
        Ok((s, order_by, cols))
    }

    fn select_clauses(&mut self, mut s: Select, order_by: Option<OrderBy>) -> Result<(Select, Option<OrderBy>)> {
        if let Some(w) = s.selection.take() {
            s.selection = Some(self.expr(w)?.expr);
        }
        s.group_by = match std::mem::replace(&mut s.group_by, GroupByExpr::Expressions(Vec::new(), Vec::new())) {
            GroupByExpr::Expressions(list, mods) if mods.is_empty() => {
                let mut out = Vec::with_capacity(list.len());
                for e in list {
                    out.push(self.output_ref(e)?);
                }
                GroupByExpr::Expressions(out, mods)
            }
            _ => return Err(RewriteError::unsupported("GROUP BY modifier", "not SQLite syntax")),
        };
        if let Some(h) = s.having.take() {
            s.having = Some(self.expr(h)?.expr);
        }
        let windows = std::mem::take(&mut s.named_window);
        for NamedWindowDefinition(name, def) in windows {
            let def = match def {
                NamedWindowExpr::NamedWindow(n) => NamedWindowExpr::NamedWindow(qident(&n.value)),
                NamedWindowExpr::WindowSpec(spec) => NamedWindowExpr::WindowSpec(self.window_spec(spec)?),
            };
            s.named_window.push(NamedWindowDefinition(qident(&name.value), def));
        }
        let order_by = self.order_by(order_by)?;
        Ok((s, order_by))
    }

    /// A GROUP BY / ORDER BY term: a bare select-list alias stays a name (PostgreSQL
    /// accepts output names there); anything else is an expression.
    fn output_ref(&mut self, e: Expr) -> Result<Expr> {
        if let Expr::Identifier(id) = &e {
            let key = id.value.to_lowercase();
            let is_column = self.frames.iter().any(|f| f.relations.iter().any(|r| !r.qualifier_only && r.column(&key).is_some()));
            if !is_column
                && let Some(frame) = self.frames.last()
                && let Some((_, printed, _, _)) = frame.aliases.iter().find(|(k, _, _, _)| *k == key)
            {
                return Ok(Expr::Identifier(printed.clone()));
            }
        }
        Ok(self.expr(e)?.expr)
    }

    fn order_by(&mut self, order_by: Option<OrderBy>) -> Result<Option<OrderBy>> {
        let Some(mut ob) = order_by else { return Ok(None) };
        ob.kind = match ob.kind {
            OrderByKind::Expressions(list) => {
                let mut out = Vec::with_capacity(list.len());
                for o in list {
                    out.push(self.order_by_expr(o, true)?);
                }
                OrderByKind::Expressions(out)
            }
            OrderByKind::All(_) => return Err(RewriteError::unsupported("ORDER BY ALL", "not SQLite syntax")),
        };
        Ok(Some(ob))
    }

    fn order_by_expr(&mut self, o: OrderByExpr, outputs: bool) -> Result<OrderByExpr> {
        let OrderByExpr { expr, options, with_fill } = o;
        let expr = if outputs { self.output_ref(expr)? } else { self.expr(expr)?.expr };
        let mut options = options;
        if options.nulls_first.is_none() {
            // SQLite puts NULLs first in ascending order, PostgreSQL last: say so explicitly.
            let desc = matches!(options.sort, Some(sqlparser::ast::OrderBySort::Desc));
            options.nulls_first = Some(!desc);
            self.note("ORDER BY without NULLS FIRST/LAST: made SQLite's NULL placement explicit");
        }
        Ok(OrderByExpr { expr, options, with_fill })
    }

    pub(crate) fn window_spec(&mut self, spec: WindowSpec) -> Result<WindowSpec> {
        let WindowSpec { window_name, partition_by, order_by, window_frame } = spec;
        let mut parts = Vec::with_capacity(partition_by.len());
        for e in partition_by {
            parts.push(self.expr(e)?.expr);
        }
        let mut obs = Vec::with_capacity(order_by.len());
        for o in order_by {
            obs.push(self.order_by_expr(o, false)?);
        }
        let window_frame = match window_frame {
            Some(mut f) => {
                f.start_bound = self.frame_bound(f.start_bound)?;
                f.end_bound = match f.end_bound {
                    Some(b) => Some(self.frame_bound(b)?),
                    None => None,
                };
                Some(f)
            }
            None => None,
        };
        Ok(WindowSpec { window_name: window_name.map(|n| qident(&n.value)), partition_by: parts, order_by: obs, window_frame })
    }

    fn frame_bound(&mut self, b: WindowFrameBound) -> Result<WindowFrameBound> {
        Ok(match b {
            WindowFrameBound::Preceding(Some(e)) => WindowFrameBound::Preceding(Some(Box::new(self.expr(*e)?.expr))),
            WindowFrameBound::Following(Some(e)) => WindowFrameBound::Following(Some(Box::new(self.expr(*e)?.expr))),
            other => other,
        })
    }

    pub(crate) fn window_type(&mut self, w: WindowType) -> Result<WindowType> {
        Ok(match w {
            WindowType::WindowSpec(spec) => WindowType::WindowSpec(self.window_spec(spec)?),
            WindowType::NamedWindow(n) => WindowType::NamedWindow(qident(&n.value)),
        })
    }

    pub(crate) fn table_with_joins(&mut self, twj: TableWithJoins) -> Result<TableWithJoins> {
        let relation = self.table_factor(twj.relation)?;
        let mut joins = Vec::with_capacity(twj.joins.len());
        for j in twj.joins {
            let relation = self.table_factor(j.relation)?;
            let join_operator = match j.join_operator {
                JoinOperator::Join(c) => JoinOperator::Join(self.join_constraint(c)?),
                JoinOperator::Inner(c) => JoinOperator::Inner(self.join_constraint(c)?),
                JoinOperator::Left(c) => JoinOperator::Left(self.join_constraint(c)?),
                JoinOperator::LeftOuter(c) => JoinOperator::LeftOuter(self.join_constraint(c)?),
                JoinOperator::Right(c) => JoinOperator::Right(self.join_constraint(c)?),
                JoinOperator::RightOuter(c) => JoinOperator::RightOuter(self.join_constraint(c)?),
                JoinOperator::FullOuter(c) => JoinOperator::FullOuter(self.join_constraint(c)?),
                JoinOperator::CrossJoin(c) => JoinOperator::CrossJoin(self.join_constraint(c)?),
                _ => return Err(RewriteError::unsupported("join kind", "not SQLite syntax")),
            };
            // SQLite takes a JOIN without ON (a cross join); PostgreSQL needs CROSS JOIN, or
            // ON true for an outer join.
            let join_operator = match join_operator {
                JoinOperator::Join(JoinConstraint::None) | JoinOperator::Inner(JoinConstraint::None) => JoinOperator::CrossJoin(JoinConstraint::None),
                JoinOperator::Left(JoinConstraint::None) => JoinOperator::Left(on_true()),
                JoinOperator::LeftOuter(JoinConstraint::None) => JoinOperator::LeftOuter(on_true()),
                JoinOperator::Right(JoinConstraint::None) => JoinOperator::Right(on_true()),
                JoinOperator::RightOuter(JoinConstraint::None) => JoinOperator::RightOuter(on_true()),
                JoinOperator::FullOuter(JoinConstraint::None) => JoinOperator::FullOuter(on_true()),
                other => other,
            };
            joins.push(Join { relation, global: j.global, join_operator });
        }
        Ok(TableWithJoins { relation, joins })
    }

    fn join_constraint(&mut self, c: JoinConstraint) -> Result<JoinConstraint> {
        Ok(match c {
            JoinConstraint::On(e) => JoinConstraint::On(self.expr(e)?.expr),
            JoinConstraint::Using(names) => {
                let mut out = Vec::with_capacity(names.len());
                for n in names {
                    let name = single_name(&n)?;
                    let key = name.to_lowercase();
                    let pg = self
                        .frames
                        .last()
                        .and_then(|f| f.relations.iter().find_map(|r| r.column(&key).map(|c| c.pg.clone())))
                        .unwrap_or(name);
                    out.push(ObjectName::from(vec![qident(&pg)]));
                }
                JoinConstraint::Using(out)
            }
            other => other,
        })
    }

    fn table_factor(&mut self, tf: TableFactor) -> Result<TableFactor> {
        match tf {
            TableFactor::Table { name, alias, args, with_hints, version, with_ordinality, partitions, json_path, sample, index_hints } => {
                if args.is_some() {
                    return Err(RewriteError::unsupported(
                        format!("table-valued function {name}"),
                        "SQLite table-valued functions (json_each, json_tree, ...) have no direct translation",
                    ));
                }
                let sqlite = single_name(&name)?;
                let alias = alias.map(fix_alias);
                let alias_ident = alias.as_ref().map(|a| a.name.clone());
                let (rel, printed) = match self.find_cte(&sqlite.to_lowercase()).cloned() {
                    Some(cte) => {
                        let printed = cte.qualifier.clone();
                        let rel = match &alias_ident {
                            Some(a) => Relation { key: a.value.to_lowercase(), qualifier: a.clone(), ..cte },
                            None => cte,
                        };
                        (rel, ObjectName::from(vec![printed]))
                    }
                    None => {
                        let (_, printed) = self.table_name(&name)?;
                        (self.table_relation(&sqlite, alias_ident.as_ref()), printed)
                    }
                };
                self.push_relation(rel);
                Ok(TableFactor::Table { name: printed, alias, args: None, with_hints, version, with_ordinality, partitions, json_path, sample, index_hints })
            }
            TableFactor::Derived { lateral, subquery, alias, sample } => {
                let saved = self.alias_use;
                self.alias_use = AliasUse::None;
                let r = self.query(*subquery);
                self.alias_use = saved;
                let (q, cols) = r?;
                // PostgreSQL before 16 requires an alias on a subquery in FROM.
                let alias = alias.map(fix_alias).or_else(|| {
                    self.derived_aliases += 1;
                    Some(TableAlias { explicit: true, name: qident(&format!("subquery_{}", self.derived_aliases)), columns: Vec::new(), at: None })
                });
                if let Some(a) = &alias {
                    let columns = if a.columns.is_empty() {
                        cols
                    } else {
                        let declared = a.columns.iter().map(|c| Col { key: c.name.value.to_lowercase(), pg: c.name.value.clone(), kind: None }).collect();
                        with_kinds(Some(declared), cols)
                    };
                    self.push_relation(Relation { key: a.name.value.to_lowercase(), qualifier: a.name.clone(), columns, qualifier_only: false, primary_key: None });
                }
                Ok(TableFactor::Derived { lateral, subquery: Box::new(q), alias, sample })
            }
            TableFactor::NestedJoin { table_with_joins, alias } => {
                let twj = self.table_with_joins(*table_with_joins)?;
                Ok(TableFactor::NestedJoin { table_with_joins: Box::new(twj), alias: alias.map(fix_alias) })
            }
            other => Err(RewriteError::unsupported(format!("FROM item {other}"), "not SQLite syntax")),
        }
    }
}

/// Columns named in a column list (`WITH c(a, b)`, `AS x(a, b)`) take the kinds of the
/// query's columns by position, when the query's columns are known and as many.
fn with_kinds(declared: Option<Vec<Col>>, cols: Option<Vec<Col>>) -> Option<Vec<Col>> {
    match (declared, cols) {
        (Some(mut d), Some(c)) if d.len() == c.len() => {
            for (d, c) in d.iter_mut().zip(c) {
                d.kind = c.kind;
            }
            Some(d)
        }
        (Some(d), _) => Some(d),
        (None, c) => c,
    }
}

fn extend_cols(cols: &mut Option<Vec<Col>>, more: Option<&Vec<Col>>) {
    match (cols.as_mut(), more) {
        (Some(cs), Some(m)) => cs.extend(m.iter().cloned()),
        _ => *cols = None,
    }
}

/// `ON true`: an outer join SQLite wrote without a condition.
fn on_true() -> JoinConstraint {
    JoinConstraint::On(Expr::Value(Value::Boolean(true).into()))
}

fn fix_alias(mut a: TableAlias) -> TableAlias {
    a.explicit = true;
    a.name = qident(&a.name.value);
    for c in &mut a.columns {
        c.name = qident(&c.name.value);
    }
    a
}

/// The name SQLite gives an unaliased result column that is a plain column reference.
fn output_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.clone()),
        Expr::CompoundIdentifier(p) => p.last().map(|i| i.value.clone()),
        _ => None,
    }
}

fn is_main_schema(i: &Ident) -> bool {
    matches!(i.value.to_lowercase().as_str(), "main" | "temp")
}

fn display_parts(parts: &[Ident]) -> String {
    parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".")
}

/// The one table name in `name`, dropping SQLite's `main.`/`temp.` schema.
pub(crate) fn single_name(name: &ObjectName) -> Result<String> {
    let idents: Vec<&Ident> = name
        .0
        .iter()
        .filter_map(|p| match p {
            ObjectNamePart::Identifier(i) => Some(i),
            ObjectNamePart::Function(_) => None,
        })
        .collect();
    match idents.as_slice() {
        [one] if name.0.len() == 1 => Ok(one.value.clone()),
        [schema, one] if name.0.len() == 2 && is_main_schema(schema) => Ok(one.value.clone()),
        _ => Err(RewriteError::unsupported(
            format!("name {name}"),
            "names in attached databases have no PostgreSQL equivalent",
        )),
    }
}

/// Functions whose PostgreSQL result is text, as the rewriter emits them.
const TEXT_FUNCTIONS: &[&str] =
    &["lower", "upper", "ltrim", "rtrim", "btrim", "trim", "replace", "substr", "concat", "format", "string_agg"];

/// Whether a rewritten operand is known to be text: a text column, a string literal,
/// a `CAST(... AS TEXT)`, a `||` or a text function's result.
fn is_text(t: &Typed) -> bool {
    if t.kind == Some(ColumnKind::Text) {
        return true;
    }
    let mut e = &t.expr;
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    matches!(e, Expr::Function(f) if function_base_name(f).is_some_and(|n| TEXT_FUNCTIONS.contains(&n.as_str())))
}

/// The lower-cased unqualified name of a function call.
fn function_base_name(f: &sqlparser::ast::Function) -> Option<String> {
    match f.name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => Some(i.value.to_lowercase()),
        _ => None,
    }
}

fn arithmetic_on_text(construct: String) -> RewriteError {
    RewriteError::unsupported(
        construct,
        "arithmetic on text: SQLite converts the text to a number (usually 0); PostgreSQL has no such conversion \
         — rewrite the view by hand (string concatenation is ||)",
    )
}

/// A literal integer, negative ones included.
pub(crate) fn literal_int(e: &Expr) -> Option<i64> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse().ok(),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => literal_int(expr).map(|n| -n),
        Expr::Nested(inner) => literal_int(inner),
        _ => None,
    }
}

/// The truth value of a literal SQLite uses for a boolean: 0, 1, '0', '1', TRUE, FALSE.
pub(crate) fn literal_truth(e: &Expr) -> Option<bool> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) if n == "0" => Some(false),
            Value::Number(n, _) if n == "1" => Some(true),
            Value::SingleQuotedString(s) if s == "0" => Some(false),
            Value::SingleQuotedString(s) if s == "1" => Some(true),
            Value::Boolean(b) => Some(*b),
            _ => None,
        },
        Expr::Nested(inner) => literal_truth(inner),
        _ => None,
    }
}

fn is_boolean_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::Boolean(_)))
}

/// PostgreSQL type for an SQLite CAST target, by SQLite's affinity rules.
fn cast_type(dt: &DataType) -> Result<(DataType, Option<ColumnKind>)> {
    let name = dt.to_string().to_uppercase();
    let base = name.split('(').next().unwrap_or("").trim().to_string();
    if base.contains("INT") {
        return Ok((DataType::BigInt(None), Some(ColumnKind::Integer)));
    }
    if base.contains("CHAR") || base.contains("CLOB") || base.contains("TEXT") {
        return Ok((DataType::Text, Some(ColumnKind::Text)));
    }
    if base.contains("BLOB") || base.is_empty() {
        return Ok((DataType::Bytea, Some(ColumnKind::Bytes)));
    }
    if base.contains("REAL") || base.contains("FLOA") || base.contains("DOUB") {
        return Ok((DataType::DoublePrecision, Some(ColumnKind::Real)));
    }
    if matches!(base.as_str(), "NUMERIC" | "DECIMAL") {
        return Ok((DataType::Numeric(ExactNumberInfo::None), Some(ColumnKind::Numeric)));
    }
    Err(RewriteError::unsupported(
        format!("CAST(... AS {name})"),
        "SQLite gives this type NUMERIC affinity, so the cast does not do what the name suggests; rewrite it explicitly",
    ))
}

/// SQLite's names for the rowid (a real column of that name takes precedence).
fn is_rowid_name(lowercase: &str) -> bool {
    matches!(lowercase, "rowid" | "oid" | "_rowid_")
}

//! SQLite triggers as PL/pgSQL trigger functions.
//!
//! Takes one `CREATE TRIGGER` statement; gives a [`PgTrigger`]: the `CREATE FUNCTION ...
//! LANGUAGE plpgsql` holding the translated body and the `CREATE TRIGGER` calling it.
//! Body statements (INSERT, UPDATE, DELETE, `SELECT RAISE(...)`) go through the same
//! [`Rewriter`] as expressions and views, with `NEW`/`OLD` bound to the trigger's table.
//! It must not emit a statement it could not translate, nor execute anything.
//!
//! Recursion. SQLite (recursive_triggers off, its default) does not fire a trigger while that
//! trigger's own program is running anywhere up the stack, but does fire it for writes made
//! by other triggers or foreign-key actions. PostgreSQL fires every trigger every time. A
//! trigger whose body writes (INSERT, UPDATE, DELETE), and so could re-enter itself directly
//! or through other triggers and foreign-key actions, gets a transaction-local flag of its
//! own, the custom setting `sqlite2pg.in_<trigger>` ([`guard_setting`]): the body sets it
//! `on` with `set_config(..., true)` first and `off` before every RETURN, and the trigger's
//! WHEN (in the body for INSTEAD OF, which takes no WHEN) skips it while it is `on`. An error
//! needs no clean-up: aborting the transaction, or rolling back to a savepoint or a PL/pgSQL
//! exception block (subtransactions), restores the setting too. A function-level
//! `SET name TO 'on'` would scope it without code, but PostgreSQL lets only superusers attach
//! an unregistered setting to a function.

use std::ops::ControlFlow;

use sqlparser::ast::{
    ConditionalStatements, CreateTrigger, Expr, FromTable, FunctionArg, FunctionArgExpr, FunctionArguments,
    OnConflict, OnConflictAction, OnInsert, SelectItem, SetExpr, SqliteOnConflict, Statement, TableObject,
    TriggerEvent, TriggerObject, TriggerObjectKind, TriggerPeriod, Value, visit_expressions,
};

use crate::build::qident;
use crate::error::{Result, RewriteError};
use crate::lex::{self, PgCheck};
use crate::rewriter::{Relation, Rewriter, literal_truth, single_name};
use crate::scope::{ColumnKind, Scope};

/// A SQLite trigger translated for PostgreSQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgTrigger {
    /// The PostgreSQL name of the table (or view) the trigger is on.
    pub table: String,
    /// `CREATE FUNCTION ... RETURNS trigger LANGUAGE plpgsql AS $$ ... $$;`
    pub function_sql: String,
    /// `CREATE TRIGGER ... EXECUTE FUNCTION ...();`
    pub trigger_sql: String,
    /// Human-readable notes on what changed.
    pub notes: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    Insert,
    Update,
    Delete,
}

struct Body {
    lines: Vec<String>,
    /// The recursion guard's setting, when the trigger has one: every RETURN clears it first.
    guard: Option<String>,
}

impl Body {
    fn push(&mut self, depth: usize, line: impl AsRef<str>) {
        self.lines.push(format!("{}{}", "  ".repeat(depth), line.as_ref()));
    }

    /// `RETURN value;`, clearing the guard first.
    fn push_return(&mut self, depth: usize, value: &str) {
        if let Some(g) = &self.guard {
            let line = guard_off(g);
            self.push(depth, line);
        }
        self.push(depth, format!("RETURN {value};"));
    }
}

/// The custom setting (`prefix.name`, as PostgreSQL requires of settings it does not know)
/// that is `on` while the trigger named `trigger_name` runs. SQLite trigger names are unique
/// per database and case-insensitive in ASCII; the name is lower-cased, and one that is not
/// made of ASCII letters, digits and `_` alone (PostgreSQL refuses other characters in a
/// setting name) or is long gets those characters replaced and a hash of the name appended,
/// so distinct triggers keep distinct settings. Plain text: it is only ever written inside
/// string literals.
pub fn guard_setting(trigger_name: &str) -> String {
    const MAX: usize = 63;
    let lower = trigger_name.to_ascii_lowercase();
    let safe: String = lower.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    let part = format!("in_{safe}");
    if safe == lower && part.len() <= MAX {
        return format!("sqlite2pg.{part}");
    }
    // FNV-1a: stable across builds and platforms (same plan, same bytes).
    let hash = lower.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    let keep: String = part.chars().take(MAX - 9).collect();
    format!("sqlite2pg.{keep}_{hash:08x}")
}

fn guard_on(setting: &str) -> String {
    format!("PERFORM set_config('{setting}', 'on', true);")
}

fn guard_off(setting: &str) -> String {
    format!("PERFORM set_config('{setting}', 'off', true);")
}

/// Translate a `CREATE TRIGGER ...` statement into a PL/pgSQL trigger function plus the
/// CREATE TRIGGER that calls it. `function_name` is the PostgreSQL name for the function.
pub fn rewrite_trigger(create_trigger_sql: &str, scope: &Scope, function_name: &str) -> Result<PgTrigger> {
    let mut stmts = lex::parse_statements(create_trigger_sql)?;
    let ct = match (stmts.pop(), stmts.is_empty()) {
        (Some(Statement::CreateTrigger(ct)), true) => ct,
        _ => {
            return Err(RewriteError::Parse {
                sql: create_trigger_sql.to_string(),
                message: "expected exactly one CREATE TRIGGER statement".to_string(),
            });
        }
    };
    translate(ct, scope, function_name)
}

fn translate(ct: CreateTrigger, scope: &Scope, function_name: &str) -> Result<PgTrigger> {
    let trigger_name = single_name(&ct.name)?;
    if ct.temporary {
        return Err(RewriteError::unsupported(format!("CREATE TEMP TRIGGER {trigger_name}"), "PostgreSQL has no temporary triggers"));
    }
    let period = ct.period.unwrap_or(TriggerPeriod::Before);
    let period_sql = match period {
        TriggerPeriod::Before => "BEFORE",
        TriggerPeriod::After => "AFTER",
        TriggerPeriod::InsteadOf => "INSTEAD OF",
        TriggerPeriod::For => return Err(RewriteError::unsupported("FOR trigger", "not SQLite syntax")),
    };
    if let Some(TriggerObjectKind::ForEach(TriggerObject::Statement) | TriggerObjectKind::For(TriggerObject::Statement)) = ct.trigger_object {
        return Err(RewriteError::unsupported("FOR EACH STATEMENT", "SQLite triggers are row triggers"));
    }
    let [event] = ct.events.as_slice() else {
        return Err(RewriteError::unsupported(format!("trigger {trigger_name}"), "exactly one event expected"));
    };
    let sqlite_table = single_name(&ct.table_name)?;

    let mut rw = Rewriter::new(scope);
    rw.in_trigger = true;
    let (_, table_obj) = rw.table_name(&ct.table_name)?;
    let pg_table = scope.table(&sqlite_table).map(|t| t.pg_name.clone()).unwrap_or_else(|| sqlite_table.clone());

    let (ev, event_sql) = match event {
        TriggerEvent::Insert => (Event::Insert, "INSERT".to_string()),
        TriggerEvent::Delete => (Event::Delete, "DELETE".to_string()),
        TriggerEvent::Update(cols) if cols.is_empty() => (Event::Update, "UPDATE".to_string()),
        TriggerEvent::Update(cols) => {
            let names: Vec<String> = cols.iter().map(|c| rw.target_column(&sqlite_table, &c.value).0.to_string()).collect();
            (Event::Update, format!("UPDATE OF {}", names.join(", ")))
        }
        TriggerEvent::Truncate => return Err(RewriteError::unsupported("TRUNCATE trigger", "not SQLite syntax")),
    };

    // NEW and OLD answer qualified names only, and only where SQLite defines them.
    for (name, defined) in [("NEW", ev != Event::Delete), ("OLD", ev != Event::Insert)] {
        if defined {
            let mut rel: Relation = rw.table_relation(&sqlite_table, None);
            rel.key = name.to_lowercase();
            rel.qualifier = sqlparser::ast::Ident::new(name);
            rel.qualifier_only = true;
            rw.push_relation(rel);
        }
    }

    let returns = match (period, ev) {
        (TriggerPeriod::After, _) => "NULL",
        (_, Event::Delete) => "OLD",
        _ => "NEW",
    };

    let condition = match ct.condition {
        Some(c) => {
            let e = rw.expr(c)?.expr;
            lex::check_pg(&e.to_string(), PgCheck::Expr)?;
            Some(e)
        }
        None => None,
    };
    // PostgreSQL refuses WHEN on INSTEAD OF triggers and subqueries in any WHEN.
    let condition_in_body = period == TriggerPeriod::InsteadOf || condition.as_ref().is_some_and(has_subquery);

    let statements = match ct.statements {
        Some(ConditionalStatements::BeginEnd(b)) => b.statements,
        Some(ConditionalStatements::Sequence { statements }) => statements,
        None => return Err(RewriteError::unsupported(format!("trigger {trigger_name}"), "no body")),
    };
    // Only a body that writes can fire this trigger again (see the module documentation).
    let writes = statements.iter().any(|s| matches!(s, Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_)));
    let guard = writes.then(|| guard_setting(&trigger_name));
    let mut body = Body { lines: Vec::new(), guard: guard.clone() };
    let depth = if condition_in_body { 2 } else { 1 };
    for stmt in statements {
        statement(&mut rw, &mut body, depth, stmt, period)?;
    }

    let mut when_parts: Vec<String> = Vec::new();
    if let Some(c) = &condition
        && !condition_in_body
    {
        when_parts.push(c.to_string());
    }
    let mut fn_lines: Vec<String> = vec!["BEGIN".to_string()];
    if let Some(g) = &guard {
        let running = format!("current_setting('{g}', true)");
        if period == TriggerPeriod::InsteadOf {
            fn_lines.push(format!("  IF {running} = 'on' THEN RETURN {returns}; END IF;"));
        } else {
            // In the WHEN, the function is not even called; an AFTER trigger's WHEN is read
            // when the row changes, which is inside the same trigger bodies as its firing.
            when_parts.push(format!("{running} IS DISTINCT FROM 'on'"));
        }
        fn_lines.push(format!("  {}", guard_on(g)));
    }
    match (&condition, condition_in_body) {
        (Some(c), true) => {
            fn_lines.push(format!("  IF {c} THEN"));
            fn_lines.extend(body.lines);
            fn_lines.push("  END IF;".to_string());
        }
        _ => fn_lines.extend(body.lines),
    }
    if let Some(g) = &guard {
        fn_lines.push(format!("  {}", guard_off(g)));
    }
    fn_lines.push(format!("  RETURN {returns};"));
    fn_lines.push("END;".to_string());
    let fn_body = fn_lines.join("\n");
    let tag = dollar_tag(&fn_body);
    let fn_ident = qident(function_name);
    // The body names tables unqualified, as the application did; pin the search_path the
    // schema was created under, so the trigger finds them whatever its caller's path is.
    let function_sql = format!(
        "CREATE FUNCTION {fn_ident}() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS {tag}\n{fn_body}\n{tag};"
    );

    let when_sql = match when_parts.len() {
        0 => String::new(),
        1 => format!(" WHEN ({})", when_parts[0]),
        _ => format!(" WHEN ({})", when_parts.iter().map(|p| format!("({p})")).collect::<Vec<_>>().join(" AND ")),
    };
    let trigger_sql = format!(
        "CREATE TRIGGER {} {period_sql} {event_sql} ON {table_obj} FOR EACH ROW{when_sql} EXECUTE FUNCTION {fn_ident}();",
        qident(&trigger_name)
    );
    Ok(PgTrigger { table: pg_table, function_sql, trigger_sql, notes: rw.into_notes() })
}

fn dollar_tag(body: &str) -> String {
    let mut tag = "$$".to_string();
    let mut n = 0;
    while body.contains(&tag) {
        n += 1;
        tag = format!("$body{n}$");
    }
    tag
}

fn has_subquery(e: &Expr) -> bool {
    visit_expressions(e, |e| {
        if matches!(e, Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. }) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_break()
}

fn checked(sql: String) -> Result<String> {
    lex::check_pg(&sql, PgCheck::Statements)?;
    Ok(sql)
}

fn statement_kind(stmt: &Statement) -> String {
    stmt.to_string().split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

fn statement(
    rw: &mut Rewriter<'_>,
    body: &mut Body,
    depth: usize,
    stmt: Statement,
    period: TriggerPeriod,
) -> Result<()> {
    match stmt {
        Statement::Insert(mut ins) => {
            if ins.replace_into || ins.or == Some(SqliteOnConflict::Replace) {
                return Err(RewriteError::unsupported(
                    "INSERT OR REPLACE",
                    "PostgreSQL needs the conflicting unique constraint named (ON CONFLICT (...) DO UPDATE); rewrite it by hand",
                ));
            }
            if ins.on.is_some() || ins.returning.is_some() {
                return Err(RewriteError::unsupported("INSERT ... ON CONFLICT/RETURNING in a trigger", "not translated"));
            }
            let TableObject::TableName(name) = &ins.table else {
                return Err(RewriteError::unsupported("INSERT into a table function", "not SQLite syntax"));
            };
            let (sqlite, printed) = rw.table_name(name)?;
            let mut kinds: Vec<Option<ColumnKind>> = Vec::new();
            let mut cols = Vec::with_capacity(ins.columns.len());
            for c in &ins.columns {
                let name = single_name(c)?;
                let (ident, kind) = rw.target_column(&sqlite, &name);
                kinds.push(kind);
                cols.push(sqlparser::ast::ObjectName::from(vec![ident]));
            }
            if cols.is_empty()
                && let Some(t) = rw.scope.table(&sqlite)
            {
                kinds = t.columns.iter().map(|(_, c)| Some(c.kind)).collect();
            }
            match ins.or.take() {
                Some(SqliteOnConflict::Ignore) => {
                    rw.note("INSERT OR IGNORE -> ON CONFLICT DO NOTHING (PostgreSQL ignores only unique violations, not NOT NULL/CHECK failures)");
                    ins.on = Some(OnInsert::OnConflict(OnConflict { conflict_target: None, action: OnConflictAction::DoNothing }));
                }
                Some(other) => rw.note(format!("INSERT OR {other:?} -> INSERT: PostgreSQL always aborts the statement")),
                None => {}
            }
            if let Some(src) = ins.source.take() {
                let mut q = *src;
                if let SetExpr::Values(v) = *q.body {
                    let v = rw.values(v, &kinds)?;
                    q.body = Box::new(SetExpr::Values(v));
                    ins.source = Some(Box::new(q));
                } else {
                    let (mut q, _) = rw.query(q)?;
                    if let SetExpr::Select(s) = q.body.as_mut() {
                        for (i, item) in s.projection.iter_mut().enumerate() {
                            if kinds.get(i).copied().flatten() == Some(ColumnKind::Boolean)
                                && let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                                && let Some(b) = literal_truth(e)
                            {
                                *e = crate::build::boolean(b);
                            }
                        }
                    }
                    ins.source = Some(Box::new(q));
                }
            }
            ins.table = TableObject::TableName(printed);
            ins.columns = cols;
            body.push(depth, format!("{};", checked(ins.to_string())?));
        }
        Statement::Update(mut upd) => {
            if let Some(or) = upd.or {
                return Err(RewriteError::unsupported(format!("UPDATE OR {or:?}"), "PostgreSQL has no per-statement conflict resolution"));
            }
            if !upd.order_by.is_empty() || upd.limit.is_some() || upd.returning.is_some() {
                return Err(RewriteError::unsupported("UPDATE ... ORDER BY/LIMIT/RETURNING", "not translated"));
            }
            rw.push_frame();
            let r = update(rw, &mut upd);
            rw.pop_frame();
            r?;
            body.push(depth, format!("{};", checked(upd.to_string())?));
        }
        Statement::Delete(mut del) => {
            if !del.tables.is_empty() || del.using.is_some() || !del.order_by.is_empty() || del.limit.is_some() || del.returning.is_some() {
                return Err(RewriteError::unsupported("DELETE with USING/ORDER BY/LIMIT/RETURNING", "not translated"));
            }
            rw.push_frame();
            let r = delete(rw, &mut del);
            rw.pop_frame();
            r?;
            body.push(depth, format!("{};", checked(del.to_string())?));
        }
        Statement::Query(q) => select_statement(rw, body, depth, *q, period)?,
        other => {
            return Err(RewriteError::unsupported(
                format!("{} statement in a trigger body", statement_kind(&other)),
                "only INSERT, UPDATE, DELETE and SELECT translate",
            ));
        }
    }
    Ok(())
}

fn update(rw: &mut Rewriter<'_>, upd: &mut sqlparser::ast::Update) -> Result<()> {
    let sqlite = match &upd.table.relation {
        sqlparser::ast::TableFactor::Table { name, .. } => single_name(name)?,
        _ => return Err(RewriteError::unsupported("UPDATE of a subquery", "not SQLite syntax")),
    };
    let table = std::mem::replace(&mut upd.table, sqlparser::ast::TableWithJoins {
        relation: sqlparser::ast::TableFactor::Table {
            name: sqlparser::ast::ObjectName::from(Vec::<sqlparser::ast::Ident>::new()),
            alias: None,
            args: None,
            with_hints: Vec::new(),
            version: None,
            with_ordinality: false,
            partitions: Vec::new(),
            json_path: None,
            sample: None,
            index_hints: Vec::new(),
        },
        joins: Vec::new(),
    });
    upd.table = rw.table_with_joins(table)?;
    if let Some(from) = upd.from.take() {
        upd.from = Some(match from {
            sqlparser::ast::UpdateTableFromKind::AfterSet(list) => {
                let mut out = Vec::with_capacity(list.len());
                for t in list {
                    out.push(rw.table_with_joins(t)?);
                }
                sqlparser::ast::UpdateTableFromKind::AfterSet(out)
            }
            sqlparser::ast::UpdateTableFromKind::BeforeSet(_) => {
                return Err(RewriteError::unsupported("UPDATE ... FROM before SET", "not SQLite syntax"));
            }
        });
    }
    let assignments = std::mem::take(&mut upd.assignments);
    for mut a in assignments {
        let sqlparser::ast::AssignmentTarget::ColumnName(name) = &a.target else {
            return Err(RewriteError::unsupported("UPDATE SET (a, b) = ...", "row-value assignment is not translated"));
        };
        let col = single_name(name)?;
        let (ident, kind) = rw.target_column(&sqlite, &col);
        a.target = sqlparser::ast::AssignmentTarget::ColumnName(sqlparser::ast::ObjectName::from(vec![ident]));
        let t = rw.expr(a.value)?;
        a.value = rw.store_into(kind, t);
        upd.assignments.push(a);
    }
    if let Some(w) = upd.selection.take() {
        upd.selection = Some(rw.expr(w)?.expr);
    }
    Ok(())
}

fn delete(rw: &mut Rewriter<'_>, del: &mut sqlparser::ast::Delete) -> Result<()> {
    let tables = match &mut del.from {
        FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => t,
    };
    let list = std::mem::take(tables);
    let mut out = Vec::with_capacity(list.len());
    for t in list {
        if let sqlparser::ast::TableFactor::Table { name, .. } = &t.relation {
            single_name(name)?;
        }
        out.push(rw.table_with_joins(t)?);
    }
    *tables = out;
    if let Some(w) = del.selection.take() {
        del.selection = Some(rw.expr(w)?.expr);
    }
    Ok(())
}

/// `RAISE(kind, 'msg')` as written, before any rewriting.
fn as_raise(e: &Expr) -> Option<(String, Option<Expr>)> {
    let Expr::Function(f) = e else { return None };
    if f.name.to_string().to_lowercase() != "raise" {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else { return None };
    let mut args = list.args.iter().map(|a| match a {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
        _ => None,
    });
    let kind = match args.next()?? {
        Expr::Identifier(i) => i.value.to_uppercase(),
        _ => return None,
    };
    let msg = args.next().flatten();
    Some((kind, msg))
}

/// What a `RAISE(...)` becomes: skipping the row (a RETURN, which clears the recursion
/// guard first), or one statement.
enum Raise {
    SkipRow,
    Line(String),
}

impl Body {
    fn push_raise(&mut self, depth: usize, raise: Raise) {
        match raise {
            Raise::SkipRow => self.push_return(depth, "NULL"),
            Raise::Line(line) => self.push(depth, line),
        }
    }
}

fn raise_lines(rw: &mut Rewriter<'_>, kind: &str, msg: Option<Expr>, period: TriggerPeriod) -> Result<Raise> {
    match kind {
        "IGNORE" => {
            if period == TriggerPeriod::After {
                return Err(RewriteError::unsupported(
                    "RAISE(IGNORE) in an AFTER trigger",
                    "SQLite abandons the rest of the triggering statement; PostgreSQL cannot skip a row after the fact",
                ));
            }
            rw.note("RAISE(IGNORE) -> RETURN NULL (skips the row)");
            Ok(Raise::SkipRow)
        }
        "ABORT" | "FAIL" | "ROLLBACK" => {
            if kind != "ABORT" {
                rw.note(format!("RAISE({kind}) -> RAISE EXCEPTION: PostgreSQL aborts the statement and its transaction"));
            }
            let Some(msg) = msg else {
                return Err(RewriteError::unsupported(format!("RAISE({kind})"), "a message is required"));
            };
            if let Expr::Value(v) = &msg
                && let Value::SingleQuotedString(s) = &v.value
            {
                // RAISE's message is a format string: a literal % must be doubled.
                let lit = Value::SingleQuotedString(s.replace('%', "%%"));
                return Ok(Raise::Line(format!("RAISE EXCEPTION {lit};")));
            }
            let e = rw.expr(msg)?.expr;
            lex::check_pg(&e.to_string(), PgCheck::Expr)?;
            Ok(Raise::Line(format!("RAISE EXCEPTION '%', {e};")))
        }
        other => Err(RewriteError::unsupported(format!("RAISE({other})"), "unknown RAISE kind")),
    }
}

fn select_statement(rw: &mut Rewriter<'_>, body: &mut Body, depth: usize, q: sqlparser::ast::Query, period: TriggerPeriod) -> Result<()> {
    let simple = q.with.is_none() && q.order_by.is_none() && q.limit_clause.is_none();
    if let (true, SetExpr::Select(s)) = (simple, q.body.as_ref())
        && let [SelectItem::UnnamedExpr(item)] = s.projection.as_slice()
    {
        let has_from = !s.from.is_empty();
        // SELECT RAISE(...) [FROM ...] [WHERE ...]
        if let Some((kind, msg)) = as_raise(item) {
            let line = raise_lines(rw, &kind, msg, period)?;
            let guard = if has_from {
                let mut probe = (*s.clone()).clone();
                probe.projection = vec![SelectItem::UnnamedExpr(crate::build::number_one())];
                let mut pq = q.clone();
                pq.body = Box::new(SetExpr::Select(Box::new(probe)));
                let (pq, _) = rw.query(pq)?;
                let sub = format!("EXISTS ({pq})");
                lex::check_pg(&sub, PgCheck::Expr)?;
                Some(sub)
            } else if let Some(w) = &s.selection {
                let e = rw.expr(w.clone())?.expr.to_string();
                lex::check_pg(&e, PgCheck::Expr)?;
                Some(e)
            } else {
                None
            };
            match guard {
                Some(g) => {
                    body.push(depth, format!("IF {g} THEN"));
                    body.push_raise(depth + 1, line);
                    body.push(depth, "END IF;");
                }
                None => body.push_raise(depth, line),
            }
            return Ok(());
        }
        // SELECT CASE WHEN c THEN RAISE(...) ... END [WHERE w]
        if let Expr::Case { operand: None, conditions, else_result, .. } = item
            && !has_from
            && conditions.iter().any(|c| as_raise(&c.result).is_some())
        {
            let outer = match &s.selection {
                Some(w) => Some(rw.expr(w.clone())?.expr),
                None => None,
            };
            let mut first = true;
            for cw in conditions {
                let cond = rw.expr(cw.condition.clone())?.expr;
                let cond = match &outer {
                    Some(w) => format!("({w}) AND ({cond})"),
                    None => cond.to_string(),
                };
                lex::check_pg(&cond, PgCheck::Expr)?;
                body.push(depth, format!("{} {cond} THEN", if first { "IF" } else { "ELSIF" }));
                first = false;
                match as_raise(&cw.result) {
                    Some((kind, msg)) => {
                        let line = raise_lines(rw, &kind, msg, period)?;
                        body.push_raise(depth + 1, line);
                    }
                    None if is_null(&cw.result) => body.push(depth + 1, "NULL;"),
                    None => {
                        return Err(RewriteError::unsupported(
                            "CASE branch in a trigger SELECT",
                            "only RAISE(...) or NULL results translate",
                        ));
                    }
                }
            }
            if let Some(e) = else_result {
                match as_raise(e) {
                    Some((kind, msg)) => {
                        body.push(depth, "ELSE");
                        let line = raise_lines(rw, &kind, msg, period)?;
                        body.push_raise(depth + 1, line);
                    }
                    None if is_null(e) => {}
                    None => {
                        return Err(RewriteError::unsupported("CASE ELSE in a trigger SELECT", "only RAISE(...) or NULL results translate"));
                    }
                }
            }
            body.push(depth, "END IF;");
            return Ok(());
        }
    }
    if q.with.is_some() {
        return Err(RewriteError::unsupported("WITH ... SELECT in a trigger body", "PL/pgSQL's PERFORM cannot start with WITH"));
    }
    let (q, _) = rw.query(q)?;
    let sql = checked(q.to_string())?;
    let perform = match sql.strip_prefix("SELECT") {
        Some(rest) => format!("PERFORM{rest};"),
        None => return Err(RewriteError::unsupported("compound SELECT in a trigger body", "PERFORM takes a simple SELECT")),
    };
    rw.note("SELECT in a trigger body -> PERFORM");
    body.push(depth, perform);
    Ok(())
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if v.value == Value::Null)
}

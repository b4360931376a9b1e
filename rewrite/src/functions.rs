//! SQLite functions and operators with no identical PostgreSQL spelling.
//!
//! Takes a function call (or `GLOB`, `->`, `->>`) whose arguments the [`Rewriter`] can
//! rewrite; gives the PostgreSQL expression. Functions are matched by lower-cased name
//! against an explicit list: one that is neither translated nor on the same-meaning
//! allow-list is an error, never passed through. It must not handle date/time functions
//! (see `datetime`) nor resolve names itself.

use sqlparser::ast::{
    CaseWhen, DataType, DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
    FunctionArgumentList, FunctionArguments, Ident, ObjectName, ObjectNamePart, Value,
};
use sqlparser::ast::helpers::attached_token::AttachedToken;

use crate::build::{call, call_fn, cast, paren, string, template};
use crate::error::{Result, RewriteError};
use crate::rewriter::{Rewriter, Typed, literal_int};
use crate::scope::ColumnKind;

/// Functions PostgreSQL has with SQLite's meaning, printed under the same name.
const SAME_MEANING: &[&str] = &[
    "abs", "coalesce", "nullif", "count", "sum", "avg", "sign",
    "ceil", "ceiling", "floor", "exp", "ln", "log", "log10", "sqrt", "sin", "cos", "tan", "asin", "acos", "atan",
    "atan2", "pi", "degrees", "radians", "mod", "power", "trunc", "row_number", "rank", "dense_rank",
    "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value",
];

/// Text functions PostgreSQL has with SQLite's meaning: their arguments are text, so a column
/// whose type changed (a date, a uuid, a number) is read as its text, as SQLite read it.
const TEXT_FUNCTIONS: &[&str] = &["lower", "upper", "ltrim", "rtrim", "replace"];

/// Functions with no PostgreSQL equivalent, with the reason given to the user.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("typeof", "no PostgreSQL equivalent for SQLite's dynamic storage class"),
    ("last_insert_rowid", "connection state; use INSERT ... RETURNING in PostgreSQL"),
    ("changes", "connection state; PostgreSQL reports row counts to the client instead"),
    ("total_changes", "connection state; PostgreSQL reports row counts to the client instead"),
    ("sqlite_version", "reports the SQLite library version; PostgreSQL's version() is a different string"),
    ("sqlite_source_id", "reports the SQLite library build"),
    ("zeroblob", "no PostgreSQL function builds a zero-filled bytea of a given length"),
    ("randomblob", "no built-in PostgreSQL function makes random bytes (gen_random_bytes needs pgcrypto)"),
    ("likelihood", "a query-planner hint with no PostgreSQL counterpart"),
    ("quote", "quote_literal() differs for numbers and blobs"),
    ("load_extension", "loads SQLite extensions"),
    ("json_each", "table-valued function"),
    ("json_tree", "table-valued function"),
    ("match", "full-text search (FTS) has no direct translation"),
];

struct Call {
    name: String,
    distinct: bool,
    star: bool,
    args: Vec<Typed>,
    order_by: Vec<sqlparser::ast::OrderByExpr>,
    filter: Option<Box<Expr>>,
    over: Option<sqlparser::ast::WindowType>,
}

impl Call {
    fn construct(&self) -> String {
        format!("{}()", self.name)
    }

    fn arity(&self, allowed: &[usize]) -> Result<()> {
        if allowed.contains(&self.args.len()) {
            Ok(())
        } else {
            Err(RewriteError::unsupported(self.construct(), format!("{} arguments given", self.args.len())))
        }
    }

    /// A PostgreSQL call keeping DISTINCT, ORDER BY, FILTER and OVER.
    fn rebuild(self, name: &str, args: Vec<Expr>) -> Expr {
        let mut f = call_fn(name, args);
        if self.star {
            f.args = FunctionArguments::List(FunctionArgumentList {
                duplicate_treatment: None,
                args: vec![FunctionArg::Unnamed(FunctionArgExpr::Wildcard)],
                clauses: Vec::new(),
            });
        }
        if let FunctionArguments::List(list) = &mut f.args {
            if self.distinct {
                list.duplicate_treatment = Some(DuplicateTreatment::Distinct);
            }
            if !self.order_by.is_empty() {
                list.clauses.push(FunctionArgumentClause::OrderBy(self.order_by));
            }
        }
        f.filter = self.filter;
        f.over = self.over;
        Expr::Function(f)
    }

    fn plain(&self) -> bool {
        !self.distinct && self.order_by.is_empty() && self.filter.is_none() && self.over.is_none()
    }
}

fn function_name(name: &ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(i)] => Ok(i.value.to_lowercase()),
        _ => Err(RewriteError::unsupported(format!("function {name}"), "qualified function names are not SQLite")),
    }
}

fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// Rewrite a function call.
pub(crate) fn function(rw: &mut Rewriter<'_>, f: Function) -> Result<Typed> {
    let name = function_name(&f.name)?;
    if name == "raise" {
        return Err(RewriteError::unsupported(
            "RAISE()",
            if rw.in_trigger {
                "only `SELECT RAISE(...)` and `SELECT CASE WHEN ... THEN RAISE(...) END` statements translate, not RAISE inside other expressions"
            } else {
                "RAISE is only meaningful inside a trigger body"
            },
        ));
    }
    if let Some((_, reason)) = UNSUPPORTED.iter().find(|(n, _)| *n == name) {
        return Err(RewriteError::unsupported(format!("{name}()"), *reason));
    }
    if !f.within_group.is_empty() || f.null_treatment.is_some() || !matches!(f.parameters, FunctionArguments::None) {
        return Err(RewriteError::unsupported(format!("{name}()"), "call syntax that SQLite does not have"));
    }
    let list = match f.args {
        FunctionArguments::None => {
            return match name.as_str() {
                "current_timestamp" | "current_date" | "current_time" => {
                    let kind = match name.as_str() {
                        "current_timestamp" => ColumnKind::TimestampTz,
                        "current_date" => ColumnKind::Date,
                        _ => ColumnKind::Time,
                    };
                    if name == "current_timestamp" {
                        rw.note("CURRENT_TIMESTAMP is timestamptz in PostgreSQL, not SQLite's UTC text 'YYYY-MM-DD HH:MM:SS'");
                    }
                    Ok(Typed::new(
                        Expr::Function(Function { name: ObjectName::from(vec![Ident::new(name.to_uppercase())]), ..call_fn("x", vec![]) })
                            .pipe_no_args(),
                        Some(kind),
                    ))
                }
                _ => Err(RewriteError::unsupported(name.to_string(), "unknown keyword function")),
            };
        }
        FunctionArguments::Subquery(_) => {
            return Err(RewriteError::unsupported(format!("{name}()"), "a bare subquery argument is not SQLite"));
        }
        FunctionArguments::List(list) => list,
    };
    let mut c = Call {
        name: name.clone(),
        distinct: matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)),
        star: false,
        args: Vec::with_capacity(list.args.len()),
        order_by: Vec::new(),
        filter: None,
        over: None,
    };
    for a in list.args {
        match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => c.args.push(rw.expr(e)?),
            FunctionArg::Unnamed(FunctionArgExpr::Wildcard) if name == "count" => c.star = true,
            _ => return Err(RewriteError::unsupported(c.construct(), "argument form SQLite does not have")),
        }
    }
    for clause in list.clauses {
        match clause {
            FunctionArgumentClause::OrderBy(obs) => {
                for o in obs {
                    let mut o = o;
                    o.expr = rw.expr(o.expr)?.expr;
                    c.order_by.push(o);
                }
            }
            _ => return Err(RewriteError::unsupported(c.construct(), "argument clause SQLite does not have")),
        }
    }
    if let Some(filter) = f.filter {
        c.filter = Some(Box::new(rw.expr(*filter)?.expr));
    }
    if let Some(over) = f.over {
        c.over = Some(rw.window_type(over)?);
    }
    translate(rw, c)
}

trait NoArgs {
    fn pipe_no_args(self) -> Expr;
}

impl NoArgs for Expr {
    /// Keyword functions (`CURRENT_TIMESTAMP`) print without parentheses.
    fn pipe_no_args(mut self) -> Expr {
        if let Expr::Function(f) = &mut self {
            f.args = FunctionArguments::None;
        }
        self
    }
}

fn numeric_args(rw: &mut Rewriter<'_>, args: Vec<Typed>) -> Vec<Expr> {
    args.into_iter().map(|a| rw.numeric_operand(a)).collect()
}

/// An argument a text function reads: a value whose column is no longer text (SQLite stored a
/// date, a UUID, JSON, a number as text or a number) is cast to its PostgreSQL text, which is
/// the ISO form SQLite held for dates and times.
fn text_operand(rw: &mut Rewriter<'_>, a: Typed) -> Expr {
    match a.kind {
        Some(ColumnKind::Date | ColumnKind::Time | ColumnKind::Timestamp | ColumnKind::TimestampTz | ColumnKind::Uuid | ColumnKind::Json | ColumnKind::Integer | ColumnKind::Real | ColumnKind::Numeric) => {
            rw.note("a column that is no longer text, read by a text function as its text: CAST(... AS TEXT)");
            cast(a.expr, DataType::Text)
        }
        Some(ColumnKind::Boolean) => cast(cast(a.expr, DataType::Integer(None)), DataType::Text),
        Some(ColumnKind::Text | ColumnKind::Bytes | ColumnKind::Other) | None => a.expr,
    }
}

fn translate(rw: &mut Rewriter<'_>, mut c: Call) -> Result<Typed> {
    let name = c.name.clone();
    let name = name.as_str();
    if matches!(name, "date" | "time" | "datetime" | "julianday" | "unixepoch" | "strftime") {
        if !c.plain() {
            return Err(RewriteError::unsupported(c.construct(), "used as an aggregate or window function"));
        }
        return crate::datetime::translate(rw, name, std::mem::take(&mut c.args));
    }
    if TEXT_FUNCTIONS.contains(&name) {
        let args: Vec<Expr> = std::mem::take(&mut c.args).into_iter().map(|a| text_operand(rw, a)).collect();
        return Ok(Typed::new(c.rebuild(name, args), Some(ColumnKind::Text)));
    }
    if SAME_MEANING.contains(&name) {
        let args = numeric_args(rw, std::mem::take(&mut c.args));
        let out_name = if name == "ceiling" { "ceil" } else { name };
        return Ok(Typed::untyped(c.rebuild(out_name, args)));
    }
    let args = std::mem::take(&mut c.args);
    let construct = format!("{name}()");
    Ok(match name {
        "ifnull" => {
            c.args = args;
            c.arity(&[2])?;
            rw.note("ifnull -> coalesce");
            let args = c.args.drain(..).map(|a| a.expr).collect();
            Typed::untyped(c.rebuild("coalesce", args))
        }
        "pow" => {
            let args = numeric_args(rw, args);
            Typed::untyped(c.rebuild("power", args))
        }
        "iif" => {
            c.args = args;
            c.arity(&[3])?;
            rw.note("iif -> CASE WHEN");
            let mut it = c.args.into_iter().map(|a| a.expr);
            let (Some(cond), Some(a), Some(b)) = (it.next(), it.next(), it.next()) else {
                return Err(RewriteError::unsupported(construct, "3 arguments expected"));
            };
            Typed::untyped(Expr::Case {
                case_token: AttachedToken::empty(),
                end_token: AttachedToken::empty(),
                operand: None,
                conditions: vec![CaseWhen { condition: cond, result: a }],
                else_result: Some(Box::new(b)),
            })
        }
        "instr" => {
            c.args = args;
            c.arity(&[2])?;
            rw.note("instr -> strpos");
            let args = c.args.drain(..).map(|a| a.expr).collect();
            Typed::untyped(c.rebuild("strpos", args))
        }
        "substr" | "substring" => {
            c.args = args;
            c.arity(&[2, 3])?;
            let mut typed = c.args.drain(..);
            let mut args: Vec<Expr> = typed.next().map(|a| text_operand(rw, a)).into_iter().collect();
            args.extend(typed.map(|a| a.expr));
            check_substr_bounds(rw, args.get(1), args.get(2))?;
            Typed::new(call("substr", args), Some(ColumnKind::Text))
        }
        "length" => {
            c.args = args;
            c.arity(&[1])?;
            let Some(a) = c.args.pop() else { return Err(RewriteError::unsupported(construct, "1 argument expected")) };
            Typed::new(
                match a.kind {
                    Some(ColumnKind::Bytes) => {
                        rw.note("length(blob) -> octet_length");
                        call("octet_length", vec![a.expr])
                    }
                    Some(ColumnKind::Integer | ColumnKind::Real | ColumnKind::Numeric) => {
                        rw.note("length(number) -> length(CAST(... AS TEXT))");
                        call("length", vec![cast(a.expr, DataType::Text)])
                    }
                    kind @ Some(ColumnKind::Boolean | ColumnKind::Date | ColumnKind::Time | ColumnKind::Timestamp | ColumnKind::TimestampTz | ColumnKind::Uuid | ColumnKind::Json) => {
                        call("length", vec![text_operand(rw, Typed::new(a.expr, kind))])
                    }
                    Some(ColumnKind::Text | ColumnKind::Other) | None => call("length", vec![a.expr]),
                },
                Some(ColumnKind::Integer),
            )
        }
        "max" | "min" => {
            if args.len() == 1 {
                let args = numeric_args(rw, args);
                Typed::untyped(c.rebuild(name, args))
            } else if args.len() >= 2 && c.plain() {
                let pg = if name == "max" { "greatest" } else { "least" };
                rw.note(format!("{name}(a, b, ...) -> {pg}: PostgreSQL ignores NULL arguments where SQLite returns NULL"));
                let args = numeric_args(rw, args);
                Typed::untyped(call(pg, args))
            } else {
                return Err(RewriteError::unsupported(construct, "no arguments given"));
            }
        }
        "group_concat" | "string_agg" => {
            c.args = args;
            c.arity(if name == "string_agg" { &[2] } else { &[1, 2] })?;
            rw.note(format!("{name} -> string_agg(CAST(... AS TEXT), sep)"));
            let mut it = c.args.drain(..).collect::<Vec<_>>().into_iter();
            let x = it.next().map(|a| rw.numeric_operand(a));
            let sep = it.next().map(|a| a.expr).unwrap_or_else(|| string(","));
            let Some(x) = x else { return Err(RewriteError::unsupported(construct, "no arguments given")) };
            Typed::new(c.rebuild("string_agg", vec![cast(x, DataType::Text), sep]), Some(ColumnKind::Text))
        }
        "total" => {
            c.args = args;
            c.arity(&[1])?;
            if c.over.is_some() {
                return Err(RewriteError::unsupported(construct, "as a window function"));
            }
            rw.note("total(x) -> CAST(coalesce(sum(x), 0) AS DOUBLE PRECISION)");
            let args = numeric_args(rw, std::mem::take(&mut c.args));
            let sum = c.rebuild("sum", args);
            Typed::new(template("CAST(coalesce($0, 0) AS DOUBLE PRECISION)", vec![sum])?, Some(ColumnKind::Real))
        }
        "random" => {
            c.args = args;
            c.arity(&[0])?;
            rw.note("random() -> a bigint scaled from PostgreSQL's random() (SQLite returns a random 64-bit integer)");
            Typed::new(template("CAST(floor((random() - 0.5) * 18446744073709549568.0) AS BIGINT)", vec![])?, Some(ColumnKind::Integer))
        }
        "round" => {
            c.args = args;
            c.arity(&[1, 2])?;
            let mut args = numeric_args(rw, std::mem::take(&mut c.args));
            if args.len() == 2 {
                rw.note("round(x, n) -> round(CAST(x AS NUMERIC), n)");
                let x = args.remove(0);
                args.insert(0, cast(x, DataType::Numeric(sqlparser::ast::ExactNumberInfo::None)));
            }
            Typed::untyped(call("round", args))
        }
        "printf" | "format" => {
            if args.is_empty() {
                return Err(RewriteError::unsupported(construct, "no format given"));
            }
            let mut it = args.into_iter();
            let fmt = it.next().map(|a| a.expr).unwrap_or_else(|| string(""));
            let Some(text) = string_literal(&fmt) else {
                return Err(RewriteError::unsupported(construct, "the format must be a string literal to be checked"));
            };
            let pg_fmt = printf_format(text).map_err(|r| RewriteError::unsupported(format!("{name}('{text}')"), r))?;
            if name == "printf" {
                rw.note("printf -> format");
            }
            let mut out = vec![string(&pg_fmt)];
            for a in it {
                out.push(rw.numeric_operand(a));
            }
            Typed::new(call("format", out), Some(ColumnKind::Text))
        }
        "char" => {
            if args.is_empty() {
                return Err(RewriteError::unsupported(construct, "no arguments given"));
            }
            rw.note("char -> chr");
            let mut chrs: Vec<Expr> = args.into_iter().map(|a| call("chr", vec![a.expr])).collect();
            if chrs.len() == 1 {
                Typed::new(chrs.remove(0), Some(ColumnKind::Text))
            } else {
                Typed::new(call("concat", chrs), Some(ColumnKind::Text))
            }
        }
        "unicode" => {
            c.args = args;
            c.arity(&[1])?;
            rw.note("unicode -> ascii (the code point of the first character)");
            let args = c.args.drain(..).map(|a| a.expr).collect();
            Typed::untyped(call("ascii", args))
        }
        "hex" => {
            c.args = args;
            c.arity(&[1])?;
            let Some(a) = c.args.pop() else { return Err(RewriteError::unsupported(construct, "1 argument expected")) };
            match a.kind {
                Some(ColumnKind::Bytes) => Typed::new(template("upper(encode($0, 'hex'))", vec![a.expr])?, Some(ColumnKind::Text)),
                Some(ColumnKind::Text) => {
                    Typed::new(template("upper(encode(convert_to($0, 'UTF8'), 'hex'))", vec![a.expr])?, Some(ColumnKind::Text))
                }
                _ => return Err(RewriteError::unsupported(construct, "hex() of a value whose type is not known to be text or blob")),
            }
        }
        "likely" | "unlikely" => {
            c.args = args;
            c.arity(&[1])?;
            rw.note(format!("{name}(x) -> x: a planner hint PostgreSQL does not have"));
            let Some(a) = c.args.pop() else { return Err(RewriteError::unsupported(construct, "1 argument expected")) };
            a
        }
        "json" => {
            c.args = args;
            c.arity(&[1])?;
            rw.note("json(x) -> CAST(x AS JSONB)");
            let Some(a) = c.args.pop() else { return Err(RewriteError::unsupported(construct, "1 argument expected")) };
            Typed::new(cast(a.expr, DataType::JSONB), Some(ColumnKind::Json))
        }
        // SQLite's built-in JSON check: a jsonb column already holds only valid JSON; on text,
        // the cast to jsonb accepts exactly valid JSON (and refuses the row otherwise, as the
        // CHECK would), and NULL passes as SQLite's NULL result does.
        "json_valid" => {
            c.args = args;
            c.arity(&[1])?;
            let Some(a) = c.args.pop() else { return Err(RewriteError::unsupported(construct, "1 argument expected")) };
            match a.kind {
                Some(ColumnKind::Json) => {
                    rw.note("json_valid(jsonb column) -> true: the column holds only valid JSON");
                    Typed::new(Expr::Value(sqlparser::ast::Value::Boolean(true).into()), Some(ColumnKind::Boolean))
                }
                _ => {
                    rw.note("json_valid(x) -> (CAST(x AS JSONB) IS NOT NULL OR x IS NULL): invalid JSON makes the cast fail, as the check would");
                    let x = text_operand(rw, a);
                    Typed::new(template("(CAST($0 AS JSONB) IS NOT NULL OR $1 IS NULL)", vec![x.clone(), x])?, Some(ColumnKind::Boolean))
                }
            }
        }
        // SQLite's built-in json_type(x[, path]): jsonb_typeof with SQLite's names for the types.
        "json_type" => {
            c.args = args;
            c.arity(&[1, 2])?;
            let mut it = c.args.drain(..).collect::<Vec<_>>().into_iter();
            let Some(doc) = it.next() else { return Err(RewriteError::unsupported(construct, "no arguments given")) };
            let j = match it.next() {
                Some(path) => json_path_access(rw, doc, &path.expr, false, "json_type")?.expr,
                None => as_jsonb(rw, doc),
            };
            rw.note("json_type -> jsonb_typeof, named as SQLite names the types (text, integer, real, true, false); a number with an exponent is read as jsonb normalised it");
            let e = template(
                "CASE jsonb_typeof($0) WHEN 'string' THEN 'text' WHEN 'boolean' THEN CAST($1 AS TEXT) WHEN 'number' THEN CASE WHEN CAST($2 AS TEXT) ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END ELSE jsonb_typeof($3) END",
                vec![j.clone(), j.clone(), j.clone(), j],
            )?;
            Typed::new(paren(e), Some(ColumnKind::Text))
        }
        "json_extract" => {
            c.args = args;
            c.arity(&[2])?;
            let mut it = c.args.drain(..).collect::<Vec<_>>().into_iter();
            let (Some(doc), Some(path)) = (it.next(), it.next()) else {
                return Err(RewriteError::unsupported(construct, "2 arguments expected"));
            };
            rw.note("json_extract -> #>> (returns text, where SQLite returned the SQL value)");
            json_path_access(rw, doc, &path.expr, true, "json_extract")?
        }
        "json_array_length" => {
            c.args = args;
            c.arity(&[1, 2])?;
            let mut it = c.args.drain(..).collect::<Vec<_>>().into_iter();
            let Some(doc) = it.next() else { return Err(RewriteError::unsupported(construct, "no arguments given")) };
            let target = match it.next() {
                Some(path) => json_path_access(rw, doc, &path.expr, false, "json_array_length")?.expr,
                None => as_jsonb(rw, doc),
            };
            Typed::new(call("jsonb_array_length", vec![target]), Some(ColumnKind::Integer))
        }
        "json_object" | "json_array" => {
            let pg = if name == "json_object" { "jsonb_build_object" } else { "jsonb_build_array" };
            rw.note(format!("{name} -> {pg} (jsonb, where SQLite returned JSON text)"));
            let args = numeric_args(rw, args);
            Typed::new(call(pg, args), Some(ColumnKind::Json))
        }
        _ => {
            return Err(RewriteError::unsupported(
                construct,
                "unknown function: no PostgreSQL equivalent is known (application-defined functions must be recreated by hand)",
            ));
        }
    })
}

fn check_substr_bounds(rw: &mut Rewriter<'_>, start: Option<&Expr>, len: Option<&Expr>) -> Result<()> {
    match start.map(literal_int) {
        Some(Some(n)) if n < 0 => {
            return Err(RewriteError::unsupported(
                "substr(x, negative start)",
                "SQLite counts a negative start from the end of the string; PostgreSQL does not",
            ));
        }
        Some(None) => rw.note("substr with a computed start: same meaning only for start >= 0"),
        _ => {}
    }
    if let Some(l) = len {
        match literal_int(l) {
            Some(n) if n < 0 => {
                return Err(RewriteError::unsupported(
                    "substr(x, start, negative length)",
                    "SQLite takes characters before the start; PostgreSQL rejects a negative length",
                ));
            }
            None => rw.note("substr with a computed length: same meaning only for length >= 0"),
            _ => {}
        }
    }
    Ok(())
}

/// sqlparser's node for `substr(...)` / `substring(...)`.
pub(crate) fn substring(
    rw: &mut Rewriter<'_>,
    expr: Expr,
    from: Option<Box<Expr>>,
    len: Option<Box<Expr>>,
    special: bool,
    _shorthand: bool,
) -> Result<Typed> {
    if !special {
        return Err(RewriteError::unsupported("SUBSTRING(x FROM a FOR b)", "not SQLite syntax"));
    }
    let subject = rw.expr(expr)?;
    let mut args = vec![text_operand(rw, subject)];
    if let Some(f) = from {
        args.push(rw.expr(*f)?.expr);
    }
    if let Some(l) = len {
        args.push(rw.expr(*l)?.expr);
    }
    if args.len() < 2 {
        return Err(RewriteError::unsupported("substr()", "a start position is required"));
    }
    check_substr_bounds(rw, args.get(1), args.get(2))?;
    Ok(Typed::new(call("substr", args), Some(ColumnKind::Text)))
}

/// SQLite printf format -> PostgreSQL format(): only %s, %d and %% have the same meaning.
fn printf_format(f: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(f.len());
    let mut chars = f.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('s') | Some('d') | Some('i') => out.push_str("%s"),
            Some('%') => out.push_str("%%"),
            Some(other) => return Err(format!("format specifier %{other} has no format() equivalent (only %s, %d, %%)")),
            None => return Err("format ends with a lone %".to_string()),
        }
    }
    Ok(out)
}

fn as_jsonb(rw: &mut Rewriter<'_>, doc: Typed) -> Expr {
    if doc.kind == Some(ColumnKind::Json) {
        doc.expr
    } else {
        rw.note("JSON text cast to JSONB for path access");
        cast(doc.expr, DataType::JSONB)
    }
}

/// `doc #>> '{a,b}'` (text) or `doc #> '{a,b}'` (jsonb) for an SQLite JSON path literal.
fn json_path_access(rw: &mut Rewriter<'_>, doc: Typed, path: &Expr, as_text: bool, what: &str) -> Result<Typed> {
    let Some(p) = string_literal(path).map(str::to_string).or_else(|| literal_int(path).map(|n| n.to_string())) else {
        return Err(RewriteError::unsupported(format!("{what}(x, path)"), "the JSON path must be a literal"));
    };
    let elems = json_path(&p).map_err(|r| RewriteError::unsupported(format!("{what}(x, '{p}')"), r))?;
    let base = as_jsonb(rw, doc);
    let op = if as_text { "#>>" } else { "#>" };
    let arr = format!("{{{}}}", elems.join(","));
    let e = template(&format!("$0 {op} $1"), vec![base, string(&arr)])?;
    Ok(Typed::new(paren(e), Some(if as_text { ColumnKind::Text } else { ColumnKind::Json })))
}

/// Split `$.a.b[0]` into `["a", "b", "0"]`; a bare label or index (as `->>` accepts) is one element.
fn json_path(p: &str) -> std::result::Result<Vec<String>, String> {
    let safe = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '$');
    let Some(rest) = p.strip_prefix('$') else {
        return if safe(p) { Ok(vec![p.to_string()]) } else { Err("unsupported JSON path".to_string()) };
    };
    let mut out = Vec::new();
    let mut s = rest;
    while !s.is_empty() {
        if let Some(r) = s.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            if !safe(key) {
                return Err(format!("JSON path key `{key}` needs quoting this rewriter does not do"));
            }
            out.push(key.to_string());
            s = &r[end..];
        } else if let Some(r) = s.strip_prefix('[') {
            let end = r.find(']').ok_or("unterminated [ in JSON path")?;
            let idx = &r[..end];
            if idx.is_empty() || !idx.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("JSON path index [{idx}] (only non-negative literal indexes translate)"));
            }
            out.push(idx.to_string());
            s = &r[end + 1..];
        } else {
            return Err("unsupported JSON path syntax".to_string());
        }
    }
    Ok(out)
}

/// SQLite's `->` (JSON result) and `->>` (SQL value) operators.
pub(crate) fn json_operator(rw: &mut Rewriter<'_>, doc: Typed, as_text: bool, path: Typed) -> Result<Typed> {
    rw.note(if as_text { "->> -> #>>" } else { "-> -> #> (jsonb, where SQLite returned JSON text)" });
    json_path_access(rw, doc, &path.expr, as_text, if as_text { "->>" } else { "->" })
}

/// `x GLOB 'pat'`: a LIKE when the pattern has no character class, else an anchored regex.
pub(crate) fn glob(rw: &mut Rewriter<'_>, expr: Expr, pattern: Expr, negated: bool) -> Result<Typed> {
    let Some(pat) = string_literal(&pattern).map(str::to_string) else {
        return Err(RewriteError::unsupported("GLOB with a computed pattern", "the pattern must be a literal to be translated"));
    };
    if pat.contains('[') {
        let mut re = String::from("^");
        let mut chars = pat.chars().peekable();
        while let Some(ch) = chars.next() {
            match ch {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                '[' => {
                    re.push('[');
                    if chars.peek() == Some(&'^') {
                        re.push('^');
                        chars.next();
                    }
                    // A `]` first in the class is a literal.
                    if chars.peek() == Some(&']') {
                        re.push_str("\\]");
                        chars.next();
                    }
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == ']' {
                            closed = true;
                            break;
                        }
                        if c == '\\' || c == '[' {
                            re.push('\\');
                        }
                        re.push(c);
                    }
                    if !closed {
                        return Err(RewriteError::unsupported(format!("GLOB '{pat}'"), "unterminated character class"));
                    }
                    re.push(']');
                }
                c if ".^$+(){}|\\".contains(c) => {
                    re.push('\\');
                    re.push(c);
                }
                c => re.push(c),
            }
        }
        re.push('$');
        rw.note("GLOB with a character class -> anchored regular expression (~)");
        let op = if negated { sqlparser::ast::BinaryOperator::PGRegexNotMatch } else { sqlparser::ast::BinaryOperator::PGRegexMatch };
        return Ok(Typed::untyped(Expr::BinaryOp { left: Box::new(paren(expr)), op, right: Box::new(string(&re)) }));
    }
    let mut like = String::with_capacity(pat.len());
    for ch in pat.chars() {
        match ch {
            '*' => like.push('%'),
            '?' => like.push('_'),
            '%' | '_' | '\\' => {
                like.push('\\');
                like.push(ch);
            }
            c => like.push(c),
        }
    }
    rw.note("GLOB -> LIKE (case-sensitive, as GLOB is)");
    Ok(Typed::untyped(Expr::Like {
        negated,
        any: false,
        expr: Box::new(paren(expr)),
        pattern: Box::new(string(&like)),
        escape_char: None,
    }))
}

//! SQLite's date and time functions: `date`, `time`, `datetime`, `julianday`,
//! `unixepoch`, `strftime`.
//!
//! Takes the rewritten arguments of one call; gives a PostgreSQL expression over
//! `timestamp` values. SQLite computes on text ('YYYY-MM-DD HH:MM:SS', UTC for 'now');
//! PostgreSQL on typed values, so results are typed (noted) where SQLite returned text.
//! It must not accept a modifier or format specifier it cannot translate exactly: those
//! are [`RewriteError::Unsupported`].

use sqlparser::ast::{DataType, Expr, Value};

use crate::build::{cast, paren, string, template};
use crate::error::{Result, RewriteError};
use crate::rewriter::{Rewriter, Typed};
use crate::scope::ColumnKind;

fn literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => Some(s.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// The time value being computed on.
#[allow(clippy::large_enum_variant)] // short-lived, one per call
enum Time {
    /// 'now', possibly 'localtime', with no arithmetic yet.
    Now { local: bool },
    /// A timestamp-valued PostgreSQL expression; `untouched` while it is still the
    /// caller's typed column, returned as is by `datetime(col)`.
    Ts { expr: Expr, kind: Option<ColumnKind>, untouched: bool },
}

pub(crate) fn translate(rw: &mut Rewriter<'_>, name: &str, mut args: Vec<Typed>) -> Result<Typed> {
    let construct = format!("{name}()");
    let format = if name == "strftime" {
        if args.is_empty() {
            return Err(RewriteError::unsupported(construct, "a format is required"));
        }
        let f = args.remove(0);
        match literal(&f.expr) {
            Some(s) => Some(s.to_string()),
            None => return Err(RewriteError::unsupported(construct, "the format must be a string literal")),
        }
    } else {
        None
    };
    let mut it = args.into_iter();
    let mut time = match it.next() {
        None => Time::Now { local: false },
        Some(t) if literal(&t.expr).is_some_and(|s| s.eq_ignore_ascii_case("now")) => Time::Now { local: false },
        // SQLite's CURRENT_TIMESTAMP is 'now' as text.
        Some(t) if t.expr.to_string().eq_ignore_ascii_case("CURRENT_TIMESTAMP") => Time::Now { local: false },
        Some(t) => match t.kind {
            Some(ColumnKind::Timestamp | ColumnKind::TimestampTz | ColumnKind::Date) => {
                Time::Ts { expr: t.expr, kind: t.kind, untouched: true }
            }
            Some(ColumnKind::Integer | ColumnKind::Real | ColumnKind::Numeric) => {
                // Numbers are Julian day numbers unless the next modifier is 'unixepoch'.
                Time::Ts { expr: t.expr, kind: Some(ColumnKind::Integer), untouched: true }
            }
            _ => Time::Ts { expr: t.expr, kind: t.kind, untouched: true },
        },
    };
    for m in it {
        let Some(modifier) = literal(&m.expr).map(|s| s.trim().to_lowercase()) else {
            return Err(RewriteError::unsupported(format!("{name}() modifier {}", m.expr), "modifiers must be string literals"));
        };
        time = apply_modifier(rw, name, time, &modifier)?;
    }
    if let Time::Ts { kind: Some(ColumnKind::Integer), .. } = time {
        return Err(RewriteError::unsupported(
            format!("{name}(number)"),
            "SQLite reads a bare number as a Julian day number; only the 'unixepoch' modifier translates",
        ));
    }

    let epoch = |rw: &mut Rewriter<'_>, t: Time| -> Result<Expr> {
        let ts = match t {
            Time::Now { .. } => template("now()", vec![])?,
            t => timestamp(rw, t)?,
        };
        template("CAST(EXTRACT(EPOCH FROM $0) AS BIGINT)", vec![ts])
    };

    Ok(match name {
        "datetime" => match time {
            Time::Now { local: false } => {
                rw.note("datetime('now') -> CURRENT_TIMESTAMP (timestamptz, where SQLite returned UTC text 'YYYY-MM-DD HH:MM:SS')");
                Typed::new(keyword("CURRENT_TIMESTAMP"), Some(ColumnKind::TimestampTz))
            }
            Time::Now { local: true } => {
                rw.note("datetime('now', 'localtime') -> LOCALTIMESTAMP");
                Typed::new(keyword("LOCALTIMESTAMP"), Some(ColumnKind::Timestamp))
            }
            Time::Ts { expr, kind: Some(k @ (ColumnKind::Timestamp | ColumnKind::TimestampTz)), untouched: true } => {
                rw.note("datetime(column) -> the timestamp column itself");
                Typed::new(expr, Some(k))
            }
            t => Typed::new(timestamp(rw, t)?, Some(ColumnKind::Timestamp)),
        },
        "date" => match time {
            Time::Now { local: false } => {
                // SQLite's 'now' is UTC; CURRENT_DATE is the session's date.
                rw.note("date('now') -> today's date at UTC (date, where SQLite returned text)");
                Typed::new(template("CAST(timezone('UTC', now()) AS DATE)", vec![])?, Some(ColumnKind::Date))
            }
            Time::Now { local: true } => {
                rw.note("date('now', 'localtime') -> CURRENT_DATE");
                Typed::new(keyword("CURRENT_DATE"), Some(ColumnKind::Date))
            }
            Time::Ts { expr, kind: Some(ColumnKind::Date), untouched: true } => Typed::new(expr, Some(ColumnKind::Date)),
            t => {
                let ts = timestamp(rw, t)?;
                Typed::new(cast(ts, DataType::Date), Some(ColumnKind::Date))
            }
        },
        "time" => match time {
            Time::Now { local: false } => {
                rw.note("time('now') -> the time at UTC (time, where SQLite returned UTC text)");
                Typed::new(template("CAST(timezone('UTC', now()) AS TIME)", vec![])?, Some(ColumnKind::Time))
            }
            Time::Now { local: true } => Typed::new(keyword("LOCALTIME"), Some(ColumnKind::Time)),
            t => {
                let ts = timestamp(rw, t)?;
                Typed::new(cast(ts, DataType::Time(None, sqlparser::ast::TimezoneInfo::None)), Some(ColumnKind::Time))
            }
        },
        "julianday" => {
            let ts = match time {
                Time::Now { .. } => template("now()", vec![])?,
                t => timestamp(rw, t)?,
            };
            rw.note("julianday(x) -> EXTRACT(EPOCH FROM x) / 86400.0 + 2440587.5");
            Typed::new(paren(template("EXTRACT(EPOCH FROM $0) / 86400.0 + 2440587.5", vec![ts])?), Some(ColumnKind::Real))
        }
        "unixepoch" => {
            rw.note("unixepoch -> CAST(EXTRACT(EPOCH FROM ...) AS BIGINT)");
            Typed::new(epoch(rw, time)?, Some(ColumnKind::Integer))
        }
        "strftime" => {
            let format = format.unwrap_or_default();
            if format == "%s" {
                rw.note("strftime('%s', ...) -> CAST(EXTRACT(EPOCH FROM ...) AS BIGINT) (a number, where SQLite returned text)");
                return Ok(Typed::new(epoch(rw, time)?, Some(ColumnKind::Integer)));
            }
            let ts = match time {
                Time::Now { local: false } => keyword("CURRENT_TIMESTAMP"),
                Time::Now { local: true } => keyword("LOCALTIMESTAMP"),
                t => timestamp(rw, t)?,
            };
            rw.note("strftime -> to_char");
            Typed::new(strftime(&format, ts)?, Some(ColumnKind::Text))
        }
        _ => return Err(RewriteError::unsupported(construct, "unknown date/time function")),
    })
}

fn keyword(k: &str) -> Expr {
    Expr::Function(sqlparser::ast::Function {
        args: sqlparser::ast::FunctionArguments::None,
        ..crate::build::call_fn(k, vec![])
    })
}

/// The time value as a PostgreSQL timestamp expression.
fn timestamp(rw: &mut Rewriter<'_>, t: Time) -> Result<Expr> {
    Ok(match t {
        // SQLite's 'now' is UTC: the naive UTC time, which modifiers then shift as SQLite does.
        Time::Now { local: false } => template("timezone('UTC', now())", vec![])?,
        Time::Now { local: true } => keyword("LOCALTIMESTAMP"),
        Time::Ts { expr, kind: Some(ColumnKind::Timestamp), .. } => expr,
        // SQLite's times are UTC: a timestamptz is read at UTC, whatever the session's zone (and
        // so the result is IMMUTABLE, as an index expression needs).
        Time::Ts { expr, kind: Some(ColumnKind::TimestampTz), .. } => {
            rw.note("a timestamptz read as SQLite's UTC time: x AT TIME ZONE 'UTC'");
            paren(template("$0 AT TIME ZONE 'UTC'", vec![expr])?)
        }
        Time::Ts { expr, untouched: false, .. } => expr,
        Time::Ts { expr, kind: Some(ColumnKind::Integer), .. } => {
            return Err(RewriteError::unsupported(
                format!("date/time function on number {expr}"),
                "SQLite reads a bare number as a Julian day number; only the 'unixepoch' modifier translates",
            ));
        }
        Time::Ts { expr, .. } => {
            rw.note("SQLite date/time text -> CAST(... AS TIMESTAMP)");
            cast(expr, DataType::Timestamp(None, sqlparser::ast::TimezoneInfo::None))
        }
    })
}

fn apply_modifier(rw: &mut Rewriter<'_>, name: &str, time: Time, m: &str) -> Result<Time> {
    let unsupported = |reason: &str| RewriteError::unsupported(format!("{name}() modifier '{m}'"), reason);
    match m {
        "localtime" => match time {
            Time::Now { .. } => Ok(Time::Now { local: true }),
            _ => Err(unsupported("converting a stored value from UTC to local time is not translated")),
        },
        "utc" => Err(unsupported("converting local time to UTC is not translated")),
        "unixepoch" => match time {
            Time::Ts { expr, untouched: true, .. } => {
                rw.note("'unixepoch' -> to_timestamp(x) AT TIME ZONE 'UTC'");
                Ok(Time::Ts {
                    expr: paren(template("to_timestamp($0) AT TIME ZONE 'UTC'", vec![expr])?),
                    kind: Some(ColumnKind::Timestamp),
                    untouched: false,
                })
            }
            _ => Err(unsupported("'unixepoch' must directly follow a numeric time value")),
        },
        "start of day" | "start of month" | "start of year" => {
            let unit = &m["start of ".len()..];
            let ts = timestamp(rw, time)?;
            Ok(Time::Ts {
                expr: template(&format!("date_trunc('{unit}', $0)"), vec![ts])?,
                kind: Some(ColumnKind::Timestamp),
                untouched: false,
            })
        }
        _ => {
            let Some((n, unit)) = parse_offset(m) else {
                return Err(unsupported("only 'localtime', 'unixepoch', 'start of day|month|year' and '±N unit' modifiers translate"));
            };
            let ts = timestamp(rw, time)?;
            rw.note(format!("'{m}' -> INTERVAL arithmetic"));
            let (op, n) = match n.strip_prefix('-') {
                Some(abs) => ("-", abs),
                None => ("+", n.strip_prefix('+').unwrap_or(n)),
            };
            Ok(Time::Ts {
                expr: paren(template(&format!("$0 {op} INTERVAL '{n} {unit}'"), vec![ts])?),
                kind: Some(ColumnKind::Timestamp),
                untouched: false,
            })
        }
    }
}

/// `'+1 day'`, `'-3 hours'`, `'1.5 seconds'` -> ("+1", "day").
fn parse_offset(m: &str) -> Option<(&str, &'static str)> {
    let mut parts = m.split_whitespace();
    let n = parts.next()?;
    let unit = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let digits = n.strip_prefix(['+', '-']).unwrap_or(n);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.') || digits.matches('.').count() > 1 {
        return None;
    }
    let unit = match unit.trim_end_matches('s') {
        "second" => "seconds",
        "minute" => "minutes",
        "hour" => "hours",
        "day" => "days",
        "month" => "months",
        "year" => "years",
        _ => return None,
    };
    Some((n, unit))
}

enum Piece {
    Chars(String),
    Dow,
    Epoch,
}

/// SQLite strftime format -> to_char pieces joined with `||`.
fn strftime(format: &str, ts: Expr) -> Result<Expr> {
    let mut pieces: Vec<Piece> = Vec::new();
    let mut literal_run = String::new();
    let flush = |run: &mut String, pieces: &mut Vec<Piece>| {
        if run.is_empty() {
            return;
        }
        // to_char reads letters and digits as patterns; a quoted run is printed as is.
        let needs_quotes = run.chars().any(|c| c.is_ascii_alphanumeric() || c == '"' || c == '\\');
        let text = if needs_quotes {
            format!("\"{}\"", run.replace('\\', "\\\\").replace('"', "\\\""))
        } else {
            run.clone()
        };
        push_chars(pieces, &text);
        run.clear();
    };
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            literal_run.push(c);
            continue;
        }
        let spec = chars.next();
        let pattern = match spec {
            Some('Y') => "YYYY",
            Some('m') => "MM",
            Some('d') => "DD",
            Some('H') => "HH24",
            Some('M') => "MI",
            Some('S') => "SS",
            Some('j') => "DDD",
            Some('f') => "SS.MS",
            Some('%') => {
                literal_run.push('%');
                continue;
            }
            Some('w') => {
                flush(&mut literal_run, &mut pieces);
                pieces.push(Piece::Dow);
                continue;
            }
            Some('s') => {
                flush(&mut literal_run, &mut pieces);
                pieces.push(Piece::Epoch);
                continue;
            }
            Some(other) => {
                return Err(RewriteError::unsupported(
                    format!("strftime('%{other}')"),
                    "only %Y %m %d %H %M %S %j %f %w %s %% translate to PostgreSQL",
                ));
            }
            None => return Err(RewriteError::unsupported(format!("strftime('{format}')"), "the format ends with a lone %")),
        };
        flush(&mut literal_run, &mut pieces);
        push_chars(&mut pieces, pattern);
    }
    flush(&mut literal_run, &mut pieces);

    let mut out: Option<Expr> = None;
    for p in pieces {
        let e = match p {
            Piece::Chars(f) => template("to_char($0, $1)", vec![ts.clone(), string(&f)])?,
            Piece::Dow => template("CAST(CAST(EXTRACT(DOW FROM $0) AS INTEGER) AS TEXT)", vec![ts.clone()])?,
            Piece::Epoch => template("CAST(CAST(EXTRACT(EPOCH FROM $0) AS BIGINT) AS TEXT)", vec![ts.clone()])?,
        };
        out = Some(match out {
            None => e,
            Some(prev) => template("$0 || $1", vec![prev, e])?,
        });
    }
    Ok(match out {
        Some(e) => paren(e),
        None => string(""),
    })
}

fn push_chars(pieces: &mut Vec<Piece>, text: &str) {
    if let Some(Piece::Chars(s)) = pieces.last_mut() {
        s.push_str(text);
    } else {
        pieces.push(Piece::Chars(text.to_string()));
    }
}

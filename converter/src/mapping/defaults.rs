//! Column defaults: SQLite's DEFAULT clause, as written, translated for the chosen PostgreSQL type.
//!
//! Takes the default text exactly as stored in the DDL (quotes and parentheses kept: sea-schema
//! loses both) and the column's target type; gives PostgreSQL SQL, or the reason it cannot be
//! translated. A default that cannot be translated is left out and reported, never emitted as
//! a literal that breaks the DDL or changes meaning.

use sqlparser::tokenizer::Token;

use super::PgType;
use crate::ident::literal;
use crate::introspect::tokens_to_sql;
use crate::json::is_jsonb;
use crate::profile::{EpochUnit, is_decimal, is_uuid, parse_bool_text};

/// Translate `default_sql` for a column of type `target` (with `epoch` when its values are
/// epoch numbers). `Ok(None)`: no default (DEFAULT NULL).
pub fn translate(default_sql: &str, target: PgType, epoch: Option<EpochUnit>) -> Result<Option<String>, String> {
    let Some(tokens) = crate::introspect::tokenize_significant(default_sql) else {
        return Err(format!("cannot read the default {default_sql}"));
    };
    let tokens = strip_parens(&tokens);
    match tokens {
        [] => Err("empty default".into()),
        [Token::Word(w)] if w.quote_style.is_none() => keyword(&w.value, target, epoch),
        [Token::Number(n, _)] => number(n, target, epoch),
        [Token::Minus, Token::Number(n, _)] => number(&format!("-{n}"), target, epoch),
        [Token::Plus, Token::Number(n, _)] => number(n, target, epoch),
        [Token::SingleQuotedString(s)] => string(&s.replace("''", "'"), target),
        // SQLite reads a double-quoted word in a DEFAULT as a string when no column has its name.
        [Token::Word(w)] if w.quote_style == Some('"') => string(&w.value, target),
        _ => function(tokens, target, epoch).ok_or_else(|| format!("no PostgreSQL translation for the default {default_sql} on a {target} column")),
    }
}

fn strip_parens(mut tokens: &[Token]) -> &[Token] {
    while let [Token::LParen, inner @ .., Token::RParen] = tokens {
        tokens = inner;
    }
    tokens
}

/// "now", as SQLite computes it (UTC), in the target type.
fn now_as(target: PgType, epoch: Option<EpochUnit>, what: &str) -> Result<Option<String>, String> {
    let sql = match (target, epoch) {
        (PgType::TimestampTz, _) => "CURRENT_TIMESTAMP",
        // SQLite's CURRENT_TIMESTAMP is UTC; a bare CURRENT_TIMESTAMP cast to timestamp would use
        // the session's time zone instead.
        (PgType::Timestamp, _) => "timezone('UTC', now())",
        (PgType::Date, _) => "(timezone('UTC', now()))::date",
        (PgType::Time, _) => "(timezone('UTC', now()))::time(0)",
        (t, _) if t.is_integer() => "(EXTRACT(EPOCH FROM now()))::bigint",
        (PgType::Double | PgType::Numeric(_), _) => "EXTRACT(EPOCH FROM now())",
        (t, _) if t.is_text() => match what {
            "date" => "to_char(timezone('UTC', now()), 'YYYY-MM-DD')",
            "time" => "to_char(timezone('UTC', now()), 'HH24:MI:SS')",
            "epoch" => "(EXTRACT(EPOCH FROM now()))::bigint::text",
            _ => "to_char(timezone('UTC', now()), 'YYYY-MM-DD HH24:MI:SS')",
        },
        _ => return Err(format!("a current {what} default does not fit a {target} column")),
    };
    Ok(Some(sql.to_string()))
}

fn keyword(word: &str, target: PgType, epoch: Option<EpochUnit>) -> Result<Option<String>, String> {
    match word.to_ascii_uppercase().as_str() {
        "NULL" => Ok(None),
        "CURRENT_TIMESTAMP" => now_as(target, epoch, "timestamp"),
        "CURRENT_DATE" => match target {
            PgType::Timestamp | PgType::TimestampTz => now_as(PgType::Date, epoch, "date"),
            _ => now_as(target, epoch, "date"),
        },
        "CURRENT_TIME" => now_as(target, epoch, "time"),
        "TRUE" | "FALSE" => {
            let value = word.eq_ignore_ascii_case("TRUE");
            match target {
                PgType::Boolean => Ok(Some(value.to_string())),
                t if t.is_integer() => Ok(Some(if value { "1" } else { "0" }.to_string())),
                _ => Err(format!("{word} does not fit a {target} column")),
            }
        }
        other => Err(format!("unknown default keyword {other}")),
    }
}

fn number(n: &str, target: PgType, epoch: Option<EpochUnit>) -> Result<Option<String>, String> {
    match target {
        PgType::Boolean => match n {
            "0" => Ok(Some("false".into())),
            "1" => Ok(Some("true".into())),
            _ => Err(format!("{n} is not 0 or 1 on a boolean column")),
        },
        t if t.is_integer() => n.parse::<i64>().map(|_| Some(n.to_string())).map_err(|_| format!("{n} is not an integer")),
        PgType::Double | PgType::Numeric(_) => Ok(Some(n.to_string())),
        t if t.is_text() => Ok(Some(literal(n))),
        PgType::Jsonb => Ok(Some(format!("{}::jsonb", literal(n)))),
        PgType::TimestampTz if epoch.is_some() => {
            let per_second = epoch.map_or(1, EpochUnit::per_second);
            let value: f64 = n.parse().map_err(|_| format!("{n} is not a number"))?;
            Ok(Some(format!("to_timestamp({})", value / per_second as f64)))
        }
        _ => Err(format!("the number {n} is not a valid {target}")),
    }
}

fn string(s: &str, target: PgType) -> Result<Option<String>, String> {
    let bad = || Err(format!("the default '{s}' is not a valid {target}"));
    match target {
        PgType::Boolean => parse_bool_text(s.trim()).map_or_else(bad, |b| Ok(Some(b.to_string()))),
        t if t.is_integer() => s.trim().parse::<i64>().map_or_else(|_| bad(), |v| Ok(Some(v.to_string()))),
        PgType::Double | PgType::Numeric(_) => {
            if is_decimal(s.trim()) { Ok(Some(s.trim().to_string())) } else { bad() }
        }
        t if t.is_text() => Ok(Some(literal(s))),
        PgType::Jsonb => {
            if is_jsonb(s) { Ok(Some(format!("{}::jsonb", literal(s)))) } else { bad() }
        }
        PgType::Uuid => {
            if is_uuid(s) { Ok(Some(literal(s))) } else { bad() }
        }
        PgType::Bytea => {
            let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
            Ok(Some(format!("'\\x{hex}'::bytea")))
        }
        PgType::Date | PgType::Time | PgType::Timestamp | PgType::TimestampTz => {
            if crate::values::iso_text_fits(s, target) { Ok(Some(literal(s))) } else { bad() }
        }
        _ => bad(),
    }
}

/// `datetime('now')`, `strftime('%s','now')`, `unixepoch()`, ... : the "now" family.
fn function(tokens: &[Token], target: PgType, epoch: Option<EpochUnit>) -> Option<Option<String>> {
    let [Token::Word(name), Token::LParen, args @ .., Token::RParen] = tokens else { return None };
    let args: Vec<String> = args
        .split(|t| matches!(t, Token::Comma))
        .map(|a| match a {
            [Token::SingleQuotedString(s)] => s.to_ascii_lowercase(),
            other => tokens_to_sql(other).to_ascii_lowercase(),
        })
        .filter(|a| !a.is_empty())
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match (name.value.to_ascii_lowercase().as_str(), args.as_slice()) {
        ("datetime", ["now"]) => now_as(target, epoch, "timestamp"),
        ("datetime", ["now", "localtime"]) => match target {
            PgType::Timestamp => Ok(Some("LOCALTIMESTAMP".to_string())),
            PgType::TimestampTz => Ok(Some("CURRENT_TIMESTAMP".to_string())),
            t if t.is_text() => Ok(Some("to_char(LOCALTIMESTAMP, 'YYYY-MM-DD HH24:MI:SS')".to_string())),
            _ => Err(String::new()),
        },
        ("date", ["now"]) => match target {
            PgType::Timestamp | PgType::TimestampTz => now_as(PgType::Date, epoch, "date"),
            _ => now_as(target, epoch, "date"),
        },
        ("date", ["now", "localtime"]) if target == PgType::Date => Ok(Some("CURRENT_DATE".to_string())),
        ("time", ["now"]) => now_as(target, epoch, "time"),
        ("strftime", ["%s", "now"]) | ("unixepoch", [] | ["now"]) => match target {
            PgType::TimestampTz => Ok(Some("CURRENT_TIMESTAMP".to_string())),
            _ => now_as(target, epoch, "epoch"),
        },
        // `strftime(fmt)` and `strftime(fmt, CURRENT_TIMESTAMP)` are `strftime(fmt, 'now')` too.
        ("strftime", [format] | [format, "now" | "current_timestamp"]) if format.starts_with("%y-%m-%d") => match target {
            PgType::Timestamp | PgType::TimestampTz | PgType::Date => now_as(target, epoch, "timestamp"),
            _ => Err(String::new()),
        },
        _ => Err(String::new()),
    };
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(default: &str, target: PgType, expected: Result<Option<&str>, ()>) {
        let got = translate(default, target, None);
        match expected {
            Ok(e) => assert_eq!(got.as_ref().map(|o| o.as_deref()), Ok(e), "{default} on {target}"),
            Err(()) => assert!(got.is_err(), "{default} on {target} should fail, got {got:?}"),
        }
    }

    #[test]
    fn translations() {
        check("CURRENT_TIMESTAMP", PgType::TimestampTz, Ok(Some("CURRENT_TIMESTAMP")));
        check("CURRENT_TIMESTAMP", PgType::Timestamp, Ok(Some("timezone('UTC', now())")));
        check("(datetime('now'))", PgType::Timestamp, Ok(Some("timezone('UTC', now())")));
        check("date('now')", PgType::Date, Ok(Some("(timezone('UTC', now()))::date")));
        check("(strftime('%s','now'))", PgType::BigInt, Ok(Some("(EXTRACT(EPOCH FROM now()))::bigint")));
        check("0", PgType::Boolean, Ok(Some("false")));
        check("'1'", PgType::Boolean, Ok(Some("true")));
        check("'{}'", PgType::Jsonb, Ok(Some("'{}'::jsonb")));
        check("'it''s'", PgType::Text, Ok(Some("'it''s'")));
        check("\"quoted\"", PgType::Text, Ok(Some("'quoted'")));
        check("-1", PgType::BigInt, Ok(Some("-1")));
        check("NULL", PgType::Text, Ok(None));
        check("1.5", PgType::Numeric(None), Ok(Some("1.5")));
        check("(strftime('%Y-%m-%dT%H:%M:%fZ', CURRENT_TIMESTAMP))", PgType::TimestampTz, Ok(Some("CURRENT_TIMESTAMP")));
        check("(strftime('%Y-%m-%d %H:%M:%S'))", PgType::Timestamp, Ok(Some("timezone('UTC', now())")));
        check("'2020-01-01'", PgType::Date, Ok(Some("'2020-01-01'")));
    }

    #[test]
    fn refusals() {
        check("2", PgType::Boolean, Err(()));
        check("0", PgType::Timestamp, Err(()));
        check("'\"0\"'", PgType::BigInt, Err(()));
        check("'not json'", PgType::Jsonb, Err(()));
        check("(random())", PgType::BigInt, Err(()));
        check("'abc'", PgType::Uuid, Err(()));
    }
}

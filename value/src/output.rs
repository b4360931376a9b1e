//! PostgreSQL's side read into the same typed values: the expression that selects a column as
//! text, and that text read back. Sessions run with `TimeZone = 'UTC'` and `DateStyle = ISO`
//! (see `sqlite2pg-pg`), so the texts have one shape.

use std::borrow::Cow;

use crate::convert::parse_uuid;
use crate::time::{PG_EPOCH_DAYS, PG_EPOCH_MICROS, iso_date_days, parse_datetime, time_of_day};
use crate::types::TargetType;
use crate::value::PgValue;

/// The SQL that selects `column` (quoted) of type `t` as the text [`read_output`] reads.
pub fn select_expr(column: &str, t: &TargetType) -> String {
    match t {
        TargetType::Bytea => format!("encode({column}, 'hex')"),
        // Months, days and microseconds, as the value is stored (its text output mixes them).
        // Months, days and microseconds, as the value is stored (its text output mixes them);
        // `||` keeps NULL a NULL.
        TargetType::Interval => format!(
            "(extract(year from {column}) * 12 + extract(month from {column}))::bigint::text || ' ' || extract(day from {column})::bigint::text || ' ' || \
             ((extract(hour from {column}) * 60 + extract(minute from {column})) * 60000000 + extract(microseconds from {column}))::bigint::text"
        ),
        TargetType::Array(_) => format!("array_to_json({column})::text"),
        _ => format!("{column}::text"),
    }
}

/// A column's text as [`select_expr`] selects it, read as a value of type `t`; `Err` names
/// what could not be read (a bug or an unexpected server setting, never data).
pub fn read_output(text: &str, t: &TargetType) -> Result<PgValue<'static>, String> {
    let bad = || format!("PostgreSQL's {t} output {text:?} could not be read");
    let owned = |s: &str| Cow::Owned(s.to_string());
    Ok(match t {
        TargetType::Bool => match text {
            "t" | "true" => PgValue::Bool(true),
            "f" | "false" => PgValue::Bool(false),
            _ => return Err(bad()),
        },
        TargetType::Int2 => PgValue::Int2(text.parse().map_err(|_| bad())?),
        TargetType::Int4 => PgValue::Int4(text.parse().map_err(|_| bad())?),
        TargetType::Int8 => PgValue::Int8(text.parse().map_err(|_| bad())?),
        TargetType::Float4 => PgValue::Float4(parse_float(text).ok_or_else(bad)? as f32),
        TargetType::Float8 => PgValue::Float8(parse_float(text).ok_or_else(bad)?),
        TargetType::Numeric(_) => PgValue::Numeric(owned(text)),
        TargetType::Text | TargetType::Varchar(_) | TargetType::Char(_) | TargetType::Citext | TargetType::Enum { .. } | TargetType::TsVector | TargetType::Unsupported(_) => {
            PgValue::Text(owned(text))
        }
        TargetType::Bytea => PgValue::Bytes(Cow::Owned(hex_bytes(text.trim_start_matches("\\x")).ok_or_else(bad)?)),
        TargetType::Json => PgValue::Json(owned(text)),
        TargetType::Jsonb => PgValue::Jsonb(owned(text)),
        TargetType::Uuid => PgValue::Uuid(parse_uuid(text).ok_or_else(bad)?),
        TargetType::Date => PgValue::Date(i32::try_from(iso_date_days(text).ok_or_else(bad)? - PG_EPOCH_DAYS).map_err(|_| bad())?),
        TargetType::Time => PgValue::Time(time_of_day(text.as_bytes()).ok_or_else(bad)?.0),
        TargetType::TimeTz => {
            let (micros, offset) = time_of_day(text.as_bytes()).ok_or_else(bad)?;
            PgValue::TimeTz { micros, offset: offset.unwrap_or(0) }
        }
        TargetType::Timestamp => PgValue::Timestamp(parse_datetime(text).ok_or_else(bad)?.local_micros - PG_EPOCH_MICROS),
        TargetType::TimestampTz => PgValue::TimestampTz(parse_datetime(text).and_then(|d| d.utc_micros()).ok_or_else(bad)? - PG_EPOCH_MICROS),
        TargetType::Interval => {
            let parts: Vec<i64> = text.split(' ').map(str::parse).collect::<Result<_, _>>().map_err(|_| bad())?;
            match parts.as_slice() {
                [months, days, micros] => PgValue::Interval { months: i32::try_from(*months).map_err(|_| bad())?, days: i32::try_from(*days).map_err(|_| bad())?, micros: *micros },
                _ => return Err(bad()),
            }
        }
        TargetType::Inet | TargetType::Cidr => {
            let (addr, prefix) = match text.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (text, None),
            };
            let addr: std::net::IpAddr = addr.parse().map_err(|_| bad())?;
            let prefix = match prefix {
                Some(p) => p.parse().map_err(|_| bad())?,
                None if addr.is_ipv4() => 32,
                None => 128,
            };
            PgValue::Inet { addr, prefix, cidr: *t == TargetType::Cidr }
        }
        TargetType::Array(element) => {
            let items: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|_| bad())?;
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(match item {
                    serde_json::Value::Null => PgValue::Null,
                    serde_json::Value::Bool(v) => PgValue::Bool(v),
                    serde_json::Value::String(s) => read_output(&s, element)?,
                    serde_json::Value::Number(n) => read_output(&n.to_string(), element)?,
                    nested @ (serde_json::Value::Array(_) | serde_json::Value::Object(_)) => read_output(&nested.to_string(), element)?,
                });
            }
            PgValue::Array(out)
        }
    })
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        t => t.parse().ok(),
    }
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.len() % 2 != 0 {
        return None;
    }
    hex.as_bytes().chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_texts() {
        assert_eq!(read_output("2021-01-03 08:11:12.5+00", &TargetType::TimestampTz), Ok(PgValue::TimestampTz(662_976_672_500_000)));
        assert_eq!(read_output("1 -2 3", &TargetType::Interval), Ok(PgValue::Interval { months: 1, days: -2, micros: 3 }));
        assert_eq!(read_output("00ff", &TargetType::Bytea), Ok(PgValue::Bytes(Cow::Owned(vec![0, 255]))));
        assert_eq!(read_output("10:00:00+05:30", &TargetType::TimeTz), Ok(PgValue::TimeTz { micros: 36_000_000_000, offset: 19_800 }));
        assert_eq!(read_output("[1,null]", &TargetType::Array(Box::new(TargetType::Int4))), Ok(PgValue::Array(vec![PgValue::Int4(1), PgValue::Null])));
        assert!(read_output("x", &TargetType::Int4).is_err());
    }
}

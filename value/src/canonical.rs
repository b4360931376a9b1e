//! One text per value, equal exactly when the application reads the same value: how
//! verification compares a converted SQLite value with what PostgreSQL returns.
//!
//! `12.5` and `12.50` (the same numeric), JSON objects with reordered keys (jsonb), the forms of
//! a UUID, an interval's days and hours (an application reads one duration) compare equal;
//! `char(n)`'s padding is not part of its value.

use crate::time::{MICROS_PER_DAY, PG_EPOCH_DAYS, PG_EPOCH_MICROS, format_date, format_time, format_timestamp};
use crate::types::TargetType;
use crate::text::input_text;
use crate::value::PgValue;

/// The canonical text of `value`, a value of type `t` (`None`: NULL).
pub fn canonical(value: &PgValue<'_>, t: &TargetType) -> Option<String> {
    Some(match value {
        // One text each already (PostgreSQL's input form): the same here.
        PgValue::Null | PgValue::Bool(_) | PgValue::Int2(_) | PgValue::Int4(_) | PgValue::Int8(_) | PgValue::Float4(_) | PgValue::Float8(_) | PgValue::Uuid(_) => {
            return input_text(value);
        }
        PgValue::Numeric(text) => decimal(text),
        PgValue::Text(text) if matches!(t, TargetType::Char(_)) => text.trim_end_matches(' ').to_string(),
        PgValue::Text(text) | PgValue::Json(text) => text.to_string(),
        PgValue::Jsonb(text) => serde_json::from_str::<serde_json::Value>(text).map(|v| v.to_string()).unwrap_or_else(|_| text.to_string()),
        PgValue::Bytes(bytes) => bytes.iter().map(|b| format!("{b:02x}")).collect(),
        PgValue::Date(days) => format_date(i64::from(*days) + PG_EPOCH_DAYS),
        PgValue::Time(micros) => format_time(*micros),
        PgValue::TimeTz { micros, offset } => format!("{} {offset}", format_time(*micros)),
        PgValue::Timestamp(micros) | PgValue::TimestampTz(micros) => format_timestamp(micros + PG_EPOCH_MICROS, 'T'),
        PgValue::Interval { months, days, micros } => format!("{months} months {} us", i128::from(*days) * i128::from(MICROS_PER_DAY) + i128::from(*micros)),
        PgValue::Inet { addr, prefix, .. } => format!("{addr}/{prefix}"),
        PgValue::Array(items) => {
            let element = match t {
                TargetType::Array(e) => e.as_ref(),
                other => other,
            };
            let parts: Vec<String> = items.iter().map(|item| canonical(item, element).unwrap_or_else(|| "NULL".into())).collect();
            format!("{{{}}}", parts.join(","))
        }
    })
}

/// A decimal text without leading or trailing zeros (`-0.0` is `0`).
fn decimal(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    if int_part == "0" && frac_part.is_empty() {
        return "0".into();
    }
    if frac_part.is_empty() { format!("{sign}{int_part}") } else { format!("{sign}{int_part}.{frac_part}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::read_output;
    use crate::{Conversion, EpochUnit};
    use rusqlite::types::ValueRef;

    /// A stored value and PostgreSQL's output of it meet in one text.
    fn meet(stored: ValueRef<'_>, t: TargetType, epoch: Option<EpochUnit>, server: &str) {
        let source = Conversion::new(t.clone(), epoch).convert(stored).expect("converts");
        let target = read_output(server, &t).expect("reads");
        assert_eq!(canonical(&source, &t), canonical(&target, &t), "{stored:?} as {t} vs {server:?}");
    }

    #[test]
    fn both_engines_meet() {
        meet(ValueRef::Integer(1), TargetType::Bool, None, "t");
        meet(ValueRef::Text(b"12.5"), TargetType::Numeric(Some((10, 2))), None, "12.50");
        meet(ValueRef::Real(1e20), TargetType::Float8, None, "1e+20");
        meet(ValueRef::Text(b"{\"b\": 1, \"a\": [1, 2]}"), TargetType::Jsonb, None, "{\"a\": [1, 2], \"b\": 1}");
        meet(ValueRef::Text(b"2021-01-03T10:11:12+02:00"), TargetType::TimestampTz, None, "2021-01-03 08:11:12+00");
        meet(ValueRef::Text(b"2021-01-03"), TargetType::Timestamp, None, "2021-01-03 00:00:00");
        meet(ValueRef::Integer(1_600_000_000_123), TargetType::TimestampTz, Some(EpochUnit::Milliseconds), "2020-09-13 12:26:40.123+00");
        meet(ValueRef::Text(b"10:11"), TargetType::Time, None, "10:11:00");
        meet(ValueRef::Blob(&[0, 255]), TargetType::Bytea, None, "00ff");
        meet(ValueRef::Text(b"123E4567E89B12D3A456426614174000"), TargetType::Uuid, None, "123e4567-e89b-12d3-a456-426614174000");
        meet(ValueRef::Integer(90_000_000_000), TargetType::Interval, None, "0 1 3600000000");
        meet(ValueRef::Text(b"ab"), TargetType::Char(4), None, "ab  ");
        meet(ValueRef::Text(b"[\"a\", null]"), TargetType::Array(Box::new(TargetType::Text)), None, "[\"a\",null]");
        assert_eq!(decimal("-0.0"), "0");
    }
}

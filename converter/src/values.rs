//! Whether one stored SQLite value can become a value of the chosen PostgreSQL type.
//!
//! The same rules decide what `inspect`/`plan` report as values that break a column's type
//! and what the copy will reject, so the report and the copy never disagree.

use rusqlite::types::ValueRef;

use crate::mapping::PgType;
use crate::profile::{EpochUnit, IsoShape, is_decimal, is_json_value, is_uuid, iso_shape, parse_bool_text};

/// `None` when `value` converts to `target` exactly; else why not.
pub fn violation(value: ValueRef<'_>, target: PgType, epoch: Option<EpochUnit>) -> Option<&'static str> {
    use PgType::*;
    let text = match value {
        ValueRef::Null => return None,
        ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
            Ok(t) if t.contains('\0') && target != Bytea => return Some("text contains a NUL byte, which PostgreSQL text cannot hold"),
            Ok(t) => Some(t),
            Err(_) if target == Bytea => None,
            Err(_) => return Some("text is not valid UTF-8"),
        },
        _ => None,
    };
    match (target, value) {
        (Bytea, ValueRef::Blob(_) | ValueRef::Text(_)) => None,
        (Bytea, _) => Some("a number in a bytea column"),
        (_, ValueRef::Blob(_)) => Some("a blob in a column that is not bytea"),
        (Boolean, ValueRef::Integer(0 | 1)) => None,
        (Boolean, ValueRef::Integer(_)) => Some("an integer other than 0 or 1 in a boolean column"),
        (Boolean, ValueRef::Text(_)) => text.and_then(parse_bool_text).map_or(Some("text that is not a boolean word"), |_| None),
        (Boolean, _) => Some("a real in a boolean column"),
        (SmallInt, ValueRef::Integer(v)) => (i16::try_from(v).is_err()).then_some("integer out of smallint range"),
        (Integer, ValueRef::Integer(v)) => (i32::try_from(v).is_err()).then_some("integer out of integer range"),
        (BigInt, ValueRef::Integer(_)) => None,
        (SmallInt | Integer | BigInt, ValueRef::Real(_)) => Some("a real in an integer column"),
        (SmallInt | Integer | BigInt, _) => match text.map(str::trim).map(str::parse::<i64>) {
            Some(Ok(v)) if target == BigInt || (target == Integer && i32::try_from(v).is_ok()) || i16::try_from(v).is_ok() => None,
            _ => Some("text that is not an integer in an integer column"),
        },
        (Double, ValueRef::Integer(_) | ValueRef::Real(_)) => None,
        (Double, _) => match text.map(|t| t.trim().parse::<f64>()) {
            Some(Ok(_)) => None,
            _ => Some("text that is not a number in a double precision column"),
        },
        (Numeric(_), ValueRef::Integer(_)) => None,
        (Numeric(_), ValueRef::Real(v)) => (!v.is_finite()).then_some("infinity in a numeric column"),
        (Numeric(_), _) => (!text.is_some_and(|t| is_decimal(t.trim()))).then_some("text that is not a decimal number"),
        (Text | Varchar(_), _) => None,
        (Jsonb, ValueRef::Integer(_)) => None,
        (Jsonb, ValueRef::Real(v)) => (!v.is_finite()).then_some("infinity is not a JSON number"),
        (Jsonb, _) => (!text.is_some_and(|t| is_json_value(t.trim()))).then_some("text that is not valid JSON"),
        (Uuid, _) => (!text.is_some_and(is_uuid)).then_some("not a UUID"),
        (TimestampTz, ValueRef::Integer(_) | ValueRef::Real(_)) if epoch.is_some() => None,
        (Date | Time | Timestamp | TimestampTz, ValueRef::Text(_)) => {
            (!text.is_some_and(|t| iso_text_fits(t, target))).then_some("text that is not an ISO-8601 value of this type")
        }
        (Date | Time | Timestamp | TimestampTz, _) => Some("a number in a date/time column"),
    }
}

/// Whether ISO-8601 `text` is a value of the temporal type `target` (a date fits a timestamp,
/// not the other way round).
pub fn iso_text_fits(text: &str, target: PgType) -> bool {
    use PgType::*;
    matches!(
        (iso_shape(text), target),
        (Some(IsoShape::Date), Date | Timestamp | TimestampTz) | (Some(IsoShape::DateTime { .. }), Timestamp | TimestampTz) | (Some(IsoShape::Time { .. }), Time)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        assert_eq!(violation(ValueRef::Integer(1), PgType::Boolean, None), None);
        assert!(violation(ValueRef::Integer(2), PgType::Boolean, None).is_some());
        assert!(violation(ValueRef::Text(b"abc"), PgType::BigInt, None).is_some());
        assert_eq!(violation(ValueRef::Text(b"{\"a\":1}"), PgType::Jsonb, None), None);
        assert!(violation(ValueRef::Text(b"{a:1}"), PgType::Jsonb, None).is_some());
        assert!(violation(ValueRef::Text(b"a\0b"), PgType::Text, None).is_some());
        assert!(violation(ValueRef::Text(&[0xff, 0xfe]), PgType::Text, None).is_some());
        assert_eq!(violation(ValueRef::Text(&[0xff, 0xfe]), PgType::Bytea, None), None);
        assert_eq!(violation(ValueRef::Integer(1_600_000_000), PgType::TimestampTz, Some(EpochUnit::Seconds)), None);
        assert!(violation(ValueRef::Integer(0), PgType::Timestamp, None).is_some());
        assert_eq!(violation(ValueRef::Real(f64::INFINITY), PgType::Double, None), None);
        assert!(violation(ValueRef::Blob(b"x"), PgType::Text, None).is_some());
    }
}

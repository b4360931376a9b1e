//! Stored values against the plan: whether one converts to a column's planned type (the plan's
//! report of type-breaking values), and a stored value as reports and the rejects file show it.
//!
//! The conversion itself lives in `sqlite2pg-value`, the one typed value layer: the plan names a
//! [`PgType`], [`PgType::target`] makes it a [`TargetType`], and [`Conversion`] decides.

use rusqlite::types::ValueRef;
use sqlite2pg_value::{Conversion, Refusal};

pub use sqlite2pg_value::time::civil_from_days;

use crate::mapping::PgType;
use crate::profile::EpochUnit;

/// A stored value for reports and the rejects file: numbers as numbers, text as (lossy) text,
/// blobs as `x'hex'`. The copy and the verification name rows by keys built with it, so both
/// must use this one function.
pub fn json_value(v: ValueRef<'_>) -> serde_json::Value {
    match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(i) => i.into(),
        ValueRef::Real(r) => serde_json::Number::from_f64(r).map_or_else(|| serde_json::Value::String(r.to_string()), serde_json::Value::Number),
        ValueRef::Text(b) => String::from_utf8_lossy(b).into_owned().into(),
        ValueRef::Blob(b) => format!("x'{}'", b.iter().map(|x| format!("{x:02x}")).collect::<String>()).into(),
    }
}

/// `None` when `value` converts to `target` exactly; else why not.
pub fn violation(value: ValueRef<'_>, target: PgType, epoch: Option<EpochUnit>) -> Option<Refusal> {
    Conversion::new(target.target(), epoch).convert(value).err()
}

/// Whether `text` is a date/time value of the temporal type `target` (a date fits a timestamp,
/// a date-time with a time of day does not fit a date).
pub fn iso_text_fits(text: &str, target: PgType) -> bool {
    target.is_temporal() && violation(ValueRef::Text(text.as_bytes()), target, None).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn violations() {
        assert_eq!(violation(ValueRef::Integer(1), PgType::Boolean, None), None);
        assert!(violation(ValueRef::Integer(2), PgType::Boolean, None).is_some());
        assert!(violation(ValueRef::Text(b"abc"), PgType::BigInt, None).is_some());
        assert_eq!(violation(ValueRef::Text(b"{\"a\":1}"), PgType::Jsonb, None), None);
        assert_eq!(violation(ValueRef::Integer(1_600_000_000), PgType::TimestampTz, Some(EpochUnit::Seconds)), None);
        assert!(violation(ValueRef::Integer(0), PgType::Timestamp, None).is_some());
        assert_eq!(violation(ValueRef::Real(f64::INFINITY), PgType::Double, None), None);
        assert!(iso_text_fits("2020-01-02", PgType::TimestampTz));
        assert!(!iso_text_fits("10:00", PgType::Date));
        assert!(!iso_text_fits("2020-01-02", PgType::Text));
    }
}

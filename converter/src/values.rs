//! How one stored SQLite value becomes a PostgreSQL value of the column's planned type.
//!
//! [`to_pg_text`] gives the value's PostgreSQL text form (what `COPY ... FROM STDIN` reads) or
//! why it cannot go across. The same function decides what `inspect`/`plan` report as values that
//! break a column's type ([`violation`]) and what the copy rejects, so the two never disagree.

use std::borrow::Cow;
use std::fmt::Write;

use rusqlite::types::ValueRef;

use crate::mapping::PgType;
use crate::json::jsonb_shape;
use crate::profile::{EpochUnit, IsoShape, is_decimal, is_uuid, iso_shape, parse_bool_text};

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
pub fn violation(value: ValueRef<'_>, target: PgType, epoch: Option<EpochUnit>) -> Option<&'static str> {
    to_pg_text(value, target, epoch).err()
}

/// The PostgreSQL text form of `value` for a column of type `target` (`None`: SQL NULL), or why
/// the value cannot become one without changing it.
pub fn to_pg_text(value: ValueRef<'_>, target: PgType, epoch: Option<EpochUnit>) -> Result<Option<Cow<'_, str>>, &'static str> {
    use PgType::*;
    let text = match value {
        ValueRef::Null => return Ok(None),
        ValueRef::Text(bytes) if target != Bytea => match std::str::from_utf8(bytes) {
            Ok(t) if t.contains('\0') => return Err("text contains a NUL byte, which PostgreSQL text cannot hold"),
            Ok(t) => Some(t),
            Err(_) => return Err("text is not valid UTF-8"),
        },
        _ => None,
    };
    let owned = |s: String| Ok(Some(Cow::Owned(s)));
    match (target, value) {
        (Bytea, ValueRef::Blob(b) | ValueRef::Text(b)) => owned(hex_bytea(b)),
        (Bytea, _) => Err("a number in a bytea column"),
        (_, ValueRef::Blob(_)) => Err("a blob in a column that is not bytea"),
        (Boolean, ValueRef::Integer(0)) => Ok(Some(Cow::Borrowed("f"))),
        (Boolean, ValueRef::Integer(1)) => Ok(Some(Cow::Borrowed("t"))),
        (Boolean, ValueRef::Integer(_)) => Err("an integer other than 0 or 1 in a boolean column"),
        (Boolean, ValueRef::Text(_)) => match text.and_then(|t| parse_bool_text(t.trim())) {
            Some(b) => Ok(Some(Cow::Borrowed(if b { "t" } else { "f" }))),
            None => Err("text that is not a boolean word"),
        },
        (Boolean, _) => Err("a real in a boolean column"),
        (SmallInt | Integer | BigInt, ValueRef::Integer(v)) => fit_integer(v, target).map(|v| Some(Cow::Owned(v.to_string()))),
        (SmallInt | Integer | BigInt, ValueRef::Real(_)) => Err("a real in an integer column"),
        (SmallInt | Integer | BigInt, _) => match text.map(|t| t.trim().parse::<i64>()) {
            Some(Ok(v)) => fit_integer(v, target).map(|v| Some(Cow::Owned(v.to_string()))),
            _ => Err("text that is not an integer in an integer column"),
        },
        (Double, ValueRef::Integer(v)) => owned(v.to_string()),
        (Double, ValueRef::Real(v)) => owned(float_text(v)),
        (Double, _) => match text.map(|t| t.trim().parse::<f64>()) {
            Some(Ok(v)) => owned(float_text(v)),
            _ => Err("text that is not a number in a double precision column"),
        },
        (Numeric(p), ValueRef::Integer(v)) => numeric_fits(&v.to_string(), p).map(|t| Some(Cow::Owned(t))),
        (Numeric(p), ValueRef::Real(v)) if v.is_finite() => numeric_fits(&format!("{v}"), p).map(|t| Some(Cow::Owned(t))),
        (Numeric(_), ValueRef::Real(_)) => Err("infinity in a numeric column"),
        (Numeric(p), _) => match text.map(str::trim).filter(|t| is_decimal(t)) {
            Some(t) => numeric_fits(t, p).map(|t| Some(Cow::Owned(t))),
            None => Err("text that is not a decimal number"),
        },
        (Text, ValueRef::Text(_)) => Ok(text.map(Cow::Borrowed)),
        (Varchar(n), ValueRef::Text(_)) => match text {
            Some(t) if t.chars().count() > n as usize => Err("text longer than the column's varchar length"),
            t => Ok(t.map(Cow::Borrowed)),
        },
        (Text | Varchar(_), ValueRef::Integer(v)) => owned(v.to_string()),
        (Text | Varchar(_), ValueRef::Real(v)) => owned(float_text(v)),
        (Jsonb, ValueRef::Integer(v)) => owned(v.to_string()),
        (Jsonb, ValueRef::Real(v)) if v.is_finite() => owned(float_text(v)),
        (Jsonb, ValueRef::Real(_)) => Err("infinity is not a JSON number"),
        // As stored: PostgreSQL takes JSON whitespace around the value, nothing else.
        (Jsonb, _) => match text {
            Some(t) => jsonb_shape(t).map(|_| Some(Cow::Borrowed(t))),
            None => Err("text that is not valid JSON"),
        },
        (Uuid, _) => match text {
            Some(t) if is_uuid(t) => Ok(Some(Cow::Borrowed(t))),
            _ => Err("not a UUID"),
        },
        (TimestampTz, ValueRef::Integer(v)) if epoch.is_some() => owned(epoch_to_timestamp(v as i128, epoch.unwrap_or(EpochUnit::Seconds))),
        (TimestampTz, ValueRef::Real(v)) if epoch.is_some() && v.is_finite() => {
            let unit = epoch.unwrap_or(EpochUnit::Seconds);
            owned(epoch_to_timestamp((v * 1_000_000.0 / unit.per_second() as f64).round() as i128, EpochUnit::Microseconds))
        }
        (Date | Time | Timestamp | TimestampTz, ValueRef::Text(_)) => match text {
            Some(t) if iso_text_fits(t, target) => Ok(Some(Cow::Borrowed(t))),
            _ => Err("text that is not an ISO-8601 value of this type"),
        },
        (Date | Time | Timestamp | TimestampTz, _) => Err("a number in a date/time column"),
        (TsVector, _) => Err("tsvector columns are computed by PostgreSQL, never copied"),
        (_, ValueRef::Null) => Ok(None),
    }
}

fn fit_integer(v: i64, target: PgType) -> Result<i64, &'static str> {
    match target {
        PgType::SmallInt if i16::try_from(v).is_err() => Err("integer out of smallint range"),
        PgType::Integer if i32::try_from(v).is_err() => Err("integer out of integer range"),
        _ => Ok(v),
    }
}

/// A decimal text that `numeric(p,s)` holds exactly (PostgreSQL would round extra fraction
/// digits silently, and reject too many integer digits).
fn numeric_fits(text: &str, precision: Option<(u32, u32)>) -> Result<String, &'static str> {
    if let Some((p, s)) = precision {
        let unsigned = text.trim_start_matches(['+', '-']);
        let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let int_digits = int_part.trim_start_matches('0').len() as u32;
        let frac_digits = frac_part.trim_end_matches('0').len() as u32;
        if int_digits > p - s {
            return Err("number too large for the column's numeric precision");
        }
        if frac_digits > s {
            return Err("number has more fraction digits than the column's numeric scale");
        }
    }
    Ok(text.to_string())
}

/// A double as PostgreSQL reads it back to the same bits: the shortest round-trip form.
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "Infinity".into()
    } else if v == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        format!("{v:?}")
    }
}

/// `\x` and hex digits: bytea's text input form.
fn hex_bytea(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("\\x");
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// An epoch count in `unit` as a UTC timestamp text with microseconds.
pub fn epoch_to_timestamp(count: i128, unit: EpochUnit) -> String {
    let micros = count * (1_000_000 / unit.per_second() as i128);
    let days = micros.div_euclid(86_400_000_000);
    let in_day = micros.rem_euclid(86_400_000_000);
    let (y, m, d) = civil_from_days(days as i64);
    let secs = in_day / 1_000_000;
    let frac = in_day % 1_000_000;
    let (hh, mm, ss) = (secs / 3600, secs % 3600 / 60, secs % 60);
    // Years before 1 AD are written with BC in PostgreSQL; epoch magnitudes never get there.
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02}.{frac:06}+00")
}

/// Days since 1970-01-01 -> (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
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


/// An ISO date (`YYYY-MM-DD`, nothing else) as days since 1970-01-01.
pub fn iso_date_days(text: &str) -> Option<i64> {
    (text.len() == 10).then(|| days_since_1970(text.as_bytes())).flatten()
}

/// An ISO time of day (`HH:MM[:SS[.f]]`, no zone) as microseconds since midnight, as
/// PostgreSQL reads it: fractions past microseconds rounded half to even, and a 60th second
/// running into the next minute (`23:59:60` is `24:00:00`).
pub fn iso_time_micros(text: &str) -> Option<i64> {
    match time_of_day(text.as_bytes())? {
        (micros, None) => Some(micros),
        _ => None,
    }
}

/// An ISO date or date-time as microseconds since 1970-01-01, as PostgreSQL reads it for
/// `timestamptz` (`apply_zone`: a zone offset is applied, none means UTC, the copy sessions'
/// time zone) or `timestamp` (a zone is ignored, as PostgreSQL ignores it).
pub fn iso_timestamp_micros(text: &str, apply_zone: bool) -> Option<i64> {
    timestamp_micros(text.as_bytes(), apply_zone)
}

/// `YYYY-MM-DD` at the start of `b` as days since 1970-01-01.
fn days_since_1970(b: &[u8]) -> Option<i64> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (field_digits(&b[0..4])?, field_digits(&b[5..7])?, field_digits(&b[8..10])?);
    Some(days_from_civil(y, m, d))
}

/// (year, month, day) -> days since 1970-01-01 in the proleptic Gregorian calendar (Howard
/// Hinnant's `days_from_civil`, the inverse of `civil_from_days`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A date or time field of ASCII digits (at most 18: no overflow); `None` when empty or not all
/// digits. Folded by hand: it runs for every field of every date-time value copied.
fn field_digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    b.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
}

/// `HH:MM[:SS[.f+]][ ][zone]` as microseconds since midnight, and the zone's offset east of UTC
/// in seconds when there is one. A 60th second runs into the next minute, as in PostgreSQL.
fn time_of_day(b: &[u8]) -> Option<(i64, Option<i64>)> {
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let (h, m) = (field_digits(&b[0..2])?, field_digits(&b[3..5])?);
    let mut micros = (h * 60 + m) * 60 * 1_000_000;
    let mut i = 5;
    if b.len() >= 8 && b[5] == b':' {
        micros += field_digits(&b[6..8])? * 1_000_000;
        i = 8;
        if b.len() > 8 && b[8] == b'.' {
            let n = b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            // PostgreSQL reads the fraction with strtod and rounds it to microseconds with
            // rint (ties to even): the same double operations give the same microsecond.
            let fraction: f64 = std::str::from_utf8(&b[8..9 + n]).ok()?.parse::<f64>().ok()?;
            micros += (fraction * 1_000_000.0).round_ties_even() as i64;
            i = 9 + n;
        }
    }
    let rest = &b[i..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let zone = match rest {
        [] => None,
        b"Z" | b"z" => Some(0),
        [sign, hh @ ..] if *sign == b'+' || *sign == b'-' => {
            let (zh, zm) = match hh {
                [h1, h2] => (field_digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (field_digits(&[*h1, *h2])?, field_digits(&[*m1, *m2])?),
                _ => return None,
            };
            let offset = (zh * 60 + zm) * 60;
            Some(if *sign == b'-' { -offset } else { offset })
        }
        _ => return None,
    };
    Some((micros, zone))
}

/// A date or date-time text as microseconds since 1970-01-01 UTC. With `apply_zone` (timestamptz)
/// a zone offset is subtracted and a missing one means UTC, the copy sessions' time zone;
/// without it (timestamp) a zone is ignored, as PostgreSQL ignores it for `timestamp`.
fn timestamp_micros(b: &[u8], apply_zone: bool) -> Option<i64> {
    let days = days_since_1970(b)?;
    let midnight = days.checked_mul(86_400_000_000)?;
    if b.len() == 10 {
        return Some(midnight);
    }
    if b[10] != b' ' && b[10] != b'T' {
        return None;
    }
    let (micros, zone) = time_of_day(&b[11..])?;
    let local = midnight.checked_add(micros)?;
    match zone {
        Some(offset) if apply_zone => local.checked_sub(offset * 1_000_000),
        _ => Some(local),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: ValueRef<'_>, t: PgType) -> Option<String> {
        to_pg_text(v, t, None).expect("converts").map(|c| c.into_owned())
    }

    #[test]
    fn violations() {
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
        assert!(violation(ValueRef::Real(1.005), PgType::Numeric(Some((5, 2))), None).is_some());
        assert!(violation(ValueRef::Integer(40_000), PgType::SmallInt, None).is_some());
    }

    #[test]
    fn text_forms() {
        assert_eq!(text(ValueRef::Integer(1), PgType::Boolean).as_deref(), Some("t"));
        assert_eq!(text(ValueRef::Text(b"false"), PgType::Boolean).as_deref(), Some("f"));
        assert_eq!(text(ValueRef::Real(0.1), PgType::Double).as_deref(), Some("0.1"));
        assert_eq!(text(ValueRef::Real(f64::NEG_INFINITY), PgType::Double).as_deref(), Some("-Infinity"));
        assert_eq!(text(ValueRef::Real(0.99), PgType::Numeric(Some((10, 2)))).as_deref(), Some("0.99"));
        assert_eq!(text(ValueRef::Blob(&[0, 255]), PgType::Bytea).as_deref(), Some("\\x00ff"));
        assert_eq!(text(ValueRef::Integer(9_007_199_254_740_993), PgType::BigInt).as_deref(), Some("9007199254740993"));
        assert_eq!(text(ValueRef::Null, PgType::Text), None);
        let ts = to_pg_text(ValueRef::Integer(1_600_000_000_123), PgType::TimestampTz, Some(EpochUnit::Milliseconds)).expect("ok");
        assert_eq!(ts.as_deref(), Some("2020-09-13 12:26:40.123000+00"));
        assert_eq!(epoch_to_timestamp(-1, EpochUnit::Seconds), "1969-12-31 23:59:59.000000+00");
    }

    #[test]
    fn iso_temporal_values_as_postgresql_reads_them() {
        let t = |s: &str, tz: bool| iso_timestamp_micros(s, tz).map(|m| m - 946_684_800_000_000);
        assert_eq!(t("2000-01-01", true), Some(0));
        assert_eq!(t("2000-01-01 00:00:01.5", false), Some(1_500_000));
        assert_eq!(t("1999-12-31T23:59:59.999999", false), Some(-1));
        assert_eq!(t("2000-01-01 02:00:00+02:00", true), Some(0));
        assert_eq!(t("2000-01-01 02:00:00+02:00", false), Some(7_200_000_000), "timestamp ignores the zone");
        assert_eq!(t("2000-01-01 00:00:00-0530", true), Some(19_800_000_000));
        assert_eq!(t("2000-01-01 00:00:00Z", true), Some(0));
        assert_eq!(t("2000-01-01 23:59:60", false), Some(86_400_000_000), "a 60th second runs over");
        assert_eq!(t("2000-01-01 00:00:00.0000005", false), Some(0), "ties to even");
        assert_eq!(t("2000-01-01 00:00:00.0000015", false), Some(2));
        assert_eq!(t("2000-01-01 00:00:00.0000025", false), Some(2));
        assert_eq!(t("2024-02-29 12:00", false), Some((8_825 * 86_400 + 43_200) * 1_000_000));
        assert_eq!(days_since_1970(b"1970-01-01"), Some(0));
        assert_eq!(days_since_1970(b"0001-01-01"), Some(-719_162));
        assert_eq!(iso_date_days("2000-01-02"), Some(10_958));
        assert_eq!(iso_date_days("2000-01-02 00:00"), None);
        assert_eq!(iso_time_micros("23:59:60"), Some(86_400_000_000));
        assert_eq!(iso_time_micros("23:59:59.9999995"), Some(86_400_000_000));
        assert_eq!(iso_time_micros("10:11"), Some(36_660_000_000));
        assert_eq!(iso_time_micros("10:11+02"), None);
    }

}

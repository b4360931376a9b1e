//! How one stored SQLite value becomes a typed PostgreSQL value: a [`Conversion`] chosen per
//! (source column, target type), and [`Refusal`], why a value cannot go across unchanged.
//!
//! One function decides for the plan's report of type-breaking values, the copy's pre-flight,
//! the copy itself (its rejects) and verification, so they never disagree.

use std::borrow::Cow;
use std::net::IpAddr;
use std::str::FromStr;

use rusqlite::types::ValueRef;
use serde::{Deserialize, Serialize};

use crate::json::{JsonError, jsonb_shape};
use crate::scalars::{is_decimal, parse_bool_text};
use crate::time::{EpochUnit, MICROS_PER_DAY, NaiveZone, PG_EPOCH_DAYS, PG_EPOCH_MICROS, julian_day_micros, parse_datetime, time_of_day};
use crate::types::TargetType;
use crate::value::{PgValue, float_text};

/// Why a stored value cannot become a value of its target type without changing it. The text
/// (`Display`) is what reports and the rejects file say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Text with a NUL byte.
    #[error("text contains a NUL byte, which PostgreSQL text cannot hold")]
    TextNul,
    /// Bytes that are not UTF-8 where text is needed.
    #[error("text is not valid UTF-8")]
    TextNotUtf8,
    /// A blob where no bytes are taken.
    #[error("a blob in a column that is not bytea")]
    BlobNotBytea,
    /// An integer other than 0 or 1 for a boolean.
    #[error("an integer other than 0 or 1 in a boolean column")]
    BoolInteger,
    /// Text that is no boolean word.
    #[error("text that is not a boolean word")]
    BoolText,
    /// A real for a boolean.
    #[error("a real in a boolean column")]
    BoolReal,
    /// An integer outside the type's range.
    #[error("integer out of {0} range")]
    OutOfRange(&'static str),
    /// A real with a fraction (or beyond 64 bits) for an integer.
    #[error("a real in an integer column")]
    RealInInteger,
    /// Text that is not an integer for an integer.
    #[error("text that is not an integer in an integer column")]
    TextNotInteger,
    /// Text that is not a number for a float.
    #[error("text that is not a number in a double precision column")]
    TextNotNumber,
    /// More integer digits than `numeric(p,s)` holds.
    #[error("number too large for the column's numeric precision")]
    NumericPrecision,
    /// More fraction digits than `numeric(p,s)` keeps: PostgreSQL would round silently.
    #[error("number has more fraction digits than the column's numeric scale")]
    NumericScale,
    /// Infinity or NaN for a numeric.
    #[error("infinity in a numeric column")]
    NumericInfinity,
    /// Text that is not a decimal number for a numeric.
    #[error("text that is not a decimal number")]
    TextNotDecimal,
    /// Text longer than `varchar(n)`/`char(n)`.
    #[error("text longer than the column's length ({0} characters)")]
    TooLong(u32),
    /// Infinity or NaN for JSON.
    #[error("infinity is not a JSON number")]
    JsonInfinity,
    /// Text that is not JSON as `jsonb` takes it.
    #[error("{0}")]
    NotJson(JsonError),
    /// Not a UUID in any of its stored forms.
    #[error("not a UUID (dashed or 32-hex text, or 16 bytes)")]
    NotUuid,
    /// Text that is no date or time SQLite's date functions read, of this type.
    #[error("text that is not an ISO-8601 value of this type")]
    NotTemporal,
    /// A date-time with a time of day for a `date`.
    #[error("a date-time with a time of day in a date column (the time would be lost)")]
    TimeInDate,
    /// A number for a date/time type whose column has no epoch unit (and no Julian day).
    #[error("a number in a date/time column")]
    NumberInTemporal,
    /// A local time the column's zone skips (the hour daylight saving jumps over).
    #[error("a local time that does not exist in the configured time zone (skipped by daylight saving)")]
    SkippedLocalTime,
    /// A date or time past PostgreSQL's range.
    #[error("a date or time beyond PostgreSQL's range")]
    TemporalRange,
    /// Not a duration in any stored form.
    #[error("not a duration (integer microseconds, `1970-01-01 HH:MM:SS` from the epoch, or ISO-8601 `P...`)")]
    NotInterval,
    /// Not an IP address or network.
    #[error("not an IP address (with an optional /prefix)")]
    NotInet,
    /// A `cidr` with bits set right of its mask.
    #[error("a network with bits set right of its mask, which cidr refuses")]
    HostBitsInCidr,
    /// Text that is not one of the enum's labels.
    #[error("not one of the enum type's labels")]
    NotEnumLabel,
    /// Text that is not a JSON array (arrays come from JSON arrays).
    #[error("not a JSON array of the element type")]
    NotJsonArray,
    /// An array element that does not convert.
    #[error("an array element: {0}")]
    ArrayElement(Box<Refusal>),
    /// A `tsvector` column.
    #[error("tsvector columns are computed by PostgreSQL, never copied")]
    TsVector,
    /// A type sqlite2pg has no conversion for.
    #[error("sqlite2pg has no conversion to PostgreSQL type {0}")]
    Unsupported(String),
    /// NULL where the column is NOT NULL.
    #[error("NULL in a NOT NULL column")]
    NullInNotNull,
}

/// What integers and reals in an `interval` column count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DurationUnit {
    /// Microseconds: Django's `DurationField` on SQLite.
    #[default]
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
}

impl DurationUnit {
    fn micros(self) -> i64 {
        match self {
            DurationUnit::Microseconds => 1,
            DurationUnit::Milliseconds => 1_000,
            DurationUnit::Seconds => 1_000_000,
        }
    }
}

/// How one column's stored values become values of its target type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Conversion {
    /// The target type.
    pub target: TargetType,
    /// What numbers in a date/time column count (from the column's profile or the config);
    /// `None`: numbers there are refused.
    pub epoch: Option<EpochUnit>,
    /// What numbers in an `interval` column count.
    pub duration_unit: DurationUnit,
    /// The zone a date-time without one is in, when it becomes a `timestamptz` or `timetz`.
    pub naive_zone: NaiveZone,
}

impl Conversion {
    /// A conversion to `target`, numbers in date/time columns counted in `epoch`.
    pub fn new(target: TargetType, epoch: Option<EpochUnit>) -> Self {
        Conversion { target, epoch, duration_unit: DurationUnit::default(), naive_zone: NaiveZone::Utc }
    }

    /// The typed value `value` becomes, or why it cannot become one unchanged.
    pub fn convert<'a>(&self, value: ValueRef<'a>) -> Result<PgValue<'a>, Refusal> {
        convert_to(&self.target, &Units { epoch: self.epoch, duration: self.duration_unit, zone: self.naive_zone }, value)
    }
}

/// Text PostgreSQL can hold: UTF-8 without NUL.
pub fn clean_text(bytes: &[u8]) -> Result<&str, Refusal> {
    let text = std::str::from_utf8(bytes).map_err(|_| Refusal::TextNotUtf8)?;
    // SIMD search for NUL: this runs over every byte of every text copied.
    match memchr::memchr(0, bytes) {
        Some(_) => Err(Refusal::TextNul),
        None => Ok(text),
    }
}

/// How numbers and naive date-times read, for one column.
#[derive(Debug, Clone, Copy)]
struct Units {
    epoch: Option<EpochUnit>,
    duration: DurationUnit,
    zone: NaiveZone,
}

fn convert_to<'a>(target: &TargetType, units: &Units, value: ValueRef<'a>) -> Result<PgValue<'a>, Refusal> {
    use TargetType as T;
    if let ValueRef::Null = value {
        return Ok(PgValue::Null);
    }
    match target {
        T::Bool => to_bool(value).map(PgValue::Bool),
        T::Int2 => i16::try_from(to_integer(value)?).map(PgValue::Int2).map_err(|_| Refusal::OutOfRange("smallint")),
        T::Int4 => i32::try_from(to_integer(value)?).map(PgValue::Int4).map_err(|_| Refusal::OutOfRange("integer")),
        T::Int8 => to_integer(value).map(PgValue::Int8),
        T::Float4 => to_float(value).map(|v| PgValue::Float4(v as f32)),
        T::Float8 => to_float(value).map(PgValue::Float8),
        T::Numeric(modifiers) => to_numeric(value, *modifiers).map(PgValue::Numeric),
        T::Text | T::Citext | T::Varchar(None) => to_text(value).map(PgValue::Text),
        T::Varchar(Some(n)) => {
            let text = to_text(value)?;
            if text.chars().count() > *n as usize {
                return Err(Refusal::TooLong(*n));
            }
            Ok(PgValue::Text(text))
        }
        T::Char(n) => {
            let text = to_text(value)?;
            // char(n) drops trailing blanks past its length, as PostgreSQL's input does.
            if text.trim_end_matches(' ').chars().count() > *n as usize {
                return Err(Refusal::TooLong(*n));
            }
            Ok(PgValue::Text(text))
        }
        // Numbers in a bytea column (SQLite's BLOB affinity keeps them) as the bytes of their
        // decimal text: the plan says so, and nothing is lost.
        T::Bytea => match value {
            ValueRef::Blob(b) | ValueRef::Text(b) => Ok(PgValue::Bytes(Cow::Borrowed(b))),
            ValueRef::Integer(v) => Ok(PgValue::Bytes(Cow::Owned(v.to_string().into_bytes()))),
            ValueRef::Real(r) => Ok(PgValue::Bytes(Cow::Owned(float_text(r).into_bytes()))),
            ValueRef::Null => Ok(PgValue::Null),
        },
        T::Json => to_json(value).map(PgValue::Json),
        T::Jsonb => to_json(value).map(PgValue::Jsonb),
        T::Uuid => to_uuid(value).map(PgValue::Uuid),
        T::Date => {
            let micros = to_instant(value, units, false)?;
            if micros.rem_euclid(MICROS_PER_DAY) != 0 {
                return Err(Refusal::TimeInDate);
            }
            i32::try_from(micros.div_euclid(MICROS_PER_DAY) - PG_EPOCH_DAYS).map(PgValue::Date).map_err(|_| Refusal::TemporalRange)
        }
        T::Time => time_value(value).map(|(micros, _)| PgValue::Time(micros)),
        T::TimeTz => time_value(value).map(|(micros, offset)| PgValue::TimeTz { micros, offset: offset.unwrap_or_else(|| units.zone.fixed_offset()) }),
        T::Timestamp => since_2000(to_instant(value, units, false)?).map(PgValue::Timestamp),
        T::TimestampTz => since_2000(to_instant(value, units, true)?).map(PgValue::TimestampTz),
        T::Interval => to_interval(value, units.duration),
        T::Inet => to_inet(value, false),
        T::Cidr => to_inet(value, true),
        T::Enum { labels, .. } => {
            let text = to_text(value)?;
            if labels.iter().any(|l| l.as_str() == text.as_ref()) { Ok(PgValue::Text(text)) } else { Err(Refusal::NotEnumLabel) }
        }
        T::Array(element) => to_array(value, element, units),
        T::TsVector => Err(Refusal::TsVector),
        T::Unsupported(name) => Err(Refusal::Unsupported(name.clone())),
    }
}

fn to_bool(value: ValueRef<'_>) -> Result<bool, Refusal> {
    match value {
        ValueRef::Integer(0) => Ok(false),
        ValueRef::Integer(1) => Ok(true),
        ValueRef::Integer(_) => Err(Refusal::BoolInteger),
        ValueRef::Real(r) if r == 0.0 => Ok(false),
        ValueRef::Real(r) if r == 1.0 => Ok(true),
        ValueRef::Real(_) => Err(Refusal::BoolReal),
        ValueRef::Text(b) => parse_bool_text(clean_text(b)?.trim()).ok_or(Refusal::BoolText),
        ValueRef::Blob(_) => Err(Refusal::BlobNotBytea),
        ValueRef::Null => Err(Refusal::NullInNotNull),
    }
}

fn to_integer(value: ValueRef<'_>) -> Result<i64, Refusal> {
    match value {
        ValueRef::Integer(v) => Ok(v),
        // A whole real is the same number (SQLite's NUMERIC affinity stores 2.0 as a real).
        ValueRef::Real(r) if r.fract() == 0.0 && r.abs() < 9.2e18 => Ok(r as i64),
        ValueRef::Real(_) => Err(Refusal::RealInInteger),
        ValueRef::Text(b) => clean_text(b)?.trim().parse::<i64>().map_err(|_| Refusal::TextNotInteger),
        ValueRef::Blob(_) => Err(Refusal::BlobNotBytea),
        ValueRef::Null => Err(Refusal::NullInNotNull),
    }
}

fn to_float(value: ValueRef<'_>) -> Result<f64, Refusal> {
    match value {
        // `as` rounds to the nearest double, as PostgreSQL's parse of the decimal text does.
        ValueRef::Integer(v) => Ok(v as f64),
        ValueRef::Real(r) => Ok(r),
        ValueRef::Text(b) => clean_text(b)?.trim().parse::<f64>().map_err(|_| Refusal::TextNotNumber),
        ValueRef::Blob(_) => Err(Refusal::BlobNotBytea),
        ValueRef::Null => Err(Refusal::NullInNotNull),
    }
}

fn to_numeric(value: ValueRef<'_>, modifiers: Option<(u32, u32)>) -> Result<Cow<'_, str>, Refusal> {
    let text: Cow<'_, str> = match value {
        ValueRef::Integer(v) => Cow::Owned(v.to_string()),
        // Display writes every digit, never an exponent: the decimal the double is.
        ValueRef::Real(r) if r.is_finite() => Cow::Owned(format!("{r}")),
        ValueRef::Real(_) => return Err(Refusal::NumericInfinity),
        ValueRef::Text(b) => match clean_text(b)?.trim() {
            t if is_decimal(t) => Cow::Borrowed(t),
            _ => return Err(Refusal::TextNotDecimal),
        },
        ValueRef::Blob(_) => return Err(Refusal::BlobNotBytea),
        ValueRef::Null => return Err(Refusal::NullInNotNull),
    };
    numeric_fits(&text, modifiers)?;
    Ok(text)
}

/// Whether a decimal text fits `numeric(p,s)` exactly (PostgreSQL would round extra fraction
/// digits silently, and reject too many integer digits).
fn numeric_fits(text: &str, modifiers: Option<(u32, u32)>) -> Result<(), Refusal> {
    if let Some((p, s)) = modifiers {
        let unsigned = text.trim_start_matches(['+', '-']);
        let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let int_digits = int_part.trim_start_matches('0').len() as u32;
        let frac_digits = frac_part.trim_end_matches('0').len() as u32;
        if int_digits > p.saturating_sub(s) {
            return Err(Refusal::NumericPrecision);
        }
        if frac_digits > s {
            return Err(Refusal::NumericScale);
        }
    }
    Ok(())
}

fn to_text(value: ValueRef<'_>) -> Result<Cow<'_, str>, Refusal> {
    match value {
        ValueRef::Text(b) => clean_text(b).map(Cow::Borrowed),
        ValueRef::Integer(v) => Ok(Cow::Owned(v.to_string())),
        ValueRef::Real(r) => Ok(Cow::Owned(float_text(r))),
        ValueRef::Blob(_) => Err(Refusal::BlobNotBytea),
        ValueRef::Null => Err(Refusal::NullInNotNull),
    }
}

fn to_json(value: ValueRef<'_>) -> Result<Cow<'_, str>, Refusal> {
    match value {
        ValueRef::Integer(v) => Ok(Cow::Owned(v.to_string())),
        ValueRef::Real(r) if r.is_finite() => Ok(Cow::Owned(float_text(r))),
        ValueRef::Real(_) => Err(Refusal::JsonInfinity),
        // As stored: PostgreSQL takes JSON whitespace around the value, nothing else.
        ValueRef::Text(b) => {
            let text = clean_text(b)?;
            jsonb_shape(text).map_err(Refusal::NotJson)?;
            Ok(Cow::Borrowed(text))
        }
        ValueRef::Blob(_) => Err(Refusal::BlobNotBytea),
        ValueRef::Null => Err(Refusal::NullInNotNull),
    }
}

/// A UUID from dashed text (braces allowed), 32 hex digits, or 16 bytes.
fn to_uuid(value: ValueRef<'_>) -> Result<[u8; 16], Refusal> {
    match value {
        ValueRef::Blob(b) => <[u8; 16]>::try_from(b).map_err(|_| Refusal::NotUuid),
        ValueRef::Text(b) => parse_uuid(std::str::from_utf8(b).map_err(|_| Refusal::NotUuid)?).ok_or(Refusal::NotUuid),
        ValueRef::Integer(_) | ValueRef::Real(_) | ValueRef::Null => Err(Refusal::NotUuid),
    }
}

/// A UUID's text, `8-4-4-4-12` (in braces or not) or 32 hex digits, any case.
pub fn parse_uuid(text: &str) -> Option<[u8; 16]> {
    let t = text.trim();
    let t = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(t);
    let b = t.as_bytes();
    let hex: Vec<u8> = match b.len() {
        32 => b.to_vec(),
        36 if [8, 13, 18, 23].iter().all(|&i| b[i] == b'-') => b.iter().copied().filter(|&c| c != b'-').collect(),
        _ => return None,
    };
    let mut out = [0u8; 16];
    for (i, pair) in hex.chunks(2).enumerate() {
        let digit = |c: u8| (c as char).to_digit(16);
        out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(out)
}

/// A date-time as microseconds since 1970-01-01: texts as SQLite's date functions write them
/// (`apply_zone`: an offset shifts the value to UTC and a text without one is read in the
/// column's zone; else the offset is ignored, as PostgreSQL's `timestamp` ignores it), numbers
/// as epoch counts in the column's unit, or, without one, reals that are Julian day numbers
/// (what SQLite's `julianday()` stores).
fn to_instant(value: ValueRef<'_>, units: &Units, apply_zone: bool) -> Result<i64, Refusal> {
    match (value, units.epoch) {
        (ValueRef::Text(b), _) => {
            let dt = parse_datetime(clean_text(b)?.trim()).ok_or(Refusal::NotTemporal)?;
            match (apply_zone, dt.offset) {
                (false, _) => Ok(dt.local_micros),
                (true, Some(_)) => dt.utc_micros().ok_or(Refusal::TemporalRange),
                (true, None) => units.zone.to_utc(dt.local_micros).ok_or(Refusal::SkippedLocalTime),
            }
        }
        (ValueRef::Integer(v), Some(unit)) => unit.integer_micros(v).ok_or(Refusal::TemporalRange),
        (ValueRef::Real(v), Some(unit)) => unit.real_micros(v).ok_or(Refusal::TemporalRange),
        (ValueRef::Real(v), None) => julian_day_micros(v).ok_or(Refusal::NumberInTemporal),
        (ValueRef::Integer(_), None) => Err(Refusal::NumberInTemporal),
        (ValueRef::Blob(_), _) => Err(Refusal::BlobNotBytea),
        (ValueRef::Null, _) => Err(Refusal::NullInNotNull),
    }
}

fn since_2000(micros_since_1970: i64) -> Result<i64, Refusal> {
    micros_since_1970.checked_sub(PG_EPOCH_MICROS).ok_or(Refusal::TemporalRange)
}

/// A time of day, and its zone when the text names one.
fn time_value(value: ValueRef<'_>) -> Result<(i64, Option<i32>), Refusal> {
    match value {
        ValueRef::Text(b) => time_of_day(clean_text(b)?.trim().as_bytes()).ok_or(Refusal::NotTemporal),
        ValueRef::Integer(_) | ValueRef::Real(_) => Err(Refusal::NumberInTemporal),
        ValueRef::Blob(_) => Err(Refusal::BlobNotBytea),
        ValueRef::Null => Err(Refusal::NullInNotNull),
    }
}

/// A duration: a number of `unit`s (Django stores microseconds), a date-time counted from
/// 1970-01-01 (SQLAlchemy's `Interval` on SQLite: `1970-01-02 09:02:14.000000` is 1 day 9:02:14),
/// or an ISO-8601 duration (`P1Y2M3DT4H5M6.5S`).
fn to_interval(value: ValueRef<'_>, unit: DurationUnit) -> Result<PgValue<'static>, Refusal> {
    let micros = |m: i64| PgValue::Interval { months: 0, days: 0, micros: m };
    match value {
        ValueRef::Integer(v) => v.checked_mul(unit.micros()).map(micros).ok_or(Refusal::NotInterval),
        ValueRef::Real(r) => {
            let m = (r * unit.micros() as f64).round();
            if m.is_finite() && m.abs() < 9.2e18 { Ok(micros(m as i64)) } else { Err(Refusal::NotInterval) }
        }
        ValueRef::Text(b) => {
            let text = clean_text(b)?.trim();
            if let Ok(v) = text.parse::<i64>() {
                return v.checked_mul(unit.micros()).map(micros).ok_or(Refusal::NotInterval);
            }
            if let Some(dt) = parse_datetime(text) {
                return Ok(micros(dt.local_micros));
            }
            iso_duration(text).ok_or(Refusal::NotInterval)
        }
        ValueRef::Blob(_) => Err(Refusal::BlobNotBytea),
        ValueRef::Null => Err(Refusal::NullInNotNull),
    }
}

/// `[-]P[nY][nM][nW][nD][T[nH][nM][n[.f]S]]`, each number optionally signed.
fn iso_duration(text: &str) -> Option<PgValue<'static>> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    if rest.is_empty() {
        return None;
    }
    let (mut months, mut days, mut micros) = (0i64, 0i64, 0i64);
    let mut in_time = false;
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            'T' | 't' if number.is_empty() && !in_time => in_time = true,
            '0'..='9' | '.' | '-' | '+' => number.push(c),
            designator => {
                let n: f64 = number.parse().ok()?;
                number.clear();
                let whole = || (n.fract() == 0.0).then_some(n as i64);
                match (in_time, designator.to_ascii_uppercase()) {
                    (false, 'Y') => months += whole()? * 12,
                    (false, 'M') => months += whole()?,
                    (false, 'W') => days += whole()? * 7,
                    (false, 'D') => days += whole()?,
                    (true, 'H') => micros += whole()? * 3_600_000_000,
                    (true, 'M') => micros += whole()? * 60_000_000,
                    (true, 'S') => micros += (n * 1_000_000.0).round() as i64,
                    _ => return None,
                }
            }
        }
    }
    if !number.is_empty() {
        return None;
    }
    let sign = if negative { -1 } else { 1 };
    Some(PgValue::Interval { months: i32::try_from(sign * months).ok()?, days: i32::try_from(sign * days).ok()?, micros: sign * micros })
}

fn to_inet(value: ValueRef<'_>, cidr: bool) -> Result<PgValue<'static>, Refusal> {
    let ValueRef::Text(b) = value else { return Err(Refusal::NotInet) };
    let text = clean_text(b)?.trim();
    let (addr_text, prefix_text) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let addr = IpAddr::from_str(addr_text).map_err(|_| Refusal::NotInet)?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix_text {
        Some(p) => p.parse::<u8>().ok().filter(|&p| p <= max).ok_or(Refusal::NotInet)?,
        None => max,
    };
    if cidr && !host_bits_zero(addr, prefix) {
        return Err(Refusal::HostBitsInCidr);
    }
    Ok(PgValue::Inet { addr, prefix, cidr })
}

fn host_bits_zero(addr: IpAddr, prefix: u8) -> bool {
    let (bits, width): (u128, u32) = match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    };
    let host = width - u32::from(prefix);
    host == 0 || bits & ((1u128 << host) - 1) == 0
}

fn to_array<'a>(value: ValueRef<'a>, element: &TargetType, units: &Units) -> Result<PgValue<'a>, Refusal> {
    let ValueRef::Text(b) = value else { return Err(Refusal::NotJsonArray) };
    let items: Vec<serde_json::Value> = serde_json::from_str(clean_text(b)?).map_err(|_| Refusal::NotJsonArray)?;
    let element_error = |e: Refusal| Refusal::ArrayElement(Box::new(e));
    let mut out = Vec::with_capacity(items.len());
    for item in &items {
        let converted = match item {
            serde_json::Value::Null => PgValue::Null,
            serde_json::Value::Bool(v) if *element == TargetType::Bool => PgValue::Bool(*v),
            serde_json::Value::Bool(v) => convert_to(element, units, ValueRef::Text(if *v { b"true" } else { b"false" })).map_err(element_error)?.into_owned(),
            serde_json::Value::Number(n) => {
                let stored = match (n.as_i64(), n.as_f64()) {
                    (Some(i), _) => ValueRef::Integer(i),
                    (None, Some(f)) => ValueRef::Real(f),
                    (None, None) => return Err(element_error(Refusal::TextNotNumber)),
                };
                convert_to(element, units, stored).map_err(element_error)?.into_owned()
            }
            serde_json::Value::String(s) => convert_to(element, units, ValueRef::Text(s.as_bytes())).map_err(element_error)?.into_owned(),
            nested @ (serde_json::Value::Array(_) | serde_json::Value::Object(_)) => match element {
                TargetType::Json => PgValue::Json(Cow::Owned(nested.to_string())),
                TargetType::Jsonb => PgValue::Jsonb(Cow::Owned(nested.to_string())),
                _ => return Err(element_error(Refusal::NotJsonArray)),
            },
        };
        out.push(converted);
    }
    Ok(PgValue::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn conv(target: TargetType) -> Conversion {
        Conversion::new(target, None)
    }

    #[test]
    fn refusals() {
        assert_eq!(conv(TargetType::Bool).convert(ValueRef::Integer(1)), Ok(PgValue::Bool(true)));
        assert_eq!(conv(TargetType::Bool).convert(ValueRef::Integer(2)), Err(Refusal::BoolInteger));
        assert_eq!(conv(TargetType::Int8).convert(ValueRef::Text(b"abc")), Err(Refusal::TextNotInteger));
        assert_eq!(conv(TargetType::Int4).convert(ValueRef::Integer(3_000_000_000)), Err(Refusal::OutOfRange("integer")));
        assert_eq!(conv(TargetType::Int2).convert(ValueRef::Integer(40_000)), Err(Refusal::OutOfRange("smallint")));
        assert_eq!(conv(TargetType::Int4).convert(ValueRef::Real(3.0)), Ok(PgValue::Int4(3)));
        assert_eq!(conv(TargetType::Int4).convert(ValueRef::Real(3.5)), Err(Refusal::RealInInteger));
        assert!(conv(TargetType::Jsonb).convert(ValueRef::Text(b"{a:1}")).is_err());
        assert_eq!(conv(TargetType::Text).convert(ValueRef::Text(b"a\0b")), Err(Refusal::TextNul));
        assert_eq!(conv(TargetType::Text).convert(ValueRef::Text(&[0xff, 0xfe])), Err(Refusal::TextNotUtf8));
        assert!(conv(TargetType::Bytea).convert(ValueRef::Text(&[0xff, 0xfe])).is_ok());
        assert_eq!(conv(TargetType::Timestamp).convert(ValueRef::Integer(0)), Err(Refusal::NumberInTemporal));
        assert_eq!(conv(TargetType::Text).convert(ValueRef::Blob(b"x")), Err(Refusal::BlobNotBytea));
        assert_eq!(conv(TargetType::Numeric(Some((5, 2)))).convert(ValueRef::Real(1.005)), Err(Refusal::NumericScale));
        assert_eq!(conv(TargetType::Numeric(Some((5, 2)))).convert(ValueRef::Integer(1234)), Err(Refusal::NumericPrecision));
        assert_eq!(conv(TargetType::Varchar(Some(3))).convert(ValueRef::Text("été!".as_bytes())), Err(Refusal::TooLong(3)));
        assert!(conv(TargetType::Varchar(Some(3))).convert(ValueRef::Text("été".as_bytes())).is_ok());
        assert!(conv(TargetType::Char(2)).convert(ValueRef::Text(b"ab   ")).is_ok(), "blanks past char(n) are dropped");
        assert_eq!(conv(TargetType::Date).convert(ValueRef::Text(b"2020-01-02 10:00")), Err(Refusal::TimeInDate));
        assert_eq!(conv(TargetType::Cidr).convert(ValueRef::Text(b"10.0.0.1/8")), Err(Refusal::HostBitsInCidr));
        let status = TargetType::Enum { name: "status".into(), labels: Arc::from(vec!["on".to_string(), "off".to_string()]) };
        assert_eq!(conv(status.clone()).convert(ValueRef::Text(b"on")), Ok(PgValue::Text(Cow::Borrowed("on"))));
        assert_eq!(conv(status).convert(ValueRef::Text(b"ON")), Err(Refusal::NotEnumLabel));
        assert_eq!(conv(TargetType::Unsupported("point".into())).convert(ValueRef::Text(b"(1,2)")), Err(Refusal::Unsupported("point".into())));
    }

    #[test]
    fn uuids_in_every_stored_form() {
        let expected = PgValue::Uuid([0x0f, 0x3c, 0x9a, 0x10, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
        for stored in [&b"0f3c9a10445566778899aabbccddeeff"[..], b"0F3C9A10-4455-6677-8899-AABBCCDDEEFF", b"{0f3c9a10-4455-6677-8899-aabbccddeeff}"] {
            assert_eq!(conv(TargetType::Uuid).convert(ValueRef::Text(stored)), Ok(expected.clone()));
        }
        let blob = [0x0f, 0x3c, 0x9a, 0x10, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff];
        assert_eq!(conv(TargetType::Uuid).convert(ValueRef::Blob(&blob)), Ok(expected));
        assert_eq!(conv(TargetType::Uuid).convert(ValueRef::Text(b"0f3c9a10")), Err(Refusal::NotUuid));
    }

    #[test]
    fn durations_in_every_stored_form() {
        let interval = |months, days, micros| Ok(PgValue::Interval { months, days, micros });
        let c = conv(TargetType::Interval);
        assert_eq!(c.convert(ValueRef::Integer(-518_400_000_000)), interval(0, 0, -518_400_000_000), "Django: microseconds");
        assert_eq!(c.convert(ValueRef::Text(b"1970-01-01 09:02:14.000000")), interval(0, 0, 32_534_000_000), "SQLAlchemy: from the epoch");
        assert_eq!(c.convert(ValueRef::Text(b"1970-01-03 00:00:01")), interval(0, 0, 2 * 86_400_000_000 + 1_000_000));
        assert_eq!(c.convert(ValueRef::Text(b"1969-12-31 23:00:00")), interval(0, 0, -3_600_000_000));
        assert_eq!(c.convert(ValueRef::Text(b"P1Y2M3DT4H5M6.5S")), interval(14, 3, 14_706_500_000));
        assert_eq!(c.convert(ValueRef::Text(b"-P1D")), interval(0, -1, 0));
        assert_eq!(Conversion { duration_unit: DurationUnit::Seconds, ..c.clone() }.convert(ValueRef::Integer(2)), interval(0, 0, 2_000_000));
        assert_eq!(c.convert(ValueRef::Text(b"soon")), Err(Refusal::NotInterval));
    }

    #[test]
    fn instants_and_arrays() {
        let tz = conv(TargetType::TimestampTz);
        assert_eq!(tz.convert(ValueRef::Text(b"2000-01-01 02:00:00+02:00")), Ok(PgValue::TimestampTz(0)));
        assert_eq!(tz.convert(ValueRef::Text(b"2000-01-01 00:00:01")), Ok(PgValue::TimestampTz(1_000_000)), "naive is UTC");
        let epoch = Conversion::new(TargetType::TimestampTz, Some(EpochUnit::Milliseconds));
        assert_eq!(epoch.convert(ValueRef::Integer(946_684_800_001)), Ok(PgValue::TimestampTz(1_000)));
        assert_eq!(conv(TargetType::TimeTz).convert(ValueRef::Text(b"10:00:00+02")), Ok(PgValue::TimeTz { micros: 36_000_000_000, offset: 7200 }));
        assert_eq!(tz.convert(ValueRef::Real(2_451_545.0)), Ok(PgValue::TimestampTz(43_200_000_000)), "a Julian day number");
        let berlin = Conversion { naive_zone: NaiveZone::parse("Europe/Berlin").expect("zone"), ..tz.clone() };
        assert_eq!(berlin.convert(ValueRef::Text(b"2000-01-01 01:00:00")), Ok(PgValue::TimestampTz(0)), "naive text in the configured zone");
        assert_eq!(berlin.convert(ValueRef::Text(b"2000-01-01 01:00:00+00")), Ok(PgValue::TimestampTz(3_600_000_000)), "a zone in the text wins");
        let ints = conv(TargetType::Array(Box::new(TargetType::Int4)));
        assert_eq!(ints.convert(ValueRef::Text(b"[1, null, 3]")), Ok(PgValue::Array(vec![PgValue::Int4(1), PgValue::Null, PgValue::Int4(3)])));
        assert!(matches!(ints.convert(ValueRef::Text(b"[1.5]")), Err(Refusal::ArrayElement(_))));
        assert!(conv(TargetType::Inet).convert(ValueRef::Text(b"2001:db8::1")).is_ok());
    }
}

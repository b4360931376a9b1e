//! Canonical text of a value, the same whichever engine it comes from, so that `0`/`1` and
//! `false`/`true`, JSON text and jsonb, ISO text, epoch numbers and timestamptz, `12.5` and
//! `12.50`, REAL printing and NaN/Infinity compare equal exactly when they are the same value.

use sqlite2pg_converter::mapping::PgType;
use sqlite2pg_converter::values::civil_from_days;

/// The SQL that selects a PostgreSQL column as the text [`canonical`] reads.
pub fn pg_select_expr(column: &str, t: PgType) -> String {
    match t {
        PgType::Bytea => format!("encode({column}, 'hex')"),
        PgType::Timestamp => format!("to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"),
        PgType::TimestampTz => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"),
        PgType::Time => format!("to_char(('2000-01-01'::date + {column})::timestamp, 'HH24:MI:SS.US')"),
        PgType::Date => format!("to_char({column}, 'YYYY-MM-DD')"),
        _ => format!("{column}::text"),
    }
}

/// Canonical form of a value's text (PostgreSQL output or the copy's input form) for type `t`.
pub fn canonical(text: &str, t: PgType) -> String {
    match t {
        PgType::Boolean => match text {
            "t" | "true" => "t".into(),
            "f" | "false" => "f".into(),
            other => other.into(),
        },
        PgType::Double => match text {
            "NaN" => "NaN".into(),
            "Infinity" | "inf" => "Infinity".into(),
            "-Infinity" | "-inf" => "-Infinity".into(),
            other => other.parse::<f64>().map(|v| format!("{v:?}")).unwrap_or_else(|_| other.into()),
        },
        PgType::Numeric(_) => decimal(text),
        PgType::Bytea => text.trim_start_matches("\\x").to_ascii_lowercase(),
        PgType::Jsonb => serde_json::from_str::<serde_json::Value>(text).map(|v| v.to_string()).unwrap_or_else(|_| text.into()),
        PgType::Uuid => text.trim_matches(['{', '}']).to_ascii_lowercase(),
        PgType::Timestamp => timestamp(text, false).unwrap_or_else(|| text.into()),
        PgType::TimestampTz => timestamp(text, true).unwrap_or_else(|| text.into()),
        PgType::Time => time(text).map(|(h, m, s, us)| format!("{h:02}:{m:02}:{s:02}.{us:06}")).unwrap_or_else(|| text.into()),
        _ => text.into(),
    }
}

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

/// `HH:MM[:SS[.f]]` -> (h, m, s, microseconds), rounding past microseconds as PostgreSQL does.
fn time(text: &str) -> Option<(u32, u32, u32, u32)> {
    let b = text.as_bytes();
    let h: u32 = text.get(0..2)?.parse().ok()?;
    let m: u32 = text.get(3..5)?.parse().ok()?;
    let (s, us) = if b.len() >= 8 && b[5] == b':' {
        let s: u32 = text.get(6..8)?.parse().ok()?;
        let us = if b.len() > 9 && b[8] == b'.' { micros(&text[9..]) } else { 0 };
        (s, us)
    } else {
        (0, 0)
    };
    Some((h, m, s, us))
}

fn micros(frac: &str) -> u32 {
    let digits: String = frac.chars().take_while(|c| c.is_ascii_digit()).collect();
    let mut padded: String = digits.chars().chain(std::iter::repeat('0')).take(7).collect();
    let round_up = padded.pop().is_some_and(|c| c >= '5');
    padded.parse::<u32>().unwrap_or(0) + u32::from(round_up)
}

/// ISO date or date-time text -> `YYYY-MM-DDTHH:MM:SS.ffffff`, in UTC when `to_utc` (a zone-less
/// value is UTC: the copy's sessions run in UTC).
fn timestamp(text: &str, to_utc: bool) -> Option<String> {
    let year: i64 = text.get(0..4)?.parse().ok()?;
    let month: u32 = text.get(5..7)?.parse().ok()?;
    let day: u32 = text.get(8..10)?.parse().ok()?;
    let rest = text.get(10..).unwrap_or("");
    let rest = rest.strip_prefix(['T', ' ']).unwrap_or(rest);
    let (clock, zone) = split_zone(rest);
    let (h, m, s, mut us) = if clock.is_empty() { (0, 0, 0, 0) } else { time(clock)? };
    let mut total = days_from_civil(year, month, day) * 86_400 + i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s);
    if us >= 1_000_000 {
        us -= 1_000_000;
        total += 1;
    }
    if to_utc {
        total -= zone;
    }
    let days = total.div_euclid(86_400);
    let secs = total.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    Some(format!("{y:04}-{mo:02}-{d:02}T{:02}:{:02}:{:02}.{us:06}", secs / 3600, secs % 3600 / 60, secs % 60))
}

/// (clock text, zone offset in seconds east of UTC).
fn split_zone(rest: &str) -> (&str, i64) {
    let rest = rest.trim_end();
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return (clock.trim_end(), 0);
    }
    if let Some(pos) = rest.rfind(['+', '-']).filter(|&p| p >= 5) {
        let (clock, zone) = rest.split_at(pos);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let digits: String = zone[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let (hh, mm) = match digits.len() {
            2 => (digits.parse::<i64>().unwrap_or(0), 0),
            4 => (digits[..2].parse::<i64>().unwrap_or(0), digits[2..].parse::<i64>().unwrap_or(0)),
            _ => return (rest, 0),
        };
        return (clock.trim_end(), sign * (hh * 3600 + mm * 60));
    }
    (rest, 0)
}

/// (year, month, day) -> days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_engines_meet() {
        assert_eq!(canonical("true", PgType::Boolean), canonical("t", PgType::Boolean));
        assert_eq!(canonical("12.50", PgType::Numeric(None)), canonical("12.5", PgType::Numeric(None)));
        assert_eq!(canonical("-0.0", PgType::Numeric(None)), "0");
        assert_eq!(canonical("1e+20", PgType::Double), canonical("100000000000000000000.0", PgType::Double));
        assert_eq!(canonical("{\"b\": 1, \"a\": [1, 2]}", PgType::Jsonb), canonical("{\"a\":[1,2],\"b\":1}", PgType::Jsonb));
        assert_eq!(canonical("2021-01-03 10:11:12", PgType::Timestamp), "2021-01-03T10:11:12.000000");
        assert_eq!(canonical("2021-01-03", PgType::Timestamp), "2021-01-03T00:00:00.000000");
        assert_eq!(canonical("2021-01-03T10:11:12+02:00", PgType::TimestampTz), "2021-01-03T08:11:12.000000");
        assert_eq!(canonical("2020-09-13 12:26:40.123000+00", PgType::TimestampTz), "2020-09-13T12:26:40.123000");
        assert_eq!(canonical("2021-01-01T00:30:00.1234567-01:00", PgType::TimestampTz), "2021-01-01T01:30:00.123457");
        assert_eq!(canonical("10:11", PgType::Time), "10:11:00.000000");
        assert_eq!(canonical("\\x00FF", PgType::Bytea), "00ff");
        assert_eq!(canonical("{123E4567-E89B-12D3-A456-426614174000}", PgType::Uuid), "123e4567-e89b-12d3-a456-426614174000");
    }
}

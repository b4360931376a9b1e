//! Canonical text of a value, the same whichever engine it comes from, so that `0`/`1` and
//! `false`/`true`, JSON text and jsonb, ISO text, epoch numbers and timestamptz, `12.5` and
//! `12.50`, REAL printing and NaN/Infinity compare equal exactly when they are the same value.

use sqlite2pg_converter::mapping::PgType;
use sqlite2pg_converter::values::{civil_from_days, iso_time_micros, iso_timestamp_micros};

/// The SQL that selects a PostgreSQL column as the text [`canonical`] reads.
pub fn pg_select_expr(column: &str, t: PgType) -> String {
    match t {
        PgType::Bytea => format!("encode({column}, 'hex')"),
        PgType::Timestamp => format!("to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"),
        PgType::TimestampTz => format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US')"),
        // As text: `24:00:00` stays itself (a timestamp would wrap it to midnight).
        PgType::Time => format!("{column}::text"),
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
        // Both engines' texts read as PostgreSQL reads them (the copy's input form on one side,
        // PostgreSQL's output on the other), then printed one way.
        PgType::Timestamp => iso_timestamp_micros(text, false).map(timestamp).unwrap_or_else(|| text.into()),
        PgType::TimestampTz => iso_timestamp_micros(text, true).map(timestamp).unwrap_or_else(|| text.into()),
        PgType::Time => iso_time_micros(text).map(time).unwrap_or_else(|| text.into()),
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

/// Microseconds since midnight as `HH:MM:SS.ffffff` (24:00:00 included).
fn time(micros: i64) -> String {
    let (secs, us) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    format!("{:02}:{:02}:{:02}.{us:06}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Microseconds since 1970-01-01 as `YYYY-MM-DDTHH:MM:SS.ffffff`.
fn timestamp(micros: i64) -> String {
    let (days, in_day) = (micros.div_euclid(86_400_000_000), micros.rem_euclid(86_400_000_000));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{}", time(in_day))
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

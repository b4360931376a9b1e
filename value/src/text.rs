//! A value as PostgreSQL's text input reads it, and in COPY's text format (escaped, `\N` for
//! NULL).

use std::fmt::Write;

use crate::time::{PG_EPOCH_DAYS, PG_EPOCH_MICROS, format_date, format_time, format_timestamp};
use crate::value::{PgValue, float4_text, float_text, uuid_text};

/// The NULL marker of COPY's text format.
pub const COPY_NULL: &[u8] = b"\\N";

/// The value's text input form (`None`: NULL).
pub fn input_text(value: &PgValue<'_>) -> Option<String> {
    Some(match value {
        PgValue::Null => return None,
        PgValue::Bool(v) => (if *v { "t" } else { "f" }).to_string(),
        PgValue::Int2(v) => v.to_string(),
        PgValue::Int4(v) => v.to_string(),
        PgValue::Int8(v) => v.to_string(),
        PgValue::Float4(v) => float4_text(*v),
        PgValue::Float8(v) => float_text(*v),
        PgValue::Numeric(t) | PgValue::Text(t) | PgValue::Json(t) | PgValue::Jsonb(t) => t.to_string(),
        PgValue::Bytes(b) => {
            let mut s = String::with_capacity(2 + b.len() * 2);
            s.push_str("\\x");
            for byte in b.iter() {
                let _ = write!(s, "{byte:02x}");
            }
            s
        }
        PgValue::Uuid(u) => uuid_text(u),
        PgValue::Date(days) => format_date(i64::from(*days) + PG_EPOCH_DAYS),
        PgValue::Time(micros) => format_time(*micros),
        PgValue::TimeTz { micros, offset } => format!("{}{}", format_time(*micros), zone(*offset)),
        PgValue::Timestamp(micros) => format_timestamp(micros + PG_EPOCH_MICROS, ' '),
        PgValue::TimestampTz(micros) => format!("{}+00", format_timestamp(micros + PG_EPOCH_MICROS, ' ')),
        PgValue::Interval { months, days, micros } => format!("{months} mons {days} days {micros} microseconds"),
        PgValue::Inet { addr, prefix, .. } => format!("{addr}/{prefix}"),
        PgValue::Array(items) => {
            let mut s = String::from("{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                match input_text(item) {
                    None => s.push_str("NULL"),
                    Some(t) => {
                        s.push('"');
                        for c in t.chars() {
                            if c == '"' || c == '\\' {
                                s.push('\\');
                            }
                            s.push(c);
                        }
                        s.push('"');
                    }
                }
            }
            s.push('}');
            s
        }
    })
}

/// `+HH:MM` for seconds east of UTC.
fn zone(offset: i32) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60)
}

/// Append one field in COPY's text format.
pub fn push_copy_text(out: &mut Vec<u8>, value: &PgValue<'_>) {
    match value {
        PgValue::Null => out.extend_from_slice(COPY_NULL),
        // The common types without an intermediate string.
        PgValue::Text(t) | PgValue::Json(t) | PgValue::Jsonb(t) | PgValue::Numeric(t) => push_escaped(out, t),
        other => {
            if let Some(text) = input_text(other) {
                push_escaped(out, &text);
            }
        }
    }
}

/// Append `text` to `out`, escaped for COPY's text format.
pub fn push_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn text_forms() {
        assert_eq!(input_text(&PgValue::Bool(true)).as_deref(), Some("t"));
        assert_eq!(input_text(&PgValue::Float8(f64::NEG_INFINITY)).as_deref(), Some("-Infinity"));
        assert_eq!(input_text(&PgValue::Bytes(Cow::Borrowed(&[0, 255]))).as_deref(), Some("\\x00ff"));
        assert_eq!(input_text(&PgValue::TimestampTz(1_000)).as_deref(), Some("2000-01-01 00:00:00.001000+00"));
        assert_eq!(input_text(&PgValue::TimeTz { micros: 0, offset: -19_800 }).as_deref(), Some("00:00:00.000000-05:30"));
        assert_eq!(input_text(&PgValue::Array(vec![PgValue::Text(Cow::Borrowed("a\"b")), PgValue::Null])).as_deref(), Some("{\"a\\\"b\",NULL}"));
        let mut out = Vec::new();
        push_escaped(&mut out, "a\tb\\c\nd\re");
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re");
    }
}

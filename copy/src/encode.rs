//! The two `COPY ... FROM STDIN` formats rows are encoded in.
//!
//! Text: tab-separated, `\N` for NULL, backslash escapes. Binary: PostgreSQL's binary tuple
//! format, which the server stores without parsing numbers, dates and escapes (on the 1M-row
//! benchmark, two binary streams load in 1.1 s what two text streams load in 1.6 s).
//!
//! Both encode the same converted value: [`sqlite2pg_converter::values::to_pg_text`] checks
//! and converts every value and gives its PostgreSQL text form; the binary encoder turns that
//! text (or, for bytea and epoch timestamps, the stored value itself) into the type's binary
//! form. The common pairs (integers, flags, reals, epoch numbers, text, JSON text, blobs) skip
//! the text form ([`push_binary_direct`]): the same bytes, without formatting numbers and
//! parsing them back. A table is loaded in binary when every column's type has a binary encoder here
//! ([`binary_capable`]: all but `tsvector`, which is never copied).

use rusqlite::types::ValueRef;
use sqlite2pg_converter::mapping::PgType;
use sqlite2pg_converter::profile::EpochUnit;
use sqlite2pg_converter::json::is_jsonb;
use sqlite2pg_converter::values::{iso_date_days, iso_time_micros, iso_timestamp_micros};

/// How a table's chunks are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// COPY's text format.
    Text,
    /// COPY's binary format.
    Binary,
}

/// Append `text` to `out`, escaped for COPY's text format.
pub(crate) fn push_escaped(out: &mut Vec<u8>, text: &str) {
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

/// The NULL marker of the text format.
pub(crate) const NULL: &[u8] = b"\\N";

/// What opens every binary COPY stream: signature, flags, header extension length.
pub(crate) const BINARY_HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// What ends it: a tuple with field count -1.
pub(crate) const BINARY_TRAILER: &[u8] = &[0xff, 0xff];

/// The rows of a self-contained chunk (in the binary format: header, tuples, trailer) for a
/// COPY stream that carries many chunks: the writer sends the header once at the stream's
/// start and the trailer once at its end. A text chunk is all rows.
pub(crate) fn stream_slice(data: &[u8], format: Format) -> &[u8] {
    match format {
        Format::Text => data,
        Format::Binary => {
            debug_assert!(data.is_empty() || (data.starts_with(BINARY_HEADER) && data.ends_with(BINARY_TRAILER)), "a binary chunk is framed");
            let tuples = data.strip_suffix(BINARY_TRAILER).unwrap_or(data);
            tuples.strip_prefix(BINARY_HEADER).unwrap_or(tuples)
        }
    }
}

/// Whether values of `t` can be written in the binary format.
pub(crate) fn binary_capable(t: PgType) -> bool {
    t != PgType::TsVector
}

/// Start a binary tuple of `fields` fields.
pub(crate) fn push_tuple_start(out: &mut Vec<u8>, fields: usize) {
    out.extend_from_slice(&(fields as i16).to_be_bytes());
}

/// A binary NULL field.
pub(crate) fn push_binary_null(out: &mut Vec<u8>) {
    out.extend_from_slice(&(-1i32).to_be_bytes());
}

/// Append the binary field of a value whose conversion needs no text form: the common pairs
/// (integers, 0/1 flags, reals, epoch numbers, text, JSON text, blobs, NULL), encoded exactly as
/// [`to_pg_text`](sqlite2pg_converter::values::to_pg_text) followed by [`push_binary_field`]
/// would encode them, without formatting numbers to text and parsing them back. `false` (and
/// nothing appended) for every other pair and for any value that conversion would reject or
/// coerce: the caller then takes the general path, which decides.
pub(crate) fn push_binary_direct(out: &mut Vec<u8>, value: ValueRef<'_>, spec: &crate::reader::ColumnSpec) -> bool {
    let field = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    match (spec.pg_type, value) {
        (_, ValueRef::Null) => push_binary_null(out),
        (PgType::BigInt, ValueRef::Integer(v)) => field(out, &v.to_be_bytes()),
        (PgType::Integer, ValueRef::Integer(v)) => match i32::try_from(v) {
            Ok(v) => field(out, &v.to_be_bytes()),
            Err(_) => return false,
        },
        (PgType::SmallInt, ValueRef::Integer(v)) => match i16::try_from(v) {
            Ok(v) => field(out, &v.to_be_bytes()),
            Err(_) => return false,
        },
        (PgType::Boolean, ValueRef::Integer(v @ (0 | 1))) => field(out, &[v as u8]),
        // The shortest round-trip text reads back to the same double; `as` rounds an integer to
        // the nearest double, as parsing its decimal text does.
        (PgType::Double, ValueRef::Real(v)) if !v.is_nan() => field(out, &v.to_bits().to_be_bytes()),
        (PgType::Double, ValueRef::Integer(v)) => field(out, &(v as f64).to_bits().to_be_bytes()),
        (PgType::TimestampTz, ValueRef::Integer(v)) if spec.epoch.is_some() => {
            let unit = spec.epoch.unwrap_or(EpochUnit::Seconds);
            match i64::try_from(i128::from(v) * i128::from(1_000_000 / unit.per_second())).ok().and_then(|m| m.checked_sub(PG_EPOCH_MICROS)) {
                Some(micros) => field(out, &micros.to_be_bytes()),
                None => return false,
            }
        }
        (PgType::TimestampTz, ValueRef::Real(v)) if spec.epoch.is_some() && v.is_finite() => {
            let unit = spec.epoch.unwrap_or(EpochUnit::Seconds);
            match ((v * 1_000_000.0 / unit.per_second() as f64).round() as i64).checked_sub(PG_EPOCH_MICROS) {
                Some(micros) => field(out, &micros.to_be_bytes()),
                None => return false,
            }
        }
        (PgType::Text, ValueRef::Text(b)) if clean_text(b).is_some() => field(out, b),
        (PgType::Jsonb, ValueRef::Text(b)) if clean_text(b).is_some_and(is_jsonb) => {
            out.extend_from_slice(&(b.len() as i32 + 1).to_be_bytes());
            out.push(1);
            out.extend_from_slice(b);
        }
        (PgType::Bytea, ValueRef::Blob(b) | ValueRef::Text(b)) => field(out, b),
        _ => return false,
    }
    true
}

/// Text PostgreSQL can hold: UTF-8 without NUL, as `to_pg_text` requires.
fn clean_text(b: &[u8]) -> Option<&str> {
    // SIMD search for NUL: this runs over every byte of every text copied.
    std::str::from_utf8(b).ok().filter(|_| memchr::memchr(0, b).is_none())
}

/// Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
/// Days from 1970-01-01 to 2000-01-01.
const PG_EPOCH_DAYS: i64 = 10_957;

/// Append one binary field: `value` as converted to `text` for `target`. `None` when the text
/// has a shape this encoder does not know, which would be a bug: `to_pg_text` only gives shapes
/// handled here.
pub(crate) fn push_binary_field(out: &mut Vec<u8>, value: ValueRef<'_>, target: PgType, epoch: Option<EpochUnit>, text: &str) -> Option<()> {
    let start = out.len();
    out.extend_from_slice(&[0, 0, 0, 0]);
    encode(out, value, target, epoch, text)?;
    let len = i32::try_from(out.len() - start - 4).ok()?;
    out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    Some(())
}

fn encode(out: &mut Vec<u8>, value: ValueRef<'_>, target: PgType, epoch: Option<EpochUnit>, text: &str) -> Option<()> {
    match target {
        PgType::Boolean => out.push(match text {
            "t" => 1,
            "f" => 0,
            _ => return None,
        }),
        PgType::SmallInt => out.extend_from_slice(&text.parse::<i16>().ok()?.to_be_bytes()),
        PgType::Integer => out.extend_from_slice(&text.parse::<i32>().ok()?.to_be_bytes()),
        PgType::BigInt => out.extend_from_slice(&text.parse::<i64>().ok()?.to_be_bytes()),
        PgType::Double => {
            let v = match text {
                "NaN" => f64::NAN,
                "Infinity" => f64::INFINITY,
                "-Infinity" => f64::NEG_INFINITY,
                // Correctly rounded, as PostgreSQL's strtod is: the same double as text input.
                t => t.parse::<f64>().ok()?,
            };
            out.extend_from_slice(&v.to_bits().to_be_bytes());
        }
        PgType::Text | PgType::Varchar(_) => out.extend_from_slice(text.as_bytes()),
        PgType::Bytea => match value {
            ValueRef::Blob(b) | ValueRef::Text(b) => out.extend_from_slice(b),
            _ => return None,
        },
        PgType::Jsonb => {
            // jsonb's binary form: a version byte, then the JSON text.
            out.push(1);
            out.extend_from_slice(text.as_bytes());
        }
        PgType::Uuid => {
            let t = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(text);
            let hex: Vec<u8> = t.bytes().filter(|&b| b != b'-').collect();
            if hex.len() != 32 {
                return None;
            }
            for pair in hex.chunks(2) {
                out.push(u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?);
            }
        }
        PgType::Date => out.extend_from_slice(&i32::try_from(iso_date_days(text)? - PG_EPOCH_DAYS).ok()?.to_be_bytes()),
        PgType::Time => out.extend_from_slice(&iso_time_micros(text)?.to_be_bytes()),
        PgType::Timestamp | PgType::TimestampTz => {
            let micros = match (value, epoch) {
                // Epoch numbers: the instant from the stored number, as to_pg_text computes it.
                (ValueRef::Integer(v), Some(unit)) => i64::try_from(i128::from(v) * i128::from(1_000_000 / unit.per_second())).ok()?,
                (ValueRef::Real(v), Some(unit)) => (v * 1_000_000.0 / unit.per_second() as f64).round() as i64,
                _ => iso_timestamp_micros(text, target == PgType::TimestampTz)?,
            };
            out.extend_from_slice(&micros.checked_sub(PG_EPOCH_MICROS)?.to_be_bytes());
        }
        PgType::Numeric(_) => push_numeric(out, text)?,
        PgType::TsVector => return None,
    }
    Some(())
}

/// A decimal text (`[+-]digits[.digits]`, either part may be empty) as PostgreSQL's binary
/// numeric: digit count, weight (of the first base-10000 digit), sign, display scale (the
/// fraction digits as written, as numeric input keeps them; a column's scale is applied by the
/// server), then the base-10000 digits without leading or trailing zero digits.
fn push_numeric(out: &mut Vec<u8>, text: &str) -> Option<()> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if (int_part.is_empty() && frac_part.is_empty()) || !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let dscale = i16::try_from(frac_part.len()).ok()?;
    let int_part = int_part.trim_start_matches('0');
    // Whole groups of four: the integer part padded on the left, the fraction on the right.
    let int_groups = int_part.len().div_ceil(4);
    let mut decimal = "0".repeat(int_groups * 4 - int_part.len());
    decimal.push_str(int_part);
    decimal.push_str(frac_part);
    decimal.push_str(&"0".repeat((4 - frac_part.len() % 4) % 4));
    let mut digits: Vec<i16> = decimal.as_bytes().chunks(4).map(|g| g.iter().fold(0i16, |n, d| n * 10 + i16::from(d - b'0'))).collect();
    let mut weight = int_groups as i64 - 1;
    let leading = digits.iter().take_while(|&&d| d == 0).count();
    digits.drain(..leading);
    weight -= leading as i64;
    while digits.last() == Some(&0) {
        digits.pop();
    }
    let (weight, sign): (i16, u16) = if digits.is_empty() { (0, 0) } else { (i16::try_from(weight).ok()?, if negative { 0x4000 } else { 0 }) };
    out.extend_from_slice(&i16::try_from(digits.len()).ok()?.to_be_bytes());
    out.extend_from_slice(&weight.to_be_bytes());
    out.extend_from_slice(&sign.to_be_bytes());
    out.extend_from_slice(&dscale.to_be_bytes());
    for d in digits {
        out.extend_from_slice(&d.to_be_bytes());
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_joined_into_one_stream_lose_only_their_framing() {
        let chunk = |tuples: &[u8]| [BINARY_HEADER, tuples, BINARY_TRAILER].concat();
        // Tuples that end like a trailer or start like a header lose nothing but the framing.
        let (a, b) = (chunk(&[0, 1, 0xff, 0xff]), chunk(b"PGCOPY\n\xff\r\n"));
        let stream = [BINARY_HEADER, stream_slice(&a, Format::Binary), stream_slice(&b, Format::Binary), BINARY_TRAILER].concat();
        assert_eq!(stream, [BINARY_HEADER, &[0, 1, 0xff, 0xff], b"PGCOPY\n\xff\r\n", BINARY_TRAILER].concat());
        assert_eq!(stream_slice(b"1\tx\n", Format::Text), b"1\tx\n");
    }

    #[test]
    fn escapes() {
        let mut out = Vec::new();
        push_escaped(&mut out, "a\tb\\c\nd\re");
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re");
    }

    fn field(value: ValueRef<'_>, target: PgType, epoch: Option<EpochUnit>, text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        push_binary_field(&mut out, value, target, epoch, text).expect("encodes");
        out
    }

    /// The direct encoder agrees byte for byte with the general path wherever it answers, and
    /// leaves every value the general path rejects to it.
    #[test]
    fn direct_fields_match_the_general_path() {
        use sqlite2pg_converter::values::to_pg_text;
        let values = [
            ValueRef::Null,
            ValueRef::Integer(0),
            ValueRef::Integer(1),
            ValueRef::Integer(-7),
            ValueRef::Integer(40_000),
            ValueRef::Integer(3_000_000_000),
            ValueRef::Integer(1_700_000_000),
            ValueRef::Integer(1_700_000_000_123),
            ValueRef::Integer(i64::MAX),
            ValueRef::Integer(i64::MIN),
            ValueRef::Integer((1 << 53) + 1),
            ValueRef::Real(0.1),
            ValueRef::Real(-0.0),
            ValueRef::Real(1e300),
            ValueRef::Real(5e-324),
            ValueRef::Real(1_700_000_000.5),
            ValueRef::Real(f64::INFINITY),
            ValueRef::Real(f64::NEG_INFINITY),
            ValueRef::Text(b"plain"),
            ValueRef::Text(b" {\"a\": [1, 2]} "),
            ValueRef::Text(b"{not json"),
            ValueRef::Text(b"nul\0inside"),
            ValueRef::Text(b"\xff\xfe"),
            ValueRef::Text("\u{e9}t\u{e9}".as_bytes()),
            ValueRef::Blob(&[0, 1, 255]),
            ValueRef::Blob(&[]),
        ];
        let types = [PgType::Boolean, PgType::SmallInt, PgType::Integer, PgType::BigInt, PgType::Double, PgType::Text, PgType::Jsonb, PgType::Bytea, PgType::TimestampTz];
        let mut answered = 0;
        for &pg_type in &types {
            for epoch in [None, Some(EpochUnit::Seconds), Some(EpochUnit::Milliseconds)] {
                let spec = crate::reader::ColumnSpec { source_name: "c".into(), pg_type, epoch, nullable: true };
                for &value in &values {
                    let mut direct = Vec::new();
                    if !push_binary_direct(&mut direct, value, &spec) {
                        assert!(direct.is_empty(), "{value:?} as {pg_type:?}: nothing appended when declined");
                        continue;
                    }
                    answered += 1;
                    let general = match to_pg_text(value, pg_type, epoch) {
                        Ok(Some(text)) => {
                            let mut out = Vec::new();
                            push_binary_field(&mut out, value, pg_type, epoch, &text).expect("the general path encodes what it converts");
                            out
                        }
                        Ok(None) => {
                            let mut out = Vec::new();
                            push_binary_null(&mut out);
                            out
                        }
                        Err(reason) => panic!("{value:?} as {pg_type:?} ({epoch:?}): encoded directly, but the general path rejects it: {reason}"),
                    };
                    assert_eq!(direct, general, "{value:?} as {pg_type:?} ({epoch:?})");
                }
            }
        }
        assert!(answered > 60, "the direct path answers the common pairs ({answered})");
    }

    #[test]
    fn temporal_fields_count_from_2000() {
        assert_eq!(field(ValueRef::Text(b"2000-01-02"), PgType::Date, None, "2000-01-02"), [0, 0, 0, 4, 0, 0, 0, 1]);
        assert_eq!(field(ValueRef::Text(b"00:00:01"), PgType::Time, None, "00:00:01")[4..], 1_000_000i64.to_be_bytes());
        assert_eq!(field(ValueRef::Text(b"2000-01-01 00:00:01+01"), PgType::TimestampTz, None, "2000-01-01 00:00:01+01")[4..], (-3_599_000_000i64).to_be_bytes());
        // Epoch seconds, from the stored number.
        assert_eq!(field(ValueRef::Integer(946_684_801), PgType::TimestampTz, Some(EpochUnit::Seconds), "")[4..], 1_000_000i64.to_be_bytes());
    }

    #[test]
    fn other_types() {
        assert_eq!(field(ValueRef::Integer(1), PgType::Boolean, None, "t"), [0, 0, 0, 1, 1]);
        assert_eq!(field(ValueRef::Integer(-2), PgType::Integer, None, "-2"), [0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(field(ValueRef::Real(0.1), PgType::Double, None, "0.1")[4..], 0.1f64.to_bits().to_be_bytes());
        assert_eq!(field(ValueRef::Real(f64::NEG_INFINITY), PgType::Double, None, "-Infinity")[4..], f64::NEG_INFINITY.to_bits().to_be_bytes());
        assert_eq!(field(ValueRef::Text(b"{}"), PgType::Jsonb, None, "{}"), [0, 0, 0, 3, 1, b'{', b'}']);
        assert_eq!(field(ValueRef::Blob(&[0, 255]), PgType::Bytea, None, "\\x00ff"), [0, 0, 0, 2, 0, 255]);
        let uuid = field(ValueRef::Text(b"{00112233-4455-6677-8899-aabbccddeeff}"), PgType::Uuid, None, "{00112233-4455-6677-8899-aabbccddeeff}");
        assert_eq!(uuid[4..], [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
        assert!(push_binary_field(&mut Vec::new(), ValueRef::Text(b"x"), PgType::Boolean, None, "x").is_none());
        let numeric = |text: &str| {
            let mut out = Vec::new();
            push_numeric(&mut out, text).map(|()| out.chunks(2).map(|c| i16::from_be_bytes([c[0], c[1]])).collect::<Vec<i16>>())
        };
        // [ndigits, weight, sign, dscale, digits...]
        assert_eq!(numeric("12345678.5"), Some(vec![3, 1, 0, 1, 1234, 5678, 5000]));
        assert_eq!(numeric("-0.99"), Some(vec![1, -1, 0x4000, 2, 9900]));
        assert_eq!(numeric("0.00000001"), Some(vec![1, -2, 0, 8, 1]));
        assert_eq!(numeric("12345678901234567890.000123"), Some(vec![7, 4, 0, 6, 1234, 5678, 9012, 3456, 7890, 1, 2300]));
        assert_eq!(numeric("10000"), Some(vec![1, 1, 0, 0, 1]));
        assert_eq!(numeric("-0.000"), Some(vec![0, 0, 0, 3]), "zero has no sign");
        assert_eq!(numeric(".5"), Some(vec![1, -1, 0, 1, 5000]));
        assert_eq!(numeric("7."), Some(vec![1, 0, 0, 0, 7]));
        assert_eq!(numeric("+007"), Some(vec![1, 0, 0, 0, 7]));
        assert_eq!(numeric("1e5"), None);
    }
}

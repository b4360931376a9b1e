//! A value in COPY's binary format: PostgreSQL's `*_send` forms, which the server stores without
//! parsing numbers, dates and escapes.

use std::net::IpAddr;

use crate::value::PgValue;

/// Append one field (length, then bytes; `-1` for NULL). `None` only for an array, whose binary
/// form needs its element type's OID (callers load such a table in text: see
/// [`TargetType::binary_capable`](crate::TargetType::binary_capable)).
pub fn push_field(out: &mut Vec<u8>, value: &PgValue<'_>) -> Option<()> {
    let field = |out: &mut Vec<u8>, bytes: &[u8]| {
        out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        out.extend_from_slice(bytes);
    };
    match value {
        PgValue::Null => out.extend_from_slice(&(-1i32).to_be_bytes()),
        PgValue::Bool(v) => field(out, &[u8::from(*v)]),
        PgValue::Int2(v) => field(out, &v.to_be_bytes()),
        PgValue::Int4(v) => field(out, &v.to_be_bytes()),
        PgValue::Int8(v) => field(out, &v.to_be_bytes()),
        PgValue::Float4(v) => field(out, &v.to_bits().to_be_bytes()),
        PgValue::Float8(v) => field(out, &v.to_bits().to_be_bytes()),
        PgValue::Numeric(text) => {
            let start = out.len();
            out.extend_from_slice(&[0, 0, 0, 0]);
            push_numeric(out, text)?;
            let len = i32::try_from(out.len() - start - 4).ok()?;
            out[start..start + 4].copy_from_slice(&len.to_be_bytes());
        }
        PgValue::Text(text) | PgValue::Json(text) => field(out, text.as_bytes()),
        PgValue::Jsonb(text) => {
            // jsonb's binary form: a version byte, then the JSON text.
            out.extend_from_slice(&(text.len() as i32 + 1).to_be_bytes());
            out.push(1);
            out.extend_from_slice(text.as_bytes());
        }
        PgValue::Bytes(bytes) => field(out, bytes),
        PgValue::Uuid(bytes) => field(out, bytes),
        PgValue::Date(days) => field(out, &days.to_be_bytes()),
        PgValue::Time(micros) | PgValue::Timestamp(micros) | PgValue::TimestampTz(micros) => field(out, &micros.to_be_bytes()),
        PgValue::TimeTz { micros, offset } => {
            // timetz_send: the time, then the zone as seconds *west* of UTC.
            let mut bytes = [0u8; 12];
            bytes[..8].copy_from_slice(&micros.to_be_bytes());
            bytes[8..].copy_from_slice(&(-offset).to_be_bytes());
            field(out, &bytes);
        }
        PgValue::Interval { months, days, micros } => {
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&micros.to_be_bytes());
            bytes[8..12].copy_from_slice(&days.to_be_bytes());
            bytes[12..].copy_from_slice(&months.to_be_bytes());
            field(out, &bytes);
        }
        PgValue::Inet { addr, prefix, cidr } => {
            // inet_send: family (PGSQL_AF_INET 2, PGSQL_AF_INET6 3), bits, is_cidr, length, address.
            let mut bytes = vec![0u8; 4];
            bytes[1] = *prefix;
            bytes[2] = u8::from(*cidr);
            match addr {
                IpAddr::V4(a) => {
                    bytes[0] = 2;
                    bytes[3] = 4;
                    bytes.extend_from_slice(&a.octets());
                }
                IpAddr::V6(a) => {
                    bytes[0] = 3;
                    bytes[3] = 16;
                    bytes.extend_from_slice(&a.octets());
                }
            }
            field(out, &bytes);
        }
        PgValue::Array(_) => return None,
    }
    Some(())
}

/// A decimal text (`[+-]digits[.digits]`, either part may be empty) as PostgreSQL's binary
/// numeric: digit count, weight (of the first base-10000 digit), sign, display scale (the
/// fraction digits as written, as numeric input keeps them; a column's scale is applied by the
/// server), then the base-10000 digits without leading or trailing zero digits.
pub(crate) fn push_numeric(out: &mut Vec<u8>, text: &str) -> Option<()> {
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
    use std::borrow::Cow;

    fn field(value: PgValue<'_>) -> Vec<u8> {
        let mut out = Vec::new();
        push_field(&mut out, &value).expect("encodes");
        out
    }

    #[test]
    fn fields() {
        assert_eq!(field(PgValue::Bool(true)), [0, 0, 0, 1, 1]);
        assert_eq!(field(PgValue::Int4(-2)), [0, 0, 0, 4, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!(field(PgValue::Jsonb(Cow::Borrowed("{}"))), [0, 0, 0, 3, 1, b'{', b'}']);
        assert_eq!(field(PgValue::Json(Cow::Borrowed("{}"))), [0, 0, 0, 2, b'{', b'}']);
        assert_eq!(field(PgValue::Date(1)), [0, 0, 0, 4, 0, 0, 0, 1]);
        assert_eq!(field(PgValue::Null), [0xff, 0xff, 0xff, 0xff]);
        assert_eq!(field(PgValue::TimeTz { micros: 0, offset: 3600 })[12..], (-3600i32).to_be_bytes());
        assert_eq!(field(PgValue::Interval { months: 1, days: 2, micros: 3 })[4..], [0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1]);
        assert_eq!(field(PgValue::Inet { addr: "10.0.0.0".parse().expect("ip"), prefix: 8, cidr: true })[4..], [2, 8, 1, 4, 10, 0, 0, 0]);
        assert!(push_field(&mut Vec::new(), &PgValue::Array(vec![])).is_none());
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

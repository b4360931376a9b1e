//! JSON text as PostgreSQL's `jsonb` takes it, checked in one pass over the bytes.
//!
//! RFC 8259 grammar (whitespace is space, tab, CR and LF only), plus what `jsonb` refuses that
//! a JSON parser accepts: `\u0000` (it cannot be stored as text), UTF-16 surrogates that are not
//! a high-low pair, and numbers beyond `numeric` (more than 131072 digits before the point, more
//! than 16383 after it, or an exponent of 1073741823 or more). The profile, the report of breaking
//! values and the copy all decide with this one check, so a value the plan calls JSON never
//! fails the server's parse: it goes to the rejects file, with the reason given here.
//!
//! Nesting is limited to [`MAX_DEPTH`] levels: PostgreSQL's recursive parser stops at its stack
//! limit (seen at 50,000 levels, not at 10,000, with the default `max_stack_depth`).

/// Deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 2048;

/// The outermost value of a JSON text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonShape {
    /// An object or an array.
    Container,
    /// A string, number, `true`, `false` or `null`.
    Scalar,
}

/// Why a text is not `jsonb`.
pub type JsonError = &'static str;

/// The shape of `text` when `jsonb` takes it whole (surrounding JSON whitespace included), or
/// why not.
pub fn jsonb_shape(text: &str) -> Result<JsonShape, JsonError> {
    let b = text.as_bytes();
    let mut i = skip_whitespace(b, 0);
    let shape = match b.get(i) {
        Some(b'{' | b'[') => JsonShape::Container,
        Some(b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => JsonShape::Scalar,
        // Most texts that are not JSON end here, on their first byte.
        Some(_) => return Err("text that is not valid JSON"),
        None => return Err("text that is empty, not JSON"),
    };
    // Open containers, innermost last: a bit per level (set: object), on the stack.
    let mut objects = [0u64; MAX_DEPTH / 64];
    let mut depth = 0usize;
    let is_object = |objects: &[u64], level: usize| objects[level / 64] & (1 << (level % 64)) != 0;
    'value: loop {
        // A value starts at `i`.
        match b.get(i) {
            Some(&open @ (b'{' | b'[')) => {
                if depth == MAX_DEPTH {
                    return Err("JSON nested deeper than 2048 levels");
                }
                let (word, bit) = (depth / 64, 1u64 << (depth % 64));
                if open == b'{' { objects[word] |= bit } else { objects[word] &= !bit }
                depth += 1;
                i = skip_whitespace(b, i + 1);
                match (open, b.get(i)) {
                    (b'{', Some(b'}')) | (b'[', Some(b']')) => {
                        depth -= 1;
                        i += 1;
                    }
                    (b'{', _) => {
                        i = member_name(b, i)?;
                        continue 'value;
                    }
                    _ => continue 'value,
                }
            }
            Some(b'"') => i = string(b, i)?,
            Some(b'-' | b'0'..=b'9') => i = number(b, i)?,
            Some(b't') => i = literal(b, i, b"true")?,
            Some(b'f') => i = literal(b, i, b"false")?,
            Some(b'n') => i = literal(b, i, b"null")?,
            _ => return Err("text that is not valid JSON"),
        }
        // After a value: close containers, or go on to the next element or member.
        loop {
            i = skip_whitespace(b, i);
            if depth == 0 {
                return if i == b.len() { Ok(shape) } else { Err("text that is not valid JSON (more after the value)") };
            }
            let object = is_object(&objects, depth - 1);
            match (b.get(i), object) {
                (Some(b','), true) => {
                    i = member_name(b, skip_whitespace(b, i + 1))?;
                    continue 'value;
                }
                (Some(b','), false) => {
                    i = skip_whitespace(b, i + 1);
                    continue 'value;
                }
                (Some(b'}'), true) | (Some(b']'), false) => {
                    depth -= 1;
                    i += 1;
                }
                _ => return Err("text that is not valid JSON"),
            }
        }
    }
}

/// Whether `text` is one JSON value that `jsonb` takes.
pub fn is_jsonb(text: &str) -> bool {
    jsonb_shape(text).is_ok()
}

fn skip_whitespace(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// `"name" :` at `i`; the index after the colon and any whitespace.
fn member_name(b: &[u8], i: usize) -> Result<usize, JsonError> {
    if b.get(i) != Some(&b'"') {
        return Err("text that is not valid JSON (an object member without a string name)");
    }
    let i = skip_whitespace(b, string(b, i)?);
    if b.get(i) != Some(&b':') {
        return Err("text that is not valid JSON (an object member without a colon)");
    }
    Ok(skip_whitespace(b, i + 1))
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, JsonError> {
    if b[i..].starts_with(word) { Ok(i + word.len()) } else { Err("text that is not valid JSON") }
}

/// The string starting at `i` (its opening quote); the index after its closing quote. The text
/// is valid UTF-8 already (a `&str`): only quotes, escapes and control characters matter.
fn string(b: &[u8], i: usize) -> Result<usize, JsonError> {
    let mut i = i + 1;
    loop {
        // Most bytes are plain: skip them in one run.
        while let Some(&c) = b.get(i) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            i += 1;
        }
        match b.get(i) {
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => match b.get(i + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
                Some(b'u') => {
                    let unit = hex4(b, i + 2)?;
                    i += 6;
                    match unit {
                        0 => return Err("JSON holding \\u0000, which jsonb cannot store"),
                        0xD800..=0xDBFF => {
                            let low = if b.get(i) == Some(&b'\\') && b.get(i + 1) == Some(&b'u') { hex4(b, i + 2)? } else { 0 };
                            if !(0xDC00..=0xDFFF).contains(&low) {
                                return Err("JSON holding a UTF-16 high surrogate without its low half");
                            }
                            i += 6;
                        }
                        0xDC00..=0xDFFF => return Err("JSON holding a UTF-16 low surrogate without its high half"),
                        _ => {}
                    }
                }
                _ => return Err("text that is not valid JSON (an unknown escape)"),
            },
            Some(_) => return Err("text that is not valid JSON (a control character in a string)"),
            None => return Err("text that is not valid JSON (an unterminated string)"),
        }
    }
}

fn hex4(b: &[u8], i: usize) -> Result<u32, JsonError> {
    let digits = b.get(i..i + 4).ok_or("text that is not valid JSON (a short \\u escape)")?;
    digits.iter().try_fold(0u32, |n, &c| {
        let v = (c as char).to_digit(16).ok_or("text that is not valid JSON (a bad \\u escape)")?;
        Ok(n * 16 + v)
    })
}

/// The number starting at `i`; the index after it. JSON's grammar, then `numeric`'s limits as
/// PostgreSQL's `numeric_in` applies them to the digits as written.
fn number(b: &[u8], i: usize) -> Result<usize, JsonError> {
    const BAD: JsonError = "text that is not valid JSON (a malformed number)";
    let digits_from = |at: usize| b[at.min(b.len())..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = i + usize::from(b[i] == b'-');
    let int_start = i;
    let int_len = digits_from(i);
    if int_len == 0 || (int_len > 1 && b[i] == b'0') {
        return Err(BAD);
    }
    i += int_len;
    let (mut frac_start, mut frac_len) = (i, 0);
    if b.get(i) == Some(&b'.') {
        frac_start = i + 1;
        frac_len = digits_from(frac_start);
        if frac_len == 0 {
            return Err(BAD);
        }
        i = frac_start + frac_len;
    }
    let mut exponent: i64 = 0;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let negative = b.get(i) == Some(&b'-');
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let len = digits_from(i);
        if len == 0 {
            return Err(BAD);
        }
        // Saturating: anything past the limit below is refused alike.
        let magnitude = b[i..i + len].iter().fold(0i64, |n, &c| n.saturating_mul(10).saturating_add(i64::from(c - b'0')));
        exponent = if negative { -magnitude } else { magnitude };
        i += len;
    }
    const OVERFLOW: JsonError = "JSON holding a number beyond PostgreSQL's numeric range";
    // `numeric_in` refuses an exponent of INT_MAX / 2 or more either way, even on zero.
    if exponent.unsigned_abs() >= 1_073_741_823 {
        return Err(OVERFLOW);
    }
    // Digits after the point as PostgreSQL keeps them (trailing zeros included).
    if frac_len as i64 - exponent > 16383 {
        return Err(OVERFLOW);
    }
    let int_part = &b[int_start..int_start + int_len];
    let frac_part = &b[frac_start..frac_start + frac_len];
    let int_zeros = int_part.iter().take_while(|&&c| c == b'0').count();
    let first_digit = if int_zeros < int_len {
        Some((int_len - int_zeros) as i64)
    } else {
        frac_part.iter().position(|&c| c != b'0').map(|zeros| -(zeros as i64))
    };
    // A non-zero value's digits before the point.
    if first_digit.is_some_and(|point| point + exponent > 131072) {
        return Err(OVERFLOW);
    }
    Ok(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_and_jsonb_limits() {
        for ok in [
            "{}", "[]", " {\"a\": [1, 2.5, -0, 1e5, 1E+5, 1e-0, true, false, null, \"x\\n\\u00e9\\ud83d\\ude00\"]} ", "\"\\/\"",
            "0", "-12.50", "\t\r\n1\n", "{\"a\":{\"b\":[[]]}}", "1e131071", "0.1e131072", "1e-16383", "0e999999", "0e1073741822",
            "1.000e-16380", "0.00001e131076", "\"é\"", "[1,[2,[3]],{\"k\":{}}]",
        ] {
            assert!(jsonb_shape(ok).is_ok(), "{ok}: {:?}", jsonb_shape(ok));
        }
        for bad in [
            "", " ", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "{1:2}", "01", "00", "1.", ".5", "-", "1e", "+1", "tru", "nul", "1 2", "[1] x",
            "\"\\u0000\"", "\"\\udc00\"", "\"\\ud800x\"", "\"\\ud800\\u0041\"", "\"\\x\"", "\"a\nb\"", "\"open", "\u{c}1", "1\u{b}", "\u{a0}1",
            "1e131072", "10e131071", "0.00001e131077", "1e-16384", "0e-16384", "1.5e-16383", "123456e-16389", "0e1073741823",
            "1e9999999999999999999999", "\"\\u12\"", "[1 2]", "{\"a\" 1}", "NaN", "Infinity",
        ] {
            assert!(jsonb_shape(bad).is_err(), "{bad:?} passed");
        }
        assert_eq!(jsonb_shape(" [1] "), Ok(JsonShape::Container));
        assert_eq!(jsonb_shape("\"s\""), Ok(JsonShape::Scalar));
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(jsonb_shape(&deep(MAX_DEPTH)).is_ok());
        assert!(jsonb_shape(&deep(MAX_DEPTH + 1)).is_err());
        let objects = format!("{}1{}", "{\"k\":[".repeat(300), "]}".repeat(300));
        assert!(jsonb_shape(&objects).is_ok());
        assert!(jsonb_shape(&format!("{}1{}", "{\"k\":[".repeat(300), "}]".repeat(300))).is_err(), "closers in the wrong order");
    }
}

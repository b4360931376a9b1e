//! What a stored text spells: a boolean word, a UUID, a plain decimal number. Shared by the
//! profile (which counts them) and the conversions (which read them).

/// The boolean a text spells, if it spells one.
#[inline]
pub fn parse_bool_text(text: &str) -> Option<bool> {
    // Called on every text value while profiling: no allocation.
    const TRUE: &[&str] = &["1", "true", "t", "yes", "y"];
    const FALSE: &[&str] = &["0", "false", "f", "no", "n"];
    if text.len() > 5 {
        return None;
    }
    if TRUE.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if FALSE.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

/// `8-4-4-4-12` hex digits, with or without braces.
#[inline]
pub fn is_uuid(text: &str) -> bool {
    let t = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(text);
    let b = t.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A plain decimal number: optional sign, digits, optional `.digits` (no exponent, no spaces).
#[inline]
pub fn is_decimal(text: &str) -> bool {
    // Most texts fail on their first byte: no need to look for a point in them.
    if !matches!(text.as_bytes().first(), Some(b'0'..=b'9' | b'+' | b'-' | b'.')) {
        return false;
    }
    let t = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (int_part, frac_part) = t.split_once('.').unwrap_or((t, ""));
    !(int_part.is_empty() && frac_part.is_empty()) && int_part.bytes().all(|c| c.is_ascii_digit()) && frac_part.bytes().all(|c| c.is_ascii_digit())
}


//! SQLite's type conversions before a comparison ("affinity"), made explicit.
//!
//! Takes the operands of a comparison (`=`, `<>`, `<`..., `IS`, `IN (list)`, `BETWEEN`,
//! `CASE x WHEN v`) as rewritten, each with whether its SQLite source carries an
//! affinity; gives them back with the conversions SQLite would have done spelled out,
//! since PostgreSQL has no implicit casts between text and numbers. It must not touch
//! an operand whose type it does not know, nor boolean and temporal columns (the
//! rewriter handles those itself).
//!
//! The rules (<https://www.sqlite.org/datatype3.html>, 4.2): only a column reference or
//! a `CAST` has an affinity (parentheses keep it, a unary `+` drops it); literals have
//! none. Text column against a number literal: the number becomes the string SQLite
//! would make of it (`0` -> `'0'`, `1e3` -> `'1000.0'`). Numeric column against a
//! string literal: left alone when PostgreSQL reads the string as that number, a
//! decimal string against an integer column becomes a number literal, and anything
//! that is no number makes the column `CAST(... AS TEXT)` (SQLite would never find
//! them equal; PostgreSQL would fail on the string). Numeric column against text
//! column: the numeric side is cast to text, so the comparison can never fail.

use sqlparser::ast::{DataType, Expr, UnaryOperator, Value};

use crate::build::{cast, number, string};
use crate::rewriter::{Rewriter, Typed};
use crate::scope::ColumnKind;

/// What SQLite's comparison rules need to know of one operand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    /// A column (or CAST) with TEXT affinity.
    TextCol,
    /// A column (or CAST) with INTEGER, REAL or NUMERIC affinity.
    NumCol(ColumnKind),
    /// A number literal, with the text SQLite makes of it.
    NumLit(String),
    /// A string literal.
    StrLit(String),
    /// Anything else: no rule applies.
    Other,
}

/// Whether the SQLite expression `e` has an affinity: a column reference or a CAST,
/// possibly parenthesised or collated.
pub(crate) fn has_affinity(e: &Expr) -> bool {
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Cast { .. } => true,
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => has_affinity(inner),
        _ => false,
    }
}

/// Classify a rewritten operand; `affinity` says whether its SQLite source had one.
pub(crate) fn classify(affinity: bool, t: &Typed) -> Operand {
    // A double-quoted word naming no column was rewritten to a string literal.
    if affinity && !is_value(&t.expr) {
        return match t.kind {
            Some(ColumnKind::Text) => Operand::TextCol,
            Some(k @ (ColumnKind::Integer | ColumnKind::Real | ColumnKind::Numeric)) => Operand::NumCol(k),
            _ => Operand::Other,
        };
    }
    literal(&t.expr).unwrap_or(Operand::Other)
}

fn is_value(e: &Expr) -> bool {
    match e {
        Expr::Value(_) => true,
        Expr::Nested(inner) => is_value(inner),
        _ => false,
    }
}

fn literal(e: &Expr) -> Option<Operand> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => sqlite_number_text(n, false).map(Operand::NumLit),
            Value::SingleQuotedString(s) => Some(Operand::StrLit(s.clone())),
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Minus, expr } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => sqlite_number_text(n, true).map(Operand::NumLit),
                _ => None,
            },
            _ => None,
        },
        Expr::UnaryOp { op: UnaryOperator::Plus, expr } => match literal(expr) {
            Some(Operand::NumLit(n)) => Some(Operand::NumLit(n)),
            _ => None,
        },
        Expr::Nested(inner) => literal(inner),
        _ => None,
    }
}

/// The text SQLite makes of the number literal `lit` (negated if `negative`), as
/// `CAST(lit AS TEXT)` gives it: integers in decimal, reals with `%!.15g`.
pub(crate) fn sqlite_number_text(lit: &str, negative: bool) -> Option<String> {
    let sign = if negative { "-" } else { "" };
    if !lit.is_empty() && lit.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(i) = format!("{sign}{lit}").parse::<i64>() {
            return Some(i.to_string());
        }
    } else if let Some(hex) = lit.strip_prefix("0x").or_else(|| lit.strip_prefix("0X")) {
        // SQLite reads hex literals as 64-bit two's complement.
        let u = u64::from_str_radix(hex, 16).ok()?;
        let i = i64::from_ne_bytes(u.to_ne_bytes());
        return Some(if negative { i.wrapping_neg() } else { i }.to_string());
    }
    let x: f64 = lit.parse().ok()?;
    format_real(if negative { -x } else { x })
}

/// SQLite's `%!.15g`: 15 significant digits, trailing zeros dropped but one kept after
/// the point, exponent form below 1e-4 and from 1e15 on.
fn format_real(x: f64) -> Option<String> {
    if !x.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some("0.0".to_string());
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let a = x.abs();
    let sci = format!("{a:.14e}");
    let (mantissa, exp) = sci.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    if !(-4..15).contains(&exp) {
        let m = trim_fraction(mantissa);
        let esign = if exp < 0 { '-' } else { '+' };
        Some(format!("{sign}{m}e{esign}{:02}", exp.abs()))
    } else {
        let decimals = usize::try_from(14 - exp).ok()?;
        Some(format!("{sign}{}", trim_fraction(&format!("{a:.decimals$}"))))
    }
}

/// `1.500` -> `1.5`, `2.000` -> `2.0`, `3` -> `3.0`.
fn trim_fraction(s: &str) -> String {
    match s.split_once('.') {
        Some((int, frac)) => {
            let frac = frac.trim_end_matches('0');
            format!("{int}.{}", if frac.is_empty() { "0" } else { frac })
        }
        None => format!("{s}.0"),
    }
}

/// How a string reads as a number under SQLite's NUMERIC affinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumText {
    /// An integer that fits in 64 bits (PostgreSQL's integer input accepts it too).
    Integer,
    /// Any other number: a decimal point, an exponent, or too many digits.
    Real,
}

/// Whether SQLite reads `s` as a number when NUMERIC affinity is applied: optional
/// surrounding whitespace, a sign, digits with an optional point, an optional exponent.
pub(crate) fn numeric_text(s: &str) -> Option<NumText> {
    let t = s.trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !frac.is_none_or(digits) || int.is_empty() && frac.is_none_or(str::is_empty) {
        return None;
    }
    if let Some(e) = exponent {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e.is_empty() || !digits(e) {
            return None;
        }
    }
    if frac.is_none() && exponent.is_none() && t.parse::<i64>().is_ok() {
        Some(NumText::Integer)
    } else {
        Some(NumText::Real)
    }
}

/// The name used in notes for a numeric kind.
fn kind_name(k: ColumnKind) -> &'static str {
    match k {
        ColumnKind::Integer => "integer",
        ColumnKind::Real => "real",
        _ => "numeric",
    }
}

/// A string that SQLite reads as a number, as a PostgreSQL number literal.
fn number_literal(s: &str) -> Expr {
    let t = s.trim_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    match t.strip_prefix('-') {
        Some(n) => Expr::UnaryOp { op: UnaryOperator::Minus, expr: Box::new(number(n)) },
        None => number(t.strip_prefix('+').unwrap_or(t)),
    }
}

fn to_text(e: Expr) -> Typed {
    Typed::new(cast(e, DataType::Text), Some(ColumnKind::Text))
}

impl Rewriter<'_> {
    /// A comparison of `anchor` with each of `others` (one for a binary operator, the
    /// list of `IN (...)`, the bounds of `BETWEEN`, the `WHEN` values of `CASE x`), with
    /// SQLite's conversions made explicit. Only an anchor with an affinity triggers any.
    pub(crate) fn affinity(&mut self, anchor: (Typed, Operand), others: Vec<(Typed, Operand)>) -> (Typed, Vec<Typed>) {
        let (a, a_op) = anchor;
        match a_op {
            Operand::NumCol(k) => {
                let text_col = others.iter().any(|(_, o)| *o == Operand::TextCol);
                let not_number = others.iter().any(|(_, o)| matches!(o, Operand::StrLit(s) if numeric_text(s).is_none()));
                if text_col || not_number {
                    if text_col {
                        self.note(format!("{} compared with text column: compared as text", kind_name(k)));
                    }
                    if not_number {
                        self.note(format!("{} compared with a string that is no number: compared as text", kind_name(k)));
                    }
                    let others = others
                        .into_iter()
                        .map(|(t, o)| match o {
                            Operand::NumLit(n) => Typed::new(string(&n), Some(ColumnKind::Text)),
                            Operand::NumCol(_) => to_text(t.expr),
                            _ => t,
                        })
                        .collect();
                    return (to_text(a.expr), others);
                }
                let others = others
                    .into_iter()
                    .map(|(t, o)| match o {
                        Operand::StrLit(s) if k == ColumnKind::Integer && numeric_text(&s) == Some(NumText::Real) => {
                            self.note(format!("'{s}' compared with an integer column -> number, as SQLite reads it"));
                            Typed::untyped(number_literal(&s))
                        }
                        _ => t,
                    })
                    .collect();
                (a, others)
            }
            Operand::TextCol => {
                let others = others
                    .into_iter()
                    .map(|(t, o)| match o {
                        Operand::NumLit(n) => {
                            self.note("number compared with text column -> string literal, as SQLite converts it");
                            Typed::new(string(&n), Some(ColumnKind::Text))
                        }
                        Operand::NumCol(k) => {
                            self.note(format!("{} compared with text column: compared as text", kind_name(k)));
                            to_text(t.expr)
                        }
                        _ => t,
                    })
                    .collect();
                (a, others)
            }
            _ => (a, others.into_iter().map(|(t, _)| t).collect()),
        }
    }

    /// The two operands of a binary comparison: whichever has an affinity leads.
    pub(crate) fn affinity_pair(&mut self, l: (Typed, Operand), r: (Typed, Operand)) -> (Typed, Typed) {
        let leads = |o: &Operand| matches!(o, Operand::TextCol | Operand::NumCol(_));
        if leads(&l.1) {
            let (a, mut b) = self.affinity(l, vec![r]);
            (a, b.pop().unwrap_or_else(|| Typed::untyped(Expr::value(Value::Null))))
        } else if leads(&r.1) {
            let (b, mut a) = self.affinity(r, vec![l]);
            (a.pop().unwrap_or_else(|| Typed::untyped(Expr::value(Value::Null))), b)
        } else {
            (l.0, r.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_text() {
        let cases = [
            ("0", false, "0"),
            ("1.5", false, "1.5"),
            ("1e3", false, "1000.0"),
            ("1.50", false, "1.5"),
            ("0x1F", false, "31"),
            ("1", true, "-1"),
            ("1e15", false, "1.0e+15"),
            ("1e14", false, "100000000000000.0"),
            ("0.00001", false, "1.0e-05"),
            ("0.0001", false, "0.0001"),
            ("123456789012345678", false, "123456789012345678"),
            ("9223372036854775808", false, "9.22337203685478e+18"),
            ("9223372036854775808", true, "-9223372036854775808"),
            ("3.141592653589793", false, "3.14159265358979"),
            ("0.0", true, "0.0"),
            ("0.1", false, "0.1"),
            ("1e20", false, "1.0e+20"),
            ("5.", false, "5.0"),
            (".5", false, "0.5"),
            ("007", false, "7"),
            ("0x1F", true, "-31"),
            ("0xFFFFFFFFFFFFFFFF", false, "-1"),
        ];
        for (lit, neg, want) in cases {
            assert_eq!(sqlite_number_text(lit, neg).as_deref(), Some(want), "{lit} negative={neg}");
        }
    }

    #[test]
    fn numeric_strings() {
        for (s, want) in [
            ("5", Some(NumText::Integer)),
            (" -5 ", Some(NumText::Integer)),
            ("+5", Some(NumText::Integer)),
            ("5.0", Some(NumText::Real)),
            (".5", Some(NumText::Real)),
            ("5.", Some(NumText::Real)),
            ("1e3", Some(NumText::Real)),
            ("1E-3", Some(NumText::Real)),
            ("99999999999999999999", Some(NumText::Real)),
            ("abc", None),
            ("", None),
            (".", None),
            ("-", None),
            ("1e", None),
            ("0x5", None),
            ("5 5", None),
            ("Infinity", None),
        ] {
            assert_eq!(numeric_text(s), want, "{s:?}");
        }
    }
}

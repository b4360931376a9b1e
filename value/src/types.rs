//! The PostgreSQL type a value is converted to: the live catalog type of a target column, or
//! the type a plan gives it.

use std::fmt;
use std::sync::Arc;

/// A column's PostgreSQL type, as far as converting values goes. A domain is its base type
/// (the server checks the domain's constraints); `varchar(n)`, `char(n)` and `numeric(p,s)`
/// carry their modifiers, which the conversion checks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TargetType {
    /// `boolean`
    Bool,
    /// `smallint`
    Int2,
    /// `integer`
    Int4,
    /// `bigint`
    Int8,
    /// `real` (4-byte float)
    Float4,
    /// `double precision`
    Float8,
    /// `numeric(p,s)`, or unconstrained `numeric`
    Numeric(Option<(u32, u32)>),
    /// `text`
    Text,
    /// `varchar(n)`, or `varchar` without a length
    Varchar(Option<u32>),
    /// `char(n)` (blank-padded)
    Char(u32),
    /// `citext` (contrib's case-insensitive text)
    Citext,
    /// `bytea`
    Bytea,
    /// `json` (the text as given)
    Json,
    /// `jsonb`
    Jsonb,
    /// `uuid`
    Uuid,
    /// `date`
    Date,
    /// `time`
    Time,
    /// `timetz`
    TimeTz,
    /// `timestamp` (without time zone)
    Timestamp,
    /// `timestamptz`
    TimestampTz,
    /// `interval`
    Interval,
    /// `inet`
    Inet,
    /// `cidr`
    Cidr,
    /// An enum type: its name and labels, in order.
    Enum {
        /// The type's name, as the catalog prints it (`public.status`).
        name: String,
        /// The labels.
        labels: Arc<[String]>,
    },
    /// A one-dimensional array of the element type, from a JSON array.
    Array(Box<TargetType>),
    /// `tsvector`: computed by PostgreSQL, never copied.
    TsVector,
    /// A type no conversion exists for, as the catalog names it: named in the pre-flight,
    /// never guessed.
    Unsupported(String),
}

impl TargetType {
    /// Whether values of this type can be written in COPY's binary format (an array's binary
    /// form names its element type's OID, which the conversion does not carry: text instead).
    pub fn binary_capable(&self) -> bool {
        match self {
            TargetType::Array(_) | TargetType::TsVector | TargetType::Unsupported(_) => false,
            TargetType::Bool
            | TargetType::Int2
            | TargetType::Int4
            | TargetType::Int8
            | TargetType::Float4
            | TargetType::Float8
            | TargetType::Numeric(_)
            | TargetType::Text
            | TargetType::Varchar(_)
            | TargetType::Char(_)
            | TargetType::Citext
            | TargetType::Bytea
            | TargetType::Json
            | TargetType::Jsonb
            | TargetType::Uuid
            | TargetType::Date
            | TargetType::Time
            | TargetType::TimeTz
            | TargetType::Timestamp
            | TargetType::TimestampTz
            | TargetType::Interval
            | TargetType::Inet
            | TargetType::Cidr
            | TargetType::Enum { .. } => true,
        }
    }

    /// Integer types.
    pub fn is_integer(&self) -> bool {
        matches!(self, TargetType::Int2 | TargetType::Int4 | TargetType::Int8)
    }

    /// Types whose values are text (ordered by their bytes under `COLLATE "C"`).
    pub fn is_text(&self) -> bool {
        matches!(self, TargetType::Text | TargetType::Varchar(_) | TargetType::Char(_) | TargetType::Citext)
    }

    /// The type as PostgreSQL reads a column's type from the catalog (`format_type`): base name
    /// and modifiers, e.g. `character varying(20)`, `numeric(10,2)`, `timestamp with time zone`,
    /// `public.mood[]`. Domains are resolved by the caller. `None` for a name sqlite2pg does
    /// not know (then [`TargetType::Unsupported`] names it).
    pub fn from_catalog(formatted: &str) -> Option<TargetType> {
        let text = formatted.trim();
        if let Some(element) = text.strip_suffix("[]") {
            return TargetType::from_catalog(element).map(|e| TargetType::Array(Box::new(e)));
        }
        let (base, args) = split_modifiers(text);
        Some(match (base.as_str(), args.as_slice()) {
            ("boolean", []) => TargetType::Bool,
            ("smallint", []) => TargetType::Int2,
            ("integer", []) => TargetType::Int4,
            ("bigint", []) => TargetType::Int8,
            ("real", []) => TargetType::Float4,
            ("double precision", []) => TargetType::Float8,
            ("numeric", []) => TargetType::Numeric(None),
            ("numeric", [p]) => TargetType::Numeric(Some((*p, 0))),
            ("numeric", [p, s]) => TargetType::Numeric(Some((*p, *s))),
            ("text", []) => TargetType::Text,
            ("character varying", []) => TargetType::Varchar(None),
            ("character varying", [n]) => TargetType::Varchar(Some(*n)),
            ("character", [n]) => TargetType::Char(*n),
            ("character", []) | ("bpchar", []) => TargetType::Char(1),
            ("citext", []) => TargetType::Citext,
            ("bytea", []) => TargetType::Bytea,
            ("json", []) => TargetType::Json,
            ("jsonb", []) => TargetType::Jsonb,
            ("uuid", []) => TargetType::Uuid,
            ("date", []) => TargetType::Date,
            ("time without time zone", [_] | []) => TargetType::Time,
            ("time with time zone", [_] | []) => TargetType::TimeTz,
            ("timestamp without time zone", [_] | []) => TargetType::Timestamp,
            ("timestamp with time zone", [_] | []) => TargetType::TimestampTz,
            ("interval", _) => TargetType::Interval,
            ("inet", []) => TargetType::Inet,
            ("cidr", []) => TargetType::Cidr,
            ("tsvector", []) => TargetType::TsVector,
            _ => return None,
        })
    }
}

/// `name(a, b)` -> (`name`, [a, b]); `timestamp(3) with time zone` -> (`timestamp with time
/// zone`, [3]).
fn split_modifiers(text: &str) -> (String, Vec<u32>) {
    match (text.find('('), text.find(')')) {
        (Some(open), Some(close)) if close > open => {
            let args = text[open + 1..close].split(',').filter_map(|a| a.trim().parse().ok()).collect();
            let base = format!("{} {}", text[..open].trim(), text[close + 1..].trim());
            (base.trim().to_string(), args)
        }
        _ => (text.to_string(), Vec::new()),
    }
}

impl fmt::Display for TargetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetType::Bool => f.write_str("boolean"),
            TargetType::Int2 => f.write_str("smallint"),
            TargetType::Int4 => f.write_str("integer"),
            TargetType::Int8 => f.write_str("bigint"),
            TargetType::Float4 => f.write_str("real"),
            TargetType::Float8 => f.write_str("double precision"),
            TargetType::Numeric(Some((p, s))) => write!(f, "numeric({p},{s})"),
            TargetType::Numeric(None) => f.write_str("numeric"),
            TargetType::Text => f.write_str("text"),
            TargetType::Varchar(Some(n)) => write!(f, "varchar({n})"),
            TargetType::Varchar(None) => f.write_str("varchar"),
            TargetType::Char(n) => write!(f, "char({n})"),
            TargetType::Citext => f.write_str("citext"),
            TargetType::Bytea => f.write_str("bytea"),
            TargetType::Json => f.write_str("json"),
            TargetType::Jsonb => f.write_str("jsonb"),
            TargetType::Uuid => f.write_str("uuid"),
            TargetType::Date => f.write_str("date"),
            TargetType::Time => f.write_str("time"),
            TargetType::TimeTz => f.write_str("timetz"),
            TargetType::Timestamp => f.write_str("timestamp"),
            TargetType::TimestampTz => f.write_str("timestamptz"),
            TargetType::Interval => f.write_str("interval"),
            TargetType::Inet => f.write_str("inet"),
            TargetType::Cidr => f.write_str("cidr"),
            TargetType::Enum { name, .. } => f.write_str(name),
            TargetType::Array(element) => write!(f, "{element}[]"),
            TargetType::TsVector => f.write_str("tsvector"),
            TargetType::Unsupported(name) => f.write_str(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_names() {
        assert_eq!(TargetType::from_catalog("character varying(20)"), Some(TargetType::Varchar(Some(20))));
        assert_eq!(TargetType::from_catalog("numeric(10,2)"), Some(TargetType::Numeric(Some((10, 2)))));
        assert_eq!(TargetType::from_catalog("timestamp(3) with time zone"), Some(TargetType::TimestampTz));
        assert_eq!(TargetType::from_catalog("timestamp without time zone"), Some(TargetType::Timestamp));
        assert_eq!(TargetType::from_catalog("integer[]"), Some(TargetType::Array(Box::new(TargetType::Int4))));
        assert_eq!(TargetType::from_catalog("character(32)"), Some(TargetType::Char(32)));
        assert_eq!(TargetType::from_catalog("interval"), Some(TargetType::Interval));
        assert_eq!(TargetType::from_catalog("point"), None);
    }
}

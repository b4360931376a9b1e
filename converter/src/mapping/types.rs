//! PostgreSQL column types, and what a SQLite declared type says.

use std::fmt;

use serde::{Serialize, Serializer};
use sqlite2pg_value::TargetType;

/// A PostgreSQL column type the converter emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PgType {
    /// `boolean`
    Boolean,
    /// `smallint`
    SmallInt,
    /// `integer`
    Integer,
    /// `bigint`
    BigInt,
    /// `double precision` (never 4-byte `real`: SQLite REAL is an 8-byte double)
    Double,
    /// `numeric(p,s)` or unconstrained `numeric`
    Numeric(Option<(u32, u32)>),
    /// `text`
    Text,
    /// `citext` (contrib): text compared without regard to case, for SQLite's `COLLATE NOCASE`;
    /// unlike a nondeterministic collation, LIKE and ILIKE work on it in every PostgreSQL.
    Citext,
    /// `varchar(n)`
    Varchar(u32),
    /// `bytea`
    Bytea,
    /// `json`: the text of each value kept as written (key order, spacing, duplicate keys), as
    /// Sequelize, SQLAlchemy and SeaORM's `json()` declare it on PostgreSQL.
    Json,
    /// `jsonb`
    Jsonb,
    /// `date`
    Date,
    /// `time`
    Time,
    /// `timestamp` (without time zone)
    Timestamp,
    /// `timestamptz`
    TimestampTz,
    /// `uuid`
    Uuid,
    /// `inet`: an IP address (Django's GenericIPAddressField). Never chosen from the values alone.
    Inet,
    /// `interval`: durations stored as a count of `duration_unit`s (Django's DurationField is
    /// `bigint` microseconds) or as ISO-8601 durations. Never chosen from the values alone.
    Interval,
    /// `tsvector`: a full-text search column, always generated from text columns.
    TsVector,
}

impl fmt::Display for PgType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PgType::Boolean => f.write_str("boolean"),
            PgType::SmallInt => f.write_str("smallint"),
            PgType::Integer => f.write_str("integer"),
            PgType::BigInt => f.write_str("bigint"),
            PgType::Double => f.write_str("double precision"),
            PgType::Numeric(Some((p, s))) => write!(f, "numeric({p},{s})"),
            PgType::Numeric(None) => f.write_str("numeric"),
            PgType::Text => f.write_str("text"),
            PgType::Citext => f.write_str("citext"),
            PgType::Varchar(n) => write!(f, "varchar({n})"),
            PgType::Bytea => f.write_str("bytea"),
            PgType::Json => f.write_str("json"),
            PgType::Jsonb => f.write_str("jsonb"),
            PgType::Date => f.write_str("date"),
            PgType::Time => f.write_str("time"),
            PgType::Timestamp => f.write_str("timestamp"),
            PgType::TimestampTz => f.write_str("timestamptz"),
            PgType::Uuid => f.write_str("uuid"),
            PgType::Inet => f.write_str("inet"),
            PgType::Interval => f.write_str("interval"),
            PgType::TsVector => f.write_str("tsvector"),
        }
    }
}

impl Serialize for PgType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PgType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "tsvector" => Ok(PgType::TsVector),
            other => PgType::parse(other).ok_or_else(|| serde::de::Error::custom(format!("unknown PostgreSQL type {other:?}"))),
        }
    }
}

impl PgType {
    /// Parse a type as a user writes it in `sqlite2pg.toml` (`boolean`, `numeric(10,2)`, `timestamptz`, ...).
    pub fn parse(text: &str) -> Option<PgType> {
        let lower = text.trim().to_ascii_lowercase();
        let (base, args) = split_args(&lower);
        let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
        Some(match (base.as_str(), args.as_slice()) {
            ("boolean" | "bool", []) => PgType::Boolean,
            ("smallint" | "int2", []) => PgType::SmallInt,
            ("integer" | "int" | "int4", []) => PgType::Integer,
            ("bigint" | "int8", []) => PgType::BigInt,
            ("double precision" | "float8" | "double", []) => PgType::Double,
            ("numeric" | "decimal", []) => PgType::Numeric(None),
            ("numeric" | "decimal", [p, s]) if *p > 0 && s <= p => PgType::Numeric(Some((*p, *s))),
            ("numeric" | "decimal", [p]) if *p > 0 => PgType::Numeric(Some((*p, 0))),
            ("text", []) => PgType::Text,
            ("citext", []) => PgType::Citext,
            ("varchar" | "character varying", [n]) if *n > 0 => PgType::Varchar(*n),
            ("bytea", []) => PgType::Bytea,
            ("json", []) => PgType::Json,
            ("jsonb", []) => PgType::Jsonb,
            ("date", []) => PgType::Date,
            ("time" | "time without time zone", []) => PgType::Time,
            ("timestamp" | "timestamp without time zone", []) => PgType::Timestamp,
            ("timestamptz" | "timestamp with time zone", []) => PgType::TimestampTz,
            ("uuid", []) => PgType::Uuid,
            ("interval", []) => PgType::Interval,
            ("inet", []) => PgType::Inet,
            _ => return None,
        })
    }

    /// The type values are converted to (the value layer's model of PostgreSQL types).
    pub fn target(self) -> TargetType {
        match self {
            PgType::Boolean => TargetType::Bool,
            PgType::SmallInt => TargetType::Int2,
            PgType::Integer => TargetType::Int4,
            PgType::BigInt => TargetType::Int8,
            PgType::Double => TargetType::Float8,
            PgType::Numeric(modifiers) => TargetType::Numeric(modifiers),
            PgType::Text => TargetType::Text,
            PgType::Citext => TargetType::Citext,
            PgType::Varchar(n) => TargetType::Varchar(Some(n)),
            PgType::Bytea => TargetType::Bytea,
            PgType::Json => TargetType::Json,
            PgType::Jsonb => TargetType::Jsonb,
            PgType::Date => TargetType::Date,
            PgType::Time => TargetType::Time,
            PgType::Timestamp => TargetType::Timestamp,
            PgType::TimestampTz => TargetType::TimestampTz,
            PgType::Uuid => TargetType::Uuid,
            PgType::Interval => TargetType::Interval,
            PgType::Inet => TargetType::Inet,
            PgType::TsVector => TargetType::TsVector,
        }
    }

    /// Integer types.
    pub fn is_integer(self) -> bool {
        matches!(self, PgType::SmallInt | PgType::Integer | PgType::BigInt)
    }

    /// Types holding text.
    pub fn is_text(self) -> bool {
        matches!(self, PgType::Text | PgType::Citext | PgType::Varchar(_))
    }

    /// Date and time types.
    pub fn is_temporal(self) -> bool {
        matches!(self, PgType::Date | PgType::Time | PgType::Timestamp | PgType::TimestampTz)
    }

    /// Whether a foreign key may join a column of this type to one of `other`'s.
    pub fn compatible_for_fk(self, other: PgType) -> bool {
        self == other || (self.is_integer() && other.is_integer()) || (self.is_text() && other.is_text())
    }
}

/// `name(a, b)` -> (`name`, [a, b]); arguments that are not numbers are dropped.
fn split_args(text: &str) -> (&str, Vec<u32>) {
    match text.find('(') {
        Some(open) => {
            let inner = text[open + 1..].trim_end().trim_end_matches(')');
            let args = inner.split(',').filter_map(|a| a.trim().parse().ok()).collect();
            (text[..open].trim(), args)
        }
        None => (text.trim(), Vec::new()),
    }
}

/// SQLite's column affinity, by the rules of "Datatypes In SQLite" section 3.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Affinity {
    /// INTEGER affinity.
    Integer,
    /// TEXT affinity.
    Text,
    /// BLOB affinity (also: no declared type).
    Blob,
    /// REAL affinity.
    Real,
    /// NUMERIC affinity.
    Numeric,
}

/// What a declared type names, beyond its affinity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclaredKind {
    /// No declared type.
    None,
    /// BOOLEAN, BOOL, BIT, TINYINT(1).
    Boolean,
    /// SMALLINT, INT2, TINYINT.
    SmallInt,
    /// MEDIUMINT, INT4.
    Int4,
    /// BIGINT, INT8: 8 bytes on every engine.
    BigInt,
    /// Any other integer name (INTEGER, INT, ...).
    Integer,
    /// REAL, FLOAT, DOUBLE.
    Real,
    /// DECIMAL/NUMERIC with optional precision and scale.
    Decimal(Option<(u32, u32)>),
    /// VARCHAR(n), CHAR(n), NVARCHAR(n), ... with a length.
    BoundedText(u32),
    /// TEXT, CLOB, VARCHAR without length, ...
    Text,
    /// BLOB, BINARY, ...
    Blob,
    /// JSON (`JSON`, sea-query's `json_text`).
    Json,
    /// JSONB (`JSONB`, sea-query's `jsonb_text`).
    JsonBinary,
    /// DATE.
    Date,
    /// TIME.
    Time,
    /// DATETIME, TIMESTAMP.
    DateTime,
    /// TIMESTAMPTZ, TIMESTAMP WITH TIME ZONE.
    DateTimeTz,
    /// UUID, GUID, UNIQUEIDENTIFIER.
    Uuid,
    /// A name SQLite gives NUMERIC affinity that means nothing more to us (`STRING`, `MONEY`, ...).
    Other,
}

/// A declared type, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared {
    /// What the name says.
    pub kind: DeclaredKind,
    /// SQLite's affinity for it.
    pub affinity: Affinity,
}

/// Read a declared type as SQLite and a migrating developer would.
pub fn read_declared(declared: &str) -> Declared {
    let upper = declared.trim().trim_matches(['"', '\'', '`', '[', ']']).to_ascii_uppercase();
    let affinity = affinity(&upper);
    let (base, args) = split_args(&upper);
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let kind = match (base.as_str(), args.as_slice()) {
        ("", _) => DeclaredKind::None,
        // sea-query's SQLite type names (SeaORM and Loco apps): what each Rust type is declared
        // as, read as the type it stands for (see sea-query's backend/sqlite/table.rs).
        ("UUID_TEXT", _) => DeclaredKind::Uuid,
        ("TIMESTAMP_WITH_TIMEZONE_TEXT", _) => DeclaredKind::DateTimeTz,
        ("TIMESTAMP_TEXT" | "DATETIME_TEXT", _) => DeclaredKind::DateTime,
        ("DATE_TEXT", _) => DeclaredKind::Date,
        ("TIME_TEXT", _) => DeclaredKind::Time,
        ("REAL_DECIMAL" | "REAL_MONEY", []) => DeclaredKind::Decimal(None),
        ("REAL" | "REAL_MONEY", [p, s]) if *p > 0 && s <= p => DeclaredKind::Decimal(Some((*p, *s))),
        ("JSON_TEXT", _) => DeclaredKind::Json,
        ("JSONB_TEXT", _) => DeclaredKind::JsonBinary,
        ("ENUM_TEXT", _) => DeclaredKind::Text,
        ("VARBINARY_BLOB", _) => DeclaredKind::Blob,
        ("BOOLEAN" | "BOOL" | "BIT", _) | ("TINYINT", [1]) => DeclaredKind::Boolean,
        ("SMALLINT" | "INT2" | "TINYINT" | "SMALLINT UNSIGNED" | "TINYINT UNSIGNED", _) => DeclaredKind::SmallInt,
        ("MEDIUMINT" | "INT4" | "MEDIUMINT UNSIGNED", _) => DeclaredKind::Int4,
        ("BIGINT" | "INT8" | "BIGINT UNSIGNED" | "UNSIGNED BIG INT", _) => DeclaredKind::BigInt,
        ("DECIMAL" | "NUMERIC" | "DEC", [p, s]) if *p > 0 && s <= p => DeclaredKind::Decimal(Some((*p, *s))),
        ("DECIMAL" | "NUMERIC" | "DEC", [p]) if *p > 0 => DeclaredKind::Decimal(Some((*p, 0))),
        ("DECIMAL" | "NUMERIC" | "DEC", _) => DeclaredKind::Decimal(None),
        ("JSON", _) => DeclaredKind::Json,
        ("JSONB", _) => DeclaredKind::JsonBinary,
        ("DATE", _) => DeclaredKind::Date,
        ("TIME" | "TIME WITHOUT TIME ZONE", _) => DeclaredKind::Time,
        ("DATETIME" | "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" | "SMALLDATETIME" | "DATETIME2", _) => DeclaredKind::DateTime,
        ("TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" | "DATETIMEOFFSET", _) => DeclaredKind::DateTimeTz,
        ("UUID" | "GUID" | "UNIQUEIDENTIFIER", _) => DeclaredKind::Uuid,
        (
            "VARCHAR" | "CHAR" | "NVARCHAR" | "NCHAR" | "CHARACTER" | "CHARACTER VARYING" | "VARYING CHARACTER"
            | "NATIVE CHARACTER" | "NATIONAL CHARACTER" | "NATIONAL VARCHAR" | "VARCHAR2" | "NVARCHAR2",
            [n],
        ) if *n > 0 => DeclaredKind::BoundedText(*n),
        _ => match affinity {
            Affinity::Integer => DeclaredKind::Integer,
            Affinity::Text => DeclaredKind::Text,
            Affinity::Blob => DeclaredKind::Blob,
            Affinity::Real => DeclaredKind::Real,
            Affinity::Numeric => DeclaredKind::Other,
        },
    };
    Declared { kind, affinity }
}

/// SQLite's affinity rules, in their order: INT, then CHAR/CLOB/TEXT, then BLOB or none, then
/// REAL/FLOA/DOUB, else NUMERIC.
pub fn affinity(upper: &str) -> Affinity {
    if upper.contains("INT") {
        Affinity::Integer
    } else if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
        Affinity::Text
    } else if upper.contains("BLOB") || upper.is_empty() {
        Affinity::Blob
    } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
        Affinity::Real
    } else {
        Affinity::Numeric
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinity_follows_sqlite_rules() {
        for (decl, aff) in [
            ("INTEGER", Affinity::Integer),
            ("intege", Affinity::Integer),
            ("BLOB SUB_TYPE TEXT", Affinity::Text),
            ("CHARINT", Affinity::Integer),
            ("", Affinity::Blob),
            ("FLOATING POINT", Affinity::Integer),
            ("double precision", Affinity::Real),
            ("STRING", Affinity::Numeric),
            ("DATETIME", Affinity::Numeric),
        ] {
            assert_eq!(read_declared(decl).affinity, aff, "{decl}");
        }
    }

    #[test]
    fn declared_kinds() {
        assert_eq!(read_declared("NUMERIC(10,2)").kind, DeclaredKind::Decimal(Some((10, 2))));
        assert_eq!(read_declared("NVARCHAR(160)").kind, DeclaredKind::BoundedText(160));
        assert_eq!(read_declared("tinyint(1)").kind, DeclaredKind::Boolean);
        assert_eq!(read_declared("\"double precision\"").kind, DeclaredKind::Real);
        assert_eq!(read_declared("VARCHAR").kind, DeclaredKind::Text);
        assert_eq!(read_declared("timestamp with time zone").kind, DeclaredKind::DateTimeTz);
        // sea-query's SQLite names (SeaORM, Loco).
        assert_eq!(read_declared("uuid_text").kind, DeclaredKind::Uuid);
        assert_eq!(read_declared("timestamp_with_timezone_text").kind, DeclaredKind::DateTimeTz);
        assert_eq!(read_declared("real_decimal").kind, DeclaredKind::Decimal(None));
        assert_eq!(read_declared("real(10, 2)").kind, DeclaredKind::Decimal(Some((10, 2))));
        assert_eq!(read_declared("json_text").kind, DeclaredKind::Json);
        assert_eq!(read_declared("date_text").kind, DeclaredKind::Date);
    }

    #[test]
    fn config_types_parse_and_print_back() {
        for t in ["boolean", "bigint", "numeric(10,2)", "numeric", "varchar(12)", "timestamptz", "double precision", "jsonb"] {
            assert_eq!(PgType::parse(t).map(|p| p.to_string()).as_deref(), Some(t));
        }
        assert_eq!(PgType::parse("real"), None);
        assert_eq!(PgType::parse("varchar(0)"), None);
    }
}

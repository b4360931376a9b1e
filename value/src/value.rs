//! A typed PostgreSQL value: what a stored SQLite value becomes, and what PostgreSQL's output
//! reads back as.

use std::borrow::Cow;
use std::net::IpAddr;

/// One PostgreSQL value, typed. Texts and bytes borrow from the stored value where they can,
/// so the copy's hot path allocates nothing for them.
#[derive(Debug, Clone, PartialEq)]
pub enum PgValue<'a> {
    /// SQL NULL.
    Null,
    /// `boolean`
    Bool(bool),
    /// `smallint`
    Int2(i16),
    /// `integer`
    Int4(i32),
    /// `bigint`
    Int8(i64),
    /// `real`
    Float4(f32),
    /// `double precision`
    Float8(f64),
    /// `numeric`: a plain decimal text, `[-]digits[.digits]` (checked against the column's
    /// precision and scale by the conversion).
    Numeric(Cow<'a, str>),
    /// Text of any text type, and an enum's label.
    Text(Cow<'a, str>),
    /// `bytea`
    Bytes(Cow<'a, [u8]>),
    /// `json`: the text as given.
    Json(Cow<'a, str>),
    /// `jsonb`: a text `jsonb` takes.
    Jsonb(Cow<'a, str>),
    /// `uuid`
    Uuid([u8; 16]),
    /// `date`: days since 2000-01-01.
    Date(i32),
    /// `time`: microseconds since midnight.
    Time(i64),
    /// `timetz`: microseconds since midnight and the zone's offset east of UTC in seconds.
    TimeTz {
        /// Local time of day.
        micros: i64,
        /// Seconds east of UTC.
        offset: i32,
    },
    /// `timestamp`: microseconds since 2000-01-01 (wall clock).
    Timestamp(i64),
    /// `timestamptz`: microseconds since 2000-01-01 UTC.
    TimestampTz(i64),
    /// `interval`, as PostgreSQL stores it: months, days and microseconds, each signed.
    Interval {
        /// Months.
        months: i32,
        /// Days.
        days: i32,
        /// Microseconds.
        micros: i64,
    },
    /// `inet` or `cidr`.
    Inet {
        /// The address.
        addr: IpAddr,
        /// Prefix length in bits.
        prefix: u8,
        /// A `cidr` value (host bits zero), else `inet`.
        cidr: bool,
    },
    /// A one-dimensional array.
    Array(Vec<PgValue<'a>>),
}

impl PgValue<'_> {
    /// The same value, owning what it borrowed.
    pub fn into_owned(self) -> PgValue<'static> {
        let own_str = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        match self {
            PgValue::Null => PgValue::Null,
            PgValue::Bool(v) => PgValue::Bool(v),
            PgValue::Int2(v) => PgValue::Int2(v),
            PgValue::Int4(v) => PgValue::Int4(v),
            PgValue::Int8(v) => PgValue::Int8(v),
            PgValue::Float4(v) => PgValue::Float4(v),
            PgValue::Float8(v) => PgValue::Float8(v),
            PgValue::Numeric(t) => PgValue::Numeric(own_str(t)),
            PgValue::Text(t) => PgValue::Text(own_str(t)),
            PgValue::Bytes(b) => PgValue::Bytes(Cow::Owned(b.into_owned())),
            PgValue::Json(t) => PgValue::Json(own_str(t)),
            PgValue::Jsonb(t) => PgValue::Jsonb(own_str(t)),
            PgValue::Uuid(u) => PgValue::Uuid(u),
            PgValue::Date(d) => PgValue::Date(d),
            PgValue::Time(t) => PgValue::Time(t),
            PgValue::TimeTz { micros, offset } => PgValue::TimeTz { micros, offset },
            PgValue::Timestamp(t) => PgValue::Timestamp(t),
            PgValue::TimestampTz(t) => PgValue::TimestampTz(t),
            PgValue::Interval { months, days, micros } => PgValue::Interval { months, days, micros },
            PgValue::Inet { addr, prefix, cidr } => PgValue::Inet { addr, prefix, cidr },
            PgValue::Array(items) => PgValue::Array(items.into_iter().map(PgValue::into_owned).collect()),
        }
    }
}

/// A UUID's 16 bytes as `8-4-4-4-12` lowercase hex.
pub fn uuid_text(bytes: &[u8; 16]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// A double as PostgreSQL reads it back to the same bits: the shortest round-trip form.
pub fn float_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "Infinity".into()
    } else if v == f64::NEG_INFINITY {
        "-Infinity".into()
    } else {
        format!("{v:?}")
    }
}

/// A float4 as PostgreSQL reads it back to the same bits.
pub fn float4_text(v: f32) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f32::INFINITY {
        "Infinity".into()
    } else if v == f32::NEG_INFINITY {
        "-Infinity".into()
    } else {
        format!("{v:?}")
    }
}

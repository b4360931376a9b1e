//! Mapping: from a SQLite column (declared type, name) and its profile to a PostgreSQL type.
//!
//! Takes a [`SourceColumn`] and its [`ColumnProfile`], gives a [`ColumnDecision`]: the type,
//! the rule that chose it, the evidence in words, and any candidate or warning for a human.
//! Rules are applied in a fixed order (see [`decide`]); a `sqlite2pg.toml` override wins over
//! all of them. Nothing here changes or drops a value: values that break the chosen type are
//! counted later by [`crate::plan`] and reported with their keys.

pub mod code_change;
pub mod conventions;
pub mod defaults;
mod types;

use serde::{Deserialize, Serialize};

pub use conventions::{Conventions, IntWidth, KeyStyle};
pub use types::{Affinity, Declared, DeclaredKind, PgType, affinity, read_declared};

use crate::introspect::{SourceCheck, SourceColumn};
use crate::profile::{ColumnProfile, EpochUnit};

/// Which rule chose a column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// `INTEGER PRIMARY KEY` (rowid alias) -> identity.
    Identity,
    /// `sqlite2pg.toml` said so.
    Config,
    /// Declared BOOLEAN/BOOL/BIT/TINYINT(1).
    DeclaredBoolean,
    /// Integer column named like a flag holding only 0/1.
    FlagBoolean,
    /// Declared JSON.
    DeclaredJson,
    /// Text whose every value is a JSON object or array.
    DetectedJson,
    /// Declared DATE/TIME/DATETIME/TIMESTAMP.
    DeclaredTemporal,
    /// Text whose every value is one ISO-8601 family.
    DetectedTemporal,
    /// Epoch integers in a date-declared column.
    EpochTemporal,
    /// Declared REAL/FLOAT/DOUBLE.
    Real,
    /// DECIMAL/NUMERIC.
    Decimal,
    /// VARCHAR(n) and friends.
    BoundedText,
    /// Declared or detected UUID.
    Uuid,
    /// BLOB.
    Blob,
    /// Integer affinity.
    Integer,
    /// Text affinity.
    Text,
    /// No declared type (or one that says nothing): chosen from the values.
    FromValues,
    /// The tsvector column that replaces an FTS table.
    FullText,
    /// Stored values break the first choice (SQLite never enforced declared types): a wider
    /// type holds every one of them.
    Widened,
    /// The PostgreSQL type the framework that wrote the DDL declares for it (see
    /// [`conventions`]).
    Framework,
    /// `--keep-value-kinds`: the kind of value the driver returned on SQLite.
    KeptKind,
    /// The type the deployed schema has (the migrator's history), kept.
    Deployed,
}

/// The decision for one column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ColumnDecision {
    /// The PostgreSQL type.
    pub pg_type: PgType,
    /// The rule that chose it.
    pub rule: Rule,
    /// Why, with the evidence (`INTEGER, values {0,1}, name reads as a flag`).
    pub reason: String,
    /// For temporal columns holding epoch integers: their unit.
    pub epoch: Option<EpochUnit>,
    /// A different type the values would allow, for a human to consider.
    pub candidate: Option<String>,
    /// Something the user should know (a declared length that does not hold, a mix of classes).
    pub warning: Option<String>,
}

impl ColumnDecision {
    /// A decision with no candidate or warning.
    pub fn new(pg_type: PgType, rule: Rule, reason: impl Into<String>) -> Self {
        ColumnDecision { pg_type, rule, reason: reason.into(), epoch: None, candidate: None, warning: None }
    }
    fn candidate(mut self, text: impl Into<String>) -> Self {
        self.candidate = Some(text.into());
        self
    }
    fn warning(mut self, text: impl Into<String>) -> Self {
        self.warning = Some(text.into());
        self
    }
}

/// A name's words: split at `_`, `-`, spaces, digits and camelCase humps, lower-cased
/// (`ai_generated` -> ai, generated; `isActive` -> is, active; `flag_2` -> flag).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphabetic() {
            previous_lower = false;
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Words that read as a number even when the values are 0 and 1.
const COUNTERS: &[&str] = &[
    "count", "counts", "counter", "qty", "quantity", "level", "lvl", "priority", "position", "pos", "rank", "ranking", "version", "retries",
    "retry", "attempts", "attempt", "num", "number", "no", "index", "idx", "order", "sort", "total", "size", "age", "score", "amount",
    "balance", "price", "weight", "step", "stage", "tier", "limit", "max", "min", "id", "ids", "seq", "sequence", "year", "month", "day",
    "hour", "minute", "second", "offset", "page", "port", "rating", "votes", "likes", "points",
];

/// Whether a column name reads as a count or measure (`retry_count`, `priority`, `user_id`).
pub fn name_reads_as_counter(name: &str) -> bool {
    words(name).iter().any(|w| COUNTERS.contains(&w.as_str()))
}

/// Whether a column name reads as a boolean flag, a predicate: `is_*`, `has_*`, `*_enabled`,
/// `active`, `deleted`, `edited`, `ai_generated`, `success`, `flag_2`, camelCase `isActive`, ...
/// and holds no counter-like word (`count`, `qty`, `level`, `priority`, `position`, `rank`,
/// `version`, `retries`, `attempts`, `*_id`, ...), which reads as a number even at 0/1.
pub fn name_reads_as_flag(name: &str) -> bool {
    const LEADING: &[&str] = &["is", "has", "can", "should", "was", "were", "will", "did", "does", "allow", "allows", "use", "show", "enable", "needs", "must", "want", "wants"];
    const PREDICATES: &[&str] = &[
        "active", "enabled", "disabled", "deleted", "archived", "hidden", "visible", "verified", "published", "approved", "locked", "read",
        "seen", "done", "completed", "favorite", "favourite", "starred", "pinned", "muted", "blocked", "discontinued", "flag", "flagged",
        "private", "public", "admin", "valid", "invalid", "default", "selected", "checked", "confirmed", "removed", "expired", "primary", "readonly",
        "sent", "delivered", "unread", "autoupdate", "spam", "success", "successful", "succeeded", "failed", "failure", "ok", "edited", "generated",
        "required", "optional", "allowed", "visible", "online", "offline", "banned", "suspended", "paid", "free", "premium", "trial", "draft",
        "hidden", "subscribed", "unsubscribed", "opted", "consent", "accepted", "rejected", "processed", "synced", "dirty", "deprecated", "bot",
    ];

    // Words ending in -ed that are no past participle.
    const NOT_PARTICIPLES: &[&str] = &["speed", "seed", "feed", "need", "embed", "bed", "red", "shed", "bleed", "breed", "weed", "reed", "greed", "med"];
    let words = words(name);
    let Some(first) = words.first() else { return false };
    if name_reads_as_counter(name) {
        return false;
    }
    (words.len() > 1 && LEADING.contains(&first.as_str()))
        || words.iter().any(|w| PREDICATES.contains(&w.as_str()))
        || words.last().is_some_and(|w| w.len() >= 5 && w.ends_with("ed") && !NOT_PARTICIPLES.contains(&w.as_str()))
}

/// Whether the column's CHECK allows only 0 and 1 (`x IN (0,1)`, `x BETWEEN 0 AND 1`, ...).
fn check_reads_as_flag(column: &SourceColumn, checks: &[SourceCheck]) -> bool {
    let name = column.name.to_ascii_lowercase();
    let patterns = [format!("{name}in(0,1)"), format!("{name}in(1,0)"), format!("{name}between0and1"), format!("{name}=0or{name}=1"), format!("{name}=1or{name}=0")];
    compact_checks(checks).any(|text| patterns.iter().any(|pattern| text.contains(pattern.as_str())))
}

/// The table's CHECK expressions lower-cased, without whitespace and identifier quotes, so that
/// `"Deleted" IN (0, 1)` and `deleted in(0,1)` read alike.
fn compact_checks(checks: &[SourceCheck]) -> impl Iterator<Item = String> + '_ {
    checks.iter().map(|check| check.expr.to_ascii_lowercase().chars().filter(|c| !c.is_whitespace() && !matches!(c, '"' | '`' | '[' | ']')).collect())
}

/// Whether the column's DEFAULT is 0 or 1 (or false/true).
fn default_reads_as_flag(column: &SourceColumn) -> bool {
    let default = column.default_sql.as_deref().map(|d| d.trim().trim_matches(['(', ')', '\'', '"']).trim().to_ascii_lowercase());
    matches!(default.as_deref(), Some("0" | "1" | "false" | "true"))
}

/// Why a 0/1 column is a flag: a CHECK allowing only 0 and 1; else, unless a counter-like word
/// says it is a number (`retry_count INTEGER DEFAULT 0`), a predicate name or a 0/1 DEFAULT.
/// `None` when nothing says so.
fn flag_evidence(column: &SourceColumn, checks: &[SourceCheck]) -> Option<&'static str> {
    if check_reads_as_flag(column, checks) {
        Some("its CHECK allows only 0 and 1")
    } else if name_reads_as_counter(&column.name) {
        None
    } else if name_reads_as_flag(&column.name) {
        Some("the name reads as a flag")
    } else if default_reads_as_flag(column) {
        Some("its DEFAULT is 0 or 1")
    } else {
        None
    }
}

/// Decide the PostgreSQL type of a column that is not the rowid alias.
///
/// The order: `--keep-value-kinds`; a framework's signature types (Django's JSONField and
/// UUIDField); declared boolean; flag-named 0/1 integers; declared JSON; declared date/time;
/// REAL; DECIMAL/NUMERIC; VARCHAR(n); declared UUID; BLOB; integer affinity; text affinity
/// (where JSON, ISO-8601 and UUID text are detected unless a framework declared it text); and
/// last, no declared type or one that says nothing, chosen from the stored values.
pub fn decide(column: &SourceColumn, checks: &[SourceCheck], profile: &ColumnProfile, conventions: &Conventions) -> ColumnDecision {
    let declared = read_declared(&column.declared_type);
    let decl = if column.declared_type.is_empty() { "no declared type".to_string() } else { column.declared_type.clone() };
    let p = profile;
    let n = p.non_null();
    if conventions.keep_value_kinds {
        return decide_kept_kind(&decl, declared.kind, conventions, p);
    }
    if let Some(framework) = conventions.framework {
        let name = framework.name();
        if conventions.json_valid_text && matches!(declared.kind, DeclaredKind::Text) && check_reads_as_json(column, checks) {
            return ColumnDecision::new(PgType::Jsonb, Rule::Framework, format!("{decl} under CHECK (JSON_VALID(...)): {name}'s JSONField, jsonb on PostgreSQL ({} JSON values of {n})", p.text_json_any));
        }
        if conventions.ip_text && matches!(declared.kind, DeclaredKind::BoundedText(39 | 15)) && p.texts == n && n > 0 && p.text_ip == n {
            return ColumnDecision::new(PgType::Inet, Rule::Framework, format!("{decl} holding {n} IP addresses: {name}'s GenericIPAddressField, inet on PostgreSQL"));
        }
        if conventions.hex_uuid && declared.kind == DeclaredKind::BoundedText(32) && p.all_uuid_any_form() {
            return ColumnDecision::new(PgType::Uuid, Rule::Framework, format!("{decl} holding {n} UUIDs as 32 hex digits: {name}'s UUID type, uuid on PostgreSQL"));
        }
    }
    match declared.kind {
        DeclaredKind::Boolean => {
            let ok = p.integers - p.ints_not_01.min(p.integers) + p.text_bool;
            let mut d = ColumnDecision::new(PgType::Boolean, Rule::DeclaredBoolean, format!("{decl}, {}", values_summary(p)));
            if ok < n {
                d = d.warning(format!("{} of {n} values are not 0/1 or a boolean word", n - ok));
            }
            d
        }
        DeclaredKind::Json => {
            let pg = conventions.declared_json;
            let why = match conventions.framework {
                Some(f) if pg == PgType::Json => format!(", json as {} declares it on PostgreSQL (the text kept as written)", f.name()),
                _ => String::new(),
            };
            ColumnDecision::new(pg, Rule::DeclaredJson, format!("{decl}, {} JSON texts of {n} values{why}", p.text_json_any))
        }
        DeclaredKind::JsonBinary => ColumnDecision::new(PgType::Jsonb, Rule::DeclaredJson, format!("{decl}, {} JSON texts of {n} values", p.text_json_any)),
        DeclaredKind::Date | DeclaredKind::Time | DeclaredKind::DateTime | DeclaredKind::DateTimeTz => decide_declared_temporal(&decl, declared.kind, conventions, p),
        DeclaredKind::Real => ColumnDecision::new(PgType::Double, Rule::Real, format!("{decl}: SQLite REAL is an 8-byte double{}", infinities(p))),
        DeclaredKind::Decimal(precision) => decide_decimal(&decl, precision, conventions, p),
        DeclaredKind::BoundedText(len) => {
            if p.text_max_chars <= len as u64 {
                ColumnDecision::new(PgType::Varchar(len), Rule::BoundedText, format!("{decl}, longest value {} characters", p.text_max_chars))
            } else {
                ColumnDecision::new(PgType::Text, Rule::BoundedText, format!("{decl}, but the longest value has {} characters", p.text_max_chars))
                    .warning(format!("values exceed the declared length {len} (SQLite never enforced it): text instead of varchar({len})"))
            }
        }
        DeclaredKind::Uuid if p.blobs > 0 => ColumnDecision::new(PgType::Uuid, Rule::Uuid, format!("{decl}, {} UUID texts and {} blobs (16 bytes each: a UUID's bytes) of {n} values", p.text_uuid, p.blobs)),
        DeclaredKind::Uuid => ColumnDecision::new(PgType::Uuid, Rule::Uuid, format!("{decl}, {} UUID texts of {n} values", p.text_uuid)),
        DeclaredKind::Blob => {
            let d = ColumnDecision::new(PgType::Bytea, Rule::Blob, format!("{decl}, {}", values_summary(p)));
            if p.texts > 0 { d.warning(format!("{} text values will be stored as their bytes", p.texts)) } else { d }
        }
        DeclaredKind::SmallInt | DeclaredKind::Int4 | DeclaredKind::Integer | DeclaredKind::BigInt => decide_integer(column, checks, &decl, declared.kind, conventions, p),
        DeclaredKind::Text if conventions.declared_type_is_intent => declared_text(&decl, p),
        DeclaredKind::Text => decide_text(&decl, p).unwrap_or_else(|| ColumnDecision::new(PgType::Text, Rule::Text, format!("{decl}, {}", values_summary(p)))),
        DeclaredKind::None | DeclaredKind::Other => decide_from_values(column, checks, &decl, conventions, p),
    }
}

/// `--keep-value-kinds`: the type that returns each value as the kind the driver returned on
/// SQLite, which its storage class decides (integer, real, text, blob), never a boolean, JSON,
/// date or UUID. Only lossless changes: REAL to double precision, a declared length kept.
fn decide_kept_kind(decl: &str, kind: DeclaredKind, conventions: &Conventions, p: &ColumnProfile) -> ColumnDecision {
    let n = p.non_null();
    let kept = |pg: PgType, what: &str| ColumnDecision::new(pg, Rule::KeptKind, format!("{decl}, {}: {what} (--keep-value-kinds)", values_summary(p)));
    if n == 0 {
        return match kind {
            DeclaredKind::SmallInt | DeclaredKind::Int4 | DeclaredKind::Integer | DeclaredKind::BigInt | DeclaredKind::Boolean => {
                kept(integer_type(kind, conventions, p), "integers stay integers")
            }
            DeclaredKind::Real => kept(PgType::Double, "reals stay reals"),
            DeclaredKind::Blob => kept(PgType::Bytea, "blobs stay bytes"),
            DeclaredKind::BoundedText(len) => kept(PgType::Varchar(len), "text stays text"),
            _ => kept(PgType::Text, "text stays text"),
        };
    }
    if p.integers == n {
        let kind = if matches!(kind, DeclaredKind::SmallInt | DeclaredKind::Int4 | DeclaredKind::Integer | DeclaredKind::BigInt) { kind } else { DeclaredKind::BigInt };
        return kept(integer_type(kind, conventions, p), "integers stay integers");
    }
    if p.integers + p.reals == n {
        return kept(PgType::Double, "numbers read as reals");
    }
    if p.blobs == n {
        return kept(PgType::Bytea, "blobs stay bytes");
    }
    match kind {
        DeclaredKind::BoundedText(len) if p.texts == n && p.text_max_chars <= len as u64 => kept(PgType::Varchar(len), "text stays text"),
        _ => kept(PgType::Text, "text stays text"),
    }
}

/// A column the framework declared text: text, whatever its values look like; what they look
/// like is a candidate.
fn declared_text(decl: &str, p: &ColumnProfile) -> ColumnDecision {
    let d = ColumnDecision::new(PgType::Text, Rule::Framework, format!("{decl}, {}: declared text by the framework, kept text", values_summary(p)));
    match decide_text(decl, p) {
        Some(guess) => d.candidate(format!("{}: {} (the application reads text today; set `type = \"{}\"` in sqlite2pg.toml to change what it reads)", guess.pg_type, guess.reason, guess.pg_type)),
        None => d,
    }
}

/// Whether a CHECK of the table tests the column with JSON_VALID (Django's JSONField).
fn check_reads_as_json(column: &SourceColumn, checks: &[SourceCheck]) -> bool {
    let pattern = format!("json_valid({})", column.name.to_ascii_lowercase());
    compact_checks(checks).any(|text| text.contains(&pattern))
}

fn decide_declared_temporal(decl: &str, kind: DeclaredKind, conventions: &Conventions, p: &ColumnProfile) -> ColumnDecision {
    let declared_type = match kind {
        DeclaredKind::Date => PgType::Date,
        DeclaredKind::Time => PgType::Time,
        DeclaredKind::DateTimeTz => PgType::TimestampTz,
        _ => conventions.naive_datetime,
    };
    let n = p.non_null();
    if n > 0 && p.integers == n
        && let Some(unit) = p.epoch_unit() {
            let mut d = ColumnDecision::new(PgType::TimestampTz, Rule::EpochTemporal, format!("{decl}, integers are epoch {} by magnitude", unit_name(unit)));
            d.epoch = Some(unit);
            return d;
        }
    if let Some(detected) = iso_family(p, kind == DeclaredKind::Date) {
        // A declared DATE holding times keeps them: timestamp, not date.
        let chosen = match (declared_type, detected) {
            (PgType::TimestampTz, PgType::Timestamp | PgType::Date) => PgType::TimestampTz,
            // Sequelize's DATE holds texts with an offset: timestamptz, as it declares.
            (PgType::Timestamp, PgType::TimestampTz) => PgType::TimestampTz,
            (PgType::Timestamp, PgType::Date) => PgType::Timestamp,
            (_, d) => d,
        };
        let mut d = ColumnDecision::new(chosen, Rule::DeclaredTemporal, format!("{decl}, {}", iso_summary(p)));
        if let (Some(f), true) = (conventions.framework, kind == DeclaredKind::DateTime && chosen == PgType::TimestampTz && detected != PgType::TimestampTz) {
            d.rule = Rule::Framework;
            d.reason = format!("{decl}, {}: {} writes naive UTC and declares timestamptz on PostgreSQL", iso_summary(p), f.name());
        }
        return if chosen != declared_type && !(declared_type == PgType::Timestamp && chosen == PgType::TimestampTz) {
            d.warning(format!("declared {decl} but the values are {chosen}: {chosen} keeps them whole"))
        } else {
            d
        };
    }
    let d = ColumnDecision::new(declared_type, Rule::DeclaredTemporal, format!("{decl}, {}", values_summary(p)));
    if n > 0 && p.dates.date + p.dates.datetime + p.dates.datetime_zone + p.dates.time < n {
        d.warning(format!("{} values are not ISO-8601 text", n - (p.dates.date + p.dates.datetime + p.dates.datetime_zone + p.dates.time)))
    } else {
        d
    }
}

/// The one PostgreSQL type that holds every ISO-8601 text of the column, when there is one.
fn iso_family(p: &ColumnProfile, date_preferred: bool) -> Option<PgType> {
    if !p.all_iso_text() {
        return None;
    }
    let d = &p.dates;
    Some(if d.time > 0 {
        if d.date + d.datetime + d.datetime_zone > 0 {
            return None;
        }
        PgType::Time
    } else if d.datetime_zone > 0 {
        PgType::TimestampTz
    } else if d.datetime > 0 || !date_preferred && d.date == 0 {
        PgType::Timestamp
    } else {
        PgType::Date
    })
}

/// The most significant digits rust_decimal (SeaORM's `Decimal`) holds: the precision of a
/// numeric whose places come from the values, leaving the integer part room.
const DECIMAL_PRECISION_FROM_VALUES: u32 = 28;

fn decide_decimal(decl: &str, precision: Option<(u32, u32)>, conventions: &Conventions, p: &ColumnProfile) -> ColumnDecision {
    match precision {
        None if conventions.decimal_places_from_values && p.non_null() > 0 => {
            let scale = p.max_frac_digits;
            let precision = DECIMAL_PRECISION_FROM_VALUES.max(p.max_int_digits + scale).min(1000);
            let name = conventions.framework.map_or("the framework", |f| f.name());
            ColumnDecision::new(
                PgType::Numeric(Some((precision, scale))),
                Rule::Framework,
                format!("{decl} without precision: {name} reads it with the places its model declares, which SQLite's DDL does not keep; the values have up to {scale} places"),
            )
            .warning(format!(
                "numeric({precision},{scale}): the places are the most the stored values show, and the model may declare more (set `type = \"numeric(P,S)\"` in sqlite2pg.toml as the model declares, or build the schema with `migrate --app-schema`)"
            ))
        }
        Some((prec, scale)) => {
            if p.max_int_digits <= prec - scale && p.max_frac_digits <= scale {
                ColumnDecision::new(PgType::Numeric(Some((prec, scale))), Rule::Decimal, format!("{decl}, every value fits ({} integer and {} fraction digits at most)", p.max_int_digits, p.max_frac_digits))
            } else {
                ColumnDecision::new(PgType::Numeric(None), Rule::Decimal, format!("{decl}, but values have up to {} integer and {} fraction digits", p.max_int_digits, p.max_frac_digits))
                    .warning(format!("values do not fit numeric({prec},{scale}) exactly: unconstrained numeric keeps them unchanged"))
            }
        }
        None => ColumnDecision::new(PgType::Numeric(None), Rule::Decimal, format!("{decl}: exact numeric")),
    }
}

fn decide_integer(column: &SourceColumn, checks: &[SourceCheck], decl: &str, kind: DeclaredKind, conventions: &Conventions, p: &ColumnProfile) -> ColumnDecision {
    if p.all_01_integers() {
        if let Some(evidence) = flag_evidence(column, checks).filter(|_| !conventions.declared_type_is_intent) {
            return ColumnDecision::new(PgType::Boolean, Rule::FlagBoolean, format!("{decl}, values {{0,1}} only, and {evidence}"));
        }
        let pg = integer_type(kind, conventions, p);
        return ColumnDecision::new(pg, Rule::Integer, format!("{decl}, values {{0,1}} only")).candidate("boolean: holds only 0/1 (set `type = \"boolean\"` in sqlite2pg.toml)");
    }
    let pg = integer_type(kind, conventions, p);
    let mut d = ColumnDecision::new(pg, Rule::Integer, format!("{decl}, {}", values_summary(p)));
    if p.integers > 0 && p.integers == p.non_null()
        && let Some(unit) = p.epoch_unit() {
            d = d.candidate(format!("timestamptz: values look like epoch {} (kept as {pg}: the application reads numbers)", unit_name(unit)));
        }
    d
}

/// bigint, unless a smaller declared integer type holds every value: SMALLINT, INT4, and
/// INT/INTEGER where the conventions make integers int4.
fn integer_type(kind: DeclaredKind, conventions: &Conventions, p: &ColumnProfile) -> PgType {
    let (min, max) = (p.int_min.unwrap_or(0), p.int_max.unwrap_or(0));
    let fits_int4 = min >= i32::MIN as i64 && max <= i32::MAX as i64;
    match kind {
        DeclaredKind::SmallInt if min >= i16::MIN as i64 && max <= i16::MAX as i64 => PgType::SmallInt,
        DeclaredKind::Int4 | DeclaredKind::SmallInt if fits_int4 => PgType::Integer,
        DeclaredKind::Integer if fits_int4 && conventions.integers == IntWidth::Int4 => PgType::Integer,
        _ => PgType::BigInt,
    }
}

/// JSON, ISO-8601 or UUID detection on a text column.
fn decide_text(decl: &str, p: &ColumnProfile) -> Option<ColumnDecision> {
    if p.all_json() {
        return Some(ColumnDecision::new(PgType::Jsonb, Rule::DetectedJson, format!("{decl}, all {} values are JSON objects or arrays", p.texts)));
    }
    if let Some(t) = iso_family(p, true) {
        return Some(ColumnDecision::new(t, Rule::DetectedTemporal, format!("{decl}, {}", iso_summary(p))));
    }
    if p.all_uuid() {
        return Some(ColumnDecision::new(PgType::Uuid, Rule::Uuid, format!("{decl}, all {} values are UUIDs", p.texts)));
    }
    None
}

fn decide_from_values(column: &SourceColumn, checks: &[SourceCheck], decl: &str, conventions: &Conventions, p: &ColumnProfile) -> ColumnDecision {
    let n = p.non_null();
    if n == 0 {
        return ColumnDecision::new(PgType::Text, Rule::FromValues, format!("{decl} and no values: text"));
    }
    if p.integers == n {
        if p.all_01_integers()
            && let Some(evidence) = flag_evidence(column, checks).filter(|_| !conventions.declared_type_is_intent)
        {
            return ColumnDecision::new(PgType::Boolean, Rule::FlagBoolean, format!("{decl}, values {{0,1}} only, and {evidence}"));
        }
        return ColumnDecision::new(PgType::BigInt, Rule::FromValues, format!("{decl}, every value is an integer"));
    }
    if p.integers + p.reals == n {
        return ColumnDecision::new(PgType::Double, Rule::FromValues, format!("{decl}, values are numbers ({} reals){}", p.reals, infinities(p)));
    }
    if p.texts == n {
        return decide_text(decl, p).unwrap_or_else(|| ColumnDecision::new(PgType::Text, Rule::FromValues, format!("{decl}, every value is text")));
    }
    if p.blobs == n {
        return ColumnDecision::new(PgType::Bytea, Rule::FromValues, format!("{decl}, every value is a blob"));
    }
    if p.blobs == 0 {
        return ColumnDecision::new(PgType::Text, Rule::FromValues, format!("{decl}, {}", values_summary(p)))
            .warning("mixed storage classes: text holds every value (numbers as their SQLite text form)");
    }
    ColumnDecision::new(PgType::Text, Rule::FromValues, format!("{decl}, {}", values_summary(p)))
        .warning("mixed storage classes including blobs: text holds the others; blobs are reported as values that break the type")
}

fn unit_name(unit: EpochUnit) -> &'static str {
    match unit {
        EpochUnit::Seconds => "seconds",
        EpochUnit::Milliseconds => "milliseconds",
        EpochUnit::Microseconds => "microseconds",
    }
}

fn infinities(p: &ColumnProfile) -> String {
    if p.reals_infinite > 0 { format!(", {} ±Infinity values kept", p.reals_infinite) } else { String::new() }
}

fn iso_summary(p: &ColumnProfile) -> String {
    let d = &p.dates;
    let mut parts = Vec::new();
    for (count, what) in [(d.date, "dates"), (d.datetime, "date-times"), (d.datetime_zone, "date-times with zone"), (d.time, "times")] {
        if count > 0 {
            parts.push(format!("{count} ISO {what}"));
        }
    }
    if parts.is_empty() { "no values".to_string() } else { parts.join(", ") }
}

/// `1200 integers, 3 texts, 40 nulls` style summary of the storage classes seen.
pub fn values_summary(p: &ColumnProfile) -> String {
    let mut parts = Vec::new();
    for (count, what) in [(p.integers, "integers"), (p.reals, "reals"), (p.texts, "texts"), (p.blobs, "blobs"), (p.nulls, "nulls")] {
        if count > 0 {
            parts.push(format!("{count} {what}"));
        }
    }
    if p.integers > 0 && p.ints_not_01 == 0 {
        parts[0] = format!("{} integers in {{0,1}}", p.integers);
    }
    if parts.is_empty() { "no values".to_string() } else { parts.join(", ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_names() {
        for yes in ["is_active", "has_children", "email_enabled", "active", "Deleted", "isActive", "IsDeleted", "Discontinued", "edited", "ai_generated", "success", "verified", "flag_2", "flag17"] {
            assert!(name_reads_as_flag(yes), "{yes}");
        }
        for no in ["id", "island", "count", "status", "hash", "isbn", "canvas_id", "level", "retry_count", "priority", "position", "rank", "version", "retries", "attempts", "speed", "user_id", "is"] {
            assert!(!name_reads_as_flag(no), "{no}");
        }
    }
}

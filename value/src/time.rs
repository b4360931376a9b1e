//! Dates, times and instants as PostgreSQL counts them, read from the texts SQLite's date
//! functions accept and written back as ISO-8601.
//!
//! Every time rule of the project lives here: the epoch units, the calendar arithmetic, how a
//! fraction past microseconds rounds (as PostgreSQL's input rounds it), what a zone offset does
//! to a `timestamp` (nothing) and to a `timestamptz` (shifts it to UTC).

use serde::{Deserialize, Serialize};

/// Microseconds in a day.
pub const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
pub const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;
/// Days from 1970-01-01 to 2000-01-01.
pub const PG_EPOCH_DAYS: i64 = 10_957;

/// The unit of epoch numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EpochUnit {
    /// Seconds since 1970-01-01 UTC.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Microseconds.
    Microseconds,
}

impl EpochUnit {
    /// Units per second.
    pub fn per_second(self) -> i64 {
        match self {
            EpochUnit::Seconds => 1,
            EpochUnit::Milliseconds => 1_000,
            EpochUnit::Microseconds => 1_000_000,
        }
    }

    /// Microseconds in one unit.
    pub fn micros(self) -> i64 {
        1_000_000 / self.per_second()
    }

    /// An integer count of this unit as microseconds since 1970-01-01, when it fits.
    pub fn integer_micros(self, count: i64) -> Option<i64> {
        count.checked_mul(self.micros())
    }

    /// A real count of this unit as microseconds since 1970-01-01, rounded to the microsecond.
    pub fn real_micros(self, count: f64) -> Option<i64> {
        let micros = (count * self.micros() as f64).round();
        (micros.is_finite() && micros.abs() < 9.2e18).then_some(micros as i64)
    }
}

/// The zone a date-time without one is read in when it becomes a `timestamptz`: UTC (SQLite's
/// own `CURRENT_TIMESTAMP` and `datetime('now')`, and what Django and SQLAlchemy store), a fixed
/// offset, or a named IANA zone whose offset follows daylight saving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NaiveZone {
    /// UTC.
    #[default]
    Utc,
    /// A fixed offset, seconds east of UTC.
    Fixed(i32),
    /// A named zone.
    Named(chrono_tz::Tz),
}

impl NaiveZone {
    /// `UTC`, `+02:00`/`-0530`, or an IANA name (`Europe/Berlin`).
    pub fn parse(text: &str) -> Option<NaiveZone> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" {
            return Some(NaiveZone::Utc);
        }
        if t.starts_with(['+', '-']) {
            return time_of_day(format!("00:00{t}").as_bytes()).and_then(|(_, offset)| offset).map(NaiveZone::Fixed);
        }
        t.parse::<chrono_tz::Tz>().ok().map(NaiveZone::Named)
    }

    /// A local (wall-clock) time, microseconds since 1970-01-01, as UTC microseconds. `None`
    /// for a local time the zone skips (the hour a clock jumps forward); a repeated one (the
    /// hour it falls back) is read as the earlier instant, as PostgreSQL reads it.
    pub fn to_utc(self, local_micros: i64) -> Option<i64> {
        match self {
            NaiveZone::Utc => Some(local_micros),
            NaiveZone::Fixed(offset) => local_micros.checked_sub(i64::from(offset) * 1_000_000),
            NaiveZone::Named(tz) => {
                use chrono::TimeZone;
                let local = chrono::DateTime::from_timestamp_micros(local_micros)?.naive_utc();
                let instant = tz.from_local_datetime(&local).earliest()?;
                Some(instant.timestamp_micros())
            }
        }
    }

    /// The offset a time of day without a date takes (`timetz`): a named zone's standard offset
    /// cannot be known without a date, so it is read as UTC there.
    pub fn fixed_offset(self) -> i32 {
        match self {
            NaiveZone::Fixed(offset) => offset,
            NaiveZone::Utc | NaiveZone::Named(_) => 0,
        }
    }
}

/// A Julian day number (days since noon, 4714-11-24 BC, proleptic Gregorian; what SQLite's
/// `julianday()` returns) as microseconds since 1970-01-01, for values from 0001-01-01 to
/// 9999-12-31.
pub fn julian_day_micros(day: f64) -> Option<i64> {
    const UNIX_EPOCH_JD: f64 = 2_440_587.5;
    if !(1_721_425.5..=5_373_484.5).contains(&day) {
        return None;
    }
    Some(((day - UNIX_EPOCH_JD) * MICROS_PER_DAY as f64).round() as i64)
}

/// A date-time text read: microseconds since 1970-01-01 of its local (wall-clock) reading, and
/// its zone's offset east of UTC in seconds when it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTime {
    /// Local date and time as microseconds since 1970-01-01.
    pub local_micros: i64,
    /// `Z` or `+HH:MM`: seconds east of UTC.
    pub offset: Option<i32>,
    /// Whether the text had a time of day (a bare date has none).
    pub has_time: bool,
}

impl DateTime {
    /// The instant, reading a text without a zone as UTC (the copy sessions' time zone, and
    /// SQLite's: `CURRENT_TIMESTAMP` and `datetime('now')` are UTC).
    pub fn utc_micros(self) -> Option<i64> {
        self.local_micros.checked_sub(i64::from(self.offset.unwrap_or(0)) * 1_000_000)
    }
}

/// Days since 1970-01-01 -> (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) -> days since 1970-01-01 in the proleptic Gregorian calendar (Howard
/// Hinnant's `days_from_civil`, the inverse of `civil_from_days`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// A date or time field of ASCII digits (at most 18: no overflow); `None` when empty or not all
/// digits. Folded by hand: it runs for every field of every date-time value copied.
fn field_digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    b.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
}

/// `YYYY-MM-DD` at the start of `b` (a real calendar day) as days since 1970-01-01.
fn date_days(b: &[u8]) -> Option<i64> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (field_digits(&b[0..4])?, field_digits(&b[5..7])?, field_digits(&b[8..10])?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `HH:MM[:SS[.f+]][ ][zone]` as microseconds since midnight, and the zone's offset east of UTC
/// in seconds when there is one. A 60th second runs into the next minute and `24:00:00` is the
/// end of the day, as in PostgreSQL; a fraction past microseconds rounds half to even, as
/// PostgreSQL's `rint` of the `strtod` value does.
pub fn time_of_day(b: &[u8]) -> Option<(i64, Option<i32>)> {
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let (h, m) = (field_digits(&b[0..2])?, field_digits(&b[3..5])?);
    let mut seconds = 0;
    let mut fraction_micros = 0;
    let mut i = 5;
    if b.len() >= 8 && b[5] == b':' {
        seconds = field_digits(&b[6..8])?;
        i = 8;
        if b.len() > 8 && b[8] == b'.' {
            let n = b[9..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return None;
            }
            let fraction: f64 = std::str::from_utf8(&b[8..9 + n]).ok()?.parse::<f64>().ok()?;
            fraction_micros = (fraction * 1_000_000.0).round_ties_even() as i64;
            i = 9 + n;
        }
    }
    if h > 24 || m > 59 || seconds > 60 || (h == 24 && (m > 0 || seconds > 0 || fraction_micros > 0)) {
        return None;
    }
    let micros = ((h * 60 + m) * 60 + seconds) * 1_000_000 + fraction_micros;
    let rest = &b[i..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let zone = match rest {
        [] => None,
        b"Z" | b"z" => Some(0),
        [sign, hh @ ..] if *sign == b'+' || *sign == b'-' => {
            let (zh, zm) = match hh {
                [h1, h2] => (field_digits(&[*h1, *h2])?, 0),
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (field_digits(&[*h1, *h2])?, field_digits(&[*m1, *m2])?),
                _ => return None,
            };
            if zh > 15 || zm > 59 {
                return None;
            }
            let offset = ((zh * 60 + zm) * 60) as i32;
            Some(if *sign == b'-' { -offset } else { offset })
        }
        _ => return None,
    };
    Some((micros, zone))
}

/// A date (`YYYY-MM-DD`) or date-time (`YYYY-MM-DD[T ]HH:MM[:SS[.f]][zone]`), the forms SQLite's
/// date functions read and write.
pub fn parse_datetime(text: &str) -> Option<DateTime> {
    let b = text.as_bytes();
    let days = date_days(b)?;
    let midnight = days.checked_mul(MICROS_PER_DAY)?;
    if b.len() == 10 {
        return Some(DateTime { local_micros: midnight, offset: None, has_time: false });
    }
    if b[10] != b' ' && b[10] != b'T' {
        return None;
    }
    let (micros, offset) = time_of_day(&b[11..])?;
    Some(DateTime { local_micros: midnight.checked_add(micros)?, offset, has_time: true })
}

/// An ISO date (`YYYY-MM-DD`, nothing else) as days since 1970-01-01.
pub fn iso_date_days(text: &str) -> Option<i64> {
    (text.len() == 10).then(|| date_days(text.as_bytes())).flatten()
}

/// An ISO time of day (`HH:MM[:SS[.f]]`, no zone) as microseconds since midnight.
pub fn iso_time_micros(text: &str) -> Option<i64> {
    match time_of_day(text.as_bytes())? {
        (micros, None) => Some(micros),
        _ => None,
    }
}

/// Microseconds since midnight as `HH:MM:SS.ffffff` (24:00:00 included).
pub fn format_time(micros: i64) -> String {
    let (secs, us) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    format!("{:02}:{:02}:{:02}.{us:06}", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// Days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Microseconds since 1970-01-01 as `YYYY-MM-DD HH:MM:SS.ffffff` (`sep` between date and time).
pub fn format_timestamp(micros: i64, sep: char) -> String {
    let (days, in_day) = (micros.div_euclid(MICROS_PER_DAY), micros.rem_euclid(MICROS_PER_DAY));
    format!("{}{sep}{}", format_date(days), format_time(in_day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_temporal_values_as_postgresql_reads_them() {
        // As PostgreSQL reads them: `timestamptz` applies a zone (none is UTC), `timestamp` ignores it.
        let t = |s: &str, tz: bool| parse_datetime(s).and_then(|d| if tz { d.utc_micros() } else { Some(d.local_micros) }).map(|m| m - PG_EPOCH_MICROS);
        assert_eq!(t("2000-01-01", true), Some(0));
        assert_eq!(t("2000-01-01 00:00:01.5", false), Some(1_500_000));
        assert_eq!(t("1999-12-31T23:59:59.999999", false), Some(-1));
        assert_eq!(t("2000-01-01 02:00:00+02:00", true), Some(0));
        assert_eq!(t("2000-01-01 02:00:00+02:00", false), Some(7_200_000_000), "timestamp ignores the zone");
        assert_eq!(t("2000-01-01 00:00:00-0530", true), Some(19_800_000_000));
        assert_eq!(t("2000-01-01 00:00:00Z", true), Some(0));
        assert_eq!(t("2000-01-01 23:59:60", false), Some(86_400_000_000), "a 60th second runs over");
        assert_eq!(t("2000-01-01 00:00:00.0000005", false), Some(0), "ties to even");
        assert_eq!(t("2000-01-01 00:00:00.0000015", false), Some(2));
        assert_eq!(t("2000-01-01 00:00:00.0000025", false), Some(2));
        assert_eq!(t("2026-12-06T00:04:44.987150350+00:00", true), Some(849_830_684_987_150));
        assert_eq!(t("2024-02-29 12:00", false), Some((8_825 * 86_400 + 43_200) * 1_000_000));
        assert_eq!(t("2023-02-29", false), None, "not a calendar day");
        assert_eq!(t("2023-13-01", false), None);
        assert_eq!(t("2023-01-01 25:00", false), None);
        assert_eq!(date_days(b"1970-01-01"), Some(0));
        assert_eq!(date_days(b"0001-01-01"), Some(-719_162));
        assert_eq!(iso_date_days("2000-01-02"), Some(10_958));
        assert_eq!(iso_date_days("2000-01-02 00:00"), None);
        assert_eq!(iso_time_micros("23:59:60"), Some(86_400_000_000));
        assert_eq!(iso_time_micros("24:00:00"), Some(86_400_000_000));
        assert_eq!(iso_time_micros("23:59:59.9999995"), Some(86_400_000_000));
        assert_eq!(iso_time_micros("10:11"), Some(36_660_000_000));
        assert_eq!(iso_time_micros("10:11+02"), None);
        assert_eq!(format_timestamp(1_600_000_000_123_000, 'T'), "2020-09-13T12:26:40.123000");
        assert_eq!(julian_day_micros(2_451_545.0), Some(PG_EPOCH_MICROS + MICROS_PER_DAY / 2), "2000-01-01 12:00 UTC");
        assert_eq!(julian_day_micros(1_600_000_000.0), None);
        let berlin = NaiveZone::parse("Europe/Berlin").expect("zone");
        let local = |s: &str| parse_datetime(s).expect("date-time").local_micros;
        assert_eq!(berlin.to_utc(local("2026-07-01 12:00")), Some(local("2026-07-01 10:00")), "summer time");
        assert_eq!(berlin.to_utc(local("2026-01-01 12:00")), Some(local("2026-01-01 11:00")));
        assert_eq!(berlin.to_utc(local("2026-03-29 02:30")), None, "skipped by the clock");
        assert_eq!(berlin.to_utc(local("2026-10-25 02:30")), Some(local("2026-10-25 00:30")), "the earlier of two");
        assert_eq!(NaiveZone::parse("+05:30"), Some(NaiveZone::Fixed(19_800)));
        assert_eq!(NaiveZone::parse("Mars/Olympus"), None);
    }
}

//! Durations and moments as people type them.

use std::time::Duration;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Reads `30m`, `1h30m`, `2d`, `1w`, `45s` (units may be combined, largest first or not).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration; write e.g. 30m, 1h30m or 2d");
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        total = n.checked_mul(unit).and_then(|s| total.checked_add(s)).ok_or_else(bad)?;
        digits.clear();
    }
    if !digits.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

/// A length of time as people type it (`30m`, `1h30m`, `2d`), for config and commands.
pub fn read_duration(text: &str) -> Result<chrono::Duration, String> {
    parse_duration(text).and_then(|d| {
        chrono::Duration::from_std(d)
            .map_err(|_| format!("`{text}` is not a length of time; write e.g. 30m, 1h or 1h30m"))
    })
}

/// The longest span a report reads, in days.
pub const PERIOD_DAYS: i64 = 366;

/// Why a period could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// Not `week`, `month`, `2026-11` or `2026-11-01..2026-11-30`.
    Unreadable,
    /// Its end comes before its start.
    Backwards,
    /// Longer than [`PERIOD_DAYS`].
    TooLong,
    /// It begins after now: nothing has happened in it yet.
    Future,
}

/// Reads the span a report covers, in the caller's zone: `week` (the 7 days ending now),
/// `month` (the 30 days ending now), a calendar month `2026-11`, or days
/// `2026-11-01..2026-11-30` (both whole days, in the caller's zone; an open end,
/// `2026-11-01..`, runs to now). A report counts what has happened, so a span ends now at
/// the latest (this month: from its first day to now).
pub fn read_period(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<(DateTime<Utc>, DateTime<Utc>), PeriodError> {
    let text = text.trim().to_ascii_lowercase();
    let day = |raw: &str| NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| PeriodError::Unreadable);
    let start_of = |date: NaiveDate| {
        tz.from_local_datetime(&date.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(PeriodError::Unreadable)
    };
    let (from, to) = match text.as_str() {
        "week" => return Ok((now - chrono::Duration::days(7), now)),
        "month" => return Ok((now - chrono::Duration::days(30), now)),
        _ => match text.split_once("..") {
            Some((first, last)) => {
                let from = start_of(day(first)?)?;
                let to = if last.trim().is_empty() {
                    now
                } else {
                    start_of(day(last)?.succ_opt().ok_or(PeriodError::Unreadable)?)?
                };
                (from, to)
            }
            None => {
                let first = day(&format!("{text}-01"))?;
                let next = if first.month() == 12 {
                    NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
                };
                (start_of(first)?, start_of(next.ok_or(PeriodError::Unreadable)?)?)
            }
        },
    };
    if to <= from {
        return Err(PeriodError::Backwards);
    }
    if to - from > chrono::Duration::days(PERIOD_DAYS) {
        return Err(PeriodError::TooLong);
    }
    if from >= now {
        return Err(PeriodError::Future);
    }
    let to = to.min(now);
    Ok((from, to))
}

/// Why a moment could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeError {
    /// Not a date and time at all.
    Unreadable(String),
    /// A date, but beyond what any calendar here can hold (`in 99999999h`).
    OutOfRange,
}

impl std::fmt::Display for TimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimeError::Unreadable(problem) => f.write_str(problem),
            TimeError::OutOfRange => f.write_str("that is too far ahead"),
        }
    }
}

/// Reads a moment in the caller's zone: `2026-12-01 15:00`, `tomorrow 9:00`, `in 2h`,
/// `in 90 minutes`, `next monday 10:00`, `friday 8pm`, or a bare `9:00` (the next time
/// the clock shows it). All arithmetic is checked: a moment past the calendar's end is
/// [`TimeError::OutOfRange`], never a panic.
pub fn parse_datetime(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, TimeError> {
    let bad = || TimeError::Unreadable(format!("`{text}` is not a date and time I can read"));
    if super::zh_time::is_chinese(text) {
        return super::zh_time::parse(text, now, tz).unwrap_or_else(|| Err(bad()));
    }
    let cleaned = text.trim().to_lowercase().replace(" at ", " ");
    if cleaned.is_empty() || cleaned.len() > 64 {
        return Err(bad());
    }
    // interim has no "in <n><unit>"; read it here.
    if let Some(rest) = cleaned.strip_prefix("in ") {
        let compact: String = rest.split_whitespace().collect::<Vec<_>>().join("");
        let compact = normalise_units(&compact);
        let duration = parse_duration(&compact).map_err(|_| bad())?;
        return chrono::Duration::from_std(duration)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .ok_or(TimeError::OutOfRange);
    }
    let local_now = now.with_timezone(&tz);
    let cleaned = next_weekday_as_date(&cleaned, local_now.date_naive()).ok_or(TimeError::OutOfRange)?;
    let parsed = interim::parse_date_string(&cleaned, local_now, interim::Dialect::Uk).map_err(|_| bad())?;
    let mut at = parsed.with_timezone(&Utc);
    // A bare time that has passed today means the next one.
    if is_bare_time(&cleaned) && at <= now {
        let next_day = parsed.date_naive().succ_opt().ok_or(TimeError::OutOfRange)?;
        at = tz.from_local_datetime(&next_day.and_time(parsed.time())).earliest().ok_or_else(bad)?.with_timezone(&Utc);
    }
    Ok(at)
}

/// interim reads "next monday" as the Monday of next week, which on a Saturday is nine
/// days away; people mean the first Monday after today, so name that date instead.
fn next_weekday_as_date(text: &str, today: NaiveDate) -> Option<String> {
    let Some(rest) = text.strip_prefix("next ") else {
        return Some(text.to_owned());
    };
    let (day, tail) = rest.split_once(' ').unwrap_or((rest, ""));
    let Ok(weekday) = day.parse::<Weekday>() else {
        return Some(text.to_owned());
    };
    let ahead = (7 + weekday.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64 - 1) % 7 + 1;
    let date = today.checked_add_signed(chrono::Duration::days(ahead))?;
    Some(format!("{} {tail}", date.format("%Y-%m-%d")).trim().to_owned())
}

fn is_bare_time(text: &str) -> bool {
    NaiveTime::parse_from_str(text, "%H:%M").is_ok()
        || text.ends_with("am") && text.trim_end_matches("am").trim().chars().all(|c| c.is_ascii_digit() || c == ':')
        || text.ends_with("pm") && text.trim_end_matches("pm").trim().chars().all(|c| c.is_ascii_digit() || c == ':')
}

/// `2hours` → `2h`, `90minutes` → `90m`, so `in 2 hours` reads like `in 2h`.
fn normalise_units(text: &str) -> String {
    let mut out = text.to_owned();
    for (long, short) in [
        ("weeks", "w"),
        ("week", "w"),
        ("days", "d"),
        ("day", "d"),
        ("hours", "h"),
        ("hour", "h"),
        ("hrs", "h"),
        ("hr", "h"),
        ("minutes", "m"),
        ("minute", "m"),
        ("mins", "m"),
        ("min", "m"),
        ("seconds", "s"),
        ("second", "s"),
        ("secs", "s"),
        ("sec", "s"),
    ] {
        out = out.replace(long, short);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid")
    }

    // Saturday 2026-11-28, 10:00 in Shanghai (UTC+8).
    fn now() -> DateTime<Utc> {
        utc(2026, 11, 28, 2, 0)
    }

    const SH: Tz = chrono_tz::Asia::Shanghai;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(604_800)));
        assert_eq!(parse_duration("45S"), Ok(Duration::from_secs(45)));
        for bad in ["", "30", "m", "1x", "0m", "h30", "-5m", "99999999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad} should not parse");
        }
    }

    #[test]
    fn periods_are_whole_days_in_the_callers_zone() {
        let week = Ok((now() - chrono::Duration::days(7), now()));
        assert_eq!(read_period("week", now(), SH), week);
        assert_eq!(read_period(" Week ", now(), SH), week);
        assert_eq!(read_period("month", now(), SH), Ok((now() - chrono::Duration::days(30), now())));
        // Shanghai's midnight is 16:00 UTC the day before.
        assert_eq!(read_period("2026-10", now(), SH), Ok((utc(2026, 9, 30, 16, 0), utc(2026, 10, 31, 16, 0))));
        assert_eq!(read_period("2026-10", now(), chrono_tz::UTC), Ok((utc(2026, 10, 1, 0, 0), utc(2026, 11, 1, 0, 0))));
        // This month runs to now; next month has not begun.
        assert_eq!(read_period("2026-11", now(), chrono_tz::UTC), Ok((utc(2026, 11, 1, 0, 0), now())));
        assert_eq!(read_period("2026-12", now(), SH), Err(PeriodError::Future));
        assert_eq!(
            read_period("2026-11-02..2026-11-08", now(), chrono_tz::UTC),
            Ok((utc(2026, 11, 2, 0, 0), utc(2026, 11, 9, 0, 0)))
        );
        assert_eq!(read_period("2026-11-20..", now(), chrono_tz::UTC), Ok((utc(2026, 11, 20, 0, 0), now())));
        assert_eq!(read_period("2026-11-08..2026-11-02", now(), SH), Err(PeriodError::Backwards));
        assert_eq!(read_period("2024-01-01..2026-01-01", now(), SH), Err(PeriodError::TooLong));
        for bad in ["", "fortnight", "2026-13", "2026-11-31..2026-12-01", "11/02..11/08", "2026-11-01...2026-11-02"] {
            assert_eq!(read_period(bad, now(), SH), Err(PeriodError::Unreadable), "{bad}");
        }
    }

    #[test]
    fn absolute_dates_are_read_in_the_callers_zone() {
        assert_eq!(parse_datetime("2026-12-01 15:00", now(), SH), Ok(utc(2026, 12, 1, 7, 0)));
        assert_eq!(parse_datetime("2026-12-01 15:00", now(), chrono_tz::UTC), Ok(utc(2026, 12, 1, 15, 0)));
    }

    #[test]
    fn relative_words() {
        assert_eq!(parse_datetime("tomorrow 9:00", now(), SH), Ok(utc(2026, 11, 29, 1, 0)));
        assert_eq!(parse_datetime("tomorrow at 9:00", now(), SH), Ok(utc(2026, 11, 29, 1, 0)));
        assert_eq!(parse_datetime("in 2h", now(), SH), Ok(utc(2026, 11, 28, 4, 0)));
        assert_eq!(parse_datetime("in 1h30m", now(), SH), Ok(utc(2026, 11, 28, 3, 30)));
        assert_eq!(parse_datetime("in 90 minutes", now(), SH), Ok(utc(2026, 11, 28, 3, 30)));
        // Monday after this Saturday, 10:00 Shanghai.
        assert_eq!(parse_datetime("next monday 10:00", now(), SH), Ok(utc(2026, 11, 30, 2, 0)));
        // "next saturday" on a Saturday is a week away, not today.
        assert_eq!(parse_datetime("next saturday 10:00", now(), SH), Ok(utc(2026, 12, 5, 2, 0)));
        assert_eq!(parse_datetime("next fri 8pm", now(), SH), Ok(utc(2026, 12, 4, 12, 0)));
    }

    #[test]
    fn a_bare_time_that_has_passed_means_tomorrow() {
        assert_eq!(parse_datetime("9:00", now(), SH), Ok(utc(2026, 11, 29, 1, 0)));
        assert_eq!(parse_datetime("15:00", now(), SH), Ok(utc(2026, 11, 28, 7, 0)));
    }

    #[test]
    fn moments_past_the_calendar_are_out_of_range_not_a_panic() {
        for far in ["in 1000000000d", "in 99999999999w", "in 9223372036854775807s"] {
            let result = parse_datetime(far, now(), SH);
            assert!(matches!(result, Err(TimeError::OutOfRange | TimeError::Unreadable(_))), "{far}: {result:?}");
        }
        assert_eq!(parse_datetime("in 1000000000d", now(), SH), Err(TimeError::OutOfRange));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in ["", "whenever", "in", "in soon", "2026-13-45 10:00"] {
            assert!(parse_datetime(bad, now(), SH).is_err(), "{bad} should not parse");
        }
    }
}

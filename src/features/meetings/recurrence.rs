//! Meeting series: a repeat rule as people type it, and the times it gives.
//!
//! A rule is expanded on the organiser's wall clock (floating times), so a weekly 09:00
//! stays 09:00 for them across clock changes; each wall-clock time is then placed in their
//! zone by RFC 5545's rule (3.3.5): a time the clock skips is read with the offset in
//! force before the gap (02:30 on a spring-forward night is 03:30), and a time the clock
//! shows twice is the first of the two. Calendar apps place the `.ics` the same way.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rrule::{Frequency, RRule, Unvalidated};

/// The most times one series plans: a year of daily meetings.
pub const MAX_TIMES: usize = 366;
/// How far ahead of its first time a series is planned; a rule that goes on longer (or
/// for ever) stops there, and the organiser is told.
pub const HORIZON_DAYS: i64 = 365;

/// Why a repeat was refused; the person who typed it reads why in their language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepeatError {
    /// `weekly:` followed by something other than weekdays (the days typed).
    #[error("`{0}` is not a list of weekdays")]
    NotWeekdays(String),
    /// `monthly:` with an ordinal not read (`fifth-tue`).
    #[error("`{0}` is not an ordinal weekday")]
    NotNth(String),
    /// `monthly:second-` followed by something other than a weekday.
    #[error("`{0}` is not a weekday")]
    NotWeekday(String),
    /// An RRULE with its own end (COUNT, UNTIL): the end is `times:` or `until:`.
    #[error("an RRULE with COUNT or UNTIL")]
    EndInRule,
    /// Not a repeat at all.
    #[error("`{0}` is not a repeat")]
    Unknown(String),
    /// An RRULE the rrule crate refuses, with its explanation (in English).
    #[error("{0}")]
    Rrule(String),
    /// More often than daily (hourly, by the minute).
    #[error("more often than daily")]
    TooOften,
    /// The rule gives no time at all (from the first one on).
    #[error("no times")]
    NoTimes,
}

/// The wall-clock times a series takes place, and whether its rule went on past what is
/// planned.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub times: Vec<NaiveDateTime>,
    pub capped: bool,
}

/// Reads `daily`, `weekdays`, `weekly`, `weekly:mon,thu`, `biweekly`, `monthly` (on the
/// first time's date), `monthly:second-tue` / `monthly:last-fri`, or an RFC 5545 RRULE
/// (`FREQ=…`, with or without `RRULE:`) into the RRULE body kept with the meeting (its end
/// comes from `until:`/`times:` and is kept in the planned times, not here).
pub fn read(typed: &str, first: NaiveDateTime) -> Result<String, RepeatError> {
    let typed = typed.trim();
    let lower = typed.to_lowercase();
    let (kind, days) = lower.split_once(':').unwrap_or((&lower, ""));
    let rule = match (kind, days) {
        ("daily", "") => "FREQ=DAILY".to_owned(),
        ("weekdays", "") => "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".to_owned(),
        ("weekly", "") => format!("FREQ=WEEKLY;BYDAY={}", code(first.weekday())),
        ("biweekly" | "fortnightly", "") => format!("FREQ=WEEKLY;INTERVAL=2;BYDAY={}", code(first.weekday())),
        ("weekly", days) => {
            let days = days
                .split(',')
                .map(|d| d.trim().parse::<Weekday>().map(code))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| RepeatError::NotWeekdays(days.to_owned()))?;
            format!("FREQ=WEEKLY;BYDAY={}", days.join(","))
        }
        ("monthly", "") => format!("FREQ=MONTHLY;BYMONTHDAY={}", first.day()),
        ("monthly", nth) => {
            let (ordinal, day) = nth.split_once(['-', ' ']).unwrap_or(("", nth));
            let ordinal = match ordinal {
                "first" | "1st" | "1" => 1,
                "second" | "2nd" | "2" => 2,
                "third" | "3rd" | "3" => 3,
                "fourth" | "4th" | "4" => 4,
                "last" | "-1" => -1,
                _ => return Err(RepeatError::NotNth(nth.to_owned())),
            };
            let day = day.parse::<Weekday>().map_err(|_| RepeatError::NotWeekday(day.to_owned()))?;
            format!("FREQ=MONTHLY;BYDAY={ordinal}{}", code(day))
        }
        _ if lower.starts_with("freq=") || lower.starts_with("rrule:") => {
            let body = typed.get(if lower.starts_with("rrule:") { 6 } else { 0 }..).unwrap_or_default();
            let body = body.to_uppercase();
            // A series' end is kept in its planned times (and written as UNTIL in its
            // .ics), so the rule kept has none.
            if body.split(';').any(|part| part.starts_with("COUNT=") || part.starts_with("UNTIL=")) {
                return Err(RepeatError::EndInRule);
            }
            parse(&body)?;
            body
        }
        _ => return Err(RepeatError::Unknown(typed.to_owned())),
    };
    Ok(rule)
}

fn code(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MO",
        Weekday::Tue => "TU",
        Weekday::Wed => "WE",
        Weekday::Thu => "TH",
        Weekday::Fri => "FR",
        Weekday::Sat => "SA",
        Weekday::Sun => "SU",
    }
}

fn parse(body: &str) -> Result<RRule<Unvalidated>, RepeatError> {
    let rule: RRule<Unvalidated> = body.parse().map_err(|e: rrule::RRuleError| RepeatError::Rrule(e.to_string()))?;
    if matches!(rule.get_freq(), Frequency::Hourly | Frequency::Minutely | Frequency::Secondly) {
        return Err(RepeatError::TooOften);
    }
    Ok(rule)
}

/// A floating wall-clock time as the rrule crate takes it.
fn floating(at: NaiveDateTime) -> DateTime<rrule::Tz> {
    rrule::Tz::UTC.from_utc_datetime(&at)
}

/// The times `rule` gives from `first` on: until the end of `until`'s day or `count`
/// times (if given, else the rule's own end), within a year and at most [`MAX_TIMES`].
pub fn expand(
    rule: &str,
    first: NaiveDateTime,
    until: Option<NaiveDate>,
    count: Option<u32>,
) -> Result<Series, RepeatError> {
    let mut parsed = parse(rule)?;
    if let Some(count) = count {
        parsed = parsed.count(count);
    }
    if let Some(day) = until {
        if day < first.date() {
            return Err(RepeatError::NoTimes);
        }
        let last = day.and_hms_opt(23, 59, 59).unwrap_or_else(|| day.and_time(chrono::NaiveTime::MIN));
        parsed = parsed.until(floating(last));
    }
    let set = parsed.build(floating(first)).map_err(|e| RepeatError::Rrule(e.to_string()))?;
    let found = set.all(u16::try_from(MAX_TIMES + 1).unwrap_or(u16::MAX));
    let horizon = first + Duration::days(HORIZON_DAYS);
    let mut times: Vec<NaiveDateTime> = found.dates.iter().map(DateTime::naive_utc).collect();
    let beyond = times.iter().any(|t| *t >= horizon) || times.len() > MAX_TIMES;
    times.retain(|t| *t < horizon);
    times.truncate(MAX_TIMES);
    if times.is_empty() {
        return Err(RepeatError::NoTimes);
    }
    Ok(Series { times, capped: beyond })
}

/// A wall-clock time in `tz` (RFC 5545's rule for times skipped or repeated).
pub fn place(tz: Tz, at: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&at) {
        chrono::LocalResult::Single(t) => t.to_utc(),
        chrono::LocalResult::Ambiguous(first, second) => first.min(second).to_utc(),
        chrono::LocalResult::None => {
            // In a gap: the offset of the last wall-clock time before it (gaps last at most
            // a day, as when Samoa skipped 2011-12-30).
            let before = (1..=49)
                .find_map(|half_hours| tz.from_local_datetime(&(at - Duration::minutes(30 * half_hours))).latest());
            match before {
                Some(t) => {
                    let offset = chrono::Offset::fix(t.offset());
                    (at - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
                }
                None => at.and_utc(),
            }
        }
    }
}

/// A rule as people read it (in words from the catalogs, see `text::repeats`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern<'a> {
    Daily,
    /// Monday to Friday.
    Weekdays,
    /// Every `interval` weeks (as the rule writes it: `1`, `2`, `3`…) on `days`.
    Weekly {
        interval: &'a str,
        days: Vec<Weekday>,
    },
    /// On day `date` of each month.
    MonthlyOnDay(&'a str),
    /// On the first to fourth (`1`–`4`) or the last (`-1`) `day` of each month.
    MonthlyNth {
        ordinal: i8,
        day: Weekday,
    },
    /// Any other rule, shown as the RRULE it is.
    Rule(&'a str),
}

/// What a kept rule says, for people: `weekly on Mon, Thu`, `monthly on the second Tue`;
/// a rule typed as an RRULE that reads as none of these is shown as it is.
pub fn pattern(rule: &str) -> Pattern<'_> {
    let parts: Vec<(&str, &str)> = rule.split(';').filter_map(|p| p.split_once('=')).collect();
    let get = |key: &str| parts.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    let day = |code: &str| -> Option<Weekday> {
        Some(match code {
            "MO" => Weekday::Mon,
            "TU" => Weekday::Tue,
            "WE" => Weekday::Wed,
            "TH" => Weekday::Thu,
            "FR" => Weekday::Fri,
            "SA" => Weekday::Sat,
            "SU" => Weekday::Sun,
            _ => return None,
        })
    };
    let known = |keys: &[&str]| parts.iter().all(|(k, _)| keys.contains(k));
    let found = match (get("FREQ"), get("INTERVAL"), get("BYDAY"), get("BYMONTHDAY")) {
        (Some("DAILY"), None, None, None) if known(&["FREQ"]) => Some(Pattern::Daily),
        (Some("WEEKLY"), interval, Some("MO,TU,WE,TH,FR"), None) if interval.is_none() && known(&["FREQ", "BYDAY"]) => {
            Some(Pattern::Weekdays)
        }
        (Some("WEEKLY"), interval, Some(days), None) if known(&["FREQ", "BYDAY", "INTERVAL"]) => {
            let days: Option<Vec<Weekday>> = days.split(',').map(day).collect();
            days.map(|days| Pattern::Weekly { interval: interval.unwrap_or("1"), days })
        }
        (Some("MONTHLY"), None, None, Some(date)) if known(&["FREQ", "BYMONTHDAY"]) => {
            Some(Pattern::MonthlyOnDay(date))
        }
        (Some("MONTHLY"), None, Some(nth), None) if known(&["FREQ", "BYDAY"]) => {
            let (ordinal, code) = nth.split_at(nth.len().saturating_sub(2));
            let ordinal = match ordinal {
                "1" => Some(1),
                "2" => Some(2),
                "3" => Some(3),
                "4" => Some(4),
                "-1" => Some(-1),
                _ => None,
            };
            ordinal.zip(day(code)).map(|(ordinal, day)| Pattern::MonthlyNth { ordinal, day })
        }
        _ => None,
    };
    found.unwrap_or(Pattern::Rule(rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Offset, Timelike};
    use proptest::prelude::*;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("valid")
    }

    #[test]
    fn the_repeats_people_type_become_rules() {
        let tuesday = at(2026, 12, 8, 10, 0);
        assert_eq!(read("daily", tuesday), Ok("FREQ=DAILY".to_owned()));
        assert_eq!(read("Weekly", tuesday), Ok("FREQ=WEEKLY;BYDAY=TU".to_owned()));
        assert_eq!(read("weekly:mon,thu", tuesday), Ok("FREQ=WEEKLY;BYDAY=MO,TH".to_owned()));
        assert_eq!(read("weekdays", tuesday), Ok("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".to_owned()));
        assert_eq!(read("monthly", tuesday), Ok("FREQ=MONTHLY;BYMONTHDAY=8".to_owned()));
        assert_eq!(read("monthly:second-tuesday", tuesday), Ok("FREQ=MONTHLY;BYDAY=2TU".to_owned()));
        assert_eq!(read("monthly:last-fri", tuesday), Ok("FREQ=MONTHLY;BYDAY=-1FR".to_owned()));
        assert_eq!(read("RRULE:FREQ=weekly;INTERVAL=3", tuesday), Ok("FREQ=WEEKLY;INTERVAL=3".to_owned()));
        assert_eq!(read("FREQ=HOURLY", tuesday), Err(RepeatError::TooOften));
        assert!(matches!(read("weekly:mon,funday", tuesday), Err(RepeatError::NotWeekdays(_))));
        assert!(matches!(read("monthly:fifth-tue", tuesday), Err(RepeatError::NotNth(_))));
        assert!(matches!(read("sometimes", tuesday), Err(RepeatError::Unknown(_))));
        assert!(matches!(read("FREQ=WEEKLY;BYDAY=XX", tuesday), Err(RepeatError::Rrule(_))));
        assert!(matches!(read("FREQ=WEEKLY;COUNT=3", tuesday), Err(RepeatError::EndInRule)));
        assert_eq!(pattern("FREQ=DAILY"), Pattern::Daily);
        assert_eq!(
            pattern("FREQ=WEEKLY;BYDAY=MO,TH"),
            Pattern::Weekly { interval: "1", days: vec![Weekday::Mon, Weekday::Thu] }
        );
        assert_eq!(
            pattern("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"),
            Pattern::Weekly { interval: "2", days: vec![Weekday::Tue] }
        );
        assert_eq!(pattern("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"), Pattern::Weekdays);
        assert_eq!(pattern("FREQ=MONTHLY;BYMONTHDAY=8"), Pattern::MonthlyOnDay("8"));
        assert_eq!(pattern("FREQ=MONTHLY;BYDAY=2TU"), Pattern::MonthlyNth { ordinal: 2, day: Weekday::Tue });
        assert_eq!(pattern("FREQ=MONTHLY;BYDAY=-1FR"), Pattern::MonthlyNth { ordinal: -1, day: Weekday::Fri });
        assert_eq!(pattern("FREQ=YEARLY;BYMONTH=3"), Pattern::Rule("FREQ=YEARLY;BYMONTH=3"));
    }

    #[test]
    fn a_series_ends_where_it_is_told_or_after_a_year_and_says_so() {
        let monday = at(2026, 12, 7, 9, 0);
        let weekly = expand("FREQ=WEEKLY;BYDAY=MO", monday, None, Some(4)).expect("expands");
        assert_eq!(weekly.times.len(), 4);
        assert!(!weekly.capped);
        assert_eq!(weekly.times[3], at(2026, 12, 28, 9, 0));
        let until = expand("FREQ=WEEKLY;BYDAY=MO", monday, NaiveDate::from_ymd_opt(2026, 12, 21), None).expect("ok");
        assert_eq!(until.times.last(), Some(&at(2026, 12, 21, 9, 0)));
        assert!(!until.capped);
        let endless = expand("FREQ=WEEKLY;BYDAY=MO", monday, None, None).expect("expands");
        assert!(endless.capped);
        assert_eq!(endless.times.len(), 53);
        assert!(*endless.times.last().expect("some") < monday + Duration::days(HORIZON_DAYS));
        let daily = expand("FREQ=DAILY", monday, None, Some(1000)).expect("expands");
        assert!(daily.capped);
        assert_eq!(daily.times.len(), 365);
        let second_tuesday = expand("FREQ=MONTHLY;BYDAY=2TU", at(2026, 12, 8, 10, 0), None, Some(3)).expect("ok");
        assert_eq!(second_tuesday.times, vec![at(2026, 12, 8, 10, 0), at(2027, 1, 12, 10, 0), at(2027, 2, 9, 10, 0)]);
        assert_eq!(
            expand("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", monday, None, None).map(|s| s.times),
            Err(RepeatError::NoTimes)
        );
    }

    #[test]
    fn skipped_and_repeated_clock_times_follow_rfc_5545() {
        let berlin = chrono_tz::Europe::Berlin;
        // 2027-03-28 02:30 does not exist in Berlin: read with the offset before (+01:00).
        let skipped = place(berlin, at(2027, 3, 28, 2, 30));
        assert_eq!(skipped, Utc.with_ymd_and_hms(2027, 3, 28, 1, 30, 0).single().expect("valid"));
        assert_eq!(skipped.with_timezone(&berlin).hour(), 3);
        // 2027-10-31 02:30 happens twice: the first (+02:00).
        let twice = place(berlin, at(2027, 10, 31, 2, 30));
        assert_eq!(twice, Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).single().expect("valid"));
    }

    fn zones() -> impl Strategy<Value = Tz> {
        let all: Vec<Tz> = chrono_tz::TZ_VARIANTS.to_vec();
        proptest::sample::select(all)
    }

    fn rules() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(vec![
            "FREQ=DAILY",
            "FREQ=WEEKLY;BYDAY=MO,TH",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU",
            "FREQ=WEEKLY;BYDAY=SU,SA",
            "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
            "FREQ=MONTHLY;BYDAY=2TU",
            "FREQ=MONTHLY;BYDAY=-1SU",
            "FREQ=MONTHLY;BYMONTHDAY=15",
        ])
    }

    /// The first day from `from` (within a year) whose UTC offset at its end differs from
    /// its start's in `tz`.
    fn next_change(tz: Tz, from: NaiveDate) -> Option<NaiveDate> {
        let offset = |day: NaiveDate| {
            let noon_before = (day.and_hms_opt(0, 0, 0)? - Duration::hours(12)).and_utc();
            Some(noon_before.with_timezone(&tz).offset().fix())
        };
        (0..366).map(|d| from + Duration::days(d)).find(|day| offset(*day) != offset(*day + Duration::days(1)))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Every zone, any start over ten years (half of them on a day the zone changes its
        /// clocks), any time of day (half in the small hours, where clocks skip or repeat
        /// one): each time lands on its wall-clock time where that time
        /// exists (the first, where it happens twice), and otherwise the gap's length later,
        /// read with an offset in force just before it.
        #[test]
        fn every_time_lands_on_its_wall_clock_in_every_zone(
            tz in zones(),
            rule in rules(),
            day in 0i64..3650,
            // Half the cases in the small hours, where clocks change.
            minute in prop_oneof![0u32..(24 * 60), 0u32..(4 * 60)],
            near in proptest::bool::ANY,
        ) {
            let day = at(2027, 1, 1, 0, 0).date() + Duration::days(day);
            // In a zone that changes its clocks, start on the day of its next change.
            let day = if near { next_change(tz, day).unwrap_or(day) } else { day };
            let first = day.and_time(chrono::NaiveTime::MIN) + Duration::minutes(i64::from(minute));
            let series = expand(rule, first, None, Some(60)).expect("expands");
            prop_assert_eq!(series.times[0].time(), first.time());
            for wall in &series.times {
                prop_assert_eq!(wall.time(), first.time(), "the rule keeps the time of day");
                let placed = place(tz, *wall);
                let shown = placed.with_timezone(&tz).naive_local();
                match tz.from_local_datetime(wall) {
                    chrono::LocalResult::Single(t) => prop_assert_eq!(placed, t.to_utc()),
                    chrono::LocalResult::Ambiguous(a, b) => {
                        prop_assert_eq!(shown, *wall);
                        prop_assert_eq!(placed, a.to_utc().min(b.to_utc()));
                    }
                    chrono::LocalResult::None => {
                        let gap = shown - *wall;
                        prop_assert!(gap > Duration::zero() && gap <= Duration::days(1), "{wall} placed at {shown}");
                        let offset_now = placed.with_timezone(&tz).offset().fix().local_minus_utc();
                        let earlier = (1..=48).any(|half_hours| {
                            let before = placed - Duration::minutes(30 * half_hours);
                            i64::from(before.with_timezone(&tz).offset().fix().local_minus_utc())
                                == i64::from(offset_now) - gap.num_seconds()
                        });
                        prop_assert!(earlier, "{wall} in {tz}: no offset before the gap explains {shown}");
                    }
                }
            }
        }
    }
}

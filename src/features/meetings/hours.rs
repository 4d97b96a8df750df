//! Working hours: the days and the hours someone works, in their own zone, as typed
//! (`mon-fri 09:00-17:30`), and the free times several people share.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::store::Span;

/// Days of the week (Monday first) and a daily span, on someone's wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkHours {
    pub days: [bool; 7],
    pub from: NaiveTime,
    pub to: NaiveTime,
}

/// Why working hours were refused; people read it in their language (the config's
/// errors in these words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// Not days of the week (as typed).
    #[error("`{0}` is not a list of days; write e.g. mon-fri or mon,wed,fri")]
    NotDays(String),
    /// Not a span of hours (as typed).
    #[error("`{0}` is not a span of hours; write e.g. 09:00-17:30")]
    NotHours(String),
    /// A span that ends before it starts (as typed).
    #[error("`{0}`: the end comes before the start")]
    Backwards(String),
    /// Days without hours.
    #[error("write the days, then the hours")]
    Incomplete,
}

impl WorkHours {
    /// Reads `mon-fri` (or `mon,wed,fri`, `sun-thu`) and `09:00-17:30`.
    pub fn read(days: &str, hours: &str) -> Result<WorkHours, HoursError> {
        let days = read_days(days)?;
        let (from, to) = hours
            .split_once('-')
            .and_then(|(a, b)| Some((read_time(a)?, read_time(b)?)))
            .ok_or_else(|| HoursError::NotHours(hours.to_owned()))?;
        if from >= to {
            return Err(HoursError::Backwards(hours.to_owned()));
        }
        Ok(WorkHours { days, from, to })
    }

    /// As kept: `mon,tue,…` and minutes after midnight.
    pub fn from_kept(days: &str, from: i64, to: i64) -> Option<WorkHours> {
        Some(WorkHours { days: read_days(days).ok()?, from: from_minutes(from)?, to: from_minutes(to)? })
    }

    pub fn works_on(&self, day: Weekday) -> bool {
        self.days[day.num_days_from_monday() as usize]
    }

    /// Whether `at` falls within working hours, in `tz`.
    pub fn covers(&self, tz: Tz, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&tz);
        self.works_on(local.weekday()) && local.time() >= self.from && local.time() < self.to
    }

    /// Whether `[start, end)` lies within one working day's hours, in `tz`.
    pub fn contains(&self, tz: Tz, (start, end): Span) -> bool {
        let (a, b) = (start.with_timezone(&tz), end.with_timezone(&tz));
        a.date_naive() == b.date_naive() && self.works_on(a.weekday()) && a.time() >= self.from && b.time() <= self.to
    }

    /// The days worked as one run of three days or more (the week taken as a circle, so
    /// sun-thu is a run from Sunday): its first day and its length; `None` for other days,
    /// which are listed one by one.
    pub fn run(&self) -> Option<(Weekday, usize)> {
        let count = self.days.iter().filter(|d| **d).count();
        let starts: Vec<usize> = (0..7).filter(|d| self.days[*d] && !self.days[(d + 6) % 7]).collect();
        match starts.as_slice() {
            [start] if count > 2 => Some((weekday(*start), count)),
            _ => None,
        }
    }

    /// The days worked, Monday first.
    pub fn working_days(&self) -> Vec<Weekday> {
        (0..7).filter(|d| self.days[*d]).map(weekday).collect()
    }
}

/// The day `n` days after Monday.
fn weekday(n: usize) -> Weekday {
    (0..n).fold(Weekday::Mon, |day, _| day.succ())
}

fn read_time(typed: &str) -> Option<NaiveTime> {
    let typed = typed.trim();
    NaiveTime::parse_from_str(typed, "%H:%M").ok().or_else(|| {
        let hour: u32 = typed.parse().ok()?;
        NaiveTime::from_hms_opt(hour, 0, 0)
    })
}

fn read_days(typed: &str) -> Result<[bool; 7], HoursError> {
    let bad = || HoursError::NotDays(typed.to_owned());
    let mut days = [false; 7];
    for part in typed.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        let first: Weekday = first.trim().parse().map_err(|_| bad())?;
        let last: Weekday = last.trim().parse().map_err(|_| bad())?;
        let mut day = first;
        loop {
            days[day.num_days_from_monday() as usize] = true;
            if day == last {
                break;
            }
            day = day.succ();
        }
    }
    if days.iter().all(|d| !d) {
        return Err(bad());
    }
    Ok(days)
}

/// Someone whose time is looked for: their hours, zone and busy times.
#[derive(Debug, Clone)]
pub struct Availability {
    pub hours: WorkHours,
    pub tz: Tz,
    /// Meetings and schedule entries, in any order.
    pub busy: Vec<Span>,
}

/// How finely free times are looked for.
pub const STEP_MINUTES: i64 = 15;

/// The earliest `want` times of `length` within `window` when everyone is within their
/// working hours and free, each after the previous one ends; starts fall on the quarter
/// hour.
pub fn free_slots(people: &[Availability], (from, to): Span, length: Duration, want: usize) -> Vec<DateTime<Utc>> {
    let step = Duration::minutes(STEP_MINUTES);
    let mut at = round_up(from, step);
    let mut out = Vec::new();
    while out.len() < want && at + length <= to {
        let span = (at, at + length);
        let free =
            people.iter().all(|p| p.hours.contains(p.tz, span) && !p.busy.iter().any(|b| b.0 < span.1 && b.1 > span.0));
        if free {
            out.push(at);
            at += length;
            at = round_up(at, step);
        } else {
            at += step;
        }
    }
    out
}

fn round_up(at: DateTime<Utc>, step: Duration) -> DateTime<Utc> {
    let step_ms = step.num_milliseconds();
    let ms = at.timestamp_millis();
    let rounded = (ms + step_ms - 1).div_euclid(step_ms) * step_ms;
    DateTime::from_timestamp_millis(rounded).unwrap_or(at)
}

/// The next time after `after` that the clock in `tz` shows `at` on a working day (a
/// time a clock change skips is taken an hour later).
pub fn next_on_working_day(hours: &WorkHours, tz: Tz, at: NaiveTime, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today: NaiveDate = after.with_timezone(&tz).date_naive();
    (0..8).filter_map(|ahead| today.checked_add_signed(Duration::days(ahead))).find_map(|day| {
        if !hours.works_on(day.weekday()) {
            return None;
        }
        let local = day.and_time(at);
        let placed = tz
            .from_local_datetime(&local)
            .earliest()
            .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())?
            .to_utc();
        (placed > after).then_some(placed)
    })
}

/// Minutes after midnight, as kept.
pub fn minutes(at: NaiveTime) -> i64 {
    i64::from(at.num_seconds_from_midnight() / 60)
}

pub fn from_minutes(minutes: i64) -> Option<NaiveTime> {
    NaiveTime::from_num_seconds_from_midnight_opt(u32::try_from(minutes * 60).ok()?, 0)
}

/// The days as kept: `mon,tue,…`.
pub fn days_text(days: &[bool; 7]) -> String {
    let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    (0..7).filter(|d| days[*d]).map(|d| names[d]).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).single().expect("valid")
    }

    #[test]
    fn working_hours_read_as_typed() {
        let week = WorkHours::read("mon-fri", "09:00-17:30").expect("reads");
        assert_eq!(week.run(), Some((Weekday::Mon, 5)));
        let sunday_on = WorkHours::read("sun-thu", "8-16").expect("reads");
        assert_eq!(sunday_on.run(), Some((Weekday::Sun, 5)));
        assert_eq!(sunday_on.from, NaiveTime::from_hms_opt(8, 0, 0).expect("valid"));
        let two = WorkHours::read("mon,wed", "10:00-12:00").expect("reads");
        assert_eq!(two.run(), None);
        assert_eq!(two.working_days(), vec![Weekday::Mon, Weekday::Wed]);
        assert_eq!(WorkHours::read("someday", "09:00-17:00"), Err(HoursError::NotDays("someday".to_owned())));
        assert_eq!(WorkHours::read("mon-fri", "17:00-09:00"), Err(HoursError::Backwards("17:00-09:00".to_owned())));
        assert_eq!(WorkHours::read("mon-fri", "nine to five"), Err(HoursError::NotHours("nine to five".to_owned())));
        let berlin = chrono_tz::Europe::Berlin;
        // Monday 2026-11-30: 09:00 Berlin is 08:00 UTC.
        assert!(week.contains(berlin, (utc(30, 8, 0), utc(30, 9, 0))));
        assert!(!week.contains(berlin, (utc(30, 7, 45), utc(30, 8, 15))));
        assert!(!week.contains(berlin, (utc(28, 8, 0), utc(28, 9, 0))), "a Saturday");
    }

    #[test]
    fn free_slots_are_the_earliest_everyone_shares() {
        let week = WorkHours::read("mon-fri", "09:00-17:00").expect("reads");
        let people = [
            Availability { hours: week, tz: chrono_tz::UTC, busy: vec![(utc(30, 9, 0), utc(30, 10, 0))] },
            Availability { hours: week, tz: chrono_tz::Europe::Berlin, busy: vec![] },
        ];
        // Berlin's 17:00 is 16:00 UTC: the shared day is 09:00–16:00 UTC, less the busy hour.
        let slots = free_slots(&people, (utc(30, 8, 50), utc(30, 23, 0)), Duration::minutes(45), 3);
        assert_eq!(slots, vec![utc(30, 10, 0), utc(30, 10, 45), utc(30, 11, 30)]);
        let late = free_slots(&people, (utc(30, 15, 0), utc(30, 23, 0)), Duration::hours(1), 3);
        assert_eq!(late, vec![utc(30, 15, 0)]);
    }

    #[test]
    fn the_next_digest_is_on_a_working_day() {
        let week = WorkHours::read("mon-fri", "09:00-17:00").expect("reads");
        let nine = NaiveTime::from_hms_opt(9, 0, 0).expect("valid");
        let shanghai = chrono_tz::Asia::Shanghai;
        // Friday 2026-11-27 02:00 UTC is 10:00 in Shanghai: next is Monday 09:00 there.
        let next = next_on_working_day(&week, shanghai, nine, utc(27, 2, 0)).expect("some");
        assert_eq!(next, utc(30, 1, 0));
        assert_eq!(next_on_working_day(&week, shanghai, nine, utc(30, 0, 0)), Some(utc(30, 1, 0)));
    }
}

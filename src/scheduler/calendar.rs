//! When a recurring schedule fires: a cron expression read on the wall clock of an IANA
//! zone, turned into UTC instants that neither skip nor double across DST changes.

use std::str::FromStr;

use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// What happens to the runs a schedule missed while Deskmate was down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CatchUp {
    /// Forget them; carry on from the next run.
    Skip,
    /// Run once for the most recent missed time.
    Latest,
    /// Run every missed time, oldest first (at most [`MAX_CATCH_UP`]).
    All,
}

/// A bound on `CatchUp::All`, so a schedule that fires every second and was down for a
/// week does not flood anyone.
pub const MAX_CATCH_UP: usize = 1000;

#[derive(Debug, Clone)]
pub struct Calendar {
    cron: cron::Schedule,
    tz: Tz,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CalendarError {
    #[error(
        "`{expr}` is not a cron expression ({reason}); use six fields with seconds first, e.g. \"0 0 9 * * Mon-Fri\""
    )]
    Cron { expr: String, reason: String },
    #[error("`{0}` is not an IANA time zone")]
    Zone(String),
}

impl Calendar {
    /// Reads a cron expression with seconds (6 or 7 fields; a classic 5-field line is
    /// accepted and fires at second 0) in the zone `tz`.
    pub fn new(expr: &str, tz: &str) -> Result<Calendar, CalendarError> {
        let fields = expr.split_whitespace().count();
        let normalised = if fields == 5 { format!("0 {expr}") } else { expr.to_owned() };
        let cron = cron::Schedule::from_str(&normalised)
            .map_err(|e| CalendarError::Cron { expr: expr.to_owned(), reason: e.to_string() })?;
        let tz = tz.parse::<Tz>().map_err(|_| CalendarError::Zone(tz.to_owned()))?;
        Ok(Calendar { cron, tz })
    }

    /// The first run strictly after `after`.
    ///
    /// The expression is matched against the zone's wall clock. A wall time that occurs
    /// twice (clocks going back) runs once, at its first occurrence; a wall time that
    /// does not exist (clocks going forward) runs as if the clocks had not moved yet,
    /// i.e. 02:30 on a spring-forward night runs at 03:30.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // cron iterates naive wall times when handed UTC, so read local walls as UTC.
        // Step back a day so times made ambiguous or moved by a DST change are not lost,
        // then keep the first instant truly after `after`.
        let start_wall = after.with_timezone(&self.tz).naive_local() - Duration::days(1);
        let start = Utc.from_utc_datetime(&start_wall);
        self.cron.after(&start).take(100_000).map(|wall| self.instant(wall.naive_utc())).find(|at| *at > after)
    }

    /// Every run in `(after, until]`, at most `limit` of them.
    pub fn between(&self, after: DateTime<Utc>, until: DateTime<Utc>, limit: usize) -> Vec<DateTime<Utc>> {
        let mut out = Vec::new();
        let mut cursor = after;
        while out.len() < limit {
            match self.next_after(cursor) {
                Some(at) if at <= until => {
                    out.push(at);
                    cursor = at;
                }
                _ => break,
            }
        }
        out
    }

    fn instant(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        match self.tz.from_local_datetime(&wall) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
            LocalResult::None => {
                // In a gap: use the offset in force just before it.
                let before = Utc.from_utc_datetime(&(wall - Duration::hours(26)));
                let offset = self.tz.offset_from_utc_datetime(&before.naive_utc()).fix();
                Utc.from_utc_datetime(&(wall - Duration::seconds(i64::from(offset.local_minus_utc()))))
            }
        }
    }
}

/// The runs to start now for a schedule whose next planned run was `due`, given the
/// policy; and the next run to plan after them.
pub fn plan(
    calendar: &Calendar,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    policy: CatchUp,
) -> (Vec<DateTime<Utc>>, Option<DateTime<Utc>>) {
    if due > now {
        return (Vec::new(), Some(due));
    }
    let mut missed = vec![due];
    missed.extend(calendar.between(due, now, MAX_CATCH_UP));
    let next = calendar.next_after(now);
    // The run that is due right now (within a minute) is not "missed".
    let on_time = missed.last().is_some_and(|last| now - *last < Duration::minutes(1));
    let runs = match policy {
        CatchUp::All => {
            missed.truncate(MAX_CATCH_UP);
            missed
        }
        CatchUp::Latest => missed.last().copied().into_iter().collect(),
        CatchUp::Skip if on_time => missed.last().copied().into_iter().collect(),
        CatchUp::Skip => Vec::new(),
    };
    (runs, next)
}

#[cfg(test)]
mod tests {
    use chrono::Timelike;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("valid")
    }

    /// Every run from `from` for `days` days, as local wall times.
    fn local_runs(cal: &Calendar, from: DateTime<Utc>, days: i64) -> Vec<NaiveDateTime> {
        cal.between(from, from + Duration::days(days), 10_000)
            .iter()
            .map(|t| t.with_timezone(&cal.tz).naive_local())
            .collect()
    }

    #[test]
    fn daily_nine_oclock_across_both_transitions_in_two_zones() {
        // Berlin: spring forward 2026-03-29, fall back 2026-10-25.
        // New York: spring forward 2026-03-08, fall back 2026-11-01.
        for (zone, spring, fall) in [("Europe/Berlin", (3, 29), (10, 25)), ("America/New_York", (3, 8), (11, 1))] {
            let cal = Calendar::new("0 0 9 * * *", zone).expect("valid");
            for (month, day) in [spring, fall] {
                let from = utc(2026, month, day, 0, 0) - Duration::days(3);
                let runs = local_runs(&cal, from, 7);
                assert_eq!(runs.len(), 7, "{zone}: one run a day: {runs:?}");
                for run in &runs {
                    assert_eq!((run.hour(), run.minute()), (9, 0), "{zone} {run}");
                }
                for pair in runs.windows(2) {
                    assert_eq!(pair[0].date().succ_opt(), Some(pair[1].date()), "{zone}: consecutive days");
                }
                // And the UTC gaps are 24h except across the change (23h or 25h).
                let instants = cal.between(from, from + Duration::days(7), 100);
                let gaps: Vec<i64> = instants.windows(2).map(|w| (w[1] - w[0]).num_hours()).collect();
                assert_eq!(gaps.iter().filter(|g| **g != 24).count(), 1, "{zone} {gaps:?}");
            }
        }
    }

    #[test]
    fn a_time_in_the_spring_gap_runs_once_after_it() {
        let cal = Calendar::new("0 30 2 * * *", "Europe/Berlin").expect("valid");
        let runs = cal.between(utc(2026, 3, 27, 12, 0), utc(2026, 3, 31, 12, 0), 10);
        let walls: Vec<String> =
            runs.iter().map(|t| t.with_timezone(&cal.tz).format("%m-%d %H:%M").to_string()).collect();
        assert_eq!(walls, vec!["03-28 02:30", "03-29 03:30", "03-30 02:30", "03-31 02:30"]);
    }

    #[test]
    fn a_time_in_the_repeated_hour_runs_once() {
        let cal = Calendar::new("0 30 1 * * *", "America/New_York").expect("valid");
        let runs = cal.between(utc(2026, 10, 31, 12, 0), utc(2026, 11, 2, 12, 0), 10);
        // 01:30 happens twice on 2026-11-01; only the first (EDT, 05:30 UTC) runs.
        assert_eq!(runs, vec![utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]);
    }

    #[test]
    fn weekday_schedules_and_five_field_lines() {
        let cal = Calendar::new("0 9 * * Mon-Fri", "Asia/Shanghai").expect("five fields");
        // From Saturday 2026-11-28: Monday 09:00 Shanghai = 01:00 UTC.
        assert_eq!(cal.next_after(utc(2026, 11, 28, 0, 0)), Some(utc(2026, 11, 30, 1, 0)));
        assert!(Calendar::new("every day", "UTC").is_err());
        assert_eq!(
            Calendar::new("0 0 9 * * *", "Mars/Olympus").err(),
            Some(CalendarError::Zone("Mars/Olympus".into()))
        );
    }

    #[test]
    fn catch_up_policies() {
        let cal = Calendar::new("0 0 * * * *", "UTC").expect("hourly");
        let due = utc(2026, 11, 28, 1, 0);
        let now = utc(2026, 11, 28, 4, 30);
        let (all, next) = plan(&cal, due, now, CatchUp::All);
        assert_eq!(
            all,
            vec![utc(2026, 11, 28, 1, 0), utc(2026, 11, 28, 2, 0), utc(2026, 11, 28, 3, 0), utc(2026, 11, 28, 4, 0)]
        );
        assert_eq!(next, Some(utc(2026, 11, 28, 5, 0)));
        assert_eq!(plan(&cal, due, now, CatchUp::Latest).0, vec![utc(2026, 11, 28, 4, 0)]);
        assert!(plan(&cal, due, now, CatchUp::Skip).0.is_empty());
        // On time is not missed: Skip still runs the run that is due now.
        assert_eq!(
            plan(&cal, utc(2026, 11, 28, 4, 0), utc(2026, 11, 28, 4, 0), CatchUp::Skip).0,
            vec![utc(2026, 11, 28, 4, 0)]
        );
        // Not yet due: nothing to run.
        assert_eq!(plan(&cal, utc(2026, 11, 28, 5, 0), now, CatchUp::All), (vec![], Some(utc(2026, 11, 28, 5, 0))));
    }
}

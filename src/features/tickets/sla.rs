//! Service levels: a first-response and a resolution target per priority, counted in the
//! business hours of the ticket's team (its days, hours, zone and holidays). The
//! resolution clock stops while the ticket waits on its requester and starts again, with
//! the business time it had left, when it moves on.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::Tickets;
use super::model::{Priority, Sla, Ticket, TicketStatus};
use crate::chat::feature::Cx;
use crate::features::meetings::WorkHours;
use crate::kernel::ServiceResult;

/// How far ahead business time is looked for (a calendar with no working day left in it
/// would otherwise be searched for ever).
const HORIZON_DAYS: u32 = 3 * 366;

/// When a team works: its days and hours in its zone, less its holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    pub hours: WorkHours,
    pub tz: Tz,
    pub holidays: BTreeSet<NaiveDate>,
}

impl BusinessHours {
    /// The working window of a day, in UTC, if it is a working day.
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.hours.works_on(day.weekday()) || self.holidays.contains(&day) {
            return None;
        }
        let at = |t: NaiveTime| {
            let local = day.and_time(t);
            // A clock change inside the hours: the earlier reading of an hour met twice,
            // the moment after a skipped one.
            self.tz
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| self.tz.from_local_datetime(&(local + Duration::hours(1))).earliest())
        };
        Some((at(self.hours.from)?.with_timezone(&Utc), at(self.hours.to)?.with_timezone(&Utc)))
    }

    /// The moment `business` of business time after `from` (the next business moment
    /// for none).
    pub fn add(&self, from: DateTime<Utc>, business: Duration) -> DateTime<Utc> {
        let mut left = business.max(Duration::zero());
        let mut day = from.with_timezone(&self.tz).date_naive();
        for _ in 0..HORIZON_DAYS {
            if let Some((start, end)) = self.window(day) {
                let start = start.max(from);
                if start < end {
                    let open = end - start;
                    if left <= open {
                        return start + left;
                    }
                    left -= open;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        from + business
    }

    /// The business time between two moments (negative when `to` comes first).
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to < from {
            return -self.between(to, from);
        }
        let mut sum = Duration::zero();
        let mut day = from.with_timezone(&self.tz).date_naive();
        let last = to.with_timezone(&self.tz).date_naive();
        while day <= last {
            if let Some((start, end)) = self.window(day) {
                let (start, end) = (start.max(from), end.min(to));
                if start < end {
                    sum += end - start;
                }
            }
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
        sum
    }
}

/// A priority's targets, in business time; `None`: no target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub first_response: Option<Duration>,
    pub resolution: Option<Duration>,
}

/// The clock of a newly opened ticket.
pub fn started(desk: &Tickets, category: Option<&str>, priority: Priority, at: DateTime<Utc>) -> Sla {
    let calendar = desk.calendar(category);
    let targets = desk.rules.targets(priority);
    Sla {
        first_response_at: None,
        first_due: targets.first_response.map(|d| calendar.add(at, d)),
        resolve_due: targets.resolution.map(|d| calendar.add(at, d)),
        resolve_left: None,
    }
}

/// Keeps a ticket's clock after a move (or a reply): its first response is noted, its
/// resolution clock stops while it waits on the requester and runs again after.
pub async fn follow(cx: &mut Cx<'_>, desk: &Tickets, before: TicketStatus, ticket: &mut Ticket) -> ServiceResult<()> {
    let sla = moved(desk, before, ticket, cx.actor.at, responded(cx, ticket));
    if sla != ticket.sla {
        cx.tx.set_sla(ticket.id, &sla).await?;
        ticket.sla = sla;
    }
    Ok(())
}

/// Whether what the actor just did answers the requester: an agent's move or reply on
/// someone else's ticket.
fn responded(cx: &Cx<'_>, ticket: &Ticket) -> bool {
    !ticket.is_requester(&cx.actor.person) && cx.actor.person.roles.allows(crate::kernel::Role::Agent)
}

/// The clock after a move from `before` to the ticket's status at `at`.
pub fn moved(desk: &Tickets, before: TicketStatus, ticket: &Ticket, at: DateTime<Utc>, responded: bool) -> Sla {
    let calendar = desk.calendar(ticket.category.as_deref());
    let mut sla = ticket.sla;
    if responded && sla.first_response_at.is_none() {
        sla.first_response_at = Some(at);
    }
    match (before == TicketStatus::Waiting, ticket.status == TicketStatus::Waiting) {
        (false, true) => {
            sla.resolve_left = sla.resolve_due.map(|due| calendar.between(at, due));
            sla.resolve_due = None;
        }
        (true, false) => {
            if let Some(left) = sla.resolve_left.take() {
                sla.resolve_due = Some(if left > Duration::zero() { calendar.add(at, left) } else { at + left });
            }
        }
        _ => {}
    }
    sla
}

/// What the ticket's clock says now: what is due next and how much business time is
/// left (negative: overdue by that much), or that it is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    FirstResponse { due: DateTime<Utc>, left: Duration },
    Resolution { due: DateTime<Utc>, left: Duration },
    Paused { left: Duration },
}

pub fn due(desk: &Tickets, ticket: &Ticket, now: DateTime<Utc>) -> Option<Due> {
    if !TicketStatus::ACTIVE.contains(&ticket.status) {
        return None;
    }
    let calendar = desk.calendar(ticket.category.as_deref());
    let sla = ticket.sla;
    if let (None, Some(due)) = (sla.first_response_at, sla.first_due) {
        return Some(Due::FirstResponse { due, left: calendar.between(now, due) });
    }
    if let Some(left) = sla.resolve_left {
        return Some(Due::Paused { left });
    }
    sla.resolve_due.map(|due| Due::Resolution { due, left: calendar.between(now, due) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin(holidays: &[&str]) -> BusinessHours {
        BusinessHours {
            hours: WorkHours::read("mon-fri", "09:00-17:00").expect("valid"),
            tz: chrono_tz::Europe::Berlin,
            holidays: holidays.iter().map(|d| d.parse().expect("a date")).collect(),
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        chrono_tz::Europe::Berlin
            .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a time"))
            .single()
            .expect("one moment")
            .with_timezone(&Utc)
    }

    #[test]
    fn business_time_runs_on_working_days_within_hours() {
        let hours = berlin(&[]);
        // Monday 16:00 + 4 h: 1 h on Monday, 3 on Tuesday.
        assert_eq!(hours.add(at("2026-11-30 16:00"), Duration::hours(4)), at("2026-12-01 12:00"));
        // Friday 15:00 + 4 h: over the weekend to Monday 11:00.
        assert_eq!(hours.add(at("2026-12-04 15:00"), Duration::hours(4)), at("2026-12-07 11:00"));
        // Saturday: the clock starts on Monday at 09:00.
        assert_eq!(hours.add(at("2026-12-05 10:00"), Duration::minutes(30)), at("2026-12-07 09:30"));
        assert_eq!(hours.between(at("2026-12-04 15:00"), at("2026-12-07 11:00")), Duration::hours(4));
        assert_eq!(hours.between(at("2026-12-07 11:00"), at("2026-12-04 15:00")), -Duration::hours(4));
        assert_eq!(hours.between(at("2026-12-05 08:00"), at("2026-12-06 20:00")), Duration::zero());
    }

    #[test]
    fn holidays_are_skipped() {
        let hours = berlin(&["2026-12-24", "2026-12-25"]);
        // Wednesday 23 Dec 16:00 + 2 h: 1 h then, the next on Monday 28th (24th and 25th
        // are holidays, 26th and 27th the weekend).
        assert_eq!(hours.add(at("2026-12-23 16:00"), Duration::hours(2)), at("2026-12-28 10:00"));
    }

    #[test]
    fn a_clock_change_inside_the_hours_counts_real_time() {
        // Sunday 29 March 2026 is the spring change; a team working Sundays 01:00-05:00
        // local has three real hours that day.
        let hours = BusinessHours {
            hours: WorkHours::read("sun", "01:00-05:00").expect("valid"),
            tz: chrono_tz::Europe::Berlin,
            holidays: BTreeSet::new(),
        };
        let day_start = at("2026-03-29 01:00");
        assert_eq!(hours.between(day_start, day_start + Duration::hours(10)), Duration::hours(3));
    }
}

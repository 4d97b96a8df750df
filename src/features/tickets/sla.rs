//! Service levels: a first-response and a resolution target per priority, counted in the
//! business hours of the ticket's team (its days, hours, zone and holidays). The
//! resolution clock stops while the ticket waits on its requester and starts again, with
//! the business time it had left, when it moves on. At 80 % of a target its agent is
//! warned; at the target the team's channel (and its lead) gets a post with Take over,
//! Reassign and Extend. Both are durable timers keyed by the due time, set again whenever
//! the clock changes.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use deskmate_port::{Body, Button, ButtonStyle};
use serde::{Deserialize, Serialize};

use super::model::{Next, Priority, Sla, Ticket, TicketEvent, TicketId, TicketStatus};
use super::{NAMESPACE, Tickets, text};
use crate::chat::feature::{Cx, Kit};
use crate::chat::{button, questions};
use crate::features::meetings::WorkHours;
use crate::kernel::{Effect, Role, ServiceResult, Shown, Subject, refuse};
use crate::scheduler::{Fired, TimerKey};
use crate::store::{Tx, ms};

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

/// Business hours as the store keeps them, to notice at start that the config changed
/// them.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    days: [bool; 7],
    from: NaiveTime,
    to: NaiveTime,
    zone: String,
    holidays: BTreeSet<NaiveDate>,
}

impl Kept {
    fn of(hours: &BusinessHours) -> String {
        let h = hours.hours;
        let kept = Kept {
            days: h.days,
            from: h.from,
            to: h.to,
            zone: hours.tz.name().to_owned(),
            holidays: hours.holidays.clone(),
        };
        serde_json::to_string(&kept).unwrap_or_default()
    }

    fn read(spec: &str) -> Option<BusinessHours> {
        let k: Kept = serde_json::from_str(spec).ok()?;
        Some(BusinessHours {
            hours: WorkHours { days: k.days, from: k.from, to: k.to },
            tz: k.zone.parse().ok()?,
            holidays: k.holidays,
        })
    }
}

/// At start: a calendar whose hours, zone or holidays changed in the config since the
/// last start moves the running deadlines of its tickets, keeping the business time each
/// had left (counted in the old hours) and counting it in the new. Of instances starting
/// together, the one that records the change moves them.
pub async fn rebase(kit: &Kit, desk: &Tickets) -> ServiceResult<()> {
    let now = kit.clock.now();
    // What changed is read before any write: an unchanged start writes nothing.
    let mut changed = Vec::new();
    for (name, hours) in desk.calendars() {
        let spec = Kept::of(hours);
        let was = kit.store.kept_calendar(name).await?;
        if was.as_deref() != Some(spec.as_str()) {
            changed.push((name, hours, spec, was));
        }
    }
    if changed.is_empty() {
        return Ok(());
    }
    let filter = super::store::TicketFilter { statuses: Some(TicketStatus::ACTIVE), involving: None, limit: i64::MAX };
    let active = kit.store.tickets(filter).await?;
    for (name, hours, spec, was) in changed {
        let mut tx = kit.store.begin().await?;
        if !tx.keep_calendar(name, was.as_deref(), &spec).await? {
            continue;
        }
        // First kept (or unreadable): nothing to move from.
        if let Some(old) = was.as_deref().and_then(Kept::read) {
            for listed in active.iter().filter(|t| desk.calendar_name(t.category.as_deref()) == name) {
                let Some(before) = tx.ticket(listed.id).await? else { continue };
                let mut after = before.clone();
                after.sla = moved_to(&before.sla, &old, hours, now);
                if after.sla != before.sla {
                    tx.set_sla(after.id, &after.sla).await?;
                    watch(&mut tx, kit, desk, Some(&before), &after).await?;
                }
            }
            tracing::info!(calendar = name, "business hours changed: running deadlines moved");
        }
        tx.commit().await?;
    }
    Ok(())
}

/// A clock's running deadlines counted again in `new` hours: the business time each had
/// left in `old` (an overdue one stays as overdue).
fn moved_to(sla: &Sla, old: &BusinessHours, new: &BusinessHours, now: DateTime<Utc>) -> Sla {
    let again = |due: DateTime<Utc>| {
        let left = old.between(now, due);
        if left > Duration::zero() { new.add(now, left) } else { due }
    };
    let mut out = *sla;
    if out.first_response_at.is_none() {
        out.first_due = out.first_due.map(again);
    }
    out.resolve_due = out.resolve_due.map(again);
    out
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
    let mut old = ticket.clone();
    old.status = before;
    ticket.sla = sla;
    if sla != old.sla {
        cx.tx.set_sla(ticket.id, &sla).await?;
    }
    watch(cx.tx, cx.kit, desk, Some(&old), ticket).await
}

/// Timer kinds: the warning at 80 % of a target, and the breach.
pub const WARN: &str = "sla-warn";
const BREACH: &str = "sla-breach";

/// What a timer watches: a ticket's first response (or its resolution), due then (ms).
#[derive(Debug, Serialize, Deserialize)]
struct Watched {
    ticket: i64,
    first: bool,
    due: i64,
}

/// The next target of a ticket's clock: which, when it is due, and when to warn.
struct Plan {
    first: bool,
    due: DateTime<Utc>,
    warn: Option<DateTime<Utc>>,
}

fn plan(desk: &Tickets, t: &Ticket, now: DateTime<Utc>) -> Option<Plan> {
    let targets = desk.rules.targets(t.priority);
    let (first, due, left, target) = match due(desk, t, now)? {
        Due::FirstResponse { due, left } => (true, due, left, targets.first_response?),
        Due::Resolution { due, left } => (false, due, left, targets.resolution?),
        Due::Paused { .. } => return None,
    };
    let fifth = target / 5;
    let warn = (left > fifth).then(|| desk.calendar(t.category.as_deref()).add(now, left - fifth));
    Some(Plan { first, due, warn })
}

fn key(kind: &'static str, id: TicketId, due: DateTime<Utc>) -> TimerKey {
    TimerKey::new(super::NAME, kind, format!("{id}:{}", ms(due)))
}

/// Sets the timers of the ticket's clock, cancelling those of the clock it had.
pub async fn watch(
    tx: &mut Tx,
    kit: &Kit,
    desk: &Tickets,
    before: Option<&Ticket>,
    after: &Ticket,
) -> ServiceResult<()> {
    let now = kit.clock.now();
    let old = before.and_then(|b| plan(desk, b, now));
    let new = plan(desk, after, now);
    if old.as_ref().map(|p| (p.first, p.due)) == new.as_ref().map(|p| (p.first, p.due)) {
        return Ok(());
    }
    if let Some(p) = old {
        kit.timers.cancel_timer(tx, &key(WARN, after.id, p.due)).await?;
        kit.timers.cancel_timer(tx, &key(BREACH, after.id, p.due)).await?;
    }
    if let Some(p) = new {
        let watched = Watched { ticket: after.id.0, first: p.first, due: ms(p.due) };
        if let Some(at) = p.warn {
            kit.timers.set_timer(tx, &key(WARN, after.id, p.due), at, &watched).await?;
        }
        kit.timers.set_timer(tx, &key(BREACH, after.id, p.due), p.due, &watched).await?;
    }
    Ok(())
}

/// A warning or a breach came due: told if the ticket's clock still says so.
pub async fn fired(desk: &Tickets, tx: &mut Tx, kit: &Kit, fired: &Fired) -> ServiceResult {
    let watched: Watched = fired.payload()?;
    let Some(t) = tx.ticket(TicketId(watched.ticket)).await? else { return Ok(Vec::new()) };
    // The clock may have moved since the timer was set: then this one says nothing.
    let due = match t.next_target() {
        Some(Next::FirstResponse(due)) if watched.first => due,
        Some(Next::Resolution(due)) if !watched.first => due,
        _ => return Ok(Vec::new()),
    };
    if ms(due) != watched.due {
        return Ok(Vec::new());
    }
    let first = watched.first;
    if fired.kind == WARN {
        let left = desk.calendar(t.category.as_deref()).between(kit.clock.now(), due);
        let ticket = t.clone();
        let body = Shown::text_per_reader(move |r| text::sla_warning(r.lang, &ticket, first, left, due, r.tz));
        return Ok(vec![match &t.assignee {
            Some(agent) => Effect::Direct { person: agent.id, body, subject: None },
            None => Effect::Notice {
                audience: desk.queue_of(t.category.as_deref()),
                subject: warned(&t),
                body,
                coalesce: None,
            },
        }]);
    }
    let ticket = t.clone();
    let body = Shown::per_reader(move |r| Body {
        text: text::sla_breach(r.lang, &ticket, first, due, r.tz),
        buttons: [(TAKE_OVER, "button-take-over"), (REASSIGN, "button-reassign"), (EXTEND, "button-extend")]
            .into_iter()
            .map(|(verb, label)| Button {
                id: button::encode(NAMESPACE, verb, &[&ticket.id]),
                label: text::label(r.lang, label),
                style: ButtonStyle::Secondary,
            })
            .collect(),
        ..Body::default()
    });
    let mut effects = vec![Effect::Notice {
        audience: desk.queue_of(t.category.as_deref()),
        subject: Subject::new("ticket-breach", t.id.0),
        body: body.clone(),
        coalesce: None,
    }];
    if let Some(lead) = lead_of(tx, desk, &t).await? {
        effects.push(Effect::Direct { person: lead, body, subject: None });
    }
    Ok(effects)
}

fn warned(t: &Ticket) -> Subject {
    Subject::new("ticket-warning", t.id.0)
}

/// The breach post's buttons: `tk:takeover:12`, `tk:reassign:12`, `tk:extend:12`.
pub const TAKE_OVER: &str = "takeover";
pub const REASSIGN: &str = "reassign";
pub const EXTEND: &str = "extend";

/// How long the Reassign and Extend questions wait.
const ASKING: Duration = Duration::hours(4);

/// The category's lead, if it has one who has written to Deskmate.
pub(super) async fn lead_of(tx: &mut Tx, desk: &Tickets, t: &Ticket) -> ServiceResult<Option<crate::kernel::PersonId>> {
    let lead = t.category.as_deref().and_then(|c| desk.rules.category(c)).and_then(|c| c.lead.clone());
    Ok(match lead {
        Some(account) => tx.people_of_accounts(&[account]).await?.first().copied(),
        None => None,
    })
}

/// Whether the actor leads the ticket's team: its lead, a manager or an admin.
pub async fn leads(cx: &mut Cx<'_>, desk: &Tickets, t: &Ticket) -> ServiceResult<bool> {
    if cx.actor.is(Role::Manager) || cx.actor.is(Role::Admin) {
        return Ok(true);
    }
    Ok(lead_of(cx.tx, desk, t).await? == Some(cx.actor.person.id))
}

/// Reassign or Extend pressed: the lead is asked to whom, or for how long and why.
pub async fn ask(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, verb: &str) -> ServiceResult {
    let ticket = super::service::find(cx.tx, id, cx.actor).await?;
    if !leads(cx, desk, &ticket).await? {
        return refuse(text::leads_only(cx.actor.lang, id));
    }
    let question =
        if verb == REASSIGN { text::ask_reassign(cx.actor.lang, id) } else { text::ask_extend(cx.actor.lang, id) };
    let action = button::encode(NAMESPACE, verb, &[&id]);
    let me = cx.actor.person.id;
    Ok(vec![questions::ask(cx, me, question, &action, ASKING).await?])
}

/// The extension answered (`2h waiting for a part`): the target due next moves that much
/// business time later, the reason goes into the history.
pub async fn extend(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, said: &str) -> ServiceResult {
    let actor = cx.actor;
    let mut ticket = super::service::find(cx.tx, id, actor).await?;
    if !leads(cx, desk, &ticket).await? {
        return refuse(text::leads_only(actor.lang, id));
    }
    let (length, why) = said.trim().split_once(char::is_whitespace).unwrap_or((said.trim(), ""));
    let Ok(length) = crate::chat::commands::read_duration(length) else {
        return refuse(text::bad_extension(actor.lang, said.trim()));
    };
    if why.trim().is_empty() || length <= Duration::zero() || length > Duration::days(30) {
        return refuse(text::bad_extension(actor.lang, said.trim()));
    }
    let calendar = desk.calendar(ticket.category.as_deref());
    let old = ticket.clone();
    let sla = &mut ticket.sla;
    let first = sla.first_response_at.is_none() && sla.first_due.is_some();
    let target = if first { &mut sla.first_due } else { &mut sla.resolve_due };
    let Some(due) = *target else { return refuse(text::nothing_to_extend(actor.lang, id)) };
    let extended = calendar.add(due, length);
    *target = Some(extended);
    let sla = ticket.sla;
    cx.tx.set_sla(id, &sla).await?;
    cx.tx
        .log_ticket_event(
            id,
            TicketEvent::Extend,
            &format!("{} — {}", crate::i18n::length(actor.lang, length), why.trim()),
            actor.audit(),
        )
        .await?;
    watch(cx.tx, cx.kit, desk, Some(&old), &ticket).await?;
    let (lang, tz) = (actor.lang, actor.tz);
    Ok(vec![
        Effect::reply(text::extended(lang, id, first, extended, tz)),
        Effect::UpdateNotices { subject: ticket.subject(), body: super::service::notice(&ticket, desk) },
    ])
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
    let calendar = desk.calendar(ticket.category.as_deref());
    Some(match ticket.next_target()? {
        Next::FirstResponse(due) => Due::FirstResponse { due, left: calendar.between(now, due) },
        Next::Resolution(due) => Due::Resolution { due, left: calendar.between(now, due) },
        Next::Paused(left) => Due::Paused { left },
    })
}

/// The clock after the ticket's priority changed: each running target moves by the
/// difference between the new target and the old (a deadline already extended or
/// paused keeps that).
pub fn reprioritized(desk: &Tickets, t: &Ticket, from: Priority, now: DateTime<Utc>) -> Sla {
    let calendar = desk.calendar(t.category.as_deref());
    let (old, new) = (desk.rules.targets(from), desk.rules.targets(t.priority));
    let shift = |due: Option<DateTime<Utc>>, old: Option<Duration>, new: Option<Duration>, start: DateTime<Utc>| {
        match (due, old, new) {
            (Some(due), Some(old), Some(new)) => {
                let left = calendar.between(now, due) + (new - old);
                Some(if left > Duration::zero() { calendar.add(now, left) } else { now + left })
            }
            // A target where there was none: counted from when the ticket opened.
            (None, None, Some(new)) => Some(calendar.add(start, new)),
            (_, _, None) => None,
            (due, _, _) => due,
        }
    };
    let mut sla = t.sla;
    if sla.first_response_at.is_none() {
        sla.first_due = shift(sla.first_due, old.first_response, new.first_response, t.created_at);
    }
    match sla.resolve_left {
        Some(left) => {
            let delta = new.resolution.unwrap_or_default() - old.resolution.unwrap_or_default();
            sla.resolve_left = Some(left + delta);
        }
        None => sla.resolve_due = shift(sla.resolve_due, old.resolution, new.resolution, t.created_at),
    }
    sla
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

//! The daily digest: each person's day (meetings, schedule, approvals waiting, tickets)
//! by direct message at `digest_at` on their own clock, on their working days. One sweep
//! a quarter hour sends the digests due; each person's next digest is a row indexed by
//! when it is due, not a timer, so ten thousand people in every zone cost one timer.

use chrono::{DateTime, Duration, Utc};

use super::store::Calendar;
use super::{Meetings, NAME, hours, service, text};
use crate::chat::feature::{Cx, Kit};
use crate::kernel::{Effect, ServiceResult};
use crate::scheduler::TimerKey;
use crate::store::Tx;

/// The sweep timer's kind.
pub const SWEEP: &str = "digest-sweep";
const SWEEP_EVERY_MINUTES: i64 = 15;
/// People planned by one sweep (the rest by the next).
const PLAN_BATCH: i64 = 1000;
/// Digests sent by one sweep; when more are due, the next sweep comes at once.
const SEND_BATCH: i64 = 200;
/// A digest this late (Deskmate was down at its time) is skipped: the day has begun.
const STALE: Duration = Duration::hours(3);

/// Sets the next sweep (a key per quarter hour: every instance sets the same one).
pub async fn start(kit: &Kit) -> ServiceResult<()> {
    let mut tx = kit.store.begin().await?;
    set_sweep(kit, &mut tx, next_quarter(kit.clock.now())).await?;
    tx.commit().await?;
    Ok(())
}

fn next_quarter(now: DateTime<Utc>) -> DateTime<Utc> {
    let step = SWEEP_EVERY_MINUTES * 60_000;
    let next = (now.timestamp_millis().div_euclid(step) + 1) * step;
    DateTime::from_timestamp_millis(next).unwrap_or(now)
}

async fn set_sweep(kit: &Kit, tx: &mut Tx, at: DateTime<Utc>) -> ServiceResult<()> {
    kit.timers.set_timer(tx, &TimerKey::new(NAME, SWEEP, at.timestamp_millis()), at, &()).await?;
    Ok(())
}

/// Plans the digests of people new since the last sweep, sends those due, plans their
/// next ones, and sets the next sweep: all in the sweep's transaction.
pub async fn sweep(desk: &Meetings, tx: &mut Tx, kit: &Kit) -> ServiceResult {
    let now = kit.clock.now();
    for calendar in tx.unplanned_digests(PLAN_BATCH).await? {
        tx.plan_digest(calendar.person.id, next(desk, &calendar, now)).await?;
    }
    let due = tx.due_digests(now, SEND_BATCH).await?;
    let mut effects = Vec::new();
    for calendar in &due {
        let on = calendar.digest.unwrap_or(desk.settings.digest);
        let fresh = calendar.digest_next_at.is_some_and(|at| now - at <= STALE);
        if on
            && fresh
            && let Some(said) = day(desk, tx, kit, calendar).await?
        {
            effects.push(Effect::direct(calendar.person.id, said));
        }
        tx.plan_digest(calendar.person.id, next(desk, calendar, now)).await?;
    }
    let again = if due.len() as i64 >= SEND_BATCH { now + Duration::seconds(1) } else { next_quarter(now) };
    set_sweep(kit, tx, again).await?;
    Ok(effects)
}

fn next(desk: &Meetings, calendar: &Calendar, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let hours = calendar.hours.unwrap_or(desk.settings.hours);
    hours::next_on_working_day(&hours, calendar.tz.unwrap_or(desk.default_tz), desk.settings.digest_at, after)
}

/// Someone's day as a digest in their language, or `None` when nothing is on it. (Every
/// feature writes its lines for the person, so the digest is written here, not per
/// reader.)
async fn day(desk: &Meetings, tx: &mut Tx, kit: &Kit, calendar: &Calendar) -> ServiceResult<Option<String>> {
    let Some(person) = kit.store.person(calendar.person.id).await? else { return Ok(None) };
    let lang = person.lang.unwrap_or(kit.default_lang);
    let tz = calendar.tz.unwrap_or(desk.default_tz);
    let today = kit.clock.now().with_timezone(&tz).date_naive();
    let span = (service::day_start(tz, today), service::day_start(tz, today + Duration::days(1)));
    let (timed, waiting) = service::gather(tx, kit, &person, span, tz).await?;
    if timed.is_empty() && waiting.is_empty() {
        return Ok(None);
    }
    Ok(Some(text::digest(lang, today, tz, &timed, &waiting)))
}

/// `/schedule digest on|off`.
pub async fn switch(desk: &Meetings, cx: &mut Cx<'_>, on: bool) -> ServiceResult {
    let actor = cx.actor;
    cx.tx.set_digest(actor.person.id, on).await?;
    let calendar = cx.tx.calendars(&[actor.person.id]).await?.pop();
    let hours = calendar.and_then(|c| c.hours).unwrap_or(desk.settings.hours);
    Ok(vec![Effect::reply(text::digest_switched(actor.lang, on, desk.settings.digest_at, &hours, actor.tz))])
}

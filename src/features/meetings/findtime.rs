//! `/meeting findtime`: the earliest times everyone named is free within their own
//! working hours, offered as buttons that schedule the meeting; and `/schedule hours`,
//! where each person says what their working hours are.

use chrono::{DateTime, Duration, Utc};

use super::hours::{self, Availability, HoursError, WorkHours};
use super::{Meetings, service, text};
use crate::chat::feature::Cx;
use crate::kernel::{Actor, Effect, ServiceResult, refuse};
use crate::limits::TextLimit;

/// How many times are offered.
const OFFERED: usize = 3;
/// The furthest ahead a search looks, in days.
const MAX_WITHIN_DAYS: i64 = 14;
/// The search's reach unless `within:` says otherwise.
const DEFAULT_WITHIN_DAYS: i64 = 7;
static TITLE: TextLimit = TextLimit { what: "limit-title", catalog: &text::CATALOG, max: 200 };

/// `/meeting findtime @a @b #Dept <length> [within:…] [title:…]`.
pub async fn find(
    desk: &Meetings,
    cx: &mut Cx<'_>,
    typed: &str,
    within: Option<&str>,
    title: Option<&str>,
) -> ServiceResult {
    let actor = cx.actor;
    let (who, length) = match typed.trim().rsplit_once(char::is_whitespace) {
        Some((who, last)) => (who, crate::chat::commands::read_duration(last)),
        None => (typed, crate::chat::commands::read_duration(typed)),
    };
    let Ok(length) = length else { return refuse(text::findtime_needs_length(actor.lang)) };
    if length > desk.settings.max_duration {
        return refuse(text::too_long(actor.lang, desk.settings.max_duration));
    }
    // Untitled, the meeting is named in its organiser's language.
    let title = match title {
        Some(title) => TITLE.check(cx.actor.lang, title)?.to_owned(),
        None => text::default_title(actor.lang),
    };
    let window = window(actor, within)?;
    let people = service::attendees(cx, who).await?;
    let mut calendars = cx.tx.calendars(&people).await?;
    calendars.sort_by_key(|c| people.iter().position(|p| *p == c.person.id));
    let busy = cx.tx.busy(&people, window).await?;
    let everyone: Vec<Availability> = calendars
        .iter()
        .map(|c| Availability {
            hours: c.hours.unwrap_or(desk.settings.hours),
            tz: c.tz.unwrap_or(desk.default_tz),
            busy: busy.iter().filter(|(p, _)| *p == c.person.id).map(|(_, span)| *span).collect(),
        })
        .collect();
    let slots = hours::free_slots(&everyone, window, length, OFFERED);
    let zones: Vec<(&str, chrono_tz::Tz)> =
        calendars.iter().zip(&everyone).map(|(c, a)| (c.person.name.as_str(), a.tz)).collect();
    if slots.is_empty() {
        return Ok(vec![Effect::reply(text::no_free_time(actor.lang, length, window, actor.tz))]);
    }
    let said = text::free_times(actor.lang, &title, length, &slots, &zones, actor.tz);
    service::offer(cx, title, (length, &people), &slots, said).await
}

/// From now to the end of `within`: `today`, `tomorrow`, `week` (seven days, the
/// default) or `<n>d` (at most two weeks), on the caller's clock.
fn window(actor: &Actor, within: Option<&str>) -> ServiceResult<(DateTime<Utc>, DateTime<Utc>)> {
    let (now, tz) = (actor.at, actor.tz);
    let today = now.with_timezone(&tz).date_naive();
    let end_of = |days: i64| service::day_start(tz, today + Duration::days(days));
    let to = match within.map(str::to_lowercase).as_deref() {
        None | Some("week") => now + Duration::days(DEFAULT_WITHIN_DAYS),
        Some("today") => end_of(1),
        Some("tomorrow") => end_of(2),
        Some(days) => match days.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
            Some(n) if (1..=MAX_WITHIN_DAYS).contains(&n) => now + Duration::days(n),
            _ => return refuse(text::bad_within(actor.lang, days, MAX_WITHIN_DAYS)),
        },
    };
    let from = if within.is_some_and(|w| w.eq_ignore_ascii_case("tomorrow")) { end_of(1) } else { now };
    Ok((from, to))
}

/// `/schedule hours [days hours | default]`: shows or sets the caller's working hours.
pub async fn work_hours(desk: &Meetings, cx: &mut Cx<'_>, typed: Option<&str>) -> ServiceResult {
    let actor = cx.actor;
    let typed = typed.map(str::trim).unwrap_or_default();
    if typed.is_empty() {
        let mine = cx.tx.calendars(&[actor.person.id]).await?.pop().and_then(|c| c.hours);
        return Ok(vec![Effect::reply(text::work_hours(actor.lang, mine.as_ref(), &desk.settings.hours, actor.tz))]);
    }
    if typed.eq_ignore_ascii_case("default") {
        cx.tx.set_work_hours(actor.person.id, None).await?;
        return Ok(vec![Effect::reply(text::work_hours_reset(actor.lang, &desk.settings.hours))]);
    }
    let Some((days, span)) = typed.split_once(char::is_whitespace) else {
        return refuse(text::bad_work_hours(actor.lang, typed, &HoursError::Incomplete));
    };
    let hours = WorkHours::read(days, span.trim()).or_else(|e| refuse(text::bad_work_hours(actor.lang, typed, &e)))?;
    cx.tx.set_work_hours(actor.person.id, Some(&hours)).await?;
    Ok(vec![Effect::reply(text::work_hours_set(actor.lang, &hours, actor.tz))])
}

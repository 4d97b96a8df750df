//! Meetings: schedule (with conflicts checked first), answer invitations, remind, show,
//! list, cancel.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use deskmate_port::{Attachment, Body, Button, ButtonStyle};
use serde::{Deserialize, Serialize};

use super::cmd::Typed;
use super::model::{
    Attendee, Meeting, MeetingId, Occurrence, OccurrenceId, Rsvp, invitation_subject, occurrence_subject,
};
use super::recurrence::{self, RepeatError};
use super::store::{NewMeeting, Span};
use super::{Meetings, NAME, Press, ical, text};
use crate::chat::feature::{AgendaItem, Cx, Kit};
use crate::chat::{button, questions};
use crate::kernel::{Actor, Effect, Lang, PersonId, Reader, Role, ServiceResult, Shown, refuse};
use crate::limits::TextLimit;
use crate::scheduler::{Fired, TimerKey};
use crate::store::Tx;

static TITLE: TextLimit = TextLimit { what: "limit-title", catalog: &text::CATALOG, max: 200 };
static AGENDA: TextLimit = TextLimit { what: "limit-agenda", catalog: &text::CATALOG, max: 1000 };
static NOTE: TextLimit = TextLimit { what: "limit-note", catalog: &text::CATALOG, max: 500 };
static REASON: TextLimit = TextLimit { what: "limit-reason", catalog: &text::CATALOG, max: 500 };
const LINK_MAX: usize = 500;
/// The most people one meeting invites.
const MAX_ATTENDEES: usize = 200;
/// How long the decline-note question waits.
const NOTE_LIFETIME: chrono::Duration = chrono::Duration::days(1);
/// Meetings `/meeting list` shows.
const LIST: i64 = 10;
/// The most meetings (and the most entries) one agenda shows.
const AGENDA_MAX: i64 = 200;

/// A reminder timer's kind.
pub const REMIND: &str = "remind";
/// An action item's reminder before it is due.
pub const ACTION_DUE: &str = "action-due";
static MINUTES: TextLimit = TextLimit { what: "limit-minutes", catalog: &text::CATALOG, max: 4000 };
static ACTION: TextLimit = TextLimit { what: "limit-action", catalog: &text::CATALOG, max: 500 };

/// What a reminder's timer carries: the occurrence and the start it was set for (a
/// moved meeting's old reminders find the start changed and stay quiet).
#[derive(Debug, Serialize, Deserialize)]
pub struct Reminder {
    occurrence: i64,
    starts_at: i64,
    minutes: i64,
}

/// What waits for its organiser's "anyway" while its conflicts are shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Draft {
    Schedule(Box<Plan>),
    Move {
        meeting: i64,
        occurrence: i64,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        later: bool,
    },
    /// Times `/meeting findtime` offered, one of which its organiser picks.
    Find {
        title: String,
        minutes: i64,
        attendees: Vec<i64>,
        slots: Vec<DateTime<Utc>>,
    },
}

/// A meeting ready to record.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Plan {
    title: String,
    /// When it takes place: once, or each time its rule gives, earliest first.
    spans: Vec<Span>,
    /// The RRULE body of a series.
    rule: Option<String>,
    /// Whether the rule went on past the year a series is planned for.
    capped: bool,
    tz: String,
    link: Option<String>,
    agenda: Option<String>,
    channel: Option<String>,
    room: Option<String>,
    reminders: Vec<i64>,
    attendees: Vec<i64>,
}

/// `/meeting schedule`: checked, then recorded, or held while its conflicts are shown.
pub async fn schedule(desk: &Meetings, cx: &mut Cx<'_>, typed: Typed) -> ServiceResult {
    let actor = cx.actor;
    let title = TITLE.check(cx.actor.lang, &typed.title)?.to_owned();
    if typed.at <= actor.at {
        return refuse(crate::chat::text::time_passed(actor.lang, typed.at, actor.tz));
    }
    let length = typed.length.unwrap_or(desk.settings.default_duration);
    if length > desk.settings.max_duration {
        return refuse(text::too_long(actor.lang, desk.settings.max_duration));
    }
    let (rule, spans, capped) = times(actor.lang, &typed, length, actor.tz)?;
    let link = match typed.link {
        Some(link) if !is_link(&link) => return refuse(text::not_a_link(actor.lang, &link)),
        link => link,
    };
    let agenda = typed.agenda.as_deref().map(|a| AGENDA.check(cx.actor.lang, a)).transpose()?.map(str::to_owned);
    let channel = match typed.channel {
        Some(name) => match desk.audience(&name) {
            Some(_) => Some(name.to_lowercase()),
            None => return refuse(text::unknown_channel(actor.lang, &name, &desk.channel_names())),
        },
        None => desk.settings.channel.clone(),
    };
    let reminders = match typed.remind.as_deref() {
        None => desk.settings.reminders.clone(),
        Some("none" | "no" | "off") => Vec::new(),
        Some(list) => {
            let offsets: Vec<&str> = list.split(',').map(str::trim).collect();
            super::config::read_offsets(&offsets).or_else(|e| refuse(text::bad_reminders(actor.lang, &e)))?
        }
    };
    let attendees = attendees(cx, &typed.with).await?;
    let room = match typed.room.as_deref() {
        Some(name) => Some(room_for(desk, actor.lang, name, attendees.len())?),
        None => None,
    };
    let plan = Plan {
        title,
        spans,
        rule,
        capped,
        tz: actor.tz.name().to_owned(),
        link,
        agenda,
        channel,
        room,
        reminders,
        attendees: attendees.iter().map(|p| p.0).collect(),
    };
    let conflicts = cx.tx.conflicts(&attendees, &plan.spans, None).await?;
    if conflicts.is_empty() {
        return create(desk, cx, plan).await;
    }
    let what = text::what_clashes(actor.lang, &plan.title, &plan.spans, actor.tz);
    hold(cx, &Draft::Schedule(Box::new(plan)), &text::conflicts(actor.lang, &conflicts, actor.tz, &what)).await
}

/// When a meeting takes place: once at the time typed, or (with `repeat:`) each time its
/// rule gives on the organiser's wall clock, planned a year ahead at most.
fn times(
    lang: Lang,
    typed: &Typed,
    length: chrono::Duration,
    tz: Tz,
) -> ServiceResult<(Option<String>, Vec<Span>, bool)> {
    let Some(repeat) = typed.repeat.as_deref() else {
        if typed.until.is_some() || typed.times.is_some() {
            return refuse(text::end_without_repeat(lang));
        }
        return Ok((None, vec![(typed.at, typed.at + length)], false));
    };
    let bad = |e: RepeatError| crate::kernel::ServiceError::User(text::bad_repeat(lang, repeat, &e));
    let first = typed.at.with_timezone(&tz).naive_local();
    let rule = recurrence::read(repeat, first).map_err(bad)?;
    let until = typed.until.map(|u| u.with_timezone(&tz).date_naive());
    let count = typed.times.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let series = recurrence::expand(&rule, first, until, count).map_err(bad)?;
    let spans: Vec<Span> = series
        .times
        .iter()
        .map(|wall| {
            let start = recurrence::place(tz, *wall);
            (start, start + length)
        })
        .collect();
    if spans.windows(2).any(|pair| pair[1].0 < pair[0].1) {
        return refuse(text::series_overlaps(lang, length));
    }
    Ok((Some(rule), spans, series.capped))
}

/// Keeps a draft for its organiser's button.
async fn keep(cx: &mut Cx<'_>, draft: &Draft) -> ServiceResult<i64> {
    let json = serde_json::to_string(draft).map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
    Ok(cx.tx.create_meeting_draft(cx.actor.person.id, &json, cx.actor.at).await?)
}

/// Takes its organiser's draft (once).
async fn take(cx: &mut Cx<'_>, draft: i64) -> ServiceResult<Draft> {
    let lang = cx.actor.lang;
    let Some((organizer, draft)) = cx.tx.take_meeting_draft(draft).await? else {
        return refuse(text::draft_gone(lang));
    };
    if organizer != cx.actor.person.id {
        return refuse(text::not_your_draft(lang));
    }
    // A draft kept by an earlier version of Deskmate may no longer read: it is gone.
    serde_json::from_str::<Draft>(&draft).or_else(|_| refuse(text::draft_gone(lang)))
}

/// Keeps a draft and shows its conflicts, with the button that goes ahead anyway.
async fn hold(cx: &mut Cx<'_>, draft: &Draft, conflicts: &str) -> ServiceResult {
    let id = keep(cx, draft).await?;
    let label = text::anyway(cx.actor.lang, matches!(draft, Draft::Move { .. }));
    let body = Body {
        text: conflicts.to_owned(),
        buttons: vec![Button {
            id: button::encode(super::NAMESPACE, Press::Force.verb(), &[&id]),
            label,
            style: ButtonStyle::Primary,
        }],
        ..Body::default()
    };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

/// "Schedule anyway" or "Move anyway" on a meeting held for its conflicts.
pub async fn force(desk: &Meetings, cx: &mut Cx<'_>, draft: i64) -> ServiceResult {
    let draft = take(cx, draft).await?;
    let starts_at = match &draft {
        Draft::Schedule(plan) => plan.spans.first().map_or(cx.actor.at, |(start, _)| *start),
        Draft::Move { starts_at, .. } => *starts_at,
        Draft::Find { .. } => return refuse(crate::chat::text::stale_button(cx.actor.lang)),
    };
    if starts_at <= cx.actor.at {
        return refuse(crate::chat::text::time_passed(cx.actor.lang, starts_at, cx.actor.tz));
    }
    match draft {
        Draft::Schedule(plan) => create(desk, cx, *plan).await,
        Draft::Move { meeting, occurrence, starts_at, ends_at, later } => {
            shift(desk, cx, MeetingId(meeting), (OccurrenceId(occurrence), starts_at, ends_at), later).await
        }
        Draft::Find { .. } => refuse(crate::chat::text::stale_button(cx.actor.lang)),
    }
}

/// `/meeting findtime` offers `slots`: kept as a draft, each a button that schedules it.
pub async fn offer(
    cx: &mut Cx<'_>,
    title: String,
    (length, attendees): (chrono::Duration, &[PersonId]),
    slots: &[DateTime<Utc>],
    said: String,
) -> ServiceResult {
    let draft = Draft::Find {
        title,
        minutes: length.num_minutes(),
        attendees: attendees.iter().map(|p| p.0).collect(),
        slots: slots.to_vec(),
    };
    let id = keep(cx, &draft).await?;
    let buttons = slots
        .iter()
        .enumerate()
        .map(|(i, at)| Button {
            id: button::encode(super::NAMESPACE, Press::Pick.verb(), &[&id, &(i + 1)]),
            label: text::slot_button(cx.actor.lang, *at, cx.actor.tz),
            style: if i == 0 { ButtonStyle::Primary } else { ButtonStyle::Secondary },
        })
        .collect();
    Ok(vec![Effect::Reply { body: Body { text: said, buttons, ..Body::default() }.into(), private: false }])
}

/// One of `/meeting findtime`'s times picked: scheduled as `/meeting schedule` would
/// (the config's reminders and channel), conflicts checked again.
pub async fn pick(desk: &Meetings, cx: &mut Cx<'_>, draft: i64, index: i64) -> ServiceResult {
    let actor = cx.actor;
    let Draft::Find { title, minutes, attendees, slots } = take(cx, draft).await? else {
        return refuse(crate::chat::text::stale_button(actor.lang));
    };
    let picked = usize::try_from(index - 1).ok().and_then(|i| slots.get(i).copied());
    let Some(at) = picked else { return refuse(crate::chat::text::stale_button(actor.lang)) };
    if at <= actor.at {
        return refuse(crate::chat::text::time_passed(actor.lang, at, actor.tz));
    }
    let plan = Plan {
        title,
        spans: vec![(at, at + chrono::Duration::minutes(minutes))],
        rule: None,
        capped: false,
        tz: actor.tz.name().to_owned(),
        link: None,
        agenda: None,
        channel: desk.settings.channel.clone(),
        room: None,
        reminders: desk.settings.reminders.clone(),
        attendees,
    };
    let people: Vec<PersonId> = plan.attendees.iter().copied().map(PersonId).collect();
    let conflicts = cx.tx.conflicts(&people, &plan.spans, None).await?;
    if conflicts.is_empty() {
        return create(desk, cx, plan).await;
    }
    let what = text::what_clashes(actor.lang, &plan.title, &plan.spans, actor.tz);
    hold(cx, &Draft::Schedule(Box::new(plan)), &text::conflicts(actor.lang, &conflicts, actor.tz, &what)).await
}

/// The room named, once it holds everyone invited.
fn room_for(desk: &Meetings, lang: Lang, name: &str, people: usize) -> ServiceResult<String> {
    let Some(room) = desk.room(name) else { return refuse(text::unknown_room(lang, name, &desk.settings.rooms)) };
    if people > room.capacity as usize {
        return refuse(text::room_too_small(lang, room, people));
    }
    Ok(room.name.clone())
}

/// Takes the room and refuses the time when someone else has it then: rooms are never
/// double-booked, whatever the organiser says. `actor`: who asks, told in their language
/// and on their clock.
async fn book(
    desk: &Meetings,
    tx: &mut Tx,
    room: &str,
    (spans, except): (&[Span], Option<MeetingId>),
    actor: &Actor,
) -> ServiceResult<()> {
    tx.lock_room(room).await?;
    let taken = tx.room_bookings(room, spans, except).await?;
    if let Some(first) = taken.first() {
        let shown = desk.room(room).map_or(room, |r| r.name.as_str());
        return refuse(text::room_taken(actor.lang, shown, first, actor.tz));
    }
    Ok(())
}

fn is_link(typed: &str) -> bool {
    (typed.starts_with("https://") || typed.starts_with("http://"))
        && typed.len() > "https://".len()
        && typed.len() <= LINK_MAX
        && !typed.contains(char::is_whitespace)
}

/// The organiser and everyone `with` names: `@people`, `@agents`/`@managers`/`@admins`
/// (everyone holding the role), `#Department`; `with:` in front is allowed.
pub(super) async fn attendees(cx: &mut Cx<'_>, with: &str) -> ServiceResult<Vec<PersonId>> {
    let actor = cx.actor;
    let mut out = vec![actor.person.id];
    let with = with.trim();
    let with = with.strip_prefix("with:").unwrap_or(with);
    for word in with.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()) {
        let found: Vec<PersonId> = if let Some(handle) = word.strip_prefix('@') {
            match cx.kit.store.person_by_handle(actor.platform, handle).await? {
                Some(p) => vec![p.id],
                None => match role_named(handle) {
                    Some(role) => cx.kit.store.persons_with_role(role).await?,
                    None => vec![cx.kit.people.resolve(actor, handle).await?.id],
                },
            }
        } else if let Some(dept) = word.strip_prefix('#') {
            match cx.tx.department_members(dept).await? {
                Some(members) => members,
                None => return refuse(text::unknown_department(actor.lang, dept)),
            }
        } else {
            return refuse(text::not_someone(actor.lang, word));
        };
        for person in found {
            if !out.contains(&person) {
                out.push(person);
            }
        }
    }
    if out.len() > MAX_ATTENDEES {
        return refuse(text::too_many_attendees(actor.lang, out.len(), MAX_ATTENDEES));
    }
    Ok(out)
}

fn role_named(word: &str) -> Option<Role> {
    let word = word.to_lowercase();
    word.strip_suffix('s').unwrap_or(&word).parse().ok().filter(|r| *r != Role::Staff)
}

/// Records the meeting, sets its reminders, and sends its notice and invitations.
async fn create(desk: &Meetings, cx: &mut Cx<'_>, plan: Plan) -> ServiceResult {
    let actor = cx.actor;
    if let Some(room) = &plan.room {
        book(desk, cx.tx, room, (&plan.spans, None), actor).await?;
    }
    let new = NewMeeting {
        title: plan.title,
        organizer: actor.person.id,
        tz: plan.tz,
        link: plan.link,
        agenda: plan.agenda,
        channel: plan.channel,
        room: plan.room,
        reminders: plan.reminders,
        rule: plan.rule,
        spans: plan.spans,
        attendees: plan.attendees.into_iter().map(PersonId).collect(),
    };
    let (id, occurrence) = cx.tx.create_meeting(&new, actor.audit()).await?;
    let (meeting, occurrence) = load(cx.tx, actor.lang, id, occurrence).await?;
    let occurrences = cx.tx.occurrences(id).await?;
    for o in &occurrences {
        set_reminders(cx.kit, cx.tx, &meeting, o, actor.at).await?;
    }
    let attendees = cx.tx.attendees(occurrence.id).await?;
    let people: Vec<Attendee> = attendees.iter().map(|(_, a)| a.clone()).collect();
    let ics = ical::calendar(&meeting, &occurrences);
    let series = meeting.rule.as_ref().map(|_| (occurrences.as_slice(), plan.capped));
    let reply = Body {
        text: text::scheduled(actor.lang, &meeting, &occurrence, &people, series, actor.tz),
        files: vec![ics.clone()],
        ..Body::default()
    };
    let mut effects = vec![Effect::Reply { body: reply.into(), private: false }];
    if let Some(audience) = meeting.channel.as_deref().and_then(|c| desk.audience(c)) {
        let (m, o, file) = (meeting.clone(), occurrence.clone(), ics.clone());
        let body = Shown::per_reader(move |r| Body {
            text: text::notice(r.lang, &m, &o, &people),
            files: vec![file.clone()],
            ..Body::default()
        });
        effects.push(Effect::Notice { audience, subject: occurrence_subject(occurrence.id), body, coalesce: None });
    }
    for (row, attendee) in attendees.iter().filter(|(_, a)| a.person.id != actor.person.id) {
        effects.push(Effect::Direct {
            person: attendee.person.id,
            body: invitation(&meeting, &occurrence, attendee, vec![ics.clone()]),
            subject: Some(invitation_subject(*row)),
        });
    }
    Ok(effects)
}

/// A meeting and one of its occurrences; `lang`: who is told when it is gone.
async fn load(
    tx: &mut Tx,
    lang: Lang,
    id: MeetingId,
    occurrence: OccurrenceId,
) -> ServiceResult<(Meeting, Occurrence)> {
    match (tx.meeting(id).await?, tx.occurrence(occurrence).await?) {
        (Some(m), Some(o)) => Ok((m, o)),
        _ => refuse(text::not_found(lang, id)),
    }
}

/// An attendee's invitation, in their language and on their clock, with Accept /
/// Tentative / Decline: for a series, an answer for every time to come (each reminder
/// asks about its own time). `files`: the `.ics` sent with it (none when it is edited).
fn invitation(meeting: &Meeting, occurrence: &Occurrence, attendee: &Attendee, files: Vec<Attachment>) -> Shown {
    let (meeting, occurrence, mine) = (meeting.clone(), occurrence.clone(), attendee.rsvp);
    Shown::per_reader(move |r| Body {
        text: text::invitation(r.lang, &meeting, &occurrence, r.tz, mine),
        buttons: answer_buttons(r.lang, occurrence.id, meeting.rule.is_some()),
        files: files.clone(),
        ..Body::default()
    })
}

/// Accept / Tentative / Decline for one occurrence, or (`every`) for it and all after.
fn answer_buttons(lang: Lang, occurrence: OccurrenceId, every: bool) -> Vec<Button> {
    [Press::Accept, Press::Tentative, Press::Decline]
        .into_iter()
        .map(|press| Button {
            id: if every {
                button::encode(super::NAMESPACE, press.verb(), &[&occurrence, &super::EVERY])
            } else {
                button::encode(super::NAMESPACE, press.verb(), &[&occurrence])
            },
            label: press.answer().map(|answer| text::answer_button(lang, answer)).unwrap_or_default(),
            style: if press == Press::Accept { ButtonStyle::Primary } else { ButtonStyle::Secondary },
        })
        .collect()
}

async fn set_reminders(
    kit: &Kit,
    tx: &mut Tx,
    meeting: &Meeting,
    occurrence: &Occurrence,
    now: DateTime<Utc>,
) -> ServiceResult<()> {
    for minutes in &meeting.reminders {
        let at = occurrence.starts_at - chrono::Duration::minutes(*minutes);
        if at <= now {
            continue;
        }
        let payload = Reminder {
            occurrence: occurrence.id.0,
            starts_at: occurrence.starts_at.timestamp_millis(),
            minutes: *minutes,
        };
        kit.timers.set_timer(tx, &reminder_key(occurrence, *minutes), at, &payload).await?;
    }
    Ok(())
}

fn reminder_key(occurrence: &Occurrence, minutes: i64) -> TimerKey {
    TimerKey::new(NAME, REMIND, format!("{}:{}:{minutes}", occurrence.id, occurrence.starts_at.timestamp_millis()))
}

/// Accept, Tentative or Decline pressed on an invitation (`every`: a series', answering
/// every time to come) or on a reminder (that time alone).
pub async fn answer(cx: &mut Cx<'_>, occurrence: OccurrenceId, answer: Rsvp, every: bool) -> ServiceResult {
    let actor = cx.actor;
    let Some(found) = cx.tx.occurrence(occurrence).await? else {
        return refuse(crate::chat::text::stale_button(actor.lang));
    };
    let (meeting, occurrence) = load(cx.tx, actor.lang, found.meeting, found.id).await?;
    if !meeting.status.is_on() || (!every && !occurrence.status.is_on()) {
        return refuse(text::is_cancelled(actor.lang, &meeting));
    }
    let answered = if every {
        cx.tx.answer_series(meeting.id, actor.person.id, actor.at, answer, actor.audit()).await?
    } else {
        if occurrence.ends_at <= actor.at {
            return refuse(text::is_over(actor.lang, &meeting));
        }
        cx.tx.answer_meeting(occurrence.id, actor.person.id, answer, actor.audit(), meeting.id).await?
    };
    if !answered {
        return refuse(if every {
            text::series_over(actor.lang, &meeting)
        } else {
            text::not_invited(actor.lang, &meeting)
        });
    }
    let lone = meeting.rule.is_some() && !every;
    let said = text::answered(actor.lang, &meeting, answer, lone.then_some((&occurrence, actor.tz)));
    let mut effects = vec![Effect::reply(said)];
    // A series' invitation holds the answer for every time: one time's answer leaves it.
    let invitations = if lone { Invitations::Nobodys } else { Invitations::Of(actor.person.id) };
    effects.extend(refresh(cx.tx, &meeting, &occurrence, invitations).await?);
    if answer == Rsvp::Declined && meeting.organizer.id != actor.person.id {
        effects.push(declined_for_organizer(&meeting, &actor.person.display_name, None));
        let action = button::encode(super::NAMESPACE, super::NOTE, &[&occurrence.id]);
        let question = text::ask_decline_note(actor.lang, &meeting);
        effects.push(questions::ask(cx, actor.person.id, question, &action, NOTE_LIFETIME).await?);
    }
    Ok(effects)
}

/// Whose invitations are edited along with the channel's notice.
#[derive(Debug, Clone, Copy)]
enum Invitations {
    Nobodys,
    Of(PersonId),
    Everyones,
}

/// A decline told to the organiser, in their language, with the note that came with it.
fn declined_for_organizer(meeting: &Meeting, who: &str, note: Option<&str>) -> Effect {
    let (organizer, m, who, note) = (meeting.organizer.id, meeting.clone(), who.to_owned(), note.map(str::to_owned));
    let body = Shown::text_per_reader(move |r| text::declined_for_organizer(r.lang, &m, &who, note.as_deref()));
    Effect::Direct { person: organizer, body, subject: None }
}

/// The channel's notice and some invitations, edited to the answers now.
async fn refresh(tx: &mut Tx, meeting: &Meeting, occurrence: &Occurrence, invitations: Invitations) -> ServiceResult {
    let attendees = tx.attendees(occurrence.id).await?;
    let people: Vec<Attendee> = attendees.iter().map(|(_, a)| a.clone()).collect();
    let (m, o) = (meeting.clone(), occurrence.clone());
    let mut effects = vec![Effect::UpdateNotices {
        subject: occurrence_subject(occurrence.id),
        body: Shown::text_per_reader(move |r| text::notice(r.lang, &m, &o, &people)),
    }];
    let edited = |a: &Attendee| match invitations {
        Invitations::Nobodys => false,
        Invitations::Of(person) => a.person.id == person,
        Invitations::Everyones => true,
    };
    for (row, attendee) in attendees.iter().filter(|(_, a)| edited(a)) {
        effects.push(Effect::UpdateNotices {
            subject: invitation_subject(*row),
            body: invitation(meeting, occurrence, attendee, Vec::new()),
        });
    }
    Ok(effects)
}

/// The note that came with a decline.
pub async fn note(cx: &mut Cx<'_>, occurrence: OccurrenceId, note: &str) -> ServiceResult {
    let actor = cx.actor;
    let note = NOTE.check(cx.actor.lang, note)?;
    let Some(found) = cx.tx.occurrence(occurrence).await? else {
        return refuse(crate::chat::text::prompt_unknown(actor.lang));
    };
    let (meeting, occurrence) = load(cx.tx, actor.lang, found.meeting, found.id).await?;
    if !cx.tx.note_decline(occurrence.id, actor.person.id, note).await? {
        return refuse(text::no_longer_declined(actor.lang));
    }
    let mut effects = vec![
        Effect::reply(text::note_kept(actor.lang)),
        declined_for_organizer(&meeting, &actor.person.display_name, Some(note)),
    ];
    effects.extend(refresh(cx.tx, &meeting, &occurrence, Invitations::Of(actor.person.id)).await?);
    Ok(effects)
}

/// Who may see a meeting: its attendees and admins.
async fn visible(tx: &mut Tx, actor: &Actor, occurrence: &Occurrence) -> ServiceResult<Vec<(i64, Attendee)>> {
    let attendees = tx.attendees(occurrence.id).await?;
    if !actor.is(Role::Admin) && !attendees.iter().any(|(_, a)| a.person.id == actor.person.id) {
        return refuse(text::not_yours_to_see(actor.lang, occurrence.meeting));
    }
    Ok(attendees)
}

/// The occurrence a command is about: the one on the day `on` names (in the caller's
/// zone), else the next one still to come, else the last. `lang`: the caller's.
async fn current(
    tx: &mut Tx,
    (id, lang): (MeetingId, Lang),
    now: DateTime<Utc>,
    on: Option<(DateTime<Utc>, Tz)>,
) -> ServiceResult<(Meeting, Occurrence)> {
    let Some(meeting) = tx.meeting(id).await? else { return refuse(text::not_found(lang, id)) };
    let occurrences = tx.occurrences(id).await?;
    let pick = match on {
        Some((day, tz)) => {
            let day = day.with_timezone(&tz).date_naive();
            let found =
                occurrences.iter().find(|o| o.status.is_on() && o.starts_at.with_timezone(&tz).date_naive() == day);
            match found {
                Some(o) => Some(o.clone()),
                None => return refuse(text::no_time_on(lang, &meeting, day)),
            }
        }
        None => occurrences
            .iter()
            .find(|o| o.ends_at > now && o.status.is_on())
            .or_else(|| occurrences.iter().find(|o| o.ends_at > now))
            .or(occurrences.last())
            .cloned(),
    };
    match pick {
        Some(o) => Ok((meeting, o)),
        None => refuse(text::not_found(lang, id)),
    }
}

pub async fn show(cx: &mut Cx<'_>, id: MeetingId) -> ServiceResult {
    let actor = cx.actor;
    let (meeting, occurrence) = current(cx.tx, (id, actor.lang), actor.at, None).await?;
    let attendees = visible(cx.tx, actor, &occurrence).await?;
    let people: Vec<Attendee> = attendees.into_iter().map(|(_, a)| a).collect();
    let minutes = cx.tx.minutes(meeting.id).await?;
    let actions = cx.tx.actions(meeting.id).await?;
    let occurrences = cx.tx.occurrences(meeting.id).await?;
    let mut files = vec![ical::calendar(&meeting, &occurrences)];
    if let Some(file) = minutes.as_ref().and_then(|m| m.file) {
        files.extend(cx.tx.files(&[file]).await?);
    }
    let body = Body {
        text: text::show(
            actor.lang,
            &meeting,
            (&occurrence, &occurrences),
            &people,
            (minutes.as_ref(), &actions),
            actor.tz,
        ),
        files,
        ..Body::default()
    };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

pub async fn list(cx: &mut Cx<'_>) -> ServiceResult {
    let actor = cx.actor;
    let items = cx.tx.upcoming_meetings(actor.person.id, (actor.at, None), LIST).await?;
    Ok(vec![Effect::reply(text::list(actor.lang, &items, actor.tz))])
}

/// `/meeting cancel`: by its organiser or an admin; everyone invited is told, with the
/// cancellation for their calendar, and every invitation loses its buttons.
pub async fn cancel(cx: &mut Cx<'_>, id: MeetingId, reason: Option<&str>) -> ServiceResult {
    let actor = cx.actor;
    let reason = reason.map(|r| REASON.check(cx.actor.lang, r)).transpose()?.unwrap_or_default();
    let Some(meeting) = cx.tx.meeting(id).await? else { return refuse(text::not_found(actor.lang, id)) };
    if meeting.organizer.id != actor.person.id && !actor.is(Role::Admin) {
        return refuse(text::not_yours_to_change(actor.lang, &meeting));
    }
    if !cx.tx.cancel_meeting(id, reason, actor.audit()).await? {
        return refuse(text::is_cancelled(actor.lang, &meeting));
    }
    let (meeting, occurrence) = current(cx.tx, (id, actor.lang), actor.at, None).await?;
    for o in cx.tx.occurrences(id).await? {
        for minutes in &meeting.reminders {
            cx.kit.timers.cancel_timer(cx.tx, &reminder_key(&o, *minutes)).await?;
        }
    }
    let ics = ical::calendar(&meeting, &cx.tx.occurrences(meeting.id).await?);
    // The channel's notice keeps the meeting's own clock; each invitation its reader's.
    let (m, o, why) = (meeting.clone(), occurrence.clone(), reason.to_owned());
    let mut effects = vec![
        Effect::reply(text::cancelled(actor.lang, &meeting)),
        Effect::UpdateNotices {
            subject: occurrence_subject(occurrence.id),
            body: Shown::text_per_reader(move |r| text::cancelled_notice(r.lang, &m, &o, m.tz, &why)),
        },
    ];
    for (row, attendee) in cx.tx.attendees(occurrence.id).await? {
        let (m, o, why) = (meeting.clone(), occurrence.clone(), reason.to_owned());
        effects.push(Effect::UpdateNotices {
            subject: invitation_subject(row),
            body: Shown::text_per_reader(move |r| text::cancelled_notice(r.lang, &m, &o, r.tz, &why)),
        });
        if attendee.person.id == actor.person.id {
            continue;
        }
        let (m, o) = (meeting.clone(), occurrence.clone());
        let (why, by) = (reason.to_owned(), actor.person.display_name.clone());
        effects.push(told(attendee.person.id, vec![ics.clone()], move |r| {
            text::cancelled_for_attendee(r.lang, &m, &o, r.tz, &by, &why)
        }));
    }
    Ok(effects)
}

/// A direct message to someone else, written in their language on their clock, with
/// `files` (the calendar's update).
fn told(person: PersonId, files: Vec<Attachment>, write: impl Fn(Reader) -> String + Send + Sync + 'static) -> Effect {
    let body = Shown::per_reader(move |r| Body { text: write(r), files: files.clone(), ..Body::default() });
    Effect::Direct { person, body, subject: None }
}

/// The meeting a change is about (and its occurrence: the one on `on`'s day, or the
/// next), once its organiser (or an admin) asks, while it is on.
async fn changeable(cx: &mut Cx<'_>, id: MeetingId, on: Option<DateTime<Utc>>) -> ServiceResult<(Meeting, Occurrence)> {
    let actor = cx.actor;
    // Rights first: someone else learns nothing of its times.
    let Some(meeting) = cx.tx.meeting(id).await? else { return refuse(text::not_found(actor.lang, id)) };
    if meeting.organizer.id != actor.person.id && !actor.is(Role::Admin) {
        return refuse(text::not_yours_to_change(actor.lang, &meeting));
    }
    let (meeting, occurrence) = current(cx.tx, (id, actor.lang), actor.at, on.map(|day| (day, actor.tz))).await?;
    if !meeting.status.is_on() {
        return refuse(text::is_cancelled(actor.lang, &meeting));
    }
    if occurrence.ends_at <= actor.at {
        return refuse(text::is_over(actor.lang, &meeting));
    }
    Ok((meeting, occurrence))
}

/// Where a move puts an occurrence, and with `later` every scheduled one after it: by
/// the same shift on the organiser's wall clock, so a series moved an hour later stays an
/// hour later across a clock change. `lang`: the organiser's, told when times overlap.
async fn moves(
    tx: &mut Tx,
    lang: Lang,
    meeting: &Meeting,
    first: &Occurrence,
    (starts_at, ends_at): Span,
    later: bool,
) -> ServiceResult<Vec<(Occurrence, Span)>> {
    let mut out = vec![(first.clone(), (starts_at, ends_at))];
    if later {
        let wall = |at: DateTime<Utc>| at.with_timezone(&meeting.tz).naive_local();
        let shift = wall(starts_at) - wall(first.starts_at);
        for o in tx.occurrences(meeting.id).await? {
            if o.starts_at > first.starts_at && o.status.is_on() {
                let start = recurrence::place(meeting.tz, wall(o.starts_at) + shift);
                out.push((o, (start, start + (ends_at - starts_at))));
            }
        }
        out.sort_by_key(|(_, span)| span.0);
        if out.windows(2).any(|pair| pair[1].1.0 < pair[0].1.1) {
            return refuse(text::series_overlaps(lang, ends_at - starts_at));
        }
    }
    Ok(out)
}

/// `/meeting move <id> <when> [for:…] [on:<date>] [later:yes]`: the next time (or the one
/// on `on`'s day), and with `later:yes` every time after it; conflicts first, as when
/// scheduling.
pub async fn move_to(
    desk: &Meetings,
    cx: &mut Cx<'_>,
    id: MeetingId,
    (at, length): (DateTime<Utc>, Option<chrono::Duration>),
    on: Option<DateTime<Utc>>,
    later: bool,
) -> ServiceResult {
    let actor = cx.actor;
    let (meeting, occurrence) = changeable(cx, id, on).await?;
    if at <= actor.at {
        return refuse(crate::chat::text::time_passed(actor.lang, at, actor.tz));
    }
    let length = length.unwrap_or(occurrence.ends_at - occurrence.starts_at);
    if length > desk.settings.max_duration {
        return refuse(text::too_long(actor.lang, desk.settings.max_duration));
    }
    let moves = moves(cx.tx, actor.lang, &meeting, &occurrence, (at, at + length), later).await?;
    let spans: Vec<Span> = moves.iter().map(|(_, span)| *span).collect();
    let people: Vec<PersonId> = cx.tx.attendees(occurrence.id).await?.into_iter().map(|(_, a)| a.person.id).collect();
    let conflicts = cx.tx.conflicts(&people, &spans, Some(meeting.id)).await?;
    if conflicts.is_empty() {
        return shift(desk, cx, id, (occurrence.id, at, at + length), later).await;
    }
    let what = text::what_clashes(actor.lang, &meeting.title, &spans, actor.tz);
    let draft = Draft::Move { meeting: id.0, occurrence: occurrence.id.0, starts_at: at, ends_at: at + length, later };
    hold(cx, &draft, &text::conflicts(actor.lang, &conflicts, actor.tz, &what)).await
}

/// Moves an occurrence (and with `later` the ones after it): their reminders follow,
/// everyone is asked again with the new time.
async fn shift(
    desk: &Meetings,
    cx: &mut Cx<'_>,
    id: MeetingId,
    (occurrence, starts_at, ends_at): (OccurrenceId, DateTime<Utc>, DateTime<Utc>),
    later: bool,
) -> ServiceResult {
    let actor = cx.actor;
    let (before, _) = changeable(cx, id, None).await?;
    let old = match cx.tx.occurrence(occurrence).await? {
        Some(o) if o.meeting == id && o.status.is_on() && o.ends_at > actor.at => o,
        _ => return refuse(text::draft_gone(actor.lang)),
    };
    let moves = moves(cx.tx, actor.lang, &before, &old, (starts_at, ends_at), later).await?;
    let spans: Vec<Span> = moves.iter().map(|(_, span)| *span).collect();
    if let Some(room) = &before.room {
        book(desk, cx.tx, room, (&spans, Some(id)), actor).await?;
    }
    for (o, _) in &moves {
        for minutes in &before.reminders {
            cx.kit.timers.cancel_timer(cx.tx, &reminder_key(o, *minutes)).await?;
        }
    }
    let changes: Vec<(OccurrenceId, Span)> = moves.iter().map(|(o, span)| (o.id, *span)).collect();
    cx.tx.move_occurrences(&before, &changes, actor.audit()).await?;
    let (meeting, occurrence) = load(cx.tx, actor.lang, id, old.id).await?;
    for (o, _) in &moves {
        if let Some(moved) = cx.tx.occurrence(o.id).await? {
            set_reminders(cx.kit, cx.tx, &meeting, &moved, actor.at).await?;
        }
    }
    let also = moves.len() - 1;
    let mut effects = vec![Effect::reply(text::moved(actor.lang, &meeting, &occurrence, also, actor.tz))];
    effects.extend(refresh(cx.tx, &meeting, &occurrence, Invitations::Everyones).await?);
    // Each invitation (edited above) asks again; a message says so, with the update for
    // the calendar.
    let ics = ical::calendar(&meeting, &cx.tx.occurrences(meeting.id).await?);
    for (_, attendee) in cx.tx.attendees(occurrence.id).await? {
        if attendee.person.id == actor.person.id {
            continue;
        }
        let (m, was, now, by) = (meeting.clone(), old.clone(), occurrence.clone(), actor.person.display_name.clone());
        effects.push(told(attendee.person.id, vec![ics.clone()], move |r| {
            text::moved_for_attendee(r.lang, &m, &by, (&was, &now), also, r.tz)
        }));
    }
    Ok(effects)
}

/// `/meeting skip <id> <date> [reason] [later:yes]`: one time of a series is off (with
/// `later:yes`, every time from then on: the series ends there); everyone invited is
/// told, with the calendar's update.
pub async fn skip(
    cx: &mut Cx<'_>,
    id: MeetingId,
    on: DateTime<Utc>,
    (reason, later): (Option<&str>, bool),
) -> ServiceResult {
    let actor = cx.actor;
    let reason = reason.map(|r| REASON.check(cx.actor.lang, r)).transpose()?.unwrap_or_default();
    let (meeting, occurrence) = changeable(cx, id, Some(on)).await?;
    if meeting.rule.is_none() {
        return refuse(text::skip_needs_series(actor.lang, &meeting));
    }
    let off: Vec<Occurrence> = if later {
        let all = cx.tx.occurrences(id).await?;
        all.into_iter().filter(|o| o.status.is_on() && o.starts_at >= occurrence.starts_at).collect()
    } else {
        vec![occurrence.clone()]
    };
    let ids: Vec<OccurrenceId> = off.iter().map(|o| o.id).collect();
    let detail = format!("{} ({} times) {reason}", occurrence.starts_at.format("%Y-%m-%d %H:%M UTC"), off.len());
    if !cx.tx.skip_occurrences(meeting.id, &ids, detail.trim(), actor.audit()).await? {
        return refuse(text::is_cancelled(actor.lang, &meeting));
    }
    for o in &off {
        for minutes in &meeting.reminders {
            cx.kit.timers.cancel_timer(cx.tx, &reminder_key(o, *minutes)).await?;
        }
    }
    let Some(meeting) = cx.tx.meeting(id).await? else { return refuse(text::not_found(actor.lang, id)) };
    let ics = ical::calendar(&meeting, &cx.tx.occurrences(id).await?);
    let also = off.len() - 1;
    let mut effects = vec![Effect::reply(text::skipped(actor.lang, &meeting, &occurrence, also, actor.tz))];
    for (_, attendee) in cx.tx.attendees(occurrence.id).await? {
        if attendee.person.id == actor.person.id {
            continue;
        }
        let (m, o) = (meeting.clone(), occurrence.clone());
        let (why, by) = (reason.to_owned(), actor.person.display_name.clone());
        effects.push(told(attendee.person.id, vec![ics.clone()], move |r| {
            text::skipped_for_attendee(r.lang, &m, (&o, also), r.tz, &by, &why)
        }));
    }
    Ok(effects)
}

/// `/meeting invite <id> @people #Dept`: the new ones get an invitation.
pub async fn invite(desk: &Meetings, cx: &mut Cx<'_>, id: MeetingId, who: &str) -> ServiceResult {
    let actor = cx.actor;
    let (meeting, occurrence) = changeable(cx, id, None).await?;
    let named: Vec<PersonId> = attendees(cx, who).await?.into_iter().filter(|p| *p != actor.person.id).collect();
    let before = cx.tx.attendees(occurrence.id).await?;
    let fresh = named.iter().filter(|p| !before.iter().any(|(_, a)| a.person.id == **p)).count();
    if before.len() + fresh > MAX_ATTENDEES {
        return refuse(text::too_many_attendees(actor.lang, before.len() + fresh, MAX_ATTENDEES));
    }
    if let Some(room) = &meeting.room {
        room_for(desk, actor.lang, room, before.len() + fresh)?;
    }
    let added = cx.tx.invite(meeting.id, &named, actor.at, actor.audit()).await?;
    let attendees = cx.tx.attendees(occurrence.id).await?;
    let names: Vec<&str> =
        attendees.iter().filter(|(_, a)| added.contains(&a.person.id)).map(|(_, a)| a.person.name.as_str()).collect();
    let mut effects = vec![Effect::reply(text::invited(actor.lang, &meeting, &names))];
    if added.is_empty() {
        return Ok(effects);
    }
    effects.extend(refresh(cx.tx, &meeting, &occurrence, Invitations::Nobodys).await?);
    let ics = ical::calendar(&meeting, &cx.tx.occurrences(meeting.id).await?);
    for (row, attendee) in attendees.iter().filter(|(_, a)| added.contains(&a.person.id)) {
        effects.push(Effect::Direct {
            person: attendee.person.id,
            body: invitation(&meeting, &occurrence, attendee, vec![ics.clone()]),
            subject: Some(invitation_subject(*row)),
        });
    }
    Ok(effects)
}

/// `/meeting remove <id> @person`: their invitation goes, and they are told.
pub async fn remove(cx: &mut Cx<'_>, id: MeetingId, handle: &str) -> ServiceResult {
    let actor = cx.actor;
    let (meeting, occurrence) = changeable(cx, id, None).await?;
    let handle = handle.trim().trim_start_matches('@');
    let person = cx.kit.people.resolve(actor, handle).await?;
    if person.id == meeting.organizer.id {
        return refuse(text::cannot_remove_organizer(actor.lang, &meeting));
    }
    let Some(rows) = cx.tx.uninvite(meeting.id, person.id, actor.audit()).await? else {
        return refuse(text::was_not_invited(actor.lang, &meeting, &person.display_name));
    };
    let mut effects = vec![Effect::reply(text::removed(actor.lang, &meeting, &person.display_name))];
    let (m, by) = (meeting.clone(), actor.person.display_name.clone());
    let gone = Shown::text_per_reader(move |r| text::removed_for_attendee(r.lang, &m, &by));
    for row in rows {
        effects.push(Effect::UpdateNotices { subject: invitation_subject(row), body: gone.clone() });
    }
    effects.push(Effect::Direct { person: person.id, body: gone, subject: None });
    effects.extend(refresh(cx.tx, &meeting, &occurrence, Invitations::Nobodys).await?);
    Ok(effects)
}

/// Those who may add minutes and actions: its attendees, and admins.
async fn taking_part(cx: &mut Cx<'_>, id: MeetingId) -> ServiceResult<(Meeting, Vec<(i64, Attendee)>)> {
    let (meeting, occurrence) = current(cx.tx, (id, cx.actor.lang), cx.actor.at, None).await?;
    let attendees = visible(cx.tx, cx.actor, &occurrence).await?;
    Ok((meeting, attendees))
}

/// `/meeting minutes <id> [text]` (and a file): kept, and sent to everyone invited.
pub async fn minutes(
    cx: &mut Cx<'_>,
    id: MeetingId,
    typed: Option<&str>,
    files: &[deskmate_port::Attachment],
) -> ServiceResult {
    let actor = cx.actor;
    let (meeting, attendees) = taking_part(cx, id).await?;
    let typed = typed.map(|t| MINUTES.check(cx.actor.lang, t)).transpose()?.unwrap_or_default();
    let file = match files {
        [] if typed.is_empty() => return refuse(text::minutes_empty(actor.lang, &meeting)),
        [] => None,
        [file] => Some(file.clone()),
        _ => return refuse(text::one_minutes_file(actor.lang)),
    };
    let kept = match &file {
        Some(f) => Some(cx.tx.keep_file(actor.person.id, f, actor.at).await?),
        None => None,
    };
    let shown = match (&file, typed.is_empty()) {
        (Some(f), true) => format!("📎 {}", f.name),
        _ => typed.to_owned(),
    };
    cx.tx.keep_minutes(meeting.id, &shown, kept, actor.audit()).await?;
    let to: Vec<&Attendee> = attendees.iter().map(|(_, a)| a).filter(|a| a.person.id != actor.person.id).collect();
    let mut effects = vec![Effect::reply(text::minutes_kept(actor.lang, &meeting, to.len()))];
    for attendee in to {
        let (m, by, minutes) = (meeting.clone(), actor.person.display_name.clone(), shown.clone());
        effects.push(told(attendee.person.id, file.iter().cloned().collect(), move |r| {
            text::minutes_for_attendee(r.lang, &m, &by, &minutes)
        }));
    }
    Ok(effects)
}

/// `/meeting action <id> @owner <due> <text> [ticket:yes]`: the owner is told and
/// reminded a day before (an hour, when it is due within two days); or a ticket is
/// opened instead, through the tickets feature.
pub async fn action(
    cx: &mut Cx<'_>,
    id: MeetingId,
    (owner, due, typed): (&str, DateTime<Utc>, &str),
    ticket: bool,
) -> ServiceResult {
    let actor = cx.actor;
    let (meeting, _) = taking_part(cx, id).await?;
    let typed = ACTION.check(cx.actor.lang, typed)?;
    if due <= actor.at {
        return refuse(crate::chat::text::time_passed(actor.lang, due, actor.tz));
    }
    let owner = cx.kit.people.resolve(actor, owner.trim_start_matches('@')).await?;
    if ticket {
        let title = text::action_ticket_title(actor.lang, &meeting, &owner.display_name, typed, due, actor.tz);
        return crate::features::tickets::open_ticket(cx, &title, crate::features::tickets::Priority::Normal).await;
    }
    let action = cx.tx.add_action(meeting.id, owner.id, due, typed, actor.audit()).await?;
    let lead =
        if due - actor.at > chrono::Duration::days(2) { chrono::Duration::days(1) } else { chrono::Duration::hours(1) };
    if due - lead > actor.at {
        let key = TimerKey::new(NAME, ACTION_DUE, action);
        cx.kit.timers.set_timer(cx.tx, &key, due - lead, &ActionDue { action }).await?;
    }
    // The owner's clock, or the giver's when they have none of their own.
    let tz = owner.tz.unwrap_or(actor.tz);
    let (m, by, what) = (meeting.clone(), actor.person.display_name.clone(), typed.to_owned());
    let body = Shown::text_per_reader(move |r| text::action_for_owner(r.lang, &m, &by, &what, due, tz));
    Ok(vec![
        Effect::reply(text::action_given(actor.lang, &meeting, &owner.display_name, typed, due, actor.tz)),
        Effect::Direct { person: owner.id, body, subject: None },
    ])
}

/// What an action item's reminder carries.
#[derive(Debug, Serialize, Deserialize)]
pub struct ActionDue {
    action: i64,
}

/// An action item's reminder, to its owner in their language and on their clock.
pub async fn action_due(tx: &mut Tx, fired: &Fired) -> ServiceResult {
    let due: ActionDue = fired.payload()?;
    let Some(action) = tx.action(due.action).await? else { return Ok(Vec::new()) };
    let Some(meeting) = tx.meeting(action.meeting).await? else { return Ok(Vec::new()) };
    let (due, late, owner) = (fired.due, fired.late, action.owner.id);
    let body = Shown::text_per_reader(move |r| {
        crate::chat::text::with_late(r.lang, &text::action_reminder(r.lang, &meeting, &action, r.tz), due, late)
    });
    Ok(vec![Effect::Direct { person: owner, body, subject: None }])
}

/// The longest schedule entry.
const ENTRY_MAX_DAYS: i64 = 31;
static ENTRY_NOTE: TextLimit = TextLimit { what: "limit-note", catalog: &text::CATALOG, max: 200 };

/// `/schedule add <when> [note] [for:2h] [kind:away]`.
pub async fn add_entry(
    cx: &mut Cx<'_>,
    at: DateTime<Utc>,
    length: Option<chrono::Duration>,
    kind: super::model::EntryKind,
    note: &str,
) -> ServiceResult {
    let actor = cx.actor;
    let note = ENTRY_NOTE.check(cx.actor.lang, note)?;
    let length = length.unwrap_or(chrono::Duration::hours(1));
    if length > chrono::Duration::days(ENTRY_MAX_DAYS) {
        return refuse(text::entry_too_long(actor.lang, ENTRY_MAX_DAYS));
    }
    if at + length <= actor.at {
        return refuse(crate::chat::text::time_passed(actor.lang, at + length, actor.tz));
    }
    let id = cx.tx.add_entry(actor.person.id, kind, note, (at, at + length), actor.at).await?;
    let entry = super::model::Entry { id, kind, note: note.to_owned(), starts_at: at, ends_at: at + length };
    Ok(vec![Effect::reply(text::entry_added(actor.lang, &entry, actor.tz))])
}

pub async fn entries(cx: &mut Cx<'_>) -> ServiceResult {
    let actor = cx.actor;
    let entries = cx.tx.entries(actor.person.id, actor.at, LIST * 2).await?;
    Ok(vec![Effect::reply(text::entries(actor.lang, &entries, actor.tz))])
}

pub async fn remove_entry(cx: &mut Cx<'_>, id: i64) -> ServiceResult {
    let lang = cx.actor.lang;
    if !cx.tx.remove_entry(cx.actor.person.id, id).await? {
        return refuse(text::no_entry(lang, id));
    }
    Ok(vec![Effect::reply(text::entry_removed(lang, id))])
}

/// `/agenda [today|tomorrow|week]`: every feature's part, what happens in time order,
/// then what waits.
pub async fn agenda(cx: &mut Cx<'_>, when: &str) -> ServiceResult {
    let actor = cx.actor;
    let today = actor.at.with_timezone(&actor.tz).date_naive();
    let (first, days) = match when {
        "tomorrow" => (today.succ_opt().unwrap_or(today), 1),
        "week" => (today, 7),
        _ => (today, 1),
    };
    let (from, to) = (day_start(actor.tz, first), day_start(actor.tz, first + chrono::Duration::days(days)));
    let (timed, waiting) = gather(cx.tx, cx.kit, &actor.person, (from, to), actor.tz).await?;
    Ok(vec![Effect::reply(text::agenda(actor.lang, when, first, actor.tz, &timed, &waiting))])
}

/// What every feature has on someone's plate within `span`: what happens then, in time
/// order, and what waits for them.
pub(super) async fn gather(
    tx: &mut Tx,
    kit: &Kit,
    person: &crate::kernel::Person,
    span: Span,
    tz: Tz,
) -> ServiceResult<(Vec<AgendaItem>, Vec<AgendaItem>)> {
    let items = kit.features.agenda(tx, kit, person, span, tz).await?;
    let (mut timed, waiting): (Vec<AgendaItem>, Vec<AgendaItem>) = items.into_iter().partition(|i| i.at.is_some());
    timed.sort_by_key(|i| i.at);
    Ok((timed, waiting))
}

/// Where a day begins in a zone: midnight, or the first hour that exists where a clock
/// change skips midnight.
pub(super) fn day_start(tz: Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    (0..3)
        .find_map(|hour| tz.from_local_datetime(&day.and_hms_opt(hour, 0, 0)?).earliest())
        .map_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc(), |t| t.to_utc())
}

/// A person's meetings (not declined) and schedule entries within `span`, as they read
/// them.
pub async fn plate(
    tx: &mut Tx,
    lang: Lang,
    person: PersonId,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    tz: Tz,
) -> ServiceResult<Vec<AgendaItem>> {
    let mut items = Vec::new();
    for (meeting, occurrence, rsvp) in tx.upcoming_meetings(person, (from, Some(to)), AGENDA_MAX).await? {
        if occurrence.starts_at >= to || rsvp == Rsvp::Declined {
            continue;
        }
        items.push(AgendaItem {
            at: Some(occurrence.starts_at),
            line: text::agenda_meeting(lang, &meeting, &occurrence, rsvp, tz),
        });
    }
    for entry in tx.entries(person, from, AGENDA_MAX).await? {
        if entry.starts_at >= to {
            continue;
        }
        items.push(AgendaItem { at: Some(entry.starts_at), line: text::agenda_entry(lang, &entry, tz) });
    }
    Ok(items)
}

/// `/room list`.
pub fn rooms(desk: &Meetings, lang: Lang) -> ServiceResult {
    Ok(vec![Effect::reply(text::rooms(lang, &desk.settings.rooms))])
}

/// `/room free <when> [for:…]`: the rooms nobody has booked then.
pub async fn free_rooms(
    desk: &Meetings,
    cx: &mut Cx<'_>,
    at: DateTime<Utc>,
    length: Option<chrono::Duration>,
) -> ServiceResult {
    let lang = cx.actor.lang;
    let length = length.unwrap_or(desk.settings.default_duration);
    if length > desk.settings.max_duration {
        return refuse(text::too_long(lang, desk.settings.max_duration));
    }
    let mut free = Vec::new();
    for room in &desk.settings.rooms {
        if cx.tx.room_bookings(&room.name, &[(at, at + length)], None).await?.is_empty() {
            free.push(room.clone());
        }
    }
    Ok(vec![Effect::reply(text::free_rooms(lang, &free, at, at + length, cx.actor.tz))])
}

/// A reminder came due: to everyone who has not declined, in their language and zone.
pub async fn remind(tx: &mut Tx, fired: &Fired) -> ServiceResult {
    let reminder: Reminder = fired.payload()?;
    let Some(occurrence) = tx.occurrence(OccurrenceId(reminder.occurrence)).await? else { return Ok(Vec::new()) };
    let Some(meeting) = tx.meeting(occurrence.meeting).await? else { return Ok(Vec::new()) };
    if !meeting.status.is_on()
        || !occurrence.status.is_on()
        || occurrence.starts_at.timestamp_millis() != reminder.starts_at
    {
        return Ok(Vec::new());
    }
    let mut effects = Vec::new();
    for (_, attendee) in tx.attendees(occurrence.id).await? {
        if attendee.rsvp == Rsvp::Declined {
            continue;
        }
        let (m, o, minutes) = (meeting.clone(), occurrence.clone(), reminder.minutes);
        let (due, late) = (fired.due, fired.late);
        let body = Shown::per_reader(move |r| Body {
            text: crate::chat::text::with_late(r.lang, &text::reminder(r.lang, &m, &o, r.tz, minutes), due, late),
            // In a series, each time is answered on its own: its reminder asks.
            buttons: if m.rule.is_some() { answer_buttons(r.lang, o.id, false) } else { Vec::new() },
            ..Body::default()
        });
        effects.push(Effect::Direct { person: attendee.person.id, body, subject: None });
    }
    Ok(effects)
}

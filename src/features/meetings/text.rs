//! What the meetings feature says.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::config::RoomConfig;
use super::hours::WorkHours;
use super::model::{Action, Attendee, Conflict, Entry, Meeting, MeetingId, Minutes, Occurrence, Rsvp};
use super::recurrence::{self, RepeatError};
use super::store::Span;
use crate::chat::text::local_time;

/// The most clashes listed; the rest are counted.
const CLASHES_SHOWN: usize = 10;

/// `2026-12-01 10:00–10:30 (Europe/Berlin)`.
pub fn when(occurrence: &Occurrence, tz: Tz) -> String {
    let (start, end) = (occurrence.starts_at.with_timezone(&tz), occurrence.ends_at.with_timezone(&tz));
    let end = if start.date_naive() == end.date_naive() {
        end.format("%H:%M").to_string()
    } else {
        end.format("%Y-%m-%d %H:%M").to_string()
    };
    format!("{}–{end} ({})", start.format("%Y-%m-%d %H:%M"), tz.name())
}

fn name(meeting: &Meeting) -> String {
    format!("{} (#{})", meeting.title, meeting.id)
}

fn details(meeting: &Meeting) -> String {
    let mut out = String::new();
    if let Some(rule) = &meeting.rule {
        out.push_str(&format!("\nRepeats: {}", recurrence::describe(rule)));
    }
    if let Some(room) = &meeting.room {
        out.push_str(&format!("\nRoom: {room}"));
    }
    if let Some(link) = &meeting.link {
        out.push_str(&format!("\nJoin: {link}"));
    }
    if let Some(agenda) = &meeting.agenda {
        out.push_str(&format!("\nAgenda: {agenda}"));
    }
    out
}

/// The button that gives an answer to an invitation.
pub fn answer_button(rsvp: Rsvp) -> String {
    match rsvp {
        Rsvp::Accepted => "Accept",
        Rsvp::Tentative => "Tentative",
        Rsvp::Declined => "Decline",
        Rsvp::Pending => "Not answered",
    }
    .to_owned()
}

/// The button that goes ahead despite the clashes shown.
pub fn anyway(moving: bool) -> String {
    if moving { "Move anyway" } else { "Schedule anyway" }.to_owned()
}

fn answer_word(rsvp: Rsvp) -> &'static str {
    match rsvp {
        Rsvp::Pending => "not answered",
        Rsvp::Accepted => "accepted",
        Rsvp::Tentative => "tentative",
        Rsvp::Declined => "declined",
    }
}

/// `Accepted: bob, carol · Tentative: dan · Declined: erin (on leave) · Not answered: frank`
fn answers(attendees: &[Attendee]) -> String {
    let mut parts = Vec::new();
    for (rsvp, label) in [
        (Rsvp::Accepted, "Accepted"),
        (Rsvp::Tentative, "Tentative"),
        (Rsvp::Declined, "Declined"),
        (Rsvp::Pending, "Not answered"),
    ] {
        let names: Vec<String> = attendees
            .iter()
            .filter(|a| a.rsvp == rsvp)
            .map(|a| match &a.note {
                Some(note) => format!("{} ({note})", a.person.name),
                None => a.person.name.clone(),
            })
            .collect();
        if !names.is_empty() {
            parts.push(format!("{label} ({}): {}", names.len(), names.join(", ")));
        }
    }
    parts.join("\n")
}

/// What `/meeting schedule` answers; for a series, its times (`series`) and whether its
/// rule went on past the year planned.
pub fn scheduled(
    meeting: &Meeting,
    occurrence: &Occurrence,
    attendees: &[Attendee],
    series: Option<(&[Occurrence], bool)>,
    tz: Tz,
) -> String {
    let names: Vec<&str> = attendees.iter().map(|a| a.person.name.as_str()).collect();
    let reminders = if meeting.reminders.is_empty() {
        "no reminders".to_owned()
    } else {
        format!("reminders {} before", offsets(&meeting.reminders))
    };
    let times = match series {
        Some((all, capped)) => {
            let last = all.last().map_or_else(String::new, |o| local_time(o.starts_at, tz));
            let capped = if capped {
                format!(
                    " A series is planned at most {} days ahead: schedule it again then to go on.",
                    recurrence::HORIZON_DAYS
                )
            } else {
                String::new()
            };
            format!("\n{} times, the first {}, the last {last}.{capped}", all.len(), when(occurrence, tz))
        }
        None => String::new(),
    };
    format!(
        "Meeting {} is scheduled for {}.{times}\nWith: {}{}\nInvitations are sent; {reminders}. /meeting cancel {} calls it off.",
        name(meeting),
        when(occurrence, tz),
        names.join(", "),
        details(meeting),
        meeting.id
    )
}

/// `Standup at 2026-12-01 09:00`, and for a series `(and 11 later times)`.
pub fn what_clashes(title: &str, spans: &[Span], tz: Tz) -> String {
    let first = spans.first().map_or_else(String::new, |(start, _)| local_time(*start, tz));
    match spans.len() {
        0 | 1 => format!("{title} at {first}"),
        n => format!("{title} at {first} (and {} later times)", n - 1),
    }
}

pub fn end_without_repeat() -> String {
    "until: and times: end a series; add repeat:, e.g. repeat:weekly until:2027-03-31. Nothing was scheduled."
        .to_owned()
}

pub fn bad_repeat(typed: &str, problem: &RepeatError) -> String {
    let why = match problem {
        RepeatError::Unreadable(why) => why.clone(),
        RepeatError::TooOften => "a meeting repeats at most daily".to_owned(),
        RepeatError::NoTimes => "it gives no time from the first one on (is until: before the start?)".to_owned(),
    };
    format!(
        "repeat:{typed}: {why}. Write daily, weekdays, weekly, weekly:mon,thu, biweekly, monthly, \
         monthly:second-tue or an RRULE such as FREQ=WEEKLY;BYDAY=MO. Nothing was scheduled."
    )
}

pub fn series_overlaps(length: chrono::Duration) -> String {
    format!(
        "Its times would overlap each other: each lasts {}, longer than the time between two. Nothing was changed.",
        offsets(&[length.num_minutes()])
    )
}

pub fn series_over(meeting: &Meeting) -> String {
    format!("{} has no time to come that you are invited to. Nothing was changed.", name(meeting))
}

pub fn no_time_on(meeting: &Meeting, day: chrono::NaiveDate) -> String {
    format!(
        "{} does not take place on {day}; /meeting show {} lists its times. Nothing was changed.",
        name(meeting),
        meeting.id
    )
}

pub fn skip_needs_series(meeting: &Meeting) -> String {
    format!(
        "{} happens once: /meeting cancel {} calls it off, /meeting move {} moves it. Nothing was changed.",
        name(meeting),
        meeting.id,
        meeting.id
    )
}

/// `; the other times stay`, or that the series ends there.
fn what_stays(also: usize) -> String {
    match also {
        0 => "; the other times stay".to_owned(),
        1 => " and the time after it: the series ends there".to_owned(),
        n => format!(" and the {n} times after it: the series ends there"),
    }
}

pub fn skipped(meeting: &Meeting, occurrence: &Occurrence, also: usize, tz: Tz) -> String {
    format!("{} on {} is off{}. Everyone invited is told.", name(meeting), when(occurrence, tz), what_stays(also))
}

pub fn skipped_for_attendee(
    meeting: &Meeting,
    (occurrence, also): (&Occurrence, usize),
    tz: Tz,
    by: &str,
    reason: &str,
) -> String {
    let reason = if reason.is_empty() { String::new() } else { format!(" Reason: {reason}") };
    format!("❌ {by} called off {} on {}{}.{reason}", name(meeting), when(occurrence, tz), what_stays(also))
}

/// `1d, 15m`.
pub fn offsets(minutes: &[i64]) -> String {
    minutes
        .iter()
        .map(|m| match m {
            m if m % 1440 == 0 => format!("{}d", m / 1440),
            m if m % 60 == 0 => format!("{}h", m / 60),
            m => format!("{m}m"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The channel's notice, kept current as people answer.
pub fn notice(meeting: &Meeting, occurrence: &Occurrence, attendees: &[Attendee]) -> String {
    format!(
        "📅 {} — {}\nOrganised by {}{}\n{}",
        name(meeting),
        when(occurrence, meeting.tz),
        meeting.organizer.name,
        details(meeting),
        answers(attendees)
    )
}

/// One attendee's invitation, in their zone, with their answer so far.
pub fn invitation(meeting: &Meeting, occurrence: &Occurrence, tz: Tz, mine: Rsvp) -> String {
    let answered = match mine {
        Rsvp::Pending => "Will you come?".to_owned(),
        answer => format!("You answered: {}. You can change your answer below.", answer_word(answer)),
    };
    format!(
        "📅 {} invites you to {} on {}.{}{}\n{answered}",
        meeting.organizer.name,
        name(meeting),
        when(occurrence, tz),
        details(meeting),
        if meeting.rule.is_some() {
            "\nYour answer counts for every time; each reminder lets you answer for its time alone."
        } else {
            ""
        }
    )
}

pub fn cancelled_notice(meeting: &Meeting, occurrence: &Occurrence, tz: Tz, reason: &str) -> String {
    let reason = if reason.is_empty() { String::new() } else { format!("\nReason: {reason}") };
    format!("❌ Cancelled: {} — {}{reason}", name(meeting), when(occurrence, tz))
}

pub fn cancelled_for_attendee(meeting: &Meeting, occurrence: &Occurrence, tz: Tz, by: &str, reason: &str) -> String {
    let reason = if reason.is_empty() { String::new() } else { format!(" Reason: {reason}") };
    format!("❌ {by} cancelled {} on {}.{reason}", name(meeting), when(occurrence, tz))
}

pub fn cancelled(meeting: &Meeting) -> String {
    format!("Meeting {} is cancelled; everyone invited is told.", name(meeting))
}

/// An answer taken; `lone`: for one time of a series only.
pub fn answered(meeting: &Meeting, answer: Rsvp, lone: Option<(&Occurrence, Tz)>) -> String {
    match (lone, &meeting.rule) {
        (Some((occurrence, tz)), _) => {
            format!("You {} {} on {} (that time only).", answer_word(answer), name(meeting), when(occurrence, tz))
        }
        (None, Some(_)) => format!("You {} {}, every time to come.", answer_word(answer), name(meeting)),
        (None, None) => format!("You {} {}.", answer_word(answer), name(meeting)),
    }
}

pub fn ask_decline_note(meeting: &Meeting) -> String {
    format!(
        "You declined {}. A note for {}? (optional: why, or who comes instead)",
        name(meeting),
        meeting.organizer.name
    )
}

pub fn declined_for_organizer(meeting: &Meeting, who: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{who} declined {}: {note}", name(meeting)),
        None => format!("{who} declined {}.", name(meeting)),
    }
}

pub fn note_kept() -> String {
    "Your note is passed on.".to_owned()
}

pub fn no_longer_declined() -> String {
    "You no longer decline that meeting, so the note is not kept. Nothing was changed.".to_owned()
}

pub fn reminder(meeting: &Meeting, occurrence: &Occurrence, tz: Tz, minutes: i64) -> String {
    format!("⏰ {} starts in {}: {}.{}", name(meeting), offsets(&[minutes]), when(occurrence, tz), details(meeting))
}

pub fn conflicts(conflicts: &[Conflict], tz: Tz, draft_for: &str) -> String {
    let mut lines: Vec<String> = conflicts
        .iter()
        .take(CLASHES_SHOWN)
        .map(|c| format!("  {}: {} {}–{}", c.person, c.what, local_time(c.starts_at, tz), end(c.ends_at, tz)))
        .collect();
    if conflicts.len() > CLASHES_SHOWN {
        lines.push(format!("  … and {} more", conflicts.len() - CLASHES_SHOWN));
    }
    format!(
        "{draft_for} clashes with:\n{}\nSchedule it anyway with the button, or pick another time.",
        lines.join("\n")
    )
}

fn end(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

pub fn show(
    meeting: &Meeting,
    (occurrence, all): (&Occurrence, &[Occurrence]),
    attendees: &[Attendee],
    (minutes, actions): (Option<&Minutes>, &[Action]),
    tz: Tz,
) -> String {
    let status = if meeting.status.is_on() { String::new() } else { " — cancelled".to_owned() };
    let mut out = format!(
        "{}{status}\n{}\nOrganised by {}{}{}\n{}",
        name(meeting),
        when(occurrence, tz),
        meeting.organizer.name,
        details(meeting),
        series(meeting, occurrence, all, tz),
        answers(attendees)
    );
    if let Some(minutes) = minutes {
        out.push_str(&format!("\nMinutes (by {}): {}", minutes.author, minutes.text));
    }
    if !actions.is_empty() {
        out.push_str("\nActions:");
        for a in actions {
            out.push_str(&format!("\n  {}: {} (due {})", a.owner.name, a.text, local_time(a.due_at, tz)));
        }
    }
    out
}

/// A series' times after the one shown, and those called off.
fn series(meeting: &Meeting, shown: &Occurrence, all: &[Occurrence], tz: Tz) -> String {
    if meeting.rule.is_none() {
        return String::new();
    }
    let later: Vec<&Occurrence> = all.iter().filter(|o| o.status.is_on() && o.starts_at > shown.starts_at).collect();
    let mut out = match (later.len(), later.last()) {
        (1, Some(last)) => format!("\nThen once more, {}", local_time(last.starts_at, tz)),
        (n, Some(last)) => format!("\nThen {n} more times, the last {}", local_time(last.starts_at, tz)),
        _ => "\nThe last time of the series".to_owned(),
    };
    let off: Vec<String> = all
        .iter()
        .filter(|o| !o.status.is_on() && meeting.status.is_on())
        .map(|o| o.starts_at.with_timezone(&tz).format("%Y-%m-%d").to_string())
        .collect();
    if !off.is_empty() {
        out.push_str(&format!("\nCalled off: {}", off.join(", ")));
    }
    out
}

pub fn list(items: &[(Meeting, Occurrence, Rsvp)], tz: Tz) -> String {
    if items.is_empty() {
        return "No meetings to come. /meeting schedule sets one up.".to_owned();
    }
    let lines: Vec<String> = items
        .iter()
        .map(|(m, o, r)| format!("  #{} {} — {} ({})", m.id, m.title, when(o, tz), answer_word(*r)))
        .collect();
    format!("Your meetings to come:\n{}", lines.join("\n"))
}

pub fn not_found(id: MeetingId) -> String {
    format!("There is no meeting #{id}. /meeting list shows yours.")
}

pub fn not_yours_to_see(id: MeetingId) -> String {
    format!("#{id} is not yours to see: only its organiser, the people invited and admins can.")
}

pub fn not_yours_to_change(meeting: &Meeting) -> String {
    format!(
        "Only {} (its organiser) or an admin can change {}. Nothing was changed.",
        meeting.organizer.name,
        name(meeting)
    )
}

pub fn is_cancelled(meeting: &Meeting) -> String {
    format!("{} is cancelled. Nothing was changed.", name(meeting))
}

pub fn is_over(meeting: &Meeting) -> String {
    format!("{} is over. Nothing was changed.", name(meeting))
}

pub fn not_invited(meeting: &Meeting) -> String {
    format!(
        "You are not invited to {}; ask {} to invite you. Nothing was changed.",
        name(meeting),
        meeting.organizer.name
    )
}

pub fn too_long(max: chrono::Duration) -> String {
    format!("A meeting may last at most {}. Nothing was scheduled.", offsets(&[max.num_minutes()]))
}

pub fn not_a_link(typed: &str) -> String {
    format!("link: `{typed}` is not a link (https://…). Nothing was scheduled.")
}

pub fn unknown_channel(name: &str, known: &[&str]) -> String {
    if known.is_empty() {
        return format!(
            "There is no channel group `{name}`: none is configured ([channels] groups). Nothing was scheduled."
        );
    }
    format!("There is no channel group `{name}`; the groups are: {}. Nothing was scheduled.", known.join(", "))
}

pub fn bad_reminders(problem: &str) -> String {
    format!("remind: {problem}; write e.g. remind:1d,15m or remind:none. Nothing was scheduled.")
}

pub fn not_someone(word: &str) -> String {
    format!(
        "`{word}` is neither a @person nor a #department; write e.g. with:@bob @carol #Sales. Nothing was scheduled."
    )
}

pub fn unknown_department(name: &str) -> String {
    format!("There is no department `{name}` (/dept list shows them). Nothing was scheduled.")
}

pub fn too_many_attendees(count: usize, max: usize) -> String {
    format!("That is {count} people; a meeting takes at most {max}. Nothing was scheduled.")
}

pub fn draft_gone() -> String {
    "That meeting was scheduled or dropped already; schedule it again with /meeting schedule.".to_owned()
}

pub fn not_your_draft() -> String {
    "Only the person who scheduled it can confirm it. Nothing was changed.".to_owned()
}

fn and_later(also: usize) -> String {
    match also {
        0 => String::new(),
        1 => " (and the time after it, by as much)".to_owned(),
        n => format!(" (and the {n} times after it, by as much)"),
    }
}

pub fn moved(meeting: &Meeting, occurrence: &Occurrence, also: usize, tz: Tz) -> String {
    format!(
        "Meeting {} is moved to {}{}; everyone invited is asked again.",
        name(meeting),
        when(occurrence, tz),
        and_later(also)
    )
}

pub fn moved_for_attendee(
    meeting: &Meeting,
    by: &str,
    (was, now): (&Occurrence, &Occurrence),
    also: usize,
    tz: Tz,
) -> String {
    format!(
        "🔁 {by} moved {} from {} to {}{}. Your invitation is updated: please answer it again.",
        name(meeting),
        when(was, tz),
        when(now, tz),
        and_later(also)
    )
}

pub fn invited(meeting: &Meeting, names: &[&str]) -> String {
    if names.is_empty() {
        return format!("Everyone named is already invited to {}. Nothing was changed.", name(meeting));
    }
    format!("Invited to {}: {}. Each gets an invitation.", name(meeting), names.join(", "))
}

pub fn cannot_remove_organizer(meeting: &Meeting) -> String {
    format!("{} organises {}; cancel it instead. Nothing was changed.", meeting.organizer.name, name(meeting))
}

pub fn was_not_invited(meeting: &Meeting, who: &str) -> String {
    format!("{who} is not invited to {}. Nothing was changed.", name(meeting))
}

pub fn removed(meeting: &Meeting, who: &str) -> String {
    format!("{who} is no longer invited to {}; they are told.", name(meeting))
}

pub fn removed_for_attendee(meeting: &Meeting, by: &str) -> String {
    format!("{by} took you off {}: you are no longer invited.", name(meeting))
}

fn room_line(room: &RoomConfig) -> String {
    let at = if room.location.is_empty() { String::new() } else { format!(", {}", room.location) };
    format!("  {} (holds {}{at})", room.name, room.capacity)
}

pub fn rooms(rooms: &[RoomConfig]) -> String {
    if rooms.is_empty() {
        return "No rooms are configured ([[meetings.rooms]]).".to_owned();
    }
    format!("Rooms:\n{}", rooms.iter().map(room_line).collect::<Vec<_>>().join("\n"))
}

pub fn free_rooms(free: &[RoomConfig], from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> String {
    let span = format!("{}–{} ({})", local_time(from, tz), end(to, tz), tz.name());
    if free.is_empty() {
        return format!("No room is free {span}.");
    }
    format!("Free {span}:\n{}", free.iter().map(room_line).collect::<Vec<_>>().join("\n"))
}

pub fn unknown_room(name: &str, rooms: &[RoomConfig]) -> String {
    if rooms.is_empty() {
        return format!("There is no room `{name}`: no rooms are configured. Nothing was scheduled.");
    }
    let names: Vec<&str> = rooms.iter().map(|r| r.name.as_str()).collect();
    format!("There is no room `{name}`; the rooms are: {}. Nothing was scheduled.", names.join(", "))
}

pub fn room_too_small(room: &RoomConfig, people: usize) -> String {
    format!(
        "{} holds {}; this meeting has {people} people. Pick a larger room (/room list). Nothing was changed.",
        room.name, room.capacity
    )
}

pub fn room_taken(room: &str, by: &Conflict, tz: Tz) -> String {
    format!(
        "{room} is booked then: {} by {}, {}–{}. /room free shows the free rooms. Nothing was changed.",
        by.what,
        by.person,
        local_time(by.starts_at, tz),
        end(by.ends_at, tz)
    )
}

pub fn minutes_empty(meeting: &Meeting) -> String {
    format!(
        "The minutes of {} are empty: write them after the number, give a link, or attach a file. Nothing was kept.",
        name(meeting)
    )
}

pub fn one_minutes_file() -> String {
    "Minutes take one file; send the others separately. Nothing was kept.".to_owned()
}

pub fn minutes_kept(meeting: &Meeting, sent_to: usize) -> String {
    format!("The minutes of {} are kept and sent to {sent_to} people.", name(meeting))
}

pub fn minutes_for_attendee(meeting: &Meeting, by: &str, minutes: &str) -> String {
    format!("📝 Minutes of {} from {by}:\n{minutes}", name(meeting))
}

pub fn action_given(meeting: &Meeting, owner: &str, action: &str, due: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "Action for {owner} from {}: {action} (due {}). They are told, and reminded before.",
        name(meeting),
        local_time(due, tz)
    )
}

pub fn action_for_owner(meeting: &Meeting, by: &str, action: &str, due: DateTime<Utc>, tz: Tz) -> String {
    format!("✅ {by} gave you an action from {}: {action}. Due {} ({}).", name(meeting), local_time(due, tz), tz.name())
}

pub fn action_reminder(meeting: &Meeting, action: &Action, tz: Tz) -> String {
    format!(
        "⏰ Due {} ({}): {} (an action from {}).",
        local_time(action.due_at, tz),
        tz.name(),
        action.text,
        name(meeting)
    )
}

/// The title of a ticket opened for an action item.
pub fn action_ticket_title(meeting: &Meeting, owner: &str, action: &str, due: DateTime<Utc>, tz: Tz) -> String {
    format!("{action} (for {owner}, due {}, from meeting #{})", local_time(due, tz), meeting.id)
}

fn span(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> String {
    let (a, b) = (from.with_timezone(&tz), to.with_timezone(&tz));
    if a.date_naive() == b.date_naive() {
        format!("{}–{}", a.format("%Y-%m-%d %H:%M"), b.format("%H:%M"))
    } else {
        format!("{}–{}", a.format("%Y-%m-%d %H:%M"), b.format("%Y-%m-%d %H:%M"))
    }
}

pub fn entry_added(entry: &Entry, tz: Tz) -> String {
    format!(
        "In your schedule as {} (entry {}): {} ({}). Meetings booked then will show it as a clash.",
        entry.kind,
        entry.id,
        span(entry.starts_at, entry.ends_at, tz),
        tz.name()
    )
}

pub fn entries(entries: &[Entry], tz: Tz) -> String {
    if entries.is_empty() {
        return "Nothing in your schedule to come. /schedule add <when> <what> blocks time.".to_owned();
    }
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let note = if e.note.is_empty() { String::new() } else { format!(": {}", e.note) };
            format!("  {} {} {}{note}", e.id, span(e.starts_at, e.ends_at, tz), e.kind)
        })
        .collect();
    format!("Your schedule ({}):\n{}", tz.name(), lines.join("\n"))
}

pub fn entry_removed(id: i64) -> String {
    format!("Entry {id} is out of your schedule.")
}

pub fn no_entry(id: i64) -> String {
    format!("You have no entry {id} (/schedule list shows yours). Nothing was changed.")
}

pub fn entry_too_long(max_days: i64) -> String {
    format!("An entry lasts at most {max_days} days; add several for longer. Nothing was added.")
}

pub fn agenda_meeting(meeting: &Meeting, occurrence: &Occurrence, rsvp: Rsvp, tz: Tz) -> String {
    let (a, b) = (occurrence.starts_at.with_timezone(&tz), occurrence.ends_at.with_timezone(&tz));
    let room = meeting.room.as_ref().map(|r| format!(", {r}")).unwrap_or_default();
    format!("{}–{} {} ({}{room})", a.format("%a %H:%M"), b.format("%H:%M"), name(meeting), answer_word(rsvp))
}

pub fn agenda_entry(entry: &Entry, tz: Tz) -> String {
    let (a, b) = (entry.starts_at.with_timezone(&tz), entry.ends_at.with_timezone(&tz));
    let note = if entry.note.is_empty() { String::new() } else { format!(": {}", entry.note) };
    let end =
        if a.date_naive() == b.date_naive() { b.format("%H:%M").to_string() } else { b.format("%a %H:%M").to_string() };
    format!("{}–{end} {}{note}", a.format("%a %H:%M"), entry.kind)
}

pub fn agenda(
    when: &str,
    first: chrono::NaiveDate,
    tz: Tz,
    timed: &[crate::chat::feature::AgendaItem],
    waiting: &[crate::chat::feature::AgendaItem],
) -> String {
    let title = match when {
        "week" => format!("Your week from {} ({})", first.format("%a %Y-%m-%d"), tz.name()),
        other => format!("Your agenda {other}, {} ({})", first.format("%a %Y-%m-%d"), tz.name()),
    };
    plate(title, timed, waiting)
}

/// A title, what happens in time order, then what waits.
fn plate(
    title: String,
    timed: &[crate::chat::feature::AgendaItem],
    waiting: &[crate::chat::feature::AgendaItem],
) -> String {
    let mut out = title;
    if timed.is_empty() {
        out.push_str("\n  Nothing on your calendar.");
    }
    for item in timed {
        out.push_str(&format!("\n  {}", item.line));
    }
    if !waiting.is_empty() {
        out.push_str("\nWaiting for you:");
        for item in waiting {
            out.push_str(&format!("\n  {}", item.line));
        }
    }
    out
}

pub fn findtime_needs_length() -> String {
    "Say how long, after who: /meeting findtime @bob @carol 45m [within:week] [title:\"Design sync\"]. \
     Nothing was changed."
        .to_owned()
}

pub fn bad_within(typed: &str, max_days: i64) -> String {
    format!(
        "within:{typed}: write today, tomorrow, week, or a number of days up to {max_days}d (e.g. within:3d). \
         Nothing was changed."
    )
}

/// A time offered, as its button shows it: `Mon 30 Nov 14:30`.
pub fn slot_button(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%a %d %b %H:%M").to_string()
}

/// The times offered, each with everyone's own clock.
pub fn free_times(
    title: &str,
    length: chrono::Duration,
    slots: &[DateTime<Utc>],
    zones: &[(&str, Tz)],
    tz: Tz,
) -> String {
    let lines: Vec<String> = slots
        .iter()
        .map(|at| {
            let clocks: Vec<String> = zones
                .iter()
                .map(|(name, zone)| format!("{name} {}", at.with_timezone(zone).format("%a %H:%M")))
                .collect();
            format!("  {}–{} — {}", local_time(*at, tz), end(*at + length, tz), clocks.join(", "))
        })
        .collect();
    format!(
        "Everyone is free, within their working hours, for {} ({}):\n{}\nPress one to schedule {title} then.",
        offsets(&[length.num_minutes()]),
        tz.name(),
        lines.join("\n")
    )
}

pub fn no_free_time(length: chrono::Duration, (_, to): Span, tz: Tz) -> String {
    format!(
        "Nobody's working hours leave {} free for everyone before {}. Try a shorter meeting, within:14d, or fewer \
         people.",
        offsets(&[length.num_minutes()]),
        local_time(to, tz)
    )
}

pub fn work_hours(mine: Option<&WorkHours>, default: &WorkHours, tz: Tz) -> String {
    match mine {
        Some(hours) => format!(
            "Your working hours: {} ({}). /schedule hours default goes back to the company's ({}).",
            hours.describe(),
            tz.name(),
            default.describe()
        ),
        None => format!(
            "Your working hours are the company's: {} ({}). Set yours with e.g. /schedule hours mon-fri 08:00-16:00.",
            default.describe(),
            tz.name()
        ),
    }
}

pub fn work_hours_set(hours: &WorkHours, tz: Tz) -> String {
    format!("Your working hours are now {} ({}): /meeting findtime looks within them.", hours.describe(), tz.name())
}

pub fn work_hours_reset(default: &WorkHours) -> String {
    format!("Your working hours are the company's again: {}.", default.describe())
}

pub fn bad_work_hours(typed: &str, problem: &str) -> String {
    format!(
        "`{typed}`: {problem}. Write e.g. /schedule hours mon-fri 09:00-17:30, or /schedule hours default. \
         Nothing was changed."
    )
}

/// The morning digest.
pub fn digest(
    today: chrono::NaiveDate,
    tz: Tz,
    timed: &[crate::chat::feature::AgendaItem],
    waiting: &[crate::chat::feature::AgendaItem],
) -> String {
    let title = format!("☀️ Your day, {} ({})", today.format("%a %Y-%m-%d"), tz.name());
    format!("{}\n(/schedule digest off stops these.)", plate(title, timed, waiting))
}

pub fn digest_switched(on: bool, at: chrono::NaiveTime, hours: &WorkHours, tz: Tz) -> String {
    if on {
        format!(
            "Your digest is on: at {} ({}) on your working days ({}), when something is on your day.",
            at.format("%H:%M"),
            tz.name(),
            hours.describe()
        )
    } else {
        "Your digest is off. /schedule digest on brings it back.".to_owned()
    }
}

pub fn feed_off() -> String {
    "Calendar feeds need Deskmate's HTTP listener, which is off: an admin sets [http] listen (and public_url) \
     in the config."
        .to_owned()
}

pub fn feed_link(url: &str) -> String {
    format!(
        "Your calendar feed (every meeting you are invited to): {url}\nSubscribe to it in your calendar app. Keep \
         it to yourself: whoever has it sees your meetings. /ical reset makes a new one."
    )
}

pub fn feed_reset(url: &str) -> String {
    format!("Your calendar feed has a new address; the old one no longer works: {url}")
}

//! Everything the meetings feature says, from its catalogs (`i18n/en.ftl`,
//! `i18n/zh-CN.ftl`), in the reader's language and on the clock it is given. Plain
//! text: adapters escape it.

use std::borrow::Borrow;
use std::sync::LazyLock;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

use super::config::{OffsetError, RoomConfig};
use super::hours::{HoursError, WorkHours};
use super::model::{Action, Attendee, Conflict, Entry, EntryKind, Meeting, MeetingId, Minutes, Occurrence, Rsvp};
use super::recurrence::{self, Pattern, RepeatError};
use super::store::Span;
use crate::chat::feature::AgendaItem;
use crate::i18n::{Arg, Catalog, Lang, stamp, weekday};

pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new("meetings", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
});

fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    CATALOG.text(lang, id, args)
}

/// The most clashes listed; the rest are counted.
const CLASHES_SHOWN: usize = 10;

/// A yes/no selector's value.
fn yes(flag: bool) -> Arg {
    if flag { "yes" } else { "no" }.into()
}

/// Items one after another: `bob, carol`, `bob、carol`.
fn joined<S: Borrow<str>>(lang: Lang, items: &[S]) -> String {
    items.join(say(lang, "list-separator", &[]).as_str())
}

// Moments, days and lengths. English keeps the numeric forms it always had
// (`2026-12-01 15:00`); Chinese reads them the Chinese way (`2026年12月1日（周二）15:00`).

/// A time of day, `15:00` in every language.
fn clock(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%H:%M").to_string()
}

/// A day: `2026-12-01`, `2026年12月1日`.
fn date(lang: Lang, day: NaiveDate) -> String {
    match lang {
        Lang::En => day.format("%Y-%m-%d").to_string(),
        Lang::ZhCn => format!("{}年{}月{}日", day.year(), day.month(), day.day()),
    }
}

/// A day with its weekday: `Tue 2026-12-01`, `2026年12月1日（周二）`.
fn day_and_weekday(lang: Lang, day: NaiveDate) -> String {
    match lang {
        Lang::En => day.format("%a %Y-%m-%d").to_string(),
        Lang::ZhCn => format!("{}（{}）", date(lang, day), weekday(lang, day.weekday())),
    }
}

/// A weekday and a time: `Tue 09:00`, `周二 09:00`.
fn weekday_clock(lang: Lang, at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    match lang {
        Lang::En => local.format("%a %H:%M").to_string(),
        Lang::ZhCn => format!("{} {}", weekday(lang, local.weekday()), local.format("%H:%M")),
    }
}

/// `2026-12-01 10:00–10:30`: the end's date only when it is another day.
fn range(lang: Lang, (from, to): Span, tz: Tz) -> String {
    let same_day = from.with_timezone(&tz).date_naive() == to.with_timezone(&tz).date_naive();
    let end = if same_day { clock(to, tz) } else { stamp(lang, to, tz) };
    format!("{}–{end}", stamp(lang, from, tz))
}

/// `2026-12-01 10:00–10:30 (Europe/Berlin)`.
fn when(lang: Lang, occurrence: &Occurrence, tz: Tz) -> String {
    let span = range(lang, (occurrence.starts_at, occurrence.ends_at), tz);
    say(lang, "when", &[("span", span.into()), ("zone", tz.name().into())])
}

/// How long (before): `1d`, `2h`, `15m`; `1 天`, `2 小时`, `15 分钟`.
fn offset(lang: Lang, minutes: i64) -> String {
    match lang {
        Lang::En => match minutes {
            m if m % 1440 == 0 => format!("{}d", m / 1440),
            m if m % 60 == 0 => format!("{}h", m / 60),
            m => format!("{m}m"),
        },
        Lang::ZhCn => crate::i18n::length(lang, chrono::Duration::minutes(minutes)),
    }
}

/// `1d, 15m`.
fn offsets(lang: Lang, minutes: &[i64]) -> String {
    let each: Vec<String> = minutes.iter().map(|m| offset(lang, *m)).collect();
    joined(lang, &each)
}

/// `Standup (#4)`.
fn name(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "meeting-name", &[("title", meeting.title.as_str().into()), ("id", meeting.id.0.into())])
}

/// Its repeat, room, link and agenda: a line each, each after a newline.
fn details(lang: Lang, meeting: &Meeting) -> String {
    let mut lines = Vec::new();
    if let Some(rule) = &meeting.rule {
        lines.push(say(lang, "detail-repeats", &[("rule", repeats(lang, rule).into())]));
    }
    if let Some(room) = &meeting.room {
        lines.push(say(lang, "detail-room", &[("room", room.as_str().into())]));
    }
    if let Some(link) = &meeting.link {
        lines.push(say(lang, "detail-link", &[("link", link.as_str().into())]));
    }
    if let Some(agenda) = &meeting.agenda {
        lines.push(say(lang, "detail-agenda", &[("agenda", agenda.as_str().into())]));
    }
    lines.iter().map(|line| format!("\n{line}")).collect()
}

fn organised_by(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "organised-by", &[("name", meeting.organizer.name.as_str().into())])
}

/// A series' rule in words: `weekly on Mon, Thu`, `monthly on the second Tue`.
fn repeats(lang: Lang, rule: &str) -> String {
    match recurrence::pattern(rule) {
        Pattern::Daily => say(lang, "repeat-daily", &[]),
        Pattern::Weekdays => say(lang, "repeat-weekdays", &[]),
        Pattern::Weekly { interval, days } => {
            let days: Vec<String> = days.into_iter().map(|d| weekday(lang, d).to_owned()).collect();
            let days = Arg::from(joined(lang, &days));
            match interval {
                "1" => say(lang, "repeat-weekly", &[("days", days)]),
                "2" => say(lang, "repeat-biweekly", &[("days", days)]),
                weeks => say(lang, "repeat-every-weeks", &[("weeks", weeks.into()), ("days", days)]),
            }
        }
        Pattern::MonthlyOnDay(date) => say(lang, "repeat-monthly-day", &[("date", date.into())]),
        Pattern::MonthlyNth { ordinal, day } => {
            let nth = match ordinal {
                1 => "first",
                2 => "second",
                3 => "third",
                4 => "fourth",
                _ => "last",
            };
            say(lang, "repeat-monthly-nth", &[("nth", nth.into()), ("weekday", weekday(lang, day).into())])
        }
        Pattern::Rule(rule) => say(lang, "repeat-rule", &[("rule", rule.into())]),
    }
}

/// The button that gives an answer to an invitation.
pub fn answer_button(lang: Lang, rsvp: Rsvp) -> String {
    say(lang, "button-answer", &[("answer", rsvp.as_str().into())])
}

/// The button that goes ahead despite the clashes shown.
pub fn anyway(lang: Lang, moving: bool) -> String {
    say(lang, "button-anyway", &[("moving", yes(moving))])
}

/// `accepted`, `not answered`.
fn answer_word(lang: Lang, rsvp: Rsvp) -> String {
    say(lang, "answer-word", &[("answer", rsvp.as_str().into())])
}

/// `busy: dentist`, `away`.
fn entry_what(lang: Lang, kind: EntryKind, note: &str) -> String {
    say(
        lang,
        "entry-what",
        &[("kind", kind.as_str().into()), ("has_note", yes(!note.is_empty())), ("note", note.into())],
    )
}

/// What someone already does then: a meeting (`Budget review (#1)`) or an entry of their
/// schedule (`busy: dentist`).
fn clash(lang: Lang, conflict: &Conflict) -> String {
    match conflict.kind {
        Some(kind) => entry_what(lang, kind, &conflict.what),
        None => conflict.what.clone(),
    }
}

/// `Accepted (2): bob, carol`, a line per answer given, then `Not answered (1): frank`.
fn answers(lang: Lang, attendees: &[Attendee]) -> String {
    let mut lines = Vec::new();
    for rsvp in [Rsvp::Accepted, Rsvp::Tentative, Rsvp::Declined, Rsvp::Pending] {
        let names: Vec<String> = attendees
            .iter()
            .filter(|a| a.rsvp == rsvp)
            .map(|a| match &a.note {
                Some(note) => say(
                    lang,
                    "answer-with-note",
                    &[("name", a.person.name.as_str().into()), ("note", note.as_str().into())],
                ),
                None => a.person.name.clone(),
            })
            .collect();
        if !names.is_empty() {
            lines.push(say(
                lang,
                "answers-line",
                &[
                    ("answer", rsvp.as_str().into()),
                    ("count", names.len().into()),
                    ("names", joined(lang, &names).into()),
                ],
            ));
        }
    }
    lines.join("\n")
}

/// What `/meeting schedule` answers; for a series, its times (`series`) and whether its
/// rule went on past the year planned.
pub fn scheduled(
    lang: Lang,
    meeting: &Meeting,
    occurrence: &Occurrence,
    attendees: &[Attendee],
    series: Option<(&[Occurrence], bool)>,
    tz: Tz,
) -> String {
    let mut lines = vec![say(
        lang,
        "scheduled",
        &[("meeting", name(lang, meeting).into()), ("when", when(lang, occurrence, tz).into())],
    )];
    if let Some((all, capped)) = series {
        let last = all.last().map_or_else(String::new, |o| stamp(lang, o.starts_at, tz));
        lines.push(say(
            lang,
            "scheduled-series",
            &[
                ("count", all.len().into()),
                ("first", when(lang, occurrence, tz).into()),
                ("last", last.into()),
                ("capped", yes(capped)),
                ("horizon", recurrence::HORIZON_DAYS.into()),
            ],
        ));
    }
    let names: Vec<&str> = attendees.iter().map(|a| a.person.name.as_str()).collect();
    lines.push(say(lang, "scheduled-with", &[("names", joined(lang, &names).into())]));
    let mut out = lines.join("\n");
    out.push_str(&details(lang, meeting));
    out.push('\n');
    out.push_str(&say(
        lang,
        "scheduled-invitations",
        &[
            ("has_reminders", yes(!meeting.reminders.is_empty())),
            ("reminders", offsets(lang, &meeting.reminders).into()),
            ("id", meeting.id.0.into()),
        ],
    ));
    out
}

/// `Standup at 2026-12-01 09:00`, and for a series `(and 11 later times)`.
pub fn what_clashes(lang: Lang, title: &str, spans: &[Span], tz: Tz) -> String {
    let first = spans.first().map_or_else(String::new, |(start, _)| stamp(lang, *start, tz));
    say(
        lang,
        "what-clashes",
        &[("title", title.into()), ("at", first.into()), ("later", spans.len().saturating_sub(1).into())],
    )
}

pub fn end_without_repeat(lang: Lang) -> String {
    say(lang, "end-without-repeat", &[])
}

pub fn bad_repeat(lang: Lang, typed: &str, problem: &RepeatError) -> String {
    let about = |id: &str, part: &str| say(lang, id, &[("typed", part.into())]);
    let why = match problem {
        RepeatError::NotWeekdays(part) => about("repeat-not-weekdays", part.as_str()),
        RepeatError::NotNth(part) => about("repeat-not-nth", part.as_str()),
        RepeatError::NotWeekday(part) => about("repeat-not-weekday", part.as_str()),
        RepeatError::EndInRule => say(lang, "repeat-end-in-rule", &[]),
        RepeatError::Unknown(part) => about("repeat-unknown", part.as_str()),
        // The rrule crate's own explanation, which it gives in English only.
        RepeatError::Rrule(why) => why.clone(),
        RepeatError::TooOften => say(lang, "repeat-too-often", &[]),
        RepeatError::NoTimes => say(lang, "repeat-no-times", &[]),
    };
    say(lang, "bad-repeat", &[("typed", typed.into()), ("why", why.into())])
}

pub fn series_overlaps(lang: Lang, length: chrono::Duration) -> String {
    say(lang, "series-overlaps", &[("length", offset(lang, length.num_minutes()).into())])
}

pub fn series_over(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "series-over", &[("meeting", name(lang, meeting).into())])
}

pub fn no_time_on(lang: Lang, meeting: &Meeting, day: NaiveDate) -> String {
    say(
        lang,
        "no-time-on",
        &[("meeting", name(lang, meeting).into()), ("day", date(lang, day).into()), ("id", meeting.id.0.into())],
    )
}

pub fn skip_needs_series(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "skip-needs-series", &[("meeting", name(lang, meeting).into()), ("id", meeting.id.0.into())])
}

/// `also`: the later times called off with it (the series ends there).
pub fn skipped(lang: Lang, meeting: &Meeting, occurrence: &Occurrence, also: usize, tz: Tz) -> String {
    say(
        lang,
        "skipped",
        &[("meeting", name(lang, meeting).into()), ("when", when(lang, occurrence, tz).into()), ("also", also.into())],
    )
}

pub fn skipped_for_attendee(
    lang: Lang,
    meeting: &Meeting,
    (occurrence, also): (&Occurrence, usize),
    tz: Tz,
    by: &str,
    reason: &str,
) -> String {
    say(
        lang,
        "skipped-for-attendee",
        &[
            ("by", by.into()),
            ("meeting", name(lang, meeting).into()),
            ("when", when(lang, occurrence, tz).into()),
            ("also", also.into()),
            ("has_reason", yes(!reason.is_empty())),
            ("reason", reason.into()),
        ],
    )
}

/// The channel's notice, kept current as people answer, on the meeting's own clock.
pub fn notice(lang: Lang, meeting: &Meeting, occurrence: &Occurrence, attendees: &[Attendee]) -> String {
    let mut out = say(
        lang,
        "notice",
        &[("meeting", name(lang, meeting).into()), ("when", when(lang, occurrence, meeting.tz).into())],
    );
    out.push('\n');
    out.push_str(&organised_by(lang, meeting));
    out.push_str(&details(lang, meeting));
    out.push('\n');
    out.push_str(&answers(lang, attendees));
    out
}

/// One attendee's invitation, on their clock, with their answer so far.
pub fn invitation(lang: Lang, meeting: &Meeting, occurrence: &Occurrence, tz: Tz, mine: Rsvp) -> String {
    let mut out = say(
        lang,
        "invitation",
        &[
            ("organizer", meeting.organizer.name.as_str().into()),
            ("meeting", name(lang, meeting).into()),
            ("when", when(lang, occurrence, tz).into()),
        ],
    );
    out.push_str(&details(lang, meeting));
    if meeting.rule.is_some() {
        out.push('\n');
        out.push_str(&say(lang, "invitation-series", &[]));
    }
    out.push('\n');
    out.push_str(&match mine {
        Rsvp::Pending => say(lang, "invitation-ask", &[]),
        answer => say(lang, "invitation-answered", &[("answer", answer_word(lang, answer).into())]),
    });
    out
}

pub fn cancelled_notice(lang: Lang, meeting: &Meeting, occurrence: &Occurrence, tz: Tz, reason: &str) -> String {
    let mut out = say(
        lang,
        "cancelled-notice",
        &[("meeting", name(lang, meeting).into()), ("when", when(lang, occurrence, tz).into())],
    );
    if !reason.is_empty() {
        out.push('\n');
        out.push_str(&say(lang, "reason-line", &[("reason", reason.into())]));
    }
    out
}

pub fn cancelled_for_attendee(
    lang: Lang,
    meeting: &Meeting,
    occurrence: &Occurrence,
    tz: Tz,
    by: &str,
    reason: &str,
) -> String {
    say(
        lang,
        "cancelled-for-attendee",
        &[
            ("by", by.into()),
            ("meeting", name(lang, meeting).into()),
            ("when", when(lang, occurrence, tz).into()),
            ("has_reason", yes(!reason.is_empty())),
            ("reason", reason.into()),
        ],
    )
}

pub fn cancelled(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "cancelled", &[("meeting", name(lang, meeting).into())])
}

/// An answer taken; `lone`: for one time of a series only.
pub fn answered(lang: Lang, meeting: &Meeting, answer: Rsvp, lone: Option<(&Occurrence, Tz)>) -> String {
    let mut args = vec![("answer", Arg::from(answer.as_str())), ("meeting", name(lang, meeting).into())];
    match (lone, &meeting.rule) {
        (Some((occurrence, tz)), _) => {
            args.push(("when", when(lang, occurrence, tz).into()));
            say(lang, "answered-once", &args)
        }
        (None, Some(_)) => say(lang, "answered-series", &args),
        (None, None) => say(lang, "answered", &args),
    }
}

pub fn ask_decline_note(lang: Lang, meeting: &Meeting) -> String {
    say(
        lang,
        "ask-decline-note",
        &[("meeting", name(lang, meeting).into()), ("organizer", meeting.organizer.name.as_str().into())],
    )
}

pub fn declined_for_organizer(lang: Lang, meeting: &Meeting, who: &str, note: Option<&str>) -> String {
    let mut args = vec![("who", Arg::from(who)), ("meeting", name(lang, meeting).into())];
    match note {
        Some(note) => {
            args.push(("note", note.into()));
            say(lang, "declined-for-organizer-note", &args)
        }
        None => say(lang, "declined-for-organizer", &args),
    }
}

pub fn note_kept(lang: Lang) -> String {
    say(lang, "note-kept", &[])
}

pub fn no_longer_declined(lang: Lang) -> String {
    say(lang, "no-longer-declined", &[])
}

pub fn reminder(lang: Lang, meeting: &Meeting, occurrence: &Occurrence, tz: Tz, minutes: i64) -> String {
    let mut out = say(
        lang,
        "reminder",
        &[
            ("meeting", name(lang, meeting).into()),
            ("offset", offset(lang, minutes).into()),
            ("when", when(lang, occurrence, tz).into()),
        ],
    );
    out.push_str(&details(lang, meeting));
    out
}

/// The clashes of what `draft_for` says (see [`what_clashes`]), a line each.
pub fn conflicts(lang: Lang, conflicts: &[Conflict], tz: Tz, draft_for: &str) -> String {
    let mut out = say(lang, "conflicts", &[("what", draft_for.into())]);
    for c in conflicts.iter().take(CLASHES_SHOWN) {
        out.push_str("\n  ");
        out.push_str(&say(
            lang,
            "conflict-line",
            &[
                ("person", c.person.as_str().into()),
                ("what", clash(lang, c).into()),
                ("start", stamp(lang, c.starts_at, tz).into()),
                ("end", clock(c.ends_at, tz).into()),
            ],
        ));
    }
    if conflicts.len() > CLASHES_SHOWN {
        out.push_str("\n  ");
        out.push_str(&say(lang, "conflicts-more", &[("count", (conflicts.len() - CLASHES_SHOWN).into())]));
    }
    out.push('\n');
    out.push_str(&say(lang, "conflicts-hint", &[]));
    out
}

pub fn show(
    lang: Lang,
    meeting: &Meeting,
    (occurrence, all): (&Occurrence, &[Occurrence]),
    attendees: &[Attendee],
    (minutes, actions): (Option<&Minutes>, &[Action]),
    tz: Tz,
) -> String {
    let mut out = say(
        lang,
        "show-title",
        &[("meeting", name(lang, meeting).into()), ("cancelled", yes(!meeting.status.is_on()))],
    );
    out.push('\n');
    out.push_str(&when(lang, occurrence, tz));
    out.push('\n');
    out.push_str(&organised_by(lang, meeting));
    out.push_str(&details(lang, meeting));
    out.push_str(&series(lang, meeting, occurrence, all, tz));
    out.push('\n');
    out.push_str(&answers(lang, attendees));
    if let Some(minutes) = minutes {
        out.push('\n');
        out.push_str(&say(
            lang,
            "minutes-line",
            &[("author", minutes.author.as_str().into()), ("text", minutes.text.as_str().into())],
        ));
    }
    if !actions.is_empty() {
        out.push('\n');
        out.push_str(&say(lang, "actions", &[]));
        for a in actions {
            out.push_str("\n  ");
            out.push_str(&say(
                lang,
                "action-line",
                &[
                    ("owner", a.owner.name.as_str().into()),
                    ("text", a.text.as_str().into()),
                    ("due", stamp(lang, a.due_at, tz).into()),
                ],
            ));
        }
    }
    out
}

/// A series' times after the one shown, and those called off: lines, each after a newline.
fn series(lang: Lang, meeting: &Meeting, shown: &Occurrence, all: &[Occurrence], tz: Tz) -> String {
    if meeting.rule.is_none() {
        return String::new();
    }
    let later: Vec<&Occurrence> = all.iter().filter(|o| o.status.is_on() && o.starts_at > shown.starts_at).collect();
    let mut out = String::from("\n");
    out.push_str(&match later.last() {
        Some(last) => say(
            lang,
            "series-later",
            &[("count", later.len().into()), ("last", stamp(lang, last.starts_at, tz).into())],
        ),
        None => say(lang, "series-last", &[]),
    });
    let off: Vec<String> = all
        .iter()
        .filter(|o| !o.status.is_on() && meeting.status.is_on())
        .map(|o| date(lang, o.starts_at.with_timezone(&tz).date_naive()))
        .collect();
    if !off.is_empty() {
        out.push('\n');
        out.push_str(&say(lang, "series-called-off", &[("days", joined(lang, &off).into())]));
    }
    out
}

pub fn list(lang: Lang, items: &[(Meeting, Occurrence, Rsvp)], tz: Tz) -> String {
    if items.is_empty() {
        return say(lang, "list-none", &[]);
    }
    let mut out = say(lang, "list-head", &[]);
    for (m, o, r) in items {
        out.push_str("\n  ");
        out.push_str(&say(
            lang,
            "list-line",
            &[
                ("id", m.id.0.into()),
                ("title", m.title.as_str().into()),
                ("when", when(lang, o, tz).into()),
                ("answer", answer_word(lang, *r).into()),
            ],
        ));
    }
    out
}

pub fn not_found(lang: Lang, id: MeetingId) -> String {
    say(lang, "not-found", &[("id", id.0.into())])
}

pub fn not_yours_to_see(lang: Lang, id: MeetingId) -> String {
    say(lang, "not-yours-to-see", &[("id", id.0.into())])
}

pub fn not_yours_to_change(lang: Lang, meeting: &Meeting) -> String {
    say(
        lang,
        "not-yours-to-change",
        &[("organizer", meeting.organizer.name.as_str().into()), ("meeting", name(lang, meeting).into())],
    )
}

pub fn is_cancelled(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "is-cancelled", &[("meeting", name(lang, meeting).into())])
}

pub fn is_over(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "is-over", &[("meeting", name(lang, meeting).into())])
}

pub fn not_invited(lang: Lang, meeting: &Meeting) -> String {
    say(
        lang,
        "not-invited",
        &[("meeting", name(lang, meeting).into()), ("organizer", meeting.organizer.name.as_str().into())],
    )
}

pub fn too_long(lang: Lang, max: chrono::Duration) -> String {
    say(lang, "too-long", &[("length", offset(lang, max.num_minutes()).into())])
}

pub fn not_a_link(lang: Lang, typed: &str) -> String {
    say(lang, "not-a-link", &[("typed", typed.into())])
}

pub fn unknown_channel(lang: Lang, name: &str, known: &[&str]) -> String {
    if known.is_empty() {
        return say(lang, "unknown-channel-none", &[("name", name.into())]);
    }
    say(lang, "unknown-channel", &[("name", name.into()), ("known", joined(lang, known).into())])
}

pub fn bad_reminders(lang: Lang, problem: &OffsetError) -> String {
    let problem = match problem {
        OffsetError::Unreadable { offset, .. } => {
            say(lang, "reminder-unreadable", &[("offset", offset.as_str().into())])
        }
        OffsetError::OutOfRange(offset) => say(lang, "reminder-out-of-range", &[("offset", offset.as_str().into())]),
        OffsetError::TooMany => say(lang, "reminders-too-many", &[]),
    };
    say(lang, "bad-reminders", &[("problem", problem.into())])
}

pub fn not_someone(lang: Lang, word: &str) -> String {
    say(lang, "not-someone", &[("word", word.into())])
}

pub fn unknown_department(lang: Lang, name: &str) -> String {
    say(lang, "unknown-department", &[("name", name.into())])
}

pub fn too_many_attendees(lang: Lang, count: usize, max: usize) -> String {
    say(lang, "too-many-attendees", &[("count", count.into()), ("max", max.into())])
}

pub fn draft_gone(lang: Lang) -> String {
    say(lang, "draft-gone", &[])
}

pub fn not_your_draft(lang: Lang) -> String {
    say(lang, "not-your-draft", &[])
}

/// `also`: the later times moved with it, by as much.
pub fn moved(lang: Lang, meeting: &Meeting, occurrence: &Occurrence, also: usize, tz: Tz) -> String {
    say(
        lang,
        "moved",
        &[("meeting", name(lang, meeting).into()), ("when", when(lang, occurrence, tz).into()), ("also", also.into())],
    )
}

pub fn moved_for_attendee(
    lang: Lang,
    meeting: &Meeting,
    by: &str,
    (was, now): (&Occurrence, &Occurrence),
    also: usize,
    tz: Tz,
) -> String {
    say(
        lang,
        "moved-for-attendee",
        &[
            ("by", by.into()),
            ("meeting", name(lang, meeting).into()),
            ("was", when(lang, was, tz).into()),
            ("now", when(lang, now, tz).into()),
            ("also", also.into()),
        ],
    )
}

pub fn invited(lang: Lang, meeting: &Meeting, names: &[&str]) -> String {
    if names.is_empty() {
        return say(lang, "invited-none", &[("meeting", name(lang, meeting).into())]);
    }
    say(lang, "invited", &[("meeting", name(lang, meeting).into()), ("names", joined(lang, names).into())])
}

pub fn cannot_remove_organizer(lang: Lang, meeting: &Meeting) -> String {
    say(
        lang,
        "cannot-remove-organizer",
        &[("organizer", meeting.organizer.name.as_str().into()), ("meeting", name(lang, meeting).into())],
    )
}

pub fn was_not_invited(lang: Lang, meeting: &Meeting, who: &str) -> String {
    say(lang, "was-not-invited", &[("who", who.into()), ("meeting", name(lang, meeting).into())])
}

pub fn removed(lang: Lang, meeting: &Meeting, who: &str) -> String {
    say(lang, "removed", &[("who", who.into()), ("meeting", name(lang, meeting).into())])
}

pub fn removed_for_attendee(lang: Lang, meeting: &Meeting, by: &str) -> String {
    say(lang, "removed-for-attendee", &[("by", by.into()), ("meeting", name(lang, meeting).into())])
}

/// `  Aurora (holds 8, 2nd floor)`.
fn room_line(lang: Lang, room: &RoomConfig) -> String {
    let line = say(
        lang,
        "room-line",
        &[
            ("room", room.name.as_str().into()),
            ("capacity", i64::from(room.capacity).into()),
            ("has_location", yes(!room.location.is_empty())),
            ("location", room.location.as_str().into()),
        ],
    );
    format!("  {line}")
}

pub fn rooms(lang: Lang, rooms: &[RoomConfig]) -> String {
    if rooms.is_empty() {
        return say(lang, "rooms-none", &[]);
    }
    let lines: Vec<String> = rooms.iter().map(|r| room_line(lang, r)).collect();
    format!("{}\n{}", say(lang, "rooms-head", &[]), lines.join("\n"))
}

pub fn free_rooms(lang: Lang, free: &[RoomConfig], from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> String {
    let span = [("from", Arg::from(stamp(lang, from, tz))), ("to", clock(to, tz).into()), ("zone", tz.name().into())];
    if free.is_empty() {
        return say(lang, "free-rooms-none", &span);
    }
    let lines: Vec<String> = free.iter().map(|r| room_line(lang, r)).collect();
    format!("{}\n{}", say(lang, "free-rooms-head", &span), lines.join("\n"))
}

pub fn unknown_room(lang: Lang, name: &str, rooms: &[RoomConfig]) -> String {
    if rooms.is_empty() {
        return say(lang, "unknown-room-none", &[("name", name.into())]);
    }
    let names: Vec<&str> = rooms.iter().map(|r| r.name.as_str()).collect();
    say(lang, "unknown-room", &[("name", name.into()), ("rooms", joined(lang, &names).into())])
}

pub fn room_too_small(lang: Lang, room: &RoomConfig, people: usize) -> String {
    say(
        lang,
        "room-too-small",
        &[
            ("room", room.name.as_str().into()),
            ("capacity", i64::from(room.capacity).into()),
            ("people", people.into()),
        ],
    )
}

pub fn room_taken(lang: Lang, room: &str, by: &Conflict, tz: Tz) -> String {
    say(
        lang,
        "room-taken",
        &[
            ("room", room.into()),
            ("what", clash(lang, by).into()),
            ("by", by.person.as_str().into()),
            ("start", stamp(lang, by.starts_at, tz).into()),
            ("end", clock(by.ends_at, tz).into()),
        ],
    )
}

pub fn minutes_empty(lang: Lang, meeting: &Meeting) -> String {
    say(lang, "minutes-empty", &[("meeting", name(lang, meeting).into())])
}

pub fn one_minutes_file(lang: Lang) -> String {
    say(lang, "one-minutes-file", &[])
}

pub fn minutes_kept(lang: Lang, meeting: &Meeting, sent_to: usize) -> String {
    say(lang, "minutes-kept", &[("meeting", name(lang, meeting).into()), ("count", sent_to.into())])
}

pub fn minutes_for_attendee(lang: Lang, meeting: &Meeting, by: &str, minutes: &str) -> String {
    say(
        lang,
        "minutes-for-attendee",
        &[("meeting", name(lang, meeting).into()), ("by", by.into()), ("minutes", minutes.into())],
    )
}

pub fn action_given(lang: Lang, meeting: &Meeting, owner: &str, action: &str, due: DateTime<Utc>, tz: Tz) -> String {
    say(
        lang,
        "action-given",
        &[
            ("owner", owner.into()),
            ("meeting", name(lang, meeting).into()),
            ("action", action.into()),
            ("due", stamp(lang, due, tz).into()),
        ],
    )
}

pub fn action_for_owner(lang: Lang, meeting: &Meeting, by: &str, action: &str, due: DateTime<Utc>, tz: Tz) -> String {
    say(
        lang,
        "action-for-owner",
        &[
            ("by", by.into()),
            ("meeting", name(lang, meeting).into()),
            ("action", action.into()),
            ("due", stamp(lang, due, tz).into()),
            ("zone", tz.name().into()),
        ],
    )
}

pub fn action_reminder(lang: Lang, meeting: &Meeting, action: &Action, tz: Tz) -> String {
    say(
        lang,
        "action-reminder",
        &[
            ("due", stamp(lang, action.due_at, tz).into()),
            ("zone", tz.name().into()),
            ("action", action.text.as_str().into()),
            ("meeting", name(lang, meeting).into()),
        ],
    )
}

/// The title of a ticket opened for an action item.
pub fn action_ticket_title(
    lang: Lang,
    meeting: &Meeting,
    owner: &str,
    action: &str,
    due: DateTime<Utc>,
    tz: Tz,
) -> String {
    say(
        lang,
        "action-ticket-title",
        &[
            ("action", action.into()),
            ("owner", owner.into()),
            ("due", stamp(lang, due, tz).into()),
            ("id", meeting.id.0.into()),
        ],
    )
}

pub fn entry_added(lang: Lang, entry: &Entry, tz: Tz) -> String {
    say(
        lang,
        "entry-added",
        &[
            ("kind", entry.kind.as_str().into()),
            ("id", entry.id.into()),
            ("span", range(lang, (entry.starts_at, entry.ends_at), tz).into()),
            ("zone", tz.name().into()),
        ],
    )
}

pub fn entries(lang: Lang, entries: &[Entry], tz: Tz) -> String {
    if entries.is_empty() {
        return say(lang, "entries-none", &[]);
    }
    let mut out = say(lang, "entries-head", &[("zone", tz.name().into())]);
    for e in entries {
        let span = range(lang, (e.starts_at, e.ends_at), tz);
        out.push_str(&format!("\n  {} {span} {}", e.id, entry_what(lang, e.kind, &e.note)));
    }
    out
}

pub fn entry_removed(lang: Lang, id: i64) -> String {
    say(lang, "entry-removed", &[("id", id.into())])
}

pub fn no_entry(lang: Lang, id: i64) -> String {
    say(lang, "no-entry", &[("id", id.into())])
}

pub fn entry_too_long(lang: Lang, max_days: i64) -> String {
    say(lang, "entry-too-long", &[("days", max_days.into())])
}

/// A meeting on someone's agenda: `Tue 09:00–09:30 Standup (#4) (accepted, Aurora)`.
pub fn agenda_meeting(lang: Lang, meeting: &Meeting, occurrence: &Occurrence, rsvp: Rsvp, tz: Tz) -> String {
    say(
        lang,
        "agenda-meeting",
        &[
            ("start", weekday_clock(lang, occurrence.starts_at, tz).into()),
            ("end", clock(occurrence.ends_at, tz).into()),
            ("meeting", name(lang, meeting).into()),
            ("answer", answer_word(lang, rsvp).into()),
            ("has_room", yes(meeting.room.is_some())),
            ("room", meeting.room.as_deref().unwrap_or_default().into()),
        ],
    )
}

/// An entry on someone's agenda: `Tue 13:00–14:00 busy: lunch`.
pub fn agenda_entry(lang: Lang, entry: &Entry, tz: Tz) -> String {
    let same_day = entry.starts_at.with_timezone(&tz).date_naive() == entry.ends_at.with_timezone(&tz).date_naive();
    let end = if same_day { clock(entry.ends_at, tz) } else { weekday_clock(lang, entry.ends_at, tz) };
    format!("{}–{end} {}", weekday_clock(lang, entry.starts_at, tz), entry_what(lang, entry.kind, &entry.note))
}

/// `/agenda`: `when` is today, tomorrow or week.
pub fn agenda(
    lang: Lang,
    when: &str,
    first: NaiveDate,
    tz: Tz,
    timed: &[AgendaItem],
    waiting: &[AgendaItem],
) -> String {
    let title = say(
        lang,
        "agenda-title",
        &[("when", when.into()), ("date", day_and_weekday(lang, first).into()), ("zone", tz.name().into())],
    );
    plate(lang, title, timed, waiting)
}

/// A title, what happens in time order, then what waits.
fn plate(lang: Lang, title: String, timed: &[AgendaItem], waiting: &[AgendaItem]) -> String {
    let mut out = title;
    if timed.is_empty() {
        out.push_str("\n  ");
        out.push_str(&say(lang, "agenda-nothing", &[]));
    }
    for item in timed {
        out.push_str(&format!("\n  {}", item.line));
    }
    if !waiting.is_empty() {
        out.push('\n');
        out.push_str(&say(lang, "agenda-waiting", &[]));
        for item in waiting {
            out.push_str(&format!("\n  {}", item.line));
        }
    }
    out
}

pub fn findtime_needs_length(lang: Lang) -> String {
    say(lang, "findtime-needs-length", &[])
}

pub fn bad_within(lang: Lang, typed: &str, max_days: i64) -> String {
    say(lang, "bad-within", &[("typed", typed.into()), ("max", max_days.into())])
}

/// The title of a meeting `/meeting findtime` sets up when none is given.
pub fn default_title(lang: Lang) -> String {
    say(lang, "default-title", &[])
}

/// A time offered, as its button shows it: `Mon 30 Nov 14:30`, `11月30日（周一）14:30`.
pub fn slot_button(lang: Lang, at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    match lang {
        Lang::En => local.format("%a %d %b %H:%M").to_string(),
        Lang::ZhCn => format!(
            "{}月{}日（{}）{}",
            local.month(),
            local.day(),
            weekday(lang, local.weekday()),
            local.format("%H:%M")
        ),
    }
}

/// The times offered, each with everyone's own clock.
pub fn free_times(
    lang: Lang,
    title: &str,
    length: chrono::Duration,
    slots: &[DateTime<Utc>],
    zones: &[(&str, Tz)],
    tz: Tz,
) -> String {
    let mut out =
        say(lang, "free-times", &[("length", offset(lang, length.num_minutes()).into()), ("zone", tz.name().into())]);
    for at in slots {
        let clocks: Vec<String> =
            zones.iter().map(|(name, zone)| format!("{name} {}", weekday_clock(lang, *at, *zone))).collect();
        out.push_str(&format!("\n  {}–{} — {}", stamp(lang, *at, tz), clock(*at + length, tz), joined(lang, &clocks)));
    }
    out.push('\n');
    out.push_str(&say(lang, "free-times-hint", &[("title", title.into())]));
    out
}

pub fn no_free_time(lang: Lang, length: chrono::Duration, (_, to): Span, tz: Tz) -> String {
    say(
        lang,
        "no-free-time",
        &[("length", offset(lang, length.num_minutes()).into()), ("until", stamp(lang, to, tz).into())],
    )
}

/// `Mon–Fri 09:00–17:30`, `Mon, Wed 10:00–12:00`.
fn hours_text(lang: Lang, hours: &WorkHours) -> String {
    let days = match hours.run() {
        Some((first, count)) => {
            let last = (1..count).fold(first, |day, _| day.succ());
            say(lang, "work-days", &[("first", weekday(lang, first).into()), ("last", weekday(lang, last).into())])
        }
        None => {
            let days: Vec<String> = hours.working_days().into_iter().map(|d| weekday(lang, d).to_owned()).collect();
            joined(lang, &days)
        }
    };
    say(
        lang,
        "work-hours-text",
        &[
            ("days", days.into()),
            ("from", hours.from.format("%H:%M").to_string().into()),
            ("to", hours.to.format("%H:%M").to_string().into()),
        ],
    )
}

pub fn work_hours(lang: Lang, mine: Option<&WorkHours>, default: &WorkHours, tz: Tz) -> String {
    let default = Arg::from(hours_text(lang, default));
    match mine {
        Some(hours) => say(
            lang,
            "work-hours",
            &[("hours", hours_text(lang, hours).into()), ("zone", tz.name().into()), ("default", default)],
        ),
        None => say(lang, "work-hours-default", &[("default", default), ("zone", tz.name().into())]),
    }
}

pub fn work_hours_set(lang: Lang, hours: &WorkHours, tz: Tz) -> String {
    say(lang, "work-hours-set", &[("hours", hours_text(lang, hours).into()), ("zone", tz.name().into())])
}

pub fn work_hours_reset(lang: Lang, default: &WorkHours) -> String {
    say(lang, "work-hours-reset", &[("default", hours_text(lang, default).into())])
}

pub fn bad_work_hours(lang: Lang, typed: &str, problem: &HoursError) -> String {
    let about = |id: &str, part: &str| say(lang, id, &[("typed", part.into())]);
    let problem = match problem {
        HoursError::NotDays(part) => about("hours-not-days", part.as_str()),
        HoursError::NotHours(part) => about("hours-not-span", part.as_str()),
        HoursError::Backwards(part) => about("hours-backwards", part.as_str()),
        HoursError::Incomplete => say(lang, "hours-incomplete", &[]),
    };
    say(lang, "bad-work-hours", &[("typed", typed.into()), ("problem", problem.into())])
}

/// The morning digest.
pub fn digest(lang: Lang, today: NaiveDate, tz: Tz, timed: &[AgendaItem], waiting: &[AgendaItem]) -> String {
    let title = say(lang, "digest-title", &[("date", day_and_weekday(lang, today).into()), ("zone", tz.name().into())]);
    format!("{}\n{}", plate(lang, title, timed, waiting), say(lang, "digest-off-hint", &[]))
}

pub fn digest_switched(lang: Lang, on: bool, at: chrono::NaiveTime, hours: &WorkHours, tz: Tz) -> String {
    if !on {
        return say(lang, "digest-off", &[]);
    }
    say(
        lang,
        "digest-on",
        &[
            ("at", at.format("%H:%M").to_string().into()),
            ("zone", tz.name().into()),
            ("hours", hours_text(lang, hours).into()),
        ],
    )
}

pub fn feed_off(lang: Lang) -> String {
    say(lang, "feed-off", &[])
}

pub fn feed_link(lang: Lang, url: &str) -> String {
    say(lang, "feed-link", &[("url", url.into())])
}

pub fn feed_reset(lang: Lang, url: &str) -> String {
    say(lang, "feed-reset", &[("url", url.into())])
}

/// Meetings' part of the office report: how many were held, and how their invitations
/// were answered.
pub fn insight(lang: Lang, a: &super::model::Attendance) -> crate::chat::feature::Insight {
    let held = if a.held == 0 {
        say(lang, "insight-held-none", &[])
    } else {
        let percent = if a.invited == 0 { 0 } else { (a.accepted * 100 + a.invited / 2) / a.invited };
        say(
            lang,
            "insight-held",
            &[
                ("held", a.held.into()),
                ("percent", percent.into()),
                ("accepted", a.accepted.into()),
                ("invited", a.invited.into()),
                ("declined", a.declined.into()),
            ],
        )
    };
    crate::chat::feature::Insight { heading: say(lang, "insight-heading", &[]), lines: vec![held] }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::super::model::{MeetingStatus, OccurrenceId};
    use super::*;
    use crate::kernel::{PersonId, PersonName};

    #[test]
    fn the_catalogs_hold_the_same_messages_and_the_code_uses_each() {
        crate::i18n::check_catalog(
            &CATALOG,
            &[include_str!("text.rs"), include_str!("service.rs"), include_str!("findtime.rs")],
        );
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let samples: Vec<(&str, Arg)> = vec![
            ("day", "tue".into()),
            ("held", 3_i64.into()),
            ("percent", 75_i64.into()),
            ("accepted", 6_i64.into()),
            ("invited", 8_i64.into()),
            ("declined", 1_i64.into()),
            ("title", "Standup".into()),
            ("id", 4_i64.into()),
            ("span", "2026-12-01 10:00–10:30".into()),
            ("zone", "Asia/Shanghai".into()),
            ("answer", "accepted".into()),
            ("kind", "busy".into()),
            ("has_note", "yes".into()),
            ("note", "dentist".into()),
            ("rule", "FREQ=YEARLY".into()),
            ("room", "Aurora".into()),
            ("link", "https://meet.example/x".into()),
            ("agenda", "numbers".into()),
            ("name", "carol".into()),
            ("days", "Mon, Thu".into()),
            ("weeks", "3".into()),
            ("date", "8".into()),
            ("nth", "second".into()),
            ("weekday", "Tue".into()),
            ("moving", "no".into()),
            ("meeting", "Standup (#4)".into()),
            ("when", "week".into()),
            ("count", 3_i64.into()),
            ("first", "2026-12-01 10:00–10:30 (UTC)".into()),
            ("last", "2027-11-30 10:00".into()),
            ("capped", "yes".into()),
            ("horizon", 365_i64.into()),
            ("names", "bob, carol".into()),
            ("has_reminders", "yes".into()),
            ("reminders", "1d, 15m".into()),
            ("at", "2026-12-01 10:00".into()),
            ("later", 2_i64.into()),
            ("what", "Budget (#2)".into()),
            ("person", "carol".into()),
            ("start", "2026-12-01 09:00".into()),
            ("end", "11:00".into()),
            ("typed", "funday".into()),
            ("why", "no times".into()),
            ("length", "30m".into()),
            ("known", "sales, ops".into()),
            ("problem", "at most 5 reminders".into()),
            ("offset", "40d".into()),
            ("word", "bob".into()),
            ("max", 14_i64.into()),
            ("organizer", "alice".into()),
            ("by", "alice".into()),
            ("who", "bob".into()),
            ("cancelled", "yes".into()),
            ("author", "alice".into()),
            ("text", "send the numbers".into()),
            ("owner", "bob".into()),
            ("due", "2026-12-04 17:00".into()),
            ("reason", "snow".into()),
            ("has_reason", "yes".into()),
            ("also", 2_i64.into()),
            ("was", "2026-12-01 10:00–10:30 (UTC)".into()),
            ("now", "2026-12-01 15:00–15:30 (UTC)".into()),
            ("capacity", 8_i64.into()),
            ("has_location", "yes".into()),
            ("location", "2nd floor".into()),
            ("from", "09:00".into()),
            ("to", "17:30".into()),
            ("rooms", "Aurora, Borealis".into()),
            ("people", 9_i64.into()),
            ("minutes", "We agreed.".into()),
            ("action", "send the numbers".into()),
            ("has_room", "yes".into()),
            ("until", "2026-12-08 10:00".into()),
            ("hours", "Mon–Fri 09:00–17:00".into()),
            ("default", "Mon–Fri 09:00–17:00".into()),
            ("url", "https://desk.example/ical/ab.ics".into()),
        ];
        crate::i18n::check_renders(&CATALOG, &samples);
    }

    fn meeting(rule: Option<&str>) -> Meeting {
        Meeting {
            id: MeetingId(4),
            title: "Standup".to_owned(),
            organizer: PersonName { id: PersonId(1), name: "alice".to_owned() },
            tz: chrono_tz::Asia::Shanghai,
            link: None,
            agenda: None,
            channel: None,
            room: Some("Aurora".to_owned()),
            reminders: vec![1440, 15],
            status: MeetingStatus::Scheduled,
            sequence: 0,
            rule: rule.map(str::to_owned),
        }
    }

    fn occurrence(day: u32, hour: u32) -> Occurrence {
        let at = Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0).single().expect("valid");
        Occurrence {
            id: OccurrenceId(7),
            meeting: MeetingId(4),
            starts_at: at,
            ends_at: at + chrono::Duration::minutes(30),
            status: MeetingStatus::Scheduled,
            planned_at: at,
        }
    }

    #[test]
    fn times_and_lengths_the_readers_way() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let o = occurrence(1, 2);
        assert_eq!(when(Lang::En, &o, shanghai), "2026-12-01 10:00–10:30 (Asia/Shanghai)");
        assert_eq!(when(Lang::ZhCn, &o, shanghai), "2026年12月1日（周二）10:00–10:30（Asia/Shanghai）");
        let overnight = (o.starts_at, o.starts_at + chrono::Duration::hours(16));
        assert_eq!(range(Lang::En, overnight, shanghai), "2026-12-01 10:00–2026-12-02 02:00");
        assert_eq!(offsets(Lang::En, &[1440, 120, 15]), "1d, 2h, 15m");
        assert_eq!(offsets(Lang::ZhCn, &[1440, 15]), "1 天、15 分钟");
        assert_eq!(weekday_clock(Lang::En, o.starts_at, shanghai), "Tue 10:00");
        assert_eq!(weekday_clock(Lang::ZhCn, o.starts_at, shanghai), "周二 10:00");
        assert_eq!(slot_button(Lang::En, o.starts_at, shanghai), "Tue 01 Dec 10:00");
        assert_eq!(slot_button(Lang::ZhCn, o.starts_at, shanghai), "12月1日（周二）10:00");
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("valid");
        assert_eq!(day_and_weekday(Lang::En, day), "Mon 2026-11-30");
        assert_eq!(day_and_weekday(Lang::ZhCn, day), "2026年11月30日（周一）");
    }

    #[test]
    fn repeats_and_working_hours_in_words() {
        for (rule, en, zh) in [
            ("FREQ=DAILY", "daily", "每天"),
            ("FREQ=WEEKLY;BYDAY=MO,TH", "weekly on Mon, Thu", "每周的周一、周四"),
            ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", "every other week on Tue", "每两周的周二"),
            ("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU", "every 3 weeks on Tue", "每 3 周的周二"),
            ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday", "每个工作日"),
            ("FREQ=MONTHLY;BYMONTHDAY=8", "monthly on day 8", "每月 8 日"),
            ("FREQ=MONTHLY;BYDAY=2TU", "monthly on the second Tue", "每月第二个周二"),
            ("FREQ=MONTHLY;BYDAY=-1FR", "monthly on the last Fri", "每月最后一个周五"),
            ("FREQ=YEARLY;BYMONTH=3", "RRULE FREQ=YEARLY;BYMONTH=3", "RRULE FREQ=YEARLY;BYMONTH=3"),
        ] {
            assert_eq!(repeats(Lang::En, rule), en);
            assert_eq!(repeats(Lang::ZhCn, rule), zh);
        }
        for (days, hours, en, zh) in [
            ("mon-fri", "09:00-17:30", "Mon–Fri 09:00–17:30", "周一至周五 09:00–17:30"),
            ("sun-thu", "8-16", "Sun–Thu 08:00–16:00", "周日至周四 08:00–16:00"),
            ("mon,wed", "10:00-12:00", "Mon, Wed 10:00–12:00", "周一、周三 10:00–12:00"),
        ] {
            let read = WorkHours::read(days, hours).expect("reads");
            assert_eq!(hours_text(Lang::En, &read), en);
            assert_eq!(hours_text(Lang::ZhCn, &read), zh);
        }
    }

    #[test]
    fn selects_and_counts_in_both_languages() {
        let shanghai = chrono_tz::Asia::Shanghai;
        let series = meeting(Some("FREQ=DAILY"));
        let o = occurrence(1, 2);
        assert_eq!(
            skipped(Lang::En, &series, &o, 0, shanghai),
            "Standup (#4) on 2026-12-01 10:00–10:30 (Asia/Shanghai) is off; the other times stay. Everyone invited \
             is told."
        );
        assert_eq!(
            skipped(Lang::En, &series, &o, 3, shanghai),
            "Standup (#4) on 2026-12-01 10:00–10:30 (Asia/Shanghai) is off and the 3 times after it: the series ends \
             there. Everyone invited is told."
        );
        assert_eq!(
            skipped(Lang::ZhCn, &series, &o, 1, shanghai),
            "Standup（#4） 在 2026年12月1日（周二）10:00–10:30（Asia/Shanghai） 的这一次已取消，之后的一次也一并取消，\
             系列会议到此结束。已通知所有受邀人。"
        );
        assert_eq!(
            cancelled_for_attendee(Lang::En, &series, &o, shanghai, "alice", ""),
            "❌ alice cancelled Standup (#4) on 2026-12-01 10:00–10:30 (Asia/Shanghai)."
        );
        assert_eq!(
            cancelled_for_attendee(Lang::En, &series, &o, shanghai, "alice", "snow"),
            "❌ alice cancelled Standup (#4) on 2026-12-01 10:00–10:30 (Asia/Shanghai). Reason: snow"
        );
        assert_eq!(
            answered(Lang::En, &series, Rsvp::Tentative, None),
            "You tentative Standup (#4), every time to come."
        );
        assert_eq!(answered(Lang::ZhCn, &meeting(None), Rsvp::Declined, None), "你已拒绝 Standup（#4）。");
        let spans = [(o.starts_at, o.ends_at), (o.starts_at, o.ends_at)];
        assert_eq!(what_clashes(Lang::En, "Sync", &spans, shanghai), "Sync at 2026-12-01 10:00 (and 1 later times)");
        assert_eq!(what_clashes(Lang::En, "Sync", &spans[..1], shanghai), "Sync at 2026-12-01 10:00");
        assert_eq!(answer_button(Lang::ZhCn, Rsvp::Accepted), "接受");
        assert_eq!(anyway(Lang::En, true), "Move anyway");
        assert_eq!(
            agenda_meeting(Lang::En, &series, &o, Rsvp::Accepted, shanghai),
            "Tue 10:00–10:30 Standup (#4) (accepted, Aurora)"
        );
        assert_eq!(
            agenda_meeting(Lang::ZhCn, &series, &o, Rsvp::Pending, shanghai),
            "周二 10:00–10:30 Standup（#4）（未答复，Aurora）"
        );
        let entry = Entry {
            id: 2,
            kind: EntryKind::Away,
            note: String::new(),
            starts_at: o.starts_at,
            ends_at: o.starts_at + chrono::Duration::days(2),
        };
        assert_eq!(agenda_entry(Lang::En, &entry, shanghai), "Tue 10:00–Thu 10:00 away");
        assert_eq!(agenda_entry(Lang::ZhCn, &entry, shanghai), "周二 10:00–周四 10:00 外出");
        assert_eq!(
            bad_reminders(Lang::En, &OffsetError::OutOfRange("40d".to_owned())),
            "remind: `40d`: a reminder comes 1 minute to 30 days before; write e.g. remind:1d,15m or remind:none. \
             Nothing was scheduled."
        );
    }
}

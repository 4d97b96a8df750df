//! A meeting as an iCalendar file (RFC 5545), attached to invitations so calendar apps
//! add it; an update or a cancellation keeps the UID with a higher SEQUENCE.

use chrono::{DateTime, Utc};
use deskmate_port::Attachment;
use icalendar::{Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, Property};

use super::model::{Meeting, Occurrence};

/// The UID calendar apps know a meeting by.
pub fn uid(meeting: &Meeting) -> String {
    format!("deskmate-meeting-{}@deskmate", meeting.id)
}

/// The `.ics` of a meeting: a request, or a cancellation once it is off. A series is one
/// event with its RRULE (ending at its last planned time), an EXDATE for each time called
/// off, and an event with a RECURRENCE-ID for each time moved.
pub fn calendar(meeting: &Meeting, occurrences: &[Occurrence]) -> Attachment {
    let mut calendar = Calendar::new();
    calendar.append_property(Property::new("METHOD", if meeting.status.is_on() { "REQUEST" } else { "CANCEL" }));
    for event in events(meeting, occurrences) {
        calendar.push(event);
    }
    let name = format!("meeting-{}.ics", meeting.id);
    Attachment { name, mime: "text/calendar".to_owned(), bytes: calendar.done().to_string().into_bytes() }
}

/// Someone's feed: every meeting they are invited to, as calendar apps subscribe to it.
pub fn feed(owner: &str, meetings: &[(Meeting, Vec<Occurrence>)]) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("Deskmate: {owner}"));
    calendar.append_property(Property::new("METHOD", "PUBLISH"));
    for (meeting, occurrences) in meetings {
        for event in events(meeting, occurrences) {
            calendar.push(event);
        }
    }
    calendar.done().to_string()
}

fn events(meeting: &Meeting, occurrences: &[Occurrence]) -> Vec<Event> {
    let on = meeting.status.is_on();
    let mut out = Vec::new();
    match (&meeting.rule, occurrences.first()) {
        (Some(rule), Some(first)) => {
            let wall = |at: DateTime<Utc>| CalendarDateTime::WithTimezone {
                date_time: at.with_timezone(&meeting.tz).naive_local(),
                tzid: meeting.tz.name().to_owned(),
            };
            let last = occurrences.iter().map(|o| o.planned_at).max().unwrap_or(first.planned_at);
            let mut master = event(meeting, on);
            master
                .starts(wall(first.planned_at))
                .ends(wall(first.planned_at + (first.ends_at - first.starts_at)))
                .add_property("RRULE", format!("{rule};UNTIL={}", last.format("%Y%m%dT%H%M%SZ")));
            for skipped in occurrences.iter().filter(|o| !o.status.is_on()) {
                master.append_multi_property(local(meeting, "EXDATE", skipped.planned_at));
            }
            out.push(master.done());
            for moved in occurrences.iter().filter(|o| o.status.is_on() && o.starts_at != o.planned_at) {
                let mut exception = event(meeting, on);
                exception
                    .append_property(local(meeting, "RECURRENCE-ID", moved.planned_at))
                    .starts(moved.starts_at)
                    .ends(moved.ends_at);
                out.push(exception.done());
            }
        }
        (_, Some(first)) => {
            let mut single = event(meeting, on && first.status.is_on());
            single.starts(first.starts_at).ends(first.ends_at);
            out.push(single.done());
        }
        (_, None) => {}
    }
    out
}

/// `KEY;TZID=<the organiser's zone>:<wall-clock time>`.
fn local(meeting: &Meeting, key: &str, at: DateTime<Utc>) -> Property {
    let wall = at.with_timezone(&meeting.tz).naive_local().format("%Y%m%dT%H%M%S").to_string();
    Property::new(key, wall).add_parameter("TZID", meeting.tz.name()).done()
}

/// An event of the meeting with what every one of its events carries.
fn event(meeting: &Meeting, on: bool) -> Event {
    let mut description = meeting.agenda.clone().unwrap_or_default();
    if let Some(link) = &meeting.link {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str(link);
    }
    let mut event = Event::new();
    event
        .uid(&uid(meeting))
        .summary(&meeting.title)
        .sequence(u32::try_from(meeting.sequence).unwrap_or(u32::MAX))
        .status(if on { EventStatus::Confirmed } else { EventStatus::Cancelled })
        .add_property("ORGANIZER", format!("CN={}", meeting.organizer.name));
    if !description.is_empty() {
        event.description(&description);
    }
    if let Some(link) = &meeting.link {
        event.url(link);
    }
    if let Some(room) = &meeting.room {
        event.location(room);
    }
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::meetings::model::{MeetingId, MeetingStatus, OccurrenceId};
    use crate::kernel::{PersonId, PersonName};
    use chrono::TimeZone;

    #[test]
    fn an_invitation_parses_back_and_a_cancellation_keeps_the_uid() {
        let start = chrono::Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).single().expect("valid");
        let mut meeting = Meeting {
            id: MeetingId(7),
            title: "Budget review, Q4".to_owned(),
            organizer: PersonName { id: PersonId(1), name: "bob".to_owned() },
            tz: chrono_tz::Europe::Berlin,
            link: Some("https://meet.example/q4".to_owned()),
            agenda: Some("Numbers; hiring".to_owned()),
            channel: None,
            room: Some("Orion".to_owned()),
            reminders: vec![15],
            status: MeetingStatus::Scheduled,
            sequence: 0,
            rule: None,
        };
        let occurrence = Occurrence {
            id: OccurrenceId(9),
            meeting: meeting.id,
            starts_at: start,
            ends_at: start + chrono::Duration::minutes(45),
            status: MeetingStatus::Scheduled,
            planned_at: start,
        };
        let ics = calendar(&meeting, std::slice::from_ref(&occurrence));
        assert_eq!((ics.name.as_str(), ics.mime.as_str()), ("meeting-7.ics", "text/calendar"));
        let text = String::from_utf8(ics.bytes).expect("utf-8");
        let parsed: Calendar = text.parse().expect("parses as iCalendar");
        let event = parsed.events().next().expect("one event");
        assert_eq!(event.get_uid(), Some("deskmate-meeting-7@deskmate"));
        assert_eq!(event.get_summary(), Some("Budget review, Q4"));
        assert_eq!(event.get_sequence(), Some(0));
        assert_eq!(event.get_status(), Some(EventStatus::Confirmed));
        assert!(text.contains("DTSTART:20261203T090000Z"), "{text}");
        assert!(text.contains("DTEND:20261203T094500Z"), "{text}");
        assert_eq!(event.get_location(), Some("Orion"));

        meeting.status = MeetingStatus::Cancelled;
        meeting.sequence = 1;
        let text = String::from_utf8(calendar(&meeting, std::slice::from_ref(&occurrence)).bytes).expect("utf-8");
        let parsed: Calendar = text.parse().expect("parses");
        let event = parsed.events().next().expect("one event");
        assert_eq!(event.get_uid(), Some("deskmate-meeting-7@deskmate"));
        assert_eq!(event.get_sequence(), Some(1));
        assert_eq!(event.get_status(), Some(EventStatus::Cancelled));
        assert!(text.contains("METHOD:CANCEL"), "{text}");
    }
}

//! A meeting, its occurrences and who comes: states as enums.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::kernel::{AuditAction, PersonName, Subject, id_type, named_enum};

id_type!(
    /// A meeting (one, or a series); shown to people as `#<id>`.
    MeetingId
);
id_type!(
    /// One time a meeting takes place: what people answer and are reminded of.
    OccurrenceId
);

named_enum! {
    pub enum MeetingStatus {
        Scheduled => "scheduled",
        Cancelled => "cancelled",
    }
}

named_enum! {
    /// An attendee's answer for one occurrence.
    pub enum Rsvp {
        /// Not answered yet.
        Pending => "pending",
        Accepted => "accepted",
        Tentative => "tentative",
        Declined => "declined",
    }
}

named_enum! {
    /// What the audit log records of a meeting.
    pub enum MeetingEvent {
        Schedule => "meeting.schedule",
        Rsvp => "meeting.rsvp",
        Cancel => "meeting.cancel",
        Move => "meeting.move",
        Invite => "meeting.invite",
        Remove => "meeting.remove",
        Minutes => "meeting.minutes",
        Action => "meeting.action",
        Skip => "meeting.skip",
    }
}

impl AuditAction for MeetingEvent {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// The audit log's subject for a meeting.
pub fn meeting_subject(id: MeetingId) -> Subject {
    Subject::new("meeting", id.0)
}

/// The notices of one occurrence (the channel's, and each attendee's invitation), edited
/// as answers come in.
pub fn occurrence_subject(id: OccurrenceId) -> Subject {
    Subject::new("meeting-occurrence", id.0)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: MeetingId,
    pub title: String,
    pub organizer: PersonName,
    /// The organiser's zone when it was scheduled: its times are theirs.
    pub tz: Tz,
    pub link: Option<String>,
    pub agenda: Option<String>,
    /// The channel group its notices go to.
    pub channel: Option<String>,
    /// The room it books.
    pub room: Option<String>,
    /// Reminders before each occurrence, in minutes.
    pub reminders: Vec<i64>,
    pub status: MeetingStatus,
    /// Raised by every change, for calendar apps (iCal SEQUENCE).
    pub sequence: i64,
    /// The RRULE body a series repeats by (on the organiser's wall clock); `None` for a
    /// meeting that happens once.
    pub rule: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    pub id: OccurrenceId,
    pub meeting: MeetingId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: MeetingStatus,
    /// When its series' rule put it (a moved occurrence keeps it: iCal RECURRENCE-ID).
    pub planned_at: DateTime<Utc>,
}

/// Someone invited, and their answer for an occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Attendee {
    pub person: PersonName,
    pub rsvp: Rsvp,
    pub note: Option<String>,
}

/// Something someone must do by a date, decided in a meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: i64,
    pub meeting: MeetingId,
    pub owner: PersonName,
    pub due_at: DateTime<Utc>,
    pub text: String,
}

/// A meeting's minutes as last kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Minutes {
    pub text: String,
    pub file: Option<crate::kernel::FileId>,
    pub author: String,
}

/// Something someone is already doing at that time: a meeting (`what` is `Budget review
/// (#1)`), or an entry of their own schedule (`kind` busy or away, `what` its note).
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub person: String,
    pub what: String,
    pub kind: Option<EntryKind>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

named_enum! {
    /// A personal schedule entry: busy (a block of work, an appointment) or away.
    pub enum EntryKind {
        Busy => "busy",
        Away => "away",
    }
}

/// An entry of someone's own schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: i64,
    pub kind: EntryKind,
    pub note: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Meetings held over a span and how their invitations were answered (the office
/// report's attendance).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attendance {
    pub held: i64,
    pub invited: i64,
    pub accepted: i64,
    pub declined: i64,
}

/// One attendee's invitation to one occurrence (their direct message, with its buttons).
pub fn invitation_subject(rsvp_row: i64) -> Subject {
    Subject::new("meeting-invitation", rsvp_row)
}

//! The meeting commands, declared once.

use chrono::{DateTime, Utc};

use super::model::{EntryKind, MeetingId};
use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, OptSpec, Undeclared, arg, cmd, group, opt_arg};
use crate::kernel::Role;
use crate::typed_commands;

/// A meeting number.
const MEETING: ArgKind = ArgKind::Number { noun: "meeting", suggest: "" };

pub static COMMANDS: &[CommandSpec] = &[
    group(
        "meeting",
        "Schedule meetings, answer invitations, get reminded",
        &[
            cmd(
                "schedule",
                "Schedule a meeting: a title, a time, who comes",
                Role::Staff,
                &[
                    arg("title", ArgKind::Word, "the meeting's name, in quotes if it has spaces"),
                    arg("when", ArgKind::DateTime, "e.g. tomorrow 10:00, 2026-12-03 15:00, next monday 9:30"),
                    opt_arg("with", ArgKind::Text, "who comes: @people and #departments, e.g. @bob @carol #Sales"),
                ],
                &[
                    OptSpec { key: "for", kind: ArgKind::Duration, help: "how long, e.g. 45m or 1h30m" },
                    OptSpec { key: "link", kind: ArgKind::Word, help: "where to join, https://…" },
                    OptSpec { key: "agenda", kind: ArgKind::Word, help: "what it is about, in quotes" },
                    OptSpec { key: "room", kind: ArgKind::Word, help: "a room to book (/room list)" },
                    OptSpec { key: "channel", kind: ArgKind::Word, help: "the channel group its notice goes to" },
                    OptSpec { key: "remind", kind: ArgKind::Word, help: "reminders before it, e.g. 1d,15m (none: no)" },
                    OptSpec {
                        key: "repeat",
                        kind: ArgKind::Word,
                        help: "daily, weekdays, weekly, weekly:mon,thu, biweekly, monthly, monthly:second-tue, or FREQ=…",
                    },
                    OptSpec { key: "until", kind: ArgKind::DateTime, help: "a series' last day, e.g. 2027-06-30" },
                    OptSpec {
                        key: "times",
                        kind: ArgKind::Number { noun: "count", suggest: "" },
                        help: "how many times a series takes place",
                    },
                ],
            ),
            cmd(
                "findtime",
                "The earliest times everyone is free, within their working hours, as buttons that schedule it",
                Role::Staff,
                &[arg("who", ArgKind::Text, "@people and #departments, then how long: @bob @carol 45m")],
                &[
                    OptSpec { key: "within", kind: ArgKind::Word, help: "today, tomorrow, week (default) or e.g. 3d" },
                    OptSpec { key: "title", kind: ArgKind::Word, help: "the meeting's name, in quotes" },
                ],
            ),
            cmd("show", "A meeting: when, where, who comes", Role::Staff, &[arg("id", MEETING, "meeting number")], &[]),
            cmd("list", "Your meetings to come", Role::Staff, &[], &[]),
            cmd(
                "move",
                "Move a meeting (its organiser or an admin); everyone is asked again",
                Role::Staff,
                &[
                    arg("id", MEETING, "meeting number"),
                    arg("when", ArgKind::DateTime, "the new time, e.g. tomorrow 15:00"),
                ],
                &[
                    OptSpec { key: "for", kind: ArgKind::Duration, help: "a new length, e.g. 1h" },
                    OptSpec {
                        key: "on",
                        kind: ArgKind::DateTime,
                        help: "which time of a series, by its day (default: the next)",
                    },
                    OptSpec {
                        key: "later",
                        kind: ArgKind::Choice(&["yes", "no"]),
                        help: "yes: every later time of the series moves by the same",
                    },
                ],
            ),
            cmd(
                "skip",
                "Call off one time of a series (its organiser or an admin); everyone is told",
                Role::Staff,
                &[
                    arg("id", MEETING, "meeting number"),
                    arg("on", ArgKind::DateTime, "the day of the time skipped, e.g. 2026-12-24"),
                    opt_arg("reason", ArgKind::Text, "why, told to everyone"),
                ],
                &[OptSpec {
                    key: "later",
                    kind: ArgKind::Choice(&["yes", "no"]),
                    help: "yes: every later time too (the series ends there)",
                }],
            ),
            cmd(
                "invite",
                "Invite more people to a meeting",
                Role::Staff,
                &[arg("id", MEETING, "meeting number"), arg("who", ArgKind::Text, "@people and #departments")],
                &[],
            ),
            cmd(
                "remove",
                "Take someone off a meeting",
                Role::Staff,
                &[arg("id", MEETING, "meeting number"), arg("person", ArgKind::Mention, "who, e.g. @dan")],
                &[],
            ),
            cmd(
                "minutes",
                "Keep a meeting's minutes and send them to everyone invited (text, a link or a file)",
                Role::Staff,
                &[arg("id", MEETING, "meeting number"), opt_arg("text", ArgKind::Text, "what was decided, or a link")],
                &[OptSpec { key: "file", kind: ArgKind::File, help: "the minutes as a file" }],
            ),
            cmd(
                "action",
                "Give someone an action item from a meeting, with a due date",
                Role::Staff,
                &[
                    arg("id", MEETING, "meeting number"),
                    arg("owner", ArgKind::Mention, "who does it, e.g. @dan"),
                    arg("due", ArgKind::DateTime, "by when, e.g. friday 17:00"),
                    arg("text", ArgKind::Text, "what to do"),
                ],
                &[OptSpec { key: "ticket", kind: ArgKind::Choice(&["yes", "no"]), help: "yes: open a ticket instead" }],
            ),
            cmd(
                "cancel",
                "Cancel a meeting (its organiser or an admin); everyone is told",
                Role::Staff,
                &[arg("id", MEETING, "meeting number"), opt_arg("reason", ArgKind::Text, "why, told to everyone")],
                &[],
            ),
        ],
    ),
    cmd(
        "agenda",
        "Your meetings, schedule, and what waits for you: today, tomorrow or this week",
        Role::Staff,
        &[opt_arg("when", ArgKind::Choice(&["today", "tomorrow", "week"]), "today (default), tomorrow or week")],
        &[],
    ),
    group(
        "schedule",
        "Your own schedule: time you are busy or away",
        &[
            cmd(
                "add",
                "Block time in your schedule; meetings booked then show it as a clash",
                Role::Staff,
                &[
                    arg("when", ArgKind::DateTime, "from when, e.g. tomorrow 14:00"),
                    opt_arg("note", ArgKind::Text, "what it is, e.g. dentist"),
                ],
                &[
                    OptSpec { key: "for", kind: ArgKind::Duration, help: "how long, e.g. 2h or 3d (default 1h)" },
                    OptSpec {
                        key: "kind",
                        kind: ArgKind::Choice(&EntryKind::NAMES),
                        help: "busy or away (default busy)",
                    },
                ],
            ),
            cmd("list", "Your schedule to come", Role::Staff, &[], &[]),
            cmd(
                "hours",
                "Your working hours (findtime looks within them): show, set, or back to the company's",
                Role::Staff,
                &[opt_arg("hours", ArgKind::Text, "e.g. mon-fri 09:00-17:30, or default")],
                &[],
            ),
            cmd(
                "digest",
                "Your morning digest of the day by direct message: on or off",
                Role::Staff,
                &[arg("switch", ArgKind::Choice(&["on", "off"]), "on or off")],
                &[],
            ),
            cmd(
                "remove",
                "Take an entry out of your schedule",
                Role::Staff,
                &[arg("entry", ArgKind::Number { noun: "entry", suggest: "" }, "its number (/schedule list)")],
                &[],
            ),
        ],
    ),
    group(
        "ical",
        "Your meetings in your calendar app: a feed it subscribes to",
        &[
            cmd("link", "Your calendar feed's address (keep it to yourself)", Role::Staff, &[], &[]),
            cmd("reset", "A new feed address; the old one stops working", Role::Staff, &[], &[]),
        ],
    ),
    group(
        "room",
        "Meeting rooms and when they are free",
        &[
            cmd("list", "The rooms, with how many each holds and where", Role::Staff, &[], &[]),
            cmd(
                "free",
                "The rooms free at a time",
                Role::Staff,
                &[arg("when", ArgKind::DateTime, "e.g. tomorrow 10:00")],
                &[OptSpec { key: "for", kind: ArgKind::Duration, help: "for how long, e.g. 1h" }],
            ),
        ],
    ),
];

typed_commands! {
    pub enum MeetingCommand {
        "meeting schedule" => Schedule { plan: Typed },
        "meeting findtime" => FindTime { who: String, within: Option<String>, title: Option<String> },
        "meeting show" => Show { id: MeetingId },
        "meeting list" => List,
        "meeting move" => Move {
            id: MeetingId,
            at: DateTime<Utc>,
            length: Option<chrono::Duration>,
            on: Option<DateTime<Utc>>,
            later: bool,
        },
        "meeting skip" => Skip { id: MeetingId, on: DateTime<Utc>, reason: Option<String>, later: bool },
        "meeting invite" => Invite { id: MeetingId, who: String },
        "meeting remove" => Remove { id: MeetingId, person: String },
        "meeting cancel" => Cancel { id: MeetingId, reason: Option<String> },
        "meeting minutes" => Minutes { id: MeetingId, text: Option<String> },
        "meeting action" => Action { id: MeetingId, owner: String, due: DateTime<Utc>, text: String, ticket: bool },
        "schedule add" => AddEntry { at: DateTime<Utc>, length: Option<chrono::Duration>, kind: EntryKind, note: String },
        "schedule list" => Entries,
        "schedule hours" => WorkHours { hours: Option<String> },
        "schedule digest" => Digest { on: bool },
        "schedule remove" => RemoveEntry { id: i64 },
        "agenda" => Agenda { when: String },
        "ical link" => FeedLink,
        "ical reset" => FeedReset,
        "room list" => Rooms,
        "room free" => FreeRooms { at: DateTime<Utc>, length: Option<chrono::Duration> },
    }
}

/// `/meeting schedule` as typed, before anything is looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct Typed {
    pub title: String,
    pub at: DateTime<Utc>,
    pub with: String,
    pub length: Option<chrono::Duration>,
    pub link: Option<String>,
    pub agenda: Option<String>,
    pub channel: Option<String>,
    pub room: Option<String>,
    pub remind: Option<String>,
    pub repeat: Option<String>,
    pub until: Option<DateTime<Utc>>,
    pub times: Option<i64>,
}

impl TryFrom<&Invocation> for MeetingCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        let id = || a.number("id").map(MeetingId);
        Ok(match inv.path.as_slice() {
            ["meeting", "schedule"] => MeetingCommand::Schedule {
                plan: Typed {
                    title: a.text("title")?,
                    at: a.datetime("when")?,
                    with: a.optional("with").unwrap_or_default(),
                    length: a.duration("for"),
                    link: a.optional("link"),
                    agenda: a.optional("agenda"),
                    channel: a.optional("channel"),
                    room: a.optional("room"),
                    remind: a.optional("remind"),
                    repeat: a.optional("repeat"),
                    until: a.optional_datetime("until"),
                    times: a.optional_number("times"),
                },
            },
            ["meeting", "findtime"] => MeetingCommand::FindTime {
                who: a.text("who")?,
                within: a.optional("within"),
                title: a.optional("title"),
            },
            ["meeting", "show"] => MeetingCommand::Show { id: id()? },
            ["meeting", "list"] => MeetingCommand::List,
            ["meeting", "move"] => MeetingCommand::Move {
                id: id()?,
                at: a.datetime("when")?,
                length: a.duration("for"),
                on: a.optional_datetime("on"),
                later: a.optional("later").as_deref() == Some("yes"),
            },
            ["meeting", "skip"] => MeetingCommand::Skip {
                id: id()?,
                on: a.datetime("on")?,
                reason: a.optional("reason"),
                later: a.optional("later").as_deref() == Some("yes"),
            },
            ["meeting", "invite"] => MeetingCommand::Invite { id: id()?, who: a.text("who")? },
            ["meeting", "remove"] => MeetingCommand::Remove { id: id()?, person: a.mention("person")? },
            ["meeting", "minutes"] => MeetingCommand::Minutes { id: id()?, text: a.optional("text") },
            ["meeting", "action"] => MeetingCommand::Action {
                id: id()?,
                owner: a.mention("owner")?,
                due: a.datetime("due")?,
                text: a.text("text")?,
                ticket: a.optional("ticket").as_deref() == Some("yes"),
            },
            ["schedule", "add"] => MeetingCommand::AddEntry {
                at: a.datetime("when")?,
                length: a.duration("for"),
                kind: a.choice("kind").unwrap_or(EntryKind::Busy),
                note: a.optional("note").unwrap_or_default(),
            },
            ["schedule", "list"] => MeetingCommand::Entries,
            ["schedule", "hours"] => MeetingCommand::WorkHours { hours: a.optional("hours") },
            ["schedule", "digest"] => MeetingCommand::Digest { on: a.text("switch")? == "on" },
            ["schedule", "remove"] => MeetingCommand::RemoveEntry { id: a.number("entry")? },
            ["agenda"] => MeetingCommand::Agenda { when: a.optional("when").unwrap_or_else(|| "today".to_owned()) },
            ["ical", "link"] => MeetingCommand::FeedLink,
            ["ical", "reset"] => MeetingCommand::FeedReset,
            ["room", "list"] => MeetingCommand::Rooms,
            ["room", "free"] => MeetingCommand::FreeRooms { at: a.datetime("when")?, length: a.duration("for") },
            ["meeting", "cancel"] => MeetingCommand::Cancel { id: id()?, reason: a.optional("reason") },
            _ => return a.undeclared(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::commands::check_typed;

    #[test]
    fn every_declared_command_is_typed_and_every_variant_declared() {
        check_typed::<MeetingCommand>(COMMANDS);
    }
}

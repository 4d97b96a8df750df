//! The meeting commands, declared once.

use chrono::{DateTime, Utc};

use super::model::{EntryKind, MeetingId};
use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, OptSpec, Undeclared, arg, cmd, group, opt_arg};
use crate::kernel::Role;
use crate::typed_commands;

/// A meeting number.
const MEETING: ArgKind = ArgKind::Number { noun: "meeting", suggest: "" };

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "meetings commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] = &[
    group(
        "meeting",
        &[
            cmd(
                "schedule",
                Role::Staff,
                &[arg("title", ArgKind::Word), arg("when", ArgKind::DateTime), opt_arg("with", ArgKind::Text)],
                &[
                    OptSpec { key: "for", kind: ArgKind::Duration },
                    OptSpec { key: "link", kind: ArgKind::Word },
                    OptSpec { key: "agenda", kind: ArgKind::Word },
                    OptSpec { key: "room", kind: ArgKind::Word },
                    OptSpec { key: "channel", kind: ArgKind::Word },
                    OptSpec { key: "remind", kind: ArgKind::Word },
                    OptSpec { key: "repeat", kind: ArgKind::Word },
                    OptSpec { key: "until", kind: ArgKind::DateTime },
                    OptSpec { key: "times", kind: ArgKind::Number { noun: "count", suggest: "" } },
                ],
            ),
            cmd(
                "findtime",
                Role::Staff,
                &[arg("who", ArgKind::Text)],
                &[OptSpec { key: "within", kind: ArgKind::Word }, OptSpec { key: "title", kind: ArgKind::Word }],
            ),
            cmd("show", Role::Staff, &[arg("id", MEETING)], &[]),
            cmd("list", Role::Staff, &[], &[]),
            cmd(
                "move",
                Role::Staff,
                &[arg("id", MEETING), arg("when", ArgKind::DateTime)],
                &[
                    OptSpec { key: "for", kind: ArgKind::Duration },
                    OptSpec { key: "on", kind: ArgKind::DateTime },
                    OptSpec { key: "later", kind: ArgKind::Choice(&["yes", "no"]) },
                ],
            ),
            cmd(
                "skip",
                Role::Staff,
                &[arg("id", MEETING), arg("on", ArgKind::DateTime), opt_arg("reason", ArgKind::Text)],
                &[OptSpec { key: "later", kind: ArgKind::Choice(&["yes", "no"]) }],
            ),
            cmd("invite", Role::Staff, &[arg("id", MEETING), arg("who", ArgKind::Text)], &[]),
            cmd("remove", Role::Staff, &[arg("id", MEETING), arg("person", ArgKind::Mention)], &[]),
            cmd(
                "minutes",
                Role::Staff,
                &[arg("id", MEETING), opt_arg("text", ArgKind::Text)],
                &[OptSpec { key: "file", kind: ArgKind::File }],
            ),
            cmd(
                "action",
                Role::Staff,
                &[
                    arg("id", MEETING),
                    arg("owner", ArgKind::Mention),
                    arg("due", ArgKind::DateTime),
                    arg("text", ArgKind::Text),
                ],
                &[OptSpec { key: "ticket", kind: ArgKind::Choice(&["yes", "no"]) }],
            ),
            cmd("cancel", Role::Staff, &[arg("id", MEETING), opt_arg("reason", ArgKind::Text)], &[]),
        ],
    ),
    cmd("agenda", Role::Staff, &[opt_arg("when", ArgKind::Choice(&["today", "tomorrow", "week"]))], &[]),
    group(
        "schedule",
        &[
            cmd(
                "add",
                Role::Staff,
                &[arg("when", ArgKind::DateTime), opt_arg("note", ArgKind::Text)],
                &[
                    OptSpec { key: "for", kind: ArgKind::Duration },
                    OptSpec { key: "kind", kind: ArgKind::Choice(&EntryKind::NAMES) },
                ],
            ),
            cmd("list", Role::Staff, &[], &[]),
            cmd("hours", Role::Staff, &[opt_arg("hours", ArgKind::Text)], &[]),
            cmd("digest", Role::Staff, &[arg("switch", ArgKind::Choice(&["on", "off"]))], &[]),
            cmd("remove", Role::Staff, &[arg("entry", ArgKind::Number { noun: "entry", suggest: "" })], &[]),
        ],
    ),
    group("ical", &[cmd("link", Role::Staff, &[], &[]), cmd("reset", Role::Staff, &[], &[])]),
    group(
        "room",
        &[
            cmd("list", Role::Staff, &[], &[]),
            cmd(
                "free",
                Role::Staff,
                &[arg("when", ArgKind::DateTime)],
                &[OptSpec { key: "for", kind: ArgKind::Duration }],
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

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }
}

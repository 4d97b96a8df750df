//! The tickets feature's commands: declared once, and read into [`TicketCommand`].

use super::model::{ListScope, Priority, TicketId};
use crate::chat::commands::{
    ArgKind, Args, CommandSpec, Invocation, OptSpec, RateClass, Undeclared, arg, cmd, group, limited, opt_arg,
};
use crate::kernel::Role;
use crate::typed_commands;

/// Opening tickets has a per-person limit of its own (`[limits] tickets_per_minute`).
pub const NEW_TICKETS: RateClass = RateClass { key: "tickets" };

/// A ticket number argument, with suggestions of the tickets the person may act on.
const TICKET: ArgKind = ArgKind::Number { noun: "ticket", suggest: super::SUGGEST };

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "tickets commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] = &[
    group(
        "ticket",
        &[
            limited(
                cmd(
                    "new",
                    Role::Staff,
                    &[arg("title", ArgKind::Text)],
                    &[
                        OptSpec { key: "priority", kind: ArgKind::Choice(&Priority::NAMES) },
                        OptSpec { key: "category", kind: ArgKind::Word },
                    ],
                ),
                NEW_TICKETS,
            ),
            cmd(
                "list",
                Role::Staff,
                &[],
                &[
                    OptSpec { key: "status", kind: ArgKind::Choice(&ListScope::NAMES) },
                    OptSpec { key: "mine", kind: ArgKind::Choice(&["yes", "no"]) },
                ],
            ),
            cmd("show", Role::Staff, &[arg("id", TICKET)], &[]),
            cmd("history", Role::Staff, &[arg("id", TICKET)], &[]),
            cmd("claim", Role::Agent, &[arg("id", TICKET)], &[]),
            cmd("start", Role::Agent, &[arg("id", TICKET)], &[]),
            cmd("wait", Role::Agent, &[arg("id", TICKET), opt_arg("question", ArgKind::Text)], &[]),
            cmd("resolve", Role::Agent, &[arg("id", TICKET), arg("resolution", ArgKind::Text)], &[]),
            cmd("close", Role::Staff, &[arg("id", TICKET), opt_arg("resolution", ArgKind::Text)], &[]),
            cmd("reopen", Role::Staff, &[arg("id", TICKET), opt_arg("why", ArgKind::Text)], &[]),
            cmd("assign", Role::Agent, &[arg("id", TICKET), arg("agent", ArgKind::Mention)], &[]),
            cmd("unassign", Role::Agent, &[arg("id", TICKET)], &[]),
            cmd("move", Role::Agent, &[arg("id", TICKET), arg("category", ArgKind::Word)], &[]),
            cmd("reply", Role::Staff, &[arg("id", TICKET), arg("text", ArgKind::Text)], &[]),
            cmd("note", Role::Agent, &[arg("id", TICKET), arg("text", ArgKind::Text)], &[]),
            cmd("watch", Role::Staff, &[arg("id", TICKET)], &[]),
            cmd("unwatch", Role::Staff, &[arg("id", TICKET)], &[]),
            cmd("tag", Role::Agent, &[arg("id", TICKET), arg("tags", ArgKind::Text)], &[]),
            cmd("merge", Role::Agent, &[arg("dup", TICKET), arg("into", TICKET)], &[]),
            cmd("link", Role::Agent, &[arg("id", TICKET), arg("other", TICKET)], &[]),
            cmd("panel", Role::Agent, &[opt_arg("category", ArgKind::Word)], &[]),
            cmd("transcript", Role::Staff, &[arg("id", TICKET)], &[]),
            cmd("priority", Role::Agent, &[arg("id", TICKET), arg("priority", ArgKind::Choice(&Priority::NAMES))], &[]),
            cmd(
                "search",
                Role::Staff,
                &[arg("words", ArgKind::Text)],
                &[
                    OptSpec { key: "status", kind: ArgKind::Choice(&ListScope::NAMES) },
                    OptSpec { key: "assignee", kind: ArgKind::Mention },
                    OptSpec { key: "priority", kind: ArgKind::Choice(&Priority::NAMES) },
                    OptSpec { key: "category", kind: ArgKind::Word },
                    OptSpec { key: "tag", kind: ArgKind::Word },
                    OptSpec { key: "from", kind: ArgKind::DateTime },
                    OptSpec { key: "to", kind: ArgKind::DateTime },
                ],
            ),
        ],
    ),
    group(
        "canned",
        &[
            cmd("add", Role::Admin, &[arg("name", ArgKind::Word), arg("text", ArgKind::Text)], &[]),
            cmd("list", Role::Agent, &[], &[]),
            cmd("remove", Role::Admin, &[arg("name", ArgKind::Word)], &[]),
        ],
    ),
    cmd("reply", Role::Agent, &[arg("name", ArgKind::Word), arg("id", TICKET)], &[]),
    group(
        "report",
        &[
            cmd(
                "tickets",
                Role::Agent,
                &[opt_arg("period", ArgKind::Period)],
                &[OptSpec { key: "category", kind: ArgKind::Word }],
            ),
            cmd(
                "export",
                Role::Agent,
                &[opt_arg("period", ArgKind::Period)],
                &[OptSpec { key: "category", kind: ArgKind::Word }],
            ),
        ],
    ),
];

typed_commands! {
    pub enum TicketCommand {
        "ticket new" => New { title: String, priority: Priority, category: Option<String> },
        "ticket list" => List { scope: ListScope, mine: bool },
        "ticket show" => Show { id: TicketId },
        "ticket history" => History { id: TicketId },
        "ticket claim" => Claim { id: TicketId },
        "ticket start" => Start { id: TicketId },
        "ticket wait" => Wait { id: TicketId, question: Option<String> },
        "ticket resolve" => Resolve { id: TicketId, resolution: String },
        "ticket close" => Close { id: TicketId, resolution: Option<String> },
        "ticket reopen" => Reopen { id: TicketId, why: Option<String> },
        "ticket assign" => Assign { id: TicketId, agent: String },
        "ticket unassign" => Unassign { id: TicketId },
        "ticket move" => Move { id: TicketId, category: String },
        "ticket reply" => Reply { id: TicketId, text: String },
        "ticket note" => Note { id: TicketId, text: String },
        "ticket watch" => Watch { id: TicketId },
        "ticket unwatch" => Unwatch { id: TicketId },
        "ticket tag" => Tag { id: TicketId, tags: String },
        "ticket merge" => Merge { dup: TicketId, into: TicketId },
        "ticket link" => Link { id: TicketId, other: TicketId },
        "ticket panel" => Panel { category: Option<String> },
        "ticket transcript" => Transcript { id: TicketId },
        "ticket priority" => Reprioritize { id: TicketId, priority: Priority },
        "ticket search" => Search {
            words: String,
            scope: Option<ListScope>,
            assignee: Option<String>,
            priority: Option<Priority>,
            category: Option<String>,
            tag: Option<String>,
            from: Option<chrono::DateTime<chrono::Utc>>,
            to: Option<chrono::DateTime<chrono::Utc>>,
        },
        "canned add" => CannedAdd { name: String, text: String },
        "canned list" => CannedList,
        "canned remove" => CannedRemove { name: String },
        "reply" => Canned { name: String, id: TicketId },
        "report tickets" => Report { span: Option<crate::chat::feature::Span>, category: Option<String> },
        "report export" => Export { span: Option<crate::chat::feature::Span>, category: Option<String> },
    }
}

impl TryFrom<&Invocation> for TicketCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        let id = || a.number("id").map(TicketId);
        Ok(match inv.path.as_slice() {
            ["ticket", "new"] => TicketCommand::New {
                title: a.text("title")?,
                priority: a.choice("priority").unwrap_or(Priority::Normal),
                category: a.optional("category"),
            },
            ["ticket", "list"] => TicketCommand::List {
                scope: a.choice("status").unwrap_or(ListScope::Active),
                mine: a.optional("mine").as_deref() == Some("yes"),
            },
            ["ticket", "show"] => TicketCommand::Show { id: id()? },
            ["ticket", "history"] => TicketCommand::History { id: id()? },
            ["ticket", "claim"] => TicketCommand::Claim { id: id()? },
            ["ticket", "start"] => TicketCommand::Start { id: id()? },
            ["ticket", "wait"] => TicketCommand::Wait { id: id()?, question: a.optional("question") },
            ["ticket", "resolve"] => TicketCommand::Resolve { id: id()?, resolution: a.text("resolution")? },
            ["ticket", "close"] => TicketCommand::Close { id: id()?, resolution: a.optional("resolution") },
            ["ticket", "reopen"] => TicketCommand::Reopen { id: id()?, why: a.optional("why") },
            ["ticket", "assign"] => TicketCommand::Assign { id: id()?, agent: a.mention("agent")? },
            ["ticket", "unassign"] => TicketCommand::Unassign { id: id()? },
            ["ticket", "move"] => TicketCommand::Move { id: id()?, category: a.text("category")? },
            ["ticket", "reply"] => TicketCommand::Reply { id: id()?, text: a.text("text")? },
            ["ticket", "note"] => TicketCommand::Note { id: id()?, text: a.text("text")? },
            ["ticket", "watch"] => TicketCommand::Watch { id: id()? },
            ["ticket", "unwatch"] => TicketCommand::Unwatch { id: id()? },
            ["ticket", "tag"] => TicketCommand::Tag { id: id()?, tags: a.text("tags")? },
            ["ticket", "merge"] => {
                TicketCommand::Merge { dup: TicketId(a.number("dup")?), into: TicketId(a.number("into")?) }
            }
            ["ticket", "link"] => TicketCommand::Link { id: id()?, other: TicketId(a.number("other")?) },
            ["ticket", "panel"] => TicketCommand::Panel { category: a.optional("category") },
            ["ticket", "transcript"] => TicketCommand::Transcript { id: id()? },
            ["ticket", "priority"] => {
                TicketCommand::Reprioritize { id: id()?, priority: a.choice("priority").unwrap_or(Priority::Normal) }
            }
            ["ticket", "search"] => TicketCommand::Search {
                words: a.text("words")?,
                scope: a.choice("status"),
                assignee: inv.mention("assignee").map(str::to_owned),
                priority: a.choice("priority"),
                category: a.optional("category"),
                tag: a.optional("tag"),
                from: a.optional_datetime("from"),
                to: a.optional_datetime("to"),
            },
            ["canned", "add"] => TicketCommand::CannedAdd { name: a.text("name")?, text: a.text("text")? },
            ["canned", "list"] => TicketCommand::CannedList,
            ["canned", "remove"] => TicketCommand::CannedRemove { name: a.text("name")? },
            ["reply"] => TicketCommand::Canned { name: a.text("name")?, id: id()? },
            ["report", "tickets"] => TicketCommand::Report { span: a.span("period"), category: a.optional("category") },
            ["report", "export"] => TicketCommand::Export { span: a.span("period"), category: a.optional("category") },
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
        check_typed::<TicketCommand>(COMMANDS);
    }

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }
}

//! The tickets feature's commands: declared once, and read into [`TicketCommand`].

use super::model::{ListScope, Priority, TicketId};
use crate::chat::commands::{
    ArgKind, Args, CommandSpec, Invocation, OptSpec, RateClass, Undeclared, arg, cmd, group, limited, opt_arg,
};
use crate::kernel::Role;
use crate::typed_commands;

/// Opening tickets has a per-person limit of its own (`[limits] tickets_per_minute`).
pub const NEW_TICKETS: RateClass = RateClass { key: "tickets", noun: "new tickets" };

/// A ticket number argument, with suggestions of the tickets the person may act on.
const TICKET: ArgKind = ArgKind::Number { noun: "ticket", suggest: super::SUGGEST };

pub static COMMANDS: &[CommandSpec] = &[group(
    "ticket",
    "Open and work on help-desk tickets",
    &[
        limited(
            cmd(
                "new",
                "Open a ticket; it is posted to the support queue",
                Role::Staff,
                &[arg("title", ArgKind::Text, "what is wrong, in a line")],
                &[OptSpec {
                    key: "priority",
                    kind: ArgKind::Choice(&Priority::NAMES),
                    help: "how urgent (default normal)",
                }],
            ),
            NEW_TICKETS,
        ),
        cmd(
            "list",
            "List tickets: the queue for agents, your own for everyone else",
            Role::Staff,
            &[],
            &[
                OptSpec {
                    key: "status",
                    kind: ArgKind::Choice(&ListScope::NAMES),
                    help: "which tickets (default active)",
                },
                OptSpec { key: "mine", kind: ArgKind::Choice(&["yes", "no"]), help: "only tickets you opened or hold" },
            ],
        ),
        cmd(
            "show",
            "Show a ticket and its history",
            Role::Staff,
            &[arg("id", TICKET, "ticket number, e.g. 12 or #12")],
            &[],
        ),
        cmd("claim", "Take a ticket from the queue", Role::Agent, &[arg("id", TICKET, "ticket number")], &[]),
        cmd(
            "close",
            "Close a ticket (its agent, any agent, or the requester withdrawing it)",
            Role::Staff,
            &[arg("id", TICKET, "ticket number"), opt_arg("resolution", ArgKind::Text, "what fixed it")],
            &[],
        ),
    ],
)];

typed_commands! {
    pub enum TicketCommand {
        "ticket new" => New { title: String, priority: Priority },
        "ticket list" => List { scope: ListScope, mine: bool },
        "ticket show" => Show { id: TicketId },
        "ticket claim" => Claim { id: TicketId },
        "ticket close" => Close { id: TicketId, resolution: Option<String> },
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
            },
            ["ticket", "list"] => TicketCommand::List {
                scope: a.choice("status").unwrap_or(ListScope::Active),
                mine: a.optional("mine").as_deref() == Some("yes"),
            },
            ["ticket", "show"] => TicketCommand::Show { id: id()? },
            ["ticket", "claim"] => TicketCommand::Claim { id: id()? },
            ["ticket", "close"] => TicketCommand::Close { id: id()?, resolution: a.optional("resolution") },
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
}

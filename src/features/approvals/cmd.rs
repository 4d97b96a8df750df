//! The approvals feature's commands: declared once, and read into [`ApprovalCommand`].

use super::model::{RequestId, RequestStatus};
use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, OptSpec, Undeclared, arg, cmd, group, opt_arg};
use crate::kernel::{Role, named_enum};
use crate::typed_commands;

/// A document for the request's document field (a quote, a receipt), attached.
const FILE: OptSpec =
    OptSpec { key: "file", kind: ArgKind::File, help: "a document for the request (a quote, a receipt)" };

/// A request number, with suggestions of the requests the person may act on.
const REQUEST: ArgKind = ArgKind::Number { noun: "approval request", suggest: super::SUGGEST };

named_enum! {
    /// The span of a report, ending now.
    pub enum Period {
        Week => "week",
        Month => "month",
    }
}

impl Period {
    pub fn length(self) -> chrono::Duration {
        match self {
            Period::Week => chrono::Duration::days(7),
            Period::Month => chrono::Duration::days(30),
        }
    }
}

named_enum! {
    /// Which requests `/approval list` shows.
    pub enum ListScope {
        /// Waiting for the caller's decision (theirs or as a delegate).
        Pending => "pending",
        /// The caller's own requests.
        Mine => "mine",
        /// Everyone's (admins).
        All => "all",
    }
}

pub static COMMANDS: &[CommandSpec] = &[
    cmd(
        "away",
        "Away until a date: your approvals go to your manager (or to:@someone); /away off ends it",
        Role::Staff,
        &[arg("until", ArgKind::Text, "until <date>, e.g. until friday; or off")],
        &[OptSpec { key: "to", kind: ArgKind::Mention, help: "who decides for you (default your manager)" }],
    ),
    group(
        "report",
        "Reports",
        &[cmd(
            "approvals",
            "Approvals per type and outcome, and how long each step takes to decide (managers)",
            Role::Manager,
            &[opt_arg("period", ArgKind::Choice(&Period::NAMES), "week or month (default week)")],
            &[],
        )],
    ),
    group(
        "approval",
        "Ask for approvals and decide on them",
        &[
            cmd("types", "What can be requested, and the fields each request takes", Role::Staff, &[], &[]),
            cmd(
                "request",
                "Ask for an approval: the type, then its fields as name:value",
                Role::Staff,
                &[
                    arg("type", ArgKind::Word, "what kind of request, e.g. leave (see /approval types)"),
                    opt_arg("fields", ArgKind::Text, "e.g. dates:2026-12-01..2026-12-05 reason:family visit"),
                ],
                &[FILE],
            ),
            cmd(
                "approve",
                "Approve the step waiting for you",
                Role::Staff,
                &[
                    arg("id", REQUEST, "request number, e.g. 12"),
                    opt_arg("note", ArgKind::Text, "a note for the requester"),
                ],
                &[],
            ),
            cmd(
                "reject",
                "Reject a request, with the reason",
                Role::Staff,
                &[
                    arg("id", REQUEST, "request number"),
                    opt_arg("reason", ArgKind::Text, "why (asked for when left out)"),
                ],
                &[],
            ),
            cmd(
                "changes",
                "Send a request back for changes, saying which",
                Role::Staff,
                &[
                    arg("id", REQUEST, "request number"),
                    opt_arg("reason", ArgKind::Text, "what to change (asked for when left out)"),
                ],
                &[],
            ),
            cmd(
                "withdraw",
                "Withdraw your request while it is open",
                Role::Staff,
                &[arg("id", REQUEST, "request number")],
                &[],
            ),
            cmd(
                "resubmit",
                "Send your request again after changes were asked for, with the fields that changed",
                Role::Staff,
                &[
                    arg("id", REQUEST, "request number"),
                    opt_arg("fields", ArgKind::Text, "the changed fields as name:value"),
                ],
                &[FILE],
            ),
            cmd(
                "show",
                "A request's fields, route and full history",
                Role::Staff,
                &[arg("id", REQUEST, "request number")],
                &[],
            ),
            cmd(
                "delegate",
                "Let someone decide your approvals until a date",
                Role::Staff,
                &[
                    arg("person", ArgKind::Mention, "who, e.g. @carol"),
                    arg("until", ArgKind::Text, "until <date>, e.g. until 2026-12-10 or until friday"),
                ],
                &[],
            ),
            cmd("undelegate", "End your delegation now", Role::Staff, &[], &[]),
            cmd(
                "list",
                "Requests waiting for you (pending), your own (mine), or everyone's (all, admins)",
                Role::Staff,
                &[opt_arg("which", ArgKind::Choice(&ListScope::NAMES), "pending, mine or all (default pending)")],
                &[
                    OptSpec { key: "type", kind: ArgKind::Word, help: "only this type" },
                    OptSpec { key: "status", kind: ArgKind::Choice(&RequestStatus::NAMES), help: "only this status" },
                    OptSpec { key: "since", kind: ArgKind::Word, help: "made on or after this date, e.g. 2026-11-01" },
                    OptSpec { key: "page", kind: ArgKind::Number { noun: "page", suggest: "" }, help: "page number" },
                ],
            ),
        ],
    ),
];

typed_commands! {
    pub enum ApprovalCommand {
        "approval types" => Types,
        "approval request" => Request { kind: String, fields: String },
        "approval approve" => Approve { id: RequestId, note: Option<String> },
        "approval reject" => Reject { id: RequestId, reason: Option<String> },
        "approval changes" => Changes { id: RequestId, reason: Option<String> },
        "approval withdraw" => Withdraw { id: RequestId },
        "approval resubmit" => Resubmit { id: RequestId, fields: String },
        "approval show" => Show { id: RequestId },
        "approval list" => List { scope: ListScope, filter: ListOptions },
        "approval delegate" => Delegate { person: String, until: String },
        "approval undelegate" => Undelegate,
        "away" => Away { until: String, to: Option<String> },
        "report approvals" => Report { period: Period },
    }
}

/// The options of `/approval list`, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListOptions {
    pub kind: Option<String>,
    pub status: Option<RequestStatus>,
    pub since: Option<String>,
    pub page: Option<i64>,
}

impl TryFrom<&Invocation> for ApprovalCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        let id = || a.number("id").map(RequestId);
        Ok(match inv.path.as_slice() {
            ["approval", "types"] => ApprovalCommand::Types,
            ["approval", "request"] => {
                ApprovalCommand::Request { kind: a.text("type")?, fields: a.optional("fields").unwrap_or_default() }
            }
            ["approval", "approve"] => ApprovalCommand::Approve { id: id()?, note: a.optional("note") },
            ["approval", "reject"] => ApprovalCommand::Reject { id: id()?, reason: a.optional("reason") },
            ["approval", "changes"] => ApprovalCommand::Changes { id: id()?, reason: a.optional("reason") },
            ["approval", "withdraw"] => ApprovalCommand::Withdraw { id: id()? },
            ["approval", "resubmit"] => {
                ApprovalCommand::Resubmit { id: id()?, fields: a.optional("fields").unwrap_or_default() }
            }
            ["approval", "show"] => ApprovalCommand::Show { id: id()? },
            ["approval", "list"] => ApprovalCommand::List {
                scope: a.choice("which").unwrap_or(ListScope::Pending),
                filter: ListOptions {
                    kind: a.optional("type"),
                    status: a.choice("status"),
                    since: a.optional("since"),
                    page: inv.number("page"),
                },
            },
            ["approval", "delegate"] => {
                ApprovalCommand::Delegate { person: a.mention("person")?, until: a.text("until")? }
            }
            ["approval", "undelegate"] => ApprovalCommand::Undelegate,
            ["report", "approvals"] => ApprovalCommand::Report { period: a.choice("period").unwrap_or(Period::Week) },
            ["away"] => ApprovalCommand::Away { until: a.text("until")?, to: inv.mention("to").map(str::to_owned) },
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
        check_typed::<ApprovalCommand>(COMMANDS);
    }
}

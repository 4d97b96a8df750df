//! The approvals feature's commands: declared once, and read into [`ApprovalCommand`].

use super::model::{RequestId, RequestStatus};
use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, OptSpec, Undeclared, arg, cmd, group, opt_arg};
use crate::kernel::{Role, named_enum};
use crate::typed_commands;

/// A document for the request's document field (a quote, a receipt), attached.
const FILE: OptSpec = OptSpec { key: "file", kind: ArgKind::File };

/// A request number, with suggestions of the requests the person may act on.
const REQUEST: ArgKind = ArgKind::Number { noun: "request", suggest: super::SUGGEST };

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

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "approvals commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] = &[
    cmd("away", Role::Staff, &[arg("until", ArgKind::Text)], &[OptSpec { key: "to", kind: ArgKind::Mention }]),
    cmd("back", Role::Staff, &[], &[]),
    group("report", &[cmd("approvals", Role::Manager, &[opt_arg("period", ArgKind::Period)], &[])]),
    group(
        "approval",
        &[
            cmd("types", Role::Staff, &[], &[]),
            cmd("request", Role::Staff, &[arg("type", ArgKind::Word), opt_arg("fields", ArgKind::Text)], &[FILE]),
            cmd("approve", Role::Staff, &[arg("id", REQUEST), opt_arg("note", ArgKind::Text)], &[]),
            cmd("reject", Role::Staff, &[arg("id", REQUEST), opt_arg("reason", ArgKind::Text)], &[]),
            cmd("changes", Role::Staff, &[arg("id", REQUEST), opt_arg("reason", ArgKind::Text)], &[]),
            cmd("withdraw", Role::Staff, &[arg("id", REQUEST)], &[]),
            cmd("resubmit", Role::Staff, &[arg("id", REQUEST), opt_arg("fields", ArgKind::Text)], &[FILE]),
            cmd("show", Role::Staff, &[arg("id", REQUEST)], &[]),
            cmd("delegate", Role::Staff, &[arg("person", ArgKind::Mention), arg("until", ArgKind::Text)], &[]),
            cmd("undelegate", Role::Staff, &[], &[]),
            cmd(
                "list",
                Role::Staff,
                &[opt_arg("which", ArgKind::Choice(&ListScope::NAMES))],
                &[
                    OptSpec { key: "type", kind: ArgKind::Word },
                    OptSpec { key: "status", kind: ArgKind::Choice(&RequestStatus::NAMES) },
                    OptSpec { key: "since", kind: ArgKind::Word },
                    OptSpec { key: "page", kind: ArgKind::Number { noun: "page", suggest: "" } },
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
        "back" => Back,
        "report approvals" => Report { span: Option<crate::chat::feature::Span> },
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
            ["report", "approvals"] => ApprovalCommand::Report { span: a.span("period") },
            ["away"] => ApprovalCommand::Away { until: a.text("until")?, to: inv.mention("to").map(str::to_owned) },
            ["back"] => ApprovalCommand::Back,
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

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }
}

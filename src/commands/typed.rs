//! Every declared command as a typed value: the parser checks words against the
//! declarations, and this turns the checked invocation into the one `Command` the
//! router runs, so the router matches on types, never on strings. A unit test parses a
//! sample of every declared command and requires it to convert.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::Invocation;
use crate::domain::{ListScope, Priority, Role, TicketId};

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help { command: Option<String> },
    TicketNew { title: String, priority: Priority },
    TicketList { scope: ListScope, mine: bool },
    TicketShow { id: TicketId },
    TicketClaim { id: TicketId },
    TicketClose { id: TicketId, resolution: Option<String> },
    Whoami,
    Whereami,
    RoleGrant { person: String, role: Role },
    RoleRevoke { person: String, role: Role },
    DeptCreate { name: String },
    DeptAdd { dept: String, person: String },
    DeptSetManager { dept: String, person: String },
    DeptList,
    TzSet { zone: Tz },
    Link { code: Option<String> },
    Remind { at: DateTime<Utc>, text: String },
    ScheduleJobs,
}

/// A declared command with no typed form, or a value the declaration promised and the
/// invocation lacks: the declarations and this file disagree (a bug, caught by tests).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Undeclared {
    #[error("/{0} is declared but has no typed command")]
    Command(String),
    #[error("/{path}: <{name}> is missing or of the wrong kind")]
    Value { path: String, name: &'static str },
}

impl TryFrom<&Invocation> for Command {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Command, Undeclared> {
        let missing = |name: &'static str| Undeclared::Value { path: inv.full_name(), name };
        let text = |name: &'static str| inv.text(name).map(str::to_owned).ok_or_else(|| missing(name));
        let mention = |name: &'static str| inv.mention(name).map(str::to_owned).ok_or_else(|| missing(name));
        let ticket = |name: &'static str| inv.ticket(name).ok_or_else(|| missing(name));
        let role =
            |name: &'static str| inv.text(name).and_then(|r| r.parse::<Role>().ok()).ok_or_else(|| missing(name));
        let optional = |name: &'static str| inv.text(name).map(str::to_owned);
        Ok(match inv.path.as_slice() {
            ["help"] => Command::Help { command: optional("command") },
            ["ticket", "new"] => Command::TicketNew {
                title: text("title")?,
                priority: inv.text("priority").and_then(|p| p.parse().ok()).unwrap_or(Priority::Normal),
            },
            ["ticket", "list"] => Command::TicketList {
                scope: inv.text("status").and_then(|s| s.parse().ok()).unwrap_or(ListScope::Active),
                mine: inv.text("mine") == Some("yes"),
            },
            ["ticket", "show"] => Command::TicketShow { id: ticket("id")? },
            ["ticket", "claim"] => Command::TicketClaim { id: ticket("id")? },
            ["ticket", "close"] => Command::TicketClose { id: ticket("id")?, resolution: optional("resolution") },
            ["whoami"] => Command::Whoami,
            ["whereami"] => Command::Whereami,
            ["role", "grant"] => Command::RoleGrant { person: mention("person")?, role: role("role")? },
            ["role", "revoke"] => Command::RoleRevoke { person: mention("person")?, role: role("role")? },
            ["dept", "create"] => Command::DeptCreate { name: text("name")? },
            ["dept", "add"] => Command::DeptAdd { dept: text("name")?, person: mention("person")? },
            ["dept", "set-manager"] => Command::DeptSetManager { dept: text("name")?, person: mention("person")? },
            ["dept", "list"] => Command::DeptList,
            ["tz", "set"] => Command::TzSet { zone: inv.zone("zone").ok_or_else(|| missing("zone"))? },
            ["link"] => Command::Link { code: optional("code") },
            ["remind"] => {
                Command::Remind { at: inv.datetime("when").ok_or_else(|| missing("when"))?, text: text("text")? }
            }
            ["schedule", "jobs"] => Command::ScheduleJobs,
            _ => return Err(Undeclared::Command(inv.full_name())),
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::commands::{ArgKind, COMMANDS, CommandSpec, ParseContext, parse};

    fn ctx() -> ParseContext {
        ParseContext {
            now: Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).single().expect("valid"),
            tz: chrono_tz::UTC,
            horizon: chrono::Duration::days(3650),
        }
    }

    fn sample(kind: ArgKind) -> String {
        match kind {
            ArgKind::Word => "Sales".to_owned(),
            ArgKind::Text => "some words".to_owned(),
            ArgKind::Ticket => "#3".to_owned(),
            ArgKind::Mention => "@bob".to_owned(),
            ArgKind::DateTime => "in 2h".to_owned(),
            ArgKind::Choice(words) => words[0].to_owned(),
            ArgKind::TimeZone => "Europe/Berlin".to_owned(),
        }
    }

    fn leaves<'a>(spec: &'a CommandSpec, path: &mut Vec<&'a str>, out: &mut Vec<(String, &'a CommandSpec)>) {
        path.push(spec.name);
        if spec.subcommands.is_empty() {
            out.push((path.join(" "), spec));
        }
        for sub in spec.subcommands {
            leaves(sub, path, out);
        }
        path.pop();
    }

    /// Every declared command, with its required arguments and with every option,
    /// converts to its typed form: declared-but-not-handled fails here.
    #[test]
    fn every_declared_command_has_a_typed_form() {
        let ctx = ctx();
        let mut all = Vec::new();
        for spec in COMMANDS {
            leaves(spec, &mut Vec::new(), &mut all);
        }
        assert!(all.len() >= 18, "{}", all.len());
        for (path, spec) in all {
            let mut required = vec![format!("/{path}")];
            required.extend(spec.args.iter().filter(|a| a.required).map(|a| sample(a.kind)));
            let mut full = required.clone();
            full.extend(spec.args.iter().filter(|a| !a.required).map(|a| sample(a.kind)));
            full.extend(spec.options.iter().map(|o| format!("{}:{}", o.key, sample(o.kind))));
            for line in [required.join(" "), full.join(" ")] {
                let inv = parse(&line, &ctx).unwrap_or_else(|e| panic!("{line}: {e}"));
                let command = Command::try_from(&inv).unwrap_or_else(|e| panic!("{line}: {e}"));
                assert_ne!(format!("{command:?}"), "", "{line}");
            }
        }
    }

    #[test]
    fn values_arrive_typed() {
        let ctx = ctx();
        let inv = parse("/ticket list status:closed mine:yes", &ctx).expect("parses");
        assert_eq!(Command::try_from(&inv), Ok(Command::TicketList { scope: ListScope::Closed, mine: true }));
        let inv = parse("/role grant @carol manager", &ctx).expect("parses");
        assert_eq!(Command::try_from(&inv), Ok(Command::RoleGrant { person: "carol".into(), role: Role::Manager }));
    }
}

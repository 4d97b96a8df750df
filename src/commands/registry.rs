use crate::domain::{ListScope, Priority, Role};

/// The type of an argument or option value, which decides how its text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// One word or one quoted string.
    Word,
    /// Everything left on the line that is not an option.
    Text,
    /// A ticket number, with or without `#`.
    Ticket,
    /// A person: `@handle`.
    Mention,
    /// A moment, read in the caller's time zone: `2026-12-01 15:00`, `tomorrow 9:00`, `in 2h`.
    DateTime,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// An IANA time zone name such as `Asia/Shanghai`.
    TimeZone,
}

#[derive(Debug)]
pub struct ArgSpec {
    pub name: &'static str,
    pub kind: ArgKind,
    pub required: bool,
    pub help: &'static str,
}

/// A `key:value` option.
#[derive(Debug)]
pub struct OptSpec {
    pub key: &'static str,
    pub kind: ArgKind,
    pub help: &'static str,
}

#[derive(Debug)]
pub struct CommandSpec {
    pub name: &'static str,
    pub summary: &'static str,
    /// The role needed to run it at all; finer checks (is this your ticket?) are the
    /// service's.
    pub role: Role,
    pub args: &'static [ArgSpec],
    pub options: &'static [OptSpec],
    pub subcommands: &'static [CommandSpec],
    /// Which per-person rate limit it counts against.
    pub rate: RateClass,
}

/// Kinds of command with a per-person rate limit of their own (`[limits]` in the config);
/// every command also counts against the general one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateClass {
    General,
    /// Opening tickets.
    Tickets,
    /// Setting reminders.
    Reminders,
}

const fn arg(name: &'static str, kind: ArgKind, help: &'static str) -> ArgSpec {
    ArgSpec { name, kind, required: true, help }
}

const fn opt_arg(name: &'static str, kind: ArgKind, help: &'static str) -> ArgSpec {
    ArgSpec { name, kind, required: false, help }
}

const fn cmd(
    name: &'static str,
    summary: &'static str,
    role: Role,
    args: &'static [ArgSpec],
    options: &'static [OptSpec],
) -> CommandSpec {
    CommandSpec { name, summary, role, args, options, subcommands: &[], rate: RateClass::General }
}

/// The same command, counted against a rate limit of its own.
const fn limited(spec: CommandSpec, rate: RateClass) -> CommandSpec {
    CommandSpec { rate, ..spec }
}

const fn group(name: &'static str, summary: &'static str, subcommands: &'static [CommandSpec]) -> CommandSpec {
    CommandSpec { name, summary, role: Role::Staff, args: &[], options: &[], subcommands, rate: RateClass::General }
}

pub static COMMANDS: &[CommandSpec] = &[
    cmd(
        "help",
        "List the commands, or explain one",
        Role::Staff,
        &[opt_arg("command", ArgKind::Word, "a command name, e.g. ticket")],
        &[],
    ),
    group(
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
                RateClass::Tickets,
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
                    OptSpec {
                        key: "mine",
                        kind: ArgKind::Choice(&["yes", "no"]),
                        help: "only tickets you opened or hold",
                    },
                ],
            ),
            cmd(
                "show",
                "Show a ticket and its history",
                Role::Staff,
                &[arg("id", ArgKind::Ticket, "ticket number, e.g. 12 or #12")],
                &[],
            ),
            cmd(
                "claim",
                "Take a ticket from the queue",
                Role::Agent,
                &[arg("id", ArgKind::Ticket, "ticket number")],
                &[],
            ),
            cmd(
                "close",
                "Close a ticket (its agent, any agent, or the requester withdrawing it)",
                Role::Staff,
                &[arg("id", ArgKind::Ticket, "ticket number"), opt_arg("resolution", ArgKind::Text, "what fixed it")],
                &[],
            ),
        ],
    ),
    cmd("whoami", "Show who Deskmate thinks you are: roles, department, manager, time zone", Role::Staff, &[], &[]),
    cmd("whereami", "Show this chat's address, to put in the config (support queue, schedules)", Role::Staff, &[], &[]),
    group(
        "role",
        "Grant or revoke roles (admins)",
        &[
            cmd(
                "grant",
                "Give a person a role",
                Role::Admin,
                &[
                    arg("person", ArgKind::Mention, "who, e.g. @bob"),
                    arg("role", ArgKind::Choice(&Role::GRANTABLE), "the role"),
                ],
                &[],
            ),
            cmd(
                "revoke",
                "Take a role away",
                Role::Admin,
                &[
                    arg("person", ArgKind::Mention, "who, e.g. @bob"),
                    arg("role", ArgKind::Choice(&Role::GRANTABLE), "the role"),
                ],
                &[],
            ),
        ],
    ),
    group(
        "dept",
        "Departments and their managers",
        &[
            cmd("create", "Create a department", Role::Admin, &[arg("name", ArgKind::Text, "its name")], &[]),
            cmd(
                "add",
                "Put a person in a department",
                Role::Admin,
                &[arg("name", ArgKind::Word, "the department"), arg("person", ArgKind::Mention, "who, e.g. @bob")],
                &[],
            ),
            cmd(
                "set-manager",
                "Make a person the department's manager",
                Role::Admin,
                &[arg("name", ArgKind::Word, "the department"), arg("person", ArgKind::Mention, "who, e.g. @carol")],
                &[],
            ),
            cmd("list", "List departments with their managers and sizes", Role::Staff, &[], &[]),
        ],
    ),
    group(
        "tz",
        "Your time zone",
        &[cmd(
            "set",
            "Set your time zone",
            Role::Staff,
            &[arg("zone", ArgKind::TimeZone, "an IANA zone, e.g. Asia/Shanghai")],
            &[],
        )],
    ),
    limited(
        cmd(
            "remind",
            "Get a direct message at a time",
            Role::Staff,
            &[
                arg("when", ArgKind::DateTime, "e.g. in 2h, tomorrow 9:00, next monday 10:00, 2026-12-01 15:00"),
                arg("text", ArgKind::Text, "what to remind you of"),
            ],
            &[],
        ),
        RateClass::Reminders,
    ),
    group(
        "schedule",
        "Recurring jobs declared in the config (admins)",
        &[cmd("jobs", "List schedules with their next and last runs", Role::Admin, &[], &[])],
    ),
    cmd(
        "link",
        "Link your accounts on several messengers: run it alone for a code, then send the code from the other account",
        Role::Staff,
        &[opt_arg("code", ArgKind::Word, "the code you were given")],
        &[],
    ),
];

/// Looks a command up by name, ignoring case.
pub fn find<'a>(specs: &'a [CommandSpec], name: &str) -> Option<&'a CommandSpec> {
    specs.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

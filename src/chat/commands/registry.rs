use crate::kernel::Role;

/// The type of an argument or option value, which decides how its text is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// One word or one quoted string.
    Word,
    /// Everything left on the line that is not an option.
    Text,
    /// A positive number, with or without `#` (`#12`): a ticket, an approval. `noun`
    /// names it in errors ("not a ticket number": the message `noun-<noun>` of the
    /// feature's command text); `suggest` is the suggestion key a feature answers while
    /// it is typed.
    Number { noun: &'static str, suggest: &'static str },
    /// A person: `@handle`.
    Mention,
    /// A moment, read in the caller's time zone: `2026-12-01 15:00`, `tomorrow 9:00`, `in 2h`.
    DateTime,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// An IANA time zone name such as `Asia/Shanghai`.
    TimeZone,
    /// A length of time: `30m`, `1h30m`, `2d`.
    Duration,
    /// The span a report covers, read in the caller's zone: `week`, `month`, `2026-11`,
    /// `2026-11-01..2026-11-30` (see [`super::time::read_period`]).
    Period,
    /// Files attached to the message (a Telegram document, a Discord attachment, a
    /// console `/attach`). Only as an option, and never typed: they arrive beside the
    /// command line, in [`super::Invocation::files`]. A command without one refuses files.
    File,
}

/// An argument. What it is for is said in the feature's command text
/// (`cmd-<path>-<name>`), in each language.
#[derive(Debug)]
pub struct ArgSpec {
    pub name: &'static str,
    pub kind: ArgKind,
    pub required: bool,
}

/// A `key:value` option, described like an argument (`cmd-<path>-<key>`).
#[derive(Debug)]
pub struct OptSpec {
    pub key: &'static str,
    pub kind: ArgKind,
}

#[derive(Debug, Clone, Copy)]
/// A command or a group of subcommands. What it does is said in the feature's command
/// text (`cmd-<path>`, e.g. `cmd-ticket-new`), in each language.
pub struct CommandSpec {
    pub name: &'static str,
    /// The role needed to run it at all; finer checks (is this your ticket?) are the
    /// service's.
    pub role: Role,
    pub args: &'static [ArgSpec],
    pub options: &'static [OptSpec],
    pub subcommands: &'static [CommandSpec],
    /// Which per-person rate limit it counts against.
    pub rate: RateClass,
}

impl CommandSpec {
    /// Whether files may come with it (it declares an [`ArgKind::File`] option).
    pub fn takes_files(&self) -> bool {
        self.options.iter().any(|o| o.kind == ArgKind::File)
    }
}

/// A kind of command with a per-person rate limit of its own (`[limits] <key>_per_minute`
/// in the config, which the feature adds with its class: a class without one is not
/// limited, and a warning says so at start); every command also counts against the
/// general one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
/// What is counted, in "at most 10 new tickets a minute", is the message `rate-<key>` of
/// the feature's command text.
pub struct RateClass {
    pub key: &'static str,
}

impl RateClass {
    pub const GENERAL: RateClass = RateClass { key: "commands" };
}

pub const fn arg(name: &'static str, kind: ArgKind) -> ArgSpec {
    ArgSpec { name, kind, required: true }
}

pub const fn opt_arg(name: &'static str, kind: ArgKind) -> ArgSpec {
    ArgSpec { name, kind, required: false }
}

pub const fn opt(key: &'static str, kind: ArgKind) -> OptSpec {
    OptSpec { key, kind }
}

pub const fn cmd(name: &'static str, role: Role, args: &'static [ArgSpec], options: &'static [OptSpec]) -> CommandSpec {
    CommandSpec { name, role, args, options, subcommands: &[], rate: RateClass::GENERAL }
}

/// The same command, counted against a rate limit of its own.
pub const fn limited(spec: CommandSpec, rate: RateClass) -> CommandSpec {
    CommandSpec { rate, ..spec }
}

pub const fn group(name: &'static str, subcommands: &'static [CommandSpec]) -> CommandSpec {
    CommandSpec { name, role: Role::Staff, args: &[], options: &[], subcommands, rate: RateClass::GENERAL }
}

/// Looks a command up by name, ignoring case.
pub fn find<'a>(specs: impl IntoIterator<Item = &'a CommandSpec>, name: &str) -> Option<&'a CommandSpec> {
    specs.into_iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// Every rate class the commands (and their subcommands) count against.
pub fn rate_classes(specs: &[&CommandSpec]) -> Vec<RateClass> {
    fn walk(spec: &CommandSpec, out: &mut Vec<RateClass>) {
        if spec.rate != RateClass::GENERAL && !out.contains(&spec.rate) {
            out.push(spec.rate);
        }
        for sub in spec.subcommands {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    for spec in specs {
        walk(spec, &mut out);
    }
    out
}

//! What the chat layer itself says: mistakes in a command line, refusals before any
//! feature runs, questions that cannot be answered, failures. Plain text: adapters escape
//! it for their platform's markup.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::commands::{self, CommandSpec, RateClass};
use crate::kernel::Role;

pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

pub fn usage_error(specs: &[&CommandSpec], problem: &str, path: &[&str]) -> String {
    format!("{problem}\nUsage: {}", commands::usage(specs, path))
}

pub fn unknown_command(name: &str, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("I don't know /{name}. Did you mean /{s}? (/help lists everything)"),
        None => format!("I don't know /{name}. /help lists what I can do."),
    }
}

pub fn not_a_command() -> String {
    "Commands start with /. Try /help.".to_owned()
}

pub fn needs_role(role: Role, command: &str) -> String {
    format!("Only {role}s can use /{command}. Ask an admin if you need the {role} role.")
}

pub fn internal_error(reference: &str) -> String {
    format!("Sorry, something went wrong on my side and nothing was changed by this message. (ref {reference})")
}

pub fn plain_text() -> String {
    "I read commands, not chat: they start with /. Send /help to see them all.".to_owned()
}

pub fn anonymous_admin() -> String {
    "You are writing as the group (an anonymous admin), so I cannot tell who you are or check your rights. \
     Turn off \"Remain anonymous\" in your admin settings, or send me the command in a private chat."
        .to_owned()
}

pub fn too_many_mentions(count: usize, max: usize) -> String {
    format!("That message mentions {count} people; a command can name at most {max}. Nothing was changed.")
}

pub fn rate_limited(class: RateClass, per_minute: u32, retry_after: std::time::Duration) -> String {
    let seconds = retry_after.as_secs_f64().ceil().max(1.0);
    format!("Slow down: at most {per_minute} {} a minute. Try again in {seconds} s. Nothing was changed.", class.noun)
}

pub fn too_far_ahead(max_days: i64, until: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "that is too far ahead: dates can be at most {max_days} days ahead (until {} {}).",
        local_time(until, tz),
        tz.name()
    )
}

pub fn time_passed(at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{} ({}) has already passed; pick a time in the future, e.g. in 2h or tomorrow 9:00.",
        local_time(at, tz),
        tz.name()
    )
}

pub fn too_long(what: &str, len: usize, max: usize) -> String {
    format!("The {what} is {len} characters long; at most {max} are allowed. Nothing was changed.")
}

pub fn stale_button() -> String {
    "That button is no longer valid.".to_owned()
}

pub fn unknown_person(handle: &str) -> String {
    format!("I don't know @{handle} yet — they need to write to me once (any message) before I can act on them.")
}

pub fn prompt_unknown() -> String {
    "That question is no longer open. Press the button again to be asked anew.".to_owned()
}

pub fn prompt_expired() -> String {
    "That question has expired. Press the button again to be asked anew.".to_owned()
}

pub fn prompt_not_yours(name: &str) -> String {
    format!("That question was put to {name}; only they can answer it.")
}

pub fn prompt_answered() -> String {
    "That question has already been answered.".to_owned()
}

pub fn prompt_empty() -> String {
    "The answer is empty: reply with some text.".to_owned()
}

pub fn prompt_takes_no_file() -> String {
    "That question takes text, not a file: reply with text only. Nothing was changed.".to_owned()
}

pub fn takes_no_file(command: &str) -> String {
    format!("/{command} takes no file; send it without one. Nothing was changed.")
}

pub fn too_many_files(count: usize, max: usize) -> String {
    format!("That message carries {count} files; a command takes at most {max}. Nothing was changed.")
}

/// A file that came with a message but cannot be used.
pub fn file_refused(problem: &deskmate_port::AttachmentError) -> String {
    use deskmate_port::AttachmentError;
    match problem {
        AttachmentError::TooLarge { name, size, max } => format!(
            "The file {name} is {}; files of at most {} are taken. Nothing was changed.",
            megabytes(*size),
            megabytes(*max)
        ),
        AttachmentError::NoName => "A file without a name cannot be taken. Nothing was changed.".to_owned(),
        AttachmentError::Unreadable { name, why } => {
            format!(
                "The file {name} could not be fetched from the messenger ({why}); send it again. Nothing was changed."
            )
        }
    }
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// The line a timer or scheduled run adds when it fires late.
pub fn late(due: DateTime<Utc>) -> String {
    format!("(late: this was due at {} UTC; Deskmate was not running then)", due.format("%Y-%m-%d %H:%M"))
}

/// `text`, with the late line under it when `late`.
pub fn with_late(text: &str, due: DateTime<Utc>, late: bool) -> String {
    if late { format!("{text}\n{}", self::late(due)) } else { text.to_owned() }
}

/// Flooded notices of a kind no feature sums up.
pub fn coalesced_fallback(kind: &str, labels: &[String]) -> String {
    format!("{} {kind}: {}.", labels.len(), label_ranges(labels))
}

/// "#101–#103, #107" from "#101", "#102", "#103", "#107".
pub fn label_ranges(labels: &[String]) -> String {
    let numbers: Option<Vec<i64>> = labels.iter().map(|l| l.trim_start_matches('#').parse().ok()).collect();
    let Some(mut numbers) = numbers else { return labels.join(", ") };
    numbers.sort_unstable();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        parts.push(if start == end { format!("#{start}") } else { format!("#{start}–#{end}") });
        i += 1;
    }
    parts.join(", ")
}

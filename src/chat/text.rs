//! What the chat layer itself says: mistakes in a command line, refusals before any
//! feature runs, questions that cannot be answered, failures. Plain text: adapters escape
//! it for their platform's markup.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::commands::{self, CommandSpec, CommandText, RateClass};
use crate::i18n::{Arg, Catalog, Lang, stamp};
use crate::kernel::Role;

pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new("chat", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
});

fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    CATALOG.text(lang, id, args)
}

pub fn usage_error(lang: Lang, specs: &[&CommandSpec], problem: &str, path: &[&str]) -> String {
    say(lang, "usage", &[("problem", problem.into()), ("usage", commands::usage(specs, lang, path).into())])
}

pub fn unknown_command(lang: Lang, name: &str, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => say(lang, "unknown-command-maybe", &[("name", name.into()), ("suggestion", s.into())]),
        None => say(lang, "unknown-command", &[("name", name.into())]),
    }
}

pub fn not_a_command(lang: Lang) -> String {
    say(lang, "not-a-command", &[])
}

pub fn needs_role(lang: Lang, role: Role, command: &str) -> String {
    say(lang, "needs-role", &[("role", role.as_str().into()), ("command", command.into())])
}

pub fn internal_error(lang: Lang, reference: &str) -> String {
    say(lang, "internal-error", &[("reference", reference.into())])
}

pub fn plain_text(lang: Lang) -> String {
    say(lang, "plain-text", &[])
}

pub fn anonymous_admin(lang: Lang) -> String {
    say(lang, "anonymous-admin", &[])
}

pub fn too_many_mentions(lang: Lang, count: usize, max: usize) -> String {
    say(lang, "too-many-mentions", &[("count", count.into()), ("max", max.into())])
}

/// `text` names what the class counts (the feature's `rate-<key>`; the general class is
/// this catalog's).
pub fn rate_limited(
    lang: Lang,
    text: &CommandText,
    class: RateClass,
    per_minute: u32,
    retry_after: std::time::Duration,
) -> String {
    let seconds = retry_after.as_secs_f64().ceil().max(1.0) as i64;
    let what = text.rate(lang, class).unwrap_or_else(|| say(lang, "rate-commands", &[]));
    say(
        lang,
        "rate-limited",
        &[("per_minute", i64::from(per_minute).into()), ("what", what.into()), ("seconds", seconds.into())],
    )
}

pub fn too_far_ahead(lang: Lang, max_days: i64, until: DateTime<Utc>, tz: Tz) -> String {
    say(
        lang,
        "too-far-ahead",
        &[("max_days", max_days.into()), ("until", stamp(lang, until, tz).into()), ("zone", tz.name().into())],
    )
}

pub fn time_passed(lang: Lang, at: DateTime<Utc>, tz: Tz) -> String {
    say(lang, "time-passed", &[("at", stamp(lang, at, tz).into()), ("zone", tz.name().into())])
}

pub fn too_long(lang: Lang, what: &str, len: usize, max: usize) -> String {
    say(lang, "too-long", &[("what", what.into()), ("len", len.into()), ("max", max.into())])
}

pub fn stale_button(lang: Lang) -> String {
    say(lang, "stale-button", &[])
}

pub fn unknown_person(lang: Lang, handle: &str) -> String {
    say(lang, "unknown-person", &[("handle", handle.into())])
}

pub fn prompt_unknown(lang: Lang) -> String {
    say(lang, "prompt-unknown", &[])
}

pub fn prompt_expired(lang: Lang) -> String {
    say(lang, "prompt-expired", &[])
}

pub fn prompt_not_yours(lang: Lang, name: &str) -> String {
    say(lang, "prompt-not-yours", &[("name", name.into())])
}

pub fn prompt_answered(lang: Lang) -> String {
    say(lang, "prompt-answered", &[])
}

pub fn prompt_empty(lang: Lang) -> String {
    say(lang, "prompt-empty", &[])
}

pub fn prompt_takes_no_file(lang: Lang) -> String {
    say(lang, "prompt-takes-no-file", &[])
}

pub fn takes_no_file(lang: Lang, command: &str) -> String {
    say(lang, "takes-no-file", &[("command", command.into())])
}

pub fn too_many_files(lang: Lang, count: usize, max: usize) -> String {
    say(lang, "too-many-files", &[("count", count.into()), ("max", max.into())])
}

/// A file that came with a message but cannot be used.
pub fn file_refused(lang: Lang, problem: &deskmate_port::AttachmentError) -> String {
    use deskmate_port::AttachmentError;
    match problem {
        AttachmentError::TooLarge { name, size, max } => say(
            lang,
            "file-too-large",
            &[("name", name.as_str().into()), ("size", megabytes(*size).into()), ("max", megabytes(*max).into())],
        ),
        AttachmentError::NoName => say(lang, "file-no-name", &[]),
        AttachmentError::Unreadable { name, why } => {
            say(lang, "file-unreadable", &[("name", name.as_str().into()), ("why", why.as_str().into())])
        }
    }
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// The line a timer or scheduled run adds when it fires late.
pub fn late(lang: Lang, due: DateTime<Utc>) -> String {
    say(lang, "late", &[("due", due.format("%Y-%m-%d %H:%M").to_string().into())])
}

/// `text`, with the late line under it when `late`.
pub fn with_late(lang: Lang, text: &str, due: DateTime<Utc>, late: bool) -> String {
    if late { format!("{text}\n{}", self::late(lang, due)) } else { text.to_owned() }
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

#[cfg(test)]
mod catalog_tests {
    use super::*;

    #[test]
    fn the_catalogs_hold_the_same_messages_and_the_code_uses_each() {
        crate::i18n::check_catalog(
            &CATALOG,
            &[
                include_str!("text.rs"),
                include_str!("commands/parser.rs"),
                include_str!("commands/help.rs"),
                include_str!("../limits.rs"),
            ],
        );
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let samples: Vec<(&str, Arg)> = [
            "problem",
            "usage",
            "name",
            "suggestion",
            "role",
            "command",
            "reference",
            "what",
            "until",
            "zone",
            "at",
            "handle",
            "size",
            "why",
            "due",
            "close",
            "sub",
            "key",
            "text",
            "raw",
            "noun",
            "choices",
            "help",
        ]
        .into_iter()
        .map(|n| (n, Arg::from("x")))
        .chain([
            ("count", 2_i64.into()),
            ("max", 3_i64.into()),
            ("len", 4_i64.into()),
            ("per_minute", 10_i64.into()),
            ("seconds", 5_i64.into()),
            ("max_days", 30_i64.into()),
            ("days", 366_i64.into()),
        ])
        .collect();
        crate::i18n::check_renders(&CATALOG, &samples);
        assert_eq!(
            needs_role(Lang::ZhCn, Role::Agent, "ticket claim"),
            "只有客服可以使用 /ticket claim。如需要此角色，请联系管理员。"
        );
    }
}

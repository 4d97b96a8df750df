//! Recurring schedules from the config (`[[schedules]]`): `/schedule jobs` lists them, and
//! the `announce` job posts a fixed text. Other features run jobs of their own (the
//! ticket digest); this one also owns plain timed posts to a channel.

use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::chat::commands::{Args, CommandSpec, Invocation, Undeclared, cmd, group};
use crate::chat::feature::{Cx, Feature, Kit};
use crate::chat::text::with_late;
use crate::i18n::stamp;
use crate::i18n::{Arg, Catalog, Lang};
use crate::kernel::{Effect, Role, ServiceResult, Shown};
use crate::scheduler::{Fired, ScheduleArgs, ScheduledRun, TimerKey, channel};
use crate::store::{ScheduleRow, Tx};
use crate::typed_commands;

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "schedules commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] = &[group(
    "schedule",
    // Shared with the meetings feature's personal schedule (add, list, remove).
    &[cmd("jobs", Role::Admin, &[], &[])],
)];

typed_commands! {
    pub enum ScheduleCommand {
        "schedule jobs" => Jobs,
    }
}

impl TryFrom<&Invocation> for ScheduleCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        match inv.path.as_slice() {
            ["schedule", "jobs"] => Ok(ScheduleCommand::Jobs),
            _ => Args(inv).undeclared(),
        }
    }
}

/// The owner name of its timers.
pub const NAME: &str = "schedules";
/// The kind of timer that posts a text to a channel.
pub const POST: &str = "post";
const ANNOUNCE: &str = "announce";

/// What a timed post carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Post {
    /// `platform:id`.
    pub channel: String,
    pub text: String,
}

/// A timed post of `text` to `channel` (`platform:id`) at `at`, keyed by `id`, ready for
/// [`Scheduler::set_timers`](crate::scheduler::Scheduler::set_timers).
pub fn timed_post(
    id: impl std::fmt::Display,
    at: chrono::DateTime<chrono::Utc>,
    channel: &str,
    text: &str,
) -> (TimerKey, chrono::DateTime<chrono::Utc>, serde_json::Value) {
    let post = serde_json::json!({ "channel": channel, "text": text });
    (TimerKey::new(NAME, POST, id), at, post)
}

pub fn install(_config: &crate::config::Config) -> Arc<dyn Feature> {
    Arc::new(Schedules)
}

pub struct Schedules;

#[async_trait]
impl Feature for Schedules {
    fn name(&self) -> &'static str {
        NAME
    }

    fn namespace(&self) -> &'static str {
        "sch"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static crate::i18n::Catalog> {
        Some(&COMMAND_TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        match ScheduleCommand::try_from(inv)? {
            ScheduleCommand::Jobs => {
                Ok(vec![Effect::reply(schedule_list(cx.actor.lang, &cx.kit.store.schedules().await?, cx.actor.tz))])
            }
        }
    }

    async fn timer(&self, _tx: &mut Tx, _kit: &Kit, fired: &Fired) -> ServiceResult {
        let post: Post = fired.payload()?;
        let Some(channel) = channel(&post.channel) else {
            tracing::warn!(address = %post.channel, "a timed post for an unknown channel");
            return Ok(Vec::new());
        };
        let (due, late) = (fired.due, fired.late);
        let body = Shown::text_per_reader(move |r| with_late(r.lang, &post.text, due, late));
        Ok(vec![Effect::PostTo { channel, body }])
    }

    fn scheduled_jobs(&self) -> &'static [&'static str] {
        &[ANNOUNCE]
    }

    fn check_schedule(&self, _job: &str, args: &ScheduleArgs) -> Result<(), String> {
        if args.text.trim().is_empty() { Err("an announce schedule needs text".to_owned()) } else { Ok(()) }
    }

    async fn scheduled(&self, _kit: &Kit, run: &ScheduledRun) -> ServiceResult {
        let (text, at, late) = (run.text.clone(), run.at, run.late);
        let body = Shown::text_per_reader(move |r| with_late(r.lang, &text, at, late));
        Ok(run.channel.iter().map(|channel| Effect::PostTo { channel: channel.clone(), body: body.clone() }).collect())
    }
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new("schedules", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
});

fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    CATALOG.text(lang, id, args)
}

fn schedule_list(lang: Lang, rows: &[ScheduleRow], tz: Tz) -> String {
    if rows.is_empty() {
        return say(lang, "none", &[]);
    }
    let mut out = say(lang, "list", &[]);
    for s in rows {
        let never = || say(lang, "never", &[]);
        let next = s.next_run_at.map_or_else(never, |n| {
            say(lang, "next-at", &[("at", stamp(lang, n, tz).into()), ("zone", tz.name().into())])
        });
        let last = s.last_run_at.map_or_else(never, |l| stamp(lang, l, tz));
        out.push('\n');
        out.push_str(&say(
            lang,
            "line",
            &[
                ("name", s.name.as_str().into()),
                ("job", s.job.as_str().into()),
                ("cron", s.cron.as_str().into()),
                ("zone", s.timezone.as_str().into()),
                ("catch_up", s.catch_up.to_string().into()),
                ("next", next.into()),
                ("last", last.into()),
            ],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_command_is_typed_and_every_variant_declared() {
        crate::chat::commands::check_typed::<ScheduleCommand>(COMMANDS);
    }

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }

    #[test]
    fn the_catalogs_hold_the_same_messages_and_each_renders() {
        crate::i18n::check_catalog(&CATALOG, &[include_str!("mod.rs")]);
        let samples: Vec<(&str, Arg)> = ["at", "zone", "name", "job", "cron", "catch_up", "next", "last"]
            .into_iter()
            .map(|n| (n, "x".into()))
            .collect();
        crate::i18n::check_renders(&CATALOG, &samples);
    }
}

//! Personal reminders: `/remind in 2h call the printer vendor` sets a timer that sends
//! a direct message when it comes due.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deskmate_port::stable_hash;
use serde::{Deserialize, Serialize};

use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, RateClass, Undeclared, arg, cmd, limited};
use crate::chat::feature::{Cx, Feature, Kit};
use crate::chat::text as chat_text;
use crate::kernel::{Effect, PersonId, Role, ServiceResult, Shown, refuse};
use crate::limits::TextLimit;
use crate::scheduler::{Fired, TimerKey};
use crate::store::Tx;
use crate::typed_commands;

/// Setting reminders has a per-person limit of its own (`[limits] reminders_per_minute`).
pub const NEW_REMINDERS: RateClass = RateClass { key: "reminders" };

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "reminders commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] = &[limited(
    cmd("remind", Role::Staff, &[arg("when", ArgKind::DateTime), arg("text", ArgKind::Text)], &[]),
    NEW_REMINDERS,
)];

typed_commands! {
    pub enum ReminderCommand {
        "remind" => Remind { at: DateTime<Utc>, text: String },
    }
}

impl TryFrom<&Invocation> for ReminderCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        match inv.path.as_slice() {
            ["remind"] => Ok(ReminderCommand::Remind { at: a.datetime("when")?, text: a.text("text")? }),
            _ => a.undeclared(),
        }
    }
}

const NAME: &str = "reminders";

static TEXT: TextLimit = TextLimit { what: "limit-text", catalog: &text::CATALOG, max: 500 };
const REMIND: &str = "remind";

/// What a reminder's timer carries.
#[derive(Debug, Serialize, Deserialize)]
struct Reminder {
    person: i64,
    text: String,
}

pub fn install(_config: &crate::config::Config) -> Arc<dyn Feature> {
    Arc::new(Reminders)
}

pub struct Reminders;

#[async_trait]
impl Feature for Reminders {
    fn name(&self) -> &'static str {
        NAME
    }

    fn namespace(&self) -> &'static str {
        "rm"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static crate::i18n::Catalog> {
        Some(&COMMAND_TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        match ReminderCommand::try_from(inv)? {
            ReminderCommand::Remind { at, text } => remind(cx, at, &text).await,
        }
    }

    async fn timer(&self, _tx: &mut Tx, _kit: &Kit, fired: &Fired) -> ServiceResult {
        let reminder: Reminder = fired.payload()?;
        let (said, due, late) = (reminder.text, fired.due, fired.late);
        let body =
            Shown::text_per_reader(move |r| chat_text::with_late(r.lang, &text::reminder(r.lang, &said), due, late));
        Ok(vec![Effect::Direct { person: PersonId(reminder.person), body, subject: None }])
    }
}

async fn remind(cx: &mut Cx<'_>, at: DateTime<Utc>, text: &str) -> ServiceResult {
    let actor = cx.actor;
    let text = TEXT.check(cx.actor.lang, text)?;
    if at <= actor.at {
        return refuse(chat_text::time_passed(actor.lang, at, actor.tz));
    }
    // The same reminder asked twice is one timer.
    let key =
        TimerKey::new(NAME, REMIND, format!("{}:{}:{:x}", actor.person.id, at.timestamp_millis(), stable_hash(text)));
    let reminder = Reminder { person: actor.person.id.0, text: text.to_owned() };
    let fresh = cx.kit.timers.set_timer(cx.tx, &key, at, &reminder).await?;
    Ok(vec![Effect::reply(text::reminder_set(actor.lang, (at, actor.tz), text, fresh))])
}

/// What reminders say, from their catalogs (`i18n/en.ftl`, `i18n/zh-CN.ftl`).
mod text {
    use std::sync::LazyLock;

    use chrono::{DateTime, Utc};
    use chrono_tz::Tz;

    use crate::i18n::stamp;
    use crate::i18n::{Arg, Catalog, Lang};

    pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
        Catalog::new(
            "reminders",
            &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))],
        )
    });

    fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
        CATALOG.text(lang, id, args)
    }

    pub fn reminder_set(lang: Lang, (at, tz): (DateTime<Utc>, Tz), text: &str, fresh: bool) -> String {
        let when = [("at", stamp(lang, at, tz).into()), ("zone", tz.name().into()), ("text", text.into())];
        say(lang, if fresh { "set" } else { "already" }, &when)
    }

    pub fn reminder(lang: Lang, text: &str) -> String {
        say(lang, "reminder", &[("text", text.into())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::commands::check_typed;

    #[test]
    fn every_declared_command_is_typed_and_every_variant_declared() {
        check_typed::<ReminderCommand>(COMMANDS);
    }

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }

    #[test]
    fn the_catalogs_hold_the_same_messages_and_each_renders() {
        crate::i18n::check_catalog(&text::CATALOG, &[include_str!("mod.rs")]);
        let samples = [("at", "x".into()), ("zone", "UTC".into()), ("text", "call mum".into())];
        crate::i18n::check_renders(&text::CATALOG, &samples);
        assert_eq!(text::reminder(crate::i18n::Lang::ZhCn, "交周报"), "提醒：交周报");
    }
}

//! `/report office [period]`: the office at a glance. Each installed feature that keeps
//! figures (the help desk, approvals, meetings) answers for the same span, side by side.

use std::sync::Arc;

use async_trait::async_trait;

use crate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, Undeclared, cmd, group, opt_arg};
use crate::chat::feature::{Cx, Feature, Span};
use crate::kernel::{Effect, Role, ServiceResult};
use crate::typed_commands;

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "office commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] =
    &[group("report", &[cmd("office", Role::Manager, &[opt_arg("period", ArgKind::Period)], &[])])];

typed_commands! {
    pub enum OfficeCommand {
        "report office" => Report { span: Option<Span> },
    }
}

impl TryFrom<&Invocation> for OfficeCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        match inv.path.as_slice() {
            ["report", "office"] => Ok(OfficeCommand::Report { span: a.span("period") }),
            _ => a.undeclared(),
        }
    }
}

pub fn install(_config: &crate::config::Config) -> Arc<dyn Feature> {
    Arc::new(Office)
}

pub struct Office;

#[async_trait]
impl Feature for Office {
    fn name(&self) -> &'static str {
        "office"
    }

    fn namespace(&self) -> &'static str {
        "of"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static crate::i18n::Catalog> {
        Some(&COMMAND_TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        let actor = cx.actor;
        match OfficeCommand::try_from(inv)? {
            OfficeCommand::Report { span } => {
                let span = span.unwrap_or_else(|| crate::chat::feature::week_ending(actor.at));
                let insights = cx.kit.features.insights(cx.tx, cx.kit, span, actor.lang, actor.tz).await?;
                Ok(vec![Effect::reply(text::report(actor.lang, span, actor.tz, &insights))])
            }
        }
    }
}

/// What the office report says, from its catalogs (`i18n/en.ftl`, `i18n/zh-CN.ftl`).
mod text {
    use std::sync::LazyLock;

    use chrono_tz::Tz;

    use crate::chat::feature::{Insight, Span};
    use crate::i18n::{Arg, Catalog, Lang, stamp};

    pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
        Catalog::new("office", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
    });

    fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
        CATALOG.text(lang, id, args)
    }

    /// The heading, then each feature's figures under its name.
    pub fn report(lang: Lang, (from, to): Span, tz: Tz, insights: &[Insight]) -> String {
        let mut out = vec![say(
            lang,
            "office-head",
            &[("from", stamp(lang, from, tz).into()), ("to", stamp(lang, to, tz).into()), ("zone", tz.name().into())],
        )];
        if insights.is_empty() {
            out.push(say(lang, "office-nothing", &[]));
        }
        for insight in insights {
            out.push(say(lang, "office-section", &[("heading", insight.heading.as_str().into())]));
            out.extend(insight.lines.iter().map(|line| format!("  {line}")));
        }
        out.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::commands::check_typed;

    #[test]
    fn every_declared_command_is_typed_and_every_variant_declared() {
        check_typed::<OfficeCommand>(COMMANDS);
    }

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }

    #[test]
    fn the_catalogs_hold_the_same_messages_and_each_renders() {
        crate::i18n::check_catalog(&text::CATALOG, &[include_str!("mod.rs")]);
        let samples =
            [("from", "x".into()), ("to", "y".into()), ("zone", "UTC".into()), ("heading", "Meetings".into())];
        crate::i18n::check_renders(&text::CATALOG, &samples);
    }
}

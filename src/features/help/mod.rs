//! `/help`: every installed feature's commands, and one explained, from their
//! declarations.

use std::sync::Arc;

use async_trait::async_trait;

use crate::chat::commands::{self, ArgKind, Args, CommandSpec, Invocation, Undeclared, cmd, opt_arg};
use crate::chat::feature::{Cx, Feature};
use crate::chat::text;
use crate::kernel::{Effect, Role, ServiceResult};
use crate::typed_commands;

/// What these commands and their arguments are for, in each language.
pub static COMMAND_TEXT: std::sync::LazyLock<crate::i18n::Catalog> = std::sync::LazyLock::new(|| {
    use crate::i18n::{Catalog, Lang};
    Catalog::new(
        "help commands",
        &[(Lang::En, include_str!("i18n/commands.en.ftl")), (Lang::ZhCn, include_str!("i18n/commands.zh-CN.ftl"))],
    )
});

pub static COMMANDS: &[CommandSpec] = &[cmd("help", Role::Staff, &[opt_arg("command", ArgKind::Word)], &[])];

typed_commands! {
    pub enum HelpCommand {
        "help" => Help { command: Option<String> },
    }
}

impl TryFrom<&Invocation> for HelpCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        match inv.path.as_slice() {
            ["help"] => Ok(HelpCommand::Help { command: a.optional("command") }),
            _ => a.undeclared(),
        }
    }
}

pub fn install(_config: &crate::config::Config) -> Arc<dyn Feature> {
    Arc::new(Help)
}

pub struct Help;

#[async_trait]
impl Feature for Help {
    fn name(&self) -> &'static str {
        "help"
    }

    fn namespace(&self) -> &'static str {
        "help"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static crate::i18n::Catalog> {
        Some(&COMMAND_TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        let (all, names, lang) = (cx.kit.features.commands(), cx.kit.features.command_text(), cx.actor.lang);
        match HelpCommand::try_from(inv)? {
            HelpCommand::Help { command: None } => Ok(vec![Effect::reply(commands::command_list(all, names, lang))]),
            HelpCommand::Help { command: Some(name) } => {
                Ok(vec![Effect::reply(commands::command_help(all, names, lang, &name).unwrap_or_else(|| {
                    let name = name.trim_start_matches('/');
                    let suggestion = all.iter().map(|c| c.name).find(|c| c.starts_with(name));
                    text::unknown_command(cx.actor.lang, name, suggestion)
                }))])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_command_is_typed_and_every_variant_declared() {
        commands::check_typed::<HelpCommand>(COMMANDS);
    }

    #[test]
    fn every_command_and_argument_is_described_in_every_language() {
        crate::chat::commands::check_command_text(COMMANDS, &COMMAND_TEXT);
    }
}

//! `/help`: every installed feature's commands, and one explained, from their
//! declarations.

use std::sync::Arc;

use async_trait::async_trait;

use crate::chat::commands::{self, ArgKind, Args, CommandSpec, Invocation, Undeclared, cmd, opt_arg};
use crate::chat::feature::{Cx, Feature};
use crate::chat::text;
use crate::kernel::{Effect, Role, ServiceResult};
use crate::typed_commands;

pub static COMMANDS: &[CommandSpec] = &[cmd(
    "help",
    "List the commands, or explain one",
    Role::Staff,
    &[opt_arg("command", ArgKind::Word, "a command name, e.g. ticket")],
    &[],
)];

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

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        let all = &cx.kit.commands;
        match HelpCommand::try_from(inv)? {
            HelpCommand::Help { command: None } => Ok(vec![Effect::reply(commands::command_list(all))]),
            HelpCommand::Help { command: Some(name) } => {
                Ok(vec![Effect::reply(commands::command_help(all, &name).unwrap_or_else(|| {
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
}

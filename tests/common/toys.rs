//! Features of the tests' own, registered beside the built-in ones to drive the feature
//! API from outside the crate.
#![allow(dead_code, clippy::unwrap_used)]

use async_trait::async_trait;
use deskmate::chat::button::{self, Pressed};
use deskmate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, Undeclared, arg, cmd};
use deskmate::chat::feature::{Answer, Cx, Feature};
use deskmate::chat::questions;
use deskmate::i18n::{Catalog, Lang};
use deskmate::kernel::{Effect, PersonId, Role, ServiceResult, refuse};

/// `/ask @person question`: the question goes to that person as a direct message, and
/// their answer comes back to the asker. What approvals and meetings will do with reject
/// reasons and decline notes.
pub struct Ask;

static ASK_TEXT: std::sync::LazyLock<Catalog> = std::sync::LazyLock::new(|| {
    Catalog::new(
        "ask commands",
        &[(Lang::En, "cmd-ask = Ask someone\ncmd-ask-person = who\ncmd-ask-question = what\n")],
    )
});

static ASK_COMMANDS: &[CommandSpec] =
    &[cmd("ask", Role::Staff, &[arg("person", ArgKind::Mention), arg("question", ArgKind::Text)], &[])];

deskmate::typed_commands! {
    pub enum AskCommand {
        "ask" => Ask { person: String, question: String },
    }
}

impl TryFrom<&Invocation> for AskCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        match inv.path.as_slice() {
            ["ask"] => Ok(AskCommand::Ask { person: a.mention("person")?, question: a.text("question")? }),
            _ => a.undeclared(),
        }
    }
}

#[async_trait]
impl Feature for Ask {
    fn name(&self) -> &'static str {
        "ask"
    }

    fn namespace(&self) -> &'static str {
        "ask"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        ASK_COMMANDS
    }

    fn command_text(&self) -> Option<&'static Catalog> {
        Some(&ASK_TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        let AskCommand::Ask { person, question } = AskCommand::try_from(inv)?;
        let asked = cx.kit.people.resolve(cx.actor, &person).await?;
        let from = cx.actor.person.id;
        let action = button::encode("ask", "reply", &[&from]);
        let ask = questions::ask(cx, asked.id, question, &action, chrono::Duration::hours(1)).await?;
        Ok(vec![ask, Effect::reply(format!("Asked {}.", asked.display_name))])
    }

    async fn answer(&self, cx: &mut Cx<'_>, action: &Pressed, answer: &Answer<'_>) -> ServiceResult {
        let Some(asker) = action.id(0) else { return refuse("A question without its asker.") };
        let by = &cx.actor.person.display_name;
        Ok(vec![
            Effect::direct(PersonId(asker), format!("{by} answered: {}", answer.text)),
            Effect::reply("Thanks, passed on."),
        ])
    }
}

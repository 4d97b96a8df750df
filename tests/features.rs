//! A feature from outside the crate, registered beside the built-in ones and driven end
//! to end: its command, its button (the presser checked again), its question (answered
//! once, by the person asked) and its timer (fired by moving the clock, cancelled by
//! key). If this compiles and passes, a new feature needs nothing of the core but the
//! public feature API.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, LazyLock};

use async_trait::async_trait;
use deskmate::chat::button::{self, Pressed};
use deskmate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, Undeclared, cmd, opt_arg};
use deskmate::chat::feature::{Answer, Cx, Feature, Kit};
use deskmate::chat::questions;
use deskmate::i18n::{Catalog, Lang};
use deskmate::kernel::{Effect, PersonId, Role, ServiceResult, refuse};
use deskmate::scheduler::{Fired, TimerKey};
use deskmate::store::Tx;
use deskmate_port::{Body, Button, ButtonStyle};
use serde::{Deserialize, Serialize};

/// `/tea` offers to brew; Brew asks which tea; the answer puts the kettle on, and a
/// timer says when it is ready. `/tea cancel` takes the kettle off.
struct Tea;

static TEXT: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new(
        "tea commands",
        &[
            (Lang::En, "cmd-tea = Brew a cup of tea\ncmd-tea-what = cancel: take the kettle off\n"),
            (Lang::ZhCn, "cmd-tea = 泡一杯茶\ncmd-tea-what = cancel：把水壶拿下来\n"),
        ],
    )
});

static COMMANDS: &[CommandSpec] = &[cmd("tea", Role::Staff, &[opt_arg("what", ArgKind::Choice(&["cancel"]))], &[])];

deskmate::typed_commands! {
    pub enum TeaCommand {
        "tea" => Tea { cancel: bool },
    }
}

impl TryFrom<&Invocation> for TeaCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        match inv.path.as_slice() {
            ["tea"] => Ok(TeaCommand::Tea { cancel: a.optional("what").is_some() }),
            _ => a.undeclared(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Kettle {
    person: i64,
    tea: String,
}

const STEEP: chrono::Duration = chrono::Duration::minutes(3);

fn kettle(person: PersonId) -> TimerKey {
    TimerKey::new("tea", "ready", person)
}

#[async_trait]
impl Feature for Tea {
    fn name(&self) -> &'static str {
        "tea"
    }

    fn namespace(&self) -> &'static str {
        "tea"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static Catalog> {
        Some(&TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        let me = cx.actor.person.id;
        match TeaCommand::try_from(inv)? {
            TeaCommand::Tea { cancel: false } => Ok(vec![Effect::Reply {
                body: Body {
                    text: "Shall I brew you a cup?".to_owned(),
                    buttons: vec![Button {
                        id: button::encode("tea", "brew", &[&me]),
                        label: "Brew".to_owned(),
                        style: ButtonStyle::Primary,
                    }],
                    ..Body::default()
                }
                .into(),
                private: false,
            }]),
            TeaCommand::Tea { cancel: true } => {
                let cancelled = cx.kit.timers.cancel_timer(cx.tx, &kettle(me)).await?;
                Ok(vec![Effect::reply(if cancelled { "Kettle off." } else { "Nothing is brewing." })])
            }
        }
    }

    async fn button(&self, cx: &mut Cx<'_>, pressed: &Pressed) -> ServiceResult {
        // The id says whose cup it is; only they may press it.
        if pressed.verb != "brew" || pressed.id(0) != Some(cx.actor.person.id.0) {
            return refuse("That is someone else's cup.");
        }
        let me = cx.actor.person.id;
        let ask = questions::ask(cx, me, "Which tea?".to_owned(), "tea:kind", chrono::Duration::minutes(5)).await?;
        Ok(vec![ask])
    }

    async fn answer(&self, cx: &mut Cx<'_>, action: &Pressed, answer: &Answer<'_>) -> ServiceResult {
        assert_eq!(action.verb, "kind");
        let answer = answer.text;
        let me = cx.actor.person.id;
        let brewing = Kettle { person: me.0, tea: answer.to_owned() };
        let fresh = cx.kit.timers.set_timer(cx.tx, &kettle(me), cx.actor.at + STEEP, &brewing).await?;
        Ok(vec![Effect::reply(if fresh {
            format!("Brewing {answer}; ready in 3 minutes.")
        } else {
            "A cup is already brewing.".to_owned()
        })])
    }

    async fn timer(&self, _tx: &mut Tx, _kit: &Kit, fired: &Fired) -> ServiceResult {
        let kettle: Kettle = fired.payload()?;
        Ok(vec![Effect::direct(PersonId(kettle.person), format!("Your {} is ready.", kettle.tea))])
    }
}

async fn a_feature_from_outside(mut story: common::story::Story) {
    story.say("alice", "/help").await;
    assert!(story.reply_to("alice").await.text().contains("/tea — Brew a cup of tea"), "listed in /help");

    story.say("alice", "/tea").await;
    assert_eq!(story.reply_to("alice").await.text(), "Shall I brew you a cup?");
    story.press("bob", "Brew").await;
    assert_eq!(story.reply_to("bob").await.text(), "That is someone else's cup.", "the presser is checked");
    story.press("alice", "Brew").await;
    assert_eq!(story.reply_to("alice").await.text(), "Which tea?");
    story.answer("alice", "sencha").await;
    assert_eq!(story.reply_to("alice").await.text(), "Brewing sencha; ready in 3 minutes.");
    story.answer("alice", "oolong").await;
    assert_eq!(story.reply_to("alice").await.text(), "That question has already been answered.");

    story.advance(chrono::Duration::minutes(2)).await;
    story.quiet().await;
    story.advance(chrono::Duration::minutes(1)).await;
    assert_eq!(story.dm("alice").await.text(), "Your sencha is ready.");

    // A second cup, cancelled before it is ready: its timer never fires.
    story.say("bob", "/tea").await;
    story.reply_to("bob").await;
    story.press("bob", "Brew").await;
    story.reply_to("bob").await;
    story.answer("bob", "assam").await;
    story.reply_to("bob").await;
    story.say("bob", "/tea cancel").await;
    assert_eq!(story.reply_to("bob").await.text(), "Kettle off.");
    story.say("bob", "/tea cancel").await;
    assert_eq!(story.reply_to("bob").await.text(), "Nothing is brewing.");
    story.advance(chrono::Duration::minutes(10)).await;
    story.quiet().await;
    story.finish().await;
}
story!(toy_feature, features: vec![Arc::new(Tea) as Arc<dyn Feature>], a_feature_from_outside);

async fn a_question_to_someone_else(mut story: common::story::Story) {
    story.say("bob", "/whoami").await;
    story.reply_to("bob").await;
    story.say("alice", "/ask @bob Is the projector fixed?").await;
    let asked = story.dm("bob").await;
    assert_eq!(asked.text(), "Is the projector fixed?");
    assert!(asked.body.prompt.is_some(), "the direct message carries the question");
    assert_eq!(story.reply_to("alice").await.text(), "Asked bob.");

    story.answer_for("carol", "bob", "yes").await;
    assert_eq!(story.reply_to("carol").await.text(), "That question was put to bob; only they can answer it.");
    story.answer("bob", "Yes, since this morning").await;
    assert_eq!(story.reply_to("bob").await.text(), "Thanks, passed on.");
    assert_eq!(story.dm("alice").await.text(), "bob answered: Yes, since this morning");
    story.finish().await;
}
story!(question_by_direct_message, features: vec![Arc::new(common::toys::Ask) as Arc<dyn Feature>], a_question_to_someone_else);

/// Two features may not claim the same command or namespace: the app refuses to start,
/// naming both.
#[test]
fn clashing_features_are_refused() {
    let mut features = deskmate::features::builtin(&deskmate::config::Config::default());
    features.push(Arc::new(Tea));
    features.push(Arc::new(Tea));
    let Err(clash) = deskmate::chat::feature::Registry::new(features) else { panic!("two teas registered") };
    assert_eq!(clash.to_string(), "features tea and tea both declare the command `tea`");
}

/// A namespace is short lowercase letters and digits, so a button id can never look like
/// an adapter's own (Discord's `~ask:` Answer buttons).
#[test]
fn a_namespace_must_be_short_lowercase_words() {
    struct Odd(&'static str);
    #[async_trait]
    impl Feature for Odd {
        fn name(&self) -> &'static str {
            "odd"
        }
        fn namespace(&self) -> &'static str {
            self.0
        }
    }
    for bad in ["~ask", "Tea", "", "toolongname"] {
        let Err(refused) = deskmate::chat::feature::Registry::new(vec![Arc::new(Odd(bad))]) else {
            panic!("namespace {bad:?} accepted")
        };
        assert!(refused.to_string().contains("must be 1 to 8 lowercase letters or digits"), "{refused}");
    }
    assert!(deskmate::chat::feature::Registry::new(vec![Arc::new(Odd("mtg2"))]).is_ok());
}

/// A feature that adds `/report cups` to the `/report` group approvals started.
struct Census(&'static str);

static CENSUS: &[CommandSpec] = &[deskmate::chat::commands::group("report", &[cmd("cups", Role::Staff, &[], &[])])];
static CENSUS_TEXT: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new(
        "census commands",
        &[(
            Lang::En,
            "cmd-report = Reports\ncmd-report-cups = Cups of tea drunk\ncmd-report-approvals = Approvals again\n",
        )],
    )
});

static CENSUS_TWICE: &[CommandSpec] =
    &[deskmate::chat::commands::group("report", &[cmd("approvals", Role::Staff, &[], &[])])];

#[async_trait]
impl Feature for Census {
    fn name(&self) -> &'static str {
        self.0
    }

    fn namespace(&self) -> &'static str {
        self.0
    }

    fn commands(&self) -> &'static [CommandSpec] {
        if self.0 == "census" { CENSUS } else { CENSUS_TWICE }
    }

    fn command_text(&self) -> Option<&'static Catalog> {
        Some(&CENSUS_TEXT)
    }

    async fn command(&self, _cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        Ok(vec![Effect::reply(format!("{} ran /{}", self.0, inv.full_name()))])
    }
}

/// Several features add subcommands to one group: each runs its own, /help shows them
/// together, and the same subcommand twice is refused.
async fn features_share_a_group(mut story: common::story::Story) {
    story.say("bob", "/report cups").await;
    assert_eq!(story.reply_to("bob").await.text(), "census ran /report cups");
    story.say("alice", "/report approvals").await;
    assert!(story.reply_to("alice").await.text().starts_with("Approvals, "));
    story.say("bob", "/help report").await;
    let help = story.reply_to("bob").await;
    assert!(help.text().contains("/report approvals") && help.text().contains("/report cups"), "{}", help.text());
    story.finish().await;
}
story!(features_share_a_group, features: vec![Arc::new(Census("census")) as Arc<dyn Feature>], features_share_a_group);

#[test]
fn a_subcommand_claimed_twice_is_refused() {
    let mut features = deskmate::features::builtin(&deskmate::config::Config::default());
    features.push(Arc::new(Census("other")));
    let Err(clash) = deskmate::chat::feature::Registry::new(features) else { panic!("two report approvals") };
    assert_eq!(clash.to_string(), "features approvals and other both declare the command `report approvals`");
}

/// Commands nobody could read about are refused at start: the menus and /help need text.
#[test]
fn commands_without_text_are_refused() {
    struct Mute;
    static MUTE: &[CommandSpec] = &[cmd("mute", Role::Staff, &[], &[])];
    #[async_trait]
    impl Feature for Mute {
        fn name(&self) -> &'static str {
            "mute"
        }
        fn namespace(&self) -> &'static str {
            "mute"
        }
        fn commands(&self) -> &'static [CommandSpec] {
            MUTE
        }
    }
    let Err(refused) = deskmate::chat::feature::Registry::new(vec![Arc::new(Mute)]) else { panic!("accepted") };
    assert_eq!(refused.to_string(), "feature mute declares commands but no text for them (Feature::command_text)");
}

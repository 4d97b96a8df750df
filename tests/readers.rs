//! A message written for each reader: the delivery layer writes a direct message in its
//! recipient's language and zone, a notice in its channel's language, a reply in the
//! actor's, and an edit of each again for whoever reads that message.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use common::story::Story;
use deskmate::chat::commands::{ArgKind, Args, CommandSpec, Invocation, Undeclared, arg, cmd};
use deskmate::chat::feature::{Cx, Feature};
use deskmate::i18n::Catalog;
use deskmate::kernel::{Audience, Effect, Lang, Reader, Role, ServiceResult, Shown, Subject};

/// `/greet @person` greets them, the actor and the support queue, each in their own
/// words; `/greet-again` edits every greeting.
struct Greet;

static TEXT: std::sync::LazyLock<Catalog> = std::sync::LazyLock::new(|| {
    Catalog::new(
        "greet commands",
        &[(Lang::En, "cmd-greet = Greet someone\ncmd-greet-person = who\ncmd-greet-again = Edit the greetings\n")],
    )
});

static COMMANDS: &[CommandSpec] =
    &[cmd("greet", Role::Staff, &[arg("person", ArgKind::Mention)], &[]), cmd("greet-again", Role::Staff, &[], &[])];

deskmate::typed_commands! {
    pub enum GreetCommand {
        "greet" => Greet { person: String },
        "greet-again" => Again,
    }
}

impl TryFrom<&Invocation> for GreetCommand {
    type Error = Undeclared;

    fn try_from(inv: &Invocation) -> Result<Self, Undeclared> {
        let a = Args(inv);
        match inv.path.as_slice() {
            ["greet"] => Ok(GreetCommand::Greet { person: a.mention("person")? }),
            ["greet-again"] => Ok(GreetCommand::Again),
            _ => a.undeclared(),
        }
    }
}

fn greeting(at: DateTime<Utc>, again: bool) -> Shown {
    Shown::text_per_reader(move |r: Reader| {
        let clock = at.with_timezone(&r.tz).format("%H:%M");
        match (r.lang, again) {
            (Lang::En, false) => format!("Hello! It is {clock} for you."),
            (Lang::En, true) => format!("Hello again! It is {clock} for you."),
            (Lang::ZhCn, false) => format!("你好！你那里现在是 {clock}。"),
            (Lang::ZhCn, true) => format!("又见面了！你那里现在是 {clock}。"),
        }
    })
}

#[async_trait]
impl Feature for Greet {
    fn name(&self) -> &'static str {
        "greet"
    }

    fn namespace(&self) -> &'static str {
        "greet"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static Catalog> {
        Some(&TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        let subject = Subject::new("greeting", 1);
        let at = cx.actor.at;
        match GreetCommand::try_from(inv)? {
            GreetCommand::Greet { person } => {
                let to = cx.kit.people.resolve(cx.actor, &person).await?;
                Ok(vec![
                    Effect::Reply { body: greeting(at, false), private: false },
                    Effect::Direct { person: to.id, body: greeting(at, false), subject: Some(subject) },
                    Effect::Notice {
                        audience: Audience("support"),
                        subject,
                        body: greeting(at, false),
                        coalesce: None,
                    },
                ])
            }
            GreetCommand::Again => Ok(vec![Effect::UpdateNotices { subject, body: greeting(at, true) }]),
        }
    }
}

async fn each_reader_reads_their_own(mut story: Story) {
    for (who, line) in [("bob", "/lang zh-CN"), ("bob", "/tz set Asia/Shanghai"), ("carol", "/tz set Europe/Berlin")] {
        story.say(who, line).await;
        story.reply_to(who).await;
    }
    // 09:00 UTC: carol (English, Berlin) greets bob (Chinese, Shanghai); the queue reads
    // Chinese, in the deployment's zone (UTC).
    story.say("carol", "/greet @bob").await;
    assert_eq!(story.reply_to("carol").await.text(), "Hello! It is 10:00 for you.");
    assert_eq!(story.dm("bob").await.text(), "你好！你那里现在是 17:00。");
    assert_eq!(story.post_in("queue").await.text(), "你好！你那里现在是 09:00。");
    assert_eq!(story.post_in("-100500").await.text(), "你好！你那里现在是 09:00。");
    story.say("carol", "/greet-again").await;
    let mut edits = Vec::new();
    for _ in 0..3 {
        edits.push(story.edit().await.text().to_owned());
    }
    edits.sort();
    assert_eq!(
        edits,
        ["又见面了！你那里现在是 09:00。", "又见面了！你那里现在是 09:00。", "又见面了！你那里现在是 17:00。"]
    );
    // bob greets carol: his reply in Chinese, her message in English.
    story.say("bob", "/greet @carol").await;
    assert_eq!(story.reply_to("bob").await.text(), "你好！你那里现在是 17:00。");
    assert_eq!(story.dm("carol").await.text(), "Hello! It is 10:00 for you.");
    story.post_in("queue").await;
    story.post_in("-100500").await;
    story.finish().await;
}

fn queue_in_chinese(config: &mut deskmate::config::Config) {
    config.channels.languages = vec!["support=zh-CN".to_owned()];
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_reader_reads_their_own_sqlite() {
    let Some(story) = Story::with_features_and(common::Backend::Sqlite, queue_in_chinese, vec![Arc::new(Greet)]).await
    else {
        return;
    };
    each_reader_reads_their_own(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_reader_reads_their_own_postgres() {
    let Some(story) =
        Story::with_features_and(common::Backend::Postgres, queue_in_chinese, vec![Arc::new(Greet)]).await
    else {
        return;
    };
    each_reader_reads_their_own(story).await;
}

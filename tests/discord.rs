//! The Discord adapter end to end: serenity's real HTTP and gateway code against a fake
//! Discord (REST + websocket gateway) on 127.0.0.1, driving the real core.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::fake_discord::{FakeDiscord, TOKEN, User};
use common::{Backend, TestDb};
use deskmate::App;
use deskmate::clock::SystemClock;
use deskmate::config::Config;
use deskmate_discord::Discord;
use deskmate_port::Inbound;
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;

const HELP: u64 = 700_000_000_000_000_001;
const QUEUE: u64 = 700_000_000_000_000_002;
const ALICE: User = User { id: 500_000_000_000_000_001, name: "Alice" };
const BOB: User = User { id: 500_000_000_000_000_002, name: "Bob" };
const CAROL: User = User { id: 500_000_000_000_000_003, name: "Carol" };
const WAIT: Duration = Duration::from_secs(15);

struct Bot {
    app: App,
    gateway: JoinHandle<()>,
    stop: watch::Sender<bool>,
}

impl Bot {
    async fn start(fake: &FakeDiscord, db: &TestDb, tweak: impl FnOnce(&mut Config)) -> Bot {
        let mut config = Config::default();
        config.database.url = db.url.clone();
        config.discord.token = TOKEN.to_owned();
        config.discord.api_base = fake.api.clone();
        config.discord.guilds = vec![common::fake_discord::GUILD.to_string()];
        config.channels.support_queue = vec![format!("discord:{QUEUE}")];
        config.directory.admins = vec![format!("discord:{}", ALICE.id)];
        config.pacing.discord_channel_per_minute = 0;
        config.pacing.discord_global_per_second = 0;
        tweak(&mut config);
        common::assert_loopback(&config.discord.api_base);
        common::assert_loopback(&fake.gateway);
        let discord = Discord::new(config.discord_settings().unwrap()).unwrap();
        let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(discord.messenger())]).await.unwrap();
        let (stop, stopped) = watch::channel(false);
        let inbound: Arc<dyn Inbound> = Arc::new(app.router.clone());
        let gateway = tokio::spawn(discord.run(inbound, deskmate::commands::menu(), stopped));
        fake.wait("READY and command registration", WAIT, |f| !f.commands().is_empty()).await;
        Bot { app, gateway, stop }
    }

    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(10), self.gateway).await;
        self.app.shutdown().await;
    }
}

async fn setup() -> Option<(FakeDiscord, TestDb)> {
    common::init_tracing();
    let db = TestDb::new(Backend::Sqlite).await?;
    Some((FakeDiscord::start().await, db))
}

async fn wait_message(fake: &FakeDiscord, channel: u64, needle: &str) -> common::fake_discord::Posted {
    fake.wait(&format!("{needle:?} in {channel}"), WAIT, |f| {
        f.messages_in(channel).iter().any(|m| m.content.contains(needle))
    })
    .await;
    fake.messages_in(channel).into_iter().rev().find(|m| m.content.contains(needle)).unwrap()
}

fn ticket_new(title: &str) -> serde_json::Value {
    json!([{ "name": "new", "type": 1, "options": [{ "name": "title", "type": 3, "value": title }] }])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slash_commands_match_the_registry_and_a_ticket_reaches_the_queue() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    let identify = &fake.identifies()[0];
    assert_eq!(identify["token"].as_str().unwrap().trim_start_matches("Bot "), TOKEN);
    let commands = fake.commands();
    let names: Vec<&str> = commands.iter().map(|c| c["name"].as_str().unwrap()).collect();
    let expected: Vec<&str> = deskmate::commands::COMMANDS.iter().map(|c| c.name).collect();
    assert_eq!(names, expected);

    let asked = fake.slash(CAROL, HELP, "ticket", ticket_new("Printer jammed"));
    fake.wait("the answer", WAIT, |f| !f.answer(asked).callbacks.is_empty()).await;
    let answer = fake.answer(asked);
    let (kind, at, _) = &answer.callbacks[0];
    assert!(*at - answer.dispatched.unwrap() < Duration::from_secs(3), "answered within the deadline");
    assert_eq!(*kind, 4);
    let reply = wait_message(&fake, HELP, "Ticket #1 opened").await;
    assert!(!reply.ephemeral());
    let notice = wait_message(&fake, QUEUE, "Printer jammed").await;
    assert_eq!(notice.buttons(), vec!["claim:1"]);
    assert!(notice.nonce.is_some());
    bot.stop().await;
    db.drop_db().await;
}

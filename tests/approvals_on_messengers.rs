//! An approval across messengers, through the real teloxide and serenity clients against
//! the wire-level fakes: dan asks on Telegram, his manager bob decides on Discord (bob
//! also linked a Telegram account, and gets one prompt, not two), carol of Finance
//! decides on Telegram. Each prompt's buttons are replaced by the decision once pressed.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::fake_discord::FakeDiscord;
use common::fake_telegram::FakeTelegram;
use common::{Backend, TestDb};
use deskmate::config::Config;
use deskmate::kernel::clock::{Clock, FakeClock};
use deskmate_port::Inbound;
use serde_json::json;
use tokio::sync::watch;

const WAIT: Duration = Duration::from_secs(15);
/// The Telegram group everyone writes in.
const TG_GROUP: i64 = -1001;
const TG_ALICE: common::fake_telegram::User = common::fake_telegram::User { id: 100, name: "Alice" };
const TG_BOB: common::fake_telegram::User = common::fake_telegram::User { id: 200, name: "Bob" };
const TG_CAROL: common::fake_telegram::User = common::fake_telegram::User { id: 300, name: "Carol" };
const TG_DAN: common::fake_telegram::User = common::fake_telegram::User { id: 400, name: "Dan" };
const DC_CHANNEL: u64 = 700_000_000_000_000_001;
const DC_BOB: common::fake_discord::User = common::fake_discord::User { id: 500_000_000_000_000_002, name: "Bob" };

async fn both_messengers(backend: Backend) {
    common::init_tracing();
    let Some(db) = TestDb::new(backend).await else { return };
    let telegram_fake = FakeTelegram::start().await;
    telegram_fake.group(TG_GROUP, "Office");
    let discord_fake = FakeDiscord::start().await;

    let mut config = Config::default();
    config.database.url = db.url.clone();
    config.telegram.token = common::fake_telegram::TOKEN.to_owned();
    config.telegram.api_url = telegram_fake.url.clone();
    config.telegram.poll_timeout_seconds = 1;
    config.discord.token = common::fake_discord::TOKEN.to_owned();
    config.discord.api_base = discord_fake.api.clone();
    config.discord.guilds = vec![common::fake_discord::GUILD.to_string()];
    config.channels.support_queue = vec![format!("telegram:{TG_GROUP}")];
    config.directory.admins = vec![format!("telegram:{}", TG_ALICE.id)];
    config.pacing.telegram_group_per_minute = 0;
    config.pacing.telegram_direct_per_minute = 0;
    config.pacing.telegram_global_per_second = 0;
    config.pacing.discord_channel_per_minute = 0;
    config.pacing.discord_global_per_second = 0;
    config.limits.commands_per_minute = 0;
    common::assert_loopback(&config.telegram.api_url);
    common::assert_loopback(&config.discord.api_base);
    common::assert_loopback(&discord_fake.gateway);

    let clock = FakeClock::at(chrono::Utc::now());
    let telegram = deskmate_telegram::Telegram::new(config.telegram_settings().unwrap()).unwrap();
    let discord = deskmate_discord::Discord::new(config.discord_settings().unwrap()).unwrap();
    let messengers: Vec<Arc<dyn deskmate_port::Messenger>> =
        vec![Arc::new(telegram.messenger()), Arc::new(discord.messenger())];
    let app = deskmate::App::start(&config, Arc::new(clock.clone()) as Arc<dyn Clock>, messengers).await.unwrap();
    let (stop, stopped) = watch::channel(false);
    let inbound: Arc<dyn Inbound> = Arc::new(app.router.clone());
    let (menu, tg_inbound, tg_stopped) = (app.router.menu(), inbound.clone(), stopped.clone());
    let reader = tokio::spawn(async move { telegram.run(tg_inbound, menu, tg_stopped).await });
    let gateway = tokio::spawn(discord.run(inbound, app.router.menu(), stopped));
    discord_fake.wait("Discord ready", WAIT, |f| !f.commands().is_empty()).await;

    let tg_says = |who, text: &str| telegram_fake.say(TG_GROUP, who, text);
    let tg_wait = |chat: i64, needle: &'static str| {
        let fake = &telegram_fake;
        async move {
            fake.wait(&format!("{needle:?} in {chat}"), WAIT, |f| {
                f.messages_in(chat).iter().any(|m| m.shown.contains(needle))
            })
            .await;
            fake.messages_in(chat).into_iter().rev().find(|m| m.shown.contains(needle)).unwrap()
        }
    };

    // Everyone writes once; bob links his Telegram account to his Discord one.
    for who in [TG_ALICE, TG_CAROL, TG_DAN] {
        tg_says(who, "/whoami");
        tg_wait(TG_GROUP, "You are").await;
    }
    let link = discord_fake.slash(DC_BOB, DC_CHANNEL, "link", json!([]));
    discord_fake.wait("the link code", WAIT, |f| !f.answer(link).callbacks.is_empty()).await;
    let shown = discord_fake.answer(link).callbacks[0].2["data"]["content"].as_str().unwrap().to_owned();
    let code = shown.split_whitespace().nth(4).unwrap().trim_end_matches('.').to_owned();
    tg_says(TG_BOB, &format!("/link {code}"));
    tg_wait(TG_GROUP, "Linked: this account now belongs to").await;
    for line in [
        "/dept create Sales",
        "/dept create Finance",
        "/dept add Sales @dan",
        "/dept set-manager Sales @bob",
        "/dept add Finance @carol",
        "/dept set-manager Finance @carol",
    ] {
        let before = telegram_fake.messages_in(TG_GROUP).len();
        tg_says(TG_ALICE, line);
        telegram_fake.wait(line, WAIT, |f| f.messages_in(TG_GROUP).len() > before).await;
    }
    // bob is on Discord now, a while after linking: that is where his prompts go.
    clock.advance(chrono::Duration::minutes(2));
    let seen = discord_fake.slash(DC_BOB, DC_CHANNEL, "whoami", json!([]));
    discord_fake.wait("bob seen on Discord", WAIT, |f| !f.answer(seen).callbacks.is_empty()).await;

    tg_says(TG_DAN, "/approval request purchase item:Laptop amount:¥6,500");
    tg_wait(TG_GROUP, "Purchase #1 is sent.").await;
    discord_fake
        .wait("bob's prompt", WAIT, |f| f.dm_channel(DC_BOB).is_some_and(|c| !f.messages_in(c).is_empty()))
        .await;
    let dm = discord_fake.dm_channel(DC_BOB).unwrap();
    let prompt = discord_fake.messages_in(dm)[0].clone();
    assert!(prompt.content.contains("Purchase #1 from Dan waits for your decision"), "{prompt:?}");
    assert_eq!(prompt.buttons(), ["ap:ok:1:1", "ap:no:1:1", "ap:chg:1:1"]);
    // One prompt, not two: nothing reached bob's Telegram.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(telegram_fake.messages_in(TG_BOB.id).iter().all(|m| !m.shown.contains("Purchase #1")));

    let pressed = discord_fake.press(DC_BOB, &prompt, "ap:ok:1:1");
    discord_fake.wait("bob's decision", WAIT, |f| !f.answer(pressed).callbacks.is_empty()).await;
    discord_fake.wait("the prompt edited", WAIT, |f| f.message(prompt.id).is_some_and(|m| m.edits > 0)).await;
    let decided = discord_fake.message(prompt.id).unwrap();
    assert!(decided.content.contains("Bob approved it"), "{decided:?}");
    assert_eq!(decided.disabled_buttons().len(), decided.buttons().len(), "no live button: {decided:?}");

    let told = tg_wait(TG_DAN.id, "Next: step 2 (Finance) by Carol").await;
    assert!(told.shown.starts_with("Bob approved your Purchase #1"), "{}", told.shown);
    let second = tg_wait(TG_CAROL.id, "waits for your decision, step 2 (Finance)").await;
    assert_eq!(second.buttons(), ["ap:ok:1:2", "ap:no:1:2", "ap:chg:1:2"]);
    telegram_fake.press(TG_CAROL.id, TG_CAROL, second.id, "ap:ok:1:2");
    telegram_fake
        .wait("carol's prompt edited", WAIT, |f| f.message_by_id(TG_CAROL.id, second.id).is_some_and(|m| m.edits > 0))
        .await;
    let decided = telegram_fake.message_by_id(TG_CAROL.id, second.id).unwrap();
    assert!(decided.shown.contains("Carol approved it"), "{decided:?}");
    assert!(decided.buttons().is_empty(), "the keyboard is gone: {decided:?}");
    tg_wait(TG_DAN.id, "Your Purchase #1 is approved").await;

    let _ = stop.send(true);
    let _ = reader.await;
    let _ = tokio::time::timeout(Duration::from_secs(10), gateway).await;
    app.shutdown().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_across_telegram_and_discord_sqlite() {
    both_messengers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_across_telegram_and_discord_postgres() {
    both_messengers(Backend::Postgres).await;
}

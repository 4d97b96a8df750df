//! The Discord adapter end to end: serenity's real HTTP and gateway code against a fake
//! Discord (REST + websocket gateway) on 127.0.0.1, driving the real core.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::fake_discord::{FakeDiscord, TOKEN, User};
use common::{Backend, TestDb};
use deskmate::App;
use deskmate::config::Config;
use deskmate::kernel::clock::SystemClock;
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
        Bot::start_with(fake, db, tweak, Vec::new()).await
    }

    /// With features of the test's own beside the built-in ones.
    async fn start_with(
        fake: &FakeDiscord,
        db: &TestDb,
        tweak: impl FnOnce(&mut Config),
        extra: Vec<Arc<dyn deskmate::chat::feature::Feature>>,
    ) -> Bot {
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
        let messengers: Vec<Arc<dyn deskmate_port::Messenger>> = vec![Arc::new(discord.messenger())];
        let app = App::start_with(&config, Arc::new(SystemClock), messengers, extra).await.unwrap();
        let (stop, stopped) = watch::channel(false);
        let inbound: Arc<dyn Inbound> = Arc::new(app.router.clone());
        let gateway = tokio::spawn(discord.run(inbound, app.router.menu(), stopped));
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
    let expected: Vec<&str> = deskmate::features::registry().commands().iter().map(|c| c.name).collect();
    assert_eq!(names, expected);
    // Names stay ASCII; descriptions are localized for Chinese clients, down to the options.
    let ticket = commands.iter().find(|c| c["name"] == "ticket").unwrap();
    assert_eq!(ticket["description"], "Open and work on help-desk tickets");
    assert_eq!(ticket["description_localizations"]["zh-CN"], "提交和处理服务台工单");
    let new = ticket["options"].as_array().unwrap().iter().find(|o| o["name"] == "new").unwrap();
    assert_eq!(new["options"][0]["description_localizations"]["zh-CN"], "出了什么问题，一句话说明");
    // A choice keeps its value and is shown by its name in the reader's language.
    let priority = new["options"].as_array().unwrap().iter().find(|o| o["name"] == "priority").unwrap();
    let urgent = priority["choices"].as_array().unwrap().iter().find(|c| c["value"] == "urgent").unwrap();
    assert_eq!((&urgent["name"], &urgent["name_localizations"]["zh-CN"]), (&json!("urgent"), &json!("紧急")));

    let asked = fake.slash(CAROL, HELP, "ticket", ticket_new("Printer jammed"));
    fake.wait("the answer", WAIT, |f| !f.answer(asked).callbacks.is_empty()).await;
    let answer = fake.answer(asked);
    let (kind, at, _) = &answer.callbacks[0];
    let latency = *at - answer.dispatched.unwrap();
    eprintln!("interaction answered {latency:?} after dispatch");
    assert!(latency < Duration::from_secs(3), "answered within the deadline");
    assert_eq!(*kind, 4);
    let reply = wait_message(&fake, HELP, "Ticket #1 opened").await;
    assert!(!reply.ephemeral());
    let notice = wait_message(&fake, QUEUE, "Printer jammed").await;
    assert_eq!(notice.buttons(), vec!["tk:claim:1"]);
    assert!(notice.nonce.is_some());
    assert_eq!(notice.embeds[0]["title"], "Ticket #1 · Printer jammed", "a notice is an embed");

    // Refusals are ephemeral: a staff member may not claim, and only she sees why.
    let refused = fake.slash(
        CAROL,
        HELP,
        "ticket",
        json!([{ "name": "claim", "type": 1, "options": [{ "name": "id", "type": 3, "value": "1" }] }]),
    );
    fake.wait("the refusal", WAIT, |f| !f.replies_to(refused).is_empty()).await;
    let refusal = &fake.replies_to(refused)[0];
    assert!(refusal.ephemeral() && refusal.content.contains("agent"), "{refusal:?}");
    bot.stop().await;
    db.drop_db().await;
}

/// A question put to someone who is not interacting arrives as a direct message with an
/// Answer button (a modal cannot open unasked); the button opens the form, and the form's
/// answer is passed on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_question_by_direct_message_has_an_answer_button() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start_with(&fake, &db, |_| {}, vec![Arc::new(common::toys::Ask)]).await;
    let whoami = fake.slash(BOB, HELP, "whoami", json!([]));
    fake.wait("bob registered", WAIT, |f| !f.answer(whoami).callbacks.is_empty()).await;
    let options = json!([
        { "name": "person", "type": 6, "value": BOB.id.to_string() },
        { "name": "question", "type": 3, "value": "Is the projector fixed?" },
    ]);
    fake.slash_with_user(ALICE, HELP, "ask", options, BOB);
    fake.wait("Bob's question", WAIT, |f| f.dm_channel(BOB).is_some_and(|c| !f.messages_in(c).is_empty())).await;
    let question = fake.messages_in(fake.dm_channel(BOB).unwrap())[0].clone();
    assert!(question.content.contains("Is the projector fixed?"), "{question:?}");
    let answer_button = question.buttons();
    assert_eq!(answer_button.len(), 1, "{question:?}");
    let opened = fake.press(BOB, &question, &answer_button[0]);
    fake.wait("the form", WAIT, |f| !f.answer(opened).callbacks.is_empty()).await;
    let (kind, _, form) = fake.answer(opened).callbacks[0].clone();
    assert_eq!(kind, 9, "a modal");
    let custom_id = form["data"]["custom_id"].as_str().unwrap().to_owned();
    fake.submit(BOB, question.channel, &custom_id, "Yes, since this morning");
    fake.wait("Alice's answer", WAIT, |f| {
        f.dm_channel(ALICE).is_some_and(|c| f.messages_in(c).iter().any(|m| m.content.contains("Bob answered: Yes")))
    })
    .await;
    bot.stop().await;
    db.drop_db().await;
}

/// Bob becomes an agent: Alice grants it with a USER option.
async fn make_bob_agent(fake: &FakeDiscord) {
    let options = json!([{ "name": "grant", "type": 1, "options": [
        { "name": "person", "type": 6, "value": BOB.id.to_string() },
        { "name": "role", "type": 3, "value": "agent" },
    ] }]);
    fake.slash_with_user(ALICE, HELP, "role", options, BOB);
    wait_message(fake, HELP, "is now an agent").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agent_claims_a_staff_press_is_refused_and_a_form_resolves() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    make_bob_agent(&fake).await;
    fake.slash(CAROL, HELP, "ticket", ticket_new("VPN drops"));
    let notice = wait_message(&fake, QUEUE, "VPN drops").await;
    // The thread is opened on the posted notice: a second request, after the post.
    fake.wait("the notice's thread", WAIT, |f| !f.threads().is_empty()).await;
    let thread = fake.threads();
    assert_eq!(thread.len(), 1, "the notice opens one thread");
    assert_eq!((thread[0].1, thread[0].2.as_str()), (notice.id, "Ticket #1 · VPN drops"));

    // Carol is staff: refused, only she sees it, nothing changes.
    let refused = fake.press(CAROL, &notice, "tk:claim:1");
    fake.wait("the refusal", WAIT, |f| !f.replies_to(refused).is_empty()).await;
    let refusal = &fake.replies_to(refused)[0];
    assert!(refusal.ephemeral() && refusal.content.contains("agent"), "{refusal:?}");
    // A forged or stale id is refused the same way.
    let forged = fake.press(CAROL, &notice, "tk:claim:999");
    fake.wait("the stale refusal", WAIT, |f| !f.replies_to(forged).is_empty()).await;
    assert!(fake.replies_to(forged)[0].ephemeral());
    assert_eq!(fake.message(notice.id).unwrap().edits, 0);

    // Bob claims: his confirmation is private, the notice is edited for everyone.
    let claimed = fake.press(BOB, &notice, "tk:claim:1");
    fake.wait("the claim", WAIT, |f| f.message(notice.id).is_some_and(|m| m.content.contains("claimed by Bob"))).await;
    assert!(fake.replies_to(claimed).iter().all(|m| m.ephemeral()));
    let edited = fake.message(notice.id).unwrap();
    assert_eq!(edited.buttons(), vec!["tk:resolve:1"]);

    // Resolve opens a form; its answer closes the ticket.
    let resolve = fake.press(BOB, &edited, "tk:resolve:1");
    fake.wait("the form", WAIT, |f| !f.answer(resolve).callbacks.is_empty()).await;
    let (kind, _, form) = fake.answer(resolve).callbacks[0].clone();
    assert_eq!(kind, 9, "a modal");
    let custom_id = form["data"]["custom_id"].as_str().unwrap().to_owned();
    let submitted = fake.submit(BOB, QUEUE, &custom_id, "Replaced the *router* & reset keys");
    fake.wait("the resolution", WAIT, |f| f.message(notice.id).is_some_and(|m| m.content.contains("Resolution:")))
        .await;
    let closed = fake.message(notice.id).unwrap();
    assert!(closed.content.contains("Replaced the \\*router\\* & reset keys"), "{}", closed.content);
    assert_eq!(closed.disabled_buttons(), vec!["tk:resolve:1"], "the decided button stays, disabled");
    fake.wait("the answer to the form", WAIT, |f| !f.answer(submitted).callbacks.is_empty()).await;
    assert_eq!(
        bot.app.store.ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().unwrap().status.to_string(),
        "resolved"
    );

    // Carol hears of the fix by direct message, with buttons; she confirms it and the
    // ticket closes.
    fake.wait("carol's news", WAIT, |f| {
        f.dm_channel(CAROL)
            .is_some_and(|dm| f.messages_in(dm).iter().any(|m| m.content.contains("resolved your ticket")))
    })
    .await;
    let dm = fake.dm_channel(CAROL).unwrap();
    let news = fake.messages_in(dm).into_iter().find(|m| m.content.contains("resolved your ticket")).unwrap();
    assert_eq!(news.buttons(), vec!["tk:close:1", "tk:reopen:1"]);
    fake.press(CAROL, &news, "tk:close:1");
    fake.wait("the close", WAIT, |f| f.message(notice.id).is_some_and(|m| m.content.contains("closed by Carol"))).await;
    assert_eq!(
        bot.app.store.ticket(deskmate::features::tickets::TicketId(1)).await.unwrap().unwrap().status.to_string(),
        "closed"
    );
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_handler_defers_then_follows_up() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |c| c.discord.defer_after_ms = 300).await;
    // Holding the database's write lock makes the command wait, as a slow disk would.
    let busy = bot.app.store.begin().await.unwrap();
    let asked = fake.slash(CAROL, HELP, "ticket", ticket_new("Slow one"));
    fake.wait("the deferral", WAIT, |f| !f.answer(asked).callbacks.is_empty()).await;
    let answer = fake.answer(asked);
    assert_eq!(answer.callbacks[0].0, 5, "deferred");
    assert!(answer.callbacks[0].1 - answer.dispatched.unwrap() < Duration::from_secs(3));
    tokio::time::sleep(Duration::from_millis(500)).await;
    busy.rollback().await.unwrap();
    let reply = wait_message(&fake, HELP, "Ticket #1 opened").await;
    assert_eq!(reply.interaction, Some(asked), "the reply edits the deferred response");
    assert_eq!(fake.answer(asked).callbacks.len(), 1, "one acknowledgement only");
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_gateway_drops_and_the_session_resumes() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    fake.drop_connection();
    fake.wait("a resume", Duration::from_secs(30), |f| f.resumes() >= 1 && f.connected()).await;
    assert_eq!(fake.identifies().len(), 1, "resumed, not identified anew");
    let asked = fake.slash(CAROL, HELP, "whoami", json!([]));
    fake.wait("an answer after the resume", WAIT, |f| !f.replies_to(asked).is_empty()).await;
    assert!(fake.replies_to(asked)[0].content.contains("You are Carol"));
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn everyone_in_a_title_pings_nobody() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    fake.slash(CAROL, HELP, "ticket", ticket_new("@everyone the **printer** is <@123> down"));
    let notice = wait_message(&fake, QUEUE, "printer").await;
    wait_message(&fake, HELP, "opened").await;
    assert!(fake.all_messages().iter().all(|m| !m.pings_everyone), "{:#?}", fake.all_messages());
    assert!(notice.content.contains("\\*\\*printer\\*\\*"), "markdown shown literally: {}", notice.content);
    assert!(!notice.content.contains("<@123>"));
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ticket_options_are_suggested_while_typing() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    fake.slash(CAROL, HELP, "ticket", ticket_new("Keyboard sticky"));
    wait_message(&fake, QUEUE, "Keyboard sticky").await;
    fake.slash(CAROL, HELP, "ticket", ticket_new("Mouse lost"));
    wait_message(&fake, QUEUE, "Mouse lost").await;
    let typing = json!([{ "name": "show", "type": 1, "options": [
        { "name": "id", "type": 3, "value": "mou", "focused": true }
    ] }]);
    let asked = fake.autocomplete(CAROL, HELP, "ticket", typing);
    fake.wait("suggestions", WAIT, |f| !f.answer(asked).callbacks.is_empty()).await;
    let (kind, _, body) = fake.answer(asked).callbacks[0].clone();
    assert_eq!(kind, 8);
    let choices = body["data"]["choices"].as_array().unwrap().clone();
    assert_eq!(choices.len(), 1, "{choices:?}");
    assert_eq!(choices[0]["value"], "2");
    assert!(choices[0]["name"].as_str().unwrap().contains("Mouse lost"));
    // The chosen value runs the command.
    let shown = fake.slash(
        CAROL,
        HELP,
        "ticket",
        json!([{ "name": "show", "type": 1, "options": [{ "name": "id", "type": 3, "value": "2" }] }]),
    );
    fake.wait("the ticket", WAIT, |f| f.replies_to(shown).iter().any(|m| m.content.contains("Mouse lost"))).await;
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn private_answers_need_open_dms_or_get_a_mention() {
    let Some((fake, db)) = setup().await else { return };
    fake.close_dms(CAROL);
    let bot = Bot::start(&fake, &db, |_| {}).await;
    // A link code asked for with a mention in a channel goes by DM…
    fake.say(BOB, HELP, &format!("<@{}> link", common::fake_discord::BOT_ID), true);
    fake.wait("Bob's DM", WAIT, |f| f.dm_channel(BOB).is_some_and(|c| !f.messages_in(c).is_empty())).await;
    let dm = fake.messages_in(fake.dm_channel(BOB).unwrap());
    assert!(dm[0].content.contains("link code"), "{dm:?}");
    // …and to someone whose DMs are closed, a mention in the channel says how.
    fake.say(CAROL, HELP, &format!("<@{}> link", common::fake_discord::BOT_ID), true);
    let hint = wait_message(&fake, HELP, "allow direct messages").await;
    assert!(hint.content.contains(&format!("<@{}>", CAROL.id)));
    assert!(!hint.content.contains("link code"));
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_429_is_retried_and_nothing_posts_twice() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    fake.fail_next(
        &format!("POST /channels/{QUEUE}/messages"),
        429,
        json!({ "message": "You are being rate limited.", "retry_after": 1.5, "global": false, "code": 0 }),
    );
    fake.slash(CAROL, HELP, "ticket", ticket_new("Rate limited notice"));
    wait_message(&fake, QUEUE, "Rate limited notice").await;
    let posts: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|(m, p, _)| m.as_str() == "POST" && *p == format!("/channels/{QUEUE}/messages"))
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(posts[1].2 - posts[0].2 >= Duration::from_millis(1500), "waited before retrying");
    assert_eq!(fake.messages_in(QUEUE).len(), 1);
    bot.stop().await;
    db.drop_db().await;
}

/// A Discord role mapped to "agent" in the config makes its holders agents.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_mapped_discord_role_grants_the_agent_role() {
    const SUPPORT_ROLE: u64 = 600_000_000_000_000_001;
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |c| c.discord.roles = vec![format!("{SUPPORT_ROLE}:agent")]).await;
    fake.slash(CAROL, HELP, "ticket", ticket_new("Needs an agent"));
    let notice = wait_message(&fake, QUEUE, "Needs an agent").await;
    fake.give_role(BOB, SUPPORT_ROLE);
    fake.press(BOB, &notice, "tk:claim:1");
    fake.wait("the claim", WAIT, |f| f.message(notice.id).is_some_and(|m| m.content.contains("claimed by Bob"))).await;
    bot.stop().await;
    db.drop_db().await;
}

/// Configured shards are the ones identified with.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_configured_shard_is_identified() {
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |c| c.discord.shards = "1-1/2".to_owned()).await;
    assert_eq!(fake.identifies()[0]["shard"], json!([1, 2]));
    bot.stop().await;
    db.drop_db().await;
}

/// After an interaction's token has expired (15 minutes), a late reply goes out as a
/// plain message (a DM when it was private), never on the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_late_reply_does_not_use_an_expired_token() {
    use deskmate_port::{Body, ChannelKind, ChannelRef, Destination, Messenger, OutboundMessage, Platform};
    let Some((fake, _db)) = setup().await else { return };
    let mut config = Config::default();
    config.discord.token = TOKEN.to_owned();
    config.discord.api_base = fake.api.clone();
    let messenger = Discord::new(config.discord_settings().unwrap()).unwrap().messenger();
    let channel = ChannelRef { platform: Platform::Discord, id: HELP.to_string(), kind: ChannelKind::Group };
    let old = chrono::Utc::now().timestamp_millis() - 16 * 60 * 1000;
    for (private, key) in [(false, "late:public"), (true, "late:private")] {
        let handle = format!("i:42:{old}:{}:expired-token", CAROL.id);
        let to = Destination::Reply { channel: channel.clone(), reply_handle: handle, private, quiet: false };
        messenger
            .send(OutboundMessage { to, body: Body::text(format!("late {key}")), idempotency_key: key.to_owned() })
            .await
            .unwrap();
    }
    assert!(fake.messages_in(HELP).iter().any(|m| m.content == "late late:public"));
    let dm = fake.dm_channel(CAROL).expect("a DM channel");
    assert!(fake.messages_in(dm).iter().any(|m| m.content == "late late:private"));
    assert!(
        fake.calls().iter().all(|(_, path, _)| !path.starts_with("/webhooks") && !path.starts_with("/interactions"))
    );
}

/// The real binary with Telegram and Discord at once, configured from the environment:
/// a ticket opened in a Telegram group is claimed from Discord, and both queues show it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_binary_serves_telegram_and_discord_together() {
    use common::fake_telegram::{self, FakeTelegram};
    const SUPPORT_ROLE: u64 = 600_000_000_000_000_009;
    const TG_HELP: i64 = -1001;
    const TG_QUEUE: i64 = -1002;
    let tg_user = fake_telegram::User { id: 42, name: "Dora" };
    common::init_tracing();
    let discord = FakeDiscord::start().await;
    let telegram = FakeTelegram::start().await;
    telegram.group(TG_HELP, "Help");
    telegram.group(TG_QUEUE, "Queue");
    for url in [&discord.api, &discord.gateway, &telegram.url] {
        common::assert_loopback(url);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_deskmate"));
    cmd.current_dir(dir.path()).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    cmd.stderr(std::process::Stdio::piped()).kill_on_drop(true);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("DESKMATE_")) {
        cmd.env_remove(key);
    }
    cmd.env("DESKMATE_TELEGRAM_TOKEN", fake_telegram::TOKEN)
        .env("DESKMATE_TELEGRAM_API_URL", &telegram.url)
        .env("DESKMATE_TELEGRAM_POLL_TIMEOUT_SECONDS", "1")
        .env("DESKMATE_DISCORD_TOKEN", TOKEN)
        .env("DESKMATE_DISCORD_API_BASE", &discord.api)
        .env("DESKMATE_DISCORD_GUILDS", common::fake_discord::GUILD.to_string())
        .env("DESKMATE_DISCORD_ROLES", format!("{SUPPORT_ROLE}:agent"))
        .env("DESKMATE_CHANNELS_SUPPORT_QUEUE", format!("telegram:{TG_QUEUE},discord:{QUEUE}"));
    let mut child = cmd.spawn().unwrap();
    discord.wait("the bot to register its commands", WAIT, |f| !f.commands().is_empty()).await;

    telegram.say(TG_HELP, tg_user, "/ticket new Coffee machine leaks");
    let notice = wait_message(&discord, QUEUE, "Coffee machine leaks").await;
    telegram
        .wait("the Telegram notice", WAIT, |f| f.messages_in(TG_QUEUE).iter().any(|m| m.shown.contains("Coffee")))
        .await;
    discord.give_role(BOB, SUPPORT_ROLE);
    discord.press(BOB, &notice, "tk:claim:1");
    telegram
        .wait("the Telegram notice edited", WAIT, |f| {
            f.messages_in(TG_QUEUE).iter().any(|m| m.shown.contains("claimed by Bob"))
        })
        .await;
    discord
        .wait("the Discord notice edited", WAIT, |f| {
            f.message(notice.id).is_some_and(|m| m.content.contains("claimed by Bob"))
        })
        .await;

    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status =
        tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exit after SIGTERM").unwrap();
    let mut stderr = String::new();
    use tokio::io::AsyncReadExt;
    child.stderr.take().unwrap().read_to_string(&mut stderr).await.unwrap();
    assert!(status.success(), "exit status {status:?}; stderr:\n{stderr}");
    assert!(!stderr.contains(TOKEN) && !stderr.contains(fake_telegram::TOKEN), "tokens are never logged");
}

/// A refused token is logged and retried with backoff; the gateway is never tried, and
/// nothing panics.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_token_is_retried_not_a_panic() {
    let Some((fake, db)) = setup().await else { return };
    let mut config = Config::default();
    config.database.url = db.url.clone();
    config.discord.token = "MTIz.WRONG.token".to_owned();
    config.discord.api_base = fake.api.clone();
    let discord = Discord::new(config.discord_settings().unwrap()).unwrap();
    let messenger = discord.messenger();
    let app = App::start(&config, Arc::new(SystemClock), vec![Arc::new(messenger.clone())]).await.unwrap();
    let (stop, stopped) = watch::channel(false);
    let gateway = tokio::spawn(discord.run(Arc::new(app.router.clone()), app.router.menu(), stopped));
    fake.wait("a retry", WAIT, |f| f.calls().iter().filter(|(_, p, _)| p == "/users/@me").count() >= 2).await;
    assert!(fake.identifies().is_empty(), "no gateway session with a refused token");
    assert!(!deskmate_port::Messenger::is_connected(&messenger));
    assert!(!gateway.is_finished());
    let _ = stop.send(true);
    tokio::time::timeout(Duration::from_secs(5), gateway).await.expect("stops when asked").unwrap();
    app.shutdown().await;
    db.drop_db().await;
}

/// The database goes away while a slash command comes in: the interaction is deferred
/// within Discord's deadline, the event is offered again, and the answer edits the
/// deferred response once the database is back. On PostgreSQL behind a cut proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_interaction_during_a_database_outage_is_deferred_and_answered_later() {
    common::init_tracing();
    let Some(db) = TestDb::new(Backend::Postgres).await else { return };
    let fake = FakeDiscord::start().await;
    let (proxy, proxied) = common::proxy::Proxy::in_front_of(&db.url).await;
    let bot = Bot::start(&fake, &db, |c| {
        c.database.url = proxied.clone();
        c.discord.defer_after_ms = 500;
    })
    .await;
    proxy.cut();
    let asked = fake.slash(CAROL, HELP, "ticket", ticket_new("Asked while the database was away"));
    fake.wait("the deferral", WAIT, |f| !f.answer(asked).callbacks.is_empty()).await;
    let answer = fake.answer(asked);
    assert_eq!(answer.callbacks[0].0, 5, "deferred");
    assert!(answer.callbacks[0].1 - answer.dispatched.unwrap() < Duration::from_secs(3));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(fake.replies_to(asked).is_empty(), "nothing claimed to be done while the database is away");
    proxy.restore();
    let reply = wait_message(&fake, HELP, "Ticket #1 opened: Asked while the database was away").await;
    assert_eq!(reply.interaction, Some(asked), "the reply edits the deferred response");
    assert_eq!(fake.answer(asked).callbacks.len(), 1, "one acknowledgement only");
    let tickets = bot
        .app
        .store
        .tickets(deskmate::features::tickets::TicketFilter { statuses: None, involving: None, limit: 10 })
        .await;
    assert_eq!(tickets.unwrap().len(), 1, "applied once");
    bot.stop().await;
    db.drop_db().await;
}

/// Files ride on the message as multipart attachments, byte for byte; a file over
/// Discord's 10 MB is refused with an error that says so (dead-lettered, admins told),
/// and the rest of the queue goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn files_are_attached_and_an_oversized_one_is_refused_clearly() {
    use deskmate::kernel::Effect;
    use deskmate_port::{Attachment, Body, ChannelRef, Platform};
    let Some((fake, db)) = setup().await else { return };
    let bot = Bot::start(&fake, &db, |c| c.outbox.max_attempts = 1).await;
    let queue = ChannelRef::group(Platform::Discord, QUEUE.to_string());
    let bytes: Vec<u8> = (0..5_000).map(|i| (i * 7 % 251) as u8).collect();
    let chart = Attachment::new("chart.png", "image/png", bytes.clone()).unwrap();
    let body = Body { files: vec![chart], ..Body::text("Tickets this week") };
    bot.app.announce("test:chart", &[Effect::PostTo { channel: queue.clone(), body: body.into() }]).await.unwrap();
    let posted = wait_message(&fake, QUEUE, "Tickets this week").await;
    let hash = deskmate_port::stable_hash(&String::from_utf8_lossy(&bytes));
    assert_eq!(posted.files, vec![("chart.png".to_owned(), 5_000, hash)]);

    let huge = Attachment::new("scan.pdf", "application/pdf", vec![b'%'; 12 * 1024 * 1024]).unwrap();
    let body = Body { files: vec![huge], ..Body::text("The scan") };
    bot.app.announce("test:huge", &[Effect::PostTo { channel: queue.clone(), body: body.into() }]).await.unwrap();
    bot.app
        .announce("test:after", &[Effect::PostTo { channel: queue, body: Body::text("Next in line").into() }])
        .await
        .unwrap();
    wait_message(&fake, QUEUE, "Next in line").await;
    assert!(!fake.messages_in(QUEUE).iter().any(|m| m.content.contains("The scan")), "nothing half-sent");
    let dead = bot.app.store.outbox_dead_letters(10).await.unwrap();
    let error = dead.iter().map(|(_, e)| e.clone()).find(|e| e.contains("scan.pdf")).unwrap_or_default();
    assert!(error.contains("scan.pdf is 12.6 MB; Discord accepts files of at most 10 MB"), "{error}");
    bot.stop().await;
    db.drop_db().await;
}

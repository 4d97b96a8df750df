//! The Telegram adapter end to end: the real teloxide client against a fake Bot API on
//! 127.0.0.1, driving the real router, services, outbox and store.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::fake_telegram::{BOT_USERNAME, FakeTelegram, TOKEN, User};
use common::{Backend, TestDb};
use deskmate::App;
use deskmate::config::Config;
use deskmate::kernel::clock::SystemClock;
use deskmate_port::Inbound;
use deskmate_telegram::Telegram;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Where staff talk to the bot.
const HELP: i64 = -1001;
/// The support queue.
const QUEUE: i64 = -1002;
const ALICE: User = User { id: 100, name: "Alice" };
const BOB: User = User { id: 200, name: "Bob" };
const CAROL: User = User { id: 300, name: "Carol" };
const WAIT: Duration = Duration::from_secs(15);

struct Bot {
    app: App,
    reader: JoinHandle<()>,
    stop: watch::Sender<bool>,
}

impl Bot {
    async fn start(fake: &FakeTelegram, db: &TestDb, tweak: impl FnOnce(&mut Config)) -> Bot {
        Bot::start_with(fake, db, tweak, Vec::new()).await
    }

    /// With features of the test's own beside the built-in ones.
    async fn start_with(
        fake: &FakeTelegram,
        db: &TestDb,
        tweak: impl FnOnce(&mut Config),
        extra: Vec<Arc<dyn deskmate::chat::feature::Feature>>,
    ) -> Bot {
        let mut config = Config::default();
        config.database.url = db.url.clone();
        config.telegram.token = TOKEN.to_owned();
        config.telegram.api_url = fake.url.clone();
        config.telegram.poll_timeout_seconds = 1;
        config.channels.support_queue = vec![format!("telegram:{QUEUE}")];
        config.directory.admins = vec![format!("telegram:{}", ALICE.id)];
        config.pacing.telegram_group_per_minute = 0;
        config.pacing.telegram_direct_per_minute = 0;
        config.pacing.telegram_global_per_second = 0;
        config.outbox.retry_base_seconds = 1;
        // Bursts from one person are what these tests send; the limits have tests of their own.
        config.limits.commands_per_minute = 0;
        config.limits.tickets_per_minute = 0;
        tweak(&mut config);
        common::assert_loopback(&config.telegram.api_url);
        let telegram = Telegram::new(config.telegram_settings().unwrap()).unwrap();
        let messengers: Vec<Arc<dyn deskmate_port::Messenger>> = vec![Arc::new(telegram.messenger())];
        let app = App::start_with(&config, Arc::new(SystemClock), messengers, extra).await.unwrap();
        let (stop, stopped) = watch::channel(false);
        let inbound: Arc<dyn Inbound> = Arc::new(app.router.clone());
        let menu = app.router.menu();
        let reader = tokio::spawn(async move { telegram.run(inbound, menu, stopped).await });
        Bot { app, reader, stop }
    }

    /// A graceful stop: the reader confirms what it handled, the outbox flushes.
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.reader.await;
        self.app.shutdown().await;
    }

    /// A crash: the reader dies wherever it is, nothing more is sent.
    async fn kill(self) {
        self.reader.abort();
        let _ = self.reader.await;
        self.app.halt().await;
    }
}

/// Webhook mode on a free loopback port, with `secret`.
fn webhook_mode(c: &mut Config, secret: &str) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    c.telegram.mode = deskmate::config::TelegramMode::Webhook;
    c.telegram.webhook_url = format!("http://127.0.0.1:{port}/telegram/hook");
    c.telegram.webhook_listen = format!("127.0.0.1:{port}");
    c.telegram.webhook_secret = secret.to_owned();
    common::assert_loopback(&c.telegram.webhook_url);
}

async fn setup(backend: Backend) -> Option<(FakeTelegram, TestDb)> {
    common::init_tracing();
    let db = TestDb::new(backend).await?;
    let fake = FakeTelegram::start().await;
    fake.group(HELP, "Help");
    fake.group(QUEUE, "Support queue");
    Some((fake, db))
}

/// The bot's newest message in a chat whose text contains `needle`.
async fn wait_message(fake: &FakeTelegram, chat: i64, needle: &str) -> common::fake_telegram::BotMessage {
    fake.wait(&format!("a message with {needle:?} in {chat}"), WAIT, |f| {
        f.messages_in(chat).iter().any(|m| m.shown.contains(needle))
    })
    .await;
    fake.messages_in(chat).into_iter().rev().find(|m| m.shown.contains(needle)).unwrap()
}

fn all_tickets() -> deskmate::features::tickets::TicketFilter {
    deskmate::features::tickets::TicketFilter { statuses: None, involving: None, limit: 1000 }
}

async fn ticket_status(app: &App, id: i64) -> String {
    let ticket = app.store.ticket(deskmate::features::tickets::TicketId(id)).await.unwrap().unwrap();
    ticket.status.to_string()
}

/// Bob becomes an agent: he speaks first so the directory knows his @handle.
async fn make_bob_agent(fake: &FakeTelegram) {
    fake.say(HELP, BOB, "/whoami");
    wait_message(fake, HELP, "Bob").await;
    fake.say(HELP, ALICE, "/role grant @bob agent");
    wait_message(fake, HELP, "agent").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ticket_in_a_group_reaches_the_queue_with_a_claim_button() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    let said = fake.say(HELP, CAROL, &format!("/ticket@{BOT_USERNAME} new Printer jammed priority:high"));
    let reply = wait_message(&fake, HELP, "Ticket #1 opened").await;
    let command_message = said; // update id; the reply quotes Carol's message
    assert!(reply.reply_to.is_some(), "the reply quotes the command (update {command_message})");
    let notice = wait_message(&fake, QUEUE, "Printer jammed").await;
    assert_eq!(notice.buttons(), vec!["tk:claim:1"]);
    assert!(notice.shown.contains("Priority: high"));

    // The menu comes from the registry; getMe came before any getUpdates.
    let names: Vec<String> = deskmate::features::registry().commands().iter().map(|c| c.name.to_owned()).collect();
    assert_eq!(fake.commands(), names);
    // Once more for people whose Telegram is in Chinese: the same commands, described in Chinese.
    let chinese = fake.menu("zh");
    assert_eq!(chinese.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(), names);
    assert!(chinese.contains(&("ticket".to_owned(), "提交和处理服务台工单".to_owned())), "{chinese:?}");
    assert!(fake.menu("").contains(&("ticket".to_owned(), "Open and work on help-desk tickets".to_owned())));
    let first_me = fake.calls("getme")[0].at;
    assert!(fake.calls("getupdates").iter().all(|c| c.at >= first_me));
    // A command for another bot in the same group is not ours.
    fake.say(HELP, CAROL, "/ticket@some_other_bot new Not for us");
    fake.say(HELP, CAROL, "/whoami");
    wait_message(&fake, HELP, "You are Carol").await;
    assert!(fake.messages_in(QUEUE).iter().all(|m| !m.shown.contains("Not for us")));
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_agent_claims_by_button_then_resolves_through_a_forced_reply() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    make_bob_agent(&fake).await;
    // Carol has started the bot, so it can write to her privately.
    fake.say(CAROL.id, CAROL, "/whoami");
    wait_message(&fake, CAROL.id, "You are Carol").await;
    fake.say(HELP, CAROL, "/ticket new VPN drops every hour");
    let notice = wait_message(&fake, QUEUE, "VPN drops").await;

    let query = fake.press(QUEUE, BOB, notice.id, "tk:claim:1");
    fake.wait("the claim to be answered", WAIT, |f| !f.answers(&query).is_empty()).await;
    let answers = fake.answers(&query);
    assert_eq!(answers.len(), 1, "one answer per press: {answers:?}");
    assert!(answers[0].as_deref().unwrap_or_default().contains("You claimed ticket #1"), "{answers:?}");
    fake.wait("the notice to be edited", WAIT, |f| {
        f.message_by_id(QUEUE, notice.id).is_some_and(|m| m.shown.contains("claimed by Bob"))
    })
    .await;
    let edited = fake.message_by_id(QUEUE, notice.id).unwrap();
    assert_eq!(edited.buttons(), vec!["tk:resolve:1"], "Claim gives way to Resolve");
    assert_eq!(ticket_status(&bot.app, 1).await, "claimed");

    // Resolve asks for a note with ForceReply; Bob's reply closes the ticket.
    let query = fake.press(QUEUE, BOB, notice.id, "tk:resolve:1");
    let question = wait_message(&fake, QUEUE, "How was ticket #1").await;
    assert!(question.forces_reply());
    assert_eq!(question.reply_to, Some(notice.id));
    fake.wait("the resolve press to be answered", WAIT, |f| f.answers(&query).len() == 1).await;
    // Someone else's reply is not an answer.
    fake.reply(QUEUE, ALICE, question.id, "Not me");
    wait_message(&fake, QUEUE, "put to Bob").await;
    fake.reply(QUEUE, BOB, question.id, "Replaced the <router> & reset keys");
    fake.wait("the notice to show the resolution", WAIT, |f| {
        f.message_by_id(QUEUE, notice.id)
            .is_some_and(|m| m.shown.contains("Resolution: Replaced the <router> & reset keys"))
    })
    .await;
    assert!(fake.message_by_id(QUEUE, notice.id).unwrap().buttons().is_empty());
    assert_eq!(ticket_status(&bot.app, 1).await, "resolved");
    // A second answer to the same question changes nothing.
    fake.reply(QUEUE, BOB, question.id, "again");
    wait_message(&fake, QUEUE, "already been answered").await;

    // Carol hears of the fix privately, with buttons; it is not fixed, so she reopens it.
    let news = wait_message(&fake, CAROL.id, "Bob resolved your ticket #1").await;
    assert_eq!(news.buttons(), vec!["tk:close:1", "tk:reopen:1"]);
    let query = fake.press(CAROL.id, CAROL, news.id, "tk:reopen:1");
    fake.wait("the reopen press to be answered", WAIT, |f| f.answers(&query).len() == 1).await;
    fake.wait("the notice to show it reopened", WAIT, |f| {
        f.message_by_id(QUEUE, notice.id).is_some_and(|m| m.shown.contains("in progress with Bob"))
    })
    .await;
    assert_eq!(fake.message_by_id(QUEUE, notice.id).unwrap().buttons(), vec!["tk:resolve:1"]);
    assert_eq!(ticket_status(&bot.app, 1).await, "in_progress");
    wait_message(&fake, BOB.id, "Carol reopened ticket #1").await;
    bot.stop().await;
    db.drop_db().await;
}

/// A question put to someone else arrives in their private chat with ForceReply; their
/// reply there is the answer (found by the message it replies to), and someone else's
/// message is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_question_by_direct_message_is_answered_by_replying() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start_with(&fake, &db, |_| {}, vec![Arc::new(common::toys::Ask)]).await;
    fake.say(BOB.id, BOB, "/whoami");
    wait_message(&fake, BOB.id, "You are Bob").await;
    fake.say(HELP, ALICE, "/ask @bob Is the projector fixed?");
    wait_message(&fake, HELP, "Asked Bob").await;
    let question = wait_message(&fake, BOB.id, "Is the projector fixed?").await;
    assert!(question.forces_reply(), "{question:?}");
    fake.reply(BOB.id, BOB, question.id, "Yes, since this morning");
    wait_message(&fake, ALICE.id, "Bob answered: Yes, since this morning").await;
    wait_message(&fake, BOB.id, "Thanks, passed on.").await;
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_staff_press_is_refused_with_a_toast_and_changes_nothing() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    fake.say(HELP, CAROL, "/ticket new Broken chair");
    let notice = wait_message(&fake, QUEUE, "Broken chair").await;
    let query = fake.press(QUEUE, CAROL, notice.id, "tk:claim:1");
    fake.wait("the refusal", WAIT, |f| !f.answers(&query).is_empty()).await;
    let toast = fake.answers(&query)[0].clone().unwrap_or_default();
    assert!(toast.contains("agent"), "{toast}");
    // A forged press (data no button carries) is refused too.
    let forged = fake.press(QUEUE, CAROL, notice.id, "drop:tables");
    fake.wait("the forged refusal", WAIT, |f| !f.answers(&forged).is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fake.message_by_id(QUEUE, notice.id).unwrap().edits, 0);
    assert_eq!(ticket_status(&bot.app, 1).await, "open");
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_429_retry_after_is_honoured() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", Some(2));
    fake.say(HELP, CAROL, "/whoami");
    wait_message(&fake, HELP, "You are Carol").await;
    let sends = fake.calls("sendmessage");
    assert!(sends.len() >= 2);
    let waited = sends[1].at - sends[0].at;
    assert!(waited >= Duration::from_secs(2), "retried after {waited:?}");
    assert_eq!(fake.messages_in(HELP).iter().filter(|m| m.shown.contains("You are Carol")).count(), 1);
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_escaped_title_renders_as_sent() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    let title = "<b>Fish & Chips</b> _under_ *stars* [link](x) a<b";
    fake.say(HELP, CAROL, &format!("/ticket new \"{title}\""));
    let notice = wait_message(&fake, QUEUE, "Fish").await;
    assert!(notice.shown.contains(&format!("Ticket #1 · {title}")), "{}", notice.shown);
    let reply = wait_message(&fake, HELP, "opened").await;
    assert!(reply.shown.contains(title), "{}", reply.shown);
    bot.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn private_answers_and_unreachable_people() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    fake.stranger(CAROL);
    let bot = Bot::start(&fake, &db, |_| {}).await;
    make_bob_agent(&fake).await;
    // A link code is private: Bob (who started the bot) gets it by DM; Carol (who never
    // did) is told how, in the group, and the code is not shown there.
    fake.say(HELP, BOB, "/link");
    wait_message(&fake, BOB.id, "code").await;
    fake.say(HELP, CAROL, "/link");
    let hint = wait_message(&fake, HELP, "press Start").await;
    assert!(hint.shown.contains(BOT_USERNAME));

    // Carol's ticket is claimed: her DM bounces, the group hears it once, and the held
    // messages follow when she starts the bot.
    fake.say(HELP, CAROL, "/ticket new Monitor flickers");
    let notice = wait_message(&fake, QUEUE, "Monitor flickers").await;
    fake.press(QUEUE, BOB, notice.id, "tk:claim:1");
    wait_message(&fake, HELP, "cannot write to you privately").await;
    fake.say(HELP, CAROL, "/ticket new Second one");
    let second = wait_message(&fake, QUEUE, "Second one").await;
    fake.press(QUEUE, BOB, second.id, "tk:claim:2");
    fake.wait("the second claim", WAIT, |f| {
        f.message_by_id(QUEUE, second.id).is_some_and(|m| m.shown.contains("claimed by Bob"))
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let hints = fake.messages_in(HELP).iter().filter(|m| m.shown.contains("cannot write to you privately")).count();
    assert_eq!(hints, 1, "said once");
    assert!(fake.messages_in(CAROL.id).is_empty());

    fake.befriend(CAROL);
    fake.say(CAROL.id, CAROL, "/start");
    fake.wait("the held messages", WAIT, |f| {
        let dms = f.messages_in(CAROL.id);
        dms.iter().any(|m| m.shown.contains("#1")) && dms.iter().any(|m| m.shown.contains("#2"))
    })
    .await;
    bot.stop().await;
    db.drop_db().await;
}

/// Updates are acknowledged only after they are handled: a crash mid-stream re-reads,
/// and what was applied before is recognised.
async fn restart_mid_stream(backend: Backend) {
    let Some((fake, db)) = setup(backend).await else { return };
    fake.batch(4);
    const N: usize = 24;
    for i in 0..N {
        fake.say(HELP, CAROL, &format!("/ticket new Burst {i:02}"));
    }
    // Short leases: the crashed instance's conversations are taken over quickly.
    let first = Bot::start(&fake, &db, |c| {
        c.general.instance = "first".into();
        c.outbox.lease_seconds = 2;
    })
    .await;
    let store = first.app.store.clone();
    let until = std::time::Instant::now() + WAIT;
    loop {
        let open = store.tickets(all_tickets()).await.unwrap().len();
        if open >= 6 {
            break;
        }
        assert!(std::time::Instant::now() < until, "no progress before the crash");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    first.kill().await;
    let restarted = std::time::Instant::now();
    let second = Bot::start(&fake, &db, |c| {
        c.general.instance = "second".into();
        c.outbox.lease_seconds = 2;
    })
    .await;
    fake.wait("every update confirmed", Duration::from_secs(30), |f| f.confirmed() >= N as i64).await;
    let redelivered = fake.deliveries().values().filter(|n| **n > 1).count();
    eprintln!(
        "restart: all {N} updates confirmed {:?} after the restart; {redelivered} read twice",
        restarted.elapsed()
    );
    let tickets = second.app.store.tickets(all_tickets()).await.unwrap();
    let mut titles: Vec<String> = tickets.iter().map(|t| t.title.clone()).collect();
    titles.sort();
    let expected: Vec<String> = (0..N).map(|i| format!("Burst {i:02}")).collect();
    assert_eq!(titles, expected, "each update applied exactly once");
    // Nothing the crashed instance had queued is lost: every ticket reaches the queue.
    fake.wait("every notice", WAIT, |f| {
        let notices = f.messages_in(QUEUE);
        expected.iter().all(|t| notices.iter().any(|m| m.shown.contains(t.as_str())))
    })
    .await;
    second.stop().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restart_mid_stream_neither_loses_nor_repeats_sqlite() {
    restart_mid_stream(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restart_mid_stream_neither_loses_nor_repeats_postgres() {
    restart_mid_stream(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bad_token_is_reported_and_retried_not_a_panic() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |c| c.telegram.token = "999:WRONG".into()).await;
    fake.wait("getMe to be retried", WAIT, |f| f.calls("getme").len() >= 2).await;
    assert!(fake.calls("getupdates").is_empty(), "no reading with a refused token");
    assert!(!bot.reader.is_finished());
    bot.stop().await;
    db.drop_db().await;
}

/// Starts the real binary on Telegram, configured only from the environment (plus
/// `extra`), with its working directory (and so its SQLite file) in `dir`.
fn deskmate_binary(fake: &FakeTelegram, dir: &std::path::Path, extra: &[(&str, &str)]) -> tokio::process::Child {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_deskmate"));
    cmd.current_dir(dir).stdin(std::process::Stdio::null()).stdout(std::process::Stdio::piped());
    // The log goes to a file (appended across restarts): a pipe nobody reads would fill
    // and stall the process.
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("stderr.log")).unwrap();
    cmd.stderr(log).kill_on_drop(true);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("DESKMATE_")) {
        cmd.env_remove(key);
    }
    cmd.env("DESKMATE_TELEGRAM_TOKEN", TOKEN)
        .env("DESKMATE_TELEGRAM_API_URL", &fake.url)
        .env("DESKMATE_TELEGRAM_POLL_TIMEOUT_SECONDS", "1")
        .env("DESKMATE_CHANNELS_SUPPORT_QUEUE", format!("telegram:{QUEUE}"))
        .env("DESKMATE_DIRECTORY_ADMINS", format!("telegram:{}", ALICE.id));
    for (key, value) in extra {
        cmd.env(key, value);
    }
    cmd.spawn().unwrap()
}

/// The real binary, configured only from the environment the way a deployment would be:
/// it serves Telegram (no console), and on SIGTERM acknowledges what it handled and exits 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_binary_serves_a_group_and_stops_cleanly() {
    let Some((fake, _db)) = setup(Backend::Sqlite).await else { return };
    common::assert_loopback(&fake.url);
    let dir = tempfile::tempdir().unwrap();
    let mut child = deskmate_binary(&fake, dir.path(), &[]);
    fake.say(HELP, CAROL, "/ticket new Badge reader offline");
    let notice = wait_message(&fake, QUEUE, "Badge reader offline").await;
    assert_eq!(notice.buttons(), vec!["tk:claim:1"]);
    fake.say(HELP, ALICE, "/whereami");
    let address = wait_message(&fake, HELP, "address").await;
    assert!(address.shown.contains(&format!("telegram:{HELP}")), "{}", address.shown);
    let last = fake.say(HELP, CAROL, "/whoami");
    wait_message(&fake, HELP, "You are Carol").await;

    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status =
        tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exit after SIGTERM").unwrap();
    let stderr = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(status.success(), "exit status {status:?}; stderr:\n{stderr}");
    assert!(fake.confirmed() >= last, "handled updates are acknowledged before exit");
    assert!(!stderr.contains(TOKEN), "the token is never logged");
    assert!(stderr.contains("connected to Telegram"), "a bot without a console logs at info:\n{stderr}");
}

/// Webhook mode: Telegram posts each update; the secret is checked, an update is
/// answered 200 only once handled, and a re-posted update is applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_mode_checks_the_secret_and_applies_a_repost_once() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |c| webhook_mode(c, "s3cret-Value_1-long-enough-0123")).await;
    fake.wait("setWebhook", WAIT, |f| f.webhook().is_some()).await;
    assert_eq!(fake.webhook().unwrap().1, "s3cret-Value_1-long-enough-0123");
    let update = fake.say(HELP, CAROL, "/ticket new Webhook ticket");
    assert_eq!(fake.push_to_webhook(Some("wrong")).await, vec![401], "a wrong secret is refused");
    assert!(fake.messages_in(QUEUE).is_empty());
    assert_eq!(fake.push_to_webhook(None).await, vec![200]);
    // Answered after the commit: the reply and notice are already queued or out.
    wait_message(&fake, QUEUE, "Webhook ticket").await;
    assert_eq!(fake.repost(update).await, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tickets = bot.app.store.tickets(all_tickets()).await.unwrap();
    assert_eq!(tickets.len(), 1, "a re-posted update is applied once");
    assert!(fake.calls("getupdates").is_empty(), "no polling in webhook mode");
    bot.stop().await;
    db.drop_db().await;
}

/// A reply longer than Telegram's 4096 characters arrives in parts, nothing cut.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_long_reply_is_split() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    for i in 0..24 {
        fake.say(HELP, ALICE, &format!("/ticket new \"{i:02} {}\"", "x".repeat(180)));
    }
    wait_message(&fake, HELP, "Ticket #24 opened").await;
    let before = fake.messages_in(HELP).len();
    fake.say(HELP, ALICE, "/ticket list");
    fake.wait("the list", WAIT, |f| f.messages_in(HELP).iter().any(|m| m.shown.contains("#24 [normal]"))).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let parts: Vec<_> = fake.messages_in(HELP).into_iter().skip(before).collect();
    assert!(parts.len() >= 2, "split into parts: {}", parts.len());
    assert!(parts.iter().all(|p| p.shown.chars().count() <= 4096));
    let whole: String = parts.iter().map(|p| p.shown.as_str()).collect::<Vec<_>>().join("\n");
    for i in 1..=24 {
        assert!(whole.contains(&format!("#{i} [normal]")), "ticket #{i} listed");
    }
    bot.stop().await;
    db.drop_db().await;
}

/// The real binary killed with SIGKILL in the middle of a burst, then started again on
/// the same SQLite file: every update is applied exactly once and every notice arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_binary_killed_mid_burst_loses_and_repeats_nothing() {
    let Some((fake, _db)) = setup(Backend::Sqlite).await else { return };
    const N: usize = 40;
    fake.batch(4);
    for i in 0..N {
        fake.say(HELP, CAROL, &format!("/ticket new Kill {i:02}"));
    }
    let dir = tempfile::tempdir().unwrap();
    // Short leases: the dead process's conversations are taken over after 2 s.
    // Unpaced, so each ticket gets its own notice (paced, a burst is summed up).
    let extra = [
        ("DESKMATE_OUTBOX_LEASE_SECONDS", "2"),
        ("DESKMATE_PACING_TELEGRAM_GROUP_PER_MINUTE", "0"),
        ("DESKMATE_LIMITS_COMMANDS_PER_MINUTE", "0"),
        ("DESKMATE_LIMITS_TICKETS_PER_MINUTE", "0"),
        ("DESKMATE_PACING_TELEGRAM_GLOBAL_PER_SECOND", "0"),
    ];
    let mut first = deskmate_binary(&fake, dir.path(), &extra);
    let log = dir.path().join("stderr.log");
    let started = std::time::Instant::now();
    while fake.messages_in(QUEUE).len() < 6 {
        let so_far = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(started.elapsed() < WAIT, "no notices from the first process; its log:\n{so_far}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = first.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    let _ = first.wait().await;
    let before = fake.messages_in(QUEUE).len();

    let mut second = deskmate_binary(&fake, dir.path(), &extra);
    let titles: Vec<String> = (0..N).map(|i| format!("Kill {i:02}")).collect();
    fake.wait("every notice after the restart", Duration::from_secs(60), |f| {
        let notices = f.messages_in(QUEUE);
        titles.iter().all(|t| notices.iter().any(|m| m.shown.contains(t.as_str())))
    })
    .await;
    fake.wait("every update confirmed", WAIT, |f| f.confirmed() >= N as i64).await;
    let pid = second.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), second.wait()).await.expect("exit").unwrap();
    assert!(status.success());

    let store = deskmate::store::Store::connect(&format!("sqlite://{}", dir.path().join("deskmate.db").display()))
        .await
        .unwrap();
    let mut stored: Vec<String> = store.tickets(all_tickets()).await.unwrap().into_iter().map(|t| t.title).collect();
    stored.sort();
    assert_eq!(stored, titles, "each update applied exactly once");
    let redelivered = fake.deliveries().values().filter(|n| **n > 1).count();
    eprintln!("kill -9 after {before} notices: {redelivered} updates read twice, all {N} applied once");
}

/// Killed with SIGKILL while a batch of events from many chats is open (each event's
/// step held 40 ms, so the kill lands inside one): nothing of that batch was committed,
/// and the restarted process applies every update exactly once and answers everyone.
async fn killed_inside_a_batch(backend: Backend) {
    let Some((fake, db)) = setup(backend).await else { return };
    const N: usize = 60;
    let people: Vec<User> =
        (0..N as i64).map(|i| User { id: 7_000 + i, name: Box::leak(format!("Person{i}").into_boxed_str()) }).collect();
    let mut last_update = 0;
    for (i, person) in people.iter().enumerate() {
        last_update = fake.say(person.id, *person, &format!("/ticket new Batch {i:02}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut extra = vec![
        ("DESKMATE_OUTBOX_LEASE_SECONDS", "2"),
        ("DESKMATE_LIMITS_COMMANDS_PER_MINUTE", "0"),
        ("DESKMATE_LIMITS_TICKETS_PER_MINUTE", "0"),
        ("DESKMATE_PACING_TELEGRAM_GLOBAL_PER_SECOND", "0"),
        ("DESKMATE_PACING_TELEGRAM_GROUP_PER_MINUTE", "0"),
        ("RUST_LOG", "info,deskmate::chat::router=debug"),
    ];
    if backend == Backend::Postgres {
        extra.push(("DESKMATE_DATABASE_URL", db.url.as_str()));
    }
    let url = if backend == Backend::Postgres {
        db.url.clone()
    } else {
        format!("sqlite://{}", dir.path().join("deskmate.db").display())
    };
    let mut held = extra.clone();
    held.push(("TEST_DESKMATE_STEP_PAUSE_MS", "40"));
    let mut first = deskmate_binary(&fake, dir.path(), &held);
    let log = dir.path().join("stderr.log");
    let started = std::time::Instant::now();
    // A batch of many is open once its log line is written; its events take 40 ms each.
    loop {
        let so_far = std::fs::read_to_string(&log).unwrap_or_default();
        // The log is coloured: escapes dropped, `events=59` reads whole.
        let mut parts = so_far.split('\x1b');
        let so_far: String = parts
            .next()
            .into_iter()
            .chain(parts.map(|part| part.split_once('m').map_or(part, |(_, rest)| rest)))
            .collect();
        let big = so_far.lines().any(|l| {
            l.contains("applying a batch")
                && l.split("events=").nth(1).and_then(|n| n.split_whitespace().next()?.parse::<usize>().ok()) > Some(10)
        });
        if big {
            break;
        }
        assert!(started.elapsed() < WAIT, "no batch of many events; the log:\n{so_far}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let pid = first.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-KILL", &pid]).status().unwrap().success());
    let _ = first.wait().await;
    let store = deskmate::store::Store::connect(&url).await.unwrap();
    let committed = store.tickets(all_tickets()).await.unwrap().len();
    assert!(committed < N / 2, "killed inside the batch: {committed} of {N} committed before");
    let confirmed_before = fake.confirmed();

    let mut second = deskmate_binary(&fake, dir.path(), &extra);
    fake.wait("every update confirmed", WAIT, |f| f.confirmed() >= last_update).await;
    fake.wait("a reply to everyone", WAIT, |f| people.iter().all(|p| !f.messages_in(p.id).is_empty())).await;
    let pid = second.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), second.wait()).await.expect("exit").unwrap();
    assert!(status.success());
    let mut stored: Vec<String> = store.tickets(all_tickets()).await.unwrap().into_iter().map(|t| t.title).collect();
    stored.sort();
    let titles: Vec<String> = (0..N).map(|i| format!("Batch {i:02}")).collect();
    assert_eq!(stored, titles, "each update applied exactly once");
    // A reply is sent, then marked sent: a kill between the two sends it again after
    // the restart (delivery is at least once). Only a reply committed before the kill
    // can be sent twice; none of the batch that was lost.
    let mut twice = 0;
    for person in &people {
        let replies = fake.messages_in(person.id);
        let shown: Vec<&String> = replies.iter().map(|m| &m.shown).collect();
        assert!(matches!(replies.len(), 1 | 2), "{}: {shown:?}", person.name);
        assert!(replies.iter().all(|m| m.shown == replies[0].shown && m.shown.contains("opened")), "{shown:?}");
        twice += usize::from(replies.len() == 2);
    }
    assert!(twice <= committed, "{twice} replies sent twice, {committed} committed before the kill");
    eprintln!(
        "kill -9 inside a batch: {committed} of {N} committed and {confirmed_before} confirmed before; \
         all applied once after, {twice} replies sent twice"
    );
    store.close().await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_inside_a_batch_on_sqlite() {
    killed_inside_a_batch(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killed_inside_a_batch_on_postgres() {
    killed_inside_a_batch(Backend::Postgres).await;
}

/// The bot's messages that answer the message `message_id` in `chat`.
fn answers_to(fake: &FakeTelegram, chat: i64, message_id: i64) -> Vec<common::fake_telegram::BotMessage> {
    fake.messages_in(chat).into_iter().filter(|m| m.reply_to == Some(message_id)).collect()
}

/// Groups hear Deskmate only when addressed; private chat is explained; a forward is
/// never a command; captions read like text; an anonymous admin is told how to act as
/// themselves; replies stay in their forum topic, every part of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn etiquette_in_groups_topics_and_private_chats() {
    use serde_json::json;
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    let mut silent = Vec::new();
    for text in ["/kick spam", "/ban@other_bot Carol", "hello everyone", "/start"] {
        let message = fake.message_json(HELP, CAROL, text);
        silent.push(message["message_id"].as_i64().unwrap());
        fake.push_update(json!({ "message": message }));
    }
    // A photo's caption is read like a message: here a command that takes no file, so
    // it is refused whole (nothing opened) rather than run without the picture.
    let mut photo = fake.message_json(HELP, CAROL, "");
    photo.as_object_mut().unwrap().remove("text");
    photo["photo"] = json!([{ "file_id": "f1", "file_unique_id": "u1", "width": 90, "height": 90 }]);
    photo["caption"] = json!("/ticket new Screen flickers");
    photo["caption_entities"] = json!([{ "type": "bot_command", "offset": 0, "length": 7 }]);
    fake.push_update(json!({ "message": photo }));
    wait_message(&fake, HELP, "/ticket new takes no file; send it without one. Nothing was changed.").await;
    fake.say(HELP, CAROL, "/ticket new Screen flickers");
    wait_message(&fake, HELP, "Ticket #1 opened: Screen flickers").await;

    // In private, chat is a request for the help desk (carol has #1 open: she is asked
    // which it is about), never read as an unknown command.
    fake.say(CAROL.id, CAROL, "hello there");
    let explained = wait_message(&fake, CAROL.id, "Is this message about it, or a new request?").await;
    assert!(!explained.shown.contains("/hello"), "{}", explained.shown);
    // A forwarded message is never run, whatever it says.
    let mut forwarded = fake.message_json(CAROL.id, CAROL, "/ticket new Forwarded by accident");
    forwarded["forward_origin"] = json!({ "type": "hidden_user", "sender_user_name": "Someone", "date": 1 });
    let forwarded_id = forwarded["message_id"].as_i64().unwrap();
    fake.push_update(json!({ "message": forwarded }));
    fake.wait("the forward explained", WAIT, |f| !answers_to(f, CAROL.id, forwarded_id).is_empty()).await;
    assert!(answers_to(&fake, CAROL.id, forwarded_id)[0].shown.contains("Is this message about it"));

    // An anonymous admin's command is the group's: explained, applied as nobody.
    let mut anonymous = fake.message_json(HELP, CAROL, "/ticket new From the group");
    anonymous["from"] =
        json!({ "id": 1_087_968_824_i64, "is_bot": true, "first_name": "Group", "username": "GroupAnonymousBot" });
    anonymous["sender_chat"] = anonymous["chat"].clone();
    fake.push_update(json!({ "message": anonymous }));
    wait_message(&fake, HELP, "You are writing as the group").await;

    // A forum topic: the answer, and each part of a long one, stays in the topic.
    for i in 0..24 {
        fake.say(HELP, ALICE, &format!("/ticket new \"{i:02} {}\"", "x".repeat(180)));
    }
    wait_message(&fake, HELP, "Ticket #25 opened").await;
    let mut in_topic = fake.message_json(HELP, ALICE, "/ticket list");
    in_topic["is_topic_message"] = json!(true);
    in_topic["message_thread_id"] = json!(42);
    let topic_message = in_topic["message_id"].as_i64().unwrap();
    fake.push_update(json!({ "message": in_topic }));
    fake.wait("the whole list", WAIT, |f| answers_to(f, HELP, topic_message).iter().any(|m| m.shown.contains("#25 [")))
        .await;
    let parts = answers_to(&fake, HELP, topic_message);
    assert!(parts.len() >= 2, "a long list comes in parts: {}", parts.len());
    assert!(parts.iter().all(|p| p.thread == Some(42)), "{:?}", parts.iter().map(|p| p.thread).collect::<Vec<_>>());

    let tickets = bot.app.store.tickets(all_tickets()).await.unwrap();
    assert_eq!(tickets.len(), 25, "no ticket from the forward or the anonymous admin");
    assert!(
        bot.app.store.person_by_handle(deskmate_port::Platform::Telegram, "groupanonymousbot").await.unwrap().is_none()
    );
    for id in silent {
        assert!(answers_to(&fake, HELP, id).is_empty(), "message {id} in the group was not for Deskmate");
    }
    assert!(!fake.messages_in(HELP).iter().any(|m| m.shown.contains("I don't know")), "no 'I don't know' in the group");
    bot.stop().await;
    db.drop_db().await;
}

/// Real updates from other Telegram libraries' test fixtures (private, group, forum,
/// channel posts, service messages, edits, reactions, inline queries, unknown kinds)
/// posted to the webhook: each is answered 200, nothing not addressed to Deskmate gets a
/// reply, and what is addressed to it is answered in its chat and topic.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn real_updates_from_other_libraries_are_taken_quietly() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |c| webhook_mode(c, "fixture-replay-secret-0123456789")).await;
    fake.wait("setWebhook", WAIT, |f| f.webhook().is_some()).await;
    let commands: std::collections::HashSet<String> =
        deskmate::features::registry().commands().iter().map(|c| c.name.to_owned()).collect();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/telegram");
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    assert!(files.len() >= 50, "the fixtures are there: {}", files.len());
    let mut addressed = Vec::new();
    let mut quiet = Vec::new();
    for path in &files {
        let update: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        fake.push_update(update.clone());
        let Some(message) = update.get("message") else { continue };
        let chat = message["chat"]["id"].as_i64().unwrap();
        let id = message["message_id"].as_i64().unwrap();
        let text = message["text"].as_str().or(message["caption"].as_str()).unwrap_or_default().trim();
        let private = message["chat"]["type"] == "private";
        let from_person = message["from"]["is_bot"] == false;
        let first = text.split_whitespace().next().unwrap_or_default();
        let (name, bot) = first.trim_start_matches('/').split_once('@').unwrap_or((first.trim_start_matches('/'), ""));
        let ours = text.starts_with('/')
            && commands.contains(&name.to_lowercase())
            && (bot.is_empty() || bot.eq_ignore_ascii_case(BOT_USERNAME));
        let topic = (message["is_topic_message"] == true).then(|| message["message_thread_id"].as_i64()).flatten();
        if from_person && !text.is_empty() && (private || ours) {
            addressed.push((path.clone(), chat, id, topic));
        } else {
            quiet.push((path.clone(), chat, id));
        }
    }
    let statuses = fake.push_to_webhook(None).await;
    assert_eq!(statuses.len(), files.len());
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    for (path, chat, id, topic) in &addressed {
        fake.wait(&format!("an answer to {}", path.display()), WAIT, |f| !answers_to(f, *chat, *id).is_empty()).await;
        for answer in answers_to(&fake, *chat, *id) {
            assert_eq!(answer.thread, *topic, "{} is answered in its topic", path.display());
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Several fixtures reuse one message id in one chat; those are judged by the addressed one.
    quiet.retain(|(_, chat, id)| !addressed.iter().any(|(_, c, i, _)| c == chat && i == id));
    for (path, chat, id) in &quiet {
        assert!(answers_to(&fake, *chat, *id).is_empty(), "{} was not addressed to Deskmate", path.display());
    }
    eprintln!("replayed {} fixtures: {} answered, {} taken quietly", files.len(), addressed.len(), quiet.len());
    assert!(!addressed.is_empty());
    bot.stop().await;
    db.drop_db().await;
}

/// A panic while handling one update (a test-only hook in debug builds) is an apology
/// with a reference for that update alone: the batch's other updates are applied once,
/// and every update is confirmed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_binary_survives_a_panic_inside_a_batch() {
    let Some((fake, _db)) = setup(Backend::Sqlite).await else { return };
    fake.batch(5);
    let titles = ["Before", "Kaboom-7f3", "After one", "After two", "After three"];
    for title in titles {
        fake.say(HELP, CAROL, &format!("/ticket new {title}"));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = deskmate_binary(&fake, dir.path(), &[("TEST_DESKMATE_PANIC_ON", "Kaboom-7f3")]);
    fake.wait("every update confirmed", WAIT, |f| f.confirmed() >= titles.len() as i64).await;
    let apology = wait_message(&fake, HELP, "something went wrong on my side").await;
    let reference = apology.shown.rsplit("(ref ").next().unwrap().trim_end_matches(')').to_owned();
    wait_message(&fake, QUEUE, "After three").await;
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exit").unwrap();
    assert!(status.success(), "the process lived on and stopped cleanly");
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(log.contains(&reference), "the log names the reference {reference}");

    let url = format!("sqlite://{}", dir.path().join("deskmate.db").display());
    let store = deskmate::store::Store::connect(&url).await.unwrap();
    let mut stored: Vec<String> = store.tickets(all_tickets()).await.unwrap().into_iter().map(|t| t.title).collect();
    stored.sort();
    assert_eq!(stored, ["After one", "After three", "After two", "Before"], "the others applied, once each");
    let pool = store.sqlite_pool().unwrap();
    let (failed, recorded): (i64, String) =
        sqlx::query_as("SELECT COUNT(*), MAX(reference) FROM failed_events").fetch_one(pool).await.unwrap();
    assert_eq!((failed, recorded), (1, reference), "the failed update is recorded under its reference");
    assert!(fake.deliveries().values().all(|n| *n == 1), "nothing read twice: {:?}", fake.deliveries());
}

/// `GET path` on `addr`; the status, or `None` without an answer within `limit`.
async fn http_status(addr: std::net::SocketAddr, path: &str, limit: Duration) -> Option<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await.ok()?;
        response.split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(limit, ask).await.ok().flatten()
}

/// Waits for `/readyz` to say 200 (Telegram connected, the database answering).
async fn ready(ops: std::net::SocketAddr) {
    let until = std::time::Instant::now() + WAIT;
    while http_status(ops, "/readyz", Duration::from_secs(2)).await != Some(200) {
        assert!(std::time::Instant::now() < until, "/readyz never said ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A database outage while updates arrive: PostgreSQL behind a proxy that drops every
/// connection and refuses new ones, twice. No update is confirmed before it is applied,
/// each is applied once when the database is back, every person is answered, and
/// `/readyz` says 503 quickly while the database is away.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_outage_loses_nothing_and_repeats_nothing() {
    let Some((fake, db)) = setup(Backend::Postgres).await else { return };
    let (proxy, proxied) = common::proxy::Proxy::in_front_of(&db.url).await;
    let bot = Bot::start(&fake, &db, |c| {
        c.database.url = proxied.clone();
        c.http.listen = "127.0.0.1:0".into();
        c.outbox.retry_base_seconds = 1;
    })
    .await;
    let ops = bot.app.http.unwrap();
    ready(ops).await;
    const N: usize = 60;
    let people: Vec<User> =
        (0..6).map(|i| User { id: 5000 + i, name: ["Ann", "Ben", "Cid", "Dee", "Eli", "Fay"][i as usize] }).collect();
    // 60 updates at 10 a second, while the database goes away twice.
    let sender = {
        let fake = fake.clone();
        tokio::spawn(async move {
            for i in 0..N {
                fake.say(HELP, people[i % people.len()], &format!("/ticket new Outage {i:02}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let mut outages = Vec::new();
    for (after, down_for) in [(1_500, 3_000), (1_000, 4_000)] {
        tokio::time::sleep(Duration::from_millis(after)).await;
        proxy.cut();
        let started = std::time::Instant::now();
        let status = http_status(ops, "/readyz", Duration::from_secs(1)).await;
        outages.push((status, started.elapsed()));
        tokio::time::sleep(Duration::from_millis(down_for)).await;
        proxy.restore();
    }
    sender.await.unwrap();
    for (status, took) in &outages {
        assert_eq!(*status, Some(503), "/readyz while the database is down (answered in {took:?})");
        assert!(*took < Duration::from_secs(1), "{took:?}");
    }
    fake.wait("every update confirmed", Duration::from_secs(120), |f| f.confirmed() >= N as i64).await;
    let titles: Vec<String> = (0..N).map(|i| format!("Outage {i:02}")).collect();
    fake.wait("every person answered", Duration::from_secs(60), |f| {
        let said = f.messages_in(HELP);
        titles.iter().all(|t| said.iter().any(|m| m.shown.contains("opened:") && m.shown.contains(t.as_str())))
    })
    .await;
    let mut stored: Vec<String> =
        bot.app.store.tickets(all_tickets()).await.unwrap().into_iter().map(|t| t.title).collect();
    stored.sort();
    assert_eq!(stored, titles, "each update applied exactly once");
    let read_again = fake.deliveries().values().filter(|n| **n > 1).count();
    eprintln!("outage: {N} updates, {read_again} read more than once, /readyz {outages:?}");
    assert!(read_again > 0, "the long outage made updates fail and come again");
    ready(ops).await;
    bot.stop().await;
    db.drop_db().await;
}

/// The same through the webhook: the update that panics is answered 200 with an
/// apology (not a dropped connection), and the updates around it are applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_panic_through_the_webhook_is_answered_not_dropped() {
    let Some((fake, _db)) = setup(Backend::Sqlite).await else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut hook = Config::default();
    webhook_mode(&mut hook, "panic-test-secret-0123456789");
    let t = &hook.telegram;
    let mut child = deskmate_binary(
        &fake,
        dir.path(),
        &[
            ("TEST_DESKMATE_PANIC_ON", "Kaboom-9e1"),
            ("DESKMATE_TELEGRAM_MODE", "webhook"),
            ("DESKMATE_TELEGRAM_WEBHOOK_URL", &t.webhook_url),
            ("DESKMATE_TELEGRAM_WEBHOOK_LISTEN", &t.webhook_listen),
            ("DESKMATE_TELEGRAM_WEBHOOK_SECRET", &t.webhook_secret),
        ],
    );
    fake.wait("setWebhook", WAIT, |f| f.webhook().is_some()).await;
    for title in ["First", "Kaboom-9e1", "Third"] {
        fake.say(HELP, CAROL, &format!("/ticket new {title}"));
    }
    assert_eq!(fake.push_to_webhook(None).await, vec![200, 200, 200]);
    wait_message(&fake, HELP, "something went wrong on my side").await;
    wait_message(&fake, QUEUE, "Third").await;
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exit").unwrap();
    assert!(status.success());
}

/// Webhook mode while the database is away: the update is answered 503 (so Telegram
/// posts it again) and applied once when Telegram re-posts it after the database is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_update_during_an_outage_is_answered_503_and_applied_later() {
    let Some((fake, db)) = setup(Backend::Postgres).await else { return };
    let (proxy, proxied) = common::proxy::Proxy::in_front_of(&db.url).await;
    let bot = Bot::start(&fake, &db, |c| {
        c.database.url = proxied.clone();
        webhook_mode(c, "outage-webhook-secret-0123456789");
    })
    .await;
    fake.wait("setWebhook", WAIT, |f| f.webhook().is_some()).await;
    fake.say(HELP, CAROL, "/ticket new Posted while the database was away");
    proxy.cut();
    assert_eq!(fake.push_to_webhook(None).await, vec![503], "not taken: Telegram keeps it");
    proxy.restore();
    let mut statuses = Vec::new();
    for _ in 0..20 {
        statuses = fake.push_to_webhook(None).await;
        if statuses.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(statuses.is_empty(), "taken once the database is back: {statuses:?}");
    wait_message(&fake, HELP, "Ticket #1 opened: Posted while the database was away").await;
    assert_eq!(bot.app.store.tickets(all_tickets()).await.unwrap().len(), 1);
    bot.stop().await;
    db.drop_db().await;
}

fn file(name: &str, mime: &str, len: usize) -> deskmate_port::Attachment {
    // Bytes that are not text, so a lossy or truncated upload shows.
    let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    deskmate_port::Attachment::new(name, mime, bytes).unwrap()
}

/// Files go through the outbox like any message: a picture as a photo, anything else
/// (and a picture too big for a photo) as a document, byte for byte; one file with a
/// short text is one message with a caption; a failed upload is retried, and after a
/// crash another instance sends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn files_are_sent_as_photos_and_documents_and_survive_a_crash() {
    use deskmate::kernel::Effect;
    use deskmate_port::{Body, ChannelRef, Platform};
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let queue = ChannelRef::group(Platform::Telegram, QUEUE.to_string());
    let tweak = |c: &mut Config| {
        c.outbox.lease_seconds = 2;
        c.outbox.retry_base_seconds = 1;
    };
    let bot = Bot::start(&fake, &db, tweak).await;
    let chart = file("chart.png", "image/png", 3_000);
    let invite = file("standup.ics", "text/calendar", 700);
    let big = file("poster.png", "image/png", 12 * 1024 * 1024);
    let body = Body { files: vec![chart.clone(), invite.clone(), big.clone()], ..Body::text("This week's files") };
    bot.app.announce("test:files", &[Effect::PostTo { channel: queue.clone(), body: body.into() }]).await.unwrap();
    fake.wait("three files", WAIT, |f| f.messages_in(QUEUE).iter().filter(|m| m.file.is_some()).count() == 3).await;
    let sent = fake.messages_in(QUEUE);
    assert_eq!(sent[0].shown, "This week's files", "the text comes first");
    let files: Vec<_> = sent.iter().filter_map(|m| m.file.clone()).collect();
    assert_eq!(files[0], ("sendphoto".to_owned(), "chart.png".to_owned(), chart.bytes.clone()));
    assert_eq!(files[1], ("senddocument".to_owned(), "standup.ics".to_owned(), invite.bytes.clone()));
    assert_eq!(files[2].0, "senddocument", "a 12 MB picture is too big for a photo");
    assert_eq!(files[2].2.len(), big.bytes.len());

    // One file and a caption, the upload failing once, the instance dying before the retry.
    fake.fail_next("sendphoto", 502, "Bad Gateway", None);
    let body = Body { files: vec![chart.clone()], ..Body::text("Tickets per day <b>this</b> week") };
    bot.app.announce("test:caption", &[Effect::PostTo { channel: queue.clone(), body: body.into() }]).await.unwrap();
    fake.wait("the failed upload", WAIT, |f| f.calls("sendphoto").len() == 2).await;
    bot.kill().await;
    let second = Bot::start(&fake, &db, tweak).await;
    let captioned = wait_message(&fake, QUEUE, "Tickets per day <b>this</b> week").await;
    assert_eq!(
        captioned.file.as_ref().map(|f| f.2.clone()),
        Some(chart.bytes.clone()),
        "the caption and the file are one message"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.messages_in(QUEUE).iter().filter(|m| m.shown.contains("Tickets per day")).count(), 1, "sent once");
    second.stop().await;
    db.drop_db().await;
}

/// An approver who never started the bot: the prompt is held and the group told once.
/// Another approver of the step decides meanwhile; when the first one starts the bot,
/// the held prompt arrives already showing the decision, with no live button.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_held_approval_prompt_arrives_decided() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    fake.stranger(CAROL);
    let bot = Bot::start(&fake, &db, |c| {
        c.approvals = toml::from_str(&format!(
            "[[types]]\nname = \"access\"\nfields = [{{ name = \"system\", kind = \"text\" }}]\n\
             steps = [{{ approver = \"any\", people = [\"telegram:{}\", \"telegram:{}\"] }}]",
            BOB.id, CAROL.id
        ))
        .unwrap();
    })
    .await;
    for who in [BOB, CAROL] {
        fake.say(HELP, who, "/whoami");
        wait_message(&fake, HELP, &format!("You are {}", who.name)).await;
    }
    fake.say(HELP, ALICE, "/approval request access VPN");
    wait_message(&fake, HELP, "Access #1 is sent.").await;
    let prompt = wait_message(&fake, BOB.id, "Access #1 from Alice waits for your decision").await;
    wait_message(&fake, HELP, "cannot write to you privately").await;
    fake.press(BOB.id, BOB, prompt.id, &prompt.buttons()[0]);
    fake.wait("bob's prompt decided", WAIT, |f| f.message_by_id(BOB.id, prompt.id).is_some_and(|m| m.edits > 0)).await;
    wait_message(&fake, ALICE.id, "Your Access #1 is approved").await;

    fake.befriend(CAROL);
    fake.say(CAROL.id, CAROL, "/start");
    let held = wait_message(&fake, CAROL.id, "Access #1 from Alice").await;
    assert!(held.shown.contains("Bob approved it"), "{}", held.shown);
    assert!(held.buttons().is_empty(), "no live button on the held prompt: {held:?}");
    bot.stop().await;
    db.drop_db().await;
}

/// A person whose Telegram app is in Chinese is answered in Chinese from their first
/// message, and stays so; one whose app is in English is answered in English.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_chinese_telegram_user_is_answered_in_chinese_without_asking() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let bot = Bot::start(&fake, &db, |_| {}).await;
    fake.say_in(HELP, CAROL, "zh-hans", "/whoami");
    let reply = wait_message(&fake, HELP, "你是 Carol").await;
    assert!(reply.shown.contains("语言：简体中文（zh-CN）"), "{}", reply.shown);
    fake.say(HELP, CAROL, "/tz set Asia/Shanghai");
    wait_message(&fake, HELP, "你的时区已改为 Asia/Shanghai").await;
    fake.say_in(HELP, BOB, "en-GB", "/whoami");
    let reply = wait_message(&fake, HELP, "You are Bob").await;
    assert!(reply.shown.contains("Language: English (en)"), "{}", reply.shown);
    bot.stop().await;
    db.drop_db().await;
}

/// A flood is taken at the database's speed: every update is committed and confirmed to
/// Telegram (the offset) long before the replies, paced at the platform's rate, have all
/// gone out; each chat's replies still arrive in the order of its messages.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_flood_is_confirmed_at_commit_and_answered_at_the_platforms_pace() {
    let Some((fake, db)) = setup(Backend::Sqlite).await else { return };
    let people: Vec<User> =
        (0..40).map(|i| User { id: 5_000 + i, name: Box::leak(format!("Person{i}").into_boxed_str()) }).collect();
    let mut last_update = 0;
    for (i, person) in people.iter().enumerate() {
        last_update = fake.say(person.id, *person, &format!("/ticket new Flooded {i}"));
    }
    // Three in a row from one person: their replies must keep that order.
    for n in 1..=3 {
        last_update = fake.say(ALICE.id, ALICE, &format!("/ticket new Alice's {n}"));
    }
    // 10 messages a second overall: the 43 replies take about 4 s.
    let bot = Bot::start(&fake, &db, |c| c.pacing.telegram_global_per_second = 10).await;
    fake.wait("every update confirmed", WAIT, |f| f.confirmed() >= last_update).await;
    let replied = people.iter().filter(|p| !fake.messages_in(p.id).is_empty()).count();
    assert_eq!(bot.app.store.tickets(all_tickets()).await.unwrap().len(), 43, "all committed when confirmed");
    assert!(replied < 30, "confirmed before the replies went out ({replied} of 40 replied)");
    fake.wait("every reply", WAIT, |f| people.iter().all(|p| !f.messages_in(p.id).is_empty())).await;
    fake.wait("alice's replies", WAIT, |f| f.messages_in(ALICE.id).len() == 3).await;
    let alice: Vec<String> = fake.messages_in(ALICE.id).into_iter().map(|m| m.shown).collect();
    for (n, reply) in alice.iter().enumerate() {
        assert!(reply.contains(&format!("Alice's {}", n + 1)), "in order: {alice:?}");
    }
    bot.stop().await;
    db.drop_db().await;
}

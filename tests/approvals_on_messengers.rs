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

/// Deskmate on both messengers, with their fakes.
struct World {
    db: TestDb,
    telegram: FakeTelegram,
    discord: FakeDiscord,
    clock: FakeClock,
    app: deskmate::App,
    stop: watch::Sender<bool>,
    running: Vec<tokio::task::JoinHandle<()>>,
}

impl World {
    async fn start(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<World> {
        common::init_tracing();
        let db = TestDb::new(backend).await?;
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
        tweak(&mut config);
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
        Some(World {
            db,
            telegram: telegram_fake,
            discord: discord_fake,
            clock,
            app,
            stop,
            running: vec![reader, gateway],
        })
    }

    fn tg_says(&self, who: common::fake_telegram::User, text: &str) {
        self.telegram.say(TG_GROUP, who, text);
    }

    /// The newest message in a Telegram chat that contains `needle`, once there is one.
    async fn tg_wait(&self, chat: i64, needle: &str) -> common::fake_telegram::BotMessage {
        self.telegram
            .wait(&format!("{needle:?} in {chat}"), WAIT, |f| {
                f.messages_in(chat).iter().any(|m| m.shown.contains(needle))
            })
            .await;
        self.telegram.messages_in(chat).into_iter().rev().find(|m| m.shown.contains(needle)).unwrap()
    }

    /// The `n`th message (from 0) in bob's Discord DMs, once there is one.
    async fn bobs_dm(&self, n: usize) -> common::fake_discord::Posted {
        self.discord
            .wait("bob's prompt", WAIT, |f| f.dm_channel(DC_BOB).is_some_and(|c| f.messages_in(c).len() > n))
            .await;
        let dm = self.discord.dm_channel(DC_BOB).unwrap();
        self.discord.messages_in(dm)[n].clone()
    }

    /// Everyone writes once; bob links his Telegram account to his Discord one; dan
    /// works in Sales under bob, carol heads Finance; bob is then seen on Discord.
    async fn org_chart(&self) {
        for who in [TG_ALICE, TG_CAROL, TG_DAN] {
            self.tg_says(who, "/whoami");
            self.tg_wait(TG_GROUP, "You are").await;
        }
        let link = self.discord.slash(DC_BOB, DC_CHANNEL, "link", json!([]));
        self.discord.wait("the link code", WAIT, |f| !f.answer(link).callbacks.is_empty()).await;
        let shown = self.discord.answer(link).callbacks[0].2["data"]["content"].as_str().unwrap().to_owned();
        let code = shown.split_whitespace().nth(4).unwrap().trim_end_matches('.').to_owned();
        self.tg_says(TG_BOB, &format!("/link {code}"));
        self.tg_wait(TG_GROUP, "Linked: this account now belongs to").await;
        for line in [
            "/dept create Sales",
            "/dept create Finance",
            "/dept add Sales @dan",
            "/dept set-manager Sales @bob",
            "/dept add Finance @carol",
            "/dept set-manager Finance @carol",
        ] {
            let before = self.telegram.messages_in(TG_GROUP).len();
            self.tg_says(TG_ALICE, line);
            self.telegram.wait(line, WAIT, |f| f.messages_in(TG_GROUP).len() > before).await;
        }
        // bob is on Discord now, a while after linking: that is where his prompts go.
        self.clock.advance(chrono::Duration::minutes(2));
        let seen = self.discord.slash(DC_BOB, DC_CHANNEL, "whoami", json!([]));
        self.discord.wait("bob seen on Discord", WAIT, |f| !f.answer(seen).callbacks.is_empty()).await;
    }

    async fn finish(self) {
        let _ = self.stop.send(true);
        for task in self.running {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        self.app.shutdown().await;
        self.db.drop_db().await;
    }
}

async fn both_messengers(backend: Backend) {
    let Some(world) = World::start(backend, |_| {}).await else { return };
    world.org_chart().await;
    let (telegram_fake, discord_fake) = (&world.telegram, &world.discord);
    let tg_says = |who, text: &str| world.tg_says(who, text);
    let tg_wait = |chat: i64, needle: &'static str| world.tg_wait(chat, needle);

    tg_says(TG_DAN, "/approval request purchase item:Laptop amount:¥6,500");
    tg_wait(TG_GROUP, "Purchase #1 is sent.").await;
    let prompt = world.bobs_dm(0).await;
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

    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_across_telegram_and_discord_sqlite() {
    both_messengers(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_approval_across_telegram_and_discord_postgres() {
    both_messengers(Backend::Postgres).await;
}

/// Types whose requests carry documents.
const DOCUMENT_TYPES: &str = r#"
[[types]]
name = "purchase"
fields = [
  { name = "item", kind = "text" },
  { name = "amount", kind = "amount", currency = "CNY" },
  { name = "quote", kind = "document", required = false },
]
steps = [{ approver = "manager" }]

[[types]]
name = "expense"
fields = [
  { name = "amount", kind = "amount", currency = "CNY" },
  { name = "receipt", kind = "document" },
]
steps = [{ approver = "manager" }]
"#;

fn fingerprint(name: &str, bytes: &[u8]) -> (String, usize, u64) {
    (name.to_owned(), bytes.len(), deskmate_port::stable_hash(&String::from_utf8_lossy(bytes)))
}

/// Documents go in on one messenger and come out on the other, byte for byte: dan's
/// quote as a Telegram document with the command as its caption, his receipt as a
/// document replying to the question that asked for it, bob's receipt in the slash
/// command's file option; each approver's prompt carries the file.
async fn documents_travel_with_requests(backend: Backend) {
    let Some(world) = World::start(backend, |c| c.approvals = toml::from_str(DOCUMENT_TYPES).unwrap()).await else {
        return;
    };
    world.org_chart().await;

    let quote = b"%PDF-1.4 a quote for a monitor".to_vec();
    let caption = "/approval request purchase item:Monitor amount:900";
    world.telegram.send_document(TG_GROUP, TG_DAN, caption, ("quote.pdf", "application/pdf", &quote), None);
    let sent = world.tg_wait(TG_GROUP, "Purchase #1 is sent.").await;
    assert!(sent.shown.contains("Quote: 📎 quote.pdf (1 KB, file 1)"), "{}", sent.shown);
    let prompt = world.bobs_dm(0).await;
    assert!(prompt.content.contains("Purchase #1 from Dan waits for your decision"), "{prompt:?}");
    assert_eq!(prompt.files, [fingerprint("quote.pdf", &quote)]);
    assert_eq!(prompt.buttons(), ["ap:ok:1:1", "ap:no:1:1", "ap:chg:1:1"]);

    // The receipt is asked for in dan's direct messages; he answers with the file.
    world.tg_says(TG_DAN, "/approval request expense amount:45");
    let question = world.tg_wait(TG_DAN.id, "Expense request: Receipt?").await;
    assert!(question.forces_reply(), "{question:?}");
    let receipt = b"%PDF-1.4 taxi, 45 CNY".to_vec();
    world.telegram.send_document(TG_DAN.id, TG_DAN, "", ("taxi.pdf", "application/pdf", &receipt), Some(question.id));
    world.tg_wait(TG_DAN.id, "Expense #2 is sent.").await;
    let second = world.bobs_dm(1).await;
    assert!(second.content.contains("Receipt: 📎 taxi.pdf (1 KB, file 2)"), "{second:?}");
    assert_eq!(second.files, [fingerprint("taxi.pdf", &receipt)]);

    // bob attaches his receipt to the slash command; nobody is above him, so the
    // admin, alice, gets the prompt on Telegram with the document.
    let lunch = b"%PDF-1.4 team lunch".to_vec();
    let options = json!([{ "type": 1, "name": "request", "options": [
        { "name": "type", "type": 3, "value": "expense" },
        { "name": "fields", "type": 3, "value": "amount:300" },
    ] }]);
    let asked = world.discord.slash_with_file(
        DC_BOB,
        DC_CHANNEL,
        "approval",
        options,
        ("lunch.pdf", "application/pdf", &lunch),
    );
    world.discord.wait("bob's request", WAIT, |f| !f.answer(asked).callbacks.is_empty()).await;
    let told = world.discord.answer(asked).callbacks[0].2["data"]["content"].as_str().unwrap().to_owned();
    assert!(told.contains("Expense #3 is sent.") && told.contains("Receipt: 📎 lunch.pdf (1 KB, file 3)"), "{told}");
    let to_alice = world.tg_wait(TG_ALICE.id, "Expense #3 from Bob waits for your decision").await;
    assert_eq!(to_alice.buttons(), ["ap:ok:3:3", "ap:no:3:3", "ap:chg:3:3"]);
    world.telegram.wait("the receipt", WAIT, |f| f.messages_in(TG_ALICE.id).iter().any(|m| m.file.is_some())).await;
    let file = world.telegram.messages_in(TG_ALICE.id).into_iter().find_map(|m| m.file).unwrap();
    assert_eq!((file.1.as_str(), file.2.as_slice()), ("lunch.pdf", lunch.as_slice()));

    // A command typed in bob's direct messages with the file attached works the same.
    let dm = world.discord.dm_channel(DC_BOB).unwrap();
    let taxi = b"%PDF-1.4 taxi to the airport".to_vec();
    world.discord.dm_with_file(
        DC_BOB,
        dm,
        "/approval request expense amount:88",
        ("taxi.pdf", "application/pdf", &taxi),
        None,
    );
    world
        .discord
        .wait("the reply in bob's DMs", WAIT, |f| {
            f.messages_in(dm).iter().any(|m| m.content.contains("Expense #4 is sent."))
        })
        .await;
    world.tg_wait(TG_ALICE.id, "Expense #4 from Bob waits for your decision").await;
    world
        .telegram
        .wait("the second receipt", WAIT, |f| {
            f.messages_in(TG_ALICE.id).iter().filter(|m| m.file.is_some()).count() == 2
        })
        .await;
    let file = world.telegram.messages_in(TG_ALICE.id).into_iter().filter_map(|m| m.file).nth(1).unwrap();
    assert_eq!((file.1.as_str(), file.2.as_slice()), ("taxi.pdf", taxi.as_slice()));

    // The slash command shows Discord a file option.
    let commands = world.discord.commands();
    let approval = commands.iter().find(|c| c["name"] == "approval").unwrap();
    let request = approval["options"].as_array().unwrap().iter().find(|o| o["name"] == "request").unwrap();
    let file_option = request["options"].as_array().unwrap().iter().find(|o| o["name"] == "file").unwrap();
    assert_eq!(file_option["type"], 11, "an ATTACHMENT option: {file_option}");
    world.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documents_travel_with_requests_sqlite() {
    documents_travel_with_requests(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn documents_travel_with_requests_postgres() {
    documents_travel_with_requests(Backend::Postgres).await;
}

//! Deskmate on both messengers at once (the real teloxide and serenity clients), against
//! the wire-level fakes, with a controllable clock: for stories that cross platforms.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::watch;

use super::fake_discord::FakeDiscord;
use super::fake_telegram::FakeTelegram;
use super::{Backend, TestDb};
use deskmate::config::Config;
use deskmate::kernel::clock::{Clock, FakeClock};
use deskmate_port::Inbound;

pub const WAIT: Duration = Duration::from_secs(15);
/// The Telegram group everyone writes in.
pub const TG_GROUP: i64 = -1001;
pub const TG_ALICE: super::fake_telegram::User = super::fake_telegram::User { id: 100, name: "Alice" };
pub const TG_BOB: super::fake_telegram::User = super::fake_telegram::User { id: 200, name: "Bob" };
pub const TG_CAROL: super::fake_telegram::User = super::fake_telegram::User { id: 300, name: "Carol" };
pub const TG_DAN: super::fake_telegram::User = super::fake_telegram::User { id: 400, name: "Dan" };
pub const DC_CHANNEL: u64 = 700_000_000_000_000_001;
pub const DC_BOB: super::fake_discord::User = super::fake_discord::User { id: 500_000_000_000_000_002, name: "Bob" };

/// Deskmate on both messengers, with their fakes.
pub struct World {
    pub db: TestDb,
    pub telegram: FakeTelegram,
    pub discord: FakeDiscord,
    pub clock: FakeClock,
    pub app: deskmate::App,
    stop: watch::Sender<bool>,
    running: Vec<tokio::task::JoinHandle<()>>,
}

impl World {
    pub async fn start(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<World> {
        super::init_tracing();
        let db = TestDb::new(backend).await?;
        let telegram_fake = FakeTelegram::start().await;
        telegram_fake.group(TG_GROUP, "Office");
        let discord_fake = FakeDiscord::start().await;

        let mut config = Config::default();
        config.database.url = db.url.clone();
        config.telegram.token = super::fake_telegram::TOKEN.to_owned();
        config.telegram.api_url = telegram_fake.url.clone();
        config.telegram.poll_timeout_seconds = 1;
        config.discord.token = super::fake_discord::TOKEN.to_owned();
        config.discord.api_base = discord_fake.api.clone();
        config.discord.guilds = vec![super::fake_discord::GUILD.to_string()];
        config.channels.support_queue = vec![format!("telegram:{TG_GROUP}")];
        config.directory.admins = vec![format!("telegram:{}", TG_ALICE.id)];
        config.pacing.telegram_group_per_minute = 0;
        config.pacing.telegram_direct_per_minute = 0;
        config.pacing.telegram_global_per_second = 0;
        config.pacing.discord_channel_per_minute = 0;
        config.pacing.discord_global_per_second = 0;
        config.limits.commands_per_minute = 0;
        tweak(&mut config);
        super::assert_loopback(&config.telegram.api_url);
        super::assert_loopback(&config.discord.api_base);
        super::assert_loopback(&discord_fake.gateway);

        // A fixed Monday, as the chat stories use: the stories name dates after it.
        let clock =
            FakeClock::at(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 30, 9, 0, 0).single().unwrap());
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

    pub fn tg_says(&self, who: super::fake_telegram::User, text: &str) {
        self.telegram.say(TG_GROUP, who, text);
    }

    /// The newest message in a Telegram chat that contains `needle`, once there is one.
    pub async fn tg_wait(&self, chat: i64, needle: &str) -> super::fake_telegram::BotMessage {
        self.telegram
            .wait(&format!("{needle:?} in {chat}"), WAIT, |f| {
                f.messages_in(chat).iter().any(|m| m.shown.contains(needle))
            })
            .await;
        self.telegram.messages_in(chat).into_iter().rev().find(|m| m.shown.contains(needle)).unwrap()
    }

    /// The `n`th message (from 0) in bob's Discord DMs, once there is one.
    pub async fn bobs_dm(&self, n: usize) -> super::fake_discord::Posted {
        self.discord
            .wait("bob's prompt", WAIT, |f| f.dm_channel(DC_BOB).is_some_and(|c| f.messages_in(c).len() > n))
            .await;
        let dm = self.discord.dm_channel(DC_BOB).unwrap();
        self.discord.messages_in(dm)[n].clone()
    }

    /// Everyone writes once; bob links his Telegram account to his Discord one; dan
    /// works in Sales under bob, carol heads Finance; bob is then seen on Discord.
    pub async fn org_chart(&self) {
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

    pub async fn finish(self) {
        let _ = self.stop.send(true);
        for task in self.running {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        self.app.shutdown().await;
        self.db.drop_db().await;
    }
}

//! A chat harness for integration tests: real databases (SQLite always, PostgreSQL when
//! TEST_DATABASE_URL is set), the real router and services, and a recording messenger at
//! the edge.
#![allow(dead_code, clippy::unwrap_used)]

pub mod fake_discord;
pub mod fake_telegram;
pub mod multipart;
pub mod proxy;
pub mod story;
pub mod toys;
#[cfg(all(feature = "telegram", feature = "discord"))]
pub mod world;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use deskmate::App;
use deskmate::config::Config;
use deskmate::kernel::clock::{Clock, FakeClock};
use deskmate::store::Store;
use deskmate_port::{
    Account, Body, ChannelKind, ChannelRef, Destination, EventKind, Inbound, InboundEvent, MessageRef, Messenger,
    OutboundMessage, Platform, SendError,
};
use sqlx::Connection;

/// Tests never leave the machine: every URL a test hands to Deskmate must be loopback.
pub fn assert_loopback(url: &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host_port = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    let loopback =
        host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    assert!(loopback, "a test used the non-loopback URL {url}");
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database; PostgreSQL ones are dropped by [`TestDb::drop_db`].
pub struct TestDb {
    pub url: String,
    server: Option<String>,
    name: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// `None` when the backend is PostgreSQL and TEST_DATABASE_URL is unset.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        if let Ok(server) = std::env::var("TEST_DATABASE_URL") {
            assert_loopback(&server);
        }
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("deskmate.db").display());
                Some(TestDb { url, server: None, name: String::new(), _dir: Some(dir) })
            }
            Backend::Postgres => {
                let Ok(server) = std::env::var("TEST_DATABASE_URL") else {
                    eprintln!("TEST_DATABASE_URL is not set: skipping the PostgreSQL run");
                    return None;
                };
                let name = format!("deskmate_t_{}_{}", std::process::id(), rand_suffix());
                let mut conn = sqlx::PgConnection::connect(&server).await.unwrap();
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
                conn.close().await.unwrap();
                let url = deskmate::store::with_database(&server, &name);
                Some(TestDb { url, server: Some(server), name, _dir: None })
            }
        }
    }

    pub async fn drop_db(mut self) {
        if let Some(server) = self.server.take() {
            drop_database(&server, &self.name).await;
        }
    }
}

async fn drop_database(server: &str, name: &str) {
    if let Ok(mut conn) = sqlx::PgConnection::connect(server).await {
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
    }
}

/// A test that ends early (a failed assertion) still drops its PostgreSQL database: on
/// a thread of its own, since a destructor cannot wait on the test's runtime.
impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(server) = self.server.take() else { return };
        let name = std::mem::take(&mut self.name);
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                runtime.block_on(drop_database(&server, &name));
            }
        })
        .join();
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{nanos}_{}", N.fetch_add(1, Ordering::Relaxed))
}

/// What the bot sent, in order.
#[derive(Debug, Clone)]
pub struct Sent {
    pub platform: Platform,
    pub to: Destination,
    pub body: Body,
    pub id: String,
    pub key: String,
    pub at: std::time::Instant,
}

impl Sent {
    pub fn text(&self) -> &str {
        &self.body.text
    }

    pub fn is_reply(&self) -> bool {
        matches!(self.to, Destination::Reply { .. })
    }

    /// The message as the platform refers to it.
    pub fn reference(&self) -> MessageRef {
        let channel = match &self.to {
            Destination::Channel(c) | Destination::Reply { channel: c, .. } => c.clone(),
            Destination::Edit(m) | Destination::Under(m) => m.channel.clone(),
            Destination::Direct(a) => {
                ChannelRef { platform: self.platform, id: a.id.clone(), kind: ChannelKind::Direct }
            }
        };
        MessageRef { channel, message_id: self.id.clone() }
    }

    pub fn is_private(&self) -> bool {
        matches!(self.to, Destination::Reply { private: true, .. })
    }
}

/// Records every message instead of sending it. It can be told to fail the next sends
/// the way a platform does, or to hang like a process that died mid-send.
#[derive(Clone)]
pub struct Recorder {
    platform: Platform,
    sent: Arc<Mutex<Vec<Sent>>>,
    failures: Arc<Mutex<std::collections::VecDeque<SendError>>>,
    hang: Arc<std::sync::atomic::AtomicBool>,
    hang_after: Arc<Mutex<Option<usize>>>,
    /// Shared by siblings: message ids are unique across platforms too.
    next_id: Arc<std::sync::atomic::AtomicU64>,
}

impl Recorder {
    pub fn new(platform: Platform) -> Self {
        Recorder {
            platform,
            sent: Arc::new(Mutex::new(Vec::new())),
            failures: Arc::default(),
            hang: Arc::default(),
            hang_after: Arc::default(),
            next_id: Arc::default(),
        }
    }

    /// Another platform writing to the same log, so the order across platforms is kept;
    /// failures and hangs are its own.
    pub fn sibling(&self, platform: Platform) -> Self {
        Recorder { sent: self.sent.clone(), next_id: self.next_id.clone(), ..Recorder::new(platform) }
    }

    /// The next sends fail with these errors, in order.
    pub fn fail_next(&self, errors: impl IntoIterator<Item = SendError>) {
        self.failures.lock().unwrap().extend(errors);
    }

    /// From now on every send blocks forever, as if the process had died mid-send.
    pub fn hang(&self) {
        self.hang.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// After `n` more successful sends, every send blocks forever.
    pub fn hang_after(&self, n: usize) {
        *self.hang_after.lock().unwrap() = Some(self.own_sends() + n);
    }

    fn own_sends(&self) -> usize {
        self.sent.lock().unwrap().iter().filter(|s| s.platform == self.platform).count()
    }

    /// What was sent so far, without taking it.
    pub fn peek(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    pub fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut *self.sent.lock().unwrap())
    }
}

#[async_trait]
impl Messenger for Recorder {
    fn platform(&self) -> Platform {
        self.platform
    }

    async fn send(&self, message: OutboundMessage) -> Result<MessageRef, SendError> {
        let limit = *self.hang_after.lock().unwrap();
        if self.hang.load(std::sync::atomic::Ordering::SeqCst) || limit.is_some_and(|n| self.own_sends() >= n) {
            std::future::pending::<()>().await;
        }
        if let Some(error) = self.failures.lock().unwrap().pop_front() {
            return Err(error);
        }
        let mut sent = self.sent.lock().unwrap();
        // Unique across takes, so an edit names the one message it edits.
        let next = format!("m{}", self.next_id.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1);
        let reference = match &message.to {
            Destination::Edit(m) => m.clone(),
            Destination::Under(m) => MessageRef { channel: m.channel.clone(), message_id: next },
            Destination::Channel(c) => MessageRef { channel: c.clone(), message_id: next },
            Destination::Reply { channel, .. } => MessageRef { channel: channel.clone(), message_id: next },
            Destination::Direct(a) => MessageRef {
                channel: ChannelRef { platform: self.platform, id: a.id.clone(), kind: ChannelKind::Direct },
                message_id: next,
            },
        };
        sent.push(Sent {
            platform: self.platform,
            to: message.to,
            body: message.body,
            id: reference.message_id.clone(),
            key: message.idempotency_key,
            at: std::time::Instant::now(),
        });
        Ok(reference)
    }
}

/// A conversation with Deskmate on the console and a second platform (Telegram) whose
/// accounts are numeric, to exercise linking.
pub struct Chat {
    pub app: App,
    pub clock: FakeClock,
    pub console: Recorder,
    pub telegram: Recorder,
    pub db: TestDb,
    pub backend: Backend,
}

pub fn config_for(url: &str) -> Config {
    let mut config = Config::default();
    config.database.url = url.to_owned();
    config.channels.support_queue = vec!["console:queue".to_owned(), "telegram:-100500".to_owned()];
    config.scheduler.poll_ms = 200;
    // The recorders take every message at once; pacing has tests of its own.
    config.pacing.telegram_group_per_minute = 0;
    config.pacing.telegram_direct_per_minute = 0;
    config.pacing.telegram_global_per_second = 0;
    // Tests send bursts no person would; the limits have tests of their own.
    config.limits.commands_per_minute = 0;
    config.limits.tickets_per_minute = 0;
    config.limits.reminders_per_minute = 0;
    // A morning digest would come into every story that passes 09:00; it has its own.
    config.meetings.digest = false;
    // So would the help desk's weekly report every Monday; it has its own too.
    config.tickets.weekly_report = String::new();
    config
}

impl Chat {
    pub async fn start(backend: Backend) -> Option<Chat> {
        Chat::start_with(backend, |_| {}).await
    }

    /// Starts with the test config changed by `tweak`.
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<Chat> {
        Chat::start_at(backend, Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).single().unwrap(), tweak).await
    }

    /// Starts with the clock held at `start`. The job queue keeps real time, so tests of
    /// timers start at the real now.
    pub async fn start_at(
        backend: Backend,
        start: chrono::DateTime<Utc>,
        tweak: impl FnOnce(&mut Config),
    ) -> Option<Chat> {
        Chat::start_clock(backend, FakeClock::at(start), tweak).await
    }

    /// Starts with the given clock.
    pub async fn start_clock(backend: Backend, clock: FakeClock, tweak: impl FnOnce(&mut Config)) -> Option<Chat> {
        Chat::start_full(backend, clock, tweak, Vec::new()).await
    }

    /// Starts with the given clock and, beside the built-in features, `extra` ones.
    pub async fn start_full(
        backend: Backend,
        clock: FakeClock,
        tweak: impl FnOnce(&mut Config),
        extra: Vec<Arc<dyn deskmate::chat::feature::Feature>>,
    ) -> Option<Chat> {
        init_tracing();
        let db = TestDb::new(backend).await?;
        let console = Recorder::new(Platform::Console);
        let telegram = console.sibling(Platform::Telegram);
        let mut config = config_for(&db.url);
        config.general.instance = "first".to_owned();
        tweak(&mut config);
        let messengers: Vec<Arc<dyn Messenger>> = vec![Arc::new(console.clone()), Arc::new(telegram.clone())];
        let clock_for_app = Arc::new(clock.clone()) as Arc<dyn Clock>;
        let app = App::start_with(&config, clock_for_app, messengers, extra).await.unwrap();
        Some(Chat { app, clock, console, telegram, db, backend })
    }

    /// Another Deskmate instance on the same database, with its own messengers.
    pub async fn another_instance(&self, name: &str, tweak: impl FnOnce(&mut Config)) -> (App, Recorder) {
        let console = Recorder::new(Platform::Console);
        let telegram = console.sibling(Platform::Telegram);
        let mut config = config_for(&self.db.url);
        config.general.instance = name.to_owned();
        tweak(&mut config);
        let messengers: Vec<Arc<dyn Messenger>> = vec![Arc::new(console.clone()), Arc::new(telegram)];
        let app = App::start(&config, Arc::new(self.clock.clone()) as Arc<dyn Clock>, messengers).await.unwrap();
        (app, console)
    }

    pub async fn finish(self) {
        self.app.shutdown().await;
        self.db.drop_db().await;
    }

    pub fn store(&self) -> &Store {
        &self.app.store
    }

    /// `who` types `text` in the console's general channel; returns what the bot sent.
    pub async fn say(&self, who: &str, text: &str) -> Vec<Sent> {
        self.app.router.handle(console_event(who, EventKind::Command { text: text.to_owned() })).await.expect("taken");
        self.app.router.settle().await;
        self.sent()
    }

    /// `who` presses a button; returns what the bot sent.
    pub async fn press(&self, who: &str, button_id: &str) -> Vec<Sent> {
        self.app
            .router
            .handle(console_event(who, EventKind::Button { button_id: button_id.to_owned(), message: None }))
            .await
            .expect("taken");
        self.app.router.settle().await;
        self.sent()
    }

    /// The one reply to the last event.
    pub async fn reply(&self, who: &str, text: &str) -> String {
        let sent = self.say(who, text).await;
        let replies: Vec<&Sent> = sent.iter().filter(|s| s.is_reply()).collect();
        assert_eq!(replies.len(), 1, "expected one reply to {text:?}, got {sent:#?}");
        replies[0].text().to_owned()
    }

    /// A command from a Telegram account with a numeric id.
    pub async fn say_on_telegram(&self, user_id: i64, username: &str, text: &str) -> Vec<Sent> {
        let event = InboundEvent {
            id: next_event_id(),
            platform: Platform::Telegram,
            channel: ChannelRef { platform: Platform::Telegram, id: "-100500".to_owned(), kind: ChannelKind::Group },
            author: Account {
                platform: Platform::Telegram,
                id: user_id.to_string(),
                handle: Some(username.to_owned()),
                display_name: username.to_owned(),
            },
            author_roles: Vec::new(),
            mentions: Vec::new(),
            author_locale: None,
            at: Utc::now(),
            kind: EventKind::Command { text: text.to_owned() },
            reply_handle: "1".to_owned(),
            files: Vec::new(),
        };
        self.app.router.handle(event).await.expect("taken");
        self.app.router.settle().await;
        self.sent()
    }

    pub fn sent(&self) -> Vec<Sent> {
        self.console.take()
    }

    /// Moves the clock forward: timers and schedule runs due in that time fire now,
    /// through the real job queue (no sleeping for the time itself).
    pub async fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
        self.app.scheduler.time_passed(by).await.unwrap();
    }

    /// Waits (up to 10 s) for a direct message to `who` and takes everything sent so
    /// far; returns that message.
    pub async fn next_dm(&self, who: &str) -> Sent {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let sent = self.console.peek();
            if let Some(dm) = sent.iter().find(|s| matches!(&s.to, Destination::Direct(a) if a.id == who)) {
                let dm = dm.clone();
                self.console.take();
                return dm;
            }
            assert!(std::time::Instant::now() < until, "no direct message to {who}; sent: {sent:#?}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        count(self.store(), table).await
    }
}

/// The rows in `table`.
pub async fn count(store: &Store, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    if let Some(pool) = store.sqlite_pool() {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await.unwrap();
        n
    } else {
        let pool = store.postgres_pool().unwrap();
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await.unwrap();
        n
    }
}

pub fn next_event_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}

pub fn console_event(who: &str, kind: EventKind) -> InboundEvent {
    InboundEvent {
        id: next_event_id(),
        platform: Platform::Console,
        channel: ChannelRef { platform: Platform::Console, id: "general".to_owned(), kind: ChannelKind::Group },
        author: Account {
            platform: Platform::Console,
            id: who.to_owned(),
            handle: Some(who.to_owned()),
            display_name: who.to_owned(),
        },
        author_roles: Vec::new(),
        mentions: Vec::new(),
        author_locale: None,
        at: Utc::now(),
        kind,
        reply_handle: format!("{who}#1"),
        files: Vec::new(),
    }
}

/// Runs the test body once on SQLite and once on PostgreSQL (when configured),
/// optionally with the test config changed first.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, $body:expr) => {
        on_both_backends!($name, |_: &mut deskmate::config::Config| {}, $body);
    };
    ($name:ident, $tweak:expr, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                if let Some(chat) = common::Chat::start_with(common::Backend::Sqlite, $tweak).await {
                    $body(chat).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(chat) = common::Chat::start_with(common::Backend::Postgres, $tweak).await {
                    $body(chat).await;
                }
            }
        }
    };
}

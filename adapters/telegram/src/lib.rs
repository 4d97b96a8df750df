//! Deskmate's Telegram adapter, on teloxide: Bot API updates become port events and
//! port messages become Bot API calls. No business logic lives here.
//!
//! Updates are read by long polling (the default) or received on a webhook. Either way an
//! update is acknowledged to Telegram only after the core has committed its effects, so
//! a crash re-reads an update instead of losing it; the core recognises a re-read update
//! by its id and does not apply it twice.

mod convert;
mod messenger;
mod reader;
mod render;
mod webhook;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use deskmate_port::{Inbound, MenuCommand};
use teloxide::Bot;
use teloxide::payloads::SetMyCommandsSetters;
use teloxide::prelude::Requester;
use teloxide::types::BotCommand;
use tokio::sync::watch;

pub use convert::BotIdentity;
pub use messenger::TelegramMessenger;

/// How updates reach Deskmate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// getUpdates in a loop. Telegram allows one such reader per bot token.
    Polling { timeout: Duration },
    /// Telegram POSTs updates to `url` (public, HTTPS), which a proxy forwards to
    /// `listen`; `secret` is checked on every request. Several instances may share it.
    Webhook { url: String, listen: String, secret: String },
}

#[derive(Clone)]
pub struct Settings {
    /// The token BotFather gave. Never logged.
    pub token: String,
    /// The Bot API base URL; `None` for Telegram's own.
    pub api_url: Option<String>,
    pub mode: Mode,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("token", &"***")
            .field("api_url", &self.api_url)
            .field("mode", &self.mode)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the Telegram token is empty: set [telegram] token or DESKMATE_TELEGRAM_TOKEN")]
    NoToken,
    #[error("the Telegram token does not look like one from BotFather (expected digits, a colon, then letters)")]
    BadToken,
    #[error("[telegram] api_url `{0}` is not a URL")]
    BadApiUrl(String),
    #[error("webhook mode needs [telegram] webhook_url (public https address) and webhook_listen")]
    WebhookIncomplete,
    #[error("building the HTTP client: {0}")]
    Client(String),
}

/// The adapter: a messenger for the outbox and a reader that feeds the core.
#[derive(Clone)]
pub struct Telegram {
    bot: Bot,
    settings: Settings,
    messenger: TelegramMessenger,
}

impl Telegram {
    /// Checks the settings and builds the client. Nothing is sent yet.
    pub fn new(settings: Settings) -> Result<Telegram, SettingsError> {
        let token = settings.token.trim();
        if token.is_empty() {
            return Err(SettingsError::NoToken);
        }
        if !looks_like_token(token) {
            return Err(SettingsError::BadToken);
        }
        if let Mode::Webhook { url, listen, .. } = &settings.mode
            && (url.is_empty() || listen.is_empty())
        {
            return Err(SettingsError::WebhookIncomplete);
        }
        let api_url = match &settings.api_url {
            Some(raw) if !raw.is_empty() => {
                Some(url::Url::parse(raw).map_err(|_| SettingsError::BadApiUrl(raw.clone()))?)
            }
            _ => None,
        };
        // Long polls must outlive the client's own timeout. A loopback API (a local Bot
        // API server, a test fake) is never reached through a proxy from the environment.
        let poll = match settings.mode {
            Mode::Polling { timeout } => timeout,
            Mode::Webhook { .. } => Duration::ZERO,
        };
        let mut client = teloxide::net::default_reqwest_settings().timeout(poll + Duration::from_secs(15));
        if api_url.as_ref().is_some_and(is_loopback) {
            client = client.no_proxy();
        }
        let client = client.build().map_err(|e| SettingsError::Client(e.to_string()))?;
        let mut bot = Bot::with_client(token, client);
        if let Some(url) = api_url {
            bot = bot.set_api_url(url);
        }
        let messenger = TelegramMessenger::new(bot.clone(), Arc::default());
        Ok(Telegram { bot, settings, messenger })
    }

    pub fn messenger(&self) -> TelegramMessenger {
        self.messenger.clone()
    }

    /// Connects (retrying with backoff while the token is refused or the API is down),
    /// publishes the command menu, then reads updates into `inbound` until `stop`.
    pub async fn run(&self, inbound: Arc<dyn Inbound>, menu: Vec<MenuCommand>, mut stop: watch::Receiver<bool>) {
        let Some(mut me) = self.connect(&mut stop).await else { return };
        me.commands = Arc::new(menu.iter().map(|m| m.name.to_lowercase()).collect());
        if let Err(e) = self.publish(&menu).await {
            tracing::warn!(error = %e, "publishing the command menu (setMyCommands); commands still work when typed");
        }
        match &self.settings.mode {
            Mode::Polling { timeout } => {
                reader::poll(self.bot.clone(), me, inbound, self.messenger.clone(), *timeout, stop).await
            }
            Mode::Webhook { url, listen, secret } => {
                if let Err(e) =
                    webhook::serve(self.bot.clone(), me, inbound, self.messenger.clone(), url, listen, secret, stop)
                        .await
                {
                    tracing::error!(error = %e, "Telegram webhook stopped");
                }
            }
        }
        self.messenger.state.connected.store(false, Ordering::Relaxed);
    }

    /// getMe until it works. teloxide's own dispatcher panics when getMe fails; a bot
    /// that starts before the network (or with a token being fixed) should wait instead.
    async fn connect(&self, stop: &mut watch::Receiver<bool>) -> Option<BotIdentity> {
        let mut delay = Duration::from_secs(1);
        loop {
            let attempt = tokio::select! {
                r = self.bot.get_me() => r,
                _ = stop.changed() => return None,
            };
            match attempt {
                Ok(me) => {
                    let username = me.username.clone().unwrap_or_default();
                    tracing::info!(bot = %username, "connected to Telegram");
                    *self.messenger.state.username.lock().unwrap_or_else(|p| p.into_inner()) = username.clone();
                    self.messenger.state.connected.store(true, Ordering::Relaxed);
                    return Some(BotIdentity { id: me.id, username, commands: Arc::default(), recent: Arc::default() });
                }
                Err(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                    tracing::error!(retry_in = ?delay, "Telegram refused the bot token (401): check [telegram] token / DESKMATE_TELEGRAM_TOKEN");
                }
                Err(e) => tracing::error!(retry_in = ?delay, error = %e, "cannot reach the Telegram Bot API"),
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => return None,
            }
            delay = (delay * 2).min(Duration::from_secs(60));
        }
    }

    /// The menu in the default language for everyone, then once per other language for
    /// the people whose app is set to it (Telegram matches the two-letter code).
    async fn publish(&self, menu: &[MenuCommand]) -> Result<(), teloxide::RequestError> {
        let commands: Vec<BotCommand> =
            menu.iter().map(|m| BotCommand::new(m.name.clone(), truncate(&m.description, 256))).collect();
        self.bot.set_my_commands(commands).await?;
        let mut tags: Vec<&str> =
            menu.iter().flat_map(|m| m.translations.iter().map(|(tag, _)| tag.as_str())).collect();
        tags.sort_unstable();
        tags.dedup();
        for tag in tags {
            let commands: Vec<BotCommand> = menu
                .iter()
                .map(|m| {
                    let text = m.translations.iter().find(|(t, _)| t == tag).map_or(&m.description, |(_, text)| text);
                    BotCommand::new(m.name.clone(), truncate(text, 256))
                })
                .collect();
            let code = tag.split(['-', '_']).next().unwrap_or(tag).to_lowercase();
            self.bot.set_my_commands(commands).language_code(code).await?;
        }
        Ok(())
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max { text.to_owned() } else { text.chars().take(max - 1).chain(['…']).collect() }
}

/// `123456:ABC-def_…`: the shape BotFather hands out. Catches a pasted chat id or an
/// empty-looking placeholder before the first request.
fn looks_like_token(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(token: &str) -> Settings {
        Settings { token: token.into(), api_url: None, mode: Mode::Polling { timeout: Duration::from_secs(10) } }
    }

    #[test]
    fn tokens_are_checked_and_never_printed() {
        assert!(matches!(Telegram::new(settings("")), Err(SettingsError::NoToken)));
        assert!(matches!(Telegram::new(settings("-100123")), Err(SettingsError::BadToken)));
        assert!(Telegram::new(settings("123456:ABC-def_ghi")).is_ok());
        assert!(!format!("{:?}", settings("123456:SECRET")).contains("SECRET"));
    }

    #[test]
    fn webhook_needs_an_address() {
        let mut s = settings("1:a");
        s.mode = Mode::Webhook { url: String::new(), listen: "127.0.0.1:0".into(), secret: String::new() };
        assert!(matches!(Telegram::new(s), Err(SettingsError::WebhookIncomplete)));
    }
}

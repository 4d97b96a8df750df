//! Deskmate's Discord adapter, on serenity: gateway interactions become port events and
//! port messages become REST calls. No business logic lives here.
//!
//! Slash commands are registered from the core's menu; every interaction is answered
//! inside Discord's 3-second window (with the reply, or deferred and followed up), and
//! nothing is sent on an interaction token after it expires. Serenity reconnects and
//! resumes a dropped gateway session itself.

mod commands;
mod convert;
mod handler;
mod messenger;
mod render;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use deskmate_port::{Inbound, MenuCommand};
use serenity::all::{GatewayIntents, Http, HttpBuilder};
use tokio::sync::watch;

pub use messenger::DiscordMessenger;

/// How long fetching one file a person attached may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct Settings {
    /// The bot token from the developer portal. Never logged.
    pub token: String,
    /// Instead of `https://discord.com`: an HTTP proxy that rate-limits for several
    /// processes (twilight-http-proxy), or a test fake. Serenity's own rate limiter only
    /// works against Discord itself, so it is off with a custom base; the outbox paces.
    pub api_base: Option<String>,
    /// Guilds to register slash commands in (instant); empty: global commands.
    pub guilds: Vec<u64>,
    /// Shards this process runs, `first..=last` of `total`; `None`: one shard.
    pub shards: Option<(u32, u32, u32)>,
    /// Open a thread on each ticket notice.
    pub threads: bool,
    /// Read messages in servers (threads, reactions): needs the Message Content intent.
    pub read_chat: bool,
    /// Replies not ready by then are deferred (Discord allows 3 s).
    pub defer_after: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("token", &"***")
            .field("api_base", &self.api_base)
            .field("guilds", &self.guilds)
            .field("shards", &self.shards)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the Discord token is empty: set [discord] token or DESKMATE_DISCORD_TOKEN")]
    NoToken,
    #[error("the Discord token does not look like a bot token (three dot-separated parts)")]
    BadToken,
    #[error("[discord] shards: the first shard must not be after the last, and both below the total")]
    BadShards,
}

/// The adapter: a messenger for the outbox and a gateway client that feeds the core.
pub struct Discord {
    settings: Settings,
    http: Arc<Http>,
    messenger: DiscordMessenger,
}

impl Discord {
    pub fn new(settings: Settings) -> Result<Discord, SettingsError> {
        let token = settings.token.trim();
        if token.is_empty() {
            return Err(SettingsError::NoToken);
        }
        if token.split('.').count() != 3 || token.contains(char::is_whitespace) {
            return Err(SettingsError::BadToken);
        }
        if let Some((first, last, total)) = settings.shards
            && (first > last || last >= total)
        {
            return Err(SettingsError::BadShards);
        }
        let http = Arc::new(build_http(&settings));
        let messenger = DiscordMessenger::new(http.clone(), Arc::default(), settings.threads);
        Ok(Discord { settings, http, messenger })
    }

    pub fn messenger(&self) -> DiscordMessenger {
        self.messenger.clone()
    }

    /// Checks the token and the API (retrying with backoff), connects the gateway and
    /// feeds `inbound` until `stop`.
    pub async fn run(self, inbound: Arc<dyn Inbound>, menu: Vec<MenuCommand>, mut stop: watch::Receiver<bool>) {
        // Serenity falls back to Discord's real gateway when it cannot read the gateway
        // address; check first, so a misconfigured base never leaks to the internet.
        if !self.wait_for_api(&mut stop).await {
            return;
        }
        let handler = handler::Handler {
            inbound,
            messenger: self.messenger.clone(),
            menu,
            guilds: self.settings.guilds.clone(),
            defer_after: self.settings.defer_after,
            bot: AtomicU64::new(0),
            files: reqwest::Client::builder().timeout(FETCH_TIMEOUT).build().unwrap_or_default(),
            read_chat: self.settings.read_chat,
        };
        let mut intents = GatewayIntents::GUILDS | GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES;
        if self.settings.read_chat {
            intents |= GatewayIntents::MESSAGE_CONTENT | GatewayIntents::GUILD_MESSAGE_REACTIONS;
        }
        // The gateway client gets its own Http (serenity takes it by value); the handler
        // answers through the messenger's, so one rate limiter sees every send.
        let built = serenity::all::ClientBuilder::new_with_http(build_http(&self.settings), intents)
            .event_handler(handler)
            .await;
        let mut client = match built {
            Ok(c) => c,
            Err(e) => return tracing::error!(error = %e, "starting the Discord client"),
        };
        let shards = client.shard_manager.clone();
        let messenger = self.messenger.clone();
        let stopper = tokio::spawn(async move {
            let _ = stop.wait_for(|s| *s).await;
            shards.shutdown_all().await;
        });
        let result = match self.settings.shards {
            // Serenity's range is inclusive of its end.
            Some((first, last, total)) => client.start_shard_range(first..last, total).await,
            None => client.start().await,
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "the Discord gateway stopped");
        }
        stopper.abort();
        messenger.shared.connected.store(false, Ordering::Relaxed);
    }

    async fn wait_for_api(&self, stop: &mut watch::Receiver<bool>) -> bool {
        let mut delay = Duration::from_secs(1);
        loop {
            let check = async {
                self.http.get_current_user().await?;
                self.http.get_gateway().await
            };
            let result = tokio::select! {
                r = check => r,
                _ = stop.changed() => return false,
            };
            match result {
                Ok(_) => return true,
                Err(serenity::Error::Http(serenity::all::HttpError::UnsuccessfulRequest(r)))
                    if r.status_code.as_u16() == 401 =>
                {
                    tracing::error!(retry_in = ?delay, "Discord refused the bot token (401): check [discord] token / DESKMATE_DISCORD_TOKEN");
                }
                Err(e) => tracing::error!(retry_in = ?delay, error = %e, "cannot reach the Discord API"),
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => return false,
            }
            delay = (delay * 2).min(Duration::from_secs(60));
        }
    }
}

fn build_http(settings: &Settings) -> Http {
    let mut builder = HttpBuilder::new(settings.token.trim());
    if let Some(base) = settings.api_base.as_ref().filter(|b| !b.is_empty()) {
        builder = builder.proxy(base.trim_end_matches('/')).ratelimiter_disabled(true);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(token: &str) -> Settings {
        Settings {
            token: token.into(),
            api_base: None,
            guilds: Vec::new(),
            shards: None,
            threads: false,
            read_chat: false,
            defer_after: Duration::from_secs(2),
        }
    }

    #[test]
    fn tokens_and_shards_are_checked_and_tokens_never_printed() {
        assert!(matches!(Discord::new(settings("")), Err(SettingsError::NoToken)));
        assert!(matches!(Discord::new(settings("not-a-token")), Err(SettingsError::BadToken)));
        assert!(Discord::new(settings("MTA.Gx.SECRET")).is_ok());
        assert!(!format!("{:?}", settings("MTA.Gx.SECRET")).contains("SECRET"));
        let mut s = settings("MTA.Gx.y");
        s.shards = Some((2, 1, 4));
        assert!(matches!(Discord::new(s), Err(SettingsError::BadShards)));
    }
}

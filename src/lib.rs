//! Deskmate's core: the command registry, the router, the services and the store. Adapters
//! (console, Telegram, Discord) live in their own crates and meet the core at
//! `deskmate-port`.

pub mod bench;
pub mod buttons;
pub mod clock;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod replies;
pub mod router;
pub mod scheduler;
pub mod services;
pub mod store;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use deskmate_port::{Messenger, Platform};
use tokio::sync::watch;

use crate::clock::Clock;
use crate::config::Config;
use crate::delivery::{Dispatcher, Pacing, Planner};
use crate::router::Router;
use crate::services::{Directory, Tickets};
use crate::store::Store;

/// A wired Deskmate: the store, the router that adapters feed, and the dispatcher that
/// sends what the outbox holds.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub router: Router,
    pub dispatcher: Arc<Dispatcher>,
    stop: Arc<watch::Sender<bool>>,
    shutdown_flush: Duration,
}

impl App {
    /// Opens and migrates the configured database, wires the services and starts the
    /// dispatcher.
    pub async fn start(
        config: &Config,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
    ) -> anyhow::Result<App> {
        use anyhow::Context;
        let store = Store::connect(&config.database.url)
            .await
            .with_context(|| format!("opening the database at {}", redact(&config.database.url)))?;
        store.migrate().await.context("applying migrations")?;
        Ok(App::with_store(config, store, clock, messengers))
    }

    /// Wires the services over an open, migrated store and starts the dispatcher.
    pub fn with_store(
        config: &Config,
        store: Store,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
    ) -> App {
        let platforms: HashSet<Platform> = messengers.iter().map(|m| m.platform()).collect();
        let planner = Planner::new(store.clone(), config.support_queue(), platforms);
        let dispatcher = Arc::new(Dispatcher::new(
            store.clone(),
            clock.clone(),
            planner.clone(),
            messengers,
            Pacing::new(&config.pacing()),
            config.retry_policy(),
            config.instance_name(),
        ));
        let directory = Directory::new(store.clone(), config.admin_accounts());
        let tickets = Tickets::new(store.clone());
        let router =
            Router::new(store.clone(), directory, tickets, planner, dispatcher.clone(), clock, config.default_tz());
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(dispatcher.clone().run(stopped));
        App {
            store,
            router,
            dispatcher,
            stop: Arc::new(stop),
            shutdown_flush: Duration::from_secs(config.outbox.shutdown_flush_seconds),
        }
    }

    /// Stops the dispatcher at once, sending nothing more: what a crash looks like to
    /// the other instances (for tests).
    pub fn halt(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops the dispatcher after sending what is queued (for at most the configured
    /// flush time), then closes the database. Whatever is left stays queued for the next
    /// start.
    pub async fn shutdown(&self) -> bool {
        let flushed = self.dispatcher.drain(self.shutdown_flush).await;
        let _ = self.stop.send(true);
        self.store.close().await;
        flushed
    }
}

/// A database URL fit for logs: the password, if any, is hidden.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _password)) => {
                    format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
                }
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}

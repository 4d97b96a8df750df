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
pub mod services;
pub mod store;

use std::sync::Arc;

use deskmate_port::Messenger;

use crate::clock::Clock;
use crate::config::Config;
use crate::delivery::Delivery;
use crate::router::Router;
use crate::services::{Directory, Tickets};
use crate::store::Store;

/// A wired Deskmate: the store and the router that adapters feed.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub router: Router,
}

impl App {
    /// Opens and migrates the configured database, then wires the services.
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

    /// Wires the services over an open, migrated store.
    pub fn with_store(
        config: &Config,
        store: Store,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
    ) -> App {
        let mut delivery = Delivery::new(store.clone(), clock.clone(), config.support_queue());
        for m in messengers {
            delivery.add_messenger(m);
        }
        let directory = Directory::new(store.clone(), config.admin_accounts());
        let tickets = Tickets::new(store.clone());
        let router = Router::new(directory, tickets, delivery, clock, config.default_tz());
        App { store, router }
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
        assert_eq!(
            super::redact("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}

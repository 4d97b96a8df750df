//! Deskmate's core: the command registry, the router, the services and the store. Adapters
//! (console, Telegram, Discord) live in their own crates and meet the core at
//! `deskmate-port`.

pub mod buttons;
pub mod commands;
pub mod config;
pub mod delivery;
pub mod domain;
pub mod http;
pub mod kernel;
pub mod limits;
pub mod metrics;
pub mod ratelimit;
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

use crate::config::Config;
use crate::kernel::clock::Clock;
use anyhow::Context;

use crate::delivery::{Dispatcher, Pacing, Planner};
use crate::router::Router;
use crate::scheduler::Scheduler;
use crate::services::{Directory, LinkGuard, Reminders, Services, Tickets};
use crate::store::Store;

/// A wired Deskmate: the store, the router that adapters feed, the dispatcher that
/// sends what the outbox holds, and the job queue behind schedules and timers.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub router: Router,
    pub dispatcher: Arc<Dispatcher>,
    pub scheduler: Scheduler,
    /// Where the operations listener is, when configured.
    pub http: Option<std::net::SocketAddr>,
    planner: Planner,
    clock: Arc<dyn Clock>,
    stop: Arc<watch::Sender<bool>>,
    shutdown_flush: Duration,
}

impl App {
    /// Opens and migrates the configured database, wires the services and starts the
    /// dispatcher and the job queue.
    pub async fn start(
        config: &Config,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
    ) -> anyhow::Result<App> {
        let store = Store::connect(&config.database.url)
            .await
            .with_context(|| format!("opening the database at {}", redact(&config.database.url)))?;
        store.migrate().await.context("applying migrations")?;
        App::with_store(config, store, clock, messengers).await
    }

    /// Wires the services over an open, migrated store and starts the background work.
    pub async fn with_store(
        config: &Config,
        store: Store,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
    ) -> anyhow::Result<App> {
        let platforms: HashSet<Platform> = messengers.iter().map(|m| m.platform()).collect();
        let all_messengers = messengers.clone();
        let planner = Planner::new(store.clone(), config.audiences(), platforms);
        let instance = config.instance_name();
        let dispatcher = Arc::new(Dispatcher::new(
            store.clone(),
            clock.clone(),
            planner.clone(),
            messengers,
            Pacing::new(&config.pacing()),
            config.retry_policy(),
            instance.clone(),
        ));
        let tuning = config.scheduler_tuning();
        let scheduler = Scheduler::new(&store, planner.clone(), dispatcher.clone(), clock.clone(), tuning, &instance)
            .context("building the job queue")?;
        scheduler::sync_from_config(&store, &config.schedule_specs(), clock.now())
            .await
            .context("loading schedules")?;
        let link_guard = LinkGuard {
            per_person: config.limits.link_failures_per_person,
            per_platform: config.limits.link_failures_per_platform,
            window_minutes: config.limits.link_window_minutes,
        };
        let directory = Directory::new(store.clone(), config.admin_accounts(), config.mapped_roles(), link_guard);
        let tickets = Tickets::new(store.clone());
        let reminders = Reminders::new(scheduler.clone());
        let planner_for_app = planner.clone();
        let router = Router::new(
            store.clone(),
            Services { directory, tickets, reminders },
            planner,
            dispatcher.clone(),
            clock.clone(),
            config.default_tz(),
            config.limits.clone(),
        );
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(dispatcher.clone().run(stopped.clone()));
        scheduler.start().await.context("starting the job queue")?;
        tokio::spawn(plan_schedules(store.clone(), scheduler.clone(), clock.clone(), tuning.poll, stopped.clone()));
        tokio::spawn(forget_quiet_people(router.clone(), stopped.clone()));
        let http = if config.http.listen.is_empty() {
            None
        } else {
            Some(http::serve(&config.http.listen, store.clone(), all_messengers, stopped).await?)
        };
        Ok(App {
            store,
            router,
            dispatcher,
            scheduler,
            http,
            planner: planner_for_app,
            clock,
            stop: Arc::new(stop),
            shutdown_flush: Duration::from_secs(config.outbox.shutdown_flush_seconds),
        })
    }

    /// Queues effects that no person's message caused (a report for a channel, a file
    /// for someone), committed at once and then delivered like every message. `key`
    /// names the cause and makes a repeat of it a no-op.
    pub async fn announce(&self, key: &str, effects: &[services::Effect]) -> anyhow::Result<Vec<i64>> {
        let now = self.clock.now();
        let origin = delivery::Origin { key: key.to_owned(), reply_to: None };
        let rows = self.planner.plan(&origin, effects, now).await?;
        let mut tx = self.store.begin().await?;
        let ids = tx.enqueue(&rows, now).await?;
        tx.commit().await?;
        self.dispatcher.poke();
        Ok(ids)
    }

    /// Queues the schedule runs due now (the background planner does this every poll).
    pub async fn plan_schedules_now(&self) -> anyhow::Result<usize> {
        Ok(scheduler::plan_due(&self.store, &self.scheduler, self.clock.now()).await?)
    }

    /// Stops everything at once, sending nothing more: what a crash looks like to the
    /// other instances (for tests).
    pub async fn halt(&self) {
        let _ = self.stop.send(true);
        self.scheduler.stop_now().await;
        // A dead process's connections close with it, and the database rolls back its
        // open transactions at once; closing the pool does the same here.
        let _ = tokio::time::timeout(Duration::from_secs(2), self.store.close()).await;
    }

    /// Graceful stop: running jobs finish, queued messages are sent for at most the
    /// configured flush time, then the database closes. Whatever is left stays queued for
    /// the next start. Returns whether the outbox was emptied.
    pub async fn shutdown(&self) -> bool {
        let _ = self.stop.send(true);
        self.scheduler.stop().await;
        let flushed = self.dispatcher.drain(self.shutdown_flush).await;
        self.store.close().await;
        flushed
    }
}

/// Every poll, queue the schedule runs that came due.
async fn plan_schedules(
    store: Store,
    scheduler: Scheduler,
    clock: Arc<dyn Clock>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let planned =
            scheduler::plan_due(&store, &scheduler, clock.now()).await.err().map(|e| kernel::report::chain(&e));
        // Re-deliveries come within minutes; a week of memory is plenty.
        let pruned = store.prune_processed_events(clock.now() - chrono::Duration::days(7)).await;
        // Stopping closes the database under these queries: nothing to report then.
        if *stop.borrow() {
            return;
        }
        if let Some(e) = planned {
            tracing::warn!(error = %e, "planning schedule runs");
        }
        if let Err(e) = pruned {
            tracing::warn!(error = %kernel::report::chain(&e), "pruning processed events");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            // A dropped sender means the app is gone: stop too.
            changed = stop.changed() => if changed.is_err() { return },
        }
    }
}

/// Now and then, drops the rate-limit state of people who went quiet, so memory stays
/// bounded by recent activity.
async fn forget_quiet_people(router: Router, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(300)) => router.forget_quiet(),
            changed = stop.changed() => if changed.is_err() || *stop.borrow() { return },
        }
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

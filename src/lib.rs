//! Deskmate's core: the kernel every part shares, the chat layer (router, parser,
//! buttons, questions), one folder per feature, and the infrastructure beneath them
//! (store, delivery, scheduler, http). Adapters (console, Telegram, Discord) live in
//! their own crates and meet the core at `deskmate-port`. ARCHITECTURE.md has the map.

pub mod chart;
pub mod chat;
pub mod config;
pub mod delivery;
pub mod features;
pub mod http;
pub mod i18n;
pub mod kernel;
pub mod limits;
pub mod metrics;
pub mod ratelimit;
pub mod scheduler;
pub mod store;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use deskmate_port::{Messenger, Platform};
use tokio::sync::watch;

use crate::config::Config;
use crate::kernel::clock::Clock;
use anyhow::Context;

use crate::chat::feature::{Feature, Kit, Registry};
use crate::chat::people::People;
use crate::chat::router::Router;
use crate::delivery::{Dispatcher, Pacing, Planner};
use crate::kernel::{Outcome, ServiceResult};
use crate::scheduler::{Fired, ScheduledRun, Scheduler};
use crate::store::{Store, Tx};

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
    /// What the job queue hands due work to; it holds this only weakly.
    _jobs: Arc<dyn scheduler::Handler>,
    clock: Arc<dyn Clock>,
    stop: Arc<watch::Sender<bool>>,
    shutdown_flush: Duration,
}

impl App {
    /// Opens and migrates the configured database, installs the built-in features and
    /// starts the dispatcher and the job queue.
    pub async fn start(
        config: &Config,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
    ) -> anyhow::Result<App> {
        App::start_with(config, clock, messengers, Vec::new()).await
    }

    /// [`Self::start`] with features of the caller's beside the built-in ones (which are
    /// always installed: their tables exist, and merging two people moves their columns).
    pub async fn start_with(
        config: &Config,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
        extra: Vec<Arc<dyn Feature>>,
    ) -> anyhow::Result<App> {
        let store = Store::connect(&config.database.url)
            .await
            .with_context(|| format!("opening the database at {}", redact(&config.database.url)))?;
        store.migrate().await.context("applying migrations")?;
        App::with_store(config, store, clock, messengers, extra).await
    }

    /// Wires the built-in features and `extra` ones over an open, migrated store and
    /// starts the background work.
    pub async fn with_store(
        config: &Config,
        store: Store,
        clock: Arc<dyn Clock>,
        messengers: Vec<Arc<dyn Messenger>>,
        extra: Vec<Arc<dyn Feature>>,
    ) -> anyhow::Result<App> {
        let mut features = features::builtin(config);
        features.extend(extra);
        let registry = Arc::new(Registry::new(features)?);
        let specs = config.schedule_specs();
        for spec in &specs {
            let Some(feature) = registry.for_job(&spec.job) else {
                anyhow::bail!(
                    "[schedules] {}: unknown job `{}` (the features run: {})",
                    spec.name,
                    spec.job,
                    registry.jobs().join(", ")
                );
            };
            if let Err(problem) = feature.check_schedule(&spec.job, &spec.args) {
                anyhow::bail!("[schedules] {}: {problem}", spec.name);
            }
        }
        let platforms: HashSet<Platform> = messengers.iter().map(|m| m.platform()).collect();
        let all_messengers = messengers.clone();
        let planner = Planner::new(store.clone(), config.audiences(), platforms, config.readers());
        let instance = config.instance_name();
        let dispatcher = Arc::new(Dispatcher::new(
            store.for_delivery(),
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
        scheduler::sync_from_config(&store, &specs, clock.now()).await.context("loading schedules")?;
        let kit = Kit {
            store: store.clone(),
            timers: scheduler.clone(),
            people: People::new(store.clone(), config.config_roles(), config.mapped_roles()),
            clock: clock.clone(),
            default_tz: config.default_tz(),
            default_lang: config.default_lang(),
            person_columns: Arc::new(registry.person_columns()),
            features: registry.clone(),
        };
        let jobs: Arc<dyn scheduler::Handler> = Arc::new(Jobs { registry: registry.clone(), kit: kit.clone() });
        scheduler.set_handler(&jobs);
        let summaries = registry.clone();
        dispatcher.set_summaries(Box::new(move |kind, labels| summaries.coalesced(kind, labels)));
        let planner_for_app = planner.clone();
        registry.start(&kit).await.map_err(|e| anyhow::anyhow!("starting the features: {e}"))?;
        let web_kit = kit.clone();
        let router = Router::new(kit, registry, planner, dispatcher.clone(), config.limits.clone());
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(dispatcher.clone().run(stopped.clone()));
        scheduler.start().await.context("starting the job queue")?;
        tokio::spawn(plan_schedules(store.clone(), scheduler.clone(), clock.clone(), tuning.poll, stopped.clone()));
        tokio::spawn(forget_quiet_people(router.clone(), stopped.clone()));
        let http = if config.http.listen.is_empty() {
            None
        } else {
            Some(http::serve(&config.http.listen, (store.clone(), all_messengers), web_kit, stopped).await?)
        };
        Ok(App {
            store,
            router,
            dispatcher,
            scheduler,
            http,
            planner: planner_for_app,
            _jobs: jobs,
            clock,
            stop: Arc::new(stop),
            shutdown_flush: Duration::from_secs(config.outbox.shutdown_flush_seconds),
        })
    }

    /// Queues effects that no person's message caused (a report for a channel, a file
    /// for someone), committed at once and then delivered like every message. `key`
    /// names the cause and makes a repeat of it a no-op.
    pub async fn announce(&self, key: &str, effects: &[kernel::Effect]) -> anyhow::Result<Vec<i64>> {
        let now = self.clock.now();
        let origin = delivery::Origin::unprompted(key.to_owned());
        let rows = self.planner.plan(&origin, effects, now).await?;
        let mut tx = self.store.begin().await?;
        let queued = tx.enqueue(&rows, now).await?;
        tx.commit().await?;
        self.dispatcher.poke();
        Ok(queued.into_iter().map(|q| q.id).collect())
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
        self.dispatcher.release_leases().await;
        self.store.close().await;
        flushed
    }
}

/// Hands what comes due in the job queue to the feature that owns it.
struct Jobs {
    registry: Arc<Registry>,
    kit: Kit,
}

#[async_trait::async_trait]
impl scheduler::Handler for Jobs {
    async fn timer(&self, tx: &mut Tx, fired: &Fired) -> ServiceResult<Outcome> {
        match self.registry.by_name(&fired.owner) {
            Some(feature) => feature.timer(tx, &self.kit, fired).await,
            None => {
                tracing::warn!(owner = %fired.owner, kind = %fired.kind, "a timer of a feature that is not installed");
                Ok(Vec::new())
            }
        }
    }

    async fn scheduled(&self, run: &ScheduledRun) -> ServiceResult<Outcome> {
        match self.registry.for_job(&run.job) {
            Some(feature) => feature.scheduled(&self.kit, run).await,
            None => {
                tracing::warn!(schedule = %run.schedule, job = %run.job, "a schedule whose job no feature runs");
                Ok(Vec::new())
            }
        }
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
    /// The layers beneath the features (the chat layer, delivery, the scheduler, the store
    /// core, the kernel, http, limits) name no feature in their code: a feature is found
    /// through the registry, never named. Comments may use a feature as an example; tests
    /// may use the built-in features.
    #[test]
    fn infrastructure_names_no_feature() {
        const FORBIDDEN: &[&str] = &["features::", "ticket", "remind", "department", "link_code", "digest"];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for dir in ["chat", "delivery", "scheduler", "store", "kernel"] {
            collect(&root.join(dir), &mut files);
        }
        for file in ["http.rs", "limits.rs", "ratelimit.rs", "metrics.rs"] {
            files.push(root.join(file));
        }
        assert!(files.len() > 25, "{files:?}");
        let mut found = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).expect("readable");
            let code = text.lines().enumerate().take_while(|(_, l)| !l.trim_start().starts_with("#[cfg(test)]"));
            for (n, line) in code {
                let code = line.split("//").next().unwrap_or_default().to_lowercase();
                if let Some(word) = FORBIDDEN.iter().find(|w| code.contains(*w)) {
                    found.push(format!("{}:{}: `{word}` in {line}", path.display(), n + 1));
                }
            }
        }
        assert!(found.is_empty(), "infrastructure naming a feature:\n{}", found.join("\n"));
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(super::redact("sqlite://x.db"), "sqlite://x.db");
    }
}

//! Recurring schedules and one-shot timers, on River (riverqueue): every concrete run
//! becomes a River job with a unique key, inserted in the transaction of the change that
//! wants it. Workers turn a job into outbox messages and complete the job in that same
//! transaction, so a run happens once even if a job is retried after a crash; the
//! messages' idempotency keys make a repeated run harmless anyway.
//!
//! River leases jobs (`FOR UPDATE SKIP LOCKED` on PostgreSQL), rescues the running jobs
//! of a crashed instance after `rescue_after`, retries failed ones with backoff, and runs
//! its maintenance on one elected leader.

pub mod calendar;
mod jobs;
mod planner;

use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use riverqueue::{Client, InsertOpts, MaintenanceConfig, QueueConfig, RunHandle, Workers};
use serde::Serialize;
use tokio::sync::Mutex;

pub use jobs::{Fired, ScheduleArgs, ScheduledRun, channel};
pub use planner::{ScheduleSpec, plan_due, sync_from_config};

use crate::delivery::{Dispatcher, Planner};
use crate::kernel::clock::Clock;
use crate::kernel::{Failure, ServiceError, ServiceResult};
use crate::store::{Store, StoreError, Tx, TxInner};

/// Whoever runs what comes due: the features, found by the timer's owner or the
/// schedule's job. Set once, before the queue starts.
#[async_trait]
pub trait Handler: Send + Sync {
    /// A timer came due: its change happens in `tx`, with the timer's completion.
    async fn timer(&self, tx: &mut Tx, fired: &Fired) -> ServiceResult;
    async fn scheduled(&self, run: &ScheduledRun) -> ServiceResult;
}

/// A timer's name: its owner (a feature's name), its kind, and what it is about. Setting
/// a key that exists does nothing; cancelling it removes it unless it is already firing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerKey {
    pub owner: &'static str,
    pub kind: &'static str,
    pub id: String,
}

impl TimerKey {
    pub fn new(owner: &'static str, kind: &'static str, id: impl std::fmt::Display) -> TimerKey {
        TimerKey { owner, kind, id: id.to_string() }
    }
}

impl std::fmt::Display for TimerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.owner, self.kind, self.id)
    }
}

/// How River is tuned; from the `[scheduler]` config section.
#[derive(Debug, Clone, Copy)]
pub struct SchedulerTuning {
    /// After this long, a job an instance was running when it died is run elsewhere.
    pub rescue_after: Duration,
    /// A job running longer than this is cancelled and retried.
    pub job_timeout: Duration,
    /// How often idle workers look for due jobs, and how often due scheduled jobs are
    /// made available.
    pub poll: Duration,
}

/// The job queue: insert timers, start and stop the workers.
#[derive(Clone)]
pub struct Scheduler {
    client: Client,
    run: Arc<Mutex<Option<RunHandle>>>,
    /// Deskmate's clock, which may differ from the database's (a test's controllable
    /// clock): due times are mapped onto the job queue's real time.
    clock: Arc<dyn Clock>,
    store: Store,
    handler: Arc<OnceLock<Weak<dyn Handler>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error("job queue: {0}")]
    River(#[from] riverqueue::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a timer payload: {0}")]
    Payload(#[from] serde_json::Error),
    #[error(transparent)]
    Handler(ServiceError),
    #[error("the job queue has no handler (none was set, or the app is gone)")]
    NoHandler,
    #[error("a batch of timers was not applied: {0}")]
    Batch(String),
}

impl SchedulerError {
    pub fn is_transient(&self) -> bool {
        match self {
            SchedulerError::Store(e) => e.is_transient(),
            SchedulerError::River(riverqueue::Error::Database(e)) => crate::store::is_transient(e),
            SchedulerError::Handler(e) => e.is_transient(),
            SchedulerError::Batch(_) => true,
            _ => false,
        }
    }
}

impl From<SchedulerError> for ServiceError {
    fn from(e: SchedulerError) -> ServiceError {
        match e {
            SchedulerError::Handler(e) => e,
            other => ServiceError::Failed(Failure::new(other.is_transient(), other)),
        }
    }
}

pub fn timestamp(at: DateTime<Utc>) -> riverqueue::jiff::Timestamp {
    riverqueue::jiff::Timestamp::from_millisecond(at.timestamp_millis())
        .unwrap_or(riverqueue::jiff::Timestamp::UNIX_EPOCH)
}

impl Scheduler {
    pub fn new(
        store: &Store,
        planner: Planner,
        dispatcher: Arc<Dispatcher>,
        clock: Arc<dyn Clock>,
        tuning: SchedulerTuning,
        instance: &str,
    ) -> Result<Scheduler, SchedulerError> {
        let handler: Arc<OnceLock<Weak<dyn Handler>>> = Arc::default();
        let context = Arc::new(jobs::JobContext {
            store: store.clone(),
            planner,
            dispatcher,
            clock: clock.clone(),
            handler: handler.clone(),
            timers: Arc::new(crate::store::Batches::new(store.writers(), jobs::TIMERS_AT_MOST)),
        });
        let mut workers = Workers::new();
        workers.add(jobs::TimerWorker(context.clone()))?;
        workers.add(jobs::RunWorker(context))?;
        let maintenance = MaintenanceConfig::default()
            .with_rescue_after(tuning.rescue_after.max(tuning.job_timeout))
            .with_rescuer_interval(tuning.poll.max(Duration::from_millis(200)) * 4)
            .with_scheduler_interval(tuning.poll)
            .with_elect_interval(Duration::from_secs(2));
        // Workers mostly wait on the database, so many fit on two cores; a short cooldown
        // lets a freed slot fetch again at once. Each pass of River's scheduler makes the
        // jobs due before the next pass available, but announces only those due at once:
        // the rest wait for a fetch poll, so a timer fires up to one poll late. Polling five
        // times as often as the pass keeps that lag a fifth (one cheap indexed query).
        let queue = QueueConfig::new(32)
            .with_fetch_poll_interval((tuning.poll / 5).max(Duration::from_millis(50)))
            .with_fetch_cooldown(Duration::from_millis(10).min(tuning.poll));
        let builder = match (store.sqlite_pool(), store.postgres_pool()) {
            (Some(pool), _) => Client::builder(pool.clone()),
            (None, Some(pool)) => Client::builder(pool.clone()),
            (None, None) => unreachable!("a store is SQLite or PostgreSQL"),
        };
        let client = builder
            .workers(workers)
            .queue(riverqueue::QUEUE_DEFAULT, queue)
            .job_timeout(tuning.job_timeout)
            .maintenance(maintenance)
            .id(format!("{instance}-{}", std::process::id()))
            .build()?;
        Ok(Scheduler { client, run: Arc::default(), clock, store: store.clone(), handler })
    }

    /// Names who runs what comes due; once, before [`Self::start`]. The queue holds it
    /// weakly (the handler's features hold the queue to set timers): the caller keeps it.
    pub fn set_handler(&self, handler: &Arc<dyn Handler>) {
        if self.handler.set(Arc::downgrade(handler)).is_err() {
            tracing::warn!("the job queue's handler was set twice; the first one stays");
        }
    }

    /// When the job queue should run something due at `at` on Deskmate's clock: as far
    /// from the queue's now as `at` is from the clock's. With the system clock this is
    /// `at` itself.
    fn real_time(&self, at: DateTime<Utc>) -> riverqueue::jiff::Timestamp {
        let ahead = at.signed_duration_since(self.clock.now());
        timestamp(Utc::now().checked_add_signed(ahead).unwrap_or(at))
    }

    /// Deskmate's clock jumped forward by `by` (a test's controllable clock): what was
    /// due in that time runs now, and everything later comes `by` sooner.
    pub async fn time_passed(&self, by: chrono::Duration) -> Result<u64, SchedulerError> {
        Ok(self.store.shift_job_queue(by).await?)
    }

    pub async fn start(&self) -> Result<(), SchedulerError> {
        let handle = self.client.start()?;
        *self.run.lock().await = Some(handle);
        Ok(())
    }

    /// Lets running jobs finish, then stops taking new ones.
    pub async fn stop(&self) {
        if let Some(mut handle) = self.run.lock().await.take()
            && let Err(e) = handle.stop().await
        {
            tracing::warn!(error = %e, "stopping the job queue");
        }
    }

    /// Stops at once, cancelling running jobs (for tests that simulate a crash).
    pub async fn stop_now(&self) {
        if let Some(mut handle) = self.run.lock().await.take() {
            let _ = handle.stop_and_cancel().await;
        }
    }

    /// Sets a one-shot timer inside `tx`, so it exists exactly when the change that
    /// wanted it commits. Returns false when a timer with this key already exists (or
    /// has fired).
    pub async fn set_timer(
        &self,
        tx: &mut Tx,
        key: &TimerKey,
        at: DateTime<Utc>,
        payload: &impl Serialize,
    ) -> Result<bool, SchedulerError> {
        Ok(self.set_timers(tx, vec![(key.clone(), at, serde_json::to_value(payload)?)]).await? == 1)
    }

    /// Sets many timers at once (bulk creation, benchmarks); returns how many were new.
    pub async fn set_timers(
        &self,
        tx: &mut Tx,
        timers: Vec<(TimerKey, DateTime<Utc>, serde_json::Value)>,
    ) -> Result<usize, SchedulerError> {
        let jobs: Vec<(jobs::Timer, InsertOpts)> = timers
            .into_iter()
            .map(|(key, at, payload)| {
                let timer = jobs::Timer {
                    key: key.to_string(),
                    due_ms: at.timestamp_millis(),
                    owner: key.owner.to_owned(),
                    kind: key.kind.to_owned(),
                    payload,
                };
                (timer, InsertOpts::default().with_scheduled_at(self.real_time(at)))
            })
            .collect();
        if jobs.is_empty() {
            return Ok(0);
        }
        let results = match &mut tx.inner {
            TxInner::Sqlite(c) => self.client.insert_many(jobs).tx(c).await?,
            TxInner::Postgres(c) => self.client.insert_many(jobs).tx(c).await?,
        };
        Ok(results.iter().filter(|r| !r.unique_skipped_as_duplicate).count())
    }

    /// Cancels a timer inside `tx` (it is gone when `tx` commits). A timer already firing
    /// is not stopped: its owner re-checks the state it is about. Returns whether one was
    /// waiting.
    pub async fn cancel_timer(&self, tx: &mut Tx, key: &TimerKey) -> Result<bool, SchedulerError> {
        Ok(tx.drop_waiting_job(<jobs::Timer as riverqueue::JobArgs>::KIND, &key.to_string()).await? > 0)
    }

    /// The schedule runs queued so far (any state), as (schedule, time), oldest first; for
    /// `/schedule jobs` and tests. At most `limit`.
    pub async fn queued_runs(&self, limit: u32) -> Result<Vec<(String, DateTime<Utc>)>, SchedulerError> {
        let page = self
            .client
            .jobs()
            .list(riverqueue::JobListParams::default().kinds([<jobs::Run as riverqueue::JobArgs>::KIND]).limit(limit))
            .await?;
        let mut runs: Vec<(String, DateTime<Utc>)> = page
            .jobs
            .iter()
            .filter_map(|row| row.decode_args::<jobs::Run>().ok())
            .map(|run| (run.schedule, crate::store::from_ms(run.at_ms)))
            .collect();
        runs.sort_by_key(|(_, at)| *at);
        Ok(runs)
    }

    /// Queues the runs of a schedule inside `tx`; a run already queued is skipped.
    pub(crate) async fn add_runs(
        &self,
        tx: &mut Tx,
        schedule: &str,
        runs: &[DateTime<Utc>],
    ) -> Result<(), SchedulerError> {
        let jobs: Vec<(jobs::Run, InsertOpts)> = runs
            .iter()
            .map(|at| {
                (
                    jobs::Run { schedule: schedule.to_owned(), at_ms: at.timestamp_millis() },
                    InsertOpts::default().with_scheduled_at(self.real_time(*at)),
                )
            })
            .collect();
        if jobs.is_empty() {
            return Ok(());
        }
        match &mut tx.inner {
            TxInner::Sqlite(c) => self.client.insert_many(jobs).tx(c).await?,
            TxInner::Postgres(c) => self.client.insert_many(jobs).tx(c).await?,
        };
        Ok(())
    }
}

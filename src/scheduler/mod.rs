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

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use riverqueue::{Client, InsertOpts, MaintenanceConfig, QueueConfig, RunHandle, Workers};
use tokio::sync::Mutex;

pub use jobs::{ScheduledJob, TimerAction};
pub use planner::{ScheduleSpec, plan_due, sync_from_config};

use crate::delivery::{Dispatcher, Planner};
use crate::kernel::clock::Clock;
use crate::store::{Store, StoreError, Tx, TxInner};

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
}

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error("job queue: {0}")]
    River(#[from] riverqueue::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
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
        let context = Arc::new(jobs::JobContext { store: store.clone(), planner, dispatcher, clock: clock.clone() });
        let mut workers = Workers::new();
        workers.add(jobs::TimerWorker(context.clone()))?;
        workers.add(jobs::RunWorker(context))?;
        let maintenance = MaintenanceConfig::default()
            .with_rescue_after(tuning.rescue_after.max(tuning.job_timeout))
            .with_rescuer_interval(tuning.poll.max(Duration::from_millis(200)) * 4)
            .with_scheduler_interval(tuning.poll)
            .with_elect_interval(Duration::from_secs(2));
        // Workers mostly wait on the database, so many fit on two cores; a short cooldown
        // lets a freed slot fetch again at once.
        let queue = QueueConfig::new(32)
            .with_fetch_poll_interval(tuning.poll)
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
        Ok(Scheduler { client, run: Arc::default(), clock, store: store.clone() })
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

    /// Queues a one-shot timer inside `tx`, so it exists exactly when the change that
    /// wanted it commits. `key` is unique: queuing the same key again does nothing.
    /// Returns false when a timer with this key already exists.
    pub async fn add_timer(
        &self,
        tx: &mut Tx,
        key: &str,
        at: DateTime<Utc>,
        action: TimerAction,
    ) -> Result<bool, SchedulerError> {
        let job = jobs::Timer { key: key.to_owned(), due_ms: at.timestamp_millis(), action };
        let opts = InsertOpts::default().with_scheduled_at(self.real_time(at));
        let inserted = match &mut tx.inner {
            TxInner::Sqlite(c) => self.client.insert(job).opts(opts).tx(c).await?,
            TxInner::Postgres(c) => self.client.insert(job).opts(opts).tx(c).await?,
        };
        Ok(!inserted.unique_skipped_as_duplicate)
    }

    /// Queues many timers at once (for bulk creation and benchmarks).
    pub async fn add_timers(
        &self,
        tx: &mut Tx,
        timers: Vec<(String, DateTime<Utc>, TimerAction)>,
    ) -> Result<usize, SchedulerError> {
        let jobs: Vec<(jobs::Timer, InsertOpts)> = timers
            .into_iter()
            .map(|(key, at, action)| {
                (
                    jobs::Timer { key, due_ms: at.timestamp_millis(), action },
                    InsertOpts::default().with_scheduled_at(self.real_time(at)),
                )
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

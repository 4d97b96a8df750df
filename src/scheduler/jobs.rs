//! The River jobs Deskmate queues, and the workers that hand them to whoever owns them
//! (a feature, through the [`Handler`]) and queue what comes back.

use std::sync::{Arc, OnceLock, Weak};

use chrono::{DateTime, Utc};
use deskmate_port::{ChannelRef, Platform};
use riverqueue::{Job, JobArgs, WorkContext, WorkOutcome, Worker};
use serde::{Deserialize, Serialize};

use tokio::sync::oneshot;

use super::{Handler, SchedulerError};
use crate::delivery::{Dispatcher, Origin, Planner};
use crate::kernel::clock::Clock;
use crate::kernel::{Outcome, ServiceError, report};
use crate::store::{Batches, Store, Tx, TxInner};

/// A one-shot timer, unique by its key.
#[derive(Debug, Clone, Serialize, Deserialize, JobArgs)]
#[river(kind = "deskmate.timer", max_attempts = 10, unique(by_args))]
pub(super) struct Timer {
    #[river(unique)]
    pub key: String,
    pub due_ms: i64,
    pub owner: String,
    pub kind: String,
    pub payload: serde_json::Value,
}

/// One run of a schedule, unique by schedule and time.
#[derive(Debug, Clone, Serialize, Deserialize, JobArgs)]
#[river(kind = "deskmate.schedule_run", max_attempts = 10, unique(by_args))]
pub(super) struct Run {
    #[river(unique)]
    pub schedule: String,
    #[river(unique)]
    pub at_ms: i64,
}

/// A timer that came due, as its owner set it.
#[derive(Debug, Clone)]
pub struct Fired {
    /// The feature that set it.
    pub owner: String,
    pub kind: String,
    /// The rest of its key: what it is about (`12:2` for approval 12, step 2).
    pub id: String,
    pub payload: serde_json::Value,
    pub due: DateTime<Utc>,
    /// It fired more than a minute after it was due (Deskmate was down).
    pub late: bool,
}

impl Fired {
    /// The payload as the owner's type.
    pub fn payload<T: serde::de::DeserializeOwned>(&self) -> Result<T, ServiceError> {
        serde_json::from_value(self.payload.clone())
            .map_err(|e| ServiceError::Failed(crate::kernel::Failure::new(false, e)))
    }
}

/// What a `[[schedules]]` entry gives its job, stored with the schedule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleArgs {
    /// Where the job posts, `platform:id`.
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub text: String,
}

/// One run of a schedule, for the feature that runs its job.
#[derive(Debug, Clone)]
pub struct ScheduledRun {
    pub schedule: String,
    pub job: String,
    /// Where the run posts, from the entry's `channel`.
    pub channel: Option<ChannelRef>,
    /// The entry's `text`, for jobs that post it.
    pub text: String,
    /// When the run was due, and the schedule's zone.
    pub at: DateTime<Utc>,
    pub tz: chrono_tz::Tz,
    /// It fired more than a minute after it was due (Deskmate was down).
    pub late: bool,
}

pub(super) struct JobContext {
    pub store: Store,
    pub planner: Planner,
    pub dispatcher: Arc<Dispatcher>,
    pub clock: Arc<dyn Clock>,
    pub handler: Arc<OnceLock<Weak<dyn Handler>>>,
    /// Timers that came due together, waiting to commit together.
    pub timers: Arc<Batches<Due>>,
}

/// The most timers one transaction carries (a digest for 10,000 people comes due at
/// once; SQLite's other writers wait for each batch).
pub(super) const TIMERS_AT_MOST: usize = 64;

/// A timer waiting for its turn in a batch, and whom to tell how it went.
pub(super) struct Due {
    fired: Fired,
    key: String,
    context: WorkContext,
    done: oneshot::Sender<Result<(), SchedulerError>>,
}

/// A run more than this late says so (it fired after downtime).
const LATE_AFTER: chrono::Duration = chrono::Duration::minutes(1);

impl JobContext {
    fn handler(&self) -> Result<Arc<dyn Handler>, SchedulerError> {
        self.handler.get().and_then(Weak::upgrade).ok_or(SchedulerError::NoHandler)
    }

    /// Runs `work` in a transaction, queues the effects it returns and completes the job,
    /// all in that transaction: the job's change, its messages and its completion commit
    /// together or not at all. A refusal (the timer found nothing to do) rolls its change
    /// back and completes the job alone.
    async fn finish<F>(&self, context: &WorkContext, origin_key: String, work: F) -> Result<WorkOutcome, SchedulerError>
    where
        F: for<'t> AsyncFnOnce(&'t mut Tx) -> Result<Outcome, ServiceError>,
    {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let effects = match work(&mut tx).await {
            Ok(effects) => effects,
            Err(ServiceError::User(why)) => {
                tracing::info!(job = %origin_key, why, "a job found nothing to do");
                tx.rollback().await?;
                tx = self.store.begin().await?;
                Vec::new()
            }
            Err(ServiceError::Duplicate) => {
                tx.rollback().await?;
                tx = self.store.begin().await?;
                Vec::new()
            }
            Err(e) => return Err(SchedulerError::Handler(e)),
        };
        let origin = Origin::unprompted(origin_key);
        let rows = self.planner.plan(&origin, &effects, now).await?;
        tx.enqueue(&rows, now).await?;
        match &mut tx.inner {
            TxInner::Sqlite(c) => context.job_complete_tx(c).await?,
            TxInner::Postgres(c) => context.job_complete_tx(c).await?,
        };
        tx.commit().await?;
        self.dispatcher.poke();
        Ok(WorkOutcome::Complete)
    }

    /// Fires a timer with the others due with it, in one transaction: each in its own
    /// step, its change, its messages and its job's completion together. A timer that
    /// fails is undone alone and retried by the job queue; a refusal (it found nothing to
    /// do) completes its job with nothing else. If its batch breaks off with a panic,
    /// it runs again alone, where a panic is its own.
    async fn fire(
        self: &Arc<Self>,
        context: WorkContext,
        key: String,
        fired: Fired,
    ) -> Result<WorkOutcome, SchedulerError> {
        let (done, result) = oneshot::channel();
        self.timers.push(Due { fired: fired.clone(), key: key.clone(), context: context.clone(), done });
        self.next_batches();
        match result.await {
            Ok(fate) => fate.map(|()| WorkOutcome::Complete),
            Err(_) => {
                let handler = self.handler()?;
                self.finish(&context, key, async |tx| handler.timer(tx, &fired).await).await
            }
        }
    }

    /// Starts a batch of waiting timers in every free writer's turn. A batch that breaks
    /// off with a panic drops its timers' senders, and they run again alone.
    fn next_batches(self: &Arc<Self>) {
        let me = self.clone();
        self.timers.start(Arc::new(move |dues| {
            let me = me.clone();
            Box::pin(async move { me.fire_batch(dues).await })
        }));
    }

    async fn fire_batch(&self, dues: Vec<Due>) {
        let fates = match self.apply_timers(&dues).await {
            Ok(fates) => fates,
            Err(broken) => {
                let why = report::chain(&broken);
                tracing::warn!(error = %why, timers = dues.len(), "a batch of timers was not applied; they will run again");
                dues.iter().map(|_| Err(SchedulerError::Batch(why.clone()))).collect()
            }
        };
        for (due, fate) in dues.into_iter().zip(fates) {
            let _ = due.done.send(fate);
        }
    }

    /// `Err` when the transaction itself broke (nothing of the batch was applied).
    async fn apply_timers(&self, dues: &[Due]) -> Result<Vec<Result<(), SchedulerError>>, SchedulerError> {
        let handler = self.handler()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if dues.len() == 1 {
            tx.alone();
        }
        let mut fates = Vec::with_capacity(dues.len());
        for due in dues {
            tx.step().await?;
            let effects = match handler.timer(&mut tx, &due.fired).await {
                Ok(effects) => effects,
                Err(refused @ (ServiceError::User(_) | ServiceError::Duplicate)) => {
                    if let ServiceError::User(why) = refused {
                        tracing::info!(job = %due.key, why, "a job found nothing to do");
                    }
                    tx.undo_step().await?;
                    tx.step().await?;
                    Vec::new()
                }
                Err(e) => {
                    tx.undo_step().await?;
                    fates.push(Err(SchedulerError::Handler(e)));
                    continue;
                }
            };
            let rows = self.planner.plan(&Origin::unprompted(due.key.clone()), &effects, now).await?;
            tx.enqueue(&rows, now).await?;
            let completed = match &mut tx.inner {
                TxInner::Sqlite(c) => due.context.job_complete_tx(c).await,
                TxInner::Postgres(c) => due.context.job_complete_tx(c).await,
            };
            if let Err(e) = completed {
                tx.undo_step().await?;
                fates.push(Err(e.into()));
                continue;
            }
            tx.keep_step().await?;
            fates.push(Ok(()));
        }
        tx.commit().await?;
        self.dispatcher.poke();
        Ok(fates)
    }

    fn is_late(&self, due: DateTime<Utc>) -> bool {
        let now = self.clock.now();
        crate::metrics::global().job_lag.observe(((now - due).num_milliseconds().max(0) as f64) / 1000.0);
        now - due > LATE_AFTER
    }
}

/// `platform:id` as a group channel.
pub fn channel(address: &str) -> Option<ChannelRef> {
    let (platform, id) = address.split_once(':')?;
    Some(ChannelRef::group(platform.parse::<Platform>().ok()?, id))
}

pub(super) struct TimerWorker(pub Arc<JobContext>);

impl Worker<Timer> for TimerWorker {
    type Error = SchedulerError;

    async fn work(&self, context: WorkContext, job: Job<Timer>) -> Result<WorkOutcome, Self::Error> {
        let timer = job.args;
        let due = crate::store::from_ms(timer.due_ms);
        let late = self.0.is_late(due);
        if late {
            tracing::info!(key = %timer.key, due = %due, "timer fired late");
        }
        let prefix = format!("{}:{}:", timer.owner, timer.kind);
        let fired = Fired {
            id: timer.key.strip_prefix(&prefix).unwrap_or(&timer.key).to_owned(),
            owner: timer.owner,
            kind: timer.kind,
            payload: timer.payload,
            due,
            late,
        };
        self.0.fire(context, format!("timer:{}", timer.key), fired).await
    }
}

pub(super) struct RunWorker(pub Arc<JobContext>);

impl Worker<Run> for RunWorker {
    type Error = SchedulerError;

    async fn work(&self, context: WorkContext, job: Job<Run>) -> Result<WorkOutcome, Self::Error> {
        let run = job.args;
        let at = crate::store::from_ms(run.at_ms);
        let origin = format!("schedule:{}:{}", run.schedule, run.at_ms);
        let schedule = self.0.store.schedules().await?.into_iter().find(|s| s.name == run.schedule);
        let Some(schedule) = schedule else {
            // Removed from the config since this run was queued.
            return self.0.finish(&context, origin, async |_| Ok(Vec::new())).await;
        };
        let args = serde_json::from_str::<ScheduleArgs>(&schedule.args).unwrap_or_else(|e| {
            tracing::error!(schedule = %schedule.name, error = %e, "unreadable schedule arguments");
            ScheduleArgs::default()
        });
        let scheduled = ScheduledRun {
            schedule: schedule.name.clone(),
            job: schedule.job.clone(),
            channel: channel(&args.channel),
            text: args.text,
            at,
            tz: schedule.timezone.parse().unwrap_or(chrono_tz::UTC),
            late: self.0.is_late(at),
        };
        // A scheduled job changes nothing of its own: it runs before the transaction, so
        // SQLite's write lock is not held while it reads.
        let effects = self.0.handler()?.scheduled(&scheduled).await;
        self.0.finish(&context, origin, async |_| effects).await
    }
}

//! The River jobs Deskmate queues, and the workers that turn them into messages.

use std::sync::Arc;

use deskmate_port::{Body, ChannelRef, Platform};
use riverqueue::{Job, JobArgs, WorkContext, WorkOutcome, Worker};
use serde::{Deserialize, Serialize};

use super::SchedulerError;
use crate::delivery::{Dispatcher, Origin, Planner};
use crate::domain::{PersonId, TicketStatus};
use crate::kernel::Effect;
use crate::kernel::clock::Clock;
use crate::replies;
use crate::store::{Store, TicketFilter, TxInner};

/// What a one-shot timer does when it fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum TimerAction {
    /// A direct message to a person.
    Remind { person: i64, text: String },
    /// A message in a channel, `platform:id`.
    Post { channel: String, text: String },
}

/// What a recurring schedule does on each run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "job", rename_all = "kebab-case")]
pub enum ScheduledJob {
    /// The open and claimed tickets, posted to a channel.
    TicketDigest { channel: String },
    /// A fixed message posted to a channel.
    Announce { channel: String, text: String },
}

/// A one-shot timer, unique by its key.
#[derive(Debug, Clone, Serialize, Deserialize, JobArgs)]
#[river(kind = "deskmate.timer", max_attempts = 10, unique(by_args))]
pub(super) struct Timer {
    #[river(unique)]
    pub key: String,
    pub due_ms: i64,
    pub action: TimerAction,
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

pub(super) struct JobContext {
    pub store: Store,
    pub planner: Planner,
    pub dispatcher: Arc<Dispatcher>,
    pub clock: Arc<dyn Clock>,
}

/// A run more than this late says so (it fired after downtime).
const LATE_AFTER: chrono::Duration = chrono::Duration::minutes(1);

impl JobContext {
    /// Queues the effects and completes the job in one transaction.
    async fn finish(
        &self,
        work: &WorkContext,
        origin_key: String,
        effects: Vec<Effect>,
    ) -> Result<WorkOutcome, SchedulerError> {
        let now = self.clock.now();
        let origin = Origin { key: origin_key, reply_to: None };
        let rows = self.planner.plan(&origin, &effects, now).await?;
        let mut tx = self.store.begin().await?;
        tx.enqueue(&rows, now).await?;
        match &mut tx.inner {
            TxInner::Sqlite(c) => work.job_complete_tx(c).await?,
            TxInner::Postgres(c) => work.job_complete_tx(c).await?,
        };
        tx.commit().await?;
        self.dispatcher.poke();
        Ok(WorkOutcome::Complete)
    }

    fn late_note(&self, due: chrono::DateTime<chrono::Utc>) -> Option<String> {
        let now = self.clock.now();
        crate::metrics::global().job_lag.observe(((now - due).num_milliseconds().max(0) as f64) / 1000.0);
        (now - due > LATE_AFTER).then(|| replies::late(due))
    }
}

fn channel(address: &str) -> Option<ChannelRef> {
    let (platform, id) = address.split_once(':')?;
    Some(ChannelRef::group(platform.parse::<Platform>().ok()?, id))
}

pub(super) struct TimerWorker(pub Arc<JobContext>);

impl Worker<Timer> for TimerWorker {
    type Error = SchedulerError;

    async fn work(&self, work: WorkContext, job: Job<Timer>) -> Result<WorkOutcome, Self::Error> {
        let timer = job.args;
        let due = crate::store::from_ms(timer.due_ms);
        let late = self.0.late_note(due);
        if late.is_some() {
            tracing::info!(key = %timer.key, due = %due, "timer fired late");
        }
        let effects = match &timer.action {
            TimerAction::Remind { person, text } => {
                vec![Effect::Direct {
                    person: PersonId(*person),
                    body: Body::text(replies::reminder(text, late.as_deref())),
                }]
            }
            TimerAction::Post { channel: address, text } => match channel(address) {
                Some(channel) => {
                    vec![Effect::PostTo { channel, body: Body::text(replies::with_late(text, late.as_deref())) }]
                }
                None => {
                    tracing::warn!(address, "timer for an unknown channel");
                    Vec::new()
                }
            },
        };
        self.0.finish(&work, format!("timer:{}", timer.key), effects).await
    }
}

pub(super) struct RunWorker(pub Arc<JobContext>);

impl Worker<Run> for RunWorker {
    type Error = SchedulerError;

    async fn work(&self, work: WorkContext, job: Job<Run>) -> Result<WorkOutcome, Self::Error> {
        let run = job.args;
        let at = crate::store::from_ms(run.at_ms);
        let schedule = self.0.store.schedules().await?.into_iter().find(|s| s.name == run.schedule);
        let Some(schedule) = schedule else {
            // Removed from the config since this run was queued.
            return self.0.finish(&work, format!("schedule:{}:{}", run.schedule, run.at_ms), Vec::new()).await;
        };
        let late = self.0.late_note(at);
        let tz = schedule.timezone.parse().unwrap_or(chrono_tz::UTC);
        let effects = match serde_json::from_str::<ScheduledJob>(&schedule.args) {
            Ok(ScheduledJob::Announce { channel: address, text }) => channel(&address)
                .map(|channel| Effect::PostTo { channel, body: Body::text(replies::with_late(&text, late.as_deref())) })
                .into_iter()
                .collect(),
            Ok(ScheduledJob::TicketDigest { channel: address }) => {
                let tickets = self
                    .0
                    .store
                    .tickets(TicketFilter { statuses: Some(TicketStatus::ACTIVE), involving: None, limit: 50 })
                    .await?;
                let text = replies::ticket_digest(&tickets, at, tz);
                channel(&address)
                    .map(|channel| Effect::PostTo {
                        channel,
                        body: Body::text(replies::with_late(&text, late.as_deref())),
                    })
                    .into_iter()
                    .collect()
            }
            Err(e) => {
                tracing::error!(schedule = %schedule.name, error = %e, "unreadable schedule arguments");
                Vec::new()
            }
        };
        self.0.finish(&work, format!("schedule:{}:{}", run.schedule, run.at_ms), effects).await
    }
}

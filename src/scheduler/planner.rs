//! Turns due schedule runs into jobs, exactly once across instances.

use chrono::{DateTime, Utc};

use super::calendar::{Calendar, CatchUp, plan};
use super::jobs::ScheduleArgs;
use super::{Scheduler, SchedulerError};
use crate::store::{ScheduleRow, Store};

/// A schedule as the config declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleSpec {
    pub name: String,
    pub cron: String,
    pub timezone: String,
    pub catch_up: CatchUp,
    /// Which job runs, as a feature declares it (`ticket-digest`).
    pub job: String,
    pub args: ScheduleArgs,
}

fn catch_up_name(c: CatchUp) -> &'static str {
    match c {
        CatchUp::Skip => "skip",
        CatchUp::Latest => "latest",
        CatchUp::All => "all",
    }
}

fn catch_up_from(name: &str) -> CatchUp {
    match name {
        "skip" => CatchUp::Skip,
        "all" => CatchUp::All,
        _ => CatchUp::Latest,
    }
}

/// Makes the stored schedules match the config.
pub async fn sync_from_config(store: &Store, specs: &[ScheduleSpec], now: DateTime<Utc>) -> Result<(), SchedulerError> {
    let mut wanted = Vec::new();
    for spec in specs {
        let calendar = Calendar::new(&spec.cron, &spec.timezone)
            .map_err(|e| crate::store::StoreError::Corrupt(format!("schedule {}: {e}", spec.name)))?;
        let args = serde_json::to_string(&spec.args)?;
        let row = ScheduleRow {
            name: spec.name.clone(),
            cron: spec.cron.clone(),
            timezone: spec.timezone.clone(),
            job: spec.job.clone(),
            args,
            catch_up: catch_up_name(spec.catch_up).to_owned(),
            next_run_at: None,
            last_run_at: None,
        };
        wanted.push((row, calendar.next_after(now)));
    }
    let mut tx = store.begin().await?;
    tx.sync_schedules(&wanted, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Queues the runs that are due by `now` and moves each schedule on, in one
/// transaction per pass. Returns how many runs were queued.
pub async fn plan_due(store: &Store, scheduler: &Scheduler, now: DateTime<Utc>) -> Result<usize, SchedulerError> {
    let mut tx = store.begin().await?;
    let due = tx.due_schedules(now).await?;
    let mut queued = 0;
    for schedule in due {
        let Some(next_due) = schedule.next_run_at else { continue };
        let calendar = match Calendar::new(&schedule.cron, &schedule.timezone) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(schedule = %schedule.name, error = %e, "unreadable schedule");
                continue;
            }
        };
        let (runs, next) = plan(&calendar, next_due, now, catch_up_from(&schedule.catch_up));
        let skipped = runs.is_empty();
        scheduler.add_runs(&mut tx, &schedule.name, &runs).await?;
        tx.schedule_advanced(&schedule.name, runs.last().copied(), next, now).await?;
        if skipped {
            tracing::info!(schedule = %schedule.name, "missed runs skipped by policy");
        }
        queued += runs.len();
    }
    tx.commit().await?;
    Ok(queued)
}

//! Recurring schedules: what the config declares, and when each runs next.

use chrono::{DateTime, Utc};

use super::{Db, Result, Store, Tx, TxInner, from_ms, ms, with_db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    pub name: String,
    pub cron: String,
    pub timezone: String,
    pub job: String,
    /// JSON arguments of the job (channel, text, …).
    pub args: String,
    pub catch_up: String,
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct Row {
    name: String,
    cron: String,
    timezone: String,
    job: String,
    args: String,
    catch_up: String,
    next_run_at: Option<i64>,
    last_run_at: Option<i64>,
}

impl From<Row> for ScheduleRow {
    fn from(r: Row) -> Self {
        ScheduleRow {
            name: r.name,
            cron: r.cron,
            timezone: r.timezone,
            job: r.job,
            args: r.args,
            catch_up: r.catch_up,
            next_run_at: r.next_run_at.map(from_ms),
            last_run_at: r.last_run_at.map(from_ms),
        }
    }
}

const COLUMNS: &str = "name, cron, timezone, job, args, catch_up, next_run_at, last_run_at";

impl Store {
    /// Moves every job still waiting in the job queue `by` earlier, as if that much time
    /// had passed: how a test's controllable clock makes timers due. River stores
    /// SQLite times as `YYYY-MM-DD HH:MM:SS.SSS` text, which `strftime('%f')` keeps.
    pub async fn shift_job_queue(&self, by: chrono::Duration) -> Result<u64> {
        let seconds = by.num_milliseconds() as f64 / 1000.0;
        let done = match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query(
                    "UPDATE river_job SET scheduled_at = strftime('%Y-%m-%d %H:%M:%f', scheduled_at, printf('%+.3f seconds', -$1)) \
                     WHERE state IN ('scheduled', 'retryable', 'available')",
                )
                .bind(seconds)
                .execute(pool)
                .await?
                .rows_affected()
            }
            Db::Postgres(pool) => {
                sqlx::query(
                    "UPDATE river_job SET scheduled_at = scheduled_at - make_interval(secs => $1) \
                     WHERE state IN ('scheduled', 'retryable', 'available')",
                )
                .bind(seconds)
                .execute(pool)
                .await?
                .rows_affected()
            }
        };
        Ok(done)
    }

    pub async fn schedules(&self) -> Result<Vec<ScheduleRow>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM schedules ORDER BY name")))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

impl Tx {
    /// Removes the job of `kind` whose `key` argument is `key` if it is still waiting (not
    /// running, not finished). Returns how many were removed.
    pub async fn drop_waiting_job(&mut self, kind: &str, key: &str) -> Result<u64> {
        const WAITING: &str = "state IN ('scheduled', 'available', 'retryable', 'pending')";
        let done = match &mut self.inner {
            TxInner::Sqlite(tx) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM river_job WHERE kind = $1 AND json_extract(args, '$.key') = $2 AND {WAITING}"
            )))
            .bind(kind)
            .bind(key)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
            TxInner::Postgres(tx) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM river_job WHERE kind = $1 AND args->>'key' = $2 AND {WAITING}"
            )))
            .bind(kind)
            .bind(key)
            .execute(&mut **tx)
            .await?
            .rows_affected(),
        };
        Ok(done)
    }

    /// Schedules due by `now`, locked for this transaction: on PostgreSQL other
    /// instances skip them; on SQLite the write lock already serialises planners.
    pub async fn due_schedules(&mut self, now: DateTime<Utc>) -> Result<Vec<ScheduleRow>> {
        let rows: Vec<Row> = match &mut self.inner {
            TxInner::Sqlite(c) => {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM schedules WHERE next_run_at <= $1 ORDER BY next_run_at"
                )))
                .bind(ms(now))
                .fetch_all(&mut **c)
                .await?
            }
            TxInner::Postgres(c) => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM schedules WHERE next_run_at <= $1 ORDER BY next_run_at FOR UPDATE SKIP LOCKED"
            )))
            .bind(ms(now))
            .fetch_all(&mut **c)
            .await?,
        };
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Moves a schedule on after its due runs were queued.
    pub async fn schedule_advanced(
        &mut self,
        name: &str,
        last_run: Option<DateTime<Utc>>,
        next_run: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        super::with_tx!(self, |c| {
            sqlx::query(
                "UPDATE schedules SET next_run_at = $1, last_run_at = COALESCE($2, last_run_at), updated_at = $3 WHERE name = $4",
            )
            .bind(next_run.map(ms))
            .bind(last_run.map(ms))
            .bind(ms(now))
            .bind(name)
            .execute(&mut **c)
            .await?;
        });
        Ok(())
    }

    /// Makes the table match the config: new schedules start from their next run after
    /// `now`, changed ones are re-planned, removed ones are dropped. Unchanged ones keep
    /// their next run, so runs missed while down are caught up by policy.
    pub async fn sync_schedules(
        &mut self,
        wanted: &[(ScheduleRow, Option<DateTime<Utc>>)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let existing: Vec<Row> = super::with_tx!(self, |c| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM schedules"))).fetch_all(&mut **c).await?
        });
        for (row, next) in wanted {
            let same = existing.iter().find(|e| e.name == row.name);
            let unchanged = same.is_some_and(|e| {
                e.cron == row.cron && e.timezone == row.timezone && e.job == row.job && e.args == row.args
            });
            if unchanged {
                super::with_tx!(self, |c| {
                    sqlx::query("UPDATE schedules SET catch_up = $1 WHERE name = $2")
                        .bind(&row.catch_up)
                        .bind(&row.name)
                        .execute(&mut **c)
                        .await?;
                });
                continue;
            }
            super::with_tx!(self, |c| {
                sqlx::query(
                    "INSERT INTO schedules (name, cron, timezone, job, args, catch_up, next_run_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, job = excluded.job, \
                     args = excluded.args, catch_up = excluded.catch_up, next_run_at = excluded.next_run_at, updated_at = excluded.updated_at",
                )
                .bind(&row.name)
                .bind(&row.cron)
                .bind(&row.timezone)
                .bind(&row.job)
                .bind(&row.args)
                .bind(&row.catch_up)
                .bind(next.map(ms))
                .bind(ms(now))
                .execute(&mut **c)
                .await?;
            });
        }
        for gone in existing.iter().filter(|e| !wanted.iter().any(|(w, _)| w.name == e.name)) {
            super::with_tx!(self, |c| {
                sqlx::query("DELETE FROM schedules WHERE name = $1").bind(&gone.name).execute(&mut **c).await?;
            });
        }
        Ok(())
    }
}

//! Deletes expired finalized jobs, idle queues, and (on SQLite) delivered
//! notifications, ports of Go's `JobCleaner`, `QueueCleaner`, and
//! `SQLiteNotificationCleaner`.

use std::time::Duration;

use jiff::Timestamp;
#[cfg(feature = "postgres")]
use sqlx::AssertSqlSafe;

use crate::__private::{
    DatabaseConnection, FinalizedJobDeleteParams, JobDeleteBeforeContext, JobDeleteBeforeNext,
    PilotError,
};
use crate::Error;
use crate::client::ClientInner;
use crate::database::DatabasePool;
#[cfg(feature = "sqlite")]
use crate::database::sqlite;
use crate::pilot::job_delete_error;

use super::{
    MaintenanceError, TIMEOUT_DEFAULT, batch_backoff, batch_size, maintainer::ServiceContext,
    record_batch,
};

/// Interval of the SQLite notification cleaner.
#[cfg(feature = "sqlite")]
pub(super) const NOTIFICATION_CLEANER_INTERVAL: Duration = Duration::from_mins(1);

/// Age after which SQLite notification outbox rows are deleted.
#[cfg(feature = "sqlite")]
const NOTIFICATION_RETENTION: Duration = Duration::from_mins(5);

fn horizon(now: Timestamp, retention: Option<Duration>) -> Result<Option<Timestamp>, Error> {
    retention
        .map(|retention| {
            jiff::SignedDuration::try_from(retention)
                .map(|retention| now.checked_sub(retention).unwrap_or(Timestamp::MIN))
                .map_err(|error| Error::configuration_context("maintenance", error.to_string()))
        })
        .transpose()
}

/// Deletes cancelled, completed, and discarded jobs past their retention in
/// batches. Queues named by an extension's `job_cleaner_queue_exclusions`
/// are skipped; the exclusion list is read on every pass.
pub(super) async fn clean_jobs(context: &ServiceContext) -> Result<(), MaintenanceError> {
    let maintenance = &context.inner.maintenance;
    // Like Go, skip the query entirely when every retention is indefinite.
    if maintenance.cancelled_job_retention.is_none()
        && maintenance.completed_job_retention.is_none()
        && maintenance.discarded_job_retention.is_none()
    {
        return Ok(());
    }
    let queues_excluded = context.inner.pilot.job_cleaner_queue_exclusions();
    loop {
        let now = Timestamp::now();
        let limit = batch_size(&context.breakers.job_cleaner);
        let mut params = FinalizedJobDeleteParams::new(limit);
        params.cancelled_before = horizon(now, maintenance.cancelled_job_retention)?;
        params.completed_before = horizon(now, maintenance.completed_job_retention)?;
        params.discarded_before = horizon(now, maintenance.discarded_job_retention)?;
        params.queues_excluded.clone_from(&queues_excluded);
        let result = clean_jobs_batch(context, &params).await;
        record_batch(&context.breakers.job_cleaner, &result);
        if i64::try_from(result?).unwrap_or(i64::MAX) < limit {
            return Ok(());
        }
        batch_backoff(&context.cancel).await?;
    }
}

async fn clean_jobs_batch(
    context: &ServiceContext,
    params: &FinalizedJobDeleteParams,
) -> Result<u64, MaintenanceError> {
    let timeout = context.inner.maintenance.job_cleaner_timeout;
    match context.inner.database.pool() {
        #[cfg(feature = "sqlite")]
        DatabasePool::Sqlite(pool) => {
            let operation = async {
                let mut transaction = crate::database::begin_sqlite_write(pool).await?;
                let count = job_delete_before(
                    &context.inner,
                    DatabaseConnection::Sqlite(&mut transaction),
                    params,
                )
                .await?;
                transaction.commit().await?;
                Ok::<_, MaintenanceError>(count)
            };
            super::sqlite_cancellable(&context.cancel, timeout, operation).await
        }
        #[cfg(feature = "postgres")]
        DatabasePool::Postgres(pool) => {
            use super::postgres::{MaintenanceTransaction, cancellable};

            let mut transaction =
                MaintenanceTransaction::begin(pool, &context.cancel, timeout).await?;
            let backend_pid = transaction.backend_pid;
            let count = cancellable(
                pool,
                backend_pid,
                &context.cancel,
                timeout,
                job_delete_before(
                    &context.inner,
                    DatabaseConnection::Postgres(&mut transaction.transaction),
                    params,
                ),
            )
            .await?;
            transaction.commit(pool, &context.cancel).await?;
            Ok(count)
        }
    }
}

/// Deletes one batch through the extension's deletion step.
async fn job_delete_before(
    inner: &ClientInner,
    connection: DatabaseConnection<'_>,
    params: &FinalizedJobDeleteParams,
) -> Result<u64, MaintenanceError> {
    let context = JobDeleteBeforeContext {
        database: inner.pilot_database_config(),
        params,
    };
    inner
        .pilot
        .job_delete_before(
            connection,
            &context,
            JobDeleteBeforeNext::new(inner, params),
        )
        .await
        .map_err(job_delete_before_error)
}

/// Converts an error from the extension's deletion step, keeping a database
/// error's meaning so a statement timeout still counts toward the reduced
/// batch size.
fn job_delete_before_error(error: PilotError) -> MaintenanceError {
    let error = match error.downcast::<sqlx::Error>() {
        Ok(error) => return MaintenanceError::from(*error),
        Err(error) => error,
    };
    match job_delete_error("job cleaner", error) {
        Error::Database(error) => MaintenanceError::from(error),
        error => MaintenanceError::Failed(error),
    }
}

/// The job cleaner's standard deletion of one batch, which an extension's
/// deletion step runs through [`JobDeleteBeforeNext`].
pub(crate) async fn standard_job_delete_before(
    #[cfg_attr(not(feature = "postgres"), expect(unused_variables))] inner: &ClientInner,
    connection: DatabaseConnection<'_>,
    params: &FinalizedJobDeleteParams,
) -> Result<u64, Error> {
    match connection {
        #[cfg(feature = "postgres")]
        DatabaseConnection::Postgres(connection) => {
            Ok(postgres_delete_finalized_jobs(connection, &inner.schema, params).await?)
        }
        #[cfg(feature = "sqlite")]
        DatabaseConnection::Sqlite(connection) => sqlite_delete_finalized_jobs(connection, params)
            .await
            .map_err(|error| Error::Database(error.into())),
    }
}

/// Runs the job cleaner's deletion on Postgres.
#[cfg(feature = "postgres")]
pub(crate) async fn postgres_delete_finalized_jobs(
    connection: &mut sqlx::PgConnection,
    schema: &crate::database::SchemaName,
    params: &FinalizedJobDeleteParams,
) -> Result<u64, sqlx::Error> {
    if params.limit <= 0
        || (params.cancelled_before.is_none()
            && params.completed_before.is_none()
            && params.discarded_before.is_none())
    {
        return Ok(0);
    }
    let table = schema.qualify("river_job");
    let now = Timestamp::now();
    let result = sqlx::query(AssertSqlSafe(format!(
        "DELETE FROM {table} WHERE id IN (\
            SELECT id FROM {table} WHERE (\
                (state = 'cancelled' AND $1 AND finalized_at < $2) OR \
                (state = 'completed' AND $3 AND finalized_at < $4) OR \
                (state = 'discarded' AND $5 AND finalized_at < $6)\
            ) AND NOT (queue = ANY($7::text[])) \
              AND ($8::text[] IS NULL OR queue = ANY($8::text[])) \
            ORDER BY id LIMIT $9\
         )"
    )))
    .bind(params.cancelled_before.is_some())
    .bind(jiff_sqlx::Timestamp::from(
        params.cancelled_before.unwrap_or(now),
    ))
    .bind(params.completed_before.is_some())
    .bind(jiff_sqlx::Timestamp::from(
        params.completed_before.unwrap_or(now),
    ))
    .bind(params.discarded_before.is_some())
    .bind(jiff_sqlx::Timestamp::from(
        params.discarded_before.unwrap_or(now),
    ))
    .bind(&params.queues_excluded)
    .bind(params.queues_included.as_deref())
    .bind(params.limit)
    .execute(connection)
    .await?;
    Ok(result.rows_affected())
}

/// Runs the job cleaner's deletion on SQLite.
#[cfg(feature = "sqlite")]
pub(crate) async fn sqlite_delete_finalized_jobs(
    connection: &mut sqlx::SqliteConnection,
    params: &FinalizedJobDeleteParams,
) -> Result<u64, sqlite::BackendError> {
    let queues_excluded = params
        .queues_excluded
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>();
    let queues_included = params
        .queues_included
        .as_ref()
        .map(|queues| queues.iter().map(String::as_str).collect::<Vec<_>>());
    sqlite::cleanup_jobs(
        connection,
        &sqlite::CleanupJobs {
            cancelled_before: params.cancelled_before,
            completed_before: params.completed_before,
            discarded_before: params.discarded_before,
            limit: i32::try_from(params.limit).unwrap_or(i32::MAX),
            queues_excluded: &queues_excluded,
            queues_included: queues_included.as_deref(),
        },
    )
    .await
}

/// Deletes queue records that no client has touched within the retention.
/// Active producers refresh `updated_at`, so their queues survive.
pub(super) async fn clean_queues(context: &ServiceContext) -> Result<(), MaintenanceError> {
    loop {
        let updated_before = horizon(
            Timestamp::now(),
            Some(context.inner.maintenance.queue_retention),
        )?
        .expect("queue retention is set");
        let limit = batch_size(&context.breakers.queue_cleaner);
        let result = clean_queues_batch(context, updated_before, limit).await;
        record_batch(&context.breakers.queue_cleaner, &result);
        if i64::try_from(result?).unwrap_or(i64::MAX) < limit {
            return Ok(());
        }
        batch_backoff(&context.cancel).await?;
    }
}

async fn clean_queues_batch(
    context: &ServiceContext,
    updated_before: Timestamp,
    limit: i64,
) -> Result<usize, MaintenanceError> {
    match context.inner.database.pool() {
        #[cfg(feature = "sqlite")]
        DatabasePool::Sqlite(pool) => {
            let operation = async {
                let mut transaction = crate::database::begin_sqlite_write(pool).await?;
                let deleted = sqlite::queue_delete_expired(
                    &mut transaction,
                    updated_before,
                    i32::try_from(limit).unwrap_or(i32::MAX),
                )
                .await?;
                transaction.commit().await?;
                Ok::<_, MaintenanceError>(deleted.len())
            };
            super::sqlite_cancellable(&context.cancel, TIMEOUT_DEFAULT, operation).await
        }
        #[cfg(feature = "postgres")]
        DatabasePool::Postgres(pool) => {
            use super::postgres::{MaintenanceTransaction, cancellable};

            let table = context.inner.schema.qualify("river_queue");
            let mut transaction =
                MaintenanceTransaction::begin(pool, &context.cancel, TIMEOUT_DEFAULT).await?;
            let backend_pid = transaction.backend_pid;
            let deleted = cancellable(
                pool,
                backend_pid,
                &context.cancel,
                TIMEOUT_DEFAULT,
                sqlx::query_scalar::<_, String>(AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE name IN (\
                        SELECT name FROM {table} WHERE updated_at < $1 ORDER BY name LIMIT $2\
                     ) RETURNING name"
                )))
                .bind(jiff_sqlx::Timestamp::from(updated_before))
                .bind(limit)
                .fetch_all(&mut *transaction.transaction),
            )
            .await?;
            transaction.commit(pool, &context.cancel).await?;
            Ok(deleted.len())
        }
    }
}

/// Deletes SQLite notification outbox rows old enough that every poller has
/// consumed them, oldest first, in batches like River Go's
/// `SQLiteNotificationCleaner`.
///
/// Each batch commits on its own, and a pause between batches yields SQLite's
/// write lock to job inserts and updates. The horizon is fixed for the pass
/// so rows expiring meanwhile don't extend it. Repeated timeouts switch to
/// the reduced batch size.
#[cfg(feature = "sqlite")]
pub(super) async fn clean_notifications(
    context: &ServiceContext,
    pool: &sqlx::SqlitePool,
) -> Result<u64, MaintenanceError> {
    let retention = jiff::SignedDuration::try_from(NOTIFICATION_RETENTION)
        .map_err(|error| Error::configuration_context("maintenance", error.to_string()))?;
    let created_before = Timestamp::now() - retention;
    let mut deleted = 0;
    loop {
        let limit = batch_size(&context.breakers.notification_cleaner);
        let operation = async {
            let mut connection = pool.acquire().await?;
            Ok::<_, MaintenanceError>(
                sqlite::notification_cleanup(&mut connection, created_before, limit).await?,
            )
        };
        let result = super::sqlite_cancellable(&context.cancel, TIMEOUT_DEFAULT, operation).await;
        record_batch(&context.breakers.notification_cleaner, &result);
        let count = result?;
        deleted += count;
        if count < u64::try_from(limit).unwrap_or(u64::MAX) {
            return Ok(deleted);
        }
        batch_backoff(&context.cancel).await?;
    }
}

#[cfg(test)]
mod unit_tests {
    use super::{Duration, Timestamp, horizon};

    #[test]
    fn retention_horizon_saturates_at_timestamp_min() {
        let now = "2026-01-02T03:04:05Z".parse().unwrap();
        assert_eq!(horizon(now, None).unwrap(), None);
        assert_eq!(horizon(now, Some(Duration::ZERO)).unwrap(), Some(now));
        // This retention fits Chrono's range but exceeds Jiff's.
        let retention = Duration::from_hours(20_000 * 365 * 24);
        assert_eq!(horizon(now, Some(retention)).unwrap(), Some(Timestamp::MIN));
    }
}

#[cfg(all(test, feature = "sqlite"))]
mod sqlite_tests {
    use std::sync::Arc;

    use jiff::Timestamp;
    use riverqueue_migrate::SqliteMigrator;
    use sqlx::sqlite::SqlitePoolOptions;
    use tokio_util::sync::CancellationToken;

    use super::{super::BatchSizes, super::Breakers, clean_notifications};
    use crate::{Client, database::sqlite::sqlite_time, maintenance::maintainer::ServiceContext};

    #[tokio::test]
    async fn notification_cleaner_deletes_expired_rows_in_batches() {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        SqliteMigrator::new(pool.clone())
            .migrate_up()
            .await
            .unwrap();
        let expired = sqlite_time(Timestamp::now() - jiff::SignedDuration::from_hours(2));
        for _ in 0..5 {
            sqlx::query(
                "INSERT INTO river_notification (created_at, payload, topic) \
                 VALUES (?, 'expired', 'topic')",
            )
            .bind(&expired)
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::query("INSERT INTO river_notification (payload, topic) VALUES ('recent', 'topic')")
            .execute(&pool)
            .await
            .unwrap();
        let client = Client::builder(pool.clone()).build().unwrap();
        let context = ServiceContext {
            // Two full batches followed by a partial one.
            breakers: Arc::new(Breakers::new(BatchSizes {
                default: 2,
                reduced: 1,
            })),
            cancel: CancellationToken::new(),
            inner: Arc::clone(&client.inner),
        };

        assert_eq!(clean_notifications(&context, &pool).await.unwrap(), 5);
        let remaining: Vec<String> = sqlx::query_scalar("SELECT payload FROM river_notification")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert_eq!(remaining, ["recent"]);
    }
}

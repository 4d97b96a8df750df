//! Job insertion.
//!
//! Every insertion, whether a single typed job, a homogeneous or
//! heterogeneous batch, a periodic job, or an extension's raw insert, runs
//! through one pipeline that mirrors River Go's `insertManyShared`:
//!
//! 1. Options are resolved and validated, and the unique key and initial
//!    state are computed from the original arguments.
//! 2. Insertion middleware wraps the rest of the operation.
//! 3. Inside the middleware, begin hooks and any extension interception run
//!    for each job, the jobs are written, and one insert notification is sent
//!    per queue that gained available jobs.
//! 4. Decode hooks run on returned rows.

#[cfg(feature = "postgres")]
use std::borrow::Cow;
use std::{
    fmt,
    future::{Future, IntoFuture},
    pin::Pin,
};

use jiff::Timestamp;
#[cfg(feature = "postgres")]
use serde_json::Value;
use serde_json::value::RawValue;
#[cfg(feature = "postgres")]
use sqlx::AssertSqlSafe;
#[cfg(feature = "postgres")]
use sqlx::types::Json;

use crate::__private::{
    DatabaseConnection as PilotDatabaseConnection, JobInsertParams as PilotJobInsertParams,
};
use crate::client::RuntimeNotification;
use crate::client::request::Target;
#[cfg(feature = "sqlite")]
use crate::client::sqlite_backend_error;
use crate::client::validate::validate_insert_parts;
#[cfg(feature = "postgres")]
use crate::client::{JobRecord, job_projection};
#[cfg(feature = "postgres")]
use crate::database::postgres_capabilities::UniqueInsertMode;
use crate::database::{DatabasePool, DatabaseTransactionExecutor};
use crate::extension::{InsertEndpoint, InsertNext, InsertedJob};
use crate::periodic::PeriodicInsert;
use crate::unique::build_unique_key_parts;
use crate::{
    Client, Error, InsertBatch, InsertBatchResult, InsertContext, InsertOpts, InsertParams,
    InsertResult, Job, JobArgs, JobRow, JobState,
};
#[cfg(feature = "postgres")]
use crate::{JobMetadata, METADATA_KEY_UNIQUE_NONCE};

/// One job of a homogeneous [`Client::insert_many`] batch: arguments plus
/// options that override the job type's defaults.
///
/// Batches accept bare arguments or `(args, opts)` tuples, both of which
/// convert into this type.
#[derive(Debug)]
pub struct InsertManyItem<A> {
    args: A,
    opts: InsertOpts,
}

impl<A> InsertManyItem<A> {
    /// Pairs job arguments with insertion options.
    pub const fn new(args: A, opts: InsertOpts) -> Self {
        Self { args, opts }
    }
}

impl<A: JobArgs> From<A> for InsertManyItem<A> {
    fn from(args: A) -> Self {
        Self::new(args, InsertOpts::default())
    }
}

impl<A: JobArgs> From<(A, InsertOpts)> for InsertManyItem<A> {
    fn from((args, opts): (A, InsertOpts)) -> Self {
        Self::new(args, opts)
    }
}

/// A single-job insertion, returned by [`Client::insert`]. Await it to insert
/// the job.
///
/// The job type's defaults, the client's defaults, and River's defaults apply
/// unless overridden with [`opts`](Self::opts).
#[must_use = "insert requests do nothing unless awaited"]
pub struct InsertRequest<'a, A> {
    args: A,
    client: &'a Client,
    opts: InsertOpts,
    target: Target<'a>,
}

impl<'a, A: JobArgs> InsertRequest<'a, A> {
    /// Overrides options for this job. Options not set here fall back to
    /// the job type's defaults.
    pub fn opts(mut self, opts: InsertOpts) -> Self {
        self.opts = opts;
        self
    }

    /// Inserts the job in a caller-managed transaction.
    ///
    /// The job becomes visible to workers only when the transaction commits
    /// and is discarded if it rolls back. `executor` must be a SQLx
    /// transaction for the client's database backend. River runs directly in
    /// that transaction without a savepoint, so an insertion that returns an
    /// error, including one after the write, may leave partial changes in
    /// it: roll the transaction back, or open your own savepoint around the
    /// insertion if you need to continue it.
    pub fn tx<'t, E>(self, executor: E) -> InsertRequest<'t, A>
    where
        'a: 't,
        E: DatabaseTransactionExecutor<'t>,
    {
        InsertRequest {
            args: self.args,
            client: self.client,
            opts: self.opts,
            target: Target::transaction(self.client, executor),
        }
    }
}

impl<A> fmt::Debug for InsertRequest<'_, A> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("InsertRequest")
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl<'a, A: JobArgs> IntoFuture for InsertRequest<'a, A> {
    type Output = Result<InsertResult<A>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let Self {
                args,
                client,
                opts,
                target,
            } = self;
            let job = client.prepare_typed(&args, opts, Timestamp::now())?;
            client
                .run_insert(target.into_executor()?, vec![job], |rows| {
                    let row = rows.into_iter().next().ok_or_else(|| {
                        Error::runtime_context("job insertion", "insertion returned no row")
                    })?;
                    let args = row.job.decode_args()?;
                    Ok(InsertResult {
                        job: Job { args, row: row.job },
                        unique_skipped_as_duplicate: row.unique_skipped_as_duplicate,
                    })
                })
                .await
        })
    }
}

/// An atomic homogeneous batch insertion, returned by
/// [`Client::insert_many`]. Await it to insert the jobs and get one result
/// per job, in input order.
#[must_use = "insert requests do nothing unless awaited"]
pub struct InsertManyRequest<'a, A> {
    client: &'a Client,
    jobs: Vec<InsertManyItem<A>>,
    target: Target<'a>,
}

impl<'a, A: JobArgs> InsertManyRequest<'a, A> {
    /// Inserts the jobs in a caller-managed transaction.
    ///
    /// The jobs become visible to workers only when the transaction commits.
    /// River runs directly in the transaction without a savepoint, so a batch
    /// that fails, including after the write, may leave partial changes in
    /// it: roll the transaction back, or open your own savepoint around the
    /// insertion if you need to continue it.
    pub fn tx<'t, E>(self, executor: E) -> InsertManyRequest<'t, A>
    where
        'a: 't,
        E: DatabaseTransactionExecutor<'t>,
    {
        InsertManyRequest {
            client: self.client,
            jobs: self.jobs,
            target: Target::transaction(self.client, executor),
        }
    }

    fn prepare(client: &Client, jobs: Vec<InsertManyItem<A>>) -> Result<Vec<InsertContext>, Error> {
        let now = Timestamp::now();
        jobs.into_iter()
            .map(|item| client.prepare_typed(&item.args, item.opts, now))
            .collect()
    }
}

impl<A> fmt::Debug for InsertManyRequest<'_, A> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("InsertManyRequest")
            .field("jobs", &self.jobs.len())
            .finish_non_exhaustive()
    }
}

impl<'a, A: JobArgs> IntoFuture for InsertManyRequest<'a, A> {
    type Output = Result<Vec<InsertResult<A>>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let Self {
                client,
                jobs,
                target,
            } = self;
            let jobs = Self::prepare(client, jobs)?;
            client
                .run_insert(target.into_executor()?, jobs, |rows| {
                    rows.into_iter()
                        .map(|row| {
                            let args = row.job.decode_args()?;
                            Ok(InsertResult {
                                job: Job { args, row: row.job },
                                unique_skipped_as_duplicate: row.unique_skipped_as_duplicate,
                            })
                        })
                        .collect()
                })
                .await
        })
    }
}

/// An atomic heterogeneous batch insertion, returned by
/// [`Client::insert_batch`]. Await it to insert the jobs and get one result
/// per job, in input order.
#[must_use = "insert requests do nothing unless awaited"]
pub struct InsertBatchRequest<'a> {
    batch: InsertBatch,
    client: &'a Client,
    target: Target<'a>,
}

impl<'a> InsertBatchRequest<'a> {
    /// Inserts the batch in a caller-managed transaction.
    pub fn tx<'t, E>(self, executor: E) -> InsertBatchRequest<'t>
    where
        'a: 't,
        E: DatabaseTransactionExecutor<'t>,
    {
        InsertBatchRequest {
            batch: self.batch,
            client: self.client,
            target: Target::transaction(self.client, executor),
        }
    }
}

impl fmt::Debug for InsertBatchRequest<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("InsertBatchRequest")
            .field("jobs", &self.batch.len())
            .finish_non_exhaustive()
    }
}

impl<'a> IntoFuture for InsertBatchRequest<'a> {
    type Output = Result<Vec<InsertBatchResult>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let Self {
                batch,
                client,
                target,
            } = self;
            let now = Timestamp::now();
            let mut jobs = Vec::with_capacity(batch.len());
            for item in batch.items {
                client.validate_known_kind(item.kind)?;
                let opts = InsertOpts::resolve(
                    client.inner.default_max_attempts,
                    item.defaults,
                    item.opts,
                );
                jobs.push(client.prepare_encoded(
                    item.kind,
                    item.unique_fields,
                    item.encoded_args?,
                    opts,
                    now,
                )?);
            }
            client
                .run_insert(target.into_executor()?, jobs, |rows| {
                    Ok(rows
                        .into_iter()
                        .map(|row| InsertBatchResult {
                            job: row.job,
                            unique_skipped_as_duplicate: row.unique_skipped_as_duplicate,
                        })
                        .collect())
                })
                .await
        })
    }
}

impl Client {
    /// Inserts a job.
    ///
    /// Await the returned request to insert the job with its job type's
    /// defaults, or chain [`opts`](InsertRequest::opts) to override options
    /// and [`tx`](InsertRequest::tx) to insert in a caller-managed
    /// transaction:
    ///
    /// ```no_run
    /// # use riverqueue::{Client, InsertOpts, JobArgs};
    /// # use serde::{Deserialize, Serialize};
    /// #[derive(Deserialize, JobArgs, Serialize)]
    /// #[river(kind = "send_email")]
    /// struct SendEmail {
    ///     address: String,
    /// }
    ///
    /// # #[cfg(feature = "postgres")]
    /// # async fn example(client: Client, pool: sqlx::PgPool) -> Result<(), Box<dyn std::error::Error>> {
    /// let inserted = client
    ///     .insert(SendEmail { address: "user@example.com".to_owned() })
    ///     .await?;
    /// println!("inserted job {}", inserted.id());
    ///
    /// let mut tx = riverqueue::database::begin_postgres(&pool).await?;
    /// client
    ///     .insert(SendEmail { address: "admin@example.com".to_owned() })
    ///     .opts(InsertOpts::default().with_queue("email"))
    ///     .tx(&mut tx)
    ///     .await?;
    /// tx.commit().await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// A unique job whose insertion matches an existing job returns that job
    /// with [`InsertResult::unique_skipped_as_duplicate`] set.
    ///
    /// # Errors
    ///
    /// Returns [`Error::InvalidJob`] for invalid options,
    /// [`Error::Json`] when the arguments can't be encoded, such as a
    /// non-finite float, [`Error::UnknownJobKind`] when the client has workers
    /// but none for this kind, [`Error::DatabaseMismatch`] for a transaction
    /// from another backend, [`Error::Extension`] when a hook or middleware
    /// fails, and [`Error::Database`] when the database operation fails.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future before it completes rolls back River's own
    /// transaction. With [`tx`](InsertRequest::tx), the caller's transaction
    /// may contain a partial insertion and should be rolled back.
    pub fn insert<A: JobArgs>(&self, args: A) -> InsertRequest<'_, A> {
        InsertRequest {
            args,
            client: self,
            opts: InsertOpts::default(),
            target: Target::Client,
        }
    }

    /// Atomically inserts a batch of one or more jobs of one type.
    ///
    /// Items are job arguments or `(args, opts)` tuples. Await the request to
    /// get one [`InsertResult`] per job in input order.
    ///
    /// ```no_run
    /// # use riverqueue::{Client, InsertOpts, JobArgs};
    /// # use serde::{Deserialize, Serialize};
    /// # #[derive(Deserialize, JobArgs, Serialize)]
    /// # #[river(kind = "send_email")]
    /// # struct SendEmail { address: String }
    /// # async fn example(client: Client) -> Result<(), riverqueue::Error> {
    /// let results = client
    ///     .insert_many([
    ///         (SendEmail { address: "a@example.com".to_owned() }, InsertOpts::default()),
    ///         (SendEmail { address: "b@example.com".to_owned() }, InsertOpts::default().with_priority(2)),
    ///     ])
    ///     .await?;
    /// assert_eq!(results.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    ///
    /// Returns the same errors as [`insert`](Self::insert), and
    /// [`Error::InvalidJob`] for an empty batch. Any error rolls back the
    /// whole batch.
    ///
    /// # Cancel safety
    ///
    /// Same as [`insert`](Self::insert).
    pub fn insert_many<A, I>(&self, jobs: I) -> InsertManyRequest<'_, A>
    where
        A: JobArgs,
        I: IntoIterator,
        I::Item: Into<InsertManyItem<A>>,
    {
        InsertManyRequest {
            client: self,
            jobs: jobs.into_iter().map(Into::into).collect(),
            target: Target::Client,
        }
    }

    /// Atomically inserts a batch that can mix job types.
    ///
    /// Each item keeps its own job type's defaults and uniqueness. Results
    /// correspond positionally to the batch items.
    ///
    /// # Errors
    ///
    /// Returns the same errors as [`insert_many`](Self::insert_many), plus
    /// [`Error::Json`] if an item's arguments failed to serialize when it was
    /// added to the batch.
    ///
    /// # Cancel safety
    ///
    /// Same as [`insert`](Self::insert).
    pub fn insert_batch(&self, batch: InsertBatch) -> InsertBatchRequest<'_> {
        InsertBatchRequest {
            batch,
            client: self,
            target: Target::Client,
        }
    }

    /// Resolves typed insertion options for an extension.
    #[must_use]
    pub(crate) fn resolve_insert_opts<A: JobArgs>(&self, opts: InsertOpts) -> InsertParams {
        InsertOpts::resolve(
            self.inner.default_max_attempts,
            A::default_insert_opts(),
            opts,
        )
    }

    pub(crate) async fn insert_periodic(
        &self,
        insert: PeriodicInsert,
        opts: InsertParams,
        target: Timestamp,
    ) -> Result<JobRow, Error> {
        let job = self.prepare_periodic(
            insert.kind,
            insert.unique_fields,
            insert.encoded_args,
            opts,
            target,
            Timestamp::now(),
        )?;
        self.run_insert(None, vec![job], |rows| {
            rows.into_iter().next().map(|row| row.job).ok_or_else(|| {
                Error::runtime_context("periodic job insertion", "insertion returned no row")
            })
        })
        .await
    }

    /// Resolves, validates, and computes the uniqueness of a typed job.
    fn prepare_typed<A: JobArgs>(
        &self,
        args: &A,
        opts: InsertOpts,
        now: Timestamp,
    ) -> Result<InsertContext, Error> {
        self.validate_known_kind(A::KIND)?;
        let encoded_args = crate::encoding::encode_args(args)?;
        let opts = InsertOpts::resolve(
            self.inner.default_max_attempts,
            A::default_insert_opts(),
            opts,
        );
        self.prepare_encoded(A::KIND, A::unique_fields(), encoded_args, opts, now)
    }

    /// Prepares a periodic job due at `target`, as River Go's periodic job
    /// enqueuer does.
    ///
    /// When the constructor leaves the schedule unset, the job runs at its
    /// target time: it is inserted `available` with `scheduled_at` set to the
    /// target, and a `by_period` unique key describes the target's period.
    /// An explicit schedule from the constructor keeps the ordinary
    /// `scheduled` state, and a pending job stays pending.
    pub(super) fn prepare_periodic(
        &self,
        kind: &str,
        unique_fields: &[&[&str]],
        encoded_args: Box<RawValue>,
        mut opts: InsertParams,
        target: Timestamp,
        now: Timestamp,
    ) -> Result<InsertContext, Error> {
        let due_at_target = opts.scheduled_at.is_none();
        opts.scheduled_at.get_or_insert(target);
        let mut job = self.prepare_encoded(kind, unique_fields, encoded_args, opts, now)?;
        if due_at_target && job.state == JobState::Scheduled {
            job.state = JobState::Available;
        }
        Ok(job)
    }

    /// Validates an encoded job and computes its unique key and initial
    /// state, as River Go does before insertion middleware and hooks run.
    pub(super) fn prepare_encoded(
        &self,
        kind: &str,
        unique_fields: &[&[&str]],
        encoded_args: Box<RawValue>,
        opts: InsertParams,
        now: Timestamp,
    ) -> Result<InsertContext, Error> {
        validate_insert_parts(kind, &opts, self.inner.allow_legacy_job_kinds)?;
        let unique_key = build_unique_key_parts(
            kind,
            unique_fields,
            &encoded_args,
            now,
            &opts.unique,
            &opts.queue,
            opts.scheduled_at,
        )?
        .map(|key| key.to_vec());
        let unique_states = unique_key.as_ref().map(|_| opts.unique.state_bitmask());
        let state = if opts.pending {
            JobState::Pending
        } else if opts.scheduled_at.is_some() {
            JobState::Scheduled
        } else {
            JobState::Available
        };
        Ok(InsertContext {
            encoded_args,
            kind: kind.to_owned(),
            opts,
            state,
            created_at: None,
            unique_key,
            unique_states,
        })
    }

    /// Runs the insertion pipeline, decodes the returned rows with decode
    /// hooks, and converts them with `finish`.
    ///
    /// Without a caller transaction, validation has already run, and
    /// middleware, begin hooks, extension interception, the write, the insert
    /// notification, decode hooks, and `finish` all run in one transaction,
    /// like River Go's `Insert` and `InsertMany`: an error anywhere, including
    /// after the write, rolls the whole insertion back. In a caller's
    /// transaction the same steps run directly in it without a savepoint,
    /// like River Go's `InsertTx`, and the caller rolls back on an error.
    pub(super) async fn run_insert<T>(
        &self,
        executor: Option<PilotDatabaseConnection<'_>>,
        jobs: Vec<InsertContext>,
        finish: impl FnOnce(Vec<InsertedJob>) -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        if jobs.is_empty() {
            return Err(Error::invalid_job("no jobs to insert".to_owned()));
        }
        let Some(connection) = executor else {
            let (inserted, signals) = match self.inner.database.pool() {
                #[cfg(feature = "postgres")]
                DatabasePool::Postgres(pool) => {
                    let mut transaction = crate::database::begin_postgres(pool).await?;
                    let inserted = self
                        .insert_and_finish(
                            PilotDatabaseConnection::Postgres(&mut transaction),
                            jobs,
                            finish,
                        )
                        .await?;
                    transaction.commit().await?;
                    inserted
                }
                #[cfg(feature = "sqlite")]
                DatabasePool::Sqlite(pool) => {
                    let mut transaction = crate::database::begin_sqlite_write(pool).await?;
                    let inserted = self
                        .insert_and_finish(
                            PilotDatabaseConnection::Sqlite(&mut transaction),
                            jobs,
                            finish,
                        )
                        .await?;
                    transaction.commit().await?;
                    inserted
                }
            };
            // Wake local producers for jobs this client committed itself.
            for queue in signals {
                let _ = self
                    .inner
                    .queue_notifications
                    .send(RuntimeNotification::Insert(queue));
            }
            return Ok(inserted);
        };
        self.insert_and_finish(connection, jobs, finish)
            .await
            .map(|(inserted, _)| inserted)
    }

    /// Runs middleware and persistence on `connection`, then decode hooks
    /// and `finish`, returning `finish`'s result and the queues of newly
    /// available jobs.
    async fn insert_and_finish<T>(
        &self,
        connection: PilotDatabaseConnection<'_>,
        jobs: Vec<InsertContext>,
        finish: impl FnOnce(Vec<InsertedJob>) -> Result<T, Error> + Send,
    ) -> Result<(T, Vec<String>), Error> {
        let mut rows = self.insert_on_connection(connection, jobs).await?;
        for row in &mut rows {
            for hook in self.inner.hooks.iter().rev() {
                hook.decode_insert_result(&mut row.job).await?;
            }
        }
        let signals = rows
            .iter()
            .filter(|row| row.job.state == JobState::Available && !row.unique_skipped_as_duplicate)
            .map(|row| row.job.queue.clone())
            .collect();
        Ok((finish(rows)?, signals))
    }

    /// Runs insertion middleware around persistence of `jobs`.
    async fn insert_on_connection<'c>(
        &'c self,
        connection: PilotDatabaseConnection<'c>,
        jobs: Vec<InsertContext>,
    ) -> Result<Vec<InsertedJob>, Error> {
        let endpoint: InsertEndpoint<'c> =
            Box::new(move |jobs| Box::pin(self.persist_jobs(connection, jobs)));
        InsertNext::new(&self.inner.insert_middleware, endpoint)
            .run(jobs)
            .await
    }

    /// Runs begin hooks and extension interception for each job, writes the
    /// jobs, and notifies the queues of jobs inserted as available.
    async fn persist_jobs(
        &self,
        mut connection: PilotDatabaseConnection<'_>,
        mut jobs: Vec<InsertContext>,
    ) -> Result<Vec<InsertedJob>, Error> {
        if jobs.is_empty() {
            return Err(Error::invalid_job("no jobs to insert".to_owned()));
        }
        let intercepts = self.inner.pilot.intercepts_insert();
        for job in &mut jobs {
            for hook in &self.inner.hooks {
                hook.insert_begin(job).await?;
            }
        }
        if intercepts {
            let mut params = extension_insert_params(&mut jobs);
            self.inner
                .pilot
                .before_jobs_insert(connection.reborrow(), &mut params)
                .await
                .map_err(|source| Error::Extension {
                    phase: crate::ExtensionPhase::AddOn {
                        operation: "job insertion",
                    },
                    source,
                })?;
        }
        for job in &jobs {
            if !matches!(
                job.state,
                JobState::Available | JobState::Pending | JobState::Scheduled
            ) {
                return Err(Error::invalid_job(format!(
                    "jobs can't be inserted in the {} state",
                    job.state.as_str()
                )));
            }
        }

        // A unique key may appear only once among the batch's jobs whose
        // state it covers. Postgres rejects River Go's single upsert that
        // would affect the same row twice, and River Go checks SQLite
        // batches the same way.
        let mut unique_keys = std::collections::HashSet::new();
        for job in &jobs {
            if let (Some(key), Some(states)) = (&job.unique_key, job.unique_states)
                && states & job.state.unique_bit() != 0
                && !unique_keys.insert(key.as_slice())
            {
                return Err(Error::invalid_job(
                    "unique key appears more than once in batch".to_owned(),
                ));
            }
        }

        // Like Go, every job requested as available notifies its queue,
        // including one skipped as a unique duplicate.
        let queues = jobs
            .iter()
            .filter(|job| job.state == JobState::Available)
            .map(|job| job.opts.queue.clone())
            .collect::<std::collections::BTreeSet<_>>();
        let input_metadata = intercepts.then(|| {
            jobs.iter()
                .map(|job| job.opts.metadata.clone())
                .collect::<Vec<_>>()
        });
        let mut rows = Vec::with_capacity(jobs.len());
        for job in jobs {
            rows.push(self.insert_row(connection.reborrow(), job).await?);
        }
        if let Some(input_metadata) = input_metadata {
            self.after_jobs_inserted(connection.reborrow(), &rows, &input_metadata)
                .await?;
        }
        self.notify_insert(
            connection.reborrow(),
            queues.iter().map(String::as_str).collect(),
        )
        .await?;
        Ok(rows)
    }

    /// Runs the extension's post-insert hook on the rows an insertion wrote.
    async fn after_jobs_inserted(
        &self,
        mut connection: PilotDatabaseConnection<'_>,
        rows: &[InsertedJob],
        input_metadata: &[crate::JobMetadata],
    ) -> Result<(), Error> {
        let returned = rows.iter().map(|row| row.job.clone()).collect::<Vec<_>>();
        let unique_skipped_as_duplicate = rows
            .iter()
            .map(|row| row.unique_skipped_as_duplicate)
            .collect::<Vec<_>>();
        self.inner
            .pilot
            .after_jobs_inserted(
                connection.reborrow(),
                &crate::__private::JobsInsertedParams {
                    database: self.inner.pilot_database_config(),
                    input_metadata,
                    jobs: &returned,
                    unique_skipped_as_duplicate: &unique_skipped_as_duplicate,
                },
            )
            .await
            .map_err(|source| Error::Extension {
                phase: crate::ExtensionPhase::AddOn {
                    operation: "job insertion",
                },
                source,
            })
    }

    /// Sends one insert notification per queue, in the insertion's
    /// transaction so it's delivered only if the jobs commit, skipping
    /// queues this client notified within its fetch cooldown.
    async fn notify_insert(
        &self,
        connection: PilotDatabaseConnection<'_>,
        queues: std::collections::BTreeSet<&str>,
    ) -> Result<(), Error> {
        let queues = self.inner.insert_notify_limiter.due(queues);
        if queues.is_empty() {
            return Ok(());
        }
        match connection {
            #[cfg(feature = "postgres")]
            PilotDatabaseConnection::Postgres(connection) => {
                if !self
                    .inner
                    .postgres_capabilities(&mut *connection)
                    .await?
                    .supports_listen_notify
                {
                    return Ok(());
                }
                let payloads = queues
                    .into_iter()
                    .map(crate::protocol::insert_notification_payload)
                    .collect::<Vec<_>>();
                sqlx::query(
                    "SELECT pg_notify(concat(coalesce($1::text, current_schema()), '.', $2::text), payload) \
                     FROM unnest($3::text[]) AS payload",
                )
                .bind(self.inner.schema.as_deref())
                .bind(crate::protocol::NOTIFICATION_TOPIC_INSERT)
                .bind(payloads)
                .execute(connection)
                .await?;
            }
            #[cfg(feature = "sqlite")]
            PilotDatabaseConnection::Sqlite(connection) => {
                let payloads = queues
                    .into_iter()
                    .map(crate::protocol::insert_notification_payload)
                    .collect::<Vec<_>>();
                let notifications = payloads
                    .iter()
                    .map(|payload| crate::database::sqlite::NotificationInput {
                        payload,
                        topic: crate::protocol::NOTIFICATION_TOPIC_INSERT,
                    })
                    .collect::<Vec<_>>();
                crate::database::sqlite::notification_insert(connection, &notifications)
                    .await
                    .map_err(sqlite_backend_error)?;
            }
        }
        Ok(())
    }

    /// Writes one job, returning it or the existing unique job it matched.
    async fn insert_row(
        &self,
        connection: PilotDatabaseConnection<'_>,
        job: InsertContext,
    ) -> Result<InsertedJob, Error> {
        let InsertContext {
            encoded_args,
            kind,
            opts,
            state,
            created_at,
            unique_key,
            unique_states,
        } = job;
        match connection {
            #[cfg(feature = "postgres")]
            PilotDatabaseConnection::Postgres(connection) => {
                let table = self.inner.schema.qualify("river_job");
                let state_type = self.inner.schema.qualify("river_job_state");
                let state_function = self.inner.schema.qualify("river_job_state_in_bitmask");
                let mode = self
                    .inner
                    .postgres_capabilities(&mut *connection)
                    .await?
                    .unique_insert_mode;
                let (metadata, nonce) = with_unique_nonce(mode, &opts.metadata)?;
                // The no-op update is intentional and matches River Go. `DO
                // NOTHING` followed by a select cannot see a conflicting row
                // that committed after the statement's snapshot was taken.
                // It keeps the existing kind, which may differ under
                // `exclude_kind`.
                let sql = format!(
                    "WITH inserted AS (\
                        INSERT INTO {table} (args, created_at, kind, max_attempts, metadata, priority, queue, scheduled_at, state, tags, unique_key, unique_states) \
                        VALUES ($1, coalesce($2, now()), $3, $4, $5, $6, $7, coalesce($8, now()), $9::text::{state_type}, $10, $11, $12::integer::bit(8)) \
                        ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND unique_states IS NOT NULL AND {state_function}(unique_states, state) \
                        DO UPDATE SET kind = river_job.kind \
                        RETURNING *, {} AS unique_skipped_as_duplicate\
                     ) \
                     SELECT {}, job.unique_skipped_as_duplicate FROM inserted AS job",
                    mode.sql(),
                    job_projection("job")
                );
                let record = sqlx::query_as::<_, JobRecord>(AssertSqlSafe(sql))
                    .bind(Json(&encoded_args))
                    .bind(created_at.map(jiff_sqlx::Timestamp::from))
                    .bind(&kind)
                    // Like River Go's Postgres drivers, a value wider than
                    // the `smallint` column is clamped rather than failing.
                    .bind(opts.max_attempts.min(i32::from(i16::MAX)))
                    .bind(Json(&*metadata))
                    .bind(opts.priority)
                    .bind(&opts.queue)
                    .bind(opts.scheduled_at.map(jiff_sqlx::Timestamp::from))
                    .bind(state.as_str())
                    .bind(&opts.tags)
                    .bind(unique_key)
                    .bind(unique_states.map(i32::from))
                    .fetch_optional(connection)
                    .await?
                    .ok_or_else(|| {
                        Error::invalid_job("unique insert found no conflicting row".to_owned())
                    })?;
                let duplicate = record.unique_skipped_as_duplicate;
                let row = record.into_job_row()?;
                let duplicate = nonce.map_or(duplicate, |nonce| lacks_nonce(&row, &nonce));
                Ok(InsertedJob::new(row, duplicate))
            }
            #[cfg(feature = "sqlite")]
            PilotDatabaseConnection::Sqlite(connection) => {
                // Like Go's SQLite driver, every inserted row carries a nonce,
                // and times left unset are filled in by SQLite's own clock.
                let nonce = unique_insert_nonce();
                let inserted = crate::database::sqlite::insert(
                    connection,
                    &crate::database::sqlite::InsertJob {
                        attempt: 0,
                        attempted_at: None,
                        attempted_by: &[],
                        created_at,
                        encoded_args: &encoded_args,
                        errors: &[],
                        finalized_at: None,
                        id: None,
                        kind: &kind,
                        max_attempts: opts.max_attempts,
                        metadata: &opts.metadata,
                        priority: opts.priority,
                        queue: &opts.queue,
                        scheduled_at: opts.scheduled_at,
                        state,
                        tags: &opts.tags,
                        unique_key: unique_key.as_deref(),
                        unique_nonce: Some(&nonce),
                        unique_states,
                    },
                )
                .await
                .map_err(sqlite_backend_error)?;
                Ok(InsertedJob::new(
                    inserted.job,
                    inserted.unique_skipped_as_duplicate,
                ))
            }
        }
    }
}

/// Exposes the mutable fields of each job to an extension's insert hook.
fn extension_insert_params(jobs: &mut [InsertContext]) -> Vec<PilotJobInsertParams<'_>> {
    jobs.iter_mut()
        .map(|job| {
            let InsertContext {
                encoded_args,
                kind,
                opts,
                state,
                ..
            } = job;
            PilotJobInsertParams {
                encoded_args,
                extension_options: &opts.extension_options,
                kind,
                metadata: &mut opts.metadata,
                queue: &mut opts.queue,
                state,
            }
        })
        .collect()
}

/// Returns a nonce that marks an insert as this call's own.
///
/// A database without `xmax`, like SQLite or YugabyteDB, reports a skipped
/// unique duplicate by checking whether the returned row carries the nonce
/// the insert wrote. The nonce must not
/// repeat across processes: client IDs and counters can (a restarted
/// container keeps its hostname and PID), so it's eight random bytes in
/// lowercase hex, the format of River Go's `randutil.Hex(8)`.
///
/// Like Go, every row gets its own nonce.
fn unique_insert_nonce() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Returns `metadata` with a new unique insert nonce, and the nonce, when
/// `mode` detects duplicates by one. Without `xmax`, as on YugabyteDB, a row
/// carries a nonce like SQLite's, and a returned row without it existed.
#[cfg(feature = "postgres")]
fn with_unique_nonce(
    mode: UniqueInsertMode,
    metadata: &JobMetadata,
) -> Result<(Cow<'_, JobMetadata>, Option<String>), Error> {
    if mode != UniqueInsertMode::MetadataNonce {
        return Ok((Cow::Borrowed(metadata), None));
    }
    let nonce = unique_insert_nonce();
    let mut metadata = metadata.clone();
    metadata.insert(METADATA_KEY_UNIQUE_NONCE, Value::String(nonce.clone()))?;
    Ok((Cow::Owned(metadata), Some(nonce)))
}

/// Whether a row returned by a unique insert lacks the nonce the insert
/// wrote, so it existed already.
#[cfg(feature = "postgres")]
fn lacks_nonce(row: &JobRow, nonce: &str) -> bool {
    row.metadata
        .get::<String>(METADATA_KEY_UNIQUE_NONCE)
        .ok()
        .flatten()
        .is_none_or(|stored| stored != nonce)
}

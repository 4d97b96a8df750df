//! All SQL lives here: one [`Store`] over SQLite (the default) and PostgreSQL.
//!
//! Both backends run the same statements: sqlx's SQLite driver reads `$1` placeholders by
//! number, times are stored as UTC milliseconds (`BIGINT`) so comparisons sort the same
//! everywhere, and the [`with_db!`] macro expands one body for each pool type.

mod files;
mod group;
mod notices;
mod outbox;
mod people;
mod prompts;
mod schedules;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

pub use group::Batches;
pub use notices::{EventRecord, Notice};
pub use outbox::{NewOutboxRow, OutboxOp, OutboxRow, OutboxState, OutboxStats, Queued, lane};
pub use people::{PersonColumn, Reach, Revoked};
pub use prompts::{PromptRow, prompt_subject};
pub use schedules::ScheduleRow;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("job queue migration failed")]
    JobQueueMigrate(#[from] riverqueue::migrate::Error),
    #[error("bad database url `{0}`: expected sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<StoreError> for crate::kernel::ServiceError {
    fn from(e: StoreError) -> Self {
        crate::kernel::ServiceError::Failed(crate::kernel::Failure::new(e.is_transient(), e))
    }
}

impl StoreError {
    /// A failure that may pass by itself (the database went away, was busy, or broke a
    /// transaction off to be retried): the work should be offered again, not given up.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Database(e) => is_transient(e),
            _ => false,
        }
    }
}

/// Whether a database error may pass by itself: a lost or refused connection, a pool
/// with no free connection in time, PostgreSQL's connection, resource and shutdown
/// classes and its serialization and deadlock aborts, SQLite's busy and locked.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => true,
        sqlx::Error::Database(db) => {
            if let Some(pg) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                let code = pg.code();
                code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || code == "40001"
                    || code == "40P01"
            } else if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite's extended codes keep the primary code in the low byte.
                db.code().and_then(|c| c.parse::<i32>().ok()).is_some_and(|n| matches!(n & 0xff, 5 | 6))
            } else {
                false
            }
        }
        _ => false,
    }
}

#[derive(Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The one store every service writes through.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
    /// Connections for delivery's bookkeeping (see [`Store::for_delivery`]).
    delivery: Option<Db>,
    /// SQLite has one writer at a time. Waiting for it here, before taking a pooled
    /// connection, keeps the transaction that holds the lock free to read through the
    /// pool; waiting inside SQLite would park connections and can starve it.
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// Expands `$body` once per backend with `$pool` bound to that backend's pool, so one
/// statement serves both while sqlx keeps its static types.
macro_rules! with_db {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            crate::store::Db::Sqlite($pool) => $body,
            crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_db;

/// An open transaction on either backend. Services make their change and queue its
/// messages in one, so both commit or neither does.
pub struct Tx {
    pub(crate) inner: TxInner,
    /// Carries one event alone: its steps need no savepoints (see [`Tx::alone`]).
    alone: bool,
    /// Held until the transaction ends (declared after `inner`, so dropped after it).
    _writer_turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

pub(crate) enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Like [`with_db!`] for a [`Tx`]: `$conn` is the backend's `&mut Transaction`.
macro_rules! with_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.inner {
            crate::store::TxInner::Sqlite($conn) => $body,
            crate::store::TxInner::Postgres($conn) => $body,
        }
    };
}
pub(crate) use with_tx;

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    /// Marks where one event's work begins inside a transaction that carries several
    /// (group commit): [`Tx::undo_step`] takes that event back alone, [`Tx::keep_step`]
    /// keeps it. Steps do not nest.
    pub async fn step(&mut self) -> Result<()> {
        if self.alone { Ok(()) } else { self.run("SAVEPOINT step").await }
    }

    pub async fn keep_step(&mut self) -> Result<()> {
        if self.alone { Ok(()) } else { self.run("RELEASE SAVEPOINT step").await }
    }

    /// Undoes everything since [`Tx::step`] and ends the step; what came before stays.
    pub async fn undo_step(&mut self) -> Result<()> {
        if self.alone {
            // Nothing came before: the transaction starts afresh on its connection (and,
            // on SQLite, keeps the write lock's turn).
            self.run("ROLLBACK").await?;
            return self.run(if matches!(self.inner, TxInner::Sqlite(_)) { "BEGIN IMMEDIATE" } else { "BEGIN" }).await;
        }
        self.run("ROLLBACK TO SAVEPOINT step").await?;
        self.run("RELEASE SAVEPOINT step").await
    }

    /// The transaction carries steps one after another and nothing else, so a step is
    /// undone by starting afresh: two round trips fewer per step than savepoints, for
    /// the usual batch of one.
    pub fn alone(&mut self) {
        self.alone = true;
    }

    /// Lets this transaction's commit return before PostgreSQL has flushed it to disk,
    /// for work that a later, synchronous commit of the same event depends on anyway
    /// (registering the person who writes): the write-ahead log is flushed in order, so
    /// that commit makes this one durable too, and a crash before it loses both and the
    /// event is offered again. A no-op on SQLite, whose commits do not wait for the disk.
    pub async fn durable_with_what_follows(&mut self) -> Result<()> {
        match self.inner {
            TxInner::Postgres(_) => self.run("SET LOCAL synchronous_commit TO OFF").await,
            TxInner::Sqlite(_) => Ok(()),
        }
    }

    async fn run(&mut self, sql: &'static str) -> Result<()> {
        with_tx!(self, |c| {
            sqlx::raw_sql(sql).execute(&mut **c).await?;
        });
        Ok(())
    }
}

/// Appends to the event log inside the caller's transaction.
macro_rules! log_event {
    ($conn:expr, $audit:expr, $subject:expr, $action:expr, $detail:expr) => {
        sqlx::query(
            "INSERT INTO events (at, actor_id, platform, subject, action, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(crate::store::ms($audit.at))
        .bind($audit.actor.map(|p: crate::kernel::PersonId| p.0))
        .bind($audit.platform.as_str())
        .bind($subject.to_string())
        .bind(crate::kernel::AuditAction::name($action))
        .bind($detail)
        .execute($conn)
        .await
    };
}
pub(crate) use log_event;

pub use crate::kernel::Audit;

crate::kernel::named_enum! {
    /// What the store core records in the event log.
    pub enum CoreAction {
        Registered => "registered",
        RoleGrant => "role.grant",
        RoleRevoke => "role.revoke",
        TzSet => "tz.set",
        LangSet => "lang.set",
    }
}

impl crate::kernel::AuditAction for CoreAction {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

pub fn ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Store {
    /// Opens the database at `url` (`sqlite://deskmate.db`, a bare file path, or
    /// `postgres://…`), creating a SQLite file if needed. Does not migrate.
    pub async fn connect(url: &str) -> Result<Store> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options.clone())
                .await?;
            let delivery = PgPoolOptions::new()
                .max_connections(4)
                .min_connections(0)
                .acquire_timeout(Duration::from_secs(10))
                .connect_lazy_with(options.options([("synchronous_commit", "off")]));
            return Ok(Store {
                db: Db::Postgres(pool),
                delivery: Some(Db::Postgres(delivery)),
                writer: Arc::default(),
            });
        }
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url)?
        } else if url.contains("://") {
            return Err(StoreError::BadUrl(url.to_owned()));
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        // WAL lets readers run beside the writer, and the busy timeout lets several
        // processes share one file instead of failing with "database is locked".
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(15))
            .foreign_keys(true);
        // Each connection holds a thread and a page cache: the ones a burst opened close
        // again once quiet, so an idle process keeps one.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .idle_timeout(Duration::from_secs(30))
            .connect_with(options.clone())
            .await?;
        let delivery = SqlitePoolOptions::new()
            .max_connections(2)
            .min_connections(0)
            .idle_timeout(Duration::from_secs(30))
            .connect_lazy_with(options);
        Ok(Store { db: Db::Sqlite(pool), delivery: Some(Db::Sqlite(delivery)), writer: Arc::default() })
    }

    /// How many write transactions are worth running at once: SQLite has one writer;
    /// PostgreSQL takes several, while the pool keeps connections for reads and delivery.
    pub fn writers(&self) -> usize {
        match self.db {
            Db::Sqlite(_) => 1,
            Db::Postgres(_) => 4,
        }
    }

    /// The store the dispatcher writes through, on connections of its own. Its claims,
    /// sent marks and leases are single statements that wait inside the database while
    /// an event's transaction holds SQLite's write lock; on the event's pool they could
    /// take every connection that transaction still needs for its reads, and both would
    /// wait for SQLite's busy timeout. On PostgreSQL its commits also do not wait for the
    /// disk (`synchronous_commit = off`): a claim, a sent mark or a lease is bookkeeping
    /// about a message already kept, and losing the last fraction of a second of it in a
    /// database crash only sends a message again, as a crash between sending and marking
    /// always could. Every change a person makes still commits to disk before they are
    /// answered.
    pub fn for_delivery(&self) -> Store {
        match &self.delivery {
            Some(db) => Store { db: db.clone(), delivery: None, writer: self.writer.clone() },
            None => self.clone(),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Applies the backend's pending migrations.
    #[tracing::instrument(skip_all, err)]
    pub async fn migrate(&self) -> Result<()> {
        // River keeps its own history table beside sqlx's, so the two never collide.
        match &self.db {
            Db::Sqlite(pool) => {
                sqlx::migrate!("./migrations/sqlite").run(pool).await?;
                riverqueue::migrate::SqliteMigrator::new(pool.clone()).migrate_up().await?;
                // River's SQLite schema has no index that finds due scheduled jobs by time:
                // its scheduler scanned every pending job on each pass (a tenth of a
                // second, once a second, with a million timers waiting).
                sqlx::query("CREATE INDEX IF NOT EXISTS deskmate_river_job_due ON river_job (state, scheduled_at)")
                    .execute(pool)
                    .await?;
            }
            Db::Postgres(pool) => {
                sqlx::migrate!("./migrations/postgres").run(pool).await?;
                riverqueue::migrate::PostgresMigrator::new(pool.clone()).migrate_up().await?;
            }
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes cannot fail
    /// half-way with "database is locked".
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match &self.db {
            Db::Sqlite(pool) => {
                let turn = self.writer.clone().lock_owned().await;
                Tx {
                    inner: TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
                    alone: false,
                    _writer_turn: Some(turn),
                }
            }
            Db::Postgres(pool) => {
                Tx { inner: TxInner::Postgres(pool.begin().await?), alone: false, _writer_turn: None }
            }
        })
    }

    /// A trivial query, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        with_db!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(delivery) = &self.delivery {
            match delivery {
                Db::Sqlite(pool) => pool.close().await,
                Db::Postgres(pool) => pool.close().await,
            }
        }
        with_db!(self, |pool| pool.close().await)
    }

    /// A raw pool for benchmarks that compare against plain sqlx.
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.db {
            Db::Sqlite(p) => Some(p),
            Db::Postgres(_) => None,
        }
    }

    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.db {
            Db::Postgres(p) => Some(p),
            Db::Sqlite(_) => None,
        }
    }
}

/// `postgres://u@h:5432/test?x=y` with the database replaced by `name`: for tests and
/// benchmarks that make throwaway databases on one server.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| i + scheme_end);
    let mut out = format!("{}/{name}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// Reads an enum stored as text, reporting a corrupt row instead of panicking.
pub(crate) fn parse_column<T: FromStr>(column: &str, raw: &str) -> Result<T> {
    raw.parse().map_err(|_| StoreError::Corrupt(format!("{column} = `{raw}`")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_are_replaced() {
        assert_eq!(super::with_database("postgres://u@127.0.0.1:5432/test", "x"), "postgres://u@127.0.0.1:5432/x");
        assert_eq!(super::with_database("postgres://h/test?sslmode=disable", "x"), "postgres://h/x?sslmode=disable");
        assert_eq!(super::with_database("postgres://h", "x"), "postgres://h/x");
    }
}

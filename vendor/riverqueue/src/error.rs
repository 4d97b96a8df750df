//! Public errors.
//!
//! Every error in this crate either describes itself and exposes what caused
//! it through [`std::error::Error::source`], or is transparent and delegates
//! both its message and its source to the error it wraps. None does both, so
//! a report that prints the whole chain, such as `anyhow`'s `{:#}`, never
//! repeats a message.
//!
//! Match [`enum@Error`]'s variants for the cases a caller handles, and keep a
//! fallback arm, because the enum is `#[non_exhaustive]`:
//!
//! ```no_run
//! use riverqueue::{Client, Error, Record, sqlx};
//!
//! # async fn example(client: Client, id: i64) -> Result<(), Error> {
//! match client.jobs().get(id).await {
//!     Ok(job) => println!("job {id} is {}", job.state),
//!     Err(Error::NotFound(Record::Job(_))) => println!("job {id} doesn't exist"),
//!     // Database failures hold SQLx's error on either backend.
//!     Err(Error::Database(sqlx::Error::PoolTimedOut)) => println!("database busy"),
//!     Err(error) => return Err(error),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! An error from a hook, middleware, or add-on crate is an
//! [`Error::Extension`] whose [`source`](Error::Extension::source) is the
//! extension's own error; downcast it to that error's type. Errors a worker
//! returns reach hooks, error handlers, and retry policies as a
//! [`WorkError`](crate::WorkError), which downcasts the same way.

use std::fmt;

use thiserror::Error;

use crate::JobState;

/// A thread-safe error source whose concrete type can be inspected by callers.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

macro_rules! context_error {
    ($(#[$meta:meta])* $name:ident, $format:literal) => {
        $(#[$meta])*
        #[derive(Debug, Error)]
        #[error($format)]
        pub struct $name {
            context: &'static str,
            message: String,
            #[source]
            source: Option<BoxError>,
        }

        impl $name {
            pub(crate) fn new(context: &'static str, message: impl Into<String>) -> Self {
                Self {
                    context,
                    message: message.into(),
                    source: None,
                }
            }

            /// Returns the operation or field the error is about.
            #[must_use]
            pub const fn context(&self) -> &'static str {
                self.context
            }

            /// Returns the specific failure message.
            #[must_use]
            pub fn message(&self) -> &str {
                &self.message
            }
        }
    };
}

context_error!(
    /// Invalid client, queue, subscription, or maintenance configuration.
    ConfigurationError,
    "invalid {context} configuration: {message}"
);
context_error!(
    /// Invalid job arguments or insertion options.
    JobValidationError,
    "invalid {context}: {message}"
);
context_error!(
    /// A failure of River's runtime, with the operation it happened in.
    RuntimeError,
    "{context}: {message}"
);

/// The kind of record an [`Error::NotFound`] refers to, with the key that
/// was looked up.
#[derive(Clone, Debug, Eq, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A job, by ID.
    Job(i64),
    /// A queue, by name.
    Queue(String),
}

impl fmt::Display for Record {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Job(id) => write!(formatter, "job {id}"),
            Self::Queue(name) => write!(formatter, "queue {name:?}"),
        }
    }
}

/// Where an extension that failed was running.
#[derive(Clone, Copy, Debug, Eq, Hash, PartialEq)]
#[non_exhaustive]
pub enum ExtensionPhase {
    /// An add-on crate's extension of River's runtime, such as its own
    /// insertion, claim, or rescue step.
    AddOn {
        /// The add-on step that failed, such as `"rescue"`, for diagnostics.
        operation: &'static str,
    },
    /// An [`ErrorHandler::handle_error`](crate::ErrorHandler::handle_error)
    /// call.
    ErrorHandler,
    /// A [`Hook::insert_begin`](crate::Hook::insert_begin) hook.
    InsertBeginHook,
    /// An [`InsertMiddleware`](crate::InsertMiddleware).
    InsertMiddleware,
    /// A [`Hook::decode_insert_result`](crate::Hook::decode_insert_result)
    /// hook.
    InsertResultDecodeHook,
    /// A [`Hook::metric_emit`](crate::Hook::metric_emit) hook.
    MetricEmitHook,
    /// A [`Hook::periodic_jobs_start`](crate::Hook::periodic_jobs_start)
    /// hook.
    PeriodicJobsStartHook,
    /// An [`ErrorHandler::handle_stuck`](crate::ErrorHandler::handle_stuck)
    /// call.
    StuckJobHandler,
}

impl fmt::Display for ExtensionPhase {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::AddOn { operation } => return write!(formatter, "add-on {operation}"),
            Self::ErrorHandler => "error handler",
            Self::InsertBeginHook => "insert begin hook",
            Self::InsertMiddleware => "insert middleware",
            Self::InsertResultDecodeHook => "insert result decode hook",
            Self::MetricEmitHook => "metric hook",
            Self::PeriodicJobsStartHook => "periodic jobs start hook",
            Self::StuckJobHandler => "stuck job handler",
        })
    }
}

/// Error returned by River operations.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The client is already running; a client runs once at a time.
    #[error("client is already running")]
    AlreadyRunning,

    /// The client stopped before reaching the state being waited for, such as
    /// readiness in [`RunHandle::wait_ready`](crate::RunHandle::wait_ready).
    #[error("client stopped")]
    ClientStopped,

    /// Client, queue, subscription, or maintenance configuration is invalid.
    #[error(transparent)]
    Configuration(ConfigurationError),

    /// A database operation failed.
    ///
    /// The payload is SQLx's error on either backend, so a caller can match a
    /// failure such as [`sqlx::Error::PoolTimedOut`] or inspect
    /// [`sqlx::Error::Database`] for a constraint violation. A stored row
    /// River can't decode is reported as [`sqlx::Error::Decode`] or
    /// [`sqlx::Error::ColumnDecode`].
    #[error(transparent)]
    Database(#[from] sqlx::Error),

    /// A transactional executor belongs to another database backend.
    #[error(transparent)]
    DatabaseMismatch(#[from] crate::database::DatabaseMismatch),

    /// A hook, middleware, or add-on crate failed.
    #[error("{phase} failed")]
    Extension {
        /// Where the extension was running.
        phase: ExtensionPhase,
        /// Original extension error.
        #[source]
        source: BoxError,
    },

    /// Job arguments or options are invalid.
    #[error(transparent)]
    InvalidJob(JobValidationError),

    /// JSON encoding or decoding failed.
    #[error(transparent)]
    Json(#[from] serde_json::Error),

    /// The operation needs a running job, such as completing it in a
    /// transaction, but the job is in another state.
    #[error("job is {state}, not running")]
    JobNotRunning {
        /// The job's current state.
        state: JobState,
    },

    /// A running job cannot be deleted.
    #[error("running jobs cannot be deleted")]
    JobRunning,

    /// The requested record does not exist.
    #[error("{0} not found")]
    NotFound(Record),

    /// A queue is already added to this client, or its removal is still
    /// waiting for its producer to stop.
    #[error("queue {name:?} is already added")]
    QueueAlreadyAdded {
        /// The queue's name.
        name: String,
    },

    /// This client doesn't work the queue.
    #[error("queue {name:?} is not added to this client")]
    QueueNotAdded {
        /// The queue's name.
        name: String,
    },

    /// A user-provided resumable step returned an error.
    #[error("resumable step {name:?} failed")]
    ResumableStep {
        /// Name of the step that failed.
        name: String,
        /// Original step error.
        #[source]
        source: BoxError,
    },

    /// River's runtime failed.
    #[error(transparent)]
    Runtime(RuntimeError),

    /// An operation that spawns tasks was called outside Tokio.
    #[error("{operation} requires an active Tokio runtime")]
    RuntimeUnavailable {
        /// Operation that requires Tokio task spawning.
        operation: &'static str,
    },

    /// A spawned runtime task panicked or was cancelled.
    #[error(transparent)]
    RuntimeTask(tokio::task::JoinError),

    /// A client with workers cannot insert an unregistered kind by default.
    #[error("job kind {kind:?} has no registered worker")]
    UnknownJobKind {
        /// The job kind without a registered worker.
        kind: String,
    },
}

impl Error {
    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Self::configuration_context("client", message)
    }

    pub(crate) fn configuration_context(context: &'static str, message: impl Into<String>) -> Self {
        Self::Configuration(ConfigurationError::new(context, message))
    }

    /// Wraps an error raised by a hook, middleware, or add-on crate.
    ///
    /// Insert middleware uses this to fail an insertion with its own error:
    ///
    /// ```
    /// use riverqueue::{Error, ExtensionPhase};
    ///
    /// let error = Error::extension(ExtensionPhase::InsertMiddleware, "quota exceeded");
    /// assert_eq!(error.to_string(), "insert middleware failed");
    /// ```
    pub fn extension(phase: ExtensionPhase, source: impl Into<BoxError>) -> Self {
        Self::Extension {
            phase,
            source: source.into(),
        }
    }

    pub(crate) fn invalid_job(message: impl Into<String>) -> Self {
        Self::invalid_job_context("job", message)
    }

    pub(crate) fn invalid_job_context(context: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidJob(JobValidationError::new(context, message))
    }

    pub(crate) fn runtime_context(context: &'static str, message: impl Into<String>) -> Self {
        Self::Runtime(RuntimeError::new(context, message))
    }

    pub(crate) fn runtime_source(
        context: &'static str,
        message: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        Self::Runtime(RuntimeError {
            context,
            message: message.into(),
            source: Some(source.into()),
        })
    }

    pub(crate) const fn from_join(error: tokio::task::JoinError) -> Self {
        Self::RuntimeTask(error)
    }
}

/// Formats an error with its whole source chain, `outer: inner: innermost`,
/// for recorded job errors and River's own log lines.
///
/// An error whose message already ends with `: {source}`, as some libraries'
/// errors (including SQLx's) do, is shortened so the source's message
/// appears once; snafu's `CleanedErrorText` applies the same rule.
pub(crate) struct Chain<'a>(pub(crate) &'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut error = self.0;
        let mut message = error.to_string();
        let mut separator = "";
        loop {
            let Some(source) = error.source() else {
                return write!(formatter, "{separator}{message}");
            };
            let source_message = source.to_string();
            let own = message
                .strip_suffix(source_message.as_str())
                .and_then(|own| {
                    if own.is_empty() {
                        Some(own)
                    } else {
                        own.strip_suffix(": ")
                    }
                })
                .unwrap_or(&message);
            if !own.is_empty() {
                write!(formatter, "{separator}{own}")?;
                separator = ": ";
            }
            error = source;
            message = source_message;
        }
    }
}

/// Returns a caught panic's message, when it has one.
pub(crate) fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("non-string panic payload")
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    /// Renders an error the way `anyhow`'s `{:#}` does.
    fn report(error: &(dyn std::error::Error + 'static)) -> String {
        Chain(error).to_string()
    }

    #[test]
    fn chains_show_each_message_once() {
        #[derive(Debug, Error)]
        #[error("fetching user")]
        struct Outer(#[source] Repeats);

        /// Prints its source itself, as `sqlx::Error::Database` does.
        #[derive(Debug, Error)]
        #[error("query failed: {0}")]
        struct Repeats(#[source] std::io::Error);

        #[derive(Debug, Error)]
        #[error("{0}")]
        struct Same(#[source] std::io::Error);

        #[derive(Debug, Error)]
        #[error("retry 5")]
        struct Suffix(#[source] std::io::Error);

        let error = Outer(Repeats(std::io::Error::other("connection reset")));
        assert_eq!(
            report(&error),
            "fetching user: query failed: connection reset"
        );

        let error = Same(std::io::Error::other("connection reset"));
        assert_eq!(report(&error), "connection reset");

        // A source's message that merely ends the outer message isn't a
        // repeat.
        let error = Suffix(std::io::Error::other("5"));
        assert_eq!(report(&error), "retry 5: 5");
    }

    #[test]
    fn database_errors_are_transparent() {
        let error = Error::from(sqlx::Error::RowNotFound);
        assert!(matches!(error, Error::Database(sqlx::Error::RowNotFound)));
        assert_eq!(report(&error), sqlx::Error::RowNotFound.to_string());
    }

    #[test]
    fn extension_preserves_concrete_source() {
        let error = Error::extension(
            ExtensionPhase::InsertMiddleware,
            std::io::Error::other("failed"),
        );
        let source = error.source().unwrap();

        assert!(source.downcast_ref::<std::io::Error>().is_some());
        assert_eq!(report(&error), "insert middleware failed: failed");
    }

    #[test]
    fn reports_never_repeat_a_message() {
        let cases = [
            (
                Error::configuration("bad"),
                "invalid client configuration: bad",
            ),
            (Error::invalid_job("bad kind"), "invalid job: bad kind"),
            (Error::NotFound(Record::Job(42)), "job 42 not found"),
            (
                Error::NotFound(Record::Queue("default".to_owned())),
                r#"queue "default" not found"#,
            ),
            (
                Error::JobNotRunning {
                    state: JobState::Completed,
                },
                "job is completed, not running",
            ),
            (
                Error::ResumableStep {
                    name: "second".to_owned(),
                    source: "step failed".into(),
                },
                r#"resumable step "second" failed: step failed"#,
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(report(&error), expected);
        }
    }

    #[test]
    fn work_errors_are_transparent() {
        let inner = Error::extension(ExtensionPhase::ErrorHandler, "handler failed");
        let error = crate::WorkError::new(inner);

        assert_eq!(report(&error), "error handler failed: handler failed");
        assert!(matches!(
            error.downcast_ref::<Error>(),
            Some(Error::Extension {
                phase: ExtensionPhase::ErrorHandler,
                ..
            })
        ));
    }

    #[test]
    fn structured_runtime_error_preserves_context_and_source() {
        let error = Error::runtime_source(
            "resumable cursor",
            "cannot decode cursor",
            std::io::Error::other("bad JSON"),
        );
        let Error::Runtime(runtime) = &error else {
            panic!("expected runtime error");
        };

        assert_eq!(runtime.context(), "resumable cursor");
        assert_eq!(runtime.message(), "cannot decode cursor");
        assert!(
            error
                .source()
                .unwrap()
                .downcast_ref::<std::io::Error>()
                .is_some()
        );
        assert_eq!(
            report(&error),
            "resumable cursor: cannot decode cursor: bad JSON"
        );
    }
}

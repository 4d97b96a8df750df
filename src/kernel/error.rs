//! How a feature's work fails: a refusal to show the person, an event seen before, or a
//! failure below (the database, the job queue) that is logged and, when it may pass by
//! itself, retried.

/// What went wrong while handling something.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A refusal or a mistake to show the user; nothing was changed.
    #[error("{0}")]
    User(String),
    /// The event was applied before (a re-delivered update): nothing to do.
    #[error("event already handled")]
    Duplicate,
    #[error(transparent)]
    Failed(#[from] Failure),
}

/// A failure below the feature, kept with its cause chain for the log.
#[derive(Debug)]
pub struct Failure {
    /// It may pass by itself (the database went away): the work is offered again.
    pub transient: bool,
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

impl Failure {
    pub fn new(transient: bool, source: impl std::error::Error + Send + Sync + 'static) -> Failure {
        Failure { transient, source: Box::new(source) }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.source.fmt(f)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

impl ServiceError {
    /// Nothing was applied, and the same event can be tried again later.
    pub fn is_transient(&self) -> bool {
        matches!(self, ServiceError::Failed(f) if f.transient)
    }
}

pub type ServiceResult<T = super::Outcome> = Result<T, ServiceError>;

/// Refuses with a message for the person; nothing changes.
pub fn refuse<T>(message: impl Into<String>) -> ServiceResult<T> {
    Err(ServiceError::User(message.into()))
}

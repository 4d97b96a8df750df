//! What Deskmate does, independent of any messenger: each service takes an [`Actor`] and
//! typed arguments, commits its change, and returns the [`Effect`]s to deliver.

mod directory;
mod reminders;
mod tickets;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{ChannelRef, Platform};

pub use directory::{Directory, LinkGuard};

pub use crate::kernel::{Effect, Outcome};
pub use reminders::Reminders;
pub use tickets::Tickets;

use crate::domain::{Person, Role};
use crate::store::{Audit, StoreError};

/// The services the router drives.
#[derive(Clone)]
pub struct Services {
    pub directory: Directory,
    pub tickets: Tickets,
    pub reminders: Reminders,
}

/// Who is acting, from where, and when.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: Person,
    pub platform: Platform,
    /// Where they are acting.
    pub channel: ChannelRef,
    pub at: DateTime<Utc>,
    pub tz: Tz,
}

impl Actor {
    pub fn audit(&self) -> Audit {
        Audit { actor: Some(self.person.id), platform: self.platform, at: self.at }
    }

    pub fn is(&self, role: Role) -> bool {
        self.person.roles.allows(role)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A refusal or a mistake to show the user; nothing was changed.
    #[error("{0}")]
    User(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Jobs(#[from] crate::scheduler::SchedulerError),
    /// The event was applied before (a re-delivered update): nothing to do.
    #[error("event already handled")]
    Duplicate,
}

impl ServiceError {
    /// The database could not be reached or broke the transaction off: nothing was
    /// applied, and the same event can be tried again later.
    pub fn is_transient(&self) -> bool {
        match self {
            ServiceError::Store(e) => e.is_transient(),
            ServiceError::Jobs(crate::scheduler::SchedulerError::Store(e)) => e.is_transient(),
            ServiceError::Jobs(crate::scheduler::SchedulerError::River(riverqueue::Error::Database(e))) => {
                crate::store::is_transient(e)
            }
            _ => false,
        }
    }
}

pub type ServiceResult<T = Outcome> = Result<T, ServiceError>;

pub(crate) fn refuse<T>(message: String) -> ServiceResult<T> {
    Err(ServiceError::User(message))
}

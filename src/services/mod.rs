//! What Deskmate does, independent of any messenger: each service takes an [`Actor`] and
//! typed arguments, commits its change, and returns the [`Effect`]s to deliver.

mod directory;
mod reminders;
mod tickets;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{Body, ChannelRef, Platform};

pub use directory::{Directory, LinkGuard};
pub use reminders::Reminders;
pub use tickets::{ListScope, Tickets};

use crate::domain::{Person, PersonId, Role};
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

/// Something to say as a result of an action.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Answer the person who acted. `private` answers are seen only by them where the
    /// platform allows (a toast, an ephemeral reply).
    Reply { body: Body, private: bool },
    /// A refusal or an error: nothing changed. Seen only by the person where the platform
    /// makes that cheap (an ephemeral reply), else like a reply.
    Refusal { body: Body, private: bool },
    /// Post to every support-queue channel and remember the messages under `subject`.
    /// `coalesce` names the kind and label under which a flooded channel may sum it up
    /// ("ticket.new", "#12").
    PostToQueue { subject: String, body: Body, coalesce: Option<(String, String)> },
    /// Edit every message remembered under `subject`.
    UpdateNotices { subject: String, body: Body },
    /// A direct message to a person, on the platform they were last seen on where possible.
    Direct { person: PersonId, body: Body },
    /// A new message in a given channel (scheduled announcements, digests).
    PostTo { channel: ChannelRef, body: Body },
}

impl Effect {
    pub fn reply(text: impl Into<String>) -> Effect {
        Effect::Reply { body: Body::text(text), private: false }
    }
}

pub type Outcome = Vec<Effect>;

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

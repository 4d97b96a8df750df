//! Who acts: a person as Deskmate knows them, and the moment and place they act from.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{ChannelRef, Platform};

use super::{DeptId, Lang, PersonId, Role, RoleSet};

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: PersonId,
    pub display_name: String,
    /// `None` means the deployment's default zone.
    pub tz: Option<Tz>,
    pub dept: Option<DeptId>,
    pub roles: RoleSet,
    /// The language they read; `None` means the deployment's default.
    pub lang: Option<Lang>,
}

impl Person {
    pub fn name(&self) -> PersonName {
        PersonName { id: self.id, name: self.display_name.clone() }
    }
}

/// A person as shown next to something they did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub id: PersonId,
    pub name: String,
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
    /// The language they read (theirs, or the deployment's default).
    pub lang: Lang,
}

impl Actor {
    pub fn is(&self, role: Role) -> bool {
        self.person.roles.allows(role)
    }
}

impl Actor {
    /// The actor as the event log records them.
    pub fn audit(&self) -> Audit {
        Audit { actor: Some(self.person.id), platform: self.platform, at: self.at }
    }
}

/// Who changed something, from where, and when: written to the event log with the change.
#[derive(Debug, Clone, Copy)]
pub struct Audit {
    pub actor: Option<PersonId>,
    pub platform: Platform,
    pub at: DateTime<Utc>,
}

/// What an event-log entry records, named by the part that owns it (`ticket.claim`):
/// each owner keeps its actions in one enum, so the log's words are declared, not typed
/// ad hoc.
pub trait AuditAction: Copy {
    fn name(self) -> &'static str;
}

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::Platform;

use crate::kernel::Subject;

use super::{DeptId, PersonId, Priority, RoleSet, TicketId, TicketStatus};

#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    pub id: PersonId,
    pub display_name: String,
    /// `None` means the deployment's default zone.
    pub tz: Option<Tz>,
    pub dept: Option<DeptId>,
    pub roles: RoleSet,
}

/// A person as shown next to something they did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub id: PersonId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: DeptId,
    pub name: String,
    pub manager: Option<PersonName>,
    pub members: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: TicketId,
    pub title: String,
    pub priority: Priority,
    pub status: TicketStatus,
    pub requester: PersonName,
    pub assignee: Option<PersonName>,
    pub resolution: Option<String>,
    pub platform: Platform,
    pub created_at: DateTime<Utc>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Who closed it: the agent, another agent, or the requester withdrawing it.
    pub closed_by: Option<PersonName>,
}

impl Ticket {
    /// Agents may close any ticket; a requester may withdraw their own.
    pub fn may_be_closed_by(&self, person: &Person) -> bool {
        person.roles.allows(super::Role::Agent) || self.requester.id == person.id
    }

    /// What its notices and events are filed under.
    pub fn subject(&self) -> Subject {
        ticket_subject(self.id)
    }
}

pub fn ticket_subject(id: TicketId) -> Subject {
    Subject::new("ticket", id.0)
}

//! A work order and its life: states as enums, transitions as methods.

use chrono::{DateTime, Utc};
use deskmate_port::Platform;

use crate::kernel::{AuditAction, Person, PersonName, Role, Subject, id_type, named_enum};

id_type!(
    /// A work order; shown to people as `#<id>`.
    TicketId
);

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
        person.roles.allows(Role::Agent) || self.requester.id == person.id
    }

    /// What its notices and events are filed under.
    pub fn subject(&self) -> Subject {
        ticket_subject(self.id)
    }
}

pub fn ticket_subject(id: TicketId) -> Subject {
    Subject::new("ticket", id.0)
}

named_enum! {
    /// What the tickets feature records in the event log.
    pub enum TicketEvent {
        Open => "ticket.open",
        Claim => "ticket.claim",
        Close => "ticket.close",
    }
}

impl AuditAction for TicketEvent {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// Agents and managers see the whole queue; everyone else sees their own tickets.
pub fn sees_all_tickets(person: &Person) -> bool {
    person.roles.allows(Role::Agent) || person.roles.allows(Role::Manager)
}

named_enum! {
    pub enum Priority {
        Low => "low",
        Normal => "normal",
        High => "high",
        Urgent => "urgent",
    }
}

named_enum! {
    /// Where a ticket is in its life. Transitions are methods so an illegal one cannot be
    /// written; the store applies them with a guard on the old status so two racing agents
    /// cannot both succeed.
    pub enum TicketStatus {
        Open => "open",
        Claimed => "claimed",
        Closed => "closed",
    }
}

named_enum! {
    /// Which tickets `/ticket list` shows.
    pub enum ListScope {
        Open => "open",
        Claimed => "claimed",
        Closed => "closed",
        /// Open or claimed.
        Active => "active",
        All => "all",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("already claimed")]
    AlreadyClaimed,
    #[error("already closed")]
    AlreadyClosed,
}

impl TicketStatus {
    /// Still to be worked on: open or claimed.
    pub const ACTIVE: &[TicketStatus] = &[TicketStatus::Open, TicketStatus::Claimed];

    pub fn claim(self) -> Result<TicketStatus, TransitionError> {
        match self {
            TicketStatus::Open => Ok(TicketStatus::Claimed),
            TicketStatus::Claimed => Err(TransitionError::AlreadyClaimed),
            TicketStatus::Closed => Err(TransitionError::AlreadyClosed),
        }
    }

    pub fn close(self) -> Result<TicketStatus, TransitionError> {
        match self {
            TicketStatus::Open | TicketStatus::Claimed => Ok(TicketStatus::Closed),
            TicketStatus::Closed => Err(TransitionError::AlreadyClosed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        assert_eq!(TicketStatus::Open.claim(), Ok(TicketStatus::Claimed));
        assert_eq!(TicketStatus::Claimed.claim(), Err(TransitionError::AlreadyClaimed));
        assert_eq!(TicketStatus::Closed.claim(), Err(TransitionError::AlreadyClosed));
        assert_eq!(TicketStatus::Claimed.close(), Ok(TicketStatus::Closed));
        assert_eq!(TicketStatus::Closed.close(), Err(TransitionError::AlreadyClosed));
    }

    #[test]
    fn names_parse_back() {
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse(), Ok(p));
        }
        for s in TicketStatus::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
        assert!("medium".parse::<Priority>().is_err());
    }
}

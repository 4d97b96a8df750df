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
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<PersonName>,
    /// Its category's name (`[[tickets.categories]]`), if it has one.
    pub category: Option<String>,
    /// The ticket it was merged into, as a duplicate.
    pub merged_into: Option<TicketId>,
    pub sla: Sla,
}

/// What a ticket's clock runs toward next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    FirstResponse(DateTime<Utc>),
    Resolution(DateTime<Utc>),
    /// Stopped while the ticket waits on its requester, with the business time left.
    Paused(chrono::Duration),
}

impl Ticket {
    /// The target its clock runs toward next: the first response until there is one,
    /// then the resolution; none once it is done (or has no targets).
    pub fn next_target(&self) -> Option<Next> {
        if !TicketStatus::ACTIVE.contains(&self.status) {
            return None;
        }
        let sla = self.sla;
        if let (None, Some(due)) = (sla.first_response_at, sla.first_due) {
            return Some(Next::FirstResponse(due));
        }
        if let Some(left) = sla.resolve_left {
            return Some(Next::Paused(left));
        }
        sla.resolve_due.map(Next::Resolution)
    }
}

/// A ticket's service-level clock: when it was first answered, when its first response
/// and its resolution are due (in its team's business hours); while it waits on its
/// requester the resolution clock stops, keeping the business time it had left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sla {
    pub first_response_at: Option<DateTime<Utc>>,
    pub first_due: Option<DateTime<Utc>>,
    pub resolve_due: Option<DateTime<Utc>>,
    pub resolve_left: Option<chrono::Duration>,
}

impl Ticket {
    /// Agents may close any ticket; a requester may withdraw their own.
    pub fn may_be_closed_by(&self, person: &Person) -> bool {
        person.roles.allows(Role::Agent) || self.is_requester(person)
    }

    pub fn is_requester(&self, person: &Person) -> bool {
        self.requester.id == person.id
    }

    pub fn is_assignee(&self, person: &Person) -> bool {
        self.assignee.as_ref().is_some_and(|a| a.id == person.id)
    }

    /// When its requester's window to reopen it began: when it was resolved, or closed
    /// if it never was.
    pub fn done_at(&self) -> Option<DateTime<Utc>> {
        self.resolved_at.or(self.closed_at)
    }

    /// What its notices and events are filed under.
    pub fn subject(&self) -> Subject {
        ticket_subject(self.id)
    }
}

/// One message of a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketMessage {
    pub author: PersonName,
    /// An internal note: never shown to the requester.
    pub internal: bool,
    pub body: String,
    pub platform: Platform,
    pub at: DateTime<Utc>,
}

/// What a ticket's notices and history are filed under: `ticket:12`.
pub const SUBJECT_KIND: &str = "ticket";

pub fn ticket_subject(id: TicketId) -> Subject {
    Subject::new(SUBJECT_KIND, id.0)
}

named_enum! {
    /// What the tickets feature records in the event log.
    pub enum TicketEvent {
        Open => "ticket.open",
        Claim => "ticket.claim",
        Start => "ticket.start",
        /// Back in progress: the requester answered.
        Answer => "ticket.answer",
        Wait => "ticket.wait",
        Resolve => "ticket.resolve",
        Close => "ticket.close",
        Reopen => "ticket.reopen",
        Assign => "ticket.assign",
        Unassign => "ticket.unassign",
        Recategorize => "ticket.move",
        /// Closed: it waited on its requester too long.
        Lapse => "ticket.lapse",
        Reply => "ticket.reply",
        /// An internal note: its words are in the conversation, seen by agents only.
        Note => "ticket.note",
        Tag => "ticket.tag",
        /// Merged into another ticket (the detail names it).
        Merge => "ticket.merge",
        /// Took a duplicate in (the detail names it).
        Absorb => "ticket.absorb",
        Link => "ticket.link",
        /// Closed: resolved, and nobody reopened it.
        Settle => "ticket.settle",
        /// A service-level deadline moved later (the detail says how much and why).
        Extend => "ticket.extend",
        /// Its priority changed (the detail says from what to what).
        Reprioritize => "ticket.priority",
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
    /// Where a ticket is in its life: open → claimed → in progress ⇄ waiting on the
    /// requester → resolved → closed, and back by reopening. Transitions are
    /// [`TicketStatus::after`]; the store applies them with a guard on the old status so
    /// two racing agents cannot both succeed.
    pub enum TicketStatus {
        Open => "open",
        Claimed => "claimed",
        InProgress => "in_progress",
        Waiting => "waiting",
        Resolved => "resolved",
        Closed => "closed",
    }
}

named_enum! {
    /// How a category's new tickets find their agent.
    pub enum Assignment {
        /// An agent claims it from the queue.
        Manual => "manual",
        /// Each eligible agent in turn, fairly across restarts and instances.
        RoundRobin => "round_robin",
        /// The eligible agent holding the fewest tickets.
        LeastOpen => "least_open",
    }
}

named_enum! {
    /// Which tickets `/ticket list` shows.
    pub enum ListScope {
        Open => "open",
        Claimed => "claimed",
        /// In progress or waiting on the requester.
        Working => "working",
        Resolved => "resolved",
        Closed => "closed",
        /// Anything not resolved or closed.
        Active => "active",
        All => "all",
    }
}

named_enum! {
    /// What can happen to a ticket; each is one transition of [`TicketStatus`] and one
    /// entry of the ticket's history (`ticket.<move>`).
    pub enum Move {
        Claim => "claim",
        Start => "start",
        Wait => "wait",
        Resolve => "resolve",
        Close => "close",
        Reopen => "reopen",
        /// Given to an agent (by an agent, or by the category's rotation).
        Assign => "assign",
        /// Its agent taken off it: back to the queue.
        Unassign => "unassign",
    }
}

/// A move the ticket's status does not allow: where it is, and what it allows instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {from} ticket cannot {tried}")]
pub struct TransitionError {
    pub from: TicketStatus,
    pub tried: Move,
    /// What the status allows, in the order of [`Move::ALL`]; empty for none.
    pub allowed: Vec<Move>,
}

impl TicketStatus {
    /// Still to be worked on: not resolved, not closed.
    pub const ACTIVE: &[TicketStatus] =
        &[TicketStatus::Open, TicketStatus::Claimed, TicketStatus::InProgress, TicketStatus::Waiting];

    /// Someone holds it and it is not done: claimed, in progress or waiting.
    pub const fn is_held(self) -> bool {
        matches!(self, TicketStatus::Claimed | TicketStatus::InProgress | TicketStatus::Waiting)
    }

    /// The status `tried` leads to from this one. A reopened ticket goes back to its
    /// agent, in progress, or to the queue when it never had one (`assigned`).
    pub fn after(self, tried: Move, assigned: bool) -> Result<TicketStatus, TransitionError> {
        self.target(tried, assigned).ok_or_else(|| TransitionError {
            from: self,
            tried,
            allowed: Move::ALL.into_iter().filter(|m| self.allows(*m)).collect(),
        })
    }

    pub fn allows(self, tried: Move) -> bool {
        self.target(tried, true).is_some()
    }

    fn target(self, tried: Move, assigned: bool) -> Option<TicketStatus> {
        use TicketStatus as S;
        match (self, tried) {
            (S::Open, Move::Claim) => Some(S::Claimed),
            (S::Claimed | S::Waiting, Move::Start) => Some(S::InProgress),
            (S::Claimed | S::InProgress, Move::Wait) => Some(S::Waiting),
            (S::Claimed | S::InProgress | S::Waiting, Move::Resolve) => Some(S::Resolved),
            (S::Open | S::Claimed | S::InProgress | S::Waiting | S::Resolved, Move::Close) => Some(S::Closed),
            (S::Resolved | S::Closed, Move::Reopen) => Some(if assigned { S::InProgress } else { S::Open }),
            (S::Open, Move::Assign) => Some(S::Claimed),
            (s, Move::Assign) if s.is_held() => Some(s),
            (s, Move::Unassign) if s.is_held() => Some(S::Open),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions() {
        use TicketStatus as S;
        assert_eq!(S::Open.after(Move::Claim, false), Ok(S::Claimed));
        assert_eq!(S::Claimed.after(Move::Start, true), Ok(S::InProgress));
        assert_eq!(S::InProgress.after(Move::Wait, true), Ok(S::Waiting));
        assert_eq!(S::Waiting.after(Move::Start, true), Ok(S::InProgress));
        assert_eq!(S::Waiting.after(Move::Resolve, true), Ok(S::Resolved));
        assert_eq!(S::Resolved.after(Move::Close, true), Ok(S::Closed));
        assert_eq!(S::Resolved.after(Move::Reopen, true), Ok(S::InProgress));
        assert_eq!(S::Closed.after(Move::Reopen, false), Ok(S::Open));
        // A requester may withdraw an open ticket.
        assert_eq!(S::Open.after(Move::Close, false), Ok(S::Closed));
        let refused = S::Open.after(Move::Resolve, false).expect_err("refused");
        assert_eq!(refused.allowed, vec![Move::Claim, Move::Close, Move::Assign]);
        // Assigning keeps a held ticket's status; unassigning puts it back in the queue.
        assert_eq!(S::Waiting.after(Move::Assign, true), Ok(S::Waiting));
        assert_eq!(S::InProgress.after(Move::Unassign, true), Ok(S::Open));
        assert!(!S::Open.allows(Move::Unassign) && !S::Resolved.allows(Move::Assign));
        assert_eq!(S::Closed.after(Move::Claim, true).expect_err("refused").allowed, vec![Move::Reopen]);
        assert_eq!(S::Claimed.after(Move::Claim, true).expect_err("refused").from, S::Claimed);
        // Every status but closed can be closed; only resolved and closed can be reopened.
        for s in S::ALL {
            assert_eq!(s.allows(Move::Close), s != S::Closed);
            assert_eq!(s.allows(Move::Reopen), matches!(s, S::Resolved | S::Closed));
        }
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

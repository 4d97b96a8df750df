//! A request, its steps and their approvers: states as enums.

use chrono::{DateTime, Utc};

use crate::kernel::{AuditAction, PersonId, PersonName, Subject, id_type, named_enum};

id_type!(
    /// An approval request; shown to people as `#<id>`.
    RequestId
);
id_type!(
    /// One step of one round of a request.
    StepId
);
id_type!(
    /// One approver's place in a step: their prompt and their decision.
    SeatId
);

named_enum! {
    pub enum RequestStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        /// Changes were requested: the requester may resubmit.
        Changes => "changes",
        Withdrawn => "withdrawn",
    }
}

named_enum! {
    pub enum StepStatus {
        /// A later step of the route, not started.
        Waiting => "waiting",
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        Changes => "changes",
        /// The request was withdrawn, or decided before the step was reached.
        Cancelled => "cancelled",
    }
}

named_enum! {
    /// How a step with several approvers is decided.
    pub enum Rule {
        One => "one",
        /// The first decision of any one of them.
        Any => "any",
        /// Every one of them approves (one rejection decides).
        All => "all",
    }
}

named_enum! {
    /// An approver's place in a step.
    pub enum SeatState {
        Waiting => "waiting",
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
        Changes => "changes",
        /// Another approver decided the step.
        Passed => "passed",
        Cancelled => "cancelled",
    }
}

named_enum! {
    /// What an approver decides.
    pub enum Decision {
        Approve => "approve",
        Reject => "reject",
        Changes => "changes",
    }
}

impl Decision {
    pub fn seat_state(self) -> SeatState {
        match self {
            Decision::Approve => SeatState::Approved,
            Decision::Reject => SeatState::Rejected,
            Decision::Changes => SeatState::Changes,
        }
    }

    /// A reason is asked for everything but approval.
    pub fn needs_reason(self) -> bool {
        self != Decision::Approve
    }
}

named_enum! {
    /// What approvals record in the event log.
    pub enum ApprovalEvent {
        Request => "approval.request",
        Approve => "approval.approve",
        Reject => "approval.reject",
        Changes => "approval.changes",
        Withdraw => "approval.withdraw",
        Resubmit => "approval.resubmit",
        StepApproved => "approval.step",
        Outcome => "approval.outcome",
        Remind => "approval.remind",
        Escalate => "approval.escalate",
        Delegate => "approval.delegate",
        Undelegate => "approval.undelegate",
    }
}

impl AuditAction for ApprovalEvent {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl From<Decision> for ApprovalEvent {
    fn from(d: Decision) -> Self {
        match d {
            Decision::Approve => ApprovalEvent::Approve,
            Decision::Reject => ApprovalEvent::Reject,
            Decision::Changes => ApprovalEvent::Changes,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: RequestId,
    /// The type's name.
    pub kind: String,
    pub requester: PersonName,
    /// Field name and written value, in the type's order.
    pub fields: Vec<(String, String)>,
    pub status: RequestStatus,
    pub round: i64,
    /// The position of the current step.
    pub step: i64,
    /// Where it was made.
    pub platform: deskmate_port::Platform,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl Request {
    pub fn subject(&self) -> Subject {
        request_subject(self.id)
    }

    pub fn is_open(&self) -> bool {
        self.status == RequestStatus::Pending
    }
}

pub fn request_subject(id: RequestId) -> Subject {
    Subject::new("approval", id.0)
}

/// The prompt of one approver's seat is remembered under this, so it is edited when the
/// seat's step is decided.
pub fn seat_subject(id: SeatId) -> Subject {
    Subject::new("approval-seat", id.0)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: StepId,
    pub round: i64,
    pub position: i64,
    pub label: String,
    pub rule: Rule,
    pub status: StepStatus,
    pub note: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub seats: Vec<Seat>,
}

impl Step {
    /// The seat of an approver, or of someone they decide for.
    pub fn seat_of(&self, person: PersonId) -> Option<&Seat> {
        self.seats.iter().find(|s| s.approver.id == person)
    }

    /// Who decided it, for "already approved by …".
    pub fn deciders(&self) -> Vec<&Seat> {
        self.seats.iter().filter(|s| s.decided_by.is_some()).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Seat {
    pub id: SeatId,
    pub approver: PersonName,
    pub state: SeatState,
    /// Who pressed: the approver, or their delegate.
    pub decided_by: Option<PersonName>,
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

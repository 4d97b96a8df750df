use crate::kernel::named_enum;

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

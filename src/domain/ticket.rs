use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Priority {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Priority::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s)).ok_or(())
    }
}

/// Where a ticket is in its life. Transitions are methods so an illegal one cannot be
/// written; the store applies them with a guard on the old status so two racing agents
/// cannot both succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStatus {
    Open,
    Claimed,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("already claimed")]
    AlreadyClaimed,
    #[error("already closed")]
    AlreadyClosed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 3] = [TicketStatus::Open, TicketStatus::Claimed, TicketStatus::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Claimed => "claimed",
            TicketStatus::Closed => "closed",
        }
    }

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

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TicketStatus {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TicketStatus::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s)).ok_or(())
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

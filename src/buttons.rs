//! What a button does, encoded into its short id. The id is never trusted: the router
//! decodes it and the service checks the presser's rights like for a typed command.

use crate::domain::TicketId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    ClaimTicket(TicketId),
}

impl ButtonAction {
    pub fn encode(self) -> String {
        match self {
            ButtonAction::ClaimTicket(id) => format!("claim:{id}"),
        }
    }

    pub fn decode(id: &str) -> Option<ButtonAction> {
        let (verb, arg) = id.split_once(':')?;
        match verb {
            "claim" => arg.parse().ok().filter(|n| *n > 0).map(|n| ButtonAction::ClaimTicket(TicketId(n))),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let a = ButtonAction::ClaimTicket(TicketId(42));
        assert_eq!(ButtonAction::decode(&a.encode()), Some(a));
        for bad in ["", "claim", "claim:", "claim:x", "claim:-1", "drop:1"] {
            assert_eq!(ButtonAction::decode(bad), None, "{bad}");
        }
        assert!(a.encode().len() <= 64, "fits Telegram's callback data");
    }
}

//! What a button does, encoded into its short id. The id is never trusted: the router
//! decodes it and the service checks the presser's rights like for a typed command.

use crate::domain::TicketId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonAction {
    ClaimTicket(TicketId),
    /// Asks the presser for a resolution note, then closes the ticket.
    ResolveTicket(TicketId),
}

impl ButtonAction {
    pub fn encode(self) -> String {
        match self {
            ButtonAction::ClaimTicket(id) => format!("claim:{id}"),
            ButtonAction::ResolveTicket(id) => format!("resolve:{id}"),
        }
    }

    pub fn decode(id: &str) -> Option<ButtonAction> {
        let (verb, arg) = id.split_once(':')?;
        let ticket = || arg.parse().ok().filter(|n| *n > 0).map(TicketId);
        match verb {
            "claim" => ticket().map(ButtonAction::ClaimTicket),
            "resolve" => ticket().map(ButtonAction::ResolveTicket),
            _ => None,
        }
    }
}

/// What answering a question does, stored with the question. Like a button, the answer
/// runs as whoever gives it, checked again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptAction {
    /// The answer is the resolution note.
    CloseTicket(TicketId),
}

impl PromptAction {
    pub fn encode(self) -> String {
        match self {
            PromptAction::CloseTicket(id) => format!("close:{id}"),
        }
    }

    pub fn decode(action: &str) -> Option<PromptAction> {
        match action.split_once(':')? {
            ("close", n) => n.parse().ok().filter(|n| *n > 0).map(|n| PromptAction::CloseTicket(TicketId(n))),
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
        let r = ButtonAction::ResolveTicket(TicketId(i64::MAX));
        assert_eq!(ButtonAction::decode(&r.encode()), Some(r));
        for bad in ["", "claim", "claim:", "claim:x", "claim:-1", "drop:1", "resolve:0"] {
            assert_eq!(ButtonAction::decode(bad), None, "{bad}");
        }
        assert!(r.encode().len() <= deskmate_port::MAX_BUTTON_ID_LEN, "fits Telegram's callback data");
        let p = PromptAction::CloseTicket(TicketId(7));
        assert_eq!(PromptAction::decode(&p.encode()), Some(p));
        assert_eq!(PromptAction::decode("close:x"), None);
    }
}

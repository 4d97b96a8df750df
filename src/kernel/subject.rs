//! What notices and history are filed under: a kind and a number (`ticket 12`), written
//! `ticket:12` in the database.

use std::fmt;

/// A thing with notices and a history, e.g. a ticket or a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Subject {
    pub kind: &'static str,
    pub id: i64,
}

impl Subject {
    pub const fn new(kind: &'static str, id: i64) -> Subject {
        Subject { kind, id }
    }
}

/// Messages in a subject's conversation (a ticket's thread) are filed under its name
/// with this prefix: a reply to one finds the subject, and edits of its notices leave
/// them alone.
const CONVERSATION: &str = "talk:";

impl Subject {
    /// What the messages of this subject's conversation are filed under.
    pub fn conversation(&self) -> String {
        format!("{CONVERSATION}{self}")
    }

    /// The kind and number a message was filed under (`ticket:12`, or its conversation's
    /// `talk:ticket:12`); `None` for what is not a subject's.
    pub fn parse_filed(filed: &str) -> Option<(&str, i64)> {
        let filed = filed.strip_prefix(CONVERSATION).unwrap_or(filed);
        let (kind, id) = filed.split_once(':')?;
        Some((kind, id.parse().ok()?))
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.id)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn written_as_kind_and_number() {
        assert_eq!(super::Subject::new("ticket", 12).to_string(), "ticket:12");
    }

    #[test]
    fn a_conversation_names_its_subject() {
        let subject = super::Subject::new("ticket", 12);
        assert_eq!(subject.conversation(), "talk:ticket:12");
        assert_eq!(super::Subject::parse_filed(&subject.conversation()), Some(("ticket", 12)));
        assert_eq!(super::Subject::parse_filed("ticket:12"), Some(("ticket", 12)));
        assert_eq!(super::Subject::parse_filed("prompt:x"), None);
    }
}

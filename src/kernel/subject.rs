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
}

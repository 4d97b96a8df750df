//! The button codec: a button's id (and a question's stored action) is
//! `namespace:verb:arg:…`, e.g. `tk:claim:12` or an RSVP `mtg:7:acc:20261201`, within
//! Telegram's 64 bytes of callback data. The namespace finds the feature; the feature
//! decodes the rest and checks the presser's rights like for a typed command, so the id
//! itself is never trusted.

use std::fmt::Display;
use std::str::FromStr;

use deskmate_port::MAX_BUTTON_ID_LEN;

/// A decoded button id or question action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pressed {
    pub namespace: String,
    pub verb: String,
    pub args: Vec<String>,
}

impl Pressed {
    /// Argument `i`, parsed.
    pub fn arg<T: FromStr>(&self, i: usize) -> Option<T> {
        self.args.get(i)?.parse().ok()
    }

    /// Argument `i` as a positive id.
    pub fn id(&self, i: usize) -> Option<i64> {
        self.arg::<i64>(i).filter(|n| *n > 0)
    }
}

/// Writes a button id. Arguments are short words or numbers without `:`.
pub fn encode(namespace: &str, verb: &str, args: &[&dyn Display]) -> String {
    let mut id = format!("{namespace}:{verb}");
    for arg in args {
        id.push(':');
        id.push_str(&arg.to_string());
    }
    debug_assert!(id.len() <= MAX_BUTTON_ID_LEN, "button id `{id}` is longer than {MAX_BUTTON_ID_LEN} bytes");
    id
}

/// Reads a button id: `None` for anything malformed (an old or forged button).
pub fn decode(id: &str) -> Option<Pressed> {
    if id.len() > MAX_BUTTON_ID_LEN {
        return None;
    }
    let mut parts = id.split(':');
    let namespace = parts.next().filter(|p| !p.is_empty())?.to_owned();
    let verb = parts.next().filter(|p| !p.is_empty())?.to_owned();
    let args: Vec<String> = parts.map(str::to_owned).collect();
    if args.iter().any(String::is_empty) {
        return None;
    }
    Some(Pressed { namespace, verb, args })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let id = encode("tk", "claim", &[&42]);
        assert_eq!(id, "tk:claim:42");
        let pressed = decode(&id).expect("decodes");
        assert_eq!((pressed.namespace.as_str(), pressed.verb.as_str(), pressed.id(0)), ("tk", "claim", Some(42)));
        let rsvp = encode("mtg", "7", &[&"acc", &20261201]);
        assert_eq!(decode(&rsvp).expect("decodes").args, ["acc", "20261201"]);
        for bad in ["", "tk", "tk:", ":claim", "tk:claim:", "tk::1"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
        assert_eq!(decode("tk:claim:x").expect("decodes").id(0), None);
        assert_eq!(decode("tk:claim:-1").expect("decodes").id(0), None);
        assert_eq!(decode(&"x".repeat(65)), None);
        assert!(encode("tk", "resolve", &[&i64::MAX]).len() <= MAX_BUTTON_ID_LEN);
    }
}

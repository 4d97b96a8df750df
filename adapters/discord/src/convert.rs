//! Discord interactions and messages → port events; slash command options → the command
//! line the core parses; the reply handles that lead back.

use deskmate_port::{Account, ChannelKind, ChannelRef, IncomingFile, MenuCommand, Placement, Platform};
use serenity::all::{Attachment, ResolvedOption, ResolvedValue, User};

/// What the adapter needs to answer an event; encoded into `InboundEvent::reply_handle`
/// (and so kept in the outbox, where any instance may pick a reply up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handle {
    /// An interaction: answered through its token for 15 minutes, by message after.
    Interaction { id: u64, at_ms: i64, user: u64, token: String },
    /// A plain message (a DM, a mention of the bot, a reply to a question).
    Message { id: u64, user: u64 },
}

impl Handle {
    pub fn encode(&self) -> String {
        match self {
            Handle::Interaction { id, at_ms, user, token } => format!("i:{id}:{at_ms}:{user}:{token}"),
            Handle::Message { id, user } => format!("m:{id}:{user}"),
        }
    }

    pub fn decode(s: &str) -> Option<Handle> {
        let mut parts = s.splitn(5, ':');
        match parts.next()? {
            "i" => {
                let id = parts.next()?.parse().ok()?;
                let at_ms = parts.next()?.parse().ok()?;
                let user = parts.next()?.parse().ok()?;
                let token = parts.next().filter(|t| !t.is_empty())?.to_owned();
                Some(Handle::Interaction { id, at_ms, user, token })
            }
            "m" => {
                let id = parts.next()?.parse().ok()?;
                let user = parts.next()?.parse().ok()?;
                parts.next().is_none().then_some(Handle::Message { id, user })
            }
            _ => None,
        }
    }
}

pub fn account(user: &User) -> Account {
    Account {
        platform: Platform::Discord,
        id: user.id.get().to_string(),
        handle: Some(user.name.clone()),
        display_name: user.global_name.clone().unwrap_or_else(|| user.name.clone()),
    }
}

pub fn channel(id: u64, direct: bool) -> ChannelRef {
    ChannelRef {
        platform: Platform::Discord,
        id: id.to_string(),
        kind: if direct { ChannelKind::Direct } else { ChannelKind::Group },
    }
}

/// A file attached to a command or a message, fetched from its URL before the event goes
/// to the core.
pub fn incoming(a: &Attachment) -> IncomingFile {
    IncomingFile {
        name: a.filename.clone(),
        mime: a.content_type.clone().unwrap_or_else(|| "application/octet-stream".to_owned()),
        size: a.size as usize,
        locator: a.url.clone(),
    }
}

/// The files a slash command's attachment options carry, in a subcommand or not.
pub fn attachments(options: &[ResolvedOption<'_>]) -> Vec<IncomingFile> {
    options
        .iter()
        .flat_map(|o| match &o.value {
            ResolvedValue::Attachment(a) => vec![incoming(a)],
            ResolvedValue::SubCommand(inner) | ResolvedValue::SubCommandGroup(inner) => attachments(inner),
            _ => Vec::new(),
        })
        .collect()
}

/// The command line a slash command stands for, and the people its options named.
/// `/ticket new title:"A b" priority:high` becomes `/ticket new "A b" priority:high`:
/// positional values in order, the rest-of-line value last, keyed ones as `key:value`.
pub fn command_line(name: &str, options: &[ResolvedOption<'_>], menu: &[MenuCommand]) -> (String, Vec<Account>) {
    let mut words = vec![format!("/{name}")];
    let mut people = Vec::new();
    let mut spec = menu.iter().find(|c| c.name == name);
    let mut options = options;
    let sub_options;
    if let Some(ResolvedOption { name: sub, value: ResolvedValue::SubCommand(inner), .. }) = options.first() {
        words.push((*sub).to_owned());
        spec = spec.and_then(|s| s.subcommands.iter().find(|c| c.name == *sub));
        sub_options = inner.clone();
        options = &sub_options;
    }
    let declared = spec.map(|s| s.options.as_slice()).unwrap_or_default();
    let value_of = |option: &ResolvedOption<'_>, people: &mut Vec<Account>| -> Option<String> {
        match &option.value {
            ResolvedValue::String(s) => Some(plain_mentions(s)),
            ResolvedValue::Integer(n) => Some(n.to_string()),
            ResolvedValue::Number(n) => Some(n.to_string()),
            ResolvedValue::Boolean(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
            ResolvedValue::User(user, _) => {
                people.push(account(user));
                Some(format!("@{}", user.name))
            }
            _ => None,
        }
    };
    let mut rest = None;
    for spec in declared {
        let Some(option) = options.iter().find(|o| o.name == spec.name) else { continue };
        let Some(value) = value_of(option, &mut people) else { continue };
        match spec.placement {
            Placement::Positional => words.push(quote(&value)),
            Placement::Keyed => words.push(format!("{}:{}", spec.name, quote(&value))),
            Placement::Rest => rest = Some(value),
        }
    }
    if let Some(rest) = rest {
        words.push(rest);
    }
    (words.join(" "), people)
}

/// `<@123>` and `<@!123>` (a person picked from Discord's mention list inside a text
/// option) as `@123`, which the core reads as that account.
fn plain_mentions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("<@") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let digits_from = usize::from(after.starts_with('!'));
        let digits: &str = &after[digits_from..];
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        if end > 0 && digits[end..].starts_with('>') {
            out.push('@');
            out.push_str(&digits[..end]);
            rest = &digits[end + 1..];
        } else {
            out.push_str("<@");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// One word for the parser: quoted when it has spaces, with curly quotes when it holds
/// straight ones (the parser reads both).
fn quote(value: &str) -> String {
    if !value.is_empty() && !value.contains(char::is_whitespace) && !value.contains(['"', '“', '”']) {
        value.to_owned()
    } else if !value.contains('"') {
        format!("\"{value}\"")
    } else {
        format!("“{}”", value.replace(['“', '”'], "\""))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn mentions_picked_in_a_text_option_become_account_ids() {
        assert_eq!(plain_mentions("with <@123> <@!45>, #Sales"), "with @123 @45, #Sales");
        assert_eq!(plain_mentions("a <@ b <@x> <@12"), "a <@ b <@x> <@12");
        assert_eq!(plain_mentions("café <@7>"), "café @7");
    }

    use super::*;

    #[test]
    fn handles_round_trip() {
        for h in [
            Handle::Interaction { id: 1, at_ms: 2, user: 3, token: "aW50:ZXJ-hY3Rpb24".into() },
            Handle::Message { id: 4, user: 5 },
        ] {
            assert_eq!(Handle::decode(&h.encode()), Some(h));
        }
        for bad in ["", "i:1:2:3:", "m:1", "m:x:1", "q:1:2"] {
            assert_eq!(Handle::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn words_are_quoted_for_the_parser() {
        assert_eq!(quote("high"), "high");
        assert_eq!(quote("two words"), "\"two words\"");
        assert_eq!(quote("say \"hi\""), "“say \"hi\"”");
    }
}

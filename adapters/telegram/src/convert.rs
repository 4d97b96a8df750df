//! Telegram updates → port events, and the reply handles that lead back to them.

use deskmate_port::{Account, ChannelKind, ChannelRef, EventKind, InboundEvent, MessageRef, Platform};
use teloxide::types::{CallbackQuery, Chat, Message, Update, UpdateKind, User, UserId};

/// What the adapter needs to answer an event; encoded into `InboundEvent::reply_handle`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handle {
    /// A typed message: replies quote it; private replies go to the author's DM.
    Message { message_id: i32, user: u64 },
    /// A button press: private replies are a toast on the query; others quote the
    /// message that holds the button.
    Callback { query_id: String, message_id: i32, user: u64 },
}

impl Handle {
    pub fn encode(&self) -> String {
        match self {
            Handle::Message { message_id, user } => format!("m:{message_id}:{user}"),
            Handle::Callback { query_id, message_id, user } => format!("cb:{message_id}:{user}:{query_id}"),
        }
    }

    pub fn decode(s: &str) -> Option<Handle> {
        let mut parts = s.splitn(4, ':');
        match (parts.next()?, parts.next()?.parse().ok()?, parts.next()?.parse().ok()?, parts.next()) {
            ("m", message_id, user, None) => Some(Handle::Message { message_id, user }),
            ("cb", message_id, user, Some(query_id)) if !query_id.is_empty() => {
                Some(Handle::Callback { query_id: query_id.to_owned(), message_id, user })
            }
            _ => None,
        }
    }
}

/// Who the bot is, for telling commands meant for it from commands for other bots.
#[derive(Debug, Clone)]
pub struct BotIdentity {
    pub id: UserId,
    pub username: String,
}

/// The port event for an update, or `None` for updates Deskmate does not act on (chat
/// that is not a command, other bots' commands, service messages).
pub fn event(update: &Update, me: &BotIdentity) -> Option<InboundEvent> {
    let id = update.id.0.to_string();
    match &update.kind {
        UpdateKind::Message(message) => from_message(id, message, me),
        UpdateKind::CallbackQuery(query) => from_callback(id, query),
        _ => None,
    }
}

fn from_message(id: String, message: &Message, me: &BotIdentity) -> Option<InboundEvent> {
    let user = message.from.as_ref().filter(|u| !u.is_bot)?;
    let text = message.text()?.trim();
    let channel = channel(&message.chat);
    let kind = if text.starts_with('/') {
        EventKind::Command { text: command_for_me(text, &me.username)? }
    } else if let Some(question) = message.reply_to_message().filter(|m| m.from.as_ref().map(|u| u.id) == Some(me.id)) {
        EventKind::Answer {
            prompt: None,
            replied_to: Some(MessageRef { channel: channel.clone(), message_id: question.id.0.to_string() }),
            text: text.to_owned(),
        }
    } else if channel.kind == ChannelKind::Direct {
        // In a private chat everything is meant for the bot; the core explains what a
        // command looks like.
        EventKind::Command { text: text.to_owned() }
    } else {
        return None;
    };
    let mentions = message.mentioned_users().filter(|u| !u.is_bot && u.id != user.id).map(account).collect();
    Some(InboundEvent {
        id,
        platform: Platform::Telegram,
        channel,
        author: account(user),
        author_roles: Vec::new(),
        mentions,
        at: message.date,
        kind,
        reply_handle: Handle::Message { message_id: message.id.0, user: user.id.0 }.encode(),
    })
}

fn from_callback(id: String, query: &CallbackQuery) -> Option<InboundEvent> {
    let data = query.data.as_ref()?;
    let message = query.message.as_ref()?;
    let channel = channel(message.chat());
    let message_id = message.id().0;
    Some(InboundEvent {
        id,
        platform: Platform::Telegram,
        channel: channel.clone(),
        author: account(&query.from),
        author_roles: Vec::new(),
        mentions: Vec::new(),
        at: chrono::Utc::now(),
        kind: EventKind::Button {
            button_id: data.clone(),
            message: Some(MessageRef { channel, message_id: message_id.to_string() }),
        },
        reply_handle: Handle::Callback { query_id: query.id.0.clone(), message_id, user: query.from.id.0 }.encode(),
    })
}

/// `/cmd@deskmate_bot args` → `/cmd args`; `None` when addressed to another bot.
/// `/start` (what Telegram sends when someone opens the bot) asks for help.
fn command_for_me(text: &str, username: &str) -> Option<String> {
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let name = match first.split_once('@') {
        Some((name, bot)) if bot.eq_ignore_ascii_case(username) => name,
        Some(_) => return None,
        None => first,
    };
    let name = if name.eq_ignore_ascii_case("/start") { "/help" } else { name };
    Some(if rest.is_empty() { name.to_owned() } else { format!("{name} {}", rest.trim_start()) })
}

pub fn channel(chat: &Chat) -> ChannelRef {
    ChannelRef {
        platform: Platform::Telegram,
        id: chat.id.0.to_string(),
        kind: if chat.is_private() { ChannelKind::Direct } else { ChannelKind::Group },
    }
}

pub fn account(user: &User) -> Account {
    Account {
        platform: Platform::Telegram,
        id: user.id.0.to_string(),
        handle: user.username.clone(),
        display_name: user.full_name(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_round_trip() {
        for h in [
            Handle::Message { message_id: 7, user: 42 },
            Handle::Callback { query_id: "123:abc".into(), message_id: 9, user: 42 },
        ] {
            assert_eq!(Handle::decode(&h.encode()), Some(h));
        }
        for bad in ["", "m:1", "m:x:1", "cb:1:2", "cb:1:2:", "zz:1:2:3"] {
            assert_eq!(Handle::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn commands_for_this_bot_only() {
        assert_eq!(command_for_me("/ticket@Desk_Bot new x", "desk_bot").as_deref(), Some("/ticket new x"));
        assert_eq!(command_for_me("/ticket new x", "desk_bot").as_deref(), Some("/ticket new x"));
        assert_eq!(command_for_me("/help@other_bot", "desk_bot"), None);
        assert_eq!(command_for_me("/start", "desk_bot").as_deref(), Some("/help"));
    }
}

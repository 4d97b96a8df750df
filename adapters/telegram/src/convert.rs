//! Telegram updates → port events, and the reply handles that lead back to them.

use std::collections::HashSet;
use std::sync::Arc;

use deskmate_port::recent::RecentMessages;
use deskmate_port::{
    Account, ChannelKind, ChannelRef, EventKind, InboundEvent, IncomingFile, MessageRef, Platform, Quoted,
};
use teloxide::types::{
    CallbackQuery, Chat, Message, MessageReactionUpdated, ReactionType, Update, UpdateKind, User, UserId,
};

/// What the adapter needs to answer an event; encoded into `InboundEvent::reply_handle`.
/// `thread` is the forum topic the event came from: every reply goes back into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handle {
    /// A typed message: replies quote it; private replies go to the author's DM.
    Message { message_id: i32, user: u64, thread: Option<i32> },
    /// A button press: private replies are a toast on the query; others quote the
    /// message that holds the button.
    Callback { query_id: String, message_id: i32, user: u64, thread: Option<i32> },
}

impl Handle {
    pub fn encode(&self) -> String {
        match self {
            Handle::Message { message_id, user, thread: None } => format!("m:{message_id}:{user}"),
            Handle::Message { message_id, user, thread: Some(t) } => format!("mt:{message_id}:{user}:{t}"),
            Handle::Callback { query_id, message_id, user, thread: None } => {
                format!("cb:{message_id}:{user}:{query_id}")
            }
            Handle::Callback { query_id, message_id, user, thread: Some(t) } => {
                format!("cbt:{message_id}:{user}:{t}:{query_id}")
            }
        }
    }

    pub fn decode(s: &str) -> Option<Handle> {
        let (tag, rest) = s.split_once(':')?;
        let threaded = matches!(tag, "mt" | "cbt");
        let mut parts = rest.splitn(if threaded { 4 } else { 3 }, ':');
        let message_id = parts.next()?.parse().ok()?;
        let user = parts.next()?.parse().ok()?;
        let thread = if threaded { Some(parts.next()?.parse().ok()?) } else { None };
        match (tag, parts.next()) {
            ("m" | "mt", None) => Some(Handle::Message { message_id, user, thread }),
            ("cb" | "cbt", Some(query_id)) if !query_id.is_empty() => {
                Some(Handle::Callback { query_id: query_id.to_owned(), message_id, user, thread })
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
    /// Deskmate's command names, lower case: in a group, a bare `/cmd` is Deskmate's
    /// only if it is one of these.
    pub commands: Arc<HashSet<String>>,
    /// The recent messages of the groups the bot reads, for reactions to find (a
    /// reaction update names the message only).
    pub recent: Arc<RecentMessages>,
}

/// Telegram's stand-in sender for an anonymous group admin.
const GROUP_ANONYMOUS_BOT: u64 = 1_087_968_824;

/// The port event for an update, or `None` for updates Deskmate does not act on (chat
/// not addressed to it, other bots' commands, service messages, edits, reactions taken
/// away…). A group's chat is kept a while for reactions to find.
pub fn event(update: &Update, me: &BotIdentity) -> Option<InboundEvent> {
    let id = update.id.0.to_string();
    match &update.kind {
        UpdateKind::Message(message) => {
            keep(message, me);
            from_message(id, message, me)
        }
        UpdateKind::CallbackQuery(query) => from_callback(id, query),
        UpdateKind::MessageReaction(reaction) => from_reaction(id, reaction, me),
        _ => None,
    }
}

/// Remembers what a person said in a group, for a reaction to it.
fn keep(message: &Message, me: &BotIdentity) {
    let (Some(from), Some(text)) = (message.from.as_ref(), message.text().or_else(|| message.caption())) else {
        return;
    };
    if from.is_bot || message.chat.is_private() {
        return;
    }
    let on = MessageRef { channel: channel(&message.chat), message_id: message.id.0.to_string() };
    let quoted = Quoted { author: account(from), text: text.to_owned(), link: link(message) };
    me.recent.keep(&on, quoted);
}

/// A link that opens a group's message: by the group's username if public, else by its
/// id for members (supergroups only; a basic group's messages have no link). Built here,
/// not by teloxide's `Message::url`, which panics on an id outside the ranges it knows.
fn link(message: &Message) -> Option<String> {
    if let Some(name) = message.chat.username() {
        return Some(format!("https://t.me/{name}/{}", message.id.0));
    }
    let id = message.chat.id.0.to_string();
    let bare = id.strip_prefix("-100").filter(|b| !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit()))?;
    Some(format!("https://t.me/c/{bare}/{}", message.id.0))
}

/// A person adding a reaction to a group's message; the first one they added, if
/// several (most people can set one).
fn from_reaction(id: String, reaction: &MessageReactionUpdated, me: &BotIdentity) -> Option<InboundEvent> {
    let user = reaction.user().filter(|u| !u.is_bot)?;
    if reaction.chat.is_private() {
        return None;
    }
    let emoji = |r: &ReactionType| r.emoji().cloned();
    let before: Vec<String> = reaction.old_reaction.iter().filter_map(emoji).collect();
    let added = reaction.new_reaction.iter().filter_map(emoji).find(|e| !before.contains(e))?;
    let channel = channel(&reaction.chat);
    let on = MessageRef { channel: channel.clone(), message_id: reaction.message_id.0.to_string() };
    let message = me.recent.find(&on);
    Some(InboundEvent {
        id,
        platform: Platform::Telegram,
        channel,
        author: account(user),
        author_roles: Vec::new(),
        mentions: Vec::new(),
        author_locale: user.language_code.clone(),
        at: reaction.date,
        kind: EventKind::Reaction { emoji: added, on, message },
        reply_handle: Handle::Message { message_id: reaction.message_id.0, user: user.id.0, thread: None }.encode(),
        files: Vec::new(),
    })
}

fn from_message(id: String, message: &Message, me: &BotIdentity) -> Option<InboundEvent> {
    let from = message.from.as_ref()?;
    let replied_to_me = message.reply_to_message().filter(|m| m.from.as_ref().map(|u| u.id) == Some(me.id));
    // A photo's or a document's caption reads like a message's text; a file alone only
    // answers a question (anywhere else it is not meant for Deskmate).
    let alone = (carries_file(message) && replied_to_me.is_some()).then_some("");
    let text = message.text().or_else(|| message.caption()).or(alone)?.trim();
    let channel = channel(&message.chat);
    let direct = channel.kind == ChannelKind::Direct;
    let command = text.starts_with('/').then(|| command_for_me(text, me, direct || replied_to_me.is_some())).flatten();
    let thread = message.is_topic_message.then_some(message.thread_id).flatten().map(|t| t.0.0);
    let handle = Handle::Message { message_id: message.id.0, user: from.id.0, thread };
    if from.is_bot {
        // An anonymous admin's command is the group's, not a person's: say how to act as
        // oneself. Other bots (and the channel a group is linked to) are not listened to.
        let anonymous =
            from.id.0 == GROUP_ANONYMOUS_BOT && message.sender_chat.as_ref().map(|c| c.id) == Some(message.chat.id);
        let command = command.filter(|_| anonymous)?;
        let author = Account {
            platform: Platform::Telegram,
            id: format!("chat:{}", message.chat.id.0),
            handle: None,
            display_name: message.chat.title().unwrap_or("anonymous admin").to_owned(),
        };
        return Some(event_of(id, channel, author, message, EventKind::Anonymous { text: command }, &handle));
    }
    let forwarded = message.forward_origin().is_some();
    let kind = if forwarded {
        // Someone passing a message on: never a command, whatever it says.
        if !direct {
            return None;
        }
        EventKind::Text { text: text.to_owned() }
    } else if let Some(command) = command {
        EventKind::Command { text: command }
    } else if text.starts_with('/') && !direct {
        // Another bot's command, or one Deskmate does not have: not ours to answer.
        return None;
    } else if let Some(question) = replied_to_me {
        EventKind::Answer {
            prompt: None,
            replied_to: Some(MessageRef { channel: channel.clone(), message_id: question.id.0.to_string() }),
            text: text.to_owned(),
        }
    } else if direct {
        EventKind::Text { text: text.to_owned() }
    } else {
        return None;
    };
    let mut event = event_of(id, channel, account(from), message, kind, &handle);
    event.author_locale = from.language_code.clone();
    event.mentions = message.mentioned_users().filter(|u| !u.is_bot && u.id != from.id).map(account).collect();
    Some(event)
}

fn event_of(
    id: String,
    channel: ChannelRef,
    author: Account,
    message: &Message,
    kind: EventKind,
    handle: &Handle,
) -> InboundEvent {
    InboundEvent {
        id,
        platform: Platform::Telegram,
        channel,
        author,
        author_roles: Vec::new(),
        mentions: Vec::new(),
        author_locale: None,
        at: message.date,
        kind,
        reply_handle: handle.encode(),
        files: Vec::new(),
    }
}

fn from_callback(id: String, query: &CallbackQuery) -> Option<InboundEvent> {
    let data = query.data.as_ref()?;
    let message = query.message.as_ref()?;
    let channel = channel(message.chat());
    let message_id = message.id().0;
    let thread = message.regular_message().filter(|m| m.is_topic_message).and_then(|m| m.thread_id).map(|t| t.0.0);
    Some(InboundEvent {
        id,
        platform: Platform::Telegram,
        channel: channel.clone(),
        author: account(&query.from),
        author_roles: Vec::new(),
        mentions: Vec::new(),
        author_locale: query.from.language_code.clone(),
        at: chrono::Utc::now(),
        kind: EventKind::Button {
            button_id: data.clone(),
            message: Some(MessageRef { channel, message_id: message_id.to_string() }),
        },
        reply_handle: Handle::Callback { query_id: query.id.0.clone(), message_id, user: query.from.id.0, thread }
            .encode(),
        files: Vec::new(),
    })
}

fn carries_file(message: &Message) -> bool {
    message.document().is_some() || message.photo().is_some()
}

/// The file an update's message carries (its document, or the largest size of its
/// photo), fetched with `getFile` and a download before the event goes to the core.
pub fn carried(update: &Update) -> Vec<IncomingFile> {
    let UpdateKind::Message(message) = &update.kind else { return Vec::new() };
    if let Some(document) = message.document() {
        return vec![IncomingFile {
            name: document.file_name.clone().unwrap_or_else(|| "document".to_owned()),
            mime: document.mime_type.as_ref().map_or_else(|| "application/octet-stream".to_owned(), |m| m.to_string()),
            size: document.file.size as usize,
            locator: document.file.id.0.clone(),
        }];
    }
    let largest = message.photo().and_then(|sizes| sizes.iter().max_by_key(|p| (p.width * p.height, p.file.size)));
    largest
        .map(|photo| IncomingFile {
            name: "photo.jpg".to_owned(),
            mime: "image/jpeg".to_owned(),
            size: photo.file.size as usize,
            locator: photo.file.id.0.clone(),
        })
        .into_iter()
        .collect()
}

/// `/cmd@deskmate_bot args` → `/cmd args`; `None` when addressed to another bot, or
/// (unless `mine_anyway`: a private chat, a reply to Deskmate) when Deskmate has no such
/// command. `/start` (what Telegram sends when someone opens the bot) asks for help.
fn command_for_me(text: &str, me: &BotIdentity, mine_anyway: bool) -> Option<String> {
    let (first, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let name = match first.split_once('@') {
        Some((name, bot)) if bot.eq_ignore_ascii_case(&me.username) => name,
        Some(_) => return None,
        None if mine_anyway || me.commands.contains(&first.trim_start_matches('/').to_lowercase()) => first,
        None => return None,
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

    fn me() -> BotIdentity {
        BotIdentity {
            id: UserId(999),
            username: "desk_bot".to_owned(),
            commands: Arc::new(["ticket", "help", "whoami"].into_iter().map(str::to_owned).collect()),
            recent: Arc::default(),
        }
    }

    /// A group message, then a ✍ on it: the reaction finds what the message said, with a
    /// link; a chat id teloxide cannot place makes no link and no panic.
    #[test]
    fn a_reaction_finds_the_message_it_is_on() {
        let me = me();
        for (chat_id, username, link) in [
            (-1_001_234_567_890_i64, None, Some("https://t.me/c/1234567890/7")),
            (-1_001_234_567_890_i64, Some("office_help"), Some("https://t.me/office_help/7")),
            (-5, None, None),
            (-9_999_999_999_999_999, None, None),
        ] {
            let mut chat = serde_json::json!({ "id": chat_id, "type": "supergroup", "title": "Office" });
            if let Some(name) = username {
                chat["username"] = serde_json::json!(name);
            }
            let ann = serde_json::json!({ "id": 42, "is_bot": false, "first_name": "Ann" });
            let said = serde_json::json!({ "update_id": 1, "message": {
                "message_id": 7, "date": 1_764_000_000, "chat": chat, "from": ann, "text": "The tap drips" } });
            let said: Update = serde_json::from_str(&said.to_string()).expect("an update");
            assert!(event(&said, &me).is_none(), "chat in a group is not for Deskmate");
            let bob = serde_json::json!({ "id": 43, "is_bot": false, "first_name": "Bob" });
            let reacted = serde_json::json!({ "update_id": 2, "message_reaction": {
                "chat": chat, "message_id": 7, "user": bob, "date": 1_764_000_001,
                "old_reaction": [], "new_reaction": [{ "type": "emoji", "emoji": "✍" }] } });
            let reacted: Update = serde_json::from_str(&reacted.to_string()).expect("an update");
            let event = event(&reacted, &me).expect("an event");
            let EventKind::Reaction { emoji, on, message: Some(quoted) } = &event.kind else {
                panic!("{:?}", event.kind)
            };
            assert_eq!((emoji.as_str(), on.message_id.as_str(), quoted.text.as_str()), ("✍", "7", "The tap drips"));
            assert_eq!((quoted.author.display_name.as_str(), event.author.display_name.as_str()), ("Ann", "Bob"));
            assert_eq!(quoted.link.as_deref(), link, "chat {chat_id}");
        }
    }

    #[test]
    fn handles_round_trip() {
        for h in [
            Handle::Message { message_id: 7, user: 42, thread: None },
            Handle::Message { message_id: 7, user: 42, thread: Some(3) },
            Handle::Callback { query_id: "123:abc".into(), message_id: 9, user: 42, thread: None },
            Handle::Callback { query_id: "123:abc".into(), message_id: 9, user: 42, thread: Some(5) },
        ] {
            assert_eq!(Handle::decode(&h.encode()), Some(h));
        }
        for bad in ["", "m:1", "m:x:1", "cb:1:2", "cb:1:2:", "zz:1:2:3", "mt:1:2", "mt:1:2:x"] {
            assert_eq!(Handle::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_photo_in_reply_to_a_question_answers_it_with_its_largest_size() {
        let chat = serde_json::json!({ "id": 42, "type": "private", "first_name": "Dan" });
        let update = serde_json::json!({
            "update_id": 1,
            "message": {
                "message_id": 5, "date": 1_764_000_000, "chat": chat,
                "from": { "id": 42, "is_bot": false, "first_name": "Dan" },
                "photo": [
                    { "file_id": "small", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 1000 },
                    { "file_id": "big", "file_unique_id": "b", "width": 1280, "height": 853, "file_size": 90_000 },
                ],
                "reply_to_message": {
                    "message_id": 4, "date": 1_764_000_000, "chat": chat, "text": "Receipt?",
                    "from": { "id": 999, "is_bot": true, "first_name": "Desk", "username": "desk_bot" },
                },
            },
        });
        // As the reader gets it: text off the wire (teloxide reads updates from text).
        let update: Update = serde_json::from_str(&update.to_string()).expect("a Telegram update");
        let event = event(&update, &me()).expect("an event");
        assert!(
            matches!(&event.kind, EventKind::Answer { text, replied_to: Some(m), .. } if text.is_empty() && m.message_id == "4"),
            "{:?}",
            event.kind
        );
        assert_eq!(
            carried(&update),
            [IncomingFile { name: "photo.jpg".into(), mime: "image/jpeg".into(), size: 90_000, locator: "big".into() }]
        );
    }

    #[test]
    fn commands_for_this_bot_only() {
        let me = me();
        assert_eq!(command_for_me("/ticket@Desk_Bot new x", &me, false).as_deref(), Some("/ticket new x"));
        assert_eq!(command_for_me("/ticket new x", &me, false).as_deref(), Some("/ticket new x"));
        assert_eq!(command_for_me("/help@other_bot", &me, false), None);
        assert_eq!(command_for_me("/start", &me, true).as_deref(), Some("/help"));
        // Not Deskmate's in a group; in a private chat it is answered ("I don't know").
        assert_eq!(command_for_me("/report spam", &me, false), None);
        assert_eq!(command_for_me("/report spam", &me, true).as_deref(), Some("/report spam"));
        assert_eq!(command_for_me("/frobnicate@desk_bot", &me, false).as_deref(), Some("/frobnicate"));
    }
}

//! Port messages → Discord REST calls through serenity's `Http`: interaction responses
//! (within the 3-second window, deferred otherwise, follow-ups for 15 minutes, plain
//! messages after), channel messages with a nonce, edits, DMs, threads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use deskmate_port::{Body, ChannelRef, Destination, MessageRef, Messenger, OutboundMessage, Platform, SendError};
use serde_json::{Value, json};
use serenity::all::{ChannelId, CreateAttachment, Http, InteractionId, MessageId};

use crate::convert::{self, Handle};
use crate::render;

/// An interaction token works this long; after it (less a margin), replies go out as
/// plain messages.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60 - 30);

/// How far an interaction this instance received has been answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Answered {
    #[default]
    No,
    /// Acknowledged with a "thinking…" state; the first reply edits it.
    Deferred,
    Yes,
}

/// Interactions in flight on this instance, shared with the gateway handler (which
/// defers them when the core is slow). Kept while their token lives.
#[derive(Default)]
pub(crate) struct Shared {
    pub connected: AtomicBool,
    interactions: Mutex<HashMap<u64, Tracked>>,
    /// What people said in servers lately, for a reaction to find without a fetch.
    pub recent: deskmate_port::recent::RecentMessages,
    /// Channels seen, by id: a thread's parent channel, or `None` for a channel that is
    /// not a thread. A thread opened on a message has that message's id.
    threads: Mutex<HashMap<u64, Option<u64>>>,
}

/// How many channels [`Shared::threads`] remembers before it starts over.
const THREADS_KEPT: usize = 10_000;

type Slot = Arc<tokio::sync::Mutex<Answered>>;

struct Tracked {
    since: Instant,
    slot: Slot,
}

impl Shared {
    pub fn track(&self, id: u64) -> Slot {
        let slot = Slot::default();
        let mut interactions = self.lock();
        // Expired tokens cannot be used any more: their entries go as new ones come.
        interactions.retain(|_, t| t.since.elapsed() < TOKEN_LIFETIME);
        interactions.insert(id, Tracked { since: Instant::now(), slot: slot.clone() });
        slot
    }

    fn slot(&self, id: u64) -> Option<Slot> {
        self.lock().get(&id).map(|t| t.slot.clone())
    }

    /// The parent of `channel` if it is known to be a thread; `Some(None)` if it is
    /// known not to be one, `None` if it is not known.
    pub fn thread_parent(&self, channel: u64) -> Option<Option<u64>> {
        self.threads.lock().unwrap_or_else(|p| p.into_inner()).get(&channel).copied()
    }

    pub fn note_channel(&self, channel: u64, parent: Option<u64>) {
        let mut threads = self.threads.lock().unwrap_or_else(|p| p.into_inner());
        if threads.len() >= THREADS_KEPT {
            threads.clear();
        }
        threads.insert(channel, parent);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Tracked>> {
        self.interactions.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Sends on Discord. Cheap to clone.
#[derive(Clone)]
pub struct DiscordMessenger {
    pub(crate) http: Arc<Http>,
    pub(crate) shared: Arc<Shared>,
    threads: bool,
}

impl DiscordMessenger {
    pub(crate) fn new(http: Arc<Http>, shared: Arc<Shared>, threads: bool) -> Self {
        DiscordMessenger { http, shared, threads }
    }

    /// Posts a body (in parts when long) to a channel; returns the last part, which
    /// carries the buttons. The nonce makes a retried post a no-op on Discord's side.
    async fn post(&self, channel: u64, body: &Body, key: &str, reply_to: Option<u64>) -> Result<u64, SendError> {
        if let Some(card) = render::card(body) {
            // A notice reads best as one embed, edited in place as its subject moves.
            let message = json!({
                "embeds": [card],
                "components": render::components(body),
                "allowed_mentions": render::no_pings(),
                "nonce": nonce(key),
                "enforce_nonce": true,
            });
            let sent =
                self.http.send_message(ChannelId::new(channel), files(body), &message).await.map_err(send_error)?;
            return Ok(sent.id.get());
        }
        let parts = render::parts(&body.text);
        let last = parts.len() - 1;
        let mut id = 0;
        for (i, content) in parts.into_iter().enumerate() {
            let mut message = json!({
                "content": content,
                "allowed_mentions": render::no_pings(),
                "nonce": nonce(&format!("{key}#{i}")),
                "enforce_nonce": true,
            });
            if i == last {
                message["components"] = render::components(body);
            }
            if let (0, Some(to)) = (i, reply_to) {
                message["message_reference"] = json!({ "message_id": to.to_string(), "fail_if_not_exists": false });
            }
            let attached = if i == last { files(body) } else { Vec::new() };
            let sent = self.http.send_message(ChannelId::new(channel), attached, &message).await.map_err(send_error)?;
            id = sent.id.get();
        }
        Ok(id)
    }

    async fn direct(&self, user: u64, body: &Body, key: &str) -> Result<MessageRef, SendError> {
        let dm =
            self.http.create_private_channel(&json!({ "recipient_id": user.to_string() })).await.map_err(send_error)?;
        // A question put to someone who is not interacting: a modal cannot open unasked,
        // so it comes with a button that opens the form.
        let id = self.post(dm.id.get(), &with_answer_button(body), key, None).await?;
        Ok(MessageRef { channel: convert::channel(dm.id.get(), true), message_id: id.to_string() })
    }

    /// A reply to an interaction: the response while none was given, the edit of a
    /// deferred one, follow-ups after; plain messages once the token has expired.
    async fn answer(
        &self,
        channel: &ChannelRef,
        to: &Interaction<'_>,
        private: bool,
        body: &Body,
        key: &str,
    ) -> Result<MessageRef, SendError> {
        let Interaction { id: interaction, at_ms, user, token } = *to;
        let age = chrono::Utc::now().timestamp_millis() - at_ms;
        if age > i64::try_from(TOKEN_LIFETIME.as_millis()).unwrap_or(i64::MAX) {
            return self.fallback(channel, user, private, body, key).await;
        }
        let Some(slot) = self.shared.slot(interaction) else {
            // Received by another instance (or before a restart): try to respond, and
            // follow up if it was answered already.
            return match self.respond(interaction, token, private, body).await {
                Ok(()) => Ok(self.reference(channel, "@original")),
                Err(_) => self.follow_up(channel, token, private, body).await,
            };
        };
        let mut answered = slot.lock().await;
        let result = match *answered {
            Answered::No => {
                self.respond(interaction, token, private, body).await.map(|()| self.reference(channel, "@original"))
            }
            Answered::Deferred => self.edit_deferred(channel, token, private, body).await,
            Answered::Yes => self.follow_up(channel, token, private, body).await,
        };
        if result.is_ok() {
            *answered = Answered::Yes;
        }
        result
    }

    async fn respond(&self, interaction: u64, token: &str, private: bool, body: &Body) -> Result<(), SendError> {
        let response = match &body.prompt {
            Some(prompt) => modal(prompt, &body.text),
            None => {
                let parts = render::parts(&body.text);
                let mut data = message_data(&parts[0], private, parts.len() == 1, body);
                if parts.len() > 1 {
                    data["components"] = json!([]);
                }
                json!({ "type": 4, "data": data })
            }
        };
        let single = body.prompt.is_none() && render::parts(&body.text).len() == 1;
        let attached = if single { files(body) } else { Vec::new() };
        self.http
            .create_interaction_response(InteractionId::new(interaction), token, &response, attached)
            .await
            .map_err(send_error)?;
        // Parts beyond the first follow.
        if body.prompt.is_none() {
            self.follow_parts(token, &render::parts(&body.text), 1, private, body).await?;
        }
        Ok(())
    }

    /// Sends `parts[from..]` as follow-ups (the last with the buttons); returns the last
    /// message's id.
    async fn follow_parts(
        &self,
        token: &str,
        parts: &[String],
        from: usize,
        private: bool,
        body: &Body,
    ) -> Result<Option<u64>, SendError> {
        let mut last = None;
        for (i, part) in parts.iter().enumerate().skip(from) {
            let is_last = i == parts.len() - 1;
            let data = message_data(part, private, is_last, body);
            let attached = if is_last { files(body) } else { Vec::new() };
            let sent = self.http.create_followup_message(token, &data, attached).await.map_err(send_error)?;
            last = Some(sent.id.get());
        }
        Ok(last)
    }

    async fn edit_deferred(
        &self,
        channel: &ChannelRef,
        token: &str,
        private: bool,
        body: &Body,
    ) -> Result<MessageRef, SendError> {
        if body.prompt.is_some() {
            // A modal must be the first response; after a defer, offer a button that opens it.
            return self.follow_up(channel, token, private, body).await;
        }
        let parts = render::parts(&body.text);
        let count = parts.len();
        let first = message_data(&parts[0], private, count == 1, body);
        let attached = if count == 1 { files(body) } else { Vec::new() };
        let edited = self.http.edit_original_interaction_response(token, &first, attached).await.map_err(send_error)?;
        let last = self.follow_parts(token, &parts, 1, private, body).await?.unwrap_or(edited.id.get());
        Ok(self.reference(channel, &last.to_string()))
    }

    async fn follow_up(
        &self,
        channel: &ChannelRef,
        token: &str,
        private: bool,
        body: &Body,
    ) -> Result<MessageRef, SendError> {
        let body = with_answer_button(body);
        let last = self.follow_parts(token, &render::parts(&body.text), 0, private, &body).await?;
        Ok(self.reference(channel, &last.unwrap_or_default().to_string()))
    }

    /// After the token expired: a private answer by DM, else a message in the channel.
    async fn fallback(
        &self,
        channel: &ChannelRef,
        user: u64,
        private: bool,
        body: &Body,
        key: &str,
    ) -> Result<MessageRef, SendError> {
        if private {
            return self.direct(user, body, key).await;
        }
        let id = self.post(channel_id(channel)?, body, key, None).await?;
        Ok(self.reference(channel, &id.to_string()))
    }

    /// A reply to a plain message: quoted in its channel; a private one by DM, or, when
    /// the person does not take DMs, a mention asking them to allow them.
    async fn reply_to_message(
        &self,
        channel: &ChannelRef,
        message: u64,
        user: u64,
        private: bool,
        body: &Body,
        key: &str,
    ) -> Result<MessageRef, SendError> {
        if private && channel.kind == deskmate_port::ChannelKind::Group {
            match self.direct(user, body, key).await {
                Err(SendError::Unreachable(_)) => {
                    let hint = json!({
                        "content": format!("<@{user}> I can't send you direct messages: allow direct messages from this server's members, then ask again."),
                        "allowed_mentions": { "parse": [], "users": [user.to_string()] },
                        "message_reference": { "message_id": message.to_string(), "fail_if_not_exists": false },
                    });
                    let sent = self
                        .http
                        .send_message(ChannelId::new(channel_id(channel)?), Vec::new(), &hint)
                        .await
                        .map_err(send_error)?;
                    return Ok(self.reference(channel, &sent.id.get().to_string()));
                }
                other => return other,
            }
        }
        let id = self.post(channel_id(channel)?, body, key, Some(message)).await?;
        Ok(self.reference(channel, &id.to_string()))
    }

    /// A decided notice keeps its buttons, greyed out, so it is plain that the choice
    /// was made. Without them (or if the message cannot be read) it shows none.
    async fn disabled_buttons(&self, channel: u64, message: u64) -> Value {
        let Ok(current) = self.http.get_message(ChannelId::new(channel), MessageId::new(message)).await else {
            return json!([]);
        };
        let mut rows = serde_json::to_value(&current.components).unwrap_or_else(|_| json!([]));
        for row in rows.as_array_mut().into_iter().flatten() {
            for component in row["components"].as_array_mut().into_iter().flatten() {
                component["disabled"] = json!(true);
            }
        }
        rows
    }

    fn reference(&self, channel: &ChannelRef, id: &str) -> MessageRef {
        MessageRef { channel: channel.clone(), message_id: id.to_owned() }
    }

    async fn open_thread(&self, channel: u64, message: u64, name: &str) {
        let request = json!({ "name": render::truncate(name, 100), "auto_archive_duration": 10080 });
        match self
            .http
            .create_thread_from_message(ChannelId::new(channel), MessageId::new(message), &request, None)
            .await
        {
            Ok(thread) => self.shared.note_channel(thread.id.get(), Some(channel)),
            Err(e) => {
                tracing::warn!(error = %e, "opening a thread on a notice (needs the Create Public Threads permission)");
            }
        }
    }
}

/// The interaction a reply answers, as its reply handle names it.
#[derive(Clone, Copy)]
struct Interaction<'a> {
    id: u64,
    at_ms: i64,
    user: u64,
    token: &'a str,
}

/// The custom id prefix of the adapter's own "Answer" buttons, which open a form.
/// The prefix of Answer buttons: `~` never starts a feature's button namespace.
pub(crate) const ASK: &str = "~ask:";

/// A question's body with an Answer button that opens its form (the question itself is
/// then carried by the button).
fn with_answer_button(body: &Body) -> Body {
    match &body.prompt {
        Some(prompt) => Body {
            buttons: vec![deskmate_port::Button {
                id: format!("{ASK}{prompt}"),
                label: "Answer".to_owned(),
                style: deskmate_port::ButtonStyle::Primary,
            }],
            prompt: None,
            ..body.clone()
        },
        None => body.clone(),
    }
}

fn message_data(content: &str, private: bool, with_buttons: bool, body: &Body) -> Value {
    let mut data = json!({ "content": content, "allowed_mentions": render::no_pings() });
    if with_buttons {
        data["components"] = render::components(body);
    }
    if private {
        data["flags"] = json!(render::EPHEMERAL);
    }
    data
}

/// A form asking for free text; the question is its label and placeholder (Discord
/// allows 45 and 100 characters there), the answer comes back as a modal submit.
pub(crate) fn modal(prompt: &str, question: &str) -> Value {
    json!({
        "type": 9,
        "data": {
            "custom_id": format!("{ASK}{prompt}"),
            "title": "Deskmate asks",
            "components": [{ "type": 1, "components": [{
                "type": 4,
                "custom_id": "answer",
                "style": 2,
                "label": render::truncate(question.lines().next().unwrap_or("Your answer"), 45),
                "placeholder": render::truncate(question, 100),
                "required": true,
                "max_length": 1000,
            }]}],
        },
    })
}

/// The largest upload Discord takes in a server without boosts.
const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The body's files as multipart attachments.
fn files(body: &Body) -> Vec<CreateAttachment> {
    body.files.iter().map(|f| CreateAttachment::bytes(f.bytes.clone(), f.name.clone())).collect()
}

/// Discord's nonce is at most 25 characters: a stable hash of the idempotency key.
fn nonce(key: &str) -> String {
    format!("{:016x}", deskmate_port::stable_hash(key))
}

fn channel_id(channel: &ChannelRef) -> Result<u64, SendError> {
    channel
        .id
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| SendError::Rejected(format!("`{}` is not a Discord channel id (a number)", channel.id)))
}

#[async_trait]
impl Messenger for DiscordMessenger {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    // The destination is not recorded: a reply handle can hold an interaction token.
    #[tracing::instrument(name = "send", skip_all, fields(platform = "discord", key = %message.idempotency_key), err(level = "debug"))]
    async fn send(&self, message: OutboundMessage) -> Result<MessageRef, SendError> {
        let body = &message.body;
        if body.is_empty() && body.buttons.is_empty() {
            return Err(SendError::Rejected("empty message".into()));
        }
        if let Some(file) = body.files.iter().find(|f| f.bytes.len() > MAX_FILE_BYTES) {
            return Err(SendError::Rejected(format!(
                "{} is {}; Discord accepts files of at most 10 MB from a bot in a server without boosts",
                file.name,
                file.size_text()
            )));
        }
        let key = &message.idempotency_key;
        match &message.to {
            Destination::Reply { channel, reply_handle, private, quiet } => match Handle::decode(reply_handle) {
                // An ephemeral reply costs nothing on an interaction: refusals use it.
                Some(Handle::Interaction { id, at_ms, user, token }) => {
                    let to = Interaction { id, at_ms, user, token: &token };
                    self.answer(channel, &to, *private || *quiet, body, key).await
                }
                Some(Handle::Message { id, user }) => {
                    self.reply_to_message(channel, id, user, *private, body, key).await
                }
                None => Err(SendError::Rejected(format!("bad reply handle {reply_handle}"))),
            },
            Destination::Channel(channel) => {
                let id = channel_id(channel)?;
                let posted = self.post(id, body, key, None).await?;
                if let (true, Some(name)) = (self.threads, &body.thread) {
                    self.open_thread(id, posted, name).await;
                }
                Ok(self.reference(channel, &posted.to_string()))
            }
            Destination::Direct(account) => {
                let user = account
                    .id
                    .parse()
                    .map_err(|_| SendError::Rejected(format!("bad Discord user id {}", account.id)))?;
                self.direct(user, body, key).await
            }
            Destination::Under(target) => {
                let parent = channel_id(&target.channel)?;
                let message: u64 =
                    target.message_id.parse().map_err(|_| SendError::Rejected("bad message id".into()))?;
                if self.threads {
                    // The thread opened on a message has the message's id.
                    match self.post(message, body, key, None).await {
                        Ok(posted) => {
                            let thread = convert::channel(message, false);
                            return Ok(self.reference(&thread, &posted.to_string()));
                        }
                        // No thread on it (it could not be opened, or was deleted).
                        Err(SendError::Rejected(why)) => {
                            tracing::debug!(%why, "no thread on the message; replying to it instead");
                        }
                        Err(e) => return Err(e),
                    }
                }
                let posted = self.post(parent, body, key, Some(message)).await?;
                Ok(self.reference(&target.channel, &posted.to_string()))
            }
            Destination::Edit(target) => {
                let channel = channel_id(&target.channel)?;
                let id: u64 = target.message_id.parse().map_err(|_| SendError::Rejected("bad message id".into()))?;
                let (content, embeds) = match render::card(body) {
                    Some(card) => (String::new(), json!([card])),
                    None => (render::parts(&body.text).into_iter().next().unwrap_or_default(), json!([])),
                };
                let components = if body.buttons.is_empty() {
                    self.disabled_buttons(channel, id).await
                } else {
                    render::components(body)
                };
                let edit = json!({
                    "content": content,
                    "embeds": embeds,
                    "components": components,
                    "allowed_mentions": render::no_pings(),
                });
                self.http
                    .edit_message(ChannelId::new(channel), MessageId::new(id), &edit, Vec::new())
                    .await
                    .map_err(send_error)?;
                Ok(target.clone())
            }
        }
    }

    fn is_connected(&self) -> bool {
        self.shared.connected.load(Ordering::Relaxed)
    }
}

/// How the outbox should treat a failed call.
pub(crate) fn send_error(e: serenity::Error) -> SendError {
    use serenity::all::HttpError;
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            let status = response.status_code.as_u16();
            let code = response.error.code;
            let text = format!("{status} {code}: {}", response.error.message);
            match status {
                // With serenity's own rate limiter (Discord's API) 429s are waited out
                // inside serenity; behind a proxy the wait is not reported, so the outbox
                // backs off for a couple of seconds without counting an attempt.
                429 => SendError::RateLimited { retry_after_secs: 2 },
                // 50007: cannot send messages to this user (DMs closed, no shared server).
                403 if code == 50007 => SendError::Unreachable(text),
                s if s >= 500 => SendError::Transient(text),
                _ => SendError::Rejected(text),
            }
        }
        serenity::Error::Http(HttpError::Request(e)) => SendError::Transient(e.to_string()),
        other => SendError::Transient(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_short_and_stable() {
        assert_eq!(nonce("telegram:1:0"), nonce("telegram:1:0"));
        assert_ne!(nonce("a"), nonce("b"));
        assert!(nonce("some long idempotency key:with:parts").len() <= 25);
    }
}

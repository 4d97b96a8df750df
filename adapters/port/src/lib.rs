//! The seam between Deskmate's core and its messenger adapters.
//!
//! Adapters turn platform updates into [`InboundEvent`]s and hand them to an [`Inbound`]
//! handler; the core answers with [`OutboundMessage`]s that the adapter's [`Messenger`]
//! delivers. Nothing in here knows about a particular platform's wire format.

use std::fmt;

#[cfg(feature = "listener")]
pub mod listener;
pub mod recent;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A messenger Deskmate speaks on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Console,
    Telegram,
    Discord,
}

impl Platform {
    pub const ALL: [Platform; 3] = [Platform::Console, Platform::Telegram, Platform::Discord];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Console => "console",
            Platform::Telegram => "telegram",
            Platform::Discord => "discord",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Platform {
    type Err = UnknownPlatform;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPlatform(s.to_owned()))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown platform `{0}` (expected console, telegram or discord)")]
pub struct UnknownPlatform(pub String);

/// Whether a conversation is shared (a group, a server channel) or one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChannelKind {
    Group,
    Direct,
}

/// A place messages are posted to, as the platform names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChannelRef {
    pub platform: Platform,
    pub id: String,
    pub kind: ChannelKind,
}

impl ChannelRef {
    pub fn group(platform: Platform, id: impl Into<String>) -> Self {
        Self { platform, id: id.into(), kind: ChannelKind::Group }
    }
}

/// A user account on one platform. One person may own accounts on several platforms.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Account {
    pub platform: Platform,
    /// The platform's stable id for the user (Telegram user id, Discord snowflake, console name).
    pub id: String,
    /// The handle people type after `@`, when the platform has one.
    pub handle: Option<String>,
    pub display_name: String,
}

/// A message the bot posted, precise enough for the adapter to edit it later.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageRef {
    pub channel: ChannelRef,
    pub message_id: String,
}

/// What the user did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A command line as typed, e.g. `/ticket new "Printer jammed" priority:high`.
    Command { text: String },
    /// A press on a button the bot posted earlier.
    Button { button_id: String, message: Option<MessageRef> },
    /// Free text given in answer to a question the bot asked (a [`Body::prompt`]): a
    /// reply to the question's message (Telegram's ForceReply) or a submitted form
    /// naming the prompt (a Discord modal). The core checks that it answers an open
    /// question of this author's.
    Answer { prompt: Option<String>, replied_to: Option<MessageRef>, text: String },
    /// Plain text meant for the bot that is not a command: a direct message, or a
    /// message forwarded to it. A feature may take it (the help desk opens a ticket);
    /// otherwise the core explains how to talk to it.
    Text { text: String },
    /// Text in the conversation on a message the bot posted that answers no question:
    /// a message in the thread opened on it (Discord: the thread's id is the message's),
    /// or a reply to it (Telegram, where replies to the bot come as [`Self::Answer`]
    /// and the core tells the two apart). `on` is the bot's message.
    FollowUp { on: MessageRef, text: String },
    /// Someone reacted to a message in a group with `emoji`. `message` is what that
    /// message said and who wrote it, when the adapter could tell (Telegram's update
    /// carries no text, so adapters keep recent messages for a while).
    Reaction { emoji: String, on: MessageRef, message: Option<Quoted> },
    /// A command sent in a group's name rather than a person's (Telegram's anonymous
    /// group admins): nobody to check rights for or to act as. The core explains how to
    /// act as oneself and applies nothing.
    Anonymous { text: String },
}

/// A message someone wrote, as a reaction to it needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quoted {
    pub author: Account,
    pub text: String,
    /// A link that opens the message in its platform, where there is one.
    pub link: Option<String>,
}

/// One thing a user did, translated by an adapter.
#[derive(Debug, Clone)]
pub struct InboundEvent {
    /// Unique per platform for one user action (a Telegram update id, a Discord
    /// interaction id), so a re-delivered update is recognised.
    pub id: String,
    pub platform: Platform,
    pub channel: ChannelRef,
    pub author: Account,
    /// Roles the author holds on the platform where they acted (Discord role ids), for
    /// the core to map onto its own roles; empty where the platform has none.
    pub author_roles: Vec<String>,
    /// Accounts the platform itself resolved for mentions in the text (Discord's mention
    /// list, the console's names). Handles the platform could not resolve stay in the text.
    pub mentions: Vec<Account>,
    /// The author's language as their messenger reports it (Telegram's `language_code`,
    /// Discord's `locale`), when it does: a new person is spoken to in it.
    pub author_locale: Option<String>,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    /// Opaque to the core: what the adapter needs to answer this event (a message id to
    /// reply to, a callback query id, an interaction token).
    pub reply_handle: String,
    /// Files that came with a command or an answer (a Telegram document or photo, a
    /// Discord attachment, a console `/attach`), or why one could not be read: the core
    /// refuses the event with that reason rather than act without the file.
    pub files: Vec<Result<Attachment, AttachmentError>>,
}

/// The longest button id any platform carries (Telegram's callback data is 64 bytes).
pub const MAX_BUTTON_ID_LEN: usize = 64;

/// A button under a message. The id is opaque to the platform and never trusted by the
/// core: whoever presses it is checked again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub id: String,
    pub label: String,
    pub style: ButtonStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ButtonStyle {
    Primary,
    Secondary,
    Danger,
}

/// The visible part of a message: plain text (adapters escape it for their markup),
/// buttons and files.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Body {
    pub text: String,
    pub buttons: Vec<Button>,
    /// The message asks for free text (a reason, a reply); the answer comes back as
    /// [`EventKind::Answer`] naming this key or replying to this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Where the platform has threads, the conversation about this message continues in
    /// a thread on it, with this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
    /// Files sent with the text (a chart, an invitation, a transcript). An edit changes
    /// the text and buttons only; files stay as first sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<Attachment>,
}

impl Body {
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Body::default() }
    }

    /// Nothing to show: no text and no file.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.files.is_empty()
    }
}

/// The largest file Deskmate sends; platforms may accept less (each adapter says so
/// with a clear error).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;

/// A file: its name as people see it, its MIME type, and its bytes (base64 in the
/// outbox, so it is sent after a restart like any message).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub mime: String,
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("{name} is {size} bytes; files of at most {max} bytes can be sent")]
    TooLarge { name: String, size: usize, max: usize },
    #[error("a file needs a name")]
    NoName,
    /// A file that came with an event but could not be fetched from the platform.
    #[error("{name} could not be fetched: {why}")]
    Unreadable { name: String, why: String },
}

impl Attachment {
    pub fn new(
        name: impl Into<String>,
        mime: impl Into<String>,
        bytes: Vec<u8>,
    ) -> Result<Attachment, AttachmentError> {
        let name = name.into();
        if name.trim().is_empty() {
            return Err(AttachmentError::NoName);
        }
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(AttachmentError::TooLarge { name, size: bytes.len(), max: MAX_ATTACHMENT_BYTES });
        }
        Ok(Attachment { name, mime: mime.into(), bytes })
    }

    /// A picture platforms show inline (PNG, JPEG).
    pub fn is_picture(&self) -> bool {
        matches!(self.mime.as_str(), "image/png" | "image/jpeg")
    }

    /// The size for people: `12.5 MB`, `800 KB`.
    pub fn size_text(&self) -> String {
        let n = self.bytes.len() as f64;
        if n >= 1_000_000.0 { format!("{:.1} MB", n / 1_000_000.0) } else { format!("{:.0} KB", (n / 1000.0).ceil()) }
    }
}

/// A file a person sent, as the platform announces it before it is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingFile {
    pub name: String,
    pub mime: String,
    /// As the platform states it.
    pub size: usize,
    /// Where the platform keeps it: a Telegram file id, a Discord attachment URL.
    pub locator: String,
}

/// Fetches the files a person sent with `fetch`: one announced as larger than Deskmate
/// takes is not fetched, and one that cannot be fetched comes back as the reason, which
/// the core tells the person.
pub async fn receive<F, Fut>(files: &[IncomingFile], fetch: F) -> Vec<Result<Attachment, AttachmentError>>
where
    F: Fn(IncomingFile) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<u8>, String>>,
{
    let mut received = Vec::new();
    for file in files {
        let result = if file.size > MAX_ATTACHMENT_BYTES {
            Err(AttachmentError::TooLarge { name: file.name.clone(), size: file.size, max: MAX_ATTACHMENT_BYTES })
        } else {
            fetch(file.clone())
                .await
                .and_then(|bytes| {
                    Attachment::new(file.name.clone(), file.mime.clone(), bytes).map_err(|e| e.to_string())
                })
                .map_err(|why| AttachmentError::Unreadable { name: file.name.clone(), why })
        };
        received.push(result);
    }
    received
}

impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The bytes are not worth printing.
        write!(f, "Attachment({}, {}, {} bytes)", self.name, self.mime, self.bytes.len())
    }
}

mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

/// A command as a platform's command menu shows it (Telegram's menu, Discord's slash
/// commands), built by the core from its one registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuCommand {
    pub name: String,
    /// In the default language; [`Self::translations`] in the others.
    pub description: String,
    pub translations: Translations,
    pub options: Vec<MenuOption>,
    pub subcommands: Vec<MenuCommand>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuOption {
    pub name: String,
    pub description: String,
    pub translations: Translations,
    pub kind: OptionKind,
    pub required: bool,
    /// How the value goes back into a command line: positional (`/ticket show 12`), the
    /// rest of the line (`/remind in 2h <text>`), or `name:value`.
    pub placement: Placement,
}

/// A description in languages other than the default, by BCP 47 tag (`zh-CN`, `en`):
/// Telegram sets a menu per language, Discord localizes each description.
pub type Translations = Vec<(String, String)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Positional,
    Rest,
    Keyed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OptionKind {
    Text,
    /// A person on the platform.
    User,
    /// One of fixed words, each shown by its name in the person's language.
    Choice(Vec<MenuChoice>),
    /// Free text with suggestions from [`Inbound::complete`], named by a key the core
    /// chose (`ticket`, `zone`) and handed back in the [`Completion`].
    Suggested(String),
    /// A file picked from the person's device; it arrives in [`InboundEvent::files`],
    /// never in the command line.
    File,
}

/// A fixed word an option takes: the value typed or sent, the name shown in pickers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuChoice {
    pub value: String,
    pub name: String,
    pub translations: Translations,
}

/// A request for suggestions while someone types an option.
#[derive(Debug, Clone)]
pub struct Completion {
    pub author: Account,
    /// The key of the option's [`OptionKind::Suggested`].
    pub suggest: String,
    pub typed: String,
}

/// One suggestion: what the person sees, and the value the option gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub value: String,
}

/// Where an outbound message goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Destination {
    /// Answer the event with this reply handle, in the channel it came from. `private`
    /// replies are seen only by the author where the platform allows it (a Discord
    /// ephemeral reply, a Telegram callback toast).
    /// `quiet` replies (refusals, usage errors) are shown only to the author where that
    /// costs nothing (a Discord ephemeral reply) and in the conversation elsewhere.
    Reply {
        channel: ChannelRef,
        reply_handle: String,
        private: bool,
        #[serde(default)]
        quiet: bool,
    },
    /// A new message in a channel.
    Channel(ChannelRef),
    /// A direct message to a person's account.
    Direct(Account),
    /// Replace the text and buttons of a message posted earlier.
    Edit(MessageRef),
    /// A new message in the conversation on a message posted earlier: in the thread on
    /// it (Discord), as a reply to it in its chat (Telegram).
    Under(MessageRef),
}

/// A 64-bit FNV-1a hash: the same in every process and version (unlike std's hasher),
/// for keys derived from text (a Discord message nonce from an idempotency key, a timer
/// key from a reminder's text).
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    pub to: Destination,
    pub body: Body,
    /// The same for every attempt at this message: a platform that can deduplicate
    /// (Discord's message nonce) uses it so a retry after a crash never posts twice.
    pub idempotency_key: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The platform asked us to slow down; try again after this many seconds.
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// The platform will never accept this message (unknown chat, user blocked the bot…).
    #[error("rejected by the platform: {0}")]
    Rejected(String),
    /// The person cannot be written to directly until they open a conversation with the
    /// bot (Telegram) or allow direct messages (Discord).
    #[error("cannot reach the person directly: {0}")]
    Unreachable(String),
    /// A network or server failure that may pass.
    #[error("transient failure: {0}")]
    Transient(String),
}

/// Sends messages on one platform.
#[async_trait]
pub trait Messenger: Send + Sync {
    fn platform(&self) -> Platform;

    /// Delivers a message. For a new post the returned reference can edit it later; for an
    /// edit it is the edited message; for a reply the adapter returns what it posted.
    async fn send(&self, message: OutboundMessage) -> Result<MessageRef, SendError>;

    /// Whether the platform is reachable right now (for readiness checks).
    fn is_connected(&self) -> bool {
        true
    }
}

/// The core could not take an event now (its database is unreachable, a transaction was
/// cut off): nothing of it was applied. The adapter must not acknowledge the update, and
/// offers it again later (Telegram re-reads it, a webhook answers 503 so Telegram re-posts
/// it, Discord's adapter retries while the interaction lives). Offering it again is safe:
/// an event the core did apply is recognised by its id and applied once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not taken, offer it again later: {0}")]
pub struct NotTaken(pub String);

/// Takes inbound events. Returns `Ok` once the event is settled: its effects are
/// committed and its replies handed to the messengers (or it was refused, or failed for
/// good and the person was told), so an adapter can acknowledge the update.
#[async_trait]
pub trait Inbound: Send + Sync {
    /// Takes the event: returns once it is committed (its replies follow at the
    /// platform's pace), so a reader may confirm it and read on.
    async fn handle(&self, event: InboundEvent) -> Result<(), NotTaken>;

    /// Takes the event and returns once its replies have gone out: for a platform whose
    /// acknowledgement is the reply itself (a Discord interaction is answered by it).
    async fn handle_answered(&self, event: InboundEvent) -> Result<(), NotTaken> {
        self.handle(event).await
    }

    /// Waits (briefly) until everything queued so far has gone out. The console calls it
    /// between lines so a transcript reads in order; chat platforms need not.
    async fn settle(&self) {}

    /// Suggestions for an option being typed (at most 25). Read-only, and fast: platforms
    /// wait about three seconds.
    async fn complete(&self, _request: Completion) -> Vec<Choice> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn received_files_are_fetched_within_the_limit_and_failures_named() {
        let file = |name: &str, size: usize| IncomingFile {
            name: name.to_owned(),
            mime: "application/pdf".to_owned(),
            size,
            locator: format!("at/{name}"),
        };
        let asked = std::sync::Mutex::new(Vec::new());
        let files = [file("quote.pdf", 3), file("huge.pdf", MAX_ATTACHMENT_BYTES + 1), file("gone.pdf", 3)];
        let received = receive(&files, |f| {
            asked.lock().expect("lock").push(f.locator.clone());
            let result = if f.name == "gone.pdf" { Err("404 Not Found".to_owned()) } else { Ok(b"pdf".to_vec()) };
            async move { result }
        })
        .await;
        assert_eq!(*asked.lock().expect("lock"), ["at/quote.pdf", "at/gone.pdf"], "the huge one is never fetched");
        assert_eq!(received[0], Ok(Attachment::new("quote.pdf", "application/pdf", b"pdf".to_vec()).expect("valid")));
        assert!(matches!(&received[1], Err(AttachmentError::TooLarge { name, .. }) if name == "huge.pdf"));
        assert_eq!(
            received[2],
            Err(AttachmentError::Unreadable { name: "gone.pdf".to_owned(), why: "404 Not Found".to_owned() })
        );
    }

    #[test]
    fn files_travel_as_base64_and_are_bounded() {
        let file = Attachment::new("chart.png", "image/png", vec![0, 1, 2, 255]).expect("small");
        let body = Body { files: vec![file.clone()], ..Body::text("see the chart") };
        let json = serde_json::to_string(&body).expect("serialises");
        assert!(json.contains(r#""bytes":"AAEC/w==""#), "{json}");
        assert_eq!(serde_json::from_str::<Body>(&json).expect("reads back"), body);
        // Rows written before files existed still read.
        assert_eq!(serde_json::from_str::<Body>(r#"{"text":"hi","buttons":[]}"#).expect("old row"), Body::text("hi"));
        assert!(file.is_picture());
        assert_eq!(
            Attachment::new("big.bin", "application/octet-stream", vec![0; MAX_ATTACHMENT_BYTES + 1]),
            Err(AttachmentError::TooLarge {
                name: "big.bin".into(),
                size: MAX_ATTACHMENT_BYTES + 1,
                max: MAX_ATTACHMENT_BYTES
            })
        );
    }

    #[test]
    fn the_stable_hash_is_fnv1a() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(stable_hash("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn platform_names_round_trip() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().ok(), Some(p));
        }
        assert!("slack".parse::<Platform>().is_err());
    }
}

//! Port messages → Bot API calls (sendMessage, editMessageText, answerCallbackQuery).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use deskmate_port::{
    Attachment, AttachmentError, Body, ChannelKind, ChannelRef, Destination, IncomingFile, MessageRef, Messenger,
    OutboundMessage, Platform, SendError,
};
use teloxide::net::Download;
use teloxide::payloads::{AnswerCallbackQuerySetters, EditMessageTextSetters, SendMessageSetters};
use teloxide::prelude::Requester;
use teloxide::types::{
    CallbackQueryId, ChatId, FileId, ForceReply, InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message,
    MessageId, ParseMode, ReplyMarkup, ReplyParameters, ThreadId,
};
use teloxide::{ApiError, Bot, RequestError};

use crate::convert::Handle;
use crate::render;

/// The largest photo Telegram takes; a larger picture goes as a document.
const MAX_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// The longest caption a photo or document may carry.
const MAX_CAPTION: usize = 1024;
/// How long fetching one file a person sent may take.
const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Sends on Telegram. Cheap to clone; clones share the "answered" set with the poller.
#[derive(Clone)]
pub struct TelegramMessenger {
    bot: Bot,
    pub(crate) state: Arc<Shared>,
}

/// What the messenger and the update reader share.
#[derive(Default)]
pub(crate) struct Shared {
    pub connected: AtomicBool,
    /// Callback queries answered with a toast, so the reader does not answer them again.
    answered: Mutex<HashSet<String>>,
    /// The bot's @username, once known, for the "start a chat with me" hint.
    pub username: Mutex<String>,
}

impl Shared {
    pub fn take_answered(&self, query_id: &str) -> bool {
        self.answered.lock().unwrap_or_else(|p| p.into_inner()).remove(query_id)
    }

    fn mark_answered(&self, query_id: &str) {
        self.answered.lock().unwrap_or_else(|p| p.into_inner()).insert(query_id.to_owned());
    }
}

impl TelegramMessenger {
    pub(crate) fn new(bot: Bot, state: Arc<Shared>) -> Self {
        TelegramMessenger { bot, state }
    }

    /// Fetches the files a message carries (see [`deskmate_port::receive`]).
    pub async fn fetch(&self, files: &[IncomingFile]) -> Vec<Result<Attachment, AttachmentError>> {
        deskmate_port::receive(files, |file| async move {
            let download = async {
                let found = self.bot.get_file(FileId(file.locator)).await.map_err(|e| e.to_string())?;
                let mut bytes = Vec::with_capacity(file.size);
                self.bot.download_file(&found.path, &mut bytes).await.map_err(|e| e.to_string())?;
                Ok(bytes)
            };
            let fetched = tokio::time::timeout(FETCH_TIMEOUT, download)
                .await
                .unwrap_or_else(|_| Err("it took too long".to_owned()));
            if let Err(e) = &fetched {
                tracing::warn!(error = %e, "fetching a file from Telegram");
            }
            fetched
        })
        .await
    }

    async fn post(&self, chat: ChatId, body: &Body, reply_to: Option<i32>) -> Result<Message, RequestError> {
        self.post_to(chat, body, reply_to, None, None).await
    }

    /// `asking`: the user a question (a prompt) is put to in a group. ForceReply is
    /// selective and selects the people mentioned in the text, so the question starts
    /// with a mention of them.
    async fn post_to(
        &self,
        chat: ChatId,
        body: &Body,
        reply_to: Option<i32>,
        asking: Option<u64>,
        thread: Option<i32>,
    ) -> Result<Message, RequestError> {
        // One file with a short text is one message, the text its caption: sent whole
        // or not at all. Otherwise the text goes first, then each file.
        if let [file] = body.files.as_slice()
            && body.buttons.is_empty()
            && body.prompt.is_none()
            && body.text.chars().count() <= MAX_CAPTION
        {
            return self.send_file(chat, file, &body.text, reply_to, thread).await;
        }
        let mut parts =
            if body.text.trim().is_empty() && !body.files.is_empty() { Vec::new() } else { render::parts(&body.text) };
        if let (Some(user), Some(first)) = (asking.filter(|_| body.prompt.is_some()), parts.first_mut()) {
            *first = format!("<a href=\"tg://user?id={user}\">👤</a> {first}");
        }
        let last = parts.len().saturating_sub(1);
        let mut sent = None;
        for (i, part) in parts.into_iter().enumerate() {
            let mut request =
                self.bot.send_message(chat, part).parse_mode(ParseMode::Html).link_preview_options(no_preview());
            // Every part answers the same message in the same forum topic, so a long
            // reply reads as one answer there.
            if let Some(id) = reply_to {
                request = request.reply_parameters(ReplyParameters::new(MessageId(id)).allow_sending_without_reply());
            }
            if let Some(thread) = thread {
                request = request.message_thread_id(ThreadId(MessageId(thread)));
            }
            if i == last {
                if body.prompt.is_some() {
                    request = request.reply_markup(ReplyMarkup::ForceReply(ForceReply::new().selective()));
                } else if let Some(keyboard) = render::keyboard(&body.buttons) {
                    request = request.reply_markup(keyboard);
                }
            }
            sent = Some(request.await?);
        }
        for file in &body.files {
            let posted = self.send_file(chat, file, "", reply_to, thread).await?;
            sent.get_or_insert(posted);
        }
        sent.ok_or_else(|| RequestError::Api(ApiError::MessageTextIsEmpty))
    }

    /// A picture Telegram can show inline goes as a photo (up to 10 MB), anything else
    /// as a document (up to 50 MB, more than Deskmate ever sends).
    async fn send_file(
        &self,
        chat: ChatId,
        file: &Attachment,
        caption: &str,
        reply_to: Option<i32>,
        thread: Option<i32>,
    ) -> Result<Message, RequestError> {
        let input = InputFile::memory(file.bytes.clone()).file_name(file.name.clone());
        let reply = reply_to.map(|id| ReplyParameters::new(MessageId(id)).allow_sending_without_reply());
        let thread = thread.map(|t| ThreadId(MessageId(t)));
        let caption = (!caption.trim().is_empty()).then(|| render::single(caption));
        let parse_mode = caption.as_ref().map(|_| ParseMode::Html);
        if file.is_picture() && file.bytes.len() <= MAX_PHOTO_BYTES {
            let mut request = self.bot.send_photo(chat, input);
            (request.reply_parameters, request.message_thread_id) = (reply, thread);
            (request.caption, request.parse_mode) = (caption, parse_mode);
            request.await
        } else {
            let mut request = self.bot.send_document(chat, input);
            (request.reply_parameters, request.message_thread_id) = (reply, thread);
            (request.caption, request.parse_mode) = (caption, parse_mode);
            request.await
        }
    }

    async fn edit(&self, target: &MessageRef, body: &Body) -> Result<(), SendError> {
        let chat = chat_id(&target.channel)?;
        let id = target
            .message_id
            .parse()
            .map_err(|_| SendError::Rejected(format!("bad message id {}", target.message_id)))?;
        // Without buttons the keyboard must be cleared explicitly, or the old Claim
        // button would stay under a claimed ticket.
        let keyboard =
            render::keyboard(&body.buttons).unwrap_or_else(|| InlineKeyboardMarkup::new(Vec::<Vec<_>>::new()));
        let result = self
            .bot
            .edit_message_text(chat, MessageId(id), render::single(&body.text))
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_preview())
            .reply_markup(keyboard)
            .await;
        match result {
            Ok(_) | Err(RequestError::Api(ApiError::MessageNotModified)) => Ok(()),
            Err(e) => Err(send_error(e)),
        }
    }

    /// Stops the button's spinner without a message.
    pub(crate) async fn answer_quietly(&self, query_id: &str) -> Result<(), RequestError> {
        self.bot.answer_callback_query(CallbackQueryId(query_id.to_owned())).await?;
        self.state.mark_answered(query_id);
        Ok(())
    }

    async fn toast(&self, query_id: &str, text: &str) -> Result<(), RequestError> {
        self.bot.answer_callback_query(CallbackQueryId(query_id.to_owned())).text(text).await?;
        self.state.mark_answered(query_id);
        Ok(())
    }

    async fn reply(
        &self,
        channel: &ChannelRef,
        handle: &str,
        private: bool,
        body: &Body,
    ) -> Result<MessageRef, SendError> {
        let chat = chat_id(channel)?;
        let handle = Handle::decode(handle).ok_or_else(|| SendError::Rejected(format!("bad reply handle {handle}")))?;
        match handle {
            Handle::Callback { query_id, message_id, user, thread } => {
                // A toast is a line of text: buttons or files need a message.
                let short =
                    body.text.chars().count() <= render::MAX_TOAST && body.buttons.is_empty() && body.files.is_empty();
                if private && short && body.prompt.is_none() {
                    match self.toast(&query_id, &body.text).await {
                        Ok(()) => {
                            return Ok(MessageRef {
                                channel: channel.clone(),
                                message_id: format!("toast:{query_id}"),
                            });
                        }
                        // Too late for a toast (the press is old): say it in the chat.
                        Err(RequestError::Api(ApiError::InvalidQueryId)) => {}
                        Err(e) => return Err(send_error(e)),
                    }
                }
                let sent = self.post_to(chat, body, Some(message_id), Some(user), thread).await.map_err(send_error)?;
                // The press still wants an answer, or the button keeps spinning.
                if self.answer_quietly(&query_id).await.is_err() {
                    tracing::debug!("callback query already answered or expired");
                }
                Ok(message_ref(channel, &sent))
            }
            Handle::Message { message_id, user, thread } => {
                if private && channel.kind == ChannelKind::Group {
                    match self.post(ChatId(user_chat(user)), body, None).await {
                        Ok(sent) => return Ok(message_ref(&direct_channel(user), &sent)),
                        Err(e) if unreachable(&e) => {
                            let hint = Body::text(start_hint(&self.username()));
                            let sent =
                                self.post_to(chat, &hint, Some(message_id), None, thread).await.map_err(send_error)?;
                            return Ok(message_ref(channel, &sent));
                        }
                        Err(e) => return Err(send_error(e)),
                    }
                }
                let sent = self.post_to(chat, body, Some(message_id), Some(user), thread).await.map_err(send_error)?;
                Ok(message_ref(channel, &sent))
            }
        }
    }

    fn username(&self) -> String {
        self.state.username.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

#[async_trait]
impl Messenger for TelegramMessenger {
    fn platform(&self) -> Platform {
        Platform::Telegram
    }

    // The destination is not recorded: a reply handle can hold an interaction token.
    #[tracing::instrument(name = "send", skip_all, fields(platform = "telegram", key = %message.idempotency_key), err(level = "debug"))]
    async fn send(&self, message: OutboundMessage) -> Result<MessageRef, SendError> {
        if render::is_empty(&message.body) {
            return Err(SendError::Rejected("empty message".into()));
        }
        match &message.to {
            Destination::Reply { channel, reply_handle, private, .. } => {
                self.reply(channel, reply_handle, *private, &message.body).await
            }
            Destination::Channel(channel) => {
                let sent = self.post(chat_id(channel)?, &message.body, None).await.map_err(send_error)?;
                Ok(message_ref(channel, &sent))
            }
            Destination::Direct(account) => {
                let user: u64 = account
                    .id
                    .parse()
                    .map_err(|_| SendError::Rejected(format!("bad Telegram user id {}", account.id)))?;
                match self.post(ChatId(user_chat(user)), &message.body, None).await {
                    Ok(sent) => Ok(message_ref(&direct_channel(user), &sent)),
                    Err(e) if unreachable(&e) => Err(SendError::Unreachable(e.to_string())),
                    Err(e) => Err(send_error(e)),
                }
            }
            Destination::Under(target) => {
                // The reply chain on the message (which stays put if it was deleted).
                let id = target
                    .message_id
                    .parse()
                    .map_err(|_| SendError::Rejected(format!("bad Telegram message id {}", target.message_id)))?;
                let chat = chat_id(&target.channel)?;
                let sent = self.post(chat, &message.body, Some(id)).await.map_err(send_error)?;
                Ok(message_ref(&target.channel, &sent))
            }
            Destination::Edit(target) => {
                self.edit(target, &message.body).await?;
                Ok(target.clone())
            }
        }
    }

    fn is_connected(&self) -> bool {
        self.state.connected.load(Ordering::Relaxed)
    }
}

fn no_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

fn chat_id(channel: &ChannelRef) -> Result<ChatId, SendError> {
    channel.id.parse().map(ChatId).map_err(|_| {
        SendError::Rejected(format!("`{}` is not a Telegram chat id (a number such as -1001234567890)", channel.id))
    })
}

/// A user's private chat with the bot has the user's id.
fn user_chat(user: u64) -> i64 {
    i64::try_from(user).unwrap_or(i64::MAX)
}

fn direct_channel(user: u64) -> ChannelRef {
    ChannelRef { platform: Platform::Telegram, id: user.to_string(), kind: ChannelKind::Direct }
}

fn message_ref(channel: &ChannelRef, sent: &Message) -> MessageRef {
    MessageRef { channel: channel.clone(), message_id: sent.id.0.to_string() }
}

fn start_hint(username: &str) -> String {
    if username.is_empty() {
        "I can't message you privately yet: open a private chat with me and press Start, then ask again.".to_owned()
    } else {
        format!("I can't message you privately yet: open a chat with @{username} and press Start, then ask again.")
    }
}

/// The person has not started the bot, blocked it, or is gone. Telegram's wording
/// changed over the years ("Unauthorized:" became "Forbidden:"), so unknown errors are
/// matched by their text too.
fn unreachable(e: &RequestError) -> bool {
    match e {
        RequestError::Api(
            ApiError::CantInitiateConversation
            | ApiError::BotBlocked
            | ApiError::UserDeactivated
            | ApiError::CantTalkWithBots
            | ApiError::ChatNotFound,
        ) => true,
        RequestError::Api(ApiError::Unknown(text)) => {
            ["can't initiate conversation", "bot was blocked", "user is deactivated", "chat not found"]
                .iter()
                .any(|needle| text.contains(needle))
        }
        _ => false,
    }
}

/// How the outbox should treat a failed call.
pub(crate) fn send_error(e: RequestError) -> SendError {
    match e {
        RequestError::RetryAfter(after) => SendError::RateLimited { retry_after_secs: after.seconds().into() },
        RequestError::MigrateToChatId(to) => SendError::Rejected(format!(
            "the group became a supergroup with id {to}; put that id in the config instead"
        )),
        RequestError::Api(ApiError::Unknown(text))
            if !(text.starts_with("Bad Request") || text.starts_with("Forbidden")) =>
        {
            SendError::Transient(text)
        }
        RequestError::Api(api) => SendError::Rejected(api.to_string()),
        other => SendError::Transient(other.to_string()),
    }
}

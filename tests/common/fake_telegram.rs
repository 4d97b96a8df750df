//! A fake Telegram Bot API on 127.0.0.1: the real HTTP protocol (`/bot<token>/<method>`,
//! JSON bodies, `{"ok":…}` envelopes, 429 with `retry_after`), enough state to play
//! groups, users, updates and the bot's messages, and a strict HTML check so badly escaped
//! text fails like it does on Telegram.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::Notify;

pub const TOKEN: &str = "123456:TEST-token_for_the_fake";
pub const BOT_ID: i64 = 777;
pub const BOT_USERNAME: &str = "deskmate_test_bot";

/// A message the bot has in a chat, as Telegram would show it.
#[derive(Debug, Clone)]
pub struct BotMessage {
    pub chat: i64,
    pub id: i64,
    /// The text after parsing the HTML: what people read.
    pub shown: String,
    pub markup: Option<Value>,
    pub reply_to: Option<i64>,
    /// The forum topic it was posted in.
    pub thread: Option<i64>,
    pub edits: u32,
    /// A photo or document: how it was sent, its name and its bytes.
    pub file: Option<(String, String, Vec<u8>)>,
}

impl BotMessage {
    /// The callback data of the inline buttons.
    pub fn buttons(&self) -> Vec<String> {
        let Some(rows) = self.markup.as_ref().and_then(|m| m.get("inline_keyboard")).and_then(Value::as_array) else {
            return Vec::new();
        };
        rows.iter()
            .flat_map(|r| r.as_array().cloned().unwrap_or_default())
            .filter_map(|b| b.get("callback_data").and_then(Value::as_str).map(str::to_owned))
            .collect()
    }

    pub fn forces_reply(&self) -> bool {
        self.markup.as_ref().and_then(|m| m.get("force_reply")).and_then(Value::as_bool) == Some(true)
    }
}

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
    pub at: Instant,
}

#[derive(Default)]
struct Inner {
    /// Updates not yet confirmed by an offset past them.
    pending: Vec<(i64, Value)>,
    next_update: i64,
    next_message: i64,
    chats: HashMap<i64, Value>,
    messages: Vec<BotMessage>,
    calls: Vec<Call>,
    failures: VecDeque<(String, u16, String, Option<u64>)>,
    batch: usize,
    /// Users who never started the bot: direct messages to them fail.
    strangers: HashSet<i64>,
    /// setMyCommands' commands by language_code ("" for everyone else).
    commands: HashMap<String, Vec<Value>>,
    answers: Vec<(String, Option<String>)>,
    /// Every update ever made, by id.
    sent_updates: HashMap<i64, Value>,
    /// setWebhook's url and secret.
    webhook: Option<(String, String)>,
    confirmed: i64,
    /// Every update handed out, with how often.
    delivered: HashMap<i64, u32>,
    /// Files users sent, by file id: their path on the file server and their bytes.
    uploads: HashMap<String, (String, Vec<u8>)>,
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub url: String,
    inner: Arc<Mutex<Inner>>,
    news: Arc<Notify>,
}

/// A person in the fake.
#[derive(Debug, Clone, Copy)]
pub struct User {
    pub id: i64,
    pub name: &'static str,
}

impl User {
    pub fn json(&self) -> Value {
        json!({ "id": self.id, "is_bot": false, "first_name": self.name, "username": self.name.to_lowercase() })
    }
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let inner = Arc::new(Mutex::new(Inner { next_update: 1, next_message: 1, batch: 100, ..Inner::default() }));
        let fake = FakeTelegram { url: String::new(), inner, news: Arc::new(Notify::new()) };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/{bot}/{method}", axum::routing::any(api))
            .route("/file/{bot}/{*path}", axum::routing::get(download))
            // Uploads as large as the platform takes (axum's default is 2 MB).
            .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeTelegram { url, ..fake }
    }

    pub fn group(&self, id: i64, title: &str) {
        self.inner.lock().unwrap().chats.insert(id, json!({ "id": id, "type": "supergroup", "title": title }));
    }

    /// At most `n` updates per getUpdates answer.
    pub fn batch(&self, n: usize) {
        self.inner.lock().unwrap().batch = n;
    }

    pub fn stranger(&self, user: User) {
        self.inner.lock().unwrap().strangers.insert(user.id);
    }

    /// The user has started the bot: direct messages reach them from now on.
    pub fn befriend(&self, user: User) {
        self.inner.lock().unwrap().strangers.remove(&user.id);
    }

    /// The next call of `method` fails with this status and description.
    pub fn fail_next(&self, method: &str, status: u16, description: &str, retry_after: Option<u64>) {
        self.inner.lock().unwrap().failures.push_back((
            method.to_lowercase(),
            status,
            description.to_owned(),
            retry_after,
        ));
    }

    fn chat_json(&self, inner: &Inner, chat: i64, user: User) -> Value {
        inner.chats.get(&chat).cloned().unwrap_or_else(|| {
            if chat == user.id {
                json!({ "id": chat, "type": "private", "first_name": user.name })
            } else {
                json!({ "id": chat, "type": "group", "title": format!("group {chat}") })
            }
        })
    }

    fn push(&self, inner: &mut Inner, kind: &str, payload: Value) -> i64 {
        let id = inner.next_update;
        inner.next_update += 1;
        let mut update = json!({ "update_id": id });
        update[kind] = payload;
        inner.sent_updates.insert(id, update.clone());
        inner.pending.push((id, update));
        id
    }

    /// Any update as Telegram would send it (a fixture from another library, an edit, a
    /// reaction…), renumbered after the ones sent so far; every group chat it names
    /// becomes known. Returns the update id.
    pub fn push_update(&self, mut update: Value) -> i64 {
        let id = {
            let mut inner = self.inner.lock().unwrap();
            let Some(object) = update.as_object_mut() else { panic!("an update is an object") };
            object.remove("update_id");
            let (kind, payload) = object.iter().next().map(|(k, v)| (k.clone(), v.clone())).expect("one kind");
            for chat in [&payload["chat"], &payload["message"]["chat"]] {
                if let Some(chat_id) = chat["id"].as_i64().filter(|id| *id < 0) {
                    inner.chats.entry(chat_id).or_insert_with(|| chat.clone());
                }
            }
            self.push(&mut inner, &kind, payload)
        };
        self.news.notify_waiters();
        id
    }

    /// A message as a user sends it in `chat`, for tests to dress up (a caption, a forward,
    /// a forum topic) before [`Self::push_update`].
    pub fn message_json(&self, chat: i64, user: User, text: &str) -> Value {
        let mut inner = self.inner.lock().unwrap();
        let message_id = inner.next_message;
        inner.next_message += 1;
        let mut message = json!({
            "message_id": message_id,
            "date": chrono::Utc::now().timestamp(),
            "chat": self.chat_json(&inner, chat, user),
            "from": user.json(),
            "text": text,
        });
        if text.starts_with('/') {
            let len = text.split_whitespace().next().unwrap().encode_utf16().count();
            message["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": len }]);
        }
        message
    }

    /// `user` writes `text` in `chat`; returns the update id.
    pub fn say(&self, chat: i64, user: User, text: &str) -> i64 {
        self.message(chat, user, text, None)
    }

    /// `user`, whose Telegram app is set to `language_code` (`zh-hans`), writes `text`.
    pub fn say_in(&self, chat: i64, user: User, language_code: &str, text: &str) -> i64 {
        let mut message = self.message_json(chat, user, text);
        message["from"]["language_code"] = json!(language_code);
        let id = {
            let mut inner = self.inner.lock().unwrap();
            self.push(&mut inner, "message", message)
        };
        self.news.notify_waiters();
        id
    }

    /// `user` answers the bot's message `to` with `text`.
    pub fn reply(&self, chat: i64, user: User, to: i64, text: &str) -> i64 {
        self.message(chat, user, text, Some(to))
    }

    fn message(&self, chat: i64, user: User, text: &str, reply_to: Option<i64>) -> i64 {
        let mut message = self.message_json(chat, user, text);
        let id = {
            let mut inner = self.inner.lock().unwrap();
            if let Some(to) = reply_to {
                let original = inner.messages.iter().find(|m| m.chat == chat && m.id == to).unwrap().clone();
                message["reply_to_message"] = bot_message_json(&inner, &original);
            }
            self.push(&mut inner, "message", message)
        };
        self.news.notify_waiters();
        id
    }

    /// `user` sends a document (`caption` as its text, a command or not), optionally as a
    /// reply to the bot's message `reply_to`; the bytes are served as Telegram's file
    /// server does. Returns the update id.
    pub fn send_document(
        &self,
        chat: i64,
        user: User,
        caption: &str,
        (name, mime, bytes): (&str, &str, &[u8]),
        reply_to: Option<i64>,
    ) -> i64 {
        let mut message = self.message_json(chat, user, caption);
        let object = message.as_object_mut().unwrap();
        object.remove("text");
        if let Some(entities) = object.remove("entities") {
            object.insert("caption_entities".into(), entities);
        }
        if !caption.is_empty() {
            object.insert("caption".into(), json!(caption));
        }
        let id = {
            let mut inner = self.inner.lock().unwrap();
            let file_id = format!("doc-{}", inner.uploads.len() + 1);
            let path = format!("documents/file_{}_{name}", inner.uploads.len() + 1);
            inner.uploads.insert(file_id.clone(), (path, bytes.to_vec()));
            message["document"] = json!({
                "file_id": file_id, "file_unique_id": format!("u{file_id}"), "file_name": name,
                "mime_type": mime, "file_size": bytes.len(),
            });
            if let Some(to) = reply_to {
                let original = inner.messages.iter().find(|m| m.chat == chat && m.id == to).unwrap().clone();
                message["reply_to_message"] = bot_message_json(&inner, &original);
            }
            self.push(&mut inner, "message", message)
        };
        self.news.notify_waiters();
        id
    }

    /// `user` presses the button with `data` under the bot's message `message`; returns
    /// the callback query id.
    pub fn press(&self, chat: i64, user: User, message: i64, data: &str) -> String {
        let query = {
            let mut inner = self.inner.lock().unwrap();
            let original = inner.messages.iter().find(|m| m.chat == chat && m.id == message).unwrap().clone();
            let query = format!("cq{}", inner.next_update);
            let payload = json!({
                "id": query,
                "from": user.json(),
                "chat_instance": "ci",
                "data": data,
                "message": bot_message_json(&inner, &original),
            });
            self.push(&mut inner, "callback_query", payload);
            query
        };
        self.news.notify_waiters();
        query
    }

    pub fn messages_in(&self, chat: i64) -> Vec<BotMessage> {
        self.inner.lock().unwrap().messages.iter().filter(|m| m.chat == chat).cloned().collect()
    }

    /// The chats the bot has written in, in one pass (a bench polls this).
    pub fn chats_written_in(&self) -> std::collections::HashSet<i64> {
        self.inner.lock().unwrap().messages.iter().map(|m| m.chat).collect()
    }

    pub fn message_by_id(&self, chat: i64, id: i64) -> Option<BotMessage> {
        self.inner.lock().unwrap().messages.iter().find(|m| m.chat == chat && m.id == id).cloned()
    }

    pub fn calls(&self, method: &str) -> Vec<Call> {
        self.inner.lock().unwrap().calls.iter().filter(|c| c.method.eq_ignore_ascii_case(method)).cloned().collect()
    }

    /// Answers given to a callback query: (query id, toast text).
    pub fn answers(&self, query: &str) -> Vec<Option<String>> {
        self.inner.lock().unwrap().answers.iter().filter(|(q, _)| q == query).map(|(_, t)| t.clone()).collect()
    }

    /// The command menu everyone sees (no language_code).
    pub fn commands(&self) -> Vec<String> {
        self.menu("").into_iter().map(|(command, _)| command).collect()
    }

    /// The menu set for a language_code: (command, description).
    pub fn menu(&self, language: &str) -> Vec<(String, String)> {
        let inner = self.inner.lock().unwrap();
        let commands = inner.commands.get(language).cloned().unwrap_or_default();
        commands
            .iter()
            .map(|c| {
                (
                    c["command"].as_str().unwrap_or_default().to_owned(),
                    c["description"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    /// The webhook the bot registered: (url, secret).
    pub fn webhook(&self) -> Option<(String, String)> {
        self.inner.lock().unwrap().webhook.clone()
    }

    /// Delivers pending updates to the webhook the way Telegram does: one POST each,
    /// dropped once answered 2xx, kept for another try otherwise. `secret` overrides the
    /// registered one. Returns the HTTP statuses.
    pub async fn push_to_webhook(&self, secret: Option<&str>) -> Vec<u16> {
        let (url, registered) = self.webhook().expect("a webhook is registered");
        let secret = secret.unwrap_or(&registered).to_owned();
        let pending: Vec<(i64, Value)> = self.inner.lock().unwrap().pending.clone();
        let mut statuses = Vec::new();
        for (id, update) in pending {
            let status = post_json(&url, &secret, &update.to_string()).await;
            let mut inner = self.inner.lock().unwrap();
            *inner.delivered.entry(id).or_default() += 1;
            if (200..300).contains(&status) {
                inner.pending.retain(|(i, _)| *i != id);
                inner.confirmed = inner.confirmed.max(id);
            }
            statuses.push(status);
        }
        statuses
    }

    /// Posts one update again, as Telegram does when it did not see the answer.
    pub async fn repost(&self, update: i64) -> u16 {
        let (url, secret) = self.webhook().expect("a webhook is registered");
        let body = self.inner.lock().unwrap().sent_updates.get(&update).cloned().expect("an update sent before");
        post_json(&url, &secret, &body.to_string()).await
    }

    /// How often each update was handed out.
    pub fn deliveries(&self) -> HashMap<i64, u32> {
        self.inner.lock().unwrap().delivered.clone()
    }

    /// The highest update id the bot has confirmed (offset − 1).
    pub fn confirmed(&self) -> i64 {
        self.inner.lock().unwrap().confirmed
    }

    /// Waits until `check` holds, or panics after `limit` with `what`.
    pub async fn wait(&self, what: &str, limit: Duration, check: impl Fn(&FakeTelegram) -> bool) {
        let until = Instant::now() + limit;
        while !check(self) {
            assert!(Instant::now() < until, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A minimal HTTP/1.1 POST over a loopback socket; returns the status code.
async fn post_json(url: &str, secret: &str, body: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    super::assert_loopback(url);
    let rest = url.strip_prefix("http://").expect("the fake posts plain http on loopback");
    let (host, path) = rest.split_once('/').map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn bot_message_json(inner: &Inner, m: &BotMessage) -> Value {
    let mut message = json!({
        "message_id": m.id,
        "date": chrono::Utc::now().timestamp(),
        "chat": inner.chats.get(&m.chat).cloned().unwrap_or_else(|| json!({ "id": m.chat, "type": "private", "first_name": "someone" })),
        "from": bot_user(),
        "text": m.shown,
    });
    if let Some(markup) = m.markup.as_ref().filter(|mk| mk.get("inline_keyboard").is_some()) {
        message["reply_markup"] = markup.clone();
    }
    message
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": "Deskmate", "username": BOT_USERNAME })
}

fn ok(result: Value) -> Response {
    json_response(StatusCode::OK, json!({ "ok": true, "result": result }))
}

fn error(status: u16, description: &str, retry_after: Option<u64>) -> Response {
    let mut body = json!({ "ok": false, "error_code": status, "description": description });
    if let Some(after) = retry_after {
        body["parameters"] = json!({ "retry_after": after });
    }
    json_response(StatusCode::from_u16(status).unwrap(), body)
}

fn json_response(status: StatusCode, body: Value) -> Response {
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// What Telegram shows for an HTML text, or why it refuses it.
pub fn render_html(text: &str) -> Result<String, String> {
    const TAGS: [&str; 12] = ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"];
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest.find('>').ok_or("Bad Request: can't parse entities: unclosed start tag")?;
                let tag = rest[1..end].trim_start_matches('/');
                let name = tag.split_whitespace().next().unwrap_or_default();
                if !TAGS.contains(&name) {
                    return Err(format!("Bad Request: can't parse entities: unsupported start tag \"{name}\""));
                }
                rest = &rest[end + 1..];
            }
            '&' => {
                let end = rest.find(';').ok_or("Bad Request: can't parse entities: unterminated entity")?;
                out.push(match &rest[..=end] {
                    "&lt;" => '<',
                    "&gt;" => '>',
                    "&amp;" => '&',
                    "&quot;" => '"',
                    "&#39;" | "&#x27;" => '\'',
                    other => return Err(format!("Bad Request: can't parse entities: unsupported entity {other}")),
                });
                rest = &rest[end + 1..];
            }
            c => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Ok(out)
}

async fn api(
    State(fake): State<FakeTelegram>,
    Path((bot, method)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let method = method.to_lowercase();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let mut files = Vec::new();
    let body: Value = if let Some(boundary) = super::multipart::boundary(content_type) {
        // Fields become JSON (parsed where they look like it); files are kept aside.
        let mut fields = serde_json::Map::new();
        for part in super::multipart::parse(&body, boundary) {
            if part.filename.is_some() {
                files.push(part);
                continue;
            }
            let text = String::from_utf8_lossy(&part.data).into_owned();
            fields.insert(part.name, serde_json::from_str(&text).unwrap_or(Value::String(text)));
        }
        Value::Object(fields)
    } else if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&body).unwrap_or(json!({}))
    };
    {
        let mut inner = fake.inner.lock().unwrap();
        inner.calls.push(Call { method: method.clone(), body: body.clone(), at: Instant::now() });
        if bot != format!("bot{TOKEN}") {
            return error(401, "Unauthorized", None);
        }
        if let Some(i) = inner.failures.iter().position(|(m, ..)| *m == method) {
            let (_, status, description, after) = inner.failures.remove(i).unwrap();
            return error(status, &description, after);
        }
    }
    match method.as_str() {
        "getme" => ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Deskmate", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "has_main_web_app": false,
        })),
        "getwebhookinfo" => ok(json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 })),
        "setwebhook" => {
            let url = body["url"].as_str().unwrap_or_default().to_owned();
            let secret = body["secret_token"].as_str().unwrap_or_default().to_owned();
            fake.inner.lock().unwrap().webhook = Some((url, secret));
            ok(json!(true))
        }
        "deletewebhook" => {
            fake.inner.lock().unwrap().webhook = None;
            ok(json!(true))
        }
        "setmycommands" => {
            let commands = body["commands"].as_array().cloned().unwrap_or_default();
            let language = body["language_code"].as_str().unwrap_or_default().to_owned();
            // Telegram takes a two-letter code, and commands of lowercase letters, digits and
            // underscores with a description of 1-256 characters.
            let valid = (language.is_empty()
                || (language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase())))
                && commands.iter().all(|c| {
                    let name = c["command"].as_str().unwrap_or_default();
                    let description = c["description"].as_str().unwrap_or_default().chars().count();
                    (1..=32).contains(&name.len())
                        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        && (1..=256).contains(&description)
                });
            if !valid {
                return error(400, "Bad Request: BOT_COMMAND_INVALID", None);
            }
            fake.inner.lock().unwrap().commands.insert(language, commands);
            ok(json!(true))
        }
        "getupdates" => get_updates(&fake, &body).await,
        "getfile" => {
            let id = body["file_id"].as_str().unwrap_or_default();
            let inner = fake.inner.lock().unwrap();
            match inner.uploads.get(id) {
                // As Telegram: a bot may fetch files of at most 20 MB.
                Some((_, bytes)) if bytes.len() > 20 * 1024 * 1024 => error(400, "Bad Request: file is too big", None),
                Some((path, bytes)) => ok(json!({
                    "file_id": id, "file_unique_id": format!("u{id}"), "file_size": bytes.len(), "file_path": path,
                })),
                None => error(400, "Bad Request: invalid file_id", None),
            }
        }
        "sendmessage" => send_message(&fake, &body),
        "sendphoto" | "senddocument" => send_file(&fake, &method, &body, files),
        "editmessagetext" => edit_message_text(&fake, &body),
        "answercallbackquery" => {
            let query = body["callback_query_id"].as_str().unwrap_or_default().to_owned();
            let text = body["text"].as_str().map(str::to_owned);
            if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
                return error(400, "Bad Request: MESSAGE_TOO_LONG", None);
            }
            fake.inner.lock().unwrap().answers.push((query, text));
            ok(json!(true))
        }
        _ => error(404, "Not Found: method not found", None),
    }
}

/// Telegram's file server: `/file/bot<token>/<file_path>`.
async fn download(State(fake): State<FakeTelegram>, Path((bot, path)): Path<(String, String)>) -> Response {
    let inner = fake.inner.lock().unwrap();
    if bot != format!("bot{TOKEN}") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match inner.uploads.values().find(|(p, _)| *p == path) {
        Some((_, bytes)) => bytes.clone().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn get_updates(fake: &FakeTelegram, body: &Value) -> Response {
    let timeout = body["timeout"].as_u64().unwrap_or(0);
    let limit = body["limit"].as_u64().unwrap_or(100) as usize;
    let until = Instant::now() + Duration::from_secs(timeout);
    loop {
        let notified = fake.news.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut inner = fake.inner.lock().unwrap();
            if let Some(offset) = body["offset"].as_i64() {
                inner.pending.retain(|(id, _)| *id >= offset);
                inner.confirmed = inner.confirmed.max(offset - 1);
            }
            if !inner.pending.is_empty() {
                let n = limit.min(inner.batch);
                let batch: Vec<(i64, Value)> = inner.pending.iter().take(n).cloned().collect();
                for (id, _) in &batch {
                    *inner.delivered.entry(*id).or_default() += 1;
                }
                return ok(Value::Array(batch.into_iter().map(|(_, u)| u).collect()));
            }
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return ok(json!([]));
        }
        let _ = tokio::time::timeout(left, notified).await;
    }
}

fn send_message(fake: &FakeTelegram, body: &Value) -> Response {
    let chat = body["chat_id"].as_i64().unwrap_or_default();
    let text = body["text"].as_str().unwrap_or_default();
    if body["parse_mode"].as_str() != Some("HTML") {
        return error(400, "Bad Request: the fake expects parse_mode HTML", None);
    }
    let shown = match render_html(text) {
        Ok(s) => s,
        Err(e) => return error(400, &e, None),
    };
    if shown.chars().count() > 4096 {
        return error(400, "Bad Request: message is too long", None);
    }
    if shown.trim().is_empty() {
        return error(400, "Bad Request: message text is empty", None);
    }
    let mut inner = fake.inner.lock().unwrap();
    if chat > 0 && inner.strangers.contains(&chat) {
        return error(403, "Forbidden: bot can't initiate conversation with a user", None);
    }
    if chat < 0 && !inner.chats.contains_key(&chat) {
        return error(400, "Bad Request: chat not found", None);
    }
    let id = inner.next_message;
    inner.next_message += 1;
    let message = BotMessage {
        chat,
        id,
        shown,
        markup: body.get("reply_markup").cloned(),
        reply_to: body["reply_parameters"]["message_id"].as_i64(),
        thread: body["message_thread_id"].as_i64(),
        edits: 0,
        file: None,
    };
    let json = bot_message_json(&inner, &message);
    inner.messages.push(message);
    ok(json)
}

/// sendPhoto / sendDocument: the file arrives as a multipart part; Telegram's limits
/// (10 MB photos, 50 MB documents) are enforced.
fn send_file(fake: &FakeTelegram, method: &str, body: &Value, files: Vec<super::multipart::Part>) -> Response {
    let chat = body["chat_id"].as_i64().unwrap_or_default();
    let field = if method == "sendphoto" { "photo" } else { "document" };
    // teloxide names the file part and points at it: `photo=attach://<part>`.
    let part = body[field].as_str().and_then(|v| v.strip_prefix("attach://")).unwrap_or(field).to_owned();
    let Some(file) = files.into_iter().find(|p| p.name == part) else {
        return error(400, &format!("Bad Request: there is no {field} in the request"), None);
    };
    let limit = if method == "sendphoto" { 10 * 1024 * 1024 } else { 50 * 1024 * 1024 };
    if file.data.len() > limit {
        return error(413, "Request Entity Too Large", None);
    }
    let mut inner = fake.inner.lock().unwrap();
    if chat < 0 && !inner.chats.contains_key(&chat) {
        return error(400, "Bad Request: chat not found", None);
    }
    let id = inner.next_message;
    inner.next_message += 1;
    let name = file.filename.clone().unwrap_or_default();
    let mut json = json!({
        "message_id": id,
        "date": chrono::Utc::now().timestamp(),
        "chat": inner.chats.get(&chat).cloned().unwrap_or_else(|| json!({ "id": chat, "type": "private", "first_name": "someone" })),
        "from": bot_user(),
    });
    if method == "sendphoto" {
        json["photo"] = json!([{ "file_id": format!("p{id}"), "file_unique_id": format!("u{id}"), "width": 1, "height": 1, "file_size": file.data.len() }]);
    } else {
        json["document"] = json!({ "file_id": format!("d{id}"), "file_unique_id": format!("u{id}"), "file_name": name, "file_size": file.data.len() });
    }
    let shown = match body["caption"].as_str().map(render_html) {
        Some(Ok(shown)) => shown,
        Some(Err(e)) => return error(400, &e, None),
        None => String::new(),
    };
    if shown.chars().count() > 1024 {
        return error(400, "Bad Request: message caption is too long", None);
    }
    json["caption"] = json!(shown);
    inner.messages.push(BotMessage {
        chat,
        id,
        shown,
        markup: None,
        reply_to: body["reply_parameters"]["message_id"].as_i64(),
        thread: body["message_thread_id"].as_i64(),
        edits: 0,
        file: Some((method.to_owned(), name, file.data)),
    });
    ok(json)
}

fn edit_message_text(fake: &FakeTelegram, body: &Value) -> Response {
    let chat = body["chat_id"].as_i64().unwrap_or_default();
    let id = body["message_id"].as_i64().unwrap_or_default();
    let shown = match render_html(body["text"].as_str().unwrap_or_default()) {
        Ok(s) => s,
        Err(e) => return error(400, &e, None),
    };
    let mut inner = fake.inner.lock().unwrap();
    let Some(i) = inner.messages.iter().position(|m| m.chat == chat && m.id == id) else {
        return error(400, "Bad Request: message to edit not found", None);
    };
    let markup = body.get("reply_markup").cloned();
    let message = &mut inner.messages[i];
    if message.shown == shown && message.markup == markup {
        return error(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            None,
        );
    }
    message.shown = shown;
    message.markup = markup;
    message.edits += 1;
    let message = message.clone();
    ok(bot_message_json(&inner, &message))
}

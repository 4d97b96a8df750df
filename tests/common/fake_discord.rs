//! A fake Discord on 127.0.0.1: REST under `/api/v10/…` and a websocket gateway (HELLO,
//! IDENTIFY checked, READY, RESUME, heartbeats), so serenity's own HTTP and gateway code
//! runs in the tests. Tests inject INTERACTION_CREATE and MESSAGE_CREATE events and read
//! back what the bot did.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Frame;

pub const TOKEN: &str = "MTIzNDU2Nzg5.Gfake0.discord-test-token_value";
pub const BOT_ID: u64 = 900_000_000_000_000_001;
pub const APP_ID: u64 = 900_000_000_000_000_002;
pub const GUILD: u64 = 800_000_000_000_000_001;

/// A person in the fake.
#[derive(Debug, Clone, Copy)]
pub struct User {
    pub id: u64,
    pub name: &'static str,
}

impl User {
    pub fn json(&self) -> Value {
        json!({ "id": self.id.to_string(), "username": self.name.to_lowercase(), "global_name": self.name,
                "discriminator": "0", "avatar": null, "bot": false })
    }
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID.to_string(), "username": "deskmate", "global_name": null, "discriminator": "0",
            "avatar": null, "bot": true })
}

/// A message as Discord keeps it.
#[derive(Debug, Clone)]
pub struct Posted {
    pub channel: u64,
    pub id: u64,
    /// What a reader sees: the content, then each embed's title and description.
    pub content: String,
    pub embeds: Value,
    pub components: Value,
    pub flags: u64,
    pub nonce: Option<String>,
    /// Whether it would ping @everyone: the text says so and allowed_mentions let it.
    pub pings_everyone: bool,
    pub edits: u32,
    /// The interaction it answers, for responses and follow-ups.
    pub interaction: Option<u64>,
    pub reply_to: Option<u64>,
    /// Attached files: name, size and a hash of the bytes.
    pub files: Vec<(String, usize, u64)>,
}

impl Posted {
    pub fn buttons(&self) -> Vec<String> {
        self.components
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
            .filter_map(|b| b["custom_id"].as_str().map(str::to_owned))
            .collect()
    }

    /// Buttons that can no longer be pressed.
    pub fn disabled_buttons(&self) -> Vec<String> {
        self.components
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
            .filter(|b| b["disabled"] == true)
            .filter_map(|b| b["custom_id"].as_str().map(str::to_owned))
            .collect()
    }

    pub fn ephemeral(&self) -> bool {
        self.flags & 64 != 0
    }
}

/// What the bot answered to one interaction.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub dispatched: Option<Instant>,
    /// Callback types in order (4 message, 5 deferred, 6 deferred update, 8 choices, 9 modal).
    pub callbacks: Vec<(u8, Instant, Value)>,
    pub token: String,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    messages: Vec<Posted>,
    answers: HashMap<u64, Answer>,
    by_token: HashMap<String, u64>,
    commands: Vec<Value>,
    calls: Vec<(Method, String, Instant)>,
    failures: VecDeque<(String, u16, Value)>,
    identifies: Vec<Value>,
    resumes: u32,
    sequence: u64,
    connection: Option<mpsc::UnboundedSender<Frame>>,
    /// Users whose DMs are closed.
    closed_dms: Vec<u64>,
    threads: Vec<(u64, u64, String)>,
    dm_channels: HashMap<u64, u64>,
    interaction_channels: HashMap<u64, u64>,
    /// Guild roles per user.
    roles: HashMap<u64, Vec<String>>,
    /// Files users attached, served from the CDN by path.
    cdn: HashMap<String, Vec<u8>>,
}

#[derive(Clone)]
pub struct FakeDiscord {
    pub api: String,
    pub gateway: String,
    inner: Arc<Mutex<Inner>>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let inner = Arc::new(Mutex::new(Inner { next_id: 1_000_000_000_000_000_000, ..Inner::default() }));
        let http = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakeDiscord {
            api: format!("http://{}", http.local_addr().unwrap()),
            gateway: format!("ws://{}", ws.local_addr().unwrap()),
            inner,
        };
        let app = Router::new()
            .route("/api/v10/{*path}", axum::routing::any(rest))
            .route("/attachments/{*path}", axum::routing::get(cdn))
            // Uploads as large as the platform takes (axum's default is 2 MB).
            .layer(axum::extract::DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(http, app).await.unwrap() });
        let gateway = fake.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                let fake = gateway.clone();
                tokio::spawn(async move { fake.session(stream).await });
            }
        });
        fake
    }

    fn id(&self) -> u64 {
        let mut inner = self.inner.lock().unwrap();
        inner.next_id += 1;
        inner.next_id
    }

    /// One gateway connection: HELLO, then IDENTIFY or RESUME, heartbeats, and whatever
    /// the test dispatches while it lasts.
    async fn session(&self, stream: tokio::net::TcpStream) {
        let Ok(ws) = tokio_tungstenite::accept_async(stream).await else { return };
        let (mut sink, mut source) = ws.split();
        let (tx, mut rx) = mpsc::unbounded_channel::<Frame>();
        let hello = json!({ "op": 10, "d": { "heartbeat_interval": 41250 } });
        if sink.send(Frame::text(hello.to_string())).await.is_err() {
            return;
        }
        let writer = tokio::spawn(async move {
            while let Some(frame) = rx.recv().await {
                let close = matches!(frame, Frame::Close(_));
                if sink.send(frame).await.is_err() || close {
                    break;
                }
            }
        });
        while let Some(Ok(frame)) = source.next().await {
            let Frame::Text(text) = frame else { continue };
            let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
            match payload["op"].as_u64() {
                Some(1) => {
                    let _ = tx.send(Frame::text(json!({ "op": 11 }).to_string()));
                }
                Some(2) => {
                    let token = payload["d"]["token"].as_str().unwrap_or_default();
                    if token.trim_start_matches("Bot ") != TOKEN {
                        let _ = tx.send(Frame::Close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                            code: 4004.into(),
                            reason: "Authentication failed.".into(),
                        })));
                        break;
                    }
                    self.inner.lock().unwrap().identifies.push(payload["d"].clone());
                    self.inner.lock().unwrap().connection = Some(tx.clone());
                    let ready = json!({
                        "v": 10,
                        "user": bot_user(),
                        "guilds": [{ "id": GUILD.to_string(), "unavailable": true }],
                        "session_id": "session-1",
                        "resume_gateway_url": self.gateway,
                        "shard": [0, 1],
                        "application": { "id": APP_ID.to_string(), "flags": 0 },
                    });
                    self.dispatch("READY", ready);
                }
                Some(6) => {
                    let ok = payload["d"]["session_id"] == "session-1";
                    if !ok {
                        let _ = tx.send(Frame::text(json!({ "op": 9, "d": false }).to_string()));
                        continue;
                    }
                    self.inner.lock().unwrap().resumes += 1;
                    self.inner.lock().unwrap().connection = Some(tx.clone());
                    self.dispatch("RESUMED", json!({}));
                }
                _ => {}
            }
        }
        writer.abort();
    }

    /// Sends a dispatch event on the live gateway connection.
    pub fn dispatch(&self, event: &str, data: Value) {
        let mut inner = self.inner.lock().unwrap();
        inner.sequence += 1;
        let frame = json!({ "op": 0, "t": event, "s": inner.sequence, "d": data });
        if let Some(connection) = &inner.connection {
            let _ = connection.send(Frame::text(frame.to_string()));
        }
    }

    /// Drops the gateway connection, as a network blip does.
    pub fn drop_connection(&self) {
        if let Some(connection) = self.inner.lock().unwrap().connection.take() {
            let _ = connection.send(Frame::Close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                code: 4000.into(),
                reason: "Unknown error.".into(),
            })));
        }
    }

    pub fn connected(&self) -> bool {
        self.inner.lock().unwrap().connection.is_some()
    }

    /// The user holds this guild role from now on.
    pub fn give_role(&self, user: User, role: u64) {
        self.inner.lock().unwrap().roles.entry(user.id).or_default().push(role.to_string());
    }

    fn interaction(&self, kind: u8, user: User, channel: u64, data: Value, message: Option<Value>) -> u64 {
        let id = self.id();
        let roles = self.inner.lock().unwrap().roles.get(&user.id).cloned().unwrap_or_default();
        let token = format!("token-{id}-aW50ZXJhY3Rpb24");
        let mut payload = json!({
            "id": id.to_string(),
            "application_id": APP_ID.to_string(),
            "type": kind,
            "data": data,
            "guild_id": GUILD.to_string(),
            "channel_id": channel.to_string(),
            "channel": { "id": channel.to_string(), "type": 0, "guild_id": GUILD.to_string(), "name": "support" },
            "member": { "user": user.json(), "roles": roles, "joined_at": "2026-01-01T00:00:00+00:00", "deaf": false,
                        "mute": false, "flags": 0, "permissions": "2248473465835073" },
            "token": token,
            "version": 1,
            "app_permissions": "2248473465835073",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": { "0": GUILD.to_string() },
            "context": 0,
            "attachment_size_limit": 8_388_608,
        });
        if let Some(message) = message {
            payload["message"] = message;
        }
        {
            let mut inner = self.inner.lock().unwrap();
            inner
                .answers
                .insert(id, Answer { dispatched: Some(Instant::now()), token: token.clone(), ..Answer::default() });
            inner.by_token.insert(token, id);
            inner.interaction_channels.insert(id, channel);
        }
        self.dispatch("INTERACTION_CREATE", payload);
        id
    }

    /// `/name sub option:value…` as Discord sends it; `options` are the top level.
    pub fn slash(&self, user: User, channel: u64, name: &str, options: Value) -> u64 {
        let data = json!({ "id": self.id().to_string(), "name": name, "type": 1, "options": options,
                           "resolved": {} });
        self.interaction(2, user, channel, data, None)
    }

    /// `/name …` with a USER option resolved the way Discord does it.
    pub fn slash_with_user(&self, user: User, channel: u64, name: &str, options: Value, named: User) -> u64 {
        let data = json!({ "id": self.id().to_string(), "name": name, "type": 1, "options": options,
                           "resolved": { "users": { named.id.to_string(): named.json() } } });
        self.interaction(2, user, channel, data, None)
    }

    /// An attachment as Discord resolves it, its bytes on the CDN.
    fn upload(&self, (name, mime, bytes): (&str, &str, &[u8])) -> Value {
        let id = self.id();
        let path = format!("{id}/{name}");
        self.inner.lock().unwrap().cdn.insert(path.clone(), bytes.to_vec());
        let url = format!("{}/attachments/{path}", self.api);
        json!({ "id": id.to_string(), "filename": name, "size": bytes.len(), "url": url, "proxy_url": url,
                "content_type": mime })
    }

    /// `/name sub option:value…` with a file in its ATTACHMENT option `file` (added to
    /// the subcommand's options, or the top level's).
    pub fn slash_with_file(
        &self,
        user: User,
        channel: u64,
        name: &str,
        mut options: Value,
        file: (&str, &str, &[u8]),
    ) -> u64 {
        let attachment = self.upload(file);
        let id = attachment["id"].clone();
        let option = json!({ "name": "file", "type": 11, "value": id });
        match options.get_mut(0).filter(|o| o["type"] == 1) {
            Some(sub) => sub["options"].as_array_mut().unwrap().push(option),
            None => options.as_array_mut().unwrap().push(option),
        }
        let data = json!({ "id": self.id().to_string(), "name": name, "type": 1, "options": options,
                           "resolved": { "attachments": { id.as_str().unwrap(): attachment } } });
        self.interaction(2, user, channel, data, None)
    }

    /// `user` writes in a direct-message channel with a file attached, optionally as a
    /// reply to the bot's message `to`.
    pub fn dm_with_file(
        &self,
        user: User,
        channel: u64,
        content: &str,
        file: (&str, &str, &[u8]),
        to: Option<&Posted>,
    ) -> u64 {
        let attachment = self.upload(file);
        let id = self.id();
        let mut message = json!({
            "id": id.to_string(), "channel_id": channel.to_string(),
            "author": user.json(), "content": content, "timestamp": "2026-11-28T09:00:00+00:00",
            "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [],
            "mention_roles": [], "attachments": [attachment], "embeds": [], "pinned": false, "type": 0,
        });
        if let Some(to) = to {
            message["type"] = json!(19);
            message["message_reference"] =
                json!({ "message_id": to.id.to_string(), "channel_id": channel.to_string() });
            message["referenced_message"] = message_json(to);
        }
        self.dispatch("MESSAGE_CREATE", message);
        id
    }

    pub fn press(&self, user: User, message: &Posted, custom_id: &str) -> u64 {
        let data = json!({ "custom_id": custom_id, "component_type": 2 });
        let message = message_json(message);
        self.interaction(3, user, message["channel_id"].as_str().unwrap().parse().unwrap(), data, Some(message))
    }

    pub fn submit(&self, user: User, channel: u64, custom_id: &str, text: &str) -> u64 {
        let data = json!({ "custom_id": custom_id, "components": [
            { "type": 1, "components": [{ "type": 4, "custom_id": "answer", "value": text }] }
        ] });
        self.interaction(5, user, channel, data, None)
    }

    pub fn autocomplete(&self, user: User, channel: u64, name: &str, options: Value) -> u64 {
        let data = json!({ "id": self.id().to_string(), "name": name, "type": 1, "options": options });
        self.interaction(4, user, channel, data, None)
    }

    /// A plain message in a guild channel.
    pub fn say(&self, user: User, channel: u64, content: &str, mentions_bot: bool) -> u64 {
        let id = self.id();
        let mentions = if mentions_bot { json!([bot_user()]) } else { json!([]) };
        let message = json!({
            "id": id.to_string(), "channel_id": channel.to_string(), "guild_id": GUILD.to_string(),
            "author": user.json(), "content": content, "timestamp": "2026-11-28T09:00:00+00:00",
            "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": mentions,
            "mention_roles": [], "attachments": [], "embeds": [], "pinned": false, "type": 0,
        });
        self.dispatch("MESSAGE_CREATE", message);
        id
    }

    /// `user` adds a reaction (a Unicode emoji) to a message in a guild channel.
    pub fn react(&self, user: User, channel: u64, message: u64, emoji: &str) {
        let member = json!({ "user": user.json(), "roles": [], "joined_at": "2026-01-01T00:00:00+00:00",
                             "deaf": false, "mute": false, "flags": 0 });
        self.dispatch(
            "MESSAGE_REACTION_ADD",
            json!({ "user_id": user.id.to_string(), "channel_id": channel.to_string(),
                    "message_id": message.to_string(), "guild_id": GUILD.to_string(), "member": member,
                    "emoji": { "id": null, "name": emoji }, "burst": false, "type": 0 }),
        );
    }

    pub fn close_dms(&self, user: User) {
        self.inner.lock().unwrap().closed_dms.push(user.id);
    }

    pub fn fail_next(&self, route: &str, status: u16, body: Value) {
        self.inner.lock().unwrap().failures.push_back((route.to_owned(), status, body));
    }

    pub fn messages_in(&self, channel: u64) -> Vec<Posted> {
        self.inner.lock().unwrap().messages.iter().filter(|m| m.channel == channel).cloned().collect()
    }

    pub fn all_messages(&self) -> Vec<Posted> {
        self.inner.lock().unwrap().messages.clone()
    }

    pub fn message(&self, id: u64) -> Option<Posted> {
        self.inner.lock().unwrap().messages.iter().find(|m| m.id == id).cloned()
    }

    pub fn answer(&self, interaction: u64) -> Answer {
        self.inner.lock().unwrap().answers.get(&interaction).cloned().unwrap_or_default()
    }

    /// Messages that answer an interaction (its response and follow-ups).
    pub fn replies_to(&self, interaction: u64) -> Vec<Posted> {
        self.inner.lock().unwrap().messages.iter().filter(|m| m.interaction == Some(interaction)).cloned().collect()
    }

    pub fn commands(&self) -> Vec<Value> {
        self.inner.lock().unwrap().commands.clone()
    }

    pub fn identifies(&self) -> Vec<Value> {
        self.inner.lock().unwrap().identifies.clone()
    }

    pub fn resumes(&self) -> u32 {
        self.inner.lock().unwrap().resumes
    }

    pub fn threads(&self) -> Vec<(u64, u64, String)> {
        self.inner.lock().unwrap().threads.clone()
    }

    pub fn dm_channel(&self, user: User) -> Option<u64> {
        self.inner.lock().unwrap().dm_channels.get(&user.id).copied()
    }

    pub fn calls(&self) -> Vec<(Method, String, Instant)> {
        self.inner.lock().unwrap().calls.clone()
    }

    pub async fn wait(&self, what: &str, limit: Duration, check: impl Fn(&FakeDiscord) -> bool) {
        let until = Instant::now() + limit;
        while !check(self) {
            assert!(Instant::now() < until, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stores a message the bot created; returns its JSON.
    fn create(&self, channel: u64, body: &Value, interaction: Option<u64>) -> Value {
        let id = self.id();
        let allowed = &body["allowed_mentions"];
        let everyone_allowed =
            allowed.is_null() || allowed["parse"].as_array().is_some_and(|p| p.iter().any(|v| v == "everyone"));
        let content = body["content"].as_str().unwrap_or_default().to_owned();
        let posted = Posted {
            channel,
            id,
            pings_everyone: everyone_allowed && content.contains("@everyone"),
            content: shown(body),
            embeds: body.get("embeds").cloned().unwrap_or(json!([])),
            components: body.get("components").cloned().unwrap_or(json!([])),
            flags: body["flags"].as_u64().unwrap_or(0),
            nonce: body["nonce"].as_str().map(str::to_owned),
            edits: 0,
            interaction,
            reply_to: body["message_reference"]["message_id"].as_str().and_then(|s| s.parse().ok()),
            files: body["__files"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    let name = f["name"].as_str().unwrap_or_default().to_owned();
                    (name, f["len"].as_u64().unwrap_or(0) as usize, f["hash"].as_u64().unwrap_or(0))
                })
                .collect(),
        };
        let json = message_json(&posted);
        self.inner.lock().unwrap().messages.push(posted);
        json
    }
}

/// The text a message shows: its content and its embeds' titles and descriptions.
fn shown(body: &Value) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(content) = body["content"].as_str().filter(|c| !c.is_empty()) {
        lines.push(content.to_owned());
    }
    for embed in body["embeds"].as_array().into_iter().flatten() {
        for field in ["title", "description"] {
            if let Some(text) = embed[field].as_str().filter(|t| !t.is_empty()) {
                lines.push(text.to_owned());
            }
        }
    }
    lines.join("\n")
}

pub fn message_json(m: &Posted) -> Value {
    json!({
        "id": m.id.to_string(), "channel_id": m.channel.to_string(), "guild_id": GUILD.to_string(),
        "author": bot_user(), "content": m.content, "timestamp": "2026-11-28T09:00:00+00:00",
        "edited_timestamp": null, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": m.embeds, "pinned": false, "type": 0, "components": m.components,
        "flags": m.flags, "application_id": APP_ID.to_string(),
    })
}

/// Discord's CDN, for the files users attached.
async fn cdn(State(fake): State<FakeDiscord>, axum::extract::Path(path): axum::extract::Path<String>) -> Response {
    match fake.inner.lock().unwrap().cdn.get(&path) {
        Some(bytes) => bytes.clone().into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn json_response(status: StatusCode, body: Value) -> Response {
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

async fn rest(State(fake): State<FakeDiscord>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().trim_start_matches("/api/v10").to_owned();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let body: Value = match super::multipart::boundary(content_type) {
        // Attachments: the message is the payload_json part, each file a files[n] part.
        Some(boundary) => {
            let parts = super::multipart::parse(&body, boundary);
            let mut message = parts
                .iter()
                .find(|p| p.name == "payload_json")
                .and_then(|p| serde_json::from_slice(&p.data).ok())
                .unwrap_or(json!({}));
            let files: Vec<Value> = parts
                .iter()
                .filter(|p| p.filename.is_some())
                .map(|p| {
                    json!({ "name": p.filename, "len": p.data.len(), "hash": deskmate_port::stable_hash(&String::from_utf8_lossy(&p.data)) })
                })
                .collect();
            if files.iter().any(|f| f["len"].as_u64().unwrap_or(0) > 10 * 1024 * 1024) {
                return json_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    json!({ "message": "Request entity too large", "code": 40005 }),
                );
            }
            if let Some(target) = message.get_mut("data").filter(|d| d.is_object()) {
                target["__files"] = Value::Array(files);
            } else {
                message["__files"] = Value::Array(files);
            }
            message
        }
        None => serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    {
        let mut inner = fake.inner.lock().unwrap();
        inner.calls.push((method.clone(), path.clone(), Instant::now()));
        let route = format!("{method} {path}");
        if let Some(i) = inner.failures.iter().position(|(r, ..)| route.starts_with(r.as_str())) {
            let (_, status, body) = inner.failures.remove(i).unwrap();
            return json_response(StatusCode::from_u16(status).unwrap(), body);
        }
    }
    let authorized = headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(&format!("Bot {TOKEN}"));
    // Interaction callbacks and webhooks are authorised by their token, not the bot's.
    let by_token = path.starts_with("/interactions/") || path.starts_with("/webhooks/");
    if !authorized && !by_token {
        return json_response(StatusCode::UNAUTHORIZED, json!({ "message": "401: Unauthorized", "code": 0 }));
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => json_response(StatusCode::OK, json!({ "url": fake.gateway })),
        ("GET", ["gateway", "bot"]) => json_response(
            StatusCode::OK,
            json!({ "url": fake.gateway, "shards": 1,
                    "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1 } }),
        ),
        ("GET", ["users", "@me"]) => json_response(StatusCode::OK, bot_user()),
        ("PUT", ["applications", _app, "commands"]) | ("PUT", ["applications", _app, "guilds", _, "commands"]) => {
            let commands = body.as_array().cloned().unwrap_or_default();
            if let Some(problem) = commands.iter().find_map(invalid_command) {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    json!({ "message": "Invalid Form Body", "code": 50035, "errors": { "_errors": [{ "message": problem }] } }),
                );
            }
            let created: Vec<Value> = commands
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    c["id"] = json!(fake.id().to_string());
                    c["application_id"] = json!(APP_ID.to_string());
                    c["version"] = json!("1");
                    c["default_member_permissions"] = Value::Null;
                    c
                })
                .collect();
            fake.inner.lock().unwrap().commands = commands;
            json_response(StatusCode::OK, Value::Array(created))
        }
        ("POST", ["interactions", id, token, "callback"]) => {
            let id: u64 = id.parse().unwrap_or_default();
            let kind = body["type"].as_u64().unwrap_or_default() as u8;
            let channel = {
                let mut inner = fake.inner.lock().unwrap();
                let Some(answer) = inner.answers.get_mut(&id).filter(|a| a.token == *token) else {
                    return json_response(
                        StatusCode::NOT_FOUND,
                        json!({ "message": "Unknown interaction", "code": 10062 }),
                    );
                };
                if answer.callbacks.iter().any(|(k, ..)| *k != 8) {
                    return json_response(
                        StatusCode::BAD_REQUEST,
                        json!({ "message": "Interaction has already been acknowledged.", "code": 40060 }),
                    );
                }
                answer.callbacks.push((kind, Instant::now(), body.clone()));
                inner.channel_of(id)
            };
            if kind == 4 {
                fake.create(channel, &body["data"], Some(id));
            }
            json_response(StatusCode::NO_CONTENT, Value::Null)
        }
        ("POST", ["webhooks", _app, token]) => {
            let Some(id) = fake.inner.lock().unwrap().by_token.get(*token).copied() else {
                return json_response(StatusCode::NOT_FOUND, json!({ "message": "Unknown Webhook", "code": 10015 }));
            };
            let channel = fake.inner.lock().unwrap().channel_of(id);
            json_response(StatusCode::OK, fake.create(channel, &body, Some(id)))
        }
        ("PATCH", ["webhooks", _app, token, "messages", "@original"]) => {
            let Some(id) = fake.inner.lock().unwrap().by_token.get(*token).copied() else {
                return json_response(StatusCode::NOT_FOUND, json!({ "message": "Unknown Webhook", "code": 10015 }));
            };
            let channel = fake.inner.lock().unwrap().channel_of(id);
            json_response(StatusCode::OK, fake.create(channel, &body, Some(id)))
        }
        ("POST", ["channels", channel, "messages"]) => {
            let channel: u64 = channel.parse().unwrap_or_default();
            let duplicate = {
                let inner = fake.inner.lock().unwrap();
                let nonce = body["nonce"].as_str();
                inner
                    .messages
                    .iter()
                    .find(|m| nonce.is_some() && m.nonce.as_deref() == nonce && m.channel == channel)
                    .cloned()
            };
            match duplicate {
                // enforce_nonce: the same nonce returns the message created before.
                Some(m) if body["enforce_nonce"] == true => json_response(StatusCode::OK, message_json(&m)),
                _ => json_response(StatusCode::OK, fake.create(channel, &body, None)),
            }
        }
        ("GET", ["channels", channel]) => {
            let id: u64 = channel.parse().unwrap_or_default();
            let thread = fake.inner.lock().unwrap().threads.iter().find(|(_, m, _)| *m == id).cloned();
            match thread {
                Some((parent, _, name)) => json_response(
                    StatusCode::OK,
                    json!({ "id": id.to_string(), "type": 11, "guild_id": GUILD.to_string(), "name": name,
                            "parent_id": parent.to_string(), "owner_id": BOT_ID.to_string(),
                            "thread_metadata": { "archived": false, "auto_archive_duration": 10080, "locked": false,
                                                 "archive_timestamp": "2026-11-28T09:00:00+00:00" } }),
                ),
                None => json_response(
                    StatusCode::OK,
                    json!({ "id": id.to_string(), "type": 0, "guild_id": GUILD.to_string(), "name": "general",
                            "position": 0, "permission_overwrites": [], "nsfw": false, "parent_id": null }),
                ),
            }
        }
        ("GET", ["channels", _channel, "messages", message]) => {
            let id: u64 = message.parse().unwrap_or_default();
            match fake.message(id) {
                Some(m) => json_response(StatusCode::OK, message_json(&m)),
                None => json_response(StatusCode::NOT_FOUND, json!({ "message": "Unknown Message", "code": 10008 })),
            }
        }
        ("PATCH", ["channels", _channel, "messages", message]) => {
            let id: u64 = message.parse().unwrap_or_default();
            let mut inner = fake.inner.lock().unwrap();
            let Some(m) = inner.messages.iter_mut().find(|m| m.id == id) else {
                return json_response(StatusCode::NOT_FOUND, json!({ "message": "Unknown Message", "code": 10008 }));
            };
            if body.get("content").is_some() || body.get("embeds").is_some() {
                m.content = shown(&body);
            }
            if let Some(embeds) = body.get("embeds") {
                m.embeds = embeds.clone();
            }
            if let Some(components) = body.get("components") {
                m.components = components.clone();
            }
            m.edits += 1;
            let json = message_json(m);
            json_response(StatusCode::OK, json)
        }
        ("POST", ["users", "@me", "channels"]) => {
            let user: u64 = body["recipient_id"].as_str().and_then(|s| s.parse().ok()).unwrap_or_default();
            let channel = {
                let existing = fake.inner.lock().unwrap().dm_channels.get(&user).copied();
                existing.unwrap_or_else(|| {
                    let id = fake.id();
                    fake.inner.lock().unwrap().dm_channels.insert(user, id);
                    id
                })
            };
            if fake.inner.lock().unwrap().closed_dms.contains(&user) {
                // Opening works; sending will not.
                fake.fail_next(
                    &format!("POST /channels/{channel}/messages"),
                    403,
                    json!({ "message": "Cannot send messages to this user", "code": 50007 }),
                );
            }
            let recipient =
                json!({ "id": user.to_string(), "username": "someone", "discriminator": "0", "avatar": null });
            json_response(StatusCode::OK, json!({ "id": channel.to_string(), "type": 1, "recipients": [recipient] }))
        }
        ("POST", ["channels", channel, "messages", message, "threads"]) => {
            let (channel, message): (u64, u64) =
                (channel.parse().unwrap_or_default(), message.parse().unwrap_or_default());
            let name = body["name"].as_str().unwrap_or_default().to_owned();
            fake.inner.lock().unwrap().threads.push((channel, message, name.clone()));
            // A thread opened on a message has the message's id.
            let thread = message;
            json_response(
                StatusCode::CREATED,
                json!({ "id": thread.to_string(), "type": 11, "guild_id": GUILD.to_string(), "name": name,
                        "parent_id": channel.to_string(), "owner_id": BOT_ID.to_string(),
                        "thread_metadata": { "archived": false, "auto_archive_duration": 10080, "locked": false,
                                             "archive_timestamp": "2026-11-28T09:00:00+00:00" } }),
            )
        }
        _ => json_response(
            StatusCode::NOT_FOUND,
            json!({ "message": format!("404: Not Found {method} {path}"), "code": 0 }),
        ),
    }
}

impl Inner {
    /// The channel an interaction happened in (from its first response's message or
    /// the dispatch); tests use one channel per interaction.
    fn channel_of(&self, interaction: u64) -> u64 {
        self.interaction_channels.get(&interaction).copied().unwrap_or(0)
    }
}

/// Discord's locales: a localization under any other key is refused.
const LOCALES: &[&str] = &[
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
];

/// What Discord would refuse in a command, an option or a subcommand: a name that is not
/// 1-32 lowercase characters, a description (or its localization) outside 1-100
/// characters, a localization under an unknown locale, a choice without a name or value.
fn invalid_command(command: &Value) -> Option<String> {
    let name = command["name"].as_str().unwrap_or_default();
    if name.is_empty() || name.chars().count() > 32 || name.chars().any(|c| c.is_uppercase() || c.is_whitespace()) {
        return Some(format!("name `{name}` is not 1-32 lowercase characters"));
    }
    let length_ok = |text: &str| (1..=100).contains(&text.chars().count());
    if !length_ok(command["description"].as_str().unwrap_or_default()) {
        return Some(format!("{name}: description must be 1-100 characters"));
    }
    if let Some(localized) = command["description_localizations"].as_object() {
        for (locale, text) in localized {
            if !LOCALES.contains(&locale.as_str()) {
                return Some(format!("{name}: `{locale}` is not a locale"));
            }
            if !length_ok(text.as_str().unwrap_or_default()) {
                return Some(format!("{name}: the {locale} description must be 1-100 characters"));
            }
        }
    }
    for choice in command["choices"].as_array().into_iter().flatten() {
        if !length_ok(choice["name"].as_str().unwrap_or_default()) || choice["value"].as_str().is_none() {
            return Some(format!("{name}: a choice needs a name of 1-100 characters and a value"));
        }
        for (locale, text) in choice["name_localizations"].as_object().into_iter().flatten() {
            if !LOCALES.contains(&locale.as_str()) || !length_ok(text.as_str().unwrap_or_default()) {
                return Some(format!("{name}: the choice name for `{locale}` is not valid"));
            }
        }
    }
    command["options"].as_array().into_iter().flatten().find_map(invalid_command)
}

//! A terminal chat with Deskmate: no token, no network. Every line is a message from the
//! current user; `@bob /ticket claim 1` (any line after `@bob`) speaks once as bob,
//! `/as bob` switches to bob,
//! `/press <id>` presses a button shown under a message, `/thread <msg> <text>` writes in
//! the thread on a message (as in a Discord thread on a ticket's notice), `/attach <path>`
//! attaches a file to the speaker's next command or answer; a line that is not a command
//! is a private message to Deskmate. With stdin as a pipe it runs a
//! script: lines are handled one at a time, replies come out in order, and it returns
//! when input ends and every reply is out.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use deskmate_port::{
    Account, Attachment, Body, ChannelKind, ChannelRef, Destination, EventKind, Inbound, InboundEvent, MessageRef,
    Messenger, OutboundMessage, Platform, SendError,
};
use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// The conversation typed lines belong to.
pub const GENERAL: &str = "general";

struct State {
    out: Box<dyn Write + Send>,
    next_id: u64,
    /// Which message last showed each button, so `/press` can say where it was pressed.
    buttons: HashMap<String, MessageRef>,
    /// The channel of every posted message, to label edits.
    channels: HashMap<String, ChannelRef>,
    /// The open question for each person it was put to, answered with `/answer`.
    prompts: HashMap<String, String>,
    /// Where files are written.
    files_dir: PathBuf,
}

/// Prints Deskmate's messages to a terminal (or any writer, for tests).
#[derive(Clone)]
pub struct ConsoleMessenger {
    state: Arc<Mutex<State>>,
}

impl ConsoleMessenger {
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        ConsoleMessenger {
            state: Arc::new(Mutex::new(State {
                out,
                next_id: 1,
                buttons: HashMap::new(),
                channels: HashMap::new(),
                prompts: HashMap::new(),
                files_dir: PathBuf::from("deskmate-files"),
            })),
        }
    }

    /// Files sent to the console are written under `dir` (created when needed).
    pub fn with_files_dir(self, dir: impl Into<PathBuf>) -> Self {
        self.lock().files_dir = dir.into();
        self
    }

    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn button_message(&self, button_id: &str) -> Option<MessageRef> {
        self.lock().buttons.get(button_id).cloned()
    }

    /// A message the bot posted, by the number it showed.
    fn message(&self, id: &str) -> Option<MessageRef> {
        let channel = self.lock().channels.get(id).cloned()?;
        Some(MessageRef { channel, message_id: id.to_owned() })
    }

    fn prompt_for(&self, speaker: &str) -> Option<String> {
        self.lock().prompts.get(speaker).cloned()
    }

    fn note(&self, line: &str) {
        let mut state = self.lock();
        // A closed terminal is not worth failing a command over.
        let _ = writeln!(state.out, "{line}");
        let _ = state.out.flush();
    }
}

fn indent(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join("\n  ")
}

fn channel_label(channel: &ChannelRef) -> String {
    match channel.kind {
        ChannelKind::Group => format!("#{}", channel.id),
        ChannelKind::Direct => format!("dm {}", channel.id),
    }
}

#[async_trait]
impl Messenger for ConsoleMessenger {
    fn platform(&self) -> Platform {
        Platform::Console
    }

    async fn send(&self, message: OutboundMessage) -> Result<MessageRef, SendError> {
        let mut state = self.lock();
        let Body { text, buttons, .. } = &message.body;
        let (header, channel, id) = match &message.to {
            Destination::Reply { channel, private, reply_handle, .. } => {
                // The reply handle is "speaker#line".
                let speaker = reply_handle.split('#').next().unwrap_or_default();
                let who = if *private { format!(" (only {speaker} sees this)") } else { String::new() };
                (format!("deskmate{who}:"), channel.clone(), None)
            }
            Destination::Channel(channel) => (format!("[{}] deskmate:", channel_label(channel)), channel.clone(), None),
            Destination::Direct(account) => {
                let channel =
                    ChannelRef { platform: Platform::Console, id: account.id.clone(), kind: ChannelKind::Direct };
                (format!("[dm → {}] deskmate:", account.id), channel, None)
            }
            Destination::Under(original) => {
                let channel =
                    state.channels.get(&original.message_id).cloned().unwrap_or_else(|| original.channel.clone());
                (format!("[{} ↳ msg {}] deskmate:", channel_label(&channel), original.message_id), channel, None)
            }
            Destination::Edit(original) => {
                let channel =
                    state.channels.get(&original.message_id).cloned().unwrap_or_else(|| original.channel.clone());
                (
                    format!("[{}] deskmate edited msg {}:", channel_label(&channel), original.message_id),
                    channel,
                    Some(original.message_id.clone()),
                )
            }
        };
        let id = match id {
            Some(id) => id,
            None => {
                let id = state.next_id.to_string();
                state.next_id += 1;
                id
            }
        };
        let reference = MessageRef { channel: channel.clone(), message_id: id.clone() };
        state.channels.insert(id.clone(), channel);
        let mut out = format!("{header} {}", indent(text));
        if matches!(message.to, Destination::Channel(_) | Destination::Direct(_) | Destination::Under(_)) {
            out = out.replacen("deskmate:", &format!("deskmate (msg {id}):"), 1);
        }
        for button in buttons {
            state.buttons.insert(button.id.clone(), reference.clone());
            out.push_str(&format!("\n  [{}] → /press {}", button.label, button.id));
        }
        for file in &message.body.files {
            let path = save(&state.files_dir, &id, file).map_err(|e| SendError::Transient(e.to_string()))?;
            out.push_str(&format!("\n  📎 {} ({}) → {}", file.name, file.size_text(), path.display()));
        }
        let asked = match &message.to {
            Destination::Reply { reply_handle, .. } => reply_handle.split('#').next(),
            Destination::Direct(account) => Some(account.id.as_str()),
            _ => None,
        };
        if let (Some(prompt), Some(speaker)) = (&message.body.prompt, asked) {
            let speaker = speaker.to_owned();
            out.push_str(&format!("\n  (answer with /answer TEXT as {speaker})"));
            state.prompts.insert(speaker, prompt.clone());
        }
        writeln!(state.out, "{out}").map_err(|e| SendError::Transient(e.to_string()))?;
        state.out.flush().map_err(|e| SendError::Transient(e.to_string()))?;
        Ok(reference)
    }
}

/// Writes a file as `DIR/MSG-NAME`, the name reduced to characters safe in a path.
fn save(dir: &Path, message: &str, file: &Attachment) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let safe: String =
        file.name.chars().map(|c| if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    let path = dir.join(format!("{message}-{}", safe.trim_start_matches('.')));
    std::fs::write(&path, &file.bytes)?;
    Ok(path)
}

/// A local file as an attachment, its type told by its extension.
fn read_file(path: &Path) -> Result<Attachment, String> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > deskmate_port::MAX_ATTACHMENT_BYTES as u64 {
        return Err(format!("it is {size} bytes; at most {} can be sent", deskmate_port::MAX_ATTACHMENT_BYTES));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    Attachment::new(name, mime_of(&extension), bytes).map_err(|e| e.to_string())
}

/// The MIME types of files people commonly attach to requests; anything else is sent
/// as plain bytes.
fn mime_of(extension: &str) -> &'static str {
    match extension {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

/// `/wait 90s`, `/wait 2m`: at most ten minutes.
fn wait_for(typed: &str) -> Option<std::time::Duration> {
    let (number, unit) = typed.split_at(typed.find(|c: char| !c.is_ascii_digit())?);
    let n: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        _ => return None,
    };
    (1..=600).contains(&seconds).then(|| std::time::Duration::from_secs(seconds))
}

fn account(name: &str) -> Account {
    Account {
        platform: Platform::Console,
        id: name.to_owned(),
        handle: Some(name.to_owned()),
        display_name: name.to_owned(),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
}

/// Reads lines until input ends (or `/quit`), handing each to `inbound` and waiting for
/// its replies before reading the next. `echo` repeats each line with its speaker, which
/// makes a piped transcript readable; `prompt` shows `name> ` before reading.
pub async fn run(
    inbound: Arc<dyn Inbound>,
    messenger: ConsoleMessenger,
    input: impl AsyncBufRead + Unpin,
    user: &str,
    echo: bool,
    prompt: bool,
) -> std::io::Result<()> {
    let mut user = user.to_owned();
    let mut input = input;
    let mut raw = Vec::new();
    // Line numbers restart with every run; the session stamp keeps event ids unique
    // across runs on one database.
    let session = chrono::Utc::now().timestamp_micros();
    let mut number: u64 = 0;
    // Files attached with /attach, by speaker, until their next command or answer.
    let mut attached: HashMap<String, Vec<Attachment>> = HashMap::new();
    loop {
        if prompt {
            let mut state = messenger.lock();
            let _ = write!(state.out, "{user}> ");
            let _ = state.out.flush();
        }
        // Bytes, decoded leniently: a stray invalid byte becomes U+FFFD in its line and
        // the session goes on.
        raw.clear();
        if input.read_until(b'\n', &mut raw).await? == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&raw);
        number += 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // "@bob /ticket claim 1" (or "@bob my screen is black") speaks once as bob.
        let (speaker, text) = match line.strip_prefix('@').and_then(|l| l.split_once(char::is_whitespace)) {
            Some((name, rest)) if valid_name(name) && !rest.trim().is_empty() => (name.to_owned(), rest.trim()),
            _ => (user.clone(), line),
        };
        if echo {
            messenger.note(&format!("{speaker}> {text}"));
        }
        let mut words = text.split_whitespace();
        let first = words.next().unwrap_or_default();
        if first == "/quit" || first == "/exit" {
            break;
        }
        if first == "/as" {
            match (words.next(), words.next()) {
                (Some(name), None) if valid_name(name.trim_start_matches('@')) => {
                    user = name.trim_start_matches('@').to_owned();
                    messenger.note(&format!("(you are now {user})"));
                }
                _ => messenger.note("(usage: /as NAME — letters, digits, _ - . only)"),
            }
            continue;
        }
        if first == "/wait" {
            match words.next().and_then(wait_for) {
                Some(pause) => {
                    messenger.note(&format!(
                        "(waiting {}s; Deskmate goes on: reminders and timers come due)",
                        pause.as_secs()
                    ));
                    tokio::time::sleep(pause).await;
                }
                None => messenger.note("(usage: /wait 90s or /wait 2m — at most 10m; the next line is read after)"),
            }
            continue;
        }
        if first == "/attach" {
            let path = text.trim_start().strip_prefix("/attach").unwrap_or_default().trim();
            if path.is_empty() {
                messenger.note("(usage: /attach PATH — the file goes with your next command or answer)");
                continue;
            }
            match read_file(Path::new(path)) {
                Ok(file) => {
                    messenger.note(&format!(
                        "(📎 {} ({}) goes with {speaker}'s next command or answer)",
                        file.name,
                        file.size_text()
                    ));
                    attached.entry(speaker.clone()).or_default().push(file);
                }
                Err(problem) => messenger.note(&format!("(cannot attach {path}: {problem})")),
            }
            continue;
        }
        let channel = ChannelRef { platform: Platform::Console, id: GENERAL.to_owned(), kind: ChannelKind::Group };
        let kind = if first == "/answer" {
            let text = text.trim_start().strip_prefix("/answer").unwrap_or_default().trim();
            match messenger.prompt_for(&speaker) {
                // An attached file may be the whole answer.
                Some(prompt) if !text.is_empty() || attached.contains_key(&speaker) => {
                    EventKind::Answer { prompt: Some(prompt), replied_to: None, text: text.to_owned() }
                }
                Some(_) => {
                    messenger.note(
                        "(usage: /answer TEXT — your answer to the last question put to you; /attach PATH first to answer with a file)",
                    );
                    continue;
                }
                None => {
                    messenger.note("(no question is waiting for your answer)");
                    continue;
                }
            }
        } else if first == "/press" {
            match (words.next(), words.next()) {
                (Some(id), None) => {
                    EventKind::Button { button_id: id.to_owned(), message: messenger.button_message(id) }
                }
                _ => {
                    messenger.note("(usage: /press BUTTON-ID — the id shown after → under a message)");
                    continue;
                }
            }
        } else if first == "/thread" {
            let on = words.next().and_then(|id| messenger.message(id));
            let said = text.trim_start().strip_prefix("/thread").unwrap_or_default().trim_start();
            let said = said.split_once(char::is_whitespace).map(|(_, rest)| rest.trim()).unwrap_or_default();
            match on {
                Some(on) if !said.is_empty() => EventKind::FollowUp { on, text: said.to_owned() },
                _ => {
                    messenger.note(
                        "(usage: /thread MSG TEXT — write TEXT in the thread on message MSG, e.g. /thread 3 on my way)",
                    );
                    continue;
                }
            }
        } else if text.starts_with('/') {
            EventKind::Command { text: text.to_owned() }
        } else {
            EventKind::Text { text: text.to_owned() }
        };
        let event = InboundEvent {
            id: format!("{session}-{number}"),
            platform: Platform::Console,
            channel,
            author: account(&speaker),
            author_roles: Vec::new(),
            // A console name is only a word: `@carol` names whoever Deskmate already
            // knows by that name, and creates nobody.
            mentions: Vec::new(),
            author_locale: None,
            at: chrono::Utc::now(),
            kind,
            reply_handle: format!("{speaker}#{number}"),
            files: Vec::new(),
        };
        let mut event = event;
        if matches!(event.kind, EventKind::Command { .. } | EventKind::Answer { .. }) {
            event.files = attached.remove(&speaker).unwrap_or_default().into_iter().map(Ok).collect();
        }
        hand_over(inbound.as_ref(), &messenger, event).await;
        inbound.settle().await;
    }
    inbound.settle().await;
    Ok(())
}

/// Hands a line to the core, offering it again while the core cannot take it (its
/// database is down): a typed line is never dropped.
async fn hand_over(inbound: &dyn Inbound, messenger: &ConsoleMessenger, event: InboundEvent) {
    let mut wait = std::time::Duration::from_millis(500);
    let mut told = false;
    while inbound.handle(event.clone()).await.is_err() {
        if !told {
            messenger.note("(Deskmate cannot reach its database; your message will go through when it is back)");
            told = true;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(std::time::Duration::from_secs(10));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Sink {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().map(|v| v.clone()).unwrap_or_default()).into_owned()
        }
    }

    /// Records events and answers each with one reply naming what it saw.
    struct Echo {
        messenger: ConsoleMessenger,
        seen: Mutex<Vec<InboundEvent>>,
    }

    #[async_trait]
    impl Inbound for Echo {
        async fn handle(&self, event: InboundEvent) -> Result<(), deskmate_port::NotTaken> {
            let text = match &event.kind {
                EventKind::Command { text } => format!("{} said {text}", event.author.id),
                EventKind::Button { button_id, message } => {
                    format!("{} pressed {button_id} on {:?}", event.author.id, message.as_ref().map(|m| &m.message_id))
                }
                EventKind::Answer { text, .. } => format!("{} answered {text}", event.author.id),
                EventKind::Text { text } => format!("{} chatted {text}", event.author.id),
                EventKind::FollowUp { on, text } => {
                    format!("{} wrote under {}: {text}", event.author.id, on.message_id)
                }
                EventKind::Reaction { emoji, .. } => format!("{} reacted {emoji}", event.author.id),
                EventKind::Anonymous { text } => format!("someone anonymous said {text}"),
            };
            let to = Destination::Reply {
                channel: event.channel.clone(),
                reply_handle: event.reply_handle.clone(),
                private: false,
                quiet: false,
            };
            let _ = self
                .messenger
                .send(OutboundMessage { to, body: Body::text(text), idempotency_key: String::new() })
                .await;
            self.seen.lock().expect("lock").push(event);
            Ok(())
        }
    }

    #[tokio::test]
    async fn speakers_buttons_and_order() {
        let sink = Sink::default();
        let messenger = ConsoleMessenger::new(Box::new(sink.clone()));
        // A notice with a button, as the core would post it.
        let notice = OutboundMessage {
            to: Destination::Channel(ChannelRef::group(Platform::Console, "queue")),
            body: Body {
                text: "Ticket #1".into(),
                buttons: vec![deskmate_port::Button {
                    id: "claim:1".into(),
                    label: "Claim".into(),
                    style: deskmate_port::ButtonStyle::Primary,
                }],
                ..Body::default()
            },
            idempotency_key: "k1".into(),
        };
        let posted = messenger.send(notice).await.expect("printed");
        let echo = Arc::new(Echo { messenger: messenger.clone(), seen: Mutex::new(Vec::new()) });
        let script =
            "/whoami\n# a comment\n\n@bob /ticket claim 1 for @carol.\n/as dave\n/press claim:1\n/quit\n/never\n";
        run(echo.clone(), messenger, script.as_bytes(), "alice", true, false).await.expect("runs");
        let out = sink.text();
        let expected = [
            "[#queue] deskmate (msg 1): Ticket #1",
            "  [Claim] → /press claim:1",
            "alice> /whoami",
            "deskmate: alice said /whoami",
            "bob> /ticket claim 1 for @carol.",
            "deskmate: bob said /ticket claim 1 for @carol.",
            "alice> /as dave",
            "(you are now dave)",
            "dave> /press claim:1",
            "deskmate: dave pressed claim:1 on Some(\"1\")",
            "dave> /quit",
        ];
        assert_eq!(out.lines().collect::<Vec<_>>(), expected);
        let seen = echo.seen.lock().expect("lock");
        assert_eq!(seen.len(), 3);
        assert!(seen[1].mentions.is_empty(), "a console name resolves nobody by itself");
        assert!(matches!(&seen[2].kind, EventKind::Button { message: Some(m), .. } if *m == posted));
    }

    #[test]
    fn a_wait_is_seconds_or_minutes_up_to_ten_minutes() {
        assert_eq!(wait_for("90s"), Some(std::time::Duration::from_secs(90)));
        assert_eq!(wait_for("2m"), Some(std::time::Duration::from_secs(120)));
        for bad in ["0s", "11m", "90", "m", "1h", "-5s", "99999999999999999999m"] {
            assert_eq!(wait_for(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn an_attached_file_goes_with_the_speakers_next_command_only() {
        let dir = std::env::temp_dir().join(format!("deskmate-attach-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let quote = dir.join("quote.pdf");
        std::fs::write(&quote, b"%PDF-1.4 quote").expect("written");
        let sink = Sink::default();
        let messenger = ConsoleMessenger::new(Box::new(sink.clone()));
        let echo = Arc::new(Echo { messenger: messenger.clone(), seen: Mutex::new(Vec::new()) });
        let missing = dir.join("missing.pdf");
        let script = format!(
            "/attach {}\n/attach {}\n/attach\n@bob /whoami\n/approval request purchase item:Desk\n/whoami\n",
            quote.display(),
            missing.display()
        );
        run(echo.clone(), messenger, script.as_bytes(), "alice", false, false).await.expect("runs");
        let out = sink.text();
        assert!(out.contains("(📎 quote.pdf (1 KB) goes with alice's next command or answer)"), "{out}");
        assert!(out.contains(&format!("(cannot attach {}: ", missing.display())), "{out}");
        assert!(out.contains("(usage: /attach PATH"), "{out}");
        let seen = echo.seen.lock().expect("lock");
        assert_eq!(seen.len(), 3);
        assert!(seen[0].files.is_empty(), "bob's command does not take alice's file");
        let files: Vec<_> = seen[1].files.iter().map(|f| f.as_ref().expect("read")).collect();
        assert_eq!(files.len(), 1);
        assert_eq!((files[0].name.as_str(), files[0].mime.as_str()), ("quote.pdf", "application/pdf"));
        assert_eq!(files[0].bytes, b"%PDF-1.4 quote");
        assert!(seen[2].files.is_empty(), "a file goes once");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn invalid_utf8_is_read_leniently_and_the_session_goes_on() {
        let sink = Sink::default();
        let messenger = ConsoleMessenger::new(Box::new(sink.clone()));
        let echo = Arc::new(Echo { messenger: messenger.clone(), seen: Mutex::new(Vec::new()) });
        let script: &[u8] = b"/ticket new caf\xe9 \xff\xfe\nhello there\n/whoami\n";
        run(echo.clone(), messenger, script, "alice", false, false).await.expect("runs");
        let seen = echo.seen.lock().expect("lock");
        assert_eq!(seen.len(), 3, "every line after the bad bytes is read");
        assert!(
            matches!(&seen[0].kind, EventKind::Command { text } if text == "/ticket new caf\u{FFFD} \u{FFFD}\u{FFFD}"),
            "{:?}",
            seen[0].kind
        );
        assert!(matches!(&seen[1].kind, EventKind::Text { text } if text == "hello there"));
        assert!(matches!(&seen[2].kind, EventKind::Command { text } if text == "/whoami"));
    }

    /// Refuses the first events as if its database were down.
    struct Flaky {
        refusals: Mutex<u32>,
        taken: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Inbound for Flaky {
        async fn handle(&self, event: InboundEvent) -> Result<(), deskmate_port::NotTaken> {
            let mut refusals = self.refusals.lock().expect("lock");
            if *refusals > 0 {
                *refusals -= 1;
                return Err(deskmate_port::NotTaken("database down".into()));
            }
            self.taken.lock().expect("lock").push(event.id);
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_line_the_core_cannot_take_is_offered_again() {
        let sink = Sink::default();
        let messenger = ConsoleMessenger::new(Box::new(sink.clone()));
        let flaky = Arc::new(Flaky { refusals: Mutex::new(2), taken: Mutex::new(Vec::new()) });
        run(flaky.clone(), messenger, "/whoami\n/help\n".as_bytes(), "alice", false, false).await.expect("runs");
        assert_eq!(flaky.taken.lock().expect("lock").len(), 2, "both lines taken, the first after two refusals");
        assert_eq!(sink.text().matches("cannot reach its database").count(), 1, "{}", sink.text());
    }

    #[tokio::test]
    async fn files_are_written_and_their_path_printed() {
        let sink = Sink::default();
        let dir = std::env::temp_dir().join(format!("deskmate-console-files-{}", std::process::id()));
        let messenger = ConsoleMessenger::new(Box::new(sink.clone())).with_files_dir(&dir);
        let chart = Attachment::new("../week chart.png", "image/png", vec![137, 80, 78, 71]).expect("small");
        let body = Body { files: vec![chart], ..Body::text("Tickets this week") };
        let to = Destination::Channel(ChannelRef::group(Platform::Console, "queue"));
        messenger.send(OutboundMessage { to, body, idempotency_key: "k".into() }).await.expect("printed");
        let path = dir.join("1-_week_chart.png");
        assert_eq!(
            sink.text(),
            format!(
                "[#queue] deskmate (msg 1): Tickets this week\n  📎 ../week chart.png (1 KB) → {}\n",
                path.display()
            )
        );
        assert_eq!(std::fs::read(&path).expect("written inside the folder"), vec![137, 80, 78, 71]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn edits_keep_their_channel_and_id() {
        let sink = Sink::default();
        let messenger = ConsoleMessenger::new(Box::new(sink.clone()));
        let posted = messenger
            .send(OutboundMessage {
                to: Destination::Channel(ChannelRef::group(Platform::Console, "queue")),
                body: Body::text("v1"),
                idempotency_key: "k1".into(),
            })
            .await
            .expect("printed");
        let edited = messenger
            .send(OutboundMessage {
                to: Destination::Edit(posted.clone()),
                body: Body::text("v2\nsecond line"),
                idempotency_key: "k2".into(),
            })
            .await
            .expect("printed");
        assert_eq!(edited, posted);
        assert_eq!(sink.text(), "[#queue] deskmate (msg 1): v1\n[#queue] deskmate edited msg 1: v2\n  second line\n");
    }
}

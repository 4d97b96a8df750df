//! Tests that read like a chat: people say things and press buttons, the test reads each
//! message the bot sends, and a story fails if the bot said something the test did not
//! read (as rust-lang/bors's tests do). The clock is the test's: `advance` fires the
//! timers that came due.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deskmate::chat::feature::Feature;
use deskmate_port::{
    Attachment, AttachmentError, ChannelKind, ChannelRef, Destination, EventKind, Inbound, InboundEvent, MessageRef,
    Platform,
};

use super::{Backend, Chat, Sent, console_event};

/// How long a read waits for a message that is still on its way (a timer's, a lane's).
const WAIT: Duration = Duration::from_secs(10);

pub struct Story {
    /// Taken by `finish`.
    chat: Option<Chat>,
    unread: VecDeque<Sent>,
    /// Every message read so far, for pressing buttons and answering questions on them.
    read: Vec<Sent>,
    finished: bool,
}

impl Story {
    pub async fn start(backend: Backend, tweak: impl FnOnce(&mut deskmate::config::Config)) -> Option<Story> {
        let chat = Chat::start_with(backend, tweak).await?;
        Some(Story { chat: Some(chat), unread: VecDeque::new(), read: Vec::new(), finished: false })
    }

    /// A story with more features than the built-in ones (a test's own).
    pub async fn with_features(backend: Backend, extra: Vec<Arc<dyn Feature>>) -> Option<Story> {
        Story::with_features_and(backend, |_| {}, extra).await
    }

    /// [`Story::with_features`], with the config changed first.
    pub async fn with_features_and(
        backend: Backend,
        tweak: impl FnOnce(&mut deskmate::config::Config),
        extra: Vec<Arc<dyn Feature>>,
    ) -> Option<Story> {
        let start = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 30, 9, 0, 0).single().unwrap();
        let chat = Chat::start_full(backend, deskmate::kernel::clock::FakeClock::at(start), tweak, extra).await?;
        Some(Story { chat: Some(chat), unread: VecDeque::new(), read: Vec::new(), finished: false })
    }

    pub fn chat(&self) -> &Chat {
        self.chat.as_ref().expect("a story not yet finished")
    }

    fn collect(&mut self) {
        self.unread.extend(self.chat().sent());
    }

    async fn send(&mut self, who: &str, kind: EventKind) -> &mut Self {
        self.send_files(who, kind, Vec::new()).await
    }

    async fn send_files(
        &mut self,
        who: &str,
        kind: EventKind,
        files: Vec<Result<Attachment, AttachmentError>>,
    ) -> &mut Self {
        let event = InboundEvent { files, ..console_event(who, kind) };
        self.chat().app.router.handle(event).await.expect("taken");
        self.chat().app.router.settle().await;
        self.collect();
        self
    }

    /// `who` types `text`.
    pub async fn say(&mut self, who: &str, text: &str) -> &mut Self {
        self.send(who, EventKind::Command { text: text.to_owned() }).await
    }

    /// `who` sends `text` with files attached (or with the reasons files could not be
    /// fetched, as an adapter hands them over).
    pub async fn say_with(
        &mut self,
        who: &str,
        text: &str,
        files: Vec<Result<Attachment, AttachmentError>>,
    ) -> &mut Self {
        self.send_files(who, EventKind::Command { text: text.to_owned() }, files).await
    }

    /// `who` answers the newest question put to them with `text` and a file.
    pub async fn answer_with(&mut self, who: &str, text: &str, file: Attachment) -> &mut Self {
        let prompt = self.question_to(who);
        let kind = EventKind::Answer { prompt: Some(prompt), replied_to: None, text: text.to_owned() };
        self.send_files(who, kind, vec![Ok(file)]).await
    }

    /// `who` writes `text` to Deskmate in private (not a command).
    pub async fn write(&mut self, who: &str, text: &str) -> &mut Self {
        let event = InboundEvent {
            channel: ChannelRef { platform: Platform::Console, id: who.to_owned(), kind: ChannelKind::Direct },
            ..console_event(who, EventKind::Text { text: text.to_owned() })
        };
        self.chat().app.router.handle(event).await.expect("taken");
        self.chat().app.router.settle().await;
        self.collect();
        self
    }

    /// `who` writes `text` in the thread on message `on` (a ticket's queue notice).
    pub async fn in_thread(&mut self, who: &str, on: &Sent, text: &str) -> &mut Self {
        let on = on.reference();
        self.send(who, EventKind::FollowUp { on, text: text.to_owned() }).await
    }

    /// `who` reacts with `emoji` to what `author` said in the group (message `message`).
    pub async fn react(&mut self, who: &str, emoji: &str, message: &str, author: &str, said: &str) -> &mut Self {
        let quoted = deskmate_port::Quoted {
            author: console_event(author, EventKind::Text { text: String::new() }).author,
            text: said.to_owned(),
            link: Some(format!("https://chat.example/general/{message}")),
        };
        let on =
            MessageRef { channel: ChannelRef::group(Platform::Console, "general"), message_id: message.to_owned() };
        let event = InboundEvent {
            id: format!("react-{message}-{who}-{emoji}"),
            ..console_event(who, EventKind::Reaction { emoji: emoji.to_owned(), on, message: Some(quoted) })
        };
        self.chat().app.router.handle(event).await.expect("taken");
        self.chat().app.router.settle().await;
        self.collect();
        self
    }

    /// `who` presses the button labelled `label` on the newest message read that has one.
    pub async fn press(&mut self, who: &str, label: &str) -> &mut Self {
        let id = self
            .read
            .iter()
            .rev()
            .find_map(|m| m.body.buttons.iter().find(|b| b.label == label).map(|b| b.id.clone()))
            .unwrap_or_else(|| panic!("no message read so far has a {label:?} button"));
        self.send(who, EventKind::Button { button_id: id, message: None }).await
    }

    /// `who` presses the button labelled `label` on message `on` (an older prompt, say).
    pub async fn press_on(&mut self, who: &str, on: &Sent, label: &str) -> &mut Self {
        let id = on
            .body
            .buttons
            .iter()
            .find(|b| b.label == label)
            .map(|b| b.id.clone())
            .unwrap_or_else(|| panic!("that message has no {label:?} button: {on:?}"));
        self.send(who, EventKind::Button { button_id: id, message: None }).await
    }

    /// `who` answers the newest question read that was put to them (as a reply or a
    /// direct message).
    pub async fn answer(&mut self, who: &str, text: &str) -> &mut Self {
        let prompt = self.question_to(who);
        self.send(who, EventKind::Answer { prompt: Some(prompt), replied_to: None, text: text.to_owned() }).await
    }

    fn question_to(&self, who: &str) -> String {
        self.read
            .iter()
            .rev()
            .filter(|m| match &m.to {
                Destination::Reply { reply_handle, .. } => reply_handle.starts_with(&format!("{who}#")),
                Destination::Direct(account) => account.id == who,
                _ => false,
            })
            .find_map(|m| m.body.prompt.clone())
            .unwrap_or_else(|| panic!("no question to {who} was read"))
    }

    /// `who` answers the newest question read that was put to `asked` (someone else
    /// answering a question that is not theirs).
    pub async fn answer_for(&mut self, who: &str, asked: &str, text: &str) -> &mut Self {
        let prompt = self
            .read
            .iter()
            .rev()
            .filter(|m| matches!(&m.to, Destination::Direct(account) if account.id == asked))
            .find_map(|m| m.body.prompt.clone())
            .unwrap_or_else(|| panic!("no question to {asked} was read"));
        self.send(who, EventKind::Answer { prompt: Some(prompt), replied_to: None, text: text.to_owned() }).await
    }

    /// The clock moves on; timers due by then fire.
    pub async fn advance(&mut self, by: chrono::Duration) -> &mut Self {
        self.chat().advance(by).await;
        self
    }

    /// Takes the first unread message that `pick` accepts, waiting for it while it is on
    /// its way.
    async fn take(&mut self, what: &str, pick: impl Fn(&Sent) -> bool) -> Sent {
        let until = Instant::now() + WAIT;
        loop {
            self.collect();
            if let Some(i) = self.unread.iter().position(&pick) {
                let message = self.unread.remove(i).unwrap();
                self.read.push(message.clone());
                return message;
            }
            assert!(Instant::now() < until, "no {what}; unread: {:#?}", self.unread);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The bot's next answer to `who` (a reply, a refusal or a toast).
    pub async fn reply_to(&mut self, who: &str) -> Sent {
        let prefix = format!("{who}#");
        self.take(
            &format!("reply to {who}"),
            |m| matches!(&m.to, Destination::Reply { reply_handle, .. } if reply_handle.starts_with(&prefix)),
        )
        .await
    }

    /// The next direct message to `who`.
    pub async fn dm(&mut self, who: &str) -> Sent {
        self.take(&format!("direct message to {who}"), |m| matches!(&m.to, Destination::Direct(a) if a.id == who)).await
    }

    /// The next post in a channel (`queue`, `-100500`).
    pub async fn post_in(&mut self, channel: &str) -> Sent {
        self.take(&format!("post in {channel}"), |m| matches!(&m.to, Destination::Channel(c) if c.id == channel)).await
    }

    /// The next message in the conversation on `on` (its thread, its reply chain).
    pub async fn under(&mut self, on: &Sent) -> Sent {
        let id = on.id.clone();
        self.take(&format!("message under {id}"), |m| matches!(&m.to, Destination::Under(r) if r.message_id == id))
            .await
    }

    /// The next edit of a message posted earlier.
    pub async fn edit(&mut self) -> Sent {
        self.take("edit", |m| matches!(&m.to, Destination::Edit(_))).await
    }

    /// Nothing was said that the test has not read, even after waiting a moment (for a
    /// timer that must not have fired).
    pub async fn quiet(&mut self) -> &mut Self {
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.collect();
        assert!(self.unread.is_empty(), "the bot said what the test did not expect: {:#?}", self.unread);
        self
    }

    /// Nothing more may have been said; then the story ends.
    pub async fn finish(mut self) {
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.collect();
        self.finished = true;
        assert!(self.unread.is_empty(), "the bot said what the test did not read: {:#?}", self.unread);
        if let Some(chat) = self.chat.take() {
            chat.finish().await;
        }
    }
}

impl Drop for Story {
    fn drop(&mut self) {
        if !self.finished && !std::thread::panicking() {
            panic!("a story must end with finish(), which checks that every message was read");
        }
    }
}

/// Runs a story on SQLite and on PostgreSQL (when configured); `features: …` adds
/// features of the test's own to the built-in ones.
#[macro_export]
macro_rules! story {
    ($name:ident, features: $features:expr, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                if let Some(story) = common::story::Story::with_features(common::Backend::Sqlite, $features).await {
                    $body(story).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(story) = common::story::Story::with_features(common::Backend::Postgres, $features).await {
                    $body(story).await;
                }
            }
        }
    };
    ($name:ident, $body:expr) => {
        story!($name, |_: &mut deskmate::config::Config| {}, $body);
    };
    ($name:ident, $tweak:expr, $body:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                if let Some(story) = common::story::Story::start(common::Backend::Sqlite, $tweak).await {
                    $body(story).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if let Some(story) = common::story::Story::start(common::Backend::Postgres, $tweak).await {
                    $body(story).await;
                }
            }
        }
    };
}

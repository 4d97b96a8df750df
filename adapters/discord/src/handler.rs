//! Gateway events → the core: slash commands, button presses, form submissions, typing
//! suggestions, and messages addressed to the bot.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use deskmate_port::{
    Attachment, AttachmentError, Completion, EventKind, Inbound, InboundEvent, IncomingFile, MenuCommand, MessageRef,
    OptionKind, Quoted,
};
use serde_json::json;
use serenity::all::{
    ActionRowComponent, Channel, ChannelId, ChannelType, CommandInteraction, ComponentInteraction, Context,
    EventHandler, Interaction, Message, ModalInteraction, Reaction, ReactionType, Ready, ResumedEvent,
};

use crate::convert::{self, Handle};
use crate::messenger::{ASK, Answered, DiscordMessenger, modal, send_error};
use crate::{commands, render};

pub(crate) struct Handler {
    pub inbound: Arc<dyn Inbound>,
    pub messenger: DiscordMessenger,
    pub menu: Vec<MenuCommand>,
    pub guilds: Vec<u64>,
    /// A reply not ready by then is deferred, inside Discord's 3-second window.
    pub defer_after: Duration,
    pub bot: AtomicU64,
    /// Fetches the files people attach (from Discord's CDN).
    pub files: reqwest::Client,
    /// Whether server messages are read (threads, reactions).
    pub read_chat: bool,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        self.bot.store(ready.user.id.get(), Ordering::Relaxed);
        // Follow-ups and edits of interaction responses go through the messenger's client.
        ctx.http.set_application_id(ready.application.id);
        self.messenger.http.set_application_id(ready.application.id);
        self.messenger.shared.connected.store(true, Ordering::Relaxed);
        tracing::info!(bot = %ready.user.name, guilds = ready.guilds.len(), "connected to Discord");
        let commands = commands::slash_commands(&self.menu);
        let result = if self.guilds.is_empty() {
            ctx.http.create_global_commands(&commands).await.map(|_| ())
        } else {
            let mut result = Ok(());
            for guild in &self.guilds {
                if let Err(e) = ctx.http.create_guild_commands((*guild).into(), &commands).await {
                    result = Err(e);
                }
            }
            result
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "registering slash commands");
        }
    }

    async fn resume(&self, _ctx: Context, _: ResumedEvent) {
        self.messenger.shared.connected.store(true, Ordering::Relaxed);
        tracing::info!("Discord gateway session resumed");
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        match interaction {
            Interaction::Command(command) => self.command(command).await,
            Interaction::Autocomplete(command) => self.suggest(&ctx, command).await,
            Interaction::Component(press) => self.press(&ctx, press).await,
            Interaction::Modal(submit) => self.submit(submit).await,
            _ => {}
        }
    }

    async fn reaction_add(&self, ctx: Context, reaction: Reaction) {
        self.reacted(&ctx, reaction).await;
    }

    async fn message(&self, ctx: Context, message: Message) {
        let bot = self.bot.load(Ordering::Relaxed);
        if message.author.bot || message.author.id.get() == bot {
            return;
        }
        let direct = message.guild_id.is_none();
        let channel = convert::channel(message.channel_id.get(), direct);
        let text = message.content.trim();
        if !direct && !text.is_empty() {
            let on = MessageRef { channel: channel.clone(), message_id: message.id.get().to_string() };
            self.messenger.shared.recent.keep(&on, quoted(&message));
        }
        let mention = [format!("<@{bot}>"), format!("<@!{bot}>")];
        let addressed = mention.iter().find_map(|m| text.strip_prefix(m.as_str())).map(str::trim);
        let kind = if let Some(question) = message.referenced_message.as_ref().filter(|m| m.author.id.get() == bot) {
            EventKind::Answer {
                prompt: None,
                replied_to: Some(MessageRef { channel: channel.clone(), message_id: question.id.get().to_string() }),
                text: text.to_owned(),
            }
        } else if let Some(rest) = addressed {
            EventKind::Command { text: if rest.starts_with('/') { rest.to_owned() } else { format!("/{rest}") } }
        } else if direct && text.starts_with('/') {
            EventKind::Command { text: text.to_owned() }
        } else if direct {
            EventKind::Text { text: text.to_owned() }
        } else if let Some(parent) = self.thread_parent(&ctx, message.channel_id.get()).await {
            // Said in a thread: the conversation on the message it was opened on.
            let on = MessageRef { channel: convert::channel(parent, false), message_id: channel.id.clone() };
            EventKind::FollowUp { on, text: text.to_owned() }
        } else {
            return;
        };
        let carried: Vec<IncomingFile> = match kind {
            EventKind::Command { .. } | EventKind::Answer { .. } => {
                message.attachments.iter().map(convert::incoming).collect()
            }
            _ => Vec::new(),
        };
        let mut event = InboundEvent {
            id: format!("m{}", message.id.get()),
            platform: deskmate_port::Platform::Discord,
            channel,
            author: convert::account(&message.author),
            author_roles: message.member.as_ref().map(|m| role_ids(&m.roles)).unwrap_or_default(),
            mentions: message.mentions.iter().filter(|u| u.id.get() != bot).map(convert::account).collect(),
            // A message carries no locale; the author's interactions do.
            author_locale: None,
            at: chrono::Utc::now(),
            kind,
            reply_handle: Handle::Message { id: message.id.get(), user: message.author.id.get() }.encode(),
            files: Vec::new(),
        };
        event.files = self.fetch(&carried).await;
        self.deliver(event).await;
    }
}

/// What a server message said and who wrote it, for a reaction to it.
fn quoted(message: &Message) -> Quoted {
    let link =
        message.guild_id.map(|g| format!("https://discord.com/channels/{g}/{}/{}", message.channel_id, message.id));
    Quoted { author: convert::account(&message.author), text: message.content.trim().to_owned(), link }
}

/// How long an event the core cannot take (its database is down) is offered again:
/// Discord does not deliver a gateway event twice, and an interaction's token lives
/// 15 minutes.
const RETRY_FOR: Duration = Duration::from_secs(14 * 60);

impl Handler {
    /// The parent channel of `channel` if it is a thread (asked of Discord once per
    /// channel, then remembered).
    async fn thread_parent(&self, ctx: &Context, channel: u64) -> Option<u64> {
        if !self.read_chat {
            return None;
        }
        if let Some(known) = self.messenger.shared.thread_parent(channel) {
            return known;
        }
        let parent = match ctx.http.get_channel(ChannelId::new(channel)).await {
            Ok(Channel::Guild(c)) if matches!(c.kind, ChannelType::PublicThread | ChannelType::PrivateThread) => {
                c.parent_id.map(|p| p.get())
            }
            Ok(_) => None,
            Err(e) => {
                // Not remembered: asked again at the next message.
                tracing::warn!(error = %e, channel, "reading a channel to tell a thread");
                return None;
            }
        };
        self.messenger.shared.note_channel(channel, parent);
        parent
    }

    /// A reaction in a server: the message it is on comes from what was said lately,
    /// or is fetched.
    async fn reacted(&self, ctx: &Context, reaction: Reaction) {
        let (ReactionType::Unicode(emoji), Some(user)) = (&reaction.emoji, reaction.user_id) else { return };
        if !self.read_chat || reaction.guild_id.is_none() || user.get() == self.bot.load(Ordering::Relaxed) {
            return;
        }
        let author = match reaction.member.as_ref().map(|m| m.user.clone()) {
            Some(u) => u,
            None => match ctx.http.get_user(user).await {
                Ok(u) => u,
                Err(e) => return tracing::warn!(error = %e, "reading who reacted"),
            },
        };
        if author.bot {
            return;
        }
        let channel = convert::channel(reaction.channel_id.get(), false);
        let on = MessageRef { channel: channel.clone(), message_id: reaction.message_id.get().to_string() };
        let message = match self.messenger.shared.recent.find(&on) {
            Some(quoted) => Some(quoted),
            None => match ctx.http.get_message(reaction.channel_id, reaction.message_id).await {
                // A bot's message (Deskmate's own notices among them) is nobody's request.
                Ok(m) if m.author.bot => None,
                Ok(mut m) => {
                    m.guild_id = m.guild_id.or(reaction.guild_id);
                    Some(quoted(&m))
                }
                Err(e) => {
                    tracing::warn!(error = %e, "fetching the message reacted to");
                    None
                }
            },
        };
        let event = InboundEvent {
            // One person's one emoji on one message is one event: taking it away and
            // adding it again is the same reaction.
            id: format!("r{}:{}:{emoji}", reaction.message_id, user),
            platform: deskmate_port::Platform::Discord,
            channel,
            author: convert::account(&author),
            author_roles: reaction.member.as_ref().map(|m| role_ids(&m.roles)).unwrap_or_default(),
            mentions: Vec::new(),
            author_locale: None,
            at: chrono::Utc::now(),
            kind: EventKind::Reaction { emoji: emoji.clone(), on, message },
            reply_handle: Handle::Message { id: reaction.message_id.get(), user: user.get() }.encode(),
            files: Vec::new(),
        };
        self.deliver(event).await;
    }

    /// Fetches the files people attached (see [`deskmate_port::receive`]).
    async fn fetch(&self, files: &[IncomingFile]) -> Vec<Result<Attachment, AttachmentError>> {
        deskmate_port::receive(files, |file| async move {
            let download = async {
                let response = self.files.get(&file.locator).send().await?.error_for_status()?;
                response.bytes().await
            };
            let fetched = download.await.map(|bytes| bytes.to_vec()).map_err(|e| e.without_url().to_string());
            if let Err(e) = &fetched {
                tracing::warn!(error = %e, "fetching a file from Discord");
            }
            fetched
        })
        .await
    }

    /// Hands an event to the core, offering it again with backoff while the core cannot
    /// take it. An interaction is deferred meanwhile ("thinking…") and answered when the
    /// database is back.
    async fn deliver(&self, event: InboundEvent) {
        let give_up = tokio::time::Instant::now() + RETRY_FOR;
        let mut wait = Duration::from_millis(500);
        loop {
            // An interaction is answered by its reply, within Discord's three seconds.
            match self.inbound.handle_answered(event.clone()).await {
                Ok(()) => return,
                Err(e) if tokio::time::Instant::now() + wait < give_up => {
                    tracing::warn!(error = %e, retry_in = ?wait, "Deskmate could not take a Discord event");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(15));
                }
                Err(e) => {
                    tracing::error!(error = %e, "a Discord event could not be taken before its interaction expired");
                    return;
                }
            }
        }
    }

    async fn command(&self, command: CommandInteraction) {
        let options = command.data.options();
        let (text, mentions) = convert::command_line(&command.data.name, &options, &self.menu);
        let carried = convert::attachments(&options);
        let roles = command.member.as_ref().map(|m| role_ids(&m.roles)).unwrap_or_default();
        let event = self.event(
            command.id.get(),
            command.channel_id.get(),
            command.guild_id.is_none(),
            &command.user,
            roles,
            (&command.token, &command.locale),
            EventKind::Command { text },
        );
        let defer = json!({ "type": 5 });
        self.run(event, (mentions, carried), command.id.get(), &command.token, defer).await;
    }

    async fn press(&self, ctx: &Context, press: ComponentInteraction) {
        let custom_id = press.data.custom_id.clone();
        if let Some(prompt) = custom_id.strip_prefix(ASK) {
            // The adapter's own "Answer" button: the form opens at once.
            let form = modal(prompt, &press.message.content);
            if let Err(e) = ctx.http.create_interaction_response(press.id, &press.token, &form, Vec::new()).await {
                tracing::warn!(error = %send_error(e), "opening a form");
            }
            return;
        }
        let channel = convert::channel(press.channel_id.get(), press.guild_id.is_none());
        let message = MessageRef { channel, message_id: press.message.id.get().to_string() };
        let kind = EventKind::Button { button_id: custom_id, message: Some(message) };
        let roles = press.member.as_ref().map(|m| role_ids(&m.roles)).unwrap_or_default();
        let event = self.event(
            press.id.get(),
            press.channel_id.get(),
            press.guild_id.is_none(),
            &press.user,
            roles,
            (&press.token, &press.locale),
            kind,
        );
        // A press that takes long is acknowledged without a visible message.
        self.run(event, (Vec::new(), Vec::new()), press.id.get(), &press.token, json!({ "type": 6 })).await;
    }

    async fn submit(&self, submit: ModalInteraction) {
        let Some(prompt) = submit.data.custom_id.strip_prefix(ASK).map(str::to_owned) else { return };
        let text = submit
            .data
            .components
            .iter()
            .flat_map(|row| row.components.iter())
            .find_map(|c| match c {
                ActionRowComponent::InputText(input) => input.value.clone(),
                _ => None,
            })
            .unwrap_or_default();
        let kind = EventKind::Answer { prompt: Some(prompt), replied_to: None, text };
        let roles = submit.member.as_ref().map(|m| role_ids(&m.roles)).unwrap_or_default();
        let event = self.event(
            submit.id.get(),
            submit.channel_id.get(),
            submit.guild_id.is_none(),
            &submit.user,
            roles,
            (&submit.token, &submit.locale),
            kind,
        );
        self.run(
            event,
            (Vec::new(), Vec::new()),
            submit.id.get(),
            &submit.token,
            json!({ "type": 5, "data": { "flags": render::EPHEMERAL } }),
        )
        .await;
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &self,
        id: u64,
        channel: u64,
        direct: bool,
        user: &serenity::all::User,
        roles: Vec<String>,
        (token, locale): (&str, &str),
        kind: EventKind,
    ) -> InboundEvent {
        let at = chrono::Utc::now();
        InboundEvent {
            id: id.to_string(),
            platform: deskmate_port::Platform::Discord,
            channel: convert::channel(channel, direct),
            author: convert::account(user),
            author_roles: roles,
            mentions: Vec::new(),
            author_locale: Some(locale.to_owned()).filter(|l| !l.is_empty()),
            at,
            kind,
            reply_handle: Handle::Interaction {
                id,
                at_ms: at.timestamp_millis(),
                user: user.id.get(),
                token: token.to_owned(),
            }
            .encode(),
            files: Vec::new(),
        }
    }

    /// Fetches the files that came with the event, then hands it to the core; if no
    /// reply has gone out when `defer_after` passes, acknowledges the interaction with
    /// `defer` so Discord keeps the token alive.
    async fn run(
        &self,
        mut event: InboundEvent,
        (mentions, carried): (Vec<deskmate_port::Account>, Vec<IncomingFile>),
        id: u64,
        token: &str,
        defer: serde_json::Value,
    ) {
        event.mentions = mentions;
        let slot = self.messenger.shared.track(id);
        let (http, token_owned, watch) = (self.messenger.http.clone(), token.to_owned(), slot.clone());
        let wait = self.defer_after;
        let deferral = tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            let mut answered = watch.lock().await;
            if *answered == Answered::No {
                match http.create_interaction_response(id.into(), &token_owned, &defer, Vec::new()).await {
                    Ok(()) => *answered = Answered::Deferred,
                    Err(e) => tracing::warn!(error = %send_error(e), "deferring an interaction"),
                }
            }
        });
        event.files = self.fetch(&carried).await;
        self.deliver(event).await;
        deferral.abort();
        // Nothing was said (a re-delivered event, or nothing to say): close the
        // interaction quietly so the user does not see "interaction failed".
        let mut answered = slot.lock().await;
        if *answered == Answered::No {
            let quiet = json!({ "type": 4, "data": { "content": "✓", "flags": render::EPHEMERAL } });
            if self.messenger.http.create_interaction_response(id.into(), token, &quiet, Vec::new()).await.is_ok() {
                *answered = Answered::Yes;
            }
        }
    }

    async fn suggest(&self, ctx: &Context, command: CommandInteraction) {
        let Some(focused) = command.data.autocomplete() else { return };
        let suggest = commands::suggest_for(&self.menu, &command.data.name, &command.data.options(), focused.name);
        let choices = match suggest {
            Some(OptionKind::Suggested(kind)) => {
                let request = Completion {
                    author: convert::account(&command.user),
                    suggest: kind,
                    typed: focused.value.to_owned(),
                };
                self.inbound.complete(request).await
            }
            _ => Vec::new(),
        };
        let choices: Vec<serde_json::Value> = choices
            .into_iter()
            .take(25)
            .map(|c| json!({ "name": render::truncate(&c.label, 100), "value": c.value }))
            .collect();
        let response = json!({ "type": 8, "data": { "choices": choices } });
        if let Err(e) = ctx.http.create_interaction_response(command.id, &command.token, &response, Vec::new()).await {
            tracing::debug!(error = %send_error(e), "answering an autocomplete");
        }
    }
}

fn role_ids(roles: &[serenity::all::RoleId]) -> Vec<String> {
    roles.iter().map(|r| r.get().to_string()).collect()
}

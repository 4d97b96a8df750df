//! Inbound events → parsed command or button action → service → effects delivered.
//! One tracing span per event, carrying platform, channel, user and command.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono_tz::Tz;
use deskmate_port::{Body, Choice, Completion, EventKind, Inbound, InboundEvent, MessageRef, Suggest};
use rand::Rng;
use tracing::Instrument;

use crate::buttons::{ButtonAction, PromptAction};
use crate::clock::Clock;
use crate::commands::{self, Invocation, ParseContext, ParseError};
use crate::delivery::{Dispatcher, Origin, Planner};
use crate::domain::{Priority, Role};
use crate::replies;
use crate::services::{Actor, Effect, ListScope, Outcome, ServiceError, ServiceResult, Services};
use crate::store::{Store, StoreError, Tx};

#[derive(Clone)]
pub struct Router {
    store: Store,
    services: Services,
    planner: Planner,
    dispatcher: Arc<Dispatcher>,
    clock: Arc<dyn Clock>,
    default_tz: Tz,
}

/// What handling an event did: the effects it decided on, and the outbox rows that carry
/// them (already committed).
#[derive(Debug, Clone)]
pub struct Handled {
    pub effects: Outcome,
    pub queued: Vec<i64>,
}

#[async_trait]
impl Inbound for Router {
    async fn handle(&self, event: InboundEvent) {
        let handled = self.handle_event(event).await;
        self.dispatcher.send_now(&handled.queued).await;
    }

    async fn settle(&self) {
        self.dispatcher.drain(SETTLE).await;
    }

    async fn complete(&self, request: Completion) -> Vec<Choice> {
        match self.suggestions(&request).await {
            Ok(choices) => choices,
            Err(e) => {
                tracing::warn!(error = %e, "suggesting option values");
                Vec::new()
            }
        }
    }
}

/// How long the console waits for an event's messages before reading its next line.
const SETTLE: Duration = Duration::from_secs(5);

impl Router {
    pub fn new(
        store: Store,
        services: Services,
        planner: Planner,
        dispatcher: Arc<Dispatcher>,
        clock: Arc<dyn Clock>,
        default_tz: Tz,
    ) -> Self {
        Router { store, services, planner, dispatcher, clock, default_tz }
    }

    async fn suggestions(&self, request: &Completion) -> ServiceResult<Vec<Choice>> {
        let typed = request.typed.trim();
        match request.suggest {
            Suggest::Ticket => {
                let person = self.services.directory.person_for(&request.author, self.clock.now()).await?;
                let tickets = self.services.tickets.suggest(&person, typed).await?;
                Ok(tickets
                    .into_iter()
                    .map(|t| Choice { label: replies::ticket_choice(&t), value: t.id.to_string() })
                    .collect())
            }
            Suggest::TimeZone => {
                let typed = typed.to_lowercase();
                Ok(chrono_tz::TZ_VARIANTS
                    .iter()
                    .map(|z| z.name())
                    .filter(|name| name.to_lowercase().contains(&typed))
                    .take(25)
                    .map(|name| Choice { label: name.to_owned(), value: name.to_owned() })
                    .collect())
            }
        }
    }

    /// Runs one event: its change and the messages it causes commit together, so a crash
    /// after this returns loses nothing (the messages wait in the outbox). Never fails:
    /// refusals and errors become replies.
    pub async fn handle_event(&self, event: InboundEvent) -> Handled {
        let span = tracing::info_span!(
            "event",
            platform = %event.platform,
            channel = %event.channel.id,
            user = %event.author.id,
            command = tracing::field::Empty,
        );
        self.handle_in_span(event).instrument(span).await
    }

    async fn handle_in_span(&self, event: InboundEvent) -> Handled {
        let origin = Origin {
            key: format!("{}:{}", event.platform, event.id),
            reply_to: Some((event.channel.clone(), event.reply_handle.clone())),
        };
        let private = matches!(event.kind, EventKind::Button { .. });
        let label = command_label(&event.kind);
        let metrics = crate::metrics::global();
        let failure = match self.run(event, &origin.key).await {
            Ok((effects, tx)) => match self.commit(&origin, &effects, tx).await {
                Ok(queued) => {
                    metrics.command(&label, "ok");
                    return Handled { effects, queued };
                }
                Err(e) => ServiceError::Store(e),
            },
            Err(e) => e,
        };
        if matches!(failure, ServiceError::Duplicate) {
            tracing::info!(event = %origin.key, "event seen before; ignored");
            metrics.command(&label, "duplicate");
            return Handled { effects: Vec::new(), queued: Vec::new() };
        }
        metrics.command(&label, if matches!(failure, ServiceError::User(_)) { "refused" } else { "error" });
        let internal = |e: &dyn std::error::Error| {
            let reference = format!("{:06x}", rand::rng().random_range(0..0x100_0000));
            tracing::error!(reference, error = %error_chain(e), "command failed");
            vec![Effect::Refusal { body: Body::text(replies::internal_error(&reference)), private }]
        };
        let effects: Outcome = match failure {
            ServiceError::User(message) => vec![Effect::Refusal { body: Body::text(message), private }],
            ServiceError::Store(e) => internal(&e),
            ServiceError::Jobs(e) => internal(&e),
            ServiceError::Duplicate => Vec::new(),
        };
        // The change (if any) was rolled back; the refusal still goes through the outbox
        // so it is retried like any reply.
        let queued = match self.store.begin().await {
            Ok(tx) => self.commit(&origin, &effects, tx).await.unwrap_or_else(|e| {
                tracing::error!(error = %error_chain(&e), "queueing a refusal");
                Vec::new()
            }),
            Err(e) => {
                tracing::error!(error = %error_chain(&e), "queueing a refusal");
                Vec::new()
            }
        };
        Handled { effects, queued }
    }

    async fn commit(&self, origin: &Origin, effects: &[Effect], mut tx: Tx) -> Result<Vec<i64>, StoreError> {
        let now = self.clock.now();
        let rows = self.planner.plan(origin, effects, now).await?;
        let ids = tx.enqueue(&rows, now).await?;
        tx.commit().await?;
        // No poke here: the caller sends the replies first, then wakes the lanes.
        Ok(ids)
    }

    async fn run(&self, event: InboundEvent, event_key: &str) -> ServiceResult<(Outcome, Tx)> {
        let now = self.clock.now();
        // People are registered before the command's transaction: registration commits
        // on its own, and on SQLite a second writer inside the transaction would wait on
        // the transaction's own lock.
        let (mut person, reach) = self.services.directory.person_and_reach(&event.author, now).await?;
        self.services.directory.apply_platform_roles(&mut person, event.platform, &event.author_roles, now).await?;
        // People mentioned by a platform that knows them are registered too, so an admin
        // can grant a role to someone who has not spoken yet.
        for mentioned in &event.mentions {
            self.services.directory.person_for(mentioned, now).await?;
        }
        if self.store.note_seen(&event.author, &reach, &event.channel, now).await? > 0 {
            // Direct messages held while this person could not be reached go out now.
            self.dispatcher.poke();
        }
        let tz = person.tz.unwrap_or(self.default_tz);
        let actor = Actor { person, platform: event.platform, channel: event.channel.clone(), at: now, tz };
        let mut tx = self.store.begin().await?;
        if !tx.first_time(event_key, now).await? {
            tx.rollback().await?;
            return Err(ServiceError::Duplicate);
        }
        let result = match event.kind {
            EventKind::Command { text } => self.run_command(&mut tx, &actor, &text, now).await,
            EventKind::Button { button_id, .. } => self.run_button(&mut tx, &actor, &button_id).await,
            EventKind::Answer { prompt, replied_to, text } => {
                self.run_answer(&mut tx, &actor, prompt.as_deref(), replied_to.as_ref(), &text).await
            }
        };
        match result {
            Ok(effects) => Ok((effects, tx)),
            Err(e) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(error = %rollback, "rolling back");
                }
                Err(e)
            }
        }
    }

    async fn run_command(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        text: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ServiceResult {
        let invocation = match commands::parse(text, &ParseContext { now, tz: actor.tz }) {
            Ok(inv) => inv,
            Err(ParseError::Empty) => return Err(ServiceError::User(replies::not_a_command())),
            Err(ParseError::UnknownCommand { name, suggestion }) => {
                return Err(ServiceError::User(replies::unknown_command(&name, suggestion)));
            }
            Err(ParseError::Usage { path, problem }) => {
                tracing::Span::current().record("command", path.join(" "));
                return Err(ServiceError::User(replies::usage_error(&problem, &path)));
            }
        };
        tracing::Span::current().record("command", invocation.full_name());
        if !actor.is(invocation.spec.role) {
            return Err(ServiceError::User(replies::needs_role(invocation.spec.role, &invocation.full_name())));
        }
        self.dispatch(tx, actor, &invocation).await
    }

    async fn run_button(&self, tx: &mut Tx, actor: &Actor, button_id: &str) -> ServiceResult {
        let Some(action) = ButtonAction::decode(button_id) else {
            return Err(ServiceError::User(replies::stale_button()));
        };
        tracing::Span::current().record("command", format!("button {button_id}"));
        let effects = match action {
            ButtonAction::ClaimTicket(id) => self.services.tickets.claim(tx, actor, id).await?,
            ButtonAction::ResolveTicket(id) => self.services.tickets.ask_resolution(tx, actor, id).await?,
        };
        // A press is answered privately (a toast); the notice edit shows everyone.
        Ok(effects
            .into_iter()
            .map(|e| match e {
                Effect::Reply { body, .. } => Effect::Reply { body, private: true },
                other => other,
            })
            .collect())
    }

    /// Free text answering a question: found by its key (a submitted form) or by the
    /// message it replies to. A reply to any other message of the bot's is chat, not an
    /// answer, and is left alone.
    async fn run_answer(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        prompt: Option<&str>,
        replied_to: Option<&MessageRef>,
        text: &str,
    ) -> ServiceResult {
        let id = match (prompt, replied_to) {
            (Some(key), _) => key.parse::<i64>().ok(),
            (None, Some(message)) => match self.store.prompt_for_message(message).await? {
                Some(id) => Some(id),
                None => return Ok(Vec::new()),
            },
            (None, None) => None,
        };
        tracing::Span::current().record("command", "answer");
        let Some(prompt) = (match id {
            Some(id) => tx.prompt(id).await?,
            None => None,
        }) else {
            return Err(ServiceError::User(replies::prompt_unknown()));
        };
        if prompt.person != actor.person.id {
            let name = self.store.person(prompt.person).await?.map(|p| p.display_name).unwrap_or_default();
            return Err(ServiceError::User(replies::prompt_not_yours(&name)));
        }
        if prompt.answered {
            return Err(ServiceError::User(replies::prompt_answered()));
        }
        if prompt.expires_at < actor.at {
            return Err(ServiceError::User(replies::prompt_expired()));
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(ServiceError::User(replies::prompt_empty()));
        }
        let Some(action) = PromptAction::decode(&prompt.action) else {
            tracing::error!(action = %prompt.action, "a stored question with an unknown action");
            return Err(ServiceError::User(replies::prompt_unknown()));
        };
        if !tx.answer_prompt(prompt.id, actor.at).await? {
            return Err(ServiceError::User(replies::prompt_answered()));
        }
        match action {
            PromptAction::CloseTicket(id) => self.services.tickets.close(tx, actor, id, Some(text)).await,
        }
    }

    async fn dispatch(&self, tx: &mut Tx, actor: &Actor, inv: &Invocation) -> ServiceResult {
        // The parser has checked presence and types against the registry, so a missing
        // value here means the registry and this match disagree.
        let missing = |name: &str| ServiceError::User(replies::usage_error(&format!("<{name}> is missing"), &inv.path));
        let text = |name: &'static str| inv.text(name).ok_or_else(|| missing(name));
        let mention = |name: &'static str| inv.mention(name).ok_or_else(|| missing(name));
        let ticket = |name: &'static str| inv.ticket(name).ok_or_else(|| missing(name));
        let role = |name: &'static str| text(name).and_then(|r| r.parse::<Role>().map_err(|_| missing(name)));

        match inv.path.as_slice() {
            ["help"] => Ok(vec![Effect::reply(match inv.text("command") {
                None => commands::command_list(),
                Some(name) => commands::command_help(name).unwrap_or_else(|| {
                    let suggestion = commands::COMMANDS.iter().map(|c| c.name).find(|c| c.starts_with(name));
                    replies::unknown_command(name.trim_start_matches('/'), suggestion)
                }),
            })]),
            ["ticket", "new"] => {
                let priority = inv.text("priority").and_then(|p| p.parse().ok()).unwrap_or(Priority::Normal);
                self.services.tickets.open(tx, actor, text("title")?, priority).await
            }
            ["ticket", "list"] => {
                let scope = match inv.text("status") {
                    Some("open") => ListScope::Open,
                    Some("claimed") => ListScope::Claimed,
                    Some("closed") => ListScope::Closed,
                    Some("all") => ListScope::All,
                    _ => ListScope::Active,
                };
                self.services.tickets.list(actor, scope, inv.text("mine") == Some("yes")).await
            }
            ["ticket", "show"] => self.services.tickets.show(actor, ticket("id")?).await,
            ["ticket", "claim"] => self.services.tickets.claim(tx, actor, ticket("id")?).await,
            ["ticket", "close"] => self.services.tickets.close(tx, actor, ticket("id")?, inv.text("resolution")).await,
            ["whoami"] => self.services.directory.whoami(actor).await,
            ["whereami"] => Ok(vec![Effect::reply(replies::whereami(&actor.channel))]),
            ["role", "grant"] => self.services.directory.grant(tx, actor, mention("person")?, role("role")?).await,
            ["role", "revoke"] => self.services.directory.revoke(tx, actor, mention("person")?, role("role")?).await,
            ["dept", "create"] => self.services.directory.create_department(tx, actor, text("name")?).await,
            ["dept", "add"] => {
                self.services.directory.add_to_department(tx, actor, text("name")?, mention("person")?).await
            }
            ["dept", "set-manager"] => {
                self.services.directory.set_manager(tx, actor, text("name")?, mention("person")?).await
            }
            ["dept", "list"] => self.services.directory.list_departments().await,
            ["tz", "set"] => {
                let zone = inv.zone("zone").ok_or_else(|| missing("zone"))?;
                self.services.directory.set_time_zone(tx, actor, zone).await
            }
            ["link"] => self.services.directory.link(tx, actor, inv.text("code")).await,
            ["remind"] => {
                let at = inv.datetime("when").ok_or_else(|| missing("when"))?;
                self.services.reminders.remind(tx, actor, at, text("text")?).await
            }
            ["schedule", "jobs"] => {
                Ok(vec![Effect::reply(replies::schedule_list(&self.store.schedules().await?, actor.tz))])
            }
            other => {
                tracing::error!(command = ?other, "command declared but not routed");
                Err(ServiceError::User(replies::unknown_command(&other.join(" "), None)))
            }
        }
    }
}

/// The metric label for an event: a known command and subcommand, else "unknown", so
/// typos cannot grow the label set.
fn command_label(kind: &EventKind) -> String {
    let text = match kind {
        EventKind::Command { text } => text,
        EventKind::Button { .. } => return "button".to_owned(),
        EventKind::Answer { .. } => return "answer".to_owned(),
    };
    let mut words = text.split_whitespace();
    let first = words.next().unwrap_or_default().trim_start_matches('/');
    let first = first.split('@').next().unwrap_or_default();
    let Some(spec) = commands::find(commands::COMMANDS, first) else { return "unknown".to_owned() };
    match words.next().and_then(|w| commands::find(spec.subcommands, w)) {
        Some(sub) => format!("{} {}", spec.name, sub.name),
        None => spec.name.to_owned(),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

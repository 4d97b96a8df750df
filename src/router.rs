//! Inbound events → parsed command or button action → service → effects delivered.
//! One tracing span per event, carrying platform, channel, user and command.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono_tz::Tz;
use deskmate_port::{Body, Choice, Completion, EventKind, Inbound, InboundEvent, MessageRef, NotTaken, Suggest};
use tracing::Instrument;

use crate::buttons::{ButtonAction, PromptAction};
use crate::commands::{self, Command, Invocation, ParseContext, ParseError, RateClass};
use crate::config::Limits;
use crate::delivery::{Dispatcher, Origin, Planner};
use crate::domain::Role;
use crate::kernel::clock::Clock;
use crate::kernel::report;
use crate::ratelimit::RateLimits;
use crate::services::{Actor, Effect, Outcome, ServiceError, ServiceResult, Services};
use crate::store::{Store, StoreError, Tx};
use crate::{limits, replies};

#[derive(Clone)]
pub struct Router {
    store: Store,
    services: Services,
    planner: Planner,
    dispatcher: Arc<Dispatcher>,
    clock: Arc<dyn Clock>,
    default_tz: Tz,
    limits: Arc<Limits>,
    rates: Arc<RateLimits>,
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
    async fn handle(&self, event: InboundEvent) -> Result<(), NotTaken> {
        let handled = self.handle_event(event).await?;
        self.dispatcher.send_now(&handled.queued).await;
        Ok(())
    }

    async fn settle(&self) {
        self.dispatcher.drain(SETTLE).await;
    }

    async fn complete(&self, request: Completion) -> Vec<Choice> {
        match self.suggestions(&request).await {
            Ok(choices) => choices,
            Err(e) => {
                tracing::warn!(error = %report::chain(&e), "suggesting option values");
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
        limits: Limits,
    ) -> Self {
        let rates = Arc::new(RateLimits::new(&limits));
        Router { store, services, planner, dispatcher, clock, default_tz, limits: Arc::new(limits), rates }
    }

    /// Forgets the rate-limit state of people who have been quiet (called now and then).
    pub fn forget_quiet(&self) {
        self.rates.forget_quiet();
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
    /// after this returns loses nothing (the messages wait in the outbox). Refusals and
    /// bugs become replies; a bug (a panic) in one event is caught here and touches no
    /// other. `Err` means the database could not be reached and nothing was applied: the
    /// caller offers the event again later.
    pub async fn handle_event(&self, event: InboundEvent) -> Result<Handled, NotTaken> {
        let span = tracing::info_span!(
            "event",
            platform = %event.platform,
            channel = %event.channel.id,
            user = %event.author.id,
            command = tracing::field::Empty,
        );
        let origin = Origin {
            key: format!("{}:{}", event.platform, event.id),
            reply_to: Some((event.channel.clone(), event.reply_handle.clone())),
        };
        let private = matches!(event.kind, EventKind::Button { .. });
        let label = command_label(&event.kind);
        let router = self.clone();
        let (task_origin, task_label) = (origin.clone(), label.clone());
        // Its own task, so a panic unwinds that task alone (its transaction rolls back
        // as it is dropped) and is reported here as a failed event.
        let run = tokio::spawn(
            async move { router.settle_event(event, &task_origin, private, &task_label).await }
                .instrument(span.clone()),
        );
        match run.await {
            Ok(result) => result,
            Err(join) => {
                let why = match join.try_into_panic() {
                    Ok(panic) => panic_message(panic.as_ref()),
                    Err(join) => join.to_string(),
                };
                self.record_failure(&origin, private, &label, &why).instrument(span).await
            }
        }
    }

    async fn settle_event(
        &self,
        event: InboundEvent,
        origin: &Origin,
        private: bool,
        label: &str,
    ) -> Result<Handled, NotTaken> {
        let metrics = crate::metrics::global();
        let failure = match self.run(event, &origin.key).await {
            Ok((effects, tx)) => match self.commit(origin, &effects, tx).await {
                Ok(queued) => {
                    metrics.command(label, "ok");
                    return Ok(Handled { effects, queued });
                }
                Err(e) => ServiceError::Store(e),
            },
            Err(e) => e,
        };
        if failure.is_transient() {
            metrics.command(label, "retry");
            let why = report::chain(&failure);
            tracing::warn!(error = %why, "the database is unavailable; the event will be offered again");
            return Err(NotTaken(why));
        }
        let effects: Outcome = match failure {
            ServiceError::Duplicate => {
                tracing::info!(event = %origin.key, "event seen before; ignored");
                metrics.command(label, "duplicate");
                return Ok(Handled { effects: Vec::new(), queued: Vec::new() });
            }
            ServiceError::User(message) => {
                metrics.command(label, "refused");
                vec![Effect::Refusal { body: Body::text(message), private }]
            }
            other => {
                metrics.command(label, "error");
                let reference = report::reference();
                tracing::error!(reference, error = %report::chain(&other), "command failed");
                vec![Effect::Refusal { body: Body::text(replies::internal_error(&reference)), private }]
            }
        };
        // The change (if any) was rolled back. The refusal goes through the outbox like
        // any reply, and the event is marked as handled with it, so a re-delivery is not
        // refused twice.
        self.answer_alone(origin, effects, None).await
    }

    /// A panic while handling an event: the event is recorded as failed under a reference
    /// the person is shown, and marked handled so a re-delivery does not hit the same bug
    /// again. Nothing of its change was applied.
    async fn record_failure(
        &self,
        origin: &Origin,
        private: bool,
        label: &str,
        why: &str,
    ) -> Result<Handled, NotTaken> {
        crate::metrics::global().command(label, "panic");
        let reference = report::reference();
        tracing::error!(reference, event = %origin.key, panic = %why, "handling an event panicked; it was not applied");
        let effects = vec![Effect::Refusal { body: Body::text(replies::internal_error(&reference)), private }];
        self.answer_alone(origin, effects, Some((&reference, why))).await
    }

    /// Commits a refusal or an apology on its own, with the event marked as handled (and
    /// recorded as failed, for a bug).
    async fn answer_alone(
        &self,
        origin: &Origin,
        effects: Outcome,
        failed: Option<(&str, &str)>,
    ) -> Result<Handled, NotTaken> {
        let now = self.clock.now();
        let attempt = async {
            let mut tx = self.store.begin().await?;
            if !tx.first_time(&origin.key, now).await? {
                tx.rollback().await?;
                return Ok(None);
            }
            if let Some((reference, why)) = failed {
                tx.record_failed_event(&origin.key, reference, why, now).await?;
            }
            Ok::<_, StoreError>(Some(self.commit(origin, &effects, tx).await?))
        };
        match attempt.await {
            Ok(Some(queued)) => Ok(Handled { effects, queued }),
            Ok(None) => Ok(Handled { effects: Vec::new(), queued: Vec::new() }),
            Err(e) if e.is_transient() => Err(NotTaken(report::chain(&e))),
            Err(e) => {
                tracing::error!(error = %report::chain(&e), "queueing a refusal");
                Ok(Handled { effects, queued: Vec::new() })
            }
        }
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
        let event = admit(event)?;
        if let EventKind::Anonymous { .. } = event.kind {
            // Nobody to register or act as: refused like any command, with how to speak
            // as oneself (the refusal path marks the event handled).
            tracing::Span::current().record("command", "anonymous");
            return Err(ServiceError::User(replies::anonymous_admin()));
        }
        // People are registered before the command's transaction: registration commits
        // on its own, and on SQLite a second writer inside the transaction would wait on
        // the transaction's own lock.
        let (mut person, reach) = self.services.directory.person_and_reach(&event.author, now).await?;
        self.services.directory.apply_platform_roles(&mut person, event.platform, &event.author_roles, now).await?;
        // People the platform itself resolved in a mention are registered too, so an
        // admin can grant a role to someone who has not spoken yet. A bare @name the
        // platform did not resolve registers nobody.
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
            EventKind::Text { .. } => {
                tracing::Span::current().record("command", "text");
                Ok(vec![Effect::reply(replies::plain_text())])
            }
            // Refused before anyone was registered, above.
            EventKind::Anonymous { .. } => Ok(Vec::new()),
        };
        match result {
            Ok(effects) => Ok((effects, tx)),
            Err(e) => {
                if let Err(rollback) = tx.rollback().await {
                    tracing::warn!(error = %report::chain(&rollback), "rolling back");
                }
                Err(e)
            }
        }
    }

    /// Counts the event against the person's rate limits; admins are exempt.
    fn within_rate(&self, actor: &Actor, class: RateClass) -> ServiceResult<()> {
        if actor.is(Role::Admin) {
            return Ok(());
        }
        self.rates.check(actor.person.id, class, &self.limits).map_err(|limited| {
            ServiceError::User(replies::rate_limited(limited.class, limited.per_minute, limited.retry_after))
        })
    }

    async fn run_command(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        text: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ServiceResult {
        // Lets a test drive a real panic through the binary; compiled out of release builds.
        #[cfg(debug_assertions)]
        if let Some(word) = std::env::var_os("TEST_DESKMATE_PANIC_ON")
            && !word.is_empty()
            && text.contains(&*word.to_string_lossy())
        {
            panic!("a panic asked for by TEST_DESKMATE_PANIC_ON");
        }
        let horizon = chrono::Duration::days(i64::from(self.limits.max_days_ahead));
        let invocation = match commands::parse(text, &ParseContext { now, tz: actor.tz, horizon }) {
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
        self.within_rate(actor, invocation.spec.rate)?;
        self.dispatch(tx, actor, &invocation).await
    }

    async fn run_button(&self, tx: &mut Tx, actor: &Actor, button_id: &str) -> ServiceResult {
        self.within_rate(actor, RateClass::General)?;
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
        self.within_rate(actor, RateClass::General)?;
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
        let text = limits::ANSWER.check(text)?;
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
        let command = Command::try_from(inv).map_err(|e| {
            // The parser checked the line against the declarations, so this is a bug.
            tracing::error!(error = %e, "a declared command without its typed form");
            ServiceError::User(replies::unknown_command(&inv.full_name(), None))
        })?;
        let (directory, tickets, reminders) =
            (&self.services.directory, &self.services.tickets, &self.services.reminders);
        match command {
            Command::Help { command } => Ok(vec![Effect::reply(match command.as_deref() {
                None => commands::command_list(),
                Some(name) => commands::command_help(name).unwrap_or_else(|| {
                    let suggestion = commands::COMMANDS.iter().map(|c| c.name).find(|c| c.starts_with(name));
                    replies::unknown_command(name.trim_start_matches('/'), suggestion)
                }),
            })]),
            Command::TicketNew { title, priority } => tickets.open(tx, actor, &title, priority).await,
            Command::TicketList { scope, mine } => tickets.list(actor, scope, mine).await,
            Command::TicketShow { id } => tickets.show(actor, id).await,
            Command::TicketClaim { id } => tickets.claim(tx, actor, id).await,
            Command::TicketClose { id, resolution } => tickets.close(tx, actor, id, resolution.as_deref()).await,
            Command::Whoami => directory.whoami(actor).await,
            Command::Whereami => Ok(vec![Effect::reply(replies::whereami(&actor.channel))]),
            Command::RoleGrant { person, role } => directory.grant(tx, actor, &person, role).await,
            Command::RoleRevoke { person, role } => directory.revoke(tx, actor, &person, role).await,
            Command::DeptCreate { name } => directory.create_department(tx, actor, &name).await,
            Command::DeptAdd { dept, person } => directory.add_to_department(tx, actor, &dept, &person).await,
            Command::DeptSetManager { dept, person } => directory.set_manager(tx, actor, &dept, &person).await,
            Command::DeptList => directory.list_departments().await,
            Command::TzSet { zone } => directory.set_time_zone(tx, actor, zone).await,
            Command::Link { code } => directory.link(tx, actor, code.as_deref()).await,
            Command::Remind { at, text } => reminders.remind(tx, actor, at, &text).await,
            Command::ScheduleJobs => {
                Ok(vec![Effect::reply(replies::schedule_list(&self.store.schedules().await?, actor.tz))])
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
        EventKind::Text { .. } => return "text".to_owned(),
        EventKind::Anonymous { .. } => return "anonymous".to_owned(),
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

/// What a panic said, if it said it with a string.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Cleans what people and platforms typed before anything reads it: control characters
/// dropped, names cut to size; a message longer than any command needs, or mentioning
/// more people than a command could use, is refused whole.
fn admit(mut event: InboundEvent) -> ServiceResult<InboundEvent> {
    for account in std::iter::once(&mut event.author).chain(event.mentions.iter_mut()) {
        account.display_name = limits::clean_name(&account.display_name);
        account.handle = account.handle.as_deref().map(limits::clean_name);
    }
    let text = match &mut event.kind {
        EventKind::Command { text }
        | EventKind::Answer { text, .. }
        | EventKind::Text { text }
        | EventKind::Anonymous { text } => Some(text),
        EventKind::Button { .. } => None,
    };
    if let Some(text) = text {
        if let std::borrow::Cow::Owned(cleaned) = limits::clean(text) {
            *text = cleaned;
        }
        limits::MESSAGE.check(text)?;
        let mentioned = event.mentions.len().max(limits::mention_words(text));
        if mentioned > limits::MAX_MENTIONS {
            return Err(ServiceError::User(replies::too_many_mentions(mentioned, limits::MAX_MENTIONS)));
        }
    }
    Ok(event)
}

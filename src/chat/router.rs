//! Inbound events → parsed command or button action → service → effects delivered.
//! One tracing span per event, carrying platform, channel, user and command.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deskmate_port::{
    Attachment, AttachmentError, Body, Choice, Completion, EventKind, Inbound, InboundEvent, MessageRef, NotTaken,
};
use tracing::Instrument;

use super::commands::{self, CommandSpec, ParseContext, ParseError, RateClass};
use super::feature::{Cx, Kit, Registry};
use super::questions::{self, Addressed};
use super::{button, text};
use crate::config::Limits;
use crate::delivery::{Dispatcher, Origin, Planner};
use crate::kernel::{Actor, Effect, Lang, Outcome, PersonId, Role, ServiceError, ServiceResult, Shown, report};
use crate::limits;
use crate::ratelimit::RateLimits;
use crate::store::{Queued, StoreError, Tx};

#[derive(Clone)]
pub struct Router {
    kit: Kit,
    registry: Arc<Registry>,
    planner: Planner,
    dispatcher: Arc<Dispatcher>,
    limits: Arc<Limits>,
    rates: Arc<RateLimits>,
}

/// What handling an event did: the effects it decided on, and the outbox rows that carry
/// them (already committed).
#[derive(Debug, Clone)]
pub struct Handled {
    pub effects: Outcome,
    pub queued: Vec<Queued>,
}

#[async_trait]
impl Inbound for Router {
    async fn handle(&self, event: InboundEvent) -> Result<(), NotTaken> {
        let handled = self.handle_event(event).await?;
        // Taken: the platform may be told so now; the replies follow at its pace.
        self.dispatcher.send_soon(&handled.queued);
        Ok(())
    }

    async fn handle_answered(&self, event: InboundEvent) -> Result<(), NotTaken> {
        let handled = self.handle_event(event).await?;
        let ids: Vec<i64> = handled.queued.iter().map(|q| q.id).collect();
        self.dispatcher.send_now(&ids).await;
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
        kit: Kit,
        registry: Arc<Registry>,
        planner: Planner,
        dispatcher: Arc<Dispatcher>,
        limits: Limits,
    ) -> Self {
        let classes = commands::rate_classes(registry.commands());
        for class in classes.iter().filter(|c| !limits.knows(c.key)) {
            tracing::warn!(class = class.key, "a rate class with no [limits] setting: it is not limited");
        }
        let rates = Arc::new(RateLimits::new(&limits, classes));
        Router { kit, registry, planner, dispatcher, limits: Arc::new(limits), rates }
    }

    /// The platforms' command menus.
    pub fn menu(&self) -> Vec<deskmate_port::MenuCommand> {
        self.registry.menu(self.kit.default_lang)
    }

    /// Forgets the rate-limit state of people who have been quiet (called now and then).
    pub fn forget_quiet(&self) {
        self.rates.forget_quiet();
    }

    async fn suggestions(&self, request: &Completion) -> ServiceResult<Vec<Choice>> {
        let typed = request.typed.trim();
        if request.suggest == commands::ZONE_SUGGESTIONS {
            let typed = typed.to_lowercase();
            return Ok(chrono_tz::TZ_VARIANTS
                .iter()
                .map(|z| z.name())
                .filter(|name| name.to_lowercase().contains(&typed))
                .take(25)
                .map(|name| Choice { label: name.to_owned(), value: name.to_owned() })
                .collect());
        }
        let Some(feature) = self.registry.for_suggestion(&request.suggest) else { return Ok(Vec::new()) };
        let person = self.kit.people.person_for(&request.author, self.kit.clock.now()).await?;
        feature.suggest(&self.kit, &person, &request.suggest, typed).await
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
            feature = tracing::field::Empty,
        );
        let origin = Origin {
            key: format!("{}:{}", event.platform, event.id),
            reply_to: Some((event.channel.clone(), event.reply_handle.clone())),
            actor: None,
        };
        let private = matches!(event.kind, EventKind::Button { .. });
        let label = command_label(self.registry.commands(), &event.kind);
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
            Ok((effects, tx, actor)) => {
                match self.commit(&Origin { actor: Some(actor), ..origin.clone() }, &effects, tx).await {
                    Ok(queued) => {
                        metrics.command(label, "ok");
                        return Ok(Handled { effects, queued });
                    }
                    Err(e) => e.into(),
                }
            }
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
                vec![Effect::Refusal { body: Body::text(message).into(), private }]
            }
            other => {
                metrics.command(label, "error");
                let reference = report::reference();
                tracing::error!(reference, error = %report::chain(&other), "command failed");
                let body = Shown::text_per_reader(move |r| text::internal_error(r.lang, &reference));
                vec![Effect::Refusal { body, private }]
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
        let shown = reference.clone();
        let body = Shown::text_per_reader(move |r| text::internal_error(r.lang, &shown));
        let effects = vec![Effect::Refusal { body, private }];
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
        let now = self.kit.clock.now();
        let attempt = async {
            let mut tx = self.kit.store.begin().await?;
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

    async fn commit(&self, origin: &Origin, effects: &[Effect], mut tx: Tx) -> Result<Vec<Queued>, StoreError> {
        let now = self.kit.clock.now();
        let rows = self.planner.plan(origin, effects, now).await?;
        let queued = tx.enqueue(&rows, now).await?;
        tx.commit().await?;
        // No poke here: the caller hands the replies over, then wakes the lanes.
        Ok(queued)
    }

    /// Runs the event inside a transaction; returns its effects, the transaction to commit
    /// them in, and who acted.
    async fn run(&self, event: InboundEvent, event_key: &str) -> ServiceResult<(Outcome, Tx, PersonId)> {
        let now = self.kit.clock.now();
        // Before the person is known: their messenger's language, else the default.
        let first_lang = event.author_locale.as_deref().and_then(Lang::from_tag).unwrap_or(self.kit.default_lang);
        let (event, files) = admit(event, first_lang)?;
        if let EventKind::Anonymous { .. } = event.kind {
            // Nobody to register or act as: refused like any command, with how to speak
            // as oneself (the refusal path marks the event handled).
            tracing::Span::current().record("command", "anonymous");
            return Err(ServiceError::User(text::anonymous_admin(first_lang)));
        }
        // People are registered before the command's transaction: registration commits
        // on its own, and on SQLite a second writer inside the transaction would wait on
        // the transaction's own lock.
        let people = &self.kit.people;
        let (mut person, reach) = people.person_and_reach(&event.author, now).await?;
        people.apply_platform_roles(&mut person, event.platform, &event.author_roles, now).await?;
        // People the platform itself resolved in a mention are registered too, so an
        // admin can grant a role to someone who has not spoken yet. A bare @name the
        // platform did not resolve registers nobody.
        for mentioned in &event.mentions {
            people.person_for(mentioned, now).await?;
        }
        if self.kit.store.note_seen(&event.author, &reach, &event.channel, now).await? > 0 {
            // Direct messages held while this person could not be reached go out now.
            self.dispatcher.poke();
        }
        // A new person is spoken to in the language their messenger names, if Deskmate
        // speaks it; after that, in the one they choose with /lang.
        if person.lang.is_none()
            && let Some(lang) = event.author_locale.as_deref().and_then(crate::kernel::Lang::from_tag)
        {
            self.kit.store.set_first_language(person.id, lang).await?;
            person.lang = Some(lang);
        }
        let tz = person.tz.unwrap_or(self.kit.default_tz);
        let lang = person.lang.unwrap_or(self.kit.default_lang);
        let actor = Actor { person, platform: event.platform, channel: event.channel.clone(), at: now, tz, lang };
        let mut tx = self.kit.store.begin().await?;
        if !tx.first_time(event_key, now).await? {
            tx.rollback().await?;
            return Err(ServiceError::Duplicate);
        }
        let result = match event.kind {
            EventKind::Command { text } => self.run_command(&mut tx, &actor, &text, files, now).await,
            EventKind::Button { button_id, .. } => self.run_button(&mut tx, &actor, &button_id).await,
            EventKind::Answer { prompt, replied_to, text } => {
                self.run_answer(&mut tx, &actor, prompt.as_deref(), replied_to.as_ref(), &text, files).await
            }
            EventKind::Text { .. } => {
                tracing::Span::current().record("command", "text");
                Ok(vec![Effect::reply(text::plain_text(actor.lang))])
            }
            // Refused before anyone was registered, above.
            EventKind::Anonymous { .. } => Ok(Vec::new()),
        };
        match result {
            Ok(effects) => Ok((effects, tx, actor.person.id)),
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
        self.rates.check(actor.person.id, class).map_err(|limited| {
            let names = self.registry.command_text();
            ServiceError::User(text::rate_limited(
                actor.lang,
                names,
                limited.class,
                limited.per_minute,
                limited.retry_after,
            ))
        })
    }

    async fn run_command(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        text: &str,
        files: Files,
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
        let (roots, names) = (self.registry.commands(), self.registry.command_text());
        let mut invocation = match commands::parse(
            roots,
            text,
            &ParseContext { now, tz: actor.tz, horizon, lang: actor.lang, text: names },
        ) {
            Ok(inv) => inv,
            Err(ParseError::Empty) => return Err(ServiceError::User(text::not_a_command(actor.lang))),
            Err(ParseError::UnknownCommand { name, suggestion }) => {
                return Err(ServiceError::User(text::unknown_command(actor.lang, &name, suggestion)));
            }
            Err(ParseError::Usage { path, problem }) => {
                tracing::Span::current().record("command", path.join(" "));
                return Err(ServiceError::User(text::usage_error(actor.lang, roots, &problem, &path)));
            }
        };
        tracing::Span::current().record("command", invocation.full_name());
        if !actor.is(invocation.spec.role) {
            return Err(ServiceError::User(text::needs_role(
                actor.lang,
                invocation.spec.role,
                &invocation.full_name(),
            )));
        }
        if !files.is_empty() && !invocation.spec.takes_files() {
            return Err(ServiceError::User(text::takes_no_file(actor.lang, &invocation.full_name())));
        }
        invocation.files = fetched(files, actor.lang)?;
        self.within_rate(actor, invocation.spec.rate)?;
        let Some(feature) = self.registry.for_command(&invocation.path) else {
            return Err(ServiceError::User(text::unknown_command(actor.lang, &invocation.full_name(), None)));
        };
        tracing::Span::current().record("feature", feature.name());
        feature.command(&mut Cx { tx, actor, kit: &self.kit }, &invocation).await
    }

    async fn run_button(&self, tx: &mut Tx, actor: &Actor, button_id: &str) -> ServiceResult {
        self.within_rate(actor, RateClass::GENERAL)?;
        let found = button::decode(button_id)
            .and_then(|pressed| Some((self.registry.for_namespace(&pressed.namespace)?.clone(), pressed)));
        let Some((feature, pressed)) = found else {
            return Err(ServiceError::User(text::stale_button(actor.lang)));
        };
        tracing::Span::current().record("command", format!("button {button_id}"));
        tracing::Span::current().record("feature", feature.name());
        let effects = feature.button(&mut Cx { tx, actor, kit: &self.kit }, &pressed).await?;
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
        said: &str,
        files: Files,
    ) -> ServiceResult {
        self.within_rate(actor, RateClass::GENERAL)?;
        let Addressed::Question(id) = questions::addressed(&self.kit.store, prompt, replied_to).await? else {
            return Ok(Vec::new());
        };
        tracing::Span::current().record("command", "answer");
        questions::answer(&self.registry, &mut Cx { tx, actor, kit: &self.kit }, id, said, files).await
    }
}

/// The files that came with an event, each fetched whole or the reason it was not.
pub(super) type Files = Vec<Result<Attachment, AttachmentError>>;

/// The files, once something takes them: one that did not arrive whole refuses the
/// event with the reason.
pub(super) fn fetched(files: Files, lang: Lang) -> ServiceResult<Vec<Attachment>> {
    files.into_iter().map(|f| f.map_err(|problem| ServiceError::User(text::file_refused(lang, &problem)))).collect()
}

/// The metric label for an event: a known command and subcommand, else "unknown", so
/// typos cannot grow the label set.
fn command_label(roots: &[&CommandSpec], kind: &EventKind) -> String {
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
    let Some(spec) = commands::find(roots.iter().copied(), first) else { return "unknown".to_owned() };
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
/// more people than a command could use, or carrying more files, is refused whole. The
/// files come back apart from the event.
fn admit(mut event: InboundEvent, lang: Lang) -> ServiceResult<(InboundEvent, Files)> {
    let mut files = std::mem::take(&mut event.files);
    for file in files.iter_mut().flatten() {
        file.name = limits::clean_name(&file.name);
        if file.name.trim().is_empty() {
            "file".clone_into(&mut file.name);
        }
    }
    if files.len() > limits::MAX_FILES {
        return Err(ServiceError::User(text::too_many_files(lang, files.len(), limits::MAX_FILES)));
    }
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
        limits::MESSAGE.check(lang, text)?;
        let mentioned = event.mentions.len().max(limits::mention_words(text));
        if mentioned > limits::MAX_MENTIONS {
            return Err(ServiceError::User(text::too_many_mentions(lang, mentioned, limits::MAX_MENTIONS)));
        }
    }
    Ok((event, files))
}

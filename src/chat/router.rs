//! Inbound events → parsed command or button action → service → effects delivered.
//! One tracing span per event, carrying platform, channel, user and command.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deskmate_port::{
    Attachment, AttachmentError, Body, Choice, Completion, EventKind, Inbound, InboundEvent, MessageRef, NotTaken,
};
use tokio::sync::oneshot;
use tracing::Instrument;

use super::commands::{self, CommandSpec, ParseContext, ParseError, RateClass};
use super::feature::{Cx, Kit, Registry};
use super::questions::{self, Addressed};
use super::{button, text};
use crate::config::Limits;
use crate::delivery::{Dispatcher, Origin, Planner};
use crate::kernel::{Actor, Effect, Lang, Outcome, Reader, Role, ServiceError, ServiceResult, Shown, Subject, report};
use crate::limits;
use crate::ratelimit::RateLimits;
use crate::store::{Batches, Queued, StoreError, Tx};

#[derive(Clone)]
pub struct Router {
    kit: Kit,
    registry: Arc<Registry>,
    planner: Planner,
    dispatcher: Arc<Dispatcher>,
    limits: Arc<Limits>,
    rates: Arc<RateLimits>,
    batches: Arc<Batches<(Arc<Job>, Option<Done>)>>,
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

/// The most events one transaction carries.
const BATCH_AT_MOST: usize = 128;

/// An event on its way into a batch.
struct Job {
    about: About,
    work: Work,
}

/// Which event a job is, and how to answer it.
#[derive(Clone)]
struct About {
    origin: Origin,
    /// A press is answered privately.
    private: bool,
    /// The command, for metrics.
    label: String,
    span: tracing::Span,
}

/// What an event comes to once its person is known.
enum Work {
    /// A command, press or answer to apply.
    Apply { actor: Box<Actor>, kind: EventKind, files: Files },
    /// A refusal decided before the transaction (bad input, nobody to act as, a bug),
    /// with the reference and panic of a bug.
    Refuse { effects: Outcome, failed: Option<(String, String)> },
}

type Done = oneshot::Sender<Result<Handled, NotTaken>>;

/// An event's fate in its batch, with its metrics label.
type Fate = Result<(Handled, &'static str), NotTaken>;

fn fate_label(fate: &Fate) -> &'static str {
    match fate {
        Ok((_, label)) => label,
        Err(_) => "retry",
    }
}

impl Handled {
    fn nothing() -> Handled {
        Handled { effects: Vec::new(), queued: Vec::new() }
    }
}

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
        let batches = Arc::new(Batches::new(kit.store.writers(), BATCH_AT_MOST));
        Router { kit, registry, planner, dispatcher, limits: Arc::new(limits), rates, batches }
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
    /// after this returns loses nothing (the messages wait in the outbox). Events that
    /// arrive together share one transaction, each in its own step ([`group`]).
    /// Refusals and bugs become replies; a bug (a panic) in one event is caught and
    /// touches no other. `Err` means the database could not be reached and nothing was
    /// applied: the caller offers the event again later.
    ///
    /// [`group`]: crate::store::Batches
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
            reader: None,
        };
        let private = matches!(event.kind, EventKind::Button { .. });
        let label = command_label(self.registry.commands(), &event.kind);
        let about = About { origin, private, label, span };
        let router = self.clone();
        // Its own task, so a panic unwinds that task alone and is reported as a failed
        // event.
        let prepared = tokio::spawn(async move { router.prepare(event).await }.instrument(about.span.clone())).await;
        let work = match prepared {
            Ok(Ok((actor, kind, files))) => Work::Apply { actor: Box::new(actor), kind, files },
            Ok(Err(failure)) => match self.refusal_for(failure, &about) {
                Ok(Some(effects)) => Work::Refuse { effects, failed: None },
                Ok(None) => return Ok(Handled::nothing()),
                Err(not_taken) => {
                    crate::metrics::global().command(&about.label, "retry");
                    return Err(not_taken);
                }
            },
            Err(join) => return self.record_failure(about, join).await,
        };
        let job = Arc::new(Job { about, work });
        if let Some(handled) = self.grouped(job.clone()).await {
            return handled;
        }
        // The batch it was in broke off with a panic (this event's or another's), and
        // nothing of it was applied: this event goes again, alone.
        let router = self.clone();
        let alone = job.clone();
        match tokio::spawn(async move { router.run_batch(vec![(alone, None)]).await }).await {
            Ok(Some(handled)) => handled,
            Ok(None) => Err(NotTaken("the event could not be applied".to_owned())),
            Err(join) => self.record_failure(job.about.clone(), join).await,
        }
    }

    /// Queues the event for the next batch and waits for its commit. `None` when its
    /// batch panicked.
    async fn grouped(&self, job: Arc<Job>) -> Option<Result<Handled, NotTaken>> {
        let (done, result) = oneshot::channel();
        self.batches.push((job, Some(done)));
        self.next_batches();
        result.await.ok()
    }

    /// Starts a batch in every free writer's turn. A batch that breaks off with a panic
    /// tells its events so, and they go again alone.
    fn next_batches(&self) {
        let router = self.clone();
        self.batches.start(Arc::new(move |jobs| {
            let router = router.clone();
            Box::pin(async move {
                router.run_batch(jobs).await;
            })
        }));
    }

    /// Applies the jobs in one transaction, each in its own step, and tells each its
    /// fate once the transaction has committed. Returns the first job's fate too (for a
    /// job run alone, which has no one to tell).
    async fn run_batch(&self, jobs: Vec<(Arc<Job>, Option<Done>)>) -> Option<Result<Handled, NotTaken>> {
        let fates = match self.apply_batch(&jobs).await {
            Ok(fates) => fates,
            Err(broken) => {
                let why = report::chain(&broken);
                tracing::warn!(error = %why, events = jobs.len(), "a batch of events was not applied; they will be offered again");
                jobs.iter().map(|_| Err(NotTaken(why.clone()))).collect()
            }
        };
        let mut first = None;
        for ((job, done), fate) in jobs.into_iter().zip(fates) {
            crate::metrics::global().command(&job.about.label, fate_label(&fate));
            match done {
                Some(done) => {
                    let _ = done.send(fate.map(|(handled, _)| handled));
                }
                None => first = first.or(Some(fate.map(|(handled, _)| handled))),
            }
        }
        first
    }

    /// `Err` when the transaction itself broke (nothing of the batch was applied).
    async fn apply_batch(&self, jobs: &[(Arc<Job>, Option<Done>)]) -> Result<Vec<Fate>, StoreError> {
        let mut tx = self.kit.store.begin().await?;
        if jobs.len() == 1 {
            tx.alone();
        }
        tracing::debug!(events = jobs.len(), "applying a batch");
        let mut fates = Vec::with_capacity(jobs.len());
        for (job, _) in jobs {
            fates.push(self.apply_step(&mut tx, job).instrument(job.about.span.clone()).await?);
            // Lets a test hold a batch open long enough to kill the process inside it;
            // compiled out of release builds.
            #[cfg(debug_assertions)]
            if let Some(ms) = std::env::var("TEST_DESKMATE_STEP_PAUSE_MS").ok().and_then(|v| v.parse().ok()) {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        }
        tx.commit().await?;
        Ok(fates)
    }

    /// One event's step in a batch: its change and messages, or (its change undone) its
    /// refusal. `Err` when the transaction broke.
    async fn apply_step(&self, tx: &mut Tx, job: &Job) -> Result<Fate, StoreError> {
        let mut origin = job.about.origin.clone();
        let (effects, failed) = match &job.work {
            Work::Apply { actor, kind, files } => {
                origin.reader = Some(Reader { lang: actor.lang, tz: actor.tz });
                tx.step().await?;
                let failure = match self.apply(tx, actor, kind, files.clone(), &origin.key).await {
                    Ok(effects) => {
                        let effects = answered_directly(kind, actor, effects);
                        let origin = Origin { actor: Some(actor.person.id), ..origin.clone() };
                        match self.queue(tx, &origin, &effects).await {
                            Ok(queued) => {
                                tx.keep_step().await?;
                                return Ok(Ok((Handled { effects, queued }, "ok")));
                            }
                            Err(e) => e.into(),
                        }
                    }
                    Err(e) => e,
                };
                // Whatever the command changed is undone; its refusal is queued instead.
                tx.undo_step().await?;
                match self.refusal_for(failure, &job.about) {
                    Ok(Some(effects)) => (answered_directly(kind, actor, effects), None),
                    Ok(None) => return Ok(Ok((Handled::nothing(), "duplicate"))),
                    Err(not_taken) => return Ok(Err(not_taken)),
                }
            }
            Work::Refuse { effects, failed } => (effects.clone(), failed.as_ref()),
        };
        let label = if failed.is_some() { "panic" } else { "refused" };
        // The refusal goes through the outbox like any reply, and the event is marked as
        // handled with it, so a re-delivery is not refused twice.
        tx.step().await?;
        let now = self.kit.clock.now();
        let queued = async {
            if !tx.first_time(&origin.key, now).await? {
                return Ok(None);
            }
            if let Some((reference, why)) = failed {
                tx.record_failed_event(&origin.key, reference, why, now).await?;
            }
            self.queue(tx, &origin, &effects).await.map(Some)
        };
        match queued.await {
            Ok(Some(queued)) => {
                tx.keep_step().await?;
                Ok(Ok((Handled { effects, queued }, label)))
            }
            Ok(None) => {
                tx.undo_step().await?;
                Ok(Ok((Handled::nothing(), "duplicate")))
            }
            Err(e) if e.is_transient() => {
                tx.undo_step().await?;
                Ok(Err(NotTaken(report::chain(&e))))
            }
            Err(e) => {
                tracing::error!(error = %report::chain(&e), "queueing a refusal");
                tx.undo_step().await?;
                Ok(Ok((Handled { effects, queued: Vec::new() }, label)))
            }
        }
    }

    /// What a failed event is answered with: `Ok(None)` for an event seen before (no
    /// answer), `Err` for a database that could not be reached (offered again later).
    fn refusal_for(&self, failure: ServiceError, about: &About) -> Result<Option<Outcome>, NotTaken> {
        let private = about.private;
        if failure.is_transient() {
            let why = report::chain(&failure);
            tracing::warn!(error = %why, "the database is unavailable; the event will be offered again");
            return Err(NotTaken(why));
        }
        Ok(match failure {
            ServiceError::Duplicate => {
                tracing::info!(event = %about.origin.key, "event seen before; ignored");
                None
            }
            ServiceError::User(message) => Some(vec![Effect::Refusal { body: Body::text(message).into(), private }]),
            other => {
                let reference = report::reference();
                tracing::error!(reference, error = %report::chain(&other), "command failed");
                let body = Shown::text_per_reader(move |r| text::internal_error(r.lang, &reference));
                Some(vec![Effect::Refusal { body, private }])
            }
        })
    }

    /// A panic while handling an event: the event is recorded as failed under a reference
    /// the person is shown, and marked handled so a re-delivery does not hit the same bug
    /// again. Nothing of its change was applied.
    async fn record_failure(&self, about: About, join: tokio::task::JoinError) -> Result<Handled, NotTaken> {
        let why = match join.try_into_panic() {
            Ok(panic) => panic_message(panic.as_ref()),
            Err(join) => join.to_string(),
        };
        let reference = report::reference();
        about.span.in_scope(|| {
            tracing::error!(reference, event = %about.origin.key, panic = %why, "handling an event panicked; it was not applied");
        });
        let shown = reference.clone();
        let body = Shown::text_per_reader(move |r| text::internal_error(r.lang, &shown));
        let effects = vec![Effect::Refusal { body, private: about.private }];
        let job = Arc::new(Job { about, work: Work::Refuse { effects, failed: Some((reference, why)) } });
        self.grouped(job).await.unwrap_or_else(|| Err(NotTaken("recording a failed event".to_owned())))
    }

    /// Plans the messages the effects cause and queues them in the transaction.
    async fn queue(&self, tx: &mut Tx, origin: &Origin, effects: &[Effect]) -> Result<Vec<Queued>, StoreError> {
        let now = self.kit.clock.now();
        let rows = self.planner.plan(origin, effects, now).await?;
        tx.enqueue(&rows, now).await
    }

    /// What comes before the event's transaction: its input cleaned, its person found
    /// (registered on first sight) and where they are reachable noted.
    async fn prepare(&self, event: InboundEvent) -> ServiceResult<(Actor, EventKind, Files)> {
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
        // A reaction may make someone who never spoke to Deskmate a requester.
        if let EventKind::Reaction { message: Some(quoted), .. } = &event.kind {
            people.person_for(&quoted.author, now).await?;
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
        let actor = Actor { person, platform: event.platform, channel: event.channel, at: now, tz, lang };
        Ok((actor, event.kind, files))
    }

    /// Applies the event in the transaction (its step); returns its effects.
    async fn apply(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        kind: &EventKind,
        files: Files,
        event_key: &str,
    ) -> ServiceResult {
        let now = self.kit.clock.now();
        if !tx.first_time(event_key, now).await? {
            return Err(ServiceError::Duplicate);
        }
        match kind {
            EventKind::Command { text } => self.run_command(tx, actor, text, files, now).await,
            EventKind::Button { button_id, .. } => self.run_button(tx, actor, button_id).await,
            EventKind::Answer { prompt, replied_to, text } => {
                self.run_answer(tx, actor, prompt.as_deref(), replied_to.as_ref(), text, files).await
            }
            EventKind::Text { text } => self.run_text(tx, actor, text).await,
            EventKind::FollowUp { on, text } => self.run_follow_up(tx, actor, on, text).await,
            EventKind::Reaction { emoji, on, message } => {
                self.run_reaction(tx, actor, emoji, on, message.as_ref()).await
            }
            // Refused before anyone was registered, in `prepare`.
            EventKind::Anonymous { .. } => Ok(Vec::new()),
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
        let id = match questions::addressed(&self.kit.store, prompt, replied_to).await? {
            Addressed::Question(id) => id,
            // A reply to another message of the bot's: the conversation on it.
            Addressed::Chat(filed) => return self.follow_filed(tx, actor, &filed, said).await,
        };
        tracing::Span::current().record("command", "answer");
        questions::answer(&self.registry, &mut Cx { tx, actor, kit: &self.kit }, id, said, files).await
    }
}

impl Router {
    /// Plain text in private: the first feature that takes it, else how to use commands.
    async fn run_text(&self, tx: &mut Tx, actor: &Actor, said: &str) -> ServiceResult {
        tracing::Span::current().record("command", "text");
        self.within_rate(actor, RateClass::GENERAL)?;
        for feature in self.registry.all() {
            if let Some(effects) = feature.text(&mut Cx { tx, actor, kit: &self.kit }, said).await? {
                tracing::Span::current().record("feature", feature.name());
                return Ok(effects);
            }
        }
        Ok(vec![Effect::reply(text::plain_text(actor.lang))])
    }

    /// Text in the conversation on a message of the bot's: the feature that filed the
    /// message under one of its subjects gets it; chat about anything else is left alone.
    async fn run_follow_up(&self, tx: &mut Tx, actor: &Actor, on: &MessageRef, said: &str) -> ServiceResult {
        let filed = self.kit.store.filed_under(on).await?;
        self.follow_filed(tx, actor, &filed, said).await
    }

    /// Text in the conversation on a message filed under `filed`.
    async fn follow_filed(&self, tx: &mut Tx, actor: &Actor, filed: &[String], said: &str) -> ServiceResult {
        let found = filed.iter().find_map(|f| {
            let (kind, id) = Subject::parse_filed(f)?;
            let (feature, kind) = self.registry.for_subject(kind)?;
            Some((feature.clone(), Subject::new(kind, id)))
        });
        let Some((feature, subject)) = found else { return Ok(Vec::new()) };
        tracing::Span::current().record("command", "follow-up");
        tracing::Span::current().record("feature", feature.name());
        self.within_rate(actor, RateClass::GENERAL)?;
        feature.follow_up(&mut Cx { tx, actor, kit: &self.kit }, subject, said).await
    }

    /// A reaction: the first feature that takes it. Whatever it says goes to the reactor
    /// directly, never into the group.
    async fn run_reaction(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        emoji: &str,
        on: &MessageRef,
        message: Option<&deskmate_port::Quoted>,
    ) -> ServiceResult {
        tracing::Span::current().record("command", "reaction");
        for feature in self.registry.all() {
            if let Some(effects) = feature.reaction(&mut Cx { tx, actor, kit: &self.kit }, emoji, on, message).await? {
                tracing::Span::current().record("feature", feature.name());
                self.within_rate(actor, RateClass::GENERAL)?;
                return Ok(effects);
            }
        }
        Ok(Vec::new())
    }
}

/// What answers an event goes to its author directly where the event happened in
/// public without asking for an answer (a reaction).
fn answered_directly(kind: &EventKind, actor: &Actor, effects: Outcome) -> Outcome {
    if !matches!(kind, EventKind::Reaction { .. }) {
        return effects;
    }
    let person = actor.person.id;
    effects
        .into_iter()
        .map(|e| match e {
            Effect::Reply { body, .. } | Effect::Refusal { body, .. } => Effect::Direct { person, body, subject: None },
            other => other,
        })
        .collect()
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
        EventKind::FollowUp { .. } => return "follow-up".to_owned(),
        EventKind::Reaction { .. } => return "reaction".to_owned(),
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
        | EventKind::FollowUp { text, .. }
        | EventKind::Anonymous { text } => Some(text),
        EventKind::Reaction { message, .. } => {
            // Someone else's message, which they were free to make long: cleaned and
            // cut, never a reason to refuse the reaction.
            if let Some(quoted) = message {
                quoted.author.display_name = limits::clean_name(&quoted.author.display_name);
                quoted.author.handle = quoted.author.handle.as_deref().map(limits::clean_name);
                quoted.text = limits::clean(&quoted.text).chars().take(limits::MESSAGE.max).collect();
            }
            None
        }
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

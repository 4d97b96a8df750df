//! What a feature is to the rest of Deskmate: the commands it declares, the buttons of its
//! namespace, the questions it asks, the timers and scheduled jobs it runs, the
//! suggestions it makes. The router and the job queue find a feature through the
//! [`Registry`] by command root, button namespace, question or timer owner, and name none.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono_tz::Tz;
use deskmate_port::{Choice, MenuCommand, MessageRef, Quoted};

use super::button::Pressed;
use super::commands::{CommandSpec, Invocation};
use super::people::People;
use super::{commands, text};
use crate::kernel::clock::Clock;
use crate::kernel::{Actor, Lang, Outcome, Person, ServiceResult, Subject, refuse};
use crate::scheduler::{Fired, ScheduleArgs, ScheduledRun, Scheduler};
pub use crate::store::PersonColumn;
use crate::store::{Store, Tx};

/// Builds a feature from the config (already validated). The one list of them is
/// `features::BUILTIN`.
pub type Install = fn(&crate::config::Config) -> Arc<dyn Feature>;

/// A feature: a folder under `src/features/`, registered with one line.
#[async_trait]
pub trait Feature: Send + Sync + 'static {
    /// Owner name of its timers, and the `feature` field of its events' log spans:
    /// `tickets`.
    fn name(&self) -> &'static str;

    /// Its button and question namespace, short because Telegram allows 64 bytes of
    /// button data: `tk`.
    fn namespace(&self) -> &'static str;

    /// Its commands, declared once: parsing, `/help` and the platforms' menus read them.
    fn commands(&self) -> &'static [CommandSpec] {
        &[]
    }

    /// What its commands are called in each language (`i18n/commands.<lang>.ftl`, see
    /// [`commands::CommandText`]); a feature with commands must have it.
    fn command_text(&self) -> Option<&'static crate::i18n::Catalog> {
        None
    }

    /// Runs one of its commands, already parsed, role-checked and rate-limited.
    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        refuse(text::unknown_command(cx.actor.lang, &inv.full_name(), None))
    }

    /// A button of its namespace was pressed. The id is never trusted: check the presser.
    async fn button(&self, cx: &mut Cx<'_>, pressed: &Pressed) -> ServiceResult {
        let _ = pressed;
        refuse(text::stale_button(cx.actor.lang))
    }

    /// A question it asked was answered (by the person it was put to, in time, once):
    /// `action` is what it stored with the question. Check the answerer's rights again.
    /// Files come only to a question asked for one ([`super::questions::ask_for_file`]).
    async fn answer(&self, cx: &mut Cx<'_>, action: &Pressed, answer: &Answer<'_>) -> ServiceResult {
        let _ = (action, answer);
        refuse(text::prompt_unknown(cx.actor.lang))
    }

    /// One of its timers came due; its change and its messages commit with the timer's
    /// completion. A timer is never trusted to still matter: check the state it is about.
    async fn timer(&self, tx: &mut Tx, kit: &Kit, fired: &Fired) -> ServiceResult {
        let _ = (tx, kit);
        tracing::warn!(feature = self.name(), kind = %fired.kind, "a timer nobody handles");
        Ok(Vec::new())
    }

    /// The scheduled jobs (`[[schedules]] job = …`) it runs.
    fn scheduled_jobs(&self) -> &'static [&'static str] {
        &[]
    }

    /// Whether a `[[schedules]]` entry gives one of its jobs what it needs; checked at
    /// start, so a bad entry stops Deskmate with its name instead of failing at night.
    fn check_schedule(&self, job: &str, args: &ScheduleArgs) -> Result<(), String> {
        let _ = (job, args);
        Ok(())
    }

    async fn scheduled(&self, kit: &Kit, run: &ScheduledRun) -> ServiceResult {
        let _ = (kit, run);
        Ok(Vec::new())
    }

    /// The suggestion keys (`ArgKind::Number { suggest }`) it answers.
    fn suggestions(&self) -> &'static [&'static str] {
        &[]
    }

    async fn suggest(&self, kit: &Kit, person: &Person, key: &str, typed: &str) -> ServiceResult<Vec<Choice>> {
        let _ = (kit, person, key, typed);
        Ok(Vec::new())
    }

    /// One message standing for many flooded notices of a coalesce kind it owns.
    fn coalesced(&self, kind: &str, labels: &[String]) -> Option<String> {
        let _ = (kind, labels);
        None
    }

    /// The kinds of subject its notices are filed under (`ticket`): what people write in
    /// the conversation on one of those messages (its thread, a reply to it) is its to
    /// handle, in [`Feature::follow_up`].
    fn subjects(&self) -> &'static [&'static str] {
        &[]
    }

    /// `cx.actor` wrote `text` in the conversation on a message it posted about
    /// `subject` (a thread on a ticket's queue notice). Who wrote it is checked here.
    async fn follow_up(&self, cx: &mut Cx<'_>, subject: Subject, text: &str) -> ServiceResult {
        let _ = (cx, subject, text);
        Ok(Vec::new())
    }

    /// Plain text written to Deskmate in private. `None`: not taken, and the next
    /// feature is asked (if none takes it, the core says how to use commands).
    async fn text(&self, cx: &mut Cx<'_>, text: &str) -> ServiceResult<Option<Outcome>> {
        let _ = (cx, text);
        Ok(None)
    }

    /// A reaction in a group, with the message reacted to when the adapter could tell
    /// (its author is registered already). `None`: not taken. Nobody is answered in the
    /// group: what the reactor is told goes to them directly.
    async fn reaction(
        &self,
        cx: &mut Cx<'_>,
        emoji: &str,
        on: &MessageRef,
        message: Option<&Quoted>,
    ) -> ServiceResult<Option<Outcome>> {
        let _ = (cx, emoji, on, message);
        Ok(None)
    }

    /// The feature itself, for functions another feature calls through what this one
    /// exports (tickets' `open_ticket` needs the help desk's settings).
    fn as_any(&self) -> Option<&(dyn std::any::Any + Send + Sync)> {
        None
    }

    /// Its columns that point at a person.
    fn person_columns(&self) -> &'static [PersonColumn] {
        &[]
    }

    /// The first segment of the HTTP paths it serves (`ical` for `/ical/…`), if any.
    fn web_prefix(&self) -> Option<&'static str> {
        None
    }

    /// A GET of `/<web_prefix>/<rest>` on the HTTP listener; `None`: not found. Whoever
    /// can reach the listener can ask, so a page checks its own secret in `rest`.
    async fn web(&self, kit: &Kit, rest: &str) -> ServiceResult<Option<Page>> {
        let _ = (kit, rest);
        Ok(None)
    }

    /// Once at start, with the job queue ready: sets the first timer of what it runs on
    /// its own (a recurring sweep). Every instance calls it; a timer's key keeps it once.
    async fn start(&self, kit: &Kit) -> ServiceResult<()> {
        let _ = kit;
        Ok(())
    }

    /// What it has on `person`'s plate between two moments (`/agenda`): what happens
    /// then, and what waits for them whenever it began.
    async fn agenda(
        &self,
        tx: &mut Tx,
        kit: &Kit,
        person: &Person,
        span: Span,
        tz: Tz,
    ) -> ServiceResult<Vec<AgendaItem>> {
        let _ = (tx, kit, person, span, tz);
        Ok(Vec::new())
    }

    /// Its figures over a span, side by side with the other features' in `/report
    /// office`, in the reader's language; `None`: it has nothing to count.
    async fn insight(&self, tx: &mut Tx, kit: &Kit, span: Span, lang: Lang, tz: Tz) -> ServiceResult<Option<Insight>> {
        let _ = (tx, kit, span, lang, tz);
        Ok(None)
    }
}

/// A feature's part of `/report office`: a heading and its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insight {
    pub heading: String,
    pub lines: Vec<String>,
}

/// What a feature's web page answers: a body and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// From one moment to another.
pub type Span = (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>);

/// The seven days ending at `end`: a report's span when none is asked for.
pub fn week_ending(end: chrono::DateTime<chrono::Utc>) -> Span {
    (end - chrono::Duration::days(7), end)
}

/// One line of someone's agenda: at a time (a meeting), or waiting for them (an approval,
/// a ticket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaItem {
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    pub line: String,
}

/// What a feature may use while it handles something.
#[derive(Clone)]
pub struct Kit {
    pub store: Store,
    /// Set and cancel timers by key.
    pub timers: Scheduler,
    pub people: People,
    pub clock: Arc<dyn Clock>,
    pub default_tz: Tz,
    /// The language of people who have not chosen theirs ([general] language).
    pub default_lang: crate::kernel::Lang,
    /// Every column pointing at a person, for account links.
    pub person_columns: Arc<Vec<PersonColumn>>,
    /// Every feature, for what each has on someone's plate ([`Registry::agenda`]).
    pub features: Arc<Registry>,
}

/// An answer to a question: its text, and the files that came with it.
#[derive(Debug, Clone, Copy)]
pub struct Answer<'a> {
    pub text: &'a str,
    pub files: &'a [deskmate_port::Attachment],
}

/// One event being handled: its transaction (the change and its messages commit
/// together), who acts, and the kit.
pub struct Cx<'a> {
    pub tx: &'a mut Tx,
    pub actor: &'a Actor,
    pub kit: &'a Kit,
}

/// Features that cannot be installed together.
#[derive(Debug, thiserror::Error)]
pub enum Clash {
    /// Two features claimed the same command, namespace, timer owner, job or suggestion.
    #[error("features {first} and {second} both declare {what} `{name}`")]
    Twice { what: &'static str, name: String, first: &'static str, second: &'static str },
    /// Button ids start with the namespace: adapters keep ids of their own (Discord's
    /// Answer buttons) outside that alphabet.
    #[error("feature {feature}: its namespace `{namespace}` must be 1 to 8 lowercase letters or digits")]
    Namespace { feature: &'static str, namespace: &'static str },
    /// Commands nobody could read about in the menus or `/help`.
    #[error("feature {feature} declares commands but no text for them (Feature::command_text)")]
    Undescribed { feature: &'static str },
}

/// The installed features and the indexes the router and the job queue look them up by.
pub struct Registry {
    features: Vec<Arc<dyn Feature>>,
    roots: Vec<&'static CommandSpec>,
    text: commands::CommandText,
    by_root: HashMap<String, usize>,
    /// Subcommands of a group several features add to (`/report approvals`,
    /// `/report tickets`), by root and subcommand.
    by_sub: HashMap<(String, String), usize>,
    by_namespace: HashMap<&'static str, usize>,
    by_name: HashMap<&'static str, usize>,
    by_job: HashMap<&'static str, usize>,
    by_suggestion: HashMap<&'static str, usize>,
    by_subject: HashMap<&'static str, usize>,
}

impl Registry {
    pub fn new(features: Vec<Arc<dyn Feature>>) -> Result<Registry, Clash> {
        let mut r = Registry {
            features: Vec::new(),
            roots: Vec::new(),
            text: commands::CommandText::default(),
            by_root: HashMap::new(),
            by_sub: HashMap::new(),
            by_namespace: HashMap::new(),
            by_name: HashMap::new(),
            by_job: HashMap::new(),
            by_suggestion: HashMap::new(),
            by_subject: HashMap::new(),
        };
        for (i, feature) in features.iter().enumerate() {
            let namespace = feature.namespace();
            if namespace.is_empty()
                || namespace.len() > 8
                || !namespace.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                return Err(Clash::Namespace { feature: feature.name(), namespace });
            }
            let clash = |what: &'static str, name: &str, other: usize| Clash::Twice {
                what,
                name: name.to_owned(),
                first: features[other].name(),
                second: feature.name(),
            };
            let text = match (feature.commands(), feature.command_text()) {
                ([], _) => None,
                (_, Some(text)) => Some(text),
                (_, None) => return Err(Clash::Undescribed { feature: feature.name() }),
            };
            for spec in feature.commands() {
                if let Some(text) = text {
                    r.text.add(spec, text);
                }
                let root = spec.name.to_lowercase();
                let shared = r.roots.iter().position(|s| s.name.eq_ignore_ascii_case(&root));
                match shared {
                    // A group another feature started: this one adds its subcommands.
                    Some(at) if is_group(spec) && is_group(r.roots[at]) => {
                        let first = r.by_root[&root];
                        for sub in r.roots[at].subcommands {
                            r.by_sub.entry((root.clone(), sub.name.to_lowercase())).or_insert(first);
                        }
                        for sub in spec.subcommands {
                            if let Some(other) = claim(&mut r.by_sub, (root.clone(), sub.name.to_lowercase()), i) {
                                return Err(clash("the command", &format!("{root} {}", sub.name), other));
                            }
                        }
                        let mut merged: Vec<CommandSpec> = r.roots[at].subcommands.to_vec();
                        merged.extend(spec.subcommands.iter().copied());
                        // Made once per group and start, for the process's life.
                        let subcommands: &'static [CommandSpec] = Box::leak(merged.into_boxed_slice());
                        r.roots[at] = Box::leak(Box::new(CommandSpec { subcommands, ..*r.roots[at] }));
                    }
                    Some(_) => return Err(clash("the command", &root, r.by_root[&root])),
                    None => {
                        r.by_root.insert(root, i);
                        r.roots.push(spec);
                    }
                }
            }
            if let Some(other) = claim(&mut r.by_name, feature.name(), i) {
                return Err(clash("the name", feature.name(), other));
            }
            if let Some(other) = claim(&mut r.by_namespace, feature.namespace(), i) {
                return Err(clash("the namespace", feature.namespace(), other));
            }
            for job in feature.scheduled_jobs() {
                if let Some(other) = claim(&mut r.by_job, job, i) {
                    return Err(clash("the scheduled job", job, other));
                }
            }
            for key in feature.suggestions() {
                if let Some(other) = claim(&mut r.by_suggestion, key, i) {
                    return Err(clash("the suggestion", key, other));
                }
            }
            for kind in feature.subjects() {
                if let Some(other) = claim(&mut r.by_subject, kind, i) {
                    return Err(clash("the subject", kind, other));
                }
            }
        }
        r.features = features;
        Ok(r)
    }

    /// The top-level commands, in registration order.
    pub fn commands(&self) -> &[&'static CommandSpec] {
        &self.roots
    }

    /// What the commands are called in each language.
    pub fn command_text(&self) -> &commands::CommandText {
        &self.text
    }

    /// The platforms' command menus, in `lang` with every other language beside it.
    pub fn menu(&self, lang: crate::kernel::Lang) -> Vec<MenuCommand> {
        commands::menu(&self.roots, &self.text, lang)
    }

    /// The feature that runs a command, by its path (`["report", "approvals"]`).
    pub fn for_command(&self, path: &[&str]) -> Option<&Arc<dyn Feature>> {
        let root = path.first()?.to_lowercase();
        let sub = path.get(1).and_then(|s| self.by_sub.get(&(root.clone(), s.to_lowercase())));
        sub.or_else(|| self.by_root.get(&root)).map(|&i| &self.features[i])
    }

    pub fn for_namespace(&self, namespace: &str) -> Option<&Arc<dyn Feature>> {
        self.by_namespace.get(namespace).map(|&i| &self.features[i])
    }

    pub fn by_name(&self, name: &str) -> Option<&Arc<dyn Feature>> {
        self.by_name.get(name).map(|&i| &self.features[i])
    }

    pub fn for_job(&self, job: &str) -> Option<&Arc<dyn Feature>> {
        self.by_job.get(job).map(|&i| &self.features[i])
    }

    /// The feature whose notices are filed under subjects of `kind`, with the kind as
    /// it declared it.
    pub fn for_subject(&self, kind: &str) -> Option<(&Arc<dyn Feature>, &'static str)> {
        let (&kind, &i) = self.by_subject.get_key_value(kind)?;
        Some((&self.features[i], kind))
    }

    /// Every feature, in registration order (for text and reactions, offered to each
    /// until one takes it).
    pub fn all(&self) -> &[Arc<dyn Feature>] {
        &self.features
    }

    pub fn for_suggestion(&self, key: &str) -> Option<&Arc<dyn Feature>> {
        self.by_suggestion.get(key).map(|&i| &self.features[i])
    }

    /// Every scheduled job any feature runs, for config checks.
    pub fn jobs(&self) -> Vec<&'static str> {
        let mut jobs: Vec<&'static str> = self.by_job.keys().copied().collect();
        jobs.sort_unstable();
        jobs
    }

    pub fn person_columns(&self) -> Vec<PersonColumn> {
        self.features.iter().flat_map(|f| f.person_columns().iter().copied()).collect()
    }

    /// The feature serving `/<prefix>/…`.
    pub fn for_web(&self, prefix: &str) -> Option<&Arc<dyn Feature>> {
        self.features.iter().find(|f| f.web_prefix() == Some(prefix))
    }

    /// Starts what each feature runs on its own.
    pub async fn start(&self, kit: &Kit) -> ServiceResult<()> {
        for feature in &self.features {
            feature.start(kit).await?;
        }
        Ok(())
    }

    /// What every feature has on `person`'s plate, in feature order.
    pub async fn agenda(
        &self,
        tx: &mut Tx,
        kit: &Kit,
        person: &Person,
        span: Span,
        tz: Tz,
    ) -> ServiceResult<Vec<AgendaItem>> {
        let mut items = Vec::new();
        for feature in &self.features {
            items.extend(feature.agenda(tx, kit, person, span, tz).await?);
        }
        Ok(items)
    }

    /// Every feature's figures over a span, in feature order.
    pub async fn insights(
        &self,
        tx: &mut Tx,
        kit: &Kit,
        span: Span,
        lang: Lang,
        tz: Tz,
    ) -> ServiceResult<Vec<Insight>> {
        let mut out = Vec::new();
        for feature in &self.features {
            out.extend(feature.insight(tx, kit, span, lang, tz).await?);
        }
        Ok(out)
    }

    /// The summary of flooded notices, from the feature that owns their kind.
    pub fn coalesced(&self, kind: &str, labels: &[String]) -> String {
        self.features
            .iter()
            .find_map(|f| f.coalesced(kind, labels))
            .unwrap_or_else(|| text::coalesced_fallback(kind, labels))
    }
}

/// A command that only holds subcommands, which several features may add to.
fn is_group(spec: &CommandSpec) -> bool {
    spec.args.is_empty() && !spec.subcommands.is_empty()
}

/// Files `key` under feature `i`, or says which feature already has it.
fn claim<K: std::hash::Hash + Eq>(map: &mut HashMap<K, usize>, key: K, i: usize) -> Option<usize> {
    match map.entry(key) {
        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(i);
            None
        }
    }
}

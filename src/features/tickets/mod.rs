//! Help-desk work orders: anyone opens a ticket, it is posted to the support queue with a
//! Claim button, and an agent works it through its life (claimed, in progress, waiting on
//! the requester, resolved, closed; the requester may reopen it for a while). A digest of
//! the open ones can be scheduled.

mod cmd;
mod config;
mod conversation;
mod intake;
mod model;
mod report;
mod satisfaction;
mod search;
mod service;
mod sla;
mod stale;
mod store;
mod text;
mod tidy;
mod transcript;
mod words;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use deskmate_port::Choice;

use crate::chat::button::{self, Pressed};
use crate::chat::commands::{CommandSpec, Invocation};
use crate::chat::feature::{Answer, Cx, Feature, Kit, PersonColumn};
use crate::chat::text as chat_text;
use crate::kernel::{Audience, Effect, Person, ServiceResult, Shown, refuse};
use crate::scheduler::{ScheduleArgs, ScheduledRun};
use cmd::TicketCommand;
pub use cmd::{COMMANDS, NEW_TICKETS};
pub use config::TicketsConfig;
pub use model::{ListScope, Move, Priority, Ticket, TicketId, TicketStatus, TransitionError, ticket_subject};
/// Opens a ticket as the actor, in no category (a meeting's action item may become one),
/// under the help desk's rules as installed (its service levels, its queue).
pub async fn open_ticket(cx: &mut Cx<'_>, title: &str, priority: Priority) -> ServiceResult {
    let installed = cx.kit.features.by_name(NAME).cloned();
    let Some(desk) = installed.as_deref().and_then(|f| f.as_any()).and_then(|a| a.downcast_ref::<Tickets>()) else {
        return refuse(chat_text::unknown_command(cx.actor.lang, "ticket new", None));
    };
    service::open(cx, desk, title, priority, None).await
}
pub use store::{NewTicket, TicketFilter};
/// A text's words as the search index holds them (for the bench's generated tickets).
pub use words::tokens as search_words;

/// The feature's name, which owns its timers.
const NAME: &str = "tickets";

/// Where ticket notices go: the support queue (`[channels] support_queue`).
pub const QUEUE: Audience = Audience("support");

/// The coalesce kind of new-ticket notices.
const NEW_TICKET: &str = "ticket.new";

/// The suggestion key of ticket numbers.
const SUGGEST: &str = "ticket";

/// The scheduled job that posts the open and claimed tickets.
const DIGEST: &str = "ticket-digest";

const NAMESPACE: &str = "tk";

pub fn install(config: &crate::config::Config) -> Arc<dyn Feature> {
    let rules = config.tickets.compile().unwrap_or_else(|e| {
        // The config was checked when it was read; this is a bug, not a user's mistake.
        tracing::error!(error = %e, "the tickets settings do not compile; the defaults are used");
        TicketsConfig::default().compile().unwrap_or_else(|_| unreachable!("the defaults compile"))
    });
    // Audiences name config groups for the process's life: made once, here.
    let queues = rules
        .categories
        .iter()
        .filter_map(|c| c.queue.clone())
        .map(|name| (name.clone(), Audience(Box::leak(name.into_boxed_str()))))
        .collect();
    let working = crate::features::meetings::working_time(config);
    let zone = config.default_tz();
    let hours = rules.calendar.in_zone(zone);
    let category_hours =
        rules.categories.iter().filter_map(|c| Some((c.name.clone(), c.calendar.as_ref()?.in_zone(zone)))).collect();
    Arc::new(Tickets { lang: config.default_lang(), rules, queues, working, hours, category_hours })
}

pub struct Tickets {
    /// For what is written without a reader (a flood's summary).
    lang: crate::kernel::Lang,
    rules: config::Settings,
    /// The categories' queues, by channel group name.
    queues: HashMap<String, Audience>,
    /// Who is at work when, for the rotation (meetings keeps everyone's hours).
    working: crate::features::meetings::WorkingTime,
    /// Business hours: the help desk's, and each category's own, by name.
    hours: sla::BusinessHours,
    category_hours: HashMap<String, sla::BusinessHours>,
}

impl Tickets {
    /// The business hours a category's tickets are counted in.
    fn calendar(&self, category: Option<&str>) -> &sla::BusinessHours {
        category.and_then(|c| self.category_hours.get(&c.to_lowercase())).unwrap_or(&self.hours)
    }

    /// Whose calendar a category's tickets follow: the category's own (by its name), or
    /// the help desk's (`""`).
    fn calendar_name(&self, category: Option<&str>) -> &str {
        match category.map(str::to_lowercase) {
            Some(c) => self.category_hours.get_key_value(&c).map_or("", |(name, _)| name.as_str()),
            None => "",
        }
    }

    /// Every calendar: the help desk's (`""`), then each category's own.
    fn calendars(&self) -> impl Iterator<Item = (&str, &sla::BusinessHours)> {
        std::iter::once(("", &self.hours)).chain(self.category_hours.iter().map(|(name, h)| (name.as_str(), h)))
    }

    /// Where a category's tickets are posted: its queue, or the support queue.
    fn queue_of(&self, category: Option<&str>) -> Audience {
        category
            .and_then(|c| self.rules.category(c))
            .and_then(|c| c.queue.as_ref())
            .and_then(|q| self.queues.get(q).copied())
            .unwrap_or(QUEUE)
    }
}

/// What its buttons (and the resolution question) do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Press {
    /// On the queue's notice.
    Claim,
    /// On the queue's notice: asks the presser for a resolution note, then resolves it.
    Resolve,
    /// On the requester's news that it was resolved: not fixed after all.
    Reopen,
    /// On the requester's news that it was resolved: fixed, close it.
    Close,
}

impl Press {
    const ALL: [Press; 4] = [Press::Claim, Press::Resolve, Press::Reopen, Press::Close];

    const fn verb(self) -> &'static str {
        match self {
            Press::Claim => "claim",
            Press::Resolve => "resolve",
            Press::Reopen => "reopen",
            Press::Close => "close",
        }
    }
}

/// A button's id, `tk:claim:12`; the resolution question's action has the same form.
fn button(press: Press, id: TicketId) -> String {
    button::encode(NAMESPACE, press.verb(), &[&id])
}

fn decode(pressed: &Pressed) -> Option<(Press, TicketId)> {
    let press = Press::ALL.into_iter().find(|p| p.verb() == pressed.verb)?;
    Some((press, TicketId(pressed.id(0)?)))
}

#[async_trait]
impl Feature for Tickets {
    fn name(&self) -> &'static str {
        NAME
    }

    fn namespace(&self) -> &'static str {
        NAMESPACE
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static crate::i18n::Catalog> {
        Some(&cmd::COMMAND_TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        match TicketCommand::try_from(inv)? {
            TicketCommand::New { title, priority, category } => {
                service::open(cx, self, &title, priority, category.as_deref()).await
            }
            TicketCommand::List { scope, mine } => service::list(cx.kit, cx.actor, scope, mine).await,
            TicketCommand::Show { id } => service::show(cx.kit, self, cx.actor, id).await,
            TicketCommand::History { id } => service::history(cx.kit, cx.actor, id).await,
            TicketCommand::Claim { id } => service::act(cx, self, id, Move::Claim, None).await,
            TicketCommand::Start { id } => service::act(cx, self, id, Move::Start, None).await,
            TicketCommand::Wait { id, question } => service::act(cx, self, id, Move::Wait, question.as_deref()).await,
            TicketCommand::Resolve { id, resolution } => {
                service::act(cx, self, id, Move::Resolve, Some(&resolution)).await
            }
            TicketCommand::Close { id, resolution } => {
                service::act(cx, self, id, Move::Close, resolution.as_deref()).await
            }
            TicketCommand::Reopen { id, why } => service::act(cx, self, id, Move::Reopen, why.as_deref()).await,
            TicketCommand::Assign { id, agent } => service::assign(cx, self, id, &agent).await,
            TicketCommand::Unassign { id } => service::act(cx, self, id, Move::Unassign, None).await,
            TicketCommand::Move { id, category } => service::recategorize(cx, self, id, &category).await,
            TicketCommand::Reply { id, text } => {
                conversation::reply(cx, self, id, &text, conversation::Via::Command).await
            }
            TicketCommand::Panel { category } => intake::panel(cx, self, category.as_deref()),
            TicketCommand::Transcript { id } => transcript::fetch(cx, id).await,
            TicketCommand::Reprioritize { id, priority } => service::reprioritize(cx, self, id, priority).await,
            TicketCommand::Report { span, category } => report::tickets(cx, self, span, category.as_deref()).await,
            TicketCommand::Export { span, category } => report::export(cx, self, span, category.as_deref()).await,
            TicketCommand::Note { id, text } => conversation::note(cx, self, id, &text).await,
            TicketCommand::Watch { id } => conversation::watch(cx, id, true).await,
            TicketCommand::Unwatch { id } => conversation::watch(cx, id, false).await,
            TicketCommand::Tag { id, tags } => tidy::tag(cx, self, id, &tags).await,
            TicketCommand::Merge { dup, into } => tidy::merge(cx, self, dup, into).await,
            TicketCommand::Link { id, other } => tidy::link(cx, self, id, other).await,
            TicketCommand::CannedAdd { name, text } => conversation::canned_add(cx, &name, &text).await,
            TicketCommand::CannedList => conversation::canned_list(cx).await,
            TicketCommand::CannedRemove { name } => conversation::canned_remove(cx, &name).await,
            TicketCommand::Canned { name, id } => conversation::send_canned(cx, self, &name, id).await,
            TicketCommand::Search { words, scope, assignee, priority, category, tag, from, to } => {
                let asked = search::Asked { words, scope, assignee, priority, category, tag, from, to };
                search::search(cx, self, asked).await
            }
        }
    }

    async fn button(&self, cx: &mut Cx<'_>, pressed: &Pressed) -> ServiceResult {
        if pressed.verb == search::PAGE_VERB {
            return match (pressed.id(0), pressed.id(1)) {
                (Some(search), Some(page)) => search::turn(cx, search, page).await,
                _ => refuse(chat_text::stale_button(cx.actor.lang)),
            };
        }
        match (pressed.verb.as_str(), pressed.args.first()) {
            (intake::PANEL, Some(category)) => return intake::pressed_panel(cx, self, category).await,
            (intake::ADD, _) => {
                return match (pressed.id(0), pressed.id(1)) {
                    (Some(draft), Some(ticket)) => intake::add(cx, self, draft, TicketId(ticket)).await,
                    _ => refuse(chat_text::stale_button(cx.actor.lang)),
                };
            }
            (sla::TAKE_OVER, _) => {
                return match pressed.id(0) {
                    Some(ticket) => service::take_over(cx, self, TicketId(ticket)).await,
                    None => refuse(chat_text::stale_button(cx.actor.lang)),
                };
            }
            (verb @ (sla::REASSIGN | sla::EXTEND), _) => {
                return match pressed.id(0) {
                    Some(ticket) => sla::ask(cx, self, TicketId(ticket), verb).await,
                    None => refuse(chat_text::stale_button(cx.actor.lang)),
                };
            }
            (satisfaction::RATE, _) => {
                return match (pressed.id(0), pressed.id(1)) {
                    (Some(ticket), Some(stars)) => satisfaction::rate(cx, self, TicketId(ticket), stars).await,
                    _ => refuse(chat_text::stale_button(cx.actor.lang)),
                };
            }
            (intake::FRESH, _) => {
                return match pressed.id(0) {
                    Some(draft) => intake::fresh(cx, self, draft).await,
                    None => refuse(chat_text::stale_button(cx.actor.lang)),
                };
            }
            _ => {}
        }
        match decode(pressed) {
            Some((Press::Claim, id)) => service::act(cx, self, id, Move::Claim, None).await,
            Some((Press::Resolve, id)) => service::ask_resolution(cx, self, id).await,
            Some((Press::Reopen, id)) => service::act(cx, self, id, Move::Reopen, None).await,
            Some((Press::Close, id)) => service::act(cx, self, id, Move::Close, None).await,
            None => refuse(chat_text::stale_button(cx.actor.lang)),
        }
    }

    async fn answer(&self, cx: &mut Cx<'_>, action: &Pressed, answer: &Answer<'_>) -> ServiceResult {
        if let (intake::DESCRIBE, Some(category)) = (action.verb.as_str(), action.args.first()) {
            return intake::described(cx, self, category, answer.text).await;
        }
        match (action.verb.as_str(), action.id(0)) {
            (satisfaction::COMMENT, Some(ticket)) => {
                return satisfaction::comment(cx, self, TicketId(ticket), answer.text).await;
            }
            (sla::REASSIGN, Some(ticket)) => return service::assign(cx, self, TicketId(ticket), answer.text).await,
            (sla::EXTEND, Some(ticket)) => return sla::extend(cx, self, TicketId(ticket), answer.text).await,
            _ => {}
        }
        match decode(action) {
            Some((Press::Resolve, id)) => service::act(cx, self, id, Move::Resolve, Some(answer.text)).await,
            _ => refuse(chat_text::prompt_unknown(cx.actor.lang)),
        }
    }

    fn subjects(&self) -> &'static [&'static str] {
        &[model::SUBJECT_KIND]
    }

    async fn follow_up(&self, cx: &mut Cx<'_>, subject: crate::kernel::Subject, text: &str) -> ServiceResult {
        conversation::in_thread(cx, self, TicketId(subject.id), text).await
    }

    async fn text(&self, cx: &mut Cx<'_>, text: &str) -> ServiceResult<Option<crate::kernel::Outcome>> {
        if !self.rules.direct_intake {
            return Ok(None);
        }
        intake::direct(cx, self, text).await.map(Some)
    }

    async fn reaction(
        &self,
        cx: &mut Cx<'_>,
        emoji: &str,
        on: &deskmate_port::MessageRef,
        message: Option<&deskmate_port::Quoted>,
    ) -> ServiceResult<Option<crate::kernel::Outcome>> {
        intake::reaction(cx, self, emoji, on, message).await
    }

    async fn timer(&self, tx: &mut crate::store::Tx, kit: &Kit, fired: &crate::scheduler::Fired) -> ServiceResult {
        if fired.kind.starts_with("sla-") {
            return sla::fired(self, tx, kit, fired).await;
        }
        if fired.kind == report::WEEKLY {
            return report::weekly(self, tx, kit, fired).await;
        }
        stale::fired(self, tx, kit, fired).await
    }

    async fn start(&self, kit: &Kit) -> ServiceResult<()> {
        search::index_the_rest(kit).await?;
        sla::rebase(kit, self).await?;
        report::start(kit, self).await
    }

    fn scheduled_jobs(&self) -> &'static [&'static str] {
        &[DIGEST]
    }

    fn check_schedule(&self, _job: &str, args: &ScheduleArgs) -> Result<(), String> {
        if args.channel.is_empty() { Err("a ticket digest needs a channel".to_owned()) } else { Ok(()) }
    }

    async fn scheduled(&self, kit: &Kit, run: &ScheduledRun) -> ServiceResult {
        let tickets = kit
            .store
            .tickets(TicketFilter { statuses: Some(TicketStatus::ACTIVE), involving: None, limit: 50 })
            .await?;
        let (at, tz, late) = (run.at, run.tz, run.late);
        let digest = Shown::text_per_reader(move |reader| {
            chat_text::with_late(reader.lang, &text::ticket_digest(reader.lang, &tickets, at, tz), at, late)
        });
        Ok(run
            .channel
            .iter()
            .map(|channel| Effect::PostTo { channel: channel.clone(), body: digest.clone() })
            .collect())
    }

    fn suggestions(&self) -> &'static [&'static str] {
        &[SUGGEST]
    }

    async fn suggest(&self, kit: &Kit, person: &Person, _key: &str, typed: &str) -> ServiceResult<Vec<Choice>> {
        let tickets = service::suggest(kit, person, typed).await?;
        let lang = person.lang.unwrap_or(kit.default_lang);
        Ok(tickets.iter().map(|t| Choice { label: text::ticket_choice(lang, t), value: t.id.to_string() }).collect())
    }

    fn coalesced(&self, kind: &str, labels: &[String]) -> Option<String> {
        text::coalesced(self.lang, kind, labels)
    }

    async fn agenda(
        &self,
        _tx: &mut crate::store::Tx,
        kit: &Kit,
        person: &Person,
        _span: crate::chat::feature::Span,
        _tz: chrono_tz::Tz,
    ) -> ServiceResult<Vec<crate::chat::feature::AgendaItem>> {
        let filter = TicketFilter { statuses: Some(TicketStatus::ACTIVE), involving: Some(person.id), limit: 20 };
        let tickets = kit.store.tickets(filter).await?;
        let lang = person.lang.unwrap_or(kit.default_lang);
        Ok(tickets
            .iter()
            .map(|t| crate::chat::feature::AgendaItem { at: None, line: text::agenda_line(lang, t) })
            .collect())
    }

    async fn insight(
        &self,
        tx: &mut crate::store::Tx,
        _kit: &Kit,
        span: crate::chat::feature::Span,
        lang: crate::kernel::Lang,
        tz: chrono_tz::Tz,
    ) -> ServiceResult<Option<crate::chat::feature::Insight>> {
        report::insight(tx, self, span, lang, tz).await
    }

    fn as_any(&self) -> Option<&(dyn std::any::Any + Send + Sync)> {
        Some(self)
    }

    fn person_columns(&self) -> &'static [PersonColumn] {
        const COLUMNS: &[PersonColumn] = &[
            PersonColumn::new("tickets", "requester_id"),
            PersonColumn::new("tickets", "assignee_id"),
            PersonColumn::new("tickets", "closed_by_id"),
            PersonColumn::new("tickets", "resolved_by_id"),
        ];
        COLUMNS
    }
}

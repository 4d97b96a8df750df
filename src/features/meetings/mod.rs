//! Meetings: `/meeting schedule` checks who is already busy, then records the meeting,
//! posts its notice to the meeting channel and sends each attendee an invitation with
//! Accept / Tentative / Decline (and the `.ics` for their calendar); the notice keeps the
//! answers current, reminders come before it starts, and a cancellation reaches everyone.

mod cmd;
mod config;
mod digest;
mod feed;
mod findtime;
mod hours;
mod ical;
mod model;
mod recurrence;
mod service;
mod store;
mod text;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono_tz::Tz;

use crate::chat::button::Pressed;
use crate::chat::commands::{CommandSpec, Invocation};
use crate::chat::feature::{AgendaItem, Answer, Cx, Feature, Kit, Page, PersonColumn, Span};
use crate::chat::text as chat_text;
use crate::kernel::{Audience, ServiceResult, refuse};
use crate::scheduler::Fired;
use crate::store::Tx;
pub use cmd::COMMANDS;
use cmd::MeetingCommand;
pub use config::MeetingsConfig;
/// Working days and hours as people type them (`mon-fri`, `09:00-17:30`): the help
/// desk's business hours read the same way.
pub use hours::{HoursError, WorkHours};
use model::{OccurrenceId, Rsvp};

const NAMESPACE: &str = "mt";

/// Its name, and the owner of its timers.
const NAME: &str = "meetings";

/// The decline note question's action verb.
const NOTE: &str = "note";

/// A series' answer buttons carry it: the answer counts for every time to come.
const EVERY: &str = "all";

pub fn install(config: &crate::config::Config) -> Arc<dyn Feature> {
    let settings = config.meetings.compile().unwrap_or_else(|e| {
        // The config was checked when it was read; this is a bug, not a user's mistake.
        tracing::error!(error = %e, "the meetings settings do not compile; the defaults are used");
        MeetingsConfig::default().compile().unwrap_or_else(|_| unreachable!("the defaults compile"))
    });
    // Audiences name config groups for the process's life: made once, here.
    let audiences = config
        .audiences()
        .into_keys()
        .filter(|name| name != "support")
        .map(|name| (name.clone(), Audience(Box::leak(name.into_boxed_str()))))
        .collect();
    Arc::new(Meetings { settings, audiences, default_tz: config.default_tz(), feed_base: config.http.base_url() })
}

/// Everyone's working hours unless they set their own (`/schedule hours`), and the zone
/// of people who have not set theirs: what [`at_work`] needs.
#[derive(Debug, Clone)]
pub struct WorkingTime {
    hours: hours::WorkHours,
    tz: Tz,
}

/// The config's working time, for another feature to ask [`at_work`] with.
pub fn working_time(config: &crate::config::Config) -> WorkingTime {
    let settings = config.meetings.compile().unwrap_or_else(|e| {
        tracing::error!(error = %e, "the meetings settings do not compile; the defaults are used");
        MeetingsConfig::default().compile().unwrap_or_else(|_| unreachable!("the defaults compile"))
    });
    WorkingTime { hours: settings.hours, tz: config.default_tz() }
}

/// Those of `people` within their working hours at `at` (their own, else the config's, in
/// their zone): the tickets rotation gives new tickets to them first.
pub async fn at_work(
    tx: &mut Tx,
    people: &[crate::kernel::PersonId],
    at: chrono::DateTime<chrono::Utc>,
    working: &WorkingTime,
) -> ServiceResult<Vec<crate::kernel::PersonId>> {
    let calendars = tx.calendars(people).await?;
    Ok(people
        .iter()
        .copied()
        .filter(|p| {
            calendars.iter().find(|c| c.person.id == *p).is_none_or(|c| {
                let hours = c.hours.as_ref().unwrap_or(&working.hours);
                hours.covers(c.tz.unwrap_or(working.tz), at)
            })
        })
        .collect())
}

pub struct Meetings {
    settings: config::Settings,
    audiences: HashMap<String, Audience>,
    default_tz: Tz,
    /// Where feed links point (the HTTP listener's public address), if it is on.
    feed_base: Option<String>,
}

impl Meetings {
    fn room(&self, name: &str) -> Option<&config::RoomConfig> {
        self.settings.rooms.iter().find(|r| r.name.eq_ignore_ascii_case(name))
    }

    fn audience(&self, name: &str) -> Option<Audience> {
        self.audiences.get(&name.to_lowercase()).copied()
    }

    fn channel_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.audiences.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}

/// What its buttons do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Press {
    Accept,
    Tentative,
    Decline,
    /// Schedule a meeting held for its conflicts.
    Force,
    /// Schedule one of the times `/meeting findtime` offered.
    Pick,
}

impl Press {
    const ALL: [Press; 5] = [Press::Accept, Press::Tentative, Press::Decline, Press::Force, Press::Pick];

    const fn verb(self) -> &'static str {
        match self {
            Press::Accept => "yes",
            Press::Tentative => "maybe",
            Press::Decline => "no",
            Press::Force => "force",
            Press::Pick => "pick",
        }
    }

    fn answer(self) -> Option<Rsvp> {
        match self {
            Press::Accept => Some(Rsvp::Accepted),
            Press::Tentative => Some(Rsvp::Tentative),
            Press::Decline => Some(Rsvp::Declined),
            Press::Force | Press::Pick => None,
        }
    }
}

#[async_trait]
impl Feature for Meetings {
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
        match MeetingCommand::try_from(inv)? {
            MeetingCommand::Schedule { plan } => service::schedule(self, cx, plan).await,
            MeetingCommand::FindTime { who, within, title } => {
                findtime::find(self, cx, &who, within.as_deref(), title.as_deref()).await
            }
            MeetingCommand::Show { id } => service::show(cx, id).await,
            MeetingCommand::List => service::list(cx).await,
            MeetingCommand::Move { id, at, length, on, later } => {
                service::move_to(self, cx, id, (at, length), on, later).await
            }
            MeetingCommand::Skip { id, on, reason, later } => {
                service::skip(cx, id, on, (reason.as_deref(), later)).await
            }
            MeetingCommand::Invite { id, who } => service::invite(self, cx, id, &who).await,
            MeetingCommand::Remove { id, person } => service::remove(cx, id, &person).await,
            MeetingCommand::Minutes { id, text } => service::minutes(cx, id, text.as_deref(), &inv.files).await,
            MeetingCommand::Action { id, owner, due, text, ticket } => {
                service::action(cx, id, (&owner, due, &text), ticket).await
            }
            MeetingCommand::AddEntry { at, length, kind, note } => {
                service::add_entry(cx, at, length, kind, &note).await
            }
            MeetingCommand::Entries => service::entries(cx).await,
            MeetingCommand::WorkHours { hours } => findtime::work_hours(self, cx, hours.as_deref()).await,
            MeetingCommand::Digest { on } => digest::switch(self, cx, on).await,
            MeetingCommand::RemoveEntry { id } => service::remove_entry(cx, id).await,
            MeetingCommand::Agenda { when } => service::agenda(cx, &when).await,
            MeetingCommand::FeedLink => feed::link(self, cx).await,
            MeetingCommand::FeedReset => feed::reset(self, cx).await,
            MeetingCommand::Rooms => service::rooms(self, cx.actor.lang),
            MeetingCommand::FreeRooms { at, length } => service::free_rooms(self, cx, at, length).await,
            MeetingCommand::Cancel { id, reason } => service::cancel(cx, id, reason.as_deref()).await,
        }
    }

    async fn button(&self, cx: &mut Cx<'_>, pressed: &Pressed) -> ServiceResult {
        let press = Press::ALL.into_iter().find(|p| p.verb() == pressed.verb);
        match (press, pressed.id(0)) {
            (Some(Press::Force), Some(draft)) => service::force(self, cx, draft).await,
            (Some(Press::Pick), Some(draft)) => match pressed.id(1) {
                Some(slot) => service::pick(self, cx, draft, slot).await,
                None => refuse(chat_text::stale_button(cx.actor.lang)),
            },
            (Some(press), Some(occurrence)) => match press.answer() {
                Some(answer) => {
                    let every = pressed.args.get(1).is_some_and(|a| a == EVERY);
                    service::answer(cx, OccurrenceId(occurrence), answer, every).await
                }
                None => refuse(chat_text::stale_button(cx.actor.lang)),
            },
            _ => refuse(chat_text::stale_button(cx.actor.lang)),
        }
    }

    async fn answer(&self, cx: &mut Cx<'_>, action: &Pressed, answer: &Answer<'_>) -> ServiceResult {
        match (action.verb.as_str(), action.id(0)) {
            (NOTE, Some(occurrence)) => service::note(cx, OccurrenceId(occurrence), answer.text).await,
            _ => refuse(chat_text::prompt_unknown(cx.actor.lang)),
        }
    }

    async fn timer(&self, tx: &mut Tx, kit: &Kit, fired: &Fired) -> ServiceResult {
        match fired.kind.as_str() {
            service::ACTION_DUE => service::action_due(tx, fired).await,
            digest::SWEEP => digest::sweep(self, tx, kit).await,
            _ => service::remind(tx, fired).await,
        }
    }

    fn web_prefix(&self) -> Option<&'static str> {
        Some(feed::PREFIX)
    }

    async fn web(&self, kit: &Kit, rest: &str) -> ServiceResult<Option<Page>> {
        feed::page(kit, rest).await
    }

    async fn start(&self, kit: &Kit) -> ServiceResult<()> {
        digest::start(kit).await
    }

    async fn agenda(
        &self,
        tx: &mut Tx,
        kit: &Kit,
        person: &crate::kernel::Person,
        span: Span,
        tz: Tz,
    ) -> ServiceResult<Vec<AgendaItem>> {
        service::plate(tx, person.lang.unwrap_or(kit.default_lang), person.id, span, tz).await
    }

    async fn insight(
        &self,
        tx: &mut Tx,
        _kit: &Kit,
        (from, to): Span,
        lang: crate::kernel::Lang,
        _tz: Tz,
    ) -> ServiceResult<Option<crate::chat::feature::Insight>> {
        // A span ends by now (`read_period`), so what began in it was held.
        let attendance = tx.meeting_attendance((from, to)).await?;
        Ok(Some(text::insight(lang, &attendance)))
    }

    fn person_columns(&self) -> &'static [PersonColumn] {
        const COLUMNS: &[PersonColumn] = &[
            PersonColumn::new("meetings", "organizer_id"),
            PersonColumn::unique("meeting_attendees", "person_id", "meeting_id"),
            PersonColumn::unique("meeting_rsvps", "person_id", "occurrence_id"),
            PersonColumn::unique("meeting_prefs", "person_id", ""),
            PersonColumn::new("meeting_drafts", "organizer_id"),
            PersonColumn::new("meeting_minutes", "author_id"),
            PersonColumn::new("schedule_entries", "person_id"),
            PersonColumn::new("meeting_actions", "owner_id"),
            PersonColumn::new("meeting_actions", "created_by"),
        ];
        COLUMNS
    }
}

//! Approvals: a request of a configured type (leave, purchase, …) goes through a chain
//! of steps resolved through the org chart; each step's approvers get a direct message
//! with Approve, Reject and Request changes buttons; the requester hears of every step,
//! and the outcome is posted to the type's channel.

mod cmd;
mod config;
mod fields;
mod history;
mod model;
mod route;
mod service;
mod store;
mod text;

use std::sync::Arc;

use async_trait::async_trait;
use deskmate_port::{Button, ButtonStyle, Choice};

use crate::chat::button::{self, Pressed};
use crate::chat::commands::{CommandSpec, Invocation};
use crate::chat::feature::{Answer, Cx, Feature, Kit, PersonColumn};
use crate::chat::text as chat_text;
use crate::kernel::{Audience, Lang, Person, ServiceResult, refuse};
use crate::scheduler::Fired;
use crate::store::Tx;
use cmd::ApprovalCommand;
pub use cmd::COMMANDS;
pub use config::{ApprovalType, ApprovalsConfig};
use model::{Decision, Request, RequestId, SeatId};

const NAMESPACE: &str = "ap";

/// Its name, and the owner of its timers.
const NAME: &str = "approvals";

/// The most waiting requests one agenda lists.
const AGENDA_MAX: i64 = 20;

/// The suggestion key of request numbers.
const SUGGEST: &str = "approval";

pub fn install(config: &crate::config::Config) -> Arc<dyn Feature> {
    let types = config.approvals.compile().unwrap_or_else(|e| {
        // The config was checked when it was read; this is a bug, not a user's mistake.
        tracing::error!(error = %e, "approval types do not compile; none installed");
        Vec::new()
    });
    // Audiences name config groups for the process's life: made once, here.
    let audiences = types
        .iter()
        .filter_map(|t| t.channel.clone())
        .map(|c| (c.clone(), Audience(Box::leak(c.into_boxed_str()))))
        .collect();
    Arc::new(Approvals { types, audiences })
}

pub struct Approvals {
    types: Vec<ApprovalType>,
    audiences: std::collections::HashMap<String, Audience>,
}

impl Approvals {
    fn find(&self, kind: &str) -> Option<&ApprovalType> {
        self.types.iter().find(|t| t.name.eq_ignore_ascii_case(kind))
    }

    /// A request's type; one taken out of the config since still shows and decides.
    fn type_of(&self, request: &Request) -> ApprovalType {
        self.find(&request.kind).cloned().unwrap_or_else(|| ApprovalType::gone(&request.kind))
    }

    fn audience(&self, ty: &ApprovalType) -> Option<Audience> {
        ty.channel.as_ref().and_then(|c| self.audiences.get(c)).copied()
    }
}

/// What its buttons (and the reason questions) do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Press {
    Approve,
    /// Asks for the reason, then rejects.
    Reject,
    /// Asks what to change, then sends the request back.
    Changes,
}

impl Press {
    const ALL: [Press; 3] = [Press::Approve, Press::Reject, Press::Changes];

    const fn verb(self) -> &'static str {
        match self {
            Press::Approve => "ok",
            Press::Reject => "no",
            Press::Changes => "chg",
        }
    }

    fn decision(self) -> Decision {
        match self {
            Press::Approve => Decision::Approve,
            Press::Reject => Decision::Reject,
            Press::Changes => Decision::Changes,
        }
    }
}

/// A prompt button's id, `ap:ok:12:34` (request 12, seat 34); the reason question's
/// action has the same form.
fn button(press: Press, request: RequestId, seat: SeatId) -> String {
    button::encode(NAMESPACE, press.verb(), &[&request, &seat])
}

/// A prompt's buttons, labelled in its reader's language.
fn buttons(lang: Lang, request: RequestId, seat: SeatId) -> Vec<Button> {
    let styles = [ButtonStyle::Primary, ButtonStyle::Danger, ButtonStyle::Secondary];
    Press::ALL
        .into_iter()
        .zip(styles)
        .map(|(press, style)| Button {
            id: button(press, request, seat),
            label: text::button_label(lang, press),
            style,
        })
        .collect()
}

/// The question for a missing field's action: `ap:fld:<draft>:<field index>`.
const FIELD: &str = "fld";

fn field_action(draft: i64, field: usize) -> String {
    button::encode(NAMESPACE, FIELD, &[&draft, &field])
}

fn decode(pressed: &Pressed) -> Option<(Press, RequestId, SeatId)> {
    let press = Press::ALL.into_iter().find(|p| p.verb() == pressed.verb)?;
    Some((press, RequestId(pressed.id(0)?), SeatId(pressed.id(1)?)))
}

#[async_trait]
impl Feature for Approvals {
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
        match ApprovalCommand::try_from(inv)? {
            ApprovalCommand::Types => service::types(self, cx.actor.lang),
            ApprovalCommand::Request { kind, fields } => service::request(self, cx, &kind, &fields, &inv.files).await,
            ApprovalCommand::Approve { id, note } => {
                service::decide(self, cx, id, None, Decision::Approve, note.as_deref()).await
            }
            ApprovalCommand::Reject { id, reason } => {
                service::decide(self, cx, id, None, Decision::Reject, reason.as_deref()).await
            }
            ApprovalCommand::Changes { id, reason } => {
                service::decide(self, cx, id, None, Decision::Changes, reason.as_deref()).await
            }
            ApprovalCommand::Withdraw { id } => service::withdraw(self, cx, id).await,
            ApprovalCommand::Resubmit { id, fields } => service::resubmit(self, cx, id, &fields, &inv.files).await,
            ApprovalCommand::Show { id } => service::show(self, cx.kit, cx.actor, id).await,
            ApprovalCommand::List { scope, filter } => service::list(self, cx.kit, cx.actor, scope, &filter).await,
            ApprovalCommand::Delegate { person, until } => {
                service::delegate(self, cx, Some(&person), &until, false).await
            }
            ApprovalCommand::Undelegate => service::undelegate(self, cx).await,
            ApprovalCommand::Away { until, .. } if until.trim().eq_ignore_ascii_case("off") => {
                service::back(self, cx).await
            }
            ApprovalCommand::Away { until, to } => service::delegate(self, cx, to.as_deref(), &until, true).await,
            ApprovalCommand::Back => service::back(self, cx).await,
            ApprovalCommand::Report { span } => service::report(cx.tx, cx.actor, span).await,
        }
    }

    async fn button(&self, cx: &mut Cx<'_>, pressed: &Pressed) -> ServiceResult {
        match decode(pressed) {
            Some((Press::Approve, id, seat)) => {
                service::decide(self, cx, id, Some(seat), Decision::Approve, None).await
            }
            Some((press, id, seat)) => service::ask_reason(self, cx, id, seat, press.decision()).await,
            None => refuse(chat_text::stale_button(cx.actor.lang)),
        }
    }

    async fn answer(&self, cx: &mut Cx<'_>, action: &Pressed, answer: &Answer<'_>) -> ServiceResult {
        if action.verb == FIELD {
            return match (action.id(0), action.arg::<usize>(1)) {
                (Some(draft), Some(field)) => service::fill(self, cx, draft, field, *answer).await,
                _ => refuse(chat_text::prompt_unknown(cx.actor.lang)),
            };
        }
        match decode(action) {
            Some((press @ (Press::Reject | Press::Changes), id, seat)) => {
                service::decide(self, cx, id, Some(seat), press.decision(), Some(answer.text)).await
            }
            _ => refuse(chat_text::prompt_unknown(cx.actor.lang)),
        }
    }

    async fn timer(&self, tx: &mut Tx, kit: &Kit, fired: &Fired) -> ServiceResult {
        service::timer(self, tx, kit, fired).await
    }

    fn suggestions(&self) -> &'static [&'static str] {
        &[SUGGEST]
    }

    async fn suggest(&self, kit: &Kit, person: &Person, _key: &str, typed: &str) -> ServiceResult<Vec<Choice>> {
        let lang = person.lang.unwrap_or(kit.default_lang);
        let found = service::suggest(kit, person.id, lang, typed).await?;
        Ok(found.into_iter().map(|(id, label)| Choice { label, value: id.to_string() }).collect())
    }

    async fn agenda(
        &self,
        _tx: &mut Tx,
        kit: &Kit,
        person: &Person,
        _span: crate::chat::feature::Span,
        tz: chrono_tz::Tz,
    ) -> ServiceResult<Vec<crate::chat::feature::AgendaItem>> {
        let seats = kit.store.approvals_pending_for(person.id, kit.clock.now(), AGENDA_MAX, 0).await?;
        let lang = person.lang.unwrap_or(kit.default_lang);
        Ok(seats
            .iter()
            .map(|s| crate::chat::feature::AgendaItem { at: None, line: text::agenda_line(lang, s, tz) })
            .collect())
    }

    async fn insight(
        &self,
        tx: &mut Tx,
        _kit: &Kit,
        span: crate::chat::feature::Span,
        lang: crate::kernel::Lang,
        _tz: chrono_tz::Tz,
    ) -> ServiceResult<Option<crate::chat::feature::Insight>> {
        service::insight(tx, span, lang).await
    }

    fn person_columns(&self) -> &'static [PersonColumn] {
        const COLUMNS: &[PersonColumn] = &[
            PersonColumn::new("approval_requests", "requester_id"),
            PersonColumn::unique("approval_approvers", "person_id", "step_id"),
            PersonColumn::new("approval_approvers", "decided_by"),
            PersonColumn::unique("approval_delegations", "person_id", ""),
            PersonColumn::new("approval_delegations", "delegate_id"),
        ];
        COLUMNS
    }
}

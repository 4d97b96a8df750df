//! Requests and decisions: make a request, decide a step (by button, answer or
//! command), withdraw, resubmit, show, list.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use deskmate_port::{Attachment, Body};
use serde::{Deserialize, Serialize};

use super::cmd::{ListOptions, ListScope};
use super::config::ApprovalType;
use super::fields::{FileRef, Value};
use super::history::Detail;
use super::model::{
    ApprovalEvent, Decision, Request, RequestId, RequestStatus, Rule, Seat, SeatId, SeatState, Step, StepStatus,
    seat_subject,
};
use super::store::RequestFilter;
use super::{Approvals, Press, route, text};
use crate::chat::feature::Span;
use crate::chat::feature::{Answer, Cx, Kit};
use crate::chat::questions;
use crate::kernel::{
    Actor, Audit, Effect, FileId, Lang, PersonId, PersonName, Reader, Role, ServiceResult, Shown, refuse,
};
use crate::limits::TextLimit;
use crate::scheduler::{Fired, TimerKey};
use crate::store::Tx;

static REASON: TextLimit = TextLimit { what: "limit-reason", catalog: &text::CATALOG, max: 1000 };
/// Requests a list shows per page.
pub const PAGE: i64 = 10;
/// How long a reason question waits for its answer.
const REASON_LIFETIME: chrono::Duration = chrono::Duration::days(2);
/// How long a field's question waits for its answer.
const FIELD_LIFETIME: chrono::Duration = chrono::Duration::days(1);
/// The largest document a request carries: what every messenger delivers to an
/// approver (Discord takes 10 MB from a bot).
const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;
/// Delegations followed at most this far (A to B to C …).
const MAX_CHAIN: usize = 8;
/// A delegation lasts at most this long.
const MAX_DELEGATION_DAYS: i64 = 366;

/// Timer kinds: a step's reminder, its escalation, a delegation's end.
pub const REMIND: &str = "remind";
pub const ESCALATE: &str = "escalate";
pub const DELEGATION_END: &str = "delegation-end";

/// What a step's timers carry.
#[derive(Debug, Serialize, Deserialize)]
pub struct StepTimer {
    request: i64,
    step: i64,
}

/// What a delegation's end timer carries.
#[derive(Debug, Serialize, Deserialize)]
pub struct DelegationEnd {
    person: i64,
}

pub fn types(desk: &Approvals, lang: Lang) -> ServiceResult {
    Ok(vec![Effect::reply(text::types(lang, &desk.types))])
}

/// A direct message to someone other than the actor, written in their language.
fn tell(person: PersonId, write: impl Fn(Reader) -> String + Send + Sync + 'static) -> Effect {
    Effect::Direct { person, body: Shown::text_per_reader(write), subject: None }
}

pub async fn request(
    desk: &Approvals,
    cx: &mut Cx<'_>,
    kind: &str,
    typed: &str,
    files: &[Attachment],
) -> ServiceResult {
    let actor = cx.actor;
    let Some(ty) = desk.find(kind) else { return refuse(text::unknown_type(actor.lang, kind, &desk.types)) };
    let files = keep_files(cx, ty, files).await?;
    let filled = read_fields(actor.lang, ty, typed, today(actor), &[], &files)?;
    if let Some(first) = filled.missing.first() {
        // Asked one by one: a Discord form, a Telegram reply, /answer on the console.
        let written = written(&filled.values);
        let draft = cx.tx.create_draft(&ty.name, actor.person.id, &written, actor.at).await?;
        return Ok(vec![ask_field(cx, ty, draft, first, &filled.missing).await?]);
    }
    submit(cx, ty, &filled.values).await
}

/// An answer to a field's question (a document's may be a file): kept, and the next
/// missing field asked; the last one sends the request. A bad answer is refused and the
/// question stays open.
pub async fn fill(desk: &Approvals, cx: &mut Cx<'_>, draft: i64, field: usize, answer: Answer<'_>) -> ServiceResult {
    let actor = cx.actor;
    let lang = actor.lang;
    let Some((kind, requester, mut fields)) = cx.tx.draft(draft).await? else { return refuse(text::draft_gone(lang)) };
    if requester != actor.person.id {
        return refuse(text::draft_gone(lang));
    }
    let Some(ty) = desk.find(&kind) else { return refuse(text::type_gone(lang, &kind)) };
    let Some(field) = ty.fields.get(field) else { return refuse(text::draft_gone(lang)) };
    let value = match answer.files {
        [] => match field.read(answer.text, today(actor)) {
            Ok(v) => v,
            Err(problem) => return refuse(text::bad_answer(lang, field, &problem)),
        },
        [file] if field.takes_files() => Value::File(keep_file(cx, file).await?),
        _ => return refuse(text::one_file_per_answer(lang, field)),
    };
    fields.retain(|(n, _)| *n != field.name);
    fields.push((field.name.clone(), value.to_string()));
    let filled = read_fields(lang, ty, "", today(actor), &fields, &[])?;
    if let Some(next) = filled.missing.first() {
        cx.tx.update_draft(draft, &written(&filled.values)).await?;
        return Ok(vec![ask_field(cx, ty, draft, next, &filled.missing).await?]);
    }
    cx.tx.delete_draft(draft).await?;
    submit(cx, ty, &filled.values).await
}

async fn ask_field(
    cx: &mut Cx<'_>,
    ty: &ApprovalType,
    draft: i64,
    field: &super::fields::Field,
    missing: &[&super::fields::Field],
) -> ServiceResult<Effect> {
    let index = ty.fields.iter().position(|f| f.name == field.name).unwrap_or_default();
    let action = super::field_action(draft, index);
    let question = text::ask_field(cx.actor.lang, ty, field, missing.len());
    if field.takes_files() {
        questions::ask_for_file(cx, cx.actor.person.id, question, &action, FIELD_LIFETIME).await
    } else {
        questions::ask(cx, cx.actor.person.id, question, &action, FIELD_LIFETIME).await
    }
}

/// Keeps the files that came with a request, each to fill one of its document fields.
async fn keep_files(cx: &mut Cx<'_>, ty: &ApprovalType, files: &[Attachment]) -> ServiceResult<Vec<FileRef>> {
    if files.len() > ty.fields.iter().filter(|f| f.takes_files()).count() {
        return refuse(text::too_many_files(cx.actor.lang, ty, files.len()));
    }
    let mut kept = Vec::new();
    for file in files {
        kept.push(keep_file(cx, file).await?);
    }
    Ok(kept)
}

async fn keep_file(cx: &mut Cx<'_>, file: &Attachment) -> ServiceResult<FileRef> {
    if file.bytes.len() > MAX_DOCUMENT_BYTES {
        return refuse(text::document_too_large(cx.actor.lang, file, MAX_DOCUMENT_BYTES));
    }
    let id = cx.tx.keep_file(cx.actor.person.id, file, cx.actor.at).await?;
    Ok(FileRef { id, name: file.name.clone(), size: file.size_text() })
}

/// The kept files a request's fields point at.
fn file_ids(ty: &ApprovalType, request: &Request) -> Vec<FileId> {
    ty.fields
        .iter()
        .filter(|f| f.takes_files())
        .filter_map(|f| request.fields.iter().find(|(n, _)| *n == f.name))
        .filter_map(|(_, written)| FileRef::read(written))
        .map(|file| file.id)
        .collect()
}

fn written(values: &[(String, Value)]) -> Vec<(String, String)> {
    values.iter().map(|(n, v)| (n.clone(), v.to_string())).collect()
}

/// Records a request whose fields are all read, and prompts its first step.
async fn submit(cx: &mut Cx<'_>, ty: &ApprovalType, values: &[(String, Value)]) -> ServiceResult {
    let actor = cx.actor;
    let values = values.to_vec();
    let route = route::resolve(cx.kit, &actor.person, actor.lang, ty, &values).await?;
    let written = written(&values);
    let id = cx.tx.create_approval(&ty.name, actor.person.id, &written, actor.audit()).await?;
    start_round(cx, ty, id, 1, &route, (ApprovalEvent::Request, &Detail::fields(&written).stored())).await
}

/// A round of steps begins (a new request, or one sent again): stored and logged, the
/// requester told the route, the first step prompted.
async fn start_round(
    cx: &mut Cx<'_>,
    ty: &ApprovalType,
    id: RequestId,
    round: i64,
    route: &[super::store::NewStep],
    (event, detail): (ApprovalEvent, &str),
) -> ServiceResult {
    let actor = cx.actor;
    cx.tx.add_round(id, round, route, actor.at).await?;
    cx.tx.log_approval(id, event, detail, actor.audit()).await?;
    let request = find(cx.tx, id, actor.lang).await?;
    let steps = current_round(cx.tx, &request, actor.lang).await?;
    let told = if round == 1 {
        text::requested(actor.lang, ty, &request, &steps)
    } else {
        text::resubmitted(actor.lang, ty, &request, &steps)
    };
    let mut effects = vec![Effect::reply(told)];
    effects.extend(begin_step(cx.kit, cx.tx, ty, &request, &steps[0], actor.at).await?);
    Ok(effects)
}

/// Approve, reject or ask for changes on the step waiting for the actor. `seat` is the
/// prompt's seat when a button or a question's answer decides; a command finds the
/// actor's seat in the current step.
pub async fn decide(
    desk: &Approvals,
    cx: &mut Cx<'_>,
    id: RequestId,
    seat: Option<SeatId>,
    decision: Decision,
    reason: Option<&str>,
) -> ServiceResult {
    let actor = cx.actor;
    let lang = actor.lang;
    let reason = reason.map(|r| REASON.check(cx.actor.lang, r)).transpose()?.filter(|r| !r.is_empty());
    // The lock first: what is read after it is what this decision applies to.
    let open = cx.tx.lock_approval(id, actor.at).await?;
    let request = find(cx.tx, id, lang).await?;
    let steps = cx.tx.approval_steps(id).await?;
    let ty = desk.type_of(&request);
    if !open {
        return refuse(text::not_open(lang, &request, &steps, actor.person.id));
    }
    let step = current(lang, &request, &steps)?;
    let acting_for = acting_for(cx.kit, step, actor.person.id, actor.at).await?;
    let seat = pick_seat(lang, step, seat, actor.person.id, &acting_for, &request, &steps)?;
    if decision.needs_reason() && reason.is_none() {
        return refuse(text::reason_needed(lang, decision, id));
    }
    if !cx.tx.decide_seat(seat.id, actor.person.id, decision, reason, actor.at).await? {
        return refuse(text::seat_taken(lang, &request, step, seat, actor.person.id));
    }
    let on_behalf = (seat.approver.id != actor.person.id).then_some(&seat.approver);
    cx.tx
        .log_approval(
            id,
            decision.into(),
            &Detail::decided(step, on_behalf.map(|p| p.name.as_str()), reason).stored(),
            actor.audit(),
        )
        .await?;

    let others_pending: Vec<&Seat> =
        step.seats.iter().filter(|s| s.id != seat.id && s.state == SeatState::Pending).collect();
    let step_done = decision != Decision::Approve || step.rule != Rule::All || others_pending.is_empty();
    let by = &actor.person.display_name;
    let mut effects = vec![Effect::reply(text::you_decided(lang, &ty, &request, step, decision, on_behalf))];
    // Every copy of the prompt says who decided, in its reader's language and zone.
    let decided = {
        let (ty, request, step, by) = (ty.clone(), request.clone(), step.clone(), by.clone());
        let (on_behalf, reason, at) = (on_behalf.cloned(), reason.map(str::to_owned), actor.at);
        Shown::text_per_reader(move |r| {
            let (on_behalf, reason) = (on_behalf.as_ref(), reason.as_deref());
            text::prompt_decided(r.lang, &ty, &request, &step, decision, &by, on_behalf, reason, at, r.tz)
        })
    };
    effects.push(Effect::UpdateNotices { subject: seat_subject(seat.id), body: decided.clone() });
    if !step_done {
        let waiting: Vec<Seat> = others_pending.iter().map(|s| (*s).clone()).collect();
        let (ty, told_of, step, by, note) =
            (ty.clone(), request.clone(), step.clone(), by.clone(), reason.map(str::to_owned));
        effects.push(tell(request.requester.id, move |r| {
            let told = text::partly_approved(r.lang, &ty, &told_of, &step, &by, &waiting);
            text::with_note(r.lang, &told, &by, note.as_deref())
        }));
        return Ok(effects);
    }
    let status = match decision {
        Decision::Approve => StepStatus::Approved,
        Decision::Reject => StepStatus::Rejected,
        Decision::Changes => StepStatus::Changes,
    };
    cx.tx.finish_step(step.id, status, actor.at).await?;
    end_step_timers(cx.kit, cx.tx, step).await?;
    // Nobody else can act on this step now: their prompts say who did.
    for other in others_pending {
        effects.push(Effect::UpdateNotices { subject: seat_subject(other.id), body: decided.clone() });
    }
    let next = steps.iter().find(|s| s.round == request.round && s.position == step.position + 1);
    match (decision, next) {
        (Decision::Approve, Some(next)) => {
            cx.tx.start_step(id, next.id, next.position, actor.at).await?;
            cx.tx
                .log_approval(id, ApprovalEvent::StepApproved, &Detail::step_approved(step).stored(), actor.audit())
                .await?;
            let steps = cx.tx.approval_steps(id).await?;
            let next = steps.iter().find(|s| s.id == next.id).unwrap_or(next);
            let told = {
                let (ty, request, step, next) = (ty.clone(), request.clone(), step.clone(), next.clone());
                let (by, note) = (by.clone(), reason.map(str::to_owned));
                move |r: Reader| {
                    let told = text::step_approved(r.lang, &ty, &request, &step, &by, &next);
                    text::with_note(r.lang, &told, &by, note.as_deref())
                }
            };
            effects.push(tell(request.requester.id, told));
            effects.extend(begin_step(cx.kit, cx.tx, &ty, &request, next, actor.at).await?);
        }
        (decision, _) => {
            let outcome = match decision {
                Decision::Approve => RequestStatus::Approved,
                Decision::Reject => RequestStatus::Rejected,
                Decision::Changes => RequestStatus::Changes,
            };
            cx.tx.finish_approval(id, outcome, actor.at).await?;
            cx.tx.log_approval(id, ApprovalEvent::Outcome, &Detail::outcome(outcome).stored(), actor.audit()).await?;
            let done = find(cx.tx, id, lang).await?;
            let told = {
                let (ty, done, step, by) = (ty.clone(), done.clone(), step.clone(), by.clone());
                let reason = reason.map(str::to_owned);
                move |r: Reader| text::outcome_for_requester(r.lang, &ty, &done, &step, &by, reason.as_deref())
            };
            effects.push(tell(request.requester.id, told));
            if outcome != RequestStatus::Changes
                && let Some(audience) = desk.audience(&ty)
            {
                let steps = cx.tx.approval_steps(id).await?;
                let subject = done.subject();
                let body = Shown::text_per_reader(move |r| text::outcome_notice(r.lang, &ty, &done, &steps, r.tz));
                effects.push(Effect::Notice { audience, subject, body, coalesce: None });
            }
        }
    }
    Ok(effects)
}

/// Reject or Request changes pressed: the reason is asked for (the answer decides,
/// checked again then). Refused now if the presser could not decide anyway.
pub async fn ask_reason(
    desk: &Approvals,
    cx: &mut Cx<'_>,
    id: RequestId,
    seat: SeatId,
    decision: Decision,
) -> ServiceResult {
    let actor = cx.actor;
    let lang = actor.lang;
    let request = find(cx.tx, id, lang).await?;
    let steps = cx.tx.approval_steps(id).await?;
    if !request.is_open() {
        return refuse(text::not_open(lang, &request, &steps, actor.person.id));
    }
    let step = current(lang, &request, &steps)?;
    let acting_for = acting_for(cx.kit, step, actor.person.id, actor.at).await?;
    pick_seat(lang, step, Some(seat), actor.person.id, &acting_for, &request, &steps)?;
    let ty = desk.type_of(&request);
    let press = if decision == Decision::Reject { Press::Reject } else { Press::Changes };
    let action = super::button(press, id, seat);
    let question = text::ask_reason(lang, &ty, &request, decision);
    Ok(vec![questions::ask(cx, actor.person.id, question, &action, REASON_LIFETIME).await?])
}

pub async fn withdraw(desk: &Approvals, cx: &mut Cx<'_>, id: RequestId) -> ServiceResult {
    let actor = cx.actor;
    let request = find(cx.tx, id, actor.lang).await?;
    if request.requester.id != actor.person.id {
        return refuse(text::not_your_request(actor.lang, id, "withdraw"));
    }
    let steps = cx.tx.approval_steps(id).await?;
    if !cx.tx.withdraw_approval(id, actor.at).await? {
        return refuse(text::not_open(actor.lang, &request, &steps, actor.person.id));
    }
    cx.tx.log_approval(id, ApprovalEvent::Withdraw, "", actor.audit()).await?;
    for step in steps.iter().filter(|s| s.status == StepStatus::Pending) {
        end_step_timers(cx.kit, cx.tx, step).await?;
    }
    let ty = desk.type_of(&request);
    let mut effects = vec![Effect::reply(text::withdrawn(actor.lang, &ty, &request))];
    let edited = {
        let request = request.clone();
        Shown::text_per_reader(move |r| text::prompt_withdrawn(r.lang, &ty, &request))
    };
    for seat in steps.iter().flat_map(|s| &s.seats).filter(|s| s.state == SeatState::Pending) {
        effects.push(Effect::UpdateNotices { subject: seat_subject(seat.id), body: edited.clone() });
    }
    Ok(effects)
}

pub async fn resubmit(
    desk: &Approvals,
    cx: &mut Cx<'_>,
    id: RequestId,
    typed: &str,
    files: &[Attachment],
) -> ServiceResult {
    let actor = cx.actor;
    let lang = actor.lang;
    let request = find(cx.tx, id, lang).await?;
    if request.requester.id != actor.person.id {
        return refuse(text::not_your_request(lang, id, "resubmit"));
    }
    if request.status != RequestStatus::Changes {
        return refuse(text::not_waiting_for_changes(lang, &request));
    }
    let Some(ty) = desk.find(&request.kind) else { return refuse(text::type_gone(lang, &request.kind)) };
    let files = keep_files(cx, ty, files).await?;
    let filled = read_fields(lang, ty, typed, today(actor), &request.fields, &files)?;
    if !filled.missing.is_empty() {
        return refuse(text::missing_fields(lang, ty, &filled.missing));
    }
    let values = filled.values;
    let route = route::resolve(cx.kit, &actor.person, lang, ty, &values).await?;
    let written = written(&values);
    let Some(round) = cx.tx.resubmit_approval(id, &written, actor.at).await? else {
        return refuse(text::not_waiting_for_changes(lang, &request));
    };
    let changed: Vec<(String, String)> =
        written.iter().filter(|field| !request.fields.contains(field)).cloned().collect();
    start_round(cx, ty, id, round, &route, (ApprovalEvent::Resubmit, &Detail::fields(&changed).stored())).await
}

pub async fn show(desk: &Approvals, kit: &Kit, actor: &Actor, id: RequestId) -> ServiceResult {
    let Some(request) = kit.store.approval_request(id).await? else { return refuse(text::not_found(actor.lang, id)) };
    let steps = kit.store.approval_steps(id).await?;
    if !may_see(kit, actor, &request, &steps).await? {
        return refuse(text::not_yours_to_see(actor.lang, id));
    }
    let history = kit.store.events(request.subject()).await?;
    let ty = desk.type_of(&request);
    let files = kit.store.files(&file_ids(&ty, &request)).await?;
    let details = text::details(actor.lang, &ty, &request, &steps, &history, actor.tz);
    let body = Body { text: details, files, ..Body::default() };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

pub async fn list(
    desk: &Approvals,
    kit: &Kit,
    actor: &Actor,
    scope: ListScope,
    options: &ListOptions,
) -> ServiceResult {
    let page = options.page.unwrap_or(1).max(1);
    let offset = (page - 1) * PAGE;
    if scope == ListScope::Pending {
        if options.kind.is_some() || options.status.is_some() || options.since.is_some() {
            return refuse(text::pending_takes_no_filters(actor.lang));
        }
        let seats = kit.store.approvals_pending_for(actor.person.id, actor.at, PAGE, offset).await?;
        return Ok(vec![Effect::reply(text::pending_list(actor.lang, &seats, actor.person.id, page, actor.tz))]);
    }
    if scope == ListScope::All && !actor.is(Role::Admin) {
        return refuse(text::all_is_for_admins(actor.lang));
    }
    if let Some(kind) = &options.kind
        && desk.find(kind).is_none()
    {
        return refuse(text::unknown_type(actor.lang, kind, &desk.types));
    }
    let since = match &options.since {
        None => None,
        Some(day) => match NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(d) => actor.tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN)).earliest().map(|t| t.to_utc()),
            Err(_) => return refuse(text::bad_since(actor.lang, day)),
        },
    };
    let filter = RequestFilter {
        requester: (scope == ListScope::Mine).then_some(actor.person.id),
        kind: options.kind.as_ref().map(|k| k.to_lowercase()),
        status: options.status,
        since,
        limit: PAGE,
        offset,
    };
    let requests = kit.store.approval_requests(&filter).await?;
    Ok(vec![Effect::reply(text::request_list(actor.lang, &requests, scope, page, actor.tz))])
}

/// `/report approvals`: counts per type and outcome of the requests made in the period,
/// and the median and 90th percentile time to decision of each step decided in it.
pub async fn report(tx: &mut Tx, actor: &Actor, span: Option<Span>) -> ServiceResult {
    let span = span.unwrap_or_else(|| crate::chat::feature::week_ending(actor.at));
    let counts = tx.approval_counts(span).await?;
    let times = tx.approval_step_times(span).await?;
    let mut steps: Vec<text::StepTimes> = Vec::new();
    for (kind, position, label, took) in times {
        match steps.iter_mut().find(|s| s.kind == kind && s.position == position && s.label == label) {
            Some(s) => s.took.push(took),
            None => steps.push(text::StepTimes { kind, position, label, took: vec![took] }),
        }
    }
    for s in &mut steps {
        s.took.sort();
    }
    Ok(vec![Effect::reply(text::report(actor.lang, span, actor.tz, &counts, &steps))])
}

/// Approvals over a span, for `/report office`.
pub async fn insight(tx: &mut Tx, span: Span, lang: Lang) -> ServiceResult<Option<crate::chat::feature::Insight>> {
    let counts = tx.approval_counts(span).await?;
    let mut took: Vec<chrono::Duration> =
        tx.approval_step_times(span).await?.into_iter().map(|(_, _, _, took)| took).collect();
    Ok(Some(text::insight(lang, &counts, &mut took)))
}

/// Requests the person may act on whose number starts with what they typed: the ones
/// waiting for them, then their own open ones, labelled in their language.
pub async fn suggest(kit: &Kit, person: PersonId, lang: Lang, typed: &str) -> ServiceResult<Vec<(RequestId, String)>> {
    let now = kit.clock.now();
    let typed = typed.trim().trim_start_matches('#');
    let mut out: Vec<(RequestId, String)> = Vec::new();
    for seat in kit.store.approvals_pending_for(person, now, 25, 0).await? {
        out.push((seat.request, text::pending_choice(lang, &seat)));
    }
    let mine = RequestFilter { requester: Some(person), limit: 25, ..RequestFilter::default() };
    for r in kit.store.approval_requests(&mine).await? {
        if matches!(r.status, RequestStatus::Pending | RequestStatus::Changes) && !out.iter().any(|(id, _)| *id == r.id)
        {
            out.push((r.id, text::request_choice(lang, &r)));
        }
    }
    out.retain(|(id, _)| id.to_string().starts_with(typed));
    out.truncate(25);
    Ok(out)
}

/// A step's turn has come: its approvers are prompted, and its reminder and
/// escalation timers set.
pub async fn begin_step(
    kit: &Kit,
    tx: &mut Tx,
    ty: &ApprovalType,
    request: &Request,
    step: &Step,
    at: DateTime<Utc>,
) -> ServiceResult {
    let timer = StepTimer { request: request.id.0, step: step.id.0 };
    if let Some(after) = ty.remind_after {
        kit.timers.set_timer(tx, &TimerKey::new(super::NAME, REMIND, step.id), at + after, &timer).await?;
    }
    if let Some(after) = ty.escalate_after {
        kit.timers.set_timer(tx, &TimerKey::new(super::NAME, ESCALATE, step.id), at + after, &timer).await?;
    }
    let files = tx.files(&file_ids(ty, request)).await?;
    let mut effects = Vec::new();
    for seat in step.seats.iter().filter(|s| s.state == SeatState::Pending) {
        effects.push(prompt(kit, ty, (request, &files), step, seat, at, Nudge::First).await?);
    }
    Ok(effects)
}

/// A decided or withdrawn step's timers go; a timer that fires anyway finds the step
/// decided and does nothing.
async fn end_step_timers(kit: &Kit, tx: &mut Tx, step: &Step) -> ServiceResult<()> {
    for kind in [REMIND, ESCALATE] {
        kit.timers.cancel_timer(tx, &TimerKey::new(super::NAME, kind, step.id)).await?;
    }
    Ok(())
}

/// Why a prompt is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nudge {
    First,
    /// The step has waited past its reminder time.
    Reminder,
    /// The step was escalated to this approver.
    Escalated,
}

/// The direct message asking one approver to decide, with the request's files: to the
/// approver, or to whom they delegated while that lasts, in their language. Remembered
/// under the seat, so every copy is edited when the step is decided. A reminder comes
/// without the files (the first prompt has them).
async fn prompt(
    kit: &Kit,
    ty: &ApprovalType,
    (request, files): (&Request, &[Attachment]),
    step: &Step,
    seat: &Seat,
    at: DateTime<Utc>,
    nudge: Nudge,
) -> ServiceResult<Effect> {
    let chain = delegates_of(kit, seat.approver.id, at).await?;
    let (to, on_behalf) = match chain.last() {
        Some(delegate) => (delegate.id, Some(seat.approver.clone())),
        None => (seat.approver.id, None),
    };
    let files = if nudge == Nudge::Reminder { Vec::new() } else { files.to_vec() };
    let (ty, request, step, seat) = (ty.clone(), request.clone(), step.clone(), seat.id);
    let body = Shown::per_reader(move |r| {
        let asked = text::prompt(r.lang, &ty, &request, &step, on_behalf.as_ref());
        let text = match nudge {
            Nudge::First => asked,
            Nudge::Reminder => text::reminder(r.lang, &asked, &step, r.tz),
            Nudge::Escalated => text::escalated_to_you(r.lang, &asked),
        };
        Body { text, buttons: super::buttons(r.lang, request.id, seat), files: files.clone(), ..Body::default() }
    });
    Ok(Effect::Direct { person: to, body, subject: Some(seat_subject(seat)) })
}

/// Whom `person`'s decisions go to now: their delegate, that one's delegate, … (a
/// loop is refused when made, and cut here all the same).
async fn delegates_of(kit: &Kit, person: PersonId, at: DateTime<Utc>) -> ServiceResult<Vec<PersonName>> {
    let mut chain: Vec<PersonName> = Vec::new();
    let mut from = person;
    while chain.len() < MAX_CHAIN {
        match kit.store.delegation_of(from, at).await? {
            Some(d) if d.delegate.id != person && !chain.iter().any(|c| c.id == d.delegate.id) => {
                from = d.delegate.id;
                chain.push(d.delegate);
            }
            _ => break,
        }
    }
    Ok(chain)
}

/// The approvers of `step` that `me` decides for through delegation.
async fn acting_for(kit: &Kit, step: &Step, me: PersonId, at: DateTime<Utc>) -> ServiceResult<Vec<PersonId>> {
    let mut out = Vec::new();
    for seat in &step.seats {
        if seat.approver.id != me && delegates_of(kit, seat.approver.id, at).await?.iter().any(|d| d.id == me) {
            out.push(seat.approver.id);
        }
    }
    Ok(out)
}

/// The seat the actor decides: the pressed one, else their own pending one in the
/// step, else one of someone who delegated to them.
fn pick_seat<'a>(
    lang: Lang,
    step: &'a Step,
    pressed: Option<SeatId>,
    me: PersonId,
    delegators: &[PersonId],
    request: &Request,
    steps: &[Step],
) -> ServiceResult<&'a Seat> {
    let mine = |s: &&Seat| s.approver.id == me || delegators.contains(&s.approver.id);
    let seat = match pressed {
        Some(id) => match step.seats.iter().find(|s| s.id == id) {
            Some(seat) => seat,
            // A prompt of an earlier step, or of an earlier round.
            None => {
                return match seat_in(steps, id) {
                    Some((then, seat)) if seat.decided_by.is_some() => {
                        refuse(text::seat_taken(lang, request, then, seat, me))
                    }
                    _ => refuse(text::stale_prompt(lang, request, step)),
                };
            }
        },
        None => match step
            .seats
            .iter()
            .filter(mine)
            .find(|s| s.state == SeatState::Pending)
            .or_else(|| step.seats.iter().find(mine))
        {
            Some(seat) => seat,
            None => return refuse(text::not_your_step(lang, request, step)),
        },
    };
    if !mine(&seat) {
        return refuse(text::not_your_step(lang, request, step));
    }
    if seat.state != SeatState::Pending {
        return refuse(text::seat_taken(lang, request, step, seat, me));
    }
    Ok(seat)
}

/// The current step of a pending request.
fn current<'a>(lang: Lang, request: &Request, steps: &'a [Step]) -> ServiceResult<&'a Step> {
    match steps.iter().find(|s| s.round == request.round && s.position == request.step) {
        Some(step) => Ok(step),
        None => refuse(text::not_found(lang, request.id)),
    }
}

async fn current_round(tx: &mut Tx, request: &Request, lang: Lang) -> ServiceResult<Vec<Step>> {
    let mut steps = tx.approval_steps(request.id).await?;
    steps.retain(|s| s.round == request.round);
    if steps.is_empty() {
        return refuse(text::not_found(lang, request.id));
    }
    Ok(steps)
}

/// The requester, anyone who approves or approved any step, their delegates, admins.
async fn may_see(kit: &Kit, actor: &Actor, request: &Request, steps: &[Step]) -> ServiceResult<bool> {
    let me = actor.person.id;
    if request.requester.id == me || actor.is(Role::Admin) {
        return Ok(true);
    }
    let approvers: Vec<PersonId> = steps
        .iter()
        .flat_map(|s| &s.seats)
        .flat_map(|s| [Some(s.approver.id), s.decided_by.as_ref().map(|d| d.id)])
        .flatten()
        .collect();
    if approvers.contains(&me) {
        return Ok(true);
    }
    for approver in approvers {
        if delegates_of(kit, approver, actor.at).await?.iter().any(|d| d.id == me) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The request, or a refusal in `lang`.
async fn find(tx: &mut Tx, id: RequestId, lang: Lang) -> ServiceResult<Request> {
    match tx.approval_request(id).await? {
        Some(r) => Ok(r),
        None => refuse(text::not_found(lang, id)),
    }
}

fn today(actor: &Actor) -> NaiveDate {
    actor.at.with_timezone(&actor.tz).date_naive()
}

/// Fields read, and the required ones still missing.
pub struct Filled<'t> {
    pub values: Vec<(String, Value)>,
    pub missing: Vec<&'t super::fields::Field>,
}

/// Reads `name:value` fields (a value runs to the next `name:`); text before the first
/// one fills the type's first text field. `before` are the fields of an earlier round
/// or answered so far, which what is typed now replaces. `files` (kept already) fill
/// the document fields named with no value (`quote:`), then those not typed, in order.
/// A bad value is refused, in `lang`.
pub fn read_fields<'t>(
    lang: Lang,
    ty: &'t ApprovalType,
    typed: &str,
    today: NaiveDate,
    before: &[(String, String)],
    files: &[FileRef],
) -> ServiceResult<Filled<'t>> {
    let mut given: Vec<(String, String)> = Vec::new();
    let mut leading = String::new();
    for token in typed.split_whitespace() {
        let named = token.split_once(':').filter(|(name, _)| {
            let name = name.to_lowercase();
            !name.is_empty()
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                && name != "http"
                && name != "https"
        });
        match named {
            Some((name, rest)) => {
                let Some(field) = ty.field(name) else { return refuse(text::unknown_field(lang, ty, name)) };
                if given.iter().any(|(n, _)| *n == field.name) {
                    return refuse(text::field_twice(lang, ty, &field.name));
                }
                given.push((field.name.clone(), rest.to_owned()));
            }
            None => {
                let into = given.last_mut().map(|(_, v)| v).unwrap_or(&mut leading);
                if !into.is_empty() {
                    into.push(' ');
                }
                into.push_str(token);
            }
        }
    }
    if !leading.is_empty() {
        let first_text = ty
            .fields
            .iter()
            .find(|f| f.kind == super::fields::FieldKind::Text && !given.iter().any(|(n, _)| *n == f.name));
        match first_text {
            Some(f) => given.push((f.name.clone(), leading)),
            None => return refuse(text::write_fields_named(lang, ty)),
        }
    }
    let named_empty = given.iter().filter(|(_, v)| v.is_empty()).map(|(n, _)| n.as_str());
    let untyped = ty.fields.iter().map(|f| f.name.as_str()).filter(|n| !given.iter().any(|(g, _)| g == n));
    let slots: Vec<&str> =
        named_empty.chain(untyped).filter(|n| ty.field(n).is_some_and(|f| f.takes_files())).collect();
    if files.len() > slots.len() {
        return refuse(text::too_many_files(lang, ty, files.len()));
    }
    let attached: Vec<(&str, &FileRef)> = slots.into_iter().zip(files).collect();
    let mut values = Vec::new();
    let mut missing = Vec::new();
    for field in &ty.fields {
        if let Some((_, file)) = attached.iter().find(|(n, _)| *n == field.name) {
            values.push((field.name.clone(), Value::File((*file).clone())));
            continue;
        }
        let read = match given.iter().find(|(n, _)| *n == field.name) {
            Some((_, text)) => Some(field.read(text, today)),
            None => before.iter().find(|(n, _)| *n == field.name).map(|(_, v)| field.read_stored(v, today)),
        };
        match read {
            Some(Ok(value)) => values.push((field.name.clone(), value)),
            Some(Err(problem)) => return refuse(text::bad_field(lang, ty, field, &problem)),
            None if field.required => missing.push(field),
            None => {}
        }
    }
    Ok(Filled { values, missing })
}

/// `/approval delegate @person until <date>`, and `/away until <date>` (to `to`, else
/// to the actor's manager): new prompts go to the delegate, pending ones move to them,
/// and it ends by itself.
/// `away`: said with `/away`, which also marks the actor away in the directory (no
/// tickets are given to them meanwhile); without anyone to hand their approvals to, they
/// stay with them.
pub async fn delegate(desk: &Approvals, cx: &mut Cx<'_>, to: Option<&str>, until: &str, away: bool) -> ServiceResult {
    let actor = cx.actor;
    let until = read_until(until, actor)?;
    let delegate: PersonName = match to {
        Some(handle) => {
            let p = cx.kit.people.resolve(actor, handle).await?;
            PersonName { id: p.id, name: p.display_name }
        }
        None => match cx.kit.store.manager_of(actor.person.id).await? {
            Some(m) => m,
            None => {
                crate::features::directory::mark_away(cx.tx, actor.person.id, Some(until), actor.audit()).await?;
                return Ok(vec![Effect::reply(text::away_alone(actor.lang, until, actor.tz))]);
            }
        },
    };
    if delegate.id == actor.person.id {
        return refuse(text::delegate_to_self(actor.lang));
    }
    // A→B when B already hands on to A (directly or through others) would be a loop.
    if delegates_of(cx.kit, delegate.id, actor.at).await?.iter().any(|d| d.id == actor.person.id) {
        return refuse(text::delegation_loop(actor.lang, &delegate.name));
    }
    // A delegation replaced ends now, without its own "ended" message later.
    if let Some(earlier) = cx.kit.store.delegation_of(actor.person.id, actor.at).await? {
        cx.kit.timers.cancel_timer(cx.tx, &delegation_end(actor.person.id, earlier.until)).await?;
    }
    cx.tx.set_delegation(actor.person.id, delegate.id, until, actor.audit()).await?;
    let end = delegation_end(actor.person.id, until);
    cx.kit.timers.set_timer(cx.tx, &end, until, &DelegationEnd { person: actor.person.id.0 }).await?;
    // Prompts already waiting for the actor go to the delegate (the actor may still
    // decide them too). Sent straight to them: the new delegation is not committed yet.
    let mut moved = Vec::new();
    for (request, seat) in cx.kit.store.pending_seats_of(actor.person.id).await? {
        let behalf = PersonName { id: actor.person.id, name: actor.person.display_name.clone() };
        moved.extend(seat_prompt(desk, cx.tx, request, seat, delegate.id, Some(&behalf)).await?);
    }
    let from = actor.person.display_name.clone();
    let mut said = text::delegated(actor.lang, &delegate.name, until, actor.tz, moved.len());
    if away {
        crate::features::directory::mark_away(cx.tx, actor.person.id, Some(until), actor.audit()).await?;
        said = format!("{said}\n{}", text::away_from_tickets(actor.lang));
    }
    let mut effects =
        vec![Effect::reply(said), tell(delegate.id, move |r| text::delegated_to_you(r.lang, &from, until, r.tz))];
    effects.extend(moved);
    Ok(effects)
}

/// `/back` (or `/away off`): here again. Tickets may be given to them, and a delegation
/// running ends.
pub async fn back(desk: &Approvals, cx: &mut Cx<'_>) -> ServiceResult {
    let actor = cx.actor;
    let was_away = crate::features::directory::mark_away(cx.tx, actor.person.id, None, actor.audit()).await?;
    if cx.kit.store.delegation_of(actor.person.id, actor.at).await?.is_some() {
        return undelegate(desk, cx).await;
    }
    if was_away { Ok(vec![Effect::reply(text::welcome_back(actor.lang))]) } else { refuse(text::not_away(actor.lang)) }
}

/// The timer that ends `person`'s delegation at `until`.
fn delegation_end(person: PersonId, until: DateTime<Utc>) -> TimerKey {
    TimerKey::new(super::NAME, DELEGATION_END, format!("{person}:{}", until.timestamp_millis()))
}

/// Ends the actor's delegation now; their pending prompts come back to them.
pub async fn undelegate(desk: &Approvals, cx: &mut Cx<'_>) -> ServiceResult {
    let actor = cx.actor;
    let Some(was) = cx.kit.store.delegation_of(actor.person.id, actor.at).await? else {
        return refuse(text::no_delegation(actor.lang));
    };
    cx.tx.end_delegation(actor.person.id, actor.audit()).await?;
    cx.kit.timers.cancel_timer(cx.tx, &delegation_end(actor.person.id, was.until)).await?;
    let from = actor.person.display_name.clone();
    let mut effects = vec![
        Effect::reply(text::undelegated(actor.lang, &was.delegate.name)),
        tell(was.delegate.id, move |r| text::delegation_ended_for_delegate(r.lang, &from)),
    ];
    // Sent straight to the actor: the store's reads still see the delegation until this
    // transaction commits.
    effects.extend(give_back(desk, cx.kit, cx.tx, actor.person.id).await?);
    Ok(effects)
}

/// The prompt of one seat moved to `to` (no delegation looked up), in their language;
/// they decide on behalf of `on_behalf` if given.
async fn seat_prompt(
    desk: &Approvals,
    tx: &mut Tx,
    request: RequestId,
    seat: SeatId,
    to: PersonId,
    on_behalf: Option<&PersonName>,
) -> ServiceResult<Option<Effect>> {
    let Some(request) = tx.approval_request(request).await? else { return Ok(None) };
    let steps = tx.approval_steps(request.id).await?;
    let Some((step, _)) = seat_in(&steps, seat) else { return Ok(None) };
    let ty = desk.type_of(&request);
    let files = tx.files(&file_ids(&ty, &request)).await?;
    let (step, on_behalf) = (step.clone(), on_behalf.cloned());
    let body = Shown::per_reader(move |r| {
        let text = text::moved_to_you(r.lang, &text::prompt(r.lang, &ty, &request, &step, on_behalf.as_ref()));
        Body { text, buttons: super::buttons(r.lang, request.id, seat), files: files.clone(), ..Body::default() }
    });
    Ok(Some(Effect::Direct { person: to, body, subject: Some(seat_subject(seat)) }))
}

/// A delegation is over: every seat waiting for `person` is prompted to them again.
async fn give_back(desk: &Approvals, kit: &Kit, tx: &mut Tx, person: PersonId) -> ServiceResult {
    let mut effects = Vec::new();
    for (request, seat) in kit.store.pending_seats_of(person).await? {
        effects.extend(seat_prompt(desk, tx, request, seat, person, None).await?);
    }
    Ok(effects)
}

/// `until 2026-12-10` (through that day, in the actor's zone), `until friday`,
/// `until 2026-12-10 18:00`.
fn read_until(typed: &str, actor: &Actor) -> ServiceResult<DateTime<Utc>> {
    let typed = typed.trim();
    let typed = typed.strip_prefix("until ").unwrap_or(typed).trim();
    let end = match super::fields::read_day(&typed.to_lowercase(), today(actor)) {
        Ok((day, None)) => day
            .succ_opt()
            .and_then(|next| actor.tz.from_local_datetime(&next.and_time(chrono::NaiveTime::MIN)).earliest())
            .map(|t| t.to_utc()),
        _ => crate::chat::commands::parse_datetime(typed, actor.at, actor.tz).ok(),
    };
    let Some(end) = end else { return refuse(text::bad_until(actor.lang, typed)) };
    if end <= actor.at {
        return refuse(text::until_passed(actor.lang));
    }
    if end - actor.at > chrono::Duration::days(MAX_DELEGATION_DAYS) {
        return refuse(text::until_too_far(actor.lang, MAX_DELEGATION_DAYS));
    }
    Ok(end)
}

/// A step's reminder or escalation came due, or a delegation ended.
pub async fn timer(desk: &Approvals, tx: &mut Tx, kit: &Kit, fired: &Fired) -> ServiceResult {
    if fired.kind == DELEGATION_END {
        let end: DelegationEnd = fired.payload()?;
        let person = PersonId(end.person);
        // Renewed or replaced since: that delegation's own timer speaks for it.
        if kit.store.delegation_of(person, fired.due).await?.is_some() {
            return Ok(Vec::new());
        }
        let mut effects = vec![tell(person, |r| text::delegation_over(r.lang))];
        effects.extend(give_back(desk, kit, tx, person).await?);
        return Ok(effects);
    }
    let t: StepTimer = fired.payload()?;
    let Some(request) = tx.approval_request(RequestId(t.request)).await? else { return Ok(Vec::new()) };
    let steps = tx.approval_steps(request.id).await?;
    let Some(step) = steps.iter().find(|s| s.id.0 == t.step) else { return Ok(Vec::new()) };
    if !request.is_open() || step.status != StepStatus::Pending {
        return Ok(Vec::new());
    }
    let ty = desk.type_of(&request);
    let now = kit.clock.now();
    let audit = Audit { actor: None, platform: request.platform, at: now };
    let pending: Vec<&Seat> = step.seats.iter().filter(|s| s.state == SeatState::Pending).collect();
    if fired.kind == REMIND {
        tx.log_approval(request.id, ApprovalEvent::Remind, &Detail::reminded(step).stored(), audit).await?;
        let mut effects = Vec::new();
        for seat in pending {
            effects.push(prompt(kit, &ty, (&request, &[]), step, seat, now, Nudge::Reminder).await?);
        }
        return Ok(effects);
    }
    // Escalation: the step also goes to the approvers' managers, or to the admins.
    let seated: Vec<PersonId> = step.seats.iter().map(|s| s.approver.id).collect();
    let mut added: Vec<PersonName> = Vec::new();
    if ty.escalate_to == super::config::Escalation::Manager {
        for seat in &pending {
            if let Some(m) = kit.store.manager_of(seat.approver.id).await?
                && m.id != request.requester.id
                && !seated.contains(&m.id)
                && !added.iter().any(|a| a.id == m.id)
            {
                added.push(m);
            }
        }
    }
    if added.is_empty() {
        for admin in kit.store.persons_with_role(Role::Admin).await? {
            if admin != request.requester.id
                && !seated.contains(&admin)
                && let Some(p) = kit.store.person(admin).await?
            {
                added.push(PersonName { id: p.id, name: p.display_name });
            }
        }
    }
    if added.is_empty() {
        tracing::warn!(request = %request.id, "an escalation found nobody to escalate to");
        return Ok(Vec::new());
    }
    tx.add_seats(request.id, step.id, &added, now).await?;
    let names: Vec<&str> = added.iter().map(|a| a.name.as_str()).collect();
    tx.log_approval(request.id, ApprovalEvent::Escalate, &Detail::escalated(step, &names).stored(), audit).await?;
    let steps = tx.approval_steps(request.id).await?;
    let Some(step) = steps.iter().find(|s| s.id.0 == t.step) else { return Ok(Vec::new()) };
    let told = {
        let (ty, request, step) = (ty.clone(), request.clone(), step.clone());
        let to: Vec<String> = added.iter().map(|a| a.name.clone()).collect();
        move |r: Reader| text::escalated_for_requester(r.lang, &ty, &request, &step, &to)
    };
    let mut effects = vec![tell(request.requester.id, told)];
    let files = tx.files(&file_ids(&ty, &request)).await?;
    for seat in step.seats.iter().filter(|s| added.iter().any(|a| a.id == s.approver.id)) {
        effects.push(prompt(kit, &ty, (&request, &files), step, seat, now, Nudge::Escalated).await?);
    }
    Ok(effects)
}

/// A seat and its step, in any round.
fn seat_in(steps: &[Step], seat: SeatId) -> Option<(&Step, &Seat)> {
    steps.iter().find_map(|s| s.seats.iter().find(|x| x.id == seat).map(|x| (s, x)))
}

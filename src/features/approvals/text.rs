//! Everything the approvals feature says, from its catalogs (`i18n/en.ftl`,
//! `i18n/zh-CN.ftl`), in the reader's language. What the config names (a type's name
//! and title, its fields' and steps' labels) is shown as written. Plain text: adapters
//! escape it.

use std::borrow::Borrow;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::Attachment;

use super::Press;
use super::cmd::ListScope;
use super::config::ApprovalType;
use super::fields::{Field, FieldKind, Problem, Value};
use super::history::Detail;
use super::model::{Decision, Request, RequestId, RequestStatus, Rule, Seat, SeatState, Step};
use super::route::{NoApprover, RouteNote};
use super::store::PendingSeat;
use crate::i18n::stamp;
use crate::i18n::{Arg, Catalog, Lang};
use crate::kernel::stats::percentile;
use crate::kernel::{PersonId, PersonName};
use crate::store::EventRecord;

pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new("approvals", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
});

fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    CATALOG.text(lang, id, args)
}

/// A yes/no argument, for a selector.
fn yes(b: bool) -> Arg {
    Arg::from(if b { "yes" } else { "no" })
}

/// Items in a list, the reader's way: "erin, frank", "erin、frank".
fn list<S: Borrow<str>>(lang: Lang, items: &[S]) -> String {
    items.join(say(lang, "separator", &[]).as_str())
}

/// Items that may hold commas themselves: "a; b", "a；b".
fn strong_list<S: Borrow<str>>(lang: Lang, items: &[S]) -> String {
    items.join(say(lang, "separator-strong", &[]).as_str())
}

/// "Purchase #12".
fn name(lang: Lang, ty: &ApprovalType, request: &Request) -> String {
    say(lang, "request", &[("title", ty.title.as_str().into()), ("id", request.id.0.into())])
}

/// "step 2 (Finance)".
fn step_name(lang: Lang, step: &Step) -> String {
    say(lang, "step", &[("position", (step.position + 1).into()), ("label", step.label.as_str().into())])
}

/// A request's status as a word: "approved".
fn status(lang: Lang, of: RequestStatus) -> String {
    say(lang, "request-status", &[("status", of.as_str().into())])
}

/// "bob", "any one of erin, frank", "all of erin, frank".
fn approvers(lang: Lang, step: &Step) -> String {
    let names: Vec<&str> = step.seats.iter().map(|s| s.approver.name.as_str()).collect();
    say(lang, "approvers", &[("rule", step.rule.as_str().into()), ("names", list(lang, &names).into())])
}

/// A request's fields, a line each.
fn fields(lang: Lang, ty: &ApprovalType, request: &Request) -> String {
    request
        .fields
        .iter()
        .map(|(n, v)| {
            let field = ty.field(n);
            let label = field.map_or(n.as_str(), |f| f.label.as_str());
            let mut args = vec![("label", Arg::from(label)), ("value", v.as_str().into())];
            // Dates say how many days they are (a leave of 2.5 days).
            let line = match field.map(|f| f.read(v, chrono::NaiveDate::MIN)) {
                Some(Ok(Value::Dates(span))) => {
                    let written = span.days();
                    let days = match written.parse::<i64>() {
                        Ok(whole) => Arg::from(whole),
                        Err(_) => Arg::from(written),
                    };
                    args.push(("days", days));
                    say(lang, "field-line-days", &args)
                }
                _ => say(lang, "field-line", &args),
            };
            format!("\n  {line}")
        })
        .collect()
}

/// The steps of a round, a line each, with their approvers and any routing note.
fn route(lang: Lang, steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| {
            let mut args = vec![
                ("position", Arg::from(s.position + 1)),
                ("label", s.label.as_str().into()),
                ("approvers", approvers(lang, s).into()),
            ];
            let id = match &s.note {
                Some(n) => {
                    args.push(("note", note(lang, n).into()));
                    "route-line-note"
                }
                None => "route-line",
            };
            format!("\n  {}", say(lang, id, &args))
        })
        .collect()
}

/// A step's routing note, for this reader; one kept before notes were kept for every
/// reader is shown as it was written.
fn note(lang: Lang, stored: &str) -> String {
    match RouteNote::read(stored) {
        Some(RouteNote::MovedUp { requester }) => say(lang, "note-moved-up", &[("requester", requester.into())]),
        Some(RouteNote::ToAdmins { why }) => say(lang, "note-to-admins", &[("why", no_approver(lang, &why).into())]),
        None => stored.to_owned(),
    }
}

fn no_approver(lang: Lang, why: &NoApprover) -> String {
    match why {
        NoApprover::NoManager { person } => say(lang, "why-no-manager", &[("person", person.into())]),
        NoApprover::NoDepartment { department } => say(lang, "why-no-department", &[("department", department.into())]),
        NoApprover::DepartmentWithoutManager { department } => {
            say(lang, "why-department-without-manager", &[("department", department.into())])
        }
        NoApprover::NobodyHolds { role } => say(lang, "why-nobody-holds", &[("role", role.into())]),
        NoApprover::NotSeenYet { addresses } => {
            say(lang, "why-not-seen-yet", &[("addresses", list(lang, addresses).into())])
        }
        NoApprover::OwnStepWithoutManager { requester } => {
            say(lang, "why-own-step-without-manager", &[("requester", requester.into())])
        }
    }
}

/// What a field takes, for usage lines and questions.
fn hint(lang: Lang, field: &Field) -> String {
    match &field.kind {
        FieldKind::Text => say(lang, "hint-text", &[]),
        FieldKind::Amount { currency } => say(lang, "hint-amount", &[("currency", currency.into())]),
        FieldKind::Dates { half_days: true } => say(lang, "hint-dates-half", &[]),
        FieldKind::Dates { half_days: false } => say(lang, "hint-dates", &[]),
        FieldKind::Choice { options } => say(lang, "hint-choice", &[("options", list(lang, options).into())]),
        FieldKind::Link => say(lang, "hint-link", &[]),
        FieldKind::Document => say(lang, "hint-document", &[]),
    }
}

/// What is wrong with a value typed for a field, naming the field: "amount: …".
fn field_problem(lang: Lang, field: &Field, problem: &Problem) -> String {
    say(
        lang,
        "field-problem",
        &[("field", field.name.as_str().into()), ("problem", problem_text(lang, field, problem).into())],
    )
}

fn problem_text(lang: Lang, field: &Field, problem: &Problem) -> String {
    match problem {
        Problem::Empty => say(lang, "problem-empty", &[("hint", hint(lang, field).into())]),
        Problem::TooLong { len, max } => {
            say(lang, "problem-too-long", &[("len", (*len).into()), ("max", (*max).into())])
        }
        Problem::NotAmount { typed, currency } => {
            say(lang, "problem-not-amount", &[("typed", typed.into()), ("currency", currency.into())])
        }
        Problem::OtherCurrency { currency, given } => {
            say(lang, "problem-other-currency", &[("currency", currency.into()), ("given", given.into())])
        }
        Problem::OtherSymbol { currency, symbol, codes } => say(
            lang,
            "problem-other-symbol",
            &[("currency", currency.into()), ("symbol", symbol.to_string().into()), ("codes", codes.join("/").into())],
        ),
        Problem::NotPositive => say(lang, "problem-not-positive", &[]),
        Problem::Decimals { currency, places } => {
            say(lang, "problem-decimals", &[("currency", currency.into()), ("places", i64::from(*places).into())])
        }
        Problem::TooLarge { typed } => say(lang, "problem-too-large", &[("typed", typed.into())]),
        Problem::NotChoice { typed, options } => {
            say(lang, "problem-not-choice", &[("typed", typed.into()), ("options", list(lang, options).into())])
        }
        Problem::NotLink { typed } => say(lang, "problem-not-link", &[("typed", typed.into())]),
        Problem::LinkTooLong { max } => say(lang, "problem-link-too-long", &[("max", (*max).into())]),
        Problem::OrAttach(inner) => {
            say(lang, "problem-or-attach", &[("problem", problem_text(lang, field, inner).into())])
        }
        Problem::NoHalfDays => say(lang, "problem-no-half-days", &[]),
        Problem::EndsBeforeStart { start, end } => {
            let (start, end) = (start.format("%Y-%m-%d").to_string(), end.format("%Y-%m-%d").to_string());
            say(lang, "problem-ends-before-start", &[("start", start.into()), ("end", end.into())])
        }
        Problem::HalvesReversed => say(lang, "problem-halves-reversed", &[]),
        Problem::HalfDayAlone => say(lang, "problem-half-day-alone", &[]),
        Problem::TooManyDays { max } => say(lang, "problem-too-many-days", &[("max", (*max).into())]),
        Problem::NotDate { typed } => say(lang, "problem-not-date", &[("typed", typed.into())]),
    }
}

pub fn types(lang: Lang, types: &[ApprovalType]) -> String {
    if types.is_empty() {
        return say(lang, "types-none", &[]);
    }
    let mut out = say(lang, "types-head", &[]);
    for ty in types {
        out.push_str("\n\n");
        out.push_str(&say(lang, "type", &[("name", ty.name.as_str().into()), ("title", ty.title.as_str().into())]));
        for f in &ty.fields {
            out.push_str("\n  ");
            out.push_str(&say(
                lang,
                "type-field",
                &[("name", f.name.as_str().into()), ("hint", hint(lang, f).into()), ("optional", yes(!f.required))],
            ));
        }
        let steps: Vec<String> = ty
            .steps
            .iter()
            .map(|s| match &s.when {
                Some(w) => {
                    say(lang, "type-step-when", &[("label", s.label.as_str().into()), ("when", w.to_string().into())])
                }
                None => s.label.clone(),
            })
            .collect();
        let steps = steps.join(say(lang, "type-route-then", &[]).as_str());
        out.push_str("\n  ");
        out.push_str(&say(lang, "type-route", &[("steps", steps.into())]));
    }
    out
}

pub fn unknown_type(lang: Lang, kind: &str, types: &[ApprovalType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
    if names.is_empty() {
        return say(lang, "unknown-type-none", &[("kind", kind.into())]);
    }
    say(lang, "unknown-type", &[("kind", kind.into()), ("types", list(lang, &names).into())])
}

/// Whether English writes "An" before the type's name ("An expense request").
fn vowel(ty: &ApprovalType) -> Arg {
    yes(ty.name.starts_with(['a', 'e', 'i', 'o', 'u']))
}

/// A refusal, then how a request of the type is written.
fn with_usage(lang: Lang, ty: &ApprovalType, refusal: String) -> String {
    format!("{refusal}\n{}", usage(lang, ty))
}

pub fn unknown_field(lang: Lang, ty: &ApprovalType, name: &str) -> String {
    let names: Vec<&str> = ty.fields.iter().map(|f| f.name.as_str()).collect();
    let mut args = vec![
        ("vowel", vowel(ty)),
        ("type", ty.name.as_str().into()),
        ("name", name.into()),
        ("fields", list(lang, &names).into()),
    ];
    let id = match crate::chat::commands::suggest_name(name, names.iter().copied()) {
        Some(suggestion) => {
            args.push(("suggestion", suggestion.into()));
            "unknown-field-maybe"
        }
        None => "unknown-field",
    };
    with_usage(lang, ty, say(lang, id, &args))
}

pub fn field_twice(lang: Lang, ty: &ApprovalType, name: &str) -> String {
    with_usage(lang, ty, say(lang, "field-twice", &[("name", name.into())]))
}

pub fn write_fields_named(lang: Lang, ty: &ApprovalType) -> String {
    with_usage(lang, ty, say(lang, "write-fields-named", &[]))
}

pub fn bad_field(lang: Lang, ty: &ApprovalType, field: &Field, problem: &Problem) -> String {
    with_usage(lang, ty, say(lang, "bad-field", &[("problem", field_problem(lang, field, problem).into())]))
}

pub fn missing_fields(lang: Lang, ty: &ApprovalType, missing: &[&Field]) -> String {
    let missing: Vec<String> = missing
        .iter()
        .map(|f| say(lang, "missing-field", &[("name", f.name.as_str().into()), ("hint", hint(lang, f).into())]))
        .collect();
    with_usage(lang, ty, say(lang, "missing-fields", &[("fields", strong_list(lang, &missing).into())]))
}

/// `Usage: /approval request purchase item:<item> amount:<amount> [quote:<link or attached file>]`
fn usage(lang: Lang, ty: &ApprovalType) -> String {
    let file = say(lang, "usage-file", &[]);
    let parts: Vec<String> = ty
        .fields
        .iter()
        .map(|f| {
            let value = if f.takes_files() { file.as_str() } else { f.name.as_str() };
            if f.required { format!("{}:<{value}>", f.name) } else { format!("[{}:<{value}>]", f.name) }
        })
        .collect();
    say(lang, "usage", &[("type", ty.name.as_str().into()), ("fields", parts.join(" ").into())])
}

/// The question for a missing field; `left` counts it and those after it.
pub fn ask_field(lang: Lang, ty: &ApprovalType, field: &Field, left: usize) -> String {
    let args = [
        ("title", Arg::from(ty.title.as_str())),
        ("left", left.into()),
        ("label", field.label.as_str().into()),
        ("hint", hint(lang, field).into()),
    ];
    say(lang, if field.takes_files() { "ask-file" } else { "ask-field" }, &args)
}

/// More files came with a request than it has document fields free for them.
pub fn too_many_files(lang: Lang, ty: &ApprovalType, count: usize) -> String {
    let slots: Vec<&str> = ty.fields.iter().filter(|f| f.takes_files()).map(|f| f.name.as_str()).collect();
    let mut args = vec![("vowel", vowel(ty)), ("type", ty.name.as_str().into()), ("count", count.into())];
    let refusal = match slots.first() {
        None => say(lang, "too-many-files-none", &args),
        Some(first) => {
            args.extend([
                ("slots", list(lang, &slots).into()),
                ("slot_count", slots.len().into()),
                ("first", (*first).into()),
            ]);
            say(lang, "too-many-files", &args)
        }
    };
    with_usage(lang, ty, refusal)
}

pub fn document_too_large(lang: Lang, file: &Attachment, max: usize) -> String {
    let args = [
        ("name", Arg::from(file.name.as_str())),
        ("size", file.size_text().into()),
        ("max", (max / (1024 * 1024)).into()),
    ];
    say(lang, "document-too-large", &args)
}

pub fn one_file_per_answer(lang: Lang, field: &Field) -> String {
    say(lang, "one-file-per-answer", &[("label", field.label.as_str().into())])
}

pub fn bad_answer(lang: Lang, field: &Field, problem: &Problem) -> String {
    say(
        lang,
        "bad-answer",
        &[("problem", field_problem(lang, field, problem).into()), ("hint", hint(lang, field).into())],
    )
}

pub fn draft_gone(lang: Lang) -> String {
    say(lang, "draft-gone", &[])
}

pub fn requested(lang: Lang, ty: &ApprovalType, request: &Request, steps: &[Step]) -> String {
    format!(
        "{}{}\n{}{}\n{}",
        say(lang, "requested", &[("request", name(lang, ty, request).into())]),
        fields(lang, ty, request),
        say(lang, "route-head", &[]),
        route(lang, steps),
        say(lang, "requested-tail", &[("id", request.id.0.into())]),
    )
}

pub fn resubmitted(lang: Lang, ty: &ApprovalType, request: &Request, steps: &[Step]) -> String {
    format!(
        "{}{}\n{}{}",
        say(lang, "resubmitted", &[("request", name(lang, ty, request).into())]),
        fields(lang, ty, request),
        say(lang, "route-head", &[]),
        route(lang, steps),
    )
}

/// The approver's prompt.
pub fn prompt(lang: Lang, ty: &ApprovalType, request: &Request, step: &Step, on_behalf: Option<&PersonName>) -> String {
    let mut out = say(
        lang,
        "prompt",
        &[
            ("request", name(lang, ty, request).into()),
            ("requester", request.requester.name.as_str().into()),
            ("step", step_name(lang, step).into()),
        ],
    );
    out.push_str(&fields(lang, ty, request));
    if step.rule == Rule::All {
        out.push('\n');
        out.push_str(&say(lang, "prompt-all", &[]));
    }
    if let Some(p) = on_behalf {
        out.push('\n');
        out.push_str(&say(lang, "prompt-behalf", &[("name", p.name.as_str().into())]));
    }
    out
}

/// The prompt once its step is decided: who decided, how, when (in the reader's zone).
#[allow(clippy::too_many_arguments)]
pub fn prompt_decided(
    lang: Lang,
    ty: &ApprovalType,
    request: &Request,
    step: &Step,
    decision: Decision,
    by: &str,
    on_behalf: Option<&PersonName>,
    reason: Option<&str>,
    at: DateTime<Utc>,
    tz: Tz,
) -> String {
    let head = say(
        lang,
        "prompt-decided",
        &[
            ("request", name(lang, ty, request).into()),
            ("requester", request.requester.name.as_str().into()),
            ("step", step_name(lang, step).into()),
        ],
    );
    let decided = say(
        lang,
        "decided-by",
        &[
            ("by", by.into()),
            ("behalf", yes(on_behalf.is_some())),
            ("for", on_behalf.map_or("", |p| p.name.as_str()).into()),
            ("decision", decision.as_str().into()),
            ("at", stamp(lang, at, tz).into()),
            ("reason_given", yes(reason.is_some())),
            ("reason", reason.unwrap_or_default().into()),
        ],
    );
    format!("{head}{}\n{decided}", fields(lang, ty, request))
}

pub fn prompt_withdrawn(lang: Lang, ty: &ApprovalType, request: &Request) -> String {
    let requester = request.requester.name.as_str();
    format!(
        "{}{}\n{}",
        say(lang, "prompt-withdrawn", &[("request", name(lang, ty, request).into()), ("requester", requester.into())]),
        fields(lang, ty, request),
        say(lang, "withdrawn-line", &[("requester", requester.into())]),
    )
}

pub fn you_decided(
    lang: Lang,
    ty: &ApprovalType,
    request: &Request,
    step: &Step,
    decision: Decision,
    on_behalf: Option<&PersonName>,
) -> String {
    say(
        lang,
        "you-decided",
        &[
            ("decision", decision.as_str().into()),
            ("request", name(lang, ty, request).into()),
            ("step", step_name(lang, step).into()),
            ("behalf", yes(on_behalf.is_some())),
            ("for", on_behalf.map_or("", |p| p.name.as_str()).into()),
        ],
    )
}

/// An approval's optional note, for the requester.
pub fn with_note(lang: Lang, text: &str, by: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{text}\n{}", say(lang, "note-from", &[("by", by.into()), ("note", note.into())])),
        None => text.to_owned(),
    }
}

pub fn partly_approved(
    lang: Lang,
    ty: &ApprovalType,
    request: &Request,
    step: &Step,
    by: &str,
    waiting: &[Seat],
) -> String {
    let names: Vec<&str> = waiting.iter().map(|s| s.approver.name.as_str()).collect();
    say(
        lang,
        "partly-approved",
        &[
            ("by", by.into()),
            ("request", name(lang, ty, request).into()),
            ("step", step_name(lang, step).into()),
            ("names", list(lang, &names).into()),
        ],
    )
}

pub fn step_approved(lang: Lang, ty: &ApprovalType, request: &Request, step: &Step, by: &str, next: &Step) -> String {
    say(
        lang,
        "step-approved",
        &[
            ("by", by.into()),
            ("request", name(lang, ty, request).into()),
            ("step", step_name(lang, step).into()),
            ("next", step_name(lang, next).into()),
            ("approvers", approvers(lang, next).into()),
        ],
    )
}

/// The requester hears how their request ended at `step`; `reason` is the approver's
/// reason, or their note to an approval.
pub fn outcome_for_requester(
    lang: Lang,
    ty: &ApprovalType,
    request: &Request,
    step: &Step,
    by: &str,
    reason: Option<&str>,
) -> String {
    let mut args = vec![
        ("request", Arg::from(name(lang, ty, request))),
        ("by", by.into()),
        ("step", step_name(lang, step).into()),
        ("reason_given", yes(reason.is_some())),
        ("reason", reason.unwrap_or_default().into()),
    ];
    match request.status {
        RequestStatus::Approved => with_note(lang, &say(lang, "outcome-approved", &args), by, reason),
        RequestStatus::Rejected => say(lang, "outcome-rejected", &args),
        RequestStatus::Changes => format!(
            "{}\n{}",
            say(lang, "outcome-changes", &args),
            say(lang, "outcome-changes-how", &[("id", request.id.0.into())])
        ),
        RequestStatus::Pending | RequestStatus::Withdrawn => {
            args.push(("status", status(lang, request.status).into()));
            say(lang, "outcome-status", &args)
        }
    }
}

/// The outcome posted for the record, with who decided (the decision's time in the
/// reader's zone).
pub fn outcome_notice(lang: Lang, ty: &ApprovalType, request: &Request, steps: &[Step], tz: Tz) -> String {
    let deciders: Vec<String> = steps
        .iter()
        .filter(|s| s.round == request.round)
        .flat_map(|s| &s.seats)
        .filter(|s| matches!(s.state, SeatState::Approved | SeatState::Rejected))
        .filter_map(|s| {
            let by = s.decided_by.as_ref()?;
            Some(say(
                lang,
                "decider",
                &[
                    ("by", by.name.as_str().into()),
                    ("state", s.state.as_str().into()),
                    ("behalf", yes(by.id != s.approver.id)),
                    ("for", s.approver.name.as_str().into()),
                ],
            ))
        })
        .collect();
    let head = say(
        lang,
        "outcome-notice",
        &[
            ("request", name(lang, ty, request).into()),
            ("requester", request.requester.name.as_str().into()),
            ("status", status(lang, request.status).into()),
            ("decided", yes(request.decided_at.is_some())),
            ("at", request.decided_at.map(|t| stamp(lang, t, tz)).unwrap_or_default().into()),
        ],
    );
    format!("{head}{}\n{}", fields(lang, ty, request), strong_list(lang, &deciders))
}

pub fn ask_reason(lang: Lang, ty: &ApprovalType, request: &Request, decision: Decision) -> String {
    let args = [("request", Arg::from(name(lang, ty, request))), ("requester", request.requester.name.as_str().into())];
    match decision {
        Decision::Changes => say(lang, "ask-changes", &args),
        _ => say(lang, "ask-reject", &args),
    }
}

pub fn reason_needed(lang: Lang, decision: Decision, id: RequestId) -> String {
    let args = [("id", Arg::from(id.0))];
    match decision {
        Decision::Changes => say(lang, "reason-needed-changes", &args),
        _ => say(lang, "reason-needed-reject", &args),
    }
}

/// Who decided, for "already approved by …": `you`, `someone` (named) or `nobody`.
fn who_decided(by: Option<&PersonName>, me: PersonId) -> (&'static str, &str) {
    match by {
        Some(p) if p.id == me => ("you", ""),
        Some(p) => ("someone", p.name.as_str()),
        None => ("nobody", ""),
    }
}

/// Why a request takes no decision now, naming who decided it.
pub fn not_open(lang: Lang, request: &Request, steps: &[Step], me: PersonId) -> String {
    let last = steps
        .iter()
        .flat_map(|s| &s.seats)
        .filter(|s| s.decided_at.is_some())
        .max_by_key(|s| s.decided_at)
        .and_then(|s| s.decided_by.as_ref());
    let (who, by) = who_decided(last, me);
    let args = [
        ("id", Arg::from(request.id.0)),
        ("who", who.into()),
        ("by", by.into()),
        ("requester", request.requester.name.as_str().into()),
    ];
    let id = match request.status {
        RequestStatus::Approved => "not-open-approved",
        RequestStatus::Rejected => "not-open-rejected",
        RequestStatus::Changes => "not-open-changes",
        RequestStatus::Withdrawn => "not-open-withdrawn",
        RequestStatus::Pending => "not-open-pending",
    };
    say(lang, id, &args)
}

pub fn seat_taken(lang: Lang, request: &Request, step: &Step, seat: &Seat, me: PersonId) -> String {
    let decided = step.deciders().first().copied().and_then(|s| s.decided_by.as_ref());
    let (id, step) = (Arg::from(request.id.0), Arg::from(step_name(lang, step)));
    if let Some(by) = &seat.decided_by {
        let state = match seat.state {
            SeatState::Rejected => "rejected",
            SeatState::Changes => "changes",
            _ => "approved",
        };
        return say(
            lang,
            "seat-taken",
            &[
                ("you", yes(by.id == me)),
                ("by", by.name.as_str().into()),
                ("state", state.into()),
                ("id", id),
                ("step", step),
            ],
        );
    }
    let (who, by) = who_decided(decided, me);
    say(lang, "step-taken", &[("who", who.into()), ("by", by.into()), ("id", id), ("step", step)])
}

pub fn stale_prompt(lang: Lang, request: &Request, now_at: &Step) -> String {
    say(lang, "stale-prompt", &[("id", request.id.0.into()), ("step", step_name(lang, now_at).into())])
}

pub fn not_your_step(lang: Lang, request: &Request, step: &Step) -> String {
    say(
        lang,
        "not-your-step",
        &[
            ("approvers", approvers(lang, step).into()),
            ("id", request.id.0.into()),
            ("step", step_name(lang, step).into()),
        ],
    )
}

/// `action`: withdraw or resubmit.
pub fn not_your_request(lang: Lang, id: RequestId, action: &str) -> String {
    say(lang, "not-your-request", &[("id", id.0.into()), ("action", action.into())])
}

pub fn withdrawn(lang: Lang, ty: &ApprovalType, request: &Request) -> String {
    say(lang, "withdrawn", &[("request", name(lang, ty, request).into())])
}

pub fn not_waiting_for_changes(lang: Lang, request: &Request) -> String {
    say(lang, "not-waiting-for-changes", &[("id", request.id.0.into()), ("status", request.status.as_str().into())])
}

pub fn type_gone(lang: Lang, kind: &str) -> String {
    say(lang, "type-gone", &[("kind", kind.into())])
}

pub fn not_found(lang: Lang, id: RequestId) -> String {
    say(lang, "not-found", &[("id", id.0.into())])
}

pub fn not_yours_to_see(lang: Lang, id: RequestId) -> String {
    say(lang, "not-yours-to-see", &[("id", id.0.into())])
}

pub fn details(
    lang: Lang,
    ty: &ApprovalType,
    request: &Request,
    steps: &[Step],
    history: &[EventRecord],
    tz: Tz,
) -> String {
    let mut out = say(
        lang,
        "details",
        &[
            ("request", name(lang, ty, request).into()),
            ("requester", request.requester.name.as_str().into()),
            ("status", status(lang, request.status).into()),
            ("round", request.round.into()),
        ],
    );
    out.push('\n');
    out.push_str(&say(lang, "details-made", &[("at", stamp(lang, request.created_at, tz).into())]));
    out.push_str(&fields(lang, ty, request));
    out.push('\n');
    out.push_str(&say(lang, "route-head", &[]));
    for step in steps.iter().filter(|s| s.round == request.round) {
        let mut args = vec![
            ("position", Arg::from(step.position + 1)),
            ("label", step.label.as_str().into()),
            ("approvers", approvers(lang, step).into()),
            ("state", step.status.as_str().into()),
        ];
        let id = match &step.note {
            Some(n) => {
                args.push(("note", note(lang, n).into()));
                "details-step-note"
            }
            None => "details-step",
        };
        out.push_str("\n  ");
        out.push_str(&say(lang, id, &args));
    }
    out.push('\n');
    out.push_str(&say(lang, "history", &[]));
    for e in history {
        let mut args = vec![
            ("at", Arg::from(stamp(lang, e.at, tz))),
            ("who", e.actor.as_deref().unwrap_or("Deskmate").into()),
            ("platform", e.platform.as_str().into()),
            ("action", e.action.as_str().into()),
            // What happened, without the log's prefix, for the languages that name it.
            ("kind", e.action.trim_start_matches("approval.").into()),
        ];
        let id = if e.detail.is_empty() {
            "history-line"
        } else {
            args.push(("detail", history_detail(lang, &e.detail).into()));
            "history-line-detail"
        };
        out.push_str("\n  ");
        out.push_str(&say(lang, id, &args));
    }
    out
}

/// An event's detail in `lang`; one logged as plain text (before details were data) as
/// it was written.
fn history_detail(lang: Lang, stored: &str) -> String {
    let Some(detail) = Detail::read(stored) else { return stored.to_owned() };
    let step = |step: i64, label: &str| -> Vec<(&str, Arg)> { vec![("step", step.into()), ("label", label.into())] };
    match detail {
        Detail::Fields { fields } => {
            let fields: Vec<String> = fields
                .iter()
                .map(|(name, value)| say(lang, "detail-field", &[("name", name.into()), ("value", value.into())]))
                .collect();
            strong_list(lang, &fields)
        }
        Detail::Decided { step: n, label, behalf, reason } => {
            let mut args = step(n, &label);
            let id = match (behalf, reason) {
                (None, None) => "detail-decided",
                (Some(by), None) => {
                    args.push(("behalf", by.into()));
                    "detail-decided-behalf"
                }
                (None, Some(reason)) => {
                    args.push(("reason", reason.into()));
                    "detail-decided-reason"
                }
                (Some(by), Some(reason)) => {
                    args.extend([("behalf", Arg::from(by)), ("reason", reason.into())]);
                    "detail-decided-behalf-reason"
                }
            };
            say(lang, id, &args)
        }
        Detail::StepApproved { step: n, label } => say(lang, "detail-step-approved", &step(n, &label)),
        Detail::Reminded { step: n, label } => say(lang, "detail-reminded", &step(n, &label)),
        Detail::Escalated { step: n, label, to } => {
            let mut args = step(n, &label);
            args.push(("names", list(lang, &to).into()));
            say(lang, "detail-escalated", &args)
        }
        Detail::Outcome { status } => say(lang, "request-status", &[("status", status.into())]),
    }
}

pub fn pending_takes_no_filters(lang: Lang) -> String {
    say(lang, "pending-takes-no-filters", &[])
}

pub fn pending_list(lang: Lang, seats: &[PendingSeat], me: PersonId, page: i64, tz: Tz) -> String {
    if seats.is_empty() {
        return if page > 1 {
            say(lang, "pending-none-on-page", &[("page", page.into())])
        } else {
            say(lang, "pending-none", &[])
        };
    }
    let mut out = say(lang, "pending-head", &[("page", page.into())]);
    for s in seats {
        out.push_str("\n  ");
        out.push_str(&say(
            lang,
            "pending-line",
            &[
                ("id", s.request.0.into()),
                ("kind", s.kind.as_str().into()),
                ("requester", s.requester.as_str().into()),
                ("step", s.step_label.as_str().into()),
                ("behalf", yes(s.approver.id != me)),
                ("for", s.approver.name.as_str().into()),
                ("since", stamp(lang, s.since, tz).into()),
            ],
        ));
    }
    if seats.len() as i64 == super::service::PAGE {
        out.push('\n');
        out.push_str(&say(lang, "pending-next", &[("page", (page + 1).into())]));
    }
    out
}

pub fn all_is_for_admins(lang: Lang) -> String {
    say(lang, "all-is-for-admins", &[])
}

pub fn bad_since(lang: Lang, day: &str) -> String {
    say(lang, "bad-since", &[("day", day.into())])
}

pub fn request_list(lang: Lang, requests: &[Request], scope: ListScope, page: i64, tz: Tz) -> String {
    let mine = scope == ListScope::Mine;
    if requests.is_empty() {
        return say(lang, "requests-none", &[("mine", yes(mine)), ("page", page.into())]);
    }
    let mut out = say(lang, "requests-head", &[("mine", yes(mine)), ("page", page.into())]);
    for r in requests {
        out.push_str("\n  ");
        out.push_str(&say(
            lang,
            "request-line",
            &[
                ("id", r.id.0.into()),
                ("kind", r.kind.as_str().into()),
                ("requester", r.requester.name.as_str().into()),
                ("status", status(lang, r.status).into()),
                ("at", stamp(lang, r.created_at, tz).into()),
            ],
        ));
    }
    if requests.len() as i64 == super::service::PAGE {
        out.push('\n');
        out.push_str(&say(lang, "requests-next", &[("page", (page + 1).into())]));
    }
    out
}

/// A request waiting for the person, as a suggestion while an option is typed.
pub fn pending_choice(lang: Lang, seat: &PendingSeat) -> String {
    say(
        lang,
        "pending-choice",
        &[
            ("id", seat.request.0.into()),
            ("kind", seat.kind.as_str().into()),
            ("requester", seat.requester.as_str().into()),
            ("step", seat.step_label.as_str().into()),
        ],
    )
}

/// One of the person's own open requests, as a suggestion.
pub fn request_choice(lang: Lang, r: &Request) -> String {
    say(
        lang,
        "request-choice",
        &[("id", r.id.0.into()), ("kind", r.kind.as_str().into()), ("status", status(lang, r.status).into())],
    )
}

pub fn no_route(lang: Lang, label: &str, why: &NoApprover) -> String {
    say(lang, "no-route", &[("label", label.into()), ("why", no_approver(lang, why).into())])
}

// Reminders, escalation, delegation.

/// A prompt again, once its step has waited past its reminder time (since when, in the
/// reader's zone).
pub fn reminder(lang: Lang, prompt: &str, step: &Step, tz: Tz) -> String {
    let mut args = vec![("started", yes(step.started_at.is_some()))];
    if let Some(t) = step.started_at {
        args.extend([("since", stamp(lang, t, tz).into()), ("zone", tz.name().into())]);
    }
    format!("{}\n{prompt}", say(lang, "reminder", &args))
}

pub fn escalated_to_you(lang: Lang, prompt: &str) -> String {
    format!("{}\n{prompt}", say(lang, "escalated-to-you", &[]))
}

pub fn moved_to_you(lang: Lang, prompt: &str) -> String {
    format!("{}\n{prompt}", say(lang, "moved-to-you", &[]))
}

pub fn escalated_for_requester(lang: Lang, ty: &ApprovalType, request: &Request, step: &Step, to: &[String]) -> String {
    say(
        lang,
        "escalated-for-requester",
        &[
            ("request", name(lang, ty, request).into()),
            ("step", step_name(lang, step).into()),
            ("names", list(lang, to).into()),
        ],
    )
}

/// Away with nobody to hand approvals to: they stay with the reader.
pub fn away_alone(lang: Lang, until: DateTime<Utc>, tz: Tz) -> String {
    say(lang, "away-alone", &[("until", stamp(lang, until, tz).into()), ("zone", tz.name().into())])
}

pub fn away_from_tickets(lang: Lang) -> String {
    say(lang, "away-from-tickets", &[])
}

pub fn welcome_back(lang: Lang) -> String {
    say(lang, "welcome-back", &[])
}

pub fn not_away(lang: Lang) -> String {
    say(lang, "not-away", &[])
}

pub fn delegate_to_self(lang: Lang) -> String {
    say(lang, "delegate-to-self", &[])
}

pub fn delegation_loop(lang: Lang, name: &str) -> String {
    say(lang, "delegation-loop", &[("name", name.into())])
}

/// `moved`: the prompts waiting for the actor that went to the delegate.
pub fn delegated(lang: Lang, to: &str, until: DateTime<Utc>, tz: Tz, moved: usize) -> String {
    say(
        lang,
        "delegated",
        &[
            ("until", stamp(lang, until, tz).into()),
            ("zone", tz.name().into()),
            ("to", to.into()),
            ("moved", moved.into()),
        ],
    )
}

pub fn delegated_to_you(lang: Lang, from: &str, until: DateTime<Utc>, tz: Tz) -> String {
    say(
        lang,
        "delegated-to-you",
        &[("from", from.into()), ("until", stamp(lang, until, tz).into()), ("zone", tz.name().into())],
    )
}

pub fn no_delegation(lang: Lang) -> String {
    say(lang, "no-delegation", &[])
}

pub fn undelegated(lang: Lang, to: &str) -> String {
    say(lang, "undelegated", &[("to", to.into())])
}

pub fn delegation_ended_for_delegate(lang: Lang, from: &str) -> String {
    say(lang, "delegation-ended-for-delegate", &[("from", from.into())])
}

pub fn delegation_over(lang: Lang) -> String {
    say(lang, "delegation-over", &[])
}

pub fn bad_until(lang: Lang, typed: &str) -> String {
    say(lang, "bad-until", &[("typed", typed.into())])
}

pub fn until_passed(lang: Lang) -> String {
    say(lang, "until-passed", &[])
}

pub fn until_too_far(lang: Lang, days: i64) -> String {
    say(lang, "until-too-far", &[("days", days.into())])
}

/// A prompt button's label.
pub(super) fn button_label(lang: Lang, press: Press) -> String {
    let id = match press {
        Press::Approve => "button-approve",
        Press::Reject => "button-reject",
        Press::Changes => "button-changes",
    };
    say(lang, id, &[])
}

// The report.

/// How long one step of one type took, over the period's decisions, sorted.
pub struct StepTimes {
    pub kind: String,
    pub position: i64,
    pub label: String,
    pub took: Vec<chrono::Duration>,
}

/// `45m`, `3h 20m`, `2d 4h`.
fn span(lang: Lang, d: chrono::Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => say(lang, "span-minutes", &[("minutes", m.into())]),
        (0, h, 0) => say(lang, "span-hours", &[("hours", h.into())]),
        (0, h, m) => say(lang, "span-hours-minutes", &[("hours", h.into()), ("minutes", m.into())]),
        (d, 0, _) => say(lang, "span-days", &[("days", d.into())]),
        (d, h, _) => say(lang, "span-days-hours", &[("days", d.into()), ("hours", h.into())]),
    }
}

pub fn report(
    lang: Lang,
    (since, until): (DateTime<Utc>, DateTime<Utc>),
    tz: Tz,
    counts: &[(String, RequestStatus, i64)],
    steps: &[StepTimes],
) -> String {
    let mut out =
        say(lang, "report-head", &[("since", stamp(lang, since, tz).into()), ("until", stamp(lang, until, tz).into())]);
    if counts.is_empty() {
        out.push_str("\n  ");
        out.push_str(&say(lang, "report-none", &[]));
    }
    let mut kinds: Vec<&str> = counts.iter().map(|(k, _, _)| k.as_str()).collect();
    kinds.dedup();
    for kind in kinds {
        let total: i64 = counts.iter().filter(|(k, _, _)| k == kind).map(|(_, _, n)| n).sum();
        let parts: Vec<String> = RequestStatus::ALL
            .iter()
            .filter_map(|status| {
                counts.iter().find(|(k, s, _)| k == kind && s == status).map(|(_, s, n)| {
                    say(lang, "report-count", &[("count", (*n).into()), ("status", s.as_str().into())])
                })
            })
            .collect();
        out.push_str("\n  ");
        out.push_str(&say(
            lang,
            "report-kind",
            &[("kind", kind.into()), ("total", total.into()), ("counts", list(lang, &parts).into())],
        ));
    }
    if !steps.is_empty() {
        out.push('\n');
        out.push_str(&say(lang, "report-times", &[]));
        for s in steps {
            out.push_str("\n  ");
            out.push_str(&say(
                lang,
                "report-step",
                &[
                    ("kind", s.kind.as_str().into()),
                    ("position", (s.position + 1).into()),
                    ("label", s.label.as_str().into()),
                    ("median", span(lang, percentile(&s.took, 50).unwrap_or_default()).into()),
                    ("p90", span(lang, percentile(&s.took, 90).unwrap_or_default()).into()),
                    ("count", s.took.len().into()),
                ],
            ));
        }
    }
    out
}

/// Approvals' part of the office report: requests made by outcome, and how long
/// decisions took (every step's, together).
pub fn insight(
    lang: Lang,
    counts: &[(String, RequestStatus, i64)],
    took: &mut [chrono::Duration],
) -> crate::chat::feature::Insight {
    let total: i64 = counts.iter().map(|(_, _, n)| n).sum();
    let made = if total == 0 {
        say(lang, "insight-made-none", &[])
    } else {
        let parts: Vec<String> = RequestStatus::ALL
            .iter()
            .filter_map(|status| {
                let n: i64 = counts.iter().filter(|(_, s, _)| s == status).map(|(_, _, n)| n).sum();
                (n > 0).then(|| say(lang, "report-count", &[("count", n.into()), ("status", status.as_str().into())]))
            })
            .collect();
        say(lang, "insight-made", &[("total", total.into()), ("counts", list(lang, &parts).into())])
    };
    let decided = match crate::kernel::stats::median_and_p90(took) {
        Some((median, p90)) => say(
            lang,
            "insight-decided",
            &[("median", span(lang, median).into()), ("p90", span(lang, p90).into()), ("count", took.len().into())],
        ),
        None => say(lang, "insight-decided-none", &[]),
    };
    crate::chat::feature::Insight { heading: say(lang, "insight-heading", &[]), lines: vec![made, decided] }
}

/// A request waiting for the person, on their agenda.
pub fn agenda_line(lang: Lang, seat: &PendingSeat, tz: Tz) -> String {
    say(
        lang,
        "agenda-line",
        &[
            ("id", seat.request.0.into()),
            ("kind", seat.kind.as_str().into()),
            ("requester", seat.requester.as_str().into()),
            ("step", seat.step_label.as_str().into()),
            ("since", stamp(lang, seat.since, tz).into()),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::approvals::model::{StepId, StepStatus};

    #[test]
    fn the_catalogs_hold_the_same_messages_and_the_code_uses_each() {
        crate::i18n::check_catalog(&CATALOG, &[include_str!("text.rs"), include_str!("service.rs")]);
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let samples: Vec<(&str, Arg)> = vec![
            ("action", "withdraw".into()),
            ("addresses", "console:zed".into()),
            ("approvers", "bob".into()),
            ("at", "2026-11-30 09:00".into()),
            ("behalf", "yes".into()),
            ("by", "bob".into()),
            ("codes", "USD/CAD".into()),
            ("count", 2_i64.into()),
            ("counts", "2 approved".into()),
            ("currency", "CNY".into()),
            ("day", "yesterday".into()),
            ("days", 3_i64.into()),
            ("decided", "yes".into()),
            ("decision", "approve".into()),
            ("department", "Finance".into()),
            ("detail", "item: Laptop".into()),
            ("end", "2026-12-01".into()),
            ("field", "amount".into()),
            ("fields", "item, amount".into()),
            ("first", "receipt".into()),
            ("for", "carol".into()),
            ("from", "dan".into()),
            ("given", "USD".into()),
            ("hint", "text".into()),
            ("hours", 3_i64.into()),
            ("id", 7_i64.into()),
            ("kind", "leave".into()),
            ("label", "Manager".into()),
            ("left", 2_i64.into()),
            ("len", 1200_i64.into()),
            ("max", 10_i64.into()),
            ("median", "1h".into()),
            ("mine", "yes".into()),
            ("minutes", 20_i64.into()),
            ("moved", 2_i64.into()),
            ("name", "bob".into()),
            ("names", "erin, frank".into()),
            ("next", "step 2 (Finance)".into()),
            ("note", "sent to the admins".into()),
            ("optional", "yes".into()),
            ("options", "read, write".into()),
            ("p90", "2h".into()),
            ("page", 2_i64.into()),
            ("period", "week".into()),
            ("person", "erin".into()),
            ("places", 2_i64.into()),
            ("platform", "console".into()),
            ("position", 1_i64.into()),
            ("problem", "amount: empty".into()),
            ("reason", "over budget".into()),
            ("reason_given", "yes".into()),
            ("request", "Purchase #7".into()),
            ("requester", "dan".into()),
            ("role", "manager".into()),
            ("round", 2_i64.into()),
            ("rule", "any".into()),
            ("since", "2026-11-30 09:00".into()),
            ("size", "11.5 MB".into()),
            ("slot_count", 2_i64.into()),
            ("slots", "quote, receipt".into()),
            ("start", "2026-12-05".into()),
            ("started", "yes".into()),
            ("state", "approved".into()),
            ("status", "pending".into()),
            ("step", "step 1 (Manager)".into()),
            ("steps", "Manager".into()),
            ("suggestion", "amount".into()),
            ("symbol", "$".into()),
            ("title", "Purchase".into()),
            ("to", "carol".into()),
            ("total", 3_i64.into()),
            ("type", "purchase".into()),
            ("typed", "12x".into()),
            ("types", "leave, purchase".into()),
            ("until", "2026-12-11 00:00".into()),
            ("value", "Laptop".into()),
            ("vowel", "no".into()),
            ("when", "amount > 5000".into()),
            ("who", "someone".into()),
            ("why", "erin has no manager in the directory".into()),
            ("you", "no".into()),
            ("zone", "UTC".into()),
        ];
        crate::i18n::check_renders(&CATALOG, &samples);
    }

    fn leave() -> ApprovalType {
        let dates = Field {
            name: "dates".into(),
            label: "Dates".into(),
            kind: FieldKind::Dates { half_days: true },
            required: true,
        };
        ApprovalType { fields: vec![dates], ..ApprovalType::gone("leave") }
    }

    fn request() -> Request {
        Request {
            id: RequestId(7),
            kind: "leave".into(),
            requester: PersonName { id: PersonId(2), name: "dan".into() },
            fields: vec![("dates".into(), "2026-12-01 pm..2026-12-03".into())],
            status: RequestStatus::Pending,
            round: 1,
            step: 0,
            platform: deskmate_port::Platform::Console,
            created_at: DateTime::from_timestamp(0, 0).expect("valid"),
            decided_at: None,
        }
    }

    fn step(rule: Rule) -> Step {
        Step {
            id: StepId(1),
            round: 1,
            position: 0,
            label: "Manager".into(),
            rule,
            status: StepStatus::Pending,
            note: None,
            started_at: None,
            decided_at: None,
            seats: Vec::new(),
        }
    }

    #[test]
    fn a_prompt_in_each_language_with_a_leave_of_half_days() {
        let (ty, request, step) = (leave(), request(), step(Rule::All));
        let carol = PersonName { id: PersonId(3), name: "carol".into() };
        assert_eq!(
            prompt(Lang::En, &ty, &request, &step, Some(&carol)),
            "Leave #7 from dan waits for your decision, step 1 (Manager).\n  \
             Dates: 2026-12-01 pm..2026-12-03 (2.5 days)\n\
             Everyone on this step must approve.\n(You decide on behalf of carol.)"
        );
        assert_eq!(
            prompt(Lang::ZhCn, &ty, &request, &step, Some(&carol)),
            "dan 的 Leave #7 等待你审批：第 1 步（Manager）。\n  Dates：2026-12-01 pm..2026-12-03（2.5 天）\n\
             这一步需要所有审批人同意。\n（你代 carol 审批。）"
        );
        let bob = PersonName { id: PersonId(4), name: "bob".into() };
        for (lang, expected) in [
            (Lang::En, "You asked for changes on Leave #7, step 1 (Manager) on behalf of bob."),
            (Lang::ZhCn, "你代 bob 要求修改 Leave #7 的第 1 步（Manager）。"),
        ] {
            assert_eq!(you_decided(lang, &ty, &request, &step, Decision::Changes, Some(&bob)), expected);
        }
        assert_eq!(
            button_label(Lang::ZhCn, Press::Changes),
            "要求修改",
            "buttons are labelled in the reader's language"
        );
    }

    #[test]
    fn counts_and_choices_follow_the_reader_s_language() {
        let until = DateTime::from_timestamp(0, 0).expect("valid");
        let utc = Tz::UTC;
        assert_eq!(
            delegated(Lang::En, "carol", until, utc, 0),
            "Until 1970-01-01 00:00 (UTC), carol decides your approvals; the record will say on your behalf. \
             /approval undelegate ends it sooner."
        );
        let one = delegated(Lang::En, "carol", until, utc, 1);
        assert!(one.contains(" The 1 prompt waiting for you went to them too. "), "{one}");
        let three = delegated(Lang::En, "carol", until, utc, 3);
        assert!(three.contains(" The 3 prompts waiting for you went to them too. "), "{three}");
        assert_eq!(
            delegated(Lang::ZhCn, "carol", until, utc, 3),
            "在 1970年1月1日（周四）00:00（UTC）之前，由 carol 代你审批；记录中会注明是代你审批的。\
             正在等你处理的 3 条审批也已转给对方。/approval undelegate 可以提前结束委托。"
        );
        let ty = leave();
        let dates = &ty.fields[0];
        let asked = ask_field(Lang::En, &ty, dates, 1);
        assert_eq!(asked, format!("Leave request: Dates? Give {}.", hint(Lang::En, dates)));
        let asked = ask_field(Lang::En, &ty, dates, 3);
        assert!(asked.starts_with("Leave request (3 questions to go): Dates? Give a date"), "{asked}");
        assert!(ask_field(Lang::ZhCn, &ty, dates, 1).starts_with("Leave申请：Dates？请填写日期或日期范围"));
        assert!(ask_field(Lang::ZhCn, &ty, dates, 3).starts_with("Leave申请（还有 3 个问题）：Dates？"));
        let took = |minutes: i64| vec![chrono::Duration::minutes(minutes)];
        let steps = [StepTimes { kind: "leave".into(), position: 0, label: "Manager".into(), took: took(200) }];
        let at = DateTime::from_timestamp(0, 0).expect("valid");
        assert_eq!(
            report(Lang::En, (at, at), utc, &[("leave".into(), RequestStatus::Approved, 1)], &steps),
            "Approvals, 1970-01-01 00:00 to 1970-01-01 00:00:\n  leave: 1 (1 approved)\n\
             Time to decision per step (median / 90th percentile):\n  \
             leave, step 1 (Manager): 3h 20m / 3h 20m over 1 decision"
        );
        assert_eq!(
            report(Lang::ZhCn, (at, at), utc, &[], &steps),
            "审批统计，1970年1月1日（周四）00:00 至 1970年1月1日（周四）00:00：\n  没有新申请\n\
             各步骤审批用时（中位数 / 90 分位）：\n  leave，第 1 步（Manager）：3 小时 20 分钟 / 3 小时 20 分钟，共 1 次审批"
        );
    }

    #[test]
    fn what_is_wrong_with_a_value_names_the_field_in_the_reader_s_language() {
        let amount = Field {
            name: "amount".into(),
            label: "Amount".into(),
            kind: FieldKind::Amount { currency: "CNY".into() },
            required: true,
        };
        let problem = amount.read("$1200", chrono::NaiveDate::MIN).expect_err("refused");
        assert_eq!(
            field_problem(Lang::En, &amount, &problem),
            "amount: this request takes amounts in CNY, not $ (USD/CAD/AUD/NZD/HKD/SGD/TWD/MXN)"
        );
        assert_eq!(
            field_problem(Lang::ZhCn, &amount, &problem),
            "amount：此申请的金额以 CNY 计，不能使用 $（USD/CAD/AUD/NZD/HKD/SGD/TWD/MXN）"
        );
        let none = Problem::Decimals { currency: "JPY".into(), places: 0 };
        assert_eq!(field_problem(Lang::En, &amount, &none), "amount: JPY amounts have no decimals");
        assert_eq!(field_problem(Lang::ZhCn, &amount, &none), "amount：JPY 金额不能有小数");
        let empty = amount.read(" ", chrono::NaiveDate::MIN).expect_err("refused");
        assert_eq!(
            field_problem(Lang::En, &amount, &empty),
            "amount: empty; give an amount in CNY, e.g. 1200, 1,200.50 or 1200 CNY"
        );
    }

    #[test]
    fn a_routing_note_is_kept_for_every_reader_and_an_old_one_shown_as_written() {
        let kept = serde_json::to_string(&RouteNote::ToAdmins { why: NoApprover::NoManager { person: "erin".into() } })
            .expect("serializes");
        assert_eq!(note(Lang::En, &kept), "sent to the admins: erin has no manager in the directory");
        assert_eq!(note(Lang::ZhCn, &kept), "已转交管理员：erin 在通讯录中没有上级");
        let old = "sent to the admins: bob has no manager in the directory";
        assert_eq!(note(Lang::ZhCn, old), old);
        let why = NoApprover::NotSeenYet { addresses: vec!["console:zed".into(), "console:yan".into()] };
        assert_eq!(no_approver(Lang::ZhCn, &why), "console:zed、console:yan 还没有使用过 Deskmate");
    }

    #[test]
    fn spans_of_time() {
        let m = |n: i64| chrono::Duration::minutes(n);
        assert_eq!(span(Lang::En, m(45)), "45m");
        assert_eq!(span(Lang::En, m(200)), "3h 20m");
        assert_eq!(span(Lang::En, m(60 * 52)), "2d 4h");
        assert_eq!(span(Lang::ZhCn, m(60 * 52)), "2 天 4 小时");
    }
}

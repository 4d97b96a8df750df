//! What the approvals feature says.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::Attachment;

use super::cmd::ListScope;
use super::config::ApprovalType;
use super::fields::Field;
use super::model::{Decision, Request, RequestId, RequestStatus, Rule, Seat, SeatState, Step, StepStatus};
use super::store::PendingSeat;
use crate::chat::text::local_time;
use crate::kernel::{PersonId, PersonName, Role};
use crate::store::EventRecord;

/// "Purchase #12".
fn name(ty: &ApprovalType, request: &Request) -> String {
    format!("{} #{}", ty.title, request.id)
}

fn fields(ty: &ApprovalType, request: &Request) -> String {
    request
        .fields
        .iter()
        .map(|(n, v)| {
            let field = ty.field(n);
            let label = field.map_or(n.as_str(), |f| f.label.as_str());
            // Dates say how many days they are (a leave of 2.5 days).
            let days = match field.map(|f| f.read(v, chrono::NaiveDate::MIN)) {
                Some(Ok(super::fields::Value::Dates(span))) => match span.days().as_str() {
                    "1" => " (1 day)".to_owned(),
                    d => format!(" ({d} days)"),
                },
                _ => String::new(),
            };
            format!("\n  {label}: {v}{days}")
        })
        .collect()
}

fn approvers(step: &Step) -> String {
    let names: Vec<&str> = step.seats.iter().map(|s| s.approver.name.as_str()).collect();
    match step.rule {
        Rule::One => names.join(", "),
        Rule::Any => format!("any one of {}", names.join(", ")),
        Rule::All => format!("all of {}", names.join(", ")),
    }
}

fn route(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| {
            let note = s.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
            format!("\n  {}. {}: {}{note}", s.position + 1, s.label, approvers(s))
        })
        .collect()
}

fn step_name(step: &Step) -> String {
    format!("step {} ({})", step.position + 1, step.label)
}

fn decided_word(decision: Decision) -> &'static str {
    match decision {
        Decision::Approve => "approved",
        Decision::Reject => "rejected",
        Decision::Changes => "asked for changes on",
    }
}

fn on_behalf_of(on_behalf: Option<&PersonName>) -> String {
    on_behalf.map(|p| format!(" on behalf of {}", p.name)).unwrap_or_default()
}

pub fn types(types: &[ApprovalType]) -> String {
    if types.is_empty() {
        return "No approval types are set up yet: an admin adds them to the config ([[approvals.types]]).".to_owned();
    }
    let mut out = "What you can request (/approval request <type> name:value …):".to_owned();
    for ty in types {
        out.push_str(&format!("\n\n{} ({})", ty.name, ty.title));
        for f in &ty.fields {
            let optional = if f.required { "" } else { ", optional" };
            out.push_str(&format!("\n  {}: {}{optional}", f.name, f.hint()));
        }
        let route: Vec<String> = ty
            .steps
            .iter()
            .map(|s| match &s.when {
                Some(w) => format!("{} (when {w})", s.label),
                None => s.label.clone(),
            })
            .collect();
        out.push_str(&format!("\n  approved by: {}", route.join(", then ")));
    }
    out
}

pub fn unknown_type(kind: &str, types: &[ApprovalType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name.as_str()).collect();
    if names.is_empty() {
        return format!("There is no approval type `{kind}`: none are set up yet (an admin adds them to the config).");
    }
    format!(
        "There is no approval type `{kind}`. The types are: {}. (/approval types shows their fields)",
        names.join(", ")
    )
}

pub fn unknown_field(ty: &ApprovalType, name: &str) -> String {
    let names: Vec<&str> = ty.fields.iter().map(|f| f.name.as_str()).collect();
    let suggestion = crate::chat::commands::suggest_name(name, names.iter().copied())
        .map(|s| format!(" Did you mean {s}?"))
        .unwrap_or_default();
    format!(
        "{} request has no field `{name}`.{suggestion} Its fields: {}.\n{}",
        a_type(ty),
        names.join(", "),
        usage(ty)
    )
}

pub fn field_twice(ty: &ApprovalType, name: &str) -> String {
    format!("`{name}:` is given twice.\n{}", usage(ty))
}

pub fn write_fields_named(ty: &ApprovalType) -> String {
    format!("Write each field as name:value.\n{}", usage(ty))
}

pub fn bad_field(ty: &ApprovalType, problem: &str) -> String {
    format!("{problem}. Nothing was requested.\n{}", usage(ty))
}

pub fn missing_fields(ty: &ApprovalType, missing: &[&Field]) -> String {
    let list: Vec<String> = missing.iter().map(|f| format!("{} ({})", f.name, f.hint())).collect();
    format!("Missing: {}. Nothing was requested.\n{}", list.join("; "), usage(ty))
}

/// `Usage: /approval request purchase item:<item> amount:<amount> [quote:<link or attached file>]`
fn usage(ty: &ApprovalType) -> String {
    let parts: Vec<String> = ty
        .fields
        .iter()
        .map(|f| {
            let value = if f.takes_files() { "link or attached file" } else { f.name.as_str() };
            if f.required { format!("{}:<{value}>", f.name) } else { format!("[{}:<{value}>]", f.name) }
        })
        .collect();
    format!("Usage: /approval request {} {}", ty.name, parts.join(" "))
}

pub fn ask_field(ty: &ApprovalType, field: &Field, left: usize) -> String {
    let left = if left > 1 { format!(" ({left} questions to go)") } else { String::new() };
    if field.takes_files() {
        return format!(
            "{} request{left}: {}? Reply with the file attached or a link https://…, or send the request again \
             with the file.",
            ty.title, field.label
        );
    }
    format!("{} request{left}: {}? Give {}.", ty.title, field.label, field.hint())
}

/// More files came with a request than it has document fields free for them.
/// "A purchase", "An expense".
fn a_type(ty: &ApprovalType) -> String {
    let article = if ty.name.starts_with(['a', 'e', 'i', 'o', 'u']) { "An" } else { "A" };
    format!("{article} {}", ty.name)
}

pub fn too_many_files(ty: &ApprovalType, count: usize) -> String {
    let slots: Vec<&str> = ty.fields.iter().filter(|f| f.takes_files()).map(|f| f.name.as_str()).collect();
    let came = if count == 1 { "a file came".to_owned() } else { format!("{count} files came") };
    match slots.as_slice() {
        [] => {
            format!("{} request takes no file, and {came} with it. Nothing was requested.\n{}", a_type(ty), usage(ty))
        }
        slots => {
            let takes = match slots {
                [one] => format!("one file ({one})"),
                many => format!("a file for each of {}", many.join(", ")),
            };
            format!(
                "{} request takes {takes}, and {came} with it. A field given a link takes no file; to say which \
                 field a file is for, name it with nothing after it (e.g. {}:). Nothing was requested.\n{}",
                a_type(ty),
                slots[0],
                usage(ty)
            )
        }
    }
}

pub fn document_too_large(file: &Attachment, max: usize) -> String {
    format!(
        "{} is {}; a request's document may be at most {} MB, so that every approver's messenger can deliver it. \
         Give a link to it instead. Nothing was requested.",
        file.name,
        file.size_text(),
        max / (1024 * 1024)
    )
}

pub fn one_file_per_answer(field: &Field) -> String {
    format!("{} takes one file: reply with one. Nothing was changed.", field.label)
}

pub fn bad_answer(problem: &str, field: &Field) -> String {
    format!("{problem}. Answer again with {}.", field.hint())
}

pub fn draft_gone() -> String {
    "That request was already sent or has expired; start again with /approval request.".to_owned()
}

pub fn fields_line(fields: &[(String, String)]) -> String {
    fields.iter().map(|(n, v)| format!("{n}: {v}")).collect::<Vec<_>>().join("; ")
}

pub fn requested(ty: &ApprovalType, request: &Request, steps: &[Step]) -> String {
    format!(
        "{} is sent.{}\nRoute:{}\nYou will hear of every step. /approval withdraw {} takes it back.",
        name(ty, request),
        fields(ty, request),
        route(steps),
        request.id
    )
}

pub fn resubmitted(ty: &ApprovalType, request: &Request, steps: &[Step]) -> String {
    format!("{} is sent again.{}\nRoute:{}", name(ty, request), fields(ty, request), route(steps))
}

pub fn prompt(ty: &ApprovalType, request: &Request, step: &Step, on_behalf: Option<&PersonName>) -> String {
    let behalf = on_behalf.map(|p| format!("\n(You decide on behalf of {}.)", p.name)).unwrap_or_default();
    let all = if step.rule == Rule::All { "\nEveryone on this step must approve." } else { "" };
    format!(
        "{} from {} waits for your decision, {}.{}{all}{behalf}",
        name(ty, request),
        request.requester.name,
        step_name(step),
        fields(ty, request)
    )
}

#[allow(clippy::too_many_arguments)]
pub fn prompt_decided(
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
    let reason = reason.map(|r| format!(": {r}")).unwrap_or_default();
    format!(
        "{} from {}, {}.{}\n{by}{} {} it on {}{reason}",
        name(ty, request),
        request.requester.name,
        step_name(step),
        fields(ty, request),
        on_behalf_of(on_behalf),
        decided_word(decision),
        local_time(at, tz),
    )
}

pub fn prompt_withdrawn(ty: &ApprovalType, request: &Request) -> String {
    format!(
        "{} from {}.{}\nWithdrawn by {}: nothing to decide.",
        name(ty, request),
        request.requester.name,
        fields(ty, request),
        request.requester.name
    )
}

pub fn you_decided(
    ty: &ApprovalType,
    request: &Request,
    step: &Step,
    decision: Decision,
    on_behalf: Option<&PersonName>,
) -> String {
    format!("You {} {}, {}{}.", decided_word(decision), name(ty, request), step_name(step), on_behalf_of(on_behalf))
}

/// An approval's optional note, for the requester.
pub fn with_note(text: &str, by: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{text}\nNote from {by}: {note}"),
        None => text.to_owned(),
    }
}

pub fn partly_approved(ty: &ApprovalType, request: &Request, step: &Step, by: &str, waiting: &[&Seat]) -> String {
    let names: Vec<&str> = waiting.iter().map(|s| s.approver.name.as_str()).collect();
    format!("{by} approved your {}, {}; still waiting for {}.", name(ty, request), step_name(step), names.join(", "))
}

pub fn step_approved(ty: &ApprovalType, request: &Request, step: &Step, by: &str, next: &Step) -> String {
    format!(
        "{by} approved your {}, {}. Next: {} by {}.",
        name(ty, request),
        step_name(step),
        step_name(next),
        approvers(next)
    )
}

pub fn outcome_for_requester(
    ty: &ApprovalType,
    request: &Request,
    step: &Step,
    by: &str,
    reason: Option<&str>,
) -> String {
    let note = reason;
    let reason = reason.map(|r| format!(" Reason: {r}")).unwrap_or_default();
    match request.status {
        RequestStatus::Approved => with_note(
            &format!("Your {} is approved: {by} gave the last approval ({}).", name(ty, request), step_name(step)),
            by,
            note,
        ),
        RequestStatus::Rejected => {
            format!("Your {} was rejected by {by} at {}.{reason}", name(ty, request), step_name(step))
        }
        RequestStatus::Changes => format!(
            "{by} asks for changes to your {} at {}.{reason}\nChange it with /approval resubmit {} name:value …, or /approval withdraw {}.",
            name(ty, request),
            step_name(step),
            request.id,
            request.id
        ),
        RequestStatus::Pending | RequestStatus::Withdrawn => {
            format!("Your {} is {}.", name(ty, request), request.status)
        }
    }
}

pub fn outcome_notice(ty: &ApprovalType, request: &Request, steps: &[Step], tz: Tz) -> String {
    let deciders: Vec<String> = steps
        .iter()
        .filter(|s| s.round == request.round)
        .flat_map(|s| &s.seats)
        .filter(|s| matches!(s.state, SeatState::Approved | SeatState::Rejected))
        .filter_map(|s| {
            let by = s.decided_by.as_ref()?;
            let behalf = if by.id == s.approver.id { String::new() } else { format!(" for {}", s.approver.name) };
            Some(format!("{} {}{behalf}", by.name, s.state))
        })
        .collect();
    let when = request.decided_at.map(|t| format!(" on {}", local_time(t, tz))).unwrap_or_default();
    format!(
        "{} by {}: {}{when}.{}\n{}",
        name(ty, request),
        request.requester.name,
        request.status,
        fields(ty, request),
        deciders.join("; ")
    )
}

pub fn step_line(step: &Step) -> String {
    format!("{} approved", step_name(step))
}

pub fn decision_line(step: &Step, on_behalf: Option<&PersonName>, reason: Option<&str>) -> String {
    let reason = reason.map(|r| format!(": {r}")).unwrap_or_default();
    format!("{}{}{reason}", step_name(step), on_behalf_of(on_behalf))
}

pub fn ask_reason(ty: &ApprovalType, request: &Request, decision: Decision) -> String {
    match decision {
        Decision::Changes => format!("What should {} change in {}?", request.requester.name, name(ty, request)),
        _ => format!("Why do you reject {}? {} will see your reason.", name(ty, request), request.requester.name),
    }
}

pub fn reason_needed(decision: Decision, id: RequestId) -> String {
    match decision {
        Decision::Changes => format!("Say what to change: /approval changes {id} <what to change>"),
        _ => format!("Give the reason: /approval reject {id} <reason>"),
    }
}

/// Why a request takes no decision now, naming who decided it.
pub fn not_open(request: &Request, steps: &[Step], me: PersonId) -> String {
    let last = steps
        .iter()
        .flat_map(|s| &s.seats)
        .filter(|s| s.decided_at.is_some())
        .max_by_key(|s| s.decided_at)
        .and_then(|s| s.decided_by.as_ref());
    let by = match last {
        Some(p) if p.id == me => " by you".to_owned(),
        Some(p) => format!(" by {}", p.name),
        None => String::new(),
    };
    match request.status {
        RequestStatus::Approved => format!("#{} was already approved{by}.", request.id),
        RequestStatus::Rejected => format!("#{} was already rejected{by}.", request.id),
        RequestStatus::Changes => format!("#{} was sent back for changes{by}; it waits for its requester.", request.id),
        RequestStatus::Withdrawn => format!("#{} was withdrawn by {}.", request.id, request.requester.name),
        RequestStatus::Pending => format!("#{} is still open.", request.id),
    }
}

pub fn seat_taken(request: &Request, step: &Step, seat: &Seat, me: PersonId) -> String {
    if let Some(by) = &seat.decided_by {
        let who = if by.id == me { "You".to_owned() } else { by.name.clone() };
        let did = match seat.state {
            SeatState::Rejected => "rejected",
            SeatState::Changes => "asked for changes on",
            _ => "approved",
        };
        return format!("{who} already {did} #{}, {}.", request.id, step_name(step));
    }
    match step.deciders().first().and_then(|s| s.decided_by.as_ref()) {
        Some(by) if by.id == me => format!("You already decided #{}, {}.", request.id, step_name(step)),
        Some(by) => format!("{} already decided #{}, {}.", by.name, request.id, step_name(step)),
        None => format!("#{}, {} is already decided.", request.id, step_name(step)),
    }
}

pub fn stale_prompt(request: &Request, now_at: &Step) -> String {
    format!("That prompt is out of date: #{} is now at {}. Nothing was changed.", request.id, step_name(now_at))
}

pub fn not_your_step(request: &Request, step: &Step) -> String {
    format!(
        "Only {} (or whoever they delegated to) can decide #{}, {}. Nothing was changed.",
        approvers(step),
        request.id,
        step_name(step)
    )
}

pub fn not_your_request(id: RequestId, verb: &str) -> String {
    format!("Only the person who made #{id} can {verb} it.")
}

pub fn withdrawn(ty: &ApprovalType, request: &Request) -> String {
    format!("{} is withdrawn. Its approvers' prompts say so.", name(ty, request))
}

pub fn not_waiting_for_changes(request: &Request) -> String {
    format!(
        "#{} is {}: only a request sent back for changes can be resubmitted.",
        request.id,
        match request.status {
            RequestStatus::Pending => "still waiting for a decision",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Withdrawn => "withdrawn",
            RequestStatus::Changes => "waiting for changes",
        }
    )
}

pub fn type_gone(kind: &str) -> String {
    format!("The approval type `{kind}` is no longer set up, so this request cannot be sent again.")
}

pub fn not_found(id: RequestId) -> String {
    format!("There is no approval request #{id}.")
}

pub fn not_yours_to_see(id: RequestId) -> String {
    format!("#{id} is not yours to see: only its requester, its approvers and admins can.")
}

pub fn details(ty: &ApprovalType, request: &Request, steps: &[Step], history: &[EventRecord], tz: Tz) -> String {
    let current: Vec<Step> = steps.iter().filter(|s| s.round == request.round).cloned().collect();
    let mut out = format!(
        "{} by {}: {}{}\nMade {}.{}\nRoute:",
        name(ty, request),
        request.requester.name,
        request.status,
        if request.round > 1 { format!(" (round {})", request.round) } else { String::new() },
        local_time(request.created_at, tz),
        fields(ty, request),
    );
    for step in &current {
        let state = match step.status {
            StepStatus::Pending => "waiting for a decision".to_owned(),
            StepStatus::Waiting => "not reached yet".to_owned(),
            other => other.to_string(),
        };
        let note = step.note.as_ref().map(|n| format!(" ({n})")).unwrap_or_default();
        out.push_str(&format!("\n  {}. {}: {} - {state}{note}", step.position + 1, step.label, approvers(step)));
    }
    out.push_str("\nHistory:");
    for e in history {
        let who = e.actor.as_deref().unwrap_or("Deskmate");
        let detail = if e.detail.is_empty() { String::new() } else { format!(" - {}", e.detail) };
        out.push_str(&format!("\n  {} {who} ({}): {}{detail}", local_time(e.at, tz), e.platform, e.action));
    }
    out
}

pub fn pending_takes_no_filters() -> String {
    "/approval list pending shows everything waiting for you; filters (type:, status:, since:) are for mine and all."
        .to_owned()
}

pub fn pending_list(seats: &[PendingSeat], me: PersonId, page: i64, tz: Tz) -> String {
    if seats.is_empty() {
        return if page > 1 {
            format!("Nothing waiting for you on page {page}.")
        } else {
            "Nothing is waiting for your decision.".to_owned()
        };
    }
    let mut out = format!("Waiting for your decision (page {page}):");
    for s in seats {
        let behalf = if s.approver.id == me { String::new() } else { format!(", for {}", s.approver.name) };
        out.push_str(&format!(
            "\n  #{} {} from {}, {}{behalf}, since {}",
            s.request,
            s.kind,
            s.requester,
            s.step_label,
            local_time(s.since, tz)
        ));
    }
    if seats.len() as i64 == super::service::PAGE {
        out.push_str(&format!("\nNext page: /approval list pending page:{}", page + 1));
    }
    out
}

pub fn all_is_for_admins() -> String {
    "Only admins can list everyone's requests. /approval list mine shows yours.".to_owned()
}

pub fn bad_since(day: &str) -> String {
    format!("since: `{day}` is not a date; write e.g. since:2026-11-01")
}

pub fn request_list(requests: &[Request], scope: ListScope, page: i64, tz: Tz) -> String {
    let whose = if scope == ListScope::Mine { "Your requests" } else { "Requests" };
    if requests.is_empty() {
        return format!("{whose}: none{}.", if page > 1 { format!(" on page {page}") } else { String::new() });
    }
    let mut out = format!("{whose} (page {page}):");
    for r in requests {
        out.push_str(&format!(
            "\n  #{} {} by {}: {}, made {}",
            r.id,
            r.kind,
            r.requester.name,
            r.status,
            local_time(r.created_at, tz)
        ));
    }
    if requests.len() as i64 == super::service::PAGE {
        out.push_str(&format!("\nNext page: add page:{}", page + 1));
    }
    out
}

pub fn pending_choice(seat: &PendingSeat) -> String {
    format!("#{} {} from {} ({})", seat.request, seat.kind, seat.requester, seat.step_label)
}

pub fn request_choice(r: &Request) -> String {
    format!("#{} {} ({})", r.id, r.kind, r.status)
}

// Routing notes, told to the requester with the route.

pub fn no_manager(requester: &str) -> String {
    format!("{requester} has no manager in the directory")
}

pub fn no_department(name: &str) -> String {
    format!("there is no department {name}")
}

pub fn department_without_manager(name: &str) -> String {
    format!("{name} has no manager")
}

pub fn nobody_holds(role: Role) -> String {
    format!("nobody else holds the {role} role")
}

pub fn unknown_person(address: &str) -> String {
    format!("{address} has not used Deskmate yet")
}

pub fn moved_up(requester: &str) -> String {
    format!("the step would be {requester}'s own, so it goes to their manager")
}

pub fn own_step_without_manager(requester: &str) -> String {
    format!("the step would be {requester}'s own and they have no manager")
}

pub fn to_admins(why: &str) -> String {
    format!("sent to the admins: {why}")
}

pub fn no_route(label: &str, why: &str) -> String {
    format!("Nobody can approve the step {label}: {why}, and there is no admin besides you. Nothing was requested.")
}

// Reminders, escalation, delegation.

pub fn reminder(prompt: &str, step: &Step) -> String {
    let since = step.started_at.map(|t| format!(" since {}", t.format("%Y-%m-%d %H:%M UTC"))).unwrap_or_default();
    format!("Reminder: this still waits for you{since}.\n{prompt}")
}

pub fn escalated_to_you(prompt: &str) -> String {
    format!("Escalated to you: its approver has not decided in time.\n{prompt}")
}

pub fn moved_to_you(prompt: &str) -> String {
    format!("Moved to you by a delegation.\n{prompt}")
}

pub fn step_line_pending(step: &Step) -> String {
    format!("{} reminded", step_name(step))
}

pub fn escalation_line(step: &Step, to: &[&str]) -> String {
    format!("{} escalated to {}", step_name(step), to.join(", "))
}

pub fn escalated_for_requester(ty: &ApprovalType, request: &Request, step: &Step, to: &[&str]) -> String {
    format!("Your {} waited too long at {}: it now also goes to {}.", name(ty, request), step_name(step), to.join(", "))
}

pub fn away_without_manager() -> String {
    "You have no manager in the directory to hand your approvals to: name someone, e.g. /away until friday to:@carol"
        .to_owned()
}

pub fn delegate_to_self() -> String {
    "You cannot delegate to yourself. Nothing was changed.".to_owned()
}

pub fn delegation_loop(name: &str) -> String {
    format!("{name} already hands their approvals on to you: that would be a loop. Nothing was changed.")
}

pub fn delegated(to: &str, until: DateTime<Utc>, tz: Tz, moved: usize) -> String {
    let moved = match moved {
        0 => String::new(),
        1 => " The 1 prompt waiting for you went to them too.".to_owned(),
        n => format!(" The {n} prompts waiting for you went to them too."),
    };
    format!(
        "Until {} ({}), {to} decides your approvals; the record will say on your behalf.{moved} /approval undelegate ends it sooner.",
        local_time(until, tz),
        tz.name()
    )
}

pub fn delegated_to_you(from: &str, until: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{from} asked you to decide their approvals until {} ({}). Their prompts will come to you.",
        local_time(until, tz),
        tz.name()
    )
}

pub fn no_delegation() -> String {
    "You have no delegation running.".to_owned()
}

pub fn undelegated(to: &str) -> String {
    format!("Your delegation to {to} is over; your prompts come to you again.")
}

pub fn delegation_ended_for_delegate(from: &str) -> String {
    format!("{from} is back: you no longer decide their approvals.")
}

pub fn delegation_over() -> String {
    "Your delegation has ended; your approvals come to you again.".to_owned()
}

pub fn bad_until(typed: &str) -> String {
    format!("`{typed}` is not a date; write e.g. until 2026-12-10, until friday or until 2026-12-10 18:00")
}

pub fn until_passed() -> String {
    "That date has passed; a delegation needs an end in the future.".to_owned()
}

pub fn until_too_far(days: i64) -> String {
    format!("A delegation lasts at most {days} days.")
}

// The report.

/// How long one step of one type took, over the period's decisions, sorted.
pub struct StepTimes {
    pub kind: String,
    pub position: i64,
    pub label: String,
    pub took: Vec<chrono::Duration>,
}

/// The nearest-rank percentile of sorted durations.
fn percentile(sorted: &[chrono::Duration], p: usize) -> chrono::Duration {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[(rank - 1).min(sorted.len() - 1)]
}

/// `45m`, `3h 20m`, `2d 4h`.
fn span(d: chrono::Duration) -> String {
    let minutes = d.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, m) => format!("{m}m"),
        (0, h, 0) => format!("{h}h"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, 0, _) => format!("{d}d"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

pub fn report(
    period: super::cmd::Period,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
    counts: &[(String, RequestStatus, i64)],
    steps: &[StepTimes],
) -> String {
    let mut out = format!("Approvals, {} to {} ({period}):", local_time(since, tz), local_time(now, tz));
    if counts.is_empty() {
        out.push_str("\n  no requests made");
    }
    let mut kinds: Vec<&str> = counts.iter().map(|(k, _, _)| k.as_str()).collect();
    kinds.dedup();
    for kind in kinds {
        let total: i64 = counts.iter().filter(|(k, _, _)| k == kind).map(|(_, _, n)| n).sum();
        let parts: Vec<String> = RequestStatus::ALL
            .iter()
            .filter_map(|status| {
                counts.iter().find(|(k, s, _)| k == kind && s == status).map(|(_, s, n)| format!("{n} {s}"))
            })
            .collect();
        out.push_str(&format!("\n  {kind}: {total} ({})", parts.join(", ")));
    }
    if !steps.is_empty() {
        out.push_str("\nTime to decision per step (median / 90th percentile):");
        for s in steps {
            out.push_str(&format!(
                "\n  {}, step {} ({}): {} / {} over {} decision{}",
                s.kind,
                s.position + 1,
                s.label,
                span(percentile(&s.took, 50)),
                span(percentile(&s.took, 90)),
                s.took.len(),
                if s.took.len() == 1 { "" } else { "s" }
            ));
        }
    }
    out
}

/// A request waiting for the person, on their agenda.
pub fn agenda_line(seat: &PendingSeat, tz: Tz) -> String {
    format!(
        "Approval #{} ({} from {}, {}) since {}: /approval show {}",
        seat.request,
        seat.kind,
        seat.requester,
        seat.step_label,
        local_time(seat.since, tz),
        seat.request
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let m = |n: i64| chrono::Duration::minutes(n);
        let sorted: Vec<chrono::Duration> = (1..=10).map(m).collect();
        assert_eq!(percentile(&sorted, 50), m(5));
        assert_eq!(percentile(&sorted, 90), m(9));
        assert_eq!(percentile(&[m(7)], 90), m(7));
        assert_eq!(span(m(45)), "45m");
        assert_eq!(span(m(200)), "3h 20m");
        assert_eq!(span(m(60 * 52)), "2d 4h");
    }
}

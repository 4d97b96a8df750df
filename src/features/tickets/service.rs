//! Work orders: open, list, show, claim, close.

use super::model::{ListScope, Priority, Ticket, TicketId, TicketStatus, TransitionError, sees_all_tickets};
use super::store::{NewTicket, TicketFilter};
use super::{NEW_TICKET, QUEUE, text};
use crate::chat::feature::{Cx, Kit};
use crate::chat::questions;
use crate::chat::text as chat_text;
use crate::kernel::{Actor, Coalesce, Effect, Person, Role, ServiceResult, refuse};
use crate::limits::TextLimit;
use crate::store::Tx;

const LIST_LIMIT: i64 = 25;

const TITLE: TextLimit = TextLimit { what: "title", max: 200 };
const RESOLUTION: TextLimit = TextLimit { what: "resolution", max: 2000 };

/// How long the resolution question waits for its answer.
const RESOLUTION_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

pub async fn open(cx: &mut Cx<'_>, title: &str, priority: Priority) -> ServiceResult {
    let title = TITLE.check(title)?;
    let ticket =
        cx.tx.create_ticket(NewTicket { title, priority, requester: cx.actor.person.id }, cx.actor.audit()).await?;
    Ok(vec![
        Effect::reply(text::ticket_opened(&ticket)),
        Effect::Notice {
            audience: QUEUE,
            subject: ticket.subject(),
            body: text::ticket_notice(&ticket).into(),
            coalesce: Some(Coalesce { kind: NEW_TICKET, label: format!("#{}", ticket.id) }),
        },
    ])
}

pub async fn list(kit: &Kit, actor: &Actor, scope: ListScope, mine: bool) -> ServiceResult {
    const OPEN: &[TicketStatus] = &[TicketStatus::Open];
    const CLAIMED: &[TicketStatus] = &[TicketStatus::Claimed];
    const CLOSED: &[TicketStatus] = &[TicketStatus::Closed];
    let (statuses, word) = match scope {
        ListScope::Open => (Some(OPEN), "open"),
        ListScope::Claimed => (Some(CLAIMED), "claimed"),
        ListScope::Closed => (Some(CLOSED), "closed"),
        ListScope::Active => (Some(TicketStatus::ACTIVE), "active"),
        ListScope::All => (None, ""),
    };
    let involving = (mine || !sees_all_tickets(&actor.person)).then_some(actor.person.id);
    let tickets = kit.store.tickets(TicketFilter { statuses, involving, limit: LIST_LIMIT }).await?;
    let what = match (involving.is_some(), word.is_empty()) {
        (true, true) => "of your".to_owned(),
        (true, false) => format!("of your {word}"),
        (false, _) => word.to_owned(),
    };
    Ok(vec![Effect::reply(text::ticket_list(&tickets, what.trim(), actor.tz))])
}

/// Active tickets the person may act on whose number starts with, or title contains,
/// what they typed: suggestions while an option is typed.
pub async fn suggest(kit: &Kit, person: &Person, typed: &str) -> ServiceResult<Vec<Ticket>> {
    let involving = (!sees_all_tickets(person)).then_some(person.id);
    let tickets =
        kit.store.tickets(TicketFilter { statuses: Some(TicketStatus::ACTIVE), involving, limit: 200 }).await?;
    let typed = typed.trim().trim_start_matches('#').to_lowercase();
    Ok(tickets
        .into_iter()
        .filter(|t| typed.is_empty() || t.id.to_string().starts_with(&typed) || t.title.to_lowercase().contains(&typed))
        .take(25)
        .collect())
}

pub async fn show(kit: &Kit, actor: &Actor, id: TicketId) -> ServiceResult {
    let Some(ticket) = kit.store.ticket(id).await? else { return refuse(text::ticket_not_found(id)) };
    let involved =
        ticket.requester.id == actor.person.id || ticket.assignee.as_ref().is_some_and(|a| a.id == actor.person.id);
    if !involved && !sees_all_tickets(&actor.person) {
        return refuse(text::ticket_not_yours(id));
    }
    let history = kit.store.events(ticket.subject()).await?;
    Ok(vec![Effect::reply(text::ticket_details(&ticket, &history, actor.tz))])
}

/// Claims a ticket for the actor, who must be an agent. Of two agents racing, one wins;
/// the other is told who has it.
pub async fn claim(cx: &mut Cx<'_>, id: TicketId) -> ServiceResult {
    let actor = cx.actor;
    if !actor.is(Role::Agent) {
        return refuse(chat_text::needs_role(Role::Agent, "ticket claim"));
    }
    let ticket = find(cx.tx, id).await?;
    if let Err(e) = ticket.status.claim() {
        return refuse(explain(&ticket, e, actor));
    }
    let Some(claimed) = cx.tx.claim_ticket(id, ticket.status, actor.person.id, actor.audit()).await? else {
        // Someone else changed it between our read and our write: report what they did.
        let now = find(cx.tx, id).await?;
        let e = now.status.claim().err().unwrap_or(TransitionError::AlreadyClaimed);
        return refuse(explain(&now, e, actor));
    };
    let mut effects = vec![
        Effect::reply(text::ticket_claimed(&claimed)),
        Effect::UpdateNotices { subject: claimed.subject(), body: text::ticket_notice(&claimed).into() },
    ];
    if claimed.requester.id != actor.person.id {
        effects.push(Effect::direct(
            claimed.requester.id,
            text::ticket_claimed_for_requester(&claimed, &actor.person.display_name),
        ));
    }
    Ok(effects)
}

/// Closes a ticket. Agents may close any ticket; a requester may withdraw their own.
pub async fn close(cx: &mut Cx<'_>, id: TicketId, resolution: Option<&str>) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id).await?;
    may_close(&ticket, actor)?;
    let resolution = resolution.map(|r| RESOLUTION.check(r)).transpose()?.filter(|r| !r.is_empty());
    let Some(closed) = cx.tx.close_ticket(id, ticket.status, resolution, actor.person.id, actor.audit()).await? else {
        let now = find(cx.tx, id).await?;
        let e = now.status.close().err().unwrap_or(TransitionError::AlreadyClosed);
        return refuse(explain(&now, e, actor));
    };
    let mut effects = vec![
        Effect::reply(text::ticket_closed(&closed)),
        Effect::UpdateNotices { subject: closed.subject(), body: text::ticket_notice(&closed).into() },
    ];
    if closed.requester.id != actor.person.id {
        effects.push(Effect::direct(
            closed.requester.id,
            text::ticket_closed_for_requester(&closed, &actor.person.display_name),
        ));
    }
    // The agent working on it hears when someone else closed it.
    if let Some(agent) = closed.assignee.as_ref().filter(|a| a.id != actor.person.id && a.id != closed.requester.id) {
        effects.push(Effect::direct(agent.id, text::ticket_closed_for_assignee(&closed, &actor.person.display_name)));
    }
    Ok(effects)
}

/// Resolve pressed: asks the presser for the resolution note (the answer closes the
/// ticket, checked again then). Refused now if they could not close it anyway.
pub async fn ask_resolution(cx: &mut Cx<'_>, id: TicketId) -> ServiceResult {
    let ticket = find(cx.tx, id).await?;
    may_close(&ticket, cx.actor)?;
    let question = text::ask_resolution(&ticket);
    let action = super::button(super::Press::Resolve, id);
    Ok(vec![questions::ask(cx, cx.actor.person.id, question, &action, RESOLUTION_LIFETIME).await?])
}

/// Whether the actor may close this ticket now: their right to, and its status.
fn may_close(ticket: &Ticket, actor: &Actor) -> ServiceResult<()> {
    if !ticket.may_be_closed_by(&actor.person) {
        return refuse(text::ticket_close_refused(ticket.id));
    }
    if let Err(e) = ticket.status.close() {
        return refuse(explain(ticket, e, actor));
    }
    Ok(())
}

fn explain(ticket: &Ticket, error: TransitionError, actor: &Actor) -> String {
    match error {
        TransitionError::AlreadyClaimed => {
            let you = ticket.assignee.as_ref().is_some_and(|a| a.id == actor.person.id);
            text::ticket_already_claimed(ticket.id, ticket.assignee.as_ref(), you)
        }
        TransitionError::AlreadyClosed => text::ticket_already_closed(ticket.id),
    }
}

async fn find(tx: &mut Tx, id: TicketId) -> ServiceResult<Ticket> {
    match tx.ticket(id).await? {
        Some(t) => Ok(t),
        None => refuse(text::ticket_not_found(id)),
    }
}

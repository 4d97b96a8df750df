//! Work orders: open, list, show, claim, close.

use super::model::{ListScope, Priority, Ticket, TicketId, TicketStatus, TransitionError, sees_all_tickets};
use super::store::{NewTicket, TicketFilter};
use super::{NEW_TICKET, QUEUE, text};
use crate::chat::feature::{Cx, Kit};
use crate::chat::questions;
use crate::chat::text as chat_text;
use crate::kernel::{Actor, Coalesce, Effect, Person, Role, ServiceResult, Shown, refuse};
use crate::limits::TextLimit;
use crate::store::Tx;

const LIST_LIMIT: i64 = 25;

static TITLE: TextLimit = TextLimit { what: "limit-title", catalog: &text::CATALOG, max: 200 };
static RESOLUTION: TextLimit = TextLimit { what: "limit-resolution", catalog: &text::CATALOG, max: 2000 };

/// How long the resolution question waits for its answer.
const RESOLUTION_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

pub async fn open(cx: &mut Cx<'_>, title: &str, priority: Priority) -> ServiceResult {
    let title = TITLE.check(cx.actor.lang, title)?;
    let ticket =
        cx.tx.create_ticket(NewTicket { title, priority, requester: cx.actor.person.name() }, cx.actor.audit()).await?;
    Ok(vec![
        Effect::reply(text::ticket_opened(cx.actor.lang, &ticket)),
        Effect::Notice {
            audience: QUEUE,
            subject: ticket.subject(),
            body: notice(&ticket),
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
        ListScope::All => (None, "all"),
    };
    let involving = (mine || !sees_all_tickets(&actor.person)).then_some(actor.person.id);
    let tickets = kit.store.tickets(TicketFilter { statuses, involving, limit: LIST_LIMIT }).await?;
    Ok(vec![Effect::reply(text::ticket_list(actor.lang, &tickets, (word, involving.is_some()), actor.tz))])
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
    let Some(ticket) = kit.store.ticket(id).await? else { return refuse(text::ticket_not_found(actor.lang, id)) };
    let involved =
        ticket.requester.id == actor.person.id || ticket.assignee.as_ref().is_some_and(|a| a.id == actor.person.id);
    if !involved && !sees_all_tickets(&actor.person) {
        return refuse(text::ticket_not_yours(actor.lang, id));
    }
    let history = kit.store.events(ticket.subject()).await?;
    Ok(vec![Effect::reply(text::ticket_details(actor.lang, &ticket, &history, actor.tz))])
}

/// Claims a ticket for the actor, who must be an agent. Of two agents racing, one wins;
/// the other is told who has it.
pub async fn claim(cx: &mut Cx<'_>, id: TicketId) -> ServiceResult {
    let actor = cx.actor;
    if !actor.is(Role::Agent) {
        return refuse(chat_text::needs_role(actor.lang, Role::Agent, "ticket claim"));
    }
    let ticket = find(cx.tx, id, actor).await?;
    if let Err(e) = ticket.status.claim() {
        return refuse(explain(&ticket, e, actor));
    }
    let Some(claimed) = cx.tx.claim_ticket(id, ticket.status, actor.person.id, actor.audit()).await? else {
        // Someone else changed it between our read and our write: report what they did.
        let now = find(cx.tx, id, actor).await?;
        let e = now.status.claim().err().unwrap_or(TransitionError::AlreadyClaimed);
        return refuse(explain(&now, e, actor));
    };
    let mut effects = vec![
        Effect::reply(text::ticket_claimed(actor.lang, &claimed)),
        Effect::UpdateNotices { subject: claimed.subject(), body: notice(&claimed) },
    ];
    if claimed.requester.id != actor.person.id {
        let (ticket, agent) = (claimed.clone(), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::ticket_claimed_for_requester(r.lang, &ticket, &agent));
        effects.push(Effect::Direct { person: claimed.requester.id, body, subject: None });
    }
    Ok(effects)
}

/// Closes a ticket. Agents may close any ticket; a requester may withdraw their own.
pub async fn close(cx: &mut Cx<'_>, id: TicketId, resolution: Option<&str>) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    may_close(&ticket, actor)?;
    let resolution = resolution.map(|r| RESOLUTION.check(cx.actor.lang, r)).transpose()?.filter(|r| !r.is_empty());
    let Some(closed) = cx.tx.close_ticket(id, ticket.status, resolution, actor.person.id, actor.audit()).await? else {
        let now = find(cx.tx, id, actor).await?;
        let e = now.status.close().err().unwrap_or(TransitionError::AlreadyClosed);
        return refuse(explain(&now, e, actor));
    };
    let mut effects = vec![
        Effect::reply(text::ticket_closed(actor.lang, &closed)),
        Effect::UpdateNotices { subject: closed.subject(), body: notice(&closed) },
    ];
    if closed.requester.id != actor.person.id {
        let (ticket, by) = (closed.clone(), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::ticket_closed_for_requester(r.lang, &ticket, &by));
        effects.push(Effect::Direct { person: closed.requester.id, body, subject: None });
    }
    // The agent working on it hears when someone else closed it.
    if let Some(agent) = closed.assignee.as_ref().filter(|a| a.id != actor.person.id && a.id != closed.requester.id) {
        let (ticket, by) = (closed.clone(), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::ticket_closed_for_assignee(r.lang, &ticket, &by));
        effects.push(Effect::Direct { person: agent.id, body, subject: None });
    }
    Ok(effects)
}

/// Resolve pressed: asks the presser for the resolution note (the answer closes the
/// ticket, checked again then). Refused now if they could not close it anyway.
pub async fn ask_resolution(cx: &mut Cx<'_>, id: TicketId) -> ServiceResult {
    let ticket = find(cx.tx, id, cx.actor).await?;
    may_close(&ticket, cx.actor)?;
    let question = text::ask_resolution(cx.actor.lang, &ticket);
    let action = super::button(super::Press::Resolve, id);
    Ok(vec![questions::ask(cx, cx.actor.person.id, question, &action, RESOLUTION_LIFETIME).await?])
}

/// Whether the actor may close this ticket now: their right to, and its status.
fn may_close(ticket: &Ticket, actor: &Actor) -> ServiceResult<()> {
    if !ticket.may_be_closed_by(&actor.person) {
        return refuse(text::ticket_close_refused(actor.lang, ticket.id));
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
            text::ticket_already_claimed(actor.lang, ticket.id, ticket.assignee.as_ref(), you)
        }
        TransitionError::AlreadyClosed => text::ticket_already_closed(actor.lang, ticket.id),
    }
}

async fn find(tx: &mut Tx, id: TicketId, actor: &Actor) -> ServiceResult<Ticket> {
    match tx.ticket(id).await? {
        Some(t) => Ok(t),
        None => refuse(text::ticket_not_found(actor.lang, id)),
    }
}

/// The support queue's notice, in each channel's language.
fn notice(ticket: &Ticket) -> Shown {
    let ticket = ticket.clone();
    Shown::per_reader(move |reader| text::ticket_notice(reader.lang, &ticket))
}

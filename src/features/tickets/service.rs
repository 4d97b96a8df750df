//! Work orders: open, list, show, and each move of their life (claim … reopen).

use super::config::Settings;
use super::model::{ListScope, Move, Priority, Ticket, TicketId, TicketStatus, TransitionError, sees_all_tickets};
use super::store::{Change, NewTicket, TicketFilter};
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
static NOTE: TextLimit = TextLimit { what: "limit-note", catalog: &text::CATALOG, max: 2000 };

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
    use TicketStatus as S;
    let statuses: Option<&'static [TicketStatus]> = match scope {
        ListScope::Open => Some(&[S::Open]),
        ListScope::Claimed => Some(&[S::Claimed]),
        ListScope::Working => Some(&[S::InProgress, S::Waiting]),
        ListScope::Resolved => Some(&[S::Resolved]),
        ListScope::Closed => Some(&[S::Closed]),
        ListScope::Active => Some(S::ACTIVE),
        ListScope::All => None,
    };
    let word = scope.as_str();
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
    let ticket = visible(kit, actor, id).await?;
    let history = kit.store.events(ticket.subject()).await?;
    Ok(vec![Effect::reply(text::ticket_details(actor.lang, &ticket, &history, actor.tz))])
}

/// Who did what to it, when and from where: the ticket's audit trail.
pub async fn history(kit: &Kit, actor: &Actor, id: TicketId) -> ServiceResult {
    let ticket = visible(kit, actor, id).await?;
    let history = kit.store.events(ticket.subject()).await?;
    Ok(vec![Effect::reply(text::ticket_history(actor.lang, &ticket, &history, actor.tz))])
}

/// The ticket, if the actor may read it: its requester, its agent, agents and managers.
async fn visible(kit: &Kit, actor: &Actor, id: TicketId) -> ServiceResult<Ticket> {
    let Some(ticket) = kit.store.ticket(id).await? else { return refuse(text::ticket_not_found(actor.lang, id)) };
    if !ticket.is_requester(&actor.person) && !ticket.is_assignee(&actor.person) && !sees_all_tickets(&actor.person) {
        return refuse(text::ticket_not_yours(actor.lang, id));
    }
    Ok(ticket)
}

/// A move of a ticket's life by the actor: their right to make it, then the status's.
/// Of two agents racing, one wins; the other is told what the winner did. `note` is what
/// the move records: the question when waiting, the resolution, why it was reopened.
pub async fn act(cx: &mut Cx<'_>, rules: &Settings, id: TicketId, tried: Move, note: Option<&str>) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    may(&ticket, tried, actor, rules)?;
    let to = match ticket.status.after(tried, ticket.assignee.is_some()) {
        Ok(to) => to,
        Err(e) => return refuse(explain(&ticket, &e, actor)),
    };
    let limit = if matches!(tried, Move::Resolve | Move::Close) { &RESOLUTION } else { &NOTE };
    let note = note.map(|t| limit.check(actor.lang, t)).transpose()?.filter(|t| !t.is_empty());
    let by = actor.person.id;
    let change = match tried {
        Move::Claim => Change::Claim { agent: by },
        Move::Start => Change::Start,
        Move::Wait => Change::Wait { question: note },
        Move::Resolve => match note {
            Some(resolution) => Change::Resolve { resolution, by },
            None => return refuse(text::resolution_needed(actor.lang, id)),
        },
        Move::Close => Change::Close { resolution: note, by },
        Move::Reopen => Change::Reopen { why: note },
    };
    let Some(moved) = cx.tx.move_ticket(id, ticket.status, to, change, actor.audit()).await? else {
        // Someone else changed it between our read and our write: report what they did.
        let now = find(cx.tx, id, actor).await?;
        let e = now.status.after(tried, now.assignee.is_some()).err().unwrap_or_else(|| TransitionError {
            from: now.status,
            tried,
            allowed: Vec::new(),
        });
        return refuse(explain(&now, &e, actor));
    };
    Ok(told(&moved, tried, actor, rules, note))
}

/// Who hears of a move: the actor, the queue's notice, the requester, and the agent
/// holding it when someone else closes or reopens it.
fn told(t: &Ticket, tried: Move, actor: &Actor, rules: &Settings, note: Option<&str>) -> Vec<Effect> {
    let mut effects = vec![
        Effect::reply(text::moved(actor.lang, t, tried, note)),
        Effect::UpdateNotices { subject: t.subject(), body: notice(t) },
    ];
    let by = actor.person.display_name.clone();
    if !t.is_requester(&actor.person) {
        let (ticket, note, window) = (t.clone(), note.map(str::to_owned), rules.reopen_window);
        let body = Shown::per_reader(move |r| text::for_requester(r, &ticket, tried, &by, note.as_deref(), window));
        effects.push(Effect::Direct { person: t.requester.id, body, subject: None });
    }
    let others_hold_it = t.assignee.as_ref().filter(|a| a.id != actor.person.id && a.id != t.requester.id);
    if let Some(agent) = others_hold_it.filter(|_| matches!(tried, Move::Close | Move::Reopen)) {
        let (ticket, note, by) = (t.clone(), note.map(str::to_owned), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::for_assignee(r.lang, &ticket, tried, &by, note.as_deref()));
        effects.push(Effect::Direct { person: agent.id, body, subject: None });
    }
    effects
}

/// Resolve pressed: asks the presser for the resolution note (the answer resolves the
/// ticket, checked again then). Refused now if they could not resolve it anyway.
pub async fn ask_resolution(cx: &mut Cx<'_>, rules: &Settings, id: TicketId) -> ServiceResult {
    let ticket = find(cx.tx, id, cx.actor).await?;
    may(&ticket, Move::Resolve, cx.actor, rules)?;
    if let Err(e) = ticket.status.after(Move::Resolve, true) {
        return refuse(explain(&ticket, &e, cx.actor));
    }
    let question = text::ask_resolution(cx.actor.lang, &ticket);
    let action = super::button(super::Press::Resolve, id);
    Ok(vec![questions::ask(cx, cx.actor.person.id, question, &action, RESOLUTION_LIFETIME).await?])
}

/// Whether the actor has the right to make this move: agents work tickets; a requester
/// may withdraw (close) their own, and reopen it within the window after it was done.
fn may(ticket: &Ticket, tried: Move, actor: &Actor, rules: &Settings) -> ServiceResult<()> {
    let lang = actor.lang;
    match tried {
        Move::Claim | Move::Start | Move::Wait | Move::Resolve if !actor.is(Role::Agent) => {
            refuse(chat_text::needs_role(lang, Role::Agent, &format!("ticket {tried}")))
        }
        Move::Close if !ticket.may_be_closed_by(&actor.person) => refuse(text::ticket_close_refused(lang, ticket.id)),
        Move::Reopen if !actor.is(Role::Agent) => {
            if !ticket.is_requester(&actor.person) {
                return refuse(text::reopen_refused(lang, ticket.id));
            }
            match ticket.done_at() {
                Some(done) if actor.at - done > rules.reopen_window => {
                    refuse(text::reopen_too_late(lang, ticket.id, done + rules.reopen_window, actor.tz))
                }
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

fn explain(ticket: &Ticket, error: &TransitionError, actor: &Actor) -> String {
    if error.tried == Move::Claim && error.from.is_held() {
        let you = ticket.is_assignee(&actor.person);
        return text::ticket_already_claimed(actor.lang, ticket.id, ticket.assignee.as_ref(), you);
    }
    text::cannot_move(actor.lang, ticket.id, error)
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

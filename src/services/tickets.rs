//! Work orders: open, list, show, claim, close.

use deskmate_port::Body;

use super::{Actor, Effect, ServiceResult, refuse};
use crate::buttons::PromptAction;
use crate::domain::{
    ListScope, Person, Priority, Role, Ticket, TicketId, TicketStatus, TransitionError, ticket_subject,
};
use crate::kernel::Audience;
use crate::store::{NewTicket, Store, TicketFilter, Tx};
use crate::{limits, replies};

const LIST_LIMIT: i64 = 25;

/// Where ticket notices go: the support queue.
const QUEUE: Audience = Audience("support");

#[derive(Clone)]
pub struct Tickets {
    store: Store,
}

impl Tickets {
    pub fn new(store: Store) -> Self {
        Tickets { store }
    }

    pub async fn open(&self, tx: &mut Tx, actor: &Actor, title: &str, priority: Priority) -> ServiceResult {
        let title = limits::TITLE.check(title)?;
        let ticket = tx.create_ticket(NewTicket { title, priority, requester: actor.person.id }, actor.audit()).await?;
        Ok(vec![
            Effect::reply(replies::ticket_opened(&ticket)),
            Effect::Notice {
                audience: QUEUE,
                subject: ticket.subject(),
                body: replies::ticket_notice(&ticket),
                coalesce: Some(("ticket.new".to_owned(), format!("#{}", ticket.id))),
            },
        ])
    }

    pub async fn list(&self, actor: &Actor, scope: ListScope, mine: bool) -> ServiceResult {
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
        let involving = (mine || !actor.person.roles.sees_all_tickets()).then_some(actor.person.id);
        let tickets = self.store.tickets(TicketFilter { statuses, involving, limit: LIST_LIMIT }).await?;
        let what = match (involving.is_some(), word.is_empty()) {
            (true, true) => "of your".to_owned(),
            (true, false) => format!("of your {word}"),
            (false, _) => word.to_owned(),
        };
        Ok(vec![Effect::reply(replies::ticket_list(&tickets, what.trim(), actor.tz))])
    }

    /// Active tickets the person may act on whose number starts with, or title contains,
    /// what they typed: suggestions while an option is typed.
    pub async fn suggest(&self, person: &Person, typed: &str) -> ServiceResult<Vec<Ticket>> {
        let involving = (!person.roles.sees_all_tickets()).then_some(person.id);
        let tickets =
            self.store.tickets(TicketFilter { statuses: Some(TicketStatus::ACTIVE), involving, limit: 200 }).await?;
        let typed = typed.trim().trim_start_matches('#').to_lowercase();
        Ok(tickets
            .into_iter()
            .filter(|t| {
                typed.is_empty() || t.id.to_string().starts_with(&typed) || t.title.to_lowercase().contains(&typed)
            })
            .take(25)
            .collect())
    }

    pub async fn show(&self, actor: &Actor, id: TicketId) -> ServiceResult {
        let Some(ticket) = self.store.ticket(id).await? else { return refuse(replies::ticket_not_found(id)) };
        let involved =
            ticket.requester.id == actor.person.id || ticket.assignee.as_ref().is_some_and(|a| a.id == actor.person.id);
        if !involved && !actor.person.roles.sees_all_tickets() {
            return refuse(replies::ticket_not_yours(id));
        }
        let history = self.store.events(ticket.subject()).await?;
        Ok(vec![Effect::reply(replies::ticket_details(&ticket, &history, actor.tz))])
    }

    /// Claims a ticket for the actor, who must be an agent. Of two agents racing, one
    /// wins; the other is told who has it.
    pub async fn claim(&self, tx: &mut Tx, actor: &Actor, id: TicketId) -> ServiceResult {
        if !actor.is(Role::Agent) {
            return refuse(replies::needs_role(Role::Agent, "ticket claim"));
        }
        let ticket = find(tx, id).await?;
        if let Err(e) = ticket.status.claim() {
            return refuse(self.explain(&ticket, e, actor));
        }
        let Some(claimed) = tx.claim_ticket(id, ticket.status, actor.person.id, actor.audit()).await? else {
            // Someone else changed it between our read and our write: report what they did.
            let now = find(tx, id).await?;
            let e = now.status.claim().err().unwrap_or(TransitionError::AlreadyClaimed);
            return refuse(self.explain(&now, e, actor));
        };
        let mut effects = vec![
            Effect::reply(replies::ticket_claimed(&claimed)),
            Effect::UpdateNotices {
                audience: QUEUE,
                subject: claimed.subject(),
                body: replies::ticket_notice(&claimed),
            },
        ];
        if claimed.requester.id != actor.person.id {
            effects.push(Effect::Direct {
                person: claimed.requester.id,
                body: Body::text(replies::ticket_claimed_for_requester(&claimed, &actor.person.display_name)),
            });
        }
        Ok(effects)
    }

    /// Closes a ticket. Agents may close any ticket; a requester may withdraw their own.
    pub async fn close(&self, tx: &mut Tx, actor: &Actor, id: TicketId, resolution: Option<&str>) -> ServiceResult {
        let ticket = find(tx, id).await?;
        self.may_close(&ticket, actor)?;
        let resolution = resolution.map(|r| limits::RESOLUTION.check(r)).transpose()?.filter(|r| !r.is_empty());
        let Some(closed) = tx.close_ticket(id, ticket.status, resolution, actor.person.id, actor.audit()).await? else {
            let now = find(tx, id).await?;
            let e = now.status.close().err().unwrap_or(TransitionError::AlreadyClosed);
            return refuse(self.explain(&now, e, actor));
        };
        let mut effects = vec![
            Effect::reply(replies::ticket_closed(&closed)),
            Effect::UpdateNotices {
                audience: QUEUE,
                subject: ticket_subject(id),
                body: replies::ticket_notice(&closed),
            },
        ];
        if closed.requester.id != actor.person.id {
            effects.push(Effect::Direct {
                person: closed.requester.id,
                body: Body::text(replies::ticket_closed_for_requester(&closed, &actor.person.display_name)),
            });
        }
        // The agent working on it hears when someone else closed it.
        if let Some(agent) = closed.assignee.as_ref().filter(|a| a.id != actor.person.id && a.id != closed.requester.id)
        {
            effects.push(Effect::Direct {
                person: agent.id,
                body: Body::text(replies::ticket_closed_for_assignee(&closed, &actor.person.display_name)),
            });
        }
        Ok(effects)
    }

    /// Resolve pressed: asks the presser for the resolution note (the answer closes the
    /// ticket, checked again then). Refused now if they could not close it anyway.
    pub async fn ask_resolution(&self, tx: &mut Tx, actor: &Actor, id: TicketId) -> ServiceResult {
        let ticket = find(tx, id).await?;
        self.may_close(&ticket, actor)?;
        let action = PromptAction::CloseTicket(id).encode();
        let prompt = tx.create_prompt(actor.person.id, &action, actor.at, actor.at + PROMPT_LIFETIME).await?;
        Ok(vec![Effect::Reply {
            body: Body {
                text: replies::ask_resolution(&ticket),
                buttons: Vec::new(),
                prompt: Some(prompt.to_string()),
                ..Body::default()
            },
            private: true,
        }])
    }

    /// Whether the actor may close this ticket now: their right to, and its status.
    fn may_close(&self, ticket: &Ticket, actor: &Actor) -> ServiceResult<()> {
        if !ticket.may_be_closed_by(&actor.person) {
            return refuse(replies::ticket_close_refused(ticket.id));
        }
        if let Err(e) = ticket.status.close() {
            return refuse(self.explain(ticket, e, actor));
        }
        Ok(())
    }

    fn explain(&self, ticket: &Ticket, error: TransitionError, actor: &Actor) -> String {
        match error {
            TransitionError::AlreadyClaimed => {
                let you = ticket.assignee.as_ref().is_some_and(|a| a.id == actor.person.id);
                replies::ticket_already_claimed(ticket.id, ticket.assignee.as_ref(), you)
            }
            TransitionError::AlreadyClosed => replies::ticket_already_closed(ticket.id),
        }
    }
}

/// How long a question waits for its answer.
const PROMPT_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

async fn find(tx: &mut Tx, id: TicketId) -> ServiceResult<Ticket> {
    match tx.ticket(id).await? {
        Some(t) => Ok(t),
        None => refuse(replies::ticket_not_found(id)),
    }
}

//! A ticket's conversation: replies between its requester and its agents, by direct
//! message to the requester and in the conversation on the queue's notice (its Discord
//! thread, its Telegram reply chain), where agents may also answer; internal notes that
//! no requester ever sees; watchers who follow it; and canned replies.

use super::Tickets;
use super::model::{Ticket, TicketId, TicketStatus};
use super::service::{find, notice, team_only, visible, works_on};
use super::store::Change;
use super::text;
use crate::chat::feature::Cx;
use crate::kernel::{Effect, PersonId, Role, ServiceResult, Shown, refuse};
use crate::limits::TextLimit;

static MESSAGE: TextLimit = TextLimit { what: "limit-message", catalog: &text::CATALOG, max: 4000 };
static CANNED: TextLimit = TextLimit { what: "limit-canned", catalog: &text::CATALOG, max: 2000 };

/// Where a public message was written: in the conversation on the queue's notice
/// (which is not told it again), or anywhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Command,
    Thread,
}

/// A message written in the conversation on a ticket's queue notice: `!note …` is an
/// internal note, anything else a reply.
pub async fn in_thread(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, words: &str) -> ServiceResult {
    match words.trim_start().strip_prefix(NOTE_PREFIX) {
        Some(note_words) if note_words.is_empty() || note_words.starts_with(char::is_whitespace) => {
            note(cx, desk, id, note_words.trim()).await
        }
        _ => reply(cx, desk, id, words, Via::Thread).await,
    }
}

/// What starts an internal note written in a ticket's thread.
const NOTE_PREFIX: &str = "!note";

/// `/ticket reply <id> <text>` (or a message in its thread): from an agent of its team,
/// the words reach the requester; from the requester or a watcher, its agent. Every
/// public message goes into the conversation on the queue's notice, and to watchers.
/// The requester answering a ticket that waits on them puts it back in progress.
pub async fn reply(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, words: &str, via: Via) -> ServiceResult {
    let actor = cx.actor;
    let words = MESSAGE.check(actor.lang, words)?;
    let ticket = find(cx.tx, id, actor).await?;
    let watchers = cx.tx.ticket_watchers(id).await?;
    let agent_side = works_on(cx, desk, ticket.category.as_deref(), &actor.person).await?;
    let requester = ticket.is_requester(&actor.person);
    if !agent_side && !requester && !watchers.contains(&actor.person.id) {
        return refuse(text::reply_refused(actor.lang, id));
    }
    if ticket.status == TicketStatus::Closed {
        return refuse(text::reply_closed(actor.lang, id));
    }
    cx.tx.add_ticket_message(id, false, words, actor.audit()).await?;
    let mut ticket = ticket;
    if agent_side && !requester {
        // An agent's answer is a response (the first one stops that clock).
        super::sla::follow(cx, desk, ticket.status, &mut ticket).await?;
    }
    let by = actor.person.display_name.clone();
    let mut told: Vec<PersonId> = vec![actor.person.id];
    let mut effects = Vec::new();
    let said = |t: &Ticket| {
        let (t, by, words) = (t.clone(), by.clone(), words.to_owned());
        Shown::text_per_reader(move |r| text::message(r.lang, &t, &by, &words))
    };
    if !requester {
        effects.push(Effect::Direct { person: ticket.requester.id, body: said(&ticket), subject: None });
        told.push(ticket.requester.id);
    }
    if let Some(agent) = ticket.assignee.as_ref().filter(|a| !told.contains(&a.id)) {
        effects.push(Effect::Direct { person: agent.id, body: said(&ticket), subject: None });
        told.push(agent.id);
    }
    // The team reads the whole conversation under the queue's notice.
    if via != Via::Thread {
        effects.push(Effect::Follow { subject: ticket.subject(), body: said(&ticket) });
    }
    for watcher in watchers.iter().filter(|w| !told.contains(w)) {
        effects.push(Effect::Direct { person: *watcher, body: said(&ticket), subject: None });
    }
    // The requester answered what the agent was waiting for.
    if requester && ticket.status == TicketStatus::Waiting {
        let before = ticket.status;
        if let Some(mut moved) =
            cx.tx.move_ticket(id, before, TicketStatus::InProgress, Change::Answered, actor.audit()).await?
        {
            super::stale::follow(cx, desk, before, &moved).await?;
            super::sla::follow(cx, desk, before, &mut moved).await?;
            effects.push(Effect::UpdateNotices { subject: moved.subject(), body: notice(&moved, desk) });
            ticket = moved;
        }
    }
    let to = if requester {
        ticket.assignee.as_ref().map_or_else(|| text::the_team(actor.lang), |a| a.name.clone())
    } else {
        ticket.requester.name.clone()
    };
    effects.insert(0, Effect::reply(text::reply_sent(actor.lang, id, &to)));
    Ok(effects)
}

/// `/ticket note <id> <text>`: an internal note for the team. Its agent hears of it; the
/// requester never does, on any platform, in any message.
pub async fn note(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, words: &str) -> ServiceResult {
    let actor = cx.actor;
    let words = MESSAGE.check(actor.lang, words)?;
    let ticket = find(cx.tx, id, actor).await?;
    if !works_on(cx, desk, ticket.category.as_deref(), &actor.person).await? {
        return refuse(team_only(actor, id, "ticket note"));
    }
    cx.tx.add_ticket_message(id, true, words, actor.audit()).await?;
    let mut effects = vec![Effect::reply(text::note_added(actor.lang, id))];
    if let Some(agent) = ticket.assignee.as_ref().filter(|a| a.id != actor.person.id && a.id != ticket.requester.id) {
        let (t, by, words) = (ticket.clone(), actor.person.display_name.clone(), words.to_owned());
        let body = Shown::text_per_reader(move |r| text::note_for_agent(r.lang, &t, &by, &words));
        effects.push(Effect::Direct { person: agent.id, body, subject: None });
    }
    Ok(effects)
}

/// `/ticket watch|unwatch <id>`: follow a ticket's updates by direct message; anyone who
/// may read it.
pub async fn watch(cx: &mut Cx<'_>, id: TicketId, on: bool) -> ServiceResult {
    let actor = cx.actor;
    visible(cx.kit, actor, id).await?;
    let changed = cx.tx.set_watching(id, actor.person.id, on).await?;
    Ok(vec![Effect::reply(text::watching(actor.lang, id, on, changed))])
}

/// `/canned add <name> <text>` (admins): a reply agents send with `/reply <name> <id>`;
/// `{requester}`, `{ticket}`, `{title}` and `{agent}` are filled in when it is sent.
pub async fn canned_add(cx: &mut Cx<'_>, name: &str, body: &str) -> ServiceResult {
    let actor = cx.actor;
    if !actor.is(Role::Admin) {
        return refuse(crate::chat::text::needs_role(actor.lang, Role::Admin, "canned add"));
    }
    let name = canned_name(actor, name)?;
    let body = CANNED.check(actor.lang, body)?;
    let replaced = cx.tx.save_canned(&name, body, actor.person.id, actor.at).await?;
    Ok(vec![Effect::reply(text::canned_saved(actor.lang, &name, replaced))])
}

pub async fn canned_remove(cx: &mut Cx<'_>, name: &str) -> ServiceResult {
    let actor = cx.actor;
    if !actor.is(Role::Admin) {
        return refuse(crate::chat::text::needs_role(actor.lang, Role::Admin, "canned remove"));
    }
    let name = canned_name(actor, name)?;
    if !cx.tx.remove_canned(&name).await? {
        return refuse(text::no_canned(actor.lang, &name));
    }
    Ok(vec![Effect::reply(text::canned_removed(actor.lang, &name))])
}

pub async fn canned_list(cx: &mut Cx<'_>) -> ServiceResult {
    let replies = cx.kit.store.canned_replies().await?;
    Ok(vec![Effect::reply(text::canned_list(cx.actor.lang, &replies))])
}

/// `/reply <name> <id>`: the canned reply, filled in, sent as the agent's reply.
pub async fn send_canned(cx: &mut Cx<'_>, desk: &Tickets, name: &str, id: TicketId) -> ServiceResult {
    let actor = cx.actor;
    let name = canned_name(actor, name)?;
    let Some(body) = cx.kit.store.canned_reply(&name).await? else {
        let known = cx.kit.store.canned_replies().await?.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        return refuse(text::unknown_canned(actor.lang, &name, &known.join(", ")));
    };
    let ticket = find(cx.tx, id, actor).await?;
    if !works_on(cx, desk, ticket.category.as_deref(), &actor.person).await? {
        return refuse(team_only(actor, id, "reply"));
    }
    let agent = ticket.assignee.as_ref().map_or(actor.person.display_name.as_str(), |a| a.name.as_str());
    let filled = body
        .replace("{requester}", &ticket.requester.name)
        .replace("{ticket}", &format!("#{id}"))
        .replace("{title}", &ticket.title)
        .replace("{agent}", agent);
    reply(cx, desk, id, &filled, Via::Command).await
}

fn canned_name(actor: &crate::kernel::Actor, typed: &str) -> ServiceResult<String> {
    let name = typed.trim().to_lowercase();
    if name.is_empty() || name.len() > 32 || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return refuse(text::bad_canned_name(actor.lang, typed));
    }
    Ok(name)
}

//! Work orders: open, list, show, and each move of their life (claim … reopen).

use super::config::Category;
use super::model::{
    Assignment, ListScope, Move, Priority, Ticket, TicketId, TicketStatus, TransitionError, sees_all_tickets,
};
use super::store::{Change, NewTicket, TicketFilter};
use super::{NEW_TICKET, Tickets, text};
use crate::chat::feature::{Cx, Kit};
use crate::chat::questions;
use crate::chat::text as chat_text;
use crate::kernel::{
    Actor, Audit, Coalesce, Effect, Outcome, Person, PersonId, PersonName, Role, ServiceResult, Shown, refuse,
};
use crate::limits::TextLimit;
use crate::store::Tx;

const LIST_LIMIT: i64 = 25;

static TITLE: TextLimit = TextLimit { what: "limit-title", catalog: &text::CATALOG, max: 200 };
static RESOLUTION: TextLimit = TextLimit { what: "limit-resolution", catalog: &text::CATALOG, max: 2000 };
static NOTE: TextLimit = TextLimit { what: "limit-note", catalog: &text::CATALOG, max: 2000 };
static DESCRIPTION: TextLimit = TextLimit { what: "limit-description", catalog: &text::CATALOG, max: 4000 };

/// How many resolved tickets like it the agent who takes a ticket is shown.
const SIMILAR: i64 = 3;

/// How long the resolution question waits for its answer.
const RESOLUTION_LIFETIME: chrono::Duration = chrono::Duration::hours(1);

/// A request on its way to becoming a ticket, however it came: a command, a panel, a
/// direct message, a reaction.
pub struct Request<'a> {
    pub title: &'a str,
    /// What the requester said beyond the title: the conversation's first message.
    pub description: Option<&'a str>,
    pub priority: Priority,
    pub category: Option<&'a str>,
    /// Whose it is: the actor's, unless a reaction made someone else's message a ticket.
    pub requester: PersonName,
}

/// Opens a ticket as the actor, in a category if they name one; it goes to that
/// category's queue, and to an agent at once if the category assigns by rotation.
pub async fn open(
    cx: &mut Cx<'_>,
    desk: &Tickets,
    title: &str,
    priority: Priority,
    category: Option<&str>,
) -> ServiceResult {
    let request = Request { title, description: None, priority, category, requester: cx.actor.person.name() };
    Ok(open_request(cx, desk, request).await?.1)
}

/// Opens the ticket a request asks for: the actor is told, the queue gets its notice,
/// the rotation's agent their news.
pub async fn open_request(cx: &mut Cx<'_>, desk: &Tickets, request: Request<'_>) -> ServiceResult<(Ticket, Outcome)> {
    let title = TITLE.check(cx.actor.lang, request.title)?;
    let description = request.description.map(|d| DESCRIPTION.check(cx.actor.lang, d)).transpose()?;
    let category = match request.category {
        Some(name) => Some(known_category(desk, cx.actor, name)?),
        None => None,
    };
    let requester = request.requester;
    let new = NewTicket {
        title,
        priority: request.priority,
        requester: requester.clone(),
        category: category.map(|c| c.name.as_str()),
    };
    let mut opened = cx.tx.create_ticket(new, cx.actor.audit()).await?;
    opened.sla = super::sla::started(desk, opened.category.as_deref(), opened.priority, opened.created_at);
    cx.tx.set_sla(opened.id, &opened.sla).await?;
    super::sla::watch(cx.tx, cx.kit, desk, None, &opened).await?;
    if let Some(words) = description.filter(|d| !d.is_empty() && *d != title) {
        // The description is the requester's first word in the conversation.
        let audit = Audit { actor: Some(requester.id), ..cx.actor.audit() };
        cx.tx.add_ticket_message(opened.id, false, words, audit).await?;
    }
    let assigned = match category.filter(|c| c.assign != Assignment::Manual) {
        Some(c) => auto_assign(cx, desk, &opened, c).await?,
        None => None,
    };
    let ticket = assigned.as_ref().map_or(&opened, |(t, _)| t).clone();
    let mut effects = vec![
        Effect::reply(text::ticket_opened(cx.actor.lang, &ticket)),
        Effect::Notice {
            audience: desk.queue_of(ticket.category.as_deref()),
            subject: ticket.subject(),
            body: notice(&ticket, desk),
            coalesce: Some(Coalesce { kind: NEW_TICKET, label: format!("#{}", ticket.id) }),
        },
    ];
    if let Some((ticket, agent)) = &assigned {
        effects.push(assigned_to(ticket, *agent, None));
        effects.extend(similar_for(cx, ticket, *agent).await?);
    }
    Ok((ticket, effects))
}

/// The resolved tickets most like this one, with how each was fixed, for the agent who
/// takes it (never its requester): nothing when none is alike.
pub(super) async fn similar_for(cx: &mut Cx<'_>, ticket: &Ticket, agent: PersonId) -> ServiceResult<Option<Effect>> {
    let words = cx.kit.store.ticket_words(ticket.id).await?;
    let alike = cx.kit.store.similar_tickets(ticket.id, &words, SIMILAR).await?;
    if alike.is_empty() {
        return Ok(None);
    }
    let id = ticket.id;
    let body = Shown::text_per_reader(move |r| text::similar_tickets(r.lang, id, &alike));
    Ok(Some(Effect::Direct { person: agent, body, subject: None }))
}

/// The category named, or a refusal naming the ones there are.
fn known_category<'d>(desk: &'d Tickets, actor: &Actor, name: &str) -> ServiceResult<&'d Category> {
    match desk.rules.category(name) {
        Some(c) => Ok(c),
        None => refuse(text::unknown_category(actor.lang, name, &desk.rules.category_names())),
    }
}

/// Gives a new (or newly moved) ticket to the next agent of the category's rotation:
/// someone on its team, not away, not its requester. `None` when nobody is eligible (it
/// waits in the queue for a claim).
async fn auto_assign(
    cx: &mut Cx<'_>,
    desk: &Tickets,
    ticket: &Ticket,
    category: &Category,
) -> ServiceResult<Option<(Ticket, PersonId)>> {
    let mut team = team(cx, Some(category)).await?;
    team.retain(|p| *p != ticket.requester.id);
    let mut team = crate::features::directory::available(cx.tx, &team, cx.actor.at).await?;
    if team.is_empty() {
        return Ok(None);
    }
    // Those at work now, if anyone is; otherwise it waits for whose turn it is (a ticket
    // opened at night is someone's in the morning, not nobody's).
    let at_work = crate::features::meetings::at_work(cx.tx, &team, cx.actor.at, &desk.working).await?;
    if !at_work.is_empty() {
        team = at_work;
    }
    let turn = cx.tx.take_turn(&category.name).await?;
    let candidates = cx.tx.turns_and_loads(&category.name, &team).await?;
    let Some(agent) = next_agent(category.assign, &candidates) else { return Ok(None) };
    cx.tx.record_turn(&category.name, agent, turn).await?;
    let name = cx.kit.store.person(agent).await?.map(|p| p.display_name).unwrap_or_default();
    let to = ticket.status.after(Move::Assign, false).unwrap_or(TicketStatus::Claimed);
    // The rotation, not a person, assigns it.
    let audit = Audit { actor: None, ..cx.actor.audit() };
    let change = Change::Assign { agent, name: &name };
    let moved = cx.tx.move_ticket(ticket.id, ticket.status, to, change, audit).await?;
    Ok(moved.map(|t| (t, agent)))
}

/// Whose turn it is: round-robin takes the agent whose last turn is oldest; least-open
/// the one holding the fewest tickets, then the oldest turn. `candidates` are (person,
/// last turn, tickets held), ordered by person.
pub fn next_agent(assign: Assignment, candidates: &[(PersonId, i64, i64)]) -> Option<PersonId> {
    let pick = match assign {
        Assignment::Manual => None,
        Assignment::RoundRobin => candidates.iter().min_by_key(|(p, turn, _)| (*turn, p.0)),
        Assignment::LeastOpen => candidates.iter().min_by_key(|(p, turn, load)| (*load, *turn, p.0)),
    };
    pick.map(|(p, _, _)| *p)
}

/// Who works a category's tickets: its team's people, or every agent when it names no
/// team (or there is no category).
async fn team(cx: &mut Cx<'_>, category: Option<&Category>) -> ServiceResult<Vec<PersonId>> {
    Ok(match category.filter(|c| !c.agents.is_empty()) {
        Some(c) => cx.tx.people_of_accounts(&c.agents).await?,
        None => cx.tx.agents().await?,
    })
}

/// Whether `person` works tickets of this category: an admin, or an agent on its team
/// (any agent when it has none).
pub(super) async fn works_on(
    cx: &mut Cx<'_>,
    desk: &Tickets,
    category: Option<&str>,
    person: &Person,
) -> ServiceResult<bool> {
    if person.roles.holds(Role::Admin) {
        return Ok(true);
    }
    if !person.roles.allows(Role::Agent) {
        return Ok(false);
    }
    match desk.rules.category(category.unwrap_or_default()).filter(|c| !c.agents.is_empty()) {
        Some(c) => Ok(cx.tx.people_of_accounts(&c.agents).await?.contains(&person.id)),
        None => Ok(true),
    }
}

/// The direct message to an agent a ticket was given to (`by`: who gave it; `None`: the
/// rotation).
fn assigned_to(t: &Ticket, agent: PersonId, by: Option<&str>) -> Effect {
    let (ticket, by) = (t.clone(), by.map(str::to_owned));
    let body = Shown::text_per_reader(move |r| text::assigned_to_you(r.lang, &ticket, by.as_deref()));
    Effect::Direct { person: agent, body, subject: None }
}

pub async fn list(kit: &Kit, actor: &Actor, scope: ListScope, mine: bool) -> ServiceResult {
    let statuses = Some(super::search::statuses(scope)).filter(|s| !s.is_empty());
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

/// The ticket, its tags, its conversation and its history. Internal notes are shown to
/// agents and managers only.
pub async fn show(kit: &Kit, desk: &Tickets, actor: &Actor, id: TicketId) -> ServiceResult {
    let ticket = visible(kit, actor, id).await?;
    let staff = sees_all_tickets(&actor.person);
    let history = readable(kit.store.events(ticket.subject()).await?, staff);
    let tags = kit.store.ticket_tags(id).await?;
    let messages = kit.store.ticket_messages(id, staff).await?;
    let links = kit.store.linked_tickets(id).await?;
    let mut shown = text::ticket_details(actor.lang, &ticket, (&tags, &links, &messages), &history, actor.tz);
    if let Some(due) = super::sla::due(desk, &ticket, actor.at) {
        shown.push('\n');
        shown.push_str(&text::sla_now(actor.lang, due, actor.tz));
    }
    if let Some((stars, comment)) = kit.store.ticket_rating(id).await? {
        shown.push('\n');
        shown.push_str(&text::rating_line(actor.lang, stars, comment.as_deref()));
    }
    Ok(vec![Effect::reply(shown)])
}

/// Who did what to it, when and from where: the ticket's audit trail.
pub async fn history(kit: &Kit, actor: &Actor, id: TicketId) -> ServiceResult {
    let ticket = visible(kit, actor, id).await?;
    let history = readable(kit.store.events(ticket.subject()).await?, sees_all_tickets(&actor.person));
    Ok(vec![Effect::reply(text::ticket_history(actor.lang, &ticket, &history, actor.tz))])
}

/// The history as its reader may see it: that a note was written is the team's business.
fn readable(mut history: Vec<crate::store::EventRecord>, staff: bool) -> Vec<crate::store::EventRecord> {
    if !staff {
        history.retain(|e| e.action != super::model::TicketEvent::Note.as_str());
    }
    history
}

/// The ticket, if the actor may read it: its requester, its agent, its watchers, agents
/// and managers.
pub(super) async fn visible(kit: &Kit, actor: &Actor, id: TicketId) -> ServiceResult<Ticket> {
    let Some(ticket) = kit.store.ticket(id).await? else { return refuse(text::ticket_not_found(actor.lang, id)) };
    let involved = ticket.is_requester(&actor.person) || ticket.is_assignee(&actor.person);
    if !involved && !sees_all_tickets(&actor.person) && !kit.store.is_watching(id, actor.person.id).await? {
        return refuse(text::ticket_not_yours(actor.lang, id));
    }
    Ok(ticket)
}

/// A move of a ticket's life by the actor: their right to make it, then the status's.
/// Of two agents racing, one wins; the other is told what the winner did. `note` is what
/// the move records: the question when waiting, the resolution, why it was reopened.
pub async fn act(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, tried: Move, note: Option<&str>) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    let works_here = works_on(cx, desk, ticket.category.as_deref(), &actor.person).await?;
    may(&ticket, tried, actor, desk, works_here)?;
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
        Move::Unassign => Change::Unassign,
        // Giving a ticket to someone names them: `assign`.
        Move::Assign => return refuse(text::assign_usage(actor.lang, id)),
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
    let mut moved = moved;
    super::stale::follow(cx, desk, ticket.status, &moved).await?;
    super::sla::follow(cx, desk, ticket.status, &mut moved).await?;
    let watchers = cx.tx.ticket_watchers(id).await?;
    let transcript = match moved.status {
        TicketStatus::Closed => Some(super::transcript::keep(cx.tx, cx.kit, &moved).await?),
        _ => None,
    };
    let mut effects = told(&moved, tried, actor, desk, note, (ticket.assignee.as_ref(), &watchers), transcript.clone());
    if let Some(file) = transcript {
        effects.push(super::transcript::in_thread(&moved, file));
    }
    if tried == Move::Resolve && !moved.is_requester(&actor.person) {
        effects.push(super::satisfaction::ask(&moved));
    }
    if tried == Move::Claim {
        effects.extend(similar_for(cx, &moved, actor.person.id).await?);
    }
    Ok(effects)
}

/// `/ticket assign <id> @agent`: gives the ticket to an agent of its category's team
/// (claimed for them if it was open; the same status if someone held it).
pub async fn assign(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, handle: &str) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    let works_here = works_on(cx, desk, ticket.category.as_deref(), &actor.person).await?;
    if !super::sla::leads(cx, desk, &ticket).await? {
        may(&ticket, Move::Assign, actor, desk, works_here)?;
    }
    let agent = cx.kit.people.resolve(actor, handle).await?;
    assign_to(cx, desk, ticket, agent).await
}

/// `/ticket priority <id> <level>`: the team changes a ticket's priority; its service
/// levels follow (each running target moves by the difference).
pub async fn reprioritize(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, priority: Priority) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    if !works_on(cx, desk, ticket.category.as_deref(), &actor.person).await? {
        return refuse(team_only(actor, id, "ticket priority"));
    }
    if ticket.priority == priority {
        return refuse(text::same_priority(actor.lang, &ticket));
    }
    if ticket.status == TicketStatus::Closed {
        let e = TransitionError { from: ticket.status, tried: Move::Assign, allowed: vec![Move::Reopen] };
        return refuse(explain(&ticket, &e, actor));
    }
    let from = ticket.priority;
    let detail = format!("{from} → {priority}");
    if !cx.tx.set_priority(id, priority, actor.audit(), &detail).await? {
        return refuse(text::changed_meanwhile(actor.lang, &ticket));
    }
    let before = ticket.clone();
    let mut ticket = ticket;
    ticket.priority = priority;
    ticket.sla = super::sla::reprioritized(desk, &ticket, from, actor.at);
    cx.tx.set_sla(id, &ticket.sla).await?;
    super::sla::watch(cx.tx, cx.kit, desk, Some(&before), &ticket).await?;
    Ok(vec![
        Effect::reply(text::reprioritized(actor.lang, &ticket, from)),
        Effect::UpdateNotices { subject: ticket.subject(), body: notice(&ticket, desk) },
    ])
}

/// Take over pressed (on a breach): the presser, an agent of its team, takes the ticket.
pub async fn take_over(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    let works_here = works_on(cx, desk, ticket.category.as_deref(), &actor.person).await?;
    may(&ticket, Move::Assign, actor, desk, works_here)?;
    assign_to(cx, desk, ticket, actor.person.clone()).await
}

/// Gives the ticket to `agent`, who must be on its team.
async fn assign_to(cx: &mut Cx<'_>, desk: &Tickets, ticket: Ticket, agent: Person) -> ServiceResult {
    let actor = cx.actor;
    let id = ticket.id;
    if !works_on(cx, desk, ticket.category.as_deref(), &agent).await? {
        return refuse(text::not_on_team(actor.lang, &agent.display_name, id, ticket.category.as_deref()));
    }
    if ticket.is_assignee(&agent) {
        return refuse(text::already_assigned(actor.lang, id, &agent.display_name));
    }
    let to = match ticket.status.after(Move::Assign, true) {
        Ok(to) => to,
        Err(e) => return refuse(explain(&ticket, &e, actor)),
    };
    let change = Change::Assign { agent: agent.id, name: &agent.display_name };
    let Some(moved) = cx.tx.move_ticket(id, ticket.status, to, change, actor.audit()).await? else {
        let now = find(cx.tx, id, actor).await?;
        return refuse(text::changed_meanwhile(actor.lang, &now));
    };
    let watchers = cx.tx.ticket_watchers(id).await?;
    let mut moved = moved;
    super::sla::follow(cx, desk, ticket.status, &mut moved).await?;
    let mut effects = told(&moved, Move::Assign, actor, desk, Some(&agent.display_name), (None, &watchers), None);
    if agent.id != actor.person.id {
        effects.push(assigned_to(&moved, agent.id, Some(&actor.person.display_name)));
    }
    // The agent it was taken from hears of it.
    if let Some(before) = ticket.assignee.as_ref().filter(|a| a.id != actor.person.id) {
        let (t, by) = (moved.clone(), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::for_assignee(r.lang, &t, Move::Unassign, &by, None));
        effects.push(Effect::Direct { person: before.id, body, subject: None });
    }
    Ok(effects)
}

/// `/ticket move <id> <category>`: to another category's queue and team. Its agent
/// keeps it if they are on the new team; otherwise it goes back to the queue (and to the
/// next agent in turn, if the new category assigns by rotation).
pub async fn recategorize(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, name: &str) -> ServiceResult {
    let actor = cx.actor;
    let before = find(cx.tx, id, actor).await?;
    let ticket = &before;
    if !works_on(cx, desk, ticket.category.as_deref(), &actor.person).await? {
        return refuse(team_only(actor, id, "ticket move"));
    }
    let category = known_category(desk, actor, name)?;
    if ticket.category.as_deref() == Some(category.name.as_str()) {
        return refuse(text::already_in_category(actor.lang, id, &category.label));
    }
    if ticket.status == TicketStatus::Closed {
        let e = TransitionError { from: ticket.status, tried: Move::Assign, allowed: vec![Move::Reopen] };
        return refuse(text::cannot_move(actor.lang, id, &e));
    }
    let keep_agent = match &ticket.assignee {
        Some(a) => match cx.kit.store.person(a.id).await? {
            Some(agent) => works_on(cx, desk, Some(&category.name), &agent).await?,
            None => false,
        },
        None => true,
    };
    let from = ticket.category.as_deref().and_then(|c| desk.rules.category(c)).map_or("-", |c| c.label.as_str());
    let detail = format!("{from} → {}", category.label);
    let Some(moved) = cx.tx.recategorize_ticket(id, Some(&category.name), keep_agent, &detail, actor.audit()).await?
    else {
        let now = find(cx.tx, id, actor).await?;
        return refuse(text::changed_meanwhile(actor.lang, &now));
    };
    let assigned = if moved.status == TicketStatus::Open && category.assign != Assignment::Manual {
        auto_assign(cx, desk, &moved, category).await?
    } else {
        None
    };
    let ticket = assigned.as_ref().map_or(&moved, |(t, _)| t);
    super::stale::follow(cx, desk, before.status, ticket).await?;
    let mut effects = vec![
        Effect::reply(text::recategorized(actor.lang, ticket, &category.label)),
        Effect::UpdateNotices { subject: ticket.subject(), body: notice(ticket, desk) },
    ];
    // A new queue gets a notice of its own; the old one's shows where it went.
    let queue = desk.queue_of(ticket.category.as_deref());
    if queue != desk.queue_of(before.category.as_deref()) {
        effects.push(Effect::Notice {
            audience: queue,
            subject: ticket.subject(),
            body: notice(ticket, desk),
            coalesce: None,
        });
    }
    if !ticket.is_requester(&actor.person) {
        let (t, label) = (ticket.clone(), category.label.clone());
        let body = Shown::text_per_reader(move |r| text::recategorized_for_requester(r.lang, &t, &label));
        effects.push(Effect::Direct { person: ticket.requester.id, body, subject: None });
    }
    if let Some(dropped) = before.assignee.as_ref().filter(|a| !keep_agent && a.id != actor.person.id) {
        let (t, by) = (ticket.clone(), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::for_assignee(r.lang, &t, Move::Unassign, &by, None));
        effects.push(Effect::Direct { person: dropped.id, body, subject: None });
    }
    if let Some((t, agent)) = &assigned {
        effects.push(assigned_to(t, *agent, None));
    }
    Ok(effects)
}

/// Who hears of a move: the actor, the queue's notice, the requester, and the agent who
/// held it (`held_by`, before the move) when someone else closes, reopens or unassigns it.
fn told(
    t: &Ticket,
    tried: Move,
    actor: &Actor,
    desk: &Tickets,
    note: Option<&str>,
    (held_by, watchers): (Option<&PersonName>, &[PersonId]),
    transcript: Option<deskmate_port::Attachment>,
) -> Vec<Effect> {
    // The requester closing their own ticket has its transcript with the confirmation.
    let reply = deskmate_port::Body {
        text: text::moved(actor.lang, t, tried, note),
        files: transcript.iter().filter(|_| t.is_requester(&actor.person)).cloned().collect(),
        ..deskmate_port::Body::default()
    };
    let mut effects = vec![
        Effect::Reply { body: reply.into(), private: false },
        Effect::UpdateNotices { subject: t.subject(), body: notice(t, desk) },
    ];
    let by = actor.person.display_name.clone();
    if !t.is_requester(&actor.person) {
        let (ticket, note, window) = (t.clone(), note.map(str::to_owned), desk.rules.reopen_window);
        let files: Vec<_> = transcript.into_iter().collect();
        let body = Shown::per_reader(move |r| {
            let mut body = text::for_requester(r, &ticket, tried, &by, note.as_deref(), window);
            body.files.clone_from(&files);
            body
        });
        effects.push(Effect::Direct { person: t.requester.id, body, subject: None });
    }
    let someone_else = held_by.filter(|a| a.id != actor.person.id && a.id != t.requester.id);
    if let Some(agent) = someone_else.filter(|_| matches!(tried, Move::Close | Move::Reopen | Move::Unassign)) {
        let (ticket, note, by) = (t.clone(), note.map(str::to_owned), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::for_assignee(r.lang, &ticket, tried, &by, note.as_deref()));
        effects.push(Effect::Direct { person: agent.id, body, subject: None });
    }
    // Watchers hear of every move, as the requester does (unless they are the one told).
    let already = [Some(actor.person.id), Some(t.requester.id), someone_else.map(|a| a.id)];
    for watcher in watchers.iter().filter(|w| !already.contains(&Some(**w))) {
        let (ticket, by) = (t.clone(), actor.person.display_name.clone());
        let body = Shown::text_per_reader(move |r| text::for_watcher(r.lang, &ticket, tried, &by));
        effects.push(Effect::Direct { person: *watcher, body, subject: None });
    }
    effects
}

/// Resolve pressed: asks the presser for the resolution note (the answer resolves the
/// ticket, checked again then). Refused now if they could not resolve it anyway.
pub async fn ask_resolution(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId) -> ServiceResult {
    let ticket = find(cx.tx, id, cx.actor).await?;
    let works_here = works_on(cx, desk, ticket.category.as_deref(), &cx.actor.person).await?;
    may(&ticket, Move::Resolve, cx.actor, desk, works_here)?;
    if let Err(e) = ticket.status.after(Move::Resolve, true) {
        return refuse(explain(&ticket, &e, cx.actor));
    }
    let question = text::ask_resolution(cx.actor.lang, &ticket);
    let action = super::button(super::Press::Resolve, id);
    Ok(vec![questions::ask(cx, cx.actor.person.id, question, &action, RESOLUTION_LIFETIME).await?])
}

/// Whether the actor has the right to make this move: the agents of the ticket's team
/// (and admins) work it (`works_here`); a requester may withdraw (close) their own, and
/// reopen it within the window after it was done.
fn may(ticket: &Ticket, tried: Move, actor: &Actor, desk: &Tickets, works_here: bool) -> ServiceResult<()> {
    let (lang, id) = (actor.lang, ticket.id);
    let command = format!("ticket {tried}");
    match tried {
        _ if works_here => Ok(()),
        Move::Claim | Move::Start | Move::Wait | Move::Resolve | Move::Assign | Move::Unassign => {
            refuse(team_only(actor, id, &command))
        }
        Move::Close if !ticket.is_requester(&actor.person) => refuse(text::ticket_close_refused(lang, id)),
        Move::Close => Ok(()),
        Move::Reopen => {
            if !ticket.is_requester(&actor.person) {
                return refuse(text::reopen_refused(lang, id));
            }
            let window = desk.rules.reopen_window;
            match ticket.done_at() {
                Some(done) if actor.at - done > window => {
                    refuse(text::reopen_too_late(lang, id, done + window, actor.tz))
                }
                _ => Ok(()),
            }
        }
    }
}

/// A refusal for someone off the ticket's team: an agent of another team, or staff.
pub(super) fn team_only(actor: &Actor, id: TicketId, command: &str) -> String {
    if actor.is(Role::Agent) {
        text::not_your_team(actor.lang, id, command)
    } else {
        chat_text::needs_role(actor.lang, Role::Agent, command)
    }
}

fn explain(ticket: &Ticket, error: &TransitionError, actor: &Actor) -> String {
    if error.tried == Move::Claim && error.from.is_held() {
        let you = ticket.is_assignee(&actor.person);
        return text::ticket_already_claimed(actor.lang, ticket.id, ticket.assignee.as_ref(), you);
    }
    text::cannot_move(actor.lang, ticket.id, error)
}

pub(super) async fn find(tx: &mut Tx, id: TicketId, actor: &Actor) -> ServiceResult<Ticket> {
    match tx.ticket(id).await? {
        Some(t) => Ok(t),
        None => refuse(text::ticket_not_found(actor.lang, id)),
    }
}

/// The queue's notice, in each channel's language.
pub(super) fn notice(ticket: &Ticket, desk: &Tickets) -> Shown {
    let ticket = ticket.clone();
    let label = ticket.category.as_deref().and_then(|c| desk.rules.category(c)).map(|c| c.label.clone());
    Shown::per_reader(move |reader| text::ticket_notice(reader.lang, reader.tz, &ticket, label.as_deref()))
}

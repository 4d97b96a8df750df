//! Tidy-up tools: tags, merging a duplicate into the ticket it repeats, and links between
//! related tickets. Agents of the ticket's team use them.

use super::Tickets;
use super::model::{TicketId, TicketStatus};
use super::service::{find, notice, team_only, works_on};
use super::text;
use crate::chat::feature::Cx;
use crate::kernel::{Effect, ServiceResult, Shown, refuse};

/// The most tags a ticket carries, and the longest tag.
const MAX_TAGS: usize = 10;
const MAX_TAG_LEN: usize = 24;

/// `/ticket tag <id> +vpn -printer`: agents of its team.
pub async fn tag(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, typed: &str) -> ServiceResult {
    let actor = cx.actor;
    let ticket = find(cx.tx, id, actor).await?;
    if !works_on(cx, desk, ticket.category.as_deref(), &actor.person).await? {
        return refuse(team_only(actor, id, "ticket tag"));
    }
    let (mut add, mut remove): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for word in typed.split_whitespace() {
        let (list, tag) = match word.split_at_checked(1) {
            Some(("-", tag)) => (&mut remove, tag),
            Some(("+", tag)) => (&mut add, tag),
            _ => (&mut add, word),
        };
        let tag = tag.to_lowercase();
        let fine = !tag.is_empty()
            && tag.chars().count() <= MAX_TAG_LEN
            && tag.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
        if !fine {
            return refuse(text::bad_tag(actor.lang, word, MAX_TAG_LEN));
        }
        list.push(tag);
    }
    if add.is_empty() && remove.is_empty() {
        return refuse(text::tag_usage(actor.lang, id));
    }
    add.dedup();
    let mut tags = cx.kit.store.ticket_tags(id).await?;
    tags.retain(|t| !remove.contains(t));
    let new: Vec<String> = add.iter().filter(|t| !tags.contains(t)).cloned().collect();
    if tags.len() + new.len() > MAX_TAGS {
        return refuse(text::too_many_tags(actor.lang, id, MAX_TAGS));
    }
    let tags = cx.tx.retag_ticket(id, &add, &remove, actor.audit()).await?;
    Ok(vec![Effect::reply(text::tagged(actor.lang, id, &tags))])
}

/// `/ticket merge <dup> <into>`: the duplicate's conversation, watchers and tags move to
/// `into`, its requester watches `into` from now on and is told, and it closes.
pub async fn merge(cx: &mut Cx<'_>, desk: &Tickets, dup: TicketId, into: TicketId) -> ServiceResult {
    let actor = cx.actor;
    if dup == into {
        return refuse(text::merge_into_itself(actor.lang, dup));
    }
    let duplicate = find(cx.tx, dup, actor).await?;
    let target = find(cx.tx, into, actor).await?;
    for t in [&duplicate, &target] {
        if !works_on(cx, desk, t.category.as_deref(), &actor.person).await? {
            return refuse(team_only(actor, t.id, "ticket merge"));
        }
    }
    if target.status == TicketStatus::Closed {
        return refuse(text::merge_into_closed(actor.lang, into));
    }
    if duplicate.status == TicketStatus::Closed {
        return refuse(text::merge_closed(actor.lang, dup));
    }
    let Some(merged) = cx.tx.merge_tickets(&duplicate, into, actor.audit()).await? else {
        return refuse(text::merge_closed(actor.lang, dup));
    };
    super::stale::follow(cx, desk, duplicate.status, &merged).await?;
    let mut effects = vec![
        Effect::reply(text::merged(actor.lang, dup, &target)),
        Effect::UpdateNotices { subject: merged.subject(), body: notice(&merged, desk) },
    ];
    if !merged.is_requester(&actor.person) {
        let (t, into) = (merged.clone(), target.clone());
        let body = Shown::text_per_reader(move |r| text::merged_for_requester(r.lang, &t, &into));
        effects.push(Effect::Direct { person: merged.requester.id, body, subject: None });
    }
    Ok(effects)
}

/// `/ticket link <id> <other>`: marks two tickets as related; both show it.
pub async fn link(cx: &mut Cx<'_>, desk: &Tickets, id: TicketId, other: TicketId) -> ServiceResult {
    let actor = cx.actor;
    if id == other {
        return refuse(text::link_to_itself(actor.lang, id));
    }
    let ticket = find(cx.tx, id, actor).await?;
    find(cx.tx, other, actor).await?;
    if !works_on(cx, desk, ticket.category.as_deref(), &actor.person).await? {
        return refuse(team_only(actor, id, "ticket link"));
    }
    let added = cx.tx.link_tickets(id, other, actor.audit()).await?;
    Ok(vec![Effect::reply(text::linked(actor.lang, id, other, added))])
}

//! `/ticket search`: tickets found by their words (title, public conversation,
//! resolution), best match first, narrowed by status, agent, priority, category, tag and
//! dates, a page at a time with buttons.

use chrono::{DateTime, Utc};
use deskmate_port::{Body, Button, ButtonStyle};

use super::model::{ListScope, Priority, TicketStatus, sees_all_tickets};
use super::store::SearchFilter;
use super::{NAMESPACE, Tickets, text};
use crate::chat::button;
use crate::chat::feature::{Cx, Kit};
use crate::kernel::{Actor, Effect, ServiceResult, refuse};

/// Tickets a page shows.
const PAGE: i64 = 10;
/// Page buttons' verb: `tk:page:<search>:<page>`.
pub const PAGE_VERB: &str = "page";

/// What was typed after `/ticket search`.
pub struct Asked {
    pub words: String,
    pub scope: Option<ListScope>,
    pub assignee: Option<String>,
    pub priority: Option<Priority>,
    pub category: Option<String>,
    pub tag: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub async fn search(cx: &mut Cx<'_>, desk: &Tickets, asked: Asked) -> ServiceResult {
    let actor = cx.actor;
    if super::words::terms(&asked.words).is_empty() {
        return refuse(text::search_needs_words(actor.lang));
    }
    let assignee = match &asked.assignee {
        Some(handle) => Some(cx.kit.people.resolve(actor, handle).await?.id.0),
        None => None,
    };
    let category = match &asked.category {
        Some(name) => match desk.rules.category(name) {
            Some(c) => Some(c.name.clone()),
            None => return refuse(text::unknown_category(actor.lang, name, &desk.rules.category_names())),
        },
        None => None,
    };
    let filter = SearchFilter {
        words: asked.words.clone(),
        statuses: asked.scope.map(statuses).unwrap_or_default().iter().map(|s| s.as_str().to_owned()).collect(),
        assignee,
        priority: asked.priority.map(|p| p.as_str().to_owned()),
        category,
        tag: asked.tag.map(|t| t.trim().trim_start_matches('+').to_lowercase()),
        from: asked.from.map(|t| t.timestamp_millis()),
        to: asked.to.map(|t| t.timestamp_millis()),
        involving: (!sees_all_tickets(&actor.person)).then_some(actor.person.id.0),
        ..SearchFilter::default()
    };
    let id = cx.tx.save_search(actor.person.id, &filter, actor.at).await?;
    page(cx.kit, actor, id, &filter, 1).await
}

/// A page button pressed: the kept search, again, at that page; only for who searched.
pub async fn turn(cx: &mut Cx<'_>, search: i64, page_no: i64) -> ServiceResult {
    let actor = cx.actor;
    let Some(filter) = cx.kit.store.saved_search(search, actor.person.id).await? else {
        return refuse(crate::chat::text::stale_button(actor.lang));
    };
    page(cx.kit, actor, search, &filter, page_no.max(1)).await
}

async fn page(kit: &Kit, actor: &Actor, search: i64, filter: &SearchFilter, page_no: i64) -> ServiceResult {
    let Some(mut found) = kit.store.search_tickets(filter, PAGE + 1, (page_no - 1) * PAGE).await? else {
        return refuse(text::search_needs_words(actor.lang));
    };
    let more = found.len() as i64 > PAGE;
    found.truncate(PAGE as usize);
    // A reply goes to the one who searched: written in their language, on their clock.
    let lang = actor.lang;
    let text = text::search_results(lang, &filter.words, &found, page_no, actor.tz);
    let mut buttons = Vec::new();
    if page_no > 1 {
        buttons.push(page_button(lang, search, page_no - 1, "button-previous"));
    }
    if more {
        buttons.push(page_button(lang, search, page_no + 1, "button-next"));
    }
    let body = Body { text, buttons, ..Body::default() };
    Ok(vec![Effect::Reply { body: body.into(), private: false }])
}

fn page_button(lang: crate::kernel::Lang, search: i64, page: i64, label: &str) -> Button {
    Button {
        id: button::encode(NAMESPACE, PAGE_VERB, &[&search, &page]),
        label: text::label(lang, label),
        style: ButtonStyle::Secondary,
    }
}

/// The statuses a scope stands for.
pub fn statuses(scope: ListScope) -> &'static [TicketStatus] {
    use TicketStatus as S;
    match scope {
        ListScope::Open => &[S::Open],
        ListScope::Claimed => &[S::Claimed],
        ListScope::Working => &[S::InProgress, S::Waiting],
        ListScope::Resolved => &[S::Resolved],
        ListScope::Closed => &[S::Closed],
        ListScope::Active => S::ACTIVE,
        ListScope::All => &[],
    }
}

/// Indexes the tickets opened before search existed, a batch at a time (the migration
/// listed them; later starts find the list empty in one indexed read).
pub async fn index_the_rest(kit: &Kit) -> ServiceResult<()> {
    loop {
        let batch = kit.store.unindexed_tickets(500).await?;
        if batch.is_empty() {
            return Ok(());
        }
        let mut tx = kit.store.begin().await?;
        for (id, title, resolution, status) in &batch {
            tx.index_ticket(*id, title, *status).await?;
            tx.index_more(*id, resolution).await?;
            tx.indexed_late(*id).await?;
        }
        tx.commit().await?;
        tracing::info!(tickets = batch.len(), "indexed tickets for search");
    }
}

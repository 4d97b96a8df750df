//! Everything the tickets feature says, from its catalogs (`i18n/en.ftl`,
//! `i18n/zh-CN.ftl`), in the reader's language. Plain text: adapters escape it.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{Body, Button, ButtonStyle};

use super::model::{Move, Ticket, TicketId, TicketMessage, TicketStatus, TransitionError};
use super::{Press, button};
use crate::chat::text::label_ranges;
use crate::i18n::{Arg, Catalog, Lang};
use crate::i18n::{length, moment, stamp};
use crate::kernel::{PersonName, Reader};
use crate::store::EventRecord;

pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new("tickets", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
});

fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    CATALOG.text(lang, id, args)
}

fn priority(lang: Lang, t: &Ticket) -> String {
    say(lang, "priority", &[("priority", t.priority.as_str().into())])
}

fn status(lang: Lang, s: TicketStatus) -> String {
    say(lang, "status", &[("status", s.as_str().into())])
}

fn id(t: &Ticket) -> Arg {
    t.id.0.into()
}

pub fn ticket_opened(lang: Lang, t: &Ticket) -> String {
    let args = [("id", id(t)), ("title", t.title.as_str().into()), ("priority", priority(lang, t).into())];
    match &t.assignee {
        Some(agent) => {
            let mut args = args.to_vec();
            args.push(("agent", agent.name.as_str().into()));
            say(lang, "opened-assigned", &args)
        }
        None => say(lang, "opened", &args),
    }
}

/// The notice in the support queue; rendered again (and edited in place) on every change.
pub fn ticket_notice(lang: Lang, tz: Tz, t: &Ticket, category: Option<&str>) -> Body {
    let name = |p: Option<&PersonName>| Arg::from(p.map_or("none", |p| p.name.as_str()));
    let state = match t.status {
        TicketStatus::Open => say(lang, "notice-open", &[]),
        TicketStatus::Claimed => say(lang, "notice-claimed", &[("name", name(t.assignee.as_ref()))]),
        TicketStatus::InProgress => say(lang, "notice-in-progress", &[("name", name(t.assignee.as_ref()))]),
        TicketStatus::Waiting => say(lang, "notice-waiting", &[("requester", t.requester.name.as_str().into())]),
        TicketStatus::Resolved => say(lang, "notice-resolved", &[("name", name(t.resolved_by.as_ref()))]),
        TicketStatus::Closed => say(lang, "notice-closed", &[("name", name(t.closed_by.as_ref()))]),
    };
    let mut text = say(
        lang,
        "notice",
        &[
            ("id", id(t)),
            ("title", t.title.as_str().into()),
            ("priority", priority(lang, t).into()),
            ("state", state.into()),
            ("requester", t.requester.name.as_str().into()),
        ],
    );
    if let Some(category) = category {
        text.push('\n');
        text.push_str(&say(lang, "category-line", &[("category", category.into())]));
    }
    if let Some(into) = t.merged_into {
        text.push('\n');
        text.push_str(&say(lang, "merged-line", &[("into", into.0.into())]));
    }
    if let Some(resolution) = &t.resolution {
        text.push('\n');
        text.push_str(&say(lang, "resolution-line", &[("resolution", resolution.as_str().into())]));
    }
    if let Some(line) = sla_line(lang, t, tz) {
        text.push('\n');
        text.push_str(&line);
    }
    let buttons = match t.status {
        TicketStatus::Open => vec![Button {
            id: button(Press::Claim, t.id),
            label: say(lang, "button-claim", &[]),
            style: ButtonStyle::Primary,
        }],
        s if s.is_held() => vec![Button {
            id: button(Press::Resolve, t.id),
            label: say(lang, "button-resolve", &[]),
            style: ButtonStyle::Secondary,
        }],
        _ => Vec::new(),
    };
    let thread = Some(say(lang, "thread", &[("id", id(t)), ("title", t.title.as_str().into())]));
    Body { text, buttons, thread, ..Body::default() }
}

/// The question after Resolve: the answer becomes the resolution note.
pub fn ask_resolution(lang: Lang, t: &Ticket) -> String {
    say(lang, "ask-resolution", &[("id", id(t)), ("title", t.title.as_str().into())])
}

/// A ticket as a suggestion while an option is typed (Discord allows 100 characters).
pub fn ticket_choice(lang: Lang, t: &Ticket) -> String {
    let label = say(
        lang,
        "choice",
        &[("id", id(t)), ("title", t.title.as_str().into()), ("status", status(lang, t.status).into())],
    );
    if label.chars().count() <= 100 { label } else { label.chars().take(99).chain(['…']).collect() }
}

/// `plain` without a note, `with` (the note as `note`) with one.
fn with_note(
    lang: Lang,
    t: &Ticket,
    (plain, with): (&str, &str),
    note: Option<&str>,
    mut args: Vec<(&str, Arg)>,
) -> String {
    args.extend([("id", id(t)), ("title", t.title.as_str().into())]);
    match note {
        Some(n) => {
            args.push(("note", n.into()));
            say(lang, with, &args)
        }
        None => say(lang, plain, &args),
    }
}

/// What the one who moved a ticket is told.
pub fn moved(lang: Lang, t: &Ticket, tried: Move, note: Option<&str>) -> String {
    let requester = ("requester", Arg::from(t.requester.name.as_str()));
    match tried {
        Move::Claim => with_note(lang, t, ("claimed", "claimed"), None, Vec::new()),
        Move::Start => with_note(lang, t, ("started", "started"), None, Vec::new()),
        Move::Wait => with_note(lang, t, ("waiting", "waiting-with"), note, vec![requester]),
        Move::Resolve => with_note(lang, t, ("resolved", "resolved"), t.resolution.as_deref(), vec![requester]),
        Move::Close => with_note(lang, t, ("closed", "closed-with"), t.resolution.as_deref(), Vec::new()),
        Move::Reopen => match &t.assignee {
            Some(a) if t.status == TicketStatus::InProgress => {
                with_note(lang, t, ("reopened-to", "reopened-to"), None, vec![("agent", a.name.as_str().into())])
            }
            _ => with_note(lang, t, ("reopened-to-queue", "reopened-to-queue"), None, Vec::new()),
        },
        Move::Assign => with_note(lang, t, ("assigned", "assigned"), note, Vec::new()),
        Move::Unassign => with_note(lang, t, ("unassigned", "unassigned"), None, Vec::new()),
    }
}

/// What the requester is told when someone else moves their ticket. When it is resolved,
/// they may reopen it (or close it) with a button until the window ends.
pub fn for_requester(
    reader: Reader,
    t: &Ticket,
    tried: Move,
    by: &str,
    note: Option<&str>,
    window: chrono::Duration,
) -> Body {
    let (lang, by) = (reader.lang, ("by", Arg::from(by)));
    let text = match tried {
        Move::Claim => with_note(lang, t, ("claimed-for-requester", "claimed-for-requester"), None, vec![by]),
        Move::Start => with_note(lang, t, ("started-for-requester", "started-for-requester"), None, vec![by]),
        Move::Wait => with_note(lang, t, ("waiting-for-requester", "waiting-for-requester-with"), note, vec![by]),
        Move::Resolve => {
            let until = t.resolved_at.map_or(String::new(), |at| moment(lang, at + window, reader.tz));
            let args = vec![by, ("until", until.into())];
            with_note(lang, t, ("resolved-for-requester", "resolved-for-requester"), t.resolution.as_deref(), args)
        }
        Move::Close => {
            with_note(lang, t, ("closed-for-requester", "closed-for-requester-with"), t.resolution.as_deref(), vec![by])
        }
        Move::Reopen => with_note(lang, t, ("reopened-for-requester", "reopened-for-requester"), None, vec![by]),
        Move::Assign => with_note(lang, t, ("assigned-for-requester", "assigned-for-requester"), note, vec![by]),
        Move::Unassign => with_note(lang, t, ("unassigned-for-requester", "unassigned-for-requester"), None, vec![by]),
    };
    let buttons = if tried == Move::Resolve {
        vec![
            Button {
                id: button(Press::Close, t.id),
                label: say(lang, "button-fixed", &[]),
                style: ButtonStyle::Primary,
            },
            Button {
                id: button(Press::Reopen, t.id),
                label: say(lang, "button-reopen", &[]),
                style: ButtonStyle::Secondary,
            },
        ]
    } else {
        Vec::new()
    };
    Body { text, buttons, ..Body::default() }
}

/// What the agent holding a ticket is told when someone else moves it.
pub fn for_assignee(lang: Lang, t: &Ticket, tried: Move, by: &str, note: Option<&str>) -> String {
    let by = ("by", Arg::from(by));
    match tried {
        Move::Close => {
            with_note(lang, t, ("closed-for-assignee", "closed-for-assignee-with"), t.resolution.as_deref(), vec![by])
        }
        Move::Reopen => with_note(lang, t, ("reopened-for-assignee", "reopened-for-assignee-with"), note, vec![by]),
        Move::Unassign => with_note(lang, t, ("unassigned-for-assignee", "unassigned-for-assignee"), None, vec![by]),
        _ => {
            let status = ("status", Arg::from(status(lang, t.status)));
            with_note(lang, t, ("moved-for-assignee", "moved-for-assignee"), None, vec![by, status])
        }
    }
}

/// A move the ticket's status does not allow, and what it allows instead.
pub fn cannot_move(lang: Lang, ticket: impl std::fmt::Display, e: &TransitionError) -> String {
    let ticket = ticket.to_string().trim_start_matches('#').to_owned();
    let next = e
        .allowed
        .iter()
        .map(|m| match m {
            Move::Assign => format!("/ticket {m} {ticket} @agent"),
            _ => format!("/ticket {m} {ticket}"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    say(
        lang,
        "cannot-move",
        &[
            ("id", ticket.as_str().into()),
            ("status", status(lang, e.from).into()),
            ("move", e.tried.as_str().into()),
            ("next", if next.is_empty() { "none".into() } else { next.into() }),
        ],
    )
}

/// An agent was given a ticket (`by`: who gave it; `None`: the category's rotation).
pub fn assigned_to_you(lang: Lang, t: &Ticket, by: Option<&str>) -> String {
    let by = ("by", Arg::from(by.unwrap_or("none")));
    with_note(lang, t, ("assigned-to-you", "assigned-to-you"), None, vec![by])
}

pub fn unknown_category(lang: Lang, typed: &str, known: &str) -> String {
    let known = if known.is_empty() { "none" } else { known };
    say(lang, "unknown-category", &[("typed", typed.into()), ("known", known.into())])
}

pub fn assign_usage(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "assign-usage", &[("id", ticket.to_string().into())])
}

/// `category`: the ticket's, or none.
pub fn not_on_team(lang: Lang, name: &str, ticket: impl std::fmt::Display, category: Option<&str>) -> String {
    let args =
        [("name", name.into()), ("id", ticket.to_string().into()), ("category", category.unwrap_or("none").into())];
    say(lang, "not-on-team", &args)
}

pub fn not_your_team(lang: Lang, ticket: impl std::fmt::Display, command: &str) -> String {
    say(lang, "not-your-team", &[("id", ticket.to_string().into()), ("command", command.into())])
}

pub fn already_assigned(lang: Lang, ticket: impl std::fmt::Display, name: &str) -> String {
    say(lang, "already-assigned", &[("id", ticket.to_string().into()), ("name", name.into())])
}

pub fn already_in_category(lang: Lang, ticket: impl std::fmt::Display, label: &str) -> String {
    say(lang, "already-in-category", &[("id", ticket.to_string().into()), ("category", label.into())])
}

/// Someone changed the ticket between our read and our write: where it is now.
pub fn changed_meanwhile(lang: Lang, t: &Ticket) -> String {
    say(lang, "changed-meanwhile", &[("id", id(t)), ("status", status(lang, t.status).into())])
}

pub fn recategorized(lang: Lang, t: &Ticket, label: &str) -> String {
    let agent = t.assignee.as_ref().map_or("none", |a| a.name.as_str());
    with_note(lang, t, ("moved", "moved"), None, vec![("category", label.into()), ("agent", agent.into())])
}

pub fn recategorized_for_requester(lang: Lang, t: &Ticket, label: &str) -> String {
    with_note(lang, t, ("moved-for-requester", "moved-for-requester"), None, vec![("category", label.into())])
}

/// The requester has not answered since `since`; it closes at `closes`.
pub fn waiting_reminder(lang: Lang, t: &Ticket, since: DateTime<Utc>, closes: DateTime<Utc>, tz: Tz) -> String {
    let agent = t.assignee.as_ref().map_or("none", |a| a.name.as_str());
    let args = vec![
        ("agent", agent.into()),
        ("since", moment(lang, since, tz).into()),
        ("closes", moment(lang, closes, tz).into()),
    ];
    with_note(lang, t, ("waiting-reminder", "waiting-reminder"), None, args)
}

/// Closed after waiting `waited` on the requester; they may reopen it for `window`.
pub fn lapsed_for_requester(
    lang: Lang,
    t: &Ticket,
    waited: chrono::Duration,
    window: chrono::Duration,
    tz: Tz,
) -> String {
    let until = t.closed_at.map_or(String::new(), |at| moment(lang, at + window, tz));
    let args = vec![("waited", length(lang, waited).into()), ("until", until.into())];
    with_note(lang, t, ("lapsed-for-requester", "lapsed-for-requester"), None, args)
}

pub fn lapsed_for_assignee(lang: Lang, t: &Ticket, waited: chrono::Duration) -> String {
    let args = vec![("requester", t.requester.name.as_str().into()), ("waited", length(lang, waited).into())];
    with_note(lang, t, ("lapsed-for-assignee", "lapsed-for-assignee"), None, args)
}

/// A message of the conversation, as the other side reads it.
pub fn message(lang: Lang, t: &Ticket, by: &str, words: &str) -> String {
    with_note(lang, t, ("message", "message"), Some(words), vec![("by", by.into())])
}

pub fn note_for_agent(lang: Lang, t: &Ticket, by: &str, words: &str) -> String {
    with_note(lang, t, ("note-for-agent", "note-for-agent"), Some(words), vec![("by", by.into())])
}

/// A move, as a watcher hears of it.
pub fn for_watcher(lang: Lang, t: &Ticket, tried: Move, by: &str) -> String {
    let args = vec![("by", Arg::from(by)), ("move", tried.as_str().into()), ("status", status(lang, t.status).into())];
    with_note(lang, t, ("for-watcher", "for-watcher"), None, args)
}

/// Who heard a reply: `to` is a person's name, or [`the_team`].
pub fn reply_sent(lang: Lang, ticket: impl std::fmt::Display, to: &str) -> String {
    say(lang, "reply-sent", &[("id", ticket.to_string().into()), ("to", to.into())])
}

pub fn the_team(lang: Lang) -> String {
    say(lang, "the-team", &[])
}

pub fn reply_refused(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "reply-refused", &[("id", ticket.to_string().into())])
}

pub fn reply_closed(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "reply-closed", &[("id", ticket.to_string().into())])
}

pub fn note_added(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "note-added", &[("id", ticket.to_string().into())])
}

/// `on`: watching now (or not); `changed`: whether it was otherwise before.
pub fn watching(lang: Lang, ticket: impl std::fmt::Display, on: bool, changed: bool) -> String {
    let which = match (on, changed) {
        (true, true) => "watch-on",
        (true, false) => "watch-already",
        (false, true) => "watch-off",
        (false, false) => "watch-not",
    };
    say(lang, which, &[("id", ticket.to_string().into())])
}

pub fn bad_tag(lang: Lang, typed: &str, max: usize) -> String {
    say(lang, "bad-tag", &[("typed", typed.into()), ("max", max.into())])
}

pub fn tag_usage(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "tag-usage", &[("id", ticket.to_string().into())])
}

pub fn too_many_tags(lang: Lang, ticket: impl std::fmt::Display, max: usize) -> String {
    say(lang, "too-many-tags", &[("id", ticket.to_string().into()), ("max", max.into())])
}

pub fn tagged(lang: Lang, ticket: impl std::fmt::Display, tags: &[String]) -> String {
    let tags = if tags.is_empty() { "none".to_owned() } else { tags.join(", ") };
    say(lang, "tagged", &[("id", ticket.to_string().into()), ("tags", tags.into())])
}

pub fn canned_saved(lang: Lang, name: &str, replaced: bool) -> String {
    say(lang, if replaced { "canned-replaced" } else { "canned-saved" }, &[("name", name.into())])
}

pub fn canned_removed(lang: Lang, name: &str) -> String {
    say(lang, "canned-removed", &[("name", name.into())])
}

pub fn no_canned(lang: Lang, name: &str) -> String {
    say(lang, "no-canned", &[("name", name.into())])
}

/// `known`: the names there are, or empty.
pub fn unknown_canned(lang: Lang, name: &str, known: &str) -> String {
    let known = if known.is_empty() { "none" } else { known };
    say(lang, "unknown-canned", &[("name", name.into()), ("known", known.into())])
}

pub fn bad_canned_name(lang: Lang, typed: &str) -> String {
    say(lang, "bad-canned-name", &[("typed", typed.into())])
}

pub fn canned_list(lang: Lang, replies: &[(String, String)]) -> String {
    if replies.is_empty() {
        return say(lang, "canned-none", &[]);
    }
    let mut out = say(lang, "canned-head", &[("count", replies.len().into())]);
    for (name, body) in replies {
        out.push('\n');
        out.push_str(&say(lang, "canned-line", &[("name", name.as_str().into()), ("text", body.as_str().into())]));
    }
    out
}

pub fn merge_into_itself(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "merge-into-itself", &[("id", ticket.to_string().into())])
}

pub fn merge_into_closed(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "merge-into-closed", &[("id", ticket.to_string().into())])
}

pub fn merge_closed(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "merge-closed", &[("id", ticket.to_string().into())])
}

pub fn merged(lang: Lang, dup: impl std::fmt::Display, into: &Ticket) -> String {
    with_note(lang, into, ("merged", "merged"), None, vec![("dup", dup.to_string().into())])
}

pub fn merged_for_requester(lang: Lang, dup: &Ticket, into: &Ticket) -> String {
    let args = vec![("dup", Arg::from(dup.id.0)), ("dup_title", dup.title.as_str().into())];
    with_note(lang, into, ("merged-for-requester", "merged-for-requester"), None, args)
}

pub fn link_to_itself(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "link-to-itself", &[("id", ticket.to_string().into())])
}

pub fn linked(lang: Lang, a: impl std::fmt::Display, b: impl std::fmt::Display, added: bool) -> String {
    let args = [("id", Arg::from(a.to_string())), ("other", b.to_string().into())];
    say(lang, if added { "linked" } else { "already-linked" }, &args)
}

/// A button's label (`button-next`, `button-previous`).
pub fn label(lang: Lang, id: &str) -> String {
    say(lang, id, &[])
}

pub fn search_needs_words(lang: Lang) -> String {
    say(lang, "search-needs-words", &[])
}

/// A page of search results (`page` from 1).
/// A ticket on one line of a list or of search results.
fn list_line(lang: Lang, t: &Ticket, tz: Tz) -> String {
    say(
        lang,
        "list-line",
        &[
            ("id", id(t)),
            ("priority", priority(lang, t).into()),
            ("title", t.title.as_str().into()),
            ("status", status(lang, t.status).into()),
            ("agent", t.assignee.as_ref().map_or("none", |a| a.name.as_str()).into()),
            ("requester", t.requester.name.as_str().into()),
            ("at", stamp(lang, t.created_at, tz).into()),
        ],
    )
}

pub fn search_results(lang: Lang, words: &str, found: &[Ticket], page: i64, tz: Tz) -> String {
    if found.is_empty() {
        return say(lang, "search-none", &[("words", words.into()), ("page", page.into())]);
    }
    let mut out = say(lang, "search-head", &[("words", words.into()), ("page", page.into())]);
    for t in found {
        out.push('\n');
        out.push_str(&list_line(lang, t, tz));
    }
    out
}

pub fn resolution_needed(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "resolution-needed", &[("id", ticket.to_string().into())])
}

pub fn reopen_refused(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "reopen-refused", &[("id", ticket.to_string().into())])
}

/// The requester's window to reopen it ended at `ended`.
pub fn reopen_too_late(lang: Lang, ticket: impl std::fmt::Display, ended: DateTime<Utc>, tz: Tz) -> String {
    say(lang, "reopen-too-late", &[("id", ticket.to_string().into()), ("at", moment(lang, ended, tz).into())])
}

pub fn ticket_not_found(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "not-found", &[("id", ticket.to_string().into())])
}

pub fn ticket_already_claimed(
    lang: Lang,
    ticket: impl std::fmt::Display,
    by: Option<&PersonName>,
    you: bool,
) -> String {
    let ticket = ticket.to_string();
    match (by, you) {
        (_, true) => say(lang, "already-yours", &[("id", ticket.into())]),
        (Some(p), false) => say(lang, "already-claimed-by", &[("id", ticket.into()), ("name", p.name.as_str().into())]),
        (None, false) => say(lang, "already-claimed", &[("id", ticket.into())]),
    }
}

pub fn ticket_not_yours(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "not-yours", &[("id", ticket.to_string().into())])
}

pub fn ticket_close_refused(lang: Lang, ticket: impl std::fmt::Display) -> String {
    say(lang, "close-refused", &[("id", ticket.to_string().into())])
}

/// `scope`: all, open, claimed, closed or active; `mine`: only the reader's.
pub fn ticket_list(lang: Lang, tickets: &[Ticket], (scope, mine): (&str, bool), tz: Tz) -> String {
    let which = [("scope", Arg::from(scope)), ("mine", if mine { "yes" } else { "no" }.into())];
    if tickets.is_empty() {
        return say(lang, "list-none", &which);
    }
    let mut head = which.to_vec();
    head.push(("count", tickets.len().into()));
    let mut out = say(lang, "list-head", &head);
    for t in tickets {
        out.push('\n');
        out.push_str(&list_line(lang, t, tz));
    }
    out
}

pub fn ticket_details(
    lang: Lang,
    t: &Ticket,
    (tags, links, messages): (&[String], &[TicketId], &[TicketMessage]),
    history: &[EventRecord],
    tz: Tz,
) -> String {
    let agent = t.assignee.as_ref().map_or_else(|| say(lang, "nobody-yet", &[]), |a| a.name.clone());
    let mut out = say(
        lang,
        "details",
        &[
            ("id", id(t)),
            ("title", t.title.as_str().into()),
            ("priority", priority(lang, t).into()),
            ("status", status(lang, t.status).into()),
            ("requester", t.requester.name.as_str().into()),
            ("agent", agent.into()),
            ("at", stamp(lang, t.created_at, tz).into()),
            ("zone", tz.name().into()),
        ],
    );
    if let Some(c) = &t.category {
        out.push('\n');
        out.push_str(&say(lang, "category-line", &[("category", c.as_str().into())]));
    }
    if let Some(r) = &t.resolution {
        out.push('\n');
        out.push_str(&say(lang, "resolution-line", &[("resolution", r.as_str().into())]));
    }
    if !tags.is_empty() {
        out.push('\n');
        out.push_str(&say(lang, "tags-line", &[("tags", tags.join(", ").into())]));
    }
    if !links.is_empty() {
        let links = links.iter().map(|l| format!("#{l}")).collect::<Vec<_>>().join(", ");
        out.push('\n');
        out.push_str(&say(lang, "links-line", &[("links", links.into())]));
    }
    if let Some(into) = t.merged_into {
        out.push('\n');
        out.push_str(&say(lang, "merged-line", &[("into", into.0.into())]));
    }
    if !messages.is_empty() {
        out.push('\n');
        out.push_str(&say(lang, "conversation", &[]));
        for m in messages {
            let args = [
                ("at", Arg::from(stamp(lang, m.at, tz))),
                ("who", m.author.name.as_str().into()),
                ("internal", if m.internal { "yes" } else { "no" }.into()),
                ("text", m.body.as_str().into()),
            ];
            out.push_str("\n  ");
            out.push_str(&say(lang, "conversation-line", &args));
        }
    }
    out.push('\n');
    out.push_str(&say(lang, "history", &[]));
    history_lines(lang, &mut out, history, tz);
    out
}

/// `/ticket history`: every change, who made it, when and from where.
pub fn ticket_history(lang: Lang, t: &Ticket, history: &[EventRecord], tz: Tz) -> String {
    let mut out = say(
        lang,
        "history-head",
        &[
            ("id", id(t)),
            ("title", t.title.as_str().into()),
            ("status", status(lang, t.status).into()),
            ("zone", tz.name().into()),
        ],
    );
    history_lines(lang, &mut out, history, tz);
    out
}

fn history_lines(lang: Lang, out: &mut String, history: &[EventRecord], tz: Tz) {
    for e in history {
        let mut args = vec![
            ("at", Arg::from(stamp(lang, e.at, tz))),
            ("who", e.actor.as_deref().unwrap_or("deskmate").into()),
            ("action", e.action.trim_start_matches("ticket.").into()),
            ("platform", e.platform.as_str().into()),
        ];
        let id = if e.detail.is_empty() {
            "history-line"
        } else {
            args.push(("detail", e.detail.as_str().into()));
            "history-line-detail"
        };
        out.push_str("\n  ");
        out.push_str(&say(lang, id, &args));
    }
}

/// One message standing for many notices of one kind, when a channel is flooded.
pub fn coalesced(lang: Lang, kind: &str, labels: &[String]) -> Option<String> {
    (kind == super::NEW_TICKET)
        .then(|| say(lang, "coalesced", &[("count", labels.len().into()), ("labels", label_ranges(labels).into())]))
}

/// The most tickets a digest lists.
const DIGEST_MAX: usize = 20;

pub fn ticket_digest(lang: Lang, tickets: &[Ticket], at: DateTime<Utc>, tz: Tz) -> String {
    let open = tickets.iter().filter(|t| t.status == TicketStatus::Open).count();
    let mut out = say(
        lang,
        "digest",
        &[("at", stamp(lang, at, tz).into()), ("open", open.into()), ("working", (tickets.len() - open).into())],
    );
    for t in tickets.iter().take(DIGEST_MAX) {
        out.push('\n');
        out.push_str(&say(
            lang,
            "digest-line",
            &[
                ("id", id(t)),
                ("priority", priority(lang, t).into()),
                ("title", t.title.as_str().into()),
                ("agent", t.assignee.as_ref().map_or("none", |a| a.name.as_str()).into()),
            ],
        ));
    }
    if tickets.len() > DIGEST_MAX {
        out.push('\n');
        out.push_str(&say(lang, "digest-more", &[("more", (tickets.len() - DIGEST_MAX).into())]));
    }
    out
}

/// An open ticket someone opened or holds, on their agenda.
pub fn agenda_line(lang: Lang, t: &Ticket) -> String {
    say(
        lang,
        "agenda-line",
        &[("id", id(t)), ("title", t.title.as_str().into()), ("status", status(lang, t.status).into())],
    )
}

// Intake: the panel, direct messages, reactions; and tickets like one just taken.

pub fn panel(lang: Lang) -> String {
    say(lang, "panel", &[])
}

pub fn ask_request(lang: Lang, category: Option<&str>) -> String {
    match category {
        Some(c) => say(lang, "ask-request-in", &[("category", c.into())]),
        None => say(lang, "ask-request", &[]),
    }
}

pub fn add_to_label(lang: Lang, ticket: TicketId) -> String {
    say(lang, "button-add-to", &[("id", ticket.0.into())])
}

/// Someone with tickets open wrote in private: about one of those, or new?
pub fn new_or_add(lang: Lang, open: &[Ticket]) -> String {
    let lines: Vec<String> = open
        .iter()
        .map(|t| say(lang, "new-or-add-line", &[("id", id(t)), ("title", t.title.as_str().into())]))
        .collect();
    say(lang, "new-or-add", &[("count", open.len().into()), ("tickets", lines.join("\n").into())])
}

pub fn short_request(lang: Lang, said: &str) -> String {
    say(lang, "short-request", &[("text", said.into())])
}

pub fn already_a_ticket(lang: Lang, ticket: TicketId) -> String {
    say(lang, "already-a-ticket", &[("id", ticket.0.into())])
}

pub fn reaction_unread(lang: Lang) -> String {
    say(lang, "reaction-unread", &[])
}

pub fn from_message(lang: Lang, link: &str) -> String {
    say(lang, "from-message", &[("link", link.into())])
}

pub fn made_a_ticket(lang: Lang, t: &Ticket, by: &str) -> String {
    say(lang, "made-a-ticket", &[("id", id(t)), ("title", t.title.as_str().into()), ("by", by.into())])
}

/// Resolved tickets like `ticket`, each with its resolution, for the agent who took it.
pub fn similar_tickets(lang: Lang, ticket: TicketId, alike: &[Ticket]) -> String {
    let lines: Vec<String> = alike
        .iter()
        .map(|t| {
            let resolution = t.resolution.as_deref().unwrap_or_default();
            say(
                lang,
                "similar-line",
                &[("id", id(t)), ("title", t.title.as_str().into()), ("resolution", resolution.into())],
            )
        })
        .collect();
    say(lang, "similar", &[("id", ticket.0.into()), ("tickets", lines.join("\n").into())])
}

// Transcripts.

pub fn transcript_title(lang: Lang, ticket: TicketId, title: &str) -> String {
    say(lang, "transcript-title", &[("id", ticket.0.into()), ("title", title.into())])
}

pub fn transcript_footer(lang: Lang, made: &str, zone: &str) -> String {
    say(lang, "transcript-footer", &[("at", made.into()), ("zone", zone.into())])
}

pub fn transcript_attached(lang: Lang, ticket: TicketId) -> String {
    say(lang, "transcript-attached", &[("id", ticket.0.into())])
}

pub fn transcript_kept(lang: Lang, ticket: TicketId) -> String {
    say(lang, "transcript-kept", &[("id", ticket.0.into())])
}

pub fn transcript_so_far(lang: Lang, ticket: TicketId) -> String {
    say(lang, "transcript-so-far", &[("id", ticket.0.into())])
}

pub fn transcript_missing(lang: Lang, ticket: TicketId) -> String {
    say(lang, "transcript-missing", &[("id", ticket.0.into())])
}

// Satisfaction.

pub fn rate_please(lang: Lang, t: &Ticket) -> String {
    say(lang, "rate-please", &[("id", id(t)), ("title", t.title.as_str().into())])
}

pub fn stars_label(lang: Lang, stars: i64) -> String {
    say(lang, "button-stars", &[("count", stars.into())])
}

pub fn rate_not_yours(lang: Lang, ticket: TicketId) -> String {
    say(lang, "rate-not-yours", &[("id", ticket.0.into())])
}

pub fn rate_not_done(lang: Lang, ticket: TicketId) -> String {
    say(lang, "rate-not-done", &[("id", ticket.0.into())])
}

pub fn ask_rating_comment(lang: Lang, ticket: TicketId, stars: i64) -> String {
    say(lang, "ask-rating-comment", &[("id", ticket.0.into()), ("count", stars.into())])
}

pub fn rating_changed(lang: Lang, ticket: TicketId, stars: i64, was: i64) -> String {
    say(lang, "rating-changed", &[("id", ticket.0.into()), ("count", stars.into()), ("was", was.into())])
}

pub fn rating_comment_kept(lang: Lang, ticket: TicketId) -> String {
    say(lang, "rating-comment-kept", &[("id", ticket.0.into())])
}

pub fn low_rating(lang: Lang, t: &Ticket, stars: i64, comment: Option<&str>) -> String {
    let agent = t.assignee.as_ref().map_or_else(|| say(lang, "nobody-yet", &[]), |a| a.name.clone());
    let mut args = vec![
        ("id", id(t)),
        ("title", t.title.as_str().into()),
        ("count", stars.into()),
        ("requester", t.requester.name.as_str().into()),
        ("agent", agent.into()),
    ];
    match comment {
        Some(c) => {
            args.push(("text", c.into()));
            say(lang, "low-rating-comment", &args)
        }
        None => say(lang, "low-rating", &args),
    }
}

pub fn rating_line(lang: Lang, stars: i64, comment: Option<&str>) -> String {
    match comment.filter(|c| !c.is_empty()) {
        Some(c) => say(lang, "rating-line-comment", &[("count", stars.into()), ("text", c.into())]),
        None => say(lang, "rating-line", &[("count", stars.into())]),
    }
}

// Service levels.

/// What the ticket's clock says, as a notice shows it (by when, not how long: a notice is
/// read later than it is written).
pub fn sla_line(lang: Lang, t: &Ticket, tz: Tz) -> Option<String> {
    use super::model::Next;
    let at = |when: DateTime<Utc>| Arg::from(moment(lang, when, tz));
    Some(match t.next_target()? {
        Next::FirstResponse(due) => say(lang, "sla-first-by", &[("at", at(due)), ("zone", tz.name().into())]),
        Next::Paused(left) => {
            say(lang, "sla-paused", &[("left", length(lang, left.max(chrono::Duration::zero())).into())])
        }
        Next::Resolution(due) => say(lang, "sla-resolve-by", &[("at", at(due)), ("zone", tz.name().into())]),
    })
}

/// What is due next and how long is left (or how overdue it is), in business time.
pub fn sla_now(lang: Lang, due: super::sla::Due, tz: Tz) -> String {
    use super::sla::Due;
    let left = |d: chrono::Duration| Arg::from(length(lang, d.abs()));
    let at = |when: DateTime<Utc>| Arg::from(moment(lang, when, tz));
    match due {
        Due::FirstResponse { due, left: l } if l >= chrono::Duration::zero() => {
            say(lang, "sla-first-in", &[("left", left(l)), ("at", at(due))])
        }
        Due::FirstResponse { left: l, .. } => say(lang, "sla-first-over", &[("left", left(l))]),
        Due::Resolution { due, left: l } if l >= chrono::Duration::zero() => {
            say(lang, "sla-resolve-in", &[("left", left(l)), ("at", at(due))])
        }
        Due::Resolution { left: l, .. } => say(lang, "sla-resolve-over", &[("left", left(l))]),
        Due::Paused { left: l } => say(lang, "sla-paused", &[("left", left(l.max(chrono::Duration::zero())))]),
    }
}

pub fn sla_warning(lang: Lang, t: &Ticket, first: bool, left: chrono::Duration, due: DateTime<Utc>, tz: Tz) -> String {
    let args = [
        ("id", id(t)),
        ("title", t.title.as_str().into()),
        ("left", length(lang, left).into()),
        ("at", moment(lang, due, tz).into()),
        ("target", if first { "first" } else { "resolution" }.into()),
    ];
    say(lang, "sla-warning", &args)
}

pub fn sla_breach(lang: Lang, t: &Ticket, first: bool, due: DateTime<Utc>, tz: Tz) -> String {
    let agent = t.assignee.as_ref().map_or_else(|| say(lang, "nobody-yet", &[]), |a| a.name.clone());
    let args = [
        ("id", id(t)),
        ("title", t.title.as_str().into()),
        ("priority", priority(lang, t).into()),
        ("agent", agent.into()),
        ("at", moment(lang, due, tz).into()),
        ("target", if first { "first" } else { "resolution" }.into()),
    ];
    say(lang, "sla-breach", &args)
}

pub fn leads_only(lang: Lang, ticket: TicketId) -> String {
    say(lang, "leads-only", &[("id", ticket.0.into())])
}

pub fn ask_reassign(lang: Lang, ticket: TicketId) -> String {
    say(lang, "ask-reassign", &[("id", ticket.0.into())])
}

pub fn ask_extend(lang: Lang, ticket: TicketId) -> String {
    say(lang, "ask-extend", &[("id", ticket.0.into())])
}

pub fn bad_extension(lang: Lang, typed: &str) -> String {
    say(lang, "bad-extension", &[("typed", typed.into())])
}

pub fn nothing_to_extend(lang: Lang, ticket: TicketId) -> String {
    say(lang, "nothing-to-extend", &[("id", ticket.0.into())])
}

pub fn extended(lang: Lang, ticket: TicketId, first: bool, due: DateTime<Utc>, tz: Tz) -> String {
    let target = if first { "first" } else { "resolution" };
    say(
        lang,
        "extended",
        &[
            ("id", ticket.0.into()),
            ("target", target.into()),
            ("at", moment(lang, due, tz).into()),
            ("zone", tz.name().into()),
        ],
    )
}

pub fn same_priority(lang: Lang, t: &Ticket) -> String {
    say(lang, "same-priority", &[("id", id(t)), ("priority", priority(lang, t).into())])
}

pub fn reprioritized(lang: Lang, t: &Ticket, from: super::model::Priority) -> String {
    let before = say(lang, "priority", &[("priority", from.as_str().into())]);
    say(lang, "reprioritized", &[("id", id(t)), ("priority", priority(lang, t).into()), ("was", before.into())])
}

/// The tickets report, a line a figure.
pub fn ticket_report(
    lang: Lang,
    f: &super::report::Figures,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    category: Option<&str>,
    tz: Tz,
) -> String {
    let head = match category {
        Some(c) => say(
            lang,
            "report-head-in",
            &[
                ("from", stamp(lang, from, tz).into()),
                ("to", stamp(lang, to, tz).into()),
                ("zone", tz.name().into()),
                ("category", c.into()),
            ],
        ),
        None => say(
            lang,
            "report-head",
            &[("from", stamp(lang, from, tz).into()), ("to", stamp(lang, to, tz).into()), ("zone", tz.name().into())],
        ),
    };
    let mut out = vec![head];
    out.extend(summary(lang, f));
    if !f.agents.is_empty() {
        out.push(say(lang, "report-agents", &[]));
        for (agent, (held, solved)) in &f.agents {
            out.push(say(
                lang,
                "report-agent",
                &[("agent", agent.as_str().into()), ("held", (*held).into()), ("solved", (*solved).into())],
            ));
        }
    }
    out.join("\n")
}

/// The help desk's part of the office report.
pub fn insight(lang: Lang, f: &super::report::Figures) -> crate::chat::feature::Insight {
    crate::chat::feature::Insight { heading: say(lang, "insight-heading", &[]), lines: summary(lang, f) }
}

/// A report's figures, a line each: opened, first response, resolution, targets met,
/// satisfaction, backlog.
fn summary(lang: Lang, f: &super::report::Figures) -> Vec<String> {
    let mut out = Vec::new();
    let list =
        |counts: Vec<(String, usize)>| counts.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    let statuses =
        f.by_status.iter().map(|(s, n)| (say(lang, "status", &[("status", s.as_str().into())]), *n)).collect();
    let categories =
        f.by_category.iter().map(|(c, n)| (c.clone().unwrap_or_else(|| report_no_category(lang)), *n)).collect();
    out.push(say(
        lang,
        "report-opened",
        &[("count", f.opened.into()), ("statuses", list(statuses).into()), ("categories", list(categories).into())],
    ));
    let times = |(key, none): (&str, &str), pair: Option<(chrono::Duration, chrono::Duration)>| match pair {
        Some((median, p90)) => {
            say(lang, key, &[("median", length(lang, median).into()), ("p90", length(lang, p90).into())])
        }
        None => say(lang, none, &[]),
    };
    out.push(times(("report-first-response", "report-first-response-none"), f.first_response));
    out.push(times(("report-resolution", "report-resolution-none"), f.resolution));
    out.push(match f.sla {
        Some((met, of)) => say(
            lang,
            "report-sla",
            &[("percent", ((met * 100 + of / 2) / of).into()), ("met", met.into()), ("count", of.into())],
        ),
        None => say(lang, "report-sla-none", &[]),
    });
    out.push(match f.csat {
        Some((average, count)) => {
            say(lang, "report-csat", &[("average", format!("{average:.1}").into()), ("count", count.into())])
        }
        None => say(lang, "report-csat-none", &[]),
    });
    out.push(match f.backlog {
        Some((count, median, oldest)) => say(
            lang,
            "report-backlog",
            &[
                ("count", count.into()),
                ("median", length(lang, median).into()),
                ("oldest", length(lang, oldest).into()),
            ],
        ),
        None => say(lang, "report-backlog-none", &[]),
    });
    out
}

pub fn report_export(lang: Lang, count: usize) -> String {
    say(lang, "report-export", &[("count", count.into())])
}

pub fn report_no_category(lang: Lang) -> String {
    say(lang, "report-no-category", &[])
}

/// The chart's title: the span's local days (its end is the moment it ends, so a span
/// ending at midnight ends the day before).
pub fn chart_title(lang: Lang, (from, to): (DateTime<Utc>, DateTime<Utc>), category: Option<&str>, tz: Tz) -> String {
    let day = |at: DateTime<Utc>| at.with_timezone(&tz).date_naive().format("%Y-%m-%d").to_string();
    let last = day(to - chrono::Duration::milliseconds(1)).max(day(from));
    let mut args: Vec<(&str, Arg)> = vec![("from", day(from).into()), ("to", last.into())];
    match category {
        Some(c) => {
            args.push(("category", c.into()));
            say(lang, "chart-title-in", &args)
        }
        None => say(lang, "chart-title", &args),
    }
}

pub fn chart_timeline(lang: Lang, bucket: super::report::Bucket) -> String {
    let bucket = match bucket {
        super::report::Bucket::Day => "day",
        super::report::Bucket::Week => "week",
        super::report::Bucket::Month => "month",
    };
    say(lang, "chart-timeline", &[("bucket", bucket.into())])
}

pub fn chart_opened(lang: Lang) -> String {
    say(lang, "chart-opened", &[])
}

pub fn chart_resolved(lang: Lang) -> String {
    say(lang, "chart-resolved", &[])
}

pub fn chart_by_category(lang: Lang) -> String {
    say(lang, "chart-by-category", &[])
}

pub fn chart_other(lang: Lang) -> String {
    say(lang, "chart-other", &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogs_hold_the_same_messages_and_the_code_uses_each() {
        crate::i18n::check_catalog(
            &CATALOG,
            &[
                include_str!("text.rs"),
                include_str!("service.rs"),
                include_str!("conversation.rs"),
                include_str!("tidy.rs"),
                include_str!("search.rs"),
                include_str!("intake.rs"),
                include_str!("transcript.rs"),
                include_str!("satisfaction.rs"),
                include_str!("sla.rs"),
                include_str!("report.rs"),
            ],
        );
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let samples: Vec<(&str, Arg)> = vec![
            ("id", 7_i64.into()),
            ("title", "Printer jammed".into()),
            ("priority", "high".into()),
            ("status", "open".into()),
            ("state", "open".into()),
            ("requester", "bob".into()),
            ("name", "carol".into()),
            ("resolution", "new toner".into()),
            ("agent", "carol".into()),
            ("by", "carol".into()),
            ("scope", "open".into()),
            ("mine", "yes".into()),
            ("count", 2_i64.into()),
            ("at", "2026-12-01 15:00".into()),
            ("zone", "UTC".into()),
            ("who", "carol".into()),
            ("action", "open".into()),
            ("platform", "console".into()),
            ("detail", "".into()),
            ("labels", "#1–#3".into()),
            ("open", 1_i64.into()),
            ("working", 2_i64.into()),
            ("more", 3_i64.into()),
            ("note", "which floor?".into()),
            ("until", "2026-12-08 15:00".into()),
            ("move", "resolve".into()),
            ("category", "IT support".into()),
            ("typed", "it".into()),
            ("known", "it, facilities".into()),
            ("bucket", "week".into()),
            ("command", "ticket claim".into()),
            ("since", "Mon 30 Nov 2026 09:00".into()),
            ("closes", "Mon 7 Dec 2026 09:00".into()),
            ("waited", "7 days".into()),
            ("to", "carol".into()),
            ("internal", "yes".into()),
            ("text", "Try the other port".into()),
            ("tags", "vpn, printer".into()),
            ("max", 10_i64.into()),
            ("dup", 9_i64.into()),
            ("dup_title", "Printer again".into()),
            ("other", 8_i64.into()),
            ("link", "https://discord.com/channels/1/2/3".into()),
            ("tickets", "#3 Printer jammed".into()),
            ("was", 2_i64.into()),
            ("left", "1 h 20 min".into()),
            ("target", "first".into()),
            ("from", "2026-11-23 09:00".into()),
            ("statuses", "open 2, closed 1".into()),
            ("categories", "it 2, no category 1".into()),
            ("median", "2 h".into()),
            ("p90", "6 h".into()),
            ("percent", 90_i64.into()),
            ("met", 9_i64.into()),
            ("average", "4.2".into()),
            ("oldest", "3 d".into()),
            ("held", 2_i64.into()),
            ("solved", 5_i64.into()),
            ("links", "#3, #8".into()),
            ("into", 7_i64.into()),
            ("words", "vpn".into()),
            ("page", 2_i64.into()),
            ("next", "/ticket claim 7, /ticket close 7".into()),
        ];
        crate::i18n::check_renders(&CATALOG, &samples);
        let list = |lang, scope, mine, count: i64| {
            say(
                lang,
                if count == 0 { "list-none" } else { "list-head" },
                &[
                    ("scope", Arg::from(scope)),
                    ("mine", if mine { "yes" } else { "no" }.into()),
                    ("count", count.into()),
                ],
            )
        };
        assert_eq!(list(Lang::En, "all", false, 0), "No tickets.");
        assert_eq!(list(Lang::En, "open", true, 0), "No open tickets of yours.");
        assert_eq!(list(Lang::En, "active", false, 2), "2 active tickets:");
        assert_eq!(list(Lang::En, "all", true, 1), "1 ticket of yours:");
        assert_eq!(list(Lang::ZhCn, "open", true, 0), "你没有待处理的工单。");
        assert_eq!(list(Lang::ZhCn, "active", false, 2), "未关闭工单（2 个）：");
        assert_eq!(list(Lang::ZhCn, "all", false, 3), "工单（3 个）：");
    }
}

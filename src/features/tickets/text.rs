//! Everything the tickets feature says. Plain text: adapters escape it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{Body, Button, ButtonStyle};

use super::model::{Ticket, TicketStatus};
use super::{Press, button};
use crate::chat::text::{label_ranges, local_time};
use crate::kernel::PersonName;
use crate::store::EventRecord;

pub fn ticket_opened(t: &Ticket) -> String {
    format!("Ticket #{} opened: {} (priority {}). The support team has been notified.", t.id, t.title, t.priority)
}

/// The notice in the support queue; rendered again (and edited in place) on every change.
pub fn ticket_notice(t: &Ticket) -> Body {
    let status = match (&t.status, &t.assignee) {
        (TicketStatus::Open, _) => "open, waiting for an agent".to_owned(),
        (TicketStatus::Claimed, Some(a)) => format!("claimed by {}", a.name),
        (TicketStatus::Claimed, None) => "claimed".to_owned(),
        (TicketStatus::Closed, _) => match t.closed_by.as_ref().or(t.assignee.as_ref()) {
            Some(by) => format!("closed by {}", by.name),
            None => "closed".to_owned(),
        },
    };
    let mut text = format!(
        "Ticket #{} · {}\nPriority: {} · Status: {}\nOpened by {}",
        t.id, t.title, t.priority, status, t.requester.name
    );
    if let Some(resolution) = &t.resolution {
        text.push_str(&format!("\nResolution: {resolution}"));
    }
    let buttons = match t.status {
        TicketStatus::Open => {
            vec![Button { id: button(Press::Claim, t.id), label: "Claim".to_owned(), style: ButtonStyle::Primary }]
        }
        TicketStatus::Claimed => vec![Button {
            id: button(Press::Resolve, t.id),
            label: "Resolve".to_owned(),
            style: ButtonStyle::Secondary,
        }],
        TicketStatus::Closed => Vec::new(),
    };
    let thread = Some(format!("Ticket #{} · {}", t.id, t.title));
    Body { text, buttons, thread, ..Body::default() }
}

/// The question after Resolve: the answer becomes the resolution note.
pub fn ask_resolution(t: &Ticket) -> String {
    format!(
        "How was ticket #{} ({}) resolved? Reply to this message with a short note; it closes the ticket.",
        t.id, t.title
    )
}

/// A ticket as a suggestion while an option is typed (Discord allows 100 characters).
pub fn ticket_choice(t: &Ticket) -> String {
    let label = format!("#{} · {} ({})", t.id, t.title, t.status);
    if label.chars().count() <= 100 { label } else { label.chars().take(99).chain(['…']).collect() }
}

pub fn ticket_claimed(t: &Ticket) -> String {
    format!("You claimed ticket #{}: {}.", t.id, t.title)
}

pub fn ticket_claimed_for_requester(t: &Ticket, agent: &str) -> String {
    format!("{agent} is now working on your ticket #{}: {}.", t.id, t.title)
}

pub fn ticket_closed(t: &Ticket) -> String {
    match &t.resolution {
        Some(r) => format!("Ticket #{} closed. Resolution: {r}", t.id),
        None => format!("Ticket #{} closed.", t.id),
    }
}

pub fn ticket_closed_for_requester(t: &Ticket, by: &str) -> String {
    match &t.resolution {
        Some(r) => format!("{by} closed your ticket #{} ({}). Resolution: {r}", t.id, t.title),
        None => format!("{by} closed your ticket #{} ({}).", t.id, t.title),
    }
}

pub fn ticket_closed_for_assignee(t: &Ticket, by: &str) -> String {
    match &t.resolution {
        Some(r) => format!("{by} closed ticket #{} ({}), which you were working on. Resolution: {r}", t.id, t.title),
        None => format!("{by} closed ticket #{} ({}), which you were working on.", t.id, t.title),
    }
}

pub fn ticket_not_found(id: impl std::fmt::Display) -> String {
    format!("There is no ticket #{id}.")
}

pub fn ticket_already_claimed(id: impl std::fmt::Display, by: Option<&PersonName>, you: bool) -> String {
    match (by, you) {
        (_, true) => format!("You already have ticket #{id}."),
        (Some(p), false) => format!("Ticket #{id} is already claimed by {}.", p.name),
        (None, false) => format!("Ticket #{id} is already claimed."),
    }
}

pub fn ticket_already_closed(id: impl std::fmt::Display) -> String {
    format!("Ticket #{id} is closed; it cannot be changed.")
}

pub fn ticket_not_yours(id: impl std::fmt::Display) -> String {
    format!("Ticket #{id} is not yours: only its requester, agents and managers can see it.")
}

pub fn ticket_close_refused(id: impl std::fmt::Display) -> String {
    format!("Only agents, or the person who opened ticket #{id}, can close it.")
}

pub fn ticket_list(tickets: &[Ticket], what: &str, tz: Tz) -> String {
    if tickets.is_empty() {
        return if what.is_empty() { "No tickets.".to_owned() } else { format!("No {what} tickets.") };
    }
    let count = tickets.len();
    let plural = if count == 1 { "" } else { "s" };
    let mut out =
        if what.is_empty() { format!("{count} ticket{plural}:") } else { format!("{count} {what} ticket{plural}:") };
    for t in tickets {
        let who = match &t.assignee {
            Some(a) => format!(" by {}", a.name),
            None => String::new(),
        };
        out.push_str(&format!(
            "\n#{} [{}] {} · {}{} · opened by {} {}",
            t.id,
            t.priority,
            t.title,
            t.status,
            who,
            t.requester.name,
            local_time(t.created_at, tz)
        ));
    }
    out
}

pub fn ticket_details(t: &Ticket, history: &[EventRecord], tz: Tz) -> String {
    let mut out = format!(
        "Ticket #{} · {}\nPriority: {} · Status: {}\nRequester: {}\nAgent: {}\nOpened: {} ({})",
        t.id,
        t.title,
        t.priority,
        t.status,
        t.requester.name,
        t.assignee.as_ref().map_or("nobody yet", |a| a.name.as_str()),
        local_time(t.created_at, tz),
        tz.name(),
    );
    if let Some(r) = &t.resolution {
        out.push_str(&format!("\nResolution: {r}"));
    }
    out.push_str("\nHistory:");
    for e in history {
        let detail = if e.detail.is_empty() { String::new() } else { format!(": {}", e.detail) };
        out.push_str(&format!(
            "\n  {} {} {} via {}{}",
            local_time(e.at, tz),
            e.actor.as_deref().unwrap_or("deskmate"),
            e.action.trim_start_matches("ticket."),
            e.platform,
            detail
        ));
    }
    out
}

/// One message standing for many notices of one kind, when a channel is flooded.
pub fn coalesced(kind: &str, labels: &[String]) -> Option<String> {
    let what = match kind {
        super::NEW_TICKET => "new tickets",
        _ => return None,
    };
    Some(format!("{} {what}: {}. /ticket list shows them, with their buttons.", labels.len(), label_ranges(labels)))
}

pub fn ticket_digest(tickets: &[Ticket], at: DateTime<Utc>, tz: Tz) -> String {
    let open = tickets.iter().filter(|t| t.status == TicketStatus::Open).count();
    let mut out =
        format!("Ticket digest, {}: {} open, {} being worked on.", local_time(at, tz), open, tickets.len() - open);
    for t in tickets.iter().take(20) {
        let who = t.assignee.as_ref().map_or("unclaimed".to_owned(), |a| format!("with {}", a.name));
        out.push_str(&format!("\n#{} [{}] {} · {}", t.id, t.priority, t.title, who));
    }
    if tickets.len() > 20 {
        out.push_str(&format!("\n…and {} more: /ticket list", tickets.len() - 20));
    }
    out
}

/// An open ticket someone opened or holds, on their agenda.
pub fn agenda_line(ticket: &Ticket) -> String {
    format!("Ticket #{} · {} ({})", ticket.id, ticket.title, ticket.status)
}

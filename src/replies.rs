//! Every sentence Deskmate says, in one place. Plain text: adapters escape it for their
//! platform's markup.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{Account, Body, Button, ButtonStyle};

use crate::buttons::ButtonAction;
use crate::commands;
use crate::domain::{Department, Person, PersonName, Role, Ticket, TicketStatus};
use crate::store::EventRecord;

pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

// ---- errors -------------------------------------------------------------------------

pub fn usage_error(problem: &str, path: &[&str]) -> String {
    format!("{problem}\nUsage: {}", commands::usage(path))
}

pub fn unknown_command(name: &str, suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("I don't know /{name}. Did you mean /{s}? (/help lists everything)"),
        None => format!("I don't know /{name}. /help lists what I can do."),
    }
}

pub fn not_a_command() -> String {
    "Commands start with /. Try /help.".to_owned()
}

pub fn needs_role(role: Role, command: &str) -> String {
    format!("Only {role}s can use /{command}. Ask an admin if you need the {role} role.")
}

pub fn internal_error(reference: &str) -> String {
    format!("Sorry, something went wrong on my side and nothing was changed by this message. (ref {reference})")
}

pub fn plain_text() -> String {
    "I read commands, not chat: they start with /, e.g. /ticket new Printer on 3F is jammed. /help lists them all."
        .to_owned()
}

pub fn anonymous_admin() -> String {
    "You are writing as the group (an anonymous admin), so I cannot tell who you are or check your rights. \
     Turn off \"Remain anonymous\" in your admin settings, or send me the command in a private chat."
        .to_owned()
}

pub fn too_many_mentions(count: usize, max: usize) -> String {
    format!("That message mentions {count} people; a command can name at most {max}. Nothing was changed.")
}

pub fn rate_limited(class: crate::commands::RateClass, per_minute: u32, retry_after: std::time::Duration) -> String {
    let what = match class {
        crate::commands::RateClass::General => "commands",
        crate::commands::RateClass::Tickets => "new tickets",
        crate::commands::RateClass::Reminders => "new reminders",
    };
    let seconds = retry_after.as_secs_f64().ceil().max(1.0);
    format!("Slow down: at most {per_minute} {what} a minute. Try again in {seconds} s. Nothing was changed.")
}

pub fn too_far_ahead(max_days: i64, until: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "that is too far ahead: dates can be at most {max_days} days ahead (until {} {}).",
        local_time(until, tz),
        tz.name()
    )
}

pub fn stale_button() -> String {
    "That button is no longer valid.".to_owned()
}

pub fn unknown_person(handle: &str) -> String {
    format!("I don't know @{handle} yet — they need to write to me once (any message) before I can act on them.")
}

// ---- tickets ------------------------------------------------------------------------

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
        TicketStatus::Open => vec![Button {
            id: ButtonAction::ClaimTicket(t.id).encode(),
            label: "Claim".to_owned(),
            style: ButtonStyle::Primary,
        }],
        TicketStatus::Claimed => vec![Button {
            id: ButtonAction::ResolveTicket(t.id).encode(),
            label: "Resolve".to_owned(),
            style: ButtonStyle::Secondary,
        }],
        TicketStatus::Closed => Vec::new(),
    };
    let thread = Some(format!("Ticket #{} · {}", t.id, t.title));
    Body { text, buttons, thread, ..Body::default() }
}

/// Said once in a group when a direct message to someone bounced.
pub fn direct_unreachable(account: &deskmate_port::Account) -> String {
    let name = account.handle.as_ref().map_or_else(|| account.display_name.clone(), |h| format!("@{h}"));
    let how = match account.platform {
        deskmate_port::Platform::Telegram => "open a private chat with me and press Start",
        deskmate_port::Platform::Discord => "allow direct messages from this server's members",
        deskmate_port::Platform::Console => "write to me directly",
    };
    format!("{name}, I have messages for you but cannot write to you privately. Please {how}; they will follow.")
}

/// The question after Resolve: the answer becomes the resolution note.
pub fn ask_resolution(t: &Ticket) -> String {
    format!(
        "How was ticket #{} ({}) resolved? Reply to this message with a short note; it closes the ticket.",
        t.id, t.title
    )
}

pub fn prompt_unknown() -> String {
    "That question is no longer open. Press the button again to be asked anew.".to_owned()
}

pub fn prompt_expired() -> String {
    "That question has expired. Press the button again to be asked anew.".to_owned()
}

pub fn prompt_not_yours(name: &str) -> String {
    format!("That question was put to {name}; only they can answer it.")
}

pub fn prompt_answered() -> String {
    "That question has already been answered.".to_owned()
}

pub fn prompt_empty() -> String {
    "The answer is empty: reply with some text.".to_owned()
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
pub fn coalesced(kind: &str, labels: &[String]) -> String {
    let what = match kind {
        "ticket.new" => "new tickets",
        other => other,
    };
    format!("{} {what}: {}. /ticket list shows them, with their buttons.", labels.len(), label_ranges(labels))
}

/// "#101–#103, #107" from "#101", "#102", "#103", "#107".
fn label_ranges(labels: &[String]) -> String {
    let numbers: Option<Vec<i64>> = labels.iter().map(|l| l.trim_start_matches('#').parse().ok()).collect();
    let Some(mut numbers) = numbers else { return labels.join(", ") };
    numbers.sort_unstable();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        parts.push(if start == end { format!("#{start}") } else { format!("#{start}–#{end}") });
        i += 1;
    }
    parts.join(", ")
}

pub fn dead_letter(platform: deskmate_port::Platform, lane: &str, text: &str, error: &str) -> String {
    let preview: String = text.chars().take(120).collect();
    format!("A message to {platform} {lane} could not be delivered and was given up ({error}): \"{preview}\"")
}

// ---- directory ----------------------------------------------------------------------

pub fn whereami(channel: &deskmate_port::ChannelRef) -> String {
    let kind = match channel.kind {
        deskmate_port::ChannelKind::Group => "a group chat",
        deskmate_port::ChannelKind::Direct => "a private chat with me",
    };
    format!(
        "This is {kind}; its address is {}:{}. Use it in the config, e.g. [channels] support_queue = [\"{}:{}\"].",
        channel.platform, channel.id, channel.platform, channel.id
    )
}

pub fn whoami(
    person: &Person,
    accounts: &[Account],
    dept: Option<&Department>,
    manager: Option<&PersonName>,
    tz: Tz,
) -> String {
    let accounts: Vec<String> = accounts
        .iter()
        .map(|a| match &a.handle {
            Some(h) => format!("{} @{h}", a.platform),
            None => format!("{} {}", a.platform, a.id),
        })
        .collect();
    format!(
        "You are {} (person {}).\nRoles: {}\nDepartment: {}\nManager: {}\nTime zone: {}{}\nAccounts: {}",
        person.display_name,
        person.id,
        person.roles.names().join(", "),
        dept.map_or("none", |d| d.name.as_str()),
        manager.map_or("none", |m| m.name.as_str()),
        tz.name(),
        if person.tz.is_none() { " (the default; /tz set to change)" } else { "" },
        accounts.join(", ")
    )
}

pub fn role_granted(name: &str, role: Role, changed: bool) -> String {
    if changed {
        format!("{name} is now {}.", with_article(role))
    } else {
        format!("{name} already is {}.", with_article(role))
    }
}

pub fn role_revoked(name: &str, role: Role, changed: bool) -> String {
    if changed {
        format!("{name} is no longer {}.", with_article(role))
    } else {
        format!("{name} was not {}.", with_article(role))
    }
}

pub fn last_admin() -> String {
    "That would leave nobody as admin; grant someone else admin first.".to_owned()
}

pub fn admin_by_config(name: &str) -> String {
    format!("{name} is an admin through the config ([directory] admins); remove them there and restart.")
}

fn with_article(role: Role) -> String {
    match role {
        Role::Agent | Role::Admin => format!("an {role}"),
        _ => format!("a {role}"),
    }
}

pub fn dept_created(d: &Department) -> String {
    format!("Department {} created. Add people with /dept add \"{}\" @person.", d.name, d.name)
}

pub fn dept_exists(name: &str) -> String {
    format!("There is already a department called {name}.")
}

pub fn dept_not_found(name: &str) -> String {
    format!("There is no department called {name}. /dept list shows them.")
}

pub fn dept_member_added(dept: &str, person: &str) -> String {
    format!("{person} is now in {dept}.")
}

pub fn dept_manager_set(dept: &str, person: &str) -> String {
    format!("{person} now manages {dept}.")
}

pub fn dept_list(depts: &[Department]) -> String {
    if depts.is_empty() {
        return "No departments yet. Admins create them with /dept create <name>.".to_owned();
    }
    let mut out = String::from("Departments:");
    for d in depts {
        out.push_str(&format!(
            "\n{} · manager: {} · {} member{}",
            d.name,
            d.manager.as_ref().map_or("none", |m| m.name.as_str()),
            d.members,
            if d.members == 1 { "" } else { "s" }
        ));
    }
    out
}

pub fn tz_set(tz: Tz, now: DateTime<Utc>) -> String {
    format!("Your time zone is now {}. It is {} there.", tz.name(), local_time(now, tz))
}

pub fn link_code(code: &str, minutes: i64) -> String {
    format!(
        "Your link code is {code}. Within {minutes} minutes, send /link {code} from your other account (another messenger) to join the two."
    )
}

pub fn linked(name: &str) -> String {
    format!("Linked: this account now belongs to {name}. Roles, tickets and approvals follow you across messengers.")
}

pub fn link_same_person() -> String {
    "This account is already linked to that person.".to_owned()
}

pub fn link_invalid(attempts_left: i64) -> String {
    let left = match attempts_left {
        i64::MIN..=0 => "That was your last try for now.".to_owned(),
        1 => "1 more wrong code locks /link for a while.".to_owned(),
        n => format!("{n} more wrong codes lock /link for a while."),
    };
    format!("That code is unknown or expired. Run /link on your other account for a new one. {left}")
}

pub fn link_locked(until: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "Too many wrong link codes: /link is locked until {} ({}). Nothing was changed.",
        local_time(until, tz),
        tz.name()
    )
}

// ---- reminders and schedules --------------------------------------------------------

pub fn time_passed(at: DateTime<Utc>, tz: Tz) -> String {
    format!(
        "{} ({}) has already passed; pick a time in the future, e.g. in 2h or tomorrow 9:00.",
        local_time(at, tz),
        tz.name()
    )
}

pub fn too_long(what: &str, len: usize, max: usize) -> String {
    format!("The {what} is {len} characters long; at most {max} are allowed. Nothing was changed.")
}

pub fn reminder_set(at: DateTime<Utc>, tz: Tz, text: &str, fresh: bool) -> String {
    if fresh {
        format!("I'll remind you on {} ({}): {text}", local_time(at, tz), tz.name())
    } else {
        format!("You already have that reminder for {} ({}).", local_time(at, tz), tz.name())
    }
}

pub fn reminder(text: &str, late: Option<&str>) -> String {
    with_late(&format!("Reminder: {text}"), late)
}

pub fn late(due: DateTime<Utc>) -> String {
    format!("(late: this was due at {} UTC; Deskmate was not running then)", due.format("%Y-%m-%d %H:%M"))
}

pub fn with_late(text: &str, late: Option<&str>) -> String {
    match late {
        Some(note) => format!("{text}\n{note}"),
        None => text.to_owned(),
    }
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

pub fn schedule_list(rows: &[crate::store::ScheduleRow], tz: Tz) -> String {
    if rows.is_empty() {
        return "No schedules. They are declared as [[schedules]] in the config.".to_owned();
    }
    let mut out = String::from("Schedules:");
    for s in rows {
        let next = s.next_run_at.map_or("never".to_owned(), |n| format!("{} ({})", local_time(n, tz), tz.name()));
        let last = s.last_run_at.map_or("never".to_owned(), |l| local_time(l, tz));
        out.push_str(&format!(
            "\n{} · {} · \"{}\" {} · catch-up {} · next {} · last {}",
            s.name, s.job, s.cron, s.timezone, s.catch_up, next, last
        ));
    }
    out
}

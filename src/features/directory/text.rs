//! Everything the directory says. Plain text: adapters escape it.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::Account;

use super::model::Department;
use crate::chat::text::local_time;
use crate::kernel::{Person, PersonName, Role};

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

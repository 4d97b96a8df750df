//! Everything the directory says, from its catalogs (`i18n/en.ftl`, `i18n/zh-CN.ftl`),
//! in the reader's language. Plain text: adapters escape it.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::Account;

use super::model::Department;
use crate::i18n::{Arg, Catalog, Lang, moment};
use crate::kernel::{Person, PersonName, Role};

pub static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    Catalog::new("directory", &[(Lang::En, include_str!("i18n/en.ftl")), (Lang::ZhCn, include_str!("i18n/zh-CN.ftl"))])
});

fn say(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    CATALOG.text(lang, id, args)
}

pub fn whereami(lang: Lang, channel: &deskmate_port::ChannelRef) -> String {
    let id = match channel.kind {
        deskmate_port::ChannelKind::Group => "where-group",
        deskmate_port::ChannelKind::Direct => "where-direct",
    };
    let address = format!("{}:{}", channel.platform, channel.id);
    say(lang, id, &[("address", address.into())])
}

pub fn whoami(
    lang: Lang,
    person: &Person,
    accounts: &[Account],
    (dept, manager): (Option<&Department>, Option<&PersonName>),
    tz: Tz,
) -> String {
    let accounts: Vec<String> = accounts
        .iter()
        .map(|a| match &a.handle {
            Some(h) => format!("{} @{h}", a.platform),
            None => format!("{} {}", a.platform, a.id),
        })
        .collect();
    let none = || say(lang, "none", &[]);
    let roles: Vec<String> = person.roles.names().iter().map(|r| role_name(lang, r)).collect();
    say(
        lang,
        "whoami",
        &[
            ("name", person.display_name.as_str().into()),
            ("id", person.id.0.into()),
            ("roles", roles.join(", ").into()),
            ("dept", dept.map_or_else(none, |d| d.name.clone()).into()),
            ("manager", manager.map_or_else(none, |m| m.name.clone()).into()),
            ("zone", tz.name().into()),
            ("default_zone", if person.tz.is_none() { "yes" } else { "no" }.into()),
            ("language", language_name(lang, person.lang.unwrap_or(lang)).into()),
            ("accounts", accounts.join(", ").into()),
        ],
    )
}

fn role_name(lang: Lang, role: &str) -> String {
    say(lang, "role-name", &[("role", role.into())])
}

fn with_article(lang: Lang, role: Role) -> String {
    say(lang, "role-with-article", &[("role", role.as_str().into())])
}

pub fn role_granted(lang: Lang, name: &str, role: Role, changed: bool) -> String {
    let id = if changed { "role-granted" } else { "role-already" };
    say(lang, id, &[("name", name.into()), ("role", with_article(lang, role).into())])
}

pub fn role_revoked(lang: Lang, name: &str, role: Role, changed: bool) -> String {
    let id = if changed { "role-revoked" } else { "role-not-held" };
    say(lang, id, &[("name", name.into()), ("role", with_article(lang, role).into())])
}

pub fn last_admin(lang: Lang) -> String {
    say(lang, "last-admin", &[])
}

pub fn admin_by_config(lang: Lang, name: &str) -> String {
    say(lang, "admin-by-config", &[("name", name.into())])
}

pub fn dept_created(lang: Lang, d: &Department) -> String {
    say(lang, "dept-created", &[("dept", d.name.as_str().into())])
}

pub fn dept_exists(lang: Lang, name: &str) -> String {
    say(lang, "dept-exists", &[("dept", name.into())])
}

pub fn dept_not_found(lang: Lang, name: &str) -> String {
    say(lang, "dept-not-found", &[("dept", name.into())])
}

pub fn dept_member_added(lang: Lang, dept: &str, person: &str) -> String {
    say(lang, "dept-member-added", &[("dept", dept.into()), ("name", person.into())])
}

pub fn dept_manager_set(lang: Lang, dept: &str, person: &str) -> String {
    say(lang, "dept-manager-set", &[("dept", dept.into()), ("name", person.into())])
}

pub fn dept_list(lang: Lang, depts: &[Department]) -> String {
    if depts.is_empty() {
        return say(lang, "dept-none", &[]);
    }
    let mut out = say(lang, "dept-list", &[]);
    for d in depts {
        let manager = d.manager.as_ref().map_or_else(|| say(lang, "none", &[]), |m| m.name.clone());
        let line = say(
            lang,
            "dept-line",
            &[("dept", d.name.as_str().into()), ("manager", manager.into()), ("members", d.members.into())],
        );
        out.push('\n');
        out.push_str(&line);
    }
    out
}

pub fn tz_set(lang: Lang, tz: Tz, now: DateTime<Utc>) -> String {
    say(lang, "tz-set", &[("zone", tz.name().into()), ("now", moment(lang, now, tz).into())])
}

pub fn language_name(lang: Lang, of: Lang) -> String {
    say(lang, "language-name", &[("lang", of.as_str().into())])
}

pub fn lang_now(lang: Lang) -> String {
    say(lang, "lang-now", &[("language", language_name(lang, lang).into())])
}

pub fn lang_set(lang: Lang) -> String {
    say(lang, "lang-set", &[])
}

pub fn lang_unknown(lang: Lang, typed: &str) -> String {
    say(lang, "lang-unknown", &[("typed", typed.into())])
}

pub fn link_code(lang: Lang, code: &str, minutes: i64) -> String {
    say(lang, "link-code", &[("code", code.into()), ("minutes", minutes.into())])
}

pub fn linked(lang: Lang, name: &str) -> String {
    say(lang, "linked", &[("name", name.into())])
}

pub fn link_same_person(lang: Lang) -> String {
    say(lang, "link-same-person", &[])
}

pub fn link_invalid(lang: Lang, attempts_left: i64) -> String {
    say(lang, "link-invalid", &[("left", attempts_left.max(0).into())])
}

pub fn link_locked(lang: Lang, until: DateTime<Utc>, tz: Tz) -> String {
    say(lang, "link-locked", &[("until", moment(lang, until, tz).into()), ("zone", tz.name().into())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogs_hold_the_same_messages_and_the_code_uses_each() {
        crate::i18n::check_catalog(
            &CATALOG,
            &[include_str!("text.rs"), include_str!("service.rs"), include_str!("mod.rs")],
        );
    }

    #[test]
    fn every_message_renders_in_both_languages() {
        let samples: &[(&str, Arg)] = &[
            ("address", "telegram:-100".into()),
            ("name", "bob".into()),
            ("id", 7_i64.into()),
            ("roles", "staff".into()),
            ("dept", "Sales".into()),
            ("manager", "carol".into()),
            ("zone", "Asia/Shanghai".into()),
            ("default_zone", "yes".into()),
            ("language", "English".into()),
            ("accounts", "console @bob".into()),
            ("role", "admin".into()),
            ("members", 3_i64.into()),
            ("now", "Tue 1 Dec 2026 15:00".into()),
            ("typed", "fr".into()),
            ("lang", "zh-CN".into()),
            ("code", "ABC123".into()),
            ("minutes", 10_i64.into()),
            ("left", 2_i64.into()),
            ("until", "Tue 1 Dec 2026 15:00".into()),
        ];
        crate::i18n::check_renders(&CATALOG, samples);
        let sales =
            Department { id: crate::kernel::DeptId(1), name: "销售部".to_owned(), manager: None, members: 0 };
        assert_eq!(dept_created(Lang::ZhCn, &sales), "已创建部门“销售部”。用 /dept add \"销售部\" @某人 添加成员。");
        assert_eq!(
            link_invalid(Lang::En, 1),
            "That code is unknown or expired. Run /link on your other account for a new one. 1 more wrong code locks /link for a while."
        );
    }
}

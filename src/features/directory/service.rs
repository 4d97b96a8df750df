//! Roles, departments, time zones and account links.

use chrono_tz::Tz;
use rand::Rng;

use super::model::Department;
use super::store::LinkOutcome;
use super::text;
use crate::chat::feature::{Cx, Kit};
use crate::chat::text as chat_text;
use crate::kernel::{Actor, Effect, Lang, Role, ServiceResult, refuse};
use crate::limits::TextLimit;
use crate::store::Revoked;

static DEPARTMENT: TextLimit = TextLimit { what: "limit-department", catalog: &text::CATALOG, max: 80 };

const LINK_CODE_MINUTES: i64 = 10;
const LINK_CODE_LEN: usize = 8;
/// No 0/O or 1/I/L, so a code read off one screen is typed right on another.
const LINK_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// How many wrong `/link` codes lock guessing out, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct LinkGuard {
    pub per_person: u32,
    pub per_platform: u32,
    pub window_minutes: u32,
}

pub struct Directory {
    pub link_guard: LinkGuard,
}

impl Directory {
    pub async fn whoami(&self, kit: &Kit, actor: &Actor) -> ServiceResult {
        let person = &actor.person;
        let accounts = kit.store.accounts_of(person.id).await?;
        let dept = match person.dept {
            Some(id) => kit.store.department(id).await?,
            None => None,
        };
        let manager = kit.store.manager_of(person.id).await?;
        Ok(vec![Effect::reply(text::whoami(
            actor.lang,
            person,
            &accounts,
            (dept.as_ref(), manager.as_ref()),
            actor.tz,
        ))])
    }

    pub async fn grant(&self, cx: &mut Cx<'_>, handle: &str, role: Role) -> ServiceResult {
        let (tx, actor, kit) = (&mut *cx.tx, cx.actor, cx.kit);
        require(actor, Role::Admin, "role grant")?;
        let target = kit.people.resolve(actor, handle).await?;
        let changed = tx.grant_role(target.id, role, actor.audit()).await?;
        Ok(vec![Effect::reply(text::role_granted(actor.lang, &target.display_name, role, changed))])
    }

    pub async fn revoke(&self, cx: &mut Cx<'_>, handle: &str, role: Role) -> ServiceResult {
        let (tx, actor, kit) = (&mut *cx.tx, cx.actor, cx.kit);
        require(actor, Role::Admin, "role revoke")?;
        let target = kit.people.resolve(actor, handle).await?;
        if role == Role::Admin && target.roles.holds(Role::Admin) {
            // An admin named in the config would be made admin again on their next message.
            let accounts = kit.store.accounts_of(target.id).await?;
            if accounts.iter().any(|a| kit.people.is_config_admin(a)) {
                return refuse(text::admin_by_config(actor.lang, &target.display_name));
            }
        }
        match tx.revoke_role(target.id, role, actor.audit()).await? {
            Revoked::Revoked => {
                Ok(vec![Effect::reply(text::role_revoked(actor.lang, &target.display_name, role, true))])
            }
            Revoked::NotHeld => {
                Ok(vec![Effect::reply(text::role_revoked(actor.lang, &target.display_name, role, false))])
            }
            Revoked::LastAdmin => refuse(text::last_admin(actor.lang)),
        }
    }

    pub async fn create_department(&self, cx: &mut Cx<'_>, name: &str) -> ServiceResult {
        let (tx, actor) = (&mut *cx.tx, cx.actor);
        require(actor, Role::Admin, "dept create")?;
        let name = DEPARTMENT.check(cx.actor.lang, name)?;
        match tx.create_department(name, actor.audit()).await? {
            Some(d) => Ok(vec![Effect::reply(text::dept_created(actor.lang, &d))]),
            None => refuse(text::dept_exists(actor.lang, name)),
        }
    }

    pub async fn add_to_department(&self, cx: &mut Cx<'_>, dept: &str, handle: &str) -> ServiceResult {
        let (tx, actor, kit) = (&mut *cx.tx, cx.actor, cx.kit);
        require(actor, Role::Admin, "dept add")?;
        let dept = department(kit, actor, dept).await?;
        let person = kit.people.resolve(actor, handle).await?;
        tx.set_department(person.id, dept.id, actor.audit()).await?;
        Ok(vec![Effect::reply(text::dept_member_added(actor.lang, &dept.name, &person.display_name))])
    }

    pub async fn set_manager(&self, cx: &mut Cx<'_>, dept: &str, handle: &str) -> ServiceResult {
        let (tx, actor, kit) = (&mut *cx.tx, cx.actor, cx.kit);
        require(actor, Role::Admin, "dept set-manager")?;
        let dept = department(kit, actor, dept).await?;
        let person = kit.people.resolve(actor, handle).await?;
        tx.set_department_manager(dept.id, person.id, actor.audit()).await?;
        Ok(vec![Effect::reply(text::dept_manager_set(actor.lang, &dept.name, &person.display_name))])
    }

    pub async fn list_departments(&self, kit: &Kit, actor: &Actor) -> ServiceResult {
        Ok(vec![Effect::reply(text::dept_list(actor.lang, &kit.store.departments().await?))])
    }

    pub async fn set_time_zone(&self, cx: &mut Cx<'_>, tz: Tz) -> ServiceResult {
        let (tx, actor) = (&mut *cx.tx, cx.actor);
        tx.set_time_zone(actor.person.id, tz, actor.audit()).await?;
        Ok(vec![Effect::reply(text::tz_set(actor.lang, tz, actor.at))])
    }

    /// `/lang [en|zh-CN]`: the language the caller reads, shown or chosen (the answer
    /// comes in the new one).
    pub async fn set_language(&self, cx: &mut Cx<'_>, typed: Option<&str>) -> ServiceResult {
        let (tx, actor) = (&mut *cx.tx, cx.actor);
        let Some(typed) = typed.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(vec![Effect::reply(text::lang_now(actor.lang))]);
        };
        let named = match typed.to_lowercase().as_str() {
            "中文" | "简体中文" | "汉语" | "chinese" => Some(Lang::ZhCn),
            "英文" | "英语" | "english" => Some(Lang::En),
            _ => Lang::from_tag(typed),
        };
        let Some(lang) = named else { return refuse(text::lang_unknown(actor.lang, typed)) };
        tx.set_language(actor.person.id, lang, actor.audit()).await?;
        Ok(vec![Effect::reply(text::lang_set(lang))])
    }

    /// Without a code: hands out a one-time code. With one: joins this account to the
    /// person who asked for it.
    pub async fn link(&self, cx: &mut Cx<'_>, code: Option<&str>) -> ServiceResult {
        let (tx, actor, kit) = (&mut *cx.tx, cx.actor, cx.kit);
        let Some(code) = code else {
            let code = new_link_code();
            let expires = actor.at + chrono::Duration::minutes(LINK_CODE_MINUTES);
            tx.create_link_code(actor.person.id, &code.replace('-', ""), expires).await?;
            return Ok(vec![Effect::Reply {
                body: deskmate_port::Body::text(text::link_code(actor.lang, &code, LINK_CODE_MINUTES)).into(),
                private: true,
            }]);
        };
        // Guessing is locked out: a few wrong codes per person, and a bound for everyone
        // on the platform together (one person can hold many accounts).
        let guard = &self.link_guard;
        let window = chrono::Duration::minutes(i64::from(guard.window_minutes));
        let since = actor.at - window;
        let (mine, platform) = tx.link_failures_since(actor.person.id, actor.platform, since).await?;
        for (failures, limit) in [(mine, guard.per_person), (platform, guard.per_platform)] {
            if failures.count >= i64::from(limit) {
                let until = failures.oldest.unwrap_or(actor.at) + window;
                return refuse(text::link_locked(actor.lang, until, actor.tz));
            }
        }
        let code: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
        match tx.redeem_link_code(&code, actor.person.id, actor.audit(), &kit.person_columns).await? {
            LinkOutcome::Linked { person } => {
                let name = kit.store.person(person).await?.map(|p| p.display_name).unwrap_or_default();
                Ok(vec![Effect::reply(text::linked(actor.lang, &name))])
            }
            LinkOutcome::AlreadyLinked => refuse(text::link_same_person(actor.lang)),
            LinkOutcome::Invalid => {
                // Committed with the refusal, so the failure counts.
                tx.record_link_failure(actor.person.id, actor.platform, actor.at, since).await?;
                let left = i64::from(guard.per_person) - mine.count - 1;
                Ok(vec![Effect::Refusal {
                    body: deskmate_port::Body::text(text::link_invalid(actor.lang, left)).into(),
                    private: false,
                }])
            }
        }
    }
}

async fn department(kit: &Kit, actor: &Actor, name: &str) -> ServiceResult<Department> {
    match kit.store.department_by_name(name.trim()).await? {
        Some(d) => Ok(d),
        None => refuse(text::dept_not_found(actor.lang, name)),
    }
}

fn require(actor: &Actor, role: Role, command: &str) -> ServiceResult<()> {
    if actor.is(role) { Ok(()) } else { refuse(chat_text::needs_role(actor.lang, role, command)) }
}

/// Eight characters of a 31-letter alphabet (about 40 bits), shown as `ABCD-EFGH`.
fn new_link_code() -> String {
    let mut rng = rand::rng();
    let letters: String =
        (0..LINK_CODE_LEN).map(|_| char::from(LINK_ALPHABET[rng.random_range(0..LINK_ALPHABET.len())])).collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

//! People, roles, departments, time zones and account links.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{Account, Platform};
use rand::Rng;

use super::{Actor, Effect, ServiceResult, refuse};
use crate::domain::{Department, Person, Role};
use crate::store::{Audit, LinkOutcome, Reach, Revoked, Store, Tx};
use crate::{limits, replies};

const LINK_CODE_MINUTES: i64 = 10;
const LINK_CODE_LEN: usize = 8;
/// No 0/O or 1/I/L, so a code read off one screen is typed right on another.
const LINK_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

#[derive(Clone)]
pub struct Directory {
    store: Store,
    admins: Vec<(Platform, String)>,
    /// Platform roles (a Discord role id) that carry a Deskmate role.
    mapped_roles: Vec<(Platform, String, Role)>,
    link_guard: LinkGuard,
}

/// How many wrong `/link` codes lock guessing out, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct LinkGuard {
    pub per_person: u32,
    pub per_platform: u32,
    pub window_minutes: u32,
}

impl Directory {
    pub fn new(
        store: Store,
        admins: Vec<(Platform, String)>,
        mapped_roles: Vec<(Platform, String, Role)>,
        link_guard: LinkGuard,
    ) -> Self {
        Directory { store, admins, mapped_roles, link_guard }
    }

    /// Grants the Deskmate roles that the person's platform roles map to (config), so a
    /// server's "Support" role makes its holders agents. Grants only: a role taken away
    /// on the platform is revoked here with `/role revoke`.
    pub async fn apply_platform_roles(
        &self,
        person: &mut Person,
        platform: Platform,
        held: &[String],
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let missing: Vec<Role> = self
            .mapped_roles
            .iter()
            .filter(|(p, id, role)| *p == platform && held.contains(id) && !person.roles.holds(*role))
            .map(|(_, _, role)| *role)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let audit = Audit { actor: None, platform, at: now };
        let mut tx = self.store.begin().await?;
        for role in &missing {
            tx.grant_role(person.id, *role, audit).await?;
        }
        tx.commit().await?;
        for role in missing {
            person.roles.insert(role);
        }
        Ok(())
    }

    /// The person behind an account, registered as staff on first sight; accounts listed
    /// as admins in the config become admins.
    pub async fn person_for(&self, account: &Account, now: DateTime<Utc>) -> ServiceResult<Person> {
        Ok(self.person_and_reach(account, now).await?.0)
    }

    /// [`Self::person_for`], with where the account was last reachable.
    pub async fn person_and_reach(&self, account: &Account, now: DateTime<Utc>) -> ServiceResult<(Person, Reach)> {
        let (mut person, reach) = self.store.person_for_account(account, now).await?;
        let bootstrap = self.admins.iter().any(|(p, id)| *p == account.platform && *id == account.id);
        if bootstrap && !person.roles.holds(Role::Admin) {
            let audit = Audit { actor: None, platform: account.platform, at: now };
            let mut tx = self.store.begin().await?;
            tx.grant_role(person.id, Role::Admin, audit).await?;
            tx.commit().await?;
            person.roles.insert(Role::Admin);
        }
        Ok((person, reach))
    }

    /// The person a `@handle` names on the actor's platform.
    pub async fn resolve(&self, actor: &Actor, handle: &str) -> ServiceResult<Person> {
        match self.store.person_by_handle(actor.platform, handle).await? {
            Some(p) => Ok(p),
            None => refuse(replies::unknown_person(handle)),
        }
    }

    pub async fn whoami(&self, actor: &Actor) -> ServiceResult {
        let person = &actor.person;
        let accounts = self.store.accounts_of(person.id).await?;
        let dept = match person.dept {
            Some(id) => self.store.department(id).await?,
            None => None,
        };
        let manager = self.store.manager_of(person.id).await?;
        Ok(vec![Effect::reply(replies::whoami(person, &accounts, dept.as_ref(), manager.as_ref(), actor.tz))])
    }

    pub async fn grant(&self, tx: &mut Tx, actor: &Actor, handle: &str, role: Role) -> ServiceResult {
        require(actor, Role::Admin, "role grant")?;
        let target = self.resolve(actor, handle).await?;
        let changed = tx.grant_role(target.id, role, actor.audit()).await?;
        Ok(vec![Effect::reply(replies::role_granted(&target.display_name, role, changed))])
    }

    pub async fn revoke(&self, tx: &mut Tx, actor: &Actor, handle: &str, role: Role) -> ServiceResult {
        require(actor, Role::Admin, "role revoke")?;
        let target = self.resolve(actor, handle).await?;
        if role == Role::Admin && target.roles.holds(Role::Admin) {
            // An admin named in the config would be made admin again on their next message.
            let accounts = self.store.accounts_of(target.id).await?;
            if accounts.iter().any(|a| self.admins.iter().any(|(p, id)| *p == a.platform && *id == a.id)) {
                return refuse(replies::admin_by_config(&target.display_name));
            }
        }
        match tx.revoke_role(target.id, role, actor.audit()).await? {
            Revoked::Revoked => Ok(vec![Effect::reply(replies::role_revoked(&target.display_name, role, true))]),
            Revoked::NotHeld => Ok(vec![Effect::reply(replies::role_revoked(&target.display_name, role, false))]),
            Revoked::LastAdmin => refuse(replies::last_admin()),
        }
    }

    pub async fn create_department(&self, tx: &mut Tx, actor: &Actor, name: &str) -> ServiceResult {
        require(actor, Role::Admin, "dept create")?;
        let name = limits::DEPARTMENT.check(name)?;
        match tx.create_department(name, actor.audit()).await? {
            Some(d) => Ok(vec![Effect::reply(replies::dept_created(&d))]),
            None => refuse(replies::dept_exists(name)),
        }
    }

    pub async fn add_to_department(&self, tx: &mut Tx, actor: &Actor, dept: &str, handle: &str) -> ServiceResult {
        require(actor, Role::Admin, "dept add")?;
        let dept = self.department(dept).await?;
        let person = self.resolve(actor, handle).await?;
        tx.set_department(person.id, dept.id, actor.audit()).await?;
        Ok(vec![Effect::reply(replies::dept_member_added(&dept.name, &person.display_name))])
    }

    pub async fn set_manager(&self, tx: &mut Tx, actor: &Actor, dept: &str, handle: &str) -> ServiceResult {
        require(actor, Role::Admin, "dept set-manager")?;
        let dept = self.department(dept).await?;
        let person = self.resolve(actor, handle).await?;
        tx.set_department_manager(dept.id, person.id, actor.audit()).await?;
        Ok(vec![Effect::reply(replies::dept_manager_set(&dept.name, &person.display_name))])
    }

    pub async fn list_departments(&self) -> ServiceResult {
        Ok(vec![Effect::reply(replies::dept_list(&self.store.departments().await?))])
    }

    pub async fn set_time_zone(&self, tx: &mut Tx, actor: &Actor, tz: Tz) -> ServiceResult {
        tx.set_time_zone(actor.person.id, tz, actor.audit()).await?;
        Ok(vec![Effect::reply(replies::tz_set(tz, actor.at))])
    }

    /// Without a code: hands out a one-time code. With one: joins this account to the
    /// person who asked for it.
    pub async fn link(&self, tx: &mut Tx, actor: &Actor, code: Option<&str>) -> ServiceResult {
        let Some(code) = code else {
            let code = new_link_code();
            let expires = actor.at + chrono::Duration::minutes(LINK_CODE_MINUTES);
            tx.create_link_code(actor.person.id, &code.replace('-', ""), expires).await?;
            return Ok(vec![Effect::Reply {
                body: deskmate_port::Body::text(replies::link_code(&code, LINK_CODE_MINUTES)),
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
                return refuse(replies::link_locked(until, actor.tz));
            }
        }
        let code: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_uppercase();
        match tx.redeem_link_code(&code, actor.person.id, actor.audit()).await? {
            LinkOutcome::Linked { person } => {
                let name = self.store.person(person).await?.map(|p| p.display_name).unwrap_or_default();
                Ok(vec![Effect::reply(replies::linked(&name))])
            }
            LinkOutcome::AlreadyLinked => refuse(replies::link_same_person()),
            LinkOutcome::Invalid => {
                // Committed with the refusal, so the failure counts.
                tx.record_link_failure(actor.person.id, actor.platform, actor.at, since).await?;
                let left = i64::from(guard.per_person) - mine.count - 1;
                Ok(vec![Effect::Refusal {
                    body: deskmate_port::Body::text(replies::link_invalid(left)),
                    private: false,
                }])
            }
        }
    }

    async fn department(&self, name: &str) -> ServiceResult<Department> {
        match self.store.department_by_name(name.trim()).await? {
            Some(d) => Ok(d),
            None => refuse(replies::dept_not_found(name)),
        }
    }
}

fn require(actor: &Actor, role: Role, command: &str) -> ServiceResult<()> {
    if actor.is(role) { Ok(()) } else { refuse(replies::needs_role(role, command)) }
}

/// Eight characters of a 31-letter alphabet (about 40 bits), shown as `ABCD-EFGH`.
fn new_link_code() -> String {
    let mut rng = rand::rng();
    let letters: String =
        (0..LINK_CODE_LEN).map(|_| char::from(LINK_ALPHABET[rng.random_range(0..LINK_ALPHABET.len())])).collect();
    format!("{}-{}", &letters[..4], &letters[4..])
}

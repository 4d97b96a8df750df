//! The people behind the accounts that write: registered on first sight, made admin or
//! agent by the config, found by `@handle`. Every event meets this before any feature.

use chrono::{DateTime, Utc};
use deskmate_port::{Account, Platform};

use super::text;
use crate::kernel::{Actor, Audit, Person, Role, ServiceResult, refuse};
use crate::store::{Reach, Store};

#[derive(Clone)]
pub struct People {
    store: Store,
    /// Accounts the config gives a role (admins, agents of ticket teams).
    config_roles: Vec<(Platform, String, Role)>,
    /// Platform roles (a Discord role id) that carry a Deskmate role.
    mapped_roles: Vec<(Platform, String, Role)>,
}

impl People {
    pub fn new(
        store: Store,
        config_roles: Vec<(Platform, String, Role)>,
        mapped_roles: Vec<(Platform, String, Role)>,
    ) -> Self {
        People { store, config_roles, mapped_roles }
    }

    /// Whether the config names this account as an admin.
    pub fn is_config_admin(&self, account: &Account) -> bool {
        self.config_roles(account).any(|role| role == Role::Admin)
    }

    /// The roles the config gives this account.
    fn config_roles<'a>(&'a self, account: &'a Account) -> impl Iterator<Item = Role> + 'a {
        self.config_roles.iter().filter(|(p, id, _)| *p == account.platform && *id == account.id).map(|(_, _, r)| *r)
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

    /// The person behind an account, registered as staff on first sight; accounts the
    /// config names as admins or agents get that role.
    pub async fn person_for(&self, account: &Account, now: DateTime<Utc>) -> ServiceResult<Person> {
        Ok(self.person_and_reach(account, now).await?.0)
    }

    /// [`Self::person_for`], with where the account was last reachable.
    pub async fn person_and_reach(&self, account: &Account, now: DateTime<Utc>) -> ServiceResult<(Person, Reach)> {
        let (mut person, reach) = self.store.person_for_account(account, now).await?;
        let missing: Vec<Role> = self.config_roles(account).filter(|r| !person.roles.holds(*r)).collect();
        if !missing.is_empty() {
            let audit = Audit { actor: None, platform: account.platform, at: now };
            let mut tx = self.store.begin().await?;
            for role in &missing {
                tx.grant_role(person.id, *role, audit).await?;
            }
            tx.commit().await?;
            for role in missing {
                person.roles.insert(role);
            }
        }
        Ok((person, reach))
    }

    /// The person a `@handle` names on the actor's platform.
    pub async fn resolve(&self, actor: &Actor, handle: &str) -> ServiceResult<Person> {
        match self.store.person_by_handle(actor.platform, handle).await? {
            Some(p) => Ok(p),
            None => refuse(text::unknown_person(actor.lang, handle)),
        }
    }
}

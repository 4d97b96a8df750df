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
    /// Accounts the config makes admins.
    admins: Vec<(Platform, String)>,
    /// Platform roles (a Discord role id) that carry a Deskmate role.
    mapped_roles: Vec<(Platform, String, Role)>,
}

impl People {
    pub fn new(store: Store, admins: Vec<(Platform, String)>, mapped_roles: Vec<(Platform, String, Role)>) -> Self {
        People { store, admins, mapped_roles }
    }

    /// Whether the config names this account as an admin.
    pub fn is_config_admin(&self, account: &Account) -> bool {
        self.admins.iter().any(|(p, id)| *p == account.platform && *id == account.id)
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
        if self.is_config_admin(account) && !person.roles.holds(Role::Admin) {
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
            None => refuse(text::unknown_person(actor.lang, handle)),
        }
    }
}

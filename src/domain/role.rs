use std::fmt;
use std::str::FromStr;

/// What a person may do. Everyone is staff; the other roles are granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Staff,
    Agent,
    Manager,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Staff, Role::Agent, Role::Manager, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Agent => "agent",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s)).ok_or(())
    }
}

/// The roles a person holds. Staff is implied; admin satisfies every requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoleSet(u8);

impl RoleSet {
    pub fn insert(&mut self, role: Role) {
        self.0 |= role.bit();
    }

    pub fn holds(self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// Whether these roles are enough for something that requires `role`.
    pub fn allows(self, role: Role) -> bool {
        role == Role::Staff || self.holds(role) || self.holds(Role::Admin)
    }

    /// The granted roles, highest first, staff always last.
    pub fn names(self) -> Vec<&'static str> {
        let mut out: Vec<_> = Role::ALL
            .into_iter()
            .rev()
            .filter(|r| *r != Role::Staff && self.holds(*r))
            .map(Role::as_str)
            .collect();
        out.push(Role::Staff.as_str());
        out
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<I: IntoIterator<Item = Role>>(iter: I) -> Self {
        let mut set = RoleSet::default();
        for role in iter {
            set.insert(role);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_allows_everything_and_staff_is_implied() {
        let admin: RoleSet = [Role::Admin].into_iter().collect();
        assert!(Role::ALL.iter().all(|r| admin.allows(*r)));
        let nobody = RoleSet::default();
        assert!(nobody.allows(Role::Staff));
        assert!(!nobody.allows(Role::Agent));
        let agent: RoleSet = [Role::Agent].into_iter().collect();
        assert!(agent.allows(Role::Agent) && !agent.allows(Role::Manager));
        assert_eq!(agent.names(), vec!["agent", "staff"]);
    }
}

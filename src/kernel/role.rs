use super::named_enum;

named_enum! {
    /// What a person may do. Everyone is staff; the other roles are granted.
    pub enum Role {
        Staff => "staff",
        Agent => "agent",
        Manager => "manager",
        Admin => "admin",
    }
}

impl Role {
    /// The roles an admin grants (staff is everyone's).
    pub const GRANTABLE: [&'static str; 3] = [Role::Agent.as_str(), Role::Manager.as_str(), Role::Admin.as_str()];

    fn bit(self) -> u8 {
        1 << (self as u8)
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
        let mut out: Vec<_> =
            Role::ALL.into_iter().rev().filter(|r| *r != Role::Staff && self.holds(*r)).map(Role::as_str).collect();
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

//! What every part of Deskmate shares and no feature owns: the clock, people, ids,
//! roles, errors, the effects a feature decides on, the subjects notices are filed under, and
//! how failures are reported. It names no feature and no adapter, and imports nothing
//! else of the crate.

mod actor;
pub mod clock;
mod effect;
mod error;
mod ids;
mod lang;
mod named;
pub mod report;
mod role;
pub mod stats;
mod subject;

pub use actor::{Actor, Audit, AuditAction, Person, PersonName};
pub use effect::{Audience, Coalesce, Effect, Outcome, Reader, Shown};
pub use error::{Failure, ServiceError, ServiceResult, refuse};
pub(crate) use ids::id_type;
pub use ids::{DeptId, FileId, PersonId};
pub use lang::Lang;
pub(crate) use named::named_enum;
pub use role::{Role, RoleSet};
pub use subject::Subject;

#[cfg(test)]
mod tests {
    /// The kernel is a leaf: it names nothing else of the crate, so every other part
    /// may depend on it without a cycle.
    #[test]
    fn the_kernel_imports_nothing_else_of_the_crate() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/kernel");
        for entry in std::fs::read_dir(&dir).expect("src/kernel") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            // Tests below `#[cfg(test)]` may use what they like.
            for (n, line) in text.lines().enumerate().take_while(|(_, l)| !l.starts_with("#[cfg(test)]")) {
                let outside = line.match_indices("crate::").any(|(i, _)| !line[i..].starts_with("crate::kernel"));
                assert!(!outside, "{}:{}: {line}", path.display(), n + 1);
            }
        }
    }
}

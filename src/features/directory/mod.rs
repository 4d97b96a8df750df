//! The directory: who has which role, departments and their managers, each person's time
//! zone, whether they are away, and links between one person's accounts on several
//! messengers.

mod cmd;
mod model;
mod service;
mod store;
mod text;

use std::sync::Arc;

use async_trait::async_trait;

use crate::chat::commands::{CommandSpec, Invocation};
use crate::chat::feature::{Cx, Feature, PersonColumn};
use crate::kernel::{Effect, ServiceResult};
pub use cmd::COMMANDS;
use cmd::DirectoryCommand;
pub use model::Department;
use service::{Directory, LinkGuard};
pub use store::{FailureCount, LinkOutcome};

/// Marks someone away until `until` (their `/away`, which approvals' delegation
/// shares), or back (`None`); returns whether they were away.
pub async fn mark_away(
    tx: &mut crate::store::Tx,
    person: crate::kernel::PersonId,
    until: Option<chrono::DateTime<chrono::Utc>>,
    audit: crate::kernel::Audit,
) -> crate::store::Result<bool> {
    tx.set_away(person, until, audit).await
}

/// Those of `people` who are not away (`/away`) at `at`: whom work may be given to.
pub async fn available(
    tx: &mut crate::store::Tx,
    people: &[crate::kernel::PersonId],
    at: chrono::DateTime<chrono::Utc>,
) -> crate::store::Result<Vec<crate::kernel::PersonId>> {
    tx.present(people, at).await
}

pub fn install(config: &crate::config::Config) -> Arc<dyn Feature> {
    let limits = &config.limits;
    Arc::new(Directory {
        link_guard: LinkGuard {
            per_person: limits.link_failures_per_person,
            per_platform: limits.link_failures_per_platform,
            window_minutes: limits.link_window_minutes,
        },
    })
}

#[async_trait]
impl Feature for Directory {
    fn name(&self) -> &'static str {
        "directory"
    }

    fn namespace(&self) -> &'static str {
        "dir"
    }

    fn commands(&self) -> &'static [CommandSpec] {
        COMMANDS
    }

    fn command_text(&self) -> Option<&'static crate::i18n::Catalog> {
        Some(&cmd::COMMAND_TEXT)
    }

    async fn command(&self, cx: &mut Cx<'_>, inv: &Invocation) -> ServiceResult {
        match DirectoryCommand::try_from(inv)? {
            DirectoryCommand::Whoami => self.whoami(cx.kit, cx.actor).await,
            DirectoryCommand::Whereami => Ok(vec![Effect::reply(text::whereami(cx.actor.lang, &cx.actor.channel))]),
            DirectoryCommand::RoleGrant { person, role } => self.grant(cx, &person, role).await,
            DirectoryCommand::RoleRevoke { person, role } => self.revoke(cx, &person, role).await,
            DirectoryCommand::DeptCreate { name } => self.create_department(cx, &name).await,
            DirectoryCommand::DeptAdd { dept, person } => self.add_to_department(cx, &dept, &person).await,
            DirectoryCommand::DeptSetManager { dept, person } => self.set_manager(cx, &dept, &person).await,
            DirectoryCommand::DeptList => self.list_departments(cx.kit, cx.actor).await,
            DirectoryCommand::TzSet { zone } => self.set_time_zone(cx, zone).await,
            DirectoryCommand::Link { code } => self.link(cx, code.as_deref()).await,
            DirectoryCommand::Lang { language } => self.set_language(cx, language.as_deref()).await,
        }
    }

    fn person_columns(&self) -> &'static [PersonColumn] {
        const COLUMNS: &[PersonColumn] = &[PersonColumn::new("departments", "manager_id")];
        COLUMNS
    }
}

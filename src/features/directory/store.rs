//! Departments, their managers, and account-link codes.

use chrono::{DateTime, Utc};
use deskmate_port::Platform;

use super::model::Department;
use crate::chat::feature::PersonColumn;
use crate::kernel::{Audit, AuditAction, DeptId, PersonId, PersonName, Subject, named_enum};
use crate::store::{Result, Store, Tx, from_ms, log_event, ms, with_db, with_tx};

named_enum! {
    /// What the directory records in the event log.
    pub enum DirectoryEvent {
        DeptCreate => "dept.create",
        DeptAdd => "dept.add",
        DeptSetManager => "dept.set-manager",
        AccountLink => "account.link",
        Away => "person.away",
        Back => "person.back",
    }
}

impl AuditAction for DirectoryEvent {
    fn name(self) -> &'static str {
        self.as_str()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// The redeeming account now belongs to this person.
    Linked { person: PersonId },
    /// The code was made by the same person who sent it.
    AlreadyLinked,
    /// No such code, or it has expired.
    Invalid,
}
#[derive(sqlx::FromRow)]
struct DeptRow {
    id: i64,
    name: String,
    manager_id: Option<i64>,
    manager_name: Option<String>,
    members: i64,
}
const DEPT_SELECT: &str = "SELECT d.id, d.name, d.manager_id, m.display_name AS manager_name, \
     (SELECT COUNT(*) FROM persons x WHERE x.dept_id = d.id) AS members \
     FROM departments d LEFT JOIN persons m ON m.id = d.manager_id";

/// How many wrong link codes in a window, and when the oldest of them was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}
impl Store {
    pub async fn department(&self, id: DeptId) -> Result<Option<Department>> {
        let row: Option<DeptRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{DEPT_SELECT} WHERE d.id = $1")))
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(dept_from_row))
    }

    pub async fn department_by_name(&self, name: &str) -> Result<Option<Department>> {
        let row: Option<DeptRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{DEPT_SELECT} WHERE d.name_key = $1")))
                .bind(name.to_lowercase())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(dept_from_row))
    }

    pub async fn departments(&self) -> Result<Vec<Department>> {
        let rows: Vec<DeptRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{DEPT_SELECT} ORDER BY d.name_key"))).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(dept_from_row).collect())
    }

    /// A person's manager: their department's manager (unless that is themselves).
    pub async fn manager_of(&self, person: PersonId) -> Result<Option<PersonName>> {
        let row: Option<(i64, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT m.id, m.display_name FROM persons p \
                 LEFT JOIN departments d ON d.id = p.dept_id \
                 JOIN persons m ON m.id = d.manager_id \
                 WHERE p.id = $1 AND m.id <> p.id",
            )
            .bind(person.0)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(id, name)| PersonName { id: PersonId(id), name }))
    }
}
impl Tx {
    /// Creates a department; `None` when one with that name (ignoring case) exists.
    pub async fn create_department(&mut self, name: &str, audit: Audit) -> Result<Option<Department>> {
        let created: Option<i64> = with_tx!(self, |tx| {
            let row: Option<(i64,)> = sqlx::query_as(
                "INSERT INTO departments (name, name_key, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name_key) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(name.to_lowercase())
            .bind(ms(audit.at))
            .fetch_optional(&mut **tx)
            .await?;
            if let Some((id,)) = row {
                log_event!(&mut **tx, audit, Subject::new("dept", id), DirectoryEvent::DeptCreate, name)?;
            }
            row.map(|(id,)| id)
        });
        Ok(created.map(|id| Department { id: DeptId(id), name: name.to_owned(), manager: None, members: 0 }))
    }

    pub async fn set_department(&mut self, person: PersonId, dept: DeptId, audit: Audit) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE persons SET dept_id = $1 WHERE id = $2")
                .bind(dept.0)
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
        });
        self.log_department(dept, DirectoryEvent::DeptAdd, person, audit).await
    }

    pub async fn set_department_manager(&mut self, dept: DeptId, manager: PersonId, audit: Audit) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE departments SET manager_id = $1 WHERE id = $2")
                .bind(manager.0)
                .bind(dept.0)
                .execute(&mut **tx)
                .await?;
        });
        self.log_department(dept, DirectoryEvent::DeptSetManager, manager, audit).await
    }

    /// Logs `action` on the department, naming the person it concerns.
    async fn log_department(
        &mut self,
        dept: DeptId,
        action: DirectoryEvent,
        person: PersonId,
        audit: Audit,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            log_event!(
                &mut **tx,
                audit,
                Subject::new("dept", dept.0),
                action,
                Subject::new("person", person.0).to_string()
            )?;
        });
        Ok(())
    }

    /// Wrong link codes since `since`: by this person, and by anyone on the platform, each
    /// with the oldest one's time (the lockout lifts when it leaves the window).
    pub async fn link_failures_since(
        &mut self,
        person: PersonId,
        platform: Platform,
        since: DateTime<Utc>,
    ) -> Result<(FailureCount, FailureCount)> {
        let (by_person, by_platform) = with_tx!(self, |tx| {
            let by_person: (i64, Option<i64>) =
                sqlx::query_as("SELECT COUNT(*), MIN(at) FROM link_failures WHERE person_id = $1 AND at >= $2")
                    .bind(person.0)
                    .bind(ms(since))
                    .fetch_one(&mut **tx)
                    .await?;
            let by_platform: (i64, Option<i64>) =
                sqlx::query_as("SELECT COUNT(*), MIN(at) FROM link_failures WHERE platform = $1 AND at >= $2")
                    .bind(platform.as_str())
                    .bind(ms(since))
                    .fetch_one(&mut **tx)
                    .await?;
            (by_person, by_platform)
        });
        let count = |(n, oldest): (i64, Option<i64>)| FailureCount { count: n, oldest: oldest.map(from_ms) };
        Ok((count(by_person), count(by_platform)))
    }

    /// Records a wrong link code, and forgets the platform's ones older than `forget_before`.
    pub async fn record_link_failure(
        &mut self,
        person: PersonId,
        platform: Platform,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM link_failures WHERE platform = $1 AND at < $2")
                .bind(platform.as_str())
                .bind(ms(forget_before))
                .execute(&mut **tx)
                .await?;
            sqlx::query("INSERT INTO link_failures (person_id, platform, at) VALUES ($1, $2, $3)")
                .bind(person.0)
                .bind(platform.as_str())
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    pub async fn create_link_code(&mut self, person: PersonId, code: &str, expires_at: DateTime<Utc>) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM link_codes WHERE person_id = $1").bind(person.0).execute(&mut **tx).await?;
            sqlx::query("INSERT INTO link_codes (code, person_id, expires_at) VALUES ($1, $2, $3)")
                .bind(code)
                .bind(person.0)
                .bind(ms(expires_at))
                .execute(&mut **tx)
                .await?;
            Ok(())
        })
    }

    /// Redeems a link code sent by `redeemer`: the redeemer's person is merged into the
    /// code's owner (accounts, roles, every feature's columns, history), in this
    /// transaction.
    #[tracing::instrument(skip_all, err)]
    pub async fn redeem_link_code(
        &mut self,
        code: &str,
        redeemer: PersonId,
        audit: Audit,
        columns: &[PersonColumn],
    ) -> Result<LinkOutcome> {
        // Deleting first claims the code, so two redemptions cannot both succeed.
        let owner: Option<(i64, i64)> = with_tx!(self, |tx| {
            sqlx::query_as("DELETE FROM link_codes WHERE code = $1 RETURNING person_id, expires_at")
                .bind(code)
                .fetch_optional(&mut **tx)
                .await?
        });
        let Some((owner, expires_at)) = owner else {
            return Ok(LinkOutcome::Invalid);
        };
        if expires_at < ms(audit.at) {
            return Ok(LinkOutcome::Invalid);
        }
        if owner == redeemer.0 {
            return Ok(LinkOutcome::AlreadyLinked);
        }
        let (owner, from) = (PersonId(owner), redeemer);
        with_tx!(self, |tx| {
            for sql in ["DELETE FROM link_codes WHERE person_id = $1", "DELETE FROM link_failures WHERE person_id = $1"]
            {
                sqlx::query(sql).bind(from.0).execute(&mut **tx).await?;
            }
        });
        self.merge_person(from, owner, columns).await?;
        // The redeemer's person row is gone: the merged person is the actor.
        let audit = Audit { actor: Some(owner), ..audit };
        with_tx!(self, |tx| {
            log_event!(
                &mut **tx,
                audit,
                Subject::new("person", owner.0),
                DirectoryEvent::AccountLink,
                format!("merged {}", Subject::new("person", from.0))
            )?;
        });
        Ok(LinkOutcome::Linked { person: owner })
    }
}

fn dept_from_row(row: DeptRow) -> Department {
    Department {
        id: DeptId(row.id),
        name: row.name,
        manager: row.manager_id.zip(row.manager_name).map(|(id, name)| PersonName { id: PersonId(id), name }),
        members: row.members,
    }
}

/// Who is away (`/away`, which approvals' delegation shares; `/back`).
impl Tx {
    /// Marks the person away until `until`, or back (`None`); returns whether they were
    /// away before.
    pub async fn set_away(&mut self, person: PersonId, until: Option<DateTime<Utc>>, audit: Audit) -> Result<bool> {
        let stored = until.map(ms);
        let (event, detail) = match until {
            Some(at) => (DirectoryEvent::Away, at.to_rfc3339()),
            None => (DirectoryEvent::Back, String::new()),
        };
        with_tx!(self, |tx| {
            let (was,): (Option<i64>,) = sqlx::query_as("SELECT away_until FROM persons WHERE id = $1")
                .bind(person.0)
                .fetch_one(&mut **tx)
                .await?;
            sqlx::query("UPDATE persons SET away_until = $1 WHERE id = $2")
                .bind(stored)
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
            log_event!(&mut **tx, audit, Subject::new("person", person.0), event, detail)?;
            Ok(was.is_some_and(|w| w > ms(audit.at)))
        })
    }

    /// Those of `people` who are not away at `at`, in the order given.
    pub async fn present(&mut self, people: &[PersonId], at: DateTime<Utc>) -> Result<Vec<PersonId>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        // Person ids are ours, never typed text, so they can be inlined.
        let ids = people.iter().map(|p| p.0.to_string()).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT id FROM persons WHERE id IN ({ids}) AND (away_until IS NULL OR away_until <= $1)");
        let here: Vec<(i64,)> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(ms(at)).fetch_all(&mut **tx).await?
        });
        Ok(people.iter().copied().filter(|p| here.iter().any(|(id,)| *id == p.0)).collect())
    }
}

//! People, their accounts and roles, and where each account can be reached: what every
//! event needs before any feature runs.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use deskmate_port::{Account, ChannelKind, ChannelRef, Platform};

use super::{
    Audit, CoreAction, Result, Store, StoreError, Tx, TxInner, from_ms, log_event, ms, parse_column, with_db, with_tx,
};
use crate::kernel::{DeptId, Lang, Person, PersonId, Role, RoleSet, Subject};

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: i64,
    display_name: String,
    tz: Option<String>,
    dept_id: Option<i64>,
    lang: Option<String>,
}

#[derive(sqlx::FromRow)]
struct KnownAccountRow {
    #[sqlx(flatten)]
    person: PersonRow,
    handle: Option<String>,
    account_name: String,
    last_group: Option<String>,
    dm_blocked_at: Option<i64>,
    last_seen_at: Option<i64>,
    /// One row per role the person holds (none: one row with `NULL`).
    role: Option<String>,
}

/// A table column that points at a person: moved to the surviving person when two
/// accounts are linked into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonColumn {
    pub table: &'static str,
    pub column: &'static str,
    /// Where a person may have only one row (`Some("")`: their settings) or one row per
    /// value of another column (`Some("meeting_id")`): the surviving person's row wins
    /// and the other is dropped.
    pub unique_with: Option<&'static str>,
}

impl PersonColumn {
    pub const fn new(table: &'static str, column: &'static str) -> PersonColumn {
        PersonColumn { table, column, unique_with: None }
    }

    /// A column unique per person (`with` empty) or per person and `with`.
    pub const fn unique(table: &'static str, column: &'static str, with: &'static str) -> PersonColumn {
        PersonColumn { table, column, unique_with: Some(with) }
    }

    /// What moves its rows from `$2` to `$1`.
    fn merge(&self) -> Vec<String> {
        let PersonColumn { table, column, unique_with } = self;
        match unique_with {
            None => vec![format!("UPDATE {table} SET {column} = $1 WHERE {column} = $2")],
            Some(with) => {
                let same = if with.is_empty() { String::new() } else { format!(" AND o.{with} = {table}.{with}") };
                vec![
                    format!(
                        "UPDATE {table} SET {column} = $1 WHERE {column} = $2 \
                         AND NOT EXISTS (SELECT 1 FROM {table} o WHERE o.{column} = $1{same})"
                    ),
                    // Every statement here is given both ids.
                    format!("DELETE FROM {table} WHERE {column} = $2 AND $1 IS NOT NULL"),
                ]
            }
        }
    }
}

/// Where an account can be reached, as its last message left it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// The group the account last spoke in.
    pub last_group: Option<String>,
    /// Direct messages to it bounced and are held.
    pub dm_blocked: bool,
    /// When it last wrote, to the minute.
    pub last_seen: Option<DateTime<Utc>>,
}

/// How stale an account's last-seen time may get before a message writes it again: the
/// hot path stays free of writes, and "the messenger used last" is exact to the minute.
const SEEN_EVERY: chrono::Duration = chrono::Duration::minutes(1);
#[derive(sqlx::FromRow)]
struct AccountRow {
    platform: String,
    external_id: String,
    handle: Option<String>,
    display_name: String,
}

const PERSON_COLUMNS: &str = "p.id, p.display_name, p.tz, p.dept_id, p.lang";

fn handle_key(handle: &str) -> String {
    handle.trim_start_matches('@').to_lowercase()
}

fn roles_of<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<RoleSet> {
    names.into_iter().map(|r| parse_column::<Role>("person_roles.role", r)).collect()
}

fn person_with_roles(row: PersonRow, roles: RoleSet) -> Result<Person> {
    let tz = row.tz.as_deref().map(|z| parse_column::<Tz>("persons.tz", z)).transpose()?;
    // A language this version does not speak reads as none: the default is used.
    let lang = row.lang.as_deref().and_then(|l| l.parse().ok());
    Ok(Person { id: PersonId(row.id), display_name: row.display_name, tz, dept: row.dept_id.map(DeptId), roles, lang })
}

/// What revoking a role did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoked {
    Revoked,
    /// The person did not hold it.
    NotHeld,
    /// They are the last admin, and stay one.
    LastAdmin,
}
impl Store {
    /// The person behind an account, registering both on first sight. Keeps the
    /// account's handle and display name current.
    #[tracing::instrument(skip_all, err, fields(platform = %account.platform))]
    pub async fn person_for_account(&self, account: &Account, now: DateTime<Utc>) -> Result<(Person, Reach)> {
        let platform = account.platform.as_str();
        let handle = account.handle.as_deref().map(handle_key);
        // Every event starts here, so the person, the account and the roles come in one
        // statement.
        let found: Vec<KnownAccountRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {PERSON_COLUMNS}, a.handle, a.display_name AS account_name, a.last_group, a.dm_blocked_at, \
                 a.last_seen_at, r.role \
                 FROM accounts a JOIN persons p ON p.id = a.person_id LEFT JOIN person_roles r ON r.person_id = p.id \
                 WHERE a.platform = $1 AND a.external_id = $2"
            )))
            .bind(platform)
            .bind(&account.id)
            .fetch_all(pool)
            .await?
        });
        let roles = roles_of(found.iter().filter_map(|k| k.role.as_deref()))?;
        if let Some(known) = found.into_iter().next() {
            if known.handle != handle || known.account_name != account.display_name {
                with_db!(self, |pool| {
                    sqlx::query(
                        "UPDATE accounts SET handle = $1, display_name = $2 WHERE platform = $3 AND external_id = $4",
                    )
                    .bind(&handle)
                    .bind(&account.display_name)
                    .bind(platform)
                    .bind(&account.id)
                    .execute(pool)
                    .await?;
                });
            }
            let reach = Reach {
                last_group: known.last_group,
                dm_blocked: known.dm_blocked_at.is_some(),
                last_seen: known.last_seen_at.map(from_ms),
            };
            return Ok((person_with_roles(known.person, roles)?, reach));
        }

        // Two first messages from one new user may race: the account's primary key picks
        // one person, and the loser's transaction (with its person row) rolls back.
        let mut tx = self.begin().await?;
        tx.durable_with_what_follows().await?;
        let inserted: Option<i64> = with_tx!(tx, |c| {
            let (person_id,): (i64,) =
                sqlx::query_as("INSERT INTO persons (display_name, created_at) VALUES ($1, $2) RETURNING id")
                    .bind(&account.display_name)
                    .bind(ms(now))
                    .fetch_one(&mut **c)
                    .await?;
            let done = sqlx::query(
                "INSERT INTO accounts (platform, external_id, handle, display_name, person_id, created_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (platform, external_id) DO NOTHING",
            )
            .bind(platform)
            .bind(&account.id)
            .bind(&handle)
            .bind(&account.display_name)
            .bind(person_id)
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
            if done.rows_affected() == 1 {
                let audit = Audit { actor: Some(PersonId(person_id)), platform: account.platform, at: now };
                log_event!(
                    &mut **c,
                    audit,
                    Subject::new("person", person_id),
                    CoreAction::Registered,
                    format!("{platform}:{}", account.id)
                )?;
                Some(person_id)
            } else {
                None
            }
        });
        if inserted.is_some() {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        match inserted {
            Some(id) => {
                let person = self.person(PersonId(id)).await?;
                person
                    .map(|p| (p, Reach { last_seen: Some(now), ..Reach::default() }))
                    .ok_or_else(|| StoreError::Corrupt(format!("person {id} vanished")))
            }
            None => Box::pin(self.person_for_account(account, now)).await,
        }
    }

    pub async fn person(&self, id: PersonId) -> Result<Option<Person>> {
        let row: Option<PersonRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {PERSON_COLUMNS} FROM persons p WHERE p.id = $1")))
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some(row) => Ok(Some(self.person_from_row(row).await?)),
            None => Ok(None),
        }
    }

    /// The person behind an account, if Deskmate knows it.
    pub async fn person_by_account(&self, platform: Platform, external_id: &str) -> Result<Option<Person>> {
        let row: Option<PersonRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {PERSON_COLUMNS} FROM persons p JOIN accounts a ON a.person_id = p.id \
                 WHERE a.platform = $1 AND a.external_id = $2"
            )))
            .bind(platform.as_str())
            .bind(external_id)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => Ok(Some(self.person_from_row(row).await?)),
            None => Ok(None),
        }
    }

    /// Sets the language of someone who has none yet (from their messenger's locale).
    pub async fn set_first_language(&self, person: PersonId, lang: Lang) -> Result<()> {
        with_db!(self, |pool| {
            sqlx::query("UPDATE persons SET lang = $1 WHERE id = $2 AND lang IS NULL")
                .bind(lang.as_str())
                .bind(person.0)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Finds someone by the handle people type after `@` on a platform, or by their
    /// account's id there (a Discord mention picked from the list arrives as `@<id>`).
    pub async fn person_by_handle(&self, platform: Platform, handle: &str) -> Result<Option<Person>> {
        let row: Option<PersonRow> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {PERSON_COLUMNS} FROM persons p JOIN accounts a ON a.person_id = p.id \
                 WHERE a.platform = $1 AND a.handle = $2 ORDER BY a.created_at LIMIT 1"
            )))
            .bind(platform.as_str())
            .bind(handle_key(handle))
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => Ok(Some(self.person_from_row(row).await?)),
            None if !handle.is_empty() && handle.chars().all(|c| c.is_ascii_digit()) => {
                self.person_by_account(platform, handle).await
            }
            None => Ok(None),
        }
    }

    async fn person_from_row(&self, row: PersonRow) -> Result<Person> {
        let roles: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT role FROM person_roles WHERE person_id = $1").bind(row.id).fetch_all(pool).await?
        });
        person_with_roles(row, roles_of(roles.iter().map(|(r,)| r.as_str()))?)
    }

    /// Every account a person has, the one that wrote last first.
    pub async fn accounts_of(&self, person: PersonId) -> Result<Vec<Account>> {
        let rows: Vec<AccountRow> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT platform, external_id, handle, display_name FROM accounts WHERE person_id = $1 \
                 ORDER BY last_seen_at DESC NULLS LAST, created_at, platform",
            )
            .bind(person.0)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Account {
                    platform: parse_column("accounts.platform", &r.platform)?,
                    id: r.external_id,
                    handle: r.handle,
                    display_name: r.display_name,
                })
            })
            .collect()
    }

    /// Everyone who holds a role.
    pub async fn persons_with_role(&self, role: Role) -> Result<Vec<PersonId>> {
        let rows: Vec<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT person_id FROM person_roles WHERE role = $1 ORDER BY person_id")
                .bind(role.as_str())
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(id,)| PersonId(id)).collect())
    }
}

impl Tx {
    /// Grants a role; false when the person already had it.
    pub async fn grant_role(&mut self, person: PersonId, role: Role, audit: Audit) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(person.0)
                .bind(role.as_str())
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() == 1 {
                log_event!(&mut **tx, audit, Subject::new("person", person.0), CoreAction::RoleGrant, role.as_str())?;
            }
            Ok(done.rows_affected() == 1)
        })
    }

    /// Revokes a role. The last admin is never revoked: the count and the delete are one
    /// guarded statement, and on PostgreSQL the admin rows are locked first, so two
    /// admins revoking each other at the same moment cannot leave none (SQLite has one
    /// writer at a time already).
    pub async fn revoke_role(&mut self, person: PersonId, role: Role, audit: Audit) -> Result<Revoked> {
        if let TxInner::Postgres(tx) = &mut self.inner
            && role == Role::Admin
        {
            sqlx::query("SELECT person_id FROM person_roles WHERE role = $1 FOR UPDATE")
                .bind(role.as_str())
                .execute(&mut **tx)
                .await?;
        }
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "DELETE FROM person_roles WHERE person_id = $1 AND role = $2 \
                 AND ($2 <> 'admin' OR (SELECT COUNT(*) FROM person_roles WHERE role = 'admin') > 1)",
            )
            .bind(person.0)
            .bind(role.as_str())
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() == 1 {
                log_event!(&mut **tx, audit, Subject::new("person", person.0), CoreAction::RoleRevoke, role.as_str())?;
                return Ok(Revoked::Revoked);
            }
            let (held,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM person_roles WHERE person_id = $1 AND role = $2")
                    .bind(person.0)
                    .bind(role.as_str())
                    .fetch_one(&mut **tx)
                    .await?;
            Ok(if held == 0 { Revoked::NotHeld } else { Revoked::LastAdmin })
        })
    }

    pub async fn set_time_zone(&mut self, person: PersonId, tz: Tz, audit: Audit) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE persons SET tz = $1 WHERE id = $2")
                .bind(tz.name())
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
            log_event!(&mut **tx, audit, Subject::new("person", person.0), CoreAction::TzSet, tz.name())?;
            Ok(())
        })
    }

    pub async fn set_language(&mut self, person: PersonId, lang: Lang, audit: Audit) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE persons SET lang = $1 WHERE id = $2")
                .bind(lang.as_str())
                .bind(person.0)
                .execute(&mut **tx)
                .await?;
            log_event!(&mut **tx, audit, Subject::new("person", person.0), CoreAction::LangSet, lang.as_str())?;
            Ok(())
        })
    }

    /// Merges person `from` into `into` (two accounts found to be one person): every
    /// column that points at a person moves over (`columns`, from the features), roles
    /// join, a zone or department `into` lacks is taken, and `from` is deleted.
    pub async fn merge_person(&mut self, from: PersonId, into: PersonId, columns: &[PersonColumn]) -> Result<()> {
        let mut statements: Vec<String> = vec![
            "UPDATE accounts SET person_id = $1 WHERE person_id = $2".to_owned(),
            "INSERT INTO person_roles (person_id, role) SELECT $1, role FROM person_roles WHERE person_id = $2 \
             ON CONFLICT DO NOTHING"
                .to_owned(),
            "UPDATE events SET actor_id = $1 WHERE actor_id = $2".to_owned(),
            "UPDATE prompts SET person_id = $1 WHERE person_id = $2".to_owned(),
            "UPDATE files SET uploader_id = $1 WHERE uploader_id = $2".to_owned(),
            "UPDATE persons SET tz = COALESCE(tz, (SELECT tz FROM persons WHERE id = $2)), \
             lang = COALESCE(lang, (SELECT lang FROM persons WHERE id = $2)), \
             dept_id = COALESCE(dept_id, (SELECT dept_id FROM persons WHERE id = $2)) WHERE id = $1"
                .to_owned(),
        ];
        statements.extend(columns.iter().flat_map(PersonColumn::merge));
        with_tx!(self, |tx| {
            for sql in &statements {
                sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(into.0).bind(from.0).execute(&mut **tx).await?;
            }
            for sql in ["DELETE FROM person_roles WHERE person_id = $1", "DELETE FROM persons WHERE id = $1"] {
                sqlx::query(sql).bind(from.0).execute(&mut **tx).await?;
            }
            Ok(())
        })
    }
}

/// Direct messages to accounts that cannot receive them yet.
impl Store {
    /// Remembers the group an account last spoke in. When the account writes to the bot
    /// privately after its direct messages bounced, they are queued again; returns how
    /// many. `reach` is what the account's lookup just read, so nearly every message
    /// finds nothing to write and takes no write lock.
    pub async fn note_seen(
        &self,
        account: &Account,
        reach: &Reach,
        channel: &ChannelRef,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let platform = account.platform.as_str();
        if reach.last_seen.is_none_or(|seen| now - seen >= SEEN_EVERY) {
            with_db!(self, |pool| {
                sqlx::query("UPDATE accounts SET last_seen_at = $3 WHERE platform = $1 AND external_id = $2")
                    .bind(platform)
                    .bind(&account.id)
                    .bind(ms(now))
                    .execute(pool)
                    .await?;
            });
        }
        let unchanged = match channel.kind {
            ChannelKind::Group => reach.last_group.as_deref() == Some(channel.id.as_str()),
            ChannelKind::Direct => !reach.dm_blocked,
        };
        if unchanged {
            return Ok(0);
        }
        if channel.kind == ChannelKind::Group {
            with_db!(self, |pool| {
                sqlx::query(
                    "UPDATE accounts SET last_group = $3 WHERE platform = $1 AND external_id = $2 \
                     AND (last_group IS NULL OR last_group <> $3)",
                )
                .bind(platform)
                .bind(&account.id)
                .bind(&channel.id)
                .execute(pool)
                .await?;
            });
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let requeued = with_tx!(tx, |c| {
            let unblocked = sqlx::query(
                "UPDATE accounts SET dm_blocked_at = NULL WHERE platform = $1 AND external_id = $2 \
                 AND dm_blocked_at IS NOT NULL",
            )
            .bind(platform)
            .bind(&account.id)
            .execute(&mut **c)
            .await?;
            if unblocked.rows_affected() == 0 {
                0
            } else {
                sqlx::query(
                    "UPDATE outbox SET state = 'pending', next_attempt_at = $3, claimed_by = NULL \
                     WHERE platform = $1 AND lane = $2 AND state = 'unreachable'",
                )
                .bind(platform)
                .bind(super::lane::direct(&account.id))
                .bind(ms(now))
                .execute(&mut **c)
                .await?
                .rows_affected()
            }
        });
        tx.commit().await?;
        Ok(requeued)
    }

    /// Holds a direct message the account cannot receive. Returns the group to tell
    /// them in, the first time only (until they write to the bot privately).
    pub async fn hold_unreachable(
        &self,
        outbox_id: i64,
        me: &str,
        account: &Account,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>> {
        let mut tx = self.begin().await?;
        let group = with_tx!(tx, |c| {
            sqlx::query("UPDATE outbox SET state = 'unreachable', last_error = $1 WHERE id = $2 AND claimed_by = $3")
                .bind(error)
                .bind(outbox_id)
                .bind(me)
                .execute(&mut **c)
                .await?;
            let first: Option<(Option<String>,)> = sqlx::query_as(
                "UPDATE accounts SET dm_blocked_at = $3 WHERE platform = $1 AND external_id = $2 \
                 AND dm_blocked_at IS NULL RETURNING last_group",
            )
            .bind(account.platform.as_str())
            .bind(&account.id)
            .bind(ms(now))
            .fetch_optional(&mut **c)
            .await?;
            first.and_then(|(g,)| g)
        });
        tx.commit().await?;
        Ok(group)
    }
}

//! Work orders. Status changes are guarded by the status they expect, so when two agents
//! race exactly one UPDATE matches and the other sees the winner on re-read.

use deskmate_port::Platform;

use super::model::{Priority, Sla, Ticket, TicketEvent, TicketId, TicketMessage, TicketStatus, ticket_subject};
use crate::kernel::{Audit, PersonId, PersonName};
use crate::store::{Result, Store, StoreError, Tx, from_ms, log_event, ms, parse_column, with_db, with_tx};

pub struct NewTicket<'a> {
    pub title: &'a str,
    pub priority: Priority,
    pub requester: PersonName,
    pub category: Option<&'a str>,
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Copy)]
pub struct TicketFilter {
    /// `None` for every status.
    pub statuses: Option<&'static [TicketStatus]>,
    /// Only tickets this person opened or holds.
    pub involving: Option<PersonId>,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct TicketRow {
    id: i64,
    title: String,
    priority: String,
    status: String,
    requester_id: i64,
    requester_name: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    resolution: Option<String>,
    platform: String,
    created_at: i64,
    claimed_at: Option<i64>,
    closed_at: Option<i64>,
    closed_by_id: Option<i64>,
    closed_by_name: Option<String>,
    resolved_at: Option<i64>,
    resolved_by_id: Option<i64>,
    resolved_by_name: Option<String>,
    category: Option<String>,
    merged_into: Option<i64>,
    first_response_at: Option<i64>,
    first_due: Option<i64>,
    resolve_due: Option<i64>,
    resolve_left: Option<i64>,
}

const TICKET_SELECT: &str = "SELECT t.id, t.title, t.priority, t.status, t.requester_id, r.display_name AS requester_name, \
     t.assignee_id, a.display_name AS assignee_name, t.resolution, t.platform, t.created_at, t.claimed_at, t.closed_at, \
     t.closed_by_id, c.display_name AS closed_by_name, t.resolved_at, t.resolved_by_id, \
     v.display_name AS resolved_by_name, t.category, t.merged_into, t.first_response_at, t.first_due, \
     t.resolve_due, t.resolve_left \
     FROM tickets t JOIN persons r ON r.id = t.requester_id LEFT JOIN persons a ON a.id = t.assignee_id \
     LEFT JOIN persons c ON c.id = t.closed_by_id LEFT JOIN persons v ON v.id = t.resolved_by_id";

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;

    fn try_from(row: TicketRow) -> Result<Ticket> {
        Ok(Ticket {
            id: TicketId(row.id),
            title: row.title,
            priority: parse_column("tickets.priority", &row.priority)?,
            status: parse_column("tickets.status", &row.status)?,
            requester: PersonName { id: PersonId(row.requester_id), name: row.requester_name },
            assignee: person(row.assignee_id, row.assignee_name),
            resolution: row.resolution,
            platform: parse_column::<Platform>("tickets.platform", &row.platform)?,
            created_at: from_ms(row.created_at),
            claimed_at: row.claimed_at.map(from_ms),
            closed_at: row.closed_at.map(from_ms),
            closed_by: person(row.closed_by_id, row.closed_by_name),
            resolved_at: row.resolved_at.map(from_ms),
            resolved_by: person(row.resolved_by_id, row.resolved_by_name),
            category: row.category,
            merged_into: row.merged_into.map(TicketId),
            sla: Sla {
                first_response_at: row.first_response_at.map(from_ms),
                first_due: row.first_due.map(from_ms),
                resolve_due: row.resolve_due.map(from_ms),
                resolve_left: row.resolve_left.map(chrono::Duration::milliseconds),
            },
        })
    }
}

fn person(id: Option<i64>, name: Option<String>) -> Option<PersonName> {
    id.zip(name).map(|(id, name)| PersonName { id: PersonId(id), name })
}

/// A changed ticket's row, as `UPDATE … RETURNING` gives it: no second query to read it
/// back.
const TICKET_RETURNING: &str = "RETURNING id, title, priority, status, requester_id, \
     (SELECT p.display_name FROM persons p WHERE p.id = tickets.requester_id) AS requester_name, assignee_id, \
     (SELECT p.display_name FROM persons p WHERE p.id = tickets.assignee_id) AS assignee_name, resolution, platform, \
     created_at, claimed_at, closed_at, closed_by_id, \
     (SELECT p.display_name FROM persons p WHERE p.id = tickets.closed_by_id) AS closed_by_name, resolved_at, \
     resolved_by_id, (SELECT p.display_name FROM persons p WHERE p.id = tickets.resolved_by_id) AS resolved_by_name, \
     category, merged_into, first_response_at, first_due, resolve_due, resolve_left";

/// One ticket by id, on a pool or inside a transaction.
macro_rules! fetch_ticket {
    ($exec:expr, $id:expr) => {{
        let row: Option<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{TICKET_SELECT} WHERE t.id = $1")))
            .bind($id.0)
            .fetch_optional($exec)
            .await?;
        row.map(Ticket::try_from).transpose()
    }};
}

impl Store {
    pub async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>> {
        with_db!(self, |pool| fetch_ticket!(pool, id))
    }

    pub async fn tickets(&self, filter: TicketFilter) -> Result<Vec<Ticket>> {
        let mut sql = format!("{TICKET_SELECT} WHERE 1 = 1");
        let statuses: Vec<&str> = filter.statuses.unwrap_or(&[]).iter().map(|s| s.as_str()).collect();
        // Status names are our own constants, never user text, so they can be inlined.
        if !statuses.is_empty() {
            let list = statuses.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join(", ");
            sql.push_str(&format!(" AND t.status IN ({list})"));
        }
        if filter.involving.is_some() {
            sql.push_str(" AND (t.requester_id = $2 OR t.assignee_id = $2)");
        }
        sql.push_str(" ORDER BY t.id DESC LIMIT $1");
        let rows: Vec<TicketRow> = with_db!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(filter.limit);
            if let Some(p) = filter.involving {
                query = query.bind(p.0);
            }
            query.fetch_all(pool).await?
        });
        rows.into_iter().map(Ticket::try_from).collect()
    }
}

impl Tx {
    pub async fn ticket(&mut self, id: TicketId) -> Result<Option<Ticket>> {
        with_tx!(self, |tx| fetch_ticket!(&mut **tx, id))
    }

    #[tracing::instrument(skip_all, err)]
    pub async fn create_ticket(&mut self, new: NewTicket<'_>, audit: Audit) -> Result<Ticket> {
        let at = from_ms(ms(audit.at));
        let id: i64 = with_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO tickets (title, priority, status, requester_id, platform, created_at, updated_at, category) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6, $7) RETURNING id",
            )
            .bind(new.title)
            .bind(new.priority.as_str())
            .bind(TicketStatus::Open.as_str())
            .bind(new.requester.id.0)
            .bind(audit.platform.as_str())
            .bind(ms(audit.at))
            .bind(new.category)
            .fetch_one(&mut **tx)
            .await?;
            log_event!(
                &mut **tx,
                audit,
                ticket_subject(TicketId(id)),
                TicketEvent::Open,
                format!("[{}] {}", new.priority, new.title)
            )?;
            id
        });
        self.index_ticket(TicketId(id), new.title, TicketStatus::Open).await?;
        Ok(Ticket {
            id: TicketId(id),
            title: new.title.to_owned(),
            priority: new.priority,
            status: TicketStatus::Open,
            requester: new.requester,
            assignee: None,
            resolution: None,
            platform: audit.platform,
            created_at: at,
            claimed_at: None,
            closed_at: None,
            closed_by: None,
            resolved_at: None,
            resolved_by: None,
            category: new.category.map(str::to_owned),
            merged_into: None,
            sla: Sla::default(),
        })
    }

    /// Moves a ticket from `expected` to `to` with what the move records, and its
    /// history entry; `None` when someone changed it first.
    #[tracing::instrument(skip_all, err, fields(ticket = %id, to = %to))]
    pub async fn move_ticket(
        &mut self,
        id: TicketId,
        expected: TicketStatus,
        to: TicketStatus,
        change: Change<'_>,
        audit: Audit,
    ) -> Result<Option<Ticket>> {
        // Every statement takes the same six parameters and uses the ones it needs
        // (unused ones are harmless on both backends).
        let (set, person, text) = match change {
            Change::Claim { agent } => (", assignee_id = $2, claimed_at = $4", Some(agent.0), None),
            Change::Assign { agent, name } => {
                (", assignee_id = $2, claimed_at = COALESCE(claimed_at, $4)", Some(agent.0), Some(name))
            }
            Change::Unassign => (", assignee_id = NULL", None, None),
            Change::Start | Change::Answered => ("", None, None),
            Change::Wait { question } => ("", None, question),
            Change::Resolve { resolution, by } => {
                (", resolved_by_id = $2, resolution = $3, resolved_at = $4", Some(by.0), Some(resolution))
            }
            Change::Close { resolution, by } => {
                (", closed_by_id = $2, resolution = COALESCE($3, resolution), closed_at = $4", Some(by.0), resolution)
            }
            Change::Lapse | Change::Settle => (", closed_at = $4", None, None),
            Change::Reopen { why } => (
                ", resolution = NULL, resolved_at = NULL, resolved_by_id = NULL, closed_at = NULL, closed_by_id = NULL",
                None,
                why,
            ),
        };
        let action = change.event();
        let sql = format!(
            "UPDATE tickets SET status = $1{set}, updated_at = $4 WHERE id = $5 AND status = $6 {TICKET_RETURNING}"
        );
        let changed: Option<TicketRow> = with_tx!(self, |tx| {
            let row: Option<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(to.as_str())
                .bind(person)
                .bind(text)
                .bind(ms(audit.at))
                .bind(id.0)
                .bind(expected.as_str())
                .fetch_optional(&mut **tx)
                .await?;
            if row.is_some() {
                log_event!(&mut **tx, audit, ticket_subject(id), action, text.unwrap_or_default())?;
            }
            row
        });
        // A resolution's words find the ticket too.
        if let (Some(_), Change::Resolve { resolution: words, .. } | Change::Close { resolution: Some(words), .. }) =
            (&changed, change)
        {
            self.index_more(id, words).await?;
        }
        if changed.is_some() && to != expected {
            self.index_status(id, to).await?;
        }
        changed.map(Ticket::try_from).transpose()
    }
}

/// What a move writes besides the status.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Claim {
        agent: PersonId,
    },
    /// `name`: the agent's, for the history.
    Assign {
        agent: PersonId,
        name: &'a str,
    },
    Unassign,
    Start,
    /// Back in progress: the requester answered what it waited for.
    Answered,
    /// What the agent asked the requester, if they said.
    Wait {
        question: Option<&'a str>,
    },
    Resolve {
        resolution: &'a str,
        by: PersonId,
    },
    /// Without a resolution, a resolved ticket keeps the one it has.
    Close {
        resolution: Option<&'a str>,
        by: PersonId,
    },
    Reopen {
        why: Option<&'a str>,
    },
    /// Closed by Deskmate: it waited on its requester too long.
    Lapse,
    /// Closed by Deskmate: resolved, and nobody reopened it in time.
    Settle,
}

impl Change<'_> {
    /// What the ticket's history records.
    pub const fn event(self) -> TicketEvent {
        match self {
            Change::Claim { .. } => TicketEvent::Claim,
            Change::Assign { .. } => TicketEvent::Assign,
            Change::Unassign => TicketEvent::Unassign,
            Change::Start => TicketEvent::Start,
            Change::Answered => TicketEvent::Answer,
            Change::Wait { .. } => TicketEvent::Wait,
            Change::Resolve { .. } => TicketEvent::Resolve,
            Change::Close { .. } => TicketEvent::Close,
            Change::Reopen { .. } => TicketEvent::Reopen,
            Change::Lapse => TicketEvent::Lapse,
            Change::Settle => TicketEvent::Settle,
        }
    }
}

/// Teams and turns: who may work a category's tickets, and whose turn it is.
impl Tx {
    /// The people behind these accounts (those who have written at least once).
    pub async fn people_of_accounts(&mut self, accounts: &[(Platform, String)]) -> Result<Vec<PersonId>> {
        if accounts.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = (0..accounts.len())
            .map(|i| format!("(platform = ${} AND external_id = ${})", 2 * i + 1, 2 * i + 2))
            .collect::<Vec<_>>()
            .join(" OR ");
        let sql = format!("SELECT DISTINCT person_id FROM accounts WHERE {wanted} ORDER BY person_id");
        let ids: Vec<(i64,)> = with_tx!(self, |tx| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for (platform, id) in accounts {
                query = query.bind(platform.as_str()).bind(id.as_str());
            }
            query.fetch_all(&mut **tx).await?
        });
        Ok(ids.into_iter().map(|(id,)| PersonId(id)).collect())
    }

    /// Everyone holding the agent role.
    pub async fn agents(&mut self) -> Result<Vec<PersonId>> {
        let ids: Vec<(i64,)> = with_tx!(self, |tx| {
            sqlx::query_as("SELECT person_id FROM person_roles WHERE role = 'agent' ORDER BY person_id")
                .fetch_all(&mut **tx)
                .await?
        });
        Ok(ids.into_iter().map(|(id,)| PersonId(id)).collect())
    }

    /// Takes the category's next turn number. Its counter's row stays locked until the
    /// transaction ends, so assignments in one category made at once (on any instance)
    /// happen one after the other, each seeing the turns before it.
    pub async fn take_turn(&mut self, category: &str) -> Result<i64> {
        with_tx!(self, |tx| {
            let (turn,): (i64,) = sqlx::query_as(
                "INSERT INTO ticket_turn_counters (category, turn) VALUES ($1, 1) \
                 ON CONFLICT (category) DO UPDATE SET turn = ticket_turn_counters.turn + 1 RETURNING turn",
            )
            .bind(category)
            .fetch_one(&mut **tx)
            .await?;
            Ok(turn)
        })
    }

    /// For each of these people: the turn they last had in the category (0: never) and
    /// how many tickets they hold (claimed, in progress or waiting).
    pub async fn turns_and_loads(&mut self, category: &str, people: &[PersonId]) -> Result<Vec<(PersonId, i64, i64)>> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        // Person ids are ours, never typed text, so they can be inlined.
        let ids = people.iter().map(|p| p.0.to_string()).collect::<Vec<_>>().join(", ");
        let held = TicketStatus::ALL.iter().filter(|s| s.is_held()).map(|s| format!("'{s}'")).collect::<Vec<_>>();
        let sql = format!(
            "SELECT p.id, COALESCE((SELECT turn FROM ticket_turns t WHERE t.category = $1 AND t.person_id = p.id), 0), \
             (SELECT COUNT(*) FROM tickets k WHERE k.assignee_id = p.id AND k.status IN ({})) \
             FROM persons p WHERE p.id IN ({ids}) ORDER BY p.id",
            held.join(", ")
        );
        let rows: Vec<(i64, i64, i64)> = with_tx!(self, |tx| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(category).fetch_all(&mut **tx).await?
        });
        Ok(rows.into_iter().map(|(id, turn, load)| (PersonId(id), turn, load)).collect())
    }

    /// Records that `person` had turn `turn` in the category.
    pub async fn record_turn(&mut self, category: &str, person: PersonId, turn: i64) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO ticket_turns (category, person_id, turn) VALUES ($1, $2, $3) \
                 ON CONFLICT (category, person_id) DO UPDATE SET turn = excluded.turn",
            )
            .bind(category)
            .bind(person.0)
            .bind(turn)
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
    }

    /// Moves a ticket to another category (`None`: none), keeping or dropping its agent;
    /// `None` when it was closed meanwhile.
    pub async fn recategorize_ticket(
        &mut self,
        id: TicketId,
        category: Option<&str>,
        keep_agent: bool,
        detail: &str,
        audit: Audit,
    ) -> Result<Option<Ticket>> {
        let set = if keep_agent {
            ""
        } else {
            ", assignee_id = NULL, status = CASE WHEN status IN ('claimed', 'in_progress', 'waiting') THEN 'open' ELSE status END"
        };
        let sql = format!(
            "UPDATE tickets SET category = $1{set}, updated_at = $2 WHERE id = $3 AND status <> 'closed' {TICKET_RETURNING}"
        );
        let changed: Option<TicketRow> = with_tx!(self, |tx| {
            let row: Option<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(category)
                .bind(ms(audit.at))
                .bind(id.0)
                .fetch_optional(&mut **tx)
                .await?;
            if row.is_some() {
                log_event!(&mut **tx, audit, ticket_subject(id), TicketEvent::Recategorize, detail.to_owned())?;
            }
            row
        });
        changed.map(Ticket::try_from).transpose()
    }
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    author_id: i64,
    author_name: String,
    internal: bool,
    body: String,
    platform: String,
    at: i64,
}

impl TryFrom<MessageRow> for TicketMessage {
    type Error = StoreError;

    fn try_from(r: MessageRow) -> Result<TicketMessage> {
        Ok(TicketMessage {
            author: PersonName { id: PersonId(r.author_id), name: r.author_name },
            internal: r.internal,
            body: r.body,
            platform: parse_column("ticket_messages.platform", &r.platform)?,
            at: from_ms(r.at),
        })
    }
}

/// A ticket's conversation, watchers and tags; canned replies.
impl Tx {
    /// Adds a reply (or, `internal`, a note) to the ticket's conversation, with its
    /// history entry (a note's words are never in the history).
    pub async fn add_ticket_message(&mut self, id: TicketId, internal: bool, body: &str, audit: Audit) -> Result<()> {
        let author = audit.actor.map(|p| p.0);
        let event = if internal { TicketEvent::Note } else { TicketEvent::Reply };
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO ticket_messages (ticket_id, author_id, internal, body, platform, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id.0)
            .bind(author)
            .bind(internal)
            .bind(body)
            .bind(audit.platform.as_str())
            .bind(ms(audit.at))
            .execute(&mut **tx)
            .await?;
            sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2")
                .bind(ms(audit.at))
                .bind(id.0)
                .execute(&mut **tx)
                .await?;
            log_event!(&mut **tx, audit, ticket_subject(id), event, String::new())?;
            Ok::<(), StoreError>(())
        })?;
        // What the requester and the agents say publicly is searched; notes are not.
        if !internal {
            self.index_more(id, body).await?;
        }
        Ok(())
    }

    /// Starts (`true`) or stops following a ticket; whether that changed anything.
    pub async fn set_watching(&mut self, id: TicketId, person: PersonId, watch: bool) -> Result<bool> {
        let sql = if watch {
            "INSERT INTO ticket_watchers (ticket_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM ticket_watchers WHERE ticket_id = $1 AND person_id = $2"
        };
        with_tx!(
            self,
            |tx| Ok(sqlx::query(sql).bind(id.0).bind(person.0).execute(&mut **tx).await?.rows_affected() > 0)
        )
    }

    pub async fn ticket_watchers(&mut self, id: TicketId) -> Result<Vec<PersonId>> {
        let rows: Vec<(i64,)> = with_tx!(self, |tx| {
            sqlx::query_as("SELECT person_id FROM ticket_watchers WHERE ticket_id = $1 ORDER BY person_id")
                .bind(id.0)
                .fetch_all(&mut **tx)
                .await?
        });
        Ok(rows.into_iter().map(|(p,)| PersonId(p)).collect())
    }

    /// Adds and removes tags; returns the ticket's tags after, sorted.
    pub async fn retag_ticket(
        &mut self,
        id: TicketId,
        add: &[String],
        remove: &[String],
        audit: Audit,
    ) -> Result<Vec<String>> {
        let detail =
            add.iter().map(|t| format!("+{t}")).chain(remove.iter().map(|t| format!("-{t}"))).collect::<Vec<_>>();
        with_tx!(self, |tx| {
            for tag in add {
                sqlx::query("INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id.0)
                    .bind(tag)
                    .execute(&mut **tx)
                    .await?;
            }
            for tag in remove {
                sqlx::query("DELETE FROM ticket_tags WHERE ticket_id = $1 AND tag = $2")
                    .bind(id.0)
                    .bind(tag)
                    .execute(&mut **tx)
                    .await?;
            }
            log_event!(&mut **tx, audit, ticket_subject(id), TicketEvent::Tag, detail.join(" "))?;
            let tags: Vec<(String,)> = sqlx::query_as("SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag")
                .bind(id.0)
                .fetch_all(&mut **tx)
                .await?;
            Ok(tags.into_iter().map(|(t,)| t).collect())
        })
    }

    /// Saves a canned reply (replacing one of that name); whether it replaced one.
    pub async fn save_canned(
        &mut self,
        name: &str,
        body: &str,
        by: PersonId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<bool> {
        with_tx!(self, |tx| {
            let replaced =
                sqlx::query("DELETE FROM canned_replies WHERE name = $1").bind(name).execute(&mut **tx).await?;
            sqlx::query("INSERT INTO canned_replies (name, body, created_by, created_at) VALUES ($1, $2, $3, $4)")
                .bind(name)
                .bind(body)
                .bind(by.0)
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
            Ok(replaced.rows_affected() > 0)
        })
    }

    pub async fn remove_canned(&mut self, name: &str) -> Result<bool> {
        with_tx!(self, |tx| Ok(sqlx::query("DELETE FROM canned_replies WHERE name = $1")
            .bind(name)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            > 0))
    }
}

impl Store {
    /// The ticket's conversation, oldest first; internal notes only when `internal`.
    pub async fn ticket_messages(&self, id: TicketId, internal: bool) -> Result<Vec<TicketMessage>> {
        let rows: Vec<MessageRow> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT m.author_id, p.display_name AS author_name, m.internal, m.body, m.platform, m.at \
                 FROM ticket_messages m JOIN persons p ON p.id = m.author_id \
                 WHERE m.ticket_id = $1 AND (m.internal = FALSE OR $2) ORDER BY m.id",
            )
            .bind(id.0)
            .bind(internal)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TicketMessage::try_from).collect()
    }

    pub async fn is_watching(&self, id: TicketId, person: PersonId) -> Result<bool> {
        let row: Option<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT person_id FROM ticket_watchers WHERE ticket_id = $1 AND person_id = $2")
                .bind(id.0)
                .bind(person.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.is_some())
    }

    pub async fn ticket_tags(&self, id: TicketId) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag")
                .bind(id.0)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(t,)| t).collect())
    }

    pub async fn canned_reply(&self, name: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT body FROM canned_replies WHERE name = $1").bind(name).fetch_optional(pool).await?
        });
        Ok(row.map(|(b,)| b))
    }

    /// Every canned reply, by name.
    pub async fn canned_replies(&self) -> Result<Vec<(String, String)>> {
        Ok(with_db!(self, |pool| {
            sqlx::query_as("SELECT name, body FROM canned_replies ORDER BY name").fetch_all(pool).await?
        }))
    }
}

/// Merging duplicates and linking related tickets.
impl Tx {
    /// Merges `dup` into `into`: its conversation, watchers and tags move over, its
    /// requester watches `into`, and it is closed pointing at `into`. `None` when `dup`
    /// was closed meanwhile.
    pub async fn merge_tickets(&mut self, dup: &Ticket, into: TicketId, audit: Audit) -> Result<Option<Ticket>> {
        let by = audit.actor.map(|p| p.0);
        let closed: Option<TicketRow> = with_tx!(self, |tx| {
            let sql = format!(
                "UPDATE tickets SET status = 'closed', merged_into = $1, closed_by_id = $2, closed_at = $3, \
                 updated_at = $3 WHERE id = $4 AND status = $5 {TICKET_RETURNING}"
            );
            let row: Option<TicketRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(into.0)
                .bind(by)
                .bind(ms(audit.at))
                .bind(dup.id.0)
                .bind(dup.status.as_str())
                .fetch_optional(&mut **tx)
                .await?;
            if row.is_some() {
                for sql in [
                    "UPDATE ticket_messages SET ticket_id = $1 WHERE ticket_id = $2",
                    "INSERT INTO ticket_watchers (ticket_id, person_id) SELECT $1, person_id FROM ticket_watchers \
                     WHERE ticket_id = $2 ON CONFLICT DO NOTHING",
                    "INSERT INTO ticket_watchers (ticket_id, person_id) SELECT $1, requester_id FROM tickets \
                     WHERE id = $2 AND requester_id <> (SELECT requester_id FROM tickets WHERE id = $1) \
                     ON CONFLICT DO NOTHING",
                    "INSERT INTO ticket_tags (ticket_id, tag) SELECT $1, tag FROM ticket_tags WHERE ticket_id = $2 \
                     ON CONFLICT DO NOTHING",
                    "DELETE FROM ticket_watchers WHERE ticket_id = $2",
                ] {
                    sqlx::query(sql).bind(into.0).bind(dup.id.0).execute(&mut **tx).await?;
                }
                log_event!(&mut **tx, audit, ticket_subject(dup.id), TicketEvent::Merge, format!("#{into}"))?;
                log_event!(&mut **tx, audit, ticket_subject(into), TicketEvent::Absorb, format!("#{}", dup.id))?;
            }
            row
        });
        if closed.is_some() {
            self.index_status(dup.id, TicketStatus::Closed).await?;
        }
        closed.map(Ticket::try_from).transpose()
    }

    /// Links two tickets as related; whether they were not yet.
    pub async fn link_tickets(&mut self, a: TicketId, b: TicketId, audit: Audit) -> Result<bool> {
        let (low, high) = (a.0.min(b.0), a.0.max(b.0));
        with_tx!(self, |tx| {
            let added = sqlx::query("INSERT INTO ticket_links (low, high) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(low)
                .bind(high)
                .execute(&mut **tx)
                .await?
                .rows_affected()
                > 0;
            if added {
                log_event!(&mut **tx, audit, ticket_subject(a), TicketEvent::Link, format!("#{b}"))?;
                log_event!(&mut **tx, audit, ticket_subject(b), TicketEvent::Link, format!("#{a}"))?;
            }
            Ok(added)
        })
    }
}

impl Store {
    /// The tickets linked to this one, by number.
    pub async fn linked_tickets(&self, id: TicketId) -> Result<Vec<TicketId>> {
        let rows: Vec<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT high FROM ticket_links WHERE low = $1 UNION SELECT low FROM ticket_links WHERE high = $1 ORDER BY 1",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(t,)| TicketId(t)).collect())
    }
}

/// What `/ticket search` looks for: its words, and filters. Kept (as JSON) for its page
/// buttons.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SearchFilter {
    pub words: String,
    /// Status names; empty for any.
    pub statuses: Vec<String>,
    pub assignee: Option<i64>,
    pub priority: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
    /// Opened at or after, before (ms).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Only tickets this person opened, holds or watches (someone who does not see the
    /// whole queue).
    pub involving: Option<i64>,
    /// Tickets like a text rather than holding all its words: any of its telling words,
    /// the ones with most in common first (similar tickets).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub alike: bool,
    /// Leave this ticket out (the one others are compared with), and tickets without a
    /// resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_besides: Option<i64>,
}

/// A bound value of a query built as it goes.
enum Bound {
    Text(String),
    Int(i64),
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for b in $binds {
            query = match b {
                Bound::Text(t) => query.bind(t.clone()),
                Bound::Int(i) => query.bind(*i),
            };
        }
        query
    }};
}

/// Search: the index of each ticket's words, and the search itself.
impl Tx {
    /// Indexes a new ticket's title (and, on PostgreSQL, its status).
    pub async fn index_ticket(&mut self, id: TicketId, title: &str, status: TicketStatus) -> Result<()> {
        let words = super::words::tokens(title);
        match &mut self.inner {
            crate::store::TxInner::Sqlite(tx) => {
                sqlx::query("INSERT OR REPLACE INTO ticket_search (rowid, title, body) VALUES ($1, $2, '')")
                    .bind(id.0)
                    .bind(words.join(" "))
                    .execute(&mut **tx)
                    .await?;
            }
            crate::store::TxInner::Postgres(tx) => {
                sqlx::query(
                    "INSERT INTO ticket_search (ticket_id, doc) VALUES ($1, setweight(array_to_tsvector($2::text[]), 'A') \
                     || setweight(array_to_tsvector($3::text[]), 'D')) \
                     ON CONFLICT (ticket_id) DO UPDATE SET doc = excluded.doc",
                )
                .bind(id.0)
                .bind(words)
                .bind(vec![super::words::status_mark(status.as_str())])
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// A ticket's new status in its search document (PostgreSQL's; SQLite's index holds
    /// words only).
    pub async fn index_status(&mut self, id: TicketId, status: TicketStatus) -> Result<()> {
        if let crate::store::TxInner::Postgres(tx) = &mut self.inner {
            let every: Vec<String> = TicketStatus::ALL.iter().map(|s| super::words::status_mark(s.as_str())).collect();
            sqlx::query(
                "UPDATE ticket_search SET doc = ts_delete(doc, $1::text[]) || setweight(array_to_tsvector($2::text[]), 'D') \
                 WHERE ticket_id = $3",
            )
            .bind(every)
            .bind(vec![super::words::status_mark(status.as_str())])
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// A ticket opened before search existed is indexed now.
    pub async fn indexed_late(&mut self, id: TicketId) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM ticket_search_pending WHERE ticket_id = $1").bind(id.0).execute(&mut **tx).await?;
            Ok(())
        })
    }

    /// Adds words to a ticket's body: a public message, its resolution.
    pub async fn index_more(&mut self, id: TicketId, text: &str) -> Result<()> {
        let words = super::words::tokens(text);
        if words.is_empty() {
            return Ok(());
        }
        match &mut self.inner {
            crate::store::TxInner::Sqlite(tx) => {
                sqlx::query("UPDATE ticket_search SET body = body || ' ' || $1 WHERE rowid = $2")
                    .bind(words.join(" "))
                    .bind(id.0)
                    .execute(&mut **tx)
                    .await?;
            }
            crate::store::TxInner::Postgres(tx) => {
                sqlx::query(
                    "UPDATE ticket_search SET doc = doc || setweight(array_to_tsvector($1::text[]), 'B') \
                     WHERE ticket_id = $2",
                )
                .bind(words)
                .bind(id.0)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    /// Keeps a search's filters for its page buttons; returns its number.
    pub async fn save_search(
        &mut self,
        person: PersonId,
        filter: &SearchFilter,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64> {
        let json = serde_json::to_string(filter).unwrap_or_default();
        with_tx!(self, |tx| {
            let (id,): (i64,) =
                sqlx::query_as("INSERT INTO ticket_searches (person_id, filter, at) VALUES ($1, $2, $3) RETURNING id")
                    .bind(person.0)
                    .bind(&json)
                    .bind(ms(at))
                    .fetch_one(&mut **tx)
                    .await?;
            Ok(id)
        })
    }
}

impl Store {
    /// A kept search, if it is this person's.
    pub async fn saved_search(&self, id: i64, person: PersonId) -> Result<Option<SearchFilter>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT filter FROM ticket_searches WHERE id = $1 AND person_id = $2")
                .bind(id)
                .bind(person.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.and_then(|(json,)| serde_json::from_str(&json).ok()))
    }

    /// Tickets opened before search existed, still to index (none after the first start).
    pub async fn unindexed_tickets(&self, limit: i64) -> Result<Vec<(TicketId, String, String, TicketStatus)>> {
        let rows: Vec<(i64, String, String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT t.id, t.title, COALESCE(t.resolution, ''), t.status FROM ticket_search_pending p \
                 JOIN tickets t ON t.id = p.ticket_id ORDER BY t.id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, title, resolution, status)| {
                Ok((TicketId(id), title, resolution, parse_column("tickets.status", &status)?))
            })
            .collect()
    }

    /// The tickets matching a search, best first: `limit` from `offset`. `None` when
    /// its words give nothing to look for.
    pub async fn search_tickets(&self, filter: &SearchFilter, limit: i64, offset: i64) -> Result<Option<Vec<Ticket>>> {
        let terms =
            if filter.alike { super::words::alike_terms(&filter.words) } else { super::words::terms(&filter.words) };
        if terms.is_empty() {
            return Ok(None);
        }
        let sqlite = matches!(self.db, crate::store::Db::Sqlite(_));
        let mut binds: Vec<Bound> = Vec::new();
        let param = |b: Bound, binds: &mut Vec<Bound>| {
            binds.push(b);
            format!("${}", binds.len())
        };
        // The matches are found first (the index leads), then narrowed by the filters:
        // a planner that led with a filter's index would run the match once per row.
        let hits = if sqlite {
            let q = param(Bound::Text(super::words::fts5_query(&terms, filter.alike)), &mut binds);
            format!(
                "WITH hits AS MATERIALIZED (SELECT rowid AS id, bm25(ticket_search, 10.0, 1.0) AS rank \
                 FROM ticket_search WHERE ticket_search MATCH {q})"
            )
        } else {
            // The status filter narrows the index's match too (the `~status` words).
            let mut query = super::words::tsquery(&terms, filter.alike);
            if !filter.statuses.is_empty() {
                let marks: Vec<String> = filter.statuses.iter().map(|s| super::words::status_mark(s)).collect();
                query = format!("({query}) & ({})", super::words::tsquery_any(&marks));
            }
            let q = param(Bound::Text(query), &mut binds);
            format!(
                "WITH hits AS MATERIALIZED (SELECT ticket_id AS id, -ts_rank(doc, {q}::tsquery) AS rank \
                 FROM ticket_search WHERE doc @@ {q}::tsquery)"
            )
        };
        let mut conditions: Vec<String> = Vec::new();
        if !filter.statuses.is_empty() {
            let list: Vec<String> = filter.statuses.iter().map(|s| param(Bound::Text(s.clone()), &mut binds)).collect();
            conditions.push(format!("t.status IN ({})", list.join(", ")));
        }
        if let Some(a) = filter.assignee {
            conditions.push(format!("t.assignee_id = {}", param(Bound::Int(a), &mut binds)));
        }
        if let Some(p) = &filter.priority {
            conditions.push(format!("t.priority = {}", param(Bound::Text(p.clone()), &mut binds)));
        }
        if let Some(c) = &filter.category {
            conditions.push(format!("t.category = {}", param(Bound::Text(c.clone()), &mut binds)));
        }
        if let Some(tag) = &filter.tag {
            let p = param(Bound::Text(tag.clone()), &mut binds);
            conditions.push(format!("EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = {p})"));
        }
        if let Some(from) = filter.from {
            conditions.push(format!("t.created_at >= {}", param(Bound::Int(from), &mut binds)));
        }
        if let Some(to) = filter.to {
            conditions.push(format!("t.created_at < {}", param(Bound::Int(to), &mut binds)));
        }
        if let Some(p) = filter.involving {
            let p = param(Bound::Int(p), &mut binds);
            conditions.push(format!(
                "(t.requester_id = {p} OR t.assignee_id = {p} OR EXISTS (SELECT 1 FROM ticket_watchers w \
                 WHERE w.ticket_id = t.id AND w.person_id = {p}))"
            ));
        }
        if let Some(other) = filter.resolved_besides {
            let p = param(Bound::Int(other), &mut binds);
            conditions.push(format!("t.id <> {p} AND t.resolution IS NOT NULL"));
        }
        let (l, o) = (param(Bound::Int(limit), &mut binds), param(Bound::Int(offset), &mut binds));
        // The page is chosen from the matches first, reading tickets only for the
        // filters (if any); only its rows are then read whole, with their people. A
        // `CROSS JOIN` keeps SQLite's planner from leading with a filter's index.
        let page = if conditions.is_empty() {
            format!("top AS MATERIALIZED (SELECT id, rank FROM hits ORDER BY rank, id DESC LIMIT {l} OFFSET {o})")
        } else {
            format!(
                "top AS MATERIALIZED (SELECT h.id, h.rank FROM hits h CROSS JOIN tickets t WHERE t.id = h.id AND {} \
                 ORDER BY h.rank, h.id DESC LIMIT {l} OFFSET {o})",
                conditions.join(" AND ")
            )
        };
        let select = TICKET_SELECT.replacen("FROM tickets t", "FROM top h CROSS JOIN tickets t", 1);
        let sql = format!("{hits}, {page} {select} WHERE t.id = h.id ORDER BY h.rank, t.id DESC");
        let rows: Vec<TicketRow> = with_db!(self, |pool| {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())), &binds).fetch_all(pool).await?
        });
        Ok(Some(rows.into_iter().map(Ticket::try_from).collect::<Result<Vec<_>>>()?))
    }
}

/// Tickets like another, for the agent who takes it.
impl Store {
    /// The words a ticket is about: its title and its description.
    pub async fn ticket_words(&self, id: TicketId) -> Result<String> {
        let row: Option<(String, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT t.title, (SELECT m.body FROM ticket_messages m WHERE m.ticket_id = t.id AND NOT m.internal \
                 ORDER BY m.id LIMIT 1) FROM tickets t WHERE t.id = $1",
            )
            .bind(id.0)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(title, first)| format!("{title} {}", first.unwrap_or_default())).unwrap_or_default())
    }

    /// The resolved (or closed) tickets with a resolution that are most like `words`,
    /// `id` left out.
    pub async fn similar_tickets(&self, id: TicketId, words: &str, limit: i64) -> Result<Vec<Ticket>> {
        let statuses = [TicketStatus::Resolved, TicketStatus::Closed].iter().map(|s| s.as_str().to_owned()).collect();
        let filter = SearchFilter {
            words: words.to_owned(),
            statuses,
            alike: true,
            resolved_besides: Some(id.0),
            ..SearchFilter::default()
        };
        Ok(self.search_tickets(&filter, limit, 0).await?.unwrap_or_default())
    }
}

/// Intake: drafts of requests being asked for, and the messages reactions made tickets.
impl Tx {
    /// Keeps what someone began to ask for (for a day); returns its number.
    pub async fn save_draft(
        &mut self,
        person: PersonId,
        (title, body): (&str, &str),
        category: Option<&str>,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<i64> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM ticket_drafts WHERE created_at < $1")
                .bind(ms(at - chrono::Duration::days(1)))
                .execute(&mut **tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO ticket_drafts (person_id, title, body, category, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(person.0)
            .bind(title)
            .bind(body)
            .bind(category)
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await?;
            Ok(id)
        })
    }

    /// Takes a draft of this person's (it is gone after): its title, body and category.
    pub async fn take_draft(&mut self, id: i64, person: PersonId) -> Result<Option<(String, String, Option<String>)>> {
        with_tx!(self, |tx| {
            let row: Option<(String, String, Option<String>)> = sqlx::query_as(
                "DELETE FROM ticket_drafts WHERE id = $1 AND person_id = $2 RETURNING title, body, category",
            )
            .bind(id)
            .bind(person.0)
            .fetch_optional(&mut **tx)
            .await?;
            Ok(row)
        })
    }

    /// The ticket a group message already became, if any.
    pub async fn ticket_from_message(&mut self, message: &deskmate_port::MessageRef) -> Result<Option<TicketId>> {
        with_tx!(self, |tx| {
            let row: Option<(i64,)> = sqlx::query_as(
                "SELECT ticket_id FROM ticket_sources WHERE platform = $1 AND channel_id = $2 AND message_id = $3",
            )
            .bind(message.channel.platform.as_str())
            .bind(&message.channel.id)
            .bind(&message.message_id)
            .fetch_optional(&mut **tx)
            .await?;
            Ok(row.map(|(id,)| TicketId(id)))
        })
    }

    /// Records that a group message became `ticket`.
    pub async fn record_source(
        &mut self,
        message: &deskmate_port::MessageRef,
        ticket: TicketId,
        link: Option<&str>,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO ticket_sources (platform, channel_id, message_id, ticket_id, link) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(message.channel.platform.as_str())
            .bind(&message.channel.id)
            .bind(&message.message_id)
            .bind(ticket.0)
            .bind(link)
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
    }
}

/// Transcripts of closed tickets.
impl Tx {
    /// A ticket's public messages, oldest first (read in the transaction that closes it).
    pub async fn public_messages(&mut self, id: TicketId) -> Result<Vec<TicketMessage>> {
        let rows: Vec<MessageRow> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT m.author_id, p.display_name AS author_name, m.internal, m.body, m.platform, m.at \
                 FROM ticket_messages m JOIN persons p ON p.id = m.author_id \
                 WHERE m.ticket_id = $1 AND m.internal = FALSE ORDER BY m.id",
            )
            .bind(id.0)
            .fetch_all(&mut **tx)
            .await?
        });
        rows.into_iter().map(TicketMessage::try_from).collect()
    }

    pub async fn keep_transcript(&mut self, id: TicketId, html: &str, at: chrono::DateTime<chrono::Utc>) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO ticket_transcripts (ticket_id, html, made_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (ticket_id) DO UPDATE SET html = excluded.html, made_at = excluded.made_at",
            )
            .bind(id.0)
            .bind(html)
            .bind(ms(at))
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
    }
}

impl Store {
    /// The transcript kept when the ticket last closed.
    pub async fn transcript(&self, id: TicketId) -> Result<Option<String>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT html FROM ticket_transcripts WHERE ticket_id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|(html,)| html))
    }
}

/// Satisfaction ratings.
impl Tx {
    /// Records a ticket's rating by its requester; returns the rating it had before, if
    /// it was rated already (a second press changes it).
    pub async fn rate_ticket(
        &mut self,
        id: TicketId,
        person: PersonId,
        stars: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<i64>> {
        with_tx!(self, |tx| {
            let before: Option<(i64,)> = sqlx::query_as("SELECT rating FROM ticket_ratings WHERE ticket_id = $1")
                .bind(id.0)
                .fetch_optional(&mut **tx)
                .await?;
            sqlx::query(
                "INSERT INTO ticket_ratings (ticket_id, person_id, rating, rated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (ticket_id) DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at",
            )
            .bind(id.0)
            .bind(person.0)
            .bind(stars)
            .bind(ms(at))
            .execute(&mut **tx)
            .await?;
            Ok(before.map(|(r,)| r))
        })
    }

    /// Keeps the comment on a rating of this person's; returns the rating, or `None` if
    /// they have not rated the ticket.
    pub async fn comment_rating(&mut self, id: TicketId, person: PersonId, comment: &str) -> Result<Option<i64>> {
        with_tx!(self, |tx| {
            let row: Option<(i64,)> = sqlx::query_as(
                "UPDATE ticket_ratings SET comment = $1 WHERE ticket_id = $2 AND person_id = $3 RETURNING rating",
            )
            .bind(comment)
            .bind(id.0)
            .bind(person.0)
            .fetch_optional(&mut **tx)
            .await?;
            Ok(row.map(|(r,)| r))
        })
    }
}

impl Store {
    /// A ticket's rating and its comment.
    pub async fn ticket_rating(&self, id: TicketId) -> Result<Option<(i64, Option<String>)>> {
        Ok(with_db!(self, |pool| {
            sqlx::query_as("SELECT rating, comment FROM ticket_ratings WHERE ticket_id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        }))
    }
}

/// Service levels.
impl Tx {
    /// Sets a ticket's priority (an open one); the log says from what to what.
    pub async fn set_priority(&mut self, id: TicketId, priority: Priority, audit: Audit, detail: &str) -> Result<bool> {
        with_tx!(self, |tx| {
            let changed =
                sqlx::query("UPDATE tickets SET priority = $1, updated_at = $2 WHERE id = $3 AND status <> 'closed'")
                    .bind(priority.as_str())
                    .bind(ms(audit.at))
                    .bind(id.0)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
            if changed > 0 {
                log_event!(&mut **tx, audit, ticket_subject(id), TicketEvent::Reprioritize, detail.to_owned())?;
            }
            Ok(changed > 0)
        })
    }

    /// Records something done to a ticket that changes no column the log would show
    /// (an extended deadline).
    pub async fn log_ticket_event(
        &mut self,
        id: TicketId,
        event: TicketEvent,
        detail: &str,
        audit: Audit,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            log_event!(&mut **tx, audit, ticket_subject(id), event, detail.to_owned())?;
            Ok(())
        })
    }

    /// Writes a ticket's service-level clock as `sla` has it.
    pub async fn set_sla(&mut self, id: TicketId, sla: &Sla) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "UPDATE tickets SET first_response_at = $1, first_due = $2, resolve_due = $3, resolve_left = $4 \
                 WHERE id = $5",
            )
            .bind(sla.first_response_at.map(ms))
            .bind(sla.first_due.map(ms))
            .bind(sla.resolve_due.map(ms))
            .bind(sla.resolve_left.map(|d| d.num_milliseconds()))
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
            Ok(())
        })
    }
}

/// What the tickets report reads of one ticket.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub status: String,
    pub category: Option<String>,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    pub first_due: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolve_due: Option<i64>,
    pub assignee: Option<String>,
    pub resolved_by: Option<String>,
    pub rating: Option<i64>,
    pub rated_at: Option<i64>,
    pub id: i64,
    pub title: String,
    pub priority: String,
    pub requester: String,
}

impl Tx {
    /// The tickets a report over `[from, to]` reads: those opened, answered, resolved or
    /// rated then, and those still open; in one category, or all. Each way in is its own
    /// indexed lookup (an `OR` across them would read every ticket).
    pub async fn report_rows(&mut self, from: i64, to: i64, category: Option<&str>) -> Result<Vec<ReportRow>> {
        Ok(with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT t.status, t.category, t.created_at, t.first_response_at, t.first_due, t.resolved_at, \
                 t.resolve_due, a.display_name AS assignee, v.display_name AS resolved_by, g.rating, g.rated_at, \
                 t.id, t.title, t.priority, r.display_name AS requester \
                 FROM tickets t JOIN persons r ON r.id = t.requester_id LEFT JOIN persons a ON a.id = t.assignee_id \
                 LEFT JOIN persons v ON v.id = t.resolved_by_id LEFT JOIN ticket_ratings g ON g.ticket_id = t.id \
                 WHERE ($3 IS NULL OR t.category = $3) AND t.id IN ( \
                   SELECT id FROM tickets WHERE created_at >= $1 AND created_at <= $2 \
                   UNION SELECT id FROM tickets WHERE first_response_at >= $1 AND first_response_at <= $2 \
                   UNION SELECT id FROM tickets WHERE resolved_at >= $1 AND resolved_at <= $2 \
                   UNION SELECT ticket_id FROM ticket_ratings WHERE rated_at >= $1 AND rated_at <= $2 \
                   UNION SELECT id FROM tickets WHERE status IN ('open', 'claimed', 'in_progress', 'waiting')) \
                 ORDER BY t.id",
            )
            .bind(from)
            .bind(to)
            .bind(category)
            .fetch_all(&mut **tx)
            .await?
        }))
    }
}

impl Tx {
    /// Keeps a calendar's hours: `true` when this call changed what was kept from `was`
    /// (so of instances starting together, one moves the deadlines).
    pub async fn keep_calendar(&mut self, name: &str, was: Option<&str>, spec: &str) -> Result<bool> {
        let changed = with_tx!(self, |tx| {
            match was {
                None => {
                    sqlx::query(
                        "INSERT INTO ticket_calendars (name, spec) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                    )
                    .bind(name)
                    .bind(spec)
                    .execute(&mut **tx)
                    .await?
                }
                Some(was) => {
                    sqlx::query("UPDATE ticket_calendars SET spec = $2 WHERE name = $1 AND spec = $3")
                        .bind(name)
                        .bind(spec)
                        .bind(was)
                        .execute(&mut **tx)
                        .await?
                }
            }
            .rows_affected()
        });
        Ok(changed == 1)
    }
}

impl Store {
    /// A calendar's business hours as kept at the last start (`None`: never kept).
    pub async fn kept_calendar(&self, name: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT spec FROM ticket_calendars WHERE name = $1").bind(name).fetch_optional(pool).await?
        });
        Ok(row.map(|(spec,)| spec))
    }
}

//! Requests, their steps and seats, and delegations. A decision first takes the
//! request's row (`lock_approval`), so of two approvers pressing at once the second
//! waits and then sees the first one's decision.

use chrono::{DateTime, Utc};
use deskmate_port::Platform;

use super::model::{
    ApprovalEvent, Decision, Request, RequestId, RequestStatus, Rule, Seat, SeatId, SeatState, Step, StepId,
    StepStatus, request_subject,
};
use crate::kernel::{Audit, PersonId, PersonName};
use crate::store::{Result, Store, StoreError, Tx, from_ms, log_event, ms, parse_column, with_db, with_tx};

/// At most this many people's seats in one pending list (the person and those who
/// delegated to them, however indirectly).
const MAX_APPROVERS_LISTED: usize = 32;

/// A step of a route as resolved when a request is made or resubmitted.
#[derive(Debug, Clone)]
pub struct NewStep {
    pub label: String,
    pub rule: Rule,
    pub approvers: Vec<PersonName>,
    pub note: Option<String>,
}

/// Which requests a list shows.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub requester: Option<PersonId>,
    pub kind: Option<String>,
    pub status: Option<RequestStatus>,
    pub since: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// A step waiting for someone's decision, for their pending list.
#[derive(Debug, Clone)]
pub struct PendingSeat {
    pub seat: SeatId,
    pub approver: PersonName,
    pub request: RequestId,
    pub kind: String,
    pub requester: String,
    pub step_label: String,
    pub since: DateTime<Utc>,
}

/// Someone deciding for someone else until a moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegation {
    pub person: PersonName,
    pub delegate: PersonName,
    pub until: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    kind: String,
    requester_id: i64,
    requester_name: String,
    fields: String,
    status: String,
    round: i64,
    step: i64,
    platform: String,
    created_at: i64,
    decided_at: Option<i64>,
}

const REQUEST_SELECT: &str = "SELECT r.id, r.kind, r.requester_id, p.display_name AS requester_name, r.fields, \
     r.status, r.round, r.step, r.platform, r.created_at, r.decided_at \
     FROM approval_requests r JOIN persons p ON p.id = r.requester_id";

impl TryFrom<RequestRow> for Request {
    type Error = StoreError;

    fn try_from(row: RequestRow) -> Result<Request> {
        let fields: Vec<(String, String)> = serde_json::from_str(&row.fields)
            .map_err(|e| StoreError::Corrupt(format!("approval_requests.fields of #{}: {e}", row.id)))?;
        Ok(Request {
            id: RequestId(row.id),
            kind: row.kind,
            requester: PersonName { id: PersonId(row.requester_id), name: row.requester_name },
            fields,
            status: parse_column("approval_requests.status", &row.status)?,
            round: row.round,
            step: row.step,
            platform: parse_column("approval_requests.platform", &row.platform)?,
            created_at: from_ms(row.created_at),
            decided_at: row.decided_at.map(from_ms),
        })
    }
}

#[derive(sqlx::FromRow)]
struct StepRow {
    id: i64,
    round: i64,
    position: i64,
    label: String,
    rule: String,
    status: String,
    note: Option<String>,
    started_at: Option<i64>,
    decided_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SeatRow {
    id: i64,
    step_id: i64,
    person_id: i64,
    person_name: String,
    state: String,
    decided_by: Option<i64>,
    decided_by_name: Option<String>,
    reason: Option<String>,
    decided_at: Option<i64>,
}

const STEP_SELECT: &str = "SELECT id, round, position, label, rule, status, note, started_at, decided_at \
     FROM approval_steps WHERE request_id = $1 ORDER BY round, position";
const SEAT_SELECT: &str = "SELECT s.id, s.step_id, s.person_id, p.display_name AS person_name, s.state, s.decided_by, \
     d.display_name AS decided_by_name, s.reason, s.decided_at \
     FROM approval_approvers s JOIN persons p ON p.id = s.person_id LEFT JOIN persons d ON d.id = s.decided_by \
     WHERE s.request_id = $1 ORDER BY s.id";

fn assemble(steps: Vec<StepRow>, seats: Vec<SeatRow>) -> Result<Vec<Step>> {
    let mut out = Vec::with_capacity(steps.len());
    for s in steps {
        let mut mine = Vec::new();
        for seat in seats.iter().filter(|x| x.step_id == s.id) {
            mine.push(Seat {
                id: SeatId(seat.id),
                approver: PersonName { id: PersonId(seat.person_id), name: seat.person_name.clone() },
                state: parse_column("approval_approvers.state", &seat.state)?,
                decided_by: seat
                    .decided_by
                    .zip(seat.decided_by_name.clone())
                    .map(|(id, name)| PersonName { id: PersonId(id), name }),
                reason: seat.reason.clone(),
                decided_at: seat.decided_at.map(from_ms),
            });
        }
        out.push(Step {
            id: StepId(s.id),
            round: s.round,
            position: s.position,
            label: s.label,
            rule: parse_column("approval_steps.rule", &s.rule)?,
            status: parse_column("approval_steps.status", &s.status)?,
            note: s.note,
            started_at: s.started_at.map(from_ms),
            decided_at: s.decided_at.map(from_ms),
            seats: mine,
        });
    }
    Ok(out)
}

/// A request by id, on a pool or inside a transaction.
macro_rules! fetch_request {
    ($exec:expr, $id:expr) => {{
        let row: Option<RequestRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{REQUEST_SELECT} WHERE r.id = $1")))
            .bind($id.0)
            .fetch_optional($exec)
            .await?;
        row.map(Request::try_from).transpose()
    }};
}

/// Every step of a request, every round, with their seats.
macro_rules! fetch_steps {
    ($exec:expr, $id:expr) => {{
        let steps: Vec<StepRow> = sqlx::query_as(STEP_SELECT).bind($id.0).fetch_all(&mut *$exec).await?;
        let seats: Vec<SeatRow> = sqlx::query_as(SEAT_SELECT).bind($id.0).fetch_all(&mut *$exec).await?;
        assemble(steps, seats)
    }};
}

impl Store {
    pub async fn approval_request(&self, id: RequestId) -> Result<Option<Request>> {
        with_db!(self, |pool| fetch_request!(pool, id))
    }

    /// Every step of every round, oldest first.
    pub async fn approval_steps(&self, id: RequestId) -> Result<Vec<Step>> {
        with_db!(self, |pool| {
            let mut conn = pool.acquire().await?;
            fetch_steps!(&mut *conn, id)
        })
    }

    pub async fn approval_requests(&self, filter: &RequestFilter) -> Result<Vec<Request>> {
        let mut sql = format!("{REQUEST_SELECT} WHERE 1 = 1");
        let mut n = 3;
        let mut param = |clause: &str, sql: &mut String| {
            sql.push_str(&clause.replace('?', &format!("${n}")));
            n += 1;
        };
        if filter.requester.is_some() {
            param(" AND r.requester_id = ?", &mut sql);
        }
        if filter.kind.is_some() {
            param(" AND r.kind = ?", &mut sql);
        }
        if filter.status.is_some() {
            param(" AND r.status = ?", &mut sql);
        }
        if filter.since.is_some() {
            param(" AND r.created_at >= ?", &mut sql);
        }
        sql.push_str(" ORDER BY r.id DESC LIMIT $1 OFFSET $2");
        let rows: Vec<RequestRow> = with_db!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(filter.limit).bind(filter.offset);
            if let Some(p) = filter.requester {
                query = query.bind(p.0);
            }
            if let Some(k) = &filter.kind {
                query = query.bind(k.clone());
            }
            if let Some(s) = filter.status {
                query = query.bind(s.as_str());
            }
            if let Some(t) = filter.since {
                query = query.bind(ms(t));
            }
            query.fetch_all(pool).await?
        });
        rows.into_iter().map(Request::try_from).collect()
    }

    /// The steps waiting for `person`'s decision, theirs and those of people who
    /// delegated to them, newest first.
    pub async fn approvals_pending_for(
        &self,
        person: PersonId,
        now: DateTime<Utc>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<PendingSeat>> {
        type Row = (i64, i64, String, i64, String, String, String, i64);
        // The person's own seats and those of whoever delegated to them: with nobody
        // delegating (the usual case) one range of the (person, state, pending_at) index,
        // read newest first and stopped at the page's end.
        // Whoever hands on to them, directly or through others (A to B to them).
        let mut approvers = vec![person];
        let mut next = 0;
        while next < approvers.len() && approvers.len() < MAX_APPROVERS_LISTED {
            for p in self.delegators_of(approvers[next], now).await? {
                if !approvers.contains(&p) {
                    approvers.push(p);
                }
            }
            next += 1;
        }
        let placeholders: Vec<String> = (0..approvers.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT s.id, s.person_id, a.display_name, r.id, r.kind, q.display_name, st.label, s.pending_at \
             FROM (SELECT id, person_id, request_id, step_id, pending_at FROM approval_approvers \
                   WHERE person_id IN ({}) AND state = 'pending' \
                   ORDER BY pending_at DESC, id DESC LIMIT $1 OFFSET $2) s \
             JOIN approval_requests r ON r.id = s.request_id \
             JOIN approval_steps st ON st.id = s.step_id \
             JOIN persons a ON a.id = s.person_id \
             JOIN persons q ON q.id = r.requester_id \
             ORDER BY s.pending_at DESC, s.id DESC",
            placeholders.join(", ")
        );
        let rows: Vec<Row> = with_db!(self, |pool| {
            let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(limit).bind(offset);
            for p in &approvers {
                query = query.bind(p.0);
            }
            query.fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(seat, approver, approver_name, request, kind, requester, step_label, since)| PendingSeat {
                seat: SeatId(seat),
                approver: PersonName { id: PersonId(approver), name: approver_name },
                request: RequestId(request),
                kind,
                requester,
                step_label,
                since: from_ms(since),
            })
            .collect())
    }

    /// The person with this account (`[approvals]` names people as `platform:id`).
    pub async fn person_by_address(&self, platform: Platform, id: &str) -> Result<Option<PersonName>> {
        let row: Option<(i64, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.display_name FROM accounts a JOIN persons p ON p.id = a.person_id \
                 WHERE a.platform = $1 AND a.external_id = $2",
            )
            .bind(platform.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(id, name)| PersonName { id: PersonId(id), name }))
    }

    /// Who has delegated their decisions to `delegate`, now.
    pub async fn delegators_of(&self, delegate: PersonId, now: DateTime<Utc>) -> Result<Vec<PersonId>> {
        let rows: Vec<(i64,)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT person_id FROM approval_delegations WHERE delegate_id = $1 AND until > $2")
                .bind(delegate.0)
                .bind(ms(now))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(p,)| PersonId(p)).collect())
    }

    /// The seats waiting for `person`'s own decision, as (request, seat).
    pub async fn pending_seats_of(&self, person: PersonId) -> Result<Vec<(RequestId, SeatId)>> {
        let rows: Vec<(i64, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT request_id, id FROM approval_approvers WHERE person_id = $1 AND state = 'pending' ORDER BY id",
            )
            .bind(person.0)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(r, s)| (RequestId(r), SeatId(s))).collect())
    }

    /// Whom `person` has delegated to, while that lasts.
    pub async fn delegation_of(&self, person: PersonId, now: DateTime<Utc>) -> Result<Option<Delegation>> {
        let row: Option<(i64, String, i64, String, i64)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT d.person_id, p.display_name, d.delegate_id, q.display_name, d.until \
                 FROM approval_delegations d JOIN persons p ON p.id = d.person_id JOIN persons q ON q.id = d.delegate_id \
                 WHERE d.person_id = $1 AND d.until > $2",
            )
            .bind(person.0)
            .bind(ms(now))
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(p, pn, d, dn, until)| Delegation {
            person: PersonName { id: PersonId(p), name: pn },
            delegate: PersonName { id: PersonId(d), name: dn },
            until: from_ms(until),
        }))
    }
}

impl Tx {
    pub async fn approval_request(&mut self, id: RequestId) -> Result<Option<Request>> {
        with_tx!(self, |tx| fetch_request!(&mut **tx, id))
    }

    pub async fn approval_steps(&mut self, id: RequestId) -> Result<Vec<Step>> {
        with_tx!(self, |tx| fetch_steps!(&mut **tx, id))
    }

    /// Records a new request (its steps come with [`Tx::add_round`]).
    pub async fn create_approval(
        &mut self,
        kind: &str,
        requester: PersonId,
        fields: &[(String, String)],
        audit: Audit,
    ) -> Result<RequestId> {
        let fields = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id = with_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO approval_requests (kind, requester_id, fields, status, round, step, platform, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'pending', 1, 0, $4, $5, $5) RETURNING id",
            )
            .bind(kind)
            .bind(requester.0)
            .bind(&fields)
            .bind(audit.platform.as_str())
            .bind(ms(audit.at))
            .fetch_one(&mut **tx)
            .await?;
            id
        });
        Ok(RequestId(id))
    }

    /// The steps of a round; the first one starts now.
    pub async fn add_round(
        &mut self,
        request: RequestId,
        round: i64,
        steps: &[NewStep],
        at: DateTime<Utc>,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            for (position, step) in steps.iter().enumerate() {
                let first = position == 0;
                let (step_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO approval_steps (request_id, round, position, label, rule, status, note, started_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(request.0)
                .bind(round)
                .bind(position as i64)
                .bind(&step.label)
                .bind(step.rule.as_str())
                .bind(if first { StepStatus::Pending.as_str() } else { StepStatus::Waiting.as_str() })
                .bind(&step.note)
                .bind(first.then(|| ms(at)))
                .fetch_one(&mut **tx)
                .await?;
                for approver in &step.approvers {
                    sqlx::query(
                        "INSERT INTO approval_approvers (step_id, request_id, person_id, state, pending_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(step_id)
                    .bind(request.0)
                    .bind(approver.id.0)
                    .bind(if first { SeatState::Pending.as_str() } else { SeatState::Waiting.as_str() })
                    .bind(first.then(|| ms(at)))
                    .execute(&mut **tx)
                    .await?;
                }
            }
        });
        Ok(())
    }

    /// Takes the request for one decision: `false` when it is no longer pending. Two
    /// deciders at once: the second waits here for the first to commit.
    pub async fn lock_approval(&mut self, id: RequestId, at: DateTime<Utc>) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query("UPDATE approval_requests SET updated_at = $2 WHERE id = $1 AND status = 'pending'")
                .bind(id.0)
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Records a seat's decision, once.
    pub async fn decide_seat(
        &mut self,
        seat: SeatId,
        by: PersonId,
        decision: Decision,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE approval_approvers SET state = $2, decided_by = $3, reason = $4, decided_at = $5 \
                 WHERE id = $1 AND state = 'pending'",
            )
            .bind(seat.0)
            .bind(decision.seat_state().as_str())
            .bind(by.0)
            .bind(reason)
            .bind(ms(at))
            .execute(&mut **tx)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Closes a step; its seats still pending are passed over.
    pub async fn finish_step(&mut self, step: StepId, status: StepStatus, at: DateTime<Utc>) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE approval_steps SET status = $2, decided_at = $3 WHERE id = $1")
                .bind(step.0)
                .bind(status.as_str())
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
            sqlx::query("UPDATE approval_approvers SET state = 'passed' WHERE step_id = $1 AND state = 'pending'")
                .bind(step.0)
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    /// Makes a waiting step the request's current one.
    pub async fn start_step(
        &mut self,
        request: RequestId,
        step: StepId,
        position: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE approval_requests SET step = $2, updated_at = $3 WHERE id = $1")
                .bind(request.0)
                .bind(position)
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
            sqlx::query("UPDATE approval_steps SET status = 'pending', started_at = $2 WHERE id = $1")
                .bind(step.0)
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "UPDATE approval_approvers SET state = 'pending', pending_at = $2 WHERE step_id = $1 AND state = 'waiting'",
            )
            .bind(step.0)
            .bind(ms(at))
            .execute(&mut **tx)
            .await?;
        });
        Ok(())
    }

    /// Gives a request its outcome (approved, rejected, changes requested, withdrawn);
    /// steps not reached, and seats not decided, are cancelled.
    pub async fn finish_approval(&mut self, id: RequestId, status: RequestStatus, at: DateTime<Utc>) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("UPDATE approval_requests SET status = $2, decided_at = $3, updated_at = $3 WHERE id = $1")
                .bind(id.0)
                .bind(status.as_str())
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
            sqlx::query(
                "UPDATE approval_steps SET status = 'cancelled' WHERE request_id = $1 AND status IN ('waiting', 'pending')",
            )
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "UPDATE approval_approvers SET state = 'cancelled' WHERE request_id = $1 AND state IN ('waiting', 'pending')",
            )
            .bind(id.0)
            .execute(&mut **tx)
            .await?;
        });
        Ok(())
    }

    /// Withdraws a request that is pending or waiting for changes: `false` when it is
    /// neither any more.
    pub async fn withdraw_approval(&mut self, id: RequestId, at: DateTime<Utc>) -> Result<bool> {
        let taken = with_tx!(self, |tx| {
            sqlx::query(
                "UPDATE approval_requests SET updated_at = $2 WHERE id = $1 AND status IN ('pending', 'changes')",
            )
            .bind(id.0)
            .bind(ms(at))
            .execute(&mut **tx)
            .await?
            .rows_affected()
                == 1
        });
        if taken {
            self.finish_approval(id, RequestStatus::Withdrawn, at).await?;
        }
        Ok(taken)
    }

    /// Starts a request over after changes were requested: new fields, the next round.
    /// `false` when changes are no longer what it waits for.
    pub async fn resubmit_approval(
        &mut self,
        id: RequestId,
        fields: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let fields = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        with_tx!(self, |tx| {
            let row: Option<(i64,)> = sqlx::query_as(
                "UPDATE approval_requests SET fields = $2, status = 'pending', round = round + 1, step = 0, \
                 decided_at = NULL, updated_at = $3 WHERE id = $1 AND status = 'changes' RETURNING round",
            )
            .bind(id.0)
            .bind(&fields)
            .bind(ms(at))
            .fetch_optional(&mut **tx)
            .await?;
            Ok(row.map(|(round,)| round))
        })
    }

    /// `person`'s decisions go to `delegate` until `until` (replacing an earlier
    /// delegation of theirs).
    pub async fn set_delegation(
        &mut self,
        person: PersonId,
        delegate: PersonId,
        until: DateTime<Utc>,
        audit: Audit,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO approval_delegations (person_id, delegate_id, until, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (person_id) DO UPDATE SET delegate_id = $2, until = $3, created_at = $4",
            )
            .bind(person.0)
            .bind(delegate.0)
            .bind(ms(until))
            .bind(ms(audit.at))
            .execute(&mut **tx)
            .await?;
            let detail = format!("to person:{} until {}", delegate.0, until.to_rfc3339());
            log_event!(
                &mut **tx,
                audit,
                crate::kernel::Subject::new("person", person.0),
                ApprovalEvent::Delegate,
                detail
            )?;
        });
        Ok(())
    }

    /// Ends `person`'s delegation now: `false` when there was none running.
    pub async fn end_delegation(&mut self, person: PersonId, audit: Audit) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query("DELETE FROM approval_delegations WHERE person_id = $1 AND until > $2")
                .bind(person.0)
                .bind(ms(audit.at))
                .execute(&mut **tx)
                .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            log_event!(
                &mut **tx,
                audit,
                crate::kernel::Subject::new("person", person.0),
                ApprovalEvent::Undelegate,
                ""
            )?;
            Ok(true)
        })
    }

    /// More approvers for a pending step (an escalation): pending now, and the step is
    /// decided by any one of its pending approvers.
    pub async fn add_seats(
        &mut self,
        request: RequestId,
        step: StepId,
        people: &[PersonName],
        at: DateTime<Utc>,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            for p in people {
                sqlx::query(
                    "INSERT INTO approval_approvers (step_id, request_id, person_id, state, pending_at) \
                     VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (step_id, person_id) DO NOTHING",
                )
                .bind(step.0)
                .bind(request.0)
                .bind(p.id.0)
                .bind(ms(at))
                .execute(&mut **tx)
                .await?;
            }
            sqlx::query("UPDATE approval_steps SET rule = 'any' WHERE id = $1").bind(step.0).execute(&mut **tx).await?;
        });
        Ok(())
    }

    /// Starts a request whose missing fields are asked one by one; drafts a week old
    /// (their questions long expired) go.
    pub async fn create_draft(
        &mut self,
        kind: &str,
        requester: PersonId,
        fields: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let fields = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM approval_drafts WHERE created_at < $1")
                .bind(ms(at - chrono::Duration::days(7)))
                .execute(&mut **tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO approval_drafts (kind, requester_id, fields, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(kind)
            .bind(requester.0)
            .bind(&fields)
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await?;
            Ok(id)
        })
    }

    /// A draft's type, requester and fields so far.
    pub async fn draft(&mut self, id: i64) -> Result<Option<(String, PersonId, Vec<(String, String)>)>> {
        let row: Option<(String, i64, String)> = with_tx!(self, |tx| {
            sqlx::query_as("SELECT kind, requester_id, fields FROM approval_drafts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
        });
        row.map(|(kind, requester, fields)| {
            let fields = serde_json::from_str(&fields)
                .map_err(|e| StoreError::Corrupt(format!("approval_drafts.fields of {id}: {e}")))?;
            Ok((kind, PersonId(requester), fields))
        })
        .transpose()
    }

    pub async fn update_draft(&mut self, id: i64, fields: &[(String, String)]) -> Result<()> {
        let fields = serde_json::to_string(fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        with_tx!(self, |tx| {
            sqlx::query("UPDATE approval_drafts SET fields = $2 WHERE id = $1")
                .bind(id)
                .bind(&fields)
                .execute(&mut **tx)
                .await?;
        });
        Ok(())
    }

    pub async fn delete_draft(&mut self, id: i64) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query("DELETE FROM approval_drafts WHERE id = $1").bind(id).execute(&mut **tx).await?;
        });
        Ok(())
    }

    pub async fn log_approval(
        &mut self,
        id: RequestId,
        event: ApprovalEvent,
        detail: &str,
        audit: Audit,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            log_event!(&mut **tx, audit, request_subject(id), event, detail)?;
        });
        Ok(())
    }
}

impl Tx {
    /// Requests made in the span, counted per type and status.
    pub async fn approval_counts(
        &mut self,
        (since, until): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<(String, RequestStatus, i64)>> {
        let rows: Vec<(String, String, i64)> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT kind, status, COUNT(*) FROM approval_requests WHERE created_at >= $1 AND created_at <= $2 \
                 GROUP BY kind, status ORDER BY kind, status",
            )
            .bind(ms(since))
            .bind(ms(until))
            .fetch_all(&mut **tx)
            .await?
        });
        rows.into_iter()
            .map(|(kind, status, n)| Ok((kind, parse_column("approval_requests.status", &status)?, n)))
            .collect()
    }

    /// Steps decided in the span: type, position, label and how long the decision took.
    pub async fn approval_step_times(
        &mut self,
        (since, until): (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Vec<(String, i64, String, chrono::Duration)>> {
        let rows: Vec<(String, i64, String, i64)> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT r.kind, s.position, s.label, s.decided_at - s.started_at FROM approval_steps s \
                 JOIN approval_requests r ON r.id = s.request_id \
                 WHERE s.decided_at >= $1 AND s.decided_at <= $2 AND s.started_at IS NOT NULL \
                 AND s.status IN ('approved', 'rejected', 'changes') ORDER BY r.kind, s.position",
            )
            .bind(ms(since))
            .bind(ms(until))
            .fetch_all(&mut **tx)
            .await?
        });
        Ok(rows.into_iter().map(|(k, p, l, took)| (k, p, l, chrono::Duration::milliseconds(took))).collect())
    }
}

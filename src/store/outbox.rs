//! The outbox: messages waiting to be delivered, their attempts, and lane leases.

use crate::kernel::named_enum;
use chrono::{DateTime, Utc};
use deskmate_port::{Body, Destination, MessageRef, Platform};

use super::{Result, Store, StoreError, Tx, from_ms, ms, parse_column, with_db, with_tx};

named_enum! {
    /// Where a row is in its life. Statements name these in SQL; Rust names them here.
    pub enum OutboxState {
        /// Waiting for its lane (or its retry time).
        Pending => "pending",
        /// Claimed by an instance that is sending it.
        Sending => "sending",
        Sent => "sent",
        /// An edit made needless by a later one.
        Skipped => "skipped",
        /// Given up: refused by the platform or out of attempts; admins are told.
        Dead => "dead",
        /// A direct message held until the person can be reached.
        Unreachable => "unreachable",
        /// Summed up with others of its kind in a flooded lane.
        Coalesced => "coalesced",
        /// Folded into a later edit of the same notice.
        Merged => "merged",
    }
}

/// What a row asks the messenger to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxOp {
    /// Answer the event that caused it.
    Reply,
    /// A new message in a channel, remembered under its subject for later edits.
    Post,
    /// Edit the messages posted for the subject in this lane's channel.
    Edit,
    /// A direct message to one account.
    Direct,
}

impl OutboxOp {
    fn as_str(self) -> &'static str {
        match self {
            OutboxOp::Reply => "reply",
            OutboxOp::Post => "post",
            OutboxOp::Edit => "edit",
            OutboxOp::Direct => "direct",
        }
    }
}

impl std::str::FromStr for OutboxOp {
    type Err = ();

    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        [OutboxOp::Reply, OutboxOp::Post, OutboxOp::Edit, OutboxOp::Direct]
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or(())
    }
}

/// A lane is one conversation's queue: a channel's id, or `dm:<account>` for direct
/// messages to one account. Made and read only here.
pub mod lane {
    use deskmate_port::ChannelKind;

    const DIRECT: &str = "dm:";

    /// The lane of direct messages to an account.
    pub fn direct(account_id: &str) -> String {
        format!("{DIRECT}{account_id}")
    }

    /// The account a direct lane goes to.
    pub fn account(lane: &str) -> Option<&str> {
        lane.strip_prefix(DIRECT)
    }

    /// What kind of conversation a lane is, for pacing.
    pub fn kind(lane: &str) -> ChannelKind {
        if lane.starts_with(DIRECT) { ChannelKind::Direct } else { ChannelKind::Group }
    }
}

/// A row [`Tx::enqueue`] queued (one already queued under its key is not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub id: i64,
    pub platform: Platform,
    /// Its messages go out in order.
    pub lane: String,
    pub op: OutboxOp,
}

pub struct NewOutboxRow {
    /// Unique for this message: a retry, a restart or a second instance never queues
    /// or sends it twice.
    pub idem_key: String,
    pub platform: Platform,
    /// The conversation it belongs to; messages in one lane go out in order.
    pub lane: String,
    pub op: OutboxOp,
    /// For edits, the channel whose notices are edited (resolved when sent).
    pub destination: Destination,
    pub body: Body,
    pub subject: Option<String>,
    /// Messages of one kind that may be summed up as one when a lane is flooded, with
    /// the label each contributes ("#101").
    pub coalesce: Option<(String, String)>,
    /// Lower goes first: replies 0, direct messages 1, channel notices 2.
    pub priority: i64,
    pub due: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub idem_key: String,
    pub platform: Platform,
    pub lane: String,
    pub op: OutboxOp,
    pub destination: Destination,
    pub body: Body,
    pub subject: Option<String>,
    pub coalesce_kind: Option<String>,
    pub coalesce_label: Option<String>,
    pub priority: i64,
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    idem_key: String,
    platform: String,
    lane: String,
    op: String,
    destination: String,
    body: String,
    subject: Option<String>,
    coalesce_kind: Option<String>,
    coalesce_label: Option<String>,
    priority: i64,
    attempts: i64,
    created_at: i64,
}

/// Rows per INSERT: fourteen values each stays far below either backend's limit on
/// parameters.
const ROWS_PER_INSERT: usize = 500;

const COLUMNS: &str = "id, idem_key, platform, lane, op, destination, body, subject, coalesce_kind, coalesce_label, priority, attempts, created_at";

impl OutboxRow {
    /// The subject under which the message, once sent, is remembered for later edits or
    /// replies (a notice, a question); `None` when its delivery leaves nothing to keep.
    pub fn remembered_as(&self) -> Option<&str> {
        match self.op {
            OutboxOp::Post | OutboxOp::Reply | OutboxOp::Direct => self.subject.as_deref(),
            OutboxOp::Edit => None,
        }
    }
}

impl TryFrom<Row> for OutboxRow {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<OutboxRow> {
        let json = |column: &str, e: serde_json::Error| StoreError::Corrupt(format!("outbox.{column}: {e}"));
        Ok(OutboxRow {
            id: r.id,
            idem_key: r.idem_key,
            platform: parse_column("outbox.platform", &r.platform)?,
            lane: r.lane,
            op: parse_column("outbox.op", &r.op)?,
            destination: serde_json::from_str(&r.destination).map_err(|e| json("destination", e))?,
            body: serde_json::from_str(&r.body).map_err(|e| json("body", e))?,
            subject: r.subject,
            coalesce_kind: r.coalesce_kind,
            coalesce_label: r.coalesce_label,
            priority: r.priority,
            attempts: r.attempts,
            created_at: from_ms(r.created_at),
        })
    }
}

/// Counts for metrics and health.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxStats {
    pub pending: i64,
    pub dead: i64,
    pub sent: i64,
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(format!("cannot encode: {e}")))
}

impl Tx {
    /// Queues messages, in one statement per few hundred rows; a row whose key is
    /// already queued is skipped. Returns the rows that were new, in the order given.
    pub async fn enqueue(&mut self, rows: &[NewOutboxRow], now: DateTime<Utc>) -> Result<Vec<Queued>> {
        let mut queued = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut encoded = Vec::with_capacity(chunk.len());
            for row in chunk {
                encoded.push((row, to_json(&row.destination)?, to_json(&row.body)?));
            }
            // Built once per backend (its own placeholders), inside the expansion.
            let new: Vec<(i64, String)> = with_tx!(self, |tx| {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO outbox (idem_key, platform, lane, op, destination, body, subject, coalesce_kind, \
                     coalesce_label, priority, state, attempts, next_attempt_at, created_at) ",
                );
                insert.push_values(&encoded, |mut values, (row, destination, body)| {
                    let (kind, label) = row.coalesce.clone().unzip();
                    values
                        .push_bind(row.idem_key.as_str())
                        .push_bind(row.platform.as_str())
                        .push_bind(row.lane.as_str())
                        .push_bind(row.op.as_str())
                        .push_bind(destination.as_str())
                        .push_bind(body.as_str())
                        .push_bind(row.subject.as_deref())
                        .push_bind(kind)
                        .push_bind(label)
                        .push_bind(row.priority)
                        .push("'pending'")
                        .push("0")
                        .push_bind(ms(row.due))
                        .push_bind(ms(now));
                });
                insert.push(" ON CONFLICT (idem_key) DO NOTHING RETURNING id, idem_key");
                insert.build_query_as().fetch_all(&mut **tx).await?
            });
            // RETURNING promises no order: rows are matched back by key.
            let mut ids: std::collections::HashMap<String, i64> = new.into_iter().map(|(id, key)| (key, id)).collect();
            queued.extend(chunk.iter().filter_map(|row| {
                let id = ids.remove(&row.idem_key)?;
                Some(Queued { id, platform: row.platform, lane: row.lane.clone(), op: row.op })
            }));
        }
        Ok(queued)
    }

    /// Marks rows as handled without sending (merged into another, summed up, nothing to
    /// edit).
    pub async fn outbox_set_state(&mut self, ids: &[i64], state: OutboxState, now: DateTime<Utc>) -> Result<()> {
        for id in ids {
            with_tx!(self, |tx| {
                sqlx::query(
                    "UPDATE outbox SET state = $1, sent_at = $2 WHERE id = $3 AND state IN ('pending', 'sending')",
                )
                .bind(state.as_str())
                .bind(ms(now))
                .bind(id)
                .execute(&mut **tx)
                .await?;
            });
        }
        Ok(())
    }
}

impl Store {
    /// Lanes with something due (or abandoned by a crashed sender), oldest first.
    pub async fn outbox_due_lanes(
        &self,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(Platform, String)>> {
        let rows: Vec<(String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT platform, lane FROM outbox \
                 WHERE (state = 'pending' AND next_attempt_at <= $1) OR (state = 'sending' AND claimed_at < $2) \
                 GROUP BY platform, lane ORDER BY MIN(id) LIMIT $3",
            )
            .bind(ms(now))
            .bind(ms(stale_before))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(|(p, lane)| Ok((parse_column("outbox.platform", &p)?, lane))).collect()
    }

    /// The next messages of a lane in sending order: replies first, then by age.
    pub async fn outbox_lane(
        &self,
        platform: Platform,
        lane: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM outbox WHERE platform = $1 AND lane = $2 \
                 AND ((state = 'pending' AND next_attempt_at <= $3) OR (state = 'sending' AND claimed_at < $4)) \
                 ORDER BY priority, id LIMIT $5"
            )))
            .bind(platform.as_str())
            .bind(lane)
            .bind(ms(now))
            .bind(ms(stale_before))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(OutboxRow::try_from).collect()
    }

    /// How many messages wait in a lane, due or not.
    pub async fn outbox_lane_depth(&self, platform: Platform, lane: &str) -> Result<i64> {
        with_db!(self, |pool| {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE platform = $1 AND lane = $2 AND state = 'pending'")
                    .bind(platform.as_str())
                    .bind(lane)
                    .fetch_one(pool)
                    .await?;
            Ok(n)
        })
    }

    /// Takes a row for sending and returns it as it stands; `None` when another sender
    /// has it or it was already sent: the conditional update is what makes every message
    /// go out once. `due_by` is normally `now`; the fast path for replies passes a later
    /// time, since replies are queued a little in the future for the lanes (see the
    /// planner).
    pub async fn outbox_claim(
        &self,
        id: i64,
        me: &str,
        now: DateTime<Utc>,
        due_by: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<OutboxRow>> {
        let row: Option<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE outbox SET state = 'sending', claimed_by = $1, claimed_at = $2, attempts = attempts + 1 \
                 WHERE id = $3 AND ((state = 'pending' AND next_attempt_at <= $5) OR (state = 'sending' AND claimed_at < $4)) \
                 RETURNING {COLUMNS}"
            )))
            .bind(me)
            .bind(ms(now))
            .bind(id)
            .bind(ms(stale_before))
            .bind(ms(due_by))
            .fetch_optional(pool)
            .await?
        });
        // As it was before the claim: `attempts` counts the attempts before this one.
        row.map(|r| OutboxRow::try_from(Row { attempts: r.attempts - 1, ..r })).transpose()
    }

    /// Takes several rows of one lane at once (see [`Store::outbox_claim`]); returns
    /// those it took, in id order. For lanes nothing paces: a paced lane claims each row
    /// just before its turn, as a claim held past the lease is anyone's.
    pub async fn outbox_claim_many(
        &self,
        ids: &[i64],
        me: &str,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<Vec<OutboxRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<Row> = with_db!(self, |pool| {
            let mut claim = sqlx::QueryBuilder::new("UPDATE outbox SET state = 'sending', claimed_by = ");
            claim.push_bind(me).push(", claimed_at = ").push_bind(ms(now));
            claim.push(", attempts = attempts + 1 WHERE id IN (");
            let mut list = claim.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            claim.push(") AND ((state = 'pending' AND next_attempt_at <= ").push_bind(ms(now));
            claim.push(") OR (state = 'sending' AND claimed_at < ").push_bind(ms(stale_before));
            claim.push(format!(")) RETURNING {COLUMNS}"));
            claim.build_query_as().fetch_all(pool).await?
        });
        let mut rows: Vec<OutboxRow> = rows
            .into_iter()
            .map(|r| OutboxRow::try_from(Row { attempts: r.attempts - 1, ..r }))
            .collect::<Result<_>>()?;
        rows.sort_by_key(|r| r.id);
        Ok(rows)
    }

    /// Records several deliveries that leave nothing to remember (no notice to edit
    /// later), in one statement.
    pub async fn outbox_sent_many(&self, sent: &[(i64, String)], me: &str, now: DateTime<Utc>) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        with_db!(self, |pool| {
            let mut update = sqlx::QueryBuilder::new("UPDATE outbox SET state = 'sent', sent_at = ");
            update.push_bind(ms(now)).push(", message_id = v.column2, last_error = NULL FROM (");
            // `VALUES` names its columns column1, column2 on both backends.
            update.push_values(sent, |mut row, (id, message_id)| {
                row.push("CAST(")
                    .push_bind_unseparated(*id)
                    .push_unseparated(" AS BIGINT)")
                    .push_bind(message_id.as_str());
            });
            update.push(") AS v WHERE outbox.id = v.column1 AND outbox.claimed_by = ").push_bind(me);
            update.build().execute(pool).await?;
            Ok(())
        })
    }

    /// Records a delivery and, for a message with a subject (a notice, a question),
    /// remembers the message so it can be edited or replied to later: first the notice,
    /// then the sent mark, each one statement. A crash between the two sends the message
    /// again when its claim lapses (delivery is at least once), and both copies are
    /// remembered and edited; the other order could lose the notice.
    pub async fn outbox_sent(&self, row: &OutboxRow, me: &str, message: &MessageRef, now: DateTime<Utc>) -> Result<()> {
        if let Some(subject) = row.remembered_as() {
            self.save_notice(subject, &row.lane, message, now).await?;
        }
        with_db!(self, |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'sent', sent_at = $1, message_id = $2, last_error = NULL \
                 WHERE id = $3 AND claimed_by = $4",
            )
            .bind(ms(now))
            .bind(&message.message_id)
            .bind(row.id)
            .bind(me)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Closes a claimed row that turned out to need no message (an edit of a notice that
    /// was summed up and never posted on its own).
    pub async fn outbox_sent_nothing(&self, row: &OutboxRow, me: &str, now: DateTime<Utc>) -> Result<()> {
        with_db!(self, |pool| {
            sqlx::query("UPDATE outbox SET state = 'skipped', sent_at = $1 WHERE id = $2 AND claimed_by = $3")
                .bind(ms(now))
                .bind(row.id)
                .bind(me)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Puts a row back to wait until `next_at`. A rate limit does not use up an attempt.
    pub async fn outbox_retry(
        &self,
        id: i64,
        me: &str,
        next_at: DateTime<Utc>,
        error: &str,
        counts: bool,
    ) -> Result<()> {
        with_db!(self, |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'pending', next_attempt_at = $1, last_error = $2, claimed_by = NULL, \
                 attempts = attempts - $3 WHERE id = $4 AND claimed_by = $5",
            )
            .bind(ms(next_at))
            .bind(error)
            .bind(if counts { 0_i64 } else { 1_i64 })
            .bind(id)
            .bind(me)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Gives up on a row: it joins the dead-letter list.
    pub async fn outbox_dead(&self, id: i64, me: &str, error: &str, now: DateTime<Utc>) -> Result<()> {
        with_db!(self, |pool| {
            sqlx::query(
                "UPDATE outbox SET state = 'dead', last_error = $1, sent_at = $2 WHERE id = $3 AND claimed_by = $4",
            )
            .bind(error)
            .bind(ms(now))
            .bind(id)
            .bind(me)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Messages about `subject` not sent yet (waiting, being sent, or held until their
    /// person can be reached): an edit of the subject must reach them too.
    pub async fn outbox_unsent(&self, subject: &str) -> Result<Vec<OutboxRow>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM outbox WHERE subject = $1 AND op IN ('post', 'direct') \
                 AND state IN ('pending', 'sending', 'unreachable') ORDER BY id"
            )))
            .bind(subject)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(OutboxRow::try_from).collect()
    }

    /// Later edits in a lane for the same subject, oldest first: waiting ones (or taken
    /// by `me` with this message, in one claim), and ones that found nothing to edit
    /// because this message was not sent yet (it was held).
    pub async fn outbox_pending_edits(
        &self,
        platform: Platform,
        lane: &str,
        subject: &str,
        after_id: i64,
        me: &str,
    ) -> Result<Vec<OutboxRow>> {
        let rows: Vec<Row> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM outbox WHERE platform = $1 AND lane = $2 AND subject = $3 AND op = 'edit' \
                 AND (state IN ('pending', 'skipped') OR (state = 'sending' AND claimed_by = $5)) AND id > $4 \
                 ORDER BY id"
            )))
            .bind(platform.as_str())
            .bind(lane)
            .bind(subject)
            .bind(after_id)
            .bind(me)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(OutboxRow::try_from).collect()
    }

    /// Dead letters, newest first, with their last error.
    pub async fn outbox_dead_letters(&self, limit: i64) -> Result<Vec<(OutboxRow, String)>> {
        #[derive(sqlx::FromRow)]
        struct Dead {
            #[sqlx(flatten)]
            row: Row,
            last_error: Option<String>,
        }
        let rows: Vec<Dead> = with_db!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS}, last_error FROM outbox WHERE state = 'dead' ORDER BY id DESC LIMIT $1"
            )))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(|d| Ok((OutboxRow::try_from(d.row)?, d.last_error.unwrap_or_default()))).collect()
    }

    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let rows: Vec<(String, i64)> = with_db!(self, |pool| {
            sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetch_all(pool).await?
        });
        let mut stats = OutboxStats::default();
        for (state, n) in rows {
            match state.parse::<OutboxState>() {
                Ok(OutboxState::Pending | OutboxState::Sending) => stats.pending += n,
                Ok(OutboxState::Dead) => stats.dead += n,
                Ok(OutboxState::Sent) => stats.sent += n,
                _ => {}
            }
        }
        Ok(stats)
    }

    /// Takes or renews the lease on a lane; `false` when another live instance holds it.
    pub async fn lease_lane(
        &self,
        platform: Platform,
        lane: &str,
        me: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        with_db!(self, |pool| {
            let row: Option<(String,)> = sqlx::query_as(
                "INSERT INTO outbox_lanes (platform, lane, owner, expires_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (platform, lane) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at \
                 WHERE outbox_lanes.expires_at < $5 OR outbox_lanes.owner = excluded.owner RETURNING owner",
            )
            .bind(platform.as_str())
            .bind(lane)
            .bind(me)
            .bind(ms(until))
            .bind(ms(now))
            .fetch_optional(pool)
            .await?;
            Ok(row.is_some())
        })
    }

    /// Gives back every lane lease `me` holds.
    pub async fn release_lanes(&self, me: &str) -> Result<()> {
        with_db!(self, |pool| {
            sqlx::query("DELETE FROM outbox_lanes WHERE owner = $1").bind(me).execute(pool).await?;
            Ok(())
        })
    }
}

//! References to messages the bot posted, and reading the event log.

use chrono::{DateTime, Utc};
use deskmate_port::{ChannelKind, ChannelRef, MessageRef, Platform};

use super::{Result, Store, Tx, from_ms, ms, parse_column, with_db, with_tx};

/// One line of a subject's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    pub at: DateTime<Utc>,
    pub actor: Option<String>,
    pub platform: Platform,
    pub action: String,
    pub detail: String,
}

fn kind_str(kind: ChannelKind) -> &'static str {
    match kind {
        ChannelKind::Group => "group",
        ChannelKind::Direct => "direct",
    }
}

/// A message remembered under a subject, and the outbox lane it was sent from (where
/// edits of it queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub message: MessageRef,
    pub lane: String,
}

impl Store {
    pub async fn notices(&self, subject: impl std::fmt::Display) -> Result<Vec<Notice>> {
        let rows: Vec<(String, String, String, String, Option<String>)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT platform, channel_id, channel_kind, message_id, lane FROM notices WHERE subject = $1 \
                 ORDER BY posted_at",
            )
            .bind(subject.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(platform, channel_id, kind, message_id, lane)| {
                let kind = if kind == "direct" { ChannelKind::Direct } else { ChannelKind::Group };
                Ok(Notice {
                    lane: lane.unwrap_or_else(|| channel_id.clone()),
                    message: MessageRef {
                        channel: ChannelRef {
                            platform: parse_column("notices.platform", &platform)?,
                            id: channel_id,
                            kind,
                        },
                        message_id,
                    },
                })
            })
            .collect()
    }

    /// What a message the bot posted was filed under (`ticket:12`, `talk:ticket:12`, a
    /// question's `prompt:7`).
    pub async fn filed_under(&self, message: &MessageRef) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT subject FROM notices WHERE platform = $1 AND channel_id = $2 AND message_id = $3 \
                 ORDER BY posted_at",
            )
            .bind(message.channel.platform.as_str())
            .bind(&message.channel.id)
            .bind(&message.message_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(s,)| s).collect())
    }

    /// A subject's history, oldest first.
    pub async fn events(&self, subject: crate::kernel::Subject) -> Result<Vec<EventRecord>> {
        let rows: Vec<(i64, Option<String>, String, String, String)> = with_db!(self, |pool| {
            sqlx::query_as(
                "SELECT e.at, p.display_name, e.platform, e.action, e.detail FROM events e \
                 LEFT JOIN persons p ON p.id = e.actor_id WHERE e.subject = $1 ORDER BY e.id",
            )
            .bind(subject.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(at, actor, platform, action, detail)| {
                Ok(EventRecord {
                    at: from_ms(at),
                    actor,
                    platform: parse_column("events.platform", &platform)?,
                    action,
                    detail,
                })
            })
            .collect()
    }

    /// Remembers that `message`, sent from outbox lane `lane`, shows `subject`, so it is
    /// edited when the subject changes.
    pub async fn save_notice(&self, subject: &str, lane: &str, message: &MessageRef, at: DateTime<Utc>) -> Result<()> {
        with_db!(self, |pool| {
            sqlx::query(
                "INSERT INTO notices (subject, platform, channel_id, channel_kind, message_id, posted_at, lane) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(subject)
            .bind(message.channel.platform.as_str())
            .bind(&message.channel.id)
            .bind(kind_str(message.channel.kind))
            .bind(&message.message_id)
            .bind(ms(at))
            .bind(lane)
            .execute(pool)
            .await?;
            Ok(())
        })
    }
}

impl Tx {
    /// Records an event whose handling failed with a bug, under the reference its
    /// author was shown.
    pub async fn record_failed_event(
        &mut self,
        event_key: &str,
        reference: &str,
        error: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        with_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO failed_events (event_key, reference, error, at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(event_key)
            .bind(reference)
            .bind(crate::limits::clean(error).as_ref())
            .bind(ms(at))
            .execute(&mut **tx)
            .await?;
        });
        Ok(())
    }

    /// Records that an inbound event is being applied in this transaction; `false` when it
    /// was applied before.
    pub async fn first_time(&mut self, event_key: &str, now: DateTime<Utc>) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query(
                "INSERT INTO processed_events (event_key, processed_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(event_key)
            .bind(ms(now))
            .execute(&mut **tx)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}

impl Store {
    /// Forgets applied events older than `before`.
    pub async fn prune_processed_events(&self, before: DateTime<Utc>) -> Result<u64> {
        with_db!(self, |pool| {
            let done = sqlx::query("DELETE FROM processed_events WHERE processed_at < $1")
                .bind(ms(before))
                .execute(pool)
                .await?;
            Ok(done.rows_affected())
        })
    }
}

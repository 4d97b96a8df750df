//! Questions put to a person, answered later with free text.

use chrono::{DateTime, Utc};

use super::{Result, Tx, from_ms, ms, with_tx};
use crate::kernel::PersonId;

/// An open or answered question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptRow {
    pub id: i64,
    pub person: PersonId,
    /// What the answer does, e.g. `close:12` (see `services::prompts`).
    pub action: String,
    /// Files may come with the answer.
    pub takes_files: bool,
    pub expires_at: DateTime<Utc>,
    pub answered: bool,
}

/// The notice subject under which a question's message is remembered.
pub fn prompt_subject(id: i64) -> crate::kernel::Subject {
    crate::kernel::Subject::new("prompt", id)
}

impl Tx {
    pub async fn create_prompt(
        &mut self,
        person: PersonId,
        action: &str,
        takes_files: bool,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<i64> {
        with_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO prompts (person_id, action, takes_files, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(person.0)
            .bind(action)
            .bind(takes_files)
            .bind(ms(now))
            .bind(ms(expires_at))
            .fetch_one(&mut **tx)
            .await?;
            Ok(id)
        })
    }

    pub async fn prompt(&mut self, id: i64) -> Result<Option<PromptRow>> {
        let row: Option<(i64, i64, String, bool, i64, Option<i64>)> = with_tx!(self, |tx| {
            sqlx::query_as(
                "SELECT id, person_id, action, takes_files, expires_at, answered_at FROM prompts WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
        });
        Ok(row.map(|(id, person, action, takes_files, expires_at, answered_at)| PromptRow {
            id,
            person: PersonId(person),
            action,
            takes_files,
            expires_at: from_ms(expires_at),
            answered: answered_at.is_some(),
        }))
    }

    /// Marks a question answered; `false` if it already was (two answers racing).
    pub async fn answer_prompt(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        with_tx!(self, |tx| {
            let done = sqlx::query("UPDATE prompts SET answered_at = $1 WHERE id = $2 AND answered_at IS NULL")
                .bind(ms(now))
                .bind(id)
                .execute(&mut **tx)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }
}

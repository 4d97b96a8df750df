//! Files people sent, kept whole so they can be shown again and passed on; features
//! point at them by id.

use chrono::{DateTime, Utc};
use deskmate_port::Attachment;

use super::{Result, Store, StoreError, Tx, ms, with_db, with_tx};
use crate::kernel::{FileId, PersonId};

/// Every file of `ids` that exists, in the order asked for.
macro_rules! fetch_files {
    ($executor:expr, $ids:expr) => {{
        let mut files = Vec::new();
        for id in $ids {
            let row: Option<(String, String, Vec<u8>)> =
                sqlx::query_as("SELECT name, mime, bytes FROM files WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional($executor)
                    .await?;
            if let Some((name, mime, bytes)) = row {
                let file = Attachment::new(name, mime, bytes)
                    .map_err(|e| StoreError::Corrupt(format!("files row {id}: {e}")))?;
                files.push(file);
            }
        }
        Ok(files)
    }};
}

impl Tx {
    /// Keeps a file `uploader` sent.
    pub async fn keep_file(&mut self, uploader: PersonId, file: &Attachment, at: DateTime<Utc>) -> Result<FileId> {
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        with_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO files (uploader_id, name, mime, size, bytes, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(uploader.0)
            .bind(&file.name)
            .bind(&file.mime)
            .bind(size)
            .bind(&file.bytes)
            .bind(ms(at))
            .fetch_one(&mut **tx)
            .await?;
            Ok(FileId(id))
        })
    }

    pub async fn files(&mut self, ids: &[FileId]) -> Result<Vec<Attachment>> {
        with_tx!(self, |tx| fetch_files!(&mut **tx, ids))
    }
}

impl Store {
    pub async fn files(&self, ids: &[FileId]) -> Result<Vec<Attachment>> {
        with_db!(self, |pool| fetch_files!(pool, ids))
    }
}

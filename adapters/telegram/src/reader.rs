//! Reading updates: long polling, and the per-update work shared with the webhook.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use deskmate_port::{EventKind, Inbound, NotTaken};
use teloxide::payloads::GetUpdatesSetters;
use teloxide::prelude::Requester;
use teloxide::types::{AllowedUpdate, CallbackQueryId, Update, UpdateKind};
use teloxide::{ApiError, Bot, RequestError};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::convert::{self, BotIdentity};
use crate::messenger::TelegramMessenger;

/// Reactions come only when asked for by name (and only to a group's admins).
pub(crate) const ALLOWED: [AllowedUpdate; 3] =
    [AllowedUpdate::Message, AllowedUpdate::CallbackQuery, AllowedUpdate::MessageReaction];

/// Reads updates until `stop`. The offset that tells Telegram "these are done" is only
/// sent once every update of a batch has been handled (its effects committed), so an
/// update read before a crash comes again after it.
pub async fn poll(
    bot: Bot,
    me: BotIdentity,
    inbound: Arc<dyn Inbound>,
    messenger: TelegramMessenger,
    timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    // A webhook left behind by another deployment makes getUpdates fail with 409.
    match bot.get_webhook_info().await {
        Ok(info) if info.url.is_some() => {
            tracing::warn!("a webhook was set for this bot; removing it to read updates by polling");
            if let Err(e) = bot.delete_webhook().await {
                tracing::error!(error = %e, "removing the webhook");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "reading the webhook info"),
    }
    let seconds = u32::try_from(timeout.as_secs()).unwrap_or(50);
    let mut offset: Option<i32> = None;
    let mut delay = Duration::from_secs(1);
    loop {
        if *stop.borrow() {
            break;
        }
        let mut request = bot.get_updates().timeout(seconds).allowed_updates(ALLOWED);
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        let result = tokio::select! {
            r = request => r,
            _ = stop.changed() => break,
        };
        match result {
            Ok(updates) => {
                // `as_offset` is already "the id after this one".
                let Some(next) = updates.iter().map(|u| u.id.as_offset()).max() else { continue };
                match handle_batch(&me, &inbound, &messenger, updates).await {
                    None => {
                        delay = Duration::from_secs(1);
                        offset = Some(next);
                    }
                    Some(first_not_taken) => {
                        // Confirm only what came before it; it and everything after come
                        // again (what was applied meanwhile is recognised and skipped).
                        offset = Some(first_not_taken);
                        tracing::warn!(retry_in = ?delay, "Deskmate could not take an update; reading it again");
                        tokio::select! {
                            _ = tokio::time::sleep(delay) => {}
                            _ = stop.changed() => break,
                        }
                        delay = (delay * 2).min(Duration::from_secs(30));
                    }
                }
            }
            Err(e) => {
                let wait = match &e {
                    RequestError::RetryAfter(after) => after.duration(),
                    RequestError::Api(ApiError::TerminatedByOtherGetUpdates) => {
                        tracing::error!(
                            "another process is reading this bot's updates; only one may poll per token \
                             (use webhook mode to run several instances)"
                        );
                        delay
                    }
                    _ => {
                        tracing::warn!(error = %e, retry_in = ?delay, "reading Telegram updates");
                        delay
                    }
                };
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => break,
                }
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
    // Tell Telegram what was handled, so a restart does not read it again (it would be
    // recognised, but there is no need).
    if let Some(offset) = offset {
        let confirm = bot.get_updates().offset(offset).timeout(0).limit(1).allowed_updates(ALLOWED);
        if let Err(e) = tokio::time::timeout(Duration::from_secs(3), confirm).await {
            tracing::debug!(error = %e, "confirming the last updates");
        }
    }
}

/// Handles a batch: each chat's updates in order, different chats side by side. Returns
/// the offset of the first update the core could not take (its database is down): a
/// chat stops at such an update, so its later ones are not applied ahead of it.
async fn handle_batch(
    me: &BotIdentity,
    inbound: &Arc<dyn Inbound>,
    messenger: &TelegramMessenger,
    updates: Vec<Update>,
) -> Option<i32> {
    let mut by_chat: BTreeMap<i64, Vec<Update>> = BTreeMap::new();
    for update in updates {
        let chat = update.chat().map_or(0, |c| c.id.0);
        by_chat.entry(chat).or_default().push(update);
    }
    let mut chats = JoinSet::new();
    for (_, updates) in by_chat {
        let (me, inbound, messenger) = (me.clone(), inbound.clone(), messenger.clone());
        chats.spawn(async move {
            for update in updates {
                let offset = update.id.as_offset() - 1;
                if handle_update(&me, inbound.as_ref(), &messenger, update).await.is_err() {
                    return Some(offset);
                }
            }
            None
        });
    }
    let mut first_not_taken: Option<i32> = None;
    while let Some(done) = chats.join_next().await {
        let not_taken = match done {
            Ok(not_taken) => not_taken,
            Err(e) => {
                // The core catches panics per event, so this is the adapter's own bug,
                // and which update it hit is unknown: confirm nothing of this batch, so
                // the chat's updates are read again rather than lost.
                tracing::error!(error = %e, "handling Telegram updates");
                Some(0)
            }
        };
        if let Some(offset) = not_taken {
            first_not_taken = Some(first_not_taken.map_or(offset, |f| f.min(offset)));
        }
    }
    first_not_taken
}

/// One update: translate, hand to the core (which commits before returning), and answer a
/// button press that the core's reply did not answer already. `Err` when the core could
/// not take it: the update must be read again.
pub async fn handle_update(
    me: &BotIdentity,
    inbound: &dyn Inbound,
    messenger: &TelegramMessenger,
    update: Update,
) -> Result<(), NotTaken> {
    let query = match &update.kind {
        UpdateKind::CallbackQuery(q) => Some(q.id.clone()),
        _ => None,
    };
    match convert::event(&update, me) {
        Some(mut event) => {
            if matches!(event.kind, EventKind::Command { .. } | EventKind::Answer { .. }) {
                event.files = messenger.fetch(&convert::carried(&update)).await;
            }
            // A press is answered by its reply (the toast); anything else is confirmed by
            // the offset as soon as it is committed.
            if query.is_some() { inbound.handle_answered(event).await? } else { inbound.handle(event).await? }
        }
        None => tracing::debug!(update = update.id.0, "update ignored"),
    }
    if let Some(CallbackQueryId(id)) = query
        && !messenger.state.take_answered(&id)
        && let Err(e) = messenger.answer_quietly(&id).await
    {
        tracing::debug!(error = %e, "answering a button press");
    }
    Ok(())
}

//! Webhook mode: Telegram POSTs each update; it is answered 200 only after the core has
//! committed it, so a failure makes Telegram deliver it again.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use deskmate_port::Inbound;
use subtle::ConstantTimeEq;
use teloxide::Bot;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::types::Update;
use tokio::sync::watch;

use crate::convert::BotIdentity;
use crate::messenger::TelegramMessenger;
use crate::reader;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("[telegram] webhook_url `{0}`: {1}")]
    Url(String, url::ParseError),
    #[error("listening on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("setWebhook: {0}")]
    Register(#[from] teloxide::RequestError),
    #[error(
        "webhook mode needs a secret of at least {MIN_SECRET} letters, digits, _ or - ([telegram] webhook_secret): \
         without it anyone who finds the address can post forged updates"
    )]
    NoSecret,
}

/// The shortest secret the webhook accepts.
pub const MIN_SECRET: usize = 24;

const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

#[derive(Clone)]
struct Hook {
    me: BotIdentity,
    inbound: Arc<dyn Inbound>,
    messenger: TelegramMessenger,
    secret: Arc<str>,
}

#[allow(clippy::too_many_arguments)]
pub async fn serve(
    bot: Bot,
    me: BotIdentity,
    inbound: Arc<dyn Inbound>,
    messenger: TelegramMessenger,
    url: &str,
    listen: &str,
    secret: &str,
    mut stop: watch::Receiver<bool>,
) -> Result<(), WebhookError> {
    if secret.len() < MIN_SECRET || !secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(WebhookError::NoSecret);
    }
    let public = url::Url::parse(url).map_err(|e| WebhookError::Url(url.to_owned(), e))?;
    let path = public.path().to_owned();
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| WebhookError::Listen(listen.to_owned(), e))?;
    bot.set_webhook(public).allowed_updates(crate::reader::ALLOWED).secret_token(secret.to_owned()).await?;
    tracing::info!(%listen, %path, "receiving Telegram updates on a webhook");
    let hook = Hook { me, inbound, messenger, secret: secret.into() };
    let app = axum::Router::new().route(&path, post(receive)).with_state(hook);
    axum::serve(deskmate_port::listener::Guarded::new(listener), app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await
        .map_err(|e| WebhookError::Listen(listen.to_owned(), e))?;
    Ok(())
}

async fn receive(State(hook): State<Hook>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    let given = headers.get(SECRET_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    // Compared in constant time, so response timing tells nothing about the secret.
    if !bool::from(given.ct_eq(hook.secret.as_bytes())) {
        return StatusCode::UNAUTHORIZED;
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "an update that does not parse");
            // Telegram would send it again forever; it will not parse next time either.
            return StatusCode::OK;
        }
    };
    match reader::handle_update(&hook.me, hook.inbound.as_ref(), &hook.messenger, update).await {
        Ok(()) => StatusCode::OK,
        // Not applied: Telegram posts it again later.
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

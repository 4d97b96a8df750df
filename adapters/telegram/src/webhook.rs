//! Webhook mode: Telegram POSTs each update; it is answered 200 only after the core has
//! committed it, so a failure makes Telegram deliver it again.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use deskmate_port::Inbound;
use teloxide::Bot;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::types::{AllowedUpdate, Update};
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
}

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
    let public = url::Url::parse(url).map_err(|e| WebhookError::Url(url.to_owned(), e))?;
    let path = public.path().to_owned();
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| WebhookError::Listen(listen.to_owned(), e))?;
    let mut request = bot.set_webhook(public).allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery]);
    if !secret.is_empty() {
        request = request.secret_token(secret.to_owned());
    }
    request.await?;
    tracing::info!(%listen, %path, "receiving Telegram updates on a webhook");
    let hook = Hook { me, inbound, messenger, secret: secret.into() };
    let app = axum::Router::new().route(&path, post(receive)).with_state(hook);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await
        .map_err(|e| WebhookError::Listen(listen.to_owned(), e))?;
    Ok(())
}

async fn receive(State(hook): State<Hook>, headers: HeaderMap, body: axum::body::Bytes) -> StatusCode {
    if !hook.secret.is_empty() {
        let given = headers.get(SECRET_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if given != &*hook.secret {
            return StatusCode::UNAUTHORIZED;
        }
    }
    let update: Update = match serde_json::from_slice(&body) {
        Ok(u) => u,
        Err(e) => {
            tracing::warn!(error = %e, "an update that does not parse");
            // Telegram would send it again forever; it will not parse next time either.
            return StatusCode::OK;
        }
    };
    reader::handle_update(&hook.me, hook.inbound.as_ref(), &hook.messenger, update).await;
    StatusCode::OK
}

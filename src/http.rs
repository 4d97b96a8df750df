//! The HTTP listener: `/healthz` (the process runs), `/readyz` (the database answers and
//! every messenger is connected), Prometheus `/metrics`, and the pages features serve
//! under their own prefix (a person's iCal feed). Connections are bounded in number and
//! closed when idle, so half-open clients cannot pile up.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use deskmate_port::Messenger;
use tokio::sync::watch;

use crate::chat::feature::{Kit, Registry};
use crate::store::Store;

/// How long `/readyz` waits for the database.
const PING_BOUND: std::time::Duration = std::time::Duration::from_millis(800);

#[derive(Clone)]
struct Ops {
    store: Store,
    messengers: Arc<Vec<Arc<dyn Messenger>>>,
    features: Arc<Registry>,
    kit: Kit,
}

/// Binds `listen` and serves until `stop` turns true. Returns the bound address (useful
/// with port 0).
pub async fn serve(
    listen: &str,
    (store, messengers): (Store, Vec<Arc<dyn Messenger>>),
    kit: Kit,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<SocketAddr> {
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let ops = Ops { store, messengers: Arc::new(messengers), features: kit.features.clone(), kit };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/{prefix}/{*rest}", get(page))
        .with_state(ops);
    tokio::spawn(async move {
        let shutdown = async move {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        };
        let listener = deskmate_port::listener::Guarded::new(listener);
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "operations listener stopped");
        }
    });
    tracing::info!(%addr, "operations listener up");
    Ok(addr)
}

async fn readyz(State(ops): State<Ops>) -> impl IntoResponse {
    let mut problems = Vec::new();
    // A probe wants a quick answer: a database that does not answer within the bound is
    // as good as down.
    match tokio::time::timeout(PING_BOUND, ops.store.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => problems.push(format!("database: {e}")),
        Err(_) => problems.push(format!("database: no answer within {} ms", PING_BOUND.as_millis())),
    }
    for m in ops.messengers.iter() {
        if !m.is_connected() {
            problems.push(format!("{}: not connected", m.platform()));
        }
    }
    if problems.is_empty() {
        (StatusCode::OK, "ready\n".to_owned())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, format!("{}\n", problems.join("\n")))
    }
}

/// A feature's page; its path is not logged (it may hold a secret).
async fn page(State(ops): State<Ops>, Path((prefix, rest)): Path<(String, String)>) -> axum::response::Response {
    let Some(feature) = ops.features.for_web(&prefix) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    match feature.web(&ops.kit, &rest).await {
        Ok(Some(page)) => ([(header::CONTENT_TYPE, page.content_type)], page.body).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        Err(e) => {
            tracing::error!(feature = feature.name(), error = %e, "a page failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "failed\n").into_response()
        }
    }
}

async fn metrics(State(ops): State<Ops>) -> impl IntoResponse {
    let m = crate::metrics::global();
    if let Ok(stats) = ops.store.outbox_stats().await {
        m.outbox_pending.set(stats.pending);
        m.outbox_dead.set(stats.dead);
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], m.encode())
}

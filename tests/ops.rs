//! The operations listener: health, readiness and Prometheus metrics over real HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Backend, Chat};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    assert!(addr.ip().is_loopback(), "tests only talk to loopback");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn health_readiness_and_metrics() {
    let chat = Chat::start_with(Backend::Sqlite, |c| c.http.listen = "127.0.0.1:0".to_owned()).await.unwrap();
    let addr = chat.app.http.expect("listening");
    assert_eq!(get(addr, "/healthz").await, (200, "ok\n".to_owned()));
    assert_eq!(get(addr, "/readyz").await, (200, "ready\n".to_owned()));

    chat.say("alice", "/ticket new Metrics please").await;
    chat.say("bob", "/ticket claim 1").await;
    chat.say("bob", "/tikcet list").await;
    let (status, body) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    for line in [
        r#"deskmate_commands_total{command="ticket new",outcome="ok"}"#,
        r#"deskmate_commands_total{command="ticket claim",outcome="refused"}"#,
        r#"deskmate_commands_total{command="unknown",outcome="refused"}"#,
        r#"deskmate_deliveries_total{platform="console",result="sent"}"#,
        "deskmate_outbox_pending 0",
        "deskmate_outbox_dead 0",
        "deskmate_job_lag_seconds_bucket",
    ] {
        assert!(body.contains(line), "{line} missing from\n{body}");
    }
    assert_eq!(get(addr, "/nope").await.0, 404);

    // With the database gone, the process is alive but not ready.
    chat.app.store.close().await;
    assert_eq!(get(addr, "/healthz").await.0, 200);
    let (status, body) = get(addr, "/readyz").await;
    assert_eq!(status, 503);
    assert!(body.starts_with("database:"), "{body}");
}

/// Defect 11: half-open connections stayed open forever. Fifty clients that open a
/// connection and never finish their request do not keep others out, and are closed
/// once idle.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn half_open_connections_are_closed_and_do_not_block_others() {
    let chat = Chat::start_with(Backend::Sqlite, |c| c.http.listen = "127.0.0.1:0".to_owned()).await.unwrap();
    let addr = chat.app.http.expect("listening");
    let mut stalled = Vec::new();
    for _ in 0..50 {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc").await.unwrap();
        stalled.push(stream);
    }
    let started = std::time::Instant::now();
    assert_eq!(get(addr, "/healthz").await, (200, "ok\n".to_owned()), "served beside them");
    let limit = deskmate_port::listener::IDLE_TIMEOUT + std::time::Duration::from_secs(5);
    for mut stream in stalled {
        let mut buf = [0u8; 64];
        let closed = tokio::time::timeout(limit.saturating_sub(started.elapsed()), stream.read(&mut buf)).await;
        assert!(matches!(closed, Ok(Ok(0) | Err(_))), "closed by the server: {closed:?}");
    }
    eprintln!("50 half-open connections closed {:?} after they stalled", started.elapsed());
    chat.finish().await;
}

//! A TCP proxy on 127.0.0.1 between Deskmate and its database that a test can cut: every
//! open connection is dropped and new ones are refused until it is restored, the way a
//! database restart or a network outage looks to the client.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

#[derive(Clone)]
pub struct Proxy {
    pub addr: SocketAddr,
    down: Arc<AtomicBool>,
    /// Bumped on every cut: connections opened before it close.
    generation: watch::Sender<u64>,
}

impl Proxy {
    /// Forwards connections to `upstream` (host:port on loopback).
    pub async fn start(upstream: String) -> Proxy {
        super::assert_loopback(&format!("tcp://{upstream}"));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (generation, _) = watch::channel(0);
        let proxy = Proxy { addr, down: Arc::default(), generation };
        let p = proxy.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else { continue };
                if p.down.load(Ordering::SeqCst) {
                    // Refused: closed at once, like a port nobody listens on.
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                let mut cut = p.generation.subscribe();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&upstream).await else { return };
                    let (mut client, mut server) = (client, server);
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        proxy
    }

    /// A proxy in front of the database of `url` (postgres://user@host:port/db), and the
    /// same URL through it.
    pub async fn in_front_of(url: &str) -> (Proxy, String) {
        let rest = url.split_once("://").unwrap().1;
        let host_port = rest.rsplit_once('@').map_or(rest, |(_, h)| h).split('/').next().unwrap().to_owned();
        let proxy = Proxy::start(host_port.clone()).await;
        let proxied = url.replacen(&host_port, &proxy.addr.to_string(), 1);
        (proxy, proxied)
    }

    /// Drops every connection and refuses new ones.
    pub fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    pub fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

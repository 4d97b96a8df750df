//! An HTTP listener that cannot be held open by idle or slow clients: at most so many
//! connections at once, and a connection that sends or receives nothing for a while is
//! closed. Serves the core's operations endpoints and Telegram's webhook alike.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// Connections served at once; more wait in the kernel's backlog until one closes.
pub const MAX_CONNECTIONS: usize = 64;
/// A connection quiet for this long (no request bytes in, no response bytes out) is
/// closed: a client that opens a connection and never finishes its request holds
/// nothing for long.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// A [`TcpListener`] with a bound on open connections and an idle timeout on each.
pub struct Guarded {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    idle: Duration,
}

impl Guarded {
    pub fn new(inner: TcpListener) -> Self {
        Guarded::with_limits(inner, MAX_CONNECTIONS, IDLE_TIMEOUT)
    }

    pub fn with_limits(inner: TcpListener, max_connections: usize, idle: Duration) -> Self {
        Guarded { inner, permits: Arc::new(Semaphore::new(max_connections)), idle }
    }
}

impl axum::serve::Listener for Guarded {
    type Io = GuardedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // The semaphore is never closed, so this cannot fail.
            let Ok(permit) = self.permits.clone().acquire_owned().await else { continue };
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let deadline = Box::pin(tokio::time::sleep(self.idle));
                    return (GuardedStream { stream, idle: self.idle, deadline, _permit: permit }, addr);
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A connection that fails with `TimedOut` once it has been idle too long; its slot is
/// given back when it is dropped.
pub struct GuardedStream {
    stream: TcpStream,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    _permit: OwnedSemaphorePermit,
}

impl GuardedStream {
    fn touch(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + self.idle);
    }

    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    self.touch();
                }
                Poll::Ready(result)
            }
            Poll::Pending if self.expired(cx) => {
                Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "connection idle too long")))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener as _;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn idle_connections_are_closed_and_slots_bounded() {
        let inner = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = inner.local_addr().expect("addr");
        let mut listener = Guarded::with_limits(inner, 2, Duration::from_millis(300));
        let server = tokio::spawn(async move {
            loop {
                let (mut io, _) = listener.accept().await;
                tokio::spawn(async move {
                    let mut buf = [0u8; 16];
                    // Echo until the client goes or the connection times out.
                    while let Ok(n) = io.read(&mut buf).await {
                        if n == 0 || io.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        let mut a = TcpStream::connect(addr).await.expect("a");
        let mut b = TcpStream::connect(addr).await.expect("b");
        let mut c = TcpStream::connect(addr).await.expect("c (in the backlog)");
        // a and b are served; c waits for a slot.
        a.write_all(b"hi").await.expect("write");
        let mut buf = [0u8; 2];
        a.read_exact(&mut buf).await.expect("echo");
        c.write_all(b"yo").await.expect("write c");
        let early = tokio::time::timeout(Duration::from_millis(150), c.read(&mut buf)).await;
        assert!(early.is_err(), "a third connection is not served while two are open");
        // Idle a and b are closed after 300 ms; then c is served.
        let n = tokio::time::timeout(Duration::from_secs(2), b.read(&mut buf)).await.expect("closed in time");
        assert_eq!(n.expect("read"), 0, "the idle connection was closed");
        let n = tokio::time::timeout(Duration::from_secs(2), c.read(&mut buf)).await.expect("c served");
        assert_eq!(n.expect("read"), 2);
        server.abort();
    }
}

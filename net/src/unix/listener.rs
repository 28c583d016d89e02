//! [`UnixListener`]: a Unix domain socket accepting connections on the runtime's driver.
//!
//! Like `TcpListener`, an `accept` error (e.g. `EMFILE`) is returned at once and the
//! readiness is kept, so the backlog is retried on the next `accept`.
use crate::evented::Evented;
use crate::unix::UnixStream;
use crate::unix::{addr, SocketAddr};
use robin_runtime::io::{Direction, Interest};
use std::fmt;
use std::io;
use std::path::Path;
use std::task::{Context, Poll};

/// A Unix domain socket server.
///
/// ```
/// use robin_net::{UnixListener, UnixStream};
/// let dir = std::env::temp_dir().join(format!("robin-doc-listener-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("sock");
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = UnixListener::bind(&path).unwrap();
///     assert_eq!(listener.local_addr().unwrap().as_pathname(), Some(path.as_path()));
///     let mut client = UnixStream::connect(&path).await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     client.write_all(b"hi").await.unwrap();
///     let mut buf = [0; 2];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"hi");
/// });
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub struct UnixListener {
    pub(crate) io: Evented<mio::net::UnixListener>,
}

impl UnixListener {
    /// Binds to `path` (which must not exist; a leading NUL byte names an abstract
    /// socket, which needs no file). Panics outside a robin runtime with the I/O driver, as tokio's.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let addr = addr::to_std(path.as_ref())?;
        UnixListener::new(mio::net::UnixListener::bind_addr(&addr)?)
    }

    #[track_caller]
    pub(crate) fn new(listener: mio::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: Evented::new(listener, Interest::READABLE)?,
        })
    }

    /// Wraps a bound std listener (switching it to non-blocking mode) and registers it
    /// with the current runtime.
    #[track_caller]
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        UnixListener::new(mio::net::UnixListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a std listener (non-blocking mode).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        let mio = self.io.into_inner()?;
        Ok(std::os::unix::net::UnixListener::from(
            std::os::fd::OwnedFd::from(mio),
        ))
    }

    /// Waits for a connection.
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        // Through a readiness future (one waiter node per call), not the `poll_*` path's
        // single waker: several tasks may await this on one socket at once.
        let (stream, peer) = self
            .io
            .async_io(Interest::READABLE, |io| io.accept())
            .await?;
        Ok((UnixStream::new(stream)?, peer.into()))
    }

    /// Polls for a connection.
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        match self.io.poll_io(cx, Direction::Read, |io| io.accept()) {
            Poll::Ready(Ok((stream, peer))) => {
                Poll::Ready(UnixStream::new(stream).map(|s| (s, peer.into())))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr().map(SocketAddr::from)
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

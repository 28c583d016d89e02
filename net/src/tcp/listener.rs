//! [`TcpListener`]: a TCP socket accepting connections on the runtime's driver.
//!
//! `accept` under descriptor exhaustion: when `accept(2)` fails with `EMFILE`/`ENFILE`
//! the error is returned at once (no internal retry loop). The listener's readiness is
//! deliberately *not* cleared: the pending connection is still in the backlog, and with
//! edge-triggered epoll no new event would announce it, so the next `accept` — e.g.
//! after the caller freed descriptors or backed off — tries the syscall again. A caller
//! that retries in a tight loop without freeing descriptors spins; back off on these
//! errors (as with tokio).
use crate::addr::{self, ToSocketAddrs};
use crate::evented::Evented;
use crate::tcp::TcpStream;
use robin_runtime::io::{Direction, Interest};
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

/// A TCP socket server, listening for connections.
///
/// ```
/// use robin_net::{TcpListener, TcpStream};
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let n = rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let clients: Vec<_> = (0..3)
///         .map(|_| robin_runtime::spawn(async move { TcpStream::connect(addr).await.unwrap() }))
///         .collect();
///     let mut accepted = 0;
///     for _ in 0..3 {
///         let (_socket, peer) = listener.accept().await.unwrap();
///         assert!(peer.ip().is_loopback());
///         accepted += 1;
///     }
///     for c in clients {
///         c.await.unwrap();
///     }
///     accepted
/// });
/// assert_eq!(n, 3);
/// ```
pub struct TcpListener {
    pub(crate) io: Evented<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (resolved off the workers if it is a name, e.g. `"localhost:0"`),
    /// trying each resolved address in turn; fails with the last error, e.g.
    /// `AddrInUse`. Panics outside a robin runtime with the I/O driver, as tokio's. The accept queue holds up to 1024
    /// connections (capped by the system's `somaxconn`), like tokio's.
    ///
    /// ```
    /// use robin_net::TcpListener;
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let err = TcpListener::bind(first.local_addr().unwrap()).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
    /// });
    /// ```
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<TcpListener> {
        addr::each_addr(&addr, |addr| {
            let listener = mio::net::TcpListener::bind(addr)?;
            raise_backlog(&listener)?;
            TcpListener::new(listener)
        })
        .await
    }

    #[track_caller]
    fn new(listener: mio::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: Evented::new(listener, Interest::READABLE)?,
        })
    }

    /// Wraps a bound std listener (switching it to non-blocking mode) and registers it
    /// with the current runtime. Panics outside a robin runtime with the I/O driver, as tokio's.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let addr = std_listener.local_addr().unwrap();
    /// let _guard = rt.enter();
    /// let listener = robin_net::TcpListener::from_std(std_listener).unwrap();
    /// assert_eq!(listener.local_addr().unwrap(), addr);
    /// ```
    #[track_caller]
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        TcpListener::new(mio::net::TcpListener::from_std(listener))
    }

    /// Deregisters the listener and returns it as a std listener (non-blocking mode).
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        let mio = self.io.into_inner()?;
        Ok(std::net::TcpListener::from(std::os::fd::OwnedFd::from(mio)))
    }

    /// Waits for a connection and returns it with the peer's address.
    ///
    /// Errors (e.g. `EMFILE` when out of descriptors) are returned, not retried; see the
    /// module docs for why the listener keeps its readiness then.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        // Through a readiness future (one waiter node per call), not the `poll_*` path's
        // single waker: several tasks may await this on one socket at once.
        let (stream, peer) = self
            .io
            .async_io(Interest::READABLE, |io| io.accept())
            .await?;
        Ok((TcpStream::new(stream)?, peer))
    }

    /// Polls for a connection (the `poll_*` form of [`accept`](Self::accept)).
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        match self.io.poll_io(cx, Direction::Read, |io| io.accept()) {
            Poll::Ready(Ok((stream, peer))) => {
                Poll::Ready(TcpStream::new(stream).map(|s| (s, peer)))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The address the listener is bound to (with the real port after binding port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// Sets the IP time-to-live of accepted connections' packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_ttl(ttl)
    }

    /// The IP time-to-live.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.io().ttl()
    }
}

/// The accept-queue length [`TcpListener::bind`] asks for (tokio's default).
const BACKLOG: libc::c_int = 1024;

/// mio (like std) listens with a backlog of 128: a burst of connections larger than that
/// overflows the accept queue, and with SYN cookies the kernel then resets connections
/// the client already considers established. Calling `listen` again on a listening
/// socket only updates its backlog (Linux, the BSDs); the kernel caps it at `somaxconn`.
#[cfg(unix)]
fn raise_backlog(listener: &mio::net::TcpListener) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: `listen` only reads its two integer arguments; the descriptor is valid for
    // the call because `listener` borrows the socket that owns it.
    let rc = unsafe { libc::listen(listener.as_raw_fd(), BACKLOG) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn raise_backlog(_listener: &mio::net::TcpListener) -> io::Result<()> {
    Ok(())
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

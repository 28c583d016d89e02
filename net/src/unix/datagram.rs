//! [`UnixDatagram`]: a Unix domain datagram socket on the runtime's driver.
use crate::evented::Evented;
use crate::unix::{addr, SocketAddr};
use robin_runtime::io::{Direction, Interest};
use std::fmt;
use std::io;
use std::path::Path;
use std::task::{Context, Poll};
use tokio::io::ReadBuf;

/// A Unix domain datagram socket.
///
/// ```
/// use robin_net::UnixDatagram;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, b) = UnixDatagram::pair().unwrap();
///     a.send(b"one").await.unwrap();
///     a.send(b"two").await.unwrap();
///     let mut buf = [0; 8];
///     let n = b.recv(&mut buf).await.unwrap();
///     assert_eq!(&buf[..n], b"one");
///     let n = b.recv(&mut buf).await.unwrap();
///     assert_eq!(&buf[..n], b"two");
/// });
/// ```
pub struct UnixDatagram {
    pub(crate) io: Evented<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Binds to `path` (which must not exist). Panics outside a robin runtime with the I/O driver, as tokio's.
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::bind_addr(&addr::to_std(
            path.as_ref(),
        )?)?)
    }

    /// A socket bound to no address (it can still `send_to` and `connect`).
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::new(mio::net::UnixDatagram::unbound()?)
    }

    /// A connected pair of unnamed sockets.
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::new(a)?, UnixDatagram::new(b)?))
    }

    #[track_caller]
    fn new(socket: mio::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: Evented::new(socket, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Wraps a std socket (switching it to non-blocking mode) and registers it with the
    /// current runtime.
    #[track_caller]
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        UnixDatagram::new(mio::net::UnixDatagram::from_std(socket))
    }

    /// Deregisters the socket and returns it as a std socket (non-blocking mode).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        let mio = self.io.into_inner()?;
        Ok(std::os::unix::net::UnixDatagram::from(
            std::os::fd::OwnedFd::from(mio),
        ))
    }

    /// Sets the default peer for `send` and the only source `recv` accepts.
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let addr = socket2::SockAddr::unix(path)?;
        socket2::SockRef::from(self.io.io()).connect(&addr)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr().map(SocketAddr::from)
    }

    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr().map(SocketAddr::from)
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }

    /// Sends `buf` to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::WRITABLE, |io| io.send(buf))
            .await
    }

    /// Receives one datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        // Through a readiness future (one waiter node per call), not the `poll_*` path's
        // single waker: several tasks may await this on one socket at once.
        self.io
            .async_io(Interest::READABLE, |io| io.recv(buf))
            .await
    }

    /// Sends `buf` to the socket bound at `path`.
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let target = socket2::SockAddr::unix(path)?;
        self.io
            .async_io(Interest::WRITABLE, |io| {
                socket2::SockRef::from(io).send_to(buf, &target)
            })
            .await
    }

    /// Receives one datagram and its source address.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |io| io.recv_from(buf))
            .await
            .map(|(n, from)| (n, from.into()))
    }

    crate::evented::readiness_methods!("a datagram can be received", "a datagram can be sent");

    /// Sends to the connected peer without waiting.
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |io| io.send(buf))
    }

    /// Receives from the connected peer without waiting.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |io| io.recv(buf))
    }

    /// Sends to `path` without waiting.
    pub fn try_send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let target = socket2::SockAddr::unix(path)?;
        self.io.try_io(Interest::WRITABLE, |io| {
            socket2::SockRef::from(io).send_to(buf, &target)
        })
    }

    /// Receives a datagram and its source without waiting.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .try_io(Interest::READABLE, |io| io.recv_from(buf))
            .map(|(n, from)| (n, from.into()))
    }

    /// Polls for a datagram from the connected peer, filling `buf`.
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.io
            .poll_read_buf(cx, buf, |io, bytes| Ok((io.recv(bytes)?, ())))
    }

    /// Polls for a datagram, filling `buf`; returns its source.
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        self.io
            .poll_read_buf(cx, buf, |io, bytes| io.recv_from(bytes))
            .map_ok(SocketAddr::from)
    }

    /// Polls to send `buf` to the connected peer.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(cx, Direction::Write, |io| io.send(buf))
    }

    crate::evented::datagram_methods!();

    /// Shuts down the read, write or both halves.
    pub fn shutdown(&self, how: std::net::Shutdown) -> io::Result<()> {
        self.io.io().shutdown(how)
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

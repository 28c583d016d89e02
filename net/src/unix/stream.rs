//! [`UnixStream`]: a connected Unix domain stream socket on the runtime's driver.
//!
//! Same structure as `TcpStream`: every operation takes `&self` internally, so the
//! stream splits into borrowed or owned halves without locking.
use crate::evented::Evented;
use crate::tcp::stream::is_in_progress;
use crate::unix::split::{self, ReadHalf, WriteHalf};
use crate::unix::split_owned::{self, OwnedReadHalf, OwnedWriteHalf};
use robin_runtime::io::{Direction, Interest, Ready};
use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

/// A connected Unix domain stream socket.
///
/// ```
/// use robin_net::UnixStream;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut a, mut b) = UnixStream::pair().unwrap();
///     a.write_all(b"over a socketpair").await.unwrap();
///     a.shutdown().await.unwrap();
///     let mut got = Vec::new();
///     b.read_to_end(&mut got).await.unwrap();
///     assert_eq!(got, b"over a socketpair");
/// });
/// ```
pub struct UnixStream {
    io: Evented<mio::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket bound at `path`. Fails with the OS error (e.g. `NotFound`,
    /// `ConnectionRefused`) or outside a runtime.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let stream = UnixStream::new(mio::net::UnixStream::connect(path)?)?;
        poll_fn(|cx| stream.poll_connected(cx)).await?;
        Ok(stream)
    }

    /// Waits for a non-blocking connect to finish (see `TcpStream::connect`).
    fn poll_connected(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let registration = self.io.registration();
        loop {
            let event = match registration.poll_ready(cx, Direction::Write) {
                Poll::Ready(Ok(event)) => event,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            };
            if let Some(err) = self.io.io().take_error()? {
                return Poll::Ready(Err(err));
            }
            match self.io.io().peer_addr() {
                Ok(_) => return Poll::Ready(Ok(())),
                Err(err) if is_in_progress(&err) => {
                    if event.ready.is_error() || event.ready.is_write_closed() {
                        return Poll::Ready(Err(err));
                    }
                    registration.clear_readiness(event);
                }
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }

    /// A connected pair of unnamed sockets (`socketpair`). Fails outside a runtime.
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::new(a)?, UnixStream::new(b)?))
    }

    pub(crate) fn new(stream: mio::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: Evented::new(stream, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Wraps a connected std stream (switching it to non-blocking mode) and registers it
    /// with the current runtime. Fails outside a runtime.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let _guard = rt.enter();
    /// let a = robin_net::UnixStream::from_std(a).unwrap();
    /// assert!(a.peer_addr().unwrap().is_unnamed());
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::new(mio::net::UnixStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream (non-blocking mode).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        let mio = self.io.into_inner()?;
        Ok(std::os::unix::net::UnixStream::from(
            std::os::fd::OwnedFd::from(mio),
        ))
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }

    /// Waits until the stream is ready for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until readable (data, EOF or an error).
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(|_| ())
    }

    /// Waits until writable.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(|_| ())
    }

    /// Polls for read readiness.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Read)
    }

    /// Polls for write readiness.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Write)
    }

    /// Reads without waiting: `WouldBlock` if no data is ready. `Ok(0)` is EOF.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        use std::io::Read;
        self.io.try_io(Interest::READABLE, |mut io| io.read(buf))
    }

    /// Writes without waiting: `WouldBlock` if the send buffer is full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        use std::io::Write;
        self.io.try_io(Interest::WRITABLE, |mut io| io.write(buf))
    }

    /// Runs a custom non-blocking operation `f` if ready for `interest`.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.try_io(interest, |_| f())
    }

    /// Reads what is available, waiting until something is. `Ok(0)` is EOF.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read(buf).await
    }

    /// Reads exactly `buf.len()` bytes; `UnexpectedEof` if the peer closes first.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.io.read_exact(buf).await
    }

    /// Reads until EOF, appending to `buf`.
    pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.io.read_to_end(buf).await
    }

    /// Writes some of `buf`.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.io.write(buf).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.io.write_all(buf).await
    }

    /// Shuts down the write side (the peer reads EOF).
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.shutdown_std(Shutdown::Write)
    }

    /// Splits into borrowed read and write halves.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits into owned halves; dropping the write half shuts the write side down.
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split_owned::split_owned(self)
    }

    pub(crate) fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        self.io.io().shutdown(how)
    }

    pub(crate) fn poll_read_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_read(cx, buf)
    }

    pub(crate) fn poll_write_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write(cx, buf)
    }

    pub(crate) fn poll_write_vectored_priv(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.io.poll_write_vectored(cx, bufs)
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

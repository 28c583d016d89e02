//! [`TcpStream`]: a connected TCP socket on the runtime's driver.
//!
//! All operations take `&self` internally (mio's `&TcpStream` implements `Read` and
//! `Write`), which is what lets [`split`](TcpStream::split) hand out two borrowed halves
//! and [`into_split`](TcpStream::into_split) two owned ones without locking. The async
//! `read`/`write` family takes `&mut self` like tokio's extension traits.
use crate::addr::{self, ToSocketAddrs};
use crate::evented::Evented;
use crate::tcp::split::{self, ReadHalf, WriteHalf};
use crate::tcp::split_owned::{self, OwnedReadHalf, OwnedWriteHalf};
use robin_runtime::io::{Direction, Interest, Ready};
use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::net::{Shutdown, SocketAddr};
use std::task::{Context, Poll};

/// A TCP connection between a local and a remote socket.
///
/// Created by [`connect`](TcpStream::connect) or by accepting on a
/// [`TcpListener`](crate::TcpListener). Reading and writing use the inherent async
/// methods, or the `AsyncRead`/`AsyncWrite` traits of `futures-io` (and of tokio with the
/// `tokio-io` feature). Dropping the stream closes the connection.
///
/// ```
/// use robin_net::{TcpListener, TcpStream};
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let mut client = TcpStream::connect(addr).await.unwrap();
///     let (mut server, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer, client.local_addr().unwrap());
///     assert_eq!(client.peer_addr().unwrap(), addr);
///     client.write_all(b"ping").await.unwrap();
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"ping");
/// });
/// ```
pub struct TcpStream {
    io: Evented<mio::net::TcpStream>,
}

impl TcpStream {
    /// Opens a connection to `addr`, trying each resolved address in turn; fails with
    /// the last address's error (e.g. `ConnectionRefused`).
    ///
    /// ```
    /// use robin_net::{TcpListener, TcpStream};
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     // A port nobody listens on: bind one, note it, close it.
    ///     let addr = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    ///     let err = TcpStream::connect(addr).await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    /// });
    /// ```
    pub async fn connect<A: ToSocketAddrs>(addr: A) -> io::Result<TcpStream> {
        let mut last_err = None;
        for addr in addr::resolve(&addr).await? {
            match TcpStream::connect_addr(addr).await {
                Ok(stream) => return Ok(stream),
                Err(err) => last_err = Some(err),
            }
        }
        Err(last_err.unwrap_or_else(addr::no_addresses))
    }

    async fn connect_addr(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::new(mio::net::TcpStream::connect(addr)?)?;
        poll_fn(|cx| stream.poll_connected(cx)).await?;
        Ok(stream)
    }

    /// The steps of mio's non-blocking connect: wait for writable, then `take_error`,
    /// then `peer_addr` (not connected yet: wait for the next event).
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
                    // Error and closed flags are sticky: if they are set and the socket is
                    // still not connected, waiting again would spin.
                    if event.ready.is_error() || event.ready.is_write_closed() {
                        return Poll::Ready(Err(err));
                    }
                    registration.clear_readiness(event);
                }
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }

    pub(crate) fn new(stream: mio::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: Evented::new(stream, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Wraps a connected std stream (switching it to non-blocking mode) and registers it
    /// with the current runtime. Fails outside a runtime.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// // Outside a runtime there is no driver to register with.
    /// let again = std_stream.try_clone().unwrap();
    /// assert!(robin_net::TcpStream::from_std(again).is_err());
    /// let _guard = rt.enter();
    /// let stream = robin_net::TcpStream::from_std(std_stream).unwrap();
    /// assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::new(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream (still in non-blocking
    /// mode, like tokio's).
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        let mio = self.io.into_inner()?;
        Ok(std::net::TcpStream::from(std::os::fd::OwnedFd::from(mio)))
    }

    /// The local address of this end.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm when `true`).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.io().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.io().nodelay()
    }

    /// Sets the IP time-to-live of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.io().ttl()
    }

    /// Waits until the stream is ready for any of `interest` and returns the readiness
    /// seen (readable, writable, read/write closed, error).
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.io.ready(interest).await
    }

    /// Waits until the stream is readable (data, EOF or an error to report); then
    /// [`try_read`](Self::try_read) may succeed.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(|_| ())
    }

    /// Waits until the stream is writable; then [`try_write`](Self::try_write) may succeed.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(|_| ())
    }

    /// Polls for read readiness (the `poll_*` form of [`readable`](Self::readable)).
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Read)
    }

    /// Polls for write readiness (the `poll_*` form of [`writable`](Self::writable)).
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Write)
    }

    /// Reads without waiting: `WouldBlock` if no data is ready. `Ok(0)` is EOF.
    ///
    /// ```
    /// use robin_net::{TcpListener, TcpStream};
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (server, _) = listener.accept().await.unwrap();
    ///     let mut buf = [0; 8];
    ///     assert_eq!(server.try_read(&mut buf).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    ///     client.writable().await.unwrap();
    ///     assert_eq!(client.try_write(b"hi").unwrap(), 2);
    ///     let n = loop {
    ///         server.readable().await.unwrap();
    ///         match server.try_read(&mut buf) {
    ///             Ok(n) => break n,
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             Err(e) => panic!("{e}"),
    ///         }
    ///     };
    ///     assert_eq!(&buf[..n], b"hi");
    /// });
    /// ```
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        use std::io::Read;
        self.io.try_io(Interest::READABLE, |mut io| io.read(buf))
    }

    /// Writes without waiting: `WouldBlock` if the send buffer is full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        use std::io::Write;
        self.io.try_io(Interest::WRITABLE, |mut io| io.write(buf))
    }

    /// Writes from several buffers without waiting: `WouldBlock` if the send buffer is full.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        use std::io::Write;
        self.io
            .try_io(Interest::WRITABLE, |mut io| io.write_vectored(bufs))
    }

    /// Runs a custom non-blocking operation `f` if the stream is ready for `interest`;
    /// a `WouldBlock` from `f` clears that readiness.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.try_io(interest, |_| f())
    }

    /// Waits for `interest` and runs `f`, again after each `WouldBlock`.
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        self.io.async_io(interest, |_| f()).await
    }

    /// Reads what is available into `buf`, waiting until something is. `Ok(0)` is EOF
    /// (or an empty `buf`).
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read(buf).await
    }

    /// Reads exactly `buf.len()` bytes; `UnexpectedEof` if the peer closes first.
    pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<()> {
        self.io.read_exact(buf).await
    }

    /// Reads until EOF, appending to `buf`; returns the number of bytes read.
    pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        self.io.read_to_end(buf).await
    }

    /// Writes some of `buf`, waiting until the socket accepts at least one byte.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.io.write(buf).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.io.write_all(buf).await
    }

    /// Shuts down the write half (`Shutdown::Write`): the peer reads EOF, further writes
    /// fail. Reading is still possible.
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.shutdown_std(Shutdown::Write)
    }

    /// Receives data without removing it from the queue, waiting until some is there.
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        poll_fn(|cx| self.poll_peek(cx, buf)).await
    }

    /// Polls for data to peek at (see [`peek`](Self::peek)).
    pub fn poll_peek(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(cx, Direction::Read, |io| io.peek(buf))
    }

    /// Splits the stream into a read and a write half borrowing it (no locking, no
    /// allocation); both may be used concurrently, e.g. in `join!`.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves that can move to different tasks. Dropping
    /// the write half shuts the write side down; [`OwnedReadHalf::reunite`] puts the
    /// stream back together.
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

/// `peer_addr` while a non-blocking connect is still running.
pub(crate) fn is_in_progress(err: &io::Error) -> bool {
    // EINPROGRESS is 115 on Linux, 36 on the BSDs and macOS.
    const EINPROGRESS: i32 = if cfg!(target_os = "linux") { 115 } else { 36 };
    err.kind() == io::ErrorKind::NotConnected || err.raw_os_error() == Some(EINPROGRESS)
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

//! What is TCP's own on [`TcpStream`] (`Stream<Tcp>`): connecting, std conversions,
//! `TCP_NODELAY`, TTL, `SO_LINGER`, `peek`. Everything else is the generic stream core
//! (`crate::stream`).
use crate::addr::{self, ToSocketAddrs};
use crate::stream::{OwnedReadHalf, ReadHalf, Tcp};
use crate::tcp::TcpStream;
use std::io;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::ReadBuf;

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
            match TcpStream::connect_source(mio::net::TcpStream::connect(addr)).await {
                Ok(stream) => return Ok(stream),
                Err(err) => last_err = Some(err),
            }
        }
        Err(last_err.unwrap_or_else(addr::no_addresses))
    }

    /// Wraps a connected std stream (switching it to non-blocking mode) and registers it
    /// with the current runtime. Panics outside a robin runtime with the I/O driver, as tokio's.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let std_stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    /// let _guard = rt.enter();
    /// let stream = robin_net::TcpStream::from_std(std_stream).unwrap();
    /// assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
    /// ```
    #[track_caller]
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        TcpStream::new(mio::net::TcpStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream (still in non-blocking
    /// mode, like tokio's).
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        let mio = self.into_source()?;
        Ok(std::net::TcpStream::from(std::os::fd::OwnedFd::from(mio)))
    }

    /// Sets `TCP_NODELAY` (disables Nagle's algorithm when `true`).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.evented().io().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> io::Result<bool> {
        self.evented().io().nodelay()
    }

    /// Sets the IP time-to-live of outgoing packets.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.evented().io().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing packets.
    pub fn ttl(&self) -> io::Result<u32> {
        self.evented().io().ttl()
    }

    /// Sets `SO_LINGER`: with `Some(d)`, closing waits up to `d` for unsent data (and
    /// `Some(ZERO)` resets the connection on close); `None` closes in the background.
    ///
    /// ```
    /// use robin_net::{TcpListener, TcpStream};
    /// use std::time::Duration;
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let stream = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(stream.linger().unwrap(), None);
    ///     stream.set_linger(Some(Duration::from_secs(2))).unwrap();
    ///     assert_eq!(stream.linger().unwrap(), Some(Duration::from_secs(2)));
    /// });
    /// ```
    pub fn set_linger(&self, dur: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(self.evented().io()).set_linger(dur)
    }

    /// The `SO_LINGER` setting (see [`set_linger`](Self::set_linger)).
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(self.evented().io()).linger()
    }

    /// Receives data without removing it from the queue, waiting until some is there.
    ///
    /// ```
    /// use robin_net::{TcpListener, TcpStream};
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    ///     let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
    ///     let (mut server, _) = listener.accept().await.unwrap();
    ///     client.write_all(b"peeked").await.unwrap();
    ///     let mut buf = [0; 6];
    ///     let mut n = 0;
    ///     while n < 6 {
    ///         n = server.peek(&mut buf).await.unwrap();
    ///     }
    ///     let mut again = [0; 6];
    ///     server.read_exact(&mut again).await.unwrap();
    ///     assert_eq!(buf, again);
    /// });
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.evented()
            .async_io(robin_runtime::io::Interest::READABLE, |io| io.peek(buf))
            .await
    }

    /// Polls for data to peek at, filling `buf` (see [`peek`](Self::peek)); returns
    /// the number of bytes peeked.
    pub fn poll_peek(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<usize>> {
        self.evented().poll_read_buf(cx, buf, |io, bytes| {
            let n = io.peek(bytes)?;
            Ok((n, n))
        })
    }
}

/// `peek`/`poll_peek` on the read halves, forwarding to the stream (one body for both).
macro_rules! half_peek {
    ($($half:ty),*) => {$(
        impl $half {
            /// Receives data without consuming it (see [`TcpStream::peek`]).
            pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.stream().peek(buf).await
            }

            /// Polls for data to peek at (see [`TcpStream::poll_peek`]).
            pub fn poll_peek(
                &mut self,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<usize>> {
                self.stream().poll_peek(cx, buf)
            }
        }
    )*};
}

half_peek!(ReadHalf<'_, Tcp>, OwnedReadHalf<Tcp>);

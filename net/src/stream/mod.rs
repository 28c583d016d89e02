//! The one stream core: [`Stream<K>`], a connected stream socket of kind `K` (TCP or
//! Unix) over `Evented<K::Source>`, with its borrowed and owned halves and its
//! `AsyncRead`/`AsyncWrite` impls (tokio's and futures-io's), written once for both
//! kinds. `TcpStream` is `Stream<Tcp>`, `UnixStream` is `Stream<Unix>`; what truly
//! differs per kind (connecting, addresses, socket options) lives in `tcp/` and
//! `unix/` as `impl Stream<Tcp>` / `impl Stream<Unix>` blocks.
//!
//! Every operation takes `&self` internally (mio's `&TcpStream`/`&UnixStream`
//! implement `Read` and `Write`; reads wait on the driver's reader list, writes on the
//! writer list), which is what lets `split` hand out two borrowed halves and
//! `into_split` two owned ones without any lock.
//!
//! Owns: the stream types, halves, the sealed [`Kind`] and [`AsyncStream`] traits.
//! May import `evented` and robin-runtime's `io`; not `tcp/` or `unix/` beyond their
//! `Kind` impls.
mod io_traits;
mod kind;
mod split;
mod split_owned;

pub use kind::{AsyncStream, Kind, Tcp, Unix};
pub use split::{ReadHalf, WriteHalf};
pub use split_owned::{OwnedReadHalf, OwnedWriteHalf};

use crate::evented::Evented;
use robin_runtime::io::{Direction, Interest};
use std::fmt;
use std::future::poll_fn;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::task::{Context, Poll};

/// A connected stream socket of kind `K`: [`TcpStream`](crate::TcpStream) is
/// `Stream<Tcp>`, [`UnixStream`](crate::UnixStream) is `Stream<Unix>`.
///
/// Read and write with tokio's `AsyncReadExt`/`AsyncWriteExt` (`robin::io`), with
/// futures-io's traits, or with the inherent async methods, which behave exactly as
/// the extension traits' methods of the same name (they call them).
pub struct Stream<K: Kind> {
    pub(crate) io: Evented<K::Source>,
}

impl<K: Kind> Stream<K> {
    #[track_caller]
    pub(crate) fn new(source: K::Source) -> io::Result<Stream<K>> {
        Ok(Stream {
            io: Evented::new(source, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    pub(crate) fn evented(&self) -> &Evented<K::Source> {
        &self.io
    }

    pub(crate) fn into_source(self) -> io::Result<K::Source> {
        self.io.into_inner()
    }

    /// The local address of this end.
    pub fn local_addr(&self) -> io::Result<K::Addr> {
        K::local_addr(self.io.io())
    }

    /// The address of the peer.
    pub fn peer_addr(&self) -> io::Result<K::Addr> {
        K::peer_addr(self.io.io())
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        K::take_error(self.io.io())
    }

    crate::evented::readiness_methods!(
        "the stream is readable (data, EOF or an error to report); then `try_read` may succeed",
        "the stream is writable; then `try_write` may succeed"
    );

    /// Polls for read readiness. Only the waker of the last call is kept (as tokio).
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Read)
    }

    /// Polls for write readiness.
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io.poll_ready(cx, Direction::Write)
    }

    /// Reads without waiting: `WouldBlock` if no data is ready. `Ok(0)` is EOF (or an
    /// empty `buf`).
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
        self.io.try_io(Interest::READABLE, |io| K::read(io, buf))
    }

    /// Reads into several buffers without waiting (`readv`); `WouldBlock` if no data
    /// is ready.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |io| K::read_vectored(io, bufs))
    }

    /// Reads into the spare capacity of `buf` without waiting, advancing it by the
    /// bytes read; `WouldBlock` if no data is ready.
    ///
    /// ```
    /// use robin_net::UnixStream;
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, b) = UnixStream::pair().unwrap();
    ///     a.writable().await.unwrap();
    ///     a.try_write(b"into a Vec").unwrap();
    ///     let mut buf = Vec::with_capacity(64);
    ///     loop {
    ///         b.readable().await.unwrap();
    ///         match b.try_read_buf(&mut buf) {
    ///             Ok(_) => break,
    ///             Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
    ///             Err(e) => panic!("{e}"),
    ///         }
    ///     }
    ///     assert_eq!(buf, b"into a Vec");
    /// });
    /// ```
    pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |io| {
            crate::buf::read_into(buf, |bytes| Ok((K::read(io, bytes)?, ()))).map(|(n, ())| n)
        })
    }

    /// Writes without waiting: `WouldBlock` if the send buffer is full.
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |io| K::write(io, buf))
    }

    /// Writes from several buffers without waiting (`writev`).
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |io| K::write_vectored(io, bufs))
    }

    /// Splits the stream into a read and a write half borrowing it (no locking, no
    /// allocation); both may be used concurrently, e.g. in `join!`.
    ///
    /// With futures' `AsyncReadExt` in scope, `stream.split()` resolves to that trait's
    /// by-value `split`; write `TcpStream::split(&mut stream)` there.
    pub fn split(&mut self) -> (ReadHalf<'_, K>, WriteHalf<'_, K>) {
        split::split(self)
    }

    /// Splits the stream into owned halves that can move to different tasks. Dropping
    /// the write half shuts the write side down; [`OwnedReadHalf::reunite`] puts the
    /// stream back together.
    pub fn into_split(self) -> (OwnedReadHalf<K>, OwnedWriteHalf<K>) {
        split_owned::split_owned(self)
    }

    pub(crate) fn shutdown_std(&self, how: Shutdown) -> io::Result<()> {
        K::shutdown(self.io.io(), how)
    }

    pub(crate) fn poll_read_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let len = buf.len();
        self.io
            .poll_stream_io(cx, Direction::Read, len, |io| K::read(io, buf))
    }

    pub(crate) fn poll_write_priv(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.io
            .poll_stream_io(cx, Direction::Write, buf.len(), |io| K::write(io, buf))
    }

    pub(crate) fn poll_write_vectored_priv(
        &self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let len = bufs.iter().map(|b| b.len()).sum();
        self.io
            .poll_stream_io(cx, Direction::Write, len, |io| K::write_vectored(io, bufs))
    }

    /// Registers a socket whose non-blocking connect was started, and waits for the
    /// connect to finish.
    pub(crate) async fn connect_source(source: io::Result<K::Source>) -> io::Result<Stream<K>> {
        let stream = Stream::new(source?)?;
        poll_fn(|cx| stream.poll_connected(cx)).await?;
        Ok(stream)
    }

    /// The steps of a non-blocking connect: wait for writable, then `take_error`, then
    /// `peer_addr` (not connected yet: wait for the next event).
    fn poll_connected(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let registration = self.io.registration();
        loop {
            let event = match registration.poll_ready(cx, Direction::Write) {
                Poll::Ready(Ok(event)) => event,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            };
            if let Some(err) = self.take_error()? {
                return Poll::Ready(Err(err));
            }
            match K::peer_addr(self.io.io()) {
                Ok(_) => return Poll::Ready(Ok(())),
                Err(err) if is_in_progress(&err) => {
                    // Error and closed flags mean the connect is over: waiting again
                    // would spin.
                    if event.ready.is_error() || event.ready.is_write_closed() {
                        return Poll::Ready(Err(err));
                    }
                    registration.clear_readiness(event);
                }
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }
}

/// `peer_addr` while a non-blocking connect is still running.
fn is_in_progress(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::NotConnected || err.raw_os_error() == Some(libc::EINPROGRESS)
}

impl<K: Kind> fmt::Debug for Stream<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

/// The public names of a kind's stream and halves (`TcpStream`, `tcp::ReadHalf`, ...)
/// and its `ReuniteError` type, declared once for every kind.
macro_rules! kind_aliases {
    ($kind:ident, $stream:ident, $what:literal) => {
        #[doc = concat!("The read half of a [`", stringify!($stream), "`], borrowed by `split`.")]
        pub type ReadHalf<'a> = $crate::stream::ReadHalf<'a, $crate::stream::$kind>;
        #[doc = concat!("The write half of a [`", stringify!($stream), "`], borrowed by `split`.")]
        pub type WriteHalf<'a> = $crate::stream::WriteHalf<'a, $crate::stream::$kind>;
        #[doc = concat!("The owned read half of a [`", stringify!($stream), "`] (from `into_split`).")]
        pub type OwnedReadHalf = $crate::stream::OwnedReadHalf<$crate::stream::$kind>;
        #[doc = concat!("The owned write half of a [`", stringify!($stream), "`]; dropping it shuts the write side down.")]
        pub type OwnedWriteHalf = $crate::stream::OwnedWriteHalf<$crate::stream::$kind>;
        #[doc = concat!("Halves of two different ", $what, " streams were given to `reunite`; they are handed back.")]
        ///
        /// A tuple struct at this path, as tokio's, so it can be matched and built:
        /// `Err(ReuniteError(read, write))`.
        pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

        impl ::std::fmt::Display for ReuniteError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str("tried to reunite halves that are not from the same socket")
            }
        }

        impl ::std::fmt::Debug for ReuniteError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple("ReuniteError")
                    .field(&self.0)
                    .field(&self.1)
                    .finish()
            }
        }

        impl ::std::error::Error for ReuniteError {}
    };
}
pub(crate) use kind_aliases;

//! [`Kind`]: what differs between the stream kinds ([`Tcp`], [`Unix`]) at the level the
//! core needs it — the mio source, the address type, and the socket calls — and
//! [`AsyncStream`], the sealed readiness + non-blocking I/O interface robin-hyper's
//! `RobinIo` adapts.
//!
//! Both traits are sealed: only robin-net implements them. robin-hyper relies on that
//! for soundness: `RobinIo::poll_read` hands uninitialised memory to
//! `AsyncStream::poll_read` and trusts the byte count it returns; an outside impl could
//! lie about it.
use super::Stream;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::Shutdown;
use std::task::{Context, Poll};

/// The kind of a [`Stream`]: [`Tcp`] or [`Unix`]. Sealed.
///
/// ```compile_fail
/// // Outside robin-net nobody can add a kind.
/// struct Mine;
/// impl robin_net::stream::Kind for Mine {
///     type Addr = ();
///     type ReuniteError = std::io::Error;
/// }
/// ```
pub trait Kind: Sealed + Send + Sync + Sized + 'static {
    /// The address type of this kind's sockets.
    type Addr: fmt::Debug + Clone + Send + Sync + 'static;
    #[doc(hidden)]
    fn local_addr(source: &Self::Source) -> io::Result<Self::Addr>;
    #[doc(hidden)]
    fn peer_addr(source: &Self::Source) -> io::Result<Self::Addr>;
    /// What [`reunite`](super::OwnedReadHalf::reunite) returns for halves of two
    /// different streams: `tcp::ReuniteError` or `unix::ReuniteError`.
    type ReuniteError: std::error::Error + Send + Sync + 'static;
    #[doc(hidden)]
    fn reunite_error(
        read: super::OwnedReadHalf<Self>,
        write: super::OwnedWriteHalf<Self>,
    ) -> Self::ReuniteError;
}

/// The TCP kind: `Stream<Tcp>` is [`TcpStream`](crate::TcpStream).
#[derive(Debug)]
pub enum Tcp {}

/// The Unix-domain kind: `Stream<Unix>` is [`UnixStream`](crate::UnixStream).
#[derive(Debug)]
pub enum Unix {}

pub(crate) mod sealed {
    use std::fmt;
    use std::io::{self, IoSlice, IoSliceMut};
    use std::net::Shutdown;

    /// The socket calls of a kind. Not nameable outside robin-net (sealing).
    pub trait Sealed {
        /// The mio socket.
        type Source: mio::event::Source + fmt::Debug + Send + Sync + Unpin + 'static;
        fn read(source: &Self::Source, buf: &mut [u8]) -> io::Result<usize>;
        fn read_vectored(source: &Self::Source, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize>;
        fn write(source: &Self::Source, buf: &[u8]) -> io::Result<usize>;
        fn write_vectored(source: &Self::Source, bufs: &[IoSlice<'_>]) -> io::Result<usize>;
        fn shutdown(source: &Self::Source, how: Shutdown) -> io::Result<()>;
        fn take_error(source: &Self::Source) -> io::Result<Option<io::Error>>;
    }

    /// Seals [`AsyncStream`](super::AsyncStream).
    pub trait SealedStream {}
}

pub(crate) use sealed::Sealed;

macro_rules! impl_kind {
    ($kind:ty, $source:ty, $addr:ty, $to_addr:expr, $module:ident) => {
        impl Sealed for $kind {
            type Source = $source;
            fn read(mut source: &$source, buf: &mut [u8]) -> io::Result<usize> {
                source.read(buf)
            }
            fn read_vectored(
                mut source: &$source,
                bufs: &mut [IoSliceMut<'_>],
            ) -> io::Result<usize> {
                source.read_vectored(bufs)
            }
            fn write(mut source: &$source, buf: &[u8]) -> io::Result<usize> {
                source.write(buf)
            }
            fn write_vectored(mut source: &$source, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
                source.write_vectored(bufs)
            }
            fn shutdown(source: &$source, how: Shutdown) -> io::Result<()> {
                source.shutdown(how)
            }
            fn take_error(source: &$source) -> io::Result<Option<io::Error>> {
                source.take_error()
            }
        }

        impl Kind for $kind {
            type Addr = $addr;
            fn local_addr(source: &$source) -> io::Result<$addr> {
                source.local_addr().map($to_addr)
            }
            fn peer_addr(source: &$source) -> io::Result<$addr> {
                source.peer_addr().map($to_addr)
            }
            type ReuniteError = crate::$module::ReuniteError;
            fn reunite_error(
                read: super::OwnedReadHalf<Self>,
                write: super::OwnedWriteHalf<Self>,
            ) -> Self::ReuniteError {
                crate::$module::ReuniteError(read, write)
            }
        }
    };
}

impl_kind!(Tcp, mio::net::TcpStream, std::net::SocketAddr, |a| a, tcp);
#[cfg(unix)]
impl_kind!(
    Unix,
    mio::net::UnixStream,
    crate::unix::SocketAddr,
    crate::unix::SocketAddr::from,
    unix
);

/// A robin stream seen as readiness plus non-blocking I/O: what robin-hyper's
/// `RobinIo` adapts (implemented for [`TcpStream`](crate::TcpStream) and
/// [`UnixStream`](crate::UnixStream)). Sealed: `poll_read`'s byte count is trusted by
/// `RobinIo`, which reads into uninitialised memory.
///
/// ```compile_fail
/// use std::io;
/// use std::task::{Context, Poll};
/// // An outside impl (which could lie about how many bytes it read) is refused.
/// struct Liar;
/// impl robin_net::stream::AsyncStream for Liar {
///     fn poll_read_ready(&self, _: &mut Context<'_>) -> Poll<io::Result<()>> { Poll::Ready(Ok(())) }
///     fn poll_write_ready(&self, _: &mut Context<'_>) -> Poll<io::Result<()>> { Poll::Ready(Ok(())) }
///     fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> { Ok(buf.len()) }
///     fn try_write(&self, buf: &[u8]) -> io::Result<usize> { Ok(buf.len()) }
///     fn shutdown_write(&self) -> io::Result<()> { Ok(()) }
/// }
/// ```
pub trait AsyncStream: sealed::SealedStream {
    /// Polls for read readiness.
    fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Polls for write readiness.
    fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Non-blocking read (`read(2)`): writes to `buf` only, never reads it, and
    /// returns the number of bytes it wrote. `WouldBlock` clears read readiness.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;
    /// Non-blocking write; `WouldBlock` clears write readiness.
    fn try_write(&self, buf: &[u8]) -> io::Result<usize>;
    /// Shuts the write side down (the peer reads EOF).
    fn shutdown_write(&self) -> io::Result<()>;
    /// Reads into `buf` once readable, as `AsyncRead::poll_read` (writes to `buf`
    /// only, and returns the number of bytes it wrote). After a read shorter than
    /// `buf` the read readiness is cleared unless the stream's history says the next
    /// read will find data (`Registration::poll_stream_io`), so a request/response peer
    /// costs no `read(2)` that would only return `WouldBlock`.
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    /// Writes from `buf` once writable, as `AsyncWrite::poll_write` (a short write
    /// clears write readiness).
    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    /// Writes from `bufs` once writable, as `AsyncWrite::poll_write_vectored` (one
    /// `writev(2)`).
    fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>>;
}

impl<K: Kind> sealed::SealedStream for Stream<K> {}

impl<K: Kind> AsyncStream for Stream<K> {
    fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Stream::poll_read_ready(self, cx)
    }
    fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Stream::poll_write_ready(self, cx)
    }
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        Stream::try_read(self, buf)
    }
    fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        Stream::try_write(self, buf)
    }
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown_std(Shutdown::Write)
    }
    fn poll_read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.poll_read_priv(cx, buf)
    }
    fn poll_write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.poll_write_priv(cx, buf)
    }
    fn poll_write_vectored(
        &self,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_write_vectored_priv(cx, bufs)
    }
}

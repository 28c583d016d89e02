//! [`RobinIo`]: hyper's `rt::Read`/`rt::Write` over robin's streams.
//!
//! Each poll is the stream's own `poll_read`/`poll_write` (robin-net's sealed
//! [`AsyncStream`](robin_net::stream::AsyncStream)): wait for readiness, try the
//! non-blocking operation, clear the readiness on `WouldBlock`, after a short write, and
//! after a short read unless the stream's history says more is likely waiting.
//! Reads go into hyper's `ReadBufCursor` without initialising it first; writes are
//! vectored, so a response's head and body go out in one `writev(2)`.
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A robin stream that [`RobinIo`] can adapt: robin-net's sealed
/// [`AsyncStream`](robin_net::stream::AsyncStream) (implemented for `TcpStream` and
/// `UnixStream`). It is sealed because [`RobinIo`]'s `poll_read` hands uninitialised
/// memory to the stream's `poll_read` and trusts the count it returns: an outside impl
/// that lied about it would expose uninitialised bytes to safe code.
///
/// ```compile_fail
/// use std::io;
/// use std::task::{Context, Poll};
/// struct Liar;
/// // Refused: the trait is sealed.
/// impl robin_hyper::Stream for Liar {
///     fn poll_read_ready(&self, _: &mut Context<'_>) -> Poll<io::Result<()>> { Poll::Ready(Ok(())) }
///     fn poll_write_ready(&self, _: &mut Context<'_>) -> Poll<io::Result<()>> { Poll::Ready(Ok(())) }
///     fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> { Ok(buf.len()) }
///     fn try_write(&self, buf: &[u8]) -> io::Result<usize> { Ok(buf.len()) }
///     fn shutdown_write(&self) -> io::Result<()> { Ok(()) }
/// }
/// ```
pub use robin_net::stream::AsyncStream as Stream;

/// Adapts a robin stream to hyper's `rt::Read` + `rt::Write`.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, b) = robin_net::UnixStream::pair().unwrap();
///     let (mut a, b) = (robin_hyper::RobinIo::new(a), robin_hyper::RobinIo::new(b));
///     std::future::poll_fn(|cx| hyper::rt::Write::poll_write(std::pin::Pin::new(&mut a), cx, b"ping"))
///         .await
///         .unwrap();
///     let mut storage = [std::mem::MaybeUninit::<u8>::uninit(); 16];
///     let mut buf = hyper::rt::ReadBuf::uninit(&mut storage);
///     let mut b = b;
///     std::future::poll_fn(|cx| hyper::rt::Read::poll_read(std::pin::Pin::new(&mut b), cx, buf.unfilled()))
///         .await
///         .unwrap();
///     assert_eq!(buf.filled(), b"ping");
/// });
/// ```
#[derive(Debug)]
pub struct RobinIo<T> {
    inner: T,
}

impl<T> RobinIo<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> RobinIo<T> {
        RobinIo { inner }
    }

    /// The wrapped stream.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// Unwraps the stream.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Stream + Unpin> hyper::rt::Read for RobinIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        // SAFETY: `as_mut` is unsafe because we must not de-initialise bytes (write
        // `MaybeUninit::uninit()` into them); we never do.
        let unfilled: &mut [MaybeUninit<u8>] = unsafe { buf.as_mut() };
        // SAFETY: (1) `MaybeUninit<u8>` has the layout of `u8`, so the cast slice covers
        // exactly the same memory; (2) `T: Stream` is robin-net's sealed `AsyncStream`,
        // so `poll_read` is robin's own wrapper of `read(2)`, which writes into the slice
        // and never reads from it: no uninitialised byte is ever read; (3) the slice is
        // dropped before `advance`.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(unfilled.as_mut_ptr().cast::<u8>(), unfilled.len())
        };
        let n = ready!(this.inner.poll_read(cx, bytes))?;
        // SAFETY: `read(2)` returned `n` (robin's sealed impl reports exactly what the
        // syscall returned), so it initialised the first `n` bytes of the unfilled part;
        // `advance(n)` marks only those.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: Stream + Unpin> hyper::rt::Write for RobinIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write(cx, buf)
    }

    /// One `writev(2)`: hyper then sends a response's head and body without copying
    /// them into one buffer first (as it does over tokio's streams).
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().inner.poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Nothing buffered here: the kernel owns the send buffer.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut().inner.shutdown_write() {
            Err(err) if err.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
            other => Poll::Ready(other),
        }
    }
}

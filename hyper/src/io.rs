//! [`RobinIo`]: hyper's `rt::Read`/`rt::Write` over robin's streams.
//!
//! Each poll waits for readiness with the stream's `poll_*_ready`, then tries the
//! non-blocking operation; a `WouldBlock` clears the readiness (inside `try_*`) and we
//! poll readiness again, which registers the waker. Reads go into hyper's
//! `ReadBufCursor` without initialising it first.
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// A robin stream that [`RobinIo`] can adapt: the readiness + non-blocking I/O pair.
///
/// Implemented for [`robin_net::TcpStream`] and [`robin_net::UnixStream`]; the
/// `futures_io::AsyncWrite` supertrait supplies the write-side shutdown.
pub trait Stream: futures_io::AsyncWrite {
    /// Polls for read readiness.
    fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Polls for write readiness.
    fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Non-blocking read; `WouldBlock` clears read readiness.
    fn try_read(&self, buf: &mut [u8]) -> io::Result<usize>;
    /// Non-blocking write; `WouldBlock` clears write readiness.
    fn try_write(&self, buf: &[u8]) -> io::Result<usize>;
}

macro_rules! impl_stream {
    ($ty:ty) => {
        impl Stream for $ty {
            fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                <$ty>::poll_read_ready(self, cx)
            }
            fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                <$ty>::poll_write_ready(self, cx)
            }
            fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
                <$ty>::try_read(self, buf)
            }
            fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
                <$ty>::try_write(self, buf)
            }
        }
    };
}

impl_stream!(robin_net::TcpStream);
impl_stream!(robin_net::UnixStream);

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
        loop {
            ready!(this.inner.poll_read_ready(cx))?;
            // SAFETY: `as_mut` is unsafe because we must not de-initialise bytes (write
            // `MaybeUninit::uninit()` into them); we never do.
            let unfilled: &mut [MaybeUninit<u8>] = unsafe { buf.as_mut() };
            // SAFETY: (1) `MaybeUninit<u8>` has the layout of `u8`, so the cast slice covers
            // exactly the same memory; (2) the only user of the `&mut [u8]` is `read(2)`
            // inside `try_read`, which writes into it and never reads from it, so no
            // uninitialised byte is ever read; (3) the slice is dropped before `advance`.
            let bytes = unsafe {
                std::slice::from_raw_parts_mut(unfilled.as_mut_ptr().cast::<u8>(), unfilled.len())
            };
            match this.inner.try_read(bytes) {
                Ok(n) => {
                    // SAFETY: `read(2)` returned `n`, so it wrote (initialised) exactly the
                    // first `n` bytes of the unfilled part; `advance(n)` marks only those.
                    unsafe { buf.advance(n) };
                    return Poll::Ready(Ok(()));
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => continue,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => return Poll::Ready(Err(err)),
            }
        }
    }
}

impl<T: Stream + Unpin> hyper::rt::Write for RobinIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        loop {
            ready!(this.inner.poll_write_ready(cx))?;
            match this.inner.try_write(buf) {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => continue,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Nothing buffered here: the kernel owns the send buffer.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // robin's `poll_close` is `shutdown(Shutdown::Write)`.
        match futures_io::AsyncWrite::poll_close(Pin::new(&mut self.get_mut().inner), cx) {
            Poll::Ready(Err(err)) if err.kind() == io::ErrorKind::NotConnected => {
                Poll::Ready(Ok(()))
            }
            other => other,
        }
    }
}

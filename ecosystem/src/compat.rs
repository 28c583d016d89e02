//! [`Compat`]: one wrapper that turns tokio's I/O traits into hyper's and back.
//!
//! hyper 1.x has its own `rt::Read`/`rt::Write`; tokio-rustls, tokio-tungstenite and
//! tokio-postgres speak tokio's `AsyncRead`/`AsyncWrite`. robin's streams go to hyper
//! directly through `robin::hyper_rt::RobinIo`, but a TLS stream (tokio traits) has to be
//! handed to hyper, and a hyper upgrade (hyper traits) to tungstenite. `Compat<T>`
//! implements hyper's traits when `T` has tokio's, and tokio's when `T` has hyper's.
//!
//! This is what `hyper_util::rt::TokioIo` does; that type sits behind hyper-util's
//! `tokio` feature, which compiles tokio's runtime (`tokio/rt`, `tokio/time`), so this
//! crate keeps its own and builds tokio with `io-util` only.
//!
//! Imports nothing of robin: it is glue between two trait families.
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Adapts between tokio's and hyper's I/O traits (both directions; see the module docs).
///
/// ```
/// use robin_ecosystem::Compat;
/// let rt = robin::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, b) = robin::net::UnixStream::pair().unwrap();
///     // tokio traits -> hyper traits: an HTTP/1 exchange over the wrapped pair.
///     robin::spawn(async move {
///         let svc = hyper::service::service_fn(|_req| async {
///             Ok::<_, std::convert::Infallible>(hyper::Response::new(String::from("hi")))
///         });
///         hyper::server::conn::http1::Builder::new()
///             .serve_connection(Compat::new(a), svc)
///             .await
///             .unwrap();
///     });
///     let (mut send, conn) = hyper::client::conn::http1::handshake::<_, String>(Compat::new(b))
///         .await
///         .unwrap();
///     robin::spawn(conn);
///     let res = send.send_request(hyper::Request::new(String::new())).await.unwrap();
///     assert_eq!(res.status(), 200);
/// });
/// ```
#[derive(Debug)]
pub struct Compat<T> {
    inner: T,
}

impl<T> Compat<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Compat<T> {
        Compat { inner }
    }

    /// The wrapped value.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// A reference to the wrapped value.
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    fn inner(self: Pin<&mut Self>) -> Pin<&mut T> {
        // SAFETY: (1) `inner` is structurally pinned: `Compat` never moves it out of a
        // pinned `Compat` (`into_inner` takes `self` by value, which needs an unpinned
        // value or `T: Unpin`); (2) `Compat` has no `Drop` impl that could move it.
        unsafe { self.map_unchecked_mut(|me| &mut me.inner) }
    }
}

/// `impl $to for Compat<T> where T: $from` for the two write traits, which have the same
/// methods with the same signatures: every method forwards to the inner value unchanged,
/// so both directions are this one body.
macro_rules! forward_write {
    ($from:path => $to:path) => {
        impl<T: $from> $to for Compat<T> {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.inner().poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.inner().poll_flush(cx)
            }

            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.inner().poll_shutdown(cx)
            }

            fn is_write_vectored(&self) -> bool {
                self.inner.is_write_vectored()
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                self.inner().poll_write_vectored(cx, bufs)
            }
        }
    };
}

// tokio -> hyper.

impl<T: tokio::io::AsyncRead> hyper::rt::Read for Compat<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: the slice is only handed to tokio's `ReadBuf::uninit`, which never
        // de-initialises bytes (it only writes into them).
        let unfilled = unsafe { buf.as_mut() };
        let mut tbuf = tokio::io::ReadBuf::uninit(unfilled);
        ready!(self.inner().poll_read(cx, &mut tbuf))?;
        let n = tbuf.filled().len();
        // SAFETY: `ReadBuf` guarantees its first `filled().len()` bytes are initialised,
        // and they are the first `n` bytes of hyper's unfilled region.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

forward_write!(tokio::io::AsyncWrite => hyper::rt::Write);

// hyper -> tokio.

impl<T: hyper::rt::Read> tokio::io::AsyncRead for Compat<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        tbuf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let filled = tbuf.filled().len();
        let n = {
            // SAFETY: the slice is only handed to hyper's `ReadBuf::uninit`, which never
            // de-initialises bytes.
            let unfilled = unsafe { tbuf.unfilled_mut() };
            let mut hbuf = hyper::rt::ReadBuf::uninit(unfilled);
            ready!(self.inner().poll_read(cx, hbuf.unfilled()))?;
            hbuf.filled().len()
        };
        // SAFETY: hyper's `ReadBuf` guarantees its first `n` (= `filled().len()`) bytes
        // are initialised; they are the first `n` bytes of tokio's unfilled region.
        unsafe { tbuf.assume_init(n) };
        tbuf.set_filled(filled + n);
        Poll::Ready(Ok(()))
    }
}

forward_write!(hyper::rt::Write => tokio::io::AsyncWrite);

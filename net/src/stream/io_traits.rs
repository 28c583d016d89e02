//! `AsyncRead`/`AsyncWrite` for [`Stream`] and its halves: tokio's and futures-io's,
//! both always (tokio's are what tokio-util, tokio-rustls, hyper-util and friends
//! take; futures-io's what futures and smol code takes). Plus the inherent async
//! `read`/`write` family, which calls tokio's extension traits, so it behaves exactly
//! as `AsyncReadExt::read` & co. (the inherent method wins method resolution).
//!
//! Every impl forwards to the stream's `&self` poll functions, so `Pin` is irrelevant
//! (all types here are `Unpin`). `poll_flush` has nothing to flush (the kernel owns the
//! send buffer); `poll_close`/`poll_shutdown` shut the write side down
//! (`Shutdown::Write`). tokio's `poll_read` reads into `ReadBuf::initialize_unfilled`
//! (no `unsafe`).
use super::{Kind, OwnedReadHalf, OwnedWriteHalf, ReadHalf, Stream, WriteHalf};
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The stream behind a reading or writing type.
trait HasStream<K: Kind> {
    fn stream(&self) -> &Stream<K>;
}

impl<K: Kind> HasStream<K> for Stream<K> {
    fn stream(&self) -> &Stream<K> {
        self
    }
}

macro_rules! has_stream {
    ($([$($gen:tt)*] $ty:ty),* $(,)?) => {$(
        impl<$($gen)*> HasStream<K> for $ty {
            fn stream(&self) -> &Stream<K> {
                <$ty>::stream(self)
            }
        }
    )*};
}

has_stream!(
    ['a, K: Kind] ReadHalf<'a, K>,
    ['a, K: Kind] WriteHalf<'a, K>,
    [K: Kind] OwnedReadHalf<K>,
    [K: Kind] OwnedWriteHalf<K>,
);

macro_rules! impl_read {
    ($([$($gen:tt)*] $ty:ty),* $(,)?) => {$(
        impl<$($gen)*> futures_io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.stream().poll_read_priv(cx, buf)
            }
        }

        impl<$($gen)*> tokio::io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                crate::buf::poll_fill(buf, |bytes| self.stream().poll_read_priv(cx, bytes))
            }
        }

        impl<$($gen)*> $ty {
            /// Reads what is available into `buf`, waiting until something is. `Ok(0)`
            /// is EOF (or an empty `buf`). Same as `AsyncReadExt::read`; cancel safe.
            pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                tokio::io::AsyncReadExt::read(self, buf).await
            }

            /// Reads exactly `buf.len()` bytes; `UnexpectedEof` if the peer closes
            /// first. Same as `AsyncReadExt::read_exact`.
            pub async fn read_exact(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                tokio::io::AsyncReadExt::read_exact(self, buf).await
            }

            /// Reads until EOF, appending to `buf`; returns the number of bytes read.
            /// Same as `AsyncReadExt::read_to_end`.
            pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
                tokio::io::AsyncReadExt::read_to_end(self, buf).await
            }
        }
    )*};
}

/// The write methods futures-io's and tokio's `AsyncWrite` share (they differ only in
/// the name of the shutdown method, `$close`).
macro_rules! write_fns {
    ($close:ident) => {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.stream().poll_write_priv(cx, buf)
        }

        fn poll_write_vectored(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            self.stream().poll_write_vectored_priv(cx, bufs)
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn $close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(self.stream().shutdown_std(Shutdown::Write))
        }
    };
}

macro_rules! impl_write {
    ($([$($gen:tt)*] $ty:ty),* $(,)?) => {$(
        impl<$($gen)*> futures_io::AsyncWrite for $ty {
            write_fns!(poll_close);
        }

        impl<$($gen)*> tokio::io::AsyncWrite for $ty {
            write_fns!(poll_shutdown);

            fn is_write_vectored(&self) -> bool {
                true
            }
        }

        impl<$($gen)*> $ty {
            /// Writes some of `buf`, waiting until the socket accepts at least one
            /// byte. Same as `AsyncWriteExt::write`; cancel safe.
            pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                tokio::io::AsyncWriteExt::write(self, buf).await
            }

            /// Writes all of `buf` (`WriteZero` if the socket takes no more). Same as
            /// `AsyncWriteExt::write_all`.
            pub async fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
                tokio::io::AsyncWriteExt::write_all(self, buf).await
            }

            /// Shuts the write side down (`Shutdown::Write`): the peer reads EOF,
            /// further writes fail; reading still works. Same as
            /// `AsyncWriteExt::shutdown`.
            pub async fn shutdown(&mut self) -> io::Result<()> {
                tokio::io::AsyncWriteExt::shutdown(self).await
            }
        }
    )*};
}

impl_read!(
    [K: Kind] Stream<K>,
    ['a, K: Kind] ReadHalf<'a, K>,
    [K: Kind] OwnedReadHalf<K>,
);
impl_write!(
    [K: Kind] Stream<K>,
    ['a, K: Kind] WriteHalf<'a, K>,
    [K: Kind] OwnedWriteHalf<K>,
);

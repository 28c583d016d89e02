//! `AsyncRead`/`AsyncWrite` for the stream types and their halves: the `futures-io`
//! traits always, tokio's behind the `tokio-io` feature.
//!
//! Every impl forwards to the stream's `&self` poll functions, so `Pin` is irrelevant
//! (all types here are `Unpin`). `poll_flush` has nothing to flush (the kernel owns the
//! send buffer); `poll_close`/`poll_shutdown` shut the write side down (`Shutdown::Write`).
//! tokio's `poll_read` reads into `ReadBuf::initialize_unfilled` (no `unsafe`).
//!
//! Method resolution pitfall: with `futures::io::AsyncReadExt` in scope, `stream.split()`
//! resolves to that trait's *by-value* `split` (a `BiLock` pair) before the inherent
//! `&mut self` one; write `TcpStream::split(&mut stream)` there. Inherent `read`,
//! `write_all`, `shutdown`... take `&mut self` like the extension traits, so the inherent
//! ones win and behave the same.
use crate::tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, TcpStream, WriteHalf};
#[cfg(unix)]
use crate::unix;
use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll};

impl TcpStream {
    fn stream(&self) -> &TcpStream {
        self
    }
}

#[cfg(unix)]
impl unix::UnixStream {
    fn stream(&self) -> &unix::UnixStream {
        self
    }
}

macro_rules! impl_read {
    ($($ty:ty),* $(,)?) => {$(
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.stream().poll_read_priv(cx, buf)
            }
        }

        #[cfg(feature = "tokio-io")]
        impl tokio::io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                let unfilled = buf.initialize_unfilled();
                match self.stream().poll_read_priv(cx, unfilled) {
                    Poll::Ready(Ok(n)) => {
                        buf.advance(n);
                        Poll::Ready(Ok(()))
                    }
                    Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    )*};
}

macro_rules! impl_write {
    ($($ty:ty),* $(,)?) => {$(
        impl futures_io::AsyncWrite for $ty {
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

            fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(self.stream().shutdown_std(Shutdown::Write))
            }
        }

        #[cfg(feature = "tokio-io")]
        impl tokio::io::AsyncWrite for $ty {
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

            fn is_write_vectored(&self) -> bool {
                true
            }

            fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(self.stream().shutdown_std(Shutdown::Write))
            }
        }
    )*};
}

impl_read!(TcpStream, ReadHalf<'_>, OwnedReadHalf);
impl_write!(TcpStream, WriteHalf<'_>, OwnedWriteHalf);

#[cfg(unix)]
impl_read!(unix::UnixStream, unix::ReadHalf<'_>, unix::OwnedReadHalf);
#[cfg(unix)]
impl_write!(unix::UnixStream, unix::WriteHalf<'_>, unix::OwnedWriteHalf);

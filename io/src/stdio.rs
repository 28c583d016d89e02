//! [`stdin`], [`stdout`], [`stderr`]: the process's standard streams as tokio's
//! `AsyncRead`/`AsyncWrite`, over robin's blocking pool (see `blocking.rs`).
//!
//! As in tokio, each operation is an ordinary blocking call on a blocking-pool thread;
//! a read that started cannot be cancelled (shutting the runtime down may wait for it
//! until its `shutdown_timeout`), and writes are reported done once handed to that
//! thread: call `flush` to wait until they reached the OS. Handles are independent:
//! writes of two `Stdout`s may interleave. Creating a handle needs no runtime; using it
//! needs one (it spawns blocking work).
use crate::blocking::Blocking;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A handle to the process's standard input (tokio's `Stdin`), from [`stdin`].
///
/// Best for non-interactive input such as a piped file: the read in flight blocks a
/// blocking-pool thread until data or EOF arrives, and cannot be cancelled.
#[derive(Debug)]
pub struct Stdin {
    std: Blocking<io::Stdin>,
}

/// A handle to the process's standard output (tokio's `Stdout`), from [`stdout`].
#[derive(Debug)]
pub struct Stdout {
    std: Blocking<io::Stdout>,
}

/// A handle to the process's standard error (tokio's `Stderr`), from [`stderr`].
#[derive(Debug)]
pub struct Stderr {
    std: Blocking<io::Stderr>,
}

/// A handle to standard input.
///
/// ```no_run
/// use robin_io::AsyncReadExt;
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let mut input = String::new();
/// robin_io::stdin().read_to_string(&mut input).await.unwrap();
/// # });
/// ```
pub fn stdin() -> Stdin {
    Stdin {
        std: Blocking::new(io::stdin()),
    }
}

/// A handle to standard output.
///
/// ```
/// use robin_io::AsyncWriteExt;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut out = robin_io::stdout();
///     out.write_all(b"hello from robin\n").await.unwrap();
///     out.flush().await.unwrap();
/// });
/// ```
pub fn stdout() -> Stdout {
    Stdout {
        std: Blocking::new(io::stdout()),
    }
}

/// A handle to standard error.
pub fn stderr() -> Stderr {
    Stderr {
        std: Blocking::new(io::stderr()),
    }
}

impl AsyncRead for Stdin {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut().std.poll_read(cx, buf)
    }
}

macro_rules! impl_write {
    ($($ty:ty),*) => {$(
        impl AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.get_mut().std.poll_write(cx, buf)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().std.poll_flush(cx)
            }

            /// Flushes (a standard stream cannot be shut down).
            fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                self.get_mut().std.poll_flush(cx)
            }
        }
    )*};
}

impl_write!(Stdout, Stderr);

#[cfg(unix)]
mod fd {
    use super::{Stderr, Stdin, Stdout};
    use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

    macro_rules! impl_fd {
        ($($ty:ty => $std:expr),*) => {$(
            impl AsRawFd for $ty {
                fn as_raw_fd(&self) -> RawFd {
                    $std.as_raw_fd()
                }
            }

            impl AsFd for $ty {
                fn as_fd(&self) -> BorrowedFd<'_> {
                    // SAFETY: the standard streams' descriptors stay open for the whole
                    // life of the process (std never closes them), so they outlive `self`.
                    unsafe { BorrowedFd::borrow_raw(self.as_raw_fd()) }
                }
            }
        )*};
    }

    impl_fd!(Stdin => std::io::stdin(), Stdout => std::io::stdout(), Stderr => std::io::stderr());
}

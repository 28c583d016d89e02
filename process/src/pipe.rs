//! The child's stdio pipes: non-blocking `mio` pipe ends registered with the driver.
//!
//! One generic [`Pipe`] holds the registration and the mio end; the three public types
//! only choose the direction and the std type they come from. Dropping a pipe
//! deregisters it before its descriptor closes (which the child sees as EOF / EPIPE).
use robin_runtime::io::{Direction, Interest, Registration};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::pin::Pin;
use std::process::Stdio;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A registered pipe end (`E` is `mio::unix::pipe::Sender` or `Receiver`).
#[derive(Debug)]
struct Pipe<E: mio::event::Source + AsRawFd + Into<OwnedFd>> {
    /// `None` only after `into_owned_fd` took it.
    end: Option<E>,
    registration: Registration,
}

impl<E: mio::event::Source + AsRawFd + Into<OwnedFd>> Pipe<E> {
    fn new(mut end: E, interest: Interest) -> io::Result<Self> {
        let registration = Registration::try_new(&mut end, interest)?;
        Ok(Pipe {
            end: Some(end),
            registration,
        })
    }

    fn end(&self) -> &E {
        self.end
            .as_ref()
            .expect("pipe end present until into_owned_fd")
    }

    /// Deregisters and returns the descriptor, back in blocking mode.
    fn into_owned_fd(mut self) -> io::Result<OwnedFd> {
        let mut end = self
            .end
            .take()
            .expect("pipe end present until into_owned_fd");
        let _ = self.registration.deregister(&mut end);
        let fd: OwnedFd = end.into();
        set_blocking(&fd)?;
        Ok(fd)
    }
}

impl<E: mio::event::Source + AsRawFd + Into<OwnedFd>> Drop for Pipe<E> {
    fn drop(&mut self) {
        if let Some(mut end) = self.end.take() {
            let _ = self.registration.deregister(&mut end);
        }
    }
}

fn set_blocking(fd: &OwnedFd) -> io::Result<()> {
    // SAFETY: `fd` is an open descriptor we own; F_GETFL/F_SETFL only change its flags.
    unsafe {
        let flags = libc::fcntl(fd.as_raw_fd(), libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd.as_raw_fd(), libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

macro_rules! pipe_type {
    ($(#[$doc:meta])* $name:ident, $std:ty, $end:ty, $interest:expr) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name {
            inner: Pipe<$end>,
        }

        impl $name {
            /// Creates an asynchronous handle from std's, setting it non-blocking and
            /// registering it with the current runtime's driver.
            ///
            /// # Errors
            ///
            /// Outside a runtime, on a runtime without I/O, or if the descriptor cannot
            /// be made non-blocking.
            pub fn from_std(inner: $std) -> io::Result<Self> {
                let end = <$end>::from(inner);
                end.set_nonblocking(true)?;
                Ok($name { inner: Pipe::new(end, $interest)? })
            }

            /// Converts into an [`OwnedFd`] (deregistered, back in blocking mode).
            pub fn into_owned_fd(self) -> io::Result<OwnedFd> {
                self.inner.into_owned_fd()
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.inner.end().as_raw_fd()
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                // SAFETY: the descriptor is open as long as `self` (which the borrow ties
                // the result to) holds the pipe end.
                unsafe { BorrowedFd::borrow_raw(self.as_raw_fd()) }
            }
        }

        /// Converts into a `Stdio` (e.g. to pipe one child into another).
        impl TryFrom<$name> for Stdio {
            type Error = io::Error;

            fn try_from(pipe: $name) -> io::Result<Stdio> {
                pipe.into_owned_fd().map(Stdio::from)
            }
        }
    };
}

pipe_type!(
    /// The standard input stream of a spawned child: implements `AsyncWrite`.
    ///
    /// Dropping it (or [`Child::wait`](crate::Child::wait), which drops it first) closes
    /// the pipe, which the child sees as end of input. Writing after the child closed
    /// its end fails with `ErrorKind::BrokenPipe`.
    ChildStdin,
    std::process::ChildStdin,
    mio::unix::pipe::Sender,
    Interest::WRITABLE
);
pipe_type!(
    /// The standard output stream of a spawned child: implements `AsyncRead`.
    ChildStdout,
    std::process::ChildStdout,
    mio::unix::pipe::Receiver,
    Interest::READABLE
);
pipe_type!(
    /// The standard error stream of a spawned child: implements `AsyncRead`.
    ChildStderr,
    std::process::ChildStderr,
    mio::unix::pipe::Receiver,
    Interest::READABLE
);

impl AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let pipe = &self.inner;
        pipe.registration
            .poll_io(cx, Direction::Write, || pipe.end().write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let pipe = &self.inner;
        pipe.registration
            .poll_io(cx, Direction::Write, || pipe.end().write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        // As tokio: the pipe closes when the handle drops.
        Poll::Ready(Ok(()))
    }
}

fn poll_read_pipe(
    pipe: &Pipe<mio::unix::pipe::Receiver>,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
) -> Poll<io::Result<()>> {
    let dst = buf.initialize_unfilled();
    match pipe
        .registration
        .poll_io(cx, Direction::Read, || pipe.end().read(dst))
    {
        Poll::Ready(Ok(n)) => {
            buf.advance(n);
            Poll::Ready(Ok(()))
        }
        Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
        Poll::Pending => Poll::Pending,
    }
}

/// tokio's `AsyncRead` for the read ends, one body for both.
macro_rules! impl_async_read {
    ($($name:ident),*) => {$(
        impl AsyncRead for $name {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<()>> {
                poll_read_pipe(&self.inner, cx, buf)
            }
        }
    )*};
}

impl_async_read!(ChildStdout, ChildStderr);

//! `Evented<S>`: a mio source plus its driver [`Registration`]; the core every socket
//! type is built on.
//!
//! Ownership: the socket type owns its `Evented`; the source lives in an `Option` only so
//! that `into_inner` and `Drop` can take it out. On drop the source is deregistered from
//! the driver *before* its file descriptor closes, then the registration releases its
//! token (the driver ignores events still in flight for it, by generation).
use robin_runtime::io::{Direction, Interest, Registration};
use std::fmt;
use std::io;
use std::task::{Context, Poll};

pub(crate) struct Evented<S: mio::event::Source> {
    io: Option<S>,
    registration: Registration,
}

impl<S: mio::event::Source> Evented<S> {
    /// Registers `io` with the current runtime's driver (panics outside a runtime with the I/O driver, as tokio).
    #[track_caller]
    pub(crate) fn new(mut io: S, interest: Interest) -> io::Result<Self> {
        let registration = Registration::new(&mut io, interest)?;
        Ok(Evented {
            io: Some(io),
            registration,
        })
    }

    /// The source.
    pub(crate) fn io(&self) -> &S {
        // Only `into_inner` and `Drop` take the source, and both consume `self`.
        self.io.as_ref().expect("robin-net: source already taken")
    }

    pub(crate) fn registration(&self) -> &Registration {
        &self.registration
    }

    /// Deregisters and returns the source.
    pub(crate) fn into_inner(mut self) -> io::Result<S> {
        let mut io = self.io.take().expect("robin-net: source already taken");
        self.registration.deregister(&mut io)?;
        Ok(io)
    }

    /// Runs `op` until it does not return `WouldBlock`, waiting for `direction`.
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let io = self.io();
        self.registration.poll_io(cx, direction, || op(io))
    }

    /// [`poll_io`](Self::poll_io) for a stream read or write of `len` bytes: a shorter
    /// transfer clears the readiness too ([`Registration::poll_stream_io`]).
    pub(crate) fn poll_stream_io(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        len: usize,
        mut op: impl FnMut(&S) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let io = self.io();
        self.registration
            .poll_stream_io(cx, direction, len, || op(io))
    }

    /// As [`poll_io`](Self::poll_io) for a read into `buf`'s unfilled part: `op` gets
    /// those bytes and returns how many it wrote plus its own result `R` (e.g. the
    /// sender's address); `buf` is advanced by that count. One body for every
    /// `poll_recv*`/`poll_peek*`.
    pub(crate) fn poll_read_buf<R>(
        &self,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
        mut op: impl FnMut(&S, &mut [u8]) -> io::Result<(usize, R)>,
    ) -> Poll<io::Result<R>> {
        let unfilled = buf.initialize_unfilled();
        let (n, res) = std::task::ready!(self.poll_io(cx, Direction::Read, |io| op(io, unfilled)))?;
        buf.advance(n);
        Poll::Ready(Ok(res))
    }

    /// Runs `op` once if ready for `interest` (the `try_*` family).
    pub(crate) fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        let io = self.io();
        self.registration.try_io(interest, || op(io))
    }

    /// Waits for `interest`, then runs `op`, retrying on `WouldBlock`.
    pub(crate) async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        let io = self.io();
        self.registration.async_io(interest, || op(io)).await
    }

    /// Waits until the source is ready for any of `interest`; reports only what
    /// `interest` asked for, as tokio (`reported_readiness`).
    pub(crate) async fn ready(&self, interest: Interest) -> io::Result<robin_runtime::io::Ready> {
        let seen = self.registration.readiness(interest).await?.ready;
        Ok(robin_runtime::io::reported_readiness(interest, seen))
    }

    /// Waits until the source is ready in `direction` without clearing anything.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<()>> {
        self.registration
            .poll_ready(cx, direction)
            .map(|res| res.map(|_| ()))
    }
}

impl<S: mio::event::Source + fmt::Debug> fmt::Debug for Evented<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Evented").field("io", &self.io).finish()
    }
}

impl<S: mio::event::Source> Drop for Evented<S> {
    fn drop(&mut self) {
        if let Some(mut io) = self.io.take() {
            // Deregister before the fd closes (when `io` drops at the end of this block).
            // A failure means the driver is gone; closing the fd removes it from epoll anyway.
            let _ = self.registration.deregister(&mut io);
        }
    }
}

/// The readiness methods of every two-way socket type, tokio's `ready`, `readable`,
/// `writable`, `try_io` and `async_io`, written once over the type's `io: Evented<_>`
/// field. The two literals finish the docs of `readable` and `writable` ("Waits until
/// ...").
macro_rules! readiness_methods {
    ($readable:literal, $writable:literal) => {
        /// Waits until the socket is ready for any of `interest`, and returns the
        /// readiness seen, limited to what `interest` asks for, as tokio's (`ERROR` only
        /// for `Interest::ERROR`, a closed flag only for its own direction). Cancel safe.
        pub async fn ready(
            &self,
            interest: robin_runtime::io::Interest,
        ) -> std::io::Result<robin_runtime::io::Ready> {
            self.io.ready(interest).await
        }

        #[doc = concat!("Waits until ", $readable, ". Cancel safe.")]
        pub async fn readable(&self) -> std::io::Result<()> {
            self.ready(robin_runtime::io::Interest::READABLE)
                .await
                .map(|_| ())
        }

        #[doc = concat!("Waits until ", $writable, ". Cancel safe.")]
        pub async fn writable(&self) -> std::io::Result<()> {
            self.ready(robin_runtime::io::Interest::WRITABLE)
                .await
                .map(|_| ())
        }

        /// Runs a custom non-blocking operation `f` if the socket is ready for
        /// `interest`; a `WouldBlock` from `f` clears that readiness.
        pub fn try_io<R>(
            &self,
            interest: robin_runtime::io::Interest,
            f: impl FnOnce() -> std::io::Result<R>,
        ) -> std::io::Result<R> {
            self.io.try_io(interest, |_| f())
        }

        /// Waits for `interest` and runs `f`, again after each `WouldBlock` (which
        /// clears the readiness it was run on).
        pub async fn async_io<R>(
            &self,
            interest: robin_runtime::io::Interest,
            mut f: impl FnMut() -> std::io::Result<R>,
        ) -> std::io::Result<R> {
            self.io.async_io(interest, |_| f()).await
        }
    };
}
pub(crate) use readiness_methods;

/// What UDP and Unix datagram sockets share beyond [`readiness_methods!`]: the
/// `poll_*_ready` pair and the `recv_buf*` family. `SocketAddr` is the invoking module's
/// (std's for UDP, `unix::SocketAddr` for Unix), reached by `From` from mio's.
macro_rules! datagram_methods {
    () => {
        /// Polls for read readiness.
        pub fn poll_recv_ready(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.io.poll_ready(cx, robin_runtime::io::Direction::Read)
        }

        /// Polls for write readiness.
        pub fn poll_send_ready(
            &self,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<std::io::Result<()>> {
            self.io.poll_ready(cx, robin_runtime::io::Direction::Write)
        }

        /// Receives one datagram from the connected peer into the spare capacity of
        /// `buf`, advancing it; waits until one is there.
        pub async fn recv_buf<B: bytes::BufMut>(&self, buf: &mut B) -> std::io::Result<usize> {
            self.io
                .async_io(robin_runtime::io::Interest::READABLE, |io| {
                    crate::buf::read_into(buf, |bytes| Ok((io.recv(bytes)?, ())))
                })
                .await
                .map(|(n, ())| n)
        }

        /// Receives one datagram and its source into the spare capacity of `buf`.
        pub async fn recv_buf_from<B: bytes::BufMut>(
            &self,
            buf: &mut B,
        ) -> std::io::Result<(usize, SocketAddr)> {
            self.io
                .async_io(robin_runtime::io::Interest::READABLE, |io| {
                    crate::buf::read_into(buf, |bytes| io.recv_from(bytes))
                })
                .await
                .map(|(n, from)| (n, SocketAddr::from(from)))
        }
    };
}
pub(crate) use datagram_methods;

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

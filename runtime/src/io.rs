//! Readiness-based I/O on the runtime's driver: the building block of `robin::net`.
//!
//! A [`Registration`] ties a `mio` source to the driver of the current runtime. Socket
//! types call [`Registration::poll_io`] with a closure that performs one non-blocking
//! operation: it runs the closure while the resource is ready, and when the closure hits
//! `WouldBlock` it clears the readiness it observed (edge-triggered discipline; a newer
//! event is never cleared, see `driver/scheduled_io.rs`) and waits for the next event.
//!
//! Every wait spends one unit of the task's cooperative budget, and fails with an
//! `io::Error` once the runtime has shut down, rather than hanging.
pub use crate::driver::Interest;
pub use crate::driver::{Direction, Ready, ReadyEvent};

mod read_ahead;

use crate::driver::{self, ScheduledIo};
use crate::loom::sync::Arc;
use crate::runtime::Handle;
use std::future::{poll_fn, Future};
use std::io;
use std::task::{Context, Poll};

/// A resource registered with a runtime's I/O driver.
///
/// Drop it *after* deregistering the source (`deregister`), or let the source's close
/// remove it from epoll; either way the token is freed and stale events are ignored.
#[derive(Debug)]
pub struct Registration {
    driver: Arc<driver::Handle>,
    shared: Arc<ScheduledIo>,
    token: mio::Token,
    /// Whether a read after a short read is worth its syscall ([`poll_stream_io`]).
    ///
    /// [`poll_stream_io`]: Registration::poll_stream_io
    read_ahead: read_ahead::ReadAhead,
}

impl Registration {
    /// Registers `source` with the current runtime's driver, as tokio's sockets do.
    ///
    /// Fails with an `io::Error` if that runtime has shut down.
    ///
    /// # Panics
    /// Outside the context of a robin runtime, or on a runtime built without the I/O
    /// driver (tokio documents the same panic for every socket constructor). Use
    /// [`try_new`](Self::try_new) where an error value is wanted instead.
    #[track_caller]
    pub fn new(
        source: &mut (impl mio::event::Source + ?Sized),
        interest: Interest,
    ) -> io::Result<Registration> {
        let handle = match Handle::try_current() {
            Ok(handle) => handle,
            Err(err) => panic!("robin::io: {err}"),
        };
        if !handle.inner.driver().is_some_and(|driver| driver.enable_io) {
            panic!("robin::io: {}", io_disabled());
        }
        Registration::with_handle(source, interest, &handle)
    }

    /// As [`new`](Self::new), but an `io::Error` (not a panic) outside a runtime or
    /// without the I/O driver.
    pub fn try_new(
        source: &mut (impl mio::event::Source + ?Sized),
        interest: Interest,
    ) -> io::Result<Registration> {
        let handle = Handle::try_current().map_err(|e| io::Error::other(e.to_string()))?;
        Registration::with_handle(source, interest, &handle)
    }

    /// Registers `source` with `handle`'s driver.
    pub fn with_handle(
        source: &mut (impl mio::event::Source + ?Sized),
        interest: Interest,
        handle: &Handle,
    ) -> io::Result<Registration> {
        let driver = handle
            .inner
            .driver()
            .ok_or_else(|| io::Error::other(io_disabled()))?;
        let (token, shared) =
            driver.register(source, interest.to_mio(), crate::context::thread_number())?;
        Ok(Registration {
            driver: driver.clone(),
            shared,
            token,
            read_ahead: read_ahead::ReadAhead::default(),
        })
    }

    /// Removes `source` from the driver. Waits on this registration then fail with an
    /// error (those in progress are woken), instead of waiting for events that will
    /// never come.
    pub fn deregister(
        &mut self,
        source: &mut (impl mio::event::Source + ?Sized),
    ) -> io::Result<()> {
        let res = self.driver.deregister(source);
        let mut wakers = Vec::new();
        self.shared.shutdown(&mut wakers);
        wakers.into_iter().for_each(std::task::Waker::wake);
        res
    }

    /// Waits until the resource is ready in `direction` (or its peer closed, or an error
    /// is pending). Spends cooperative budget.
    ///
    /// As tokio's `poll_read_ready`/`poll_write_ready`: each direction keeps **one**
    /// waker, so when several tasks poll the same direction only the last one is woken.
    /// Async operations that many tasks may await at once use [`readiness`] instead.
    ///
    /// [`readiness`]: Registration::readiness
    pub fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        let readable = matches!(direction, Direction::Read);
        Self::budgeted(cx, (readable, !readable), |cx| {
            self.shared.poll_ready(cx, direction)
        })
    }

    /// Waits until the resource is ready for any of `interest`.
    pub async fn readiness(&self, interest: Interest) -> io::Result<ReadyEvent> {
        // The future owns its waiter node (linked while it waits, unlinked on drop), so
        // any number of tasks can wait on one resource at once.
        let mut readiness = std::pin::pin!(self.shared.readiness(Ready::for_interest(interest)));
        let tag = (interest.is_readable(), interest.is_writable());
        poll_fn(|cx| Self::budgeted(cx, tag, |cx| readiness.as_mut().poll(cx))).await
    }

    /// One readiness wait, spending cooperative budget: `poll` asks the driver's state; a
    /// closed resource is the shutdown error; `tag` (readable, writable) says what a
    /// pending task waits for, in task dumps.
    fn budgeted(
        cx: &mut Context<'_>,
        tag: (bool, bool),
        poll: impl FnOnce(&mut Context<'_>) -> Poll<ReadyEvent>,
    ) -> Poll<io::Result<ReadyEvent>> {
        let coop = match robin_sync::coop::poll_proceed(cx) {
            Poll::Ready(coop) => coop,
            Poll::Pending => return Poll::Pending,
        };
        match poll(cx) {
            Poll::Ready(event) if event.closed => {
                Poll::Ready(Err(driver::Handle::io_shutdown_error()))
            }
            Poll::Ready(event) => {
                coop.made_progress();
                Poll::Ready(Ok(event))
            }
            Poll::Pending => {
                tag_io(cx, tag.0, tag.1);
                Poll::Pending
            }
        }
    }

    /// Forgets the readiness `event` reported (call after an operation hit `WouldBlock`),
    /// as tokio's `clear_ready` does: readable, writable, priority and error are cleared;
    /// the closed flags stay (a closed side stays closed), unless a newer event arrived.
    pub fn clear_readiness(&self, event: ReadyEvent) {
        self.shared
            .clear_readiness(event, Ready::READ_CLOSED | Ready::WRITE_CLOSED);
    }

    /// An operation just returned `WouldBlock` for the readiness `event` reported: that
    /// proves every flag it saw stale, closed flags included (a truly closed side makes
    /// reads return 0 and writes fail, never `WouldBlock`). Clearing them all matters
    /// for errors: epoll reports a pending `SO_ERROR` (e.g. an ICMP port-unreachable on a
    /// connected UDP socket) as `EPOLLERR | EPOLLOUT`, which mio also reports as
    /// write-closed; left set, every later wait would return at once and spin (issue
    /// 12, defect 2).
    pub fn clear_stale(&self, event: ReadyEvent) {
        self.shared.clear_readiness(event, Ready::EMPTY);
    }

    /// Runs the non-blocking operation `op` until it does not return `WouldBlock`,
    /// waiting for readiness in `direction` in between (through [`poll_ready`]'s one
    /// waker per direction: for the `poll_*` methods; async methods use [`async_io`]).
    ///
    /// [`poll_ready`]: Registration::poll_ready
    /// [`async_io`]: Registration::async_io
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_event(cx, direction, op)
            .map(|res| res.map(|(out, _event)| out))
    }

    /// The loop of [`poll_io`](Self::poll_io): also returns the readiness event the
    /// successful operation ran under, for a caller that may clear it.
    fn poll_io_event<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<(R, ReadyEvent)>> {
        loop {
            let event = match self.poll_ready(cx, direction) {
                Poll::Ready(Ok(event)) => event,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            };
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.clear_stale(event),
                res => return Poll::Ready(res.map(|out| (out, event))),
            }
        }
    }

    /// [`poll_io`](Self::poll_io) for one read or write of `len` bytes on a byte stream
    /// (a TCP or Unix stream, a pipe). A transfer shorter than asked (but not 0) proves
    /// the kernel's buffer drained (read) or filled (write) at that moment:
    ///
    /// - after a short **write** the write readiness is cleared, as tokio's `PollEvented`
    ///   does: the next write waits for the edge epoll reports when space frees up,
    ///   instead of a `write(2)` that can only return `WouldBlock`;
    /// - after a short **read** it depends on the stream's history (`io/read_ahead.rs`):
    ///   a peer that tends to have sent more by the next read (a blocking client, a
    ///   pipelined request) keeps the readiness, so that data is read at once; a
    ///   request/response peer, whose next read would only return `WouldBlock`, gets the
    ///   readiness cleared (tokio always clears it).
    ///
    /// A newer event is never cleared.
    pub fn poll_stream_io(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        len: usize,
        mut op: impl FnMut() -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        let read = matches!(direction, Direction::Read);
        let op = || {
            let res = op();
            if read && matches!(&res, Err(err) if err.kind() == io::ErrorKind::WouldBlock) {
                self.read_ahead.after_would_block();
            }
            res
        };
        let (n, event) = std::task::ready!(self.poll_io_event(cx, direction, op))?;
        let clear = match (n, read) {
            (0, _) => false,
            (n, true) => self.read_ahead.after_read(n, len),
            (n, false) => n < len,
        };
        if clear {
            self.clear_readiness(event);
        }
        Poll::Ready(Ok(n))
    }

    /// Runs `op` once if the resource is currently ready for `interest`; `WouldBlock`
    /// otherwise (the `try_read`/`try_write` family).
    pub fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce() -> io::Result<R>,
    ) -> io::Result<R> {
        let Some(event) = self.shared.ready_event(Ready::for_interest(interest)) else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        if event.closed {
            return Err(driver::Handle::io_shutdown_error());
        }
        match op() {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                self.clear_stale(event);
                Err(err)
            }
            res => res,
        }
    }

    /// Runs `op` after waiting for `interest`, retrying on `WouldBlock` (the async
    /// `readable().await` + `try_io` loop in one call).
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let event = self.readiness(interest).await?;
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.clear_stale(event),
                res => return res,
            }
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.driver.release(self.token);
    }
}

/// What a `ready(interest)` call reports for the readiness `seen`, as tokio's
/// (`Ready::from_interest`): only the states `interest` asks for — `READABLE` and
/// `READ_CLOSED` for a reader, `WRITABLE` and `WRITE_CLOSED` for a writer, `PRIORITY`
/// and `READ_CLOSED` for priority, and `ERROR` only for [`Interest::ERROR`].
///
/// robin also wakes readers and writers on a pending error, where tokio keeps waiting
/// (so the operation runs and returns the error instead of waiting for an event that
/// may never come, issue 12). Such a wake reports the asked-for readiness
/// (`READABLE`/`WRITABLE`/`PRIORITY`): the operation will not block, it fails with the
/// error. It never reports `ERROR` or a closed flag of the other direction.
pub fn reported_readiness(interest: Interest, seen: Ready) -> Ready {
    let mut open = Ready::EMPTY;
    let mut closed = Ready::EMPTY;
    if interest.is_readable() {
        open |= Ready::READABLE;
        closed |= Ready::READ_CLOSED;
    }
    if interest.is_writable() {
        open |= Ready::WRITABLE;
        closed |= Ready::WRITE_CLOSED;
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if interest.is_priority() {
        open |= Ready::PRIORITY;
        closed |= Ready::READ_CLOSED;
    }
    let errors = if interest.is_error() {
        Ready::ERROR
    } else {
        Ready::EMPTY
    };
    let shown = seen & (open | closed | errors);
    if shown.is_empty() && seen.is_error() {
        open
    } else {
        shown
    }
}

/// Why a runtime without the I/O driver cannot take a source.
fn io_disabled() -> &'static str {
    "a robin runtime was found, but it was built without the I/O driver: call \
     `enable_io` (or `enable_all`) on the runtime builder"
}

/// Tags the polling task as waiting for I/O readiness (for task dumps).
#[inline]
fn tag_io(cx: &Context<'_>, readable: bool, writable: bool) {
    crate::engine::diag::tag(
        cx.waker(),
        crate::engine::diag::WaitTag::Io { readable, writable },
    );
}

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

use crate::driver::{self, ScheduledIo};
use crate::loom::sync::Arc;
use crate::runtime::Handle;
use std::future::poll_fn;
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
}

impl Registration {
    /// Registers `source` with the current runtime's driver.
    ///
    /// Fails with an `io::Error` outside a runtime, on a runtime without I/O enabled, or
    /// after it shut down.
    pub fn new(
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
        let driver = handle.inner.driver().ok_or_else(|| {
            io::Error::other("the robin runtime was built without the I/O driver: use Builder::enable_io or enable_all")
        })?;
        let (token, shared) =
            driver.register(source, interest.to_mio(), crate::context::thread_number())?;
        Ok(Registration {
            driver: driver.clone(),
            shared,
            token,
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
    pub fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        let coop = match robin_sync::coop::poll_proceed(cx) {
            Poll::Ready(coop) => coop,
            Poll::Pending => return Poll::Pending,
        };
        match self.shared.poll_ready(cx, direction.mask(), &[direction]) {
            Poll::Ready(event) if event.closed => {
                Poll::Ready(Err(driver::Handle::io_shutdown_error()))
            }
            Poll::Ready(event) => {
                coop.made_progress();
                Poll::Ready(Ok(event))
            }
            Poll::Pending => {
                let readable = matches!(direction, Direction::Read);
                tag_io(cx, readable, !readable);
                Poll::Pending
            }
        }
    }

    /// Waits until the resource is ready for any of `interest`.
    pub async fn readiness(&self, interest: Interest) -> io::Result<ReadyEvent> {
        let mask = Ready::for_interest(interest);
        let all = [Direction::Read, Direction::Write];
        // Priority and error-only waits sit on the reader list (the driver wakes it for
        // those events too, see `ScheduledIo::set_readiness`).
        let reads = interest.is_readable() || interest.is_priority() || interest.is_error();
        let directions: &[Direction] = match (reads, interest.is_writable()) {
            (true, true) => &all,
            (true, false) => &all[..1],
            _ => &all[1..],
        };
        poll_fn(|cx| {
            let coop = match robin_sync::coop::poll_proceed(cx) {
                Poll::Ready(coop) => coop,
                Poll::Pending => return Poll::Pending,
            };
            match self.shared.poll_ready(cx, mask, directions) {
                Poll::Ready(event) if event.closed => {
                    Poll::Ready(Err(driver::Handle::io_shutdown_error()))
                }
                Poll::Ready(event) => {
                    coop.made_progress();
                    Poll::Ready(Ok(event))
                }
                Poll::Pending => {
                    tag_io(cx, interest.is_readable(), interest.is_writable());
                    Poll::Pending
                }
            }
        })
        .await
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
    /// waiting for readiness in `direction` in between.
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        mut op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = match self.poll_ready(cx, direction) {
                Poll::Ready(Ok(event)) => event,
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            };
            match op() {
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => self.clear_stale(event),
                res => return Poll::Ready(res),
            }
        }
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

/// Tags the polling task as waiting for I/O readiness (for task dumps).
#[inline]
fn tag_io(cx: &Context<'_>, readable: bool, writable: bool) {
    crate::engine::diag::tag(
        cx.waker(),
        crate::engine::diag::WaitTag::Io { readable, writable },
    );
}

//! `ScheduledIo`: the readiness of one registered I/O resource and the wakers of the
//! tasks waiting on it.
//!
//! `readiness` packs the [`Ready`] flags (bits 0..8), a 16-bit **tick** (bits 8..24) that
//! the driver bumps on every event, and a shutdown bit. mio is edge-triggered: an
//! operation reads or writes until `WouldBlock`, then clears readiness. The clear is a
//! CAS that only succeeds if the tick is still the one the operation observed; if an
//! event arrived in between (tick changed), the readiness stays set and the next attempt
//! sees it, so no edge is lost.
//!
//! Waiters: a task that finds the resource not ready pushes its waker into the reader or
//! writer list *under the mutex* and then re-reads `readiness`. The driver updates
//! `readiness` first and takes the lists under the same mutex second. Whichever locks
//! second sees the other's write: either the driver finds the waker, or the task finds the
//! readiness (loom model below).
use super::ready::{Ready, ReadyEvent, PRIORITY_BIT};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use crate::loom::sync::Mutex;
use std::task::{Context, Poll, Waker};

const READY_MASK: usize = 0xFF;
const TICK_SHIFT: u32 = 8;
const TICK_MASK: usize = 0xFFFF << TICK_SHIFT;
const SHUTDOWN: usize = 1 << 24;

/// Which side of a resource an operation waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Reads (and accepts, receives).
    Read,
    /// Writes (and connects, sends).
    Write,
}

impl Direction {
    pub(crate) fn mask(self) -> Ready {
        match self {
            Direction::Read => Ready::READABLE | Ready::READ_CLOSED | Ready::ERROR,
            Direction::Write => Ready::WRITABLE | Ready::WRITE_CLOSED | Ready::ERROR,
        }
    }
}

#[derive(Default)]
pub(crate) struct ScheduledIo {
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

#[derive(Default)]
struct Waiters {
    reader: Vec<Waker>,
    writer: Vec<Waker>,
}

/// Adds `waker` unless an equivalent one is already listed. The list holds one waker per
/// task waiting in that direction (usually one or two); a cancelled wait leaves its
/// waker until the next event drains the list, costing at most a spurious wake-up.
///
/// Moves one of the caller's pre-made `clones` into the list when needed: the list's
/// mutex is held here, and `clone` is user code that must not run under it.
fn push_waker(list: &mut Vec<Waker>, clones: &mut Vec<Waker>) {
    let Some(waker) = clones.last() else { return };
    if !list.iter().any(|w| w.will_wake(waker)) {
        list.extend(clones.pop());
    }
}

impl std::fmt::Debug for ScheduledIo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let curr = self.readiness.load(Acquire);
        f.debug_struct("ScheduledIo")
            .field("ready", &Ready::from_bits(curr))
            .field("shutdown", &(curr & SHUTDOWN != 0))
            .finish()
    }
}

impl ScheduledIo {
    /// Driver: an event with `ready` arrived. Collects the wakers to wake into `wakers`
    /// (woken by the caller after it released its locks).
    pub(crate) fn set_readiness(&self, ready: Ready, wakers: &mut Vec<Waker>) {
        let mut curr = self.readiness.load(Acquire);
        loop {
            let tick = ((curr & TICK_MASK) >> TICK_SHIFT).wrapping_add(1) & 0xFFFF;
            let next = (curr & (READY_MASK | SHUTDOWN)) | ready.bits() | (tick << TICK_SHIFT);
            match self
                .readiness
                .compare_exchange_weak(curr, next, AcqRel, Acquire)
            {
                Ok(_) => break,
                Err(actual) => curr = actual,
            }
        }
        let mut waiters = self.waiters.lock().unwrap();
        // Priority and error-only waits sit on the reader list.
        let wakes_readers = Direction::Read.mask() | Ready::from_bits(PRIORITY_BIT.into());
        if !(ready & wakes_readers).is_empty() {
            wakers.append(&mut waiters.reader);
        }
        if !(ready & Direction::Write.mask()).is_empty() {
            wakers.append(&mut waiters.writer);
        }
    }

    /// The driver is going away: every current and future wait fails.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        let mut waiters = self.waiters.lock().unwrap();
        wakers.append(&mut waiters.reader);
        wakers.append(&mut waiters.writer);
    }

    fn event(curr: usize, mask: Ready) -> Option<ReadyEvent> {
        let ready = Ready::from_bits(curr) & mask;
        let closed = curr & SHUTDOWN != 0;
        (closed || !ready.is_empty()).then_some(ReadyEvent {
            tick: ((curr & TICK_MASK) >> TICK_SHIFT) as u16,
            ready,
            closed,
        })
    }

    /// The readiness for `mask` right now, if any (or the shutdown).
    pub(crate) fn ready_event(&self, mask: Ready) -> Option<ReadyEvent> {
        Self::event(self.readiness.load(Acquire), mask)
    }

    /// Ready (or shut down) for `mask`, or registers the waker for the directions in
    /// `directions` and returns `Pending`.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        mask: Ready,
        directions: &[Direction],
    ) -> Poll<ReadyEvent> {
        if let Some(event) = self.ready_event(mask) {
            return Poll::Ready(event);
        }
        // No user code under the lock (issue 12 defect 3): the waker's `clone` runs
        // before it and unneeded clones drop after it, so a panicking waker cannot poison
        // the list (which the driver takes while it holds the slab lock).
        let mut clones: Vec<Waker> = directions.iter().map(|_| cx.waker().clone()).collect();
        let event = {
            let mut waiters = self.waiters.lock().unwrap();
            for direction in directions {
                let list = match direction {
                    Direction::Read => &mut waiters.reader,
                    Direction::Write => &mut waiters.writer,
                };
                push_waker(list, &mut clones);
            }
            // Re-check under the lock (module docs): the driver may have set readiness
            // between our first load and taking the lock.
            self.ready_event(mask)
        };
        drop(clones);
        match event {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    /// Clears the readiness `event` reported, except the flags in `keep`, unless a newer
    /// event arrived since.
    ///
    /// Nothing is sticky by itself: the caller decides. An operation that hit
    /// `WouldBlock` clears everything it saw (`keep` empty), error and closed flags
    /// included, because `WouldBlock` proves them stale; keeping `ERROR` set here made
    /// every later wait return at once and spin Ready → WouldBlock (issue 12, defect 2).
    /// A user clearing readiness by hand (`AsyncFd` guards) keeps the closed flags, as
    /// tokio does.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent, keep: Ready) {
        let clear = (event.ready - keep).bits();
        let mut curr = self.readiness.load(Acquire);
        loop {
            if ((curr & TICK_MASK) >> TICK_SHIFT) as u16 != event.tick {
                return;
            }
            match self
                .readiness
                .compare_exchange_weak(curr, curr & !clear, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => curr = actual,
            }
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::sync::Arc;

    /// A task registers for readability while the driver delivers a readable event: the
    /// task either sees the readiness or is woken; it never sleeps through the event.
    #[test]
    fn registration_vs_concurrent_event() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::default());
            let driver = {
                let io = io.clone();
                loom::thread::spawn(move || {
                    let mut wakers = Vec::new();
                    io.set_readiness(Ready::READABLE, &mut wakers);
                    wakers.into_iter().for_each(Waker::wake);
                })
            };
            let ready = loom::future::block_on(std::future::poll_fn(|cx| {
                io.poll_ready(cx, Direction::Read.mask(), &[Direction::Read])
            }));
            assert!(ready.ready.is_readable());
            driver.join().unwrap();
        });
    }

    /// A task polled once with another waker re-polls (its clone is made before the
    /// waiter lock and spare clones dropped after it) while the driver delivers the event:
    /// it sees the readiness or is woken through one of its listed wakers.
    #[test]
    fn repoll_with_a_new_waker_vs_concurrent_event() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::default());
            let noop = Waker::noop();
            let first = io.poll_ready(
                &mut Context::from_waker(noop),
                Direction::Read.mask(),
                &[Direction::Read],
            );
            assert!(first.is_pending());
            let driver = {
                let io = io.clone();
                loom::thread::spawn(move || {
                    let mut wakers = Vec::new();
                    io.set_readiness(Ready::READABLE, &mut wakers);
                    wakers.into_iter().for_each(Waker::wake);
                })
            };
            let ready = loom::future::block_on(std::future::poll_fn(|cx| {
                io.poll_ready(cx, Direction::Read.mask(), &[Direction::Read])
            }));
            assert!(ready.ready.is_readable());
            driver.join().unwrap();
        });
    }

    /// An operation clears the readiness it observed while a new event arrives: the new
    /// edge is never lost (the clear only succeeds on the same tick).
    #[test]
    fn clear_vs_new_event() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::default());
            let mut wakers = Vec::new();
            io.set_readiness(Ready::READABLE, &mut wakers);
            let seen = io.ready_event(Direction::Read.mask()).unwrap();
            let driver = {
                let io = io.clone();
                loom::thread::spawn(move || {
                    let mut wakers = Vec::new();
                    io.set_readiness(Ready::READABLE, &mut wakers);
                })
            };
            // The operation hit WouldBlock and clears what it saw.
            io.clear_readiness(seen, Ready::EMPTY);
            driver.join().unwrap();
            // The second event happened after the observation: it must still be visible.
            assert!(io.ready_event(Direction::Read.mask()).is_some());
        });
    }
}

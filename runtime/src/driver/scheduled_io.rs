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
//! Waiters (`scheduled_io/waiters.rs`): a task that finds the resource not ready stores
//! its waker — in its direction's slot (`poll_ready`, the `poll_*` path) or in the node
//! its [`Readiness`] future owns — *under the mutex* and then re-reads `readiness`. The
//! driver updates `readiness` first and takes the waiters under the same mutex second.
//! Whichever locks second sees the other's write: either the driver finds the waker, or
//! the task finds the readiness (loom models below).
use super::ready::{Ready, ReadyEvent};
use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use crate::loom::sync::Mutex;
use std::task::{Context, Poll, Waker};

mod waiters;
use waiters::Waiters;

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
        self.waiters
            .lock()
            .unwrap()
            .take_wakers(ready, false, wakers);
    }

    /// The driver is going away: every current and future wait fails.
    pub(crate) fn shutdown(&self, wakers: &mut Vec<Waker>) {
        self.readiness.fetch_or(SHUTDOWN, AcqRel);
        self.waiters
            .lock()
            .unwrap()
            .take_wakers(Ready::EMPTY, true, wakers);
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

    /// Ready (or shut down) in `direction`, or stores the waker in `direction`'s slot
    /// and returns `Pending`. One slot per direction, as tokio's `poll_read_ready`: a
    /// poll by another task replaces the waker, so only the last poller is woken.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<ReadyEvent> {
        let mask = direction.mask();
        if let Some(event) = self.ready_event(mask) {
            return Poll::Ready(event);
        }
        {
            let mut waiters = self.waiters.lock().unwrap();
            if waiters.slot_will_wake(direction, cx.waker()) {
                // Our waker is listed: the driver takes it on the next event.
                return self.ready_event(mask).map_or(Poll::Pending, Poll::Ready);
            }
        }
        // No user code under the lock (issue 12 defect 3): the waker's `clone` runs
        // before it and the displaced waker drops after it, so a panicking waker cannot
        // poison the lock (which the driver takes while it holds the slab lock).
        let waker = cx.waker().clone();
        let (event, displaced) = {
            let mut waiters = self.waiters.lock().unwrap();
            let displaced = waiters.set_slot(direction, waker);
            // Re-check under the lock (module docs): the driver may have set readiness
            // between our first load and taking the lock.
            (self.ready_event(mask), displaced)
        };
        drop(displaced);
        event.map_or(Poll::Pending, Poll::Ready)
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
    use std::future::Future;

    /// The driver's side: one event, wakers woken after the lock (as `Driver::turn`).
    fn deliver(io: &ScheduledIo, ready: Ready) {
        let mut wakers = Vec::new();
        io.set_readiness(ready, &mut wakers);
        wakers.into_iter().for_each(Waker::wake);
    }

    /// How the waiting thread waits.
    #[derive(Clone, Copy)]
    enum Wait {
        /// `poll_ready`: the direction's waker slot (the `poll_*` path).
        Slot,
        /// A `Readiness` future: its own list node.
        Node,
    }

    /// Waits for readability on this thread while another thread delivers a readable
    /// event: the wait must return (it saw the readiness or was woken), never sleep
    /// through the event. With `repoll`, the wait was polled once before with another
    /// waker, so the poll during the event replaces it (the clone made before the lock,
    /// the displaced waker dropped after it).
    fn wait_vs_event(wait: Wait, repoll: bool) {
        loom::model(move || {
            let io = Arc::new(ScheduledIo::default());
            let mut node = Box::pin(io.readiness(Direction::Read.mask()));
            if repoll {
                let noop = &mut Context::from_waker(Waker::noop());
                let first = match wait {
                    Wait::Slot => io.poll_ready(noop, Direction::Read),
                    Wait::Node => node.as_mut().poll(noop),
                };
                assert!(first.is_pending());
            }
            let driver = {
                let io = io.clone();
                loom::thread::spawn(move || deliver(&io, Ready::READABLE))
            };
            let ready = match wait {
                Wait::Slot => loom::future::block_on(std::future::poll_fn(|cx| {
                    io.poll_ready(cx, Direction::Read)
                })),
                Wait::Node => loom::future::block_on(node.as_mut()),
            };
            assert!(ready.ready.is_readable());
            driver.join().unwrap();
            drop(node);
            assert_eq!(io.waiters.lock().unwrap().len(), 0);
        });
    }

    #[test]
    fn slot_registration_vs_concurrent_event() {
        wait_vs_event(Wait::Slot, false);
    }

    #[test]
    fn slot_repoll_with_a_new_waker_vs_concurrent_event() {
        wait_vs_event(Wait::Slot, true);
    }

    /// The future links its node (or sees the readiness) while the driver walks the list
    /// and unlinks the node to wake it.
    #[test]
    fn node_registration_vs_concurrent_event() {
        wait_vs_event(Wait::Node, false);
    }

    /// The future replaces the waker in its own (linked) node while the driver walks the
    /// list.
    #[test]
    fn node_repoll_with_a_new_waker_vs_concurrent_event() {
        wait_vs_event(Wait::Node, true);
    }

    /// A `Readiness` future is dropped (unlinking its node) while the driver walks the
    /// list to wake it, next to a second waiter that must still be woken; afterwards the
    /// list is empty and no waker is left behind.
    #[test]
    fn node_drop_vs_concurrent_event() {
        loom::model(|| {
            let io = Arc::new(ScheduledIo::default());
            let mut dropped = Box::pin(io.readiness(Direction::Read.mask()));
            let noop = &mut Context::from_waker(Waker::noop());
            assert!(dropped.as_mut().poll(noop).is_pending());
            let driver = {
                let io = io.clone();
                loom::thread::spawn(move || deliver(&io, Ready::READABLE))
            };
            let waiter = {
                let io = io.clone();
                loom::thread::spawn(move || {
                    let ready = loom::future::block_on(io.readiness(Direction::Read.mask()));
                    assert!(ready.ready.is_readable());
                })
            };
            drop(dropped);
            driver.join().unwrap();
            waiter.join().unwrap();
            assert_eq!(io.waiters.lock().unwrap().len(), 0);
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

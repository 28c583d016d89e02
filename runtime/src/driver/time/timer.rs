//! `TimerShared`: the state one timer shares between its owner (a `Sleep`) and the wheel.
//!
//! `state` is the tick the timer is registered at, or one of the special values below.
//! It is written only under the lock of the wheel the timer is filed in (register, cancel,
//! fire), so the wheel's view and the entry's agree; the owner reads it without the lock to
//! learn whether the timer fired. The position in the wheel (`pos`) is only touched under
//! that lock, and `shard` names the wheel (see `shards.rs`).
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering::*};
use crate::loom::sync::Mutex;
use std::task::{Context, Poll, Waker};

/// Not in the wheel.
pub(crate) const IDLE: u64 = u64::MAX;
/// Fired: the deadline passed.
pub(crate) const FIRED: u64 = u64::MAX - 1;
/// The driver shut down before the deadline.
pub(crate) const SHUTDOWN: u64 = u64::MAX - 2;
/// Registered deadlines are below this.
pub(crate) const MAX_TICK: u64 = u64::MAX - 3;

pub(crate) struct TimerShared {
    state: AtomicU64,
    waker: Mutex<Option<Waker>>,
    /// `(level, slot, index)` while in the wheel; guarded by the wheel lock.
    pub(super) pos: UnsafeCell<(u8, u8, u32)>,
    /// The shard whose wheel the timer is filed in. Written by the owner before it takes
    /// that shard's lock to file the timer, read by the owner to cancel it: the owner's
    /// own accesses are ordered (it holds the timer by `&mut`), so `Relaxed` suffices.
    shard: AtomicUsize,
}

// SAFETY: the only non-`Sync` field is `pos`, which is read and written exclusively under
// the wheel's mutex (every access is in `wheel.rs`, through `&mut Wheel`), so no two
// threads ever touch it concurrently; the rest are atomics and a mutex.
unsafe impl Sync for TimerShared {}
// SAFETY: all fields are `Send` except through `pos`'s `UnsafeCell`, which holds plain
// integers; moving the entry between threads moves no thread-bound state.
unsafe impl Send for TimerShared {}

impl Default for TimerShared {
    fn default() -> Self {
        TimerShared {
            state: AtomicU64::new(IDLE),
            waker: Mutex::new(None),
            pos: UnsafeCell::new((0, 0, 0)),
            shard: AtomicUsize::new(0),
        }
    }
}

impl TimerShared {
    pub(crate) fn state(&self) -> u64 {
        self.state.load(Acquire)
    }

    /// The shard the timer was last filed in.
    pub(super) fn shard(&self) -> usize {
        self.shard.load(Relaxed)
    }

    /// By the owner, before filing the timer in `shard`'s wheel.
    pub(super) fn set_shard(&self, shard: usize) {
        self.shard.store(shard, Relaxed);
    }

    /// Under the wheel lock only.
    pub(super) fn set_state(&self, state: u64) {
        self.state.store(state, Release);
    }

    /// Under the wheel lock: the deadline passed (or the driver is gone). Returns the
    /// waker to wake once the lock is released.
    pub(super) fn fire(&self, state: u64) -> Option<Waker> {
        self.set_state(state);
        self.waker.lock().unwrap().take()
    }

    /// Ready once fired; otherwise stores the waker and re-checks (the firing side sets
    /// the state before taking the waker, so one of us sees the other).
    pub(crate) fn poll_fired(&self, cx: &mut Context<'_>) -> Poll<u64> {
        let state = self.state();
        if state == FIRED || state == SHUTDOWN {
            return Poll::Ready(state);
        }
        // No user code under the lock (issue 12 defect 3): the waker's `clone` runs
        // before it and the replaced (or unneeded) waker drops after it, so a panicking
        // waker cannot poison the slot, and through it the wheel (`fire` takes this lock
        // under the wheel lock).
        let mut new = Some(cx.waker().clone());
        let old = {
            let mut slot = self.waker.lock().unwrap();
            match slot.as_ref() {
                Some(w) if w.will_wake(cx.waker()) => None,
                _ => std::mem::replace(&mut *slot, new.take()),
            }
        };
        drop(old);
        drop(new);
        let state = self.state();
        if state == FIRED || state == SHUTDOWN {
            Poll::Ready(state)
        } else {
            Poll::Pending
        }
    }
}

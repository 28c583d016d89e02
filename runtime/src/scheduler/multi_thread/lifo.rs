//! The LIFO slot: one task that runs next on its worker, and that **other workers can
//! steal**.
//!
//! When a running task wakes (or spawns) another, the woken task usually wants the data
//! the waker just wrote; running it next on the same core keeps that data in cache
//! (message-passing locality). tokio keeps this slot private to its worker, so when the
//! worker blocks inside a poll the task in the slot is stranded until the poll returns
//! (tokio #4941). Here the slot is an `AtomicPtr` that the owner and thieves both take
//! with an atomic swap/CAS: whoever gets the non-null pointer owns that `Notified`.
//!
//! A thief takes the slot only as a last resort (after deques and the injector) and only
//! after a short grace period in which the owner, if it is merely finishing a poll, takes
//! the task itself; this is the protocol of Go's `runnext` (`runqgrab`, which sleeps 3µs
//! before stealing from a running P). A worker stuck in a long poll is detected by the
//! monitor (`monitor.rs`), which wakes a parked worker to come and steal.
use crate::engine::raw::Header;
use crate::engine::Notified;
use crate::loom::sync::atomic::{AtomicPtr, Ordering::*};
use std::ptr::{self, NonNull};

/// Spins a thief waits before taking a slot it has seen occupied (about 1–3 µs).
#[cfg(not(loom))]
const GRACE_SPINS: u32 = 64;
#[cfg(loom)]
const GRACE_SPINS: u32 = 1;

pub(crate) struct LifoSlot {
    /// Null, or a pointer that owns one `Notified` reference.
    task: AtomicPtr<Header>,
}

impl LifoSlot {
    pub(crate) fn new() -> LifoSlot {
        LifoSlot {
            task: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Owner: puts `task` in the slot, returning the task it displaced.
    pub(crate) fn push(&self, task: Notified) -> Option<Notified> {
        // Release: publishes the task to a thief that acquires it; Acquire: nothing needed
        // for the displaced task (only the owner puts), but AcqRel costs the same as the
        // swap itself on every target we run on.
        let prev = self.task.swap(task.into_ptr().as_ptr(), AcqRel);
        // SAFETY: a non-null pointer in the slot owns a `Notified` reference (invariant of
        // `task`), and the swap made us its sole owner.
        NonNull::new(prev).map(|p| unsafe { Notified::from_ptr(p) })
    }

    /// Owner: takes the task in the slot.
    pub(crate) fn take(&self) -> Option<Notified> {
        if self.task.load(Relaxed).is_null() {
            return None;
        }
        let prev = self.task.swap(ptr::null_mut(), Acquire);
        // SAFETY: as in `push`: the swap made us the sole owner of that reference.
        NonNull::new(prev).map(|p| unsafe { Notified::from_ptr(p) })
    }

    /// Thief: takes the task if it is still the one seen before a short grace period.
    pub(crate) fn steal(&self) -> Option<Notified> {
        let seen = self.task.load(Relaxed);
        if seen.is_null() {
            return None;
        }
        for _ in 0..GRACE_SPINS {
            crate::loom::hint::spin_loop();
        }
        // On success we own whatever pointer was in the slot; even if the owner ran the
        // task we saw and a new task reuses the address (ABA), the pointer we take is the
        // one the slot held, with its reference. Acquire pairs with the owner's Release.
        match self
            .task
            .compare_exchange(seen, ptr::null_mut(), Acquire, Relaxed)
        {
            // SAFETY: the CAS made us the sole owner of the slot's reference.
            Ok(p) => NonNull::new(p).map(|p| unsafe { Notified::from_ptr(p) }),
            Err(_) => None,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.task.load(Relaxed).is_null()
    }
}

impl Drop for LifoSlot {
    fn drop(&mut self) {
        drop(self.take());
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::engine::loom_support::{notified, MockScheduler};
    use crate::loom::sync::Arc;

    /// A slot holding one task, and a thief thread running `steal` against it.
    fn slot_and_thief<T: Send + 'static>(
        sched: &MockScheduler,
        steal: fn(&LifoSlot) -> T,
    ) -> (Arc<LifoSlot>, loom::thread::JoinHandle<T>) {
        let slot = Arc::new(LifoSlot::new());
        assert!(slot.push(notified(sched)).is_none());
        let thief = {
            let slot = slot.clone();
            loom::thread::spawn(move || steal(&slot))
        };
        (slot, thief)
    }

    /// The owner's take and a thief's steal race for one task: exactly one gets it, and
    /// the task's reference is neither lost nor dropped twice (the mock counts drops).
    #[test]
    fn steal_vs_owner_take() {
        loom::model(|| {
            let sched = MockScheduler::new();
            let (slot, thief) = slot_and_thief(&sched, |slot| slot.steal().is_some());
            let owner_got = slot.take().is_some();
            let thief_got = thief.join().unwrap();
            assert!(
                owner_got ^ thief_got,
                "owner {owner_got}, thief {thief_got}"
            );
            drop(slot);
            sched.assert_all_freed();
        });
    }

    /// The owner pushes a second task (displacing the first) while a thief steals: every
    /// task ends up with exactly one party.
    #[test]
    fn steal_vs_owner_push() {
        loom::model(|| {
            let sched = MockScheduler::new();
            let (slot, thief) = slot_and_thief(&sched, |slot| slot.steal().map(|t| t.id()));
            let displaced = slot.push(notified(&sched)).map(|t| t.id());
            let rest = slot.take().map(|t| t.id());
            let stolen = thief.join().unwrap();
            let got: Vec<_> = [displaced, rest, stolen].into_iter().flatten().collect();
            assert_eq!(
                got.len(),
                2,
                "each of the two tasks lands exactly once: {got:?}"
            );
            assert_ne!(got[0], got[1]);
            drop(slot);
            sched.assert_all_freed();
        });
    }
}

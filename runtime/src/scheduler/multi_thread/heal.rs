//! Self-healing workers (`Builder::heal_blocked_workers`): the slot a worker parks its
//! core in around each poll, and the hand-off of a stuck worker's core to a substitute.
//!
//! With healing on, a worker thread about to poll a task parks its core in its own
//! [`CoreSlot`] (one per *thread*, never shared with the thread that later runs the same
//! worker index) instead of its `RefCell`, and publishes that slot in its worker's
//! [`Remote`](super::Remote) once, when it starts running the worker. Three parties may
//! then take the core out of the slot, each with one atomic operation:
//!
//! - the thread itself, after the poll ([`CoreSlot::reclaim`], a swap to null): it gets
//!   its core back, or sees it was taken;
//! - the thread itself during the poll (a task scheduling locally, `block_in_place`:
//!   [`CoreSlot::claim`], a CAS to null; scheduling puts the core back with
//!   [`CoreSlot::park`]);
//! - the monitor, when the worker is stuck in that poll and work is waiting
//!   ([`CoreSlot::seize`], a CAS to the *seized* mark, [`seized()`]): it moves the core to the worker's
//!   `handoff` cell and starts a substitute thread on the blocking pool, which takes the
//!   core from there and runs the worker loop with it.
//!
//! Whoever's operation turns the pointer into something else owns the core; the others
//! see null or the mark and do not touch it. A thread whose reclaim sees the mark lost its
//! core to the monitor: it takes the core back from `handoff` if the substitute has not
//! started yet ([`take_back`]), and otherwise leaves the worker loop (its pool thread
//! goes back to the blocking pool). It never writes the worker's counters again. The race
//! between reclaim, seize and the substitute's start is the loom model at the bottom of
//! this file, over these very functions.
//!
//! Off (the default), none of this runs: the worker keeps its core in the `RefCell` and
//! pays one predictable branch per poll.
//!
//! May import: the worker's `Core`, the loom shim. Nothing from `runtime/` or `api/`.
use super::worker::Core;
use crate::loom::sync::atomic::{AtomicPtr, Ordering::*};
use crate::loom::sync::Mutex;
use std::ptr;

/// The value the monitor leaves in a slot it seized a core from. Never dereferenced; an
/// address no `Box<Core>` can have (a `Core` is far larger than one byte and aligned).
fn seized() -> *mut Core {
    // A dangling, well-aligned, non-null pointer that is never a live allocation.
    ptr::NonNull::<Core>::dangling().as_ptr()
}

/// What [`CoreSlot::reclaim`] found.
#[must_use]
pub(crate) enum Reclaimed {
    /// The core, back with the thread that parked it.
    Core(Box<Core>),
    /// The monitor seized it for a substitute.
    Seized,
    /// The thread itself took it during the poll (`block_in_place`).
    Empty,
}

/// One worker thread's parking place for its core around a poll (see the module docs).
pub(crate) struct CoreSlot {
    /// Null, [`seized()`], or a pointer that owns a `Box<Core>`.
    core: AtomicPtr<Core>,
}

impl CoreSlot {
    pub(crate) fn new() -> CoreSlot {
        CoreSlot {
            core: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Owner thread: parks `core` (the slot is empty: null or seized).
    pub(crate) fn park(&self, core: Box<Core>) {
        // Release: publishes the core's contents to whoever takes it next (the monitor's
        // seize, which acquires).
        self.core.store(Box::into_raw(core), Release);
    }

    /// Owner thread, after the poll: takes the core back, or learns who took it.
    pub(crate) fn reclaim(&self) -> Reclaimed {
        // Acquire: pairs with the Release of whoever stored last (our own park, or the
        // monitor's seize), so a seized core's hand-off is ordered before our return.
        let p = self.core.swap(ptr::null_mut(), AcqRel);
        if p.is_null() {
            Reclaimed::Empty
        } else if p == seized() {
            Reclaimed::Seized
        } else {
            // SAFETY: a pointer in the slot other than null and the mark owns a
            // `Box<Core>` (1. `park` is the only store of such a pointer, from
            // `Box::into_raw`; 2. the swap made us its sole owner: every other taker
            // replaces that same pointer with one atomic operation and would have failed).
            Reclaimed::Core(unsafe { Box::from_raw(p) })
        }
    }

    /// Owner thread, during the poll: takes the core if it is still parked here.
    pub(crate) fn claim(&self) -> Option<Box<Core>> {
        self.take_into(ptr::null_mut())
    }

    /// Monitor: takes the core if it is parked here, leaving the seized mark so the
    /// owner's reclaim knows where it went.
    pub(crate) fn seize(&self) -> Option<Box<Core>> {
        self.take_into(seized())
    }

    fn take_into(&self, mark: *mut Core) -> Option<Box<Core>> {
        let p = self.core.load(Acquire);
        if p.is_null() || p == seized() {
            return None;
        }
        // Acquire on success: pairs with `park`'s Release, so the core's contents are ours.
        self.core.compare_exchange(p, mark, AcqRel, Relaxed).ok()?;
        // SAFETY: as in `reclaim`: `p` came from `park` and our successful CAS replaced
        // it, so nobody else can own it.
        Some(unsafe { Box::from_raw(p) })
    }
}

impl Drop for CoreSlot {
    fn drop(&mut self) {
        // A thread always reclaims before it leaves the worker loop, and the monitor
        // leaves only the mark: a core is never left parked. If one were, free it rather
        // than leak it.
        if let Reclaimed::Core(core) = self.reclaim() {
            debug_assert!(false, "a core was left in a CoreSlot");
            drop(core);
        }
    }
}

/// Monitor: seizes the core parked in `slot` and puts it in `handoff` for a substitute.
/// Returns `false` if there was no core to seize (between polls, or taken meanwhile).
pub(crate) fn seize_into(slot: &CoreSlot, handoff: &Mutex<Option<Box<Core>>>) -> bool {
    let Some(core) = slot.seize() else {
        return false;
    };
    let prev = handoff.lock().unwrap().replace(core);
    debug_assert!(prev.is_none(), "one core per worker index");
    true
}

/// A thread whose core was seized, as its poll returns: takes the core back if no
/// substitute took it from `handoff` yet (then the substitute finds nothing and leaves).
pub(crate) fn take_back(handoff: &Mutex<Option<Box<Core>>>) -> Option<Box<Core>> {
    handoff.lock().unwrap().take()
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::sync::Arc;

    /// The hand-off race, over the real functions: a worker parks its core and, its poll
    /// over, reclaims it; the monitor seizes it meanwhile and starts a substitute that
    /// takes it from `handoff`. Whatever the interleaving, exactly one thread (the worker
    /// or the substitute) ends up with the core, and it is freed exactly once (loom
    /// reports a leak or a double free).
    #[test]
    fn reclaim_vs_seize_vs_substitute() {
        loom::model(|| {
            let slot = Arc::new(CoreSlot::new());
            let handoff = Arc::new(Mutex::new(None));
            slot.park(Core::new(0, crate::scheduler::GLOBAL_QUEUE_INTERVAL));

            let monitor = {
                let (slot, handoff) = (slot.clone(), handoff.clone());
                loom::thread::spawn(move || {
                    if !seize_into(&slot, &handoff) {
                        return None;
                    }
                    // The substitute thread the monitor starts.
                    let substitute = loom::thread::spawn(move || take_back(&handoff));
                    Some(substitute.join().unwrap())
                })
            };

            let worker_core = match slot.reclaim() {
                Reclaimed::Core(core) => Some(core),
                Reclaimed::Seized => take_back(&handoff),
                Reclaimed::Empty => unreachable!("nobody else claims on this thread"),
            };
            let substitute_core = monitor.join().unwrap().flatten();
            assert!(
                worker_core.is_some() ^ substitute_core.is_some(),
                "exactly one owner: worker {}, substitute {}",
                worker_core.is_some(),
                substitute_core.is_some()
            );
        });
    }

    /// A task scheduling locally during the poll (claim, then park back) while the
    /// monitor tries to seize: the monitor either gets the core or finds the slot busy
    /// and tries again later; the core is never lost and the worker's reclaim agrees.
    #[test]
    fn local_schedule_vs_seize() {
        loom::model(|| {
            let slot = Arc::new(CoreSlot::new());
            let handoff = Arc::new(Mutex::new(None));
            slot.park(Core::new(0, crate::scheduler::GLOBAL_QUEUE_INTERVAL));

            let monitor = {
                let (slot, handoff) = (slot.clone(), handoff.clone());
                loom::thread::spawn(move || seize_into(&slot, &handoff))
            };
            // The poll schedules a task locally: claim, use, park back.
            if let Some(core) = slot.claim() {
                slot.park(core);
            }
            let seized = monitor.join().unwrap();
            match slot.reclaim() {
                Reclaimed::Core(_) => assert!(!seized, "core in two places"),
                Reclaimed::Seized => {
                    assert!(seized);
                    assert!(take_back(&handoff).is_some(), "seized core is in handoff");
                }
                Reclaimed::Empty => panic!("the core vanished"),
            }
        });
    }
}

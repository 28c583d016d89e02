//! The task state word: lifecycle flags and the reference count in one `AtomicUsize`.
//!
//! Every transition a task goes through is a single atomic operation on this word, so the
//! parties that race over a task (the worker polling it, wakers on any thread, the
//! `JoinHandle`, an `AbortHandle`, runtime shutdown) always agree on who owns what.
//!
//! ## Bits
//!
//! | bit | name | meaning | can never be set when |
//! |---|---|---|---|
//! | 0 | `RUNNING` | someone holds the right to touch the future (polling, cancelling) | `COMPLETE` |
//! | 1 | `COMPLETE` | the future is gone; the stage holds the output (or it was consumed) | `RUNNING` |
//! | 2 | `NOTIFIED` | a `Notified` reference sits in some run queue, or the running poller must reschedule | — |
//! | 3 | `CANCELLED` | abort or shutdown was requested; the next owner of `RUNNING` cancels | — |
//! | 4 | `JOIN_INTEREST` | a `JoinHandle` exists; while set, only the handle may take the output | — |
//! | 5 | `JOIN_WAKER` | the join-waker slot holds a waker and belongs to the runtime side | `!JOIN_INTEREST` |
//! | 6..35 | ref count | references: owned list, queued `Notified`, `JoinHandle`, wakers, `AbortHandle`s | — |
//! | 35.. | waker count | how many of those references are task `Waker`s | — |
//!
//! A new spawned task starts with `NOTIFIED | JOIN_INTEREST` and **three** references: one
//! for the runtime's owned-task list, one for the `Notified` about to be queued, one for
//! the `JoinHandle`. A blocking task is not in the owned list and starts with two.
//!
//! ## The waker count, and why `is_lost` has no false positives
//!
//! The upper field counts the references held by task [`Waker`]s (`waker.rs`): a waker
//! clone adds `REF_ONE + WAKER_ONE` in the **same** `fetch_add` that takes its reference,
//! and dropping a waker (or waking it by value) subtracts both in the same atomic
//! operation that drops its reference. So the waker count costs no extra atomic
//! operation and every snapshot of the word holds a reference count and a waker count
//! that are consistent with each other: `waker_count <= ref_count` always, and the waker
//! count is exactly the number of live task wakers at the instant of the snapshot. The
//! waker `poll` lends the future (`harness::waker_ref`) owns no reference and is not
//! counted: it cannot outlive the poll, and a future that keeps it must clone it.
//!
//! Claim: if a snapshot shows `!RUNNING && !NOTIFIED && !COMPLETE && waker_count == 0`
//! ("lost"), the task can never be polled again (only cancelled or dropped):
//! 1. A poll happens only through a `Notified`, which exists only with `NOTIFIED` set
//!    (spawn, `transition_to_notified_*`, `transition_to_idle` → `OkNotified`, abort).
//! 2. `NOTIFIED` is set only by a waker (`transition_to_notified_by_val` / `_by_ref`), by
//!    `transition_to_idle` (which needs `RUNNING`, clear here), or by abort (which
//!    cancels: the future is dropped, never polled).
//! 3. A waker can only come from another waker (`clone`) or from the borrowed waker of
//!    a poll (which needs `RUNNING`). With no waker and no poll, none can appear: the
//!    count stays 0 and the task stays idle until it is aborted or the runtime shuts down.
//!
//! So the snapshot proves the future is unreachable: no false positives. Conversely
//! any task waker, wherever it is (a timer, a `Vec`, another thread), keeps the count
//! above 0, so a task that *can* still be woken is never reported lost. (A waker the
//! task's own future holds counts too: such a task is not lost by this definition, even
//! though nobody else can reach that waker.)
//!
//! ## The join-waker slot
//! The slot is written only by the `JoinHandle`, and only while `JOIN_WAKER` is clear and
//! the task is not `COMPLETE`; it sets `JOIN_WAKER` with a CAS that fails on `COMPLETE`.
//! The completer reads (wakes) the slot only when it observes `JOIN_WAKER` in the snapshot
//! returned by [`State::transition_to_complete`]. After `COMPLETE` the handle never writes
//! the slot again, so the two never touch it at the same time. The waker left in the slot
//! is dropped with the task's memory.
//!
//! Orderings: every transition is `AcqRel` on success (each transfers ownership of the
//! stage or the waker slot between threads), loads that decide ownership are `Acquire`.
use crate::loom::sync::atomic::{AtomicUsize, Ordering::*};
use std::fmt;

const RUNNING: usize = 1 << 0;
const COMPLETE: usize = 1 << 1;
const NOTIFIED: usize = 1 << 2;
const CANCELLED: usize = 1 << 3;
const JOIN_INTEREST: usize = 1 << 4;
const JOIN_WAKER: usize = 1 << 5;
const REF_SHIFT: u32 = 6;
const REF_ONE: usize = 1 << REF_SHIFT;
/// Bits of the reference count field; the waker count takes the bits above it.
const REF_BITS: u32 = (usize::BITS - REF_SHIFT) / 2;
const REF_MASK: usize = ((1 << REF_BITS) - 1) << REF_SHIFT;
const WAKER_SHIFT: u32 = REF_SHIFT + REF_BITS;
const WAKER_ONE: usize = 1 << WAKER_SHIFT;
/// Beyond this many references we abort, as `Arc` does, rather than carry into the
/// waker count (half the field: racing increments cannot reach the top before one of
/// them sees the limit). The waker count never exceeds the reference count.
const REF_MAX: usize = (1 << (REF_BITS - 1)) - 1;

/// The atomic state word of one task.
pub(crate) struct State {
    val: AtomicUsize,
}

/// One loaded value of the state word.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

/// What a poller must do after [`State::transition_to_running`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToRunning {
    /// Poll the future.
    Success,
    /// Cancellation was requested: drop the future instead of polling it.
    Cancelled,
    /// Someone else owns the task or it is complete; the `Notified` reference was dropped.
    Failed,
    /// As `Failed`, and that was the last reference: deallocate.
    Dealloc,
}

/// What a poller must do after the future returned `Pending` ([`State::transition_to_idle`]).
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToIdle {
    /// Nothing: a future wake will reschedule it. The poller's reference was dropped.
    Ok,
    /// It was woken while running: reschedule it with the new reference this transition
    /// added, then drop the poller's own reference. (The poller must not hand its own
    /// reference over: scheduling runs code that lives inside the task allocation,
    /// which another worker could free as soon as the `Notified` is published.)
    OkNotified,
    /// As `Ok`, and that was the last reference: deallocate.
    OkDealloc,
    /// Cancellation was requested while running: still `RUNNING`, cancel it now.
    Cancelled,
}

/// What a waker must do after [`State::transition_to_notified_by_val`] / `_by_ref`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TransitionToNotified {
    /// Already queued, running (it will reschedule itself) or complete.
    DoNothing,
    /// Push a `Notified` to the scheduler; its reference was added by the transition.
    /// (By value, the waker's own reference must be dropped only *after* `schedule`
    /// returned: scheduling runs code inside the task allocation.)
    Submit,
    /// (by value only) The waker's reference was the last one: deallocate.
    Dealloc,
}

impl State {
    /// A new task: `NOTIFIED | JOIN_INTEREST` with `refs` references.
    pub(crate) fn new(refs: usize) -> State {
        debug_assert!(refs > 0 && refs <= 3);
        State {
            val: AtomicUsize::new(NOTIFIED | JOIN_INTEREST | (refs * REF_ONE)),
        }
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.val.load(Acquire))
    }

    /// Applies `f` in a CAS loop until it returns `None` (no change) or the CAS succeeds.
    fn fetch_update<T>(&self, mut f: impl FnMut(Snapshot) -> (T, Option<Snapshot>)) -> T {
        let mut curr = self.load();
        loop {
            let (out, next) = f(curr);
            let Some(next) = next else { return out };
            match self
                .val
                .compare_exchange_weak(curr.0, next.0, AcqRel, Acquire)
            {
                Ok(_) => return out,
                Err(actual) => curr = Snapshot(actual),
            }
        }
    }

    /// A worker took a `Notified` off a queue and wants to poll.
    pub(crate) fn transition_to_running(&self) -> TransitionToRunning {
        self.fetch_update(|mut s| {
            debug_assert!(s.is_notified() || s.is_running() || s.is_complete());
            if s.is_running() || s.is_complete() {
                // Shutdown claimed it while the `Notified` was queued: drop that reference.
                s.ref_dec();
                let action = if s.ref_count() == 0 {
                    TransitionToRunning::Dealloc
                } else {
                    TransitionToRunning::Failed
                };
                return (action, Some(s));
            }
            s.0 = (s.0 & !NOTIFIED) | RUNNING;
            let action = if s.is_cancelled() {
                TransitionToRunning::Cancelled
            } else {
                TransitionToRunning::Success
            };
            (action, Some(s))
        })
    }

    /// The future returned `Pending`.
    pub(crate) fn transition_to_idle(&self) -> TransitionToIdle {
        self.fetch_update(|mut s| {
            debug_assert!(s.is_running());
            if s.is_cancelled() {
                return (TransitionToIdle::Cancelled, None);
            }
            s.0 &= !RUNNING;
            if s.is_notified() {
                // A reference for the re-queued `Notified`; the poller keeps its own until
                // `schedule` has returned.
                s.ref_inc();
                (TransitionToIdle::OkNotified, Some(s))
            } else {
                s.ref_dec();
                let action = if s.ref_count() == 0 {
                    TransitionToIdle::OkDealloc
                } else {
                    TransitionToIdle::Ok
                };
                (action, Some(s))
            }
        })
    }

    /// The output (or the cancellation error) is stored: `RUNNING` → `COMPLETE`.
    /// Returns the snapshot before the transition.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        let prev = Snapshot(self.val.fetch_xor(RUNNING | COMPLETE, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        prev
    }

    /// Drops `count` references at once; `true` when they were the last.
    pub(crate) fn transition_to_terminal(&self, count: usize) -> bool {
        let prev = Snapshot(self.val.fetch_sub(count * REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= count, "task reference count underflow");
        prev.ref_count() == count
    }

    /// A waker fires, consuming its own reference.
    pub(crate) fn transition_to_notified_by_val(&self) -> TransitionToNotified {
        self.fetch_update(|mut s| {
            if s.is_running() {
                // The poller reschedules it at `transition_to_idle`; it holds a reference,
                // so dropping the waker's own cannot reach zero.
                s.0 |= NOTIFIED;
                s.waker_ref_dec();
                debug_assert!(s.ref_count() > 0);
                (TransitionToNotified::DoNothing, Some(s))
            } else if s.is_complete() || s.is_notified() {
                s.waker_ref_dec();
                let action = if s.ref_count() == 0 {
                    TransitionToNotified::Dealloc
                } else {
                    TransitionToNotified::DoNothing
                };
                (action, Some(s))
            } else {
                // A new reference for the `Notified`; the waker drops its own after
                // scheduling (see `Submit`, `waker_ref_dec`).
                s.0 |= NOTIFIED;
                s.ref_inc();
                (TransitionToNotified::Submit, Some(s))
            }
        })
    }

    /// A waker fires by reference: a `Notified` needs a reference of its own.
    pub(crate) fn transition_to_notified_by_ref(&self) -> TransitionToNotified {
        self.fetch_update(|mut s| {
            if s.is_complete() || s.is_notified() {
                (TransitionToNotified::DoNothing, None)
            } else if s.is_running() {
                s.0 |= NOTIFIED;
                (TransitionToNotified::DoNothing, Some(s))
            } else {
                s.0 |= NOTIFIED;
                s.ref_inc();
                (TransitionToNotified::Submit, Some(s))
            }
        })
    }

    /// `abort()`: request cancellation. Returns `true` when the caller must submit a new
    /// `Notified` (the task was idle; a reference was added for it) so a worker cancels it.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.fetch_update(|mut s| {
            if s.is_complete() || s.is_cancelled() {
                (false, None)
            } else if s.is_running() || s.is_notified() {
                // The current poller, or whoever pops the queued `Notified`, cancels it.
                s.0 |= CANCELLED;
                (false, Some(s))
            } else {
                s.0 |= CANCELLED | NOTIFIED;
                s.ref_inc();
                (true, Some(s))
            }
        })
    }

    /// Runtime shutdown: claim the task to cancel it in place if it is idle (or queued);
    /// otherwise mark it so that its current poller cancels it. `true`: claimed.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.fetch_update(|mut s| {
            let claimed = !s.is_running() && !s.is_complete();
            s.0 |= CANCELLED;
            if claimed {
                s.0 |= RUNNING;
            }
            (claimed, Some(s))
        })
    }

    /// The `JoinHandle` is dropped. `Err` when the task is already complete: the handle
    /// must then drop the output itself. On `Ok`, returns the snapshot before clearing.
    pub(crate) fn unset_join_interested(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|s| {
            debug_assert!(s.is_join_interested());
            if s.is_complete() {
                return (Err(s), None);
            }
            (Ok(s), Some(Snapshot(s.0 & !(JOIN_INTEREST | JOIN_WAKER))))
        })
    }

    /// Publishes the freshly written join waker. `Err` when the task completed first.
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|s| {
            debug_assert!(s.is_join_interested() && !s.is_join_waker_set());
            if s.is_complete() {
                return (Err(s), None);
            }
            let next = Snapshot(s.0 | JOIN_WAKER);
            (Ok(next), Some(next))
        })
    }

    /// Takes the join-waker slot back to replace its waker. `Err` when complete.
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.fetch_update(|s| {
            debug_assert!(s.is_join_interested() && s.is_join_waker_set());
            if s.is_complete() {
                return (Err(s), None);
            }
            let next = Snapshot(s.0 & !JOIN_WAKER);
            (Ok(next), Some(next))
        })
    }

    pub(crate) fn ref_inc(&self) {
        self.checked_add(REF_ONE);
    }

    /// A task waker is cloned: one reference, counted as a waker's (one atomic add).
    pub(crate) fn waker_ref_inc(&self) {
        self.checked_add(REF_ONE | WAKER_ONE);
    }

    /// A task waker is dropped: drops its reference and its count together; `true` when
    /// it was the last reference.
    pub(crate) fn waker_ref_dec(&self) -> bool {
        let prev = Snapshot(self.val.fetch_sub(REF_ONE | WAKER_ONE, AcqRel));
        debug_assert!(prev.waker_count() >= 1, "task waker count underflow");
        prev.ref_count() == 1
    }

    fn checked_add(&self, add: usize) {
        let prev = self.val.fetch_add(add, Relaxed);
        if Snapshot(prev).ref_count() > REF_MAX {
            // Like `Arc`: a leak of this many wakers is a bug we refuse to wrap around.
            std::process::abort();
        }
    }

    /// Drops one reference; `true` when it was the last.
    pub(crate) fn ref_dec(&self) -> bool {
        self.transition_to_terminal(1)
    }
}

impl Snapshot {
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(crate) fn ref_count(self) -> usize {
        (self.0 & REF_MASK) >> REF_SHIFT
    }
    /// How many task `Waker`s exist (see "The waker count").
    pub(crate) fn waker_count(self) -> usize {
        self.0 >> WAKER_SHIFT
    }
    /// Idle, not queued, not complete, and no waker exists: it can never be polled again
    /// (proof in the module docs).
    pub(crate) fn is_lost(self) -> bool {
        self.0 & (RUNNING | NOTIFIED | COMPLETE) == 0 && self.waker_count() == 0
    }
    fn ref_inc(&mut self) {
        self.0 += REF_ONE;
    }
    fn ref_dec(&mut self) {
        debug_assert!(self.ref_count() > 0);
        self.0 -= REF_ONE;
    }
    fn waker_ref_dec(&mut self) {
        debug_assert!(self.waker_count() > 0 && self.ref_count() > 0);
        self.0 -= REF_ONE | WAKER_ONE;
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interest", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .field("wakers", &self.waker_count())
            .finish()
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.load().fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn spawn_poll_complete_refs() {
        let s = State::new(3);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Success);
        let prev = s.transition_to_complete();
        assert!(prev.is_join_interested() && !prev.is_join_waker_set());
        // owned-list ref + running ref
        assert!(!s.transition_to_terminal(2));
        assert!(s.load().is_complete());
        assert_eq!(s.unset_join_interested().unwrap_err().ref_count(), 1);
        assert!(s.ref_dec());
    }

    #[test]
    fn wake_while_running_reschedules_once() {
        let s = State::new(3);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(
            s.transition_to_notified_by_ref(),
            TransitionToNotified::DoNothing
        );
        assert_eq!(s.transition_to_idle(), TransitionToIdle::OkNotified);
        // The new Notified's reference, until the poller drops its own.
        assert_eq!(s.load().ref_count(), 4);
        assert!(!s.ref_dec());
        // Queued already: a second wake does nothing.
        assert_eq!(
            s.transition_to_notified_by_ref(),
            TransitionToNotified::DoNothing
        );
    }

    #[test]
    fn abort_idle_task_submits_and_cancels() {
        let s = State::new(3);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(s.transition_to_idle(), TransitionToIdle::Ok);
        assert!(s.transition_to_notified_and_cancel());
        assert!(!s.transition_to_notified_and_cancel());
        assert_eq!(s.transition_to_running(), TransitionToRunning::Cancelled);
    }

    #[test]
    fn shutdown_claims_queued_task_and_queue_entry_fails() {
        let s = State::new(3);
        assert!(s.transition_to_shutdown());
        assert_eq!(s.transition_to_running(), TransitionToRunning::Failed);
    }

    #[test]
    fn waker_by_val_on_complete_deallocates_last() {
        let s = State::new(1);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Success);
        let _ = s.transition_to_complete();
        s.waker_ref_inc(); // a waker
        assert!(!s.waker_ref_dec());
        s.waker_ref_inc();
        assert!(!s.waker_ref_dec());
        s.waker_ref_inc();
        // The running ref is gone, only the waker holds it now.
        assert!(!s.transition_to_terminal(1));
        assert_eq!(
            s.transition_to_notified_by_val(),
            TransitionToNotified::Dealloc
        );
    }

    #[test]
    fn waker_count_moves_with_the_reference_count() {
        let s = State::new(3);
        assert_eq!(s.transition_to_running(), TransitionToRunning::Success);
        s.waker_ref_inc();
        s.waker_ref_inc();
        assert_eq!((s.load().ref_count(), s.load().waker_count()), (5, 2));
        assert!(!s.load().is_lost(), "running");
        assert_eq!(s.transition_to_idle(), TransitionToIdle::Ok);
        assert!(!s.load().is_lost(), "two wakers");
        assert!(!s.waker_ref_dec());
        assert_eq!(
            s.transition_to_notified_by_val(),
            TransitionToNotified::Submit
        );
        // The Notified's reference is added; the waker's is still held until scheduled.
        assert_eq!((s.load().ref_count(), s.load().waker_count()), (4, 1));
        assert!(!s.waker_ref_dec());
        assert!(!s.load().is_lost(), "queued");
        assert_eq!(s.transition_to_running(), TransitionToRunning::Success);
        assert_eq!(s.transition_to_idle(), TransitionToIdle::Ok);
        assert_eq!((s.load().ref_count(), s.load().waker_count()), (2, 0));
        assert!(s.load().is_lost(), "idle with no waker");
        // Abort handles and the JoinHandle are references, not wakers.
        s.ref_inc();
        assert!(s.load().is_lost());
        assert!(!s.ref_dec());
    }
}

//! Tasks: the unit the scheduler runs.
//!
//! ## The contract
//!
//! A task is one allocation ([`raw`]) holding a header (atomic [`state`] word, vtable, id),
//! the scheduler handle, the future/output stage and the join waker. Handles to it:
//!
//! | handle | held by | reference | may touch |
//! |---|---|---|---|
//! | [`Task`] | the owned-task list ([`list`]) | 1 | header |
//! | [`Notified`] | a run queue; then the worker polling it | 1 | the stage, once it wins `RUNNING` |
//! | `Waker` ([`waker`]) | anyone the future gave it to | 1 each | header; schedules a `Notified` |
//! | [`JoinHandle`] | the user | 1 + join interest | the output, once `COMPLETE`; the join-waker slot |
//! | [`AbortHandle`] | the user | 1 | header (requests cancellation) |
//!
//! Exactly one party holds `RUNNING` at a time and only it touches the future; completion
//! hands the output to the `JoinHandle` (or drops it when there is none) and removes the
//! task from the owned list. Cancellation (abort, runtime shutdown) never drops a future
//! from a foreign thread while it is being polled: it sets `CANCELLED` and whoever next
//! holds `RUNNING` drops it. The memory is freed when the last reference goes, whoever
//! holds it. `state.rs` documents each bit and transition; `harness.rs` does the work.
//!
//! A spawned `async {}` task costs at most 128 bytes (tested in `tests` below).
pub(crate) mod error;
mod harness;
pub(crate) mod id;
mod join;
pub(crate) mod list;
pub(crate) mod raw;
mod spawn;
pub(crate) mod state;
mod waker;

#[cfg(all(test, loom))]
pub(crate) mod loom_support;
#[cfg(all(test, loom))]
mod loom_tests;

pub use error::JoinError;
pub use id::{id, try_id, Id};
pub use join::{AbortHandle, JoinHandle};
pub(crate) use raw::{Notified, Task};
pub use spawn::{block_in_place, spawn, spawn_blocking, yield_now};

use std::future::Future;

/// What a task needs from the scheduler that owns it.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queue a task that was woken (or spawned) so a worker polls it.
    fn schedule(&self, task: Notified);

    /// Queue a task that woke itself while being polled (`yield_now`): it goes behind
    /// the other ready tasks rather than into the LIFO slot.
    fn yield_now(&self, task: Notified) {
        self.schedule(task);
    }

    /// The task completed: remove it from the owned list, returning the list's reference
    /// (or `None` if it is not listed, e.g. blocking tasks, or already taken at shutdown).
    fn release(&self, task: &Task) -> Option<Task>;
}

/// Creates a task that is not in any owned list (blocking-pool jobs): returns the
/// `Notified` to queue and the `JoinHandle`.
pub(crate) fn unowned<F, S>(future: F, scheduler: S, id: Id) -> (Notified, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let raw = raw::RawTask::new(future, scheduler, id, 2);
    // SAFETY: the two references counted by `RawTask::new` go to the `Notified` and to
    // the `JoinHandle` (with the join interest).
    unsafe { (Notified(Task::from_raw(raw)), JoinHandle::new(raw)) }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::raw::Cell;
    use std::future::Future;
    use std::sync::Arc;

    fn cell_size<S, F: Future>(_: F) -> usize {
        std::mem::size_of::<Cell<F, S>>()
    }

    #[test]
    fn empty_async_task_fits_in_128_bytes() {
        // The schedulers' handles are one `Arc` each.
        let mt = cell_size::<Arc<crate::scheduler::multi_thread::Shared>, _>(async {});
        let ct = cell_size::<Arc<crate::scheduler::current_thread::Shared>, _>(async {});
        assert!(mt <= 128, "multi-thread task cell is {mt} bytes");
        assert!(ct <= 128, "current-thread task cell is {ct} bytes");
    }
}

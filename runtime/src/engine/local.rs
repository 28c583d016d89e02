//! `ThreadBound`: how a `!Send` future becomes an ordinary task.
//!
//! The engine needs `Send` futures because any thread may poll or drop a task. A local
//! task (`spawn_local`) is the same task with its future wrapped in a [`ThreadBound`],
//! which remembers the thread that created it and checks it on every poll and on drop
//! (async-task's `spawn_local` does the same). Its scheduler (`scheduler::local`) only
//! ever runs it on that thread, so the checks never fire in practice; if some path ever
//! broke that promise the check panics (a poll: the panic becomes the task's
//! `JoinError`) or leaks the future (a drop), rather than touching `!Send` state from a
//! foreign thread.
use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::thread::ThreadId;

/// A future that may only be polled and dropped on the thread that created it.
pub(crate) struct ThreadBound<F> {
    owner: ThreadId,
    /// Structurally pinned; dropped in place by `Drop` (only on the owner thread).
    future: ManuallyDrop<F>,
}

impl<F> ThreadBound<F> {
    /// Binds `future` to the calling thread.
    pub(crate) fn new(future: F) -> ThreadBound<F> {
        ThreadBound {
            owner: std::thread::current().id(),
            future: ManuallyDrop::new(future),
        }
    }

    fn on_owner(&self) -> bool {
        std::thread::current().id() == self.owner
    }
}

// SAFETY: the only `!Send` content is the future, and it is touched (polled, dropped)
// only after `on_owner` confirmed the current thread is the one that created it; on any
// other thread `poll` panics before touching it and `drop` leaks it. Moving the wrapper
// itself between threads moves only its bytes, which `F: !Send` does not forbid by
// itself for a value nobody uses there.
unsafe impl<F> Send for ThreadBound<F> {}

impl<F: Future> Future for ThreadBound<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        assert!(
            self.on_owner(),
            "a local task was polled on a thread other than its LocalSet's"
        );
        // SAFETY: `future` is structurally pinned: it is never moved out of the wrapper
        // (only dropped in place, in `Drop`), and `self` is pinned.
        unsafe { self.map_unchecked_mut(|t| &mut *t.future) }.poll(cx)
    }
}

impl<F> Drop for ThreadBound<F> {
    fn drop(&mut self) {
        if self.on_owner() {
            // SAFETY: dropped exactly once (here), in place, and never used again.
            unsafe { ManuallyDrop::drop(&mut self.future) }
        } else if !std::thread::panicking() {
            // Leaked: dropping a `!Send` value on a foreign thread could be unsound.
            panic!("a local task was dropped on a thread other than its LocalSet's");
        }
    }
}

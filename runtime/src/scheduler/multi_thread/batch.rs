//! Batched wake-ups from the driver thread.
//!
//! One driver turn may wake hundreds of tasks. Waking a parked worker for each would
//! unpark every worker even when one could run them all. So while the driver thread of
//! a runtime wakes a batch ([`wake_batch`]), remote schedules onto *that* runtime only
//! push to its injector; when the batch ends, one `notify_parked` is issued. The woken
//! worker searches, and when it finds work while being the last searcher it wakes the
//! next (README: the searching chain), so only as many workers wake as the queued work
//! keeps busy.
use super::Shared;
use crate::loom::sync::atomic::{fence, Ordering::SeqCst};
use crate::loom::sync::Arc;
use std::cell::Cell;
use std::ptr;

thread_local! {
    /// The runtime whose batch is open on this thread (null: none).
    static BATCH: Cell<*const Shared> = const { Cell::new(ptr::null()) };
    /// Whether a schedule in the open batch skipped its notification.
    static NEEDS_NOTIFY: Cell<bool> = const { Cell::new(false) };
}

/// If this thread has a batch open for `shared`, records the skipped notification and
/// returns `true` (the caller does not notify).
pub(super) fn defer(shared: &Shared) -> bool {
    let open = BATCH
        .try_with(|b| ptr::eq(b.get(), shared))
        .unwrap_or(false);
    if open {
        let _ = NEEDS_NOTIFY.try_with(|n| n.set(true));
    }
    open
}

/// Runs `f` (which wakes many tasks) with `shared`'s notifications deferred to its end.
pub(crate) fn wake_batch<R>(shared: &Arc<Shared>, f: impl FnOnce() -> R) -> R {
    /// Closes this batch, restoring the enclosing one (if a wake ever opened a nested
    /// batch, the outer batch's pending notification survives it).
    struct Close<'a>(&'a Shared, *const Shared, bool);
    impl Drop for Close<'_> {
        fn drop(&mut self) {
            let _ = BATCH.try_with(|b| b.set(self.1));
            let needs = NEEDS_NOTIFY
                .try_with(|n| n.replace(self.2))
                .unwrap_or(false);
            if needs {
                // Orders the batch's pushes before reading the idle state (README).
                fence(SeqCst);
                self.0.notify_parked();
            }
        }
    }
    let prev = BATCH.with(|b| b.replace(Arc::as_ptr(shared)));
    let prev_needs = NEEDS_NOTIFY.with(|n| n.replace(false));
    let _close = Close(shared, prev, prev_needs);
    f()
}

//! The driver thread of a multi-thread runtime: the one thread that blocks in
//! `epoll_wait`, and how the wake-ups of one driver turn reach the workers.
//!
//! One turn may wake hundreds of tasks. Waking a parked worker for each would unpark
//! every worker even when one could run them all. So while this thread wakes the batch
//! of one turn, its [`Context`] is the thread's scheduler context: a schedule onto *this*
//! runtime from here only pushes to the injector and marks the batch
//! ([`Context::defer_notify`]); when the batch ends one `notify_parked` is issued. The
//! woken worker searches, and when it finds work while being the last searcher it wakes
//! the next (README: the searching chain), so only as many workers wake as the queued
//! work keeps busy.
//!
//! The driver itself knows nothing of this: it hands each turn's wakers to the sink
//! this module passes in.
use super::Shared;
use crate::context;
use crate::driver::Driver;
use crate::loom::sync::atomic::{fence, Ordering::SeqCst};
use crate::loom::sync::Arc;
use std::cell::Cell;
use std::task::Waker;
use std::time::Duration;

/// Bounds of the driver thread's spin budget: empty non-blocking looks it takes after a
/// busy turn before it blocks in `epoll_wait` again (see [`turn_until_shutdown`]).
const DRIVER_SPINS: std::ops::RangeInclusive<u32> = 2..=64;

/// The driver thread's scheduler context (see the module docs).
pub(crate) struct Context {
    shared: Arc<Shared>,
    /// A schedule in the current batch skipped its notification.
    needs_notify: Cell<bool>,
}

impl Context {
    /// Whether this driver thread serves `shared`'s runtime.
    pub(super) fn serves(&self, shared: &Shared) -> bool {
        std::ptr::eq(&*self.shared, shared)
    }

    /// Records that a task was queued without notifying a worker.
    pub(super) fn defer_notify(&self) {
        self.needs_notify.set(true);
    }

    /// The sink for one turn's wakers: wake them all, then notify once.
    fn wake_batch(&self, wakers: std::vec::Drain<'_, Waker>) {
        /// Issues the batch's one notification on return and on unwind (a waker that
        /// panics must not leave queued work without a worker).
        struct Flush<'a>(&'a Context);
        impl Drop for Flush<'_> {
            fn drop(&mut self) {
                if self.0.needs_notify.replace(false) {
                    // Orders the batch's pushes before reading the idle state (README).
                    fence(SeqCst);
                    self.0.shared.notify_parked();
                }
            }
        }
        let _flush = Flush(self);
        // A waker that panics is caught (the rest are still woken) and counts as an
        // unhandled panic of the runtime: it must not kill this thread (defect 3).
        if crate::driver::wake_each(wakers) {
            super::super::Handle::MultiThread(self.shared.clone()).unhandled_panic();
        }
    }
}

/// Starts the driver thread of `shared`'s runtime.
pub(super) fn spawn(
    driver: Driver,
    shared: Arc<Shared>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let name = format!("{}-driver", (shared.config.thread_name)());
    std::thread::Builder::new()
        .name(name)
        .spawn(move || run(driver, shared))
}

/// The thread's body: turn the driver until the runtime shuts down.
fn run(mut driver: Driver, shared: Arc<Shared>) {
    let cx = super::super::Context::Driver(Context {
        shared,
        needs_notify: Cell::new(false),
    });
    let super::super::Context::Driver(me) = &cx else {
        unreachable!("just built")
    };
    context::set_scheduler(&cx, || {
        let mut sink = |wakers: std::vec::Drain<'_, Waker>| me.wake_batch(wakers);
        // Supervised: if a turn panics anyway (a broken epoll instance), the thread does
        // not just end. `shutdown` below marks the driver gone, so every pending timer
        // and I/O wait fails and new ones are refused, instead of sleeping forever.
        let turned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            turn_until_shutdown(&mut driver, &mut sink, me.shared.config.id.get())
        }));
        driver.shutdown(&mut sink);
        if turned.is_err() {
            me.shared.close();
        }
    });
}

/// The driver thread's loop, until the runtime shuts down.
///
/// Busy I/O comes in bursts: after a turn that woke tasks, it keeps looking without
/// blocking for a while (yielding the core in between), so the next events are picked up
/// without a sender having to wake it out of `epoll_wait`. How long adapts
/// ([`SpinBudget`](super::spin::SpinBudget)): a spin phase that found events doubles the budget, one that found
/// none halves it, so under request/response traffic it stays, and when the workers'
/// own harvests take the events (or nothing comes) the thread gives the CPU back.
fn turn_until_shutdown(
    driver: &mut Driver,
    sink: &mut impl crate::driver::WakeSink,
    runtime_id: u64,
) {
    let _ = runtime_id; // read by the test-only fault hook below
    let mut budget = super::spin::SpinBudget::new(DRIVER_SPINS);
    while !driver.handle.is_shutdown() {
        #[cfg(test)]
        super::fault::DRIVER.hit(runtime_id, "the driver thread's loop");
        let mut woken = driver.turn(None, sink);
        let mut empty = 0;
        while woken > 0 || (empty > 0 && empty < budget.get()) {
            if woken > 0 {
                if empty > 1 {
                    budget.hit();
                }
                empty = 1;
            } else {
                empty += 1;
                std::thread::yield_now();
            }
            if driver.handle.is_shutdown() {
                return;
            }
            woken = driver.turn(Some(Duration::ZERO), sink);
        }
        budget.miss();
    }
}

//! loom models of a `LocalSet`'s scheduler (`scheduler/local.rs`, the real `Shared`):
//! a local task woken from another thread (its waker is `Send`) races the owner running
//! the set, and races the set being dropped. Proves: no lost wake-up between the owner
//! registering its waker, finding the queue empty and sleeping, and a remote wake
//! pushing the task; a wake that lands while (or after) the set shuts down never runs
//! the task, and its future is dropped exactly once, on the owner's side.
//!
//! Imports the scheduler's `local` module, the engine's loom fixtures and `loom`. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use super::local::Shared;
use crate::engine::loom_support::{guarded, output_or_cancelled, spawn_waker_thread};
use crate::engine::loom_support::{DropCount, TwoPolls, WakerSlot};
use crate::engine::raw::TaskMeta;
use crate::loom::sync::atomic::Ordering::SeqCst;
use std::future::Future;
use std::pin::pin;
use std::task::Poll;

/// The owner runs the set until its task finishes while another thread wakes the task:
/// the owner is woken (not left asleep on an empty queue) and gets the output.
#[test]
fn remote_wake_vs_running_the_set() {
    loom::model(|| {
        let shared = Shared::new();
        let slot = WakerSlot::default();
        let join = Shared::spawn(&shared, TwoPolls::new(&slot, 5), TaskMeta::caller(None));
        let waker_thread = spawn_waker_thread(slot);
        let mut join = pin!(join);
        // What `LocalSet::run_until` does each poll: register, run what is queued, check.
        let out = loom::future::block_on(std::future::poll_fn(|cx| {
            shared.register(cx.waker());
            while Shared::tick(&shared) {}
            match join.as_mut().poll(cx) {
                Poll::Ready(out) => Poll::Ready(out),
                Poll::Pending => Poll::Pending,
            }
        }));
        assert_eq!(out.unwrap(), 5);
        waker_thread.join().unwrap();
        Shared::shutdown(&shared);
    });
}

/// The set is dropped while another thread wakes its pending task: the task never runs
/// again, its future is dropped exactly once, and its handle reports it cancelled.
#[test]
fn remote_wake_vs_dropping_the_set() {
    loom::model(|| {
        let shared = Shared::new();
        let slot = WakerSlot::default();
        let (guard, drops) = DropCount::new();
        let future = guarded(guard, TwoPolls::new(&slot, 1));
        let join = Shared::spawn(&shared, future, TaskMeta::caller(None));
        // First poll: the task hands its waker out and waits.
        while Shared::tick(&shared) {}
        let waker_thread = spawn_waker_thread(slot);
        Shared::shutdown(&shared);
        waker_thread.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1, "the future is dropped once");
        assert_eq!(output_or_cancelled(join), None, "the task never finished");
        assert_eq!(shared.len(), 0);
    });
}

//! loom models of the current-thread scheduler (`mod.rs`), through a real current-thread
//! `Runtime` without drivers (it parks on `crate::loom::Parker`). Proves: a wake from
//! another thread while the `block_on` thread parks is never lost (for a spawned task,
//! through the inject queue and the unpark, and for the `block_on` future itself); two
//! threads in `block_on` contending for the core both return, the tasks run once, and
//! the one waiting for the core is woken by its own future's wake or by the core's return.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use crate::engine::loom_support::{spawn_waker_thread, TwoPolls, WakerSlot};
use crate::runtime::Builder;

/// A spawned task hands its waker to another thread and is woken from there while the
/// `block_on` thread (awaiting the task) runs out of work and parks.
#[test]
fn remote_wake_of_a_task_vs_park() {
    loom::model(|| {
        let rt = Builder::new_current_thread().build().unwrap();
        let slot = WakerSlot::default();
        let task = rt.spawn(TwoPolls::new(&slot, 4));
        let waker = spawn_waker_thread(slot);
        assert_eq!(rt.block_on(task).unwrap(), 4);
        waker.join().unwrap();
    });
}

/// The `block_on` future itself is woken from another thread while its thread parks.
#[test]
fn remote_wake_of_the_block_on_future_vs_park() {
    loom::model(|| {
        let rt = Builder::new_current_thread().build().unwrap();
        let slot = WakerSlot::default();
        let waker = spawn_waker_thread(slot.clone());
        assert_eq!(rt.block_on(TwoPolls::new(&slot, 5)), 5);
        waker.join().unwrap();
    });
}

/// Two threads call `block_on`, each awaiting its own spawned task: whichever gets the
/// core runs both tasks; the other polls its own future, lists itself as a core waiter
/// and parks, and is woken by its task's completion or by the core coming back.
#[test]
fn two_block_on_callers_contend_for_the_core() {
    loom::model(|| {
        let rt = Builder::new_current_thread().build().unwrap();
        let mine = rt.spawn(async { 1 });
        let theirs = rt.spawn(async { 2 });
        let handle = rt.handle().clone();
        let other = loom::thread::spawn(move || handle.block_on(theirs).unwrap());
        assert_eq!(rt.block_on(mine).unwrap(), 1);
        assert_eq!(other.join().unwrap(), 2);
    });
}

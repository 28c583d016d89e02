//! loom models of the owned-task list (`list.rs`) and of shutdown with tasks in flight:
//! the real `OwnedTasks::{spawn, remove, close_and_shutdown_all}` behind the mock
//! scheduler of `loom_support`, racing each other. What they prove: a task spawned
//! concurrently with close is either run or shut down, never leaked; a completion
//! removing itself while the list closes is freed once; and shutdown while tasks are
//! being polled and woken drops every future exactly once and returns.
//!
//! Imports only the engine and `loom`. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use super::loom_support::{
    guarded, output_or_cancelled, take_waker, DropCount, MockScheduler, TwoPolls, WakerSlot,
};
use super::JoinHandle;
use crate::loom::sync::atomic::Ordering::SeqCst;
use crate::loom::sync::{Arc, Mutex};

/// A spawn on another thread races with `close_and_shutdown_all`: the list's lock orders
/// them, so the task is either listed before the close (and shut down by it) or refused
/// (shut down at once), or it ran first. Either way its future is dropped once, the
/// handle reports its output or a cancellation, and no reference is left behind.
#[test]
fn spawn_vs_close() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let (guard, drops) = DropCount::new();
        let spawner = {
            let sched = sched.clone();
            loom::thread::spawn(move || {
                sched.spawn(async move {
                    drop(guard);
                    5
                })
            })
        };
        sched.shutdown();
        let join = spawner.join().unwrap();
        // Whatever was queued after the close is only dropped by the scheduler.
        sched.run_until_idle();
        if let Some(v) = output_or_cancelled(join) {
            assert_eq!(v, 5);
        }
        assert_eq!(drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

/// A task completing on a worker removes itself from the list (`Schedule::release`)
/// while another thread closes it: the list's reference is taken by exactly one of them,
/// the output is delivered or the task is cancelled, and the memory is freed.
#[test]
fn remove_vs_close() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let (out, drops) = DropCount::new();
        let join = sched.spawn(async move { out });
        let worker = {
            let sched = sched.clone();
            loom::thread::spawn(move || sched.run_until_idle())
        };
        sched.shutdown();
        worker.join().unwrap();
        sched.run_until_idle();
        drop(output_or_cancelled(join));
        assert_eq!(drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

/// A future whose drop spawns a task, dropped by the close itself: the new task finds
/// the list closed and is shut down at once (its handle reports cancellation), so the
/// close cannot leak a task it made itself.
#[test]
fn spawn_from_a_future_dropped_by_close() {
    loom::model(|| {
        let sched = MockScheduler::new();
        type Joins = Arc<Mutex<Vec<JoinHandle<()>>>>;
        struct SpawnOnDrop(MockScheduler, Joins);
        impl Drop for SpawnOnDrop {
            fn drop(&mut self) {
                let join = self.0.spawn(async {});
                self.1.lock().unwrap().push(join);
            }
        }
        let joins = Joins::default();
        let spawner = SpawnOnDrop(sched.clone(), joins.clone());
        let first = sched.spawn(async move {
            let _spawner = spawner;
            std::future::pending::<()>().await
        });
        sched.run_until_idle();
        sched.shutdown();
        assert!(loom::future::block_on(first).unwrap_err().is_cancelled());
        let late = joins.lock().unwrap().pop().expect("the drop spawned");
        assert!(loom::future::block_on(late).unwrap_err().is_cancelled());
        sched.assert_all_freed();
    });
}

/// Shutdown with two tasks in flight: one is queued and polled on a worker thread, the other
/// is woken from a third thread (its `Notified` may land in the queue before or after
/// the close). Shutdown returns, each future is dropped exactly once, and each handle
/// reports its output or a cancellation.
#[test]
fn shutdown_with_tasks_in_flight() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let (polled_guard, polled_drops) = DropCount::new();
        let (woken_guard, woken_drops) = DropCount::new();
        let slot = WakerSlot::default();
        let woken = sched.spawn(guarded(woken_guard, TwoPolls::new(&slot, 1)));
        // `woken`'s first poll hands its waker out; `polled` is queued, not yet run.
        sched.run_until_idle();
        let polled = sched.spawn(guarded(polled_guard, std::future::pending::<()>()));
        let waker = loom::thread::spawn(move || take_waker(&slot).wake());
        let worker = {
            let sched = sched.clone();
            loom::thread::spawn(move || sched.run_until_idle())
        };
        sched.shutdown();
        waker.join().unwrap();
        worker.join().unwrap();
        sched.run_until_idle();
        assert!(loom::future::block_on(polled).unwrap_err().is_cancelled());
        if let Some(v) = output_or_cancelled(woken) {
            assert_eq!(v, 1);
        }
        assert_eq!(polled_drops.load(SeqCst), 1);
        assert_eq!(woken_drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

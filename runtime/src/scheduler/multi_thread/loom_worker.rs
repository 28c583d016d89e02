//! loom models of the multi-thread scheduler's real worker loop (`worker.rs` over
//! `idle.rs`): a real `Runtime` built by `Builder::new_multi_thread` without drivers, its
//! workers on loom threads (the blocking pool's), the monitor not started (it is
//! time-driven and only adds wake-ups). Proves: a task spawned or woken from outside
//! while the last worker searches and parks is run (no lost wake-up); dropping the
//! runtime with tasks in flight drops every future exactly once and returns.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use crate::engine::loom_support::{guarded, DropCount, TwoPolls, WakeFromThread, WakerSlot};
use crate::loom::sync::atomic::Ordering::SeqCst;
use crate::runtime::{Builder, Runtime};

fn runtime(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .unwrap()
}

/// A task spawned from outside (the injector, a fence, `worker_to_notify`) while the
/// only worker, just started, searches, finds nothing and parks: it is run.
#[test]
fn spawn_while_the_last_worker_parks() {
    loom::model(|| {
        let rt = runtime(1);
        let join = rt.spawn(async { 3 });
        assert_eq!(loom::future::block_on(join).unwrap(), 3);
        drop(rt);
    });
}

/// A task is woken from another thread (started in its first poll, so the wake races the
/// end of that poll, the worker going idle and its park) and is polled again and completes.
#[test]
fn remote_wake_while_the_worker_parks() {
    loom::model(|| {
        let rt = runtime(1);
        let future = WakeFromThread::new(8);
        let waker_thread = future.joiner();
        let join = rt.spawn(future);
        assert_eq!(loom::future::block_on(join).unwrap(), 8);
        waker_thread.join();
        drop(rt);
    });
}

/// The runtime is dropped while one task is queued or being polled and another is being
/// woken from a third thread: the drop returns, and each future is dropped exactly once.
#[test]
fn drop_with_tasks_in_flight() {
    loom::model(|| {
        let rt = runtime(1);
        let (pending_guard, pending_drops) = DropCount::new();
        let (woken_guard, woken_drops) = DropCount::new();
        let slot = WakerSlot::default();
        drop(rt.spawn(guarded(pending_guard, std::future::pending::<()>())));
        drop(rt.spawn(guarded(woken_guard, TwoPolls::new(&slot, 0))));
        let waker = loom::thread::spawn(move || {
            // The task may be dropped unpolled by the shutdown: then no waker comes.
            loop {
                if let Some(waker) = slot.lock().unwrap().take() {
                    waker.wake();
                    return;
                }
                if crate::loom::sync::Arc::strong_count(&slot) == 1 {
                    return;
                }
                loom::thread::yield_now();
            }
        });
        drop(rt);
        waker.join().unwrap();
        assert_eq!(pending_drops.load(SeqCst), 1);
        assert_eq!(woken_drops.load(SeqCst), 1);
    });
}

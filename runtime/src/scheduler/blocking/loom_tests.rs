//! loom models of the blocking pool (`pool.rs`), driven through a real current-thread
//! `Runtime` (no drivers, so nothing but loom-visible primitives runs): pool threads are
//! loom threads, the keep-alive wait is `crate::loom::wait_timeout` (with a zero
//! keep-alive it may time out at any point), the exit latch is `crate::loom::mpsc`.
//! Proves: a job spawned while the pool shuts down either runs (its output reaches the
//! handle) or is cancelled, and shutdown returns; a job pushed while the only thread
//! leaves on keep-alive is still run (by it, or by a new thread): never stranded.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use crate::engine::loom_support::{output_or_cancelled, DropCount};
use crate::loom::sync::atomic::Ordering::SeqCst;
use crate::runtime::Builder;
use std::time::Duration;

/// `spawn_blocking` on another thread races with the runtime's drop (which shuts the
/// pool down and waits for its threads).
#[test]
fn spawn_vs_shutdown() {
    loom::model(|| {
        let rt = Builder::new_current_thread().build().unwrap();
        let handle = rt.handle().clone();
        let (guard, drops) = DropCount::new();
        let spawner = loom::thread::spawn(move || {
            handle.spawn_blocking(move || {
                drop(guard);
                9
            })
        });
        drop(rt);
        let join = spawner.join().unwrap();
        if let Some(v) = output_or_cancelled(join) {
            assert_eq!(v, 9);
        }
        // The closure ran (dropping the guard) or was dropped with its cancelled task.
        assert_eq!(drops.load(SeqCst), 1);
    });
}

/// With a zero keep-alive the pool's one thread leaves as soon as it is idle; a second
/// job pushed meanwhile is either handed to it (`num_notify`) before it counts itself
/// out, or finds no idle thread and starts a new one.
#[test]
fn keep_alive_exit_vs_notify() {
    loom::model(|| {
        let rt = Builder::new_current_thread()
            .thread_keep_alive(Duration::ZERO)
            .build()
            .unwrap();
        let first = rt.spawn_blocking(|| 1);
        assert_eq!(loom::future::block_on(first).unwrap(), 1);
        // The thread may now be idle, timing out, or gone.
        let second = rt.spawn_blocking(|| 2);
        assert_eq!(loom::future::block_on(second).unwrap(), 2);
        drop(rt);
    });
}

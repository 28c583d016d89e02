//! Shutdown: every task's future is dropped, nothing hangs, blocking work is bounded.
use robin::runtime::Builder;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::time::Duration;

struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn drop_runtime_with_pending_tasks(rt: robin::runtime::Runtime, n: usize) {
    let drops = Arc::new(AtomicUsize::new(0));
    let spawned = rt.block_on({
        let drops = drops.clone();
        async move {
            for _ in 0..n {
                let token = Counted(drops.clone());
                drop(robin::spawn(async move {
                    let _token = token;
                    std::future::pending::<()>().await
                }));
            }
            // Some tasks wait on channels whose senders are kept alive elsewhere.
            let (tx, rx) = robin::sync::oneshot::channel::<()>();
            drop(robin::spawn(rx));
            tx
        }
    });
    assert_eq!(rt.handle().num_alive_tasks(), n + 1);
    drop(rt);
    assert_eq!(drops.load(SeqCst), n, "every pending future is dropped");
    drop(spawned);
}

#[test]
fn multi_thread_drop_drops_100k_pending_futures() {
    drop_runtime_with_pending_tasks(
        Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
        100_000,
    );
}

#[test]
fn current_thread_drop_drops_100k_pending_futures() {
    drop_runtime_with_pending_tasks(Builder::new_current_thread().build().unwrap(), 100_000);
}

#[test]
fn shutdown_timeout_returns_while_a_blocking_job_is_stuck() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        let _ = release_rx.recv();
    });
    started_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    // Returns even though the job never finishes on its own.
    rt.shutdown_timeout(Duration::from_millis(50));
    release_tx.send(()).unwrap();
}

#[test]
fn shutdown_background_does_not_wait() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    rt.spawn_blocking(move || {
        let _ = release_rx.recv();
    });
    rt.shutdown_background();
    release_tx.send(()).unwrap();
}

#[test]
fn queued_blocking_jobs_are_never_lost_at_shutdown() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let first = rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        let _ = release_rx.recv();
        1
    });
    started_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    // Only one blocking thread may exist: this one waits in the queue.
    let second = rt.spawn_blocking(|| 2);
    let other = Builder::new_current_thread().build().unwrap();
    release_tx.send(()).unwrap();
    drop(rt);
    assert_eq!(other.block_on(first).unwrap(), 1);
    // The queued job either ran before shutdown began or was cancelled: never lost.
    match other.block_on(second) {
        Ok(v) => assert_eq!(v, 2),
        Err(e) => assert!(e.is_cancelled()),
    }
}

/// A blocking job queued behind a running one before the runtime shuts down still runs
/// once that one returns, and its output reaches its `JoinHandle` (tokio's pool: a busy
/// thread runs every job it pops; only an idle one cancels what is left). Before the fix
/// the busy thread cancelled it because the shutdown flag was set: `second` reported
/// `Cancelled` and `ran_rx` saw its sender dropped unrun.
#[test]
fn a_blocking_job_queued_before_shutdown_runs_behind_the_busy_thread() {
    let rt = Builder::new_current_thread()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let (ran_tx, ran_rx) = mpsc::channel::<()>();
    let first = rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        let _ = release_rx.recv();
        1
    });
    started_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    // The pool's only thread is busy: this job waits in the queue.
    let second = rt.spawn_blocking(move || {
        ran_tx.send(()).unwrap();
        2
    });
    // Shutdown begins (the flag is set, nothing waits) while `first` still runs.
    rt.shutdown_background();
    release_tx.send(()).unwrap();
    assert_eq!(
        ran_rx.recv_timeout(Duration::from_secs(30)),
        Ok(()),
        "the queued job was dropped unrun"
    );
    let other = Builder::new_current_thread().build().unwrap();
    assert_eq!(other.block_on(first).unwrap(), 1);
    assert_eq!(other.block_on(second).unwrap(), 2);
}

/// Dropping a runtime inside a task shuts it down without waiting (no deadlock on the
/// thread's own runtime), then panics as tokio does.
#[test]
fn runtime_dropped_inside_a_task_does_not_deadlock() {
    let outer = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let inner = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    inner.spawn(async move {
        let _dropped_on_cancel = tx;
        std::future::pending::<()>().await
    });
    let err = outer
        .block_on(outer.spawn(async move { drop(inner) }))
        .unwrap_err();
    let payload = err.into_panic();
    let msg = payload
        .downcast_ref::<&str>()
        .copied()
        .or(payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or_default();
    assert!(
        msg.starts_with("Cannot drop a runtime in a context where blocking is not allowed"),
        "{msg}"
    );
    // The inner runtime did shut down: its task was cancelled (dropping its sender).
    assert!(rx.recv().is_err());
}

#[test]
fn wakes_after_shutdown_are_harmless() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let (tx, rx) = robin::sync::oneshot::channel::<u8>();
    let handle = rt.spawn(rx);
    drop(rt);
    // Waking the (cancelled) task from a foreign thread after shutdown does nothing.
    let _ = tx.send(1);
    let err = Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(handle)
        .unwrap_err();
    assert!(err.is_cancelled());
}

#[test]
fn repeated_build_and_drop() {
    for i in 0..50 {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        assert_eq!(rt.block_on(rt.spawn(async move { i })).unwrap(), i);
    }
}

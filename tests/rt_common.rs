//! Runtime behaviour that must hold on every flavor: each test below runs on the
//! current-thread runtime, a 1-worker and a 2-worker multi-thread runtime.
//!
//! No test asserts on timing; loops and waits are bounded in count (and, where a thread
//! blocks on a std channel, by a generous `recv_timeout` so a bug fails instead of hangs).
use robin::runtime::{Builder, Runtime};
use robin::task::{self, JoinError};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

macro_rules! rt_test {
    ($(fn $name:ident($rt:ident) $body:block)*) => {
        mod current_thread {
            use super::*;
            $( #[test] fn $name() { let $rt = Builder::new_current_thread().enable_all().build().unwrap(); $body } )*
        }
        mod multi_thread_1 {
            use super::*;
            $( #[test] fn $name() { let $rt = Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap(); $body } )*
        }
        mod multi_thread_2 {
            use super::*;
            $( #[test] fn $name() { let $rt = Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap(); $body } )*
        }
    };
}

/// Counts how many of its instances were dropped.
#[derive(Clone)]
struct DropCounter(Arc<AtomicUsize>);
struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}
impl DropCounter {
    fn new() -> Self {
        DropCounter(Arc::new(AtomicUsize::new(0)))
    }
    fn token(&self) -> Counted {
        Counted(self.0.clone())
    }
    fn count(&self) -> usize {
        self.0.load(SeqCst)
    }
}

const WAIT: Duration = Duration::from_secs(30);

fn _assert_runtime_type(_: &Runtime) {}

rt_test! {
    fn block_on_returns_output(rt) {
        assert_eq!(rt.block_on(async { 40 + 2 }), 42);
    }

    fn spawn_from_outside_and_join(rt) {
        let handle = rt.spawn(async { "out" });
        assert_eq!(rt.block_on(handle).unwrap(), "out");
    }

    fn spawn_from_inside_and_join(rt) {
        let v = rt.block_on(async { robin::spawn(async { 7u8 }).await.unwrap() });
        assert_eq!(v, 7);
    }

    fn spawn_from_another_thread_through_handle(rt) {
        let handle = rt.handle().clone();
        let join = std::thread::spawn(move || handle.spawn(async { 5 })).join().unwrap();
        assert_eq!(rt.block_on(join).unwrap(), 5);
    }

    fn hundred_thousand_tasks(rt) {
        let count = Arc::new(AtomicUsize::new(0));
        let total = rt.block_on({
            let count = count.clone();
            async move {
                let handles: Vec<_> = (0..100_000u64)
                    .map(|i| {
                        let count = count.clone();
                        robin::spawn(async move {
                            count.fetch_add(1, SeqCst);
                            i
                        })
                    })
                    .collect();
                let mut total = 0u64;
                for h in handles {
                    total += h.await.unwrap();
                }
                total
            }
        });
        assert_eq!(count.load(SeqCst), 100_000);
        assert_eq!(total, (0..100_000u64).sum::<u64>());
        assert_eq!(robin_test_support::settled_alive_tasks(&rt.metrics()), 0);
    }

    fn nested_spawns(rt) {
        fn chain(depth: u32) -> robin::task::JoinHandle<u32> {
            robin::spawn(async move {
                if depth == 0 { 0 } else { chain(depth - 1).await.unwrap() + 1 }
            })
        }
        assert_eq!(rt.block_on(async { chain(200).await.unwrap() }), 200);
    }

    fn abort_before_first_poll(rt) {
        let polled = Arc::new(AtomicBool::new(false));
        let drops = DropCounter::new();
        let handle = {
            let (polled, token) = (polled.clone(), drops.token());
            rt.spawn(async move {
                let _token = token;
                polled.store(true, SeqCst);
            })
        };
        handle.abort();
        match rt.block_on(handle) {
            Err(err) => assert!(err.is_cancelled(), "{err}"),
            // On a multi-thread runtime a worker may finish the task before the abort.
            Ok(()) => assert!(polled.load(SeqCst), "completed without being polled"),
        }
        // The future is dropped exactly once either way.
        assert_eq!(drops.count(), 1);
        if rt.handle().runtime_flavor() == robin::runtime::RuntimeFlavor::CurrentThread {
            assert!(!polled.load(SeqCst), "aborted before any block_on: never polled");
        }
    }

    fn abort_while_pending(rt) {
        let drops = DropCounter::new();
        let (started_tx, started_rx) = robin::sync::oneshot::channel::<()>();
        let handle = {
            let token = drops.token();
            rt.spawn(async move {
                let _token = token;
                let _ = started_tx.send(());
                std::future::pending::<()>().await
            })
        };
        rt.block_on(async {
            started_rx.await.unwrap();
            handle.abort();
            let err = handle.await.unwrap_err();
            assert!(err.is_cancelled());
            assert!(!err.is_panic());
        });
        assert_eq!(drops.count(), 1);
    }

    fn abort_after_completion_keeps_output(rt) {
        let handle = rt.spawn(async { 9 });
        rt.block_on(async {
            while !handle.is_finished() {
                task::yield_now().await;
            }
        });
        handle.abort();
        assert_eq!(rt.block_on(handle).unwrap(), 9);
    }

    fn abort_handle_cancels_and_reports_finished(rt) {
        let handle = rt.spawn(std::future::pending::<()>());
        let abort = handle.abort_handle();
        assert_eq!(abort.id(), handle.id());
        abort.abort();
        assert!(rt.block_on(handle).unwrap_err().is_cancelled());
        assert!(abort.is_finished());
    }

    fn panicking_task_gives_join_error_and_runtime_survives(rt) {
        let err = rt.block_on(rt.spawn(async { panic!("task exploded") })).unwrap_err();
        assert!(err.is_panic());
        assert!(err.to_string().contains("task exploded"), "{err}");
        let payload = err.into_panic();
        assert_eq!(*payload.downcast::<&str>().unwrap(), "task exploded");
        // Still works afterwards.
        assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
    }

    fn panic_in_future_drop_is_reported(rt) {
        struct PanicOnDrop;
        impl Drop for PanicOnDrop {
            fn drop(&mut self) {
                panic!("drop exploded");
            }
        }
        let handle = rt.spawn(async {
            let _guard = PanicOnDrop;
            3
        });
        let err: JoinError = rt.block_on(handle).unwrap_err();
        assert!(err.is_panic(), "{err}");
        // Aborting a task whose drop panics reports the panic, too. (The guard is moved
        // in, so it is part of the future even if the abort lands before the first poll.)
        let guard = PanicOnDrop;
        let handle = rt.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await
        });
        handle.abort();
        assert!(rt.block_on(handle).unwrap_err().is_panic());
        assert_eq!(rt.block_on(rt.spawn(async { 2 })).unwrap(), 2);
    }

    fn panic_in_detached_output_drop_is_contained(rt) {
        struct PanicOnDrop;
        impl Drop for PanicOnDrop {
            fn drop(&mut self) {
                panic!("output drop exploded");
            }
        }
        drop(rt.spawn(async { PanicOnDrop }));
        // The runtime keeps running tasks.
        for i in 0..10 {
            assert_eq!(rt.block_on(rt.spawn(async move { i })).unwrap(), i);
        }
    }

    fn yield_now_interleaves_two_tasks_on_one_thread(rt) {
        // Only deterministic with one thread running tasks; on two workers the tasks run
        // in parallel, and we only check both finished.
        let log = Arc::new(Mutex::new(Vec::new()));
        let one_thread = rt.handle().runtime_flavor() == robin::runtime::RuntimeFlavor::CurrentThread;
        let task = |name: char| {
            let log = log.clone();
            async move {
                for i in 0..5 {
                    log.lock().unwrap().push((name, i));
                    task::yield_now().await;
                }
            }
        };
        let (a, b) = (task('a'), task('b'));
        rt.block_on(async move {
            let a = robin::spawn(a);
            let b = robin::spawn(b);
            a.await.unwrap();
            b.await.unwrap();
        });
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 10);
        if one_thread {
            let expected: Vec<_> = (0..5).flat_map(|i| [('a', i), ('b', i)]).collect();
            assert_eq!(*log, expected);
        }
    }

    fn spawn_blocking_thousand_jobs(rt) {
        let sum = rt.block_on(async {
            let handles: Vec<_> = (0..1000u64).map(|i| task::spawn_blocking(move || i * 2)).collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, (0..1000u64).map(|i| i * 2).sum::<u64>());
    }

    fn spawn_blocking_panic_is_a_join_error(rt) {
        let err = rt.block_on(rt.spawn_blocking(|| panic!("blocking exploded"))).unwrap_err();
        assert!(err.is_panic());
        assert_eq!(rt.block_on(rt.spawn_blocking(|| 4)).unwrap(), 4);
    }

    fn handle_current_inside_tasks_and_blocking_jobs(rt) {
        rt.block_on(async {
            assert!(robin::runtime::Handle::try_current().is_ok());
            let inner = robin::spawn(async { robin::runtime::Handle::try_current().is_ok() });
            assert!(inner.await.unwrap());
            let blocking = task::spawn_blocking(|| robin::runtime::Handle::try_current().is_ok());
            assert!(blocking.await.unwrap());
        });
    }

    fn enter_makes_spawn_work_outside(rt) {
        let handle = {
            let _guard = rt.enter();
            robin::spawn(async { 11 })
        };
        assert_eq!(rt.block_on(handle).unwrap(), 11);
    }

    fn block_on_inside_a_task_panics(rt) {
        let err = rt
            .block_on(rt.spawn(async {
                robin::runtime::Handle::current().block_on(async {});
            }))
            .unwrap_err();
        assert!(err.to_string().contains("Cannot start a runtime from within a runtime"), "{err}");
    }

    fn join_handle_dropped_detaches(rt) {
        let (tx, rx) = std::sync::mpsc::channel();
        drop(rt.spawn(async move { tx.send(1).unwrap() }));
        // The detached task still runs (a current-thread runtime needs a block_on).
        rt.block_on(async {
            for _ in 0..100 {
                task::yield_now().await;
            }
        });
        assert_eq!(rx.recv_timeout(WAIT).unwrap(), 1);
    }

    fn task_ids_are_unique_and_visible(rt) {
        let a = rt.spawn(async { task::id() });
        let b = rt.spawn(async { task::id() });
        let (ida, idb) = (a.id(), b.id());
        assert_ne!(ida, idb);
        assert_eq!(rt.block_on(a).unwrap(), ida);
        assert_eq!(rt.block_on(b).unwrap(), idb);
        assert!(task::try_id().is_none());
    }

    fn dropping_runtime_drops_pending_futures(rt) {
        let drops = DropCounter::new();
        for _ in 0..1000 {
            let token = drops.token();
            drop(rt.spawn(async move {
                let _token = token;
                std::future::pending::<()>().await
            }));
        }
        // A task blocked on a channel that is never signalled does not hang the drop.
        let (_tx, rx) = robin::sync::oneshot::channel::<()>();
        drop(rt.spawn(rx));
        drop(rt);
        assert_eq!(drops.count(), 1000);
    }

    fn spawn_after_shutdown_is_cancelled(rt) {
        let handle = rt.handle().clone();
        drop(rt);
        let join = handle.spawn(async { 1 });
        let err = Builder::new_current_thread().build().unwrap().block_on(join).unwrap_err();
        assert!(err.is_cancelled());
    }
}

#[test]
fn handle_current_outside_a_runtime_is_an_error() {
    let err = robin::runtime::Handle::try_current().unwrap_err();
    assert!(err.is_missing_context());
    assert!(err.to_string().contains("no robin runtime"), "{err}");
}

#[test]
#[should_panic(expected = "no robin runtime")]
fn spawn_outside_a_runtime_panics_with_a_clear_message() {
    drop(robin::spawn(async {}));
}

#[test]
fn block_in_place_on_current_thread_panics() {
    let rt = Builder::new_current_thread().build().unwrap();
    let err = rt
        .block_on(rt.spawn(async { task::block_in_place(|| ()) }))
        .unwrap_err();
    // The task ran on the block_on thread, which drives the current-thread runtime.
    assert!(err.to_string().contains("multi-threaded runtime"), "{err}");
}

#[test]
fn builder_rejects_invalid_settings() {
    let err = Builder::new_multi_thread()
        .worker_threads(0)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("worker_threads"));
    let err = Builder::new_multi_thread()
        .max_blocking_threads(0)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let err = Builder::new_multi_thread()
        .worker_threads(1 << 20)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

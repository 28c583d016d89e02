//! `robin::task::{LocalSet, spawn_local}` through the facade.
use robin::task::{self, LocalSet};
use robin_test_support::current_thread;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[test]
fn block_on_runs_non_send_tasks() {
    let rt = current_thread();
    let local = LocalSet::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    let out = local.block_on(&rt, {
        let log = log.clone();
        async move {
            let mut handles = Vec::new();
            for i in 0..10 {
                let log = log.clone();
                handles.push(task::spawn_local(async move {
                    task::yield_now().await;
                    log.borrow_mut().push(i);
                    i * i
                }));
            }
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        }
    });
    assert_eq!(out, 285);
    let mut log = log.borrow().clone();
    log.sort();
    assert_eq!(log, (0..10).collect::<Vec<_>>());
}

#[robin::test]
async fn run_until_inside_a_robin_test() {
    let local = LocalSet::new();
    let v = local
        .run_until(async {
            let rc = Rc::new(Cell::new(1));
            let rc2 = rc.clone();
            task::spawn_local(async move { rc2.set(41) }).await.unwrap();
            rc.get() + 1
        })
        .await;
    assert_eq!(v, 42);
}

#[test]
fn run_until_on_a_multi_thread_runtime() {
    let rt = robin::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let local = LocalSet::new();
    let out = local.block_on(&rt, async {
        // A local task may await a Send task running on the workers.
        let rc = Rc::new(2);
        task::spawn_local(async move {
            let x = robin::spawn(async { 20 }).await.unwrap();
            x * *rc
        })
        .await
        .unwrap()
    });
    assert_eq!(out, 40);
}

#[test]
fn awaiting_the_set_waits_for_all_tasks() {
    let rt = current_thread();
    let local = LocalSet::new();
    let count = Rc::new(Cell::new(0));
    for i in 0..5 {
        let count = count.clone();
        local.spawn_local(async move {
            for _ in 0..i {
                task::yield_now().await;
            }
            // Nested spawns count too.
            let count2 = count.clone();
            task::spawn_local(async move { count2.set(count2.get() + 10) });
            count.set(count.get() + 1);
        });
    }
    assert_eq!(local.len(), 5);
    rt.block_on(local);
    assert_eq!(count.get(), 55);
}

#[test]
fn wakes_from_other_threads() {
    let rt = current_thread();
    let local = LocalSet::new();
    let (tx, rx) = robin::sync::oneshot::channel::<u32>();
    let out = local.block_on(&rt, async move {
        let handle = task::spawn_local(async move { Rc::new(rx.await.unwrap()) });
        let sender = std::thread::spawn(move || tx.send(7).unwrap());
        let v = handle.await.unwrap();
        sender.join().unwrap();
        *v
    });
    assert_eq!(out, 7);
}

#[test]
fn many_wakes_from_threads_via_mpsc() {
    let rt = current_thread();
    let local = LocalSet::new();
    let (tx, mut rx) = robin::sync::mpsc::channel::<u32>(4);
    let producers: Vec<_> = (0..4)
        .map(|p| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    tx.blocking_send(p * 1000 + i).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let total = local.block_on(&rt, async move {
        let acc = Rc::new(Cell::new(0u64));
        let acc2 = acc.clone();
        task::spawn_local(async move {
            while let Some(v) = rx.recv().await {
                acc2.set(acc2.get() + u64::from(v));
            }
        })
        .await
        .unwrap();
        acc.get()
    });
    for p in producers {
        p.join().unwrap();
    }
    let want: u64 = (0..4u64)
        .map(|p| (0..50u64).map(|i| p * 1000 + i).sum::<u64>())
        .sum();
    assert_eq!(total, want);
}

#[test]
fn abort_and_panic_are_join_errors() {
    let rt = current_thread();
    let local = LocalSet::new();
    local.block_on(&rt, async {
        let pending = task::spawn_local(std::future::pending::<()>());
        task::yield_now().await;
        assert!(!pending.is_finished());
        pending.abort();
        assert!(pending.await.unwrap_err().is_cancelled());

        let panics = task::spawn_local(async { panic!("local boom") });
        let err = panics.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "local boom");
    });
}

#[test]
fn abort_from_another_thread() {
    let rt = current_thread();
    let local = LocalSet::new();
    let handle = local.spawn_local(async {
        let _not_send = Rc::new(());
        std::future::pending::<u8>().await
    });
    let (tx, rx) = std::sync::mpsc::channel();
    // The handle is Send because its output (u8) is.
    let aborter = std::thread::spawn(move || {
        let handle = handle;
        handle.abort();
        tx.send(handle).unwrap();
    });
    aborter.join().unwrap();
    let handle = rx.recv().unwrap();
    let res = local.block_on(&rt, handle);
    assert!(res.unwrap_err().is_cancelled());
}

#[test]
fn dropping_the_set_cancels_tasks_on_its_thread() {
    struct OnDrop(Arc<AtomicUsize>, std::thread::ThreadId);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            assert_eq!(std::thread::current().id(), self.1);
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let rt = current_thread();
    let dropped = Arc::new(AtomicUsize::new(0));
    let local = LocalSet::new();
    let mut handles = Vec::new();
    for _ in 0..3 {
        let guard = OnDrop(dropped.clone(), std::thread::current().id());
        handles.push(local.spawn_local(async move {
            let _g = guard;
            std::future::pending::<()>().await
        }));
    }
    local.block_on(&rt, task::yield_now());
    drop(local);
    assert_eq!(dropped.load(Ordering::SeqCst), 3);
    for h in handles {
        assert!(rt.block_on(h).unwrap_err().is_cancelled());
    }
}

#[test]
#[should_panic(expected = "`spawn_local` called from outside of a `task::LocalSet`")]
fn spawn_local_outside_a_set_panics() {
    let rt = current_thread();
    rt.block_on(async {
        task::spawn_local(async {});
    });
}

#[robin::test(start_paused = true)]
async fn local_tasks_use_timers() {
    let local = LocalSet::new();
    let order = local
        .run_until(async {
            let order = Rc::new(RefCell::new(Vec::new()));
            let mut handles = Vec::new();
            for ms in [30u64, 10, 20] {
                let order = order.clone();
                handles.push(task::spawn_local(async move {
                    robin::time::sleep(Duration::from_millis(ms)).await;
                    order.borrow_mut().push(ms);
                }));
            }
            for h in handles {
                h.await.unwrap();
            }
            let v = order.borrow().clone();
            v
        })
        .await;
    assert_eq!(order, vec![10, 20, 30]);
}

#[robin::test]
async fn task_id_is_set_in_local_tasks() {
    let local = LocalSet::new();
    local
        .run_until(async {
            let handle = task::spawn_local(async { task::id() });
            let id = handle.id();
            assert_eq!(handle.await.unwrap(), id);
        })
        .await;
}

/// Local tasks are ordinary tasks: an ordinary `JoinHandle<T>`, and an id that
/// `task::id()` reports while the task runs (and that differs from the spawner's).
#[test]
fn local_tasks_have_ids_and_ordinary_join_handles() {
    let rt = current_thread();
    let local = LocalSet::new();
    local.block_on(&rt, async {
        let outer = task::try_id();
        let handle: task::JoinHandle<(task::Id, Rc<u8>)> =
            task::spawn_local(async { (task::id(), Rc::new(1)) });
        let expected = handle.id();
        let (seen, _rc) = handle.await.unwrap();
        assert_eq!(seen, expected);
        assert_ne!(Some(seen), outer);
        let a = task::spawn_local(async {});
        let b = task::spawn_local(async {});
        assert_ne!(a.id(), b.id());
        // An abort handle works as for any task.
        let pending = task::spawn_local(std::future::pending::<()>());
        let abort: task::AbortHandle = pending.abort_handle();
        abort.abort();
        assert!(pending.await.unwrap_err().is_cancelled());
    });
}

/// A panicking local task applies the runtime's `UnhandledPanic` policy like any task:
/// with `ShutdownRuntime`, the runtime's tasks are cancelled and `block_on` panics.
#[test]
fn local_task_panic_applies_the_unhandled_panic_policy() {
    let rt = robin::runtime::Builder::new_current_thread()
        .unhandled_panic(robin::runtime::UnhandledPanic::ShutdownRuntime)
        .build()
        .unwrap();
    let local = LocalSet::new();
    let runtime_task = std::cell::RefCell::new(None);
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        local.block_on(&rt, async {
            *runtime_task.borrow_mut() = Some(robin::spawn(std::future::pending::<()>()));
            drop(task::spawn_local(async { panic!("local boom") }));
            std::future::pending::<()>().await
        })
    }))
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<String>().map(String::as_str),
        Some(
            "a spawned task panicked and the runtime is configured to shut down on unhandled panic"
        )
    );
    let runtime_task = runtime_task.borrow_mut().take().unwrap();
    assert!(futures::executor::block_on(runtime_task)
        .unwrap_err()
        .is_cancelled());
}

/// With the default policy a local panic only fails its own handle.
#[test]
fn local_task_panic_is_ignored_by_default() {
    let rt = current_thread();
    let local = LocalSet::new();
    local.block_on(&rt, async {
        let other = task::spawn_local(async {
            task::yield_now().await;
            5
        });
        assert!(task::spawn_local(async { panic!("boom") })
            .await
            .unwrap_err()
            .is_panic());
        assert_eq!(other.await.unwrap(), 5);
        assert_eq!(robin::spawn(async { 6 }).await.unwrap(), 6);
    });
}

/// The runtime that drives a set counts its tasks in `spawned_tasks_count` and
/// `num_alive_tasks`, like the tasks spawned on the runtime itself.
#[test]
fn local_tasks_count_in_the_runtime_metrics() {
    let rt = current_thread();
    let metrics = rt.metrics();
    let local = LocalSet::new();
    // Spawned before the set first runs: counted when it does.
    let early = local.spawn_local(async { Rc::new(0) });
    local.block_on(&rt, async {
        assert_eq!(metrics.spawned_tasks_count(), 1);
        let (tx, rx) = robin::sync::oneshot::channel::<()>();
        let waiting = task::spawn_local(async move { rx.await.unwrap() });
        let m = robin::runtime::Handle::current().metrics();
        assert_eq!(m.spawned_tasks_count(), 2);
        assert_eq!(m.num_alive_tasks(), 2, "early and waiting");
        early.await.unwrap();
        assert_eq!(m.num_alive_tasks(), 1, "waiting");
        tx.send(()).unwrap();
        waiting.await.unwrap();
        assert_eq!(m.num_alive_tasks(), 0);
        let _pending = task::spawn_local(std::future::pending::<()>());
        assert_eq!(m.num_alive_tasks(), 1);
    });
    assert_eq!(metrics.spawned_tasks_count(), 3);
    assert_eq!(
        metrics.num_alive_tasks(),
        1,
        "the set still holds its pending task"
    );
    drop(local);
    assert_eq!(metrics.num_alive_tasks(), 0, "dropping the set cancels it");
}

/// `LocalSet::enter` makes `spawn_local` work outside `run_until`; the guard restores
/// the previous state (no set) when dropped.
#[test]
fn enter_lets_spawn_local_run_outside_the_set() {
    let rt = current_thread();
    let local = LocalSet::new();
    let handle = {
        let _guard = local.enter();
        task::spawn_local(async { Rc::new(3) })
    };
    let outside = std::panic::catch_unwind(|| {
        task::spawn_local(async {});
    });
    assert!(outside.is_err(), "the guard is gone: no current set");
    assert_eq!(*local.block_on(&rt, handle).unwrap(), 3);
}

/// `JoinSet::spawn_local` puts `!Send` tasks of the current `LocalSet` in a `JoinSet`.
#[test]
fn join_set_spawn_local_collects_non_send_tasks() {
    let rt = current_thread();
    let local = LocalSet::new();
    let mut got = local.block_on(&rt, async {
        let mut set = task::JoinSet::new();
        for i in 0..5u32 {
            let rc = Rc::new(i);
            set.spawn_local(async move {
                task::yield_now().await;
                *rc * 10
            });
        }
        let pending = set.spawn_local(std::future::pending::<u32>());
        pending.abort();
        let mut out = Vec::new();
        while let Some(res) = set.join_next().await {
            match res {
                Ok(v) => out.push(v),
                Err(e) => assert!(e.is_cancelled()),
            }
        }
        out
    });
    got.sort();
    assert_eq!(got, vec![0, 10, 20, 30, 40]);
}

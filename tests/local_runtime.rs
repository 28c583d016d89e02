//! `robin::runtime::LocalRuntime` and `Builder::build_local` through the facade: `!Send`
//! tasks without a `LocalSet`, as tokio's `LocalRuntime` runs them.
use robin::runtime::{Builder, LocalOptions, LocalRuntime};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

#[test]
fn spawn_local_runs_not_send_tasks_without_a_local_set() {
    let rt = LocalRuntime::new().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    let l = log.clone();
    // Spawned before anything drives the runtime: runs once block_on does.
    let early = rt.spawn_local(async move {
        l.borrow_mut().push("early");
        Rc::new(1)
    });
    let l = log.clone();
    let out = rt.block_on(async move {
        let inner = robin::task::spawn_local(async move {
            robin::task::yield_now().await;
            l.borrow_mut().push("inner");
            2
        });
        *early.await.unwrap() + inner.await.unwrap()
    });
    assert_eq!(out, 3);
    assert_eq!(*log.borrow(), ["early", "inner"]);
}

#[test]
fn spawn_local_works_from_a_send_task_of_the_runtime() {
    let rt = LocalRuntime::new().unwrap();
    let out = rt.block_on(async {
        robin::spawn(async {
            // Inside an ordinary task on the local runtime's thread.
            // (The `Rc` stays inside the local task: this task must remain `Send`.)
            let local = robin::task::spawn_local(async {
                let rc = Rc::new(5);
                robin::task::yield_now().await;
                *rc
            });
            local.await.unwrap()
        })
        .await
        .unwrap()
    });
    assert_eq!(out, 5);
}

#[test]
fn enter_makes_spawn_local_and_spawn_work_outside_block_on() {
    let rt = LocalRuntime::new().unwrap();
    let (a, b) = {
        let _guard = rt.enter();
        (
            robin::task::spawn_local(async { Rc::new(1) }),
            robin::spawn(async { 2 }),
        )
    };
    // The guard is gone: no local runtime is current any more.
    assert!(std::panic::catch_unwind(|| drop(robin::task::spawn_local(async {}))).is_err());
    let out = rt.block_on(async { *a.await.unwrap() + b.await.unwrap() });
    assert_eq!(out, 3);
}

#[test]
fn dropping_the_runtime_cancels_pending_local_tasks_on_its_thread() {
    struct OnDrop(Rc<Cell<bool>>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let dropped = Rc::new(Cell::new(false));
    let rt = LocalRuntime::new().unwrap();
    let guard = OnDrop(dropped.clone());
    let pending = rt.spawn_local(async move {
        let _guard = guard;
        std::future::pending::<()>().await
    });
    rt.block_on(robin::task::yield_now());
    assert!(!dropped.get());
    drop(rt);
    assert!(dropped.get(), "the local task's future was dropped");
    assert!(futures::executor::block_on(pending)
        .unwrap_err()
        .is_cancelled());
}

#[test]
fn blocking_pool_handle_and_shutdown() {
    let rt = Builder::new_current_thread()
        .enable_all()
        .name("local")
        .build_local(LocalOptions::default())
        .unwrap();
    assert_eq!(rt.handle().name(), Some("local"));
    let handle = rt.handle().clone();
    let remote = std::thread::spawn(move || handle.spawn(async { 7 }))
        .join()
        .unwrap();
    let blocking = rt.spawn_blocking(|| 8);
    let out = rt.block_on(async { remote.await.unwrap() + blocking.await.unwrap() });
    assert_eq!(out, 15);
    assert_eq!(rt.metrics().num_workers(), 1);
    let pending = rt.spawn_local(std::future::pending::<()>());
    rt.shutdown_background();
    assert!(futures::executor::block_on(pending)
        .unwrap_err()
        .is_cancelled());
}

#[test]
fn build_local_on_a_multi_thread_builder_panics() {
    let err = std::panic::catch_unwind(|| {
        let _ = Builder::new_multi_thread().build_local(LocalOptions::default());
    })
    .unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>().copied(),
        Some("multi_thread is not supported for LocalRuntime")
    );
}

#[test]
fn blocking_calls_panic_inside_its_block_on() {
    let rt = LocalRuntime::new().unwrap();
    let m = robin::sync::Mutex::new(0);
    rt.block_on(async {
        assert!(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            drop(m.blocking_lock())
        }))
        .is_err());
    });
    assert_eq!(*m.blocking_lock(), 0);
}

//! robin::runtime's API at tokio's paths (issue 14's runtime list, issue 11's runtime
//! panics), through the facade: robin-sync's `blocking_*` refuse to block a thread that
//! drives the runtime (tokio's rule and message), the builder's hooks and settings, the
//! runtime's id and name, `is_rt_shutdown_err`.
use robin::runtime::{Builder, Handle, Runtime};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const BLOCKING_MSG: &str = "Cannot block the current thread from within a runtime. This happens \
     because a function attempted to block the current thread while the thread is being used to \
     drive asynchronous tasks.";

fn panic_message(err: Box<dyn std::any::Any + Send>) -> String {
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Every blocking call of robin-sync, each expected to panic with tokio's message when
/// run on a thread that drives a runtime.
fn assert_every_blocking_call_panics() {
    fn panics(name: &str, f: impl FnOnce()) {
        let err = catch_unwind(AssertUnwindSafe(f)).expect_err(name);
        assert_eq!(panic_message(err), BLOCKING_MSG, "{name}");
    }
    let m = robin::sync::Mutex::new(0);
    panics("Mutex::blocking_lock", || drop(m.blocking_lock()));
    let l = robin::sync::RwLock::new(0);
    panics("RwLock::blocking_read", || drop(l.blocking_read()));
    panics("RwLock::blocking_write", || drop(l.blocking_write()));
    let sem = robin::sync::Semaphore::new(1);
    panics("Semaphore::blocking_acquire", || {
        drop(sem.blocking_acquire())
    });
    let (tx, mut rx) = robin::sync::mpsc::channel::<u8>(1);
    panics("mpsc::Sender::blocking_send", || {
        let _ = tx.blocking_send(1);
    });
    panics("mpsc::Receiver::blocking_recv", || {
        let _ = rx.blocking_recv();
    });
    let (_otx, orx) = robin::sync::oneshot::channel::<u8>();
    panics("oneshot::Receiver::blocking_recv", || {
        let _ = orx.blocking_recv();
    });
}

#[test]
fn blocking_calls_panic_inside_block_on_of_each_flavor() {
    for rt in [
        Builder::new_current_thread().build().unwrap(),
        Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap(),
    ] {
        rt.block_on(async { assert_every_blocking_call_panics() });
        // Outside the runtime the same thread may block again.
        let m = robin::sync::Mutex::new(5);
        assert_eq!(*m.blocking_lock(), 5);
    }
}

#[test]
fn blocking_calls_panic_inside_a_task_on_a_worker() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        robin::spawn(async { assert_every_blocking_call_panics() })
            .await
            .unwrap();
    });
}

#[test]
fn blocking_calls_work_from_spawn_blocking_and_block_in_place() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, mut rx) = robin::sync::mpsc::channel::<u32>(1);
        let sem = Arc::new(robin::sync::Semaphore::new(1));
        let lock = Arc::new(robin::sync::Mutex::new(1));
        let (s, l) = (sem.clone(), lock.clone());
        let sent = robin::task::spawn_blocking(move || {
            drop(s.blocking_acquire().unwrap());
            *l.blocking_lock() += 1;
            tx.blocking_send(7).unwrap();
        });
        assert_eq!(rx.recv().await, Some(7));
        sent.await.unwrap();
        assert_eq!(*lock.lock().await, 2);

        let (tx, mut rx) = robin::sync::mpsc::channel::<u32>(1);
        robin::spawn(async move { tx.send(9).await.unwrap() });
        let got = robin::task::block_in_place(|| rx.blocking_recv());
        assert_eq!(got, Some(9));
        // Back in the runtime: blocking panics again.
        assert_every_blocking_call_panics();
    });
}

#[test]
fn entering_a_handle_does_not_forbid_blocking() {
    // tokio: `Runtime::enter` only makes the runtime current; the thread does not drive
    // it, so blocking there is allowed.
    let rt = Runtime::new().unwrap();
    let _guard = rt.enter();
    let (tx, mut rx) = robin::sync::mpsc::channel::<u8>(1);
    tx.blocking_send(3).unwrap();
    assert_eq!(rx.blocking_recv(), Some(3));
}

#[test]
fn park_hooks_run_on_both_flavors() {
    for multi in [false, true] {
        let parks = Arc::new(AtomicUsize::new(0));
        let unparks = Arc::new(AtomicUsize::new(0));
        let (p, u) = (parks.clone(), unparks.clone());
        let (parked, on_park) = std::sync::mpsc::channel::<()>();
        let mut builder = if multi {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(1);
            b
        } else {
            Builder::new_current_thread()
        };
        let rt = builder
            .enable_all()
            .on_thread_park(move || {
                p.fetch_add(1, Ordering::SeqCst);
                let _ = parked.send(());
            })
            .on_thread_unpark(move || {
                u.fetch_add(1, Ordering::SeqCst);
            })
            .build()
            .unwrap();
        rt.block_on(async {
            robin::spawn(async {}).await.unwrap();
            // The job returns once a runtime thread (with nothing to do meanwhile) has
            // parked; bounded, so a hook that never runs fails instead of hanging.
            let got = robin::task::spawn_blocking(move || {
                on_park.recv_timeout(std::time::Duration::from_secs(60))
            })
            .await
            .unwrap();
            assert!(got.is_ok(), "multi={multi}: no thread parked");
        });
        drop(rt);
        let (p, u) = (parks.load(Ordering::SeqCst), unparks.load(Ordering::SeqCst));
        assert!(p > 0, "multi={multi}: on_thread_park never ran");
        // Every park is followed by a wake-up (at the latest, at shutdown).
        assert_eq!(p, u, "multi={multi}");
    }
}

#[test]
fn worker_park_unpark_count_is_odd_while_parked() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async { robin::spawn(async {}).await.unwrap() });
    let m = rt.metrics();
    // The worker has run out of work and parks; wait (bounded) until it has.
    let mut parked = false;
    for _ in 0..2000 {
        if m.worker_park_unpark_count(0) % 2 == 1 {
            parked = true;
            break;
        }
        std::thread::yield_now();
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(parked, "the idle worker never parked");
    let before = m.worker_park_unpark_count(0);
    // Waking it to run a task makes the count grow (to even, then odd again).
    rt.block_on(async { robin::spawn(async {}).await.unwrap() });
    assert!(m.worker_park_unpark_count(0) > before);
}

#[test]
fn global_queue_interval_zero_panics_at_the_caller() {
    let err = catch_unwind(|| {
        Builder::new_multi_thread().global_queue_interval(0);
    })
    .unwrap_err();
    assert_eq!(
        panic_message(err),
        "global_queue_interval must be greater than 0"
    );
    // Any other figure gives a working runtime, whose remote wakes still get through.
    for interval in [1, 7] {
        for multi in [false, true] {
            let mut b = if multi {
                Builder::new_multi_thread()
            } else {
                Builder::new_current_thread()
            };
            let rt = b.global_queue_interval(interval).build().unwrap();
            let handle = rt.handle().clone();
            let remote = std::thread::spawn(move || handle.spawn(async { 5 }))
                .join()
                .unwrap();
            assert_eq!(rt.block_on(remote).unwrap(), 5);
        }
    }
}

#[test]
fn max_io_events_per_tick_bounds_each_turn_and_rejects_zero() {
    let err = Builder::new_multi_thread()
        .enable_io()
        .max_io_events_per_tick(0)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    // One event per turn still serves many ready sockets (over several turns).
    let rt = Builder::new_current_thread()
        .enable_all()
        .max_io_events_per_tick(1)
        .build()
        .unwrap();
    rt.block_on(async {
        use robin::net::{TcpListener, TcpStream};
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let clients: Vec<_> = (0..8)
            .map(|_| robin::spawn(async move { TcpStream::connect(addr).await.unwrap() }))
            .collect();
        for _ in 0..8 {
            listener.accept().await.unwrap();
        }
        for c in clients {
            c.await.unwrap();
        }
    });
}

#[test]
fn handle_id_and_name() {
    let a = Builder::new_multi_thread().name("alpha").build().unwrap();
    let b = Builder::new_current_thread().build().unwrap();
    assert_eq!(a.handle().name(), Some("alpha"));
    assert_eq!(b.handle().name(), None);
    assert_ne!(a.handle().id(), b.handle().id());
    let (id, name) = a.block_on(async {
        let h = Handle::current();
        (h.id(), h.name().map(str::to_owned))
    });
    assert_eq!(id, a.handle().id());
    assert_eq!(name.as_deref(), Some("alpha"));
    // Display gives the bare number, as tokio's does.
    let shown = a.handle().id().to_string();
    assert!(shown.parse::<u64>().is_ok(), "{shown}");
}

#[robin::main(flavor = "current_thread", name = "named-main")]
async fn named_main() -> Option<String> {
    Handle::current().name().map(str::to_owned)
}

#[test]
fn main_attribute_names_the_runtime() {
    assert_eq!(named_main().as_deref(), Some("named-main"));
}

#[robin::test(name = "named-test")]
async fn test_attribute_names_the_runtime() {
    assert_eq!(Handle::current().name(), Some("named-test"));
}

#[test]
fn is_rt_shutdown_err_tells_shutdown_from_other_errors() {
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    let listener =
        rt.block_on(async { robin::net::TcpListener::bind("127.0.0.1:0").await.unwrap() });
    drop(rt);
    // The listener's runtime is gone: accepting fails with the shutdown error.
    let other = Builder::new_current_thread().enable_all().build().unwrap();
    let err = other.block_on(listener.accept()).unwrap_err();
    assert!(robin::runtime::is_rt_shutdown_err(&err), "{err}");
    let plain = std::io::Error::other("something else");
    assert!(!robin::runtime::is_rt_shutdown_err(&plain));
    let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
    assert!(!robin::runtime::is_rt_shutdown_err(&refused));
}

const PANIC_SHUTDOWN_MSG: &str =
    "a spawned task panicked and the runtime is configured to shut down on unhandled panic";

#[test]
fn shutdown_runtime_makes_block_on_panic_on_both_flavors() {
    use robin::runtime::UnhandledPanic;
    for multi in [false, true] {
        let mut b = if multi {
            let mut b = Builder::new_multi_thread();
            b.worker_threads(2);
            b
        } else {
            Builder::new_current_thread()
        };
        let rt = b
            .enable_all()
            .unhandled_panic(UnhandledPanic::ShutdownRuntime)
            .build()
            .unwrap();
        // tokio's example: a `block_on` that would run forever panics instead.
        rt.spawn(async { panic!("boom") });
        let err = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async {
                loop {
                    robin::task::yield_now().await;
                }
            })
        }))
        .unwrap_err();
        assert_eq!(panic_message(err), PANIC_SHUTDOWN_MSG, "multi={multi}");
        // A `block_on` parked on a future nobody will wake panics too, and so does
        // every later one.
        let err = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(std::future::pending::<()>())
        }))
        .unwrap_err();
        assert_eq!(panic_message(err), PANIC_SHUTDOWN_MSG, "multi={multi}");
    }
}

#[test]
fn shutdown_runtime_wakes_a_parked_block_on() {
    use robin::runtime::UnhandledPanic;
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .unhandled_panic(UnhandledPanic::ShutdownRuntime)
        .build()
        .unwrap();
    let err = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async {
            // Spawned from inside: the panic happens while this future is parked on a
            // channel whose sender it holds itself (nothing else would ever wake it).
            let (_tx, rx) = robin::sync::oneshot::channel::<()>();
            robin::spawn(async { panic!("boom") });
            let _ = rx.await;
        })
    }))
    .unwrap_err();
    assert_eq!(panic_message(err), PANIC_SHUTDOWN_MSG);
}

#[test]
fn ignore_policy_keeps_block_on_running() {
    let rt = Builder::new_current_thread().build().unwrap();
    let out = rt.block_on(async {
        let err = robin::spawn(async { panic!("boom") }).await.unwrap_err();
        assert!(err.is_panic());
        robin::spawn(async { 3 }).await.unwrap()
    });
    assert_eq!(out, 3);
}

const DROP_IN_ASYNC_MSG: &str = "Cannot drop a runtime in a context where blocking is not \
     allowed. This happens when a runtime is dropped from within an asynchronous context.";

#[test]
fn runtime_dropped_inside_block_on_panics() {
    for multi in [false, true] {
        let outer = Builder::new_current_thread().build().unwrap();
        let inner = if multi {
            Builder::new_multi_thread()
                .worker_threads(1)
                .build()
                .unwrap()
        } else {
            Builder::new_current_thread().build().unwrap()
        };
        let err = catch_unwind(AssertUnwindSafe(|| {
            outer.block_on(async move { drop(inner) })
        }))
        .unwrap_err();
        assert_eq!(panic_message(err), DROP_IN_ASYNC_MSG, "multi={multi}");
    }
    // shutdown_background never waits, so it is allowed there; so is dropping from a
    // blocking-pool thread.
    let outer = Runtime::new().unwrap();
    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    outer.block_on(async move {
        a.shutdown_background();
        robin::task::spawn_blocking(move || drop(b)).await.unwrap();
    });
}

#[test]
fn shutdown_timeout_inside_a_task_panics() {
    let outer = Runtime::new().unwrap();
    let inner = Runtime::new().unwrap();
    let err = outer
        .block_on(
            outer.spawn(async move { inner.shutdown_timeout(std::time::Duration::from_secs(1)) }),
        )
        .unwrap_err();
    assert_eq!(panic_message(err.into_panic()), DROP_IN_ASYNC_MSG);
}

#[test]
fn enter_guards_dropped_out_of_order_panic() {
    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    let ga = a.enter();
    let gb = b.enter();
    let err = catch_unwind(AssertUnwindSafe(|| drop(ga))).unwrap_err();
    assert_eq!(
        panic_message(err),
        "`EnterGuard` values dropped out of order. Guards returned by \
         `robin::runtime::Handle::enter()` must be dropped in the reverse order as they \
         were acquired."
    );
    // The inner guard is still in effect.
    assert_eq!(Handle::current().id(), b.handle().id());
    drop(gb);
}

#[test]
fn enter_guards_dropped_in_order_restore_each_level() {
    let a = Runtime::new().unwrap();
    let b = Runtime::new().unwrap();
    assert!(Handle::try_current().is_err());
    let ga = a.enter();
    {
        let _gb = b.enter();
        assert_eq!(Handle::current().id(), b.handle().id());
        // block_on nests its own context and restores it.
        b.block_on(async {});
        assert_eq!(Handle::current().id(), b.handle().id());
    }
    assert_eq!(Handle::current().id(), a.handle().id());
    drop(ga);
    assert!(Handle::try_current().is_err());
}

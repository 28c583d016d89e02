//! Observability: runtime metrics, the blocking detector, task names, the unhandled-panic
//! policy. No timing assertions: the blocked task stays blocked until the detector has
//! reported it (bounded by a generous limit), so the test never races the monitor.
use robin::runtime::{Builder, UnhandledPanic};
use robin::task;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(30);

#[test]
fn metrics_count_what_happened() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let m = rt.metrics();
    assert_eq!(m.num_workers(), 2);
    assert_eq!(m.spawned_tasks_count(), 0);
    rt.block_on(async {
        let hs: Vec<_> = (0..1000).map(|i| robin::spawn(async move { i })).collect();
        for h in hs {
            h.await.unwrap();
        }
        task::spawn_blocking(|| ()).await.unwrap();
    });
    assert_eq!(m.spawned_tasks_count(), 1000);
    assert_eq!(robin_test_support::settled_alive_tasks(&m), 0);
    let polls: u64 = (0..2).map(|w| m.worker_poll_count(w)).sum();
    assert!(polls >= 1000, "{polls} polls");
    // Two workers plus the job's thread at least.
    assert!(
        m.num_blocking_threads() >= 3,
        "{}",
        m.num_blocking_threads()
    );
    assert_eq!(m.blocking_queue_depth(), 0);
    // Busy time is added when a worker parks (as tokio's): the workers go idle now and
    // park within their bounded spin, so wait (bounded) for the first to do so.
    let busy = || m.worker_total_busy_duration(0) + m.worker_total_busy_duration(1);
    let deadline = std::time::Instant::now() + LIMIT;
    while busy() == Duration::ZERO && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(busy() > Duration::ZERO, "no worker ever parked");
    // Out-of-range workers read as zero rather than panicking.
    assert_eq!(m.worker_poll_count(99), 0);
}

#[test]
fn metrics_see_steals_and_queue_depths() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let m = rt.metrics();
    // One task spawns 200 and blocks its worker until they all ran: the other worker
    // must steal them.
    rt.block_on(async {
        robin::spawn(async {
            let (tx, rx) = mpsc::channel();
            for _ in 0..200 {
                let tx = tx.clone();
                robin::spawn(async move { tx.send(()).unwrap() });
            }
            for _ in 0..200 {
                rx.recv_timeout(LIMIT).unwrap();
            }
        })
        .await
        .unwrap();
    });
    let steals: u64 = (0..2).map(|w| m.worker_steal_count(w)).sum();
    let ops: u64 = (0..2).map(|w| m.worker_steal_operations(w)).sum();
    assert!(
        steals >= 1 && ops >= 1 && steals >= ops,
        "steals {steals}, ops {ops}"
    );

    // A current-thread runtime with tasks queued from outside and nobody driving.
    let ct = Builder::new_current_thread().build().unwrap();
    for _ in 0..100 {
        drop(ct.spawn(async {}));
    }
    assert_eq!(ct.metrics().global_queue_depth(), 100);
    assert_eq!(ct.metrics().num_alive_tasks(), 100);
    ct.block_on(async {
        for _ in 0..10 {
            task::yield_now().await;
        }
    });
    assert_eq!(ct.metrics().global_queue_depth(), 0);
}

#[test]
fn blocking_detector_reports_a_task_stuck_in_std_thread_sleep() {
    let reports = Arc::new(std::sync::Mutex::new(Vec::new()));
    let reported = Arc::new(AtomicBool::new(false));
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .detect_blocking(Duration::from_millis(20))
        .on_blocking({
            let (reports, reported) = (reports.clone(), reported.clone());
            move |r| {
                reports.lock().unwrap().push(r.clone());
                reported.store(true, SeqCst);
            }
        })
        .build()
        .unwrap();
    let (handle_id, other_ran) = rt.block_on(async {
        let flag = reported.clone();
        let stuck = task::Builder::new()
            .name("sleepy")
            .spawn(async move {
                // The anti-pattern under test: a blocking sleep inside async code. It
                // keeps sleeping until the detector has reported it (bounded).
                let start = Instant::now();
                while !flag.load(SeqCst) && start.elapsed() < LIMIT {
                    std::thread::sleep(Duration::from_millis(5));
                }
            })
            .unwrap();
        let id = stuck.id();
        // Meanwhile the other worker keeps serving.
        let other = robin::spawn(async { 7 }).await.unwrap();
        stuck.await.unwrap();
        (id, other)
    });
    assert_eq!(other_ran, 7);
    let reports = reports.lock().unwrap();
    assert_eq!(reports.len(), 1, "one report per incident: {reports:?}");
    let r = &reports[0];
    assert_eq!(r.task_id(), Some(handle_id));
    assert_eq!(r.task_name(), Some("sleepy"));
    assert_eq!(r.spawned_at().map(|l| l.file()), Some(file!()));
    assert!(r.stuck_for() >= Duration::from_millis(20));
    let text = r.to_string();
    assert!(
        text.contains("sleepy") && text.contains("spawn_blocking"),
        "{text}"
    );
}

#[test]
fn detector_stays_quiet_for_well_behaved_tasks() {
    let count = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .detect_blocking(Duration::from_millis(200))
        .on_blocking({
            let count = count.clone();
            move |_| {
                count.fetch_add(1, SeqCst);
            }
        })
        .build()
        .unwrap();
    rt.block_on(async {
        for _ in 0..1000 {
            robin::spawn(async { task::yield_now().await })
                .await
                .unwrap();
        }
    });
    drop(rt);
    assert_eq!(count.load(SeqCst), 0);
}

#[test]
fn unhandled_panic_can_shut_the_runtime_down() {
    for rt in [
        Builder::new_multi_thread()
            .worker_threads(2)
            .unhandled_panic(UnhandledPanic::ShutdownRuntime)
            .build()
            .unwrap(),
        Builder::new_current_thread()
            .unhandled_panic(UnhandledPanic::ShutdownRuntime)
            .build()
            .unwrap(),
    ] {
        let handles = std::sync::Mutex::new(None);
        // tokio's rule: the runtime shuts down and `block_on` panics.
        let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                let victim = robin::spawn(std::future::pending::<()>());
                let panicked = robin::spawn(async { panic!("boom") });
                *handles.lock().unwrap() = Some((victim, panicked));
                std::future::pending::<()>().await
            })
        }))
        .unwrap_err();
        let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
        assert_eq!(
            msg,
            "a spawned task panicked and the runtime is configured to shut down on unhandled panic"
        );
        let (victim, panicked) = handles.lock().unwrap().take().unwrap();
        assert!(futures::executor::block_on(panicked)
            .unwrap_err()
            .is_panic());
        assert!(
            futures::executor::block_on(victim)
                .unwrap_err()
                .is_cancelled(),
            "other tasks are cancelled"
        );
        let late = futures::executor::block_on(rt.spawn(async { 1 }));
        assert!(
            late.unwrap_err().is_cancelled(),
            "spawning after the shutdown is refused"
        );
    }
}

#[test]
fn task_builder_outside_a_runtime_is_an_error() {
    let err = task::Builder::new().name("x").spawn(async {}).unwrap_err();
    assert!(err.to_string().contains("no robin runtime"), "{err}");
}

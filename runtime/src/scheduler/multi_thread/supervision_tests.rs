//! The supervision of a worker's run loop, of the monitor and of the driver thread (issue
//! 12 defect 3): a panic outside any task poll, injected through the `fault` hooks that
//! exist only in test builds, must neither strand a worker's core nor silently stop the
//! monitor, and a driver thread that dies must make every timer wait fail, not sleep.
use super::fault::{self, Fault};
use crate::runtime::{Builder, Runtime};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

fn id(rt: &Runtime) -> u64 {
    rt.handle().inner.config().id.get()
}

/// Waits (bounded) until a fault has fired (it disarms itself when it does).
fn wait_fired(fault: &Fault) {
    let deadline = Instant::now() + WAIT;
    while fault.is_armed() {
        assert!(Instant::now() < deadline, "the fault never fired");
        std::thread::yield_now();
    }
}

/// Sends on drop: tells the test a task's future was dropped (cancelled at shutdown).
struct DropSignal(mpsc::Sender<()>);
impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

/// The only worker's run loop panics between two polls. Before the guard, the thread died
/// with the core: no task ran again and shutdown never collected that core, so a parked
/// task's future was never dropped. Now a replacement thread takes the core over.
#[test]
fn a_panicking_worker_loop_hands_its_core_to_a_replacement() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    rt.spawn(async move { tx2.send(0).unwrap() });
    assert_eq!(rx.recv_timeout(WAIT), Ok(0));

    fault::WORKER.arm(id(&rt));
    let tx2 = tx.clone();
    rt.spawn(async move { tx2.send(1).unwrap() });
    wait_fired(&fault::WORKER);
    for i in 2..50 {
        let tx = tx.clone();
        rt.spawn(async move { tx.send(i).unwrap() });
    }
    let mut got: Vec<i32> = (1..50).map(|_| rx.recv_timeout(WAIT).unwrap()).collect();
    got.sort();
    assert_eq!(got, (1..50).collect::<Vec<_>>());

    // Shutdown still sees the core: a task parked on it is cancelled (its future dropped).
    let (drop_tx, drop_rx) = mpsc::channel();
    let (polled_tx, polled_rx) = mpsc::channel();
    rt.spawn(async move {
        let _signal = DropSignal(drop_tx);
        polled_tx.send(()).unwrap();
        std::future::pending::<()>().await
    });
    polled_rx.recv_timeout(WAIT).unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        drop(rt);
        done_tx.send(()).unwrap();
    });
    drop_rx
        .recv_timeout(WAIT)
        .expect("the parked task was never cancelled");
    done_rx.recv_timeout(WAIT).expect("shutdown did not finish");
}

/// The monitor loop panics once. Before the supervisor, the monitor thread died and no
/// blocking report ever came again; now it restarts and the next stuck worker is reported.
#[test]
fn a_panicking_monitor_restarts() {
    let (report_tx, report_rx) = mpsc::channel();
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .detect_blocking(Duration::from_millis(20))
        .on_blocking(move |r| {
            let _ = report_tx.send(r.task_id());
        })
        .build()
        .unwrap();
    fault::MONITOR.arm(id(&rt));
    // Keep a worker running so the monitor looks every period.
    let (release_tx, release_rx) = mpsc::channel::<()>();
    wait_fired(&fault::MONITOR);
    let blocker = rt.spawn(async move {
        // Blocks its worker (deliberately) until the report has been seen.
        let _ = release_rx.recv_timeout(WAIT);
    });
    let reported = report_rx
        .recv_timeout(WAIT)
        .expect("no report: the monitor is dead");
    assert_eq!(reported, Some(blocker.id()));
    release_tx.send(()).unwrap();
    let (done_tx, done_rx) = mpsc::channel();
    rt.spawn(async move {
        done_tx.send(blocker.await.is_ok()).unwrap();
    });
    assert_eq!(done_rx.recv_timeout(WAIT), Ok(true));
}

/// A panicking park hook no longer kills the worker thread (and its core with it): every
/// task still runs.
#[test]
fn a_panicking_park_hook_does_not_lose_the_worker() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .on_thread_park(|| panic!("park hook"))
        .build()
        .unwrap();
    let (tx, rx) = mpsc::channel();
    let metrics = rt.metrics();
    for i in 0..5 {
        // Let the worker go idle and park (running the hook) before each task.
        let deadline = Instant::now() + WAIT;
        while metrics.worker_park_count(0) <= i {
            assert!(Instant::now() < deadline, "the worker never parked");
            std::thread::yield_now();
        }
        let tx = tx.clone();
        rt.spawn(async move { tx.send(i).unwrap() });
        assert_eq!(rx.recv_timeout(WAIT), Ok(i));
    }
}

/// Polls `timer` on this thread (not a task) until it is ready, bounded by [`WAIT`].
fn wait_timer(timer: &mut crate::time::Timer) -> Result<(), crate::time::TimerError> {
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let deadline = Instant::now() + WAIT;
    loop {
        if let Poll::Ready(res) = timer.poll_elapsed(&mut cx) {
            return res;
        }
        assert!(Instant::now() < deadline, "the timer wait never ended");
        std::thread::park_timeout(Duration::from_millis(50));
    }
}

/// The driver thread's loop panics (as a broken epoll instance would make it). The thread
/// is supervised: the driver shuts down, so a timer already waiting (an hour out) fails at
/// once instead of sleeping for good, a timer filed afterwards is refused, and the runtime
/// is closed (a task spawned now reports cancellation): loud, never a hang.
#[test]
fn a_dying_driver_thread_fails_every_timer_wait() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let _enter = rt.enter();
    let mut far = crate::time::Timer::new(Instant::now() + Duration::from_secs(3600)).unwrap();
    {
        use std::task::{Context, Poll, Waker};
        let mut cx = Context::from_waker(Waker::noop());
        assert!(
            matches!(far.poll_elapsed(&mut cx), Poll::Pending),
            "filed, pending"
        );
    }
    fault::DRIVER.arm(id(&rt));
    // A nearer timer interrupts the driver's wait, so its loop comes round to the fault.
    let mut near = crate::time::Timer::new(Instant::now() + Duration::from_millis(5)).unwrap();
    let _ = wait_timer(&mut near);
    wait_fired(&fault::DRIVER);
    assert!(wait_timer(&mut far).is_err(), "the pending wait must fail");
    let mut late = crate::time::Timer::new(Instant::now() + Duration::from_millis(1)).unwrap();
    assert!(wait_timer(&mut late).is_err(), "a new wait must be refused");
    // The driver thread closes the runtime right after failing the waits: a spawn soon
    // reports cancellation (bounded wait; one racing the close may still run).
    let other = Builder::new_current_thread().build().unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        match other.block_on(rt.spawn(async {})) {
            Err(e) if e.is_cancelled() => break,
            _ => assert!(Instant::now() < deadline, "the runtime was never closed"),
        }
        std::thread::yield_now();
    }
}

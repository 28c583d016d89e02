//! Faults survived: panics in places user code reaches — a `Waker::wake` implementation,
//! a future's `poll` and `Drop`, a `spawn_blocking` job — leave the runtime serving new
//! work, and its metrics still add up. Everything is bounded (channels with timeouts, a
//! fixed number of tasks); no timing assertions.
use robin::runtime::{Builder, Runtime};
use robin::task;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// A waker wrapper that forwards the wake to the real waker, then panics: the waiting
/// task is still woken, the caller of `wake` sees a panic.
struct PanickingWaker {
    inner: Waker,
    wakes: Arc<AtomicUsize>,
}

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.inner.wake_by_ref();
        self.wakes.fetch_add(1, SeqCst);
        panic!("PanickingWaker::wake");
    }
}

/// Pending until `flag` is set; registers a `PanickingWaker` around its own waker in `slot`.
struct WaitWithPanickingWaker {
    slot: Arc<Mutex<Option<Waker>>>,
    flag: Arc<AtomicUsize>,
    wakes: Arc<AtomicUsize>,
}

impl Future for WaitWithPanickingWaker {
    type Output = usize;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        if self.flag.load(SeqCst) > 0 {
            return Poll::Ready(self.wakes.load(SeqCst));
        }
        let waker = Waker::from(Arc::new(PanickingWaker {
            inner: cx.waker().clone(),
            wakes: self.wakes.clone(),
        }));
        *self.slot.lock().unwrap() = Some(waker);
        // Re-check after publishing the waker: no lost wakeup.
        if self.flag.load(SeqCst) > 0 {
            return Poll::Ready(self.wakes.load(SeqCst));
        }
        Poll::Pending
    }
}

fn rt2() -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Waits (bounded, yielding) until `slot` holds a waker, then takes it.
async fn take_waker(slot: &Mutex<Option<Waker>>) -> Waker {
    for _ in 0..1_000_000 {
        if let Some(w) = slot.lock().unwrap().take() {
            return w;
        }
        task::yield_now().await;
    }
    panic!("the waiter never registered its waker");
}

#[test]
fn a_wake_that_panics_in_another_task() {
    let rt = rt2();
    let m = rt.metrics();
    rt.block_on(async {
        for round in 0..20 {
            let slot = Arc::new(Mutex::new(None));
            let flag = Arc::new(AtomicUsize::new(0));
            let wakes = Arc::new(AtomicUsize::new(0));
            let waiter = robin::spawn(WaitWithPanickingWaker {
                slot: slot.clone(),
                flag: flag.clone(),
                wakes: wakes.clone(),
            });
            let waker = take_waker(&slot).await;
            flag.store(1, SeqCst);
            if round % 2 == 0 {
                // The waking task does not catch the panic: its JoinHandle reports it.
                let err = robin::spawn(async move { waker.wake() }).await.unwrap_err();
                assert!(err.is_panic(), "{err:?}");
                let msg = err.into_panic();
                assert_eq!(
                    msg.downcast_ref::<&str>().copied(),
                    Some("PanickingWaker::wake")
                );
            } else {
                // The waking task catches it and carries on.
                let survived = robin::spawn(async move {
                    let r = catch_unwind(AssertUnwindSafe(|| waker.wake_by_ref()));
                    assert!(r.is_err());
                    drop(waker);
                    task::yield_now().await;
                    "survived"
                })
                .await
                .unwrap();
                assert_eq!(survived, "survived");
            }
            // The waiter was woken before the panic (or saw the flag on its re-check, if
            // the flag was set between its publishing the waker and that re-check), so it
            // completes; the value it returns races the wake and is not checked. The
            // panicking waker ran exactly once: the waking task has finished, so its count
            // is visible here.
            waiter.await.unwrap();
            assert_eq!(wakes.load(SeqCst), 1);
        }
        // A join waker that panics when the runtime itself calls it (the joined task
        // completing on a worker): the worker survives and the joiner is still woken.
        for _ in 0..20 {
            let (tx, rx) = robin::sync::oneshot::channel::<u32>();
            let mut joined = robin::spawn(async move { rx.await.unwrap() + 1 });
            let wakes = Arc::new(AtomicUsize::new(0));
            let joiner = robin::spawn({
                let wakes = wakes.clone();
                std::future::poll_fn(move |cx| {
                    let waker = Waker::from(Arc::new(PanickingWaker {
                        inner: cx.waker().clone(),
                        wakes: wakes.clone(),
                    }));
                    let mut cx2 = Context::from_waker(&waker);
                    Pin::new(&mut joined).poll(&mut cx2)
                })
            });
            task::yield_now().await;
            tx.send(41).unwrap();
            assert_eq!(joiner.await.unwrap().unwrap(), 42);
        }
        // Still serving.
        let hs: Vec<_> = (0..100).map(|i| robin::spawn(async move { i })).collect();
        for (i, h) in hs.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i);
        }
    });
    assert_eq!(robin_test_support::settled_alive_tasks(&m), 0);
}

/// A future that completes, then panics when dropped.
struct PanicOnDrop(Arc<AtomicUsize>);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
        panic!("PanicOnDrop");
    }
}

#[test]
fn panics_in_poll_drop_and_blocking_jobs_in_one_runtime() {
    const EACH: usize = 50;
    let rt = rt2();
    let m = rt.metrics();
    let drops = Arc::new(AtomicUsize::new(0));
    let (poll_panics, drop_panics, blocking_panics, ok) = rt.block_on({
        let drops = drops.clone();
        async move {
            let mut poll_h = Vec::new();
            let mut drop_h = Vec::new();
            let mut blocking_h = Vec::new();
            let mut ok_h = Vec::new();
            for i in 0..EACH {
                poll_h.push(robin::spawn(async move {
                    task::yield_now().await;
                    if i < usize::MAX {
                        panic!("poll {i}");
                    }
                }));
                let guard = PanicOnDrop(drops.clone());
                drop_h.push(robin::spawn(async move {
                    task::yield_now().await;
                    let _guard = &guard;
                    i
                }));
                blocking_h.push(task::spawn_blocking(move || {
                    if i < usize::MAX {
                        panic!("blocking {i}");
                    }
                }));
                ok_h.push(robin::spawn(async move {
                    robin::time::sleep(std::time::Duration::from_millis(1)).await;
                    i
                }));
            }
            let mut counts = (0, 0, 0, 0);
            for h in poll_h {
                counts.0 += usize::from(h.await.unwrap_err().is_panic());
            }
            for h in drop_h {
                counts.1 += usize::from(h.await.unwrap_err().is_panic());
            }
            for h in blocking_h {
                counts.2 += usize::from(h.await.unwrap_err().is_panic());
            }
            for (i, h) in ok_h.into_iter().enumerate() {
                assert_eq!(h.await.unwrap(), i);
                counts.3 += 1;
            }
            counts
        }
    });
    assert_eq!(
        (poll_panics, drop_panics, blocking_panics, ok),
        (EACH, EACH, EACH, EACH)
    );
    assert_eq!(
        drops.load(SeqCst),
        EACH,
        "every PanicOnDrop was dropped once"
    );

    // The runtime still runs new work: tasks, blocking jobs, timers.
    let after = rt.block_on(async {
        let a = robin::spawn(async { 1 });
        let b = task::spawn_blocking(|| 2);
        robin::time::sleep(std::time::Duration::from_millis(1)).await;
        a.await.unwrap() + b.await.unwrap()
    });
    assert_eq!(after, 3);

    // The metrics add up: 3 * EACH + 1 async tasks spawned (blocking jobs are not
    // counted as spawned tasks), none alive, nothing queued.
    assert_eq!(m.spawned_tasks_count(), (3 * EACH + 1) as u64);
    assert_eq!(robin_test_support::settled_alive_tasks(&m), 0);
    assert_eq!(m.blocking_queue_depth(), 0);
    assert_eq!(m.global_queue_depth(), 0);
    let polls: u64 = (0..m.num_workers()).map(|w| m.worker_poll_count(w)).sum();
    assert!(polls >= (3 * EACH + 1) as u64, "{polls} polls");
    assert!(m.num_idle_blocking_threads() <= m.num_blocking_threads());
}

//! Regression cases for defects found by running tokio-style programs (issue 12).
use super::{is_pending, poll_once};
use robin_sync::{broadcast, mpsc, oneshot, watch, Barrier, Mutex, Notify, Semaphore};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// A value whose `clone` panics while `PANIC` is set.
#[derive(Debug)]
struct Brittle(u32, Arc<AtomicBool>);

impl Clone for Brittle {
    fn clone(&self) -> Self {
        if self.1.load(Ordering::SeqCst) {
            panic!("Brittle::clone");
        }
        Brittle(self.0, self.1.clone())
    }
}

/// A panicking `Clone` neither loses the value for the receiver that panicked nor makes
/// another receiver see a spurious `Lagged`.
pub async fn broadcast_panicking_clone_loses_nothing() {
    let flag = Arc::new(AtomicBool::new(true));
    let (tx, mut rx1) = broadcast::channel(4);
    let mut rx2 = tx.subscribe();
    tx.send(Brittle(7, flag.clone())).unwrap();
    let r = catch_unwind(AssertUnwindSafe(|| rx1.try_recv()));
    assert!(r.is_err(), "clone panicked through try_recv");
    flag.store(false, Ordering::SeqCst);
    // rx2 is the other receiver: it must still get the value, not `Lagged(1)`.
    assert_eq!(rx2.try_recv().map(|b| b.0), Ok(7), "spurious lag");
    // rx1 retries and gets it too.
    assert_eq!(rx1.try_recv().map(|b| b.0), Ok(7));
    assert_eq!(tx.len(), 0);
}

/// A waker that runs `on_drop` when its last reference goes.
struct DropWaker {
    on_drop: std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>,
}

impl Wake for DropWaker {
    fn wake(self: Arc<Self>) {}
}

impl Drop for DropWaker {
    fn drop(&mut self) {
        if let Some(f) = self.on_drop.get_mut().unwrap().take() {
            f();
        }
    }
}

fn drop_waker(f: impl FnOnce() + Send + 'static) -> Waker {
    Waker::from(Arc::new(DropWaker {
        on_drop: std::sync::Mutex::new(Some(Box::new(f))),
    }))
}

/// Runs `f` on its own thread; a deadlock (a lock taken again from a waker's `Drop`) shows
/// as the thread never finishing, reported after a generous bound instead of hanging.
fn no_deadlock(name: &str, f: impl FnOnce() + Send + 'static) {
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        f();
        let _ = done_tx.send(());
    });
    if done_rx.recv_timeout(Duration::from_secs(20)).is_err() {
        panic!("{name}: deadlock (a waker dropped under the primitive's lock)");
    }
}

/// Polls `fut` once with a waker whose drop runs `on_drop`, then polls it again with a
/// different waker (the first is replaced and dropped), then drops the future.
fn poll_replace_drop<F: std::future::Future>(fut: F, on_drop: impl FnOnce() + Send + 'static) {
    let mut fut = pin!(fut);
    let w = drop_waker(on_drop);
    assert!(fut.as_mut().poll(&mut Context::from_waker(&w)).is_pending());
    drop(w);
    // The primitive holds the only reference now; replacing it drops it.
    let _ = poll_once(fut.as_mut());
    let w2 = drop_waker(|| {});
    let _ = fut.as_mut().poll(&mut Context::from_waker(&w2));
}

/// Same, but the future is dropped while still holding the special waker.
fn poll_then_drop<F: std::future::Future>(fut: F, on_drop: impl FnOnce() + Send + 'static) {
    let mut fut = Box::pin(fut);
    let w = drop_waker(on_drop);
    assert!(fut.as_mut().poll(&mut Context::from_waker(&w)).is_pending());
    drop(w);
    drop(fut);
}

/// No primitive drops a waker with its lock held: a waker whose `Drop` uses the same
/// primitive would deadlock.
pub async fn wakers_never_dropped_under_a_lock() {
    no_deadlock("broadcast recv (replace)", || {
        let (tx, mut rx) = broadcast::channel::<u8>(2);
        let tx2 = tx.clone();
        poll_replace_drop(rx.recv(), move || {
            let _ = tx2.send(1);
        });
    });
    no_deadlock("broadcast recv (drop)", || {
        let (tx, mut rx) = broadcast::channel::<u8>(2);
        let tx2 = tx.clone();
        poll_then_drop(rx.recv(), move || {
            let _ = tx2.send(1);
        });
        drop(tx);
    });
    no_deadlock("mpsc recv", || {
        let (tx, mut rx) = mpsc::channel::<u8>(2);
        let tx2 = tx.clone();
        poll_replace_drop(rx.recv(), move || {
            let _ = tx2.try_send(1);
        });
    });
    no_deadlock("mpsc reserve", || {
        let (tx, _rx) = mpsc::channel::<u8>(1);
        tx.try_send(0).unwrap();
        let tx2 = tx.clone();
        let tx3 = tx.clone();
        poll_replace_drop(tx.reserve(), move || {
            let _ = tx2.try_send(1);
        });
        poll_then_drop(tx.reserve(), move || {
            let _ = tx3.try_send(1);
        });
    });
    no_deadlock("unbounded recv", || {
        let (tx, mut rx) = mpsc::unbounded_channel::<u8>();
        let tx2 = tx.clone();
        poll_replace_drop(rx.recv(), move || {
            let _ = tx2.send(1);
        });
    });
    no_deadlock("semaphore", || {
        let s = Arc::new(Semaphore::new(0));
        let (s2, s3) = (s.clone(), s.clone());
        poll_replace_drop(s.acquire(), move || s2.add_permits(1));
        s.forget_permits(10);
        poll_then_drop(s.acquire_many(2), move || s3.add_permits(1));
    });
    no_deadlock("mutex", || {
        let m = Arc::new(Mutex::new(0));
        let g = m.try_lock().unwrap();
        let m2 = m.clone();
        poll_then_drop(m.lock(), move || {
            let _ = m2.try_lock();
        });
        drop(g);
    });
    no_deadlock("notify", || {
        let n = Arc::new(Notify::new());
        let (n2, n3) = (n.clone(), n.clone());
        poll_replace_drop(n.notified(), move || n2.notify_waiters());
        poll_then_drop(n.notified(), move || n3.notify_waiters());
    });
    no_deadlock("oneshot", || {
        let (tx, mut rx) = oneshot::channel::<u8>();
        let tx = Arc::new(std::sync::Mutex::new(Some(tx)));
        let tx2 = tx.clone();
        poll_replace_drop(&mut rx, move || {
            let _ = tx2.lock().unwrap().as_ref().map(|t| t.is_closed());
        });
        drop(tx);
    });
    no_deadlock("watch", || {
        let (tx, mut rx) = watch::channel(0);
        let tx = Arc::new(tx);
        let tx2 = tx.clone();
        poll_replace_drop(rx.changed(), move || {
            let _ = tx2.send(1);
        });
    });
    no_deadlock("barrier", || {
        let b = Arc::new(Barrier::new(2));
        let b2 = b.clone();
        poll_then_drop(b.wait(), move || {
            let _ = futures::FutureExt::now_or_never(b2.wait());
        });
    });
}

/// A `reserve` that was waiting when the receiver closed fails, even if a slot had been
/// handed to it just before the close.
pub async fn mpsc_reserve_fails_after_close_while_waiting() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    tx.try_send(0).unwrap();
    let mut res = pin!(tx.reserve());
    assert!(is_pending(res.as_mut()));
    // The receive frees the slot and grants it to the waiting reserve...
    assert_eq!(rx.try_recv(), Ok(0));
    // ...but the receiver closes before the reserve observed it.
    rx.close();
    match poll_once(res.as_mut()) {
        Poll::Ready(r) => assert!(r.is_err(), "reserve returned a permit after close"),
        Poll::Pending => panic!("reserve must complete after close"),
    }
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));

    // The plain case: closed while queued, never granted.
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    tx.try_send(0).unwrap();
    let mut res = pin!(tx.reserve());
    assert!(is_pending(res.as_mut()));
    rx.close();
    assert!(matches!(poll_once(res.as_mut()), Poll::Ready(Err(_))));
}

/// Every future of robin-sync that completes spends coop budget: a task looping on an
/// always-ready resource yields once the budget is gone.
pub async fn every_future_consumes_budget() {
    /// Polls a fresh future from `make` until one is pending, under one budget.
    fn spends(name: &str, mut ready_once: impl FnMut(&mut Context<'_>) -> bool) {
        let mut cx = Context::from_waker(Waker::noop());
        let n = robin_sync::coop::with_budget(|| {
            let mut n = 0usize;
            while n <= robin_sync::coop::INITIAL as usize && ready_once(&mut cx) {
                n += 1;
            }
            n
        });
        assert_eq!(
            n,
            robin_sync::coop::INITIAL as usize,
            "{name}: ready {n} times under one budget"
        );
    }
    fn ready<F: std::future::Future>(f: F, cx: &mut Context<'_>) -> bool {
        pin!(f).poll(cx).is_ready()
    }
    let (tx, mut rx) = watch::channel(0);
    spends("watch::changed", |cx| {
        tx.send_modify(|v| *v += 1);
        ready(rx.changed(), cx)
    });
    spends("watch::wait_for", |cx| {
        tx.send_modify(|v| *v += 1);
        ready(rx.wait_for(|_| true), cx)
    });
    let n = Notify::new();
    spends("Notify::notified", |cx| {
        n.notify_one();
        ready(n.notified(), cx)
    });
    spends("oneshot::Receiver", |cx| {
        let (tx, rx) = oneshot::channel();
        tx.send(1).unwrap();
        ready(rx, cx)
    });
    let b = Barrier::new(1);
    spends("Barrier::wait", |cx| ready(b.wait(), cx));
    let (tx, rx) = mpsc::channel::<u8>(1);
    drop(rx);
    spends("mpsc::Sender::closed", |cx| ready(tx.closed(), cx));
    let m = Mutex::new(());
    spends("Mutex::lock", |cx| ready(m.lock(), cx));
}

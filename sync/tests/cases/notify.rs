//! Notify and Barrier cases.
use super::{is_pending, poll_once};
use futures::FutureExt;
use robin_sync::Notify;

pub async fn notify_one_stores_single_permit() {
    let n = Notify::new();
    n.notify_one();
    n.notify_one();
    n.notified().await; // consumes the permit
    assert!(
        n.notified().now_or_never().is_none(),
        "permits do not accumulate"
    );
    let mut w = Box::pin(n.notified());
    assert!(is_pending(w.as_mut()));
    n.notify_one();
    w.await;
    assert!(
        n.notified().now_or_never().is_none(),
        "went to the waiter, not stored"
    );
}

pub async fn notify_waiters_wakes_created_futures_only() {
    let n = Notify::new();
    let mut polled = Box::pin(n.notified());
    assert!(is_pending(polled.as_mut()));
    let never_polled = n.notified();
    n.notify_waiters();
    let after = n.notified();
    polled.await;
    never_polled.await; // created before the call: completes
    assert!(after.now_or_never().is_none());
    assert!(n.notified().now_or_never().is_none(), "no permit stored");
}

pub async fn notify_enable_before_await() {
    let n = Notify::new();
    let mut f = Box::pin(n.notified());
    assert!(!f.as_mut().enable());
    n.notify_one(); // goes to the enabled future
    assert!(f.as_mut().enable());
    assert!(
        n.notified().now_or_never().is_none(),
        "not stored as a permit"
    );
    f.await;
    let mut g = Box::pin(n.notified());
    n.notify_one(); // stored as permit (g not enabled yet)
    assert!(g.as_mut().enable(), "enable takes the stored permit");
    g.await;
}

pub async fn notify_one_is_fifo() {
    let n = Notify::new();
    let mut a = Box::pin(n.notified());
    let mut b = Box::pin(n.notified());
    assert!(is_pending(a.as_mut()));
    assert!(is_pending(b.as_mut()));
    n.notify_one();
    assert!(is_pending(b.as_mut()));
    assert!(poll_once(a.as_mut()).is_ready());
    n.notify_one();
    assert!(poll_once(b.as_mut()).is_ready());
}

pub async fn notify_cancelled_waiter_forwards() {
    let n = Notify::new();
    let mut a = Box::pin(n.notified());
    let mut b = Box::pin(n.notified());
    assert!(is_pending(a.as_mut()));
    assert!(is_pending(b.as_mut()));
    n.notify_one(); // chosen: a
    drop(a); // a is cancelled: the notification must go to b
    b.await;
    // With nobody left, a cancelled chosen waiter stores the permit.
    let mut c = Box::pin(n.notified());
    assert!(is_pending(c.as_mut()));
    n.notify_one();
    drop(c);
    n.notified().await;
}

pub async fn notify_enable_then_drop_restores_permit() {
    let n = Notify::new();
    n.notify_one();
    {
        let mut f = Box::pin(n.notified());
        assert!(f.as_mut().enable()); // took the permit
    } // dropped without completing: the permit comes back
    n.notified().await;
    // A future that completed does not forward anything.
    n.notify_one();
    n.notified().await;
    assert!(n.notified().now_or_never().is_none());
    assert!(format!("{n:?}").contains("permit: false"));
}

pub async fn barrier_one_leader_per_round() {
    let b = robin_sync::Barrier::new(3);
    for _round in 0..3 {
        let results = futures::future::join_all((0..3).map(|_| b.wait())).await;
        assert_eq!(results.iter().filter(|r| r.is_leader()).count(), 1);
    }
    // Two of three arrived: they wait.
    let mut w1 = Box::pin(b.wait());
    let mut w2 = Box::pin(b.wait());
    assert!(is_pending(w1.as_mut()));
    assert!(is_pending(w2.as_mut()));
    assert!(b.wait().await.is_leader());
    assert!(!w1.await.is_leader());
    assert!(!w2.await.is_leader());
}

pub async fn barrier_zero_and_one() {
    assert!(robin_sync::Barrier::new(0).wait().await.is_leader());
    let one = robin_sync::Barrier::new(1);
    assert!(one.wait().await.is_leader());
    assert!(one.wait().await.is_leader());
    assert!(format!("{one:?}").contains("n: 1"));
}

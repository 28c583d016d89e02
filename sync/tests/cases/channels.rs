//! mpsc, oneshot, broadcast and watch cases, plus the cooperative budget.
use super::{is_pending, on_thread, poll_once};
use futures::FutureExt;
use robin_sync::{broadcast, mpsc, oneshot, watch};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

// ---------- mpsc ----------

pub async fn mpsc_bounded_send_recv_capacity() {
    let (tx, mut rx) = mpsc::channel(3);
    assert_eq!((tx.capacity(), tx.max_capacity()), (3, 3));
    for i in 0..3 {
        tx.send(i).await.unwrap();
    }
    assert_eq!((tx.capacity(), rx.capacity(), rx.max_capacity()), (0, 0, 3));
    assert_eq!(rx.len(), 3);
    match tx.try_send(9) {
        Err(mpsc::error::TrySendError::Full(9)) => {}
        other => panic!("expected Full(9), got {other:?}"),
    }
    for i in 0..3 {
        assert_eq!(rx.recv().await, Some(i));
    }
    assert!(rx.is_empty());
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Empty));
    assert_eq!(
        mpsc::error::TryRecvError::Empty.to_string(),
        "receiving on an empty channel"
    );
    assert_eq!(tx.capacity(), 3);
}

pub async fn mpsc_send_waits_for_room() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send(1).await.unwrap();
    let mut s = Box::pin(tx.send(2));
    assert!(is_pending(s.as_mut()));
    assert_eq!(rx.recv().await, Some(1));
    s.await.unwrap();
    assert_eq!(rx.recv().await, Some(2));
}

pub async fn mpsc_none_after_senders_dropped_and_drained() {
    let (tx, mut rx) = mpsc::channel(4);
    let tx2 = tx.clone();
    assert_eq!(tx.strong_count(), 2);
    tx.send("a").await.unwrap();
    tx2.send("b").await.unwrap();
    drop(tx);
    let mut r = Box::pin(async {
        let mut v = Vec::new();
        while let Some(x) = rx.recv().await {
            v.push(x);
        }
        v
    });
    assert!(is_pending(r.as_mut()), "a sender is still alive");
    drop(tx2);
    assert_eq!(r.await, ["a", "b"]);
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    assert!(!rx.is_closed());
    drop(tx);
    assert!(rx.is_closed());
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
}

pub async fn mpsc_close_keeps_buffer_and_permits() {
    let (tx, mut rx) = mpsc::channel(4);
    tx.send(1).await.unwrap();
    let permit = tx.reserve().await.unwrap();
    rx.close();
    assert!(tx.is_closed() && rx.is_closed());
    let err = tx.send(2).await.unwrap_err();
    assert_eq!((err.0, err.to_string()), (2, "channel closed".to_string()));
    assert!(matches!(
        tx.try_send(3),
        Err(mpsc::error::TrySendError::Closed(3))
    ));
    assert!(tx.reserve().await.is_err());
    assert_eq!(rx.recv().await, Some(1));
    // The permit taken before close may still send; the receiver waits for it.
    let mut r = Box::pin(rx.recv());
    assert!(is_pending(r.as_mut()));
    permit.send(4);
    assert_eq!(r.await, Some(4));
    assert_eq!(rx.recv().await, None);
}

pub async fn mpsc_reserve_and_permits() {
    let (tx, mut rx) = mpsc::channel(3);
    let p1 = tx.reserve().await.unwrap();
    let p2 = tx.try_reserve().unwrap();
    let p3 = tx.try_reserve().unwrap();
    assert!(matches!(
        tx.try_reserve(),
        Err(mpsc::error::TrySendError::Full(()))
    ));
    assert_eq!(tx.capacity(), 0);
    p2.send(2);
    drop(p1); // unused: frees its slot
    drop(p3);
    assert_eq!(tx.capacity(), 2);
    let owned = tx.clone().reserve_owned().await.unwrap();
    let tx2 = owned.send(3);
    assert!(tx2.same_channel(&tx));
    let owned = tx.clone().try_reserve_owned().unwrap();
    let full = tx.clone().try_reserve_owned();
    assert!(matches!(full, Err(mpsc::error::TrySendError::Full(_))));
    let _tx3 = owned.release();
    assert_eq!(rx.recv().await, Some(2));
    assert_eq!(rx.recv().await, Some(3));
    drop(rx);
    assert!(tx.reserve().await.is_err());
    assert!(tx.clone().reserve_owned().await.is_err());
}

pub async fn mpsc_cancelled_reserve_hands_slot_on() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.send(0).await.unwrap();
    let mut a = Box::pin(tx.reserve());
    let mut b = Box::pin(tx.send(1));
    assert!(is_pending(a.as_mut()));
    assert!(is_pending(b.as_mut()));
    assert!(
        tx.try_send(7).is_err(),
        "try_send cannot overtake waiting senders"
    );
    assert_eq!(rx.recv().await, Some(0)); // the freed slot is granted to `a`
    drop(a); // cancelled: the slot passes to `b`
    b.await.unwrap();
    assert_eq!(rx.recv().await, Some(1));
}

pub async fn mpsc_sender_closed_future() {
    let (tx, rx) = mpsc::channel::<()>(1);
    let mut c = Box::pin(tx.closed());
    assert!(is_pending(c.as_mut()));
    assert!(!tx.is_closed());
    drop(rx);
    c.await;
    assert!(tx.is_closed());
    let (utx, mut urx) = mpsc::unbounded_channel::<()>();
    let mut c = Box::pin(utx.closed());
    assert!(is_pending(c.as_mut()));
    urx.close();
    c.await;
}

pub async fn mpsc_recv_many() {
    let (tx, mut rx) = mpsc::channel(8);
    for i in 0..5 {
        tx.send(i).await.unwrap();
    }
    let mut buf = Vec::new();
    assert_eq!(rx.recv_many(&mut buf, 0).await, 0);
    assert_eq!(rx.recv_many(&mut buf, 3).await, 3);
    assert_eq!(rx.recv_many(&mut buf, 10).await, 2);
    assert_eq!(buf, [0, 1, 2, 3, 4]);
    drop(tx);
    assert_eq!(rx.recv_many(&mut buf, 10).await, 0);
}

pub async fn mpsc_blocking_send_recv() {
    let (tx, mut rx) = mpsc::channel(1);
    let (utx, mut urx) = mpsc::unbounded_channel();
    let t = on_thread(async move {
        std::thread::spawn(move || {
            for i in 0..10 {
                tx.blocking_send(i).unwrap();
                utx.send(i).unwrap();
            }
        });
        let a: Vec<i32> = std::iter::from_fn(|| rx.blocking_recv()).collect();
        let b: Vec<i32> = std::iter::from_fn(|| urx.blocking_recv()).collect();
        (a, b)
    });
    let (a, b) = t.await;
    assert_eq!(a, (0..10).collect::<Vec<_>>());
    assert_eq!(b, a);
}

pub async fn mpsc_weak_senders() {
    let (tx, mut rx) = mpsc::channel(2);
    let weak = tx.downgrade();
    let weak2 = weak.clone();
    let tx2 = weak.upgrade().unwrap();
    tx2.send(1).await.unwrap();
    drop((tx, tx2));
    assert!(
        weak2.upgrade().is_none(),
        "weak senders do not keep the channel"
    );
    assert_eq!(rx.recv().await, Some(1));
    assert_eq!(rx.recv().await, None);
    let (utx, mut urx) = mpsc::unbounded_channel();
    let uweak = utx.downgrade();
    uweak.upgrade().unwrap().send(2).unwrap();
    drop(utx);
    assert!(uweak.clone().upgrade().is_none());
    assert_eq!(urx.recv().await, Some(2));
    assert_eq!(urx.recv().await, None);
}

struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

pub async fn mpsc_receiver_drop_drops_messages() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel(4);
    let permit = tx.reserve().await.unwrap();
    tx.send(Counted(drops.clone())).await.unwrap();
    tx.send(Counted(drops.clone())).await.unwrap();
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
    permit.send(Counted(drops.clone())); // nobody will receive it: dropped at once
    assert_eq!(drops.load(Ordering::SeqCst), 3);
    let err = tx.send(Counted(drops.clone())).await.unwrap_err();
    drop(err);
    assert_eq!(drops.load(Ordering::SeqCst), 4);
}

pub async fn mpsc_unbounded_basics() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    assert!(tx.same_channel(&tx.clone()));
    assert_eq!(tx.strong_count(), 1);
    for i in 0..1000 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 1000);
    let mut buf = Vec::new();
    assert_eq!(rx.recv_many(&mut buf, 600).await, 600);
    assert_eq!(rx.try_recv(), Ok(600));
    rx.close();
    assert!(tx.is_closed() && rx.is_closed());
    assert_eq!(tx.send(5).unwrap_err().0, 5);
    let mut n = 0;
    while let Some(x) = rx.recv().await {
        assert_eq!(x, 601 + n);
        n += 1;
    }
    assert_eq!(n, 399);
    assert_eq!(rx.try_recv(), Err(mpsc::error::TryRecvError::Disconnected));
    assert!(rx.is_empty());
}

pub async fn mpsc_recv_cancel_safe() {
    let (tx, mut rx) = mpsc::channel(1);
    {
        let mut r = Box::pin(rx.recv());
        assert!(is_pending(r.as_mut()));
    } // dropped while waiting: takes nothing
    tx.send(1).await.unwrap();
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
    assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    let (utx, mut urx) = mpsc::unbounded_channel();
    assert_eq!(urx.poll_recv(&mut cx), Poll::Pending);
    utx.send(2).unwrap();
    assert_eq!(urx.poll_recv(&mut cx), Poll::Ready(Some(2)));
    assert!(format!("{tx:?}{rx:?}{utx:?}{urx:?}").contains("Sender"));
}

// ---------- oneshot ----------

pub async fn oneshot_send_recv() {
    let (tx, rx) = oneshot::channel();
    let mut rx = rx;
    assert!(is_pending(std::pin::Pin::new(&mut rx)));
    tx.send(String::from("v")).unwrap();
    assert_eq!(rx.await.unwrap(), "v");
    let (tx, rx) = oneshot::channel();
    let t = on_thread(rx);
    tx.send(5).unwrap();
    assert_eq!(t.await, Ok(5));
}

pub async fn oneshot_errors() {
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    let err = rx.await.unwrap_err();
    assert_eq!(err.to_string(), "channel closed");
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert_eq!(tx.send(3), Err(3));
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Empty));
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
    let (tx, mut rx) = oneshot::channel::<u8>();
    drop(tx);
    assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
}

pub async fn oneshot_closed_and_close() {
    let (mut tx, mut rx) = oneshot::channel::<u8>();
    assert!(!tx.is_closed());
    {
        let mut c = Box::pin(tx.closed());
        assert!(is_pending(c.as_mut()));
        rx.close();
        c.await;
    }
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(1));
    assert!(rx.await.is_err());
    // A value sent before close can still be received.
    let (tx, mut rx) = oneshot::channel();
    tx.send(7).unwrap();
    rx.close();
    assert_eq!(rx.await, Ok(7));
    let (mut tx, rx) = oneshot::channel::<u8>();
    drop(rx);
    tx.closed().await;
    let mut cx = Context::from_waker(Waker::noop());
    assert!(tx.poll_closed(&mut cx).is_ready());
}

pub async fn oneshot_blocking_recv() {
    let (tx, rx) = oneshot::channel();
    let t = on_thread(async move { rx.blocking_recv() });
    tx.send(2).unwrap();
    assert_eq!(t.await, Ok(2));
    let (tx, rx) = oneshot::channel::<u8>();
    let t = on_thread(async move { rx.blocking_recv() });
    drop(tx);
    assert!(t.await.is_err());
}

// ---------- broadcast ----------

pub async fn broadcast_every_receiver_sees_every_value() {
    let (tx, mut a) = broadcast::channel(8);
    let mut b = tx.subscribe();
    for i in 0..5 {
        assert_eq!(tx.send(i).unwrap(), 2);
    }
    for i in 0..5 {
        assert_eq!(a.recv().await, Ok(i));
        assert_eq!(b.recv().await, Ok(i));
    }
    let mut c = b.resubscribe();
    tx.send(9).unwrap();
    assert_eq!(c.recv().await, Ok(9));
    assert!(c.same_channel(&a));
}

pub async fn broadcast_lagged_receiver_continues() {
    let (tx, mut rx) = broadcast::channel(2);
    for i in 0..5 {
        tx.send(i).unwrap();
    }
    // As tokio documents: `len` counts every value sent since the receiver's position,
    // the 3 it lagged past included.
    assert_eq!(rx.len(), 5);
    assert_eq!(rx.recv().await, Err(broadcast::error::RecvError::Lagged(3)));
    assert_eq!(rx.len(), 2);
    assert_eq!(rx.recv().await, Ok(3));
    tx.send(5).unwrap();
    tx.send(6).unwrap();
    assert_eq!(
        rx.try_recv(),
        Err(broadcast::error::TryRecvError::Lagged(1))
    );
    assert_eq!(rx.try_recv(), Ok(5));
    assert_eq!(rx.try_recv(), Ok(6));
    assert_eq!(
        broadcast::error::RecvError::Lagged(3).to_string(),
        "channel lagged by 3"
    );
}

pub async fn broadcast_closed_and_errors() {
    let (tx, rx) = broadcast::channel(2);
    drop(rx);
    assert_eq!(tx.send(1).unwrap_err().0, 1, "no receivers");
    let mut rx = tx.subscribe();
    tx.send(2).unwrap();
    let tx2 = tx.clone();
    drop(tx);
    assert!(!rx.is_closed());
    drop(tx2);
    assert!(rx.is_closed());
    assert_eq!(
        rx.recv().await,
        Ok(2),
        "values sent before close are delivered"
    );
    assert_eq!(rx.recv().await, Err(broadcast::error::RecvError::Closed));
    assert_eq!(rx.try_recv(), Err(broadcast::error::TryRecvError::Closed));
    let (_tx, mut rx) = broadcast::channel::<u8>(1);
    assert_eq!(rx.try_recv(), Err(broadcast::error::TryRecvError::Empty));
}

pub async fn broadcast_recv_waits_and_wakes() {
    let (tx, mut rx) = broadcast::channel(4);
    let mut rx2 = tx.subscribe();
    {
        let mut r = Box::pin(rx.recv());
        assert!(is_pending(r.as_mut()));
        assert!(is_pending(r.as_mut()));
    } // cancelled: nothing taken
    let t = on_thread(async move { rx2.recv().await });
    tx.send(1).unwrap();
    assert_eq!(t.await, Ok(1));
    assert_eq!(rx.recv().await, Ok(1));
    let mut r = Box::pin(rx.recv());
    assert!(is_pending(r.as_mut()));
    drop(tx);
    assert_eq!(r.await, Err(broadcast::error::RecvError::Closed));
}

pub async fn broadcast_counts_and_len() {
    let (tx, mut rx) = broadcast::channel(4);
    assert!(tx.is_empty());
    let rx2 = tx.subscribe();
    assert_eq!(tx.receiver_count(), 2);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!((tx.len(), rx.len(), rx2.len()), (2, 2, 2));
    rx.recv().await.unwrap();
    assert_eq!((tx.len(), rx.len()), (2, 1), "rx2 still needs both");
    drop(rx2);
    assert_eq!(tx.receiver_count(), 1);
    assert_eq!(tx.len(), 1, "values only rx2 needed are dropped");
    rx.recv().await.unwrap();
    assert!(tx.is_empty() && rx.is_empty());
    assert!(tx.same_channel(&tx.clone()));
    assert!(format!("{tx:?}{rx:?}").contains("broadcast"));
}

// ---------- watch ----------

pub async fn watch_borrow_and_changed() {
    let (tx, mut rx) = watch::channel(0);
    assert_eq!(*rx.borrow(), 0);
    assert!(!rx.borrow().has_changed());
    let mut c = Box::pin(rx.changed());
    assert!(is_pending(c.as_mut()));
    tx.send(1).unwrap();
    c.await.unwrap();
    assert_eq!(*rx.borrow(), 1);
    assert!(!rx.has_changed().unwrap());
    tx.send(2).unwrap();
    tx.send(3).unwrap();
    let r = rx.borrow_and_update();
    assert_eq!((*r, r.has_changed()), (3, true));
    drop(r);
    assert!(
        rx.changed().now_or_never().is_none(),
        "only the latest value counts"
    );
    assert_eq!(*tx.borrow(), 3);
}

pub async fn watch_send_variants() {
    let (tx, mut rx) = watch::channel(vec![1]);
    assert_eq!(tx.send_replace(vec![2]), [1]);
    rx.changed().await.unwrap();
    tx.send_modify(|v| v.push(3));
    rx.changed().await.unwrap();
    assert_eq!(*rx.borrow(), [2, 3]);
    assert!(!tx.send_if_modified(|_| false));
    assert!(!rx.has_changed().unwrap());
    assert!(tx.send_if_modified(|v| {
        v.clear();
        true
    }));
    assert!(rx.has_changed().unwrap());
    drop(rx);
    assert_eq!(tx.send(vec![9]).unwrap_err().0, [9]);
    assert_eq!(
        tx.send_replace(vec![8]),
        Vec::<i32>::new(),
        "works with no receiver"
    );
    assert_eq!(*tx.borrow(), [8]);
}

pub async fn watch_closed_and_errors() {
    let (tx, mut rx) = watch::channel(0);
    let mut c = Box::pin(rx.changed());
    assert!(is_pending(c.as_mut()));
    tx.send(1).unwrap();
    drop(tx);
    c.await.unwrap(); // the unseen value still counts
    let err = rx.changed().await.unwrap_err();
    assert_eq!(err.to_string(), "channel closed");
    assert!(rx.has_changed().is_err());
    assert_eq!(*rx.borrow(), 1, "the last value stays readable");
    let (tx, rx) = watch::channel(());
    let rx2 = rx.clone();
    assert_eq!(tx.receiver_count(), 2);
    let mut closed = Box::pin(tx.closed());
    assert!(is_pending(closed.as_mut()));
    drop(rx);
    assert!(is_pending(closed.as_mut()));
    drop(rx2);
    closed.await;
    assert!(tx.is_closed());
}

pub async fn watch_wait_for() {
    let (tx, mut rx) = watch::channel(0);
    let t = on_thread(async move {
        for i in 1..=10 {
            tx.send(i).unwrap();
        }
        tx
    });
    let r = rx.wait_for(|v| *v >= 10).await.unwrap();
    assert_eq!(*r, 10);
    drop(r);
    let tx = t.await;
    assert_eq!(
        *rx.wait_for(|v| *v == 10).await.unwrap(),
        10,
        "current value checked"
    );
    let mut w = Box::pin(rx.wait_for(|v| *v == 99));
    assert!(poll_once(w.as_mut()).is_pending());
    drop(tx);
    assert!(w.await.is_err());
}

pub async fn watch_subscribe_and_marks() {
    let tx = watch::Sender::new(1);
    assert_eq!(tx.receiver_count(), 0);
    assert_eq!(tx.send(2).unwrap_err().0, 2);
    let mut rx = tx.subscribe();
    assert!(!rx.has_changed().unwrap(), "current value counts as seen");
    rx.mark_changed();
    assert!(rx.has_changed().unwrap());
    rx.changed().await.unwrap();
    tx.send(3).unwrap();
    rx.mark_unchanged();
    assert!(!rx.has_changed().unwrap());
    assert!(rx.same_channel(&rx.clone()));
    assert!(tx.same_channel(&tx));
    assert!(format!("{tx:?} {rx:?}").contains("value: 3"));
}

// ---------- coop ----------

pub async fn coop_budget_makes_resources_yield() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..300 {
        tx.send(i).unwrap();
    }
    let mut cx = Context::from_waker(Waker::noop());
    let ready = robin_sync::coop::with_budget(|| {
        let mut n = 0;
        while rx.poll_recv(&mut cx).is_ready() {
            n += 1;
        }
        n
    });
    assert_eq!(ready, robin_sync::coop::INITIAL as usize);
    // Without a budget, nothing limits it. (Explicitly unconstrained: an executor that
    // budgets its own polls, like robin's `block_on`, would otherwise limit this loop.)
    let n = robin_sync::coop::with_unconstrained(|| {
        let mut n = 0;
        while let Poll::Ready(Some(_)) = rx.poll_recv(&mut cx) {
            n += 1;
        }
        n
    });
    assert_eq!(n, 300 - robin_sync::coop::INITIAL as usize);
}

//! Cases for the tokio APIs added in issue 14: once-cells, `const` constructors in
//! `static`s, unsized and mapped guards, and the channel additions.
use super::{is_pending, on_thread, poll_once};
use robin_sync::{
    MappedMutexGuard, Mutex, MutexGuard, Notify, OnceCell, OwnedMappedMutexGuard, OwnedMutexGuard,
    RwLock, Semaphore, SetError, SetOnce,
};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

static COUNTER: Mutex<u64> = Mutex::const_new(0);
static CONFIG: RwLock<&str> = RwLock::const_new("a");
static LIMIT: Semaphore = Semaphore::const_new(1);
static READY: Notify = Notify::const_new();
static CLIENT: OnceCell<String> = OnceCell::const_new();
static FLAG: SetOnce<u8> = SetOnce::const_new();

/// Every `const` constructor works in a `static`.
pub async fn statics_from_const_constructors() {
    *COUNTER.lock().await += 2;
    assert!(*COUNTER.lock().await >= 2);
    *CONFIG.write().await = "b";
    assert_eq!(*CONFIG.read().await, "b");
    let p = LIMIT.acquire().await.unwrap();
    assert!(LIMIT.try_acquire().is_err());
    drop(p);
    READY.notify_one();
    READY.notified().await;
    let c = CLIENT.get_or_init(|| async { "client".to_string() }).await;
    assert_eq!(c, "client");
    let _ = FLAG.set(1);
    assert_eq!(*FLAG.wait().await, 1);
}

/// One initializer runs; the others wait for its value; a failed or cancelled one lets
/// the next try.
pub async fn once_cell_single_initializer() {
    let cell = Arc::new(OnceCell::new());
    let runs = Arc::new(AtomicUsize::new(0));
    // A cancelled initializer gives its turn back.
    {
        let mut f = pin!(cell.get_or_init(std::future::pending::<u32>));
        assert!(is_pending(f.as_mut()));
        assert!(matches!(cell.set(9), Err(SetError::InitializingError(9))));
    }
    assert_eq!(
        cell.get_or_try_init(|| async { Err::<u32, _>("no") }).await,
        Err("no")
    );
    let ts: Vec<_> = (0..4)
        .map(|i| {
            let (cell, runs) = (cell.clone(), runs.clone());
            on_thread(async move {
                *cell
                    .get_or_init(|| async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        i
                    })
                    .await
            })
        })
        .collect();
    let got = futures::future::join_all(ts).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert!(got.iter().all(|v| *v == got[0]));
    assert_eq!(cell.set(7), Err(SetError::AlreadyInitializedError(7)));
    let mut owned = Arc::try_unwrap(cell).unwrap();
    assert_eq!(owned.take(), Some(got[0]));
    assert!(owned.set(1).is_ok());
    assert_eq!(owned.clone().into_inner(), Some(1));
}

/// `wait` completes for waiters created before and after `set`.
pub async fn set_once_wait_and_set() {
    let s = Arc::new(SetOnce::new());
    let mut early = pin!(s.wait());
    assert!(is_pending(early.as_mut()));
    let s2 = s.clone();
    on_thread(async move { s2.set(3).unwrap() }).await;
    assert_eq!(*early.await, 3);
    assert_eq!(*s.wait().await, 3);
    assert_eq!(s.set(4), Err(robin_sync::SetOnceError(4)));
}

/// `Mutex<T: ?Sized>` and the mapped guards keep the lock until dropped.
pub async fn mutex_unsized_and_mapped_guards() {
    let m: Arc<Mutex<[u32]>> = Arc::new(Mutex::new([1, 2, 3]));
    m.lock().await[0] = 10;
    let mut g = MutexGuard::map(m.lock().await, |s| &mut s[1]);
    *g += 5;
    assert!(m.try_lock().is_err());
    let g = MappedMutexGuard::try_map(g, |_| None::<&mut u32>).unwrap_err();
    drop(g);
    assert_eq!(&*m.lock().await, &[10, 7, 3]);

    let o = OwnedMutexGuard::map(m.clone().lock_owned().await, |s| &mut s[2]);
    let mut o = OwnedMappedMutexGuard::map(o, |x| x);
    *o = 30;
    let waiter = m.clone();
    let mut w = pin!(waiter.lock());
    assert!(is_pending(w.as_mut()));
    drop(o);
    let g = w.await;
    assert_eq!(&*g, &[10, 7, 30]);
    drop(g);
    let none = OwnedMutexGuard::try_map(m.clone().lock_owned().await, |s| s.get_mut(5));
    assert!(none.is_err());
    drop(none);
    assert!(matches!(poll_once(pin!(m.lock())), Poll::Ready(_)));
}

/// `reserve_many` waits FIFO for all its slots; a cancelled one gives back what it got.
pub async fn mpsc_reserve_many_permit_iterator() {
    use robin_sync::mpsc::{self, error::TrySendError};
    let (tx, mut rx) = mpsc::channel::<u32>(3);
    tx.try_send(0).unwrap();
    let mut many = pin!(tx.reserve_many(3));
    assert!(is_pending(many.as_mut()), "only 2 free");
    // Nobody overtakes the waiting reservation.
    assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
    assert!(matches!(
        tx.try_reserve_many(1),
        Err(TrySendError::Full(()))
    ));
    assert_eq!(rx.recv().await, Some(0));
    let mut permits = match poll_once(many.as_mut()) {
        Poll::Ready(p) => p.unwrap(),
        Poll::Pending => panic!("3 slots are free now"),
    };
    assert_eq!(permits.len(), 3);
    permits.next().unwrap().send(1);
    drop(permits); // frees the other 2
    assert_eq!(tx.capacity(), 2);
    assert_eq!(rx.recv().await, Some(1));
    // Too many for the channel.
    assert!(tx.reserve_many(4).await.is_err());
    assert!(matches!(
        tx.try_reserve_many(4),
        Err(TrySendError::Full(()))
    ));
    // Cancelled while holding part of its grant: the slots come back.
    tx.try_send(2).unwrap();
    {
        let mut partial = pin!(tx.reserve_many(3));
        assert!(is_pending(partial.as_mut()));
        assert_eq!(tx.capacity(), 0, "the waiter took the 2 free slots");
    }
    assert_eq!(tx.capacity(), 2);
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(tx.capacity(), 3);
}

/// `strong_count`/`weak_count` on every sender kind, and the receiver's view of them.
pub async fn mpsc_sender_counts_everywhere() {
    use robin_sync::mpsc;
    let (tx, rx) = mpsc::channel::<u8>(1);
    let w = tx.downgrade();
    let w2 = w.clone();
    let tx2 = tx.clone();
    assert_eq!((tx.strong_count(), tx.weak_count()), (2, 2));
    assert_eq!((w.strong_count(), w.weak_count()), (2, 2));
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (2, 2));
    drop((tx2, w2));
    assert_eq!((rx.sender_strong_count(), rx.sender_weak_count()), (1, 1));
    drop(tx);
    assert_eq!(w.strong_count(), 0);
    assert!(w.upgrade().is_none());

    let (utx, urx) = mpsc::unbounded_channel::<u8>();
    let uw = utx.downgrade();
    assert_eq!((utx.strong_count(), utx.weak_count()), (1, 1));
    assert_eq!((uw.strong_count(), uw.weak_count()), (1, 1));
    assert_eq!((urx.sender_strong_count(), urx.sender_weak_count()), (1, 1));
    drop(uw);
    assert_eq!(urx.sender_weak_count(), 0);
}

/// `poll_recv_many` and `send_timeout`.
pub async fn mpsc_poll_recv_many_and_send_timeout() {
    use robin_sync::mpsc::{self, error::SendTimeoutError};
    use std::time::Duration;
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    let mut buf = Vec::new();
    let n = std::future::poll_fn(|cx| rx.poll_recv_many(cx, &mut buf, 8)).await;
    assert_eq!((n, buf.as_slice()), (2, &[1, 2][..]));
    tx.send_timeout(3, Duration::from_millis(1)).await.unwrap();
    tx.send_timeout(4, Duration::from_millis(1)).await.unwrap();
    let err = tx
        .send_timeout(5, Duration::from_millis(5))
        .await
        .unwrap_err();
    assert!(matches!(err, SendTimeoutError::Timeout(5)));
    assert_eq!(err.into_inner(), 5);
    // A send that gets room before its timeout succeeds.
    let tx2 = tx.clone();
    let sender = on_thread(async move { tx2.send_timeout(6, Duration::from_secs(60)).await });
    assert_eq!(rx.recv().await, Some(3));
    sender.await.unwrap();
    rx.close();
    let err = tx
        .send_timeout(7, Duration::from_secs(60))
        .await
        .unwrap_err();
    assert!(matches!(err, SendTimeoutError::Closed(7)));
}

/// broadcast: `Sender::new`, power-of-two capacity, `closed`, weak senders, counts, `len`.
pub async fn broadcast_sender_api() {
    use robin_sync::broadcast::{self, error::TryRecvError};
    let tx = broadcast::Sender::<u32>::new(5); // rounds up to 8
    assert!(tx.send(0).is_err());
    let mut rx = tx.subscribe();
    for i in 0..9 {
        tx.send(i).unwrap();
    }
    assert_eq!(tx.len(), 8);
    assert_eq!(rx.len(), 9, "lagged values count until reported");
    assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    assert_eq!(rx.try_recv(), Ok(1));
    let weak = tx.downgrade();
    assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    let tx2 = weak.upgrade().unwrap();
    assert_eq!((weak.strong_count(), weak.weak_count()), (2, 1));
    drop(tx2);
    {
        let mut closed = pin!(tx.closed());
        assert!(is_pending(closed.as_mut()));
        let rx2 = rx.resubscribe();
        drop(rx);
        assert!(is_pending(closed.as_mut()), "one receiver left");
        drop(rx2);
        closed.await;
    }
    drop(tx);
    assert!(weak.upgrade().is_none());
}

/// watch: cloned senders keep the channel open until the last one goes.
pub async fn watch_sender_clone_default_count() {
    use robin_sync::watch;
    let tx = watch::Sender::<u32>::default();
    let mut rx = tx.subscribe();
    let tx2 = tx.clone();
    assert_eq!(tx.sender_count(), 2);
    drop(tx);
    assert_eq!(tx2.sender_count(), 1);
    tx2.send(5).unwrap();
    rx.changed().await.unwrap();
    assert_eq!(*rx.borrow_and_update(), 5);
    let mut changed = pin!(rx.changed());
    assert!(is_pending(changed.as_mut()));
    drop(tx2);
    assert!(changed.await.is_err());
}

/// oneshot `is_terminated` / `is_empty`.
pub async fn oneshot_terminated_and_empty() {
    use robin_sync::oneshot;
    let (tx, mut rx) = oneshot::channel();
    assert!(rx.is_empty() && !rx.is_terminated());
    tx.send(1).unwrap();
    assert!(!rx.is_empty());
    assert_eq!((&mut rx).await, Ok(1));
    assert!(rx.is_empty() && rx.is_terminated());
    let (tx, mut rx) = oneshot::channel::<u8>();
    drop(tx);
    assert!((&mut rx).await.is_err());
    assert!(rx.is_terminated());
}

/// `notify_last` is LIFO (and is passed on LIFO when its waiter is dropped);
/// `notified_owned` is `'static`.
pub async fn notify_last_and_owned() {
    let n = Arc::new(Notify::new());
    let mut a = Box::pin(n.notified());
    let mut b = Box::pin(n.notified());
    let mut c = Box::pin(n.notified());
    assert!(!a.as_mut().enable() && !b.as_mut().enable() && !c.as_mut().enable());
    n.notify_last();
    assert!(c.as_mut().enable());
    drop(c); // never completed: its notification goes to the newest remaining waiter
    assert!(b.as_mut().enable());
    assert!(!a.as_mut().enable());
    b.await;
    n.notify_one();
    a.await;

    let owned: robin_sync::futures::OwnedNotified = n.clone().notified_owned();
    // Created before the call below, so `notify_waiters` completes it wherever it runs.
    n.notify_waiters();
    on_thread(owned).await;
}

/// RwLock mapped guards (borrowed and owned) keep their permits until dropped;
/// `downgrade_map` lets readers in at once.
pub async fn rwlock_mapped_guards() {
    use robin_sync::{
        OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard,
        RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
    };
    let l: Arc<RwLock<[u32]>> = Arc::new(RwLock::new([1, 2, 3]));
    let mut w = RwLockWriteGuard::map(l.write().await, |s| &mut s[0]);
    *w = 10;
    assert!(l.try_read().is_err());
    let w = RwLockMappedWriteGuard::try_map(w, |_| None::<&mut u32>).unwrap_err();
    drop(w);
    let r = RwLockReadGuard::map(l.read().await, |s| &s[0]);
    assert_eq!(*r, 10);
    assert!(l.try_write().is_err());
    drop(r);

    let w = l.write().await;
    let mut reader = pin!(l.read());
    assert!(is_pending(reader.as_mut()));
    let r = RwLockWriteGuard::downgrade_map(w, |s| &s[1]);
    assert_eq!(*r, 2);
    assert_eq!(
        reader.await[2],
        3,
        "the queued reader got in after the downgrade"
    );
    drop(r);

    let ow = OwnedRwLockWriteGuard::map(l.clone().write_owned().await, |s| &mut s[2]);
    let mut ow = OwnedRwLockMappedWriteGuard::map(ow, |x| x);
    *ow = 30;
    assert!(Arc::ptr_eq(OwnedRwLockMappedWriteGuard::rwlock(&ow), &l));
    drop(ow);
    let or = OwnedRwLockWriteGuard::downgrade_map(l.clone().write_owned().await, |s| &s[2]);
    assert_eq!(*or, 30);
    let or2 = OwnedRwLockReadGuard::map(l.clone().read_owned().await, |s| &s[0]);
    assert_eq!((*or, *or2), (30, 10));
    drop((or, or2));
    assert!(l.try_write().is_ok());
}

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
        let mut f = pin!(cell.get_or_init(|| std::future::pending::<u32>()));
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

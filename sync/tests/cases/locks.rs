//! Mutex and RwLock cases.
use super::{is_pending, on_thread};
use robin_sync::{Mutex, OwnedMutexGuard, RwLock};
use std::sync::Arc;

pub async fn mutex_lock_try_lock_get_mut_into_inner() {
    let mut m = Mutex::new(1);
    {
        let mut g = m.lock().await;
        *g += 1;
        assert!(m.try_lock().is_err(), "held: try_lock fails");
        assert_eq!(
            m.try_lock().unwrap_err().to_string(),
            "operation would block"
        );
    }
    assert_eq!(*m.try_lock().unwrap(), 2);
    *m.get_mut() = 10;
    assert_eq!(m.into_inner(), 10);
}

pub async fn mutex_fifo_order() {
    let m = Mutex::new(Vec::new());
    let g = m.lock().await;
    let mut a = Box::pin(async {
        m.lock().await.push('a');
    });
    let mut b = Box::pin(async {
        m.lock().await.push('b');
    });
    let mut c = Box::pin(async {
        m.lock().await.push('c');
    });
    // Queue in the order c, a, b.
    assert!(is_pending(c.as_mut()));
    assert!(is_pending(a.as_mut()));
    assert!(is_pending(b.as_mut()));
    drop(g);
    // Even polled in another order (join polls a, b, c), the lock goes to the oldest
    // waiter first.
    futures::join!(a, b, c);
    assert_eq!(*m.lock().await, ['c', 'a', 'b']);
}

pub async fn mutex_cancelled_waiter_hands_on() {
    let m = Mutex::new(0);
    let g = m.lock().await;
    let mut first = Box::pin(m.lock());
    let mut second = Box::pin(m.lock());
    assert!(is_pending(first.as_mut()));
    assert!(is_pending(second.as_mut()));
    drop(g); // the lock is handed to `first`...
    drop(first); // ...which is cancelled before it noticed: it must pass the lock on.
    *second.await += 1;
    assert_eq!(*m.lock().await, 1);
}

pub async fn mutex_owned_guards() {
    let m = Arc::new(Mutex::new(String::from("a")));
    let mut g: OwnedMutexGuard<String> = m.clone().lock_owned().await;
    g.push('b');
    assert!(m.clone().try_lock_owned().is_err());
    assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&g), &m));
    assert_eq!(format!("{g}/{g:?}"), "ab/\"ab\"");
    // The owned guard can move to another thread.
    let done = on_thread(async move {
        g.push('c');
        drop(g);
    });
    done.await;
    assert_eq!(*m.clone().try_lock_owned().unwrap(), "abc");
}

pub async fn mutex_blocking_lock() {
    let m = Arc::new(Mutex::new(0));
    let guard = m.lock().await;
    let m2 = m.clone();
    let t = on_thread(async move {
        *m2.blocking_lock() += 1;
        *m2.clone().blocking_lock_owned() += 1;
    });
    drop(guard);
    t.await;
    assert_eq!(*m.lock().await, 2);
}

pub async fn mutex_debug_and_default() {
    let m: Mutex<u8> = Mutex::default();
    assert_eq!(format!("{m:?}"), "Mutex { data: 0 }");
    let g = m.lock().await;
    assert_eq!(format!("{m:?}"), "Mutex { data: <locked> }");
    drop(g);
    let m2 = Mutex::from(3);
    assert_eq!(*m2.lock().await, 3);
}

pub async fn rwlock_readers_share_writer_excludes() {
    let l = RwLock::new(1);
    let r1 = l.read().await;
    let r2 = l.read().await;
    assert_eq!(*r1 + *r2, 2);
    assert!(l.try_write().is_err());
    let mut w = Box::pin(l.write());
    assert!(is_pending(w.as_mut()));
    drop(r1);
    assert!(is_pending(w.as_mut()));
    drop(r2);
    let mut w = w.await;
    *w = 5;
    assert!(l.try_read().is_err());
    drop(w);
    assert_eq!(*l.try_read().unwrap(), 5);
    assert_eq!(l.into_inner(), 5);
}

pub async fn rwlock_writer_not_starved_by_readers() {
    let l = RwLock::new(0);
    let r = l.read().await;
    let mut w = Box::pin(async {
        *l.write().await += 1;
    });
    assert!(is_pending(w.as_mut()));
    // A writer is queued: new readers queue behind it.
    assert!(l.try_read().is_err());
    let mut late_reader = Box::pin(async { *l.read().await });
    assert!(is_pending(late_reader.as_mut()));
    drop(r);
    assert!(is_pending(late_reader.as_mut()), "writer goes first");
    w.await;
    assert_eq!(late_reader.await, 1);
}

pub async fn rwlock_downgrade() {
    let l = RwLock::new(1);
    let mut w = l.write().await;
    *w = 2;
    let mut waiting_reader = Box::pin(async { *l.read().await });
    assert!(is_pending(waiting_reader.as_mut()));
    let r = w.downgrade();
    assert_eq!(*r, 2);
    assert_eq!(
        waiting_reader.await,
        2,
        "readers queued behind the writer get in"
    );
    assert!(l.try_write().is_err());
    drop(r);
    assert!(l.try_write().is_ok());
}

pub async fn rwlock_owned_guards() {
    let l = Arc::new(RwLock::new(vec![1]));
    let mut w = l.clone().write_owned().await;
    w.push(2);
    assert!(l.clone().try_read_owned().is_err());
    let r = w.downgrade();
    assert_eq!(*r, [1, 2]);
    let r2 = l.clone().read_owned().await;
    assert!(Arc::ptr_eq(
        robin_sync::OwnedRwLockReadGuard::rwlock(&r2),
        &l
    ));
    assert!(l.clone().try_write_owned().is_err());
    drop((r, r2));
    let w = l.clone().try_write_owned().unwrap();
    assert_eq!(format!("{w:?}"), "[1, 2]");
    drop(w);
    assert_eq!(*l.clone().try_read_owned().unwrap(), [1, 2]);
}

pub async fn rwlock_cancelled_writer_lets_readers_in() {
    let l = RwLock::new(0);
    let r = l.read().await;
    let mut w = Box::pin(l.write());
    assert!(is_pending(w.as_mut()));
    let mut r2 = Box::pin(l.read());
    assert!(is_pending(r2.as_mut()), "queued behind the writer");
    drop(w); // cancel the writer: the reader behind it must not be stuck
    let r2 = r2.await;
    assert_eq!(*r + *r2, 0);
}

pub async fn rwlock_max_readers_and_blocking() {
    let l = Arc::new(RwLock::with_max_readers(0, 2));
    let a = l.read().await;
    let b = l.read().await;
    assert!(l.try_read().is_err());
    drop((a, b));
    let l2 = l.clone();
    on_thread(async move {
        *l2.blocking_write() += 3;
        assert_eq!(*l2.blocking_read(), 3);
    })
    .await;
    assert_eq!(*l.read().await, 3);
    let mut owned = Arc::try_unwrap(l).unwrap();
    *owned.get_mut() = 4;
    assert_eq!(format!("{owned:?}"), "RwLock { data: 4 }");
}

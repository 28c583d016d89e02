//! Semaphore cases.
use super::is_pending;
use robin_sync::{Semaphore, TryAcquireError};
use std::sync::Arc;

pub async fn semaphore_basics() {
    assert_eq!(Semaphore::MAX_PERMITS, usize::MAX >> 3);
    let s = Semaphore::new(3);
    let p = s.acquire().await.unwrap();
    assert_eq!(p.num_permits(), 1);
    assert_eq!(s.available_permits(), 2);
    let many = s.acquire_many(2).await.unwrap();
    assert_eq!(s.available_permits(), 0);
    assert_eq!(s.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    assert_eq!(
        s.try_acquire_many(1).unwrap_err().to_string(),
        "no permits available"
    );
    drop(many);
    assert!(s.try_acquire_many(2).is_ok());
    s.add_permits(5);
    assert_eq!(s.available_permits(), 7);
    drop(p);
    assert_eq!(s.available_permits(), 8);
    assert!(s.acquire_many(0).await.is_ok());
}

pub async fn semaphore_large_request_not_starved() {
    let s = Semaphore::new(1);
    let mut big = Box::pin(s.acquire_many(3));
    assert!(is_pending(big.as_mut()));
    assert_eq!(
        s.available_permits(),
        0,
        "the big waiter took what was there"
    );
    let mut small = Box::pin(s.acquire());
    assert!(is_pending(small.as_mut()));
    assert!(
        s.try_acquire().is_err(),
        "try_acquire cannot jump the queue"
    );
    s.add_permits(1);
    assert!(is_pending(small.as_mut()), "small waits behind big (FIFO)");
    s.add_permits(1);
    let big = big.await.unwrap();
    assert_eq!(big.num_permits(), 3);
    assert!(is_pending(small.as_mut()));
    drop(big);
    drop(small.await.unwrap());
    assert_eq!(s.available_permits(), 3);
}

pub async fn semaphore_close_fails_waiters() {
    let s = Semaphore::new(1);
    let held = s.acquire().await.unwrap();
    let mut w = Box::pin(s.acquire_many(2));
    assert!(is_pending(w.as_mut()));
    s.close();
    assert!(s.is_closed());
    let err = w.await.unwrap_err();
    assert_eq!(err.to_string(), "semaphore closed");
    assert_eq!(s.try_acquire().unwrap_err(), TryAcquireError::Closed);
    assert!(s.acquire().await.is_err());
    drop(held); // still valid; returns its permit
    assert_eq!(s.available_permits(), 1);
}

pub async fn semaphore_cancel_returns_partial_permits() {
    let s = Semaphore::new(2);
    let mut big = Box::pin(s.acquire_many(3));
    assert!(is_pending(big.as_mut()));
    let mut small = Box::pin(s.acquire());
    assert!(is_pending(small.as_mut()));
    assert_eq!(s.available_permits(), 0);
    drop(big); // its 2 partial permits go to `small` (1) and back to the pool (1)
    small.await.unwrap().forget();
    assert_eq!(s.available_permits(), 1);
}

pub async fn semaphore_owned_permits() {
    let s = Arc::new(Semaphore::new(3));
    let a = s.clone().acquire_owned().await.unwrap();
    let b = s.clone().acquire_many_owned(2).await.unwrap();
    assert!(s.clone().try_acquire_owned().is_err());
    assert!(Arc::ptr_eq(a.semaphore(), &s));
    let moved = std::thread::spawn(move || drop(b));
    moved.join().unwrap();
    assert_eq!(s.available_permits(), 2);
    let c = s.clone().try_acquire_many_owned(2).unwrap();
    assert_eq!(c.num_permits(), 2);
    drop((a, c));
    assert_eq!(s.available_permits(), 3);
    s.close();
    assert!(s.clone().acquire_owned().await.is_err());
    assert_eq!(
        s.clone().try_acquire_owned().unwrap_err(),
        TryAcquireError::Closed
    );
}

pub async fn semaphore_forget_merge_split() {
    let s = Semaphore::new(4);
    let mut a = s.try_acquire().unwrap();
    a.merge(s.try_acquire_many(2).unwrap());
    assert_eq!(a.num_permits(), 3);
    let b = a.split(2).unwrap();
    assert!(a.split(5).is_none());
    b.forget();
    assert_eq!(s.available_permits(), 1);
    drop(a);
    assert_eq!(s.available_permits(), 2);
    assert_eq!(s.forget_permits(5), 2);
    assert_eq!(s.available_permits(), 0);
    let d = Semaphore::default();
    assert_eq!(d.available_permits(), 0);
    assert!(format!("{d:?}").contains("permits: 0"));
}

//! An async mutex whose guard may be held across `.await`.
//!
//! Built on the FIFO [batch semaphore](crate::batch_semaphore) with one permit: waiters
//! get the lock in the order they asked for it.
//!
//! # Cancel safety
//!
//! [`Mutex::lock`] and [`Mutex::lock_owned`] are cancel-safe: a dropped lock future gives up
//! its place, and if the lock had just been handed to it, hands it on to the next waiter.
use crate::batch_semaphore::BatchSemaphore;
use crate::errors::TryLockError;
use crate::loom::{UnsafeCell, UserArc as Arc};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

/// An asynchronous mutual-exclusion lock.
///
/// ```
/// use robin_sync::Mutex;
/// use futures::executor::block_on;
///
/// let m = Mutex::new(1);
/// block_on(async {
///     let mut g = m.lock().await;
///     *g += 1;
///     assert!(m.try_lock().is_err());
/// });
/// assert_eq!(m.into_inner(), 2);
/// ```
pub struct Mutex<T> {
    s: BatchSemaphore,
    c: UnsafeCell<T>,
}

// SAFETY: the mutex hands out access to the `T` to one thread at a time and may move it
// between threads: exactly what `T: Send` permits.
unsafe impl<T: Send> Send for Mutex<T> {}
// SAFETY: through `&Mutex<T>` only one guard exists at a time (the semaphore has one
// permit), and a guard gives `&mut T` to one thread at a time: `T: Send` suffices, as for
// `std::sync::Mutex`.
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    ///
    /// ```
    /// let m = robin_sync::Mutex::new(5);
    /// assert_eq!(*m.try_lock().unwrap(), 5);
    /// ```
    pub fn new(value: T) -> Self {
        Mutex {
            s: BatchSemaphore::new(1),
            c: UnsafeCell::new(value),
        }
    }

    async fn acquire(&self) {
        if self.s.acquire(1).await.is_err() {
            unreachable!("a Mutex's semaphore is never closed");
        }
    }

    /// Waits for the lock (FIFO) and returns its guard. Cancel-safe.
    ///
    /// ```
    /// let m = robin_sync::Mutex::new(vec![1]);
    /// futures::executor::block_on(async { m.lock().await.push(2) });
    /// assert_eq!(m.into_inner(), [1, 2]);
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.acquire().await;
        MutexGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Blocks the current thread until the lock is held. Do not call it from async code:
    /// it parks the executor's thread.
    ///
    /// ```
    /// let m = robin_sync::Mutex::new(1);
    /// *m.blocking_lock() += 1;
    /// assert_eq!(*m.blocking_lock(), 2);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        crate::context::block_on(self.lock())
    }

    /// Blocking version of [`lock_owned`](Self::lock_owned).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(robin_sync::Mutex::new(1));
    /// assert_eq!(*m.blocking_lock_owned(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        crate::context::block_on(self.lock_owned())
    }

    /// Waits for the lock, returning a guard that owns an `Arc` of the mutex (so it is
    /// `'static` and can move into a spawned task). Cancel-safe.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(robin_sync::Mutex::new(1));
    /// let mut g = futures::executor::block_on(m.clone().lock_owned());
    /// *g = 2;
    /// drop(g);
    /// assert_eq!(*m.try_lock().unwrap(), 2);
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.acquire().await;
        OwnedMutexGuard {
            lock: self,
            _marker: PhantomData,
        }
    }

    /// Takes the lock if it is free right now.
    ///
    /// ```
    /// let m = robin_sync::Mutex::new(());
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.s.try_acquire(1) {
            Ok(()) => Ok(MutexGuard {
                lock: self,
                _marker: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes the lock now, returning an owned guard.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(robin_sync::Mutex::new(1));
    /// let _g = m.clone().try_lock_owned().unwrap();
    /// assert!(m.try_lock_owned().is_err());
    /// ```
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.s.try_acquire(1) {
            Ok(()) => Ok(OwnedMutexGuard {
                lock: self,
                _marker: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Mutable access without locking: `&mut self` proves nobody else holds the mutex.
    ///
    /// ```
    /// let mut m = robin_sync::Mutex::new(1);
    /// *m.get_mut() = 3;
    /// assert_eq!(m.into_inner(), 3);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.c.get_mut()
    }

    /// Consumes the mutex and returns the value.
    ///
    /// ```
    /// assert_eq!(robin_sync::Mutex::new(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.c.into_inner()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(g) => d.field("data", &&*g),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Holds a [`Mutex`] locked; unlocks on drop.
///
/// The marker makes the guard `Sync` only if `T: Sync` (sharing `&guard` shares `&T`), so a
/// guard over a `Cell` cannot be shared between threads:
///
/// ```compile_fail
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<robin_sync::MutexGuard<'static, std::cell::Cell<u8>>>();
/// ```
///
/// while the mutex itself, and the guard of a `Sync` value, can:
///
/// ```
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<robin_sync::Mutex<std::cell::Cell<u8>>>();
/// assert_sync::<robin_sync::MutexGuard<'static, u8>>();
/// ```
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct MutexGuard<'a, T> {
    lock: &'a Mutex<T>,
    _marker: PhantomData<&'a mut T>,
}

impl<'a, T> MutexGuard<'a, T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// let m = robin_sync::Mutex::new(0);
    /// let g = m.try_lock().unwrap();
    /// assert!(std::ptr::eq(robin_sync::MutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no `&mut T` exists elsewhere;
        // the reference lives no longer than `&self`, hence no longer than the guard.
        self.lock.c.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the only permit, and `&mut self` makes this the only
        // reference derived from the guard for its lifetime.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Holds an `Arc<Mutex<T>>` locked; unlocks on drop.
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct OwnedMutexGuard<T> {
    lock: Arc<Mutex<T>>,
    _marker: PhantomData<T>,
}

impl<T> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let m = Arc::new(robin_sync::Mutex::new(0));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(robin_sync::OwnedMutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `MutexGuard`: the guard holds the only permit.
        self.lock.c.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `MutexGuard`: the guard holds the only permit and `&mut self` is
        // unique.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

impl<T: fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display> fmt::Display for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::future::block_on;
    use loom::thread;

    /// Two threads increment under the lock; loom checks the data accesses are ordered.
    #[test]
    fn exclusive_increments() {
        loom::model(|| {
            let m = Arc::new(Mutex::new(0));
            let m2 = m.clone();
            let t = thread::spawn(move || {
                *block_on(m2.lock_owned()) += 1;
            });
            *block_on(m.lock()) += 1;
            t.join().unwrap();
            assert_eq!(*m.try_lock().unwrap(), 2);
        });
    }

    /// A lock future dropped while the guard is released to it hands the lock on.
    #[test]
    fn cancelled_lock_hands_on() {
        use std::future::Future;
        use std::task::{Context, Waker};
        loom::model(|| {
            let m = Arc::new(Mutex::new(0));
            let g = m.clone().try_lock_owned().unwrap();
            let mut fut = Box::pin(m.lock());
            assert!(fut
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending());
            let t = thread::spawn(move || drop(g));
            drop(fut);
            t.join().unwrap();
            assert!(m.try_lock().is_ok(), "lock lost");
        });
    }
}

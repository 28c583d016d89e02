//! An async mutex whose guard may be held across `.await`.
//!
//! Built on the FIFO [batch semaphore](crate::batch_semaphore) with one permit: waiters
//! get the lock in the order they asked for it.
//!
//! Guards hand out `&T` / `&mut T` while they hold the semaphore's one permit. A guard can
//! be narrowed with `map` / `try_map` to a part of the value ([`MappedMutexGuard`],
//! [`OwnedMappedMutexGuard`]): a mapped guard keeps the permit and a raw pointer to the part,
//! which stays valid because the value cannot move or be reached otherwise while the permit
//! is held.
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
pub struct Mutex<T: ?Sized> {
    s: BatchSemaphore,
    c: UnsafeCell<T>,
}

// SAFETY: the mutex hands out access to the `T` to one thread at a time and may move it
// between threads: exactly what `T: Send` permits.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: through `&Mutex<T>` only one guard exists at a time (the semaphore has one
// permit), and a guard gives `&mut T` to one thread at a time: `T: Send` suffices, as for
// `std::sync::Mutex`.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

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

    /// Creates an unlocked mutex in a `const` context, so it can live in a `static`
    /// (not available under `--cfg loom`, as in tokio).
    ///
    /// ```
    /// use robin_sync::Mutex;
    /// static COUNT: Mutex<u32> = Mutex::const_new(0);
    /// futures::executor::block_on(async { *COUNT.lock().await += 1 });
    /// assert_eq!(*COUNT.try_lock().unwrap(), 1);
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> Self {
        Mutex {
            s: BatchSemaphore::const_new(1),
            c: UnsafeCell::new(value),
        }
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

impl<T: ?Sized> Mutex<T> {
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

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
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
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    _marker: PhantomData<&'a mut T>,
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
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

    /// Narrows the guard to a part of the locked value; the mutex stays locked until the
    /// mapped guard is dropped. An associated function (`MutexGuard::map(g, ..)`), so it
    /// does not shadow a method of `T`.
    ///
    /// ```
    /// use robin_sync::{Mutex, MutexGuard};
    /// let m = Mutex::new((1, 2));
    /// let mut second = MutexGuard::map(m.try_lock().unwrap(), |p| &mut p.1);
    /// *second = 5;
    /// assert!(m.try_lock().is_err());
    /// drop(second);
    /// assert_eq!(*m.try_lock().unwrap(), (1, 5));
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Like [`map`](Self::map), but `f` may decline (return `None`); then the original
    /// guard is handed back.
    ///
    /// ```
    /// use robin_sync::{Mutex, MutexGuard};
    /// let m = Mutex::new(vec![1]);
    /// let g = MutexGuard::try_map(m.try_lock().unwrap(), |v| v.get_mut(3)).unwrap_err();
    /// let first = MutexGuard::try_map(g, |v| v.get_mut(0)).unwrap();
    /// assert_eq!(*first, 1);
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        let s = &this.lock.s;
        std::mem::forget(this);
        Ok(MappedMutexGuard {
            s,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no `&mut T` exists elsewhere;
        // the reference lives no longer than `&self`, hence no longer than the guard.
        self.lock.c.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the only permit, and `&mut self` makes this the only
        // reference derived from the guard for its lifetime.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

/// A [`MutexGuard`] narrowed to a part of the value by [`MutexGuard::map`]; unlocks the
/// mutex on drop.
///
/// Like the guard it came from, it is `Sync` only if `U: Sync`:
///
/// ```compile_fail
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<robin_sync::MappedMutexGuard<'static, std::cell::Cell<u8>>>();
/// ```
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct MappedMutexGuard<'a, T: ?Sized> {
    s: &'a BatchSemaphore,
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

// SAFETY: the guard is a `&'a mut T` plus a reference to a `Sync` semaphore: sending it
// sends the unique access, which `T: Send` permits.
unsafe impl<'a, T: ?Sized + Send + 'a> Send for MappedMutexGuard<'a, T> {}
// SAFETY: `&guard` only gives `&T`, which may be shared between threads if `T: Sync`.
unsafe impl<'a, T: ?Sized + Sync + 'a> Sync for MappedMutexGuard<'a, T> {}

impl<'a, T: ?Sized> MappedMutexGuard<'a, T> {
    /// Narrows the guard further.
    ///
    /// ```
    /// use robin_sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m = Mutex::new(((1, 2), 3));
    /// let inner = MutexGuard::map(m.try_lock().unwrap(), |v| &mut v.0);
    /// let mut two = MappedMutexGuard::map(inner, |p| &mut p.1);
    /// *two += 1;
    /// drop(two);
    /// assert_eq!(*m.try_lock().unwrap(), ((1, 3), 3));
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> MappedMutexGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Narrows the guard further if `f` returns `Some`, else hands it back.
    ///
    /// ```
    /// use robin_sync::{MappedMutexGuard, Mutex, MutexGuard};
    /// let m = Mutex::new(vec![vec![1]]);
    /// let row = MutexGuard::map(m.try_lock().unwrap(), |v| &mut v[0]);
    /// let row = MappedMutexGuard::try_map(row, |r| r.get_mut(9)).unwrap_err();
    /// assert_eq!(*row, [1]);
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<MappedMutexGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        let s = this.s;
        std::mem::forget(this);
        Ok(MappedMutexGuard {
            s,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for MappedMutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: `data` was derived from the `&mut` of a guard holding the mutex's only
        // permit, and this guard still holds that permit: the pointee is alive, does not
        // move, and no other reference to it exists outside this guard.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for MappedMutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`; `&mut self` makes the reference unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for MappedMutexGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(1);
    }
}

/// Holds an `Arc<Mutex<T>>` locked; unlocks on drop.
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
    _marker: PhantomData<T>,
}

impl<T: ?Sized> OwnedMutexGuard<T> {
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

    /// Narrows the guard to a part of the value; the mutex stays locked until the mapped
    /// guard is dropped.
    ///
    /// ```
    /// use robin_sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new((1, 2)));
    /// let mut first = OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |p| &mut p.0);
    /// *first = 9;
    /// drop(first);
    /// assert_eq!(*m.try_lock().unwrap(), (9, 2));
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> OwnedMappedMutexGuard<T, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Like [`map`](Self::map), but hands the guard back if `f` returns `None`.
    ///
    /// ```
    /// use robin_sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(Some(3)));
    /// let three = OwnedMutexGuard::try_map(m.try_lock_owned().unwrap(), |o| o.as_mut());
    /// assert_eq!(*three.unwrap(), 3);
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        Ok(OwnedMappedMutexGuard {
            data,
            lock: this.into_lock(),
        })
    }

    /// Takes the `Arc` out without releasing the permits (they pass to the caller).
    fn into_lock(self) -> Arc<Mutex<T>> {
        // SAFETY: the closure returns this guard's own `lock` field.
        unsafe { crate::guard::disarm(self, |g| &g.lock) }
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: as for `MutexGuard`: the guard holds the only permit.
        self.lock.c.with(|p| unsafe { &*p })
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `MutexGuard`: the guard holds the only permit and `&mut self` is
        // unique.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

/// An [`OwnedMutexGuard`] narrowed to a part `U` of the value by
/// [`OwnedMutexGuard::map`]; keeps the `Arc<Mutex<T>>` and unlocks on drop.
#[must_use = "dropping the guard unlocks the mutex at once"]
pub struct OwnedMappedMutexGuard<T: ?Sized, U: ?Sized = T> {
    // `data` first: it points into `lock`, which must outlive every use of it.
    data: *mut U,
    lock: Arc<Mutex<T>>,
}

// SAFETY: the guard owns an `Arc<Mutex<T>>` (Send if `T: Send`) and unique access to a `U`
// inside it (sendable if `U: Send`).
unsafe impl<T: ?Sized + Send, U: ?Sized + Send> Send for OwnedMappedMutexGuard<T, U> {}
// SAFETY: `&guard` gives `&U` (shareable if `U: Sync`) and `&Arc<Mutex<T>>` (shareable if
// `T: Send`, as `Mutex<T>: Sync` then).
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync for OwnedMappedMutexGuard<T, U> {}

impl<T: ?Sized, U: ?Sized> OwnedMappedMutexGuard<T, U> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use robin_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new((0, 1)));
    /// let g = OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |p| &mut p.1);
    /// assert!(Arc::ptr_eq(OwnedMappedMutexGuard::mutex(&g), &m));
    /// ```
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }

    /// Narrows the guard further.
    ///
    /// ```
    /// use robin_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(((1, 2), 3)));
    /// let g = OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |v| &mut v.0);
    /// let g = OwnedMappedMutexGuard::map(g, |p| &mut p.0);
    /// assert_eq!(*g, 1);
    /// ```
    pub fn map<S: ?Sized, F>(this: Self, f: F) -> OwnedMappedMutexGuard<T, S>
    where
        F: FnOnce(&mut U) -> &mut S,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Narrows the guard further if `f` returns `Some`, else hands it back.
    ///
    /// ```
    /// use robin_sync::{Mutex, OwnedMappedMutexGuard, OwnedMutexGuard};
    /// use std::sync::Arc;
    /// let m = Arc::new(Mutex::new(vec![1, 2]));
    /// let g = OwnedMutexGuard::map(m.try_lock_owned().unwrap(), |v| v.as_mut_slice());
    /// let g = OwnedMappedMutexGuard::try_map(g, |s| s.get_mut(1)).unwrap();
    /// assert_eq!(*g, 2);
    /// ```
    pub fn try_map<S: ?Sized, F>(this: Self, f: F) -> Result<OwnedMappedMutexGuard<T, S>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut S>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        Ok(OwnedMappedMutexGuard {
            data,
            lock: this.into_lock(),
        })
    }

    /// Takes the `Arc` out without releasing the permits (they pass to the caller).
    fn into_lock(self) -> Arc<Mutex<T>> {
        // SAFETY: the closure returns this guard's own `lock` field.
        unsafe { crate::guard::disarm(self, |g| &g.lock) }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedMappedMutexGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: `data` was derived from the `&mut T` of a guard holding the only permit,
        // and this guard holds it still (and the `Arc` keeps the mutex alive): the pointee
        // is valid and nobody else reaches it.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedMappedMutexGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as for `deref`; `&mut self` makes the reference unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedMappedMutexGuard<T, U> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

crate::guard::delegate_fmt!(
    <T> MutexGuard<'_, T> => T,
    <T> MappedMutexGuard<'_, T> => T,
    <T> OwnedMutexGuard<T> => T,
    <T, U> OwnedMappedMutexGuard<T, U> => U,
);

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

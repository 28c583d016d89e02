//! An async reader-writer lock.
//!
//! Built on the FIFO [batch semaphore](crate::batch_semaphore) holding `max_readers`
//! permits: a reader takes one, a writer takes all of them. Because the semaphore serves
//! requests in order, a queued writer is never starved by readers arriving after it (they
//! queue behind it), and readers queued behind a writer all get in when it leaves.
//!
//! # Cancel safety
//!
//! `read`, `write` and their owned variants are cancel-safe: a dropped future gives up its
//! place and passes on any permits it had been handed.
use crate::batch_semaphore::BatchSemaphore;
use crate::errors::TryLockError;
use crate::loom::{UnsafeCell, UserArc as Arc};
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

/// Default (and largest) number of concurrent readers.
const MAX_READS: u32 = u32::MAX >> 3;

/// An asynchronous reader-writer lock: many readers or one writer.
///
/// Unlike [`Mutex`](crate::Mutex), sharing it needs `T: Sync`, since readers share `&T`:
///
/// ```compile_fail
/// fn assert_sync<T: Sync>() {}
/// assert_sync::<robin_sync::RwLock<std::cell::Cell<u8>>>();
/// ```
///
/// ```
/// use robin_sync::RwLock;
/// use futures::executor::block_on;
///
/// let lock = RwLock::new(5);
/// block_on(async {
///     {
///         let r1 = lock.read().await;
///         let r2 = lock.read().await;
///         assert_eq!(*r1 + *r2, 10);
///         assert!(lock.try_write().is_err());
///     }
///     let mut w = lock.write().await;
///     *w += 1;
///     let r = w.downgrade();
///     assert_eq!(*r, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    mr: u32,
    s: BatchSemaphore,
    c: UnsafeCell<T>,
}

// SAFETY: the lock owns the `T` and may hand it to another thread: needs `T: Send`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// The bound matters: an `RwLock<Cell<u8>>` would hand `&Cell` to several threads at once.
//
// SAFETY: through `&RwLock<T>` several threads may read `&T` at once (needs `T: Sync`) and
// one at a time may write `&mut T` (needs `T: Send`); the semaphore enforces readers xor
// one writer.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// Creates an unlocked lock allowing up to `u32::MAX >> 3` concurrent readers.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(1);
    /// assert_eq!(*l.try_read().unwrap(), 1);
    /// ```
    pub fn new(value: T) -> Self {
        Self::with_max_readers(value, MAX_READS)
    }

    /// Creates an unlocked lock in a `const` context, so it can live in a `static` (not
    /// under `--cfg loom`, as in tokio).
    ///
    /// ```
    /// use robin_sync::RwLock;
    /// static CONFIG: RwLock<u32> = RwLock::const_new(1);
    /// *CONFIG.try_write().unwrap() = 2;
    /// assert_eq!(*CONFIG.try_read().unwrap(), 2);
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(value: T) -> Self {
        RwLock {
            mr: MAX_READS,
            s: BatchSemaphore::const_new(MAX_READS as usize),
            c: UnsafeCell::new(value),
        }
    }

    /// [`with_max_readers`](Self::with_max_readers) in a `const` context (not under
    /// `--cfg loom`).
    ///
    /// # Panics
    ///
    /// If `max_reads` is 0 or above `u32::MAX >> 3`.
    ///
    /// ```
    /// use robin_sync::RwLock;
    /// static TWO: RwLock<()> = RwLock::const_with_max_readers((), 2);
    /// let _a = TWO.try_read().unwrap();
    /// let _b = TWO.try_read().unwrap();
    /// assert!(TWO.try_read().is_err());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_with_max_readers(value: T, max_reads: u32) -> Self {
        assert!(
            max_reads > 0 && max_reads <= MAX_READS,
            "max_reads must be in 1..=u32::MAX >> 3"
        );
        RwLock {
            mr: max_reads,
            s: BatchSemaphore::const_new(max_reads as usize),
            c: UnsafeCell::new(value),
        }
    }

    /// Creates a lock allowing at most `max_reads` concurrent readers.
    ///
    /// # Panics
    ///
    /// If `max_reads` is 0 or above `u32::MAX >> 3`.
    ///
    /// ```
    /// let l = robin_sync::RwLock::with_max_readers(0, 2);
    /// let _a = l.try_read().unwrap();
    /// let _b = l.try_read().unwrap();
    /// assert!(l.try_read().is_err());
    /// ```
    pub fn with_max_readers(value: T, max_reads: u32) -> Self {
        assert!(
            max_reads > 0 && max_reads <= MAX_READS,
            "max_reads must be in 1..={MAX_READS}"
        );
        RwLock {
            mr: max_reads,
            s: BatchSemaphore::new(max_reads as usize),
            c: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns the value.
    ///
    /// ```
    /// assert_eq!(robin_sync::RwLock::new(4).into_inner(), 4);
    /// ```
    pub fn into_inner(self) -> T {
        self.c.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    async fn acquire(&self, n: u32) {
        if self.s.acquire(n as usize).await.is_err() {
            unreachable!("an RwLock's semaphore is never closed");
        }
    }

    /// Waits for shared read access (behind any writer queued earlier). Cancel-safe.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(3);
    /// assert_eq!(*futures::executor::block_on(l.read()), 3);
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.acquire(1).await;
        RwLockReadGuard::from_lock(self)
    }

    /// Waits for read access, returning a guard that owns an `Arc` of the lock. Cancel-safe.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(3));
    /// assert_eq!(*futures::executor::block_on(l.read_owned()), 3);
    /// ```
    pub async fn read_owned(self: Arc<Self>) -> OwnedRwLockReadGuard<T> {
        self.acquire(1).await;
        OwnedRwLockReadGuard::from_lock(self)
    }

    /// Takes read access now if no writer holds or waits for the lock.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(0);
    /// let _w = l.try_write().unwrap();
    /// assert!(l.try_read().is_err());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.s.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(RwLockReadGuard::from_lock(self))
    }

    /// Owned version of [`try_read`](Self::try_read).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(0));
    /// assert!(l.try_read_owned().is_ok());
    /// ```
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        self.s.try_acquire(1).map_err(|_| TryLockError(()))?;
        Ok(OwnedRwLockReadGuard::from_lock(self))
    }

    /// Waits for exclusive write access. Cancel-safe.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(3);
    /// futures::executor::block_on(async { *l.write().await += 1 });
    /// assert_eq!(l.into_inner(), 4);
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.acquire(self.mr).await;
        RwLockWriteGuard { lock: self }
    }

    /// Waits for write access, returning a guard that owns an `Arc` of the lock.
    /// Cancel-safe.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(3));
    /// *futures::executor::block_on(l.clone().write_owned()) = 9;
    /// assert_eq!(*l.try_read().unwrap(), 9);
    /// ```
    pub async fn write_owned(self: Arc<Self>) -> OwnedRwLockWriteGuard<T> {
        self.acquire(self.mr).await;
        OwnedRwLockWriteGuard { lock: self }
    }

    /// Takes write access now if the lock is entirely free.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(0);
    /// let _r = l.try_read().unwrap();
    /// assert!(l.try_write().is_err());
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.s
            .try_acquire(self.mr as usize)
            .map_err(|_| TryLockError(()))?;
        Ok(RwLockWriteGuard { lock: self })
    }

    /// Owned version of [`try_write`](Self::try_write).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(0));
    /// assert!(l.try_write_owned().is_ok());
    /// ```
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        self.s
            .try_acquire(self.mr as usize)
            .map_err(|_| TryLockError(()))?;
        Ok(OwnedRwLockWriteGuard { lock: self })
    }

    /// Blocks the thread until read access is held. Not for async code.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(1);
    /// assert_eq!(*l.blocking_read(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        crate::context::block_on(self.read())
    }

    /// Blocks the thread until write access is held. Not for async code.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(1);
    /// *l.blocking_write() = 2;
    /// assert_eq!(*l.blocking_read(), 2);
    /// ```
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        crate::context::block_on(self.write())
    }

    /// Mutable access without locking (`&mut self` proves exclusivity).
    ///
    /// ```
    /// let mut l = robin_sync::RwLock::new(1);
    /// *l.get_mut() = 2;
    /// assert_eq!(l.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.c.get_mut()
    }

    fn data(&self) -> &T {
        // SAFETY: only called by guards; every guard holds at least one permit, so no
        // writer holds all of them, except a write guard that calls `data` only through
        // `&self` while itself being the only holder.
        self.c.with(|p| unsafe { &*p })
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(g) => d.field("data", &&*g),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shared read access to an [`RwLock`] (or, after [`map`](Self::map), to a part of its
/// value); released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    s: &'a BatchSemaphore,
    // Points into the lock's cell; valid while this guard holds its read permit.
    data: *const T,
    _marker: PhantomData<&'a T>,
}

// SAFETY: the guard is a shared `&'a T` plus a reference to a `Sync` semaphore: sending it
// shares `&T` with another thread, which `T: Sync` permits.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: `&guard` gives `&T`: shareable if `T: Sync`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    fn from_lock(lock: &'a RwLock<T>) -> Self {
        RwLockReadGuard {
            s: &lock.s,
            data: lock.c.with(|p| p),
            _marker: PhantomData,
        }
    }

    /// Narrows the guard to a part of the value; the read permit is kept until the new
    /// guard is dropped. An associated function (`RwLockReadGuard::map(g, ..)`).
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockReadGuard};
    /// let l = RwLock::new((1, 2));
    /// let second = RwLockReadGuard::map(l.try_read().unwrap(), |p| &p.1);
    /// assert_eq!(*second, 2);
    /// assert!(l.try_write().is_err());
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Like [`map`](Self::map), but hands the guard back if `f` returns `None`.
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockReadGuard};
    /// let l = RwLock::new(vec![1]);
    /// let g = RwLockReadGuard::try_map(l.try_read().unwrap(), |v| v.get(5)).unwrap_err();
    /// assert_eq!(*RwLockReadGuard::try_map(g, |v| v.first()).unwrap(), 1);
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let (this, data) = crate::guard::narrow(this, f)?;
        let s = this.s;
        std::mem::forget(this);
        Ok(RwLockReadGuard {
            s,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit, so no writer holds all of them: nobody
        // has `&mut` to the value (or any part of it); `data` points into the live cell.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(1);
    }
}

/// Exclusive write access to an [`RwLock`]; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns write access into read access atomically: no writer can get in between, and
    /// readers waiting behind this writer are let in.
    ///
    /// ```
    /// let l = robin_sync::RwLock::new(1);
    /// let w = l.try_write().unwrap();
    /// let r = w.downgrade();
    /// assert!(l.try_read().is_ok());
    /// assert!(l.try_write().is_err());
    /// assert_eq!(*r, 1);
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let lock = self.lock;
        // Keep one permit for the read guard; the write guard holds only a reference, so
        // forgetting it leaks nothing.
        std::mem::forget(self);
        lock.s.release(lock.mr as usize - 1);
        RwLockReadGuard::from_lock(lock)
    }

    /// Narrows write access to a part of the value ([`RwLockMappedWriteGuard`]).
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockWriteGuard};
    /// let l = RwLock::new((1, 2));
    /// let mut first = RwLockWriteGuard::map(l.try_write().unwrap(), |p| &mut p.0);
    /// *first = 7;
    /// drop(first);
    /// assert_eq!(*l.try_read().unwrap(), (7, 2));
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Like [`map`](Self::map), but hands the guard back if `f` returns `None`.
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockWriteGuard};
    /// let l = RwLock::new(vec![1]);
    /// let w = RwLockWriteGuard::try_map(l.try_write().unwrap(), |v| v.get_mut(3));
    /// assert!(w.is_err());
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        let lock = this.lock;
        std::mem::forget(this);
        Ok(RwLockMappedWriteGuard {
            s: &lock.s,
            permits: lock.mr,
            data,
            _marker: PhantomData,
        })
    }

    /// Downgrades to read access (atomically, as [`downgrade`](Self::downgrade)) and
    /// narrows it to a part of the value.
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockWriteGuard};
    /// let l = RwLock::new((1, 2));
    /// let mut w = l.try_write().unwrap();
    /// w.1 = 3;
    /// let r = RwLockWriteGuard::downgrade_map(w, |p| &p.1);
    /// assert_eq!(*r, 3);
    /// assert!(l.try_read().is_ok());
    /// ```
    pub fn downgrade_map<U: ?Sized, F>(this: Self, f: F) -> RwLockReadGuard<'a, U>
    where
        F: FnOnce(&T) -> &U,
    {
        crate::guard::infallible(Self::try_downgrade_map(this, move |v| Some(f(v))))
    }

    /// Like [`downgrade_map`](Self::downgrade_map), but keeps write access (handing the
    /// guard back) if `f` returns `None`.
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockWriteGuard};
    /// let l = RwLock::new(Some(1));
    /// let r = RwLockWriteGuard::try_downgrade_map(l.try_write().unwrap(), |o| o.as_ref());
    /// assert_eq!(*r.unwrap(), 1);
    /// ```
    pub fn try_downgrade_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockReadGuard<'a, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let (this, data) = crate::guard::narrow(this, f)?;
        let lock = this.lock;
        std::mem::forget(this);
        lock.s.release(lock.mr as usize - 1);
        Ok(RwLockReadGuard {
            s: &lock.s,
            data,
            _marker: PhantomData,
        })
    }

    /// The same write access as a [`RwLockMappedWriteGuard`] of the whole value.
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockWriteGuard};
    /// let l = RwLock::new(1);
    /// let mut m = RwLockWriteGuard::into_mapped(l.try_write().unwrap());
    /// *m = 2;
    /// drop(m);
    /// assert_eq!(*l.try_read().unwrap(), 2);
    /// ```
    pub fn into_mapped(this: Self) -> RwLockMappedWriteGuard<'a, T> {
        Self::map(this, |v| v)
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.lock.data()
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write guard holds every permit, so no other guard exists, and
        // `&mut self` makes this reference unique for its lifetime.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.release(self.lock.mr as usize);
    }
}

/// Write access narrowed to a part of an [`RwLock`]'s value by [`RwLockWriteGuard::map`];
/// released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockMappedWriteGuard<'a, T: ?Sized> {
    s: &'a BatchSemaphore,
    permits: u32,
    data: *mut T,
    _marker: PhantomData<&'a mut T>,
}

// SAFETY: the guard is a unique `&'a mut T`: sendable if `T: Send` (tokio also asks
// `Sync`, as the rest of the value may be read through other guards later).
unsafe impl<T: ?Sized + Send + Sync> Send for RwLockMappedWriteGuard<'_, T> {}
// SAFETY: `&guard` gives `&T`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockMappedWriteGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockMappedWriteGuard<'a, T> {
    /// Narrows the guard further.
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    /// let l = RwLock::new(((1, 2), 3));
    /// let g = RwLockWriteGuard::map(l.try_write().unwrap(), |v| &mut v.0);
    /// let mut g = RwLockMappedWriteGuard::map(g, |p| &mut p.1);
    /// *g = 5;
    /// drop(g);
    /// assert_eq!(*l.try_read().unwrap(), ((1, 5), 3));
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> RwLockMappedWriteGuard<'a, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Narrows the guard further if `f` returns `Some`, else hands it back.
    ///
    /// ```
    /// use robin_sync::{RwLock, RwLockMappedWriteGuard, RwLockWriteGuard};
    /// let l = RwLock::new(vec![1, 2]);
    /// let g = RwLockWriteGuard::into_mapped(l.try_write().unwrap());
    /// let g = RwLockMappedWriteGuard::try_map(g, |v| v.get_mut(1)).unwrap();
    /// assert_eq!(*g, 2);
    /// ```
    pub fn try_map<U: ?Sized, F>(this: Self, f: F) -> Result<RwLockMappedWriteGuard<'a, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        let (s, permits) = (this.s, this.permits);
        std::mem::forget(this);
        Ok(RwLockMappedWriteGuard {
            s,
            permits,
            data,
            _marker: PhantomData,
        })
    }
}

impl<T: ?Sized> Deref for RwLockMappedWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: derived from the `&mut` of a write guard holding every permit, which this
        // guard still holds: nobody else reaches the pointee, and it is alive.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized> DerefMut for RwLockMappedWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `deref`; `&mut self` makes the reference unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized> Drop for RwLockMappedWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.s.release(self.permits as usize);
    }
}

/// Shared read access to an `Arc<RwLock<T>>` (narrowed to a part `U` of the value after
/// [`map`](Self::map)); released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct OwnedRwLockReadGuard<T: ?Sized, U: ?Sized = T> {
    // Points into `lock`'s cell; valid while the guard holds its read permit.
    data: *const U,
    lock: Arc<RwLock<T>>,
}

// SAFETY: the guard owns an `Arc<RwLock<T>>` (Send if `T: Send + Sync`) and shares `&U`
// (sendable if `U: Sync`).
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Send for OwnedRwLockReadGuard<T, U> {}
// SAFETY: `&guard` gives `&U` and `&Arc<RwLock<T>>`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Sync> Sync for OwnedRwLockReadGuard<T, U> {}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    fn from_lock(lock: Arc<RwLock<T>>) -> Self {
        OwnedRwLockReadGuard {
            data: lock.c.with(|p| p),
            lock,
        }
    }
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockReadGuard<T, U> {
    /// The lock this guard reads.
    ///
    /// ```
    /// use robin_sync::OwnedRwLockReadGuard;
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(0));
    /// let g = l.clone().try_read_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedRwLockReadGuard::rwlock(&g), &l));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }

    /// Narrows the guard to a part of the value.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockReadGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new((1, 2)));
    /// let g = OwnedRwLockReadGuard::map(l.try_read_owned().unwrap(), |p| &p.0);
    /// assert_eq!(*g, 1);
    /// ```
    pub fn map<V: ?Sized, F>(this: Self, f: F) -> OwnedRwLockReadGuard<T, V>
    where
        F: FnOnce(&U) -> &V,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Narrows the guard if `f` returns `Some`, else hands it back.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockReadGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new(vec![4]));
    /// let g = OwnedRwLockReadGuard::try_map(l.try_read_owned().unwrap(), |v| v.first());
    /// assert_eq!(*g.unwrap(), 4);
    /// ```
    pub fn try_map<V: ?Sized, F>(this: Self, f: F) -> Result<OwnedRwLockReadGuard<T, V>, Self>
    where
        F: FnOnce(&U) -> Option<&V>,
    {
        let (this, data) = crate::guard::narrow(this, f)?;
        Ok(OwnedRwLockReadGuard {
            data,
            lock: this.into_lock(),
        })
    }

    /// Takes the `Arc` out without releasing the permits (they pass to the caller).
    fn into_lock(self) -> Arc<RwLock<T>> {
        // SAFETY: the closure returns this guard's own `lock` field.
        unsafe { crate::guard::disarm(self, |g| &g.lock) }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockReadGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: the guard holds a read permit (no writer exists) and its `Arc` keeps the
        // lock alive; `data` points into the lock's value.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockReadGuard<T, U> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

/// Exclusive write access to an `Arc<RwLock<T>>`; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    /// Turns write access into read access atomically.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(1));
    /// let r = l.clone().try_write_owned().unwrap().downgrade();
    /// assert!(l.try_read().is_ok());
    /// assert_eq!(*r, 1);
    /// ```
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        let lock = self.into_lock();
        lock.s.release(lock.mr as usize - 1);
        OwnedRwLockReadGuard::from_lock(lock)
    }

    /// The lock this guard writes.
    ///
    /// ```
    /// use robin_sync::OwnedRwLockWriteGuard;
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(0));
    /// let g = l.clone().try_write_owned().unwrap();
    /// assert!(Arc::ptr_eq(OwnedRwLockWriteGuard::rwlock(&g), &l));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }

    /// Narrows write access to a part of the value.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new((1, 2)));
    /// let mut g = OwnedRwLockWriteGuard::map(l.clone().try_write_owned().unwrap(), |p| &mut p.1);
    /// *g = 9;
    /// drop(g);
    /// assert_eq!(*l.try_read().unwrap(), (1, 9));
    /// ```
    pub fn map<U: ?Sized, F>(this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, U>
    where
        F: FnOnce(&mut T) -> &mut U,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Like [`map`](Self::map), but hands the guard back if `f` returns `None`.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new(vec![0]));
    /// let g = OwnedRwLockWriteGuard::try_map(l.try_write_owned().unwrap(), |v| v.get_mut(2));
    /// assert!(g.is_err());
    /// ```
    pub fn try_map<U: ?Sized, F>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, U>, Self>
    where
        F: FnOnce(&mut T) -> Option<&mut U>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        let lock = this.into_lock();
        Ok(OwnedRwLockMappedWriteGuard {
            data,
            permits: lock.mr,
            lock,
        })
    }

    /// Downgrades to read access atomically and narrows it to a part of the value.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new((1, 2)));
    /// let r = OwnedRwLockWriteGuard::downgrade_map(l.clone().try_write_owned().unwrap(), |p| &p.0);
    /// assert_eq!(*r, 1);
    /// assert!(l.try_read().is_ok());
    /// ```
    pub fn downgrade_map<U: ?Sized, F>(this: Self, f: F) -> OwnedRwLockReadGuard<T, U>
    where
        F: FnOnce(&T) -> &U,
    {
        crate::guard::infallible(Self::try_downgrade_map(this, move |v| Some(f(v))))
    }

    /// Like [`downgrade_map`](Self::downgrade_map), but keeps write access (handing the
    /// guard back) if `f` returns `None`.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new(None::<u8>));
    /// let w = OwnedRwLockWriteGuard::try_downgrade_map(l.try_write_owned().unwrap(), |o| o.as_ref());
    /// assert!(w.is_err());
    /// ```
    pub fn try_downgrade_map<U: ?Sized, F>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockReadGuard<T, U>, Self>
    where
        F: FnOnce(&T) -> Option<&U>,
    {
        let (this, data) = crate::guard::narrow(this, f)?;
        let lock = this.into_lock();
        lock.s.release(lock.mr as usize - 1);
        Ok(OwnedRwLockReadGuard { data, lock })
    }

    /// The same write access as an [`OwnedRwLockMappedWriteGuard`] of the whole value.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new(1));
    /// let m = OwnedRwLockWriteGuard::into_mapped(l.try_write_owned().unwrap());
    /// assert_eq!(*m, 1);
    /// ```
    pub fn into_mapped(this: Self) -> OwnedRwLockMappedWriteGuard<T> {
        Self::map(this, |v| v)
    }

    /// Takes the `Arc` out without releasing the permits (they pass to the caller).
    fn into_lock(self) -> Arc<RwLock<T>> {
        // SAFETY: the closure returns this guard's own `lock` field.
        unsafe { crate::guard::disarm(self, |g| &g.lock) }
    }
}

impl<T: ?Sized> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.lock.data()
    }
}

impl<T: ?Sized> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `RwLockWriteGuard`: this guard holds every permit and `&mut self`
        // is unique.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T: ?Sized> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(self.lock.mr as usize);
    }
}

/// Write access to a part `U` of an `Arc<RwLock<T>>`'s value, made by
/// [`OwnedRwLockWriteGuard::map`]; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct OwnedRwLockMappedWriteGuard<T: ?Sized, U: ?Sized = T> {
    data: *mut U,
    permits: u32,
    lock: Arc<RwLock<T>>,
}

// SAFETY: owns an `Arc<RwLock<T>>` (Send if `T: Send + Sync`) and unique access to a `U`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Send
    for OwnedRwLockMappedWriteGuard<T, U>
{
}
// SAFETY: `&guard` gives `&U` and `&Arc<RwLock<T>>`.
unsafe impl<T: ?Sized + Send + Sync, U: ?Sized + Send + Sync> Sync
    for OwnedRwLockMappedWriteGuard<T, U>
{
}

impl<T: ?Sized, U: ?Sized> OwnedRwLockMappedWriteGuard<T, U> {
    /// The lock this guard writes.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new(0));
    /// let g = OwnedRwLockWriteGuard::into_mapped(l.clone().try_write_owned().unwrap());
    /// assert!(Arc::ptr_eq(OwnedRwLockMappedWriteGuard::rwlock(&g), &l));
    /// ```
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }

    /// Narrows the guard further.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new((1, (2, 3))));
    /// let g = OwnedRwLockWriteGuard::map(l.try_write_owned().unwrap(), |v| &mut v.1);
    /// let g = OwnedRwLockMappedWriteGuard::map(g, |p| &mut p.1);
    /// assert_eq!(*g, 3);
    /// ```
    pub fn map<V: ?Sized, F>(this: Self, f: F) -> OwnedRwLockMappedWriteGuard<T, V>
    where
        F: FnOnce(&mut U) -> &mut V,
    {
        crate::guard::infallible(Self::try_map(this, move |v| Some(f(v))))
    }

    /// Narrows the guard further if `f` returns `Some`, else hands it back.
    ///
    /// ```
    /// use robin_sync::{OwnedRwLockMappedWriteGuard, OwnedRwLockWriteGuard, RwLock};
    /// use std::sync::Arc;
    /// let l = Arc::new(RwLock::new(vec![1]));
    /// let g = OwnedRwLockWriteGuard::into_mapped(l.try_write_owned().unwrap());
    /// assert!(OwnedRwLockMappedWriteGuard::try_map(g, |v| v.get_mut(1)).is_err());
    /// ```
    pub fn try_map<V: ?Sized, F>(
        this: Self,
        f: F,
    ) -> Result<OwnedRwLockMappedWriteGuard<T, V>, Self>
    where
        F: FnOnce(&mut U) -> Option<&mut V>,
    {
        let (this, data) = crate::guard::narrow_mut(this, f)?;
        let permits = this.permits;
        Ok(OwnedRwLockMappedWriteGuard {
            data,
            permits,
            lock: this.into_lock(),
        })
    }

    /// Takes the `Arc` out without releasing the permits (they pass to the caller).
    fn into_lock(self) -> Arc<RwLock<T>> {
        // SAFETY: the closure returns this guard's own `lock` field.
        unsafe { crate::guard::disarm(self, |g| &g.lock) }
    }
}

impl<T: ?Sized, U: ?Sized> Deref for OwnedRwLockMappedWriteGuard<T, U> {
    type Target = U;
    fn deref(&self) -> &U {
        // SAFETY: derived from the `&mut` of a write guard holding every permit, which this
        // guard holds still; the `Arc` keeps the lock alive.
        unsafe { &*self.data }
    }
}

impl<T: ?Sized, U: ?Sized> DerefMut for OwnedRwLockMappedWriteGuard<T, U> {
    fn deref_mut(&mut self) -> &mut U {
        // SAFETY: as for `deref`; `&mut self` makes the reference unique.
        unsafe { &mut *self.data }
    }
}

impl<T: ?Sized, U: ?Sized> Drop for OwnedRwLockMappedWriteGuard<T, U> {
    fn drop(&mut self) {
        self.lock.s.release(self.permits as usize);
    }
}

crate::guard::delegate_fmt!(
    <T> RwLockReadGuard<'_, T> => T,
    <T> RwLockWriteGuard<'_, T> => T,
    <T> RwLockMappedWriteGuard<'_, T> => T,
    <T> OwnedRwLockWriteGuard<T> => T,
    <T, U> OwnedRwLockReadGuard<T, U> => U,
    <T, U> OwnedRwLockMappedWriteGuard<T, U> => U,
);

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::future::block_on;
    use loom::thread;

    #[test]
    fn reader_sees_whole_write() {
        loom::model(|| {
            let l = Arc::new(RwLock::new((0, 0)));
            let l2 = l.clone();
            let t = thread::spawn(move || {
                let mut w = block_on(l2.write());
                w.0 += 1;
                w.1 += 1;
            });
            let r = block_on(l.read());
            assert_eq!(r.0, r.1);
            drop(r);
            t.join().unwrap();
            assert_eq!(*block_on(l.read()), (1, 1));
        });
    }

    #[test]
    fn downgrade_lets_reader_in() {
        loom::model(|| {
            let l = Arc::new(RwLock::new(0));
            let l2 = l.clone();
            let t = thread::spawn(move || *block_on(l2.read()));
            let mut w = block_on(l.write());
            *w = 1;
            let r = w.downgrade();
            let seen = t.join().unwrap();
            assert!(seen == 0 || seen == 1);
            assert_eq!(*r, 1);
        });
    }
}

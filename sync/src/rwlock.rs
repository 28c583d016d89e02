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
pub struct RwLock<T> {
    mr: u32,
    s: BatchSemaphore,
    c: UnsafeCell<T>,
}

// SAFETY: the lock owns the `T` and may hand it to another thread: needs `T: Send`.
unsafe impl<T: Send> Send for RwLock<T> {}
// The bound matters: an `RwLock<Cell<u8>>` would hand `&Cell` to several threads at once.
//
// SAFETY: through `&RwLock<T>` several threads may read `&T` at once (needs `T: Sync`) and
// one at a time may write `&mut T` (needs `T: Send`); the semaphore enforces readers xor
// one writer.
unsafe impl<T: Send + Sync> Sync for RwLock<T> {}

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
        RwLockReadGuard { lock: self }
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
        OwnedRwLockReadGuard { lock: self }
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
        Ok(RwLockReadGuard { lock: self })
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
        Ok(OwnedRwLockReadGuard { lock: self })
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
        let permits = self.mr;
        OwnedRwLockWriteGuard {
            lock: self,
            permits,
        }
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
        let permits = self.mr;
        Ok(OwnedRwLockWriteGuard {
            lock: self,
            permits,
        })
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

    /// Consumes the lock and returns the value.
    ///
    /// ```
    /// assert_eq!(robin_sync::RwLock::new(4).into_inner(), 4);
    /// ```
    pub fn into_inner(self) -> T {
        self.c.into_inner()
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

impl<T: fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(g) => d.field("data", &&*g),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shared read access to an [`RwLock`]; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockReadGuard<'a, T> {
    lock: &'a RwLock<T>,
}

impl<T> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.lock.data()
    }
}

impl<T> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

/// Exclusive write access to an [`RwLock`]; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct RwLockWriteGuard<'a, T> {
    lock: &'a RwLock<T>,
}

impl<'a, T> RwLockWriteGuard<'a, T> {
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
        RwLockReadGuard { lock }
    }
}

impl<T> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.lock.data()
    }
}

impl<T> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write guard holds every permit, so no other guard exists, and
        // `&mut self` makes this reference unique for its lifetime.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.s.release(self.lock.mr as usize);
    }
}

/// Shared read access to an `Arc<RwLock<T>>`; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct OwnedRwLockReadGuard<T> {
    lock: Arc<RwLock<T>>,
}

impl<T> OwnedRwLockReadGuard<T> {
    /// The lock this guard reads.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(0));
    /// let g = l.clone().try_read_owned().unwrap();
    /// assert!(Arc::ptr_eq(g.rwlock(), &l));
    /// ```
    pub fn rwlock(&self) -> &Arc<RwLock<T>> {
        &self.lock
    }
}

impl<T> Deref for OwnedRwLockReadGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.lock.data()
    }
}

impl<T> Drop for OwnedRwLockReadGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(1);
    }
}

/// Exclusive write access to an `Arc<RwLock<T>>`; released on drop.
#[must_use = "dropping the guard releases the lock at once"]
pub struct OwnedRwLockWriteGuard<T> {
    lock: Arc<RwLock<T>>,
    /// Permits released on drop (`max_readers`; 0 once downgraded).
    permits: u32,
}

impl<T> OwnedRwLockWriteGuard<T> {
    /// Turns write access into read access atomically.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(1));
    /// let r = l.clone().try_write_owned().unwrap().downgrade();
    /// assert!(l.try_read().is_ok());
    /// assert_eq!(*r, 1);
    /// ```
    pub fn downgrade(mut self) -> OwnedRwLockReadGuard<T> {
        let lock = self.lock.clone();
        self.permits = 0;
        drop(self);
        lock.s.release(lock.mr as usize - 1);
        OwnedRwLockReadGuard { lock }
    }

    /// The lock this guard writes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let l = Arc::new(robin_sync::RwLock::new(0));
    /// let g = l.clone().try_write_owned().unwrap();
    /// assert!(Arc::ptr_eq(g.rwlock(), &l));
    /// ```
    pub fn rwlock(&self) -> &Arc<RwLock<T>> {
        &self.lock
    }
}

impl<T> Deref for OwnedRwLockWriteGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.lock.data()
    }
}

impl<T> DerefMut for OwnedRwLockWriteGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as for `RwLockWriteGuard`: this guard holds every permit and `&mut self`
        // is unique.
        self.lock.c.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for OwnedRwLockWriteGuard<T> {
    fn drop(&mut self) {
        self.lock.s.release(self.permits as usize);
    }
}

macro_rules! delegate_fmt {
    ($($g:ident $(<$lt:lifetime>)?),*) => {$(
        impl<T: fmt::Debug> fmt::Debug for $g<$($lt,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }
        impl<T: fmt::Display> fmt::Display for $g<$($lt,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }
    )*};
}

delegate_fmt!(
    RwLockReadGuard<'_>,
    RwLockWriteGuard<'_>,
    OwnedRwLockReadGuard,
    OwnedRwLockWriteGuard
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

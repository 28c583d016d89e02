//! A counting semaphore for async code.
//!
//! [`Semaphore`] hands out permits in strict FIFO order: a task asking for many permits
//! with [`acquire_many`](Semaphore::acquire_many) is served before tasks that queued after
//! it, so it cannot be starved by a stream of small requests.
//!
//! # Cancel safety
//!
//! All `acquire*` futures are cancel-safe: dropping one gives up its place in the queue,
//! and permits it had been handed (all or part of its batch) are passed on to the next
//! waiters.
use crate::batch_semaphore::BatchSemaphore;
use crate::errors::{AcquireError, TryAcquireError};
use crate::loom::UserArc as Arc;
use std::fmt;

/// A counting semaphore: a pool of permits that tasks acquire and release.
///
/// ```
/// use robin_sync::Semaphore;
/// use futures::executor::block_on;
///
/// let sem = Semaphore::new(3);
/// block_on(async {
///     let two = sem.acquire_many(2).await.unwrap();
///     assert_eq!(sem.available_permits(), 1);
///     assert!(sem.try_acquire_many(2).is_err());
///     drop(two);
///     assert_eq!(sem.available_permits(), 3);
///     sem.close();
///     assert!(sem.acquire().await.is_err());
/// });
/// ```
pub struct Semaphore {
    ll: BatchSemaphore,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.ll.fmt(f)
    }
}

impl Default for Semaphore {
    /// A semaphore with no permits.
    fn default() -> Self {
        Semaphore::new(0)
    }
}

impl Semaphore {
    /// The largest number of permits a semaphore can hold (`usize::MAX >> 3`).
    ///
    /// ```
    /// assert_eq!(robin_sync::Semaphore::MAX_PERMITS, usize::MAX >> 3);
    /// ```
    pub const MAX_PERMITS: usize = crate::batch_semaphore::MAX_PERMITS;

    /// Creates a semaphore holding `permits` permits.
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(5);
    /// assert_eq!(s.available_permits(), 5);
    /// ```
    pub fn new(permits: usize) -> Self {
        Semaphore {
            ll: BatchSemaphore::new(permits),
        }
    }

    /// Creates a semaphore in a `const` context, so it can live in a `static` (not under
    /// `--cfg loom`, as in tokio).
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`Semaphore::MAX_PERMITS`] (at compile time in a `static`).
    ///
    /// ```
    /// use robin_sync::Semaphore;
    /// static LIMIT: Semaphore = Semaphore::const_new(2);
    /// let _a = LIMIT.try_acquire().unwrap();
    /// assert_eq!(LIMIT.available_permits(), 1);
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new(permits: usize) -> Self {
        Semaphore {
            ll: BatchSemaphore::const_new(permits),
        }
    }

    /// The number of permits available right now.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(2);
    /// let _p = s.try_acquire().unwrap();
    /// assert_eq!(s.available_permits(), 1);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.ll.available_permits()
    }

    /// Adds `n` permits, waking waiters (oldest first) that can now be served.
    ///
    /// # Panics
    ///
    /// If the number of available permits would exceed [`Semaphore::MAX_PERMITS`].
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(0);
    /// s.add_permits(2);
    /// assert_eq!(s.available_permits(), 2);
    /// ```
    pub fn add_permits(&self, n: usize) {
        self.ll.add_permits(n);
    }

    /// Removes up to `n` available permits for good; returns how many were removed.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(3);
    /// assert_eq!(s.forget_permits(5), 3);
    /// assert_eq!(s.available_permits(), 0);
    /// ```
    pub fn forget_permits(&self, n: usize) -> usize {
        self.ll.forget_permits(n)
    }

    /// Waits for one permit. Fails only if the semaphore is closed. Cancel-safe.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(1);
    /// let p = futures::executor::block_on(s.acquire()).unwrap();
    /// assert_eq!(p.num_permits(), 1);
    /// ```
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.ll.acquire(1).await?;
        Ok(SemaphorePermit {
            sem: self,
            permits: 1,
        })
    }

    /// Waits for `n` permits at once, in FIFO order with the other waiters. Cancel-safe.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(4);
    /// let p = futures::executor::block_on(s.acquire_many(3)).unwrap();
    /// assert_eq!((p.num_permits(), s.available_permits()), (3, 1));
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.ll.acquire(n as usize).await?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Blocks the thread until a permit is acquired (or the semaphore is closed). For
    /// synchronous code: panics inside a runtime, like every `blocking_*` method.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(0));
    /// let s2 = s.clone();
    /// std::thread::spawn(move || s2.add_permits(1));
    /// let p = s.blocking_acquire().unwrap();
    /// assert_eq!(p.num_permits(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        crate::context::block_on(self.acquire())
    }

    /// Blocks the thread until `n` permits are acquired at once (FIFO), or the semaphore is
    /// closed. Panics inside a runtime.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(3);
    /// let p = s.blocking_acquire_many(2).unwrap();
    /// assert_eq!(s.available_permits(), 1);
    /// s.close();
    /// assert!(s.blocking_acquire_many(1).is_err());
    /// drop(p);
    /// ```
    #[track_caller]
    pub fn blocking_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        crate::context::block_on(self.acquire_many(n))
    }

    /// Takes one permit if one is available right now.
    ///
    /// ```
    /// use robin_sync::{Semaphore, TryAcquireError};
    /// let s = Semaphore::new(1);
    /// let _p = s.try_acquire().unwrap();
    /// assert_eq!(s.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are available right now.
    ///
    /// ```
    /// use robin_sync::{Semaphore, TryAcquireError};
    /// let s = Semaphore::new(2);
    /// assert_eq!(s.try_acquire_many(3).unwrap_err(), TryAcquireError::NoPermits);
    /// s.close();
    /// assert_eq!(s.try_acquire_many(1).unwrap_err(), TryAcquireError::Closed);
    /// ```
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.ll.try_acquire(n as usize)?;
        Ok(SemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Waits for one permit, returning a permit that owns an `Arc` of the semaphore.
    /// Cancel-safe.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(1));
    /// let p = futures::executor::block_on(s.clone().acquire_owned()).unwrap();
    /// assert_eq!(s.available_permits(), 0);
    /// drop(p);
    /// assert_eq!(s.available_permits(), 1);
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits, returning an owned permit. Cancel-safe.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(3));
    /// let p = futures::executor::block_on(s.clone().acquire_many_owned(3)).unwrap();
    /// assert_eq!(p.num_permits(), 3);
    /// ```
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.ll.acquire(n as usize).await?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Takes one permit now, returning an owned permit.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(1));
    /// let _p = s.clone().try_acquire_owned().unwrap();
    /// assert!(s.try_acquire_owned().is_err());
    /// ```
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits now, returning an owned permit.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(2));
    /// assert_eq!(s.try_acquire_many_owned(2).unwrap().num_permits(), 2);
    /// ```
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.ll.try_acquire(n as usize)?;
        Ok(OwnedSemaphorePermit {
            sem: self,
            permits: n,
        })
    }

    /// Closes the semaphore: pending and future acquires fail with [`AcquireError`];
    /// permits already held stay valid.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(1);
    /// s.close();
    /// assert!(s.is_closed());
    /// ```
    pub fn close(&self) {
        self.ll.close();
    }

    /// Whether [`close`](Self::close) was called.
    ///
    /// ```
    /// assert!(!robin_sync::Semaphore::new(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.ll.is_closed()
    }
}

/// Permits borrowed from a [`Semaphore`], returned to it on drop.
#[must_use = "dropping the permit releases it at once"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    permits: u32,
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl<'a> SemaphorePermit<'a> {
    /// Drops the permits without returning them: the semaphore has that many fewer.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(2);
    /// s.try_acquire().unwrap().forget();
    /// assert_eq!(s.available_permits(), 1);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(2);
    /// assert_eq!(s.try_acquire_many(2).unwrap().num_permits(), 2);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Moves `other`'s permits into this one.
    ///
    /// # Panics
    ///
    /// If the permits come from different semaphores.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(2);
    /// let mut a = s.try_acquire().unwrap();
    /// a.merge(s.try_acquire().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "merging permits from different semaphores"
        );
        self.permits += other.permits;
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit, or `None` if this holds fewer than `n`.
    ///
    /// ```
    /// let s = robin_sync::Semaphore::new(3);
    /// let mut a = s.try_acquire_many(3).unwrap();
    /// let b = a.split(1).unwrap();
    /// assert_eq!((a.num_permits(), b.num_permits()), (2, 1));
    /// ```
    pub fn split(&mut self, n: usize) -> Option<SemaphorePermit<'a>> {
        let n = u32::try_from(n).ok()?;
        if n > self.permits {
            return None;
        }
        self.permits -= n;
        Some(SemaphorePermit {
            sem: self.sem,
            permits: n,
        })
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.ll.release(self.permits as usize);
    }
}

/// Permits from an `Arc<Semaphore>`, returned to it on drop.
#[must_use = "dropping the permit releases it at once"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    permits: u32,
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish()
    }
}

impl OwnedSemaphorePermit {
    /// Drops the permits without returning them.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(1));
    /// s.clone().try_acquire_owned().unwrap().forget();
    /// assert_eq!(s.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(1));
    /// assert_eq!(s.try_acquire_owned().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// Moves `other`'s permits into this one.
    ///
    /// # Panics
    ///
    /// If the permits come from different semaphores.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(2));
    /// let mut a = s.clone().try_acquire_owned().unwrap();
    /// a.merge(s.clone().try_acquire_owned().unwrap());
    /// assert_eq!(a.num_permits(), 2);
    /// ```
    pub fn merge(&mut self, mut other: Self) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "merging permits from different semaphores"
        );
        self.permits += other.permits;
        other.permits = 0;
    }

    /// Splits `n` permits off into a new permit, or `None` if this holds fewer than `n`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(2));
    /// let mut a = s.try_acquire_many_owned(2).unwrap();
    /// assert_eq!(a.split(1).unwrap().num_permits(), 1);
    /// ```
    pub fn split(&mut self, n: usize) -> Option<OwnedSemaphorePermit> {
        let n = u32::try_from(n).ok()?;
        if n > self.permits {
            return None;
        }
        self.permits -= n;
        Some(OwnedSemaphorePermit {
            sem: self.sem.clone(),
            permits: n,
        })
    }

    /// The semaphore the permits came from.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(robin_sync::Semaphore::new(1));
    /// let p = s.clone().try_acquire_owned().unwrap();
    /// assert!(Arc::ptr_eq(p.semaphore(), &s));
    /// ```
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.ll.release(self.permits as usize);
    }
}

//! A value set at most once, that tasks can wait for (tokio's `sync::SetOnce`).
//!
//! # State
//!
//! `state` (atomic) goes `EMPTY -> WRITING -> SET` and never back while shared: the one
//! `set` that wins the `EMPTY -> WRITING` compare-and-swap writes the value, stores `SET`
//! (Release) and wakes every [`wait`](SetOnce::wait)er through a [`Notify`]. A waiter
//! creates its `Notified` *before* checking the state, so a `set` between the check and
//! the await still wakes it.
use crate::errors::SetOnceError;
use crate::loom::atomic::{AtomicUsize, Ordering::*};
use crate::loom::UnsafeCell;
use crate::notify::Notify;
use std::fmt;
use std::mem::MaybeUninit;

const EMPTY: usize = 0;
const WRITING: usize = 1;
const SET: usize = 2;

/// A thread-safe cell set at most once, whose value tasks can [`wait`](Self::wait) for.
///
/// ```
/// use robin_sync::SetOnce;
/// use std::sync::Arc;
///
/// let ready = Arc::new(SetOnce::new());
/// let r2 = ready.clone();
/// std::thread::spawn(move || r2.set("go").unwrap());
/// assert_eq!(*futures::executor::block_on(ready.wait()), "go");
/// assert!(ready.set("again").is_err());
/// ```
pub struct SetOnce<T> {
    state: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
    notify: Notify,
}

// SAFETY: the cell owns its `T` (moving it needs `T: Send`).
unsafe impl<T: Send> Send for SetOnce<T> {}
// SAFETY: one thread writes the `T` through `&self` (`T: Send`), then all may read `&T`
// (`T: Sync`); the Release/Acquire on `state` orders the write before every read.
unsafe impl<T: Send + Sync> Sync for SetOnce<T> {}

impl<T> Default for SetOnce<T> {
    fn default() -> Self {
        SetOnce::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for SetOnce<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetOnce")
            .field("value", &self.get())
            .finish()
    }
}

impl<T: Clone> Clone for SetOnce<T> {
    fn clone(&self) -> Self {
        SetOnce::new_with(self.get().cloned())
    }
}

impl<T: PartialEq> PartialEq for SetOnce<T> {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl<T: Eq> Eq for SetOnce<T> {}

impl<T> From<T> for SetOnce<T> {
    fn from(value: T) -> Self {
        SetOnce::new_with(Some(value))
    }
}

impl<T> Drop for SetOnce<T> {
    fn drop(&mut self) {
        if self.initialized() {
            // SAFETY: set, and `&mut self` is exclusive: the value is dropped once.
            unsafe { self.value.get_mut().assume_init_drop() }
        }
    }
}

impl<T> SetOnce<T> {
    /// An empty `SetOnce`.
    ///
    /// ```
    /// assert!(!robin_sync::SetOnce::<u8>::new().initialized());
    /// ```
    pub fn new() -> Self {
        SetOnce {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            notify: Notify::new(),
        }
    }

    /// An empty `SetOnce` in a `const` context (for `static`s; not under `--cfg loom`).
    ///
    /// ```
    /// static READY: robin_sync::SetOnce<u8> = robin_sync::SetOnce::const_new();
    /// READY.set(1).unwrap();
    /// assert_eq!(READY.get(), Some(&1));
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Self {
        SetOnce {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
            notify: Notify::const_new(),
        }
    }

    /// A `SetOnce` holding `value` if it is `Some`.
    ///
    /// ```
    /// let s = robin_sync::SetOnce::new_with(Some(2));
    /// assert_eq!(s.get(), Some(&2));
    /// ```
    pub fn new_with(value: Option<T>) -> Self {
        let s = SetOnce::new();
        if let Some(v) = value {
            if s.set(v).is_err() {
                unreachable!("a new SetOnce is empty");
            }
        }
        s
    }

    /// A `SetOnce` already holding `value`, in a `const` context (not under `--cfg loom`).
    ///
    /// ```
    /// static S: robin_sync::SetOnce<u8> = robin_sync::SetOnce::const_new_with(3);
    /// assert_eq!(S.get(), Some(&3));
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new_with(value: T) -> Self {
        SetOnce {
            state: AtomicUsize::new(SET),
            value: UnsafeCell::new(MaybeUninit::new(value)),
            notify: Notify::const_new(),
        }
    }

    /// Whether the value is set.
    ///
    /// ```
    /// let s = robin_sync::SetOnce::new();
    /// s.set(()).unwrap();
    /// assert!(s.initialized());
    /// ```
    pub fn initialized(&self) -> bool {
        // Acquire: pairs with the Release store in `set`.
        self.state.load(Acquire) == SET
    }

    /// The value, if set.
    ///
    /// ```
    /// let s = robin_sync::SetOnce::new();
    /// assert_eq!(s.get(), None);
    /// s.set(1).unwrap();
    /// assert_eq!(s.get(), Some(&1));
    /// ```
    pub fn get(&self) -> Option<&T> {
        if self.initialized() {
            // SAFETY: SET observed with Acquire: the write happened-before, and the value
            // is never written or dropped again while `&self` lives.
            Some(self.value.with(|p| unsafe { (*p).assume_init_ref() }))
        } else {
            None
        }
    }

    /// Sets the value and wakes every waiter; fails (handing the value back) if a value is
    /// already set or being set.
    ///
    /// ```
    /// use robin_sync::{SetOnce, SetOnceError};
    /// let s = SetOnce::new();
    /// assert_eq!(s.set(1), Ok(()));
    /// assert_eq!(s.set(2), Err(SetOnceError(2)));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetOnceError<T>> {
        // Acquire on failure: nothing to read; on success we only write.
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Acquire, Relaxed)
            .is_err()
        {
            return Err(SetOnceError(value));
        }
        // SAFETY: winning EMPTY -> WRITING makes us the only writer, and nobody reads before
        // the state is SET.
        self.value.with_mut(|p| unsafe { (*p).write(value) });
        // Release: readers that see SET see the value.
        self.state.store(SET, Release);
        self.notify.notify_waiters();
        Ok(())
    }

    /// The value, consuming the `SetOnce`.
    ///
    /// ```
    /// assert_eq!(robin_sync::SetOnce::new_with(Some(4)).into_inner(), Some(4));
    /// ```
    pub fn into_inner(mut self) -> Option<T> {
        if !self.initialized() {
            return None;
        }
        self.state.store(EMPTY, Relaxed);
        // SAFETY: set, and `self` is owned; the state says EMPTY now, so `Drop` will not
        // drop the value again.
        Some(unsafe { self.value.get_mut().assume_init_read() })
    }

    /// Waits until the value is set, then returns it. Cancel-safe.
    ///
    /// ```
    /// let s = robin_sync::SetOnce::new();
    /// s.set(5).unwrap();
    /// assert_eq!(*futures::executor::block_on(s.wait()), 5);
    /// ```
    pub async fn wait(&self) -> &T {
        loop {
            // A value already there completes at once: that spends coop budget too.
            let coop = std::future::poll_fn(crate::coop::poll_proceed).await;
            // Created before the check: a `set` after the check wakes it.
            let notified = self.notify.notified();
            if let Some(v) = self.get() {
                coop.made_progress();
                return v;
            }
            drop(coop);
            notified.await;
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::Arc;
    use loom::future::block_on;
    use loom::thread;
    use std::future::Future;
    use std::task::{Context, Waker};

    /// `wait` never misses a concurrent `set`, and sees the whole value.
    #[test]
    fn wait_sees_set() {
        loom::model(|| {
            let s = Arc::new(SetOnce::new());
            let s2 = s.clone();
            let t = thread::spawn(move || s2.set((1, 2)).unwrap());
            assert_eq!(*block_on(s.wait()), (1, 2));
            t.join().unwrap();
        });
    }

    /// Two `set`s race: exactly one wins; a waiter cancelled meanwhile loses nothing.
    #[test]
    fn racing_sets_and_cancelled_wait() {
        loom::model(|| {
            let s = Arc::new(SetOnce::new());
            let mut w = Box::pin(s.wait());
            assert!(w
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending());
            let s2 = s.clone();
            let t = thread::spawn(move || s2.set(1).is_ok());
            let mine = s.set(2).is_ok();
            drop(w);
            let theirs = t.join().unwrap();
            assert!(mine ^ theirs, "exactly one set wins");
            assert_eq!(*block_on(s.wait()), if mine { 2 } else { 1 });
        });
    }
}

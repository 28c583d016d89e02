//! A value set at most once, that tasks can wait for (tokio's `sync::SetOnce`).
//!
//! # State
//!
//! The value lives in a [`OnceSlot`] (write-once storage, shared with
//! [`OnceCell`](crate::OnceCell)): the one `set` that wins the slot's race writes the value
//! and then wakes every [`wait`](SetOnce::wait)er through a [`Notify`]. A waiter creates its
//! `Notified` *before* checking the slot, so a `set` between the check and the await still
//! wakes it. This file has no `unsafe`.
use crate::errors::SetOnceError;
use crate::notify::Notify;
use crate::once_slot::{impl_once_cell_traits, OnceSlot};

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
    value: OnceSlot<T>,
    notify: Notify,
}

impl_once_cell_traits!(SetOnce);

impl<T> SetOnce<T> {
    /// An empty `SetOnce`.
    ///
    /// ```
    /// assert!(!robin_sync::SetOnce::<u8>::new().initialized());
    /// ```
    pub fn new() -> Self {
        SetOnce {
            value: OnceSlot::new(),
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
            value: OnceSlot::const_new(),
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
            value: OnceSlot::const_new_with(value),
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
        self.value.is_set()
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
        self.value.get()
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
        self.value.try_write(value).map_err(SetOnceError)?;
        self.notify.notify_waiters();
        Ok(())
    }

    /// The value, consuming the `SetOnce`.
    ///
    /// ```
    /// assert_eq!(robin_sync::SetOnce::new_with(Some(4)).into_inner(), Some(4));
    /// ```
    pub fn into_inner(mut self) -> Option<T> {
        self.value.take()
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

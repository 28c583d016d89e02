//! Task-local storage: `task_local!` and [`LocalKey`].
//!
//! A value is bound with [`LocalKey::scope`] (for a future) or [`LocalKey::sync_scope`]
//! (for a closure). A future's value lives in its [`TaskLocalFuture`] and is swapped into
//! a per-key thread-local slot only while that future is being polled (or dropped), then
//! swapped back out, so it follows the task across worker threads and nested scopes of
//! the same key restore the outer value when they leave.
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Declares task-local keys: `static NAME: Type;`, each a [`LocalKey`].
///
/// ```
/// robin_runtime::task_local! {
///     static REQUEST_ID: u64;
///     pub static USER: String;
/// }
///
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(REQUEST_ID.scope(7, async {
///     robin_runtime::task::yield_now().await;
///     assert_eq!(REQUEST_ID.get(), 7);
/// }));
/// assert!(REQUEST_ID.try_with(|_| ()).is_err());
/// ```
#[macro_export]
macro_rules! task_local {
    () => {};
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty; $($rest:tt)*) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
        $crate::task_local!($($rest)*);
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty) => {
        $crate::__task_local_inner!($(#[$attr])* $vis $name, $t);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __task_local_inner {
    ($(#[$attr:meta])* $vis:vis $name:ident, $t:ty) => {
        $(#[$attr])*
        $vis static $name: $crate::task::LocalKey<$t> = {
            ::std::thread_local! {
                static __ROBIN_TASK_LOCAL: ::std::cell::RefCell<::std::option::Option<$t>> =
                    const { ::std::cell::RefCell::new(::std::option::Option::None) };
            }
            $crate::task::LocalKey::__new(__ROBIN_TASK_LOCAL)
        };
    };
}

/// A key for task-local data, declared with [`task_local!`](crate::task_local).
///
/// The value is visible to the code a [`scope`](Self::scope) runs, on whatever thread
/// polls it; elsewhere accessing it fails ([`try_with`](Self::try_with)) or panics.
pub struct LocalKey<T: 'static> {
    inner: std::thread::LocalKey<RefCell<Option<T>>>,
}

/// [`LocalKey::try_with`] was called where the key has no value.
///
/// ```
/// robin_runtime::task_local! { static K: u8; }
/// let err = K.try_with(|_| ()).unwrap_err();
/// assert!(err.to_string().contains("task-local"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccessError {
    _private: (),
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local value not set")
    }
}

impl std::error::Error for AccessError {}

/// Swaps `slot` with the key's thread-local value on creation and again on drop (also
/// when unwinding), so the outer value is always restored.
struct Swap<'a, T: 'static> {
    key: &'static std::thread::LocalKey<RefCell<Option<T>>>,
    slot: &'a mut Option<T>,
}

impl<'a, T: 'static> Swap<'a, T> {
    #[track_caller]
    fn enter(
        key: &'static std::thread::LocalKey<RefCell<Option<T>>>,
        slot: &'a mut Option<T>,
    ) -> Swap<'a, T> {
        key.with(|cell| match cell.try_borrow_mut() {
            Ok(mut current) => std::mem::swap(&mut *current, slot),
            Err(_) => panic!(
                "cannot enter a task-local scope while the task-local value is borrowed \
                 (inside `LocalKey::with`)"
            ),
        });
        Swap { key, slot }
    }
}

impl<T: 'static> Drop for Swap<'_, T> {
    fn drop(&mut self) {
        // The borrow taken by `with` ended before we can run (ours is the only code in
        // between), so this cannot fail unless the thread-local is being destroyed.
        let _ = self
            .key
            .try_with(|cell| std::mem::swap(&mut *cell.borrow_mut(), self.slot));
    }
}

impl<T: 'static> LocalKey<T> {
    #[doc(hidden)]
    pub const fn __new(inner: std::thread::LocalKey<RefCell<Option<T>>>) -> LocalKey<T> {
        LocalKey { inner }
    }

    /// Runs `future` with the key set to `value` while it is polled.
    ///
    /// ```
    /// robin_runtime::task_local! { static DEPTH: u32; }
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let seen = rt.block_on(DEPTH.scope(1, async {
    ///     let inner = DEPTH.scope(2, async { DEPTH.get() }).await;
    ///     (inner, DEPTH.get())
    /// }));
    /// assert_eq!(seen, (2, 1));
    /// ```
    pub fn scope<F: Future>(&'static self, value: T, future: F) -> TaskLocalFuture<T, F> {
        TaskLocalFuture {
            key: self,
            slot: Some(value),
            future: Some(future),
            _pinned: PhantomPinned,
        }
    }

    /// Runs `f` with the key set to `value`.
    ///
    /// ```
    /// robin_runtime::task_local! { static NAME: &'static str; }
    /// let len = NAME.sync_scope("robin", || NAME.with(|n| n.len()));
    /// assert_eq!(len, 5);
    /// ```
    #[track_caller]
    pub fn sync_scope<F, R>(&'static self, value: T, f: F) -> R
    where
        F: FnOnce() -> R,
    {
        let mut slot = Some(value);
        let _swap = Swap::enter(&self.inner, &mut slot);
        f()
    }

    /// Calls `f` with a reference to the value.
    ///
    /// # Panics
    /// If the key is not set here (outside any `scope` of it).
    ///
    /// ```
    /// robin_runtime::task_local! { static V: Vec<u8>; }
    /// V.sync_scope(vec![1, 2, 3], || {
    ///     assert_eq!(V.with(|v| v.iter().sum::<u8>()), 6);
    /// });
    /// ```
    #[track_caller]
    pub fn with<F, R>(&'static self, f: F) -> R
    where
        F: FnOnce(&T) -> R,
    {
        match self.try_with(f) {
            Ok(r) => r,
            Err(_) => panic!(
                "cannot access a task-local storage value without setting it first \
                 (use `LocalKey::scope` or `sync_scope`)"
            ),
        }
    }

    /// Calls `f` with a reference to the value, or fails if the key is not set here.
    ///
    /// ```
    /// robin_runtime::task_local! { static V: u8; }
    /// assert!(V.try_with(|v| *v).is_err());
    /// assert_eq!(V.sync_scope(4, || V.try_with(|v| *v)), Ok(4));
    /// ```
    pub fn try_with<F, R>(&'static self, f: F) -> Result<R, AccessError>
    where
        F: FnOnce(&T) -> R,
    {
        let mut f = Some(f);
        let r = self.inner.try_with(|cell| {
            let borrow = cell.try_borrow().ok()?;
            let value = borrow.as_ref()?;
            let f = f.take()?;
            Some(f(value))
        });
        match r {
            Ok(Some(r)) => Ok(r),
            _ => Err(AccessError { _private: () }),
        }
    }
}

impl<T: Copy + 'static> LocalKey<T> {
    /// A copy of the value.
    ///
    /// # Panics
    /// If the key is not set here.
    ///
    /// ```
    /// robin_runtime::task_local! { static N: i64; }
    /// assert_eq!(N.sync_scope(-3, || N.get()), -3);
    /// ```
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(|v| *v)
    }
}

impl<T: 'static> fmt::Debug for LocalKey<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("LocalKey { .. }")
    }
}

/// The future returned by [`LocalKey::scope`]: `future` with the key set while it runs.
///
/// The inner future is also dropped with the value set, so its destructors see it.
pub struct TaskLocalFuture<T: 'static, F> {
    key: &'static LocalKey<T>,
    /// The value while the inner future is not being polled; not pinned (only swapped).
    slot: Option<T>,
    /// Structurally pinned: never moved out; dropped in place (`None`) when done.
    future: Option<F>,
    _pinned: PhantomPinned,
}

impl<T: 'static, F: Future> Future for TaskLocalFuture<T, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: 1. `future` is structurally pinned: it is only ever accessed through
        // `Pin<&mut Option<F>>` below and in `Drop`, where it is dropped in place and never
        // moved out; 2. `slot` and `key` are not pinned (we only swap/read them), which is
        // fine because no `Pin<&mut T>` is ever made; 3. the struct is `!Unpin`
        // (`PhantomPinned`), so safe code cannot move it after pinning.
        let this = unsafe { self.get_unchecked_mut() };
        let _swap = Swap::enter(&this.key.inner, &mut this.slot);
        // SAFETY: `this.future` is pinned because `self` was (see above).
        let mut future = unsafe { Pin::new_unchecked(&mut this.future) };
        let Some(inner) = future.as_mut().as_pin_mut() else {
            panic!("`TaskLocalFuture` polled after completion");
        };
        let out = inner.poll(cx);
        if out.is_ready() {
            // Drop the finished future while the value is still set.
            future.set(None);
        }
        out
    }
}

impl<T: 'static, F> Drop for TaskLocalFuture<T, F> {
    fn drop(&mut self) {
        if self.future.is_none() {
            return;
        }
        // Drop the inner future with the value in scope, when the value is still ours to
        // swap in (not if the thread-local is mid-borrow or gone: then drop it plainly).
        let can_enter = self
            .key
            .inner
            .try_with(|cell| cell.try_borrow_mut().is_ok())
            .unwrap_or(false);
        // SAFETY: `drop` is the last use of a possibly pinned `self`: the future is
        // dropped in place, never moved (see `poll`).
        let mut future = unsafe { Pin::new_unchecked(&mut self.future) };
        if can_enter {
            let _swap = Swap::enter(&self.key.inner, &mut self.slot);
            future.set(None);
        } else {
            future.set(None);
        }
    }
}

impl<T: 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("done", &self.future.is_none())
            .finish_non_exhaustive()
    }
}

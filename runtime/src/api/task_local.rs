//! Task-local storage: `task_local!` and [`LocalKey`].
//!
//! A value is bound with [`LocalKey::scope`] (for a future) or [`LocalKey::sync_scope`]
//! (for a closure). A future's value lives in its [`TaskLocalFuture`] and never moves:
//! while that future is being polled (or dropped), a *frame* naming the key and pointing
//! at the value is pushed onto this thread's list of task-local frames (in the one
//! thread-local, `context.rs`) and popped when the poll returns or unwinds. A lookup
//! walks the frames innermost first, so the value follows the task across worker
//! threads, and a nested scope of the same key shadows the outer value until it leaves.
//! Keys need no thread-local of their own: a key is identified by its address.
use crate::context;
use std::fmt;
use std::future::Future;
use std::marker::{PhantomData, PhantomPinned};
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
        $vis static $name: $crate::task::LocalKey<$t> = $crate::task::LocalKey::__new();
    };
}

/// A key for task-local data, declared with [`task_local!`](crate::task_local).
///
/// The value is visible to the code a [`scope`](Self::scope) runs, on whatever thread
/// polls it; elsewhere accessing it fails ([`try_with`](Self::try_with)) or panics.
pub struct LocalKey<T: 'static> {
    /// Gives the key a size, so every key `static` has an address of its own (its
    /// identity in the frames).
    _addr: u8,
    /// `fn() -> T`: the key holds no `T`, so it is `Send + Sync` whatever `T` is.
    _value: PhantomData<fn() -> T>,
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

impl<T: 'static> LocalKey<T> {
    #[doc(hidden)]
    pub const fn __new() -> LocalKey<T> {
        LocalKey {
            _addr: 0,
            _value: PhantomData,
        }
    }

    /// The key's identity in the task-local frames.
    fn id(&'static self) -> *const () {
        (self as *const LocalKey<T>).cast()
    }

    /// Runs `f` with `slot` in scope as this key's value.
    fn enter<R>(&'static self, slot: &Option<T>, f: impl FnOnce() -> R) -> R {
        context::with_task_local(self.id(), (slot as *const Option<T>).cast(), f)
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
        let slot = Some(value);
        self.enter(&slot, f)
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
        let Some(value) = context::find_task_local(self.id()) else {
            return Err(AccessError { _private: () });
        };
        // SAFETY: 1. only `enter` pushes frames with this key's id, and it points them at
        // an `Option<T>` of this key's `T` (a key's address names one `static` of one
        // type); 2. the frame is only listed while `enter`'s caller keeps the slot alive
        // and unmoved (a `sync_scope` local, or a pinned `TaskLocalFuture` during its poll
        // or drop), which lasts at least as long as this call, made from inside that
        // scope; 3. nothing writes the slot while the frame is listed: only shared
        // references to it are made.
        let value = unsafe { &*value.cast::<Option<T>>() };
        match value.as_ref() {
            Some(value) => Ok(f(value)),
            None => Err(AccessError { _private: () }),
        }
    }
}

impl<T: Clone + 'static> LocalKey<T> {
    /// A clone of the value (tokio's `LocalKey::get`, for `T: Clone`).
    ///
    /// # Panics
    /// If the key is not set here.
    ///
    /// ```
    /// robin_runtime::task_local! {
    ///     static N: i64;
    ///     static NAME: String;
    /// }
    /// assert_eq!(N.sync_scope(-3, || N.get()), -3);
    /// assert_eq!(NAME.sync_scope("robin".to_string(), || NAME.get()), "robin");
    /// ```
    #[track_caller]
    pub fn get(&'static self) -> T {
        self.with(T::clone)
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
    /// The value; it never moves while pinned (the frames point at it), and is only
    /// ever read through shared references.
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
        // moved out; 2. `slot` is not moved while pinned either (the struct is `!Unpin`
        // through `PhantomPinned`, and we only read it), so the frame can point at it.
        let this = unsafe { self.get_unchecked_mut() };
        let key = this.key;
        let slot = &this.slot;
        // SAFETY: `this.future` is pinned because `self` was (see above).
        let mut future = unsafe { Pin::new_unchecked(&mut this.future) };
        key.enter(slot, || {
            let Some(inner) = future.as_mut().as_pin_mut() else {
                panic!("`TaskLocalFuture` polled after completion");
            };
            let out = inner.poll(cx);
            if out.is_ready() {
                // Drop the finished future while the value is still set.
                future.set(None);
            }
            out
        })
    }
}

impl<T: 'static, F> Drop for TaskLocalFuture<T, F> {
    fn drop(&mut self) {
        if self.future.is_none() {
            return;
        }
        // Drop the inner future with the value in scope, so its destructors see it.
        let key = self.key;
        let slot = &self.slot;
        // SAFETY: `drop` is the last use of a possibly pinned `self`: the future is
        // dropped in place, never moved (see `poll`).
        let mut future = unsafe { Pin::new_unchecked(&mut self.future) };
        key.enter(slot, || future.set(None));
    }
}

impl<T: 'static, F> fmt::Debug for TaskLocalFuture<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskLocalFuture")
            .field("done", &self.future.is_none())
            .finish_non_exhaustive()
    }
}

/// The frame list's unsafe lookups, also run under Miri
/// (`cargo +nightly miri test -p robin-runtime --lib api::task_local`).
#[cfg(all(test, not(loom)))]
mod tests {
    crate::task_local! {
        static N: u32;
        static S: String;
    }

    #[test]
    fn nested_scopes_shadow_and_restore() {
        assert!(N.try_with(|_| ()).is_err());
        let out = futures::executor::block_on(N.scope(1, async {
            let inner = N
                .scope(2, async {
                    N.get() + S.sync_scope("abc".to_string(), || S.with(|s| s.len() as u32))
                })
                .await;
            (inner, N.get(), S.try_with(|_| ()).is_err())
        }));
        assert_eq!(out, (5, 1, true));
        assert!(N.try_with(|_| ()).is_err());
    }

    #[test]
    fn an_unfinished_scope_drops_its_future_with_the_value_set() {
        use std::future::Future;
        struct SeesValue(std::rc::Rc<std::cell::Cell<Option<u32>>>);
        impl Drop for SeesValue {
            fn drop(&mut self) {
                self.0.set(N.try_with(|n| *n).ok());
            }
        }
        let seen = std::rc::Rc::new(std::cell::Cell::new(None));
        let guard = SeesValue(seen.clone());
        let fut = N.scope(7, async move {
            let _g = guard;
            std::future::pending::<()>().await
        });
        let mut fut = Box::pin(fut);
        let waker = futures::task::noop_waker();
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        drop(fut);
        assert_eq!(seen.get(), Some(7));
        assert!(N.try_with(|_| ()).is_err());
    }
}

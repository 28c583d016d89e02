//! `LocalSet` and `spawn_local`: tasks that are not `Send`, run on the thread that
//! drives their set.
//!
//! A local task is an ordinary task of the engine: `spawn_local` wraps its `!Send`
//! future in the engine's thread-checked wrapper (`engine/local.rs`) and hands it to
//! the set's scheduler (`scheduler/local.rs`), which only runs it on the set's thread. So
//! it returns an ordinary [`JoinHandle`], and a local task gets an id, the tracing span,
//! the unhandled-panic policy of the runtime that drives it and a cooperative budget like
//! every other task. Only *where* it runs differs: while the set is polled (`run_until`,
//! `block_on`, or awaiting the set), on its thread; the set's drop cancels the tasks left,
//! there too.
//!
//! Layer: api.
use crate::context;
use crate::engine::raw::TaskMeta;
use crate::engine::JoinHandle;
use crate::loom::sync::Arc;
use crate::runtime::Runtime;
use crate::scheduler::local::Shared;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

/// A set of tasks that run on the current thread, so they need not be `Send`.
///
/// Spawn with [`LocalSet::spawn_local`], or with the free function [`spawn_local`] from
/// code the set runs. The tasks make progress only while the set is driven: inside
/// [`run_until`](Self::run_until) / [`block_on`](Self::block_on), or by awaiting the set
/// itself (which completes once all its tasks have). Dropping the set cancels its tasks.
///
/// ```
/// use robin_runtime::task::{self, LocalSet};
/// use std::rc::Rc;
///
/// let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// let local = LocalSet::new();
/// let shared = Rc::new(5); // not Send
/// let out = local.block_on(&rt, async move {
///     let s = shared.clone();
///     let handle = task::spawn_local(async move { *s * 2 });
///     handle.await.unwrap()
/// });
/// assert_eq!(out, 10);
/// ```
///
/// A `LocalSet` stays on its thread (it is `!Send`):
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<robin_runtime::task::LocalSet>();
/// ```
pub struct LocalSet {
    shared: Arc<Shared>,
    /// `!Send` and `!Sync`: the set's tasks run on the thread that made it.
    _not_send: PhantomData<Rc<()>>,
}

impl LocalSet {
    /// An empty set.
    ///
    /// ```
    /// let local = robin_runtime::task::LocalSet::new();
    /// assert!(local.is_empty());
    /// ```
    pub fn new() -> LocalSet {
        LocalSet {
            shared: Shared::new(),
            _not_send: PhantomData,
        }
    }

    /// Spawns a `!Send` future on this set. It runs once the set is driven; this may be
    /// called from anywhere on the set's thread, driven or not.
    ///
    /// ```
    /// use robin_runtime::task::LocalSet;
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let handle = local.spawn_local(async { std::rc::Rc::new("local") });
    /// let out = local.block_on(&rt, handle).unwrap();
    /// assert_eq!(*out, "local");
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Shared::spawn(&self.shared, future, TaskMeta::caller(None))
    }

    /// Runs `future` on this thread, driving the set's tasks while it waits; the
    /// future may call [`spawn_local`]. Tasks still pending when it completes stay in
    /// the set.
    ///
    /// ```
    /// use robin_runtime::task::{self, LocalSet};
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let local = LocalSet::new();
    /// let n = rt.block_on(local.run_until(async {
    ///     task::spawn_local(async { std::rc::Rc::new(3) }).await.unwrap()
    /// }));
    /// assert_eq!(*n, 3);
    /// ```
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            let _current = context::set_local_set(&self.shared);
            self.shared.register(cx.waker());
            if let Poll::Ready(out) = future.as_mut().poll(cx) {
                return Poll::Ready(out);
            }
            if Shared::tick(&self.shared) {
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await
    }

    /// Runs `future` to completion on `rt` (`rt.block_on(self.run_until(future))`).
    ///
    /// # Panics
    /// Where `Runtime::block_on` panics (inside another runtime).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = robin_runtime::task::LocalSet::new();
    /// assert_eq!(local.block_on(&rt, async { 1 + 1 }), 2);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Makes this set the current one until the guard drops, so that [`spawn_local`]
    /// works outside the set's own `run_until`/`block_on` (e.g. from a plain function
    /// called before the set is driven). The tasks spawned so still run only while the
    /// set is driven.
    ///
    /// ```
    /// use robin_runtime::task::{self, LocalSet};
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let handle = {
    ///     let _guard = local.enter();
    ///     task::spawn_local(async { std::rc::Rc::new(7) })
    /// };
    /// assert_eq!(*local.block_on(&rt, handle).unwrap(), 7);
    /// ```
    pub fn enter(&self) -> LocalEnterGuard {
        LocalEnterGuard {
            _guard: context::set_local_set(&self.shared),
        }
    }

    /// Number of tasks in the set that have not finished.
    ///
    /// ```
    /// let local = robin_runtime::task::LocalSet::new();
    /// local.spawn_local(async {});
    /// assert_eq!(local.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.len()
    }

    /// Whether every task of the set has finished.
    ///
    /// ```
    /// assert!(robin_runtime::task::LocalSet::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Returned by [`LocalSet::enter`]: the previous current set (if any) is current again
/// once it drops. `!Send`: it belongs to the thread that entered.
#[must_use = "the set stops being current when the guard drops"]
pub struct LocalEnterGuard {
    _guard: context::LocalSetGuard,
}

impl fmt::Debug for LocalEnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalEnterGuard").finish_non_exhaustive()
    }
}

impl Default for LocalSet {
    fn default() -> Self {
        LocalSet::new()
    }
}

/// Awaiting a `LocalSet` runs its tasks until all of them have finished.
///
/// ```
/// use robin_runtime::task::LocalSet;
/// use std::{cell::Cell, rc::Rc};
/// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// let local = LocalSet::new();
/// let count = Rc::new(Cell::new(0));
/// for _ in 0..3 {
///     let count = count.clone();
///     local.spawn_local(async move { count.set(count.get() + 1) });
/// }
/// rt.block_on(local);
/// assert_eq!(count.get(), 3);
/// ```
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.shared.register(cx.waker());
        let more = Shared::tick(&self.shared);
        if self.shared.len() == 0 {
            return Poll::Ready(());
        }
        if more {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        // Cancel every task here, on the set's thread.
        Shared::shutdown(&self.shared);
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("len", &self.len())
            .finish()
    }
}

/// Spawns a `!Send` future on the current [`LocalSet`], returning an ordinary
/// [`JoinHandle`].
///
/// # Panics
/// Outside a `LocalSet` context: the caller must be running inside
/// [`LocalSet::run_until`], [`LocalSet::block_on`], a task of a set, or an awaited set.
///
/// ```
/// use robin_runtime::task;
/// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// let out = task::LocalSet::new().block_on(&rt, async {
///     let value = std::rc::Rc::new(String::from("not Send"));
///     task::spawn_local(async move { value.len() }).await.unwrap()
/// });
/// assert_eq!(out, 8);
/// ```
///
/// ```should_panic
/// // Panics: no LocalSet here.
/// robin_runtime::task::spawn_local(async {});
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    match context::local_set() {
        Some(shared) => Shared::spawn(&shared, future, TaskMeta::caller(None)),
        None => panic!(
            "`spawn_local` called from outside of a `task::LocalSet`: run the code in \
             `LocalSet::run_until`, `LocalSet::block_on`, or a task of a `LocalSet`"
        ),
    }
}

//! `LocalRuntime`: a current-thread runtime whose `spawn_local` needs no `LocalSet`.
//!
//! It is a current-thread [`Runtime`] plus one local task queue
//! (`scheduler::local::Shared`, the queue a `LocalSet` wraps) that is current on the
//! thread for the whole of every `block_on` and `enter`: so `task::spawn_local` works
//! anywhere in the runtime's context on its thread, from the `block_on` future and from
//! every task, `Send` or not. The queue's tasks run whenever `block_on` runs.
//!
//! Layer: runtime. Imports `scheduler::local`, `context` and `engine`; not `api`.
use super::{Builder, EnterGuard, Handle, Runtime, RuntimeMetrics};
use crate::context;
use crate::engine::raw::TaskMeta;
use crate::engine::JoinHandle;
use crate::loom::sync::Arc;
use crate::scheduler::local::Shared;
use std::fmt;
use std::future::Future;
use std::io;
use std::marker::PhantomData;
use std::task::Poll;
use std::time::Duration;

/// Options of [`Builder::build_local`] that only a [`LocalRuntime`] has. There are none
/// yet (as in tokio); use `LocalOptions::default()`.
#[derive(Default, Debug)]
#[non_exhaustive]
pub struct LocalOptions {
    /// `!Send` and `!Sync`, like tokio's (room for `!Send` hooks).
    _not_send: PhantomData<*mut u8>,
}

/// A current-thread runtime on which `!Send` futures can be spawned directly with
/// [`spawn_local`](Self::spawn_local) (or `robin::task::spawn_local` from inside it),
/// without a `LocalSet`. It is `!Send`: it stays on the thread that built it.
///
/// Do not drive a `LocalSet` inside it: it needs none.
///
/// ```
/// use robin_runtime::runtime::LocalRuntime;
/// use std::rc::Rc;
///
/// let rt = LocalRuntime::new().unwrap();
/// let shared = Rc::new(20); // not Send
/// let s = shared.clone();
/// let handle = rt.spawn_local(async move { *s + 1 });
/// let out = rt.block_on(async move {
///     // `task::spawn_local` works in any of the runtime's tasks, too.
///     let doubled = robin_runtime::task::spawn_local(async move { *shared * 2 });
///     handle.await.unwrap() + doubled.await.unwrap()
/// });
/// assert_eq!(out, 61);
/// ```
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<robin_runtime::runtime::LocalRuntime>();
/// ```
pub struct LocalRuntime {
    // Declared first: the local tasks are cancelled (in `Drop`) before the runtime goes.
    local: Arc<Shared>,
    rt: Runtime,
    _not_send: PhantomData<*mut u8>,
}

impl LocalRuntime {
    /// A local runtime with all drivers enabled
    /// (`Builder::new_current_thread().enable_all().build_local(LocalOptions::default())`).
    pub fn new() -> io::Result<LocalRuntime> {
        Builder::new_current_thread()
            .enable_all()
            .build_local(LocalOptions::default())
    }

    pub(super) fn from_runtime(rt: Runtime) -> LocalRuntime {
        LocalRuntime {
            local: Shared::new(),
            rt,
            _not_send: PhantomData,
        }
    }

    /// The runtime's handle (for `Send` work: `Handle::spawn` from other threads).
    pub fn handle(&self) -> &Handle {
        self.rt.handle()
    }

    /// Spawns a (possibly `!Send`) future on the runtime; it runs while the runtime is
    /// driven (in [`block_on`](Self::block_on)).
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Shared::spawn(&self.local, future, TaskMeta::caller(None))
    }

    /// Runs `func` on the runtime's blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.rt.spawn_blocking(func)
    }

    /// Runs `future` to completion on this thread, running the runtime's tasks (local
    /// and `Send`) while it waits.
    ///
    /// # Panics
    /// Where [`Runtime::block_on`] panics (from inside another runtime, ...).
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _local = context::set_local_set(&self.local);
        let local = &self.local;
        let mut future = std::pin::pin!(future);
        self.rt.block_on(std::future::poll_fn(move |cx| {
            local.register(cx.waker());
            if let Poll::Ready(out) = future.as_mut().poll(cx) {
                return Poll::Ready(out);
            }
            if Shared::tick(local) {
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        }))
    }

    /// Makes the runtime current on this thread until the guard drops, so that
    /// `robin::spawn` and `task::spawn_local` work outside `block_on`.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::LocalRuntime::new().unwrap();
    /// let handle = {
    ///     let _guard = rt.enter();
    ///     robin_runtime::task::spawn_local(async { std::rc::Rc::new(3) })
    /// };
    /// assert_eq!(*rt.block_on(handle).unwrap(), 3);
    /// ```
    pub fn enter(&self) -> EnterGuard<'_> {
        let mut guard = self.rt.enter();
        guard.local = Some(context::set_local_set(&self.local));
        guard
    }

    /// Metrics of the runtime.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.rt.metrics()
    }

    /// Shuts down, waiting at most `duration` for blocking jobs (see
    /// [`Runtime::shutdown_timeout`]).
    pub fn shutdown_timeout(mut self, duration: Duration) {
        Shared::shutdown(&self.local);
        self.rt.shutdown(Some(duration));
        // `Drop` finds both already shut down.
    }

    /// Shuts down without waiting for blocking jobs (see [`Runtime::shutdown_background`]).
    pub fn shutdown_background(self) {
        self.shutdown_timeout(Duration::ZERO);
    }
}

impl Drop for LocalRuntime {
    fn drop(&mut self) {
        // Cancel the local tasks here, on their thread; the runtime shuts down after.
        Shared::shutdown(&self.local);
    }
}

impl fmt::Debug for LocalRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRuntime")
            .field("local_tasks", &self.local.len())
            .finish_non_exhaustive()
    }
}

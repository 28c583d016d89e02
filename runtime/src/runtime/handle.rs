//! `Handle`: a cheap, clonable reference to a runtime, usable from any thread.
use super::TryCurrentError;
use crate::engine::raw::TaskMeta;
use crate::engine::{Id, JoinHandle};
use crate::{context, scheduler};
use std::future::Future;
use std::marker::PhantomData;

/// A handle to a runtime: spawn onto it from any thread, or enter its context.
///
/// A handle does not keep the runtime running: once the `Runtime` is dropped, tasks
/// spawned through a handle are cancelled at once (their `JoinHandle` reports it).
///
/// ```
/// use robin_runtime::runtime::{Handle, Runtime};
/// let rt = Runtime::new().unwrap();
/// let handle = rt.handle().clone();
/// let out = std::thread::spawn(move || handle.block_on(async { 1 + 1 })).join().unwrap();
/// assert_eq!(out, 2);
/// ```
#[derive(Clone, Debug)]
pub struct Handle {
    pub(crate) inner: scheduler::Handle,
}

/// Which scheduler a runtime uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RuntimeFlavor {
    /// Everything on the thread that calls `block_on`.
    CurrentThread,
    /// Work-stealing worker threads.
    MultiThread,
}

impl Handle {
    /// The handle of the runtime this code runs in.
    ///
    /// # Panics
    /// Outside a runtime context (use [`try_current`](Self::try_current) there).
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Ok(handle) => handle,
            Err(err) => panic!("{err}"),
        }
    }

    /// The handle of the runtime this code runs in, or why there is none.
    pub fn try_current() -> Result<Handle, TryCurrentError> {
        match context::try_handle() {
            Ok(Some(inner)) => Ok(Handle { inner }),
            Ok(None) => Err(TryCurrentError::missing()),
            Err(()) => Err(TryCurrentError::destroyed()),
        }
    }

    /// Makes this runtime current on this thread until the guard is dropped, so that
    /// `robin::spawn` and `Handle::current` work outside its threads.
    pub fn enter(&self) -> EnterGuard<'_> {
        EnterGuard {
            local: None,
            _guard: context::set_handle(&self.inner),
            _handle: PhantomData,
        }
    }

    /// Spawns a task onto the runtime.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, Id::next(), TaskMeta::caller(None))
    }

    /// Runs `func` on the blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.blocking().spawn_blocking(&self.inner, func)
    }

    /// Runs `future` to completion on this thread, inside this runtime's context.
    ///
    /// On a current-thread runtime this thread also runs the runtime's tasks while it
    /// waits (if no other thread is doing so already).
    ///
    /// # Panics
    /// When called from a thread that already drives a runtime (a worker, or inside
    /// another `block_on`), like tokio: blocking there would stall its tasks. And, on a
    /// runtime built with [`UnhandledPanic::ShutdownRuntime`](super::UnhandledPanic),
    /// once a spawned task panicked (the runtime shut down): the `block_on` in flight
    /// panics, and so does every later one.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let future = super::block_on::WatchPanicShutdown {
            signal: self.inner.config().panic_shutdown.clone(),
            key: None,
            registered: None,
            inner: future.as_mut(),
        };
        match &self.inner {
            scheduler::Handle::MultiThread(_) => {
                let _runtime = context::enter_runtime(&self.inner);
                scheduler::multi_thread::park::block_on_thread(future)
            }
            scheduler::Handle::CurrentThread(shared) => {
                scheduler::current_thread::block_on(shared, future)
            }
        }
    }

    /// The scheduler flavor of this runtime.
    pub fn runtime_flavor(&self) -> RuntimeFlavor {
        match self.inner {
            scheduler::Handle::MultiThread(_) => RuntimeFlavor::MultiThread,
            scheduler::Handle::CurrentThread(_) => RuntimeFlavor::CurrentThread,
        }
    }

    /// Metrics of this runtime.
    pub fn metrics(&self) -> super::RuntimeMetrics {
        super::RuntimeMetrics::new(self.inner.clone())
    }

    /// Spawns with explicit diagnostics (`task::Builder`).
    pub(crate) fn spawn_with_meta<F>(&self, future: F, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn(future, Id::next(), meta)
    }

    /// The name given with [`Builder::name`](super::Builder::name), if any.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_multi_thread()
    ///     .name("ingest")
    ///     .build()
    ///     .unwrap();
    /// let name = rt.block_on(async {
    ///     robin_runtime::runtime::Handle::current().name().map(str::to_owned)
    /// });
    /// assert_eq!(name.as_deref(), Some("ingest"));
    /// assert_eq!(robin_runtime::runtime::Runtime::new().unwrap().handle().name(), None);
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.inner.config().name.as_deref()
    }

    /// The id of this runtime, unique among the runtimes of the process.
    ///
    /// ```
    /// use robin_runtime::runtime::{Handle, Runtime};
    /// let rt = Runtime::new().unwrap();
    /// let inside = rt.block_on(async { Handle::current().id() });
    /// assert_eq!(inside, rt.handle().id());
    /// ```
    pub fn id(&self) -> super::Id {
        super::Id::from_raw(self.inner.config().id)
    }

    /// Tasks spawned on this runtime (and on the `LocalSet`s it drives) that have not
    /// completed yet.
    pub fn num_alive_tasks(&self) -> usize {
        self.inner.num_alive_tasks()
    }
}

/// Returned by [`Handle::enter`] and `Runtime::enter`; restores the previous context on drop.
#[derive(Debug)]
pub struct EnterGuard<'a> {
    /// `LocalRuntime::enter`: its local queue, current too (dropped before `_guard`).
    pub(super) local: Option<context::LocalSetGuard>,
    _guard: context::HandleGuard,
    _handle: PhantomData<&'a Handle>,
}

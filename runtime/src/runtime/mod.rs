//! The runtime: [`Builder`], [`Runtime`] and [`Handle`].
//!
//! A `Runtime` owns a scheduler (multi-thread or current-thread) and a blocking pool.
//! Dropping it shuts down: every task's future is dropped (not leaked), the workers
//! and pool threads are joined. `shutdown_timeout` bounds the wait for blocking work.
//!
//! Layer: runtime (with `io.rs` and `time.rs`). May import `scheduler`, `context`,
//! `driver`, `engine` and `loom`; nothing from `api`.
mod builder;
mod handle;
mod metrics;

pub use crate::scheduler::multi_thread::BlockingReport;
pub use crate::scheduler::UnhandledPanic;
pub use builder::Builder;
pub use handle::{EnterGuard, Handle, RuntimeFlavor};
pub use metrics::RuntimeMetrics;

use crate::context;
use crate::engine::{Id, JoinHandle};
use crate::scheduler::blocking::BlockingPool;
use crate::scheduler::{self, current_thread, multi_thread, Config};
use std::fmt;
use std::future::Future;
use std::io;
use std::time::Duration;

/// The robin runtime: a scheduler, a blocking pool and (soon) the I/O and time driver.
///
/// ```
/// use robin_runtime::runtime::Runtime;
/// let rt = Runtime::new().unwrap();
/// let sum = rt.block_on(async {
///     let tasks: Vec<_> = (0..10u64).map(|i| robin_runtime::spawn(async move { i * i })).collect();
///     let mut sum = 0;
///     for t in tasks {
///         sum += t.await.unwrap();
///     }
///     sum
/// });
/// assert_eq!(sum, 285);
/// ```
pub struct Runtime {
    handle: Handle,
    blocking_pool: BlockingPool,
    /// The helper threads of a multi-thread runtime (driver, monitor).
    multi_thread: Option<multi_thread::MultiThread>,
    shut_down: bool,
}

/// Which drivers to start (from the builder).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Drivers {
    pub(crate) io: bool,
    pub(crate) time: bool,
    pub(crate) start_paused: bool,
}

impl Drivers {
    fn build(self) -> io::Result<Option<crate::driver::Driver>> {
        if !self.io && !self.time {
            return Ok(None);
        }
        crate::driver::Driver::new(self.start_paused, self.io, self.time).map(Some)
    }
}

impl Runtime {
    /// A multi-thread runtime with default settings and all drivers enabled.
    pub fn new() -> io::Result<Runtime> {
        Builder::new_multi_thread().enable_all().build()
    }

    pub(crate) fn build_multi_thread(
        workers: usize,
        max_blocking: usize,
        config: Config,
        drivers: Drivers,
    ) -> io::Result<Runtime> {
        let driver = drivers.build()?;
        let blocking_pool = BlockingPool::new(config.clone(), max_blocking + workers);
        let (shared, launcher) =
            multi_thread::Shared::new(workers, blocking_pool.spawner().clone(), config, driver);
        let mut rt = Runtime {
            handle: Handle {
                inner: scheduler::Handle::MultiThread(shared.clone()),
            },
            blocking_pool,
            multi_thread: Some(launcher),
            shut_down: false,
        };
        // On failure `rt` is dropped here, which shuts down what did start.
        if let Some(launcher) = rt.multi_thread.as_mut() {
            launcher.launch(&shared)?;
        }
        Ok(rt)
    }

    pub(crate) fn build_current_thread(
        max_blocking: usize,
        config: Config,
        drivers: Drivers,
    ) -> io::Result<Runtime> {
        let driver = drivers.build()?;
        let unhandled_panic = config.unhandled_panic;
        let event_interval = config.event_interval;
        let blocking_pool = BlockingPool::new(config, max_blocking);
        let shared = current_thread::Shared::new(
            blocking_pool.spawner().clone(),
            driver,
            unhandled_panic,
            event_interval,
        );
        Ok(Runtime {
            handle: Handle {
                inner: scheduler::Handle::CurrentThread(shared),
            },
            blocking_pool,
            multi_thread: None,
            shut_down: false,
        })
    }

    /// Runs `future` to completion on this thread (see [`Handle::block_on`]).
    ///
    /// # Panics
    /// When called from a thread that already drives a runtime.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns a task onto the runtime.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.inner.spawn(
            future,
            Id::next(),
            crate::engine::raw::TaskMeta::caller(None),
        )
    }

    /// Runs `func` on the blocking pool.
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(func)
    }

    /// Metrics of this runtime.
    pub fn metrics(&self) -> RuntimeMetrics {
        self.handle.metrics()
    }

    /// The runtime's handle.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Makes this runtime current on this thread until the guard drops.
    pub fn enter(&self) -> EnterGuard<'_> {
        self.handle.enter()
    }

    /// Shuts down, waiting at most `timeout` for blocking jobs that are still running.
    /// Tasks are cancelled (futures dropped) either way.
    pub fn shutdown_timeout(mut self, timeout: Duration) {
        self.shutdown(Some(timeout));
    }

    /// Shuts down without waiting for blocking jobs or threads.
    pub fn shutdown_background(mut self) {
        self.shutdown(Some(Duration::ZERO));
    }

    fn shutdown(&mut self, timeout: Option<Duration>) {
        if std::mem::replace(&mut self.shut_down, true) {
            return;
        }
        match &self.handle.inner {
            scheduler::Handle::MultiThread(shared) => shared.close(),
            scheduler::Handle::CurrentThread(shared) => current_thread::Shared::shutdown(shared),
        }
        // Dropped from inside a runtime (e.g. in a task): waiting could mean waiting for
        // this very thread, so let the threads finish in the background.
        let timeout = if context::runtime_entered() {
            Some(Duration::ZERO)
        } else {
            timeout
        };
        let waited = self.blocking_pool.shutdown(timeout);
        // The driver and the monitor exit as soon as they see the flag `close` set (it
        // wakes both); joining them is quick, unless we are asked not to wait at all.
        if let Some(threads) = self.multi_thread.as_mut() {
            threads.join_threads(waited || timeout.is_none());
        }
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shutdown(None);
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("flavor", &self.handle.runtime_flavor())
            .finish_non_exhaustive()
    }
}

/// Returned by [`Handle::try_current`] when there is no current runtime.
#[derive(Debug)]
pub struct TryCurrentError {
    destroyed: bool,
}

impl TryCurrentError {
    pub(crate) fn missing() -> Self {
        TryCurrentError { destroyed: false }
    }

    pub(crate) fn destroyed() -> Self {
        TryCurrentError { destroyed: true }
    }

    /// No runtime was entered on this thread.
    pub fn is_missing_context(&self) -> bool {
        !self.destroyed
    }

    /// The thread-local context was already destroyed (the thread is exiting).
    pub fn is_thread_local_destroyed(&self) -> bool {
        self.destroyed
    }
}

impl fmt::Display for TryCurrentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.destroyed {
            f.write_str("the robin runtime context was already destroyed (the thread is exiting)")
        } else {
            f.write_str(
                "there is no robin runtime running: this must be called from the context \
                 of a robin runtime (inside a task, `block_on`, or after `Runtime::enter`)",
            )
        }
    }
}

impl std::error::Error for TryCurrentError {}

//! The runtime: [`Builder`], [`Runtime`] and [`Handle`].
//!
//! A `Runtime` owns a scheduler (multi-thread or current-thread) and a blocking pool.
//! Dropping it shuts down: every task's future is dropped (not leaked), the workers
//! and pool threads are joined. `shutdown_timeout` bounds the wait for blocking work.
mod blocking_report;
mod builder;
pub(crate) mod context;
mod handle;
mod metrics;

pub use blocking_report::BlockingReport;
pub use builder::Builder;
pub use handle::{EnterGuard, Handle, RuntimeFlavor};
pub use metrics::RuntimeMetrics;

/// What the runtime does when a spawned task panics (`Builder::unhandled_panic`).
///
/// Either way the panic is caught and its `JoinHandle` reports it as a `JoinError`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// Keep running (the default).
    #[default]
    Ignore,
    /// Shut the runtime down: every task is cancelled, and spawning fails from then on.
    ShutdownRuntime,
}

use crate::blocking::BlockingPool;
use crate::scheduler::{self, current_thread, multi_thread};
use crate::task::{Id, JoinHandle};
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// The `Builder::on_blocking` hook.
pub(crate) type BlockingHook = Arc<dyn Fn(&BlockingReport) + Send + Sync>;

/// Settings the runtime's threads are started with.
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    pub(crate) thread_stack_size: Option<usize>,
    pub(crate) after_start: Option<Arc<dyn Fn() + Send + Sync>>,
    pub(crate) before_stop: Option<Arc<dyn Fn() + Send + Sync>>,
    pub(crate) keep_alive: Duration,
    /// `Builder::detect_blocking`: report polls longer than this.
    pub(crate) detect_blocking: Option<Duration>,
    /// `Builder::on_blocking`: where blocking reports go (stderr without it).
    pub(crate) on_blocking: Option<BlockingHook>,
    pub(crate) unhandled_panic: UnhandledPanic,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("thread_stack_size", &self.thread_stack_size)
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

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
    /// The driver thread of a multi-thread runtime.
    driver_thread: Option<std::thread::JoinHandle<()>>,
    /// The monitor thread of a multi-thread runtime.
    monitor_thread: Option<std::thread::JoinHandle<()>>,
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
        let driver_handle = driver.as_ref().map(|d| d.handle.clone());
        let name = (config.thread_name)();
        let (shared, mut launcher) = multi_thread::Shared::new(
            workers,
            blocking_pool.spawner().clone(),
            config,
            driver_handle,
        );
        let mut rt = Runtime {
            handle: Handle::from_multi_thread(shared.clone()),
            blocking_pool,
            driver_thread: None,
            monitor_thread: None,
            shut_down: false,
        };
        if let Some(driver) = driver {
            let shared = shared.clone();
            rt.driver_thread = Some(
                std::thread::Builder::new()
                    .name(format!("{name}-driver"))
                    .spawn(move || driver.run(shared))?,
            );
        }
        // On failure `rt` is dropped here, which shuts down what did start.
        rt.monitor_thread = launcher.launch(&shared, &rt.handle)?;
        Ok(rt)
    }

    pub(crate) fn build_current_thread(
        max_blocking: usize,
        config: Config,
        drivers: Drivers,
    ) -> io::Result<Runtime> {
        let driver = drivers.build()?;
        let unhandled_panic = config.unhandled_panic;
        let blocking_pool = BlockingPool::new(config, max_blocking);
        let shared =
            current_thread::Shared::new(blocking_pool.spawner().clone(), driver, unhandled_panic);
        Ok(Runtime {
            handle: Handle {
                inner: scheduler::Handle::CurrentThread(shared),
            },
            blocking_pool,
            driver_thread: None,
            monitor_thread: None,
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
        self.handle
            .inner
            .spawn(future, Id::next(), crate::task::raw::TaskMeta::caller(None))
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
            scheduler::Handle::CurrentThread(shared) => {
                current_thread::Shared::shutdown(shared, &self.handle)
            }
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
        for thread in [self.driver_thread.take(), self.monitor_thread.take()]
            .into_iter()
            .flatten()
        {
            if waited || timeout.is_none() {
                let _ = thread.join();
            }
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

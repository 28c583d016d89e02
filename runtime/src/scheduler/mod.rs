//! The schedulers, and the handle that dispatches between them.
//!
//! - [`multi_thread`]: N workers stealing from each other (the default), plus its
//!   monitor and driver threads.
//! - [`current_thread`]: everything on the thread in `block_on` (asyncio's loop).
//! - [`local`]: the run queue of one `LocalSet` (`!Send` tasks on one thread).
//! - [`blocking`]: the blocking pool (`spawn_blocking`, and the threads workers run on).
//!
//! All of them run the same tasks (`crate::engine`) and differ only in where a
//! `Notified` goes. The thread-local they share is `crate::context`.
//!
//! Layer: scheduler. May import `context`, `driver`, `engine` and `loom`; nothing from
//! `runtime` or `api`.
pub(crate) mod blocking;
mod config;
pub(crate) mod current_thread;
mod fair_tick;
pub(crate) mod local;
#[cfg(all(test, loom))]
mod loom_local;
pub(crate) mod multi_thread;
pub(crate) mod panic_shutdown;

pub use config::UnhandledPanic;
pub(crate) use config::{BlockingHook, Config, Hook};
pub(crate) use current_thread::DEFAULT_EVENT_INTERVAL;
pub(crate) use fair_tick::FairTick;

use crate::context;
use crate::engine::raw::TaskMeta;
use crate::engine::{Id, JoinHandle, Notified};
use crate::loom::sync::Arc;
use std::future::Future;

/// Every this many scheduler ticks the queue other threads feed (the multi-thread
/// injector, the current-thread inject queue) is looked at *before* the local queue,
/// so tasks woken from elsewhere wait at most this many local polls even when the local
/// queue never empties.
///
/// One figure for both schedulers (they had 61 and 31, tokio's pair), because the
/// guarantee is one: "a remote wake is not starved by a busy local queue". 61, the
/// figure DESIGN.md names and the multi-thread workers already used: on a current-thread
/// runtime the inject queue only carries wakes from *other* threads (its own tasks' and
/// its driver's wakes go to the local queue), and each look at it takes its mutex, so
/// looking twice as often buys nothing there. A prime, so the period does not beat in
/// step with the power-of-two counters (the 64-poll timing sample).
pub(crate) const GLOBAL_QUEUE_INTERVAL: u32 = 61;

/// A reference to one runtime's scheduler; what `runtime::Handle` wraps.
#[derive(Clone, Debug)]
pub(crate) enum Handle {
    MultiThread(Arc<multi_thread::Shared>),
    CurrentThread(Arc<current_thread::Shared>),
}

/// What a scheduler's run loop puts in the thread context (`context::set_scheduler`),
/// so that tasks scheduled from this thread reach it without a lock.
pub(crate) enum Context {
    /// A worker of a multi-thread runtime, holding its core while it polls a task.
    Worker(multi_thread::worker::Context),
    /// The thread driving a current-thread runtime.
    CurrentThread(current_thread::Context),
    /// The driver thread of a multi-thread runtime, batching the wake-ups of one turn.
    Driver(multi_thread::driver_thread::Context),
}

/// Runs one task with its id as the thread's current task id (`task::id()`).
#[inline]
pub(crate) fn run_task(task: Notified) {
    // Also clears the yield flag: set again only if this poll yields (`yield_now`).
    context::with_task_id(task.id(), || task.run());
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F, id: Id, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::MultiThread(s) => s.owned.spawn(future, s.clone(), id, meta),
            Handle::CurrentThread(s) => s.owned.spawn(future, s.clone(), id, meta),
        }
    }

    pub(crate) fn blocking(&self) -> &blocking::Spawner {
        match self {
            Handle::MultiThread(shared) => &shared.blocking,
            Handle::CurrentThread(shared) => &shared.blocking,
        }
    }

    pub(crate) fn driver(&self) -> Option<&Arc<crate::driver::Handle>> {
        match self {
            Handle::MultiThread(shared) => shared.driver.as_ref(),
            Handle::CurrentThread(shared) => shared.driver.as_ref(),
        }
    }

    /// Tasks spawned and not yet completed, the runtime's and its `LocalSet`s'.
    pub(crate) fn num_alive_tasks(&self) -> usize {
        let owned = match self {
            Handle::MultiThread(shared) => shared.owned.len(),
            Handle::CurrentThread(shared) => shared.owned.len(),
        };
        owned + self.local_task_counts().alive()
    }

    /// Tasks ever spawned, on the runtime and on its `LocalSet`s (not blocking jobs).
    pub(crate) fn spawned_tasks_count(&self) -> u64 {
        let owned = match self {
            Handle::MultiThread(shared) => shared.owned.spawned(),
            Handle::CurrentThread(shared) => shared.owned.spawned(),
        };
        owned + self.local_task_counts().spawned()
    }

    /// The counters of the local tasks this runtime drives.
    pub(crate) fn local_task_counts(&self) -> &Arc<local::LocalTaskCounts> {
        match self {
            Handle::MultiThread(shared) => &shared.local_tasks,
            Handle::CurrentThread(shared) => &shared.local_tasks,
        }
    }

    /// The settings this runtime was built with.
    pub(crate) fn config(&self) -> &Config {
        match self {
            Handle::MultiThread(shared) => &shared.config,
            Handle::CurrentThread(shared) => &shared.config,
        }
    }

    /// A task of this runtime (or of a `LocalSet` it drives) panicked: apply the
    /// runtime's `UnhandledPanic` policy. Returns whether it shut the runtime down.
    pub(crate) fn unhandled_panic(&self) -> bool {
        let policy = self.config().unhandled_panic;
        if policy != UnhandledPanic::ShutdownRuntime {
            return false;
        }
        match self {
            Handle::MultiThread(shared) => shared.close(),
            // Cancels every task (the panicking one is cancelled as it returns).
            Handle::CurrentThread(shared) => shared.owned.close_and_shutdown_all(),
        }
        // Every `block_on` of the runtime panics from now on (tokio's documented rule).
        self.config().panic_shutdown.fire();
        true
    }
}

impl Handle {
    /// A snapshot of every task in this runtime's owned list (task dumps).
    pub(crate) fn dump_tasks(
        &self,
        now: std::time::Instant,
    ) -> Vec<crate::engine::diag::TaskSnapshot> {
        match self {
            Handle::MultiThread(shared) => shared.owned.snapshot_all(now),
            Handle::CurrentThread(shared) => shared.owned.snapshot_all(now),
        }
    }
}

//! Settings every scheduler is started with (built by `runtime::Builder`).
use super::multi_thread::BlockingReport;
// `std`'s `Arc` even under loom: these hold `dyn Fn` hooks (loom's `Arc` cannot be
// unsized), shared read-only, which no model needs to explore.
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What the runtime does when a spawned task panics (`Builder::unhandled_panic`).
///
/// Either way the panic is caught and its `JoinHandle` reports it as a `JoinError`.
///
/// With `ShutdownRuntime` the runtime shuts down as soon as a spawned task panics (even
/// if the task's `JoinHandle` is still held): every other task is cancelled, spawning
/// fails from then on, and `block_on` panics (the one in flight and every later one).
/// tokio offers this policy on current-thread runtimes only; robin also applies it on
/// multi-thread runtimes.
///
/// ```should_panic
/// use robin_runtime::runtime::{Builder, UnhandledPanic};
/// let rt = Builder::new_current_thread()
///     .unhandled_panic(UnhandledPanic::ShutdownRuntime)
///     .build()
///     .unwrap();
/// rt.spawn(async { panic!("boom") });
/// rt.spawn(async {
///     // This task never runs: the runtime shuts down first.
/// });
/// rt.block_on(async {
///     // Panics with "a spawned task panicked and the runtime is configured to shut
///     // down on unhandled panic" once the first task has panicked.
///     loop {
///         robin_runtime::task::yield_now().await;
///     }
/// });
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// Keep running (the default).
    #[default]
    Ignore,
    /// Shut the runtime down: every task is cancelled, spawning fails from then on, and
    /// `block_on` panics.
    ShutdownRuntime,
}

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
    /// `Builder::on_thread_park`: run by a worker just before it parks.
    pub(crate) before_park: Option<Hook>,
    /// `Builder::on_thread_unpark`: run by a worker just after it wakes.
    pub(crate) after_unpark: Option<Hook>,
    /// `Builder::global_queue_interval`: ticks between looks at the shared queue first.
    pub(crate) global_queue_interval: u32,
    /// `Builder::name`, reported by `Handle::name`.
    pub(crate) name: Option<String>,
    /// The runtime's unique id (`Handle::id`), assigned at build.
    pub(crate) id: std::num::NonZeroU64,
    /// Fired when `ShutdownRuntime` shut the runtime down (shared by every clone).
    pub(crate) panic_shutdown: Arc<super::panic_shutdown::PanicShutdown>,
    /// `Builder::event_interval` (at least 1).
    pub(crate) event_interval: u32,
    /// `Builder::heal_blocked_workers`: the monitor hands a stuck worker's core to a
    /// substitute thread (multi-thread only; needs `detect_blocking`).
    pub(crate) heal_blocked_workers: bool,
    /// `Builder::max_blocking_threads`: also the most substitutes alive at once.
    pub(crate) max_blocking_threads: usize,
}

/// A thread hook of the builder (`on_thread_park`, ...).
pub(crate) type Hook = Arc<dyn Fn() + Send + Sync>;

impl Config {
    /// Runs the `on_thread_park` hook, if any.
    pub(crate) fn before_park(&self) {
        run_hook(&self.before_park);
    }

    /// Runs the `on_thread_unpark` hook, if any.
    pub(crate) fn after_unpark(&self) {
        run_hook(&self.after_unpark);
    }
}

/// Runs a park/unpark hook. A panicking hook must not unwind through the scheduler's
/// loop (a multi-thread worker would lose its core with every task queued on it, issue 12
/// defect 3): the panic hook has printed it; the thread goes on.
fn run_hook(hook: &Option<Hook>) {
    if let Some(f) = hook {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f()));
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("thread_stack_size", &self.thread_stack_size)
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

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
/// ```
/// use robin_runtime::runtime::{Builder, UnhandledPanic};
/// let rt = Builder::new_current_thread()
///     .unhandled_panic(UnhandledPanic::ShutdownRuntime)
///     .build()
///     .unwrap();
/// let err = rt.block_on(async { robin_runtime::spawn(async { panic!("boom") }).await });
/// assert!(err.unwrap_err().is_panic());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnhandledPanic {
    /// Keep running (the default).
    #[default]
    Ignore,
    /// Shut the runtime down: every task is cancelled, and spawning fails from then on.
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
    /// `Builder::event_interval` (at least 1).
    pub(crate) event_interval: u32,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("thread_stack_size", &self.thread_stack_size)
            .field("keep_alive", &self.keep_alive)
            .finish_non_exhaustive()
    }
}

//! [`RobinExecutor`]: hyper's `rt::Executor` as `robin_runtime::spawn`.
use std::future::Future;

/// Spawns hyper's background futures as robin tasks (detached: hyper never joins them).
///
/// Must be used from inside a robin runtime, like [`robin_runtime::spawn`].
///
/// ```
/// use hyper::rt::Executor;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (tx, rx) = std::sync::mpsc::channel();
///     robin_hyper::RobinExecutor::new().execute(async move { tx.send(7).unwrap() });
///     robin_runtime::task::yield_now().await;
///     robin_runtime::task::spawn_blocking(move || assert_eq!(rx.recv().unwrap(), 7))
///         .await
///         .unwrap();
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RobinExecutor {
    _priv: (),
}

impl RobinExecutor {
    /// An executor for the current robin runtime.
    pub fn new() -> RobinExecutor {
        RobinExecutor { _priv: () }
    }
}

impl<F> hyper::rt::Executor<F> for RobinExecutor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        drop(robin_runtime::spawn(future));
    }
}

//! The `robin` model: tasks on robin's multi-thread work-stealing runtime, one worker per core.
//!
//! [`run_tasks`] is shared with the event-loop model: the same async unit code runs under both
//! runtimes; only the runtime differs.

use std::future::Future;
use std::io;
use std::time::Duration;

use robin::runtime::{Builder, Runtime};

/// robin's multi-thread runtime with one worker per core (`num_cpus::get()`).
pub fn runtime() -> io::Result<Runtime> {
    Builder::new_multi_thread()
        .worker_threads(num_cpus::get())
        .enable_all()
        .build()
}

/// Spawns `n` tasks made by `make(i)` on `rt`, awaits them all in order, and returns their
/// outputs; the whole batch is bounded by `limit`.
pub fn run_tasks<T, F, Fut>(
    rt: &Runtime,
    n: usize,
    limit: Duration,
    make: F,
) -> Result<Vec<T>, String>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<T, String>> + Send + 'static,
    T: Send + 'static,
{
    rt.block_on(async move {
        let handles: Vec<_> = (0..n).map(|i| robin::spawn(make(i))).collect();
        let all = async move {
            let mut out = Vec::with_capacity(handles.len());
            for h in handles {
                out.push(h.await.map_err(|e| format!("task failed: {e}"))??);
            }
            Ok(out)
        };
        match robin::time::timeout(limit, all).await {
            Ok(r) => r,
            Err(_) => Err(format!("timed out after {limit:?}")),
        }
    })
}

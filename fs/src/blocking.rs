//! `asyncify`: run one blocking `std::fs` call on the runtime's blocking pool.
use std::io;

/// Runs `f` on the blocking pool and returns its result.
///
/// # Panics
///
/// Outside a robin runtime (as `spawn_blocking`).
pub(crate) async fn asyncify<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    match robin_runtime::task::spawn_blocking(f).await {
        Ok(res) => res,
        Err(err) => Err(io::Error::other(format!("background task failed: {err}"))),
    }
}

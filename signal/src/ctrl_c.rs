//! `ctrl_c()`: a one-shot wait for `SIGINT` over [`crate::unix::signal`].
use crate::unix::{signal, SignalKind};
use std::io;

/// Completes when a "ctrl-c" notification (`SIGINT`) is sent to the process.
///
/// Once the returned future is polled, a listener is registered. The future completes
/// on the first `SIGINT` received **after** the first `poll` (or `.await`).
///
/// # Caveats
///
/// The first time a listener is registered for a signal, an OS signal handler is
/// installed which replaces the default behaviour (terminating the process on `SIGINT`)
/// **for the whole life of the process**: even after the future completes or is dropped,
/// later `SIGINT`s are caught by robin and the process keeps running.
///
/// # Errors
///
/// When the handler cannot be installed, or the runtime has no I/O driver.
///
/// # Panics
///
/// When first polled outside a robin runtime.
///
/// # Examples
///
/// ```no_run
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     println!("waiting for ctrl-c");
///     robin_signal::ctrl_c().await.expect("failed to listen for event");
///     println!("received ctrl-c event");
/// });
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    signal(SignalKind::interrupt())?.recv().await;
    Ok(())
}

//! robin: a multi-threaded work-stealing async runtime.
//!
//! This facade only re-exports the workspace crates, under the names a tokio user knows:
//! `robin::runtime`, `robin::task`, `robin::spawn`, `robin::sync`, `robin::time`,
//! `robin::net`, `robin::fs`, `robin::process`, `robin::signal`.
//!
//! ```
//! let rt = robin::runtime::Runtime::new().unwrap();
//! let answer = rt.block_on(async {
//!     let handle = robin::spawn(async { 21 * 2 });
//!     handle.await.unwrap()
//! });
//! assert_eq!(answer, 42);
//! ```
#![warn(missing_docs)]

pub use robin_fs as fs;
pub use robin_io as io;
pub use robin_macros::{join, main, pin, test, try_join};
pub use robin_net as net;
pub use robin_process as process;
pub use robin_runtime::{runtime, spawn, task, task_local};
pub use robin_signal as signal;
pub use robin_sync as sync;
pub use robin_time as time;

/// hyper 1.x on robin (the `hyper` feature): `RobinIo`, `RobinExecutor`, `RobinTimer`.
#[cfg(feature = "hyper")]
pub use robin_hyper as hyper_rt;

/// What the macros expand to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use robin_macros::select_with_crate;
    pub use robin_runtime::task::macro_support::thread_rng_n;
}

/// Waits on several futures at once and runs the handler of the first to complete (and
/// match its pattern); the other futures are dropped. tokio's `select!`: `biased;`,
/// `, if <precondition>`, `else => ...`, refutable patterns, at most 64 branches. The
/// full reference is [`robin_macros::select!`].
///
/// A `macro_rules!` front over the procedural macro that passes `$crate` on, as
/// tokio's does, so it works however the dependency is named
/// (`robin2 = { package = "robin", .. }`) or re-exported.
///
/// ```
/// # robin::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap().block_on(async {
/// use std::time::Duration;
/// let (tx, mut rx) = robin::sync::mpsc::channel::<u32>(4);
/// tx.send(7).await.unwrap();
/// let got = robin::select! {
///     Some(v) = rx.recv() => v,
///     _ = robin::time::sleep(Duration::from_secs(1)) => 0,
/// };
/// assert_eq!(got, 7);
/// # });
/// ```
#[macro_export]
macro_rules! select {
    ($($input:tt)*) => {
        $crate::__private::select_with_crate!(($crate) $($input)*)
    };
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

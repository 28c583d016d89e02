//! robin-time: `sleep`, `timeout`, `interval` and `Instant` over the runtime's timer wheel.
//!
//! Timers live in the driver's hierarchical wheel (1 ms resolution, O(1) insert and
//! cancel); they never fire before their deadline. A current-thread runtime can run on
//! a paused clock (`Builder::start_paused(true)` or [`pause`]): time then moves only
//! through [`advance`], or, when every task waits, straight to the next timer, so tests
//! of intervals and timeouts run instantly and deterministically.
//!
//! ```
//! use std::time::Duration;
//! let rt = robin_runtime::runtime::Builder::new_current_thread()
//!     .enable_all()
//!     .start_paused(true)
//!     .build()
//!     .unwrap();
//! rt.block_on(async {
//!     let start = robin_time::Instant::now();
//!     robin_time::sleep(Duration::from_secs(3600)).await; // instant: the clock is paused
//!     assert_eq!(start.elapsed(), Duration::from_secs(3600));
//! });
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod error;
mod instant;
mod interval;
mod sleep;
mod timeout;

pub use instant::Instant;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Timeout};

use std::time::Duration;

/// Freezes the clock of the current (current-thread) runtime; see the crate docs.
///
/// # Panics
/// Outside a current-thread runtime with the time driver, or if already paused.
#[track_caller]
pub fn pause() {
    robin_runtime::time::pause();
}

/// Lets a paused clock run again from where it stands.
///
/// # Panics
/// If the clock is not paused.
#[track_caller]
pub fn resume() {
    robin_runtime::time::resume();
}

/// Moves the paused clock forward by `duration` and returns once every timer due by then
/// has fired.
///
/// # Panics
/// If the clock is not paused.
///
/// ```
/// use std::time::Duration;
/// let rt = robin_runtime::runtime::Builder::new_current_thread()
///     .enable_all()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let start = robin_time::Instant::now();
///     robin_time::advance(Duration::from_millis(250)).await;
///     assert_eq!(start.elapsed(), Duration::from_millis(250));
/// });
/// ```
pub async fn advance(duration: Duration) {
    let until = Instant::now() + duration;
    robin_runtime::time::advance_clock(duration);
    // The driver fires everything due by `until` on its next turn, including this.
    sleep_until(until).await;
}

/// Timers currently filed in the current runtime's wheel: a test hook (a dropped
/// [`Sleep`] leaves none behind).
pub fn num_timers() -> usize {
    robin_runtime::time::num_timers()
}

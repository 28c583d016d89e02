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
//!
//! The paths are tokio's: `robin::time::{sleep, sleep_until, timeout, timeout_at,
//! interval, interval_at, Instant, Interval, MissedTickBehavior, Sleep, Timeout,
//! Duration, error::{Elapsed, Error}, pause, resume, advance}`. This crate owns the user
//! types; it reaches the driver only through `robin_runtime::time` (never the
//! scheduler).
//!
//! A [`Sleep`], [`Timeout`] or [`Interval`] needs the runtime that is current when it
//! is created: creating one outside a robin runtime with the time driver panics at the
//! caller, as tokio's do. (A [`Timeout`] only checks there, and files its timer when its
//! future is first pending, see [`timeout`].)
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]
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

/// `std::time::Duration`, re-exported at tokio's path (`robin::time::Duration`).
///
/// ```
/// assert_eq!(robin_time::Duration::from_millis(1500).as_secs_f64(), 1.5);
/// let d: std::time::Duration = robin_time::Duration::from_secs(1);
/// assert_eq!(d, robin_time::Duration::from_millis(1000));
/// ```
pub use std::time::Duration;

/// Freezes the clock of the current (current-thread) runtime; see the crate docs.
///
/// # Panics
/// Outside a current-thread runtime with the time driver, or if already paused.
///
/// ```
/// let rt = robin_runtime::runtime::Builder::new_current_thread()
///     .enable_all()
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     robin_time::pause();
///     let start = robin_time::Instant::now();
///     // Nothing else to run: the paused clock jumps straight to the timer.
///     robin_time::sleep(robin_time::Duration::from_secs(600)).await;
///     // (To the timer wheel's next millisecond: the clock was paused between ticks.)
///     let waited = start.elapsed();
///     assert!(waited >= robin_time::Duration::from_secs(600), "{waited:?}");
///     assert!(waited < robin_time::Duration::from_millis(600_001), "{waited:?}");
/// });
/// ```
#[track_caller]
pub fn pause() {
    robin_runtime::time::pause();
}

/// Lets a paused clock run again from where it stands.
///
/// # Panics
/// If the clock is not paused.
///
/// ```
/// let rt = robin_runtime::runtime::Builder::new_current_thread()
///     .enable_all()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let frozen = robin_time::Instant::now();
///     robin_time::resume();
///     std::thread::sleep(std::time::Duration::from_millis(2));
///     assert!(robin_time::Instant::now() > frozen, "the clock runs again");
/// });
/// ```
#[track_caller]
pub fn resume() {
    robin_runtime::time::resume();
}

/// Moves the paused clock forward by `duration` and returns once every timer due by then
/// has fired.
///
/// # Panics
/// If the clock is not paused, or if `now + duration` overflows an `Instant`.
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
    robin_runtime::time::advance_clock(duration);
    // Wait for the timers due by the new time. The wheel counts whole milliseconds
    // since a base and rounds a deadline *up* to one, "now" *down*: a wait for the new
    // time itself would be filed a tick ahead when it falls between ticks, and the
    // paused clock would then jump to that tick and fire timers due after the new time
    // (a 1 ms sleep after `advance(250µs)`). Just under a tick before the new time
    // rounds up to exactly the tick the driver takes "now" to be, so this waits for
    // what is due by then and no more.
    let now = Instant::now();
    let due = now.checked_sub(SUB_TICK).unwrap_or(now);
    sleep_until(due).await;
}

/// One nanosecond less than the timer wheel's 1 ms tick.
const SUB_TICK: Duration = Duration::from_nanos(999_999);

/// Timers currently filed in the current runtime's wheel: a test hook (a dropped
/// [`Sleep`] leaves none behind). Not in tokio.
///
/// ```
/// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// # rt.block_on(async {
/// use std::future::Future;
/// let mut sleep = Box::pin(robin_time::sleep(robin_time::Duration::from_secs(60)));
/// // Filed in the wheel on its first poll.
/// std::future::poll_fn(|cx| { let _ = sleep.as_mut().poll(cx); std::task::Poll::Ready(()) }).await;
/// assert_eq!(robin_time::num_timers(), 1);
/// drop(sleep);
/// assert_eq!(robin_time::num_timers(), 0);
/// # });
/// ```
pub fn num_timers() -> usize {
    robin_runtime::time::num_timers()
}

//! `Interval`: ticks at a fixed period, with a policy for ticks that were missed.
//!
//! Owns the tick schedule over one [`Sleep`]. Every deadline it computes saturates
//! (`Instant::saturating_add`), so a huge period (`Duration::MAX`) means "never again",
//! not an `Instant` overflow panic.
use crate::{sleep_until, Instant, Sleep};
use std::future::poll_fn;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A tick is "missed" when it is observed later than this after it was due.
const MISSED_TOLERANCE: Duration = Duration::from_millis(5);

/// What an [`Interval`] does when ticks were missed (the task was busy past a tick).
///
/// With period 10 ms, ticks due at 0, 10, 20, ... and the task stalled from 5 ms to 37 ms:
///
/// | behavior | ticks after the stall (due times) |
/// |---|---|
/// | `Burst` (default) | 10, 20, 30 at once, then 40, 50, ... (catch up) |
/// | `Delay` | 10 at once, then 47, 57, ... (the schedule shifts) |
/// | `Skip` | 10 at once, then 40, 50, ... (missed ticks dropped, grid kept) |
///
/// ```
/// use robin_time::MissedTickBehavior;
/// assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks as fast as possible until caught up.
    #[default]
    Burst,
    /// Restart the period from the moment the late tick was observed.
    Delay,
    /// Skip the missed ticks; the next tick is the next multiple of the period.
    Skip,
}

impl MissedTickBehavior {
    /// The deadline after a tick that was due at `due` and observed at `now`.
    fn next(self, due: Instant, now: Instant, period: Duration) -> Instant {
        match self {
            MissedTickBehavior::Burst => due.saturating_add(period),
            MissedTickBehavior::Delay => now.saturating_add(period),
            MissedTickBehavior::Skip => {
                let late = now.duration_since(due).as_nanos();
                // `late % period < period`, so it fits a `Duration` whenever `period` does;
                // only a lateness beyond 584 years could make it not fit a u64.
                let into_period = u64::try_from(late % period.as_nanos())
                    .map(Duration::from_nanos)
                    .unwrap_or(Duration::ZERO);
                now.saturating_add(period - into_period)
            }
        }
    }
}

/// Ticks every `period`, the first tick completing at once.
///
/// # Panics
/// If `period` is zero; outside the context of a robin runtime with the time driver
/// (as [`sleep`](crate::sleep)).
///
/// ```
/// use std::time::Duration;
/// let rt = robin_runtime::runtime::Builder::new_current_thread()
///     .enable_all()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let mut iv = robin_time::interval(Duration::from_secs(10));
///     let t0 = iv.tick().await; // immediately
///     let t1 = iv.tick().await; // 10 s later on the paused clock
///     assert_eq!(t1 - t0, Duration::from_secs(10));
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
/// If `period` is zero; outside the context of a robin runtime with the time driver.
///
/// ```
/// use std::time::Duration;
/// let rt = robin_runtime::runtime::Builder::new_current_thread()
///     .enable_all()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let start = robin_time::Instant::now() + Duration::from_secs(5);
///     let mut iv = robin_time::interval_at(start, Duration::from_secs(1));
///     assert_eq!(iv.tick().await, start);
///     assert_eq!(iv.tick().await, start + Duration::from_secs(1));
/// });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(period > Duration::ZERO, "`period` must be non-zero.");
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// The stream of ticks of [`interval`] and [`interval_at`].
///
/// ```
/// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// use std::time::Duration;
/// let mut iv = robin_time::interval(Duration::from_millis(100));
/// let first = iv.tick().await;
/// assert_eq!(iv.tick().await - first, Duration::from_millis(100));
/// # });
/// ```
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was due. Cancel-safe: a tick
    /// is consumed only when this returns.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// use std::time::Duration;
    /// let start = robin_time::Instant::now();
    /// let mut iv = robin_time::interval(Duration::from_secs(2));
    /// assert_eq!(iv.tick().await, start);
    /// assert_eq!(iv.tick().await, start + Duration::from_secs(2));
    /// # });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick: `Ready(due)` consumes it, `Pending` registers `cx`'s
    /// waker (only the last one given is woken).
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// use std::time::Duration;
    /// let mut iv = robin_time::interval(Duration::from_secs(1));
    /// let first = std::future::poll_fn(|cx| iv.poll_tick(cx)).await;
    /// let ticked_again = std::future::poll_fn(|cx| std::task::Poll::Ready(iv.poll_tick(cx).is_ready())).await;
    /// assert!(!ticked_again, "the second tick is a period away");
    /// assert_eq!(first, robin_time::Instant::now());
    /// # });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let due = self.delay.deadline();
        let now = Instant::now();
        let next = if now.duration_since(due) > MISSED_TOLERANCE {
            self.missed_tick_behavior.next(due, now, self.period)
        } else {
            due.saturating_add(self.period)
        };
        Pin::new(&mut self.delay).reset(next);
        Poll::Ready(due)
    }

    /// Restarts the schedule: the next tick is one period from now (whatever the
    /// [`MissedTickBehavior`]). Same as `reset_at(Instant::now() + period)`.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// use std::time::Duration;
    /// let mut iv = robin_time::interval(Duration::from_millis(100));
    /// iv.tick().await;
    /// robin_time::sleep(Duration::from_millis(50)).await;
    /// iv.reset();
    /// let at = robin_time::Instant::now();
    /// assert_eq!(iv.tick().await, at + Duration::from_millis(100));
    /// # });
    /// ```
    pub fn reset(&mut self) {
        self.reset_at(Instant::now().saturating_add(self.period));
    }

    /// Makes the next tick complete at once; the ones after follow one period apart.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// use std::time::Duration;
    /// let mut iv = robin_time::interval(Duration::from_secs(60));
    /// iv.tick().await;
    /// iv.reset_immediately();
    /// let now = robin_time::Instant::now();
    /// assert_eq!(iv.tick().await, now, "no wait");
    /// assert_eq!(iv.tick().await, now + Duration::from_secs(60));
    /// # });
    /// ```
    pub fn reset_immediately(&mut self) {
        self.reset_at(Instant::now());
    }

    /// Makes the next tick complete `after` from now; the ones after follow one period
    /// apart. A huge `after` saturates (never).
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// use std::time::Duration;
    /// let mut iv = robin_time::interval(Duration::from_secs(10));
    /// iv.tick().await;
    /// let now = robin_time::Instant::now();
    /// iv.reset_after(Duration::from_secs(3));
    /// assert_eq!(iv.tick().await, now + Duration::from_secs(3));
    /// assert_eq!(iv.tick().await, now + Duration::from_secs(13));
    /// # });
    /// ```
    pub fn reset_after(&mut self, after: Duration) {
        self.reset_at(Instant::now().saturating_add(after));
    }

    /// Makes the next tick complete at `deadline` (at once if it has passed); the ones
    /// after follow one period apart.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// use std::time::Duration;
    /// let mut iv = robin_time::interval(Duration::from_secs(10));
    /// iv.tick().await;
    /// let at = robin_time::Instant::now() + Duration::from_secs(25);
    /// iv.reset_at(at);
    /// assert_eq!(iv.tick().await, at);
    /// assert_eq!(iv.tick().await, at + Duration::from_secs(10));
    /// # });
    /// ```
    pub fn reset_at(&mut self, deadline: Instant) {
        Pin::new(&mut self.delay).reset(deadline);
    }

    /// The policy for missed ticks ([`MissedTickBehavior::Burst`] unless set).
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # let _guard = rt.enter();
    /// let iv = robin_time::interval(std::time::Duration::from_secs(1));
    /// assert_eq!(iv.missed_tick_behavior(), robin_time::MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets the policy for missed ticks.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # let _guard = rt.enter();
    /// use robin_time::MissedTickBehavior;
    /// let mut iv = robin_time::interval(std::time::Duration::from_secs(1));
    /// iv.set_missed_tick_behavior(MissedTickBehavior::Skip);
    /// assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Skip);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # let _guard = rt.enter();
    /// use std::time::Duration;
    /// let iv = robin_time::interval(Duration::from_millis(250));
    /// assert_eq!(iv.period(), Duration::from_millis(250));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }
}

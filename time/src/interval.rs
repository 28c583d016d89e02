//! `Interval`: ticks at a fixed period, with a policy for ticks that were missed.
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
            MissedTickBehavior::Burst => due + period,
            MissedTickBehavior::Delay => now + period,
            MissedTickBehavior::Skip => {
                let late = now.duration_since(due).as_nanos();
                let period_ns = period.as_nanos();
                let into_period = (late % period_ns) as u64;
                now + period - Duration::from_nanos(into_period)
            }
        }
    }
}

/// Ticks every `period`, the first tick completing at once.
///
/// # Panics
/// If `period` is zero.
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
/// If `period` is zero.
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "robin_time::interval: `period` must be non-zero"
    );
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::default(),
    }
}

/// The stream of ticks of [`interval`] and [`interval_at`].
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was due. Cancel-safe.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let due = self.delay.deadline();
        let now = Instant::now();
        let next = if now.duration_since(due) > MISSED_TOLERANCE {
            self.missed_tick_behavior.next(due, now, self.period)
        } else {
            due + self.period
        };
        Pin::new(&mut self.delay).reset(next);
        Poll::Ready(due)
    }

    /// Restarts the schedule: the next tick is one period from now.
    pub fn reset(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now() + self.period);
    }

    /// Makes the next tick complete at once.
    pub fn reset_immediately(&mut self) {
        Pin::new(&mut self.delay).reset(Instant::now());
    }

    /// The policy for missed ticks.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Sets the policy for missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }
}

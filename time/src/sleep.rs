//! `Sleep`: a future that completes at a deadline.
//!
//! Owns the user-facing future over one `robin_runtime::time::Timer` (the driver's wheel
//! entry). A `Sleep` binds to the current runtime when it is created, as tokio's does.
use crate::Instant;
use robin_runtime::time::Timer;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Waits until `duration` has elapsed (at least that long: never early). Dropping the
/// future cancels the timer. A `duration` too long to represent (`Duration::MAX`)
/// saturates to a deadline about 30 years ahead: in practice, never.
///
/// # Panics
/// Outside the context of a robin runtime with the time driver (`enable_time` or
/// `enable_all`). As with tokio, `rt.block_on(sleep(d))` therefore panics (the sleep is
/// created before `block_on` enters the runtime), while
/// `rt.block_on(async { sleep(d).await })` does not.
///
/// ```
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let start = robin_time::Instant::now();
/// robin_time::sleep(std::time::Duration::from_millis(5)).await;
/// assert!(start.elapsed() >= std::time::Duration::from_millis(5));
/// # });
/// ```
///
/// ```should_panic
/// // No runtime entered on this thread.
/// let _ = robin_time::sleep(std::time::Duration::from_millis(5));
/// ```
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new(Instant::now().saturating_add(duration))
}

/// Waits until `deadline` (completes at once if it has passed).
///
/// # Panics
/// Outside the context of a robin runtime with the time driver, as [`sleep`].
///
/// ```
/// use std::time::Duration;
/// let rt = robin_runtime::runtime::Builder::new_current_thread()
///     .enable_all()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let deadline = robin_time::Instant::now() + Duration::from_secs(60);
///     robin_time::sleep_until(deadline).await;
///     assert_eq!(robin_time::Instant::now(), deadline);
/// });
/// ```
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// If the runtime shuts down before the deadline, the sleep completes (rather than
/// hanging a future that is polled outside the runtime); the runtime's own tasks are
/// cancelled at shutdown and never see this. (tokio panics in that case.)
///
/// ```
/// use std::time::Duration;
/// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// let sleep = robin_time::sleep(Duration::from_secs(1));
/// assert!(!sleep.is_elapsed());
/// sleep.await;
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    /// Bound to the runtime at creation; the wheel entry itself is only allocated on the
    /// first poll.
    timer: Timer,
    done: bool,
}

impl Sleep {
    #[track_caller]
    fn new(deadline: Instant) -> Sleep {
        match Timer::new(deadline.into_std()) {
            Ok(timer) => Sleep {
                deadline,
                timer,
                done: false,
            },
            Err(err) => panic!("robin::time: {err}"),
        }
    }

    /// The deadline.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # let _guard = rt.enter();
    /// let at = robin_time::Instant::now() + Duration::from_secs(5);
    /// assert_eq!(robin_time::sleep_until(at).deadline(), at);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (as the driver observed it).
    ///
    /// ```
    /// use std::time::Duration;
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let mut sleep = std::pin::pin!(robin_time::sleep(Duration::from_millis(10)));
    /// assert!(!sleep.is_elapsed());
    /// sleep.as_mut().await;
    /// assert!(sleep.is_elapsed());
    /// # });
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.done || self.timer.is_elapsed()
    }

    /// Moves the deadline, re-arming a sleep that already completed.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
    /// # rt.block_on(async {
    /// let start = robin_time::Instant::now();
    /// let mut sleep = std::pin::pin!(robin_time::sleep(Duration::from_secs(10)));
    /// sleep.as_mut().reset(start + Duration::from_secs(2));
    /// sleep.as_mut().await;
    /// assert_eq!(start.elapsed(), Duration::from_secs(2));
    /// # });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.deadline = deadline;
        this.done = false;
        this.timer.reset(deadline.into_std());
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(());
        }
        match this.timer.poll_elapsed(cx) {
            // Elapsed, or the runtime shut down (see the type docs).
            Poll::Ready(_) => {
                this.done = true;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

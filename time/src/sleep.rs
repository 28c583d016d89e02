//! `Sleep`: a future that completes at a deadline.
use crate::Instant;
use robin_runtime::time::Timer;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Waits until `duration` has elapsed (at least that long: never early). Dropping the
/// future cancels the timer.
///
/// ```
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// let start = robin_time::Instant::now();
/// robin_time::sleep(std::time::Duration::from_millis(5)).await;
/// assert!(start.elapsed() >= std::time::Duration::from_millis(5));
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    Sleep::new(deadline)
}

/// Waits until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future of [`sleep`] and [`sleep_until`].
///
/// If the runtime shuts down before the deadline, the sleep completes (rather than
/// hanging a future that is polled outside the runtime); the runtime's own tasks are
/// cancelled at shutdown and never see this.
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    timer: Option<Timer>,
    done: bool,
}

impl Sleep {
    fn new(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            // Binds to the current runtime now (the wheel entry itself is only allocated on
            // the first poll); if there is none yet, on the first poll.
            timer: Timer::new(deadline.into_std()).ok(),
            done: false,
        }
    }

    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (as the driver observed it).
    pub fn is_elapsed(&self) -> bool {
        self.done || self.timer.as_ref().is_some_and(Timer::is_elapsed)
    }

    /// Moves the deadline, re-arming a sleep that already completed.
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.deadline = deadline;
        this.done = false;
        match &mut this.timer {
            Some(timer) => timer.reset(deadline.into_std()),
            None => this.timer = Timer::new(deadline.into_std()).ok(),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(());
        }
        if this.timer.is_none() {
            match Timer::new(this.deadline.into_std()) {
                Ok(timer) => this.timer = Some(timer),
                Err(err) => panic!(
                    "robin_time::Sleep polled outside a robin runtime with the time driver: {err}"
                ),
            }
        }
        let timer = this.timer.as_mut().expect("set above");
        match timer.poll_elapsed(cx) {
            // Elapsed, or the runtime shut down (see the type docs).
            Poll::Ready(_) => {
                this.done = true;
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

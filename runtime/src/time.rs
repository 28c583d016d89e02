//! Timers and the clock on the runtime's driver: the building block of `robin::time`.
//!
//! A [`Timer`] is one entry of the driver's hierarchical wheel (`driver/wheel.rs`):
//! 1 ms resolution, O(1) insert and cancel, never fires before its deadline. Dropping a
//! `Timer` removes its entry. The clock can be paused on a current-thread runtime for
//! tests ([`pause`], [`advance`], [`resume`]); an idle runtime with a paused clock jumps
//! straight to its next timer.
use crate::driver::{self, timer::TimerShared};
use crate::loom::sync::Arc;
use crate::runtime::Handle;
use std::io;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A deadline registered with a runtime's timer wheel.
#[derive(Debug)]
pub struct Timer {
    driver: Arc<driver::Handle>,
    shared: Arc<TimerShared>,
    deadline: Instant,
    registered: bool,
}

impl std::fmt::Debug for TimerShared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerShared")
            .field("state", &self.state())
            .finish()
    }
}

/// Why a timer could not be used.
#[derive(Debug)]
pub enum TimerError {
    /// The runtime shut down before the deadline.
    Shutdown,
}

impl std::fmt::Display for TimerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the robin runtime's timer driver has shut down")
    }
}

impl std::error::Error for TimerError {}

fn current_driver() -> io::Result<Arc<driver::Handle>> {
    let handle = Handle::try_current().map_err(|e| io::Error::other(e.to_string()))?;
    driver_of(&handle)
}

fn driver_of(handle: &Handle) -> io::Result<Arc<driver::Handle>> {
    handle.inner.driver().cloned().ok_or_else(|| {
        io::Error::other("the robin runtime was built without the time driver: use Builder::enable_time or enable_all")
    })
}

impl Timer {
    /// A timer for `deadline` on the current runtime. It is filed on its first poll.
    pub fn new(deadline: Instant) -> io::Result<Timer> {
        Ok(Timer {
            driver: current_driver()?,
            shared: Arc::new(TimerShared::default()),
            deadline,
            registered: false,
        })
    }

    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (as observed by the driver).
    pub fn is_elapsed(&self) -> bool {
        self.shared.state() == driver::timer::FIRED
    }

    /// Moves the deadline; the timer is re-filed on its next poll.
    pub fn reset(&mut self, deadline: Instant) {
        if self.registered {
            self.driver.remove_timer(&self.shared);
            self.registered = false;
        }
        // A fresh entry: a fired one must not report the old deadline as elapsed.
        self.shared = Arc::new(TimerShared::default());
        self.deadline = deadline;
    }

    /// Ready once the deadline has passed; `Err` if the runtime shut down first.
    pub fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TimerError>> {
        let coop = match robin_sync::coop::poll_proceed(cx) {
            Poll::Ready(coop) => coop,
            Poll::Pending => return Poll::Pending,
        };
        if !self.registered {
            let tick = self.driver.clock.deadline_to_tick(self.deadline);
            match self.driver.insert_timer(&self.shared, tick) {
                Ok(true) => self.registered = true,
                Ok(false) => {
                    coop.made_progress();
                    return Poll::Ready(Ok(()));
                }
                Err(_) => return Poll::Ready(Err(TimerError::Shutdown)),
            }
        }
        match self.shared.poll_fired(cx) {
            Poll::Ready(state) => {
                self.registered = false;
                coop.made_progress();
                if state == driver::timer::SHUTDOWN {
                    Poll::Ready(Err(TimerError::Shutdown))
                } else {
                    Poll::Ready(Ok(()))
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if self.registered {
            self.driver.remove_timer(&self.shared);
        }
    }
}

/// The current runtime's notion of now (paused-clock aware); the real clock outside a
/// runtime or on one without the time driver.
pub fn now() -> Instant {
    match current_driver() {
        Ok(driver) => driver.clock.now(),
        Err(_) => Instant::now(),
    }
}

fn test_clock() -> Arc<driver::Handle> {
    let handle = Handle::try_current().expect("time::pause/advance/resume need a robin runtime");
    assert!(
        handle.runtime_flavor() == crate::runtime::RuntimeFlavor::CurrentThread,
        "the paused test clock is only available on the current-thread runtime"
    );
    driver_of(&handle).expect("the paused test clock needs the time driver (enable_time)")
}

/// Freezes the current runtime's clock (current-thread runtimes only). While frozen and
/// idle, the runtime jumps the clock to the next timer instead of sleeping.
///
/// # Panics
/// Outside a current-thread runtime with the time driver, or if already paused.
#[track_caller]
pub fn pause() {
    assert!(
        test_clock().clock.pause(),
        "time::pause(): the clock is already paused"
    );
}

/// Lets the paused clock run again.
///
/// # Panics
/// If the clock is not paused.
#[track_caller]
pub fn resume() {
    assert!(
        test_clock().clock.resume(),
        "time::resume(): the clock is not paused"
    );
}

/// Moves the paused clock forward by `by` (timers due by then fire when the runtime
/// next turns its driver; `robin::time::advance` awaits that).
///
/// # Panics
/// If the clock is not paused.
#[track_caller]
pub fn advance_clock(by: Duration) {
    assert!(
        test_clock().clock.advance(by),
        "time::advance(): the clock is not paused"
    );
}

/// Timers currently filed in the current runtime's wheel (for tests).
pub fn num_timers() -> usize {
    current_driver().map_or(0, |d| d.num_timers())
}

//! Timers and the clock on the runtime's driver: the building block of `robin::time`.
//!
//! A [`Timer`] is one entry of the driver's hierarchical wheel (`driver/time/wheel.rs`):
//! 1 ms resolution, O(1) insert and cancel, never fires before its deadline. Dropping a
//! `Timer` removes its entry. The clock can be paused on a current-thread runtime for
//! tests ([`pause`], [`advance_clock`], [`resume`]); an idle runtime with a paused clock jumps
//! straight to its next timer.
//!
//! Layer: runtime (it finds the driver through the current handle); the wheel and clock
//! themselves are `driver/time/`.
use crate::driver::{self, time::timer::TimerShared};
use crate::engine::diag::WaitTag;
use crate::loom::sync::Arc;
use crate::runtime::Handle;
use crate::{context, scheduler};
use std::io;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A deadline registered with a runtime's timer wheel.
#[derive(Debug)]
pub struct Timer {
    driver: Arc<driver::Handle>,
    /// The wheel entry, allocated when the timer is first filed: a timer that is never
    /// polled (a `timeout` around a ready future) costs no allocation.
    shared: Option<Arc<TimerShared>>,
    deadline: Instant,
    registered: bool,
    /// `poll_elapsed` returned `Ready(Ok)` (the entry may never have been filed).
    elapsed: bool,
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
    with_current_driver(Arc::clone)
}

/// Runs `f` on the current runtime's driver, or says why there is none.
fn with_current_driver<R>(f: impl FnOnce(&Arc<driver::Handle>) -> R) -> io::Result<R> {
    context::with_handle(|handle| match handle {
        Some(handle) => driver_of(handle).map(f),
        None => Err(io::Error::other(
            crate::runtime::TryCurrentError::missing().to_string(),
        )),
    })
}

fn driver_of(handle: &scheduler::Handle) -> io::Result<&Arc<driver::Handle>> {
    handle.driver().filter(|driver| driver.enable_time).ok_or_else(|| {
        io::Error::other("the robin runtime was built without the time driver: use Builder::enable_time or enable_all")
    })
}

/// Checks that a runtime with the time driver is current, with the error
/// [`Timer::new`] would give, but without binding to it (no reference count taken):
/// cheap enough for a `timeout` to check eagerly, as tokio's does, and bind lazily.
pub fn check_current() -> io::Result<()> {
    with_current_driver(|_| ())
}

impl Timer {
    /// A timer for `deadline` on the current runtime. It is filed on its first poll.
    pub fn new(deadline: Instant) -> io::Result<Timer> {
        Ok(Timer {
            driver: current_driver()?,
            shared: None,
            deadline,
            registered: false,
            elapsed: false,
        })
    }

    /// The deadline.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed (as observed by the driver).
    pub fn is_elapsed(&self) -> bool {
        self.elapsed
            || self
                .shared
                .as_ref()
                .is_some_and(|s| s.state() == driver::time::timer::FIRED)
    }

    /// Moves the deadline; the timer is re-filed on its next poll.
    pub fn reset(&mut self, deadline: Instant) {
        if self.registered {
            if let Some(shared) = &self.shared {
                self.driver.remove_timer(shared);
            }
            self.registered = false;
        }
        // A fresh entry on the next poll: a fired one must not report the old deadline.
        self.shared = None;
        self.elapsed = false;
        self.deadline = deadline;
    }

    /// Ready once the deadline has passed; `Err` if the runtime shut down first.
    pub fn poll_elapsed(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TimerError>> {
        let coop = match robin_sync::coop::poll_proceed(cx) {
            Poll::Ready(coop) => coop,
            Poll::Pending => return Poll::Pending,
        };
        if let Some(shared) = &self.shared {
            if !self.registered && shared.state() == driver::time::timer::FIRED {
                coop.made_progress();
                return Poll::Ready(Ok(()));
            }
        }
        if !self.registered {
            let tick = self.driver.clock.deadline_to_tick(self.deadline);
            let shared = self.shared.insert(Arc::new(TimerShared::default()));
            match self
                .driver
                .insert_timer(shared, tick, context::thread_number())
            {
                Ok(true) => self.registered = true,
                Ok(false) => {
                    self.elapsed = true;
                    coop.made_progress();
                    return Poll::Ready(Ok(()));
                }
                Err(_) => return Poll::Ready(Err(TimerError::Shutdown)),
            }
        }
        let shared = self.shared.as_ref().expect("filed above");
        match shared.poll_fired(cx) {
            Poll::Ready(state) => {
                self.registered = false;
                coop.made_progress();
                if state == driver::time::timer::SHUTDOWN {
                    Poll::Ready(Err(TimerError::Shutdown))
                } else {
                    self.elapsed = true;
                    Poll::Ready(Ok(()))
                }
            }
            Poll::Pending => {
                crate::engine::diag::tag(cx.waker(), WaitTag::Timer(self.deadline));
                Poll::Pending
            }
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if self.registered {
            if let Some(shared) = &self.shared {
                self.driver.remove_timer(shared);
            }
        }
    }
}

/// The current runtime's notion of now (paused-clock aware); the real clock outside a
/// runtime or on one without the time driver.
pub fn now() -> Instant {
    context::with_handle(|handle| match handle.and_then(|h| h.driver()) {
        Some(driver) => driver.clock.now(),
        None => Instant::now(),
    })
}

fn test_clock() -> Arc<driver::Handle> {
    let handle = Handle::try_current().expect("time::pause/advance/resume need a robin runtime");
    assert!(
        handle.runtime_flavor() == crate::runtime::RuntimeFlavor::CurrentThread,
        "the paused test clock is only available on the current-thread runtime"
    );
    driver_of(&handle.inner)
        .expect("the paused test clock needs the time driver (enable_time)")
        .clone()
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

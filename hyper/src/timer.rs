//! [`RobinTimer`]: hyper's `rt::Timer` over `robin_time::Sleep`.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// hyper's timer on robin's timer wheel (so hyper's timeouts follow robin's clock).
///
/// ```
/// use hyper::rt::Timer;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let start = std::time::Instant::now();
///     robin_hyper::RobinTimer::new().sleep(std::time::Duration::from_millis(5)).await;
///     assert!(start.elapsed() >= std::time::Duration::from_millis(5));
/// });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RobinTimer {
    _priv: (),
}

impl RobinTimer {
    /// A timer for the current robin runtime (it binds when a sleep is created).
    pub fn new() -> RobinTimer {
        RobinTimer { _priv: () }
    }
}

impl hyper::rt::Timer for RobinTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(RobinSleep {
            inner: robin_time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(RobinSleep {
            inner: robin_time::sleep_until(robin_time::Instant::from_std(deadline)),
        })
    }

    fn now(&self) -> Instant {
        // robin's clock, which a test may have paused.
        robin_time::Instant::now().into_std()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<RobinSleep>() {
            Some(ours) => ours.reset(new_deadline),
            // Not one of ours (hyper only hands back what `sleep*` returned): replace it.
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// A `robin_time::Sleep` as a `hyper::rt::Sleep`.
#[derive(Debug)]
pub struct RobinSleep {
    inner: robin_time::Sleep,
}

impl RobinSleep {
    /// Moves the deadline (re-arming it if it already fired).
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        Pin::new(&mut self.get_mut().inner).reset(robin_time::Instant::from_std(deadline));
    }
}

impl Future for RobinSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.get_mut().inner).poll(cx)
    }
}

impl hyper::rt::Sleep for RobinSleep {}

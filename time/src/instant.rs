//! `Instant`: a point in time on the runtime's clock (which may be paused in tests).
//!
//! Owns the conversion to and from `std::time::Instant` and the "never" deadline that
//! overflowing additions saturate to; reads the clock through `robin_runtime::time::now`.
use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A measurement of the runtime's monotonic clock. Equal to `std::time::Instant` except
/// that [`Instant::now`] follows the paused test clock when one is in use.
///
/// ```
/// use std::time::Duration;
/// let a = robin_time::Instant::now();
/// let b = a + Duration::from_millis(5);
/// assert!(b > a);
/// assert_eq!(b - a, Duration::from_millis(5));
/// assert_eq!(a - b, Duration::ZERO, "subtraction saturates, as tokio's");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(std::time::Instant);

/// How far ahead "never" is: about 30 years, as tokio's far-future deadline.
const FAR_FUTURE: Duration = Duration::from_secs(86400 * 365 * 30);

impl Instant {
    /// The current runtime's now (real time outside a runtime).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_current_thread()
    ///     .enable_all()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     // The clock is paused: now does not move on its own.
    ///     let a = robin_time::Instant::now();
    ///     std::thread::sleep(std::time::Duration::from_millis(2));
    ///     assert_eq!(robin_time::Instant::now(), a);
    /// });
    /// ```
    pub fn now() -> Instant {
        Instant(robin_runtime::time::now())
    }

    /// Wraps a `std` instant.
    ///
    /// ```
    /// let std_now = std::time::Instant::now();
    /// assert_eq!(robin_time::Instant::from_std(std_now).into_std(), std_now);
    /// ```
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant(std)
    }

    /// The `std` instant.
    ///
    /// ```
    /// let now = robin_time::Instant::now();
    /// let std: std::time::Instant = now.into_std();
    /// assert_eq!(robin_time::Instant::from(std), now);
    /// ```
    pub fn into_std(self) -> std::time::Instant {
        self.0
    }

    /// Time from `earlier` to `self` (zero if `earlier` is later).
    ///
    /// ```
    /// use std::time::Duration;
    /// let a = robin_time::Instant::now();
    /// let b = a + Duration::from_secs(2);
    /// assert_eq!(b.duration_since(a), Duration::from_secs(2));
    /// assert_eq!(a.duration_since(b), Duration::ZERO);
    /// ```
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    ///
    /// ```
    /// use std::time::Duration;
    /// let a = robin_time::Instant::now();
    /// let b = a + Duration::from_secs(2);
    /// assert_eq!(b.checked_duration_since(a), Some(Duration::from_secs(2)));
    /// assert_eq!(a.checked_duration_since(b), None);
    /// ```
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.0.checked_duration_since(earlier.0)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    ///
    /// ```
    /// use std::time::Duration;
    /// let a = robin_time::Instant::now();
    /// let b = a + Duration::from_secs(2);
    /// assert_eq!(b.saturating_duration_since(a), Duration::from_secs(2));
    /// assert_eq!(a.saturating_duration_since(b), Duration::ZERO);
    /// ```
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// Time elapsed since `self`, on the runtime's clock.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_current_thread()
    ///     .enable_all()
    ///     .start_paused(true)
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     let start = robin_time::Instant::now();
    ///     robin_time::advance(std::time::Duration::from_secs(7)).await;
    ///     assert_eq!(start.elapsed(), std::time::Duration::from_secs(7));
    /// });
    /// ```
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, or `None` on overflow.
    ///
    /// ```
    /// use std::time::Duration;
    /// let now = robin_time::Instant::now();
    /// assert_eq!(now.checked_add(Duration::from_secs(1)), Some(now + Duration::from_secs(1)));
    /// assert_eq!(now.checked_add(Duration::MAX), None);
    /// ```
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.0.checked_add(duration).map(Instant)
    }

    /// `self - duration`, or `None` on underflow.
    ///
    /// ```
    /// use std::time::Duration;
    /// let now = robin_time::Instant::now();
    /// assert_eq!(now.checked_sub(Duration::ZERO), Some(now));
    /// assert_eq!(now.checked_sub(Duration::MAX), None);
    /// ```
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.0.checked_sub(duration).map(Instant)
    }

    /// An instant about 30 years ahead: "never", for deadlines that should not fire.
    pub(crate) fn far_future() -> Instant {
        Instant::now() + FAR_FUTURE
    }

    /// `self + duration`, saturated at [`Instant::far_future`] (or `self`, if that is
    /// later) instead of panicking on overflow: deadlines computed from user durations
    /// (`Duration::MAX` means "never") go through this.
    pub(crate) fn saturating_add(self, duration: Duration) -> Instant {
        self.checked_add(duration)
            .unwrap_or_else(|| Instant::far_future().max(self))
    }
}

impl fmt::Debug for Instant {
    /// Formats as the `std` instant does.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(i: Instant) -> std::time::Instant {
        i.0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// On overflow, as `std::time::Instant + Duration` (use [`Instant::checked_add`]).
    fn add(self, rhs: Duration) -> Instant {
        Instant(self.0 + rhs)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        self.0 += rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// # Panics
    /// On underflow, as `std::time::Instant - Duration` (use [`Instant::checked_sub`]).
    fn sub(self, rhs: Duration) -> Instant {
        Instant(self.0 - rhs)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, rhs: Duration) {
        self.0 -= rhs;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturates at zero, as [`Instant::duration_since`].
    fn sub(self, rhs: Instant) -> Duration {
        self.duration_since(rhs)
    }
}

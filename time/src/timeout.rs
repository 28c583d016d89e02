//! `timeout`: bound how long a future may take.
//!
//! Owns the [`Timeout`] combinator (a future raced against a [`Sleep`]).
use crate::error::Elapsed;
use crate::{sleep_until, Instant, Sleep};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Runs `future` for at most `duration`: `Ok(output)` if it completes first, `Err(Elapsed)`
/// otherwise (the future is then dropped). A future that is ready at once always wins,
/// even with a zero duration, and never touches the timer wheel. A `duration` too long
/// to represent saturates (never fires).
///
/// # Panics
/// Outside the context of a robin runtime with the time driver, at the call, as
/// tokio's (so `rt.block_on(timeout(d, f))` panics, while
/// `rt.block_on(async { timeout(d, f).await })` does not). The deadline is computed at
/// the call too. The check takes no reference on the runtime: the timer itself binds
/// and is filed only when `future` is first pending, so a `timeout` around a ready
/// future never touches the wheel.
///
/// ```
/// use std::time::Duration;
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// assert_eq!(robin_time::timeout(Duration::from_secs(1), async { 5 }).await, Ok(5));
/// let never = std::future::pending::<()>();
/// assert!(robin_time::timeout(Duration::from_millis(1), never).await.is_err());
/// # });
/// ```
#[track_caller]
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    timeout_at(Instant::now().saturating_add(duration), future)
}

/// Runs `future` until `deadline` at most.
///
/// # Panics
/// As [`timeout`]: at the call, outside the context of a robin runtime with the time
/// driver.
///
/// ```
/// use std::time::Duration;
/// let rt = robin_runtime::runtime::Builder::new_current_thread()
///     .enable_all()
///     .start_paused(true)
///     .build()
///     .unwrap();
/// rt.block_on(async {
///     let deadline = robin_time::Instant::now() + Duration::from_secs(3);
///     let slow = robin_time::sleep(Duration::from_secs(10));
///     assert!(robin_time::timeout_at(deadline, slow).await.is_err());
///     assert_eq!(robin_time::Instant::now(), deadline);
/// });
/// ```
#[track_caller]
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    if let Err(err) = robin_runtime::time::check_current() {
        panic!("robin::time: {err}");
    }
    Timeout {
        value: future.into_future(),
        deadline,
        delay: None,
    }
}

/// The future of [`timeout`] and [`timeout_at`].
///
/// ```
/// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// # rt.block_on(async {
/// use std::time::Duration;
/// let t = robin_time::timeout(Duration::from_secs(1), async { "done" });
/// assert_eq!(t.await, Ok("done"));
/// # });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Timeout<F> {
    value: F,
    deadline: Instant,
    /// Armed the first time `value` is pending: a future that is ready at once (the
    /// common case on a fast path) never takes a reference on the runtime nor touches
    /// the wheel. (The runtime was checked at creation, as tokio does.)
    delay: Option<Sleep>,
}

impl<F> Timeout<F> {
    /// The wrapped future.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # let _guard = rt.enter();
    /// let t = robin_time::timeout(std::time::Duration::from_secs(1), std::future::ready(3));
    /// assert!(matches!(t.get_ref(), std::future::Ready { .. }));
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// The wrapped future, mutably.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let mut t = robin_time::timeout(std::time::Duration::from_secs(1), std::future::ready(3));
    /// let inner: &mut std::future::Ready<i32> = t.get_mut();
    /// assert_eq!(inner.await, 3);
    /// # });
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.value
    }

    /// The wrapped future, dropping the timer.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let t = robin_time::timeout(std::time::Duration::from_secs(1), async { 4 });
    /// assert_eq!(t.into_inner().await, 4);
    /// # });
    /// ```
    pub fn into_inner(self) -> F {
        self.value
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `value` is structurally pinned: nothing moves it out of a pinned
        // `Timeout` (`into_inner` takes `self` by value, which a pinned `Timeout` only
        // allows when it is `Unpin`, i.e. `F: Unpin`), and `Timeout` has no `Drop` impl.
        // `delay` is `Unpin` and is not treated as pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above: `value` stays where it is for as long as `self` is pinned.
        let value = unsafe { Pin::new_unchecked(&mut this.value) };
        if let Poll::Ready(output) = value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // Even when the inner future exhausted the task's budget, the deadline must be
        // able to fire, or a busy future could never time out.
        let deadline = this.deadline;
        let delay = Pin::new(this.delay.get_or_insert_with(|| sleep_until(deadline)));
        match robin_sync::coop::with_unconstrained(|| delay.poll(cx)) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed::new())),
            Poll::Pending => Poll::Pending,
        }
    }
}

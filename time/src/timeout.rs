//! `timeout`: bound how long a future may take.
use crate::error::Elapsed;
use crate::{sleep_until, Instant, Sleep};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Runs `future` for at most `duration`: `Ok(output)` if it completes first, `Err(Elapsed)`
/// otherwise (the future is then dropped). A future that is ready at once always wins.
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
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    let deadline = Instant::now()
        .checked_add(duration)
        .unwrap_or_else(Instant::far_future);
    timeout_at(deadline, future)
}

/// Runs `future` until `deadline` at most.
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        value: future,
        deadline,
        delay: None,
    }
}

/// The future of [`timeout`] and [`timeout_at`].
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Timeout<F> {
    value: F,
    deadline: Instant,
    /// Armed the first time `value` is pending: a future that is ready at once (the
    /// common case on a fast path) never touches the timer wheel.
    delay: Option<Sleep>,
}

impl<F> Timeout<F> {
    /// The wrapped future.
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// The wrapped future, mutably.
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.value
    }

    /// The wrapped future, dropping the timer.
    pub fn into_inner(self) -> F {
        self.value
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `value` is structurally pinned: it is never moved out of a pinned
        // `Timeout` (only `into_inner`, which takes `self` by value and so requires
        // `Timeout: Unpin`, i.e. `F: Unpin`), and `Timeout` has no `Drop` impl. `delay`
        // is `Unpin` and is not treated as pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: see above: `value` stays where it is for as long as `self` is pinned.
        let value = unsafe { Pin::new_unchecked(&mut this.value) };
        if let Poll::Ready(output) = value.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        // Even when the inner future exhausted the task's budget, the deadline must be
        // able to fire, or a busy future could never time out.
        let deadline = this.deadline;
        let delay = this.delay.get_or_insert_with(|| sleep_until(deadline));
        match robin_sync::coop::with_unconstrained(|| Pin::new(delay).poll(cx)) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed::new())),
            Poll::Pending => Poll::Pending,
        }
    }
}

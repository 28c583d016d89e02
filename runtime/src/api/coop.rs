//! Cooperative scheduling (the public `robin::task::coop`, at tokio's paths).
//!
//! Every task poll gets a budget of operations on robin's resources (channels, locks,
//! sockets, join handles: `robin_sync::coop`); once it is spent, those resources return
//! `Pending` (after waking the task) so one busy task cannot hog its worker. This module
//! lets a task spend budget on its own work ([`consume_budget`]), ask whether any is
//! left ([`has_budget_remaining`]), or opt a future out ([`unconstrained`]).
//!
//! Layer: api.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Spends one unit of the task's budget, yielding to the scheduler first if the budget
/// is exhausted. For loops that do their own work between awaits on things that are
/// always ready.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let sum = rt.block_on(async {
///     let mut sum = 0u64;
///     for i in 0..1000 {
///         sum += i;
///         robin_runtime::task::consume_budget().await;
///     }
///     sum
/// });
/// assert_eq!(sum, 499_500);
/// ```
pub async fn consume_budget() {
    std::future::poll_fn(|cx| match robin_sync::coop::poll_proceed(cx) {
        Poll::Ready(unit) => {
            unit.made_progress();
            Poll::Ready(())
        }
        Poll::Pending => Poll::Pending,
    })
    .await
}

/// Whether the current task may still perform an operation without being made to
/// yield (always `true` outside a robin task).
///
/// ```
/// assert!(robin_runtime::task::coop::has_budget_remaining());
/// ```
pub fn has_budget_remaining() -> bool {
    robin_sync::coop::has_budget_remaining()
}

/// Runs `future` without a cooperative budget: robin's resources never force it to
/// yield. Use sparingly: an unconstrained task that is always ready starves the others
/// on its worker.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
/// for i in 0..1000 {
///     tx.send(i).unwrap();
/// }
/// drop(tx);
/// let n = rt.block_on(robin_runtime::task::unconstrained(async move {
///     let mut n = 0;
///     while rx.recv().await.is_some() {
///         n += 1;
///     }
///     n
/// }));
/// assert_eq!(n, 1000);
/// ```
pub fn unconstrained<F: Future>(future: F) -> Unconstrained<F> {
    Unconstrained { inner: future }
}

/// The future returned by [`unconstrained`].
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Unconstrained<F> {
    /// Structurally pinned.
    inner: F,
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of `self`,
        // `Unconstrained` has no `Drop` impl, and it is `Unpin` only when `F` is.
        let inner = unsafe { self.map_unchecked_mut(|u| &mut u.inner) };
        robin_sync::coop::with_unconstrained(|| inner.poll(cx))
    }
}

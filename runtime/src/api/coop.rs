//! `task::coop`: opting into and out of the cooperative budget, at tokio's paths.
//!
//! Every task poll on a robin runtime gets a budget of operations (robin-sync's
//! `coop`, which the schedulers set around each poll); robin's resources spend one unit
//! per operation and return `Pending` once it is gone, so that one busy task cannot starve
//! the others on its thread. This module lets a user's code take part: spend budget in
//! a loop of its own ([`consume_budget`], [`cooperative`]), look at it
//! ([`has_budget_remaining`]), or run a future outside it ([`unconstrained`]).
//!
//! Layer: api. Imports only robin-sync's `coop` (the budget itself).
use robin_sync::coop as budget;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

/// Whether the current task may still perform a budgeted operation in this poll without
/// being made to yield. Always `true` outside a robin runtime, or inside
/// [`unconstrained`].
///
/// ```
/// robin_runtime::runtime::Runtime::new().unwrap().block_on(async {
///     assert!(robin_runtime::task::coop::has_budget_remaining());
/// });
/// ```
pub fn has_budget_remaining() -> bool {
    budget::has_budget_remaining()
}

/// Spends one unit of the task's budget, yielding to the scheduler first if it is
/// exhausted. For a loop that does CPU work without touching any robin resource (which
/// would spend budget for it), so it still lets other tasks run.
///
/// ```
/// robin_runtime::runtime::Runtime::new().unwrap().block_on(async {
///     let mut sum = 0u64;
///     for i in 0..10_000u64 {
///         sum += i;
///         // Yields now and then, when the budget runs out.
///         robin_runtime::task::consume_budget().await;
///     }
///     assert_eq!(sum, 49_995_000);
/// });
/// ```
pub async fn consume_budget() {
    std::future::poll_fn(|cx| {
        ready!(budget::poll_proceed(cx)).made_progress();
        Poll::Ready(())
    })
    .await
}

/// The future of [`unconstrained`]: `inner`, polled with no budget.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Unconstrained<F> {
    inner: F,
}

impl<F: Future> Future for Unconstrained<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `inner` is structurally pinned: it is never moved out of `self` and
        // never handed out unpinned (no other method touches it; `Unconstrained` has no
        // `Drop` impl and is `Unpin` only if `F` is).
        let inner = unsafe { self.map_unchecked_mut(|this| &mut this.inner) };
        budget::with_unconstrained(|| inner.poll(cx))
    }
}

/// Runs `inner` outside the cooperative budget: robin's resources it uses never make it
/// yield for lack of budget. Use with care: such a future can starve the other tasks of
/// its thread if it never finds a resource pending.
///
/// ```
/// use robin_runtime::task;
/// robin_runtime::runtime::Runtime::new().unwrap().block_on(async {
///     let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
///     for i in 0..1000 {
///         tx.send(i).unwrap();
///     }
///     drop(tx);
///     // Receives all 1000 in one poll, never yielding for budget.
///     let n = task::unconstrained(async move {
///         let mut n = 0;
///         while rx.recv().await.is_some() {
///             assert!(task::coop::has_budget_remaining());
///             n += 1;
///         }
///         n
///     })
///     .await;
///     assert_eq!(n, 1000);
/// });
/// ```
pub fn unconstrained<F: Future>(inner: F) -> Unconstrained<F> {
    Unconstrained { inner }
}

/// The future of [`cooperative`]: `inner`, spending one unit of budget per poll.
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct Coop<F> {
    inner: F,
}

impl<F: Future> Future for Coop<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let proceed = ready!(budget::poll_proceed(cx));
        // SAFETY: `inner` is structurally pinned, as in `Unconstrained::poll`: never
        // moved out, never handed out unpinned, no `Drop` impl on `Coop`.
        let inner = unsafe { self.map_unchecked_mut(|this| &mut this.inner) };
        let out = inner.poll(cx);
        if out.is_ready() {
            // Completed: the unit stays spent (a pending poll gets it refunded).
            proceed.made_progress();
        }
        out
    }
}

/// Makes `inner` take part in the budget: each poll first spends one unit, yielding to
/// the scheduler when the budget is exhausted. For a future that is always ready (a
/// user-written resource) in a loop.
///
/// ```
/// use robin_runtime::task::coop::cooperative;
/// robin_runtime::runtime::Runtime::new().unwrap().block_on(async {
///     let mut n = 0;
///     for _ in 0..1000 {
///         n += cooperative(async { 1 }).await;
///     }
///     assert_eq!(n, 1000);
/// });
/// ```
pub fn cooperative<F: Future>(inner: F) -> Coop<F> {
    Coop { inner }
}

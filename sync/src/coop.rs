//! Cooperative scheduling budget.
//!
//! A task that always finds its channel ready or its lock free could run forever inside a
//! single `poll`, starving every other task on its worker. To prevent that, robin's
//! runtime gives each task poll a budget of [`INITIAL`] operations ([`with_budget`]); every
//! robin resource (channel receive/send, lock, semaphore, join handle, socket) spends one
//! unit per operation through [`poll_proceed`], and once the budget is exhausted it returns
//! `Pending` after waking the task, so the worker can run something else first.
//!
//! The budget lives in a thread-local that only the runtime sets. Under any other
//! executor (tokio, `futures::executor`) no budget is set and [`poll_proceed`] always
//! proceeds: the primitives stay runtime-agnostic.
//!
//! This module sits in `robin-sync` because the dependency rule of the workspace is that
//! `robin-runtime` may depend on `robin-sync` and not the other way round; both need it.
use std::cell::Cell;
use std::task::{Context, Poll};

/// Operations a task may perform in one poll before robin's resources yield.
pub const INITIAL: u8 = 128;

thread_local! {
    /// `None`: unconstrained (no runtime poll in progress). `Some(n)`: n units left.
    static BUDGET: Cell<Option<u8>> = const { Cell::new(None) };
}

/// Runs `f` with a fresh budget of [`INITIAL`] units, restoring the previous budget
/// afterwards, even if `f` panics. The runtime calls this around every task poll.
pub fn with_budget<R>(f: impl FnOnce() -> R) -> R {
    with_budget_value(Some(INITIAL), f)
}

/// Runs `f` with no budget at all (`f` is never forced to yield).
pub fn with_unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with_budget_value(None, f)
}

fn with_budget_value<R>(value: Option<u8>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<u8>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0;
            let _ = BUDGET.try_with(|b| b.set(prev));
        }
    }
    let prev = BUDGET.try_with(|b| b.replace(value)).unwrap_or(None);
    let _restore = Restore(prev);
    f()
}

/// Whether the current task may still perform an operation without yielding.
pub fn has_budget_remaining() -> bool {
    BUDGET
        .try_with(|b| b.get().is_none_or(|n| n > 0))
        .unwrap_or(true)
}

/// Spends one unit of budget, or returns `Pending` (after waking the task so it is
/// polled again) when the budget is exhausted.
///
/// The returned [`Proceed`] refunds the unit when dropped, unless
/// [`Proceed::made_progress`] is called: an operation that ends up `Pending` anyway should
/// not count against the task.
#[inline]
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<Proceed> {
    let spent = BUDGET
        .try_with(|b| match b.get() {
            None => Some(false),
            Some(0) => None,
            Some(n) => {
                b.set(Some(n - 1));
                Some(true)
            }
        })
        .unwrap_or(Some(false));
    match spent {
        Some(charged) => Poll::Ready(Proceed { charged }),
        None => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// One unit of budget, spent by [`poll_proceed`].
#[derive(Debug)]
#[must_use = "drop refunds the unit; call made_progress() once the operation completed"]
pub struct Proceed {
    charged: bool,
}

impl Proceed {
    /// Keeps the unit spent: the operation completed.
    pub fn made_progress(mut self) {
        self.charged = false;
    }
}

impl Drop for Proceed {
    fn drop(&mut self) {
        if self.charged {
            let _ = BUDGET.try_with(|b| {
                if let Some(n) = b.get() {
                    b.set(Some(n.saturating_add(1)));
                }
            });
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn unconstrained_outside_a_runtime() {
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..1000 {
            match poll_proceed(&mut cx) {
                Poll::Ready(p) => p.made_progress(),
                Poll::Pending => panic!("no budget is set outside a runtime"),
            }
        }
        assert!(has_budget_remaining());
    }

    #[test]
    fn budget_runs_out_and_is_restored() {
        let mut cx = Context::from_waker(Waker::noop());
        with_budget(|| {
            for _ in 0..INITIAL {
                match poll_proceed(&mut cx) {
                    Poll::Ready(p) => p.made_progress(),
                    Poll::Pending => panic!("budget ran out early"),
                }
            }
            assert!(!has_budget_remaining());
            assert!(poll_proceed(&mut cx).is_pending());
            // A nested unconstrained section is not limited.
            with_unconstrained(|| assert!(poll_proceed(&mut cx).is_ready()));
        });
        assert!(has_budget_remaining());
    }

    #[test]
    fn dropping_proceed_refunds() {
        let mut cx = Context::from_waker(Waker::noop());
        with_budget(|| {
            for _ in 0..(INITIAL as usize * 2) {
                let Poll::Ready(p) = poll_proceed(&mut cx) else {
                    panic!("refunded budget must not run out");
                };
                drop(p);
            }
        });
    }
}

//! The future every `block_on` runs: the user's future, watched for the runtime's
//! `ShutdownRuntime` shutdown, on which `block_on` panics (tokio's documented rule).
//!
//! Layer: runtime. Imports `scheduler::panic_shutdown` only.
use crate::scheduler::panic_shutdown::{PanicShutdown, PANIC_SHUTDOWN_MESSAGE};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// `inner`, but panicking instead of being polled once `signal` fired; while it is
/// pending its waker is registered with `signal`, so a shutdown wakes it.
pub(super) struct WatchPanicShutdown<'a, F> {
    pub(super) signal: Arc<PanicShutdown>,
    pub(super) key: Option<u64>,
    /// The waker last registered: an unchanged waker (the usual case) is not
    /// re-registered, so a pending poll costs no lock.
    pub(super) registered: Option<std::task::Waker>,
    pub(super) inner: Pin<&'a mut F>,
}

impl<F: Future> Future for WatchPanicShutdown<'_, F> {
    type Output = F::Output;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        if self.signal.is_fired() {
            panic!("{PANIC_SHUTDOWN_MESSAGE}");
        }
        let out = self.inner.as_mut().poll(cx);
        let fresh = self
            .registered
            .as_ref()
            .is_some_and(|w| w.will_wake(cx.waker()));
        if out.is_pending() && !fresh {
            let key = self.signal.register(self.key, cx.waker());
            self.key = Some(key);
            self.registered = Some(cx.waker().clone());
            // A `fire` before the registration found no waker: look again.
            if self.signal.is_fired() {
                panic!("{PANIC_SHUTDOWN_MESSAGE}");
            }
        }
        out
    }
}

impl<F> Drop for WatchPanicShutdown<'_, F> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            self.signal.deregister(key);
        }
    }
}

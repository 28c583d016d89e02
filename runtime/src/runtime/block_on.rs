//! The future every `block_on` runs: the user's future, watched for the runtime's
//! `ShutdownRuntime` shutdown, on which `block_on` panics (tokio's documented rule).
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
        if out.is_pending() {
            let key = self.signal.register(self.key, cx.waker());
            self.key = Some(key);
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

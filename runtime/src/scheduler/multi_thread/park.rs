//! Blocking the calling thread on a future (the multi-thread runtime's `block_on`).
use crate::loom::{Parker, Unparker};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

struct ThreadWaker(Unparker);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` on this thread, parking between polls until its waker fires. The
/// parker's token makes a wake that lands before the park count.
pub(crate) fn block_on_thread<F: Future>(future: F) -> F::Output {
    let parker = Parker::new();
    let waker = Waker::from(Arc::new(ThreadWaker(parker.unparker())));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = robin_sync::coop::with_budget(|| future.as_mut().poll(&mut cx)) {
            return out;
        }
        parker.park();
    }
}

//! A small "user program" over robin-sync's `Mutex`, `mpsc` and `oneshot`, written the way
//! an application would write it, and model-checked with loom in `tests/model.rs`.
//!
//! [`Counter`] is a service: callers send it `Add` jobs over a bounded `mpsc` channel, each
//! with a `oneshot` for the reply; the service applies them to a total kept under a
//! `Mutex`, which callers may also read directly.
//!
//! Built normally it is ordinary code (the unit test below runs it on threads); built with
//! `RUSTFLAGS="--cfg loom"`, robin-sync's primitives are loom's, and the model test checks
//! every interleaving of two callers and the service.
use robin_sync::{mpsc, oneshot, Mutex};
use std::sync::Arc;

/// A request to the service: add `n`, reply with the new total.
#[derive(Debug)]
pub struct Add {
    /// How much to add.
    pub n: u64,
    /// Where the new total goes.
    pub reply: oneshot::Sender<u64>,
}

/// The service's shared state.
#[derive(Debug, Default)]
pub struct Counter {
    total: Mutex<u64>,
}

impl Counter {
    /// Serves jobs until every sender is gone.
    pub async fn serve(self: Arc<Self>, mut jobs: mpsc::Receiver<Add>) {
        while let Some(Add { n, reply }) = jobs.recv().await {
            let mut total = self.total.lock().await;
            *total += n;
            // The caller may have given up waiting: that is fine.
            let _ = reply.send(*total);
        }
    }

    /// Sends one job and waits for its reply.
    pub async fn add(jobs: &mpsc::Sender<Add>, n: u64) -> Option<u64> {
        let (reply, rx) = oneshot::channel();
        jobs.send(Add { n, reply }).await.ok()?;
        rx.await.ok()
    }

    /// The current total.
    pub async fn total(&self) -> u64 {
        *self.total.lock().await
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn serves_on_threads() {
        let counter = Arc::new(Counter::default());
        let (tx, rx) = mpsc::channel(1);
        let service = {
            let c = counter.clone();
            std::thread::spawn(move || futures_lite_block_on(c.serve(rx)))
        };
        let tx2 = tx.clone();
        let a = std::thread::spawn(move || futures_lite_block_on(Counter::add(&tx2, 1)));
        let b = futures_lite_block_on(Counter::add(&tx, 2)).unwrap();
        let a = a.join().unwrap().unwrap();
        drop(tx);
        service.join().unwrap();
        assert_eq!(futures_lite_block_on(counter.total()), 3);
        assert!(a == 1 || a == 3, "a = {a}");
        assert!(b == 2 || b == 3, "b = {b}");
        assert_eq!(a.max(b), 3);
    }

    /// A minimal thread-parking executor (the crate needs no other dependency).
    fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
        use std::task::{Context, Poll, Wake, Waker};
        struct Unpark(std::thread::Thread);
        impl Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut f = std::pin::pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            std::thread::park();
        }
    }
}

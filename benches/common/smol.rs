//! smol as a bench peer: async-executor on N threads plus async-io's reactor and timers,
//! behind the few tokio names the workloads use (`Builder`, `Runtime`, `spawn`,
//! `JoinHandle`, `mpsc`, `oneshot`), so one workload body runs on robin, tokio and smol.
//!
//! Shape: one `async_executor::Executor` per [`Runtime`], run by `worker_threads` threads;
//! each thread runs `async_io::block_on(executor.run(..))`, so whichever thread is idle also
//! drives async-io's reactor, which is how smol itself runs a multi-threaded executor.
//! `block_on` runs its future on the calling thread (as tokio's does); tasks spawned from
//! it, or from a task, go to the runtime's executor.
//!
//! Channels: smol has no channels of its own; `futures::channel` (runtime-neutral) stands in.
//! This module imports nothing of robin or tokio.
#![allow(dead_code, unused_imports)]

use async_executor::{Executor, Task};
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle as Thread;

pub use futures::channel::oneshot;
pub use futures_lite::future::yield_now;

thread_local! {
    /// The executor of the runtime this thread works for (a worker, or inside `block_on`).
    static CURRENT: RefCell<Option<Arc<Executor<'static>>>> = const { RefCell::new(None) };
}

/// Builds a [`Runtime`]; only the multi-thread shape exists.
#[derive(Debug)]
pub struct Builder {
    workers: usize,
}

impl Builder {
    /// A builder with one worker per core.
    pub fn new_multi_thread() -> Builder {
        Builder {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }

    /// Number of threads that run the executor.
    pub fn worker_threads(&mut self, n: usize) -> &mut Builder {
        self.workers = n;
        self
    }

    /// Accepted for symmetry with tokio: async-io's reactor and timers are always on.
    pub fn enable_all(&mut self) -> &mut Builder {
        self
    }

    /// Starts the worker threads.
    pub fn build(&mut self) -> io::Result<Runtime> {
        let ex = Arc::new(Executor::new());
        let mut stops = Vec::with_capacity(self.workers);
        let mut threads = Vec::with_capacity(self.workers);
        for i in 0..self.workers {
            let (stop, stopped) = oneshot::channel::<()>();
            let ex = ex.clone();
            let thread = std::thread::Builder::new()
                .name(format!("smol-worker-{i}"))
                .spawn(move || {
                    CURRENT.with(|c| *c.borrow_mut() = Some(ex.clone()));
                    // Ends when the stop sender is dropped.
                    let _ = async_io::block_on(ex.run(stopped));
                    CURRENT.with(|c| c.borrow_mut().take());
                })?;
            stops.push(stop);
            threads.push(thread);
        }
        Ok(Runtime { ex, stops, threads })
    }
}

/// An executor run by a fixed set of threads; dropping it stops and joins them.
#[derive(Debug)]
pub struct Runtime {
    ex: Arc<Executor<'static>>,
    stops: Vec<oneshot::Sender<()>>,
    threads: Vec<Thread<()>>,
}

impl Runtime {
    /// Runs `fut` on the calling thread; `spawn` inside it targets this runtime.
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        let prev = CURRENT.with(|c| c.borrow_mut().replace(self.ex.clone()));
        let out = async_io::block_on(fut);
        CURRENT.with(|c| *c.borrow_mut() = prev);
        out
    }

    /// Spawns `fut` on this runtime's executor.
    pub fn spawn<F>(&self, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        JoinHandle(Some(self.ex.spawn(fut)))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.stops.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Spawns `fut` on the runtime of the current thread.
///
/// # Panics
///
/// Outside a worker thread or `Runtime::block_on`.
pub fn spawn<F>(fut: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    CURRENT.with(|c| {
        let c = c.borrow();
        let ex = c
            .as_ref()
            .expect("smol::spawn called outside a smol runtime");
        JoinHandle(Some(ex.spawn(fut)))
    })
}

/// A task handle with tokio's semantics: dropping it detaches the task (smol's `Task`
/// would cancel it), and awaiting it gives a `Result`.
#[derive(Debug)]
pub struct JoinHandle<T>(Option<Task<T>>);

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, std::convert::Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let task = self.0.as_mut().expect("JoinHandle polled after completion");
        Pin::new(task).poll(cx).map(Ok)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if let Some(task) = self.0.take() {
            task.detach();
        }
    }
}

/// tokio's unbounded mpsc names over `futures::channel::mpsc`.
pub mod mpsc {
    use futures_lite::StreamExt;

    /// The sending half.
    #[derive(Debug)]
    pub struct UnboundedSender<T>(futures::channel::mpsc::UnboundedSender<T>);

    impl<T> Clone for UnboundedSender<T> {
        fn clone(&self) -> Self {
            UnboundedSender(self.0.clone())
        }
    }

    /// The receiving half.
    #[derive(Debug)]
    pub struct UnboundedReceiver<T>(futures::channel::mpsc::UnboundedReceiver<T>);

    /// An unbounded channel.
    pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        (UnboundedSender(tx), UnboundedReceiver(rx))
    }

    impl<T> UnboundedSender<T> {
        /// Sends without waiting; fails once the receiver is gone.
        pub fn send(&self, value: T) -> Result<(), futures::channel::mpsc::TrySendError<T>> {
            self.0.unbounded_send(value)
        }
    }

    impl<T> UnboundedReceiver<T> {
        /// The next message, or `None` once every sender is gone.
        pub async fn recv(&mut self) -> Option<T> {
            self.0.next().await
        }
    }
}

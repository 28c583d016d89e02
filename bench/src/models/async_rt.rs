//! The async models' common ground: one async unit code, several runtimes.
//!
//! [`AsyncIo`] is the thin adapter the async unit code ([`crate::workloads::io`]) is written
//! against: connect a TCP stream, write all / read exactly, set `TCP_NODELAY`, sleep. Each
//! runtime implements it with its own types ([`RobinIo`], [`TokioIo`], [`SmolIo`]), so the
//! same unit code runs on every runtime and only the runtime differs.
//!
//! [`AsyncRt`] is a built runtime of any of the four async models (robin multi-thread,
//! robin current-thread = `event-loop`, tokio multi-thread, smol = async-executor on N threads
//! with async-io) with the three operations the harness needs: `block_on`, `spawn`
//! (joinable), and [`AsyncRt::run_tasks`]. Synchronisation inside units (ping-pong channels, parking
//! gates) uses robin-sync's runtime-agnostic primitives on every runtime, so those too are the
//! same code everywhere.
//!
//! May import: robin, tokio, async-executor, async-io, futures-lite. Nothing of the harness
//! beyond [`super::Model`].

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use futures_lite::FutureExt;

use super::Model;

/// What the async unit code needs from a runtime's I/O and timers.
pub trait AsyncIo: Send + Sync + 'static {
    /// The runtime's TCP stream.
    type Stream: Send + Unpin + 'static;
    /// Connects to `addr`.
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    /// Sets `TCP_NODELAY`.
    fn set_nodelay(s: &Self::Stream) -> io::Result<()>;
    /// Writes all of `buf`.
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    /// Fills `buf` exactly.
    fn read_exact<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    /// Sleeps for `d` on the runtime's timer.
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send;
}

/// Implements [`AsyncIo`] for a runtime with tokio's API: `$net::TcpStream` (with tokio's
/// `AsyncReadExt`/`AsyncWriteExt`, which robin's streams implement too) and `$sleep`. robin
/// is a drop-in for tokio here, so both adapters are this one piece of code.
macro_rules! tokio_api_io {
    ($(#[$meta:meta])* $name:ident, $net:ident, $sleep:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl AsyncIo for $name {
            type Stream = $net::net::TcpStream;
            fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
                $net::net::TcpStream::connect(addr)
            }
            fn set_nodelay(s: &Self::Stream) -> io::Result<()> {
                s.set_nodelay(true)
            }
            fn write_all<'a>(
                s: &'a mut Self::Stream,
                buf: &'a [u8],
            ) -> impl Future<Output = io::Result<()>> + Send + 'a {
                tokio::io::AsyncWriteExt::write_all(s, buf)
            }
            // tokio's signature: `read_exact` yields the byte count, here always `buf.len()`.
            async fn read_exact(s: &mut Self::Stream, buf: &mut [u8]) -> io::Result<()> {
                tokio::io::AsyncReadExt::read_exact(s, buf).await.map(drop)
            }
            fn sleep(d: Duration) -> impl Future<Output = ()> + Send {
                $sleep(d)
            }
        }
    };
}

tokio_api_io!(
    /// robin's `TcpStream` and `sleep` (both robin models).
    RobinIo,
    robin,
    robin::time::sleep
);
tokio_api_io!(
    /// tokio's `TcpStream` (with its `AsyncReadExt`/`AsyncWriteExt`) and `tokio::time::sleep`.
    TokioIo,
    tokio,
    tokio::time::sleep
);

/// smol's stack: `async_io::Async<std::net::TcpStream>` with futures-lite's I/O helpers, and
/// `async_io::Timer` (what `smol::net` and `smol::Timer` are built on).
#[derive(Debug, Clone, Copy)]
pub struct SmolIo;

impl AsyncIo for SmolIo {
    type Stream = async_io::Async<std::net::TcpStream>;
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send {
        async_io::Async::<std::net::TcpStream>::connect(addr)
    }
    fn set_nodelay(s: &Self::Stream) -> io::Result<()> {
        s.get_ref().set_nodelay(true)
    }
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncWriteExt::write_all(s, buf)
    }
    fn read_exact<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        futures_lite::AsyncReadExt::read_exact(s, buf)
    }
    async fn sleep(d: Duration) {
        async_io::Timer::after(d).await;
    }
}

/// smol's multi-thread set-up: one `async_executor::Executor` run by `workers` OS threads
/// (each in `async_io::block_on`, which also drives async-io's reactor when idle — smol's own
/// recipe), plus async-io's reactor thread. Dropping it stops and joins the threads.
#[derive(Debug)]
pub struct SmolRt {
    ex: Arc<async_executor::Executor<'static>>,
    stop: Arc<robin::sync::Semaphore>,
    threads: Vec<JoinHandle<()>>,
}

impl SmolRt {
    /// Starts `workers` executor threads.
    pub fn new(workers: usize) -> io::Result<SmolRt> {
        let ex = Arc::new(async_executor::Executor::new());
        let stop = Arc::new(robin::sync::Semaphore::new(0));
        let mut rt = SmolRt {
            ex,
            stop,
            threads: Vec::new(),
        };
        for i in 0..workers.max(1) {
            let (ex, stop) = (Arc::clone(&rt.ex), Arc::clone(&rt.stop));
            let t = std::thread::Builder::new()
                .name(format!("smol-{i}"))
                .spawn(move || {
                    // Runs tasks until the semaphore is closed on drop.
                    async_io::block_on(ex.run(async move {
                        let _ = stop.acquire().await;
                    }));
                })?;
            rt.threads.push(t);
        }
        Ok(rt)
    }
}

impl Drop for SmolRt {
    fn drop(&mut self) {
        self.stop.close();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// A built runtime of one of the async models.
#[derive(Debug)]
pub enum AsyncRt {
    /// robin, multi-thread or current-thread.
    Robin(robin::runtime::Runtime),
    /// tokio's multi-thread runtime.
    Tokio(tokio::runtime::Runtime),
    /// async-executor on N threads + async-io.
    Smol(SmolRt),
}

/// A joinable spawned task of any [`AsyncRt`].
#[derive(Debug)]
pub enum Join<T> {
    /// robin's `JoinHandle`.
    Robin(robin::task::JoinHandle<T>),
    /// tokio's `JoinHandle`.
    Tokio(tokio::task::JoinHandle<T>),
    /// async-executor's `Task`.
    Smol(async_executor::Task<T>),
}

impl<T> Future for Join<T> {
    type Output = Result<T, String>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Every variant is `Unpin` (robin's and tokio's `JoinHandle`, async-task's `Task`).
        match self.get_mut() {
            Join::Robin(h) => Pin::new(h)
                .poll(cx)
                .map_err(|e| format!("task failed: {e}")),
            Join::Tokio(h) => Pin::new(h)
                .poll(cx)
                .map_err(|e| format!("task failed: {e}")),
            Join::Smol(t) => Pin::new(t).poll(cx).map(Ok),
        }
    }
}

impl AsyncRt {
    /// Builds the runtime of async model `model` with `workers` worker threads (ignored by
    /// the current-thread `event-loop`), timers and I/O enabled.
    pub fn new(model: Model, workers: usize) -> Result<AsyncRt, String> {
        let built = match model {
            Model::Robin => robin::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()
                .map(AsyncRt::Robin),
            Model::EventLoop => robin::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(AsyncRt::Robin),
            Model::Tokio => tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()
                .map(AsyncRt::Tokio),
            Model::Smol => SmolRt::new(workers).map(AsyncRt::Smol),
            other => return Err(format!("{} is not an async model", other.key())),
        };
        built.map_err(|e| format!("runtime build: {e}"))
    }

    /// Runs `f` to completion on the calling thread, inside the runtime's context.
    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        match self {
            AsyncRt::Robin(rt) => rt.block_on(f),
            AsyncRt::Tokio(rt) => rt.block_on(f),
            AsyncRt::Smol(_) => async_io::block_on(f),
        }
    }

    /// Spawns `f` as a task.
    pub fn spawn<F>(&self, f: F) -> Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            AsyncRt::Robin(rt) => Join::Robin(rt.spawn(f)),
            AsyncRt::Tokio(rt) => Join::Tokio(rt.spawn(f)),
            AsyncRt::Smol(s) => Join::Smol(s.ex.spawn(f)),
        }
    }

    /// Spawns `n` tasks made by `make(i)`, awaits them all in order, and returns their
    /// outputs; the whole batch is bounded by `limit`.
    pub fn run_tasks<T, F, Fut>(&self, n: usize, limit: Duration, make: F) -> Result<Vec<T>, String>
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = Result<T, String>> + Send + 'static,
        T: Send + 'static,
    {
        self.block_on(async {
            let handles: Vec<_> = (0..n).map(|i| self.spawn(make(i))).collect();
            let all = async move {
                let mut out = Vec::with_capacity(handles.len());
                for h in handles {
                    out.push(h.await??);
                }
                Ok(out)
            };
            self.timeout(limit, all).await?
        })
    }

    /// `f`, or an error once `limit` passed (the runtime's own timer).
    pub async fn timeout<T>(
        &self,
        limit: Duration,
        f: impl Future<Output = T>,
    ) -> Result<T, String> {
        let expired = async {
            self.sleep(limit).await;
            Err(format!("timed out after {limit:?}"))
        };
        async { Ok(f.await) }.or(expired).await
    }

    /// Sleeps on this runtime's timer.
    pub async fn sleep(&self, d: Duration) {
        match self {
            AsyncRt::Robin(_) => RobinIo::sleep(d).await,
            AsyncRt::Tokio(_) => TokioIo::sleep(d).await,
            AsyncRt::Smol(_) => SmolIo::sleep(d).await,
        }
    }
}

//! Contention on the driver's shared structures: N plain threads (2, 4, 8, 16) hitting the
//! timer wheel and the I/O registration path of ONE runtime at the same time.
//!
//! - `timers_insert_cancel`: each thread creates a sleep with a distinct deadline (1 ms to
//!   ~1 s, so entries land in different wheel slots and levels), polls it once with a no-op
//!   waker (that inserts it into the wheel) and drops it (that cancels it), `OPS` times.
//! - `io_register_deregister`: each thread owns one non-blocking `std::net::UdpSocket` on
//!   127.0.0.1 and, `OPS` times, registers it with the runtime's reactor and deregisters it
//!   again (`UdpSocket::from_std` + `into_std` on robin and tokio, `Async::new` +
//!   `into_inner` on smol's async-io). The socket is made once, so the figure is the
//!   registration path (slab/lock + `epoll_ctl` ADD and DEL), not `socket()`/`bind()`.
//!
//! robin and tokio get a 2-worker runtime, smol its global async-io reactor (which has the
//! same two operations: timers through a lock-free queue the reactor drains, sources
//! through a mutex-guarded slab). robin's wheel and slab are sharded per CPU (issue 15):
//! the threads, numbered round robin, file into different shards. The threads are plain `std` threads that entered the
//! runtime; only the time between releasing them all at once (a barrier) and the last one
//! finishing is measured. On a 2-core machine 16 threads mostly queue for the CPU, so the
//! growth of the per-op time with N shows lock convoys and cache-line ping-pong, not
//! parallel speed-up.
//!
//! Run with `cargo bench -p robin --bench contention`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::future::Future;
use std::sync::{Arc, Barrier};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

/// Operations per thread per iteration.
const OPS: usize = 1_000;
/// Thread counts measured.
const THREADS: [usize; 4] = [2, 4, 8, 16];
/// Worker threads of the robin and tokio runtimes (idle during the bench).
const WORKERS: usize = 2;

/// The deadline of the `i`-th timer: spread over the first levels of a timer wheel.
fn delay(i: usize) -> Duration {
    Duration::from_millis(1 + (i * 37 % 1_000) as u64)
}

/// Polls `fut` once with a no-op waker (registers it), then drops it (cancels it).
fn poll_once_and_drop<F: Future>(fut: F) {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    let _ = fut.as_mut().poll(&mut cx);
}

/// Runs `work(thread_index)` on `n` threads released together; returns the wall time from
/// the release to the last thread's end.
fn run_threads(n: usize, work: Arc<dyn Fn(usize) + Send + Sync>) -> Duration {
    let barrier = Arc::new(Barrier::new(n + 1));
    let threads: Vec<_> = (0..n)
        .map(|t| {
            let barrier = barrier.clone();
            let work = work.clone();
            std::thread::spawn(move || {
                barrier.wait();
                work(t);
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    for thread in threads {
        thread.join().unwrap();
    }
    start.elapsed()
}

/// Times `iters` rounds of `n` threads each doing `work`.
fn measure(iters: u64, n: usize, work: Arc<dyn Fn(usize) + Send + Sync>) -> Duration {
    (0..iters).map(|_| run_threads(n, work.clone())).sum()
}

/// A robin runtime; the threads enter it through a `Handle` (robin's `Runtime` is not
/// `Sync`, unlike tokio's).
fn robin_rt() -> robin::runtime::Runtime {
    robin::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap()
}

fn tokio_rt() -> Arc<tokio::runtime::Runtime> {
    Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .enable_all()
            .build()
            .unwrap(),
    )
}

fn timers(c: &mut Criterion) {
    let mut g = c.benchmark_group("timers_insert_cancel");
    g.sample_size(10);
    let robin = robin_rt();
    let tokio = tokio_rt();
    for n in THREADS {
        g.throughput(criterion::Throughput::Elements((n * OPS) as u64));
        let rt = robin.handle().clone();
        let work: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |t| {
            let _guard = rt.enter();
            for i in 0..OPS {
                poll_once_and_drop(robin::time::sleep(delay(i + t)));
            }
        });
        g.bench_with_input(BenchmarkId::new("robin", n), &n, |b, &n| {
            b.iter_custom(|iters| measure(iters, n, work.clone()))
        });
        let rt = tokio.clone();
        let work: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |t| {
            let _guard = rt.enter();
            for i in 0..OPS {
                poll_once_and_drop(tokio::time::sleep(delay(i + t)));
            }
        });
        g.bench_with_input(BenchmarkId::new("tokio", n), &n, |b, &n| {
            b.iter_custom(|iters| measure(iters, n, work.clone()))
        });
        let work: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |t| {
            for i in 0..OPS {
                poll_once_and_drop(async_io::Timer::after(delay(i + t)));
            }
        });
        g.bench_with_input(BenchmarkId::new("smol", n), &n, |b, &n| {
            b.iter_custom(|iters| measure(iters, n, work.clone()))
        });
    }
    g.finish();
}

/// One non-blocking UDP socket on 127.0.0.1 per thread, reused across iterations.
fn sockets(n: usize) -> Arc<Vec<std::sync::Mutex<Option<std::net::UdpSocket>>>> {
    Arc::new(
        (0..n)
            .map(|_| {
                let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                s.set_nonblocking(true).unwrap();
                std::sync::Mutex::new(Some(s))
            })
            .collect(),
    )
}

/// Thread `t`'s part of the I/O group: takes its socket out of `slot` and passes it
/// through `cycle` (register, then deregister) `OPS` times. The slot's lock is
/// uncontended (one per thread): it only moves the socket in and out of the shared vector.
fn cycle_socket(
    slot: &std::sync::Mutex<Option<std::net::UdpSocket>>,
    cycle: impl Fn(std::net::UdpSocket) -> std::net::UdpSocket,
) {
    let mut slot = slot.lock().unwrap();
    let mut sock = slot.take().unwrap();
    for _ in 0..OPS {
        sock = cycle(sock);
    }
    *slot = Some(sock);
}

fn io(c: &mut Criterion) {
    let mut g = c.benchmark_group("io_register_deregister");
    g.sample_size(10);
    let robin = robin_rt();
    let tokio = tokio_rt();
    for n in THREADS {
        g.throughput(criterion::Throughput::Elements((n * OPS) as u64));
        let socks = sockets(n);
        let rt = robin.handle().clone();
        let s = socks.clone();
        let work: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |t| {
            let _guard = rt.enter();
            cycle_socket(&s[t], |sock| {
                robin::net::UdpSocket::from_std(sock)
                    .unwrap()
                    .into_std()
                    .unwrap()
            });
        });
        g.bench_with_input(BenchmarkId::new("robin", n), &n, |b, &n| {
            b.iter_custom(|iters| measure(iters, n, work.clone()))
        });
        let rt = tokio.clone();
        let s = socks.clone();
        let work: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |t| {
            let _guard = rt.enter();
            cycle_socket(&s[t], |sock| {
                tokio::net::UdpSocket::from_std(sock)
                    .unwrap()
                    .into_std()
                    .unwrap()
            });
        });
        g.bench_with_input(BenchmarkId::new("tokio", n), &n, |b, &n| {
            b.iter_custom(|iters| measure(iters, n, work.clone()))
        });
        let s = socks.clone();
        let work: Arc<dyn Fn(usize) + Send + Sync> = Arc::new(move |t| {
            cycle_socket(&s[t], |sock| {
                async_io::Async::new(sock).unwrap().into_inner().unwrap()
            });
        });
        g.bench_with_input(BenchmarkId::new("smol", n), &n, |b, &n| {
            b.iter_custom(|iters| measure(iters, n, work.clone()))
        });
    }
    g.finish();
}

criterion_group!(contention, timers, io);
criterion_main!(contention);

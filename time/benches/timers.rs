//! Timer benches with tokio as the peer in each group (same worker count: 2).
//!
//! - `timers_100k`: 100k tasks each sleeping 1 ms, then awaited: wheel insert, fire and
//!   the wake-up path through the scheduler.
//! - `timeout_ready`: 10k `timeout(1 s, ready)` in one task: the cost of arming and
//!   cancelling a timer around a future that is ready at once.
//! - `sleep_cancel`: 10k sleeps polled once (filed) and dropped (cancelled).
use criterion::{criterion_group, criterion_main, Criterion};
use std::future::Future;
use std::time::Duration;

const WORKERS: usize = 2;

fn robin_rt() -> robin_runtime::runtime::Runtime {
    robin_runtime::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap()
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap()
}

fn poll_once<F: Future + Unpin>(f: &mut F) {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = std::pin::Pin::new(f).poll(&mut cx);
}

fn timers_100k(c: &mut Criterion) {
    let mut g = c.benchmark_group("timers_100k");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let rt = robin_rt();
    g.bench_function("robin", |b| {
        b.iter(|| {
            rt.block_on(async {
                let hs: Vec<_> = (0..100_000)
                    .map(|_| robin_runtime::spawn(robin_time::sleep(Duration::from_millis(1))))
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            })
        })
    });
    let rt = tokio_rt();
    g.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let hs: Vec<_> = (0..100_000)
                    .map(|_| tokio::spawn(tokio::time::sleep(Duration::from_millis(1))))
                    .collect();
                for h in hs {
                    h.await.unwrap();
                }
            })
        })
    });
    g.finish();
}

fn timeout_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("timeout_ready");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    let rt = robin_rt();
    g.bench_function("robin", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut sum = 0u64;
                for i in 0..10_000u64 {
                    sum += robin_time::timeout(Duration::from_secs(1), async { i })
                        .await
                        .unwrap();
                }
                sum
            })
        })
    });
    let rt = tokio_rt();
    g.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut sum = 0u64;
                for i in 0..10_000u64 {
                    sum += tokio::time::timeout(Duration::from_secs(1), async { i })
                        .await
                        .unwrap();
                }
                sum
            })
        })
    });
    g.finish();
}

fn sleep_cancel(c: &mut Criterion) {
    let mut g = c.benchmark_group("sleep_cancel");
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    let rt = robin_rt();
    g.bench_function("robin", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..10_000 {
                    let mut s = robin_time::sleep(Duration::from_secs(10));
                    poll_once(&mut s);
                }
            })
        })
    });
    let rt = tokio_rt();
    g.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                for _ in 0..10_000 {
                    let mut s = Box::pin(tokio::time::sleep(Duration::from_secs(10)));
                    poll_once(&mut s);
                }
            })
        })
    });
    g.finish();
}

criterion_group!(benches, timers_100k, timeout_ready, sleep_cancel);
criterion_main!(benches);

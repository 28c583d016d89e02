//! The cost of robin's metrics on the hot path.
//!
//! Counters are always on (each worker writes only its own cache line), so "with vs
//! without counters" cannot be measured at run time. What can be: whether *reading* the
//! metrics disturbs the workers. Each group runs a scheduler workload twice on the same
//! 2-worker runtime: `quiet`, and `read_1ms` while another thread reads every worker's
//! counters through `RuntimeMetrics` every millisecond (far more often than a metrics
//! scraper would; each read pulls the workers' counter lines away from them). A reader in
//! a tight loop would mostly measure losing one of the machine's two cores to it.
use criterion::{criterion_group, criterion_main, Criterion};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn runtime() -> robin::runtime::Runtime {
    robin::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

/// Reads every counter of every worker until stopped; returns how many rounds it did.
fn reader(
    m: robin::runtime::RuntimeMetrics,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut rounds = 0u64;
        let mut sink = 0u64;
        while !stop.load(Ordering::Relaxed) {
            for w in 0..m.num_workers() {
                sink = sink
                    .wrapping_add(m.worker_poll_count(w))
                    .wrapping_add(m.worker_steal_count(w))
                    .wrapping_add(m.worker_park_count(w))
                    .wrapping_add(m.worker_mean_poll_time(w).as_nanos() as u64);
            }
            rounds += 1;
            std::thread::sleep(Duration::from_millis(1));
        }
        std::hint::black_box(sink);
        rounds
    })
}

fn spawn_many(rt: &robin::runtime::Runtime) {
    rt.block_on(async {
        let hs: Vec<_> = (0..10_000)
            .map(|i| robin::spawn(async move { i }))
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    });
}

fn yield_many(rt: &robin::runtime::Runtime) {
    rt.block_on(async {
        let hs: Vec<_> = (0..100)
            .map(|_| {
                robin::spawn(async {
                    for _ in 0..100 {
                        robin::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in hs {
            h.await.unwrap();
        }
    });
}

fn bench(c: &mut Criterion, name: &str, work: fn(&robin::runtime::Runtime)) {
    let mut g = c.benchmark_group(name);
    g.sample_size(20).measurement_time(Duration::from_secs(3));
    let rt = runtime();
    g.bench_function("quiet", |b| b.iter(|| work(&rt)));
    let stop = Arc::new(AtomicBool::new(false));
    let r = reader(rt.metrics(), stop.clone());
    g.bench_function("read_1ms", |b| b.iter(|| work(&rt)));
    stop.store(true, Ordering::Relaxed);
    let rounds = r.join().unwrap();
    assert!(rounds > 0);
    g.finish();
}

fn metrics_overhead(c: &mut Criterion) {
    bench(c, "metrics_spawn_many_10k", spawn_many);
    bench(c, "metrics_yield_100x100", yield_many);
}

criterion_group!(benches, metrics_overhead);
criterion_main!(benches);

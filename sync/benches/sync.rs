//! robin-sync vs `tokio::sync`, workload by workload (groups mirror tokio's `sync_*`
//! benches). Both members of a group run the same code against a different library, on
//! the same kind of tokio multi-thread runtime (robin's runtime is not used here, so only
//! the primitives differ).
//!
//! Run: `cargo bench -p robin-sync`. Kept short (10 samples, ~1 s each).
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

mod robin {
    pub use robin_sync::{broadcast, mpsc, watch, Notify, RwLock, Semaphore};
}

mod tok {
    pub use tokio::sync::{broadcast, mpsc, watch, Notify, RwLock, Semaphore};
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("tokio runtime")
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1000));
    g
}

/// Registers the `robin` and `tokio` members of one workload, written once as a macro
/// body over `$lib` (either `robin` or `tok`).
macro_rules! both {
    ($g:expr, |$lib:ident| $body:expr) => {{
        {
            #[allow(unused_imports)]
            use robin as $lib;
            $g.bench_function("robin", $body);
        }
        {
            #[allow(unused_imports)]
            use tok as $lib;
            $g.bench_function("tokio", $body);
        }
    }};
}

const MSGS_PER_SENDER: usize = 1000;
const SENDERS: usize = 5;

fn sync_mpsc(c: &mut Criterion) {
    let rt = rt();
    macro_rules! contention_bounded {
        ($lib:ident, $cap:expr) => {
            |b: &mut criterion::Bencher| {
                b.iter(|| {
                    rt.block_on(async {
                        let (tx, mut rx) = $lib::mpsc::channel::<usize>($cap);
                        for _ in 0..SENDERS {
                            let tx = tx.clone();
                            tokio::spawn(async move {
                                for i in 0..MSGS_PER_SENDER {
                                    tx.send(i).await.unwrap();
                                }
                            });
                        }
                        drop(tx);
                        let mut n = 0;
                        while let Some(v) = rx.recv().await {
                            black_box(v);
                            n += 1;
                        }
                        assert_eq!(n, SENDERS * MSGS_PER_SENDER);
                    })
                })
            }
        };
    }
    let mut g = group(c, "sync_mpsc/contention_bounded");
    both!(g, |lib| contention_bounded!(lib, 1_000_000));
    g.finish();
    let mut g = group(c, "sync_mpsc/contention_bounded_full");
    both!(g, |lib| contention_bounded!(lib, 100));
    g.finish();

    let mut g = group(c, "sync_mpsc/contention_unbounded");
    both!(g, |lib| |b: &mut criterion::Bencher| b.iter(|| rt
        .block_on(async {
            let (tx, mut rx) = lib::mpsc::unbounded_channel::<usize>();
            for _ in 0..SENDERS {
                let tx = tx.clone();
                tokio::spawn(async move {
                    for i in 0..MSGS_PER_SENDER {
                        tx.send(i).unwrap();
                    }
                });
            }
            drop(tx);
            let mut n = 0;
            while let Some(v) = rx.recv().await {
                black_box(v);
                n += 1;
            }
            assert_eq!(n, SENDERS * MSGS_PER_SENDER);
        })));
    g.finish();

    let mut g = group(c, "sync_mpsc/uncontended_bounded");
    both!(g, |lib| |b: &mut criterion::Bencher| b.iter(|| rt
        .block_on(async {
            let (tx, mut rx) = lib::mpsc::channel::<usize>(1_000_000);
            for i in 0..5000 {
                tx.send(i).await.unwrap();
            }
            for _ in 0..5000 {
                black_box(rx.recv().await.unwrap());
            }
        })));
    g.finish();

    let mut g = group(c, "sync_mpsc/uncontended_unbounded");
    both!(g, |lib| |b: &mut criterion::Bencher| b.iter(|| rt
        .block_on(async {
            let (tx, mut rx) = lib::mpsc::unbounded_channel::<usize>();
            for i in 0..5000 {
                tx.send(i).unwrap();
            }
            for _ in 0..5000 {
                black_box(rx.recv().await.unwrap());
            }
        })));
    g.finish();
}

fn sync_semaphore(c: &mut Criterion) {
    let rt = &rt();
    let mut g = group(c, "sync_semaphore/uncontended");
    both!(g, |lib| {
        let s = Arc::new(lib::Semaphore::new(10));
        move |b: &mut criterion::Bencher| {
            b.iter(|| {
                rt.block_on(async {
                    for _ in 0..6 {
                        drop(s.acquire().await.unwrap());
                    }
                })
            })
        }
    });
    g.finish();

    let mut g = group(c, "sync_semaphore/contended_concurrent_multi");
    both!(g, |lib| {
        let s = Arc::new(lib::Semaphore::new(5));
        move |b: &mut criterion::Bencher| {
            b.iter(|| {
                rt.block_on(async {
                    let tasks: Vec<_> = (0..6)
                        .map(|_| {
                            let s = s.clone();
                            tokio::spawn(async move {
                                for _ in 0..100 {
                                    let p = s.acquire().await.unwrap();
                                    tokio::task::yield_now().await;
                                    drop(p);
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.unwrap();
                    }
                })
            })
        }
    });
    g.finish();
}

fn sync_notify(c: &mut Criterion) {
    const WAITERS: usize = 10;
    const ITERS: usize = 500;
    macro_rules! notify_bench {
        ($lib:ident, $call:ident) => {{
            let rt = rt();
            let notify = Arc::new($lib::Notify::new());
            let counter = Arc::new(AtomicUsize::new(0));
            for _ in 0..WAITERS {
                let (notify, counter) = (notify.clone(), counter.clone());
                rt.spawn(async move {
                    loop {
                        notify.notified().await;
                        counter.fetch_add(1, SeqCst);
                    }
                });
            }
            move |b: &mut criterion::Bencher| {
                let _keep = &rt;
                b.iter(|| {
                    counter.store(0, SeqCst);
                    loop {
                        notify.$call();
                        if counter.load(SeqCst) >= ITERS {
                            break;
                        }
                    }
                })
            }
        }};
    }
    let mut g = group(c, "sync_notify/notify_one");
    both!(g, |lib| notify_bench!(lib, notify_one));
    g.finish();
    let mut g = group(c, "sync_notify/notify_waiters");
    both!(g, |lib| notify_bench!(lib, notify_waiters));
    g.finish();
}

fn sync_rwlock(c: &mut Criterion) {
    let rt = &rt();
    let mut g = group(c, "sync_rwlock/read_uncontended");
    both!(g, |lib| {
        let l = Arc::new(lib::RwLock::new(()));
        move |b: &mut criterion::Bencher| {
            b.iter(|| {
                rt.block_on(async {
                    for _ in 0..6 {
                        drop(black_box(l.read().await));
                    }
                })
            })
        }
    });
    g.finish();

    macro_rules! readers_writers {
        ($lib:ident, $writers:expr) => {{
            let l = Arc::new($lib::RwLock::new(0usize));
            move |b: &mut criterion::Bencher| {
                b.iter(|| {
                    rt.block_on(async {
                        let mut tasks = Vec::new();
                        for k in 0..6 {
                            let l = l.clone();
                            tasks.push(tokio::spawn(async move {
                                for _ in 0..100 {
                                    if k < $writers {
                                        *l.write().await += 1;
                                    } else {
                                        black_box(*l.read().await);
                                    }
                                }
                            }));
                        }
                        for t in tasks {
                            t.await.unwrap();
                        }
                    })
                })
            }
        }};
    }
    let mut g = group(c, "sync_rwlock/read_concurrent_contended_multi");
    both!(g, |lib| readers_writers!(lib, 0));
    g.finish();
    let mut g = group(c, "sync_rwlock/read_write_contended_multi");
    both!(g, |lib| readers_writers!(lib, 1));
    g.finish();
}

/// Wait group used by the broadcast and watch benches (the same one for both members).
struct Wg(AtomicUsize, tokio::sync::Notify);

impl Wg {
    fn new() -> Arc<Self> {
        Arc::new(Wg(AtomicUsize::new(0), tokio::sync::Notify::new()))
    }

    /// One receiver saw the value.
    fn done(&self) {
        if self.0.fetch_sub(1, SeqCst) == 1 {
            self.1.notify_one();
        }
    }

    /// `iters` rounds of: publish one value with `send`, wait for all `receivers` to see it.
    async fn rounds(&self, receivers: usize, iters: usize, send: impl Fn(usize)) {
        for i in 0..iters {
            assert_eq!(self.0.fetch_add(receivers, SeqCst), 0);
            send(i);
            while self.0.load(SeqCst) > 0 {
                self.1.notified().await;
            }
        }
    }
}

fn sync_broadcast(c: &mut Criterion) {
    const RECEIVERS: usize = 10;
    const ITERS: usize = 100;
    let mut g = group(c, "sync_broadcast/contention");
    both!(g, |lib| {
        let rt = rt();
        let (tx, _rx) = lib::broadcast::channel::<usize>(1000);
        let wg = Wg::new();
        for _ in 0..RECEIVERS {
            let mut rx = tx.subscribe();
            let wg = wg.clone();
            rt.spawn(async move {
                while let Ok(v) = rx.recv().await {
                    black_box(v);
                    wg.done();
                }
            });
        }
        move |b: &mut criterion::Bencher| {
            b.iter(|| {
                rt.block_on(wg.rounds(RECEIVERS, ITERS, |i| {
                    tx.send(i).unwrap();
                }))
            })
        }
    });
    g.finish();
}

fn sync_watch(c: &mut Criterion) {
    const RECEIVERS: usize = 10;
    const ITERS: usize = 100;
    let mut g = group(c, "sync_watch/send_many_receivers");
    both!(g, |lib| {
        let rt = rt();
        let (tx, rx) = lib::watch::channel(0usize);
        let wg = Wg::new();
        for _ in 0..RECEIVERS {
            let mut rx = rx.clone();
            let wg = wg.clone();
            rt.spawn(async move {
                while rx.changed().await.is_ok() {
                    black_box(*rx.borrow_and_update());
                    wg.done();
                }
            });
        }
        move |b: &mut criterion::Bencher| {
            let _keep = &rx;
            b.iter(|| rt.block_on(wg.rounds(RECEIVERS, ITERS, |i| tx.send(i).unwrap())))
        }
    });
    g.finish();
}

criterion_group!(
    benches,
    sync_mpsc,
    sync_semaphore,
    sync_notify,
    sync_rwlock,
    sync_broadcast,
    sync_watch
);
criterion_main!(benches);

//! robin-sync vs `tokio::sync`, workload by workload (groups mirror tokio's `sync_*`
//! benches). Both members of a group run the same code against a different library, on
//! one shared tokio multi-thread runtime (robin's runtime is not used here, so only the
//! primitives differ).
//!
//! **One runtime, interleaved batches, and a paired figure.** Both members' tasks live on
//! one runtime, and in criterion's measurement each timed batch of one member follows an
//! untimed batch of the other ([`alternate`]), so both run beside the same traffic. But
//! criterion measures the members one after the other, about a second each, and on this
//! 2-core VM the round-trip groups (broadcast, watch, notify) flip between a fast state and
//! one about 3.5x slower, for a second or so at a time: `broadcast/contention` gave robin/
//! tokio 1.82, 1.19, 1.25, 2.20, 0.27 and 0.26 in six runs of the same code, each member on
//! its own runtime. The slow state is waking a thread on the other, idle virtual CPU:
//! pinned to one CPU (`taskset -c 0`) it never appears. So after each group's criterion
//! members the bench prints a **paired** line ([`paired_report`]): both members timed in
//! alternating rounds over the same stretch of time, and the median of the rounds'
//! robin/tokio ratios. That line is the comparison; the criterion figures are each
//! member's own.
//!
//! Run: `cargo bench -p robin-sync` (all groups, about a minute), or
//! `cargo bench -p robin-sync -- broadcast` for the groups whose name contains the word.
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Benches the `robin` and `tokio` members of the group `$name`, written once as a macro
/// body over `$lib` (either `robin` or `tok`): the body sets the workload up and evaluates
/// to a closure that runs one batch of it. Then prints the group's paired figure
/// ([`paired_report`]).
macro_rules! both {
    ($c:expr, $name:expr, |$lib:ident| $body:expr) => {{
        let mut robin_batch = {
            #[allow(unused_imports)]
            use robin as $lib;
            $body
        };
        let mut tokio_batch = {
            #[allow(unused_imports)]
            use tok as $lib;
            $body
        };
        let mut g = group($c, $name);
        g.bench_function("robin", |b| {
            b.iter_custom(|n| alternate(n, &mut tokio_batch, &mut robin_batch))
        });
        g.bench_function("tokio", |b| {
            b.iter_custom(|n| alternate(n, &mut robin_batch, &mut tokio_batch))
        });
        g.finish();
        paired_report($name, &mut robin_batch, &mut tokio_batch);
    }};
}

/// Runs `n` rounds of an untimed `other` batch followed by a timed `own` batch; returns the
/// time spent in `own`.
fn alternate(n: u64, other: &mut dyn FnMut(), own: &mut dyn FnMut()) -> Duration {
    let mut spent = Duration::ZERO;
    for _ in 0..n {
        other();
        let start = Instant::now();
        own();
        spent += start.elapsed();
    }
    spent
}

/// Rounds of the paired figure.
const PAIRS: usize = 60;

/// The paired figure of a group, the one to read the ratio from: [`PAIRS`] rounds, each
/// timing `reps` batches of one member and then `reps` of the other (robin first in even
/// rounds, tokio first in odd ones), so both members are measured side by side; prints
/// the median time per batch of each and the median of the rounds' robin/tokio ratios
/// (each ratio compares two measurements taken back to back, so a machine state that
/// lasts longer than a round cancels out). `reps` makes a round's half last at least
/// 2 ms. Criterion's own figures above it measure each member in its own second, which
/// on a shared machine can be a different machine state.
///
/// Skipped when the group is filtered out (the first positional argument, matched as a
/// substring) or criterion runs in `--test`/`--list`/`--profile-time` mode.
fn paired_report(name: &str, robin: &mut dyn FnMut(), tokio: &mut dyn FnMut()) {
    if !paired_selected(name) {
        return;
    }
    let mut reps = 1u32;
    loop {
        let start = Instant::now();
        (0..reps).for_each(|_| robin());
        if start.elapsed() >= Duration::from_millis(2) || reps >= 1 << 20 {
            break;
        }
        reps *= 2;
    }
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        (0..reps).for_each(|_| f());
        start.elapsed() / reps
    };
    let (mut r, mut t) = (Vec::with_capacity(PAIRS), Vec::with_capacity(PAIRS));
    for k in 0..PAIRS {
        if k % 2 == 0 {
            r.push(time(robin));
            t.push(time(tokio));
        } else {
            t.push(time(tokio));
            r.push(time(robin));
        }
    }
    let mut ratios: Vec<f64> = r
        .iter()
        .zip(&t)
        .map(|(r, t)| r.as_secs_f64() / t.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    r.sort();
    t.sort();
    println!(
        "paired {name}: robin {:?} tokio {:?} robin/tokio {:.2}",
        r[PAIRS / 2],
        t[PAIRS / 2],
        ratios[PAIRS / 2]
    );
}

/// Whether [`paired_report`] runs for group `name` under this command line.
fn paired_selected(name: &str) -> bool {
    const WITH_VALUE: &[&str] = &[
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--measurement-time",
        "--warm-up-time",
        "--sample-size",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--output-format",
        "--color",
        "--plotting-backend",
        "--format",
    ];
    let mut args = std::env::args().skip(1);
    let mut filter = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--test" | "--list" | "--profile-time" => return false,
            a if WITH_VALUE.contains(&a) => {
                args.next();
            }
            a if a.starts_with('-') => {}
            a => filter = filter.or(Some(a.to_string())),
        }
    }
    filter.is_none_or(|f| name.contains(&f))
}

const MSGS_PER_SENDER: usize = 1000;
const SENDERS: usize = 5;

fn sync_mpsc(c: &mut Criterion) {
    let rt = rt();
    macro_rules! contention_bounded {
        ($lib:ident, $cap:expr) => {
            || {
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
            }
        };
    }
    both!(
        c,
        "sync_mpsc/contention_bounded",
        |lib| contention_bounded!(lib, 1_000_000)
    );
    both!(
        c,
        "sync_mpsc/contention_bounded_full",
        |lib| contention_bounded!(lib, 100)
    );

    both!(c, "sync_mpsc/contention_unbounded", |lib| || rt.block_on(
        async {
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
        }
    ));

    both!(c, "sync_mpsc/uncontended_bounded", |lib| || rt.block_on(
        async {
            let (tx, mut rx) = lib::mpsc::channel::<usize>(1_000_000);
            for i in 0..5000 {
                tx.send(i).await.unwrap();
            }
            for _ in 0..5000 {
                black_box(rx.recv().await.unwrap());
            }
        }
    ));

    both!(c, "sync_mpsc/uncontended_unbounded", |lib| || rt.block_on(
        async {
            let (tx, mut rx) = lib::mpsc::unbounded_channel::<usize>();
            for i in 0..5000 {
                tx.send(i).unwrap();
            }
            for _ in 0..5000 {
                black_box(rx.recv().await.unwrap());
            }
        }
    ));
}

fn sync_semaphore(c: &mut Criterion) {
    let rt = &rt();
    both!(c, "sync_semaphore/uncontended", |lib| {
        let s = Arc::new(lib::Semaphore::new(10));
        move || {
            rt.block_on(async {
                for _ in 0..6 {
                    drop(s.acquire().await.unwrap());
                }
            })
        }
    });

    both!(c, "sync_semaphore/contended_concurrent_multi", |lib| {
        let s = Arc::new(lib::Semaphore::new(5));
        move || {
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
        }
    });
}

fn sync_notify(c: &mut Criterion) {
    const WAITERS: usize = 10;
    const ITERS: usize = 500;
    let rt = &rt();
    macro_rules! notify_bench {
        ($lib:ident, $call:ident) => {{
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
            move || {
                counter.store(0, SeqCst);
                loop {
                    notify.$call();
                    if counter.load(SeqCst) >= ITERS {
                        break;
                    }
                }
            }
        }};
    }
    both!(c, "sync_notify/notify_one", |lib| notify_bench!(
        lib, notify_one
    ));
    both!(c, "sync_notify/notify_waiters", |lib| notify_bench!(
        lib,
        notify_waiters
    ));
}

fn sync_rwlock(c: &mut Criterion) {
    let rt = &rt();
    both!(c, "sync_rwlock/read_uncontended", |lib| {
        let l = Arc::new(lib::RwLock::new(()));
        move || {
            rt.block_on(async {
                for _ in 0..6 {
                    drop(black_box(l.read().await));
                }
            })
        }
    });

    macro_rules! readers_writers {
        ($lib:ident, $writers:expr) => {{
            let l = Arc::new($lib::RwLock::new(0usize));
            move || {
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
            }
        }};
    }
    both!(
        c,
        "sync_rwlock/read_concurrent_contended_multi",
        |lib| readers_writers!(lib, 0)
    );
    both!(
        c,
        "sync_rwlock/read_write_contended_multi",
        |lib| readers_writers!(lib, 1)
    );
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
    let rt = &rt();
    both!(c, "sync_broadcast/contention", |lib| {
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
        move || {
            rt.block_on(wg.rounds(RECEIVERS, ITERS, |i| {
                tx.send(i).unwrap();
            }))
        }
    });
}

fn sync_watch(c: &mut Criterion) {
    const RECEIVERS: usize = 10;
    const ITERS: usize = 100;
    let rt = &rt();
    both!(c, "sync_watch/send_many_receivers", |lib| {
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
        move || {
            let _keep = &rx;
            rt.block_on(wg.rounds(RECEIVERS, ITERS, |i| tx.send(i).unwrap()))
        }
    });
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

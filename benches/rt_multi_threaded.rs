//! The workloads of tokio's `benches/rt_multi_threaded.rs`, run on robin, tokio and smol.
//!
//! Every workload is a criterion group with three members, `robin`, `tokio` and `smol`
//! (async-executor on N threads + async-io, see `common/smol.rs`), built with the same shape
//! and the same worker count, so they can be compared side by side. `ping_pong_rounds`
//! (1000 task pairs × 20 round trips over two unbounded mpsc channels) is added to tokio's set.
//!
//! All runtimes get exactly [`NUM_WORKERS`] = 2 worker threads: a fixed count (not
//! `num_cpus`) so the comparison does not depend on the machine, and 2 because the
//! benchmark machine has 2 cores. Each runtime is built once per group, outside
//! `b.iter`, as tokio's bench does.
//!
//! Completion is signalled with an atomic counter plus the `mpsc` channel of the library
//! under test (`robin::sync::mpsc` / `tokio::sync::mpsc`; smol has none, so
//! `futures::channel` stands in), awaited inside `block_on`; nothing sleeps.
//!
//! Run with `cargo bench --bench rt_multi_threaded`.

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use std::time::{Duration, Instant};

#[path = "common/smol.rs"]
mod smol;

/// Worker threads of both runtimes (fixed; the bench machine has 2 cores).
const NUM_WORKERS: usize = 2;
/// Tasks spawned per iteration by the `spawn_many_*` workloads.
const NUM_SPAWN: usize = 10_000;
/// Ping-pong pairs per iteration of `ping_pong`.
const NUM_PINGS: usize = 1_000;
/// Task pairs per iteration of `ping_pong_rounds`.
const NUM_PAIRS: usize = 1_000;
/// Round trips per pair in `ping_pong_rounds`.
const PAIR_ROUNDS: usize = 20;
/// `yield_now` calls per task in `yield_many`.
const NUM_YIELD: usize = 1_000;
/// Tasks in `yield_many` (tokio's bench uses 200).
const YIELD_TASKS: usize = 200;
/// Depth of the spawn chain in `chained_spawn`.
const CHAIN_DEPTH: usize = 1_000;
/// Tasks that keep the workers busy in `spawn_many_remote_busy` (as tokio: 2 per worker).
const BUSY_TASKS: usize = 2 * NUM_WORKERS;
/// CPU time a busy task burns between two yields (as tokio's `stall`).
const STALL_DUR: Duration = Duration::from_micros(10);

/// Burns `STALL_DUR` of wall time without holding the CPU hostage.
fn stall() {
    let now = Instant::now();
    while now.elapsed() < STALL_DUR {
        std::thread::yield_now();
    }
}

/// Generates the workloads for one runtime. It is invoked inside a module that has
/// imported `Builder`, `Runtime`, `spawn`, `yield_now`, `mpsc` and `oneshot` from the
/// library under test; the names below resolve to those imports.
macro_rules! workloads {
    () => {
        use std::sync::atomic::Ordering::{AcqRel, Relaxed};
        use std::sync::atomic::{AtomicBool, AtomicUsize};
        use std::sync::Arc;

        pub(crate) fn rt() -> Runtime {
            Builder::new_multi_thread()
                .worker_threads(super::NUM_WORKERS)
                .enable_all()
                .build()
                .unwrap()
        }

        /// A countdown: the task that brings it to zero sends one message.
        struct Countdown {
            rem: AtomicUsize,
            done: mpsc::UnboundedSender<()>,
        }

        impl Countdown {
            fn new(n: usize) -> (Arc<Countdown>, mpsc::UnboundedReceiver<()>) {
                let (done, rx) = mpsc::unbounded_channel();
                let countdown = Countdown {
                    rem: AtomicUsize::new(n),
                    done,
                };
                (Arc::new(countdown), rx)
            }

            fn hit(&self) {
                if self.rem.fetch_sub(1, AcqRel) == 1 {
                    self.done.send(()).unwrap();
                }
            }
        }

        /// From inside one task, spawn `NUM_SPAWN` trivial tasks and wait for all.
        pub(crate) fn spawn_many_local(rt: &Runtime) {
            let (countdown, mut rx) = Countdown::new(super::NUM_SPAWN);
            rt.block_on(async move {
                spawn(async move {
                    for _ in 0..super::NUM_SPAWN {
                        let countdown = countdown.clone();
                        spawn(async move { countdown.hit() });
                    }
                });
                rx.recv().await.unwrap();
            });
        }

        /// From the bench thread (outside the runtime), spawn `NUM_SPAWN` empty tasks,
        /// then await every handle inside `block_on`.
        pub(crate) fn spawn_many_remote(rt: &Runtime, handles: &mut Vec<JoinHandle<()>>) {
            for _ in 0..super::NUM_SPAWN {
                handles.push(rt.spawn(async {}));
            }
            rt.block_on(async {
                for handle in handles.drain(..) {
                    handle.await.unwrap();
                }
            });
        }

        /// Starts `BUSY_TASKS` tasks that yield and stall until the returned flag is cleared.
        pub(crate) fn start_busy(rt: &Runtime) -> Arc<AtomicBool> {
            let flag = Arc::new(AtomicBool::new(true));
            for _ in 0..super::BUSY_TASKS {
                let flag = flag.clone();
                rt.spawn(async move {
                    while flag.load(Relaxed) {
                        yield_now().await;
                        super::stall();
                    }
                });
            }
            flag
        }

        /// `NUM_PINGS` times: a task spawns a peer, they exchange a message each way over
        /// two oneshot channels, then the first one counts down.
        pub(crate) fn ping_pong(rt: &Runtime) {
            let (countdown, mut rx) = Countdown::new(super::NUM_PINGS);
            rt.block_on(async move {
                spawn(async move {
                    for _ in 0..super::NUM_PINGS {
                        let countdown = countdown.clone();
                        spawn(async move {
                            let (tx1, rx1) = oneshot::channel::<()>();
                            let (tx2, rx2) = oneshot::channel::<()>();
                            spawn(async move {
                                rx1.await.unwrap();
                                tx2.send(()).unwrap();
                            });
                            tx1.send(()).unwrap();
                            rx2.await.unwrap();
                            countdown.hit();
                        });
                    }
                });
                rx.recv().await.unwrap();
            });
        }

        /// `NUM_PAIRS` task pairs, spawned from one task; each pair does `PAIR_ROUNDS`
        /// round trips over two unbounded mpsc channels (ping, then the echoed pong).
        pub(crate) fn ping_pong_rounds(rt: &Runtime) {
            let (countdown, mut rx) = Countdown::new(super::NUM_PAIRS);
            rt.block_on(async move {
                spawn(async move {
                    for _ in 0..super::NUM_PAIRS {
                        let countdown = countdown.clone();
                        let (ping_tx, mut ping_rx) = mpsc::unbounded_channel::<usize>();
                        let (pong_tx, mut pong_rx) = mpsc::unbounded_channel::<usize>();
                        spawn(async move {
                            // Ends when the pinging task drops `ping_tx`.
                            while let Some(i) = ping_rx.recv().await {
                                pong_tx.send(i).unwrap();
                            }
                        });
                        spawn(async move {
                            for i in 0..super::PAIR_ROUNDS {
                                ping_tx.send(i).unwrap();
                                assert_eq!(pong_rx.recv().await, Some(i));
                            }
                            countdown.hit();
                        });
                    }
                });
                rx.recv().await.unwrap();
            });
        }

        /// From the bench thread, spawn `YIELD_TASKS` tasks that each yield `NUM_YIELD`
        /// times, then wait for all of them.
        pub(crate) fn yield_many(rt: &Runtime) {
            let (countdown, mut rx) = Countdown::new(super::YIELD_TASKS);
            for _ in 0..super::YIELD_TASKS {
                let countdown = countdown.clone();
                rt.spawn(async move {
                    for _ in 0..super::NUM_YIELD {
                        yield_now().await;
                    }
                    countdown.hit();
                });
            }
            rt.block_on(async move { rx.recv().await.unwrap() });
        }

        fn chain(countdown: Arc<Countdown>, n: usize) {
            if n == 0 {
                countdown.hit();
            } else {
                spawn(async move { chain(countdown, n - 1) });
            }
        }

        /// A chain of `CHAIN_DEPTH` tasks, each spawning the next; the last one signals.
        pub(crate) fn chained_spawn(rt: &Runtime) {
            let (countdown, mut rx) = Countdown::new(1);
            rt.block_on(async move {
                spawn(async move { chain(countdown, super::CHAIN_DEPTH) });
                rx.recv().await.unwrap();
            });
        }
    };
}

mod on_robin {
    use super::robin_builder::Builder;
    use robin::runtime::Runtime;
    use robin::spawn;
    use robin::sync::{mpsc, oneshot};
    use robin::task::{yield_now, JoinHandle};

    workloads!();
}

/// robin's `Builder` as the workloads use it; with `ROBIN_BENCH_HEAL` set in the
/// environment, robin's runtimes are built with `heal_blocked_workers` on (and a 100 ms
/// blocking threshold), to measure what healing costs when nothing blocks (issue 17).
mod robin_builder {
    pub(crate) struct Builder(robin::runtime::Builder);

    impl Builder {
        pub(crate) fn new_multi_thread() -> Builder {
            Builder(robin::runtime::Builder::new_multi_thread())
        }
        pub(crate) fn worker_threads(&mut self, n: usize) -> &mut Builder {
            self.0.worker_threads(n);
            self
        }
        pub(crate) fn enable_all(&mut self) -> &mut Builder {
            self.0.enable_all();
            self
        }
        pub(crate) fn build(&mut self) -> std::io::Result<robin::runtime::Runtime> {
            if std::env::var_os("ROBIN_BENCH_HEAL").is_some() {
                self.0
                    .detect_blocking(std::time::Duration::from_millis(100))
                    .on_blocking(|_| {})
                    .heal_blocked_workers(true);
            }
            self.0.build()
        }
    }
}

mod on_tokio {
    use tokio::runtime::{Builder, Runtime};
    use tokio::spawn;
    use tokio::sync::{mpsc, oneshot};
    use tokio::task::{yield_now, JoinHandle};

    workloads!();
}

mod on_smol {
    use super::smol::{mpsc, oneshot, spawn, yield_now, Builder, JoinHandle, Runtime};

    workloads!();
}

fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group
}

/// Defines a bench function for a workload that needs only the runtime.
macro_rules! simple_bench {
    ($name:ident) => {
        fn $name(c: &mut Criterion) {
            let mut group = group(c, stringify!($name));
            {
                let rt = on_robin::rt();
                group.bench_function("robin", |b| b.iter(|| on_robin::$name(&rt)));
            }
            {
                let rt = on_tokio::rt();
                group.bench_function("tokio", |b| b.iter(|| on_tokio::$name(&rt)));
            }
            {
                let rt = on_smol::rt();
                group.bench_function("smol", |b| b.iter(|| on_smol::$name(&rt)));
            }
            group.finish();
        }
    };
}

simple_bench!(spawn_many_local);
simple_bench!(ping_pong);
simple_bench!(ping_pong_rounds);
simple_bench!(yield_many);
simple_bench!(chained_spawn);

fn spawn_many_remote_idle(c: &mut Criterion) {
    let mut group = group(c, "spawn_many_remote_idle");
    {
        let rt = on_robin::rt();
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        group.bench_function("robin", |b| {
            b.iter(|| on_robin::spawn_many_remote(&rt, &mut handles))
        });
    }
    {
        let rt = on_tokio::rt();
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        group.bench_function("tokio", |b| {
            b.iter(|| on_tokio::spawn_many_remote(&rt, &mut handles))
        });
    }
    {
        let rt = on_smol::rt();
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        group.bench_function("smol", |b| {
            b.iter(|| on_smol::spawn_many_remote(&rt, &mut handles))
        });
    }
    group.finish();
}

fn spawn_many_remote_busy(c: &mut Criterion) {
    use std::sync::atomic::Ordering::Relaxed;

    let mut group = group(c, "spawn_many_remote_busy");
    {
        let rt = on_robin::rt();
        let busy = on_robin::start_busy(&rt);
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        group.bench_function("robin", |b| {
            b.iter(|| on_robin::spawn_many_remote(&rt, &mut handles))
        });
        busy.store(false, Relaxed);
    }
    {
        let rt = on_tokio::rt();
        let busy = on_tokio::start_busy(&rt);
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        group.bench_function("tokio", |b| {
            b.iter(|| on_tokio::spawn_many_remote(&rt, &mut handles))
        });
        busy.store(false, Relaxed);
    }
    {
        let rt = on_smol::rt();
        let busy = on_smol::start_busy(&rt);
        let mut handles = Vec::with_capacity(NUM_SPAWN);
        group.bench_function("smol", |b| {
            b.iter(|| on_smol::spawn_many_remote(&rt, &mut handles))
        });
        busy.store(false, Relaxed);
    }
    group.finish();
}

criterion_group!(
    scheduler,
    spawn_many_local,
    spawn_many_remote_idle,
    spawn_many_remote_busy,
    ping_pong,
    ping_pong_rounds,
    yield_many,
    chained_spawn,
);
criterion_main!(scheduler);

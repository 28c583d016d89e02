//! The comparison workloads as criterion benches: one group per workload, one member per
//! model (robin, tokio, smol, event-loop, thread-per-unit, thread-pool, multiprocessing; the
//! async ones run the same unit code through the harness's runtime adapter). Sizes are small
//! and `sample_size` is 10 so the whole run takes a few minutes. Each iteration is one whole workload; the time recorded is the
//! harness's own timed window (runtime construction and worker start-up excluded), via
//! `iter_custom`.
//!
//! The bench binary doubles as the multiprocessing worker: `main` first checks for `--worker`.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use criterion::{criterion_group, BenchmarkId, Criterion};
use robin_bench::models::Model;
use robin_bench::server::DelayServer;
use robin_bench::workloads::{self, overhead, Job, RunCtx};

const UNITS: usize = 50;

fn server() -> SocketAddr {
    static SERVER: OnceLock<DelayServer> = OnceLock::new();
    SERVER
        .get_or_init(|| DelayServer::start(Duration::from_millis(2)).expect("delay server"))
        .addr()
}

fn ctx() -> RunCtx {
    RunCtx {
        exe: robin_bench::models::multiprocessing::worker_exe().expect("worker exe"),
        proc_cap: 64,
        limit: Duration::from_secs(60),
        cores: num_cpus::get(),
    }
}

fn bench_job(c: &mut Criterion, group: &str, job: Job, units: usize) {
    let ctx = ctx();
    let mut g = c.benchmark_group(group);
    for m in Model::ALL {
        g.bench_function(BenchmarkId::new(m.key(), units), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        let r = workloads::run(m, &job, units, &ctx).expect("workload");
                        Duration::from_nanos(r.wall_ns as u64)
                    })
                    .sum()
            })
        });
    }
    g.finish();
}

fn io(c: &mut Criterion) {
    bench_job(
        c,
        "io",
        Job::Api {
            addr: server(),
            reqs: 2,
            compute_words: 0,
        },
        UNITS,
    );
}

fn sleeps(c: &mut Criterion) {
    bench_job(
        c,
        "sleeps",
        Job::Sleep {
            count: 1,
            dur: Duration::from_millis(2),
        },
        200,
    );
}

fn cpu_bound(c: &mut Criterion) {
    bench_job(c, "cpu", Job::Cpu { words: 1 << 16 }, 16);
}

fn mixed(c: &mut Criterion) {
    bench_job(
        c,
        "mixed",
        Job::Api {
            addr: server(),
            reqs: 2,
            compute_words: 1 << 12,
        },
        UNITS,
    );
}

/// Start cost and ping-pong: each criterion iteration is one unit started (in batches of at
/// most 10k, so memory stays bounded) or one round trip.
fn overheads(c: &mut Criterion) {
    let ctx = ctx();
    for (group, start) in [("start_one_unit", true), ("ping_pong_round_trip", false)] {
        let mut g = c.benchmark_group(group);
        for m in Model::ALL {
            g.bench_function(m.key(), |b| {
                b.iter_custom(|iters| {
                    let mut total = 0.0;
                    let mut left = iters;
                    while left > 0 {
                        let n = left.min(10_000);
                        let ns = if start {
                            overhead::start_cost(m, n as usize, &ctx)
                        } else {
                            overhead::context_switch(m, n, &ctx)
                        }
                        .expect("overhead");
                        total += ns * n as f64;
                        left -= n;
                    }
                    Duration::from_nanos(total as u64)
                })
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    targets = io, sleeps, cpu_bound, mixed, overheads
}

fn main() {
    robin_bench::worker::maybe_run();
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! The comparison workloads as criterion benches: one group per workload, one member per
//! model (robin, event-loop, thread-per-unit, thread-pool, multiprocessing) plus tokio's
//! multi-thread runtime where it applies. Sizes are small and `sample_size` is 10 so the whole
//! run takes a few minutes. Each iteration is one whole workload; the time recorded is the
//! harness's own timed window (runtime construction and worker start-up excluded), via
//! `iter_custom`.
//!
//! The bench binary doubles as the multiprocessing worker: `main` first checks for `--worker`.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use criterion::{criterion_group, BenchmarkId, Criterion};
use robin_bench::models::Model;
use robin_bench::server::{answer, DelayServer};
use robin_bench::workloads::{self, cpu, overhead, Job, RunCtx};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

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

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(num_cpus::get())
        .enable_all()
        .build()
        .expect("tokio")
}

/// The async unit code of `job`, written against tokio instead of robin.
async fn tokio_unit(job: Job, id: u64) -> u64 {
    match job {
        Job::Api {
            addr,
            reqs,
            compute_words,
        } => {
            let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
            s.set_nodelay(true).expect("nodelay");
            let mut check = 0;
            for seq in 0..reqs {
                let mut req = [0u8; 16];
                req[..8].copy_from_slice(&id.to_le_bytes());
                req[8..].copy_from_slice(&seq.to_le_bytes());
                s.write_all(&req).await.expect("write");
                let mut resp = [0u8; 8];
                s.read_exact(&mut resp).await.expect("read");
                assert_eq!(u64::from_le_bytes(resp), answer(id, seq));
                check ^= u64::from_le_bytes(resp);
                if compute_words > 0 {
                    check ^= cpu::hash_stream(cpu::seed(id ^ (seq << 32)), compute_words);
                }
            }
            check
        }
        Job::Sleep { count, dur } => {
            for _ in 0..count {
                tokio::time::sleep(dur).await;
            }
            0
        }
        Job::Cpu { words } => cpu::hash_stream(cpu::seed(id), words),
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
    let rt = tokio_rt();
    g.bench_function(BenchmarkId::new("tokio", units), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                rt.block_on(async {
                    let hs: Vec<_> = (0..units)
                        .map(|i| tokio::spawn(tokio_unit(job.clone(), i as u64)))
                        .collect();
                    for h in hs {
                        h.await.expect("tokio task");
                    }
                });
                total += t.elapsed();
            }
            total
        })
    });
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

//! The workloads, and [`run`], which executes one workload under one model and measures it.
//!
//! A workload is a [`Job`]: what one unit does. [`Job::unit_async`] is the code the async
//! models run (robin, tokio, smol, the event loop — one code through [`AsyncIo`]);
//! [`Job::unit_blocking`] is the code threads and worker processes run. Both do the same
//! steps. Files: [`io`] (API calls, sleeps), [`cpu`] (hashing), [`mixed`] (API calls plus
//! hashing), [`overhead`] (start cost, memory, context switch), [`probe`] (does a unit that
//! computes without yielding hold up the others?), [`sweep`] (scale sweep).

pub mod cpu;
pub mod io;
pub mod mixed;
pub mod overhead;
pub mod probe;
pub mod sweep;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crate::measure::{self, PeakSampler};
use crate::models::async_rt::{AsyncIo, AsyncRt, RobinIo, SmolIo, TokioIo};
use crate::models::multiprocessing::Children;
use crate::models::{threading, Model};

/// What one unit of a workload does.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    /// `reqs` sequential API calls on one connection; `compute_words` hashed per response.
    Api {
        /// The delay server.
        addr: SocketAddr,
        /// Requests per unit.
        reqs: u64,
        /// Words hashed after each response (0: pure I/O).
        compute_words: u64,
    },
    /// `count` sequential sleeps of `dur`.
    Sleep {
        /// Sleeps per unit.
        count: u64,
        /// Length of each sleep.
        dur: Duration,
    },
    /// Hash `words` generated words.
    Cpu {
        /// Words per unit.
        words: u64,
    },
}

/// What one unit reports: its latencies (ns), a checksum compared across models, and the
/// thread it finished on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitOut {
    /// Latencies in nanoseconds (per request / per sleep / unit completion since start).
    pub lats_ns: Vec<u64>,
    /// Checksum (xor of answers or hashes).
    pub check: u64,
    /// The OS thread that ran the unit's last step (set by [`UnitOut::finished`]).
    pub thread: Option<ThreadId>,
}

impl UnitOut {
    /// An empty result with room for `n` latencies.
    pub fn with_capacity(n: usize) -> UnitOut {
        UnitOut {
            lats_ns: Vec::with_capacity(n),
            ..UnitOut::default()
        }
    }

    /// Records the current thread as the one the unit finished on.
    pub fn finished(mut self) -> UnitOut {
        self.thread = Some(std::thread::current().id());
        self
    }
}

impl Job {
    /// Unit `id`, async version on runtime adapter `R`; `t0` is the workload's start.
    pub async fn unit_async<R: AsyncIo>(&self, id: u64, t0: Instant) -> Result<UnitOut, String> {
        match *self {
            Job::Api {
                addr,
                reqs,
                compute_words,
            } => io::api_async::<R>(addr, id, reqs, compute_words).await,
            Job::Sleep { count, dur } => io::sleeps_async::<R>(count, dur).await,
            Job::Cpu { words } => Ok(cpu_unit(id, words, t0)),
        }
    }

    /// Unit `id`, blocking version; `t0` is the workload's start.
    pub fn unit_blocking(&self, id: u64, t0: Instant) -> Result<UnitOut, String> {
        match *self {
            Job::Api {
                addr,
                reqs,
                compute_words,
            } => io::api_blocking(addr, id, reqs, compute_words),
            Job::Sleep { count, dur } => io::sleeps_blocking(count, dur),
            Job::Cpu { words } => Ok(cpu_unit(id, words, t0)),
        }
    }

    /// Operations performed by `units` units (requests, sleeps, or bytes hashed).
    pub fn ops(&self, units: usize) -> f64 {
        let u = units as f64;
        match *self {
            Job::Api { reqs, .. } => u * reqs as f64,
            Job::Sleep { count, .. } => u * count as f64,
            Job::Cpu { words } => u * words as f64 * 8.0,
        }
    }

    /// The command-line form, for worker processes.
    pub fn to_args(&self) -> Vec<String> {
        match *self {
            Job::Api {
                addr,
                reqs,
                compute_words,
            } => {
                vec![
                    "api".into(),
                    addr.to_string(),
                    reqs.to_string(),
                    compute_words.to_string(),
                ]
            }
            Job::Sleep { count, dur } => vec![
                "sleep".into(),
                count.to_string(),
                dur.as_nanos().to_string(),
            ],
            Job::Cpu { words } => vec!["cpu".into(), words.to_string()],
        }
    }

    /// Parses [`Job::to_args`].
    pub fn from_args(args: &[String]) -> Result<Job, String> {
        let num = |i: usize| -> Result<u64, String> {
            args.get(i)
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| format!("bad job args {args:?}"))
        };
        match args.first().map(String::as_str) {
            Some("api") => Ok(Job::Api {
                addr: args
                    .get(1)
                    .and_then(|a| a.parse().ok())
                    .ok_or("bad address")?,
                reqs: num(2)?,
                compute_words: num(3)?,
            }),
            Some("sleep") => Ok(Job::Sleep {
                count: num(1)?,
                dur: Duration::from_nanos(num(2)?),
            }),
            Some("cpu") => Ok(Job::Cpu { words: num(1)? }),
            _ => Err(format!("unknown job {args:?}")),
        }
    }
}

/// One CPU unit: hash `words` words; its latency is its completion time since `t0`.
fn cpu_unit(id: u64, words: u64, t0: Instant) -> UnitOut {
    let check = cpu::hash_stream(cpu::seed(id), words);
    UnitOut {
        lats_ns: vec![t0.elapsed().as_nanos() as u64],
        check,
        thread: None,
    }
    .finished()
}

/// Where and how far the models may go.
#[derive(Debug, Clone)]
pub struct RunCtx {
    /// The executable worker processes re-execute.
    pub exe: PathBuf,
    /// Most worker processes started at once.
    pub proc_cap: usize,
    /// Bound on one run.
    pub limit: Duration,
    /// Cores (`num_cpus::get()`): pool sizes.
    pub cores: usize,
}

/// One measured run of a workload under a model.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    /// Units run.
    pub units: usize,
    /// Operations done (see [`Job::ops`]).
    pub ops: f64,
    /// Wall time from start to the last result, ns.
    pub wall_ns: f64,
    /// Median latency, ns.
    pub p50_ns: f64,
    /// 99th-percentile latency, ns.
    pub p99_ns: f64,
    /// OS threads used: peak process threads during the run minus before it, plus the calling
    /// thread; for processes, the sum of the workers' thread counts.
    pub threads: u64,
    /// Processes used (1 for in-process models).
    pub processes: u64,
    /// Distinct OS threads the units finished on (summed over worker processes).
    pub runners: u64,
    /// Memory: peak RSS growth during the run (in-process), or the sum of the workers' RSS.
    pub mem_bytes: f64,
    /// Checksum over all units.
    pub check: u64,
}

impl RunResult {
    /// Operations per second.
    pub fn throughput(&self) -> f64 {
        self.ops / (self.wall_ns / 1e9)
    }
}

/// Distinct threads among `outs`' finishing threads.
pub fn runner_threads(outs: &[UnitOut]) -> u64 {
    outs.iter()
        .filter_map(|o| o.thread)
        .collect::<HashSet<_>>()
        .len() as u64
}

fn summarize(units: usize, job: &Job, outs: Vec<UnitOut>, wall: Duration) -> RunResult {
    let mut lats: Vec<u64> = Vec::new();
    let mut check = 0;
    let runners = runner_threads(&outs);
    for o in outs {
        lats.extend_from_slice(&o.lats_ns);
        check ^= o.check;
    }
    lats.sort_unstable();
    RunResult {
        units,
        ops: job.ops(units),
        wall_ns: wall.as_nanos() as f64,
        p50_ns: measure::percentile(&lats, 50.0).unwrap_or(0) as f64,
        p99_ns: measure::percentile(&lats, 99.0).unwrap_or(0) as f64,
        threads: 0,
        processes: 1,
        runners,
        mem_bytes: 0.0,
        check,
    }
}

/// Runs `units` units of `job` under `model` and measures it. Runtime construction and worker
/// process start-up are outside the timed window (start-up has its own measurement); thread
/// spawning is inside it (it is part of using threads).
pub fn run(model: Model, job: &Job, units: usize, ctx: &RunCtx) -> Result<RunResult, String> {
    run_with_workers(model, ctx.cores, job, units, ctx)
}

/// [`run`] with the async multi-thread runtimes (robin, tokio, smol) built with `workers`
/// worker threads instead of one per core (the worker-scaling sweep); the other models
/// ignore `workers`.
pub fn run_with_workers(
    model: Model,
    workers: usize,
    job: &Job,
    units: usize,
    ctx: &RunCtx,
) -> Result<RunResult, String> {
    if model == Model::Processes {
        return run_processes(job, units, ctx);
    }
    let job = Arc::new(job.clone());
    let sampler = PeakSampler::start();
    let base_threads = measure::thread_count().map_err(|e| format!("/proc: {e}"))?;
    let base_rss = measure::rss_bytes().map_err(|e| format!("/proc: {e}"))?;
    let (outs, wall) = match model {
        Model::Robin | Model::EventLoop => run_async::<RobinIo>(model, workers, &job, units, ctx)?,
        Model::Tokio => run_async::<TokioIo>(model, workers, &job, units, ctx)?,
        Model::Smol => run_async::<SmolIo>(model, workers, &job, units, ctx)?,
        Model::ThreadPerUnit | Model::ThreadPool => {
            let t0 = Instant::now();
            let j = Arc::clone(&job);
            let f = Arc::new(move |i: usize| j.unit_blocking(i as u64, t0));
            let outs = if model == Model::ThreadPerUnit {
                threading::run_per_unit(units, f)
            } else {
                threading::run_pool(ctx.cores, units, ctx.limit, f)
            };
            (outs, t0.elapsed())
        }
        Model::Processes => unreachable!("handled above"),
    };
    let (peak_rss, peak_threads) = sampler.finish();
    let mut r = summarize(units, &job, outs?, wall);
    r.threads = peak_threads.saturating_sub(base_threads) + 1;
    r.mem_bytes = peak_rss.saturating_sub(base_rss) as f64;
    Ok(r)
}

/// Builds `model`'s runtime (outside the timed window), runs the units as tasks with the
/// async unit code on adapter `R`, drops the runtime; returns the outputs and the wall time.
fn run_async<R: AsyncIo>(
    model: Model,
    workers: usize,
    job: &Arc<Job>,
    units: usize,
    ctx: &RunCtx,
) -> Result<(Result<Vec<UnitOut>, String>, Duration), String> {
    let rt = AsyncRt::new(model, workers)?;
    let t0 = Instant::now();
    let outs = rt.run_tasks(units, ctx.limit, |i| {
        let job = Arc::clone(job);
        async move { job.unit_async::<R>(i as u64, t0).await }
    });
    let wall = t0.elapsed();
    drop(rt);
    Ok((outs, wall))
}

/// How many worker processes a job uses for `units` units: a pool sized to the cores for
/// CPU work (more processes than cores cannot help), else one per unit up to the cap.
pub fn process_count(job: &Job, units: usize, ctx: &RunCtx) -> usize {
    let cap = if matches!(job, Job::Cpu { .. }) {
        ctx.cores
    } else {
        ctx.proc_cap
    };
    units.clamp(1, cap.max(1))
}

fn run_processes(job: &Job, units: usize, ctx: &RunCtx) -> Result<RunResult, String> {
    let procs = process_count(job, units, ctx);
    let range = |c: usize| (c * units / procs, (c + 1) * units / procs);
    let mut kids = Children::spawn(&ctx.exe, procs, |c| {
        let (a, b) = range(c);
        let mut args = vec!["job".to_string(), a.to_string(), b.to_string()];
        args.extend(job.to_args());
        args
    })?;
    let deadline = Instant::now() + ctx.limit;
    kids.one_line_each(deadline)?; // "ready": started, connected stdin/stdout
    let (mut threads, mut mem) = (0, 0.0);
    for pid in kids.pids() {
        let pid = pid.to_string();
        threads += measure::thread_count_of(&pid).map_err(|e| format!("/proc/{pid}: {e}"))?;
        mem += measure::rss_bytes_of(&pid).map_err(|e| format!("/proc/{pid}: {e}"))? as f64;
    }
    // The window opens before the first worker is told to go: telling 256 workers takes
    // milliseconds, and the first ones start their units meanwhile.
    let t0 = Instant::now();
    kids.send_all("go")?;
    let lines = kids.one_line_each(deadline)?;
    let wall = t0.elapsed();
    kids.finish(Duration::from_secs(10))?;
    let mut outs = Vec::with_capacity(lines.len());
    let mut runner_sum = 0;
    for l in lines {
        let mut f = l.split_whitespace();
        if f.next() != Some("ok") {
            return Err(format!("unexpected worker answer {l:?}"));
        }
        let nums: Result<Vec<u64>, _> = f.map(str::parse).collect();
        let nums = nums.map_err(|e| format!("worker answer {l:?}: {e}"))?;
        let [check, runners, lats @ ..] = &nums[..] else {
            return Err(format!("short worker answer {l:?}"));
        };
        runner_sum += runners;
        outs.push(UnitOut {
            lats_ns: lats.to_vec(),
            check: *check,
            thread: None,
        });
    }
    let mut r = summarize(units, job, outs, wall);
    r.threads = threads;
    r.processes = procs as u64;
    r.runners = runner_sum;
    r.mem_bytes = mem;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_args_round_trip() {
        for job in [
            Job::Api {
                addr: "127.0.0.1:4000".parse().unwrap(),
                reqs: 3,
                compute_words: 9,
            },
            Job::Sleep {
                count: 2,
                dur: Duration::from_millis(5),
            },
            Job::Cpu { words: 1 << 20 },
        ] {
            assert_eq!(Job::from_args(&job.to_args()).unwrap(), job);
        }
    }
}

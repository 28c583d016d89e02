//! robin-bench: the concurrency-model comparison harness.
//!
//! The classic asyncio comparison table claims asyncio (one thread, switch at `await`) is
//! ideal for I/O, threading is "medium" overhead, multiprocessing is for CPU work. This crate
//! measures those claims with five real models ([`models::Model`]) — robin's work-stealing
//! runtime, robin's current-thread event loop, thread-per-unit, a thread pool, and worker
//! processes — on the same workloads ([`workloads`]), and writes the table back with numbers
//! ([`report`]).
//!
//! ```no_run
//! use robin_bench::{Config, Mode};
//! robin_bench::worker::maybe_run(); // first thing in main: worker processes re-execute us
//! let report = robin_bench::run_all(&Config::new(Mode::Quick, "target/compare".into())).unwrap();
//! robin_bench::report::write(&report).unwrap();
//! ```

pub mod measure;
pub mod models;
pub mod progress;
pub mod report;
pub mod server;
pub mod worker;
pub mod workloads;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use models::Model;
use progress::Progress;
use workloads::overhead::{self, MemPerUnit};
use workloads::sweep::{self, SweepLimits, SweepPoint};
use workloads::{Job, RunCtx, RunResult};

/// How big a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Smallest sizes, for the test (seconds).
    Tiny,
    /// `--quick`: under a minute on 2 cores, one repetition.
    Quick,
    /// Full: under ten minutes, three repetitions, medians.
    Full,
}

/// Sizes and limits of a run.
#[derive(Debug, Clone)]
pub struct Config {
    /// The mode these sizes come from.
    pub mode: Mode,
    /// Where `report.html`, `report.md` and the SVGs go.
    pub out_dir: PathBuf,
    /// Repetitions of each measurement (the median is reported).
    pub reps: usize,
    /// The delay server's answer delay.
    pub delay: Duration,
    /// I/O workload: units (connections) and requests per unit.
    pub io: (usize, u64),
    /// Sleep workload: units, sleeps per unit, sleep length.
    pub sleeps: (usize, u64, Duration),
    /// CPU workload: units, words per unit.
    pub cpu: (usize, u64),
    /// Mixed workload: units, requests per unit, words hashed per response.
    pub mixed: (usize, u64, u64),
    /// Start cost: units for tasks/threads/pool, and processes.
    pub start: (usize, usize),
    /// Memory: units for tasks/threads/pool, and processes.
    pub mem: (usize, usize),
    /// Context switch: round trips in-process, and over pipes.
    pub pingpong: (u64, u64),
    /// Sweep points (units).
    pub sweep_points: Vec<usize>,
    /// Sweep sleep length.
    pub sweep_dur: Duration,
    /// Sweep limits.
    pub sweep_limits: SweepLimits,
    /// Most worker processes at once.
    pub proc_cap: usize,
    /// Preemption probe: how long each hog unit computes without yielding.
    pub probe_hog: Duration,
    /// Worker counts of the worker-scaling sweep (robin on cpu and mixed).
    pub scaling_workers: Vec<usize>,
    /// Run only this part (`--only`); `None` runs everything.
    pub only: Option<Part>,
    /// Show the progress bar.
    pub progress: bool,
}

/// One part of the run, for `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    /// The I/O workload (API calls to the delay server).
    Io,
    /// The sleep workload.
    Sleeps,
    /// The CPU workload.
    Cpu,
    /// The mixed workload.
    Mixed,
    /// Start cost, memory per unit, context switch.
    Overheads,
    /// The preemption probe.
    Probe,
    /// The scale sweep.
    Sweep,
    /// The worker-count scaling sweep.
    Scaling,
}

impl Part {
    /// The workload part named `name` (`io`, `sleeps`, `cpu`, `mixed`).
    pub fn of_workload(name: &str) -> Option<Part> {
        match name {
            "io" => Some(Part::Io),
            "sleeps" => Some(Part::Sleeps),
            "cpu" => Some(Part::Cpu),
            "mixed" => Some(Part::Mixed),
            _ => None,
        }
    }
}

impl Config {
    /// Whether `part` runs under `--only`.
    pub fn runs(&self, part: Part) -> bool {
        self.only.is_none_or(|p| p == part)
    }
}

/// Worker counts for the scaling sweep on `cores` cores: 1..=cores, then 2×cores.
pub fn scaling_workers(cores: usize) -> Vec<usize> {
    let cores = cores.max(1);
    let mut w: Vec<usize> = (1..=cores).collect();
    w.push(2 * cores);
    w
}

impl Config {
    /// The sizes of `mode`, writing into `out_dir`.
    pub fn new(mode: Mode, out_dir: PathBuf) -> Config {
        let ms = Duration::from_millis;
        let base = Config {
            mode,
            out_dir,
            reps: 1,
            delay: ms(10),
            io: (100, 4),
            sleeps: (1000, 1, ms(4)),
            cpu: (64, 1 << 20),
            mixed: (100, 4, 1 << 14),
            start: (10_000, 20),
            mem: (10_000, 16),
            pingpong: (20_000, 2_000),
            sweep_points: vec![10, 100, 1_000, 10_000],
            sweep_dur: ms(10),
            sweep_limits: SweepLimits {
                thread_cap: 10_000,
                pool_budget: Duration::from_secs(1),
            },
            proc_cap: 256,
            // Long enough that an OS time slice under load (tens of ms on a busy 2-core
            // machine) stays well under half of it.
            probe_hog: ms(200),
            scaling_workers: scaling_workers(num_cpus::get()),
            only: None,
            progress: true,
        };
        match mode {
            Mode::Quick => base,
            Mode::Tiny => Config {
                delay: ms(2),
                io: (8, 2),
                sleeps: (50, 1, ms(2)),
                cpu: (8, 1 << 14),
                mixed: (8, 2, 1 << 10),
                start: (200, 3),
                mem: (1_000, 3),
                pingpong: (500, 100),
                sweep_points: vec![10, 100],
                sweep_dur: ms(2),
                probe_hog: ms(10),
                ..base
            },
            Mode::Full => Config {
                reps: 3,
                io: (500, 5),
                sleeps: (5_000, 1, ms(5)),
                cpu: (128, 1 << 21),
                mixed: (500, 5, 1 << 14),
                start: (20_000, 50),
                mem: (10_000, 32),
                pingpong: (100_000, 10_000),
                sweep_points: vec![10, 100, 1_000, 10_000, 100_000],
                sweep_limits: SweepLimits {
                    // Thread-per-unit is tried at every point, 100k included: at ~0.1 ms a
                    // spawn that is ~10 s a repetition, and a spawn failure is reported.
                    thread_cap: 100_000,
                    pool_budget: Duration::from_secs(6),
                },
                ..base
            },
        }
    }
}

/// Which claim of the classic table a workload tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// I/O-bound.
    Io,
    /// CPU-bound.
    Cpu,
    /// Mixed.
    Mixed,
}

/// One workload's results.
#[derive(Debug, Clone)]
pub struct WorkloadReport {
    /// Short name.
    pub name: String,
    /// What a unit does.
    pub description: String,
    /// Throughput unit, e.g. `req/s`.
    pub unit: String,
    /// Divisor applied to throughput for display (e.g. 2^20 for MiB/s).
    pub scale: f64,
    /// The class it stands for in the summary, if any.
    pub class: Option<Class>,
    /// Per model.
    pub results: Vec<(Model, Result<RunResult, String>)>,
}

/// The overhead measurements per model.
#[derive(Debug, Clone, Default)]
pub struct Overheads {
    /// ns to start one unit.
    pub start: Vec<(Model, Result<f64, String>)>,
    /// Memory per unit.
    pub mem: Vec<(Model, Result<MemPerUnit, String>)>,
    /// ns per ping-pong round trip.
    pub ctx_switch: Vec<(Model, Result<f64, String>)>,
}

/// The scale sweep results.
#[derive(Debug, Clone, Default)]
pub struct Sweep {
    /// Units at each point.
    pub points: Vec<usize>,
    /// Per model, one result per point.
    pub results: Vec<(Model, Vec<Result<SweepPoint, String>>)>,
}

/// The worker-count scaling sweep: robin's multi-thread runtime with each worker count, on
/// the cpu and mixed workloads.
#[derive(Debug, Clone, Default)]
pub struct Scaling {
    /// Worker counts.
    pub workers: Vec<usize>,
    /// Per workload name, one result per worker count.
    pub results: Vec<(String, Vec<Result<RunResult, String>>)>,
}

/// The machine the figures come from.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Logical cores (`num_cpus::get()`).
    pub cores: usize,
    /// Physical cores (`num_cpus::get_physical()`).
    pub physical: usize,
    /// CPU model from `/proc/cpuinfo`, if readable.
    pub cpu_model: Option<String>,
    /// `ulimit -n` soft limit from `/proc/self/limits`, if readable.
    pub fd_limit: Option<String>,
}

impl Machine {
    /// Reads the machine's description.
    pub fn detect() -> Machine {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        });
        let fd_limit = std::fs::read_to_string("/proc/self/limits")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("Max open files"))
                    .and_then(|l| l.split_whitespace().nth(3))
                    .map(String::from)
            });
        Machine {
            cores: num_cpus::get(),
            physical: num_cpus::get_physical(),
            cpu_model,
            fd_limit,
        }
    }
}

/// Everything one harness run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The configuration used.
    pub config: Config,
    /// The machine.
    pub machine: Machine,
    /// Workloads (I/O, sleeps, CPU, mixed).
    pub workloads: Vec<WorkloadReport>,
    /// Overheads.
    pub overheads: Overheads,
    /// Scale sweep.
    pub sweep: Sweep,
    /// Worker-count scaling sweep.
    pub scaling: Scaling,
    /// Preemption probe: the sleeper's lateness per model.
    pub probe: Vec<(Model, Result<Duration, String>)>,
    /// Total time of the run.
    pub elapsed: Duration,
}

/// (name, description, throughput unit, display scale, class, job, units).
type WorkloadDef<'a> = (&'a str, String, &'a str, f64, Option<Class>, Job, usize);

/// The run with the median `key` among `runs`; the first error wins.
fn median_run<T: Clone>(
    runs: Vec<Result<T, String>>,
    key: impl Fn(&T) -> f64,
) -> Result<T, String> {
    let mut ok = Vec::with_capacity(runs.len());
    for r in runs {
        ok.push(r?);
    }
    ok.sort_by(|a, b| key(a).total_cmp(&key(b)));
    ok.get(ok.len() / 2)
        .cloned()
        .ok_or_else(|| "no repetition ran".into())
}

/// Measures `f(item)` for every item, `reps` times, interleaved (repetition 1 of every item,
/// then repetition 2, …) so a change in the machine's load hits every item alike; keeps each
/// item's median run by `key`. An item that failed is not retried.
fn interleaved<I: Copy, T: Clone>(
    reps: usize,
    items: &[I],
    bar: &mut Progress,
    label: impl Fn(I) -> String,
    key: impl Fn(&T) -> f64,
    mut f: impl FnMut(I) -> Result<T, String>,
) -> Vec<Result<T, String>> {
    let mut runs: Vec<Vec<Result<T, String>>> = items.iter().map(|_| Vec::new()).collect();
    for _ in 0..reps.max(1) {
        for (i, &item) in items.iter().enumerate() {
            bar.begin(&label(item));
            if !runs[i].iter().any(Result::is_err) {
                runs[i].push(f(item));
            }
            bar.step();
        }
    }
    runs.into_iter().map(|r| median_run(r, &key)).collect()
}

/// Runs every measurement of `config` and returns the report (it does not write it; see
/// [`report::write`]). Per-model failures are recorded in the report; only a failure to set
/// up the harness itself (the server, the worker executable) is an error.
pub fn run_all(config: &Config) -> Result<Report, String> {
    let started = Instant::now();
    let cores = num_cpus::get();
    let ctx = RunCtx {
        exe: models::multiprocessing::worker_exe()?,
        proc_cap: config.proc_cap,
        limit: Duration::from_secs(if config.mode == Mode::Full { 180 } else { 60 }),
        cores,
    };
    let server =
        server::DelayServer::start(config.delay).map_err(|e| format!("delay server: {e}"))?;
    let addr = server.addr();
    let models = Model::ALL;
    let workload_defs: Vec<WorkloadDef<'_>> = vec![
        (
            "io",
            format!(
                "I/O-bound: {} concurrent units, each {} sequential API calls on its own TCP connection to the delay server ({} ms answer delay)",
                config.io.0, config.io.1, config.delay.as_millis()
            ),
            "req/s",
            1.0,
            Some(Class::Io),
            Job::Api { addr, reqs: config.io.1, compute_words: 0 },
            config.io.0,
        ),
        (
            "sleeps",
            format!(
                "I/O-bound (timers): {} concurrent units, each {} sleep(s) of {} ms",
                config.sleeps.0, config.sleeps.1, config.sleeps.2.as_millis()
            ),
            "sleeps/s",
            1.0,
            None,
            Job::Sleep { count: config.sleeps.1, dur: config.sleeps.2 },
            config.sleeps.0,
        ),
        (
            "cpu",
            format!(
                "CPU-bound: {} MiB of generated words hashed (FNV-1a over xorshift64), split into {} units of {} KiB",
                (config.cpu.0 as u64 * config.cpu.1 * 8) >> 20,
                config.cpu.0,
                (config.cpu.1 * 8) >> 10
            ),
            "MiB/s",
            (1u64 << 20) as f64,
            Some(Class::Cpu),
            Job::Cpu { words: config.cpu.1 },
            config.cpu.0,
        ),
        (
            "mixed",
            format!(
                "Mixed: {} concurrent units, each {} API calls; after each answer the unit hashes {} KiB before the next call",
                config.mixed.0,
                config.mixed.1,
                (config.mixed.2 * 8) >> 10
            ),
            "req/s",
            1.0,
            Some(Class::Mixed),
            Job::Api { addr, reqs: config.mixed.1, compute_words: config.mixed.2 },
            config.mixed.0,
        ),
    ];
    let workload_defs: Vec<WorkloadDef<'_>> = workload_defs
        .into_iter()
        .filter(|d| Part::of_workload(d.0).is_some_and(|p| config.runs(p)))
        .collect();
    let scaling_jobs: Vec<(&str, Job, usize)> = if config.runs(Part::Scaling) {
        vec![
            (
                "cpu",
                Job::Cpu {
                    words: config.cpu.1,
                },
                config.cpu.0,
            ),
            (
                "mixed",
                Job::Api {
                    addr,
                    reqs: config.mixed.1,
                    compute_words: config.mixed.2,
                },
                config.mixed.0,
            ),
        ]
    } else {
        Vec::new()
    };

    let reps = config.reps.max(1);
    let n_models = models.len();
    let mut total = reps * workload_defs.len() * n_models
        + reps * scaling_jobs.len() * config.scaling_workers.len();
    if config.runs(Part::Overheads) {
        total += 3 * reps * n_models;
    }
    if config.runs(Part::Probe) {
        total += reps * n_models;
    }
    if config.runs(Part::Sweep) {
        total += reps * n_models * config.sweep_points.len();
    }
    let mut bar = Progress::new(total, config.progress);

    let mut workloads = Vec::new();
    for (name, description, unit, scale, class, job, units) in workload_defs {
        let runs = interleaved(
            reps,
            &models,
            &mut bar,
            |m| format!("{name} / {}", m.key()),
            RunResult::throughput,
            |m| workloads::run(m, &job, units, &ctx),
        );
        let mut results = Vec::new();
        let mut reference: Option<u64> = None;
        for (m, mut r) in models.into_iter().zip(runs) {
            if let Ok(res) = &r {
                match reference {
                    None => reference = Some(res.check),
                    Some(c) if c != res.check => {
                        r = Err(format!("checksum {:#x} differs from {c:#x}", res.check))
                    }
                    Some(_) => {}
                }
            }
            results.push((m, r));
        }
        workloads.push(WorkloadReport {
            name: name.into(),
            description,
            unit: unit.into(),
            scale,
            class,
            results,
        });
    }

    let mut scaling = Scaling {
        workers: config.scaling_workers.clone(),
        results: Vec::new(),
    };
    for (name, job, units) in &scaling_jobs {
        let row = interleaved(
            reps,
            &config.scaling_workers,
            &mut bar,
            |w| format!("scaling {name} / {w} workers"),
            RunResult::throughput,
            |w| workloads::run_with_workers(Model::Robin, w, job, *units, &ctx),
        );
        scaling.results.push((name.to_string(), row));
    }
    drop(server);

    let mut overheads = Overheads::default();
    if config.runs(Part::Overheads) {
        let sized = |m: Model, (tasks, procs): (usize, usize)| {
            if m == Model::Processes {
                procs
            } else {
                tasks
            }
        };
        let start = interleaved(
            reps,
            &models,
            &mut bar,
            |m| format!("start cost / {}", m.key()),
            |x| *x,
            |m| overhead::start_cost(m, sized(m, config.start), &ctx),
        );
        overheads.start = models.into_iter().zip(start).collect();
        let mem = interleaved(
            reps,
            &models,
            &mut bar,
            |m| format!("memory / {}", m.key()),
            |x: &MemPerUnit| x.bytes,
            |m| overhead::memory(m, sized(m, config.mem), &ctx),
        );
        overheads.mem = models.into_iter().zip(mem).collect();
        let pp = (config.pingpong.0 as usize, config.pingpong.1 as usize);
        let ctx_switch = interleaved(
            reps,
            &models,
            &mut bar,
            |m| format!("context switch / {}", m.key()),
            |x| *x,
            |m| overhead::context_switch(m, sized(m, pp) as u64, &ctx),
        );
        overheads.ctx_switch = models.into_iter().zip(ctx_switch).collect();
    }

    let mut probe_results = Vec::new();
    if config.runs(Part::Probe) {
        let late = interleaved(
            reps,
            &models,
            &mut bar,
            |m| format!("preemption probe / {}", m.key()),
            |d: &Duration| d.as_secs_f64(),
            |m| workloads::probe::run(m, config.probe_hog, &ctx),
        );
        probe_results = models.into_iter().zip(late).collect();
    }

    let mut sweep = Sweep::default();
    if config.runs(Part::Sweep) {
        sweep.points = config.sweep_points.clone();
        let pairs: Vec<(Model, usize)> = models
            .iter()
            .flat_map(|&m| config.sweep_points.iter().map(move |&n| (m, n)))
            .collect();
        let mut flat = interleaved(
            reps,
            &pairs,
            &mut bar,
            |(m, n)| format!("sweep {n} / {}", m.key()),
            |p: &SweepPoint| p.throughput,
            |(m, n)| sweep::point(m, n, config.sweep_dur, config.sweep_limits, &ctx),
        )
        .into_iter();
        for m in models {
            let row = flat.by_ref().take(config.sweep_points.len()).collect();
            sweep.results.push((m, row));
        }
    }
    bar.finish();

    Ok(Report {
        config: config.clone(),
        machine: Machine::detect(),
        workloads,
        overheads,
        sweep,
        scaling,
        probe: probe_results,
        elapsed: started.elapsed(),
    })
}

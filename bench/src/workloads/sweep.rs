//! The scale sweep: the sleep workload (each unit sleeps once for `dur`) at 10, 100, 1k, 10k,
//! 100k units, per model, as far as each model can go. Throughput = units / wall time; memory
//! per unit = peak RSS growth (sampled every ms) / units.
//!
//! In-process models run each point in a fresh worker process (`--worker sweep …`) so one
//! point's allocations, threads or failure cannot skew the next. Limits are reported, never
//! hidden: thread-per-unit is tried up to `thread_cap` threads (a spawn failure below that is
//! reported with the OS error), processes up to `proc_cap`, and a thread pool point is skipped
//! when it would take longer than the time budget (units × dur / cores).

use std::time::Duration;

use super::{run, Job, RunCtx};
use crate::models::multiprocessing::Children;
use crate::models::Model;

/// One measured point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SweepPoint {
    /// Units completed per second.
    pub throughput: f64,
    /// Bytes per unit.
    pub bytes_per_unit: f64,
    /// OS threads used.
    pub threads: u64,
}

/// Limits for the sweep.
#[derive(Debug, Clone, Copy)]
pub struct SweepLimits {
    /// Most threads thread-per-unit tries.
    pub thread_cap: usize,
    /// Longest a thread-pool point may take.
    pub pool_budget: Duration,
}

/// Measures one sweep point, or says why it was not (or could not be) measured.
pub fn point(
    model: Model,
    units: usize,
    dur: Duration,
    lim: SweepLimits,
    ctx: &RunCtx,
) -> Result<SweepPoint, String> {
    match model {
        Model::ThreadPerUnit if units > lim.thread_cap => {
            return Err(format!(
                "not attempted above {} threads (harness cap)",
                lim.thread_cap
            ));
        }
        Model::Processes if units > ctx.proc_cap => {
            return Err(format!(
                "not attempted above {} processes: each is a full OS process (~MiBs RSS, ms to start)",
                ctx.proc_cap
            ));
        }
        Model::ThreadPool => {
            let est = dur.as_secs_f64() * units as f64 / ctx.cores as f64;
            if est > lim.pool_budget.as_secs_f64() {
                return Err(format!(
                    "not attempted: would take ≈{est:.0} s ({units} sleeps / {} threads), over the {:.0} s budget",
                    ctx.cores,
                    lim.pool_budget.as_secs_f64()
                ));
            }
        }
        _ => {}
    }
    if model == Model::Processes {
        let r = run(model, &Job::Sleep { count: 1, dur }, units, ctx)?;
        return Ok(SweepPoint {
            throughput: r.throughput(),
            bytes_per_unit: r.mem_bytes / units as f64,
            threads: r.threads,
        });
    }
    let args = vec![
        "sweep".into(),
        model.key().into(),
        units.to_string(),
        dur.as_nanos().to_string(),
    ];
    let (line, f) = Children::one_answer(&ctx.exe, args, ctx.limit)?;
    match f[..] {
        [wall_ns, mem, threads] => Ok(SweepPoint {
            throughput: units as f64 / (wall_ns / 1e9),
            bytes_per_unit: mem / units as f64,
            threads: threads as u64,
        }),
        _ => Err(format!("sweep worker said {line:?}")),
    }
}

//! The monitor: a thread that watches for workers stuck inside one poll. It sends help
//! to their queued work and, if asked, reports the blocking task.
//!
//! A task that blocks its thread (a `std::thread::sleep`, a blocking syscall, a long
//! computation) holds its worker inside one poll. Tasks in that worker's deque are
//! offered to others whenever they are pushed (`notify_parked`), but the LIFO slot is
//! not, to keep message passing cheap (see lifo.rs). So every [`PERIOD`] the monitor reads
//! each worker's published poll counter; a worker whose counter has not moved since the
//! last look, and that has queued work, is stuck: the monitor wakes a parked worker, whose
//! search steals the work (its deque, then its LIFO slot). This is Go's `sysmon` idea
//! (retaking work from a P stuck in a syscall), scaled down.
//!
//! The blocking detector (`Builder::detect_blocking`) uses the same observation: a worker
//! whose counter has not moved for `threshold` while it is inside a poll (it publishes
//! the id of the task it polls) gets one report per incident, naming the task, its name
//! and spawn location (looked up in the owned-task list, whose lock keeps the task alive
//! while its header is read). No clock is read on the workers' hot path: the monitor
//! times the incident itself, to within one period.
//!
//! While every worker is parked nothing can be stuck, and the monitor looks only every
//! [`IDLE_PERIOD`]; shutdown wakes it at once.
use super::BlockingReport;
use super::Shared;
use crate::engine::Id;
use crate::loom::sync::atomic::Ordering::Relaxed;
use crate::loom::sync::Arc;
use crate::loom::Parker;
use std::time::{Duration, Instant};

/// How often the monitor looks while workers are running.
pub(super) const PERIOD: Duration = Duration::from_millis(1);

/// How long the monitor sleeps between looks while every worker is parked.
const IDLE_PERIOD: Duration = Duration::from_millis(50);

pub(super) fn spawn(
    shared: Arc<Shared>,
    parker: Parker,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    let name = format!("{}-monitor", (shared.config.thread_name)());
    std::thread::Builder::new()
        .name(name)
        .spawn(move || run(&shared, &parker))
}

/// What the monitor remembers about one worker.
struct Watch {
    polls: u64,
    since: Instant,
    reported: bool,
}

fn run(shared: &Shared, parker: &Parker) {
    let now = Instant::now();
    let mut watches: Vec<Watch> = shared
        .remotes
        .iter()
        .map(|r| Watch {
            polls: r.stats.polls.load(Relaxed),
            since: now,
            reported: false,
        })
        .collect();
    while !shared.is_shutdown() {
        let period = if shared.idle.num_unparked() == 0 {
            IDLE_PERIOD
        } else {
            PERIOD
        };
        parker.park_timeout(period);
        let now = Instant::now();
        // The coarse clock task dumps time idle tasks with (engine/diag.rs).
        crate::engine::diag::refresh_clock(now);
        for (index, (remote, watch)) in shared.remotes.iter().zip(watches.iter_mut()).enumerate() {
            let polls = remote.stats.polls.load(Relaxed);
            if polls != watch.polls {
                *watch = Watch {
                    polls,
                    since: now,
                    reported: false,
                };
                continue;
            }
            if !remote.lifo.is_empty() || !remote.steal.is_empty() || !remote.yield_steal.is_empty()
            {
                shared.notify_parked();
            }
            let Some(threshold) = shared.config.detect_blocking else {
                continue;
            };
            let current = remote.stats.current_task.load(Relaxed);
            let stuck_for = now.duration_since(watch.since);
            if current != 0 && !watch.reported && stuck_for >= threshold {
                watch.reported = true;
                report(shared, index, Id::from_u64(current), stuck_for);
            }
        }
    }
}

fn report(shared: &Shared, worker: usize, task_id: Option<Id>, stuck_for: Duration) {
    let meta = task_id.and_then(|id| shared.owned.describe(id));
    let report = BlockingReport {
        worker,
        task_id,
        task_name: meta
            .as_ref()
            .and_then(|m| m.name.as_deref().map(str::to_owned)),
        spawned_at: meta.map(|m| m.location),
        stuck_for,
    };
    match &shared.config.on_blocking {
        // A panicking hook must not kill the monitor (and with it, stealing help).
        Some(hook) => {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&report)));
        }
        None => eprintln!("{report}"),
    }
}

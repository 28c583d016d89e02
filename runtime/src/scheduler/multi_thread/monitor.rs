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
//! With `Builder::heal_blocked_workers`, a worker stuck for `threshold` while work waits
//! (queued anywhere, and no worker parked that a notification could bring) also has its
//! core seized and handed to a substitute thread (heal.rs), at most
//! `max_blocking_threads` substitutes alive at once; the report then says so.
//!
//! While every worker is parked nothing can be stuck, and the monitor looks only every
//! [`IDLE_PERIOD`]; shutdown wakes it at once.
//!
//! The monitor is supervised: if its loop panics (a bug; the `on_blocking` hook's panics
//! are caught apart), the panic goes through the runtime's unhandled-panic policy, a
//! line on stderr says so, and the loop starts again, so detection never silently stops.
use super::{heal, worker, BlockingReport, Remote, Shared};
use crate::engine::Id;
use crate::loom::sync::atomic::Ordering::{AcqRel, Relaxed};
use crate::loom::sync::Arc;
use crate::loom::Parker;
use std::panic::{catch_unwind, AssertUnwindSafe};
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
        .spawn(move || supervise(&shared, &parker))
}

/// Runs the monitor loop until shutdown, restarting it if it panics (module docs).
fn supervise(shared: &Arc<Shared>, parker: &Parker) {
    while catch_unwind(AssertUnwindSafe(|| run(shared, parker))).is_err() {
        eprintln!("robin: the runtime's monitor thread panicked; restarting it");
        super::super::Handle::MultiThread(shared.clone()).unhandled_panic();
    }
}

/// What the monitor remembers about one worker.
struct Watch {
    polls: u64,
    since: Instant,
    reported: bool,
    handed_off: bool,
}

fn run(shared: &Arc<Shared>, parker: &Parker) {
    let now = Instant::now();
    let mut watches: Vec<Watch> = shared
        .remotes
        .iter()
        .map(|r| Watch {
            polls: r.stats.polls.load(Relaxed),
            since: now,
            reported: false,
            handed_off: false,
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
        #[cfg(test)]
        super::fault::MONITOR.hit(shared.config.id.get(), "the monitor loop");
        for (index, (remote, watch)) in shared.remotes.iter().zip(watches.iter_mut()).enumerate() {
            let polls = remote.stats.polls.load(Relaxed);
            if polls != watch.polls {
                *watch = Watch {
                    polls,
                    since: now,
                    reported: false,
                    handed_off: false,
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
            if current == 0 || stuck_for < threshold {
                continue;
            }
            let handed = !watch.handed_off
                && shared.config.heal_blocked_workers
                && hand_off(shared, index, remote);
            watch.handed_off |= handed;
            if !watch.reported || handed {
                watch.reported = true;
                report(shared, index, Id::from_u64(current), stuck_for, handed);
            }
        }
    }
}

/// Whether tasks are waiting that no running worker will get to: queued somewhere, with
/// no parked worker that a notification could send (the monitor already notifies).
fn work_waits(shared: &Shared, stuck: &Remote) -> bool {
    shared.idle.num_unparked() == shared.num_workers()
        && (shared.has_stealable_work() || !stuck.lifo.is_empty())
}

/// Healing: seizes the stuck worker's core and starts a substitute thread with it.
/// Returns whether a substitute was started.
fn hand_off(shared: &Arc<Shared>, index: usize, remote: &Remote) -> bool {
    if shared.is_shutdown() || !work_waits(shared, remote) {
        return false;
    }
    // Count the substitute in before seizing, so the stuck thread's count-out (after it
    // sees its core gone, heal.rs) always comes after it.
    if shared.substitutes.fetch_add(1, AcqRel) >= shared.config.max_blocking_threads {
        shared.substitutes.fetch_sub(1, AcqRel);
        return false;
    }
    let slot = remote.core_slot.lock().unwrap().clone();
    let seized = slot.is_some_and(|slot| heal::seize_into(&slot, &shared.handoff[index]));
    if !seized {
        shared.substitutes.fetch_sub(1, AcqRel);
        return false;
    }
    let handle = super::super::Handle::MultiThread(shared.clone());
    let shared2 = shared.clone();
    // Counted before the substitute can run anything, so a task that ran on it always
    // sees the count (taken back in the rare case no thread starts).
    shared.handoffs.fetch_add(1, Relaxed);
    // If no thread can start, the core waits in `handoff` and the stuck thread takes it
    // back when its poll returns: no worse than without healing.
    let started = shared
        .blocking
        .spawn_mandatory(&handle, move || worker::run(shared2, index))
        .is_ok();
    if !started {
        shared.handoffs.fetch_sub(1, Relaxed);
    }
    started
}

fn report(
    shared: &Shared,
    worker: usize,
    task_id: Option<Id>,
    stuck_for: Duration,
    core_handed_off: bool,
) {
    let meta = task_id.and_then(|id| shared.owned.describe(id));
    let report = BlockingReport {
        worker,
        task_id,
        task_name: meta.as_ref().and_then(|m| m.name().map(|n| n.to_string())),
        spawned_at: meta.map(|m| m.location),
        stuck_for,
        core_handed_off,
    };
    match &shared.config.on_blocking {
        // A panicking hook must not kill the monitor (and with it, stealing help).
        Some(hook) => {
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hook(&report)));
        }
        None => eprintln!("{report}"),
    }
}

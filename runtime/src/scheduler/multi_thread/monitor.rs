//! The monitor: a thread that notices workers stuck inside one poll with work queued
//! behind them, and wakes a parked worker to steal it.
//!
//! A task that blocks its thread (a `std::thread::sleep`, a blocking syscall, a long
//! computation) holds its worker inside one poll. Tasks in that worker's deque are
//! offered to others whenever they are pushed (`notify_parked`), but the LIFO slot is
//! not, to keep message passing cheap (see lifo.rs). So every [`PERIOD`] the monitor reads
//! each worker's published poll counter; a worker whose counter has not moved since the
//! last look, and that has queued work, is stuck: the monitor wakes a parked worker, whose
//! search steals the work (its deque, then its LIFO slot). This is Go's `sysmon` idea
//! (retaking work from a P stuck in a syscall), scaled down. While every worker is parked
//! nothing can be stuck, and the monitor looks only every [`IDLE_PERIOD`]; shutdown wakes
//! it at once.
use super::Shared;
use crate::loom::sync::atomic::Ordering::Relaxed;
use crate::loom::sync::Arc;
use crate::loom::Parker;
use std::time::Duration;

/// How often the monitor looks while workers are running.
pub(super) const PERIOD: Duration = Duration::from_millis(1);

/// How long the monitor sleeps between looks while every worker is parked.
const IDLE_PERIOD: Duration = Duration::from_millis(50);

pub(super) fn spawn(shared: Arc<Shared>, parker: Parker) -> std::io::Result<()> {
    let name = format!("{}-monitor", (shared.config.thread_name)());
    std::thread::Builder::new()
        .name(name)
        .spawn(move || run(&shared, &parker))
        .map(drop)
}

fn run(shared: &Shared, parker: &Parker) {
    let mut last: Vec<u64> = shared
        .remotes
        .iter()
        .map(|r| r.polls.load(Relaxed))
        .collect();
    while !shared.is_shutdown() {
        let period = if shared.idle.num_unparked() == 0 {
            IDLE_PERIOD
        } else {
            PERIOD
        };
        parker.park_timeout(period);
        for (remote, seen) in shared.remotes.iter().zip(last.iter_mut()) {
            let now = remote.polls.load(Relaxed);
            let stuck = now == *seen;
            *seen = now;
            if stuck
                && (!remote.lifo.is_empty()
                    || !remote.steal.is_empty()
                    || !remote.yield_steal.is_empty())
            {
                shared.notify_parked();
            }
        }
    }
}

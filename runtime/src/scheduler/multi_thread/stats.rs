//! Per-worker counters for `RuntimeMetrics` and the monitor.
//!
//! Each worker writes only its own [`WorkerStats`] (a plain load + store of its own
//! atomics, no read-modify-write, no line shared with another writer); readers load them
//! on demand. On the hot path a worker touches only its own cache line, so the counters
//! cost no shared-cache-line traffic.
//!
//! They order nothing (every access is `Relaxed`, and no decision that needs a
//! happens-before edge reads them: the monitor's stall heuristic re-checks through the
//! core slot's swap), so they are `std` atomics under loom too ([`crate::loom::counter`]):
//! modelling them only multiplied the worker-loop models' states (several accesses per
//! poll and per park).
use crate::loom::counter::{AtomicU64, Relaxed};

/// Counters of one worker (see the module docs for who writes what).
#[derive(Default)]
pub(crate) struct WorkerStats {
    /// Polls started (also the monitor's progress signal).
    pub(crate) polls: AtomicU64,
    /// Tasks obtained by stealing (from other workers' queues and the injector batches).
    pub(crate) steals: AtomicU64,
    /// Successful steal operations.
    pub(crate) steal_ops: AtomicU64,
    /// Times the worker parked.
    pub(crate) parks: AtomicU64,
    /// Times the worker parked its thread plus times it woke (odd: parked now).
    pub(crate) park_unparks: AtomicU64,
    /// Time spent running (between wake-up and park), in nanoseconds.
    pub(crate) busy_ns: AtomicU64,
    /// Exponentially weighted mean poll time, in nanoseconds (sampled every 64th poll).
    pub(crate) mean_poll_ns: AtomicU64,
    /// Id of the task being polled right now, 0 when not polling.
    pub(crate) current_task: AtomicU64,
}

/// Adds `n` to a counter that only the calling worker writes.
#[inline]
pub(super) fn bump(counter: &AtomicU64, n: u64) {
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
}

impl WorkerStats {
    /// Folds one sampled poll time into the mean (weight 1/8 for the new sample).
    pub(super) fn sample_poll(&self, ns: u64) {
        let old = self.mean_poll_ns.load(Relaxed);
        let new = if old == 0 { ns } else { old - old / 8 + ns / 8 };
        self.mean_poll_ns.store(new, Relaxed);
    }
}

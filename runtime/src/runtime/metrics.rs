//! `RuntimeMetrics`: a stable, cheap view of what a runtime is doing.
//!
//! Every figure is read on demand from counters the runtime keeps anyway: per-worker
//! counters that only their worker writes (`scheduler/multi_thread/stats.rs`), per-shard
//! task counts kept under locks the spawn path takes anyway, queue lengths. Reading takes
//! a few locks; the hot path pays nothing extra for it.
use crate::scheduler;
use std::time::Duration;

/// Metrics of one runtime; get it from `Runtime::metrics` or `Handle::metrics`.
///
/// Worker-indexed methods take `worker < num_workers()`; a current-thread runtime reports
/// one worker (the thread in `block_on`) and no per-worker counters (zeros).
///
/// ```
/// let rt = robin_runtime::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap();
/// rt.block_on(async {
///     for i in 0..10 { robin_runtime::spawn(async move { i }).await.unwrap(); }
/// });
/// let m = rt.metrics();
/// assert_eq!(m.num_workers(), 2);
/// assert_eq!(m.spawned_tasks_count(), 10);
/// // Released just after each join (see `num_alive_tasks`): settled once the runtime is.
/// drop(rt);
/// assert_eq!(m.num_alive_tasks(), 0);
/// let polls: u64 = (0..2).map(|w| m.worker_poll_count(w)).sum();
/// assert!(polls >= 10);
/// ```
#[derive(Clone, Debug)]
pub struct RuntimeMetrics {
    handle: scheduler::Handle,
}

impl RuntimeMetrics {
    pub(crate) fn new(handle: scheduler::Handle) -> RuntimeMetrics {
        RuntimeMetrics { handle }
    }

    fn worker(&self, worker: usize) -> Option<&crate::scheduler::multi_thread::stats::WorkerStats> {
        match &self.handle {
            scheduler::Handle::MultiThread(shared) => Some(&shared.remotes.get(worker)?.stats),
            // The thread in `block_on` is worker 0.
            scheduler::Handle::CurrentThread(shared) => (worker == 0).then_some(&shared.stats),
        }
    }

    /// Worker threads (1 for a current-thread runtime).
    pub fn num_workers(&self) -> usize {
        match &self.handle {
            scheduler::Handle::MultiThread(shared) => shared.num_workers(),
            scheduler::Handle::CurrentThread(_) => 1,
        }
    }

    /// Tasks spawned and not yet completed, including those of the `LocalSet`s the
    /// runtime drives.
    ///
    /// A task counts until the runtime has released it, just *after* it publishes its
    /// completion (as in tokio; robin releases it before waking the joiner): on a
    /// multi-thread runtime, a joiner polled on another worker at that moment can take
    /// the output and read the count a moment before the finished task leaves it.
    pub fn num_alive_tasks(&self) -> usize {
        self.handle.num_alive_tasks()
    }

    /// Tasks ever spawned on the runtime, including those of the `LocalSet`s it drives
    /// (not counting blocking jobs).
    pub fn spawned_tasks_count(&self) -> u64 {
        self.handle.spawned_tasks_count()
    }

    /// Tasks waiting in the global (injection) queue.
    pub fn global_queue_depth(&self) -> usize {
        match &self.handle {
            scheduler::Handle::MultiThread(shared) => shared.injector_depth(),
            scheduler::Handle::CurrentThread(shared) => shared.injector_depth(),
        }
    }

    /// Blocking jobs queued and not yet started.
    pub fn blocking_queue_depth(&self) -> usize {
        self.handle.blocking().stats().2
    }

    /// Threads of the blocking pool (including the threads workers run on).
    pub fn num_blocking_threads(&self) -> usize {
        self.handle.blocking().stats().0
    }

    /// Idle threads of the blocking pool.
    pub fn num_idle_blocking_threads(&self) -> usize {
        self.handle.blocking().stats().1
    }

    fn counter(
        &self,
        worker: usize,
        f: impl Fn(&crate::scheduler::multi_thread::stats::WorkerStats) -> u64,
    ) -> u64 {
        self.worker(worker).map_or(0, f)
    }

    /// Task polls started by `worker`.
    pub fn worker_poll_count(&self, worker: usize) -> u64 {
        self.counter(worker, |s| {
            s.polls.load(std::sync::atomic::Ordering::Relaxed)
        })
    }

    /// Tasks `worker` obtained by stealing from other workers.
    pub fn worker_steal_count(&self, worker: usize) -> u64 {
        self.counter(worker, |s| {
            s.steals.load(std::sync::atomic::Ordering::Relaxed)
        })
    }

    /// Successful steal operations of `worker` (each moves one or more tasks).
    pub fn worker_steal_operations(&self, worker: usize) -> u64 {
        self.counter(worker, |s| {
            s.steal_ops.load(std::sync::atomic::Ordering::Relaxed)
        })
    }

    /// Times `worker` parked for lack of work.
    pub fn worker_park_count(&self, worker: usize) -> u64 {
        self.counter(worker, |s| {
            s.parks.load(std::sync::atomic::Ordering::Relaxed)
        })
    }

    /// Times `worker` parked its thread plus times it was unparked: it starts at 0, and
    /// grows by one as the worker parks waiting for work or events and by one as it
    /// wakes, so an odd count means the worker is parked now, an even one that it is
    /// running. (0 on a current-thread runtime, which keeps no per-worker counters.)
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
    /// rt.block_on(async { robin_runtime::spawn(async {}).await.unwrap() });
    /// // With nothing left to do the worker parks: the count turns odd.
    /// let parked = (0..5000).any(|_| {
    ///     std::thread::sleep(std::time::Duration::from_millis(1));
    ///     rt.metrics().worker_park_unpark_count(0) % 2 == 1
    /// });
    /// assert!(parked);
    /// ```
    pub fn worker_park_unpark_count(&self, worker: usize) -> u64 {
        self.counter(worker, |s| {
            s.park_unparks.load(std::sync::atomic::Ordering::Relaxed)
        })
    }

    /// Tasks in `worker`'s local queues (deque and yield queue; not its LIFO slot).
    pub fn worker_local_queue_depth(&self, worker: usize) -> usize {
        match &self.handle {
            scheduler::Handle::MultiThread(shared) => shared
                .remotes
                .get(worker)
                .map_or(0, |r| r.steal.len() + r.yield_steal.len()),
            scheduler::Handle::CurrentThread(_) => 0,
        }
    }

    /// Time `worker` spent running (from waking up to parking), up to its last park.
    pub fn worker_total_busy_duration(&self, worker: usize) -> Duration {
        Duration::from_nanos(self.counter(worker, |s| {
            s.busy_ns.load(std::sync::atomic::Ordering::Relaxed)
        }))
    }

    /// Exponentially weighted mean time of `worker`'s task polls (sampled every 64th).
    pub fn worker_mean_poll_time(&self, worker: usize) -> Duration {
        Duration::from_nanos(self.counter(worker, |s| {
            s.mean_poll_ns.load(std::sync::atomic::Ordering::Relaxed)
        }))
    }

    /// How many times the runtime handed a stuck worker's core to a substitute thread
    /// (`Builder::heal_blocked_workers`); 0 without healing and on a current-thread
    /// runtime.
    pub fn worker_handoff_count(&self) -> u64 {
        match &self.handle {
            scheduler::Handle::MultiThread(shared) => shared.handoff_count(),
            scheduler::Handle::CurrentThread(_) => 0,
        }
    }
}

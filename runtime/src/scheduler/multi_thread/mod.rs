//! The multi-thread, work-stealing scheduler.
//!
//! N workers, each owning a [`Core`](worker::Core): a FIFO deque (`queue::Local`) and a
//! stealable LIFO slot ([`lifo`]). Tasks woken or spawned on a worker go to its LIFO slot
//! (the previous occupant to the deque); tasks scheduled from anywhere else go to the
//! global [`Injector`](queue::Injector). An idle worker steals half of a random victim's
//! deque, then from the injector, then (last resort) a victim's LIFO slot; at most half
//! the workers search at once, and the no-lost-wakeup protocol ([`idle`], `README.md`)
//! decides who parks and who gets woken. A monitor thread ([`monitor`]) notices workers
//! stuck in one poll with work queued behind them and wakes a parked worker to take it.
//! With `Builder::heal_blocked_workers`, the monitor goes further and hands a stuck
//! worker's core to a substitute thread ([`heal`]).
//! The driver thread ([`driver_thread`]) turns the I/O and timer driver and hands the
//! wakers of each turn to the injector in one batch; a worker whose queues ran empty
//! first harvests ready I/O itself, without blocking, and runs those tasks locally.
//!
//! Naming follows who may touch what: `Core` belongs to one worker thread at a time;
//! [`Remote`] is the part of a worker other threads reach; [`Shared`] is everything all
//! threads share; `Handle`s (in `scheduler`) are what users hold.
mod blocking_report;
pub(crate) mod driver_thread;
#[cfg(test)]
mod fault;
mod heal;
mod idle;
pub(crate) mod lifo;
#[cfg(all(test, loom))]
mod loom_worker;
mod monitor;
pub(crate) mod park;
pub(crate) mod queue;
mod rand;
mod spin;
pub(crate) mod stats;
#[cfg(all(test, not(loom)))]
mod supervision_tests;
pub(crate) mod worker;

pub use blocking_report::BlockingReport;
pub(crate) use idle::MAX_WORKERS;

use super::{blocking, Config};
use crate::context;
use crate::driver::Driver;
use crate::engine::list::OwnedTasks;
use crate::engine::{Notified, Schedule, Task};
use crate::loom::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use crate::loom::{Parker, Unparker};
use crossbeam_utils::CachePadded;

/// Everything the workers, the monitor and all handles share.
pub(crate) struct Shared {
    pub(crate) remotes: Box<[CachePadded<Remote>]>,
    pub(super) inject: queue::Injector,
    pub(super) idle: idle::Idle,
    pub(crate) owned: OwnedTasks,
    /// The local tasks of the `LocalSet`s this runtime drives (metrics only).
    pub(crate) local_tasks: Arc<super::local::LocalTaskCounts>,
    /// A worker's core waiting for a thread to run it (start-up, `block_in_place`).
    pub(super) handoff: Box<[Mutex<Option<Box<worker::Core>>>]>,
    /// Cores of workers that have shut down; the last one in finishes the shutdown.
    shutdown_cores: Mutex<Vec<worker::Core>>,
    shutdown: AtomicBool,
    /// Cores the monitor handed to a substitute (`worker_handoff_count`).
    pub(super) handoffs: AtomicU64,
    /// Threads whose core was handed off and whose stuck poll has not returned yet; kept
    /// at most `max_blocking_threads` (issue 17: substitutes are bounded).
    pub(super) substitutes: AtomicUsize,
    pub(super) monitor: Unparker,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) config: Config,
    pub(crate) driver: Option<Arc<crate::driver::Handle>>,
}

/// The part of a worker that other threads may touch.
pub(crate) struct Remote {
    pub(crate) steal: queue::Stealer,
    /// Steals from the worker's yield queue.
    pub(crate) yield_steal: queue::Stealer,
    pub(super) lifo: lifo::LifoSlot,
    pub(super) unpark: Unparker,
    /// Counters published by this worker (written by the owner only).
    pub(crate) stats: stats::WorkerStats,
    /// With healing on: the core slot of the thread running this worker now (set by that
    /// thread as it starts; read by the monitor, see heal.rs).
    pub(super) core_slot: Mutex<Option<Arc<heal::CoreSlot>>>,
}

/// What the runtime owns for this flavor: its helper threads (monitor, driver), which
/// it joins at shutdown.
pub(crate) struct MultiThread {
    /// In a mutex only so that `Runtime` stays `Sync` (as tokio's): a `Parker` is `Send`
    /// but not `Sync`. Taken once, by `launch`.
    monitor_parker: std::sync::Mutex<Option<Parker>>,
    driver: Option<Driver>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Shared {
    pub(crate) fn new(
        num_workers: usize,
        blocking: blocking::Spawner,
        config: Config,
        driver: Option<Driver>,
    ) -> (Arc<Shared>, MultiThread) {
        let driver_handle = driver.as_ref().map(|d| d.handle.clone());
        let mut remotes = Vec::with_capacity(num_workers);
        let mut handoff = Vec::with_capacity(num_workers);
        for index in 0..num_workers {
            let core = worker::Core::new(index, config.global_queue_interval);
            remotes.push(CachePadded::new(Remote {
                steal: core.run_queue.stealer(),
                yield_steal: core.yield_queue.stealer(),
                lifo: lifo::LifoSlot::new(),
                unpark: core.park.unparker(),
                stats: stats::WorkerStats::default(),
                core_slot: Mutex::new(None),
            }));
            handoff.push(Mutex::new(Some(core)));
        }
        let monitor_parker = Parker::new();
        let shared = Arc::new(Shared {
            remotes: remotes.into_boxed_slice(),
            inject: queue::Injector::new(),
            idle: idle::Idle::new(num_workers),
            local_tasks: Arc::new(Default::default()),
            owned: OwnedTasks::new(num_workers * 4),
            handoff: handoff.into_boxed_slice(),
            shutdown_cores: Mutex::new(Vec::with_capacity(num_workers)),
            shutdown: AtomicBool::new(false),
            handoffs: AtomicU64::new(0),
            substitutes: AtomicUsize::new(0),
            monitor: monitor_parker.unparker(),
            blocking,
            config,
            driver: driver_handle,
        });
        let owned = MultiThread {
            monitor_parker: std::sync::Mutex::new(Some(monitor_parker)),
            driver,
            threads: Vec::new(),
        };
        (shared, owned)
    }

    pub(crate) fn injector_depth(&self) -> usize {
        self.inject.len()
    }

    pub(crate) fn num_workers(&self) -> usize {
        self.remotes.len()
    }

    /// Where a woken or spawned task goes depends on the thread: a worker of this
    /// runtime holding its core takes it locally; this runtime's driver thread queues it
    /// in the injector and notifies once per batch; any other thread queues it in the
    /// injector and notifies a parked worker.
    fn schedule_task(&self, task: Notified, is_yield: bool) {
        let task = context::with_scheduler(|cx| match cx {
            Some(super::Context::Worker(cx)) => cx.try_schedule_local(self, task, is_yield),
            Some(super::Context::Driver(cx)) if cx.serves(self) => {
                if self.push_remote(task) {
                    cx.defer_notify();
                }
                Ok(())
            }
            _ => Err(task),
        });
        if let Err(task) = task {
            if self.push_remote(task) {
                self.notify_parked();
            }
        }
    }

    /// Pushes a task into the injector. Returns `false` if the runtime shut down (the
    /// task is dropped), `true` if the caller must see that a worker gets notified.
    fn push_remote(&self, task: Notified) -> bool {
        self.inject.push(task);
        // SeqCst fence: orders the push before reading the idle state, against the last
        // searcher's state update before its queue re-check (README: no lost wakeup).
        fence(SeqCst);
        if self.is_shutdown() {
            // The workers may already have drained the injector for the last time.
            self.drain_injector();
            return false;
        }
        true
    }

    /// Wakes a parked worker if none is searching.
    pub(super) fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.remotes[index].unpark.unpark();
        }
    }

    /// Whether any queue other workers can take from holds work (for the last searcher
    /// going to park). LIFO slots are left out: their owners run them, or the monitor
    /// sends help when an owner is stuck; counting them here would make a parking worker
    /// wake itself in a loop while a busy worker ping-pongs through its slot.
    pub(super) fn has_stealable_work(&self) -> bool {
        !self.inject.is_empty()
            || self
                .remotes
                .iter()
                .any(|r| !r.steal.is_empty() || !r.yield_steal.is_empty())
    }

    /// Cores handed from a stuck worker to a substitute so far.
    pub(crate) fn handoff_count(&self) -> u64 {
        self.handoffs.load(Relaxed)
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(SeqCst)
    }

    /// Starts shutdown: workers finish their current poll, cancel every task and exit.
    pub(crate) fn close(&self) {
        if self.shutdown.swap(true, SeqCst) {
            return;
        }
        if let Some(driver) = &self.driver {
            driver.begin_shutdown();
        }
        for remote in self.remotes.iter() {
            remote.unpark.unpark();
        }
        self.monitor.unpark();
    }

    /// Called by each worker as it exits, with its core.
    pub(super) fn shutdown_core(&self, core: worker::Core) {
        self.owned.close_and_shutdown_all();
        let mut cores = self.shutdown_cores.lock().unwrap();
        cores.push(core);
        if cores.len() == self.remotes.len() {
            // Every worker is done: nobody pushes locally any more.
            for core in cores.drain(..) {
                core.drain(self);
            }
            drop(cores);
            self.drain_injector();
            self.owned.close_and_shutdown_all();
            debug_assert_eq!(self.owned.len(), 0);
        }
    }

    fn drain_injector(&self) {
        while let Some(task) = self.inject.pop() {
            drop(task);
        }
    }
}

impl Schedule for Arc<Shared> {
    fn with_task_id(&self, id: crate::engine::Id, f: &mut dyn FnMut()) {
        crate::context::with_task_id(id, f);
    }

    fn schedule(&self, task: Notified) {
        self.schedule_task(task, false);
    }

    fn yield_now(&self, task: Notified) {
        self.schedule_task(task, true);
    }

    fn release(&self, task: &Task) -> Option<Task> {
        self.owned.remove(task)
    }

    fn unhandled_panic(&self) {
        super::Handle::MultiThread(self.clone()).unhandled_panic();
    }
}

impl MultiThread {
    /// Starts the driver thread, the worker threads (on the blocking pool) and the
    /// monitor thread. On an error, what did start is shut down by the runtime's drop.
    pub(crate) fn launch(&mut self, shared: &Arc<Shared>) -> std::io::Result<()> {
        if let Some(driver) = self.driver.take() {
            let thread = driver_thread::spawn(driver, shared.clone())?;
            self.threads.push(thread);
        }
        let handle = super::Handle::MultiThread(shared.clone());
        for index in 0..shared.num_workers() {
            let shared2 = shared.clone();
            shared
                .blocking
                .spawn_mandatory(&handle, move || worker::run(shared2, index))?;
        }
        let parker = self
            .monitor_parker
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        // Under loom the monitor is not started: it is time-driven (loom has no time)
        // and only ever adds wake-ups, so the models check the workers without it.
        if let Some(parker) = parker.filter(|_| cfg!(not(loom))) {
            self.threads.push(monitor::spawn(shared.clone(), parker)?);
        }
        Ok(())
    }

    /// Joins the driver and monitor threads (they exit as soon as `close` wakes them).
    /// With `wait == false` they are left to finish in the background.
    pub(crate) fn join_threads(&mut self, wait: bool) {
        for thread in self.threads.drain(..) {
            if wait {
                let _ = thread.join();
            }
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("multi_thread::Shared")
            .field("workers", &self.remotes.len())
            .field("alive_tasks", &self.owned.len())
            .finish()
    }
}

//! A worker: the run loop of one thread of the multi-thread scheduler, and the `Core`
//! it runs with.
//!
//! The `Core` (run queue, parker, counters) belongs to exactly one thread at a time. While
//! a task is being polled the core sits in the thread's [`Context`] so that tasks woken or
//! spawned during the poll can be pushed onto it ([`try_schedule_local`]). If the task
//! calls `block_in_place`, the core is handed to a fresh thread through `Shared::handoff`
//! and this thread finishes the poll without a core, then leaves the run loop; the core's
//! queues keep being served by the new thread, never stranded.
//!
//! With `Builder::heal_blocked_workers`, the core sits in the thread's own
//! [`heal::CoreSlot`] during a poll instead, where the monitor can seize it for a
//! substitute thread when the poll blocks (heal.rs); after the poll the thread reclaims
//! it with one atomic swap and leaves the run loop if it was taken.
//!
//! If the run loop itself panics (outside a task poll, which catches its own panics), a
//! guard ([`Held`]) moves the core to a replacement thread so no queued task is stranded
//! and shutdown still collects every core (issue 12 defect 3).
use super::heal::{self, Reclaimed};
use super::rand::FastRand;
use super::{queue, stats, Shared};
use crate::context;
use crate::engine::Notified;
use crate::loom::sync::atomic::{fence, Ordering::*};
use crate::loom::sync::Arc;
use crate::loom::Parker;
use crate::scheduler;
use std::cell::RefCell;
use std::ptr;

/// Consecutive polls from the LIFO slot before the deque gets a turn, so that two tasks
/// waking each other cannot starve the rest of the queue (tokio uses the same number).
const MAX_LIFO_POLLS: u8 = 3;

/// A poll in this many is timed, for the mean poll time in the metrics: reading the
/// clock around every poll would cost more than many polls do.
const POLL_SAMPLE_INTERVAL: u64 = 64;

/// Spin rounds a searching worker takes before it parks (about 20-50 µs in all). Fixed,
/// as before issue 15: an adaptive budget (`spin.rs`, as the driver thread's) was tried,
/// but the runs could not tell it from noise (`driver/PERF.md`), so it was not adopted.
#[cfg(not(loom))]
const SPIN_ROUNDS: u32 = 64;
#[cfg(loom)]
const SPIN_ROUNDS: u32 = 1;

/// Every this many spin rounds the worker yields its thread instead of spinning, so a
/// spinning worker does not keep a producer it shares a core with from running.
const SPIN_YIELD_EVERY: u32 = 8;

/// CPU pause hints between two looks of a spin round (a few hundred nanoseconds).
const SPIN_PAUSES: u32 = 64;

/// One worker's private state.
pub(crate) struct Core {
    pub(super) index: usize,
    pub(super) run_queue: queue::Local,
    /// Tasks that woke themselves while being polled (`yield_now`): they run after
    /// everything else that is ready, including a batch of remote work, so a set of
    /// tasks that yield in a loop cannot keep the injector waiting. Stealable like the
    /// run queue, so a blocked worker strands nothing here either.
    pub(super) yield_queue: queue::Local,
    pub(super) park: Parker,
    rand: FastRand,
    /// When the fairness turn comes (`global_queue_interval`).
    fair: scheduler::FairTick,
    lifo_polls: u8,
    is_searching: bool,
    is_shutdown: bool,
    polls: u64,
    /// When the worker last woke up (or started): busy time is measured up to its park.
    busy_since: std::time::Instant,
    /// The wakers of the last I/O harvest (kept to reuse its allocation).
    #[cfg(not(loom))]
    harvested: Vec<std::task::Waker>,
}

impl Core {
    /// Worker `index`'s core; its fairness turn comes every `global_queue_interval` ticks.
    pub(super) fn new(index: usize, global_queue_interval: u32) -> Box<Core> {
        Box::new(Core {
            index,
            run_queue: queue::Local::new(),
            yield_queue: queue::Local::new(),
            park: Parker::new(),
            rand: FastRand::new(index as u64 + 1),
            fair: scheduler::FairTick::new(global_queue_interval),
            lifo_polls: 0,
            is_searching: false,
            is_shutdown: false,
            polls: 0,
            busy_since: std::time::Instant::now(),
            #[cfg(not(loom))]
            harvested: Vec::new(),
        })
    }

    /// Drops every queued task reference (shutdown; the tasks were already cancelled).
    pub(super) fn drain(self, shared: &Shared) {
        drop(shared.remotes[self.index].lifo.take());
        while let Some(task) = self.run_queue.pop().or_else(|| self.yield_queue.pop()) {
            drop(task);
        }
    }

    /// The next task to run; `fair_turn`: this tick is a fairness turn (see `FairTick`).
    fn next_task(&mut self, shared: &Shared, fair_turn: bool) -> Option<Notified> {
        if fair_turn {
            // Fairness: yielded tasks rejoin the run queue, and remote work gets a turn.
            while let Some(task) = self.yield_queue.pop() {
                self.run_queue.push(task);
            }
            if let Some(task) = shared.inject.steal_into(&self.run_queue) {
                return Some(task);
            }
        }
        let lifo = &shared.remotes[self.index].lifo;
        if self.lifo_polls < MAX_LIFO_POLLS {
            if let Some(task) = lifo.take() {
                self.lifo_polls += 1;
                return Some(task);
            }
        }
        self.lifo_polls = 0;
        self.run_queue
            .pop()
            .or_else(|| lifo.take())
            .or_else(|| shared.inject.steal_into(&self.run_queue))
            .or_else(|| self.yield_queue.pop())
    }

    fn steal_work(&mut self, shared: &Shared) -> Option<Notified> {
        if !self.is_searching {
            if !shared.idle.transition_worker_to_searching() {
                return None;
            }
            self.is_searching = true;
        }
        let n = shared.remotes.len();
        let start = self.rand.below(n as u32) as usize;
        let stats = &shared.remotes[self.index].stats;
        let before = self.run_queue.len();
        let count = |core: &Core| {
            stats::bump(&stats.steal_ops, 1);
            stats::bump(
                &stats.steals,
                1 + core.run_queue.len().saturating_sub(before) as u64,
            );
        };
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == self.index {
                continue;
            }
            let remote = &shared.remotes[victim];
            if let Some(task) = remote.steal.steal_into(&self.run_queue) {
                count(self);
                return Some(task);
            }
            if let Some(task) = remote.yield_steal.steal_into(&self.run_queue) {
                count(self);
                return Some(task);
            }
        }
        if let Some(task) = shared.inject.steal_into(&self.run_queue) {
            return Some(task);
        }
        // Last resort: a victim's LIFO slot (see lifo.rs for the grace period).
        for i in 0..n {
            let victim = (start + i) % n;
            if victim != self.index {
                if let Some(task) = shared.remotes[victim].lifo.steal() {
                    count(self);
                    return Some(task);
                }
            }
        }
        None
    }

    /// One round of a searcher's spin (see [`Context::search_or_park`]): a pause (or,
    /// every [`SPIN_YIELD_EVERY`] rounds, a yield of the thread, so a spinning worker
    /// does not keep a producer it shares a core with from running), then a look at the
    /// injector and the other workers' queues.
    fn spin_round(&mut self, shared: &Shared, round: u32) -> Option<Notified> {
        if round % SPIN_YIELD_EVERY == SPIN_YIELD_EVERY - 1 {
            std::thread::yield_now();
        } else {
            // `std`'s hint, not loom's, under loom too: this pause waits for nothing (the
            // round looks again either way), and loom's is a yield that hands control to
            // every other thread without counting as a preemption, so 64 of them let a
            // waker finish before the worker moved on and hid the window between a
            // round's last look and the park (the models passed with the last searcher's
            // re-check removed).
            for _ in 0..SPIN_PAUSES {
                std::hint::spin_loop();
            }
        }
        if let Some(task) = shared.inject.steal_into(&self.run_queue) {
            return Some(task);
        }
        let n = shared.remotes.len();
        for victim in (0..n).filter(|v| *v != self.index) {
            if let Some(task) = shared.remotes[victim].steal.steal_into(&self.run_queue) {
                return Some(task);
            }
        }
        None
    }

    fn transition_from_searching(&mut self, shared: &Shared) {
        if self.is_searching {
            self.is_searching = false;
            if shared.idle.transition_worker_from_searching() {
                // We were the last searcher: producers that saw us searching did not wake
                // anyone, so hand the search on.
                shared.notify_parked();
            }
        }
    }

    /// Pushes a task scheduled by the task running on this worker.
    fn schedule_local(&mut self, shared: &Shared, task: Notified, is_yield: bool) {
        if is_yield {
            if context::take_yielded() {
                // A real yield (`yield_now`). No notification: this worker runs it once it
                // has nothing better to do, and a thief that comes by anyway may take it.
                self.yield_queue.push(task);
            } else {
                // Woken (by another thread, or by itself not through `yield_now`) while
                // it ran: an ordinary wake, queued ahead of work that arrives later and
                // announced to parked workers (issue 12 defect 6). The run queue, not the
                // LIFO slot: it is the same task again.
                self.run_queue.push(task);
                shared.notify_parked();
            }
            return;
        }
        if let Some(prev) = shared.remotes[self.index].lifo.push(task) {
            self.run_queue.push(prev);
            // Work others could steal appeared: wake a parked worker if nobody is
            // searching. No fence needed: this worker runs the task itself if nobody comes.
            shared.notify_parked();
        }
    }
}

/// The per-thread state of a running worker (its `scheduler::Context`).
pub(crate) struct Context {
    shared: Arc<Shared>,
    index: usize,
    /// The core, while a task is being polled (so schedules can reach it).
    core: RefCell<Option<Box<Core>>>,
    /// With healing on: where the core is parked during a poll instead (heal.rs).
    slot: Option<Arc<heal::CoreSlot>>,
}

impl Context {
    /// Schedules `task` on this worker if it is one of `shared`'s and holds its core;
    /// otherwise gives the task back.
    pub(super) fn try_schedule_local(
        &self,
        shared: &Shared,
        task: Notified,
        is_yield: bool,
    ) -> Result<(), Notified> {
        if !ptr::eq(&*self.shared, shared) {
            return Err(task);
        }
        let mut core = self.core.borrow_mut();
        match core.as_mut() {
            Some(core) if !core.is_shutdown => {
                core.schedule_local(shared, task, is_yield);
                Ok(())
            }
            Some(_) => Err(task),
            None => match &self.slot {
                Some(slot) => Self::schedule_parked(slot, shared, task, is_yield),
                None => Err(task),
            },
        }
    }

    /// Healing on: schedules onto the core parked in this thread's slot, if the monitor
    /// has not seized it (then the task goes to the injector like any remote wake).
    #[cold]
    fn schedule_parked(
        slot: &heal::CoreSlot,
        shared: &Shared,
        task: Notified,
        is_yield: bool,
    ) -> Result<(), Notified> {
        let Some(mut core) = slot.claim() else {
            return Err(task);
        };
        let res = if core.is_shutdown {
            Err(task)
        } else {
            core.schedule_local(shared, task, is_yield);
            Ok(())
        };
        slot.park(core);
        res
    }

    /// Takes the core this thread holds during a poll, wherever it is parked.
    fn take_core(&self) -> Option<Box<Core>> {
        let core = self.core.try_borrow_mut().ok()?.take();
        core.or_else(|| self.slot.as_ref()?.claim())
    }
}

/// Holds a worker's core between the steps of its run loop. If the loop unwinds (a bug,
/// since task polls catch their own panics and hooks are caught too), its `Drop` finds the
/// core wherever it is (here, the context's cell, the thread's slot) and hands it to a
/// replacement thread, so the worker's queued tasks are not stranded and shutdown still
/// sees every core; with no thread to be had, it closes the runtime and gives the core to
/// shutdown. Either way it reports loudly and applies the unhandled-panic policy.
struct Held<'a> {
    cx: &'a Context,
    core: Option<Box<Core>>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let core = self.core.take().or_else(|| self.cx.take_core());
        recover(&self.cx.shared, self.cx.index, core);
    }
}

/// See [`Held`].
#[cold]
fn recover(shared: &Arc<Shared>, index: usize, core: Option<Box<Core>>) {
    let handle = scheduler::Handle::MultiThread(shared.clone());
    match core {
        Some(mut core) => {
            eprintln!(
                "robin: worker {index} panicked outside a task poll; a new thread takes over its queues"
            );
            // The replacement starts like any thread taking over a core: not searching.
            core.transition_from_searching(shared);
            let cell = &shared.handoff[index];
            *cell.lock().unwrap_or_else(|e| e.into_inner()) = Some(core);
            let shared2 = shared.clone();
            let spawned = shared
                .blocking
                .spawn_mandatory(&handle, move || run(shared2, index));
            if spawned.is_err() {
                eprintln!("robin: no thread to replace worker {index}: shutting the runtime down");
                let core = cell.lock().unwrap_or_else(|e| e.into_inner()).take();
                shared.close();
                if let Some(core) = core {
                    shared.shutdown_core(*core);
                }
            }
        }
        None => {
            // Cannot happen (the core is always in one of the places `Held` looks), but if
            // it did, shutdown could never collect every core: stop the runtime loudly.
            eprintln!(
                "robin: worker {index} panicked and its core is lost: shutting the runtime down"
            );
            shared.close();
        }
    }
    handle.unhandled_panic();
}

/// The body of a worker thread: runs worker `index` until shutdown, or until its core is
/// handed to another thread by `block_in_place`.
pub(super) fn run(shared: Arc<Shared>, index: usize) {
    let Some(core) = shared.handoff[index].lock().unwrap().take() else {
        // `block_in_place` finished first and took its core back.
        return;
    };
    // This thread owns the worker now and polls nothing yet (the thread it took over
    // from, if any, is still inside a poll that no longer blocks this worker).
    shared.remotes[index].stats.current_task.store(0, Relaxed);
    let slot = shared.config.heal_blocked_workers.then(|| {
        let slot = Arc::new(heal::CoreSlot::new());
        *shared.remotes[index].core_slot.lock().unwrap() = Some(slot.clone());
        slot
    });
    let _runtime = context::enter_runtime(&scheduler::Handle::MultiThread(shared.clone()));
    let cx = scheduler::Context::Worker(Context {
        shared,
        index,
        core: RefCell::new(None),
        slot,
    });
    let scheduler::Context::Worker(me) = &cx else {
        unreachable!("just built")
    };
    context::set_scheduler(&cx, || {
        if let Some(core) = me.run(core) {
            me.shared.shutdown_core(*core);
        }
    });
}

impl Context {
    fn run(&self, core: Box<Core>) -> Option<Box<Core>> {
        let shared = &*self.shared;
        let mut held = Held {
            cx: self,
            core: Some(core),
        };
        loop {
            let core = held.core.as_mut().expect("held between steps");
            if core.is_shutdown {
                break;
            }
            let fair_turn = core.fair.advance();
            if fair_turn && shared.is_shutdown() {
                core.is_shutdown = true;
                break;
            }
            #[cfg(test)]
            super::fault::WORKER.hit(shared.config.id.get(), "a worker's run loop");
            let task = core.next_task(shared, fair_turn);
            let core = held.core.take().expect("held between steps");
            held.core = Some(match task {
                Some(task) => self.run_task(task, core)?,
                None => match self.search_or_park(core)? {
                    (core, Some(task)) => self.run_task(task, core)?,
                    (core, None) => core,
                },
            });
        }
        held.core.take()
    }

    /// The worker's own queues are empty: find work, or park. In this order: ready I/O
    /// (a non-blocking [`harvest`](Self::harvest_io), whose tasks then run here), other
    /// workers' queues and the injector, then a bounded spin that repeats both looks
    /// (work often arrives within microseconds: the other end of a request/response; a
    /// parked worker costs a futex wake-up to revive, and while it spins it still counts
    /// as searching, so producers skip their notification: Go's "spinning M"). After
    /// [`SPIN_ROUNDS`] empty rounds it parks.
    /// Returns a task to run, if one was taken rather than queued; `None`: the core was
    /// handed away by a waker (`block_in_place`).
    fn search_or_park(&self, core: Box<Core>) -> Option<(Box<Core>, Option<Notified>)> {
        let shared = &*self.shared;
        let (mut core, found) = self.harvest_io(core)?;
        if found {
            return Some((core, None));
        }
        if let Some(task) = core.steal_work(shared) {
            return Some((core, Some(task)));
        }
        if core.is_searching {
            for round in 0..SPIN_ROUNDS {
                if let Some(task) = core.spin_round(shared, round) {
                    return Some((core, Some(task)));
                }
                let found;
                (core, found) = self.harvest_io(core)?;
                if found {
                    return Some((core, None));
                }
            }
        }
        Some((self.park(core), None))
    }

    /// Takes ready I/O events without blocking ([`driver::Handle::harvest`]) and wakes
    /// their tasks with the core in the context, so they are queued on this worker (its
    /// LIFO slot and run queue) and run here: no hop through the driver thread, the
    /// injector and a futex wake of another worker. Returns whether a task was woken;
    /// `None` if a waker (user code) handed the core away with `block_in_place`.
    ///
    /// [`driver::Handle::harvest`]: crate::driver::Handle::harvest
    #[cfg(not(loom))]
    fn harvest_io(&self, mut core: Box<Core>) -> Option<(Box<Core>, bool)> {
        let Some(driver) = &self.shared.driver else {
            return Some((core, false));
        };
        let mut wakers = std::mem::take(&mut core.harvested);
        if driver.harvest(&mut wakers) == 0 || wakers.is_empty() {
            core.harvested = wakers;
            return Some((core, false));
        }
        *self.core.borrow_mut() = Some(core);
        let panicked = crate::driver::wake_each(wakers.drain(..));
        let core = self.core.borrow_mut().take();
        if panicked {
            // As on the driver thread: a panicking waker counts as an unhandled panic.
            scheduler::Handle::MultiThread(self.shared.clone()).unhandled_panic();
        }
        let mut core = core?;
        core.harvested = wakers;
        Some((core, true))
    }

    /// Under loom the driver is not modelled: the worker loop is the same without it.
    #[cfg(loom)]
    fn harvest_io(&self, core: Box<Core>) -> Option<(Box<Core>, bool)> {
        Some((core, false))
    }

    /// Polls one task with the core parked in the context. `None`: the core was handed
    /// away (`block_in_place`) and this thread must leave the run loop.
    fn run_task(&self, task: Notified, mut core: Box<Core>) -> Option<Box<Core>> {
        let shared = &*self.shared;
        core.transition_from_searching(shared);
        core.polls += 1;
        let stats = &shared.remotes[self.index].stats;
        // Relaxed: counters for the monitor and metrics, which tolerate stale reads.
        stats.polls.store(core.polls, Relaxed);
        stats.current_task.store(task.id().as_u64(), Relaxed);
        let sample = core.polls % POLL_SAMPLE_INTERVAL == 0;
        match &self.slot {
            None => *self.core.borrow_mut() = Some(core),
            Some(slot) => slot.park(core),
        }
        let started = sample.then(std::time::Instant::now);
        robin_sync::coop::with_budget(|| scheduler::run_task(task));
        // Without the core, the worker's counters belong to the thread that has it now.
        let core = match &self.slot {
            None => self.core.borrow_mut().take(),
            Some(slot) => self.reclaim(slot),
        }?;
        if let Some(started) = started {
            stats.sample_poll(started.elapsed().as_nanos() as u64);
        }
        stats.current_task.store(0, Relaxed);
        Some(core)
    }

    /// Healing on, after a poll: the core back from the slot; or from the cell, where
    /// `block_in_place` leaves it when it got it back; or, if the monitor seized it, from
    /// `handoff` when the substitute has not taken it yet. `None`: this thread retires.
    fn reclaim(&self, slot: &Arc<heal::CoreSlot>) -> Option<Box<Core>> {
        match slot.reclaim() {
            Reclaimed::Core(core) => Some(core),
            Reclaimed::Empty => self.core.borrow_mut().take(),
            Reclaimed::Seized => {
                let core = heal::take_back(&self.shared.handoff[self.index]);
                if core.is_some() {
                    // Back in business before any substitute started (or after one handed
                    // the core on through `block_in_place`): the monitor must find this
                    // thread's slot again.
                    let remote = &self.shared.remotes[self.index];
                    *remote.core_slot.lock().unwrap() = Some(slot.clone());
                }
                // Our stuck poll is over: one substitute fewer (the monitor counted it in
                // before it seized the core, so this never goes below zero).
                self.shared.substitutes.fetch_sub(1, AcqRel);
                core
            }
        }
    }

    fn park(&self, mut core: Box<Core>) -> Box<Core> {
        let shared = &*self.shared;
        core.lifo_polls = 0;
        let stats = &shared.remotes[self.index].stats;
        stats::bump(&stats.parks, 1);
        stats::bump(&stats.busy_ns, core.busy_since.elapsed().as_nanos() as u64);
        let was_searching = core.is_searching;
        core.is_searching = false;
        if shared
            .idle
            .transition_worker_to_parked(self.index, was_searching)
        {
            // Last searcher: re-check, after a fence that orders our state update before
            // these loads (README: no lost wakeup).
            fence(SeqCst);
            if shared.has_stealable_work() {
                shared.notify_parked();
            }
        }
        loop {
            if shared.is_shutdown() {
                core.is_shutdown = true;
                return core;
            }
            // One count as it parks and one as it wakes: odd while parked
            // (`worker_park_unpark_count`).
            stats::bump(&stats.park_unparks, 1);
            shared.config.before_park();
            core.park.park();
            shared.config.after_unpark();
            stats::bump(&stats.park_unparks, 1);
            core.busy_since = std::time::Instant::now();
            crate::engine::diag::refresh_clock(core.busy_since);
            if shared.is_shutdown() {
                core.is_shutdown = true;
                return core;
            }
            if !shared.idle.is_parked(self.index) {
                // Woken by a notifier, which counted us as unparked and searching.
                core.is_searching = true;
                return core;
            }
        }
    }
}

/// `block_in_place` on a worker: hands the core to a new thread, runs `f`, then takes the
/// core back if that thread has not started yet. On a thread that is not a worker holding
/// a core (a blocking thread, a `block_on` caller, a nested call) it just runs `f`.
pub(crate) fn block_in_place<R>(f: impl FnOnce() -> R) -> R {
    let handed = context::with_scheduler(|cx| {
        let Some(scheduler::Context::Worker(cx)) = cx else {
            return None;
        };
        let core = cx.take_core()?;
        *cx.shared.handoff[cx.index].lock().unwrap() = Some(core);
        let index = cx.index;
        let handle = scheduler::Handle::MultiThread(cx.shared.clone());
        let shared = cx.shared.clone();
        let spawned = cx
            .shared
            .blocking
            .spawn_mandatory(&handle, move || run(shared, index));
        if spawned.is_err() {
            // No thread to hand the core to: keep it and block this worker after all.
            let core = cx.shared.handoff[cx.index].lock().unwrap().take();
            *cx.core.borrow_mut() = core;
            return None;
        }
        Some((cx.shared.clone(), cx.index))
    });
    // The task's coop budget does not apply to blocking code: inside `f`, a loop of
    // `blocking_recv` (or a `block_on`) would otherwise find it spent and spin forever
    // (issue 12 defect 7; tokio stops the budget here too). It is restored afterwards.
    let f = || robin_sync::coop::with_unconstrained(f);
    let Some((shared, index)) = handed else {
        return context::exit_runtime(f);
    };

    /// Takes the core back after `f`, even if `f` panics.
    struct Reclaim(Arc<Shared>, usize);
    impl Drop for Reclaim {
        fn drop(&mut self) {
            let core = self.0.handoff[self.1].lock().unwrap().take();
            if let Some(core) = core {
                context::with_scheduler(|cx| {
                    if let Some(scheduler::Context::Worker(cx)) = cx {
                        *cx.core.borrow_mut() = Some(core);
                    }
                });
            }
        }
    }
    let _reclaim = Reclaim(shared, index);
    context::exit_runtime(f)
}

//! The current-thread scheduler: every task runs on the thread that calls `block_on`,
//! switching only at `.await` points. This is asyncio's event loop.
//!
//! The [`Core`] (local run queue, parker) is owned by whichever thread is inside
//! `block_on`; between calls it rests in `Shared::core`. Tasks woken on that thread while
//! it holds the core go straight to the local queue; wakes from any other thread go to the
//! `inject` queue and unpark the driving thread. Spawned tasks only make progress while
//! some thread is inside `block_on`, as in tokio. A second thread calling `block_on` while
//! the core is taken polls its own future and waits for the core to come back.
//!
//! Layer: scheduler (see `scheduler/mod.rs`).
use super::blocking;
use crate::context;
use crate::driver::{self, Driver};
use crate::engine::list::OwnedTasks;
use crate::engine::{Notified, Schedule, Task};
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use crate::loom::{Parker, Unparker};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Poll, Wake, Waker};

/// The default of `Builder::event_interval`: tasks run between two non-blocking turns of
/// the driver (and two looks at the `block_on` future, when it was woken); tokio uses the
/// same figure.
pub(crate) const DEFAULT_EVENT_INTERVAL: u32 = 61;

#[cfg(all(test, loom))]
mod loom_tests;

pub(crate) struct Shared {
    /// `None` once the runtime shut down: late wakes then just drop their task.
    inject: Mutex<Option<VecDeque<Notified>>>,
    pub(crate) owned: OwnedTasks,
    /// The local tasks of the `LocalSet`s this runtime drives (metrics only).
    pub(crate) local_tasks: Arc<super::local::LocalTaskCounts>,
    /// The core while no thread drives the runtime.
    core: Mutex<Option<Box<Core>>>,
    /// Threads in `block_on` waiting for the core.
    /// At most one entry per waiting `block_on` call (`CoreWaiter::listed`), so the list
    /// does not grow with the wakes of a waiting caller's future (issue 12 defect 5).
    core_waiters: Mutex<Vec<Arc<CoreWaiter>>>,
    /// Wakes whoever holds the core: its parker, or its driver's `poll`.
    unpark: Unpark,
    pub(crate) blocking: blocking::Spawner,
    pub(crate) driver: Option<Arc<driver::Handle>>,
    /// The builder's settings (panic policy, park hooks, queue interval, name, id).
    pub(crate) config: super::Config,
    /// The one worker's counters (`RuntimeMetrics::worker_*(0)`), written only by the
    /// thread that holds the core.
    pub(crate) stats: super::multi_thread::stats::WorkerStats,
}

/// A thread in `block_on` waiting for the core to come back.
struct CoreWaiter {
    /// Whether this waiter is in `Shared::core_waiters` (set by the waiter as it pushes
    /// itself, cleared by `return_core` as it takes the list).
    listed: AtomicBool,
    unparker: Unparker,
}

/// How to wake the thread that drives a current-thread runtime.
#[derive(Clone)]
enum Unpark {
    Thread(Unparker),
    Driver(Arc<driver::Handle>),
}

impl Unpark {
    fn unpark(&self) {
        match self {
            Unpark::Thread(u) => u.unpark(),
            Unpark::Driver(d) => d.unpark(),
        }
    }
}

pub(crate) struct Core {
    local: VecDeque<Notified>,
    park: Parker,
    /// The I/O and timer driver, turned by this thread when it has nothing to run.
    driver: Option<Driver>,
    /// When the fairness turn comes (`global_queue_interval`).
    fair: super::FairTick,
    /// Tasks polled (mirrored into `Shared::stats.polls`).
    polls: u64,
}

/// The scheduler context of the thread that holds the core (`scheduler::Context`).
pub(crate) struct Context {
    shared: Arc<Shared>,
    core: RefCell<Option<Box<Core>>>,
    /// When this thread last woke up (for `worker_total_busy_duration`).
    busy_since: std::cell::Cell<std::time::Instant>,
}

impl Context {
    /// The sink for the wakers of this thread's driver turns: a waker that panics is
    /// caught (the others are still woken) and counts as an unhandled panic of the
    /// runtime; it never unwinds out of `block_on` (issue 12 defect 3).
    fn wake_sink(&self) -> impl FnMut(std::vec::Drain<'_, Waker>) + '_ {
        |wakers| {
            if driver::wake_each(wakers) {
                super::Handle::CurrentThread(self.shared.clone()).unhandled_panic();
            }
        }
    }
}

/// Whether this thread is driving a current-thread runtime (for `block_in_place`).
pub(crate) fn is_driving() -> bool {
    context::with_scheduler(|cx| matches!(cx, Some(super::Context::CurrentThread(_))))
}

impl Shared {
    pub(crate) fn new(
        blocking: blocking::Spawner,
        driver: Option<Driver>,
        config: super::Config,
    ) -> Arc<Shared> {
        let park = Parker::new();
        let driver_handle = driver.as_ref().map(|d| d.handle.clone());
        let unpark = match &driver_handle {
            Some(handle) => Unpark::Driver(handle.clone()),
            None => Unpark::Thread(park.unparker()),
        };
        Arc::new(Shared {
            inject: Mutex::new(Some(VecDeque::new())),
            local_tasks: Arc::new(Default::default()),
            owned: OwnedTasks::new(1),
            unpark,
            core: Mutex::new(Some(Box::new(Core {
                local: VecDeque::new(),
                park,
                driver,
                fair: super::FairTick::new(config.global_queue_interval),
                polls: 0,
            }))),
            core_waiters: Mutex::new(Vec::new()),
            blocking,
            driver: driver_handle,
            config,
            stats: Default::default(),
        })
    }

    pub(crate) fn injector_depth(&self) -> usize {
        self.inject
            .lock()
            .unwrap()
            .as_ref()
            .map_or(0, VecDeque::len)
    }

    fn pop_inject(&self) -> Option<Notified> {
        let mut inject = self.inject.lock().unwrap();
        let queue = inject.as_mut()?;
        let task = queue.pop_front();
        shrink_after_pop(queue);
        task
    }

    /// Cancels every task and drops every queued reference (runtime drop).
    pub(crate) fn shutdown(me: &Arc<Shared>) {
        let _current = context::set_handle(&super::Handle::CurrentThread(me.clone()));
        me.owned.close_and_shutdown_all();
        // Close the inject queue *before* looking for the core: a thread returning the
        // core checks the queue under the core lock (`return_core`), so either we find the
        // core below or that thread sees the queue closed and finishes the job itself.
        let inject = me.inject.lock().unwrap().take();
        drop(inject);
        let core = me.core.lock().unwrap().take();
        if let Some(mut core) = core {
            drop(std::mem::take(&mut core.local));
            if let Some(driver) = core.driver.as_mut() {
                // Pending I/O waits and timers (of futures outside the runtime) fail.
                driver.shutdown(&mut |wakers| {
                    driver::wake_each(wakers);
                });
            }
        } else if let Some(driver) = &me.driver {
            driver.begin_shutdown();
        }
    }
}

impl Schedule for Arc<Shared> {
    fn with_task_id(&self, id: crate::engine::Id, f: &mut dyn FnMut()) {
        crate::context::with_task_id(id, f);
    }

    fn schedule(&self, task: Notified) {
        let task = context::with_scheduler(|cx| {
            if let Some(super::Context::CurrentThread(cx)) = cx {
                if Arc::ptr_eq(&cx.shared, self) {
                    if let Some(core) = cx.core.borrow_mut().as_mut() {
                        core.local.push_back(task);
                        return None;
                    }
                }
            }
            Some(task)
        });
        if let Some(task) = task {
            let mut inject = self.inject.lock().unwrap();
            match inject.as_mut() {
                Some(queue) => {
                    queue.push_back(task);
                    drop(inject);
                    self.unpark.unpark();
                }
                // Shut down: the task was cancelled; drop the reference.
                None => {
                    drop(inject);
                    drop(task);
                }
            }
        }
    }

    fn release(&self, task: &Task) -> Option<Task> {
        self.owned.remove(task)
    }

    fn unhandled_panic(&self) {
        super::Handle::CurrentThread(self.clone()).unhandled_panic();
    }
}

/// A run queue keeps the capacity of its largest burst unless told otherwise: halve it
/// once it is less than a quarter full (amortised O(1), and no grow/shrink oscillation),
/// down to a floor (issue 12 defect 5).
fn shrink_after_pop(queue: &mut VecDeque<Notified>) {
    const FLOOR: usize = 256;
    let cap = queue.capacity();
    if cap > FLOOR && queue.len() < cap / 4 {
        queue.shrink_to(cap / 2);
    }
}

/// Wakes the thread blocked in `block_on`: sets the flag and unparks.
struct MainWaker {
    woken: AtomicBool,
    unpark: Unpark,
}

impl Wake for MainWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        self.woken.store(true, Release);
        self.unpark.unpark();
    }
}

/// `block_on` for a current-thread runtime.
#[track_caller]
pub(crate) fn block_on<F: Future>(shared: &Arc<Shared>, future: F) -> F::Output {
    let _runtime = context::enter_runtime(&super::Handle::CurrentThread(shared.clone()));
    let mut future = pin!(future);
    let mut parker: Option<Parker> = None;
    /// Takes a waiter that is still listed out of the list when `block_on` returns, so
    /// finished calls leave nothing behind.
    struct Unlist<'a>(&'a Shared, Option<Arc<CoreWaiter>>);
    impl Drop for Unlist<'_> {
        fn drop(&mut self) {
            if let Some(me) = &self.1 {
                if me.listed.load(Acquire) {
                    let mut waiters = self.0.core_waiters.lock().unwrap();
                    waiters.retain(|w| !Arc::ptr_eq(w, me));
                    me.listed.store(false, Release);
                }
            }
        }
    }
    let mut unlist = Unlist(shared, None);
    loop {
        let core = shared.core.lock().unwrap().take();
        if let Some(core) = core {
            // The core goes back (and the waiters are woken) when this returns or unwinds.
            return run_with_core(shared, core, future.as_mut());
        }
        // Another thread drives the runtime: poll our own future and wait for a wake-up
        // or for the core to be returned (which wakes every waiter).
        let parker = parker.get_or_insert_with(Parker::new);
        let me = unlist.1.get_or_insert_with(|| {
            Arc::new(CoreWaiter {
                listed: AtomicBool::new(false),
                unparker: parker.unparker(),
            })
        });
        // Listed once until `return_core` takes the list (which unparks us, so we come
        // round and list ourselves again if the core is gone by then).
        if !me.listed.swap(true, AcqRel) {
            shared.core_waiters.lock().unwrap().push(me.clone());
        }
        if shared.core.lock().unwrap().is_some() {
            continue;
        }
        let waker = Waker::from(std::sync::Arc::new(MainWaker {
            woken: AtomicBool::new(false),
            unpark: Unpark::Thread(parker.unparker()),
        }));
        let mut cx = std::task::Context::from_waker(&waker);
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        parker.park();
    }
}

/// Puts the core back for the next `block_on` (or, if the runtime shut down while this
/// thread held it, finishes the core's part of the shutdown), and wakes every thread
/// waiting for it.
fn return_core(shared: &Shared, mut core: Box<Core>) {
    let mut slot = shared.core.lock().unwrap();
    // Checked under the core lock (lock order: core, then inject); see `Shared::shutdown`.
    let shut_down = shared.inject.lock().unwrap().is_none();
    if shut_down {
        drop(slot);
        drop(std::mem::take(&mut core.local));
        if let Some(driver) = core.driver.as_mut() {
            driver.shutdown(&mut |wakers| {
                driver::wake_each(wakers);
            });
        }
    } else {
        *slot = Some(core);
        drop(slot);
    }
    let waiters = std::mem::take(&mut *shared.core_waiters.lock().unwrap());
    for waiter in waiters {
        waiter.listed.store(false, Release);
        waiter.unparker.unpark();
    }
}

fn run_with_core<F: Future>(
    shared: &Arc<Shared>,
    core: Box<Core>,
    mut future: Pin<&mut F>,
) -> F::Output {
    /// Owns the context; returns the core when dropped, on return and on unwind alike
    /// (a panicking `block_on` future must not take the runtime's core with it).
    struct CoreGuard<'a> {
        cx: super::Context,
        shared: &'a Shared,
    }
    impl Drop for CoreGuard<'_> {
        fn drop(&mut self) {
            let super::Context::CurrentThread(cx) = &self.cx else {
                unreachable!("built as a current-thread context")
            };
            if let Some(core) = cx.core.borrow_mut().take() {
                return_core(self.shared, core);
            }
        }
    }
    let guard = CoreGuard {
        cx: super::Context::CurrentThread(Context {
            shared: shared.clone(),
            core: RefCell::new(Some(core)),
            busy_since: std::cell::Cell::new(std::time::Instant::now()),
        }),
        shared,
    };
    let super::Context::CurrentThread(cx) = &guard.cx else {
        unreachable!("just built")
    };

    let main = std::sync::Arc::new(MainWaker {
        woken: AtomicBool::new(true),
        unpark: shared.unpark.clone(),
    });
    let waker = Waker::from(main.clone());
    let mut task_cx = std::task::Context::from_waker(&waker);

    // The scheduler context is reset when the closure returns or unwinds, before `guard`
    // (which owns it) drops.
    context::set_scheduler(&guard.cx, || 'round: loop {
        if main.woken.swap(false, AcqRel) {
            let poll = robin_sync::coop::with_budget(|| future.as_mut().poll(&mut task_cx));
            if let Poll::Ready(out) = poll {
                return out;
            }
        }
        // A round: up to `event_interval` tasks, then a look at the driver. Without that
        // look, a task (or `block_on` future) that is always runnable would keep every
        // I/O event and timer from being seen (tokio's `event_interval`).
        for _ in 0..shared.config.event_interval.max(1) {
            let task = {
                let mut core = cx.core.borrow_mut();
                let core = core.as_mut().expect("core present while driving");
                core.polls += 1;
                shared.stats.polls.store(core.polls, Relaxed);
                let task = if core.fair.advance() {
                    // The coarse clock task dumps time idle tasks with (engine/diag.rs).
                    crate::engine::diag::refresh_clock(std::time::Instant::now());
                    shared.pop_inject().or_else(|| core.local.pop_front())
                } else {
                    core.local.pop_front().or_else(|| shared.pop_inject())
                };
                shrink_after_pop(&mut core.local);
                task
            };
            match task {
                Some(task) => robin_sync::coop::with_budget(|| super::run_task(task)),
                None => {
                    if main.woken.load(Acquire) {
                        // Only the `block_on` future is runnable (a `yield_now` loop):
                        // pick up I/O and timers before polling it again.
                        park_yield(cx);
                    } else {
                        park(cx, shared, &main.woken);
                        crate::engine::diag::refresh_clock(std::time::Instant::now());
                    }
                    continue 'round;
                }
            }
        }
        // The round ran `event_interval` tasks: the queue may never run dry, so look for
        // events now without blocking.
        park_yield(cx);
    })
}

/// Takes the driver out of the core while it turns: the tasks it wakes are scheduled onto
/// this core, which must not be borrowed then. The guard puts it back, also if a woken
/// waker panics mid-turn.
struct PutBack<'a>(&'a Context, Option<Driver>);

impl<'a> PutBack<'a> {
    fn take(cx: &'a Context) -> PutBack<'a> {
        PutBack(
            cx,
            cx.core.borrow_mut().as_mut().and_then(|c| c.driver.take()),
        )
    }
}

impl Drop for PutBack<'_> {
    fn drop(&mut self) {
        if let Some(core) = self.0.core.borrow_mut().as_mut() {
            core.driver = self.1.take();
        }
    }
}

/// Turns the driver without blocking (tokio's `park_yield`): delivers the I/O events and
/// due timers that came in meanwhile. A paused clock is not auto-advanced here (tasks are
/// runnable, so the runtime is not idle). Without a driver there is nothing to look at.
fn park_yield(cx: &Context) {
    let mut put_back = PutBack::take(cx);
    if let Some(driver) = put_back.1.as_mut() {
        driver.turn(Some(std::time::Duration::ZERO), &mut cx.wake_sink());
    }
}

/// Nothing to run: turn the driver (or sleep on the parker) until something is woken,
/// with the builder's `on_thread_park`/`on_thread_unpark` hooks around it.
fn park(cx: &Context, shared: &Shared, main_woken: &AtomicBool) {
    shared.config.before_park();
    park_inner(cx, shared, main_woken);
    shared.config.after_unpark();
}

fn park_inner(cx: &Context, shared: &Shared, main_woken: &AtomicBool) {
    /// Counts the park and the busy time before it, and restarts the busy clock when the
    /// thread runs again (also on unwind). Only the core's holder writes these counters.
    struct ParkStats<'a>(&'a std::cell::Cell<std::time::Instant>);
    impl Drop for ParkStats<'_> {
        fn drop(&mut self) {
            self.0.set(std::time::Instant::now());
        }
    }
    let stats = &shared.stats;
    stats.parks.store(stats.parks.load(Relaxed) + 1, Relaxed);
    let busy = cx.busy_since.get().elapsed().as_nanos() as u64;
    stats
        .busy_ns
        .store(stats.busy_ns.load(Relaxed).wrapping_add(busy), Relaxed);
    let _restart = ParkStats(&cx.busy_since);
    let mut put_back = PutBack::take(cx);
    match put_back.1.as_mut() {
        Some(driver) => {
            // Whether nothing but time can make progress (for a paused clock's
            // auto-advance). Blocking work in flight counts as progress (as tokio): its
            // completion wakes us instead. The pool's stats are read *before*
            // `main_woken`: a job wakes its joiner before its thread is counted idle
            // again (both under the pool's lock), so if the pool looks idle here, that
            // wake-up is already visible below.
            let idle = || {
                let (threads, idle_threads, queued) = shared.blocking.stats();
                let blocking_busy = threads > idle_threads || queued > 0;
                !blocking_busy
                    && !main_woken.load(Acquire)
                    && cx
                        .core
                        .borrow()
                        .as_ref()
                        .is_some_and(|c| c.local.is_empty())
                    && shared
                        .inject
                        .lock()
                        .unwrap()
                        .as_ref()
                        .is_none_or(VecDeque::is_empty)
            };
            driver.park(idle, &mut cx.wake_sink());
        }
        None => {
            drop(put_back);
            let core = cx.core.borrow();
            core.as_ref().expect("core present").park.park();
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("current_thread::Shared")
            .field("alive_tasks", &self.owned.len())
            .finish()
    }
}

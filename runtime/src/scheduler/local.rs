//! The scheduler of one `LocalSet`: a run queue that only the set's own thread drains.
//!
//! Local tasks are ordinary tasks of the engine (`task::list::OwnedTasks::bind_local`
//! wraps their `!Send` future in a thread-checked wrapper): they get ids, the tracing
//! span, the unhandled-panic policy and `JoinHandle`s like every other task. What is
//! local is only *where they run*: [`Shared`] is their scheduler; a wake from any thread
//! pushes the task onto `queue` and wakes whoever is polling the set (`waker`); the set's
//! thread pops and runs them in [`Shared::tick`]. Shutdown (the set dropped) happens on
//! that thread too, so a `!Send` future is dropped where it lives.
//!
//! Metrics: a set binds to the runtime it first runs on ([`LocalTaskCounts`]), whose
//! `num_alive_tasks` and `spawned_tasks_count` then include the set's tasks.
//!
//! Layer: scheduler. Imports the task engine and the thread context; nothing from
//! `runtime` or `api` (the public `LocalSet` in `api/local_set.rs` wraps this).
use crate::context;
use crate::engine::list::OwnedTasks;
use crate::engine::raw::TaskMeta;
use crate::engine::{JoinHandle, Notified, Schedule, Task};
use crate::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use crate::loom::sync::{Arc, Mutex};
use std::collections::VecDeque;
use std::future::Future;
use std::task::Waker;
use std::thread::ThreadId;

/// Most tasks one tick runs before the set yields back to its runtime (and wakes itself
/// if more are queued), so one busy set cannot hog the thread that drives it. The same
/// figure as the cooperative budget: a tick is worth about one task's poll.
pub(crate) const MAX_POLLS_PER_TICK: usize = 128;

/// The local tasks a runtime drives, for its metrics: every runtime has one, and each
/// `LocalSet` counts its tasks in the one of the first runtime it runs on. Written by
/// sets' threads, read by metrics (`Relaxed`: counters that order nothing).
#[derive(Debug, Default)]
pub(crate) struct LocalTaskCounts {
    spawned: AtomicU64,
    alive: AtomicUsize,
}

impl LocalTaskCounts {
    /// Local tasks ever spawned on sets bound to this runtime.
    pub(crate) fn spawned(&self) -> u64 {
        self.spawned.load(Relaxed)
    }

    /// Local tasks of sets bound to this runtime that have not finished.
    pub(crate) fn alive(&self) -> usize {
        self.alive.load(Relaxed)
    }
}

/// Everything a local task's waker, handles and the set share (hence `Send + Sync`).
pub(crate) struct Shared {
    /// Tasks due to run; `None` once the set is dropped (late wakes drop their task).
    queue: Mutex<Option<VecDeque<Notified>>>,
    /// The waker of whoever polls the set (`run_until`, or the awaited set).
    waker: Mutex<Option<Waker>>,
    /// The set's tasks, shut down on the set's thread when it drops.
    pub(crate) owned: OwnedTasks,
    /// The thread the set belongs to.
    owner: ThreadId,
    /// The counters of the runtime the set first ran on (see [`LocalTaskCounts`]). Only
    /// the owner thread changes the task count (spawns, completions and cancellations
    /// all run there), so the counters stay exact.
    counts: Mutex<Option<Arc<LocalTaskCounts>>>,
}

impl Shared {
    /// The scheduler of a new set owned by the calling thread.
    pub(crate) fn new() -> Arc<Shared> {
        Arc::new(Shared {
            queue: Mutex::new(Some(VecDeque::new())),
            waker: Mutex::new(None),
            owned: OwnedTasks::new(1),
            owner: std::thread::current().id(),
            counts: Mutex::new(None),
        })
    }

    /// Spawns a `!Send` future on the set.
    ///
    /// # Panics
    /// When called from a thread other than the set's (the `LocalSet` is `!Send`, so the
    /// public API never does).
    #[track_caller]
    pub(crate) fn spawn<F>(me: &Arc<Shared>, future: F, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        assert_eq!(
            std::thread::current().id(),
            me.owner,
            "a LocalSet's tasks are spawned on its own thread"
        );
        let before = me.owned.spawned();
        let join = me.owned.spawn_local(future, me.clone(), meta);
        if me.owned.spawned() > before {
            // Listed (the set was not closed): count it where the set is bound.
            if let Some(counts) = me.counts.lock().unwrap().as_ref() {
                counts.spawned.fetch_add(1, Relaxed);
                counts.alive.fetch_add(1, Relaxed);
            }
        }
        join
    }

    /// Records the waker of whoever polls the set (at the start of every poll of it,
    /// which is also when the set binds to the runtime it runs on).
    pub(crate) fn register(&self, waker: &Waker) {
        self.bind_counts();
        let mut slot = self.waker.lock().unwrap();
        match slot.as_ref() {
            Some(w) if w.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Runs at most [`MAX_POLLS_PER_TICK`] queued tasks on this (the owner's) thread, with
    /// the set current (for `spawn_local`). Returns whether tasks are still queued.
    pub(crate) fn tick(me: &Arc<Shared>) -> bool {
        let _current = context::set_local_set(me);
        for _ in 0..MAX_POLLS_PER_TICK {
            let task = me
                .queue
                .lock()
                .unwrap()
                .as_mut()
                .and_then(VecDeque::pop_front);
            match task {
                // Each local task gets its own cooperative budget, like any task.
                Some(task) => robin_sync::coop::with_budget(|| super::run_task(task)),
                None => return false,
            }
        }
        me.queue
            .lock()
            .unwrap()
            .as_ref()
            .is_some_and(|q| !q.is_empty())
    }

    /// Counts the set's tasks in the current runtime's metrics, the first time the set
    /// runs on one (a set is always polled inside a runtime: `block_on` or a task).
    fn bind_counts(&self) {
        let mut slot = self.counts.lock().unwrap();
        if slot.is_some() {
            return;
        }
        let counts = context::with_handle(|h| h.map(|h| h.local_task_counts().clone()));
        if let Some(counts) = counts {
            counts.spawned.fetch_add(self.owned.spawned(), Relaxed);
            counts.alive.fetch_add(self.owned.len(), Relaxed);
            *slot = Some(counts);
        }
    }

    /// Cancels every task of the set (on its thread), taking them out of the metrics.
    fn close(&self) {
        if let Some(counts) = self.counts.lock().unwrap().as_ref() {
            counts.alive.fetch_sub(self.owned.len(), Relaxed);
        }
        self.owned.close_and_shutdown_all();
    }

    /// Tasks of the set that have not finished.
    pub(crate) fn len(&self) -> usize {
        self.owned.len()
    }

    /// The set is dropped (on its thread): cancel every task here and refuse new wakes.
    pub(crate) fn shutdown(me: &Arc<Shared>) {
        let _current = context::set_local_set(me);
        // Destructors of cancelled futures may spawn more local tasks: the closed list
        // cancels those at once.
        me.close();
        let queue = me.queue.lock().unwrap().take();
        drop(queue);
        drop(me.waker.lock().unwrap().take());
    }
}

impl Schedule for Arc<Shared> {
    fn with_task_id(&self, id: crate::engine::Id, f: &mut dyn FnMut()) {
        crate::context::with_task_id(id, f);
    }

    fn schedule(&self, task: Notified) {
        let mut queue = self.queue.lock().unwrap();
        match queue.as_mut() {
            Some(queue_ref) => {
                queue_ref.push_back(task);
                drop(queue);
                let waker = self.waker.lock().unwrap().clone();
                if let Some(waker) = waker {
                    waker.wake();
                }
            }
            // The set is gone: the task was cancelled with it; drop the reference.
            None => {
                drop(queue);
                drop(task);
            }
        }
    }

    fn release(&self, task: &Task) -> Option<Task> {
        let removed = self.owned.remove(task);
        if removed.is_some() {
            if let Some(counts) = self.counts.lock().unwrap().as_ref() {
                counts.alive.fetch_sub(1, Relaxed);
            }
        }
        removed
    }

    /// The policy of the runtime driving the set applies to its tasks as to any other;
    /// shutting down also cancels the set's tasks.
    fn unhandled_panic(&self) {
        let shut_down = context::with_handle(|h| h.is_some_and(super::Handle::unhandled_panic));
        if shut_down {
            self.close();
        }
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("local::Shared")
            .field("alive_tasks", &self.owned.len())
            .finish()
    }
}

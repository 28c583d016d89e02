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
//! Layer: scheduler. Imports the task engine and the thread context; nothing from
//! `runtime` or `api` (the public `LocalSet` in `api/local_set.rs` wraps this).
use crate::context;
use crate::engine::list::OwnedTasks;
use crate::engine::raw::TaskMeta;
use crate::engine::{Id, JoinHandle, Notified, Schedule, Task};
use crate::loom::sync::{Arc, Mutex};
use std::collections::VecDeque;
use std::future::Future;
use std::task::Waker;
use std::thread::ThreadId;

/// Most tasks one tick runs before the set yields back to its runtime (and wakes itself
/// if more are queued), so one busy set cannot hog the thread that drives it. The same
/// figure as the cooperative budget: a tick is worth about one task's poll.
pub(crate) const MAX_POLLS_PER_TICK: usize = 128;

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
}

impl Shared {
    /// The scheduler of a new set owned by the calling thread.
    pub(crate) fn new() -> Arc<Shared> {
        Arc::new(Shared {
            queue: Mutex::new(Some(VecDeque::new())),
            waker: Mutex::new(None),
            owned: OwnedTasks::new(1),
            owner: std::thread::current().id(),
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
        let (join, notified) = me.owned.bind_local(future, me.clone(), Id::next(), meta);
        if let Some(notified) = notified {
            me.schedule(notified);
        }
        join
    }

    /// Records the waker of whoever polls the set.
    pub(crate) fn register(&self, waker: &Waker) {
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

    /// Tasks of the set that have not finished.
    pub(crate) fn len(&self) -> usize {
        self.owned.len()
    }

    /// The set is dropped (on its thread): cancel every task here and refuse new wakes.
    pub(crate) fn shutdown(me: &Arc<Shared>) {
        let _current = context::set_local_set(me);
        // Destructors of cancelled futures may spawn more local tasks: the closed list
        // cancels those at once.
        me.owned.close_and_shutdown_all();
        let queue = me.queue.lock().unwrap().take();
        drop(queue);
        drop(me.waker.lock().unwrap().take());
    }
}

impl Schedule for Arc<Shared> {
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
        self.owned.remove(task)
    }

    /// The policy of the runtime driving the set applies to its tasks as to any other;
    /// shutting down also cancels the set's tasks.
    fn unhandled_panic(&self) {
        let shut_down = context::with_handle(|h| h.is_some_and(super::Handle::unhandled_panic));
        if shut_down {
            self.owned.close_and_shutdown_all();
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

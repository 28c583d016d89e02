//! `OwnedTasks`: every live task of one runtime, so that shutdown can drop them all.
//!
//! A spawned task is inserted here before it is first scheduled and removed by its own
//! completion (`Schedule::release`). The list holds one reference per task. It is sharded
//! by task id so that spawns and completions on different workers rarely meet on a lock;
//! each shard is a slab whose slot index is stored in the task header (`owned_key`).
//!
//! Closing ([`OwnedTasks::close_and_shutdown_all`]) marks every shard closed under its
//! lock, takes all tasks out and shuts each down. A spawn racing with close either inserts
//! before the shard is closed (and is taken out and shut down with the rest) or finds it
//! closed and is shut down at once: the shard lock orders the two.
use super::local::ThreadBound;
use super::raw::{RawTask, TaskMeta};
use super::{Id, JoinHandle, Notified, Schedule, Task};
use crate::loom::sync::Mutex;
use crossbeam_utils::CachePadded;
use std::future::Future;

/// A shard whose slab outgrew this many slots frees it once it is empty again.
const SHRINK_ABOVE: usize = 1024;

pub(crate) struct OwnedTasks {
    shards: Box<[CachePadded<Mutex<Shard>>]>,
    mask: usize,
}

/// One shard. The counters live under the shard lock that every insert and remove takes
/// anyway, so counting costs no extra shared-cache-line traffic; readers sum the shards.
#[derive(Default)]
struct Shard {
    slots: Vec<Option<Task>>,
    free: Vec<usize>,
    closed: bool,
    len: usize,
    spawned: u64,
}

impl OwnedTasks {
    /// A list with about `shards` shards (rounded up to a power of two).
    pub(crate) fn new(shards: usize) -> OwnedTasks {
        // Under loom one shard: ids come from a process-wide counter, so the shard a
        // task lands in (hence the lock it takes) would differ from one explored
        // execution to the next, which loom cannot replay.
        let n = if cfg!(loom) {
            1
        } else {
            shards.clamp(1, 256).next_power_of_two()
        };
        // Start the coarse clock task dumps time idle tasks with (`diag.rs`), so that a
        // task parking before the scheduler's first refresh is timed from here.
        super::diag::refresh_clock(std::time::Instant::now());
        OwnedTasks {
            shards: (0..n).map(|_| CachePadded::new(Mutex::default())).collect(),
            mask: n - 1,
        }
    }

    fn shard(&self, id: Id) -> &Mutex<Shard> {
        &self.shards[id.as_u64() as usize & self.mask]
    }

    /// Creates a task, registers it and schedules its first poll (through its own
    /// scheduler, `Schedule::schedule`); returns its `JoinHandle`. When the list is closed
    /// the task is cancelled at once (its handle reports cancellation).
    pub(crate) fn spawn<F, S>(
        &self,
        future: F,
        scheduler: S,
        id: Id,
        meta: TaskMeta,
    ) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        S: Schedule,
    {
        let raw = RawTask::new(future, scheduler, id, 3, meta);
        // SAFETY: just allocated with three references, output `F::Output`.
        unsafe { self.bind_raw(raw) }
    }

    /// [`spawn`](Self::spawn) for a `!Send` future, bound to the calling thread (with a
    /// fresh id): it is wrapped in a [`ThreadBound`] that is polled and dropped only
    /// here. The scheduler must run the task on this thread (`scheduler::local` does); the
    /// `JoinHandle` is created here too, so a `!Send` output is only touched here.
    pub(crate) fn spawn_local<F: Future + 'static, S: Schedule>(
        &self,
        future: F,
        scheduler: S,
        meta: TaskMeta,
    ) -> JoinHandle<F::Output> {
        let raw = RawTask::new(ThreadBound::new(future), scheduler, Id::next(), 3, meta);
        // SAFETY: just allocated with three references; `ThreadBound<F>`'s output is
        // `F::Output`.
        unsafe { self.bind_raw(raw) }
    }

    /// Registers a task just allocated with three references and schedules it.
    ///
    /// # Safety
    /// 1. `raw` was just allocated by `RawTask::new` with `refs == 3`, and nobody else
    ///    holds it yet.
    /// 2. The task's output type is `T`.
    unsafe fn bind_raw<T>(&self, raw: RawTask) -> JoinHandle<T> {
        // SAFETY: by 1., the three references go one each to the list's `Task`, the
        // `Notified` and the `JoinHandle` (which also takes the join interest); by 2.
        // the handle's `T` is the task's output type.
        let (task, notified, join) = unsafe {
            (
                Task::from_raw(raw),
                Notified(Task::from_raw(raw)),
                JoinHandle::new(raw),
            )
        };
        match self.insert(task) {
            // The handle we hold keeps the task alive while its scheduler runs.
            Ok(()) => notified.schedule(),
            Err(task) => {
                task.shutdown();
                drop(notified);
            }
        }
        join
    }

    fn insert(&self, task: Task) -> Result<(), Task> {
        let mut shard = self.shard(task.id()).lock().unwrap();
        if shard.closed {
            return Err(task);
        }
        let key = match shard.free.pop() {
            Some(key) => key,
            None => {
                shard.slots.push(None);
                shard.slots.len() - 1
            }
        };
        // A slab index past u32 would need 4 billion live tasks in one shard.
        let key32 = u32::try_from(key).expect("more than u32::MAX tasks in one owned-list shard");
        // SAFETY: `owned_key` is only accessed under this shard's lock, which we hold.
        task.header().owned_key.with_mut(|k| unsafe { *k = key32 });
        shard.slots[key] = Some(task);
        shard.len += 1;
        shard.spawned += 1;
        Ok(())
    }

    /// Removes `task` if it is still listed, returning the list's reference.
    pub(crate) fn remove(&self, task: &Task) -> Option<Task> {
        let mut shard = self.shard(task.id()).lock().unwrap();
        // SAFETY: `owned_key` is only accessed under this shard's lock, which we hold.
        let key = task.header().owned_key.with(|k| unsafe { *k }) as usize;
        let slot = shard.slots.get_mut(key)?;
        if slot.as_ref().map(Task::raw) != Some(task.raw()) {
            return None;
        }
        let removed = slot.take();
        shard.free.push(key);
        shard.len -= 1;
        if shard.len == 0 && shard.slots.capacity() > SHRINK_ABOVE {
            // Empty after a burst: no index is in use, so the slab can start over and
            // give its memory back (issue 12 defect 5). Amortised: it took more than
            // `SHRINK_ABOVE` inserts to grow this far.
            shard.slots = Vec::new();
            shard.free = Vec::new();
        }
        removed
    }

    /// Closes the list to new tasks and shuts down every task in it.
    pub(crate) fn close_and_shutdown_all(&self) {
        for shard in self.shards.iter() {
            let tasks: Vec<Task> = {
                let mut shard = shard.lock().unwrap();
                shard.closed = true;
                shard.free.clear();
                shard.len = 0;
                shard.slots.drain(..).flatten().collect()
            };
            // Outside the lock: cancelling drops futures, which may wake or spawn.
            for task in tasks {
                task.shutdown();
            }
        }
    }

    /// Tasks spawned and not yet completed (sums the shards: for metrics, not hot paths).
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().unwrap().len).sum()
    }

    /// Tasks ever spawned into this list.
    pub(crate) fn spawned(&self) -> u64 {
        self.shards.iter().map(|s| s.lock().unwrap().spawned).sum()
    }

    /// The name and spawn location of the live task `id` (for blocking reports). The
    /// shard lock keeps the task listed, hence alive, while its header is read.
    pub(crate) fn describe(&self, id: Id) -> Option<TaskMeta> {
        let shard = self.shard(id).lock().unwrap();
        shard
            .slots
            .iter()
            .flatten()
            .find(|t| t.id() == id)
            .map(|t| t.header().meta.clone())
    }
}

impl OwnedTasks {
    /// A snapshot of every listed task, shard by shard (each shard's lock keeps its
    /// tasks listed, hence alive, while their headers are read; spawns and completions
    /// on other shards go on meanwhile). `now` is the dump's time.
    pub(crate) fn snapshot_all(&self, now: std::time::Instant) -> Vec<super::diag::TaskSnapshot> {
        let mut out = Vec::new();
        for shard in self.shards.iter() {
            let shard = shard.lock().unwrap();
            out.extend(
                shard
                    .slots
                    .iter()
                    .flatten()
                    .map(|t| super::diag::TaskSnapshot::of(t, now)),
            );
        }
        out.sort_by_key(|t| t.id.as_u64());
        out
    }
}

impl std::fmt::Debug for OwnedTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OwnedTasks")
            .field("alive", &self.len())
            .finish()
    }
}

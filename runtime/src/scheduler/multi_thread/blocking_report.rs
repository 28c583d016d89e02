//! `BlockingReport`: what the blocking detector says about a worker stuck in one poll.
use crate::engine::Id;
use std::fmt;
use std::panic::Location;
use std::time::Duration;

/// A worker has been inside one task poll longer than the `detect_blocking` threshold:
/// the task is blocking its thread (a blocking call, a long computation) and every task
/// queued behind it waits (robin's other workers steal them meanwhile).
///
/// Reported once per incident, to the `on_blocking` hook or, without one, to stderr.
#[derive(Clone, Debug)]
pub struct BlockingReport {
    pub(crate) worker: usize,
    pub(crate) task_id: Option<Id>,
    pub(crate) task_name: Option<String>,
    pub(crate) spawned_at: Option<&'static Location<'static>>,
    pub(crate) stuck_for: Duration,
    pub(crate) core_handed_off: bool,
}

impl BlockingReport {
    /// The worker that is stuck.
    pub fn worker(&self) -> usize {
        self.worker
    }

    /// The id of the task being polled.
    pub fn task_id(&self) -> Option<Id> {
        self.task_id
    }

    /// The task's name, if it was spawned with `task::Builder::name`.
    pub fn task_name(&self) -> Option<&str> {
        self.task_name.as_deref()
    }

    /// Where the task was spawned.
    pub fn spawned_at(&self) -> Option<&'static Location<'static>> {
        self.spawned_at
    }

    /// How long the worker had been inside the poll when this was reported.
    pub fn stuck_for(&self) -> Duration {
        self.stuck_for
    }

    /// Whether the runtime handed the stuck worker's core to a substitute thread with
    /// this report (`Builder::heal_blocked_workers`): the worker's queued tasks go on
    /// running, and the blocking thread retires when its poll returns. A worker stuck
    /// long enough is reported once, and once more if it is handed off later.
    pub fn core_handed_off(&self) -> bool {
        self.core_handed_off
    }
}

impl fmt::Display for BlockingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "robin: worker {} has been stuck for {:?} polling ",
            self.worker, self.stuck_for
        )?;
        match self.task_id {
            Some(id) => write!(f, "task {id}")?,
            None => f.write_str("a task")?,
        }
        if let Some(name) = &self.task_name {
            write!(f, " ({name:?})")?;
        }
        if let Some(loc) = self.spawned_at {
            write!(f, " spawned at {loc}")?;
        }
        f.write_str(
            ": a blocking call inside async code? Move it to spawn_blocking or block_in_place",
        )?;
        if self.core_handed_off {
            f.write_str(" (its queues were handed to a substitute thread)")?;
        }
        Ok(())
    }
}

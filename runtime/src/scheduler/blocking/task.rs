//! A blocking job as a task: a future that runs its closure in its first poll.
use crate::engine::{Notified, Schedule, Task};
use crate::loom::sync::Arc;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pub(super) struct BlockingTask<F> {
    func: Option<F>,
}

impl<F> BlockingTask<F> {
    pub(super) fn new(func: F) -> Self {
        BlockingTask { func: Some(func) }
    }
}

// The closure is never pinned: it is moved out and called.
impl<F> Unpin for BlockingTask<F> {}

impl<F: FnOnce() -> R, R> Future for BlockingTask<F> {
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let func = self
            .func
            .take()
            .expect("blocking task polled after completion");
        // A blocking job may run as long as it likes: no cooperative budget applies.
        Poll::Ready(robin_sync::coop::with_unconstrained(func))
    }
}

/// The scheduler of blocking jobs: they never wake themselves (a job finishes in its
/// first poll), are not in any owned list, and when cancelled before running are
/// simply cancelled by the thread that pops them.
pub(super) struct BlockingSchedule {
    pub(super) pool: Arc<super::pool::Inner>,
}

impl Schedule for BlockingSchedule {
    fn with_task_id(&self, id: crate::engine::Id, f: &mut dyn FnMut()) {
        crate::context::with_task_id(id, f);
    }

    fn schedule(&self, task: Notified) {
        // Not reached by the pool's own jobs; if a job's waker were ever used, running
        // the task again completes or cancels it without blocking anyone.
        self.pool.requeue(task);
    }

    fn release(&self, _task: &Task) -> Option<Task> {
        None
    }
}

//! A minimal scheduler for loom models (and the Miri-checked harness tests): a FIFO queue and an owned-task list, so task
//! transitions can be model-checked without the real workers.
use super::list::OwnedTasks;
use super::{Id, JoinHandle, Notified, Schedule, Task};
use crate::loom::sync::{Arc, Mutex};
use std::collections::VecDeque;
use std::future::Future;

#[derive(Clone)]
pub(crate) struct MockScheduler {
    inner: Arc<Inner>,
}

struct Inner {
    queue: Mutex<VecDeque<Notified>>,
    owned: OwnedTasks,
    scheduled: crate::loom::sync::atomic::AtomicUsize,
}

impl Schedule for MockScheduler {
    fn schedule(&self, task: Notified) {
        self.inner.queue.lock().unwrap().push_back(task);
        // Like the real schedulers (the current-thread one unparks its thread here),
        // touch `self` after publishing the task: `self` lives inside the task
        // allocation, so this is only sound if the caller still holds a reference.
        self.inner
            .scheduled
            .fetch_add(1, crate::loom::sync::atomic::Ordering::Relaxed);
    }
    fn release(&self, task: &Task) -> Option<Task> {
        self.inner.owned.remove(task)
    }
}

impl MockScheduler {
    pub(crate) fn new() -> MockScheduler {
        MockScheduler {
            inner: Arc::new(Inner {
                queue: Mutex::new(VecDeque::new()),
                owned: OwnedTasks::new(1),
                scheduled: crate::loom::sync::atomic::AtomicUsize::new(0),
            }),
        }
    }

    /// Spawns `future`, queueing its first poll.
    pub(crate) fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = super::raw::TaskMeta::caller(None);
        self.inner
            .owned
            .spawn(future, self.clone(), Id::next(), meta)
    }

    /// Spawns a `!Send` future bound to this thread (`OwnedTasks::spawn_local`).
    #[cfg(not(loom))]
    pub(crate) fn spawn_local<F: Future + 'static>(&self, future: F) -> JoinHandle<F::Output> {
        let meta = super::raw::TaskMeta::caller(None);
        self.inner.owned.spawn_local(future, self.clone(), meta)
    }

    /// Whether each listed task is lost (task-dump snapshot), in id order.
    pub(crate) fn lost(&self) -> Vec<bool> {
        let now = std::time::Instant::now();
        let snaps = self.inner.owned.snapshot_all(now);
        snaps.iter().map(|t| t.lost).collect()
    }

    pub(crate) fn pop(&self) -> Option<Notified> {
        self.inner.queue.lock().unwrap().pop_front()
    }

    /// Runs queued tasks until the queue is empty.
    pub(crate) fn run_until_idle(&self) {
        while let Some(task) = self.pop() {
            task.run();
        }
    }

    /// Runs the queue while `other` races with it, then (after joining it) whatever it
    /// queued.
    #[cfg(loom)]
    pub(crate) fn run_racing(&self, other: loom::thread::JoinHandle<()>) {
        self.run_until_idle();
        other.join().unwrap();
        self.run_until_idle();
    }

    pub(crate) fn shutdown(&self) {
        self.inner.owned.close_and_shutdown_all();
        while let Some(task) = self.pop() {
            drop(task);
        }
    }

    /// Every task's memory was freed: only this handle still holds the scheduler.
    pub(crate) fn assert_all_freed(self) {
        self.shutdown();
        assert_eq!(self.inner.owned.len(), 0);
        assert_eq!(Arc::strong_count(&self.inner), 1, "a task was leaked");
    }
}

/// A queued task whose future never completes (its JoinHandle is dropped).
#[cfg(loom)]
pub(crate) fn notified(sched: &MockScheduler) -> Notified {
    drop(sched.spawn(std::future::pending::<()>()));
    sched.pop().expect("spawn queues the task")
}

/// The futures and probes the loom models of the crate share.
#[cfg(loom)]
pub(crate) mod fixtures {
    use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use crate::loom::sync::{Arc, Mutex};
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll, Waker};

    /// Where a future hands its waker to another thread.
    pub(crate) type WakerSlot = Arc<Mutex<Option<Waker>>>;

    /// Pending on the first poll (handing its waker out), ready with `value` on the second.
    pub(crate) struct TwoPolls {
        pub(crate) polls: usize,
        pub(crate) slot: WakerSlot,
        pub(crate) value: usize,
    }

    impl TwoPolls {
        pub(crate) fn new(slot: &WakerSlot, value: usize) -> TwoPolls {
            TwoPolls {
                polls: 0,
                slot: slot.clone(),
                value,
            }
        }
    }

    impl Future for TwoPolls {
        type Output = usize;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
            self.polls += 1;
            if self.polls == 1 {
                *self.slot.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(self.value)
            }
        }
    }

    /// Pending on the first poll, where it starts a loom thread that wakes it (so the
    /// wake races the rest of that poll, the worker going idle and its park, with no
    /// thread spinning to fetch the waker: a spin multiplies a model's states); ready
    /// with `value` on the second poll. [`WakeFromThread::joiner`] gives the handle that
    /// joins the waking thread.
    pub(crate) struct WakeFromThread {
        polls: usize,
        value: usize,
        waker_thread: ThreadSlot,
    }

    /// Where the first poll leaves the waking thread's handle. A std mutex (not
    /// modelled): written in the first poll, read after the task's completion was
    /// observed, which happens after that poll.
    type ThreadSlot = std::sync::Arc<std::sync::Mutex<Option<loom::thread::JoinHandle<()>>>>;

    impl WakeFromThread {
        pub(crate) fn new(value: usize) -> WakeFromThread {
            WakeFromThread {
                polls: 0,
                value,
                waker_thread: Default::default(),
            }
        }

        /// A handle that joins the waking thread once the future has been polled.
        pub(crate) fn joiner(&self) -> WakerThread {
            WakerThread(self.waker_thread.clone())
        }
    }

    /// Joins the thread a [`WakeFromThread`] started.
    pub(crate) struct WakerThread(ThreadSlot);

    impl WakerThread {
        /// Joins the waking thread; panics if the future was never polled.
        pub(crate) fn join(self) {
            let handle = self.0.lock().unwrap().take();
            handle.expect("the future was polled").join().unwrap();
        }
    }

    impl Future for WakeFromThread {
        type Output = usize;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
            self.polls += 1;
            if self.polls == 1 {
                let waker = cx.waker().clone();
                let handle = loom::thread::spawn(move || waker.wake());
                *self.waker_thread.lock().unwrap() = Some(handle);
                Poll::Pending
            } else {
                Poll::Ready(self.value)
            }
        }
    }

    /// Takes the waker out of `slot` once it appears (spinning with `yield_now`).
    pub(crate) fn take_waker(slot: &WakerSlot) -> Waker {
        loop {
            if let Some(waker) = slot.lock().unwrap().take() {
                return waker;
            }
            loom::thread::yield_now();
        }
    }

    /// Wakes the waker in `slot` once it appears.
    pub(crate) fn spawn_waker_thread(slot: WakerSlot) -> loom::thread::JoinHandle<()> {
        loom::thread::spawn(move || take_waker(&slot).wake())
    }

    /// `future`, holding `guard` until it completes or is dropped.
    pub(crate) async fn guarded<F: Future>(guard: DropCount, future: F) -> F::Output {
        let _guard = guard;
        future.await
    }

    /// A thread that wakes the waker in `slot` once it appears, then runs what `sched`
    /// has queued.
    pub(crate) fn wake_and_run(
        slot: WakerSlot,
        sched: &super::MockScheduler,
    ) -> loom::thread::JoinHandle<()> {
        let sched = sched.clone();
        loom::thread::spawn(move || {
            take_waker(&slot).wake();
            sched.run_until_idle();
        })
    }

    /// Awaits `join`: `Some(output)`, or `None` if (and only if) the task was cancelled.
    pub(crate) fn output_or_cancelled<T>(join: crate::engine::JoinHandle<T>) -> Option<T> {
        match loom::future::block_on(join) {
            Ok(out) => Some(out),
            Err(e) => {
                assert!(e.is_cancelled(), "the task failed otherwise: {e:?}");
                None
            }
        }
    }

    /// Counts drops of the value it travels in.
    pub(crate) struct DropCount(pub(crate) Arc<AtomicUsize>);

    impl DropCount {
        /// A guard and the counter its drop bumps.
        pub(crate) fn new() -> (DropCount, Arc<AtomicUsize>) {
            let count = Arc::new(AtomicUsize::new(0));
            (DropCount(count.clone()), count)
        }
    }

    impl Drop for DropCount {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }
}
#[cfg(loom)]
pub(crate) use fixtures::*;

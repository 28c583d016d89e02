//! The task engine: the unit every scheduler runs.
//!
//! Layer: above `loom` only. The engine knows its scheduler solely through the
//! [`Schedule`] trait; it imports nothing from `driver`, `scheduler` (or `context`),
//! `runtime` or `api`. What users call (`spawn`, `JoinSet`, `LocalSet`, ...) lives in
//! `api/`; `task::id()` reads the id a scheduler sets around each run (`context.rs`).
//!
//! ## The contract
//!
//! A task is one allocation ([`raw`]) holding a header (atomic [`state`] word, vtable, id),
//! the scheduler handle, the future/output stage and the join waker. Handles to it:
//!
//! | handle | held by | reference | may touch |
//! |---|---|---|---|
//! | [`Task`] | the owned-task list ([`list`]) | 1 | header |
//! | [`Notified`] | a run queue; then the worker polling it | 1 | the stage, once it wins `RUNNING` |
//! | `Waker` ([`waker`]) | anyone the future gave it to | 1 each | header; schedules a `Notified` |
//! | [`JoinHandle`] | the user | 1 + join interest | the output, once `COMPLETE`; the join-waker slot |
//! | [`AbortHandle`] | the user | 1 | header (requests cancellation) |
//!
//! Exactly one party holds `RUNNING` at a time and only it touches the future; completion
//! hands the output to the `JoinHandle` (or drops it when there is none) and removes the
//! task from the owned list. Cancellation (abort, runtime shutdown) never drops a future
//! from a foreign thread while it is being polled: it sets `CANCELLED` and whoever next
//! holds `RUNNING` drops it. The memory is freed when the last reference goes, whoever
//! holds it. `state.rs` documents each bit and transition; `harness.rs` does the work.
//!
//! A spawned `async {}` task costs at most 128 bytes (tested in `tests` below).
pub(crate) mod diag;
pub(crate) mod error;
mod harness;
pub(crate) mod id;
mod join;
pub(crate) mod list;
mod local;
pub(crate) mod raw;
pub(crate) mod state;
mod waker;

#[cfg(all(test, loom))]
mod loom_list;
#[cfg(test)]
pub(crate) mod loom_support;
#[cfg(all(test, loom))]
mod loom_tests;

pub use error::JoinError;
pub use id::Id;
pub use join::{AbortHandle, JoinHandle};
pub(crate) use raw::{Notified, Task};

use std::future::Future;

/// What a task needs from the scheduler that owns it.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// Queue a task that was woken (or spawned) so a worker polls it.
    fn schedule(&self, task: Notified);

    /// Queue a task that woke itself while being polled (`yield_now`): it goes behind
    /// the other ready tasks rather than into the LIFO slot.
    fn yield_now(&self, task: Notified) {
        self.schedule(task);
    }

    /// The task completed: remove it from the owned list, returning the list's reference
    /// (or `None` if it is not listed, e.g. blocking tasks, or already taken at shutdown).
    fn release(&self, task: &Task) -> Option<Task>;

    /// A task's future panicked (the panic is already caught and stored for its
    /// `JoinHandle`): apply the runtime's `UnhandledPanic` policy.
    fn unhandled_panic(&self) {}

    /// Runs `f` with `id` as the current task id (`task::id()`). The engine calls this
    /// around every drop of a task's future or output, which may happen outside a poll
    /// (a `JoinHandle` dropped elsewhere, shutdown): user `Drop` code sees its own task's
    /// id there, as in tokio. The thread context is the scheduler layer's, hence a hook.
    fn with_task_id(&self, id: Id, f: &mut dyn FnMut()) {
        let _ = id;
        f();
    }
}

/// Creates a task that is not in any owned list (blocking-pool jobs): returns the
/// `Notified` to queue and the `JoinHandle`.
pub(crate) fn unowned<F, S>(
    future: F,
    scheduler: S,
    id: Id,
    meta: raw::TaskMeta,
) -> (Notified, JoinHandle<F::Output>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
    S: Schedule,
{
    let raw = raw::RawTask::new(future, scheduler, id, 2, meta);
    // SAFETY: the two references counted by `RawTask::new` go to the `Notified` and to
    // the `JoinHandle` (with the join interest).
    unsafe { (Notified(Task::from_raw(raw)), JoinHandle::new(raw)) }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::raw::Cell;
    use std::future::Future;
    use std::sync::Arc;

    fn cell_size<S, F: Future>(_: F) -> usize {
        std::mem::size_of::<Cell<F, S>>()
    }

    #[test]
    fn empty_async_task_fits_in_128_bytes() {
        // Every scheduler's handle is one `Arc` (the engine cannot name them: layers).
        let size = cell_size::<Arc<u8>, _>(async {});
        assert!(size <= 128, "task cell is {size} bytes");
    }

    /// The size note in `raw.rs`: a small task (a future holding a few pointers, as a
    /// spawned `async move` closure over an `Arc` and a sender) must stay at or below 120
    /// bytes, glibc's fast-bin limit; at 136 a 10k-task spawn burst cost twice as much.
    #[test]
    fn cell_sizes_stay_under_the_fast_bin_limit() {
        assert_eq!(
            std::mem::size_of::<super::raw::Header>(),
            56,
            "the header grew"
        );
        let (a, b, c) = (Arc::new(0u8), Arc::new(1u8), Arc::new(2u8));
        let size = cell_size::<Arc<u8>, _>(async move {
            drop((a, b, c));
        });
        assert!(size <= 120, "a 3-pointer task's cell is {size} bytes");
    }
}

/// The task scenarios of `loom_tests`, run sequentially and with real threads under the
/// normal build, so that Miri (`cargo +nightly miri test -p robin-runtime --lib task::`)
/// checks the unsafe code in `raw.rs`, `harness.rs` and `waker.rs` for undefined
/// behaviour, leaks and aliasing violations.
#[cfg(all(test, not(loom)))]
mod harness_tests {
    use super::loom_support::MockScheduler;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};

    struct DropCount(Arc<AtomicUsize>);
    impl Drop for DropCount {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    /// Pending once (stashing its waker), then ready.
    struct TwoPolls(usize, Arc<Mutex<Option<Waker>>>);
    impl Future for TwoPolls {
        type Output = usize;
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
            self.0 += 1;
            if self.0 == 1 {
                *self.1.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(self.0)
            }
        }
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        futures::executor::block_on(f)
    }

    #[test]
    fn spawn_run_join() {
        let sched = MockScheduler::new();
        let join = sched.spawn(async { 5 });
        sched.run_until_idle();
        assert!(join.is_finished());
        assert_eq!(block_on(join).unwrap(), 5);
        sched.assert_all_freed();
    }

    #[test]
    fn wake_by_val_and_by_ref_reschedule() {
        for by_ref in [false, true] {
            let sched = MockScheduler::new();
            let slot = Arc::new(Mutex::new(None));
            let join = sched.spawn(TwoPolls(0, slot.clone()));
            sched.run_until_idle();
            let waker = slot.lock().unwrap().take().unwrap();
            let clone = waker.clone();
            if by_ref {
                waker.wake_by_ref();
                drop(waker);
            } else {
                waker.wake();
            }
            sched.run_until_idle();
            assert_eq!(block_on(join).unwrap(), 2);
            // A waker outliving the task's completion is harmless.
            clone.wake();
            sched.run_until_idle();
            sched.assert_all_freed();
        }
    }

    #[test]
    fn wake_while_running_from_another_thread() {
        let sched = MockScheduler::new();
        let slot = Arc::new(Mutex::new(None::<Waker>));
        let join = sched.spawn(TwoPolls(0, slot.clone()));
        let waker_thread = std::thread::spawn(move || loop {
            if let Some(w) = slot.lock().unwrap().take() {
                w.wake();
                return;
            }
            std::thread::yield_now();
        });
        while !join.is_finished() {
            match sched.pop() {
                Some(t) => t.run(),
                None => std::thread::yield_now(),
            }
        }
        waker_thread.join().unwrap();
        assert_eq!(block_on(join).unwrap(), 2);
        sched.assert_all_freed();
    }

    /// A detached task is woken *by value* from another thread while this thread pops
    /// and completes it: the waker must keep its own reference until `schedule` (code
    /// inside the task allocation) has returned, or the completing thread frees the task
    /// under it. Miri checks this (the review found the waker handing its reference away).
    #[test]
    fn wake_by_value_racing_with_completion_of_a_detached_task() {
        for _ in 0..20 {
            let sched = MockScheduler::new();
            let slot = Arc::new(Mutex::new(None));
            drop(sched.spawn(TwoPolls(0, slot.clone())));
            sched.run_until_idle();
            let waker = slot
                .lock()
                .unwrap()
                .take()
                .expect("first poll stored its waker");
            let waking = std::thread::spawn(move || waker.wake());
            let mut ran = false;
            for _ in 0..100_000 {
                if let Some(task) = sched.pop() {
                    task.run();
                    ran = true;
                    break;
                }
                std::thread::yield_now();
            }
            waking.join().unwrap();
            assert!(ran, "the wake queued the task");
            sched.assert_all_freed();
        }
    }

    /// Task dumps' `is_lost`: a waker dropped inside poll leaves the task lost; cloned
    /// wakers kept in a `Vec` keep it findable until the last is dropped; the poll's
    /// borrowed waker is not counted.
    #[test]
    fn lost_follows_the_waker_count() {
        let sched = MockScheduler::new();
        let dropped = sched.spawn(std::future::poll_fn(|cx| {
            drop(cx.waker().clone());
            Poll::<()>::Pending
        }));
        let kept = Arc::new(Mutex::new(Vec::new()));
        let k = kept.clone();
        let vec = sched.spawn(std::future::poll_fn(move |cx| {
            let mut v = k.lock().unwrap();
            if v.is_empty() {
                v.push(cx.waker().clone());
                v.push(cx.waker().clone());
            }
            Poll::<()>::Pending
        }));
        assert_eq!(sched.lost(), vec![false, false], "queued, not yet polled");
        sched.run_until_idle();
        assert_eq!(sched.lost(), vec![true, false]);
        kept.lock().unwrap().pop();
        assert_eq!(sched.lost(), vec![true, false]);
        kept.lock().unwrap().pop().unwrap().wake();
        assert_eq!(sched.lost(), vec![true, false], "woken: queued");
        sched.run_until_idle();
        assert_eq!(
            sched.lost(),
            vec![true, false],
            "the repoll stored a new clone"
        );
        kept.lock().unwrap().clear();
        assert_eq!(sched.lost(), vec![true, true]);
        dropped.abort();
        vec.abort();
        sched.run_until_idle();
        assert!(block_on(dropped).unwrap_err().is_cancelled());
        assert!(block_on(vec).unwrap_err().is_cancelled());
        sched.assert_all_freed();
    }

    #[test]
    fn abort_before_during_and_after() {
        // Before the first poll.
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(drops.clone());
        let join = sched.spawn(async move {
            let _g = guard;
        });
        join.abort();
        sched.run_until_idle();
        assert!(block_on(join).unwrap_err().is_cancelled());
        assert_eq!(drops.load(SeqCst), 1);
        // While idle (pending).
        let guard = DropCount(drops.clone());
        let join = sched.spawn(async move {
            let _g = guard;
            std::future::pending::<()>().await
        });
        sched.run_until_idle();
        join.abort_handle().abort();
        sched.run_until_idle();
        assert!(block_on(join).unwrap_err().is_cancelled());
        assert_eq!(drops.load(SeqCst), 2);
        // After completion: the output stays.
        let join = sched.spawn(async { 1 });
        sched.run_until_idle();
        join.abort();
        assert_eq!(block_on(join).unwrap(), 1);
        sched.assert_all_freed();
    }

    #[test]
    fn join_handle_drop_before_and_after_completion() {
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let out = DropCount(drops.clone());
        drop(sched.spawn(async move { out }));
        sched.run_until_idle();
        assert_eq!(
            drops.load(SeqCst),
            1,
            "detached output dropped by the runtime"
        );
        let out = DropCount(drops.clone());
        let join = sched.spawn(async move { out });
        sched.run_until_idle();
        drop(join);
        assert_eq!(drops.load(SeqCst), 2, "unread output dropped by the handle");
        sched.assert_all_freed();
    }

    #[test]
    fn join_waker_is_replaced_and_woken() {
        let sched = MockScheduler::new();
        let slot = Arc::new(Mutex::new(None));
        let mut join = sched.spawn(TwoPolls(0, slot.clone()));
        sched.run_until_idle();
        // Poll the handle with two different wakers (the second replaces the first).
        let woken = Arc::new(AtomicUsize::new(0));
        struct CountWake(Arc<AtomicUsize>);
        impl std::task::Wake for CountWake {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, SeqCst);
            }
        }
        for _ in 0..2 {
            let w = Waker::from(Arc::new(CountWake(woken.clone())));
            let mut cx = Context::from_waker(&w);
            assert!(Pin::new(&mut join).poll(&mut cx).is_pending());
        }
        slot.lock().unwrap().take().unwrap().wake();
        sched.run_until_idle();
        assert_eq!(woken.load(SeqCst), 1, "only the latest join waker fires");
        assert_eq!(block_on(join).unwrap(), 2);
        sched.assert_all_freed();
    }

    #[test]
    fn panics_in_poll_and_drop_become_join_errors() {
        struct PanicOnDrop;
        impl Drop for PanicOnDrop {
            fn drop(&mut self) {
                panic!("drop");
            }
        }
        let sched = MockScheduler::new();
        let j1 = sched.spawn(async { panic!("poll") });
        let guard = PanicOnDrop;
        let j2 = sched.spawn(async move {
            let _g = guard;
            1
        });
        let guard = PanicOnDrop;
        let j3 = sched.spawn(async move {
            let _g = guard;
            std::future::pending::<()>().await
        });
        sched.run_until_idle();
        j3.abort();
        sched.run_until_idle();
        assert!(block_on(j1).unwrap_err().is_panic());
        assert!(block_on(j2).unwrap_err().is_panic());
        assert!(block_on(j3).unwrap_err().is_panic());
        sched.assert_all_freed();
    }

    #[test]
    fn shutdown_cancels_idle_and_queued_tasks() {
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let mut joins = Vec::new();
        for i in 0..10 {
            let guard = DropCount(drops.clone());
            joins.push(sched.spawn(async move {
                let _g = guard;
                std::future::pending::<()>().await;
                i
            }));
            if i % 2 == 0 {
                sched.run_until_idle(); // half idle, half still queued
            }
        }
        sched.shutdown();
        assert_eq!(drops.load(SeqCst), 10);
        for j in joins {
            assert!(block_on(j).unwrap_err().is_cancelled());
        }
        // Spawning after shutdown cancels at once.
        let late = sched.spawn(async { 0 });
        assert!(block_on(late).unwrap_err().is_cancelled());
        sched.assert_all_freed();
    }

    #[test]
    fn local_task_runs_on_its_thread_with_a_non_send_output() {
        let sched = MockScheduler::new();
        let rc = std::rc::Rc::new(5);
        let rc2 = rc.clone();
        let join = sched.spawn_local(async move { rc2 });
        sched.run_until_idle();
        let out = block_on(join).unwrap();
        assert_eq!(*out, 5);
        drop(out);
        assert_eq!(
            std::rc::Rc::strong_count(&rc),
            1,
            "the output was handed over once"
        );
        sched.assert_all_freed();
    }

    /// A local task that some bug ran on another thread is not polled there: the check
    /// fails the task (a panic `JoinError`) and leaks its future rather than dropping a
    /// `!Send` value on the wrong thread.
    #[test]
    #[cfg_attr(miri, ignore = "the future is leaked on purpose")]
    fn local_task_on_a_foreign_thread_is_failed_not_touched() {
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = (std::rc::Rc::new(()), DropCount(drops.clone()));
        let join = sched.spawn_local(async move {
            let _g = guard;
        });
        let task = sched.pop().expect("spawn queues the task");
        std::thread::spawn(move || task.run()).join().unwrap();
        let err = block_on(join).unwrap_err();
        assert!(err.is_panic());
        assert_eq!(drops.load(SeqCst), 0, "not dropped on the foreign thread");
        sched.assert_all_freed();
    }
}

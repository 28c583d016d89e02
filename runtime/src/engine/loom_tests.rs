//! loom models of the task state machine: every race between pollers, wakers, the
//! JoinHandle, abort and shutdown that `state.rs` arbitrates. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use super::loom_support::MockScheduler;
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::{Arc, Mutex};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

type WakerSlot = Arc<Mutex<Option<Waker>>>;

/// Pending on the first poll (handing its waker out), ready with `value` on the second.
struct TwoPolls {
    polls: usize,
    slot: WakerSlot,
    value: usize,
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

/// Wakes the waker in `slot` once it appears.
fn spawn_waker_thread(slot: WakerSlot) -> loom::thread::JoinHandle<()> {
    loom::thread::spawn(move || loop {
        if let Some(waker) = slot.lock().unwrap().take() {
            waker.wake();
            return;
        }
        loom::thread::yield_now();
    })
}

/// Counts drops of the value it travels in.
struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A wake from another thread races with the poll that handed out the waker: the task
/// must be polled again exactly until it completes, whether the wake lands while it is
/// `RUNNING` (NOTIFIED, rescheduled at idle) or after (a new `Notified`).
#[test]
fn wake_while_running() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let slot = WakerSlot::default();
        let join = sched.spawn(TwoPolls {
            polls: 0,
            slot: slot.clone(),
            value: 7,
        });
        let waker = spawn_waker_thread(slot);
        while !join.is_finished() {
            match sched.pop() {
                Some(task) => task.run(),
                None => loom::thread::yield_now(),
            }
        }
        waker.join().unwrap();
        assert_eq!(loom::future::block_on(join).unwrap(), 7);
        sched.assert_all_freed();
    });
}

/// A waker used after the task completed (and possibly after the JoinHandle is gone)
/// does nothing but drop its reference; the last one frees the task.
#[test]
fn wake_after_completion() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let slot = WakerSlot::default();
        let join = sched.spawn({
            let slot = slot.clone();
            std::future::poll_fn(move |cx| {
                *slot.lock().unwrap() = Some(cx.waker().clone());
                Poll::Ready(3)
            })
        });
        let waker = spawn_waker_thread(slot);
        sched.run_until_idle();
        drop(join);
        waker.join().unwrap();
        sched.run_until_idle();
        sched.assert_all_freed();
    });
}

/// `abort` from another thread races with a task that completes on its first poll: the
/// handle sees either the output or a cancellation, and the output is dropped once.
#[test]
fn abort_vs_completion() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let out = DropCount(drops.clone());
        let join = sched.spawn(async move { out });
        let abort = join.abort_handle();
        let aborter = loom::thread::spawn(move || abort.abort());
        sched.run_until_idle();
        aborter.join().unwrap();
        sched.run_until_idle();
        match loom::future::block_on(join) {
            Ok(out) => drop(out),
            Err(e) => assert!(e.is_cancelled()),
        }
        // Output or future (which owned `out` until it ran): dropped exactly once.
        assert_eq!(drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

/// `abort` races with a pending task's poll: wherever it lands (queued, running, idle),
/// the future is dropped exactly once and the handle reports cancellation.
#[test]
fn abort_vs_poll_of_pending_task() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(drops.clone());
        let join = sched.spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await
        });
        let abort = join.abort_handle();
        let aborter = loom::thread::spawn(move || abort.abort());
        sched.run_until_idle();
        aborter.join().unwrap();
        sched.run_until_idle();
        assert!(loom::future::block_on(join).unwrap_err().is_cancelled());
        assert_eq!(drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

/// The JoinHandle is dropped on another thread while the task completes: the output is
/// dropped exactly once, by whichever side the state word says owns it.
#[test]
fn join_handle_drop_vs_completion() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let out = DropCount(drops.clone());
        let join = sched.spawn(async move { out });
        let dropper = loom::thread::spawn(move || drop(join));
        sched.run_until_idle();
        dropper.join().unwrap();
        assert_eq!(drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

/// The JoinHandle registers (and re-registers) its waker while the task completes on
/// another thread: the awaiting side always wakes up with the output.
#[test]
fn join_waker_vs_completion() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let slot = WakerSlot::default();
        let join = sched.spawn(TwoPolls {
            polls: 0,
            slot: slot.clone(),
            value: 11,
        });
        let runner = {
            let sched = sched.clone();
            loom::thread::spawn(move || {
                sched.run_until_idle();
                // Second poll after the wake.
                loop {
                    if let Some(waker) = slot.lock().unwrap().take() {
                        waker.wake();
                        break;
                    }
                    loom::thread::yield_now();
                }
                sched.run_until_idle();
            })
        };
        assert_eq!(loom::future::block_on(join).unwrap(), 11);
        runner.join().unwrap();
        sched.assert_all_freed();
    });
}

/// Runtime shutdown races with a worker polling a task: the future is dropped exactly
/// once, never while it is being polled, and the handle reports cancellation.
#[test]
fn shutdown_vs_poll() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = DropCount(drops.clone());
        let slot = WakerSlot::default();
        let join = sched.spawn({
            let slot = slot.clone();
            async move {
                let _guard = guard;
                TwoPolls {
                    polls: 0,
                    slot,
                    value: 0,
                }
                .await;
                std::future::pending::<()>().await
            }
        });
        let worker = {
            let sched = sched.clone();
            loom::thread::spawn(move || sched.run_until_idle())
        };
        sched.shutdown();
        worker.join().unwrap();
        drop(slot);
        assert!(loom::future::block_on(join).unwrap_err().is_cancelled());
        assert_eq!(drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

/// Task dumps: while a waker exists that will wake the task, no snapshot, taken at any
/// point of the race between the poll that hands the waker out and the wake from another
/// thread, reports the task lost; once the only waker is dropped (on another thread)
/// instead, the task is lost.
#[test]
fn lost_never_while_a_waker_lives() {
    for drop_it in [false, true] {
        loom::model(move || {
            let sched = MockScheduler::new();
            let slot = WakerSlot::default();
            let join = sched.spawn(TwoPolls {
                polls: 0,
                slot: slot.clone(),
                value: 1,
            });
            let other = loom::thread::spawn(move || loop {
                if let Some(waker) = slot.lock().unwrap().take() {
                    if drop_it {
                        drop(waker);
                    } else {
                        waker.wake();
                    }
                    return;
                }
                loom::thread::yield_now();
            });
            let task = sched.pop().unwrap();
            task.run();
            if !drop_it {
                assert_eq!(sched.lost(), vec![false]);
            }
            other.join().unwrap();
            if drop_it {
                assert_eq!(sched.lost(), vec![true]);
                join.abort();
            }
            sched.run_until_idle();
            drop(join);
            sched.assert_all_freed();
        });
    }
}

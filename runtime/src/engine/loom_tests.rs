//! loom models of the task state machine: every race between pollers, wakers, the
//! JoinHandle, abort and shutdown that `state.rs` arbitrates. Run with
//! `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use super::loom_support::{
    guarded, output_or_cancelled, spawn_waker_thread, take_waker, DropCount, MockScheduler,
    TwoPolls, WakerSlot,
};
use crate::loom::sync::atomic::Ordering::SeqCst;
use std::task::Poll;

/// A wake from another thread races with the poll that handed out the waker: the task
/// must be polled again exactly until it completes, whether the wake lands while it is
/// `RUNNING` (NOTIFIED, rescheduled at idle) or after (a new `Notified`).
#[test]
fn wake_while_running() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let slot = WakerSlot::default();
        let join = sched.spawn(TwoPolls::new(&slot, 7));
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
        let (out, drops) = DropCount::new();
        let join = sched.spawn(async move { out });
        let abort = join.abort_handle();
        sched.run_racing(loom::thread::spawn(move || abort.abort()));
        drop(output_or_cancelled(join));
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
        let (guard, drops) = DropCount::new();
        let join = sched.spawn(guarded(guard, std::future::pending::<()>()));
        let abort = join.abort_handle();
        sched.run_racing(loom::thread::spawn(move || abort.abort()));
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
        let (out, drops) = DropCount::new();
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
        let join = sched.spawn(TwoPolls::new(&slot, 11));
        let runner = {
            let sched = sched.clone();
            loom::thread::spawn(move || {
                sched.run_until_idle();
                // Second poll after the wake.
                take_waker(&slot).wake();
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
        let (guard, drops) = DropCount::new();
        let slot = WakerSlot::default();
        let join = sched.spawn(guarded(guard, {
            let first = TwoPolls::new(&slot, 0);
            async move {
                first.await;
                std::future::pending::<()>().await
            }
        }));
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
            let join = sched.spawn(TwoPolls::new(&slot, 1));
            let other = loom::thread::spawn(move || {
                let waker = take_waker(&slot);
                if drop_it {
                    drop(waker);
                } else {
                    waker.wake();
                }
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

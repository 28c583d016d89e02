//! loom models of `JoinSet` (a child of `join_set.rs`, so it can fill a set with tasks
//! of the engine's mock scheduler): the real `ReadyList`/`ReadyNode` protocol and
//! `join_next`, raced by a completion on another thread, and by the set's drop. Proves:
//! no lost wake-up between `join_next` registering its waker and a node being pushed;
//! dropping the set while a member completes frees every task.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=2 cargo test -p robin-runtime --release --lib`.
use super::JoinSet;
use crate::engine::loom_support::{
    guarded, wake_and_run, DropCount, MockScheduler, TwoPolls, WakerSlot,
};
use crate::loom::sync::atomic::Ordering::SeqCst;

/// A member is woken and completes on another thread while the owner awaits
/// `join_next`: the owner is woken and gets the output.
#[test]
fn join_next_vs_remote_completion() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let slot = WakerSlot::default();
        let mut set = JoinSet::new();
        set.insert(sched.spawn(TwoPolls::new(&slot, 3)));
        sched.run_until_idle();
        let other = wake_and_run(slot, &sched);
        let out = loom::future::block_on(set.join_next());
        assert_eq!(out.unwrap().unwrap(), 3);
        assert!(loom::future::block_on(set.join_next()).is_none());
        other.join().unwrap();
        sched.assert_all_freed();
    });
}

/// Two members complete on two other threads (their nodes pushed concurrently) while the
/// owner joins: both outputs come out, each once.
#[test]
fn join_next_vs_two_completions() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let mut set = JoinSet::new();
        let slots = [WakerSlot::default(), WakerSlot::default()];
        for (value, slot) in slots.iter().enumerate() {
            set.insert(sched.spawn(TwoPolls::new(slot, value)));
        }
        sched.run_until_idle();
        let others: Vec<_> = slots
            .into_iter()
            .map(|slot| wake_and_run(slot, &sched))
            .collect();
        let mut outs: Vec<usize> = (0..2)
            .map(|_| loom::future::block_on(set.join_next()).unwrap().unwrap())
            .collect();
        outs.sort_unstable();
        assert_eq!(outs, [0, 1]);
        others.into_iter().for_each(|t| t.join().unwrap());
        sched.assert_all_freed();
    });
}

/// The set is dropped (aborting its members) while a member is woken and run on another
/// thread: its future is dropped once, and every task is freed.
#[test]
fn drop_vs_completion() {
    loom::model(|| {
        let sched = MockScheduler::new();
        let slot = WakerSlot::default();
        let (guard, drops) = DropCount::new();
        let mut set = JoinSet::new();
        set.insert(sched.spawn(guarded(guard, TwoPolls::new(&slot, 0))));
        sched.run_until_idle();
        let other = wake_and_run(slot, &sched);
        drop(set);
        other.join().unwrap();
        sched.run_until_idle();
        assert_eq!(drops.load(SeqCst), 1);
        sched.assert_all_freed();
    });
}

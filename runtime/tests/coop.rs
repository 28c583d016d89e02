//! The cooperative budget: a task whose resources are always ready is made to yield
//! after about 128 operations, so it cannot starve the other tasks on its thread.
use robin_runtime::runtime::Builder;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;

/// Returns how many messages a greedy receiver takes before another task on the same
/// (single) thread gets to run. The greedy task spawns the other one itself and then
/// drains a channel whose every `recv` is ready at once: without a budget it would only
/// yield after all 100k messages.
fn greedy_receiver_lets_others_run(rt: robin_runtime::runtime::Runtime) -> usize {
    rt.block_on(async {
        let (tx, mut rx) = robin_sync::mpsc::unbounded_channel::<u32>();
        for i in 0..100_000 {
            tx.send(i).unwrap();
        }
        drop(tx);
        robin_runtime::spawn(async move {
            let other_ran = Arc::new(AtomicBool::new(false));
            let flag = other_ran.clone();
            let other = robin_runtime::spawn(async move { flag.store(true, SeqCst) });
            let mut taken = 0usize;
            while rx.recv().await.is_some() {
                taken += 1;
                if other_ran.load(SeqCst) {
                    break;
                }
            }
            other.await.unwrap();
            taken
        })
        .await
        .unwrap()
    })
}

#[test]
fn budget_forces_a_yield_on_current_thread() {
    let rt = Builder::new_current_thread().build().unwrap();
    let taken = greedy_receiver_lets_others_run(rt);
    assert!(
        taken <= 2 * robin_sync::coop::INITIAL as usize,
        "took {taken} before yielding"
    );
}

#[test]
fn budget_forces_a_yield_on_one_worker() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let taken = greedy_receiver_lets_others_run(rt);
    assert!(
        taken <= 2 * robin_sync::coop::INITIAL as usize,
        "took {taken} before yielding"
    );
}

#[test]
fn join_handles_spend_budget_too() {
    // Awaiting many finished JoinHandles in a row also yields periodically: the task is
    // rescheduled (it completes), and a task spawned later still runs in between.
    let rt = Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let handles: Vec<_> = (0..1000)
            .map(|i| robin_runtime::spawn(async move { i }))
            .collect();
        for _ in 0..3 {
            robin_runtime::task::yield_now().await;
        }
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let observed = robin_runtime::spawn(async move {
            let mut seen_at = None;
            for (n, h) in handles.into_iter().enumerate() {
                h.await.unwrap();
                if seen_at.is_none() && f.load(SeqCst) {
                    seen_at = Some(n);
                }
            }
            seen_at
        });
        let setter = robin_runtime::spawn(async move { flag.store(true, SeqCst) });
        setter.await.unwrap();
        let seen_at = observed.await.unwrap();
        assert!(seen_at.is_some_and(|n| n < 1000), "{seen_at:?}");
    });
}

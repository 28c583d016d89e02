//! `robin::task::{consume_budget, unconstrained, coop}` through the facade.
use robin::task;
use robin_test_support::current_thread;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;

/// A loop that only awaits `consume_budget` still lets another task on the same thread
/// run: the budget runs out and the task yields.
#[test]
fn consume_budget_makes_a_busy_loop_yield() {
    let rt = current_thread();
    let spins = rt.block_on(async {
        task::spawn(async {
            let flag = Arc::new(AtomicBool::new(false));
            let other = {
                let flag = flag.clone();
                task::spawn(async move { flag.store(true, SeqCst) })
            };
            let mut spins = 0u32;
            while !flag.load(SeqCst) && spins < 100_000 {
                spins += 1;
                task::consume_budget().await;
            }
            other.await.unwrap();
            assert!(flag.load(SeqCst), "the other task never ran");
            spins
        })
        .await
        .unwrap()
    });
    // 128 units spent, then the 129th call yields.
    assert!(
        spins <= u32::from(robin::sync::coop::INITIAL) + 1,
        "yielded after {spins}"
    );
}

/// Inside `unconstrained`, an always-ready receiver is never made to yield: the other
/// task runs only once the receiver is done; outside, it runs after one budget.
#[test]
fn unconstrained_lifts_the_budget() {
    fn taken_before_other_ran(unconstrained: bool) -> usize {
        let rt = current_thread();
        rt.block_on(async move {
            task::spawn(async move {
                let (tx, mut rx) = robin::sync::mpsc::unbounded_channel::<u32>();
                for i in 0..1000 {
                    tx.send(i).unwrap();
                }
                drop(tx);
                let flag = Arc::new(AtomicBool::new(false));
                let other = {
                    let flag = flag.clone();
                    task::spawn(async move { flag.store(true, SeqCst) })
                };
                let drain = async {
                    let mut taken = 0;
                    while rx.recv().await.is_some() {
                        if flag.load(SeqCst) {
                            break;
                        }
                        taken += 1;
                    }
                    taken
                };
                let taken = if unconstrained {
                    task::unconstrained(drain).await
                } else {
                    drain.await
                };
                other.await.unwrap();
                taken
            })
            .await
            .unwrap()
        })
    }
    assert_eq!(taken_before_other_ran(true), 1000);
    assert!(taken_before_other_ran(false) < 1000);
}

/// `coop::has_budget_remaining` is true at the start of a poll and false once spent.
#[test]
fn has_budget_remaining_tracks_the_budget() {
    let rt = current_thread();
    rt.block_on(async {
        task::spawn(async {
            assert!(task::coop::has_budget_remaining());
            let (tx, mut rx) = robin::sync::mpsc::unbounded_channel::<u32>();
            for i in 0..1000 {
                tx.send(i).unwrap();
            }
            let mut n = 0;
            while task::coop::has_budget_remaining() && n < 1000 {
                rx.recv().await.unwrap();
                n += 1;
            }
            assert!(n < 1000, "the budget ran out before the messages did");
        })
        .await
        .unwrap();
    });
}

robin::task_local! {
    static TAG: u8;
}

/// `task::futures::TaskLocalFuture` names what `LocalKey::scope` returns.
#[test]
fn task_local_future_is_at_tokios_path() {
    let fut: task::futures::TaskLocalFuture<u8, _> = TAG.scope(4, async { TAG.get() });
    assert_eq!(current_thread().block_on(fut), 4);
}

/// Misused task functions panic at the caller's line (`#[track_caller]`), so the
/// message points at the user's code, not at robin's.
#[test]
fn misuse_panics_point_at_the_caller() {
    use std::sync::Mutex;
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let me = std::thread::current().id();
    let prev = std::panic::take_hook();
    {
        let seen = seen.clone();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().id() == me {
                if let Some(loc) = info.location() {
                    seen.lock().unwrap().push(loc.file().to_string());
                }
            }
        }));
    }
    let misuses: [fn(); 4] = [
        || drop(robin::spawn(async {})),
        || drop(task::spawn_local(async {})),
        || {
            let _ = task::id();
        },
        || drop(robin::runtime::Handle::current()),
    ];
    for misuse in misuses {
        assert!(std::panic::catch_unwind(misuse).is_err());
    }
    std::panic::set_hook(prev);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 4, "{seen:?}");
    for file in seen {
        assert!(file.ends_with("task_coop.rs"), "panic reported at {file}");
    }
}

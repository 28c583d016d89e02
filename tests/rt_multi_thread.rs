//! Multi-thread scheduler behaviour: work stealing is real, the LIFO slot is stealable,
//! `block_in_place` hands queued work to another thread, hooks and names apply.
//!
//! Each test blocks a worker thread on a std channel *inside a task* and needs another
//! thread to run the task that will unblock it. Without stealing these tests would never
//! finish; the `recv_timeout` turns that into a failure instead of a hang. Nothing here
//! asserts on how long anything took.
use robin::runtime::Builder;
use robin::task;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc, Barrier};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn two_workers() -> robin::runtime::Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap()
}

/// A task spawns 100 tasks (they go to its worker's LIFO slot and deque) and then
/// blocks its worker until all of them ran: the other worker must steal them.
#[test]
fn tasks_spawned_by_a_blocked_worker_are_stolen() {
    let rt = two_workers();
    let ran = rt.block_on(async {
        robin::spawn(async {
            let (tx, rx) = mpsc::channel();
            for i in 0..100 {
                let tx = tx.clone();
                robin::spawn(async move { tx.send(i).unwrap() });
            }
            // Block this worker thread (the anti-pattern the runtime must survive).
            let mut got: Vec<i32> = (0..100)
                .map(|_| rx.recv_timeout(WAIT).expect("stolen"))
                .collect();
            got.sort();
            got
        })
        .await
        .unwrap()
    });
    assert_eq!(ran, (0..100).collect::<Vec<_>>());
}

/// The task in the LIFO slot (the one the running task just woke) is not stranded while
/// the worker is blocked: another worker steals it (tokio #4941).
#[test]
fn woken_task_in_lifo_slot_is_stolen_from_a_blocked_worker() {
    let rt = two_workers();
    for _ in 0..20 {
        let out = rt.block_on(async {
            let (wake_tx, wake_rx) = robin::sync::oneshot::channel::<u32>();
            let (done_tx, done_rx) = mpsc::channel();
            // B waits for a message; it is idle (not queued) when A wakes it.
            let b = robin::spawn(async move {
                let v = wake_rx.await.unwrap();
                done_tx.send(v + 1).unwrap();
            });
            let a = robin::spawn(async move {
                // Make sure B has parked on the channel, so our send wakes it into our
                // worker's LIFO slot.
                for _ in 0..10 {
                    task::yield_now().await;
                }
                wake_tx.send(41).unwrap();
                // Block this worker until B ran elsewhere.
                done_rx.recv_timeout(WAIT).expect("LIFO task was stranded")
            });
            let v = a.await.unwrap();
            b.await.unwrap();
            v
        });
        assert_eq!(out, 42);
    }
}

/// The same for a task spawned into the LIFO slot.
#[test]
fn spawned_task_in_lifo_slot_is_stolen_from_a_blocked_worker() {
    let rt = two_workers();
    for _ in 0..20 {
        let out = rt.block_on(async {
            robin::spawn(async {
                let (tx, rx) = mpsc::channel();
                robin::spawn(async move { tx.send(7).unwrap() });
                rx.recv_timeout(WAIT).expect("LIFO task was stranded")
            })
            .await
            .unwrap()
        });
        assert_eq!(out, 7);
    }
}

/// `block_in_place` on a *single* worker: the worker's queued task runs on the thread
/// that takes over the worker while this one blocks.
#[test]
fn block_in_place_hands_queued_work_to_another_thread() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let out = rt.block_on(async {
        robin::spawn(async {
            let (tx, rx) = mpsc::channel();
            robin::spawn(async move { tx.send("ran").unwrap() });
            let got = task::block_in_place(|| rx.recv_timeout(WAIT).expect("handed over"));
            // Still a working task afterwards.
            task::yield_now().await;
            robin::spawn(async { 1 }).await.unwrap();
            got
        })
        .await
        .unwrap()
    });
    assert_eq!(out, "ran");
}

/// `block_on` is allowed inside `block_in_place`, and `block_in_place` outside a runtime
/// just runs the closure.
#[test]
fn block_in_place_allows_block_on_and_works_outside() {
    assert_eq!(task::block_in_place(|| 3), 3);
    let rt = two_workers();
    let v = rt.block_on(async {
        robin::spawn(async {
            task::block_in_place(|| {
                robin::runtime::Handle::current()
                    .block_on(async { robin::spawn(async { 5 }).await.unwrap() })
            })
        })
        .await
        .unwrap()
    });
    assert_eq!(v, 5);
}

/// Many `block_in_place` calls in parallel tasks keep the runtime serving.
#[test]
fn many_block_in_place_calls() {
    let rt = two_workers();
    let total = rt.block_on(async {
        let handles: Vec<_> = (0..200u64)
            .map(|i| {
                robin::spawn(async move {
                    task::block_in_place(|| i) + robin::spawn(async move { i }).await.unwrap()
                })
            })
            .collect();
        let mut total = 0;
        for h in handles {
            total += h.await.unwrap();
        }
        total
    });
    assert_eq!(total, 2 * (0..200u64).sum::<u64>());
}

/// Both workers run tasks at the same time: two tasks rendezvous on a std barrier, which
/// only completes if they are on different threads simultaneously.
#[test]
fn two_workers_run_in_parallel() {
    let rt = two_workers();
    let barrier = Arc::new(Barrier::new(2));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let barrier = barrier.clone();
            rt.spawn(async move { barrier.wait().is_leader() })
        })
        .collect();
    let leaders = rt.block_on(async {
        let mut n = 0;
        for h in handles {
            n += h.await.unwrap() as u32;
        }
        n
    });
    assert_eq!(leaders, 1);
}

#[test]
fn thread_names_and_hooks_apply() {
    let started = Arc::new(AtomicUsize::new(0));
    let stopped = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("robin-test-worker")
        .on_thread_start({
            let started = started.clone();
            move || {
                started.fetch_add(1, SeqCst);
            }
        })
        .on_thread_stop({
            let stopped = stopped.clone();
            move || {
                stopped.fetch_add(1, SeqCst);
            }
        })
        .build()
        .unwrap();
    let name = rt.block_on(rt.spawn(async { std::thread::current().name().map(str::to_owned) }));
    assert_eq!(name.unwrap().as_deref(), Some("robin-test-worker"));
    drop(rt);
    let (s, t) = (started.load(SeqCst), stopped.load(SeqCst));
    assert!(s >= 2, "{s} threads started");
    assert_eq!(s, t, "every started thread ran the stop hook");
}

/// Many threads spawn concurrently from outside the runtime; every task runs once.
#[test]
fn concurrent_remote_spawns_from_many_threads() {
    let rt = two_workers();
    let count = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let handle = rt.handle().clone();
            let count = count.clone();
            std::thread::spawn(move || {
                (0..5_000)
                    .map(|_| {
                        let count = count.clone();
                        handle.spawn(async move {
                            count.fetch_add(1, SeqCst);
                        })
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let handles: Vec<_> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    rt.block_on(async {
        for h in handles {
            h.await.unwrap();
        }
    });
    assert_eq!(count.load(SeqCst), 40_000);
}

/// Wakes from many foreign threads at once (the remote path) reach every task exactly once.
#[test]
fn wakes_from_foreign_threads() {
    let rt = two_workers();
    let mut senders = Vec::new();
    let mut handles = Vec::new();
    for i in 0..1000u32 {
        let (tx, rx) = robin::sync::oneshot::channel::<u32>();
        senders.push((i, tx));
        handles.push(rt.spawn(async move { rx.await.unwrap() }));
    }
    let chunks: Vec<Vec<_>> = senders.into_iter().fold(
        vec![Vec::new(), Vec::new(), Vec::new(), Vec::new()],
        |mut acc, s| {
            acc[s.0 as usize % 4].push(s);
            acc
        },
    );
    let threads: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            std::thread::spawn(move || chunk.into_iter().for_each(|(i, tx)| tx.send(i).unwrap()))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let sum = rt.block_on(async {
        let mut sum = 0u64;
        for h in handles {
            sum += u64::from(h.await.unwrap());
        }
        sum
    });
    assert_eq!(sum, (0..1000u64).sum::<u64>());
}

//! `robin::task::JoinSet` through the facade.
use robin::sync::oneshot;
use robin::task::JoinSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[robin::test]
async fn join_next_gives_completion_order() {
    let mut set = JoinSet::new();
    let mut senders = Vec::new();
    for i in 0..5u32 {
        let (tx, rx) = oneshot::channel::<()>();
        senders.push(tx);
        set.spawn(async move {
            rx.await.unwrap();
            i
        });
    }
    // Release them in reverse spawn order, one at a time.
    for (i, tx) in senders.into_iter().enumerate().rev() {
        tx.send(()).unwrap();
        assert_eq!(set.join_next().await.unwrap().unwrap(), i as u32);
    }
    assert!(set.join_next().await.is_none());
}

#[robin::test(start_paused = true)]
async fn completion_order_with_timers() {
    let mut set = JoinSet::new();
    for ms in [300u64, 100, 200] {
        set.spawn(async move {
            robin::time::sleep(Duration::from_millis(ms)).await;
            ms
        });
    }
    let mut order = Vec::new();
    while let Some(res) = set.join_next().await {
        order.push(res.unwrap());
    }
    assert_eq!(order, vec![100, 200, 300]);
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_on_real_threads() {
    let mut set = JoinSet::new();
    for i in 0..1000u64 {
        set.spawn(async move {
            if i % 3 == 0 {
                robin::task::yield_now().await;
            }
            i
        });
    }
    assert_eq!(set.len(), 1000);
    let mut sum = 0;
    let mut n = 0;
    while let Some(res) = set.join_next().await {
        sum += res.unwrap();
        n += 1;
    }
    assert_eq!((n, sum), (1000, 999 * 1000 / 2));
    assert!(set.is_empty());
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn woken_from_plain_threads() {
    let mut set = JoinSet::new();
    let mut threads = Vec::new();
    for i in 0..8u32 {
        let (tx, rx) = oneshot::channel::<u32>();
        set.spawn(async move { rx.await.unwrap() });
        threads.push(std::thread::spawn(move || tx.send(i).unwrap()));
    }
    let mut got: Vec<u32> = set.join_all().await;
    got.sort();
    assert_eq!(got, (0..8).collect::<Vec<_>>());
    for t in threads {
        t.join().unwrap();
    }
}

#[robin::test]
async fn panics_and_aborts_are_join_errors() {
    let mut set = JoinSet::new();
    set.spawn(async { panic!("task failed") });
    let abort = set.spawn(std::future::pending::<()>());
    abort.abort();
    let mut panics = 0;
    let mut cancels = 0;
    while let Some(res) = set.join_next().await {
        let err = res.unwrap_err();
        if err.is_panic() {
            panics += 1;
        } else if err.is_cancelled() {
            cancels += 1;
        }
    }
    assert_eq!((panics, cancels), (1, 1));
}

#[robin::test]
#[should_panic(expected = "task failed")]
async fn join_all_propagates_a_panic() {
    let mut set = JoinSet::new();
    set.spawn(async {});
    set.spawn(async { panic!("task failed") });
    set.join_all().await;
}

#[robin::test]
async fn join_next_with_id_matches_the_abort_handles() {
    let mut set = JoinSet::new();
    let a = set.spawn(async { "a" }).id();
    let b = set.spawn(async { "b" }).id();
    let mut seen = Vec::new();
    while let Some(res) = set.join_next_with_id().await {
        seen.push(res.unwrap());
    }
    seen.sort();
    let mut want = vec![(a, "a"), (b, "b")];
    want.sort();
    assert_eq!(seen, want);
}

#[robin::test]
async fn try_join_next_does_not_wait() {
    let mut set = JoinSet::new();
    let (tx, rx) = oneshot::channel::<u8>();
    set.spawn(async move { rx.await.unwrap() });
    assert!(set.try_join_next().is_none());
    tx.send(8).unwrap();
    let mut got = None;
    for _ in 0..100 {
        if let Some(res) = set.try_join_next() {
            got = Some(res.unwrap());
            break;
        }
        robin::task::yield_now().await;
    }
    assert_eq!(got, Some(8));
    assert!(set.is_empty());
}

struct Count(Arc<AtomicUsize>);
impl Drop for Count {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[robin::test]
async fn shutdown_aborts_and_waits() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let mut set = JoinSet::new();
    for _ in 0..5 {
        let c = Count(dropped.clone());
        set.spawn(async move {
            let _c = c;
            std::future::pending::<()>().await
        });
    }
    set.shutdown().await;
    assert!(set.is_empty());
    assert_eq!(dropped.load(Ordering::SeqCst), 5);
}

#[robin::test]
async fn dropping_the_set_aborts_its_tasks() {
    let dropped = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = oneshot::channel::<()>();
    let mut set = JoinSet::new();
    let c = Count(dropped.clone());
    set.spawn(async move {
        let _c = c;
        let _tx = tx; // dropped with the future
        std::future::pending::<()>().await
    });
    robin::task::yield_now().await; // let it start
    drop(set);
    // The receiver sees the sender dropped once the task was cancelled.
    assert!(rx.await.is_err());
    assert_eq!(dropped.load(Ordering::SeqCst), 1);
}

#[robin::test]
async fn detach_all_lets_tasks_run_on() {
    let (tx, rx) = oneshot::channel::<u8>();
    let mut set = JoinSet::new();
    set.spawn(async move {
        robin::task::yield_now().await;
        tx.send(1).unwrap();
    });
    set.detach_all();
    assert_eq!(set.len(), 0);
    drop(set);
    assert_eq!(rx.await.unwrap(), 1);
}

#[robin::test]
async fn slots_are_reused_and_stale_wakes_ignored() {
    let mut set = JoinSet::new();
    for round in 0..20u32 {
        set.spawn(async move { round });
        set.spawn(async move {
            robin::task::yield_now().await;
            round + 100
        });
        let mut got = vec![
            set.join_next().await.unwrap().unwrap(),
            set.join_next().await.unwrap().unwrap(),
        ];
        got.sort();
        assert_eq!(got, vec![round, round + 100]);
        assert!(set.is_empty());
    }
}

#[test]
fn spawn_on_and_spawn_blocking_from_outside() {
    let rt = robin::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut set = JoinSet::new();
    for i in 0..4u32 {
        set.spawn_on(async move { i }, rt.handle());
    }
    let mut got = rt.block_on(async {
        set.spawn_blocking(|| 10);
        let mut got = Vec::new();
        while let Some(res) = set.join_next().await {
            got.push(res.unwrap());
        }
        got
    });
    got.sort();
    assert_eq!(got, vec![0, 1, 2, 3, 10]);
}

#[robin::test]
async fn join_next_is_cancel_safe() {
    let mut set = JoinSet::new();
    let (tx, rx) = oneshot::channel::<u8>();
    set.spawn(async move { rx.await.unwrap() });
    // A join_next that is dropped while pending loses nothing.
    robin::select! {
        biased;
        _ = set.join_next() => panic!("nothing is ready yet"),
        _ = robin::task::yield_now() => {}
    }
    tx.send(4).unwrap();
    assert_eq!(set.join_next().await.unwrap().unwrap(), 4);
}

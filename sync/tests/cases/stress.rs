//! Stress cases: many threads, each running many tasks (joined futures), bounded in count.
//! They check that every message arrives exactly once and in per-sender order, and that
//! the locks and the semaphore never admit too many holders.
use super::{on_thread, on_threads, yield_now};
use futures::future::join_all;
use robin_sync::{broadcast, mpsc, oneshot, watch, Barrier, Mutex, Notify, RwLock, Semaphore};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

const THREADS: usize = 4;
const TASKS: usize = 4;

/// Receives `(sender, seq)` pairs until the channel ends; checks per-sender order and
/// exactly-once delivery of `per_sender` messages from each of `senders` senders.
fn check_order(got: &[(usize, usize)], senders: usize, per_sender: usize) {
    let mut next = vec![0; senders];
    for &(s, seq) in got {
        assert_eq!(seq, next[s], "sender {s}: out of order or duplicated");
        next[s] += 1;
    }
    assert!(
        next.iter().all(|&n| n == per_sender),
        "lost messages: {next:?}"
    );
}

pub async fn stress_mpsc_bounded_threads_and_tasks() {
    const PER: usize = 400;
    let (tx, mut rx) = mpsc::channel(8);
    for t in 0..THREADS {
        let tx = tx.clone();
        std::thread::spawn(move || {
            futures::executor::block_on(join_all((0..TASKS).map(|k| {
                let tx = tx.clone();
                async move {
                    let id = t * TASKS + k;
                    for seq in 0..PER {
                        if seq % 3 == 0 {
                            tx.reserve().await.unwrap().send((id, seq));
                        } else {
                            tx.send((id, seq)).await.unwrap();
                        }
                    }
                }
            })))
        });
    }
    drop(tx);
    let mut got = Vec::new();
    let mut buf = Vec::new();
    while rx.recv_many(&mut buf, 5).await > 0 {
        got.append(&mut buf);
    }
    check_order(&got, THREADS * TASKS, PER);
}

pub async fn stress_mpsc_unbounded_threads_and_tasks() {
    const PER: usize = 500;
    let (tx, mut rx) = mpsc::unbounded_channel();
    for t in 0..THREADS {
        let tx = tx.clone();
        std::thread::spawn(move || {
            futures::executor::block_on(join_all((0..TASKS).map(|k| {
                let tx = tx.clone();
                async move {
                    for seq in 0..PER {
                        tx.send((t * TASKS + k, seq)).unwrap();
                        if seq % 50 == 0 {
                            yield_now().await;
                        }
                    }
                }
            })))
        });
    }
    drop(tx);
    let mut got = Vec::new();
    while let Some(m) = rx.recv().await {
        got.push(m);
    }
    check_order(&got, THREADS * TASKS, PER);
}

pub async fn stress_mutex_counter() {
    const PER: usize = 200;
    let m = Arc::new(Mutex::new(0usize));
    on_threads(THREADS, |_| {
        let m = m.clone();
        async move {
            join_all((0..TASKS).map(|_| async {
                for i in 0..PER {
                    let mut g = m.lock().await;
                    let v = *g;
                    if i % 8 == 0 {
                        yield_now().await; // held across an await
                    }
                    *g = v + 1;
                }
            }))
            .await;
        }
    })
    .await;
    assert_eq!(*m.lock().await, THREADS * TASKS * PER);
}

pub async fn stress_semaphore_limit() {
    const LIMIT: usize = 3;
    let s = Arc::new(Semaphore::new(LIMIT));
    let inside = Arc::new(AtomicUsize::new(0));
    on_threads(THREADS, |t| {
        let (s, inside) = (s.clone(), inside.clone());
        async move {
            let (s, inside) = (&s, &inside);
            join_all((0..TASKS).map(|k| async move {
                for i in 0..100 {
                    let n = if (t + k + i) % 5 == 0 { 2 } else { 1 };
                    let p = s.acquire_many(n as u32).await.unwrap();
                    let now = inside.fetch_add(n, SeqCst) + n;
                    assert!(now <= LIMIT, "{now} permits held");
                    if i % 4 == 0 {
                        yield_now().await;
                    }
                    inside.fetch_sub(n, SeqCst);
                    drop(p);
                }
            }))
            .await;
        }
    })
    .await;
    assert_eq!(s.available_permits(), LIMIT);
}

pub async fn stress_rwlock_consistency() {
    let l = Arc::new(RwLock::new((0u64, 0u64)));
    on_threads(THREADS, |t| {
        let l = l.clone();
        async move {
            let l = &l;
            join_all((0..TASKS).map(|k| async move {
                for i in 0..150 {
                    if (t + k) % 3 == 0 {
                        let mut w = l.write().await;
                        w.0 += 1;
                        yield_now().await;
                        w.1 += 1;
                        if i % 10 == 0 {
                            let r = w.downgrade();
                            assert_eq!(r.0, r.1);
                        }
                    } else {
                        let r = l.read().await;
                        assert_eq!(r.0, r.1, "torn read");
                    }
                }
            }))
            .await;
        }
    })
    .await;
    let r = l.read().await;
    assert_eq!(r.0, r.1);
}

pub async fn stress_notify_ping_pong() {
    const ROUNDS: usize = 1000;
    let ping = Arc::new(Notify::new());
    let pong = Arc::new(Notify::new());
    let (p2, q2) = (ping.clone(), pong.clone());
    let other = on_thread(async move {
        for _ in 0..ROUNDS {
            p2.notified().await;
            q2.notify_one();
        }
    });
    for _ in 0..ROUNDS {
        ping.notify_one();
        pong.notified().await;
    }
    other.await;
    // notify_waiters against waiters on several threads.
    let n = Arc::new(Notify::new());
    let woken = Arc::new(AtomicUsize::new(0));
    let waiters: Vec<_> = (0..THREADS)
        .map(|_| {
            let (n, woken) = (n.clone(), woken.clone());
            let (ready_tx, ready_rx) = oneshot::channel();
            let done = on_thread(async move {
                let mut f = std::pin::pin!(n.notified());
                f.as_mut().enable();
                ready_tx.send(()).unwrap();
                f.await;
                woken.fetch_add(1, SeqCst);
            });
            (ready_rx, done)
        })
        .collect();
    let mut dones = Vec::new();
    for (ready, done) in waiters {
        ready.await.unwrap();
        dones.push(done);
    }
    n.notify_waiters();
    join_all(dones).await;
    assert_eq!(woken.load(SeqCst), THREADS);
}

pub async fn stress_oneshot_many() {
    let (txs, rxs): (Vec<_>, Vec<_>) = (0..500).map(|_| oneshot::channel::<usize>()).unzip();
    let sender = std::thread::spawn(move || {
        for (i, tx) in txs.into_iter().enumerate() {
            if i % 7 == 0 {
                drop(tx);
            } else {
                tx.send(i).unwrap();
            }
        }
    });
    let results = join_all(rxs).await;
    sender.join().unwrap();
    for (i, r) in results.into_iter().enumerate() {
        if i % 7 == 0 {
            assert!(r.is_err());
        } else {
            assert_eq!(r, Ok(i));
        }
    }
}

pub async fn stress_broadcast_all_see_all() {
    const SENDERS: usize = 2;
    const PER: usize = 300;
    let (tx, rx) = broadcast::channel(SENDERS * PER);
    let receivers: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.resubscribe();
            on_thread(async move {
                let mut got = Vec::new();
                loop {
                    match rx.recv().await {
                        Ok(m) => got.push(m),
                        Err(broadcast::error::RecvError::Closed) => break got,
                        Err(e) => panic!("{e}"),
                    }
                }
            })
        })
        .collect();
    drop(rx);
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for seq in 0..PER {
                    tx.send((s, seq)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    for s in senders {
        s.join().unwrap();
    }
    for got in join_all(receivers).await {
        check_order(&got, SENDERS, PER);
    }
}

pub async fn stress_watch_monotonic() {
    const N: usize = 2000;
    let (tx, rx) = watch::channel(0usize);
    let receivers: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.clone();
            on_thread(async move {
                let mut last = 0;
                while rx.changed().await.is_ok() {
                    let v = *rx.borrow_and_update();
                    assert!(v > last, "went back from {last} to {v}");
                    last = v;
                }
                last
            })
        })
        .collect();
    drop(rx);
    let sender = std::thread::spawn(move || {
        for i in 1..=N {
            if i % 2 == 0 {
                tx.send(i).unwrap();
            } else {
                tx.send_modify(|v| *v = i);
            }
        }
    });
    sender.join().unwrap();
    for last in join_all(receivers).await {
        assert_eq!(last, N, "the final value is always seen");
    }
}

pub async fn stress_barrier_threads() {
    const ROUNDS: usize = 50;
    let b = Arc::new(Barrier::new(THREADS));
    let leaders = Arc::new(AtomicUsize::new(0));
    on_threads(THREADS, |_| {
        let (b, leaders) = (b.clone(), leaders.clone());
        async move {
            for _ in 0..ROUNDS {
                if b.wait().await.is_leader() {
                    leaders.fetch_add(1, SeqCst);
                }
            }
        }
    })
    .await;
    assert_eq!(leaders.load(SeqCst), ROUNDS);
}

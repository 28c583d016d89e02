//! `robin-time` (re-exported as `robin::time`): sleeps never fire early, fire in deadline order,
//! leave no wheel entry behind when dropped; `timeout` both ways; `interval` and its
//! missed-tick behaviours on the paused clock (exact, instant, no real waiting).
use robin_runtime::runtime::Builder;
use robin_test_support::{current_thread, multi_thread, paused};
use robin_time::{self as time, Instant, MissedTickBehavior};
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn hundred_thousand_concurrent_sleeps_all_fire_none_early() {
    let rt = multi_thread(2);
    let early = rt.block_on(async {
        let handles: Vec<_> = (0..100_000u64)
            .map(|i| {
                robin_runtime::spawn(async move {
                    let d = ms(1 + i % 50);
                    let start = std::time::Instant::now();
                    time::sleep(d).await;
                    start.elapsed() < d
                })
            })
            .collect();
        let mut early = 0;
        for h in handles {
            early += h.await.unwrap() as u32;
        }
        early
    });
    assert_eq!(early, 0, "sleeps that returned before their duration");
    rt.block_on(async { assert_eq!(time::num_timers(), 0) });
}

#[test]
fn timers_fire_in_deadline_order() {
    let rt = paused();
    let order = rt.block_on(async {
        let log = Arc::new(Mutex::new(Vec::new()));
        // Deadlines spread over several wheel levels, spawned in scrambled order.
        let deadlines = [5u64, 70_000, 1, 4096, 63, 64, 65, 300, 2, 250_000, 4095];
        let handles: Vec<_> = deadlines
            .iter()
            .map(|&d| {
                let log = log.clone();
                robin_runtime::spawn(async move {
                    time::sleep(ms(d)).await;
                    log.lock().unwrap().push(d);
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        let order = log.lock().unwrap().clone();
        order
    });
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn sleep_on_paused_clock_is_exact() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
        time::advance(ms(1500)).await;
        assert_eq!(start.elapsed(), Duration::from_millis(3_601_500));
    });
}

#[test]
fn dropped_sleeps_leave_no_entry_behind() {
    let rt = current_thread();
    rt.block_on(async {
        let mut sleeps: Vec<_> = (0..1000)
            .map(|i| Box::pin(time::sleep(Duration::from_secs(60 + i))))
            .collect();
        // Poll each once so it is filed in the wheel.
        for s in &mut sleeps {
            let waker = std::task::Waker::noop();
            let mut cx = std::task::Context::from_waker(waker);
            assert!(s.as_mut().poll(&mut cx).is_pending());
        }
        assert_eq!(time::num_timers(), 1000);
        sleeps.truncate(10);
        assert_eq!(time::num_timers(), 10);
        // Resetting keeps exactly one entry per sleep.
        for s in &mut sleeps {
            s.as_mut().reset(Instant::now() + ms(1));
            let waker = std::task::Waker::noop();
            let mut cx = std::task::Context::from_waker(waker);
            let _ = s.as_mut().poll(&mut cx);
        }
        assert!(time::num_timers() <= 10);
        drop(sleeps);
        assert_eq!(time::num_timers(), 0);
    });
}

use std::future::Future as _;

#[test]
fn sleep_reset_moves_the_deadline_both_ways() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut s = Box::pin(time::sleep(ms(100)));
        s.as_mut().reset(start + ms(300));
        s.as_mut().await;
        assert_eq!(start.elapsed(), ms(300));
        // Re-arm a completed sleep, earlier than "now + original".
        s.as_mut().reset(Instant::now() + ms(10));
        assert!(!s.is_elapsed());
        s.as_mut().await;
        assert_eq!(start.elapsed(), ms(310));
    });
}

#[test]
fn timeout_both_ways() {
    let rt = paused();
    rt.block_on(async {
        assert_eq!(time::timeout(ms(10), async { 7 }).await, Ok(7));
        let start = Instant::now();
        let err = time::timeout(ms(10), std::future::pending::<()>())
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "deadline has elapsed");
        assert_eq!(start.elapsed(), ms(10));
        // Completes just before the deadline: Ok.
        let ok = time::timeout(ms(10), time::sleep(ms(9))).await;
        assert!(ok.is_ok());
        // Deadline in the past, ready future: the future wins.
        assert_eq!(
            time::timeout_at(Instant::now() - ms(1), async { 1 }).await,
            Ok(1)
        );
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    });
}

#[test]
fn timeout_fires_even_when_the_inner_future_exhausts_the_budget() {
    let rt = paused();
    rt.block_on(async {
        // An inner future that is always "ready to make progress" but never completes:
        // it wakes itself and returns Pending after spending budget.
        let (tx, mut rx) = robin_sync::mpsc::unbounded_channel::<u32>();
        for i in 0..10_000 {
            tx.send(i).unwrap();
        }
        let drain_forever = async move {
            loop {
                if rx.recv().await.is_none() {
                    std::future::pending::<()>().await;
                }
            }
        };
        let res = time::timeout(ms(5), drain_forever).await;
        assert!(res.is_err());
        drop(tx);
    });
}

/// Runs an interval with period 10 ms on the paused clock: tick at 0, then the task
/// stalls (the clock jumps 37 ms without the task yielding), then collect due times.
fn ticks_after_stall(behavior: MissedTickBehavior, n: usize) -> Vec<u64> {
    let rt = paused();
    rt.block_on(async move {
        let start = Instant::now();
        let mut iv = time::interval(ms(10));
        iv.set_missed_tick_behavior(behavior);
        assert_eq!(iv.missed_tick_behavior(), behavior);
        let mut due = vec![iv.tick().await];
        robin_runtime::runtime::Handle::current();
        robin_runtime_advance(ms(37));
        for _ in 1..n {
            due.push(iv.tick().await);
        }
        due.iter()
            .map(|d| d.duration_since(start).as_millis() as u64)
            .collect()
    })
}

/// Stalls without yielding: moves the paused clock like a busy task would see it.
fn robin_runtime_advance(d: Duration) {
    robin_runtime::runtime::Handle::current();
    robin_runtime::time::advance_clock(d);
}

#[test]
fn interval_burst_catches_up() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Burst, 6),
        vec![0, 10, 20, 30, 40, 50]
    );
}

#[test]
fn interval_delay_shifts_the_schedule() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Delay, 4),
        vec![0, 10, 47, 57]
    );
}

#[test]
fn interval_skip_keeps_the_grid() {
    assert_eq!(
        ticks_after_stall(MissedTickBehavior::Skip, 4),
        vec![0, 10, 40, 50]
    );
}

#[test]
fn interval_ticks_on_schedule_and_reset() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut iv = time::interval_at(start + ms(5), ms(20));
        assert_eq!(iv.period(), ms(20));
        let t: Vec<u64> = {
            let mut v = Vec::new();
            for _ in 0..3 {
                v.push(iv.tick().await.duration_since(start).as_millis() as u64);
            }
            v
        };
        assert_eq!(t, vec![5, 25, 45]);
        iv.reset();
        assert_eq!(iv.tick().await.duration_since(start), ms(65));
        iv.reset_immediately();
        assert_eq!(iv.tick().await.duration_since(start), ms(45 + 20));
    });
}

#[test]
#[should_panic(expected = "period")]
fn interval_zero_period_panics() {
    let rt = paused();
    rt.block_on(async {
        let _ = time::interval(Duration::ZERO);
    });
}

#[test]
fn timers_keep_firing_while_a_worker_is_blocked() {
    // Two workers; one task blocks its worker thread until a sleeping task on the other
    // worker finished: the driver thread, not the workers, runs the timers.
    let rt = multi_thread(2);
    rt.block_on(async {
        let (tx, rx) = std::sync::mpsc::channel();
        let sleeper = robin_runtime::spawn(async move {
            time::sleep(ms(20)).await;
            tx.send(()).unwrap();
        });
        let blocker = robin_runtime::spawn(async move {
            rx.recv_timeout(Duration::from_secs(30))
                .expect("timer fired while a worker was blocked");
        });
        blocker.await.unwrap();
        sleeper.await.unwrap();
    });
}

#[test]
fn sleep_outlives_its_runtime_without_hanging() {
    let rt = multi_thread(1);
    let sleep = {
        let _guard = rt.enter();
        time::sleep(Duration::from_secs(3600))
    };
    drop(rt);
    // Polled outside any runtime after shutdown: completes instead of hanging forever.
    futures::executor::block_on(sleep);
}

#[test]
fn time_driver_disabled_is_a_clear_error() {
    let rt = Builder::new_current_thread().build().unwrap();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async { time::sleep(ms(1)).await });
    }))
    .unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("enable_time"), "{msg}");
}

#[test]
fn paused_clock_needs_current_thread() {
    let err = Builder::new_multi_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn paused_clock_does_not_advance_during_blocking_work() {
    // A one-hour timer races a blocking job that takes real time: with the paused clock,
    // the runtime must not jump to the timer while the job is still running (tokio
    // semantics), so the job wins and virtual time stays put.
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut sleep = Box::pin(time::sleep(Duration::from_secs(3600)));
        let mut job = robin_runtime::task::spawn_blocking(|| {
            std::thread::sleep(ms(20));
            7
        });
        let out = std::future::poll_fn(|cx| {
            if let std::task::Poll::Ready(v) = std::pin::Pin::new(&mut job).poll(cx) {
                return std::task::Poll::Ready(Ok(v.unwrap()));
            }
            if sleep.as_mut().poll(cx).is_ready() {
                return std::task::Poll::Ready(Err(()));
            }
            std::task::Poll::Pending
        })
        .await;
        assert_eq!(out, Ok(7), "the clock jumped past blocking work");
        assert_eq!(start.elapsed(), Duration::ZERO);
    });
}

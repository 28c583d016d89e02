//! The scheduler example on a paused clock: exact run counts per missed-tick behaviour.
use robin::time::{sleep, MissedTickBehavior};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[path = "../examples/scheduler.rs"]
#[allow(dead_code)]
mod scheduler;

const MS: Duration = Duration::from_millis(1);

#[robin::test(start_paused = true)]
async fn a_job_runs_once_per_period() {
    let mut s = scheduler::Scheduler::new();
    let job = s.every(10 * MS, MissedTickBehavior::Burst, |_| async {});
    // Runs at 0, 10, ..., 1000.
    sleep(1005 * MS).await;
    assert_eq!(job.runs(), 101);
    s.shutdown().await;
    assert_eq!(job.runs(), 101);
}

/// Period 10 ms; the first run takes 35 ms, the others none. Counted at t = 105 ms.
async fn runs_with_one_overrun(missed: MissedTickBehavior) -> u64 {
    let mut s = scheduler::Scheduler::new();
    let job = s.every(10 * MS, missed, |n| async move {
        if n == 0 {
            sleep(35 * MS).await;
        }
    });
    sleep(105 * MS).await;
    let runs = job.runs();
    s.shutdown().await;
    runs
}

#[robin::test(start_paused = true)]
async fn burst_catches_up_on_missed_ticks() {
    // 0, then 10/20/30 all at 35, then 40..=100: every one of the 11 ticks.
    assert_eq!(runs_with_one_overrun(MissedTickBehavior::Burst).await, 11);
}

#[robin::test(start_paused = true)]
async fn delay_shifts_the_schedule() {
    // 0, 35, then every 10 ms from there: 45, ..., 95.
    assert_eq!(runs_with_one_overrun(MissedTickBehavior::Delay).await, 8);
}

#[robin::test(start_paused = true)]
async fn skip_drops_missed_ticks() {
    // 0, 35 (for 10), then back on the original grid: 40, ..., 100.
    assert_eq!(runs_with_one_overrun(MissedTickBehavior::Skip).await, 9);
}

/// A blocking job runs off the runtime thread. The paused clock auto-advances whenever the
/// runtime is idle, including while a blocking run is in progress, so the test steps the
/// clock itself and waits for each run to finish (a wait without a timer, which the clock
/// cannot skip) before moving on.
#[robin::test(start_paused = true)]
async fn a_blocking_job_runs_on_the_blocking_pool() {
    let mut s = scheduler::Scheduler::new();
    let done = Arc::new(AtomicU64::new(0));
    let main_thread = std::thread::current().id();
    let start = robin::time::Instant::now();
    let mut job = s.every_blocking(20 * MS, MissedTickBehavior::Skip, {
        let done = done.clone();
        move |_| {
            assert_ne!(
                std::thread::current().id(),
                main_thread,
                "ran on the runtime thread"
            );
            done.fetch_add(1, Ordering::SeqCst);
        }
    });
    for k in 1..=6u64 {
        // The run at (k - 1) * 20 ms has finished; then step to just past it.
        job.wait_finished(k).await;
        assert_eq!(job.runs(), k);
        robin::time::sleep_until(start + Duration::from_millis(20 * k - 15)).await;
    }
    // Runs at 0, 20, ..., 100 and waiting for 120.
    assert_eq!(job.runs(), 6);
    s.shutdown().await;
    assert_eq!(job.finished(), 6);
    assert_eq!(done.load(Ordering::SeqCst), 6);
}

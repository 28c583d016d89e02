//! A job scheduler: each job runs on its own interval with its own `MissedTickBehavior`.
//! Async jobs run on the job's task; blocking jobs (CPU work, blocking syscalls) go to
//! `spawn_blocking` so they never stall a worker. A run that overruns its period is what
//! the missed-tick behaviour is about: `Burst` catches up, `Delay` shifts the schedule,
//! `Skip` drops the missed ticks.
//!
//! ```text
//! cargo run --example scheduler
//! ```
//!
//! `tests/scheduler.rs` includes this file and checks exact tick counts on a paused clock.
use robin::sync::{broadcast, watch};
use robin::task::JoinSet;
use robin::time::{interval, MissedTickBehavior};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

type AsyncJob = Box<dyn Fn(u64) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;
type BlockingJob = Arc<dyn Fn(u64) + Send + Sync>;

enum Work {
    Async(AsyncJob),
    Blocking(BlockingJob),
}

/// A job's counters: runs started, and runs finished (which can be awaited).
#[derive(Debug, Clone)]
pub struct JobStats {
    started: Arc<AtomicU64>,
    finished: watch::Receiver<u64>,
}

impl JobStats {
    /// Runs started so far.
    pub fn runs(&self) -> u64 {
        // Relaxed: a plain counter, read after the job task is quiescent.
        self.started.load(Ordering::Relaxed)
    }

    /// Runs finished so far.
    pub fn finished(&self) -> u64 {
        *self.finished.borrow()
    }

    /// Waits until `n` runs have finished (the job is waiting for its next tick by then).
    pub async fn wait_finished(&mut self, n: u64) {
        let _ = self.finished.wait_for(|&done| done >= n).await;
    }
}

/// Jobs and the tasks running them.
pub struct Scheduler {
    jobs: JoinSet<()>,
    stop: broadcast::Sender<()>,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduler")
            .field("jobs", &self.jobs.len())
            .finish()
    }
}

impl Default for Scheduler {
    fn default() -> Self {
        Scheduler::new()
    }
}

impl Scheduler {
    /// An empty scheduler (call inside a robin runtime).
    pub fn new() -> Scheduler {
        Scheduler {
            jobs: JoinSet::new(),
            stop: broadcast::channel(1).0,
        }
    }

    /// Runs `job(run_number)` every `period` (first run now) on its own task.
    pub fn every<F, Fut>(
        &mut self,
        period: Duration,
        missed: MissedTickBehavior,
        job: F,
    ) -> JobStats
    where
        F: Fn(u64) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.add(
            period,
            missed,
            Work::Async(Box::new(move |n| Box::pin(job(n)))),
        )
    }

    /// Runs the blocking `job(run_number)` every `period` on the blocking pool.
    pub fn every_blocking<F>(
        &mut self,
        period: Duration,
        missed: MissedTickBehavior,
        job: F,
    ) -> JobStats
    where
        F: Fn(u64) + Send + Sync + 'static,
    {
        self.add(period, missed, Work::Blocking(Arc::new(job)))
    }

    fn add(&mut self, period: Duration, missed: MissedTickBehavior, work: Work) -> JobStats {
        let (finished_tx, finished) = watch::channel(0);
        let stats = JobStats {
            started: Arc::default(),
            finished,
        };
        let runs = stats.started.clone();
        let mut stop = self.stop.subscribe();
        self.jobs.spawn(async move {
            let mut ticks = interval(period);
            ticks.set_missed_tick_behavior(missed);
            loop {
                robin::select! {
                    _ = ticks.tick() => {}
                    _ = stop.recv() => return,
                }
                let n = runs.fetch_add(1, Ordering::Relaxed);
                match &work {
                    Work::Async(job) => job(n).await,
                    Work::Blocking(job) => {
                        let job = job.clone();
                        // A panicking job is reported, and the schedule goes on.
                        if let Err(err) = robin::task::spawn_blocking(move || job(n)).await {
                            eprintln!("blocking job run {n} failed: {err}");
                        }
                    }
                }
                // Announced before the next `tick()` is polled, in the same poll: whoever
                // waits for this sees the job already waiting on its timer.
                finished_tx.send_replace(n + 1);
            }
        });
        stats
    }

    /// Stops every job (a run in progress finishes first) and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(());
        while self.jobs.join_next().await.is_some() {}
    }
}

#[allow(dead_code)] // `tests/scheduler.rs` includes this file; `main` is unused there.
#[robin::main]
async fn main() {
    let mut scheduler = Scheduler::new();
    let start = robin::time::Instant::now();
    let heartbeat = scheduler.every(
        Duration::from_millis(100),
        MissedTickBehavior::Burst,
        move |n| async move {
            println!("{:>5?} heartbeat #{n}", start.elapsed());
        },
    );
    let report = scheduler.every_blocking(
        Duration::from_millis(250),
        MissedTickBehavior::Skip,
        move |n| {
            // Stands in for blocking work (a file scan, a compression pass).
            std::thread::sleep(Duration::from_millis(300));
            println!(
                "{:>5?} report #{n} (overran its period: Skip drops the missed tick)",
                start.elapsed()
            );
        },
    );
    robin::time::sleep(Duration::from_secs(1)).await;
    scheduler.shutdown().await;
    println!(
        "heartbeats: {}, reports: {}",
        heartbeat.runs(),
        report.runs()
    );
}

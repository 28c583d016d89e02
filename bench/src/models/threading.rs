//! The threading models: one OS thread per unit ([`run_per_unit`]), or a fixed pool of OS
//! threads sized to the cores fed through a job queue ([`ThreadPool`], [`run_pool`]). Both run
//! the blocking (std I/O) version of the unit code.
//!
//! Also [`Gate`]: parks any number of threads until released, used to hold units alive while
//! memory is measured.

use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Runs `f(i)` for `i in 0..n`, each on its own freshly spawned OS thread (default stack size),
/// and joins them all. If a spawn fails, already spawned threads are joined and the error says
/// how many threads were running.
pub fn run_per_unit<T, F>(n: usize, f: Arc<F>) -> Result<Vec<T>, String>
where
    F: Fn(usize) -> Result<T, String> + Send + Sync + 'static,
    T: Send + 'static,
{
    let mut handles = Vec::with_capacity(n);
    let mut spawn_error = None;
    for i in 0..n {
        let f = Arc::clone(&f);
        match thread::Builder::new().spawn(move || f(i)) {
            Ok(h) => handles.push(h),
            Err(e) => {
                spawn_error = Some(format!("thread spawn failed with {i} threads running: {e}"));
                break;
            }
        }
    }
    let mut out = Vec::with_capacity(handles.len());
    let mut first_err = None;
    for h in handles {
        match h.join() {
            Ok(Ok(v)) => out.push(v),
            Ok(Err(e)) => first_err = first_err.or(Some(e)),
            Err(_) => first_err = first_err.or(Some("unit thread panicked".to_string())),
        }
    }
    match spawn_error.or(first_err) {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// A fixed pool of OS threads taking boxed jobs from one shared queue (an `mpsc` channel
/// behind a mutex), like Python's `ThreadPoolExecutor`. Dropping it closes the queue and joins
/// the threads.
#[derive(Debug)]
pub struct ThreadPool {
    tx: Option<mpsc::Sender<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl ThreadPool {
    /// Starts `size` threads.
    pub fn new(size: usize) -> Result<ThreadPool, String> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut pool = ThreadPool {
            tx: Some(tx),
            threads: Vec::with_capacity(size),
        };
        for i in 0..size {
            let rx = Arc::clone(&rx);
            let t = thread::Builder::new()
                .name(format!("pool-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                })
                .map_err(|e| format!("pool thread spawn failed: {e}"))?;
            pool.threads.push(t);
        }
        Ok(pool)
    }

    /// Queues a job.
    pub fn execute(&self, job: impl FnOnce() + Send + 'static) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Box::new(job));
        }
    }
}

impl Drop for ThreadPool {
    fn drop(&mut self) {
        self.tx = None;
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Runs `f(i)` for `i in 0..n` as jobs on a fresh pool of `size` threads; bounded by `limit`.
/// Results come back in unit order.
pub fn run_pool<T, F>(size: usize, n: usize, limit: Duration, f: Arc<F>) -> Result<Vec<T>, String>
where
    F: Fn(usize) -> Result<T, String> + Send + Sync + 'static,
    T: Send + 'static,
{
    let pool = ThreadPool::new(size)?;
    let (tx, rx) = mpsc::channel();
    for i in 0..n {
        let (f, tx) = (Arc::clone(&f), tx.clone());
        pool.execute(move || {
            let _ = tx.send((i, f(i)));
        });
    }
    drop(tx);
    let deadline = Instant::now() + limit;
    let mut out: Vec<Option<T>> = (0..n).map(|_| None).collect();
    for _ in 0..n {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((i, r)) => out[i] = Some(r?),
            // The jobs are bounded (socket timeouts), so dropping the pool still terminates.
            Err(e) => return Err(format!("thread pool: {e} after {limit:?}")),
        }
    }
    drop(pool);
    Ok(out.into_iter().flatten().collect())
}

/// Holds threads until released: each unit calls [`Gate::arrive_and_wait`]; the controller
/// waits for `n` arrivals with [`Gate::wait_arrivals`], measures, then [`Gate::release`]s.
/// Arrivals notify only the controller's condvar, so n arrivals cost O(n) wakeups.
#[derive(Debug, Default)]
pub struct Gate {
    state: Mutex<(usize, bool)>,
    arrived: Condvar,
    released: Condvar,
}

impl Gate {
    /// Counts this unit as arrived and blocks until released.
    pub fn arrive_and_wait(&self) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.0 += 1;
        self.arrived.notify_one();
        while !s.1 {
            s = self.released.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Waits until `n` units arrived or `limit` passed; returns the arrival count.
    pub fn wait_arrivals(&self, n: usize, limit: Duration) -> usize {
        let deadline = Instant::now() + limit;
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while s.0 < n {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            s = self
                .arrived
                .wait_timeout(s, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        s.0
    }

    /// Releases every waiting and future unit.
    pub fn release(&self) {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1 = true;
        self.released.notify_all();
    }
}

//! Helpers shared by the tests of several robin crates (a dev-dependency only, never
//! published): the runtimes the tests build over and over, the open-file limit, and a
//! watchdog that turns a hang into a loud failure; and [`chat::RoomCheck`], the check both
//! chat tests make.
//!
//! It owns no runtime behaviour: every function here only calls robin-runtime's public
//! `Builder` or the C library. It may import robin-runtime and libc, nothing of robin's
//! other crates (so every crate's tests can depend on it without a cycle).
#![warn(missing_docs)]

pub mod chat;

use robin_runtime::runtime::{Builder, Runtime, RuntimeMetrics};
use std::sync::mpsc;
use std::time::Duration;

/// A current-thread runtime with every driver enabled.
pub fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build a current-thread runtime")
}

/// A multi-thread runtime with `workers` workers and every driver enabled.
pub fn multi_thread(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("build a multi-thread runtime")
}

/// One runtime of each flavor, every driver enabled: a current-thread one and a
/// multi-thread one with two workers. Tests run the same scenario on both.
pub fn both_flavors() -> [Runtime; 2] {
    [current_thread(), multi_thread(2)]
}

/// A current-thread runtime with the time driver only, whose clock starts paused.
pub fn paused_time_only() -> Runtime {
    Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("build a paused current-thread runtime")
}

/// A current-thread runtime with every driver enabled, whose clock starts paused.
pub fn paused() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("build a paused current-thread runtime")
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the new soft limit (the old
/// one if it could not be raised).
pub fn raise_nofile_limit() -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit` for the duration of the call.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    assert_eq!(rc, 0, "getrlimit failed");
    if lim.rlim_cur < lim.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: lim.rlim_max,
            rlim_max: lim.rlim_max,
        };
        // SAFETY: `raised` is a valid `rlimit`; raising the soft limit up to the hard
        // limit needs no privilege.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            return raised.rlim_cur;
        }
    }
    lim.rlim_cur
}

/// Aborts the whole test process if it is still running after `secs` seconds: a hang
/// becomes a loud failure instead of a stuck CI job. Disarmed when the guard drops.
#[derive(Debug)]
pub struct Watchdog {
    _disarm: mpsc::Sender<()>,
}

/// Arms a [`Watchdog`] for test `name`: keep the guard alive for the test's whole body.
pub fn watchdog(name: &'static str, secs: u64) -> Watchdog {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(Duration::from_secs(secs)) {
            eprintln!("test {name} still running after {secs} s: aborting");
            std::process::abort();
        }
    });
    Watchdog { _disarm: tx }
}

/// The runtime's alive-task count once it has settled: polls for up to 10 s until it reads
/// 0 and returns the last value read.
///
/// A joined task is not "exited" the instant its `JoinHandle` returns: on a multi-thread
/// runtime the worker that completes it publishes the completion first and releases the
/// task from the runtime's list just after, so a joiner polled on another worker in
/// between takes the output while the task still counts (tokio orders it the same way, and
/// its own metrics tests wait the same way). A test that asserts no task leaked reads the count through this, so
/// a leak still fails (the count stays above 0) but that window does not.
pub fn settled_alive_tasks(metrics: &RuntimeMetrics) -> usize {
    let mut alive = metrics.num_alive_tasks();
    for _ in 0..1_000 {
        if alive == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
        alive = metrics.num_alive_tasks();
    }
    alive
}

//! Helpers shared by the integration tests: runtimes, a hang watchdog, the fd limit.
#![allow(dead_code)]

use robin_runtime::runtime::{Builder, Runtime};
use std::sync::mpsc;
use std::time::Duration;

/// A multi-thread runtime with `workers` workers and every driver enabled.
pub fn rt(workers: usize) -> Runtime {
    Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("build runtime")
}

/// Aborts the whole test process if it is still running after `secs` seconds: a hang
/// becomes a loud failure instead of a stuck CI job. Disarmed when the guard drops.
pub struct Watchdog {
    _disarm: mpsc::Sender<()>,
}

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

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the new soft limit.
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

/// The byte at offset `i` of connection `conn`'s payload.
pub fn pattern(conn: usize, i: usize) -> u8 {
    ((conn * 31 + i * 7) % 251) as u8
}

//! Helpers shared by the fault tests: the fd limit, fd counting, a hang watchdog.
#![allow(dead_code)]

use std::sync::mpsc;
use std::time::Duration;

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

/// The number of open descriptors of this process (entries of `/proc/self/fd`; the
/// directory's own descriptor is counted every time, so counts compare).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("read /proc/self/fd")
        .count()
}

/// Waits (bounded) until the open-descriptor count is back to `baseline`; returns the
/// last count seen. Closing is synchronous in robin, but a just-exited thread's
/// descriptors (none expected) would be given a moment.
pub fn fds_settle_to(baseline: usize) -> usize {
    let mut now = open_fds();
    for _ in 0..100 {
        if now <= baseline {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
        now = open_fds();
    }
    now
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

//! Helpers shared by the fault tests: the fd limit, fd counting, a hang watchdog.
#![allow(dead_code, unused_imports)]

use std::time::Duration;

/// The fd limit and the hang watchdog (shared with robin-net's tests).
pub use robin_test_support::{raise_nofile_limit, watchdog, Watchdog};

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

//! Helpers shared by the integration tests: runtimes, a hang watchdog, the fd limit.
#![allow(dead_code, unused_imports)]

/// A multi-thread runtime with `workers` workers and every driver enabled; the hang
/// watchdog and the fd limit (shared with the facade's fault tests).
pub use robin_test_support::{multi_thread as rt, raise_nofile_limit, watchdog, Watchdog};

/// The byte at offset `i` of connection `conn`'s payload.
pub fn pattern(conn: usize, i: usize) -> u8 {
    ((conn * 31 + i * 7) % 251) as u8
}

//! The signal `UnhandledPanic::ShutdownRuntime` fires: a spawned task panicked and the
//! runtime shut itself down, so every `block_on` of the runtime must panic (tokio's
//! documented behaviour), including one parked waiting for a future that will never be
//! woken now.
//!
//! Owns a sticky flag and the wakers of the `block_on` calls in flight; imports nothing
//! from the crate (std's `Mutex`: a rare, short critical section no model explores).
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::Waker;

/// What `block_on` panics with once the runtime shut down on a task's panic (tokio's
/// wording).
pub(crate) const PANIC_SHUTDOWN_MESSAGE: &str =
    "a spawned task panicked and the runtime is configured to shut down on unhandled panic";

/// Fired once by the `ShutdownRuntime` policy; watched by every `block_on`.
#[derive(Default)]
pub(crate) struct PanicShutdown {
    fired: AtomicBool,
    /// The `block_on` calls waiting: (registration key, their waker).
    waiters: Mutex<Vec<(u64, Waker)>>,
    next_key: std::sync::atomic::AtomicU64,
}

impl PanicShutdown {
    /// Whether the runtime shut down because a task panicked.
    pub(crate) fn is_fired(&self) -> bool {
        // Acquire: pairs with `fire`'s release, so what the shutdown did is visible.
        self.fired.load(Ordering::Acquire)
    }

    /// The runtime has shut down on a panic: wakes every `block_on` so it panics.
    pub(crate) fn fire(&self) {
        self.fired.store(true, Ordering::Release);
        let waiters = std::mem::take(&mut *self.waiters.lock().unwrap());
        for (_, waker) in waiters {
            waker.wake();
        }
    }

    /// Registers (or refreshes, under `key`) the waker of a `block_on` in flight; returns
    /// its key. The flag is checked after registering, so a `fire` in between is seen.
    pub(crate) fn register(&self, key: Option<u64>, waker: &Waker) -> u64 {
        let mut waiters = self.waiters.lock().unwrap();
        let key = match key {
            Some(key) => key,
            None => self.next_key.fetch_add(1, Ordering::Relaxed),
        };
        match waiters.iter_mut().find(|(k, _)| *k == key) {
            Some((_, w)) => w.clone_from(waker),
            None => waiters.push((key, waker.clone())),
        }
        key
    }

    /// The `block_on` registered under `key` returned.
    pub(crate) fn deregister(&self, key: u64) {
        self.waiters.lock().unwrap().retain(|(k, _)| *k != key);
    }
}

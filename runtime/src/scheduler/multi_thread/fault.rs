//! Fault injection for the unit tests of supervision (`supervision_tests.rs`): test builds
//! only. A [`Fault`] armed with a runtime's id makes the next loop step of that runtime's
//! worker (or monitor, or driver thread) panic, once; other runtimes of the test process are not touched.
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};

/// One injection point: the id of the runtime to fail, 0 while disarmed.
pub(crate) struct Fault(AtomicU64);

/// Fires in a worker's run loop, between two steps.
pub(crate) static WORKER: Fault = Fault(AtomicU64::new(0));
/// Fires in the monitor loop, at the start of a round.
pub(crate) static MONITOR: Fault = Fault(AtomicU64::new(0));
/// Fires in the driver thread's loop, before a turn.
pub(crate) static DRIVER: Fault = Fault(AtomicU64::new(0));

impl Fault {
    // Only the supervision tests arm faults, and they do not run under loom.
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn arm(&self, runtime: u64) {
        self.0.store(runtime, SeqCst);
    }

    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn is_armed(&self) -> bool {
        self.0.load(SeqCst) != 0
    }

    /// Panics if armed for `runtime`, disarming itself first.
    pub(crate) fn hit(&self, runtime: u64, what: &str) {
        if self.0.load(SeqCst) == runtime
            && self.0.compare_exchange(runtime, 0, SeqCst, SeqCst).is_ok()
        {
            panic!("injected fault in {what}");
        }
    }
}

//! Task ids: unique for the life of the process.
//!
//! Which task is running is the thread context's business (`context.rs`); the public
//! `task::id()` / `task::try_id()` read it there (`api/spawn.rs`).
use std::fmt;
use std::num::NonZeroU64;

/// An opaque id that identifies a task uniquely among all tasks of the process.
///
/// Ids are never reused, so one can be kept as a key after its task completes.
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        static NEXT: crate::loom::counter::AtomicU64 = crate::loom::counter::AtomicU64::new(1);
        let n = NEXT.fetch_add(1, crate::loom::counter::Relaxed);
        Id(NonZeroU64::new(n).expect("task id counter wrapped"))
    }

    pub(crate) fn from_u64(n: u64) -> Option<Id> {
        NonZeroU64::new(n).map(Id)
    }

    /// The id as a number, for logs and metrics.
    pub fn as_u64(&self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

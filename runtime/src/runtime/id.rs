//! `runtime::Id`: an opaque id that tells runtimes apart.
//!
//! Layer: runtime. Imports nothing from the crate (the id is assigned at build and kept
//! in the scheduler's `Config`).
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// An opaque id that uniquely identifies a runtime among all runtimes of the process
/// (ids are not reused). Get it from [`Handle::id`](super::Handle::id).
///
/// ```
/// use robin_runtime::runtime::Runtime;
/// let a = Runtime::new().unwrap();
/// let b = Runtime::new().unwrap();
/// assert_eq!(a.handle().id(), a.handle().clone().id());
/// assert_ne!(a.handle().id(), b.handle().id());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(NonZeroU64);

impl Id {
    /// A fresh id (at `Builder::build`).
    pub(crate) fn next_raw() -> NonZeroU64 {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        // Relaxed: only uniqueness matters, which the RMW gives.
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        NonZeroU64::new(id).expect("runtime ids exhausted")
    }

    pub(crate) fn from_raw(raw: NonZeroU64) -> Id {
        Id(raw)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

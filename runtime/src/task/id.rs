//! Task ids: unique for the life of the process, and the "current task" thread-local.
use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;

/// An opaque id that identifies a task uniquely among all tasks of the process.
///
/// Ids are never reused, so one can be kept as a key after its task completes.
#[derive(Clone, Copy, Debug, Hash, Eq, PartialEq, Ord, PartialOrd)]
pub struct Id(NonZeroU64);

impl Id {
    pub(crate) fn next() -> Id {
        // A plain unique counter: it orders nothing, so it stays outside loom's model.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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

thread_local! {
    static CURRENT: Cell<Option<Id>> = const { Cell::new(None) };
}

/// Sets the current task id for the duration of a poll.
pub(super) struct CurrentGuard(Option<Id>);

impl CurrentGuard {
    pub(super) fn enter(id: Id) -> CurrentGuard {
        CurrentGuard(CURRENT.try_with(|c| c.replace(Some(id))).unwrap_or(None))
    }
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let prev = self.0;
        let _ = CURRENT.try_with(|c| c.set(prev));
    }
}

/// The id of the task being polled on this thread.
///
/// # Panics
/// When called outside a task (use [`try_id`] there).
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let handle = rt.spawn(async { robin_runtime::task::id() });
/// let id = handle.id();
/// assert_eq!(rt.block_on(handle).unwrap(), id);
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("robin::task::id() called outside of a task")
}

/// The id of the task being polled on this thread, or `None` outside a task.
pub fn try_id() -> Option<Id> {
    CURRENT.try_with(|c| c.get()).unwrap_or(None)
}

//! What task dumps read besides the state word: a wait-site tag and an idle timestamp
//! in each task header, a coarse process-wide clock, and the per-task snapshot.
//!
//! Layer: engine (imports `loom` only). The tags are written by the code that hands a
//! task's waker to robin's own wait sites (the timer and I/O futures in `runtime`, the
//! `JoinHandle` here); the clock is refreshed by the schedulers. Everything is `Relaxed`:
//! these are diagnostics, read without stopping the task, and a dump says which of its
//! fields may be stale.
//!
//! Cost when no dump is taken: a poll stores one word (clears the tag) before it polls
//! and one (the idle timestamp) when it returns `Pending`, both into the task header the
//! poll is already writing; a wait site stores one word. No clock is read per poll: the
//! timestamp is the coarse clock, which the multi-thread monitor refreshes every
//! millisecond and every scheduler refreshes when it unparks (and every
//! `GLOBAL_QUEUE_INTERVAL` ticks on a current-thread runtime).
use super::raw::Header;
use super::{waker, Id, Task};
use crate::loom::counter::{AtomicU32, AtomicU64, Relaxed};
use std::ptr::NonNull;
use std::sync::OnceLock;
use std::task::Waker;
use std::time::{Duration, Instant};

/// The origin of the coarse clock and of stored deadlines.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Milliseconds since [`epoch`] at the last refresh, plus one (0: never refreshed).
static COARSE_NOW: AtomicU64 = AtomicU64::new(0);

fn millis_since_epoch(at: Instant) -> u64 {
    at.saturating_duration_since(epoch()).as_millis() as u64
}

/// Refreshes the coarse clock with `now` (a time the caller read anyway).
pub(crate) fn refresh_clock(now: Instant) {
    COARSE_NOW.store(millis_since_epoch(now) + 1, Relaxed);
}

/// A wait site, as stored in a task header's tag word: 3 bits of kind, 61 of data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WaitTag {
    /// No robin wait site took the task's waker in its latest poll.
    Other,
    /// A timer wheel entry, with its deadline.
    Timer(Instant),
    /// I/O readiness: readable, writable.
    Io { readable: bool, writable: bool },
    /// The `JoinHandle` of task `Id`.
    Join(Id),
}

const KIND_BITS: u32 = 3;
const KIND_MASK: u64 = (1 << KIND_BITS) - 1;
const OTHER: u64 = 0;
const TIMER: u64 = 1;
const IO: u64 = 2;
const JOIN: u64 = 3;

impl WaitTag {
    fn encode(self) -> u64 {
        match self {
            WaitTag::Other => OTHER,
            WaitTag::Timer(deadline) => (millis_since_epoch(deadline) << KIND_BITS) | TIMER,
            WaitTag::Io { readable, writable } => {
                (((readable as u64) | ((writable as u64) << 1)) << KIND_BITS) | IO
            }
            WaitTag::Join(id) => (id.as_u64() << KIND_BITS) | JOIN,
        }
    }

    fn decode(word: u64) -> WaitTag {
        let data = word >> KIND_BITS;
        match word & KIND_MASK {
            TIMER => WaitTag::Timer(epoch() + Duration::from_millis(data)),
            IO => WaitTag::Io {
                readable: data & 1 != 0,
                writable: data & 2 != 0,
            },
            JOIN => match Id::from_u64(data) {
                Some(id) => WaitTag::Join(id),
                None => WaitTag::Other,
            },
            _ => WaitTag::Other,
        }
    }
}

/// The wait-site tag word of one task header.
pub(crate) struct Diag {
    wait: AtomicU64,
}

/// When a task last returned `Pending`: the low 32 bits of the coarse clock (0: never).
/// 32 bits so that it shares a header word with the owned-list key (`raw.rs`, size
/// note); read with wrapping arithmetic, so it is right for idle times under 49 days.
pub(crate) struct IdleSince(AtomicU32);

impl IdleSince {
    pub(crate) fn new() -> IdleSince {
        IdleSince(AtomicU32::new(0))
    }

    /// The poll returned `Pending` (called before the state transition publishes it).
    #[inline]
    pub(super) fn poll_pending(&self) {
        // 0 means "never": a clock value whose low bits are 0 is stored as 1 (1 ms off).
        let now = (COARSE_NOW.load(Relaxed) as u32).max(1);
        self.0.store(now, Relaxed);
    }

    /// How long before the coarse time `now` (as stored: +1, low 32 bits) the task went
    /// idle; `None` if it never returned `Pending`.
    fn idle_for_millis(&self, now: u64) -> Option<u64> {
        match self.0.load(Relaxed) {
            0 => None,
            since => Some(u64::from((now as u32).wrapping_sub(since))),
        }
    }
}

impl Diag {
    pub(crate) fn new() -> Diag {
        Diag {
            wait: AtomicU64::new(OTHER),
        }
    }

    /// A poll starts: the tags of the previous poll no longer describe the task.
    #[inline]
    pub(super) fn poll_started(&self) {
        self.wait.store(OTHER, Relaxed);
    }
}

/// Records that a robin wait site took `waker` (when it is a task waker; others are
/// ignored). Call it where the site stores the waker, from the task's poll.
#[inline]
pub(crate) fn tag(waker: &Waker, site: WaitTag) {
    if let Some(header) = waker::task_header(waker) {
        // SAFETY: a task waker keeps its task allocation alive (it owns a reference, or
        // is the poll's borrowed waker, whose poller does), and the header is only ever
        // accessed through shared references.
        let header: &Header = unsafe { header_ref(header, waker) };
        header.diag.wait.store(site.encode(), Relaxed);
    }
}

/// # Safety
/// `header` is the task of the live task waker `_waker` (which bounds the lifetime).
unsafe fn header_ref(header: NonNull<Header>, _waker: &Waker) -> &Header {
    // SAFETY: forwarded from the caller.
    unsafe { header.as_ref() }
}

/// One task's state at the instant its state word was read.
#[derive(Clone, Debug)]
pub(crate) struct TaskSnapshot {
    pub(crate) id: Id,
    pub(crate) name: Option<std::sync::Arc<str>>,
    pub(crate) location: &'static std::panic::Location<'static>,
    pub(crate) running: bool,
    pub(crate) notified: bool,
    pub(crate) complete: bool,
    pub(crate) lost: bool,
    /// How long it has been idle (coarse), when idle and the clock ran.
    pub(crate) idle_for: Option<Duration>,
    pub(crate) wait: WaitTag,
}

impl TaskSnapshot {
    /// Reads `task` (the caller's reference keeps it alive), with `now` the dump's time.
    pub(crate) fn of(task: &Task, now: Instant) -> TaskSnapshot {
        let header = task.header();
        let state = header.state.load();
        // Read after the state word (Acquire): the tag and the timestamp written before
        // the `Pending` transition are visible; later ones may be too (stale-newer).
        let wait = WaitTag::decode(header.diag.wait.load(Relaxed));
        let idle = !state.is_running() && !state.is_notified() && !state.is_complete();
        // The dump's own time on the coarse scale (+1, as the clock stores it).
        let now_coarse = millis_since_epoch(now) + 1;
        let idle_for = header
            .idle_since
            .idle_for_millis(now_coarse)
            .filter(|_| idle)
            .map(Duration::from_millis);
        TaskSnapshot {
            id: header.id,
            name: header.meta.name().cloned(),
            location: header.meta.location,
            running: state.is_running(),
            notified: state.is_notified(),
            complete: state.is_complete(),
            lost: state.is_lost(),
            idle_for,
            wait,
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        let deadline = epoch() + Duration::from_millis(1234);
        for tag in [
            WaitTag::Other,
            WaitTag::Timer(deadline),
            WaitTag::Io {
                readable: true,
                writable: false,
            },
            WaitTag::Io {
                readable: true,
                writable: true,
            },
            WaitTag::Join(Id::next()),
        ] {
            assert_eq!(WaitTag::decode(tag.encode()), tag);
        }
    }
}

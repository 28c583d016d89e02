//! `Ready`: a set of readiness flags (tokio's `tokio::io::Ready`, public as
//! `robin::io::Ready`), and `ReadyEvent`: a readiness observation with the tick it was
//! observed at. Imports nothing of the crate but the driver's `Interest`.
use super::Interest;
use std::fmt;
use std::ops;

/// `PRIORITY`'s bit, named on every platform (the constant exists only where epoll does).
pub(crate) const PRIORITY_BIT: u8 = 1 << 5;

/// A set of readiness states of an I/O resource (tokio's `Ready`).
///
/// ```
/// use robin_runtime::io::Ready;
/// let ready = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(ready.is_readable() && ready.is_read_closed());
/// assert!(!ready.is_writable());
/// assert!((ready - Ready::READABLE).is_read_closed());
/// assert!(Ready::EMPTY.is_empty());
/// assert!(Ready::ALL.is_error() && Ready::ALL.is_write_closed());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Ready(u8);

impl Ready {
    /// No readiness.
    pub const EMPTY: Ready = Ready(0);
    /// Readable.
    pub const READABLE: Ready = Ready(1 << 0);
    /// Writable.
    pub const WRITABLE: Ready = Ready(1 << 1);
    /// The read side was closed by the peer (read returns 0 from now on).
    pub const READ_CLOSED: Ready = Ready(1 << 2);
    /// The write side was closed (writes fail from now on).
    pub const WRITE_CLOSED: Ready = Ready(1 << 3);
    /// An error is pending on the resource.
    pub const ERROR: Ready = Ready(1 << 4);
    /// Priority (out-of-band) data is available: `EPOLLPRI` (Linux and Android).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Ready = Ready(PRIORITY_BIT);
    /// Every readiness state.
    pub const ALL: Ready = Ready(0b11_1111);

    pub(crate) fn from_event(event: &mio::event::Event) -> Ready {
        let mut ready = Ready::EMPTY;
        if event.is_readable() {
            ready |= Ready::READABLE;
        }
        if event.is_writable() {
            ready |= Ready::WRITABLE;
        }
        if event.is_read_closed() {
            ready |= Ready::READ_CLOSED;
        }
        if event.is_write_closed() {
            ready |= Ready::WRITE_CLOSED;
        }
        if event.is_error() {
            ready |= Ready::ERROR;
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if event.is_priority() {
            ready |= Ready::PRIORITY;
        }
        ready
    }

    /// The readiness of a raw `epoll_event` mask, read exactly as mio reads it (for the
    /// workers' non-blocking harvest, which calls `epoll_wait` itself; see
    /// `Handle::harvest`).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[cfg_attr(loom, allow(dead_code))] // the workers do not harvest under loom
    pub(crate) fn from_epoll(bits: u32) -> Ready {
        let has = |flag: libc::c_int| bits & flag as u32 != 0;
        let mut ready = Ready::EMPTY;
        if has(libc::EPOLLIN) || has(libc::EPOLLPRI) {
            ready |= Ready::READABLE;
        }
        if has(libc::EPOLLOUT) {
            ready |= Ready::WRITABLE;
        }
        if has(libc::EPOLLHUP) || (has(libc::EPOLLIN) && has(libc::EPOLLRDHUP)) {
            ready |= Ready::READ_CLOSED;
        }
        if has(libc::EPOLLHUP)
            || (has(libc::EPOLLOUT) && has(libc::EPOLLERR))
            || bits == libc::EPOLLERR as u32
        {
            ready |= Ready::WRITE_CLOSED;
        }
        if has(libc::EPOLLERR) {
            ready |= Ready::ERROR;
        }
        if has(libc::EPOLLPRI) {
            ready |= Ready::PRIORITY;
        }
        ready
    }

    /// The readiness states that satisfy `interest`: as tokio's, a reader also wakes on
    /// read-closed, a writer on write-closed, a priority reader on priority and
    /// read-closed. Unlike tokio, readers and writers also wake on error, so the
    /// operation runs and reports the error instead of waiting on.
    pub(crate) fn for_interest(interest: Interest) -> Ready {
        let mut ready = Ready::EMPTY;
        if interest.is_readable() {
            ready |= Ready::READABLE | Ready::READ_CLOSED | Ready::ERROR;
        }
        if interest.is_writable() {
            ready |= Ready::WRITABLE | Ready::WRITE_CLOSED | Ready::ERROR;
        }
        if interest.is_priority() {
            ready |= Ready(PRIORITY_BIT) | Ready::READ_CLOSED | Ready::ERROR;
        }
        if interest.is_error() {
            ready |= Ready::ERROR;
        }
        ready
    }

    pub(crate) fn from_bits(bits: usize) -> Ready {
        Ready(bits as u8 & Ready::ALL.0)
    }

    pub(crate) fn bits(self) -> usize {
        usize::from(self.0)
    }

    /// Whether no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Whether `READABLE` or `READ_CLOSED` is set (a closed read side reads: EOF), as
    /// tokio's.
    ///
    /// ```
    /// use robin_runtime::io::Ready;
    /// assert!(Ready::READABLE.is_readable());
    /// assert!(Ready::READ_CLOSED.is_readable());
    /// assert!(!Ready::WRITABLE.is_readable());
    /// ```
    pub fn is_readable(self) -> bool {
        self.contains(Ready::READABLE) || self.is_read_closed()
    }
    /// Whether `WRITABLE` or `WRITE_CLOSED` is set (a write then fails at once), as
    /// tokio's.
    ///
    /// ```
    /// use robin_runtime::io::Ready;
    /// assert!(Ready::WRITABLE.is_writable());
    /// assert!(Ready::WRITE_CLOSED.is_writable());
    /// assert!(!Ready::READABLE.is_writable());
    /// ```
    pub fn is_writable(self) -> bool {
        self.contains(Ready::WRITABLE) || self.is_write_closed()
    }
    /// Whether `READ_CLOSED` is set.
    pub fn is_read_closed(self) -> bool {
        self.contains(Ready::READ_CLOSED)
    }
    /// Whether `WRITE_CLOSED` is set.
    pub fn is_write_closed(self) -> bool {
        self.contains(Ready::WRITE_CLOSED)
    }
    /// Whether `ERROR` is set.
    pub fn is_error(self) -> bool {
        self.contains(Ready::ERROR)
    }
    /// Whether `PRIORITY` is set.
    pub fn is_priority(self) -> bool {
        self.contains(Ready(PRIORITY_BIT))
    }
    /// Whether every flag of `other` is set in `self`.
    pub fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;
    fn bitor(self, rhs: Ready) -> Ready {
        Ready(self.0 | rhs.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, rhs: Ready) {
        self.0 |= rhs.0;
    }
}

impl ops::BitAnd for Ready {
    type Output = Ready;
    fn bitand(self, rhs: Ready) -> Ready {
        Ready(self.0 & rhs.0)
    }
}

impl ops::BitAndAssign for Ready {
    fn bitand_assign(&mut self, rhs: Ready) {
        self.0 &= rhs.0;
    }
}

impl ops::Sub for Ready {
    type Output = Ready;
    fn sub(self, rhs: Ready) -> Ready {
        Ready(self.0 & !rhs.0)
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("readable", &self.is_readable())
            .field("writable", &self.is_writable())
            .field("read_closed", &self.is_read_closed())
            .field("write_closed", &self.is_write_closed())
            .field("error", &self.is_error())
            .field("priority", &self.is_priority())
            .finish()
    }
}

/// Readiness observed at a given driver tick; pass it back to
/// [`Registration::clear_readiness`](crate::io::Registration::clear_readiness).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadyEvent {
    pub(crate) tick: u16,
    /// The readiness that was observed.
    pub ready: Ready,
    pub(crate) closed: bool,
}

//! `Interest`: what a registration or a `ready` call waits for (tokio's
//! `tokio::io::Interest`, public as `robin::io::Interest`), and its mapping to mio's
//! interest. Part of the driver layer: imports nothing of the crate.
use std::fmt;
use std::ops;

/// Readiness interest: what a registration or a `ready` call waits for (tokio's
/// `tokio::io::Interest`).
///
/// ```
/// use robin_runtime::io::Interest;
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert_eq!(both.remove(Interest::WRITABLE), Some(Interest::READABLE));
/// assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
/// assert!(Interest::ERROR.is_error() && !Interest::ERROR.is_readable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Interest(u8);

const READABLE: u8 = 1 << 0;
const WRITABLE: u8 = 1 << 1;
const PRIORITY: u8 = 1 << 2;
const ERROR: u8 = 1 << 3;

impl Interest {
    /// Interest in readability (and read-closed).
    pub const READABLE: Interest = Interest(READABLE);
    /// Interest in writability (and write-closed).
    pub const WRITABLE: Interest = Interest(WRITABLE);
    /// Interest in priority (out-of-band) data: `EPOLLPRI` (Linux and Android).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    pub const PRIORITY: Interest = Interest(PRIORITY);
    /// Interest in error readiness. The OS always reports errors, so this needs no
    /// registration of its own; waiting for it returns when an error is pending.
    pub const ERROR: Interest = Interest(ERROR);

    /// Whether readable interest is included.
    pub const fn is_readable(self) -> bool {
        self.0 & READABLE != 0
    }

    /// Whether writable interest is included.
    pub const fn is_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// Whether priority interest is included.
    pub const fn is_priority(self) -> bool {
        self.0 & PRIORITY != 0
    }

    /// Whether error interest is included.
    pub const fn is_error(self) -> bool {
        self.0 & ERROR != 0
    }

    /// Both interests (the `const` form of `|`).
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// `self` without `other`; `None` if nothing is left.
    pub fn remove(self, other: Interest) -> Option<Interest> {
        let left = self.0 & !other.0;
        (left != 0).then_some(Interest(left))
    }

    /// The interest to register with mio. mio has no error interest (errors are
    /// always reported), so an error-only interest registers as readable, as tokio's
    /// does.
    pub(crate) fn to_mio(self) -> mio::Interest {
        let mut mio: Option<mio::Interest> = None;
        let mut add = |i: mio::Interest| mio = Some(mio.map_or(i, |m| m | i));
        if self.is_readable() {
            add(mio::Interest::READABLE);
        }
        if self.is_writable() {
            add(mio::Interest::WRITABLE);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.is_priority() {
            add(mio::Interest::PRIORITY);
        }
        mio.unwrap_or(mio::Interest::READABLE)
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;
    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (READABLE, "READABLE"),
            (WRITABLE, "WRITABLE"),
            (PRIORITY, "PRIORITY"),
            (ERROR, "ERROR"),
        ];
        let mut first = true;
        for (bit, name) in names {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

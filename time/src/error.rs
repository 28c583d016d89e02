//! Time errors, at tokio's paths: [`Elapsed`] (a [`timeout`](crate::timeout) ran out)
//! and [`Error`] (a timer could not be used).
//!
//! Owns only these value types; imports nothing of the runtime.
use std::fmt;

/// Why a timer could not be used: the runtime shut down, the timer wheel is full, or
/// the duration is out of range.
///
/// ```
/// use robin_time::error::Error;
/// let err = Error::shutdown();
/// assert!(err.is_shutdown());
/// assert!(!err.is_at_capacity() && !err.is_invalid());
/// assert_eq!(err, Error::shutdown());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error(Kind);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Shutdown,
    AtCapacity,
    Invalid,
}

impl Error {
    /// The timer's runtime has shut down (or there is none).
    ///
    /// ```
    /// assert!(robin_time::error::Error::shutdown().is_shutdown());
    /// ```
    pub fn shutdown() -> Error {
        Error(Kind::Shutdown)
    }

    /// Whether the runtime has shut down.
    ///
    /// ```
    /// use robin_time::error::Error;
    /// assert!(Error::shutdown().is_shutdown());
    /// assert!(!Error::invalid().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.0 == Kind::Shutdown
    }

    /// The timer wheel cannot take another entry.
    ///
    /// ```
    /// assert!(robin_time::error::Error::at_capacity().is_at_capacity());
    /// ```
    pub fn at_capacity() -> Error {
        Error(Kind::AtCapacity)
    }

    /// Whether the timer wheel was at capacity.
    ///
    /// ```
    /// use robin_time::error::Error;
    /// assert!(Error::at_capacity().is_at_capacity());
    /// assert!(!Error::shutdown().is_at_capacity());
    /// ```
    pub fn is_at_capacity(&self) -> bool {
        self.0 == Kind::AtCapacity
    }

    /// The requested duration is out of the timer's range.
    ///
    /// ```
    /// assert!(robin_time::error::Error::invalid().is_invalid());
    /// ```
    pub fn invalid() -> Error {
        Error(Kind::Invalid)
    }

    /// Whether the duration was out of range.
    ///
    /// ```
    /// use robin_time::error::Error;
    /// assert!(Error::invalid().is_invalid());
    /// assert!(!Error::at_capacity().is_invalid());
    /// ```
    pub fn is_invalid(&self) -> bool {
        self.0 == Kind::Invalid
    }
}

impl fmt::Display for Error {
    /// ```
    /// use robin_time::error::Error;
    /// assert_eq!(Error::invalid().to_string(), "timer duration exceeds maximum duration");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Kind::Shutdown => {
                "the timer is shut down: it must be used from the context of a running robin runtime"
            }
            Kind::AtCapacity => "the timer is at capacity and cannot create a new entry",
            Kind::Invalid => "timer duration exceeds maximum duration",
        })
    }
}

impl std::error::Error for Error {}

/// The deadline of a [`timeout`](crate::timeout) passed before its future completed.
///
/// ```
/// # let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().unwrap();
/// # rt.block_on(async {
/// use std::time::Duration;
/// let err = robin_time::timeout(Duration::from_secs(1), std::future::pending::<()>())
///     .await
///     .unwrap_err();
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// let io: std::io::Error = err.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}

//! Errors shared by the locks, the semaphore and the once-cells, re-exported at the crate
//! root (tokio's `sync::{AcquireError, TryAcquireError, TryLockError, SetError}` paths).
//!
//! The crate's one error convention: errors that belong to one primitive live in that
//! primitive's own `error.rs` (`mpsc::error`, `broadcast::error`, `oneshot::error`,
//! `watch::error`, tokio's paths); errors several primitives share live here. Every error is
//! a plain value implementing `Debug`, `Display` and `std::error::Error`; channel errors that
//! hand a value back never print it (`Debug` shows `..`), so they need no `T: Debug`.
use std::fmt;

/// The lock could not be taken right away by a `try_*` method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

impl std::error::Error for TryLockError {}

/// The semaphore was closed while (or before) waiting for permits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquireError(pub(crate) ());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("semaphore closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why a `try_acquire*` call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// The semaphore has been closed.
    Closed,
    /// Not enough permits are available right now.
    NoPermits,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::Closed => f.write_str("semaphore closed"),
            TryAcquireError::NoPermits => f.write_str("no permits available"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

/// Why [`OnceCell::set`](crate::OnceCell::set) failed; the value is handed back.
#[derive(Debug, PartialEq, Eq)]
pub enum SetError<T> {
    /// The cell already holds a value.
    AlreadyInitializedError(T),
    /// Another task is initializing the cell right now.
    InitializingError(T),
}

impl<T> SetError<T> {
    /// Whether the cell already held a value.
    ///
    /// ```
    /// let cell = robin_sync::OnceCell::new_with(Some(1));
    /// assert!(cell.set(2).unwrap_err().is_already_init_err());
    /// ```
    pub fn is_already_init_err(&self) -> bool {
        matches!(self, SetError::AlreadyInitializedError(_))
    }

    /// Whether the cell was being initialized by someone else.
    ///
    /// ```
    /// let cell = robin_sync::OnceCell::new();
    /// futures::executor::block_on(cell.get_or_init(|| async {
    ///     assert!(cell.set(2).unwrap_err().is_initializing_err());
    ///     1
    /// }));
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn is_initializing_err(&self) -> bool {
        matches!(self, SetError::InitializingError(_))
    }
}

impl<T> fmt::Display for SetError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetError::AlreadyInitializedError(_) => f.write_str("AlreadyInitializedError"),
            SetError::InitializingError(_) => f.write_str("InitializingError"),
        }
    }
}

impl<T: fmt::Debug> std::error::Error for SetError<T> {}

/// [`SetOnce::set`](crate::SetOnce::set) found a value already there; the new value is
/// handed back.
#[derive(Debug, PartialEq, Eq)]
pub struct SetOnceError<T>(pub T);

impl<T> fmt::Display for SetOnceError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SetOnceError")
    }
}

impl<T: fmt::Debug> std::error::Error for SetOnceError<T> {}

/// Defines a channel's "send failed, here is your value back" error: a tuple struct
/// `$name<T>(pub T)` with the crate's conventions (`Debug` that does not print the value,
/// tokio's `Display` text, `std::error::Error`). Each channel gets its own type at its own
/// `error` path (as in tokio, `mpsc::error::SendError` and `watch::error::SendError` are
/// different types); only the code is shared.
macro_rules! value_returned_error {
    ($(#[$meta:meta])* $name:ident, $display:literal) => {
        $(#[$meta])*
        #[derive(PartialEq, Eq, Clone, Copy)]
        pub struct $name<T>(pub T);

        impl<T> ::std::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($name)).finish_non_exhaustive()
            }
        }

        impl<T> ::std::fmt::Display for $name<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($display)
            }
        }

        impl<T> ::std::error::Error for $name<T> {}
    };
}
pub(crate) use value_returned_error;

//! Errors shared by the locks, the semaphore and the once-cells, re-exported at the crate
//! root (tokio's `sync::{AcquireError, TryAcquireError, TryLockError, SetError}` paths).
//!
//! The crate's one error convention: errors that belong to one primitive live in that
//! primitive's own `error.rs` (`mpsc::error`, `broadcast::error`, `oneshot::error`,
//! `watch::error`, tokio's paths); errors several primitives share live here. Every error is
//! a plain value implementing `Debug`, `Display` and `std::error::Error`; errors that hand a
//! value back never print it (`Debug` shows `..`), so they need no `T: Debug`.
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

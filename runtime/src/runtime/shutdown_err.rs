//! `is_rt_shutdown_err`: tells an I/O error caused by the runtime's shutdown apart.
//!
//! Layer: runtime. Imports only the driver's shutdown error, which it recognises.
use std::io;

/// Whether `err` was returned because the runtime the I/O resource belongs to has shut
/// down (rather than by the operating system), so that code can tell "the program is
/// stopping" from a real I/O failure.
///
/// ```
/// use robin_runtime::runtime::is_rt_shutdown_err;
/// let err = std::io::Error::new(std::io::ErrorKind::Other, "disk on fire");
/// assert!(!is_rt_shutdown_err(&err));
/// ```
pub fn is_rt_shutdown_err(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::Other
        && err.get_ref().is_some()
        && err.to_string() == crate::driver::Handle::io_shutdown_error().to_string()
}

//! Errors of the [`watch`](super) channel.
use std::fmt;

crate::errors::value_returned_error! {
    /// Every receiver is gone; the value is handed back.
    SendError,
    "channel closed"
}

/// The sender is gone (and, for `changed`, no unseen value is left).
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct RecvError(pub(crate) ());

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("channel closed")
    }
}

impl std::error::Error for RecvError {}

//! Unix-only I/O: [`AsyncFd`], readiness for any file descriptor (tokio's
//! `tokio::io::unix`).
mod async_fd;

pub use async_fd::{
    AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, AsyncFdTryNewError, TryIoError,
};

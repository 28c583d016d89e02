//! robin-process: child processes for the robin runtime, at tokio's path
//! (`robin_process::{Command, Child, ChildStdin, ChildStdout, ChildStderr}`).
//!
//! - [`Command`] wraps `std::process::Command` (every builder method tokio has) plus
//!   `kill_on_drop`; spawning is std's, synchronous and immediate.
//! - A [`Child`]'s exit is awaited without a thread per child (`reap.rs`): through a
//!   **pidfd** registered with the I/O driver where the kernel has `pidfd_open` (Linux
//!   5.3+), else through `SIGCHLD` listeners of `robin::signal`.
//! - Children whose [`Child`] was dropped before they exited (with `kill_on_drop(false)`,
//!   or killed on drop) are still reaped: a small task waits for them, and any left over
//!   (their runtime shut down first) sit in a global orphan queue that every later spawn
//!   and wait drains — no zombies, best-effort as with tokio.
//! - The pipes (`pipe.rs`) are non-blocking and registered with the driver; they
//!   implement tokio's `AsyncWrite`/`AsyncRead` (what `robin::io` re-exports).
//!
//! This crate imports only the runtime's public API, `robin-signal`, `mio` and `libc`.
//!
//! ```
//! use robin_process::Command;
//! let rt = robin_runtime::runtime::Runtime::new().unwrap();
//! let output = rt.block_on(async {
//!     Command::new("echo").arg("hello").output().await.unwrap()
//! });
//! assert!(output.status.success());
//! assert_eq!(output.stdout, b"hello\n");
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod child;
mod command;
mod pipe;
mod reap;

pub use child::Child;
pub use command::Command;
pub use pipe::{ChildStderr, ChildStdin, ChildStdout};
/// The exit status of a finished child (std's type, as in tokio's signatures).
pub use std::process::ExitStatus;
/// The collected output of a finished child (std's type, as in tokio's signatures).
pub use std::process::Output;

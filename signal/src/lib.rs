//! robin-signal: asynchronous signal handling for the robin runtime, at tokio's paths
//! (`robin::signal::ctrl_c`, `robin::signal::unix::{signal, Signal, SignalKind}`).
//!
//! # How a signal reaches a task
//!
//! 1. The first `signal(kind)` for a signal number installs, through
//!    [`signal-hook-registry`](https://docs.rs/signal-hook-registry) (the ecosystem's
//!    standard for sharing the process's handlers, so ours chain with other libraries'),
//!    one handler that marks the signal pending and writes a byte to **one global
//!    self-pipe** (both async-signal-safe). The handler is never removed (as tokio
//!    documents): after the last listener drops, deliveries are still caught, and the
//!    default action (e.g. terminating on `SIGINT`) does not come back.
//! 2. Every listener holds a duplicate of the pipe's read end registered with the I/O
//!    driver of its runtime. Whichever listener is polled first after a delivery drains
//!    the pipe and *broadcasts*: every pending signal's generation counter is bumped and
//!    all its listeners' wakers, in every runtime, are woken.
//! 3. A listener remembers the generation it saw last; it was created with the current
//!    one, so a delivery after its creation is never missed, and deliveries between two
//!    polls coalesce into one (as with tokio).
//!
//! This crate owns the process-wide signal state (`registry`); it imports only the
//! runtime's public `io` API and `signal-hook-registry`/`libc`.
//!
//! ```
//! use robin_signal::unix::{signal, SignalKind};
//! let rt = robin_runtime::runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
//!     // SAFETY: raise(3) only sends a signal to this thread; our handler is installed.
//!     assert_eq!(unsafe { libc::raise(libc::SIGUSR1) }, 0);
//!     assert_eq!(usr1.recv().await, Some(()));
//! });
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod ctrl_c;
mod registry;
pub mod unix;

pub use ctrl_c::ctrl_c;

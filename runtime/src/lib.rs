//! robin-runtime: tasks, the work-stealing scheduler, the blocking pool.
//!
//! Users depend on the `robin` facade, which re-exports this crate's public API as
//! `robin::runtime`, `robin::task` and `robin::spawn`. Internally:
//!
//! - [`task`]: the task allocation, its state machine, `JoinHandle`/`AbortHandle`;
//! - `scheduler`: the multi-thread work-stealing scheduler and the current-thread one;
//! - `blocking`: the blocking pool (`spawn_blocking`, and the threads workers run on);
//! - `driver`: one `mio::Poll` and one timer wheel per runtime;
//! - [`io`] and [`time`]: the driver's API for `robin-net` and `robin-time`;
//! - [`runtime`]: `Builder`, `Runtime`, `Handle` and the thread-local context;
//! - `loom`: the one place synchronization primitives come from (std or loom).
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod blocking;
pub(crate) mod driver;
pub mod io;
pub(crate) mod loom;
mod park;
pub mod runtime;
pub(crate) mod scheduler;
pub mod task;
pub mod time;
mod util;

pub use task::spawn;

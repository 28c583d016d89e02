//! robin-runtime: tasks, the work-stealing scheduler, the I/O and timer driver.
//!
//! Users depend on the `robin` facade, which re-exports this crate's public API as
//! `robin::runtime`, `robin::task` and `robin::spawn`.
//!
//! ## Layers
//!
//! The crate is built in one-way layers; each may import only the layers below it
//! (`scripts/check_layers.sh` checks this in CI):
//!
//! ```text
//! api        spawn, task::Builder, JoinSet, LocalSet, task_local!, yield_now   (public: robin::task)
//!  ↓
//! runtime    Builder, Runtime, Handle, metrics; io.rs (+ io/) and time.rs      (public: robin::runtime, io, time)
//!  ↓
//! scheduler  current_thread/, multi_thread/, local (LocalSet's queue), blocking/; context.rs (the one thread-local)
//!  ↓
//! driver     mio Poll + timer wheel: hands woken Wakers to a sink; knows no scheduler
//!  ↓
//! engine     the task engine (task/ in the issue; renamed: `robin_runtime::task` is the public API's path): state, raw, harness, waker, list, join, error, id; knows only `Schedule`
//!  ↓
//! loom       the one source of atomics, cells, locks (std or loom)
//! ```
//!
//! This file only declares the layers and re-exports the public paths.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod api;
mod context;
pub(crate) mod driver;
pub(crate) mod engine;
pub mod io;
pub(crate) mod loom;
pub mod runtime;
pub(crate) mod scheduler;
pub mod time;

/// Asynchronous green threads: spawning, joining and cancelling tasks, task-locals and
/// `LocalSet` (the public `robin::task`, at tokio's paths).
pub mod task {
    pub use crate::api::{
        block_in_place, consume_budget, coop, id, macro_support, spawn, spawn_blocking,
        spawn_local, try_id, unconstrained, yield_now, AccessError, Builder, JoinSet,
        LocalEnterGuard, LocalKey, LocalSet, TaskLocalFuture, Unconstrained,
    };
    pub use crate::engine::{AbortHandle, Id, JoinError, JoinHandle};

    /// Futures returned by this module's functions (tokio's `task::futures`).
    pub mod futures {
        pub use crate::api::TaskLocalFuture;
    }
}

pub use api::spawn;

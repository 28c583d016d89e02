//! The blocking pool: threads for work that must not run on the async workers
//! (`spawn_blocking`), and the threads the workers themselves run on.
//!
//! Threads are spawned on demand up to a cap (`max_blocking_threads` plus the number of
//! workers) and exit after sitting idle for `keep_alive`. Jobs are tasks like any other
//! (`BlockingTask` is a future that runs its closure in one poll), so `spawn_blocking`
//! returns an ordinary `JoinHandle`; they are not in the runtime's owned-task list.
//!
//! Shutdown: the pool stops taking jobs and the caller waits for the threads up to a
//! timeout. As in tokio, a thread still busy keeps running the jobs it finds queued (so a
//! job queued behind a running one before the shutdown still delivers its output); a
//! thread that goes idle cancels what is left (their handles report cancellation) except
//! *mandatory* jobs (worker threads, which must run to drain their queues), and exits.
//! A job already running cannot be interrupted: shutdown waits for it (or times out).
//!
//! Layer: scheduler (see `scheduler/mod.rs`).
#[cfg(all(test, loom))]
mod loom_tests;
mod pool;
mod task;

pub(crate) use pool::{BlockingPool, Spawner};

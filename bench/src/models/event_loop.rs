//! The `event-loop` model: robin's current-thread runtime. One thread polls every task; a task
//! gives the thread up only at an `.await` that is not ready: asyncio's model.
//!
//! The async unit code and the runner ([`super::robin_rt::run_tasks`]) are the ones the
//! `robin` model uses; only the runtime differs.

use std::io;

use robin::runtime::{Builder, Runtime};

/// robin's current-thread runtime (timers and I/O enabled).
pub fn runtime() -> io::Result<Runtime> {
    Builder::new_current_thread().enable_all().build()
}

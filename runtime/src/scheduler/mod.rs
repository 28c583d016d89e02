//! The two schedulers and the handle that dispatches between them.
//!
//! - [`multi_thread`]: N workers stealing from each other (the default).
//! - [`current_thread`]: everything on the thread in `block_on` (asyncio's loop).
//!
//! Both run the same tasks (`crate::task`) and differ only in where a `Notified` goes.
pub(crate) mod current_thread;
pub(crate) mod multi_thread;

use crate::blocking;
use crate::loom::sync::Arc;
use crate::task::raw::TaskMeta;
use crate::task::{Id, JoinHandle};
use std::future::Future;

/// A reference to one runtime's scheduler; what `runtime::Handle` wraps.
#[derive(Clone, Debug)]
pub(crate) enum Handle {
    MultiThread(Arc<multi_thread::Shared>),
    CurrentThread(Arc<current_thread::Shared>),
}

impl Handle {
    pub(crate) fn spawn<F>(&self, future: F, id: Id, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Handle::MultiThread(shared) => multi_thread::Shared::spawn(shared, future, id, meta),
            Handle::CurrentThread(shared) => {
                current_thread::Shared::spawn(shared, future, id, meta)
            }
        }
    }

    pub(crate) fn blocking(&self) -> &blocking::Spawner {
        match self {
            Handle::MultiThread(shared) => &shared.blocking,
            Handle::CurrentThread(shared) => &shared.blocking,
        }
    }

    pub(crate) fn driver(&self) -> Option<&Arc<crate::driver::Handle>> {
        match self {
            Handle::MultiThread(shared) => shared.driver.as_ref(),
            Handle::CurrentThread(shared) => shared.driver.as_ref(),
        }
    }

    pub(crate) fn num_alive_tasks(&self) -> usize {
        match self {
            Handle::MultiThread(shared) => shared.owned.len(),
            Handle::CurrentThread(shared) => shared.owned.len(),
        }
    }
}

//! `task::Builder`: spawn a task with a name (shown in blocking reports).
use crate::engine::raw::TaskMeta;
use crate::engine::JoinHandle;
use crate::runtime::Handle;
use std::future::Future;
use std::io;
use std::sync::Arc;

/// Configures a task before spawning it.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let out = rt.block_on(async {
///     robin_runtime::task::Builder::new()
///         .name("answer")
///         .spawn(async { 42 })
///         .unwrap()
///         .await
///         .unwrap()
/// });
/// assert_eq!(out, 42);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder {
    name: Option<Arc<str>>,
}

impl Builder {
    /// A builder with no name.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the task.
    pub fn name(mut self, name: &str) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Spawns on the current runtime; an error outside a runtime.
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = TaskMeta::caller(self.name);
        let handle = Handle::try_current().map_err(|e| io::Error::other(e.to_string()))?;
        Ok(handle.spawn_with_meta(future, meta))
    }

    /// Spawns on `handle`'s runtime.
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> io::Result<JoinHandle<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let meta = TaskMeta::caller(self.name);
        Ok(handle.spawn_with_meta(future, meta))
    }
}

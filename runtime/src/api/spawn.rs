//! The task functions users call: `spawn`, `spawn_blocking`, `block_in_place`,
//! `yield_now`, and the current task's `id`.
use crate::context;
use crate::engine::{Id, JoinHandle};
use crate::runtime::Handle;
use crate::scheduler::{current_thread, multi_thread};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Spawns a task onto the current runtime; it starts running at once in the background.
///
/// # Panics
/// Outside a runtime context.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let out = rt.block_on(async { robin_runtime::spawn(async { "hi" }).await.unwrap() });
/// assert_eq!(out, "hi");
/// ```
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match Handle::try_current() {
        Ok(handle) => handle.spawn(future),
        Err(err) => panic!("robin::spawn: {err}"),
    }
}

/// Runs `func` on the current runtime's blocking pool, off the async workers.
///
/// # Panics
/// Outside a runtime context.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let n = rt.block_on(async {
///     robin_runtime::task::spawn_blocking(|| (1..=10).sum::<u32>()).await.unwrap()
/// });
/// assert_eq!(n, 55);
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(func: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match Handle::try_current() {
        Ok(handle) => handle.spawn_blocking(func),
        Err(err) => panic!("robin::task::spawn_blocking: {err}"),
    }
}

/// Runs blocking code on the current worker thread, first handing the worker's queued
/// tasks to a new thread so they keep running. Outside a runtime it just runs `func`.
///
/// # Panics
/// On a current-thread runtime, which has no other thread to hand its tasks to.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let v = rt.block_on(async {
///     robin_runtime::spawn(async { robin_runtime::task::block_in_place(|| 5) }).await.unwrap()
/// });
/// assert_eq!(v, 5);
/// ```
#[track_caller]
pub fn block_in_place<F, R>(func: F) -> R
where
    F: FnOnce() -> R,
{
    if current_thread::is_driving() {
        panic!(
            "block_in_place: can call blocking only when running on the multi-threaded \
             runtime (this thread drives a current-thread runtime)"
        );
    }
    multi_thread::worker::block_in_place(func)
}

/// Yields to the scheduler: the task is rescheduled behind the tasks already ready.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async { robin_runtime::task::yield_now().await });
/// ```
pub async fn yield_now() {
    YieldNow { yielded: false }.await
}

struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // Tells the scheduler this self-wake is a yield, not a wake from elsewhere.
        context::set_yielded();
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// The id of the task being polled on this thread.
///
/// # Panics
/// When called outside a task (use [`try_id`] there).
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let handle = rt.spawn(async { robin_runtime::task::id() });
/// let id = handle.id();
/// assert_eq!(rt.block_on(handle).unwrap(), id);
/// ```
#[track_caller]
pub fn id() -> Id {
    try_id().expect("robin::task::id() called outside of a task")
}

/// The id of the task being polled on this thread, or `None` outside a task.
///
/// ```
/// assert!(robin_runtime::task::try_id().is_none());
/// ```
pub fn try_id() -> Option<Id> {
    context::task_id()
}

//! `JoinHandle` and `AbortHandle`: the user's side of a spawned task.
use super::raw::{OutputSlot, RawTask};
use super::{Id, JoinError};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

/// An owned permission to await a task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or was
/// cancelled. Dropping it *detaches* the task: it keeps running and its output is dropped.
/// Awaiting a `JoinHandle` is cancel-safe.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let handle = rt.spawn(async { 6 * 7 });
/// assert_eq!(rt.block_on(handle).unwrap(), 42);
/// ```
pub struct JoinHandle<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle only hands out `T` by value (so `T: Send` suffices to move the handle
// across threads), and all shared task state is synchronised by the state word.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` allows only `abort`, `is_finished` and `id`, which touch atomics.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// # Safety
    /// 1. `raw` carries a reference and the join interest for a task with output `T`.
    pub(super) unsafe fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Requests cancellation. The task is dropped at its next scheduling point (at once
    /// if it is idle); awaiting the handle then gives a cancelled [`JoinError`], unless the
    /// task completed first.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let handle = rt.spawn(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(rt.block_on(handle).unwrap_err().is_cancelled());
    /// ```
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// A handle that can abort the task without awaiting it.
    pub fn abort_handle(&self) -> AbortHandle {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = match robin_sync::coop::poll_proceed(cx) {
            Poll::Ready(coop) => coop,
            Poll::Pending => return Poll::Pending,
        };
        let mut out: OutputSlot<T> = Poll::Pending;
        // SAFETY: 1. `out` has the type the vtable writes for this task (`T` is the output
        // type this handle was made for); 2. we are the JoinHandle.
        unsafe {
            self.raw
                .try_read_output(&mut out as *mut OutputSlot<T> as *mut (), cx.waker())
        };
        if out.is_ready() {
            coop.made_progress();
        } else {
            super::diag::tag(cx.waker(), super::diag::WaitTag::Join(self.id()));
        }
        out
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: we are the JoinHandle, giving up our interest and reference once.
        unsafe { self.raw.drop_join_handle_slow() }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}

/// A handle that can abort a task but not await it. Dropping it does nothing to the task.
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: only atomics are touched through an `AbortHandle`.
unsafe impl Send for AbortHandle {}
// SAFETY: as for `Send`.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    /// Requests cancellation; see [`JoinHandle::abort`].
    pub fn abort(&self) {
        self.raw.remote_abort();
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.raw.header().state.load().is_complete()
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.raw.id()
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> Self {
        self.raw.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        // SAFETY: we own one reference, handed to the `Task` that drops it.
        drop(unsafe { super::Task::from_raw(self.raw) });
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}

//! The thread-local runtime context: which runtime `Handle::current()` returns, and
//! whether this thread is already driving a runtime (so `block_on` cannot nest).
use super::Handle;
use std::cell::{Cell, RefCell};

thread_local! {
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
    static ENTERED: Cell<EnterRuntime> = const { Cell::new(EnterRuntime::NotEntered) };
}

/// Whether this thread drives a runtime (a worker, or inside `block_on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnterRuntime {
    Entered,
    NotEntered,
}

/// The current handle, or why there is none.
pub(crate) fn try_current() -> Result<Handle, super::TryCurrentError> {
    match CURRENT.try_with(|c| c.borrow().clone()) {
        Ok(Some(handle)) => Ok(handle),
        Ok(None) => Err(super::TryCurrentError::missing()),
        Err(_) => Err(super::TryCurrentError::destroyed()),
    }
}

/// Runs `f` with the current handle, without cloning it (hot paths: `Instant::now`).
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Handle>) -> R) -> R {
    let mut f = Some(f);
    match CURRENT.try_with(|c| (f.take().expect("called once"))(c.borrow().as_ref())) {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called"))(None),
    }
}

/// Makes `handle` current until the guard drops (restoring the previous one).
pub(crate) fn set_current(handle: &Handle) -> SetCurrentGuard {
    let prev = CURRENT
        .try_with(|c| c.borrow_mut().replace(handle.clone()))
        .ok()
        .flatten();
    SetCurrentGuard {
        prev,
        _not_send: std::marker::PhantomData,
    }
}

/// Restores the previously current handle on drop.
#[derive(Debug)]
pub(crate) struct SetCurrentGuard {
    prev: Option<Handle>,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

/// Marks this thread as driving `handle`'s runtime.
///
/// # Panics
/// If the thread already drives a runtime: blocking it would stall every task it runs.
#[track_caller]
pub(crate) fn enter_runtime(handle: &Handle, _allow_block_in_place: bool) -> EnterRuntimeGuard {
    let prev = ENTERED.with(|e| e.replace(EnterRuntime::Entered));
    if prev == EnterRuntime::Entered {
        ENTERED.with(|e| e.set(prev));
        panic!(
            "Cannot start a runtime from within a runtime. This happens because a function \
             (like `block_on`) attempted to block the current thread while the thread is \
             being used to drive asynchronous tasks."
        );
    }
    EnterRuntimeGuard {
        _current: set_current(handle),
    }
}

/// Leaves the "driving a runtime" state on drop.
#[derive(Debug)]
pub(crate) struct EnterRuntimeGuard {
    _current: SetCurrentGuard,
}

impl Drop for EnterRuntimeGuard {
    fn drop(&mut self) {
        let _ = ENTERED.try_with(|e| e.set(EnterRuntime::NotEntered));
    }
}

/// Whether this thread is driving a runtime right now.
pub(crate) fn runtime_entered() -> bool {
    ENTERED
        .try_with(|e| e.get() == EnterRuntime::Entered)
        .unwrap_or(false)
}

/// Runs `f` as if this thread were not driving a runtime (`block_in_place`), so that
/// `block_on` is allowed inside it.
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(EnterRuntime);
    impl Drop for Reset {
        fn drop(&mut self) {
            let prev = self.0;
            let _ = ENTERED.try_with(|e| e.set(prev));
        }
    }
    let _reset = Reset(ENTERED.with(|e| e.replace(EnterRuntime::NotEntered)));
    f()
}

//! Whether the current thread is driving asynchronous tasks, so `blocking_*` methods can
//! refuse to park it.
//!
//! tokio's `blocking_recv`, `blocking_send`, `blocking_lock`, ... panic when called from
//! a thread that drives a runtime (inside a task, or inside `Runtime::block_on`): parking
//! that thread would deadlock the tasks it is supposed to run, or silently stall them.
//! robin-sync does the same, but it may not depend on the runtime (the dependency points
//! the other way), so the runtime tells it: it wraps every context in which the thread
//! drives tasks in [`enter_runtime`], and lifts the flag with [`exit_runtime`] where
//! blocking is allowed again (`block_in_place`). Under any other executor the flag is
//! never set and `blocking_*` just block, as they always did.
//!
//! This module owns one thread-local flag; of the crate it imports only the loom shim's
//! `block_on`, which `block_on` guards.
use std::cell::Cell;

thread_local! {
    static IN_RUNTIME: Cell<bool> = const { Cell::new(false) };
}

/// The message a `blocking_*` method panics with inside a runtime (tokio's wording).
pub(crate) const BLOCKING_IN_RUNTIME: &str = "Cannot block the current thread from within a \
     runtime. This happens because a function attempted to block the current thread while \
     the thread is being used to drive asynchronous tasks.";

/// Runs `f` with the current thread marked as driving asynchronous tasks: a `blocking_*`
/// method called inside panics. Restores the previous mark afterwards, even if `f` panics.
///
/// robin's runtime calls this around its worker loop and its `block_on`.
///
/// ```
/// let (_tx, mut rx) = robin_sync::mpsc::channel::<u8>(1);
/// let r = robin_sync::context::enter_runtime(|| {
///     std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rx.blocking_recv()))
/// });
/// assert!(r.is_err(), "blocking_recv inside a runtime panics");
/// assert!(!robin_sync::context::is_in_runtime());
/// ```
pub fn enter_runtime<R>(f: impl FnOnce() -> R) -> R {
    with_flag(true, f)
}

/// Runs `f` with the mark lifted: blocking is allowed again (robin's `block_in_place`).
///
/// ```
/// let m = robin_sync::Mutex::new(1);
/// robin_sync::context::enter_runtime(|| {
///     robin_sync::context::exit_runtime(|| assert_eq!(*m.blocking_lock(), 1));
///     assert!(robin_sync::context::is_in_runtime());
/// });
/// ```
pub fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    with_flag(false, f)
}

/// Whether the current thread is marked as driving asynchronous tasks.
///
/// ```
/// assert!(!robin_sync::context::is_in_runtime());
/// assert!(robin_sync::context::enter_runtime(robin_sync::context::is_in_runtime));
/// ```
pub fn is_in_runtime() -> bool {
    IN_RUNTIME.try_with(Cell::get).unwrap_or(false)
}

/// The guard form of [`enter_runtime`], for a runtime whose context is itself a guard:
/// the thread is marked as driving asynchronous tasks until the returned guard drops,
/// which restores the previous mark (on return and on unwind alike).
///
/// ```
/// let m = robin_sync::Mutex::new(1);
/// {
///     let _in_runtime = robin_sync::context::enter_runtime_guard();
///     assert!(robin_sync::context::is_in_runtime());
/// }
/// assert_eq!(*m.blocking_lock(), 1);
/// ```
pub fn enter_runtime_guard() -> RuntimeGuard {
    RuntimeGuard {
        prev: IN_RUNTIME.try_with(|c| c.replace(true)).unwrap_or(false),
        _not_send: std::marker::PhantomData,
    }
}

/// Returned by [`enter_runtime_guard`]: restores the previous mark of this thread when
/// dropped. `!Send`: it belongs to the thread it marks.
#[must_use = "the thread is unmarked when the guard drops"]
#[derive(Debug)]
pub struct RuntimeGuard {
    prev: bool,
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for RuntimeGuard {
    fn drop(&mut self) {
        let prev = self.prev;
        let _ = IN_RUNTIME.try_with(|c| c.set(prev));
    }
}

fn with_flag<R>(value: bool, f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0;
            let _ = IN_RUNTIME.try_with(|c| c.set(prev));
        }
    }
    let prev = IN_RUNTIME.try_with(|c| c.replace(value)).unwrap_or(false);
    let _restore = Restore(prev);
    f()
}

/// Panics with tokio's message if the thread drives asynchronous tasks. Called first by
/// every `blocking_*` method.
#[track_caller]
pub(crate) fn assert_may_block() {
    if is_in_runtime() {
        panic!("{BLOCKING_IN_RUNTIME}");
    }
}

/// Backs every `blocking_*` method: panics inside a runtime, else blocks the thread on `f`.
#[track_caller]
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    assert_may_block();
    crate::loom::block_on(f)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    #[test]
    fn restored_after_panic() {
        let r = catch_unwind(|| enter_runtime(|| panic!("inside")));
        assert!(r.is_err());
        assert!(!is_in_runtime());
    }

    #[test]
    fn every_blocking_method_panics_inside_a_runtime() {
        fn panics(name: &str, f: impl FnOnce()) {
            let err = enter_runtime(|| catch_unwind(AssertUnwindSafe(f)))
                .expect_err(&format!("{name} blocked inside a runtime"));
            let msg = err
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| err.downcast_ref::<&str>().copied())
                .unwrap_or("");
            assert_eq!(msg, BLOCKING_IN_RUNTIME, "{name}");
        }
        let m = crate::loom::UserArc::new(crate::Mutex::new(0));
        panics("Mutex::blocking_lock", || drop(m.blocking_lock()));
        panics("Mutex::blocking_lock_owned", || {
            drop(m.clone().blocking_lock_owned())
        });
        let l = crate::RwLock::new(0);
        panics("RwLock::blocking_read", || drop(l.blocking_read()));
        panics("RwLock::blocking_write", || drop(l.blocking_write()));
        let sem = crate::Semaphore::new(1);
        panics("Semaphore::blocking_acquire", || {
            drop(sem.blocking_acquire())
        });
        panics("Semaphore::blocking_acquire_many", || {
            drop(sem.blocking_acquire_many(1))
        });
        let (tx, mut rx) = crate::mpsc::channel::<u8>(1);
        panics("mpsc::Sender::blocking_send", || {
            let _ = tx.blocking_send(1);
        });
        panics("mpsc::Receiver::blocking_recv", || {
            let _ = rx.blocking_recv();
        });
        panics("mpsc::Receiver::blocking_recv_many", || {
            let _ = rx.blocking_recv_many(&mut Vec::new(), 1);
        });
        let (_utx, mut urx) = crate::mpsc::unbounded_channel::<u8>();
        panics("mpsc::UnboundedReceiver::blocking_recv", || {
            let _ = urx.blocking_recv();
        });
        let (_otx, orx) = crate::oneshot::channel::<u8>();
        panics("oneshot::Receiver::blocking_recv", || {
            let _ = orx.blocking_recv();
        });
        let (_btx, mut brx) = crate::broadcast::channel::<u8>(1);
        panics("broadcast::Receiver::blocking_recv", || {
            let _ = brx.blocking_recv();
        });
        // Outside a runtime they block as before (here: complete at once).
        assert_eq!(*m.blocking_lock(), 0);
        assert!(tx.blocking_send(1).is_ok());
        assert_eq!(rx.blocking_recv(), Some(1));
    }
}

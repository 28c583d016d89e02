//! The one door to atomics, locks, cells and `Arc`: `std` normally, `loom` under `cfg(loom)`.
//!
//! Nothing else in the crate imports `std::sync::atomic`, `std::sync::Mutex`, `std::sync::RwLock`
//! or `std::cell::UnsafeCell`, so a loom run (`RUSTFLAGS="--cfg loom"`) model-checks every
//! synchronizing access the primitives make.
//!
//! The wrappers here drop lock poisoning: a panic while a lock of ours is held can only come
//! from user code run under it (a `send_modify` closure), and every state those locks protect
//! stays consistent across such a panic.

#[cfg(not(loom))]
pub(crate) use std::sync::Arc;

#[cfg(loom)]
pub(crate) use loom::sync::Arc;

/// The `Arc` of public signatures (`self: Arc<Self>`, owned guards and permits): always
/// std's, because loom's `Arc` cannot be a method receiver. Internal shared state uses
/// [`Arc`], which loom tracks.
pub(crate) use std::sync::Arc as UserArc;

pub(crate) mod atomic {
    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};

    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
}

#[cfg(not(loom))]
use std::sync as imp;

#[cfg(loom)]
use loom::sync as imp;

pub(crate) use imp::{MutexGuard, RwLockReadGuard, RwLockWriteGuard};

/// A mutual-exclusion lock that ignores poisoning.
pub(crate) struct Lock<T>(imp::Mutex<T>);

impl<T> Lock<T> {
    /// `const` without loom, so primitives built on it can live in `static`s.
    #[cfg(not(loom))]
    pub(crate) const fn new(value: T) -> Self {
        Lock(imp::Mutex::new(value))
    }

    #[cfg(loom)]
    pub(crate) fn new(value: T) -> Self {
        Lock(imp::Mutex::new(value))
    }

    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A reader-writer lock that ignores poisoning (used by `watch` for its value).
pub(crate) struct RwLock<T>(imp::RwLock<T>);

impl<T> RwLock<T> {
    pub(crate) fn new(value: T) -> Self {
        RwLock(imp::RwLock::new(value))
    }

    #[inline]
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, T> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    #[inline]
    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// `UnsafeCell` with loom's closure API (`with`, `with_mut`), so loom can check that every
/// access to a lock's data happens-after the previous conflicting one.
#[derive(Debug)]
pub(crate) struct UnsafeCell<T: ?Sized>(
    #[cfg(not(loom))] std::cell::UnsafeCell<T>,
    #[cfg(loom)] loom::cell::UnsafeCell<T>,
);

impl<T> UnsafeCell<T> {
    #[cfg(not(loom))]
    pub(crate) const fn new(value: T) -> Self {
        UnsafeCell(std::cell::UnsafeCell::new(value))
    }

    #[cfg(loom)]
    pub(crate) fn new(value: T) -> Self {
        UnsafeCell(loom::cell::UnsafeCell::new(value))
    }

    pub(crate) fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    /// Calls `f` with a shared pointer to the value.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        #[cfg(not(loom))]
        return f(self.0.get());
        #[cfg(loom)]
        return self.0.with(f);
    }

    /// Calls `f` with a unique pointer to the value.
    #[inline]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        #[cfg(not(loom))]
        return f(self.0.get());
        #[cfg(loom)]
        return self.0.with_mut(f);
    }

    /// A unique reference, statically proven by `&mut self`.
    pub(crate) fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` proves no other reference to the cell's value exists.
        self.with_mut(|p| unsafe { &mut *p })
    }
}

/// Runs a future to completion on the current thread, parking it while the future is
/// pending. Backs every `blocking_*` method.
#[cfg(not(loom))]
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};

    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }

    let mut f = std::pin::pin!(f);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        // A wake that raced ahead of this park left the unpark token set: no wakeup is
        // lost, and a spurious return only costs one more poll.
        std::thread::park();
    }
}

#[cfg(loom)]
pub(crate) use loom::future::block_on;

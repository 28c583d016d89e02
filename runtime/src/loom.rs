//! The one place the runtime takes its synchronization primitives from.
//!
//! Normally these are `std`'s (and crossbeam's parker); under `--cfg loom` they are
//! loom's model-checked versions, so every lock-free protocol in the crate can be
//! explored by the loom models that sit next to it. Nothing else in the crate imports
//! `std::sync::atomic`, `std::sync::Mutex` or `UnsafeCell` directly.
//!
//! Layer: the bottom one; imports nothing from the crate.

/// Process-wide counters in `static`s (task ids, seeds): plain unique numbers that order
/// nothing, so they are `std` atomics under loom too (loom's cannot live in a `static`,
/// and modelling them would only add states).
pub(crate) mod counter {
    pub(crate) use std::sync::atomic::Ordering::Relaxed;
    pub(crate) use std::sync::atomic::{AtomicU32, AtomicU64};
}

#[cfg(not(loom))]
mod imp {
    pub(crate) mod sync {
        pub(crate) use std::sync::{Arc, Condvar, Mutex};
        pub(crate) mod atomic {
            pub(crate) use std::sync::atomic::{
                fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering,
            };
        }
    }

    pub(crate) mod cell {
        /// `UnsafeCell` with loom's closure-based API, so the same code compiles under both.
        #[derive(Debug)]
        pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

        impl<T> UnsafeCell<T> {
            pub(crate) const fn new(value: T) -> Self {
                Self(std::cell::UnsafeCell::new(value))
            }
            #[inline(always)]
            pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
                f(self.0.get())
            }
            #[inline(always)]
            pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
                f(self.0.get())
            }
        }
    }

    /// Blocks a thread until its [`Unparker`] is called (a token: an unpark before the
    /// park makes the park return at once). crossbeam's parker, behind our own API.
    #[derive(Debug, Default)]
    pub(crate) struct Parker(crossbeam_utils::sync::Parker);

    /// Wakes the matching [`Parker`]; cheap to clone and `Send + Sync`.
    #[derive(Debug, Clone)]
    pub(crate) struct Unparker(crossbeam_utils::sync::Unparker);

    impl Parker {
        pub(crate) fn new() -> Self {
            Self::default()
        }
        pub(crate) fn park(&self) {
            self.0.park();
        }
        pub(crate) fn park_timeout(&self, timeout: std::time::Duration) {
            self.0.park_timeout(timeout);
        }
        pub(crate) fn unparker(&self) -> Unparker {
            Unparker(self.0.unparker().clone())
        }
    }

    impl Unparker {
        pub(crate) fn unpark(&self) {
            self.0.unpark();
        }
    }

    pub(crate) mod hint {
        pub(crate) use std::hint::spin_loop;
    }
}

#[cfg(loom)]
mod imp {
    pub(crate) mod sync {
        pub(crate) use loom::sync::{Arc, Condvar, Mutex};
        pub(crate) mod atomic {
            pub(crate) use loom::sync::atomic::{
                fence, AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering,
            };
        }
    }

    pub(crate) mod cell {
        pub(crate) use loom::cell::UnsafeCell;
    }

    pub(crate) mod hint {
        pub(crate) use loom::hint::spin_loop;
    }

    use loom::sync::{Arc, Condvar, Mutex};

    /// A loom-visible stand-in for crossbeam's `Parker`: a token guarded by a mutex.
    #[derive(Debug, Default)]
    pub(crate) struct Parker {
        inner: Arc<ParkInner>,
    }

    #[derive(Debug, Default)]
    struct ParkInner {
        token: Mutex<bool>,
        cvar: Condvar,
    }

    /// Wakes the matching [`Parker`].
    #[derive(Debug, Clone)]
    pub(crate) struct Unparker {
        inner: Arc<ParkInner>,
    }

    impl Parker {
        pub(crate) fn new() -> Self {
            Self::default()
        }
        pub(crate) fn park(&self) {
            let mut token = self.inner.token.lock().unwrap();
            while !*token {
                token = self.inner.cvar.wait(token).unwrap();
            }
            *token = false;
        }
        pub(crate) fn park_timeout(&self, _: std::time::Duration) {
            // Under loom there is no time: a timed park is a park that may return at once.
            let mut token = self.inner.token.lock().unwrap();
            *token = false;
        }
        pub(crate) fn unparker(&self) -> Unparker {
            Unparker {
                inner: self.inner.clone(),
            }
        }
    }

    impl Unparker {
        pub(crate) fn unpark(&self) {
            *self.inner.token.lock().unwrap() = true;
            self.inner.cvar.notify_one();
        }
    }
}

pub(crate) use imp::*;

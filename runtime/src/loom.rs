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
        pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
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

    pub(crate) use std::sync::mpsc;
    pub(crate) use std::thread;

    /// `condvar.wait_timeout(guard, dur)` (`guard` is `mutex`'s); returns the guard and
    /// whether it timed out.
    pub(crate) fn wait_timeout<'a, T>(
        condvar: &sync::Condvar,
        _mutex: &'a sync::Mutex<T>,
        guard: sync::MutexGuard<'a, T>,
        dur: std::time::Duration,
    ) -> (sync::MutexGuard<'a, T>, bool) {
        let (guard, timeout) = condvar.wait_timeout(guard, dur).unwrap();
        (guard, timeout.timed_out())
    }

    /// Waits until every sender of `rx` is gone (`true`), or `timeout` passed (`false`).
    pub(crate) fn wait_disconnected(
        rx: &mpsc::Receiver<()>,
        timeout: Option<std::time::Duration>,
    ) -> bool {
        match timeout {
            None => rx.recv().is_err(),
            Some(timeout) => matches!(
                rx.recv_timeout(timeout),
                Err(mpsc::RecvTimeoutError::Disconnected)
            ),
        }
    }
}

#[cfg(loom)]
mod imp {
    pub(crate) mod sync {
        pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
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

    pub(crate) use loom::thread;

    /// The blocking pool's exit latch (the only channel the crate uses: every pool
    /// thread holds a `Sender`, shutdown waits for the disconnect). loom's own channel
    /// does not model a disconnect, so under loom this is a count of live senders.
    pub(crate) mod mpsc {
        use loom::sync::{Arc, Condvar, Mutex};
        use std::marker::PhantomData;

        #[derive(Debug, Default)]
        struct Latch {
            live: Mutex<usize>,
            gone: Condvar,
        }

        /// One live sender; the channel disconnects when the last one drops.
        #[derive(Debug)]
        pub(crate) struct Sender<T> {
            latch: Arc<Latch>,
            _msg: PhantomData<fn(T)>,
        }

        /// Waits for the disconnect ([`super::wait_disconnected`]).
        #[derive(Debug)]
        pub(crate) struct Receiver<T> {
            latch: Arc<Latch>,
            _msg: PhantomData<fn(T)>,
        }

        pub(crate) fn channel<T>() -> (Sender<T>, Receiver<T>) {
            let latch = Arc::new(Latch::default());
            *latch.live.lock().unwrap() = 1;
            let rx = Receiver {
                latch: latch.clone(),
                _msg: PhantomData,
            };
            (
                Sender {
                    latch,
                    _msg: PhantomData,
                },
                rx,
            )
        }

        impl<T> Clone for Sender<T> {
            fn clone(&self) -> Self {
                *self.latch.live.lock().unwrap() += 1;
                Sender {
                    latch: self.latch.clone(),
                    _msg: PhantomData,
                }
            }
        }

        impl<T> Drop for Sender<T> {
            fn drop(&mut self) {
                let mut live = self.latch.live.lock().unwrap();
                *live -= 1;
                if *live == 0 {
                    self.latch.gone.notify_all();
                }
            }
        }

        impl<T> Receiver<T> {
            pub(super) fn wait_disconnected(&self) {
                let mut live = self.latch.live.lock().unwrap();
                while *live > 0 {
                    live = self.latch.gone.wait(live).unwrap();
                }
            }
        }
    }

    /// Under loom there is no time, so a timed wait is modelled by what it may do: with
    /// a zero `dur` it gives the lock up, lets others run and comes back timed out (the
    /// window a real timeout opens); otherwise it waits for a notification (a wait that
    /// never times out).
    pub(crate) fn wait_timeout<'a, T>(
        condvar: &sync::Condvar,
        mutex: &'a sync::Mutex<T>,
        guard: sync::MutexGuard<'a, T>,
        dur: std::time::Duration,
    ) -> (sync::MutexGuard<'a, T>, bool) {
        if dur.is_zero() {
            drop(guard);
            loom::thread::yield_now();
            (mutex.lock().unwrap(), true)
        } else {
            (condvar.wait(guard).unwrap(), false)
        }
    }

    /// Waits until every sender of `rx` is gone. No time under loom: a timeout is not
    /// modelled (the wait is unbounded), so always `true`.
    pub(crate) fn wait_disconnected(
        rx: &mpsc::Receiver<()>,
        _timeout: Option<std::time::Duration>,
    ) -> bool {
        rx.wait_disconnected();
        true
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

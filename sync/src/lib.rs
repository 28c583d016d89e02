//! robin-sync: runtime-agnostic async synchronization primitives.
//!
//! Everything here relies only on `core::task::Waker`, so it works under robin, tokio,
//! `futures::executor` or any other executor. Names and semantics follow `tokio::sync`, so
//! code ports by renaming the import.
//!
//! | module / type | what |
//! |---|---|
//! | [`Mutex`], [`RwLock`] | async locks whose guards may be held across `.await`; FIFO-fair |
//! | [`Semaphore`] | FIFO counting semaphore; the core the locks are built on |
//! | [`Notify`] | wake one task or all waiting tasks |
//! | [`Barrier`] | wait until `n` tasks arrive |
//! | [`mpsc`] | multi-producer single-consumer queue, bounded or unbounded |
//! | [`oneshot`] | a single value from one task to another |
//! | [`broadcast`] | multi-producer multi-consumer; each receiver sees every value |
//! | [`watch`] | single latest value, receivers see changes |
//!
//! # Design
//!
//! Each primitive keeps its waiters in a FIFO `WaitList` (`waiters.rs`) protected by a plain
//! lock (through the `loom` shim, so loom models check it), wakes tasks only after that
//! lock is released, and gives up a cancelled waiter's place *and* anything it had already
//! been handed (a permit, a notification, a channel slot). No waiter future is `!Unpin` or
//! intrusive; the only `unsafe` is the data cell of [`Mutex`] and [`RwLock`].
//!
//! Every operation that can complete spends one unit of the cooperative budget
//! ([`coop`]), so under robin's runtime a task that always finds its resource ready still
//! yields now and then.
//!
//! ```
//! use robin_sync::{mpsc, Mutex};
//! use futures::executor::block_on;
//!
//! let (tx, mut rx) = mpsc::channel(4);
//! let total = Mutex::new(0);
//! block_on(async {
//!     for i in 1..=3 {
//!         tx.send(i).await.unwrap();
//!     }
//!     drop(tx);
//!     while let Some(i) = rx.recv().await {
//!         *total.lock().await += i;
//!     }
//! });
//! assert_eq!(total.into_inner(), 6);
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod barrier;
mod batch_semaphore;
pub mod broadcast;
pub mod context;
pub mod coop;
mod errors;
mod guard;
mod intrusive;
mod loom;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
mod once_slot;
pub mod oneshot;
mod rwlock;

mod semaphore;
mod set_once;
#[cfg(not(loom))]
mod timer;
mod waiters;
pub mod watch;

pub use barrier::{Barrier, BarrierWaitResult};
pub use errors::{AcquireError, SetError, SetOnceError, TryAcquireError, TryLockError};
pub use mutex::{MappedMutexGuard, Mutex, MutexGuard, OwnedMappedMutexGuard, OwnedMutexGuard};
pub use notify::{Notified, Notify, OwnedNotified};

/// The named future types of the primitives, at tokio's `sync::futures` path.
pub mod futures {
    pub use crate::notify::{Notified, OwnedNotified};
}
pub use once_cell::OnceCell;
pub use rwlock::{
    OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
    RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
pub use semaphore::{OwnedSemaphorePermit, Semaphore, SemaphorePermit};
pub use set_once::SetOnce;

/// The raw-pointer guards and the once-cells' `MaybeUninit` cells, exercised as unit tests
/// so Miri checks them (`cargo +nightly miri test -p robin-sync --lib`).
#[cfg(all(test, not(loom)))]
mod unsafe_paths {
    use crate::{
        MappedMutexGuard, Mutex, MutexGuard, OnceCell, OwnedMappedMutexGuard, OwnedMutexGuard,
        OwnedRwLockMappedWriteGuard, OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock,
        RwLockMappedWriteGuard, RwLockReadGuard, RwLockWriteGuard, SetOnce,
    };
    use std::sync::Arc;

    #[test]
    fn mutex_mapped_guards() {
        let m: Arc<Mutex<[String]>> = Arc::new(Mutex::new(["a".to_string(), "b".to_string()]));
        let g = MutexGuard::map(m.try_lock().unwrap(), |s| &mut s[1]);
        let mut g = MappedMutexGuard::map(g, |s| s);
        g.push('!');
        drop(g);
        let o = OwnedMutexGuard::map(m.clone().try_lock_owned().unwrap(), |s| &mut s[0]);
        let mut o = OwnedMappedMutexGuard::try_map(o, |s| Some(s)).unwrap();
        o.push('?');
        drop(o);
        assert_eq!(&*m.try_lock().unwrap(), ["a?", "b!"]);
    }

    #[test]
    fn rwlock_mapped_guards() {
        let l = Arc::new(RwLock::new(vec![String::from("x")]));
        let w = RwLockWriteGuard::map(l.try_write().unwrap(), |v| &mut v[0]);
        let mut w = RwLockMappedWriteGuard::map(w, |s| s);
        w.push('1');
        drop(w);
        let r = RwLockWriteGuard::downgrade_map(l.try_write().unwrap(), |v| &v[0]);
        let r2 = RwLockReadGuard::map(l.try_read().unwrap(), |v| &v[0]);
        assert_eq!((r.as_str(), r2.as_str()), ("x1", "x1"));
        drop((r, r2));
        let ow = OwnedRwLockWriteGuard::map(l.clone().try_write_owned().unwrap(), |v| &mut v[0]);
        let mut ow = OwnedRwLockMappedWriteGuard::map(ow, |s| s);
        ow.push('2');
        drop(ow);
        let or =
            OwnedRwLockWriteGuard::downgrade_map(l.clone().try_write_owned().unwrap(), |v| &v[0]);
        let or = OwnedRwLockReadGuard::map(or, |s| s.as_str());
        assert_eq!(&*or, "x12");
        drop(or);
        assert_eq!(Arc::try_unwrap(l).unwrap().into_inner(), ["x12"]);
    }

    #[test]
    fn once_cells_own_their_values() {
        let mut c = OnceCell::new();
        c.set(String::from("v")).unwrap();
        assert_eq!(c.get().map(String::as_str), Some("v"));
        assert_eq!(c.take().as_deref(), Some("v"));
        c.set(String::from("w")).unwrap();
        let c2 = c.clone();
        drop(c); // drops "w"
        assert_eq!(c2.into_inner().as_deref(), Some("w"));

        let s = SetOnce::new();
        s.set(String::from("s")).unwrap();
        assert!(s.set(String::from("t")).is_err());
        let s2 = s.clone();
        drop(s);
        assert_eq!(s2.into_inner().as_deref(), Some("s"));
        drop(SetOnce::new_with(Some(String::from("dropped"))));
    }
}

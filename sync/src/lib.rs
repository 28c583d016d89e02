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
//! Each primitive keeps its waiters in a FIFO [`WaitList`](waiters) protected by a plain
//! lock (through the [`loom`] shim, so loom models check it), wakes tasks only after that
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
mod loom;
pub mod mpsc;
mod mutex;
mod notify;
mod once_cell;
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

//! A single-producer, multi-consumer channel that keeps only the latest value.
//!
//! # Design
//!
//! - `value` (reader-writer lock): the current value. Receivers borrow it under the read
//!   lock; the sender replaces or modifies it under the write lock.
//! - `state` (atomic): `version << 1 | CLOSED`. The version is bumped (by 2) with the write
//!   lock held, so a reader holding the read lock sees the version that matches the value.
//!   `CLOSED` is set when the sender is dropped.
//! - `notify_rx`: every change (and the sender's drop) calls `notify_waiters` on it (a few
//!   [`Notify`] shards, each receiver waiting in its own: see `rx_notify`); a receiver
//!   creates its `Notified` *before* checking the version, so a change between the check
//!   and the await is not missed.
//! - `rx_count` and `notify_tx`: the number of receivers, and who waits in
//!   [`Sender::closed`] for it to reach zero.
//!
//! # Cancel safety
//!
//! [`Receiver::changed`], [`Receiver::wait_for`] and [`Sender::closed`] are cancel-safe:
//! a dropped future marks nothing as seen.
use crate::loom::atomic::{AtomicUsize, Ordering::*};
use crate::loom::{Arc, RwLock, RwLockReadGuard};
use crate::notify::Notify;
use std::fmt;
use std::ops::Deref;

pub mod error;
mod rx_notify;

use rx_notify::RxNotify;

use error::{RecvError, SendError};

const CLOSED: usize = 1;
const STEP: usize = 2;

struct Shared<T> {
    value: RwLock<T>,
    state: AtomicUsize,
    rx_count: AtomicUsize,
    /// Live senders; the last one's drop sets `CLOSED`.
    tx_count: AtomicUsize,
    notify_rx: RxNotify,
    notify_tx: Notify,
}

impl<T> Shared<T> {
    fn version(&self) -> usize {
        // Acquire: pairs with the Release bump in `send_if_modified`; seeing a version
        // means seeing the write lock's release of the value that goes with it.
        self.state.load(Acquire) & !CLOSED
    }
}

/// Creates a watch channel holding `init`.
///
/// ```
/// use robin_sync::watch;
/// use futures::executor::block_on;
///
/// let (tx, mut rx) = watch::channel("a");
/// assert_eq!(*rx.borrow(), "a");
/// tx.send("b").unwrap();
/// block_on(async {
///     rx.changed().await.unwrap();
///     assert_eq!(*rx.borrow_and_update(), "b");
///     drop(tx);
///     assert!(rx.changed().await.is_err());
/// });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: AtomicUsize::new(0),
        rx_count: AtomicUsize::new(1),
        tx_count: AtomicUsize::new(1),
        notify_rx: RxNotify::new(),
        notify_tx: Notify::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver {
            shard: shared.notify_rx.pick_shard(),
            shared,
            version: 0,
        },
    )
}

/// Publishes new values. Cloneable: the channel closes when the last sender is dropped.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Observes the latest value and waits for changes. Cloneable.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver has seen.
    version: usize,
    /// The `notify_rx` shard this receiver waits in.
    shard: usize,
}

/// A borrow of the current value; holds a read lock, so keep it short (and never across an
/// `.await`): the sender waits for it to send.
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// Whether the value was not yet marked seen by the receiver when it was borrowed.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert!(rx.borrow().has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Sender<T> {
    /// A sender with no receiver yet (use [`subscribe`](Self::subscribe)).
    ///
    /// ```
    /// let tx = robin_sync::watch::Sender::new(1);
    /// assert_eq!(tx.receiver_count(), 0);
    /// assert_eq!(*tx.subscribe().borrow(), 1);
    /// ```
    pub fn new(init: T) -> Self {
        let (tx, _) = channel(init);
        tx
    }

    /// Replaces the value and notifies receivers; fails (handing the value back) if there
    /// is no receiver.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value even with no receiver, returning the old one.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// ```
    pub fn send_replace(&self, mut value: T) -> T {
        self.send_modify(|old| std::mem::swap(old, &mut value));
        value
    }

    /// Modifies the value in place and notifies receivers (even with no receiver).
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|v| {
            modify(v);
            true
        });
    }

    /// Modifies the value in place; notifies receivers only if `modify` returns `true`.
    /// Returns what `modify` returned. If `modify` panics, receivers are not notified.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(1);
    /// assert!(!tx.send_if_modified(|_| false));
    /// assert!(!rx.has_changed().unwrap());
    /// assert!(tx.send_if_modified(|v| { *v = 2; true }));
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut guard = self.shared.value.write();
        if !modify(&mut guard) {
            return false;
        }
        // Release: pairs with the Acquire in `Shared::version`. Bumped with the write lock
        // held, so it always matches the value readers see.
        self.shared.state.fetch_add(STEP, Release);
        drop(guard);
        self.shared.notify_rx.notify_waiters();
        true
    }

    /// Borrows the current value (the sender has no notion of "seen").
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::watch::channel(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
            has_changed: false,
        }
    }

    /// Whether every receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Completes once every receiver is gone. Cancel-safe.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(());
    /// drop(rx);
    /// futures::executor::block_on(tx.closed());
    /// ```
    pub async fn closed(&self) {
        loop {
            let coop = std::future::poll_fn(crate::coop::poll_proceed).await;
            // Created before the check, so a drop after the check still wakes us.
            let notified = self.shared.notify_tx.notified();
            if self.is_closed() {
                coop.made_progress();
                return;
            }
            drop(coop);
            notified.await;
        }
    }

    /// A new receiver; the current value counts as seen by it.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// let rx2 = tx.subscribe();
    /// assert!(!rx2.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.rx_count.fetch_add(1, Relaxed);
        Receiver {
            version: self.shared.version(),
            shard: self.shared.notify_rx.pick_shard(),
            shared: self.shared.clone(),
        }
    }

    /// Number of live receivers.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(());
    /// let _rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.rx_count.load(Acquire)
    }

    /// Number of senders of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::watch::channel(());
    /// let _tx2 = tx.clone();
    /// assert_eq!(tx.sender_count(), 2);
    /// ```
    pub fn sender_count(&self) -> usize {
        self.shared.tx_count.load(Acquire)
    }

    /// Whether both senders belong to the same channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::watch::channel(());
    /// assert!(tx.same_channel(&tx));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    /// Another sender of the same channel.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::watch::channel(0);
    /// let tx2 = tx.clone();
    /// drop(tx);
    /// tx2.send(1).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// drop(tx2);
    /// assert!(rx.has_changed().is_err());
    /// ```
    fn clone(&self) -> Self {
        // Relaxed: a new sender comes from a live one, which keeps the count above zero.
        self.shared.tx_count.fetch_add(1, Relaxed);
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Default> Default for Sender<T> {
    /// A sender of `T::default()` with no receiver.
    ///
    /// ```
    /// let tx = robin_sync::watch::Sender::<u8>::default();
    /// assert_eq!(*tx.borrow(), 0);
    /// ```
    fn default() -> Self {
        Sender::new(T::default())
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // AcqRel: the last sender's decrement sees every other sender's sends.
        if self.shared.tx_count.fetch_sub(1, AcqRel) == 1 {
            self.shared.state.fetch_or(CLOSED, Release);
            self.shared.notify_rx.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}

/// Waits until the version differs from `*version` (then records it) or the sender is gone.
async fn changed_impl<T>(
    shared: &Shared<T>,
    version: &mut usize,
    shard: usize,
) -> Result<(), RecvError> {
    loop {
        // A change that is already there completes without waiting: spend budget for it
        // (issue 12: a loop on an always-changed watch must still yield).
        let coop = std::future::poll_fn(crate::coop::poll_proceed).await;
        // Created before the check: a change after the check completes it.
        let notified = shared.notify_rx.notified(shard);
        let state = shared.state.load(Acquire);
        let current = state & !CLOSED;
        if current != *version {
            *version = current;
            coop.made_progress();
            return Ok(());
        }
        if state & CLOSED == CLOSED {
            coop.made_progress();
            return Err(RecvError(()));
        }
        // Refunded: the wait below spends its own unit when it completes.
        drop(coop);
        notified.await;
    }
}

impl<T> Receiver<T> {
    /// Borrows the current value without marking it seen.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert_eq!(*rx.borrow(), 2);
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let has_changed = self.shared.version() != self.version;
        Ref { guard, has_changed }
    }

    /// Borrows the current value and marks it seen.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::watch::channel(1);
    /// tx.send(2).unwrap();
    /// assert!(rx.borrow_and_update().has_changed());
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        let current = self.shared.version();
        let has_changed = current != self.version;
        self.version = current;
        Ref { guard, has_changed }
    }

    /// Whether a value not yet seen is there. Fails if the sender is gone.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::watch::channel(1);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// drop(tx);
    /// assert!(rx.has_changed().is_err());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state.load(Acquire);
        if state & CLOSED == CLOSED {
            return Err(RecvError(()));
        }
        Ok(state & !CLOSED != self.version)
    }

    /// Waits for a value not yet seen, and marks it seen. Fails once the sender is gone
    /// and no unseen value is left. Cancel-safe.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// futures::executor::block_on(rx.changed()).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        changed_impl(&self.shared, &mut self.version, self.shard).await
    }

    /// Waits until the value satisfies `f` (checking the current value first), marks it
    /// seen and returns a borrow of it. Fails if the sender is gone first. Cancel-safe.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::watch::channel(0);
    /// std::thread::spawn(move || for i in 1..=5 { tx.send(i).unwrap() });
    /// let r = futures::executor::block_on(rx.wait_for(|v| *v == 5));
    /// assert_eq!(*r.unwrap(), 5);
    /// ```
    pub async fn wait_for(
        &mut self,
        mut f: impl FnMut(&T) -> bool,
    ) -> Result<Ref<'_, T>, RecvError> {
        // `closed` is only learnt from `changed_impl`: a value that arrived together with
        // the close is still offered to `f`.
        let mut closed = false;
        loop {
            let coop = std::future::poll_fn(crate::coop::poll_proceed).await;
            {
                let guard = self.shared.value.read();
                let current = self.shared.version();
                let has_changed = current != self.version;
                self.version = current;
                if (!closed || has_changed) && f(&guard) {
                    coop.made_progress();
                    return Ok(Ref { guard, has_changed });
                }
            }
            drop(coop);
            if closed {
                return Err(RecvError(()));
            }
            closed = changed_impl(&self.shared, &mut self.version, self.shard)
                .await
                .is_err();
        }
    }

    /// Marks the current value as not seen, so the next `changed` completes at once.
    ///
    /// ```
    /// let (_tx, mut rx) = robin_sync::watch::channel(0);
    /// rx.mark_changed();
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn mark_changed(&mut self) {
        // Versions are even (bit 0 is the CLOSED flag, masked off): an odd one never matches.
        self.version = 1;
    }

    /// Marks the current value as seen.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// rx.mark_unchanged();
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.version = self.shared.version();
    }

    /// Whether both receivers belong to the same channel.
    ///
    /// ```
    /// let (_tx, rx) = robin_sync::watch::channel(());
    /// assert!(rx.same_channel(&rx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.rx_count.fetch_add(1, Relaxed);
        Receiver {
            shared: self.shared.clone(),
            version: self.version,
            shard: self.shared.notify_rx.pick_shard(),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // AcqRel: the last receiver's decrement must be seen by `Sender::closed`'s check
        // after it created its `Notified`; the notify call below orders the rest.
        if self.shared.rx_count.fetch_sub(1, AcqRel) == 1 {
            self.shared.notify_tx.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("watch::Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::future::block_on;
    use loom::thread;

    #[test]
    fn latest_value_is_seen() {
        loom::model(|| {
            let (tx, mut rx) = channel(0);
            let t = thread::spawn(move || {
                tx.send(1).unwrap();
                tx.send_modify(|v| *v = 2);
            });
            block_on(async { while rx.changed().await.is_ok() {} });
            assert_eq!(*rx.borrow(), 2);
            t.join().unwrap();
        });
    }

    #[test]
    fn closed_when_receiver_dropped() {
        loom::model(|| {
            let (tx, rx) = channel(0);
            let t = thread::spawn(move || drop(rx));
            block_on(tx.closed());
            assert!(tx.send(1).is_err());
            t.join().unwrap();
        });
    }
}

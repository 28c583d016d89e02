//! A multi-producer, multi-consumer channel where every receiver sees every value.
//!
//! # Design
//!
//! One lock protects a bounded ring (`VecDeque`) of slots. Each slot holds the value and
//! `rem`, the number of receivers that still have to see it (the receivers alive when it
//! was sent). A receiver keeps `next`, the position of the next value it wants. Positions
//! are `u64`, so they never wrap in practice.
//!
//! - A send evicts the oldest slot when the ring is full, then wakes every waiting receiver.
//! - A receive clones the value (the last reader moves it out instead) and decrements
//!   `rem`; slots nobody needs any more are dropped from the front. They always form a
//!   prefix: a receiver that still needs a slot also needs every later one.
//! - A receiver whose `next` fell behind the oldest kept slot gets
//!   [`RecvError::Lagged(n)`](error::RecvError::Lagged) with the number of values it missed
//!   and continues from the oldest kept value.
//!
//! As in tokio, the capacity is rounded up to a power of two (lag counts depend on it).
//!
//! # Cancel safety
//!
//! [`Receiver::recv`] is cancel-safe: a dropped future takes nothing and frees its place.
use crate::loom::{Arc, Lock};
use crate::notify::Notify;
use crate::waiters::{Key, WaitList, WakeList};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

pub mod error;

use error::{RecvError, SendError, TryRecvError};

struct Slot<T> {
    rem: usize,
    val: Option<T>,
}

struct State<T> {
    buf: VecDeque<Slot<T>>,
    /// Position of `buf[0]`.
    head: u64,
    rx_count: usize,
    tx_count: usize,
    /// Live [`WeakSender`]s.
    weak_count: usize,
    waiters: WaitList<()>,
}

impl<T> State<T> {
    fn tail(&self) -> u64 {
        self.head + self.buf.len() as u64
    }

    fn pop_unneeded(&mut self) {
        while self.buf.front().is_some_and(|s| s.rem == 0) {
            self.buf.pop_front();
            self.head += 1;
        }
    }

    /// Forgets receiver `next`'s claim on every slot it has not read; returns the values
    /// nobody needs any more, for the caller to drop once the lock is released.
    fn release_claims(&mut self, next: u64) -> Vec<T> {
        let start = next.max(self.head);
        let mut unneeded = Vec::new();
        for pos in start..self.tail() {
            let slot = &mut self.buf[(pos - self.head) as usize];
            slot.rem -= 1;
            if slot.rem == 0 {
                unneeded.extend(slot.val.take());
            }
        }
        self.pop_unneeded();
        unneeded
    }
}

struct Shared<T> {
    state: Lock<State<T>>,
    cap: usize,
    /// Woken (all) when the last receiver goes; backs [`Sender::closed`].
    no_receivers: Notify,
}

/// Creates a broadcast channel keeping at most `capacity` values for slow receivers;
/// `capacity` is rounded up to the next power of two, as in tokio.
///
/// # Panics
///
/// If `capacity` is 0 or above `usize::MAX >> 1`.
///
/// ```
/// use robin_sync::broadcast::{self, error::RecvError};
/// use futures::executor::block_on;
///
/// let (tx, mut rx1) = broadcast::channel(2);
/// let mut rx2 = tx.subscribe();
/// tx.send(1).unwrap();
/// tx.send(2).unwrap();
/// tx.send(3).unwrap(); // evicts 1
/// block_on(async {
///     assert_eq!(rx1.recv().await, Err(RecvError::Lagged(1)));
///     assert_eq!(rx1.recv().await, Ok(2));
///     assert_eq!(rx2.recv().await, Err(RecvError::Lagged(1)));
///     drop(tx);
///     assert_eq!(rx1.recv().await, Ok(3));
///     assert_eq!(rx1.recv().await, Err(RecvError::Closed));
/// });
/// ```
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let tx = Sender::new(capacity);
    let rx = tx.subscribe();
    (tx, rx)
}

/// Sends values to every receiver. Cloneable.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Receives every value sent after it subscribed.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    next: u64,
}

impl<T> Sender<T> {
    /// Creates the sending half of a broadcast channel with no receiver yet (subscribe
    /// with [`subscribe`](Self::subscribe)); `capacity` is rounded up to a power of two.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 or above `usize::MAX >> 1`.
    ///
    /// ```
    /// let tx = robin_sync::broadcast::Sender::new(3);
    /// assert_eq!(tx.receiver_count(), 0);
    /// assert!(tx.send(1).is_err(), "nobody listens");
    /// let mut rx = tx.subscribe();
    /// for i in 0..5 {
    ///     tx.send(i).unwrap();
    /// }
    /// // Capacity 3 rounds up to 4: only the oldest value was evicted.
    /// assert_eq!(rx.try_recv(), Err(robin_sync::broadcast::error::TryRecvError::Lagged(1)));
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn new(capacity: usize) -> Self {
        assert!(capacity > 0, "broadcast channel capacity cannot be zero");
        assert!(
            capacity <= usize::MAX >> 1,
            "broadcast channel capacity exceeded `usize::MAX / 2`"
        );
        let cap = capacity.next_power_of_two();
        Sender {
            shared: Arc::new(Shared {
                state: Lock::new(State {
                    buf: VecDeque::with_capacity(cap.min(1024)),
                    head: 0,
                    rx_count: 0,
                    tx_count: 1,
                    weak_count: 0,
                    waiters: WaitList::new(),
                }),
                cap,
                no_receivers: Notify::new(),
            }),
        }
    }

    /// Completes once every receiver is gone (at once if there is none). Cancel-safe.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::broadcast::channel::<u8>(2);
    /// let mut closed = Box::pin(tx.closed());
    /// assert!(futures::FutureExt::now_or_never(&mut closed).is_none());
    /// drop(rx);
    /// futures::executor::block_on(closed);
    /// ```
    pub async fn closed(&self) {
        loop {
            let coop = std::future::poll_fn(crate::coop::poll_proceed).await;
            // Created before the check: a last receiver dropped after it still wakes us.
            let notified = self.shared.no_receivers.notified();
            if self.shared.state.lock().rx_count == 0 {
                coop.made_progress();
                return;
            }
            drop(coop);
            notified.await;
        }
    }

    /// A [`WeakSender`]: does not keep the channel open.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel::<u8>(2);
    /// let weak = tx.downgrade();
    /// assert_eq!((tx.strong_count(), tx.weak_count()), (1, 1));
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        self.shared.state.lock().weak_count += 1;
        WeakSender {
            shared: self.shared.clone(),
        }
    }

    /// Number of [`Sender`]s of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel::<u8>(2);
    /// let _tx2 = tx.clone();
    /// assert_eq!(tx.strong_count(), 2);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.shared.state.lock().tx_count
    }

    /// Number of [`WeakSender`]s of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel::<u8>(2);
    /// let _w = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.shared.state.lock().weak_count
    }

    /// Sends `value` to every current receiver; returns how many there are. Fails (handing
    /// the value back) if there are none. Never waits: a full ring evicts its oldest value.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::broadcast::channel(4);
    /// assert_eq!(tx.send(1).unwrap(), 1);
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut s = self.shared.state.lock();
        if s.rx_count == 0 {
            return Err(SendError(value));
        }
        let evicted = if s.buf.len() == self.shared.cap {
            s.head += 1;
            s.buf.pop_front()
        } else {
            None
        };
        let rx_count = s.rx_count;
        s.buf.push_back(Slot {
            rem: rx_count,
            val: Some(value),
        });
        let mut wake = WakeList::new();
        while let Some(node) = s.waiters.pop_front() {
            wake.push(node.waker.take());
        }
        drop(s);
        drop(evicted);
        wake.wake_all();
        Ok(rx_count)
    }

    /// A new receiver that will see every value sent from now on.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(late.try_recv(), Ok(2));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        new_receiver(&self.shared)
    }

    /// Number of live receivers.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::broadcast::channel::<()>(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.receiver_count(), 2);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 1);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.state.lock().rx_count
    }

    /// Number of values still kept for some receiver.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// assert_eq!(tx.len(), 2);
    /// rx.try_recv().unwrap();
    /// assert_eq!(tx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.shared.state.lock().buf.len()
    }

    /// Whether no value is kept.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel::<()>(4);
    /// assert!(tx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel::<()>(4);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

fn new_receiver<T>(shared: &Arc<Shared<T>>) -> Receiver<T> {
    let mut s = shared.state.lock();
    s.rx_count += 1;
    let next = s.tail();
    drop(s);
    Receiver {
        shared: shared.clone(),
        next,
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().tx_count += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let mut s = self.shared.state.lock();
        s.tx_count -= 1;
        let mut wake = WakeList::new();
        if s.tx_count == 0 {
            while let Some(node) = s.waiters.pop_front() {
                wake.push(node.waker.take());
            }
        }
        drop(s);
        wake.wake_all();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Sender")
            .field("capacity", &self.shared.cap)
            .finish_non_exhaustive()
    }
}

fn try_recv_locked<T: Clone>(next: &mut u64, s: &mut State<T>) -> Result<T, TryRecvError> {
    if *next < s.head {
        let missed = s.head - *next;
        *next = s.head;
        return Err(TryRecvError::Lagged(missed));
    }
    let idx = (*next - s.head) as usize;
    let Some(slot) = s.buf.get_mut(idx) else {
        return Err(if s.tx_count == 0 {
            TryRecvError::Closed
        } else {
            TryRecvError::Empty
        });
    };
    // Clone (user code, may panic) before touching any count: a panicking `clone` leaves
    // the slot, its `rem` and this receiver's position as they were, so the value is
    // neither lost nor reported as lagged (issue 12, defect 4).
    let value = if slot.rem == 1 {
        slot.val.take()
    } else {
        slot.val.clone()
    };
    slot.rem -= 1;
    *next += 1;
    s.pop_unneeded();
    // Every receiver alive at send time with `next` at or before the slot is counted in
    // `rem`, so a slot we may read always still holds its value.
    value.ok_or(TryRecvError::Empty)
}

impl<T: Clone> Receiver<T> {
    /// Receives the next value. Cancel-safe.
    ///
    /// Returns [`RecvError::Lagged`] if values were evicted before this receiver saw them,
    /// and [`RecvError::Closed`] once every sender is gone and everything was seen.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::broadcast::channel(4);
    /// tx.send("hi").unwrap();
    /// assert_eq!(futures::executor::block_on(rx.recv()), Ok("hi"));
    /// ```
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        Recv {
            rx: self,
            key: None,
        }
        .await
    }

    /// Receives a value if one is ready.
    ///
    /// ```
    /// use robin_sync::broadcast::{self, error::TryRecvError};
    /// let (tx, mut rx) = broadcast::channel::<u8>(4);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut s = self.shared.state.lock();
        try_recv_locked(&mut self.next, &mut s)
    }

    /// Blocks the thread until a value arrives. Not for async code.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::broadcast::channel(1);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.blocking_recv(), Ok(1));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        crate::context::block_on(self.recv())
    }
}

impl<T> Receiver<T> {
    /// A new receiver on the same channel that starts with the next value sent.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut rx2 = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx2.try_recv(), Ok(2));
    /// ```
    pub fn resubscribe(&self) -> Self {
        new_receiver(&self.shared)
    }

    /// Number of values sent since this receiver's position that it has not received yet,
    /// as tokio counts them: values it lagged past (evicted before it saw them) included.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::broadcast::channel(2);
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// tx.send(2).unwrap();
    /// tx.send(3).unwrap(); // evicts 1: still counted until the lag is reported
    /// assert_eq!(rx.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        let s = self.shared.state.lock();
        (s.tail() - self.next) as usize
    }

    /// Whether this receiver has nothing to read right now.
    ///
    /// ```
    /// let (_tx, rx) = robin_sync::broadcast::channel::<()>(4);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether every sender is gone.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::broadcast::channel::<()>(4);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.state.lock().tx_count == 0
    }

    /// Whether both receivers belong to the same channel.
    ///
    /// ```
    /// let (_tx, rx) = robin_sync::broadcast::channel::<()>(4);
    /// assert!(rx.same_channel(&rx.resubscribe()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut s = self.shared.state.lock();
        s.rx_count -= 1;
        let last = s.rx_count == 0;
        let unneeded = s.release_claims(self.next);
        drop(s);
        // User destructors run with no lock held.
        drop(unneeded);
        if last {
            self.shared.no_receivers.notify_waiters();
        }
    }
}

/// A sender that does not keep the channel open: [`upgrade`](Self::upgrade) it to send.
/// Made by [`Sender::downgrade`].
pub struct WeakSender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> WeakSender<T> {
    /// A [`Sender`], if any sender is still alive.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::broadcast::channel(2);
    /// let weak = tx.downgrade();
    /// weak.upgrade().unwrap().send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        let mut s = self.shared.state.lock();
        if s.tx_count == 0 {
            return None;
        }
        s.tx_count += 1;
        drop(s);
        Some(Sender {
            shared: self.shared.clone(),
        })
    }

    /// Number of [`Sender`]s of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel::<u8>(2);
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.shared.state.lock().tx_count
    }

    /// Number of [`WeakSender`]s of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::broadcast::channel::<u8>(2);
    /// let weak = tx.downgrade();
    /// let _w2 = weak.clone();
    /// assert_eq!(weak.weak_count(), 2);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.shared.state.lock().weak_count
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().weak_count += 1;
        WeakSender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.shared.state.lock().weak_count -= 1;
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::WeakSender")
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("broadcast::Receiver")
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

struct Recv<'a, T> {
    rx: &'a mut Receiver<T>,
    key: Option<Key>,
}

impl<T: Clone> Future for Recv<'_, T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(crate::coop::poll_proceed(cx));
        let this = &mut *self;
        let rx = &mut *this.rx;
        // Declared before the guard, so dropped after it: a waker is user code.
        let _stale_waker;
        let mut s = rx.shared.state.lock();
        let res = match try_recv_locked(&mut rx.next, &mut s) {
            Ok(v) => Ok(v),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Closed) => Err(RecvError::Closed),
            Err(TryRecvError::Empty) => {
                match this.key {
                    Some(key) if s.waiters.get_mut(key).is_linked() => {
                        _stale_waker = s.waiters.get_mut(key).set_waker(cx);
                    }
                    old => {
                        if let Some(key) = old {
                            _stale_waker = s.waiters.remove(key).waker;
                        }
                        this.key = Some(s.waiters.push_back(Some(cx.waker().clone()), ()));
                    }
                }
                return Poll::Pending;
            }
        };
        if let Some(key) = this.key.take() {
            _stale_waker = s.waiters.remove(key).waker;
        }
        drop(s);
        coop.made_progress();
        Poll::Ready(res)
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut s = self.rx.shared.state.lock();
            let node = s.waiters.remove(key);
            drop(s);
            drop(node);
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::future::block_on;
    use loom::thread;

    #[test]
    fn receive_all_or_lag_then_close() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            let t = thread::spawn(move || {
                tx.send(1).unwrap();
                tx.send(2).unwrap();
            });
            block_on(async {
                let mut seen = Vec::new();
                loop {
                    match rx.recv().await {
                        Ok(v) => seen.push(v),
                        Err(RecvError::Lagged(n)) => assert_eq!(n, 1),
                        Err(RecvError::Closed) => break,
                    }
                }
                assert_eq!(seen.last(), Some(&2), "the last value is never lost");
            });
            t.join().unwrap();
        });
    }

    #[test]
    fn two_receivers_each_see_all() {
        loom::model(|| {
            let (tx, rx) = channel(2);
            let ts: Vec<_> = (0..2)
                .map(|_| {
                    let mut rx = rx.resubscribe();
                    thread::spawn(move || {
                        block_on(async {
                            let mut v = Vec::new();
                            while let Ok(x) = rx.recv().await {
                                v.push(x);
                            }
                            v
                        })
                    })
                })
                .collect();
            drop(rx);
            tx.send(1).unwrap();
            tx.send(2).unwrap();
            drop(tx);
            for t in ts {
                assert_eq!(t.join().unwrap(), [1, 2]);
            }
        });
    }
}

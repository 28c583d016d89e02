//! The bounded channel: [`channel`], [`Sender`], [`Receiver`], [`Permit`].
use super::chan::{Chan, ReserveState};
#[cfg(not(loom))]
use super::error::SendTimeoutError;
use super::error::{SendError, TryRecvError, TrySendError};
use crate::loom::Arc;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Creates a bounded channel holding at most `buffer` messages.
///
/// # Panics
///
/// If `buffer` is 0.
///
/// ```
/// use robin_sync::mpsc;
/// use futures::executor::block_on;
///
/// let (tx, mut rx) = mpsc::channel(1);
/// block_on(async {
///     tx.send("a").await.unwrap();
///     assert!(tx.try_send("b").is_err()); // full
///     assert_eq!(rx.recv().await, Some("a"));
///     drop(tx);
///     assert_eq!(rx.recv().await, None);
/// });
/// ```
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let chan = Chan::new(Some(buffer));
    (Sender { chan: chan.clone() }, Receiver { chan })
}

/// Sends values into a bounded channel. Cloneable; the channel ends when all are dropped.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// A sender that does not keep the channel open; [`upgrade`](WeakSender::upgrade) it to send.
pub struct WeakSender<T> {
    chan: Arc<Chan<T>>,
}

/// Receives values from a bounded channel.
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
}

/// A reserved slot in the channel: [`send`](Permit::send) cannot fail or wait.
/// Dropping it unused frees the slot.
pub struct Permit<'a, T> {
    chan: &'a Chan<T>,
}

/// An owned version of [`Permit`], holding its [`Sender`].
pub struct OwnedPermit<T> {
    sender: Option<Sender<T>>,
}

/// `n` reserved slots, handed out one [`Permit`] at a time by [`Sender::reserve_many`] and
/// [`Sender::try_reserve_many`]. Dropping it frees the slots not yet handed out.
pub struct PermitIterator<'a, T> {
    chan: &'a Chan<T>,
    n: usize,
}

/// The future of a slot reservation; dropping it gives up its place and any slots it was
/// granted. With `value` set (a `send`), the granted slot is filled with it at once.
struct Reserve<'a, T> {
    chan: &'a Chan<T>,
    n: usize,
    st: ReserveState,
    value: Option<T>,
}

impl<T> Reserve<'_, T> {
    fn poll_reserve(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
        self.chan
            .poll_reserve(&mut self.st, self.n, &mut self.value, cx)
    }
}

// The reservation holds no self-reference: a `T` being sent is moved, never pinned.
impl<T> Unpin for Reserve<'_, T> {}

impl<T> Future for Reserve<'_, T> {
    type Output = Result<(), ()>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.poll_reserve(cx)
    }
}

impl<T> Drop for Reserve<'_, T> {
    fn drop(&mut self) {
        self.chan.cancel_reserve(&mut self.st, self.n);
    }
}

impl<T> Sender<T> {
    fn reserve_inner(&self) -> Reserve<'_, T> {
        self.reserve_n(1)
    }

    fn reserve_n(&self, n: usize) -> Reserve<'_, T> {
        Reserve {
            chan: &self.chan,
            n,
            st: ReserveState::Idle,
            value: None,
        }
    }

    /// Sends `value`, waiting at most `timeout` for room. Fails with
    /// [`SendTimeoutError::Timeout`] (handing the value back) if the channel stayed full,
    /// or [`SendTimeoutError::Closed`] if the receiver closed.
    ///
    /// The timeout is measured in real time by robin-sync's own timer thread (robin-sync
    /// cannot use robin's timer without reversing the crates' dependency; see the
    /// `timer` module): it works under any executor, and a paused robin clock does not
    /// affect it. Not available under `--cfg loom`.
    ///
    /// ```
    /// use robin_sync::mpsc::{self, error::SendTimeoutError};
    /// use std::time::Duration;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// futures::executor::block_on(async {
    ///     tx.send_timeout(1, Duration::from_millis(10)).await.unwrap();
    ///     // Full: the second send times out and hands the value back.
    ///     let err = tx.send_timeout(2, Duration::from_millis(10)).await.unwrap_err();
    ///     assert!(matches!(err, SendTimeoutError::Timeout(2)));
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     rx.close();
    ///     let err = tx.send_timeout(3, Duration::from_millis(10)).await.unwrap_err();
    ///     assert!(matches!(err, SendTimeoutError::Closed(3)));
    /// });
    /// ```
    #[cfg(not(loom))]
    pub async fn send_timeout(
        &self,
        value: T,
        timeout: std::time::Duration,
    ) -> Result<(), SendTimeoutError<T>> {
        let mut reserve = std::pin::pin!(self.reserve_inner());
        let mut sleep = std::pin::pin!(crate::timer::sleep(timeout));
        let granted = poll_fn(|cx| {
            if let Poll::Ready(r) = reserve.as_mut().poll(cx) {
                return Poll::Ready(Some(r));
            }
            sleep.as_mut().poll(cx).map(|()| None)
        })
        .await;
        match granted {
            Some(Ok(())) => {
                self.chan.send_reserved(value);
                Ok(())
            }
            Some(Err(())) => Err(SendTimeoutError::Closed(value)),
            None => Err(SendTimeoutError::Timeout(value)),
        }
    }

    /// Waits for `n` slots and reserves them all at once (FIFO with other senders).
    /// Fails if the receiver is closed or `n` exceeds the channel's capacity. Cancel-safe:
    /// a dropped call loses its place and frees the slots it had been given.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(2);
    /// futures::executor::block_on(async {
    ///     let mut permits = tx.reserve_many(2).await.unwrap();
    ///     assert!(tx.try_send(0).is_err());
    ///     permits.next().unwrap().send(1);
    ///     permits.next().unwrap().send(2);
    ///     assert!(permits.next().is_none());
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, Some(2));
    ///     assert!(tx.reserve_many(3).await.is_err(), "more than the capacity");
    /// });
    /// ```
    pub async fn reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, SendError<()>> {
        if n > self.max_capacity() {
            return Err(SendError(()));
        }
        self.reserve_n(n).await.map_err(|()| SendError(()))?;
        Ok(PermitIterator {
            chan: &self.chan,
            n,
        })
    }

    /// Reserves `n` slots now if that many are free (and nobody waits ahead).
    ///
    /// ```
    /// use robin_sync::mpsc::{self, error::TrySendError};
    /// let (tx, _rx) = mpsc::channel::<u8>(2);
    /// let permits = tx.try_reserve_many(2).unwrap();
    /// assert_eq!(permits.len(), 2);
    /// assert!(matches!(tx.try_reserve_many(1), Err(TrySendError::Full(()))));
    /// drop(permits);
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn try_reserve_many(&self, n: usize) -> Result<PermitIterator<'_, T>, TrySendError<()>> {
        if n > self.max_capacity() {
            return Err(TrySendError::Full(()));
        }
        self.chan.try_reserve(n)?;
        Ok(PermitIterator {
            chan: &self.chan,
            n,
        })
    }

    /// Sends `value`, waiting for room. Fails (handing the value back) if the receiver is
    /// closed.
    ///
    /// Cancel safety: if the future is dropped before completing, nothing was sent (the
    /// value is dropped with it). Use [`reserve`](Self::reserve) to keep the value.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel(1);
    /// drop(rx);
    /// let err = futures::executor::block_on(tx.send(5)).unwrap_err();
    /// assert_eq!(err.0, 5);
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        // One lock when there is room; when the channel is full, the slot granted later is
        // filled under the same lock that observes the grant.
        let mut reserve = self.reserve_inner();
        reserve.value = Some(value);
        match poll_fn(|cx| reserve.poll_reserve(cx)).await {
            Ok(()) => Ok(()),
            Err(()) => Err(SendError(
                reserve.value.take().expect("a failed send keeps its value"),
            )),
        }
    }

    /// Sends now if there is room.
    ///
    /// ```
    /// use robin_sync::mpsc::{self, error::TrySendError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// tx.try_send(1).unwrap();
    /// assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    /// rx.close();
    /// assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.chan.try_push(value) {
            Ok(()) => Ok(()),
            Err((value, true)) => Err(TrySendError::Closed(value)),
            Err((value, false)) => Err(TrySendError::Full(value)),
        }
    }

    /// Blocks the thread until the value is sent. Not for async code.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send(9).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(9));
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::context::block_on(self.send(value))
    }

    /// Waits for a slot and reserves it. Cancel-safe: a dropped `reserve` loses its place
    /// in line and frees any slot it had been granted.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(1);
    /// futures::executor::block_on(async {
    ///     let permit = tx.reserve().await.unwrap();
    ///     assert_eq!(tx.capacity(), 0);
    ///     permit.send(7);
    ///     assert_eq!(rx.recv().await, Some(7));
    /// });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        self.reserve_inner().await.map_err(|()| SendError(()))?;
        Ok(Permit { chan: &self.chan })
    }

    /// Like [`reserve`](Self::reserve), but the permit owns the sender. Cancel-safe.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(1);
    /// futures::executor::block_on(async {
    ///     let permit = tx.reserve_owned().await.unwrap();
    ///     let tx = permit.send(1);
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     drop(tx);
    /// });
    /// ```
    pub async fn reserve_owned(self) -> Result<OwnedPermit<T>, SendError<()>> {
        self.reserve_inner().await.map_err(|()| SendError(()))?;
        Ok(OwnedPermit { sender: Some(self) })
    }

    /// Reserves a slot now if one is free.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<u8>(1);
    /// let p = tx.try_reserve().unwrap();
    /// assert!(tx.try_reserve().is_err());
    /// drop(p);
    /// assert!(tx.try_reserve().is_ok());
    /// ```
    pub fn try_reserve(&self) -> Result<Permit<'_, T>, TrySendError<()>> {
        self.chan.try_reserve(1)?;
        Ok(Permit { chan: &self.chan })
    }

    /// Owned version of [`try_reserve`](Self::try_reserve); hands the sender back on
    /// failure.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<u8>(1);
    /// let p = tx.try_reserve_owned().unwrap();
    /// assert_eq!(p.release().capacity(), 1);
    /// ```
    pub fn try_reserve_owned(self) -> Result<OwnedPermit<T>, TrySendError<Self>> {
        match self.chan.try_reserve(1) {
            Ok(()) => Ok(OwnedPermit { sender: Some(self) }),
            Err(TrySendError::Full(())) => Err(TrySendError::Full(self)),
            Err(TrySendError::Closed(())) => Err(TrySendError::Closed(self)),
        }
    }

    /// Whether the receiver has closed or been dropped.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel::<()>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_rx_closed()
    }

    /// Completes once the receiver has closed or been dropped. Cancel-safe.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel::<()>(1);
    /// drop(rx);
    /// futures::executor::block_on(tx.closed());
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Free slots right now.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.capacity()
    }

    /// The buffer size the channel was created with.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(8);
    /// assert_eq!(tx.max_capacity(), 8);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.bound().unwrap_or(usize::MAX)
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (a, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// let (c, _rx2) = robin_sync::mpsc::channel::<()>(1);
    /// assert!(a.same_channel(&a.clone()) && !a.same_channel(&c));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    /// A [`WeakSender`] that does not keep the channel open.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// let weak = tx.downgrade();
    /// assert!(weak.upgrade().is_some());
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakSender<T> {
        self.chan.inc_weak();
        WeakSender {
            chan: self.chan.clone(),
        }
    }

    /// Number of live senders (not counting weak ones).
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// let _tx2 = tx.clone();
    /// assert_eq!(tx.strong_count(), 2);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of [`WeakSender`]s of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// let _w = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<'a, T> Iterator for PermitIterator<'a, T> {
    type Item = Permit<'a, T>;

    fn next(&mut self) -> Option<Permit<'a, T>> {
        if self.n == 0 {
            return None;
        }
        self.n -= 1;
        Some(Permit { chan: self.chan })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.n, Some(self.n))
    }
}

impl<T> ExactSizeIterator for PermitIterator<'_, T> {}

impl<T> std::iter::FusedIterator for PermitIterator<'_, T> {}

impl<T> Drop for PermitIterator<'_, T> {
    fn drop(&mut self) {
        self.chan.release_reserved(self.n);
    }
}

impl<T> fmt::Debug for PermitIterator<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PermitIterator")
            .field("remaining", &self.n)
            .finish_non_exhaustive()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.inc_tx(false);
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_tx();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("chan", &self.chan).finish()
    }
}

impl<T> WeakSender<T> {
    /// A [`Sender`] if any sender is still alive.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// assert!(tx.downgrade().upgrade().is_some());
    /// ```
    pub fn upgrade(&self) -> Option<Sender<T>> {
        self.chan.inc_tx(true).then(|| Sender {
            chan: self.chan.clone(),
        })
    }

    /// Number of [`Sender`]s of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.strong_count(), 1);
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of [`WeakSender`]s of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// let weak = tx.downgrade();
    /// let _w2 = weak.clone();
    /// assert_eq!(weak.weak_count(), 2);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> Clone for WeakSender<T> {
    fn clone(&self) -> Self {
        self.chan.inc_weak();
        WeakSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for WeakSender<T> {
    fn drop(&mut self) {
        self.chan.dec_weak();
    }
}

impl<T> fmt::Debug for WeakSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakSender").finish_non_exhaustive()
    }
}

impl<T> Receiver<T> {
    /// Receives the next message, or `None` once every sender is gone (or the channel was
    /// closed and no permit is outstanding) and the buffer is drained.
    ///
    /// Cancel-safe: if the future is dropped, no message was taken.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// futures::executor::block_on(async {
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.chan.poll_recv(cx)).await
    }

    /// Receives up to `limit` messages into `buffer`, waiting for at least one; returns how
    /// many were added (0 only when the channel is finished or `limit` is 0). Cancel-safe.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(4);
    /// for i in 0..3 { tx.try_send(i).unwrap(); }
    /// let mut buf = Vec::new();
    /// assert_eq!(futures::executor::block_on(rx.recv_many(&mut buf, 2)), 2);
    /// assert_eq!(buf, [0, 1]);
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.chan.poll_recv_many(cx, buffer, limit)).await
    }

    /// Receives a message if one is buffered.
    ///
    /// ```
    /// use robin_sync::mpsc::{self, error::TryRecvError};
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Blocks the thread until a message arrives. Not for async code.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(1);
    /// tx.try_send(3).unwrap();
    /// assert_eq!(rx.blocking_recv(), Some(3));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        crate::context::block_on(self.recv())
    }

    /// Polls for up to `limit` messages into `buffer` (for hand-written futures); `Ready(0)`
    /// only when the channel is finished or `limit` is 0.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    /// let (tx, mut rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// let mut buf = Vec::new();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv_many(&mut cx, &mut buf, 4), Poll::Ready(1));
    /// assert_eq!(buf, [1]);
    /// ```
    pub fn poll_recv_many(
        &mut self,
        cx: &mut Context<'_>,
        buffer: &mut Vec<T>,
        limit: usize,
    ) -> Poll<usize> {
        self.chan.poll_recv_many(cx, buffer, limit)
    }

    /// Blocking version of [`recv_many`](Self::recv_many). Not for async code: panics
    /// inside a runtime.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// drop(tx);
    /// let mut buf = Vec::new();
    /// assert_eq!(rx.blocking_recv_many(&mut buf, 4), 1);
    /// assert_eq!(rx.blocking_recv_many(&mut buf, 4), 0);
    /// ```
    #[track_caller]
    pub fn blocking_recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        crate::context::block_on(self.recv_many(buffer, limit))
    }

    /// Number of senders (not weak ones) still alive.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// let _tx2 = tx.clone();
    /// assert_eq!(rx.sender_strong_count(), 2);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of weak senders still alive.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// let _w = tx.downgrade();
    /// assert_eq!(rx.sender_weak_count(), 1);
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        self.chan.weak_count()
    }

    /// Polls for the next message (for hand-written futures and streams).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Closes the channel: sends fail from now on and waiting senders are woken with an
    /// error, but buffered messages (and those sent through permits already held) can still
    /// be received.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(1).unwrap();
    /// rx.close();
    /// assert!(tx.try_send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        self.chan.close_rx();
    }

    /// Whether the channel is closed (by [`close`](Self::close) or because every sender is
    /// gone).
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel::<()>(1);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_rx_closed() || self.chan.tx_count() == 0
    }

    /// Number of buffered messages.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether nothing is buffered.
    ///
    /// ```
    /// let (_tx, rx) = robin_sync::mpsc::channel::<()>(2);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Free slots right now.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.chan.capacity()
    }

    /// The buffer size the channel was created with.
    ///
    /// ```
    /// let (_tx, rx) = robin_sync::mpsc::channel::<()>(2);
    /// assert_eq!(rx.max_capacity(), 2);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.bound().unwrap_or(usize::MAX)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.drop_rx();
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> Permit<'_, T> {
    /// Sends through the reserved slot; never waits or fails (if the receiver is gone the
    /// value is dropped).
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(1);
    /// tx.try_reserve().unwrap().send(4);
    /// assert_eq!(rx.try_recv(), Ok(4));
    /// ```
    pub fn send(self, value: T) {
        let chan = self.chan;
        // The permit only borrows the channel: forgetting it leaks nothing, and skips the
        // Drop that would free the slot we are about to fill.
        std::mem::forget(self);
        chan.send_reserved(value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.chan.release_reserved(1);
    }
}

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}

impl<T> OwnedPermit<T> {
    /// Sends through the reserved slot and gives the sender back.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::channel(1);
    /// let tx = tx.try_reserve_owned().unwrap().send(2);
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn send(mut self, value: T) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("permit holds its sender until used");
        sender.chan.send_reserved(value);
        sender
    }

    /// Gives the slot back unused and returns the sender.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::channel::<()>(1);
    /// let tx = tx.try_reserve_owned().unwrap().release();
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn release(mut self) -> Sender<T> {
        let sender = self
            .sender
            .take()
            .expect("permit holds its sender until used");
        sender.chan.release_reserved(1);
        sender
    }
}

impl<T> Drop for OwnedPermit<T> {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            sender.chan.release_reserved(1);
        }
    }
}

impl<T> fmt::Debug for OwnedPermit<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPermit").finish_non_exhaustive()
    }
}

//! The unbounded channel: [`unbounded_channel`], [`UnboundedSender`], [`UnboundedReceiver`].
use super::chan::Chan;
use super::error::{SendError, TryRecvError};
use crate::loom::Arc;
use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

/// Creates a channel with no bound: sending never waits.
///
/// ```
/// use robin_sync::mpsc;
/// let (tx, mut rx) = mpsc::unbounded_channel();
/// for i in 0..100 {
///     tx.send(i).unwrap();
/// }
/// drop(tx);
/// let got: Vec<i32> = futures::executor::block_on(async {
///     let mut v = Vec::new();
///     while let Some(i) = rx.recv().await {
///         v.push(i);
///     }
///     v
/// });
/// assert_eq!(got, (0..100).collect::<Vec<_>>());
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Chan::new(None);
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver { chan },
    )
}

/// Sends values into an unbounded channel. Cloneable.
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

/// A sender that does not keep the channel open.
pub struct WeakUnboundedSender<T> {
    chan: Arc<Chan<T>>,
}

/// Receives values from an unbounded channel.
pub struct UnboundedReceiver<T> {
    chan: Arc<Chan<T>>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting; fails (handing it back) if the receiver is closed.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::unbounded_channel();
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.send_unbounded(value).map_err(SendError)
    }

    /// Whether the receiver has closed or been dropped.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_rx_closed()
    }

    /// Completes once the receiver has closed or been dropped. Cancel-safe.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// drop(rx);
    /// futures::executor::block_on(tx.closed());
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }

    /// A weak sender that does not keep the channel open.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(&self) -> WeakUnboundedSender<T> {
        self.chan.inc_weak();
        WeakUnboundedSender {
            chan: self.chan.clone(),
        }
    }

    /// Number of live senders (not counting weak ones).
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// assert_eq!(tx.strong_count(), 1);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of weak senders of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// let _w = tx.downgrade();
    /// assert_eq!(tx.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.inc_tx(false);
        UnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_tx();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("chan", &self.chan)
            .finish()
    }
}

impl<T> WeakUnboundedSender<T> {
    /// An [`UnboundedSender`] if any sender is still alive.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// assert!(tx.downgrade().upgrade().is_some());
    /// ```
    pub fn upgrade(&self) -> Option<UnboundedSender<T>> {
        self.chan.inc_tx(true).then(|| UnboundedSender {
            chan: self.chan.clone(),
        })
    }

    /// Number of (strong) senders of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// let weak = tx.downgrade();
    /// drop(tx);
    /// assert_eq!(weak.strong_count(), 0);
    /// ```
    pub fn strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of weak senders of the channel.
    ///
    /// ```
    /// let (tx, _rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// let weak = tx.downgrade();
    /// assert_eq!(weak.weak_count(), 1);
    /// ```
    pub fn weak_count(&self) -> usize {
        self.chan.weak_count()
    }
}

impl<T> Clone for WeakUnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.inc_weak();
        WeakUnboundedSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for WeakUnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.dec_weak();
    }
}

impl<T> fmt::Debug for WeakUnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakUnboundedSender")
            .finish_non_exhaustive()
    }
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next message, or `None` once every sender is gone (or the channel is
    /// closed) and the buffer is drained. Cancel-safe.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// assert_eq!(futures::executor::block_on(rx.recv()), Some(1));
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.chan.poll_recv(cx)).await
    }

    /// Receives up to `limit` messages into `buffer`, waiting for at least one. Cancel-safe.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// let mut buf = vec![0];
    /// assert_eq!(futures::executor::block_on(rx.recv_many(&mut buf, 10)), 2);
    /// assert_eq!(buf, [0, 1, 2]);
    /// ```
    pub async fn recv_many(&mut self, buffer: &mut Vec<T>, limit: usize) -> usize {
        poll_fn(|cx| self.chan.poll_recv_many(cx, buffer, limit)).await
    }

    /// Receives a message if one is buffered.
    ///
    /// ```
    /// use robin_sync::mpsc::error::TryRecvError;
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.chan.try_recv()
    }

    /// Blocks the thread until a message arrives. Not for async code.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
    /// std::thread::spawn(move || tx.send(5).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(5));
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
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
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
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
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
    /// let (tx, rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// let _tx2 = tx.clone();
    /// assert_eq!(rx.sender_strong_count(), 2);
    /// ```
    pub fn sender_strong_count(&self) -> usize {
        self.chan.tx_count()
    }

    /// Number of weak senders still alive.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// let _w = tx.downgrade();
    /// assert_eq!(rx.sender_weak_count(), 1);
    /// ```
    pub fn sender_weak_count(&self) -> usize {
        self.chan.weak_count()
    }

    /// Polls for the next message.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.chan.poll_recv(cx)
    }

    /// Closes the channel; buffered messages can still be received.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        self.chan.close_rx();
    }

    /// Whether the channel is closed (by [`close`](Self::close) or all senders gone).
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_rx_closed() || self.chan.tx_count() == 0
    }

    /// Number of buffered messages.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::mpsc::unbounded_channel();
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.chan.len()
    }

    /// Whether nothing is buffered.
    ///
    /// ```
    /// let (_tx, rx) = robin_sync::mpsc::unbounded_channel::<()>();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for UnboundedReceiver<T> {
    fn drop(&mut self) {
        self.chan.drop_rx();
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("chan", &self.chan)
            .finish()
    }
}

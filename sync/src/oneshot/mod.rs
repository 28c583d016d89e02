//! A channel for sending exactly one value between tasks.
//!
//! All state sits behind one lock: the value, whether the sender finished (sent or
//! dropped), whether the receiver closed, and one waker per side.
//!
//! # Cancel safety
//!
//! Awaiting the [`Receiver`] is cancel-safe when done by reference (`&mut rx`): a dropped
//! poll takes nothing, and the value stays for the next poll. [`Sender::closed`] is
//! cancel-safe.
use crate::loom::{Arc, Lock};
use crate::waiters::set_waker;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

pub mod error;

use error::{RecvError, TryRecvError};

struct State<T> {
    value: Option<T>,
    /// The sender sent or was dropped: nothing more will come.
    tx_done: bool,
    /// The receiver closed or was dropped: sends fail.
    rx_closed: bool,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
}

struct Inner<T> {
    state: Lock<State<T>>,
}

/// Creates a oneshot channel.
///
/// ```
/// use robin_sync::oneshot;
/// use futures::executor::block_on;
///
/// let (tx, rx) = oneshot::channel();
/// tx.send(3).unwrap();
/// assert_eq!(block_on(rx), Ok(3));
///
/// let (tx, rx) = oneshot::channel::<u8>();
/// drop(tx);
/// assert!(block_on(rx).is_err());
///
/// let (tx, rx) = oneshot::channel();
/// drop(rx);
/// assert_eq!(tx.send(4), Err(4));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: Lock::new(State {
            value: None,
            tx_done: false,
            rx_closed: false,
            rx_waker: None,
            tx_waker: None,
        }),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver {
            inner,
            terminated: false,
        },
    )
}

/// Sends the one value.
pub struct Sender<T> {
    /// `None` once the value was sent.
    inner: Option<Arc<Inner<T>>>,
}

/// Receives the one value; a future resolving to it (or to [`RecvError`] if the sender was
/// dropped without sending).
pub struct Receiver<T> {
    inner: Arc<Inner<T>>,
    /// Polling (or `try_recv`) already produced the final result.
    terminated: bool,
}

impl<T> Sender<T> {
    /// Sends the value; hands it back if the receiver is closed or gone.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send("x"), Err("x"));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let Some(inner) = self.inner.take() else {
            return Err(value);
        };
        let mut s = inner.state.lock();
        if s.rx_closed {
            s.tx_done = true;
            return Err(value);
        }
        s.value = Some(value);
        s.tx_done = true;
        let waker = s.rx_waker.take();
        drop(s);
        if let Some(w) = waker {
            w.wake();
        }
        Ok(())
    }

    /// Whether the receiver is closed or gone.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::oneshot::channel::<()>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.as_ref().is_none_or(|i| i.state.lock().rx_closed)
    }

    /// Polls for the receiver closing or going away.
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(inner) = &self.inner else {
            return Poll::Ready(());
        };
        let coop = ready!(crate::coop::poll_proceed(cx));
        let mut s = inner.state.lock();
        if s.rx_closed {
            coop.made_progress();
            return Poll::Ready(());
        }
        let stale = set_waker(&mut s.tx_waker, cx);
        drop(s);
        drop(stale);
        Poll::Pending
    }

    /// Completes once the receiver is closed or gone (e.g. to stop computing an unwanted
    /// value). Cancel-safe.
    ///
    /// ```
    /// let (mut tx, rx) = robin_sync::oneshot::channel::<()>();
    /// drop(rx);
    /// futures::executor::block_on(tx.closed());
    /// ```
    pub async fn closed(&mut self) {
        poll_fn(|cx| self.poll_closed(cx)).await
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let mut s = inner.state.lock();
            s.tx_done = true;
            let waker = s.rx_waker.take();
            drop(s);
            if let Some(w) = waker {
                w.wake();
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("sent", &self.inner.is_none())
            .finish()
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it has been sent.
    ///
    /// ```
    /// use robin_sync::oneshot::{self, error::TryRecvError};
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut s = self.inner.state.lock();
        let res = match s.value.take() {
            Some(v) => Ok(v),
            None if s.tx_done || s.rx_closed => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        };
        drop(s);
        self.terminated |= !matches!(res, Err(TryRecvError::Empty));
        res
    }

    /// Whether this receiver already produced its final result (awaiting it, or
    /// `try_recv`, returned the value or the closed error): it must not be polled again.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::oneshot::channel();
    /// assert!(!rx.is_terminated());
    /// tx.send(1).unwrap();
    /// assert!(!rx.is_terminated());
    /// assert_eq!(futures::executor::block_on(&mut rx), Ok(1));
    /// assert!(rx.is_terminated());
    /// ```
    pub fn is_terminated(&self) -> bool {
        self.terminated
    }

    /// Whether no value is waiting to be received: `false` only between a successful
    /// `send` and the receive that takes the value.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::oneshot::channel();
    /// assert!(rx.is_empty());
    /// tx.send(1).unwrap();
    /// assert!(!rx.is_empty());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.terminated || self.inner.state.lock().value.is_none()
    }

    /// Closes the channel: a later `send` fails, but a value sent before can still be
    /// received.
    ///
    /// ```
    /// let (tx, mut rx) = robin_sync::oneshot::channel::<u8>();
    /// rx.close();
    /// assert!(tx.send(1).is_err());
    /// ```
    pub fn close(&mut self) {
        let mut s = self.inner.state.lock();
        if s.rx_closed {
            return;
        }
        s.rx_closed = true;
        let waker = s.tx_waker.take();
        drop(s);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Blocks the thread until the value arrives. Not for async code.
    ///
    /// ```
    /// let (tx, rx) = robin_sync::oneshot::channel();
    /// std::thread::spawn(move || tx.send(8).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(8));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::context::block_on(self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(crate::coop::poll_proceed(cx));
        let mut s = self.inner.state.lock();
        if let Some(v) = s.value.take() {
            drop(s);
            self.terminated = true;
            coop.made_progress();
            return Poll::Ready(Ok(v));
        }
        if s.tx_done || s.rx_closed {
            drop(s);
            self.terminated = true;
            coop.made_progress();
            return Poll::Ready(Err(RecvError(())));
        }
        let stale = set_waker(&mut s.rx_waker, cx);
        drop(s);
        drop(stale);
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut s = self.inner.state.lock();
        s.rx_closed = true;
        let own_waker = s.rx_waker.take();
        let value = s.value.take();
        let waker = s.tx_waker.take();
        drop(s);
        drop(own_waker);
        drop(value);
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::future::block_on;
    use loom::thread;

    #[test]
    fn send_recv() {
        loom::model(|| {
            let (tx, rx) = channel();
            let t = thread::spawn(move || tx.send(1).unwrap());
            assert_eq!(block_on(rx), Ok(1));
            t.join().unwrap();
        });
    }

    #[test]
    fn sender_dropped() {
        loom::model(|| {
            let (tx, rx) = channel::<u8>();
            let t = thread::spawn(move || drop(tx));
            assert!(block_on(rx).is_err());
            t.join().unwrap();
        });
    }

    #[test]
    fn receiver_dropped_vs_send_and_closed() {
        loom::model(|| {
            let (mut tx, rx) = channel::<u8>();
            let t = thread::spawn(move || drop(rx));
            block_on(tx.closed());
            assert_eq!(tx.send(1), Err(1));
            t.join().unwrap();
        });
    }
}

//! Wake one waiting task, or all of them, without sending data.
//!
//! # Protocol
//!
//! - `inner` (lock): the stored permit (at most one) and the FIFO [`WaitList`] of waiting
//!   [`Notified`] futures. A node's data is `None` while it waits and records the kind of
//!   notification (`One` or `All`) once a notifier unlinked it.
//! - `calls` (atomic): how many times [`Notify::notify_waiters`] ran. A [`Notified`] future
//!   reads it when it is *created*; if it has moved by the time the future first locks
//!   `inner`, a `notify_waiters` call happened after creation and the future is ready. That
//!   is what makes "create the future, check the condition, await" race-free.
//!   `notify_waiters` bumps it with the lock held, so under the lock it is exact.
//!
//! # Cancel safety
//!
//! Dropping a [`Notified`] that had been chosen by [`notify_one`](Notify::notify_one) (or
//! had taken the stored permit in [`Notified::enable`]) passes that notification on to the
//! next waiter, or stores it as the permit: a `notify_one` is never lost. `Notified` is
//! therefore cancel-safe in the sense that matters: dropping it loses no wakeup (though a
//! `notify_waiters` that reached it is not passed on, as there is nobody to pass it to).
use crate::loom::atomic::{AtomicUsize, Ordering::*};
use crate::loom::Lock;
use crate::waiters::{Key, WaitList, WakeList};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    One,
    All,
}

struct Inner {
    permit: bool,
    waiters: WaitList<Option<Kind>>,
}

/// Notifies one task or all waiting tasks of an event.
///
/// [`notify_one`](Self::notify_one) wakes the oldest waiter, or, if nobody waits, stores a
/// single permit that the next [`notified`](Self::notified) consumes at once.
/// [`notify_waiters`](Self::notify_waiters) wakes every waiter and stores nothing.
///
/// ```
/// use robin_sync::Notify;
/// use futures::executor::block_on;
///
/// let notify = Notify::new();
/// notify.notify_one(); // nobody waits: the permit is stored
/// block_on(notify.notified()); // consumes it without waiting
///
/// let n = notify.notified();
/// futures::pin_mut!(n);
/// n.as_mut().enable(); // registered before the call below
/// notify.notify_waiters();
/// block_on(n);
/// ```
pub struct Notify {
    calls: AtomicUsize,
    inner: Lock<Inner>,
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.lock();
        f.debug_struct("Notify")
            .field("permit", &inner.permit)
            .field("waiters", &inner.waiters.len())
            .finish()
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl Notify {
    /// Creates a `Notify` with no permit and no waiters.
    ///
    /// ```
    /// let n = robin_sync::Notify::new();
    /// assert!(futures::FutureExt::now_or_never(n.notified()).is_none());
    /// ```
    pub fn new() -> Self {
        Notify {
            calls: AtomicUsize::new(0),
            inner: Lock::new(Inner {
                permit: false,
                waiters: WaitList::new(),
            }),
        }
    }

    /// A future that completes when this `Notify` is notified.
    ///
    /// It counts as waiting for [`notify_waiters`](Self::notify_waiters) from the moment it
    /// is created; for [`notify_one`](Self::notify_one) from its first poll or
    /// [`enable`](Notified::enable).
    ///
    /// ```
    /// let n = robin_sync::Notify::new();
    /// let fut = n.notified();
    /// n.notify_waiters();
    /// futures::executor::block_on(fut); // created before the call: completes
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            // Acquire: pairs with the AcqRel increment in notify_waiters, so if we see its
            // value we also see everything the notifier wrote before it.
            calls: self.calls.load(Acquire),
            state: State::Init,
        }
    }

    /// Wakes the oldest waiter, or stores one permit if nobody waits (permits do not
    /// accumulate).
    ///
    /// ```
    /// let n = robin_sync::Notify::new();
    /// n.notify_one();
    /// n.notify_one();
    /// assert!(futures::FutureExt::now_or_never(n.notified()).is_some());
    /// assert!(futures::FutureExt::now_or_never(n.notified()).is_none());
    /// ```
    pub fn notify_one(&self) {
        let mut inner = self.inner.lock();
        let waker = notify_one_locked(&mut inner);
        drop(inner);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Wakes every task currently waiting (and every `Notified` created before this call);
    /// stores no permit.
    ///
    /// ```
    /// let n = robin_sync::Notify::new();
    /// n.notify_waiters();
    /// assert!(futures::FutureExt::now_or_never(n.notified()).is_none());
    /// ```
    pub fn notify_waiters(&self) {
        let mut wake = WakeList::new();
        let mut inner = self.inner.lock();
        // AcqRel: see `notified`; under the lock, so pollers holding the lock see it exactly.
        self.calls.fetch_add(1, AcqRel);
        while let Some(node) = inner.waiters.pop_front() {
            node.data = Some(Kind::All);
            wake.push(node.waker.take());
        }
        drop(inner);
        wake.wake_all();
    }
}

/// Hands a `notify_one` to the oldest waiter, or stores it as the permit. Returns the waker
/// to wake once the lock is released.
fn notify_one_locked(inner: &mut Inner) -> Option<std::task::Waker> {
    match inner.waiters.pop_front() {
        Some(node) => {
            node.data = Some(Kind::One);
            node.waker.take()
        }
        None => {
            inner.permit = true;
            None
        }
    }
}

enum State {
    /// Not yet registered.
    Init,
    /// Queued (or already unlinked by a notifier; the node says).
    Waiting(Key),
    /// Notified but not yet returned `Ready` (after `enable`).
    Ready(Kind),
    /// Returned `Ready`.
    Done,
}

/// Future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    calls: usize,
    state: State,
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified").finish_non_exhaustive()
    }
}

impl Notified<'_> {
    /// Registers the future for [`Notify::notify_one`] without polling it, so a notification
    /// sent between now and the first poll is not missed. Returns `true` if it is already
    /// notified (the next poll completes).
    ///
    /// ```
    /// let n = robin_sync::Notify::new();
    /// let fut = n.notified();
    /// futures::pin_mut!(fut);
    /// assert!(!fut.as_mut().enable());
    /// n.notify_one(); // goes to `fut`, not into the permit
    /// assert!(fut.as_mut().enable());
    /// futures::executor::block_on(fut);
    /// ```
    pub fn enable(mut self: Pin<&mut Self>) -> bool {
        self.register(None)
    }

    /// Registers (or refreshes) the waiter; `true` if notified.
    fn register(&mut self, cx: Option<&Context<'_>>) -> bool {
        match self.state {
            State::Ready(_) | State::Done => true,
            State::Init => {
                let mut inner = self.notify.inner.lock();
                if self.notify.calls.load(Acquire) != self.calls {
                    self.state = State::Ready(Kind::All);
                    return true;
                }
                if inner.permit {
                    inner.permit = false;
                    self.state = State::Ready(Kind::One);
                    return true;
                }
                let key = inner
                    .waiters
                    .push_back(cx.map(|cx| cx.waker().clone()), None);
                self.state = State::Waiting(key);
                false
            }
            State::Waiting(key) => {
                let mut inner = self.notify.inner.lock();
                let node = inner.waiters.get_mut(key);
                match node.data {
                    Some(kind) => {
                        inner.waiters.remove(key);
                        self.state = State::Ready(kind);
                        true
                    }
                    None => {
                        if let Some(cx) = cx {
                            node.set_waker(cx);
                        }
                        false
                    }
                }
            }
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::coop::poll_proceed(cx));
        if let State::Done = self.state {
            return Poll::Ready(());
        }
        if self.register(Some(cx)) {
            self.state = State::Done;
            coop.made_progress();
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let forward = match self.state {
            State::Waiting(key) => {
                let mut inner = self.notify.inner.lock();
                let node = inner.waiters.remove(key);
                if node.data == Some(Kind::One) {
                    notify_one_locked(&mut inner)
                } else {
                    None
                }
            }
            State::Ready(Kind::One) => {
                // Chosen by notify_one (or took the permit) but never completed.
                let mut inner = self.notify.inner.lock();
                notify_one_locked(&mut inner)
            }
            _ => None,
        };
        if let Some(w) = forward {
            w.wake();
        }
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::Arc;
    use loom::future::block_on;
    use loom::thread;
    use std::task::Waker;

    #[test]
    fn notify_one_wakes_or_stores() {
        loom::model(|| {
            let n = Arc::new(Notify::new());
            let n2 = n.clone();
            let t = thread::spawn(move || n2.notify_one());
            block_on(n.notified());
            t.join().unwrap();
        });
    }

    /// Dropping a waiter while `notify_one` picks it must forward the notification.
    #[test]
    fn cancel_while_notified_forwards() {
        loom::model(|| {
            let n = Arc::new(Notify::new());
            let mut first = Box::pin(n.notified());
            assert!(first
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending());
            let n2 = n.clone();
            let t = thread::spawn(move || n2.notify_one());
            drop(first);
            block_on(n.notified()); // must not hang: the permit was forwarded or stored
            t.join().unwrap();
        });
    }

    #[test]
    fn notify_waiters_reaches_enabled() {
        loom::model(|| {
            let n = Arc::new(Notify::new());
            let mut f = Box::pin(n.notified());
            f.as_mut().enable();
            let n2 = n.clone();
            let t = thread::spawn(move || n2.notify_waiters());
            block_on(f);
            t.join().unwrap();
        });
    }

    #[test]
    fn two_waiters_two_notifications() {
        loom::model(|| {
            let n = Arc::new(Notify::new());
            let (tx, mut rx) = crate::mpsc::unbounded_channel();
            let ts: Vec<_> = (0..2)
                .map(|_| {
                    let (n, tx) = (n.clone(), tx.clone());
                    thread::spawn(move || {
                        block_on(n.notified());
                        tx.send(()).unwrap();
                    })
                })
                .collect();
            // Each notify_one releases exactly one waiter (directly or via the permit).
            for _ in 0..2 {
                n.notify_one();
                block_on(rx.recv()).unwrap();
            }
            for t in ts {
                t.join().unwrap();
            }
        });
    }
}

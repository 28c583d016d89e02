//! Wake one waiting task, or all of them, without sending data.
//!
//! # Protocol
//!
//! - `state` (atomic): `calls << 2 | EMPTY/WAITING/NOTIFIED`.
//!   - `NOTIFIED`: one permit is stored (no waiter). `WAITING`: the wait list is non-empty.
//!     `EMPTY`: neither. `WAITING` is entered and left only with the `waiters` lock held,
//!     and while it holds, only lock holders change the word; `EMPTY <-> NOTIFIED` and the
//!     `calls` increment of a `notify_waiters` with nobody waiting are lock-free
//!     compare-and-swaps, so `notify_one`/`notify_waiters` with no waiter, and a
//!     `Notified` that finds the permit, never take the lock.
//!   - `calls` counts [`Notify::notify_waiters`] calls. A [`Notified`] future records it
//!     when it is *created*; if it has moved by the time the future registers, a
//!     `notify_waiters` happened after creation and the future is ready. That makes
//!     "create the future, check the condition, await" race-free. Registering
//!     (`EMPTY -> WAITING`) is a compare-and-swap on the whole word, so it fails if a
//!     lock-free `notify_waiters` bumped `calls` in between, and the future re-checks.
//! - `waiters` (lock): the intrusive FIFO queue (see `intrusive`) of waiting [`Notified`]
//!   futures; each node lives inside its future. A node's atomic `state` is `QUEUED` while
//!   it waits; the notifier that unlinks it stores the kind of notification (`One` or
//!   `All`) there as its last access, so a notified future completes (or, dropped, passes
//!   a `One` on) reading its own node, without the lock.
//!
//! # Cancel safety
//!
//! Dropping a [`Notified`] that had been chosen by [`notify_one`](Notify::notify_one) (or
//! had taken the stored permit in [`Notified::enable`]) passes that notification on to the
//! next waiter, or stores it as the permit: a `notify_one` is never lost. `Notified` is
//! therefore cancel-safe in the sense that matters: dropping it loses no wakeup (though a
//! `notify_waiters` that reached it is not passed on, as there is nobody to pass it to).
use crate::intrusive::{Queue, Waiter as Node, QUEUED};
use crate::loom::atomic::{AtomicUsize, Ordering::*};
use crate::loom::{Lock, MutexGuard, UserArc as Arc};
use crate::waiters::WakeList;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll, Waker};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A `notify_one` (or `notify_last`) handed to this waiter; passed on if it is dropped,
    /// from the same end of the queue.
    One(End),
    All,
}

/// Which end of the wait list a single notification serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The oldest waiter (`notify_one`).
    Front,
    /// The newest waiter (`notify_last`).
    Back,
}

const EMPTY: usize = 0;
const WAITING: usize = 1;
const NOTIFIED: usize = 2;
const STATE_MASK: usize = 3;
const CALL: usize = 4;

fn get_state(word: usize) -> usize {
    word & STATE_MASK
}

fn set_state(word: usize, state: usize) -> usize {
    (word & !STATE_MASK) | state
}

type Waiters = Queue;

impl Kind {
    /// The node-state payload of a notification (never 0, which means "none yet").
    fn encode(self) -> usize {
        let payload = match self {
            Kind::One(End::Front) => 1,
            Kind::One(End::Back) => 2,
            Kind::All => 3,
        };
        payload << 1
    }

    /// The notification stored in an unlinked node's `state`.
    fn decode(state: usize) -> Kind {
        match state >> 1 {
            1 => Kind::One(End::Front),
            2 => Kind::One(End::Back),
            _ => Kind::All,
        }
    }
}

/// Unlinks `node` from `waiters`, takes its waker and stores `kind` in it: the last access
/// to the node (its future may complete and free it right after).
///
/// # Safety
///
/// `node` is linked in `waiters`, whose lock is held.
unsafe fn unlink_notified(waiters: &mut Waiters, node: *const Node, kind: Kind) -> Option<Waker> {
    // SAFETY: linked nodes are valid while the lock is held (their future unlinks them
    // under it before going away); caller contract.
    let node = unsafe { &*node };
    // SAFETY: linked in `waiters` (caller contract).
    unsafe { waiters.remove(node) };
    // SAFETY: the waker cell is only accessed with the lock held.
    let waker = node.waker.with_mut(|p| unsafe { (*p).take() });
    // Release: pairs with the future's Acquire load; what the notifier wrote before
    // notifying is visible to the woken task.
    node.state.store(kind.encode(), Release);
    waker
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
    state: AtomicUsize,
    waiters: Lock<Waiters>,
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = get_state(self.state.load(Acquire));
        f.debug_struct("Notify")
            .field("permit", &(state == NOTIFIED))
            .field("waiting", &(state == WAITING))
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
            state: AtomicUsize::new(EMPTY),
            waiters: Lock::new(Queue::new()),
        }
    }

    /// Creates a `Notify` in a `const` context, so it can live in a `static` (not under
    /// `--cfg loom`, as in tokio).
    ///
    /// ```
    /// use robin_sync::Notify;
    /// static READY: Notify = Notify::const_new();
    /// READY.notify_one();
    /// futures::executor::block_on(READY.notified());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Self {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Lock::new(Queue::new()),
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
            w: Waiter::new(self),
        }
    }

    /// Like [`notified`](Self::notified), but the future owns an `Arc` of the `Notify`, so
    /// it is `'static` and can move into a spawned task.
    ///
    /// ```
    /// use robin_sync::Notify;
    /// use std::sync::Arc;
    /// let n = Arc::new(Notify::new());
    /// let fut = n.clone().notified_owned();
    /// n.notify_waiters(); // created before the call: completes
    /// std::thread::spawn(move || futures::executor::block_on(fut)).join().unwrap();
    /// ```
    pub fn notified_owned(self: Arc<Self>) -> OwnedNotified {
        OwnedNotified {
            w: Waiter::new(&self),
            notify: self,
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
        self.notify_single(End::Front)
    }

    /// Wakes the *newest* waiter (LIFO), or stores one permit if nobody waits, exactly like
    /// [`notify_one`](Self::notify_one) otherwise.
    ///
    /// ```
    /// use robin_sync::Notify;
    /// let n = Notify::new();
    /// let mut first = Box::pin(n.notified());
    /// let mut second = Box::pin(n.notified());
    /// assert!(!first.as_mut().enable());
    /// assert!(!second.as_mut().enable());
    /// n.notify_last();
    /// assert!(second.as_mut().enable(), "the newest waiter got it");
    /// assert!(!first.as_mut().enable());
    /// ```
    pub fn notify_last(&self) {
        self.notify_single(End::Back)
    }

    fn notify_single(&self, end: End) {
        let mut cur = self.state.load(Acquire);
        while get_state(cur) != WAITING {
            // Nobody waits: store the permit (AcqRel: the consumer's Acquire sees what we
            // wrote before notifying).
            match self
                .state
                .compare_exchange_weak(cur, set_state(cur, NOTIFIED), AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
        let mut waiters = self.waiters.lock();
        let waker = self.notify_one_locked(&mut waiters, end);
        drop(waiters);
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Hands a `notify_one` to the oldest waiter, or stores it as the permit. Returns the
    /// waker to wake once the lock is released.
    fn notify_one_locked(&self, waiters: &mut MutexGuard<'_, Waiters>, end: End) -> Option<Waker> {
        let mut cur = self.state.load(Acquire);
        loop {
            if get_state(cur) != WAITING {
                match self.state.compare_exchange_weak(
                    cur,
                    set_state(cur, NOTIFIED),
                    AcqRel,
                    Acquire,
                ) {
                    Ok(_) => return None,
                    Err(actual) => {
                        cur = actual;
                        continue;
                    }
                }
            }
            // WAITING, and we hold the lock: nobody else changes the word.
            let node = match end {
                End::Front => waiters.front(),
                End::Back => waiters.back(),
            };
            let Some(node) = node else {
                debug_assert!(false, "WAITING with an empty wait list");
                self.state.store(set_state(cur, EMPTY), Release);
                continue;
            };
            // SAFETY: `node` is linked in `waiters` (its front or back), lock held.
            let waker = unsafe { unlink_notified(waiters, node, Kind::One(end)) };
            if waiters.is_empty() {
                self.state.store(set_state(cur, EMPTY), Release);
            }
            return waker;
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
        let mut cur = self.state.load(Acquire);
        while get_state(cur) != WAITING {
            // Nobody is registered: bumping `calls` is all there is to do (futures created
            // earlier see the bump when they register).
            match self
                .state
                .compare_exchange_weak(cur, cur + CALL, AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
        let mut wake = WakeList::new();
        let mut waiters = self.waiters.lock();
        let cur = self.state.load(Acquire);
        if get_state(cur) != WAITING {
            // The queue emptied before we got the lock; lock-free updates may race, so add.
            self.state.fetch_add(CALL, AcqRel);
            return;
        }
        while let Some(node) = waiters.front() {
            // SAFETY: `node` is the front of `waiters`, lock held.
            wake.push(unsafe { unlink_notified(&mut waiters, node, Kind::All) });
        }
        // WAITING and locked: nobody else changes the word.
        self.state.store(set_state(cur + CALL, EMPTY), Release);
        drop(waiters);
        wake.wake_all();
    }
}

enum State {
    /// Not yet registered.
    Init,
    /// Queued (or already unlinked by a notifier; the node's `state` says).
    Waiting,
    /// Notified but not yet returned `Ready` (after `enable`).
    Ready(Kind),
    /// Returned `Ready`.
    Done,
}

/// What a waiting future keeps, shared by [`Notified`] and [`OwnedNotified`]; every method
/// is told which `Notify` it belongs to. Holds the queue node, so it is `!Unpin` and its
/// futures only use it pinned.
struct Waiter {
    calls: usize,
    state: State,
    node: Node,
}

impl Waiter {
    fn new(notify: &Notify) -> Self {
        Waiter {
            // Acquire: pairs with the AcqRel `calls` bump of notify_waiters, so seeing its
            // value means seeing what the notifier wrote before the call.
            calls: notify.state.load(Acquire) & !STATE_MASK,
            state: State::Init,
            node: Node::new(),
        }
    }

    /// Without the lock: is a `notify_waiters` call or the permit there for us?
    fn try_take(&self, notify: &Notify, mut cur: usize) -> Result<Kind, usize> {
        loop {
            if cur & !STATE_MASK != self.calls {
                return Ok(Kind::All);
            }
            if get_state(cur) != NOTIFIED {
                return Err(cur);
            }
            match notify
                .state
                .compare_exchange_weak(cur, set_state(cur, EMPTY), AcqRel, Acquire)
            {
                Ok(_) => return Ok(Kind::One(End::Front)),
                Err(actual) => cur = actual,
            }
        }
    }

    /// Registers (or refreshes) the waiter; `true` if notified.
    fn register(&mut self, notify: &Notify, cx: Option<&Context<'_>>) -> bool {
        match self.state {
            State::Ready(_) | State::Done => true,
            State::Init => {
                // Optimistic: the compare-and-swap expects the permit even if the load
                // saw none. Under a notifier storing permits in a loop, the CAS (which
                // reads the word afresh, exclusively) often finds the one the load missed,
                // and the lock is not taken; if it fails, `try_take` goes on from the
                // value it actually found.
                let seen = notify.state.load(Acquire);
                if let Ok(kind) = self.try_take(notify, set_state(seen, NOTIFIED)) {
                    self.state = State::Ready(kind);
                    return true;
                }
                // Cloned before the lock, so the critical section the notifier waits on
                // stays short; declared before the guard, so a clone not needed after all
                // is dropped (user code) after the lock is released.
                let waker = cx.map(|cx| cx.waker().clone());
                let mut waiters = notify.waiters.lock();
                let mut cur = notify.state.load(Acquire);
                loop {
                    match self.try_take(notify, cur) {
                        Ok(kind) => {
                            self.state = State::Ready(kind);
                            return true;
                        }
                        Err(c) => cur = c,
                    }
                    if get_state(cur) == WAITING {
                        break;
                    }
                    // EMPTY -> WAITING; fails if a lock-free notify raced with us.
                    match notify.state.compare_exchange_weak(
                        cur,
                        set_state(cur, WAITING),
                        AcqRel,
                        Acquire,
                    ) {
                        Ok(_) => break,
                        Err(actual) => cur = actual,
                    }
                }
                // SAFETY: the waker cell is only accessed with the lock held (we hold it).
                self.node.waker.with_mut(|p| unsafe { *p = waker });
                self.node.state.store(QUEUED, Relaxed);
                // SAFETY: the node is pinned inside its future (callers only reach this
                // through `Pin<&mut _>`), not linked (Init), and the future's Drop
                // (`cancel`) unlinks it under this lock before the memory goes away.
                unsafe { waiters.push_back(&self.node) };
                self.state = State::Waiting;
                false
            }
            State::Waiting => {
                // Acquire: pairs with the notifier's Release store in `unlink_notified`.
                let st = self.node.state.load(Acquire);
                if st & QUEUED == 0 {
                    self.state = State::Ready(Kind::decode(st));
                    return true;
                }
                let waiters = notify.waiters.lock();
                let st = self.node.state.load(Acquire);
                if st & QUEUED == 0 {
                    drop(waiters);
                    self.state = State::Ready(Kind::decode(st));
                    return true;
                }
                let Some(cx) = cx else { return false };
                // SAFETY: the waker cell is only accessed with the lock held.
                let stale = self
                    .node
                    .waker
                    .with_mut(|p| crate::waiters::set_waker(unsafe { &mut *p }, cx));
                drop(waiters);
                // A waker is user code: dropped with no lock held.
                drop(stale);
                false
            }
        }
    }

    fn poll(&mut self, notify: &Notify, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::coop::poll_proceed(cx));
        if let State::Done = self.state {
            return Poll::Ready(());
        }
        if self.register(notify, Some(cx)) {
            self.state = State::Done;
            coop.made_progress();
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// The future is dropped: leave the queue, and pass on a single notification it got
    /// but never returned.
    fn cancel(&mut self, notify: &Notify) {
        match self.state {
            State::Waiting => {
                let st = self.node.state.load(Acquire);
                if st & QUEUED == 0 {
                    // Unlinked by a notifier, which never touches the node again: pass a
                    // single notification on.
                    if let Kind::One(end) = Kind::decode(st) {
                        notify.notify_single(end);
                    }
                    self.state = State::Done;
                    return;
                }
                let mut waiters = notify.waiters.lock();
                let st = self.node.state.load(Acquire);
                let forward = if st & QUEUED != 0 {
                    // SAFETY: QUEUED, read under the lock, says the node is linked.
                    unsafe { waiters.remove(&self.node) };
                    if waiters.is_empty() {
                        let cur = notify.state.load(Acquire);
                        if get_state(cur) == WAITING {
                            // Locked and WAITING: nobody else changes the word.
                            notify.state.store(set_state(cur, EMPTY), Release);
                        }
                    }
                    None
                } else {
                    match Kind::decode(st) {
                        Kind::One(end) => notify.notify_one_locked(&mut waiters, end),
                        Kind::All => None,
                    }
                };
                // SAFETY: the waker cell is only accessed with the lock held.
                let stale = self.node.waker.with_mut(|p| unsafe { (*p).take() });
                drop(waiters);
                drop(stale);
                if let Some(w) = forward {
                    w.wake();
                }
            }
            // Chosen by notify_one (or took the permit) but never completed: pass it on.
            State::Ready(Kind::One(end)) => notify.notify_single(end),
            _ => {}
        }
        self.state = State::Done;
    }
}

/// Future returned by [`Notify::notified`].
#[must_use = "futures do nothing unless polled"]
pub struct Notified<'a> {
    notify: &'a Notify,
    w: Waiter,
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
    pub fn enable(self: Pin<&mut Self>) -> bool {
        // SAFETY: the waiter (and its queue node) is never moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        this.w.register(this.notify, None)
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the waiter (and its queue node) is never moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        this.w.poll(this.notify, cx)
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        self.w.cancel(self.notify);
    }
}

/// Future returned by [`Notify::notified_owned`]: a [`Notified`] that owns an `Arc` of its
/// `Notify`, so it is `'static` (it can move into a spawned task).
#[must_use = "futures do nothing unless polled"]
pub struct OwnedNotified {
    notify: Arc<Notify>,
    w: Waiter,
}

impl fmt::Debug for OwnedNotified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedNotified").finish_non_exhaustive()
    }
}

impl OwnedNotified {
    /// Registers the future without polling it; see [`Notified::enable`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// let n = Arc::new(robin_sync::Notify::new());
    /// let mut fut = Box::pin(n.clone().notified_owned());
    /// assert!(!fut.as_mut().enable());
    /// n.notify_one();
    /// futures::executor::block_on(fut);
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        // SAFETY: the waiter (and its queue node) is never moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        this.w.register(&this.notify, None)
    }
}

impl Future for OwnedNotified {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the waiter (and its queue node) is never moved out of the pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        this.w.poll(&this.notify, cx)
    }
}

impl Drop for OwnedNotified {
    fn drop(&mut self) {
        self.w.cancel(&self.notify);
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

    /// A future created before a lock-free `notify_waiters` (nobody registered yet) still
    /// completes when it registers later.
    #[test]
    fn created_before_notify_waiters() {
        loom::model(|| {
            let n = Arc::new(Notify::new());
            let f = n.notified();
            let n2 = n.clone();
            let t = thread::spawn(move || n2.notify_waiters());
            block_on(f);
            t.join().unwrap();
        });
    }

    /// A `notify_last` whose chosen waiter is cancelled concurrently is passed on (to the
    /// other waiter) or stored: never lost.
    #[test]
    fn notify_last_cancel_forwards() {
        use std::future::Future;
        use std::task::{Context, Waker};
        loom::model(|| {
            let n = Arc::new(Notify::new());
            let mut a = Box::pin(n.notified());
            let mut b = Box::pin(n.notified());
            let cx = &mut Context::from_waker(Waker::noop());
            assert!(a.as_mut().poll(cx).is_pending());
            assert!(b.as_mut().poll(cx).is_pending());
            let n2 = n.clone();
            let t = thread::spawn(move || n2.notify_last());
            drop(b);
            t.join().unwrap();
            block_on(a);
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::loom::{block_on, Arc};

    /// Two threads ping-pong through two `Notify`s (each `notified` pairs with one
    /// `notify_one`, as a wakeup or the stored permit); under Miri this checks the intrusive
    /// nodes' cross-thread accesses.
    #[test]
    fn ping_pong_threads() {
        let rounds = if cfg!(miri) { 20 } else { 1000 };
        let (ping, pong) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
        let (ping2, pong2) = (ping.clone(), pong.clone());
        let t = std::thread::spawn(move || {
            for _ in 0..rounds {
                block_on(ping2.notified());
                pong2.notify_one();
            }
        });
        for _ in 0..rounds {
            ping.notify_one();
            block_on(pong.notified());
        }
        t.join().unwrap();
    }

    /// Waiters dropped while another thread notifies them pass each `notify_one` on: the
    /// final wait always finds a notification.
    #[test]
    fn cancelled_waiters_forward() {
        let rounds = if cfg!(miri) { 20 } else { 500 };
        let n = Arc::new(Notify::new());
        for _ in 0..rounds {
            let mut a = Box::pin(n.notified());
            assert!(!a.as_mut().enable());
            let n2 = n.clone();
            let t = std::thread::spawn(move || n2.notify_one());
            drop(a);
            t.join().unwrap();
            block_on(n.notified());
        }
    }
}

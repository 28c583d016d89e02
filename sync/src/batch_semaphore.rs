//! The FIFO batch semaphore that [`Semaphore`](crate::Semaphore), [`Mutex`](crate::Mutex)
//! and [`RwLock`](crate::RwLock) are built on.
//!
//! # State
//!
//! - `permits` (atomic): `available << 2 | WAITING | CLOSED`. `WAITING` is set exactly
//!   while the wait queue is non-empty (it is only changed with the `waiters` lock held).
//!   Without waiters, acquire *and* release are a single compare-and-swap and never touch
//!   the lock; a release that finds `WAITING` takes the lock and serves the queue.
//! - `waiters` (lock): intrusive FIFO queue of acquirers (see `intrusive`).
//!   Each node lives inside its [`Acquire`] future (pinned) and carries an atomic
//!   `needed << 1 | QUEUED`: the permits it still needs, and whether it is still linked.
//!   Only lock holders write it; the waiting future reads it *without* the lock, so a
//!   waiter that was served completes without touching the lock again.
//!
//! # Invariant: no permit sits idle while someone waits
//!
//! Whenever the `waiters` lock is released, `WAITING` implies `available == 0`: a release
//! that sees `WAITING` hands permits to queued waiters first (front to back, so the head's
//! large request is served before later small ones: FIFO, nobody is starved) and only adds
//! the remainder to the atomic when the queue has emptied (clearing `WAITING` in the same
//! step); an acquirer that must queue drains the atomic into its own request and sets
//! `WAITING` in one compare-and-swap, under the lock. Every lock-free update is a
//! compare-and-swap on the whole word, so it fails and retries if `WAITING` changed under
//! it. A fast-path `try_acquire` only takes from the atomic, so it can never overtake a
//! queued waiter.
//!
//! # Cancellation
//!
//! Dropping a waiting [`Acquire`] removes its node and releases the permits already
//! assigned to it (a partial batch, or a full one it never observed), which wakes the next
//! waiters: no permit and no wakeup is lost. A notifier that unlinks a node stores its
//! final `state` *last* (after taking its waker): from then on it never touches the node,
//! so a future that sees `QUEUED` clear may complete or be freed without the lock.
use crate::errors::{AcquireError, TryAcquireError};
use crate::intrusive::{Queue, Waiter, QUEUED};
use crate::loom::atomic::{AtomicUsize, Ordering::*};
use crate::loom::{Lock, MutexGuard};
use crate::waiters::WakeList;
use crossbeam_utils::CachePadded;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

const CLOSED: usize = 0b01;
const WAITING: usize = 0b10;
const SHIFT: u32 = 2;

/// Largest number of permits; leaves the top bits free so `available << 1` cannot overflow.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

pub(crate) struct BatchSemaphore {
    permits: CachePadded<AtomicUsize>,
    waiters: Lock<Queue>,
}

impl fmt::Debug for BatchSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl BatchSemaphore {
    pub(crate) fn new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore may not have more than MAX_PERMITS ({MAX_PERMITS}) permits"
        );
        BatchSemaphore {
            permits: CachePadded::new(AtomicUsize::new(permits << SHIFT)),
            waiters: Lock::new(Queue::new()),
        }
    }

    /// `new` usable in a `const` context (a `static`); not under loom, whose atomics and
    /// locks are not `const`.
    #[cfg(not(loom))]
    pub(crate) const fn const_new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore may not have more than MAX_PERMITS permits"
        );
        BatchSemaphore {
            permits: CachePadded::new(AtomicUsize::new(permits << SHIFT)),
            waiters: Lock::new(Queue::new()),
        }
    }

    /// A semaphore with no permits, closed from the start, in a `const` context (a set
    /// `OnceCell`).
    #[cfg(not(loom))]
    pub(crate) const fn const_new_closed() -> Self {
        BatchSemaphore {
            permits: CachePadded::new(AtomicUsize::new(CLOSED)),
            waiters: Lock::new(Queue::new()),
        }
    }

    pub(crate) fn available_permits(&self) -> usize {
        self.permits.load(Acquire) >> SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.permits.load(Acquire) & CLOSED == CLOSED
    }

    /// Takes `n` permits if they are available right now.
    #[inline]
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut cur = self.permits.load(Acquire);
        loop {
            if cur & CLOSED == CLOSED {
                return Err(TryAcquireError::Closed);
            }
            if cur >> SHIFT < n {
                return Err(TryAcquireError::NoPermits);
            }
            // Acquire: synchronizes with the release that put these permits back, so the
            // data a lock protects is seen as its previous holder left it.
            match self
                .permits
                .compare_exchange_weak(cur, cur - (n << SHIFT), AcqRel, Acquire)
            {
                Ok(_) => return Ok(()),
                Err(actual) => cur = actual,
            }
        }
    }

    /// A future resolving once `n` permits are held (or the semaphore is closed).
    pub(crate) fn acquire(&self, n: usize) -> Acquire<'_> {
        Acquire {
            sem: self,
            num: n,
            state: AcqState::Idle,
            node: Waiter::new(),
        }
    }

    /// Returns `n` permits, handing them to waiters in FIFO order first.
    #[inline]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut cur = self.permits.load(Acquire);
        while cur & WAITING == 0 {
            // Release: pairs with the Acquire of the next `try_acquire`, handing over what
            // the previous permit holder wrote.
            match self
                .permits
                .compare_exchange_weak(cur, cur + (n << SHIFT), AcqRel, Acquire)
            {
                Ok(_) => return,
                Err(actual) => cur = actual,
            }
        }
        let w = self.waiters.lock();
        self.release_locked(n, w);
    }

    /// Hands `n` permits to the queue (front first), adds the rest to the atomic and keeps
    /// `WAITING` in step with the queue; releases the lock. `n` may be 0 (just the fix-up
    /// after a waiter left).
    fn release_locked(&self, mut n: usize, mut w: MutexGuard<'_, Queue>) {
        let mut wake = WakeList::new();
        while n > 0 {
            let Some(node) = w.front() else { break };
            // SAFETY: `node` is linked in the queue whose lock we hold; a linked node's
            // future unlinks it (under this lock) before its memory goes away, so it is
            // valid for as long as we hold the lock.
            let node = unsafe { &*node };
            // Relaxed: a linked node's state is only written under the lock we hold.
            let need = node.state.load(Relaxed) >> 1;
            let give = n.min(need);
            n -= give;
            if give == need {
                // SAFETY: `node` is linked in `w` (it is its front), and we hold the lock.
                unsafe { w.remove(node) };
                // SAFETY: the waker cell is only accessed with the lock held, which we do.
                wake.push(node.waker.with_mut(|p| unsafe { (*p).take() }));
                // Release, and the last touch of the node: its future may now complete
                // (its Acquire load sees the permits' previous holder's writes) and free it.
                node.state.store(0, Release);
            } else {
                node.state.store(((need - give) << 1) | QUEUED, Relaxed);
            }
        }
        if w.is_empty() {
            // Add the leftover and clear WAITING in one step. AcqRel as in `release`.
            let mut cur = self.permits.load(Acquire);
            loop {
                let new = (cur + (n << SHIFT)) & !WAITING;
                if new == cur {
                    break;
                }
                match self
                    .permits
                    .compare_exchange_weak(cur, new, AcqRel, Acquire)
                {
                    Ok(_) => break,
                    Err(actual) => cur = actual,
                }
            }
        } else {
            debug_assert_eq!(n, 0, "permits left over while someone waits");
        }
        drop(w);
        wake.wake_all();
    }

    /// Adds `n` new permits, panicking if the total would exceed [`MAX_PERMITS`].
    pub(crate) fn add_permits(&self, n: usize) {
        if n == 0 {
            return;
        }
        let w = self.waiters.lock();
        // Holding the lock: nobody else can add permits meanwhile, so the check is exact.
        let available = self.available_permits();
        assert!(
            available.saturating_add(n) <= MAX_PERMITS,
            "number of added permits ({n}) would overflow MAX_PERMITS ({MAX_PERMITS})"
        );
        self.release_locked(n, w);
    }

    /// Takes up to `n` available permits right now; returns how many were taken.
    pub(crate) fn forget_permits(&self, n: usize) -> usize {
        let mut cur = self.permits.load(Acquire);
        loop {
            let take = (cur >> SHIFT).min(n);
            match self
                .permits
                .compare_exchange_weak(cur, cur - (take << SHIFT), AcqRel, Acquire)
            {
                Ok(_) => return take,
                Err(actual) => cur = actual,
            }
        }
    }

    /// Closes the semaphore: every waiter and every later acquire fails.
    pub(crate) fn close(&self) {
        self.permits.fetch_or(CLOSED, Release);
        let mut wake = WakeList::new();
        let mut w = self.waiters.lock();
        while let Some(node) = w.front() {
            // SAFETY: as in `release_locked`: linked, and we hold the queue's lock.
            let node = unsafe { &*node };
            // SAFETY: `node` is the front of `w`, whose lock we hold.
            unsafe { w.remove(node) };
            // SAFETY: the waker cell is only accessed with the lock held.
            wake.push(node.waker.with_mut(|p| unsafe { (*p).take() }));
            let need = node.state.load(Relaxed) >> 1;
            // Last touch (see `release_locked`): unlinked, still needing `need`.
            node.state.store(need << 1, Release);
        }
        self.permits.fetch_and(!WAITING, AcqRel);
        drop(w);
        wake.wake_all();
    }
}

enum AcqState {
    Idle,
    /// `node` is (or was, until a notifier cleared `QUEUED`) in the queue.
    Waiting,
    Done,
}

/// Future returned by [`BatchSemaphore::acquire`]. Cancel-safe: dropping it returns
/// whatever it had been assigned. Holds its queue node, so it is `!Unpin`.
pub(crate) struct Acquire<'a> {
    sem: &'a BatchSemaphore,
    num: usize,
    state: AcqState,
    node: Waiter,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").field("num", &self.num).finish()
    }
}

impl Acquire<'_> {
    /// First poll that found too few permits: queue up, taking what is there.
    fn poll_enqueue(
        sem: &BatchSemaphore,
        num: usize,
        node: Pin<&Waiter>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), AcquireError>> {
        let mut w = sem.waiters.lock();
        let mut need = num;
        let mut cur = sem.permits.load(Acquire);
        loop {
            if cur & CLOSED == CLOSED {
                return Poll::Ready(Err(AcquireError(())));
            }
            let avail = cur >> SHIFT;
            // Take everything we need, or everything there is and announce that we wait.
            let new = if avail >= need {
                cur - (need << SHIFT)
            } else {
                (cur - (avail << SHIFT)) | WAITING
            };
            match sem.permits.compare_exchange_weak(cur, new, AcqRel, Acquire) {
                Ok(_) => {
                    if avail >= need {
                        return Poll::Ready(Ok(()));
                    }
                    need -= avail;
                    break;
                }
                Err(actual) => cur = actual,
            }
        }
        // SAFETY: the waker cell is only accessed with the lock held (we hold it; the node
        // is not linked yet, so nobody else can reach it anyway).
        node.waker
            .with_mut(|p| unsafe { *p = Some(cx.waker().clone()) });
        node.state.store((need << 1) | QUEUED, Relaxed);
        // SAFETY: the node is pinned inside its future, not linked (a future queues once),
        // and the future's Drop unlinks it under this lock before the memory goes away.
        unsafe { w.push_back(node.get_ref()) };
        Poll::Pending
    }

    /// The node left the queue with `need` permits still missing: done.
    fn finish(&mut self, need: usize) -> Result<(), AcquireError> {
        self.state = AcqState::Done;
        if need == 0 {
            Ok(())
        } else {
            // Unlinked without its full batch: the semaphore was closed. Give back the
            // part of the batch it had been assigned.
            self.sem.release(self.num - need);
            Err(AcquireError(()))
        }
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `node` is never moved out of the future (it is structurally pinned:
        // only `Pin<&Waiter>` / `&Waiter` are made from it below), and nothing else of
        // `Acquire` needs pinning.
        let this = unsafe { self.get_unchecked_mut() };
        let coop = ready!(crate::coop::poll_proceed(cx));
        let res = match this.state {
            AcqState::Done => panic!("Acquire polled after completion"),
            AcqState::Idle => match this.sem.try_acquire(this.num) {
                Ok(()) => Ok(()),
                Err(TryAcquireError::Closed) => Err(AcquireError(())),
                Err(TryAcquireError::NoPermits) => {
                    // SAFETY: `this.node` is pinned with the future (see above).
                    let node = unsafe { Pin::new_unchecked(&this.node) };
                    match Self::poll_enqueue(this.sem, this.num, node, cx) {
                        // Served or failed without queueing.
                        Poll::Ready(r) => r,
                        Poll::Pending => {
                            this.state = AcqState::Waiting;
                            return Poll::Pending;
                        }
                    }
                }
            },
            AcqState::Waiting => {
                // Acquire: pairs with the notifier's Release store of the final state.
                let st = this.node.state.load(Acquire);
                if st & QUEUED == 0 {
                    this.finish(st >> 1)
                } else {
                    let w = this.sem.waiters.lock();
                    let st = this.node.state.load(Acquire);
                    if st & QUEUED == 0 {
                        drop(w);
                        this.finish(st >> 1)
                    } else {
                        // SAFETY: the waker cell is only accessed with the lock held.
                        let stale = this
                            .node
                            .waker
                            .with_mut(|p| crate::waiters::set_waker(unsafe { &mut *p }, cx));
                        drop(w);
                        // A waker is user code: dropped with no lock held.
                        drop(stale);
                        return Poll::Pending;
                    }
                }
            }
        };
        this.state = AcqState::Done;
        coop.made_progress();
        Poll::Ready(res)
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if !matches!(self.state, AcqState::Waiting) {
            return;
        }
        self.state = AcqState::Done;
        let st = self.node.state.load(Acquire);
        if st & QUEUED == 0 {
            // Already unlinked by a notifier, which never touches the node again: hand on
            // what it gave us (a full batch we never observed, or a partial one).
            self.sem.release(self.num - (st >> 1));
            return;
        }
        let mut w = self.sem.waiters.lock();
        let st = self.node.state.load(Acquire);
        if st & QUEUED != 0 {
            // SAFETY: QUEUED, read under the lock, says the node is linked in `w`.
            unsafe { w.remove(&self.node) };
        }
        // SAFETY: the waker cell is only accessed with the lock held.
        let stale = self.node.waker.with_mut(|p| unsafe { (*p).take() });
        // Hand on what we were given (the next waiters may now be served), and clear
        // WAITING if we were the last waiter. Releases the lock.
        self.sem.release_locked(self.num - (st >> 1), w);
        drop(stale);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::Arc;
    use loom::future::block_on;
    use loom::thread;
    use std::pin::pin;
    use std::task::Waker;

    fn poll_once<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn release_wakes_waiter() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(0));
            let s2 = s.clone();
            let t = thread::spawn(move || s2.release(1));
            block_on(s.acquire(1)).unwrap();
            t.join().unwrap();
            assert_eq!(s.available_permits(), 0);
        });
    }

    #[test]
    fn partial_batch_then_rest() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(1));
            let s2 = s.clone();
            let t = thread::spawn(move || s2.release(1));
            block_on(s.acquire(2)).unwrap();
            t.join().unwrap();
            s.release(2);
            assert_eq!(s.available_permits(), 2);
        });
    }

    /// A waiter dropped while a release hands it the permit must pass the permit on.
    #[test]
    fn cancel_while_released() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(0));
            let mut acq = Box::pin(s.acquire(1));
            assert!(poll_once(&mut acq).is_pending());
            let s2 = s.clone();
            let t = thread::spawn(move || s2.release(1));
            drop(acq);
            t.join().unwrap();
            assert_eq!(s.available_permits(), 1, "permit lost");
        });
    }

    /// Cancelling the head waiter hands its partial batch to the next waiter.
    #[test]
    fn cancel_head_serves_next() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(1));
            let mut big = Box::pin(s.acquire(2));
            assert!(poll_once(&mut big).is_pending());
            let s2 = s.clone();
            let t = thread::spawn(move || {
                block_on(s2.acquire(1)).unwrap();
                s2.release(1);
            });
            drop(big);
            t.join().unwrap();
            assert_eq!(s.available_permits(), 1);
        });
    }

    #[test]
    fn close_wakes_waiter() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(0));
            let s2 = s.clone();
            let t = thread::spawn(move || s2.close());
            let mut acq = pin!(s.acquire(1));
            assert!(block_on(acq.as_mut()).is_err());
            t.join().unwrap();
        });
    }

    #[test]
    fn three_threads_share_two_permits() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(2));
            let ts: Vec<_> = (1..=2)
                .map(|n| {
                    let s = s.clone();
                    thread::spawn(move || {
                        block_on(s.acquire(n)).unwrap();
                        s.release(n);
                    })
                })
                .collect();
            block_on(s.acquire(1)).unwrap();
            s.release(1);
            for t in ts {
                t.join().unwrap();
            }
            assert_eq!(s.available_permits(), 2);
        });
    }

    /// A queued waiter in the middle of the queue is dropped while a release serves the
    /// queue: its unlink and the serving walk never race, the front waiter gets its
    /// permit and the dropped one's share comes back.
    #[test]
    fn cancel_middle_while_serving() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(0));
            let mut a = Box::pin(s.acquire(1));
            let mut b = Box::pin(s.acquire(1));
            assert!(poll_once(&mut a).is_pending());
            assert!(poll_once(&mut b).is_pending());
            let s2 = s.clone();
            let t = thread::spawn(move || s2.release(2));
            drop(b);
            block_on(a).unwrap();
            t.join().unwrap();
            assert_eq!(
                s.available_permits(),
                1,
                "the dropped waiter's permit is lost"
            );
        });
    }

    /// A waiter re-polled (new waker stored under the lock) while a release serves it and
    /// takes its waker: it completes either on this poll or the next, never hangs.
    #[test]
    fn repoll_while_served() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(0));
            let mut a = Box::pin(s.acquire(1));
            assert!(poll_once(&mut a).is_pending());
            let s2 = s.clone();
            let t = thread::spawn(move || s2.release(1));
            match poll_once(&mut a) {
                Poll::Ready(r) => r.unwrap(),
                Poll::Pending => block_on(a).unwrap(),
            }
            t.join().unwrap();
            assert_eq!(s.available_permits(), 0);
        });
    }

    /// A waiter holding a partial batch is dropped while the semaphore closes: the part it
    /// was assigned is returned exactly once.
    #[test]
    fn cancel_while_closed() {
        loom::model(|| {
            let s = Arc::new(BatchSemaphore::new(1));
            let mut big = Box::pin(s.acquire(2));
            assert!(poll_once(&mut big).is_pending());
            let s2 = s.clone();
            let t = thread::spawn(move || s2.close());
            drop(big);
            t.join().unwrap();
            assert_eq!(s.available_permits(), 1, "partial batch lost or doubled");
            assert!(s.is_closed());
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst};
    use crate::loom::{block_on, Arc};
    use std::task::Waker;

    /// Threads hand one permit around through the queue; under Miri this checks the
    /// intrusive nodes' cross-thread accesses.
    #[test]
    fn threads_share_one_permit() {
        let rounds = if cfg!(miri) { 20 } else { 500 };
        let s = Arc::new(BatchSemaphore::new(1));
        let held = Arc::new(AtomicUsize::new(0));
        let ts: Vec<_> = (0..3)
            .map(|_| {
                let (s, held) = (s.clone(), held.clone());
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        block_on(s.acquire(1)).unwrap();
                        assert_eq!(held.fetch_add(1, SeqCst), 0, "two holders");
                        held.fetch_sub(1, SeqCst);
                        s.release(1);
                    }
                })
            })
            .collect();
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(s.available_permits(), 1);
    }

    /// Queued acquires dropped while another thread releases and re-acquires: no permit is
    /// lost or duplicated.
    #[test]
    fn cancelled_waiters_lose_nothing() {
        let rounds = if cfg!(miri) { 20 } else { 500 };
        let s = Arc::new(BatchSemaphore::new(2));
        let s2 = s.clone();
        let t = std::thread::spawn(move || {
            for _ in 0..rounds {
                block_on(s2.acquire(2)).unwrap();
                s2.release(2);
            }
        });
        for _ in 0..rounds {
            let mut a = Box::pin(s.acquire(1));
            if let Poll::Ready(r) = a.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                // Got it without queueing: this level has no RAII permit, give it back.
                r.unwrap();
                s.release(1);
            }
            drop(a);
        }
        t.join().unwrap();
        assert_eq!(s.available_permits(), 2);
    }
}

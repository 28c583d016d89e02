//! The FIFO batch semaphore that [`Semaphore`](crate::Semaphore), [`Mutex`](crate::Mutex)
//! and [`RwLock`](crate::RwLock) are built on.
//!
//! # State
//!
//! - `permits` (atomic): `available << 2 | WAITING | CLOSED`. `WAITING` is set exactly
//!   while the wait queue is non-empty (it is only changed with the `waiters` lock held).
//!   Without waiters, acquire *and* release are a single compare-and-swap and never touch
//!   the lock; a release that finds `WAITING` takes the lock and serves the queue.
//! - `waiters` (lock): FIFO queue of acquirers; each node's data is the number of permits it
//!   still needs.
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
//! waiters: no permit and no wakeup is lost.
use crate::errors::{AcquireError, TryAcquireError};
use crate::loom::atomic::{AtomicUsize, Ordering::*};
use crate::loom::{Lock, MutexGuard};
use crate::waiters::{Key, WaitList, WakeList};
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
    waiters: Lock<WaitList<usize>>,
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
            waiters: Lock::new(WaitList::new()),
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
            waiters: Lock::new(WaitList::new()),
        }
    }

    /// A semaphore with no permits, closed from the start, in a `const` context (a set
    /// `OnceCell`).
    #[cfg(not(loom))]
    pub(crate) const fn const_new_closed() -> Self {
        BatchSemaphore {
            permits: CachePadded::new(AtomicUsize::new(CLOSED)),
            waiters: Lock::new(WaitList::new()),
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
    fn release_locked(&self, mut n: usize, mut w: MutexGuard<'_, WaitList<usize>>) {
        let mut wake = WakeList::new();
        while n > 0 {
            let Some((_, node)) = w.front() else { break };
            let give = n.min(node.data);
            node.data -= give;
            n -= give;
            if node.data == 0 {
                if let Some(node) = w.pop_front() {
                    wake.push(node.waker.take());
                }
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
        while let Some(node) = w.pop_front() {
            wake.push(node.waker.take());
        }
        self.permits.fetch_and(!WAITING, AcqRel);
        drop(w);
        wake.wake_all();
    }
}

enum AcqState {
    Idle,
    Waiting(Key),
    Done,
}

/// Future returned by [`BatchSemaphore::acquire`]. Cancel-safe: dropping it returns
/// whatever it had been assigned.
pub(crate) struct Acquire<'a> {
    sem: &'a BatchSemaphore,
    num: usize,
    state: AcqState,
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire").field("num", &self.num).finish()
    }
}

impl Acquire<'_> {
    /// First poll that found too few permits: queue up, taking what is there.
    fn poll_enqueue(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), AcquireError>> {
        let mut w = self.sem.waiters.lock();
        let mut need = self.num;
        let mut cur = self.sem.permits.load(Acquire);
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
            match self
                .sem
                .permits
                .compare_exchange_weak(cur, new, AcqRel, Acquire)
            {
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
        let key = w.push_back(Some(cx.waker().clone()), need);
        self.state = AcqState::Waiting(key);
        Poll::Pending
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), AcquireError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let coop = ready!(crate::coop::poll_proceed(cx));
        // Declared before the lock guard, so dropped after it: a waker is user code.
        let _stale_waker;
        let res = match this.state {
            AcqState::Done => panic!("Acquire polled after completion"),
            AcqState::Idle => match this.sem.try_acquire(this.num) {
                Ok(()) => Ok(()),
                Err(TryAcquireError::Closed) => Err(AcquireError(())),
                Err(TryAcquireError::NoPermits) => ready!(this.poll_enqueue(cx)),
            },
            AcqState::Waiting(key) => {
                let mut w = this.sem.waiters.lock();
                let node = w.get_mut(key);
                if node.data == 0 {
                    _stale_waker = w.remove(key).waker;
                    Ok(())
                } else if !node.is_linked() {
                    // Unlinked without its full batch: the semaphore was closed.
                    let node = w.remove(key);
                    let assigned = this.num - node.data;
                    _stale_waker = node.waker;
                    this.state = AcqState::Done;
                    this.sem.release_locked(assigned, w);
                    Err(AcquireError(()))
                } else {
                    _stale_waker = node.set_waker(cx);
                    return Poll::Pending;
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
        if let AcqState::Waiting(key) = self.state {
            let _stale_waker;
            let mut w = self.sem.waiters.lock();
            let node = w.remove(key);
            let assigned = self.num - node.data;
            _stale_waker = node.waker;
            // Hand on what we were given (the next waiters may now be served), and clear
            // WAITING if we were the last waiter.
            self.sem.release_locked(assigned, w);
        }
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
            let mut acq = s.acquire(1);
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
            let mut big = s.acquire(2);
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
}

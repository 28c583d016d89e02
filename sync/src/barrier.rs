//! A barrier: `n` tasks wait until all `n` have arrived, then all continue.
//!
//! # Cancel safety
//!
//! [`Barrier::wait`] is **not** cancel-safe (as in tokio): once the future has been polled,
//! its arrival counts even if it is dropped, so the barrier may release a generation with
//! fewer live waiters. Dropping it does free its place in the wait list.
use crate::loom::Lock;
use crate::waiters::{Key, WaitList, WakeList};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

struct State {
    arrived: usize,
    generation: usize,
    waiters: WaitList<()>,
}

/// Lets `n` tasks wait for each other; reusable for any number of rounds.
///
/// ```
/// use robin_sync::Barrier;
/// use futures::executor::block_on;
/// use futures::future::join_all;
///
/// let barrier = Barrier::new(3);
/// let results = block_on(join_all((0..3).map(|_| barrier.wait())));
/// assert_eq!(results.iter().filter(|r| r.is_leader()).count(), 1);
/// ```
pub struct Barrier {
    n: usize,
    state: Lock<State>,
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier").field("n", &self.n).finish()
    }
}

impl Barrier {
    /// A barrier releasing its waiters every `n` arrivals (`n == 0` behaves like 1).
    ///
    /// ```
    /// let b = robin_sync::Barrier::new(1);
    /// assert!(futures::executor::block_on(b.wait()).is_leader());
    /// ```
    pub fn new(n: usize) -> Self {
        Barrier {
            n: n.max(1),
            state: Lock::new(State {
                arrived: 0,
                generation: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Arrives and waits for the others. Exactly one task per round (the last to arrive)
    /// gets a result whose [`is_leader`](BarrierWaitResult::is_leader) is `true`.
    /// Not cancel-safe (see the module docs).
    ///
    /// ```
    /// let b = robin_sync::Barrier::new(2);
    /// let (x, y) = futures::executor::block_on(futures::future::join(b.wait(), b.wait()));
    /// assert!(x.is_leader() != y.is_leader());
    /// ```
    pub async fn wait(&self) -> BarrierWaitResult {
        // The arrival itself spends budget (the leader never waits); a waiter spends it
        // again only when its `BarrierWait` completes, so this unit is refunded for it.
        let coop = std::future::poll_fn(crate::coop::poll_proceed).await;
        let generation = {
            let mut s = self.state.lock();
            s.arrived += 1;
            if s.arrived == self.n {
                s.arrived = 0;
                s.generation = s.generation.wrapping_add(1);
                let mut wake = WakeList::new();
                while let Some(node) = s.waiters.pop_front() {
                    wake.push(node.waker.take());
                }
                drop(s);
                wake.wake_all();
                coop.made_progress();
                return BarrierWaitResult(true);
            }
            s.generation
        };
        drop(coop);
        BarrierWait {
            barrier: self,
            generation,
            key: None,
        }
        .await;
        BarrierWaitResult(false)
    }
}

struct BarrierWait<'a> {
    barrier: &'a Barrier,
    generation: usize,
    key: Option<Key>,
}

impl Future for BarrierWait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(crate::coop::poll_proceed(cx));
        let this = &mut *self;
        // Declared before the guard, so dropped after it: a waker is user code.
        let _stale_waker;
        let mut s = this.barrier.state.lock();
        if s.generation != this.generation {
            if let Some(key) = this.key.take() {
                _stale_waker = s.waiters.remove(key).waker;
            }
            coop.made_progress();
            return Poll::Ready(());
        }
        match this.key {
            Some(key) => _stale_waker = s.waiters.get_mut(key).set_waker(cx),
            None => this.key = Some(s.waiters.push_back(Some(cx.waker().clone()), ())),
        }
        Poll::Pending
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut s = self.barrier.state.lock();
            let node = s.waiters.remove(key);
            drop(s);
            drop(node);
        }
    }
}

/// What [`Barrier::wait`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Whether this task was the last to arrive in its round (exactly one per round).
    ///
    /// ```
    /// let b = robin_sync::Barrier::new(1);
    /// assert!(futures::executor::block_on(b.wait()).is_leader());
    /// ```
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::Arc;
    use loom::future::block_on;
    use loom::thread;

    #[test]
    fn one_leader() {
        loom::model(|| {
            let b = Arc::new(Barrier::new(2));
            let b2 = b.clone();
            let t = thread::spawn(move || block_on(b2.wait()).is_leader());
            let me = block_on(b.wait()).is_leader();
            let other = t.join().unwrap();
            assert!(me ^ other, "exactly one leader");
        });
    }
}

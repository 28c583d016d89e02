//! The intrusive FIFO wait queue of [`BatchSemaphore`](crate::batch_semaphore) and
//! [`Notify`](crate::Notify): nodes live inside the waiting futures (pinned), linked by raw
//! pointers, so queueing allocates nothing and a served waiter learns it from its own
//! node's atomic `state`, without the lock.
//!
//! # Ownership protocol
//!
//! "The lock" below is the lock of the primitive that owns the queue.
//!
//! - [`Queue`] always sits inside that [`Lock`](crate::loom::Lock); every method on it runs
//!   with the lock held.
//! - A [`Waiter`] is linked by its own future ([`Queue::push_back`]) and stays valid while
//!   linked: the future's `Drop` takes the lock and unlinks it if still linked, so memory
//!   behind a linked pointer is never freed.
//! - `links` and `waker` are only touched with the lock held. `state` is written only with
//!   the lock held, and read by the owning future without it.
//! - A lock holder that unlinks a node (serving or closing) takes its waker and then
//!   stores the node's final `state` (with `QUEUED` clear) as its *last* access: the
//!   future may complete and free the node as soon as it sees that store.
//!
//! Imports only the loom door.
use crate::loom::atomic::AtomicUsize;
use crate::loom::UnsafeCell;
use std::marker::PhantomPinned;
use std::ptr;
use std::task::Waker;

/// Bit 0 of [`Waiter::state`]: the node is linked in the queue.
pub(crate) const QUEUED: usize = 1;

/// One waiting future's node; lives (pinned) inside the future.
pub(crate) struct Waiter {
    /// `payload << 1 | QUEUED`: whether the node is linked, and what the primitive records
    /// for it (the semaphore: permits still missing; `Notify`: the notification received).
    pub(crate) state: AtomicUsize,
    /// Woken when the node is served (or the primitive closes). Lock-guarded.
    pub(crate) waker: UnsafeCell<Option<Waker>>,
    /// Lock-guarded.
    links: UnsafeCell<Links>,
    /// Linked nodes are pointed to: they must not move.
    _pin: PhantomPinned,
}

struct Links {
    prev: *const Waiter,
    next: *const Waiter,
}

// SAFETY: the raw pointers in `links` and the `waker` cell are only accessed with the
// owning primitive's lock held (module docs), so moving a node to, or sharing it with,
// another thread cannot race on them; `Waker` itself is `Send + Sync`; `state` is atomic.
unsafe impl Send for Waiter {}
// SAFETY: as above: every non-atomic field is accessed only under the semaphore's lock.
unsafe impl Sync for Waiter {}

impl Waiter {
    pub(crate) fn new() -> Self {
        Waiter {
            state: AtomicUsize::new(0),
            waker: UnsafeCell::new(None),
            links: UnsafeCell::new(Links {
                prev: ptr::null(),
                next: ptr::null(),
            }),
            _pin: PhantomPinned,
        }
    }
}

/// Head and tail of the queue; only used with its owner's lock held.
pub(crate) struct Queue {
    head: *const Waiter,
    tail: *const Waiter,
}

// SAFETY: the queue only holds pointers to `Waiter`s (which are `Send + Sync`), and is
// only read or changed with the lock that contains it held.
unsafe impl Send for Queue {}

impl Queue {
    pub(crate) const fn new() -> Self {
        Queue {
            head: ptr::null(),
            tail: ptr::null(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_null()
    }

    /// The oldest waiter, if any. The pointer is valid while the lock is held.
    pub(crate) fn front(&self) -> Option<*const Waiter> {
        (!self.head.is_null()).then_some(self.head)
    }

    /// The newest waiter, if any. The pointer is valid while the lock is held.
    pub(crate) fn back(&self) -> Option<*const Waiter> {
        (!self.tail.is_null()).then_some(self.tail)
    }

    /// Links `w` at the back.
    ///
    /// # Safety
    ///
    /// `w` is not linked in any queue, will not move, and stays valid until it is unlinked
    /// (by [`remove`](Self::remove), under this queue's lock).
    pub(crate) unsafe fn push_back(&mut self, w: &Waiter) {
        let wp: *const Waiter = w;
        let tail = self.tail;
        // SAFETY: the links cell is only accessed with the queue's lock held (we have
        // `&mut Queue`, so we hold it).
        w.links.with_mut(|l| unsafe {
            (*l).prev = tail;
            (*l).next = ptr::null();
        });
        if tail.is_null() {
            self.head = wp;
        } else {
            // SAFETY: `tail` is linked, so valid (caller contract of `push_back`), and its
            // links are ours to change under the lock.
            unsafe { (*tail).links.with_mut(|l| (*l).next = wp) };
        }
        self.tail = wp;
    }

    /// Unlinks `w`.
    ///
    /// # Safety
    ///
    /// `w` is linked in this queue.
    pub(crate) unsafe fn remove(&mut self, w: &Waiter) {
        // SAFETY: the links cell is only accessed with the queue's lock held.
        let (prev, next) = w.links.with_mut(|l| unsafe {
            let pn = ((*l).prev, (*l).next);
            (*l).prev = ptr::null();
            (*l).next = ptr::null();
            pn
        });
        if prev.is_null() {
            self.head = next;
        } else {
            // SAFETY: `prev` is linked in this queue (it precedes `w`), so valid.
            unsafe { (*prev).links.with_mut(|l| (*l).next = next) };
        }
        if next.is_null() {
            self.tail = prev;
        } else {
            // SAFETY: `next` is linked in this queue (it follows `w`), so valid.
            unsafe { (*next).links.with_mut(|l| (*l).prev = prev) };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::pin::pin;

    #[test]
    fn fifo_and_middle_removal() {
        let (a, b, c) = (
            pin!(Waiter::new()),
            pin!(Waiter::new()),
            pin!(Waiter::new()),
        );
        let mut q = Queue::new();
        // SAFETY: each node is pinned on this stack frame, pushed once, and unlinked
        // below before the frame ends.
        unsafe {
            q.push_back(&a);
            q.push_back(&b);
            q.push_back(&c);
            q.remove(&b);
        }
        assert_eq!(q.front(), Some(&*a as *const Waiter));
        assert_eq!(q.back(), Some(&*c as *const Waiter));
        // SAFETY: `a` is the front, so linked.
        unsafe { q.remove(&a) };
        assert_eq!(q.front(), Some(&*c as *const Waiter));
        // SAFETY: `c` is linked.
        unsafe { q.remove(&c) };
        assert!(q.is_empty());
    }
}

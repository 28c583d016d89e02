//! The waiter queue every primitive parks its futures in, and a batch of wakers to wake
//! outside a lock.
//!
//! [`WaitList`] is a FIFO doubly-linked list threaded through a slab (`Vec` of slots,
//! linked by index, no `unsafe`). It always lives inside the owning primitive's [`Lock`],
//! so every method runs with that lock held.
//!
//! # Ownership protocol
//!
//! A waiting future gets a [`Key`] from [`WaitList::push_back`]. The slot behind the key
//! belongs to that future until the future calls [`WaitList::remove`] (when it completes or is
//! dropped). A notifier may *unlink* a node ([`WaitList::pop_front`], [`WaitList::unlink`])
//! and record in its `data` what it handed over (a permit, a notification), but it never
//! frees the slot: so a key is never reused while its future still holds it, and a future
//! dropped after being notified finds in its node what it must pass on.
//!
//! # No user code under a lock
//!
//! A `Waker` is user code: its `wake`, `clone` and `drop` may do anything, including using
//! the very primitive whose lock is held (a waker whose `Drop` sends on the channel). So
//! wakers are never woken nor dropped with a primitive's lock held: [`WakeList`] collects
//! the wakers to wake, and [`Node::set_waker`] and [`WaitList::remove`] hand back the
//! waker they replace or free (`#[must_use]`) for the caller to drop after unlocking.
//! (`will_wake` and `clone` of the *current* context's waker still run under the lock, as
//! in tokio: the waker being polled with is alive and in use.)
//!
//! [`Lock`]: crate::loom::Lock
use std::fmt;
use std::mem::MaybeUninit;
use std::task::{Context, Waker};

const NIL: usize = usize::MAX;

/// A waiter's place in a [`WaitList`]. Only the future that was given it may remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key(usize);

/// One waiting future.
pub(crate) struct Node<T> {
    prev: usize,
    next: usize,
    linked: bool,
    /// The waker to wake when the node is notified; `None` for an enabled, never-polled
    /// future.
    pub(crate) waker: Option<Waker>,
    /// What the primitive records for this waiter (permits still needed, notification...).
    pub(crate) data: T,
}

impl<T> Node<T> {
    /// Whether the node is still queued (not yet handed its wakeup).
    pub(crate) fn is_linked(&self) -> bool {
        self.linked
    }

    /// Stores `cx`'s waker, cloning only if it differs from the stored one. Returns the
    /// waker it replaced: the caller drops it after releasing the lock (see the module
    /// docs, "No user code under a lock").
    #[must_use = "drop the replaced waker after releasing the lock"]
    pub(crate) fn set_waker(&mut self, cx: &Context<'_>) -> Option<Waker> {
        set_waker(&mut self.waker, cx)
    }
}

/// Stores `cx`'s waker in `slot`, cloning only if it differs from the stored one, and
/// returns the waker it replaced, for the caller to drop once no lock is held.
#[must_use = "drop the replaced waker after releasing the lock"]
pub(crate) fn set_waker(slot: &mut Option<Waker>, cx: &Context<'_>) -> Option<Waker> {
    match slot {
        Some(w) if w.will_wake(cx.waker()) => None,
        slot => slot.replace(cx.waker().clone()),
    }
}

enum Slot<T> {
    Free { next_free: usize },
    Used(Node<T>),
}

/// A FIFO queue of waiters with O(1) push, pop and removal from the middle.
pub(crate) struct WaitList<T> {
    slots: Vec<Slot<T>>,
    free: usize,
    head: usize,
    tail: usize,
    linked: usize,
    used: usize,
}

impl<T> fmt::Debug for WaitList<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitList")
            .field("waiting", &self.linked)
            .finish()
    }
}

impl<T> WaitList<T> {
    pub(crate) const fn new() -> Self {
        WaitList {
            slots: Vec::new(),
            free: NIL,
            head: NIL,
            tail: NIL,
            linked: 0,
            used: 0,
        }
    }

    /// Number of linked (still waiting) nodes.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn len(&self) -> usize {
        self.linked
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.linked == 0
    }

    /// Queues a new waiter at the back.
    pub(crate) fn push_back(&mut self, waker: Option<Waker>, data: T) -> Key {
        let node = Node {
            prev: self.tail,
            next: NIL,
            linked: true,
            waker,
            data,
        };
        let idx = if self.free != NIL {
            let idx = self.free;
            match self.slots[idx] {
                Slot::Free { next_free } => self.free = next_free,
                Slot::Used(_) => unreachable!("free list points at a used slot"),
            }
            self.slots[idx] = Slot::Used(node);
            idx
        } else {
            self.slots.push(Slot::Used(node));
            self.slots.len() - 1
        };
        if self.tail != NIL {
            self.node_mut(self.tail).next = idx;
        } else {
            self.head = idx;
        }
        self.tail = idx;
        self.linked += 1;
        self.used += 1;
        Key(idx)
    }

    fn node_mut(&mut self, idx: usize) -> &mut Node<T> {
        match &mut self.slots[idx] {
            Slot::Used(n) => n,
            Slot::Free { .. } => unreachable!("key refers to a freed slot"),
        }
    }

    /// The node behind `key`, mutably.
    pub(crate) fn get_mut(&mut self, key: Key) -> &mut Node<T> {
        self.node_mut(key.0)
    }

    /// The first linked node.
    pub(crate) fn front(&mut self) -> Option<(Key, &mut Node<T>)> {
        if self.head == NIL {
            return None;
        }
        let head = self.head;
        Some((Key(head), self.node_mut(head)))
    }

    /// Unlinks the first node and returns it; its slot stays allocated for its owner.
    pub(crate) fn pop_front(&mut self) -> Option<&mut Node<T>> {
        if self.head == NIL {
            return None;
        }
        let key = Key(self.head);
        self.unlink(key);
        Some(self.node_mut(key.0))
    }

    /// Unlinks `key` from the queue if it is still linked; its slot stays allocated.
    pub(crate) fn unlink(&mut self, key: Key) {
        let (prev, next) = {
            let n = self.node_mut(key.0);
            if !n.linked {
                return;
            }
            n.linked = false;
            let pn = (n.prev, n.next);
            n.prev = NIL;
            n.next = NIL;
            pn
        };
        if prev != NIL {
            self.node_mut(prev).next = next;
        } else {
            self.head = next;
        }
        if next != NIL {
            self.node_mut(next).prev = prev;
        } else {
            self.tail = prev;
        }
        self.linked -= 1;
    }

    /// Unlinks (if needed) and frees `key`, returning its node. Only the key's owner calls it.
    /// The node holds a waker: drop it after releasing the lock.
    #[must_use = "drop the removed node (its waker) after releasing the lock"]
    pub(crate) fn remove(&mut self, key: Key) -> Node<T> {
        self.unlink(key);
        let slot = std::mem::replace(
            &mut self.slots[key.0],
            Slot::Free {
                next_free: self.free,
            },
        );
        self.free = key.0;
        self.used -= 1;
        if self.used == 0 && self.slots.len() > 64 {
            // Give back the memory of a past burst of waiters.
            self.slots = Vec::new();
            self.free = NIL;
        }
        match slot {
            Slot::Used(n) => n,
            Slot::Free { .. } => unreachable!("key refers to a freed slot"),
        }
    }
}

/// Wakers collected under a lock and woken after it is released, so woken tasks never
/// contend on the lock their waker still holds.
///
/// Built for the common case of zero or one waker: `new` writes no slot (the inline slots
/// are uninitialized until pushed), and [`wake_all`](Self::wake_all) works in place, so
/// the list is never copied (moving the former `[Option<Waker>; 16]` by value into
/// `wake_all`, and dropping its 16 slots, cost a 280-byte `memmove` and a 16-slot drop loop
/// per semaphore release: ~5% of the contended semaphore bench's samples).
pub(crate) struct WakeList {
    /// Slots `woken..len` of `inline` hold wakers not yet woken; the others are
    /// uninitialized (never written, or already read out by `wake_all`).
    woken: usize,
    len: usize,
    inline: [MaybeUninit<Waker>; INLINE],
    spill: Vec<Waker>,
}

const INLINE: usize = 16;

impl WakeList {
    #[inline]
    pub(crate) const fn new() -> Self {
        WakeList {
            woken: 0,
            len: 0,
            inline: [const { MaybeUninit::uninit() }; INLINE],
            spill: Vec::new(),
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        let Some(waker) = waker else { return };
        if self.len < INLINE {
            self.inline[self.len].write(waker);
            self.len += 1;
        } else {
            self.spill.push(waker);
        }
    }

    /// Wakes everything collected. Call it with no lock held. If a `wake` panics, the
    /// wakers not yet woken are dropped with the list.
    #[inline]
    pub(crate) fn wake_all(&mut self) {
        while self.woken < self.len {
            let i = self.woken;
            // Advance first: slot `i` is read out exactly once, and a panicking `wake`
            // leaves `Drop` only the slots after it.
            self.woken += 1;
            // SAFETY: `i` is in `woken..len` (before the increment), so slot `i` was
            // written by `push` and not read since; the bump of `woken` above keeps it
            // from being read again (here or in `Drop`).
            let waker = unsafe { self.inline[i].assume_init_read() };
            waker.wake();
        }
        for w in self.spill.drain(..) {
            w.wake();
        }
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        for slot in &mut self.inline[self.woken..self.len] {
            // SAFETY: slots `woken..len` hold pushed wakers not yet read out (see the field
            // docs); each is dropped once, here, and the list is not used again.
            unsafe { slot.assume_init_drop() };
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn fifo_and_middle_removal() {
        let mut l = WaitList::new();
        let a = l.push_back(None, 1);
        let b = l.push_back(None, 2);
        let c = l.push_back(None, 3);
        assert_eq!(l.len(), 3);
        l.unlink(b);
        assert_eq!(l.remove(b).data, 2);
        assert_eq!(l.pop_front().map(|n| n.data), Some(1));
        assert!(!l.get_mut(a).is_linked());
        let d = l.push_back(None, 4);
        assert_ne!(d, a, "a's slot is still owned by its future");
        assert_eq!(l.front().map(|(k, _)| k), Some(c));
        assert_eq!(l.remove(a).data, 1);
        assert_eq!(l.pop_front().map(|n| n.data), Some(3));
        assert_eq!(l.pop_front().map(|n| n.data), Some(4));
        assert!(l.pop_front().is_none());
        assert!(l.is_empty());
        let _ = l.remove(c);
        let _ = l.remove(d);
    }

    /// Wakers past the inline slots spill; each pushed waker is woken exactly once, and
    /// wakers never woken are dropped with the list (Miri checks the uninitialized slots).
    #[test]
    fn wake_list_wakes_each_once_and_drops_the_rest() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        use std::sync::Arc;
        use std::task::Wake;
        struct Count(AtomicUsize);
        impl Wake for Count {
            fn wake(self: Arc<Self>) {
                self.0.fetch_add(1, SeqCst);
            }
        }
        let c = Arc::new(Count(AtomicUsize::new(0)));
        let mut l = WakeList::new();
        l.push(None);
        for _ in 0..INLINE + 3 {
            l.push(Some(Waker::from(c.clone())));
        }
        l.wake_all();
        l.wake_all();
        assert_eq!(c.0.load(SeqCst), INLINE + 3);
        drop(l);
        let mut l = WakeList::new();
        for _ in 0..3 {
            l.push(Some(Waker::from(c.clone())));
        }
        assert_eq!(Arc::strong_count(&c), 4);
        drop(l);
        assert_eq!(Arc::strong_count(&c), 1, "unwoken wakers are dropped");
        assert_eq!(c.0.load(SeqCst), INLINE + 3);
    }

    #[test]
    fn shrinks_after_burst() {
        let mut l = WaitList::new();
        let keys: Vec<_> = (0..100).map(|i| l.push_back(None, i)).collect();
        for k in keys {
            let _ = l.remove(k);
        }
        assert!(l.slots.is_empty());
        let k = l.push_back(None, 7);
        assert_eq!(l.remove(k).data, 7);
    }
}

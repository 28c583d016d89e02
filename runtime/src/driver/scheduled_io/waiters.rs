//! The waiters of one [`ScheduledIo`]: one waker slot per direction for the `poll_*`
//! entry points, and an intrusive list of the nodes owned by [`Readiness`] futures.
//!
//! Owns: [`Waiters`] (lives in `ScheduledIo::waiters`, so every field is touched only
//! under that mutex), the list node [`Waiter`] and the [`Readiness`] future.
//!
//! Why this shape (issue 12, defect 5; tokio's `ScheduledIo` does the same): a list of
//! wakers de-duplicated with `will_wake` grows with every poll by a new waker, pins the
//! tasks those wakers point to, and costs a scan per poll. Here
//! - a `poll_read_ready`-style caller has **one slot** per direction; a poll with another
//!   waker replaces it (as tokio's: only the last task to poll is woken);
//! - every `readiness()` future owns **one node** and links it while it waits; a re-poll
//!   replaces the waker in its own node (`will_wake` against that one waker), and drop
//!   unlinks it. The list holds exactly the live waiting futures, and a poll is O(1).
//!
//! Rules that keep the unsafe code sound:
//! 1. A node is read or written only by the holder of the `ScheduledIo::waiters` mutex
//!    (the future reaches its own node through the `UnsafeCell`, the driver through the
//!    list's pointers, both only with the guard alive).
//! 2. A node is linked only while its future is pinned, and the future's `Drop` unlinks
//!    it under the mutex before the memory can go away (`Pin`'s drop guarantee), so every
//!    pointer in the list is valid whenever the mutex is held.
//! 3. No user waker code (`clone`, `drop`, `wake`) runs under the mutex (issue 12,
//!    defect 3): clones are made before locking, displaced wakers are dropped and
//!    collected ones woken after unlocking. `will_wake` compares pointers only.
//!
//! May import: its parent (`ScheduledIo`, `Direction`), `ready`, and `crate::loom`.
use super::{Direction, ScheduledIo};
use crate::driver::ready::{Ready, ReadyEvent, PRIORITY_BIT};
use crate::loom::cell::UnsafeCell;
use std::future::Future;
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

/// The waiters of one resource. Lives inside `ScheduledIo::waiters` (a mutex).
#[derive(Debug, Default)]
pub(super) struct Waiters {
    /// The `poll_*` path's waker for reads (and priority/error-only waits).
    reader: Option<Waker>,
    /// The `poll_*` path's waker for writes.
    writer: Option<Waker>,
    /// First node of the intrusive list of waiting [`Readiness`] futures.
    head: Option<NonNull<Waiter>>,
    /// Number of linked nodes (for the growth tests and `debug_assert`s).
    len: usize,
}

// SAFETY: `Waiters` is only ever reached through `ScheduledIo::waiters`, a mutex. Its raw
// pointers are dereferenced only by the thread holding that mutex (module rule 1) and
// point to nodes that stay valid while linked (rule 2); the wakers they hold are `Send`.
// So moving the struct (or access to it, through the mutex) to another thread is sound.
unsafe impl Send for Waiters {}

/// One [`Readiness`] future's entry in the list. Every field belongs to the holder of the
/// `ScheduledIo::waiters` mutex (module rule 1).
#[derive(Debug)]
struct Waiter {
    prev: Option<NonNull<Waiter>>,
    next: Option<NonNull<Waiter>>,
    /// Whether the node is in the list. The driver unlinks a node when it takes its
    /// waker to wake it; the future re-links it if it has to wait again.
    linked: bool,
    /// The waker of the last poll; `None` once the driver took it.
    waker: Option<Waker>,
    /// The readiness this future waits for: the driver wakes it on any of these flags.
    mask: Ready,
    /// The list points into this node: it must not move while linked.
    _pin: PhantomPinned,
}

/// Which readiness flags wake a direction's slot. Priority and error-only waits use the
/// reader slot (as the `poll_*` entry points for them are read-side).
fn slot_mask(direction: Direction) -> Ready {
    match direction {
        Direction::Read => Direction::Read.mask() | Ready::from_bits(PRIORITY_BIT.into()),
        Direction::Write => Direction::Write.mask(),
    }
}

impl Waiters {
    fn slot(&mut self, direction: Direction) -> &mut Option<Waker> {
        match direction {
            Direction::Read => &mut self.reader,
            Direction::Write => &mut self.writer,
        }
    }

    /// Whether `direction`'s slot already holds a waker that wakes the same task.
    pub(super) fn slot_will_wake(&mut self, direction: Direction, waker: &Waker) -> bool {
        self.slot(direction)
            .as_ref()
            .is_some_and(|w| w.will_wake(waker))
    }

    /// Puts `waker` into `direction`'s slot; returns the displaced one, for the caller to
    /// drop after unlocking (module rule 3).
    pub(super) fn set_slot(&mut self, direction: Direction, waker: Waker) -> Option<Waker> {
        self.slot(direction).replace(waker)
    }

    /// Number of linked [`Readiness`] nodes.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Moves into `out` the waker of every waiter that `ready` concerns (unlinking its
    /// node), or of every waiter when `all` (shutdown). Nothing is woken here: the caller
    /// wakes `out` after it released its locks.
    pub(super) fn take_wakers(&mut self, ready: Ready, all: bool, out: &mut Vec<Waker>) {
        for direction in [Direction::Read, Direction::Write] {
            if all || !(ready & slot_mask(direction)).is_empty() {
                out.extend(self.slot(direction).take());
            }
        }
        let mut cursor = self.head;
        while let Some(node) = cursor {
            // SAFETY: `node` is linked, so it is valid (module rule 2) and ours to touch:
            // `&mut self` means the caller holds the waiters mutex (rule 1). The reference
            // ends before `remove` makes its own.
            let (next, concerned) = unsafe {
                let waiter = &*node.as_ptr();
                (waiter.next, all || !(ready & waiter.mask).is_empty())
            };
            cursor = next;
            if concerned {
                // SAFETY: as above (valid, under the mutex, no other reference alive).
                out.extend(unsafe { (*node.as_ptr()).waker.take() });
                // SAFETY: `node` is in this list: we reached it from `head`.
                unsafe { self.remove(node) };
            }
        }
    }

    /// Links `node` at the head of the list.
    ///
    /// # Safety
    /// 1. `node` points to a valid `Waiter` that is not linked.
    /// 2. It stays valid, and does not move, until it is unlinked again (by [`remove`] or
    ///    [`take_wakers`]): its owner must unlink it before it is dropped.
    ///
    /// [`remove`]: Waiters::remove
    /// [`take_wakers`]: Waiters::take_wakers
    unsafe fn push(&mut self, node: NonNull<Waiter>) {
        // SAFETY: valid by (1); the caller holds the mutex (`&mut self`, rule 1).
        let waiter = unsafe { &mut *node.as_ptr() };
        debug_assert!(!waiter.linked, "waiter linked twice");
        waiter.prev = None;
        waiter.next = self.head;
        waiter.linked = true;
        if let Some(head) = self.head {
            // SAFETY: `head` is linked, hence valid (rule 2), and it is a different node
            // from `node` (which was not linked), so the two `&mut` do not alias.
            unsafe { (*head.as_ptr()).prev = Some(node) };
        }
        self.head = Some(node);
        self.len += 1;
    }

    /// Unlinks `node`.
    ///
    /// # Safety
    /// `node` is linked in this list (so valid, module rule 2).
    unsafe fn remove(&mut self, node: NonNull<Waiter>) {
        // SAFETY: linked, so valid; the caller holds the mutex (`&mut self`).
        let (prev, next) = unsafe {
            let waiter = &mut *node.as_ptr();
            debug_assert!(waiter.linked, "unlinking a waiter that is not linked");
            waiter.linked = false;
            (waiter.prev.take(), waiter.next.take())
        };
        match prev {
            // SAFETY: `prev` is `node`'s linked neighbour: valid, and not `node`.
            Some(prev) => unsafe { (*prev.as_ptr()).next = next },
            None => self.head = next,
        }
        if let Some(next) = next {
            // SAFETY: `next` is `node`'s linked neighbour: valid, and not `node`.
            unsafe { (*next.as_ptr()).prev = prev };
        }
        self.len -= 1;
    }
}

/// Waits until the resource is ready for `mask` (or shut down), owning its list node.
///
/// Created by [`ScheduledIo::readiness`]. Polled again with another waker, it replaces
/// the waker in its own node; dropped, it unlinks the node. Many futures may wait on one
/// resource at once; each event wakes every one it concerns.
pub(crate) struct Readiness<'a> {
    io: &'a ScheduledIo,
    mask: Ready,
    /// Whether `node` may be linked (it was linked by a poll and the future did not
    /// complete since; the driver may have unlinked it meanwhile). Only `Drop` and `poll`
    /// read it, through `&mut self`.
    registered: bool,
    /// Our list node: touched only under `io.waiters` (module rule 1).
    node: UnsafeCell<Waiter>,
}

// SAFETY: the only non-`Send`/`Sync` part is `node` (raw pointers in an `UnsafeCell`).
// Every access to it, from this future on any thread or from the driver, happens under
// `io.waiters` (module rule 1), which orders them; the waker it holds is `Send + Sync`.
// `&Readiness` exposes nothing (polling needs `Pin<&mut Self>`).
unsafe impl Send for Readiness<'_> {}
// SAFETY: as for `Send`: a shared reference gives no access to `node` at all.
unsafe impl Sync for Readiness<'_> {}

impl ScheduledIo {
    /// A future that resolves once the resource is ready for any flag of `mask`, or has
    /// shut down (see [`Readiness`]).
    pub(crate) fn readiness(&self, mask: Ready) -> Readiness<'_> {
        Readiness {
            io: self,
            mask,
            registered: false,
            node: UnsafeCell::new(Waiter {
                prev: None,
                next: None,
                linked: false,
                waker: None,
                mask,
                _pin: PhantomPinned,
            }),
        }
    }
}

impl std::fmt::Debug for Readiness<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The node is not read: that needs the mutex.
        f.debug_struct("Readiness")
            .field("mask", &self.mask)
            .field("registered", &self.registered)
            .finish_non_exhaustive()
    }
}

impl Readiness<'_> {
    /// The node's address, for the list. Only dereferenced under the mutex.
    fn node_ptr(&self) -> NonNull<Waiter> {
        // `with_mut` hands out the cell's pointer (it comes from `UnsafeCell::get`, so
        // writes through it are allowed); it is never null.
        NonNull::new(self.node.with_mut(|p| p)).expect("UnsafeCell pointer is null")
    }
}

impl Future for Readiness<'_> {
    type Output = ReadyEvent;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<ReadyEvent> {
        // SAFETY: nothing is moved out of `self`; `node` stays where it is (we only reach
        // it through its pointer), which is what the pin promises the list.
        let this = unsafe { self.get_unchecked_mut() };
        let io = this.io;
        let node = this.node_ptr();
        if !this.registered {
            if let Some(event) = io.ready_event(this.mask) {
                return Poll::Ready(event);
            }
        } else {
            // Already waiting: if our node still holds a waker for this task, there is
            // nothing to clone (the common re-poll).
            let waiters = io.waiters.lock().unwrap();
            if let Some(event) = io.ready_event(this.mask) {
                drop(waiters);
                this.finish();
                return Poll::Ready(event);
            }
            // SAFETY: the mutex is held (rule 1), and the node is ours, so valid.
            let waiter = unsafe { &*node.as_ptr() };
            let current = waiter.linked
                && waiter
                    .waker
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()));
            drop(waiters);
            if current {
                return Poll::Pending;
            }
        }
        // Clone before locking (module rule 3).
        let waker = cx.waker().clone();
        let mut waiters = io.waiters.lock().unwrap();
        // Re-check under the lock (parent module docs): the driver sets readiness
        // before it takes this lock, so either we see its write here or it sees our node.
        if let Some(event) = io.ready_event(this.mask) {
            drop(waiters);
            drop(waker);
            this.finish();
            return Poll::Ready(event);
        }
        // SAFETY: the mutex is held (rule 1); the node is ours, so valid.
        let waiter = unsafe { &mut *node.as_ptr() };
        let displaced = waiter.waker.replace(waker);
        waiter.mask = this.mask;
        if !waiter.linked {
            // SAFETY: (1) the node is valid and not linked (checked just above). (2) it
            // does not move while linked (we are pinned) and `Drop` unlinks it under the
            // mutex before the memory goes away (the pin's drop guarantee).
            unsafe { waiters.push(node) };
        }
        this.registered = true;
        drop(waiters);
        drop(displaced);
        Poll::Pending
    }
}

impl Readiness<'_> {
    /// Unlinks our node if it is still linked and drops its waker, outside the lock.
    fn finish(&mut self) {
        if !self.registered {
            return;
        }
        self.registered = false;
        let node = self.node_ptr();
        let mut waiters = self.io.waiters.lock().unwrap();
        // SAFETY: the mutex is held (rule 1); the node is ours, so valid.
        let linked = unsafe { (*node.as_ptr()).linked };
        if linked {
            // SAFETY: `linked` says it is in this resource's list (we only ever link it
            // into `self.io`'s).
            unsafe { waiters.remove(node) };
        }
        // SAFETY: as above; it is unlinked now, so the driver cannot reach it any more.
        let waker = unsafe { (*node.as_ptr()).waker.take() };
        drop(waiters);
        drop(waker);
    }
}

impl Drop for Readiness<'_> {
    fn drop(&mut self) {
        // Unlinks under the mutex before the node's memory goes away (module rule 2).
        self.finish();
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    use std::task::Wake;

    /// A waker that counts its wakes (a distinct allocation per `Arc`).
    #[derive(Default)]
    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count::default());
        (count.clone(), Waker::from(count))
    }

    fn fire(io: &ScheduledIo, ready: Ready) -> usize {
        let mut wakers = Vec::new();
        io.set_readiness(ready, &mut wakers);
        let n = wakers.len();
        wakers.into_iter().for_each(Waker::wake);
        n
    }

    fn len(io: &ScheduledIo) -> usize {
        io.waiters.lock().unwrap().len()
    }

    #[test]
    fn repolls_with_fresh_wakers_keep_one_node() {
        let io = ScheduledIo::default();
        let mut fut = std::pin::pin!(io.readiness(Direction::Read.mask()));
        let mut counts = Vec::new();
        for _ in 0..100 {
            let (count, waker) = waker();
            assert!(fut
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending());
            counts.push(count);
        }
        assert_eq!(len(&io), 1);
        // Only the last waker is held: the 99 earlier tasks are no longer pinned.
        assert!(counts[..99].iter().all(|c| Arc::strong_count(c) == 1));
        assert_eq!(Arc::strong_count(&counts[99]), 2);
        assert_eq!(fire(&io, Ready::READABLE), 1);
        assert_eq!(counts[99].0.load(SeqCst), 1);
        assert_eq!(len(&io), 0);
        let (_, waker) = waker();
        let ready = fut.as_mut().poll(&mut Context::from_waker(&waker));
        assert!(matches!(ready, Poll::Ready(e) if e.ready.is_readable()));
    }

    #[test]
    fn dropped_futures_unlink_their_nodes() {
        let io = ScheduledIo::default();
        let (count, waker) = waker();
        let mut futs: Vec<_> = (0..10)
            .map(|_| Box::pin(io.readiness(Direction::Read.mask())))
            .collect();
        for fut in &mut futs {
            assert!(fut
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending());
        }
        assert_eq!(len(&io), 10);
        // Drop every other one, then the middle and the ends of the rest.
        let kept: Vec<_> = futs
            .into_iter()
            .enumerate()
            .filter_map(|(i, f)| (i % 2 == 0).then_some(f))
            .collect();
        assert_eq!(len(&io), 5);
        assert_eq!(fire(&io, Ready::READABLE), 5);
        assert_eq!(count.0.load(SeqCst), 5);
        drop(kept);
        assert_eq!(len(&io), 0);
        assert_eq!(Arc::strong_count(&count), 2);
    }

    #[test]
    fn events_wake_only_the_waiters_they_concern() {
        let io = ScheduledIo::default();
        let (reads, read_waker) = waker();
        let (writes, write_waker) = waker();
        let mut reader = Box::pin(io.readiness(Ready::READABLE | Ready::READ_CLOSED));
        let mut writer = Box::pin(io.readiness(Ready::WRITABLE | Ready::WRITE_CLOSED));
        assert!(reader
            .as_mut()
            .poll(&mut Context::from_waker(&read_waker))
            .is_pending());
        assert!(writer
            .as_mut()
            .poll(&mut Context::from_waker(&write_waker))
            .is_pending());
        assert_eq!(fire(&io, Ready::WRITABLE), 1);
        assert_eq!((reads.0.load(SeqCst), writes.0.load(SeqCst)), (0, 1));
        assert_eq!(len(&io), 1);
        let mut wakers = Vec::new();
        io.shutdown(&mut wakers);
        assert_eq!(wakers.len(), 1);
        wakers.into_iter().for_each(Waker::wake);
        assert_eq!(reads.0.load(SeqCst), 1);
        assert_eq!(len(&io), 0);
    }

    #[test]
    fn a_woken_future_that_finds_readiness_cleared_waits_again() {
        let io = ScheduledIo::default();
        let (count, waker) = waker();
        let mut cx = Context::from_waker(&waker);
        let mut fut = Box::pin(io.readiness(Direction::Read.mask()));
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(fire(&io, Ready::READABLE), 1);
        // Another operation consumed the readiness before we ran.
        let seen = io.ready_event(Direction::Read.mask()).unwrap();
        io.clear_readiness(seen, Ready::EMPTY);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        assert_eq!(len(&io), 1);
        assert_eq!(fire(&io, Ready::READABLE), 1);
        assert_eq!(count.0.load(SeqCst), 2);
        assert!(fut.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn poll_path_keeps_one_waker_per_direction() {
        let io = ScheduledIo::default();
        let mut counts = Vec::new();
        for _ in 0..100 {
            let (count, waker) = waker();
            let cx = &mut Context::from_waker(&waker);
            assert!(io.poll_ready(cx, Direction::Read).is_pending());
            assert!(io.poll_ready(cx, Direction::Write).is_pending());
            counts.push(count);
        }
        assert!(counts[..99].iter().all(|c| Arc::strong_count(c) == 1));
        assert_eq!(fire(&io, Ready::READABLE | Ready::WRITABLE), 2);
        assert_eq!(counts[99].0.load(SeqCst), 2);
    }
}

//! `JoinSet`: a collection of spawned tasks, awaited in the order they complete.
//!
//! ## How `join_next` avoids polling every handle
//!
//! Each member has a [`ReadyNode`]: an `Arc` with its slot index, a `queued` flag and a
//! weak reference to the set's [`ReadyList`]. The node is the `Waker` the member's
//! `JoinHandle` is polled with, so when the task completes its join waker pushes the node
//! onto the list (once: `queued` filters repeats) and wakes whoever waits in `join_next`.
//! `join_next` pops nodes and polls only those handles. A new member starts queued, so
//! its handle is polled once and registers the node.
//!
//! Who touches what: the `JoinSet` (one `&mut` owner) owns the slots, clears `queued`
//! right before polling a node's handle, and registers its own waker in the list before
//! popping. Any thread may wake a node: it pushes under the list's mutex and takes the
//! registered waker in the same critical section, so a push either happens before the
//! owner's pop (which sees it) or after its registration (which it wakes): no lost wakeup.
//! A node whose slot was freed or reused is stale; `Arc::ptr_eq` against the slot's node
//! filters it out.
//!
//! `LocalSet` (in `local.rs`) drives its tasks with the same list.
use crate::engine::{AbortHandle, Id, JoinError, JoinHandle};
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};
use crate::runtime::Handle;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
// `std`'s `Arc`: a node is a `Waker` through `std::task::Wake`. The list's lock and the
// `queued` flag are `crate::loom`'s, so the loom model in `loom_join_set.rs` sees them.
use std::sync::{Arc, PoisonError, Weak};
use std::task::{Context, Poll, Wake, Waker};

/// The nodes whose tasks were woken, and the waker of the one consumer.
pub(crate) struct ReadyList {
    state: Mutex<ReadyState>,
}

struct ReadyState {
    queue: VecDeque<Arc<ReadyNode>>,
    waker: Option<Waker>,
}

/// One member's entry in a [`ReadyList`]; also its waker.
pub(crate) struct ReadyNode {
    index: usize,
    /// Set while the node is in the list (or about to be pushed): repeat wakes are no-ops.
    queued: AtomicBool,
    list: Weak<ReadyList>,
}

impl ReadyList {
    pub(crate) fn new() -> Arc<ReadyList> {
        Arc::new(ReadyList {
            state: Mutex::new(ReadyState {
                queue: VecDeque::new(),
                waker: None,
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, ReadyState> {
        // Nothing panics while the lock is held; tolerate poison anyway.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A node for slot `index`, already queued (so its first poll happens).
    pub(crate) fn node(self: &Arc<Self>, index: usize) -> Arc<ReadyNode> {
        let node = Arc::new(ReadyNode {
            index,
            queued: AtomicBool::new(true),
            list: Arc::downgrade(self),
        });
        self.lock().queue.push_back(node.clone());
        node
    }

    /// Registers the consumer's waker; call before popping.
    pub(crate) fn register(&self, waker: &Waker) {
        let mut state = self.lock();
        match &state.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => state.waker = Some(waker.clone()),
        }
    }

    pub(crate) fn pop(&self) -> Option<Arc<ReadyNode>> {
        let mut state = self.lock();
        let node = state.queue.pop_front();
        // Give a burst's capacity back: halve it once under a quarter full (amortised
        // O(1), no oscillation), down to a floor (issue 12 defect 5).
        let cap = state.queue.capacity();
        if cap > 256 && state.queue.len() < cap / 4 {
            state.queue.shrink_to(cap / 2);
        }
        node
    }

    pub(crate) fn queued(&self) -> usize {
        self.lock().queue.len()
    }

    pub(crate) fn clear(&self) {
        let queue = std::mem::take(&mut self.lock().queue);
        drop(queue);
    }
}

impl ReadyNode {
    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// Call right before polling the node's task: a wake from now on queues it again.
    pub(crate) fn start_poll(&self) {
        // SeqCst: orders this clear before the poll's reads, against the waker's swap.
        self.queued.store(false, Ordering::SeqCst);
    }

    pub(crate) fn waker(self: &Arc<Self>) -> Waker {
        Waker::from(self.clone())
    }
}

impl Wake for ReadyNode {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::SeqCst) {
            return;
        }
        let Some(list) = self.list.upgrade() else {
            return;
        };
        let waker = {
            let mut state = list.lock();
            state.queue.push_back(self.clone());
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

#[cfg(all(test, loom))]
#[path = "loom_join_set.rs"]
mod loom_join_set;

impl fmt::Debug for ReadyList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadyList")
            .field("queued", &self.queued())
            .finish()
    }
}

/// A collection of tasks spawned on a runtime, awaited in the order they **complete**.
///
/// Dropping a `JoinSet` aborts all its tasks. Tasks are spawned with [`spawn`](Self::spawn)
/// (on the current runtime), [`spawn_on`](Self::spawn_on) or
/// [`spawn_blocking`](Self::spawn_blocking); [`join_next`](Self::join_next) gives the
/// output of the next task to finish, or `None` when the set is empty.
///
/// ```
/// use robin_runtime::task::JoinSet;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut set = JoinSet::new();
///     for i in 0..10u32 {
///         set.spawn(async move { i * 2 });
///     }
///     let mut sum = 0;
///     while let Some(res) = set.join_next().await {
///         sum += res.unwrap();
///     }
///     assert_eq!(sum, 90);
///     assert!(set.is_empty());
/// });
/// ```
pub struct JoinSet<T> {
    slots: Vec<Option<Slot<T>>>,
    free: Vec<usize>,
    len: usize,
    ready: Arc<ReadyList>,
    /// How many `JoinHandle` polls `poll_ready` made (the drain-cost test).
    #[cfg(test)]
    handle_polls: usize,
}

struct Slot<T> {
    handle: JoinHandle<T>,
    node: Arc<ReadyNode>,
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set = robin_runtime::task::JoinSet::<()>::new();
    /// assert_eq!(set.len(), 0);
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            ready: ReadyList::new(),
            #[cfg(test)]
            handle_polls: 0,
        }
    }

    /// Number of tasks in the set (finished ones count until they are joined).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     assert_eq!(set.len(), 1);
    ///     set.join_next().await;
    ///     assert_eq!(set.len(), 0);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the set holds no task.
    ///
    /// ```
    /// assert!(robin_runtime::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let index = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.slots.len() - 1
        });
        let node = self.ready.node(index);
        self.slots[index] = Some(Slot { handle, node });
        self.len += 1;
        abort
    }

    fn remove(&mut self, index: usize) -> Slot<T> {
        let slot = self.slots[index]
            .take()
            .expect("JoinSet: removing an empty slot");
        self.free.push(index);
        self.len -= 1;
        if self.len == 0 && self.slots.capacity() > 1024 {
            // Empty after a burst: no index is in use, so the slab starts over and gives
            // its memory back (issue 12 defect 5). Nodes still queued for old indices are
            // recognised as stale in `poll_ready` (out of range, or another node).
            self.slots = Vec::new();
            self.free = Vec::new();
        }
        slot
    }

    /// Polls the queued nodes (at most as many as were queued on entry, so a handle
    /// that wakes itself cannot keep us here) with their own wakers.
    fn poll_ready(&mut self) -> Poll<Result<(Id, T), JoinError>> {
        let limit = self.ready.queued();
        for _ in 0..limit {
            let Some(node) = self.ready.pop() else {
                break;
            };
            let index = node.index();
            let Some(Some(slot)) = self.slots.get_mut(index) else {
                continue; // stale: the slot was emptied
            };
            if !Arc::ptr_eq(&slot.node, &node) {
                continue; // stale: the slot was reused
            }
            node.start_poll();
            let waker = node.waker();
            let mut cx = Context::from_waker(&waker);
            #[cfg(test)]
            {
                self.handle_polls += 1;
            }
            if let Poll::Ready(res) = Pin::new(&mut slot.handle).poll(&mut cx) {
                let id = slot.handle.id();
                self.remove(index);
                return Poll::Ready(res.map(|out| (id, out)));
            }
            if !robin_sync::coop::has_budget_remaining() {
                // The task's budget is spent: every further handle would answer Pending
                // at once and requeue itself (the coop yield wakes its node), so going
                // on would walk the whole queue for nothing on every call, quadratic in
                // the set's size. The requeued node wakes this task again (as tokio's
                // JoinSet yields here too).
                break;
            }
        }
        Poll::Pending
    }

    /// Polls for the next task to complete, with its id: `Ready(None)` when the set is
    /// empty. The building block of [`join_next_with_id`](Self::join_next_with_id).
    pub fn poll_join_next_with_id(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<(Id, T), JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        self.ready.register(cx.waker());
        self.poll_ready().map(Some)
    }

    /// Polls for the next task to complete: `Ready(None)` when the set is empty.
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        self.poll_join_next_with_id(cx)
            .map(|r| r.map(|r| r.map(|(_, out)| out)))
    }

    /// Waits for the next task to complete and gives its output (or why it failed), or
    /// `None` if the set is empty. Cancel-safe: dropping the future loses nothing.
    ///
    /// Tasks come back in the order they complete, not the order they were spawned:
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     let (tx, rx) = robin_sync::oneshot::channel::<()>();
    ///     set.spawn(async move { rx.await.unwrap(); "second" });
    ///     set.spawn(async move { tx.send(()).unwrap(); "first" });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), "first");
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), "second");
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Like [`join_next`](Self::join_next), also giving the task's id.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     let id = set.spawn(async { 1 }).id();
    ///     assert_eq!(set.join_next_with_id().await.unwrap().unwrap(), (id, 1));
    /// });
    /// ```
    pub async fn join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next_with_id(cx)).await
    }

    /// The output of a task that has already completed, if any, without waiting.
    ///
    /// ```
    /// // On a current-thread runtime the task runs when `block_on`'s future yields.
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     assert!(set.try_join_next().is_none());
    ///     set.spawn(async { 5 });
    ///     let mut got = None;
    ///     for _ in 0..1000 {
    ///         if let Some(res) = set.try_join_next() {
    ///             got = Some(res.unwrap());
    ///             break;
    ///         }
    ///         robin_runtime::task::yield_now().await;
    ///     }
    ///     assert_eq!(got, Some(5));
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        self.try_join_next_with_id().map(|r| r.map(|(_, out)| out))
    }

    /// Like [`try_join_next`](Self::try_join_next), also giving the task's id.
    pub fn try_join_next_with_id(&mut self) -> Option<Result<(Id, T), JoinError>> {
        if self.len == 0 {
            return None;
        }
        match self.poll_ready() {
            Poll::Ready(res) => Some(res),
            Poll::Pending => None,
        }
    }

    /// Waits for every task and returns their outputs, in completion order.
    ///
    /// # Panics
    /// If a task panicked, the panic is resumed here; if one was cancelled, this panics.
    /// Either way the remaining tasks are aborted (the set is dropped).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     for i in 0..5u32 {
    ///         set.spawn(async move { i });
    ///     }
    ///     let mut all = set.join_all().await;
    ///     all.sort();
    ///     assert_eq!(all, vec![0, 1, 2, 3, 4]);
    /// });
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        while let Some(res) = self.join_next().await {
            match res {
                Ok(v) => out.push(v),
                Err(err) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
                Err(err) => panic!("JoinSet::join_all: {err}"),
            }
        }
        out
    }

    /// Requests cancellation of every task; they stay in the set, and joining them
    /// gives cancelled errors (or their output, if they completed first).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for slot in self.slots.iter().flatten() {
            slot.handle.abort();
        }
    }

    /// Aborts every task and waits until they have all finished; the set is then empty.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(std::future::pending::<()>());
    ///     }
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Removes every task from the set without aborting it: they keep running, detached.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (tx, rx) = robin_sync::oneshot::channel();
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     set.spawn(async move { tx.send(7).unwrap() });
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    ///     drop(set);
    ///     assert_eq!(rx.await.unwrap(), 7); // still ran
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.len = 0;
        self.ready.clear();
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `future` on the current runtime as a member of the set; returns a handle
    /// that can abort it.
    ///
    /// # Panics
    /// Outside a runtime context.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     let abort = set.spawn(std::future::pending::<u8>());
    ///     abort.abort();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(super::spawn::spawn(future))
    }

    /// Spawns `future` on the runtime of `handle` (usable outside a runtime context).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let mut set = robin_runtime::task::JoinSet::new();
    /// set.spawn_on(async { 3 }, rt.handle());
    /// assert_eq!(rt.block_on(set.join_next()).unwrap().unwrap(), 3);
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs `func` on the current runtime's blocking pool as a member of the set.
    ///
    /// # Panics
    /// Outside a runtime context.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = robin_runtime::task::JoinSet::new();
    ///     set.spawn_blocking(|| 2 + 2);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 4);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, func: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(super::spawn::spawn_blocking(func))
    }
}

impl<T: 'static> JoinSet<T> {
    /// Spawns the `!Send` `future` on the current [`LocalSet`](super::LocalSet) as a
    /// member of the set; returns a handle that can abort it.
    ///
    /// # Panics
    /// Outside a `LocalSet` context (see [`spawn_local`](super::spawn_local)).
    ///
    /// ```
    /// use robin_runtime::task::{JoinSet, LocalSet};
    /// use std::rc::Rc;
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// LocalSet::new().block_on(&rt, async {
    ///     let mut set = JoinSet::new();
    ///     for i in 0..3 {
    ///         set.spawn_local(async move { Rc::new(i) });
    ///     }
    ///     let mut sum = 0;
    ///     while let Some(v) = set.join_next().await {
    ///         sum += *v.unwrap();
    ///     }
    ///     assert_eq!(sum, 3);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(super::local_set::spawn_local(future))
    }

    /// Spawns the `!Send` `future` on `local_set` as a member of the set (usable where
    /// no set is current; the task runs once `local_set` is driven).
    ///
    /// ```
    /// use robin_runtime::task::{JoinSet, LocalSet};
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let mut set = JoinSet::new();
    /// set.spawn_local_on(async { std::rc::Rc::new(5) }, &local);
    /// let out = local.block_on(&rt, set.join_next()).unwrap().unwrap();
    /// assert_eq!(*out, 5);
    /// ```
    #[track_caller]
    pub fn spawn_local_on<F>(&mut self, future: F, local_set: &super::LocalSet) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
    {
        self.insert(local_set.spawn_local(future))
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        JoinSet::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
        // The handles drop with `slots`, detaching the (now aborted) tasks.
        self.ready.clear();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    /// Draining a large set costs a bounded number of handle polls per task. Before the
    /// budget check, once the coop budget ran out inside `poll_ready` every later call
    /// walked the whole ready queue (each handle answering Pending and requeueing
    /// itself): ~N²/budget polls, minutes in a debug build for 100k tasks.
    #[test]
    fn draining_a_large_set_polls_each_handle_a_bounded_number_of_times() {
        const N: usize = 20_000;
        // Multi-thread: the workers finish tasks while `block_on` drains, so the ready queue
        // is long whenever the budget runs out.
        let rt = crate::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .build()
            .unwrap();
        let polls = rt.block_on(async {
            let mut set = JoinSet::new();
            for i in 0..N {
                set.spawn(async move { i });
            }
            let mut sum = 0;
            while let Some(r) = set.join_next().await {
                sum += r.unwrap();
            }
            assert_eq!(sum, N * (N - 1) / 2);
            set.handle_polls
        });
        // Unbounded before the fix: 1,572,512 polls for 20k tasks in one run.
        assert!(polls <= 4 * N, "{polls} handle polls to drain {N} tasks");
    }
}

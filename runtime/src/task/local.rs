//! `LocalSet` and `spawn_local`: tasks that are not `Send`, run on the thread that
//! drives their set.
//!
//! ## Design
//!
//! A [`LocalSet`] is `!Send` and owns its tasks in a `RefCell` of slots, each a boxed
//! `Pin<Box<dyn Future<Output = ()>>>` that runs the user's future and hands its output
//! (or a [`JoinError`]) to a [`LocalJoinHandle`]. Only the set's own thread ever polls or
//! drops a task's future: when the set is polled (`run_until`, awaiting the set, or
//! `block_on`) and when it is dropped.
//!
//! Wakers must be `Send + Sync` (a local task may wait on a channel fed by another
//! thread), so a task's waker is a `ReadyNode` of the same ready list `JoinSet` uses: a
//! wake pushes the task's slot index onto a mutex-protected queue and wakes the waker of
//! whoever polls the set. The set then polls only the queued tasks, at most as many as
//! were queued on entry, and yields back to the runtime (waking itself) if more arrived.
//!
//! While the set runs a task, or the `run_until` future, the set is the thread's current
//! set, which is what the free function [`spawn_local`] uses. A task's future is taken
//! out of its slot while it is polled, so the task may spawn (which borrows the slots).
//!
//! Handles only touch the shared `JoinState` (a mutex and an `aborted` flag), so a
//! `LocalJoinHandle<T>` is `Send` when `T` is, and `abort` works from any thread: it sets
//! the flag and wakes the task, and the set drops the future on its own thread.
use super::id::CurrentGuard;
use super::join_set::{ReadyList, ReadyNode};
use super::{Id, JoinError};
use crate::runtime::Runtime;
use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

thread_local! {
    /// The set whose task (or `run_until` future) this thread is polling.
    static CURRENT: RefCell<Option<Rc<Inner>>> = const { RefCell::new(None) };
}

/// Most tasks one poll of the set runs before it yields back to the runtime.
const MAX_POLLS_PER_TICK: usize = 128;

/// A set of tasks that run on the current thread, so they need not be `Send`.
///
/// Spawn with [`LocalSet::spawn_local`], or with the free function [`spawn_local`] from
/// code the set runs. The tasks make progress only while the set is driven: inside
/// [`run_until`](Self::run_until) / [`block_on`](Self::block_on), or by awaiting the set
/// itself (which completes once all its tasks have). Dropping the set cancels its tasks.
///
/// ```
/// use robin_runtime::task::{self, LocalSet};
/// use std::rc::Rc;
///
/// let rt = robin_runtime::runtime::Builder::new_current_thread().enable_all().build().unwrap();
/// let local = LocalSet::new();
/// let shared = Rc::new(5); // not Send
/// let out = local.block_on(&rt, async move {
///     let s = shared.clone();
///     let handle = task::spawn_local(async move { *s * 2 });
///     handle.await.unwrap()
/// });
/// assert_eq!(out, 10);
/// ```
///
/// A `LocalSet` stays on its thread (it is `!Send`):
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<robin_runtime::task::LocalSet>();
/// ```
pub struct LocalSet {
    inner: Rc<Inner>,
}

struct Inner {
    ready: Arc<ReadyList>,
    tasks: RefCell<Slots>,
}

#[derive(Default)]
struct Slots {
    slots: Vec<Option<LocalTask>>,
    free: Vec<usize>,
    len: usize,
}

struct LocalTask {
    /// `None` while the task is being polled.
    future: Option<Pin<Box<dyn Future<Output = ()>>>>,
    node: Arc<ReadyNode>,
}

/// Makes a set the thread's current one until dropped.
struct Enter {
    prev: Option<Rc<Inner>>,
}

impl Enter {
    fn new(inner: &Rc<Inner>) -> Enter {
        let prev = CURRENT
            .try_with(|c| c.replace(Some(inner.clone())))
            .unwrap_or(None);
        Enter { prev }
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

impl Inner {
    fn spawn<F>(&self, future: F) -> LocalJoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let id = Id::next();
        let join = Arc::new(JoinState {
            slot: Mutex::new(JoinSlot {
                result: None,
                taken: false,
                waker: None,
            }),
            aborted: AtomicBool::new(false),
        });
        let task = TaskFuture {
            future: Some(future),
            join: join.clone(),
            id,
            done: false,
        };
        let mut tasks = self.tasks.borrow_mut();
        let index = tasks.free.pop().unwrap_or_else(|| {
            tasks.slots.push(None);
            tasks.slots.len() - 1
        });
        let node = self.ready.node(index);
        tasks.slots[index] = Some(LocalTask {
            future: Some(Box::pin(task)),
            node: node.clone(),
        });
        tasks.len += 1;
        LocalJoinHandle { join, node, id }
    }

    /// Polls the queued tasks; returns whether more are queued (then the caller should
    /// come back soon).
    fn tick(&self) -> bool {
        let limit = self.ready.queued().min(MAX_POLLS_PER_TICK);
        for _ in 0..limit {
            let Some(node) = self.ready.pop() else {
                break;
            };
            let index = node.index();
            let future = {
                let mut tasks = self.tasks.borrow_mut();
                match tasks.slots.get_mut(index) {
                    Some(Some(task)) if Arc::ptr_eq(&task.node, &node) => task.future.take(),
                    _ => None, // stale: the task finished (and the slot may be reused)
                }
            };
            let Some(mut future) = future else {
                continue;
            };
            node.start_poll();
            let waker = node.waker();
            let mut cx = Context::from_waker(&waker);
            if future.as_mut().poll(&mut cx).is_ready() {
                let removed = {
                    let mut tasks = self.tasks.borrow_mut();
                    tasks.free.push(index);
                    tasks.len -= 1;
                    tasks.slots[index].take()
                };
                // Destructors may spawn: no borrow is held here.
                drop(future);
                drop(removed);
            } else if let Some(Some(task)) = self.tasks.borrow_mut().slots.get_mut(index) {
                task.future = Some(future);
            }
        }
        self.ready.queued() > 0
    }

    fn len(&self) -> usize {
        self.tasks.borrow().len
    }
}

impl LocalSet {
    /// An empty set.
    ///
    /// ```
    /// let local = robin_runtime::task::LocalSet::new();
    /// assert!(local.is_empty());
    /// ```
    pub fn new() -> LocalSet {
        LocalSet {
            inner: Rc::new(Inner {
                ready: ReadyList::new(),
                tasks: RefCell::new(Slots::default()),
            }),
        }
    }

    /// Spawns a `!Send` future on this set. It runs once the set is driven; this may be
    /// called from anywhere on the set's thread, driven or not.
    ///
    /// ```
    /// use robin_runtime::task::LocalSet;
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let handle = local.spawn_local(async { std::rc::Rc::new("local") });
    /// let out = local.block_on(&rt, handle).unwrap();
    /// assert_eq!(*out, "local");
    /// ```
    pub fn spawn_local<F>(&self, future: F) -> LocalJoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.inner.spawn(future)
    }

    /// Runs `future` on this thread, driving the set's tasks while it waits; the
    /// future may call [`spawn_local`]. Tasks still pending when it completes stay in
    /// the set.
    ///
    /// ```
    /// use robin_runtime::task::{self, LocalSet};
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let local = LocalSet::new();
    /// let n = rt.block_on(local.run_until(async {
    ///     task::spawn_local(async { std::rc::Rc::new(3) }).await.unwrap()
    /// }));
    /// assert_eq!(*n, 3);
    /// ```
    pub async fn run_until<F: Future>(&self, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(|cx| {
            let _enter = Enter::new(&self.inner);
            self.inner.ready.register(cx.waker());
            if let Poll::Ready(out) = future.as_mut().poll(cx) {
                return Poll::Ready(out);
            }
            if self.inner.tick() {
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await
    }

    /// Runs `future` to completion on `rt` (`rt.block_on(self.run_until(future))`).
    ///
    /// # Panics
    /// Where `Runtime::block_on` panics (inside another runtime).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = robin_runtime::task::LocalSet::new();
    /// assert_eq!(local.block_on(&rt, async { 1 + 1 }), 2);
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, rt: &Runtime, future: F) -> F::Output {
        rt.block_on(self.run_until(future))
    }

    /// Number of tasks in the set that have not finished.
    ///
    /// ```
    /// let local = robin_runtime::task::LocalSet::new();
    /// local.spawn_local(async {});
    /// assert_eq!(local.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether every task of the set has finished.
    ///
    /// ```
    /// assert!(robin_runtime::task::LocalSet::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for LocalSet {
    fn default() -> Self {
        LocalSet::new()
    }
}

/// Awaiting a `LocalSet` runs its tasks until all of them have finished.
///
/// ```
/// use robin_runtime::task::LocalSet;
/// use std::{cell::Cell, rc::Rc};
/// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// let local = LocalSet::new();
/// let count = Rc::new(Cell::new(0));
/// for _ in 0..3 {
///     let count = count.clone();
///     local.spawn_local(async move { count.set(count.get() + 1) });
/// }
/// rt.block_on(local);
/// assert_eq!(count.get(), 3);
/// ```
impl Future for LocalSet {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _enter = Enter::new(&self.inner);
        self.inner.ready.register(cx.waker());
        let more = self.inner.tick();
        if self.inner.len() == 0 {
            return Poll::Ready(());
        }
        if more {
            cx.waker().wake_by_ref();
        }
        Poll::Pending
    }
}

impl Drop for LocalSet {
    fn drop(&mut self) {
        let _enter = Enter::new(&self.inner);
        // Cancel every task here, on the set's thread. Destructors may spawn more;
        // those are cancelled in the next round (bounded, in case one spawns forever).
        for _ in 0..64 {
            let slots = std::mem::take(&mut *self.inner.tasks.borrow_mut());
            if slots.len == 0 {
                break;
            }
            drop(slots);
        }
        self.inner.ready.clear();
    }
}

impl fmt::Debug for LocalSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalSet")
            .field("len", &self.len())
            .finish()
    }
}

/// Spawns a `!Send` future on the current [`LocalSet`].
///
/// # Panics
/// Outside a `LocalSet` context: the caller must be running inside
/// [`LocalSet::run_until`], [`LocalSet::block_on`], a task of a set, or an awaited set.
///
/// ```
/// use robin_runtime::task;
/// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// let out = task::LocalSet::new().block_on(&rt, async {
///     let value = std::rc::Rc::new(String::from("not Send"));
///     task::spawn_local(async move { value.len() }).await.unwrap()
/// });
/// assert_eq!(out, 8);
/// ```
///
/// ```should_panic
/// // Panics: no LocalSet here.
/// robin_runtime::task::spawn_local(async {});
/// ```
#[track_caller]
pub fn spawn_local<F>(future: F) -> LocalJoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let current = CURRENT.try_with(|c| c.borrow().clone()).unwrap_or(None);
    match current {
        Some(inner) => inner.spawn(future),
        None => panic!(
            "`spawn_local` called from outside of a `task::LocalSet`: run the code in \
             `LocalSet::run_until`, `LocalSet::block_on`, or a task of a `LocalSet`"
        ),
    }
}

/// The output slot shared by a local task and its handle.
struct JoinState<T> {
    slot: Mutex<JoinSlot<T>>,
    /// Set by `abort`; the set drops the future at the task's next poll.
    aborted: AtomicBool,
}

struct JoinSlot<T> {
    result: Option<Result<T, JoinError>>,
    /// The handle took the result.
    taken: bool,
    waker: Option<Waker>,
}

impl<T> JoinState<T> {
    fn lock(&self) -> MutexGuard<'_, JoinSlot<T>> {
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn complete(&self, result: Result<T, JoinError>) {
        let waker = {
            let mut slot = self.lock();
            if slot.result.is_some() || slot.taken {
                return;
            }
            slot.result = Some(result);
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The task a `LocalSet` polls: the user's future, its output sent to the handle.
struct TaskFuture<F: Future> {
    /// Structurally pinned; dropped in place (set to `None`) when done or cancelled.
    future: Option<F>,
    join: Arc<JoinState<F::Output>>,
    id: Id,
    done: bool,
}

impl<F: Future> TaskFuture<F> {
    /// # Safety
    /// 1. `self` must be pinned; the returned pin is the `future` field's, which is never
    ///    moved out (only dropped in place through this pin).
    unsafe fn future(self: Pin<&mut Self>) -> Pin<&mut Option<F>> {
        // SAFETY: 1. the caller pinned `self` and `future` is structurally pinned:
        // `TaskFuture` never moves it (its `Drop` goes through this function too).
        unsafe { self.map_unchecked_mut(|t| &mut t.future) }
    }
}

impl<F: Future> Future for TaskFuture<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.done {
            return Poll::Ready(());
        }
        let id = self.id;
        if self.join.aborted.load(Ordering::Acquire) {
            // SAFETY: `self` is pinned (we are in `poll`).
            let future = unsafe { self.as_mut().future() };
            let dropped = catch_unwind(AssertUnwindSafe(|| {
                let mut future = future;
                future.set(None)
            }));
            let result = match dropped {
                Ok(()) => JoinError::cancelled(id),
                Err(payload) => JoinError::panic(id, payload),
            };
            // SAFETY: only the unpinned fields `done` and `join` are touched; the
            // pinned `future` is not moved.
            let this = unsafe { self.get_unchecked_mut() };
            this.done = true;
            this.join.complete(Err(result));
            return Poll::Ready(());
        }
        let _current = CurrentGuard::enter(id);
        // SAFETY: `self` is pinned (we are in `poll`).
        let mut future = unsafe { self.as_mut().future() };
        let polled = catch_unwind(AssertUnwindSafe(|| match future.as_mut().as_pin_mut() {
            Some(f) => f.poll(cx),
            None => unreachable!("a local task is polled after it finished"),
        }));
        let result = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(out)) => Ok(out),
            Err(payload) => Err(JoinError::panic(id, payload)),
        };
        // Drop the future (on this thread, before the handle learns the result).
        let dropped = catch_unwind(AssertUnwindSafe(|| future.set(None)));
        let result = match (result, dropped) {
            (Ok(_), Err(payload)) => Err(JoinError::panic(id, payload)),
            (result, _) => result,
        };
        // SAFETY: only the unpinned fields `done` and `join` are touched; the pinned
        // `future` is not moved.
        let this = unsafe { self.get_unchecked_mut() };
        this.done = true;
        this.join.complete(result);
        Poll::Ready(())
    }
}

impl<F: Future> Drop for TaskFuture<F> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // Cancelled (the set was dropped): drop the future in place, then tell the handle.
        // SAFETY: `drop` is the last use of `self`, which may be pinned: the future is
        // dropped in place, never moved.
        let future = unsafe { Pin::new_unchecked(&mut *self).future() };
        let dropped = catch_unwind(AssertUnwindSafe(|| {
            let mut future = future;
            future.set(None)
        }));
        let result = match dropped {
            Ok(()) => JoinError::cancelled(self.id),
            Err(payload) => JoinError::panic(self.id, payload),
        };
        self.done = true;
        self.join.complete(Err(result));
    }
}

/// An owned permission to await a [`spawn_local`] task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or was
/// cancelled (aborted, or its [`LocalSet`] dropped). Dropping it detaches the task.
/// It is `Send` when the output is, and [`abort`](Self::abort) works from any thread.
///
/// ```
/// use robin_runtime::task::LocalSet;
/// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
/// let local = LocalSet::new();
/// let handle = local.spawn_local(async { panic!("oops") });
/// let err = local.block_on(&rt, handle).unwrap_err();
/// assert!(err.is_panic());
/// ```
pub struct LocalJoinHandle<T> {
    join: Arc<JoinState<T>>,
    node: Arc<ReadyNode>,
    id: Id,
}

impl<T> LocalJoinHandle<T> {
    /// Requests cancellation: the set drops the task's future at its next turn (on the
    /// set's thread); awaiting the handle then gives a cancelled error, unless the task
    /// completed first.
    ///
    /// ```
    /// use robin_runtime::task::LocalSet;
    /// let rt = robin_runtime::runtime::Builder::new_current_thread().build().unwrap();
    /// let local = LocalSet::new();
    /// let handle = local.spawn_local(std::future::pending::<()>());
    /// handle.abort();
    /// assert!(local.block_on(&rt, handle).unwrap_err().is_cancelled());
    /// ```
    pub fn abort(&self) {
        self.join.aborted.store(true, Ordering::Release);
        self.node.wake_by_ref();
    }

    /// Whether the task has finished (completed, panicked or been cancelled).
    ///
    /// ```
    /// let local = robin_runtime::task::LocalSet::new();
    /// let handle = local.spawn_local(async {});
    /// assert!(!handle.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        let slot = self.join.lock();
        slot.result.is_some() || slot.taken
    }

    /// The id of the task.
    pub fn id(&self) -> Id {
        self.id
    }
}

impl<T> Future for LocalJoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.join.lock();
        if let Some(result) = slot.result.take() {
            slot.taken = true;
            return Poll::Ready(result);
        }
        assert!(!slot.taken, "`LocalJoinHandle` polled after completion");
        match &slot.waker {
            Some(w) if w.will_wake(cx.waker()) => {}
            _ => slot.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for LocalJoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalJoinHandle")
            .field("id", &self.id)
            .finish()
    }
}

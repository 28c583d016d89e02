//! The one thread-local of the runtime: what this thread is doing for which runtime.
//!
//! Every per-thread fact lives in one [`Context`] struct, in the one thread-local of the crate:
//!
//! | field | set by | read by |
//! |---|---|---|
//! | `handle` | `Handle::enter`, `block_on`, workers, blocking threads | `Handle::current`, `spawn`, time, io |
//! | `scheduler` | a scheduler's run loop (worker, current-thread core, driver thread) | the scheduler's `schedule` (local pushes), `block_in_place` |
//! | `local_set` | a `LocalSet` while it runs its tasks or its `run_until` future | `spawn_local` |
//! | `running` | whoever runs a task (`run_task`): its id, and whether it called `yield_now` | `task::id`; the multi-thread scheduler (a yield, not a wake) |
//! | `runtime` | `enter_runtime` (a thread that drives a runtime) | `block_on` (must not nest), `block_in_place` |
//! | `rng` | lazily, on first use | `select!`'s branch order |
//! | `task_locals` | `task_local!` scopes, around a poll or a closure | `LocalKey::with` |
//! | `blocking_exit` | a blocking-pool thread, once | threads it spawns (shutdown waits for them) |
//! | `number` | lazily, on first use | time and io: the driver shard this thread files timers and registrations in |
//!
//! `enter_runtime`/`exit_runtime` also set and lift robin-sync's own flag
//! (`robin_sync::context`), so that its `blocking_*` methods panic where blocking would
//! stall this runtime's tasks, as tokio's do.
//!
//! Scoped values are set through one guard, [`Reset`], which puts the previous value back
//! when it drops (on return and on unwind alike); the scheduler pointer is only ever set
//! around a closure ([`set_scheduler`]), so it never outlives what it points to.
//!
//! Layer: this module belongs to the scheduler layer. It names the types it stores
//! (`scheduler::{Handle, Context}`, `scheduler::local::Shared`, `task::Id`) and may import
//! nothing from `runtime` or `api`; `task/` and `driver/` do not use it.
use crate::engine::Id;
use crate::loom::mpsc;
use crate::loom::sync::Arc;
use crate::scheduler;
use std::cell::{Cell, RefCell};
use std::marker::PhantomData;
use std::ptr;

/// Everything the runtime keeps per thread (see the module docs for who sets what).
pub(crate) struct Context {
    handle: RefCell<Option<scheduler::Handle>>,
    /// How many [`set_handle`] guards are live: each guard knows its depth, so one
    /// dropped out of order is caught.
    handle_depth: Cell<usize>,
    scheduler: Cell<*const scheduler::Context>,
    local_set: RefCell<Option<Arc<scheduler::local::Shared>>>,
    /// The task being run on this thread, if any (one cell, so that entering and
    /// leaving a task's run is one thread-local access each).
    running: Cell<Running>,
    runtime: Cell<EnterRuntime>,
    /// xorshift32 state; 0 until first use (a seeded state is never 0).
    rng: Cell<u32>,
    blocking_exit: RefCell<Option<mpsc::Sender<()>>>,
    /// The innermost task-local frame in scope (null: none).
    task_locals: Cell<*const TaskLocalFrame>,
    /// This thread's number, round robin from a process-wide counter (0: not drawn yet).
    number: Cell<u32>,
}

impl Context {
    const fn new() -> Context {
        Context {
            handle: RefCell::new(None),
            handle_depth: Cell::new(0),
            scheduler: Cell::new(ptr::null()),
            local_set: RefCell::new(None),
            running: Cell::new(Running::NONE),
            runtime: Cell::new(EnterRuntime::NotEntered),
            rng: Cell::new(0),
            blocking_exit: RefCell::new(None),
            task_locals: Cell::new(ptr::null()),
            number: Cell::new(0),
        }
    }
}

// Each loom thread is a coroutine on the model's one OS thread: `std`'s thread-locals
// would be shared by all of them, so the models get loom's macro (same syntax, minus
// `const` initialisers; `std`'s lazy form costs the same one state check per access as
// its `const` form does for a type with a destructor, as this one has).
#[cfg(loom)]
use loom::thread_local;

thread_local! {
    #[allow(clippy::missing_const_for_thread_local)] // loom's macro has no `const` form
    static CONTEXT: Context = Context::new();
}

/// Whether this thread drives a runtime (a worker, or inside `block_on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnterRuntime {
    /// It does: blocking here would stall the runtime's tasks.
    Entered,
    /// It does not.
    NotEntered,
}

/// A field of [`Context`] that [`Reset`] can swap a value into and back out of.
pub(crate) trait Slot {
    /// What the field holds.
    type Value;
    /// Stores `value`, returning what was there.
    fn swap(&self, value: Self::Value) -> Self::Value;
}

impl<T> Slot for Cell<T> {
    type Value = T;
    fn swap(&self, value: T) -> T {
        self.replace(value)
    }
}

impl<T> Slot for RefCell<T> {
    type Value = T;
    fn swap(&self, value: T) -> T {
        self.replace(value)
    }
}

/// The one scoped-set guard: holds the previous value of one context field and puts it
/// back when dropped. `!Send`: it restores *this* thread's context.
#[must_use = "the value is reset when the guard drops"]
pub(crate) struct Reset<S: Slot + 'static> {
    field: fn(&Context) -> &S,
    /// `None` if the thread-local was already destroyed (nothing to restore).
    prev: Option<S::Value>,
    _not_send: PhantomData<*const ()>,
}

impl<S: Slot + 'static> Reset<S> {
    /// Sets `field` to `value` until the returned guard drops.
    #[inline]
    fn set(field: fn(&Context) -> &S, value: S::Value) -> Reset<S> {
        let prev = CONTEXT.try_with(|c| field(c).swap(value)).ok();
        Reset {
            field,
            prev,
            _not_send: PhantomData,
        }
    }
}

impl<S: Slot + 'static> Drop for Reset<S> {
    #[inline]
    fn drop(&mut self) {
        if let Some(prev) = self.prev.take() {
            let _ = CONTEXT.try_with(|c| (self.field)(c).swap(prev));
        }
    }
}

impl<S: Slot + 'static> std::fmt::Debug for Reset<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reset").finish_non_exhaustive()
    }
}

fn scheduler_field(c: &Context) -> &Cell<*const scheduler::Context> {
    &c.scheduler
}
fn local_set_field(c: &Context) -> &RefCell<Option<Arc<scheduler::local::Shared>>> {
    &c.local_set
}
fn running_field(c: &Context) -> &Cell<Running> {
    &c.running
}
fn runtime_field(c: &Context) -> &Cell<EnterRuntime> {
    &c.runtime
}
fn task_locals_field(c: &Context) -> &Cell<*const TaskLocalFrame> {
    &c.task_locals
}

// ----- the current runtime handle ----------------------------------------------------

/// Guard of [`set_handle`]: restores the previous handle when dropped.
///
/// Guards nest: each must drop before the one set before it (they are `!Send`, so on
/// this thread). Dropping one out of order panics with tokio's message, as
/// `Handle::enter`'s guards are documented to (unless the thread is already panicking,
/// where it leaves the context as it is).
#[must_use = "the previous handle is restored when the guard drops"]
#[derive(Debug)]
pub(crate) struct HandleGuard {
    /// `None` if the thread-local was already destroyed (nothing to restore).
    prev: Option<Option<scheduler::Handle>>,
    depth: usize,
    _not_send: PhantomData<*const ()>,
}

/// Makes `handle` current until the guard drops (restoring the previous one).
pub(crate) fn set_handle(handle: &scheduler::Handle) -> HandleGuard {
    let set = CONTEXT.try_with(|c| {
        let prev = c.handle.replace(Some(handle.clone()));
        let depth = c.handle_depth.get() + 1;
        c.handle_depth.set(depth);
        (prev, depth)
    });
    match set {
        Ok((prev, depth)) => HandleGuard {
            prev: Some(prev),
            depth,
            _not_send: PhantomData,
        },
        Err(_) => HandleGuard {
            prev: None,
            depth: 0,
            _not_send: PhantomData,
        },
    }
}

impl Drop for HandleGuard {
    fn drop(&mut self) {
        let Some(prev) = self.prev.take() else {
            return;
        };
        let _ = CONTEXT.try_with(|c| {
            if c.handle_depth.get() != self.depth {
                if std::thread::panicking() {
                    return;
                }
                panic!(
                    "`EnterGuard` values dropped out of order. Guards returned by \
                     `robin::runtime::Handle::enter()` must be dropped in the reverse \
                     order as they were acquired."
                );
            }
            c.handle.replace(prev);
            c.handle_depth.set(self.depth - 1);
        });
    }
}

/// The current handle: `Ok(None)` when none is set, `Err(())` when the thread-local is
/// already destroyed (the thread is exiting).
pub(crate) fn try_handle() -> Result<Option<scheduler::Handle>, ()> {
    CONTEXT
        .try_with(|c| c.handle.borrow().clone())
        .map_err(|_| ())
}

/// Runs `f` with the current handle, without cloning it (hot paths: `Instant::now`).
pub(crate) fn with_handle<R>(f: impl FnOnce(Option<&scheduler::Handle>) -> R) -> R {
    let mut f = Some(f);
    match CONTEXT.try_with(|c| (f.take().expect("called once"))(c.handle.borrow().as_ref())) {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called"))(None),
    }
}

// ----- the scheduler this thread runs ------------------------------------------------

/// Runs `f` with `cx` as this thread's scheduler context; the previous one is restored
/// when `f` returns or unwinds, before `cx` can go away.
pub(crate) fn set_scheduler<R>(cx: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    let _reset = Reset::set(scheduler_field, cx as *const scheduler::Context);
    f()
}

/// Runs `f` with this thread's scheduler context, if one is set.
#[inline]
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let ptr = CONTEXT
        .try_with(|c| c.scheduler.get())
        .unwrap_or(ptr::null());
    // SAFETY: the pointer is non-null only inside `set_scheduler`, whose caller keeps the
    // context borrowed (alive, and not mutably aliased: it is only ever shared) for the
    // whole time the pointer is set; the guard restores the previous pointer on return
    // and on unwind.
    f(unsafe { ptr.as_ref() })
}

// ----- the running LocalSet ----------------------------------------------------------

/// Guard of [`set_local_set`].
pub(crate) type LocalSetGuard = Reset<RefCell<Option<Arc<scheduler::local::Shared>>>>;

/// Makes `set` the thread's current `LocalSet` until the guard drops.
pub(crate) fn set_local_set(set: &Arc<scheduler::local::Shared>) -> LocalSetGuard {
    Reset::set(local_set_field, Some(set.clone()))
}

/// The current `LocalSet`, if a set is running on this thread.
pub(crate) fn local_set() -> Option<Arc<scheduler::local::Shared>> {
    CONTEXT
        .try_with(|c| c.local_set.borrow().clone())
        .ok()
        .flatten()
}

// ----- the task being polled ---------------------------------------------------------

/// The task being run on this thread: the `running` field of [`Context`].
#[derive(Clone, Copy, Debug)]
struct Running {
    id: Option<Id>,
    /// The task called `yield_now` in this run (so its self-wake is a yield).
    yielded: bool,
}

impl Running {
    const NONE: Running = Running {
        id: None,
        yielded: false,
    };
}

/// Runs `f` (a task's run, or the drop of its future or output) with `id` as the
/// current task id and no yield recorded; the previous value is back when `f` returns
/// or unwinds.
#[inline]
pub(crate) fn with_task_id<R>(id: Id, f: impl FnOnce() -> R) -> R {
    let _reset = Reset::set(
        running_field,
        Running {
            id: Some(id),
            yielded: false,
        },
    );
    f()
}

/// `yield_now` is waking its own task: the wake that follows is a yield.
pub(crate) fn set_yielded() {
    let _ = CONTEXT.try_with(|c| {
        c.running.set(Running {
            yielded: true,
            ..c.running.get()
        })
    });
}

/// Whether the task being polled yielded (see [`set_yielded`]); clears the flag.
pub(crate) fn take_yielded() -> bool {
    CONTEXT
        .try_with(|c| {
            let running = c.running.get();
            c.running.set(Running {
                yielded: false,
                ..running
            });
            running.yielded
        })
        .unwrap_or(false)
}

/// The id of the task being polled on this thread.
pub(crate) fn task_id() -> Option<Id> {
    CONTEXT.try_with(|c| c.running.get().id).unwrap_or(None)
}

// ----- task-local values --------------------------------------------------------------

/// One task-local value in scope on this thread: which key, where its value is, and
/// the frame it shadows.
pub(crate) struct TaskLocalFrame {
    key: *const (),
    value: *const (),
    outer: *const TaskLocalFrame,
}

/// Runs `f` with `value` in scope for `key` (innermost); both are opaque here (see
/// `api/task_local.rs`, which gives them their meaning). The frame lives on this stack
/// frame and is unlisted when `f` returns or unwinds.
pub(crate) fn with_task_local<R>(key: *const (), value: *const (), f: impl FnOnce() -> R) -> R {
    let frame = TaskLocalFrame {
        key,
        value,
        outer: CONTEXT
            .try_with(|c| c.task_locals.get())
            .unwrap_or(ptr::null()),
    };
    let _reset = Reset::set(task_locals_field, &frame as *const TaskLocalFrame);
    f()
}

/// The value of the innermost frame in scope for `key`, if any.
pub(crate) fn find_task_local(key: *const ()) -> Option<*const ()> {
    let mut frame = CONTEXT.try_with(|c| c.task_locals.get()).ok()?;
    // SAFETY: a frame is listed only while `with_task_local` (which owns it on its
    // stack) runs its closure, and it is unlisted, restoring the outer frame, before it
    // returns or unwinds; frames further out belong to calls further up this stack, so
    // every listed frame is alive.
    while let Some(f) = unsafe { frame.as_ref() } {
        if f.key == key {
            return Some(f.value);
        }
        frame = f.outer;
    }
    None
}

// ----- driving a runtime -------------------------------------------------------------

/// Guard of [`enter_runtime`]: leaves the "driving a runtime" state and restores the
/// previous handle when dropped.
#[derive(Debug)]
pub(crate) struct EnterRuntimeGuard {
    _entered: Reset<Cell<EnterRuntime>>,
    /// robin-sync's own mark, so its `blocking_*` methods panic here (tokio's rule).
    _sync: robin_sync::context::RuntimeGuard,
    _handle: HandleGuard,
}

/// Marks this thread as driving `handle`'s runtime and makes `handle` current.
///
/// # Panics
/// If the thread already drives a runtime: blocking it would stall every task it runs.
#[track_caller]
pub(crate) fn enter_runtime(handle: &scheduler::Handle) -> EnterRuntimeGuard {
    if runtime_entered() {
        panic!(
            "Cannot start a runtime from within a runtime. This happens because a function \
             (like `block_on`) attempted to block the current thread while the thread is \
             being used to drive asynchronous tasks."
        );
    }
    EnterRuntimeGuard {
        _entered: Reset::set(runtime_field, EnterRuntime::Entered),
        _sync: robin_sync::context::enter_runtime_guard(),
        _handle: set_handle(handle),
    }
}

/// Whether this thread is driving a runtime right now.
pub(crate) fn runtime_entered() -> bool {
    CONTEXT
        .try_with(|c| c.runtime.get() == EnterRuntime::Entered)
        .unwrap_or(false)
}

/// Runs `f` as if this thread were not driving a runtime (`block_in_place`), so that
/// `block_on` and robin-sync's `blocking_*` methods are allowed inside it.
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    let _reset = Reset::set(runtime_field, EnterRuntime::NotEntered);
    robin_sync::context::exit_runtime(f)
}

// ----- select!'s generator -----------------------------------------------------------

/// A number in `0..n` from this thread's xorshift32 generator (not cryptographic); `0`
/// when `n` is 0 or the thread-local is gone.
pub(crate) fn rng_below(n: u32) -> u32 {
    CONTEXT
        .try_with(|c| {
            let mut x = c.rng.get();
            if x == 0 {
                x = rng_seed();
            }
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            c.rng.set(x);
            ((u64::from(x) * u64::from(n)) >> 32) as u32
        })
        .unwrap_or(0)
}

/// A per-thread seed from the thread's stack address and a process-wide counter, so
/// threads do not share a sequence. Never zero.
fn rng_seed() -> u32 {
    use crate::loom::counter::{AtomicU32, Relaxed};
    static COUNTER: AtomicU32 = AtomicU32::new(0x9E37_79B9);
    let n = COUNTER.fetch_add(0x6D2B_79F5, Relaxed);
    let local = 0u8;
    let addr = &local as *const u8 as usize as u64;
    let mixed = (addr ^ (addr >> 32)) as u32 ^ n;
    mixed | 1
}

/// This thread's number: threads draw 1, 2, 3, ... on first use, so the threads of a
/// runtime spread evenly over the driver's shards (`number() % shards`). 0 once the
/// thread-local is gone.
pub(crate) fn thread_number() -> usize {
    use crate::loom::counter::{AtomicU32, Relaxed};
    static NEXT: AtomicU32 = AtomicU32::new(1);
    CONTEXT
        .try_with(|c| {
            if c.number.get() == 0 {
                c.number.set(NEXT.fetch_add(1, Relaxed).max(1));
            }
            c.number.get() as usize
        })
        .unwrap_or(0)
}

// ----- blocking-pool threads ---------------------------------------------------------

/// On a blocking-pool thread: records its exit sender (at thread start), or takes it
/// away (`None`, as the thread leaves the pool), returning the previous one.
pub(crate) fn set_blocking_exit(tx: Option<mpsc::Sender<()>>) -> Option<mpsc::Sender<()>> {
    CONTEXT
        .try_with(|c| c.blocking_exit.replace(tx))
        .ok()
        .flatten()
}

/// The exit sender of this blocking-pool thread, if it is one.
pub(crate) fn blocking_exit() -> Option<mpsc::Sender<()>> {
    CONTEXT
        .try_with(|c| c.blocking_exit.borrow().clone())
        .ok()
        .flatten()
}

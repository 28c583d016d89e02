//! The task allocation and its type-erased handles.
//!
//! A spawned task is **one** heap allocation, a `#[repr(C)]` [`Cell`]:
//!
//! ```text
//! Cell<F, S> ─┬─ Header   (hot: state word, vtable pointer, id, owned-list key)
//!             ├─ Core     (the scheduler handle S and the Stage: future | output | consumed)
//!             └─ Trailer  (cold: the JoinHandle's waker)
//! ```
//!
//! Because the header comes first, a `NonNull<Header>` is also a pointer to the whole
//! `Cell<F, S>`; the functions in the [`Vtable`] know `F` and `S` and cast back. Everything
//! outside this module handles tasks through these type-erased pointers:
//! [`Task`] (owns one reference), [`Notified`] (owns one reference and the right to be
//! polled once; this is what run queues hold) and [`RawTask`] (owns nothing).
//!
//! Who may touch which part:
//! - `Header::state`: anyone holding a reference, through atomic transitions only.
//! - `Core::stage`: only the holder of the `RUNNING` bit, or after `COMPLETE` the
//!   `JoinHandle` (when `JOIN_INTEREST` is set) or the completer (when it is not).
//! - `Trailer::waker`: see `state.rs`, "The join-waker slot".
//! - `Header::owned_key`: written once by the owned-task list before the task is shared,
//!   read only under that list's shard lock.
use super::harness;
use super::id::Id;
use super::state::State;
use super::{JoinError, Schedule};
use crate::loom::cell::UnsafeCell;
use std::future::Future;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{Poll, Waker};

/// The hot, type-independent part at the start of every task allocation.
#[repr(C)]
pub(crate) struct Header {
    pub(super) state: State,
    pub(super) vtable: &'static Vtable,
    pub(super) id: Id,
    /// Slot index in the owned-task list shard (see `list.rs`). 32 bits, beside the
    /// 32-bit idle timestamp: the two share one word (see the size note below).
    pub(super) owned_key: UnsafeCell<u32>,
    /// When the task last returned `Pending`, for task dumps (`diag.rs`).
    pub(super) idle_since: super::diag::IdleSince,
    /// Where the task was spawned and its name: immutable, for diagnostics (cold).
    pub(super) meta: TaskMeta,
    /// Wait-site tag, for task dumps (`diag.rs`).
    pub(super) diag: super::diag::Diag,
}

// Size note: the header is 56 bytes, so that a small task's whole cell stays at or below
// 120 bytes, glibc's fast-bin limit (a 128-byte chunk). Above it, a burst of spawns frees
// its cells into bins that coalesce and trim back to the OS, and the next burst page-faults
// them in again: measured at the dump commit, whose 16 more header bytes (136-byte cells)
// doubled the per-task cost of a 10k-task spawn burst on a current-thread runtime (116 ->
// 216 ns, most of the difference in `exc_page_fault`/`clear_page`). Hence the 32-bit
// `owned_key` and idle timestamp sharing a word and the thin pointer to the name (`TaskMeta::name`); the
// `cell_sizes_stay_under_the_fast_bin_limit` test in `mod.rs` holds the line.

/// Diagnostics about a task: where it was spawned (`#[track_caller]`) and its name.
#[derive(Clone, Debug)]
pub(crate) struct TaskMeta {
    pub(crate) location: &'static std::panic::Location<'static>,
    /// A thin pointer to the name (8 bytes in the header where `Arc<str>` takes 16; only
    /// named spawns pay the extra allocation).
    name: Option<std::sync::Arc<std::sync::Arc<str>>>,
}

impl TaskMeta {
    /// The meta of a task spawned at the caller's location.
    #[track_caller]
    pub(crate) fn caller(name: Option<std::sync::Arc<str>>) -> TaskMeta {
        TaskMeta {
            location: std::panic::Location::caller(),
            name: name.map(std::sync::Arc::new),
        }
    }

    /// The task's name, if it was given one (`task::Builder::name`).
    pub(crate) fn name(&self) -> Option<&std::sync::Arc<str>> {
        self.name.as_deref()
    }
}

/// The whole allocation of a task with future `F` and scheduler `S`.
#[repr(C)]
pub(super) struct Cell<F: Future, S> {
    pub(super) header: Header,
    pub(super) core: Core<F, S>,
    pub(super) trailer: Trailer,
}

pub(super) struct Core<F: Future, S> {
    pub(super) scheduler: S,
    pub(super) stage: UnsafeCell<Stage<F>>,
}

/// What the task's future slot holds over its life.
pub(super) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

pub(super) struct Trailer {
    pub(super) waker: UnsafeCell<Option<Waker>>,
}

/// Type-erased operations on a task; one static instance per `(F, S)`.
pub(crate) struct Vtable {
    /// Consumes a `Notified` reference.
    pub(super) poll: unsafe fn(NonNull<Header>),
    /// Consumes a reference, turning it into a `Notified` handed to the scheduler.
    pub(super) schedule: unsafe fn(NonNull<Header>),
    pub(super) dealloc: unsafe fn(NonNull<Header>),
    /// `dst` is a `*mut Poll<Result<F::Output, JoinError>>`.
    pub(super) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    pub(super) drop_join_handle_slow: unsafe fn(NonNull<Header>),
    /// Consumes a reference (the owned-list one).
    pub(super) shutdown: unsafe fn(NonNull<Header>),
}

fn vtable<F, S>() -> &'static Vtable
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    &Vtable {
        poll: harness::poll::<F, S>,
        schedule: harness::schedule::<F, S>,
        dealloc: harness::dealloc::<F, S>,
        try_read_output: harness::try_read_output::<F, S>,
        drop_join_handle_slow: harness::drop_join_handle_slow::<F, S>,
        shutdown: harness::shutdown::<F, S>,
    }
}

/// A pointer to a task that owns no reference. Copy it freely; use it only while some
/// reference is known to be alive.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

impl RawTask {
    /// Allocates a task holding `refs` references (see `state.rs` for what they are).
    pub(super) fn new<F, S>(future: F, scheduler: S, id: Id, refs: usize, meta: TaskMeta) -> RawTask
    where
        F: Future + 'static,
        F::Output: 'static,
        S: Schedule,
    {
        // Written field by field straight into the allocation: a `Box::new(Cell { .. })`
        // builds the whole cell on the stack first and then copies it (a `memcpy` call per
        // spawn once the cell outgrew what the compiler copies inline: a measured 5-8 %
        // of `chained_spawn`).
        let mut cell = Box::<Cell<F, S>>::new_uninit();
        let p = cell.as_mut_ptr();
        // SAFETY: 1. `p` points to an allocation sized and aligned for `Cell<F, S>`, and
        // `addr_of_mut!` takes each field's address without reading or referencing the
        // uninitialised memory; 2. the four writes (header, scheduler, stage, trailer)
        // initialise every field of the `#[repr(C)]` cell (padding needs none), so
        // `assume_init` below sees a whole, valid value.
        unsafe {
            std::ptr::addr_of_mut!((*p).header).write(Header {
                state: State::new(refs),
                vtable: vtable::<F, S>(),
                id,
                owned_key: UnsafeCell::new(u32::MAX),
                idle_since: super::diag::IdleSince::new(),
                meta,
                diag: super::diag::Diag::new(),
            });
            std::ptr::addr_of_mut!((*p).core.scheduler).write(scheduler);
            std::ptr::addr_of_mut!((*p).core.stage).write(UnsafeCell::new(Stage::Running(future)));
            std::ptr::addr_of_mut!((*p).trailer).write(Trailer {
                waker: UnsafeCell::new(None),
            });
        }
        // SAFETY: every field was written just above (2.).
        let cell = unsafe { cell.assume_init() };
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        RawTask { ptr }
    }

    /// # Safety
    /// 1. `ptr` points to the header of a live task allocation.
    pub(super) unsafe fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(super) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: 1. a `RawTask` is only used while a reference to the task is held
        // (documented on the type), so the allocation is live; 2. the header is only ever
        // accessed through shared references (its mutable parts are atomics/cells).
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn id(&self) -> Id {
        self.header().id
    }

    /// Polls the task, consuming a `Notified` reference.
    fn poll(self) {
        // SAFETY: the vtable belongs to this allocation; the caller (`Notified::run`)
        // hands over the `Notified` reference the function consumes.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    fn dealloc(self) {
        // SAFETY: called only by the holder of the last reference (`Task::drop`).
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    /// 1. `dst` points to a `Poll<Result<T, JoinError>>` where `T` is the task's output type.
    /// 2. The caller is the task's `JoinHandle`.
    pub(super) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded from this function's contract.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    /// # Safety
    /// 1. The caller is the task's `JoinHandle`, giving up its reference and interest.
    pub(super) unsafe fn drop_join_handle_slow(self) {
        // SAFETY: forwarded from this function's contract.
        unsafe { (self.header().vtable.drop_join_handle_slow)(self.ptr) }
    }

    /// Requests cancellation from any thread (`abort()`).
    pub(super) fn remote_abort(self) {
        if self.header().state.transition_to_notified_and_cancel() {
            // SAFETY: the transition added the reference that `schedule` consumes.
            unsafe { (self.header().vtable.schedule)(self.ptr) }
        }
    }

    pub(super) fn ref_inc(self) {
        self.header().state.ref_inc();
    }
}

/// Owns one reference to a task. Dropping it drops the reference.
#[derive(PartialEq, Eq)]
pub(crate) struct Task {
    raw: RawTask,
}

// SAFETY: 1. the task's future and output are `Send` (required by `OwnedTasks::bind` and
// `unowned`), or the task is local (`OwnedTasks::bind_local`): its future is wrapped in a
// `ThreadBound` that is polled and dropped only on its owner thread (checked, see
// `local.rs`), and its `!Send` output is only touched by the poller (the owner) or by the
// `JoinHandle`, which is `!Send` for such an output; 2. all shared access to the allocation goes through the atomic state word, which hands
// exclusive access to the stage to one thread at a time; so a reference may move to and be
// used from any thread.
unsafe impl Send for Task {}
// SAFETY: `&Task` only allows reading the header (atomics) and the id; see `Send` above.
unsafe impl Sync for Task {}

impl Task {
    /// # Safety
    /// 1. The caller transfers ownership of one reference to the new `Task`.
    pub(super) unsafe fn from_raw(raw: RawTask) -> Task {
        Task { raw }
    }

    pub(crate) fn raw(&self) -> RawTask {
        self.raw
    }

    pub(crate) fn header(&self) -> &Header {
        self.raw.header()
    }

    pub(crate) fn id(&self) -> Id {
        self.raw.id()
    }

    /// Shuts the task down (runtime shutdown): cancels it now if idle, or flags it so its
    /// current poller cancels it. Consumes this reference.
    pub(crate) fn shutdown(self) {
        let me = ManuallyDrop::new(self);
        // SAFETY: the vtable belongs to this allocation and `shutdown` consumes exactly the
        // reference `me` owned, which is why `me` is not dropped.
        unsafe { (me.header().vtable.shutdown)(me.raw.ptr) }
    }

    pub(super) fn into_raw(self) -> RawTask {
        ManuallyDrop::new(self).raw
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        if self.header().state.ref_dec() {
            self.raw.dealloc();
        }
    }
}

impl std::fmt::Debug for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id())
            .field("state", &self.header().state)
            .finish()
    }
}

/// A task that is due to be polled: the reference a run queue holds.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Notified(pub(super) Task);

impl Notified {
    /// Polls the task (or cancels it, if cancellation was requested).
    ///
    /// Call it inside the task's id scope (`Schedule::with_task_id` semantics; the
    /// schedulers' `run_task` does): the drops of its future and output during the run
    /// (user code) rely on that id being current and do not set it again.
    pub(crate) fn run(self) {
        self.0.into_raw().poll();
    }

    pub(crate) fn id(&self) -> Id {
        self.0.id()
    }

    /// Hands the task to its own scheduler (`Schedule::schedule`), consuming this
    /// reference. The caller must hold another reference across the call: the scheduler
    /// handle lives inside the task allocation.
    pub(crate) fn schedule(self) {
        let raw = self.0.into_raw();
        // SAFETY: the vtable belongs to this allocation, and `schedule` consumes exactly
        // the reference this `Notified` owned (its NOTIFIED bit is set).
        unsafe { (raw.header().vtable.schedule)(raw.header_ptr()) }
    }

    /// Drops the queue entry without polling: used when draining queues at shutdown.
    pub(crate) fn into_task(self) -> Task {
        self.0
    }

    /// The header pointer, for queues that store tasks as raw pointers (the LIFO slot).
    pub(crate) fn into_ptr(self) -> NonNull<Header> {
        self.0.into_raw().header_ptr()
    }

    /// # Safety
    /// 1. `ptr` came from [`Notified::into_ptr`] and is converted back exactly once.
    pub(crate) unsafe fn from_ptr(ptr: NonNull<Header>) -> Notified {
        // SAFETY: by 1., `ptr` carries the `Notified` reference `into_ptr` kept alive.
        unsafe { Notified(Task::from_raw(RawTask::from_raw(ptr))) }
    }
}

/// The result slot a `JoinHandle` reads into.
pub(super) type OutputSlot<T> = Poll<Result<T, JoinError>>;

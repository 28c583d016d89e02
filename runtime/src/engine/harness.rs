//! The typed half of a task: polling, cancelling, completing and joining, monomorphised
//! per future type `F` and scheduler `S` and reached through the [`Vtable`](super::raw::Vtable).
//!
//! Every function here starts from a state transition (see `state.rs`) that tells it what
//! it now owns, and touches the stage or the waker slot only as that ownership allows.
//! User code (the future's `poll` and `drop`, the output's `drop`, the join waker) may
//! panic anywhere; each such call is wrapped in `catch_unwind` so that no panic unwinds
//! through a half-done transition: the invariant the state word describes always holds.
use super::id::Id;
use super::raw::{Cell, Core, Header, OutputSlot, RawTask, Stage, Trailer};
use super::state::{TransitionToIdle, TransitionToRunning};
use super::{JoinError, Notified, Schedule, Task};
use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

/// Where a stage drop (the future's or the output's `Drop`, user code) happens, which
/// says whether the task's id still has to be made current for it (`task::id()` in a
/// `Drop` sees its own task, as in tokio).
#[derive(Clone, Copy, Debug)]
enum Scope {
    /// Inside the task's run: the scheduler runs every `Notified` inside the task's id
    /// scope (`scheduler::run_task`), so the id is current already.
    Run,
    /// Anywhere else (a `JoinHandle` dropped after completion, shutdown): the drop is
    /// wrapped in `Schedule::with_task_id`.
    Outside,
}

/// A typed view of one task allocation; owns nothing by itself.
struct Harness<F: Future, S> {
    cell: NonNull<Cell<F, S>>,
}

impl<F, S> Harness<F, S>
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    /// # Safety
    /// 1. `ptr` is the header of a live `Cell<F, S>` (the vtable that called us is the
    ///    one built for `(F, S)`, and the header is the first field of the `repr(C)` cell).
    unsafe fn from_raw(ptr: NonNull<Header>) -> Self {
        Harness { cell: ptr.cast() }
    }

    fn cell(&self) -> &Cell<F, S> {
        // SAFETY: by `from_raw`'s contract the cell is live while we run (our caller holds
        // a reference); only shared references are formed, mutation goes through cells.
        unsafe { self.cell.as_ref() }
    }

    fn header(&self) -> &Header {
        &self.cell().header
    }

    fn core(&self) -> &Core<F, S> {
        &self.cell().core
    }

    fn trailer(&self) -> &Trailer {
        &self.cell().trailer
    }

    fn raw(&self) -> RawTask {
        // SAFETY: the header pointer of a live cell.
        unsafe { RawTask::from_raw(self.cell.cast()) }
    }

    fn id(&self) -> Id {
        self.header().id
    }

    // ----- running ------------------------------------------------------------------

    /// Consumes the `Notified` reference the caller held.
    fn poll(self) {
        match self.header().state.transition_to_running() {
            TransitionToRunning::Success => {
                if self.poll_future() {
                    self.complete(Scope::Run);
                    return;
                }
                match self.header().state.transition_to_idle() {
                    TransitionToIdle::Ok => {}
                    TransitionToIdle::OkNotified => {
                        // SAFETY: the transition added this `Notified`'s reference.
                        let task = unsafe { Task::from_raw(self.raw()) };
                        self.core().scheduler.yield_now(Notified(task));
                        // The poller's reference kept the task alive through `yield_now`
                        // (a thief may already have run and completed it).
                        if self.header().state.ref_dec() {
                            self.dealloc();
                        }
                    }
                    TransitionToIdle::OkDealloc => self.dealloc(),
                    TransitionToIdle::Cancelled => {
                        self.cancel_future(Scope::Run);
                        self.complete(Scope::Run);
                    }
                }
            }
            TransitionToRunning::Cancelled => {
                self.cancel_future(Scope::Run);
                self.complete(Scope::Run);
            }
            TransitionToRunning::Failed => {}
            TransitionToRunning::Dealloc => self.dealloc(),
        }
    }

    /// Polls the future once (we hold `RUNNING`). Returns `true` when the stage now holds
    /// the final result: the output, or the panic the poll raised.
    fn poll_future(&self) -> bool {
        let waker = waker_ref(self.cell.cast());
        let mut cx = Context::from_waker(&waker);
        self.header().diag.poll_started();
        // Feature `tracing`: the poll runs inside a `runtime.spawn` span describing the
        // task (tokio-console's field names).
        #[cfg(feature = "tracing")]
        let _span = {
            let meta = &self.header().meta;
            tracing::trace_span!(
                "runtime.spawn",
                task.id = self.id().as_u64(),
                task.name = meta.name().map(|n| &**n),
                loc.file = meta.location.file(),
                loc.line = meta.location.line(),
                loc.col = meta.location.column(),
            )
            .entered()
        };
        let res = catch_unwind(AssertUnwindSafe(|| {
            self.core().stage.with_mut(|stage| {
                // SAFETY: we hold `RUNNING`, so we have exclusive access to the stage.
                let stage = unsafe { &mut *stage };
                match stage {
                    Stage::Running(fut) => {
                        // SAFETY: the future lives inside the task allocation, which never
                        // moves, and is only ever dropped in place (`drop_stage`): it is
                        // pinned from its first poll until it is dropped.
                        let fut = unsafe { Pin::new_unchecked(fut) };
                        fut.poll(&mut cx)
                    }
                    _ => unreachable!("polled a task whose future is gone"),
                }
            })
        }));
        let output = match res {
            Ok(Poll::Pending) => {
                // Before `transition_to_idle`, after which we may no longer own the task.
                self.header().idle_since.poll_pending();
                return false;
            }
            Ok(Poll::Ready(output)) => {
                match catch_unwind(AssertUnwindSafe(|| self.drop_stage(Scope::Run))) {
                    Ok(()) => Ok(output),
                    Err(payload) => {
                        let _ = catch_unwind(AssertUnwindSafe(move || drop(output)));
                        Err(JoinError::panic(self.id(), payload))
                    }
                }
            }
            Err(payload) => {
                // The future panicked; dropping it may panic too: the first payload wins.
                let _ = catch_unwind(AssertUnwindSafe(|| self.drop_stage(Scope::Run)));
                self.core().scheduler.unhandled_panic();
                Err(JoinError::panic(self.id(), payload))
            }
        };
        self.store(Stage::Finished(output));
        true
    }

    /// Drops the future (we hold `RUNNING`) and stores a cancellation result.
    fn cancel_future(&self, scope: Scope) {
        let err = match catch_unwind(AssertUnwindSafe(|| self.drop_stage(scope))) {
            Ok(()) => JoinError::cancelled(self.id()),
            Err(payload) => JoinError::panic(self.id(), payload),
        };
        self.store(Stage::Finished(Err(err)));
    }

    /// Drops whatever the stage holds **in place** (a future is pinned: it must not move
    /// before its drop), leaving `Consumed`, even if the drop panics. The caller has
    /// exclusive access to the stage (holds `RUNNING`, or is the sole owner of the output).
    fn drop_stage(&self, scope: Scope) {
        /// Writes `Consumed` over the (dropped) stage, on return and on unwind alike.
        struct Consume<F: Future>(*mut Stage<F>);
        impl<F: Future> Drop for Consume<F> {
            fn drop(&mut self) {
                // SAFETY: the old value was dropped in place just before (or its drop
                // unwound, which still drops every field); overwriting without dropping
                // it again is what we want, and we have exclusive access (see caller).
                unsafe { std::ptr::write(self.0, Stage::Consumed) }
            }
        }
        let drop_it = || {
            self.core().stage.with_mut(|stage| {
                let _consume = Consume(stage);
                // SAFETY: exclusive access, by this function's caller contract; the value
                // is valid (never dropped before: every drop is followed by `Consume`'s
                // write).
                unsafe { std::ptr::drop_in_place(stage) };
            })
        };
        // The drop runs user code, which must see this task's id: already current in
        // the task's run, set around it elsewhere (`Schedule::with_task_id`).
        match scope {
            Scope::Run => drop_it(),
            Scope::Outside => self
                .core()
                .scheduler
                .with_task_id(self.id(), &mut { drop_it }),
        }
    }

    fn store(&self, value: Stage<F>) {
        self.core().stage.with_mut(|stage| {
            // SAFETY: exclusive access (see callers); the previous value was `Consumed`,
            // which owns nothing, so overwriting without dropping leaks nothing.
            unsafe { std::ptr::write(stage, value) }
        });
    }

    /// The stage holds the final result and we hold `RUNNING`: publish `COMPLETE`, hand
    /// the output to the `JoinHandle` (or drop it), leave the owned list, drop references.
    fn complete(self, scope: Scope) {
        let snapshot = self.header().state.transition_to_complete();
        // Leave the owned list first, so that whoever the join waker wakes (and anything
        // ordered after it) no longer counts this task among the runtime's live tasks.
        // SAFETY: a borrowed view of our own reference, never dropped (ManuallyDrop).
        let me = ManuallyDrop::new(unsafe { Task::from_raw(self.raw()) });
        let released = self.core().scheduler.release(&me);
        // User code runs here (output drop, join waker): keep its panic away from us.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            if !snapshot.is_join_interested() {
                // No JoinHandle: nobody else will ever read the output.
                self.drop_stage(scope);
            } else if snapshot.is_join_waker_set() {
                self.trailer().waker.with(|waker| {
                    // SAFETY: JOIN_WAKER was set when we completed, so the slot is
                    // initialised and the JoinHandle no longer writes it (state.rs).
                    if let Some(waker) = unsafe { &*waker } {
                        waker.wake_by_ref();
                    }
                });
            }
        }));
        let count = match released {
            Some(task) => {
                // The owned list's reference: dropped together with ours below.
                std::mem::forget(task);
                2
            }
            None => 1,
        };
        if self.header().state.transition_to_terminal(count) {
            self.dealloc();
        }
    }

    fn dealloc(self) {
        // SAFETY: called by the holder of the last reference: nobody else can reach the
        // allocation, which `RawTask::new` made with `Box::new`.
        let cell = unsafe { Box::from_raw(self.cell.as_ptr()) };
        // The join waker and a never-completed stage are user values whose `Drop` may
        // panic; the box is freed either way (drop glue keeps going on unwind), and the
        // panic must not unwind into the scheduler that released the last reference.
        let _ = catch_unwind(AssertUnwindSafe(move || drop(cell)));
    }

    // ----- joining ------------------------------------------------------------------

    /// Whether the JoinHandle may read the output now; otherwise its waker is registered.
    fn can_read_output(&self, waker: &Waker) -> bool {
        let state = &self.header().state;
        let snapshot = state.load();
        if snapshot.is_complete() {
            return true;
        }
        let res = if snapshot.is_join_waker_set() {
            let same = self.trailer().waker.with(|slot| {
                // SAFETY: reading the slot is allowed while JOIN_WAKER is set: the runtime
                // side only reads it too (state.rs).
                unsafe { &*slot }
                    .as_ref()
                    .is_some_and(|w| w.will_wake(waker))
            });
            if same {
                return false;
            }
            state
                .unset_join_waker()
                .and_then(|_| self.set_join_waker(waker.clone()))
        } else {
            self.set_join_waker(waker.clone())
        };
        match res {
            Ok(_) => false,
            Err(snapshot) => {
                debug_assert!(snapshot.is_complete());
                true
            }
        }
    }

    fn set_join_waker(
        &self,
        waker: Waker,
    ) -> Result<super::state::Snapshot, super::state::Snapshot> {
        // SAFETY: JOIN_WAKER is clear and we are the JoinHandle, so the slot is ours.
        self.trailer()
            .waker
            .with_mut(|slot| unsafe { *slot = Some(waker) });
        let res = self.header().state.set_join_waker();
        if res.is_err() {
            // Completed first: the slot is still ours; drop the waker now.
            // SAFETY: as above, JOIN_WAKER was never published.
            self.trailer()
                .waker
                .with_mut(|slot| unsafe { *slot = None });
        }
        res
    }

    fn take_output(&self) -> Result<F::Output, JoinError> {
        self.core().stage.with_mut(|stage| {
            // SAFETY: the task is COMPLETE and JOIN_INTEREST is set (we are the JoinHandle),
            // so the runtime no longer touches the stage and we have exclusive access.
            match unsafe { std::ptr::replace(stage, Stage::Consumed) } {
                Stage::Finished(output) => output,
                _ => panic!("JoinHandle polled after it returned its output"),
            }
        })
    }
}

// ----- the vtable entries ---------------------------------------------------------------

/// # Safety
/// 1. `ptr` is the header of a live `Cell<F, S>`; 2. the caller gives up one `Notified`
///    reference.
pub(super) unsafe fn poll<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    // SAFETY: 1. of this function's contract.
    unsafe { Harness::<F, S>::from_raw(ptr) }.poll();
}

/// # Safety
/// 1. `ptr` is the header of a live `Cell<F, S>`; 2. the caller gives up one reference,
///    which becomes the `Notified`'s (its NOTIFIED bit is already set).
pub(super) unsafe fn schedule<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    // SAFETY: 1. of this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    // SAFETY: 2. of this function's contract.
    let task = unsafe { Task::from_raw(harness.raw()) };
    harness.core().scheduler.schedule(Notified(task));
}

/// # Safety
/// 1. `ptr` is the header of a `Cell<F, S>` whose last reference the caller dropped.
pub(super) unsafe fn dealloc<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    // SAFETY: 1. of this function's contract.
    unsafe { Harness::<F, S>::from_raw(ptr) }.dealloc();
}

/// # Safety
/// 1. `ptr` is the header of a live `Cell<F, S>`; 2. the caller is its JoinHandle;
/// 3. `dst` points to a valid `Poll<Result<F::Output, JoinError>>`.
pub(super) unsafe fn try_read_output<F, S>(ptr: NonNull<Header>, dst: *mut (), waker: &Waker)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    // SAFETY: 1. of this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    if harness.can_read_output(waker) {
        let dst = dst.cast::<OutputSlot<F::Output>>();
        // SAFETY: 3. of this function's contract; assignment drops the old `Pending`.
        unsafe { *dst = Poll::Ready(harness.take_output()) };
    }
}

/// # Safety
/// 1. `ptr` is the header of a live `Cell<F, S>`; 2. the caller is its JoinHandle, giving
///    up its interest and its reference.
pub(super) unsafe fn drop_join_handle_slow<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    // SAFETY: 1. of this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    match harness.header().state.unset_join_interested() {
        // Complete with interest: the output is ours to drop (it may panic: contain it).
        Err(_) => {
            let _ = catch_unwind(AssertUnwindSafe(|| harness.drop_stage(Scope::Outside)));
        }
        Ok(prev) => {
            if prev.is_join_waker_set() {
                // We took the slot back by clearing JOIN_WAKER before completion.
                // SAFETY: the runtime reads the slot only with JOIN_INTEREST set, now clear.
                let waker = harness
                    .trailer()
                    .waker
                    .with_mut(|slot| unsafe { (*slot).take() });
                // A user waker's `Drop` may panic: never skip the `ref_dec` below for it.
                let _ = catch_unwind(AssertUnwindSafe(move || drop(waker)));
            }
        }
    }
    if harness.header().state.ref_dec() {
        harness.dealloc();
    }
}

/// # Safety
/// 1. `ptr` is the header of a live `Cell<F, S>`; 2. the caller gives up one reference.
pub(super) unsafe fn shutdown<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    // SAFETY: 1. of this function's contract.
    let harness = unsafe { Harness::<F, S>::from_raw(ptr) };
    if harness.header().state.transition_to_shutdown() {
        // We claimed RUNNING on an idle task: our reference acts as the poller's.
        harness.cancel_future(Scope::Outside);
        harness.complete(Scope::Outside);
    } else if harness.header().state.ref_dec() {
        harness.dealloc();
    }
}

/// A `Waker` for the task that does not own a reference: valid while the poll runs.
fn waker_ref(header: NonNull<Header>) -> ManuallyDrop<Waker> {
    // SAFETY: the waker never outlives this poll, during which the poller holds a
    // reference; `ManuallyDrop` keeps us from dropping a reference we never took. Clones
    // made by the future go through the vtable's `clone`, which takes their own.
    ManuallyDrop::new(unsafe { super::waker::from_header(header) })
}

//! The task's `Waker`: the task pointer itself, with a static vtable.
//!
//! A waker owns one task reference (taken by `clone`, dropped by `drop`/`wake`), so
//! `wake_by_ref` allocates nothing and the task cannot be freed under a live waker.
//! That reference is also counted in the state word's waker count, in the same atomic
//! operation (`State::waker_ref_inc` / `waker_ref_dec`): what task dumps' `is_lost` reads.
use super::raw::Header;
use super::state::TransitionToNotified;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake_by_val, wake_by_ref, drop_waker);

/// Whether `waker` is a task waker; its task header if so (for wait-site tags).
pub(crate) fn task_header(waker: &Waker) -> Option<NonNull<Header>> {
    if std::ptr::eq(waker.vtable(), &VTABLE) {
        // A task waker's data pointer is its header (`from_header`), never null.
        NonNull::new(waker.data() as *mut Header)
    } else {
        None
    }
}

/// # Safety
/// 1. `header` is a live task; the returned waker is treated as owning one reference
///    counted as a waker's (the caller either transfers such a one, or wraps the waker
///    in `ManuallyDrop` for a borrowed use that owns none).
pub(super) unsafe fn from_header(header: NonNull<Header>) -> Waker {
    let raw = RawWaker::new(header.as_ptr() as *const (), &VTABLE);
    // SAFETY: `VTABLE`'s functions uphold the `RawWaker` contract for task pointers.
    unsafe { Waker::from_raw(raw) }
}

/// The task pointer, with the provenance of the whole allocation (not re-derived from a
/// `&Header`, which would only cover the header's bytes), and a reference to its header.
///
/// # Safety
/// `ptr` came from `from_header` and the waker's reference is alive.
unsafe fn header<'a>(ptr: *const ()) -> (NonNull<Header>, &'a Header) {
    // SAFETY: `from_header` made `ptr` from a `NonNull<Header>`, so it is non-null.
    let nn = unsafe { NonNull::new_unchecked(ptr as *mut Header) };
    // SAFETY: forwarded from the caller: a live task header, only read through `&`.
    (nn, unsafe { nn.as_ref() })
}

unsafe fn clone(ptr: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned holds a reference, so the task is live.
    unsafe { header(ptr) }.1.state.waker_ref_inc();
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake_by_val(ptr: *const ()) {
    // SAFETY: this waker's reference keeps the task live until the transition below.
    let (nn, h) = unsafe { header(ptr) };
    match h.state.transition_to_notified_by_val() {
        TransitionToNotified::Submit => {
            // SAFETY: the transition added the reference that `schedule` consumes; our
            // own reference keeps the task alive while `schedule` runs.
            unsafe { (h.vtable.schedule)(nn) };
            // Only now give up the waker's reference (it may be the last one).
            if h.state.waker_ref_dec() {
                // SAFETY: that was the last reference.
                unsafe { (h.vtable.dealloc)(nn) }
            }
        }
        // SAFETY: the waker held the last reference.
        TransitionToNotified::Dealloc => unsafe { (h.vtable.dealloc)(nn) },
        TransitionToNotified::DoNothing => {}
    }
}

unsafe fn wake_by_ref(ptr: *const ()) {
    // SAFETY: the borrowed waker's reference keeps the task live for this call.
    let (nn, h) = unsafe { header(ptr) };
    if h.state.transition_to_notified_by_ref() == TransitionToNotified::Submit {
        // SAFETY: the transition added the reference that `schedule` consumes.
        unsafe { (h.vtable.schedule)(nn) }
    }
}

unsafe fn drop_waker(ptr: *const ()) {
    // SAFETY: the waker's own reference keeps the task live until `ref_dec`.
    let (nn, h) = unsafe { header(ptr) };
    if h.state.waker_ref_dec() {
        // SAFETY: that was the last reference.
        unsafe { (h.vtable.dealloc)(nn) }
    }
}

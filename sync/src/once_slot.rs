//! The write-once value slot that [`OnceCell`](crate::OnceCell) and
//! [`SetOnce`](crate::SetOnce) are built on, and the trait impls they share.
//!
//! Owns: the value's storage and the `EMPTY -> WRITING -> SET` state word that says when the
//! value may be read. It knows nothing of who may write (the once-cell's semaphore, the
//! set-once's compare-and-swap race) nor of waiting: it imports only the crate's `loom`
//! shim.
//!
//! # State
//!
//! `state` goes `EMPTY -> WRITING -> SET` and never back while the slot is shared. The one
//! [`try_write`](OnceSlot::try_write) that wins the `EMPTY -> WRITING` compare-and-swap
//! writes the value and stores `SET` with Release; a reader that loads `SET` with Acquire
//! therefore sees the whole value, and may borrow it for as long as it borrows the slot
//! (it is never written or dropped again through `&self`). Only `&mut self` methods
//! ([`take`](OnceSlot::take), `Drop`) move the state back, and they are exclusive.
use crate::loom::atomic::{AtomicUsize, Ordering::*};
use crate::loom::UnsafeCell;
use std::mem::MaybeUninit;

const EMPTY: usize = 0;
const WRITING: usize = 1;
const SET: usize = 2;

/// A value written at most once through `&self`, readable by everyone once written.
pub(crate) struct OnceSlot<T> {
    state: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

// SAFETY: the slot owns its `T`; moving the slot moves the `T` (needs `T: Send`).
unsafe impl<T: Send> Send for OnceSlot<T> {}
// SAFETY: through `&OnceSlot<T>` one thread writes the `T` (so it may come from any thread:
// `T: Send`) and then every thread reads `&T` (`T: Sync`). The write is ordered before every
// read by the Release store / Acquire load of `SET` (module docs).
unsafe impl<T: Send + Sync> Sync for OnceSlot<T> {}

impl<T> OnceSlot<T> {
    /// An empty slot.
    pub(crate) fn new() -> Self {
        OnceSlot {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// An empty slot in a `const` context (loom's atomics have no `const fn new`).
    #[cfg(not(loom))]
    pub(crate) const fn const_new() -> Self {
        OnceSlot {
            state: AtomicUsize::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// A slot already holding `value`, in a `const` context.
    #[cfg(not(loom))]
    pub(crate) const fn const_new_with(value: T) -> Self {
        OnceSlot {
            state: AtomicUsize::new(SET),
            value: UnsafeCell::new(MaybeUninit::new(value)),
        }
    }

    /// Whether the value is written (and so readable).
    pub(crate) fn is_set(&self) -> bool {
        // Acquire: pairs with the Release store in `try_write`, so the value is visible.
        self.state.load(Acquire) == SET
    }

    /// The value, if written.
    pub(crate) fn get(&self) -> Option<&T> {
        if self.is_set() {
            // SAFETY: `SET` was observed with Acquire, so the write of the value
            // happened-before; it is never written again nor dropped while `&self` lives.
            Some(self.value.with(|p| unsafe { (*p).assume_init_ref() }))
        } else {
            None
        }
    }

    /// The value, mutably, if written (`&mut self` proves nobody else looks).
    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        if self.is_set() {
            // SAFETY: set, and `&mut self` makes this the only access.
            Some(unsafe { self.value.get_mut().assume_init_mut() })
        } else {
            None
        }
    }

    /// Writes `value` if nobody has written or is writing one; hands it back otherwise.
    pub(crate) fn try_write(&self, value: T) -> Result<&T, T> {
        // Relaxed is enough for both outcomes: the winner reads nothing before it writes,
        // and a loser reads nothing at all.
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Relaxed, Relaxed)
            .is_err()
        {
            return Err(value);
        }
        // SAFETY: winning EMPTY -> WRITING makes this the only writer, and nobody reads
        // before the state says SET.
        self.value.with_mut(|p| unsafe { (*p).write(value) });
        // Release: a reader's Acquire load of SET sees the value written above.
        self.state.store(SET, Release);
        match self.get() {
            Some(v) => Ok(v),
            None => unreachable!("just written"),
        }
    }

    /// Takes the value out, leaving the slot empty.
    pub(crate) fn take(&mut self) -> Option<T> {
        if !self.is_set() {
            return None;
        }
        self.state.store(EMPTY, Relaxed);
        // SAFETY: set (so initialized), `&mut self` is exclusive, and the state now says
        // EMPTY, so the value is read out exactly once.
        Some(unsafe { self.value.get_mut().assume_init_read() })
    }
}

impl<T> Drop for OnceSlot<T> {
    fn drop(&mut self) {
        drop(self.take());
    }
}

/// The value-like trait impls of a once-cell type `$cell<T>`, which has
/// `fn new() -> Self`, `fn new_with(Option<T>) -> Self` and `fn get(&self) -> Option<&T>`:
/// `Default` (empty), `Debug` (shows the value), `Clone` (clones the value), `PartialEq`
/// and `Eq` (compare the values), and `From<T>` (a cell holding it) — as tokio has them.
macro_rules! impl_once_cell_traits {
    ($cell:ident) => {
        impl<T> Default for $cell<T> {
            fn default() -> Self {
                $cell::new()
            }
        }

        impl<T: ::std::fmt::Debug> ::std::fmt::Debug for $cell<T> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(stringify!($cell))
                    .field("value", &self.get())
                    .finish()
            }
        }

        impl<T: Clone> Clone for $cell<T> {
            fn clone(&self) -> Self {
                $cell::new_with(self.get().cloned())
            }
        }

        impl<T: PartialEq> PartialEq for $cell<T> {
            fn eq(&self, other: &Self) -> bool {
                self.get() == other.get()
            }
        }

        impl<T: Eq> Eq for $cell<T> {}

        impl<T> From<T> for $cell<T> {
            fn from(value: T) -> Self {
                $cell::new_with(Some(value))
            }
        }
    };
}
pub(crate) use impl_once_cell_traits;

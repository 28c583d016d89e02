//! A cell initialized at most once, by an async initializer (tokio's `sync::OnceCell`).
//!
//! # State
//!
//! - `value` ([`OnceSlot`]): empty, or set for good while the cell is shared; a reader
//!   that sees it set may read the value through `&self` for as long as it borrows the cell.
//! - `init` ([batch semaphore](crate::batch_semaphore) with one permit): whoever holds the
//!   permit may write the value. Initializers queue on it FIFO. The writer *closes* the
//!   semaphore after setting `SET`, so every queued and later initializer fails its
//!   acquire and returns the value instead; an initializer that fails, panics or is
//!   cancelled returns the permit and the next one in line tries.
//!
//! The value itself lives in a [`OnceSlot`] (the write-once storage shared with
//! [`SetOnce`](crate::SetOnce)); this file has no `unsafe`.
use crate::batch_semaphore::BatchSemaphore;
use crate::errors::SetError;
use crate::once_slot::{impl_once_cell_traits, OnceSlot};
use std::future::Future;

/// A thread-safe cell that is written at most once, with an async initializer: the
/// `static` lazily-initialized client pattern.
///
/// ```
/// use robin_sync::OnceCell;
///
/// static CLIENT: OnceCell<String> = OnceCell::const_new();
///
/// async fn client() -> &'static String {
///     CLIENT.get_or_init(|| async { "connected".to_string() }).await
/// }
///
/// let c = futures::executor::block_on(client());
/// assert_eq!(c, "connected");
/// assert_eq!(CLIENT.get().map(String::as_str), Some("connected"));
/// ```
pub struct OnceCell<T> {
    value: OnceSlot<T>,
    init: BatchSemaphore,
}

impl_once_cell_traits!(OnceCell);

impl<T> OnceCell<T> {
    /// An empty cell.
    ///
    /// ```
    /// let cell = robin_sync::OnceCell::<u8>::new();
    /// assert!(!cell.initialized());
    /// ```
    pub fn new() -> Self {
        OnceCell {
            value: OnceSlot::new(),
            init: BatchSemaphore::new(1),
        }
    }

    /// An empty cell, in a `const` context (for `static`s; not under `--cfg loom`).
    ///
    /// ```
    /// static CELL: robin_sync::OnceCell<u32> = robin_sync::OnceCell::const_new();
    /// assert_eq!(CELL.get(), None);
    /// CELL.set(3).unwrap();
    /// assert_eq!(CELL.get(), Some(&3));
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new() -> Self {
        OnceCell {
            value: OnceSlot::const_new(),
            init: BatchSemaphore::const_new(1),
        }
    }

    /// A cell holding `value` if it is `Some`, else empty.
    ///
    /// ```
    /// let cell = robin_sync::OnceCell::new_with(Some(5));
    /// assert_eq!(cell.get(), Some(&5));
    /// ```
    pub fn new_with(value: Option<T>) -> Self {
        let cell = OnceCell::new();
        if let Some(v) = value {
            if cell.set(v).is_err() {
                unreachable!("a new cell is empty");
            }
        }
        cell
    }

    /// A cell already holding `value`, in a `const` context (not under `--cfg loom`).
    ///
    /// ```
    /// static CELL: robin_sync::OnceCell<&str> = robin_sync::OnceCell::const_new_with("x");
    /// assert_eq!(CELL.get(), Some(&"x"));
    /// assert!(CELL.set("y").unwrap_err().is_already_init_err());
    /// ```
    #[cfg(not(loom))]
    pub const fn const_new_with(value: T) -> Self {
        OnceCell {
            value: OnceSlot::const_new_with(value),
            // Closed at once: the permit is never handed out, as for a set cell.
            init: BatchSemaphore::const_new_closed(),
        }
    }

    /// Whether the cell holds a value.
    ///
    /// ```
    /// let cell = robin_sync::OnceCell::new();
    /// cell.set(()).unwrap();
    /// assert!(cell.initialized());
    /// ```
    pub fn initialized(&self) -> bool {
        self.value.is_set()
    }

    /// The value, if the cell holds one.
    ///
    /// ```
    /// let cell = robin_sync::OnceCell::new();
    /// assert_eq!(cell.get(), None);
    /// cell.set(1).unwrap();
    /// assert_eq!(cell.get(), Some(&1));
    /// ```
    pub fn get(&self) -> Option<&T> {
        self.value.get()
    }

    /// The value, mutably, if the cell holds one (`&mut self` proves nobody else looks).
    ///
    /// ```
    /// let mut cell = robin_sync::OnceCell::new_with(Some(1));
    /// *cell.get_mut().unwrap() += 1;
    /// assert_eq!(cell.get(), Some(&2));
    /// ```
    pub fn get_mut(&mut self) -> Option<&mut T> {
        self.value.get_mut()
    }

    /// Sets the value if the cell is empty and nobody is initializing it.
    ///
    /// ```
    /// use robin_sync::{OnceCell, SetError};
    /// let cell = OnceCell::new();
    /// assert_eq!(cell.set(1), Ok(()));
    /// assert_eq!(cell.set(2), Err(SetError::AlreadyInitializedError(2)));
    /// ```
    pub fn set(&self, value: T) -> Result<(), SetError<T>> {
        if self.initialized() {
            return Err(SetError::AlreadyInitializedError(value));
        }
        match self.init.try_acquire(1) {
            Ok(()) => {
                // The permit is ours: no initializer writes concurrently, and a set cell
                // closes the semaphore, so the cell is still empty.
                self.write(value);
                Ok(())
            }
            Err(crate::errors::TryAcquireError::NoPermits) => {
                Err(SetError::InitializingError(value))
            }
            Err(crate::errors::TryAcquireError::Closed) => {
                Err(SetError::AlreadyInitializedError(value))
            }
        }
    }

    /// Writes the value while holding the permit, then closes the semaphore (the permit is
    /// never returned: the cell stays set).
    fn write(&self, value: T) -> &T {
        // The caller holds the only permit and a set cell closes the semaphore, so the
        // slot is empty and nobody else writes: the write cannot lose.
        let Ok(v) = self.value.try_write(value) else {
            unreachable!("the permit holder writes an empty slot")
        };
        self.init.close();
        v
    }

    /// The value, initializing it with `f` first if the cell is empty. Concurrent callers
    /// queue: one runs its `f`, the others get its value. If that `f` is cancelled (or
    /// panics), the next caller in line runs its own.
    ///
    /// ```
    /// use robin_sync::OnceCell;
    /// let cell = OnceCell::new();
    /// futures::executor::block_on(async {
    ///     assert_eq!(*cell.get_or_init(|| async { 1 }).await, 1);
    ///     assert_eq!(*cell.get_or_init(|| async { 2 }).await, 1);
    /// });
    /// ```
    pub async fn get_or_init<F, Fut>(&self, f: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self
            .get_or_try_init(|| async { Ok::<T, std::convert::Infallible>(f().await) })
            .await
        {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// Like [`get_or_init`](Self::get_or_init), but `f` may fail: then the cell stays
    /// empty, the error is returned and the next caller in line tries.
    ///
    /// ```
    /// use robin_sync::OnceCell;
    /// let cell = OnceCell::new();
    /// futures::executor::block_on(async {
    ///     assert_eq!(cell.get_or_try_init(|| async { Err("down") }).await, Err("down"));
    ///     assert_eq!(cell.get_or_try_init(|| async { Ok::<_, &str>(4) }).await, Ok(&4));
    /// });
    /// ```
    pub async fn get_or_try_init<E, F, Fut>(&self, f: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        {
            // Even the fast path spends coop budget: a loop over a set cell still yields.
            let coop = std::future::poll_fn(crate::coop::poll_proceed).await;
            if let Some(v) = self.get() {
                coop.made_progress();
                return Ok(v);
            }
        }
        if self.init.acquire(1).await.is_err() {
            // Closed: someone set the value.
            return match self.get() {
                Some(v) => Ok(v),
                None => unreachable!("the semaphore closes only once the value is set"),
            };
        }
        // Holding the permit. Give it back unless the value gets written, including when
        // `f` panics or this future is dropped mid-way.
        struct Permit<'a>(&'a BatchSemaphore);
        impl Drop for Permit<'_> {
            fn drop(&mut self) {
                self.0.release(1);
            }
        }
        let permit = Permit(&self.init);
        match f().await {
            Ok(value) => {
                std::mem::forget(permit);
                Ok(self.write(value))
            }
            Err(e) => Err(e),
        }
    }

    /// Takes the value out, leaving the cell empty.
    ///
    /// ```
    /// let mut cell = robin_sync::OnceCell::new_with(Some(1));
    /// assert_eq!(cell.take(), Some(1));
    /// assert!(!cell.initialized());
    /// cell.set(2).unwrap();
    /// ```
    pub fn take(&mut self) -> Option<T> {
        let value = self.value.take()?;
        // Empty again: a new initializer may take the permit.
        self.init = BatchSemaphore::new(1);
        Some(value)
    }

    /// The value, consuming the cell.
    ///
    /// ```
    /// let cell = robin_sync::OnceCell::new_with(Some("v"));
    /// assert_eq!(cell.into_inner(), Some("v"));
    /// ```
    pub fn into_inner(mut self) -> Option<T> {
        self.take()
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::atomic::{AtomicUsize, Ordering::SeqCst};
    use crate::loom::Arc;
    use loom::future::block_on;
    use loom::thread;
    use std::task::{Context, Waker};

    /// Two initializers race: exactly one runs, both see its value.
    #[test]
    fn one_initializer_runs() {
        loom::model(|| {
            let cell = Arc::new(OnceCell::new());
            let runs = Arc::new(AtomicUsize::new(0));
            let (c2, r2) = (cell.clone(), runs.clone());
            let t = thread::spawn(move || {
                *block_on(c2.get_or_init(|| async move {
                    r2.fetch_add(1, SeqCst);
                    2
                }))
            });
            let mine = *block_on(cell.get_or_init(|| async {
                runs.fetch_add(1, SeqCst);
                1
            }));
            let theirs = t.join().unwrap();
            assert_eq!(mine, theirs);
            assert_eq!(runs.load(SeqCst), 1);
        });
    }

    /// An initializer cancelled while another waits for the permit hands its turn on: the
    /// waiter initializes, nothing hangs.
    #[test]
    fn cancelled_initializer_hands_on() {
        loom::model(|| {
            let cell = Arc::new(OnceCell::<u8>::new());
            let mut first = Box::pin(cell.get_or_init(std::future::pending::<u8>));
            let noop = &mut Context::from_waker(Waker::noop());
            assert!(first.as_mut().poll(noop).is_pending());
            let c2 = cell.clone();
            let t = thread::spawn(move || *block_on(c2.get_or_init(|| async { 7 })));
            drop(first);
            assert_eq!(t.join().unwrap(), 7);
            assert_eq!(cell.get(), Some(&7));
        });
    }

    /// `set` racing `get_or_init`: one value wins and both observe it.
    #[test]
    fn set_vs_init() {
        loom::model(|| {
            let cell = Arc::new(OnceCell::new());
            let c2 = cell.clone();
            let t = thread::spawn(move || c2.set(1).is_ok());
            let v = *block_on(cell.get_or_init(|| async { 2 }));
            let set_won = t.join().unwrap();
            assert_eq!(v, if set_won { 1 } else { 2 });
            assert_eq!(cell.get(), Some(&v));
        });
    }
}

//! `JoinError`: why a task produced no output.
use super::Id;
use std::any::Any;
use std::fmt;
use std::io;

/// A task failed to complete: it was cancelled (aborted, or its runtime shut down) or it
/// panicked.
///
/// ```
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// let err = rt.block_on(rt.spawn(async { panic!("boom") })).unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// ```
pub struct JoinError {
    repr: Repr,
    id: Id,
}

enum Repr {
    Cancelled,
    Panic(SyncPanic),
}

/// A panic payload that can be shared between threads.
struct SyncPanic(Box<dyn Any + Send + 'static>);

// SAFETY: through `&self` the payload is only ever (1) asked for its `TypeId`, which reads
// the vtable and none of the value, and (2) downcast to `&'static str` or `String`, both
// `Sync`. Everything else reaches it by value (`into_panic`). So sharing `&JoinError`
// between threads never shares access to a `!Sync` value.
unsafe impl Sync for SyncPanic {}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            repr: Repr::Cancelled,
            id,
        }
    }

    pub(crate) fn panic(id: Id, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            repr: Repr::Panic(SyncPanic(payload)),
            id,
        }
    }

    /// Whether the task was cancelled (aborted or shut down).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic payload.
    ///
    /// # Panics
    /// If the error is not a panic (see [`try_into_panic`](Self::try_into_panic)).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic()
            .expect("`JoinError::into_panic` called on an error that is not a panic")
    }

    /// The panic payload, or the error back if it is not a panic.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(p) => Ok(p.0),
            _ => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> Id {
        self.id
    }

    fn panic_message(&self) -> Option<&str> {
        // Only `Sync` payload types are looked at through `&self` (see `SyncPanic`).
        match &self.repr {
            Repr::Panic(p) => {
                let any: &(dyn Any + Send) = &*p.0;
                any.downcast_ref::<&'static str>()
                    .copied()
                    .or_else(|| any.downcast_ref::<String>().map(String::as_str))
            }
            Repr::Cancelled => None,
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.id),
            Repr::Panic(_) => match self.panic_message() {
                Some(msg) => write!(f, "task {} panicked with message {:?}", self.id, msg),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled({:?})", self.id),
            Repr::Panic(_) => match self.panic_message() {
                Some(msg) => write!(f, "JoinError::Panic({:?}, {:?}, ...)", self.id, msg),
                None => write!(f, "JoinError::Panic({:?}, ...)", self.id),
            },
        }
    }
}

impl std::error::Error for JoinError {}

impl From<JoinError> for io::Error {
    fn from(err: JoinError) -> io::Error {
        io::Error::other(err.to_string())
    }
}

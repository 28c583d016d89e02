//! [`AsyncFd`]: registers any file descriptor with the runtime's I/O driver and waits
//! for its readiness (tokio's `AsyncFd`, same API and semantics).
//!
//! `AsyncFd` does no I/O itself: the caller waits for readiness, gets a guard, tries
//! the operation on the (non-blocking) descriptor, and on `WouldBlock` clears the
//! readiness through the guard (`try_io` does both). Owns the inner object and its
//! `Registration`; on drop or `into_inner` the descriptor is deregistered before the
//! inner object is dropped or returned. Imports robin-runtime's `io` only.
use robin_runtime::io::{Direction, Interest, Ready, ReadyEvent, Registration};
use std::error::Error;
use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::task::{ready, Context, Poll};

/// Associates a file descriptor (any `T: AsRawFd`, already in non-blocking mode) with
/// the I/O driver of the current runtime.
///
/// ```
/// use robin_io::unix::AsyncFd;
/// use std::io::{Read, Write};
/// use std::os::unix::net::UnixStream;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, mut b) = UnixStream::pair().unwrap();
///     a.set_nonblocking(true).unwrap();
///     let a = AsyncFd::new(a).unwrap();
///     b.write_all(b"ping").unwrap();
///     let mut buf = [0; 4];
///     let n = loop {
///         let mut guard = a.readable().await.unwrap();
///         match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
///             Ok(res) => break res.unwrap(),
///             Err(_would_block) => continue,
///         }
///     };
///     assert_eq!(&buf[..n], b"ping");
/// });
/// ```
pub struct AsyncFd<T: AsRawFd> {
    registration: Registration,
    interest: Interest,
    /// `None` only while `into_inner` or `Drop` runs.
    inner: Option<T>,
}

/// A readiness observation on an [`AsyncFd`], from `readable`/`writable`/`ready` (or
/// their `poll_*` forms). Dropping it keeps the readiness; clear it after an operation
/// returned `WouldBlock` ([`clear_ready`](Self::clear_ready), or use
/// [`try_io`](Self::try_io)).
#[must_use = "You must explicitly choose whether to clear the readiness state by calling a method on ReadyGuard"]
pub struct AsyncFdReadyGuard<'a, T: AsRawFd> {
    async_fd: &'a AsyncFd<T>,
    event: Option<ReadyEvent>,
    /// What the wait asked for: [`ready`](Self::ready) reports only that, as tokio.
    asked: Interest,
}

/// As [`AsyncFdReadyGuard`], holding the `AsyncFd` mutably (from the `*_mut` waits).
#[must_use = "You must explicitly choose whether to clear the readiness state by calling a method on ReadyGuard"]
pub struct AsyncFdReadyMutGuard<'a, T: AsRawFd> {
    async_fd: &'a mut AsyncFd<T>,
    event: Option<ReadyEvent>,
    /// What the wait asked for: [`ready`](Self::ready) reports only that, as tokio.
    asked: Interest,
}

/// The operation a guard's `try_io` ran returned `WouldBlock`; the readiness was
/// cleared, wait again.
#[derive(Debug)]
pub struct TryIoError(());

/// [`AsyncFd::try_new`] failed; holds the inner object and the cause.
pub struct AsyncFdTryNewError<T> {
    inner: T,
    cause: io::Error,
}

impl<T> AsyncFdTryNewError<T> {
    /// The inner object (handed back) and the registration error.
    pub fn into_parts(self) -> (T, io::Error) {
        (self.inner, self.cause)
    }
}

impl<T> fmt::Display for AsyncFdTryNewError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.cause, f)
    }
}

impl<T> fmt::Debug for AsyncFdTryNewError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.cause, f)
    }
}

impl<T> Error for AsyncFdTryNewError<T> {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.cause)
    }
}

impl<T> From<AsyncFdTryNewError<T>> for io::Error {
    fn from(err: AsyncFdTryNewError<T>) -> io::Error {
        err.cause
    }
}

/// The four `poll_*_ready*` methods: wait in one direction, hand out the guard that
/// remembers what was asked (for [`AsyncFdReadyGuard::ready`]'s masking).
macro_rules! poll_ready_fn {
    ($(#[$doc:meta])* $name:ident(&self) -> $guard:ident, $direction:ident, $interest:ident) => {
        $(#[$doc])*
        pub fn $name<'a>(&'a self, cx: &mut Context<'_>) -> Poll<io::Result<$guard<'a, T>>> {
            let event = ready!(self.poll_ready_event(cx, Direction::$direction))?;
            Poll::Ready(Ok($guard::new(self, event, Interest::$interest)))
        }
    };
    ($(#[$doc:meta])* $name:ident(&mut self) -> $guard:ident, $direction:ident, $interest:ident) => {
        $(#[$doc])*
        pub fn $name<'a>(&'a mut self, cx: &mut Context<'_>) -> Poll<io::Result<$guard<'a, T>>> {
            let event = ready!(self.poll_ready_event(cx, Direction::$direction))?;
            Poll::Ready(Ok($guard::new(self, event, Interest::$interest)))
        }
    };
}

impl<T: AsRawFd> AsyncFd<T> {
    /// Registers `inner` for readable and writable readiness.
    ///
    /// # Panics
    /// Outside a robin runtime, or on one built without the I/O driver, as tokio's does.
    #[track_caller]
    pub fn new(inner: T) -> io::Result<AsyncFd<T>> {
        AsyncFd::with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// Registers `inner` for `interest`.
    ///
    /// # Panics
    /// Outside a robin runtime, or on one built without the I/O driver.
    #[track_caller]
    pub fn with_interest(inner: T, interest: Interest) -> io::Result<AsyncFd<T>> {
        AsyncFd::try_with_interest(inner, interest).map_err(io::Error::from)
    }

    /// As [`new`](Self::new), but hands `inner` back on failure.
    ///
    /// # Panics
    /// Outside a robin runtime, or on one built without the I/O driver.
    #[track_caller]
    pub fn try_new(inner: T) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        AsyncFd::try_with_interest(inner, Interest::READABLE | Interest::WRITABLE)
    }

    /// As [`with_interest`](Self::with_interest), but hands `inner` back on failure.
    ///
    /// # Panics
    /// Outside a robin runtime, or on one built without the I/O driver.
    #[track_caller]
    pub fn try_with_interest(
        inner: T,
        interest: Interest,
    ) -> Result<AsyncFd<T>, AsyncFdTryNewError<T>> {
        let fd = inner.as_raw_fd();
        match Registration::new(&mut mio::unix::SourceFd(&fd), interest) {
            Ok(registration) => Ok(AsyncFd {
                registration,
                interest,
                inner: Some(inner),
            }),
            Err(cause) => Err(AsyncFdTryNewError { inner, cause }),
        }
    }

    /// The interest this `AsyncFd` was registered with.
    pub fn interest(&self) -> Interest {
        self.interest
    }

    /// The inner object.
    pub fn get_ref(&self) -> &T {
        self.inner.as_ref().expect("robin-io: AsyncFd inner taken")
    }

    /// The inner object, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.as_mut().expect("robin-io: AsyncFd inner taken")
    }

    fn take_inner(&mut self) -> Option<T> {
        let inner = self.inner.take()?;
        let fd = inner.as_raw_fd();
        // A failure means the driver is gone; closing the fd removes it from epoll anyway.
        let _ = self.registration.deregister(&mut mio::unix::SourceFd(&fd));
        Some(inner)
    }

    /// Deregisters the descriptor and returns the inner object (not closed).
    pub fn into_inner(mut self) -> T {
        self.take_inner().expect("robin-io: AsyncFd inner taken")
    }

    fn poll_ready_event(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<io::Result<ReadyEvent>> {
        self.registration.poll_ready(cx, direction)
    }

    async fn ready_event(&self, interest: Interest) -> io::Result<ReadyEvent> {
        // A readiness future (its own waiter node), not the `poll_*` path's single waker
        // per direction: several tasks may await `readable()` on one descriptor at once.
        self.registration.readiness(interest).await
    }

    poll_ready_fn!(
        /// Polls for read readiness; on `Ready(Ok(guard))` try the read and clear the
        /// guard on `WouldBlock`.
        poll_read_ready(&self) -> AsyncFdReadyGuard, Read, READABLE
    );
    poll_ready_fn!(
        /// Polls for read readiness, with a guard giving mutable access.
        poll_read_ready_mut(&mut self) -> AsyncFdReadyMutGuard, Read, READABLE
    );
    poll_ready_fn!(
        /// Polls for write readiness.
        poll_write_ready(&self) -> AsyncFdReadyGuard, Write, WRITABLE
    );
    poll_ready_fn!(
        /// Polls for write readiness, with a guard giving mutable access.
        poll_write_ready_mut(&mut self) -> AsyncFdReadyMutGuard, Write, WRITABLE
    );

    /// Waits for any of `interest` (readable, writable, priority, error).
    pub async fn ready(&self, interest: Interest) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        let event = self.ready_event(interest).await?;
        Ok(AsyncFdReadyGuard::new(self, event, interest))
    }

    /// Waits for any of `interest`, with a guard giving mutable access.
    pub async fn ready_mut(
        &mut self,
        interest: Interest,
    ) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        let event = self.ready_event(interest).await?;
        Ok(AsyncFdReadyMutGuard::new(self, event, interest))
    }

    /// Waits until readable.
    pub async fn readable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::READABLE).await
    }

    /// Waits until readable, with a guard giving mutable access.
    pub async fn readable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::READABLE).await
    }

    /// Waits until writable.
    pub async fn writable(&self) -> io::Result<AsyncFdReadyGuard<'_, T>> {
        self.ready(Interest::WRITABLE).await
    }

    /// Waits until writable, with a guard giving mutable access.
    pub async fn writable_mut(&mut self) -> io::Result<AsyncFdReadyMutGuard<'_, T>> {
        self.ready_mut(Interest::WRITABLE).await
    }

    /// Waits for `interest` and runs `f`, again after each `WouldBlock` (which clears
    /// the readiness).
    pub async fn async_io<R>(
        &self,
        interest: Interest,
        mut f: impl FnMut(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let mut guard = self.ready(interest).await?;
            match guard.try_io(|fd| f(fd.get_ref())) {
                Ok(res) => return res,
                Err(TryIoError(())) => continue,
            }
        }
    }

    /// As [`async_io`](Self::async_io), with mutable access to the inner object.
    pub async fn async_io_mut<R>(
        &mut self,
        interest: Interest,
        mut f: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        loop {
            let mut guard = self.ready_mut(interest).await?;
            match guard.try_io(|fd| f(fd.get_mut())) {
                Ok(res) => return res,
                Err(TryIoError(())) => continue,
            }
        }
    }

    /// Runs `f` if the descriptor is ready for `interest` right now; `WouldBlock`
    /// otherwise, or when `f` returns it. Then every flag it ran on is cleared, closed
    /// flags included (robin's sockets do the same: a `WouldBlock` proves them stale;
    /// tokio keeps closed flags here, which the guards' `try_io` still does).
    pub fn try_io<R>(
        &self,
        interest: Interest,
        f: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        self.registration.try_io(interest, || f(self.get_ref()))
    }

    /// As [`try_io`](Self::try_io), with mutable access to the inner object.
    pub fn try_io_mut<R>(
        &mut self,
        interest: Interest,
        f: impl FnOnce(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let inner = self.inner.as_mut().expect("robin-io: AsyncFd inner taken");
        self.registration.try_io(interest, || f(inner))
    }
}

impl<T: AsRawFd> AsRawFd for AsyncFd<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.get_ref().as_raw_fd()
    }
}

impl<T: AsRawFd> AsFd for AsyncFd<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the descriptor belongs to the inner object, which `self` owns and
        // keeps open at least as long as the borrow of `self` lasts.
        unsafe { BorrowedFd::borrow_raw(self.as_raw_fd()) }
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFd<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncFd")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<T: AsRawFd> Drop for AsyncFd<T> {
    fn drop(&mut self) {
        drop(self.take_inner());
    }
}

/// Clears the readiness flags of `event` in `matching` (closed flags stay), and
/// removes them from the guard's view.
fn clear_matching(registration: &Registration, event: &mut Option<ReadyEvent>, matching: Ready) {
    if let Some(seen) = event.as_mut() {
        let mut clear = *seen;
        clear.ready = seen.ready & matching;
        registration.clear_readiness(clear);
        seen.ready = seen.ready - (matching - (Ready::READ_CLOSED | Ready::WRITE_CLOSED));
    }
}

macro_rules! guard_common {
    ($fd:ty) => {
        fn new(async_fd: $fd, event: ReadyEvent, asked: Interest) -> Self {
            Self {
                async_fd,
                event: Some(event),
                asked,
            }
        }

        /// Clears the readiness this guard saw (closed flags stay set), unless a newer
        /// event arrived since. Call it after the operation returned `WouldBlock`.
        pub fn clear_ready(&mut self) {
            if let Some(event) = self.event.take() {
                self.async_fd.registration.clear_readiness(event);
            }
        }

        /// Clears only the flags in `ready` (closed flags cannot be cleared).
        pub fn clear_ready_matching(&mut self, ready: Ready) {
            clear_matching(&self.async_fd.registration, &mut self.event, ready);
        }

        /// Keeps the readiness set (what dropping the guard does anyway).
        pub fn retain_ready(&mut self) {}

        /// The readiness this guard saw, limited to what the wait asked for as tokio's
        /// (`ERROR` only for `Interest::ERROR`, a closed flag only for its direction; see
        /// `robin_runtime::io::reported_readiness`).
        pub fn ready(&self) -> Ready {
            self.event.map_or(Ready::EMPTY, |event| {
                robin_runtime::io::reported_readiness(self.asked, event.ready)
            })
        }
    };
}

impl<'a, T: AsRawFd> AsyncFdReadyGuard<'a, T> {
    guard_common!(&'a AsyncFd<T>);

    /// Runs `f`; if it returns `WouldBlock`, clears the readiness as
    /// [`clear_ready`](Self::clear_ready) does (closed flags stay) and returns
    /// `Err(TryIoError)` (wait again), else `Ok` of its result.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&'a AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.async_fd) {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                if let Some(event) = self.event.take() {
                    self.async_fd.registration.clear_readiness(event);
                }
                Err(TryIoError(()))
            }
            res => Ok(res),
        }
    }

    /// The `AsyncFd` this guard borrows.
    pub fn get_ref(&self) -> &'a AsyncFd<T> {
        self.async_fd
    }

    /// The inner object.
    pub fn get_inner(&self) -> &'a T {
        self.async_fd.get_ref()
    }
}

impl<'a, T: AsRawFd> AsyncFdReadyMutGuard<'a, T> {
    guard_common!(&'a mut AsyncFd<T>);

    /// Runs `f`; if it returns `WouldBlock`, clears the readiness as
    /// [`clear_ready`](Self::clear_ready) does (closed flags stay) and returns
    /// `Err(TryIoError)` (wait again), else `Ok` of its result.
    pub fn try_io<R>(
        &mut self,
        f: impl FnOnce(&mut AsyncFd<T>) -> io::Result<R>,
    ) -> Result<io::Result<R>, TryIoError> {
        match f(self.async_fd) {
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                if let Some(event) = self.event.take() {
                    self.async_fd.registration.clear_readiness(event);
                }
                Err(TryIoError(()))
            }
            res => Ok(res),
        }
    }

    /// The `AsyncFd` this guard borrows.
    pub fn get_ref(&self) -> &AsyncFd<T> {
        self.async_fd
    }

    /// The `AsyncFd` this guard borrows, mutably.
    pub fn get_mut(&mut self) -> &mut AsyncFd<T> {
        self.async_fd
    }

    /// The inner object.
    pub fn get_inner(&self) -> &T {
        self.async_fd.get_ref()
    }

    /// The inner object, mutably.
    pub fn get_inner_mut(&mut self) -> &mut T {
        self.async_fd.get_mut()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadyGuard")
            .field("async_fd", &self.async_fd)
            .finish()
    }
}

impl<T: AsRawFd + fmt::Debug> fmt::Debug for AsyncFdReadyMutGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MutReadyGuard")
            .field("async_fd", &self.async_fd)
            .finish()
    }
}

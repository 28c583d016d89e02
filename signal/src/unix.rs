//! Unix signals: [`signal`], [`Signal`], [`SignalKind`] (tokio's `signal::unix`).
//!
//! A [`Signal`] owns a duplicate of the global self-pipe's read end, registered with the
//! driver of the runtime it was created in, and the generation of its signal it saw
//! last (see `registry.rs` for the delivery protocol).
use crate::registry::Globals;
use robin_runtime::io::{Direction, Interest, Registration};
use robin_runtime::runtime::Handle;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::task::{ready, Context, Poll};

/// Represents the specific kind of signal to listen for.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct SignalKind(libc::c_int);

impl SignalKind {
    /// Allows for listening to any valid OS signal.
    ///
    /// For example, this can be used for listening for platform-specific signals.
    ///
    /// ```
    /// use robin_signal::unix::SignalKind;
    /// let kind = SignalKind::from_raw(libc::SIGPWR);
    /// assert_eq!(kind.as_raw_value(), libc::SIGPWR);
    /// ```
    pub const fn from_raw(signum: std::os::raw::c_int) -> Self {
        SignalKind(signum)
    }

    /// Gets the signal's numeric value.
    ///
    /// ```
    /// use robin_signal::unix::SignalKind;
    /// assert_eq!(SignalKind::interrupt().as_raw_value(), libc::SIGINT);
    /// ```
    pub const fn as_raw_value(&self) -> std::os::raw::c_int {
        self.0
    }

    /// `SIGALRM`: a real-time timer expired. By default terminates the process.
    pub const fn alarm() -> Self {
        SignalKind(libc::SIGALRM)
    }

    /// `SIGCHLD`: a child process changed state. By default ignored.
    pub const fn child() -> Self {
        SignalKind(libc::SIGCHLD)
    }

    /// `SIGHUP`: the terminal was disconnected. By default terminates the process.
    pub const fn hangup() -> Self {
        SignalKind(libc::SIGHUP)
    }

    /// `SIGINT`: an interrupt ("ctrl-c"). By default terminates the process.
    pub const fn interrupt() -> Self {
        SignalKind(libc::SIGINT)
    }

    /// `SIGIO`: I/O operations are possible on a descriptor. By default ignored.
    pub const fn io() -> Self {
        SignalKind(libc::SIGIO)
    }

    /// `SIGPIPE`: a write to a pipe with no reader. By default terminates the process.
    pub const fn pipe() -> Self {
        SignalKind(libc::SIGPIPE)
    }

    /// `SIGQUIT`: a quit request. By default terminates the process with a core dump.
    pub const fn quit() -> Self {
        SignalKind(libc::SIGQUIT)
    }

    /// `SIGTERM`: a termination request. By default terminates the process.
    pub const fn terminate() -> Self {
        SignalKind(libc::SIGTERM)
    }

    /// `SIGUSR1`: user-defined. By default terminates the process.
    pub const fn user_defined1() -> Self {
        SignalKind(libc::SIGUSR1)
    }

    /// `SIGUSR2`: user-defined. By default terminates the process.
    pub const fn user_defined2() -> Self {
        SignalKind(libc::SIGUSR2)
    }

    /// `SIGWINCH`: the terminal window changed size. By default ignored.
    pub const fn window_change() -> Self {
        SignalKind(libc::SIGWINCH)
    }
}

impl From<std::os::raw::c_int> for SignalKind {
    fn from(signum: std::os::raw::c_int) -> Self {
        SignalKind::from_raw(signum)
    }
}

impl From<SignalKind> for std::os::raw::c_int {
    fn from(kind: SignalKind) -> Self {
        kind.as_raw_value()
    }
}

/// A listener for one kind of OS signal.
///
/// * Signals are coalesced: all deliveries between two polls produce one item. Once
///   `poll_recv` has returned `Pending`, a further delivery is guaranteed to be yielded.
/// * Every listener of a signal, in every runtime of the process, gets every delivery
///   that happens after it was created.
///
/// # Caveats
///
/// The first time a `Signal` is created for a signal kind, an OS signal handler is
/// installed which replaces the platform's default behaviour **for the whole life of
/// the process**. For example `SIGINT` normally terminates the process; once a listener
/// for it exists, the next `SIGINT` becomes an event and the process goes on. **Even
/// after every `Signal` for it is dropped, later deliveries are still caught by robin,
/// and the default behaviour is NOT restored.**
///
/// # Examples
///
/// ```no_run
/// use robin_signal::unix::{signal, SignalKind};
///
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     // An infinite stream of hangup signals.
///     let mut sig = signal(SignalKind::hangup()).unwrap();
///     loop {
///         sig.recv().await;
///         println!("got signal HUP");
///     }
/// });
/// ```
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct Signal {
    signum: libc::c_int,
    id: u64,
    seen: u64,
    globals: &'static Globals,
    pipe: Pipe,
}

/// This listener's duplicate of the self-pipe's read end, registered with a driver.
#[derive(Debug)]
struct Pipe {
    registration: Registration,
    fd: OwnedFd,
}

impl std::fmt::Debug for Globals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Globals")
    }
}

/// Creates a new listener which is notified whenever the process receives the signal
/// `kind`.
///
/// * Signals may be coalesced beyond what the kernel already does.
/// * Once a handler is registered for a signal, it is never unregistered.
///
/// A `Signal` can be created for one signal any number of times; every one of them is
/// notified of each delivery.
///
/// # Errors
///
/// * If the lower-level C functions fail.
/// * If an earlier attempt to install this signal's handler failed.
/// * If the signal is one of `signal_hook_registry::FORBIDDEN` (`SIGKILL`, `SIGSTOP`,
///   `SIGILL`, `SIGFPE`, `SIGSEGV`), not positive, or out of range
///   (`ErrorKind::Other`).
/// * If the current runtime was built without the I/O driver.
///
/// # Panics
///
/// When called outside the context of a robin runtime.
#[track_caller]
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let handle = match Handle::try_current() {
        Ok(handle) => handle,
        Err(_) => panic!(
            "there is no reactor running, must be called from the context of a robin runtime"
        ),
    };
    let signum = kind.0;
    if signum <= 0 || signal_hook_registry::FORBIDDEN.contains(&signum) {
        return Err(io::Error::other(format!(
            "Refusing to register signal {signum}"
        )));
    }
    let globals = Globals::get()?;
    let slot = globals
        .slot(signum)
        .ok_or_else(|| io::Error::other("signal too large"))?;
    let fd = globals.dup_read_end()?;
    let registration = Registration::with_handle(
        &mut mio::unix::SourceFd(&fd.as_raw_fd()),
        Interest::READABLE,
        &handle,
    )?;
    let pipe = Pipe { registration, fd };
    globals.enable(signum)?;
    Ok(Signal {
        signum,
        id: globals.next_listener_id(),
        seen: slot.generation(),
        globals,
        pipe,
    })
}

impl Signal {
    /// Receives the next signal notification event.
    ///
    /// Although this returns `Option<()>`, it only returns `None` once the runtime the
    /// listener was created in has shut down (tokio never returns `None`; robin reports
    /// the dead driver rather than hanging).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if it loses a `select!` race, no signal is lost.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use robin_signal::unix::{signal, SignalKind};
    ///
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut stream = signal(SignalKind::hangup()).unwrap();
    ///     loop {
    ///         stream.recv().await;
    ///         println!("got signal HUP");
    ///     }
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Polls to receive the next signal notification event, outside of an `async`
    /// context.
    ///
    /// `Ready(Some(()))` once per batch of deliveries since the last `Ready`; `None`
    /// only after the runtime shut down (see [`Signal::recv`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::future::Future;
    /// use std::pin::Pin;
    /// use std::task::{Context, Poll};
    /// use robin_signal::unix::Signal;
    ///
    /// struct MyFuture {
    ///     signal: Signal,
    /// }
    ///
    /// impl Future for MyFuture {
    ///     type Output = Option<()>;
    ///
    ///     fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
    ///         self.signal.poll_recv(cx)
    ///     }
    /// }
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let slot = self.globals.slot(self.signum).expect("checked at creation");
        loop {
            let current = slot.generation();
            if current != self.seen {
                self.seen = current;
                return Poll::Ready(Some(()));
            }
            if slot.register(self.id, cx.waker()) != self.seen {
                continue;
            }
            match self.pipe.poll_drain(cx) {
                // Drained: turn pending flags into deliveries, then look again.
                Poll::Ready(Ok(())) => self.globals.broadcast(),
                Poll::Ready(Err(_)) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl Pipe {
    /// Waits for the pipe to be readable, then reads it empty. `Ready(Ok)` means bytes
    /// may have been read (the caller broadcasts); `Pending` means empty and waiting.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let event = ready!(self.registration.poll_ready(cx, Direction::Read))?;
        let mut buf = [0u8; 128];
        loop {
            // SAFETY: `fd` is open (owned by `self`); `buf` is valid for `buf.len()` bytes.
            let n = unsafe { libc::read(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
            if n > 0 {
                continue;
            }
            let err = io::Error::last_os_error();
            match err.kind() {
                _ if n == 0 => unreachable!("the write end lives as long as the process"),
                io::ErrorKind::Interrupted => continue,
                io::ErrorKind::WouldBlock => {
                    self.registration.clear_readiness(event);
                    return Poll::Ready(Ok(()));
                }
                _ => return Poll::Ready(Err(err)),
            }
        }
    }
}

impl Drop for Signal {
    fn drop(&mut self) {
        if let Some(slot) = self.globals.slot(self.signum) {
            slot.unregister(self.id);
        }
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        // Deregister before the descriptor closes (the `fd` field drops after this).
        let _ = self
            .registration
            .deregister(&mut mio::unix::SourceFd(&self.fd.as_raw_fd()));
    }
}

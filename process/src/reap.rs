//! Waiting for a child's exit without a thread per child, and reaping orphans.
//!
//! A [`Reaper`] owns the `std::process::Child` (whose `try_wait` is a `waitpid(pid,
//! WNOHANG)` that caches the status) and one way to learn that the child exited:
//!
//! - **pidfd** (Linux 5.3+): `pidfd_open(pid)` gives a descriptor that becomes readable
//!   when the process exits; it is registered with the I/O driver like a socket. The
//!   pid cannot be reused before we reap it (the zombie holds it), so opening it after
//!   `fork` is race-free.
//! - **SIGCHLD** otherwise (or where `pidfd_open` is refused, e.g. by a seccomp filter):
//!   a `robin::signal` listener created before the first `try_wait`, so an exit after
//!   that check raises a delivery the listener cannot miss.
//!
//! Either way, `poll_wait` checks `try_wait` before every wait, so an exit that happened
//! before the waiter existed is seen at once.
//!
//! **Orphans** — a `Child` dropped before it was reaped (after `kill_on_drop` killed it,
//! or left running): [`orphan`] spawns a small task on the current runtime that waits as
//! above and reaps. If there is no runtime, or the task is dropped unfinished (its
//! runtime shut down), the child goes to the global `ORPHANS` queue, which every
//! `Command::spawn`, every finished wait and every `SIGCHLD` delivery drains with
//! `try_wait`.
use robin_runtime::io::{Direction, Interest, Registration};
use robin_runtime::runtime::Handle;
use robin_signal::unix::{signal, Signal, SignalKind};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child as StdChild, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::task::{ready, Context, Poll};

/// Children dropped unreaped whose reaper task could not run (see the module doc).
static ORPHANS: Mutex<Vec<StdChild>> = Mutex::new(Vec::new());

/// Cleared for good once `pidfd_open` failed with `ENOSYS` (an old kernel).
static PIDFD_SUPPORTED: AtomicBool = AtomicBool::new(true);

/// How a [`Reaper`] learns of the exit.
#[derive(Debug)]
enum Waiter {
    Pidfd {
        registration: Registration,
        fd: OwnedFd,
    },
    Sigchld(Signal),
}

/// Which [`Waiter`] to use (a parameter so the crate's tests can force `Sigchld`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// pidfd where the kernel allows it, else SIGCHLD.
    Best,
    /// SIGCHLD only.
    #[cfg_attr(not(test), allow(dead_code))]
    Sigchld,
}

/// An unreaped child and the means to wait for it.
#[derive(Debug)]
pub(crate) struct Reaper {
    child: StdChild,
    waiter: Waiter,
}

impl Reaper {
    /// Sets up the waiter for `child`, on the current runtime.
    ///
    /// On failure the child is handed back with the error.
    pub(crate) fn new(child: StdChild, mode: Mode) -> Result<Reaper, (StdChild, io::Error)> {
        let handle = match Handle::try_current() {
            Ok(handle) => handle,
            Err(err) => return Err((child, io::Error::other(err.to_string()))),
        };
        let pidfd = match mode {
            Mode::Best => open_pidfd(&child, &handle),
            Mode::Sigchld => None,
        };
        let waiter = match pidfd {
            Some(Ok(waiter)) => waiter,
            Some(Err(err)) => return Err((child, err)),
            None => match signal(SignalKind::child()) {
                Ok(sig) => Waiter::Sigchld(sig),
                Err(err) => return Err((child, err)),
            },
        };
        Ok(Reaper { child, waiter })
    }

    pub(crate) fn id(&self) -> u32 {
        self.child.id()
    }

    pub(crate) fn std(&mut self) -> &mut StdChild {
        &mut self.child
    }

    /// Polls for the exit; reaps the child when it has.
    pub(crate) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<ExitStatus>> {
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Poll::Ready(Ok(status));
            }
            match &mut self.waiter {
                Waiter::Pidfd { registration, .. } => {
                    let event = ready!(registration.poll_ready(cx, Direction::Read))?;
                    if let Some(status) = self.child.try_wait()? {
                        return Poll::Ready(Ok(status));
                    }
                    registration.clear_readiness(event);
                }
                Waiter::Sigchld(sig) => match ready!(sig.poll_recv(cx)) {
                    Some(()) => drain_orphans(),
                    None => {
                        return Poll::Ready(Err(io::Error::other(
                            "the runtime shut down while waiting for a child process",
                        )))
                    }
                },
            }
        }
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        if let Waiter::Pidfd { registration, fd } = self {
            let _ = registration.deregister(&mut mio::unix::SourceFd(&fd.as_raw_fd()));
        }
    }
}

/// `None` when the kernel has no pidfd (the caller falls back to SIGCHLD).
fn open_pidfd(child: &StdChild, handle: &Handle) -> Option<io::Result<Waiter>> {
    if !PIDFD_SUPPORTED.load(Ordering::Relaxed) {
        return None;
    }
    let pid = libc::pid_t::try_from(child.id()).ok()?;
    // SAFETY: pidfd_open(2) takes a pid and flags and returns a new descriptor or -1;
    // no memory is passed.
    let ret = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if ret < 0 {
        let err = io::Error::last_os_error();
        if err.raw_os_error() == Some(libc::ENOSYS) {
            PIDFD_SUPPORTED.store(false, Ordering::Relaxed);
        }
        // ENOSYS, or EPERM/EACCES from a sandbox: use SIGCHLD instead.
        return None;
    }
    // SAFETY: `ret` is a fresh descriptor (close-on-exec by default) that only we own.
    let fd = unsafe { OwnedFd::from_raw_fd(ret as i32) };
    Some(
        Registration::with_handle(
            &mut mio::unix::SourceFd(&fd.as_raw_fd()),
            Interest::READABLE,
            handle,
        )
        .map(|registration| Waiter::Pidfd { registration, fd }),
    )
}

fn lock_orphans() -> std::sync::MutexGuard<'static, Vec<StdChild>> {
    ORPHANS.lock().unwrap_or_else(|p| p.into_inner())
}

/// Reaps every queued orphan that has exited (`try_wait`, never blocking).
pub(crate) fn drain_orphans() {
    let mut orphans = lock_orphans();
    // Keep those still running; an error (ECHILD: reaped elsewhere) drops the entry.
    orphans.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
}

/// Queues a child that has no reaper any more.
pub(crate) fn queue_orphan(mut child: StdChild) {
    if matches!(child.try_wait(), Ok(None)) {
        lock_orphans().push(child);
    }
}

/// Holds a reaper until it reaped; queues the child if dropped before that.
struct Orphan(Option<Reaper>);

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Some(reaper) = self.0.take() {
            queue_orphan(reaper.child);
        }
    }
}

/// Takes over an unreaped child whose `Child` handle is gone (see the module doc).
pub(crate) fn orphan(mut reaper: Reaper) {
    if !matches!(reaper.child.try_wait(), Ok(None)) {
        return; // reaped now (or not ours to reap any more)
    }
    let mut orphan = Orphan(Some(reaper));
    if let Ok(handle) = Handle::try_current() {
        drop(handle.spawn(async move {
            let reaped = std::future::poll_fn(|cx| {
                orphan
                    .0
                    .as_mut()
                    .expect("present until reaped")
                    .poll_wait(cx)
            })
            .await;
            if reaped.is_ok() {
                orphan.0 = None;
            }
            drop(orphan);
            drain_orphans();
        }));
    }
    // Without a runtime, `orphan` drops here and queues the child.
}

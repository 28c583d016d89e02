//! The process-wide signal state: one self-pipe, and one slot per signal number.
//!
//! Who touches what:
//! - the signal handler (any thread, async-signal context): `Slot::pending` (store) and
//!   the pipe's write end (`write(2)`), nothing else — no locks, no allocation;
//! - listeners (`unix::Signal`, any runtime): everything else. A listener drains the
//!   pipe through its own duplicate of the read end, then calls [`Globals::broadcast`],
//!   which turns each pending flag into a generation bump plus a wake of that signal's
//!   listeners.
//!
//! No delivery is lost: the handler sets `pending` *before* writing the pipe, and a
//! drainer reads the pipe *before* swapping `pending` out, so a byte read implies its
//! flag is visible (both are syscalls, full barriers); a byte written after the drain
//! raises a new edge on every registered read end, so some listener drains again.
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::task::Waker;

/// Signal numbers `0..SLOTS` are supported (Linux's real-time signals end at 64).
const SLOTS: usize = 65;

/// Per-signal state.
pub(crate) struct Slot {
    /// Set by the handler, swapped out by `broadcast`.
    pending: AtomicBool,
    /// Number of broadcast deliveries so far; listeners compare against the last seen.
    generation: AtomicU64,
    /// Outcome of installing the handler, done once per signal for the process's life.
    init: OnceLock<Result<(), Option<i32>>>,
    /// Wakers of listeners waiting for the next generation, by listener id.
    waiters: Mutex<Vec<(u64, Waker)>>,
}

/// The self-pipe and the slots.
pub(crate) struct Globals {
    /// Non-blocking write end, written by the handler.
    write_end: OwnedFd,
    /// Non-blocking read end; listeners register duplicates of it.
    read_end: OwnedFd,
    slots: Box<[Slot]>,
    next_listener_id: AtomicU64,
}

impl Globals {
    /// The process's one instance, created on first use.
    pub(crate) fn get() -> io::Result<&'static Globals> {
        static GLOBALS: OnceLock<Result<Globals, i32>> = OnceLock::new();
        match GLOBALS.get_or_init(|| Globals::new().map_err(|e| e.raw_os_error().unwrap_or(0))) {
            Ok(globals) => Ok(globals),
            Err(code) => Err(io::Error::from_raw_os_error(*code)),
        }
    }

    fn new() -> io::Result<Globals> {
        let (sender, receiver) = mio::unix::pipe::new()?;
        let slots = (0..SLOTS)
            .map(|_| Slot {
                pending: AtomicBool::new(false),
                generation: AtomicU64::new(0),
                init: OnceLock::new(),
                waiters: Mutex::new(Vec::new()),
            })
            .collect();
        Ok(Globals {
            write_end: OwnedFd::from(sender),
            read_end: OwnedFd::from(receiver),
            slots,
            next_listener_id: AtomicU64::new(0),
        })
    }

    /// The slot of `signum`, if it is in range.
    pub(crate) fn slot(&self, signum: i32) -> Option<&Slot> {
        usize::try_from(signum).ok().and_then(|i| self.slots.get(i))
    }

    /// A fresh duplicate of the pipe's read end (close-on-exec, non-blocking).
    pub(crate) fn dup_read_end(&self) -> io::Result<OwnedFd> {
        self.read_end.try_clone()
    }

    pub(crate) fn next_listener_id(&self) -> u64 {
        self.next_listener_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Installs the handler of `signum` once for the process's life (the caller checked
    /// the number is allowed and in range).
    pub(crate) fn enable(&'static self, signum: i32) -> io::Result<()> {
        let slot = self
            .slot(signum)
            .expect("signal number checked by the caller");
        let write_fd = self.write_end.as_raw_fd();
        let installed = *slot.init.get_or_init(|| {
            // SAFETY: the action only does async-signal-safe work: an atomic store
            // on a `'static` slot and one `write(2)` on a descriptor the process
            // keeps open for its whole life (`Globals` is never dropped).
            unsafe {
                signal_hook_registry::register(signum, move || action(self, signum, write_fd))
            }
            .map(|_| ())
            .map_err(|e| e.raw_os_error())
        });
        installed.map_err(|code| match code {
            Some(code) => io::Error::from_raw_os_error(code),
            None => io::Error::other("registering the signal handler failed"),
        })
    }

    /// Turns every pending flag into a delivery: bump the generation, wake the waiters.
    pub(crate) fn broadcast(&self) {
        for slot in self.slots.iter() {
            if slot.pending.swap(false, Ordering::AcqRel) {
                // Bump under the lock so a listener that re-checks the generation
                // after registering its waker (also under the lock) sees either the
                // new generation or gets woken.
                let waiters = {
                    let mut waiters = lock(&slot.waiters);
                    slot.generation.fetch_add(1, Ordering::AcqRel);
                    std::mem::take(&mut *waiters)
                };
                waiters.into_iter().for_each(|(_, waker)| waker.wake());
            }
        }
    }
}

impl Slot {
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Stores `waker` for listener `id` unless the generation moved past `seen`;
    /// returns the current generation (checked under the lock `broadcast` bumps under).
    pub(crate) fn register(&self, id: u64, waker: &Waker) -> u64 {
        let mut waiters = lock(&self.waiters);
        match waiters.iter_mut().find(|(other, _)| *other == id) {
            Some((_, old)) => old.clone_from(waker),
            None => waiters.push((id, waker.clone())),
        }
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets listener `id`'s waker (on drop).
    pub(crate) fn unregister(&self, id: u64) {
        lock(&self.waiters).retain(|(other, _)| *other != id);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing panics while holding these locks (waking happens after release).
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The signal handler: async-signal-safe only.
fn action(globals: &'static Globals, signum: i32, write_fd: RawFd) {
    if let Some(slot) = globals.slot(signum) {
        slot.pending.store(true, Ordering::Release);
    }
    #[cfg(target_os = "linux")]
    // SAFETY: `__errno_location` returns this thread's errno slot, always valid; the
    // handler restores it below so the interrupted code never sees our `write`'s errno.
    let saved_errno = unsafe { *libc::__errno_location() };
    let byte = 1u8;
    // SAFETY: `write_fd` is the pipe's write end, open for the process's life; the
    // buffer is one valid byte. A full pipe (EAGAIN) is fine: a wakeup is already
    // queued, and the flag above is what carries the delivery.
    let _ = unsafe { libc::write(write_fd, (&byte as *const u8).cast(), 1) };
    #[cfg(target_os = "linux")]
    // SAFETY: as above, this thread's errno slot.
    unsafe {
        *libc::__errno_location() = saved_errno
    };
}

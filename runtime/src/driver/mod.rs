//! The driver: one `mio::Poll` and one timer wheel per runtime.
//!
//! The [`Driver`] (owned by the driver thread of a multi-thread runtime, or by the core of
//! a current-thread runtime) sleeps in `poll` with a timeout equal to the next timer
//! deadline, hands each I/O event to its resource's [`ScheduledIo`], fires due timers, and
//! wakes the tasks concerned after releasing its locks. The [`Handle`] is what everyone
//! else uses: registering resources (through the thread-safe `mio::Registry`), inserting
//! and cancelling timers, and interrupting `poll` (a `mio::Waker`) when a nearer deadline
//! is inserted or when the runtime shuts down.
//!
//! Workers never sit in `epoll`: a worker blocked by a bad task cannot stall I/O or timers
//! for the other workers (tokio #4730).
//!
//! The driver knows no scheduler: a turn collects the wakers of ready resources and due
//! timers and hands them to a *sink* its caller passes in (the multi-thread driver thread
//! batches them, the current-thread core just wakes them). The paused-clock auto-advance
//! policy lives here, in [`Driver::park`], for whichever scheduler parks on the driver.
//!
//! Layer: driver. Imports `loom` only (and `engine` never needs to be); nothing from
//! `context`, `scheduler`, `runtime` or `api`. `time/` holds the clock, timer entries
//! and the wheel; the I/O readiness types are `ready.rs` and `scheduled_io.rs`.
//!
//! Past two cores: the timer wheel and the I/O slab are sharded (`time/shards.rs`,
//! `io_slab.rs`; `shard.rs` counts them; callers name their thread's shard), so the workers' timer inserts
//! and cancels and their registrations do not queue on one lock. An I/O token names its
//! shard, slot and generation (`io_slab.rs`): an event still in flight for a released
//! resource is dropped, never delivered to a new resource that reuses the slot.
// Tokens pack a slot generation into their upper 32 bits.
#[cfg(not(target_pointer_width = "64"))]
compile_error!("robin's I/O driver needs a 64-bit target (tokens carry a 32-bit generation)");

mod interest;
mod io_slab;
#[cfg(all(test, loom))]
mod loom_dispatch;
mod ready;
mod scheduled_io;
mod shard;
pub(crate) mod time;

pub use interest::Interest;
pub use ready::{Ready, ReadyEvent};
pub use scheduled_io::Direction;
pub(crate) use scheduled_io::ScheduledIo;

use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::Arc;
use io_slab::IoSlabs;
use std::io;
use std::task::Waker;
use std::time::Duration;
use time::clock::Clock;
use time::shards::{Filed, Timers};
use time::timer::{self, TimerShared};

/// The token of the `mio::Waker` that interrupts `poll` (never a resource's: those
/// carry a slot index below 2^32).
const WAKER_TOKEN: mio::Token = mio::Token(usize::MAX);

/// Events one `poll` returns at most (more wait for the next turn).
const EVENTS_PER_TURN: usize = 1024;

/// What a turn hands its woken wakers to (see the module docs).
pub(crate) trait WakeSink: FnMut(std::vec::Drain<'_, Waker>) {}
impl<T: FnMut(std::vec::Drain<'_, Waker>)> WakeSink for T {}

/// The sink that just wakes each waker where it is (the current-thread core).
///
/// A waker's `wake` is user code and may panic: each one is woken under `catch_unwind`,
/// so the rest of the batch is still woken and the driver survives (issue 12 defect 3).
/// The panic hook has already reported the panic; the caller learns whether one happened
/// (to apply its unhandled-panic policy).
pub(crate) fn wake_each(wakers: std::vec::Drain<'_, Waker>) -> bool {
    let mut panicked = false;
    for waker in wakers {
        let woken = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| waker.wake()));
        panicked |= woken.is_err();
    }
    panicked
}

/// What every thread may use: registration, timers, the clock, waking the driver.
pub(crate) struct Handle {
    registry: mio::Registry,
    waker: mio::Waker,
    ios: IoSlabs,
    /// The timer wheels, and the tick the driver will wake up at (an insert before it
    /// interrupts the driver's `poll`).
    timers: Timers,
    pub(crate) clock: Clock,
    shutdown: AtomicBool,
    pub(crate) enable_io: bool,
    pub(crate) enable_time: bool,
}

/// The owner side: the poll instance and its event buffer.
pub(crate) struct Driver {
    poll: mio::Poll,
    events: mio::Events,
    wakers: Vec<Waker>,
    pub(crate) handle: Arc<Handle>,
}

impl Driver {
    pub(crate) fn new(
        start_paused: bool,
        enable_io: bool,
        enable_time: bool,
    ) -> io::Result<Driver> {
        let poll = mio::Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let registry = poll.registry().try_clone()?;
        Ok(Driver {
            poll,
            events: mio::Events::with_capacity(EVENTS_PER_TURN),
            wakers: Vec::with_capacity(64),
            handle: Arc::new(Handle {
                registry,
                waker,
                ios: IoSlabs::new(shard::count()),
                timers: Timers::new(shard::count()),
                clock: Clock::new(start_paused),
                shutdown: AtomicBool::new(false),
                enable_io,
                enable_time,
            }),
        })
    }

    /// Makes one turn return at most `n` I/O events (`Builder::max_io_events_per_tick`);
    /// the rest wait for the next turn.
    pub(crate) fn set_events_per_tick(&mut self, n: usize) {
        if n != self.events.capacity() {
            self.events = mio::Events::with_capacity(n);
        }
    }

    /// One turn: wait for I/O or the next timer (at most `max`; `Some(ZERO)` polls
    /// without blocking), dispatch events, fire due timers, and hand the wakers of their
    /// tasks to `sink`. Returns how many wakers it got.
    pub(crate) fn turn(&mut self, max: Option<Duration>, sink: &mut impl WakeSink) -> usize {
        let handle = &*self.handle;
        // Published as the driver's plan (see `time/shards.rs`): an earlier insert unparks.
        let next = handle.timers.plan();
        let timeout = match next {
            Some(tick) if !handle.clock.is_paused() => Some(handle.clock.until_tick(tick)),
            _ => None,
        };
        let timeout = match (timeout, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let Err(err) = self.poll.poll(&mut self.events, timeout) {
            // EINTR: just go round again; anything else is a broken epoll instance.
            assert!(
                err.kind() == io::ErrorKind::Interrupted,
                "robin driver: epoll failed: {err}"
            );
        }
        handle.timers.awake();
        let events = self.events.iter().filter(|e| e.token() != WAKER_TOKEN);
        handle.ios.dispatch(events, &mut self.wakers);
        self.fire_timers(handle.clock.now_tick());
        let woken = self.wakers.len();
        sink(self.wakers.drain(..));
        woken
    }

    /// Nothing to run: turn the driver until something is woken. With a paused clock
    /// (tests), look for I/O without blocking, and if nothing came in and
    /// `runtime_idle()` says nothing else can make progress (no task queued, no
    /// blocking job in flight: its completion must come first), jump the clock to the
    /// next timer and fire it (tokio's auto-advance) instead of sleeping; with no timer
    /// to jump to, block. The one place this policy lives.
    pub(crate) fn park(&mut self, runtime_idle: impl FnOnce() -> bool, sink: &mut impl WakeSink) {
        if !self.handle.clock.is_paused() {
            self.turn(None, sink);
            return;
        }
        let woken = self.turn(Some(Duration::ZERO), sink);
        if woken == 0 && runtime_idle() && !self.auto_advance(sink) {
            self.turn(None, sink);
        }
    }

    fn fire_timers(&mut self, now: u64) {
        self.handle.timers.fire(now, &mut self.wakers);
    }

    /// Paused clock, idle runtime: jump the clock to the next timer and fire it.
    /// Returns `false` if there is no timer to jump to.
    fn auto_advance(&mut self, sink: &mut impl WakeSink) -> bool {
        let next = self.handle.timers.next_expiration();
        let Some(tick) = next else { return false };
        self.handle.clock.advance_to_tick(tick);
        self.fire_timers(self.handle.clock.now_tick().max(tick));
        sink(self.wakers.drain(..));
        true
    }

    /// Fails every pending I/O wait and timer, waking their tasks.
    pub(crate) fn shutdown(&mut self, sink: &mut impl WakeSink) {
        self.handle.shutdown.store(true, SeqCst);
        // Also after a panic inside a turn (the driver thread's supervisor calls this):
        // the data under these locks is consistent at every point user code could have
        // run, so a poison flag says nothing here.
        for io in self.handle.ios.all() {
            io.shutdown(&mut self.wakers);
        }
        self.handle.timers.drain(timer::SHUTDOWN, &mut self.wakers);
        sink(self.wakers.drain(..));
    }
}

impl Handle {
    pub(crate) fn is_shutdown(&self) -> bool {
        self.shutdown.load(SeqCst)
    }

    /// Interrupts the driver's `poll`.
    pub(crate) fn unpark(&self) {
        // Failing to write the eventfd means the driver is gone; nothing to interrupt.
        let _ = self.waker.wake();
    }

    /// Stops the driver (the thread notices on its next turn, which this triggers).
    pub(crate) fn begin_shutdown(&self) {
        self.shutdown.store(true, SeqCst);
        self.unpark();
    }

    fn shut_down_error() -> io::Error {
        io::Error::other(
            "the I/O resource was deregistered, or the robin runtime it belongs to has shut down",
        )
    }

    /// Registers `source` for `interest`, in the slab shard `shard` (modulo the count:
    /// the caller's thread number).
    pub(crate) fn register(
        &self,
        source: &mut (impl mio::event::Source + ?Sized),
        interest: mio::Interest,
        shard: usize,
    ) -> io::Result<(mio::Token, Arc<ScheduledIo>)> {
        if !self.enable_io {
            return Err(io::Error::other(
                "the robin runtime was built without the I/O driver: use Builder::enable_io or enable_all",
            ));
        }
        let io = Arc::new(ScheduledIo::default());
        // The slab checks `shutdown` under its shard's lock: `Driver::shutdown` sets the
        // flag before it walks every shard, so a registration either sees the flag or is
        // in a shard when shutdown walks it (never neither).
        let token = match self.ios.insert(shard, io.clone(), &self.shutdown) {
            Ok(token) => token,
            Err(io_slab::Refused::Shutdown) => return Err(Self::shut_down_error()),
            Err(io_slab::Refused::Full) => {
                return Err(io::Error::other(
                    "robin's I/O driver is full: 2^26 resources registered from one shard",
                ))
            }
        };
        if let Err(err) = self.registry.register(source, token, interest) {
            self.release(token);
            return Err(err);
        }
        Ok((token, io))
    }

    pub(crate) fn deregister(
        &self,
        source: &mut (impl mio::event::Source + ?Sized),
    ) -> io::Result<()> {
        self.registry.deregister(source)
    }

    /// Frees the token's slot; events still in flight for it are ignored (generation).
    pub(crate) fn release(&self, token: mio::Token) {
        self.ios.release(token);
    }

    pub(crate) fn io_shutdown_error() -> io::Error {
        Self::shut_down_error()
    }

    /// Files `timer` for `tick` in the wheel shard `shard` (modulo the count: the caller's
    /// thread number). Returns `false` if it is already due (the caller treats it as
    /// fired), `Err` if the driver is gone.
    pub(crate) fn insert_timer(
        &self,
        timer: &Arc<TimerShared>,
        tick: u64,
        shard: usize,
    ) -> Result<bool, io::Error> {
        if !self.enable_time {
            return Err(io::Error::other(
                "the robin runtime was built without the time driver: use Builder::enable_time or enable_all",
            ));
        }
        match self.timers.insert(shard, timer, tick, &self.shutdown) {
            Err(()) => Err(Self::shut_down_error()),
            Ok(Filed::Due) => Ok(false),
            Ok(Filed::Filed { unpark }) => {
                if unpark {
                    self.unpark();
                }
                Ok(true)
            }
        }
    }

    pub(crate) fn remove_timer(&self, timer: &TimerShared) {
        self.timers.remove(timer);
    }

    /// Timers currently in the wheel (for tests: a dropped `Sleep` leaves nothing behind).
    pub(crate) fn num_timers(&self) -> usize {
        self.timers.len()
    }
}

impl std::fmt::Debug for Handle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("driver::Handle")
            .field("shutdown", &self.is_shutdown())
            .finish_non_exhaustive()
    }
}

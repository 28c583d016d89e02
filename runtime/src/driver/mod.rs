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
//! Workers never *block* in `epoll`: a worker blocked by a bad task cannot stall I/O or
//! timers for the other workers (tokio #4730). A worker that runs out of work may look
//! without blocking ([`Handle::harvest`]: `epoll_wait` with timeout 0 on the same epoll
//! instance) and run what it finds itself; the driver thread stays the one blocking waiter
//! and the backstop. Registrations are edge-triggered, so the kernel hands each edge to
//! one waiter: an event is dispatched by a harvest or by a turn, never by both.
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

/// Events one worker harvest takes at most: enough for a burst, few enough that one
/// worker does not take every ready task of a busy turn to its own queue.
#[cfg(any(target_os = "linux", target_os = "android"))]
#[cfg_attr(loom, allow(dead_code))] // the workers do not harvest under loom
const EVENTS_PER_HARVEST: usize = 64;

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
    /// A second descriptor of the poll's epoll instance, for [`Handle::harvest`]: owned
    /// here, so it stays open (and names the same instance) as long as any harvester can
    /// reach it, even after the driver thread dropped the `mio::Poll`.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[cfg_attr(loom, allow(dead_code))]
    epoll: std::os::fd::OwnedFd,
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
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let epoll = {
            use std::os::fd::{AsRawFd, BorrowedFd};
            // SAFETY: the descriptor is `poll`'s epoll fd, open for as long as `poll`
            // lives, which is past this statement; it is only borrowed to be duplicated.
            unsafe { BorrowedFd::borrow_raw(poll.as_raw_fd()) }.try_clone_to_owned()?
        };
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
                #[cfg(any(target_os = "linux", target_os = "android"))]
                epoll,
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
        let events = self.events.iter();
        handle.dispatch(
            events.map(|e| (e.token(), Ready::from_event(e))),
            &mut self.wakers,
        );
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

    /// Hands each I/O event to its resource, collecting the wakers to wake into
    /// `wakers`; an event whose token's generation is not the slot's (the resource was
    /// released while the event was in flight) is dropped. Returns whether the
    /// `mio::Waker`'s token was among the events.
    fn dispatch(
        &self,
        events: impl Iterator<Item = (mio::Token, Ready)>,
        wakers: &mut Vec<Waker>,
    ) -> bool {
        let mut interrupted = false;
        let events = events.filter(|&(token, _)| {
            let waker = token == WAKER_TOKEN;
            interrupted |= waker;
            !waker
        });
        self.ios.dispatch(events, wakers);
        interrupted
    }

    /// A worker's look for ready I/O that never blocks: `epoll_wait` with timeout 0 on
    /// the driver's epoll instance, beside the driver thread's blocking wait. What it
    /// finds is dispatched as a turn dispatches it (same slab, same generation check),
    /// and the wakers of the tasks concerned are collected into `wakers`, for the caller
    /// to wake where it can run them. Edge-triggered registrations: each edge goes to one
    /// waiter, so nothing is dispatched twice. If it takes the `mio::Waker`'s event
    /// (meant to interrupt the driver thread: a nearer timer, shutdown), it writes the
    /// waker again, so the driver thread still gets its interruption. Returns how many
    /// events it took (0 on any error: the driver thread is the backstop).
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[cfg_attr(loom, allow(dead_code))]
    pub(crate) fn harvest(&self, wakers: &mut Vec<Waker>) -> usize {
        use std::os::fd::AsRawFd;
        // With nothing registered there is nothing to look for (`is_empty` may be stale:
        // that costs one empty look or one skipped look; the driver thread is the backstop).
        if self.ios.is_empty() || self.is_shutdown() {
            return 0;
        }
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; EVENTS_PER_HARVEST];
        // SAFETY: `self.epoll` is an open epoll descriptor owned by `self`; the buffer is
        // valid for `EVENTS_PER_HARVEST` writable entries, the count passed; timeout 0
        // makes the call return at once.
        let n = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                events.as_mut_ptr(),
                EVENTS_PER_HARVEST as libc::c_int,
                0,
            )
        };
        let Ok(n) = usize::try_from(n) else {
            return 0;
        };
        let taken = events[..n].iter().map(|e| {
            // Copied out first: the struct is packed on x86_64.
            let (token, bits) = (e.u64, e.events);
            (mio::Token(token as usize), Ready::from_epoll(bits))
        });
        if self.dispatch(taken, wakers) {
            self.unpark();
        }
        n
    }

    /// Elsewhere there is no harvest: the driver thread delivers everything.
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    pub(crate) fn harvest(&self, _wakers: &mut Vec<Waker>) -> usize {
        0
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

#[cfg(all(test, not(loom), any(target_os = "linux", target_os = "android")))]
mod harvest_tests {
    use super::*;
    use std::os::fd::AsRawFd;
    use std::sync::atomic::AtomicUsize;
    use std::task::{Context, Wake};

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn listener() -> mio::net::TcpListener {
        mio::net::TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap()
    }

    /// Harvests until something comes (bounded: a loopback connect is seen within a
    /// few looks; the bound only turns a bug into a failure instead of a hang).
    fn harvest_some(handle: &Handle, wakers: &mut Vec<Waker>) -> usize {
        for _ in 0..100_000 {
            let n = handle.harvest(wakers);
            if n > 0 {
                return n;
            }
            std::thread::yield_now();
        }
        0
    }

    /// Waits (bounded) until `fd` is readable, without consuming any epoll edge.
    fn wait_readable(fd: &impl AsRawFd) {
        for _ in 0..100_000 {
            let mut pfd = libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid `pollfd`, count 1, timeout 0.
            if unsafe { libc::poll(&mut pfd, 1, 0) } == 1 {
                return;
            }
            std::thread::yield_now();
        }
        panic!("the listener never became readable");
    }

    #[test]
    fn a_harvest_dispatches_an_edge_to_its_resource_exactly_once() {
        let driver = Driver::new(false, true, true).unwrap();
        let handle = driver.handle.clone();
        let mut listener = listener();
        let (_token, io) = handle
            .register(&mut listener, mio::Interest::READABLE, 0)
            .unwrap();
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let read = Direction::Read.mask();
        let mut cx = Context::from_waker(&waker);
        assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());

        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let mut wakers = Vec::new();
        assert_eq!(harvest_some(&handle, &mut wakers), 1);
        assert_eq!(wakers.len(), 1, "the waiting task's waker was collected");
        wakers.drain(..).for_each(Waker::wake);
        assert_eq!(count.0.load(SeqCst), 1);
        assert!(io.ready_event(read).is_some(), "the readiness was set");
        // Edge-triggered: the edge went to this harvest; nobody gets it again.
        assert_eq!(handle.harvest(&mut wakers), 0);
        drop(driver);
    }

    #[test]
    fn a_harvest_that_takes_the_driver_wakeup_passes_it_on() {
        let driver = Driver::new(false, true, true).unwrap();
        let handle = driver.handle.clone();
        // One idle resource: with none registered a harvest does not even look.
        let mut idle = listener();
        let _idle = handle
            .register(&mut idle, mio::Interest::READABLE, 0)
            .unwrap();
        handle.unpark();
        let mut wakers = Vec::new();
        assert_eq!(harvest_some(&handle, &mut wakers), 1);
        assert!(wakers.is_empty());
        // The interruption was meant for the driver thread: it is there again for the
        // next waiter (here: the next harvest, which passes it on in turn).
        assert_eq!(handle.harvest(&mut wakers), 1);
        drop(driver);
    }

    #[test]
    fn a_harvested_event_for_a_released_slot_is_not_delivered_to_its_next_resource() {
        let driver = Driver::new(false, true, true).unwrap();
        let handle = driver.handle.clone();
        let mut old = listener();
        let _client = std::net::TcpStream::connect(old.local_addr().unwrap()).unwrap();
        wait_readable(&old);
        // Registering a ready listener queues its edge at once.
        let (old_token, _old_io) = handle
            .register(&mut old, mio::Interest::READABLE, 0)
            .unwrap();
        // Released while its event is still queued in epoll (not deregistered yet).
        handle.release(old_token);
        let mut new = listener();
        let (new_token, new_io) = handle
            .register(&mut new, mio::Interest::READABLE, 0)
            .unwrap();
        assert_eq!(
            new_token.0 & 0xFFFF_FFFF,
            old_token.0 & 0xFFFF_FFFF,
            "the slot is reused"
        );
        let mut wakers = Vec::new();
        assert_eq!(harvest_some(&handle, &mut wakers), 1, "the old edge");
        assert!(
            new_io.ready_event(Direction::Read.mask()).is_none(),
            "the old resource's event reached the new one"
        );
        drop(driver);
    }
}

//! The runtime's clock: real time, or a paused test clock that only moves when told to
//! (`time::advance`) or when a current-thread runtime is idle (auto-advance to the next
//! timer, as tokio's `start_paused`).
//!
//! Timer wheel ticks are whole milliseconds since `base`. A deadline is rounded *up* to
//! a tick and "now" *down*, so a timer never fires before its deadline.
use crate::loom::sync::atomic::{AtomicBool, Ordering::*};
use crate::loom::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct Clock {
    base: Instant,
    paused: AtomicBool,
    /// Whether the clock was ever paused. Until then, virtual time *is* real time and
    /// `now` needs no lock (the common case: every `Instant::now` and deadline).
    ever_paused: AtomicBool,
    state: Mutex<State>,
}

struct State {
    /// While paused: the frozen "now".
    frozen: Instant,
    /// While running: virtual time = `virtual_at` + (real now - `real_at`).
    real_at: Instant,
    virtual_at: Instant,
}

impl Clock {
    pub(crate) fn new(start_paused: bool) -> Clock {
        let now = Instant::now();
        Clock {
            base: now,
            paused: AtomicBool::new(start_paused),
            ever_paused: AtomicBool::new(start_paused),
            state: Mutex::new(State {
                frozen: now,
                real_at: now,
                virtual_at: now,
            }),
        }
    }

    pub(crate) fn now(&self) -> Instant {
        if !self.ever_paused.load(Acquire) {
            return Instant::now();
        }
        let state = self.state.lock().unwrap();
        if self.paused.load(Acquire) {
            state.frozen
        } else {
            state.virtual_at + state.real_at.elapsed()
        }
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.load(Acquire)
    }

    /// Freezes the clock at the current instant. Returns `false` if already paused.
    pub(crate) fn pause(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        if self.paused.load(Acquire) {
            return false;
        }
        state.frozen = state.virtual_at + state.real_at.elapsed();
        self.ever_paused.store(true, Release);
        self.paused.store(true, Release);
        true
    }

    /// Lets the clock run again from where it was frozen. Returns `false` if not paused.
    pub(crate) fn resume(&self) -> bool {
        let mut state = self.state.lock().unwrap();
        if !self.paused.load(Acquire) {
            return false;
        }
        state.virtual_at = state.frozen;
        state.real_at = Instant::now();
        self.paused.store(false, Release);
        true
    }

    /// Moves a paused clock forward. Returns `false` if the clock is not paused.
    pub(crate) fn advance(&self, by: Duration) -> bool {
        let mut state = self.state.lock().unwrap();
        if !self.paused.load(Acquire) {
            return false;
        }
        state.frozen += by;
        true
    }

    /// Moves a paused clock forward to `tick`, if it is behind it.
    pub(crate) fn advance_to_tick(&self, tick: u64) {
        let target = self.base + Duration::from_millis(tick);
        let mut state = self.state.lock().unwrap();
        if self.paused.load(Acquire) && state.frozen < target {
            state.frozen = target;
        }
    }

    /// The wheel tick of `deadline`, rounded up.
    pub(crate) fn deadline_to_tick(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.base);
        let ms = since.as_millis();
        let ceil = if since.subsec_nanos() % 1_000_000 == 0 {
            ms
        } else {
            ms + 1
        };
        u64::try_from(ceil).unwrap_or(u64::MAX)
    }

    /// The current wheel tick, rounded down.
    pub(crate) fn now_tick(&self) -> u64 {
        u64::try_from(self.now().saturating_duration_since(self.base).as_millis())
            .unwrap_or(u64::MAX)
    }

    /// Real time until `tick` (for the driver's poll timeout).
    pub(crate) fn until_tick(&self, tick: u64) -> Duration {
        (self.base + Duration::from_millis(tick)).saturating_duration_since(self.now())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn paused_clock_moves_only_when_advanced() {
        let clock = Clock::new(true);
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        assert!(clock.advance(Duration::from_millis(1500)));
        assert_eq!(clock.now(), t0 + Duration::from_millis(1500));
        assert!(clock.resume());
        assert!(clock.now() >= t0 + Duration::from_millis(1500));
        assert!(
            !clock.advance(Duration::from_millis(1)),
            "advance needs a paused clock"
        );
    }

    #[test]
    fn deadline_ticks_round_up_and_now_rounds_down() {
        let clock = Clock::new(true);
        let base = clock.base;
        assert_eq!(clock.deadline_to_tick(base + Duration::from_micros(1)), 1);
        assert_eq!(clock.deadline_to_tick(base + Duration::from_millis(5)), 5);
        clock.advance(Duration::from_micros(5_999));
        assert_eq!(clock.now_tick(), 5);
    }
}

//! [`FairTick`]: when a scheduler's fairness turn comes (every `global_queue_interval`-th
//! tick), counted down rather than computed as `tick % interval`.
//!
//! The interval is a runtime setting (`Builder::global_queue_interval`), so `tick %
//! interval` is a hardware division on every task the scheduler runs: tens of cycles,
//! a measurable share of a task's whole life in `chained_spawn`. A countdown costs a
//! decrement and a compare.
//!
//! Layer: scheduler. Imports nothing.

/// Counts scheduler ticks; [`advance`](Self::advance) is true on every `interval`-th.
#[derive(Debug)]
pub(crate) struct FairTick {
    /// Ticks left until the next fairness turn (1..=interval).
    left: u32,
    interval: u32,
}

impl FairTick {
    /// The first turn comes on the `interval`-th tick (`interval` 0 counts as 1).
    pub(crate) fn new(interval: u32) -> FairTick {
        let interval = interval.max(1);
        FairTick {
            left: interval,
            interval,
        }
    }

    /// One tick: whether it is a fairness turn.
    #[inline]
    pub(crate) fn advance(&mut self) -> bool {
        self.left -= 1;
        if self.left == 0 {
            self.left = self.interval;
            true
        } else {
            false
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::FairTick;

    #[test]
    fn every_interval_th_tick_is_a_turn_as_tick_modulo_interval_was() {
        for interval in [1u32, 2, 31, 61] {
            let mut fair = FairTick::new(interval);
            for tick in 1..=10 * interval {
                assert_eq!(
                    fair.advance(),
                    tick % interval == 0,
                    "interval {interval}, tick {tick}"
                );
            }
        }
    }

    #[test]
    fn zero_counts_as_one() {
        let mut fair = FairTick::new(0);
        assert!(fair.advance() && fair.advance());
    }
}

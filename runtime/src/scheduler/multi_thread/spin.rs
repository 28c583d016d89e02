//! An adaptive spin budget: how many empty looks a thread takes before it blocks, grown
//! when spinning found work and shrunk when it did not (issue 15, option 4), so spinning
//! keeps its latency win under request/response traffic and gives the CPU back when it
//! does not pay. Used by the driver thread (`driver_thread.rs`), whose post-turn spin
//! the workers' own I/O harvests mostly make redundant; the workers' spin stays fixed
//! (adaptive was tried, not shown better than noise: `driver/PERF.md`). Imports nothing.

/// A spin budget that adapts to whether spinning pays: doubled after a spin that found
/// work, halved after one that did not, within fixed bounds.
pub(crate) struct SpinBudget {
    now: u32,
    bounds: std::ops::RangeInclusive<u32>,
}

impl SpinBudget {
    /// Starts at the upper bound: the first bursts decide.
    pub(crate) fn new(bounds: std::ops::RangeInclusive<u32>) -> SpinBudget {
        SpinBudget {
            now: *bounds.end(),
            bounds,
        }
    }

    pub(crate) fn get(&self) -> u32 {
        self.now
    }

    /// The spin found work: allow longer spins.
    pub(crate) fn hit(&mut self) {
        self.now = (self.now * 2).min(*self.bounds.end());
    }

    /// The spin ran out without finding work: spin less next time.
    pub(crate) fn miss(&mut self) {
        self.now = (self.now / 2).max(*self.bounds.start());
    }
}

#[cfg(test)]
mod tests {
    use super::SpinBudget;

    #[test]
    fn spin_budget_doubles_on_hit_halves_on_miss_within_bounds() {
        let mut b = SpinBudget::new(2..=64);
        assert_eq!(b.get(), 64);
        b.hit();
        assert_eq!(b.get(), 64, "capped at the upper bound");
        for expect in [32, 16, 8, 4, 2, 2] {
            b.miss();
            assert_eq!(b.get(), expect);
        }
        b.hit();
        assert_eq!(b.get(), 4);
    }
}

//! The workers' random number generator (steal victims).

/// A xorshift* generator for picking steal victims: fast, not cryptographic.
#[derive(Debug)]
pub(crate) struct FastRand {
    state: u64,
}

impl FastRand {
    pub(crate) fn new(seed: u64) -> FastRand {
        // Spread small seeds (worker indices) over the state space; never zero.
        FastRand {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    pub(crate) fn next_u32(&mut self) -> u32 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    /// A number in `0..n` (Lemire's multiply-shift; `n > 0`).
    pub(crate) fn below(&mut self, n: u32) -> u32 {
        ((u64::from(self.next_u32()) * u64::from(n)) >> 32) as u32
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::FastRand;

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = FastRand::new(0);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = r.below(7) as usize;
            seen[v] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}

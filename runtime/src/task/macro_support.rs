//! Support for the code that `robin::select!` expands to; not a public API (reached through
//! `robin::__private`).
use std::cell::Cell;

thread_local! {
    /// A per-thread xorshift32 state, seeded from the thread's stack address and a
    /// process-wide counter so threads do not share a sequence. Never zero.
    static RNG: Cell<u32> = Cell::new(seed());
}

fn seed() -> u32 {
    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0x9E37_79B9);
    let n = COUNTER.fetch_add(0x6D2B_79F5, std::sync::atomic::Ordering::Relaxed);
    let local = 0u8;
    let addr = &local as *const u8 as usize as u64;
    let mixed = (addr ^ (addr >> 32)) as u32 ^ n;
    mixed | 1
}

/// A number in `0..n` from a cheap thread-local generator (not cryptographic); `0` when
/// `n` is 0.
///
/// ```
/// for n in 1..10 {
///     assert!(robin_runtime::task::macro_support::thread_rng_n(n) < n);
/// }
/// ```
pub fn thread_rng_n(n: u32) -> u32 {
    RNG.try_with(|rng| {
        let mut x = rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        rng.set(x);
        ((u64::from(x) * u64::from(n)) >> 32) as u32
    })
    .unwrap_or(0)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::thread_rng_n;

    #[test]
    fn covers_the_range() {
        let mut seen = [false; 5];
        for _ in 0..1000 {
            seen[thread_rng_n(5) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s), "{seen:?}");
        assert_eq!(thread_rng_n(0), 0);
    }
}

//! Support for the code that `robin::select!` expands to; not a public API (reached through
//! `robin::__private`).

/// A number in `0..n` from a cheap thread-local generator (not cryptographic); `0` when
/// `n` is 0.
///
/// ```
/// for n in 1..10 {
///     assert!(robin_runtime::task::macro_support::thread_rng_n(n) < n);
/// }
/// ```
pub fn thread_rng_n(n: u32) -> u32 {
    crate::context::rng_below(n)
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

//! Whether a stream read after a short read is worth its syscall, learned per resource.
//!
//! A read that returned fewer bytes than asked emptied the socket's receive buffer at
//! that moment. The next read either finds data that arrived since (a fast peer: a
//! blocking client, a pipelined request) or returns `WouldBlock`, a wasted syscall that a
//! request/response peer makes certain (the next request only comes after our reply:
//! wrk, browsers). tokio always clears the readiness after a short read, which saves the
//! wasted read but makes a fast peer's data wait for its epoll edge to be dispatched (a
//! driver turn or a worker's harvest) instead of being read at once.
//!
//! A speculation is cheap to lose (one syscall that returns at once) and dear to skip
//! when it would have won (the data then waits for its edge to reach a driver turn or a
//! worker's harvest, and for the task to be woken again). So each stream keeps a score of
//! how its speculations went, and speculates while it is above zero: a hit raises it by
//! [`HIT`], a miss lowers it by one, so the stream keeps speculating while more than about
//! one in [`HIT`] + 1 speculations finds data. At zero it clears the readiness after a
//! short read, as tokio does, but still speculates once every [`PROBE_EVERY`] short reads,
//! so a peer that changes its pattern is noticed: pure request/response traffic then
//! wastes one read in [`PROBE_EVERY`] short reads.
//!
//! Only a heuristic: the state is one `Relaxed` byte and orders nothing; a race between
//! two tasks reading one stream costs at most one wasted or one skipped speculation.
//! Correctness never depends on it: a cleared readiness is set again by the next edge
//! (epoll reports one whenever data arrives), and a kept one only costs the read that
//! proves it stale.
//!
//! Owns: the score. May not import anything but `std` (it is no synchronisation
//! primitive, so loom does not model it).
use std::sync::atomic::{AtomicU8, Ordering::Relaxed};

/// What a speculation that found data adds to the score.
const HIT: u8 = 4;
/// The score's ceiling (it lives in the low four bits).
const MAX_SCORE: u8 = 15;
/// A new stream's score: it speculates, as a read loop without this module would.
const INITIAL_SCORE: u8 = HIT;
/// At score zero, one short read in this many speculates anyway (the probe).
const PROBE_EVERY: u8 = 8;

/// Set while the readiness was kept after a short read: the next read is the speculation.
const SPECULATING: u8 = 0x80;
const SCORE: u8 = 0x0F;
const PROBE_SHIFT: u32 = 4;
const PROBE: u8 = 0x70;

/// The per-stream state (see the module docs): the score in the low four bits, the
/// short reads since the last probe in the next three, [`SPECULATING`] on top.
#[derive(Debug)]
pub(crate) struct ReadAhead(AtomicU8);

impl Default for ReadAhead {
    fn default() -> Self {
        ReadAhead(AtomicU8::new(INITIAL_SCORE))
    }
}

impl ReadAhead {
    /// A read returned `n` bytes of the `len` asked for (`n > 0`). Returns whether to
    /// clear the readiness now: never after a full read (more may be waiting); after a
    /// short one, unless the score (or the probe) says to speculate.
    pub(crate) fn after_read(&self, n: usize, len: usize) -> bool {
        let mut state = self.0.load(Relaxed);
        let speculated = state & SPECULATING != 0;
        if speculated {
            // The speculation found data.
            let score = ((state & SCORE) + HIT).min(MAX_SCORE);
            state = (state & PROBE) | score;
        }
        if n >= len {
            // A full read: more may be waiting, keep the readiness. The byte is only
            // written when a speculation ended (the common full read costs one load).
            if speculated {
                self.0.store(state, Relaxed);
            }
            return false;
        }
        let probes = (state & PROBE) >> PROBE_SHIFT;
        if state & SCORE > 0 || probes + 1 >= PROBE_EVERY {
            self.0.store((state & SCORE) | SPECULATING, Relaxed);
            false
        } else {
            self.0
                .store((state & SCORE) | ((probes + 1) << PROBE_SHIFT), Relaxed);
            true
        }
    }

    /// A read returned `WouldBlock`: if it was a speculation, it missed.
    pub(crate) fn after_would_block(&self) {
        let state = self.0.load(Relaxed);
        if state & SPECULATING != 0 {
            let score = (state & SCORE).saturating_sub(1);
            self.0.store((state & PROBE) | score, Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `reads` short reads; each kept readiness is a speculation, whose outcome
    /// `hit(i)` decides. Returns how many speculated.
    fn run(ra: &ReadAhead, reads: usize, hit: impl Fn(usize) -> bool) -> usize {
        let mut speculations = 0;
        for i in 0..reads {
            if !ra.after_read(100, 4096) {
                speculations += 1;
                if !hit(i) {
                    ra.after_would_block();
                }
                // A hit is seen by the next `after_read` (the speculation read data).
            }
        }
        speculations
    }

    #[test]
    fn full_reads_never_clear() {
        let ra = ReadAhead::default();
        for _ in 0..100 {
            assert!(!ra.after_read(64, 64));
        }
    }

    #[test]
    fn a_peer_that_is_always_there_keeps_the_speculation() {
        let ra = ReadAhead::default();
        assert_eq!(run(&ra, 100, |_| true), 100);
    }

    #[test]
    fn a_request_response_peer_wastes_one_read_in_eight() {
        let ra = ReadAhead::default();
        // The initial score's misses first, then one probe per PROBE_EVERY short reads.
        run(&ra, INITIAL_SCORE as usize, |_| false);
        let n = 80;
        assert_eq!(run(&ra, n, |_| false), n / PROBE_EVERY as usize);
    }

    #[test]
    fn a_peer_there_one_time_in_three_keeps_the_speculation() {
        let ra = ReadAhead::default();
        assert_eq!(run(&ra, 300, |i| i % 3 == 0), 300);
    }

    #[test]
    fn a_probe_that_hits_resumes_speculating() {
        let ra = ReadAhead::default();
        run(&ra, 64, |_| false); // the score is 0: clearing, probing
        let mut cleared = 0;
        while ra.after_read(1, 8) {
            cleared += 1;
            assert!(
                cleared < PROBE_EVERY,
                "a probe comes within PROBE_EVERY short reads"
            );
        }
        // That was the probe; it finds data: every short read speculates again.
        for _ in 0..10 {
            assert!(!ra.after_read(1, 8));
        }
    }

    #[test]
    fn a_would_block_that_was_no_speculation_changes_nothing() {
        let ra = ReadAhead::default();
        ra.after_would_block();
        ra.after_would_block();
        assert!(!ra.after_read(1, 8));
    }
}

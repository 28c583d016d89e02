//! The hierarchical timer wheel: 6 levels of 64 slots, 1 ms per level-0 slot, so level
//! `L` slots span `64^L` ms and the wheel reaches `64^6` ms (about 2.2 years) ahead.
//!
//! A timer with deadline `d` is stored, relative to the processed time `elapsed`, at the
//! level of the highest 6-bit digit in which `d` and `elapsed` differ, in the slot named by
//! `d`'s digit at that level. Hence every entry of level `L` lies within `elapsed`'s current
//! level-`L+1` span, in a slot *after* `elapsed`'s own, and all entries of lower levels
//! come before all entries of higher ones: the next expiration is the first occupied slot
//! of the lowest non-empty level (found with one `trailing_zeros` on its bitmap).
//! Processing a slot fires its due entries and re-inserts the others, which then land
//! on a lower level ("cascading"). Insert and cancel are O(1): slots are vectors, each
//! entry knows its index, and cancel swap-removes it.
//!
//! The wheel is single-threaded; each shard of `shards.rs` keeps one under its mutex.
use super::timer::{TimerShared, FIRED, IDLE, MAX_TICK};
use crate::loom::sync::Arc;
use std::task::Waker;

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const BITS: u32 = 6;
/// Deadlines further ahead than this are parked at the wheel's far edge and re-filed
/// when that slot is processed.
const MAX_AHEAD: u64 = (1 << (BITS as u64 * LEVELS as u64)) - 1;

pub(crate) struct Wheel {
    elapsed: u64,
    levels: Vec<Level>,
    len: usize,
}

struct Level {
    occupied: u64,
    slots: Vec<Vec<Arc<TimerShared>>>,
}

fn level_for(elapsed: u64, when: u64) -> usize {
    let masked = (elapsed ^ when) | (SLOTS as u64 - 1);
    let significant = 63 - masked.leading_zeros();
    (significant / BITS) as usize
}

fn slot_for(when: u64, level: usize) -> usize {
    ((when >> (BITS as usize * level)) & (SLOTS as u64 - 1)) as usize
}

impl Wheel {
    pub(crate) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            levels: (0..LEVELS)
                .map(|_| Level {
                    occupied: 0,
                    slots: (0..SLOTS).map(|_| Vec::new()).collect(),
                })
                .collect(),
            len: 0,
        }
    }

    /// Timers in the wheel.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Files `entry` (not in the wheel) for `tick`. `Err(())` if `tick` is already due:
    /// the caller fires it.
    pub(crate) fn insert(&mut self, entry: &Arc<TimerShared>, tick: u64) -> Result<(), ()> {
        debug_assert_eq!(entry.state(), IDLE);
        if tick <= self.elapsed {
            return Err(());
        }
        let tick = tick.min(MAX_TICK);
        entry.set_state(tick);
        self.file(entry.clone(), tick);
        self.len += 1;
        Ok(())
    }

    fn file(&mut self, entry: Arc<TimerShared>, tick: u64) {
        // Park far deadlines at the end of the current top-level span; at its very last
        // tick, one past it (the top level then wraps, which `next_slot` accounts for).
        let mut slotted = tick.min(self.elapsed | MAX_AHEAD);
        if slotted <= self.elapsed {
            slotted = self.elapsed + 1;
        }
        let level = level_for(self.elapsed, slotted).min(LEVELS - 1);
        let slot = slot_for(slotted, level);
        let list = &mut self.levels[level].slots[slot];
        let index = list.len() as u32;
        // SAFETY: `pos` is only accessed by the wheel, and the wheel is `&mut self`.
        entry
            .pos
            .with_mut(|p| unsafe { *p = (level as u8, slot as u8, index) });
        list.push(entry);
        self.levels[level].occupied |= 1 << slot;
    }

    /// Takes `entry` out of the wheel if it is in it (cancel, or before a reset).
    pub(crate) fn remove(&mut self, entry: &TimerShared) {
        let state = entry.state();
        if state == IDLE || state > MAX_TICK {
            return;
        }
        // SAFETY: as in `file`.
        let (level, slot, index) = entry.pos.with(|p| unsafe { *p });
        let list = &mut self.levels[level as usize].slots[slot as usize];
        let removed = list.swap_remove(index as usize);
        debug_assert!(std::ptr::eq(&*removed, entry), "timer position out of date");
        if let Some(moved) = list.get(index as usize) {
            // SAFETY: as in `file`.
            moved.pos.with_mut(|p| unsafe { (*p).2 = index });
        }
        if list.is_empty() {
            self.levels[level as usize].occupied &= !(1 << slot);
        }
        entry.set_state(IDLE);
        self.len -= 1;
    }

    /// The tick at which the earliest non-empty slot starts (a lower bound of its
    /// deadlines), with its level and slot.
    fn next_slot(&self) -> Option<(u64, usize, usize)> {
        for (level, lv) in self.levels.iter().enumerate() {
            if lv.occupied == 0 {
                continue;
            }
            let shift = BITS as usize * level;
            let current = ((self.elapsed >> shift) & (SLOTS as u64 - 1)) as u32;
            let distance = lv.occupied.rotate_right(current).trailing_zeros();
            let slot = (current + distance) as usize % SLOTS;
            let level_span = 1u64 << (shift + BITS as usize);
            let mut start = (self.elapsed & !(level_span - 1)) + ((slot as u64) << shift);
            if start < (self.elapsed & !((1u64 << shift) - 1)) {
                start += level_span;
            }
            return Some((start, level, slot));
        }
        None
    }

    /// The tick the driver must wake up at next, if any timer is pending.
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        self.next_slot().map(|(start, _, _)| start)
    }

    /// Fires every timer due at `now`, pushing their wakers into `wakers`.
    pub(crate) fn poll(&mut self, now: u64, wakers: &mut Vec<Waker>) {
        while let Some((start, level, slot)) = self.next_slot() {
            if start > now {
                break;
            }
            self.elapsed = self.elapsed.max(start);
            let entries = std::mem::take(&mut self.levels[level].slots[slot]);
            self.levels[level].occupied &= !(1 << slot);
            // Fire only what is due at the slot's start (`elapsed`), not everything due
            // at `now`: a higher-level slot spans 64^L ticks, and after a late turn or a
            // clock jump its entries would fire in slot order, not deadline order. The
            // others are refiled relative to `elapsed`, which puts them on a strictly lower
            // level; the loop then reaches them in nondecreasing tick order (tokio's
            // `process_expiration`). Issue 12, found by the wheel model test.
            for entry in entries {
                let tick = entry.state();
                if tick <= self.elapsed {
                    self.len -= 1;
                    wakers.extend(entry.fire(FIRED));
                } else {
                    self.file(entry, tick);
                }
            }
        }
        self.elapsed = self.elapsed.max(now);
    }

    /// Fires every timer with `state` (shutdown), emptying the wheel.
    pub(crate) fn drain(&mut self, state: u64, wakers: &mut Vec<Waker>) {
        for level in &mut self.levels {
            level.occupied = 0;
            for slot in &mut level.slots {
                for entry in slot.drain(..) {
                    wakers.extend(entry.fire(state));
                }
            }
        }
        self.len = 0;
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    fn timer() -> Arc<TimerShared> {
        Arc::new(TimerShared::default())
    }

    #[test]
    fn fires_in_deadline_order_across_levels() {
        let mut wheel = Wheel::new();
        let ticks = [
            1u64, 2, 63, 64, 65, 100, 4095, 4096, 5000, 300_000, 10_000_000,
        ];
        let timers: Vec<_> = ticks
            .iter()
            .map(|&t| {
                let e = timer();
                wheel.insert(&e, t).unwrap();
                (t, e)
            })
            .collect();
        assert_eq!(wheel.len(), ticks.len());
        let mut fired_at = Vec::new();
        let mut now = 0;
        while let Some(next) = wheel.next_expiration() {
            assert!(next >= now, "expirations move forward");
            now = next;
            let mut wakers = Vec::new();
            wheel.poll(now, &mut wakers);
            for (t, e) in &timers {
                if e.state() == FIRED && !fired_at.iter().any(|(ft, _)| ft == t) {
                    assert!(*t <= now, "timer {t} fired early at {now}");
                    fired_at.push((*t, now));
                }
            }
        }
        let order: Vec<u64> = fired_at.iter().map(|(t, _)| *t).collect();
        assert_eq!(order, ticks.to_vec());
        for (t, at) in fired_at {
            assert_eq!(t, at, "fired exactly at its tick when polled tick by tick");
        }
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn remove_is_exact_and_keeps_positions_right() {
        let mut wheel = Wheel::new();
        let es: Vec<_> = (0..10).map(|_| timer()).collect();
        for e in &es {
            wheel.insert(e, 7).unwrap();
        }
        wheel.remove(&es[3]);
        wheel.remove(&es[0]);
        wheel.remove(&es[9]);
        assert_eq!(wheel.len(), 7);
        let mut wakers = Vec::new();
        wheel.poll(7, &mut wakers);
        for (i, e) in es.iter().enumerate() {
            let expected = if [0, 3, 9].contains(&i) { IDLE } else { FIRED };
            assert_eq!(e.state(), expected, "timer {i}");
        }
        assert_eq!(wheel.len(), 0);
    }

    #[test]
    fn due_insert_is_refused_and_far_deadlines_refile() {
        let mut wheel = Wheel::new();
        let mut wakers = Vec::new();
        wheel.poll(10, &mut wakers);
        assert!(wheel.insert(&timer(), 10).is_err());
        let far = timer();
        wheel.insert(&far, MAX_AHEAD * 3).unwrap();
        let mut now = 10;
        let mut rounds = 0;
        while far.state() != FIRED {
            now = wheel.next_expiration().unwrap();
            wheel.poll(now, &mut wakers);
            rounds += 1;
            assert!(rounds < 100);
        }
        assert_eq!(now, MAX_AHEAD * 3);
    }

    #[test]
    fn big_jump_fires_everything_due() {
        let mut wheel = Wheel::new();
        let es: Vec<_> = (1..=1000u64)
            .map(|t| {
                let e = timer();
                wheel.insert(&e, t * 37).unwrap();
                e
            })
            .collect();
        let mut wakers = Vec::new();
        wheel.poll(37 * 500, &mut wakers);
        let fired = es.iter().filter(|e| e.state() == FIRED).count();
        assert_eq!(fired, 500);
        assert_eq!(wheel.len(), 500);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::driver::time::timer::SHUTDOWN;
    use crate::loom::sync::Mutex;

    /// A wheel holding one fresh timer due at `tick`.
    fn filed(tick: u64) -> (Arc<Mutex<Wheel>>, Arc<TimerShared>) {
        let wheel = Arc::new(Mutex::new(Wheel::new()));
        let timer = Arc::new(TimerShared::default());
        wheel.lock().unwrap().insert(&timer, tick).unwrap();
        (wheel, timer)
    }

    /// The driver's side: fires what is due at `now` and wakes it; returns how many
    /// wakers it woke.
    fn driver_fires(wheel: &Arc<Mutex<Wheel>>, now: u64) -> loom::thread::JoinHandle<usize> {
        let wheel = wheel.clone();
        loom::thread::spawn(move || {
            let mut wakers = Vec::new();
            wheel.lock().unwrap().poll(now, &mut wakers);
            let woken = wakers.len();
            wakers.into_iter().for_each(Waker::wake);
            woken
        })
    }

    /// The driver fires a timer while its owner polls it (registering a waker) and then
    /// cancels it (drop): the owner either sees it fired or is woken; the cancel never
    /// corrupts the wheel (the entry is out of it in every interleaving) and no waker is
    /// left behind.
    #[test]
    fn fire_vs_poll_and_cancel() {
        loom::model(|| {
            let (wheel, timer) = filed(5);
            let driver = driver_fires(&wheel, 5);

            // The owner waits for the timer, then drops it (cancel if not fired).
            let fired = loom::future::block_on(std::future::poll_fn(|cx| timer.poll_fired(cx)));
            assert_eq!(fired, FIRED);
            wheel.lock().unwrap().remove(&timer);
            driver.join().unwrap();
            assert_eq!(wheel.lock().unwrap().len(), 0);
        });
    }

    /// The owner re-polls with a new waker (the old one is replaced outside the slot's
    /// lock: clone before, drop after) while the driver fires: the new waker is woken, or
    /// the re-poll sees the timer fired. A lost wake-up is a loom deadlock.
    #[test]
    fn fire_vs_repoll_with_a_new_waker() {
        loom::model(|| {
            let (wheel, timer) = filed(5);
            // First poll with a waker nobody waits on.
            let noop = std::task::Waker::noop();
            let first = timer.poll_fired(&mut std::task::Context::from_waker(noop));
            assert!(first.is_pending());
            let driver = driver_fires(&wheel, 5);
            let fired = loom::future::block_on(std::future::poll_fn(|cx| timer.poll_fired(cx)));
            assert_eq!(fired, FIRED);
            driver.join().unwrap();
        });
    }

    /// Cancel races with fire: exactly one of them takes the entry out of the wheel.
    #[test]
    fn fire_vs_cancel() {
        loom::model(|| {
            let (wheel, timer) = filed(3);
            let driver = driver_fires(&wheel, 3);
            wheel.lock().unwrap().remove(&timer);
            let woken = driver.join().unwrap();
            let state = timer.state();
            assert!(state == FIRED || state == IDLE, "state {state}");
            assert!(woken == 0, "nobody registered a waker");
            assert_eq!(wheel.lock().unwrap().len(), 0);
            let mut wakers = Vec::new();
            wheel.lock().unwrap().drain(SHUTDOWN, &mut wakers);
            assert!(wakers.is_empty());
        });
    }
}

//! The driver's timers, sharded: one hierarchical wheel per shard, each under its own lock
//! and publishing the tick of its earliest slot in an atomic, and the driver's published
//! plan (the tick it sleeps until).
//!
//! A timer is filed in the shard of the thread that files it (its `context::thread_number`),
//! so workers filing and cancelling their own timers take different locks and touch
//! different cache lines; a cancel from another thread takes the owning shard's lock (the
//! entry remembers its shard). The driver computes its sleep from the shards' `next`
//! atomics without taking a lock, and locks only the shards that have something due.
//!
//! The wake-up protocol (loom models below): an insert files its timer, publishes the
//! shard's `next`, and *then* (after a `SeqCst` fence) reads the driver's plan; the driver
//! publishes `u64::MAX` as its plan whenever it wakes, and before it sleeps again reads
//! every `next` (after a fence) and *then* publishes the new plan. The fences order each
//! side's store before its load, so either the driver's reads see the new timer, or the
//! insert's read sees `u64::MAX` or the new plan, and interrupts the driver when its
//! deadline comes first. A timer is never slept past.
//!
//! "Already due" is judged against `processed`, the last tick the driver fired up to (a
//! shard's own wheel may lag behind it: the driver skips shards with nothing due), so a
//! deadline that has passed is reported due at once, as with one wheel.
//!
//! Layer: driver. Imports `loom` and `time::{timer, wheel}` only.
use super::timer::TimerShared;
use super::wheel::Wheel;
use crate::loom::sync::atomic::{fence, AtomicBool, AtomicU64, Ordering::*};
use crate::loom::sync::{Arc, Mutex};
use std::ops::DerefMut;
use std::task::Waker;

/// No timer / no plan.
const NONE: u64 = u64::MAX;

pub(crate) struct Timers {
    shards: Box<[Shard]>,
    /// The tick the driver sleeps until (`NONE`: it is awake, or sleeps without a timer).
    next_wake: AtomicU64,
    /// The tick the driver last fired every shard up to.
    processed: AtomicU64,
}

/// One wheel and its published next expiration, on its own cache lines.
#[repr(align(128))]
struct Shard {
    wheel: Mutex<Wheel>,
    /// The wheel's `next_expiration()` (`NONE`: empty), stored under the lock after
    /// every change, so it is exact whenever the lock is free.
    next: AtomicU64,
}

/// What filing a timer did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Filed {
    /// The deadline has passed: not filed, the caller treats the timer as fired.
    Due,
    /// Filed; `unpark`: the driver sleeps (or may sleep) past it and must be interrupted.
    Filed { unpark: bool },
}

impl Shard {
    fn lock(&self) -> impl DerefMut<Target = Wheel> + '_ {
        self.wheel.lock().unwrap()
    }

    /// After a change under the lock.
    fn publish(&self, wheel: &Wheel) {
        self.next
            .store(wheel.next_expiration().unwrap_or(NONE), SeqCst);
    }
}

impl Timers {
    pub(crate) fn new(shards: usize) -> Timers {
        Timers {
            shards: (0..shards.max(1))
                .map(|_| Shard {
                    wheel: Mutex::new(Wheel::new()),
                    next: AtomicU64::new(NONE),
                })
                .collect(),
            next_wake: AtomicU64::new(NONE),
            processed: AtomicU64::new(0),
        }
    }

    /// Files `timer` (not filed anywhere) for `tick` in shard `shard % shards()`.
    /// `Err(())` if `shutdown` is set: checked under the shard's lock, and
    /// [`Timers::drain`] runs after the flag is set and takes every shard's lock, so a
    /// timer is either drained or refused, never left in a wheel nobody turns again.
    pub(crate) fn insert(
        &self,
        shard: usize,
        timer: &Arc<TimerShared>,
        tick: u64,
        shutdown: &AtomicBool,
    ) -> Result<Filed, ()> {
        let index = shard % self.shards.len();
        let shard = &self.shards[index];
        {
            let mut wheel = shard.lock();
            if shutdown.load(SeqCst) {
                return Err(());
            }
            if tick <= self.processed.load(Acquire) {
                return Ok(Filed::Due);
            }
            timer.set_shard(index);
            if wheel.insert(timer, tick).is_err() {
                return Ok(Filed::Due);
            }
            shard.publish(&wheel);
        }
        fence(SeqCst);
        Ok(Filed::Filed {
            unpark: tick < self.next_wake.load(SeqCst),
        })
    }

    /// Takes `timer` out of its shard's wheel if it is in it.
    pub(crate) fn remove(&self, timer: &TimerShared) {
        let shard = &self.shards[timer.shard()];
        let mut wheel = shard.lock();
        wheel.remove(timer);
        shard.publish(&wheel);
    }

    /// The earliest tick any shard needs the driver at, published as the driver's plan
    /// (call [`Timers::awake`] when the sleep ends).
    pub(crate) fn plan(&self) -> Option<u64> {
        // Orders the `awake` store before the reads of the shards (see the module docs).
        fence(SeqCst);
        let next = self.next_expiration();
        self.next_wake.store(next.unwrap_or(NONE), SeqCst);
        next
    }

    /// The driver stopped sleeping: until its next plan every insert interrupts it.
    pub(crate) fn awake(&self) {
        self.next_wake.store(NONE, SeqCst);
    }

    /// The earliest tick any shard needs the driver at (a lower bound of its deadlines).
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        let next = self
            .shards
            .iter()
            .map(|s| s.next.load(SeqCst))
            .min()
            .unwrap_or(NONE);
        (next != NONE).then_some(next)
    }

    /// Fires every timer due at `now` in every shard, pushing their wakers into `wakers`.
    pub(crate) fn fire(&self, now: u64, wakers: &mut Vec<Waker>) {
        for shard in self.shards.iter() {
            if shard.next.load(SeqCst) <= now {
                let mut wheel = shard.lock();
                wheel.poll(now, wakers);
                shard.publish(&wheel);
            }
        }
        self.processed.fetch_max(now, Release);
    }

    /// Fires every timer with `state` (shutdown), emptying every shard. Poison-tolerant:
    /// the wheels are consistent at every point user code could have panicked.
    pub(crate) fn drain(&self, state: u64, wakers: &mut Vec<Waker>) {
        for shard in self.shards.iter() {
            let mut wheel = shard
                .wheel
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            wheel.drain(state, wakers);
            shard.publish(&wheel);
        }
    }

    /// Timers filed in all shards.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.lock().len()).sum()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::super::timer::{FIRED, IDLE, SHUTDOWN};
    use super::*;

    fn timer() -> Arc<TimerShared> {
        Arc::new(TimerShared::default())
    }

    #[test]
    fn shards_fire_in_deadline_order_and_never_early() {
        let timers = Timers::new(4);
        let off = AtomicBool::new(false);
        let ticks = [5u64, 1, 300, 64, 4097, 2, 70_000];
        let es: Vec<_> = ticks
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let e = timer();
                assert_eq!(
                    timers.insert(i, &e, t, &off),
                    Ok(Filed::Filed { unpark: true })
                );
                (t, e)
            })
            .collect();
        assert_eq!(timers.len(), ticks.len());
        let mut order = Vec::new();
        let mut wakers = Vec::new();
        while let Some(now) = timers.next_expiration() {
            timers.fire(now, &mut wakers);
            for (t, e) in &es {
                if e.state() == FIRED && !order.contains(t) {
                    assert!(*t <= now, "timer {t} fired early at {now}");
                    order.push(*t);
                }
            }
        }
        let mut sorted = ticks.to_vec();
        sorted.sort();
        assert_eq!(order, sorted);
        assert_eq!(timers.len(), 0);
    }

    #[test]
    fn cancel_from_another_shard_and_due_inserts() {
        let timers = Timers::new(3);
        let off = AtomicBool::new(false);
        let a = timer();
        timers.insert(2, &a, 10, &off).unwrap();
        // The cancel finds the shard the timer was filed in.
        timers.remove(&a);
        assert_eq!(a.state(), IDLE);
        assert_eq!(timers.len(), 0);
        assert_eq!(timers.next_expiration(), None);
        let mut wakers = Vec::new();
        timers.fire(20, &mut wakers);
        // Shard 1's own wheel was never polled, but 20 has been processed: due at once.
        assert_eq!(timers.insert(1, &timer(), 20, &off), Ok(Filed::Due));
        assert!(matches!(
            timers.insert(1, &timer(), 21, &off),
            Ok(Filed::Filed { .. })
        ));
    }

    #[test]
    fn the_plan_decides_whether_an_insert_interrupts_the_driver() {
        let timers = Timers::new(2);
        let off = AtomicBool::new(false);
        let first = timer();
        timers.insert(0, &first, 50, &off).unwrap();
        assert_eq!(timers.plan(), Some(50));
        assert_eq!(
            timers.insert(1, &timer(), 60, &off),
            Ok(Filed::Filed { unpark: false })
        );
        assert_eq!(
            timers.insert(1, &timer(), 40, &off),
            Ok(Filed::Filed { unpark: true })
        );
        timers.awake();
        assert_eq!(
            timers.insert(0, &timer(), 70, &off),
            Ok(Filed::Filed { unpark: true })
        );
    }

    #[test]
    fn shutdown_drains_every_shard_and_refuses_inserts() {
        let timers = Timers::new(3);
        let off = AtomicBool::new(false);
        let es: Vec<_> = (0..6).map(|_| timer()).collect();
        for (i, e) in es.iter().enumerate() {
            timers.insert(i, e, 100 + i as u64, &off).unwrap();
        }
        off.store(true, SeqCst);
        let mut wakers = Vec::new();
        timers.drain(SHUTDOWN, &mut wakers);
        assert!(es.iter().all(|e| e.state() == SHUTDOWN));
        assert_eq!(timers.len(), 0);
        assert_eq!(timers.insert(0, &timer(), 500, &off), Err(()));
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::super::timer::FIRED;
    use super::*;

    /// A timer inserted (in another shard) while the driver goes round twice (plan,
    /// sleep, wake, fire; plan again) is never slept past: either the second plan covers
    /// it, or the insert is told to interrupt the driver. The first plan (tick 5, below
    /// the new deadline) is the stale value a wrongly ordered insert could read.
    #[test]
    fn insert_vs_plan_is_never_slept_past() {
        loom::model(|| {
            let timers = Arc::new(Timers::new(2));
            let off = Arc::new(AtomicBool::new(false));
            let first = Arc::new(TimerShared::default());
            timers.insert(0, &first, 5, &off).unwrap();
            let driver = {
                let timers = timers.clone();
                loom::thread::spawn(move || {
                    assert_eq!(timers.plan(), Some(5));
                    timers.awake();
                    timers.fire(5, &mut Vec::new());
                    timers.plan()
                })
            };
            let early = Arc::new(TimerShared::default());
            let filed = timers.insert(1, &early, 10, &off).unwrap();
            let plan = driver.join().unwrap();
            let unpark = matches!(filed, Filed::Filed { unpark: true });
            assert!(
                unpark || plan.is_some_and(|p| p <= 10),
                "slept past: plan {plan:?}, insert {filed:?}"
            );
            assert_eq!(first.state(), FIRED);
        });
    }

    /// A cancel in one shard races with the driver firing both shards: the cancelled
    /// timer is out of its wheel, the other fires, and the published expirations end
    /// up exact (nothing left to wait for).
    #[test]
    fn cancel_vs_fire_across_shards() {
        loom::model(|| {
            let timers = Arc::new(Timers::new(2));
            let off = AtomicBool::new(false);
            let a = Arc::new(TimerShared::default());
            let b = Arc::new(TimerShared::default());
            timers.insert(0, &a, 3, &off).unwrap();
            timers.insert(1, &b, 3, &off).unwrap();
            let driver = {
                let timers = timers.clone();
                loom::thread::spawn(move || {
                    let mut wakers = Vec::new();
                    timers.fire(3, &mut wakers);
                })
            };
            timers.remove(&a);
            driver.join().unwrap();
            assert_eq!(b.state(), FIRED);
            assert_eq!(timers.len(), 0);
            assert_eq!(timers.next_expiration(), None);
        });
    }
}

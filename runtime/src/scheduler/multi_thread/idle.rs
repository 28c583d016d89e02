//! Which workers are parked and which are searching for work; the no-lost-wakeup
//! protocol between workers going to sleep and tasks arriving. See `README.md` beside
//! this file for the steps and the argument.
//!
//! `state` packs two counters so both change in one atomic step:
//! bits 0..16: `num_searching`; bits 16..: `num_unparked`. `sleepers` (under its mutex)
//! lists the parked workers; a worker is removed from it only by the thread that decides
//! to wake it, which also counts it as unparked *and searching*.
use crate::loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::loom::sync::Mutex;

const SEARCH_MASK: usize = (1 << UNPARK_SHIFT) - 1;
const UNPARK_SHIFT: u32 = 16;
const UNPARK_ONE: usize = 1 << UNPARK_SHIFT;

/// Most workers `state` can count: `num_searching` must fit in 16 bits (the builder
/// rejects more workers; cf. rayon #883, a packed counter that wrapped).
pub(crate) const MAX_WORKERS: usize = SEARCH_MASK;

pub(crate) struct Idle {
    state: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    num_workers: usize,
}

impl Idle {
    /// All `num_workers` start unparked and not searching.
    pub(crate) fn new(num_workers: usize) -> Idle {
        assert!(num_workers > 0 && num_workers <= MAX_WORKERS);
        Idle {
            state: AtomicUsize::new(num_workers << UNPARK_SHIFT),
            sleepers: Mutex::new(Vec::with_capacity(num_workers)),
            num_workers,
        }
    }

    /// New work is queued: returns the parked worker to wake, if one should be woken (no
    /// worker is searching, and some worker is parked). The chosen worker is already
    /// counted as unparked and searching. Callers that queued to a shared queue must issue
    /// a `SeqCst` fence between their push and this call (see README).
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.should_notify() {
            return None;
        }
        let mut sleepers = self.sleepers.lock().unwrap();
        // Re-check under the lock: another notifier may have woken a worker meanwhile.
        if !self.should_notify() {
            return None;
        }
        let worker = sleepers.pop()?;
        self.state.fetch_add(UNPARK_ONE | 1, SeqCst);
        Some(worker)
    }

    fn should_notify(&self) -> bool {
        let state = self.state.load(SeqCst);
        state & SEARCH_MASK == 0 && (state >> UNPARK_SHIFT) < self.num_workers
    }

    /// Tries to start searching; refused when half the workers already search (more
    /// searchers would only contend on the same victims).
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * (state & SEARCH_MASK) >= self.num_workers {
            return false;
        }
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// Stops searching (found work). Returns `true` if it was the last searcher: the
    /// caller must then wake another worker, because producers skip notifying while a
    /// search is in progress and this searcher may have missed their work.
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        let prev = self.state.fetch_sub(1, SeqCst);
        debug_assert!(prev & SEARCH_MASK > 0);
        prev & SEARCH_MASK == 1
    }

    /// Registers `worker` as parked. Returns `true` if it was the last searcher: the
    /// caller must then re-check every queue (after a `SeqCst` fence) and wake a worker
    /// if it finds work.
    pub(crate) fn transition_worker_to_parked(&self, worker: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers.lock().unwrap();
        let dec = UNPARK_ONE | usize::from(is_searching);
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(worker);
        is_searching && prev & SEARCH_MASK == 1
    }

    /// Whether `worker` is still registered as parked (a wake-up that did not come from
    /// [`worker_to_notify`](Self::worker_to_notify) is spurious).
    pub(crate) fn is_parked(&self, worker: usize) -> bool {
        self.sleepers.lock().unwrap().contains(&worker)
    }

    pub(crate) fn num_unparked(&self) -> usize {
        self.state.load(SeqCst) >> UNPARK_SHIFT
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use crate::loom::sync::atomic::{fence, AtomicBool, Ordering};
    use crate::loom::sync::Arc;
    use crate::loom::{Parker, Unparker};

    /// The protocol in miniature: one worker (the last searcher) finds nothing and parks,
    /// while a producer queues work and notifies. The work must be found, either by the
    /// worker's re-check or because the producer wakes it; the worker must never sleep
    /// forever with the work queued (loom reports the deadlock if it does).
    #[test]
    fn no_lost_wakeup_when_work_arrives_while_parking() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(2));
            // Worker 1 is busy elsewhere (unparked, not searching); worker 0 searches.
            assert!(idle.transition_worker_to_searching());
            let queued = Arc::new(AtomicBool::new(false));
            let parker = Parker::new();
            let unparker: Unparker = parker.unparker();

            let producer = {
                let (idle, queued, unparker) = (idle.clone(), queued.clone(), unparker.clone());
                loom::thread::spawn(move || {
                    queued.store(true, Ordering::Relaxed);
                    fence(SeqCst);
                    if let Some(w) = idle.worker_to_notify() {
                        assert_eq!(w, 0);
                        unparker.unpark();
                    }
                })
            };

            // Worker 0: searched and found nothing; parks.
            let mut found = queued.load(Ordering::Relaxed);
            if !found {
                let last = idle.transition_worker_to_parked(0, true);
                assert!(last);
                fence(SeqCst);
                if queued.load(Ordering::Relaxed) {
                    // Re-check found work: wake a worker (possibly ourselves).
                    if let Some(w) = idle.worker_to_notify() {
                        assert_eq!(w, 0);
                        unparker.unpark();
                    }
                }
                // Park until removed from the sleepers list by a notifier.
                while idle.is_parked(0) {
                    parker.park();
                }
                found = queued.load(Ordering::Relaxed);
            }
            producer.join().unwrap();
            assert!(found, "worker woke up without seeing the work");
        });
    }

    /// A searcher that finds work while being the last searcher hands the search on, so a
    /// producer that skipped notifying (because a search was running) is not lost.
    #[test]
    fn last_searcher_hands_off() {
        loom::model(|| {
            let idle = Arc::new(Idle::new(2));
            // Worker 1 parked; worker 0 searching.
            assert!(!idle.transition_worker_to_parked(1, false));
            assert!(idle.transition_worker_to_searching());
            let woke = Arc::new(AtomicBool::new(false));
            let producer = {
                let (idle, woke) = (idle.clone(), woke.clone());
                loom::thread::spawn(move || {
                    fence(SeqCst);
                    if idle.worker_to_notify().is_some() {
                        woke.store(true, Ordering::Relaxed);
                    }
                })
            };
            // Worker 0 found other work and stops searching.
            let mut handed_off = false;
            if idle.transition_worker_from_searching() {
                handed_off = idle.worker_to_notify().is_some();
            }
            producer.join().unwrap();
            // Someone woke worker 1: the producer (if it saw no searcher) or the hand-off.
            assert!(woke.load(Ordering::Relaxed) || handed_off);
        });
    }
}

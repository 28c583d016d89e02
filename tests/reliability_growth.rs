//! Issue 12, defect 5: no unbounded growth. Live heap bytes (a counting global allocator)
//! must return near their baseline after a burst, and must not grow with the number of
//! wake-ups. Each scenario runs alone in a child process (`reliability_common`), so no
//! other test allocates while it measures. Bounds are generous: a few hundred KiB, where
//! the defects retain megabytes.
//!
//! All fixed (results before and after in `tests/RELIABILITY_PLAN.md`): none is ignored,
//! they run in `cargo test`.
mod reliability_common;

use reliability_common::{multi_thread_without_drivers, watchdog_test};
use robin::runtime::Builder;
use std::alloc::{GlobalAlloc, Layout, System};
use std::future::Future;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::Duration;

/// Counts the bytes currently allocated, then defers to the system allocator.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged (so
// `System`'s guarantees are ours); the counter is a side effect that allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded from the caller, who upholds `alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller: `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded from the caller, who upholds `alloc_zeroed`'s contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded from the caller, who upholds `realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// A multi-thread runtime with one worker and the I/O driver only.
fn one_worker_with_io() -> robin::runtime::Runtime {
    Builder::new_multi_thread()
        .worker_threads(1)
        .enable_io()
        .build()
        .unwrap()
}

const KIB: isize = 1024;
const BOUND: Duration = Duration::from_secs(60);

/// Fails unless `after` is within `slack` bytes of `base`.
fn assert_near(what: &str, base: isize, after: isize, slack: isize) {
    let grown = after - base;
    assert!(
        grown <= slack,
        "{what}: live heap grew by {} KiB (baseline {} KiB, after {} KiB; allowed {} KiB)",
        grown / KIB,
        base / KIB,
        after / KIB,
        slack / KIB
    );
}

watchdog_test! {
    fn current_thread_core_waiters_stay_bounded(BOUND, "hang: second block_on caller") {
        let rt = Arc::new(Builder::new_current_thread().build().unwrap());
        let (entered_tx, entered_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = robin::sync::oneshot::channel::<()>();
        // This thread takes the core and keeps it.
        let holder = {
            let rt = rt.clone();
            std::thread::spawn(move || {
                rt.block_on(async move {
                    entered_tx.send(()).unwrap();
                    release_rx.await.ok()
                })
            })
        };
        entered_rx.recv().unwrap();
        // A second `block_on` caller whose future wakes itself over and over.
        rt.block_on(async {
            for _ in 0..1_000 {
                robin::task::yield_now().await;
            }
            let base = live();
            for _ in 0..100_000 {
                robin::task::yield_now().await;
            }
            assert_near(
                "100k wake-ups of a second block_on caller (core_waiters)",
                base,
                live(),
                256 * KIB,
            );
        });
        release_tx.send(()).unwrap();
        holder.join().unwrap();
    }
}

/// A waker that is a fresh allocation each time (not pointer-stable across polls).
struct Fresh;

impl Wake for Fresh {
    fn wake(self: Arc<Self>) {}
}

watchdog_test! {
    fn io_waiter_list_stays_bounded_with_fresh_wakers(BOUND, "hang: polling a readable() future") {
        let rt = one_worker_with_io();
        rt.block_on(async {
            // Nothing is ever sent: `a` never becomes readable.
            let (a, _b) = robin::net::UnixDatagram::pair().unwrap();
            let mut readable = Box::pin(a.readable());
            let mut poll_fresh = |n: usize| {
                for _ in 0..n {
                    let waker = Waker::from(Arc::new(Fresh));
                    let mut cx = Context::from_waker(&waker);
                    assert!(readable.as_mut().poll(&mut cx).is_pending());
                }
            };
            poll_fresh(1_000);
            let base = live();
            // The future owns one waiter node and replaces its waker there: O(1) a poll
            // (the old list scanned every entry with `will_wake`: 100k took minutes).
            poll_fresh(100_000);
            assert_near(
                "one readable() future polled 100k times, each with a new waker (I/O waiter list)",
                base,
                live(),
                256 * KIB,
            );
        });
    }
}

watchdog_test! {
    fn join_set_memory_returns_near_baseline_after_a_burst(BOUND, "hang: JoinSet burst") {
        let rt = multi_thread_without_drivers(2);
        rt.block_on(async {
            let mut set = robin::task::JoinSet::new();
            async fn burst(set: &mut robin::task::JoinSet<usize>, n: usize) {
                for i in 0..n {
                    set.spawn(async move { i });
                }
                let mut sum = 0;
                while let Some(r) = set.join_next().await {
                    sum += r.unwrap();
                }
                assert_eq!(sum, n * (n - 1) / 2);
            }
            burst(&mut set, 1_000).await;
            let base = live();
            burst(&mut set, 100_000).await;
            assert!(set.is_empty());
            assert_near(
                "an empty JoinSet after a burst of 100k tasks (slots, ready list)",
                base,
                live(),
                256 * KIB,
            );
        });
    }
}

watchdog_test! {
    fn io_slab_shrinks_after_a_burst_of_registrations(BOUND, "hang: registering sockets") {
        let nofile = robin_test_support::raise_nofile_limit();
        // Two descriptors (two registrations) per pair; leave room for the rest.
        let pairs = usize::try_from(nofile.saturating_sub(512) / 2)
            .unwrap()
            .min(50_000);
        assert!(pairs >= 4_000, "need at least 8k descriptors, have {nofile}");
        let rt = one_worker_with_io();
        rt.block_on(async {
            let burst = |n: usize| {
                let all: Vec<_> = (0..n)
                    .map(|_| robin::net::UnixDatagram::pair().unwrap())
                    .collect();
                drop(all);
            };
            burst(100);
            let base = live();
            burst(pairs);
            assert_near(
                &format!(
                    "after {} registrations were all dropped (I/O slab)",
                    2 * pairs
                ),
                base,
                live(),
                128 * KIB,
            );
        });
    }
}

watchdog_test! {
    /// Same class as defect 5 (found while writing the above): the current-thread
    /// scheduler's local `VecDeque` run queue keeps the capacity of its largest burst.
    fn current_thread_run_queue_shrinks_after_a_burst(BOUND, "hang: current-thread burst") {
        let rt = Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            async fn burst(n: usize) {
                let handles: Vec<_> = (0..n).map(|i| robin::spawn(async move { i })).collect();
                let mut sum = 0;
                for h in handles {
                    sum += h.await.unwrap();
                }
                assert_eq!(sum, n * (n - 1) / 2);
            }
            burst(1_000).await;
            let base = live();
            burst(100_000).await;
            assert_near(
                "a current-thread runtime after a burst of 100k spawned tasks (run queue)",
                base,
                live(),
                256 * KIB,
            );
        });
    }
}

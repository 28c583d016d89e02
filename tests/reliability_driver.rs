//! Issue 12, defect 3: the driver, worker and start-up paths must survive anything safe
//! code can do. A waker that panics in `wake`, `clone` or `drop` must not kill the driver
//! thread or poison its locks (timers and sockets keep working afterwards); a worker
//! thread that cannot be started makes `build()` fail; a panicking thread-start hook
//! must not strand a worker's core.
//!
//! Every scenario runs in a child process under a bound (`reliability_common`): a dead
//! driver shows up as a wait that never ends, which the bound turns into a clear failure.
//! All fixed (results before and after in `tests/RELIABILITY_PLAN.md`): none is ignored,
//! they run in `cargo test`.
mod reliability_common;

use reliability_common::{poll_once, tcp_round_trip, trap_waker, watchdog_test, Mode};
use robin::runtime::Builder;
use robin_test_support::{current_thread, multi_thread};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(20);

/// After the trap: timers and sockets of the same runtime still work.
async fn driver_still_works() {
    robin::time::sleep(Duration::from_millis(10)).await;
    tcp_round_trip().await;
    robin::time::sleep(Duration::from_millis(10)).await;
}

/// After a trap in a sleep's waker: the driver still works, dropping that sleep does not
/// panic (no lock was left poisoned), and the driver still works after the drop.
async fn drop_after_the_trap(sleep: std::pin::Pin<Box<robin::time::Sleep>>) {
    driver_still_works().await;
    let dropped = catch_unwind(AssertUnwindSafe(move || drop(sleep)));
    assert!(
        dropped.is_ok(),
        "dropping the sleep panicked (poisoned lock)"
    );
    driver_still_works().await;
}

watchdog_test! {
    fn driver_survives_a_timer_waker_panicking_in_wake(
        BOUND,
        "hang: a waker panicking in wake() killed the driver thread; later timers and sockets never fire",
    ) {
        multi_thread(2).block_on(async {
            let (waker, trap) = trap_waker(Mode::Wake);
            let mut sleep = Box::pin(robin::time::sleep(Duration::from_millis(5)));
            assert!(poll_once(sleep.as_mut(), &waker).is_pending());
            assert!(
                trap.wait(Duration::from_secs(10)),
                "the driver never woke the sleep's waker"
            );
            driver_still_works().await;
        });
    }
}

watchdog_test! {
    /// On a current-thread runtime the driver turns on the `block_on` thread: a waker that
    /// panics there must not unwind out of `block_on` (the caller did nothing wrong).
    fn current_thread_driver_survives_a_timer_waker_panicking_in_wake(
        BOUND,
        "hang: a waker panicking in wake() on a current-thread runtime",
    ) {
        let rt = current_thread();
        let (waker, trap) = trap_waker(Mode::Wake);
        let out = catch_unwind(AssertUnwindSafe(|| {
            rt.block_on(async {
                let mut sleep = Box::pin(robin::time::sleep(Duration::from_millis(5)));
                assert!(poll_once(sleep.as_mut(), &waker).is_pending());
                // The driver turns while this sleeps, and wakes the trap first.
                robin::time::sleep(Duration::from_millis(20)).await;
                driver_still_works().await;
            })
        }));
        assert!(trap.is_sprung(), "the driver never woke the trap waker");
        assert!(
            out.is_ok(),
            "a waker panicking in wake() unwound out of block_on on a current-thread runtime"
        );
    }
}

watchdog_test! {
    fn driver_survives_an_io_waker_panicking_in_wake(
        BOUND,
        "hang: an I/O waker panicking in wake() killed the driver thread; later timers and sockets never fire",
    ) {
        multi_thread(2).block_on(async {
            let listener = robin::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (waker, trap) = trap_waker(Mode::Wake);
            let mut accept = Box::pin(listener.accept());
            assert!(poll_once(accept.as_mut(), &waker).is_pending());
            let client = std::net::TcpStream::connect(addr).unwrap();
            assert!(
                trap.wait(Duration::from_secs(10)),
                "the driver never woke the accept's waker"
            );
            drop(client);
            driver_still_works().await;
        });
    }
}

watchdog_test! {
    fn timers_survive_a_waker_panicking_in_clone(
        BOUND,
        "hang: a waker panicking in clone() (under the timer's lock) broke the timer driver",
    ) {
        multi_thread(2).block_on(async {
            let (waker, trap) = trap_waker(Mode::Clone);
            let mut sleep = Box::pin(robin::time::sleep(Duration::from_millis(5)));
            // The timer stores a clone of the waker: the clone panics, here, in our poll.
            let polled = catch_unwind(AssertUnwindSafe(|| poll_once(sleep.as_mut(), &waker)));
            assert!(
                polled.is_err() && trap.is_sprung(),
                "the clone did not panic"
            );
            // Its deadline passes; the runtime's timers must still work, and dropping the
            // sleep must not panic.
            drop_after_the_trap(sleep).await;
        });
    }
}

watchdog_test! {
    fn timers_survive_a_waker_panicking_in_drop(
        BOUND,
        "hang: a waker panicking in drop() (under the timer's lock) broke the timer driver",
    ) {
        multi_thread(2).block_on(async {
            let (waker, trap) = trap_waker(Mode::Drop);
            let mut sleep = Box::pin(robin::time::sleep(Duration::from_millis(20)));
            assert!(poll_once(sleep.as_mut(), &waker).is_pending());
            // Polled with another waker: the stored clone of the trap is replaced (dropped).
            let other = futures::task::noop_waker();
            let _ = catch_unwind(AssertUnwindSafe(|| poll_once(sleep.as_mut(), &other)));
            assert!(
                trap.is_sprung(),
                "the stored waker was not dropped on re-poll"
            );
            // Our own copy may never be dropped again (the trap is spent, but be exact).
            std::mem::forget(waker);
            drop_after_the_trap(sleep).await;
        });
    }
}

watchdog_test! {
    fn io_driver_survives_a_waker_panicking_in_clone(
        BOUND,
        "hang: a waker panicking in clone() (under an I/O resource's waiter lock) broke the I/O driver",
    ) {
        multi_thread(2).block_on(async {
            let listener = robin::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let (waker, trap) = trap_waker(Mode::Clone);
            let mut accept = Box::pin(listener.accept());
            // The resource stores a clone of the waker under its waiter lock: it panics.
            let polled = catch_unwind(AssertUnwindSafe(|| poll_once(accept.as_mut(), &waker)));
            assert!(
                polled.is_err() && trap.is_sprung(),
                "the clone did not panic"
            );
            // An event for that resource, then ordinary I/O and timers.
            let client = std::net::TcpStream::connect(addr).unwrap();
            driver_still_works().await;
            drop(client);
            drop(accept);
            drop(listener);
            driver_still_works().await;
        });
    }
}

watchdog_test! {
    /// A worker thread that cannot be spawned must make `build()` fail. Provoked with an
    /// address-space limit in a child process: room for one worker's 1 GiB stack, not four.
    fn failed_worker_thread_spawn_fails_build(
        BOUND,
        "hang: building a runtime whose worker threads cannot all start",
        // One malloc arena: per-thread arenas would reserve address space of their own.
        env: &[("MALLOC_ARENA_MAX", "1")],
    ) {
        const GIB: u64 = 1 << 30;
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let vm_kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmSize:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmSize in /proc/self/status");
        let limit = vm_kib * 1024 + GIB + GIB / 2;
        let lim = libc::rlimit {
            rlim_cur: limit,
            rlim_max: limit,
        };
        // SAFETY: `lim` is a valid rlimit; lowering our own limit needs no privilege.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &lim) }, 0);
        // A plain thread with such a stack fits once and not twice: the premise holds.
        let probe = std::thread::Builder::new()
            .stack_size(GIB as usize)
            .spawn(|| ());
        assert!(
            probe.is_ok(),
            "premise: one 1 GiB thread fits under the limit"
        );
        probe.unwrap().join().unwrap();
        let res = Builder::new_multi_thread()
            .worker_threads(4)
            .thread_stack_size(GIB as usize)
            .build();
        assert!(
            res.is_err(),
            "build() returned Ok although at most one of its 4 worker threads (1 GiB stacks) could start"
        );
    }
}

watchdog_test! {
    /// A panic outside any task poll on a worker thread (here: the thread-start hook, once)
    /// must not lose that worker's core: either `build()` reports it, or the runtime runs
    /// tasks and shuts down. Never a hang.
    fn worker_thread_panicking_in_start_hook_does_not_strand_its_core(
        BOUND,
        "hang: a worker thread died outside a task poll (its start hook panicked) and its core was lost",
    ) {
        let first = AtomicBool::new(true);
        let rt = Builder::new_multi_thread()
            .worker_threads(1)
            .on_thread_start(move || {
                if first.swap(false, Ordering::SeqCst) {
                    panic!("on_thread_start panics once, on purpose");
                }
            })
            .build();
        match rt {
            Err(err) => eprintln!("build() reported the failed worker: {err}"),
            Ok(rt) => {
                assert_eq!(rt.block_on(rt.spawn(async { 7 })).unwrap(), 7);
                drop(rt);
            }
        }
    }
}

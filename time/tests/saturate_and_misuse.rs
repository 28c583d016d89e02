//! Deadlines far in the future saturate (never an `Instant` overflow panic), the tokio
//! `Interval` methods (`reset_after`, `reset_at`), and timers created outside a runtime
//! panic at the caller with a clear message, as tokio's do.
use robin_runtime::runtime::Builder;
use robin_test_support::paused;
use robin_time::{self as time, Duration, Instant, MissedTickBehavior};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

const HOUR: Duration = Duration::from_secs(3600);

/// The interval's second tick must not come in the next hour of (paused) time.
async fn next_tick_is_far(iv: &mut time::Interval) {
    assert!(
        time::timeout(HOUR, iv.tick()).await.is_err(),
        "a Duration::MAX interval ticked twice"
    );
}

#[test]
fn interval_of_duration_max_ticks_once_then_never() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut iv = time::interval(Duration::MAX);
        assert_eq!(iv.tick().await, start);
        next_tick_is_far(&mut iv).await;
        assert_eq!(iv.period(), Duration::MAX);
    });
}

#[test]
fn interval_of_duration_max_saturates_for_every_missed_tick_behavior() {
    for behavior in [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        let rt = paused();
        rt.block_on(async {
            let mut iv = time::interval(Duration::MAX);
            iv.set_missed_tick_behavior(behavior);
            // Observe the first tick late, so the missed-tick policy computes the next one.
            robin_runtime::time::advance_clock(Duration::from_millis(50));
            iv.tick().await;
            next_tick_is_far(&mut iv).await;
        });
    }
}

#[test]
fn interval_resets_with_huge_durations_saturate() {
    let rt = paused();
    rt.block_on(async {
        let mut iv = time::interval(Duration::MAX);
        iv.tick().await;
        iv.reset();
        next_tick_is_far(&mut iv).await;
        iv.reset_after(Duration::MAX);
        next_tick_is_far(&mut iv).await;
        // And the schedule still works afterwards.
        let now = Instant::now();
        iv.reset_immediately();
        assert_eq!(iv.tick().await, now);
    });
}

#[test]
fn far_sleep_and_timeout_saturate() {
    let rt = paused();
    rt.block_on(async {
        let sleep = time::sleep(Duration::MAX);
        assert!(sleep.deadline() > Instant::now() + HOUR * 24 * 365);
        assert!(time::timeout(HOUR, sleep).await.is_err());
        let ok = time::timeout(Duration::MAX, async { 3 }).await;
        assert_eq!(ok, Ok(3));
    });
}

#[test]
fn reset_after_and_reset_at_move_the_next_tick() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut iv = time::interval(Duration::from_secs(10));
        assert_eq!(iv.tick().await, start);
        iv.reset_after(Duration::from_secs(3));
        assert_eq!(iv.tick().await, start + Duration::from_secs(3));
        assert_eq!(iv.tick().await, start + Duration::from_secs(13));
        // Into the past: the next tick is due at once (and, being late, the default
        // `Burst` policy then catches up one period after it).
        let now = Instant::now();
        assert_eq!(now, start + Duration::from_secs(13));
        iv.reset_at(start);
        assert_eq!(iv.tick().await, start);
        assert_eq!(iv.tick().await, start + Duration::from_secs(10));
        assert_eq!(Instant::now(), now, "both were due at once");
        iv.reset_at(now + Duration::from_secs(100));
        assert_eq!(iv.tick().await, now + Duration::from_secs(100));
    });
}

/// Runs `f`, expecting a panic; returns its message and the file:line it was reported at.
fn panic_site(f: impl FnOnce()) -> (String, String) {
    static SITE: Mutex<Option<(std::thread::ThreadId, String)>> = Mutex::new(None);
    // The hook is process-wide: one caller at a time swaps it.
    static SERIAL: Mutex<()> = Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let prev = panic::take_hook();
    panic::set_hook(Box::new(|info| {
        if let Some(loc) = info.location() {
            *SITE.lock().unwrap() = Some((
                std::thread::current().id(),
                format!("{}:{}", loc.file(), loc.line()),
            ));
        }
    }));
    let err = panic::catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    panic::set_hook(prev);
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    let site = SITE.lock().unwrap().take();
    let site = match site {
        Some((thread, site)) if thread == std::thread::current().id() => site,
        _ => String::new(),
    };
    (msg, site)
}

#[test]
fn timers_outside_a_runtime_panic_at_the_caller() {
    let this_file = file!();
    type Case = (&'static str, Box<dyn FnOnce()>);
    let cases: Vec<Case> = vec![
        (
            "sleep",
            Box::new(|| drop(time::sleep(Duration::from_secs(1)))),
        ),
        (
            "sleep_until",
            Box::new(|| drop(time::sleep_until(Instant::now()))),
        ),
        (
            "interval",
            Box::new(|| drop(time::interval(Duration::from_secs(1)))),
        ),
        (
            "interval_at",
            Box::new(|| drop(time::interval_at(Instant::now(), Duration::from_secs(1)))),
        ),
    ];
    for (what, f) in cases {
        let (msg, site) = panic_site(f);
        assert!(
            msg.contains("no robin runtime running") && msg.contains("Runtime::enter"),
            "{what}: {msg}"
        );
        assert!(
            site.starts_with(this_file),
            "{what}: panic reported at {site}"
        );
    }
}

#[test]
fn timeout_checks_the_runtime_at_the_call_as_tokio() {
    // tokio's `timeout` panics at the call outside a runtime (it computes the deadline
    // and binds there), so `rt.block_on(timeout(d, f))` panics...
    let this_file = file!();
    let rt = paused();
    let (msg, site) = panic_site(|| {
        let _ = rt.block_on(time::timeout(Duration::from_secs(1), async { 5 }));
    });
    assert!(msg.contains("no robin runtime running"), "{msg}");
    assert!(
        site.starts_with(this_file),
        "timeout: panic reported at {site}"
    );
    let (msg, site) = panic_site(|| drop(time::timeout_at(Instant::now(), async {})));
    assert!(msg.contains("no robin runtime running"), "{msg}");
    assert!(
        site.starts_with(this_file),
        "timeout_at: panic reported at {site}"
    );
    // ...while created inside the runtime it works.
    assert_eq!(
        rt.block_on(async { time::timeout(Duration::from_secs(1), async { 5 }).await }),
        Ok(5)
    );
    // The deadline is fixed at the call, not at the first poll.
    rt.block_on(async {
        let start = Instant::now();
        let t = time::timeout(Duration::from_secs(2), std::future::pending::<()>());
        time::sleep(Duration::from_secs(1)).await;
        assert!(t.await.is_err());
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    });
    // Created in the runtime (entered) and polled elsewhere, a ready future still wins
    // without needing the timer.
    let ready = {
        let _guard = rt.enter();
        time::timeout(Duration::from_secs(1), async { 5 })
    };
    assert_eq!(futures::executor::block_on(ready), Ok(5));
}

#[test]
fn rt_block_on_of_a_sleep_panics_as_in_tokio() {
    // The sleep is created before `block_on` enters the runtime.
    let rt = paused();
    let (msg, _) = panic_site(|| rt.block_on(time::sleep(Duration::from_millis(1))));
    assert!(msg.contains("no robin runtime running"), "{msg}");
    // Created inside the runtime, it is fine.
    rt.block_on(async { time::sleep(Duration::from_millis(1)).await });
}

#[test]
fn timers_on_a_runtime_without_the_time_driver_name_the_fix() {
    let rt = Builder::new_current_thread().build().unwrap();
    let _guard = rt.enter();
    let (msg, site) = panic_site(|| drop(time::sleep(Duration::from_secs(1))));
    assert!(msg.contains("enable_time"), "{msg}");
    assert!(site.starts_with(file!()), "reported at {site}");
}

#[test]
fn error_kinds_match_tokio() {
    use time::error::Error;
    let all = [Error::shutdown(), Error::at_capacity(), Error::invalid()];
    let flags: Vec<_> = all
        .iter()
        .map(|e| (e.is_shutdown(), e.is_at_capacity(), e.is_invalid()))
        .collect();
    assert_eq!(
        flags,
        vec![
            (true, false, false),
            (false, true, false),
            (false, false, true)
        ]
    );
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(Error::at_capacity());
    assert!(boxed.to_string().contains("capacity"));
}

#[test]
fn advance_by_less_than_a_millisecond_fires_nothing_due_later() {
    // A 1 ms sleep must not fire when the paused clock moves by 250 µs: `advance`
    // waits for the timers due by the new time, and that wait must not round up to the
    // wheel's next millisecond (the paused clock would then jump there).
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut one_ms = Box::pin(time::sleep(Duration::from_millis(1)));
        // File it in the wheel.
        assert!(futures_poll_once(one_ms.as_mut()).await.is_pending());
        time::advance(Duration::from_micros(250)).await;
        assert_eq!(start.elapsed(), Duration::from_micros(250));
        assert!(!one_ms.is_elapsed(), "a 1 ms sleep fired after 250 µs");
        time::advance(Duration::from_micros(750)).await;
        assert_eq!(start.elapsed(), Duration::from_millis(1));
        assert!(futures_poll_once(one_ms.as_mut()).await.is_ready());
    });
}

#[test]
fn advance_fires_what_is_due_by_the_new_time() {
    let rt = paused();
    rt.block_on(async {
        let start = Instant::now();
        let mut sleeps: Vec<_> = [1u64, 5, 9]
            .iter()
            .map(|ms| Box::pin(time::sleep(Duration::from_millis(*ms))))
            .collect();
        for s in &mut sleeps {
            assert!(futures_poll_once(s.as_mut()).await.is_pending());
        }
        time::advance(Duration::from_micros(5_500)).await;
        assert_eq!(start.elapsed(), Duration::from_micros(5_500));
        let fired: Vec<bool> = sleeps.iter().map(|s| s.is_elapsed()).collect();
        assert_eq!(fired, [true, true, false]);
    });
}

async fn futures_poll_once(mut f: std::pin::Pin<&mut time::Sleep>) -> std::task::Poll<()> {
    use std::future::Future;
    std::future::poll_fn(|cx| std::task::Poll::Ready(f.as_mut().poll(cx))).await
}

#[test]
fn types_are_send_sync_unpin_as_tokio_needs() {
    fn send_sync<T: Send + Sync>() {}
    fn unpin<T: Unpin>() {}
    send_sync::<time::Sleep>();
    send_sync::<time::Interval>();
    send_sync::<time::Timeout<std::future::Ready<()>>>();
    send_sync::<time::Instant>();
    send_sync::<time::error::Error>();
    send_sync::<time::error::Elapsed>();
    // tokio's `Interval` is `Unpin`; robin's `Sleep` is too (tokio's is not, so code
    // written for tokio pins it anyway).
    unpin::<time::Interval>();
    unpin::<time::Sleep>();
}

//! `robin::time` through the facade, spelled as a tokio program spells `tokio::time`.
//!
//! Covers every public item of `robin::time` (robin-time's lib.rs and the modules it
//! re-exports): `sleep`, `sleep_until`, `Sleep` (`deadline`, `is_elapsed`, `reset`),
//! `timeout`, `timeout_at`, `Timeout` (`get_ref`, `get_mut`, `into_inner`),
//! `error::Elapsed` (+ `From<Elapsed> for io::Error`), `error::Error` (`shutdown`,
//! `at_capacity`, `invalid` and their `is_*`), `Instant` (every method and operator),
//! `interval`, `interval_at`, `Interval` (`tick`, `poll_tick`, `reset*`, `period`,
//! missed-tick getters/setters), `MissedTickBehavior` (`Burst`, `Delay`, `Skip`),
//! `Duration`, `pause`, `resume`, `advance`, and robin's own `num_timers`.
//! Time is observed on a paused clock only: no assertion depends on the machine's speed.
//! Left to robin-time's own tests: the timer wheel's internals (levels, cascading).
use std::future::Future;
use std::pin::pin;
use std::task::Poll;

use robin::time::error::{Elapsed, Error as TimeError};
use robin::time::{
    advance, interval, interval_at, pause, resume, sleep, sleep_until, timeout, timeout_at,
    Duration, Instant, Interval, MissedTickBehavior, Sleep, Timeout,
};

const MS: Duration = Duration::from_millis(1);

/// Polls `fut` once; `true` if it completed.
async fn poll_once<F: Future>(fut: std::pin::Pin<&mut F>) -> bool {
    let mut fut = fut;
    std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await
}

#[robin::test(start_paused = true)]
async fn sleep_completes_at_its_deadline_on_a_paused_clock() {
    let start = Instant::now();
    sleep(Duration::from_secs(3600)).await;
    assert!(start.elapsed() >= Duration::from_secs(3600));
    // A zero sleep completes (tokio: it still yields once, but completes).
    sleep(Duration::ZERO).await;
}

#[robin::test(start_paused = true)]
async fn sleep_until_deadline_is_elapsed_and_reset() {
    let start = Instant::now();
    let deadline = start + 10 * MS;
    let mut s: std::pin::Pin<&mut Sleep> = pin!(sleep_until(deadline));
    assert_eq!(s.deadline(), deadline);
    assert!(!s.is_elapsed());
    assert!(!poll_once(s.as_mut()).await);
    // reset moves the deadline (tokio: "Resets the Sleep instance to a new deadline").
    s.as_mut().reset(start + 20 * MS);
    assert_eq!(s.deadline(), start + 20 * MS);
    advance(15 * MS).await;
    assert!(
        !poll_once(s.as_mut()).await,
        "the old deadline no longer fires"
    );
    advance(5 * MS).await;
    assert!(poll_once(s.as_mut()).await);
    assert!(s.is_elapsed());
    // A deadline in the past completes at once.
    sleep_until(start).await;
}

#[robin::test(start_paused = true)]
async fn sleep_duration_max_does_not_panic() {
    // tokio: durations beyond the wheel's range are clamped, not a panic.
    let mut s = pin!(sleep(Duration::MAX));
    assert!(!poll_once(s.as_mut()).await);
    advance(Duration::from_secs(86400)).await;
    assert!(!poll_once(s.as_mut()).await);
}

#[robin::test(start_paused = true)]
async fn timeout_elapsed_and_ok() {
    let r: Result<(), Elapsed> = timeout(Duration::from_secs(1), std::future::pending()).await;
    let e = r.unwrap_err();
    assert!(!e.to_string().is_empty());
    let io: std::io::Error = e.into();
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);

    assert_eq!(timeout(Duration::from_secs(1), async { 5 }).await, Ok(5));
    // tokio polls the future before the deadline: a ready future wins even at zero.
    assert_eq!(timeout(Duration::ZERO, async { 6 }).await, Ok(6));
    // Duration::MAX is accepted.
    assert_eq!(timeout(Duration::MAX, async { 7 }).await, Ok(7));
    // A future that finishes before the deadline.
    let got = timeout(Duration::from_secs(2), async {
        sleep(Duration::from_secs(1)).await;
        8
    })
    .await;
    assert_eq!(got, Ok(8));
    // ... and one that finishes after it.
    let got = timeout(Duration::from_secs(1), sleep(Duration::from_secs(2))).await;
    assert!(got.is_err());
}

#[robin::test(start_paused = true)]
async fn timeout_at_and_timeout_accessors() {
    let deadline = Instant::now() + Duration::from_secs(1);
    assert!(timeout_at(deadline, std::future::pending::<()>())
        .await
        .is_err());
    assert!(Instant::now() >= deadline);
    let past = Instant::now() - Duration::from_secs(1);
    assert_eq!(timeout_at(past, async { 1 }).await, Ok(1));

    let mut t: Timeout<std::future::Ready<u8>> =
        timeout(Duration::from_secs(1), std::future::ready(3));
    let _: &std::future::Ready<u8> = t.get_ref();
    let inner_mut: &mut std::future::Ready<u8> = t.get_mut();
    assert_eq!(std::pin::Pin::new(inner_mut).await, 3);
    let _inner: std::future::Ready<u8> = t.into_inner();
}

#[robin::test(start_paused = true)]
async fn interval_first_tick_is_immediate_then_every_period() {
    let start = Instant::now();
    let mut iv: Interval = interval(10 * MS);
    assert_eq!(iv.period(), 10 * MS);
    assert_eq!(iv.missed_tick_behavior(), MissedTickBehavior::Burst);
    assert_eq!(iv.tick().await, start);
    assert_eq!(iv.tick().await, start + 10 * MS);
    assert_eq!(iv.tick().await, start + 20 * MS);
    assert_eq!(Instant::now(), start + 20 * MS);
}

#[robin::test]
#[should_panic]
async fn interval_zero_period_panics() {
    // tokio: "This function panics if period is zero."
    let _ = interval(Duration::ZERO);
}

#[test]
fn missed_tick_behavior_default_is_burst() {
    assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
    let b = MissedTickBehavior::Skip;
    let c = b; // Copy
    assert_eq!(format!("{c:?}"), "Skip");
}

async fn after_missing(behavior: MissedTickBehavior) -> (Instant, Vec<Duration>) {
    let start = Instant::now();
    let mut iv = interval_at(start, 10 * MS);
    iv.set_missed_tick_behavior(behavior);
    assert_eq!(iv.missed_tick_behavior(), behavior);
    assert_eq!(iv.tick().await, start);
    advance(35 * MS).await; // now = start + 35: ticks at 10, 20, 30 were missed
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(iv.tick().await - start);
    }
    (start, got)
}

#[robin::test(start_paused = true)]
async fn missed_tick_burst_delay_skip() {
    // Burst: the missed ticks fire at once, then the schedule resumes (10, 20, 30, 40).
    let (_, got) = after_missing(MissedTickBehavior::Burst).await;
    assert_eq!(got, vec![10 * MS, 20 * MS, 30 * MS, 40 * MS]);
    // Delay: one tick now (its scheduled instant is returned), then every period from now.
    let (_, got) = after_missing(MissedTickBehavior::Delay).await;
    assert_eq!(got, vec![10 * MS, 45 * MS, 55 * MS, 65 * MS]);
    // Skip: one tick now, then the next multiple of the period after now.
    let (_, got) = after_missing(MissedTickBehavior::Skip).await;
    assert_eq!(got, vec![10 * MS, 40 * MS, 50 * MS, 60 * MS]);
}

#[robin::test(start_paused = true)]
async fn interval_reset_variants_and_poll_tick() {
    let start = Instant::now();
    let mut iv = interval_at(start, 10 * MS);
    assert_eq!(iv.tick().await, start);
    advance(3 * MS).await;
    // reset: the next tick is one period from now.
    iv.reset();
    assert_eq!(iv.tick().await, start + 13 * MS);
    // reset_immediately: the next tick is now.
    iv.reset_immediately();
    assert_eq!(iv.tick().await, start + 13 * MS);
    // reset_after: after the given duration.
    iv.reset_after(2 * MS);
    assert_eq!(iv.tick().await, start + 15 * MS);
    // reset_at: at the given instant.
    iv.reset_at(start + 100 * MS);
    let ready = std::future::poll_fn(|cx| Poll::Ready(iv.poll_tick(cx).is_ready())).await;
    assert!(!ready);
    assert_eq!(iv.tick().await, start + 100 * MS);
}

#[robin::test(start_paused = true)]
async fn interval_at_future_start() {
    let start = Instant::now() + Duration::from_secs(5);
    let mut iv = interval_at(start, Duration::from_secs(1));
    assert_eq!(iv.tick().await, start);
    assert_eq!(Instant::now(), start);
}

#[robin::test(start_paused = true)]
async fn instant_methods_and_operators() {
    let a = Instant::now();
    advance(Duration::from_secs(2)).await;
    let b = Instant::now();
    assert_eq!(b.duration_since(a), Duration::from_secs(2));
    assert_eq!(b - a, Duration::from_secs(2));
    assert_eq!(a.checked_duration_since(b), None);
    assert_eq!(b.checked_duration_since(a), Some(Duration::from_secs(2)));
    assert_eq!(a.saturating_duration_since(b), Duration::ZERO);
    // tokio: duration_since saturates to zero when `earlier` is later.
    assert_eq!(a.duration_since(b), Duration::ZERO);
    assert_eq!(a.elapsed(), Duration::from_secs(2));
    assert_eq!(a.checked_add(Duration::from_secs(2)), Some(b));
    assert_eq!(b.checked_sub(Duration::from_secs(2)), Some(a));
    assert_eq!(a.checked_add(Duration::MAX), None);
    let mut c = a;
    c += Duration::from_secs(2);
    assert_eq!(c, b);
    c -= Duration::from_secs(2);
    assert_eq!(c, a);
    assert_eq!(b - Duration::from_secs(2), a);
    assert!(a < b);
    let std_b: std::time::Instant = b.into_std();
    assert_eq!(Instant::from_std(std_b), b);
    let from: Instant = std_b.into();
    assert_eq!(from, b);
    let back: std::time::Instant = b.into();
    assert_eq!(back, std_b);
    assert!(!format!("{a:?}").is_empty());
}

#[test]
fn pause_resume_advance_on_an_explicit_runtime() {
    let rt = robin::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        pause();
        let start = Instant::now();
        advance(Duration::from_secs(10)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(10));
        // Auto-advance: a sleep on a paused, idle runtime completes at once.
        sleep(Duration::from_secs(5)).await;
        assert!(start.elapsed() >= Duration::from_secs(15));
        resume();
        // Once resumed the clock runs on from where it stood.
        assert!(start.elapsed() >= Duration::from_secs(15));
    });
}

#[robin::test(start_paused = true)]
#[should_panic]
async fn pause_twice_panics() {
    // tokio: "Panics if time is already frozen".
    pause();
}

#[robin::test]
#[should_panic]
async fn resume_when_not_paused_panics() {
    // tokio: "Panics if time is not frozen".
    resume();
}

#[robin::test(start_paused = true)]
async fn num_timers_counts_filed_sleeps() {
    let mut s = Box::pin(sleep(Duration::from_secs(60)));
    assert!(!poll_once(s.as_mut()).await);
    assert_eq!(robin::time::num_timers(), 1);
    drop(s);
    assert_eq!(robin::time::num_timers(), 0);
}

#[test]
fn time_error_constructors_and_predicates() {
    let s = TimeError::shutdown();
    assert!(s.is_shutdown() && !s.is_at_capacity() && !s.is_invalid());
    let c = TimeError::at_capacity();
    assert!(c.is_at_capacity() && !c.is_shutdown() && !c.is_invalid());
    let i = TimeError::invalid();
    assert!(i.is_invalid() && !i.is_shutdown() && !i.is_at_capacity());
    for e in [s, c, i] {
        assert!(!e.to_string().is_empty());
        let _: &dyn std::error::Error = &e;
    }
}

#[test]
#[should_panic]
fn sleep_outside_a_runtime_panics() {
    // tokio: creating a timer outside a runtime with the time driver panics.
    drop(sleep(Duration::from_secs(1)));
}

#[test]
fn duration_is_std_duration() {
    let d: std::time::Duration = Duration::from_millis(1500);
    assert_eq!(d.as_secs_f64(), 1.5);
}

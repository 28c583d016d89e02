//! The one timer robin-sync needs: [`Sleep`] for `mpsc::Sender::send_timeout`.
//!
//! robin-sync may not depend on robin's timer (robin-time depends on the runtime, which
//! depends on robin-sync), and it must work under any executor. So it keeps its own:
//! one lazily started thread (`robin-sync-timer`) that sleeps until the earliest deadline
//! of a `BTreeMap` of registered wakers and wakes the due ones, outside its lock. Nothing
//! runs on it until the first `send_timeout` actually has to wait.
//!
//! It measures real time (`std::time::Instant`): a paused robin clock does not affect
//! it. Not compiled under `--cfg loom` (like tokio's time-gated `send_timeout`): it uses
//! std's lock and condvar directly, bypassing the loom shim, because a wall-clock thread
//! is nothing loom could model.
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Condvar, Mutex, Once};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

type Key = (Instant, u64);

struct Timers {
    waiting: BTreeMap<Key, Waker>,
    next_id: u64,
}

static TIMERS: Mutex<Timers> = Mutex::new(Timers {
    waiting: BTreeMap::new(),
    next_id: 0,
});
static CHANGED: Condvar = Condvar::new();
static START: Once = Once::new();

fn lock() -> std::sync::MutexGuard<'static, Timers> {
    // No user code runs under this lock (wakers are cloned in, and woken or dropped
    // outside), so it is never poisoned in practice; ignore poisoning anyway.
    TIMERS.lock().unwrap_or_else(|e| e.into_inner())
}

fn run() {
    let mut t = lock();
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        while let Some(entry) = t.waiting.first_entry() {
            if entry.key().0 > now {
                break;
            }
            due.push(entry.remove());
        }
        if !due.is_empty() {
            drop(t);
            for w in due {
                w.wake();
            }
            t = lock();
            continue;
        }
        t = match t.waiting.keys().next() {
            Some(&(deadline, _)) => {
                let wait = deadline.saturating_duration_since(now);
                CHANGED
                    .wait_timeout(t, wait)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
            None => CHANGED.wait(t).unwrap_or_else(|e| e.into_inner()),
        };
    }
}

/// Completes once `duration` has passed (saturating: a far-future deadline never panics).
pub(crate) fn sleep(duration: Duration) -> Sleep {
    let now = Instant::now();
    // Far deadlines saturate at ~30 years instead of overflowing `Instant`.
    let deadline = now
        .checked_add(duration)
        .unwrap_or_else(|| now + Duration::from_secs(30 * 365 * 24 * 3600));
    Sleep {
        deadline,
        key: None,
    }
}

/// Future of [`sleep`]. Dropping it unregisters it.
pub(crate) struct Sleep {
    deadline: Instant,
    key: Option<Key>,
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.deadline {
            if let Some(key) = self.key.take() {
                let stale = lock().waiting.remove(&key);
                drop(stale);
            }
            return Poll::Ready(());
        }
        START.call_once(|| {
            // If the thread cannot be started, the sleep still completes when polled after
            // its deadline; but with no thread nothing would wake it, so fail loudly.
            std::thread::Builder::new()
                .name("robin-sync-timer".into())
                .spawn(run)
                .expect("robin-sync: failed to start the send_timeout timer thread");
        });
        let mut t = lock();
        let stale = match self.key {
            Some(key) => t.waiting.insert(key, cx.waker().clone()),
            None => {
                let key = (self.deadline, t.next_id);
                t.next_id += 1;
                self.key = Some(key);
                let earliest = t.waiting.keys().next().is_none_or(|k| key < *k);
                t.waiting.insert(key, cx.waker().clone());
                if earliest {
                    CHANGED.notify_one();
                }
                None
            }
        };
        drop(t);
        drop(stale);
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let stale = lock().waiting.remove(&key);
            drop(stale);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_completes_and_cancels() {
        futures::executor::block_on(sleep(Duration::from_millis(5)));
        // A dropped sleep leaves nothing registered.
        let mut s = Box::pin(sleep(Duration::from_secs(3600)));
        assert!(futures::FutureExt::now_or_never(&mut s).is_none());
        let key = s.key.expect("registered");
        drop(s);
        assert!(!lock().waiting.contains_key(&key));
        // A huge duration saturates instead of panicking.
        let mut far = Box::pin(sleep(Duration::MAX));
        assert!(futures::FutureExt::now_or_never(&mut far).is_none());
    }
}

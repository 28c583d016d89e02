//! Behaviour cases for robin-sync, each an `async fn()` that panics on failure.
//!
//! Runtime-agnostic on purpose: concurrency inside a case comes from `join`ing futures,
//! parallelism from OS threads each running `futures::executor::block_on`, and "is it
//! pending?" checks from polling once with a no-op waker. So any executor can run them
//! (see `tests/common/mod.rs`).
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

mod api;
mod channels;
mod defects;
mod locks;
mod notify;
mod semaphore;
mod stress;

pub use api::*;
pub use channels::*;
pub use defects::*;
pub use locks::*;
pub use notify::*;
pub use semaphore::*;
pub use stress::*;

/// Polls `f` once with a no-op waker.
pub fn poll_once<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

/// Whether polling once leaves `f` pending.
pub fn is_pending<F: Future + ?Sized>(f: Pin<&mut F>) -> bool {
    poll_once(f).is_pending()
}

/// Starts `f` on a new OS thread at once (with `futures::executor::block_on`); the returned
/// future awaits its result without blocking the calling executor.
pub fn on_thread<F>(f: F) -> impl Future<Output = F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (tx, rx) = futures::channel::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(futures::executor::block_on(f));
    });
    async move { rx.await.expect("case thread panicked") }
}

/// Starts `start(i)` on each of `n` new OS threads (as [`on_thread`]) and awaits them all.
pub async fn on_threads<Fut>(n: usize, start: impl FnMut(usize) -> Fut) -> Vec<Fut::Output>
where
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    futures::future::join_all((0..n).map(start).map(on_thread)).await
}

/// Invokes `$m!(<args> ; <every case name>)`.
#[macro_export]
macro_rules! all_cases {
    ($m:ident ! ( $($args:tt)* )) => {
        $crate::$m!( $($args)* ;
            // locks
            mutex_lock_try_lock_get_mut_into_inner,
            mutex_fifo_order,
            mutex_cancelled_waiter_hands_on,
            mutex_owned_guards,
            mutex_blocking_lock,
            mutex_debug_and_default,
            rwlock_readers_share_writer_excludes,
            rwlock_writer_not_starved_by_readers,
            rwlock_downgrade,
            rwlock_owned_guards,
            rwlock_cancelled_writer_lets_readers_in,
            rwlock_max_readers_and_blocking,
            // semaphore
            semaphore_basics,
            semaphore_large_request_not_starved,
            semaphore_close_fails_waiters,
            semaphore_cancel_returns_partial_permits,
            semaphore_owned_permits,
            semaphore_forget_merge_split,
            // notify / barrier
            notify_one_stores_single_permit,
            notify_waiters_wakes_created_futures_only,
            notify_enable_before_await,
            notify_one_is_fifo,
            notify_cancelled_waiter_forwards,
            notify_enable_then_drop_restores_permit,
            barrier_one_leader_per_round,
            barrier_zero_and_one,
            // mpsc
            mpsc_bounded_send_recv_capacity,
            mpsc_send_waits_for_room,
            mpsc_none_after_senders_dropped_and_drained,
            mpsc_close_keeps_buffer_and_permits,
            mpsc_reserve_and_permits,
            mpsc_cancelled_reserve_hands_slot_on,
            mpsc_sender_closed_future,
            mpsc_recv_many,
            mpsc_blocking_send_recv,
            mpsc_weak_senders,
            mpsc_receiver_drop_drops_messages,
            mpsc_unbounded_basics,
            mpsc_recv_cancel_safe,
            // oneshot
            oneshot_send_recv,
            oneshot_errors,
            oneshot_closed_and_close,
            oneshot_blocking_recv,
            // broadcast
            broadcast_every_receiver_sees_every_value,
            broadcast_lagged_receiver_continues,
            broadcast_closed_and_errors,
            broadcast_recv_waits_and_wakes,
            broadcast_counts_and_len,
            // watch
            watch_borrow_and_changed,
            watch_send_variants,
            watch_closed_and_errors,
            watch_wait_for,
            watch_subscribe_and_marks,
            // coop
            coop_budget_makes_resources_yield,
            // added APIs (issue 14)
            statics_from_const_constructors,
            once_cell_single_initializer,
            set_once_wait_and_set,
            mutex_unsized_and_mapped_guards,
            rwlock_mapped_guards,
            mpsc_reserve_many_permit_iterator,
            mpsc_sender_counts_everywhere,
            mpsc_poll_recv_many_and_send_timeout,
            broadcast_sender_api,
            watch_sender_clone_default_count,
            oneshot_terminated_and_empty,
            notify_last_and_owned,
            // regressions (issue 12)
            broadcast_panicking_clone_loses_nothing,
            wakers_never_dropped_under_a_lock,
            mpsc_reserve_fails_after_close_while_waiting,
            every_future_consumes_budget,
            // stress
            stress_mpsc_bounded_threads_and_tasks,
            stress_mpsc_unbounded_threads_and_tasks,
            stress_mutex_counter,
            stress_semaphore_limit,
            stress_rwlock_consistency,
            stress_notify_ping_pong,
            stress_oneshot_many,
            stress_broadcast_all_see_all,
            stress_watch_monotonic,
            stress_barrier_threads,
        );
    };
}

/// Yields once to the executor.
pub async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

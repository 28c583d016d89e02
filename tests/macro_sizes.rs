//! The futures `join!`, `try_join!` and `select!` expand to are no larger than tokio's
//! for the same inner futures (`size_of_val` of an `async` block around each
//! expansion). Nothing is polled: this is about the state each expansion keeps.
//!
//! The file also forbids `unsafe_code`, as many users' crates do: the expansions must
//! compile there (their `unsafe` is the macros', not the caller's).
#![forbid(unsafe_code)]
use std::future::{pending, ready};
use std::mem::size_of_val;

async fn small() -> u8 {
    1
}

async fn holds_a_buffer_across_await() -> usize {
    let buf = [7u8; 100];
    robin::task::yield_now().await;
    buf.iter().map(|b| *b as usize).sum()
}

async fn fallible(n: u32) -> Result<u32, &'static str> {
    robin::task::yield_now().await;
    Ok(n)
}

/// Asserts robin's expansion is no larger than tokio's, and reports both.
fn check(what: &str, robin: usize, tokio: usize) {
    println!("{what}: robin {robin} B, tokio {tokio} B");
    assert!(
        robin <= tokio,
        "{what}: robin's {robin} B > tokio's {tokio} B"
    );
}

#[test]
fn join_is_no_larger_than_tokio() {
    check(
        "join!(small, small)",
        size_of_val(&async { robin::join!(small(), small()) }),
        size_of_val(&async { tokio::join!(small(), small()) }),
    );
    check(
        "join!(ready, pending)",
        size_of_val(&async { robin::join!(ready(1u64), pending::<u32>()) }),
        size_of_val(&async { tokio::join!(ready(1u64), pending::<u32>()) }),
    );
    check(
        "join!(buffer, small, ready)",
        size_of_val(&async { robin::join!(holds_a_buffer_across_await(), small(), ready(3u16)) }),
        size_of_val(&async { tokio::join!(holds_a_buffer_across_await(), small(), ready(3u16)) }),
    );
    check(
        "join!(biased; small, small)",
        size_of_val(&async { robin::join!(biased; small(), small()) }),
        size_of_val(&async { tokio::join!(biased; small(), small()) }),
    );
}

#[test]
fn try_join_is_no_larger_than_tokio() {
    check(
        "try_join!(fallible, fallible)",
        size_of_val(&async { robin::try_join!(fallible(1), fallible(2)) }),
        size_of_val(&async { tokio::try_join!(fallible(1), fallible(2)) }),
    );
}

#[test]
fn select_is_no_larger_than_tokio() {
    check(
        "select!(small, small)",
        size_of_val(&async {
            robin::select! {
                a = small() => a,
                b = small() => b,
            }
        }),
        size_of_val(&async {
            tokio::select! {
                a = small() => a,
                b = small() => b,
            }
        }),
    );
    check(
        "select!(ready, pending, buffer)",
        size_of_val(&async {
            robin::select! {
                a = ready(1usize) => a,
                b = pending::<usize>() => b,
                c = holds_a_buffer_across_await() => c,
            }
        }),
        size_of_val(&async {
            tokio::select! {
                a = ready(1usize) => a,
                b = pending::<usize>() => b,
                c = holds_a_buffer_across_await() => c,
            }
        }),
    );
    check(
        "select!(biased; small, small, if, else)",
        size_of_val(&async {
            robin::select! {
                biased;
                a = small() => a,
                b = small(), if true => b,
                else => 0,
            }
        }),
        size_of_val(&async {
            tokio::select! {
                biased;
                a = small() => a,
                b = small(), if true => b,
                else => 0,
            }
        }),
    );
}

#[test]
fn the_measured_expansions_still_work() {
    // The same expansions, run: sizes of futures that do not work would mean nothing.
    let rt = robin::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(robin::join!(small(), small()), (1, 1));
        assert_eq!(
            robin::join!(holds_a_buffer_across_await(), small(), ready(3u16)),
            (700, 1, 3)
        );
        assert_eq!(robin::try_join!(fallible(1), fallible(2)), Ok((1, 2)));
        let got = robin::select! {
            a = ready(1usize) => a,
            b = pending::<usize>() => b,
            c = holds_a_buffer_across_await() => c,
        };
        assert_eq!(got, 1);
    });
}

//! `robin::pin!` through the facade: tokio's semantics (shadowing with `Pin<&mut T>`,
//! both forms), used the way tokio programs use it.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// A `!Unpin` future that completes on its second poll.
struct TwoPolls {
    polled: u8,
    _pinned: std::marker::PhantomPinned,
}

impl Future for TwoPolls {
    type Output = u8;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        // SAFETY: `polled` is not structurally pinned; nothing is moved out.
        let this = unsafe { self.get_unchecked_mut() };
        this.polled += 1;
        if this.polled == 2 {
            Poll::Ready(this.polled)
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn two_polls() -> TwoPolls {
    TwoPolls {
        polled: 0,
        _pinned: std::marker::PhantomPinned,
    }
}

#[robin::test]
async fn pins_an_existing_local_and_shadows_it() {
    let fut = two_polls();
    robin::pin!(fut);
    let as_pin: &mut Pin<&mut TwoPolls> = &mut fut;
    // Polled by reference (a `!Unpin` future needs the pin for that), then awaited.
    let first = std::future::poll_fn(|cx| Poll::Ready(as_pin.as_mut().poll(cx))).await;
    assert_eq!(first, Poll::Pending);
    assert_eq!(fut.await, 2);
}

#[robin::test]
async fn pins_several_at_once() {
    let (a, b, c) = (two_polls(), async { 10u8 }, two_polls());
    robin::pin!(a, b, c);
    assert_eq!(a.as_mut().await + b.as_mut().await + c.as_mut().await, 14);
}

#[robin::test]
async fn let_form_declares_and_pins_several() {
    robin::pin! {
        let a = two_polls();
        let b = async { 40u8 };
    }
    let (x, y) = robin::join!(a.as_mut(), b.as_mut());
    assert_eq!(x + y, 42);
}

#[robin::test(start_paused = true)]
async fn pinned_sleep_in_a_select_loop() {
    // The tokio idiom: one pinned deadline polled by `&mut` across iterations.
    let (tx, mut rx) = robin::sync::mpsc::channel::<u32>(8);
    robin::spawn(async move {
        for i in 0..3 {
            tx.send(i).await.unwrap();
            robin::time::sleep(Duration::from_millis(10)).await;
        }
        std::future::pending::<()>().await;
    });
    let sleep = robin::time::sleep(Duration::from_secs(1));
    robin::pin!(sleep);
    let mut got = Vec::new();
    loop {
        robin::select! {
            Some(v) = rx.recv() => got.push(v),
            () = &mut sleep => break,
        }
    }
    assert_eq!(got, [0, 1, 2]);
    assert!(sleep.is_elapsed());
}

#[test]
fn pin_does_not_need_a_runtime_or_robin_by_name() {
    // No runtime, and a `robin` path nowhere in the expansion: only `core`.
    mod robin {}
    let fut = std::future::ready(5);
    ::robin::pin!(fut);
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(5));
}

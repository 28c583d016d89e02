//! Multi-producer, single-consumer FIFO channels.
//!
//! [`channel`] is bounded: [`Sender::send`] waits for room, and senders waiting for room
//! are served in FIFO order. [`unbounded_channel`] never makes a sender wait. In both, the
//! messages of one sender arrive in the order it sent them, and the receiver sees `None`
//! once every sender is gone and the buffer is drained. After [`Receiver::close`], new sends
//! fail but buffered messages can still be received.
//!
//! # Cancel safety
//!
//! | operation | cancel-safe? |
//! |---|---|
//! | `Receiver::recv`, `recv_many` | yes: no message is taken unless the future completes |
//! | `Sender::reserve`, `reserve_owned` | yes: the place in line and any granted slot are given up |
//! | `Sender::send` | no message is sent, but the value is dropped with the future |
//! | `Sender::closed` | yes |
//!
//! The implementation ([`chan`](self) module) keeps the buffer, the count of reserved slots
//! and the queue of waiting senders behind one lock.
mod bounded;
mod chan;
pub mod error;
mod unbounded;

pub use bounded::{channel, OwnedPermit, Permit, PermitIterator, Receiver, Sender, WeakSender};
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender};

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::future::block_on;
    use loom::thread;
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Waker};

    /// Polls `f` once with a no-op waker; whether it is still pending.
    fn pending<F: Future>(f: Pin<&mut F>) -> bool {
        f.poll(&mut Context::from_waker(Waker::noop())).is_pending()
    }

    /// Receives one message on another thread, handing the receiver back with it.
    fn recv_on_thread<T: Send + 'static>(
        mut rx: Receiver<T>,
    ) -> thread::JoinHandle<(Option<T>, Receiver<T>)> {
        thread::spawn(move || {
            let v = block_on(rx.recv());
            (v, rx)
        })
    }

    #[test]
    fn bounded_order_and_end() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            let t = thread::spawn(move || {
                block_on(async {
                    tx.send(1).await.unwrap();
                    tx.send(2).await.unwrap();
                })
            });
            block_on(async {
                assert_eq!(rx.recv().await, Some(1));
                assert_eq!(rx.recv().await, Some(2));
                assert_eq!(rx.recv().await, None);
            });
            t.join().unwrap();
        });
    }

    #[test]
    fn unbounded_two_senders() {
        loom::model(|| {
            let (tx, mut rx) = unbounded_channel();
            let tx2 = tx.clone();
            let t = thread::spawn(move || tx2.send(2).unwrap());
            tx.send(1).unwrap();
            drop(tx);
            let mut got = block_on(async {
                let mut v = Vec::new();
                while let Some(x) = rx.recv().await {
                    v.push(x);
                }
                v
            });
            t.join().unwrap();
            got.sort();
            assert_eq!(got, [1, 2]);
        });
    }

    /// A reserve dropped while the receiver grants it the freed slot passes the slot on.
    #[test]
    fn cancel_reserve_while_granted() {
        loom::model(|| {
            let (tx, rx) = channel(1);
            tx.try_send(0).unwrap();
            let mut res = Box::pin(tx.reserve());
            assert!(pending(res.as_mut()));
            let t = recv_on_thread(rx);
            drop(res);
            let (v, _rx) = t.join().unwrap();
            assert_eq!(v, Some(0));
            assert!(tx.try_send(1).is_ok(), "slot lost");
        });
    }

    #[test]
    fn close_wakes_blocked_sender() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            tx.try_send(0).unwrap();
            let t = thread::spawn(move || block_on(tx.send(1)).is_err());
            rx.close();
            let failed = t.join().unwrap();
            assert_eq!(rx.try_recv(), Ok(0));
            let _ = failed;
            assert_eq!(block_on(rx.recv()), None);
        });
    }

    #[test]
    fn two_senders_cap_one() {
        loom::model(|| {
            let (tx, mut rx) = channel(1);
            let tx2 = tx.clone();
            let t1 = thread::spawn(move || block_on(tx.send(1)).unwrap());
            let t2 = thread::spawn(move || block_on(tx2.send(2)).unwrap());
            let mut got = block_on(async {
                let mut v = Vec::new();
                while let Some(x) = rx.recv().await {
                    v.push(x);
                }
                v
            });
            t1.join().unwrap();
            t2.join().unwrap();
            got.sort();
            assert_eq!(got, [1, 2]);
        });
    }

    /// A `reserve_many` holding part of its grant, cancelled while the receiver frees a
    /// slot: every slot comes back.
    #[test]
    fn cancel_reserve_many_partial() {
        loom::model(|| {
            let (tx, rx) = channel(2);
            tx.try_send(0).unwrap();
            let mut res = Box::pin(tx.reserve_many(2));
            assert!(pending(res.as_mut()));
            let t = recv_on_thread(rx);
            drop(res);
            let (v, _rx) = t.join().unwrap();
            assert_eq!(v, Some(0));
            assert_eq!(tx.capacity(), 2, "slots lost");
        });
    }

    /// A `send` waiting on a full channel is dropped while the receiver grants it the freed
    /// slot (the grant and the value's push share one lock now): the slot comes back, and
    /// the dropped value was never buffered.
    #[test]
    fn cancel_send_while_granted() {
        loom::model(|| {
            let (tx, rx) = channel(1);
            tx.try_send(0).unwrap();
            let mut send = Box::pin(tx.send(1));
            assert!(pending(send.as_mut()));
            let t = recv_on_thread(rx);
            drop(send);
            let (v, mut rx) = t.join().unwrap();
            assert_eq!(v, Some(0));
            assert!(tx.try_send(2).is_ok(), "slot lost");
            assert_eq!(rx.try_recv(), Ok(2));
        });
    }

    /// A waiting `reserve` either gets its slot or fails when the receiver closes
    /// concurrently; a granted-then-closed slot is never handed out.
    #[test]
    fn reserve_vs_close() {
        loom::model(|| {
            let (tx, mut rx) = channel::<u8>(1);
            tx.try_send(0).unwrap();
            let t = thread::spawn(move || {
                let ok = block_on(tx.reserve()).is_ok();
                (ok, tx)
            });
            assert_eq!(block_on(rx.recv()), Some(0));
            rx.close();
            let (ok, tx) = t.join().unwrap();
            if ok {
                // It won the slot before the close: the permit was usable then.
                assert!(tx.is_closed());
            }
            assert!(tx.try_send(1).is_err());
        });
    }
}

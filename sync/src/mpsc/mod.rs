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

pub use bounded::{channel, OwnedPermit, Permit, Receiver, Sender, WeakSender};
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender, WeakUnboundedSender};

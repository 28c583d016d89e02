//! Unix domain sockets: [`UnixListener`], [`UnixSocket`], [`UnixStream`] (with borrowed
//! [`ReadHalf`] / [`WriteHalf`] and owned [`OwnedReadHalf`] / [`OwnedWriteHalf`]
//! halves: the generic ones of [`crate::stream`] at kind [`Unix`]),
//! [`UnixDatagram`], [`pipe`], [`SocketAddr`] and [`UCred`]. Paths starting with a NUL
//! byte name sockets in Linux's abstract namespace, as in tokio.
mod addr;
mod datagram;
mod listener;
pub mod pipe;
mod socket;
mod stream;
mod ucred;

use crate::stream::{self as core, Unix};

pub use addr::SocketAddr;
pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use socket::UnixSocket;
pub use ucred::UCred;

/// A connected Unix domain stream socket (`Stream<Unix>`).
pub type UnixStream = core::Stream<Unix>;
crate::stream::kind_aliases!(Unix, UnixStream, "Unix");

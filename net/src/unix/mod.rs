//! Unix domain sockets: [`UnixListener`], [`UnixStream`] (with borrowed [`ReadHalf`] /
//! [`WriteHalf`] and owned [`OwnedReadHalf`] / [`OwnedWriteHalf`] halves) and
//! [`UnixDatagram`]. Addresses are std's `std::os::unix::net::SocketAddr`.
mod datagram;
mod listener;
mod split;
mod split_owned;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use split::{ReadHalf, WriteHalf};
pub use split_owned::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use std::os::unix::net::SocketAddr;
pub use stream::UnixStream;

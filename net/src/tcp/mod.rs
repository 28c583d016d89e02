//! TCP: [`TcpListener`], [`TcpSocket`], [`TcpStream`] and the stream's halves
//! ([`ReadHalf`]/[`WriteHalf`] borrowed by `split`, [`OwnedReadHalf`]/[`OwnedWriteHalf`]
//! by `into_split`). The stream and its halves are the generic ones of
//! [`crate::stream`] at kind [`Tcp`]; this module holds only what
//! is TCP's own.
mod listener;
mod socket;
mod stream;

use crate::stream::{self as core, Tcp};

pub use listener::TcpListener;
pub use socket::TcpSocket;

/// A TCP connection between a local and a remote socket (`Stream<Tcp>`).
///
/// Created by [`connect`](TcpStream::connect), by accepting on a
/// [`TcpListener`], or by [`TcpSocket::connect`]. Read and write with
/// tokio's `AsyncReadExt`/`AsyncWriteExt` (`robin::io`), futures-io's traits, or the
/// inherent methods. Dropping the stream closes the connection.
///
/// ```
/// use robin_net::{TcpListener, TcpStream};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let addr = listener.local_addr().unwrap();
///     let mut client = TcpStream::connect(addr).await.unwrap();
///     let (mut server, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer, client.local_addr().unwrap());
///     assert_eq!(client.peer_addr().unwrap(), addr);
///     client.write_all(b"ping").await.unwrap();
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"ping");
/// });
/// ```
pub type TcpStream = core::Stream<Tcp>;
crate::stream::kind_aliases!(Tcp, TcpStream, "TCP");

//! robin-net: TCP, UDP and Unix sockets over the runtime's I/O driver.
//!
//! Every socket type here wraps a non-blocking `mio` socket registered with the driver
//! of the runtime that is current when the socket is created (see
//! `robin_runtime::io::Registration`). Operations are tried directly; when one would
//! block, the readiness it observed is cleared and the task waits for the driver's next
//! edge-triggered event. Dropping a socket deregisters it from the driver before the file
//! descriptor closes.
//!
//! The stream types are one generic core ([`stream::Stream`], over `Evented<S>`):
//! [`TcpStream`] is `Stream<Tcp>` and [`UnixStream`] is `Stream<Unix>`, with the same
//! halves and the same I/O trait impls. Every stream, half and pipe end implements
//! tokio's `AsyncRead`/`AsyncWrite` (what `robin::io` re-exports, and what tokio-util,
//! tokio-rustls or hyper-util take) and futures-io's (for futures and smol code).
//! The unconnected sockets [`TcpSocket`] and [`UnixSocket`] set options before
//! `connect`/`listen`; [`lookup_host`] resolves names off the workers.
//!
//! Errors are values: a refused connection, an address in use, a reset peer, a write
//! after shutdown, a socket used after its runtime shut down all come back as
//! `io::Error`, never as a panic or a hang. Creating a socket outside a robin runtime
//! with the I/O driver panics at the caller, as tokio documents for its sockets.
//!
//! ```
//! use robin_net::{TcpListener, TcpStream};
//! let rt = robin_runtime::runtime::Runtime::new().unwrap();
//! let echoed = rt.block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
//!     let addr = listener.local_addr().unwrap();
//!     let server = robin_runtime::spawn(async move {
//!         let (mut socket, _) = listener.accept().await.unwrap();
//!         let mut buf = [0u8; 5];
//!         socket.read_exact(&mut buf).await.unwrap();
//!         socket.write_all(&buf).await.unwrap();
//!     });
//!     let mut client = TcpStream::connect(addr).await.unwrap();
//!     client.write_all(b"hello").await.unwrap();
//!     let mut buf = [0u8; 5];
//!     client.read_exact(&mut buf).await.unwrap();
//!     server.await.unwrap();
//!     buf
//! });
//! assert_eq!(&echoed, b"hello");
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod addr;
mod buf;
mod evented;
mod interop;
pub mod stream;
pub mod tcp;
mod udp;
#[cfg(unix)]
pub mod unix;

pub use addr::{lookup_host, ToSocketAddrs};
pub use robin_runtime::io::{Interest, Ready};
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
#[cfg(unix)]
pub use unix::{UnixDatagram, UnixListener, UnixSocket, UnixStream};

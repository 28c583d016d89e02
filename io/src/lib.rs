//! robin-io: `robin::io`, tokio's I/O vocabulary on robin.
//!
//! Owns the public `robin::io` module. Most of it is a re-export of tokio's I/O traits
//! and its runtime-free utilities, taken from the `tokio` crate with only its `io-util`
//! feature: no tokio runtime is ever started, and none is needed (these are plain
//! `poll` state machines). robin's sockets implement the same traits, so code written
//! against `tokio::io` (and crates such as tokio-util, tokio-rustls or hyper-util) works
//! on robin by renaming `tokio` to `robin`.
//!
//! robin's own pieces, over robin's driver and blocking pool: [`Interest`] and
//! [`Ready`], [`unix::AsyncFd`] (readiness for any file descriptor), and
//! [`stdin`]/[`stdout`]/[`stderr`].
//!
//! May import robin-runtime (the driver's `Registration`, `spawn_blocking`) and tokio's
//! `io-util`; nothing of robin-net.
//!
//! ```
//! use robin_io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
//! let rt = robin_runtime::runtime::Runtime::new().unwrap();
//! rt.block_on(async {
//!     let (client, server) = robin_io::duplex(64);
//!     let writer = robin_runtime::spawn(async move {
//!         let mut client = client;
//!         client.write_all(b"one\ntwo\n").await.unwrap();
//!     });
//!     let mut lines = BufReader::new(server).lines();
//!     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("one"));
//!     assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("two"));
//!     writer.await.unwrap();
//!     assert_eq!(lines.next_line().await.unwrap(), None);
//! });
//! ```
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

mod blocking;
mod stdio;
#[cfg(unix)]
pub mod unix;

pub use robin_runtime::io::{Interest, Ready};
pub use std::io::{Error, ErrorKind, Result, SeekFrom};
pub use stdio::{stderr, stdin, stdout, Stderr, Stdin, Stdout};
pub use tokio::io::{
    copy, copy_bidirectional, copy_bidirectional_with_sizes, copy_buf, duplex, empty, join, repeat,
    simplex, sink, split, AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncSeek,
    AsyncSeekExt, AsyncWrite, AsyncWriteExt, BufReader, BufStream, BufWriter, Chain, DuplexStream,
    Empty, Join, Lines, ReadBuf, ReadHalf, Repeat, SimplexStream, Sink, Split, Take, WriteHalf,
};

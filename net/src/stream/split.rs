//! [`ReadHalf`] and [`WriteHalf`]: the two sides of a [`Stream`] borrowed by
//! [`Stream::split`], for TCP and Unix alike.
//!
//! Both hold a shared reference: the stream's operations only need `&self` (reads wait
//! on the driver's reader list, writes on the writer list), so the halves can be used
//! concurrently from one task (e.g. `join!`) without any lock.
use super::{Kind, Stream};
use robin_runtime::io::{Interest, Ready};
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};

/// The read half of a stream, borrowed by `split` (`tcp::ReadHalf`, `unix::ReadHalf`).
///
/// ```
/// use robin_net::{TcpListener, TcpStream};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let mut client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     // Echo on the server with the two halves of one stream.
///     let echo = robin_runtime::spawn(async move {
///         let (mut rd, mut wr) = server.split();
///         tokio::io::copy(&mut rd, &mut wr).await.unwrap()
///     });
///     client.write_all(b"abc").await.unwrap();
///     let mut buf = [0; 3];
///     client.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"abc");
///     client.shutdown().await.unwrap();
///     assert_eq!(echo.await.unwrap(), 3);
/// });
/// ```
pub struct ReadHalf<'a, K: Kind>(&'a Stream<K>);

/// The write half of a stream, borrowed by `split`. Shutting it down (`shutdown`,
/// `poll_shutdown`) closes the write side of the whole stream.
pub struct WriteHalf<'a, K: Kind>(&'a Stream<K>);

pub(crate) fn split<K: Kind>(stream: &mut Stream<K>) -> (ReadHalf<'_, K>, WriteHalf<'_, K>) {
    (ReadHalf(stream), WriteHalf(stream))
}

impl<K: Kind> ReadHalf<'_, K> {
    pub(crate) fn stream(&self) -> &Stream<K> {
        self.0
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.0.ready(interest).await
    }

    /// Waits until readable.
    pub async fn readable(&self) -> io::Result<()> {
        self.0.readable().await
    }

    /// Reads without waiting (`WouldBlock` if nothing is ready).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }

    /// Reads into several buffers without waiting.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0.try_read_vectored(bufs)
    }

    /// Reads into the spare capacity of `buf` without waiting.
    pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.0.try_read_buf(buf)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<K::Addr> {
        self.0.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<K::Addr> {
        self.0.peer_addr()
    }
}

impl<K: Kind> WriteHalf<'_, K> {
    pub(crate) fn stream(&self) -> &Stream<K> {
        self.0
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.0.ready(interest).await
    }

    /// Waits until writable.
    pub async fn writable(&self) -> io::Result<()> {
        self.0.writable().await
    }

    /// Writes without waiting (`WouldBlock` if the send buffer is full).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    /// Writes from several buffers without waiting.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.try_write_vectored(bufs)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<K::Addr> {
        self.0.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<K::Addr> {
        self.0.peer_addr()
    }
}

impl<K: Kind> AsRef<Stream<K>> for ReadHalf<'_, K> {
    fn as_ref(&self) -> &Stream<K> {
        self.0
    }
}

impl<K: Kind> AsRef<Stream<K>> for WriteHalf<'_, K> {
    fn as_ref(&self) -> &Stream<K> {
        self.0
    }
}

impl<K: Kind> fmt::Debug for ReadHalf<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReadHalf").field(self.0).finish()
    }
}

impl<K: Kind> fmt::Debug for WriteHalf<'_, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WriteHalf").field(self.0).finish()
    }
}

//! [`ReadHalf`] and [`WriteHalf`]: the two sides of a [`UnixStream`] borrowed by
//! [`UnixStream::split`].
//!
//! Both hold a shared reference: the stream's operations only need `&self` (reads wait
//! on the driver's reader list, writes on the writer list), so the halves can be used
//! concurrently from one task (e.g. `join!`) without any lock.
use crate::unix::UnixStream;
use robin_runtime::io::Interest;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;

/// The read half of a [`UnixStream`], borrowed by [`UnixStream::split`].
///
/// ```
/// use robin_net::UnixStream;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (mut a, mut b) = UnixStream::pair().unwrap();
///     let echo = robin_runtime::spawn(async move {
///         let (mut rd, mut wr) = b.split();
///         let mut buf = [0; 3];
///         rd.read_exact(&mut buf).await.unwrap();
///         wr.write_all(&buf).await.unwrap();
///     });
///     a.write_all(b"abc").await.unwrap();
///     let mut buf = [0; 3];
///     a.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"abc");
///     echo.await.unwrap();
/// });
/// ```
#[derive(Debug)]
pub struct ReadHalf<'a>(&'a UnixStream);

/// The write half of a [`UnixStream`], borrowed by [`UnixStream::split`].
///
/// [`shutdown`](WriteHalf::shutdown) closes the write side of the whole stream.
#[derive(Debug)]
pub struct WriteHalf<'a>(&'a UnixStream);

pub(crate) fn split(stream: &mut UnixStream) -> (ReadHalf<'_>, WriteHalf<'_>) {
    (ReadHalf(stream), WriteHalf(stream))
}

impl ReadHalf<'_> {
    pub(crate) fn stream(&self) -> &UnixStream {
        self.0
    }

    /// Reads what is available, waiting until something is. `Ok(0)` is EOF.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.0.poll_read_priv(cx, buf)).await
    }

    /// Reads exactly `buf.len()` bytes; `UnexpectedEof` if the peer closes first.
    pub async fn read_exact(&mut self, mut buf: &mut [u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.read(buf).await? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => buf = &mut buf[n..],
            }
        }
        Ok(())
    }

    /// Reads until EOF, appending to `buf`.
    pub async fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let start = buf.len();
        let mut chunk = [0u8; 8192];
        loop {
            match self.read(&mut chunk).await? {
                0 => return Ok(buf.len() - start),
                n => buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Waits until readable.
    pub async fn readable(&self) -> io::Result<()> {
        self.0.readable().await
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<robin_runtime::io::Ready> {
        self.0.ready(interest).await
    }

    /// Reads without waiting (`WouldBlock` if nothing is ready).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.try_read(buf)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl WriteHalf<'_> {
    pub(crate) fn stream(&self) -> &UnixStream {
        self.0
    }

    /// Writes some of `buf`, waiting until the socket accepts at least one byte.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.0.poll_write_priv(cx, buf)).await
    }

    /// Writes all of `buf`.
    pub async fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while !buf.is_empty() {
            match self.write(buf).await? {
                0 => return Err(io::ErrorKind::WriteZero.into()),
                n => buf = &buf[n..],
            }
        }
        Ok(())
    }

    /// Shuts down the write side of the stream (the peer reads EOF).
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.0.shutdown_std(Shutdown::Write)
    }

    /// Waits until writable.
    pub async fn writable(&self) -> io::Result<()> {
        self.0.writable().await
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<robin_runtime::io::Ready> {
        self.0.ready(interest).await
    }

    /// Writes without waiting (`WouldBlock` if the send buffer is full).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.0.try_write(buf)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.peer_addr()
    }
}

impl AsRef<UnixStream> for ReadHalf<'_> {
    fn as_ref(&self) -> &UnixStream {
        self.0
    }
}

impl AsRef<UnixStream> for WriteHalf<'_> {
    fn as_ref(&self) -> &UnixStream {
        self.0
    }
}

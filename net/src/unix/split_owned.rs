//! [`OwnedReadHalf`] and [`OwnedWriteHalf`]: the two sides of a [`UnixStream`] split by
//! [`UnixStream::into_split`], each movable to its own task.
//!
//! Both halves share the stream through an `Arc` (no lock: the stream's operations take
//! `&self`). Dropping the write half shuts the write side down (the peer reads EOF),
//! unless it was [`forget`](OwnedWriteHalf::forget)-ed or used in
//! [`reunite`](OwnedReadHalf::reunite).
use crate::unix::UnixStream;
use robin_runtime::io::Interest;
use std::error::Error;
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::sync::Arc;

/// The owned read half of a [`UnixStream`] (from [`UnixStream::into_split`]).
///
/// ```
/// use robin_net::UnixStream;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let (a, mut b) = UnixStream::pair().unwrap();
///     let (mut rd, mut wr) = a.into_split();
///     let writer = robin_runtime::spawn(async move {
///         wr.write_all(b"owned").await.unwrap();
///         wr
///     });
///     let mut buf = [0; 5];
///     b.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"owned");
///     b.write_all(b"back").await.unwrap();
///     let mut back = [0; 4];
///     rd.read_exact(&mut back).await.unwrap();
///     assert_eq!(&back, b"back");
///     let stream = rd.reunite(writer.await.unwrap()).unwrap();
///     assert!(stream.peer_addr().is_ok());
/// });
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<UnixStream>,
}

/// The owned write half of a [`UnixStream`] (from [`UnixStream::into_split`]). Dropping it
/// shuts the write side down.
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<UnixStream>,
    shutdown_on_drop: bool,
}

/// [`reunite`](OwnedReadHalf::reunite) was given halves of two different streams; they
/// are handed back.
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl Error for ReuniteError {}

pub(crate) fn split_owned(stream: UnixStream) -> (OwnedReadHalf, OwnedWriteHalf) {
    let inner = Arc::new(stream);
    (
        OwnedReadHalf {
            inner: inner.clone(),
        },
        OwnedWriteHalf {
            inner,
            shutdown_on_drop: true,
        },
    )
}

fn reunite(read: OwnedReadHalf, mut write: OwnedWriteHalf) -> Result<UnixStream, ReuniteError> {
    if !Arc::ptr_eq(&read.inner, &write.inner) {
        return Err(ReuniteError(read, write));
    }
    write.shutdown_on_drop = false;
    drop(write);
    // The halves are not `Clone`: with the write half gone, `read` holds the only `Arc`.
    Ok(Arc::try_unwrap(read.inner)
        .unwrap_or_else(|_| unreachable!("robin-net: a UnixStream half was duplicated")))
}

impl OwnedReadHalf {
    pub(crate) fn stream(&self) -> &UnixStream {
        &self.inner
    }

    /// Puts the stream back together; fails (returning both) if `write` belongs to
    /// another stream.
    pub fn reunite(self, write: OwnedWriteHalf) -> Result<UnixStream, ReuniteError> {
        reunite(self, write)
    }

    /// Reads what is available, waiting until something is. `Ok(0)` is EOF.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.inner.poll_read_priv(cx, buf)).await
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
        self.inner.readable().await
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<robin_runtime::io::Ready> {
        self.inner.ready(interest).await
    }

    /// Reads without waiting (`WouldBlock` if nothing is ready).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read(buf)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}

impl OwnedWriteHalf {
    pub(crate) fn stream(&self) -> &UnixStream {
        &self.inner
    }

    /// Puts the stream back together (see [`OwnedReadHalf::reunite`]).
    pub fn reunite(self, read: OwnedReadHalf) -> Result<UnixStream, ReuniteError> {
        reunite(read, self)
    }

    /// Drops the half *without* shutting the write side down.
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
    }

    /// Writes some of `buf`, waiting until the socket accepts at least one byte.
    pub async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        std::future::poll_fn(|cx| self.inner.poll_write_priv(cx, buf)).await
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

    /// Shuts down the write side (the peer reads EOF).
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.inner.shutdown_std(Shutdown::Write)
    }

    /// Waits until writable.
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<robin_runtime::io::Ready> {
        self.inner.ready(interest).await
    }

    /// Writes without waiting (`WouldBlock` if the send buffer is full).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write(buf)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.peer_addr()
    }
}

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            // Already closed or reset: nothing left to shut down.
            let _ = self.inner.shutdown_std(Shutdown::Write);
        }
    }
}

impl AsRef<UnixStream> for OwnedReadHalf {
    fn as_ref(&self) -> &UnixStream {
        &self.inner
    }
}

impl AsRef<UnixStream> for OwnedWriteHalf {
    fn as_ref(&self) -> &UnixStream {
        &self.inner
    }
}

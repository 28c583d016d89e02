//! [`OwnedReadHalf`] and [`OwnedWriteHalf`]: the two sides of a [`TcpStream`] split by
//! [`TcpStream::into_split`], each movable to its own task.
//!
//! Both halves share the stream through an `Arc` (no lock: the stream's operations take
//! `&self`). Dropping the write half shuts the write side down (the peer reads EOF),
//! unless it was [`forget`](OwnedWriteHalf::forget)-ed or used in
//! [`reunite`](OwnedReadHalf::reunite).
use crate::tcp::TcpStream;
use robin_runtime::io::Interest;
use std::error::Error;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;

/// The owned read half of a [`TcpStream`] (from [`TcpStream::into_split`]).
///
/// ```
/// use robin_net::{TcpListener, TcpStream};
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
///     let client = TcpStream::connect(listener.local_addr().unwrap()).await.unwrap();
///     let (mut server, _) = listener.accept().await.unwrap();
///     let (mut rd, mut wr) = client.into_split();
///     let writer = robin_runtime::spawn(async move {
///         wr.write_all(b"owned").await.unwrap();
///         wr
///     });
///     let mut buf = [0; 5];
///     server.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"owned");
///     server.write_all(b"back").await.unwrap();
///     let mut back = [0; 4];
///     rd.read_exact(&mut back).await.unwrap();
///     assert_eq!(&back, b"back");
///     let wr = writer.await.unwrap();
///     let stream = rd.reunite(wr).unwrap();
///     assert!(stream.peer_addr().is_ok());
/// });
/// ```
#[derive(Debug)]
pub struct OwnedReadHalf {
    inner: Arc<TcpStream>,
}

/// The owned write half of a [`TcpStream`] (from [`TcpStream::into_split`]). Dropping it
/// shuts the write side down.
#[derive(Debug)]
pub struct OwnedWriteHalf {
    inner: Arc<TcpStream>,
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

pub(crate) fn split_owned(stream: TcpStream) -> (OwnedReadHalf, OwnedWriteHalf) {
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

fn reunite(read: OwnedReadHalf, mut write: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
    if !Arc::ptr_eq(&read.inner, &write.inner) {
        return Err(ReuniteError(read, write));
    }
    write.shutdown_on_drop = false;
    drop(write);
    // The halves are not `Clone`: with the write half gone, `read` holds the only `Arc`.
    Ok(Arc::try_unwrap(read.inner)
        .unwrap_or_else(|_| unreachable!("robin-net: a TcpStream half was duplicated")))
}

impl OwnedReadHalf {
    pub(crate) fn stream(&self) -> &TcpStream {
        &self.inner
    }

    /// Puts the stream back together; fails (returning both) if `write` belongs to
    /// another stream.
    pub fn reunite(self, write: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
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

    /// Receives data without consuming it.
    pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.peek(buf).await
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
    pub(crate) fn stream(&self) -> &TcpStream {
        &self.inner
    }

    /// Puts the stream back together (see [`OwnedReadHalf::reunite`]).
    pub fn reunite(self, read: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
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

impl AsRef<TcpStream> for OwnedReadHalf {
    fn as_ref(&self) -> &TcpStream {
        &self.inner
    }
}

impl AsRef<TcpStream> for OwnedWriteHalf {
    fn as_ref(&self) -> &TcpStream {
        &self.inner
    }
}

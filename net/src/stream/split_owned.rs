//! [`OwnedReadHalf`] and [`OwnedWriteHalf`]: the two sides of a [`Stream`] split by
//! [`Stream::into_split`], each movable to its own task; TCP and Unix alike.
//!
//! Both halves share the stream through an `Arc` (no lock: the stream's operations take
//! `&self`). Dropping the write half shuts the write side down (the peer reads EOF),
//! unless it was [`forget`](OwnedWriteHalf::forget)-ed or used in
//! [`reunite`](OwnedReadHalf::reunite).
use super::{Kind, Stream};
use robin_runtime::io::{Interest, Ready};
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::sync::Arc;

/// The owned read half of a stream (from `into_split`).
///
/// ```
/// use robin_net::{TcpListener, TcpStream};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
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
pub struct OwnedReadHalf<K: Kind> {
    inner: Arc<Stream<K>>,
}

/// The owned write half of a stream (from `into_split`). Dropping it shuts the write
/// side down.
pub struct OwnedWriteHalf<K: Kind> {
    inner: Arc<Stream<K>>,
    shutdown_on_drop: bool,
}

pub(crate) fn split_owned<K: Kind>(stream: Stream<K>) -> (OwnedReadHalf<K>, OwnedWriteHalf<K>) {
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

fn reunite<K: Kind>(
    read: OwnedReadHalf<K>,
    mut write: OwnedWriteHalf<K>,
) -> Result<Stream<K>, K::ReuniteError> {
    if !Arc::ptr_eq(&read.inner, &write.inner) {
        return Err(K::reunite_error(read, write));
    }
    write.shutdown_on_drop = false;
    drop(write);
    // The halves are not `Clone`: with the write half gone, `read` holds the only `Arc`.
    Ok(Arc::try_unwrap(read.inner)
        .unwrap_or_else(|_| unreachable!("robin-net: a stream half was duplicated")))
}

impl<K: Kind> OwnedReadHalf<K> {
    pub(crate) fn stream(&self) -> &Stream<K> {
        &self.inner
    }

    /// Puts the stream back together; fails (returning both, in the kind's
    /// `tcp::ReuniteError` / `unix::ReuniteError`) if `write` belongs to another stream.
    pub fn reunite(self, write: OwnedWriteHalf<K>) -> Result<Stream<K>, K::ReuniteError> {
        reunite(self, write)
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// Waits until readable.
    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable().await
    }

    /// Reads without waiting (`WouldBlock` if nothing is ready).
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.try_read(buf)
    }

    /// Reads into several buffers without waiting.
    pub fn try_read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.inner.try_read_vectored(bufs)
    }

    /// Reads into the spare capacity of `buf` without waiting.
    pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.inner.try_read_buf(buf)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<K::Addr> {
        self.inner.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<K::Addr> {
        self.inner.peer_addr()
    }
}

impl<K: Kind> OwnedWriteHalf<K> {
    pub(crate) fn stream(&self) -> &Stream<K> {
        &self.inner
    }

    /// Puts the stream back together (see [`OwnedReadHalf::reunite`]).
    pub fn reunite(self, read: OwnedReadHalf<K>) -> Result<Stream<K>, K::ReuniteError> {
        reunite(read, self)
    }

    /// Drops the half *without* shutting the write side down.
    pub fn forget(mut self) {
        self.shutdown_on_drop = false;
    }

    /// Waits for any of `interest`.
    pub async fn ready(&self, interest: Interest) -> io::Result<Ready> {
        self.inner.ready(interest).await
    }

    /// Waits until writable.
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }

    /// Writes without waiting (`WouldBlock` if the send buffer is full).
    pub fn try_write(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.try_write(buf)
    }

    /// Writes from several buffers without waiting.
    pub fn try_write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.inner.try_write_vectored(bufs)
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<K::Addr> {
        self.inner.local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<K::Addr> {
        self.inner.peer_addr()
    }
}

impl<K: Kind> Drop for OwnedWriteHalf<K> {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            // Already closed or reset: nothing left to shut down.
            let _ = self.inner.shutdown_std(Shutdown::Write);
        }
    }
}

impl<K: Kind> AsRef<Stream<K>> for OwnedReadHalf<K> {
    fn as_ref(&self) -> &Stream<K> {
        &self.inner
    }
}

impl<K: Kind> AsRef<Stream<K>> for OwnedWriteHalf<K> {
    fn as_ref(&self) -> &Stream<K> {
        &self.inner
    }
}

impl<K: Kind> fmt::Debug for OwnedReadHalf<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedReadHalf")
            .field("inner", &self.inner)
            .finish()
    }
}

impl<K: Kind> fmt::Debug for OwnedWriteHalf<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedWriteHalf")
            .field("inner", &self.inner)
            .finish()
    }
}

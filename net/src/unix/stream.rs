//! What is Unix's own on [`UnixStream`] (`Stream<Unix>`): connecting (paths and
//! abstract names), `pair`, std conversions, peer credentials. Everything else is the
//! generic stream core (`crate::stream`).
use crate::unix::{addr, UCred, UnixStream};
use std::io;
use std::path::Path;

impl UnixStream {
    /// Connects to the socket bound at `path` (a leading NUL byte names an abstract
    /// socket). Fails with the OS error (e.g. `NotFound`, `ConnectionRefused`).
    /// Panics outside a robin runtime with the I/O driver, as tokio's.
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = addr::to_std(path.as_ref())?;
        UnixStream::connect_source(mio::net::UnixStream::connect_addr(&addr)).await
    }

    /// A connected pair of unnamed sockets (`socketpair`). Panics outside a robin runtime with the I/O driver, as tokio's.
    ///
    /// ```
    /// use robin_net::UnixStream;
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (mut a, mut b) = UnixStream::pair().unwrap();
    ///     a.write_all(b"over a socketpair").await.unwrap();
    ///     a.shutdown().await.unwrap();
    ///     let mut got = Vec::new();
    ///     b.read_to_end(&mut got).await.unwrap();
    ///     assert_eq!(got, b"over a socketpair");
    /// });
    /// ```
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        Ok((UnixStream::new(a)?, UnixStream::new(b)?))
    }

    /// Wraps a connected std stream (switching it to non-blocking mode) and registers it
    /// with the current runtime. Panics outside a robin runtime with the I/O driver, as tokio's.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let _guard = rt.enter();
    /// let a = robin_net::UnixStream::from_std(a).unwrap();
    /// assert!(a.peer_addr().unwrap().is_unnamed());
    /// ```
    #[track_caller]
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        UnixStream::new(mio::net::UnixStream::from_std(stream))
    }

    /// Deregisters the stream and returns it as a std stream (non-blocking mode).
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        let mio = self.into_source()?;
        Ok(std::os::unix::net::UnixStream::from(
            std::os::fd::OwnedFd::from(mio),
        ))
    }

    /// The credentials of the peer process (`SO_PEERCRED` on Linux, `getpeereid`
    /// elsewhere).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let (a, _b) = robin_net::UnixStream::pair().unwrap();
    ///     let cred = a.peer_cred().unwrap();
    ///     // SAFETY: getuid has no preconditions.
    ///     assert_eq!(cred.uid(), unsafe { libc::getuid() });
    /// });
    /// ```
    pub fn peer_cred(&self) -> io::Result<UCred> {
        UCred::of(self)
    }
}

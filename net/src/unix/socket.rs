//! [`UnixSocket`]: a Unix domain socket not yet connected, listening or used for
//! datagrams, to bind it first (tokio's `UnixSocket`, over socket2).
use crate::interop::nonblocking_socket;
use crate::unix::{UnixDatagram, UnixListener, UnixStream};
use socket2::{Domain, SockAddr, Socket, Type};
use std::io;
use std::path::Path;

/// A Unix domain socket before it becomes a [`UnixStream`], [`UnixListener`] or
/// [`UnixDatagram`].
///
/// ```
/// use robin_net::unix::UnixSocket;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let name = format!("\0robin-doc-unixsocket-{}", std::process::id());
///     let server = UnixSocket::new_stream().unwrap();
///     server.bind(&name).unwrap();
///     let listener = server.listen(16).unwrap();
///     let client = UnixSocket::new_stream().unwrap().connect(&name).await.unwrap();
///     let (_conn, _) = listener.accept().await.unwrap();
///     assert!(client.peer_addr().unwrap().as_abstract_name().is_some());
/// });
/// ```
pub struct UnixSocket {
    pub(crate) inner: Socket,
}

impl UnixSocket {
    /// A new stream socket (non-blocking, close-on-exec).
    pub fn new_stream() -> io::Result<UnixSocket> {
        let inner = nonblocking_socket(Domain::UNIX, Type::STREAM, None)?;
        Ok(UnixSocket { inner })
    }

    /// A new datagram socket (non-blocking, close-on-exec).
    pub fn new_datagram() -> io::Result<UnixSocket> {
        let inner = nonblocking_socket(Domain::UNIX, Type::DGRAM, None)?;
        Ok(UnixSocket { inner })
    }

    fn is_stream(&self) -> io::Result<bool> {
        Ok(self.inner.r#type()? == Type::STREAM)
    }

    fn expect(&self, stream: bool, what: &str) -> io::Result<()> {
        if self.is_stream()? == stream {
            Ok(())
        } else {
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{what} needs a {} socket",
                    if stream { "stream" } else { "datagram" }
                ),
            ))
        }
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<crate::unix::SocketAddr> {
        let std = std::os::unix::net::UnixDatagram::from(self.inner.try_clone()?);
        std.local_addr().map(crate::unix::SocketAddr::from)
    }

    /// Binds to `path` (a leading NUL byte names an abstract socket).
    pub fn bind(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.inner.bind(&SockAddr::unix(path)?)
    }

    /// Listens with a queue of `backlog` connections (stream sockets only).
    /// Panics outside a robin runtime with the I/O driver, as tokio's.
    #[track_caller]
    pub fn listen(self, backlog: u32) -> io::Result<UnixListener> {
        self.expect(true, "listen")?;
        self.inner.listen(backlog.min(i32::MAX as u32) as i32)?;
        UnixListener::from_std(self.inner.into())
    }

    /// Connects to `path` (stream sockets only). Panics outside a robin runtime with the I/O driver, as tokio's.
    pub async fn connect(self, path: impl AsRef<Path>) -> io::Result<UnixStream> {
        self.expect(true, "connect")?;
        let started = match self.inner.connect(&SockAddr::unix(path)?) {
            Ok(()) => Ok(()),
            Err(err) if err.raw_os_error() == Some(libc::EINPROGRESS) => Ok(()),
            Err(err) => Err(err),
        };
        let std = std::os::unix::net::UnixStream::from(self.inner);
        UnixStream::connect_source(started.map(|()| mio::net::UnixStream::from_std(std))).await
    }

    /// Turns a datagram socket into a [`UnixDatagram`]. Panics outside a robin runtime with the I/O driver, as tokio's.
    #[track_caller]
    pub fn datagram(self) -> io::Result<UnixDatagram> {
        self.expect(false, "datagram")?;
        UnixDatagram::from_std(self.inner.into())
    }
}

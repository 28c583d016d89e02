//! std interop for every socket type: `TryFrom<std type>` (as `from_std`, tokio's), `AsRawFd` and `AsFd`.
//! One macro, so TCP, UDP and Unix sockets share the code.

/// `impl_interop!(RobinType => std::Type, ...)`: the type holds its `Evented` in `io`.
macro_rules! impl_interop {
    ($($ty:ty => $std:ty),* $(,)?) => {$(
        impl TryFrom<$std> for $ty {
            type Error = std::io::Error;

            /// As `from_std`: switches to non-blocking mode and registers with the
            /// current runtime.
            #[track_caller]
            fn try_from(socket: $std) -> std::io::Result<$ty> {
                <$ty>::from_std(socket)
            }
        }

        impl std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.io.io().as_raw_fd()
            }
        }

        impl std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.io.io().as_fd()
            }
        }
    )*};
}

impl_interop!(
    crate::TcpStream => std::net::TcpStream,
    crate::TcpListener => std::net::TcpListener,
    crate::UdpSocket => std::net::UdpSocket,
);

#[cfg(unix)]
impl_interop!(
    crate::UnixStream => std::os::unix::net::UnixStream,
    crate::UnixListener => std::os::unix::net::UnixListener,
    crate::UnixDatagram => std::os::unix::net::UnixDatagram,
);

/// A new socket2 socket in non-blocking mode (socket2 sets close-on-exec itself).
pub(crate) fn nonblocking_socket(
    domain: socket2::Domain,
    ty: socket2::Type,
    protocol: Option<socket2::Protocol>,
) -> std::io::Result<socket2::Socket> {
    let socket = socket2::Socket::new(domain, ty, protocol)?;
    socket.set_nonblocking(true)?;
    Ok(socket)
}

/// `impl_socket2_interop!(Type, ...)`: fd interop of the unconnected sockets, which
/// hold a `socket2::Socket` in `inner` (tokio's `TcpSocket`/`UnixSocket` have the same).
macro_rules! impl_socket2_interop {
    ($($ty:ty),* $(,)?) => {$(
        impl std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> std::os::fd::RawFd {
                self.inner.as_raw_fd()
            }
        }

        impl std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
                self.inner.as_fd()
            }
        }

        impl std::os::fd::FromRawFd for $ty {
            /// # Safety
            /// `fd` must be an open socket of the right kind that nothing else owns (it
            /// is closed on drop).
            unsafe fn from_raw_fd(fd: std::os::fd::RawFd) -> $ty {
                Self {
                    // SAFETY: the caller guarantees `fd` is an owned, open socket.
                    inner: unsafe { socket2::Socket::from_raw_fd(fd) },
                }
            }
        }

        impl std::os::fd::IntoRawFd for $ty {
            fn into_raw_fd(self) -> std::os::fd::RawFd {
                self.inner.into_raw_fd()
            }
        }

        impl From<std::os::fd::OwnedFd> for $ty {
            fn from(fd: std::os::fd::OwnedFd) -> $ty {
                Self {
                    inner: socket2::Socket::from(fd),
                }
            }
        }

        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.inner.fmt(f)
            }
        }
    )*};
}

impl_socket2_interop!(crate::TcpSocket);
#[cfg(unix)]
impl_socket2_interop!(crate::UnixSocket);

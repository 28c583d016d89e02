//! [`UdpSocket`]: a UDP socket on the runtime's driver.
//!
//! Every operation takes `&self`, so one socket can be shared (e.g. in an `Arc`) by a
//! sending and a receiving task; receivers wait on the driver's reader list, senders on
//! the writer list.
use crate::addr::{self, ToSocketAddrs};
use crate::evented::Evented;
use robin_runtime::io::{Direction, Interest};
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::task::{Context, Poll};
use tokio::io::ReadBuf;

/// A UDP socket.
///
/// ```
/// use robin_net::UdpSocket;
/// let rt = robin_runtime::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
///     let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
///     a.send_to(b"ping", b.local_addr().unwrap()).await.unwrap();
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await.unwrap();
///     assert_eq!(&buf[..n], b"ping");
///     assert_eq!(from, a.local_addr().unwrap());
/// });
/// ```
pub struct UdpSocket {
    pub(crate) io: Evented<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr`, trying each resolved address in turn; fails with the last error
    /// (e.g. `AddrInUse`). Panics outside a robin runtime with the I/O driver, as tokio's.
    pub async fn bind<A: ToSocketAddrs>(addr: A) -> io::Result<UdpSocket> {
        addr::each_addr(&addr, |addr| {
            UdpSocket::new(mio::net::UdpSocket::bind(addr)?)
        })
        .await
    }

    #[track_caller]
    fn new(socket: mio::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: Evented::new(socket, Interest::READABLE | Interest::WRITABLE)?,
        })
    }

    /// Wraps a bound std socket (switching it to non-blocking mode) and registers it with
    /// the current runtime. Panics outside a robin runtime with the I/O driver, as tokio's.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let addr = std_socket.local_addr().unwrap();
    /// let _guard = rt.enter();
    /// let socket = robin_net::UdpSocket::from_std(std_socket).unwrap();
    /// assert_eq!(socket.local_addr().unwrap(), addr);
    /// ```
    #[track_caller]
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        UdpSocket::new(mio::net::UdpSocket::from_std(socket))
    }

    /// Deregisters the socket and returns it as a std socket (non-blocking mode).
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        let mio = self.io.into_inner()?;
        Ok(std::net::UdpSocket::from(std::os::fd::OwnedFd::from(mio)))
    }

    /// Sets the default destination for [`send`](Self::send) and the only source
    /// [`recv`](Self::recv) accepts (the first resolved address that works).
    ///
    /// ```
    /// use robin_net::UdpSocket;
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     a.connect(b.local_addr().unwrap()).await.unwrap();
    ///     b.connect(a.local_addr().unwrap()).await.unwrap();
    ///     assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
    ///     a.send(b"hi").await.unwrap();
    ///     let mut buf = [0; 8];
    ///     let n = b.recv(&mut buf).await.unwrap();
    ///     assert_eq!(&buf[..n], b"hi");
    /// });
    /// ```
    pub async fn connect<A: ToSocketAddrs>(&self, addr: A) -> io::Result<()> {
        addr::each_addr(&addr, |addr| self.io.io().connect(addr)).await
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().local_addr()
    }

    /// The connected peer's address (`NotConnected` if not connected).
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.io().peer_addr()
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.io.io().take_error()
    }

    /// Sends `buf` to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io
            .async_io(Interest::WRITABLE, |io| io.send(buf))
            .await
    }

    /// Receives one datagram from the connected peer into `buf` (excess bytes of a
    /// longer datagram are discarded).
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        // Through a readiness future (one waiter node per call), not the `poll_*` path's
        // single waker: several tasks may await this on one socket at once.
        self.io
            .async_io(Interest::READABLE, |io| io.recv(buf))
            .await
    }

    /// Sends `buf` to `target` (the first address it resolves to).
    pub async fn send_to<A: ToSocketAddrs>(&self, buf: &[u8], target: A) -> io::Result<usize> {
        let target = *addr::resolve(&target)
            .await?
            .first()
            .ok_or_else(addr::no_addresses)?;
        self.io
            .async_io(Interest::WRITABLE, |io| io.send_to(buf, target))
            .await
    }

    /// Receives one datagram and its source address.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |io| io.recv_from(buf))
            .await
    }

    /// Polls for a datagram from the connected peer, filling `buf` (excess bytes of a
    /// longer datagram are discarded).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.io
            .poll_read_buf(cx, buf, |io, bytes| Ok((io.recv(bytes)?, ())))
    }

    /// Polls to send `buf` to the connected peer.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.io.poll_io(cx, Direction::Write, |io| io.send(buf))
    }

    /// Polls for a datagram, filling `buf`; returns its source (the `poll_*` form of
    /// [`recv_from`](Self::recv_from)).
    pub fn poll_recv_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        self.io
            .poll_read_buf(cx, buf, |io, bytes| io.recv_from(bytes))
    }

    /// Polls for the next datagram without removing it, filling `buf`; returns its
    /// source.
    pub fn poll_peek_from(
        &self,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<SocketAddr>> {
        self.io
            .poll_read_buf(cx, buf, |io, bytes| io.peek_from(bytes))
    }

    /// Polls to send `buf` to `target`.
    pub fn poll_send_to(
        &self,
        cx: &mut Context<'_>,
        buf: &[u8],
        target: SocketAddr,
    ) -> Poll<io::Result<usize>> {
        self.io
            .poll_io(cx, Direction::Write, |io| io.send_to(buf, target))
    }

    crate::evented::datagram_methods!();

    /// As [`recv_buf`](Self::recv_buf), without waiting (`WouldBlock` if none queued).
    pub fn try_recv_buf<B: bytes::BufMut>(&self, buf: &mut B) -> io::Result<usize> {
        self.io
            .try_io(Interest::READABLE, |io| {
                crate::buf::read_into(buf, |bytes| Ok((io.recv(bytes)?, ())))
            })
            .map(|(n, ())| n)
    }

    /// As [`recv_buf_from`](Self::recv_buf_from), without waiting.
    ///
    /// ```
    /// use robin_net::UdpSocket;
    /// let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    ///     a.send_to(b"into a Vec", b.local_addr().unwrap()).await.unwrap();
    ///     let mut buf = Vec::with_capacity(32);
    ///     let (n, from) = b.recv_buf_from(&mut buf).await.unwrap();
    ///     assert_eq!((n, &buf[..]), (10, &b"into a Vec"[..]));
    ///     assert_eq!(from, a.local_addr().unwrap());
    ///     // Nothing else queued: the non-waiting form says so.
    ///     let err = b.try_recv_buf_from(&mut buf).unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// });
    /// ```
    pub fn try_recv_buf_from<B: bytes::BufMut>(
        &self,
        buf: &mut B,
    ) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |io| {
            crate::buf::read_into(buf, |bytes| io.recv_from(bytes))
        })
    }

    /// Receives the next datagram without removing it, without waiting.
    pub fn try_peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |io| io.peek_from(buf))
    }

    /// Receives the next datagram without removing it from the queue.
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io
            .async_io(Interest::READABLE, |io| io.peek_from(buf))
            .await
    }

    crate::evented::readiness_methods!("a datagram can be received", "a datagram can be sent");

    /// Sends to the connected peer without waiting (`WouldBlock` if not ready).
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.try_io(Interest::WRITABLE, |io| io.send(buf))
    }

    /// Receives from the connected peer without waiting (`WouldBlock` if nothing queued).
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.try_io(Interest::READABLE, |io| io.recv(buf))
    }

    /// Sends to `target` without waiting.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.io
            .try_io(Interest::WRITABLE, |io| io.send_to(buf, target))
    }

    /// Receives a datagram and its source without waiting.
    pub fn try_recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.try_io(Interest::READABLE, |io| io.recv_from(buf))
    }

    /// Joins the IPv4 multicast group `multiaddr` on the interface with address
    /// `interface` (`Ipv4Addr::UNSPECIFIED`: the system's choice).
    pub fn join_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.io().join_multicast_v4(&multiaddr, &interface)
    }

    /// Leaves the IPv4 multicast group `multiaddr` on `interface`.
    pub fn leave_multicast_v4(&self, multiaddr: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.io.io().leave_multicast_v4(&multiaddr, &interface)
    }

    /// Joins the IPv6 multicast group `multiaddr` on the interface with index
    /// `interface` (0: the system's choice).
    pub fn join_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.io().join_multicast_v6(multiaddr, interface)
    }

    /// Leaves the IPv6 multicast group `multiaddr` on `interface`.
    pub fn leave_multicast_v6(&self, multiaddr: &Ipv6Addr, interface: u32) -> io::Result<()> {
        self.io.io().leave_multicast_v6(multiaddr, interface)
    }

    /// Sets `IP_MULTICAST_LOOP`: whether multicast sent from here loops back locally.
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.io.io().set_multicast_loop_v4(on)
    }

    /// Whether `IP_MULTICAST_LOOP` is set.
    pub fn multicast_loop_v4(&self) -> io::Result<bool> {
        self.io.io().multicast_loop_v4()
    }

    /// Sets `IP_MULTICAST_TTL` (1: stay on the local network).
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_multicast_ttl_v4(ttl)
    }

    /// The `IP_MULTICAST_TTL`.
    pub fn multicast_ttl_v4(&self) -> io::Result<u32> {
        self.io.io().multicast_ttl_v4()
    }

    /// Sets `IPV6_MULTICAST_LOOP`.
    pub fn set_multicast_loop_v6(&self, on: bool) -> io::Result<()> {
        self.io.io().set_multicast_loop_v6(on)
    }

    /// Whether `IPV6_MULTICAST_LOOP` is set.
    pub fn multicast_loop_v6(&self) -> io::Result<bool> {
        self.io.io().multicast_loop_v6()
    }

    /// Sets the IPv4 type-of-service byte (`IP_TOS`).
    pub fn set_tos(&self, tos: u32) -> io::Result<()> {
        socket2::SockRef::from(self.io.io()).set_tos_v4(tos)
    }

    /// The IPv4 type-of-service byte.
    pub fn tos(&self) -> io::Result<u32> {
        socket2::SockRef::from(self.io.io()).tos_v4()
    }

    /// Sets `SO_BROADCAST`.
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.io().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.io().broadcast()
    }

    /// Sets the IP time-to-live.
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.io().set_ttl(ttl)
    }

    /// The IP time-to-live.
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.io().ttl()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.io.io().fmt(f)
    }
}

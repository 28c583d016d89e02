//! `robin::net` through the facade, spelled as a tokio program spells `tokio::net`.
//!
//! Covers every public item of `robin::net` (robin-net's lib.rs, `tcp`, `unix`,
//! `unix::pipe`): `TcpListener`, `TcpStream`, `TcpSocket`, `tcp::{ReadHalf, WriteHalf,
//! OwnedReadHalf, OwnedWriteHalf, ReuniteError}`, `UdpSocket`, `UnixListener`,
//! `UnixStream`, `UnixDatagram`, `UnixSocket`, `unix::{SocketAddr, UCred, ReadHalf,
//! WriteHalf, OwnedReadHalf, OwnedWriteHalf, ReuniteError}`, `unix::pipe::{pipe, Sender,
//! Receiver, OpenOptions}`, `lookup_host`, `ToSocketAddrs`, `Interest`, `Ready`.
//! Real sockets on 127.0.0.1 only; unix paths in a fresh temp dir, removed at the end.
//! Left to robin-net's own tests (and why): multicast join/leave/loop/ttl (needs a
//! multicast route on the test machine), `set_tos`/`tos` (privileged or platform-bound
//! values), the `_vectored`/`_buf` twins of `try_read`/`try_write`/`try_recv` and the
//! `poll_*` twins other than `poll_accept` (same code path as the variants tested here),
//! `pipe::Sender`/`Receiver::from_file*` (`from_owned_fd` is tested), the generic core
//! `stream::{Stream, Kind, Tcp, Unix, AsyncStream}` (reached here through its aliases),
//! and the futures-io trait impls (not a tokio API).
#![cfg(unix)]

use std::io::ErrorKind;
use std::path::PathBuf;
use std::time::Duration;

use robin::io::{AsyncReadExt, AsyncWriteExt};
use robin::net::tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
use robin::net::unix::pipe;
use robin::net::{
    lookup_host, Interest, TcpListener, TcpSocket, TcpStream, ToSocketAddrs, UdpSocket,
    UnixDatagram, UnixListener, UnixSocket, UnixStream,
};

/// A fresh temp dir, removed on drop.
struct TempDir(PathBuf);
impl TempDir {
    fn new(tag: &str) -> TempDir {
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p = std::env::temp_dir().join(format!("robin-facade-{tag}-{}-{n}", std::process::id()));
        std::fs::create_dir(&p).unwrap();
        TempDir(p)
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let c = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    let (s, peer) = l.accept().await.unwrap();
    assert_eq!(peer, c.local_addr().unwrap());
    (c, s)
}

#[robin::test]
async fn tcp_listener_stream_roundtrip_and_options() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0);
    l.set_ttl(42).unwrap();
    assert_eq!(l.ttl().unwrap(), 42);
    let server = robin::spawn(async move {
        let (mut s, _) = l.accept().await.unwrap();
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).await.unwrap();
        s.write_all(&buf).await.unwrap();
        s.shutdown().await.unwrap();
    });
    let mut c = TcpStream::connect(addr).await.unwrap();
    assert_eq!(c.peer_addr().unwrap(), addr);
    c.set_nodelay(true).unwrap();
    assert!(c.nodelay().unwrap());
    c.set_ttl(33).unwrap();
    assert_eq!(c.ttl().unwrap(), 33);
    c.set_linger(Some(Duration::from_secs(1))).unwrap();
    assert_eq!(c.linger().unwrap(), Some(Duration::from_secs(1)));
    c.set_linger(None).unwrap();
    assert!(c.take_error().unwrap().is_none());
    c.write_all(b"hello").await.unwrap();
    let mut got = Vec::new();
    c.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"hello");
    server.await.unwrap();
}

#[robin::test]
async fn tcp_connect_refused_is_an_error() {
    // Bind then drop to get a port nobody listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = TcpStream::connect(("127.0.0.1", port)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
}

#[robin::test]
async fn tcp_from_std_into_std() {
    let std_l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_l.set_nonblocking(true).unwrap();
    let l = TcpListener::from_std(std_l).unwrap();
    let addr = l.local_addr().unwrap();
    let std_c = std::net::TcpStream::connect(addr).unwrap();
    std_c.set_nonblocking(true).unwrap();
    let mut c = TcpStream::from_std(std_c).unwrap();
    let (s, _) = l.accept().await.unwrap();
    c.write_all(b"z").await.unwrap();
    let s_std: std::net::TcpStream = s.into_std().unwrap();
    drop(s_std);
    let _: std::net::TcpListener = l.into_std().unwrap();
}

#[robin::test]
async fn tcp_socket_bind_listen_connect_options() {
    let sock = TcpSocket::new_v4().unwrap();
    sock.set_reuseaddr(true).unwrap();
    assert!(sock.reuseaddr().unwrap());
    sock.set_reuseport(true).unwrap();
    assert!(sock.reuseport().unwrap());
    sock.set_keepalive(true).unwrap();
    assert!(sock.keepalive().unwrap());
    sock.set_send_buffer_size(64 * 1024).unwrap();
    assert!(sock.send_buffer_size().unwrap() > 0);
    sock.set_recv_buffer_size(64 * 1024).unwrap();
    assert!(sock.recv_buffer_size().unwrap() > 0);
    sock.set_nodelay(true).unwrap();
    assert!(sock.nodelay().unwrap());
    sock.set_linger(None).unwrap();
    assert_eq!(sock.linger().unwrap(), None);
    assert!(sock.take_error().unwrap().is_none());
    sock.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = sock.local_addr().unwrap();
    let l: TcpListener = sock.listen(16).unwrap();
    assert_eq!(l.local_addr().unwrap(), addr);

    let csock = TcpSocket::new_v4().unwrap();
    let mut c: TcpStream = csock.connect(addr).await.unwrap();
    let (mut s, _) = l.accept().await.unwrap();
    c.write_all(b"via socket").await.unwrap();
    let mut buf = [0u8; 10];
    s.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"via socket");

    let _ = TcpSocket::new_v6(); // may fail without IPv6; must not panic
    let std_s = std::net::TcpStream::connect(addr).unwrap();
    let _ = TcpSocket::from_std_stream(std_s);
}

#[robin::test]
async fn tcp_peek_readable_writable_try_io() {
    let (c, mut s) = tcp_pair().await;
    let mut buf = [0u8; 8];
    assert_eq!(
        s.try_read(&mut buf).unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    c.writable().await.unwrap();
    assert_eq!(c.try_write(b"peekme").unwrap(), 6);
    // peek does not consume.
    let mut got = 0;
    for _ in 0..100 {
        got += s.peek(&mut buf[got..6]).await.unwrap();
        if got > 0 {
            break;
        }
    }
    assert!(got > 0);
    let mut all = [0u8; 6];
    s.read_exact(&mut all).await.unwrap();
    assert_eq!(&all, b"peekme");
    // ready() with an interest reports it.
    let r = c.ready(Interest::WRITABLE).await.unwrap();
    assert!(r.is_writable());
    // try_read loop as tokio documents it.
    c.try_write(b"ab").unwrap();
    let mut n = 0;
    for _ in 0..100 {
        s.readable().await.unwrap();
        match s.try_read(&mut buf) {
            Ok(k) => {
                n = k;
                break;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(&buf[..n], b"ab");
    // EOF: try_read gives Ok(0) once the peer closes.
    drop(c);
    let mut eof = false;
    for _ in 0..100 {
        s.readable().await.unwrap();
        match s.try_read(&mut buf) {
            Ok(0) => {
                eof = true;
                break;
            }
            Ok(_) => panic!("unexpected data"),
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(eof);
}

#[robin::test]
async fn tcp_split_into_split_reunite() {
    let (mut c, mut s) = tcp_pair().await;
    {
        let (mut r, mut w): (ReadHalf<'_>, WriteHalf<'_>) = c.split();
        w.write_all(b"one").await.unwrap();
        let mut buf = [0u8; 3];
        s.read_exact(&mut buf).await.unwrap();
        s.write_all(b"two").await.unwrap();
        r.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"two");
        assert_eq!(r.peer_addr().unwrap(), w.peer_addr().unwrap());
    }
    let (r, w): (OwnedReadHalf, OwnedWriteHalf) = c.into_split();
    let (r2, w2) = s.into_split();
    // Halves of different streams: ReuniteError hands both back.
    let ReuniteError(r, w2) = r.reunite(w2).unwrap_err();
    let err = w.reunite(r2).unwrap_err();
    assert!(!err.to_string().is_empty());
    let ReuniteError(r2, w) = err;
    let mut c = r.reunite(w).unwrap();
    let mut s = w2.reunite(r2).unwrap();
    c.write_all(b"back").await.unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"back");
    // Dropping an owned write half shuts down the write direction (tokio docs).
    let (mut sr, _sw) = s.into_split();
    let (_cr, cw) = c.into_split();
    drop(cw);
    let mut rest = Vec::new();
    sr.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
}

#[robin::test]
async fn udp_send_to_recv_from_connect_peek() {
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let (aa, ba) = (a.local_addr().unwrap(), b.local_addr().unwrap());
    assert_eq!(a.send_to(b"dgram", ba).await.unwrap(), 5);
    let mut buf = [0u8; 16];
    let (n, from) = b.peek_from(&mut buf).await.unwrap();
    assert_eq!((n, from), (5, aa));
    let (n, from) = b.recv_from(&mut buf).await.unwrap();
    assert_eq!((&buf[..n], from), (&b"dgram"[..], aa));
    // connect + send/recv.
    a.connect(ba).await.unwrap();
    b.connect(aa).await.unwrap();
    assert_eq!(a.peer_addr().unwrap(), ba);
    a.send(b"c1").await.unwrap();
    let n = b.recv(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"c1");
    // try_* without data: WouldBlock.
    assert_eq!(
        b.try_recv(&mut buf).unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    a.set_ttl(9).unwrap();
    assert_eq!(a.ttl().unwrap(), 9);
    a.set_broadcast(true).unwrap();
    assert!(a.broadcast().unwrap());
    assert!(a.take_error().unwrap().is_none());
    // A datagram larger than the buffer is truncated (tokio: excess bytes discarded).
    a.send(b"0123456789").await.unwrap();
    let mut small = [0u8; 4];
    let n = b.recv(&mut small).await.unwrap();
    assert_eq!(&small[..n], b"0123");
    let _: std::net::UdpSocket = a.into_std().unwrap();
}

#[robin::test]
async fn unix_listener_stream_on_a_temp_path() {
    let dir = TempDir::new("uds");
    let path = dir.0.join("sock");
    let l = UnixListener::bind(&path).unwrap();
    assert_eq!(l.local_addr().unwrap().as_pathname(), Some(path.as_path()));
    let mut c = UnixStream::connect(&path).await.unwrap();
    let (mut s, addr) = l.accept().await.unwrap();
    assert!(addr.is_unnamed());
    c.write_all(b"unix").await.unwrap();
    let mut buf = [0u8; 4];
    s.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"unix");
    let cred: robin::net::unix::UCred = s.peer_cred().unwrap();
    assert_eq!(cred.uid(), unsafe_free_geteuid());
    assert_eq!(cred.pid(), Some(std::process::id() as i32));
    let (r, w): (
        robin::net::unix::OwnedReadHalf,
        robin::net::unix::OwnedWriteHalf,
    ) = c.into_split();
    let _c: UnixStream = r.reunite(w).unwrap();
    drop(l);
}

fn unsafe_free_geteuid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // Our own temp file's owner is our effective uid.
    let p = std::env::temp_dir();
    let f = p.join(format!("robin-facade-uid-{}", std::process::id()));
    std::fs::write(&f, b"").unwrap();
    let uid = std::fs::metadata(&f).unwrap().uid();
    std::fs::remove_file(&f).unwrap();
    uid
}

#[robin::test]
async fn unix_stream_pair_split_and_abstract_name() {
    let (mut a, mut b) = UnixStream::pair().unwrap();
    {
        let (mut r, mut w): (
            robin::net::unix::ReadHalf<'_>,
            robin::net::unix::WriteHalf<'_>,
        ) = a.split();
        w.write_all(b"p").await.unwrap();
        let mut one = [0u8; 1];
        b.read_exact(&mut one).await.unwrap();
        b.write_all(b"q").await.unwrap();
        r.read_exact(&mut one).await.unwrap();
        assert_eq!(&one, b"q");
    }
    let (r1, _w1) = a.into_split();
    let (_r2, w2) = b.into_split();
    let robin::net::unix::ReuniteError(_r, _w) = r1.reunite(w2).unwrap_err();

    // Linux abstract namespace: a leading NUL byte.
    #[cfg(target_os = "linux")]
    {
        let name = format!("\0robin-facade-{}", std::process::id());
        let l = UnixListener::bind(&name).unwrap();
        let addr: robin::net::unix::SocketAddr = l.local_addr().unwrap();
        assert_eq!(addr.as_abstract_name(), Some(&name.as_bytes()[1..]));
        assert_eq!(addr.as_pathname(), None);
        let _c = UnixStream::connect(&name).await.unwrap();
        let _ = l.accept().await.unwrap();
    }
}

#[robin::test]
async fn unix_datagram_bind_pair_unbound() {
    let dir = TempDir::new("udg");
    let pa = dir.0.join("a");
    let pb = dir.0.join("b");
    let a = UnixDatagram::bind(&pa).unwrap();
    let b = UnixDatagram::bind(&pb).unwrap();
    a.send_to(b"to b", &pb).await.unwrap();
    let mut buf = [0u8; 8];
    let (n, from) = b.recv_from(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"to b");
    assert_eq!(from.as_pathname(), Some(pa.as_path()));
    a.connect(&pb).unwrap();
    a.send(b"conn").await.unwrap();
    let n = b.recv(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"conn");
    assert_eq!(a.peer_addr().unwrap().as_pathname(), Some(pb.as_path()));
    assert_eq!(
        b.try_recv(&mut buf).unwrap_err().kind(),
        ErrorKind::WouldBlock
    );

    let (x, y) = UnixDatagram::pair().unwrap();
    x.send(b"pair").await.unwrap();
    let n = y.recv(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"pair");
    let u = UnixDatagram::unbound().unwrap();
    assert!(u.local_addr().unwrap().is_unnamed());
    u.send_to(b"anon", &pb).await.unwrap();
    let (n, from) = b.recv_from(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"anon");
    assert!(from.is_unnamed());
    x.shutdown(std::net::Shutdown::Both).unwrap();
    assert!(x.take_error().unwrap().is_none());
}

#[robin::test]
async fn unix_socket_listen_connect_datagram() {
    let dir = TempDir::new("usock");
    let p = dir.0.join("s");
    let s = UnixSocket::new_stream().unwrap();
    s.bind(&p).unwrap();
    let l: UnixListener = s.listen(8).unwrap();
    let c: UnixStream = UnixSocket::new_stream().unwrap().connect(&p).await.unwrap();
    let _ = l.accept().await.unwrap();
    drop(c);
    let d = UnixSocket::new_datagram().unwrap();
    d.bind(dir.0.join("d")).unwrap();
    let dg: UnixDatagram = d.datagram().unwrap();
    assert!(dg.local_addr().unwrap().as_pathname().is_some());
}

#[robin::test]
async fn pipe_sender_receiver() {
    let (tx, mut rx): (pipe::Sender, pipe::Receiver) = pipe::pipe().unwrap();
    let mut tx = tx;
    tx.write_all(b"through a pipe").await.unwrap();
    drop(tx);
    let mut got = String::new();
    rx.read_to_string(&mut got).await.unwrap();
    assert_eq!(got, "through a pipe");

    let (tx, rx) = pipe::pipe().unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(
        rx.try_read(&mut buf).unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    tx.writable().await.unwrap();
    assert_eq!(tx.try_write(b"ok").unwrap(), 2);
    let mut n = 0;
    for _ in 0..100 {
        rx.readable().await.unwrap();
        match rx.try_read(&mut buf) {
            Ok(k) => {
                n = k;
                break;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(&buf[..n], b"ok");
    let r = tx.ready(Interest::WRITABLE).await.unwrap();
    assert!(r.is_writable());
}

#[robin::test]
async fn pipe_open_options_on_a_fifo() {
    let dir = TempDir::new("fifo");
    let p = dir.0.join("f");
    let st = std::process::Command::new("mkfifo").arg(&p).status();
    if !matches!(st, Ok(s) if s.success()) {
        return; // no mkfifo(1) here
    }
    // tokio: open_receiver on a FIFO with no writer succeeds (read_write not needed).
    let mut rx = pipe::OpenOptions::new().open_receiver(&p).unwrap();
    let mut tx = pipe::OpenOptions::new().open_sender(&p).unwrap();
    tx.write_all(b"fifo").await.unwrap();
    let mut buf = [0u8; 4];
    rx.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"fifo");
    // A regular file is not a FIFO: an error (tokio: InvalidInput).
    let reg = dir.0.join("regular");
    std::fs::write(&reg, b"").unwrap();
    let err = pipe::OpenOptions::new().open_receiver(&reg).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let _ = pipe::OpenOptions::new().read_write(true).unchecked(false);
}

#[robin::test]
async fn lookup_host_localhost() {
    let addrs: Vec<std::net::SocketAddr> = lookup_host("localhost:0").await.unwrap().collect();
    assert!(!addrs.is_empty());
    assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 0));
    let addrs: Vec<_> = lookup_host(("127.0.0.1", 80)).await.unwrap().collect();
    assert_eq!(addrs, vec!["127.0.0.1:80".parse().unwrap()]);
    // A missing port is an error.
    assert!(lookup_host("localhost").await.is_err());
    fn takes<A: ToSocketAddrs>(_: A) {}
    takes("127.0.0.1:1");
    takes(std::net::SocketAddr::from(([127, 0, 0, 1], 1)));
}

#[test]
#[should_panic]
fn socket_outside_a_runtime_panics() {
    // tokio: creating a socket outside a runtime with I/O enabled panics.
    let std_l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_l.set_nonblocking(true).unwrap();
    let _ = TcpListener::from_std(std_l);
}

#[robin::test]
async fn nonblocking_variants_std_conversions_and_forget() {
    use std::task::Poll;
    // UDP try_* variants: send now, then retry the receive until the datagram is there.
    let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let ba = b.local_addr().unwrap();
    a.writable().await.unwrap();
    assert_eq!(a.try_send_to(b"t", ba).unwrap(), 1);
    let mut buf = [0u8; 4];
    let mut peeked = None;
    for _ in 0..100 {
        b.readable().await.unwrap();
        match b.try_peek_from(&mut buf) {
            Ok(v) => {
                peeked = Some(v);
                break;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(peeked.unwrap().0, 1);
    let (n, _) = b.try_recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"t");

    // poll_accept on a listener, as tokio documents it (Pending, then Ready once a peer connects).
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let pending = std::future::poll_fn(|cx| Poll::Ready(l.poll_accept(cx).is_pending())).await;
    assert!(pending);
    let _c = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    let (s, _) = std::future::poll_fn(|cx| l.poll_accept(cx)).await.unwrap();

    // OwnedWriteHalf::forget: dropping the half then does not shut the write side down.
    let (mut sr, sw) = s.into_split();
    sw.forget();
    let mut one = [0u8; 1];
    let still_open = std::future::poll_fn(|cx| {
        let mut rb = robin::io::ReadBuf::new(&mut one);
        Poll::Ready(
            robin::io::AsyncRead::poll_read(std::pin::Pin::new(&mut sr), cx, &mut rb).is_pending(),
        )
    })
    .await;
    assert!(still_open);

    // Unix std conversions.
    let (x, y) = std::os::unix::net::UnixStream::pair().unwrap();
    x.set_nonblocking(true).unwrap();
    let x = UnixStream::from_std(x).unwrap();
    let x: std::os::unix::net::UnixStream = x.into_std().unwrap();
    drop((x, y));
    let dir = TempDir::new("ustd");
    let std_l = std::os::unix::net::UnixListener::bind(dir.0.join("l")).unwrap();
    std_l.set_nonblocking(true).unwrap();
    let l = UnixListener::from_std(std_l).unwrap();
    let _: std::os::unix::net::UnixListener = l.into_std().unwrap();

    // A pipe end from an owned fd, and back to a blocking fd.
    let (tx, rx) = pipe::pipe().unwrap();
    let fd: std::os::fd::OwnedFd = rx.into_blocking_fd().unwrap();
    let rx = pipe::Receiver::from_owned_fd(fd).unwrap();
    let mut tx = tx;
    tx.write_all(b"fd").await.unwrap();
    let mut rx = rx;
    let mut two = [0u8; 2];
    rx.read_exact(&mut two).await.unwrap();
    assert_eq!(&two, b"fd");
}

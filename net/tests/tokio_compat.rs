//! tokio-exact items of robin-net, each tested for the behaviour tokio documents:
//! `TcpSocket`, `UnixSocket`, `lookup_host`, std interop, linger, vectored and `*_buf`
//! reads, `poll_*` with `ReadBuf`, UDP options, `peer_cred`, `unix::pipe`, abstract
//! Unix names and tokio's `unix::SocketAddr`, and tokio's I/O traits on every stream
//! and half. All sockets on 127.0.0.1 or in the Unix namespace.
mod common;

use common::{rt, watchdog};
use robin_net::unix::{pipe, UnixSocket};
use robin_net::{
    lookup_host, TcpListener, TcpSocket, TcpStream, UdpSocket, UnixDatagram, UnixListener,
    UnixStream,
};
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

fn unique(name: &str) -> String {
    format!("\0robin-test-{name}-{}", std::process::id())
}

#[test]
fn tcp_socket_options_bind_listen_connect() {
    let _dog = watchdog("tcp_socket_options_bind_listen_connect", 30);
    rt(2).block_on(async {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        assert!(socket.reuseaddr().unwrap());
        socket.set_reuseport(true).unwrap();
        assert!(socket.reuseport().unwrap());
        socket.set_keepalive(true).unwrap();
        assert!(socket.keepalive().unwrap());
        socket.set_send_buffer_size(64 * 1024).unwrap();
        socket.set_recv_buffer_size(64 * 1024).unwrap();
        // Linux doubles the value it is given (for bookkeeping); never less.
        assert!(socket.send_buffer_size().unwrap() >= 64 * 1024);
        assert!(socket.recv_buffer_size().unwrap() >= 64 * 1024);
        socket.set_linger(Some(Duration::from_secs(1))).unwrap();
        assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(1)));
        socket.set_linger(None).unwrap();
        socket.set_tos(0x10).unwrap();
        assert_eq!(socket.tos().unwrap(), 0x10);
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = socket.local_addr().unwrap();
        assert!(addr.ip().is_loopback() && addr.port() != 0);
        let listener = socket.listen(16).unwrap();
        assert_eq!(listener.local_addr().unwrap(), addr);

        // SO_REUSEPORT: a second socket may bind the same port.
        let second = TcpSocket::new_v4().unwrap();
        second.set_reuseport(true).unwrap();
        second.set_reuseaddr(true).unwrap();
        second.bind(addr).unwrap();
        drop(second);

        let client = TcpSocket::new_v4().unwrap();
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());
        let mut stream = client.connect(addr).await.unwrap();
        let (mut server, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, stream.local_addr().unwrap());
        stream.write_all(b"via TcpSocket").await.unwrap();
        let mut buf = [0; 13];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"via TcpSocket");

        // Refused connect reports ConnectionRefused, as TcpStream::connect.
        drop(listener);
        let err = TcpSocket::new_v4()
            .unwrap()
            .connect(addr)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn tcp_socket_fd_round_trip() {
    let socket = TcpSocket::new_v4().unwrap();
    let fd = socket.into_raw_fd();
    // SAFETY: `fd` came from `into_raw_fd` just above; nothing else owns it.
    let socket = unsafe { TcpSocket::from_raw_fd(fd) };
    assert_eq!(socket.as_raw_fd(), fd);
    assert_eq!(socket.as_fd().as_raw_fd(), fd);
    let std = std::net::TcpStream::from(socket.as_fd().try_clone_to_owned().unwrap());
    let again = TcpSocket::from_std_stream(std);
    assert_ne!(again.as_raw_fd(), fd);
}

#[test]
fn lookup_host_resolves_literals_and_names() {
    let _dog = watchdog("lookup_host_resolves_literals_and_names", 30);
    rt(1).block_on(async {
        let addrs: Vec<_> = lookup_host("127.0.0.1:4000").await.unwrap().collect();
        assert_eq!(addrs, ["127.0.0.1:4000".parse().unwrap()]);
        let named: Vec<_> = lookup_host("localhost:4001").await.unwrap().collect();
        assert!(!named.is_empty());
        assert!(named
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 4001));
        let err = lookup_host("127.0.0.1")
            .await
            .err()
            .expect("no port: an error");
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    });
}

#[test]
fn std_interop_try_from_and_fds() {
    let _dog = watchdog("std_interop_try_from_and_fds", 30);
    let rt = rt(1);
    let _guard = rt.enter();
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = std_listener.local_addr().unwrap();
    let fd = std_listener.as_raw_fd();
    let listener = TcpListener::try_from(std_listener).unwrap();
    assert_eq!(listener.as_raw_fd(), fd);
    let std_stream = std::net::TcpStream::connect(addr).unwrap();
    let fd = std_stream.as_raw_fd();
    let stream = TcpStream::try_from(std_stream).unwrap();
    assert_eq!(stream.as_raw_fd(), fd);
    assert_eq!(stream.as_fd().as_raw_fd(), fd);
    let udp = UdpSocket::try_from(std::net::UdpSocket::bind("127.0.0.1:0").unwrap()).unwrap();
    assert!(udp.as_raw_fd() >= 0);
    let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    let a = UnixStream::try_from(a).unwrap();
    assert!(a.as_fd().as_raw_fd() >= 0);
    let (d, _e) = std::os::unix::net::UnixDatagram::pair().unwrap();
    assert!(UnixDatagram::try_from(d).unwrap().as_raw_fd() >= 0);
    let name = unique("interop");
    let std_unix = std::os::unix::net::UnixListener::bind_addr(
        &<std::os::unix::net::SocketAddr as std::os::linux::net::SocketAddrExt>::from_abstract_name(&name.as_bytes()[1..]).unwrap(),
    )
    .unwrap();
    assert!(UnixListener::try_from(std_unix).unwrap().as_raw_fd() >= 0);
}

#[test]
fn linger_on_a_stream() {
    let _dog = watchdog("linger_on_a_stream", 30);
    rt(1).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        assert_eq!(stream.linger().unwrap(), None);
        // Linger zero: close resets the connection, as tokio documents.
        stream.set_linger(Some(Duration::ZERO)).unwrap();
        assert_eq!(stream.linger().unwrap(), Some(Duration::ZERO));
        drop(stream);
        let mut buf = [0; 1];
        let err = server.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    });
}

#[test]
fn vectored_and_buf_reads_and_writes() {
    let _dog = watchdog("vectored_and_buf_reads_and_writes", 30);
    rt(2).block_on(async {
        let (a, b) = UnixStream::pair().unwrap();
        a.writable().await.unwrap();
        let n = a
            .try_write_vectored(&[IoSlice::new(b"one "), IoSlice::new(b"two")])
            .unwrap();
        assert_eq!(n, 7);
        let (mut x, mut y) = ([0; 4], [0; 3]);
        let n = loop {
            b.readable().await.unwrap();
            match b.try_read_vectored(&mut [IoSliceMut::new(&mut x), IoSliceMut::new(&mut y)]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!((n, &x, &y), (7, b"one ", b"two"));
        a.try_write(b"buffered").unwrap();
        let mut buf = Vec::with_capacity(3); // grows: BufMut for Vec has spare capacity
        let mut got = 0;
        while got < 8 {
            b.readable().await.unwrap();
            match b.try_read_buf(&mut buf) {
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(buf, b"buffered");
        // The halves have the same family.
        let (mut r, w) = b.into_split();
        a.try_write(b"h").unwrap();
        r.readable().await.unwrap();
        let mut one = Vec::with_capacity(1);
        assert_eq!(r.try_read_buf(&mut one).unwrap(), 1);
        w.writable().await.unwrap();
        assert_eq!(w.try_write_vectored(&[IoSlice::new(b"v")]).unwrap(), 1);
        let mut back = [0; 1];
        a.readable().await.unwrap();
        assert_eq!(a.try_read(&mut back).unwrap(), 1);
        r.read(&mut [0; 0]).await.unwrap();
    });
}

#[test]
fn poll_peek_fills_a_read_buf_without_consuming() {
    let _dog = watchdog("poll_peek_fills_a_read_buf_without_consuming", 30);
    rt(1).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.write_all(b"peek").await.unwrap();
        let mut storage = [0u8; 4];
        let mut buf = ReadBuf::new(&mut storage);
        while buf.filled().len() < 4 {
            buf.clear();
            let n = std::future::poll_fn(|cx| server.poll_peek(cx, &mut buf))
                .await
                .unwrap();
            assert_eq!(n, buf.filled().len());
        }
        assert_eq!(buf.filled(), b"peek");
        let mut again = [0; 4];
        server.read_exact(&mut again).await.unwrap();
        assert_eq!(&again, b"peek");
        // Through a half, too.
        client.write_all(b"x").await.unwrap();
        let (mut rd, _wr) = server.split();
        let mut one = [0u8; 1];
        let mut buf = ReadBuf::new(&mut one);
        std::future::poll_fn(|cx| rd.poll_peek(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"x");
    });
}

#[test]
fn udp_poll_methods_and_options() {
    let _dog = watchdog("udp_poll_methods_and_options", 30);
    rt(1).block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.set_ttl(33).unwrap();
        assert_eq!(a.ttl().unwrap(), 33);
        a.set_multicast_ttl_v4(2).unwrap();
        assert_eq!(a.multicast_ttl_v4().unwrap(), 2);
        a.set_multicast_loop_v4(false).unwrap();
        assert!(!a.multicast_loop_v4().unwrap());
        a.set_tos(0x08).unwrap();
        assert_eq!(a.tos().unwrap(), 0x08);
        let baddr = b.local_addr().unwrap();
        let n = std::future::poll_fn(|cx| a.poll_send_to(cx, b"dgram", baddr))
            .await
            .unwrap();
        assert_eq!(n, 5);
        let mut storage = [0u8; 16];
        let mut buf = ReadBuf::new(&mut storage);
        let from = std::future::poll_fn(|cx| b.poll_peek_from(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(
            (from, buf.filled()),
            (a.local_addr().unwrap(), &b"dgram"[..])
        );
        let mut buf = ReadBuf::new(&mut storage);
        let from = std::future::poll_fn(|cx| b.poll_recv_from(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(
            (from, buf.filled()),
            (a.local_addr().unwrap(), &b"dgram"[..])
        );
        // Connected poll_send / poll_recv.
        a.connect(baddr).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        std::future::poll_fn(|cx| a.poll_send_ready(cx))
            .await
            .unwrap();
        std::future::poll_fn(|cx| a.poll_send(cx, b"hi"))
            .await
            .unwrap();
        std::future::poll_fn(|cx| b.poll_recv_ready(cx))
            .await
            .unwrap();
        let mut buf = ReadBuf::new(&mut storage);
        std::future::poll_fn(|cx| b.poll_recv(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"hi");
        // The `*_buf` family reads into a BufMut's spare capacity.
        a.send(b"bufmut").await.unwrap();
        let mut v = Vec::with_capacity(16);
        assert_eq!(b.recv_buf(&mut v).await.unwrap(), 6);
        assert_eq!(v, b"bufmut");
        assert_eq!(
            b.try_recv_buf(&mut v).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        a.send(b"+from").await.unwrap();
        b.readable().await.unwrap();
        let (n, from) = loop {
            match b.try_recv_buf_from(&mut v) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => b.readable().await.unwrap(),
                res => break res.unwrap(),
            }
        };
        assert_eq!(
            (n, from, &v[..]),
            (5, a.local_addr().unwrap(), &b"bufmut+from"[..])
        );
        assert_eq!(
            b.try_peek_from(&mut [0; 4]).unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
    });
}

#[test]
fn peer_cred_is_this_process() {
    let _dog = watchdog("peer_cred_is_this_process", 30);
    rt(1).block_on(async {
        let (a, _b) = UnixStream::pair().unwrap();
        let cred = a.peer_cred().unwrap();
        // SAFETY: getuid/getgid/getpid have no preconditions.
        let (uid, gid, pid) = unsafe { (libc::getuid(), libc::getgid(), libc::getpid()) };
        assert_eq!((cred.uid(), cred.gid(), cred.pid()), (uid, gid, Some(pid)));
    });
}

#[test]
fn abstract_names_and_socket_addr() {
    let _dog = watchdog("abstract_names_and_socket_addr", 30);
    rt(2).block_on(async {
        let name = unique("abstract");
        let listener = UnixListener::bind(&name).unwrap();
        let local = listener.local_addr().unwrap();
        assert_eq!(local.as_abstract_name(), Some(&name.as_bytes()[1..]));
        assert_eq!(local.as_pathname(), None);
        let mut client = UnixStream::connect(&name).await.unwrap();
        let (mut server, peer) = listener.accept().await.unwrap();
        assert!(peer.is_unnamed());
        client.write_all(b"abstract").await.unwrap();
        let mut buf = [0; 8];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"abstract");
        let std_addr: std::os::unix::net::SocketAddr = client.peer_addr().unwrap().into();
        assert!(!std_addr.is_unnamed());
        // Binding the same abstract name again: AddrInUse.
        assert_eq!(
            UnixListener::bind(&name).unwrap_err().kind(),
            io::ErrorKind::AddrInUse
        );
        // Datagrams with abstract names.
        let dname = unique("abstract-dgram");
        let rx = UnixDatagram::bind(&dname).unwrap();
        let tx = UnixDatagram::unbound().unwrap();
        tx.send_to(b"to a name", &dname).await.unwrap();
        let mut buf = [0; 16];
        let (n, _from) = rx.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"to a name");
        tx.connect(&dname).unwrap();
        tx.send(b"connected").await.unwrap();
        let n = rx.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"connected");
        assert_eq!(
            rx.local_addr().unwrap().as_abstract_name(),
            Some(&dname.as_bytes()[1..])
        );
    });
}

#[test]
fn unix_socket_stream_and_datagram() {
    let _dog = watchdog("unix_socket_stream_and_datagram", 30);
    rt(1).block_on(async {
        let dir = std::env::temp_dir().join(format!("robin-unixsocket-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s");
        let server = UnixSocket::new_stream().unwrap();
        server.bind(&path).unwrap();
        assert_eq!(
            server.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let listener = server.listen(8).unwrap();
        let mut client = UnixSocket::new_stream()
            .unwrap()
            .connect(&path)
            .await
            .unwrap();
        let (mut conn, _) = listener.accept().await.unwrap();
        client.write_all(b"ok").await.unwrap();
        let mut buf = [0; 2];
        conn.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ok");
        // A stream socket is not a datagram socket, and the other way round.
        assert_eq!(
            UnixSocket::new_stream()
                .unwrap()
                .datagram()
                .unwrap_err()
                .kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            UnixSocket::new_datagram()
                .unwrap()
                .listen(1)
                .unwrap_err()
                .kind(),
            io::ErrorKind::InvalidInput
        );
        let dpath = dir.join("d");
        let d = UnixSocket::new_datagram().unwrap();
        d.bind(&dpath).unwrap();
        let d = d.datagram().unwrap();
        let tx = UnixDatagram::unbound().unwrap();
        tx.send_to(b"dg", &dpath).await.unwrap();
        let mut buf = [0; 4];
        assert_eq!(d.recv(&mut buf).await.unwrap(), 2);
        // Connecting to nothing: NotFound.
        let err = UnixSocket::new_stream()
            .unwrap()
            .connect(dir.join("missing"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

#[test]
fn pipes_eof_broken_pipe_and_fifos() {
    let _dog = watchdog("pipes_eof_broken_pipe_and_fifos", 30);
    rt(2).block_on(async {
        let (mut tx, mut rx) = pipe::pipe().unwrap();
        // More than a pipe buffer (64 KiB): the writer waits for the reader.
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let expected = data.clone();
        let writer = robin_runtime::spawn(async move {
            tx.write_all(&data).await.unwrap();
            // Dropping the last write end: EOF for the reader.
        });
        let mut got = Vec::new();
        rx.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        assert_eq!(got, expected);

        let (mut tx, rx) = pipe::pipe().unwrap();
        drop(rx);
        let err = tx.write_all(b"nobody").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);

        // A named FIFO, opened read-write so the sender needs no reader first.
        let dir = std::env::temp_dir().join(format!("robin-fifo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fifo");
        let cpath = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `cpath` is a valid NUL-terminated path for the call.
        assert_eq!(unsafe { libc::mkfifo(cpath.as_ptr(), 0o600) }, 0);
        let rx = pipe::OpenOptions::new().open_receiver(&path).unwrap();
        let mut tx = pipe::OpenOptions::new().open_sender(&path).unwrap();
        tx.write_all(b"fifo").await.unwrap();
        let mut buf = [0; 4];
        let mut rx = rx;
        rx.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"fifo");
        // A regular file is refused unless `unchecked`.
        let file = dir.join("plain");
        std::fs::write(&file, b"").unwrap();
        let err = pipe::OpenOptions::new().open_receiver(&file).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        // from_owned_fd checks the access mode.
        let (tx2, rx2) = pipe::pipe().unwrap();
        let read_end = rx2.into_blocking_fd().unwrap();
        assert_eq!(
            pipe::Sender::from_owned_fd(read_end).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        drop(tx2);
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

/// tokio's traits on every stream and half type (as tokio-util & co. require them).
fn tokio_traits<T: AsyncRead + AsyncWrite + Unpin + Send>() {}
fn tokio_read<T: AsyncRead + Unpin + Send>() {}
fn tokio_write<T: AsyncWrite + Unpin + Send>() {}

#[test]
fn every_stream_and_half_speaks_tokio_io() {
    tokio_traits::<TcpStream>();
    tokio_traits::<UnixStream>();
    tokio_read::<robin_net::tcp::ReadHalf<'static>>();
    tokio_read::<robin_net::tcp::OwnedReadHalf>();
    tokio_read::<robin_net::unix::ReadHalf<'static>>();
    tokio_read::<robin_net::unix::OwnedReadHalf>();
    tokio_read::<pipe::Receiver>();
    tokio_write::<robin_net::tcp::WriteHalf<'static>>();
    tokio_write::<robin_net::tcp::OwnedWriteHalf>();
    tokio_write::<robin_net::unix::WriteHalf<'static>>();
    tokio_write::<robin_net::unix::OwnedWriteHalf>();
    tokio_write::<pipe::Sender>();
    let _dog = watchdog("every_stream_and_half_speaks_tokio_io", 30);
    rt(2).block_on(async {
        // Behaviour: tokio's copy over owned Unix halves and borrowed TCP halves.
        let (a, mut b) = UnixStream::pair().unwrap();
        let (mut rd, mut wr) = a.into_split();
        let echo = robin_runtime::spawn(async move { tokio::io::copy(&mut rd, &mut wr).await });
        b.write_all(b"echo me").await.unwrap();
        let mut buf = [0; 7];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"echo me");
        b.shutdown().await.unwrap();
        assert_eq!(echo.await.unwrap().unwrap(), 7);
        // Shutting a write half down: the peer reads EOF, and reunite still works.
        let (a, mut b) = UnixStream::pair().unwrap();
        let (rd, mut wr) = a.into_split();
        AsyncWriteExt::shutdown(&mut wr).await.unwrap();
        assert_eq!(b.read(&mut buf).await.unwrap(), 0);
        let whole = rd.reunite(wr).unwrap();
        assert!(whole.peer_addr().unwrap().is_unnamed());
        // Halves of different streams do not reunite, and both come back.
        let (x, _x2) = UnixStream::pair().unwrap();
        let (y, _y2) = UnixStream::pair().unwrap();
        let (xr, _xw) = x.into_split();
        let (_yr, yw) = y.into_split();
        let err = xr.reunite(yw).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tried to reunite halves that are not from the same socket"
        );
    });
}

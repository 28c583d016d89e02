//! `ready(interest)` reports only what `interest` asked for, as tokio's
//! (`Ready::from_interest`): `ERROR` only for `Interest::ERROR`, a closed flag only for
//! its own direction. robin still wakes a reader on a pending error (so the read runs
//! and returns it rather than waiting); that wake reports `READABLE`. 127.0.0.1 only;
//! every wait is bounded by a timeout.
use robin::io::unix::AsyncFd;
use robin::io::{Interest, Ready};
use robin::net::{TcpListener, TcpStream, UdpSocket};
use std::io;
use std::time::Duration;

const BOUND: Duration = Duration::from_secs(10);

fn rt() -> robin::runtime::Runtime {
    robin::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A UDP port nobody listens on (bound, noted, closed).
fn closed_udp_port() -> std::net::SocketAddr {
    let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    closed.local_addr().unwrap()
}

#[test]
fn udp_ready_readable_does_not_report_a_pending_error() {
    rt().block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        socket.connect(closed_udp_port()).await.unwrap();
        socket.send(b"anyone?").await.unwrap();
        // The ICMP port-unreachable makes SO_ERROR pending; Interest::ERROR sees it.
        let ready = robin::time::timeout(BOUND, socket.ready(Interest::ERROR))
            .await
            .expect("error readiness never reported")
            .unwrap();
        assert_eq!(ready, Ready::ERROR);
        // A reader is told the socket is readable (the recv will not block), never ERROR.
        let ready = robin::time::timeout(BOUND, socket.ready(Interest::READABLE))
            .await
            .expect("a pending error must wake a reader")
            .unwrap();
        assert!(!ready.is_error(), "{ready:?}");
        assert!(!ready.is_write_closed(), "{ready:?}");
        assert!(ready.is_readable(), "{ready:?}");
        // ...and the recv returns the error.
        let mut buf = [0; 16];
        let err = socket.try_recv(&mut buf).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn async_fd_guard_reports_only_the_asked_readiness() {
    rt().block_on(async {
        let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        std_socket.set_nonblocking(true).unwrap();
        std_socket.connect(closed_udp_port()).unwrap();
        std_socket.send(b"anyone?").unwrap();
        let fd = AsyncFd::new(std_socket).unwrap();
        let guard = robin::time::timeout(BOUND, fd.ready(Interest::ERROR))
            .await
            .expect("error readiness never reported")
            .unwrap();
        assert!(guard.ready().is_error());
        drop(guard);
        let guard = robin::time::timeout(BOUND, fd.writable())
            .await
            .expect("writable")
            .unwrap();
        let ready = guard.ready();
        assert!(!ready.is_error(), "{ready:?}");
        assert!(!ready.is_read_closed() && !ready.is_readable(), "{ready:?}");
        assert!(ready.is_writable(), "{ready:?}");
        drop(guard);
        let guard = robin::time::timeout(BOUND, fd.readable())
            .await
            .expect("a pending error must wake a reader")
            .unwrap();
        let ready = guard.ready();
        assert!(!ready.is_error() && !ready.is_writable(), "{ready:?}");
        assert!(ready.is_readable(), "{ready:?}");
    });
}

#[test]
fn tcp_closed_flags_are_reported_only_for_their_direction() {
    rt().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        drop(server);
        // The peer closed: a reader sees READ_CLOSED...
        let ready = robin::time::timeout(BOUND, client.ready(Interest::READABLE))
            .await
            .expect("read-closed never reported")
            .unwrap();
        assert!(ready.is_read_closed(), "{ready:?}");
        assert!(!ready.is_writable() && !ready.is_error(), "{ready:?}");
        // ...a writer does not.
        let ready = robin::time::timeout(BOUND, client.ready(Interest::WRITABLE))
            .await
            .expect("writable")
            .unwrap();
        assert!(ready.is_writable(), "{ready:?}");
        assert!(!ready.is_read_closed() && !ready.is_readable(), "{ready:?}");
    });
}

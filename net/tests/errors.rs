//! Errors are values: refused connections, addresses in use, resets, writes after
//! shutdown, sockets outside or after their runtime. 127.0.0.1 only; loops bounded.
mod common;

use common::{rt, watchdog};
use robin_net::{TcpListener, TcpStream, UdpSocket};
use std::io::ErrorKind;

#[test]
fn connect_to_closed_port_is_refused() {
    let _dog = watchdog("connect_to_closed_port_is_refused", 30);
    rt(2).block_on(async {
        // Bind a port, note it, and close the listener: nobody listens there now.
        let addr = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn bind_address_in_use() {
    let _dog = watchdog("bind_address_in_use", 30);
    rt(2).block_on(async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = TcpListener::bind(first.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let err = UdpSocket::bind(udp.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
    });
}

/// The peer closes with unread data in its receive buffer, so Linux sends RST: our side's
/// reads/writes fail with ConnectionReset or BrokenPipe (never hang, never panic).
#[test]
fn peer_reset_mid_stream() {
    let _dog = watchdog("peer_reset_mid_stream", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(&[7u8; 4096]).await.unwrap();
        server.readable().await.unwrap();
        drop(server); // unread data: RST

        let mut buf = [0u8; 1024];
        let mut err = None;
        for _ in 0..1000 {
            match client.read(&mut buf).await {
                Err(e) => {
                    err = Some(e);
                    break;
                }
                Ok(_) => {
                    if let Err(e) = client.write(&[1u8; 1024]).await {
                        err = Some(e);
                        break;
                    }
                }
            }
        }
        let err = err.expect("the reset was never reported");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err:?}"
        );
    });
}

#[test]
fn write_after_shutdown_fails() {
    let _dog = watchdog("write_after_shutdown_fails", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (_server, _) = listener.accept().await.unwrap();
        client.shutdown().await.unwrap();
        let err = client.write_all(b"too late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
    });
}

/// Sockets whose runtime was dropped: every wait fails with an io::Error.
#[test]
fn socket_used_after_runtime_dropped() {
    let _dog = watchdog("socket_used_after_runtime_dropped", 30);
    let rt = rt(2);
    let (listener, mut client, server, udp) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        (listener, client, server, udp)
    });
    drop(rt);
    futures::executor::block_on(async {
        let mut buf = [0u8; 8];
        assert!(client.read(&mut buf).await.is_err());
        assert!(client.write_all(b"x").await.is_err());
        assert!(server.readable().await.is_err());
        assert!(server.try_read(&mut buf).is_err());
        assert!(listener.accept().await.is_err());
        assert!(udp.recv_from(&mut buf).await.is_err());
        assert!(udp.send_to(b"x", "127.0.0.1:9").await.is_err());
    });
    // Dropping them afterwards is fine too.
    drop((listener, client, server, udp));
}

/// Creating sockets outside any runtime is an error, not a panic.
#[test]
fn sockets_outside_a_runtime() {
    futures::executor::block_on(async {
        assert!(TcpListener::bind("127.0.0.1:0").await.is_err());
        assert!(TcpListener::bind("localhost:0").await.is_err());
        assert!(UdpSocket::bind("127.0.0.1:0").await.is_err());
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std_listener.local_addr().unwrap();
        assert!(TcpStream::connect(addr).await.is_err());
        assert!(TcpListener::from_std(std_listener).is_err());
    });
}

//! UDP round trips on 127.0.0.1.
mod common;

use common::{rt, watchdog};
use robin_net::UdpSocket;
use std::io::ErrorKind;
use std::sync::Arc;

#[test]
fn send_to_recv_from_round_trips() {
    let _dog = watchdog("send_to_recv_from_round_trips", 30);
    rt(2).block_on(async {
        let server = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let server_addr = server.local_addr().unwrap();
        let echo = {
            let server = server.clone();
            robin_runtime::spawn(async move {
                let mut buf = [0u8; 1500];
                for _ in 0..100 {
                    let (n, from) = server.recv_from(&mut buf).await.unwrap();
                    server.send_to(&buf[..n], from).await.unwrap();
                }
            })
        };
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut buf = [0u8; 1500];
        for i in 0..100u32 {
            let msg = i.to_be_bytes();
            client.send_to(&msg, server_addr).await.unwrap();
            let (n, from) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(from, server_addr);
            assert_eq!(&buf[..n], &msg);
        }
        echo.await.unwrap();
    });
}

#[test]
fn connect_send_recv_peek_and_try() {
    let _dog = watchdog("connect_send_recv_peek_and_try", 30);
    rt(2).block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind(("127.0.0.1", 0)).await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());

        let mut buf = [0u8; 64];
        assert_eq!(
            b.try_recv(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        for i in 0..50u8 {
            assert_eq!(a.send(&[i; 10]).await.unwrap(), 10);
            let (n, from) = b.peek_from(&mut buf).await.unwrap();
            assert_eq!((n, from), (10, a.local_addr().unwrap()));
            let n = b.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &[i; 10]);
        }
        // try_send/try_recv after waiting for readiness (bounded retries).
        a.writable().await.unwrap();
        a.try_send(b"try").unwrap();
        let mut got = None;
        for _ in 0..1000 {
            b.readable().await.unwrap();
            match b.try_recv(&mut buf) {
                Ok(n) => {
                    got = Some(buf[..n].to_vec());
                    break;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got.as_deref(), Some(&b"try"[..]));
    });
}

//! TCP behaviour: a 1000-connection echo, half-close, splits, try_* and peek, name
//! resolution, std conversions. 127.0.0.1 only; every loop is bounded.
mod common;

use common::{pattern, rt, watchdog};
use robin_net::{Interest, TcpListener, TcpStream};
use std::io::ErrorKind;

const CONNS: usize = 1000;
const PAYLOAD: usize = 64 * 1024;

/// 1000 concurrent connections on a 2-worker runtime, each sending 64 KiB through an
/// echo server and checking every byte that comes back.
#[test]
fn echo_1000_connections_64k_each() {
    let _dog = watchdog("echo_1000_connections_64k_each", 120);
    let limit = common::raise_nofile_limit();
    assert!(
        limit >= (2 * CONNS + 64) as u64,
        "RLIMIT_NOFILE {limit} too low for {CONNS} connections"
    );
    let rt = rt(2);
    let total = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = robin_runtime::spawn(async move {
            let mut echoes = Vec::with_capacity(CONNS);
            for _ in 0..CONNS {
                let (mut socket, _) = listener.accept().await.unwrap();
                echoes.push(robin_runtime::spawn(async move {
                    let (mut rd, mut wr) = socket.split();
                    let mut buf = vec![0u8; 16 * 1024];
                    let mut echoed = 0;
                    loop {
                        let n = rd.read(&mut buf).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        wr.write_all(&buf[..n]).await.unwrap();
                        echoed += n;
                    }
                    echoed
                }));
            }
            let mut total = 0;
            for e in echoes {
                total += e.await.unwrap();
            }
            total
        });
        let clients: Vec<_> = (0..CONNS)
            .map(|conn| {
                robin_runtime::spawn(async move {
                    let mut stream = TcpStream::connect(addr).await.unwrap();
                    let payload: Vec<u8> = (0..PAYLOAD).map(|i| pattern(conn, i)).collect();
                    let (mut rd, mut wr) = stream.split();
                    let send = async {
                        wr.write_all(&payload).await.unwrap();
                        wr.shutdown().await.unwrap();
                    };
                    let recv = async {
                        let mut back = Vec::with_capacity(PAYLOAD);
                        rd.read_to_end(&mut back).await.unwrap();
                        back
                    };
                    let ((), back) = futures::join!(send, recv);
                    assert_eq!(back.len(), PAYLOAD, "connection {conn}: length");
                    for (i, b) in back.iter().enumerate() {
                        assert_eq!(*b, pattern(conn, i), "connection {conn}: byte {i}");
                    }
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        server.await.unwrap()
    });
    assert_eq!(total, CONNS * PAYLOAD);
}

/// The client shuts its write side; the server reads to EOF, then replies; the client
/// still reads the reply.
#[test]
fn half_close() {
    let _dog = watchdog("half_close", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = robin_runtime::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            socket.read_to_end(&mut request).await.unwrap();
            let reply = format!("got {} bytes", request.len());
            socket.write_all(reply.as_bytes()).await.unwrap();
            request
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"request body").await.unwrap();
        client.shutdown().await.unwrap();
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.unwrap();
        assert_eq!(reply, b"got 12 bytes");
        assert_eq!(server.await.unwrap(), b"request body");
    });
}

/// `into_split` halves move to different tasks, and `reunite` refuses foreign halves.
#[test]
fn into_split_across_tasks_and_reunite() {
    let _dog = watchdog("into_split_across_tasks_and_reunite", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let a = TcpStream::connect(addr).await.unwrap();
        let (mut a_peer, _) = listener.accept().await.unwrap();
        let b = TcpStream::connect(addr).await.unwrap();
        let (_b_peer, _) = listener.accept().await.unwrap();

        let (mut a_rd, a_wr) = a.into_split();
        let (b_rd, b_wr) = b.into_split();
        let err = a_rd.reunite(b_wr).unwrap_err();
        assert!(err.to_string().contains("not from the same socket"));
        let (a_rd2, b_wr) = (err.0, err.1);
        a_rd = a_rd2;
        drop(b_rd.reunite(b_wr).unwrap());

        let writer = robin_runtime::spawn(async move {
            let mut a_wr = a_wr;
            for i in 0..100u8 {
                a_wr.write_all(&[i; 100]).await.unwrap();
            }
            // Dropping the owned write half shuts the write side down.
        });
        let mut got = Vec::new();
        a_peer.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        assert_eq!(got.len(), 100 * 100);
        assert!(got
            .chunks(100)
            .enumerate()
            .all(|(i, c)| c.iter().all(|&b| b == i as u8)));
        a_peer.write_all(b"bye").await.unwrap();
        drop(a_peer);
        let mut tail = Vec::new();
        a_rd.read_to_end(&mut tail).await.unwrap();
        assert_eq!(tail, b"bye");
    });
}

/// `try_read`/`try_write` with `readable`/`writable`/`ready`, and `peek`.
#[test]
fn try_io_ready_and_peek() {
    let _dog = watchdog("try_io_ready_and_peek", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (mut server, _) = listener.accept().await.unwrap();
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());

        let mut buf = [0u8; 16];
        assert_eq!(
            server.try_read(&mut buf).unwrap_err().kind(),
            ErrorKind::WouldBlock
        );
        let ready = client.ready(Interest::WRITABLE).await.unwrap();
        assert!(ready.is_writable());
        assert_eq!(client.try_write(b"peekaboo").unwrap(), 8);

        let n = server.peek(&mut buf).await.unwrap();
        assert!(n > 0 && n <= 8);
        assert_eq!(&buf[..n], &b"peekaboo"[..n]);
        // Peeked data is still there.
        let mut got = Vec::new();
        for _ in 0..1000 {
            if got.len() == 8 {
                break;
            }
            server.readable().await.unwrap();
            match server.try_read(&mut buf) {
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(got, b"peekaboo");
        // An empty read buffer returns at once.
        assert_eq!(server.read(&mut []).await.unwrap(), 0);
    });
}

/// `bind("localhost:0")` resolves on the blocking pool; connecting by name works too.
#[test]
fn resolve_localhost() {
    let _dog = watchdog("resolve_localhost", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accept = robin_runtime::spawn(async move { listener.accept().await.map(|(_, p)| p) });
        // "localhost" may resolve to ::1 first: connect tries each address in turn.
        let stream = TcpStream::connect(("localhost", port)).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap().port(), port);
        assert!(accept.await.unwrap().unwrap().ip().is_loopback());

        let named = TcpListener::bind("localhost:0").await.unwrap();
        assert!(named.local_addr().unwrap().ip().is_loopback());
        let err = TcpListener::bind("not a valid address").await.unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::InvalidInput) || err.raw_os_error().is_none());
    });
}

/// `from_std`/`into_std` round trips keep the connection.
#[test]
fn std_conversions() {
    let _dog = watchdog("std_conversions", 30);
    rt(2).block_on(async {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = std_listener.local_addr().unwrap();
        let listener = TcpListener::from_std(std_listener).unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let std_client = client.into_std().unwrap();
        let mut client = TcpStream::from_std(std_client).unwrap();
        let mut server = server;
        client.write_all(b"again").await.unwrap();
        let mut buf = [0; 5];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"again");
        let back = listener.into_std().unwrap();
        assert_eq!(back.local_addr().unwrap(), addr);
    });
}

//! Unix stream and datagram round trips, in a unique temp dir that is removed afterwards.
mod common;

use common::{rt, watchdog};
use robin_net::{UnixDatagram, UnixListener, UnixStream};
use std::path::{Path, PathBuf};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("robin-net-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn unix_stream_echo_via_listener() {
    let _dog = watchdog("unix_stream_echo_via_listener", 30);
    let dir = TempDir::new("stream");
    let path = dir.path("echo.sock");
    rt(2).block_on(async {
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let server = robin_runtime::spawn(async move {
            for _ in 0..10 {
                let (mut socket, _) = listener.accept().await.unwrap();
                robin_runtime::spawn(async move {
                    let (mut rd, mut wr) = socket.split();
                    let mut buf = [0u8; 4096];
                    loop {
                        let n = rd.read(&mut buf).await.unwrap();
                        if n == 0 {
                            break;
                        }
                        wr.write_all(&buf[..n]).await.unwrap();
                    }
                });
            }
        });
        let clients: Vec<_> = (0..10usize)
            .map(|c| {
                let path = path.clone();
                robin_runtime::spawn(async move {
                    let stream = UnixStream::connect(&path).await.unwrap();
                    assert_eq!(
                        stream.peer_addr().unwrap().as_pathname(),
                        Some(path.as_path())
                    );
                    let payload: Vec<u8> = (0..100_000).map(|i| common::pattern(c, i)).collect();
                    let (mut rd, mut wr) = stream.into_split();
                    let writer = robin_runtime::spawn(async move {
                        wr.write_all(&payload).await.unwrap();
                        payload
                    });
                    let mut back = Vec::new();
                    rd.read_to_end(&mut back).await.unwrap();
                    assert!(back == writer.await.unwrap(), "client {c}: echo differs");
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        server.await.unwrap();
    });
}

#[test]
fn unix_stream_pair_and_errors() {
    let _dog = watchdog("unix_stream_pair_and_errors", 30);
    let dir = TempDir::new("stream-errors");
    rt(2).block_on(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        a.write_all(b"ping").await.unwrap();
        let mut buf = [0; 4];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        a.shutdown().await.unwrap();
        assert!(a.write_all(b"late").await.is_err());
        assert_eq!(b.read(&mut buf).await.unwrap(), 0);

        // No socket at that path.
        let err = UnixStream::connect(dir.path("missing.sock"))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
        // Binding twice.
        let path = dir.path("twice.sock");
        let _l = UnixListener::bind(&path).unwrap();
        let err = UnixListener::bind(&path).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse, "{err}");
    });
}

#[test]
fn unix_datagram_round_trips() {
    let _dog = watchdog("unix_datagram_round_trips", 30);
    let dir = TempDir::new("datagram");
    let server_path = dir.path("server.sock");
    let client_path = dir.path("client.sock");
    rt(2).block_on(async {
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        let echo = robin_runtime::spawn(async move {
            let mut buf = [0u8; 256];
            for _ in 0..50 {
                let (n, from) = server.recv_from(&mut buf).await.unwrap();
                let from = from.as_pathname().unwrap().to_path_buf();
                server.send_to(&buf[..n], &from).await.unwrap();
            }
        });
        let mut buf = [0u8; 256];
        for i in 0..50u32 {
            client
                .send_to(&i.to_le_bytes(), &server_path)
                .await
                .unwrap();
            let (n, from) = client.recv_from(&mut buf).await.unwrap();
            assert_eq!(from.as_pathname(), Some(server_path.as_path()));
            assert_eq!(&buf[..n], &i.to_le_bytes());
        }
        echo.await.unwrap();

        // connect + send/recv, unbound sender, and a pair.
        let receiver = UnixDatagram::bind(dir.path("receiver.sock")).unwrap();
        let sender = UnixDatagram::unbound().unwrap();
        sender.connect(dir.path("receiver.sock")).unwrap();
        assert_eq!(
            sender.peer_addr().unwrap().as_pathname(),
            Some(Path::new(&dir.path("receiver.sock")))
        );
        sender.send(b"connected").await.unwrap();
        let n = receiver.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"connected");

        let (a, b) = UnixDatagram::pair().unwrap();
        b.send(b"pair").await.unwrap();
        let n = a.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"pair");
    });
}

//! The `AsyncRead`/`AsyncWrite` impls: futures-io always, tokio's with `tokio-io`.
mod common;

use common::{rt, watchdog};
use robin_net::{TcpListener, TcpStream, UnixStream};

/// An echo through `futures::io` combinators on robin streams and halves.
#[test]
fn futures_io_echo() {
    use futures::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let _dog = watchdog("futures_io_echo", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = robin_runtime::spawn(async move {
            let (socket, _) = listener.accept().await.unwrap();
            let (rd, mut wr) = socket.into_split();
            // futures::io::copy needs AsyncRead on the read half, AsyncWrite on the write half.
            let n = futures::io::copy(rd, &mut wr).await.unwrap();
            AsyncWriteExt::close(&mut wr).await.unwrap();
            n
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        let lines: Vec<String> = (0..100).map(|i| format!("line {i}\n")).collect();
        for line in &lines {
            AsyncWriteExt::write_all(&mut client, line.as_bytes())
                .await
                .unwrap();
        }
        AsyncWriteExt::close(&mut client).await.unwrap();
        let mut reader = BufReader::new(client);
        let mut got = Vec::new();
        for _ in 0..200 {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap() == 0 {
                break;
            }
            got.push(line);
        }
        assert_eq!(got, lines);
        let mut rest = Vec::new();
        assert_eq!(
            AsyncReadExt::read_to_end(&mut reader, &mut rest)
                .await
                .unwrap(),
            0
        );
        let total: usize = lines.iter().map(String::len).sum();
        assert_eq!(server.await.unwrap(), total as u64);

        // Borrowed halves of a UnixStream too.
        // UFCS: with `futures::io::AsyncReadExt` in scope, `a.split()` would pick its
        // by-value `split` (a BiLock) over the inherent `&mut self` one.
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let (mut rd, mut wr) = UnixStream::split(&mut a);
        AsyncWriteExt::write_all(&mut wr, b"unix").await.unwrap();
        let mut buf = [0u8; 4];
        AsyncReadExt::read_exact(&mut b, &mut buf).await.unwrap();
        AsyncWriteExt::write_all(&mut b, &buf).await.unwrap();
        let mut back = [0u8; 4];
        AsyncReadExt::read_exact(&mut rd, &mut back).await.unwrap();
        assert_eq!(&back, b"unix");
    });
}

/// tokio's `AsyncReadExt`/`AsyncWriteExt`/`BufReader`/`copy` on robin streams.

#[test]
fn tokio_io_echo() {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let _dog = watchdog("tokio_io_echo", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = robin_runtime::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (mut rd, mut wr) = socket.split();
            let n = tokio::io::copy(&mut rd, &mut wr).await.unwrap();
            AsyncWriteExt::shutdown(&mut wr).await.unwrap();
            n
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        let lines: Vec<String> = (0..100).map(|i| format!("tokio line {i}\n")).collect();
        for line in &lines {
            AsyncWriteExt::write_all(&mut client, line.as_bytes())
                .await
                .unwrap();
        }
        AsyncWriteExt::flush(&mut client).await.unwrap();
        AsyncWriteExt::shutdown(&mut client).await.unwrap();
        let mut reader = BufReader::new(client);
        let mut got = Vec::new();
        for _ in 0..200 {
            let mut line = String::new();
            if reader.read_line(&mut line).await.unwrap() == 0 {
                break;
            }
            got.push(line);
        }
        assert_eq!(got, lines);
        let total: usize = lines.iter().map(String::len).sum();
        assert_eq!(server.await.unwrap(), total as u64);

        let (a, mut b) = UnixStream::pair().unwrap();
        let (mut rd, mut wr) = a.into_split();
        AsyncWriteExt::write_all(&mut wr, b"owned").await.unwrap();
        let mut buf = [0u8; 5];
        AsyncReadExt::read_exact(&mut b, &mut buf).await.unwrap();
        AsyncWriteExt::write_all(&mut b, &buf).await.unwrap();
        let mut back = [0u8; 5];
        AsyncReadExt::read_exact(&mut rd, &mut back).await.unwrap();
        assert_eq!(&back, b"owned");
    });
}

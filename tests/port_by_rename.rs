//! Programs written the tokio way, ported by renaming `tokio` to `robin`: every path
//! below is what a tokio program writes, with `robin::` in place of `tokio::`. (The
//! one exception is `std::time::Duration` for `tokio::time::Duration`, which is std's
//! type re-exported; and `std::pin::pin!` for `tokio::pin!`.) All on 127.0.0.1.
use robin::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use robin::net::{TcpListener, TcpStream};
use robin::sync::oneshot;
use robin::time::sleep;
use std::time::Duration;

/// An echo server that answers line by line, as in tokio's tutorial.
async fn line_echo_server(listener: TcpListener) -> robin::io::Result<()> {
    loop {
        let (socket, _) = listener.accept().await?;
        robin::spawn(async move {
            let (rd, mut wr) = socket.into_split();
            let mut lines = BufReader::new(rd).lines();
            while let Some(line) = lines.next_line().await? {
                wr.write_all(format!("echo: {line}\n").as_bytes()).await?;
            }
            Ok::<_, robin::io::Error>(())
        });
    }
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_server_with_buf_reader_lines() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = robin::spawn(line_echo_server(listener));

    let mut clients = Vec::new();
    for c in 0..4 {
        clients.push(robin::spawn(async move {
            let stream = TcpStream::connect(addr).await.unwrap();
            let (rd, mut wr) = stream.into_split();
            for i in 0..10 {
                wr.write_all(format!("client {c} line {i}\n").as_bytes())
                    .await
                    .unwrap();
            }
            wr.shutdown().await.unwrap();
            let mut lines = BufReader::new(rd).lines();
            let mut got = Vec::new();
            while let Some(line) = lines.next_line().await.unwrap() {
                got.push(line);
            }
            got
        }));
    }
    for (c, client) in clients.into_iter().enumerate() {
        let got = client.await.unwrap();
        let want: Vec<String> = (0..10)
            .map(|i| format!("echo: client {c} line {i}"))
            .collect();
        assert_eq!(got, want);
    }
    server.abort();
    assert!(server.await.unwrap_err().is_cancelled());
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_with_copy_bidirectional() {
    // The upstream: uppercases whatever it gets until EOF, then closes.
    let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    robin::spawn(async move {
        let (mut socket, _) = upstream.accept().await.unwrap();
        let mut buf = Vec::new();
        socket.read_to_end(&mut buf).await.unwrap();
        socket.write_all(&buf.to_ascii_uppercase()).await.unwrap();
        socket.shutdown().await.unwrap();
    });

    // The proxy: one connection, piped both ways.
    let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let proxied = robin::spawn(async move {
        let (mut inbound, _) = proxy.accept().await.unwrap();
        let mut outbound = TcpStream::connect(upstream_addr).await.unwrap();
        robin::io::copy_bidirectional(&mut inbound, &mut outbound).await
    });

    let mut client = TcpStream::connect(proxy_addr).await.unwrap();
    client.write_all(b"through the proxy").await.unwrap();
    client.shutdown().await.unwrap();
    let mut reply = String::new();
    client.read_to_string(&mut reply).await.unwrap();
    assert_eq!(reply, "THROUGH THE PROXY");
    // (client → upstream, upstream → client) byte counts.
    assert_eq!(proxied.await.unwrap().unwrap(), (17, 17));
}

/// A length-prefixed frame: a big-endian u32 length, then the bytes.
async fn write_frame<W: robin::io::AsyncWrite + Unpin>(
    w: &mut W,
    payload: &[u8],
) -> robin::io::Result<()> {
    w.write_u32(payload.len() as u32).await?;
    w.write_all(payload).await?;
    w.flush().await
}

async fn read_frame<R: robin::io::AsyncRead + Unpin>(
    r: &mut R,
) -> robin::io::Result<Option<Vec<u8>>> {
    let len = match r.read_u32().await {
        Ok(len) => len,
        Err(e) if e.kind() == robin::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut payload = vec![0; len as usize];
    r.read_exact(&mut payload).await?;
    Ok(Some(payload))
}

#[robin::test]
async fn length_prefixed_protocol() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The server sums the bytes of each frame and answers with the sum as a frame.
    let server = robin::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let mut socket = robin::io::BufStream::new(socket);
        let mut frames = 0;
        while let Some(frame) = read_frame(&mut socket).await.unwrap() {
            let sum: u32 = frame.iter().map(|&b| u32::from(b)).sum();
            write_frame(&mut socket, &sum.to_be_bytes()).await.unwrap();
            frames += 1;
        }
        frames
    });
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = robin::io::split(stream);
    for n in [0usize, 1, 1000, 70_000] {
        let payload = vec![3u8; n];
        write_frame(&mut wr, &payload).await.unwrap();
        let reply = read_frame(&mut rd).await.unwrap().expect("a reply frame");
        assert_eq!(u32::from_be_bytes(reply.try_into().unwrap()), 3 * n as u32);
    }
    wr.shutdown().await.unwrap();
    assert_eq!(read_frame(&mut rd).await.unwrap(), None);
    assert_eq!(server.await.unwrap(), 4);
}

#[robin::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_loop_over_a_pinned_sleep_and_a_shutdown_signal() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (shutdown_tx, mut shutdown_rx) = oneshot::channel::<()>();
    let (idle_tx, mut idle_rx) = robin::sync::mpsc::unbounded_channel::<()>();

    let server = robin::spawn(async move {
        let mut accepted = 0;
        let mut idle_ticks = 0;
        // A deadline that is reset on every connection, as in tokio's idle-timeout loop.
        let idle = sleep(Duration::from_millis(20));
        let mut idle = std::pin::pin!(idle);
        loop {
            robin::select! {
                res = listener.accept() => {
                    let (mut socket, _) = res.unwrap();
                    socket.write_all(b"hello\n").await.unwrap();
                    accepted += 1;
                    idle.as_mut().reset(robin::time::Instant::now() + Duration::from_millis(20));
                }
                () = &mut idle => {
                    idle_ticks += 1;
                    let _ = idle_tx.send(());
                    idle.as_mut().reset(robin::time::Instant::now() + Duration::from_millis(20));
                }
                _ = &mut shutdown_rx => break,
            }
        }
        (accepted, idle_ticks)
    });

    for _ in 0..3 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let mut line = String::new();
        BufReader::new(&mut stream)
            .read_line(&mut line)
            .await
            .unwrap();
        assert_eq!(line, "hello\n");
    }
    // The idle deadline fires once nobody connects for 20 ms; the server reports it.
    robin::time::timeout(Duration::from_secs(10), idle_rx.recv())
        .await
        .expect("the pinned sleep never fired")
        .unwrap();
    shutdown_tx.send(()).unwrap();
    let (accepted, idle_ticks) = server.await.unwrap();
    assert_eq!(accepted, 3);
    assert!(idle_ticks >= 1, "the pinned sleep never fired");
}

#[robin::test]
async fn robin_io_paths_a_tokio_program_uses() {
    use robin::io::unix::AsyncFd;
    use robin::io::{Interest, Ready};
    // Interest and Ready at tokio's paths, with tokio's constants.
    let interest = Interest::READABLE | Interest::WRITABLE;
    assert!(interest.is_readable() && interest.is_writable() && !interest.is_error());
    assert!(Interest::ERROR.is_error());
    assert_eq!(
        interest.remove(Interest::READABLE),
        Some(Interest::WRITABLE)
    );
    assert!(Ready::ALL.is_readable() && Ready::ALL.is_error() && Ready::ALL.is_priority());
    assert!(Ready::EMPTY.is_empty());
    // A socket's `ready` returns a robin::io::Ready.
    let (a, b) = robin::net::UnixStream::pair().unwrap();
    let ready: Ready = a.ready(Interest::WRITABLE).await.unwrap();
    assert!(ready.is_writable());
    drop(b);
    // AsyncFd over a std socket.
    let (x, y) = std::os::unix::net::UnixStream::pair().unwrap();
    x.set_nonblocking(true).unwrap();
    let fd = AsyncFd::with_interest(x, Interest::READABLE).unwrap();
    drop(y);
    let guard = fd.readable().await.unwrap();
    assert!(guard.ready().is_read_closed());
    // The in-memory utilities.
    let (mut c, mut d) = robin::io::duplex(8);
    c.write_all(b"dup").await.unwrap();
    let mut buf = [0; 3];
    d.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"dup");
    let mut sink = robin::io::sink();
    robin::io::copy(&mut robin::io::repeat(7).take(10), &mut sink)
        .await
        .unwrap();
    let mut out = robin::io::stdout();
    out.flush().await.unwrap();
    let _seek: robin::io::SeekFrom = robin::io::SeekFrom::Start(0);
}

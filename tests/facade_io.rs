//! `robin::io` through the facade, spelled as a tokio program spells `tokio::io`.
//!
//! Covers every public item of `robin::io` (robin-io's lib.rs and `unix`): the traits
//! `AsyncRead`/`AsyncReadExt`, `AsyncWrite`/`AsyncWriteExt`, `AsyncBufRead`/
//! `AsyncBufReadExt`, `AsyncSeek`/`AsyncSeekExt`; the functions `copy`, `copy_buf`,
//! `copy_bidirectional`, `copy_bidirectional_with_sizes`, `duplex`, `simplex`, `empty`,
//! `repeat`, `sink`, `split`, `join`, `stdin`, `stdout`, `stderr`; the types `BufReader`,
//! `BufWriter`, `BufStream`, `Lines`, `Split`, `Chain`, `Take`, `DuplexStream`,
//! `SimplexStream`, `Empty`, `Repeat`, `Sink`, `Join`, `ReadHalf`, `WriteHalf`,
//! `ReadBuf`, `Stdin`, `Stdout`, `Stderr`, `SeekFrom`, `Error`, `ErrorKind`, `Result`;
//! `Interest` and `Ready` (every constant and predicate); `unix::AsyncFd` (new,
//! with_interest, try_new, try_with_interest, readable/writable/ready and their `_mut`,
//! async_io, try_io, get_ref/get_mut/into_inner), `AsyncFdReadyGuard`,
//! `AsyncFdReadyMutGuard`, `TryIoError`, `AsyncFdTryNewError`.
//! Left out on purpose: reading `stdin` (the test harness's stdin is not ours to consume;
//! only its type and constructor are checked) and writing to `stderr` beyond a flush
//! (it would clutter the test output).
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::pin::Pin;
use std::task::{Context, Poll};

use robin::io::unix::{
    AsyncFd, AsyncFdReadyGuard, AsyncFdReadyMutGuard, AsyncFdTryNewError, TryIoError,
};
use robin::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt, AsyncWrite,
    AsyncWriteExt, BufReader, BufStream, BufWriter, Chain, DuplexStream, Empty, ErrorKind,
    Interest, Join, Lines, ReadBuf, ReadHalf, Ready, Repeat, SeekFrom, SimplexStream, Sink, Split,
    Stderr, Stdin, Stdout, Take, WriteHalf,
};

/// A `Pending`-once poll: `true` if `fut` completed on its first poll.
async fn ready_now<F: std::future::Future>(fut: F) -> bool {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await
}

#[robin::test]
async fn read_write_ext_roundtrip_over_duplex() {
    let (mut a, mut b): (DuplexStream, DuplexStream) = robin::io::duplex(64);
    a.write_u32(0xdead_beef).await.unwrap();
    a.write_u16_le(7).await.unwrap();
    a.write_i64(-3).await.unwrap();
    a.write_all(b"tail").await.unwrap();
    a.flush().await.unwrap();
    assert_eq!(b.read_u32().await.unwrap(), 0xdead_beef);
    assert_eq!(b.read_u16_le().await.unwrap(), 7);
    assert_eq!(b.read_i64().await.unwrap(), -3);
    let mut four = [0u8; 4];
    b.read_exact(&mut four).await.unwrap();
    assert_eq!(&four, b"tail");
    // Dropping one end is EOF for the other (tokio's duplex docs).
    a.write_all(b"rest").await.unwrap();
    drop(a);
    let mut all = Vec::new();
    assert_eq!(b.read_to_end(&mut all).await.unwrap(), 4);
    assert_eq!(all, b"rest");
    // read_exact past EOF is UnexpectedEof.
    let mut one = [0u8; 1];
    assert_eq!(
        b.read_exact(&mut one).await.unwrap_err().kind(),
        ErrorKind::UnexpectedEof
    );
    // Writing to a duplex whose peer is gone is BrokenPipe.
    let (mut c, d) = robin::io::duplex(8);
    drop(d);
    assert_eq!(
        c.write_all(b"x").await.unwrap_err().kind(),
        ErrorKind::BrokenPipe
    );
}

#[robin::test]
async fn duplex_back_pressure() {
    // "If the buffer is full, writes wait for the other side to read."
    let (mut a, mut b) = robin::io::duplex(4);
    a.write_all(b"abcd").await.unwrap();
    assert!(
        !ready_now(a.write_all(b"e")).await,
        "a full duplex must not accept more"
    );
    let mut buf = [0u8; 4];
    b.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"abcd");
    assert!(ready_now(a.write_all(b"e")).await);
    let mut one = [0u8; 1];
    b.read_exact(&mut one).await.unwrap();
    assert_eq!(&one, b"e");
}

#[robin::test]
async fn simplex_back_pressure_and_eof() {
    let (mut rx, mut tx): (ReadHalf<SimplexStream>, WriteHalf<SimplexStream>) =
        robin::io::simplex(2);
    tx.write_all(b"hi").await.unwrap();
    assert!(!ready_now(tx.write_all(b"!")).await);
    let mut buf = [0u8; 2];
    rx.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"hi");
    tx.shutdown().await.unwrap();
    let mut rest = Vec::new();
    rx.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
    // The SimplexStream type itself: new_unsplit reads back what it was given.
    let mut s = SimplexStream::new_unsplit(16);
    s.write_all(b"x").await.unwrap();
    let mut one = [0u8; 1];
    s.read_exact(&mut one).await.unwrap();
    assert_eq!(&one, b"x");
}

#[robin::test]
async fn copy_copy_buf_empty_repeat_sink() {
    let mut src: &[u8] = b"hello world";
    let mut out = Vec::new();
    assert_eq!(robin::io::copy(&mut src, &mut out).await.unwrap(), 11);
    assert_eq!(out, b"hello world");

    let mut br = BufReader::new(&b"buffered"[..]);
    let mut out = Vec::new();
    assert_eq!(robin::io::copy_buf(&mut br, &mut out).await.unwrap(), 8);

    // empty: always EOF.
    let mut e: Empty = robin::io::empty();
    let mut buf = Vec::new();
    assert_eq!(e.read_to_end(&mut buf).await.unwrap(), 0);
    // repeat: an endless byte; take bounds it.
    let r: Repeat = robin::io::repeat(0xab);
    let mut t: Take<Repeat> = r.take(5);
    let mut buf = Vec::new();
    assert_eq!(t.read_to_end(&mut buf).await.unwrap(), 5);
    assert_eq!(buf, [0xab; 5]);
    assert_eq!(t.limit(), 0);
    // sink: swallows everything, reports it written.
    let mut s: Sink = robin::io::sink();
    assert_eq!(s.write(b"abc").await.unwrap(), 3);
    let mut src: &[u8] = &[1u8; 1000];
    assert_eq!(robin::io::copy(&mut src, &mut s).await.unwrap(), 1000);
}

#[robin::test]
async fn copy_bidirectional_both_ways_until_eof() {
    let (mut left, mut left_peer) = robin::io::duplex(64);
    let (mut right, mut right_peer) = robin::io::duplex(64);
    let pump =
        robin::spawn(async move { robin::io::copy_bidirectional(&mut left, &mut right).await });
    left_peer.write_all(b"to right").await.unwrap();
    right_peer.write_all(b"to left!!").await.unwrap();
    left_peer.shutdown().await.unwrap();
    right_peer.shutdown().await.unwrap();
    let mut got_r = Vec::new();
    right_peer.read_to_end(&mut got_r).await.unwrap();
    let mut got_l = Vec::new();
    left_peer.read_to_end(&mut got_l).await.unwrap();
    assert_eq!(got_r, b"to right");
    assert_eq!(got_l, b"to left!!");
    // Returns (a -> b, b -> a) byte counts.
    assert_eq!(pump.await.unwrap().unwrap(), (8, 9));

    let (mut a, mut a_peer) = robin::io::duplex(64);
    let (mut b, mut b_peer) = robin::io::duplex(64);
    let pump = robin::spawn(async move {
        robin::io::copy_bidirectional_with_sizes(&mut a, &mut b, 3, 5).await
    });
    a_peer.write_all(b"abcdefg").await.unwrap();
    a_peer.shutdown().await.unwrap();
    b_peer.shutdown().await.unwrap();
    let mut got = Vec::new();
    b_peer.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"abcdefg");
    assert_eq!(pump.await.unwrap().unwrap(), (7, 0));
}

#[robin::test]
async fn buf_reader_lines_split_read_line_until() {
    let text: &[u8] = b"one\ntwo\r\nthree";
    let mut lines: Lines<BufReader<&[u8]>> = BufReader::new(text).lines();
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("one"));
    // tokio: the line ending ("\n" or "\r\n") is stripped.
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("two"));
    assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("three"));
    assert_eq!(lines.next_line().await.unwrap(), None);

    let mut parts: Split<BufReader<&[u8]>> = BufReader::new(&b"a,b,,c"[..]).split(b',');
    let mut got = Vec::new();
    while let Some(p) = parts.next_segment().await.unwrap() {
        got.push(p);
    }
    assert_eq!(
        got,
        vec![b"a".to_vec(), b"b".to_vec(), vec![], b"c".to_vec()]
    );

    let mut r = BufReader::with_capacity(4, &b"xy\nzw"[..]);
    let mut s = String::new();
    assert_eq!(r.read_line(&mut s).await.unwrap(), 3);
    assert_eq!(s, "xy\n");
    let mut v = Vec::new();
    r.read_until(b'!', &mut v).await.unwrap();
    assert_eq!(v, b"zw");
    let buf = r.fill_buf().await.unwrap();
    assert!(buf.is_empty());
    let _: &&[u8] = r.get_ref();
    let _inner: &[u8] = r.into_inner();
}

#[robin::test]
async fn buf_writer_buffers_until_flush() {
    let (a, mut b) = robin::io::duplex(64);
    let mut w = BufWriter::new(a);
    w.write_all(b"held").await.unwrap();
    assert_eq!(w.buffer(), b"held");
    let mut one = [0u8; 1];
    assert!(
        !ready_now(b.read(&mut one)).await,
        "BufWriter must hold small writes until flush"
    );
    w.flush().await.unwrap();
    let mut four = [0u8; 4];
    b.read_exact(&mut four).await.unwrap();
    assert_eq!(&four, b"held");
    let _: &DuplexStream = w.get_ref();
    let _inner: DuplexStream = w.into_inner();

    // BufStream: both directions buffered.
    let (x, mut y) = robin::io::duplex(64);
    let mut bs = BufStream::new(x);
    bs.write_all(b"ping\n").await.unwrap();
    bs.flush().await.unwrap();
    let mut got = [0u8; 5];
    y.read_exact(&mut got).await.unwrap();
    y.write_all(b"pong\n").await.unwrap();
    let mut line = String::new();
    bs.read_line(&mut line).await.unwrap();
    assert_eq!(line, "pong\n");
}

#[robin::test]
async fn split_join_chain() {
    let (a, mut b) = robin::io::duplex(64);
    let (mut rd, mut wr): (ReadHalf<DuplexStream>, WriteHalf<DuplexStream>) = robin::io::split(a);
    wr.write_all(b"out").await.unwrap();
    let mut got = [0u8; 3];
    b.read_exact(&mut got).await.unwrap();
    b.write_all(b"in").await.unwrap();
    let mut got = [0u8; 2];
    rd.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"in");
    assert!(rd.is_pair_of(&wr));
    let mut a = rd.unsplit(wr);
    a.write_all(b"!").await.unwrap();

    let mut j: Join<&[u8], Vec<u8>> = robin::io::join(&b"r"[..], Vec::new());
    let mut one = [0u8; 1];
    j.read_exact(&mut one).await.unwrap();
    j.write_all(b"w").await.unwrap();
    let (_, w) = j.into_inner();
    assert_eq!(w, b"w");

    let mut c: Chain<&[u8], &[u8]> = AsyncReadExt::chain(&b"ab"[..], &b"cd"[..]);
    let mut s = String::new();
    c.read_to_string(&mut s).await.unwrap();
    assert_eq!(s, "abcd");
}

#[robin::test]
async fn async_seek_on_a_cursor() {
    let mut cur = std::io::Cursor::new(b"0123456789".to_vec());
    assert_eq!(cur.seek(SeekFrom::Start(4)).await.unwrap(), 4);
    assert_eq!(cur.read_u8().await.unwrap(), b'4');
    assert_eq!(cur.seek(SeekFrom::End(-1)).await.unwrap(), 9);
    assert_eq!(cur.stream_position().await.unwrap(), 9);
    cur.rewind().await.unwrap();
    assert_eq!(cur.stream_position().await.unwrap(), 0);
    fn is_seek<T: AsyncSeek>(_: &T) {}
    is_seek(&cur);
}

/// A hand-written reader: `AsyncRead` + `ReadBuf` used as a tokio implementor uses them.
struct Bytes(u8);
impl AsyncRead for Bytes {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.0 > 0 && buf.remaining() > 0 {
            buf.put_slice(&[self.0]);
            self.0 -= 1;
        }
        Poll::Ready(Ok(()))
    }
}
struct Counter(usize);
impl AsyncWrite for Counter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.0 += buf.len();
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[robin::test]
async fn implementing_the_traits_and_read_buf() {
    let mut out = Vec::new();
    Bytes(3).read_to_end(&mut out).await.unwrap();
    assert_eq!(out, [3, 2, 1]);
    let mut c = Counter(0);
    robin::io::copy(&mut Bytes(5), &mut c).await.unwrap();
    assert_eq!(c.0, 5);

    let mut storage = [0u8; 8];
    let mut rb = ReadBuf::new(&mut storage);
    assert_eq!(rb.capacity(), 8);
    rb.put_slice(b"abc");
    assert_eq!(rb.filled(), b"abc");
    assert_eq!(rb.remaining(), 5);
    rb.clear();
    assert!(rb.filled().is_empty());

    fn is_buf_read<T: AsyncBufRead>(_: &T) {}
    is_buf_read(&BufReader::new(Bytes(1)));
}

#[robin::test]
async fn stdio_types_and_stdout_write() {
    let _: Stdin = robin::io::stdin();
    let mut out: Stdout = robin::io::stdout();
    out.write_all(b"").await.unwrap();
    out.write_all(b"facade_io: stdout works\n").await.unwrap();
    out.flush().await.unwrap();
    let mut err: Stderr = robin::io::stderr();
    err.flush().await.unwrap();
}

#[test]
fn interest_constants_and_combinators() {
    let rw = Interest::READABLE | Interest::WRITABLE;
    assert!(rw.is_readable() && rw.is_writable());
    assert!(!Interest::READABLE.is_writable());
    assert!(Interest::PRIORITY.is_priority());
    assert!(Interest::ERROR.is_error());
    assert_eq!(Interest::READABLE.add(Interest::WRITABLE), rw);
    assert_eq!(rw.remove(Interest::WRITABLE), Some(Interest::READABLE));
    // tokio: removing every interest leaves None.
    assert_eq!(Interest::READABLE.remove(Interest::READABLE), None);
    let mut i = Interest::READABLE;
    i |= Interest::ERROR;
    assert!(i.is_error());
    assert!(!format!("{i:?}").is_empty());
}

#[test]
fn ready_constants_and_predicates() {
    assert!(Ready::EMPTY.is_empty());
    assert!(Ready::READABLE.is_readable() && !Ready::READABLE.is_writable());
    assert!(Ready::WRITABLE.is_writable());
    assert!(Ready::READ_CLOSED.is_read_closed() && !Ready::READABLE.is_read_closed());
    assert!(Ready::WRITE_CLOSED.is_write_closed());
    assert!(Ready::ERROR.is_error());
    assert!(Ready::PRIORITY.is_priority());
    let all = Ready::READABLE
        | Ready::WRITABLE
        | Ready::READ_CLOSED
        | Ready::WRITE_CLOSED
        | Ready::ERROR
        | Ready::PRIORITY;
    assert_eq!(all, Ready::ALL);
    assert!(Ready::ALL.contains(Ready::READABLE | Ready::WRITABLE));
    assert_eq!(Ready::ALL - Ready::ALL, Ready::EMPTY);
    assert_eq!(Ready::READABLE & Ready::WRITABLE, Ready::EMPTY);
    let mut r = Ready::READABLE;
    r |= Ready::WRITABLE;
    r &= Ready::WRITABLE;
    assert_eq!(r, Ready::WRITABLE);
}

/// Was ignored ("differs from tokio": both were false) until `Ready::is_readable` /
/// `is_writable` counted the closed flags as tokio's do.
#[test]
fn ready_closed_counts_as_readable_writable() {
    // tokio's docs (Ready::is_readable / is_writable examples):
    // `assert!(Ready::READ_CLOSED.is_readable())`, `assert!(Ready::WRITE_CLOSED.is_writable())`.
    assert!(Ready::READ_CLOSED.is_readable());
    assert!(Ready::WRITE_CLOSED.is_writable());
}

fn nonblocking_pair() -> (StdUnixStream, StdUnixStream) {
    let (a, b) = StdUnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

#[robin::test]
async fn async_fd_readable_writable_guards() {
    let (a, b) = nonblocking_pair();
    let a = AsyncFd::new(a).unwrap();
    let mut b = AsyncFd::with_interest(b, Interest::READABLE | Interest::WRITABLE).unwrap();
    assert!(b.interest().is_readable());

    // Writable at once; write through the guard's try_io.
    let mut guard: AsyncFdReadyGuard<'_, StdUnixStream> = a.writable().await.unwrap();
    assert!(guard.ready().is_writable());
    let n = guard
        .try_io(|fd| fd.get_ref().write(b"ping"))
        .unwrap()
        .unwrap();
    assert_eq!(n, 4);
    let _: &StdUnixStream = guard.get_inner();
    drop(guard);

    // readable_mut, then read until WouldBlock: try_io hands back TryIoError then.
    let mut got = Vec::new();
    for _ in 0..100 {
        let mut g: AsyncFdReadyMutGuard<'_, StdUnixStream> = b.readable_mut().await.unwrap();
        let mut buf = [0u8; 16];
        match g.try_io(|fd| fd.get_mut().read(&mut buf)) {
            Ok(Ok(n)) => {
                got.extend_from_slice(&buf[..n]);
                if got.len() == 4 {
                    break;
                }
            }
            Ok(Err(e)) => panic!("{e}"),
            Err(_would_block) => {
                let _: TryIoError = _would_block;
            }
        }
    }
    assert_eq!(got, b"ping");
    // Nothing more: after a WouldBlock, try_io clears readiness and readable() waits.
    {
        let mut g = b.readable_mut().await.unwrap();
        let mut buf = [0u8; 4];
        let r = g.try_io(|fd| fd.get_mut().read(&mut buf));
        assert!(r.is_err(), "empty socket: WouldBlock -> TryIoError");
    }
    assert!(!ready_now(b.readable()).await);

    // async_io retries until the closure stops returning WouldBlock.
    a.get_ref().write_all(b"x").unwrap();
    let n = b
        .async_io(Interest::READABLE, |fd| {
            let mut buf = [0u8; 4];
            (&*fd).read(&mut buf)
        })
        .await
        .unwrap();
    assert_eq!(n, 1);
    let guard = b.ready(Interest::WRITABLE).await.unwrap();
    assert!(guard.ready().is_writable());
    let mut guard_clear = guard;
    // retain_ready keeps the readiness (clear_ready would wait for a new edge).
    guard_clear.retain_ready();
    drop(guard_clear);
    let _ = b.ready_mut(Interest::WRITABLE).await.unwrap();
    let _ = b.writable_mut().await.unwrap();
    let _: &mut StdUnixStream = b.get_mut();
    let inner: StdUnixStream = b.into_inner();
    drop(inner);
    // Peer closed: the other end becomes readable with EOF.
    let mut g = a.readable().await;
    for _ in 0..100 {
        let mut guard = g.unwrap();
        let mut buf = [0u8; 1];
        match guard.try_io(|fd| fd.get_ref().read(&mut buf)) {
            Ok(r) => {
                assert_eq!(r.unwrap(), 0);
                break;
            }
            Err(_) => g = a.readable().await,
        }
    }
}

#[robin::test]
async fn async_fd_try_new_and_error_parts() {
    let (x, _y) = nonblocking_pair();
    let fd = AsyncFd::try_new(x).unwrap();
    let x = fd.into_inner();
    let fd = AsyncFd::try_with_interest(x, Interest::READABLE).unwrap();
    // Registering the same descriptor twice fails: try_new hands the value back.
    let dup_fd = fd.get_ref().as_raw_fd_copy();
    let err: AsyncFdTryNewError<RawFdOnly> = AsyncFd::try_new(dup_fd).unwrap_err();
    let (_back, e) = err.into_parts();
    assert!(!e.to_string().is_empty());
}

/// The same raw descriptor in a second wrapper (not closing it), to provoke EEXIST.
#[derive(Debug)]
struct RawFdOnly(std::os::unix::io::RawFd);
impl std::os::unix::io::AsRawFd for RawFdOnly {
    fn as_raw_fd(&self) -> std::os::unix::io::RawFd {
        self.0
    }
}
trait RawCopy {
    fn as_raw_fd_copy(&self) -> RawFdOnly;
}
impl RawCopy for StdUnixStream {
    fn as_raw_fd_copy(&self) -> RawFdOnly {
        use std::os::unix::io::AsRawFd;
        RawFdOnly(self.as_raw_fd())
    }
}

#[robin::test]
async fn io_error_aliases() {
    fn fails() -> robin::io::Result<()> {
        Err(robin::io::Error::other("x"))
    }
    let e: robin::io::Error = fails().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Other);
}

//! Every re-exported tokio utility, run on robin's two runtime flavors (no tokio runtime
//! exists in this process): each test checks the behaviour tokio documents.
use robin_io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWrite,
    AsyncWriteExt, BufReader, BufStream, BufWriter, ErrorKind, ReadBuf, SeekFrom,
};
use robin_test_support::both_flavors;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs the test body once per flavor.
fn on_both<F: Future<Output = ()>>(body: impl Fn() -> F) {
    for rt in both_flavors() {
        rt.block_on(body());
    }
}

#[test]
fn traits_and_read_buf() {
    on_both(|| async {
        // AsyncRead by hand with a ReadBuf over uninitialised-free storage.
        let mut src: &[u8] = b"abcdef";
        let mut storage = [0u8; 4];
        let mut buf = ReadBuf::new(&mut storage);
        std::future::poll_fn(|cx| Pin::new(&mut src).poll_read(cx, &mut buf))
            .await
            .unwrap();
        assert_eq!(buf.filled(), b"abcd");
        assert_eq!(buf.remaining(), 0);
        // AsyncWrite by hand.
        let mut out = Vec::new();
        let n = std::future::poll_fn(|cx| Pin::new(&mut out).poll_write(cx, b"xy"))
            .await
            .unwrap();
        assert_eq!((n, out.as_slice()), (2, &b"xy"[..]));
        // AsyncBufRead by hand.
        let mut br: &[u8] = b"line";
        let got = std::future::poll_fn(|cx| match Pin::new(&mut br).poll_fill_buf(cx) {
            Poll::Ready(Ok(b)) => Poll::Ready(b.to_vec()),
            other => panic!("{:?}", other.map(|r| r.map(|b| b.len()))),
        })
        .await;
        assert_eq!(got, b"line");
    });
}

#[test]
fn ext_traits_numbers_and_exact_reads() {
    on_both(|| async {
        let mut out = Vec::new();
        out.write_u32(0xDEAD_BEEF).await.unwrap();
        out.write_i16_le(-2).await.unwrap();
        out.write_all(b"tail").await.unwrap();
        assert_eq!(&out[..4], &[0xDE, 0xAD, 0xBE, 0xEF]); // big-endian, as tokio
        let mut rd = out.as_slice();
        assert_eq!(rd.read_u32().await.unwrap(), 0xDEAD_BEEF);
        assert_eq!(rd.read_i16_le().await.unwrap(), -2);
        let mut tail = [0; 4];
        rd.read_exact(&mut tail).await.unwrap();
        assert_eq!(&tail, b"tail");
        // read_exact past the end: UnexpectedEof.
        let err = rd.read_exact(&mut tail).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
        let mut s = String::new();
        let mut rd: &[u8] = b"to the end";
        assert_eq!(rd.read_to_string(&mut s).await.unwrap(), 10);
        assert_eq!(s, "to the end");
    });
}

#[test]
fn buf_reader_lines_split_and_read_until() {
    on_both(|| async {
        let data: &[u8] = b"alpha\r\nbeta\ngamma";
        let mut lines = BufReader::new(data).lines();
        let mut got = Vec::new();
        while let Some(line) = lines.next_line().await.unwrap() {
            got.push(line);
        }
        // `lines` strips "\n" and "\r\n"; the last line needs no terminator.
        assert_eq!(got, ["alpha", "beta", "gamma"]);

        let mut parts = BufReader::new(&b"a,b,,c"[..]).split(b',');
        let mut got = Vec::new();
        while let Some(part) = parts.next_segment().await.unwrap() {
            got.push(part);
        }
        assert_eq!(got, [b"a".to_vec(), b"b".to_vec(), vec![], b"c".to_vec()]);

        let mut rd = BufReader::with_capacity(2, &b"key=value;rest"[..]);
        let mut until = Vec::new();
        rd.read_until(b';', &mut until).await.unwrap();
        assert_eq!(until, b"key=value;");
        let mut line = String::new();
        assert_eq!(rd.read_line(&mut line).await.unwrap(), 4);
        assert_eq!(line, "rest");
        assert_eq!(rd.buffer(), b"");
    });
}

#[test]
fn buf_writer_holds_bytes_until_flush() {
    on_both(|| async {
        let mut w = BufWriter::new(Vec::new());
        w.write_all(b"held").await.unwrap();
        assert!(w.get_ref().is_empty(), "written before flush");
        assert_eq!(w.buffer(), b"held");
        w.flush().await.unwrap();
        assert_eq!(w.get_ref().as_slice(), b"held");
        // A write larger than the capacity goes straight through.
        let mut w = BufWriter::with_capacity(4, Vec::new());
        w.write_all(b"much longer than four").await.unwrap();
        assert_eq!(w.get_ref().as_slice(), b"much longer than four");
    });
}

#[test]
fn buf_stream_buffers_both_ways() {
    on_both(|| async {
        let (a, b) = robin_io::duplex(64);
        let mut a = BufStream::new(a);
        let mut b = BufStream::new(b);
        a.write_all(b"hello\n").await.unwrap();
        a.flush().await.unwrap();
        let mut line = String::new();
        b.read_line(&mut line).await.unwrap();
        assert_eq!(line, "hello\n");
    });
}

#[test]
fn copy_and_copy_buf() {
    on_both(|| async {
        let mut src: &[u8] = b"copied bytes";
        let mut dst = Vec::new();
        assert_eq!(robin_io::copy(&mut src, &mut dst).await.unwrap(), 12);
        assert_eq!(dst, b"copied bytes");
        let mut src = BufReader::new(&b"via the buffer"[..]);
        let mut dst = Vec::new();
        assert_eq!(robin_io::copy_buf(&mut src, &mut dst).await.unwrap(), 14);
        assert_eq!(dst, b"via the buffer");
    });
}

#[test]
fn copy_bidirectional_both_sizes() {
    for sizes in [None, Some((3usize, 5usize))] {
        on_both(|| async move {
            // client <-> (a | b) <-> server: copy between a and b both ways.
            let (mut client, mut a) = robin_io::duplex(16);
            let (mut b, mut server) = robin_io::duplex(16);
            let proxy = robin_runtime::spawn(async move {
                match sizes {
                    None => robin_io::copy_bidirectional(&mut a, &mut b).await,
                    Some((x, y)) => {
                        robin_io::copy_bidirectional_with_sizes(&mut a, &mut b, x, y).await
                    }
                }
            });
            client.write_all(b"request").await.unwrap();
            let mut req = [0; 7];
            server.read_exact(&mut req).await.unwrap();
            assert_eq!(&req, b"request");
            server.write_all(b"reply!").await.unwrap();
            let mut rep = [0; 6];
            client.read_exact(&mut rep).await.unwrap();
            assert_eq!(&rep, b"reply!");
            // EOF on both sides ends the copy; it returns (a→b, b→a) byte counts.
            client.shutdown().await.unwrap();
            server.shutdown().await.unwrap();
            assert_eq!(proxy.await.unwrap().unwrap(), (7, 6));
        });
    }
}

#[test]
fn split_halves_and_unsplit() {
    on_both(|| async {
        let (a, mut b) = robin_io::duplex(32);
        let (mut rd, mut wr) = robin_io::split(a);
        wr.write_all(b"to b").await.unwrap();
        let mut buf = [0; 4];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"to b");
        b.write_all(b"to a").await.unwrap();
        rd.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"to a");
        assert!(rd.is_pair_of(&wr));
        let _whole: robin_io::DuplexStream = rd.unsplit(wr);
    });
}

#[test]
fn join_reader_and_writer() {
    on_both(|| async {
        let mut joined = robin_io::join(&b"from the reader"[..], Vec::new());
        let mut s = String::new();
        joined.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "from the reader");
        joined.write_all(b"into the writer").await.unwrap();
        let (_r, w) = joined.into_inner();
        assert_eq!(w, b"into the writer");
    });
}

#[test]
fn duplex_applies_back_pressure_and_eof() {
    on_both(|| async {
        let (mut a, mut b) = robin_io::duplex(4);
        // 4 bytes fit; the fifth waits for the reader.
        let writer = robin_runtime::spawn(async move {
            a.write_all(b"12345678").await.unwrap();
            a // dropped at the end: b sees EOF
        });
        let mut got = Vec::new();
        let mut chunk = [0; 3];
        loop {
            let n = b.read(&mut chunk).await.unwrap();
            got.extend_from_slice(&chunk[..n]);
            if got.len() == 8 {
                break;
            }
            assert!(n <= 4);
        }
        drop(writer.await.unwrap());
        assert_eq!(
            b.read(&mut chunk).await.unwrap(),
            0,
            "EOF after the peer dropped"
        );
        assert_eq!(got, b"12345678");
        // Writing to a duplex whose peer is gone fails with BrokenPipe.
        let err = b.write_all(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe);
    });
}

#[test]
fn simplex_is_one_way() {
    on_both(|| async {
        let (mut rx, mut tx) = robin_io::simplex(8);
        tx.write_all(b"one way").await.unwrap();
        tx.shutdown().await.unwrap();
        let mut s = String::new();
        rx.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "one way");
    });
}

#[test]
fn empty_repeat_sink() {
    on_both(|| async {
        let mut s = String::new();
        assert_eq!(robin_io::empty().read_to_string(&mut s).await.unwrap(), 0);
        let mut buf = [0; 5];
        robin_io::repeat(b'z').read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"zzzzz");
        let mut sink = robin_io::sink();
        assert_eq!(sink.write(b"gone").await.unwrap(), 4);
        let n = robin_io::copy(&mut robin_io::repeat(1).take(1000), &mut sink)
            .await
            .unwrap();
        assert_eq!(n, 1000);
    });
}

#[test]
fn take_and_chain() {
    on_both(|| async {
        let mut taken = (&b"0123456789"[..]).take(4);
        let mut s = String::new();
        taken.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "0123");
        assert_eq!(taken.limit(), 0);
        let mut chained = (&b"head-"[..]).chain(&b"tail"[..]);
        let mut s = String::new();
        chained.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "head-tail");
    });
}

#[test]
fn seek_on_a_cursor() {
    on_both(|| async {
        let mut cur = std::io::Cursor::new(b"0123456789".to_vec());
        assert_eq!(cur.seek(SeekFrom::Start(3)).await.unwrap(), 3);
        assert_eq!(cur.read_u8().await.unwrap(), b'3');
        assert_eq!(cur.seek(SeekFrom::End(-1)).await.unwrap(), 9);
        assert_eq!(cur.seek(SeekFrom::Current(-5)).await.unwrap(), 4);
        assert_eq!(cur.stream_position().await.unwrap(), 4);
        let err: robin_io::Error = cur.seek(SeekFrom::Current(-100)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let pos: robin_io::Result<u64> = cur.rewind().await;
        assert_eq!(pos.unwrap(), 0);
    });
}

/// A reader that is `Pending` once before each byte: the utilities must register the
/// waker and resume on robin's runtimes (no tokio runtime to wake them).
struct Trickle {
    data: &'static [u8],
    pending: bool,
}

impl AsyncRead for Trickle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.pending {
            self.pending = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pending = true;
        if let Some((first, rest)) = self.data.split_first() {
            buf.put_slice(&[*first]);
            self.data = rest;
        }
        Poll::Ready(Ok(()))
    }
}

#[test]
fn utilities_resume_after_pending_on_robin() {
    on_both(|| async {
        let mut lines = BufReader::new(Trickle {
            data: b"slow\nlines\n",
            pending: true,
        })
        .lines();
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("slow"));
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("lines"));
        assert_eq!(lines.next_line().await.unwrap(), None);
        let mut out = Vec::new();
        let mut src = Trickle {
            data: b"copy me",
            pending: true,
        };
        assert_eq!(robin_io::copy(&mut src, &mut out).await.unwrap(), 7);
        assert_eq!(out, b"copy me");
    });
}

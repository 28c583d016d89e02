//! A read shorter than its buffer, and a write shorter than its data, may clear the
//! stream's readiness (`Registration::poll_stream_io`: always after a short write, after
//! a short read when the stream's history says the next read would find nothing). Data
//! or space that comes after such a clear must still wake the task: these tests drive
//! every pattern the read-ahead score distinguishes (a peer that is always ahead, a
//! request/response peer, and a switch between them) and the short writes of a full send
//! buffer, over TCP and Unix streams. 127.0.0.1 only; bounded loops and a watchdog.
mod common;

use common::{rt, watchdog};
use robin_net::{TcpListener, TcpStream, UnixStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, accepted) = futures::join!(TcpStream::connect(addr), listener.accept());
    (client.unwrap(), accepted.unwrap().0)
}

/// Request/response rounds: each 64-byte message is read with a 4 KiB buffer (a short
/// read), and the next only comes after the reply, so speculative reads miss and the
/// score drops to clearing; then the peer sends bursts ahead of the reader (speculation
/// wins again). Every byte must arrive, in order, in both phases.
async fn ping_pong_then_bursts<S>(mut a: S, mut b: S)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let echo = robin_runtime::spawn(async move {
        let mut buf = vec![0u8; 4096];
        let mut total = 0usize;
        loop {
            let n = b.read(&mut buf).await.unwrap();
            if n == 0 {
                return total;
            }
            total += n;
            b.write_all(&buf[..n]).await.unwrap();
        }
    });
    let mut reply = vec![0u8; 64];
    for round in 0..200u32 {
        let msg = [round as u8; 64];
        a.write_all(&msg).await.unwrap();
        a.read_exact(&mut reply).await.unwrap();
        assert_eq!(reply, msg, "round {round}");
    }
    // Bursts: ten messages at once, then all their echoes.
    for burst in 0..50u32 {
        let msgs: Vec<u8> = (0..10).flat_map(|i| [(burst * 10 + i) as u8; 64]).collect();
        a.write_all(&msgs).await.unwrap();
        let mut back = vec![0u8; msgs.len()];
        a.read_exact(&mut back).await.unwrap();
        assert_eq!(back, msgs, "burst {burst}");
    }
    // And request/response again, after the switch.
    for round in 0..100u32 {
        let msg = [round as u8 ^ 0x5a; 64];
        a.write_all(&msg).await.unwrap();
        a.read_exact(&mut reply).await.unwrap();
        assert_eq!(reply, msg, "late round {round}");
    }
    a.shutdown().await.unwrap();
    assert_eq!(echo.await.unwrap(), 64 * (200 + 500 + 100));
}

#[test]
fn tcp_short_reads_never_lose_a_wakeup() {
    let _dog = watchdog("tcp_short_reads_never_lose_a_wakeup", 60);
    rt(2).block_on(async {
        let (a, b) = tcp_pair().await;
        ping_pong_then_bursts(a, b).await;
    });
}

#[test]
fn unix_short_reads_never_lose_a_wakeup() {
    let _dog = watchdog("unix_short_reads_never_lose_a_wakeup", 60);
    rt(2).block_on(async {
        let (a, b) = UnixStream::pair().unwrap();
        ping_pong_then_bursts(a, b).await;
    });
}

/// 8 MiB through one connection, read in small pieces with yields in between: the
/// writer's `write_all` keeps filling the send buffer (short writes, each clearing the
/// write readiness) and must be woken each time the reader makes room.
#[test]
fn short_writes_resume_when_the_reader_makes_room() {
    let _dog = watchdog("short_writes_resume_when_the_reader_makes_room", 60);
    rt(2).block_on(async {
        let (mut a, mut b) = tcp_pair().await;
        const LEN: usize = 8 << 20;
        let data: Vec<u8> = (0..LEN).map(|i| (i % 251) as u8).collect();
        let expected = data.clone();
        let writer = robin_runtime::spawn(async move {
            a.write_all(&data).await.unwrap();
            a.shutdown().await.unwrap();
        });
        let mut got = Vec::with_capacity(LEN);
        let mut buf = [0u8; 1500];
        for step in 0..(LEN * 2) {
            let n = b.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            if step % 64 == 0 {
                robin_runtime::task::yield_now().await;
            }
        }
        writer.await.unwrap();
        assert_eq!(got.len(), LEN);
        assert!(got == expected, "the bytes arrived in order");
    });
}

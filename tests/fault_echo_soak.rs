//! Faults survived: a 10k-connection echo soak on a 2-worker runtime (127.0.0.1 only).
//! Every connection sends 4 KiB of seeded pseudo-random data and checks a checksum of
//! the echo: nothing lost or corrupted. Connections run in concurrent batches so the
//! descriptor need stays well under the hard limit (2 descriptors per live connection);
//! afterwards, with the runtime dropped, the process has exactly the descriptors it had
//! before: none leaked.
//!
//! The only test in this binary, so nothing else opens descriptors meanwhile.
mod fault_common;

use fault_common::{fds_settle_to, open_fds, raise_nofile_limit, watchdog};
use robin::net::{TcpListener, TcpStream};
use robin::runtime::Builder;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

const CONNECTIONS: usize = 10_000;
const PAYLOAD: usize = 4096;

/// xorshift64*: the payload of connection `seed`, reproducible.
fn payload(seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..PAYLOAD)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

/// FNV-1a, 64 bits.
fn checksum(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn echo_soak_10k_connections() {
    let _dog = watchdog("echo_soak_10k_connections", 120);
    let limit = raise_nofile_limit();
    let baseline = open_fds();
    // Two descriptors per live connection, plus slack for the runtime and the harness.
    let batch = usize::min(1000, (limit as usize).saturating_sub(baseline + 64) / 2);
    assert!(
        batch >= 100,
        "RLIMIT_NOFILE {limit} is too low for the soak"
    );

    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let served = Arc::new(AtomicUsize::new(0));
    let (ok, bad) = rt.block_on({
        let served = served.clone();
        async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            // The server: echo exactly PAYLOAD bytes, then close first (so TIME_WAIT
            // lands on the server side and the client's ephemeral ports stay free).
            let server = robin::spawn(async move {
                loop {
                    let (mut sock, _) = listener.accept().await.unwrap();
                    let served = served.clone();
                    robin::spawn(async move {
                        let mut buf = vec![0u8; PAYLOAD];
                        sock.read_exact(&mut buf).await.unwrap();
                        sock.write_all(&buf).await.unwrap();
                        served.fetch_add(1, SeqCst);
                    });
                }
            });
            let (mut ok, mut bad) = (0usize, 0usize);
            let mut next = 0;
            while next < CONNECTIONS {
                let end = usize::min(next + batch, CONNECTIONS);
                let clients: Vec<_> = (next..end)
                    .map(|i| {
                        robin::spawn(async move {
                            let data = payload(i as u64);
                            let mut sock = TcpStream::connect(addr).await.unwrap();
                            sock.write_all(&data).await.unwrap();
                            let mut echo = Vec::with_capacity(PAYLOAD);
                            sock.read_to_end(&mut echo).await.unwrap();
                            echo.len() == PAYLOAD && checksum(&echo) == checksum(&data)
                        })
                    })
                    .collect();
                for c in clients {
                    if c.await.unwrap() {
                        ok += 1;
                    } else {
                        bad += 1;
                    }
                }
                next = end;
            }
            server.abort();
            assert!(server.await.unwrap_err().is_cancelled());
            (ok, bad)
        }
    });
    assert_eq!((ok, bad), (CONNECTIONS, 0), "lost or corrupted echoes");
    assert_eq!(served.load(SeqCst), CONNECTIONS);
    drop(rt);
    let after = fds_settle_to(baseline);
    assert_eq!(after, baseline, "descriptors leaked ({baseline} before)");
}

//! TCP echo round trips over 127.0.0.1: robin vs tokio, same shape, 2 workers each.
//!
//! Each iteration opens `CONNS` client connections to an echo server running on the same
//! runtime; every client does `ROUNDS` round trips of a 64-byte message, checking every
//! echoed byte. The figure covers connect, accept, and the read/write/readiness path of
//! both ends (the server reads with `read`, writes with `write_all`).
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

const WORKERS: usize = 2;
const CONNS: usize = 50;
const ROUNDS: usize = 100;
const MSG: usize = 64;

fn robin_echo(
    c: &mut Criterion,
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    let _ = c;
    let rt = robin::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let listener = robin::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        robin::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                robin::spawn(async move {
                    let mut buf = [0u8; 4096];
                    loop {
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if sock.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        addr
    });
    g.bench_function("robin", |b| {
        b.iter(|| {
            rt.block_on(async {
                let clients: Vec<_> = (0..CONNS)
                    .map(|c| {
                        robin::spawn(async move {
                            let mut sock = robin::net::TcpStream::connect(addr).await.unwrap();
                            sock.set_nodelay(true).unwrap();
                            let msg = [c as u8; MSG];
                            let mut back = [0u8; MSG];
                            for _ in 0..ROUNDS {
                                sock.write_all(&msg).await.unwrap();
                                sock.read_exact(&mut back).await.unwrap();
                                assert_eq!(back, msg);
                            }
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
            })
        })
    });
}

fn tokio_echo(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    loop {
                        match sock.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if sock.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
        });
        addr
    });
    g.bench_function("tokio", |b| {
        b.iter(|| {
            rt.block_on(async {
                let clients: Vec<_> = (0..CONNS)
                    .map(|c| {
                        tokio::spawn(async move {
                            let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
                            sock.set_nodelay(true).unwrap();
                            let msg = [c as u8; MSG];
                            let mut back = [0u8; MSG];
                            for _ in 0..ROUNDS {
                                sock.write_all(&msg).await.unwrap();
                                sock.read_exact(&mut back).await.unwrap();
                                assert_eq!(back, msg);
                            }
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
            })
        })
    });
}

fn tcp_echo(c: &mut Criterion) {
    let mut g = c.benchmark_group("tcp_echo_50conn_x100");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    robin_echo(&mut Criterion::default(), &mut g);
    tokio_echo(&mut g);
    g.finish();
}

criterion_group!(benches, tcp_echo);
criterion_main!(benches);

//! TCP echo round trips over 127.0.0.1: robin vs tokio vs smol, same shape, 2 workers each.
//!
//! Each runtime runs an echo server (one task per accepted connection: `read` into a 4 KiB
//! buffer, `write_all` it back) and, on the same runtime, the clients: one task per
//! connection doing round trips of a 64-byte message (`write_all`, then `read_exact`),
//! checking every echoed byte. Clients are async tasks on the runtime under test, for all
//! three runtimes alike (not blocking client threads), so the figure is the runtime's own
//! readiness/wake path at both ends. Every socket has `TCP_NODELAY`.
//!
//! Groups:
//! - `tcp_echo_50conn_x100`: each iteration connects 50 clients, 100 round trips each
//!   (connect and accept included in the figure).
//! - `tcp_echo_32conn_x100`, `tcp_echo_500conn_x20`: the goal workloads of issue 15; the
//!   connections are made once, each iteration is only the round trips of every connection.
//!
//! smol is async-executor on 2 threads + async-io (`common/smol.rs`), its I/O types
//! `Async<std::net::TcpStream>` with futures-lite's read/write helpers.
//!
//! Run with `cargo bench -p robin --bench net`.
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::Duration;

#[path = "common/smol.rs"]
mod smol;

const WORKERS: usize = 2;
const MSG: usize = 64;

/// The echo server and the clients, written once against the names each runtime module
/// provides: `Runtime`, `spawn`, `Stream`, and the async fns `bind`, `accept`, `connect`.
macro_rules! echo {
    () => {
        use std::net::SocketAddr;

        /// Starts the echo server on `rt`; returns its address.
        pub(crate) fn server(rt: &Runtime) -> SocketAddr {
            rt.block_on(async {
                let (listener, addr) = bind().await;
                spawn(async move {
                    while let Some(mut sock) = accept(&listener).await {
                        spawn(async move {
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
            })
        }

        /// `rounds` round trips on `sock`, every byte checked.
        async fn round_trips(sock: &mut Stream, tag: u8, rounds: usize) {
            let msg = [tag; super::MSG];
            let mut back = [0u8; super::MSG];
            for _ in 0..rounds {
                sock.write_all(&msg).await.unwrap();
                sock.read_exact(&mut back).await.unwrap();
                assert_eq!(back, msg);
            }
        }

        /// Connects `conns` clients at once, each doing `rounds` round trips, then closes them.
        pub(crate) fn connect_and_echo(
            rt: &Runtime,
            addr: SocketAddr,
            conns: usize,
            rounds: usize,
        ) {
            rt.block_on(async {
                let clients: Vec<_> = (0..conns)
                    .map(|c| {
                        spawn(async move {
                            let mut sock = connect(addr).await;
                            round_trips(&mut sock, c as u8, rounds).await;
                        })
                    })
                    .collect();
                for c in clients {
                    c.await.unwrap();
                }
            })
        }

        /// `conns` connections to `addr`, made one after another.
        pub(crate) fn connect_all(rt: &Runtime, addr: SocketAddr, conns: usize) -> Vec<Stream> {
            rt.block_on(async {
                let mut socks = Vec::with_capacity(conns);
                for _ in 0..conns {
                    socks.push(connect(addr).await);
                }
                socks
            })
        }

        /// One task per connection in `socks`, `rounds` round trips each, all at once.
        pub(crate) fn echo(rt: &Runtime, socks: &mut Vec<Stream>, rounds: usize) {
            rt.block_on(async {
                let tasks: Vec<_> = socks
                    .drain(..)
                    .enumerate()
                    .map(|(c, mut sock)| {
                        spawn(async move {
                            round_trips(&mut sock, c as u8, rounds).await;
                            sock
                        })
                    })
                    .collect();
                for t in tasks {
                    socks.push(t.await.unwrap());
                }
            })
        }
    };
}

mod on_robin {
    use robin::net::{TcpListener, TcpStream};
    pub(crate) use robin::runtime::Runtime;
    use robin::spawn;

    pub(crate) type Stream = TcpStream;

    pub(crate) fn rt() -> Runtime {
        robin::runtime::Builder::new_multi_thread()
            .worker_threads(super::WORKERS)
            .enable_all()
            .build()
            .unwrap()
    }

    async fn bind() -> (TcpListener, std::net::SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }

    async fn accept(listener: &TcpListener) -> Option<TcpStream> {
        let (sock, _) = listener.accept().await.ok()?;
        sock.set_nodelay(true).ok()?;
        Some(sock)
    }

    async fn connect(addr: std::net::SocketAddr) -> TcpStream {
        let sock = TcpStream::connect(addr).await.unwrap();
        sock.set_nodelay(true).unwrap();
        sock
    }

    echo!();
}

mod on_tokio {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream};
    pub(crate) use tokio::runtime::Runtime;
    use tokio::spawn;

    pub(crate) type Stream = TcpStream;

    pub(crate) fn rt() -> Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(super::WORKERS)
            .enable_all()
            .build()
            .unwrap()
    }

    async fn bind() -> (TcpListener, std::net::SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        (listener, addr)
    }

    async fn accept(listener: &TcpListener) -> Option<TcpStream> {
        let (sock, _) = listener.accept().await.ok()?;
        sock.set_nodelay(true).ok()?;
        Some(sock)
    }

    async fn connect(addr: std::net::SocketAddr) -> TcpStream {
        let sock = TcpStream::connect(addr).await.unwrap();
        sock.set_nodelay(true).unwrap();
        sock
    }

    echo!();
}

mod on_smol {
    pub(crate) use super::smol::Runtime;
    use super::smol::{spawn, Builder};
    use async_io::Async;
    use futures_lite::io::{AsyncReadExt, AsyncWriteExt};
    use std::net::{TcpListener, TcpStream};

    pub(crate) type Stream = Async<TcpStream>;

    pub(crate) fn rt() -> Runtime {
        Builder::new_multi_thread()
            .worker_threads(super::WORKERS)
            .enable_all()
            .build()
            .unwrap()
    }

    async fn bind() -> (Async<TcpListener>, std::net::SocketAddr) {
        let listener = Async::<TcpListener>::bind(([127, 0, 0, 1], 0)).unwrap();
        let addr = listener.get_ref().local_addr().unwrap();
        (listener, addr)
    }

    async fn accept(listener: &Async<TcpListener>) -> Option<Stream> {
        let (sock, _) = listener.accept().await.ok()?;
        sock.get_ref().set_nodelay(true).ok()?;
        Some(sock)
    }

    async fn connect(addr: std::net::SocketAddr) -> Stream {
        let sock = Async::<TcpStream>::connect(addr).await.unwrap();
        sock.get_ref().set_nodelay(true).unwrap();
        sock
    }

    echo!();
}

/// Each iteration connects 50 clients (connect and accept included).
fn tcp_echo(c: &mut Criterion) {
    const CONNS: usize = 50;
    const ROUNDS: usize = 100;
    let mut g = c.benchmark_group("tcp_echo_50conn_x100");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    {
        let rt = on_robin::rt();
        let addr = on_robin::server(&rt);
        g.bench_function("robin", |b| {
            b.iter(|| on_robin::connect_and_echo(&rt, addr, CONNS, ROUNDS))
        });
    }
    {
        let rt = on_tokio::rt();
        let addr = on_tokio::server(&rt);
        g.bench_function("tokio", |b| {
            b.iter(|| on_tokio::connect_and_echo(&rt, addr, CONNS, ROUNDS))
        });
    }
    {
        let rt = on_smol::rt();
        let addr = on_smol::server(&rt);
        g.bench_function("smol", |b| {
            b.iter(|| on_smol::connect_and_echo(&rt, addr, CONNS, ROUNDS))
        });
    }
    g.finish();
}

/// Round trips on `conns` connections made once, beforehand.
fn persistent(c: &mut Criterion, name: &str, conns: usize, rounds: usize) {
    let mut g = c.benchmark_group(name);
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    {
        let rt = on_robin::rt();
        let addr = on_robin::server(&rt);
        let mut socks = on_robin::connect_all(&rt, addr, conns);
        g.bench_function("robin", |b| {
            b.iter(|| on_robin::echo(&rt, &mut socks, rounds))
        });
    }
    {
        let rt = on_tokio::rt();
        let addr = on_tokio::server(&rt);
        let mut socks = on_tokio::connect_all(&rt, addr, conns);
        g.bench_function("tokio", |b| {
            b.iter(|| on_tokio::echo(&rt, &mut socks, rounds))
        });
    }
    {
        let rt = on_smol::rt();
        let addr = on_smol::server(&rt);
        let mut socks = on_smol::connect_all(&rt, addr, conns);
        g.bench_function("smol", |b| {
            b.iter(|| on_smol::echo(&rt, &mut socks, rounds))
        });
    }
    g.finish();
}

fn tcp_echo_32(c: &mut Criterion) {
    persistent(c, "tcp_echo_32conn_x100", 32, 100);
}

fn tcp_echo_500(c: &mut Criterion) {
    persistent(c, "tcp_echo_500conn_x20", 500, 20);
}

criterion_group!(benches, tcp_echo, tcp_echo_32, tcp_echo_500);
criterion_main!(benches);

//! TCP echo round trips over 127.0.0.1: robin vs tokio vs smol, same shape, 2 workers each.
//!
//! Each runtime runs an echo server (one task per accepted connection: `read` into a 4 KiB
//! buffer, `write_all` it back) and, on the same runtime, the clients: one task per
//! connection doing round trips of a 64-byte message (`write_all`, then `read_exact`),
//! checking every echoed byte. Clients are async tasks on the runtime under test, for all
//! three runtimes alike, so the figure is the runtime's own readiness/wake path at both
//! ends; the `_blocking_clients` groups run the clients as plain threads with blocking
//! std sockets instead (the server alone on the runtime). Every socket has `TCP_NODELAY`.
//!
//! Groups:
//! - `tcp_echo_50conn_x100`: each iteration connects 50 clients, 100 round trips each
//!   (connect and accept included in the figure).
//! - `tcp_echo_32conn_x100`, `tcp_echo_500conn_x20`: the goal workloads of issue 15; the
//!   connections are made once, each iteration is only the round trips of every connection.
//! - `tcp_echo_32conn_x100_blocking_clients`, `tcp_echo_500conn_x20_blocking_clients`: the
//!   same with one blocking client thread per connection (spawned per iteration, 64 KiB
//!   stacks: the spawns are part of every runtime's figure alike).
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

/// robin and tokio spell the parts of the echo the same way (`$rt::net`, `$rt::runtime`,
/// `$rt::spawn`): one module body for both.
macro_rules! peer {
    ($rt:ident) => {
        use $rt::net::{TcpListener, TcpStream};
        pub(crate) use $rt::runtime::Runtime;
        use $rt::spawn;

        pub(crate) type Stream = TcpStream;

        pub(crate) fn rt() -> Runtime {
            $rt::runtime::Builder::new_multi_thread()
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
    };
}

mod on_robin {
    peer!(robin);
}

mod on_tokio {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    peer!(tokio);
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
    macro_rules! member {
        ($on:ident, $label:literal) => {{
            let rt = $on::rt();
            let addr = $on::server(&rt);
            g.bench_function($label, |b| {
                b.iter(|| $on::connect_and_echo(&rt, addr, CONNS, ROUNDS))
            });
        }};
    }
    member!(on_robin, "robin");
    member!(on_tokio, "tokio");
    member!(on_smol, "smol");
    g.finish();
}

/// `conns` blocking std connections to `addr`, made once.
fn blocking_clients(addr: std::net::SocketAddr, conns: usize) -> Vec<std::net::TcpStream> {
    (0..conns)
        .map(|_| {
            let sock = std::net::TcpStream::connect(addr).unwrap();
            sock.set_nodelay(true).unwrap();
            sock
        })
        .collect()
}

/// One plain thread per connection (blocking reads and writes), `rounds` round trips
/// each, every byte checked; returns when all are done.
fn blocking_echo(socks: &mut [std::net::TcpStream], rounds: usize) {
    use std::io::{Read, Write};
    std::thread::scope(|s| {
        for (c, sock) in socks.iter_mut().enumerate() {
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn_scoped(s, move || {
                    let msg = [c as u8; MSG];
                    let mut back = [0u8; MSG];
                    for _ in 0..rounds {
                        sock.write_all(&msg).unwrap();
                        sock.read_exact(&mut back).unwrap();
                        assert_eq!(back, msg);
                    }
                })
                .unwrap();
        }
    });
}

/// Round trips on `conns` connections made once, beforehand, clients as tasks on the
/// runtime under test; then (group `<name>_blocking_clients`, issue 15's workload) the
/// same with the server alone on the runtime and the clients plain blocking threads.
fn persistent(c: &mut Criterion, name: &str, conns: usize, rounds: usize) {
    let mut g = c.benchmark_group(name);
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    macro_rules! member {
        ($on:ident, $label:literal) => {{
            let rt = $on::rt();
            let addr = $on::server(&rt);
            let mut socks = $on::connect_all(&rt, addr, conns);
            g.bench_function($label, |b| b.iter(|| $on::echo(&rt, &mut socks, rounds)));
        }};
    }
    member!(on_robin, "robin");
    member!(on_tokio, "tokio");
    member!(on_smol, "smol");
    g.finish();

    let mut g = c.benchmark_group(format!("{name}_blocking_clients"));
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    macro_rules! blocking_member {
        ($on:ident, $label:literal) => {{
            let rt = $on::rt();
            let addr = $on::server(&rt);
            let mut socks = blocking_clients(addr, conns);
            g.bench_function($label, |b| b.iter(|| blocking_echo(&mut socks, rounds)));
            drop(socks);
            drop(rt);
        }};
    }
    blocking_member!(on_robin, "robin");
    blocking_member!(on_tokio, "tokio");
    blocking_member!(on_smol, "smol");
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

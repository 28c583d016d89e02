//! Errors are values: refused connections, addresses in use, resets, writes after
//! shutdown, sockets outside or after their runtime. 127.0.0.1 only; loops bounded.
mod common;

use common::{rt, watchdog};
use robin_net::{TcpListener, TcpStream, UdpSocket};
use std::io::ErrorKind;

#[test]
fn connect_to_closed_port_is_refused() {
    let _dog = watchdog("connect_to_closed_port_is_refused", 30);
    rt(2).block_on(async {
        // Bind a port, note it, and close the listener: nobody listens there now.
        let addr = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
fn bind_address_in_use() {
    let _dog = watchdog("bind_address_in_use", 30);
    rt(2).block_on(async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = TcpListener::bind(first.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let err = UdpSocket::bind(udp.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
    });
}

/// The peer closes with unread data in its receive buffer, so Linux sends RST: our side's
/// reads/writes fail with ConnectionReset or BrokenPipe (never hang, never panic).
#[test]
fn peer_reset_mid_stream() {
    let _dog = watchdog("peer_reset_mid_stream", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        client.write_all(&[7u8; 4096]).await.unwrap();
        server.readable().await.unwrap();
        drop(server); // unread data: RST

        let mut buf = [0u8; 1024];
        let mut err = None;
        for _ in 0..1000 {
            match client.read(&mut buf).await {
                Err(e) => {
                    err = Some(e);
                    break;
                }
                Ok(_) => {
                    if let Err(e) = client.write(&[1u8; 1024]).await {
                        err = Some(e);
                        break;
                    }
                }
            }
        }
        let err = err.expect("the reset was never reported");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "{err:?}"
        );
    });
}

#[test]
fn write_after_shutdown_fails() {
    let _dog = watchdog("write_after_shutdown_fails", 30);
    rt(2).block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (_server, _) = listener.accept().await.unwrap();
        client.shutdown().await.unwrap();
        let err = client.write_all(b"too late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
    });
}

/// Sockets whose runtime was dropped: every wait fails with an io::Error.
#[test]
fn socket_used_after_runtime_dropped() {
    let _dog = watchdog("socket_used_after_runtime_dropped", 30);
    let rt = rt(2);
    let (listener, mut client, server, udp) = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        (listener, client, server, udp)
    });
    drop(rt);
    futures::executor::block_on(async {
        let mut buf = [0u8; 8];
        assert!(client.read(&mut buf).await.is_err());
        assert!(client.write_all(b"x").await.is_err());
        assert!(server.readable().await.is_err());
        assert!(server.try_read(&mut buf).is_err());
        assert!(listener.accept().await.is_err());
        assert!(udp.recv_from(&mut buf).await.is_err());
        assert!(udp.send_to(b"x", "127.0.0.1:9").await.is_err());
    });
    // Dropping them afterwards is fine too.
    drop((listener, client, server, udp));
}

/// Runs `f`, which must panic; returns the message and where the panic was reported.
fn panic_of(f: impl FnOnce()) -> (String, String) {
    use std::sync::{Arc, Mutex};
    // The panic hook is process-wide and the tests run on parallel threads: one test at
    // a time swaps it (else two swaps interleave and a panic lands in the other test's
    // hook), and the hook records only this thread's panic.
    static HOOK: Mutex<()> = Mutex::new(());
    let _one_at_a_time = HOOK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let site = Arc::new(Mutex::new(String::new()));
    let seen = site.clone();
    let me = std::thread::current().id();
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let (Some(loc), true) = (info.location(), std::thread::current().id() == me) {
            *seen.lock().unwrap() = format!("{}:{}", loc.file(), loc.line());
        }
    }));
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).expect_err("no panic");
    std::panic::set_hook(prev);
    let msg = err
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    let site = site.lock().unwrap().clone();
    (msg, site)
}

/// tokio documents that its sockets panic when created outside a runtime with I/O
/// enabled; robin's do the same, at the caller, with a message naming the fix.
#[test]
fn sockets_outside_a_runtime_panic_as_in_tokio() {
    use robin_net::unix::pipe;
    use robin_net::{UnixDatagram, UnixListener, UnixStream};
    let this_file = file!();
    let std_listener = || std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    type Case = (&'static str, Box<dyn FnOnce()>);
    let cases: Vec<Case> = vec![
        (
            "TcpListener::from_std",
            Box::new(move || drop(TcpListener::from_std(std_listener()))),
        ),
        (
            "TcpStream::from_std",
            Box::new(move || {
                let l = std_listener();
                let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
                drop(TcpStream::from_std(s));
            }),
        ),
        (
            "TcpStream::try_from",
            Box::new(move || {
                let l = std_listener();
                let s = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
                drop(TcpStream::try_from(s));
            }),
        ),
        (
            "UdpSocket::from_std",
            Box::new(|| {
                drop(UdpSocket::from_std(
                    std::net::UdpSocket::bind("127.0.0.1:0").unwrap(),
                ))
            }),
        ),
        ("UnixStream::pair", Box::new(|| drop(UnixStream::pair()))),
        (
            "UnixStream::from_std",
            Box::new(|| {
                let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
                drop(UnixStream::from_std(a));
            }),
        ),
        (
            "UnixDatagram::unbound",
            Box::new(|| drop(UnixDatagram::unbound())),
        ),
        (
            "UnixListener::bind",
            Box::new(|| drop(UnixListener::bind("\0robin-outside"))),
        ),
        ("pipe::pipe", Box::new(|| drop(pipe::pipe()))),
        (
            "TcpSocket::listen",
            Box::new(|| {
                let s = robin_net::TcpSocket::new_v4().unwrap();
                s.bind("127.0.0.1:0".parse().unwrap()).unwrap();
                drop(s.listen(8));
            }),
        ),
    ];
    for (what, f) in cases {
        let (msg, site) = panic_of(f);
        assert!(
            msg.contains("no robin runtime running") && msg.contains("Runtime::enter"),
            "{what}: {msg}"
        );
        assert!(
            site.starts_with(this_file),
            "{what}: panic reported at {site}"
        );
    }
    // Async constructors panic when polled outside a runtime, as tokio's.
    for (what, f) in [
        (
            "TcpListener::bind",
            Box::new(|| {
                drop(futures::executor::block_on(TcpListener::bind(
                    "127.0.0.1:0",
                )))
            }) as Box<dyn FnOnce()>,
        ),
        (
            "TcpListener::bind(name)",
            Box::new(|| {
                drop(futures::executor::block_on(TcpListener::bind(
                    "localhost:0",
                )))
            }),
        ),
        (
            "UdpSocket::bind",
            Box::new(|| drop(futures::executor::block_on(UdpSocket::bind("127.0.0.1:0")))),
        ),
    ] {
        let (msg, _) = panic_of(f);
        assert!(msg.contains("no robin runtime running"), "{what}: {msg}");
    }
}

/// A runtime without the I/O driver: the panic says how to enable it (tokio: "IO is
/// disabled. Call `enable_io`").
#[test]
fn sockets_on_a_runtime_without_io_panic_naming_enable_io() {
    let rt = robin_runtime::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let _guard = rt.enter();
    let (msg, site) = panic_of(|| {
        drop(TcpListener::from_std(
            std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        ))
    });
    assert!(msg.contains("enable_io"), "{msg}");
    assert!(site.starts_with(file!()), "panic reported at {site}");
}

//! The driver's registration API, as the socket types use it: waits on a deregistered
//! resource fail instead of hanging.
use robin::runtime::Builder;
use robin_runtime::io::{Direction, Interest, Registration};
use std::future::poll_fn;

#[test]
fn waits_after_deregister_fail_instead_of_hanging() {
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let mut listener = mio::net::TcpListener::from_std(std_listener);
        let mut reg = Registration::new(&mut listener, Interest::READABLE).unwrap();
        reg.deregister(&mut listener).unwrap();
        // No connection will ever come, and the source is no longer in epoll: the wait
        // must report that rather than wait forever.
        let res = poll_fn(|cx| reg.poll_ready(cx, Direction::Read)).await;
        let err = res.unwrap_err();
        assert!(err.to_string().contains("deregistered"), "{err}");
    });
}

#[test]
fn registering_after_shutdown_is_an_error() {
    let rt = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let handle = rt.handle().clone();
    drop(rt);
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let mut listener = mio::net::TcpListener::from_std(std_listener);
    let err = Registration::with_handle(&mut listener, Interest::READABLE, &handle).unwrap_err();
    assert!(err.to_string().contains("shut down"), "{err}");
}

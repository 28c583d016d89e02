//! Many tasks awaiting one socket at once (issue 12 defect 5's waiter lists): every async
//! operation waits through its own waiter node, so each event wakes every task it
//! concerns — none is lost behind another task's waker, as it would be if the async
//! methods used the `poll_*` path's single waker per direction.
use robin::net::{TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;

const TASKS: usize = 4;

fn runtime() -> robin::runtime::Runtime {
    robin::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Gives the spawned tasks a chance to reach their wait (bounded yields; the tests pass
/// whether or not they did, they only fail if a waiting task is never woken).
async fn settle() {
    for _ in 0..100 {
        robin::task::yield_now().await;
    }
}

/// A task that is never woken fails the test (after a generous bound), not hangs it.
async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    robin::time::timeout(std::time::Duration::from_secs(60), f)
        .await
        .expect("a waiting task was never woken (lost wake-up)")
}

#[test]
fn several_tasks_receiving_on_one_udp_socket_all_get_a_datagram() {
    runtime().block_on(async {
        let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let addr = socket.local_addr().unwrap();
        let receivers: Vec<_> = (0..TASKS)
            .map(|_| {
                let socket = socket.clone();
                robin::spawn(async move {
                    let mut buf = [0u8; 8];
                    let (n, _) = socket.recv_from(&mut buf).await.unwrap();
                    buf[..n].to_vec()
                })
            })
            .collect();
        settle().await;
        let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        for i in 0..TASKS as u8 {
            sender.send_to(&[i], addr).await.unwrap();
        }
        let mut got: Vec<u8> = Vec::new();
        for receiver in receivers {
            got.extend(bounded(receiver).await.unwrap());
        }
        got.sort();
        assert_eq!(got, (0..TASKS as u8).collect::<Vec<_>>());
    });
}

#[test]
fn several_tasks_accepting_on_one_listener_all_get_a_connection() {
    runtime().block_on(async {
        let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = listener.local_addr().unwrap();
        let acceptors: Vec<_> = (0..TASKS)
            .map(|_| {
                let listener = listener.clone();
                robin::spawn(async move { listener.accept().await.map(|_| ()) })
            })
            .collect();
        settle().await;
        let mut clients = Vec::new();
        for _ in 0..TASKS {
            clients.push(TcpStream::connect(addr).await.unwrap());
        }
        for acceptor in acceptors {
            bounded(acceptor).await.unwrap().unwrap();
        }
    });
}

#[test]
fn readable_futures_of_many_tasks_are_all_woken_by_one_event() {
    runtime().block_on(async {
        let (a, b) = robin::net::UnixStream::pair().unwrap();
        let a = Arc::new(a);
        let waiters: Vec<_> = (0..TASKS)
            .map(|_| {
                let a = a.clone();
                robin::spawn(async move { a.readable().await.unwrap() })
            })
            .collect();
        settle().await;
        b.writable().await.unwrap();
        b.try_write(b"x").unwrap();
        for waiter in waiters {
            bounded(waiter).await.unwrap();
        }
    });
}

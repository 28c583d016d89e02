//! The driver runs on its own thread: a task that blocks its worker does not stall I/O
//! for the other worker (tokio #4730).
mod common;

use common::{rt, watchdog};
use robin_net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

/// One task blocks its worker (in a bounded `recv_timeout`) until an echo round trip
/// driven by other tasks has completed. If I/O depended on the blocked worker, the echo
/// could not finish and the blocker would time out.
#[test]
fn echo_completes_while_a_worker_is_blocked() {
    let _dog = watchdog("echo_completes_while_a_worker_is_blocked", 60);
    let rt = rt(2);
    let echoed_while_blocked = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (blocked_tx, blocked_rx) = mpsc::channel::<()>();
        let (done_tx, done_rx) = mpsc::channel::<()>();

        let blocker = robin_runtime::spawn(async move {
            blocked_tx.send(()).unwrap();
            // Blocks this worker thread: no `.await` until the echo is done (or 20 s).
            done_rx.recv_timeout(Duration::from_secs(20)).is_ok()
        });
        // Wait (on the block_on thread, not a worker) until the worker is blocked.
        blocked_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("blocker never ran");

        let server = robin_runtime::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 64];
            let n = socket.read(&mut buf).await.unwrap();
            socket.write_all(&buf[..n]).await.unwrap();
        });
        let client = robin_runtime::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream.write_all(b"still alive").await.unwrap();
            let mut buf = [0u8; 11];
            stream.read_exact(&mut buf).await.unwrap();
            buf
        });
        assert_eq!(&client.await.unwrap(), b"still alive");
        server.await.unwrap();
        done_tx.send(()).unwrap();
        blocker.await.unwrap()
    });
    assert!(
        echoed_while_blocked,
        "the echo did not complete while the worker was blocked"
    );
}

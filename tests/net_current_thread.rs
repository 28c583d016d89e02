//! The current-thread flavor drives I/O and timers itself when idle (no driver thread):
//! an echo server and its clients, all on the thread in `block_on` (asyncio's model).
use robin::net::{TcpListener, TcpStream};
use robin::runtime::Builder;
use std::time::Duration;

#[test]
fn echo_on_the_current_thread_event_loop() {
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    let total = rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = robin::spawn(async move {
            for _ in 0..20 {
                let (mut sock, _) = listener.accept().await.unwrap();
                robin::spawn(async move {
                    let mut buf = vec![0u8; 1024];
                    loop {
                        let n = sock.read(&mut buf).await.unwrap();
                        if n == 0 {
                            return;
                        }
                        sock.write_all(&buf[..n]).await.unwrap();
                    }
                });
            }
        });
        let clients: Vec<_> = (0..20u8)
            .map(|c| {
                robin::spawn(async move {
                    let mut sock = TcpStream::connect(addr).await.unwrap();
                    let msg = vec![c; 10_000];
                    sock.write_all(&msg).await.unwrap();
                    let mut back = vec![0u8; msg.len()];
                    sock.read_exact(&mut back).await.unwrap();
                    assert_eq!(back, msg);
                    back.len()
                })
            })
            .collect();
        let mut total = 0;
        for c in clients {
            total += c.await.unwrap();
        }
        server.await.unwrap();
        total
    });
    assert_eq!(total, 200_000);
    // Only the calling thread ran tasks: no worker or driver threads were needed.
}

#[test]
fn timers_and_io_interleave_on_one_thread() {
    let rt = Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // The server answers only after a timer fires: the loop must wake for the timer
        // while also watching the socket.
        let server = robin::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            robin::time::sleep(Duration::from_millis(20)).await;
            sock.write_all(b"late hello").await.unwrap();
        });
        let mut sock = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0u8; 10];
        let res = robin::time::timeout(Duration::from_secs(10), sock.read_exact(&mut buf)).await;
        res.expect("reply before the timeout").unwrap();
        assert_eq!(&buf, b"late hello");
        server.await.unwrap();
    });
}

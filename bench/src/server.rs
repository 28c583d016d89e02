//! The delay server: a local TCP "API" on 127.0.0.1 (port 0) that answers each request after a
//! fixed delay. Every model talks to the same server.
//!
//! Protocol: the client sends 16 bytes `[id: u64 LE][seq: u64 LE]`; after `delay` the server
//! answers 8 bytes `answer(id, seq)`. A connection carries any number of sequential requests.
//!
//! The server runs on its own robin multi-thread runtime (one worker thread plus robin's driver
//! thread) on a dedicated OS thread, so it is identical for every model. On the 2-core machine it
//! shares the CPU with the model under test; the report says so.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The server's answer to request `(id, seq)`; clients check it.
pub fn answer(id: u64, seq: u64) -> u64 {
    id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seq
}

/// A running delay server; dropping it stops the server and joins its thread.
#[derive(Debug)]
pub struct DelayServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DelayServer {
    /// Starts the server on 127.0.0.1:0 answering after `delay`.
    pub fn start(delay: Duration) -> io::Result<DelayServer> {
        let rt = robin::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("delay-server")
            .enable_all()
            .build()?;
        let listener = rt.block_on(robin::net::TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("delay-server-main".into())
            .spawn(move || {
                rt.block_on(async move {
                    loop {
                        let accepted = listener.accept().await;
                        if flag.load(Ordering::Acquire) {
                            return;
                        }
                        match accepted {
                            Ok((stream, _)) => {
                                robin::spawn(serve(stream, delay));
                            }
                            // EMFILE and friends: the connection stays in the backlog; the
                            // client side times out and reports it. Yield and keep serving.
                            Err(_) => robin::task::yield_now().await,
                        }
                    }
                });
                rt.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(DelayServer {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

async fn serve(mut stream: robin::net::TcpStream, delay: Duration) {
    let _ = stream.set_nodelay(true);
    let mut req = [0u8; 16];
    while stream.read_exact(&mut req).await.is_ok() {
        let id = u64::from_le_bytes(req[..8].try_into().expect("8 bytes"));
        let seq = u64::from_le_bytes(req[8..].try_into().expect("8 bytes"));
        robin::time::sleep(delay).await;
        if stream
            .write_all(&answer(id, seq).to_le_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

impl Drop for DelayServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wake the accept loop so it sees the flag.
        let _ = std::net::TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

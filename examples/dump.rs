//! Task dumps on a live server: one handler waits on a hand-rolled future that forgets
//! to store its waker (a leaked task: it can never run again), another waits on a slow
//! backend (a 30 s timer). The dump tells them apart exactly.
//!
//! Run with `cargo run --example dump`. `tests/dump_example.rs` runs the same scenario
//! and asserts on the dump.
use robin::net::{TcpListener, TcpStream};
use robin::runtime::dump::{Dump, TaskState};
use robin::runtime::{Builder, Handle};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// A "wait until set" future with the classic bug: it returns `Pending` without storing
/// the waker anywhere, so setting the flag later wakes nobody.
struct BuggyFlag(Arc<AtomicBool>);

impl Future for BuggyFlag {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if self.0.load(Ordering::Acquire) {
            Poll::Ready(())
        } else {
            Poll::Pending // BUG: `_cx.waker()` is dropped on the floor.
        }
    }
}

/// Handles one connection: reads a one-line request and answers it.
async fn handle(mut stream: TcpStream, flag: Arc<AtomicBool>) -> io::Result<()> {
    let mut buf = [0u8; 16];
    let n = stream.read(&mut buf).await?;
    match &buf[..n] {
        b"slow\n" => {
            // A slow backend: still fine, it will answer when the timer fires.
            robin::time::sleep(Duration::from_secs(30)).await;
            stream.write_all(b"slow answer\n").await
        }
        _ => {
            BuggyFlag(flag).await;
            stream.write_all(b"flag answer\n").await
        }
    }
}

/// Starts the server, connects one slow and one "flag" client, and returns the dump
/// taken once both handlers have parked (bounded: gives up after 10 s).
pub fn run() -> io::Result<Dump> {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let flag = Arc::new(AtomicBool::new(false));
        robin::task::Builder::new()
            .name("accept-loop")
            .spawn(async move {
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        return;
                    };
                    let flag = flag.clone();
                    // Name each handler after its request, read before spawning.
                    let mut kind = [0u8; 1];
                    if stream.peek(&mut kind).await.is_err() {
                        continue;
                    }
                    let name = if kind[0] == b's' {
                        "slow-handler"
                    } else {
                        "leaky-handler"
                    };
                    let _ = robin::task::Builder::new()
                        .name(name)
                        .spawn(handle(stream, flag));
                }
            })?;
        let mut slow = TcpStream::connect(addr).await?;
        slow.write_all(b"slow\n").await?;
        let mut leaky = TcpStream::connect(addr).await?;
        leaky.write_all(b"flag\n").await?;

        let start = Instant::now();
        loop {
            let dump = Handle::current().dump();
            let parked = |name| {
                dump.tasks()
                    .iter()
                    .any(|t| t.name() == Some(name) && t.state() == TaskState::Idle)
            };
            if parked("slow-handler") && parked("leaky-handler") {
                return Ok(dump);
            }
            if start.elapsed() > Duration::from_secs(10) {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("the handlers never parked:\n{dump}"),
                ));
            }
            robin::time::sleep(Duration::from_millis(5)).await;
        }
    })
}

#[allow(dead_code)] // `tests/dump_example.rs` includes this file for `run` only.
fn main() -> io::Result<()> {
    let dump = run()?;
    println!("{dump}");
    Ok(())
}

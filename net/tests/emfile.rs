//! Descriptor exhaustion: `accept` failing with `EMFILE` returns the error (no spinning),
//! and the listener serves again once descriptors are free.
//!
//! The limit is lowered in a child process (this test binary re-executed with
//! `ROBIN_EMFILE_CHILD=1` and an exact test filter), so the other tests never run short
//! of descriptors. The parent checks the child's exit status and output.
mod common;

use common::{rt, watchdog};
use robin_net::TcpListener;
use std::future::Future;
use std::pin::Pin;
use std::process::Command;
use std::task::{Context, Poll};

const CHILD_ENV: &str = "ROBIN_EMFILE_CHILD";
const CHILD_TEST: &str = "emfile_child";
const CHILD_OK: &str = "EMFILE_CHILD_OK";

/// Polls the inner future and counts the polls.
struct Counted<F> {
    inner: Pin<Box<F>>,
    polls: usize,
}

impl<F: Future> Future for Counted<F> {
    type Output = (F::Output, usize);
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls += 1;
        // Bounded: a future that keeps waking itself would blow through this.
        assert!(self.polls < 100, "accept spun: {} polls", self.polls);
        let polls = self.polls;
        self.inner.as_mut().poll(cx).map(|out| (out, polls))
    }
}

fn counted<F: Future>(f: F) -> Counted<F> {
    Counted {
        inner: Box::pin(f),
        polls: 0,
    }
}

fn set_nofile_soft_limit(limit: u64) {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit` for the duration of the call.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    lim.rlim_cur = limit;
    // SAFETY: `lim` is a valid `rlimit`; lowering the soft limit needs no privilege.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
}

/// The parent: re-runs this binary with only `emfile_child`, under `ROBIN_EMFILE_CHILD=1`.
#[test]
fn accept_emfile_returns_error_then_recovers() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let _dog = watchdog("accept_emfile_returns_error_then_recovers", 90);
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args(["--exact", CHILD_TEST, "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("spawn the child test process");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "child failed: {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains(CHILD_OK),
        "child did not report success:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("1 passed"), "child ran no test:\n{stdout}");
}

/// The child: a no-op unless `ROBIN_EMFILE_CHILD` is set.
#[test]
fn emfile_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let _dog = watchdog("emfile_child", 60);
    let rt = rt(2);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();

        // Few descriptors from now on; fill them with (blocking, loopback) client
        // connections, which the kernel completes into the listener's backlog.
        set_nofile_soft_limit(64);
        let mut clients = Vec::new();
        let mut exhausted = false;
        for _ in 0..64 {
            match std::net::TcpStream::connect(addr) {
                Ok(stream) => clients.push(stream),
                Err(e) if e.raw_os_error() == Some(libc::EMFILE) => {
                    exhausted = true;
                    break;
                }
                Err(e) => panic!("unexpected connect error: {e}"),
            }
        }
        assert!(exhausted, "never ran out of descriptors");
        assert!(
            clients.len() >= 4,
            "too few connections before EMFILE: {}",
            clients.len()
        );

        // accept fails with EMFILE, returned as a value within a few polls, twice (the
        // readiness is kept for the connections still in the backlog).
        for attempt in 0..2 {
            let (res, polls) = counted(listener.accept()).await;
            let err = res.expect_err("accept succeeded without a free descriptor");
            assert_eq!(
                err.raw_os_error(),
                Some(libc::EMFILE),
                "attempt {attempt}: {err}"
            );
            println!("attempt {attempt}: accept -> {err} after {polls} poll(s)");
        }

        // Free descriptors: drop the newest clients, keep the first (its connection is
        // first in the backlog).
        let freed = clients.len() / 2;
        clients.truncate(clients.len() - freed);
        let (mut server, peer) = listener.accept().await.expect("accept after freeing fds");
        assert_eq!(peer, clients[0].local_addr().unwrap());
        use std::io::Write;
        clients[0].write_all(b"served again").unwrap();
        let mut buf = [0u8; 12];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"served again");
        server.write_all(b"ok").await.unwrap();
        println!(
            "{CHILD_OK}: {} connections before EMFILE, freed {freed}",
            clients.len() + freed
        );
    });
}

//! Issue 12, defect 2: a pending socket error must not make waits spin.
//!
//! An ICMP port-unreachable on a connected UDP socket arrives as `EPOLLERR | EPOLLOUT`
//! (mio: error + writable + write-closed). The first `recv` reports the error; after
//! that the socket has nothing to read, so a later `recv().await` must *wait*. Before
//! the fix the error and write-closed flags stayed set after the `WouldBlock`, so the
//! wait returned Ready at once, the read hit `WouldBlock` again, and the task spun
//! (Ready → WouldBlock → Ready) until the coop budget forced a yield, forever.
//!
//! Two detectors, both over a bounded wait that ends in a timeout: the number of times
//! the waiting future is polled (a spin polls it thousands of times, a wait a handful),
//! and the process's CPU time over the wait (a spin burns a core; the bound is generous
//! because the machine is shared: this detects a spin, it does not time anything).
mod common;

use robin_net::{Interest, UdpSocket};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Counts how often the inner future is polled.
struct Counted<F> {
    inner: Pin<Box<F>>,
    polls: Arc<AtomicUsize>,
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.inner.as_mut().poll(cx)
    }
}

/// User + system CPU time of the whole process.
fn cpu_time() -> Duration {
    // SAFETY: `getrusage` writes a `rusage` into the zeroed struct we pass; all-zero
    // bytes are a valid `rusage` (plain integers).
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// How long each wait runs before its timeout ends it.
const WAIT: Duration = Duration::from_millis(400);
/// A waiting future is polled once, plus at most a few spurious wakes.
const MAX_POLLS: usize = 8;
/// Far below a spinning core over `WAIT`, far above an idle process.
const MAX_CPU: Duration = Duration::from_millis(150);

/// Runs `fut` until `WAIT` elapses (it must not finish), and returns (polls, CPU time).
async fn wait_counted<F: Future>(fut: F) -> (usize, Duration) {
    let polls = Arc::new(AtomicUsize::new(0));
    let counted = Counted {
        inner: Box::pin(fut),
        polls: polls.clone(),
    };
    let before = cpu_time();
    let res = robin_time::timeout(WAIT, counted).await;
    let cpu = cpu_time().saturating_sub(before);
    assert!(res.is_err(), "the wait finished instead of waiting");
    (polls.load(Ordering::Relaxed), cpu)
}

/// A UDP socket connected to a closed port that was just sent a datagram (the ICMP
/// port-unreachable is on its way).
async fn socket_to_closed_port() -> UdpSocket {
    let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let closed_addr = closed.local_addr().unwrap();
    drop(closed);
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.connect(closed_addr).await.unwrap();
    socket.send(b"anyone?").await.unwrap();
    socket
}

/// A connected UDP socket whose peer port is closed, after the error was reported once.
async fn errored_socket() -> UdpSocket {
    let socket = socket_to_closed_port().await;
    let mut buf = [0; 16];
    // The ICMP port-unreachable wakes the reader, and the read reports it.
    let err = robin_time::timeout(Duration::from_secs(10), socket.recv(&mut buf))
        .await
        .expect("the ICMP error was never reported")
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    socket
}

#[test]
fn recv_after_icmp_error_waits_without_spinning() {
    let _watchdog = common::watchdog("recv_after_icmp_error_waits_without_spinning", 60);
    let rt = common::rt(1);
    rt.block_on(async {
        let socket = errored_socket().await;
        let mut buf = [0; 16];
        let (polls, cpu) = wait_counted(socket.recv(&mut buf)).await;
        assert!(
            polls <= MAX_POLLS,
            "recv spun: polled {polls} times while waiting"
        );
        assert!(
            cpu < MAX_CPU,
            "recv spun: {cpu:?} of CPU while waiting {WAIT:?}"
        );
        // The socket still works: a datagram from the (now bound) peer arrives.
        let peer = UdpSocket::bind(socket.peer_addr().unwrap()).await.unwrap();
        peer.send_to(b"late", socket.local_addr().unwrap())
            .await
            .unwrap();
        let n = socket.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"late");
    });
}

#[test]
fn blocked_send_on_errored_socket_waits_without_spinning() {
    let _watchdog = common::watchdog("blocked_send_on_errored_socket_waits_without_spinning", 60);
    let rt = common::rt(1);
    rt.block_on(async {
        let socket = errored_socket().await;
        // A send the kernel cannot take (a full send buffer): the operation says
        // `WouldBlock` every time, so the task must wait for the next writable edge.
        let blocked_send = socket.async_io(Interest::WRITABLE, || {
            Err::<(), _>(io::Error::from(io::ErrorKind::WouldBlock))
        });
        let (polls, cpu) = wait_counted(blocked_send).await;
        assert!(
            polls <= MAX_POLLS,
            "send spun: polled {polls} times while waiting"
        );
        assert!(
            cpu < MAX_CPU,
            "send spun: {cpu:?} of CPU while waiting {WAIT:?}"
        );
        // (The simulated `WouldBlock` cleared a writability that was real, so a send
        // now waits for the next writable edge, as in tokio; nothing more to check.)
    });
}

#[test]
fn error_readiness_is_reported_by_ready() {
    let _watchdog = common::watchdog("error_readiness_is_reported_by_ready", 60);
    let rt = common::rt(1);
    rt.block_on(async {
        let socket = socket_to_closed_port().await;
        // As tokio's `Interest::ERROR`: the wait returns once the error is pending.
        let ready = robin_time::timeout(Duration::from_secs(10), socket.ready(Interest::ERROR))
            .await
            .expect("error readiness never reported")
            .unwrap();
        assert!(ready.is_error());
        let err = socket.take_error().unwrap().expect("SO_ERROR is set");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    });
}

//! Faults survived: `shutdown_timeout` while 10k tasks wait on sockets and timers.
//! It returns (nothing is measured), every task's future is dropped (counted), and with
//! everything dropped the process is back to its descriptor baseline.
//!
//! The only test in this binary, so nothing else opens descriptors meanwhile.
mod fault_common;

use fault_common::{fds_settle_to, open_fds, raise_nofile_limit, watchdog};
use robin::net::{TcpListener, TcpStream, UdpSocket};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

const TASKS: usize = 10_000;

struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// Spawns (detached) a task that counts itself in `started`, then awaits `wait`, which
/// never finishes: only the runtime's shutdown drops it, and its token counts that drop
/// in `drops`.
fn spawn_parked(
    drops: &Arc<AtomicUsize>,
    started: &Arc<AtomicUsize>,
    wait: impl Future<Output = ()> + Send + 'static,
) {
    let token = Counted(drops.clone());
    let started = started.clone();
    drop(robin::spawn(async move {
        let _token = token;
        started.fetch_add(1, SeqCst);
        wait.await;
    }));
}

#[test]
fn shutdown_timeout_with_10k_tasks_waiting_on_sockets_and_timers() {
    let _dog = watchdog("shutdown_timeout_with_10k_tasks", 120);
    let limit = raise_nofile_limit() as usize;
    let baseline = open_fds();
    // A quarter of the tasks read TCP streams (both ends of TCP_PAIRS connections), a
    // quarter wait on UDP sockets, half sleep. Descriptors: one per socket task.
    let sockets = usize::min(TASKS / 2, limit.saturating_sub(baseline + 128));
    let tcp_pairs = sockets / 4;
    let udp = sockets - 2 * tcp_pairs;
    let timers = TASKS - 2 * tcp_pairs - udp;
    assert!(sockets >= 1000, "RLIMIT_NOFILE {limit} is too low");

    let rt = robin_test_support::multi_thread(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    rt.block_on({
        let (drops, started) = (drops.clone(), started.clone());
        async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            for _ in 0..tcp_pairs {
                let (client, accepted) = robin::join!(TcpStream::connect(addr), listener.accept());
                for mut sock in [client.unwrap(), accepted.unwrap().0] {
                    spawn_parked(&drops, &started, async move {
                        let mut buf = [0u8; 16];
                        // Nobody writes: waits until the runtime drops it.
                        let n = sock.read(&mut buf).await;
                        unreachable!("read returned {n:?}");
                    });
                }
            }
            for _ in 0..udp {
                let sock = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                spawn_parked(&drops, &started, async move {
                    let mut buf = [0u8; 16];
                    let n = sock.recv_from(&mut buf).await;
                    unreachable!("recv returned {n:?}");
                });
            }
            for i in 0..timers {
                spawn_parked(&drops, &started, async move {
                    // Timers spread over the wheel's levels; none fires during the test.
                    let secs = 3600 + (i as u64 % 1000) * 97;
                    robin::time::sleep(Duration::from_secs(secs)).await;
                    unreachable!("a timer of {secs} s fired");
                });
            }
            // Wait (bounded) until every task is parked on its socket or timer.
            for _ in 0..10_000 {
                if started.load(SeqCst) == TASKS {
                    break;
                }
                robin::time::sleep(Duration::from_millis(1)).await;
            }
            assert_eq!(started.load(SeqCst), TASKS);
        }
    });
    assert_eq!(rt.metrics().num_alive_tasks(), TASKS);
    assert!(open_fds() >= baseline + sockets, "the sockets are open");

    rt.shutdown_timeout(Duration::from_secs(1));
    // Reaching this line is the assertion that shutdown_timeout returns.

    assert_eq!(drops.load(SeqCst), TASKS, "every future is dropped");
    let after = fds_settle_to(baseline);
    assert_eq!(after, baseline, "descriptors leaked ({baseline} before)");
}

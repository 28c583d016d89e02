//! Issue 12's chaos soak: mixed TCP / UDP / timer / channel load on a 2-worker runtime
//! for a bounded time while tasks panic, wakers panic (in `wake`, called by the driver),
//! tasks are aborted, connections are reset (`SO_LINGER` 0) and descriptors run out
//! (`RLIMIT_NOFILE` lowered for a phase). Afterwards: every byte sent was echoed or its
//! connection reported an error (or was reset by us); every UDP ping was answered or
//! counted as lost; no timer fired early; the task ledger balances with the runtime's
//! metrics; the driver still answers; and after the runtime is dropped the descriptor
//! count and resident memory are back near their baseline.
//!
//! Runs in a child process (`reliability_common`): it changes the process's fd limit,
//! and a hang is killed at the bound instead of stalling the suite. `ROBIN_SOAK_SECS`
//! sets the load time (default 3 s), `ROBIN_SOAK_SEED` the seed (printed).
mod fault_common;
mod reliability_common;

use reliability_common::{expect_completes_with_env, is_child, poll_once, trap_waker, Mode};
use robin::net::{TcpListener, TcpStream, UdpSocket};
use robin::runtime::Builder;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

const NAME: &str = "chaos_soak_mixed_load_with_faults_balances_and_returns_to_baseline";

/// A small xorshift: reproducible from the printed seed, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Per-task outcomes, counted by a guard inside every spawned future.
#[derive(Default)]
struct Tasks {
    spawned: AtomicU64,
    completed: AtomicU64,
    panicked: AtomicU64,
    cancelled: AtomicU64,
}

struct Outcome {
    tasks: Arc<Tasks>,
    done: bool,
}

impl Drop for Outcome {
    fn drop(&mut self) {
        let counter = if self.done {
            &self.tasks.completed
        } else if std::thread::panicking() {
            &self.tasks.panicked
        } else {
            &self.tasks.cancelled
        };
        counter.fetch_add(1, SeqCst);
    }
}

/// Spawns `fut`, counting it and how it ends (completed, panicked, or dropped unfinished).
fn spawn<F>(tasks: &Arc<Tasks>, fut: F) -> robin::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    tasks.spawned.fetch_add(1, SeqCst);
    let mut outcome = Outcome {
        tasks: tasks.clone(),
        done: false,
    };
    robin::spawn(async move {
        let out = fut.await;
        outcome.done = true;
        drop(outcome);
        out
    })
}

/// The byte and datagram ledger.
#[derive(Default)]
struct Ledger {
    tcp_sent: AtomicU64,
    tcp_echoed: AtomicU64,
    /// Bytes sent on connections that then failed with an error (reported, not lost).
    tcp_errored_bytes: AtomicU64,
    /// Bytes sent on connections we reset on purpose.
    tcp_reset_bytes: AtomicU64,
    tcp_conns: AtomicU64,
    /// Echoes that differed from what was sent.
    tcp_corrupt: AtomicU64,
    tcp_errors: AtomicU64,
    tcp_resets: AtomicU64,
    /// `accept` errors seen by the server (EMFILE in the descriptor phase).
    accept_errors: AtomicU64,
    udp_sent: AtomicU64,
    udp_answered: AtomicU64,
    udp_lost: AtomicU64,
    timers: AtomicU64,
    timers_early: AtomicU64,
    chan_sent: AtomicU64,
    chan_received: AtomicU64,
    /// Broadcast subscribers that saw their round's message or a reported lag.
    broadcast_seen: AtomicU64,
    waker_traps: AtomicU64,
}

fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    // SAFETY: sysconf with a valid name has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    pages * page / 1024
}

/// The open descriptors and what they are (for a failure message).
fn fd_list() -> String {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
        let target = std::fs::read_link(entry.path()).unwrap_or_default();
        out.push(format!(
            "{}={}",
            entry.file_name().to_string_lossy(),
            target.display()
        ));
    }
    out.join(" ")
}

fn set_nofile_soft(limit: u64) -> u64 {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid, writable `rlimit` for the call.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    let old = lim.rlim_cur;
    lim.rlim_cur = limit.min(lim.rlim_max);
    // SAFETY: `lim` is a valid `rlimit`; the soft limit stays within the hard limit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) }, 0);
    old
}

fn runtime() -> robin::runtime::Runtime {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A checksummed frame: 4-byte length, payload, 4-byte sum of the payload bytes.
fn frame(rng: &mut Rng) -> Vec<u8> {
    let len = 1 + rng.below(4096) as usize;
    let payload: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    let sum: u32 = payload.iter().map(|&b| u32::from(b)).sum();
    let mut out = (len as u32).to_le_bytes().to_vec();
    out.extend(&payload);
    out.extend(sum.to_le_bytes());
    out
}

/// The echo server: echoes every connection until EOF or error; keeps serving after
/// `accept` errors (EMFILE), as tokio advises, with a short pause.
async fn echo_server(listener: TcpListener, tasks: Arc<Tasks>, ledger: Arc<Ledger>) {
    loop {
        match listener.accept().await {
            Ok((mut stream, _)) => {
                spawn(&tasks, async move {
                    let mut buf = vec![0u8; 8192];
                    loop {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if stream.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
            }
            Err(_) => {
                ledger.accept_errors.fetch_add(1, SeqCst);
                robin::time::sleep(Duration::from_millis(2)).await;
            }
        }
    }
}

/// One client connection: sends up to 8 frames, reading each echo back and checking it
/// byte for byte; or, when `reset`, resets the connection after the first frame.
async fn tcp_client(addr: std::net::SocketAddr, seed: u64, reset: bool, ledger: Arc<Ledger>) {
    let mut rng = Rng(seed | 1);
    let (mut sent, mut echoed) = (0u64, 0u64);
    let res = async {
        let mut stream = TcpStream::connect(addr).await?;
        ledger.tcp_conns.fetch_add(1, SeqCst);
        for _ in 0..1 + rng.below(8) {
            let frame = frame(&mut rng);
            stream.write_all(&frame).await?;
            sent += frame.len() as u64;
            if reset {
                // SO_LINGER 0: the close sends RST (the server sees a reset).
                stream.set_linger(Some(Duration::ZERO))?;
                return Ok::<_, io::Error>(());
            }
            let mut echo = vec![0u8; frame.len()];
            stream.read_exact(&mut echo).await?;
            if echo != frame {
                ledger.tcp_corrupt.fetch_add(1, SeqCst);
            }
            echoed += frame.len() as u64;
        }
        Ok(())
    }
    .await;
    ledger.tcp_sent.fetch_add(sent, SeqCst);
    ledger.tcp_echoed.fetch_add(echoed, SeqCst);
    let unechoed = sent - echoed;
    if res.is_err() {
        ledger.tcp_errors.fetch_add(1, SeqCst);
        ledger.tcp_errored_bytes.fetch_add(unechoed, SeqCst);
    } else if reset {
        ledger.tcp_resets.fetch_add(1, SeqCst);
        ledger.tcp_reset_bytes.fetch_add(unechoed, SeqCst);
    } else {
        assert_eq!(unechoed, 0);
    }
}

#[test]
fn chaos_soak_mixed_load_with_faults_balances_and_returns_to_baseline() {
    if !is_child(NAME) {
        let secs = std::env::var("ROBIN_SOAK_SECS").unwrap_or_else(|_| "3".into());
        let bound = Duration::from_secs(secs.parse::<u64>().unwrap_or(3) + 60);
        expect_completes_with_env(NAME, bound, "hang: the chaos soak", &[]);
        return;
    }
    let secs: u64 = std::env::var("ROBIN_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("ROBIN_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("chaos soak: {secs} s, seed {seed} (ROBIN_SOAK_SEED to replay)");
    // `ROBIN_SOAK_SKIP=traps,panics,aborts,fds,resets,udp,tcp`: leave faults or loads out
    // (to narrow down a failure).
    let skip = |what: &str| {
        std::env::var("ROBIN_SOAK_SKIP").is_ok_and(|v| v.split(',').any(|s| s == what))
    };
    // Trap wakers panic on purpose; their messages are expected noise.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(|s| s.as_str()))
            .unwrap_or("");
        if !(msg.starts_with("chaos:") || msg.starts_with("trap waker:")) {
            default_hook(info);
        }
    }));

    // Warm up once (thread stacks, allocator arenas), then take the baseline.
    runtime().block_on(reliability_common::tcp_round_trip());
    let fds_before = fault_common::open_fds();
    println!("chaos soak: baseline fds {}", fd_list());
    let rss_before = rss_kib();

    let rt = runtime();
    let tasks = Arc::new(Tasks::default());
    let ledger = Arc::new(Ledger::default());
    let metrics = rt.metrics();
    let spawned_before = metrics.spawned_tasks_count();

    rt.block_on(async {
        let mut rng = Rng(seed | 1);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(&tasks, echo_server(listener, tasks.clone(), ledger.clone()));
        let udp_server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let udp_addr = udp_server.local_addr().unwrap();
        let udp_echo = spawn(&tasks, async move {
            let mut buf = [0u8; 64];
            loop {
                if let Ok((n, from)) = udp_server.recv_from(&mut buf).await {
                    let _ = udp_server.send_to(&buf[..n], from).await;
                }
            }
        });
        // A broadcast fan-out with per-message accounting (lag is reported, not silent).
        let (btx, _) = robin::sync::broadcast::channel::<u64>(64);

        let start = Instant::now();
        let load = Duration::from_secs(secs);
        let mut handles = Vec::new();
        let mut fd_phase_done = false;
        let mut round = 0u64;
        while start.elapsed() < load && round < 1_000_000 {
            round += 1;
            // TCP clients, 1 in 8 resetting mid-stream.
            for _ in 0..if skip("tcp") { 0 } else { 4 } {
                let reset = !skip("resets") && rng.below(8) == 0;
                handles.push(spawn(
                    &tasks,
                    tcp_client(addr, rng.next(), reset, ledger.clone()),
                ));
            }
            // UDP pings with sequence numbers; an unanswered ping is counted as lost.
            if !skip("udp") {
                let ledger = ledger.clone();
                let seq = rng.next();
                handles.push(spawn(&tasks, async move {
                    ledger.udp_sent.fetch_add(1, SeqCst);
                    let Ok(socket) = UdpSocket::bind("127.0.0.1:0").await else {
                        // EMFILE in the descriptor phase: reported, counted.
                        ledger.udp_lost.fetch_add(1, SeqCst);
                        return;
                    };
                    let ping = seq.to_le_bytes();
                    let answered = async {
                        socket.send_to(&ping, udp_addr).await?;
                        let mut buf = [0u8; 8];
                        let (n, _) = socket.recv_from(&mut buf).await?;
                        Ok::<_, io::Error>(n == 8 && buf == ping)
                    };
                    match robin::time::timeout(Duration::from_secs(2), answered).await {
                        Ok(Ok(true)) => ledger.udp_answered.fetch_add(1, SeqCst),
                        _ => ledger.udp_lost.fetch_add(1, SeqCst),
                    };
                }));
            }
            // Timers: nothing fires early.
            for _ in 0..4 {
                let ledger = ledger.clone();
                let d = Duration::from_micros(rng.below(20_000));
                handles.push(spawn(&tasks, async move {
                    let deadline = Instant::now() + d;
                    robin::time::sleep(d).await;
                    ledger.timers.fetch_add(1, SeqCst);
                    if Instant::now() < deadline {
                        ledger.timers_early.fetch_add(1, SeqCst);
                    }
                }));
            }
            // Channels: an mpsc pipeline and a broadcast send, every message accounted.
            {
                let ledger = ledger.clone();
                let n = 1 + rng.below(100);
                let mut brx = btx.subscribe();
                let _ = btx.send(round);
                let tasks2 = tasks.clone();
                handles.push(spawn(&tasks, async move {
                    let (tx, mut rx) = robin::sync::mpsc::channel::<u64>(8);
                    let producer = spawn(&tasks2, async move {
                        for i in 0..n {
                            if tx.send(i).await.is_err() {
                                break;
                            }
                        }
                    });
                    let mut got = 0;
                    while rx.recv().await.is_some() {
                        got += 1;
                    }
                    producer.await.unwrap();
                    ledger.chan_sent.fetch_add(n, SeqCst);
                    ledger.chan_received.fetch_add(got, SeqCst);
                    // The round's broadcast, or `Lagged` (reported, never silent).
                    match brx.try_recv() {
                        Ok(_) | Err(robin::sync::broadcast::error::TryRecvError::Lagged(_)) => {
                            ledger.broadcast_seen.fetch_add(1, SeqCst);
                        }
                        Err(_) => {}
                    }
                }));
            }
            // Faults: a task that panics, an aborted sleeper, and a waker that panics
            // in `wake` (called by the driver when the sleep fires).
            if !skip("panics") && rng.below(2) == 0 {
                handles.push(spawn(&tasks, async { panic!("chaos: a task panics") }));
            }
            if !skip("aborts") {
                let victim = spawn(&tasks, robin::time::sleep(Duration::from_secs(60)));
                victim.abort();
                handles.push(victim);
            }
            if !skip("traps") && round % 16 == 0 {
                let ledger = ledger.clone();
                handles.push(spawn(&tasks, async move {
                    let (waker, trap) = trap_waker(Mode::Wake);
                    let mut sleep = Box::pin(robin::time::sleep(Duration::from_millis(1)));
                    let _ = poll_once(sleep.as_mut(), &waker);
                    drop(waker);
                    // Leave the trap registered until the driver wakes it (it panics
                    // there; the driver catches it and goes on). Bounded: 500 × 2 ms.
                    for _ in 0..500 {
                        if trap.is_sprung() {
                            ledger.waker_traps.fetch_add(1, SeqCst);
                            break;
                        }
                        robin::time::sleep(Duration::from_millis(2)).await;
                    }
                    // The sleep has fired: it completes with our own waker.
                    sleep.await;
                }));
            }
            // Descriptor exhaustion, once, in the middle of the run: lower the soft
            // limit to just above what is open, let the load hit EMFILE, then restore.
            if !skip("fds") && !fd_phase_done && start.elapsed() >= load / 2 {
                fd_phase_done = true;
                let old = set_nofile_soft(fault_common::open_fds() as u64 + 8);
                let mut burst = Vec::new();
                for _ in 0..32 {
                    burst.push(spawn(
                        &tasks,
                        tcp_client(addr, rng.next(), false, ledger.clone()),
                    ));
                }
                robin::time::sleep(Duration::from_millis(200)).await;
                set_nofile_soft(old);
                handles.extend(burst);
            }
            // Keep the number of tasks in flight bounded.
            if handles.len() > 256 {
                for h in handles.drain(..) {
                    let _ = h.await;
                }
            }
            robin::time::sleep(Duration::from_millis(1)).await;
        }
        for h in handles.drain(..) {
            let _ = h.await;
        }
        server.abort();
        udp_echo.abort();
        assert!(server.await.unwrap_err().is_cancelled());
        assert!(udp_echo.await.unwrap_err().is_cancelled());
        // The driver still answers.
        robin::time::sleep(Duration::from_millis(1)).await;
        reliability_common::tcp_round_trip().await;
        // Tasks finish releasing after their JoinHandle is notified: wait (bounded).
        for _ in 0..10_000 {
            if metrics.num_alive_tasks() == 0 {
                break;
            }
            robin::task::yield_now().await;
        }
    });

    let l = &ledger;
    let t = &tasks;
    let get = |c: &AtomicU64| c.load(SeqCst);
    println!(
        "chaos soak: tcp {} conns, {} B sent, {} B echoed, {} resets ({} B), {} errors; \
         accept errors {}; udp {}/{} answered, {} lost; timers {} ({} early); \
         channel {}/{}, broadcast {}; waker traps {}; tasks spawned {} = completed {} + panicked {} + \
         cancelled {}",
        get(&l.tcp_conns),
        get(&l.tcp_sent),
        get(&l.tcp_echoed),
        get(&l.tcp_resets),
        get(&l.tcp_reset_bytes),
        get(&l.tcp_errors),
        get(&l.accept_errors),
        get(&l.udp_answered),
        get(&l.udp_sent),
        get(&l.udp_lost),
        get(&l.timers),
        get(&l.timers_early),
        get(&l.chan_received),
        get(&l.chan_sent),
        get(&l.broadcast_seen),
        get(&l.waker_traps),
        get(&t.spawned),
        get(&t.completed),
        get(&t.panicked),
        get(&t.cancelled),
    );
    // Bytes: every byte sent was echoed back intact, or was sent on a connection we
    // reset, or on one that reported an error.
    assert_eq!(
        get(&l.tcp_corrupt),
        0,
        "an echo differed from what was sent"
    );
    assert_eq!(
        get(&l.tcp_sent),
        get(&l.tcp_echoed) + get(&l.tcp_reset_bytes) + get(&l.tcp_errored_bytes),
        "bytes neither echoed nor reported"
    );
    assert!(
        skip("tcp") || get(&l.tcp_echoed) > 0,
        "no TCP traffic got through"
    );
    assert_eq!(
        get(&l.udp_answered) + get(&l.udp_lost),
        get(&l.udp_sent),
        "a UDP ping neither answered nor counted lost"
    );
    assert!(
        skip("udp") || get(&l.udp_answered) > 0,
        "no UDP ping was answered"
    );
    assert_eq!(get(&l.timers_early), 0, "a sleep fired early");
    assert_eq!(
        get(&l.chan_received),
        get(&l.chan_sent),
        "a channel lost a message"
    );
    assert!(
        skip("traps") || get(&l.waker_traps) > 0,
        "no trap waker went off"
    );
    // Tasks: the ledger balances, and matches the runtime's own count.
    assert_eq!(
        get(&t.spawned),
        get(&t.completed) + get(&t.panicked) + get(&t.cancelled),
        "a task neither completed, panicked nor was cancelled"
    );
    assert!(skip("panics") || get(&t.panicked) > 0, "no task panicked");
    assert!(
        skip("aborts") || get(&t.cancelled) > 0,
        "no task was cancelled"
    );
    // Every task of the soak went through `spawn`: the runtime counted the same.
    assert_eq!(
        metrics.spawned_tasks_count() - spawned_before,
        get(&t.spawned),
        "the runtime's spawn count differs from the ledger"
    );
    assert_eq!(
        metrics.num_alive_tasks(),
        0,
        "tasks still alive after the soak"
    );
    // `metrics` holds a handle (as tokio's does): drop it too, or the driver stays.
    drop(metrics);
    drop(rt);

    let fds_after = fault_common::fds_settle_to(fds_before);
    let rss_after = rss_kib();
    println!(
        "chaos soak: fds {fds_before} -> {fds_after}; RSS {rss_before} KiB -> {rss_after} KiB"
    );
    assert_eq!(fds_after, fds_before, "descriptors leaked: {}", fd_list());
    // Under a sanitizer (`.ci/run` sets ROBIN_SANITIZER) the allocator keeps freed memory
    // in quarantine to catch use-after-free (ASan's default: 256 MiB), so RSS says
    // nothing about leaks there; LeakSanitizer checks those instead.
    if let Some(sanitizer) = std::env::var_os("ROBIN_SANITIZER") {
        println!("chaos soak: RSS check skipped under the {sanitizer:?} sanitizer");
        return;
    }
    assert!(
        rss_after < rss_before + 16 * 1024,
        "resident memory grew by {} KiB",
        rss_after - rss_before
    );
}

//! Helpers shared by the reliability tests (issue 12): running a scenario in a child
//! process under a bound (so a hang or a spin fails loudly and is killed, never stalls
//! the suite), measuring the child's CPU time, and wakers that panic on purpose.
//!
//! A scenario test is written with [`watchdog_test!`]: in the child process it runs the
//! scenario body; in the parent it re-runs its own test binary filtered to itself (with
//! [`CHILD_ENV`] set), waits at most the bound, and kills the child if it is still
//! running ([`expect_completes`]).
#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::task::{RawWaker, RawWakerVTable, Waker};
use std::time::{Duration, Instant};

/// Set in a child process to the name of the test whose scenario it runs.
pub const CHILD_ENV: &str = "ROBIN_RELIABILITY_CHILD";

/// Whether this process is the child started to run `test`'s scenario.
pub fn is_child(test: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|v| v == test)
}

/// How a child run ended.
#[derive(Debug)]
pub enum Outcome {
    /// The child exited on its own.
    Exited { status: ExitStatus, output: String },
    /// The child was still running at the bound and was killed.
    Hung {
        wall: Duration,
        cpu: Duration,
        /// Share of 20 looks (10 ms apart) at which some thread of the child was
        /// running or runnable: near 1 for a spin, near 0 for a blocked hang.
        running: f64,
        output: String,
    },
}

/// Runs `test` (a test of the current test binary) in a child process with `env` added;
/// kills it once `bound` has passed.
pub fn run_child(test: &str, bound: Duration, env: &[(&str, &str)]) -> Outcome {
    let exe = std::env::current_exe().expect("current test binary");
    let mut cmd = Command::new(exe);
    cmd.args([
        test,
        "--exact",
        "--include-ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ENV, test)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn the child test process");
    // Drain both pipes in threads, so a chatty child never blocks on a full pipe.
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("piped")));
    let err = drain(Box::new(child.stderr.take().expect("piped")));
    let start = Instant::now();
    // Bounded: at most bound / 10 ms looks at the child.
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break Some(status);
        }
        if start.elapsed() >= bound {
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = |out: std::thread::JoinHandle<String>, err: std::thread::JoinHandle<String>| {
        format!(
            "--- child stdout ---\n{}\n--- child stderr ---\n{}",
            out.join().unwrap_or_default(),
            err.join().unwrap_or_default()
        )
    };
    match status {
        Some(status) => Outcome::Exited {
            status,
            output: output(out, err),
        },
        None => {
            let running = runnable_share(child.id());
            let wall = start.elapsed();
            let cpu = process_cpu_time(child.id()).unwrap_or_default();
            let _ = child.kill();
            let _ = child.wait();
            Outcome::Hung {
                wall,
                cpu,
                running,
                output: output(out, err),
            }
        }
    }
}

/// Runs the scenario of `test` in a child process and fails the test if the child fails,
/// or if it is still running after `bound` (`hang` says what hung).
pub fn expect_completes(test: &str, bound: Duration, hang: &str) {
    expect_completes_with_env(test, bound, hang, &[]);
}

/// [`expect_completes`] with extra environment variables for the child.
pub fn expect_completes_with_env(test: &str, bound: Duration, hang: &str, env: &[(&str, &str)]) {
    match run_child(test, bound, env) {
        Outcome::Exited { status, output } => {
            assert!(
                status.success(),
                "scenario `{test}` failed in its child process ({status}):\n{output}"
            );
            // A name that matched no test would "pass" without running anything.
            assert!(
                output.contains("test result: ok. 1 passed"),
                "the child process did not run scenario `{test}` (no such test name?):\n{output}"
            );
        }
        Outcome::Hung {
            wall,
            cpu,
            running,
            output,
        } => {
            // A blocked child's threads all sleep; a spinning one always has a thread
            // running or waiting for a core (however loaded the machine is).
            let kind = if running >= 0.5 {
                "spinning"
            } else {
                "blocked"
            };
            panic!(
                "{hang}\n(child still running after {wall:.1?}, {kind}: a thread was runnable at {:.0}% of 20 looks; it used {cpu:.1?} of CPU; killed)\n{output}",
                running * 100.0
            );
        }
    }
}

/// Defines a `#[test]` whose scenario runs in a child process under a bound:
///
/// ```ignore
/// watchdog_test! {
///     /// What the scenario shows (doc comments and attributes such as `#[ignore]` are kept).
///     #[ignore = "issue 12 defect N: fails until fixed"]
///     fn the_test_name(BOUND, "hang: what never finished") {
///         // The scenario: runs in the child process only.
///     }
/// }
/// ```
///
/// In the child (the test binary run again, filtered to this test, with [`CHILD_ENV`]
/// naming it) the body runs; in the parent [`expect_completes_with_env`] starts that
/// child and fails unless it passes within the bound, killing it and reporting the hang
/// message if it is still running. An optional third argument `env: &[("KEY", "value")]`
/// adds environment variables for the child. The test's name is the child's filter, so
/// the two can never disagree.
// Not every test crate that shares this module writes its scenarios with it.
#[allow(unused_macros)]
macro_rules! watchdog_test {
    (
        $(#[$attr:meta])*
        fn $name:ident($bound:expr, $hang:expr $(, env: $env:expr)? $(,)?) $body:block
    ) => {
        $(#[$attr])*
        #[test]
        fn $name() {
            const NAME: &str = stringify!($name);
            if $crate::reliability_common::is_child(NAME) {
                $body
                return;
            }
            // No environment unless the test names some (then this one is shadowed).
            #[allow(unused_variables)]
            let env: &[(&str, &str)] = &[];
            $(let env: &[(&str, &str)] = $env;)?
            $crate::reliability_common::expect_completes_with_env(NAME, $bound, $hang, env);
        }
    };
}
#[allow(unused_imports)]
pub(crate) use watchdog_test;

/// A multi-thread runtime with `workers` workers and no driver (no I/O, no timers): the
/// scenarios that need none keep the runtime (and, in the growth tests, its allocations)
/// minimal.
pub fn multi_thread_without_drivers(workers: usize) -> robin::runtime::Runtime {
    robin::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .expect("build a multi-thread runtime")
}

/// Share of 20 looks, 10 ms apart, at which some thread of process `pid` was in state
/// `R` (running or runnable) in `/proc/<pid>/task/*/stat`.
pub fn runnable_share(pid: u32) -> f64 {
    const LOOKS: u32 = 20;
    let mut running = 0;
    for _ in 0..LOOKS {
        let any = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map(|dir| {
                dir.flatten().any(|t| {
                    std::fs::read_to_string(t.path().join("stat"))
                        .ok()
                        .and_then(|s| {
                            let rest = s.get(s.rfind(')')? + 2..)?;
                            Some(rest.starts_with('R'))
                        })
                        .unwrap_or(false)
                })
            })
            .unwrap_or(false);
        if any {
            running += 1;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    f64::from(running) / f64::from(LOOKS)
}

/// User + system CPU time of process `pid` (from `/proc/<pid>/stat`).
pub fn process_cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the file, i.e. 11 and 12 after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let ticks = u64::try_from(ticks).ok().filter(|t| *t > 0)?;
    Some(Duration::from_nanos(
        (utime + stime) * 1_000_000_000 / ticks,
    ))
}

/// Which waker operation a [`Trap`] panics in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Wake,
    Clone,
    Drop,
}

/// A waker that panics (once) in the chosen operation; the test waits on it to know the
/// runtime reached it. Leaked: it lives for the whole process.
#[derive(Debug)]
pub struct Trap {
    mode: Mode,
    armed: AtomicBool,
    sprung: Mutex<bool>,
    cond: Condvar,
}

impl Trap {
    fn spring(&self, op: Mode) {
        if self.mode == op && self.armed.swap(false, Ordering::SeqCst) {
            *self.sprung.lock().unwrap() = true;
            self.cond.notify_all();
            panic!("trap waker: panicking in {op:?} on purpose");
        }
    }

    /// Whether the trap went off.
    pub fn is_sprung(&self) -> bool {
        *self.sprung.lock().unwrap()
    }

    /// Waits (at most `bound`) for the trap to go off; returns whether it did.
    pub fn wait(&self, bound: Duration) -> bool {
        let guard = self.sprung.lock().unwrap();
        let (guard, _) = self
            .cond
            .wait_timeout_while(guard, bound, |sprung| !*sprung)
            .unwrap();
        *guard
    }
}

/// A waker over a leaked [`Trap`] that panics once in `mode`'s operation.
pub fn trap_waker(mode: Mode) -> (Waker, &'static Trap) {
    let trap: &'static Trap = Box::leak(Box::new(Trap {
        mode,
        armed: AtomicBool::new(true),
        sprung: Mutex::new(false),
        cond: Condvar::new(),
    }));
    // Kept reachable from a static, so LeakSanitizer (CI's ASan stage) does not report it.
    static TRAPS: Mutex<Vec<&'static Trap>> = Mutex::new(Vec::new());
    TRAPS.lock().unwrap().push(trap);
    let raw = RawWaker::new(trap as *const Trap as *const (), &TRAP_VTABLE);
    // SAFETY: the vtable's functions uphold RawWaker's contract: `data` is a `&'static
    // Trap` (leaked above, never freed), which is `Sync` (atomics and a mutex), so every
    // clone may be used and dropped from any thread; clone returns the same data.
    (unsafe { Waker::from_raw(raw) }, trap)
}

// Plain `fn`s coerce to the vtable's `unsafe fn` pointers: none of them does anything unsafe.
static TRAP_VTABLE: RawWakerVTable =
    RawWakerVTable::new(trap_clone, trap_wake, trap_wake_by_ref, trap_drop);

fn trap_of(data: *const ()) -> &'static Trap {
    // SAFETY: every RawWaker with TRAP_VTABLE was made by `trap_waker` (or cloned from
    // one) with a pointer to a leaked, never-freed `Trap`.
    unsafe { &*(data as *const Trap) }
}

fn trap_clone(data: *const ()) -> RawWaker {
    trap_of(data).spring(Mode::Clone);
    RawWaker::new(data, &TRAP_VTABLE)
}

fn trap_wake(data: *const ()) {
    let trap = trap_of(data);
    trap.spring(Mode::Wake);
    // Waking by value consumes the waker: its drop happens here.
    trap.spring(Mode::Drop);
}

fn trap_wake_by_ref(data: *const ()) {
    trap_of(data).spring(Mode::Wake);
}

fn trap_drop(data: *const ()) {
    trap_of(data).spring(Mode::Drop);
}

/// Polls `fut` once with `waker`.
pub fn poll_once<F: std::future::Future + ?Sized>(
    fut: std::pin::Pin<&mut F>,
    waker: &Waker,
) -> std::task::Poll<F::Output> {
    fut.poll(&mut std::task::Context::from_waker(waker))
}

/// A TCP round trip on 127.0.0.1 through the current runtime: proves its I/O driver works.
pub async fn tcp_round_trip() {
    use std::io::{Read as _, Write as _};
    let listener = robin::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        let mut s = std::net::TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        s.write_all(b"ping")?;
        let mut buf = [0u8; 4];
        s.read_exact(&mut buf)?;
        Ok::<_, std::io::Error>(buf)
    });
    let (stream, _) = listener.accept().await.expect("accept");
    let mut buf = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        stream.readable().await.expect("readable");
        match stream.try_read(&mut buf[got..]) {
            Ok(0) => panic!("peer closed early"),
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read: {e}"),
        }
    }
    stream.writable().await.expect("writable");
    assert_eq!(stream.try_write(&buf).expect("write"), 4);
    assert_eq!(&client.join().unwrap().expect("client"), b"ping");
}

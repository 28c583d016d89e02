//! Shared helpers of the process tests: runtimes of both flavors, /proc inspection.
#![allow(dead_code)]
use std::sync::Mutex;
use std::time::Duration;

static SERIAL: Mutex<()> = Mutex::new(());

/// Serializes the tests of one binary (their /proc checks are process-wide).
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// One runtime of each flavor (current-thread, and multi-thread with two workers).
pub use robin_test_support::both_flavors as runtimes;

/// (state, ppid) of `pid` from /proc/<pid>/stat, `None` if there is no such process.
pub fn proc_state(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) S ppid ...": comm may hold spaces, so split after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ');
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// True once `pid` is no longer a child of this process (reaped; its number may have
/// been reused by an unrelated process).
pub fn reaped(pid: u32) -> bool {
    match proc_state(pid) {
        None => true,
        Some((_, ppid)) => ppid != std::process::id(),
    }
}

/// The zombie children of this process.
pub fn zombies() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| proc_state(pid) == Some(('Z', std::process::id())))
        .collect()
}

pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// Waits (bounded: 10 s) until `cond` holds, running `work` between checks.
pub async fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..1000 {
        if cond() {
            return;
        }
        robin::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for: {what}");
}

//! Measurement helpers: percentiles and medians, and the `/proc` readings the report relies on
//! (resident set size from `/proc/<pid>/statm`, thread counts from `/proc/<pid>/status`).
//!
//! Everything here either returns a real reading or an error that the report prints; nothing
//! is estimated or defaulted.

use std::fs;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Nearest-rank percentile (`p` in 0..=100) of an ascending slice; `None` if empty.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Median of a set of figures (mean of the two middle ones for an even count); `None` if empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The kernel's page size, read from the auxiliary vector (`AT_PAGESZ`) in `/proc/self/auxv`.
pub fn page_size() -> io::Result<u64> {
    const AT_PAGESZ: u64 = 6;
    let auxv = fs::read("/proc/self/auxv")?;
    for pair in auxv.chunks_exact(16) {
        let key = u64::from_ne_bytes(pair[..8].try_into().expect("8 bytes"));
        let value = u64::from_ne_bytes(pair[8..].try_into().expect("8 bytes"));
        if key == AT_PAGESZ {
            return Ok(value);
        }
    }
    Err(io::Error::other("AT_PAGESZ not found in /proc/self/auxv"))
}

/// Resident set size in bytes of process `pid` ("self" for this one), from `/proc/<pid>/statm`.
pub fn rss_bytes_of(pid: &str) -> io::Result<u64> {
    let statm = fs::read_to_string(format!("/proc/{pid}/statm"))?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|f| f.parse().ok())
        .ok_or_else(|| io::Error::other(format!("unexpected /proc/{pid}/statm: {statm:?}")))?;
    Ok(pages * page_size()?)
}

/// Resident set size of this process in bytes.
pub fn rss_bytes() -> io::Result<u64> {
    rss_bytes_of("self")
}

/// Number of threads of process `pid` ("self" for this one), from `/proc/<pid>/status`.
pub fn thread_count_of(pid: &str) -> io::Result<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| io::Error::other(format!("no Threads: line in /proc/{pid}/status")))
}

/// Number of threads of this process.
pub fn thread_count() -> io::Result<u64> {
    thread_count_of("self")
}

/// Peak RSS and thread count of this process, sampled every millisecond on a helper thread
/// between [`PeakSampler::start`] and [`PeakSampler::finish`]. Peaks shorter than the
/// sampling period can be missed; the report says so.
#[derive(Debug)]
pub struct PeakSampler {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<(u64, u64)>,
}

impl PeakSampler {
    /// Starts sampling.
    pub fn start() -> PeakSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::spawn(move || {
            let (mut rss, mut threads) = (0, 0);
            loop {
                rss = rss.max(rss_bytes().unwrap_or(0));
                threads = threads.max(thread_count().unwrap_or(0));
                if flag.load(Ordering::Acquire) {
                    return (rss, threads);
                }
                thread::sleep(Duration::from_millis(1));
            }
        });
        PeakSampler { stop, handle }
    }

    /// Stops sampling; returns (peak RSS bytes, peak thread count) seen, both 0 if `/proc`
    /// could not be read.
    pub fn finish(self) -> (u64, u64) {
        self.stop.store(true, Ordering::Release);
        self.handle.join().unwrap_or((0, 0))
    }
}

/// Human-readable duration from nanoseconds (ns / µs / ms / s).
pub fn fmt_ns(ns: f64) -> String {
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// Human-readable byte count (B / KiB / MiB).
pub fn fmt_bytes(b: f64) -> String {
    if b < 1024.0 {
        format!("{b:.0} B")
    } else if b < 1024.0 * 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{:.2} MiB", b / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_median() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn proc_readings_are_positive() {
        assert!(page_size().unwrap() >= 4096);
        assert!(rss_bytes().unwrap() > 0);
        assert!(thread_count().unwrap() >= 1);
    }
}

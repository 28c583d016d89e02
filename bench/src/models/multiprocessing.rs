//! The `multiprocessing` model: worker processes. The harness re-executes its own binary
//! (`std::env::current_exe()` unless told otherwise) with `--worker <job…>` (see
//! [`crate::worker`]); work goes in on the command line and stdin, results come back as lines on
//! the child's stdout (real pipes).
//!
//! Lifecycle: every child lives in a [`ChildGuard`] (or a [`Children`] group made of them), whose
//! `Drop` kills and reaps the child, so no path — success, error, timeout, panic — leaves a
//! process behind. Children also exit on their own when their stdin reaches EOF, so a killed
//! harness does not orphan them for long.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The executable to re-execute: `ROBIN_BENCH_WORKER_EXE` if set, else this binary.
pub fn worker_exe() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("ROBIN_BENCH_WORKER_EXE") {
        return Ok(PathBuf::from(p));
    }
    std::env::current_exe().map_err(|e| format!("current_exe: {e}"))
}

/// A child process that is killed and reaped when dropped. Its stderr is forwarded to ours,
/// and its last lines are kept ([`ChildGuard::death`]) so that a worker that dies (say, the
/// OS refused it a thread) is reported with the error it hit.
#[derive(Debug)]
pub struct ChildGuard(
    pub Child,
    pub Arc<Mutex<VecDeque<String>>>,
    Option<JoinHandle<()>>,
);

impl ChildGuard {
    /// Spawns `exe --worker <args>` with piped stdin/stdout (stderr inherited).
    pub fn spawn(exe: &Path, args: &[String]) -> Result<ChildGuard, String> {
        let mut child = Command::new(exe)
            .arg("--worker")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("spawn {}: {e}", exe.display()))?;
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let reader = child.stderr.take().map(|err| {
            let tail = tail.clone();
            // Ends when the child's stderr closes (it exits or is killed).
            thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    eprintln!("{line}");
                    let mut tail = tail.lock().unwrap();
                    if tail.len() == 8 {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            })
        });
        Ok(ChildGuard(child, tail, reader))
    }

    /// Why the child died: its exit status (waited for up to 2 s) and the most telling of
    /// its last stderr lines (one mentioning an error, else the last).
    pub fn death(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(2);
        let status = loop {
            match self.0.try_wait() {
                Ok(Some(status)) => {
                    // Exited: its stderr is closed, so the reader finishes; joining it
                    // collects every line the child wrote.
                    if let Some(reader) = self.2.take() {
                        let _ = reader.join();
                    }
                    break status.to_string();
                }
                Ok(None) if Instant::now() < deadline => {
                    // Bounded reaping poll: the child has closed its stdout and is exiting.
                    thread::sleep(Duration::from_millis(1));
                }
                Ok(None) => break "still running".to_string(),
                Err(e) => break format!("wait: {e}"),
            }
        };
        let tail = self.1.lock().unwrap();
        let line = tail
            .iter()
            .rev()
            .find(|l| l.contains("error") || l.contains("failed"))
            .or(tail.back())
            .cloned()
            .unwrap_or_else(|| "no message".into());
        format!("{status}: {line}")
    }

    /// Closes stdin and waits for a clean exit within `limit`; kills it otherwise.
    pub fn finish(mut self, limit: Duration) -> Result<(), String> {
        drop(self.0.stdin.take());
        let deadline = Instant::now() + limit;
        loop {
            match self.0.try_wait() {
                Ok(Some(status)) if status.success() => return Ok(()),
                Ok(Some(status)) => return Err(format!("worker exited with {status}")),
                Ok(None) if Instant::now() < deadline => {
                    // Bounded reaping poll: the child is exiting after its stdin closed.
                    thread::sleep(Duration::from_millis(1));
                }
                Ok(None) => return Err(format!("worker did not exit within {limit:?}; killed")),
                Err(e) => return Err(format!("wait: {e}")),
            }
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

/// A group of worker processes whose stdout lines arrive on one channel (one reader thread
/// per child), so the harness can wait on all of them with a deadline.
#[derive(Debug)]
pub struct Children {
    kids: Vec<ChildGuard>,
    stdins: Vec<Option<ChildStdin>>,
    rx: mpsc::Receiver<(usize, Option<String>)>,
    readers: Vec<JoinHandle<()>>,
}

impl Children {
    /// Spawns `n` workers, child `c` with `args(c)`. On a spawn error the already started
    /// children are killed and reaped, and the error says how many were running.
    pub fn spawn(
        exe: &Path,
        n: usize,
        args: impl Fn(usize) -> Vec<String>,
    ) -> Result<Children, String> {
        let (tx, rx) = mpsc::channel();
        let mut group = Children {
            kids: Vec::with_capacity(n),
            stdins: Vec::new(),
            rx,
            readers: Vec::new(),
        };
        for c in 0..n {
            let mut kid = ChildGuard::spawn(exe, &args(c))
                .map_err(|e| format!("{e} (with {c} worker processes running)"))?;
            group.stdins.push(kid.0.stdin.take());
            let stdout = kid.0.stdout.take().ok_or("no child stdout")?;
            group.kids.push(kid);
            let tx = tx.clone();
            let reader = thread::Builder::new()
                .spawn(move || {
                    for line in BufReader::new(stdout).lines() {
                        match line {
                            Ok(l) => {
                                if tx.send((c, Some(l))).is_err() {
                                    return;
                                }
                            }
                            Err(_) => break,
                        }
                    }
                    let _ = tx.send((c, None));
                })
                .map_err(|e| format!("reader thread spawn failed: {e}"))?;
            group.readers.push(reader);
        }
        Ok(group)
    }

    /// The children's process ids.
    pub fn pids(&self) -> Vec<u32> {
        self.kids.iter().map(|k| k.0.id()).collect()
    }

    /// Collects one line from every child, in child order, before `deadline`. A child closing
    /// its stdout first, or a line starting with `err`, is an error.
    pub fn one_line_each(&mut self, deadline: Instant) -> Result<Vec<String>, String> {
        let mut lines: Vec<Option<String>> = vec![None; self.kids.len()];
        let mut got = 0;
        while got < lines.len() {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((c, Some(l))) if lines[c].is_none() => {
                    if let Some(e) = l.strip_prefix("err") {
                        return Err(format!("worker {c}:{e}"));
                    }
                    lines[c] = Some(l);
                    got += 1;
                }
                Ok((_, Some(_))) => {}
                Ok((c, None)) => {
                    if lines[c].is_none() {
                        let death = self.kids[c].death();
                        return Err(format!("worker {c} died before answering ({death})"));
                    }
                }
                Err(_) => {
                    return Err(format!(
                        "workers: {got}/{} answered before the deadline",
                        lines.len()
                    ))
                }
            }
        }
        Ok(lines.into_iter().flatten().collect())
    }

    /// Runs one worker with `args`, waits (until `limit` from now) for its one answer line,
    /// reaps it, and returns the line with the numbers after its first word (`"ok 1.5 2"`
    /// gives `[1.5, 2.0]`; words that are not numbers are skipped).
    pub fn one_answer(
        exe: &Path,
        args: Vec<String>,
        limit: Duration,
    ) -> Result<(String, Vec<f64>), String> {
        let mut kids = Children::spawn(exe, 1, |_| args.clone())?;
        let line = kids.one_line_each(Instant::now() + limit)?.remove(0);
        kids.finish(limit)?;
        let numbers = line
            .split_whitespace()
            .skip(1)
            .filter_map(|x| x.parse().ok())
            .collect();
        Ok((line, numbers))
    }

    /// Writes `line` to every child's stdin.
    pub fn send_all(&mut self, line: &str) -> Result<(), String> {
        for (c, stdin) in self.stdins.iter_mut().enumerate() {
            let s = stdin.as_mut().ok_or("stdin already closed")?;
            writeln!(s, "{line}")
                .and_then(|_| s.flush())
                .map_err(|e| format!("write to worker {c}: {e}"))?;
        }
        Ok(())
    }

    /// Closes every stdin (the workers' signal to exit) and reaps every child within `limit`.
    pub fn finish(mut self, limit: Duration) -> Result<(), String> {
        self.stdins.clear();
        let deadline = Instant::now() + limit;
        let mut result = Ok(());
        for kid in self.kids.drain(..) {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Err(e) = kid.finish(left) {
                result = result.and(Err(e));
            }
        }
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        result
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        self.stdins.clear();
        // Dropping the guards kills and reaps; the readers then see EOF and end.
        self.kids.clear();
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
    }
}

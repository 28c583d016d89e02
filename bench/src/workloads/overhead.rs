//! The overhead measurements, each its own: the cost to start one unit, the memory one unit
//! holds while alive, and the context-switch cost (two units ping-ponging a token).
//!
//! What each figure includes:
//! - start: tasks — spawn + run an empty body + await the `JoinHandle`; threads — spawn, run
//!   and join; pool — queue a job + run it + report back over a channel (pool already started);
//!   processes — fork/exec of this binary, its start-up, a "ready" line back over a pipe,
//!   closing stdin and reaping.
//! - memory: in-process models are measured in a fresh worker process (so earlier runs'
//!   allocator state does not hide growth): RSS with all units alive and parked minus RSS
//!   before spawning them, divided by the units. Processes: the RSS of each parked worker
//!   (`/proc/<pid>/statm`, which counts shared pages such as the binary's text in every
//!   process).
//! - context switch: one round trip of a token between two units — robin `mpsc` channels
//!   (await/wake; robin-sync is runtime-agnostic, so tokio and smol run the same channel code),
//!   std `mpsc` channels between threads, a pipe round trip to a worker process.

use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use robin::sync::{mpsc, Semaphore};

use super::RunCtx;
use crate::measure;
use crate::models::async_rt::AsyncRt;
use crate::models::multiprocessing::{ChildGuard, Children};
use crate::models::threading::{self, Gate, ThreadPool};
use crate::models::Model;

fn runtime_for(model: Model, cores: usize) -> Result<AsyncRt, String> {
    AsyncRt::new(model, cores)
}

/// Nanoseconds to start (and finish) one unit, averaged over `n` units.
pub fn start_cost(model: Model, n: usize, ctx: &RunCtx) -> Result<f64, String> {
    let n = n.max(1);
    let elapsed = match model {
        Model::Robin | Model::Tokio | Model::Smol | Model::EventLoop => {
            let rt = runtime_for(model, ctx.cores)?;
            rt.block_on(async {
                rt.spawn(async {}).await?; // warm-up
                let t = Instant::now();
                let handles: Vec<_> = (0..n).map(|_| rt.spawn(async {})).collect();
                for h in handles {
                    h.await?;
                }
                Ok::<_, String>(t.elapsed())
            })?
        }
        Model::ThreadPerUnit => {
            let t = Instant::now();
            threading::run_per_unit(n, Arc::new(|_| Ok(())))?;
            t.elapsed()
        }
        Model::ThreadPool => {
            let pool = ThreadPool::new(ctx.cores)?;
            let (tx, rx) = std::sync::mpsc::channel();
            let t = Instant::now();
            for _ in 0..n {
                let tx = tx.clone();
                pool.execute(move || {
                    let _ = tx.send(());
                });
            }
            for _ in 0..n {
                rx.recv_timeout(ctx.limit)
                    .map_err(|e| format!("pool: {e}"))?;
            }
            t.elapsed()
        }
        Model::Processes => {
            let t = Instant::now();
            for _ in 0..n {
                let mut kid = ChildGuard::spawn(&ctx.exe, &["ready".to_string()])?;
                let out = kid.0.stdout.take().ok_or("no stdout")?;
                let mut line = String::new();
                BufReader::new(out)
                    .read_line(&mut line)
                    .map_err(|e| format!("read: {e}"))?;
                if line.trim() != "ready" {
                    return Err(format!("worker said {line:?}"));
                }
                kid.finish(ctx.limit)?;
            }
            t.elapsed()
        }
    };
    Ok(elapsed.as_nanos() as f64 / n as f64)
}

/// Memory held per live unit, and the OS threads the process had meanwhile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MemPerUnit {
    /// Bytes per unit.
    pub bytes: f64,
    /// OS threads: of the measuring process (in-process models) or summed over workers.
    pub threads: u64,
    /// Processes involved.
    pub processes: u64,
}

/// Memory per unit with `n` units alive (see the module docs for what it counts).
pub fn memory(model: Model, n: usize, ctx: &RunCtx) -> Result<MemPerUnit, String> {
    let n = n.max(1);
    if model == Model::Processes {
        let mut kids = Children::spawn(&ctx.exe, n, |_| vec!["hold".to_string()])?;
        kids.one_line_each(Instant::now() + ctx.limit)?;
        let (mut rss, mut threads) = (0u64, 0u64);
        for pid in kids.pids() {
            let pid = pid.to_string();
            rss += measure::rss_bytes_of(&pid).map_err(|e| format!("/proc/{pid}: {e}"))?;
            threads += measure::thread_count_of(&pid).map_err(|e| format!("/proc/{pid}: {e}"))?;
        }
        kids.finish(ctx.limit)?;
        return Ok(MemPerUnit {
            bytes: rss as f64 / n as f64,
            threads,
            processes: n as u64,
        });
    }
    let args = vec!["mem".to_string(), model.key().to_string(), n.to_string()];
    let (line, f) = Children::one_answer(&ctx.exe, args, ctx.limit)?;
    match f[..] {
        [growth, threads] => Ok(MemPerUnit {
            bytes: growth / n as f64,
            threads: threads as u64,
            processes: 1,
        }),
        _ => Err(format!("memory worker said {line:?}")),
    }
}

/// Runs in the memory worker process: parks `n` units of `model`, returns (RSS growth in
/// bytes, thread count) with all of them alive.
pub fn memory_in_process(model: Model, n: usize, cores: usize) -> Result<(u64, u64), String> {
    let rss = || measure::rss_bytes().map_err(|e| format!("/proc: {e}"));
    let threads = || measure::thread_count().map_err(|e| format!("/proc: {e}"));
    match model {
        Model::Robin | Model::Tokio | Model::Smol | Model::EventLoop => {
            let rt = runtime_for(model, cores)?;
            rt.block_on(async {
                rt.spawn(async {}).await?; // warm-up
                let gate = Arc::new(Semaphore::new(0));
                let started = Arc::new(Semaphore::new(0));
                let base = rss()?;
                let handles: Vec<_> = (0..n)
                    .map(|_| {
                        let (gate, started) = (Arc::clone(&gate), Arc::clone(&started));
                        rt.spawn(async move {
                            started.add_permits(1);
                            let _permit = gate.acquire().await;
                        })
                    })
                    .collect();
                let all = u32::try_from(n).map_err(|_| "too many units".to_string())?;
                let _started = started.acquire_many(all).await.map_err(|e| e.to_string())?;
                let (peak, t) = (rss()?, threads()?);
                gate.add_permits(n);
                for h in handles {
                    h.await?;
                }
                Ok((peak.saturating_sub(base), t))
            })
        }
        Model::ThreadPerUnit | Model::ThreadPool => {
            let gate = Arc::new(Gate::default());
            let base = rss()?;
            let mut handles = Vec::new();
            let pool = if model == Model::ThreadPool {
                Some(ThreadPool::new(cores)?)
            } else {
                None
            };
            let mut spawn_err = None;
            for i in 0..n {
                let g = Arc::clone(&gate);
                match &pool {
                    Some(p) => p.execute(move || g.arrive_and_wait()),
                    None => match std::thread::Builder::new().spawn(move || g.arrive_and_wait()) {
                        Ok(h) => handles.push(h),
                        Err(e) => {
                            spawn_err =
                                Some(format!("thread spawn failed with {i} threads running: {e}"));
                            break;
                        }
                    },
                }
            }
            // A pool runs only `cores` jobs at once; the rest wait in its queue.
            let expect = if pool.is_some() {
                cores.min(n)
            } else {
                handles.len()
            };
            let arrived = gate.wait_arrivals(expect, Duration::from_secs(60));
            let measured = (rss()?, threads()?);
            gate.release();
            for h in handles {
                let _ = h.join();
            }
            drop(pool);
            if let Some(e) = spawn_err {
                return Err(e);
            }
            if arrived < expect {
                return Err(format!("only {arrived}/{expect} units parked within 60 s"));
            }
            Ok((measured.0.saturating_sub(base), measured.1))
        }
        Model::Processes => Err("processes are measured by the parent".into()),
    }
}

/// Nanoseconds per round trip of a token between two units, over `rounds` round trips
/// (after 100 warm-up rounds).
pub fn context_switch(model: Model, rounds: u64, ctx: &RunCtx) -> Result<f64, String> {
    const WARM: u64 = 100;
    let total = rounds + WARM;
    let elapsed = match model {
        Model::Robin | Model::Tokio | Model::Smol | Model::EventLoop => {
            let rt = runtime_for(model, ctx.cores)?;
            let limit = ctx.limit;
            rt.block_on(async {
                let (atx, mut arx) = mpsc::channel::<u64>(1);
                let (btx, mut brx) = mpsc::channel::<u64>(1);
                let echo = rt.spawn(async move {
                    while let Some(v) = arx.recv().await {
                        if btx.send(v).await.is_err() {
                            break;
                        }
                    }
                });
                let ping = rt.spawn(async move {
                    let mut t = Instant::now();
                    for i in 0..total {
                        if i == WARM {
                            t = Instant::now();
                        }
                        atx.send(i).await.map_err(|_| "echo task gone")?;
                        brx.recv().await.ok_or("echo task gone")?;
                    }
                    Ok::<_, String>(t.elapsed())
                });
                let r = rt.timeout(limit, ping).await??;
                let _ = echo.await;
                r
            })?
        }
        Model::ThreadPerUnit | Model::ThreadPool => {
            let (atx, arx) = std::sync::mpsc::channel::<u64>();
            let (btx, brx) = std::sync::mpsc::channel::<u64>();
            let echo = move || {
                while let Ok(v) = arx.recv() {
                    if btx.send(v).is_err() {
                        break;
                    }
                }
            };
            let (rtx, rrx) = std::sync::mpsc::channel();
            let ping = move || {
                let mut t = Instant::now();
                for i in 0..total {
                    if i == WARM {
                        t = Instant::now();
                    }
                    if atx.send(i).is_err() || brx.recv().is_err() {
                        let _ = rtx.send(Err("echo thread gone".to_string()));
                        return;
                    }
                }
                let _ = rtx.send(Ok(t.elapsed()));
            };
            if model == Model::ThreadPool {
                let pool = ThreadPool::new(2)?;
                pool.execute(echo);
                pool.execute(ping);
                rrx.recv_timeout(ctx.limit)
                    .map_err(|e| format!("pool ping-pong: {e}"))??
            } else {
                let e = std::thread::spawn(echo);
                let p = std::thread::spawn(ping);
                let r = rrx
                    .recv_timeout(ctx.limit)
                    .map_err(|e| format!("ping-pong: {e}"))?;
                let _ = p.join();
                let _ = e.join();
                r?
            }
        }
        Model::Processes => {
            let mut kid = ChildGuard::spawn(&ctx.exe, &["echo".to_string()])?;
            let mut stdin = kid.0.stdin.take().ok_or("no stdin")?;
            let mut stdout = kid.0.stdout.take().ok_or("no stdout")?;
            let mut t = Instant::now();
            let mut b = [0u8; 1];
            for i in 0..total {
                if i == WARM {
                    t = Instant::now();
                }
                stdin
                    .write_all(&[i as u8])
                    .map_err(|e| format!("pipe write: {e}"))?;
                stdout
                    .read_exact(&mut b)
                    .map_err(|e| format!("pipe read: {e}"))?;
                if b[0] != i as u8 {
                    return Err("echo worker answered the wrong byte".into());
                }
            }
            let elapsed = t.elapsed();
            drop(stdin);
            kid.finish(ctx.limit)?;
            elapsed
        }
    };
    Ok(elapsed.as_nanos() as f64 / rounds.max(1) as f64)
}

//! The preemption probe: does a unit that computes without yielding hold the others up?
//!
//! `cores` hog units each compute for `hog` without ever awaiting (async models) or blocking
//! (threads, processes); right after them a sleeper unit asks to sleep [`NAP`]. The figure is
//! the sleeper's lateness: when it got to run after its nap minus (its spawn time + `NAP`).
//! The clock starts before the sleeper is spawned, so a sleeper that could not even start
//! (every worker busy) counts as late too.
//!
//! A model that switches only where the code yields (an `.await` that is not ready) makes the
//! sleeper wait for a hog to finish: lateness ≈ `hog`. A model whose OS scheduler preempts
//! (threads, processes) runs the sleeper within a time slice. This is what the classic table's
//! "context switch: manual (await) / automatic" claim is tested against.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{cpu, RunCtx};
use crate::models::async_rt::{AsyncIo, AsyncRt, RobinIo, SmolIo, TokioIo};
use crate::models::multiprocessing::Children;
use crate::models::threading::{self, ThreadPool};
use crate::models::Model;

/// How long the sleeper asks to sleep.
pub const NAP: Duration = Duration::from_millis(1);

/// Computes (hashing, in chunks of 4096 words) until `d` has passed; never yields.
pub fn hog(d: Duration) -> u64 {
    let t = Instant::now();
    let mut h = 0;
    let mut seed = 1;
    while t.elapsed() < d {
        h ^= cpu::hash_stream(seed, 4096);
        seed += 1;
    }
    black_box(h)
}

/// How late a sleeper that started its [`NAP`] at `t0` is now.
pub fn lateness(t0: Instant) -> Duration {
    t0.elapsed().saturating_sub(NAP)
}

/// The sleeper's lateness under `model` with `ctx.cores` hogs computing for `hog` each.
pub fn run(model: Model, hog_for: Duration, ctx: &RunCtx) -> Result<Duration, String> {
    let hogs = ctx.cores.max(1);
    match model {
        Model::Robin | Model::EventLoop => run_async::<RobinIo>(model, hogs, hog_for, ctx),
        Model::Tokio => run_async::<TokioIo>(model, hogs, hog_for, ctx),
        Model::Smol => run_async::<SmolIo>(model, hogs, hog_for, ctx),
        Model::ThreadPerUnit => {
            let mut handles = Vec::new();
            for _ in 0..hogs {
                handles.push(
                    std::thread::Builder::new()
                        .spawn(move || hog(hog_for))
                        .map_err(|e| format!("thread spawn: {e}"))?,
                );
            }
            let t0 = Instant::now();
            let late = threading::run_per_unit(
                1,
                Arc::new(move |_| {
                    std::thread::sleep(NAP);
                    Ok(lateness(t0))
                }),
            )?;
            for h in handles {
                let _ = h.join();
            }
            late.first().copied().ok_or_else(|| "no sleeper".into())
        }
        Model::ThreadPool => {
            let pool = ThreadPool::new(ctx.cores)?;
            for _ in 0..hogs {
                pool.execute(move || {
                    hog(hog_for);
                });
            }
            let (tx, rx) = std::sync::mpsc::channel();
            let t0 = Instant::now();
            pool.execute(move || {
                std::thread::sleep(NAP);
                let _ = tx.send(lateness(t0));
            });
            rx.recv_timeout(ctx.limit)
                .map_err(|e| format!("pool sleeper: {e}"))
        }
        Model::Processes => {
            let ms = hog_for.as_millis().max(1).to_string();
            let mut kids = Children::spawn(&ctx.exe, hogs + 1, |c| {
                let role = if c < hogs { "hog" } else { "sleep" };
                vec!["probe".into(), role.into(), ms.clone()]
            })?;
            let deadline = Instant::now() + ctx.limit;
            kids.one_line_each(deadline)?; // ready
            kids.send_all("go")?; // hogs first, the sleeper last
            let lines = kids.one_line_each(deadline)?;
            kids.finish(Duration::from_secs(10))?;
            let ns: u64 = lines
                .last()
                .and_then(|l| l.strip_prefix("ok "))
                .and_then(|n| n.trim().parse().ok())
                .ok_or_else(|| format!("probe sleeper said {:?}", lines.last()))?;
            Ok(Duration::from_nanos(ns))
        }
    }
}

fn run_async<R: AsyncIo>(
    model: Model,
    hogs: usize,
    hog_for: Duration,
    ctx: &RunCtx,
) -> Result<Duration, String> {
    let rt = AsyncRt::new(model, ctx.cores)?;
    rt.block_on(async {
        let hogs: Vec<_> = (0..hogs)
            .map(|_| rt.spawn(async move { hog(hog_for) }))
            .collect();
        let t0 = Instant::now();
        let sleeper = rt.spawn(async move {
            R::sleep(NAP).await;
            lateness(t0)
        });
        let late = rt.timeout(ctx.limit, sleeper).await??;
        for h in hogs {
            h.await?;
        }
        Ok(late)
    })
}

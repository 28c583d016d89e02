//! `report.md`: the summary table (claimed, then measured), per-workload tables, the overhead
//! table, the verdict per claim, the preemption probe, the worker-scaling and sweep tables
//! with links to the SVG charts, and the methodology notes.

use std::fmt::Write;

use super::{table, verdict, SCALING_SVG, SWEEP_MEMORY_SVG, SWEEP_THROUGHPUT_SVG};
use crate::measure::{fmt_bytes, fmt_ns};
use crate::models::Model;
use crate::{Mode, Report};

fn si(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        format!("{v:.1}")
    }
}

fn model_notes() -> &'static str {
    "- **robin**: robin's multi-thread work-stealing runtime, one worker per core; units are tasks; async unit code (robin `TcpStream`, `sleep`).\n\
     - **tokio**: tokio's multi-thread runtime, one worker per core; the same async unit code through a thin adapter (tokio `TcpStream`, `tokio::time::sleep`).\n\
     - **smol**: async-executor run by one OS thread per core (each in `async_io::block_on`), async-io's reactor; the same async unit code (`Async<TcpStream>`, `async_io::Timer`). In-unit synchronisation (ping-pong channels, parking) uses robin-sync's runtime-agnostic primitives on every async model.\n\
     - **event-loop**: robin's current-thread runtime — one thread polls all tasks, which switch only at `.await` (asyncio's model); the same async unit code.\n\
     - **thread-per-unit**: one OS thread (std default stack) per unit, blocking std I/O.\n\
     - **thread-pool**: a fixed pool of one OS thread per core fed through a job queue (like `ThreadPoolExecutor`), blocking std I/O.\n\
     - **multiprocessing**: worker processes (this binary re-executed with `--worker`); units are split across them and run one after another with the blocking unit code; work goes in over argv/stdin and results come back over stdout pipes. One process per unit up to 256 for I/O workloads; one per core for the CPU workload.\n"
}

/// Renders the whole report.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let c = &r.config;
    let mode = match c.mode {
        Mode::Tiny => "tiny (test sizes)",
        Mode::Quick => "quick",
        Mode::Full => "full",
    };
    let _ = writeln!(s, "# robin: concurrency-model comparison\n");
    let _ = writeln!(
        s,
        "Mode: **{mode}**, {} repetition(s) per measurement (median reported), total run time {:.1} s.\n",
        c.reps,
        r.elapsed.as_secs_f64()
    );
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(s, "{}", table::summary(r).to_markdown());
    let _ = writeln!(
        s,
        "The threading column uses thread-per-unit for concurrency type, overhead and context switch, and the better of thread-per-unit and the thread pool for \"ideal for\". \"Ideal for\" names the classes where the model's throughput is within 5% of the best model's (I/O = the `io` workload, CPU = `cpu`, mixed = `mixed`).\n"
    );
    let _ = writeln!(
        s,
        "### The claim being tested\n\n{}",
        table::claims().to_markdown()
    );
    let _ = writeln!(
        s,
        "## Verdict per claim\n\n| claim | verdict | deciding figure | why | tested as |\n|---|---|---|---|---|"
    );
    for v in verdict::verdicts(r) {
        let _ = writeln!(
            s,
            "| {} | **{}** | {} | {} | {} |",
            v.headline(),
            v.outcome.word(),
            v.figure,
            v.why,
            v.tested_as
        );
    }
    let _ = writeln!(s);

    let _ = writeln!(s, "## Models\n\n{}", model_notes());

    let _ = writeln!(s, "## Workloads\n");
    for w in &r.workloads {
        let _ = writeln!(s, "### {}\n\n{}.\n", w.name, w.description);
        let _ = writeln!(
            s,
            "| model | throughput ({}) | p50 latency | p99 latency | wall | OS threads | processes | memory (peak RSS growth / workers' RSS) |\n|---|---|---|---|---|---|---|---|",
            w.unit
        );
        for (m, res) in &w.results {
            match res {
                Ok(x) => {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} | {} | {} | {} |",
                        m.key(),
                        si(x.throughput() / w.scale),
                        fmt_ns(x.p50_ns),
                        fmt_ns(x.p99_ns),
                        fmt_ns(x.wall_ns),
                        x.threads,
                        x.processes,
                        fmt_bytes(x.mem_bytes)
                    );
                }
                Err(e) => {
                    let _ = writeln!(s, "| {} | not measured: {e} | | | | | | |", m.key());
                }
            }
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "Latency: `io`/`mixed` — one request's write-to-answer time; `sleeps` — time actually asleep; `cpu` — unit completion time since the workload started (shows how fairly units progress).\n"
    );

    let _ = writeln!(s, "## Overheads\n");
    let _ = writeln!(
        s,
        "| model | start one unit | units started | memory per unit | units alive | OS threads meanwhile | ping-pong round trip |\n|---|---|---|---|---|---|---|"
    );
    for m in Model::ALL {
        let get =
            |v: &[(Model, Result<f64, String>)]| match v.iter().find(|x| x.0 == m).map(|x| &x.1) {
                Some(Ok(ns)) => fmt_ns(*ns),
                Some(Err(e)) => format!("not measured: {e}"),
                None => "not run".into(),
            };
        let (mem, threads) = match r.overheads.mem.iter().find(|x| x.0 == m).map(|x| &x.1) {
            Some(Ok(x)) => (
                fmt_bytes(x.bytes),
                format!("{} (in {} process(es))", x.threads, x.processes),
            ),
            Some(Err(e)) => (format!("not measured: {e}"), String::new()),
            None => ("not run".into(), String::new()),
        };
        let (n_start, n_mem) = if m == Model::Processes {
            (c.start.1, c.mem.1)
        } else {
            (c.start.0, c.mem.0)
        };
        let _ = writeln!(
            s,
            "| {} | {} | {n_start} | {mem} | {n_mem} | {threads} | {} |",
            m.key(),
            get(&r.overheads.start),
            get(&r.overheads.ctx_switch)
        );
    }
    let _ = writeln!(
        s,
        "\n- **start**: tasks — spawn + run an empty body + await the `JoinHandle` (runtime already built); threads — spawn + run + join; pool — queue a job + run it + report over a channel (pool already started); processes — fork/exec of the harness binary + its start-up + a `ready` line over a pipe + exit + reap.\n\
         - **memory**: in-process models are measured in a fresh worker process: RSS (`/proc/self/statm`) with all units alive and parked (tasks on a `Semaphore`, threads on a condvar) minus RSS before spawning them, divided by the units; the pool's figure is per *queued job* (only {cores} run at once). Processes: each parked worker's RSS from `/proc/<pid>/statm`, which counts shared pages (the binary's text, libc) in every process, so it overstates the private cost.\n\
         - **ping-pong**: one round trip of a token between two units, {} round trips in-process, {} over pipes, after 100 warm-up rounds. robin: two tasks and two `mpsc::channel(1)`s (on the multi-thread runtime the two tasks may run on the same or different workers); threads: two threads and std `mpsc` channels; pool: the same on two pool threads; processes: one byte through the worker's stdin and back through its stdout.\n",
        c.pingpong.0,
        c.pingpong.1,
        cores = r.machine.cores
    );

    if !r.probe.is_empty() {
        let _ = writeln!(
            s,
            "## Preemption probe\n\n{} units compute {} ms without yielding; right after them a unit asks to sleep 1 ms. Its lateness shows whether the model preempts (small) or waits for a computing unit to yield (≈ the compute time).\n\n| model | sleep lateness |\n|---|---|",
            r.machine.cores,
            c.probe_hog.as_millis()
        );
        for (m, late) in &r.probe {
            let cell = match late {
                Ok(d) => fmt_ns(d.as_nanos() as f64),
                Err(e) => format!("not measured: {e}"),
            };
            let _ = writeln!(s, "| {} | {cell} |", m.key());
        }
        let _ = writeln!(s);
    }

    if !r.scaling.results.is_empty() {
        let _ = writeln!(
            s,
            "## Worker scaling\n\nrobin's multi-thread runtime with each worker count on the cpu and mixed workloads (throughput; {} logical cores). Chart: [speed-up]({SCALING_SVG}).\n",
            r.machine.cores
        );
        let mut head = "| workload |".to_string();
        for w in &r.scaling.workers {
            let _ = write!(head, " {w} workers |");
        }
        let _ = writeln!(s, "{head}\n|{}", "---|".repeat(r.scaling.workers.len() + 1));
        for (name, row) in &r.scaling.results {
            let scale = if name == "cpu" {
                (1u64 << 20) as f64
            } else {
                1.0
            };
            let mut line = format!("| {name} |");
            for x in row {
                let cell = match x {
                    Ok(x) => si(x.throughput() / scale),
                    Err(e) => format!("not measured: {e}"),
                };
                let _ = write!(line, " {cell} |");
            }
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s);
    }

    let _ = writeln!(s, "## Scale sweep\n");
    let _ = writeln!(
        s,
        "Each unit sleeps once for {} ms; all units run concurrently. Throughput = units / wall time (ideal: units / {} ms); memory per unit = peak RSS growth (sampled every 1 ms) / units, in a fresh worker process per point (processes: each worker's RSS). Log-log charts: [throughput]({SWEEP_THROUGHPUT_SVG}), [memory per unit]({SWEEP_MEMORY_SVG}).\n",
        c.sweep_dur.as_millis(),
        c.sweep_dur.as_millis()
    );
    let _ = writeln!(s, "![throughput vs units]({SWEEP_THROUGHPUT_SVG})\n\n![memory per unit vs units]({SWEEP_MEMORY_SVG})\n");
    for (title, pick) in [
        ("Throughput (units/s)", 0usize),
        ("Memory per unit", 1),
        ("OS threads", 2),
    ] {
        let _ = writeln!(s, "**{title}**\n");
        let mut head = "| model |".to_string();
        for p in &r.sweep.points {
            let _ = write!(head, " {p} |");
        }
        let _ = writeln!(s, "{head}\n|{}", "---|".repeat(r.sweep.points.len() + 1));
        for (m, row) in &r.sweep.results {
            let mut line = format!("| {} |", m.key());
            for p in row {
                let cell = match p {
                    Ok(x) => match pick {
                        0 => si(x.throughput),
                        1 => fmt_bytes(x.bytes_per_unit),
                        _ => x.threads.to_string(),
                    },
                    Err(e) => e.clone(),
                };
                let _ = write!(line, " {cell} |");
            }
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s);
    }

    let _ = writeln!(s, "## Methodology\n");
    let m = &r.machine;
    let _ = writeln!(
        s,
        "- Machine: {} logical cores ({} physical), CPU: {}; open-file limit {}. Other work may have been running on the machine at the same time.\n\
         - Sizes: {}.\n\
         - Repetitions: each measurement ran {} time(s); the table shows the run with the median throughput (or the median figure for overheads and sweep points). Quick mode runs once, so its figures are single samples.\n\
         - The delay server runs in the harness process on its own robin multi-thread runtime (1 worker thread + robin's driver thread); it is the same for every model and shares the cores with the model under test. Its timers tick at 1 ms, so a {} ms delay is answered after ≈{}–{} ms.\n\
         - Timed windows: runtime construction and worker-process start-up (until every worker said `ready`) are outside the workload timings and measured separately under Overheads; thread spawning is inside (it is part of using threads).\n\
         - OS threads are sampled from `/proc/self/status` every 1 ms (peak during the run minus before it, plus the calling thread), so very short-lived threads can be missed. robin's runtimes include robin's I/O/timer driver thread in their counts.\n\
         - Every workload's checksum (xor of the server's answers / of the hashes) must be identical across models, else the model's row reports the mismatch.\n",
        m.cores,
        m.physical,
        m.cpu_model.as_deref().unwrap_or("unknown (/proc/cpuinfo unreadable)"),
        m.fd_limit.as_deref().unwrap_or("unknown"),
        super::sizes_sentence(c),
        c.reps,
        c.delay.as_millis(),
        c.delay.as_millis(),
        c.delay.as_millis() + 1,
    );
    s
}

//! The worker-process entry point. The harness (and the criterion bench binary) re-execute
//! themselves as `<exe> --worker <kind> …`; [`maybe_run`] must be the first thing `main` does.
//!
//! Kinds (stdout answers are single lines; errors are `err <message>`):
//! - `ready`: print `ready`, exit (process start cost).
//! - `hold`: print `ready`, block until stdin closes (memory per process).
//! - `echo`: echo stdin to stdout byte by byte until EOF (pipe ping-pong).
//! - `job <start> <end> <job…>`: print `ready`, wait for `go`, run units `start..end` of the
//!   job one after another with the blocking unit code, print
//!   `ok <check> <threads that ran units> <latencies ns…>`, then wait for stdin to close.
//! - `probe hog <ms>` / `probe sleep <ms>`: print `ready`, wait for `go`, then compute for
//!   `<ms>` without yielding, or sleep 1 ms and print `ok <lateness ns>` (see
//!   [`crate::workloads::probe`]).
//! - `mem <model> <n>` / `sweep <model> <n> <dur_ns>`: measure an in-process model in this
//!   fresh process and print `ok …`.
//!
//! Every kind that waits, waits on stdin, so a worker exits when the harness closes its stdin
//! or dies.

use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant};

use crate::models::Model;
use crate::workloads::{self, overhead, probe, Job, RunCtx, UnitOut};

/// If this process was started as a worker, runs the worker and exits; otherwise returns.
pub fn maybe_run() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("--worker") {
        return;
    }
    let code = match run(&args[1..]) {
        Ok(()) => 0,
        Err(e) => {
            println!("err {e}");
            1
        }
    };
    std::process::exit(code);
}

fn wait_for_eof() {
    let mut sink = Vec::new();
    let _ = std::io::stdin().lock().read_to_end(&mut sink);
}

fn say(line: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|_| out.flush())
        .map_err(|e| format!("stdout: {e}"))
}

/// Says `ready` and waits for the harness's `go` on stdin (the start of a timed window).
fn ready_then_go() -> Result<(), String> {
    say("ready")?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    if line.trim() != "go" {
        return Err(format!("expected go, got {line:?}"));
    }
    Ok(())
}

fn run(args: &[String]) -> Result<(), String> {
    let arg = |i: usize| {
        args.get(i)
            .map(String::as_str)
            .ok_or_else(|| format!("missing argument {i}"))
    };
    let num = |i: usize| {
        arg(i)?
            .parse::<u64>()
            .map_err(|e| format!("argument {i}: {e}"))
    };
    match arg(0)? {
        "ready" => say("ready"),
        "hold" => {
            say("ready")?;
            wait_for_eof();
            Ok(())
        }
        "echo" => {
            let (mut input, mut output) = (std::io::stdin().lock(), std::io::stdout().lock());
            let mut b = [0u8; 1];
            while input.read_exact(&mut b).is_ok() {
                output
                    .write_all(&b)
                    .and_then(|_| output.flush())
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        "job" => {
            let (start, end) = (num(1)?, num(2)?);
            let job = Job::from_args(&args[3..])?;
            ready_then_go()?;
            let t0 = Instant::now();
            let mut all = UnitOut::default();
            let mut outs = Vec::new();
            for id in start..end {
                let mut o = job.unit_blocking(id, t0)?;
                all.lats_ns.append(&mut o.lats_ns);
                all.check ^= o.check;
                outs.push(o);
            }
            let runners = workloads::runner_threads(&outs);
            let mut answer = format!("ok {} {runners}", all.check);
            for l in all.lats_ns {
                answer.push(' ');
                answer.push_str(&l.to_string());
            }
            say(&answer)?;
            wait_for_eof();
            Ok(())
        }
        "probe" => {
            let ms = num(2)?;
            let role = arg(1)?.to_string();
            ready_then_go()?;
            match role.as_str() {
                "hog" => {
                    probe::hog(Duration::from_millis(ms));
                    say("ok 0")?;
                }
                "sleep" => {
                    let t0 = Instant::now();
                    std::thread::sleep(probe::NAP);
                    say(&format!("ok {}", probe::lateness(t0).as_nanos()))?;
                }
                other => return Err(format!("unknown probe role {other:?}")),
            }
            wait_for_eof();
            Ok(())
        }
        "mem" => {
            let model = Model::from_key(arg(1)?).ok_or("unknown model")?;
            let (growth, threads) =
                overhead::memory_in_process(model, num(2)? as usize, num_cpus::get())?;
            say(&format!("ok {growth} {threads}"))
        }
        "sweep" => {
            let model = Model::from_key(arg(1)?).ok_or("unknown model")?;
            let units = num(2)? as usize;
            let job = Job::Sleep {
                count: 1,
                dur: Duration::from_nanos(num(3)?),
            };
            let ctx = RunCtx {
                exe: crate::models::multiprocessing::worker_exe()?,
                proc_cap: 1,
                limit: Duration::from_secs(120),
                cores: num_cpus::get(),
            };
            let r = workloads::run(model, &job, units, &ctx)?;
            say(&format!("ok {} {} {}", r.wall_ns, r.mem_bytes, r.threads))
        }
        other => Err(format!("unknown worker kind {other:?}")),
    }
}

//! A verdict per claim of the classic table: for each cell (concurrency type, ideal for,
//! overhead, context switch × asyncio, threading, multiprocessing) "confirmed" or "refuted",
//! derived from this run's measurements, with the figure that decides it and one sentence
//! why. Nothing here is fixed in advance: a different machine or run can flip any verdict.
//!
//! How each claim is tested (the `tested_as` text of each verdict says it too):
//! - Concurrency type: which OS threads and processes ran the units of the I/O workload.
//! - Ideal for: the model's throughput on that workload class relative to the best of every
//!   model measured (robin, tokio and smol included); confirmed within 5% of the best.
//! - Overhead low / medium / high: the order of start cost *and* memory per unit among the
//!   three classic models (event loop, thread-per-unit, processes).
//! - Context switch manual (await) / automatic: the preemption probe — does a 1 ms sleeper
//!   wake late behind units computing without yielding (late by at least half the compute
//!   time = held up)? "Separate memory": does a process unit hold its own memory (at least
//!   10× a thread's, which shares its process's)? The pipe round trip is shown beside it.

use super::table::{best_in, lookup};
use crate::measure::{fmt_bytes, fmt_ns};
use crate::models::Model;
use crate::{Class, Report};

/// The outcome of one claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The measurements agree with the claim.
    Confirmed,
    /// The measurements contradict it.
    Refuted,
    /// A figure needed was not measured (the reason).
    NotMeasured(String),
}

impl Outcome {
    /// `confirmed`, `refuted` or `not measured`.
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Refuted => "refuted",
            Outcome::NotMeasured(_) => "not measured",
        }
    }
}

/// One claim's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The classic table's column: `asyncio`, `threading` or `multiprocessing`.
    pub column: &'static str,
    /// The row: `Concurrency type`, `Ideal for`, `Overhead`, `Context switch`.
    pub feature: &'static str,
    /// The claimed cell, e.g. `I/O-bound`.
    pub claim: &'static str,
    /// What was measured to test it.
    pub tested_as: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The deciding figure.
    pub figure: String,
    /// One sentence why.
    pub why: String,
}

impl Verdict {
    /// `threading is ideal for I/O-bound`-style phrase.
    pub fn headline(&self) -> String {
        format!("{} — {}: {}", self.column, self.feature, self.claim)
    }
}

const COLUMNS: [(&str, Model); 3] = [
    ("asyncio", Model::EventLoop),
    ("threading", Model::ThreadPerUnit),
    ("multiprocessing", Model::Processes),
];

/// Every verdict, in the classic table's order (row by row, column by column).
pub fn verdicts(r: &Report) -> Vec<Verdict> {
    let claims = super::table::claims();
    let mut out = Vec::new();
    for row in &claims.rows {
        for (i, (column, model)) in COLUMNS.iter().enumerate() {
            let claim = claim_str(&row[i + 1]);
            let feature = feature_str(&row[0]);
            let (tested_as, result) = match feature {
                "Concurrency type" => concurrency(r, *model),
                "Ideal for" => ideal(r, *model, claim),
                "Overhead" => overhead(r, *model),
                _ => switch(r, *model),
            };
            let (outcome, figure, why) = match result {
                Ok(x) => x,
                Err(e) => (Outcome::NotMeasured(e.clone()), String::new(), e),
            };
            out.push(Verdict {
                column,
                feature,
                claim,
                tested_as,
                outcome,
                figure,
                why,
            });
        }
    }
    out
}

/// The static spelling of a claims-table cell (the table is built from literals).
fn claim_str(s: &str) -> &'static str {
    const ALL: [&str; 11] = [
        "single-threaded",
        "multi-threaded",
        "multi-process",
        "I/O-bound",
        "CPU-bound",
        "low",
        "medium",
        "high",
        "manual (await)",
        "automatic",
        "separate memory",
    ];
    ALL.into_iter().find(|c| *c == s).unwrap_or("?")
}

fn feature_str(s: &str) -> &'static str {
    [
        "Concurrency type",
        "Ideal for",
        "Overhead",
        "Context switch",
    ]
    .into_iter()
    .find(|c| *c == s)
    .unwrap_or("?")
}

type Decided = Result<(Outcome, String, String), String>;

fn outcome(ok: bool) -> Outcome {
    if ok {
        Outcome::Confirmed
    } else {
        Outcome::Refuted
    }
}

fn plural(n: u64, word: &str) -> String {
    let end = match (n == 1, word.ends_with('s')) {
        (true, _) => "",
        (false, true) => "es",
        (false, false) => "s",
    };
    format!("{n} {word}{end}")
}

fn concurrency(r: &Report, m: Model) -> (String, Decided) {
    let tested = "which OS threads and processes ran the units of the I/O workload".to_string();
    let io = r.workloads.iter().find(|w| w.class == Some(Class::Io));
    let Some(io) = io else {
        return (tested, Err("the io workload did not run".into()));
    };
    let res = lookup(&io.results, m).map(|x| {
        let ran = format!(
            "{} in {} ran {} units",
            plural(x.runners, "OS thread"),
            plural(x.processes, "process"),
            x.units
        );
        match m {
            Model::EventLoop => {
                let ok = x.processes == 1 && x.runners == 1;
                let why = if ok {
                    match x.threads.saturating_sub(1) {
                        0 => "every unit ran on the one thread that polls the loop, and the run used no other thread".to_string(),
                        n => format!(
                            "every unit ran on the one thread that polls the loop; the run's other {} (runtime helpers) ran no unit",
                            plural(n, "OS thread")
                        ),
                    }
                } else {
                    "units ran on more than one thread".to_string()
                };
                (outcome(ok), ran, why)
            }
            Model::ThreadPerUnit => {
                let ok = x.processes == 1 && x.runners > 1;
                let why = if ok {
                    "the units ran on many OS threads of one process".to_string()
                } else {
                    "the units did not run on several threads of one process".to_string()
                };
                (outcome(ok), ran, why)
            }
            _ => {
                let ok = x.processes > 1;
                let why = if ok {
                    "the units ran in separate worker processes".to_string()
                } else {
                    "the units ran in one process".to_string()
                };
                (outcome(ok), ran, why)
            }
        }
    });
    (tested, res)
}

fn ideal(r: &Report, m: Model, claim: &str) -> (String, Decided) {
    let (class, wname) = if claim == "CPU-bound" {
        (Class::Cpu, "cpu")
    } else {
        (Class::Io, "io")
    };
    let tested = format!(
        "throughput on the {wname} workload relative to the best of all {} models (confirmed within 5%)",
        Model::ALL.len()
    );
    let Some(w) = r.workloads.iter().find(|w| w.class == Some(class)) else {
        return (tested, Err(format!("the {wname} workload did not run")));
    };
    // The threading column counts the better of its two forms, as the summary does.
    let mine: &[Model] = match m {
        Model::ThreadPerUnit => &[Model::ThreadPerUnit, Model::ThreadPool],
        Model::EventLoop => &[Model::EventLoop],
        _ => &[Model::Processes],
    };
    let best_model = Model::ALL
        .into_iter()
        .filter_map(|k| lookup(&w.results, k).ok().map(|x| (k, x.throughput())))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let (Some(mine_tp), Some((bm, best))) = (best_in(r, class, mine), best_model) else {
        return (tested, Err(format!("no throughput measured on {wname}")));
    };
    let my_model = mine
        .iter()
        .copied()
        .filter_map(|k| lookup(&w.results, k).ok().map(|x| (k, x)))
        .max_by(|a, b| a.1.throughput().total_cmp(&b.1.throughput()));
    let rel = mine_tp / best;
    let ok = rel >= 0.95;
    let at = if class == Class::Cpu {
        format!("on {} units of pure computation", r.config.cpu.0)
    } else {
        format!("at {} concurrent calls", r.config.io.0)
    };
    let mut figure = format!("{rel:.2}× the best model ({}) {at}", bm.key());
    if let Some((k, x)) = &my_model {
        if *k != Model::EventLoop {
            figure.push_str(&format!(
                ", {} ({}){}",
                plural(x.threads, "OS thread"),
                k.key(),
                if x.processes > 1 {
                    format!(" in {} processes", x.processes)
                } else {
                    String::new()
                }
            ));
        }
    }
    let why = if ok {
        format!("it is within 5% of the fastest model on the {wname} workload")
    } else {
        format!(
            "{} got {:.1}× its throughput on the same {wname} workload",
            bm.key(),
            1.0 / rel.max(1e-9)
        )
    };
    (tested, Ok((outcome(ok), figure, why)))
}

fn overhead(r: &Report, m: Model) -> (String, Decided) {
    let tested = "order of start cost and of memory per unit among event loop, thread-per-unit and processes".to_string();
    let trio = [Model::EventLoop, Model::ThreadPerUnit, Model::Processes];
    let figures: Result<Vec<(f64, f64)>, String> = trio
        .iter()
        .map(|&k| {
            let s = lookup(&r.overheads.start, k)?;
            let b = lookup(&r.overheads.mem, k)?.bytes;
            Ok((s, b))
        })
        .collect();
    let figures = match figures {
        Ok(f) => f,
        Err(e) => return (tested, Err(format!("overheads not measured: {e}"))),
    };
    let pos = trio.iter().position(|&k| k == m).unwrap_or(0);
    // Rank (0 = cheapest) of `m` on each figure.
    let rank = |pick: &dyn Fn(&(f64, f64)) -> f64| {
        figures
            .iter()
            .filter(|f| pick(f) < pick(&figures[pos]))
            .count()
    };
    let (rs, rm) = (rank(&|f| f.0), rank(&|f| f.1));
    let want = pos; // low = cheapest (0), medium = middle (1), high = dearest (2)
    let ok = rs == want && rm == want;
    let word = |k: Model| match k {
        Model::EventLoop => "task",
        Model::ThreadPerUnit => "thread",
        _ => "process",
    };
    let figure = format!(
        "start {}; memory {}",
        trio.iter()
            .zip(&figures)
            .map(|(k, f)| format!("{}/{}", fmt_ns(f.0), word(*k)))
            .collect::<Vec<_>>()
            .join(" vs "),
        trio.iter()
            .zip(&figures)
            .map(|(k, f)| format!("{}/{}", fmt_bytes(f.1), word(*k)))
            .collect::<Vec<_>>()
            .join(" vs ")
    );
    let place = ["cheapest", "in the middle", "dearest"];
    let why = if ok {
        format!(
            "a {} is {} of the three on both start cost and memory",
            word(m),
            place[want]
        )
    } else {
        format!(
            "a {} ranks {} on start cost and {} on memory, not {} on both",
            word(m),
            place[rs],
            place[rm],
            place[want]
        )
    };
    (tested, Ok((outcome(ok), figure, why)))
}

fn switch(r: &Report, m: Model) -> (String, Decided) {
    let hog = r.config.probe_hog;
    let cores = r.machine.cores;
    if m == Model::Processes {
        let tested = "does each unit carry its own memory? memory per process unit vs per thread (threads share their process's), ≥ 10× = separate".to_string();
        let got = (|| {
            let p = lookup(&r.overheads.ctx_switch, Model::Processes)?;
            let t = lookup(&r.overheads.ctx_switch, Model::ThreadPerUnit)?;
            let pm = lookup(&r.overheads.mem, Model::Processes)?.bytes;
            let tm = lookup(&r.overheads.mem, Model::ThreadPerUnit)?.bytes;
            Ok::<_, String>((p, t, pm, tm))
        })();
        let res = got
            .map_err(|e| format!("overheads not measured: {e}"))
            .map(|(p, t, pm, tm)| {
                let ratio = pm / tm.max(1.0);
                let ok = ratio >= 10.0;
                let figure = format!(
                    "{}/process vs {}/thread ({ratio:.0}×); a switch is a pipe round trip of {} (thread handoff {})",
                    fmt_bytes(pm),
                    fmt_bytes(tm),
                    fmt_ns(p),
                    fmt_ns(t)
                );
                let why = if ok {
                    "each worker holds its own runtime, heap and stack, and units exchange data only through pipes".to_string()
                } else {
                    "a process unit cost little more memory than a thread sharing its process".to_string()
                };
                (outcome(ok), figure, why)
            });
        return (tested, res);
    }
    let tested = format!(
        "preemption probe: {cores} units compute {} ms without yielding; how late does a 1 ms sleep wake? (held up = late by ≥ half of that)",
        hog.as_millis()
    );
    let res = lookup(&r.probe, m)
        .map_err(|e| format!("probe not measured: {e}"))
        .map(|late| {
            let held = late.as_secs_f64() >= hog.as_secs_f64() / 2.0;
            let figure = format!(
                "a 1 ms sleep woke {} late behind {cores} units computing {} ms",
                fmt_ns(late.as_nanos() as f64),
                hog.as_millis()
            );
            if m == Model::EventLoop {
                let why = if held {
                    "the loop switches only where a task awaits, so a computing task holds every other"
                } else {
                    "the sleeper ran although no computing task awaited"
                };
                (outcome(held), figure, why.to_string())
            } else {
                let why = if held {
                    "the computing threads were not preempted in time"
                } else {
                    "the OS preempts computing threads, so the sleeper ran within a time slice"
                };
                (outcome(!held), figure, why.to_string())
            }
        });
    (tested, res)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::workloads::overhead::MemPerUnit;
    use crate::workloads::RunResult;
    use crate::{Config, Machine, Mode, Overheads, Scaling, Sweep, WorkloadReport};

    fn run(tp: f64, threads: u64, runners: u64, processes: u64) -> RunResult {
        RunResult {
            units: 10,
            ops: tp,
            wall_ns: 1e9,
            p50_ns: 1e6,
            p99_ns: 2e6,
            threads,
            processes,
            runners,
            mem_bytes: 0.0,
            check: 0,
        }
    }

    /// A report where the io workload's throughput per model is `io_tp(model)`.
    fn report(io_tp: impl Fn(Model) -> f64, probe_ms: impl Fn(Model) -> u64) -> Report {
        let shape = |m: Model| match m {
            Model::EventLoop => (1, 1, 1),
            Model::Processes => (10, 10, 10),
            _ => (11, 10, 1),
        };
        let results = Model::ALL
            .into_iter()
            .map(|m| {
                let (t, u, p) = shape(m);
                (m, Ok(run(io_tp(m), t, u, p)))
            })
            .collect();
        let per_model = |f: &dyn Fn(Model) -> f64| {
            Model::ALL
                .into_iter()
                .map(|m| (m, Ok(f(m))))
                .collect::<Vec<_>>()
        };
        let cost = |m: Model| match m {
            Model::Processes => 1e6,
            Model::ThreadPerUnit => 1e4,
            _ => 300.0,
        };
        Report {
            config: Config::new(Mode::Tiny, "unused".into()),
            machine: Machine {
                cores: 2,
                physical: 2,
                cpu_model: None,
                fd_limit: None,
            },
            workloads: vec![WorkloadReport {
                name: "io".into(),
                description: String::new(),
                unit: "req/s".into(),
                scale: 1.0,
                class: Some(Class::Io),
                results,
            }],
            overheads: Overheads {
                start: per_model(&cost),
                mem: Model::ALL
                    .into_iter()
                    .map(|m| {
                        let bytes = cost(m);
                        (
                            m,
                            Ok(MemPerUnit {
                                bytes,
                                threads: 1,
                                processes: 1,
                            }),
                        )
                    })
                    .collect(),
                ctx_switch: per_model(&cost),
            },
            sweep: Sweep::default(),
            scaling: Scaling::default(),
            probe: Model::ALL
                .into_iter()
                .map(|m| (m, Ok(Duration::from_millis(probe_ms(m)))))
                .collect(),
            elapsed: Duration::ZERO,
        }
    }

    fn find<'a>(v: &'a [Verdict], column: &str, feature: &str) -> &'a Verdict {
        v.iter()
            .find(|x| x.column == column && x.feature == feature)
            .expect("verdict present")
    }

    #[test]
    fn verdicts_follow_the_figures() {
        // The event loop is the fastest on io, threads are preempted quickly.
        let hog = Config::new(Mode::Tiny, "unused".into())
            .probe_hog
            .as_millis() as u64;
        let fast_loop = report(
            |m| if m == Model::EventLoop { 1000.0 } else { 500.0 },
            |m| if m == Model::ThreadPerUnit { 1 } else { hog },
        );
        let v = verdicts(&fast_loop);
        assert_eq!(v.len(), 12);
        assert_eq!(find(&v, "asyncio", "Ideal for").outcome, Outcome::Confirmed);
        assert_eq!(find(&v, "threading", "Ideal for").outcome, Outcome::Refuted);
        assert!(find(&v, "threading", "Ideal for")
            .figure
            .starts_with("0.50×"));
        assert_eq!(
            find(&v, "threading", "Context switch").outcome,
            Outcome::Confirmed
        );
        assert_eq!(
            find(&v, "asyncio", "Context switch").outcome,
            Outcome::Confirmed
        );
        for col in ["asyncio", "threading", "multiprocessing"] {
            assert_eq!(
                find(&v, col, "Concurrency type").outcome,
                Outcome::Confirmed
            );
            assert_eq!(find(&v, col, "Overhead").outcome, Outcome::Confirmed);
        }
        assert_eq!(
            find(&v, "multiprocessing", "Context switch").outcome,
            Outcome::Confirmed
        );

        // The same claims flip when the figures do.
        let fast_pool = report(
            |m| {
                if m == Model::ThreadPool {
                    1000.0
                } else {
                    100.0
                }
            },
            |m| if m == Model::EventLoop { 0 } else { hog },
        );
        let v = verdicts(&fast_pool);
        assert_eq!(find(&v, "asyncio", "Ideal for").outcome, Outcome::Refuted);
        assert_eq!(
            find(&v, "threading", "Ideal for").outcome,
            Outcome::Confirmed
        );
        assert_eq!(
            find(&v, "asyncio", "Context switch").outcome,
            Outcome::Refuted
        );
        assert_eq!(
            find(&v, "threading", "Context switch").outcome,
            Outcome::Refuted
        );
    }

    #[test]
    fn a_missing_workload_is_not_measured_not_guessed() {
        let mut r = report(|_| 1.0, |_| 1);
        r.workloads.clear();
        r.probe.clear();
        let v = verdicts(&r);
        for feature in ["Concurrency type", "Ideal for", "Context switch"] {
            assert!(matches!(
                find(&v, "asyncio", feature).outcome,
                Outcome::NotMeasured(_)
            ));
        }
        assert_eq!(find(&v, "asyncio", "Overhead").outcome, Outcome::Confirmed);
    }
}

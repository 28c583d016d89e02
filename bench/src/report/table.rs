//! The summary table: the classic asyncio/threading/multiprocessing table, re-filled with
//! measured figures, plus robin's work-stealing runtime as a column.
//!
//! Columns: robin, tokio and smol (the async runtimes a user would pick instead), event-loop
//! (asyncio's model), threading, multiprocessing. The threading
//! column uses thread-per-unit (Python's `threading` idiom) for concurrency type, overhead and
//! context switch, and the better of thread-per-unit and the thread pool for "ideal for".
//!
//! Rows:
//! - Concurrency type: processes and OS threads measured during the I/O workload.
//! - Ideal for: each model's throughput relative to the best model, per workload class; the
//!   classes where it is within 5% of the best are named.
//! - Overhead: measured start cost and memory per unit.
//! - Context switch: measured ping-pong round trip.

use crate::measure::{fmt_bytes, fmt_ns};
use crate::models::Model;
use crate::workloads::RunResult;
use crate::{Class, Report};

/// A rendered table: header cells and rows of cells (first cell = row label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Header cells.
    pub header: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Markdown rendering.
    pub fn to_markdown(&self) -> String {
        let mut s = format!(
            "| {} |\n|{}\n",
            self.header.join(" | "),
            "---|".repeat(self.header.len())
        );
        for r in &self.rows {
            s.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        s
    }
}

/// The claimed table, as the classic comparison states it.
pub fn claims() -> Table {
    let row = |v: [&str; 4]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Table {
        header: row(["Feature", "asyncio", "threading", "multiprocessing"]),
        rows: vec![
            row([
                "Concurrency type",
                "single-threaded",
                "multi-threaded",
                "multi-process",
            ]),
            row(["Ideal for", "I/O-bound", "I/O-bound", "CPU-bound"]),
            row(["Overhead", "low", "medium", "high"]),
            row([
                "Context switch",
                "manual (await)",
                "automatic",
                "separate memory",
            ]),
        ],
    }
}

/// The summary columns: (header, model used for the single-model rows, models whose best
/// figure counts for "ideal for").
pub fn columns() -> [(&'static str, Model, &'static [Model]); 6] {
    [
        ("robin (work-stealing)", Model::Robin, &[Model::Robin]),
        ("tokio (multi-thread)", Model::Tokio, &[Model::Tokio]),
        ("smol (async-executor × N)", Model::Smol, &[Model::Smol]),
        (
            "event-loop (asyncio's model)",
            Model::EventLoop,
            &[Model::EventLoop],
        ),
        (
            "threading",
            Model::ThreadPerUnit,
            &[Model::ThreadPerUnit, Model::ThreadPool],
        ),
        ("multiprocessing", Model::Processes, &[Model::Processes]),
    ]
}

/// The result of model `m` in `v`, or "not run".
pub fn lookup<T: Clone>(v: &[(Model, Result<T, String>)], m: Model) -> Result<T, String> {
    v.iter()
        .find(|(k, _)| *k == m)
        .map(|(_, r)| r.clone())
        .unwrap_or_else(|| Err("not run".into()))
}

/// What one unit of model `m` is called.
pub fn unit_word(m: Model) -> &'static str {
    match m {
        Model::Robin | Model::Tokio | Model::Smol | Model::EventLoop => "task",
        Model::ThreadPerUnit => "thread",
        Model::ThreadPool => "job",
        Model::Processes => "process",
    }
}

/// What the run of the I/O workload under `m` used, as "N processes, M OS threads".
fn concurrency_cell(report: &Report, m: Model) -> String {
    let io = report.workloads.iter().find(|w| w.class == Some(Class::Io));
    match io.map(|w| lookup(&w.results, m)) {
        Some(Ok(r)) => {
            let kind = if r.processes > 1 {
                "multi-process"
            } else if r.threads > 1 {
                "multi-threaded"
            } else {
                "single-threaded"
            };
            let p = if r.processes == 1 {
                "process"
            } else {
                "processes"
            };
            format!(
                "{kind}: {} {p}, {} OS thread{} (peak, I/O run)",
                r.processes,
                r.threads,
                if r.threads == 1 { "" } else { "s" }
            )
        }
        Some(Err(e)) => format!("not measured: {e}"),
        None => "not measured: no I/O workload".into(),
    }
}

/// Best throughput among `models` in the workload of class `class`.
pub fn best_in(report: &Report, class: Class, models: &[Model]) -> Option<f64> {
    let w = report.workloads.iter().find(|w| w.class == Some(class))?;
    models
        .iter()
        .filter_map(|m| {
            lookup(&w.results, *m)
                .ok()
                .map(|r: RunResult| r.throughput())
        })
        .max_by(|a, b| a.total_cmp(b))
}

fn ideal_cell(report: &Report, models: &[Model]) -> String {
    let all = Model::ALL;
    let mut parts = Vec::new();
    let mut wins = Vec::new();
    for (class, label) in [
        (Class::Io, "I/O"),
        (Class::Cpu, "CPU"),
        (Class::Mixed, "mixed"),
    ] {
        match (best_in(report, class, models), best_in(report, class, &all)) {
            (Some(mine), Some(best)) => {
                let rel = mine / best;
                if rel >= 0.95 {
                    wins.push(format!("{label}-bound"));
                }
                parts.push(format!("{label} {rel:.2}×"));
            }
            _ => parts.push(format!("{label} not measured")),
        }
    }
    let verdict = if wins.is_empty() {
        "none of the classes".to_string()
    } else {
        wins.join(", ")
    };
    format!("{verdict} ({} of the best model)", parts.join(", "))
}

fn overhead_cell(report: &Report, m: Model) -> String {
    let start = lookup(&report.overheads.start, m);
    let mem = lookup(&report.overheads.mem, m);
    let w = unit_word(m);
    let start = match start {
        Ok(ns) => format!("start {}/{w}", fmt_ns(ns)),
        Err(e) => format!("start not measured: {e}"),
    };
    let mem = match mem {
        Ok(x) => format!("{}/{w}", fmt_bytes(x.bytes)),
        Err(e) => format!("memory not measured: {e}"),
    };
    format!("{start}; {mem}")
}

fn ctx_cell(report: &Report, m: Model) -> String {
    let how = match m {
        Model::Robin | Model::Tokio | Model::Smol | Model::EventLoop => "await/wake (robin mpsc)",
        Model::ThreadPerUnit | Model::ThreadPool => "OS thread handoff (std mpsc)",
        Model::Processes => "pipe round trip",
    };
    match lookup(&report.overheads.ctx_switch, m) {
        Ok(ns) => format!("{how}: {} per round trip", fmt_ns(ns)),
        Err(e) => format!("not measured: {e}"),
    }
}

/// The measured summary table.
pub fn summary(report: &Report) -> Table {
    let cols = columns();
    let mut header = vec!["Feature".to_string()];
    header.extend(cols.iter().map(|c| c.0.to_string()));
    let row = |label: &str, f: &dyn Fn(Model, &[Model]) -> String| {
        let mut r = vec![label.to_string()];
        r.extend(cols.iter().map(|(_, m, ms)| f(*m, ms)));
        r
    };
    Table {
        header,
        rows: vec![
            row("Concurrency type", &|m, _| concurrency_cell(report, m)),
            row("Ideal for", &|_, ms| ideal_cell(report, ms)),
            row("Overhead", &|m, _| overhead_cell(report, m)),
            row("Context switch", &|m, _| ctx_cell(report, m)),
        ],
    }
}

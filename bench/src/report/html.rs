//! `report.html`: one self-contained page (inline CSS, inline SVG charts, no script, nothing
//! fetched) — the measured summary table first, then a verdict per claim of the classic table,
//! then a chart for every workload, the overheads, the preemption probe, the worker-scaling
//! sweep and the scale sweep, each with its figures in a table below.

use std::fmt::Write;

use super::svg::{self, escape, BarSeries};
use super::table::{self, lookup};
use super::verdict::{self, Outcome};
use crate::measure::{fmt_bytes, fmt_ns};
use crate::models::Model;
use crate::{Mode, Report};

const CSS: &str = r#"
:root { --fg: #1d1d1f; --muted: #5f6368; --line: #e2e4e8; --bg: #f6f7f9; --ok: #1a7f37; --bad: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 24px 60px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.lead { color: var(--muted); margin: 0 0 18px; }
.card { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 16px 18px; margin: 12px 0;
  box-shadow: 0 1px 2px rgba(0,0,0,.04); overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; vertical-align: top; padding: 7px 9px; border-bottom: 1px solid var(--line); }
th { background: #fafbfc; font-weight: 600; white-space: nowrap; }
.numeric th:not(:first-child) { text-align: right; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr:last-child td { border-bottom: none; }
.summary { table-layout: fixed; font-size: 13px; }
.summary th { white-space: normal; }
.summary td:first-child, .summary th:first-child { font-weight: 600; width: 112px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 700;
  color: white; white-space: nowrap; }
.confirmed { background: var(--ok); } .refuted { background: var(--bad); } .unmeasured { background: #888; }
.claim { font-weight: 600; white-space: nowrap; }
.tested { color: var(--muted); font-size: 12.5px; }
.chart svg { max-width: 100%; height: auto; display: block; margin: 0 auto; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 0 14px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
code { background: #eef0f3; padding: 0 4px; border-radius: 4px; font-size: 13px; }
ul.meta { margin: 4px 0 0; padding-left: 20px; color: var(--muted); font-size: 13.5px; }
"#;

fn mode_word(m: Mode) -> &'static str {
    match m {
        Mode::Tiny => "tiny (test sizes)",
        Mode::Quick => "quick",
        Mode::Full => "full",
    }
}

fn table_html(s: &mut String, class: &str, t: &table::Table) {
    let _ = write!(s, "<table class=\"{class}\"><thead><tr>");
    for h in &t.header {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    let _ = writeln!(s, "</tr></thead><tbody>");
    for r in &t.rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{}</td>", escape(c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
}

fn chart(s: &mut String, svg: &str, note: &str) {
    let _ = writeln!(s, "<div class=\"card chart\">\n{svg}");
    if !note.is_empty() {
        let _ = writeln!(s, "<p class=\"note\">{}</p>", escape(note));
    }
    s.push_str("</div>\n");
}

/// One bar per model (one group), log scale: these figures span orders of magnitude.
fn per_model_bars(
    title: &str,
    ylabel: &str,
    values: &[(Model, Option<f64>)],
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let series: Vec<BarSeries> = values
        .iter()
        .map(|(m, v)| (m.key().to_string(), vec![*v]))
        .collect();
    svg::bar_chart(560.0, title, ylabel, &[String::new()], &series, true, fmt)
}

/// Renders the whole page.
pub fn render(r: &Report) -> String {
    let c = &r.config;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>robin: concurrency-model comparison</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>"
    );
    let _ = writeln!(
        s,
        "<h1>robin: concurrency-model comparison</h1>\n<p class=\"lead\">The classic asyncio / threading / multiprocessing table, measured — with robin's work-stealing runtime and the runtimes a user would pick instead (tokio, smol) in the same run. Mode <b>{}</b>, {} repetition(s) per figure (median shown, repetitions interleaved across models), {} logical cores, run time {:.1} s.</p>",
        mode_word(c.mode),
        c.reps,
        r.machine.cores,
        r.elapsed.as_secs_f64()
    );

    // 1. Summary.
    let _ = writeln!(s, "<h2 id=\"summary\">Summary</h2>\n<div class=\"card\">");
    table_html(&mut s, "summary", &table::summary(r));
    let _ = writeln!(
        s,
        "<p class=\"note\">Threading = thread-per-unit for concurrency type, overhead and context switch; the better of thread-per-unit and the thread pool for “ideal for”. “Ideal for” names the classes where a model's throughput is within 5% of the best model's.</p></div>"
    );

    // 2. Verdicts.
    let _ = writeln!(
        s,
        "<h2 id=\"verdicts\">Verdict per claim</h2>\n<p class=\"note\">Each cell of the classic table, tested against this run's figures. Verdicts are computed from the measurements, so another machine or run may flip them.</p>\n<div class=\"card\"><table class=\"verdicts\"><thead><tr><th>Claim</th><th>Verdict</th><th>Deciding figure</th><th>Why</th></tr></thead><tbody>"
    );
    for v in verdict::verdicts(r) {
        let class = match v.outcome {
            Outcome::Confirmed => "confirmed",
            Outcome::Refuted => "refuted",
            Outcome::NotMeasured(_) => "unmeasured",
        };
        let _ = writeln!(
            s,
            "<tr class=\"verdict\"><td><span class=\"claim\">{} — {}: {}</span><br><span class=\"tested\">tested as: {}</span></td><td><span class=\"badge {class}\">{}</span></td><td>{}</td><td>{}</td></tr>",
            escape(v.column),
            escape(v.feature),
            escape(v.claim),
            escape(&v.tested_as),
            v.outcome.word(),
            escape(&v.figure),
            escape(&v.why)
        );
    }
    s.push_str("</tbody></table></div>\n");
    let _ = writeln!(s, "<h3>The claim being tested</h3>\n<div class=\"card\">");
    table_html(&mut s, "claims", &table::claims());
    s.push_str("</div>\n");

    // 3. Workloads.
    let _ = writeln!(s, "<h2 id=\"workloads\">Workloads</h2>");
    let groups: Vec<String> = r.workloads.iter().map(|w| w.name.clone()).collect();
    let mut rel: Vec<BarSeries> = Vec::new();
    let mut p99: Vec<BarSeries> = Vec::new();
    for m in Model::ALL {
        let mut rv = Vec::new();
        let mut pv = Vec::new();
        for w in &r.workloads {
            let best = w
                .results
                .iter()
                .filter_map(|(_, x)| x.as_ref().ok().map(|x| x.throughput()))
                .fold(0.0, f64::max);
            let x = lookup(&w.results, m).ok();
            rv.push(x.as_ref().map(|x| x.throughput() / best));
            pv.push(x.as_ref().map(|x| x.p99_ns / 1e6));
        }
        rel.push((m.key().to_string(), rv));
        p99.push((m.key().to_string(), pv));
    }
    if !groups.is_empty() {
        chart(
            &mut s,
            &svg::bar_chart(
                svg::BAR_CHART_WIDTH,
                "Throughput relative to the best model, per workload",
                "× the best model",
                &groups,
                &rel,
                false,
                &|v| format!("{}×", svg::short(v)),
            ),
            "1.00× = the fastest model on that workload. Absolute figures are in the tables below.",
        );
        chart(
            &mut s,
            &svg::bar_chart(
                svg::BAR_CHART_WIDTH,
                "p99 latency per workload",
                "p99 latency (ms)",
                &groups,
                &p99,
                false,
                &|v| svg::short_ns(v * 1e6),
            ),
            "io/mixed: one request's write-to-answer time; sleeps: time actually asleep; cpu: unit completion time since the workload started (how fairly units progress).",
        );
    }
    for w in &r.workloads {
        let _ = writeln!(
            s,
            "<h3>{}</h3>\n<p class=\"note\">{}.</p>\n<div class=\"card\"><table class=\"numeric\"><thead><tr><th>model</th><th>throughput ({})</th><th>p50</th><th>p99</th><th>wall</th><th>OS threads</th><th>threads that ran units</th><th>processes</th><th>memory</th></tr></thead><tbody>",
            escape(&w.name),
            escape(&w.description),
            escape(&w.unit)
        );
        for (m, res) in &w.results {
            match res {
                Ok(x) => {
                    let _ = writeln!(
                        s,
                        "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                        m.key(),
                        svg::short(x.throughput() / w.scale),
                        fmt_ns(x.p50_ns),
                        fmt_ns(x.p99_ns),
                        fmt_ns(x.wall_ns),
                        x.threads,
                        x.runners,
                        x.processes,
                        fmt_bytes(x.mem_bytes)
                    );
                }
                Err(e) => {
                    let _ = writeln!(
                        s,
                        "<tr><td>{}</td><td colspan=\"8\">not measured: {}</td></tr>",
                        m.key(),
                        escape(e)
                    );
                }
            }
        }
        s.push_str("</tbody></table></div>\n");
    }

    // 4. Overheads.
    let _ = writeln!(s, "<h2 id=\"overheads\">Overheads</h2>");
    if !r.overheads.start.is_empty() {
        let ok = |v: &[(Model, Result<f64, String>)]| -> Vec<(Model, Option<f64>)> {
            Model::ALL.iter().map(|&m| (m, lookup(v, m).ok())).collect()
        };
        let _ = writeln!(s, "<div class=\"grid2\">");
        chart(
            &mut s,
            &per_model_bars(
                "Start one unit",
                "time per unit",
                &ok(&r.overheads.start),
                &|v| svg::short_ns(v),
            ),
            "",
        );
        let mem: Vec<(Model, Option<f64>)> = Model::ALL
            .iter()
            .map(|&m| (m, lookup(&r.overheads.mem, m).ok().map(|x| x.bytes)))
            .collect();
        chart(
            &mut s,
            &per_model_bars("Memory per live unit", "bytes per unit", &mem, &|v| {
                svg::short_bytes(v)
            }),
            "",
        );
        chart(
            &mut s,
            &per_model_bars(
                "Context switch: ping-pong round trip",
                "time per round trip",
                &ok(&r.overheads.ctx_switch),
                &|v| svg::short_ns(v),
            ),
            "",
        );
        let probe: Vec<(Model, Option<f64>)> = Model::ALL
            .iter()
            .map(|&m| (m, lookup(&r.probe, m).ok().map(|d| d.as_nanos() as f64)))
            .collect();
        if !r.probe.is_empty() {
            chart(
                &mut s,
                &per_model_bars(
                    "Preemption probe: lateness of a 1 ms sleep",
                    "lateness",
                    &probe,
                    &|v| svg::short_ns(v),
                ),
                &format!(
                    "{} units compute {} ms without yielding; a unit asking to sleep 1 ms right after them wakes this late. ≈{} ms = held up until a computing unit finished.",
                    r.machine.cores,
                    c.probe_hog.as_millis(),
                    c.probe_hog.as_millis()
                ),
            );
        }
        s.push_str("</div>\n");
        let _ = writeln!(
            s,
            "<div class=\"card\"><table class=\"numeric\"><thead><tr><th>model</th><th>start one unit</th><th>memory per unit</th><th>OS threads meanwhile</th><th>ping-pong round trip</th><th>probe: sleep lateness</th></tr></thead><tbody>"
        );
        for m in Model::ALL {
            let ns = |v: &[(Model, Result<f64, String>)]| match lookup(v, m) {
                Ok(x) => fmt_ns(x),
                Err(e) => format!("not measured: {e}"),
            };
            let (mem, threads) = match lookup(&r.overheads.mem, m) {
                Ok(x) => (
                    fmt_bytes(x.bytes),
                    format!("{} (in {} process(es))", x.threads, x.processes),
                ),
                Err(e) => (format!("not measured: {e}"), String::new()),
            };
            let late = match lookup(&r.probe, m) {
                Ok(d) => fmt_ns(d.as_nanos() as f64),
                Err(e) => format!("not measured: {e}"),
            };
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                m.key(),
                escape(&ns(&r.overheads.start)),
                escape(&mem),
                escape(&threads),
                escape(&ns(&r.overheads.ctx_switch)),
                escape(&late)
            );
        }
        s.push_str("</tbody></table>\n<p class=\"note\">Start: spawn + run an empty body + join (tasks, threads), queue + run (pool), fork/exec + ready line + reap (processes). Memory: RSS growth with all units alive and parked, measured in a fresh process (processes: each worker's RSS, shared pages included). Ping-pong: a token between two units — robin-sync's runtime-agnostic mpsc for every async model, std mpsc between threads, a pipe to a worker process.</p></div>\n");
    } else {
        let _ = writeln!(s, "<p class=\"note\">Not run (<code>--only</code>).</p>");
    }

    // 5. Worker scaling.
    let _ = writeln!(s, "<h2 id=\"scaling\">Worker scaling</h2>");
    if !r.scaling.results.is_empty() {
        chart(
            &mut s,
            &svg::scaling_chart(r),
            &format!(
                "robin's multi-thread runtime with 1..{n} workers and {} (oversubscribed) on the cpu and mixed workloads; speed-up = throughput / throughput with 1 worker. The machine has {n} logical cores, so no line can rise above {n}× for long.",
                2 * r.machine.cores,
                n = r.machine.cores
            ),
        );
        let _ = write!(
            s,
            "<div class=\"card\"><table class=\"numeric\"><thead><tr><th>workload</th>"
        );
        for w in &r.scaling.workers {
            let _ = write!(s, "<th>{w} worker{}</th>", if *w == 1 { "" } else { "s" });
        }
        s.push_str("</tr></thead><tbody>\n");
        for (name, row) in &r.scaling.results {
            let unit = r
                .workloads
                .iter()
                .find(|w| &w.name == name)
                .map(|w| (w.unit.clone(), w.scale))
                .unwrap_or_else(|| {
                    if name == "cpu" {
                        ("MiB/s".into(), (1u64 << 20) as f64)
                    } else {
                        ("req/s".into(), 1.0)
                    }
                });
            let _ = write!(s, "<tr><td>{} ({})</td>", escape(name), escape(&unit.0));
            for x in row {
                match x {
                    Ok(x) => {
                        let _ = write!(
                            s,
                            "<td class=\"num\">{}</td>",
                            svg::short(x.throughput() / unit.1)
                        );
                    }
                    Err(e) => {
                        let _ = write!(s, "<td>not measured: {}</td>", escape(e));
                    }
                }
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table></div>\n");
    } else {
        let _ = writeln!(s, "<p class=\"note\">Not run (<code>--only</code>).</p>");
    }

    // 6. Scale sweep.
    let _ = writeln!(s, "<h2 id=\"sweep\">Scale sweep</h2>");
    if !r.sweep.results.is_empty() {
        let (tp, mem) = svg::sweep_charts(r);
        chart(
            &mut s,
            &tp,
            &format!(
                "Each unit sleeps once for {} ms, all concurrently; ideal = units / {} ms. Missing points were not reachable or not attempted (table below says why).",
                c.sweep_dur.as_millis(),
                c.sweep_dur.as_millis()
            ),
        );
        chart(
            &mut s,
            &mem,
            "Peak RSS growth / units, each point in a fresh worker process (processes: each worker's RSS).",
        );
        let _ = write!(
            s,
            "<div class=\"card\"><table class=\"numeric\"><thead><tr><th>model (units/s)</th>"
        );
        for p in &r.sweep.points {
            let _ = write!(s, "<th>{p}</th>");
        }
        s.push_str("</tr></thead><tbody>\n");
        let mut reasons = Vec::new();
        for (m, row) in &r.sweep.results {
            let _ = write!(s, "<tr><td>{}</td>", m.key());
            for (p, n) in row.iter().zip(&r.sweep.points) {
                match p {
                    Ok(x) => {
                        let _ = write!(s, "<td class=\"num\">{}</td>", svg::short(x.throughput));
                    }
                    Err(e) => {
                        reasons.push(format!("{} at {n} units: {e}", m.key()));
                        let _ = write!(s, "<td class=\"num tested\">n/a ({})</td>", reasons.len());
                    }
                }
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody></table>\n");
        for (i, why) in reasons.iter().enumerate() {
            let _ = writeln!(s, "<p class=\"note\">({}) {}</p>", i + 1, escape(why));
        }
        s.push_str("</div>\n");
    } else {
        let _ = writeln!(s, "<p class=\"note\">Not run (<code>--only</code>).</p>");
    }

    // 7. Methodology.
    let m = &r.machine;
    let _ = writeln!(
        s,
        "<h2 id=\"methodology\">Methodology</h2>\n<ul class=\"meta\">\n<li>Machine: {} logical cores ({} physical), CPU: {}; open-file limit {}. Other work may have been running at the same time: compare ratios, not absolute times.</li>\n<li>Models: robin (multi-thread, one worker per core), tokio (multi-thread, one worker per core), smol (async-executor run by one thread per core, async-io reactor), event-loop (robin's current-thread runtime: asyncio's model), thread-per-unit, thread-pool (one thread per core), multiprocessing (worker processes). The four async models run the same async unit code through a thin adapter per runtime.</li>\n<li>Sizes: {} (robin runtime, 1 worker, in the harness process).</li>\n<li>Timed windows exclude runtime construction and worker-process start-up (measured under Overheads); thread spawning is inside them.</li>\n<li>Every workload's checksum must match across models, else that model's row reports the mismatch. The full notes are in <code>report.md</code> beside this page.</li>\n</ul>",
        m.cores,
        m.physical,
        escape(m.cpu_model.as_deref().unwrap_or("unknown")),
        escape(m.fd_limit.as_deref().unwrap_or("unknown")),
        super::sizes_sentence(c),
    );
    s.push_str("</main>\n</body>\n</html>\n");
    s
}

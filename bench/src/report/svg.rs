//! Hand-written SVG charts (no dependencies, no script): grouped bar charts and line charts,
//! each axis linear or log-10. Values a model could not measure are drawn as "n/a" (bars) or
//! left out (lines); the report's tables say why. Every chart is one standalone `<svg>`
//! element, valid XML, usable inline in HTML or as a file.

use std::fmt::Write;

use crate::models::Model;
use crate::Report;

const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

/// The colour of each series name: a fixed colour per model so every chart agrees; other
/// names take the fallback colours in order.
pub fn color_of(name: &str, i: usize) -> &'static str {
    const MODEL_COLORS: [&str; 7] = [
        "#d62728", // robin
        "#1f77b4", // tokio
        "#2ca02c", // smol
        "#9467bd", // event-loop
        "#ff7f0e", // thread-per-unit
        "#8c564b", // thread-pool
        "#7f7f7f", // multiprocessing
    ];
    const OTHER: [&str; 4] = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"];
    match Model::ALL.iter().position(|m| m.key() == name) {
        Some(p) => MODEL_COLORS[p],
        None => OTHER[i % OTHER.len()],
    }
}

/// Escapes text for XML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A value axis: linear from 0, or log-10 over whole decades.
#[derive(Debug, Clone, Copy)]
struct Axis {
    log: bool,
    lo: f64,
    hi: f64,
}

impl Axis {
    /// An axis covering the positive finite `values`; log when asked or when they span more
    /// than `auto_log_ratio` (pass `f64::INFINITY` to never switch).
    fn fit(values: impl Iterator<Item = f64> + Clone, log: bool, auto_log_ratio: f64) -> Axis {
        let good = values.filter(|v| v.is_finite() && *v > 0.0);
        let min = good.clone().fold(f64::MAX, f64::min);
        let max = good.fold(f64::MIN, f64::max);
        if min > max {
            return Axis {
                log: false,
                lo: 0.0,
                hi: 1.0,
            };
        }
        if log || max / min > auto_log_ratio {
            let lo = min.log10().floor();
            let hi = max.log10().ceil().max(lo + 1.0);
            Axis { log: true, lo, hi }
        } else {
            Axis {
                log: false,
                lo: 0.0,
                hi: nice_ceil(max * 1.08),
            }
        }
    }

    /// 0..1 position of `v` (clamped).
    fn frac(&self, v: f64) -> f64 {
        let f = if self.log {
            (v.max(1e-300).log10() - self.lo) / (self.hi - self.lo)
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        f.clamp(0.0, 1.0)
    }

    /// Tick values.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            (self.lo as i32..=self.hi as i32)
                .map(|d| 10f64.powi(d))
                .collect()
        } else {
            let step = nice_step(self.hi / 5.0);
            let mut t = Vec::new();
            let mut v = 0.0;
            while v <= self.hi * 1.0001 {
                t.push(v);
                v += step;
            }
            t
        }
    }
}

fn nice_step(raw: f64) -> f64 {
    let p = 10f64.powf(raw.max(1e-300).log10().floor());
    let m = raw / p;
    let n = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 2.5 {
        2.5
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    n * p
}

fn nice_ceil(v: f64) -> f64 {
    let step = nice_step(v / 5.0);
    (v / step).ceil() * step
}

/// `v` expressed in the first of `units` (largest first) whose threshold `|v|` reaches:
/// `(v / divisor, name)` for a `(threshold, divisor, name)`; `(v, base)` when none does.
fn scaled(v: f64, units: &[(f64, f64, &'static str)], base: &'static str) -> (f64, &'static str) {
    units
        .iter()
        .find(|&&(threshold, _, _)| v.abs() >= threshold)
        .map_or((v, base), |&(_, divisor, name)| (v / divisor, name))
}

/// Short number with three significant digits: 1.23M, 34.5k, 5.6, 0.012.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 || !a.is_finite() {
        return format!("{v}");
    }
    let (scaled, suffix) = scaled(v, &[(1e9, 1e9, "G"), (1e6, 1e6, "M"), (1e4, 1e3, "k")], "");
    let mag = scaled.abs().log10().floor() as i32;
    let digits = (2 - mag).clamp(0, 12) as usize;
    let mut t = format!("{scaled:.digits$}");
    if t.contains('.') {
        t = t.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    t + suffix
}

/// A duration in nanoseconds, three significant digits: 265 ns, 4.9 µs, 35 ms, 1.2 s.
pub fn short_ns(ns: f64) -> String {
    let (v, unit) = scaled(
        ns,
        &[(1e9, 1e9, "s"), (1e6, 1e6, "ms"), (1e3, 1e3, "µs")],
        "ns",
    );
    format!("{} {unit}", short(v))
}

/// A byte count, three significant digits: 274 B, 9.6 KiB, 2.78 MiB.
pub fn short_bytes(b: f64) -> String {
    const KIB: f64 = 1024.0;
    const MIB: f64 = KIB * KIB;
    const GIB: f64 = MIB * KIB;
    let (v, unit) = scaled(
        b,
        &[(GIB, GIB, "GiB"), (MIB, MIB, "MiB"), (KIB, KIB, "KiB")],
        "B",
    );
    format!("{} {unit}", short(v))
}

fn open_svg(s: &mut String, w: f64, h: f64, title: &str) {
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{FONT}" font-size="12" role="img">"#
    );
    let _ = writeln!(s, "<title>{}</title>", escape(title));
    let _ = writeln!(s, r#"<rect width="{w}" height="{h}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="20" text-anchor="middle" font-size="14" font-weight="600" fill="#222">{}</text>"##,
        w / 2.0,
        escape(title)
    );
}

/// Plot area.
#[derive(Debug, Clone, Copy)]
struct Plot {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// Draws horizontal grid lines and labels of `axis` on the left of `p`.
fn y_grid(s: &mut String, p: Plot, axis: &Axis, fmt: &dyn Fn(f64) -> String) {
    for t in axis.ticks() {
        let y = p.y + p.h - axis.frac(t) * p.h;
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e3e3e3"/>"##,
            p.x,
            p.x + p.w
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#444">{}</text>"##,
            p.x - 6.0,
            y + 4.0,
            escape(&fmt(t))
        );
    }
}

fn y_label(s: &mut String, p: Plot, label: &str) {
    let cy = p.y + p.h / 2.0;
    let _ = writeln!(
        s,
        r##"<text x="16" y="{cy:.1}" text-anchor="middle" fill="#333" transform="rotate(-90 16 {cy:.1})">{}</text>"##,
        escape(label)
    );
}

/// Legend entries in a row under the plot, wrapping at `width`.
fn legend(s: &mut String, names: &[(String, &str, bool)], x0: f64, y0: f64, width: f64) -> f64 {
    let (mut x, mut y) = (x0, y0);
    for (name, color, dashed) in names {
        let w = 34.0 + 7.0 * name.chars().count() as f64;
        if x + w > x0 + width && x > x0 {
            x = x0;
            y += 18.0;
        }
        let dash = if *dashed {
            r#" stroke-dasharray="5 3""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{color}" stroke-width="6"{dash}/>"#,
            x + 20.0
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" fill="#222">{}</text>"##,
            x + 26.0,
            y + 4.0,
            escape(name)
        );
        x += w;
    }
    y
}

/// Rows of legend needed for `names` within `width`.
fn legend_rows(names: &[String], width: f64) -> usize {
    let mut rows = 1;
    let mut x = 0.0;
    for n in names {
        let w = 34.0 + 7.0 * n.chars().count() as f64;
        if x + w > width && x > 0.0 {
            rows += 1;
            x = 0.0;
        }
        x += w;
    }
    rows
}

/// One bar series: its name and one value per group (`None`: not measured).
pub type BarSeries = (String, Vec<Option<f64>>);

/// The width of a full-size [`bar_chart`], in pixels.
pub const BAR_CHART_WIDTH: f64 = 900.0;

/// A grouped bar chart `width` pixels wide: `groups` along x, one bar per series in each
/// group. Log scale when `log` or when the values span more than 30×; each bar is labelled
/// with `fmt(value)`.
pub fn bar_chart(
    width: f64,
    title: &str,
    ylabel: &str,
    groups: &[String],
    series: &[BarSeries],
    log: bool,
    fmt: &dyn Fn(f64) -> String,
) -> String {
    let names: Vec<String> = series.iter().map(|s| s.0.clone()).collect();
    let rows = legend_rows(&names, width - 100.0);
    let height = 330.0 + 18.0 * rows as f64;
    let p = Plot {
        x: 90.0,
        y: 40.0,
        w: width - 110.0,
        h: 220.0,
    };
    let values = series.iter().flat_map(|s| s.1.iter().flatten().copied());
    let axis = Axis::fit(values, log, 30.0);
    let title = if axis.log {
        format!("{title} (log scale)")
    } else {
        title.to_string()
    };
    let mut s = String::new();
    open_svg(&mut s, width, height, &title);
    y_grid(&mut s, p, &axis, fmt);
    y_label(&mut s, p, ylabel);
    let ng = groups.len().max(1) as f64;
    let gw = p.w / ng;
    let nb = series.len().max(1) as f64;
    let bw = (gw * 0.84 / nb).min(60.0);
    let base = p.y + p.h;
    for (g, group) in groups.iter().enumerate() {
        let gx = p.x + g as f64 * gw + (gw - bw * nb) / 2.0;
        for (i, (name, vals)) in series.iter().enumerate() {
            let x = gx + i as f64 * bw;
            let color = color_of(name, i);
            match vals.get(g).copied().flatten().filter(|v| v.is_finite()) {
                Some(v) if !axis.log || v > 0.0 => {
                    let top = base - axis.frac(v) * p.h;
                    let _ = writeln!(
                        s,
                        r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{color}"><title>{} — {}: {}</title></rect>"#,
                        x + 1.0,
                        (bw - 2.0).max(1.0),
                        (base - top).max(0.5),
                        escape(group),
                        escape(name),
                        escape(&fmt(v))
                    );
                    // The value, vertical: inside the bar when it is tall enough, else above.
                    let label = fmt(v);
                    let need = 6.0 * label.chars().count() as f64 + 8.0;
                    let lx = x + bw / 2.0 + 3.5;
                    let (ly, anchor, fill) = if base - top > need {
                        (top + 5.0, "end", "white")
                    } else {
                        (top - 4.0, "start", "#333")
                    };
                    let _ = writeln!(
                        s,
                        r#"<text x="{lx:.1}" y="{ly:.1}" font-size="10" fill="{fill}" text-anchor="{anchor}" transform="rotate(-90 {lx:.1} {ly:.1})">{}</text>"#,
                        escape(&label)
                    );
                }
                _ => {
                    let (lx, ly) = (x + bw / 2.0 + 3.5, base - 4.0);
                    let _ = writeln!(
                        s,
                        r##"<text x="{lx:.1}" y="{ly:.1}" font-size="10" fill="#999" transform="rotate(-90 {lx:.1} {ly:.1})">n/a</text>"##
                    );
                }
            }
        }
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="13" fill="#222">{}</text>"##,
            p.x + g as f64 * gw + gw / 2.0,
            base + 18.0,
            escape(group)
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{:.1}" y1="{base:.1}" x2="{:.1}" y2="{base:.1}" stroke="#555"/>"##,
        p.x,
        p.x + p.w
    );
    let entries: Vec<(String, &str, bool)> = series
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.clone(), color_of(n, i), false))
        .collect();
    legend(&mut s, &entries, p.x, base + 44.0, p.w);
    s.push_str("</svg>\n");
    s
}

/// One line series: name, points (x, y), dashed.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend name (a model key takes that model's colour).
    pub name: String,
    /// Points; non-positive coordinates are skipped on log axes.
    pub points: Vec<(f64, f64)>,
    /// Dashed, unmarked (reference lines such as "ideal").
    pub dashed: bool,
    /// A colour of its own (else the model's colour, or a fallback).
    pub color: Option<&'static str>,
}

impl Line {
    fn color(&self, i: usize) -> &'static str {
        self.color.unwrap_or_else(|| color_of(&self.name, i))
    }
}

/// A line chart; each axis log-10 or linear from 0.
pub fn line_chart(
    title: &str,
    xlabel: &str,
    ylabel: &str,
    lines: &[Line],
    (xlog, ylog): (bool, bool),
) -> String {
    let width = 900.0;
    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
    let rows = legend_rows(&names, width - 100.0);
    let height = 350.0 + 18.0 * rows as f64;
    let p = Plot {
        x: 90.0,
        y: 40.0,
        w: width - 110.0,
        h: 240.0,
    };
    let pts = || lines.iter().flat_map(|l| l.points.iter());
    let xa = Axis::fit(pts().map(|p| p.0), xlog, f64::INFINITY);
    let ya = Axis::fit(pts().map(|p| p.1), ylog, f64::INFINITY);
    let mut s = String::new();
    open_svg(&mut s, width, height, title);
    y_grid(&mut s, p, &ya, &|v| short(v));
    y_label(&mut s, p, ylabel);
    let sx = |x: f64| p.x + xa.frac(x) * p.w;
    let sy = |y: f64| p.y + p.h - ya.frac(y) * p.h;
    let xticks: Vec<f64> = if xa.log {
        xa.ticks()
    } else {
        // Integer-valued x (worker counts): tick every distinct x.
        let mut t: Vec<f64> = pts().map(|p| p.0).collect();
        t.sort_by(|a, b| a.total_cmp(b));
        t.dedup();
        t
    };
    for t in xticks {
        let x = sx(t);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#e3e3e3"/>"##,
            p.y,
            p.y + p.h
        );
        let _ = writeln!(
            s,
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#444">{}</text>"##,
            p.y + p.h + 16.0,
            short(t)
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#555"/>"##,
        p.x, p.y, p.w, p.h
    );
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#333">{}</text>"##,
        p.x + p.w / 2.0,
        p.y + p.h + 34.0,
        escape(xlabel)
    );
    for (i, l) in lines.iter().enumerate() {
        let color = l.color(i);
        let good: Vec<(f64, f64)> = l
            .points
            .iter()
            .copied()
            .filter(|p| (!xa.log || p.0 > 0.0) && (!ya.log || p.1 > 0.0))
            .collect();
        let path: Vec<String> = good
            .iter()
            .map(|q| format!("{:.1},{:.1}", sx(q.0), sy(q.1)))
            .collect();
        let dash = if l.dashed {
            r#" stroke-dasharray="6 4""#
        } else {
            ""
        };
        if path.len() > 1 {
            let _ = writeln!(
                s,
                r#"<polyline fill="none" stroke="{color}" stroke-width="2.5"{dash} points="{}"/>"#,
                path.join(" ")
            );
        }
        if !l.dashed {
            for q in &good {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="{color}"><title>{}: {} → {}</title></circle>"#,
                    sx(q.0),
                    sy(q.1),
                    escape(&l.name),
                    short(q.0),
                    short(q.1)
                );
            }
        }
    }
    let entries: Vec<(String, &str, bool)> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| (l.name.clone(), l.color(i), l.dashed))
        .collect();
    legend(&mut s, &entries, p.x, p.y + p.h + 58.0, p.w);
    s.push_str("</svg>\n");
    s
}

/// (throughput chart, memory-per-unit chart) of the report's sweep (log-log).
pub fn sweep_charts(r: &Report) -> (String, String) {
    let mut tp = Vec::new();
    let mut mem = Vec::new();
    for (m, row) in &r.sweep.results {
        let pick = |f: &dyn Fn(&crate::workloads::sweep::SweepPoint) -> f64| {
            r.sweep
                .points
                .iter()
                .zip(row)
                .filter_map(|(n, p)| p.as_ref().ok().map(|p| (*n as f64, f(p))))
                .collect::<Vec<_>>()
        };
        tp.push(Line {
            name: m.key().to_string(),
            points: pick(&|p| p.throughput),
            dashed: false,
            color: None,
        });
        mem.push(Line {
            name: m.key().to_string(),
            points: pick(&|p| p.bytes_per_unit),
            dashed: false,
            color: None,
        });
    }
    (
        line_chart(
            "Sleep sweep: throughput vs units",
            "units (log)",
            "units completed per second (log)",
            &tp,
            (true, true),
        ),
        line_chart(
            "Sleep sweep: memory per unit vs units",
            "units (log)",
            "bytes per unit (log)",
            &mem,
            (true, true),
        ),
    )
}

/// The worker-scaling chart: speed-up over one worker per workload, against the ideal
/// (linear up to the core count, flat beyond).
pub fn scaling_chart(r: &Report) -> String {
    let cores = r.machine.cores.max(1) as f64;
    let mut lines = Vec::new();
    const SCALING_COLORS: [&str; 3] = ["#d62728", "#e377c2", "#bcbd22"];
    for (i, (name, row)) in r.scaling.results.iter().enumerate() {
        let tps: Vec<(f64, f64)> = r
            .scaling
            .workers
            .iter()
            .zip(row)
            .filter_map(|(w, x)| x.as_ref().ok().map(|x| (*w as f64, x.throughput())))
            .collect();
        let Some(base) = tps.iter().find(|p| p.0 == 1.0).map(|p| p.1) else {
            continue;
        };
        lines.push(Line {
            name: format!("robin on {name}"),
            points: tps.iter().map(|&(w, t)| (w, t / base)).collect(),
            dashed: false,
            color: Some(SCALING_COLORS[i % SCALING_COLORS.len()]),
        });
    }
    lines.push(Line {
        name: format!("ideal (linear up to {cores} cores)"),
        points: r
            .scaling
            .workers
            .iter()
            .map(|&w| (w as f64, (w as f64).min(cores)))
            .collect(),
        dashed: true,
        color: Some("#444444"),
    });
    line_chart(
        "Worker scaling: speed-up over 1 worker",
        "robin worker threads",
        "speed-up (× 1 worker)",
        &lines,
        (false, false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_numbers_keep_three_digits() {
        assert_eq!(short(1234.0), "1234");
        assert_eq!(short(12_345.0), "12.3k");
        assert_eq!(short(2_500_000.0), "2.5M");
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(1.0), "1");
        assert_eq!(short_ns(4_910.0), "4.91 µs");
        assert_eq!(short_bytes(9.6 * 1024.0), "9.6 KiB");
    }

    #[test]
    fn axes_go_log_only_when_the_range_needs_it() {
        let a = Axis::fit([1.0, 2.0, 5.0].into_iter(), false, 30.0);
        assert!(!a.log && a.hi >= 5.0);
        let b = Axis::fit([1.0, 1000.0].into_iter(), false, 30.0);
        assert!(b.log && b.lo == 0.0 && b.hi == 3.0);
        assert_eq!(b.ticks(), vec![1.0, 10.0, 100.0, 1000.0]);
        assert!((b.frac(10.0) - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn bars_that_were_not_measured_say_so() {
        let svg = bar_chart(
            BAR_CHART_WIDTH,
            "t",
            "y",
            &["io".into()],
            &[
                ("robin".into(), vec![Some(2.0)]),
                ("tokio".into(), vec![None]),
            ],
            false,
            &|v| short(v),
        );
        assert!(svg.contains("<title>io — robin: 2</title>"));
        assert!(svg.contains(">n/a</text>"));
        assert!(svg.trim_end().ends_with("</svg>"));
    }
}

//! Turning a [`Report`] into files: `report.md` ([`markdown`]) with the summary table
//! ([`table`]) and the verdicts ([`verdict`]); `report.html` ([`html`]), one self-contained
//! page with every chart inline; and the sweep charts as SVG files ([`svg`]).

pub mod html;
pub mod markdown;
pub mod svg;
pub mod table;
pub mod verdict;

use std::path::PathBuf;

use crate::{Config, Report};

/// File names written into the output directory.
pub const REPORT_MD: &str = "report.md";
/// The HTML page.
pub const REPORT_HTML: &str = "report.html";
/// Sweep throughput chart.
pub const SWEEP_THROUGHPUT_SVG: &str = "sweep_throughput.svg";
/// Sweep memory chart.
pub const SWEEP_MEMORY_SVG: &str = "sweep_memory.svg";
/// Worker-scaling chart.
pub const SCALING_SVG: &str = "scaling.svg";

/// Where [`write()`] put the report.
#[derive(Debug, Clone)]
pub struct Written {
    /// `report.md`.
    pub markdown: PathBuf,
    /// `report.html`.
    pub html: PathBuf,
}

/// Writes `report.md`, `report.html` and the SVG charts into `report.config.out_dir`
/// (created if missing); the returned paths are canonical (absolute, no `..`).
pub fn write(report: &Report) -> std::io::Result<Written> {
    let dir = &report.config.out_dir;
    std::fs::create_dir_all(dir)?;
    let dir = std::fs::canonicalize(dir)?;
    let (tp, mem) = svg::sweep_charts(report);
    std::fs::write(dir.join(SWEEP_THROUGHPUT_SVG), tp)?;
    std::fs::write(dir.join(SWEEP_MEMORY_SVG), mem)?;
    std::fs::write(dir.join(SCALING_SVG), svg::scaling_chart(report))?;
    let markdown = dir.join(REPORT_MD);
    std::fs::write(&markdown, markdown::render(report))?;
    let html = dir.join(REPORT_HTML);
    std::fs::write(&html, html::render(report))?;
    Ok(Written { markdown, html })
}

/// The workload sizes of a run in one sentence (`io 100 units × 10 requests; …; delay server
/// answers after 2 ms`), as both the HTML and the Markdown methodology print it.
pub fn sizes_sentence(c: &Config) -> String {
    format!(
        "io {} units × {} requests; sleeps {} units × {} × {} ms; cpu {} units × {} words; mixed {} units × {} requests × {} words; delay server answers after {} ms",
        c.io.0,
        c.io.1,
        c.sleeps.0,
        c.sleeps.1,
        c.sleeps.2.as_millis(),
        c.cpu.0,
        c.cpu.1,
        c.mixed.0,
        c.mixed.1,
        c.mixed.2,
        c.delay.as_millis()
    )
}

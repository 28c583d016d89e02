//! Turning a [`Report`] into files: `report.md` ([`markdown`]) with the summary table
//! ([`table`]) and two SVG charts of the scale sweep ([`svg`]).

pub mod markdown;
pub mod svg;
pub mod table;

use std::path::PathBuf;

use crate::Report;

/// File names written into the output directory.
pub const REPORT_MD: &str = "report.md";
/// Sweep throughput chart.
pub const SWEEP_THROUGHPUT_SVG: &str = "sweep_throughput.svg";
/// Sweep memory chart.
pub const SWEEP_MEMORY_SVG: &str = "sweep_memory.svg";

/// Writes `report.md` and the SVG charts into `report.config.out_dir`; returns the report path.
pub fn write(report: &Report) -> std::io::Result<PathBuf> {
    let dir = &report.config.out_dir;
    std::fs::create_dir_all(dir)?;
    let (tp, mem) = svg::sweep_charts(report);
    std::fs::write(dir.join(SWEEP_THROUGHPUT_SVG), tp)?;
    std::fs::write(dir.join(SWEEP_MEMORY_SVG), mem)?;
    let path = dir.join(REPORT_MD);
    std::fs::write(&path, markdown::render(report))?;
    Ok(path)
}

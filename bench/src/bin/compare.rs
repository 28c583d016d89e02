//! `compare`: runs the concurrency-model comparison and writes `target/compare/report.html`
//! (the page with every chart) and `report.md` beside it.
//!
//! ```text
//! cargo run --release -p robin-bench --bin compare -- [--quick | --tiny | --full] [--out DIR]
//!     [--no-progress] [--only WORKLOAD] [--open]
//! ```
//! Full mode (the default) takes a few minutes; `--quick` under a minute on 2 cores; `--tiny`
//! (or `ROBIN_BENCH_TINY=1`) is for tests. The summary table is printed to stdout, followed by
//! the canonical paths of the report files.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use robin_bench::{report, run_all, Config, Mode, Part};

/// Measures robin, tokio, smol, an event loop, threads and processes on the same workloads
/// and writes the comparison report (report.html with charts, report.md).
#[derive(Debug, Parser)]
#[command(name = "compare", version)]
struct Args {
    /// Quick mode: smaller sizes, one repetition (under a minute on 2 cores).
    #[arg(long, group = "mode")]
    quick: bool,
    /// Tiny mode: test sizes (seconds). Also set by ROBIN_BENCH_TINY=1.
    #[arg(long, group = "mode")]
    tiny: bool,
    /// Full mode (the default): three repetitions, medians.
    #[arg(long, group = "mode")]
    full: bool,
    /// Output directory [default: target/compare of the workspace].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Do not draw the progress bar on stderr.
    #[arg(long)]
    no_progress: bool,
    /// Run only this part of the comparison.
    #[arg(long, value_enum, value_name = "WORKLOAD")]
    only: Option<Part>,
    /// Print a file:// URL of report.html to open in a browser.
    #[arg(long)]
    open: bool,
}

fn main() -> ExitCode {
    robin_bench::worker::maybe_run();
    let args = Args::parse();
    let mut mode = if args.quick {
        Mode::Quick
    } else if args.tiny {
        Mode::Tiny
    } else {
        Mode::Full
    };
    if !args.full && std::env::var_os("ROBIN_BENCH_TINY").is_some_and(|v| v != "0") {
        mode = Mode::Tiny;
    }
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("compare")
    });
    let mut config = Config::new(mode, out);
    config.progress = !args.no_progress;
    config.only = args.only;
    let report = match run_all(&config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("compare: {e}");
            return ExitCode::FAILURE;
        }
    };
    let written = match report::write(&report) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("compare: writing the report: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", report::table::summary(&report).to_markdown());
    println!(
        "report: {} (took {:.1} s)",
        written.html.display(),
        report.elapsed.as_secs_f64()
    );
    println!("        {}", written.markdown.display());
    if args.open {
        println!("open:   file://{}", written.html.display());
    }
    ExitCode::SUCCESS
}

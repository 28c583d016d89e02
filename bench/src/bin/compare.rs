//! `compare`: runs the concurrency-model comparison and writes `target/compare/report.md`.
//!
//! ```text
//! cargo run --release -p robin-bench --bin compare -- [--quick | --tiny] [--out DIR] [--no-progress]
//! ```
//! Full mode (the default) takes a few minutes; `--quick` under a minute on 2 cores; `--tiny`
//! (or `ROBIN_BENCH_TINY=1`) is for tests. The summary table is printed to stdout.

use std::path::PathBuf;
use std::process::ExitCode;

use robin_bench::{report, run_all, Config, Mode};

fn main() -> ExitCode {
    robin_bench::worker::maybe_run();
    let mut mode = Mode::Full;
    let mut out = None;
    let mut progress = true;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => mode = Mode::Quick,
            "--tiny" => mode = Mode::Tiny,
            "--full" => mode = Mode::Full,
            "--no-progress" => progress = false,
            "--out" => match args.next() {
                Some(dir) => out = Some(PathBuf::from(dir)),
                None => {
                    eprintln!("--out needs a directory");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("usage: compare [--quick | --tiny | --full] [--out DIR] [--no-progress]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("unknown argument {other:?} (try --help)");
                return ExitCode::from(2);
            }
        }
    }
    if std::env::var_os("ROBIN_BENCH_TINY").is_some_and(|v| v != "0") {
        mode = Mode::Tiny;
    }
    let out = out.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target")
            .join("compare")
    });
    let mut config = Config::new(mode, out);
    config.progress = progress;
    let report = match run_all(&config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("compare: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = match report::write(&report) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("compare: writing the report: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", report::table::summary(&report).to_markdown());
    println!(
        "report: {} (took {:.1} s)",
        path.display(),
        report.elapsed.as_secs_f64()
    );
    ExitCode::SUCCESS
}

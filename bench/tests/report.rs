//! Runs `compare --tiny` into a temporary directory and checks the report: every model
//! present, every cell of the summary table filled with positive finite figures, the SVG
//! charts written, and no worker process left behind.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const MODELS: [&str; 5] = [
    "robin",
    "event-loop",
    "thread-per-unit",
    "thread-pool",
    "multiprocessing",
];

/// Every number in `s` (digit runs with an optional fraction).
fn numbers(s: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in s.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_digit() || (ch == '.' && !cur.is_empty() && !cur.contains('.')) {
            cur.push(ch);
        } else if !cur.is_empty() {
            out.push(cur.trim_end_matches('.').parse().expect("a number"));
            cur.clear();
        }
    }
    out
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// The lines of the first markdown table after `heading`.
fn table_after<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    let start = md
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?} in the report"));
    md[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect()
}

/// Processes still running `exe --worker …` (none may survive the harness).
fn leftover_workers(exe: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        if args.len() > 1 && args[0] == exe.as_os_str().as_encoded_bytes() && args[1] == b"--worker"
        {
            found.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    found
}

#[test]
fn tiny_run_writes_a_complete_report() {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_compare"));
    let out = std::env::temp_dir().join(format!("robin-bench-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let started = Instant::now();
    let run = Command::new(&exe)
        .args(["--tiny", "--no-progress", "--out"])
        .arg(&out)
        .output()
        .expect("run compare");
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "compare failed: {}\n{stdout}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        elapsed < Duration::from_secs(60),
        "tiny run took {elapsed:?}"
    );
    assert!(
        stdout.contains("| Concurrency type |"),
        "summary not printed:\n{stdout}"
    );

    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");

    // Summary table: 4 model columns, 4 feature rows, every cell filled with positive figures.
    let summary = table_after(&md, "## Summary");
    assert_eq!(summary.len(), 6, "summary table:\n{}", summary.join("\n"));
    let header = cells(summary[0]);
    assert_eq!(header.len(), 5);
    for col in ["robin", "event-loop", "threading", "multiprocessing"] {
        assert!(
            header.iter().any(|h| h.starts_with(col)),
            "column {col} missing: {header:?}"
        );
    }
    let features: Vec<String> = summary[2..].iter().map(|l| cells(l)[0].clone()).collect();
    assert_eq!(
        features,
        [
            "Concurrency type",
            "Ideal for",
            "Overhead",
            "Context switch"
        ]
    );
    for line in &summary[2..] {
        let row = cells(line);
        assert_eq!(row.len(), 5, "row {line}");
        for cell in &row[1..] {
            assert!(!cell.contains("not measured"), "unfilled cell in {line}");
            let nums = numbers(cell);
            assert!(!nums.is_empty(), "no figure in cell {cell:?}");
            for n in nums {
                assert!(
                    n.is_finite() && n > 0.0,
                    "figure {n} in {cell:?} is not positive"
                );
            }
        }
    }

    // Every workload table and the overhead table list every model with figures.
    for heading in [
        "### io",
        "### sleeps",
        "### cpu",
        "### mixed",
        "## Overheads",
    ] {
        let table = table_after(&md, heading);
        for m in MODELS {
            let row = table
                .iter()
                .find(|l| cells(l)[0] == m)
                .unwrap_or_else(|| panic!("model {m} missing under {heading}"));
            assert!(!row.contains("not measured"), "{heading}: {row}");
            assert!(
                numbers(&cells(row)[1])
                    .iter()
                    .all(|n| n.is_finite() && *n > 0.0),
                "{heading}: {row}"
            );
        }
    }

    // The sweep charts exist, are SVG, and are linked.
    for svg in ["sweep_throughput.svg", "sweep_memory.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).expect(svg);
        assert!(
            text.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(text.trim_end().ends_with("</svg>"), "{svg}");
        assert!(text.contains("<polyline"), "{svg} has no lines");
        for m in MODELS {
            assert!(
                text.contains(&format!(">{m}</text>")),
                "{svg} has no legend for {m}"
            );
        }
        assert!(md.contains(&format!("]({svg})")), "{svg} not linked");
    }

    assert!(md.contains("## Methodology") && md.contains("logical cores"));
    assert_eq!(
        leftover_workers(&exe),
        Vec::<String>::new(),
        "worker processes left behind"
    );
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn numbers_are_parsed() {
    assert_eq!(numbers("start 1.25 µs/task; 248 B/task"), vec![1.25, 248.0]);
    assert_eq!(numbers("I/O 1.00×, CPU 0.49×."), vec![1.0, 0.49]);
}

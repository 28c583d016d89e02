//! Runs `compare --tiny` once into a temporary directory and checks the report: every model
//! present (tokio and smol included), every cell of the summary table filled with positive
//! finite figures, report.html self-contained with every chart valid SVG and a verdict row per
//! claim, the page rendered by headless Chromium to a non-blank screenshot, and no worker
//! process left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const MODELS: [&str; 7] = [
    "robin",
    "tokio",
    "smol",
    "event-loop",
    "thread-per-unit",
    "thread-pool",
    "multiprocessing",
];

/// The one `compare --tiny` run every test here reads: (output dir, stdout). The leftover
/// worker check runs right after it, before any other test could start workers of its own.
fn tiny_run() -> &'static (PathBuf, String) {
    static RUN: OnceLock<(PathBuf, String)> = OnceLock::new();
    RUN.get_or_init(|| {
        remove_stale_dirs();
        let exe = PathBuf::from(env!("CARGO_BIN_EXE_compare"));
        let out = std::env::temp_dir().join(format!("robin-bench-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let started = Instant::now();
        let run = Command::new(&exe)
            .args(["--tiny", "--no-progress", "--out"])
            .arg(&out)
            .output()
            .expect("run compare");
        let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
        assert!(
            run.status.success(),
            "compare failed: {}\n{stdout}",
            String::from_utf8_lossy(&run.stderr)
        );
        eprintln!("compare --tiny took {:?}", started.elapsed());
        assert_eq!(
            leftover_workers(&exe),
            Vec::<String>::new(),
            "worker processes left behind"
        );
        (out, stdout)
    })
}

/// Removes the temp dirs (`robin-bench-{report,chromium,only}-<pid>`) of earlier test runs
/// whose process is gone: the latest screenshot stays for a look, old ones do not pile up.
fn remove_stale_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = [
            "robin-bench-report-",
            "robin-bench-chromium-",
            "robin-bench-only-",
        ]
        .iter()
        .find_map(|p| name.strip_prefix(p))
        .and_then(|pid| pid.parse::<u32>().ok());
        if let Some(pid) = pid {
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

/// Every `<svg …>…</svg>` element of `html`, in order.
fn svg_elements(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(a) = rest.find("<svg") {
        let from = &rest[a..];
        let b = from.find("</svg>").expect("unclosed <svg>") + "</svg>".len();
        out.push(&from[..b]);
        rest = &from[b..];
    }
    out
}

/// Text content of the `<td>`s of each `<tr class="CLASS">` row of `html`.
fn rows_of_class(html: &str, class: &str) -> Vec<Vec<String>> {
    let tag = format!("<tr class=\"{class}\">");
    html.match_indices(&tag)
        .map(|(i, _)| {
            let row = &html[i..];
            let row = &row[..row.find("</tr>").expect("unclosed row")];
            row.split("<td")
                .skip(1)
                .map(|cell| {
                    let cell = &cell[cell.find('>').expect("td") + 1..];
                    let cell = &cell[..cell.find("</td>").unwrap_or(cell.len())];
                    strip_tags(cell)
                })
                .collect()
        })
        .collect()
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for ch in s.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

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
    let (out, stdout) = tiny_run();
    assert!(
        stdout.contains("| Concurrency type |"),
        "summary not printed:\n{stdout}"
    );
    // The terminal names the page by its canonical path.
    let html_path = std::fs::canonicalize(out.join("report.html")).expect("report.html");
    assert!(
        stdout.contains(&format!("report: {}", html_path.display())),
        "report.html path not printed canonically:\n{stdout}"
    );
    assert!(!stdout.contains(".."), "a path with .. printed:\n{stdout}");

    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");

    // Summary table: 6 model columns (tokio and smol included), 4 feature rows, every cell
    // filled with positive figures.
    let summary = table_after(&md, "## Summary");
    assert_eq!(summary.len(), 6, "summary table:\n{}", summary.join("\n"));
    let header = cells(summary[0]);
    assert_eq!(header.len(), 7);
    for col in [
        "robin",
        "tokio",
        "smol",
        "event-loop",
        "threading",
        "multiprocessing",
    ] {
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
        assert_eq!(row.len(), 7, "row {line}");
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
    assert!(md.contains("## Verdict per claim") && md.contains("## Worker scaling"));
}

#[test]
fn report_html_is_self_contained_with_valid_svg_charts_and_verdicts() {
    let (out, _) = tiny_run();
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Self-contained: no script, nothing loaded from elsewhere.
    for banned in ["<script", "src=", "<link", "@import", "url("] {
        assert!(!html.contains(banned), "report.html contains {banned:?}");
    }
    let without_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(
        !without_ns.contains("http://") && !without_ns.contains("https://"),
        "report.html refers to the network"
    );
    // The summary comes first.
    let summary = html.find("id=\"summary\"").expect("summary section");
    assert!(summary < html.find("<svg").expect("a chart"));

    // Every chart is valid SVG (parsed as XML) and draws something.
    let charts = svg_elements(&html);
    // 2 workload charts, 4 overhead/probe charts, worker scaling, 2 sweep charts.
    assert!(charts.len() >= 9, "only {} charts", charts.len());
    for (i, svg) in charts.iter().enumerate() {
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("chart {i} is not valid XML: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg", "chart {i}");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg"),
            "chart {i}"
        );
        let marks = root
            .descendants()
            .filter(|n| {
                matches!(n.tag_name().name(), "polyline" | "circle")
                    || (n.tag_name().name() == "rect" && n.children().any(|c| c.is_element()))
            })
            .count();
        assert!(marks > 0, "chart {i} draws no bar, line or point:\n{svg}");
        let title = root
            .children()
            .find(|n| n.tag_name().name() == "title")
            .and_then(|n| n.text())
            .unwrap_or_default();
        assert!(!title.is_empty(), "chart {i} has no title");
    }
    let titles: String = charts.join("\n");
    for want in [
        "Throughput relative to the best model",
        "p99 latency",
        "Start one unit",
        "Memory per live unit",
        "Context switch",
        "Preemption probe",
        "Worker scaling",
        "Sleep sweep: throughput",
        "Sleep sweep: memory",
    ] {
        assert!(titles.contains(want), "no chart {want:?}");
    }
    // Every bar of the workload charts is there: each model has a bar in each workload.
    for m in MODELS {
        for w in ["io", "sleeps", "cpu", "mixed"] {
            assert!(
                charts[0].contains(&format!("<title>{w} — {m}: ")),
                "no throughput bar for {m} on {w}"
            );
        }
    }

    // A verdict row per claim of the classic table (3 columns × 4 rows), each decided.
    let verdicts = rows_of_class(&html, "verdict");
    assert_eq!(verdicts.len(), 12, "verdict rows: {verdicts:?}");
    let mut claims = Vec::new();
    for row in &verdicts {
        assert_eq!(row.len(), 4, "verdict row {row:?}");
        assert!(
            row[1] == "confirmed" || row[1] == "refuted",
            "undecided verdict {row:?}"
        );
        assert!(
            !numbers(&row[2]).is_empty(),
            "no deciding figure in {row:?}"
        );
        assert!(row[3].len() > 10, "no reason in {row:?}");
        claims.push(row[0].split("tested as").next().unwrap_or("").to_string());
    }
    for col in ["asyncio", "threading", "multiprocessing"] {
        for feature in [
            "Concurrency type",
            "Ideal for",
            "Overhead",
            "Context switch",
        ] {
            let want = format!("{col} — {feature}");
            assert!(
                claims.iter().any(|c| c.starts_with(&want)),
                "no verdict for {want}"
            );
        }
    }

    // tokio and smol columns filled: a measured row in every workload table, the overheads
    // and the probe.
    for m in ["tokio", "smol"] {
        let rows: Vec<&str> = html
            .lines()
            .filter(|l| l.starts_with(&format!("<tr><td>{m}</td>")))
            .collect();
        // 4 workload tables, the overheads table (with the probe), the sweep table.
        assert_eq!(rows.len(), 6, "{m}: rows {rows:?}");
        for r in rows {
            assert!(!r.contains("not measured"), "{m}: {r}");
            assert!(!numbers(r).is_empty(), "{m}: {r}");
        }
    }
}

/// Renders report.html in headless Chromium (Debian's `chromium`) and checks the screenshot
/// is a real page: decodable PNG, pixels that vary, the page's colours present. Chromium
/// missing is a failure, not a skip: `.ci/run` installs it.
#[test]
fn report_html_renders_in_headless_chromium() {
    const CHROMIUM: &str = "/usr/bin/chromium";
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} not found: this test needs Debian's chromium (apt-get install chromium; .ci/run installs it when missing)"
    );
    let (out, _) = tiny_run();
    let html = std::fs::canonicalize(out.join("report.html")).expect("report.html");
    let tmp = std::env::temp_dir().join(format!("robin-bench-chromium-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let png_path = tmp.join("report.png");
    let (w, h) = (1280u32, 3400u32);
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", tmp.join("profile").display()))
        .arg(format!("--screenshot={}", png_path.display()))
        .arg(format!("--window-size={w},{h}"))
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => break status,
            None if Instant::now() < deadline => {
                // Bounded reaping poll: chromium exits once the screenshot is written.
                std::thread::sleep(Duration::from_millis(50));
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium did not finish within 120 s");
            }
        }
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    assert!(
        status.success(),
        "chromium failed ({status}):
{stderr}"
    );

    let file = std::fs::File::open(&png_path).expect("chromium wrote no screenshot");
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("screenshot is a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("PNG size")];
    let info = reader.next_frame(&mut buf).expect("decode the screenshot");
    assert_eq!((info.width, info.height), (w, h), "screenshot size");
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "unexpected PNG colour type {:?}",
        info.color_type
    );
    let px = &buf[..info.buffer_size()];
    let (mut sum, mut sum2, mut n) = (0f64, 0f64, 0f64);
    let (mut red, mut badge, mut dark) = (0u64, 0u64, 0u64);
    for p in px.chunks_exact(channels) {
        let (r, g, b) = (p[0] as f64, p[1] as f64, p[2] as f64);
        let y = 0.299 * r + 0.587 * g + 0.114 * b;
        sum += y;
        sum2 += y * y;
        n += 1.0;
        let near = |c: (u8, u8, u8)| {
            (p[0] as i32 - c.0 as i32).abs() < 12
                && (p[1] as i32 - c.1 as i32).abs() < 12
                && (p[2] as i32 - c.2 as i32).abs() < 12
        };
        red += u64::from(near((0xd6, 0x27, 0x28))); // robin's bars
        badge += u64::from(near((0x1a, 0x7f, 0x37)) || near((0xc6, 0x28, 0x28))); // verdicts
        dark += u64::from(y < 80.0); // text
    }
    let mean = sum / n;
    let variance = sum2 / n - mean * mean;
    eprintln!(
        "screenshot {}: luminance mean {mean:.1}, variance {variance:.1}; {red} robin-red, {badge} verdict-badge, {dark} dark pixels",
        png_path.display()
    );
    assert!(
        variance > 50.0,
        "screenshot is blank (variance {variance:.1})"
    );
    assert!(dark > 2_000, "no text rendered ({dark} dark pixels)");
    assert!(red > 500, "no robin bars rendered ({red} pixels)");
    assert!(badge > 100, "no verdict badges rendered ({badge} pixels)");
}

/// `--only cpu` runs the cpu workload alone (the rest of the report says "not run");
/// `--open` prints a `file://` URL of the canonical report.html path.
#[test]
fn only_runs_one_part_and_open_prints_a_file_url() {
    // After the shared run, whose leftover-worker check must not see this run's workers.
    let _ = tiny_run();
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_compare"));
    let out = std::env::temp_dir().join(format!("robin-bench-only-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new(&exe)
        .args([
            "--tiny",
            "--no-progress",
            "--only",
            "cpu",
            "--open",
            "--out",
        ])
        .arg(out.join("sub").join(".."))
        .output()
        .expect("run compare");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "compare failed:\n{stdout}");
    let html = std::fs::canonicalize(out.join("report.html")).expect("report.html");
    assert!(
        stdout.contains(&format!("open:   file://{}", html.display())),
        "no file:// URL:\n{stdout}"
    );
    assert!(!stdout.contains(".."), "a path with .. printed:\n{stdout}");
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(md.contains("### cpu"));
    for other in ["### io", "### sleeps", "### mixed", "## Worker scaling"] {
        assert!(!md.contains(other), "{other} ran under --only cpu");
    }
    let page = std::fs::read_to_string(&html).expect("report.html");
    for svg in svg_elements(&page) {
        roxmltree::Document::parse(svg).expect("valid SVG");
    }
    let bad = Command::new(&exe)
        .args(["--only", "nonsense"])
        .output()
        .expect("run compare");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values"));
    let _ = std::fs::remove_dir_all(&out);
}

/// A duration as the report prints it (`fmt_ns`: "265 ns", "4.91 µs", "35.00 ms", "1.20 s").
fn duration_ns(cell: &str) -> f64 {
    let (num, unit) = cell.trim().split_once(' ').expect("number and unit");
    let v: f64 = num.parse().expect("a number");
    v * match unit {
        "ns" => 1.0,
        "µs" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        other => panic!("unknown unit {other:?}"),
    }
}

/// Every latency a workload records lies inside its timed window, so p99 ≤ wall for every
/// model. (Processes once started the window after telling the workers to go, so units that
/// started early slept longer than the measured wall time.)
#[test]
fn latencies_lie_within_the_timed_window() {
    let (out, _) = tiny_run();
    let md = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    for heading in ["### io", "### sleeps", "### cpu", "### mixed"] {
        let table = table_after(&md, heading);
        for row in &table[2..] {
            let c = cells(row);
            let (p99, wall) = (duration_ns(&c[3]), duration_ns(&c[4]));
            assert!(
                p99 <= wall,
                "{heading}: p99 {} > wall {} in {row}",
                c[3],
                c[4]
            );
        }
    }
}

#[test]
fn numbers_are_parsed() {
    assert_eq!(numbers("start 1.25 µs/task; 248 B/task"), vec![1.25, 248.0]);
    assert_eq!(numbers("I/O 1.00×, CPU 0.49×."), vec![1.0, 0.49]);
    assert_eq!(duration_ns("4.91 µs"), 4910.0);
    assert_eq!(duration_ns("1.50 s"), 1.5e9);
}

//! `robin_io::{stdin, stdout, stderr}` in a real child process: this test binary runs
//! itself with `ROBIN_STDIO_CHILD=1` and its standard streams piped. The child reads
//! lines from stdin, answers each upper-cased on stdout, writes a note to stderr, and
//! exits at EOF; the parent checks what came out. (`harness = false`: libtest would
//! print into the child's stdout.)
use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn child(flavor: &str) {
    let rt = match flavor {
        "current" => robin_runtime::runtime::Builder::new_current_thread(),
        _ => robin_runtime::runtime::Builder::new_multi_thread(),
    }
    .enable_all()
    .build()
    .unwrap();
    rt.block_on(async {
        use robin_io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let mut lines = BufReader::new(robin_io::stdin()).lines();
        let mut out = robin_io::stdout();
        let mut count = 0;
        while let Some(line) = lines.next_line().await.unwrap() {
            out.write_all(line.to_uppercase().as_bytes()).await.unwrap();
            out.write_all(b"\n").await.unwrap();
            count += 1;
        }
        // Written bytes reach the OS once flushed.
        out.flush().await.unwrap();
        let mut err = robin_io::stderr();
        err.write_all(format!("{count} lines\n").as_bytes())
            .await
            .unwrap();
        err.shutdown().await.unwrap();
        // Empty writes complete at once, as tokio's.
        assert_eq!(out.write(b"").await.unwrap(), 0);
    });
}

fn parent(flavor: &str) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("ROBIN_STDIO_CHILD", flavor)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // A big input: more than one blocking read and one pipe buffer's worth.
    let line = "abcdefghijklmnopqrstuvwxyz".repeat(10);
    let writer = std::thread::spawn(move || {
        for _ in 0..2000 {
            writeln!(stdin, "{line}").unwrap();
        }
        // Dropping stdin closes it: the child sees EOF.
    });
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    writer.join().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "child failed: {stderr}");
    let expected = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".repeat(10);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2000);
    assert!(lines.iter().all(|l| *l == expected));
    assert_eq!(stderr, "2000 lines\n");
}

fn main() {
    if let Ok(flavor) = std::env::var("ROBIN_STDIO_CHILD") {
        child(&flavor);
        return;
    }
    for flavor in ["current", "multi"] {
        parent(flavor);
        println!("stdio round trip on the {flavor}-thread runtime ... ok");
    }
}

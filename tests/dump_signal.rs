//! The recipe of `robin::runtime::dump` that prints a task dump when the process gets
//! `SIGUSR1`, run for real: this test starts itself again as a child process (a live
//! "server" with a leaked task), sends the child `SIGUSR1` with kill(2), and reads the
//! dump the child prints on its stderr.
//!
//! Every wait is bounded; the child is killed at the end whatever happens.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const CHILD_ENV: &str = "ROBIN_DUMP_SIGNAL_CHILD";
const WAIT: Duration = Duration::from_secs(30);

/// The recipe, as the dump module docs give it: call it inside the runtime (in
/// `block_on` or a task). The handler is installed before it returns, so a `SIGUSR1`
/// sent afterwards is never the default action (which would kill the process).
fn print_dump_on_sigusr1() -> std::io::Result<()> {
    use robin::signal::unix::{signal, SignalKind};
    let mut usr1 = signal(SignalKind::user_defined1())?;
    let handle = robin::runtime::Handle::current();
    robin::spawn(async move {
        while usr1.recv().await.is_some() {
            eprintln!("{}", handle.dump());
        }
    });
    Ok(())
}

/// The child: a runtime with the recipe installed and a task that can never wake, then
/// a ready marker on stdout; it waits (bounded) for the parent to kill it.
#[test]
fn dump_signal_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return; // Only does something when started by the test below.
    }
    let rt = robin::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        print_dump_on_sigusr1().unwrap();
        robin::task::Builder::new()
            .name("leaked")
            .spawn(std::future::pending::<()>())
            .unwrap();
        println!("DUMP-CHILD-READY");
        robin::time::sleep(WAIT).await;
    });
}

#[test]
fn sigusr1_prints_the_dump_of_a_live_process() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "dump_signal_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let forward = |pipe: Box<dyn std::io::Read + Send>, tag: &'static str| {
        let tx = lines_tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send((tag, line)).is_err() {
                    return;
                }
            }
        });
    };
    forward(Box::new(child.stdout.take().unwrap()), "out");
    forward(Box::new(child.stderr.take().unwrap()), "err");

    let result = (|| -> Result<Vec<String>, String> {
        loop {
            match lines.recv_timeout(WAIT) {
                Ok(("out", line)) if line.contains("DUMP-CHILD-READY") => break,
                Ok(_) => {}
                Err(e) => return Err(format!("the child never got ready: {e}")),
            }
        }
        // SAFETY: kill(2) with a pid we spawned and have not reaped; it only sends a signal.
        let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGUSR1) };
        if sent != 0 {
            return Err(format!("kill: {}", std::io::Error::last_os_error()));
        }
        let mut dump = Vec::new();
        loop {
            match lines.recv_timeout(WAIT) {
                Ok(("err", line)) => {
                    let done = line.contains("leaked");
                    dump.push(line);
                    if done {
                        return Ok(dump);
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(format!("no dump came: {e}; got {dump:?}")),
            }
        }
    })();
    let _ = child.kill();
    let _ = child.wait();
    let dump = result.unwrap();
    let text = dump.join("\n");
    assert!(
        dump.iter().any(|l| l.ends_with("tasks, 1 lost")),
        "no header in\n{text}"
    );
    assert!(dump.iter().any(|l| l.starts_with("ID  NAME")), "{text}");
    let leaked = dump.last().unwrap();
    assert!(
        leaked.contains("Idle") && leaked.ends_with("LOST"),
        "{text}"
    );
}

//! `robin::process` through the facade, on both runtime flavors, with real programs
//! (`sh`, `cat`, `sleep`, `true`, `false`, `env`, `echo`, `id`).
//!
//! Every test takes the binary's `serial()` lock and ends with no zombie child left.
mod process_common;

use process_common::*;
use robin::process::{ChildStdin, ChildStdout, Command};
use std::io::ErrorKind;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn no_zombies() {
    assert_eq!(zombies(), Vec::<u32>::new(), "zombie children left");
}

#[test]
fn true_false_and_exit_codes() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            assert!(Command::new("true").status().await.unwrap().success());
            assert_eq!(
                Command::new("false").status().await.unwrap().code(),
                Some(1)
            );
            let mut child = Command::new("sh").args(["-c", "exit 7"]).spawn().unwrap();
            assert!(child.id().is_some());
            let status = child.wait().await.unwrap();
            assert_eq!(status.code(), Some(7));
            // Fused: the status is remembered, the pid forgotten.
            assert_eq!(child.wait().await.unwrap(), status);
            assert_eq!(child.try_wait().unwrap(), Some(status));
            assert_eq!(child.id(), None);
        });
    }
    no_zombies();
}

#[test]
fn pipes_to_and_from_cat() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = child.stdin.take().unwrap();
            let mut stdout = child.stdout.take().unwrap();
            // More than a pipe buffer each way, written and read concurrently.
            let data: Vec<u8> = (0..512 * 1024u32).map(|i| (i % 251) as u8).collect();
            let expected = data.clone();
            let writer = robin::spawn(async move {
                stdin.write_all(&data).await.unwrap();
                stdin.flush().await.unwrap();
                stdin.shutdown().await.unwrap();
                // Dropping closes the pipe: cat sees end of input.
            });
            let mut echoed = Vec::new();
            stdout.read_to_end(&mut echoed).await.unwrap();
            writer.await.unwrap();
            assert_eq!(echoed, expected);
            assert!(child.wait().await.unwrap().success());
        });
    }
    no_zombies();
}

#[test]
fn output_captures_stdout_and_stderr_and_nulls_stdin() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            // 1 MB on each stream: both must be drained while waiting.
            let out = Command::new("sh")
                .args([
                    "-c",
                    "head -c 1000000 /dev/zero; head -c 1000000 /dev/zero >&2; cat; echo done",
                ])
                .output()
                .await
                .unwrap();
            assert!(out.status.success());
            assert_eq!(out.stdout.len(), 1_000_005);
            assert!(out.stdout.ends_with(b"done\n"));
            assert_eq!(out.stderr.len(), 1_000_000);
            // wait_with_output on a spawned child with only stderr piped.
            let child = Command::new("sh")
                .args(["-c", "echo oops >&2"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let out = child.wait_with_output().await.unwrap();
            assert_eq!((out.stdout, out.stderr), (vec![], b"oops\n".to_vec()));
        });
    }
    no_zombies();
}

#[test]
fn environment_and_working_directory() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            let out = Command::new("env")
                .env_clear()
                .env("A", "1")
                .envs([("B", "2"), ("C", "3")])
                .env_remove("C")
                .output()
                .await
                .unwrap();
            let mut lines: Vec<_> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
            lines.sort();
            assert_eq!(lines, ["A=1", "B=2"]);
            let out = Command::new("sh")
                .args(["-c", "pwd"])
                .current_dir("/proc")
                .output()
                .await
                .unwrap();
            assert_eq!(out.stdout, b"/proc\n");
            let out = Command::new("sh")
                .arg0("robin-sh")
                .args(["-c", "cat /proc/$$/cmdline"])
                .output()
                .await
                .unwrap();
            assert!(
                out.stdout.starts_with(b"robin-sh\0-c\0"),
                "{:?}",
                out.stdout
            );
        });
    }
    no_zombies();
}

#[test]
fn uid_gid_process_group_and_pre_exec() {
    let _g = serial();
    // SAFETY: geteuid(2) has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    for rt in runtimes() {
        rt.block_on(async {
            if root {
                let out = Command::new("sh")
                    .args(["-c", "id -u; id -g"])
                    .uid(65534)
                    .gid(65534)
                    .output()
                    .await
                    .unwrap();
                assert_eq!(out.stdout, b"65534\n65534\n");
            }
            let mut child = Command::new("sleep")
                .arg("1000")
                .process_group(0)
                .spawn()
                .unwrap();
            let pid = child.id().unwrap();
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
            let pgrp: u32 = stat[stat.rfind(')').unwrap() + 2..]
                .split(' ')
                .nth(2)
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(pgrp, pid, "leader of its own group");
            child.kill().await.unwrap();

            let mut cmd = Command::new("sh");
            cmd.args(["-c", "umask"]);
            // SAFETY: umask(2) is async-signal-safe and touches only the child.
            unsafe {
                cmd.pre_exec(|| {
                    libc::umask(0o077);
                    Ok(())
                });
            }
            assert_eq!(cmd.output().await.unwrap().stdout, b"0077\n");

            let mut cmd = Command::new("true");
            // SAFETY: the closure does nothing but return an error.
            unsafe { cmd.pre_exec(|| Err(std::io::Error::from_raw_os_error(libc::EXDEV))) };
            let err = cmd.spawn().unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::EXDEV));
        });
    }
    no_zombies();
}

#[test]
fn kill_start_kill_and_try_wait() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
            assert_eq!(child.try_wait().unwrap(), None);
            child.kill().await.unwrap();
            assert_eq!(child.id(), None);
            assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGKILL));
            // Killing a collected child is a no-op.
            child.start_kill().unwrap();

            let mut child = Command::new("sleep").arg("1000").spawn().unwrap();
            child.start_kill().unwrap();
            assert_eq!(child.wait().await.unwrap().signal(), Some(libc::SIGKILL));

            // try_wait collects an exited child without blocking.
            let mut child = Command::new("true").spawn().unwrap();
            let pid = child.id().unwrap();
            eventually("true to exit", || {
                proc_state(pid).is_none_or(|(s, _)| s == 'Z')
            })
            .await;
            assert!(child.try_wait().unwrap().unwrap().success());
            assert!(reaped(pid));
        });
    }
    no_zombies();
}

#[test]
fn kill_on_drop_kills_and_reaps() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            let mut cmd = Command::new("sleep");
            cmd.arg("1000").kill_on_drop(true);
            assert!(cmd.get_kill_on_drop());
            let child = cmd.spawn().unwrap();
            let pid = child.id().unwrap();
            drop(child);
            eventually("the killed child to be reaped", || reaped(pid)).await;
        });
    }
    no_zombies();
}

#[test]
fn dropped_children_are_still_reaped() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            // kill_on_drop(false): the child outlives its handle, exits on its own (its
            // stdin closes with the handle), and is reaped with nobody awaiting it.
            let child = Command::new("cat").stdin(Stdio::piped()).spawn().unwrap();
            let pid = child.id().unwrap();
            drop(child);
            eventually("the orphan to be reaped", || reaped(pid)).await;
        });
    }
    no_zombies();
}

#[test]
fn orphans_of_a_runtime_that_shut_down_are_reaped_later() {
    let _g = serial();
    let [first, second] = runtimes();
    let pid = first.block_on(async {
        let child = Command::new("cat").stdin(Stdio::piped()).spawn().unwrap();
        child.id().unwrap()
        // The Child drops here, its reaper task is spawned on `first`...
    });
    drop(first); // ...which shuts down: the task is dropped, the child queued.
    second.block_on(async {
        // Bounded: 1000 rounds of process work, each draining the orphan queue.
        for _ in 0..1000 {
            assert!(Command::new("true").status().await.unwrap().success());
            if reaped(pid) {
                return;
            }
            robin::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the queued orphan was never reaped");
    });
    no_zombies();
}

#[test]
fn errors_are_values() {
    let _g = serial();
    let dir = std::env::temp_dir().join(format!("robin-process-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_executable = dir.join("script.sh");
    std::fs::write(&not_executable, "#!/bin/sh\ntrue\n").unwrap(); // mode 0644
    for rt in runtimes() {
        rt.block_on(async {
            let err = Command::new("/nonexistent/robin-no-such-program")
                .spawn()
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound);
            let err = Command::new("robin-no-such-program-on-path")
                .output()
                .await
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::NotFound);
            // exec(2) refuses a file with no execute bit, even to root.
            let err = Command::new(&not_executable).status().await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::PermissionDenied);

            // A write to a child that closed its stdin: broken pipe.
            let mut child = Command::new("true").stdin(Stdio::piped()).spawn().unwrap();
            let mut stdin = child.stdin.take().unwrap();
            assert!(child.wait().await.unwrap().success());
            let err = stdin.write_all(b"anyone there?").await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BrokenPipe);
        });
    }
    std::fs::remove_dir_all(&dir).unwrap();
    no_zombies();
}

#[test]
fn spawn_outside_a_runtime_is_an_error_and_leaves_no_process() {
    let _g = serial();
    let err = Command::new("sleep").arg("1000").spawn().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    // The child that was forked is killed and queued; a later spawn reaps it.
    let rt = robin::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // Bounded: 1000 rounds of process work, each draining the orphan queue.
        for _ in 0..1000 {
            assert!(Command::new("true").status().await.unwrap().success());
            if zombies().is_empty() {
                return;
            }
            robin::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("the unmanaged child was never reaped");
    });
    no_zombies();
}

#[test]
fn pipes_convert_to_and_from_std() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            // One child's stdout as the next one's stdin.
            let mut first = Command::new("echo")
                .arg("piped through")
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let stdout: ChildStdout = first.stdout.take().unwrap();
            let out = Command::new("cat")
                .stdin(Stdio::try_from(stdout).unwrap())
                .output()
                .await
                .unwrap();
            assert_eq!(out.stdout, b"piped through\n");
            assert!(first.wait().await.unwrap().success());

            // from_std: a std child's stdin made asynchronous.
            let mut std_child = std::process::Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdin = ChildStdin::from_std(std_child.stdin.take().unwrap()).unwrap();
            let mut stdout = ChildStdout::from_std(std_child.stdout.take().unwrap()).unwrap();
            stdin.write_all(b"std").await.unwrap();
            drop(stdin);
            let mut buf = String::new();
            stdout.read_to_string(&mut buf).await.unwrap();
            assert_eq!(buf, "std");
            let fd = stdout.into_owned_fd().unwrap();
            drop(fd);
            assert!(std_child.wait().unwrap().success());
        });
    }
    no_zombies();
}

#[test]
fn command_converts_to_and_from_std() {
    let _g = serial();
    let mut std_cmd = std::process::Command::new("echo");
    std_cmd.arg("x");
    let mut cmd = Command::from(std_cmd);
    assert_eq!(cmd.as_std().get_program(), "echo");
    cmd.as_std_mut().arg("y");
    assert!(!cmd.get_kill_on_drop());
    let std_cmd = cmd.into_std();
    assert_eq!(std_cmd.get_args().collect::<Vec<_>>(), ["x", "y"]);
}

#[test]
fn children_leak_no_descriptors() {
    let _g = serial();
    for rt in runtimes() {
        rt.block_on(async {
            // Warm up (the runtime's lazily created state), then count.
            Command::new("true").output().await.unwrap();
            let before = open_fds();
            for _ in 0..8 {
                let mut child = Command::new("cat")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                child.stdin.take().unwrap().write_all(b"x").await.unwrap();
                let out = child.wait_with_output().await.unwrap();
                assert_eq!(out.stdout, b"x");
            }
            assert_eq!(open_fds(), before);
        });
    }
    no_zombies();
}

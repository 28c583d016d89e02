//! `Child`: a spawned process, its pipes, and its (fused) exit status.
use crate::pipe::{ChildStderr, ChildStdin, ChildStdout};
use crate::reap::{self, Mode, Reaper};
use std::future::{poll_fn, Future};
use std::io;
use std::pin::pin;
use std::process::{Child as StdChild, ExitStatus, Output};
use std::task::Poll;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Representation of a child process spawned onto a robin runtime.
///
/// Dropping a `Child` does not stop the process unless `kill_on_drop` was set on the
/// [`Command`](crate::Command); either way robin reaps it once it exits (best-effort:
/// await the `Child` when stricter guarantees are needed).
#[derive(Debug)]
pub struct Child {
    child: FusedChild,
    /// The handle for writing to the child's standard input (stdin), if it has been
    /// captured. Take it (`child.stdin.take()`) to own it; dropping it closes the pipe.
    pub stdin: Option<ChildStdin>,
    /// The handle for reading from the child's standard output (stdout), if it has
    /// been captured.
    pub stdout: Option<ChildStdout>,
    /// The handle for reading from the child's standard error (stderr), if it has been
    /// captured.
    pub stderr: Option<ChildStderr>,
}

#[derive(Debug)]
enum FusedChild {
    Running(Guard),
    Done(ExitStatus),
}

/// Kills (if asked) and hands the child to the orphan reaper when dropped unreaped.
#[derive(Debug)]
struct Guard {
    reaper: Option<Reaper>,
    kill_on_drop: bool,
}

impl Guard {
    fn reaper(&mut self) -> &mut Reaper {
        self.reaper.as_mut().expect("present until the Child drops")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut reaper) = self.reaper.take() {
            if self.kill_on_drop {
                let _ = reaper.std().kill();
            }
            reap::orphan(reaper);
        }
    }
}

impl Child {
    pub(crate) fn new(child: StdChild, kill_on_drop: bool) -> io::Result<Child> {
        Child::with_mode(child, kill_on_drop, Mode::Best)
    }

    pub(crate) fn with_mode(
        mut child: StdChild,
        kill_on_drop: bool,
        mode: Mode,
    ) -> io::Result<Child> {
        let pipes = (|| {
            Ok::<_, io::Error>((
                child.stdin.take().map(ChildStdin::from_std).transpose()?,
                child.stdout.take().map(ChildStdout::from_std).transpose()?,
                child.stderr.take().map(ChildStderr::from_std).transpose()?,
            ))
        })();
        let reaper = match pipes {
            Ok(pipes) => Reaper::new(child, mode).map(|reaper| (reaper, pipes)),
            Err(err) => Err((child, err)),
        };
        let (reaper, (stdin, stdout, stderr)) = match reaper {
            Ok(parts) => parts,
            Err((mut child, err)) => {
                // Spawned but unmanageable: do not leave it running or unreaped.
                let _ = child.kill();
                reap::queue_orphan(child);
                return Err(err);
            }
        };
        Ok(Child {
            child: FusedChild::Running(Guard {
                reaper: Some(reaper),
                kill_on_drop,
            }),
            stdin,
            stdout,
            stderr,
        })
    }

    /// Returns the OS-assigned process identifier of the child while it is still
    /// running; `None` once its exit status has been collected (the pid may be reused).
    pub fn id(&self) -> Option<u32> {
        match &self.child {
            FusedChild::Running(guard) => guard.reaper.as_ref().map(|r| r.id()),
            FusedChild::Done(_) => None,
        }
    }

    /// Attempts to force the child to exit (`SIGKILL`), without waiting for it.
    ///
    /// Does nothing (returns `Ok`) if the exit status was already collected. The child
    /// still has to be awaited (or dropped) to be reaped.
    pub fn start_kill(&mut self) -> io::Result<()> {
        match &mut self.child {
            FusedChild::Running(guard) => guard.reaper().std().kill(),
            FusedChild::Done(_) => Ok(()),
        }
    }

    /// Forces the child to exit (`SIGKILL`) and waits for it to be reaped.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let mut child = robin_process::Command::new("sleep").arg("1000").spawn().unwrap();
    /// child.kill().await.unwrap();
    /// assert!(child.id().is_none());
    /// # });
    /// ```
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await?;
        Ok(())
    }

    /// Waits for the child to exit completely, returning its status. Closes `stdin`
    /// first so the child is not stuck waiting for input.
    ///
    /// Cancel safe: dropping the future loses nothing, a later `wait` goes on.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let mut child = robin_process::Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
    /// assert_eq!(child.wait().await.unwrap().code(), Some(3));
    /// # });
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        match &mut self.child {
            FusedChild::Done(status) => Ok(*status),
            FusedChild::Running(guard) => {
                let status = poll_fn(|cx| guard.reaper().poll_wait(cx)).await?;
                guard.reaper = None; // reaped: nothing left for the guard to do
                self.child = FusedChild::Done(status);
                reap::drain_orphans();
                Ok(status)
            }
        }
    }

    /// Returns the exit status if the child has exited (reaping it), `None` if it is
    /// still running. Never blocks; does not close `stdin`.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        match &mut self.child {
            FusedChild::Done(status) => Ok(Some(*status)),
            FusedChild::Running(guard) => {
                let status = guard.reaper().std().try_wait()?;
                if let Some(status) = status {
                    guard.reaper = None;
                    self.child = FusedChild::Done(status);
                }
                Ok(status)
            }
        }
    }

    /// Waits for the child to exit and collects everything it wrote to its captured
    /// stdout and stderr (empty for a stream that was not piped). Closes stdin first.
    ///
    /// ```
    /// use std::process::Stdio;
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let child = robin_process::Command::new("echo").arg("hi")
    ///     .stdout(Stdio::piped()).spawn().unwrap();
    /// let out = child.wait_with_output().await.unwrap();
    /// assert_eq!(out.stdout, b"hi\n");
    /// # });
    /// ```
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        async fn read_to_end<A: AsyncRead + Unpin>(io: &mut Option<A>) -> io::Result<Vec<u8>> {
            let mut vec = Vec::new();
            if let Some(io) = io.as_mut() {
                io.read_to_end(&mut vec).await?;
            }
            Ok(vec)
        }
        let mut stdout_pipe = self.stdout.take();
        let mut stderr_pipe = self.stderr.take();
        let (mut status, mut stdout, mut stderr) = (None, None, None);
        {
            let mut wait = pin!(self.wait());
            let mut read_out = pin!(read_to_end(&mut stdout_pipe));
            let mut read_err = pin!(read_to_end(&mut stderr_pipe));
            poll_fn(|cx| {
                if status.is_none() {
                    if let Poll::Ready(res) = wait.as_mut().poll(cx) {
                        status = Some(res?);
                    }
                }
                if stdout.is_none() {
                    if let Poll::Ready(res) = read_out.as_mut().poll(cx) {
                        stdout = Some(res?);
                    }
                }
                if stderr.is_none() {
                    if let Poll::Ready(res) = read_err.as_mut().poll(cx) {
                        stderr = Some(res?);
                    }
                }
                if status.is_some() && stdout.is_some() && stderr.is_some() {
                    Poll::Ready(Ok::<(), io::Error>(()))
                } else {
                    Poll::Pending
                }
            })
            .await?;
        }
        Ok(Output {
            status: status.expect("set above"),
            stdout: stdout.expect("set above"),
            stderr: stderr.expect("set above"),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The SIGCHLD path (the facade's tests exercise pidfd, which this kernel has).
    use super::*;
    use robin_test_support::both_flavors;
    use std::process::{Command as StdCommand, Stdio};

    fn spawn(cmd: &mut StdCommand) -> Child {
        Child::with_mode(cmd.spawn().unwrap(), false, Mode::Sigchld).unwrap()
    }

    fn is_child(pid: u32) -> bool {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                let ppid = stat[stat.rfind(')')? + 2..]
                    .split(' ')
                    .nth(1)?
                    .parse::<u32>()
                    .ok()?;
                Some(ppid == std::process::id())
            })
            .unwrap_or(false)
    }

    #[test]
    fn sigchld_waits_for_several_children_at_once() {
        for rt in both_flavors() {
            rt.block_on(async {
                let waits: Vec<_> = (0..4)
                    .map(|i| {
                        let mut child =
                            spawn(StdCommand::new("sh").args(["-c", &format!("exit {i}")]));
                        robin_runtime::spawn(async move { child.wait().await.unwrap().code() })
                    })
                    .collect();
                for (i, wait) in waits.into_iter().enumerate() {
                    assert_eq!(wait.await.unwrap(), Some(i as i32));
                }
                let mut sleeper = spawn(StdCommand::new("sleep").arg("1000"));
                assert_eq!(sleeper.try_wait().unwrap(), None);
                sleeper.kill().await.unwrap();
            });
        }
    }

    #[test]
    fn sigchld_reaps_dropped_children() {
        for rt in both_flavors() {
            rt.block_on(async {
                let child = spawn(StdCommand::new("cat").stdin(Stdio::piped()));
                let pid = child.id().unwrap();
                drop(child); // closes cat's stdin: it exits, unawaited
                for _ in 0..1000 {
                    if !is_child(pid) {
                        return;
                    }
                    robin_time::sleep(std::time::Duration::from_millis(10)).await;
                }
                panic!("orphan {pid} not reaped");
            });
        }
    }
}

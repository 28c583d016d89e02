//! `Command`: std's process builder plus `kill_on_drop`, spawning robin [`Child`]ren.
use crate::child::Child;
use std::ffi::OsStr;
use std::future::Future;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command as StdCommand, ExitStatus, Output, Stdio};

/// This structure mimics the API of [`std::process::Command`], with the addition of
/// `kill_on_drop`, and spawns a [`Child`] whose exit and pipes are asynchronous.
#[derive(Debug)]
pub struct Command {
    std: StdCommand,
    kill_on_drop: bool,
    /// Whether `stdin` was configured (else `output` makes it null, as tokio documents).
    stdin_set: bool,
}

impl Command {
    /// Constructs a new `Command` for launching the program at `program`, with the
    /// defaults of std: no arguments, the parent's environment and working directory,
    /// stdio inherited for `spawn`/`status` and captured for `output`.
    ///
    /// ```
    /// let _ = robin_process::Command::new("sh");
    /// ```
    pub fn new<S: AsRef<OsStr>>(program: S) -> Command {
        Command::from(StdCommand::new(program))
    }

    /// Cheaply borrows the underlying `std::process::Command`.
    pub fn as_std(&self) -> &StdCommand {
        &self.std
    }

    /// Cheaply and mutably borrows the underlying `std::process::Command`.
    pub fn as_std_mut(&mut self) -> &mut StdCommand {
        &mut self.std
    }

    /// Converts into the underlying `std::process::Command` (forgetting `kill_on_drop`).
    pub fn into_std(self) -> StdCommand {
        self.std
    }

    /// Adds an argument to pass to the program.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let out = robin_process::Command::new("echo").arg("-n").arg("hi").output().await.unwrap();
    /// assert_eq!(out.stdout, b"hi");
    /// # });
    /// ```
    pub fn arg<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds multiple arguments to pass to the program.
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Inserts or updates an environment variable mapping.
    pub fn env<K, V>(&mut self, key: K, val: V) -> &mut Command
    where
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.env(key, val);
        self
    }

    /// Adds or updates multiple environment variable mappings.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable mapping.
    pub fn env_remove<K: AsRef<OsStr>>(&mut self, key: K) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Clears the entire environment map for the child process.
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the working directory for the child process.
    pub fn current_dir<P: AsRef<Path>>(&mut self, dir: P) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets configuration for the child process's standard input (stdin) handle.
    /// Defaults to inherit for `spawn`/`status` and to null for `output`.
    pub fn stdin<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stdin(cfg);
        self.stdin_set = true;
        self
    }

    /// Sets configuration for the child process's standard output (stdout) handle.
    /// Defaults to inherit for `spawn`/`status` and to piped for `output`.
    pub fn stdout<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stdout(cfg);
        self
    }

    /// Sets configuration for the child process's standard error (stderr) handle.
    /// Defaults to inherit for `spawn`/`status` and to piped for `output`.
    pub fn stderr<T: Into<Stdio>>(&mut self, cfg: T) -> &mut Command {
        self.std.stderr(cfg);
        self
    }

    /// Controls whether a `kill` operation should be invoked on a spawned child process
    /// when its corresponding `Child` handle is dropped.
    ///
    /// By default this is `false`: as with std, the child keeps running after its handle
    /// is dropped (and is still reaped by robin once it exits, best-effort).
    ///
    /// Caveats: killing is a `SIGKILL` to that one process; its own children are not
    /// killed.
    pub fn kill_on_drop(&mut self, kill_on_drop: bool) -> &mut Command {
        self.kill_on_drop = kill_on_drop;
        self
    }

    /// Sets the child process's user ID (`setuid` in the child before `exec`).
    pub fn uid(&mut self, id: u32) -> &mut Command {
        self.std.uid(id);
        self
    }

    /// Similar to `uid`, but sets the group ID of the child process.
    pub fn gid(&mut self, id: u32) -> &mut Command {
        self.std.gid(id);
        self
    }

    /// Sets the executable argument (`argv[0]`).
    pub fn arg0<S: AsRef<OsStr>>(&mut self, arg: S) -> &mut Command {
        self.std.arg0(arg);
        self
    }

    /// Schedules a closure to be run just before the `exec` function is invoked.
    ///
    /// # Safety
    ///
    /// As for `std::os::unix::process::CommandExt::pre_exec`: the closure runs in the
    /// forked child of a possibly multi-threaded process, so it may only do
    /// async-signal-safe work (no allocation, no locks another thread may hold).
    pub unsafe fn pre_exec<F>(&mut self, f: F) -> &mut Command
    where
        F: FnMut() -> io::Result<()> + Send + Sync + 'static,
    {
        // SAFETY: the caller upholds `pre_exec`'s contract (this function's `# Safety`).
        unsafe { self.std.pre_exec(f) };
        self
    }

    /// Sets the process group ID (PGID) of the child process (`setpgid`); `0` makes the
    /// child the leader of a new group.
    pub fn process_group(&mut self, pgroup: i32) -> &mut Command {
        self.std.process_group(pgroup);
        self
    }

    /// Executes the command as a child process, returning a handle to it.
    ///
    /// The child's pipes (if `Stdio::piped()`) are registered with the current
    /// runtime's driver.
    ///
    /// # Caveats
    ///
    /// As with std, and unlike the futures paradigm of dropping-implies-cancellation, a
    /// spawned process keeps running after its `Child` handle is dropped unless
    /// [`Command::kill_on_drop`] is set. Robin reaps such children once they exit, on a
    /// best-effort basis: await the `Child` when stricter guarantees are needed.
    ///
    /// # Errors
    ///
    /// As std's `spawn` (`NotFound` for a missing program, `PermissionDenied` for one
    /// that is not executable, `WouldBlock` at the process limit), or an error from
    /// registering the pipes (outside a runtime, or on a runtime without I/O).
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let status = robin_process::Command::new("true").spawn().unwrap().wait().await.unwrap();
    /// assert!(status.success());
    /// # });
    /// ```
    pub fn spawn(&mut self) -> io::Result<Child> {
        crate::reap::drain_orphans();
        let child = self.std.spawn()?;
        Child::new(child, self.kill_on_drop)
    }

    /// Executes the command as a child process, waiting for it to finish and collecting
    /// its status. Its stdio is inherited by default; any piped handle is closed before
    /// waiting so the child cannot block on it.
    ///
    /// The command is spawned when this is called, not when the future is first polled;
    /// dropping the future drops the `Child` (see [`Command::kill_on_drop`]).
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let status = robin_process::Command::new("false").status().await.unwrap();
    /// assert_eq!(status.code(), Some(1));
    /// # });
    /// ```
    pub fn status(&mut self) -> impl Future<Output = io::Result<ExitStatus>> {
        let child = self.spawn();
        async {
            let mut child = child?;
            drop(child.stdin.take());
            drop(child.stdout.take());
            drop(child.stderr.take());
            child.wait().await
        }
    }

    /// Executes the command as a child process, waiting for it to finish and collecting
    /// all of its output. stdout and stderr are captured; stdin is null unless set.
    ///
    /// The command is spawned when this is called, not when the future is first polled.
    ///
    /// ```
    /// # let rt = robin_runtime::runtime::Runtime::new().unwrap();
    /// # rt.block_on(async {
    /// let out = robin_process::Command::new("sh").args(["-c", "echo out; echo err >&2"])
    ///     .output().await.unwrap();
    /// assert_eq!((&out.stdout[..], &out.stderr[..]), (&b"out\n"[..], &b"err\n"[..]));
    /// # });
    /// ```
    pub fn output(&mut self) -> impl Future<Output = io::Result<Output>> {
        self.std.stdout(Stdio::piped());
        self.std.stderr(Stdio::piped());
        if !self.stdin_set {
            self.std.stdin(Stdio::null());
        }
        let child = self.spawn();
        async { child?.wait_with_output().await }
    }

    /// Returns the `kill_on_drop` setting.
    pub fn get_kill_on_drop(&self) -> bool {
        self.kill_on_drop
    }
}

impl From<StdCommand> for Command {
    fn from(std: StdCommand) -> Command {
        Command {
            std,
            kill_on_drop: false,
            stdin_set: false,
        }
    }
}

//! Task dumps: every live task of a runtime, what it waits on, and which can never wake.
//!
//! [`Handle::dump`] (or [`Runtime::dump`]) walks the runtime's owned-task list and takes
//! one snapshot per task, from any thread or task, without stopping the runtime:
//!
//! ```
//! use robin_runtime::runtime::{dump::{TaskState, WaitSite}, Runtime};
//!
//! let rt = Runtime::new().unwrap();
//! // Never clones its waker: nothing can wake it again.
//! let leaked = rt.spawn(std::future::pending::<()>());
//! let leaked_id = leaked.id();
//! // Waits on the leaked task's JoinHandle, which holds its waker.
//! let waiter = rt.spawn(async move { leaked.await });
//! let dump = loop {
//!     let dump = rt.dump();
//!     if dump.tasks().len() == 2 && dump.tasks().iter().all(|t| t.state() == TaskState::Idle) {
//!         break dump;
//!     }
//!     std::thread::yield_now();
//! };
//! let find = |id| dump.tasks().iter().find(|t| t.id() == id).unwrap();
//! assert!(find(leaked_id).is_lost());
//! let w = find(waiter.id());
//! assert!(!w.is_lost());
//! assert_eq!(w.waiting_on(), WaitSite::JoinHandle { task: leaked_id });
//! println!("{dump}");
//! ```
//!
//! ## What a snapshot is
//! Each task's state word is read once, atomically: its [`TaskState`] and
//! [`is_lost`](TaskDump::is_lost) come from that one read and are exact *for that
//! instant*. The tasks are read shard by shard of the owned list while other workers go
//! on running, so two tasks' snapshots are not from the same instant, a task spawned or
//! completed during the walk may or may not appear, and a running task may have moved
//! on by the time you read the dump. [`waiting_on`](TaskDump::waiting_on) and
//! [`idle_for`](TaskDump::idle_for) are read just after the state word and may be
//! slightly newer than it (a task woken and re-polled meanwhile). `idle_for` is measured
//! from a coarse clock that no poll reads itself: it is refreshed when a runtime is
//! built, when a worker wakes up, and by the multi-thread monitor every 1 ms while workers
//! run (every 50 ms while all are idle); on a current-thread runtime every 61 polls and
//! whenever its thread wakes up. So `idle_for` may be too long by about the refresh
//! gap (typically a millisecond, at most one busy stretch), never too short.
//!
//! ## What a dump does not list
//! - **Tasks of a `LocalSet`** live in the set's own task list, which belongs to the
//!   thread that drives the set (their futures are `!Send`, and shutting them down must
//!   happen on that thread); the runtime holds no reference to that list, only the
//!   counters the set reports to it. So they are not listed; instead
//!   [`Dump::num_local_tasks`] counts them (and the table's first line says how many were
//!   left out), and the task that drives the set (`LocalSet::run_until` inside a spawned
//!   task or `block_on`) shows up as usual, `Running` or waiting.
//! - **Blocking-pool jobs** (`spawn_blocking`) are not async tasks: they have no waker,
//!   no wait site and cannot be lost; a job is either queued or running on its thread
//!   until it returns. They are counted by `RuntimeMetrics::num_blocking_threads`,
//!   `num_idle_blocking_threads` and `blocking_queue_depth`; a task awaiting one shows
//!   [`WaitSite::JoinHandle`] with the job's task id.
//! - A worker stuck in a blocking poll shows its task as `Running`; with
//!   `Builder::heal_blocked_workers` the substitute that took over its queues keeps
//!   running the other tasks meanwhile.
//!
//! ## Lost tasks
//! A task is *lost* when it is idle (not running, not queued, not complete) and no
//! `Waker` for it exists any more: nothing can ever poll it again, so it will sit there
//! until it is aborted or the runtime shuts down. This is no heuristic: robin counts the
//! task's wakers in its state word, in the same atomic operation that counts their
//! references (the proof is in the engine's `state.rs`), so `is_lost` never reports a
//! task that something could still wake, however the waker is held: by a timer, a
//! socket, a channel, another task's `JoinHandle`, a `Vec`, another thread. (A waker held
//! inside the task's own future counts as existing.) A task that awaits the `JoinHandle`
//! of a lost task is stuck too, but its waker exists (in that handle's slot), so it is
//! not flagged itself: follow [`WaitSite::JoinHandle`] to the lost task.
//!
//! ## Wait sites
//! [`WaitSite`] says which robin primitive took the task's waker during its latest poll:
//! a timer, I/O readiness, or a `JoinHandle`. Everything else is [`WaitSite::Other`],
//! including the `robin::sync` primitives (channels, `Mutex`, `Notify`, ...): that crate
//! sits below the runtime and cannot tag tasks without a hook on its hot paths, so we
//! chose not to. A task whose waker went through a combinator that wraps wakers (e.g. a
//! `FuturesUnordered`) also shows `Other`. If a poll registered several sites (a
//! `select!`), the last one is shown.
//!
//! ## Printing a dump from a live process
//! `Dump` implements `Display` as a table. To print it whenever the process gets
//! `SIGUSR1`, call this inside the runtime (in `block_on` or a task) with
//! `robin::signal`. robin-runtime sits below robin-signal, so a runtime `Builder` option
//! cannot install it and this block is not compiled here; `tests/dump_signal.rs` (in the
//! `robin` facade) runs this very code in a child process, sends it `SIGUSR1` with
//! kill(2) and checks the table it prints.
//!
//! ```ignore
//! fn print_dump_on_sigusr1() -> std::io::Result<()> {
//!     use robin::signal::unix::{signal, SignalKind};
//!     // Installed before this returns: a SIGUSR1 from now on never kills the process.
//!     let mut usr1 = signal(SignalKind::user_defined1())?;
//!     let handle = robin::runtime::Handle::current();
//!     robin::spawn(async move {
//!         while usr1.recv().await.is_some() {
//!             eprintln!("{}", handle.dump());
//!         }
//!     });
//!     Ok(())
//! }
//! // then: kill -USR1 <pid>
//! ```
//!
//! Taking a dump from a plain thread works too (e.g. on a watchdog timeout), since it does
//! not need the runtime's threads to make progress.
//!
//! ## Cost
//! None on the hot path beyond two relaxed stores per poll into the task's header and
//! one per wait-site registration (see the engine's `diag.rs`); the dump itself costs one
//! lock per owned-list shard and an allocation per task.
use super::{Handle, Runtime};
use crate::engine::diag::{TaskSnapshot, WaitTag};
use crate::engine::Id;
use crate::io::Interest;
use std::fmt;
use std::time::{Duration, Instant};

/// A snapshot of every live task of one runtime; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Dump {
    tasks: Vec<TaskDump>,
    local_tasks: usize,
}

/// One task in a [`Dump`].
#[derive(Debug, Clone)]
pub struct TaskDump {
    snap: TaskSnapshot,
}

/// What a task was doing when its snapshot was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Waiting to be woken (not queued, not running).
    Idle,
    /// Woken and queued, waiting for a worker.
    Scheduled,
    /// Being polled (or cancelled) right now.
    Running,
    /// Finished; its output waits for its `JoinHandle` (about to leave the list).
    Complete,
}

/// Which robin primitive took the task's waker in its latest poll; see the
/// [module docs](self#wait-sites).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitSite {
    /// A timer (`sleep`, `interval`, `timeout`, ...) with this deadline.
    Timer {
        /// When the timer fires.
        deadline: Instant,
    },
    /// I/O readiness of a socket, pipe or other registered source.
    Io {
        /// The readiness waited for.
        interest: Interest,
    },
    /// Another task's `JoinHandle`.
    JoinHandle {
        /// The task awaited.
        task: Id,
    },
    /// Anything robin does not tag: a `robin::sync` primitive, a user future, none.
    Other,
}

impl Dump {
    /// The tasks, in id order (roughly spawn order).
    pub fn tasks(&self) -> &[TaskDump] {
        &self.tasks
    }

    /// How many live `LocalSet` tasks this runtime drives: they are not in
    /// [`tasks`](Self::tasks) (see [what a dump does not list](self#what-a-dump-does-not-list)).
    ///
    /// ```
    /// use robin_runtime::{runtime::Runtime, task::LocalSet};
    /// let rt = Runtime::new().unwrap();
    /// let local = LocalSet::new();
    /// let dump = local.block_on(&rt, async {
    ///     let _task = robin_runtime::task::spawn_local(std::future::pending::<()>());
    ///     robin_runtime::task::yield_now().await;
    ///     robin_runtime::runtime::Handle::current().dump()
    /// });
    /// assert_eq!(dump.num_local_tasks(), 1);
    /// assert!(dump.to_string().starts_with("0 tasks, 0 lost (1 LocalSet task not listed)"));
    /// ```
    pub fn num_local_tasks(&self) -> usize {
        self.local_tasks
    }

    fn take(handle: &crate::scheduler::Handle) -> Dump {
        let now = Instant::now();
        Dump {
            tasks: handle
                .dump_tasks(now)
                .into_iter()
                .map(|snap| TaskDump { snap })
                .collect(),
            local_tasks: handle.local_task_counts().alive(),
        }
    }
}

impl TaskDump {
    /// The task's id.
    pub fn id(&self) -> Id {
        self.snap.id
    }

    /// The name given with `task::Builder::name`, if any.
    pub fn name(&self) -> Option<&str> {
        self.snap.name.as_deref()
    }

    /// Where the task was spawned.
    pub fn location(&self) -> &'static std::panic::Location<'static> {
        self.snap.location
    }

    /// Its state at the snapshot.
    pub fn state(&self) -> TaskState {
        if self.snap.complete {
            TaskState::Complete
        } else if self.snap.running {
            TaskState::Running
        } else if self.snap.notified {
            TaskState::Scheduled
        } else {
            TaskState::Idle
        }
    }

    /// How long it has been idle, for an idle task (coarse: see the
    /// [module docs](self#what-a-snapshot-is)); `None` otherwise.
    pub fn idle_for(&self) -> Option<Duration> {
        if self.state() == TaskState::Idle {
            self.snap.idle_for
        } else {
            None
        }
    }

    /// Which robin primitive took its waker in its latest poll.
    pub fn waiting_on(&self) -> WaitSite {
        match self.snap.wait {
            WaitTag::Other => WaitSite::Other,
            WaitTag::Timer(deadline) => WaitSite::Timer { deadline },
            WaitTag::Io { readable, writable } => match (readable, writable) {
                (true, true) => WaitSite::Io {
                    interest: Interest::READABLE | Interest::WRITABLE,
                },
                (true, false) => WaitSite::Io {
                    interest: Interest::READABLE,
                },
                (false, true) => WaitSite::Io {
                    interest: Interest::WRITABLE,
                },
                (false, false) => WaitSite::Other,
            },
            WaitTag::Join(task) => WaitSite::JoinHandle { task },
        }
    }

    /// Idle, not scheduled, and no waker for it exists: it can never run again (exact,
    /// see the [module docs](self#lost-tasks)).
    pub fn is_lost(&self) -> bool {
        self.snap.lost
    }
}

impl Handle {
    /// A snapshot of every live task of this runtime: state, wait site, and whether it
    /// can never wake again. Callable from any thread or task; the runtime keeps
    /// running. See [`dump`](crate::runtime::dump).
    pub fn dump(&self) -> Dump {
        Dump::take(&self.inner)
    }
}

impl Runtime {
    /// A snapshot of every live task of this runtime; see [`Handle::dump`].
    pub fn dump(&self) -> Dump {
        self.handle().dump()
    }
}

fn fmt_duration(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl fmt::Display for WaitSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitSite::Timer { deadline } => {
                let now = Instant::now();
                if *deadline >= now {
                    write!(f, "timer (in {})", fmt_duration(*deadline - now))
                } else {
                    write!(f, "timer (due {} ago)", fmt_duration(now - *deadline))
                }
            }
            WaitSite::Io { interest } => {
                let kind = match (interest.is_readable(), interest.is_writable()) {
                    (true, true) => "read+write",
                    (true, false) => "read",
                    _ => "write",
                };
                write!(f, "io ({kind})")
            }
            WaitSite::JoinHandle { task } => write!(f, "join (task {task})"),
            WaitSite::Other => f.write_str("other"),
        }
    }
}

impl fmt::Display for Dump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEAD: [&str; 7] = [
            "ID",
            "NAME",
            "STATE",
            "IDLE FOR",
            "WAITING ON",
            "SPAWNED AT",
            "",
        ];
        let rows: Vec<[String; 7]> = self
            .tasks
            .iter()
            .map(|t| {
                let idle = t.idle_for().map(fmt_duration).unwrap_or_else(|| "-".into());
                [
                    t.id().to_string(),
                    t.name().unwrap_or("-").to_owned(),
                    format!("{:?}", t.state()),
                    idle,
                    t.waiting_on().to_string(),
                    t.location().to_string(),
                    if t.is_lost() {
                        "LOST".into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        let mut widths = HEAD.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let lost = self.tasks.iter().filter(|t| t.is_lost()).count();
        write!(f, "{} tasks, {} lost", self.tasks.len(), lost)?;
        match self.local_tasks {
            0 => writeln!(f)?,
            1 => writeln!(f, " (1 LocalSet task not listed)")?,
            n => writeln!(f, " ({n} LocalSet tasks not listed)")?,
        }
        let line = |f: &mut fmt::Formatter<'_>, cells: [&str; 7]| -> fmt::Result {
            let mut out = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                if i > 0 {
                    out.push_str("  ");
                }
                out.push_str(&format!("{cell:<w$}"));
            }
            writeln!(f, "{}", out.trim_end())
        };
        line(f, HEAD)?;
        for row in &rows {
            line(f, row.each_ref().map(String::as_str))?;
        }
        Ok(())
    }
}

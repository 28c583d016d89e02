//! `Builder`: configures and builds a [`Runtime`](super::Runtime).
use super::{Config, Runtime};
use std::fmt;
use std::io;
use std::sync::Arc;
use std::time::Duration;

/// Builds a runtime with custom settings.
///
/// ```
/// let rt = robin_runtime::runtime::Builder::new_multi_thread()
///     .worker_threads(2)
///     .thread_name("my-worker")
///     .enable_all()
///     .build()
///     .unwrap();
/// assert_eq!(rt.block_on(async { 40 + 2 }), 42);
/// ```
pub struct Builder {
    kind: Kind,
    worker_threads: Option<usize>,
    max_blocking_threads: usize,
    thread_name: Arc<dyn Fn() -> String + Send + Sync>,
    thread_stack_size: Option<usize>,
    after_start: Option<Arc<dyn Fn() + Send + Sync>>,
    before_stop: Option<Arc<dyn Fn() + Send + Sync>>,
    keep_alive: Duration,
    enable_io: bool,
    enable_time: bool,
    start_paused: bool,
    detect_blocking: Option<Duration>,
    on_blocking: Option<crate::scheduler::BlockingHook>,
    unhandled_panic: super::UnhandledPanic,
    before_park: Option<crate::scheduler::Hook>,
    after_unpark: Option<crate::scheduler::Hook>,
    global_queue_interval: u32,
    max_io_events_per_tick: usize,
    name: Option<String>,
    event_interval: u32,
    heal_blocked_workers: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    CurrentThread,
    MultiThread,
}

impl Builder {
    /// A work-stealing runtime with one worker per core (`num_cpus::get()`).
    pub fn new_multi_thread() -> Builder {
        Builder::new(Kind::MultiThread)
    }

    /// A runtime that runs every task on the thread that calls `block_on`.
    pub fn new_current_thread() -> Builder {
        Builder::new(Kind::CurrentThread)
    }

    fn new(kind: Kind) -> Builder {
        Builder {
            kind,
            worker_threads: None,
            max_blocking_threads: 512,
            thread_name: Arc::new(|| "robin-runtime-worker".to_string()),
            thread_stack_size: None,
            after_start: None,
            before_stop: None,
            keep_alive: Duration::from_secs(10),
            enable_io: false,
            enable_time: false,
            start_paused: false,
            detect_blocking: None,
            on_blocking: None,
            unhandled_panic: super::UnhandledPanic::Ignore,
            before_park: None,
            after_unpark: None,
            global_queue_interval: crate::scheduler::GLOBAL_QUEUE_INTERVAL,
            max_io_events_per_tick: 1024,
            name: None,
            event_interval: crate::scheduler::DEFAULT_EVENT_INTERVAL,
            heal_blocked_workers: false,
        }
    }

    /// Number of worker threads (multi-thread only). `build` rejects 0.
    pub fn worker_threads(&mut self, n: usize) -> &mut Self {
        self.worker_threads = Some(n);
        self
    }

    /// Most threads the blocking pool may start (default 512). `build` rejects 0.
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Self {
        self.max_blocking_threads = n;
        self
    }

    /// Name of the runtime's threads.
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        self.thread_name = Arc::new(move || name.clone());
        self
    }

    /// A function that names each new thread.
    pub fn thread_name_fn<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() -> String + Send + Sync + 'static,
    {
        self.thread_name = Arc::new(f);
        self
    }

    /// Stack size of the runtime's threads, in bytes.
    pub fn thread_stack_size(&mut self, size: usize) -> &mut Self {
        self.thread_stack_size = Some(size);
        self
    }

    /// Runs `f` on each runtime thread as it starts.
    pub fn on_thread_start<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.after_start = Some(Arc::new(f));
        self
    }

    /// Runs `f` on each runtime thread before it exits.
    pub fn on_thread_stop<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.before_stop = Some(Arc::new(f));
        self
    }

    /// How long an idle blocking thread waits for work before it exits (default 10 s).
    pub fn thread_keep_alive(&mut self, duration: Duration) -> &mut Self {
        self.keep_alive = duration;
        self
    }

    /// Enables the I/O and time drivers.
    pub fn enable_all(&mut self) -> &mut Self {
        self.enable_io = true;
        self.enable_time = true;
        self
    }

    /// Enables the I/O driver.
    pub fn enable_io(&mut self) -> &mut Self {
        self.enable_io = true;
        self
    }

    /// Enables the time driver.
    pub fn enable_time(&mut self) -> &mut Self {
        self.enable_time = true;
        self
    }

    /// Starts the clock paused (current-thread runtimes with the time driver only): time
    /// only moves through `robin::time::advance`, or when the runtime is idle, straight to
    /// the next timer. For tests that need exact, instant timing.
    pub fn start_paused(&mut self, paused: bool) -> &mut Self {
        self.start_paused = paused;
        self
    }

    /// Reports, once per incident, a worker that stays inside one task poll longer than
    /// `threshold` (a task blocking its thread), naming the task, its name and where it was
    /// spawned. Off by default; multi-thread runtimes only (the monitor thread watches).
    /// Reports go to the [`on_blocking`](Self::on_blocking) hook, or to stderr.
    pub fn detect_blocking(&mut self, threshold: Duration) -> &mut Self {
        self.detect_blocking = Some(threshold);
        self
    }

    /// Where blocking reports go (see [`detect_blocking`](Self::detect_blocking)).
    pub fn on_blocking<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn(&super::BlockingReport) + Send + Sync + 'static,
    {
        self.on_blocking = Some(Arc::new(f));
        self
    }

    /// What to do when a spawned task panics (default: keep running).
    pub fn unhandled_panic(&mut self, policy: super::UnhandledPanic) -> &mut Self {
        self.unhandled_panic = policy;
        self
    }

    /// Runs `f` on a runtime thread just before it parks (goes idle waiting for work or
    /// events). `f` must not block: the thread is about to sleep, and its tasks wait.
    ///
    /// ```
    /// let (parked, on_park) = std::sync::mpsc::channel();
    /// let rt = robin_runtime::runtime::Builder::new_current_thread()
    ///     .on_thread_park(move || {
    ///         let _ = parked.send(());
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     // The job finishes once the runtime's thread, with nothing to do while it
    ///     // waits for the job, has parked.
    ///     robin_runtime::task::spawn_blocking(move || on_park.recv().unwrap())
    ///         .await
    ///         .unwrap();
    /// });
    /// ```
    pub fn on_thread_park<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.before_park = Some(Arc::new(f));
        self
    }

    /// Runs `f` on a runtime thread just after it wakes from a park (see
    /// [`on_thread_park`](Self::on_thread_park)), before it runs any task.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    /// let unparks = Arc::new(AtomicUsize::new(0));
    /// let counter = unparks.clone();
    /// let (parked, on_park) = std::sync::mpsc::channel();
    /// let rt = robin_runtime::runtime::Builder::new_current_thread()
    ///     .on_thread_park(move || {
    ///         let _ = parked.send(());
    ///     })
    ///     .on_thread_unpark(move || {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///     })
    ///     .build()
    ///     .unwrap();
    /// rt.block_on(async {
    ///     // The job finishes only after the thread parked; its result wakes it.
    ///     robin_runtime::task::spawn_blocking(move || on_park.recv().unwrap())
    ///         .await
    ///         .unwrap();
    /// });
    /// assert!(unparks.load(Ordering::Relaxed) > 0);
    /// ```
    pub fn on_thread_unpark<F>(&mut self, f: F) -> &mut Self
    where
        F: Fn() + Send + Sync + 'static,
    {
        self.after_unpark = Some(Arc::new(f));
        self
    }

    /// How many scheduler ticks pass between two looks at the global (injection) queue
    /// *before* the thread's local queue, so that tasks woken from other threads are not
    /// starved by a local queue that never empties. Default 61 for both flavors (robin's
    /// choice: one figure for one guarantee; tokio uses 31 and 61).
    ///
    /// A lower value makes remote wake-ups fairer at some cost to throughput.
    ///
    /// # Panics
    /// If `val` is 0.
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_multi_thread()
    ///     .global_queue_interval(31)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(async { 1 }), 1);
    /// ```
    #[track_caller]
    pub fn global_queue_interval(&mut self, val: u32) -> &mut Self {
        assert!(val > 0, "global_queue_interval must be greater than 0");
        self.global_queue_interval = val;
        self
    }

    /// The most I/O events one turn of the driver handles (default 1024); more events
    /// wait for the next turn, so that tasks get to run in between. `build` rejects 0
    /// with an `InvalidInput` error (a driver turn that takes no event would never make
    /// progress).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_multi_thread()
    ///     .enable_io()
    ///     .max_io_events_per_tick(256)
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.block_on(async { 1 }), 1);
    /// ```
    pub fn max_io_events_per_tick(&mut self, capacity: usize) -> &mut Self {
        self.max_io_events_per_tick = capacity;
        self
    }

    /// Names the runtime (reported by [`Handle::name`](super::Handle::name)); it does not
    /// name the runtime's threads (see [`thread_name`](Self::thread_name)).
    ///
    /// ```
    /// let rt = robin_runtime::runtime::Builder::new_current_thread()
    ///     .name("my-runtime")
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(rt.handle().name(), Some("my-runtime"));
    /// ```
    pub fn name(&mut self, name: impl Into<String>) -> &mut Self {
        self.name = Some(name.into());
        self
    }

    /// Builds a [`LocalRuntime`](super::LocalRuntime): a current-thread runtime whose
    /// `spawn_local` needs no `LocalSet`.
    ///
    /// # Panics
    /// On a builder made with [`new_multi_thread`](Self::new_multi_thread), as tokio's.
    ///
    /// ```
    /// use robin_runtime::runtime::{Builder, LocalOptions};
    /// let rt = Builder::new_current_thread()
    ///     .enable_all()
    ///     .build_local(LocalOptions::default())
    ///     .unwrap();
    /// let local = rt.spawn_local(async { std::rc::Rc::new("hello") });
    /// assert_eq!(*rt.block_on(local).unwrap(), "hello");
    /// ```
    #[track_caller]
    pub fn build_local(&mut self, options: super::LocalOptions) -> io::Result<super::LocalRuntime> {
        let _ = options;
        if self.kind != Kind::CurrentThread {
            panic!("multi_thread is not supported for LocalRuntime");
        }
        self.build().map(super::LocalRuntime::from_runtime)
    }

    /// Builds the runtime, starting its threads.
    ///
    /// Invalid settings give an `InvalidInput` error rather than a panic:
    ///
    /// ```
    /// let err = robin_runtime::runtime::Builder::new_multi_thread()
    ///     .worker_threads(0)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn build(&mut self) -> io::Result<Runtime> {
        let invalid = |msg: String| Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        let workers = match self.worker_threads {
            Some(0) => return invalid("worker_threads must be at least 1".into()),
            Some(n) => n,
            None => num_cpus::get().max(1),
        };
        let max = crate::scheduler::multi_thread::MAX_WORKERS;
        if workers > max {
            return invalid(format!(
                "worker_threads must be at most {max}, got {workers}"
            ));
        }
        if self.max_blocking_threads == 0 {
            return invalid("max_blocking_threads must be at least 1".into());
        }
        if self.max_io_events_per_tick == 0 {
            return invalid("max_io_events_per_tick must be at least 1".into());
        }
        if self.event_interval == 0 {
            return invalid("event_interval must be at least 1".into());
        }
        if self.heal_blocked_workers && self.detect_blocking.is_none() {
            return invalid(
                "heal_blocked_workers needs detect_blocking(threshold): it acts at that threshold"
                    .into(),
            );
        }
        let config = Config {
            thread_name: self.thread_name.clone(),
            thread_stack_size: self.thread_stack_size,
            after_start: self.after_start.clone(),
            before_stop: self.before_stop.clone(),
            keep_alive: self.keep_alive,
            detect_blocking: self.detect_blocking,
            on_blocking: self.on_blocking.clone(),
            unhandled_panic: self.unhandled_panic,
            before_park: self.before_park.clone(),
            after_unpark: self.after_unpark.clone(),
            global_queue_interval: self.global_queue_interval,
            name: self.name.clone(),
            id: super::Id::next_raw(),
            panic_shutdown: Default::default(),
            event_interval: self.event_interval,
            heal_blocked_workers: self.heal_blocked_workers,
            max_blocking_threads: self.max_blocking_threads,
        };
        if self.start_paused && (self.kind != Kind::CurrentThread || !self.enable_time) {
            return invalid(
                "start_paused needs a current-thread runtime with the time driver enabled".into(),
            );
        }
        let drivers = super::Drivers {
            io: self.enable_io,
            time: self.enable_time,
            start_paused: self.start_paused,
            max_io_events: self.max_io_events_per_tick,
        };
        match self.kind {
            Kind::MultiThread => {
                Runtime::build_multi_thread(workers, self.max_blocking_threads, config, drivers)
            }
            Kind::CurrentThread => {
                Runtime::build_current_thread(self.max_blocking_threads, config, drivers)
            }
        }
    }
}

// `Builder::event_interval` (issue 12 defect 1), kept in its own block.
impl Builder {
    /// Sets the number of scheduler ticks after which the scheduler will poll for
    /// external events (timers, I/O, and so on).
    ///
    /// A scheduler "tick" roughly corresponds to one `poll` invocation on a task.
    ///
    /// By default, the event interval is `61` for all scheduler types.
    ///
    /// Setting the event interval determines the effective "priority" of delivering
    /// these external events (which may wake up additional tasks), compared to
    /// executing tasks that are currently ready to run. A smaller value is useful when
    /// tasks frequently spend a long time in polling, or frequently yield, which can
    /// result in overly long delays picking up I/O events. Conversely, picking up new
    /// events requires extra synchronization and syscall overhead, so if tasks generally
    /// complete their polling quickly, a higher event interval will minimize that
    /// overhead while still keeping the scheduler responsive to events.
    ///
    /// On the current-thread runtime, the thread in `block_on` turns the driver without
    /// blocking after every `val` tasks (and whenever only the `block_on` future is
    /// runnable), so a task that is always ready cannot keep I/O and timers from being
    /// seen. On the multi-thread runtime the workers never poll the driver (a dedicated
    /// driver thread does, so events never wait behind tasks): the value is accepted
    /// and has no effect there.
    ///
    /// `build` rejects 0 with an `InvalidInput` error.
    ///
    /// # Examples
    ///
    /// ```
    /// # use robin_runtime::runtime;
    /// let rt = runtime::Builder::new_multi_thread()
    ///     .event_interval(31)
    ///     .build()
    ///     .unwrap();
    /// # drop(rt);
    /// let err = runtime::Builder::new_current_thread()
    ///     .event_interval(0)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn event_interval(&mut self, val: u32) -> &mut Self {
        self.event_interval = val;
        self
    }
}

// `Builder::heal_blocked_workers` (issue 17 part 2), kept in its own block.
impl Builder {
    /// Lets the runtime heal a worker that a task blocks: when the monitor sees a worker
    /// stuck inside one poll for the [`detect_blocking`](Self::detect_blocking) threshold
    /// while other work is waiting, it hands that worker's core (its queues, its LIFO
    /// slot, the wake-ups that go to it) to a substitute thread from the blocking pool, so
    /// the runtime keeps all its workers running. When the blocking poll returns, its
    /// thread sees that its core is gone and goes back to the blocking pool; the task it
    /// polled carries on as usual (its next poll runs on whichever worker it is woken to).
    ///
    /// Off by default; multi-thread runtimes only (accepted and without effect on a
    /// current-thread runtime, which has no monitor). It acts at the `detect_blocking`
    /// threshold, so `build` rejects it without one (`InvalidInput`). At most
    /// [`max_blocking_threads`](Self::max_blocking_threads) substitutes exist at a time;
    /// each hand-off is reported to the [`on_blocking`](Self::on_blocking) hook (see
    /// `BlockingReport::core_handed_off`) and counted by
    /// `RuntimeMetrics::worker_handoff_count`.
    ///
    /// Without it, a task that blocks a worker's thread keeps that worker's slot of
    /// parallelism until it returns, as on every other runtime: when as many tasks block
    /// as there are workers, nothing else runs (timers and I/O still fire on robin's
    /// driver thread, but the tasks they wake wait).
    ///
    /// Costs nothing while no worker is stuck but the core's trip through an atomic slot
    /// around each poll (an atomic store and an atomic swap, uncontended); off, one branch.
    ///
    /// ```
    /// use std::time::Duration;
    /// let rt = robin_runtime::runtime::Builder::new_multi_thread()
    ///     .worker_threads(1)
    ///     .detect_blocking(Duration::from_millis(20))
    ///     .on_blocking(|_report| {})
    ///     .heal_blocked_workers(true)
    ///     .build()
    ///     .unwrap();
    /// let (tx, rx) = std::sync::mpsc::channel::<()>();
    /// // Blocks the only worker until the other task has run.
    /// rt.spawn(async move { let _ = rx.recv_timeout(Duration::from_secs(10)); });
    /// // Runs anyway: the monitor hands the worker's core to a substitute.
    /// let done = rt.block_on(rt.spawn(async move { tx.send(()).unwrap(); 7 }));
    /// assert_eq!(done.unwrap(), 7);
    /// assert!(rt.metrics().worker_handoff_count() >= 1);
    /// ```
    pub fn heal_blocked_workers(&mut self, enabled: bool) -> &mut Self {
        self.heal_blocked_workers = enabled;
        self
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("kind", &self.kind)
            .field("worker_threads", &self.worker_threads)
            .field("max_blocking_threads", &self.max_blocking_threads)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("keep_alive", &self.keep_alive)
            .field("enable_io", &self.enable_io)
            .field("enable_time", &self.enable_time)
            .field("start_paused", &self.start_paused)
            .field("global_queue_interval", &self.global_queue_interval)
            .field("max_io_events_per_tick", &self.max_io_events_per_tick)
            .field("name", &self.name)
            .field("heal_blocked_workers", &self.heal_blocked_workers)
            .finish_non_exhaustive()
    }
}

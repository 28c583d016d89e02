//! The pool's threads and queue (see the module docs in `mod.rs`).
use super::task::{BlockingSchedule, BlockingTask};
use crate::context;
use crate::engine::{self, Id, JoinHandle, Notified};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::{mpsc, thread};
use crate::scheduler::{self, Config, Handle};
use std::collections::{HashMap, VecDeque};
use std::io;
use std::time::Duration;

// A pool thread keeps its own exit sender in the thread context (`blocking_exit`). A
// thread spawned by a pool thread after shutdown began (a worker handed over by
// `block_in_place`) inherits a clone, so shutdown still waits for it.

/// Spawns jobs onto the pool; cheap to clone, held by the scheduler.
#[derive(Clone)]
pub(crate) struct Spawner {
    inner: Arc<Inner>,
}

/// Owned by the `Runtime`: shuts the pool down when the runtime goes.
pub(crate) struct BlockingPool {
    spawner: Spawner,
    /// Disconnects when every pool thread has exited (each holds a sender).
    exited: Mutex<mpsc::Receiver<()>>,
}

pub(super) struct Inner {
    state: Mutex<State>,
    condvar: Condvar,
    config: Config,
    thread_cap: usize,
    keep_alive: Duration,
}

struct State {
    queue: VecDeque<(Notified, bool)>,
    num_threads: usize,
    num_idle: usize,
    /// Wake-ups sent to idle threads and not yet consumed (tells real from spurious).
    num_notify: usize,
    shutdown: bool,
    threads: HashMap<usize, thread::JoinHandle<()>>,
    next_thread_id: usize,
    /// The last thread that left on keep-alive, joined at shutdown so that its
    /// thread-local destructors have run when shutdown returns.
    last_exited: Option<thread::JoinHandle<()>>,
    /// Cloned into every thread; dropped at shutdown so `exited` can disconnect.
    exit_tx: Option<mpsc::Sender<()>>,
}

impl BlockingPool {
    pub(crate) fn new(config: Config, thread_cap: usize) -> BlockingPool {
        let keep_alive = config.keep_alive;
        let (exit_tx, exit_rx) = mpsc::channel();
        BlockingPool {
            exited: Mutex::new(exit_rx),
            spawner: Spawner {
                inner: Arc::new(Inner {
                    state: Mutex::new(State {
                        queue: VecDeque::new(),
                        num_threads: 0,
                        num_idle: 0,
                        num_notify: 0,
                        shutdown: false,
                        threads: HashMap::new(),
                        next_thread_id: 0,
                        last_exited: None,
                        exit_tx: Some(exit_tx),
                    }),
                    condvar: Condvar::new(),
                    config,
                    thread_cap,
                    keep_alive,
                }),
            },
        }
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.spawner
    }

    /// Stops the pool and waits for its threads, at most `timeout` (`None`: no limit).
    /// Returns `false` if threads were still running when the time ran out.
    pub(crate) fn shutdown(&self, timeout: Option<Duration>) -> bool {
        let inner = &self.spawner.inner;
        let threads: Vec<_> = {
            let mut state = inner.state.lock().unwrap();
            if !state.shutdown {
                state.shutdown = true;
                state.exit_tx = None;
                inner.condvar.notify_all();
            }
            let mut threads: Vec<_> = state.threads.drain().map(|(_, t)| t).collect();
            threads.extend(state.last_exited.take());
            threads
        };
        let me = thread::current().id();
        if threads.iter().any(|t| t.thread().id() == me) {
            // Shutting down from one of our own threads: it cannot wait for itself.
            return false;
        }
        let exited = self.exited.lock().unwrap();
        let all_done = crate::loom::wait_disconnected(&exited, timeout);
        if all_done {
            // Every thread has left its loop: joining only reaps them.
            for thread in threads {
                let _ = thread.join();
            }
        }
        all_done
    }
}

impl Spawner {
    /// Gauges of the pool, for `RuntimeMetrics`.
    pub(crate) fn stats(&self) -> (usize, usize, usize) {
        (
            self.inner.num_threads(),
            self.inner.num_idle_threads(),
            self.inner.queue_depth(),
        )
    }

    /// `spawn_blocking`: runs `func` on a pool thread.
    #[track_caller]
    pub(crate) fn spawn_blocking<F, R>(&self, handle: &Handle, func: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let (join, _) = self.spawn(handle, func, false);
        join
    }

    /// Runs `func` on a pool thread even if the pool is shutting down (worker threads).
    pub(crate) fn spawn_mandatory<F>(&self, handle: &Handle, func: F) -> io::Result<()>
    where
        F: FnOnce() + Send + 'static,
    {
        let (_join, res) = self.spawn(handle, func, true);
        res
    }

    #[track_caller]
    fn spawn<F, R>(
        &self,
        handle: &Handle,
        func: F,
        mandatory: bool,
    ) -> (JoinHandle<R>, io::Result<()>)
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let schedule = BlockingSchedule {
            pool: self.inner.clone(),
        };
        let meta = engine::raw::TaskMeta::caller(None);
        let (notified, join) = engine::unowned(BlockingTask::new(func), schedule, Id::next(), meta);
        let res = Inner::push(&self.inner, handle, notified, mandatory);
        (join, res)
    }
}

impl Inner {
    /// Queues a job and makes sure a thread will run it.
    fn push(this: &Arc<Inner>, handle: &Handle, task: Notified, mandatory: bool) -> io::Result<()> {
        let mut state = this.state.lock().unwrap();
        if state.shutdown && !mandatory {
            drop(state);
            // The handle reports cancellation.
            task.into_task().shutdown();
            return Err(io::Error::other("the runtime is shutting down"));
        }
        state.queue.push_back((task, mandatory));
        if state.num_idle > 0 {
            state.num_idle -= 1;
            state.num_notify += 1;
            this.condvar.notify_one();
            return Ok(());
        }
        if state.num_threads >= this.thread_cap {
            // Every thread is busy and we may not add one: the job waits its turn.
            return Ok(());
        }
        let id = state.next_thread_id;
        state.next_thread_id += 1;
        let exit_tx = state.exit_tx.clone().or_else(context::blocking_exit);
        match Inner::spawn_thread(this, handle, id, exit_tx) {
            Ok(thread) => {
                state.num_threads += 1;
                state.threads.insert(id, thread);
                Ok(())
            }
            // A mandatory job (a worker thread's loop) needs a thread of its own: the
            // busy ones may never come free (issue 12 defect 3), so fall through.
            Err(err) if state.num_threads > 0 && !mandatory => {
                // Existing threads will get to the job when they finish their current one.
                let _ = err;
                Ok(())
            }
            Err(err) => {
                // No thread at all can run it: take it back and cancel it.
                let (task, _) = state.queue.pop_back().expect("just pushed");
                drop(state);
                task.into_task().shutdown();
                Err(err)
            }
        }
    }

    pub(crate) fn num_threads(&self) -> usize {
        self.state.lock().unwrap().num_threads
    }

    pub(crate) fn num_idle_threads(&self) -> usize {
        self.state.lock().unwrap().num_idle
    }

    pub(crate) fn queue_depth(&self) -> usize {
        self.state.lock().unwrap().queue.len()
    }

    pub(super) fn requeue(&self, task: Notified) {
        let mut state = self.state.lock().unwrap();
        state.queue.push_back((task, false));
        if state.num_idle > 0 {
            state.num_idle -= 1;
            state.num_notify += 1;
            self.condvar.notify_one();
        }
    }

    fn spawn_thread(
        this: &Arc<Inner>,
        handle: &Handle,
        id: usize,
        exit_tx: Option<mpsc::Sender<()>>,
    ) -> io::Result<thread::JoinHandle<()>> {
        let mut builder = thread::Builder::new().name((this.config.thread_name)());
        if let Some(size) = this.config.thread_stack_size {
            builder = builder.stack_size(size);
        }
        let inner = this.clone();
        let handle = handle.clone();
        builder.spawn(move || {
            context::set_blocking_exit(exit_tx.clone());
            let _enter = context::set_handle(&handle);
            // A panicking hook must not kill the thread before it takes its job (a worker
            // thread's core would be stranded): the panic hook has reported it; go on.
            let run_hook = |hook: &Option<std::sync::Arc<dyn Fn() + Send + Sync>>| {
                if let Some(f) = hook {
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f()));
                }
            };
            run_hook(&inner.config.after_start);
            inner.run(id);
            run_hook(&inner.config.before_stop);
            drop(_enter);
            // Last: tells shutdown this thread has left the pool.
            drop(context::set_blocking_exit(None));
            drop(exit_tx);
        })
    }

    /// A pool thread's loop.
    fn run(&self, id: usize) {
        let mut state = self.state.lock().unwrap();
        'work: loop {
            // Busy: run every job this thread finds queued, even once shutdown began (as
            // tokio's pool does): a job queued behind a running one before the shutdown
            // still runs and hands its output to its JoinHandle. Only a thread that went
            // idle cancels what is left (below), within `shutdown_timeout`.
            while let Some((task, _mandatory)) = state.queue.pop_front() {
                drop(state);
                scheduler::run_task(task);
                state = self.state.lock().unwrap();
            }
            if state.shutdown {
                break 'work;
            }
            state.num_idle += 1;
            loop {
                let (guard, timed_out) =
                    crate::loom::wait_timeout(&self.condvar, &self.state, state, self.keep_alive);
                state = guard;
                if state.num_notify > 0 {
                    // A pusher counted us out of the idle set and in for its job.
                    state.num_notify -= 1;
                    continue 'work;
                }
                if state.shutdown {
                    state.num_idle -= 1;
                    break 'work;
                }
                if timed_out {
                    // Idle for `keep_alive`: leave, and let shutdown join us later.
                    state.num_idle -= 1;
                    state.num_threads -= 1;
                    if let Some(me) = state.threads.remove(&id) {
                        if let Some(prev) = state.last_exited.replace(me) {
                            drop(state);
                            let _ = prev.join();
                        }
                    }
                    return;
                }
                // Spurious wake-up: keep waiting.
            }
        }
        // Shutdown: finish what is queued (mandatory jobs run, others are cancelled).
        while let Some((task, mandatory)) = state.queue.pop_front() {
            drop(state);
            if mandatory {
                scheduler::run_task(task);
            } else {
                task.into_task().shutdown();
            }
            state = self.state.lock().unwrap();
        }
        state.num_threads -= 1;
    }
}

//! The concurrency models under comparison, and how each one runs `n` units of work.
//!
//! | model | file | what a unit is |
//! |---|---|---|
//! | `robin` | [`async_rt`] | a task on robin's multi-thread work-stealing runtime (all cores) |
//! | `tokio` | [`async_rt`] | a task on tokio's multi-thread runtime (all cores) |
//! | `smol` | [`async_rt`] | a task on async-executor run by one thread per core, with async-io |
//! | `event-loop` | [`async_rt`] | a task on robin's current-thread runtime (asyncio's model) |
//! | `thread-per-unit`, `thread-pool` | [`threading`] | an OS thread; or a job on a pool sized to the cores |
//! | `multiprocessing` | [`multiprocessing`] | a share of the units in a re-executed worker process |
//!
//! The four async models run the same async unit code through [`async_rt::AsyncIo`].

pub mod async_rt;
pub mod multiprocessing;
pub mod threading;

/// One concurrency model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// robin's multi-thread work-stealing runtime.
    Robin,
    /// tokio's multi-thread runtime (a peer, not one of the classic table's models).
    Tokio,
    /// smol's multi-thread set-up: async-executor on N threads + async-io (a peer).
    Smol,
    /// robin's current-thread runtime: one thread, tasks switch at `.await`.
    EventLoop,
    /// One OS thread per unit, blocking std I/O.
    ThreadPerUnit,
    /// A fixed pool of OS threads sized to the cores, blocking std I/O.
    ThreadPool,
    /// Worker processes (this binary re-executed), work and results over pipes.
    Processes,
}

impl Model {
    /// Every model, in report order.
    pub const ALL: [Model; 7] = [
        Model::Robin,
        Model::Tokio,
        Model::Smol,
        Model::EventLoop,
        Model::ThreadPerUnit,
        Model::ThreadPool,
        Model::Processes,
    ];

    /// The short key used on the command line and in the report.
    pub fn key(self) -> &'static str {
        match self {
            Model::Robin => "robin",
            Model::Tokio => "tokio",
            Model::Smol => "smol",
            Model::EventLoop => "event-loop",
            Model::ThreadPerUnit => "thread-per-unit",
            Model::ThreadPool => "thread-pool",
            Model::Processes => "multiprocessing",
        }
    }

    /// Parses [`Model::key`].
    pub fn from_key(key: &str) -> Option<Model> {
        Model::ALL.into_iter().find(|m| m.key() == key)
    }

    /// Whether the model runs async tasks (robin's two runtimes, tokio, smol).
    pub fn is_async(self) -> bool {
        matches!(
            self,
            Model::Robin | Model::Tokio | Model::Smol | Model::EventLoop
        )
    }
}

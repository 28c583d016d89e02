//! The concurrency models under comparison, and how each one runs `n` units of work.
//!
//! | model | file | what a unit is |
//! |---|---|---|
//! | `robin` | [`robin_rt`] | a task on robin's multi-thread work-stealing runtime (all cores) |
//! | `event-loop` | [`event_loop`] | a task on robin's current-thread runtime (asyncio's model) |
//! | `thread-per-unit`, `thread-pool` | [`threading`] | an OS thread; or a job on a pool sized to the cores |
//! | `multiprocessing` | [`multiprocessing`] | a share of the units in a re-executed worker process |

pub mod event_loop;
pub mod multiprocessing;
pub mod robin_rt;
pub mod threading;

/// One concurrency model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Model {
    /// robin's multi-thread work-stealing runtime.
    Robin,
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
    pub const ALL: [Model; 5] = [
        Model::Robin,
        Model::EventLoop,
        Model::ThreadPerUnit,
        Model::ThreadPool,
        Model::Processes,
    ];

    /// The short key used on the command line and in the report.
    pub fn key(self) -> &'static str {
        match self {
            Model::Robin => "robin",
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

    /// Whether the model runs async tasks (robin's two runtimes).
    pub fn is_async(self) -> bool {
        matches!(self, Model::Robin | Model::EventLoop)
    }
}

//! The API users call, re-exported as the public `robin::task` (and `robin::spawn`,
//! `robin::task_local!`) from `lib.rs`: spawning ([`spawn`], [`Builder`],
//! [`spawn_blocking`], [`block_in_place`], [`yield_now`]), [`JoinSet`], [`LocalSet`] and
//! [`spawn_local`], task-locals ([`LocalKey`]), and the current task's [`id`].
//!
//! Layer: api, the top one. May import every layer below (`runtime`, `scheduler`,
//! `context`, `driver`, `engine`, `loom`); nothing below imports it.
mod builder;
pub mod coop;
mod join_set;
mod local_set;
#[doc(hidden)]
pub mod macro_support;
mod spawn;
mod task_local;

pub use builder::Builder;
pub use join_set::JoinSet;
pub use local_set::{spawn_local, LocalEnterGuard, LocalSet};
pub use spawn::{block_in_place, id, spawn, spawn_blocking, try_id, yield_now};
pub use task_local::{AccessError, LocalKey, TaskLocalFuture};

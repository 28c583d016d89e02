//! robin-sync: runtime-agnostic async synchronization primitives.
//!
//! Everything here relies only on `core::task::Waker`, so it works under robin, tokio,
//! `futures::executor` or any other executor.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod coop;
